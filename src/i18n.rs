//! Output languages. The JSON report is language-neutral (English keys and
//! values); the renderers for people (table, Markdown, HTML, the appeal
//! draft) take a [`Lang`] and read their fixed words from one catalogue
//! here. Rule texts in other languages come from the policies (`[rule.zh-CN]`),
//! finding messages from their structured form ([`MessageForm`]); anything
//! without a translation falls back to English.

use crate::findings::Finding;
use crate::report::Report;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `n` and the English noun for that many: "1 order", "2 orders".
pub fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A language the renderers can write.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Lang {
    #[default]
    En,
    /// Simplified Chinese, as Amazon's Chinese Seller Central writes it.
    ZhCn,
}

impl Lang {
    /// Languages with translations in the policies (English is the base).
    pub const TRANSLATED: [Lang; 1] = [Lang::ZhCn];

    /// The BCP 47 tag, as used in policy tables (`[rule.zh-CN]`).
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::ZhCn => "zh-CN",
        }
    }

    /// Reads `--lang`: `en`, `zh-CN`, also `zh`, `zh-cn`, `zh_CN`, `zh-Hans`.
    pub fn parse(text: &str) -> Result<Lang, String> {
        let norm = text.trim().to_ascii_lowercase().replace('_', "-");
        match norm.as_str() {
            "en" | "en-us" | "en-gb" | "english" => Ok(Lang::En),
            "zh" | "zh-cn" | "zh-hans" | "zh-hans-cn" | "chinese" => Ok(Lang::ZhCn),
            _ => Err(format!(
                "`{text}` is not a language ahr writes: use `en` (English, the default) or `zh-CN` (简体中文)"
            )),
        }
    }

    pub fn words(self) -> &'static Words {
        match self {
            Lang::En => &EN,
            Lang::ZhCn => &ZH,
        }
    }

    /// The translation for this language in a map keyed by language tag,
    /// or `None` for English and for a missing translation.
    pub fn pick<T>(self, translations: &BTreeMap<String, T>) -> Option<&T> {
        match self {
            Lang::En => None,
            lang => translations.get(lang.tag()),
        }
    }
}

/// A rule's texts in one language; an empty text means "use English".
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleText {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub title: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub docs: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub remediation: String,
}

/// `text` unless it is empty, then `english`.
pub fn or_english<'a>(text: Option<&'a str>, english: &'a str) -> &'a str {
    match text {
        Some(t) if !t.trim().is_empty() => t,
        _ => english,
    }
}

/// A finding message as a key and its arguments, so each language can
/// write its own sentence; the English sentence stays in `message`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageForm {
    pub key: String,
    pub args: BTreeMap<String, String>,
}

impl MessageForm {
    pub fn new(key: &str, args: &[(&str, String)]) -> MessageForm {
        MessageForm {
            key: key.to_string(),
            args: args
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        }
    }

    /// The message in `lang`, or `None` when the form is not one this
    /// language knows (the caller then shows the English sentence).
    pub fn render(&self, lang: Lang) -> Option<String> {
        if lang == Lang::En {
            return None;
        }
        let arg = |k: &str| self.args.get(k).map(String::as_str);
        match self.key.as_str() {
            "rate" => {
                let metric = lang.metric_name(arg("metric")?);
                let side = match (arg("direction")?, arg("level")?) {
                    ("above", "breach") => "高于违规线",
                    ("below", "breach") => "低于违规线",
                    ("above", _) => "高于预警线",
                    _ => "低于预警线",
                };
                let headroom: i64 = arg("headroom")?.parse().ok()?;
                let tail = if headroom < 0 {
                    format!("已超出上限 {} 笔问题订单", -headroom)
                } else {
                    format!("再有 {headroom} 笔问题订单即违规")
                };
                Some(format!(
                    "{metric}为 {}（{} 至 {}，{} 笔订单中有 {} 笔），{side} {}；{tail}",
                    arg("value")?,
                    arg("from")?,
                    arg("to")?,
                    arg("denominator")?,
                    arg("numerator")?,
                    arg("threshold")?,
                ))
            }
            "count" => {
                let source = match arg("source")? {
                    "complaints" => "投诉",
                    "claims" => "A-to-z 索赔",
                    "chargebacks" => "信用卡拒付",
                    "feedback" => "买家反馈",
                    "reviews" => "商品评论",
                    "returns" => "退货",
                    other => other,
                };
                Some(format!(
                    "{} 至 {} 期间有 {} 条符合条件的{source}记录（达到 {} 条即违规）",
                    arg("from")?,
                    arg("to")?,
                    arg("found")?,
                    arg("breach")?,
                ))
            }
            "phrases" => {
                let messages: u64 = arg("messages")?.parse().ok()?;
                let inserts: u64 = arg("inserts")?.parse().ok()?;
                let mut parts = Vec::new();
                if messages > 0 {
                    parts.push(format!("{messages} 条发给买家的消息"));
                }
                if inserts > 0 {
                    parts.push(format!("{inserts} 张包装插卡或模板"));
                }
                if parts.is_empty() {
                    return None;
                }
                Some(format!("{}使用了本规则禁止的措辞", parts.join("和")))
            }
            "forecast" => {
                let metric = lang.metric_name(arg("metric")?);
                let noun = match arg("kind")? {
                    "defects" => "问题订单",
                    "late_shipments" => "迟发订单",
                    "cancellations" => "取消订单",
                    "invalid_tracking" => "无有效追踪的发货",
                    _ => "延迟送达订单",
                };
                let more: i64 = arg("more_allowed")?.parse().ok()?;
                let mut text = if more < 0 {
                    format!("即使不再出现{noun}，{metric}在旺季结束时仍超出目标")
                } else {
                    format!(
                        "未来 {} 天内再有 {} 笔{noun}，{metric}即违规（{} 倍订单量下约 {} 笔新订单）",
                        arg("days")?,
                        more + 1,
                        arg("multiplier")?,
                        arg("new_orders")?,
                    )
                };
                if let Some(day) = arg("breaches_on") {
                    let share = match arg("assumed_rate") {
                        Some(rate) => format!("{rate}% 的{noun}比例"),
                        None => format!("当前的{noun}比例"),
                    };
                    text.push_str(&format!("；按{share}，将于 {day} 违规"));
                }
                Some(text)
            }
            "reason_no_orders" => Some("没有订单文件：无法计算任何比率".into()),
            "reason_missing_column" => Some(format!(
                "{} 中没有 {} 列，无法计算此指标",
                arg("file")?,
                arg("column")?
            )),
            "reason_empty_window" => Some(format!(
                "{} 至 {} 期间没有符合条件的订单",
                arg("from")?,
                arg("to")?
            )),
            "reason_min_denominator" => Some(format!(
                "窗口内只有 {} 笔订单；此规则至少需要 {} 笔，比率才有意义",
                arg("orders")?,
                arg("min")?
            )),
            "brushing" => Some(format!(
                "{} 至 {} 期间发现刷单迹象：{} 笔可疑订单、{} 条可疑评论",
                arg("from")?,
                arg("to")?,
                arg("orders")?,
                arg("reviews")?,
            )),
            "offers_hijack" => Some(format!(
                "{} 个其他卖家在您品牌（{}）的 {} 个 ASIN 上跟卖：{}",
                arg("sellers")?,
                arg("brands")?,
                arg("asins")?,
                arg("names")?,
            )),
            "offers_piggyback" => Some(format!(
                "您在 {} 个品牌未列入 account.toml 的 ASIN 上有报价：{}",
                arg("asins")?,
                arg("names")?,
            )),
            "reported" => Some(format!("亚马逊绩效报告显示：{}", arg("parts")?)),
            "linkage" => {
                let mut text = format!(
                    "{} 个身份信息（{}）与 {} 个其他账户共用：{}",
                    arg("identifiers")?,
                    arg("kinds")?,
                    arg("others")?,
                    arg("accounts")?,
                );
                if let Some(names) = arg("suspended") {
                    text.push_str(&format!("；其中已被暂停：{names}"));
                }
                Some(text)
            }
            "score_start" => Some("起始分".into()),
            "score_no_orders" => Some("销量加分：没有订单文件".into()),
            "score_volume" => Some(format!(
                "销量加分：近 {} 天 {} 笔订单，每 {} 笔加 {} 分",
                arg("days")?,
                arg("orders")?,
                arg("per")?,
                arg("points")?,
            )),
            "score_cap" => Some(format!("存在严重级别违规，评分上限为 {}", arg("cap")?)),
            "score_clamp" => Some(format!("评分保持在 {}–{} 之间", arg("min")?, arg("max")?)),
            "phrases_per_order" => Some(format!(
                "{} 个订单各收到 {} 条或更多匹配的消息（共 {} 条）",
                arg("orders")?,
                arg("min")?,
                arg("total")?,
            )),
            _ => None,
        }
    }
}

impl Lang {
    /// A metric's name for people; English keeps the metric id.
    pub fn metric_name(self, id: &str) -> String {
        if self == Lang::En {
            return id.to_string();
        }
        let name = match id {
            "order_defect_rate" => "订单缺陷率",
            "order_defect_rate_mfn" => "订单缺陷率（卖家自配送）",
            "order_defect_rate_afn" => "订单缺陷率（亚马逊物流）",
            "late_shipment_rate" => "迟发率",
            "late_shipment_rate_10d" => "迟发率（10 天）",
            "late_shipment_rate_30d" => "迟发率（30 天）",
            "pre_fulfillment_cancel_rate" => "配送前取消率",
            "valid_tracking_rate" => "有效追踪率",
            "on_time_delivery_rate" => "准时交货率",
            other => other,
        };
        name.to_string()
    }

    /// A score band (`healthy`, `at_risk`, `critical`) for people.
    pub fn band(self, band: &str) -> String {
        match (self, band) {
            (Lang::ZhCn, "healthy") => "健康".into(),
            (Lang::ZhCn, "at_risk") => "有风险".into(),
            (Lang::ZhCn, "critical") => "危急".into(),
            _ => band.replace('_', " "),
        }
    }

    pub fn severity(self, severity: crate::findings::Severity) -> &'static str {
        use crate::findings::Severity::*;
        match (self, severity) {
            (Lang::ZhCn, Critical) => "严重",
            (Lang::ZhCn, High) => "高",
            (Lang::ZhCn, Medium) => "中",
            (Lang::ZhCn, Low) => "低",
            (Lang::En, s) => s.as_str(),
        }
    }

    /// The appealability class of a finding for people.
    pub fn appeal(self, appeal: crate::findings::Appeal) -> &'static str {
        use crate::findings::Appeal::*;
        match (self, appeal) {
            (Lang::ZhCn, Appealable) => "可申诉",
            (Lang::ZhCn, Hard) => "申诉困难",
            (Lang::ZhCn, NotAppealable) => "不可申诉",
            (Lang::En, a) => a.as_str(),
        }
    }
}

/// The fixed words of the renderers in one language. Texts with `{name}`
/// take arguments through [`fill`].
#[derive(Debug)]
pub struct Words {
    pub account_health: &'static str,
    pub as_of: &'static str,
    pub score: &'static str,
    pub bands: &'static str,
    /// Before the exit gate's verdict: "gate passed (--fail-under 250)".
    pub gate_passed: &'static str,
    pub gate_failed: &'static str,
    pub score_breakdown: &'static str,
    pub metrics: &'static str,
    pub metrics_against_targets: &'static str,
    pub col_metric: &'static str,
    pub col_value: &'static str,
    pub col_target: &'static str,
    pub col_orders: &'static str,
    pub col_headroom: &'static str,
    pub col_status: &'static str,
    pub col_points: &'static str,
    pub col_line: &'static str,
    pub col_rule: &'static str,
    pub col_severity: &'static str,
    pub col_message: &'static str,
    pub col_appeal: &'static str,
    pub status_ok: &'static str,
    pub status_warning: &'static str,
    pub status_breach: &'static str,
    pub status_no_data: &'static str,
    /// `{id}`, `{day}`.
    pub back_on_target: &'static str,
    pub findings: &'static str,
    pub no_findings: &'static str,
    pub warning: &'static str,
    /// `{n}`.
    pub more_evidence: &'static str,
    pub fix: &'static str,
    pub appeal: &'static str,
    pub waived: &'static str,
    pub waived_note: &'static str,
    pub until: &'static str,
    pub owner: &'static str,
    pub inputs: &'static str,
    pub input_problems: &'static str,
    pub ignored: &'static str,
    pub checklist: &'static str,
    pub note: &'static str,
    pub amazon_numbers: &'static str,
    pub assurance: &'static str,
    pub peak_outlook: &'static str,
    /// `{x}` multiplier, `{from}`/`{to}` dates.
    pub peak_span: &'static str,
    /// `{metric}`, `{day}`.
    pub first_to_breach: &'static str,
    pub no_breach_forecast: &'static str,
    pub findings_count: &'static str,
    pub evidence: &'static str,
    pub score_title: &'static str,
    pub bands_prose: &'static str,
    pub metrics_title: &'static str,
    pub findings_title: &'static str,
    pub no_rule_fired: &'static str,
    /// `{n}`.
    pub more_in_report: &'static str,
    pub fix_title: &'static str,
    pub appeal_title: &'static str,
    pub waived_title: &'static str,
    pub reason: &'static str,
    pub expires: &'static str,
    pub waiver: &'static str,
    /// The columns of the inputs table: file, kind, rows, skipped, encoding.
    pub input_columns: [&'static str; 5],
    pub account_status: &'static str,
    pub marketplace_missing: &'static str,
    /// metric, window, Amazon, ahr.
    pub amazon_columns: [&'static str; 4],
    pub same: &'static str,
    pub differs: &'static str,
    pub amazon_note: &'static str,
    pub meets_bar: &'static str,
    pub misses_bar: &'static str,
    /// `{verdict}`, `{min}`, `{months}`, `{days}`.
    pub assurance_bar: &'static str,
    /// `{from}`, `{to}`, `{days}`, `{min}`, `{latest}`.
    pub assurance_window: &'static str,
    pub assurance_already: &'static str,
    /// `{from}`, `{min}`.
    pub assurance_from: &'static str,
}

pub static EN: Words = Words {
    account_health: "ahr account health:",
    as_of: "as of",
    score: "SCORE",
    bands: "bands: healthy 200-1000 · at risk 100-199 · critical 0-99",
    gate_passed: "gate passed",
    gate_failed: "gate FAILED",
    score_breakdown: "Score breakdown",
    metrics: "METRICS",
    metrics_against_targets: "Metrics against Amazon's targets",
    col_metric: "metric",
    col_value: "value",
    col_target: "target",
    col_orders: "orders",
    col_headroom: "headroom",
    col_status: "status",
    col_points: "points",
    col_line: "line",
    col_rule: "rule",
    col_severity: "severity",
    col_message: "message",
    col_appeal: "appeal",
    status_ok: "ok",
    status_warning: "WARNING",
    status_breach: "BREACH",
    status_no_data: "no data",
    back_on_target: "{id}: back on target on {day} if orders keep their pace and none goes bad",
    findings: "FINDINGS",
    no_findings: "none: no enabled rule fired",
    warning: "warning",
    more_evidence: "… and {n} more (all of them in --format json)",
    fix: "fix:",
    appeal: "appeal:",
    waived: "WAIVED",
    waived_note: "not in the score or the gate",
    until: "until",
    owner: "owner",
    inputs: "INPUTS",
    input_problems: "Input problems",
    ignored: "ignored (not an export ahr reads):",
    checklist: "NOT IN YOUR EXPORTS: CONFIRM YOURSELF",
    note: "note:",
    amazon_numbers: "AMAZON'S NUMBERS",
    assurance: "ACCOUNT HEALTH ASSURANCE",
    peak_outlook: "PEAK OUTLOOK",
    peak_span: "{x}× volume, {from} to {to}",
    first_to_breach: "first to breach: {metric} on {day}",
    no_breach_forecast: "no metric breaches under these assumptions",
    findings_count: "finding(s)",
    evidence: "Evidence",
    score_title: "Score",
    bands_prose: "Bands: healthy 200–1000 · at risk 100–199 · critical 0–99.",
    metrics_title: "Metrics",
    findings_title: "Findings",
    no_rule_fired: "No enabled rule fired.",
    more_in_report: "… and {n} more (all of them in the JSON report)",
    fix_title: "Fix:",
    appeal_title: "Appeal:",
    waived_title: "Waived",
    reason: "reason",
    expires: "expires",
    waiver: "waiver",
    input_columns: ["file", "kind", "rows", "skipped", "encoding"],
    account_status: "account status:",
    marketplace_missing: "marketplace not given",
    amazon_columns: ["metric", "window", "Amazon", "ahr"],
    same: "same",
    differs: "DIFFERS",
    amazon_note: "ahr counts each metric from the exports over Amazon's own window",
    meets_bar: "meets the bar",
    misses_bar: "does not meet the bar",
    assurance_bar: "{verdict}: AHR >= {min} for {months} months, at most {days} days below, and an emergency contact",
    assurance_window: "{from}..{to}: {days} days below {min}, latest AHR {latest}",
    assurance_already: "the AHR history already meets the bar",
    assurance_from: "could qualify from {from} if the AHR stays at or above {min}",
};

pub static ZH: Words = Words {
    account_health: "ahr 账户状况：",
    as_of: "数据截至",
    score: "评分",
    bands: "分档：健康 200-1000 · 有风险 100-199 · 危急 0-99",
    gate_passed: "门槛通过",
    gate_failed: "门槛未通过",
    score_breakdown: "评分明细",
    metrics: "绩效指标",
    metrics_against_targets: "绩效指标与亚马逊目标对比",
    col_metric: "指标",
    col_value: "数值",
    col_target: "目标",
    col_orders: "订单",
    col_headroom: "余量",
    col_status: "状态",
    col_points: "分值",
    col_line: "项目",
    col_rule: "规则",
    col_severity: "严重程度",
    col_message: "说明",
    col_appeal: "申诉",
    status_ok: "正常",
    status_warning: "预警",
    status_breach: "违规",
    status_no_data: "数据不足",
    back_on_target: "{id}：若订单量保持当前节奏且不再出现问题订单，将于 {day} 恢复达标",
    findings: "发现的问题",
    no_findings: "无：没有触发任何已启用的规则",
    warning: "预警",
    more_evidence: "… 另有 {n} 条（完整列表见 --format json）",
    fix: "整改：",
    appeal: "申诉：",
    waived: "已豁免",
    waived_note: "不计入评分与门禁",
    until: "有效期至",
    owner: "负责人",
    inputs: "读取的文件",
    input_problems: "输入文件问题",
    ignored: "已忽略（不是 ahr 读取的报告）：",
    checklist: "报告中看不到的事项：请自行确认",
    note: "说明：",
    amazon_numbers: "亚马逊后台数据",
    assurance: "账户健康保障（AHA）",
    peak_outlook: "旺季预测",
    peak_span: "{x} 倍订单量，{from} 至 {to}",
    first_to_breach: "最先违规：{metric}，{day}",
    no_breach_forecast: "在这些假设下没有指标违规",
    findings_count: "个问题",
    evidence: "证据",
    score_title: "评分",
    bands_prose: "分档：健康 200–1000 · 有风险 100–199 · 危急 0–99。",
    metrics_title: "绩效指标",
    findings_title: "发现的问题",
    no_rule_fired: "没有触发任何已启用的规则。",
    more_in_report: "… 另有 {n} 条（完整列表见 JSON 报告）",
    fix_title: "整改：",
    appeal_title: "申诉：",
    waived_title: "已豁免",
    reason: "原因",
    expires: "到期日",
    waiver: "豁免",
    input_columns: ["文件", "类型", "行数", "跳过", "编码"],
    account_status: "账户状态：",
    marketplace_missing: "未注明站点",
    amazon_columns: ["指标", "统计周期", "亚马逊", "ahr"],
    same: "一致",
    differs: "不一致",
    amazon_note: "ahr 按亚马逊自己的统计周期，根据报告重新计算每项指标",
    meets_bar: "符合条件",
    misses_bar: "不符合条件",
    assurance_bar: "{verdict}：连续 {months} 个月 AHR >= {min}，低于该值不超过 {days} 天，并已设置紧急联系人",
    assurance_window: "{from}..{to}：有 {days} 天低于 {min}，最新 AHR {latest}",
    assurance_already: "AHR 历史记录已符合条件",
    assurance_from: "如果 AHR 保持在 {min} 及以上，最早可于 {from} 符合条件",
};

/// A finding's title in `lang`, from the translations its rule carries in
/// the report.
pub fn title<'a>(report: &'a Report, finding: &'a Finding, lang: Lang) -> &'a str {
    or_english(
        rule_text(report, &finding.rule, lang).map(|t| t.title.as_str()),
        &finding.title,
    )
}

/// A finding's remediation in `lang`.
pub fn remediation<'a>(report: &'a Report, finding: &'a Finding, lang: Lang) -> &'a str {
    or_english(
        rule_text(report, &finding.rule, lang).map(|t| t.remediation.as_str()),
        &finding.remediation,
    )
}

/// A finding's message in `lang`: from its structured form where the
/// language knows it, else the English sentence.
pub fn message(finding: &Finding, lang: Lang) -> String {
    finding
        .message_form
        .as_ref()
        .and_then(|form| form.render(lang))
        .unwrap_or_else(|| finding.message.clone())
}

/// A score-breakdown line's label in `lang`: a rule's title, or the
/// line's own form, falling back to the English label.
pub fn breakdown_label(report: &Report, line: &crate::score::Line, lang: Lang) -> String {
    match &line.rule {
        Some(rule) => format!("{rule} {}", rule_label(report, rule, &line.label, lang)),
        None => line
            .form
            .as_ref()
            .and_then(|form| form.render(lang))
            .unwrap_or_else(|| line.label.clone()),
    }
}

/// A score-breakdown label naming a rule: its title in `lang` when the
/// label is the rule's English title, else the label as it is.
pub fn rule_label<'a>(report: &'a Report, rule: &str, label: &'a str, lang: Lang) -> &'a str {
    let outcome = report.rules.iter().find(|r| r.id == rule);
    match (outcome, rule_text(report, rule, lang)) {
        (Some(o), Some(t)) if o.title == label => or_english(Some(&t.title), label),
        _ => label,
    }
}

/// `label text`; a label ending in a full-width colon takes no space, and an
/// ASCII colon becomes full-width before Chinese text.
pub fn labelled(label: &str, text: &str) -> String {
    let cjk = text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
    match label.strip_suffix(':') {
        Some(head) if cjk => format!("{head}：{text}"),
        _ if label.ends_with('：') => format!("{label}{text}"),
        _ => format!("{label} {text}"),
    }
}

fn rule_text<'a>(report: &'a Report, rule: &str, lang: Lang) -> Option<&'a RuleText> {
    let outcome = report.rules.iter().find(|r| r.id == rule)?;
    lang.pick(&outcome.translations)
}

/// Replaces `{name}` in `template` with each argument.
pub fn fill(template: &str, args: &[(&str, &str)]) -> String {
    let mut out = template.to_string();
    for (name, value) in args {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lang_accepts_the_usual_spellings_and_rejects_others() {
        for text in ["zh-CN", "zh", "zh-cn", "zh_CN", "ZH-cn"] {
            assert_eq!(Lang::parse(text), Ok(Lang::ZhCn), "{text}");
        }
        assert_eq!(Lang::parse("en"), Ok(Lang::En));
        let err = Lang::parse("fr").unwrap_err();
        assert!(err.contains("zh-CN") && err.contains("`fr`"), "{err}");
    }

    #[test]
    fn rate_message_reads_in_chinese() {
        let form = MessageForm::new(
            "rate",
            &[
                ("metric", "order_defect_rate".into()),
                ("value", "2.5%".into()),
                ("numerator", "5".into()),
                ("denominator", "200".into()),
                ("from", "2026-09-22".into()),
                ("to", "2026-11-20".into()),
                ("direction", "above".into()),
                ("level", "breach".into()),
                ("threshold", "1%".into()),
                ("headroom", "-3".into()),
            ],
        );
        assert_eq!(
            form.render(Lang::ZhCn).unwrap(),
            "订单缺陷率为 2.5%（2026-09-22 至 2026-11-20，200 笔订单中有 5 笔），高于违规线 1%；已超出上限 3 笔问题订单"
        );
        assert_eq!(form.render(Lang::En), None);
        // A form missing an argument falls back to the English sentence.
        let broken = MessageForm::new("rate", &[("metric", "x".into())]);
        assert_eq!(broken.render(Lang::ZhCn), None);
    }

    #[test]
    fn missing_translation_falls_back_to_english() {
        assert_eq!(or_english(Some(""), "Title"), "Title");
        assert_eq!(or_english(None, "Title"), "Title");
        assert_eq!(or_english(Some("标题"), "Title"), "标题");
        let mut map = BTreeMap::new();
        map.insert("zh-CN".to_string(), 1);
        assert_eq!(Lang::ZhCn.pick(&map), Some(&1));
        assert_eq!(Lang::En.pick(&map), None);
    }
}
