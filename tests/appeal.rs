//! `ahr appeal` drafts, kept as snapshots a reviewer can read in
//! `tests/snapshots/`. After an intended change, rewrite them with
//! `UPDATE_SNAPSHOTS=1 cargo test --test appeal` and read the diff.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn ahr(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ahr"))
        .args(args)
        .output()
        .expect("the ahr binary runs")
}

fn check_snapshot(name: &str, actual: &str) {
    let path: PathBuf = root().join("tests/snapshots").join(name);
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("{} is missing: run with UPDATE_SNAPSHOTS=1", path.display()));
    assert!(
        expected == actual,
        "{name} differs from its snapshot; if the change is intended, rerun with UPDATE_SNAPSHOTS=1\n--- actual ---\n{actual}"
    );
}

fn appeal(fixture: &str, rule: &str) -> Output {
    let dir = root().join("fixtures").join(fixture);
    ahr(&[
        "appeal",
        dir.to_str().unwrap(),
        "--rule",
        rule,
        "--as-of",
        "2026-11-20",
    ])
}

#[test]
fn review_card_draft() {
    let out = appeal("review-card-insert", "REV-INCENTIVE");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("| inserts.csv | 2 | vip-card-v2 |"), "{text}");
    assert!(
        !text.contains("vip@northwind"),
        "the e-mail address stays masked"
    );
    check_snapshot("appeal-review-card.md", &text);
}

#[test]
fn odr_breach_draft() {
    let out = appeal("odr-breach", "PERF-ODR");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("`order_defect_rate` was 2.67% (4 of 150 orders, 2026-09-22 to 2026-11-20); Amazon's target is <= 1%."),
        "{text}"
    );
    check_snapshot("appeal-odr-breach.md", &text);
}

#[test]
fn a_rule_without_a_finding_has_nothing_to_appeal() {
    let out = appeal("healthy", "PERF-ODR");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("has no finding"), "{err}");
    let out = appeal("healthy", "NO-SUCH-RULE");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn every_placeholder_is_marked_and_nothing_claims_to_be_done_unconfirmed() {
    let out = appeal("odr-breach", "PERF-ODR");
    let text = String::from_utf8(out.stdout).unwrap();
    let section = text
        .split("## 2. Corrective actions taken")
        .nth(1)
        .unwrap()
        .split("## Evidence")
        .next()
        .unwrap();
    for line in section.lines().filter(|l| l.starts_with(char::is_numeric)) {
        assert!(line.contains("**[confirm]**"), "unmarked action: {line}");
        assert!(line.contains("[["), "no placeholder for when: {line}");
    }
}

#[test]
fn review_card_draft_in_chinese() {
    let dir = root().join("fixtures/review-card-insert");
    let out = ahr(&[
        "appeal",
        dir.to_str().unwrap(),
        "--rule",
        "REV-INCENTIVE",
        "--as-of",
        "2026-11-20",
        "--lang",
        "zh-CN",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("# 行动计划（POA）：以好处换取评论（好评返现等）（REV-INCENTIVE）"),
        "{text}"
    );
    assert!(text.contains("申诉难度：**申诉困难**"), "{text}");
    assert!(
        text.contains("1 张包装插卡或模板使用了本规则禁止的措辞"),
        "{text}"
    );
    assert!(text.contains("| inserts.csv | 2 | vip-card-v2 |"), "{text}");
    check_snapshot("appeal-review-card.zh-CN.md", &text);
}
