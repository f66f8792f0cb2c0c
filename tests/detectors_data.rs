//! The data-based detectors on the fixtures, through the real binary:
//! REV-BRUSHING, LIST-HIJACK, LIST-PIGGYBACK and AMZ-REPORTED, each with the
//! findings, severities and evidence lines its fixture was built to show,
//! and the healthy fixture still clean.

use serde_json::Value;
use std::path::PathBuf;
use std::process::{Command, Output};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

fn ahr(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ahr"))
        .args(args)
        .output()
        .expect("the binary runs")
}

fn audit_json(name: &str) -> Value {
    let dir = fixture(name);
    let out = ahr(&["audit", dir.to_str().unwrap(), "--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON report")
}

fn rules(report: &Value) -> Vec<&str> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect()
}

fn finding<'a>(report: &'a Value, rule: &str) -> &'a Value {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == rule)
        .unwrap_or_else(|| panic!("no {rule} finding in {:#}", report["findings"]))
}

/// (file, line, key) of every evidence row.
fn evidence(finding: &Value) -> Vec<(String, Option<u64>, String)> {
    finding["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["file"].as_str().unwrap().to_string(),
                e["line"].as_u64(),
                e["key"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn lines_of(finding: &Value, file: &str) -> Vec<u64> {
    evidence(finding)
        .into_iter()
        .filter(|(f, ..)| f == file)
        .filter_map(|(_, line, _)| line)
        .collect()
}

#[test]
fn healthy_fixture_still_has_no_findings() {
    let report = audit_json("healthy");
    assert_eq!(rules(&report), Vec::<&str>::new());
    assert_eq!(report["score"]["value"], 208);
}

#[test]
fn brushing_fixture_shows_every_signal_and_only_brushing() {
    let report = audit_json("brushing");
    assert_eq!(rules(&report), ["REV-BRUSHING"]);
    let f = finding(&report, "REV-BRUSHING");
    assert_eq!(f["severity"], "high");
    assert_eq!(f["status"], "breach");
    let message = f["message"].as_str().unwrap();
    for part in [
        "1 ASIN ordered more than 3 times by one buyer within 14 days",
        "1 ASIN ordered more than 5 times by one address within 14 days",
        "3 reviews of 4★ or more on cancelled, refunded or free orders",
        "1 burst of 5★ reviews (up to 10 within 7 days",
    ] {
        assert!(message.contains(part), "{message}");
    }
    // Orders 452–455: one buyer's four orders of B0BRUSH001; 456–461: six
    // buyers at one address; 469–471: the cancelled, refunded and free
    // orders behind suspect reviews. The three-order buyer (462–464) and the
    // monthly buyer (465–468) are not evidence.
    let orders: Vec<u64> = lines_of(f, "orders.csv");
    let expected: Vec<u64> = (452..=461).chain(469..=471).collect();
    assert_eq!(orders, expected);
    // Reviews 25–34: the burst; 35–37: reviews on the suspect orders; 38,
    // the 1-star review of a refunded order, is not evidence.
    let reviews = lines_of(f, "reviews.csv");
    assert_eq!(reviews, (25..=37).collect::<Vec<u64>>());
    // Thirteen orders and the ten reviews of the burst: a review on a
    // suspect order is the same event as its order.
    assert_eq!(f["occurrences"], 23);
    // Buyer ids and addresses are masked unless asked otherwise.
    let all = f["evidence"].to_string();
    assert!(!all.contains("buyer-brush-01"), "{all}");
    assert!(all.contains("buyer …h-01"), "{all}");
}

#[test]
fn brushing_evidence_shows_buyers_with_no_mask() {
    let dir = fixture("brushing");
    let out = ahr(&[
        "audit",
        dir.to_str().unwrap(),
        "--format",
        "json",
        "--no-mask",
    ]);
    let report: Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    let all = finding(&report, "REV-BRUSHING")["evidence"].to_string();
    assert!(all.contains("buyer buyer-brush-01"), "{all}");
    assert!(all.contains("address 10001 New York"), "{all}");
}

#[test]
fn hijacked_listing_fixture_finds_hijackers_and_piggybacking() {
    let report = audit_json("hijacked-listing");
    assert_eq!(rules(&report), ["LIST-PIGGYBACK", "LIST-HIJACK"]);

    let hijack = finding(&report, "LIST-HIJACK");
    assert_eq!(hijack["severity"], "low");
    assert_eq!(hijack["occurrences"], 2);
    assert_eq!(
        evidence(hijack),
        [
            ("offers.csv".to_string(), Some(5), "B000000002".to_string()),
            ("offers.csv".to_string(), Some(6), "B000000001".to_string()),
        ]
    );
    let excerpts = hijack["evidence"].to_string();
    for part in [
        "seller A3HIJACK01 (ShenZhen Bargain Store)",
        "7.99, New",
        "seller A1BUDGET02 (Budget Deals)",
        "12.50, Used - Like New",
    ] {
        assert!(excerpts.contains(part), "{excerpts}");
    }

    let piggyback = finding(&report, "LIST-PIGGYBACK");
    assert_eq!(piggyback["severity"], "medium");
    assert_eq!(
        evidence(piggyback),
        [("offers.csv".to_string(), Some(7), "B0CONTOSO1".to_string())]
    );
    assert!(
        piggyback["message"]
            .as_str()
            .unwrap()
            .contains("brands account.toml does not list: Contoso")
    );
    // 200 + 8 volume − 40 (medium) − 15 (low, two sellers).
    assert_eq!(report["score"]["value"], 153);
}

#[test]
fn amazon_reported_fixture_gives_one_finding_at_the_worst_severity() {
    let report = audit_json("amazon-reported");
    assert_eq!(rules(&report), ["AMZ-REPORTED"]);
    let f = finding(&report, "AMZ-REPORTED");
    assert_eq!(f["severity"], "high");
    assert_eq!(f["status"], "breach");
    let mut keys: Vec<String> = evidence(f)
        .into_iter()
        .map(|(file, line, key)| {
            assert_eq!(file, "performance.json");
            assert_eq!(line, None);
            key
        })
        .collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "accountStatuses",
            "listingPolicyViolations",
            "productSafetyCustomerComplaints",
            "spammingSellerMessaging",
        ]
    );
    let message = f["message"].as_str().unwrap();
    assert!(
        message.contains("productSafetyCustomerComplaints 2 (high)"),
        "{message}"
    );
    assert!(message.contains("account status AT_RISK"), "{message}");
    assert!(
        !message.contains("productAuthenticity"),
        "a zero count with status GOOD is not a finding: {message}"
    );
}

#[test]
fn explain_shows_each_new_rule_with_its_parameters() {
    for (rule, kind, parameter) in [
        ("REV-BRUSHING", "brushing", "max_orders_per_buyer_asin = 3"),
        ("LIST-HIJACK", "offers", "find = others_on_own_brands"),
        ("LIST-PIGGYBACK", "offers", "find = own_on_other_brands"),
        ("AMZ-REPORTED", "reported", "other_account_status = high"),
    ] {
        let out = ahr(&["explain", rule]);
        assert_eq!(out.status.code(), Some(0));
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains(&format!("CHECK `{kind}`")), "{text}");
        assert!(text.contains(parameter), "{text}");
        assert!(text.contains("REFERENCES"), "{text}");
    }
}

#[test]
fn a_bad_detector_policy_is_rejected_with_its_location() {
    let dir = tempfile::Builder::new()
        .prefix("ahr-detectors-data-")
        .tempdir()
        .unwrap();
    let file = dir.path().join("override.toml");
    std::fs::write(
        &file,
        "[[rule]]\nid = \"REV-BRUSHING\"\nreviews_on = [\"refundd\"]\n\n[[rule]]\nid = \"AMZ-REPORTED\"\ncategories = { listingPolicy = \"high\" }\n",
    )
    .unwrap();
    let out = ahr(&["policy", "check", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("override.toml:3"), "{err}");
    assert!(err.contains("refundd"), "{err}");
    assert!(err.contains("override.toml:7"), "{err}");
    assert!(
        err.contains("did you mean `listingPolicyViolations`"),
        "{err}"
    );
}
