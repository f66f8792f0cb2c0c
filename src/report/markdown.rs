//! `--format markdown`: a summary for a pull-request comment or
//! `$GITHUB_STEP_SUMMARY`. Score and band, the metrics with headroom, one
//! table row per finding and a folded section with its evidence, waivers,
//! input problems. Every piece of export text goes through
//! [`escape::markdown`].

use super::{Report, escape};
use crate::findings::FindingStatus;
use crate::metrics::MetricStatus;
use std::fmt::Write as _;

/// Evidence lines per finding; a comment has a size limit.
const EVIDENCE_SHOWN: usize = 10;

fn percent(value: Option<f64>) -> String {
    match value {
        Some(v) => {
            let text = format!("{:.2}", v * 100.0);
            format!("{}%", text.trim_end_matches('0').trim_end_matches('.'))
        }
        None => "-".into(),
    }
}

fn band_mark(band: &str) -> &'static str {
    match band {
        "healthy" => "🟢",
        "at_risk" => "🟠",
        _ => "🔴",
    }
}

pub fn render(report: &Report) -> String {
    let md = escape::markdown;
    let mut out = String::new();
    let _ = writeln!(out, "## ahr account health: {}\n", md(&report.account.id));
    let _ = writeln!(
        out,
        "{} **Score {} / 1000 — {}** · as of {} · {} finding(s){}\n",
        band_mark(&report.score.band),
        report.score.value,
        report.score.band.replace('_', " "),
        report.as_of,
        report.findings.len(),
        if report.waived.is_empty() {
            String::new()
        } else {
            format!(", {} waived", report.waived.len())
        }
    );
    let _ = writeln!(
        out,
        "Bands: healthy 200–1000 · at risk 100–199 · critical 0–99.\n"
    );
    let _ = writeln!(out, "<details><summary>Score breakdown</summary>\n");
    let _ = writeln!(out, "| points | line |\n|---:|---|");
    for line in &report.score.breakdown {
        let label = match &line.rule {
            Some(rule) => format!("{rule} {}", line.label),
            None => line.label.clone(),
        };
        let _ = writeln!(out, "| {:+} | {} |", line.points, md(&label));
    }
    let _ = writeln!(out, "\n</details>\n");

    if !report.metrics.0.is_empty() {
        let _ = writeln!(out, "### Metrics\n");
        let _ = writeln!(
            out,
            "| metric | value | target | orders | headroom | status |\n|---|---:|---|---:|---:|---|"
        );
        for (id, m) in &report.metrics.0 {
            let status = match m.status {
                MetricStatus::Breach => "❌ breach",
                MetricStatus::Warning => "⚠️ warning",
                MetricStatus::Ok => "✅ ok",
                MetricStatus::InsufficientData => "no data",
            };
            let orders = match (m.numerator, m.denominator) {
                (Some(n), Some(d)) => format!("{n}/{d}"),
                _ => "-".into(),
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} {} | {} | {} | {} |",
                md(id),
                percent(m.value),
                md(m.target.op),
                percent(Some(m.target.value)),
                orders,
                m.headroom.map_or("-".into(), |h| format!("{h:+}")),
                status
            );
        }
        out.push('\n');
    }

    let _ = writeln!(out, "### Findings ({})\n", report.findings.len());
    if report.findings.is_empty() {
        let _ = writeln!(out, "No enabled rule fired.\n");
    } else {
        let _ = writeln!(
            out,
            "| rule | severity | status | points | message |\n|---|---|---|---:|---|"
        );
        for f in &report.findings {
            let status = match f.status {
                FindingStatus::Breach => "❌ breach",
                FindingStatus::Warning => "⚠️ warning",
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {:+} | {} |",
                md(&f.rule),
                f.severity,
                status,
                f.points,
                md(&f.message)
            );
        }
        out.push('\n');
        for f in &report.findings {
            let _ = writeln!(
                out,
                "<details><summary>{} — {}</summary>\n",
                md(&f.rule),
                md(&f.title)
            );
            for e in f.evidence.iter().take(EVIDENCE_SHOWN) {
                let place = match e.line {
                    Some(line) => format!("{}:{line}", report.path_of(&e.file)),
                    None => report.path_of(&e.file),
                };
                let _ = writeln!(out, "- {} {}: {}", md(&place), md(&e.key), md(&e.excerpt));
            }
            if f.evidence_total > EVIDENCE_SHOWN {
                let _ = writeln!(
                    out,
                    "- … and {} more (all of them in the JSON report)",
                    f.evidence_total - EVIDENCE_SHOWN
                );
            }
            let _ = writeln!(
                out,
                "\n**Fix:** {}\n\n**Appeal:** {}\n\n</details>\n",
                md(f.remediation.trim()),
                f.appeal.as_str()
            );
        }
    }

    if !report.waived.is_empty() {
        let _ = writeln!(out, "### Waived ({})\n", report.waived.len());
        let _ = writeln!(
            out,
            "| rule | severity | reason | owner | expires | waiver |\n|---|---|---|---|---|---|"
        );
        for w in &report.waived {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} |",
                md(&w.finding.rule),
                w.finding.severity,
                md(&w.waiver.reason),
                md(&w.waiver.owner),
                w.waiver.expires,
                md(&w.waiver.defined_at)
            );
        }
        out.push('\n');
    }
    if let Some(w) = &report.waivers {
        for e in &w.expired {
            let _ = writeln!(
                out,
                "- ⚠️ waiver for {} at {} **expired** on {}: it no longer applies",
                md(&e.rule),
                md(&e.defined_at),
                e.expires
            );
        }
        for e in &w.unmatched {
            let _ = writeln!(
                out,
                "- ⚠️ waiver for {} at {} **matched nothing**",
                md(&e.rule),
                md(&e.defined_at)
            );
        }
        for e in &w.partial {
            let _ = writeln!(
                out,
                "- waiver for {} at {} covers only part of the evidence: the finding still counts",
                md(&e.rule),
                md(&e.defined_at)
            );
        }
        if !(w.expired.is_empty() && w.unmatched.is_empty() && w.partial.is_empty()) {
            out.push('\n');
        }
    }
    if let Some(b) = &report.baseline {
        let _ = writeln!(
            out,
            "Compared with the baseline {} (as of {}, score {}): {} known finding(s) left out.\n",
            md(&b.file),
            b.as_of,
            b.score,
            b.known.len()
        );
    }

    let problems: usize = report.inputs.iter().map(|i| i.problems.len()).sum();
    if problems > 0 {
        let _ = writeln!(out, "### Input problems\n");
        for i in &report.inputs {
            for p in &i.problems {
                let place = match p.line {
                    Some(line) => format!("{}:{line}", report.path_of(&i.file)),
                    None => report.path_of(&i.file),
                };
                let _ = writeln!(out, "- {}: {}", md(&place), md(&p.message));
            }
        }
        out.push('\n');
    }
    for note in &report.notes {
        let _ = writeln!(out, "- note: {}", md(note));
    }
    out
}
