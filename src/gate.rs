//! The exit gate: whether a report passes `--fail-under` and `--fail-on`,
//! decided once, from the report alone, whatever the output format. A single
//! audit and every account of a batch use the same rule.

use crate::findings::{FindingStatus, Severity};
use crate::report::Report;
use serde::{Deserialize, Serialize};

/// The gate a run was asked for and how the report fared, kept in the
/// report so a JUnit file, a SARIF log or a saved JSON report says what
/// the exit code said.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Gate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fail_under: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fail_on: Option<Severity>,
    pub passed: bool,
    /// Why it failed; empty when it passed.
    pub reasons: Vec<String>,
}

impl Gate {
    /// The options as a user wrote them: `--fail-under 250 --fail-on high`.
    pub fn options(&self) -> String {
        let mut parts = Vec::new();
        if let Some(limit) = self.fail_under {
            parts.push(format!("--fail-under {limit}"));
        }
        if let Some(level) = self.fail_on {
            parts.push(format!("--fail-on {level}"));
        }
        parts.join(" ")
    }
}

/// The gate `report` meets with these options; `None` when neither was
/// given, so a report without a gate stays as it was.
pub fn judge(report: &Report, fail_under: Option<i64>, fail_on: Option<Severity>) -> Option<Gate> {
    if fail_under.is_none() && fail_on.is_none() {
        return None;
    }
    let reasons = reasons(report, fail_under, fail_on);
    Some(Gate {
        fail_under,
        fail_on,
        passed: reasons.is_empty(),
        reasons,
    })
}

/// Why `report` fails the gate; empty when it passes. A score below
/// `fail_under` fails; so does a breach (not a warning) at or above
/// `fail_on`.
fn reasons(report: &Report, fail_under: Option<i64>, fail_on: Option<Severity>) -> Vec<String> {
    let mut reasons = Vec::new();
    if let Some(limit) = fail_under
        && report.score.value < limit
    {
        reasons.push(format!(
            "score {} is below --fail-under {limit}",
            report.score.value
        ));
    }
    if let Some(level) = fail_on {
        let hits: Vec<&str> = report
            .findings
            .iter()
            .filter(|f| f.status == FindingStatus::Breach && f.severity >= level)
            .map(|f| f.rule.as_str())
            .collect();
        if !hits.is_empty() {
            reasons.push(format!(
                "{} at or above --fail-on {level}: {}",
                if hits.len() == 1 {
                    "a breach"
                } else {
                    "breaches"
                },
                hits.join(", ")
            ));
        }
    }
    reasons
}
