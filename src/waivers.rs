//! Waivers: a finding the seller has looked at and accepted, for a reason,
//! until a date, on someone's word. A waived finding leaves the score and
//! the gate but stays in the report; an expired waiver stops applying; a
//! waiver that matches nothing is reported, so the file does not rot.
//!
//! The file (`ahr.toml` in the account folder, or `--waivers FILE`):
//!
//! ```toml
//! [[waiver]]
//! rule = "MSG-CONTENT"
//! scope = ["113-0000000-0000001", "messages.csv:14"]  # optional
//! reason = "template approved by Seller Support, case 12345"
//! owner = "ops@example.com"
//! expires = "2026-12-31"
//! ```
//!
//! `scope` items are evidence keys (ASIN, order id, message id) or
//! `file:line` places; a scoped waiver sets a finding aside only when it
//! covers every piece of the finding's evidence, because otherwise the
//! finding's count and points would still stand on the rest.

use crate::findings::Finding;
use crate::policy::PolicySet;
use crate::policy::diagnostics::{Diagnostics, Loc, did_you_mean};
use crate::policy::params::Params;
use crate::policy::tree::{self, Value};
use crate::report::{WaivedFinding, WaiverInfo, WaiverSummary};
use anyhow::{Context, Result};
use chrono::NaiveDate;
use std::path::{Path, PathBuf};

/// The name looked for beside the exports, then in the current folder.
pub const FILE_NAME: &str = "ahr.toml";

const KEYS: &[&str] = &["rule", "scope", "reason", "owner", "expires"];

#[derive(Clone, Debug, PartialEq)]
pub struct WaiverFile {
    /// The file as the user would name it.
    pub file: String,
    pub waivers: Vec<WaiverInfo>,
}

/// The waiver file to use: `explicit` if given (it must exist), else
/// `ahr.toml` in the account folder. Not the current folder: waivers
/// belong to one account, and a stray file would touch every audit.
pub fn find(account_dir: &Path, explicit: Option<&Path>) -> Option<PathBuf> {
    if let Some(path) = explicit {
        return Some(path.to_path_buf());
    }
    Some(account_dir.join(FILE_NAME)).filter(|p| p.is_file())
}

/// Reads and checks a waiver file against the loaded rules.
pub fn load(path: &Path, policies: &PolicySet) -> Result<WaiverFile> {
    let text = std::fs::read_to_string(path).with_context(|| {
        format!(
            "cannot read waiver file {}: check the path (`ahr init` writes a template)",
            path.display()
        )
    })?;
    let rules: Vec<&str> = policies.rules.iter().map(|r| r.id.as_str()).collect();
    // Rendered like policy errors (and printed as they are, without a
    // second `error:` prefix).
    parse(&path.display().to_string(), &text, &rules)
        .map_err(|rendered| anyhow::Error::new(crate::policy::LocatedErrors(rendered)))
}

/// Parses a waiver file; every problem comes back at once, located.
pub fn parse(name: &str, text: &str, known_rules: &[&str]) -> Result<WaiverFile, String> {
    let mut diags = Diagnostics::default();
    let text = quote_dates(text);
    let Some(mut root) = tree::parse(&mut diags, name, &text, SYNTAX_HELP) else {
        return Err(render(&diags));
    };
    let mut waivers = Vec::new();
    let items = match root.remove("waiver") {
        None => Vec::new(),
        Some(entry) => match entry.node.value {
            Value::Array(items) => items,
            _ => {
                diags.error_with_help(
                    entry.key_loc,
                    "`waiver` must be an array of tables",
                    "write each waiver under `[[waiver]]` (double brackets)",
                );
                Vec::new()
            }
        },
    };
    for entry in root.entries {
        diags.error_with_help(
            entry.key_loc,
            format!("unknown key `{}` in the waiver file", entry.key),
            "a waiver file holds `[[waiver]]` tables only",
        );
    }
    for item in items {
        let loc = item.loc;
        let Value::Table(table) = item.value else {
            diags.error(loc, "each `[[waiver]]` must be a table");
            continue;
        };
        let position = diags.position(loc);
        let defined_at = position
            .rsplit_once(':')
            .map_or(position.clone(), |(place, _column)| place.to_string());
        let mut p = Params::new(
            table,
            format!("the waiver at {defined_at}"),
            loc,
            &mut diags,
        );
        let rule = p.str("rule", "\"PERF-ODR\"");
        let scope = p.opt_str_list("scope").unwrap_or_default();
        let reason = p.str("reason", "\"why this finding is accepted\"");
        let owner = p.str("owner", "\"who answers for it\"");
        let expires = p.str("expires", "\"2026-12-31\"");
        p.finish(KEYS);
        let rule = rule.and_then(|(id, id_loc)| {
            match known_rules
                .iter()
                .find(|r| r.eq_ignore_ascii_case(id.trim()))
            {
                Some(known) => Some(known.to_string()),
                None => {
                    let help = match did_you_mean(id.trim(), known_rules.iter().copied()) {
                        Some(near) => {
                            format!("did you mean `{near}`? (`ahr rules --all` lists them)")
                        }
                        None => "`ahr rules --all` lists the rule ids".to_string(),
                    };
                    diags.error_with_help(id_loc, format!("no rule `{id}`"), help);
                    None
                }
            }
        });
        let reason = required_text(&mut diags, reason, "reason");
        let owner = required_text(&mut diags, owner, "owner");
        let expires = expires.and_then(|(text, at)| {
            match NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d") {
                Ok(date) => Some(date),
                Err(_) => {
                    diags.error_with_help(
                        at,
                        format!("`expires` is `{text}`, not a date"),
                        "write it as \"YYYY-MM-DD\": the last day the waiver applies",
                    );
                    None
                }
            }
        });
        let scope: Vec<String> = scope
            .into_iter()
            .map(|(s, _)| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect();
        // A missing part has been reported; the waiver is dropped with it.
        if let (Some(rule), Some(reason), Some(owner), Some(expires)) =
            (rule, reason, owner, expires)
        {
            waivers.push(WaiverInfo {
                rule,
                scope,
                reason,
                owner,
                expires,
                defined_at,
            });
        }
    }
    if !diags.is_empty() {
        return Err(render(&diags));
    }
    Ok(WaiverFile {
        file: name.to_string(),
        waivers,
    })
}

fn required_text(
    diags: &mut Diagnostics,
    value: Option<(String, Loc)>,
    key: &str,
) -> Option<String> {
    let (text, loc) = value?;
    if text.trim().is_empty() {
        diags.error_with_help(
            loc,
            format!("`{key}` is empty"),
            "a waiver needs a reason and an owner, so the next reader knows why it exists",
        );
        return None;
    }
    Some(text.trim().to_string())
}

fn render(diags: &Diagnostics) -> String {
    diags.render("the waiver file")
}

const SYNTAX_HELP: &str = "fix the syntax at this place; write dates as \"YYYY-MM-DD\"";

/// TOML dates (`expires = 2026-12-31`) are what people write; the TOML
/// reader keeps no dates, so they are read as the string they spell. Only
/// the one line changes, so every place reported stays on its line.
fn quote_dates(text: &str) -> std::borrow::Cow<'_, str> {
    static DATE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let re = DATE.get_or_init(|| {
        regex::Regex::new(
            r"(?m)^([ \t]*expires[ \t]*=[ \t]*)(\d{4}-\d{2}-\d{2})([ \t]*(?:#.*)?)\r?$",
        )
        .expect("a valid pattern")
    });
    re.replace_all(text, "${1}\"${2}\"${3}")
}

/// What the waivers did to a list of findings.
#[derive(Clone, Debug, PartialEq)]
pub struct Applied {
    /// Findings that still count.
    pub active: Vec<Finding>,
    pub waived: Vec<WaivedFinding>,
    pub summary: WaiverSummary,
}

/// Sets aside the findings that live waivers cover. A waiver lives through
/// its `expires` day.
pub fn apply(file: &WaiverFile, findings: Vec<Finding>, today: NaiveDate) -> Applied {
    let live: Vec<&WaiverInfo> = file.waivers.iter().filter(|w| w.expires >= today).collect();
    let expired: Vec<WaiverInfo> = file
        .waivers
        .iter()
        .filter(|w| w.expires < today)
        .cloned()
        .collect();
    // Per live waiver: 0 unused, 1 partly covered a finding, 2 applied.
    let mut used = vec![0u8; live.len()];
    let mut active = Vec::new();
    let mut waived = Vec::new();
    for mut finding in findings {
        let candidates: Vec<usize> = (0..live.len())
            .filter(|&i| live[i].rule.eq_ignore_ascii_case(&finding.rule))
            .collect();
        let whole = candidates
            .iter()
            .copied()
            .find(|&i| live[i].scope.is_empty());
        let chosen = whole.or_else(|| {
            if finding.evidence.is_empty() {
                return None;
            }
            let mut covering = Vec::new();
            let mut all = true;
            for e in &finding.evidence {
                match candidates
                    .iter()
                    .copied()
                    .find(|&i| live[i].scope.iter().any(|s| covers(s, e)))
                {
                    Some(i) => covering.push(i),
                    None => all = false,
                }
            }
            for &i in &covering {
                used[i] = used[i].max(if all { 2 } else { 1 });
            }
            if all { covering.first().copied() } else { None }
        });
        match chosen {
            Some(i) => {
                used[i] = 2;
                finding.points = 0;
                waived.push(WaivedFinding {
                    finding,
                    waiver: live[i].clone(),
                });
            }
            None => active.push(finding),
        }
    }
    let pick = |level: u8| -> Vec<WaiverInfo> {
        live.iter()
            .zip(&used)
            .filter(|(_, u)| **u == level)
            .map(|(w, _)| (*w).clone())
            .collect()
    };
    Applied {
        active,
        waived,
        summary: WaiverSummary {
            file: file.file.clone(),
            total: file.waivers.len(),
            expired,
            unmatched: pick(0),
            partial: pick(1),
        },
    }
}

/// A scope item names a piece of evidence by its key or by `file:line`.
fn covers(scope: &str, evidence: &crate::findings::Evidence) -> bool {
    if scope.eq_ignore_ascii_case(evidence.key.trim()) {
        return true;
    }
    match (scope.rsplit_once(':'), evidence.line) {
        (Some((file, line)), Some(at)) => {
            line.trim().parse::<u64>() == Ok(at) && file.trim().eq_ignore_ascii_case(&evidence.file)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::{Appeal, Evidence, FindingStatus, Severity};

    const RULES: &[&str] = &["MSG-CONTENT", "PERF-ODR"];

    fn finding(rule: &str, keys: &[(&str, u64)]) -> Finding {
        Finding {
            rule: rule.into(),
            title: "t".into(),
            category: "c".into(),
            severity: Severity::Medium,
            status: FindingStatus::Breach,
            points: -40,
            occurrences: keys.len() as u64,
            message: "m".into(),
            appeal: Appeal::Appealable,
            remediation: "r".into(),
            references: vec![],
            evidence: keys
                .iter()
                .map(|(k, line)| Evidence {
                    file: "messages.csv".into(),
                    line: Some(*line),
                    key: (*k).into(),
                    excerpt: "e".into(),
                })
                .collect(),
            evidence_total: keys.len(),
            message_form: None,
        }
    }

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn reads_a_waiver_and_names_its_line() {
        let file = parse(
            "ahr.toml",
            "# waivers\n[[waiver]]\nrule = \"msg-content\"\nscope = [\"M1\"]\nreason = \"approved\"\n\
             owner = \"ops\"\nexpires = \"2026-12-31\"\n",
            RULES,
        )
        .unwrap();
        let w = &file.waivers[0];
        assert_eq!(w.rule, "MSG-CONTENT");
        assert_eq!(w.scope, vec!["M1"]);
        assert_eq!(w.expires, day("2026-12-31"));
        assert_eq!(w.defined_at, "ahr.toml:2");
    }

    #[test]
    fn a_toml_date_reads_as_a_date() {
        let file = parse(
            "ahr.toml",
            "[[waiver]]\nrule = \"PERF-ODR\"\nreason = \"r\"\nowner = \"o\"\nexpires = 2026-12-31 # end of peak\n",
            RULES,
        )
        .unwrap();
        assert_eq!(file.waivers[0].expires, day("2026-12-31"));
    }

    #[test]
    fn every_problem_is_reported_with_its_place() {
        let err = parse(
            "ahr.toml",
            "[[waiver]]\nrule = \"MSG-CONTNT\"\nreason = \"\"\nexpires = \"31.12.2026\"\nowners = \"x\"\n",
            RULES,
        )
        .unwrap_err();
        assert!(err.contains("no rule `MSG-CONTNT`"), "{err}");
        assert!(err.contains("did you mean `MSG-CONTENT`?"), "{err}");
        assert!(err.contains("`reason` is empty"), "{err}");
        assert!(err.contains("not a date"), "{err}");
        assert!(err.contains("has no `owner`"), "{err}");
        assert!(err.contains("unknown key `owners`"), "{err}");
        assert!(err.contains("ahr.toml:4:"), "{err}");
    }

    fn waiver(rule: &str, scope: &[&str], expires: &str) -> WaiverInfo {
        WaiverInfo {
            rule: rule.into(),
            scope: scope.iter().map(|s| s.to_string()).collect(),
            reason: "r".into(),
            owner: "o".into(),
            expires: day(expires),
            defined_at: "ahr.toml:1".into(),
        }
    }

    #[test]
    fn whole_rule_scoped_partial_expired_and_unmatched_waivers() {
        let file = WaiverFile {
            file: "ahr.toml".into(),
            waivers: vec![
                waiver("PERF-ODR", &[], "2026-12-31"),
                waiver("MSG-CONTENT", &["M1", "messages.csv:9"], "2026-11-22"),
                waiver("MSG-CONTENT", &["M7"], "2026-11-21"),
                waiver("REV-GATING", &[], "2027-01-01"),
            ],
        };
        let findings = vec![
            finding("PERF-ODR", &[("o1", 2)]),
            finding("MSG-CONTENT", &[("M1", 4), ("M2", 9)]),
        ];
        let applied = apply(&file, findings, day("2026-11-22"));
        assert!(applied.active.is_empty());
        assert_eq!(applied.waived.len(), 2);
        assert!(applied.waived.iter().all(|w| w.finding.points == 0));
        assert_eq!(applied.waived[1].waiver.scope, vec!["M1", "messages.csv:9"]);
        assert_eq!(applied.summary.expired.len(), 1);
        assert_eq!(applied.summary.expired[0].scope, vec!["M7"]);
        assert_eq!(applied.summary.unmatched.len(), 1);
        assert_eq!(applied.summary.unmatched[0].rule, "REV-GATING");

        let partial = apply(
            &file,
            vec![finding("MSG-CONTENT", &[("M1", 4), ("M3", 12)])],
            day("2026-11-22"),
        );
        assert_eq!(
            partial.active.len(),
            1,
            "uncovered evidence keeps the finding"
        );
        assert_eq!(partial.active[0].points, -40);
        assert_eq!(partial.summary.partial.len(), 1);
    }
}
