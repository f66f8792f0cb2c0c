//! What the policies say beyond the rules: Plan-of-Action templates per rule
//! (`[[appeal]]`) and the questions no export can answer (`[[checklist]]`).
//! Both are prose a policy author maintains, so they live in TOML, and a
//! later file replaces an entry of the same rule or topic. Each entry may
//! carry its texts in another language in a sub-table (`[appeal.zh-CN]`,
//! `[checklist.zh-CN]`).

use super::diagnostics::Diagnostics;
use super::params::Params;
use super::tree::{Entry, Value};
use crate::i18n::Lang;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

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
    /// The same lists in other languages, keyed by language tag; an empty
    /// list there means "use English".
    pub translations: BTreeMap<String, AppealText>,
}

/// An appeal template's lists in one language.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AppealText {
    pub root_cause_questions: Vec<String>,
    pub corrective_actions: Vec<String>,
    pub preventive_measures: Vec<String>,
    pub documents: Vec<String>,
}

impl AppealTemplate {
    /// The template's lists in `lang`, each list falling back to English.
    pub fn in_lang(&self, lang: Lang) -> AppealText {
        let local = lang.pick(&self.translations);
        let choose =
            |english: &Vec<String>, pick: fn(&AppealText) -> &Vec<String>| match local.map(pick) {
                Some(list) if !list.is_empty() => list.clone(),
                _ => english.clone(),
            };
        AppealText {
            root_cause_questions: choose(&self.root_cause_questions, |t| &t.root_cause_questions),
            corrective_actions: choose(&self.corrective_actions, |t| &t.corrective_actions),
            preventive_measures: choose(&self.preventive_measures, |t| &t.preventive_measures),
            documents: choose(&self.documents, |t| &t.documents),
        }
    }
}

/// A cause of suspension the exports cannot show.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChecklistItem {
    pub topic: String,
    pub question: String,
    /// Topic and question in other languages, keyed by language tag.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub translations: BTreeMap<String, ChecklistText>,
}

/// A checklist item's texts in one language.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChecklistText {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub topic: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub question: String,
}

impl ChecklistItem {
    /// Topic and question in `lang`, each falling back to English.
    pub fn in_lang(&self, lang: Lang) -> (&str, &str) {
        let local = lang.pick(&self.translations);
        (
            crate::i18n::or_english(local.map(|t| t.topic.as_str()), &self.topic),
            crate::i18n::or_english(local.map(|t| t.question.as_str()), &self.question),
        )
    }
}

const APPEAL_KEYS: &[&str] = &[
    "rule",
    "root_cause_questions",
    "corrective_actions",
    "preventive_measures",
    "documents",
    "zh-CN",
];

const APPEAL_TEXT_KEYS: &[&str] = &[
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
        let mut template = AppealTemplate {
            rule: rule.clone().unwrap_or_default(),
            root_cause_questions: list(&mut p, "root_cause_questions"),
            corrective_actions: list(&mut p, "corrective_actions"),
            preventive_measures: list(&mut p, "preventive_measures"),
            documents: list(&mut p, "documents"),
            translations: BTreeMap::new(),
        };
        let texts: Vec<_> = Lang::TRANSLATED
            .iter()
            .map(|lang| (*lang, p.opt_table(lang.tag())))
            .collect();
        p.finish(APPEAL_KEYS);
        for (lang, table) in texts {
            let Some((table, loc)) = table else { continue };
            let owner = format!("`[appeal.{}]` of `{}`", lang.tag(), template.rule);
            let mut t = Params::new(table, owner, loc, diags);
            let text = AppealText {
                root_cause_questions: list(&mut t, "root_cause_questions"),
                corrective_actions: list(&mut t, "corrective_actions"),
                preventive_measures: list(&mut t, "preventive_measures"),
                documents: list(&mut t, "documents"),
            };
            t.finish(APPEAL_TEXT_KEYS);
            template.translations.insert(lang.tag().to_string(), text);
        }
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
        let texts: Vec<_> = Lang::TRANSLATED
            .iter()
            .map(|lang| (*lang, p.opt_table(lang.tag())))
            .collect();
        p.finish(&["topic", "question", "zh-CN"]);
        let mut translations = BTreeMap::new();
        for (lang, table) in texts {
            let Some((table, loc)) = table else { continue };
            let owner = format!("a `[checklist.{}]` item", lang.tag());
            let mut t = Params::new(table, owner, loc, diags);
            let text = ChecklistText {
                topic: t.opt_str("topic").map(|(s, _)| s).unwrap_or_default(),
                question: t.opt_str("question").map(|(s, _)| s).unwrap_or_default(),
            };
            t.finish(&["topic", "question"]);
            translations.insert(lang.tag().to_string(), text);
        }
        let (Some((topic, _)), Some((question, _))) = (topic, question) else {
            continue;
        };
        match out.iter_mut().find(|i| i.topic == topic) {
            Some(slot) => {
                slot.question = question;
                slot.translations = translations;
            }
            None => out.push(ChecklistItem {
                topic,
                question,
                translations,
            }),
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
