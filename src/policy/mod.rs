//! Policies: rules as TOML data, loaded in two phases (parse every file into
//! a spanned tree, then validate the merged rules), so that every problem in
//! every file is reported at once with file:line:column.
//!
//! The default packs in `policies/` are compiled into the binary. Files given
//! with `--policies` are read after them in name order: a rule with an id
//! seen before overrides the earlier one key by key (or replaces it when it
//! names another check kind), and `enabled = false` switches it off.

pub mod diagnostics;
pub mod guidance;
pub mod params;
pub mod pattern;
pub mod scoring;
pub mod tree;

use crate::checks::{self, Check};
use crate::findings::{Appeal, Severity};
use crate::i18n::{Lang, RuleText};
use anyhow::{Context, Result, bail};
use diagnostics::{Diagnostics, Loc, did_you_mean};
use params::Params;
use scoring::ScoringModel;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use tree::{Entry, Node, Table, Value};

/// The default policy packs, as shipped in `policies/`.
pub const DEFAULT_PACKS: &[(&str, &str)] = &[
    (
        "policies/performance.toml",
        include_str!("../../policies/performance.toml"),
    ),
    (
        "policies/reviews.toml",
        include_str!("../../policies/reviews.toml"),
    ),
    (
        "policies/messages.toml",
        include_str!("../../policies/messages.toml"),
    ),
    (
        "policies/complaints.toml",
        include_str!("../../policies/complaints.toml"),
    ),
    (
        "policies/returns.toml",
        include_str!("../../policies/returns.toml"),
    ),
    (
        "policies/linkage.toml",
        include_str!("../../policies/linkage.toml"),
    ),
    (
        "policies/brushing.toml",
        include_str!("../../policies/brushing.toml"),
    ),
    (
        "policies/offers.toml",
        include_str!("../../policies/offers.toml"),
    ),
    (
        "policies/amazon.toml",
        include_str!("../../policies/amazon.toml"),
    ),
    (
        "policies/scoring.toml",
        include_str!("../../policies/scoring.toml"),
    ),
    (
        "policies/appeals.toml",
        include_str!("../../policies/appeals.toml"),
    ),
];

/// A validated rule.
#[derive(Debug)]
pub struct Rule {
    pub id: String,
    pub title: String,
    pub category: String,
    pub severity: Severity,
    pub appeal: Appeal,
    pub enabled: bool,
    pub docs: String,
    pub remediation: String,
    pub references: Vec<String>,
    pub check_kind: &'static str,
    pub check: Box<dyn Check>,
    /// file:line:column of the rule's id, for `ahr explain`.
    pub defined_at: String,
    /// Title, docs and remediation in other languages (`[rule.zh-CN]`),
    /// keyed by language tag.
    pub translations: BTreeMap<String, RuleText>,
}

impl Rule {
    /// The translations a report carries: title and remediation (the docs
    /// stay with `ahr explain`).
    pub fn report_translations(&self) -> BTreeMap<String, RuleText> {
        self.translations
            .iter()
            .map(|(lang, t)| {
                let text = RuleText {
                    title: t.title.clone(),
                    docs: String::new(),
                    remediation: t.remediation.trim().to_string(),
                };
                (lang.clone(), text)
            })
            .collect()
    }
}

/// Every rule and the score model, ready to run.
#[derive(Debug)]
pub struct PolicySet {
    /// Enabled and disabled rules, ordered by id.
    pub rules: Vec<Rule>,
    pub scoring: ScoringModel,
    /// The files read, in order.
    pub files: Vec<String>,
    /// Plan-of-Action templates by rule (`*`: the fallback).
    pub appeals: Vec<guidance::AppealTemplate>,
    /// Causes of suspension no export shows, for the seller to confirm.
    pub checklist: Vec<guidance::ChecklistItem>,
}

impl PolicySet {
    pub fn enabled(&self) -> impl Iterator<Item = &Rule> {
        self.rules.iter().filter(|r| r.enabled)
    }

    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id.eq_ignore_ascii_case(id))
    }

    /// The Plan-of-Action template for a rule, or the fallback one.
    pub fn appeal_template(&self, rule: &str) -> Option<&guidance::AppealTemplate> {
        self.appeals
            .iter()
            .find(|t| t.rule.eq_ignore_ascii_case(rule))
            .or_else(|| self.appeals.iter().find(|t| t.rule == "*"))
    }
}

/// Where the policies come from.
#[derive(Clone, Debug, Default)]
pub struct PolicySources {
    /// Leave out the compiled-in default packs.
    pub no_defaults: bool,
    /// Folders (or single files) of policy TOML, read in order.
    pub paths: Vec<PathBuf>,
}

/// The help on a policy file that is not TOML.
const SYNTAX_HELP: &str = "fix the syntax at this place; `ahr policy check` lists every problem";

/// A TOML file (policies, waivers, `account.toml`) that could not be
/// read: every problem, rendered with its place. Printed as it is, since
/// each problem carries its own `error:`.
#[derive(Debug)]
pub struct LocatedErrors(pub String);

impl std::fmt::Display for LocatedErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for LocatedErrors {}

const RULE_KEYS: &[&str] = &[
    "id",
    "title",
    "category",
    "severity",
    "appeal",
    "enabled",
    "docs",
    "remediation",
    "references",
    "check",
    "zh-CN",
];

/// The keys of a `[rule.zh-CN]` table.
const RULE_TEXT_KEYS: &[&str] = &["title", "docs", "remediation"];

const TOP_KEYS: &[&str] = &["rule", "scoring", "appeal", "checklist"];

/// Reads the policy files of `sources` from disk, in order.
pub fn read_sources(sources: &PolicySources) -> Result<Vec<(String, String)>> {
    let mut files: Vec<(String, String)> = Vec::new();
    if !sources.no_defaults {
        files.extend(
            DEFAULT_PACKS
                .iter()
                .map(|(name, text)| (format!("(built-in) {name}"), text.to_string())),
        );
    }
    for path in &sources.paths {
        for file in policy_files(path)? {
            let bytes = std::fs::read(&file)
                .with_context(|| format!("cannot read policy file {}", file.display()))?;
            if bytes.len() > tree::MAX_POLICY_BYTES {
                bail!(
                    "{}: policy file is {} bytes; the limit is {} — is this the file you meant?",
                    file.display(),
                    bytes.len(),
                    tree::MAX_POLICY_BYTES
                );
            }
            let text = String::from_utf8(bytes).map_err(|e| {
                anyhow::anyhow!(
                    "{}: policy files must be UTF-8 (invalid byte at offset {})",
                    file.display(),
                    e.utf8_error().valid_up_to()
                )
            })?;
            files.push((file.display().to_string(), text));
        }
    }
    Ok(files)
}

/// The `.toml` files of a folder in name order, or the file itself.
fn policy_files(path: &Path) -> Result<Vec<PathBuf>> {
    let meta = std::fs::metadata(path)
        .with_context(|| format!("cannot open policy path {}: check the path", path.display()))?;
    if meta.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut files = Vec::new();
    for entry in std::fs::read_dir(path)
        .with_context(|| format!("cannot list policy folder {}", path.display()))?
    {
        let entry =
            entry.with_context(|| format!("cannot list policy folder {}", path.display()))?;
        let file = entry.path();
        if file.extension().is_some_and(|e| e == "toml") && file.is_file() {
            files.push(file);
        }
    }
    files.sort();
    if files.is_empty() {
        bail!(
            "policy folder {} holds no .toml files: point --policies at a folder of rule files",
            path.display()
        );
    }
    Ok(files)
}

/// Loads and validates the policies of `sources`.
pub fn load(sources: &PolicySources) -> Result<PolicySet> {
    let files = read_sources(sources)?;
    Ok(load_texts(&files)?)
}

/// Validates policy texts given as (name, text), in override order.
pub fn load_texts(files: &[(String, String)]) -> Result<PolicySet, LocatedErrors> {
    let mut diags = Diagnostics::default();
    let mut rules: Vec<(String, Table, Loc)> = Vec::new();
    let mut scoring: Option<(Table, Loc)> = None;
    let mut appeals = Vec::new();
    let mut checklist = Vec::new();
    for (name, text) in files {
        let Some(mut root) = tree::parse(&mut diags, name, text, SYNTAX_HELP) else {
            continue;
        };
        let mut ids_here: Vec<(String, Loc)> = Vec::new();
        if let Some(entry) = root.remove("rule") {
            for table_node in rule_tables(&mut diags, entry) {
                collect_rule(&mut diags, &mut rules, &mut ids_here, table_node);
            }
        }
        if let Some(entry) = root.remove("appeal") {
            guidance::read_appeals(&mut diags, entry, &mut appeals);
        }
        if let Some(entry) = root.remove("checklist") {
            guidance::read_checklist(&mut diags, entry, &mut checklist);
        }
        if let Some(entry) = root.remove("scoring") {
            match entry.node.value {
                Value::Table(table) => match &mut scoring {
                    Some((merged, _)) => merged.overlay(table),
                    None => scoring = Some((table, entry.key_loc)),
                },
                other => diags.error(
                    entry.node.loc,
                    format!("`scoring` must be a table, found {}", other.type_name()),
                ),
            }
        }
        for entry in root.entries {
            let help = match did_you_mean(&entry.key, TOP_KEYS.iter().copied()) {
                Some(near) => format!("did you mean `{near}`?"),
                None => {
                    "a policy file holds `[[rule]]`, `[[appeal]]` and `[[checklist]]` tables and a `[scoring]` table".into()
                }
            };
            diags.error_with_help(
                entry.key_loc,
                format!("unknown top-level key `{}`", entry.key),
                help,
            );
        }
    }

    let mut built = Vec::new();
    for (id, table, id_loc) in rules {
        if let Some(rule) = build_rule(&mut diags, id, table, id_loc) {
            built.push(rule);
        }
    }
    built.sort_by(|a, b| a.id.cmp(&b.id));

    let scoring = match scoring {
        Some((table, loc)) => scoring::parse(table, loc, &mut diags),
        None => {
            diags.error_with_help(
                Loc::default(),
                "no `[scoring]` table in any policy file",
                "keep the default packs, or copy policies/scoring.toml into your folder",
            );
            None
        }
    };
    match (scoring, diags.is_empty()) {
        (Some(scoring), true) => Ok(PolicySet {
            rules: built,
            scoring,
            files: files.iter().map(|(n, _)| n.clone()).collect(),
            appeals,
            checklist,
        }),
        _ => Err(LocatedErrors(diags.render("the policies"))),
    }
}

/// The tables of a `[[rule]]` array.
fn rule_tables(diags: &mut Diagnostics, entry: Entry) -> Vec<Node> {
    match entry.node.value {
        Value::Array(items) => items,
        Value::Table(_) => {
            diags.error_with_help(
                entry.key_loc,
                "`rule` must be an array of tables",
                "write each rule under `[[rule]]` (double brackets)",
            );
            Vec::new()
        }
        other => {
            diags.error(
                entry.node.loc,
                format!(
                    "`rule` must be an array of tables, found {}",
                    other.type_name()
                ),
            );
            Vec::new()
        }
    }
}

/// Adds one `[[rule]]` table to the merged list: a new id is appended, a
/// known id overrides the earlier definition, and an id seen twice in one
/// file is an error.
fn collect_rule(
    diags: &mut Diagnostics,
    rules: &mut Vec<(String, Table, Loc)>,
    ids_here: &mut Vec<(String, Loc)>,
    node: Node,
) {
    let Value::Table(table) = node.value else {
        diags.error(
            node.loc,
            format!(
                "each `[[rule]]` must be a table, found {}",
                node.value.type_name()
            ),
        );
        return;
    };
    let Some(id_entry) = table.get("id") else {
        diags.error_with_help(
            node.loc,
            "a `[[rule]]` has no `id`",
            "add `id = \"MY-RULE\"` (upper case, dashes)",
        );
        return;
    };
    let Value::Str(id) = &id_entry.node.value else {
        diags.error(id_entry.node.loc, "`id` must be a string");
        return;
    };
    let id = id.trim().to_string();
    let id_loc = id_entry.node.loc;
    if id.is_empty()
        || !id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        diags.error_with_help(
            id_loc,
            format!("rule id `{id}` may hold only letters, digits, `-` and `_`"),
            "ids look like `PERF-ODR`",
        );
        return;
    }
    if let Some((_, first)) = ids_here
        .iter()
        .find(|(seen, _)| seen.eq_ignore_ascii_case(&id))
    {
        let first_at = diags.position(*first);
        diags.error_with_help(
            id_loc,
            format!("duplicate rule id `{id}` (first defined at {first_at})"),
            "rename one of them; to change a default rule, put the override in its own file",
        );
        return;
    }
    ids_here.push((id.clone(), id_loc));
    match rules
        .iter_mut()
        .find(|(seen, ..)| seen.eq_ignore_ascii_case(&id))
    {
        Some((_, existing, loc)) => {
            let check_of = |t: &Table| match t.get("check").map(|e| &e.node.value) {
                Some(Value::Str(s)) => Some(s.clone()),
                _ => None,
            };
            let new_check = check_of(&table);
            if new_check.is_some() && new_check != check_of(existing) {
                *existing = table;
            } else {
                existing.overlay(table);
            }
            *loc = id_loc;
        }
        None => rules.push((id, table, id_loc)),
    }
}

fn build_rule(diags: &mut Diagnostics, id: String, mut table: Table, id_loc: Loc) -> Option<Rule> {
    table.remove("id");
    let defined_at = diags.position(id_loc);
    let mut p = Params::new(table, format!("rule `{id}`"), id_loc, diags);
    let enabled = p.opt_bool("enabled").unwrap_or(true);
    let title = p.str("title", "\"What the rule finds\"");
    let category = p.str("category", "\"performance\"");
    let severity_names: Vec<&'static str> = Severity::ALL.iter().map(|s| s.as_str()).collect();
    let severity = p.choice("severity", &severity_names);
    let appeal_names: Vec<&'static str> = Appeal::ALL.iter().map(|a| a.as_str()).collect();
    let appeal = p.choice("appeal", &appeal_names);
    let docs = p.opt_str("docs").map(|(s, _)| s).unwrap_or_default();
    let remediation = p.str("remediation", "\"What the seller should do\"");
    let references = p
        .opt_str_list("references")
        .unwrap_or_default()
        .into_iter()
        .map(|(s, _)| s)
        .collect();
    let kind_names: Vec<&'static str> = checks::KINDS.iter().map(|k| k.name).collect();
    let kind = p.choice("check", &kind_names).and_then(checks::kind);
    let check = kind.and_then(|k| (k.build)(&mut p));
    let texts: Vec<(Lang, Option<(Table, Loc)>)> = Lang::TRANSLATED
        .iter()
        .map(|lang| (*lang, p.opt_table(lang.tag())))
        .collect();
    let known: Vec<&str> = RULE_KEYS
        .iter()
        .copied()
        .chain(kind.map_or(&[][..], |k| k.keys).iter().copied())
        .collect();
    p.finish(&known);
    let mut translations = BTreeMap::new();
    for (lang, table) in texts {
        let Some((table, loc)) = table else { continue };
        let mut t = Params::new(
            table,
            format!("`[rule.{}]` of `{id}`", lang.tag()),
            loc,
            diags,
        );
        let text = RuleText {
            title: t.opt_str("title").map(|(s, _)| s).unwrap_or_default(),
            docs: t.opt_str("docs").map(|(s, _)| s).unwrap_or_default(),
            remediation: t.opt_str("remediation").map(|(s, _)| s).unwrap_or_default(),
        };
        t.finish(RULE_TEXT_KEYS);
        translations.insert(lang.tag().to_string(), text);
    }
    Some(Rule {
        id,
        title: title?.0,
        category: category?.0,
        severity: severity?.parse().ok()?,
        appeal: Appeal::ALL
            .into_iter()
            .find(|a| Some(a.as_str()) == appeal)?,
        enabled,
        docs,
        remediation: remediation?.0,
        references,
        check_kind: kind?.name,
        check: check?,
        defined_at,
        translations,
    })
}

#[cfg(test)]
mod tests;
