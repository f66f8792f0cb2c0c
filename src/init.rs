//! `ahr init DIR`: an account folder a new user can fill in. Every export
//! with its header row (required columns first), a commented `account.toml`,
//! a commented waiver file and a commented policy template under
//! `policies/`, so the first question, "what do I export?", is answered by
//! the folder itself. Existing files are never overwritten.

use crate::input::schema;
use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};

/// Where in the account folder the policy template goes.
pub const POLICY_TEMPLATE: &str = "policies/custom.toml";

const ACCOUNT_TOML: &str = r#"# account.toml: who this account is. Every key is optional.
#
# Fill in the exports beside this file (each has its header row already;
# keep the header, add rows; extra columns are ignored, and Amazon's own
# column names such as `amazon-order-id` work too). Delete the files you
# cannot export: every file is optional, but without orders.csv no rate can
# be computed. Amazon's performance report (GET_V2_SELLER_PERFORMANCE_REPORT)
# can be saved beside them as performance.json.
#
# Then run:  ahr audit THIS_FOLDER

# The account's id in reports (default: the folder name).
# id = "acme-us"

# The seller's own name for it.
# name = "Acme Outdoor US"

# Two-letter marketplace: US, CA, MX, UK, DE, FR, IT, ES, JP, ... It decides
# how dates in the feedback report are read (DE 13.1.17, US 1/13/17).
# marketplace = "US"

# Seller Central's merchant token.
# seller_id = "A1B2C3D4E5F6G7"

# Brands you own or may sell (others' offers on them are hijacks; your
# offers on brands not listed here are piggybacking).
# brands = ["Acme"]

# Accounts legitimately related to this one (declared to Amazon), by id.
# related_accounts = ["acme-eu"]

# Where Amazon can reach the seller in an emergency (never printed).
# emergency_contact = "+1 555 0100"
"#;

const WAIVERS_TOML: &str = r#"# ahr.toml: waivers, findings you have looked at and accept for now.
#
# A waived finding leaves the score and the --fail-under/--fail-on gate, but
# is still listed as waived. A waiver stops applying after `expires`; a
# waiver that matches nothing is reported, so stale ones get removed.
# `ahr audit` reads this file from the account folder (or pass --waivers).
#
# [[waiver]]
# rule = "MSG-CONTENT"                 # the rule id (`ahr rules` lists them)
# scope = ["113-1234567-1234567", "messages.csv:14"]
#                                      # optional: evidence keys (order id,
#                                      # ASIN, message id) or file:line; the
#                                      # waiver applies only when it covers
#                                      # every piece of the finding's evidence
# reason = "link to the manual approved by Seller Support, case 1234567"
# owner = "ops@example.com"            # who answers for it
# expires = "2026-12-31"               # the last day it applies
"#;

const POLICY_TOML: &str = r#"# A policy file of your own. Load it with
#   ahr audit DIR --policies DIR/policies
# Rules here are added to the built-in packs; a rule with the id of a
# built-in rule replaces it, and `enabled = false` switches it off.
# `ahr policy check DIR/policies` validates this folder; `ahr explain ID`
# shows what a built-in rule does and the parameters it takes.

# An example, switched off: a stricter Order Defect Rate than Amazon's.
[[rule]]
id = "CUSTOM-ODR-STRICT"
title = "Order Defect Rate above 0.5%"
category = "performance"
severity = "medium"                    # critical, high, medium, low
appeal = "appealable"                  # appealable, hard, not-appealable
enabled = false                        # delete this line to use the rule
check = "rate"
metric = "order_defect_rate"
window_days = 60
breach_above = 0.005
warn_above = 0.004
min_denominator = 100
docs = """
Our own early warning: half of Amazon's 1% target."""
remediation = "Answer every A-to-z claim within 72 hours and contact buyers who left negative feedback."

# Switch a built-in rule off:
# [[rule]]
# id = "LIST-HIJACK"
# enabled = false

# Change the score model (see the built-in scoring for every key):
# [scoring]
# start = 200
"#;

/// What `init` wrote.
#[derive(Debug, Default)]
pub struct Written {
    pub files: Vec<PathBuf>,
    pub skipped: Vec<PathBuf>,
}

/// Writes the template into `dir` (created if missing); files that exist
/// are left alone and listed as skipped.
pub fn init(dir: &Path) -> Result<Written> {
    if dir.is_file() {
        bail!(
            "{} is a file: pass a folder for the account's exports",
            dir.display()
        );
    }
    std::fs::create_dir_all(dir.join("policies"))
        .with_context(|| format!("cannot create {}: check the path", dir.display()))?;
    let mut files: Vec<(PathBuf, String)> = Vec::new();
    for s in schema::ALL {
        let mut columns: Vec<&str> = s
            .columns
            .iter()
            .filter(|c| s.requires(c))
            .map(|c| c.name)
            .collect();
        columns.extend(s.columns.iter().filter(|c| !s.requires(c)).map(|c| c.name));
        files.push((
            dir.join(format!("{}.csv", s.stem)),
            format!("{}\n", columns.join(",")),
        ));
    }
    files.push((dir.join("account.toml"), ACCOUNT_TOML.to_string()));
    files.push((
        dir.join(crate::waivers::FILE_NAME),
        WAIVERS_TOML.to_string(),
    ));
    files.push((dir.join(POLICY_TEMPLATE), POLICY_TOML.to_string()));
    let mut written = Written::default();
    for (path, text) in files {
        if path.exists() {
            written.skipped.push(path);
            continue;
        }
        crate::output::write_atomically(&path, text.as_bytes())?;
        written.files.push(path);
    }
    Ok(written)
}
