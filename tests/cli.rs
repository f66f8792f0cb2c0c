//! The `ahr` binary on the bundled fixtures, as a user runs it: exit codes,
//! the JSON report's fields, the table's key lines, and inputs left as they
//! were.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

fn ahr(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ahr"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("the ahr binary runs")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Runs `ahr audit` with JSON output and parses the report.
fn audit_json(name: &str, extra: &[&str]) -> (Value, Output) {
    let dir = fixture(name);
    let mut args = vec!["audit", dir.to_str().unwrap(), "--format", "json"];
    args.extend_from_slice(extra);
    let out = ahr(&args);
    let report = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{}", stdout(&out), stderr(&out)));
    (report, out)
}

fn finding<'a>(report: &'a Value, rule: &str) -> Option<&'a Value> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == rule)
}

fn rules_fired(report: &Value) -> Vec<String> {
    let mut ids: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    ids
}

/// The score the SPEC's model gives from the report's own findings.
fn score_from_findings(report: &Value) -> i64 {
    let breakdown = report["score"]["breakdown"].as_array().unwrap();
    let volume = breakdown
        .iter()
        .find(|l| l["label"].as_str().unwrap().starts_with("volume"))
        .unwrap()["points"]
        .as_i64()
        .unwrap();
    let mut total = 200 + volume;
    let mut critical = false;
    for f in report["findings"].as_array().unwrap() {
        if f["status"] == "breach" {
            let base = match f["severity"].as_str().unwrap() {
                "critical" => 250.0,
                "high" => 100.0,
                "medium" => 40.0,
                _ => 10.0,
            };
            let n = f["occurrences"].as_u64().unwrap() as f64;
            let multiplier = (1.0 + 0.5 * (n - 1.0)).min(3.0);
            let points = (base * multiplier).round() as i64;
            assert_eq!(f["points"].as_i64().unwrap(), -points, "{}", f["rule"]);
            total -= points;
            critical |= f["severity"] == "critical";
        } else {
            assert_eq!(f["points"], 0, "warnings cost nothing");
        }
    }
    if critical {
        total = total.min(99);
    }
    total.clamp(0, 1000)
}

#[test]
fn healthy_account_has_no_findings_and_scores_start_plus_volume() {
    let (report, out) = audit_json("healthy", &[]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(report["schema_version"], 1);
    assert_eq!(report["tool"]["name"], "ahr");
    assert_eq!(report["account"]["id"], "northwind-us");
    assert_eq!(report["as_of"], "2026-11-20");
    assert!(
        rules_fired(&report).is_empty(),
        "{:?}",
        rules_fired(&report)
    );
    // 450 orders in 180 days: 2 full blocks of 200, 4 points each.
    assert_eq!(report["score"]["value"], 208);
    assert_eq!(report["score"]["band"], "healthy");
    assert_eq!(score_from_findings(&report), 208);
    let odr = &report["metrics"]["order_defect_rate"];
    assert_eq!(
        (odr["numerator"].as_u64(), odr["denominator"].as_u64()),
        (Some(0), Some(150))
    );
    assert_eq!(odr["window"]["from"], "2026-09-22");
    assert_eq!(odr["window"]["days"], 60);
    assert_eq!(odr["target"]["op"], "<=");
    assert_eq!(odr["status"], "ok");
    assert_eq!(odr["headroom"], 1);
    for (id, metric) in report["metrics"].as_object().unwrap() {
        assert_ne!(metric["status"], "breach", "{id}");
    }
}

#[test]
fn odr_breach_counts_the_defects_the_spec_counts() {
    let (report, out) = audit_json("odr-breach", &[]);
    assert_eq!(out.status.code(), Some(0), "no gate asked for: exit 0");
    let odr = &report["metrics"]["order_defect_rate"];
    // Two negative feedbacks, a granted claim and a service chargeback; the
    // removed feedback, 3-star feedback, denied claim and fraud chargeback
    // do not count.
    assert_eq!(
        (odr["numerator"].as_u64(), odr["denominator"].as_u64()),
        (Some(4), Some(150))
    );
    assert_eq!(odr["status"], "breach");
    assert_eq!(odr["headroom"], -3);
    let f = finding(&report, "PERF-ODR").expect("PERF-ODR fires");
    assert_eq!(f["severity"], "high");
    assert_eq!(f["status"], "breach");
    assert_eq!(f["points"], -100);
    assert_eq!(f["appeal"], "appealable");
    assert_eq!(f["evidence_total"], 4);
    let places: Vec<String> = f["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| format!("{}:{}", e["file"].as_str().unwrap(), e["line"]))
        .collect();
    assert_eq!(
        places,
        [
            "chargebacks.csv:2",
            "claims.csv:2",
            "feedback.csv:51",
            "feedback.csv:52"
        ]
    );
    assert_eq!(report["score"]["value"], 108);
    assert_eq!(report["score"]["band"], "at_risk");
    assert_eq!(score_from_findings(&report), 108);
}

#[test]
fn late_shipments_breach_both_windows_with_order_evidence() {
    let (report, _) = audit_json("late-shipment", &[]);
    let lsr10 = &report["metrics"]["late_shipment_rate_10d"];
    assert_eq!(
        (lsr10["numerator"].as_u64(), lsr10["denominator"].as_u64()),
        (Some(4), Some(17))
    );
    let lsr30 = &report["metrics"]["late_shipment_rate_30d"];
    assert_eq!(
        (lsr30["numerator"].as_u64(), lsr30["denominator"].as_u64()),
        (Some(4), Some(50))
    );
    assert_eq!(rules_fired(&report), ["PERF-LSR-10", "PERF-LSR-30"]);
    let f = finding(&report, "PERF-LSR-10").unwrap();
    assert_eq!(f["points"], -40);
    let unshipped = f["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["excerpt"].as_str().unwrap().contains("not shipped"))
        .expect("the overdue unshipped order is evidence");
    assert_eq!(unshipped["file"], "orders.csv");
    assert_eq!(unshipped["line"], 429);
    assert_eq!(
        score_from_findings(&report),
        report["score"]["value"].as_i64().unwrap()
    );
}

#[test]
fn the_review_card_is_caught_and_caps_the_score() {
    let (report, _) = audit_json("review-card-insert", &[]);
    assert_eq!(rules_fired(&report), ["REV-INCENTIVE", "REV-POSITIVE"]);
    for rule in ["REV-INCENTIVE", "REV-POSITIVE"] {
        let f = finding(&report, rule).unwrap();
        assert_eq!(f["severity"], "critical");
        assert_eq!(f["evidence"][0]["file"], "inserts.csv");
        assert_eq!(f["evidence"][0]["line"], 2);
        assert_eq!(f["evidence"][0]["key"], "vip-card-v2");
        let excerpt = f["evidence"][0]["excerpt"].as_str().unwrap();
        assert!(
            !excerpt.contains("vip@northwind"),
            "e-mail masked: {excerpt}"
        );
    }
    assert!(report["score"]["value"].as_i64().unwrap() <= 99);
    assert_eq!(report["score"]["band"], "critical");
    assert_eq!(
        score_from_findings(&report),
        report["score"]["value"].as_i64().unwrap()
    );
    let sum: i64 = report["score"]["breakdown"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["points"].as_i64().unwrap())
        .sum();
    assert_eq!(sum, report["score"]["value"].as_i64().unwrap());
}

#[test]
fn complaints_count_by_kind_status_and_window() {
    let (report, _) = audit_json("counterfeit-complaint", &[]);
    // The trademark complaint is resolved and the patent one is a year old.
    assert_eq!(rules_fired(&report), ["IP-COUNTERFEIT", "LIST-COMPLAINT"]);
    let f = finding(&report, "IP-COUNTERFEIT").unwrap();
    assert_eq!(f["evidence"][0]["key"], "CF-88213");
    assert_eq!(f["evidence"][0]["line"], 2);
    assert_eq!(f["appeal"], "hard");
}

#[test]
fn fail_under_sets_the_exit_code() {
    let dir = fixture("healthy");
    let dir = dir.to_str().unwrap();
    let out = ahr(&["audit", dir, "--fail-under", "250"]);
    assert_eq!(out.status.code(), Some(1), "208 is below 250");
    assert!(
        stderr(&out).contains("score 208 is below --fail-under 250"),
        "{}",
        stderr(&out)
    );
    let out = ahr(&["audit", dir, "--fail-under", "200"]);
    assert_eq!(out.status.code(), Some(0));
    let out = ahr(&["audit", dir, "--fail-under", "2000"]);
    assert_eq!(out.status.code(), Some(2), "out of range is a usage error");
}

#[test]
fn every_report_says_what_the_gate_said() {
    // A CI tab reads the JUnit file, a dashboard the JSON: both must fail
    // when the exit code does, and say why.
    let dir = fixture("healthy");
    let dir = dir.to_str().unwrap();
    let out = ahr(&["audit", dir, "--fail-under", "250", "--format", "junit"]);
    assert_eq!(out.status.code(), Some(1));
    let junit = stdout(&out);
    assert!(
        junit.contains("tests=\"22\" failures=\"1\""),
        "the gate is a failed test case of its own: {junit}"
    );
    assert!(
        junit.contains("<testcase classname=\"ahr.gate\" name=\"gate: --fail-under 250\">"),
        "{junit}"
    );
    assert!(junit.contains("message=\"score 208 is below --fail-under 250\""));

    let (report, out) = audit_json("healthy", &["--fail-under", "250", "--fail-on", "high"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        report["gate"],
        serde_json::json!({
            "fail_under": 250,
            "fail_on": "high",
            "passed": false,
            "reasons": ["score 208 is below --fail-under 250"]
        })
    );
    let (report, out) = audit_json("odr-breach", &["--fail-on", "critical"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(report["gate"]["passed"], true);
    // Without a gate the report is as it always was.
    let (report, _) = audit_json("healthy", &[]);
    assert!(report.get("gate").is_none());

    let out = ahr(&["audit", dir, "--fail-under", "250", "--format", "sarif"]);
    let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
    let invocation = &sarif["runs"][0]["invocations"][0];
    assert_eq!(invocation["exitCode"], 1);
    assert_eq!(invocation["properties"]["gate"]["passed"], false);
    let table = stdout(&ahr(&["audit", dir, "--fail-under", "250"]));
    assert!(
        table.contains("gate FAILED: score 208 is below --fail-under 250"),
        "{table}"
    );
}

#[test]
fn fail_on_looks_at_breaches_at_or_above_a_severity() {
    let card = fixture("review-card-insert");
    let out = ahr(&["audit", card.to_str().unwrap(), "--fail-on", "critical"]);
    assert_eq!(out.status.code(), Some(1));
    let odr = fixture("odr-breach");
    let out = ahr(&["audit", odr.to_str().unwrap(), "--fail-on", "critical"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "a high breach is below critical"
    );
    let out = ahr(&["audit", odr.to_str().unwrap(), "--fail-on", "high"]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn the_table_leads_with_score_and_band() {
    let dir = fixture("odr-breach");
    let out = ahr(&["audit", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(text.contains("SCORE 108 / 1000  AT RISK"), "{text}");
    assert!(text.contains("order_defect_rate"), "{text}");
    assert!(text.contains("[HIGH] PERF-ODR"), "{text}");
    assert!(text.contains("feedback.csv:51"), "{text}");
    assert!(
        !text.contains('\x1b'),
        "no colour when NO_COLOR is set or stdout is a pipe"
    );
    for line in text.lines() {
        assert!(line.chars().count() <= 80, "overlong line: {line}");
    }
}

#[test]
fn every_table_fits_80_columns_with_metric_ids_whole() {
    use unicode_width::UnicodeWidthStr;
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root.join("fixtures"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("orders.csv").exists() || p.join("messages.csv").exists())
        .collect();
    dirs.extend([
        root.join("fixtures/batch/acme-us"),
        root.join("tests/hand_checked/mid-size-seller"),
    ]);
    for dir in &dirs {
        // English words and Chinese characters wrap differently.
        for lang in ["en", "zh-CN"] {
            let out = ahr(&["audit", dir.to_str().unwrap(), "--lang", lang]);
            let text = stdout(&out);
            for line in text.lines() {
                assert!(
                    line.width() <= 80,
                    "{} ({lang}): {} columns: {line}",
                    dir.display(),
                    line.width()
                );
            }
            if lang == "en" && text.contains("METRICS") {
                assert!(text.contains(" pre_fulfillment_cancel_rate "), "{text}");
            }
        }
    }
}

#[test]
fn json_is_byte_identical_across_runs() {
    let (_, first) = audit_json("odr-breach", &["--as-of", "2026-11-20"]);
    let (_, second) = audit_json("odr-breach", &["--as-of", "2026-11-20"]);
    assert_eq!(first.stdout, second.stdout);
}

#[test]
fn as_of_moves_every_window() {
    let (report, _) = audit_json("odr-breach", &["--as-of", "2026-09-30"]);
    assert_eq!(report["as_of"], "2026-09-30");
    assert_eq!(report["as_of_source"], "--as-of");
    let odr = &report["metrics"]["order_defect_rate"];
    assert_eq!(odr["window"]["to"], "2026-09-30");
    assert_eq!(odr["window"]["from"], "2026-08-02");
    // Of the four defective orders, only the one bought on 2026-09-27 falls
    // in the earlier window.
    assert_eq!(odr["numerator"], 1);
    assert_eq!(odr["denominator"], 150);
}

#[test]
fn unreadable_rows_are_located_and_the_audit_goes_on() {
    let (report, out) = audit_json("broken/bad-rows", &[]);
    assert_eq!(out.status.code(), Some(0));
    let orders = &report["inputs"][0];
    assert_eq!(orders["file"], "orders.csv");
    assert_eq!(orders["encoding"], "utf-8-bom");
    assert_eq!(orders["skipped"], 3);
    let lines: Vec<u64> = orders["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["line"].as_u64().unwrap())
        .collect();
    // The file has CRLF line ends; lines are still the ones an editor shows.
    assert_eq!(lines, [5, 9, 13]);
    assert!(
        orders["problems"][0]["message"]
            .as_str()
            .unwrap()
            .contains("2026-13-45")
    );
    let feedback = &report["inputs"][1];
    assert_eq!(feedback["skipped"], 2);
    assert!(
        feedback["problems"][0]["message"]
            .as_str()
            .unwrap()
            .contains("rating `7`")
    );
    assert_eq!(report["ignored"], serde_json::json!(["notes.md"]));
}

#[test]
fn a_missing_required_column_is_exit_2_naming_file_column_and_columns_found() {
    let dir = fixture("broken/missing-column");
    let out = ahr(&["audit", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("orders.csv"), "{err}");
    assert!(err.contains("`purchase_date`"), "{err}");
    assert!(err.contains("`amazon-order-id`, `order-status`"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn a_missing_folder_is_exit_2() {
    let out = ahr(&["audit", "/no/such/folder"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("/no/such/folder"));
}

#[test]
fn output_file_is_written_whole_and_stdout_stays_quiet() {
    let dir = tempfile::Builder::new()
        .prefix("ahr-cli-out-")
        .tempdir()
        .unwrap();
    let target = dir.path().join("report.json");
    let account = fixture("healthy");
    let out = ahr(&[
        "audit",
        account.to_str().unwrap(),
        "--format",
        "json",
        "-o",
        target.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty());
    assert!(stderr(&out).contains("score 208"));
    let report: Value = serde_json::from_slice(&std::fs::read(&target).unwrap()).unwrap();
    assert_eq!(report["score"]["value"], 208);
}

#[test]
fn inputs_are_never_modified() {
    let dir = fixture("broken/bad-rows");
    let before: Vec<(PathBuf, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            let bytes = std::fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect();
    let _ = ahr(&["audit", dir.to_str().unwrap(), "--format", "json"]);
    for (path, bytes) in before {
        assert_eq!(std::fs::read(&path).unwrap(), bytes, "{}", path.display());
    }
}

#[test]
fn rules_lists_the_default_packs() {
    let out = ahr(&["rules"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    for id in [
        "PERF-ODR",
        "PERF-LSR-10",
        "PERF-VTR",
        "REV-INCENTIVE",
        "IP-COUNTERFEIT",
    ] {
        assert!(text.contains(id), "{id} missing:\n{text}");
    }
    let out = ahr(&["rules", "--format", "json"]);
    let rules: Value = serde_json::from_slice(&out.stdout).unwrap();
    let odr = rules
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "PERF-ODR")
        .unwrap();
    assert_eq!(odr["severity"], "high");
    assert_eq!(odr["check"], "rate");
}

#[test]
fn explain_shows_docs_parameters_and_fix() {
    let out = ahr(&["explain", "perf-odr"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(
        text.starts_with("PERF-ODR: Order Defect Rate above 1%"),
        "{text}"
    );
    assert!(text.contains("breach_above = 0.01"), "{text}");
    assert!(text.contains("window_days = 60"), "{text}");
    assert!(text.contains("HOW TO FIX"), "{text}");
    assert!(text.contains("performance.toml:"), "{text}");
}

#[test]
fn explain_suggests_the_nearest_rule() {
    let out = ahr(&["explain", "PERF-ODX"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("did you mean `PERF-ODR`?"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn policy_check_reports_every_problem_with_its_place() {
    let dir = fixture("policies/broken");
    let out = ahr(&["policy", "check", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    for place in [
        "rules.toml:6:1",
        "rules.toml:12:13",
        "rules.toml:15:11",
        "rules.toml:16:16",
        "rules.toml:17:16",
        "rules.toml:26:10",
        "rules.toml:36:14",
        "rules.toml:40:7",
    ] {
        assert!(err.contains(place), "{place} missing:\n{err}");
    }
    assert!(err.contains("8 problems in the policies"), "{err}");
    let out = ahr(&[
        "audit",
        fixture("healthy").to_str().unwrap(),
        "--policies",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "an audit with broken policies does not run"
    );
}

#[test]
fn overrides_change_thresholds_switch_rules_off_and_add_rules() {
    let strict = fixture("policies/strict");
    let out = ahr(&["policy", "check", strict.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let (report, _) = audit_json("odr-breach", &["--policies", strict.to_str().unwrap()]);
    assert_eq!(
        report["metrics"]["order_defect_rate"]["target"]["value"],
        0.005
    );
    assert!(
        report["metrics"].get("on_time_delivery_rate").is_none(),
        "PERF-OTDR is off"
    );
    let out = ahr(&["rules", "--all", "--policies", strict.to_str().unwrap()]);
    assert!(stdout(&out).contains("CLAIMS-OPEN"));
}

#[test]
fn no_default_policies_runs_only_the_given_rules() {
    let dir = tempfile::Builder::new()
        .prefix("ahr-cli-policies-")
        .tempdir()
        .unwrap();
    let scoring = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/scoring.toml");
    std::fs::copy(scoring, dir.path().join("scoring.toml")).unwrap();
    let out = ahr(&[
        "rules",
        "--no-default-policies",
        "--policies",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("0 rules"));
}
