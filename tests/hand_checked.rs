//! Accounts whose expected report was worked out by hand, without ahr
//! (`tests/hand_checked/README.md`). Two from SPEC's definitions: every
//! metric's numerator, denominator, status and headroom, each rule's
//! status and the orders in its evidence, and the score with its band. One
//! message log: which orders got more than one review request, and on
//! which lines.

use serde_json::Value;
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;

fn folder(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/hand_checked")
        .join(name)
}

fn audit(name: &str) -> Value {
    let dir = folder(name);
    let out = Command::new(env!("CARGO_BIN_EXE_ahr"))
        .args(["audit", dir.to_str().unwrap(), "--format", "json"])
        .args(["--as-of", "2026-11-20"])
        .output()
        .expect("the binary runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("a JSON report")
}

fn expected(name: &str) -> Value {
    let path = folder(name).with_extension("expected.json");
    let text = std::fs::read_to_string(&path).expect("the expected report is readable");
    serde_json::from_str(&text).expect("the expected report is JSON")
}

fn strings(list: &Value) -> BTreeSet<String> {
    list.as_array()
        .into_iter()
        .flatten()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

fn check(name: &str) {
    let (report, want) = (audit(name), expected(name));
    let mut wrong = Vec::new();
    for (id, metric) in want["metrics"].as_object().unwrap() {
        let got = &report["metrics"][id];
        for field in ["numerator", "denominator", "status"] {
            if got[field] != metric[field] {
                wrong.push(format!(
                    "{id}.{field}: {} (expected {})",
                    got[field], metric[field]
                ));
            }
        }
        // An empty window has no headroom to give.
        let headroom = match metric["denominator"].as_u64() {
            Some(0) => Value::Null,
            _ => metric["headroom"].clone(),
        };
        if got["headroom"] != headroom {
            wrong.push(format!(
                "{id}.headroom: {} (expected {headroom})",
                got["headroom"]
            ));
        }
        let Some(rule) = metric["rule"].as_str() else {
            continue;
        };
        let finding = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["rule"] == rule);
        match (metric["status"].as_str().unwrap(), finding) {
            ("breach" | "warning", Some(finding)) => {
                if finding["status"] != metric["status"] {
                    wrong.push(format!(
                        "{rule}: {} (expected {})",
                        finding["status"], metric["status"]
                    ));
                }
                let keys: Vec<Value> = finding["evidence"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|e| e["key"].clone())
                    .collect();
                let keys = strings(&Value::Array(keys));
                if keys != strings(&metric["bad_orders"]) {
                    wrong.push(format!("{rule} evidence: {keys:?}"));
                }
            }
            ("breach" | "warning", None) => wrong.push(format!("{rule}: no finding")),
            (_, Some(finding)) => wrong.push(format!("{rule}: unexpected {}", finding["status"])),
            (_, None) => {}
        }
    }
    for field in ["value", "band"] {
        if report["score"][field] != want["score"][field] {
            wrong.push(format!(
                "score.{field}: {} (expected {})",
                report["score"][field], want["score"][field]
            ));
        }
    }
    assert!(wrong.is_empty(), "{name}:\n  {}", wrong.join("\n  "));
}

#[test]
fn a_mid_size_seller_on_every_window_edge() {
    check("mid-size-seller");
}

#[test]
fn a_new_seller_with_too_few_orders_for_most_rates() {
    check("new-seller");
}

#[test]
fn orders_with_more_than_one_review_request_in_a_message_log() {
    let (report, want) = (audit("repeat-requests"), expected("repeat-requests"));
    let mut got: std::collections::BTreeMap<String, Vec<u64>> = Default::default();
    for finding in report["findings"].as_array().unwrap() {
        assert_eq!(
            finding["rule"], "MSG-REPEAT",
            "no other rule fires: {finding}"
        );
        for e in finding["evidence"].as_array().unwrap() {
            let order = e["key"].as_str().unwrap().to_string();
            got.entry(order)
                .or_default()
                .push(e["line"].as_u64().unwrap());
        }
    }
    let want: std::collections::BTreeMap<String, Vec<u64>> =
        serde_json::from_value(want["MSG-REPEAT"]["requests"].clone()).unwrap();
    assert_eq!(got, want);
}
