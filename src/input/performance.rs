//! Reads Amazon's seller performance report (GET_V2_SELLER_PERFORMANCE_REPORT, `performance.json`).
//!
//! Amazon's schema and its own example disagree on key spellings, and real downloads lack
//! blocks the schema calls required, so the document is read leniently: every known spelling
//! of a key is accepted (case-insensitively), numbers may arrive as strings or as floats, and
//! anything of an unexpected shape is skipped with a warning that names its JSON path. Only
//! bytes that are not JSON, or JSON whose top level is not an object, are an error.

use std::fmt;

use anyhow::anyhow;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

/// Amazon's GET_V2_SELLER_PERFORMANCE_REPORT, read leniently.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct PerformanceReport {
    /// `accountStatuses`, in the document's order.
    pub account_statuses: Vec<AccountStatus>,
    /// `performanceMetrics`: one entry per marketplace.
    pub marketplaces: Vec<MarketplacePerformance>,
    /// Things the parser noticed but tolerated (unknown keys, values of the wrong type,
    /// unreadable dates), each a sentence that starts with the JSON path. A key read under
    /// one of its known alternative spellings is not a warning.
    pub warnings: Vec<String>,
}

/// The status Amazon gives the account in one marketplace.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct AccountStatus {
    /// Empty when the entry has no `marketplaceId` (the status still matters).
    pub marketplace_id: String,
    /// Upper-cased, e.g. `NORMAL`, `AT_RISK`, `DEACTIVATED`, `SUSPENDED`.
    pub status: String,
}

/// One entry of `performanceMetrics`.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct MarketplacePerformance {
    pub marketplace_id: Option<String>,
    /// `accountHealthRating.ahrStatus` (or `accountHealthRatingStatus`), e.g. `WARNED`, `GREAT`.
    pub ahr_status: Option<String>,
    /// `accountHealthRating.ahrScore`: not in Amazon's schema, but some clients receive it.
    pub ahr_score: Option<i64>,
    /// Rate metrics as Amazon reports them, keyed by ahr's metric id:
    /// order_defect_rate_mfn, order_defect_rate_afn, late_shipment_rate, pre_fulfillment_cancel_rate,
    /// valid_tracking_rate, on_time_delivery_rate, invoice_defect_rate, unit_on_time_delivery_rate.
    /// In the document's order.
    pub rates: Vec<ReportedRate>,
    /// Policy categories with their defectsCount (only the ones present), keyed by Amazon's
    /// camelCase name normalised to the plural spelling (e.g. documentRequests), in the document's order.
    pub policy_counts: Vec<PolicyCount>,
    /// warningStates / warningState entries: warning type and status.
    pub warning_states: Vec<WarningState>,
}

/// One rate metric as Amazon computed it.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct ReportedRate {
    /// ahr's metric id, e.g. `late_shipment_rate`.
    pub metric: &'static str,
    /// `reportingDateRange.reportingDateFrom`, as the calendar date of the UTC instant.
    #[serde(serialize_with = "serialize_date")]
    pub from: Option<NaiveDate>,
    /// `reportingDateRange.reportingDateTo`, as the calendar date of the UTC instant.
    #[serde(serialize_with = "serialize_date")]
    pub to: Option<NaiveDate>,
    /// The defect (or success) count, e.g. `lateShipmentCount`, `orderWithDefects.count`.
    /// Kept as given even where Amazon's sample data exceeds the denominator.
    pub numerator: Option<u64>,
    /// `orderCount`, `shipmentCount`, `shipmentCountWithValidTracking` or `totalUnitCount`.
    pub denominator: Option<u64>,
    pub rate: Option<f64>,
    /// Upper-cased, e.g. `GOOD`, `BAD`.
    pub status: Option<String>,
    pub target_value: Option<f64>,
    /// e.g. `LESS_THAN`, `GREATER_THAN`.
    pub target_condition: Option<String>,
    /// ODR only: its parts (`claims`, `chargebacks`, `negativeFeedback` counts), those present.
    pub parts: Vec<(&'static str, u64)>,
}

/// A policy category of the Account Health page with its defect count.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct PolicyCount {
    /// Amazon's camelCase key, plural spelling (`documentRequests`, not `documentRequest`).
    pub category: String,
    /// `defectsCount`; 0 (with a warning) when the block has none that can be read.
    pub count: u64,
    #[serde(serialize_with = "serialize_date")]
    pub from: Option<NaiveDate>,
    #[serde(serialize_with = "serialize_date")]
    pub to: Option<NaiveDate>,
    /// Upper-cased, e.g. `GOOD`, `BAD`, `NONE`.
    pub status: Option<String>,
}

/// An entry of `warningStates`, e.g. `spammingSellerMessaging` / `BAD`.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct WarningState {
    pub warning_type: String,
    /// Upper-cased, e.g. `GOOD`, `BAD`, `NONE`.
    pub status: Option<String>,
}

/// Parses the document. Errors only when the bytes are not JSON at all or the top level is not
/// an object; the message gives serde_json's line and column and says what was expected.
pub fn parse_performance_report(bytes: &[u8]) -> anyhow::Result<PerformanceReport> {
    // Windows tools save JSON with a byte-order mark, which serde_json rejects.
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let TopLevel(top) = serde_json::from_slice(bytes).map_err(|e| {
        let (line, column) = (e.line(), e.column());
        let message = e.to_string();
        let message = message
            .strip_suffix(&format!(" at line {line} column {column}"))
            .unwrap_or(&message);
        match e.classify() {
            // "invalid type: sequence, expected a JSON object (...)": already says what was expected.
            serde_json::error::Category::Data => anyhow!("line {line}, column {column}: {message}"),
            _ => anyhow!(
                "line {line}, column {column}: cannot be read as JSON ({message}); \
                 expected {TOP_LEVEL}"
            ),
        }
    })?;
    let mut reader = Reader::default();
    let mut report = PerformanceReport::default();
    reader.root(&top, "", &mut report);
    report.warnings = reader.finish();
    Ok(report)
}

impl PerformanceReport {
    /// Every policy category with defects or a non-normal status, as (category, count) pairs,
    /// for the AMZ-REPORTED rule. A warning state whose status is not GOOD or NONE (e.g.
    /// `spammingSellerMessaging` BAD) counts as one violation of its warning type.
    ///
    /// A category reported for several marketplaces appears once, at its highest count: a
    /// unified account may list the same defects under each marketplace, and summing them
    /// would inflate the finding.
    pub fn violations(&self) -> Vec<(String, u64)> {
        let mut out: Vec<(String, u64)> = Vec::new();
        let mut add = |name: &str, count: u64| match out.iter_mut().find(|(n, _)| n == name) {
            Some((_, c)) => *c = (*c).max(count),
            None => out.push((name.to_string(), count)),
        };
        for m in &self.marketplaces {
            for p in &m.policy_counts {
                if p.count > 0 || !is_normal_status(p.status.as_deref()) {
                    add(&p.category, p.count);
                }
            }
            for w in &m.warning_states {
                if !is_normal_status(w.status.as_deref()) {
                    add(&w.warning_type, 1);
                }
            }
        }
        out
    }

    /// The most severe account status over all marketplaces: SUSPENDED and DEACTIVATED, then
    /// AT_RISK, then any status ahr does not know, then NORMAL. Ties go to the first listed.
    pub fn worst_account_status(&self) -> Option<&str> {
        let mut worst: Option<&str> = None;
        for s in &self.account_statuses {
            if worst.is_none_or(|w| account_status_rank(&s.status) > account_status_rank(w)) {
                worst = Some(&s.status);
            }
        }
        worst
    }
}

/// `None` counts as normal: a block without a status gives no evidence of a problem.
fn is_normal_status(status: Option<&str>) -> bool {
    matches!(status, None | Some("GOOD" | "NONE"))
}

fn account_status_rank(status: &str) -> u8 {
    match status {
        "NORMAL" => 0,
        // Not NORMAL, so worth reporting, but not assumed to be as bad as AT_RISK.
        _ if !KNOWN_ACCOUNT_STATUSES.contains(&status) => 1,
        "AT_RISK" => 2,
        _ => 3,
    }
}

const KNOWN_ACCOUNT_STATUSES: [&str; 4] = ["NORMAL", "AT_RISK", "DEACTIVATED", "SUSPENDED"];

fn serialize_date<S: serde::Serializer>(date: &Option<NaiveDate>, s: S) -> Result<S::Ok, S::Error> {
    // chrono's serde feature is not enabled in this crate; NaiveDate displays as YYYY-MM-DD.
    match date {
        Some(d) => s.collect_str(d),
        None => s.serialize_none(),
    }
}

// ---------------------------------------------------------------------------------------------
// What the document may contain.

/// A rate block: its keys (every spelling Amazon uses) and where its counts live.
struct RateBlock {
    metric: &'static str,
    keys: &'static [&'static str],
    numerator: &'static str,
    denominator: &'static str,
}

const RATE_BLOCKS: &[RateBlock] = &[
    RateBlock {
        metric: "late_shipment_rate",
        keys: &["lateShipmentRate"],
        numerator: "lateShipmentCount",
        denominator: "orderCount",
    },
    RateBlock {
        metric: "pre_fulfillment_cancel_rate",
        // The schema says preFulfillmentCancellationRate, Amazon's example prefulfillmentCancelRate.
        keys: &["preFulfillmentCancellationRate", "prefulfillmentCancelRate"],
        numerator: "cancellationCount",
        denominator: "orderCount",
    },
    RateBlock {
        metric: "valid_tracking_rate",
        keys: &["validTrackingRate"],
        numerator: "validTrackingCount",
        denominator: "shipmentCount",
    },
    RateBlock {
        metric: "on_time_delivery_rate",
        keys: &["onTimeDeliveryRate"],
        numerator: "onTimeDeliveryCount",
        denominator: "shipmentCountWithValidTracking",
    },
    RateBlock {
        metric: "invoice_defect_rate",
        keys: &["invoiceDefectRate"],
        numerator: "invoiceDefect",
        denominator: "orderCount",
    },
    RateBlock {
        metric: "unit_on_time_delivery_rate",
        keys: &["unitOnTimeDeliveryRate"],
        numerator: "unitOnTimeDeliveryCount",
        denominator: "totalUnitCount",
    },
];

/// The ODR block holds one rate per fulfilment channel. The channel comes from the key:
/// Amazon's example labels its `afn` block `"fulfillmentType": "mfn"`.
const ODR_CHANNELS: [(&str, &str); 2] = [
    ("mfn", "order_defect_rate_mfn"),
    ("afn", "order_defect_rate_afn"),
];
const ODR_PARTS: [&str; 3] = ["claims", "chargebacks", "negativeFeedback"];

/// Policy categories: the plural name first, then the other spellings seen in Amazon's files.
const POLICY_CATEGORIES: &[&[&str]] = &[
    &["suspectedIntellectualPropertyViolations"],
    &["receivedIntellectualPropertyComplaints"],
    &["productAuthenticityCustomerComplaints"],
    &["productConditionCustomerComplaints"],
    &["productSafetyCustomerComplaints"],
    &["foodAndProductSafetyIssues"],
    &["listingPolicyViolations"],
    &["restrictedProductPolicyViolations"],
    &["customerProductReviewsPolicyViolations"],
    &["otherPolicyViolations"],
    &["documentRequests", "documentRequest"],
];

/// The policy categories ahr reads, by the name [`PolicyCount::category`] carries.
pub fn policy_category_names() -> impl Iterator<Item = &'static str> {
    POLICY_CATEGORIES.iter().map(|names| names[0])
}

const WARNING_STATES: &[&str] = &["warningStates", "warningState"];
const AHR_STATUS: &[&str] = &["ahrStatus", "accountHealthRatingStatus"];

/// More warnings than this say nothing new and would let a junk file flood the report.
const MAX_WARNINGS: usize = 100;

fn key_is(key: &str, names: &[&str]) -> bool {
    names.iter().any(|n| n.eq_ignore_ascii_case(key))
}

// ---------------------------------------------------------------------------------------------
// The walk over the document.

type Object = [(String, Json)];

#[derive(Default)]
struct Reader {
    warnings: Vec<String>,
    suppressed: usize,
}

impl Reader {
    fn warn(&mut self, path: &str, message: fmt::Arguments<'_>) {
        if self.warnings.len() < MAX_WARNINGS {
            let path = if path.is_empty() { "(top level)" } else { path };
            self.warnings.push(format!("{path}: {message}"));
        } else {
            self.suppressed += 1;
        }
    }

    fn finish(mut self) -> Vec<String> {
        if self.suppressed > 0 {
            self.warnings
                .push(format!("{} further warnings not shown", self.suppressed));
        }
        self.warnings
    }

    fn root(&mut self, obj: &Object, path: &str, report: &mut PerformanceReport) {
        for (key, value) in obj {
            let here = child(path, key);
            if key_is(key, &["accountStatuses"]) {
                for (i, entry) in self.list(value, &here) {
                    if let Some(s) = self.account_status(entry, &i) {
                        report.account_statuses.push(s);
                    }
                }
            } else if key_is(key, &["performanceMetrics"]) {
                for (i, entry) in self.list(value, &here) {
                    match entry {
                        Json::Object(m) => report.marketplaces.push(self.marketplace(m, &i)),
                        other => self.unexpected(&i, "an object", other),
                    }
                }
            } else if key_is(key, &["payload"]) {
                // The SP-API wraps some responses as {"payload": {...}}.
                match value {
                    Json::Object(inner) => self.root(inner, &here, report),
                    other => self.unexpected(&here, "an object", other),
                }
            } else {
                self.warn(&here, format_args!("unknown key; ignored"));
            }
        }
    }

    /// An array's entries with their paths; a lone object stands for a list of one.
    fn list<'a>(&mut self, value: &'a Json, path: &str) -> Vec<(String, &'a Json)> {
        match value {
            Json::Array(items) => items
                .iter()
                .enumerate()
                .map(|(i, item)| (format!("{path}[{i}]"), item))
                .collect(),
            Json::Object(_) => vec![(path.to_string(), value)],
            Json::Null => Vec::new(),
            other => {
                self.unexpected(path, "an array", other);
                Vec::new()
            }
        }
    }

    fn account_status(&mut self, entry: &Json, path: &str) -> Option<AccountStatus> {
        let Json::Object(obj) = entry else {
            self.unexpected(path, "an object", entry);
            return None;
        };
        let Some(status) = self.status(obj, &["status"], path) else {
            self.warn(
                path,
                format_args!("account status entry has no status; ignored"),
            );
            return None;
        };
        if !KNOWN_ACCOUNT_STATUSES.contains(&status.as_str()) {
            self.warn(
                path,
                format_args!("unknown account status {status:?}; treated as not NORMAL"),
            );
        }
        let marketplace_id = self.text_field(obj, &["marketplaceId"], path);
        Some(AccountStatus {
            marketplace_id: marketplace_id.unwrap_or_default(),
            status,
        })
    }

    fn marketplace(&mut self, obj: &Object, path: &str) -> MarketplacePerformance {
        let mut m = MarketplacePerformance::default();
        for (key, value) in obj {
            let here = child(path, key);
            if key_is(key, &["marketplaceId"]) {
                m.marketplace_id = self.text(value, &here);
            } else if key_is(key, &["accountHealthRating"]) {
                self.account_health_rating(value, &here, &mut m);
            } else if key_is(key, &["orderDefectRate"]) {
                self.order_defect_rate(value, &here, &mut m);
            } else if let Some(block) = RATE_BLOCKS.iter().find(|b| key_is(key, b.keys)) {
                let Json::Object(block_obj) = value else {
                    self.unexpected(&here, "an object", value);
                    continue;
                };
                if m.rates.iter().any(|r| r.metric == block.metric) {
                    self.warn(
                        &here,
                        format_args!("second {} block; ignored", block.keys[0]),
                    );
                    continue;
                }
                let rate = self.rate(
                    block.metric,
                    block.numerator,
                    block.denominator,
                    block_obj,
                    &here,
                );
                m.rates.push(rate);
            } else if let Some(names) = POLICY_CATEGORIES.iter().find(|names| key_is(key, names)) {
                self.policy(names[0], value, &here, &mut m);
            } else if key_is(key, WARNING_STATES) {
                for (i, entry) in self.list(value, &here) {
                    if let Some(w) = self.warning_state(entry, &i) {
                        m.warning_states.push(w);
                    }
                }
            } else if matches!(value, Json::Object(o) if find(o, &["defectsCount"]).is_some()) {
                // A category Amazon added after this parser was written: keep its count so the
                // AMZ-REPORTED rule still sees it.
                self.warn(
                    &here,
                    format_args!("unknown policy category; read for its defectsCount"),
                );
                self.policy(key, value, &here, &mut m);
            } else {
                self.warn(&here, format_args!("unknown key; ignored"));
            }
        }
        m
    }

    fn account_health_rating(&mut self, value: &Json, path: &str, m: &mut MarketplacePerformance) {
        let Json::Object(obj) = value else {
            self.unexpected(path, "an object", value);
            return;
        };
        m.ahr_status = self.status(obj, AHR_STATUS, path);
        if let Some((key, v)) = find(obj, &["ahrScore"]) {
            m.ahr_score = self.score(v, &child(path, key));
        }
    }

    fn order_defect_rate(&mut self, value: &Json, path: &str, m: &mut MarketplacePerformance) {
        let Json::Object(obj) = value else {
            self.unexpected(path, "an object", value);
            return;
        };
        let mut found = false;
        for (channel, metric) in ODR_CHANNELS {
            let Some((key, block)) = find(obj, &[channel]) else {
                continue;
            };
            found = true;
            let here = child(path, key);
            let Json::Object(block) = block else {
                self.unexpected(&here, "an object", block);
                continue;
            };
            if m.rates.iter().any(|r| r.metric == metric) {
                self.warn(&here, format_args!("second {channel} block; ignored"));
                continue;
            }
            let mut rate = self.rate(metric, "orderWithDefects", "orderCount", block, &here);
            for part in ODR_PARTS {
                if let Some((key, v)) = find(block, &[part])
                    && let Some(n) = self.count_of(v, &child(&here, key))
                {
                    rate.parts.push((part, n));
                }
            }
            m.rates.push(rate);
        }
        if !found {
            self.warn(
                path,
                format_args!("has neither an mfn nor an afn block; ignored"),
            );
        }
    }

    fn rate(
        &mut self,
        metric: &'static str,
        numerator: &str,
        denominator: &str,
        obj: &Object,
        path: &str,
    ) -> ReportedRate {
        let (from, to) = self.date_range(obj, path);
        let numerator =
            find(obj, &[numerator]).and_then(|(k, v)| self.count_of(v, &child(path, k)));
        let denominator =
            find(obj, &[denominator]).and_then(|(k, v)| self.count(v, &child(path, k)));
        ReportedRate {
            metric,
            from,
            to,
            numerator,
            denominator,
            rate: self.real_field(obj, "rate", path),
            status: self.status(obj, &["status"], path),
            target_value: self.real_field(obj, "targetValue", path),
            target_condition: self.status(obj, &["targetCondition"], path),
            parts: Vec::new(),
        }
    }

    fn policy(&mut self, category: &str, value: &Json, path: &str, m: &mut MarketplacePerformance) {
        let Json::Object(obj) = value else {
            self.unexpected(path, "an object", value);
            return;
        };
        if m.policy_counts.iter().any(|p| p.category == category) {
            self.warn(path, format_args!("second {category} block; ignored"));
            return;
        }
        let count = find(obj, &["defectsCount"]).and_then(|(k, v)| self.count(v, &child(path, k)));
        let count = count.unwrap_or_else(|| {
            // Kept rather than dropped: its status may still say BAD.
            self.warn(path, format_args!("no readable defectsCount; counted as 0"));
            0
        });
        let (from, to) = self.date_range(obj, path);
        m.policy_counts.push(PolicyCount {
            category: category.to_string(),
            count,
            from,
            to,
            status: self.status(obj, &["status"], path),
        });
    }

    fn warning_state(&mut self, entry: &Json, path: &str) -> Option<WarningState> {
        let Json::Object(obj) = entry else {
            self.unexpected(path, "an object", entry);
            return None;
        };
        let Some(warning_type) = self.text_field(obj, &["warningType"], path) else {
            self.warn(
                path,
                format_args!("warning state has no warningType; ignored"),
            );
            return None;
        };
        Some(WarningState {
            warning_type,
            status: self.status(obj, &["status"], path),
        })
    }

    fn date_range(&mut self, obj: &Object, path: &str) -> (Option<NaiveDate>, Option<NaiveDate>) {
        let Some((key, range)) = find(obj, &["reportingDateRange"]) else {
            return (None, None);
        };
        let here = child(path, key);
        let Json::Object(range) = range else {
            self.unexpected(&here, "an object", range);
            return (None, None);
        };
        let mut date = |name: &str| {
            let (key, v) = find(range, &[name])?;
            let at = child(&here, key);
            let text = self.text(v, &at)?;
            let parsed = parse_date(&text);
            if parsed.is_none() {
                self.warn(&at, format_args!("unreadable date {text:?}; ignored"));
            }
            parsed
        };
        (date("reportingDateFrom"), date("reportingDateTo"))
    }

    // --- scalar readers: each returns None for null or absent, and warns on a wrong type ---

    fn text_field(&mut self, obj: &Object, names: &[&str], path: &str) -> Option<String> {
        let (key, v) = find(obj, names)?;
        self.text(v, &child(path, key))
    }

    /// Statuses and conditions are compared as upper case with underscores (`AT_RISK`).
    fn status(&mut self, obj: &Object, names: &[&str], path: &str) -> Option<String> {
        let text = self.text_field(obj, names, path)?;
        Some(text.to_ascii_uppercase().replace([' ', '-'], "_"))
    }

    fn text(&mut self, v: &Json, path: &str) -> Option<String> {
        match v {
            Json::Str(s) if s.trim().is_empty() => None,
            Json::Str(s) => Some(s.trim().to_string()),
            Json::Null => None,
            other => {
                self.unexpected(path, "a string", other);
                None
            }
        }
    }

    fn real_field(&mut self, obj: &Object, name: &str, path: &str) -> Option<f64> {
        let (key, v) = find(obj, &[name])?;
        let here = child(path, key);
        let n = match v {
            Json::U(n) => Some(*n as f64),
            Json::I(n) => Some(*n as f64),
            Json::F(f) => Some(*f),
            Json::Str(s) => s.trim().parse::<f64>().ok().filter(|f| f.is_finite()),
            Json::Null => return None,
            _ => None,
        };
        if n.is_none() {
            self.unexpected(&here, "a number", v);
        }
        n
    }

    /// A count that may also be given as `{"count": n, "status": ...}`, as ODR parts are.
    fn count_of(&mut self, v: &Json, path: &str) -> Option<u64> {
        match v {
            Json::Object(obj) => {
                let (key, inner) = find(obj, &["count"])?;
                self.count(inner, &child(path, key))
            }
            other => self.count(other, path),
        }
    }

    fn count(&mut self, v: &Json, path: &str) -> Option<u64> {
        let n = match v {
            Json::Null => return None,
            Json::U(n) => Some(*n),
            Json::F(f) => whole(*f),
            Json::Str(s) => {
                let s = s.trim();
                s.parse::<u64>()
                    .ok()
                    .or_else(|| whole(s.parse::<f64>().ok()?))
            }
            _ => None,
        };
        if n.is_none() {
            self.unexpected(path, "a whole number of at least 0", v);
        }
        n
    }

    fn score(&mut self, v: &Json, path: &str) -> Option<i64> {
        // AHR runs 0-1000, far inside the integers an f64 holds exactly.
        let real = match v {
            Json::Null => return None,
            Json::U(n) => Some(*n as f64),
            Json::I(n) => Some(*n as f64),
            Json::F(f) => Some(*f),
            Json::Str(s) => s.trim().parse::<f64>().ok(),
            _ => None,
        };
        match real.filter(|f| f.is_finite() && f.abs() < 1e15) {
            Some(f) if f.fract() == 0.0 => Some(f as i64),
            Some(f) => {
                self.warn(
                    path,
                    format_args!("score {f} is not a whole number; rounded"),
                );
                Some(f.round() as i64)
            }
            None => {
                self.unexpected(path, "a whole number", v);
                None
            }
        }
    }

    fn unexpected(&mut self, path: &str, expected: &str, found: &Json) {
        self.warn(
            path,
            format_args!("expected {expected}, found {}; ignored", Describe(found)),
        );
    }
}

/// A float that holds a count (870669.0), as an integer.
fn whole(f: f64) -> Option<u64> {
    // Below 2^64 the cast is exact; `as` would saturate larger values silently.
    (f.fract() == 0.0 && (0.0..18_446_744_073_709_551_616.0).contains(&f)).then_some(f as u64)
}

/// Finds a key by any of its spellings: an exact match first, then ignoring ASCII case.
fn find<'a>(obj: &'a Object, names: &[&str]) -> Option<(&'a str, &'a Json)> {
    let exact = obj.iter().find(|(k, _)| names.contains(&k.as_str()));
    exact
        .or_else(|| obj.iter().find(|(k, _)| key_is(k, names)))
        .map(|(k, v)| (k.as_str(), v))
}

/// `path.key`, or `path["odd key"]` for keys that would make the path ambiguous or unprintable.
fn child(path: &str, key: &str) -> String {
    let plain = !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    match (path.is_empty(), plain) {
        (true, true) => key.to_string(),
        (false, true) => format!("{path}.{key}"),
        (_, false) => format!("{path}[{key:?}]"),
    }
}

/// Accepts the forms Amazon's reports use for an instant, and plain dates. The result is the
/// calendar date in UTC; a time without an offset is taken as UTC, as the schema says.
fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Some(d);
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        return Some(dt.with_timezone(&Utc).date_naive());
    }
    // Amazon writes "2020-10-21T00:00Z": no seconds, which RFC 3339 requires.
    const NAIVE: [&str; 4] = [
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%d %H:%M:%S%.f",
    ];
    let utc = s.strip_suffix(['Z', 'z']).unwrap_or(s);
    for format in NAIVE {
        if let Ok(dt) = NaiveDateTime::parse_from_str(utc, format) {
            return Some(dt.date());
        }
        if let Ok(dt) = DateTime::parse_from_str(s, &format!("{format}%#z")) {
            return Some(dt.with_timezone(&Utc).date_naive());
        }
    }
    None
}

// ---------------------------------------------------------------------------------------------
// The JSON tree. serde_json::Value sorts object keys (its `preserve_order` feature is off in
// this crate), and policy categories are reported in the document's order, so objects are
// read into a list of entries instead. Reading goes through serde_json, whose recursion limit
// turns absurdly deep nesting into an error rather than a stack overflow.

#[derive(Debug)]
enum Json {
    Null,
    Bool(bool),
    U(u64),
    I(i64),
    F(f64),
    Str(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

/// A short, escaped rendering of a value for a warning (the input is untrusted).
struct Describe<'a>(&'a Json);

impl fmt::Display for Describe<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Json::Null => f.write_str("null"),
            Json::Bool(b) => write!(f, "{b}"),
            Json::U(n) => write!(f, "{n}"),
            Json::I(n) => write!(f, "{n}"),
            Json::F(n) => write!(f, "{n}"),
            Json::Str(s) if s.chars().count() > 40 => {
                let head: String = s.chars().take(40).collect();
                write!(f, "the string {head:?}…")
            }
            Json::Str(s) => write!(f, "the string {s:?}"),
            Json::Array(_) => f.write_str("an array"),
            Json::Object(_) => f.write_str("an object"),
        }
    }
}

struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Json;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Json, E> {
        Ok(Json::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Json, E> {
        Ok(u64::try_from(v).map_or(Json::I(v), Json::U))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Json, E> {
        Ok(Json::U(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Json, E> {
        Ok(Json::F(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Json, E> {
        Ok(Json::Str(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Json, E> {
        Ok(Json::Str(v))
    }
    fn visit_unit<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }
    fn visit_none<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Json, D::Error> {
        Json::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Json, A::Error> {
        entries(map).map(Json::Object)
    }
}

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(JsonVisitor)
    }
}

fn entries<'de, A: MapAccess<'de>>(mut map: A) -> Result<Vec<(String, Json)>, A::Error> {
    let mut out = Vec::new();
    while let Some(entry) = map.next_entry::<String, Json>()? {
        out.push(entry);
    }
    Ok(out)
}

const TOP_LEVEL: &str = "a JSON object (Amazon's GET_V2_SELLER_PERFORMANCE_REPORT)";

/// The document itself: only an object will do, so that serde_json reports where it is not.
struct TopLevel(Vec<(String, Json)>);

impl<'de> Deserialize<'de> for TopLevel {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct TopVisitor;
        impl<'de> Visitor<'de> for TopVisitor {
            type Value = TopLevel;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(TOP_LEVEL)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<TopLevel, A::Error> {
                entries(map).map(TopLevel)
            }
        }
        d.deserialize_map(TopVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example() -> PerformanceReport {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/amazon/performance-example.json"
        );
        let bytes = std::fs::read(path).expect("Amazon's example is in fixtures/amazon/");
        parse_performance_report(&bytes).expect("Amazon's example parses")
    }

    fn parse(json: &str) -> PerformanceReport {
        parse_performance_report(json.as_bytes()).expect("lenient parse")
    }

    fn date(s: &str) -> Option<NaiveDate> {
        Some(NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap())
    }

    fn rate<'a>(m: &'a MarketplacePerformance, metric: &str) -> &'a ReportedRate {
        m.rates
            .iter()
            .find(|r| r.metric == metric)
            .unwrap_or_else(|| panic!("{metric} missing from {:?}", m.rates))
    }

    fn policy<'a>(m: &'a MarketplacePerformance, category: &str) -> &'a PolicyCount {
        m.policy_counts
            .iter()
            .find(|p| p.category == category)
            .unwrap_or_else(|| panic!("{category} missing from {:?}", m.policy_counts))
    }

    fn statuses(report: &PerformanceReport) -> Vec<(&str, &str)> {
        report
            .account_statuses
            .iter()
            .map(|s| (s.marketplace_id.as_str(), s.status.as_str()))
            .collect()
    }

    #[test]
    fn amazon_example_account_statuses() {
        let r = example();
        assert_eq!(
            statuses(&r),
            [
                ("ATVPDKIKX0DER", "AT_RISK"),
                ("A2EUQ1WTGCTBG2", "NORMAL"),
                ("A1AM78C64UM0Y8", "SUSPENDED"),
            ]
        );
        assert_eq!(r.worst_account_status(), Some("SUSPENDED"));
        assert_eq!(r.warnings, Vec::<String>::new());
    }

    #[test]
    fn amazon_example_marketplace_and_rating() {
        let r = example();
        assert_eq!(r.marketplaces.len(), 1);
        let m = &r.marketplaces[0];
        assert_eq!(m.marketplace_id.as_deref(), Some("ATVPDKIKX0DER"));
        assert_eq!(m.ahr_status.as_deref(), Some("WARNED"));
        assert_eq!(m.ahr_score, None);
    }

    #[test]
    fn amazon_example_rates() {
        let r = example();
        let m = &r.marketplaces[0];
        let metrics: Vec<_> = m.rates.iter().map(|r| r.metric).collect();
        // The document's order; ODR's channels in the order of its block.
        assert_eq!(
            metrics,
            [
                "invoice_defect_rate",
                "late_shipment_rate",
                "pre_fulfillment_cancel_rate",
                "on_time_delivery_rate",
                "unit_on_time_delivery_rate",
                "order_defect_rate_mfn",
                "order_defect_rate_afn",
                "valid_tracking_rate",
            ]
        );

        assert_eq!(
            rate(m, "late_shipment_rate"),
            &ReportedRate {
                metric: "late_shipment_rate",
                from: date("2020-10-21"),
                to: date("2020-11-19"),
                numerator: Some(27896),
                denominator: Some(870669),
                rate: Some(0.03203973037),
                status: Some("GOOD".into()),
                target_value: Some(0.04),
                target_condition: Some("LESS_THAN".into()),
                parts: vec![],
            }
        );

        // Read under the example's spelling, prefulfillmentCancelRate.
        let cr = rate(m, "pre_fulfillment_cancel_rate");
        assert_eq!((cr.numerator, cr.denominator), (Some(551), Some(17197)));
        assert_eq!((cr.from, cr.to), (date("2020-11-12"), date("2020-11-18")));
        assert_eq!(cr.rate, Some(0.005));

        // Amazon's sample numerators exceed their denominators; they stay as given.
        let vtr = rate(m, "valid_tracking_rate");
        assert_eq!(
            (vtr.numerator, vtr.denominator),
            (Some(896462), Some(878443))
        );
        let otdr = rate(m, "on_time_delivery_rate");
        assert_eq!(
            (otdr.numerator, otdr.denominator),
            (Some(847987), Some(808046))
        );
        assert_eq!(otdr.target_condition.as_deref(), Some("GREATER_THAN"));

        let uotdr = rate(m, "unit_on_time_delivery_rate");
        assert_eq!((uotdr.numerator, uotdr.denominator), (Some(146), Some(165)));
        let idr = rate(m, "invoice_defect_rate");
        assert_eq!((idr.numerator, idr.denominator), (Some(315), Some(9001)));
        assert_eq!((idr.from, idr.to), (date("2020-10-21"), date("2020-10-27")));
    }

    #[test]
    fn amazon_example_odr_parts_and_channel_from_key() {
        let r = example();
        let m = &r.marketplaces[0];
        for metric in ["order_defect_rate_mfn", "order_defect_rate_afn"] {
            let odr = rate(m, metric);
            assert_eq!((odr.numerator, odr.denominator), (Some(1078), Some(539000)));
            assert_eq!(odr.rate, Some(0.009));
            assert_eq!((odr.from, odr.to), (date("2020-09-06"), date("2020-11-04")));
            assert_eq!(
                odr.parts,
                [
                    ("claims", 442),
                    ("chargebacks", 15),
                    ("negativeFeedback", 628)
                ]
            );
        }
    }

    #[test]
    fn amazon_example_policy_counts_and_warning_states() {
        let r = example();
        let m = &r.marketplaces[0];
        let categories: Vec<_> = m
            .policy_counts
            .iter()
            .map(|p| (p.category.as_str(), p.count))
            .collect();
        assert_eq!(
            categories,
            [
                ("productSafetyCustomerComplaints", 165),
                ("receivedIntellectualPropertyComplaints", 75),
                ("listingPolicyViolations", 86),
                ("foodAndProductSafetyIssues", 37),
                ("productAuthenticityCustomerComplaints", 212),
                ("documentRequests", 8),
                ("productConditionCustomerComplaints", 337),
                ("otherPolicyViolations", 86),
            ]
        );
        // Read from the example's singular `documentRequest`, with its (inverted) range as given.
        let docs = policy(m, "documentRequests");
        assert_eq!(docs.status.as_deref(), Some("GOOD"));
        assert_eq!(
            (docs.from, docs.to),
            (date("2020-11-21"), date("2020-11-19"))
        );

        assert_eq!(
            m.warning_states,
            [WarningState {
                warning_type: "spammingSellerMessaging".into(),
                status: Some("BAD".into()),
            }]
        );

        let violations = r.violations();
        assert_eq!(violations.len(), 9);
        assert!(violations.contains(&("documentRequests".into(), 8)));
        assert!(violations.contains(&("productConditionCustomerComplaints".into(), 337)));
        assert!(violations.contains(&("spammingSellerMessaging".into(), 1)));
    }

    #[test]
    fn schema_spellings_read_the_same() {
        let r = parse(
            r#"{"accountStatuses": [{"marketplaceId": "A1F83G8C2ARO7P", "status": "NORMAL"}],
                "performanceMetrics": [{
                  "marketplaceId": "A1F83G8C2ARO7P",
                  "accountHealthRating": {"accountHealthRatingStatus": "GREAT"},
                  "preFulfillmentCancellationRate": {"orderCount": 400, "cancellationCount": 3,
                      "rate": 0.0075, "status": "GOOD"},
                  "documentRequests": {"defectsCount": 2, "status": "BAD"},
                  "warningStates": [{"warningType": "spammingSellerMessaging", "status": "GOOD"}]
                }]}"#,
        );
        assert_eq!(r.warnings, Vec::<String>::new());
        let m = &r.marketplaces[0];
        assert_eq!(m.ahr_status.as_deref(), Some("GREAT"));
        let cr = rate(m, "pre_fulfillment_cancel_rate");
        assert_eq!(
            (cr.numerator, cr.denominator, cr.rate),
            (Some(3), Some(400), Some(0.0075))
        );
        assert_eq!(policy(m, "documentRequests").count, 2);
        assert_eq!(m.warning_states[0].status.as_deref(), Some("GOOD"));
        // A GOOD warning state is not a violation; a BAD category without defects is.
        assert_eq!(r.violations(), [("documentRequests".to_string(), 2)]);
    }

    #[test]
    fn keys_match_whatever_their_case() {
        let r = parse(
            r#"{"AccountStatuses": [{"MarketplaceId": "X", "Status": "at_risk"}],
                "PerformanceMetrics": {"LateShipmentRate": {"OrderCount": 10,
                    "LATESHIPMENTCOUNT": 1, "reportingdaterange": {"ReportingDateFrom": "2024-01-01"}},
                  "PrefulfillmentCancelRate": {"orderCount": 5},
                  "AccountHealthRating": {"AHRStatus": "warned"}}}"#,
        );
        assert_eq!(r.warnings, Vec::<String>::new());
        assert_eq!(statuses(&r), [("X", "AT_RISK")]);
        let m = &r.marketplaces[0];
        let lsr = rate(m, "late_shipment_rate");
        assert_eq!((lsr.numerator, lsr.denominator), (Some(1), Some(10)));
        assert_eq!(lsr.from, date("2024-01-01"));
        assert_eq!(rate(m, "pre_fulfillment_cancel_rate").denominator, Some(5));
        assert_eq!(m.ahr_status.as_deref(), Some("WARNED"));
    }

    #[test]
    fn both_spellings_in_one_document_keep_the_first() {
        let r = parse(
            r#"{"performanceMetrics": [{
                  "documentRequest": {"defectsCount": 1},
                  "documentRequests": {"defectsCount": 5},
                  "warningState": [{"warningType": "a", "status": "BAD"}],
                  "warningStates": [{"warningType": "b", "status": "BAD"}]}]}"#,
        );
        let m = &r.marketplaces[0];
        assert_eq!(m.policy_counts.len(), 1);
        assert_eq!(policy(m, "documentRequests").count, 1);
        // Warning states are lists, so both are kept.
        assert_eq!(m.warning_states.len(), 2);
        assert_eq!(
            r.warnings,
            ["performanceMetrics[0].documentRequests: second documentRequests block; ignored"]
        );
    }

    #[test]
    fn missing_blocks_are_not_errors() {
        let r = parse(r#"{"accountStatuses": [{"marketplaceId": "X", "status": "NORMAL"}]}"#);
        assert_eq!(statuses(&r), [("X", "NORMAL")]);
        assert!(r.marketplaces.is_empty());
        assert!(r.warnings.is_empty());

        assert_eq!(parse("{}"), PerformanceReport::default());
        assert_eq!(parse("{}").worst_account_status(), None);

        let r =
            parse(r#"{"performanceMetrics": [{"marketplaceId": "X", "lateShipmentRate": {}}]}"#);
        let lsr = rate(&r.marketplaces[0], "late_shipment_rate");
        assert_eq!(
            (lsr.numerator, lsr.denominator, lsr.rate, lsr.from),
            (None, None, None, None)
        );
        assert!(r.warnings.is_empty());
    }

    #[test]
    fn numbers_may_be_strings_or_whole_floats() {
        let r = parse(
            r#"{"performanceMetrics": [{
                  "lateShipmentRate": {"orderCount": 870669.0, "lateShipmentCount": "27896",
                      "rate": "0.032", "targetValue": " 0.04 "},
                  "orderDefectRate": {"mfn": {"orderCount": "539000.0",
                      "orderWithDefects": {"count": "1078"}, "claims": {"count": 442.0},
                      "chargebacks": 15, "rate": "0.009"}},
                  "listingPolicyViolations": {"defectsCount": "86"},
                  "accountHealthRating": {"ahrScore": "312"}}]}"#,
        );
        assert_eq!(r.warnings, Vec::<String>::new());
        let m = &r.marketplaces[0];
        let lsr = rate(m, "late_shipment_rate");
        assert_eq!(
            (lsr.numerator, lsr.denominator),
            (Some(27896), Some(870669))
        );
        assert_eq!((lsr.rate, lsr.target_value), (Some(0.032), Some(0.04)));
        let odr = rate(m, "order_defect_rate_mfn");
        assert_eq!(
            (odr.numerator, odr.denominator, odr.rate),
            (Some(1078), Some(539000), Some(0.009))
        );
        assert_eq!(odr.parts, [("claims", 442), ("chargebacks", 15)]);
        assert!(m.rates.iter().all(|r| r.metric != "order_defect_rate_afn"));
        assert_eq!(policy(m, "listingPolicyViolations").count, 86);
        assert_eq!(m.ahr_score, Some(312));
    }

    #[test]
    fn ahr_score_is_read_beside_the_status() {
        let r = parse(
            r#"{"performanceMetrics": [{"accountHealthRating":
                  {"ahrStatus": "GREAT", "ahrScore": 312}}]}"#,
        );
        let m = &r.marketplaces[0];
        assert_eq!(
            (m.ahr_status.as_deref(), m.ahr_score),
            (Some("GREAT"), Some(312))
        );

        let r = parse(r#"{"performanceMetrics": [{"accountHealthRating": {"ahrScore": 311.6}}]}"#);
        assert_eq!(r.marketplaces[0].ahr_score, Some(312));
        assert_eq!(
            r.warnings,
            [
                "performanceMetrics[0].accountHealthRating.ahrScore: score 311.6 is not a whole number; rounded"
            ]
        );
    }

    #[test]
    fn numbers_out_of_range_are_warnings() {
        let r = parse(
            r#"{"performanceMetrics": [{
                  "lateShipmentRate": {"orderCount": 1e30, "lateShipmentCount": "NaN",
                      "rate": "inf"},
                  "accountHealthRating": {"ahrScore": "high"}}]}"#,
        );
        let lsr = rate(&r.marketplaces[0], "late_shipment_rate");
        assert_eq!(
            (lsr.numerator, lsr.denominator, lsr.rate),
            (None, None, None)
        );
        assert_eq!(r.marketplaces[0].ahr_score, None);
        assert_eq!(r.warnings.len(), 4, "{:?}", r.warnings);
    }

    #[test]
    fn performance_metrics_may_be_a_single_object() {
        let r = parse(
            r#"{"performanceMetrics": {"marketplaceId": "A1PA6795UKMFR9",
                  "validTrackingRate": {"shipmentCount": 100, "validTrackingCount": 97}}}"#,
        );
        assert_eq!(r.marketplaces.len(), 1);
        let m = &r.marketplaces[0];
        assert_eq!(m.marketplace_id.as_deref(), Some("A1PA6795UKMFR9"));
        let vtr = rate(m, "valid_tracking_rate");
        assert_eq!((vtr.numerator, vtr.denominator), (Some(97), Some(100)));
        assert!(r.warnings.is_empty());
    }

    #[test]
    fn several_marketplaces_are_kept_apart() {
        let r = parse(
            r#"{"performanceMetrics": [
                  {"marketplaceId": "A", "listingPolicyViolations": {"defectsCount": 3}},
                  {"marketplaceId": "B", "listingPolicyViolations": {"defectsCount": 5},
                   "otherPolicyViolations": {"defectsCount": 0, "status": "GOOD"}}]}"#,
        );
        let ids: Vec<_> = r
            .marketplaces
            .iter()
            .map(|m| m.marketplace_id.as_deref())
            .collect();
        assert_eq!(ids, [Some("A"), Some("B")]);
        assert_eq!(
            policy(&r.marketplaces[0], "listingPolicyViolations").count,
            3
        );
        assert_eq!(
            policy(&r.marketplaces[1], "listingPolicyViolations").count,
            5
        );
        // One pair per category, at its highest count; a clean category is not a violation.
        assert_eq!(r.violations(), [("listingPolicyViolations".to_string(), 5)]);
    }

    #[test]
    fn payload_wrapper_is_unwrapped() {
        let bytes = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/amazon/performance-example.json"
        ))
        .unwrap();
        let wrapped = format!(r#"{{"payload": {}}}"#, String::from_utf8(bytes).unwrap());
        let r = parse(&wrapped);
        assert_eq!(r, example());
    }

    #[test]
    fn customer_product_reviews_category_is_known() {
        let r = parse(
            r#"{"performanceMetrics": [{"customerProductReviewsPolicyViolations":
                  {"defectsCount": 4, "status": "BAD",
                   "reportingDateRange": {"reportingDateFrom": "2024-01-01T00:00Z",
                                          "reportingDateTo": "2024-06-28T23:59Z"}}}]}"#,
        );
        assert!(r.warnings.is_empty());
        assert_eq!(
            r.marketplaces[0].policy_counts,
            [PolicyCount {
                category: "customerProductReviewsPolicyViolations".into(),
                count: 4,
                from: date("2024-01-01"),
                to: date("2024-06-28"),
                status: Some("BAD".into()),
            }]
        );
        assert_eq!(
            r.violations(),
            [("customerProductReviewsPolicyViolations".to_string(), 4)]
        );
    }

    #[test]
    fn unknown_category_with_defects_count_is_kept_with_a_warning() {
        let r = parse(
            r#"{"performanceMetrics": [{"newPolicyViolations": {"defectsCount": 2},
                                         "somethingElse": {"x": 1}}]}"#,
        );
        assert_eq!(r.violations(), [("newPolicyViolations".to_string(), 2)]);
        assert_eq!(
            r.warnings,
            [
                "performanceMetrics[0].newPolicyViolations: unknown policy category; read for its defectsCount",
                "performanceMetrics[0].somethingElse: unknown key; ignored",
            ]
        );
    }

    #[test]
    fn garbage_is_an_error_with_line_and_column() {
        let err = parse_performance_report(b"{\n  \"accountStatuses\": [\n  oops\n}")
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "line 3, column 3: cannot be read as JSON (expected value); \
             expected a JSON object (Amazon's GET_V2_SELLER_PERFORMANCE_REPORT)"
        );

        let err = parse_performance_report(b"").unwrap_err().to_string();
        assert!(err.contains("line 1, column 0"), "{err}");
        let err = parse_performance_report(b"\xff\xfe not json")
            .unwrap_err()
            .to_string();
        assert!(err.contains("line 1, column 1"), "{err}");
    }

    #[test]
    fn top_level_must_be_an_object() {
        for (doc, found) in [
            ("[]", "sequence"),
            ("\"text\"", "string \"text\""),
            ("42", "integer `42`"),
        ] {
            let err = parse_performance_report(doc.as_bytes())
                .unwrap_err()
                .to_string();
            assert!(err.starts_with("line 1, column "), "{doc}: {err}");
            assert!(
                err.ends_with(&format!(
                    "invalid type: {found}, expected a JSON object \
                     (Amazon's GET_V2_SELLER_PERFORMANCE_REPORT)"
                )),
                "{doc}: {err}"
            );
        }
    }

    #[test]
    fn byte_order_mark_is_tolerated() {
        let r = parse_performance_report(b"\xEF\xBB\xBF{\"accountStatuses\": []}").unwrap();
        assert_eq!(r, PerformanceReport::default());
    }

    #[test]
    fn deeply_nested_junk_never_panics() {
        // Junk within serde_json's nesting limit is skipped with a warning.
        let junk = format!("{}{}", "[".repeat(100), "]".repeat(100));
        let doc = format!(
            r#"{{"performanceMetrics": [{{"lateShipmentRate": {junk}, "x": {{"a": {junk}}}}}],
                 "accountStatuses": {junk}}}"#
        );
        let r = parse(&doc);
        assert_eq!(r.marketplaces.len(), 1);
        assert!(r.marketplaces[0].rates.is_empty());
        assert_eq!(r.warnings.len(), 3, "{:?}", r.warnings);

        // Beyond it, serde_json stops with an error instead of overflowing the stack.
        let deep = format!(r#"{{"x": {}{}}}"#, "[".repeat(100_000), "]".repeat(100_000));
        let err = parse_performance_report(deep.as_bytes())
            .unwrap_err()
            .to_string();
        assert!(err.contains("recursion limit"), "{err}");
    }

    #[test]
    fn wrong_types_are_warnings_with_their_path() {
        let r = parse(
            r#"{"accountStatuses": [7, {"marketplaceId": "X"}, {"status": "PAUSED"}],
                "performanceMetrics": [
                  "text",
                  {"lateShipmentRate": {"orderCount": true, "lateShipmentCount": -3,
                       "rate": "fast", "status": 1,
                       "reportingDateRange": {"reportingDateFrom": "21/10/2020",
                                              "reportingDateTo": 20201027}},
                   "orderDefectRate": {"mfm": {}},
                   "listingPolicyViolations": {"defectsCount": 1.5, "status": "BAD"},
                   "warningStates": [{"status": "BAD"}, null],
                   "validTrackingRate": [1, 2]}],
                "errors": null}"#,
        );
        assert_eq!(
            r.warnings,
            [
                "accountStatuses[0]: expected an object, found 7; ignored",
                "accountStatuses[1]: account status entry has no status; ignored",
                "accountStatuses[2]: unknown account status \"PAUSED\"; treated as not NORMAL",
                "performanceMetrics[0]: expected an object, found the string \"text\"; ignored",
                "performanceMetrics[1].lateShipmentRate.reportingDateRange.reportingDateFrom: unreadable date \"21/10/2020\"; ignored",
                "performanceMetrics[1].lateShipmentRate.reportingDateRange.reportingDateTo: expected a string, found 20201027; ignored",
                "performanceMetrics[1].lateShipmentRate.lateShipmentCount: expected a whole number of at least 0, found -3; ignored",
                "performanceMetrics[1].lateShipmentRate.orderCount: expected a whole number of at least 0, found true; ignored",
                "performanceMetrics[1].lateShipmentRate.rate: expected a number, found the string \"fast\"; ignored",
                "performanceMetrics[1].lateShipmentRate.status: expected a string, found 1; ignored",
                "performanceMetrics[1].orderDefectRate: has neither an mfn nor an afn block; ignored",
                "performanceMetrics[1].listingPolicyViolations.defectsCount: expected a whole number of at least 0, found 1.5; ignored",
                "performanceMetrics[1].listingPolicyViolations: no readable defectsCount; counted as 0",
                "performanceMetrics[1].warningStates[0]: warning state has no warningType; ignored",
                "performanceMetrics[1].warningStates[1]: expected an object, found null; ignored",
                "performanceMetrics[1].validTrackingRate: expected an object, found an array; ignored",
                "errors: unknown key; ignored",
            ]
        );
        assert_eq!(statuses(&r), [("", "PAUSED")]);
        let m = &r.marketplaces[0];
        let lsr = rate(m, "late_shipment_rate");
        assert_eq!(
            (lsr.numerator, lsr.denominator, lsr.rate),
            (None, None, None)
        );
        // The category is kept for its BAD status.
        assert_eq!(r.violations(), [("listingPolicyViolations".to_string(), 0)]);
    }

    #[test]
    fn odd_keys_are_quoted_in_paths() {
        let r = parse("{\"bad key\\u001b[31m\": 1}");
        assert_eq!(
            r.warnings,
            ["[\"bad key\\u{1b}[31m\"]: unknown key; ignored"]
        );
    }

    #[test]
    fn warnings_are_capped() {
        let junk = vec!["1"; 500].join(",");
        let r = parse(&format!(r#"{{"performanceMetrics": [{junk}]}}"#));
        assert_eq!(r.warnings.len(), MAX_WARNINGS + 1);
        assert_eq!(r.warnings.last().unwrap(), "400 further warnings not shown");
    }

    #[test]
    fn reporting_dates_in_their_forms() {
        let cases = [
            ("2020-10-21T00:00Z", "2020-10-21"),
            ("2020-10-27T23:59Z", "2020-10-27"),
            ("2020-10-21T00:00:00Z", "2020-10-21"),
            ("2020-10-21T00:00:00.000Z", "2020-10-21"),
            ("2020-10-21", "2020-10-21"),
            ("2020-10-21T12:30", "2020-10-21"),
            ("2020-10-21 12:30:00", "2020-10-21"),
            // Calendar dates of the UTC instant, not of the local time.
            ("2020-10-21T23:30:00-02:00", "2020-10-22"),
            ("2020-10-21T00:30+0900", "2020-10-20"),
            ("2020-10-21T00:30+09:00", "2020-10-20"),
        ];
        for (text, want) in cases {
            assert_eq!(parse_date(text), date(want), "{text}");
        }
        for text in [
            "",
            "yesterday",
            "2020-13-01",
            "21.10.2020",
            "2020-10-21T25:00Z",
        ] {
            assert_eq!(parse_date(text), None, "{text}");
        }
    }

    #[test]
    fn worst_account_status_ordering() {
        let report = |list: &[&str]| PerformanceReport {
            account_statuses: list
                .iter()
                .enumerate()
                .map(|(i, s)| AccountStatus {
                    marketplace_id: format!("M{i}"),
                    status: s.to_string(),
                })
                .collect(),
            ..PerformanceReport::default()
        };
        let worst = |list: &[&str]| report(list).worst_account_status().map(str::to_string);
        assert_eq!(worst(&[]), None);
        assert_eq!(worst(&["NORMAL"]).as_deref(), Some("NORMAL"));
        assert_eq!(
            worst(&["NORMAL", "AT_RISK", "NORMAL"]).as_deref(),
            Some("AT_RISK")
        );
        assert_eq!(
            worst(&["AT_RISK", "SUSPENDED", "NORMAL"]).as_deref(),
            Some("SUSPENDED")
        );
        assert_eq!(
            worst(&["DEACTIVATED", "AT_RISK"]).as_deref(),
            Some("DEACTIVATED")
        );
        assert_eq!(
            worst(&["AT_RISK", "DEACTIVATED"]).as_deref(),
            Some("DEACTIVATED")
        );
        // Equally bad: the first listed wins.
        assert_eq!(
            worst(&["SUSPENDED", "DEACTIVATED"]).as_deref(),
            Some("SUSPENDED")
        );
        // An unknown status outranks NORMAL only.
        assert_eq!(
            worst(&["NORMAL", "UNDER_REVIEW"]).as_deref(),
            Some("UNDER_REVIEW")
        );
        assert_eq!(
            worst(&["UNDER_REVIEW", "AT_RISK"]).as_deref(),
            Some("AT_RISK")
        );
    }

    #[test]
    fn account_status_is_upper_cased() {
        let r = parse(
            r#"{"accountStatuses": [{"marketplaceId": "X", "status": " at risk "},
                                    {"marketplaceId": "Y", "status": "Deactivated"}]}"#,
        );
        assert_eq!(statuses(&r), [("X", "AT_RISK"), ("Y", "DEACTIVATED")]);
        assert_eq!(r.worst_account_status(), Some("DEACTIVATED"));
        assert!(r.warnings.is_empty());
    }

    #[test]
    fn serialises_dates_as_iso_strings() {
        let r = example();
        let json = serde_json::to_value(&r).unwrap();
        let lsr = &json["marketplaces"][0]["rates"][1];
        assert_eq!(lsr["metric"], "late_shipment_rate");
        assert_eq!(lsr["from"], "2020-10-21");
        assert_eq!(lsr["to"], "2020-11-19");
        assert_eq!(
            json["marketplaces"][0]["ahr_score"],
            serde_json::Value::Null
        );
        assert_eq!(json["account_statuses"][2]["status"], "SUSPENDED");
    }
}
