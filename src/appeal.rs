//! `ahr appeal`: a Plan-of-Action draft in Markdown for one finding, built
//! from the report's evidence and the rule's template in the policies.
//!
//! The draft states only what the exports show. Actions come from the
//! template in the past tense, each marked for the seller to confirm; the
//! root cause behind the data, dates and documents are `[[placeholders]]`.
//! Amazon reads these drafts, so they stay factual and short.

use crate::findings::Finding;
use crate::i18n::{self, Lang, fill};
use crate::metrics::MetricResult;
use crate::policy::PolicySet;
use crate::report::Report;
use anyhow::{Result, bail};
use std::fmt::Write as _;

/// The Markdown draft for `rule`'s finding in `report`.
pub fn draft(report: &Report, policies: &PolicySet, rule: &str) -> Result<String> {
    draft_in(report, policies, rule, Lang::En)
}

/// The fixed sentences of the draft in one language.
struct Draft {
    /// `{title}`, `{rule}`.
    heading: &'static str,
    /// `{account}`.
    account: &'static str,
    /// `{name}`.
    name: &'static str,
    /// `{mp}`.
    marketplace: &'static str,
    /// `{date}`.
    read_through: &'static str,
    /// `{class}`.
    appeal_class: &'static str,
    instructions: &'static str,
    root_cause: &'static str,
    exports_show: &'static str,
    /// `{n}`, `{files}`.
    records: &'static str,
    record_one: &'static str,
    why: &'static str,
    cause_placeholder: &'static str,
    corrective: &'static str,
    preventive: &'static str,
    documents: &'static str,
    evidence: &'static str,
    evidence_header: &'static str,
    no_export: &'static str,
    date_done: &'static str,
    since_when: &'static str,
    what_you_did: &'static str,
    /// `{metric}`, `{value}`, `{n}`, `{d}`, `{from}`, `{to}`, `{op}`, `{target}`.
    metric_fact: &'static str,
    /// `{metric}`.
    metric_missing: &'static str,
    full_stop: &'static str,
    list_separator: &'static str,
}

const EN: Draft = Draft {
    heading: "# Plan of Action: {title} ({rule})",
    account: "Account `{account}`",
    name: " ({name})",
    marketplace: ", marketplace {mp}",
    read_through: ". Exports read through {date}.",
    appeal_class: "Appealability: **{class}**",
    instructions: "> Draft. Before sending it to Amazon, confirm or delete every statement marked \
         **[confirm]**, replace every `[[…]]` with facts only you can give, and keep it \
         factual and short.",
    root_cause: "## 1. Root cause",
    exports_show: "What the exports show:",
    records: "- {n} records in the evidence table below, from {files}.",
    record_one: "- {n} record in the evidence table below, from {files}.",
    why: "Why it happened:",
    cause_placeholder: "The cause, in one or two sentences.",
    corrective: "## 2. Corrective actions taken",
    preventive: "## 3. Preventive measures",
    documents: "## Documents attached",
    evidence: "## Evidence",
    evidence_header: "| # | file | line | key | what the export shows |",
    no_export: "no export",
    date_done: "[[date done]]",
    since_when: "[[since when]]",
    what_you_did: "[[What you did, and when.]]",
    metric_fact: "`{metric}` was {value} ({n} of {d} orders, {from} to {to}); Amazon's target is {op} {target}.",
    metric_missing: "`{metric}` could not be computed from the exports.",
    full_stop: ".",
    list_separator: ", ",
};

const ZH: Draft = Draft {
    heading: "# 行动计划（POA）：{title}（{rule}）",
    account: "账户 `{account}`",
    name: "（{name}）",
    marketplace: "，站点 {mp}",
    read_through: "。所读报告截至 {date}。",
    appeal_class: "申诉难度：**{class}**",
    instructions: "> 草稿。提交给亚马逊之前，请逐条确认或删除标有 **[confirm]** 的陈述，\
         把每个 `[[…]]` 替换为只有您能提供的事实，并保持内容真实、简洁。",
    root_cause: "## 1. 根本原因",
    exports_show: "报告显示：",
    records: "- 下方证据表中有 {n} 条记录，来自 {files}。",
    record_one: "- 下方证据表中有 {n} 条记录，来自 {files}。",
    why: "问题原因：",
    cause_placeholder: "用一两句话说明原因。",
    corrective: "## 2. 已采取的纠正措施",
    preventive: "## 3. 预防措施",
    documents: "## 随附文件",
    evidence: "## 证据",
    evidence_header: "| # | 文件 | 行 | 编号 | 报告内容 |",
    no_export: "无报告",
    date_done: "[[完成日期]]",
    since_when: "[[开始执行日期]]",
    what_you_did: "[[您做了什么，何时完成。]]",
    metric_fact: "`{metric}`（{name}）为 {value}（{from} 至 {to}，{d} 笔订单中有 {n} 笔）；亚马逊的目标为 {op} {target}。",
    metric_missing: "`{metric}` 无法根据报告计算。",
    full_stop: "。",
    list_separator: "、",
};

/// The draft in `lang`: fixed sentences and the policy's template texts
/// translated (each falling back to English); evidence as the exports
/// wrote it.
pub fn draft_in(report: &Report, policies: &PolicySet, rule: &str, lang: Lang) -> Result<String> {
    let words = match lang {
        Lang::En => &EN,
        Lang::ZhCn => &ZH,
    };
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
    let template = policies
        .appeal_template(&finding.rule)
        .map(|t| t.in_lang(lang));
    let template = template.as_ref();
    let metric = policies
        .rule(&finding.rule)
        .and_then(|r| r.check.metric())
        .and_then(|spec| report.metrics.get(&spec.id).map(|m| (spec.id.as_str(), m)));

    let mut out = String::new();
    let title = i18n::title(report, finding, lang);
    let heading = fill(words.heading, &[("title", title), ("rule", &finding.rule)]);
    let _ = writeln!(out, "{heading}\n");
    let mut who = fill(words.account, &[("account", &report.account.id)]);
    if let Some(name) = &report.account.name {
        who.push_str(&fill(words.name, &[("name", &md(name))]));
    }
    if let Some(mp) = &report.account.marketplace {
        who.push_str(&fill(words.marketplace, &[("mp", mp)]));
    }
    who.push_str(&fill(
        words.read_through,
        &[("date", &report.as_of.to_string())],
    ));
    let _ = writeln!(out, "{who}\n");
    let class = fill(
        words.appeal_class,
        &[("class", lang.appeal(finding.appeal))],
    );
    let _ = writeln!(out, "{class}\n");
    let _ = writeln!(out, "{}\n", words.instructions);

    let _ = writeln!(out, "{}\n", words.root_cause);
    let _ = writeln!(out, "{}\n", words.exports_show);
    match metric {
        Some((id, m)) => {
            let _ = writeln!(out, "- {}", metric_fact(id, m, words, lang));
        }
        None => {
            let message = i18n::message(finding, lang);
            let sentence = md(message.trim_end_matches(['.', '。']));
            let _ = writeln!(out, "- {sentence}{}", words.full_stop);
        }
    }
    let records = if finding.evidence_total == 1 {
        words.record_one
    } else {
        words.records
    };
    let _ = writeln!(
        out,
        "{}",
        fill(
            records,
            &[
                ("n", &finding.evidence_total.to_string()),
                ("files", &files_of(finding, words))
            ]
        )
    );
    let _ = writeln!(out, "\n{}\n", words.why);
    match template {
        Some(t) if !t.root_cause_questions.is_empty() => {
            for q in &t.root_cause_questions {
                let _ = writeln!(out, "- [[{q}]]");
            }
        }
        _ => {
            let _ = writeln!(out, "- [[{}]]", words.cause_placeholder);
        }
    }

    let _ = writeln!(out, "\n{}\n", words.corrective);
    numbered(
        &mut out,
        template.map(|t| &t.corrective_actions),
        words.date_done,
        words,
    );
    let _ = writeln!(out, "\n{}\n", words.preventive);
    numbered(
        &mut out,
        template.map(|t| &t.preventive_measures),
        words.since_when,
        words,
    );

    if let Some(t) = template
        && !t.documents.is_empty()
    {
        let _ = writeln!(out, "\n{}\n", words.documents);
        for d in &t.documents {
            let _ = writeln!(out, "- [[{d}]]");
        }
    }

    let _ = writeln!(out, "\n{}\n", words.evidence);
    let _ = writeln!(out, "{}", words.evidence_header);
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

fn metric_fact(id: &str, m: &MetricResult, words: &Draft, lang: Lang) -> String {
    let pct = |v: f64| {
        let text = format!("{:.2}", v * 100.0);
        format!("{}%", text.trim_end_matches('0').trim_end_matches('.'))
    };
    match (m.numerator, m.denominator, m.value) {
        (Some(n), Some(d), Some(v)) => fill(
            words.metric_fact,
            &[
                ("metric", id),
                ("name", &lang.metric_name(id)),
                ("value", &pct(v)),
                ("n", &n.to_string()),
                ("d", &d.to_string()),
                ("from", &m.window.from.to_string()),
                ("to", &m.window.to.to_string()),
                ("op", m.target.op),
                ("target", &pct(m.target.value)),
            ],
        ),
        _ => fill(words.metric_missing, &[("metric", id)]),
    }
}

fn files_of(finding: &Finding, words: &Draft) -> String {
    let mut files: Vec<&str> = finding.evidence.iter().map(|e| e.file.as_str()).collect();
    files.sort_unstable();
    files.dedup();
    if files.is_empty() {
        return words.no_export.into();
    }
    files
        .iter()
        .map(|f| format!("`{f}`"))
        .collect::<Vec<_>>()
        .join(words.list_separator)
}

fn numbered(out: &mut String, items: Option<&Vec<String>>, when: &str, words: &Draft) {
    match items {
        Some(items) if !items.is_empty() => {
            for (i, item) in items.iter().enumerate() {
                let _ = writeln!(out, "{}. **[confirm]** {} {when}", i + 1, md(item));
            }
        }
        _ => {
            let _ = writeln!(out, "1. {}", words.what_you_did);
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
