//! `--format table`: the report for a person at a terminal. Score and band
//! first, then the metrics with their headroom, then the findings by
//! severity with the first few pieces of evidence, then input problems.
//! Fits 80 columns; colour only when asked for or on a terminal without
//! `NO_COLOR`.

use super::Report;
use crate::findings::{FindingStatus, Severity};
use crate::i18n::{self, Lang, fill};
use crate::input::table::printable;
use crate::metrics::{MetricResult, MetricStatus};
use comfy_table::{Cell, CellAlignment, ContentArrangement, LineStyle, Table, TableStyle};
use std::fmt::Write as _;
use unicode_width::UnicodeWidthStr;

/// How many pieces of evidence a finding shows before "and N more".
const EVIDENCE_SHOWN: usize = 5;
const WIDTH: u16 = 80;

/// ANSI styling that is a no-op when colour is off.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    pub color: bool,
}

impl Style {
    fn paint(self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
    fn bold(self, text: &str) -> String {
        self.paint("1", text)
    }
    fn dim(self, text: &str) -> String {
        self.paint("2", text)
    }
    fn band(self, band: &str, text: &str) -> String {
        match band {
            "healthy" => self.paint("1;32", text),
            "at_risk" => self.paint("1;33", text),
            _ => self.paint("1;31", text),
        }
    }
    fn severity(self, severity: Severity, text: &str) -> String {
        match severity {
            Severity::Critical => self.paint("1;35", text),
            Severity::High => self.paint("1;31", text),
            Severity::Medium => self.paint("33", text),
            Severity::Low => self.paint("36", text),
        }
    }
}

pub fn render(report: &Report, style: Style) -> String {
    render_in(report, style, Lang::En)
}

/// The table in `lang`: headings, labels, rule texts and the messages that
/// have a structured form translated; everything else in English.
pub fn render_in(report: &Report, style: Style, lang: Lang) -> String {
    let w = lang.words();
    let mut out = String::new();
    let account = &report.account;
    let mut who = account.id.clone();
    if let Some(name) = &account.name {
        who.push_str(&format!(" ({name})"));
    }
    if let Some(mp) = &account.marketplace {
        who.push_str(&format!(", {mp}"));
    }
    let _ = writeln!(out, "{} {}", style.bold(w.account_health), printable(&who));
    let _ = writeln!(
        out,
        "{} {} ({})",
        w.as_of, report.as_of, report.as_of_source
    );
    let _ = writeln!(out);

    let score = &report.score;
    let _ = writeln!(
        out,
        "{}  {}",
        style.band(&score.band, &format!("{} {} / 1000", w.score, score.value)),
        style.band(&score.band, &lang.band(&score.band).to_uppercase())
    );
    let _ = writeln!(out, "{}", style.dim(w.bands));
    for line in &score.breakdown {
        let label = i18n::breakdown_label(report, line, lang);
        let _ = writeln!(
            out,
            "  {:>+6}  {}",
            line.points,
            crate::privacy::truncate(&label, 68)
        );
    }
    if let Some(gate) = &report.gate {
        if gate.passed {
            let _ = writeln!(out, "{} ({})", w.gate_passed, gate.options());
        } else {
            let first = format!("{}: ", w.gate_failed);
            wrap_into(&mut out, &gate.reasons.join("; "), &first, "    ");
        }
    }

    if !report.metrics.0.is_empty() {
        let _ = writeln!(out, "\n{}", style.bold(w.metrics));
        let mut table = new_table();
        table.set_header(vec![
            w.col_metric,
            w.col_value,
            w.col_target,
            w.col_orders,
            w.col_headroom,
            w.col_status,
        ]);
        for (id, m) in &report.metrics.0 {
            table.add_row(vec![
                Cell::new(lang.metric_name(id)),
                Cell::new(percent(m.value)).set_alignment(CellAlignment::Right),
                Cell::new(format!("{} {}", m.target.op, percent(Some(m.target.value)))),
                Cell::new(fraction(m)).set_alignment(CellAlignment::Right),
                Cell::new(m.headroom.map_or("-".into(), |h| format!("{h:+}")))
                    .set_alignment(CellAlignment::Right),
                Cell::new(status_label(m.status, lang)),
            ]);
        }
        // A metric's name is its id: wrapped, it could not be searched for.
        // The longest (pre_fulfillment_cancel_rate) fits with the other
        // columns in 79.
        table.set_width(WIDTH - 1);
        if let Some(column) = table.column_mut(0) {
            column.set_constraint(comfy_table::ColumnConstraint::ContentWidth);
        }
        let _ = writeln!(out, "{}", table.trim_fmt());
        for (id, m) in &report.metrics.0 {
            if let Some(day) = m.clears_on {
                let text = fill(
                    w.back_on_target,
                    &[("id", &lang.metric_name(id)), ("day", &day.to_string())],
                );
                for part in wrap(&text, WIDTH as usize - 4) {
                    let _ = writeln!(out, "  {}", style.dim(&part));
                }
            }
            if let Some(reason) = &m.reason {
                let reason = m
                    .reason_form
                    .as_ref()
                    .and_then(|form| form.render(lang))
                    .unwrap_or_else(|| reason.clone());
                let text = i18n::labelled(&format!("{}:", lang.metric_name(id)), &reason);
                for part in wrap(&text, WIDTH as usize - 4) {
                    let _ = writeln!(out, "  {}", style.dim(&part));
                }
            }
        }
    }

    if let Some(amazon) = &report.amazon {
        render_amazon(&mut out, amazon, style, lang);
    }
    if let Some(assurance) = &report.assurance {
        render_assurance(&mut out, assurance, style, w);
    }
    if let Some(forecast) = &report.forecast {
        let _ = writeln!(
            out,
            "\n{}",
            style.bold(&format!(
                "{} ({})",
                w.peak_outlook,
                fill(
                    w.peak_span,
                    &[
                        ("x", &forecast.multiplier.to_string()),
                        ("from", &forecast.from.to_string()),
                        ("to", &forecast.to.to_string()),
                    ]
                )
            ))
        );
        let first = match &forecast.first_breach {
            Some(first) => fill(
                w.first_to_breach,
                &[
                    ("metric", &lang.metric_name(&first.metric)),
                    ("day", &first.date.to_string()),
                ],
            ),
            None => w.no_breach_forecast.to_string(),
        };
        let _ = writeln!(out, "  {first}");
        for p in &forecast.metrics {
            let summary = p
                .form
                .as_ref()
                .and_then(|form| form.render(lang))
                .unwrap_or_else(|| p.summary.clone());
            wrap_into(&mut out, &summary, "  - ", "    ");
        }
    }

    let _ = writeln!(
        out,
        "\n{}",
        style.bold(&format!("{} ({})", w.findings, report.findings.len()))
    );
    if report.findings.is_empty() {
        let _ = writeln!(out, "  {}", w.no_findings);
    }
    for f in &report.findings {
        let severity = lang.severity(f.severity).to_uppercase();
        let tag = match f.status {
            FindingStatus::Breach => severity,
            FindingStatus::Warning => format!("{severity} ({})", w.warning),
        };
        let title = i18n::title(report, f, lang);
        let points = if f.points != 0 {
            format!("  {:+}", f.points)
        } else {
            String::new()
        };
        let plain_len = tag.width() + f.rule.width() + title.width() + points.width() + 5;
        let head = format!(
            "\n{} {}",
            style.severity(f.severity, &format!("[{tag}]")),
            style.bold(&f.rule)
        );
        if plain_len <= WIDTH as usize {
            let _ = writeln!(out, "{head}  {title}{points}");
        } else {
            // A long title gets its own lines so the header stays in 80 columns.
            let _ = writeln!(out, "{head}{points}");
            wrap_into(&mut out, title, "  ", "  ");
        }
        wrap_into(&mut out, &printable(&i18n::message(f, lang)), "  ", "  ");
        for e in f.evidence.iter().take(EVIDENCE_SHOWN) {
            let place = match e.line {
                Some(line) => format!("{}:{line}", e.file),
                None => e.file.clone(),
            };
            let text = format!("{}: {}", printable(&e.key), printable(&e.excerpt));
            located(&mut out, style, &place, &text, "  - ");
        }
        if f.evidence_total > EVIDENCE_SHOWN {
            let more = (f.evidence_total - EVIDENCE_SHOWN).to_string();
            let _ = writeln!(out, "  - {}", fill(w.more_evidence, &[("n", &more)]));
        }
        wrap_into(
            &mut out,
            &i18n::labelled(w.fix, i18n::remediation(report, f, lang)),
            "  ",
            &" ".repeat(2 + w.fix.width() + usize::from(w.fix.ends_with(':'))),
        );
        let _ = writeln!(out, "  {}", i18n::labelled(w.appeal, lang.appeal(f.appeal)));
    }

    if !report.waived.is_empty() {
        let _ = writeln!(
            out,
            "\n{}",
            style.bold(&format!(
                "{} ({}, {})",
                w.waived,
                report.waived.len(),
                w.waived_note
            ))
        );
        for waived in &report.waived {
            let _ = writeln!(
                out,
                "  {} {}  {} {}, {} {}: {} ({})",
                style.bold(&waived.finding.rule),
                i18n::title(report, &waived.finding, lang),
                w.until,
                waived.waiver.expires,
                w.owner,
                printable(&waived.waiver.owner),
                printable(&waived.waiver.reason),
                printable(&waived.waiver.defined_at)
            );
        }
    }

    if !report.inputs.is_empty() {
        let _ = writeln!(out, "\n{}", style.bold(w.inputs));
        let mut table = new_table();
        table.set_header(w.input_columns.to_vec());
        for i in &report.inputs {
            table.add_row(vec![
                Cell::new(printable(&i.file)),
                Cell::new(&i.kind),
                Cell::new(i.rows).set_alignment(CellAlignment::Right),
                Cell::new(i.skipped).set_alignment(CellAlignment::Right),
                Cell::new(&i.encoding),
            ]);
        }
        let _ = writeln!(out, "{}", table.trim_fmt());
        for i in report.inputs.iter().filter(|i| i.format != "canonical") {
            let _ = writeln!(
                out,
                "  {} read as {}",
                style.dim(&printable(&i.file)),
                i.format
            );
        }
        for i in &report.inputs {
            for p in &i.problems {
                let place = match p.line {
                    Some(line) => format!("{}:{line}", i.file),
                    None => i.file.clone(),
                };
                located(
                    &mut out,
                    style,
                    &printable(&place),
                    &printable(&p.message),
                    "  ",
                );
            }
            let unlisted = i.problems_total.saturating_sub(i.problems.len() as u64);
            if unlisted > 0 {
                let _ = writeln!(out, "  {}: … and {unlisted} more problems", i.file);
            }
        }
    }
    if !report.ignored.is_empty() {
        let names: Vec<String> = report.ignored.iter().map(|n| printable(n)).collect();
        out.push('\n');
        wrap_into(
            &mut out,
            &format!("{} {}", w.ignored, names.join(", ")),
            "",
            "  ",
        );
    }
    if !report.checklist.is_empty() {
        let _ = writeln!(out, "\n{}", style.bold(w.checklist));
        for item in &report.checklist {
            let (topic, question) = item.in_lang(lang);
            wrap_into(
                &mut out,
                &i18n::labelled(&format!("{topic}:"), question),
                "  - ",
                "    ",
            );
        }
    }
    for note in &report.notes {
        wrap_into(&mut out, &format!("{} {note}", w.note), "", "      ");
    }
    out
}

/// Amazon's performance report beside ahr's count over the same window.
fn render_amazon(
    out: &mut String,
    amazon: &crate::amazon::AmazonNumbers,
    style: Style,
    lang: Lang,
) {
    let w = lang.words();
    let _ = writeln!(
        out,
        "\n{}",
        style.bold(&format!(
            "{} ({})",
            w.amazon_numbers,
            printable(&amazon.file)
        ))
    );
    if let Some(status) = &amazon.account_status {
        let _ = writeln!(
            out,
            "  {}",
            i18n::labelled(w.account_status, &printable(status))
        );
    }
    for m in &amazon.marketplaces {
        let place = match (&m.marketplace, &m.marketplace_id) {
            (Some(code), _) => code.to_string(),
            (None, Some(id)) => printable(id),
            (None, None) => w.marketplace_missing.into(),
        };
        let mut ahr = String::new();
        if let Some(status) = &m.ahr_status {
            ahr.push_str(&format!(", AHR {}", printable(status)));
        }
        if let Some(score) = m.ahr_score {
            ahr.push_str(&format!(" {score}"));
        }
        let _ = writeln!(out, "  {place}{ahr}");
        if m.metrics.is_empty() {
            continue;
        }
        // The year goes in the header when every window lies in it, so the
        // table fits 80 columns.
        let years: std::collections::BTreeSet<String> = m
            .metrics
            .iter()
            .flat_map(|c| [c.amazon.from, c.amazon.to])
            .flatten()
            .map(|d| d.format("%Y").to_string())
            .collect();
        let one_year = (years.len() == 1)
            .then(|| years.iter().next().cloned())
            .flatten();
        let mut table = new_table();
        let window_header = match &one_year {
            Some(year) => format!("{} ({year})", w.amazon_columns[1]),
            None => w.amazon_columns[1].into(),
        };
        let [metric, _, amazon_col, ahr_col] = w.amazon_columns;
        table.set_header(vec![
            metric,
            window_header.as_str(),
            amazon_col,
            ahr_col,
            "",
        ]);
        for c in &m.metrics {
            let day = |d: chrono::NaiveDate| {
                if one_year.is_some() {
                    d.format("%m-%d").to_string()
                } else {
                    d.to_string()
                }
            };
            let window = match (c.amazon.from, c.amazon.to) {
                (Some(from), Some(to)) => format!("{}..{}", day(from), day(to)),
                _ => "-".into(),
            };
            // Counts when there are counts: they are what must agree.
            let side = |s: &crate::amazon::Side| match (s.numerator, s.denominator) {
                (Some(n), Some(d)) => format!("{n}/{d}"),
                _ => percent(s.value),
            };
            let flag = match c.differs {
                Some(true) => w.differs,
                Some(false) => w.same,
                None => "",
            };
            table.add_row(vec![
                Cell::new(lang.metric_name(&c.metric)),
                Cell::new(window),
                Cell::new(side(&c.amazon)).set_alignment(CellAlignment::Right),
                Cell::new(c.ahr.as_ref().map_or("-".into(), side))
                    .set_alignment(CellAlignment::Right),
                Cell::new(flag),
            ]);
        }
        if let Some(column) = table.column_mut(0) {
            column.set_constraint(comfy_table::ColumnConstraint::ContentWidth);
        }
        let _ = writeln!(out, "{table}");
        for c in m.metrics.iter().filter(|c| c.ahr.is_some()) {
            if let Some(reason) = &c.reason {
                for line in wrap(&format!("{}: {reason}", c.metric), WIDTH as usize - 4) {
                    let _ = writeln!(out, "  {}", style.dim(&line));
                }
            }
        }
    }
    let _ = writeln!(out, "  {}", style.dim(w.amazon_note));
}

fn render_assurance(
    out: &mut String,
    a: &crate::assurance::Assurance,
    style: Style,
    w: &i18n::Words,
) {
    let _ = writeln!(out, "\n{}", style.bold(w.assurance));
    let verdict = if a.eligible {
        w.meets_bar
    } else {
        w.misses_bar
    };
    let bar = fill(
        w.assurance_bar,
        &[
            ("verdict", verdict),
            ("min", &a.min_ahr.to_string()),
            ("months", &a.months.to_string()),
            ("days", &a.max_days_below.to_string()),
        ],
    );
    wrap_into(out, &bar, "  ", "  ");
    if let (Some(from), Some(to)) = (a.window_from, a.evaluated_on) {
        let latest = a.latest_ahr.map_or("-".into(), |v| v.to_string());
        let window = fill(
            w.assurance_window,
            &[
                ("from", &from.to_string()),
                ("to", &to.to_string()),
                ("days", &a.days_below.to_string()),
                ("min", &a.min_ahr.to_string()),
                ("latest", &latest),
            ],
        );
        wrap_into(out, &window, "  ", "  ");
    }
    for reason in &a.reasons {
        wrap_into(out, &printable(reason), "  - ", "    ");
    }
    if !a.eligible
        && let Some(from) = a.eligible_from
    {
        if Some(from) == a.evaluated_on {
            let _ = writeln!(out, "  {}", w.assurance_already);
        } else {
            let from = fill(
                w.assurance_from,
                &[("from", &from.to_string()), ("min", &a.min_ahr.to_string())],
            );
            wrap_into(out, &from, "  ", "  ");
        }
    }
}

/// Columns without rules between rows: only a line under the header, so a
/// table reads like `cargo` or `ruff` output and copies cleanly.
const QUIET: TableStyle =
    TableStyle::new().header_separator(LineStyle::none().fill('─').junction(' '));

/// A table in the report's style, no wider than an 80-column terminal.
pub fn new_table() -> Table {
    let mut table = Table::new();
    table
        .load_style(QUIET)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(WIDTH - 2);
    table
}

/// Greedy word wrap by display width (CJK characters take two columns);
/// a word wider than the line is cut between characters.
fn wrap(text: &str, width: usize) -> Vec<String> {
    use unicode_width::UnicodeWidthChar;
    let mut lines = Vec::new();
    let mut current = String::new();
    for word in text.split_whitespace() {
        let used = current.width();
        // A word wider than a line (a Chinese sentence has no spaces) starts
        // where it is and is cut between characters.
        if used > 0 && used + 1 + word.width() > width && word.width() <= width {
            lines.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push(' ');
        }
        for ch in word.chars() {
            if current.width() + ch.width().unwrap_or(0) > width {
                lines.push(std::mem::take(&mut current));
            }
            current.push(ch);
        }
    }
    if !current.is_empty() || lines.is_empty() {
        lines.push(current);
    }
    lines
}

/// Writes `place text` wrapped to the report width, the place dimmed, the
/// continuation lines indented under the text.
fn located(out: &mut String, style: Style, place: &str, text: &str, first: &str) {
    let rest = " ".repeat(first.chars().count() + 2);
    let width = WIDTH as usize - rest.chars().count();
    for (i, line) in wrap(&format!("{place} {text}"), width)
        .into_iter()
        .enumerate()
    {
        if i == 0 {
            let line = line.replacen(place, &style.dim(place), 1);
            let _ = writeln!(out, "{first}{line}");
        } else {
            let _ = writeln!(out, "{rest}{line}");
        }
    }
}

/// Writes `text` wrapped to the report width, the first line after `first`
/// and the rest after `rest`.
fn wrap_into(out: &mut String, text: &str, first: &str, rest: &str) {
    let width = WIDTH as usize - first.width().max(rest.width());
    for (i, line) in wrap(text, width).into_iter().enumerate() {
        let _ = writeln!(out, "{}{line}", if i == 0 { first } else { rest });
    }
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

fn fraction(m: &MetricResult) -> String {
    match (m.numerator, m.denominator) {
        (Some(n), Some(d)) => format!("{n}/{d}"),
        _ => "-".into(),
    }
}

fn status_label(status: MetricStatus, lang: Lang) -> &'static str {
    let w = lang.words();
    match status {
        MetricStatus::Ok => w.status_ok,
        MetricStatus::Warning => w.status_warning,
        MetricStatus::Breach => w.status_breach,
        MetricStatus::InsufficientData => w.status_no_data,
    }
}
