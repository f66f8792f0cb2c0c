//! `--format html`: one self-contained page an agency can send to a client.
//! No scripts, no fonts, no network: inline CSS and inline SVG charts (the
//! score gauge with Amazon's bands, each metric against its target, the
//! AHR trend against the 250 and 200 lines). The markup is also well-formed
//! XML, so tests can parse it and every value is escaped by [`xml`].

use super::{Report, escape::xml};
use crate::findings::{Finding, FindingStatus, Severity};
use crate::i18n::{self, Lang, fill};
use crate::metrics::{MetricResult, MetricStatus};
use std::fmt::Write as _;

/// Evidence rows shown per finding; the JSON report has them all.
const EVIDENCE_SHOWN: usize = 50;

const CSS: &str = r#"
:root { --ok: #1a7f37; --warn: #b35900; --bad: #c62828; --crit: #7b1fa2; --muted: #5f6b76; --line: #d8dee4; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; color: #1f2328; margin: 0; background: #f6f8fa; }
main { max-width: 1080px; margin: 0 auto; padding: 24px; }
header h1 { margin: 0 0 4px; font-size: 26px; }
.sub { color: var(--muted); margin: 0; }
section { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 16px 20px; margin: 16px 0; }
h2 { font-size: 18px; margin: 0 0 12px; }
.top { display: flex; flex-wrap: wrap; gap: 24px; align-items: flex-start; }
.top > div { flex: 1 1 320px; }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.badge { display: inline-block; border-radius: 4px; padding: 1px 7px; font-size: 12px; font-weight: 700; color: #fff; text-transform: uppercase; }
.sev-critical { background: var(--crit); } .sev-high { background: var(--bad); } .sev-medium { background: var(--warn); } .sev-low { background: #0969da; }
.st-ok { color: var(--ok); font-weight: 600; } .st-warning { color: var(--warn); font-weight: 600; } .st-breach { color: var(--bad); font-weight: 700; } .st-insufficient_data { color: var(--muted); }
article { border-top: 1px solid var(--line); padding: 12px 0; }
article:first-of-type { border-top: none; }
article h3 { font-size: 16px; margin: 0 0 6px; }
.msg { margin: 4px 0 8px; }
section h2 + ul, table + h2 { margin-top: 16px; }
.fix { background: #f6f8fa; border-left: 3px solid #0969da; padding: 6px 10px; margin: 8px 0 0; font-size: 14px; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 13px; }
.muted { color: var(--muted); }
.legend span { margin-right: 14px; font-size: 13px; }
.dot { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 4px; vertical-align: middle; }
footer { color: var(--muted); font-size: 12px; margin: 16px 0 32px; }
@media print { body { background: #fff; } section { break-inside: avoid; } }
"#;

const RED: &str = "#c62828";
const AMBER: &str = "#e08e0b";
const GREEN: &str = "#1a7f37";

fn band_color(band: &str) -> &'static str {
    match band {
        "healthy" => GREEN,
        "at_risk" => AMBER,
        _ => RED,
    }
}

fn percent(value: Option<f64>) -> String {
    match value {
        Some(v) => {
            let text = format!("{:.2}", v * 100.0);
            format!("{}%", text.trim_end_matches('0').trim_end_matches('.'))
        }
        None => "–".into(),
    }
}

pub fn render(report: &Report) -> String {
    render_in(report, Lang::En)
}

/// The page in `lang`: headings, labels, rule texts and structured
/// messages translated; export text as it is.
pub fn render_in(report: &Report, lang: Lang) -> String {
    let w = lang.words();
    let zh = lang == Lang::ZhCn;
    let mut out = String::new();
    let account = &report.account;
    let mut who = account.id.clone();
    if let Some(name) = &account.name {
        who = format!("{name} ({})", account.id);
    }
    let _ = writeln!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\"/>",
        lang.tag()
    );
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n");
    let _ = writeln!(
        out,
        "<title>{}: {} — {}</title>",
        if zh { "账户状况" } else { "Account health" },
        xml(&who),
        report.score.value
    );
    let _ = writeln!(out, "<style>{CSS}</style>\n</head>\n<body>\n<main>");
    let _ = writeln!(
        out,
        "<header><h1>{}: {}</h1><p class=\"sub\">{}{} {} ({}) · ahr {}</p></header>",
        if zh { "账户状况" } else { "Account health" },
        xml(&who),
        account
            .marketplace
            .as_ref()
            .map_or(String::new(), |m| format!(
                "{} {} · ",
                if zh { "站点" } else { "marketplace" },
                xml(m)
            )),
        w.as_of,
        report.as_of,
        xml(&report.as_of_source),
        xml(&report.tool.version)
    );

    // Score and breakdown.
    let _ = writeln!(
        out,
        "<section class=\"top\" id=\"score\">\n<div>\n<h2>{}</h2>",
        w.score_title
    );
    out.push_str(&gauge(report.score.value, &report.score.band));
    let _ = writeln!(
        out,
        "<p class=\"legend\"><span><i class=\"dot\" style=\"background:{GREEN}\"></i>{} 200–1000</span>\
         <span><i class=\"dot\" style=\"background:{AMBER}\"></i>{} 100–199</span>\
         <span><i class=\"dot\" style=\"background:{RED}\"></i>{} 0–99</span></p>",
        lang.band("healthy"),
        lang.band("at_risk"),
        lang.band("critical")
    );
    let _ = writeln!(
        out,
        "</div>\n<div>\n<h2>{}</h2>\n<table>",
        if zh {
            "评分明细"
        } else {
            "Why the score is what it is"
        }
    );
    let _ = writeln!(
        out,
        "<tr><th>{}</th><th class=\"num\">{}</th></tr>",
        w.col_line, w.col_points
    );
    for line in &report.score.breakdown {
        let label = match &line.rule {
            Some(rule) => format!(
                "<code>{}</code> {}",
                xml(rule),
                xml(i18n::rule_label(report, rule, &line.label, lang))
            ),
            None => xml(&i18n::breakdown_label(report, line, lang)),
        };
        let _ = writeln!(
            out,
            "<tr><td>{label}</td><td class=\"num\">{:+}</td></tr>",
            line.points
        );
    }
    let _ = writeln!(
        out,
        "<tr><th>{}</th><th class=\"num\">{}</th></tr>\n</table>\n</div>\n</section>",
        w.score_title.to_lowercase(),
        report.score.value
    );

    // Metrics.
    if !report.metrics.0.is_empty() {
        let _ = writeln!(
            out,
            "<section id=\"metrics\">\n<h2>{}</h2>\n<table>",
            w.metrics_against_targets
        );
        let _ = writeln!(
            out,
            "<tr><th>{}</th><th class=\"num\">{}</th><th>{}</th><th class=\"num\">{}</th>\
             <th class=\"num\">{}</th><th>{}</th><th>{}</th></tr>",
            w.col_metric,
            w.col_value,
            w.col_target,
            w.col_orders,
            w.col_headroom,
            w.col_status,
            if zh {
                "与目标对比"
            } else {
                "against target"
            }
        );
        for (id, m) in &report.metrics.0 {
            let orders = match (m.numerator, m.denominator) {
                (Some(n), Some(d)) => format!("{n}/{d}"),
                _ => "–".into(),
            };
            let headroom = m.headroom.map_or("–".into(), |h| format!("{h:+}"));
            let _ = writeln!(
                out,
                "<tr><td><code>{}</code><br/><span class=\"muted\">{} {}, {} {} {}</span></td>\
                 <td class=\"num\">{}</td><td>{} {}</td><td class=\"num\">{orders}</td>\
                 <td class=\"num\">{headroom}</td><td class=\"st-{}\">{}</td><td>{}</td></tr>",
                xml(&lang.metric_name(id)),
                m.window.days,
                if zh { "天" } else { "days" },
                m.window.from,
                if zh { "至" } else { "to" },
                m.window.to,
                percent(m.value),
                xml(&m.target.op.replace("<=", "≤").replace(">=", "≥")),
                percent(Some(m.target.value)),
                m.status.as_str(),
                xml(&metric_status(m.status, lang)),
                metric_bar(m)
            );
            if let Some(reason) = &m.reason {
                let _ = writeln!(
                    out,
                    "<tr><td></td><td colspan=\"6\" class=\"muted\">{}</td></tr>",
                    xml(reason)
                );
            }
        }
        let _ = writeln!(
            out,
            "</table>\n<p class=\"muted\">{}</p>\n</section>",
            if zh {
                "余量：在订单总数不变的情况下，指标违规前还能承受多少笔问题订单；负数表示已超出多少笔。"
            } else {
                "Headroom: how many more defective orders the same number of orders can take before the metric breaches; negative: how far over it already is."
            }
        );
    }

    // Trend.
    if !report.health_history.is_empty() {
        out.push_str("<section id=\"trend\">\n<h2>Amazon's Account Health Rating over time</h2>\n");
        out.push_str(&trend(report));
        out.push_str("</section>\n");
    }

    // Findings.
    let _ = writeln!(
        out,
        "<section id=\"findings\">\n<h2>{} ({})</h2>",
        w.findings_title,
        report.findings.len()
    );
    if report.findings.is_empty() {
        let _ = writeln!(out, "<p>{}</p>", w.no_rule_fired);
    }
    for f in &report.findings {
        finding(&mut out, report, f, None, lang);
    }
    out.push_str("</section>\n");

    if !report.waived.is_empty() || report.waivers.is_some() {
        let _ = writeln!(
            out,
            "<section id=\"waived\">\n<h2>{} ({})</h2>\n<p class=\"muted\">{}</p>",
            w.waived_title,
            report.waived.len(),
            if zh {
                "已豁免的问题不计入评分。"
            } else {
                "Waived findings are not in the score."
            }
        );
        for waived in &report.waived {
            let note = format!(
                "{} {} ({} {}): {} ({})",
                if zh { "豁免至" } else { "Waived until" },
                waived.waiver.expires,
                w.owner,
                waived.waiver.owner,
                waived.waiver.reason,
                waived.waiver.defined_at
            );
            finding(&mut out, report, &waived.finding, Some(&note), lang);
        }
        if let Some(s) = &report.waivers {
            out.push_str("<ul>\n");
            for e in &s.expired {
                let _ = writeln!(
                    out,
                    "<li class=\"st-warning\">The waiver for {} at {} expired on {}: it no longer applies.</li>",
                    xml(&e.rule),
                    xml(&e.defined_at),
                    e.expires
                );
            }
            for e in &s.unmatched {
                let _ = writeln!(
                    out,
                    "<li class=\"st-warning\">The waiver for {} at {} matched no finding.</li>",
                    xml(&e.rule),
                    xml(&e.defined_at)
                );
            }
            for e in &s.partial {
                let _ = writeln!(
                    out,
                    "<li>The waiver for {} at {} covers only part of the evidence; the finding still counts.</li>",
                    xml(&e.rule),
                    xml(&e.defined_at)
                );
            }
            out.push_str("</ul>\n");
        }
        out.push_str("</section>\n");
    }

    // Inputs.
    if !report.inputs.is_empty() {
        let _ = writeln!(
            out,
            "<section id=\"inputs\">\n<h2>{}</h2>\n<table>",
            if zh {
                "读取的报告"
            } else {
                "Exports read"
            }
        );
        out.push_str("<tr><th>file</th><th>kind</th><th class=\"num\">rows</th><th class=\"num\">skipped</th><th>encoding</th></tr>\n");
        for i in &report.inputs {
            let _ = writeln!(
                out,
                "<tr><td class=\"mono\">{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
                xml(&i.file),
                xml(&i.kind),
                i.rows,
                i.skipped,
                xml(&i.encoding)
            );
        }
        out.push_str("</table>\n");
        let problems: usize = report.inputs.iter().map(|i| i.problems.len()).sum();
        if problems > 0 {
            let _ = writeln!(out, "<h2>{}</h2>\n<ul>", w.input_problems);
            for i in &report.inputs {
                for p in &i.problems {
                    let place = match p.line {
                        Some(line) => format!("{}:{line}", i.file),
                        None => i.file.clone(),
                    };
                    let _ = writeln!(
                        out,
                        "<li><span class=\"mono\">{}</span> {}</li>",
                        xml(&place),
                        xml(&p.message)
                    );
                }
                let unlisted = i.problems_total.saturating_sub(i.problems.len() as u64);
                if unlisted > 0 {
                    let _ = writeln!(
                        out,
                        "<li>{}: … and {unlisted} more problems</li>",
                        xml(&i.file)
                    );
                }
            }
            out.push_str("</ul>\n");
        }
        if !report.ignored.is_empty() {
            let names: Vec<String> = report.ignored.iter().map(|n| xml(n)).collect();
            let _ = writeln!(
                out,
                "<p class=\"muted\">Not read (not an export ahr knows): {}</p>",
                names.join(", ")
            );
        }
        out.push_str("</section>\n");
    }

    out.push_str("<footer>\n");
    for note in &report.notes {
        let _ = writeln!(out, "<p>{} {}</p>", w.note, xml(note));
    }
    let _ = writeln!(
        out,
        "<p>Made by ahr {} from the exports listed above. The score is an estimate in the style of Amazon's Account Health Rating, not Amazon's own number.</p>",
        xml(&report.tool.version)
    );
    out.push_str("</footer>\n</main>\n</body>\n</html>\n");
    out
}

fn status_word(status: &str, lang: Lang) -> &'static str {
    let zh = lang == Lang::ZhCn;
    match status {
        "waived" if zh => "已豁免",
        "waived" => "waived",
        "breach" if zh => "违规",
        "breach" => "breach",
        _ if zh => "预警",
        _ => "warning",
    }
}

fn severity_class(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "sev-critical",
        Severity::High => "sev-high",
        Severity::Medium => "sev-medium",
        Severity::Low => "sev-low",
    }
}

fn metric_status(status: MetricStatus, lang: Lang) -> String {
    let w = lang.words();
    match status {
        MetricStatus::Ok => w.status_ok.to_string(),
        MetricStatus::Warning => w.status_warning.to_lowercase(),
        MetricStatus::Breach => w.status_breach.to_lowercase(),
        MetricStatus::InsufficientData => w.status_no_data.to_string(),
    }
}

fn finding(out: &mut String, report: &Report, f: &Finding, waived: Option<&str>, lang: Lang) {
    let w = lang.words();
    let zh = lang == Lang::ZhCn;
    let status = match (waived, f.status) {
        (Some(_), _) => "waived",
        (None, FindingStatus::Breach) => "breach",
        (None, FindingStatus::Warning) => "warning",
    };
    let _ = writeln!(
        out,
        "<article>\n<h3><span class=\"badge {}\">{}</span> <code>{}</code> {} <span class=\"st-{}\">{}</span>{}</h3>",
        severity_class(f.severity),
        lang.severity(f.severity),
        xml(&f.rule),
        xml(i18n::title(report, f, lang)),
        if status == "waived" {
            "warning"
        } else {
            status
        },
        status_word(status, lang),
        if f.points != 0 {
            format!(
                " <span class=\"muted\">{:+} {}</span>",
                f.points,
                if zh { "分" } else { "points" }
            )
        } else {
            String::new()
        }
    );
    let _ = writeln!(out, "<p class=\"msg\">{}</p>", xml(&i18n::message(f, lang)));
    if let Some(note) = waived {
        let _ = writeln!(out, "<p class=\"muted\">{}</p>", xml(note));
    }
    if !f.evidence.is_empty() {
        let _ = writeln!(
            out,
            "<table>\n<tr><th>{}</th></tr>",
            if zh {
                "位置</th><th>对象</th><th>摘录"
            } else {
                "where</th><th>what</th><th>excerpt"
            }
        );
        // File names only: the reader of this page has the exports, not
        // the auditor's folder layout.
        for e in f.evidence.iter().take(EVIDENCE_SHOWN) {
            let place = match e.line {
                Some(line) => format!("{}:{line}", e.file),
                None => e.file.clone(),
            };
            let _ = writeln!(
                out,
                "<tr><td class=\"mono\">{}</td><td class=\"mono\">{}</td><td>{}</td></tr>",
                xml(&place),
                xml(&e.key),
                xml(&e.excerpt)
            );
        }
        out.push_str("</table>\n");
        if f.evidence_total > EVIDENCE_SHOWN {
            let more = (f.evidence_total - EVIDENCE_SHOWN).to_string();
            let _ = writeln!(
                out,
                "<p class=\"muted\">{}</p>",
                fill(w.more_in_report, &[("n", &more)])
            );
        }
    }
    let _ = writeln!(
        out,
        "<p class=\"fix\"><b>{}</b> {}<br/><b>{}</b> {}</p>",
        if zh { "整改：" } else { "What to do:" },
        xml(i18n::remediation(report, f, lang).trim()),
        w.appeal_title,
        lang.appeal(f.appeal)
    );
    for r in &f.references {
        let _ = writeln!(out, "<p class=\"muted mono\">{}</p>", xml(r));
    }
    out.push_str("</article>\n");
}

/// A point on the gauge's arc for a score (0 left, 1000 right).
fn arc_point(score: f64, radius: f64) -> (f64, f64) {
    let angle = std::f64::consts::PI * (1.0 - score.clamp(0.0, 1000.0) / 1000.0);
    (150.0 + radius * angle.cos(), 160.0 - radius * angle.sin())
}

/// The score as a half-circle gauge with Amazon's three bands.
fn gauge(value: i64, band: &str) -> String {
    let radius = 120.0;
    let mut svg = String::from(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"340\" height=\"200\" viewBox=\"-20 0 340 200\" role=\"img\" aria-label=\"score gauge\">\n",
    );
    for (from, to, color) in [
        (0.0, 100.0, RED),
        (100.0, 200.0, AMBER),
        (200.0, 1000.0, GREEN),
    ] {
        let (x1, y1) = arc_point(from, radius);
        let (x2, y2) = arc_point(to, radius);
        let _ = writeln!(
            svg,
            "<path d=\"M {x1:.1} {y1:.1} A {radius} {radius} 0 0 1 {x2:.1} {y2:.1}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"22\"/>"
        );
    }
    for mark in [0, 100, 200, 250, 500, 1000] {
        let (x1, y1) = arc_point(mark as f64, radius - 14.0);
        let (x2, y2) = arc_point(mark as f64, radius + 14.0);
        let (tx, ty) = arc_point(mark as f64, radius + 26.0);
        let _ = writeln!(
            svg,
            "<line x1=\"{x1:.1}\" y1=\"{y1:.1}\" x2=\"{x2:.1}\" y2=\"{y2:.1}\" stroke=\"#fff\" stroke-width=\"2\"/>\
             <text x=\"{tx:.1}\" y=\"{ty:.1}\" font-size=\"10\" text-anchor=\"middle\" fill=\"#5f6b76\">{mark}</text>"
        );
    }
    let (nx, ny) = arc_point(value as f64, radius - 4.0);
    let color = band_color(band);
    let _ = writeln!(
        svg,
        "<line x1=\"150\" y1=\"160\" x2=\"{nx:.1}\" y2=\"{ny:.1}\" stroke=\"#1f2328\" stroke-width=\"4\" stroke-linecap=\"round\"/>\
         <circle cx=\"150\" cy=\"160\" r=\"7\" fill=\"#1f2328\"/>"
    );
    let _ = writeln!(
        svg,
        "<text x=\"150\" y=\"128\" font-size=\"40\" font-weight=\"700\" text-anchor=\"middle\" fill=\"{color}\" id=\"score-value\">{value}</text>\
         <text x=\"150\" y=\"190\" font-size=\"15\" font-weight=\"700\" text-anchor=\"middle\" fill=\"{color}\">{}</text>",
        xml(&band.replace('_', " ").to_uppercase())
    );
    svg.push_str("</svg>\n");
    svg
}

/// A metric's value against its target on one bar: the target as a black
/// line, the warning level dashed, the value coloured by status.
fn metric_bar(m: &MetricResult) -> String {
    let width = 220.0;
    let target = m.target.value;
    let value = m.value.unwrap_or(0.0);
    let top = [value, target, m.warning_at.unwrap_or(0.0)]
        .into_iter()
        .fold(0.0_f64, f64::max)
        .max(1e-9);
    // Rates that must stay high (valid tracking) read best from 0 to 100%.
    let scale = if m.target.op.starts_with('>') {
        1.0
    } else {
        top * 1.5
    };
    let x = |v: f64| (v / scale).clamp(0.0, 1.0) * width;
    let color = match m.status {
        MetricStatus::Ok => GREEN,
        MetricStatus::Warning => AMBER,
        MetricStatus::Breach => RED,
        MetricStatus::InsufficientData => "#9aa4ad",
    };
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"18\" viewBox=\"0 0 {width} 18\" role=\"img\" aria-label=\"value against target\">\
         <rect x=\"0\" y=\"4\" width=\"{width}\" height=\"10\" fill=\"#eaeef2\" rx=\"2\"/>"
    );
    if m.value.is_some() {
        let _ = write!(
            svg,
            "<rect x=\"0\" y=\"4\" width=\"{:.1}\" height=\"10\" fill=\"{color}\" rx=\"2\"/>",
            x(value)
        );
    }
    if let Some(warn) = m.warning_at {
        let _ = write!(
            svg,
            "<line x1=\"{0:.1}\" y1=\"1\" x2=\"{0:.1}\" y2=\"17\" stroke=\"{AMBER}\" stroke-width=\"2\" stroke-dasharray=\"3 2\"/>",
            x(warn)
        );
    }
    let _ = write!(
        svg,
        "<line x1=\"{0:.1}\" y1=\"0\" x2=\"{0:.1}\" y2=\"18\" stroke=\"#1f2328\" stroke-width=\"2\"/></svg>",
        x(target).min(width - 1.0)
    );
    svg
}

/// Amazon's AHR by day against the 250 (Account Health Assurance) and 200
/// (healthy) lines.
fn trend(report: &Report) -> String {
    let points = &report.health_history;
    let (w, h) = (960.0, 260.0);
    let (left, right, top, bottom) = (48.0, 16.0, 12.0, 28.0);
    let first = points.first().map(|p| p.date).unwrap_or(report.as_of);
    let last = points.last().map(|p| p.date).unwrap_or(report.as_of);
    let span = ((last - first).num_days().max(1)) as f64;
    let max_ahr = points.iter().map(|p| p.ahr).max().unwrap_or(0);
    let y_max = ((f64::from(max_ahr.max(300)) / 100.0).ceil() * 100.0).min(1000.0);
    let x =
        |d: chrono::NaiveDate| left + ((d - first).num_days() as f64 / span) * (w - left - right);
    let y = |v: f64| top + (1.0 - v.clamp(0.0, y_max) / y_max) * (h - top - bottom);
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"100%\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"AHR trend\">\n"
    );
    let mut tick = 0.0;
    while tick <= y_max {
        let _ = writeln!(
            svg,
            "<line x1=\"{left}\" y1=\"{0:.1}\" x2=\"{1}\" y2=\"{0:.1}\" stroke=\"#eaeef2\"/>\
             <text x=\"{2}\" y=\"{3:.1}\" font-size=\"11\" text-anchor=\"end\" fill=\"#5f6b76\">{tick}</text>",
            y(tick),
            w - right,
            left - 6.0,
            y(tick) + 4.0
        );
        tick += 100.0;
    }
    for (level, color, label, dash) in [
        (250.0, "#0969da", "250 Account Health Assurance", "6 4"),
        (200.0, RED, "200 healthy", "none"),
    ] {
        let _ = writeln!(
            svg,
            "<line x1=\"{left}\" y1=\"{0:.1}\" x2=\"{1}\" y2=\"{0:.1}\" stroke=\"{color}\" stroke-width=\"1.5\" stroke-dasharray=\"{dash}\"/>\
             <text x=\"{2}\" y=\"{3:.1}\" font-size=\"11\" fill=\"{color}\">{label}</text>",
            y(level),
            w - right,
            left + 6.0,
            // 250 labelled above its line, 200 below, so they never touch.
            if level > 225.0 {
                y(level) - 4.0
            } else {
                y(level) + 13.0
            }
        );
    }
    let path: Vec<String> = points
        .iter()
        .map(|p| format!("{:.1},{:.1}", x(p.date), y(f64::from(p.ahr))))
        .collect();
    let _ = writeln!(
        svg,
        "<polyline points=\"{}\" fill=\"none\" stroke=\"#1f2328\" stroke-width=\"2\"/>",
        path.join(" ")
    );
    if points.len() <= 60 {
        for p in points {
            let _ = writeln!(
                svg,
                "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"2.5\" fill=\"#1f2328\"><title>{} AHR {}</title></circle>",
                x(p.date),
                y(f64::from(p.ahr)),
                p.date,
                p.ahr
            );
        }
    }
    let _ = writeln!(
        svg,
        "<text x=\"{left}\" y=\"{0}\" font-size=\"11\" fill=\"#5f6b76\">{first}</text>\
         <text x=\"{1}\" y=\"{0}\" font-size=\"11\" text-anchor=\"end\" fill=\"#5f6b76\">{last}</text>",
        h - 8.0,
        w - right
    );
    svg.push_str("</svg>\n");
    if let Some(latest) = points.last() {
        let low = points.iter().min_by_key(|p| p.ahr).expect("not empty");
        let _ = writeln!(
            svg,
            "<p>Latest AHR {} on {}; lowest {} on {}; {} days on record.</p>",
            latest.ahr,
            latest.date,
            low.ahr,
            low.date,
            points.len()
        );
    }
    svg
}
