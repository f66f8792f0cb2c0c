//! `--watchlist` on `ahr audit`: `fixtures/linked-watchlist/` shares a bank
//! account with a suspended account and an e-mail (spelt differently) with
//! an active one; its device is on the list for an account it declares
//! related. `fixtures/watchlist.csv` has one bad row (line 6).

use serde_json::Value;
use std::process::{Command, Output};

fn ahr(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ahr"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .output()
        .expect("the ahr binary runs")
}

fn audit_json(extra: &[&str]) -> Value {
    let mut args = vec![
        "audit",
        "fixtures/linked-watchlist",
        "--format",
        "json",
        "--as-of",
        "2026-11-20",
    ];
    args.extend_from_slice(extra);
    let out = ahr(&args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn link_finding(report: &Value) -> Option<&Value> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "LINK-SHARED")
}

#[test]
fn a_match_with_a_suspended_account_is_critical() {
    let report = audit_json(&["--watchlist", "fixtures/watchlist.csv"]);
    let f = link_finding(&report).expect("LINK-SHARED");
    assert_eq!(f["severity"], "critical");
    assert_eq!(f["status"], "breach");
    // Bank and e-mail; the device belongs to a declared related account.
    assert_eq!(f["occurrences"], 2);
    let evidence = f["evidence"].as_array().unwrap();
    let keys: Vec<&str> = evidence
        .iter()
        .map(|e| e["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["bank …6819", "email ….com"]);
    assert_eq!(evidence[0]["line"], 2);
    assert_eq!(
        evidence[0]["excerpt"],
        "also held by shady-trader (suspended; watchlist.csv line 2)"
    );
    assert_eq!(
        evidence[1]["excerpt"],
        "also held by old-store (active; watchlist.csv line 3)"
    );
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("suspended: shady-trader")
    );
    assert!(
        report["score"]["value"].as_i64().unwrap() <= 99,
        "critical caps the score"
    );
    let text = serde_json::to_string(&report).unwrap();
    assert!(
        !text.contains("GB29") && !text.contains("jsmith"),
        "values are masked"
    );
    assert!(
        !text.contains("northwind-eu"),
        "a declared relation is not a link"
    );

    let watchlist = report["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["kind"] == "watchlist")
        .expect("the watchlist is listed in inputs");
    assert_eq!(watchlist["rows"], 5);
    assert_eq!(watchlist["skipped"], 1);
    assert_eq!(watchlist["problems"][0]["line"], 6);
}

#[test]
fn without_a_watchlist_there_is_nothing_to_link_with() {
    let report = audit_json(&[]);
    assert!(link_finding(&report).is_none());
}

#[test]
fn no_mask_shows_the_values() {
    let report = audit_json(&["--watchlist", "fixtures/watchlist.csv", "--no-mask"]);
    let f = link_finding(&report).unwrap();
    assert_eq!(f["evidence"][0]["key"], "bank GB29NWBK60161331926819");
}

#[test]
fn the_table_names_the_rule_and_masks_values() {
    let out = ahr(&[
        "audit",
        "fixtures/linked-watchlist",
        "--watchlist",
        "fixtures/watchlist.csv",
        "--as-of",
        "2026-11-20",
    ]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("[CRITICAL] LINK-SHARED"), "{text}");
    assert!(text.contains("identifiers.csv:2 bank …6819"), "{text}");
    assert!(text.contains("watchlist.csv:6 kind `fax`"), "{text}");
}

#[test]
fn a_policy_can_narrow_the_kinds_compared() {
    let dir = tempfile::Builder::new()
        .prefix("ahr-linkage-policy-")
        .tempdir()
        .unwrap();
    std::fs::write(
        dir.path().join("link.toml"),
        "[[rule]]\nid = \"LINK-SHARED\"\ntitle = \"Shared e-mail\"\ncategory = \"linked_accounts\"\n\
         severity = \"medium\"\nappeal = \"hard\"\ncheck = \"linkage\"\nkinds = [\"email\"]\n\
         remediation = \"Use one e-mail per account.\"\n",
    )
    .unwrap();
    let report = audit_json(&[
        "--watchlist",
        "fixtures/watchlist.csv",
        "--policies",
        dir.path().to_str().unwrap(),
    ]);
    let f = link_finding(&report).unwrap();
    assert_eq!(f["occurrences"], 1);
    assert_eq!(
        f["severity"], "medium",
        "the active account is not suspended"
    );
}

#[test]
fn a_bad_kind_in_a_policy_is_located() {
    let dir = tempfile::Builder::new()
        .prefix("ahr-linkage-badpolicy-")
        .tempdir()
        .unwrap();
    std::fs::write(
        dir.path().join("link.toml"),
        "[[rule]]\nid = \"LINK-SHARED\"\ntitle = \"t\"\ncategory = \"c\"\nseverity = \"high\"\n\
         appeal = \"hard\"\ncheck = \"linkage\"\nkinds = [\"fax\"]\nremediation = \"r\"\n",
    )
    .unwrap();
    let out = ahr(&["policy", "check", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("link.toml:8:"), "{err}");
    assert!(err.contains("names `fax`"), "{err}");
}

#[test]
fn a_missing_watchlist_is_exit_2() {
    let out = ahr(&[
        "audit",
        "fixtures/linked-watchlist",
        "--watchlist",
        "nope.csv",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("--watchlist nope.csv"), "{err}");
}
