//! `--format github`: GitHub Actions workflow commands, one annotation per
//! finding on the export file and line of its first evidence (ruff's
//! `--output-format github`). Breaches are errors, warnings are warnings,
//! input problems are warnings, the score is a notice.

use super::{Report, escape};
use crate::findings::FindingStatus;
use std::fmt::Write as _;

/// Annotations beyond the first few per finding only crowd the page.
const EVIDENCE_ANNOTATED: usize = 10;

fn command(
    out: &mut String,
    kind: &str,
    file: Option<&str>,
    line: Option<u64>,
    title: &str,
    message: &str,
) {
    let mut props = Vec::new();
    if let Some(file) = file {
        props.push(format!("file={}", escape::workflow_property(file)));
        if let Some(line) = line {
            props.push(format!("line={line}"));
        }
    }
    props.push(format!("title={}", escape::workflow_property(title)));
    let _ = writeln!(
        out,
        "::{kind} {}::{}",
        props.join(","),
        escape::workflow_data(message)
    );
}

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    for f in &report.findings {
        let kind = match f.status {
            FindingStatus::Breach => "error",
            FindingStatus::Warning => "warning",
        };
        let title = format!("{} {} ({})", f.rule, f.title, f.severity);
        let mut message = format!(
            "{}\nfix: {}\nappeal: {}",
            f.message,
            f.remediation.trim(),
            f.appeal.as_str()
        );
        if f.evidence.is_empty() {
            command(&mut out, kind, None, None, &title, &message);
            continue;
        }
        if f.evidence_total > EVIDENCE_ANNOTATED {
            message.push_str(&format!(
                "\n({} pieces of evidence; the first {EVIDENCE_ANNOTATED} are annotated)",
                f.evidence_total
            ));
        }
        for e in f.evidence.iter().take(EVIDENCE_ANNOTATED) {
            let text = format!("{message}\n{}: {}", e.key, e.excerpt);
            command(
                &mut out,
                kind,
                Some(&report.path_of(&e.file)),
                e.line,
                &title,
                &text,
            );
        }
    }
    if let Some(gate) = report.gate.as_ref().filter(|g| !g.passed) {
        command(
            &mut out,
            "error",
            None,
            None,
            "ahr gate failed",
            &gate.reasons.join("; "),
        );
    }
    for i in &report.inputs {
        for p in &i.problems {
            command(
                &mut out,
                "warning",
                Some(&report.path_of(&i.file)),
                p.line,
                &format!("ahr input: {}", i.kind),
                &p.message,
            );
        }
    }
    if let Some(w) = &report.waivers {
        for e in &w.expired {
            command(
                &mut out,
                "warning",
                None,
                None,
                "ahr waiver expired",
                &format!("{} at {} expired on {}", e.rule, e.defined_at, e.expires),
            );
        }
        for e in &w.unmatched {
            command(
                &mut out,
                "warning",
                None,
                None,
                "ahr waiver unmatched",
                &format!("{} at {} matched no finding", e.rule, e.defined_at),
            );
        }
    }
    command(
        &mut out,
        "notice",
        None,
        None,
        "ahr account health",
        &format!(
            "{}: score {} / 1000 ({}), {} finding(s), {} waived",
            report.account.id,
            report.score.value,
            report.score.band.replace('_', " "),
            report.findings.len(),
            report.waived.len()
        ),
    );
    out
}
