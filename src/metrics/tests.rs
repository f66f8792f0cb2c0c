//! Each metric on small hand-built accounts, with the window edges, the
//! exclusions and the headroom arithmetic the SPEC defines.

use super::*;
use crate::input::dates::parse_stamp;
use crate::input::records::{Chargeback, Claim, Feedback, Source};
use crate::input::{Orders, Tracking};

fn stamp(text: &str) -> Stamp {
    parse_stamp(text, None).unwrap()
}

/// A stamp as an order holds it.
fn packed(text: &str) -> PackedStamp {
    PackedStamp::new(stamp(text)).unwrap()
}

fn date(text: &str) -> NaiveDate {
    stamp(text).date
}

const AS_OF: &str = "2026-11-20";

fn order(id: &str, bought: &str) -> Order {
    Order {
        status: Some(OrderStatus::Shipped),
        ..Order::bought(id, 2, stamp(bought))
    }
}

fn account(orders: Vec<Order>) -> Account {
    Account {
        orders: Some(Orders {
            file: "orders.csv".into(),
            orders: orders.into(),
            volume_only: Default::default(),
            strings: Default::default(),
            has_fulfillment: true,
            has_tracking_valid: true,
            has_ship_by: true,
            has_shipped_at: true,
            has_promised_delivery: true,
            has_delivered_at: true,
            has_status: true,
            latest_purchase: Some(date(AS_OF)),
        }),
        ..Account::default()
    }
}

fn spec(id: &str, days: u32, direction: Direction, breach: f64) -> MetricSpec {
    MetricSpec {
        id: id.into(),
        kind: metric_kind(id).unwrap(),
        window_days: days,
        direction,
        breach: Decimal::from_f64(breach).unwrap(),
        warn: None,
        min_denominator: 1,
    }
}

fn run(account: &Account, spec: &MetricSpec) -> MetricResult {
    let defects = DefectIndex::build(account, true);
    compute(account, spec, date(AS_OF), &defects)
}

#[test]
fn window_covers_as_of_minus_n_plus_one_through_as_of() {
    let w = Window::ending(date(AS_OF), 60);
    assert_eq!(w.from, date("2026-09-22"));
    assert!(w.contains(date("2026-09-22")));
    assert!(!w.contains(date("2026-09-21")));
    assert!(w.contains(date(AS_OF)));
    assert!(!w.contains(date("2026-11-21")));
}

#[test]
fn odr_counts_each_defective_order_once_and_skips_cancelled_and_out_of_window() {
    let mut cancelled = order("C", "2026-11-01");
    cancelled.status = Some(OrderStatus::Cancelled);
    let mut a = account(vec![
        order("A", "2026-09-22T00:30:00Z"), // first day of the window
        order("B", "2026-11-19"),
        order("OLD", "2026-09-21T23:59:00Z"), // a day too early
        cancelled,
        order("D", "2026-10-10"),
        order("E", "2026-10-11"),
    ]);
    let s = Stamp::on(date("2026-11-10"));
    a.feedback = Some(Source {
        file: "feedback.csv".into(),
        texts: Default::default(),
        rows: vec![
            Feedback {
                line: 2,
                date: s,
                rating: 1,
                comments: None,
                order_id: "A".into(),
                removed: false,
            },
            Feedback {
                line: 3,
                date: s,
                rating: 2,
                comments: None,
                order_id: "A".into(),
                removed: false,
            },
            Feedback {
                line: 4,
                date: s,
                rating: 1,
                comments: None,
                order_id: "OLD".into(),
                removed: false,
            },
            Feedback {
                line: 5,
                date: s,
                rating: 1,
                comments: None,
                order_id: "B".into(),
                removed: true,
            },
            Feedback {
                line: 6,
                date: s,
                rating: 3,
                comments: None,
                order_id: "D".into(),
                removed: false,
            },
        ],
    });
    a.claims = Some(Source {
        file: "claims.csv".into(),
        texts: Default::default(),
        rows: vec![
            Claim {
                line: 2,
                order_id: "D".into(),
                filed_at: s,
                status: Some("denied"),
                reason: None,
            },
            Claim {
                line: 3,
                order_id: "E".into(),
                filed_at: s,
                status: None,
                reason: None,
            },
        ],
    });
    a.chargebacks = Some(Source {
        file: "chargebacks.csv".into(),
        texts: Default::default(),
        rows: vec![
            Chargeback {
                line: 2,
                order_id: "B".into(),
                filed_at: s,
                kind: Some("fraud"),
                status: None,
            },
            Chargeback {
                line: 3,
                order_id: "D".into(),
                filed_at: s,
                kind: Some("service"),
                status: Some("won"),
            },
        ],
    });
    let r = run(&a, &spec("order_defect_rate", 60, Direction::Above, 0.01));
    // A (two feedbacks, one order) and E (claim without status) are defects.
    assert_eq!((r.numerator, r.denominator), (Some(2), Some(4)));
    assert_eq!(r.status, MetricStatus::Breach);
    assert_eq!(r.evidence.len(), 3);
}

#[test]
fn odr_splits_by_channel() {
    let mut afn = order("F", "2026-11-01");
    afn.channel = Channel::Afn;
    let a = account(vec![order("M", "2026-11-01"), afn]);
    let mfn = run(
        &a,
        &spec("order_defect_rate_mfn", 60, Direction::Above, 0.01),
    );
    let afn = run(
        &a,
        &spec("order_defect_rate_afn", 60, Direction::Above, 0.01),
    );
    assert_eq!((mfn.denominator, afn.denominator), (Some(1), Some(1)));
}

#[test]
fn late_shipment_counts_late_and_overdue_unshipped_by_ship_by() {
    let mut on_time = order("ON", "2026-11-10");
    on_time.ship_by = Some(packed("2026-11-12"));
    on_time.shipped_at = Some(packed("2026-11-12T20:00:00Z")); // same day as a date-only ship-by
    let mut late = order("LATE", "2026-11-10");
    late.ship_by = Some(packed("2026-11-12T18:00:00Z"));
    late.shipped_at = Some(packed("2026-11-12T19:00:00Z")); // an hour late
    let mut overdue = order("OVERDUE", "2026-11-15");
    overdue.status = Some(OrderStatus::Unshipped);
    overdue.ship_by = Some(packed("2026-11-19"));
    let mut due_today = order("TODAY", "2026-11-18");
    due_today.status = Some(OrderStatus::Unshipped);
    due_today.ship_by = Some(packed(AS_OF));
    let mut outside = order("OUT", "2026-11-01");
    outside.ship_by = Some(packed("2026-11-10"));
    outside.shipped_at = Some(packed("2026-11-15"));
    let mut afn = order("AFN", "2026-11-14");
    afn.channel = Channel::Afn;
    afn.ship_by = Some(packed("2026-11-15"));
    afn.shipped_at = Some(packed("2026-11-17"));
    let a = account(vec![on_time, late, overdue, due_today, outside, afn]);
    let r = run(
        &a,
        &spec("late_shipment_rate_10d", 10, Direction::Above, 0.04),
    );
    assert_eq!((r.numerator, r.denominator), (Some(2), Some(4)));
}

#[test]
fn cancel_rate_counts_seller_and_system_cancels_over_all_mfn_orders() {
    let cancel = |id: &str, by: Option<CancelledBy>| {
        let mut o = order(id, "2026-11-18");
        o.status = Some(OrderStatus::Cancelled);
        o.cancelled_by = by;
        o
    };
    let a = account(vec![
        cancel("S", Some(CancelledBy::Seller)),
        cancel("Y", Some(CancelledBy::System)),
        cancel("N", None),
        cancel("B", Some(CancelledBy::Buyer)),
        order("OK", "2026-11-14"),
        order("OLD", "2026-11-13"), // 8 days back: outside the 7-day window
    ]);
    let r = run(
        &a,
        &spec("pre_fulfillment_cancel_rate", 7, Direction::Above, 0.025),
    );
    assert_eq!((r.numerator, r.denominator), (Some(3), Some(5)));
}

#[test]
fn valid_tracking_uses_the_column_or_falls_back_to_a_tracking_id() {
    let shipped = |id: &str, valid: Option<bool>, has_id: bool| {
        let mut o = order(id, "2026-11-01");
        o.shipped_at = Some(packed("2026-11-02"));
        o.tracking = Tracking::new(valid, has_id);
        o
    };
    let mut a = account(vec![
        shipped("V", Some(true), true),
        shipped("I", Some(false), true),
        shipped("E", None, true),
    ]);
    let s = spec("valid_tracking_rate", 30, Direction::Below, 0.95);
    let r = run(&a, &s);
    assert_eq!((r.numerator, r.denominator), (Some(1), Some(3)));
    a.orders.as_mut().unwrap().has_tracking_valid = false;
    let r = run(&a, &s);
    assert_eq!((r.numerator, r.denominator), (Some(3), Some(3)));
}

#[test]
fn on_time_delivery_counts_tracked_orders_by_promised_date() {
    let tracked = |id: &str, promised: &str, delivered: Option<&str>| {
        let mut o = order(id, "2026-11-01");
        o.tracking = Tracking::new(Some(true), false);
        o.promised_delivery = Some(packed(promised));
        o.delivered_at = delivered.map(packed);
        o
    };
    let mut untracked = tracked("U", "2026-11-15", None);
    untracked.tracking = Tracking::new(Some(false), false);
    let a = account(vec![
        tracked("ON", "2026-11-15", Some("2026-11-15T23:00:00Z")),
        tracked("LATE", "2026-11-15", Some("2026-11-16")),
        tracked("NONE", "2026-11-15", None),
        tracked("OLD", "2026-11-06", Some("2026-11-20")),
        untracked,
    ]);
    let r = run(
        &a,
        &spec("on_time_delivery_rate", 14, Direction::Below, 0.9),
    );
    assert_eq!((r.numerator, r.denominator), (Some(1), Some(3)));
}

#[test]
fn headroom_is_exact_on_both_sides_of_the_target() {
    let many = |n: usize| {
        (0..n)
            .map(|i| order(&format!("O{i}"), "2026-11-01"))
            .collect::<Vec<_>>()
    };
    let a = account(many(812));
    let s = spec("order_defect_rate", 60, Direction::Above, 0.01);
    assert_eq!(headroom(&s, 3, 812), 5);
    assert_eq!(headroom(&s, 9, 812), -1);
    assert_eq!(judge(&s, 8, 812), MetricStatus::Ok);
    assert_eq!(
        judge(&s, 1, 100),
        MetricStatus::Ok,
        "exactly 1% is not above 1%"
    );
    assert_eq!(judge(&s, 2, 100), MetricStatus::Breach);
    let s7 = spec("order_defect_rate", 60, Direction::Above, 0.07);
    assert_eq!(headroom(&s7, 0, 100), 7, "floor(0.07 × 100) is 7, not 6");
    let below = spec("valid_tracking_rate", 30, Direction::Below, 0.95);
    assert_eq!(headroom(&below, 97, 100), 2);
    assert_eq!(headroom(&below, 94, 99), -1);
    assert_eq!(judge(&below, 95, 100), MetricStatus::Ok);
    assert_eq!(run(&a, &s).headroom, Some(8));
}

#[test]
fn warnings_sit_between_the_warning_and_breach_levels() {
    let mut s = spec("order_defect_rate", 60, Direction::Above, 0.01);
    s.warn = Decimal::from_f64(0.0075);
    assert_eq!(judge(&s, 8, 1000), MetricStatus::Warning);
    assert_eq!(judge(&s, 7, 1000), MetricStatus::Ok);
    assert_eq!(judge(&s, 11, 1000), MetricStatus::Breach);
}

#[test]
fn too_few_orders_or_no_orders_file_is_insufficient_data_not_zero() {
    let s = MetricSpec {
        min_denominator: 100,
        ..spec("order_defect_rate", 60, Direction::Above, 0.01)
    };
    let r = run(&account(vec![order("A", "2026-11-01")]), &s);
    assert_eq!(r.status, MetricStatus::InsufficientData);
    assert_eq!(r.denominator, Some(1));
    let r = run(&Account::default(), &s);
    assert_eq!(r.status, MetricStatus::InsufficientData);
    assert_eq!((r.numerator, r.denominator, r.value), (None, None, None));
    assert!(r.reason.unwrap().contains("no orders file"));
}

#[test]
fn a_missing_column_is_insufficient_data_with_the_reason() {
    let mut a = account(vec![order("A", "2026-11-01")]);
    a.orders.as_mut().unwrap().has_ship_by = false;
    let r = run(
        &a,
        &spec("late_shipment_rate_30d", 30, Direction::Above, 0.04),
    );
    assert_eq!(r.status, MetricStatus::InsufficientData);
    assert!(r.reason.unwrap().contains("ship_by"));
}

#[test]
fn late_shipment_needs_ship_dates_as_well_as_ship_by() {
    // Shipped orders with a ship-by and no ship date would all look on
    // time: a file of expected ship dates alone does not make a rate.
    let mut shipped = order("A", "2026-11-01");
    shipped.ship_by = Some(packed("2026-11-03"));
    let mut a = account(vec![shipped]);
    a.orders.as_mut().unwrap().has_shipped_at = false;
    let r = run(
        &a,
        &spec("late_shipment_rate_30d", 30, Direction::Above, 0.04),
    );
    assert_eq!(r.status, MetricStatus::InsufficientData);
    assert!(r.reason.unwrap().contains("shipped_at"));
}
