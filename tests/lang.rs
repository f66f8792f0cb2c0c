//! `--lang zh-CN`: the table, Markdown, HTML and appeal output in Simplified
//! Chinese, the JSON report unchanged, and the appealability class in every
//! format.

use std::path::Path;
use std::process::Output;

fn ahr(args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_ahr"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .expect("ahr runs")
}

fn audit(fixture: &str, extra: &[&str]) -> String {
    let dir = Path::new("fixtures").join(fixture);
    let mut args = vec!["audit", dir.to_str().unwrap(), "--as-of", "2026-11-20"];
    args.extend_from_slice(extra);
    let out = ahr(&args);
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn chinese_table_for_review_card_insert() {
    let text = audit("review-card-insert", &["--lang", "zh-CN"]);
    for expected in [
        "发现的问题 (2)",
        "以好处换取评论（好评返现等）",
        "索要好评或五星评价",
        "危急",
        "整改：在所有渠道",
        "申诉：申诉困难",
        "订单缺陷率",
        "报告中看不到的事项",
    ] {
        assert!(text.contains(expected), "missing {expected}:\n{text}");
    }
    assert!(!text.contains("FINDINGS"), "{text}");
    // Evidence stays as the export wrote it.
    assert!(text.contains("Leave us a 5-star review"), "{text}");
}

#[test]
fn chinese_table_for_odr_breach_translates_the_rate_message() {
    let text = audit("odr-breach", &["--lang", "zh"]);
    for expected in [
        "订单缺陷率超过 1%",
        "有风险",
        "订单缺陷率为 2.67%",
        "高于违规线 1%",
        "已超出上限 3 笔问题订单",
        "违规",
    ] {
        assert!(text.contains(expected), "missing {expected}:\n{text}");
    }
    let english = audit("odr-breach", &[]);
    assert!(english.contains("Order Defect Rate above 1%"), "{english}");
    assert!(english.contains("appeal: appealable"), "{english}");
    assert!(!english.contains("订单"), "English stays the default");
}

#[test]
fn json_is_the_same_with_and_without_lang() {
    for fixture in ["review-card-insert", "odr-breach"] {
        let plain = audit(fixture, &["--format", "json"]);
        let zh = audit(fixture, &["--format", "json", "--lang", "zh-CN"]);
        assert_eq!(plain, zh, "{fixture}");
        // The report carries the texts `ahr render --lang` needs.
        assert!(plain.contains("\"zh-CN\""), "{fixture}");
    }
    // A rate finding carries its message as key and arguments.
    let plain = audit("odr-breach", &["--format", "json"]);
    assert!(plain.contains("\"key\": \"rate\""), "{plain}");
}

#[test]
fn render_reads_the_chinese_texts_from_the_report() {
    let dir = tempfile::Builder::new()
        .prefix("ahr-lang-")
        .tempdir()
        .unwrap();
    let report = dir.path().join("r.json");
    std::fs::write(&report, audit("odr-breach", &["--format", "json"])).unwrap();
    let out = ahr(&[
        "render",
        report.to_str().unwrap(),
        "--format",
        "markdown",
        "--lang",
        "zh-CN",
    ]);
    let md = String::from_utf8(out.stdout).unwrap();
    assert!(md.contains("### 发现的问题 (1)"), "{md}");
    assert!(md.contains("订单缺陷率超过 1%"), "{md}");
    assert!(md.contains("**申诉：** 可申诉"), "{md}");
    let out = ahr(&[
        "render",
        report.to_str().unwrap(),
        "--format",
        "html",
        "--lang",
        "zh-CN",
    ]);
    let html = String::from_utf8(out.stdout).unwrap();
    assert!(html.contains("<html lang=\"zh-CN\">"), "{html}");
    let options = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..Default::default()
    };
    roxmltree::Document::parse_with_options(&html, options).expect("the HTML is well-formed");
    assert!(
        html.contains("订单缺陷率超过 1%") && html.contains("可申诉"),
        "{html}"
    );
}

#[test]
fn every_format_shows_the_appealability_class() {
    for (format, expected) in [
        ("table", "appeal: hard"),
        ("markdown", "**Appeal:** hard"),
        ("html", "<b>Appeal:</b> hard"),
        ("junit", "appeal: hard"),
        ("github", "appeal: hard"),
        ("sarif", "\"appeal\": \"hard\""),
        ("json", "\"appeal\": \"hard\""),
    ] {
        let text = audit("review-card-insert", &["--format", format]);
        assert!(
            text.contains(expected),
            "{format}: missing {expected}\n{text}"
        );
    }
}

#[test]
fn an_unknown_language_is_a_clear_error() {
    let out = ahr(&["audit", "fixtures/odr-breach", "--lang", "fr"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("`fr`") && err.contains("zh-CN"), "{err}");
}
