//! Entry points that feed arbitrary bytes to each reader of untrusted input,
//! shared by the `cargo fuzz` targets in `fuzz/` and by the regression and
//! randomized tests in `tests/fuzz_regressions.rs`, so a crash found by one
//! is replayed by the other. Each returns normally on any input; a panic is
//! a bug.

use crate::audit::{AuditOptions, audit_account};
use crate::input::dates::{DateStyle, parse_stamp, plain_iso_agrees};
use crate::input::records::{ParseContext, read_all};
use crate::input::table::Table;
use crate::input::{Account, Reach, account, orders, performance, schema};
use crate::policy::{self, PolicySet};
use crate::report;
use chrono::NaiveDate;
use std::sync::LazyLock;

static DEFAULT_POLICIES: LazyLock<PolicySet> =
    LazyLock::new(|| policy::load_texts(&default_texts()).expect("the default policies load"));

fn default_texts() -> Vec<(String, String)> {
    policy::DEFAULT_PACKS
        .iter()
        .map(|(name, text)| (name.to_string(), text.to_string()))
        .collect()
}

fn fixed_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 20).unwrap_or_default()
}

/// Any bytes as any export. The first byte picks the export, the second
/// the file extension, the marketplace date style, the JP hint, whether
/// as-of is fixed and whether to mask; the rest is the file. What is read
/// is then audited with the default policies and rendered both ways.
pub fn table(data: &[u8]) {
    let [pick, flags, rest @ ..] = data else {
        return;
    };
    let schema = schema::ALL[usize::from(*pick) % schema::ALL.len()];
    let ext = ["csv", "tsv", "txt"][usize::from(flags & 3) % 3];
    let date_style = match (flags >> 3) & 3 {
        0 => None,
        1 => Some(DateStyle::MonthDayYear),
        2 => Some(DateStyle::DayMonthYear),
        _ => Some(DateStyle::YearMonthDay),
    };
    let name = format!("{}.{ext}", schema.stem);
    let Ok(mut table) = Table::from_bytes(&name, rest.to_vec(), schema, flags & 4 != 0) else {
        return;
    };
    let ctx = ParseContext { date_style };
    let as_of = (flags & 32 != 0).then(fixed_day);
    let mut acct = Account::default();
    let read = match schema.stem {
        "orders" => orders::read_orders(
            &mut table,
            &ctx,
            Reach {
                as_of,
                horizon_days: 180,
                detail_days: 90,
            },
        )
        .map(|o| acct.orders = Some(o)),
        "feedback" => read_all(&mut table, &ctx).map(|s| acct.feedback = Some(s)),
        "claims" => read_all(&mut table, &ctx).map(|s| acct.claims = Some(s)),
        "chargebacks" => read_all(&mut table, &ctx).map(|s| acct.chargebacks = Some(s)),
        "messages" => read_all(&mut table, &ctx).map(|s| acct.messages = Some(s)),
        "inserts" => read_all(&mut table, &ctx).map(|s| acct.inserts = Some(s)),
        "reviews" => read_all(&mut table, &ctx).map(|s| acct.reviews = Some(s)),
        "offers" => read_all(&mut table, &ctx).map(|s| acct.offers = Some(s)),
        "complaints" => read_all(&mut table, &ctx).map(|s| acct.complaints = Some(s)),
        "identifiers" => read_all(&mut table, &ctx).map(|s| acct.identifiers = Some(s)),
        "health_history" => read_all(&mut table, &ctx).map(|s| acct.health_history = Some(s)),
        _ => return,
    };
    if read.is_err() {
        return;
    }
    acct.inputs.push(table.into_report());
    let options = AuditOptions {
        as_of,
        mask: flags & 64 == 0,
        today: fixed_day(),
        peak: None,
    };
    let audited = audit_account(&acct, &DEFAULT_POLICIES, &options);
    let _ = report::json::render(&audited);
    let _ = report::table::render(&audited, report::table::Style { color: false });
}

/// Any text as a policy file loaded after the default packs, so overrides
/// of existing rules are exercised too. The review pack is left out: its
/// many multilingual patterns take most of each run to compile, and the
/// fuzzed file can define text rules of its own.
pub fn policy(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut files = default_texts();
    files.retain(|(name, _)| !name.ends_with("reviews.toml"));
    files.push(("fuzz.toml".to_string(), text.to_string()));
    match policy::load_texts(&files) {
        Ok(set) => {
            let _ = set.enabled().count();
        }
        Err(errors) => {
            let _ = errors.to_string();
        }
    }
}

/// Any bytes as Amazon's performance.json.
pub fn performance(data: &[u8]) {
    if let Ok(report) = performance::parse_performance_report(data) {
        let _ = report.violations();
        let _ = report.worst_account_status();
    }
}

/// Any text as a date, in every marketplace style; what the plain ISO fast
/// path reads must be what the general reader reads.
pub fn dates(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    assert!(
        plain_iso_agrees(text),
        "the plain ISO reader and the general one differ on {text:?}"
    );
    for style in [
        None,
        Some(DateStyle::MonthDayYear),
        Some(DateStyle::DayMonthYear),
        Some(DateStyle::YearMonthDay),
    ] {
        match parse_stamp(text, style) {
            Ok(stamp) => {
                let _ = format!("{stamp:?}");
            }
            Err(err) => {
                let _ = err.to_string();
            }
        }
    }
}

/// Any text as an account folder's account.toml.
pub fn account_toml(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = account::parse_profile("account.toml", text, "fuzz");
    }
}
