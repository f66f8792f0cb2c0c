//! Looking ahead from as-of: when today's bad orders leave each window (the
//! roll-off date), and where each rate lands over a peak season of higher
//! volume, with how many more bad orders it can take before it breaches.
//!
//! Both replay the metric definitions of `metrics` with the window moved
//! forward, counting only what the exports knew on as-of ("if nothing new
//! happens"); the peak projection adds the orders the assumptions predict.

use crate::input::Account;
use crate::metrics::{self, DefectIndex, Direction, MetricKind, MetricSpec, MetricStatus, judge};
use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

/// What the seller expects of the coming days.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PeakAssumptions {
    /// Orders per day relative to the current window's pace (3 = three times).
    pub multiplier: f64,
    /// How many days the peak lasts, from the day after as-of.
    pub days: u32,
    /// Share of new orders that go bad (late, defective, cancelled, …);
    /// `None` keeps each metric's current share.
    pub bad_rate: Option<f64>,
}

/// The first day after as-of on which a metric beyond its target is back
/// on target, if orders keep coming at the window's current pace and none
/// of them goes bad: the day today's bad orders have rolled off far enough.
/// `None` when it does not recover within one window length.
pub fn clears_on(
    account: &Account,
    spec: &MetricSpec,
    as_of: NaiveDate,
    defects: &DefectIndex<'_>,
) -> Option<NaiveDate> {
    let pace = Pace::current(account, spec, as_of, defects, 1.0, Some(0.0))?;
    (1..=spec.window_days).find_map(|d| {
        let step = pace.step(account, spec, as_of, defects, d)?;
        (step.status == MetricStatus::Ok).then_some(step.day)
    })
}

/// The rate of new orders, and of bad ones among them, a projection assumes.
struct Pace {
    per_day: f64,
    bad_rate: f64,
}

/// One projected day: what the exports knew, plus the assumed new orders.
struct Step {
    day: NaiveDate,
    known_numerator: u64,
    new_orders: u64,
    numerator: u64,
    denominator: u64,
    status: MetricStatus,
}

impl Pace {
    /// The window's current pace times `multiplier`; `bad_rate` defaults to
    /// the metric's current share of bad orders.
    fn current(
        account: &Account,
        spec: &MetricSpec,
        as_of: NaiveDate,
        defects: &DefectIndex<'_>,
        multiplier: f64,
        bad_rate: Option<f64>,
    ) -> Option<Pace> {
        let now = metrics::compute(account, spec, as_of, defects);
        let (num, den) = (now.numerator?, now.denominator?);
        if den == 0 {
            return None;
        }
        let bad_now = match spec.direction {
            Direction::Above => num,
            Direction::Below => den - num,
        };
        Some(Pace {
            per_day: den as f64 / f64::from(spec.window_days.max(1)) * multiplier,
            bad_rate: bad_rate.unwrap_or(bad_now as f64 / den as f64),
        })
    }

    /// The metric `d` days after as-of.
    fn step(
        &self,
        account: &Account,
        spec: &MetricSpec,
        as_of: NaiveDate,
        defects: &DefectIndex<'_>,
        d: u32,
    ) -> Option<Step> {
        let day = as_of.checked_add_days(Days::new(u64::from(d)))?;
        let known = metrics::compute_seen(account, spec, day, Some(as_of), defects);
        let known_num = known.numerator.unwrap_or(0);
        let known_den = known.denominator.unwrap_or(0);
        let new_orders = (self.per_day * f64::from(d.min(spec.window_days))).round() as u64;
        let new_bad = ((new_orders as f64 * self.bad_rate).round() as u64).min(new_orders);
        let (numerator, denominator) = match spec.direction {
            Direction::Above => (known_num + new_bad, known_den + new_orders),
            Direction::Below => (known_num + new_orders - new_bad, known_den + new_orders),
        };
        let status = if denominator == 0 || denominator < spec.min_denominator {
            MetricStatus::InsufficientData
        } else {
            judge(spec, numerator, denominator)
        };
        Some(Step {
            day,
            known_numerator: known_num,
            new_orders,
            numerator,
            denominator,
            status,
        })
    }
}

/// The peak-season outlook for every metric.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Forecast {
    pub multiplier: f64,
    pub days: u32,
    pub from: NaiveDate,
    pub to: NaiveDate,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assumed_bad_rate: Option<f64>,
    pub metrics: Vec<Projection>,
    /// The metric that breaches first under the assumptions, and when.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_breach: Option<FirstBreach>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FirstBreach {
    pub metric: String,
    pub date: NaiveDate,
}

/// Where one metric lands at the end of the peak.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Projection {
    pub metric: String,
    /// Projected numerator and denominator on the last day of the peak.
    pub numerator: u64,
    pub denominator: u64,
    pub value: f64,
    pub status: MetricStatus,
    /// The first day the projection is in breach.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub breaches_on: Option<NaiveDate>,
    /// Projected new orders in the window on the last day of the peak.
    pub new_orders: u64,
    /// Bad orders among the new ones the metric can take before it
    /// breaches (negative: it breaches even with none).
    pub more_allowed: i64,
    /// The outlook in one plain sentence.
    pub summary: String,
    /// The sentence as a key and its numbers, for other languages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub form: Option<crate::i18n::MessageForm>,
}

/// What one bad order is called, per metric.
fn noun(kind: MetricKind) -> (&'static str, &'static str) {
    match kind {
        MetricKind::OrderDefects(_) => ("defective order", "defective orders"),
        MetricKind::LateShipment => ("late shipment", "late shipments"),
        MetricKind::PreFulfillmentCancel => ("cancellation", "cancellations"),
        MetricKind::ValidTracking => (
            "shipment without valid tracking",
            "shipments without valid tracking",
        ),
        MetricKind::OnTimeDelivery => ("late delivery", "late deliveries"),
    }
}

/// Projects every metric over the peak described by `peak`.
pub fn project(
    account: &Account,
    specs: &[MetricSpec],
    as_of: NaiveDate,
    defects: &DefectIndex<'_>,
    peak: PeakAssumptions,
) -> Forecast {
    let from = as_of.succ_opt().unwrap_or(as_of);
    let to = as_of
        .checked_add_days(Days::new(u64::from(peak.days)))
        .unwrap_or(as_of);
    let mut projections: Vec<Projection> = specs
        .iter()
        .filter_map(|spec| project_one(account, spec, as_of, defects, peak))
        .collect();
    projections.sort_by_key(|p| specs.iter().position(|s| s.id == p.metric));
    let first_breach = projections
        .iter()
        .filter_map(|p| p.breaches_on.map(|date| (date, p)))
        .min_by_key(|(date, _)| *date)
        .map(|(date, p)| FirstBreach {
            metric: p.metric.clone(),
            date,
        });
    Forecast {
        multiplier: peak.multiplier,
        days: peak.days,
        from,
        to,
        assumed_bad_rate: peak.bad_rate,
        metrics: projections,
        first_breach,
    }
}

fn project_one(
    account: &Account,
    spec: &MetricSpec,
    as_of: NaiveDate,
    defects: &DefectIndex<'_>,
    peak: PeakAssumptions,
) -> Option<Projection> {
    let pace = Pace::current(
        account,
        spec,
        as_of,
        defects,
        peak.multiplier,
        peak.bad_rate,
    )?;
    let mut breaches_on = None;
    let mut last = None;
    for d in 1..=peak.days {
        let step = pace.step(account, spec, as_of, defects, d)?;
        if step.status == MetricStatus::Breach && breaches_on.is_none() {
            breaches_on = Some(step.day);
        }
        last = Some(step);
    }
    let last = last?;
    // Bad orders the window holds on the last day before it breaches, less
    // those the exports already put in it.
    let known = i128::from(last.known_numerator);
    let more_allowed = match spec.direction {
        Direction::Above => spec.breach.floor_mul(last.denominator) - known,
        Direction::Below => {
            known + i128::from(last.new_orders) - spec.breach.ceil_mul(last.denominator)
        }
    }
    .clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64;
    let (one, many) = noun(spec.kind);
    let mut summary = if more_allowed < 0 {
        format!(
            "{} stays beyond its target through the peak even with no more {many}",
            spec.id
        )
    } else {
        let n = more_allowed + 1;
        format!(
            "{n} more {} in the next {} days {} {} (about {} new orders at {}× volume)",
            if n == 1 { one } else { many },
            peak.days,
            if n == 1 { "breaches" } else { "breach" },
            spec.id,
            last.new_orders,
            peak.multiplier
        )
    };
    if let Some(day) = breaches_on {
        let share = match peak.bad_rate {
            Some(rate) => format!("{}%", rate * 100.0),
            None => "the current share".to_string(),
        };
        summary.push_str(&format!(
            "; with {share} of {many} it is in breach on {day}"
        ));
    }
    let kind = match spec.kind {
        MetricKind::OrderDefects(_) => "defects",
        MetricKind::LateShipment => "late_shipments",
        MetricKind::PreFulfillmentCancel => "cancellations",
        MetricKind::ValidTracking => "invalid_tracking",
        MetricKind::OnTimeDelivery => "late_deliveries",
    };
    let mut args = vec![
        ("metric", spec.id.clone()),
        ("kind", kind.to_string()),
        ("more_allowed", more_allowed.to_string()),
        ("days", peak.days.to_string()),
        ("multiplier", peak.multiplier.to_string()),
        ("new_orders", last.new_orders.to_string()),
    ];
    if let Some(day) = breaches_on {
        args.push(("breaches_on", day.to_string()));
    }
    if let Some(rate) = peak.bad_rate {
        args.push(("assumed_rate", (rate * 100.0).to_string()));
    }
    let form = Some(crate::i18n::MessageForm::new("forecast", &args));
    Some(Projection {
        metric: spec.id.clone(),
        numerator: last.numerator,
        denominator: last.denominator,
        value: (last.numerator as f64 / last.denominator.max(1) as f64 * 1e6).round() / 1e6,
        status: last.status,
        breaches_on,
        new_orders: last.new_orders,
        more_allowed,
        summary,
        form,
    })
}

#[cfg(test)]
mod tests;
