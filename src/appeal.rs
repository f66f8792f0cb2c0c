//! `ahr appeal`: a Plan-of-Action draft in Markdown for one finding, built
//! from the report's evidence and the rule's template in the policies.
//!
//! The draft states only what the exports show. Actions come from the
//! template in the past tense, each marked for the seller to confirm; the
//! root cause behind the data, dates and documents are `[[placeholders]]`.
//! Amazon reads these drafts, so they stay factual and short.

use crate::findings::Finding;
use crate::metrics::MetricResult;
use crate::policy::PolicySet;
use crate::report::Report;
use anyhow::{Result, bail};
use std::fmt::Write as _;

/// The Markdown draft for `rule`'s finding in `report`.
pub fn draft(report: &Report, policies: &PolicySet, rule: &str) -> Result<String> {
    let Some(finding) = report
        .findings
        .iter()
        .find(|f| f.rule.eq_ignore_ascii_case(rule))
    else {
        let fired: Vec<&str> = report.findings.iter().map(|f| f.rule.as_str()).collect();
        if policies.rule(rule).is_none() {
            bail!("no rule `{rule}`: `ahr rules` lists them all");
        }
        bail!(
            "rule `{rule}` has no finding for account {} as of {}: nothing to appeal{}",
            report.account.id,
            report.as_of,
            if fired.is_empty() {
                String::new()
            } else {
                format!(" (findings: {})", fired.join(", "))
            }
        );
    };
    let template = policies.appeal_template(&finding.rule);
    let metric = policies
        .rule(&finding.rule)
        .and_then(|r| r.check.metric())
        .and_then(|spec| report.metrics.get(&spec.id).map(|m| (spec.id.as_str(), m)));

    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Plan of Action: {} ({})\n",
        finding.title, finding.rule
    );
    let mut who = format!("Account `{}`", report.account.id);
    if let Some(name) = &report.account.name {
        who.push_str(&format!(" ({})", md(name)));
    }
    if let Some(mp) = &report.account.marketplace {
        who.push_str(&format!(", marketplace {mp}"));
    }
    let _ = writeln!(out, "{who}. Exports read through {}.\n", report.as_of);
    let _ = writeln!(
        out,
        "> Draft. Before sending it to Amazon, confirm or delete every statement marked \
         **[confirm]**, replace every `[[…]]` with facts only you can give, and keep it \
         factual and short.\n"
    );

    let _ = writeln!(out, "## 1. Root cause\n");
    let _ = writeln!(out, "What the exports show:\n");
    match metric {
        Some((id, m)) => {
            let _ = writeln!(out, "- {}", metric_fact(id, m));
        }
        None => {
            let _ = writeln!(out, "- {}.", md(finding.message.trim_end_matches('.')));
        }
    }
    let _ = writeln!(
        out,
        "- {} {} in the evidence table below, from {}.",
        finding.evidence_total,
        if finding.evidence_total == 1 {
            "record"
        } else {
            "records"
        },
        files_of(finding)
    );
    let _ = writeln!(out, "\nWhy it happened:\n");
    match template {
        Some(t) if !t.root_cause_questions.is_empty() => {
            for q in &t.root_cause_questions {
                let _ = writeln!(out, "- [[{q}]]");
            }
        }
        _ => {
            let _ = writeln!(out, "- [[The cause, in one or two sentences.]]");
        }
    }

    let _ = writeln!(out, "\n## 2. Corrective actions taken\n");
    numbered(
        &mut out,
        template.map(|t| &t.corrective_actions),
        "[[date done]]",
    );
    let _ = writeln!(out, "\n## 3. Preventive measures\n");
    numbered(
        &mut out,
        template.map(|t| &t.preventive_measures),
        "[[since when]]",
    );

    if let Some(t) = template
        && !t.documents.is_empty()
    {
        let _ = writeln!(out, "\n## Documents attached\n");
        for d in &t.documents {
            let _ = writeln!(out, "- [[{d}]]");
        }
    }

    let _ = writeln!(out, "\n## Evidence\n");
    let _ = writeln!(out, "| # | file | line | key | what the export shows |");
    let _ = writeln!(out, "|---|---|---|---|---|");
    for (i, e) in finding.evidence.iter().enumerate() {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            i + 1,
            md(&e.file),
            e.line.map_or(String::from("-"), |l| l.to_string()),
            md(&e.key),
            md(&e.excerpt)
        );
    }
    Ok(out)
}

fn metric_fact(id: &str, m: &MetricResult) -> String {
    let pct = |v: f64| {
        let text = format!("{:.2}", v * 100.0);
        format!("{}%", text.trim_end_matches('0').trim_end_matches('.'))
    };
    match (m.numerator, m.denominator, m.value) {
        (Some(n), Some(d), Some(v)) => format!(
            "`{id}` was {} ({n} of {d} orders, {} to {}); Amazon's target is {} {}.",
            pct(v),
            m.window.from,
            m.window.to,
            m.target.op,
            pct(m.target.value)
        ),
        _ => format!("`{id}` could not be computed from the exports."),
    }
}

fn files_of(finding: &Finding) -> String {
    let mut files: Vec<&str> = finding.evidence.iter().map(|e| e.file.as_str()).collect();
    files.sort_unstable();
    files.dedup();
    if files.is_empty() {
        return "no export".into();
    }
    files
        .iter()
        .map(|f| format!("`{f}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn numbered(out: &mut String, items: Option<&Vec<String>>, when: &str) {
    match items {
        Some(items) if !items.is_empty() => {
            for (i, item) in items.iter().enumerate() {
                let _ = writeln!(out, "{}. **[confirm]** {} {when}", i + 1, md(item));
            }
        }
        _ => {
            let _ = writeln!(out, "1. [[What you did, and when.]]");
        }
    }
}

/// Text from exports made safe inside Markdown: no table breaks, no
/// markup, no HTML.
fn md(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '|' | '*' | '_' | '`' | '[' | ']' | '<' | '>' | '#' | '\\' => {
                out.push('\\');
                out.push(ch);
            }
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::md;

    #[test]
    fn export_text_cannot_break_the_markdown() {
        assert_eq!(md("a|b"), "a\\|b");
        assert_eq!(md("<script>"), "\\<script\\>");
        assert_eq!(md("line\nbreak"), "line break");
        assert_eq!(md("**bold**"), "\\*\\*bold\\*\\*");
    }
}
