//! Precision and recall of the review-solicitation rules (and of
//! MSG-CONTENT) on the labeled corpora in `tests/corpus/`: every row becomes a message or an insert of
//! one account folder, the real audit runs over it with the default
//! policies, and each finding's evidence line is mapped back to its row.
//!
//! Run with `cargo test --test solicitation_corpus -- --nocapture` to see
//! the per-language table even when the test passes.

use ahr::audit::{AuditOptions, audit_dir};
use ahr::policy::{self, PolicySources};
use chrono::NaiveDate;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

const REVIEW_RULES: &[&str] = &["REV-POSITIVE", "REV-INCENTIVE", "REV-GATING", "REV-CHANGE"];
const MESSAGE_RULES: &[&str] = &["MSG-CONTENT"];
const TARGET: f64 = 0.95;

struct Row {
    id: String,
    lang: String,
    source: String,
    labels: BTreeSet<String>,
    text: String,
}

fn read_corpus(path: &Path, rules: &[&str]) -> Vec<Row> {
    let text = std::fs::read_to_string(path).expect("corpus is readable UTF-8");
    let mut rows = Vec::new();
    for (n, line) in text.lines().enumerate().skip(1) {
        if line.trim().is_empty() {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        assert_eq!(
            cols.len(),
            5,
            "{}:{}: expected 5 columns",
            path.display(),
            n + 1
        );
        let labels = match cols[3] {
            "none" => BTreeSet::new(),
            list => list.split(',').map(str::to_string).collect(),
        };
        for label in &labels {
            assert!(
                rules.contains(&label.as_str()),
                "{}:{}: label {label}",
                path.display(),
                n + 1
            );
        }
        assert!(
            matches!(cols[2], "message" | "insert"),
            "{}:{}",
            path.display(),
            n + 1
        );
        rows.push(Row {
            id: cols[0].into(),
            lang: cols[1].into(),
            source: cols[2].into(),
            labels,
            text: cols[4].into(),
        });
    }
    rows
}

fn csv_cell(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// Writes the rows as one account folder; returns (file, line) → row index.
fn write_account(dir: &Path, rows: &[Row]) -> BTreeMap<(String, u64), usize> {
    std::fs::create_dir_all(dir).unwrap();
    let mut messages = String::from("sent_at,order_id,direction,body\n");
    let mut inserts = String::from("id,text\n");
    let mut at = BTreeMap::new();
    let (mut m_line, mut i_line) = (1, 1);
    for (index, row) in rows.iter().enumerate() {
        if row.source == "message" {
            m_line += 1;
            // One order per row: MSG-REPEAT must not link rows together.
            let order = format!("{:03}-{:07}-{:07}", 100 + index % 900, index, index);
            writeln!(
                messages,
                "2026-11-01,{order},outbound,{}",
                csv_cell(&row.text)
            )
            .unwrap();
            at.insert(("messages.csv".to_string(), m_line), index);
        } else {
            i_line += 1;
            writeln!(inserts, "{},{}", csv_cell(&row.id), csv_cell(&row.text)).unwrap();
            at.insert(("inserts.csv".to_string(), i_line), index);
        }
    }
    std::fs::write(dir.join("messages.csv"), messages).unwrap();
    std::fs::write(dir.join("inserts.csv"), inserts).unwrap();
    at
}

/// The rules that fired for each row.
fn detect(name: &str, rows: &[Row], rules: &[&str]) -> Vec<BTreeSet<String>> {
    let dir = tempfile::Builder::new()
        .prefix(&format!("corpus-{name}-"))
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .unwrap();
    let at = write_account(dir.path(), rows);
    let policies = policy::load(&PolicySources::default()).expect("default policies load");
    let date = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
    let options = AuditOptions {
        as_of: Some(date),
        mask: false,
        today: date,
        peak: None,
    };
    let report = audit_dir(dir.path(), &policies, &options).expect("audit runs");
    let mut fired = vec![BTreeSet::new(); rows.len()];
    for finding in report
        .findings
        .iter()
        .filter(|f| rules.contains(&f.rule.as_str()))
    {
        for e in &finding.evidence {
            let file = Path::new(&e.file)
                .file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_default();
            let line = e.line.expect("text evidence has a line");
            let index = at
                .get(&(file.clone(), line))
                .unwrap_or_else(|| panic!("evidence {file}:{line} maps to no row"));
            fired[*index].insert(finding.rule.clone());
        }
    }
    fired
}

#[derive(Default, Clone, Copy)]
struct Counts {
    tp: u32,
    fp: u32,
    fn_: u32,
}

impl Counts {
    fn precision(self) -> f64 {
        if self.tp + self.fp == 0 {
            1.0
        } else {
            f64::from(self.tp) / f64::from(self.tp + self.fp)
        }
    }
    fn recall(self) -> f64 {
        if self.tp + self.fn_ == 0 {
            1.0
        } else {
            f64::from(self.tp) / f64::from(self.tp + self.fn_)
        }
    }
}

/// Scores `fired` against the labels; returns the report and whether every
/// rule and the total reach the target.
fn score(rows: &[Row], fired: &[BTreeSet<String>], rules: &[&str]) -> (String, bool) {
    let mut per_rule: BTreeMap<&str, Counts> = BTreeMap::new();
    let mut per_lang: BTreeMap<&str, Counts> = BTreeMap::new();
    let mut total = Counts::default();
    let mut errors = String::new();
    for (row, got) in rows.iter().zip(fired) {
        for &rule in rules {
            let want = row.labels.contains(rule);
            let has = got.contains(rule);
            let slot = |c: &mut Counts| match (want, has) {
                (true, true) => c.tp += 1,
                (false, true) => c.fp += 1,
                (true, false) => c.fn_ += 1,
                (false, false) => {}
            };
            slot(per_rule.entry(rule).or_default());
            slot(per_lang.entry(row.lang.as_str()).or_default());
            slot(&mut total);
            if want != has {
                let what = if has { "false alarm" } else { "missed" };
                let _ = writeln!(errors, "  {what:11} {rule:13} {}: {}", row.id, row.text);
            }
        }
    }
    let mut out = String::new();
    let mut ok = true;
    let mut line = |name: &str, c: Counts, judged: bool| {
        let pass = c.precision() >= TARGET && c.recall() >= TARGET;
        if judged && !pass {
            ok = false;
        }
        let _ = writeln!(
            out,
            "  {name:14} tp {:3} fp {:3} fn {:3}  precision {:.3}  recall {:.3}{}",
            c.tp,
            c.fp,
            c.fn_,
            c.precision(),
            c.recall(),
            if judged && !pass { "  < target" } else { "" }
        );
    };
    for (rule, c) in &per_rule {
        line(rule, *c, true);
    }
    line("all rules", total, true);
    for (lang, c) in &per_lang {
        line(lang, *c, false);
    }
    if !errors.is_empty() {
        out.push_str("errors:\n");
        out.push_str(&errors);
    }
    (out, ok)
}

fn run(name: &str, file: &str, rules: &[&str]) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/corpus")
        .join(file);
    let rows = read_corpus(&path, rules);
    assert!(rows.len() >= 30, "{file} has only {} rows", rows.len());
    let fired = detect(name, &rows, rules);
    let (summary, ok) = score(&rows, &fired, rules);
    println!("{file} ({} rows):\n{summary}", rows.len());
    assert!(ok, "{file}: precision or recall below {TARGET}:\n{summary}");
}

#[test]
fn solicitation_corpus_meets_precision_and_recall() {
    run("main", "solicitation.tsv", REVIEW_RULES);
}

#[test]
fn held_out_corpus_meets_precision_and_recall() {
    run("extra", "solicitation-extra.tsv", REVIEW_RULES);
}

#[test]
fn message_content_corpus_meets_precision_and_recall() {
    run("messages", "messages.tsv", MESSAGE_RULES);
}
