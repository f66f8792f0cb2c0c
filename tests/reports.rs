//! The reports for CI and for people, run through the real binary on the
//! fixtures: SARIF against the 2.1.0 schema, JUnit and HTML parsed as XML,
//! GitHub annotations and Markdown checked for escaping, several formats
//! in one run, `render` and `diff` round trips, waivers, `--baseline`, and
//! `init` writing a folder that `audit` accepts.

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

const AGENCY: &str = "fixtures/agency-report";

fn ahr(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ahr"))
        .args(args)
        .env("NO_COLOR", "1")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the binary runs")
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("utf-8 output")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A fresh folder under the system temp dir, named for the test and
/// removed when dropped.
fn scratch(name: &str) -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix(&format!("ahr-reports-{name}-"))
        .tempdir()
        .unwrap()
}

fn path(p: &Path) -> &str {
    p.to_str().expect("temp paths are UTF-8")
}

fn json_report(args: &[&str]) -> Value {
    let mut all = vec!["audit"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "json"]);
    let out = ahr(&all);
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "{}",
        stderr(&out)
    );
    serde_json::from_str(&stdout(&out)).expect("JSON report")
}

fn fix_language_patterns(node: &mut Value) -> usize {
    const BROKEN: &str = "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$";
    match node {
        Value::Object(map) => {
            let mut fixed = 0;
            if map.get("pattern").and_then(Value::as_str) == Some(BROKEN) {
                map.insert("pattern".into(), "^[a-zA-Z]{2}(-[a-zA-Z]{2})?$".into());
                fixed += 1;
            }
            fixed + map.values_mut().map(fix_language_patterns).sum::<usize>()
        }
        Value::Array(items) => items.iter_mut().map(fix_language_patterns).sum(),
        _ => 0,
    }
}

#[test]
fn sarif_is_valid_2_1_0_with_rules_and_export_locations() {
    let mut schema: Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sarif-schema-2.1.0.json"),
        )
        .unwrap(),
    )
    .unwrap();
    // The published schema's `language` patterns have a stray `]` that the
    // validator's regex engine refuses; ahr writes no `language`.
    assert_eq!(fix_language_patterns(&mut schema), 2);
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles");
    let dir = scratch("sarif");
    let waivers = dir.path().join("waivers.toml");
    std::fs::write(
        &waivers,
        "[[waiver]]\nrule = \"REV-POSITIVE\"\nreason = \"card withdrawn\"\nowner = \"ops\"\nexpires = \"2099-01-01\"\n",
    )
    .unwrap();
    for extra in [vec![], vec!["--waivers", path(&waivers)]] {
        let mut args = vec!["audit", AGENCY, "--format", "sarif"];
        args.extend(extra.iter().copied());
        let out = ahr(&args);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let sarif: Value = serde_json::from_str(&stdout(&out)).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&sarif)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "SARIF schema errors: {errors:#?}");
        let mut broken = sarif.clone();
        broken["runs"][0]["results"][0]["level"] = Value::from("fatal");
        assert!(
            !validator.is_valid(&broken),
            "the validator must catch a bad level"
        );

        assert_eq!(sarif["version"], "2.1.0");
        let run = &sarif["runs"][0];
        let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
        let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
        assert!(
            ids.contains(&"PERF-ODR") && ids.contains(&"PERF-VTR"),
            "{ids:?}"
        );
        let results = run["results"].as_array().unwrap();
        assert_eq!(results.len(), 2);
        let rev = results
            .iter()
            .find(|r| r["ruleId"] == "REV-POSITIVE")
            .unwrap();
        assert_eq!(
            rules[rev["ruleIndex"].as_u64().unwrap() as usize]["id"],
            "REV-POSITIVE"
        );
        let place = &rev["locations"][0]["physicalLocation"];
        assert_eq!(
            place["artifactLocation"]["uri"],
            "fixtures/agency-report/messages.csv"
        );
        assert_eq!(place["region"]["startLine"], 2);
        for uri in sarif.to_string().split("\"uri\":\"").skip(1) {
            let uri = &uri[..uri.find('"').unwrap()];
            assert!(
                uri.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-._~/%".contains(&b)),
                "not a plain URI reference: {uri}"
            );
        }
        let odr = results.iter().find(|r| r["ruleId"] == "PERF-ODR").unwrap();
        assert_eq!(odr["level"], "error");
        assert_eq!(odr["relatedLocations"].as_array().unwrap().len(), 2);
        let waived = rev.get("suppressions").is_some();
        assert_eq!(waived, !extra.is_empty());
        // The unreadable feedback row is a located notification.
        let note = &run["invocations"][0]["toolExecutionNotifications"][0];
        assert_eq!(
            note["locations"][0]["physicalLocation"]["region"]["startLine"],
            53
        );
    }
}

#[test]
fn junit_has_one_test_case_per_enabled_rule_and_fails_the_breaches() {
    let report = json_report(&[AGENCY]);
    let enabled = report["rules"].as_array().unwrap().len();
    assert!(enabled >= 11);
    let out = ahr(&["audit", AGENCY, "--format", "junit"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    let doc = roxmltree::Document::parse(&text).expect("JUnit is well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    assert_eq!(root.attribute("tests"), Some(enabled.to_string().as_str()));
    assert_eq!(root.attribute("failures"), Some("2"));
    let cases: Vec<roxmltree::Node> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    assert_eq!(cases.len(), enabled);
    let failed: Vec<&str> = cases
        .iter()
        .filter(|c| c.children().any(|n| n.has_tag_name("failure")))
        .map(|c| c.attribute("name").unwrap())
        .collect();
    assert_eq!(failed.len(), 2, "{failed:?}");
    assert!(failed.iter().any(|n| n.starts_with("PERF-ODR: ")));
    assert!(failed.iter().any(|n| n.starts_with("REV-POSITIVE: ")));
    let rev = cases
        .iter()
        .find(|c| c.attribute("name").unwrap().starts_with("REV-POSITIVE"))
        .unwrap();
    let failure = rev.children().find(|n| n.has_tag_name("failure")).unwrap();
    assert_eq!(failure.attribute("type"), Some("critical"));
    let body = failure.text().unwrap();
    // The buyer-message markup survives as text, not as XML.
    assert!(
        body.contains("fixtures/agency-report/messages.csv:2"),
        "{body}"
    );
    assert!(body.contains("<script>alert('x')</script>"), "{body}");
    let passed = cases
        .iter()
        .find(|c| c.attribute("name").unwrap().starts_with("PERF-VTR"))
        .unwrap();
    assert_eq!(passed.children().filter(|n| n.is_element()).count(), 0);
    let system_err = doc
        .descendants()
        .find(|n| n.has_tag_name("system-err"))
        .unwrap();
    assert!(system_err.text().unwrap().contains("feedback.csv:53"));
}

#[test]
fn html_is_one_well_formed_self_contained_page_with_the_key_numbers() {
    let out = ahr(&["audit", AGENCY, "--format", "html"]);
    assert_eq!(out.status.code(), Some(0));
    let html = stdout(&out);
    let options = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..Default::default()
    };
    let doc =
        roxmltree::Document::parse_with_options(&html, options).expect("the HTML is well-formed");
    // Self-contained: no scripts, no links, nothing fetched.
    for node in doc.descendants().filter(|n| n.is_element()) {
        let name = node.tag_name().name();
        assert!(
            !matches!(name, "script" | "link" | "iframe" | "img" | "object"),
            "<{name}>"
        );
        for attr in ["src", "href"] {
            assert!(node.attribute(attr).is_none(), "<{name} {attr}=…>");
        }
    }
    assert!(!html.contains("@import") && !html.contains("url("));
    let text_of = |id: &str| {
        doc.descendants()
            .find(|n| n.attribute("id") == Some(id))
            .and_then(|n| n.text())
            .map(str::to_string)
    };
    assert_eq!(text_of("score-value").as_deref(), Some("0"));
    let all_text: String = doc
        .descendants()
        .filter(|n| n.is_text())
        .map(|n| n.text().unwrap())
        .collect::<Vec<_>>()
        .join(" ");
    for needle in [
        "order_defect_rate",
        "3/150",
        "Order Defect Rate above 1%",
        "feedback.csv:51",
        "Arrived <b>broken</b> & late | never again",
        "rating `9` is outside 1 to 5",
        "250 Account Health Assurance",
        "200 healthy",
        "Latest AHR 192 on 2026-11-20",
    ] {
        assert!(all_text.contains(needle), "missing {needle:?}");
    }
    let gauge_bands = doc
        .descendants()
        .filter(|n| n.has_tag_name("path") && n.attribute("stroke-width") == Some("22"))
        .count();
    assert_eq!(gauge_bands, 3);
    let trend = doc
        .descendants()
        .find(|n| n.has_tag_name("polyline"))
        .expect("the AHR trend");
    assert_eq!(trend.attribute("points").unwrap().split(' ').count(), 120);
}

#[test]
fn github_annotations_are_one_line_each_and_escaped() {
    let out = ahr(&["audit", AGENCY, "--format", "github"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines.iter().all(|l| l.starts_with("::")), "{text}");
    assert!(!text.contains('\r'));
    let rev = lines
        .iter()
        .find(|l| l.contains("title=REV-POSITIVE"))
        .unwrap();
    assert!(
        rev.starts_with("::error file=fixtures/agency-report/messages.csv,line=2,"),
        "{rev}"
    );
    // The three ODR evidence rows are three annotations.
    assert_eq!(
        lines
            .iter()
            .filter(|l| l.contains("title=PERF-ODR"))
            .count(),
        3
    );
    let problem = lines.iter().find(|l| l.contains("line=53")).unwrap();
    assert!(problem.starts_with("::warning file=fixtures/agency-report/feedback.csv,line=53,"));
    assert!(
        lines
            .last()
            .unwrap()
            .starts_with("::notice title=ahr account health::")
    );
    // A percent sign in a title is escaped, or the runner would decode it.
    let out = ahr(&["audit", "fixtures/late-shipment", "--format", "github"]);
    let text = stdout(&out);
    assert!(text.contains("title=PERF-LSR-10 Late Shipment Rate above 4%25 (10 days) (medium)::"));
}

#[test]
fn markdown_escapes_export_text_and_mentions_no_one() {
    let out = ahr(&["audit", AGENCY, "--format", "markdown"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(text.starts_with("## ahr account health: northwind-agency"));
    assert!(text.contains("**Score 0 / 1000 — critical**"));
    assert!(!text.contains("<script") && !text.contains("<b>"), "{text}");
    assert!(text.contains("&lt;script&gt;"));
    assert!(!text.contains("@support"));
    // Every row of the findings table has its six cells (appeal included)
    // and no more.
    let rows: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.starts_with("| rule | severity | status"))
        .take_while(|l| l.starts_with('|'))
        .collect();
    assert_eq!(rows.len(), 4);
    for row in rows {
        let cells = row.replace("\\|", "").matches('|').count();
        assert_eq!(cells, 7, "{row}");
    }
}

#[test]
fn several_formats_in_one_run_and_render_gives_the_same_bytes() {
    let dir = scratch("multi");
    let file = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    let formats = ["json", "junit", "sarif", "github", "markdown", "html"];
    let mut args = vec!["audit".to_string(), AGENCY.to_string()];
    for f in formats {
        args.extend([
            "--format".into(),
            f.into(),
            "-o".into(),
            file(&format!("r.{f}")),
        ]);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = ahr(&args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(out.stdout.is_empty());
    for f in formats {
        let written = std::fs::read_to_string(file(&format!("r.{f}"))).unwrap();
        let rendered = ahr(&["render", &file("r.json"), "--format", f]);
        assert_eq!(rendered.status.code(), Some(0), "{}", stderr(&rendered));
        assert_eq!(stdout(&rendered), written, "render --format {f} differs");
    }
    // The gate works on a saved report too.
    let gated = ahr(&[
        "render",
        &file("r.json"),
        "--format",
        "json",
        "--fail-under",
        "250",
    ]);
    assert_eq!(gated.status.code(), Some(1));
    // Two formats for stdout is a usage error.
    let out = ahr(&["audit", AGENCY, "--format", "json", "--format", "junit"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("would all go to stdout"),
        "{}",
        stderr(&out)
    );
    // A file that is not a report.
    let out = ahr(&[
        "render",
        &format!("{AGENCY}/orders.csv"),
        "--format",
        "html",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("is not an ahr JSON report"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn waivers_leave_the_score_and_gate_and_report_expired_and_unmatched() {
    let dir = scratch("waivers");
    let waivers = dir.path().join("ahr.toml");
    std::fs::write(
        &waivers,
        r#"[[waiver]]
rule = "REV-POSITIVE"
scope = ["messages.csv:2"]
reason = "the template was withdrawn on 2026-11-21"
owner = "ops@northwind.example"
expires = "2099-12-31"

[[waiver]]
rule = "PERF-ODR"
reason = "an old waiver"
owner = "ops"
expires = "2020-01-01"

[[waiver]]
rule = "IP-COMPLAINT"
reason = "nothing to waive any more"
owner = "legal"
expires = "2099-12-31"
"#,
    )
    .unwrap();
    let before = ahr(&["audit", AGENCY, "--fail-on", "critical"]);
    assert_eq!(before.status.code(), Some(1));
    let out = ahr(&[
        "audit",
        AGENCY,
        "--waivers",
        path(&waivers),
        "--format",
        "json",
        "--fail-on",
        "critical",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
    // 200 start + 8 volume - 100 ODR: the critical breach no longer counts.
    assert_eq!(report["score"]["value"], 108);
    assert_eq!(report["score"]["band"], "at_risk");
    let rules: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, vec!["PERF-ODR"]);
    let waived = &report["waived"][0];
    assert_eq!(waived["rule"], "REV-POSITIVE");
    assert_eq!(waived["points"], 0);
    assert_eq!(waived["waiver"]["owner"], "ops@northwind.example");
    assert!(
        waived["waiver"]["defined_at"]
            .as_str()
            .unwrap()
            .ends_with("ahr.toml:1")
    );
    assert_eq!(report["waivers"]["expired"][0]["rule"], "PERF-ODR");
    assert_eq!(report["waivers"]["unmatched"][0]["rule"], "IP-COMPLAINT");
    let status = |id: &str| {
        report["rules"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .unwrap()["status"]
            .clone()
    };
    assert_eq!(status("REV-POSITIVE"), "waived");
    assert_eq!(status("PERF-ODR"), "breach");
    assert_eq!(status("PERF-VTR"), "passed");

    // The table says the same, and ahr.toml in the folder is found alone.
    let account_dir = scratch("waivers-account");
    let account = account_dir.path();
    for entry in std::fs::read_dir(AGENCY).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), account.join(entry.file_name())).unwrap();
    }
    std::fs::copy(&waivers, account.join("ahr.toml")).unwrap();
    let out = ahr(&["audit", path(account)]);
    let table = stdout(&out);
    assert!(table.contains("SCORE 108 / 1000"), "{table}");
    assert!(
        table.contains("WAIVED (1, not in the score or the gate)"),
        "{table}"
    );
    assert!(table.contains("REV-POSITIVE Asks for a positive or five-star review  until 2099-12-31, owner ops@northwind.example"), "{table}");
    assert!(table.contains("expired on 2020-01-01"), "{table}");
    assert!(table.contains("matched no finding"), "{table}");
    assert!(
        !table.contains("ignored"),
        "ahr.toml is not an export: {table}"
    );
    let out = ahr(&["audit", path(account), "--no-waivers"]);
    assert!(stdout(&out).contains("SCORE 0 / 1000"));

    // A bad waiver file stops the audit with every problem located.
    std::fs::write(
        &waivers,
        "[[waiver]]\nrule = \"PERF-ODRR\"\nreason = \"x\"\nexpires = \"soon\"\n",
    )
    .unwrap();
    let out = ahr(&["audit", AGENCY, "--waivers", path(&waivers)]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("did you mean `PERF-ODR`?"), "{err}");
    assert!(err.contains("has no `owner`"), "{err}");
    assert!(err.contains("ahr.toml:4:"), "{err}");
}

#[test]
fn a_baseline_keeps_only_new_findings_and_diff_tells_the_history() {
    let dir = scratch("baseline");
    let old = dir.path().join("old.json");
    let new = dir.path().join("new.json");
    let out = ahr(&[
        "audit",
        "fixtures/healthy",
        "--format",
        "json",
        "-o",
        path(&old),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = ahr(&["audit", AGENCY, "--format", "json", "-o", path(&new)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    // Against itself nothing is new, so the gate passes; the score stays.
    let report = json_report(&[AGENCY, "--baseline", path(&new), "--fail-on", "low"]);
    assert_eq!(report["findings"].as_array().unwrap().len(), 0);
    assert_eq!(report["score"]["value"], 0);
    assert_eq!(report["baseline"]["known"].as_array().unwrap().len(), 2);
    let out = ahr(&[
        "audit",
        AGENCY,
        "--baseline",
        path(&new),
        "--fail-on",
        "low",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // Against a healthy past, both findings are new.
    let report = json_report(&[AGENCY, "--baseline", path(&old)]);
    assert_eq!(report["findings"].as_array().unwrap().len(), 2);

    let out = ahr(&["diff", path(&old), path(&new), "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let diff: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(diff["old"]["score"], 208);
    assert_eq!(diff["new"]["score"], 0);
    assert_eq!(diff["score_change"], -208);
    let new_rules: Vec<&str> = diff["new_findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(new_rules, vec!["REV-POSITIVE", "PERF-ODR"]);
    assert!(diff["resolved_findings"].as_array().unwrap().is_empty());
    let odr = diff["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["metric"] == "order_defect_rate")
        .unwrap();
    assert_eq!(odr["old_status"], "ok");
    assert_eq!(odr["new_status"], "breach");
    // The other way round, they are resolved; the text says so.
    let out = ahr(&["diff", path(&new), path(&old)]);
    let text = stdout(&out);
    assert!(
        text.contains("score 0 (critical) -> 208 (healthy): +208"),
        "{text}"
    );
    assert!(text.contains("RESOLVED (2)"), "{text}");
    let out = ahr(&["diff", path(&old), path(&new), "--format", "markdown"]);
    assert!(stdout(&out).contains("**Score 208 → 0 (-208)**"));
}

#[test]
fn init_writes_a_folder_that_audit_and_policy_check_accept() {
    let root = scratch("init");
    let dir = root.path().join("acme-us");
    let out = ahr(&["init", path(&dir)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let orders = std::fs::read_to_string(dir.join("orders.csv")).unwrap();
    assert!(orders.starts_with("order_id,purchase_date,"), "{orders}");
    for name in [
        "feedback.csv",
        "claims.csv",
        "health_history.csv",
        "account.toml",
        "ahr.toml",
    ] {
        assert!(dir.join(name).is_file(), "{name}");
    }
    let account = std::fs::read_to_string(dir.join("account.toml")).unwrap();
    assert!(account.contains("# marketplace = \"US\""));

    let out = ahr(&["audit", path(&dir), "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(report["account"]["id"], "acme-us");
    assert!(report["ignored"].as_array().unwrap().is_empty(), "{report}");
    assert_eq!(report["inputs"].as_array().unwrap().len(), 11);

    let policies = dir.join("policies");
    let out = ahr(&["policy", "check", path(&policies)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = ahr(&["audit", path(&dir), "--policies", path(&policies)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    // A second init keeps what the user filled in.
    std::fs::write(dir.join("account.toml"), "id = \"mine\"\n").unwrap();
    let out = ahr(&["init", path(&dir)]);
    assert!(stdout(&out).contains("kept"));
    assert_eq!(
        std::fs::read_to_string(dir.join("account.toml")).unwrap(),
        "id = \"mine\"\n"
    );
}

#[test]
fn completions_and_man_page_come_from_the_command_line_definition() {
    let out = ahr(&["completions", "bash"]);
    assert_eq!(out.status.code(), Some(0));
    let script = stdout(&out);
    assert!(script.contains("_ahr()") && script.contains("--fail-under"));
    assert!(script.contains("sarif") && script.contains("junit"));
    let out = ahr(&["man"]);
    assert_eq!(out.status.code(), Some(0));
    let page = stdout(&out);
    assert!(
        page.starts_with(".ie \\n(.g .ds Aq") || page.contains(".TH ahr"),
        "{page}"
    );
    assert!(page.contains("audit") && page.contains("render"));
    let dir = scratch("man");
    let out = ahr(&["man", "--dir", path(dir.path())]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let audit = std::fs::read_to_string(dir.path().join("ahr-audit.1")).unwrap();
    assert!(
        audit.contains("fail\\-under") && audit.contains("baseline"),
        "{audit}"
    );
}

#[test]
fn render_reads_a_report_written_before_the_new_sections() {
    let mut report = json_report(&[AGENCY]);
    let map = report.as_object_mut().unwrap();
    for key in ["rules", "health_history", "source"] {
        assert!(map.remove(key).is_some(), "{key}");
    }
    let dir = scratch("old-report");
    let file = dir.path().join("old.json");
    std::fs::write(&file, serde_json::to_string(&report).unwrap()).unwrap();
    let out = ahr(&["render", path(&file), "--format", "junit"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let doc = roxmltree::Document::parse(&text).unwrap();
    let cases = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .count();
    assert_eq!(cases, 2, "the findings are all an old report can list");
    // A newer schema is refused rather than misread.
    report["schema_version"] = Value::from(99);
    std::fs::write(&file, serde_json::to_string(&report).unwrap()).unwrap();
    let out = ahr(&["render", path(&file), "--format", "html"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("upgrade ahr"), "{}", stderr(&out));
}
