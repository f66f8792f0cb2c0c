//! The AHR-style score: start, volume credit, one line per breached rule,
//! the critical cap and the clamp, every number from the policies' scoring
//! model. The breakdown always sums to the score.

use crate::exact::Decimal;
use crate::findings::{Finding, FindingStatus, Severity};
use crate::i18n::MessageForm;
use crate::policy::scoring::ScoringModel;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Score {
    pub value: i64,
    pub band: String,
    pub breakdown: Vec<Line>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Line {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    pub label: String,
    pub points: i64,
    /// The label as a key and its numbers, so a report in another language
    /// can write its own; rule lines use the rule's title instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub form: Option<MessageForm>,
}

/// Points a breach of `severity` costs with `occurrences` distinct events:
/// severity points × (1 + step × (occurrences − 1)), capped, rounded.
pub fn breach_points(model: &ScoringModel, severity: Severity, occurrences: u64) -> i64 {
    let repeats = i64::try_from(occurrences.saturating_sub(1)).unwrap_or(i64::MAX / 2);
    let multiplier = Decimal::from_int(1)
        .plus(model.repeat_step.mul_int(repeats.min(1_000_000)))
        .min(model.repeat_max);
    multiplier.round_mul(model.severity_points.of(severity))
}

/// Volume credit for `orders` non-cancelled orders in the volume window.
pub fn volume_points(model: &ScoringModel, orders: u64) -> i64 {
    let steps = orders / model.volume_per_orders;
    i64::try_from(steps)
        .unwrap_or(i64::MAX)
        .saturating_mul(model.volume_points)
}

/// Scores an account from its findings (whose `points` are already set).
pub fn score(model: &ScoringModel, volume_orders: Option<u64>, findings: &[Finding]) -> Score {
    let mut breakdown = vec![Line {
        rule: None,
        label: "start".into(),
        points: model.start,
        form: Some(MessageForm::new("score_start", &[])),
    }];
    let volume = volume_orders.map_or(0, |n| volume_points(model, n));
    breakdown.push(Line {
        rule: None,
        label: match volume_orders {
            Some(n) => format!(
                "volume: {n} orders in {} days, {} points per {}",
                model.volume_window_days, model.volume_points, model.volume_per_orders
            ),
            None => "volume: no orders file".into(),
        },
        points: volume,
        form: Some(match volume_orders {
            Some(n) => MessageForm::new(
                "score_volume",
                &[
                    ("orders", n.to_string()),
                    ("days", model.volume_window_days.to_string()),
                    ("points", model.volume_points.to_string()),
                    ("per", model.volume_per_orders.to_string()),
                ],
            ),
            None => MessageForm::new("score_no_orders", &[]),
        }),
    });
    for finding in findings
        .iter()
        .filter(|f| f.status == FindingStatus::Breach)
    {
        breakdown.push(Line {
            rule: Some(finding.rule.clone()),
            label: finding.title.clone(),
            points: finding.points,
            form: None,
        });
    }
    let mut total: i64 = breakdown.iter().map(|l| l.points).sum();
    let critical = findings
        .iter()
        .any(|f| f.status == FindingStatus::Breach && f.severity == Severity::Critical);
    if critical && total > model.critical_cap {
        breakdown.push(Line {
            rule: None,
            label: format!("a critical breach caps the score at {}", model.critical_cap),
            points: model.critical_cap - total,
            form: Some(MessageForm::new(
                "score_cap",
                &[("cap", model.critical_cap.to_string())],
            )),
        });
        total = model.critical_cap;
    }
    let clamped = total.clamp(model.min, model.max);
    if clamped != total {
        breakdown.push(Line {
            rule: None,
            label: format!("the score stays within {}–{}", model.min, model.max),
            points: clamped - total,
            form: Some(MessageForm::new(
                "score_clamp",
                &[
                    ("min", model.min.to_string()),
                    ("max", model.max.to_string()),
                ],
            )),
        });
    }
    Score {
        value: clamped,
        band: model.band(clamped).to_string(),
        breakdown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::Appeal;
    use crate::policy;

    fn model() -> ScoringModel {
        let files: Vec<(String, String)> = policy::DEFAULT_PACKS
            .iter()
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect();
        policy::load_texts(&files).unwrap().scoring
    }

    fn finding(rule: &str, severity: Severity, status: FindingStatus, occurrences: u64) -> Finding {
        let model = model();
        Finding {
            rule: rule.into(),
            title: rule.into(),
            category: "test".into(),
            severity,
            status,
            points: if status == FindingStatus::Breach {
                -breach_points(&model, severity, occurrences)
            } else {
                0
            },
            occurrences,
            message: String::new(),
            appeal: Appeal::Appealable,
            remediation: String::new(),
            references: vec![],
            evidence: vec![],
            evidence_total: 0,
            message_form: None,
        }
    }

    #[test]
    fn repeats_weigh_more_up_to_three_times() {
        let m = model();
        assert_eq!(breach_points(&m, Severity::Medium, 1), 40);
        assert_eq!(breach_points(&m, Severity::Medium, 2), 60);
        assert_eq!(breach_points(&m, Severity::Low, 2), 15);
        assert_eq!(breach_points(&m, Severity::High, 5), 300);
        assert_eq!(breach_points(&m, Severity::High, 500), 300);
        assert_eq!(breach_points(&m, Severity::Critical, 0), 250);
    }

    #[test]
    fn volume_counts_full_blocks_of_orders() {
        let m = model();
        assert_eq!(volume_points(&m, 199), 0);
        assert_eq!(volume_points(&m, 200), 4);
        assert_eq!(volume_points(&m, 7_650), 152);
    }

    #[test]
    fn breakdown_sums_to_the_score() {
        let m = model();
        let findings = vec![
            finding("PERF-LSR-10", Severity::Medium, FindingStatus::Breach, 1),
            finding("PERF-ODR", Severity::High, FindingStatus::Warning, 1),
        ];
        let s = score(&m, Some(7_650), &findings);
        assert_eq!(s.value, 200 + 152 - 40);
        assert_eq!(s.band, "healthy");
        assert_eq!(s.breakdown.iter().map(|l| l.points).sum::<i64>(), s.value);
        assert_eq!(
            s.breakdown.len(),
            3,
            "warnings subtract nothing and are not listed"
        );
    }

    #[test]
    fn a_critical_breach_caps_at_99() {
        let m = model();
        let findings = vec![finding(
            "REV-INCENTIVE",
            Severity::Critical,
            FindingStatus::Breach,
            1,
        )];
        let s = score(&m, Some(40_000), &findings);
        assert_eq!(s.value, 99);
        assert_eq!(s.band, "critical");
        assert_eq!(s.breakdown.iter().map(|l| l.points).sum::<i64>(), 99);
    }

    #[test]
    fn clamps_at_zero() {
        let m = model();
        let findings = vec![
            finding("A", Severity::Critical, FindingStatus::Breach, 3),
            finding("B", Severity::High, FindingStatus::Breach, 1),
        ];
        let s = score(&m, None, &findings);
        assert_eq!(s.value, 0);
        assert_eq!(s.breakdown.iter().map(|l| l.points).sum::<i64>(), 0);
        assert_eq!(m.band(150), "at_risk");
    }
}
