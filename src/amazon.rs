//! Amazon's own numbers beside ahr's: every rate metric of the seller
//! performance report (performance.json) is recomputed from the exports
//! over Amazon's own reporting window, so a seller sees at once where the
//! exports and Amazon disagree (missing files, a claim Amazon counts that
//! the exports do not show, a window the exports do not cover).

use crate::exact::Decimal;
use crate::input::Account;
use crate::input::performance::{MarketplacePerformance, ReportedRate};
use crate::metrics::{self, DefectIndex, Direction, MetricSpec, MetricStatus};
use crate::policy::PolicySet;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The `amazon` section of the report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AmazonNumbers {
    pub file: String,
    /// The most severe account status over all marketplaces.
    pub account_status: Option<String>,
    pub marketplaces: Vec<MarketplaceNumbers>,
    /// How many compared metrics disagree with the exports.
    pub differing: usize,
}

/// One `performanceMetrics` entry.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MarketplaceNumbers {
    pub marketplace_id: Option<String>,
    /// Its two-letter code, when ahr knows the id.
    pub marketplace: Option<String>,
    /// True when this entry is the account's marketplace, so its metrics
    /// were recomputed from the exports.
    pub compared: bool,
    pub ahr_status: Option<String>,
    pub ahr_score: Option<i64>,
    pub metrics: Vec<MetricComparison>,
}

/// One rate metric, as Amazon reports it and as ahr counts it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MetricComparison {
    /// Amazon's metric, by ahr's name for it (e.g. `late_shipment_rate`).
    pub metric: String,
    /// The ahr metric recomputed for it, if ahr has one.
    pub ahr_metric: Option<String>,
    pub amazon: Side,
    /// ahr's count over Amazon's window; absent when not compared.
    pub ahr: Option<Side>,
    /// True when the counts differ (or, without counts, the rates differ by
    /// more than 0.05 percentage points); absent when there is nothing to
    /// compare.
    pub differs: Option<bool>,
    /// Why ahr's side is missing or incomplete.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Numbers of one side of a comparison.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Side {
    pub numerator: Option<u64>,
    pub denominator: Option<u64>,
    pub value: Option<f64>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub status: Option<String>,
}

/// Amazon's marketplace ids by two-letter code.
const MARKETPLACE_IDS: &[(&str, &str)] = &[
    ("US", "ATVPDKIKX0DER"),
    ("CA", "A2EUQ1WTGCTBG2"),
    ("MX", "A1AM78C64UM0Y8"),
    ("BR", "A2Q3Y263D00KWC"),
    ("UK", "A1F83G8C2ARO7P"),
    ("IE", "A28R8C7NBKEWEA"),
    ("DE", "A1PA6795UKMFR9"),
    ("FR", "A13V1IB3VIYZZH"),
    ("IT", "APJ6JRA9NG5V4"),
    ("ES", "A1RKKUPIHCS9HS"),
    ("NL", "A1805IZSGTT6HS"),
    ("BE", "AMEN7PMS3EDWL"),
    ("SE", "A2NODRKZP88ZB9"),
    ("PL", "A1C3SOZRARQ6R3"),
    ("TR", "A33AVAJ2PDY3EV"),
    ("EG", "ARBP9OOSHTCHU"),
    ("SA", "A17E79C6D8DWNP"),
    ("AE", "A2VIGQ35RCS4UG"),
    ("IN", "A21TJRUUN4KGV"),
    ("JP", "A1VC38T7YXB528"),
    ("AU", "A39IBJ37TRP1C6"),
    ("SG", "A19VAU5U5O7RUS"),
    ("ZA", "AE08WJ6YKNBMC"),
];

pub fn marketplace_code(id: &str) -> Option<&'static str> {
    MARKETPLACE_IDS
        .iter()
        .find(|(_, m)| *m == id)
        .map(|(code, _)| *code)
}

/// The ahr metric that counts what Amazon's `metric` counts, given the
/// length of Amazon's window (late shipment comes in 10 and 30 days).
fn ahr_metric(metric: &str, days: Option<i64>) -> Option<&'static str> {
    Some(match metric {
        "order_defect_rate_mfn" => "order_defect_rate_mfn",
        "order_defect_rate_afn" => "order_defect_rate_afn",
        "late_shipment_rate" if days.is_some_and(|d| d <= 10) => "late_shipment_rate_10d",
        "late_shipment_rate" => "late_shipment_rate_30d",
        "pre_fulfillment_cancel_rate" => "pre_fulfillment_cancel_rate",
        "valid_tracking_rate" => "valid_tracking_rate",
        "on_time_delivery_rate" => "on_time_delivery_rate",
        _ => return None,
    })
}

/// Builds the `amazon` section; `None` without a performance.json.
pub fn compare(
    account: &Account,
    policies: &PolicySet,
    as_of: NaiveDate,
    mask: bool,
) -> Option<AmazonNumbers> {
    let report = account.performance.as_ref()?;
    let file = account
        .inputs
        .iter()
        .find(|i| i.kind == "performance")
        .map_or_else(|| "performance.json".to_string(), |i| i.file.clone());
    let own_id = account.profile.marketplace.as_deref().and_then(|code| {
        MARKETPLACE_IDS
            .iter()
            .find(|(c, _)| *c == code)
            .map(|(_, id)| *id)
    });
    let matches_own =
        |m: &MarketplacePerformance| own_id.is_some() && m.marketplace_id.as_deref() == own_id;
    let defects = DefectIndex::build(account, mask);
    let specs: Vec<MetricSpec> = policies
        .enabled()
        .filter_map(|r| r.check.metric().cloned())
        .collect();
    let mut differing = 0;
    let marketplaces = report
        .marketplaces
        .iter()
        .map(|m| {
            // Without a marketplace to match, a report of one marketplace is the account's.
            let compared = matches_own(m) || (own_id.is_none() && report.marketplaces.len() == 1);
            let metrics: Vec<MetricComparison> = m
                .rates
                .iter()
                .map(|rate| compare_rate(account, rate, compared, &specs, as_of, &defects))
                .collect();
            differing += metrics.iter().filter(|c| c.differs == Some(true)).count();
            MarketplaceNumbers {
                marketplace_id: m.marketplace_id.clone(),
                marketplace: m
                    .marketplace_id
                    .as_deref()
                    .and_then(marketplace_code)
                    .map(str::to_string),
                compared,
                ahr_status: m.ahr_status.clone(),
                ahr_score: m.ahr_score,
                metrics,
            }
        })
        .collect();
    Some(AmazonNumbers {
        file,
        account_status: report.worst_account_status().map(str::to_string),
        marketplaces,
        differing,
    })
}

fn compare_rate(
    account: &Account,
    rate: &ReportedRate,
    compared: bool,
    specs: &[MetricSpec],
    as_of: NaiveDate,
    defects: &DefectIndex<'_>,
) -> MetricComparison {
    let days = match (rate.from, rate.to) {
        (Some(from), Some(to)) if to >= from => Some((to - from).num_days() + 1),
        _ => None,
    };
    let amazon = Side {
        numerator: rate.numerator,
        denominator: rate.denominator,
        value: rate.rate,
        from: rate.from,
        to: rate.to,
        status: rate.status.clone(),
    };
    let ahr_metric = ahr_metric(rate.metric, days);
    let mut out = MetricComparison {
        metric: rate.metric.to_string(),
        ahr_metric: ahr_metric.map(str::to_string),
        amazon,
        ahr: None,
        differs: None,
        reason: None,
    };
    let Some(id) = ahr_metric else {
        out.reason = Some("ahr has no metric that counts this".into());
        return out;
    };
    if !compared {
        return out;
    }
    let Some(kind) = metrics::metric_kind(id) else {
        return out;
    };
    let mut spec = specs
        .iter()
        .find(|s| s.id == id)
        .cloned()
        .unwrap_or_else(|| MetricSpec {
            id: id.to_string(),
            kind,
            window_days: 30,
            direction: if matches!(id, "valid_tracking_rate" | "on_time_delivery_rate") {
                Direction::Below
            } else {
                Direction::Above
            },
            breach: rate
                .target_value
                .and_then(Decimal::from_f64)
                .unwrap_or_else(|| Decimal::from_int(0)),
            warn: None,
            min_denominator: 0,
        });
    // Counts are compared whatever their size: the minimum a rule needs
    // before judging a rate is no reason to hide them.
    spec.min_denominator = 0;
    // Amazon's window, where it gives one; else ahr's own at as-of.
    let end = match (days, rate.to) {
        (Some(d), Some(to)) => {
            spec.window_days = u32::try_from(d).unwrap_or(u32::MAX);
            to
        }
        _ => as_of,
    };
    let result = metrics::compute(account, &spec, end, defects);
    let status = (result.status != MetricStatus::InsufficientData || result.numerator.is_some())
        .then(|| result.status.as_str().to_string());
    let ahr = Side {
        numerator: result.numerator,
        denominator: result.denominator,
        value: result.value,
        from: Some(result.window.from),
        to: Some(result.window.to),
        status,
    };
    out.differs = match (
        (ahr.numerator, ahr.denominator),
        (out.amazon.numerator, out.amazon.denominator),
    ) {
        ((Some(n), Some(d)), (Some(an), Some(ad))) => Some(n != an || d != ad),
        ((Some(_), Some(_)), _) => match (ahr.value.or(Some(0.0)), out.amazon.value) {
            (Some(a), Some(b)) => Some((a - b).abs() > 0.0005),
            _ => None,
        },
        _ => None,
    };
    if result.reason.is_some() {
        out.reason = result.reason;
    } else if end > as_of {
        out.reason = Some(format!(
            "Amazon's window ends {end}, after the audit's as-of {as_of}: the exports may not cover it"
        ));
    }
    out.ahr = Some(ahr);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marketplace_ids_are_unique_and_known() {
        let mut ids: Vec<&str> = MARKETPLACE_IDS.iter().map(|(_, id)| *id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), MARKETPLACE_IDS.len());
        assert_eq!(marketplace_code("ATVPDKIKX0DER"), Some("US"));
        assert_eq!(marketplace_code("A1VC38T7YXB528"), Some("JP"));
        assert_eq!(marketplace_code("nope"), None);
    }

    #[test]
    fn late_shipment_maps_by_window_length() {
        assert_eq!(
            ahr_metric("late_shipment_rate", Some(10)),
            Some("late_shipment_rate_10d")
        );
        assert_eq!(
            ahr_metric("late_shipment_rate", Some(30)),
            Some("late_shipment_rate_30d")
        );
        assert_eq!(ahr_metric("invoice_defect_rate", Some(7)), None);
    }
}
