//! The text rules (REV-*, MSG-CONTENT, MSG-REPEAT) through the real binary:
//! which rules fire on the multilingual fixture, with which file:line
//! evidence, and that the fixture of traps stays clean.

use serde_json::Value;
use std::collections::BTreeMap;
use std::process::Command;

fn ahr(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_ahr"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("ahr runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn audit_json(fixture: &str, extra: &[&str]) -> Value {
    let dir = format!("fixtures/{fixture}");
    let mut args = vec!["audit", dir.as_str(), "--format", "json"];
    args.extend_from_slice(extra);
    let (code, stdout, stderr) = ahr(&args);
    assert_eq!(code, 0, "{stderr}");
    serde_json::from_str(&stdout).expect("JSON report")
}

/// rule → ["file:line", …] for the text rules.
fn evidence_by_rule(report: &Value) -> BTreeMap<String, Vec<String>> {
    let mut out = BTreeMap::new();
    for f in report["findings"].as_array().unwrap() {
        let rule = f["rule"].as_str().unwrap();
        if !(rule.starts_with("REV-") || rule.starts_with("MSG-")) {
            continue;
        }
        let places = f["evidence"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| format!("{}:{}", e["file"].as_str().unwrap(), e["line"]))
            .collect();
        out.insert(rule.to_string(), places);
    }
    out
}

fn finding<'a>(report: &'a Value, rule: &str) -> &'a Value {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == rule)
        .unwrap_or_else(|| panic!("no {rule} finding"))
}

#[test]
fn multilingual_fixture_fires_each_rule_at_its_lines() {
    let report = audit_json("review-messages-multilingual", &[]);
    let got = evidence_by_rule(&report);
    let want: BTreeMap<String, Vec<String>> = [
        (
            "REV-POSITIVE",
            &["inserts.csv:2", "messages.csv:2", "messages.csv:7"][..],
        ),
        (
            "REV-INCENTIVE",
            &["inserts.csv:2", "messages.csv:3", "messages.csv:6"],
        ),
        (
            "REV-GATING",
            &[
                "inserts.csv:2",
                "inserts.csv:3",
                "messages.csv:4",
                "messages.csv:8",
            ],
        ),
        ("REV-CHANGE", &["messages.csv:5", "messages.csv:6"]),
        ("MSG-CONTENT", &["messages.csv:11", "messages.csv:12"]),
        ("MSG-REPEAT", &["messages.csv:9", "messages.csv:10"]),
    ]
    .into_iter()
    .map(|(r, places)| {
        (
            r.to_string(),
            places.iter().map(|p| p.to_string()).collect(),
        )
    })
    .collect();
    assert_eq!(got, want);

    let positive = finding(&report, "REV-POSITIVE");
    assert_eq!(positive["severity"], "critical");
    assert_eq!(positive["occurrences"], 3);
    assert_eq!(finding(&report, "REV-GATING")["severity"], "high");
    assert_eq!(finding(&report, "REV-CHANGE")["severity"], "high");
    // A critical breach caps the score.
    assert!(
        report["score"]["value"].as_i64().unwrap_or(0) <= 99,
        "{}",
        report["score"]
    );

    // Evidence names the order or the insert and quotes the passage.
    let first = &positive["evidence"][1];
    assert_eq!(first["key"], "113-3787488-3864608");
    assert!(
        first["excerpt"].as_str().unwrap().contains("5-star review"),
        "{first}"
    );
    assert_eq!(positive["evidence"][0]["key"], "card-zh-hant");
}

#[test]
fn message_content_names_what_it_found_and_masks_it() {
    let report = audit_json("review-messages-multilingual", &[]);
    let content = finding(&report, "MSG-CONTENT");
    assert_eq!(content["severity"], "medium");
    let excerpts: Vec<&str> = content["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["excerpt"].as_str().unwrap())
        .collect();
    for label in ["external link", "e-mail address", "marketing", "emoji"] {
        assert!(excerpts[0].contains(label), "{label}: {}", excerpts[0]);
    }
    assert!(excerpts[1].starts_with("[phone number]"), "{}", excerpts[1]);
    assert!(!excerpts[1].contains("010-0199"), "masked: {}", excerpts[1]);
    // The Amazon link in the service message on line 13 is allowed.
    assert_eq!(content["occurrences"], 2);

    let unmasked = audit_json("review-messages-multilingual", &["--no-mask"]);
    let phone = &finding(&unmasked, "MSG-CONTENT")["evidence"][1]["excerpt"];
    assert!(phone.as_str().unwrap().contains("555-010-0199"), "{phone}");
}

#[test]
fn repeat_requests_count_the_requests_beyond_the_first() {
    let report = audit_json("review-messages-multilingual", &[]);
    let repeat = finding(&report, "MSG-REPEAT");
    assert_eq!(repeat["occurrences"], 1);
    assert!(
        repeat["message"].as_str().unwrap().starts_with("1 order "),
        "{}",
        repeat["message"]
    );
    let keys: Vec<&str> = repeat["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["113-3866678-4911898", "113-3866678-4911898"]);
}

#[test]
fn traps_fire_nothing() {
    for fixture in ["review-messages-clean", "healthy"] {
        let report = audit_json(fixture, &[]);
        let got = evidence_by_rule(&report);
        assert!(got.is_empty(), "{fixture}: {got:?}");
    }
}

#[test]
fn explain_documents_the_text_rules() {
    let (code, out, err) = ahr(&["explain", "REV-GATING"]);
    assert_eq!(code, 0, "{err}");
    for needle in [
        "REV-GATING: Asks only satisfied buyers",
        "severity high",
        "Example that fires",
        "CHECK `phrases`",
        "when[1] = if_happy + review within 110 chars anywhere in the text, in this order",
        "terms.ja",
        "HOW TO FIX",
        "REFERENCES",
        "policies/reviews.toml:",
    ] {
        assert!(out.contains(needle), "missing {needle:?} in:\n{out}");
    }
    for rule in [
        "REV-POSITIVE",
        "REV-INCENTIVE",
        "REV-CHANGE",
        "MSG-CONTENT",
        "MSG-REPEAT",
    ] {
        let (code, out, err) = ahr(&["explain", rule]);
        assert_eq!(code, 0, "{err}");
        assert!(out.contains("Example that fires"), "{rule}:\n{out}");
        assert!(out.contains("Parameters"), "{rule}:\n{out}");
    }
    let (_, out, _) = ahr(&["explain", "MSG-REPEAT"]);
    assert!(out.contains("per_order = 2"), "{out}");
}

#[test]
fn a_policy_override_can_narrow_a_rule_to_some_languages() {
    // An override names only what changes: REV-CHANGE keeps its terms but
    // reads English only, so the French and Spanish change requests of the
    // fixture no longer fire, and nothing else changes.
    let dir = tempfile::Builder::new()
        .prefix("override-policy-")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .unwrap();
    std::fs::write(
        dir.path().join("narrow.toml"),
        "[[rule]]\nid = \"REV-CHANGE\"\nlanguages = [\"en\", \"ja\"]\n",
    )
    .unwrap();
    let policies = dir.path().to_string_lossy().into_owned();
    let report = audit_json("review-messages-multilingual", &["--policies", &policies]);
    let got = evidence_by_rule(&report);
    assert!(!got.contains_key("REV-CHANGE"), "{got:?}");
    assert_eq!(got["REV-POSITIVE"].len(), 3, "{got:?}");

    std::fs::write(
        dir.path().join("narrow.toml"),
        "[[rule]]\nid = \"REV-CHANGE\"\nlanguages = [\"eng\"]\n",
    )
    .unwrap();
    let (code, _, err) = ahr(&["policy", "check", &policies]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("narrow.toml:3:"), "{err}");
    assert!(err.contains("did you mean `en`?"), "{err}");
}
