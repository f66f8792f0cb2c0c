//! `--format markdown`: a summary for a pull-request comment or
//! `$GITHUB_STEP_SUMMARY`. Score and band, the metrics with headroom, one
//! table row per finding and a folded section with its evidence, waivers,
//! input problems. Every piece of export text goes through
//! [`escape::markdown`].

use super::{Report, escape};
use crate::findings::FindingStatus;
use crate::i18n::{self, Lang, fill};
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
    render_in(report, Lang::En)
}

/// The summary in `lang`; rule texts and structured messages translated,
/// export text as it is.
pub fn render_in(report: &Report, lang: Lang) -> String {
    let md = escape::markdown;
    let w = lang.words();
    let mut out = String::new();
    let _ = writeln!(out, "## {} {}\n", w.account_health, md(&report.account.id));
    let _ = writeln!(
        out,
        "{} **{} {} / 1000 — {}** · {} {} · {} {}{}\n",
        band_mark(&report.score.band),
        w.score_title,
        report.score.value,
        lang.band(&report.score.band),
        w.as_of,
        report.as_of,
        report.findings.len(),
        w.findings_count,
        if report.waived.is_empty() {
            String::new()
        } else {
            format!(", {} waived", report.waived.len())
        }
    );
    let _ = writeln!(out, "{}\n", w.bands_prose);
    if let Some(gate) = &report.gate {
        if gate.passed {
            let _ = writeln!(out, "{} (`{}`)\n", w.gate_passed, gate.options());
        } else {
            let _ = writeln!(
                out,
                "**{}:** {}\n",
                w.gate_failed,
                md(&gate.reasons.join("; "))
            );
        }
    }
    let _ = writeln!(out, "<details><summary>{}</summary>\n", w.score_breakdown);
    let _ = writeln!(out, "| {} | {} |\n|---:|---|", w.col_points, w.col_line);
    for line in &report.score.breakdown {
        let label = i18n::breakdown_label(report, line, lang);
        let _ = writeln!(out, "| {:+} | {} |", line.points, md(&label));
    }
    let _ = writeln!(out, "\n</details>\n");

    if !report.metrics.0.is_empty() {
        let _ = writeln!(out, "### {}\n", w.metrics_title);
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |\n|---|---:|---|---:|---:|---|",
            w.col_metric, w.col_value, w.col_target, w.col_orders, w.col_headroom, w.col_status
        );
        for (id, m) in &report.metrics.0 {
            let status = match m.status {
                MetricStatus::Breach => format!("❌ {}", w.status_breach.to_lowercase()),
                MetricStatus::Warning => format!("⚠️ {}", w.status_warning.to_lowercase()),
                MetricStatus::Ok => format!("✅ {}", w.status_ok),
                MetricStatus::InsufficientData => w.status_no_data.to_string(),
            };
            let orders = match (m.numerator, m.denominator) {
                (Some(n), Some(d)) => format!("{n}/{d}"),
                _ => "-".into(),
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} {} | {} | {} | {} |",
                md(&lang.metric_name(id)),
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

    let _ = writeln!(
        out,
        "### {} ({})\n",
        w.findings_title,
        report.findings.len()
    );
    if report.findings.is_empty() {
        let _ = writeln!(out, "{}\n", w.no_rule_fired);
    } else {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |\n|---|---|---|---:|---|---|",
            w.col_rule, w.col_severity, w.col_status, w.col_points, w.col_appeal, w.col_message
        );
        for f in &report.findings {
            let status = match f.status {
                FindingStatus::Breach => format!("❌ {}", w.status_breach.to_lowercase()),
                FindingStatus::Warning => format!("⚠️ {}", w.status_warning.to_lowercase()),
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {:+} | {} | {} |",
                md(&f.rule),
                lang.severity(f.severity),
                status,
                f.points,
                lang.appeal(f.appeal),
                md(&i18n::message(f, lang))
            );
        }
        out.push('\n');
        for f in &report.findings {
            let _ = writeln!(
                out,
                "<details><summary>{} — {}</summary>\n",
                md(&f.rule),
                md(i18n::title(report, f, lang))
            );
            for e in f.evidence.iter().take(EVIDENCE_SHOWN) {
                let place = match e.line {
                    Some(line) => format!("{}:{line}", report.path_of(&e.file)),
                    None => report.path_of(&e.file),
                };
                let _ = writeln!(out, "- {} {}: {}", md(&place), md(&e.key), md(&e.excerpt));
            }
            if f.evidence_total > EVIDENCE_SHOWN {
                let more = (f.evidence_total - EVIDENCE_SHOWN).to_string();
                let _ = writeln!(out, "- {}", fill(w.more_in_report, &[("n", &more)]));
            }
            let _ = writeln!(
                out,
                "\n**{}** {}\n\n**{}** {}\n\n</details>\n",
                w.fix_title,
                md(i18n::remediation(report, f, lang).trim()),
                w.appeal_title,
                lang.appeal(f.appeal)
            );
        }
    }

    if !report.waived.is_empty() {
        let _ = writeln!(out, "### {} ({})\n", w.waived_title, report.waived.len());
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |\n|---|---|---|---|---|---|",
            w.col_rule, w.col_severity, w.reason, w.owner, w.expires, w.waiver
        );
        for waived in &report.waived {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} |",
                md(&waived.finding.rule),
                lang.severity(waived.finding.severity),
                md(&waived.waiver.reason),
                md(&waived.waiver.owner),
                waived.waiver.expires,
                md(&waived.waiver.defined_at)
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
        let _ = writeln!(out, "### {}\n", w.input_problems);
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
        let _ = writeln!(out, "- {} {}", w.note, md(note));
    }
    out
}
