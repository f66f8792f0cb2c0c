//! Findings: what a check reports about an account. Findings are values,
//! never errors; `anyhow` errors mean only that the tool could not run.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Amazon's four severities, ordered from least to most severe.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 4] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Severity::ALL
            .into_iter()
            .find(|sev| sev.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| format!("expected one of critical, high, medium, low; found `{s}`"))
    }
}

/// How hard a finding is to appeal once Amazon acts on it (DOMAIN.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Appeal {
    #[serde(rename = "appealable")]
    Appealable,
    #[serde(rename = "hard")]
    Hard,
    #[serde(rename = "not-appealable")]
    NotAppealable,
}

impl Appeal {
    pub const ALL: [Appeal; 3] = [Appeal::Appealable, Appeal::Hard, Appeal::NotAppealable];

    pub fn as_str(self) -> &'static str {
        match self {
            Appeal::Appealable => "appealable",
            Appeal::Hard => "hard",
            Appeal::NotAppealable => "not-appealable",
        }
    }
}

/// A triggered rule is either over its limit or close to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingStatus {
    Warning,
    Breach,
}

impl FindingStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            FindingStatus::Warning => "warning",
            FindingStatus::Breach => "breach",
        }
    }
}

/// One piece of evidence: where in which export the problem can be seen.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Evidence {
    pub file: String,
    /// 1-based line of the record in its file (the header is line 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// What the evidence is about: an order id, a message id, an ASIN.
    pub key: String,
    pub excerpt: String,
}

/// What one check found, before the rule's metadata and score points are
/// attached by the audit.
#[derive(Clone, Debug, PartialEq)]
pub struct Hit {
    pub status: FindingStatus,
    pub message: String,
    /// Distinct events (complaints, messages, orders) behind the finding; a
    /// metric beyond its target is one event.
    pub occurrences: u64,
    pub evidence: Vec<Evidence>,
    /// Set when a check raises or lowers the rule's severity for this case.
    pub severity: Option<Severity>,
    /// The message as key and arguments, for renderers in other languages.
    pub form: Option<crate::i18n::MessageForm>,
}

/// A rule that fired, with everything a reader needs to act on it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub rule: String,
    pub title: String,
    pub category: String,
    pub severity: Severity,
    pub status: FindingStatus,
    pub points: i64,
    pub occurrences: u64,
    pub message: String,
    pub appeal: Appeal,
    pub remediation: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<String>,
    pub evidence: Vec<Evidence>,
    pub evidence_total: usize,
    /// `message` as key and arguments, so `ahr render --lang` can write it
    /// in another language; absent for check kinds that have none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_form: Option<crate::i18n::MessageForm>,
}
