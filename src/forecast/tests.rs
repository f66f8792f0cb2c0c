//! Roll-off and peak projections on the bundled fixtures, whose numbers can
//! be followed by hand (as-of 2026-11-20, about 1.7 MFN orders due a day).

use super::*;
use crate::input::{Reach, load_account};
use crate::policy;
use std::path::Path;

fn setup(fixture: &str) -> (Account, Vec<MetricSpec>) {
    let files: Vec<(String, String)> = policy::DEFAULT_PACKS
        .iter()
        .map(|(n, t)| (n.to_string(), t.to_string()))
        .collect();
    let policies = policy::load_texts(&files).unwrap();
    let specs = policies
        .enabled()
        .filter_map(|r| r.check.metric().cloned())
        .collect();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(fixture);
    let account = load_account(
        &dir,
        Reach {
            as_of: None,
            horizon_days: 180,
            detail_days: 180,
        },
    )
    .unwrap();
    (account, specs)
}

fn spec<'a>(specs: &'a [MetricSpec], id: &str) -> &'a MetricSpec {
    specs.iter().find(|s| s.id == id).unwrap()
}

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 20).unwrap()
}

#[test]
fn late_shipments_roll_off_when_their_ship_by_dates_leave_the_window() {
    let (account, specs) = setup("late-shipment");
    let defects = DefectIndex::build(&account, true);
    // The late orders were due 11-11, 11-11, 11-12 and 11-13. On 11-22 the
    // window still holds the one due 11-13 (1 of ~17: above 4%); on 11-23
    // it holds none.
    let lsr10 = spec(&specs, "late_shipment_rate_10d");
    assert_eq!(
        clears_on(&account, lsr10, as_of(), &defects),
        NaiveDate::from_ymd_opt(2026, 11, 23)
    );
    // Over 30 days, new on-time orders dilute them: on 12-11 two late
    // orders are left in ~51 (3.9%: under the breach level, over the 3%
    // warning level), on 12-12 one (about 2%): green.
    let lsr30 = spec(&specs, "late_shipment_rate_30d");
    assert_eq!(
        clears_on(&account, lsr30, as_of(), &defects),
        NaiveDate::from_ymd_opt(2026, 12, 12)
    );
}

#[test]
fn a_healthy_account_at_its_own_pace_never_breaches() {
    let (account, specs) = setup("healthy");
    let defects = DefectIndex::build(&account, true);
    let forecast = project(
        &account,
        &specs,
        as_of(),
        &defects,
        PeakAssumptions {
            multiplier: 1.0,
            days: 30,
            bad_rate: None,
        },
    );
    assert_eq!(forecast.first_breach, None);
    assert_eq!(forecast.to, NaiveDate::from_ymd_opt(2026, 12, 20).unwrap());
    let odr = forecast
        .metrics
        .iter()
        .find(|p| p.metric == "order_defect_rate")
        .unwrap();
    // 150 orders in 60 days, 2.5 a day: after 30 days half the window is new.
    assert_eq!(odr.new_orders, 75);
    assert_eq!(odr.denominator, 150);
    assert_eq!(odr.numerator, 0);
    // floor(1% of 150) = 1 defect fits; the second breaches.
    assert_eq!(odr.more_allowed, 1);
    assert!(
        odr.summary
            .starts_with("2 more defective orders in the next 30 days breach"),
        "{}",
        odr.summary
    );
}

#[test]
fn an_assumed_defect_rate_above_target_breaches_and_says_when() {
    let (account, specs) = setup("healthy");
    let defects = DefectIndex::build(&account, true);
    let lsr = spec(&specs, "late_shipment_rate_10d").clone();
    let forecast = project(
        &account,
        std::slice::from_ref(&lsr),
        as_of(),
        &defects,
        PeakAssumptions {
            multiplier: 3.0,
            days: 10,
            bad_rate: Some(0.10),
        },
    );
    let p = &forecast.metrics[0];
    assert_eq!(p.status, MetricStatus::Breach);
    let first = forecast.first_breach.as_ref().unwrap();
    assert_eq!(first.metric, "late_shipment_rate_10d");
    assert_eq!(Some(first.date), p.breaches_on);
    assert!(
        p.summary
            .contains("with 10% of late shipments it is in breach on"),
        "{}",
        p.summary
    );
}

#[test]
fn metrics_on_target_have_no_roll_off() {
    let (account, specs) = setup("healthy");
    let defects = DefectIndex::build(&account, true);
    // An on-target metric is on target on the first day already.
    let odr = spec(&specs, "order_defect_rate");
    assert_eq!(
        clears_on(&account, odr, as_of(), &defects),
        as_of().succ_opt()
    );
}
