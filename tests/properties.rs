//! Properties that hold for every account, checked on random ones: rates
//! within [0, 1], headroom exactly the distance to the breach level, the
//! score within 0–1000 and equal to its breakdown's sum, row order
//! irrelevant, and the JSON report the same on every run.

use ahr::audit::{AuditOptions, audit_dir};
use ahr::policy::{self, PolicySet};
use chrono::{Days, NaiveDate};
use proptest::prelude::*;
use serde_json::Value;
use std::fs;
use std::path::Path;
use std::sync::LazyLock;

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 20).unwrap()
}

/// The default packs with every minimum denominator lowered, so small random
/// accounts reach warnings and breaches instead of "insufficient data".
static POLICIES: LazyLock<PolicySet> = LazyLock::new(|| {
    let mut files: Vec<(String, String)> = policy::DEFAULT_PACKS
        .iter()
        .map(|(n, t)| (n.to_string(), t.to_string()))
        .collect();
    let mut lenient = String::new();
    for id in [
        "PERF-ODR",
        "PERF-LSR-10",
        "PERF-LSR-30",
        "PERF-CR",
        "PERF-VTR",
        "PERF-OTDR",
    ] {
        lenient.push_str(&format!("[[rule]]\nid = \"{id}\"\nmin_denominator = 1\n\n"));
    }
    files.push(("lenient.toml".into(), lenient));
    policy::load_texts(&files).expect("the lenient override loads")
});

const STATUSES: [&str; 6] = [
    "Pending",
    "Unshipped",
    "Shipped",
    "Delivered",
    "Cancelled",
    "",
];
const CHANNELS: [&str; 3] = ["MFN", "AFN", "Merchant"];
const CANCELLERS: [&str; 4] = ["", "seller", "buyer", "system"];
const CLAIM_STATUSES: [&str; 5] = ["open", "granted", "refunded", "denied", "withdrawn"];
const BODIES: [&str; 6] = [
    "Your order has shipped and will arrive on Friday.",
    "Please leave us a 5-star review if you are happy!",
    "We will send you a $10 gift card for a review.",
    "If you had any problem, contact us before leaving feedback.",
    "Thank you for your order.",
    "Please share your honest review of the product.",
];

#[derive(Clone, Debug)]
struct GenOrder {
    age: u64,
    status: usize,
    channel: usize,
    ship_by: Option<i64>,
    shipped: Option<i64>,
    tracking: Option<bool>,
    promised: Option<i64>,
    delivered: Option<i64>,
    canceller: usize,
    items: usize,
}

#[derive(Clone, Debug)]
struct GenAccount {
    orders: Vec<GenOrder>,
    feedback: Vec<(usize, u8, bool, u64)>,
    claims: Vec<(usize, usize, u64)>,
    messages: Vec<(usize, usize, bool, u64)>,
}

fn order() -> impl Strategy<Value = GenOrder> {
    (
        (
            0u64..120,
            0..STATUSES.len(),
            0..CHANNELS.len(),
            prop::option::of(0i64..4),
        ),
        (
            prop::option::of(-1i64..5),
            prop::option::of(any::<bool>()),
            prop::option::of(2i64..8),
            prop::option::of(-2i64..4),
        ),
        (0..CANCELLERS.len(), 1usize..=3),
    )
        .prop_map(
            |(
                (age, status, channel, ship_by),
                (shipped, tracking, promised, delivered),
                (canceller, items),
            )| {
                GenOrder {
                    age,
                    status,
                    channel,
                    ship_by,
                    shipped,
                    tracking,
                    promised,
                    delivered,
                    canceller,
                    items,
                }
            },
        )
}

fn account() -> impl Strategy<Value = GenAccount> {
    (
        prop::collection::vec(order(), 0..120),
        prop::collection::vec((0usize..200, 1u8..=5, any::<bool>(), 0u64..90), 0..30),
        prop::collection::vec((0usize..200, 0..CLAIM_STATUSES.len(), 0u64..90), 0..10),
        prop::collection::vec(
            (0usize..200, 0..BODIES.len(), any::<bool>(), 0u64..90),
            0..15,
        ),
    )
        .prop_map(|(orders, feedback, claims, messages)| GenAccount {
            orders,
            feedback,
            claims,
            messages,
        })
}

fn day(age: u64, delta: i64) -> NaiveDate {
    let base = as_of() - Days::new(age);
    if delta >= 0 {
        base + Days::new(delta as u64)
    } else {
        base - Days::new(delta.unsigned_abs())
    }
}

fn order_id(i: usize) -> String {
    format!("113-{:07}-{:07}", 1_000_000 + i, 2_000_000 + i * 7)
}

/// The account's files as (name, header, data rows).
fn files(acct: &GenAccount) -> Vec<(&'static str, String, Vec<String>)> {
    let opt = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    let mut orders = Vec::new();
    for (i, o) in acct.orders.iter().enumerate() {
        for item in 0..o.items {
            orders.push(format!(
                "{},{}T10:00:00Z,{},{},{},{},{},{},{},{},{},buyer{}@example.com,SKU-{item}",
                order_id(i),
                day(o.age, 0),
                STATUSES[o.status],
                CHANNELS[o.channel],
                opt(o.ship_by.map(|d| day(o.age, d))),
                opt(o.shipped.map(|d| day(o.age, d))),
                if o.tracking.is_some() { "1Z999" } else { "" },
                o.tracking.map(|t| t.to_string()).unwrap_or_default(),
                opt(o.promised.map(|d| day(o.age, d))),
                opt(o.delivered.zip(o.promised).map(|(d, p)| day(o.age, p + d))),
                CANCELLERS[o.canceller],
                i
            ));
        }
    }
    let n = acct.orders.len().max(1);
    let feedback = acct
        .feedback
        .iter()
        .map(|(o, rating, removed, age)| {
            format!(
                "{},{rating},fine,{},{removed}",
                day(*age, 0),
                order_id(o % n)
            )
        })
        .collect();
    let claims = acct
        .claims
        .iter()
        .map(|(o, status, age)| {
            format!(
                "{},{},{}",
                order_id(o % n),
                day(*age, 0),
                CLAIM_STATUSES[*status]
            )
        })
        .collect();
    let messages = acct
        .messages
        .iter()
        .map(|(o, body, outbound, age)| {
            format!(
                "{},\"{}\",{},{}",
                day(*age, 0),
                BODIES[*body],
                order_id(o % n),
                if *outbound { "outbound" } else { "inbound" }
            )
        })
        .collect();
    vec![
        (
            "orders.csv",
            "order_id,purchase_date,status,fulfillment,ship_by,shipped_at,tracking_id,tracking_valid,promised_delivery,delivered_at,cancelled_by,buyer_id,sku".into(),
            orders,
        ),
        (
            "feedback.csv",
            "date,rating,comments,order_id,removed".into(),
            feedback,
        ),
        ("claims.csv", "order_id,filed_at,status".into(), claims),
        (
            "messages.csv",
            "sent_at,body,order_id,direction".into(),
            messages,
        ),
    ]
}

fn write(dir: &Path, files: &[(&str, String, Vec<String>)]) {
    for (name, header, rows) in files {
        let mut text = format!("{header}\n");
        for r in rows {
            text.push_str(r);
            text.push('\n');
        }
        fs::write(dir.join(name), text).unwrap();
    }
}

fn audit_json(dir: &Path) -> String {
    let options = AuditOptions {
        as_of: Some(as_of()),
        mask: true,
        today: as_of(),
        peak: None,
    };
    let report = audit_dir(dir, &POLICIES, &options).expect("a well-formed account audits");
    ahr::report::json::render(&report)
}

/// An exact decimal from a JSON number, as (numerator, denominator).
fn rational(v: &Value) -> (i128, i128) {
    let text = v.to_string();
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    let scale = 10i128.pow(frac.len() as u32);
    (format!("{int}{frac}").parse::<i128>().unwrap(), scale)
}

/// What does not depend on where a row sits in its file: everything but
/// line numbers, with lists that follow file order sorted.
fn without_positions(v: &Value) -> Value {
    match v {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(k, _)| k.as_str() != "line")
                .map(|(k, v)| (k.clone(), without_positions(v)))
                .collect(),
        ),
        Value::Array(items) => {
            let mut items: Vec<Value> = items.iter().map(without_positions).collect();
            items.sort_by_key(|i| i.to_string());
            Value::Array(items)
        }
        other => other.clone(),
    }
}

fn check_invariants(report: &Value) -> Result<(), TestCaseError> {
    for (id, m) in report["metrics"].as_object().unwrap() {
        let (Some(num), Some(den)) = (m["numerator"].as_i64(), m["denominator"].as_i64()) else {
            continue;
        };
        prop_assert!(num >= 0 && num <= den, "{id}: {num}/{den}");
        if den == 0 {
            continue;
        }
        let value = m["value"].as_f64().unwrap();
        prop_assert!((0.0..=1.0).contains(&value), "{id}: {value}");
        let h = m["headroom"].as_i64().unwrap() as i128;
        let (p, q) = rational(&m["target"]["value"]);
        let (num, den) = (num as i128, den as i128);
        match m["target"]["op"].as_str().unwrap() {
            // At most (num + h) bad orders stay at or under the target.
            "<=" => {
                prop_assert!((num + h) * q <= p * den, "{id}: {m}");
                prop_assert!((num + h + 1) * q > p * den, "{id}: {m}");
            }
            // At least (num - h) good orders stay at or over the target.
            ">=" => {
                prop_assert!((num - h) * q >= p * den, "{id}: {m}");
                prop_assert!((num - h - 1) * q < p * den, "{id}: {m}");
            }
            op => prop_assert!(false, "{id}: unknown op {op}"),
        }
        let status = m["status"].as_str().unwrap();
        if status != "insufficient_data" {
            prop_assert_eq!(status == "breach", h < 0, "{}: {}", id, m);
        }
    }
    let score = &report["score"];
    let value = score["value"].as_i64().unwrap();
    prop_assert!((0..=1000).contains(&value), "score {value}");
    let sum: i64 = score["breakdown"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["points"].as_i64().unwrap())
        .sum();
    prop_assert_eq!(sum, value, "breakdown {}", score["breakdown"]);
    let critical = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["status"] == "breach" && f["severity"] == "critical");
    if critical {
        prop_assert!(value <= 99, "a critical breach caps the score: {value}");
    }
    for f in report["findings"].as_array().unwrap() {
        prop_assert!(f["points"].as_i64().unwrap() <= 0, "{f}");
        prop_assert_eq!(
            f["evidence_total"].as_u64().unwrap() as usize,
            f["evidence"].as_array().unwrap().len()
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn metrics_and_score_keep_their_invariants(acct in account()) {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), &files(&acct));
        let first = audit_json(dir.path());
        prop_assert_eq!(&first, &audit_json(dir.path()), "the same inputs give the same JSON");
        let report: Value = serde_json::from_str(&first).unwrap();
        check_invariants(&report)?;
    }

    #[test]
    fn reordering_rows_changes_nothing(acct in account(), seed in any::<u64>()) {
        let original = files(&acct);
        let mut shuffled = original.clone();
        let mut x = seed | 1;
        for (_, _, rows) in &mut shuffled {
            // Fisher-Yates with a small xorshift: the seed comes from proptest.
            for i in (1..rows.len()).rev() {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                rows.swap(i, (x % (i as u64 + 1)) as usize);
            }
        }
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        write(a.path(), &original);
        write(b.path(), &shuffled);
        let ra: Value = serde_json::from_str(&audit_json(a.path())).unwrap();
        let rb: Value = serde_json::from_str(&audit_json(b.path())).unwrap();
        // The folder name is the account id; the two folders differ.
        let strip = |mut v: Value| { v["account"] = Value::Null; without_positions(&v) };
        prop_assert_eq!(strip(ra), strip(rb));
    }
}

/// The invariants are checked on an account known to breach, so a
/// generator that only ever made quiet accounts could not hide a bug.
#[test]
fn the_invariants_hold_on_a_breaching_account() {
    let late = GenOrder {
        age: 3,
        status: 2,
        channel: 0,
        ship_by: Some(0),
        shipped: Some(2),
        tracking: Some(false),
        promised: Some(3),
        delivered: Some(2),
        canceller: 0,
        items: 2,
    };
    let acct = GenAccount {
        orders: vec![late; 20],
        feedback: vec![(0, 1, false, 2), (1, 2, false, 2)],
        claims: vec![(2, 0, 1)],
        messages: vec![(3, 1, true, 1), (4, 2, true, 1)],
    };
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), &files(&acct));
    let report: Value = serde_json::from_str(&audit_json(dir.path())).unwrap();
    check_invariants(&report).unwrap();
    let lsr = &report["metrics"]["late_shipment_rate_10d"];
    assert_eq!(lsr["status"], "breach", "{lsr}");
    assert!(lsr["headroom"].as_i64().unwrap() < 0, "{lsr}");
    assert!(report["score"]["value"].as_i64().unwrap() <= 99);
    assert!(
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == "REV-POSITIVE" && f["status"] == "breach"),
        "{report:#}"
    );
}

/// Hash maps are seeded per process: two runs of the binary must still
/// print the same bytes.
#[test]
fn json_is_byte_identical_across_processes() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    for fixture in [
        "odr-breach",
        "late-shipment",
        "healthy",
        "counterfeit-complaint",
    ] {
        let run = || {
            let out = std::process::Command::new(env!("CARGO_BIN_EXE_ahr"))
                .arg("audit")
                .arg(root.join(fixture))
                .args(["--format", "json"])
                .output()
                .unwrap();
            assert!(out.status.success(), "{fixture}");
            out.stdout
        };
        let first = run();
        for _ in 0..3 {
            assert!(first == run(), "{fixture}: JSON differs between runs");
        }
    }
}
