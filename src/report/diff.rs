//! Two saved reports compared: the score change, findings that are new or
//! resolved or changed, and how each metric moved — the history Amazon's
//! API does not keep. The same comparison drives `--baseline`, which keeps
//! only the findings that are new since an older report.

use super::{BaselineInfo, Report, RuleStatus, escape};
use crate::findings::{Finding, FindingStatus, Severity};
use crate::metrics::MetricStatus;
use serde::Serialize;
use std::collections::BTreeSet;
use std::fmt::Write as _;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Side {
    pub account: String,
    pub as_of: chrono::NaiveDate,
    pub score: i64,
    pub band: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FindingRef {
    pub rule: String,
    pub title: String,
    pub severity: Severity,
    pub status: FindingStatus,
    pub occurrences: u64,
    pub points: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Changed {
    pub old: FindingRef,
    pub new: FindingRef,
    /// Evidence keys the new report has and the old one did not.
    pub new_evidence: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MetricChange {
    pub metric: String,
    pub old_value: Option<f64>,
    pub new_value: Option<f64>,
    pub old_status: Option<MetricStatus>,
    pub new_status: Option<MetricStatus>,
    pub old_headroom: Option<i64>,
    pub new_headroom: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Diff {
    pub old: Side,
    pub new: Side,
    pub score_change: i64,
    pub new_findings: Vec<FindingRef>,
    pub resolved_findings: Vec<FindingRef>,
    pub changed_findings: Vec<Changed>,
    pub metrics: Vec<MetricChange>,
}

fn side(report: &Report) -> Side {
    Side {
        account: report.account.id.clone(),
        as_of: report.as_of,
        score: report.score.value,
        band: report.score.band.clone(),
    }
}

fn reference(f: &Finding) -> FindingRef {
    FindingRef {
        rule: f.rule.clone(),
        title: f.title.clone(),
        severity: f.severity,
        status: f.status,
        occurrences: f.occurrences,
        points: f.points,
    }
}

/// Evidence compared by file and key: line numbers move when rows are added.
fn evidence_keys(f: &Finding) -> BTreeSet<(String, String)> {
    f.evidence
        .iter()
        .map(|e| (e.file.clone(), e.key.clone()))
        .collect()
}

pub fn diff(old: &Report, new: &Report) -> Diff {
    let mut new_findings = Vec::new();
    let mut changed_findings = Vec::new();
    for f in &new.findings {
        match old.findings.iter().find(|o| o.rule == f.rule) {
            None => new_findings.push(reference(f)),
            Some(o) => {
                let before = evidence_keys(o);
                let added: Vec<String> = evidence_keys(f)
                    .into_iter()
                    .filter(|k| !before.contains(k))
                    .map(|(_, key)| key)
                    .collect();
                if o.status != f.status
                    || o.severity != f.severity
                    || o.occurrences != f.occurrences
                    || o.points != f.points
                    || !added.is_empty()
                {
                    changed_findings.push(Changed {
                        old: reference(o),
                        new: reference(f),
                        new_evidence: added,
                    });
                }
            }
        }
    }
    let resolved_findings = old
        .findings
        .iter()
        .filter(|o| !new.findings.iter().any(|f| f.rule == o.rule))
        .map(reference)
        .collect();
    let mut ids: Vec<&String> = new.metrics.0.iter().map(|(id, _)| id).collect();
    for (id, _) in &old.metrics.0 {
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    let metrics = ids
        .into_iter()
        .filter_map(|id| {
            let a = old.metrics.get(id);
            let b = new.metrics.get(id);
            let change = MetricChange {
                metric: id.clone(),
                old_value: a.and_then(|m| m.value),
                new_value: b.and_then(|m| m.value),
                old_status: a.map(|m| m.status),
                new_status: b.map(|m| m.status),
                old_headroom: a.and_then(|m| m.headroom),
                new_headroom: b.and_then(|m| m.headroom),
            };
            let moved = change.old_value != change.new_value
                || change.old_status != change.new_status
                || change.old_headroom != change.new_headroom;
            moved.then_some(change)
        })
        .collect();
    Diff {
        old: side(old),
        new: side(new),
        score_change: new.score.value - old.score.value,
        new_findings,
        resolved_findings,
        changed_findings,
        metrics,
    }
}

/// Leaves in `report.findings` only what is new since `old`: a rule that
/// did not fire then, a finding that got worse (warning to breach), or one
/// with evidence the old report did not have. The score stays the
/// account's score; the gate's `--fail-on` then sees only new findings.
pub fn apply_baseline(report: &mut Report, old: &Report, file: &str) {
    let mut known = Vec::new();
    report.findings.retain(|f| {
        let before = old
            .findings
            .iter()
            .chain(old.waived.iter().map(|w| &w.finding))
            .find(|o| o.rule == f.rule);
        let is_known = before
            .is_some_and(|o| o.status >= f.status && evidence_keys(f).is_subset(&evidence_keys(o)));
        if is_known {
            known.push(f.rule.clone());
        }
        !is_known
    });
    for outcome in &mut report.rules {
        if known.contains(&outcome.id) {
            outcome.status = RuleStatus::Baseline;
        }
    }
    if !known.is_empty() {
        report.notes.push(format!(
            "{} finding(s) already in the baseline {file} are left out: {}",
            known.len(),
            known.join(", ")
        ));
    }
    report.baseline = Some(BaselineInfo {
        file: file.to_string(),
        as_of: old.as_of,
        score: old.score.value,
        known,
    });
}

fn percent(value: Option<f64>) -> String {
    match value {
        Some(v) => {
            let text = format!("{:.2}", v * 100.0);
            format!("{}%", text.trim_end_matches('0').trim_end_matches('.'))
        }
        None => "-".into(),
    }
}

fn status(s: Option<MetricStatus>) -> &'static str {
    s.map_or("-", MetricStatus::as_str)
}

fn headroom(h: Option<i64>) -> String {
    h.map_or("-".into(), |h| format!("{h:+}"))
}

pub fn render_json(diff: &Diff) -> String {
    let mut text = serde_json::to_string_pretty(diff).expect("a diff always serialises");
    text.push('\n');
    text
}

/// Plain text for a terminal.
pub fn render_text(diff: &Diff) -> String {
    use crate::input::table::printable;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "ahr diff: {} {} -> {} {}",
        printable(&diff.old.account),
        diff.old.as_of,
        printable(&diff.new.account),
        diff.new.as_of
    );
    let _ = writeln!(
        out,
        "score {} ({}) -> {} ({}): {:+}",
        diff.old.score, diff.old.band, diff.new.score, diff.new.band, diff.score_change
    );
    let line = |f: &FindingRef| {
        format!(
            "{} [{} {}] {} ({} occurrences, {:+} points)",
            f.rule,
            f.severity,
            f.status.as_str(),
            printable(&f.title),
            f.occurrences,
            f.points
        )
    };
    let _ = writeln!(out, "\nNEW ({})", diff.new_findings.len());
    for f in &diff.new_findings {
        let _ = writeln!(out, "  + {}", line(f));
    }
    let _ = writeln!(out, "\nRESOLVED ({})", diff.resolved_findings.len());
    for f in &diff.resolved_findings {
        let _ = writeln!(out, "  - {}", line(f));
    }
    let _ = writeln!(out, "\nCHANGED ({})", diff.changed_findings.len());
    for c in &diff.changed_findings {
        let _ = writeln!(out, "  ~ {}", line(&c.new));
        let _ = writeln!(out, "      was {}", line(&c.old));
        if !c.new_evidence.is_empty() {
            let keys: Vec<String> = c.new_evidence.iter().map(|k| printable(k)).collect();
            let _ = writeln!(out, "      new evidence: {}", keys.join(", "));
        }
    }
    let _ = writeln!(out, "\nMETRICS ({} moved)", diff.metrics.len());
    for m in &diff.metrics {
        let _ = writeln!(
            out,
            "  {}: {} -> {} ({} -> {}), headroom {} -> {}",
            m.metric,
            percent(m.old_value),
            percent(m.new_value),
            status(m.old_status),
            status(m.new_status),
            headroom(m.old_headroom),
            headroom(m.new_headroom)
        );
    }
    out
}

/// Markdown for a pull-request comment.
pub fn render_markdown(diff: &Diff) -> String {
    let md = escape::markdown;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "## ahr diff: {} {} → {}\n",
        md(&diff.new.account),
        diff.old.as_of,
        diff.new.as_of
    );
    let _ = writeln!(
        out,
        "**Score {} → {} ({:+})**, {} → {}\n",
        diff.old.score,
        diff.new.score,
        diff.score_change,
        md(&diff.old.band),
        md(&diff.new.band)
    );
    let table = |out: &mut String, title: &str, rows: &[&FindingRef]| {
        let _ = writeln!(out, "### {title} ({})\n", rows.len());
        if rows.is_empty() {
            let _ = writeln!(out, "none\n");
            return;
        }
        let _ = writeln!(out, "| rule | severity | status | title | points |");
        let _ = writeln!(out, "|---|---|---|---|---:|");
        for f in rows {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {:+} |",
                md(&f.rule),
                f.severity,
                f.status.as_str(),
                md(&f.title),
                f.points
            );
        }
        out.push('\n');
    };
    table(
        &mut out,
        "New",
        &diff.new_findings.iter().collect::<Vec<_>>(),
    );
    table(
        &mut out,
        "Resolved",
        &diff.resolved_findings.iter().collect::<Vec<_>>(),
    );
    table(
        &mut out,
        "Changed",
        &diff
            .changed_findings
            .iter()
            .map(|c| &c.new)
            .collect::<Vec<_>>(),
    );
    let _ = writeln!(out, "### Metrics ({} moved)\n", diff.metrics.len());
    if !diff.metrics.is_empty() {
        let _ = writeln!(out, "| metric | before | after | status | headroom |");
        let _ = writeln!(out, "|---|---:|---:|---|---|");
        for m in &diff.metrics {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} → {} | {} → {} |",
                md(&m.metric),
                percent(m.old_value),
                percent(m.new_value),
                status(m.old_status),
                status(m.new_status),
                headroom(m.old_headroom),
                headroom(m.new_headroom)
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn report(score: i64, findings: serde_json::Value) -> Report {
        serde_json::from_value(json!({
            "schema_version": 1,
            "tool": {"name": "ahr", "version": "0"},
            "account": {"id": "a", "name": null, "marketplace": null},
            "as_of": "2026-11-20",
            "as_of_source": "--as-of",
            "score": {"value": score, "band": "healthy", "breakdown": []},
            "metrics": {},
            "findings": findings,
            "inputs": [],
            "ignored": [],
            "notes": []
        }))
        .unwrap()
    }

    fn finding(rule: &str, status: &str, keys: &[&str]) -> serde_json::Value {
        json!({
            "rule": rule, "title": "t", "category": "c", "severity": "medium",
            "status": status, "points": -40, "occurrences": keys.len(),
            "message": "m", "appeal": "appealable", "remediation": "r",
            "evidence": keys.iter().map(|k| json!({"file": "messages.csv", "line": 2, "key": k, "excerpt": "e"})).collect::<Vec<_>>(),
            "evidence_total": keys.len()
        })
    }

    #[test]
    fn the_baseline_keeps_what_got_worse_or_gained_evidence() {
        let old = report(
            250,
            json!([
                finding("MSG-CONTENT", "breach", &["M1", "M2"]),
                finding("PERF-LSR-10", "warning", &["o1"]),
                finding("PERF-CR", "breach", &["o9"]),
            ]),
        );
        let mut new = report(
            180,
            json!([
                finding("MSG-CONTENT", "breach", &["M2"]),
                finding("PERF-LSR-10", "breach", &["o1"]),
                finding("PERF-CR", "breach", &["o9", "o10"]),
                finding("REV-GATING", "breach", &["M5"]),
            ]),
        );
        apply_baseline(&mut new, &old, "old.json");
        let kept: Vec<&str> = new.findings.iter().map(|f| f.rule.as_str()).collect();
        assert_eq!(kept, vec!["PERF-LSR-10", "PERF-CR", "REV-GATING"]);
        assert_eq!(new.baseline.as_ref().unwrap().known, vec!["MSG-CONTENT"]);
        assert_eq!(
            new.score.value, 180,
            "the score is the account's, not the delta's"
        );
    }

    #[test]
    fn diff_sorts_findings_into_new_resolved_and_changed() {
        let old = report(
            250,
            json!([
                finding("A", "breach", &["x"]),
                finding("B", "warning", &["y"])
            ]),
        );
        let new = report(
            170,
            json!([
                finding("B", "breach", &["y", "z"]),
                finding("C", "breach", &["w"])
            ]),
        );
        let d = diff(&old, &new);
        assert_eq!(d.score_change, -80);
        assert_eq!(d.new_findings[0].rule, "C");
        assert_eq!(d.resolved_findings[0].rule, "A");
        assert_eq!(d.changed_findings[0].new_evidence, vec!["z"]);
        assert_eq!(d.changed_findings[0].old.status, FindingStatus::Warning);
    }
}
