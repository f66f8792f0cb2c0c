//! Account Health Assurance: whether the account meets the program's bar
//! (Amazon's memo: AHR at or above 250 for the last 6 months with no more
//! than 10 days below, and a valid emergency contact; US and CA only), and
//! if not, why and from which day it could, from the daily AHR in
//! `health_history` and `emergency_contact` in account.toml.

use crate::input::Profile;
use crate::input::records::{HealthDay, Source};
use chrono::{Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The program's terms. Amazon's, not a risk model's: they change only when
/// Amazon changes the program.
/// `[scoring.assurance]` in the policies may change them; these defaults
/// are the published terms, so a policy without the table still judges.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssuranceBar {
    pub min_ahr: u16,
    pub months: u32,
    pub max_days_below: u32,
    /// Marketplaces the program is offered in.
    pub marketplaces: Vec<String>,
}

impl Default for AssuranceBar {
    fn default() -> Self {
        AssuranceBar {
            min_ahr: 250,
            months: 6,
            max_days_below: 10,
            marketplaces: vec!["US".into(), "CA".into()],
        }
    }
}

/// The `assurance` section of the report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Assurance {
    pub eligible: bool,
    /// Why not, one sentence each; empty when eligible.
    pub reasons: Vec<String>,
    /// The first day the AHR part of the bar is met (today when it already
    /// is), assuming the AHR stays at or above the bar after the last
    /// recorded day. `None` when the history is empty.
    pub eligible_from: Option<NaiveDate>,
    /// The day judged: the last recorded day on or before as-of.
    pub evaluated_on: Option<NaiveDate>,
    /// The look-back window ending on `evaluated_on`.
    pub window_from: Option<NaiveDate>,
    pub days_below: u32,
    /// Days of the window that health_history has no AHR for.
    pub days_missing: u32,
    pub latest_ahr: Option<u16>,
    pub min_ahr: u16,
    pub max_days_below: u32,
    pub months: u32,
    pub emergency_contact: bool,
}

/// Judges the account against the bar; `None` without a health_history file.
pub fn assess(
    history: Option<&Source<HealthDay>>,
    profile: &Profile,
    as_of: NaiveDate,
    bar: &AssuranceBar,
) -> Option<Assurance> {
    let history = history?;
    let days: BTreeMap<NaiveDate, u16> = history
        .rows
        .iter()
        .filter(|d| d.date <= as_of)
        .map(|d| (d.date, d.ahr))
        .collect();
    let contact = profile.emergency_contact.is_some();
    let mut out = Assurance {
        eligible: false,
        reasons: Vec::new(),
        eligible_from: None,
        evaluated_on: None,
        window_from: None,
        days_below: 0,
        days_missing: 0,
        latest_ahr: None,
        min_ahr: bar.min_ahr,
        max_days_below: bar.max_days_below,
        months: bar.months,
        emergency_contact: contact,
    };
    if let Some(code) = profile.marketplace.as_deref()
        && !bar.marketplaces.iter().any(|m| m == code)
    {
        out.reasons.push(format!(
            "Account Health Assurance is offered in {} only; this account sells in {code}",
            bar.marketplaces.join(" and ")
        ));
    }
    if !contact {
        out.reasons.push(
            "account.toml has no emergency_contact: the program needs a valid emergency contact phone"
                .into(),
        );
    }
    let (Some((&first, _)), Some((&end, &latest))) =
        (days.first_key_value(), days.last_key_value())
    else {
        out.reasons
            .push(format!("{} has no AHR on or before {as_of}", history.file));
        return Some(out);
    };
    let start = window_start(end, bar.months);
    out.evaluated_on = Some(end);
    out.window_from = Some(start);
    out.latest_ahr = Some(latest);
    out.days_below = below_between(&days, start, end, bar.min_ahr);
    let span = (end - start.max(first)).num_days() + 1;
    out.days_missing = u32::try_from(span)
        .unwrap_or(0)
        .saturating_sub(u32::try_from(days.range(start..=end).count()).unwrap_or(u32::MAX));
    if first > start {
        out.reasons.push(format!(
            "{} starts on {first}; the program looks at the {} months from {start}",
            history.file, bar.months
        ));
    }
    if out.days_below > bar.max_days_below {
        out.reasons.push(format!(
            "AHR was below {} on {} days between {start} and {end}; at most {} are allowed",
            bar.min_ahr, out.days_below, bar.max_days_below
        ));
    }
    if latest < bar.min_ahr {
        out.reasons.push(format!(
            "the latest AHR ({latest} on {end}) is below {}",
            bar.min_ahr
        ));
    }
    out.eligible_from = first_good_day(&days, first, end, latest, bar);
    out.eligible = out.reasons.is_empty();
    Some(out)
}

/// The first day of the look-back window that ends on `end`.
fn window_start(end: NaiveDate, months: u32) -> NaiveDate {
    end.checked_sub_months(Months::new(months))
        .and_then(|d| d.checked_add_days(Days::new(1)))
        .unwrap_or(NaiveDate::MIN)
}

fn below_between(days: &BTreeMap<NaiveDate, u16>, from: NaiveDate, to: NaiveDate, min: u16) -> u32 {
    let count = days.range(from..=to).filter(|(_, ahr)| **ahr < min).count();
    u32::try_from(count).unwrap_or(u32::MAX)
}

/// The first day from `end` on whose window the AHR part of the bar holds,
/// taking days after `end` as at or above the bar.
fn first_good_day(
    days: &BTreeMap<NaiveDate, u16>,
    first: NaiveDate,
    end: NaiveDate,
    latest: u16,
    bar: &AssuranceBar,
) -> Option<NaiveDate> {
    // A window's worth of days always suffices: by then every recorded day has left it.
    let limit = i64::from(bar.months) * 31 + 1;
    (0..=limit).find_map(|offset| {
        let day = end.checked_add_days(Days::new(u64::try_from(offset).ok()?))?;
        let start = window_start(day, bar.months);
        let ok = first <= start
            && below_between(days, start, day, bar.min_ahr) <= bar.max_days_below
            && (day > end || latest >= bar.min_ahr);
        ok.then_some(day)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    /// Daily AHR from `from` to `to`, with `low` days (inclusive range) at 240.
    fn history(from: &str, to: &str, low: Option<(&str, &str)>) -> Source<HealthDay> {
        let mut rows = Vec::new();
        let mut day = date(from);
        while day <= date(to) {
            let is_low = low.is_some_and(|(a, b)| date(a) <= day && day <= date(b));
            rows.push(HealthDay {
                line: rows.len() as u64 + 2,
                date: day,
                ahr: if is_low { 240 } else { 310 },
            });
            day = day.succ_opt().unwrap();
        }
        Source {
            file: "health_history.csv".into(),
            texts: Default::default(),
            rows,
        }
    }

    fn profile(contact: bool) -> Profile {
        Profile {
            id: "acme".into(),
            marketplace: Some("US".into()),
            emergency_contact: contact.then(|| "+1 555 0100".into()),
            ..Profile::default()
        }
    }

    #[test]
    fn six_good_months_and_a_contact_meet_the_bar() {
        let h = history(
            "2026-04-01",
            "2026-11-20",
            Some(("2026-08-01", "2026-08-10")),
        );
        let a = assess(
            Some(&h),
            &profile(true),
            date("2026-11-20"),
            &AssuranceBar::default(),
        )
        .unwrap();
        assert!(a.eligible, "{:?}", a.reasons);
        assert_eq!(a.days_below, 10);
        assert_eq!(a.window_from, Some(date("2026-05-21")));
        assert_eq!(a.eligible_from, Some(date("2026-11-20")));
    }

    #[test]
    fn twelve_days_below_wait_until_two_leave_the_window() {
        let h = history(
            "2026-04-01",
            "2026-11-20",
            Some(("2026-07-01", "2026-07-12")),
        );
        let a = assess(
            Some(&h),
            &profile(true),
            date("2026-11-20"),
            &AssuranceBar::default(),
        )
        .unwrap();
        assert!(!a.eligible);
        assert_eq!(a.days_below, 12);
        assert!(
            a.reasons[0].contains("below 250 on 12 days"),
            "{:?}",
            a.reasons
        );
        // Ten of the twelve days remain once the window starts on 2026-07-03.
        assert_eq!(a.eligible_from, Some(date("2027-01-02")));
    }

    #[test]
    fn a_short_history_and_no_contact_are_both_reasons() {
        let h = history("2026-09-01", "2026-11-20", None);
        let a = assess(
            Some(&h),
            &profile(false),
            date("2026-11-20"),
            &AssuranceBar::default(),
        )
        .unwrap();
        assert!(!a.eligible);
        assert_eq!(a.reasons.len(), 2, "{:?}", a.reasons);
        assert!(a.reasons[0].contains("emergency_contact"));
        assert!(a.reasons[1].contains("starts on 2026-09-01"));
        // The first window to start on or after 2026-09-01 ends on 2027-03-01.
        assert_eq!(a.eligible_from, Some(date("2027-03-01")));
    }

    #[test]
    fn a_low_latest_day_is_a_reason_and_the_next_day_could_pass() {
        let h = history(
            "2026-01-01",
            "2026-11-20",
            Some(("2026-11-20", "2026-11-20")),
        );
        let a = assess(
            Some(&h),
            &profile(true),
            date("2026-11-20"),
            &AssuranceBar::default(),
        )
        .unwrap();
        assert!(!a.eligible);
        assert!(a.reasons[0].contains("latest AHR (240"), "{:?}", a.reasons);
        assert_eq!(a.eligible_from, Some(date("2026-11-21")));
    }

    #[test]
    fn outside_us_and_ca_the_program_is_not_offered() {
        let h = history("2026-01-01", "2026-11-20", None);
        let mut p = profile(true);
        p.marketplace = Some("DE".into());
        let a = assess(Some(&h), &p, date("2026-11-20"), &AssuranceBar::default()).unwrap();
        assert!(!a.eligible);
        assert!(a.reasons[0].contains("US and CA"));
        assert!(assess(None, &p, date("2026-11-20"), &AssuranceBar::default()).is_none());
    }
}
