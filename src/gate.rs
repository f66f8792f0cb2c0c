//! The exit gate: whether a report passes `--fail-under` and `--fail-on`,
//! decided once, from the report alone, whatever the output format. A single
//! audit and every account of a batch use the same rule.

use crate::findings::{FindingStatus, Severity};
use crate::report::Report;

/// Why `report` fails the gate; empty when it passes. A score below
/// `fail_under` fails; so does a breach (not a warning) at or above
/// `fail_on`.
pub fn reasons(report: &Report, fail_under: Option<i64>, fail_on: Option<Severity>) -> Vec<String> {
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
