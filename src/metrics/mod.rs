//! Amazon's performance metrics, computed exactly as SPEC "Metrics" defines
//! them: a window of N days ending at as-of covers as-of−N+1 … as-of, an
//! order is a distinct non-cancelled order id unless said otherwise, and
//! rates are compared with exact arithmetic.

use crate::exact::Decimal;
use crate::findings::Evidence;
use crate::i18n::{MessageForm, plural};
use crate::input::dates::Stamp;
use crate::input::records::{Chargeback, Claim, Feedback};
use crate::input::strings::Strings;
use crate::input::values::{CancelledBy, Channel, OrderStatus};
use crate::input::{Account, Order, OrderId, Orders, PackedStamp};
use crate::privacy;
use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};
use smallvec::SmallVec;
use std::cmp::Ordering;
use std::collections::HashMap;

/// What a metric counts; the metric id picks one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MetricKind {
    OrderDefects(Option<Channel>),
    LateShipment,
    PreFulfillmentCancel,
    ValidTracking,
    OnTimeDelivery,
}

/// Every metric id a `rate` rule may name, with what it counts.
pub const METRICS: &[(&str, MetricKind, &str)] = &[
    (
        "order_defect_rate",
        MetricKind::OrderDefects(None),
        "orders with a negative feedback, an A-to-z claim or a service chargeback / orders, by purchase date",
    ),
    (
        "order_defect_rate_mfn",
        MetricKind::OrderDefects(Some(Channel::Mfn)),
        "the order defect rate of seller-fulfilled (MFN) orders",
    ),
    (
        "order_defect_rate_afn",
        MetricKind::OrderDefects(Some(Channel::Afn)),
        "the order defect rate of Amazon-fulfilled (AFN) orders",
    ),
    (
        "late_shipment_rate_10d",
        MetricKind::LateShipment,
        "MFN orders shipped after ship_by, or unshipped past it / MFN orders, by ship_by",
    ),
    (
        "late_shipment_rate_30d",
        MetricKind::LateShipment,
        "MFN orders shipped after ship_by, or unshipped past it / MFN orders, by ship_by",
    ),
    (
        "pre_fulfillment_cancel_rate",
        MetricKind::PreFulfillmentCancel,
        "MFN orders cancelled by the seller or the system / all MFN orders, by purchase date",
    ),
    (
        "valid_tracking_rate",
        MetricKind::ValidTracking,
        "MFN shipped orders with valid tracking / MFN shipped orders, by shipped_at",
    ),
    (
        "on_time_delivery_rate",
        MetricKind::OnTimeDelivery,
        "tracked MFN orders delivered by promised_delivery / tracked MFN orders, by promised_delivery",
    ),
];

pub fn metric_kind(id: &str) -> Option<MetricKind> {
    METRICS
        .iter()
        .find(|(name, ..)| *name == id)
        .map(|(_, kind, _)| *kind)
}

/// Which side of the target is bad.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// Breach when the rate is above the limit (defects, late shipments).
    Above,
    /// Breach when the rate is below the limit (valid tracking, on time).
    Below,
}

/// A metric as a rule configures it.
#[derive(Clone, Debug, PartialEq)]
pub struct MetricSpec {
    pub id: String,
    pub kind: MetricKind,
    pub window_days: u32,
    pub direction: Direction,
    pub breach: Decimal,
    pub warn: Option<Decimal>,
    pub min_denominator: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MetricStatus {
    Ok,
    Warning,
    Breach,
    InsufficientData,
}

impl MetricStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            MetricStatus::Ok => "ok",
            MetricStatus::Warning => "warning",
            MetricStatus::Breach => "breach",
            MetricStatus::InsufficientData => "insufficient_data",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Window {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub days: u32,
}

impl Window {
    pub fn ending(as_of: NaiveDate, days: u32) -> Window {
        let from = as_of
            .checked_sub_days(Days::new(u64::from(days.max(1) - 1)))
            .unwrap_or(NaiveDate::MIN);
        Window {
            from,
            to: as_of,
            days,
        }
    }

    pub fn contains(&self, date: NaiveDate) -> bool {
        self.from <= date && date <= self.to
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Target {
    /// `<=` when the rate must stay at or under the value, `>=` when at or over.
    pub op: &'static str,
    pub value: f64,
}

/// A saved report's target, read back into the operators ahr writes.
#[derive(Deserialize)]
struct TargetText {
    op: String,
    value: f64,
}

impl<'de> Deserialize<'de> for Target {
    fn deserialize<D: serde::Deserializer<'de>>(de: D) -> Result<Target, D::Error> {
        Target::try_from(TargetText::deserialize(de)?).map_err(serde::de::Error::custom)
    }
}

impl TryFrom<TargetText> for Target {
    type Error = String;
    fn try_from(text: TargetText) -> Result<Target, String> {
        let op = ["<=", ">=", "<", ">"]
            .into_iter()
            .find(|op| *op == text.op)
            .ok_or_else(|| format!("unknown target operator `{}`", text.op))?;
        Ok(Target {
            op,
            value: text.value,
        })
    }
}

/// One metric's numbers and verdict, as the report shows them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MetricResult {
    pub numerator: Option<u64>,
    pub denominator: Option<u64>,
    pub value: Option<f64>,
    pub window: Window,
    pub target: Target,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warning_at: Option<f64>,
    pub status: MetricStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The reason as a key and its values, for other languages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason_form: Option<crate::i18n::MessageForm>,
    /// More bad orders the same denominator can take before it breaches;
    /// negative: how far over it already is.
    pub headroom: Option<i64>,
    /// For a metric beyond its target: the day it is back on target if
    /// orders keep coming at the current pace with no new problems.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clears_on: Option<NaiveDate>,
    /// The bad orders behind the numerator, for a finding's evidence.
    #[serde(skip)]
    pub evidence: Vec<Evidence>,
}

/// The defects of every order: negative feedback, claims, chargebacks. It
/// points at their rows and writes evidence only for the orders a metric
/// counts: most of a long history's defects are on orders no window holds.
/// Keyed by the packed id the rows hold, as the orders hold theirs, and
/// hashed as the orders' index hashes them: each order-defect metric asks
/// it about every order in its window.
#[derive(Debug, Default)]
pub struct DefectIndex<'a> {
    by_order: HashMap<&'a OrderId, SmallVec<[Defect<'a>; 1]>, foldhash::fast::RandomState>,
    /// The feedback rows' comments.
    feedback_texts: Option<&'a Strings>,
    mask: bool,
}

/// One defect event, and the file its row is in.
#[derive(Clone, Copy, Debug)]
struct Defect<'a> {
    file: &'a str,
    event: DefectEvent<'a>,
}

#[derive(Clone, Copy, Debug)]
enum DefectEvent<'a> {
    NegativeFeedback(&'a Feedback),
    Claim(&'a Claim),
    /// A claim the returns report marks on a return.
    MarkedClaim(&'a Claim),
    Chargeback(&'a Chargeback),
}

impl<'a> DefectIndex<'a> {
    /// Collects the events SPEC counts as defects: feedback rated 1–2 and not
    /// removed; claims not denied or withdrawn; chargebacks neither fraud nor
    /// won.
    pub fn build(account: &'a Account, mask: bool) -> DefectIndex<'a> {
        let mut index = DefectIndex {
            by_order: HashMap::default(),
            feedback_texts: account.feedback.as_ref().map(|f| &f.texts),
            mask,
        };
        if let Some(feedback) = &account.feedback {
            for f in feedback.rows.iter().filter(|f| f.rating <= 2 && !f.removed) {
                index.add(
                    &f.order_id,
                    &feedback.file,
                    DefectEvent::NegativeFeedback(f),
                );
            }
        }
        if let Some(claims) = &account.claims {
            for c in claims
                .rows
                .iter()
                .filter(|c| !matches!(c.status, Some("denied" | "withdrawn")))
            {
                index.add(&c.order_id, &claims.file, DefectEvent::Claim(c));
            }
        }
        // Claims the returns report marks, unless the claims export already
        // has a claim on that order: one claim is one defect, whichever
        // file shows it.
        let claimed: std::collections::HashSet<&OrderId> = account
            .claims
            .iter()
            .flat_map(|claims| claims.rows.iter().map(|c| &c.order_id))
            .collect();
        for returns in &account.return_claims {
            for c in &returns.rows {
                if !claimed.contains(&c.order_id) {
                    index.add(&c.order_id, &returns.file, DefectEvent::MarkedClaim(c));
                }
            }
        }
        if let Some(chargebacks) = &account.chargebacks {
            for c in chargebacks
                .rows
                .iter()
                .filter(|c| c.kind != Some("fraud") && c.status != Some("won"))
            {
                index.add(&c.order_id, &chargebacks.file, DefectEvent::Chargeback(c));
            }
        }
        index
    }

    fn add(&mut self, order_id: &'a OrderId, file: &'a str, event: DefectEvent<'a>) {
        self.by_order
            .entry(order_id)
            .or_default()
            .push(Defect { file, event });
    }

    /// The evidence of an order's defects, in the order they were found;
    /// `None` when it has none.
    fn of(&self, order_id: &OrderId) -> Option<impl Iterator<Item = Evidence> + '_> {
        let (&order_id, defects) = self.by_order.get_key_value(order_id)?;
        let (mask, feedback_texts) = (self.mask, self.feedback_texts);
        Some(
            defects
                .iter()
                .map(move |d| d.evidence(order_id, feedback_texts, mask)),
        )
    }
}

impl Defect<'_> {
    fn evidence(
        &self,
        order_id: &OrderId,
        feedback_texts: Option<&Strings>,
        mask: bool,
    ) -> Evidence {
        let (line, excerpt) = match self.event {
            DefectEvent::NegativeFeedback(f) => {
                let comment = f
                    .comments
                    .zip(feedback_texts)
                    .map(|(c, texts)| format!(": {}", privacy::excerpt(&texts[c], 80, mask)))
                    .unwrap_or_default();
                (
                    f.line,
                    format!("negative feedback ({}★){comment}", f.rating),
                )
            }
            DefectEvent::Claim(c) => {
                let status = c.status.unwrap_or("status not given");
                (
                    c.line,
                    format!("A-to-z claim ({status}) filed {}", c.filed_at.date),
                )
            }
            DefectEvent::MarkedClaim(c) => (
                c.line,
                format!(
                    "A-to-z claim (marked on a return requested {})",
                    c.filed_at.date
                ),
            ),
            DefectEvent::Chargeback(c) => (
                c.line,
                format!(
                    "chargeback ({}) filed {}",
                    c.kind.unwrap_or("kind not given"),
                    c.filed_at.date
                ),
            ),
        };
        Evidence {
            file: self.file.to_string(),
            line: Some(line),
            key: order_id.to_string(),
            excerpt,
        }
    }
}

/// Non-cancelled orders bought in the window: the score's volume credit.
pub fn orders_in_window(orders: &Orders, window: &Window) -> u64 {
    let full = orders
        .orders
        .iter()
        .filter(|o| !o.is_cancelled() && window.contains(o.purchase.date()))
        .count();
    let volume_only = orders
        .volume_only
        .iter()
        .filter(|o| !o.is_cancelled() && window.contains(o.purchase))
        .count();
    (full + volume_only) as u64
}

/// Computes one metric over the account.
pub fn compute(
    account: &Account,
    spec: &MetricSpec,
    as_of: NaiveDate,
    defects: &DefectIndex<'_>,
) -> MetricResult {
    compute_seen(account, spec, as_of, None, defects)
}

/// Computes one metric with its window ending at `as_of`, counting only what
/// was known on `seen_to` when given: orders, shipments and deliveries after
/// it do not exist yet. This is how a forecast asks "what if nothing new
/// happens"; an ordinary audit passes `None` and counts the exports as they
/// are.
pub fn compute_seen(
    account: &Account,
    spec: &MetricSpec,
    as_of: NaiveDate,
    seen_to: Option<NaiveDate>,
    defects: &DefectIndex<'_>,
) -> MetricResult {
    let window = Window::ending(as_of, spec.window_days);
    let target = Target {
        op: match spec.direction {
            Direction::Above => "<=",
            Direction::Below => ">=",
        },
        value: spec.breach.to_f64(),
    };
    let mut result = MetricResult {
        numerator: None,
        denominator: None,
        value: None,
        window,
        target,
        warning_at: spec.warn.map(Decimal::to_f64),
        status: MetricStatus::InsufficientData,
        reason: None,
        reason_form: None,
        headroom: None,
        clears_on: None,
        evidence: Vec::new(),
    };
    let Some(orders) = &account.orders else {
        result.reason = Some("no orders file: no rate can be computed without it".into());
        result.reason_form = Some(MessageForm::new("reason_no_orders", &[]));
        return result;
    };
    if let Some(missing) = missing_column(orders, spec.kind) {
        result.reason = Some(format!(
            "{} has no {missing} column, which this metric is counted by",
            orders.file
        ));
        result.reason_form = Some(MessageForm::new(
            "reason_missing_column",
            &[
                ("file", orders.file.clone()),
                ("column", missing.to_string()),
            ],
        ));
        return result;
    }
    let view = View {
        window: &result.window,
        as_of,
        seen_to,
    };
    let counted = count(orders, spec.kind, &view, defects);
    let (num, den) = (counted.numerator, counted.denominator);
    result.numerator = Some(num);
    result.denominator = Some(den);
    result.evidence = counted.evidence;
    if den == 0 {
        result.reason = Some(format!(
            "no qualifying orders between {} and {}",
            result.window.from, result.window.to
        ));
        result.reason_form = Some(MessageForm::new(
            "reason_empty_window",
            &[
                ("from", result.window.from.to_string()),
                ("to", result.window.to.to_string()),
            ],
        ));
        return result;
    }
    result.value = Some(round6(num as f64 / den as f64));
    result.headroom = Some(headroom(spec, num, den));
    if den < spec.min_denominator {
        result.reason = Some(format!(
            "{} in the window; this rule needs at least {} before the rate means something",
            plural(den, "order", "orders"),
            spec.min_denominator
        ));
        result.reason_form = Some(MessageForm::new(
            "reason_min_denominator",
            &[
                ("orders", den.to_string()),
                ("min", spec.min_denominator.to_string()),
            ],
        ));
        return result;
    }
    result.status = judge(spec, num, den);
    result
}

fn missing_column(orders: &Orders, kind: MetricKind) -> Option<&'static str> {
    match kind {
        MetricKind::OrderDefects(_) => None,
        MetricKind::LateShipment if !orders.has_ship_by => Some("ship_by"),
        // Without ship dates every shipped order would look on time.
        MetricKind::LateShipment if !orders.has_shipped_at => Some("shipped_at"),
        MetricKind::PreFulfillmentCancel if !orders.has_status => Some("status"),
        MetricKind::ValidTracking if !orders.has_shipped_at => Some("shipped_at"),
        MetricKind::OnTimeDelivery if !orders.has_promised_delivery => Some("promised_delivery"),
        MetricKind::OnTimeDelivery if !orders.has_delivered_at => Some("delivered_at"),
        _ => None,
    }
}

/// Where the rate stands against its breach and warning levels.
pub(crate) fn judge(spec: &MetricSpec, num: u64, den: u64) -> MetricStatus {
    // `level.cmp_fraction(num, den)` is level <=> num/den.
    let beyond = |level: Decimal| match spec.direction {
        Direction::Above => level.cmp_fraction(num, den) == Ordering::Less,
        Direction::Below => level.cmp_fraction(num, den) == Ordering::Greater,
    };
    if beyond(spec.breach) {
        MetricStatus::Breach
    } else if spec.warn.is_some_and(beyond) {
        MetricStatus::Warning
    } else {
        MetricStatus::Ok
    }
}

/// How many more bad orders fit under the breach level at this denominator.
fn headroom(spec: &MetricSpec, num: u64, den: u64) -> i64 {
    let value = match spec.direction {
        Direction::Above => spec.breach.floor_mul(den) - i128::from(num),
        Direction::Below => i128::from(num) - spec.breach.ceil_mul(den),
    };
    value.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
}

fn round6(value: f64) -> f64 {
    (value * 1e6).round() / 1e6
}

struct Counted {
    numerator: u64,
    denominator: u64,
    evidence: Vec<Evidence>,
}

/// The window a metric counts in, and how far the exports are believed.
struct View<'w> {
    window: &'w Window,
    as_of: NaiveDate,
    seen_to: Option<NaiveDate>,
}

impl View<'_> {
    fn holds(&self, date: NaiveDate) -> bool {
        self.window.contains(date) && self.seen_to.is_none_or(|t| date <= t)
    }

    /// An event, if it had happened by `seen_to`.
    fn seen(&self, stamp: Option<Stamp>) -> Option<Stamp> {
        match self.seen_to {
            Some(t) => stamp.filter(|s| s.date <= t),
            None => stamp,
        }
    }

    /// The day an unshipped order is judged on.
    fn judged_on(&self) -> NaiveDate {
        self.seen_to.unwrap_or(self.as_of)
    }
}

fn count(orders: &Orders, kind: MetricKind, view: &View<'_>, defects: &DefectIndex<'_>) -> Counted {
    let mut counted = Counted {
        numerator: 0,
        denominator: 0,
        evidence: Vec::new(),
    };
    let mfn_only = |o: &&Order| o.channel == Channel::Mfn;
    let live = |o: &&Order| !o.is_cancelled();
    let file = &orders.file;
    let order_evidence = |o: &Order, excerpt: String| Evidence {
        file: file.clone(),
        line: Some(u64::from(o.line)),
        key: o.id.to_string(),
        excerpt,
    };
    match kind {
        MetricKind::OrderDefects(channel) => {
            for order in orders
                .orders
                .iter()
                .filter(live)
                .filter(|o| channel.is_none_or(|c| o.channel == c))
                .filter(|o| view.holds(o.purchase.date()))
            {
                counted.denominator += 1;
                if let Some(events) = defects.of(&order.id) {
                    counted.numerator += 1;
                    counted.evidence.extend(events);
                }
            }
        }
        MetricKind::LateShipment => {
            for order in orders.orders.iter().filter(mfn_only).filter(live) {
                let Some(ship_by) = order
                    .ship_by
                    .map(PackedStamp::stamp)
                    .filter(|s| view.holds(s.date))
                else {
                    continue;
                };
                counted.denominator += 1;
                let judged_on = view.judged_on();
                let unshipped = order.shipped_at.is_some() || is_unshipped(order);
                let late = match view.seen(order.shipped_at.map(PackedStamp::stamp)) {
                    Some(shipped) => shipped
                        .is_after(&ship_by)
                        .then(|| format!("ship by {}, shipped {}", ship_by.date, shipped.date)),
                    None if unshipped && ship_by.date < judged_on => Some(format!(
                        "ship by {}, not shipped by {judged_on}",
                        ship_by.date
                    )),
                    None => None,
                };
                if let Some(excerpt) = late {
                    counted.numerator += 1;
                    counted.evidence.push(order_evidence(order, excerpt));
                }
            }
        }
        MetricKind::PreFulfillmentCancel => {
            for order in orders
                .orders
                .iter()
                .filter(mfn_only)
                .filter(|o| view.holds(o.purchase.date()))
            {
                counted.denominator += 1;
                if order.is_cancelled() && order.cancelled_by != Some(CancelledBy::Buyer) {
                    counted.numerator += 1;
                    let by = match order.cancelled_by {
                        Some(CancelledBy::Seller) => "by the seller",
                        Some(CancelledBy::System) => "by the system",
                        _ => "with no cancelled_by (counted as the seller's)",
                    };
                    counted.evidence.push(order_evidence(
                        order,
                        format!("bought {}, cancelled {by}", order.purchase.date()),
                    ));
                }
            }
        }
        MetricKind::ValidTracking => {
            for order in orders
                .orders
                .iter()
                .filter(mfn_only)
                .filter(live)
                .filter(|o| {
                    view.seen(o.shipped_at.map(PackedStamp::stamp))
                        .is_some_and(|s| view.holds(s.date))
                })
            {
                counted.denominator += 1;
                if has_valid_tracking(orders, order) {
                    counted.numerator += 1;
                } else {
                    let shipped = order
                        .shipped_at
                        .map(|s| s.date().to_string())
                        .unwrap_or_default();
                    counted.evidence.push(order_evidence(
                        order,
                        format!("shipped {shipped} without valid tracking"),
                    ));
                }
            }
        }
        MetricKind::OnTimeDelivery => {
            for order in orders
                .orders
                .iter()
                .filter(mfn_only)
                .filter(live)
                .filter(|o| has_valid_tracking(orders, o))
            {
                let Some(promised) = order
                    .promised_delivery
                    .map(PackedStamp::stamp)
                    .filter(|s| view.holds(s.date))
                else {
                    continue;
                };
                counted.denominator += 1;
                match view.seen(order.delivered_at.map(PackedStamp::stamp)) {
                    Some(delivered) if !delivered.is_after(&promised) => counted.numerator += 1,
                    Some(delivered) => counted.evidence.push(order_evidence(
                        order,
                        format!("promised {}, delivered {}", promised.date, delivered.date),
                    )),
                    None => counted.evidence.push(order_evidence(
                        order,
                        format!("promised {}, no delivery recorded", promised.date),
                    )),
                }
            }
        }
    }
    counted
}

/// An order is unshipped when nothing says it left: no ship date and a
/// status that is not Shipped or Delivered.
fn is_unshipped(order: &Order) -> bool {
    order.shipped_at.is_none()
        && !matches!(
            order.status,
            Some(OrderStatus::Shipped | OrderStatus::Delivered)
        )
}

/// `tracking_valid` decides when the column exists; otherwise a non-empty
/// tracking id is valid tracking.
fn has_valid_tracking(orders: &Orders, order: &Order) -> bool {
    if orders.has_tracking_valid {
        order.tracking.valid() == Some(true)
    } else {
        order.tracking.has_id()
    }
}

#[cfg(test)]
mod tests;
