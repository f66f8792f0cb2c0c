//! `rate`: one of Amazon's performance metrics against its target.
//!
//! Finds: a metric (order defect rate, late shipment rate, cancel rate,
//! valid tracking rate, on-time delivery rate) beyond its breach level, or
//! past its warning level. Why it matters: Amazon deactivates sellers whose
//! metrics stay beyond target. Parameters: `metric`, `window_days`,
//! `breach_above` or `breach_below`, `warn_above`/`warn_below`,
//! `min_denominator`.

use super::{Check, CheckKind, Context};
use crate::findings::{FindingStatus, Hit};
use crate::i18n::{self, MessageForm};
use crate::metrics::{Direction, METRICS, MetricSpec, MetricStatus, metric_kind};
use crate::policy::params::Params;

pub const KIND: CheckKind = CheckKind {
    name: "rate",
    summary: "a performance metric (numerator / denominator over a window) against its target",
    keys: &[
        "metric",
        "window_days",
        "breach_above",
        "breach_below",
        "warn_above",
        "warn_below",
        "min_denominator",
    ],
    build,
};

#[derive(Debug)]
struct RateCheck {
    spec: MetricSpec,
}

fn build(p: &mut Params<'_>) -> Option<Box<dyn Check>> {
    let ids: Vec<&'static str> = METRICS.iter().map(|(id, ..)| *id).collect();
    let metric = p.choice("metric", &ids);
    let window_days = p.int("window_days", 1, 3650, "60");
    let breach_above = p.opt_decimal("breach_above", 0.0, 1.0);
    let breach_below = p.opt_decimal("breach_below", 0.0, 1.0);
    let warn_above = p.opt_decimal("warn_above", 0.0, 1.0);
    let warn_below = p.opt_decimal("warn_below", 0.0, 1.0);
    let min_denominator = p.opt_int("min_denominator", 0, i64::MAX).unwrap_or(1);
    let owner = p.owner.clone();
    let owner_loc = p.owner_loc;
    let (direction, breach, warn) = match (breach_above, breach_below) {
        (Some((b, _)), None) => {
            if let Some((_, loc)) = warn_below {
                p.diags.error(
                    loc,
                    format!(
                        "{owner} breaches above its target, so its warning level is `warn_above`"
                    ),
                );
            }
            (Direction::Above, b, warn_above)
        }
        (None, Some((b, _))) => {
            if let Some((_, loc)) = warn_above {
                p.diags.error(
                    loc,
                    format!(
                        "{owner} breaches below its target, so its warning level is `warn_below`"
                    ),
                );
            }
            (Direction::Below, b, warn_below)
        }
        (Some(_), Some((_, loc))) => {
            p.diags.error(
                loc,
                format!("{owner} has both `breach_above` and `breach_below`; keep one"),
            );
            return None;
        }
        (None, None) => {
            if !p.failed() {
                p.diags.error_with_help(
                    owner_loc,
                    format!("{owner} has no `breach_above` or `breach_below`"),
                    "rates that must stay low take `breach_above = 0.01`; rates that must stay high take `breach_below = 0.95`",
                );
            }
            return None;
        }
    };
    if let Some((w, loc)) = warn {
        let wrong_side = match direction {
            Direction::Above => w > breach,
            Direction::Below => w < breach,
        };
        if wrong_side {
            p.diags.error(
                loc,
                format!("{owner}'s warning level {w} is past its breach level {breach}; a warning must come before the breach"),
            );
        }
    }
    let metric = metric?;
    Some(Box::new(RateCheck {
        spec: MetricSpec {
            id: metric.to_string(),
            kind: metric_kind(metric)?,
            window_days: window_days? as u32,
            direction,
            breach,
            warn: warn.map(|(w, _)| w),
            min_denominator: min_denominator as u64,
        },
    }))
}

fn percent(value: f64) -> String {
    let pct = value * 100.0;
    let text = format!("{pct:.2}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    format!("{text}%")
}

impl Check for RateCheck {
    fn metric(&self) -> Option<&MetricSpec> {
        Some(&self.spec)
    }

    fn reach_days(&self) -> u32 {
        self.spec.window_days
    }

    fn run(&self, ctx: &Context<'_>) -> Option<Hit> {
        let result = ctx.metrics.get(&self.spec.id)?;
        let status = match result.status {
            MetricStatus::Breach => FindingStatus::Breach,
            MetricStatus::Warning => FindingStatus::Warning,
            MetricStatus::Ok | MetricStatus::InsufficientData => return None,
        };
        let (num, den, value) = (result.numerator?, result.denominator?, result.value?);
        let (direction, level_kind) = match self.spec.direction {
            Direction::Above => ("above", status.as_str()),
            Direction::Below => ("below", status.as_str()),
        };
        let (side, level) = match (self.spec.direction, status) {
            (Direction::Above, FindingStatus::Breach) => {
                ("above the breach level", self.spec.breach)
            }
            (Direction::Below, FindingStatus::Breach) => {
                ("below the breach level", self.spec.breach)
            }
            (Direction::Above, FindingStatus::Warning) => {
                ("above the warning level", self.spec.warn?)
            }
            (Direction::Below, FindingStatus::Warning) => {
                ("below the warning level", self.spec.warn?)
            }
        };
        let headroom = result.headroom.unwrap_or(0);
        let tail = if headroom < 0 {
            let over = headroom.unsigned_abs();
            format!(
                "{} over the limit",
                i18n::plural(over, "bad order", "bad orders")
            )
        } else {
            let more = headroom.unsigned_abs();
            format!(
                "{} until the breach",
                i18n::plural(more, "more bad order", "more bad orders")
            )
        };
        Some(Hit {
            status,
            message: format!(
                "{} is {} ({num} of {den} orders, {} to {}), {side} {}; {tail}",
                self.spec.id,
                percent(value),
                result.window.from,
                result.window.to,
                percent(level.to_f64()),
            ),
            occurrences: 1,
            evidence: result.evidence.clone(),
            severity: None,
            form: Some(MessageForm::new(
                "rate",
                &[
                    ("metric", self.spec.id.clone()),
                    ("value", percent(value)),
                    ("numerator", num.to_string()),
                    ("denominator", den.to_string()),
                    ("from", result.window.from.to_string()),
                    ("to", result.window.to.to_string()),
                    ("direction", direction.into()),
                    ("level", level_kind.into()),
                    ("threshold", percent(level.to_f64())),
                    ("headroom", headroom.to_string()),
                ],
            )),
        })
    }

    fn parameters(&self) -> Vec<(String, String)> {
        let mut out = vec![
            ("metric".into(), self.spec.id.clone()),
            ("window_days".into(), self.spec.window_days.to_string()),
        ];
        let (breach_key, warn_key) = match self.spec.direction {
            Direction::Above => ("breach_above", "warn_above"),
            Direction::Below => ("breach_below", "warn_below"),
        };
        out.push((breach_key.into(), self.spec.breach.to_string()));
        if let Some(w) = self.spec.warn {
            out.push((warn_key.into(), w.to_string()));
        }
        out.push((
            "min_denominator".into(),
            self.spec.min_denominator.to_string(),
        ));
        out
    }
}
