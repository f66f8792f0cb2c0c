//! `--format sarif`: SARIF 2.1.0 as GitHub code scanning reads it. Every
//! enabled rule is a `reportingDescriptor`; every finding is a result whose
//! location is the export file and line of its first piece of evidence (the
//! rest are related locations); waived findings are results with an
//! accepted suppression; input problems are tool notifications.

use super::{Report, escape::uri_path};
use crate::findings::{Evidence, Finding, FindingStatus, Severity};
use serde_json::{Value, json};

pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// Related locations kept per result; the JSON report has them all.
const RELATED_MAX: usize = 100;

fn default_level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low => "note",
    }
}

fn level(f: &Finding) -> &'static str {
    match f.status {
        FindingStatus::Breach => "error",
        FindingStatus::Warning => "warning",
    }
}

/// A 64-bit FNV-1a hash: stable across builds and platforms, unlike std's
/// hasher, so GitHub can follow an alert from one run to the next.
fn fingerprint(parts: &[&str]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in part.bytes().chain(std::iter::once(0)) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}

/// A path relative to the repository stays a relative reference (what
/// code scanning maps onto the checkout); an absolute one becomes a
/// `file://` URI.
fn artifact_uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    let bytes = path.as_bytes();
    if bytes.len() >= 2 && bytes[1] == b':' && bytes[0].is_ascii_alphabetic() {
        return format!("file:///{}:{}", &path[..1], uri_path(&path[2..]));
    }
    if path.starts_with('/') {
        return format!("file://{}", uri_path(&path));
    }
    uri_path(&path)
}

fn location(report: &Report, file: &str, line: Option<u64>, text: Option<String>) -> Value {
    let mut physical = json!({
        "artifactLocation": {"uri": artifact_uri(&report.path_of(file))}
    });
    if let Some(line) = line.filter(|l| *l >= 1) {
        physical["region"] = json!({"startLine": line});
    }
    let mut loc = json!({"physicalLocation": physical});
    if let Some(text) = text {
        loc["message"] = json!({"text": text});
    }
    loc
}

fn evidence_location(report: &Report, e: &Evidence) -> Value {
    location(
        report,
        &e.file,
        e.line,
        Some(format!("{}: {}", e.key, e.excerpt)),
    )
}

/// Where a finding without evidence points: the orders file, else the
/// first export read.
fn fallback_location(report: &Report) -> Option<Value> {
    report
        .inputs
        .iter()
        .find(|i| i.kind == "orders")
        .or(report.inputs.first())
        .map(|i| location(report, &i.file, None, None))
}

fn rule_descriptor(
    id: &str,
    title: &str,
    category: &str,
    severity: Severity,
    remediation: &str,
    references: &[String],
) -> Value {
    let mut rule = json!({
        "id": id,
        "name": id.replace('-', ""),
        "shortDescription": {"text": title},
        "fullDescription": {"text": title},
        "defaultConfiguration": {"level": default_level(severity)},
        "properties": {
            "tags": [category, "account-health"],
            "severity": severity.as_str(),
        }
    });
    if !remediation.trim().is_empty() {
        let mut help = remediation.trim().to_string();
        for r in references {
            help.push_str(&format!("\n{r}"));
        }
        rule["help"] = json!({"text": help});
    }
    if let Some(uri) = references
        .iter()
        .find(|r| r.starts_with("https://") || r.starts_with("http://"))
    {
        rule["helpUri"] = json!(uri);
    }
    rule
}

/// `text` ending as a sentence does, so the parts of a message joined
/// after it do not run on ("… over the limit First evidence") or stutter
/// ("thank-you..").
fn sentence(text: &str) -> String {
    let text = text.trim_end();
    let ends = ['.', '!', '?', '…', '。', '！', '？'];
    if text.ends_with(ends) {
        text.to_string()
    } else {
        format!("{text}.")
    }
}

pub fn render(report: &Report) -> String {
    let mut rules: Vec<Value> = Vec::new();
    let mut ids: Vec<String> = Vec::new();
    for r in &report.rules {
        ids.push(r.id.clone());
        rules.push(rule_descriptor(
            &r.id,
            &r.title,
            &r.category,
            r.severity,
            &r.remediation,
            &r.references,
        ));
    }
    let all_findings = report
        .findings
        .iter()
        .map(|f| (f, None))
        .chain(report.waived.iter().map(|w| (&w.finding, Some(&w.waiver))));
    let mut results = Vec::new();
    for (f, waiver) in all_findings {
        let index = match ids.iter().position(|id| *id == f.rule) {
            Some(i) => i,
            None => {
                ids.push(f.rule.clone());
                rules.push(rule_descriptor(
                    &f.rule,
                    &f.title,
                    &f.category,
                    f.severity,
                    &f.remediation,
                    &f.references,
                ));
                ids.len() - 1
            }
        };
        let mut text = sentence(&f.message);
        if let Some(first) = f.evidence.first() {
            let evidence = format!("First evidence: {}: {}", first.key, first.excerpt);
            text.push(' ');
            text.push_str(&sentence(&evidence));
        }
        if f.evidence_total > 1 {
            text.push_str(&format!(" {} pieces of evidence in all.", f.evidence_total));
        }
        text.push_str(&format!(" Fix: {}", f.remediation.trim()));
        let mut result = json!({
            "ruleId": f.rule,
            "ruleIndex": index,
            "level": level(f),
            "message": {"text": text},
            "partialFingerprints": {
                "ahrFinding/v1": fingerprint(&[
                    &report.account.id,
                    &f.rule,
                    f.evidence.first().map_or("", |e| e.key.as_str()),
                ]),
            },
            "properties": {
                "severity": f.severity.as_str(),
                "status": f.status.as_str(),
                "occurrences": f.occurrences,
                "points": f.points,
                "appeal": f.appeal.as_str(),
                "evidence_total": f.evidence_total,
            }
        });
        let primary = match f.evidence.first() {
            Some(e) => Some(evidence_location(report, e)),
            None => fallback_location(report),
        };
        if let Some(primary) = primary {
            result["locations"] = json!([primary]);
        }
        let related: Vec<Value> = f
            .evidence
            .iter()
            .skip(1)
            .take(RELATED_MAX)
            .enumerate()
            .map(|(i, e)| {
                let mut loc = evidence_location(report, e);
                loc["id"] = json!(i + 1);
                loc
            })
            .collect();
        if !related.is_empty() {
            result["relatedLocations"] = json!(related);
        }
        if let Some(w) = waiver {
            result["suppressions"] = json!([{
                "kind": "external",
                "status": "accepted",
                "justification": format!(
                    "{} (owner {}, until {}, {})",
                    w.reason, w.owner, w.expires, w.defined_at
                ),
            }]);
        }
        results.push(result);
    }
    let notifications: Vec<Value> = report
        .inputs
        .iter()
        .flat_map(|i| {
            i.problems.iter().map(move |p| {
                json!({
                    "level": "warning",
                    "message": {"text": p.message},
                    "locations": [location(report, &i.file, p.line, None)],
                })
            })
        })
        .collect();
    let mut invocation = json!({"executionSuccessful": true});
    if !notifications.is_empty() {
        invocation["toolExecutionNotifications"] = json!(notifications);
    }
    if let Some(gate) = &report.gate {
        // SARIF has no gate; the exit code it led to, and why, go where
        // an invocation's own properties go.
        invocation["exitCode"] = json!(i32::from(!gate.passed));
        invocation["properties"] = json!({"gate": gate});
    }
    let sarif = json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": report.tool.name,
                "version": report.tool.version,
                "semanticVersion": report.tool.version,
                "rules": rules,
            }},
            "automationDetails": {"id": format!("ahr/{}/", report.account.id)},
            "invocations": [invocation],
            "results": results,
            "properties": {
                "account": report.account.id,
                "as_of": report.as_of.to_string(),
                "score": report.score.value,
                "band": report.score.band,
            },
        }],
    });
    let mut text = serde_json::to_string_pretty(&sarif).expect("SARIF always serialises");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_parts_end_as_sentences_once() {
        assert_eq!(
            sentence("2 orders over the limit"),
            "2 orders over the limit."
        );
        assert_eq!(sentence("Send a thank-you."), "Send a thank-you.");
        assert_eq!(sentence("Leave us a review! "), "Leave us a review!");
        assert_eq!(sentence("请给五星好评。"), "请给五星好评。");
        assert_eq!(sentence("and so on…"), "and so on…");
    }

    #[test]
    fn absolute_paths_become_file_uris() {
        assert_eq!(artifact_uri("exports/a b.csv"), "exports/a%20b.csv");
        assert_eq!(
            artifact_uri("/srv/x/orders.csv"),
            "file:///srv/x/orders.csv"
        );
        assert_eq!(
            artifact_uri("C:\\data\\orders.csv"),
            "file:///C:/data/orders.csv"
        );
    }

    #[test]
    fn fingerprints_are_stable_and_separate_their_parts() {
        assert_eq!(fingerprint(&["a", "b"]), fingerprint(&["a", "b"]));
        assert_ne!(fingerprint(&["ab", ""]), fingerprint(&["a", "b"]));
        assert_eq!(fingerprint(&[]), "cbf29ce484222325");
    }
}
