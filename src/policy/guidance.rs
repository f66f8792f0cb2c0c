//! What the policies say beyond the rules: Plan-of-Action templates per rule
//! (`[[appeal]]`) and the questions no export can answer (`[[checklist]]`).
//! Both are prose a policy author maintains, so they live in TOML, and a
//! later file replaces an entry of the same rule or topic.

use super::diagnostics::Diagnostics;
use super::params::Params;
use super::tree::{Entry, Value};
use serde::{Deserialize, Serialize};

/// How to argue an appeal for one rule. Actions are written in the past
/// tense, for the seller to confirm; nothing here is a fact about the
/// account.
#[derive(Clone, Debug, PartialEq)]
pub struct AppealTemplate {
    /// The rule id, or `*` for the template used when a rule has none.
    pub rule: String,
    /// Questions that lead the seller to the root cause the data cannot show.
    pub root_cause_questions: Vec<String>,
    pub corrective_actions: Vec<String>,
    pub preventive_measures: Vec<String>,
    /// Documents to attach (invoices, authorisations, …).
    pub documents: Vec<String>,
}

/// A cause of suspension the exports cannot show.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChecklistItem {
    pub topic: String,
    pub question: String,
}

const APPEAL_KEYS: &[&str] = &[
    "rule",
    "root_cause_questions",
    "corrective_actions",
    "preventive_measures",
    "documents",
];

fn list(p: &mut Params<'_>, key: &str) -> Vec<String> {
    p.opt_str_list(key)
        .unwrap_or_default()
        .into_iter()
        .map(|(s, _)| s.trim().to_string())
        .collect()
}

/// Reads a file's `[[appeal]]` array into `out`, replacing templates of the
/// same rule.
pub fn read_appeals(diags: &mut Diagnostics, entry: Entry, out: &mut Vec<AppealTemplate>) {
    for node in tables(diags, entry, "appeal") {
        let (table, loc) = node;
        let mut p = Params::new(table, "an `[[appeal]]`".into(), loc, diags);
        let rule = p
            .str("rule", "\"PERF-ODR\"")
            .map(|(s, _)| s.trim().to_string());
        let template = AppealTemplate {
            rule: rule.clone().unwrap_or_default(),
            root_cause_questions: list(&mut p, "root_cause_questions"),
            corrective_actions: list(&mut p, "corrective_actions"),
            preventive_measures: list(&mut p, "preventive_measures"),
            documents: list(&mut p, "documents"),
        };
        p.finish(APPEAL_KEYS);
        if rule.is_none() {
            continue;
        }
        match out
            .iter_mut()
            .find(|t| t.rule.eq_ignore_ascii_case(&template.rule))
        {
            Some(slot) => *slot = template,
            None => out.push(template),
        }
    }
}

/// Reads a file's `[[checklist]]` array into `out`, replacing items of the
/// same topic.
pub fn read_checklist(diags: &mut Diagnostics, entry: Entry, out: &mut Vec<ChecklistItem>) {
    for (table, loc) in tables(diags, entry, "checklist") {
        let mut p = Params::new(table, "a `[[checklist]]` item".into(), loc, diags);
        let topic = p.str("topic", "\"KYC\"");
        let question = p.str("question", "\"Is your identity verification complete?\"");
        p.finish(&["topic", "question"]);
        let (Some((topic, _)), Some((question, _))) = (topic, question) else {
            continue;
        };
        match out.iter_mut().find(|i| i.topic == topic) {
            Some(slot) => slot.question = question,
            None => out.push(ChecklistItem { topic, question }),
        }
    }
}

fn tables(
    diags: &mut Diagnostics,
    entry: Entry,
    key: &str,
) -> Vec<(super::tree::Table, super::diagnostics::Loc)> {
    let Value::Array(items) = entry.node.value else {
        diags.error_with_help(
            entry.key_loc,
            format!("`{key}` must be an array of tables"),
            format!("write each entry under `[[{key}]]` (double brackets)"),
        );
        return Vec::new();
    };
    let mut out = Vec::new();
    for item in items {
        match item.value {
            Value::Table(t) => out.push((t, item.loc)),
            other => diags.error(
                item.loc,
                format!(
                    "each `[[{key}]]` must be a table, found {}",
                    other.type_name()
                ),
            ),
        }
    }
    out
}
