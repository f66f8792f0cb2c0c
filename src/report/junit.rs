//! `--format junit`: one test case per enabled rule, as CI test tabs show
//! them (the shape checkov and conftest write). A breach is a failure with
//! the finding's message and evidence; a warning passes and says so in
//! `system-out`; a waived or baselined finding is skipped with the reason.

use super::{Report, RuleStatus, escape::xml};
use crate::findings::{Finding, FindingStatus};
use std::fmt::Write as _;

struct Case<'a> {
    id: &'a str,
    title: &'a str,
    category: &'a str,
    status: RuleStatus,
    /// Why a rule was not judged.
    no_data: Option<&'a str>,
}

pub fn render(report: &Report) -> String {
    let cases: Vec<Case> = if report.rules.is_empty() {
        // A report written before the rules section: its findings are all
        // it can say.
        report
            .findings
            .iter()
            .map(|f| Case {
                id: &f.rule,
                title: &f.title,
                category: &f.category,
                status: match f.status {
                    FindingStatus::Breach => RuleStatus::Breach,
                    FindingStatus::Warning => RuleStatus::Warning,
                },
                no_data: None,
            })
            .collect()
    } else {
        report
            .rules
            .iter()
            .map(|r| Case {
                id: &r.id,
                title: &r.title,
                category: &r.category,
                status: r.status,
                no_data: r.no_data.as_deref(),
            })
            .collect()
    };
    // The gate is a test case of its own, so a CI tab that reads this file
    // fails when the exit code does.
    let gate_failed = report.gate.as_ref().is_some_and(|g| !g.passed);
    let failures = cases
        .iter()
        .filter(|c| c.status == RuleStatus::Breach)
        .count()
        + usize::from(gate_failed);
    let tests = cases.len() + usize::from(report.gate.is_some());
    let skipped = cases
        .iter()
        .filter(|c| {
            matches!(
                c.status,
                RuleStatus::Waived | RuleStatus::Baseline | RuleStatus::NoData
            )
        })
        .count();
    let suite = format!("ahr: {}", report.account.id);
    let mut out = String::new();
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"ahr\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped}\">",
    );
    let _ = writeln!(
        out,
        "  <testsuite name=\"{}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped}\">",
        xml(&suite),
    );
    out.push_str("    <properties>\n");
    let mut property = |name: &str, value: &str| {
        let _ = writeln!(
            out,
            "      <property name=\"{}\" value=\"{}\"/>",
            xml(name),
            xml(value)
        );
    };
    property("account", &report.account.id);
    property("as_of", &report.as_of.to_string());
    property("score", &report.score.value.to_string());
    property("band", &report.score.band);
    property("tool_version", &report.tool.version);
    out.push_str("    </properties>\n");
    for case in &cases {
        let _ = write!(
            out,
            "    <testcase classname=\"ahr.{}\" name=\"{}: {}\"",
            xml(case.category),
            xml(case.id),
            xml(case.title)
        );
        let finding = report.findings.iter().find(|f| f.rule == case.id);
        match case.status {
            RuleStatus::Passed => out.push_str("/>\n"),
            RuleStatus::Breach => {
                out.push_str(">\n");
                if let Some(f) = finding {
                    let _ = writeln!(
                        out,
                        "      <failure type=\"{}\" message=\"{}\">{}</failure>",
                        f.severity,
                        xml(&f.message),
                        xml(&details(report, f))
                    );
                } else {
                    out.push_str("      <failure type=\"breach\" message=\"breach\"/>\n");
                }
                out.push_str("    </testcase>\n");
            }
            RuleStatus::Warning => {
                out.push_str(">\n");
                if let Some(f) = finding {
                    let _ = writeln!(
                        out,
                        "      <system-out>{}</system-out>",
                        xml(&format!("warning: {}", details(report, f)))
                    );
                }
                out.push_str("    </testcase>\n");
            }
            RuleStatus::Waived => {
                let why = report
                    .waived
                    .iter()
                    .find(|w| w.finding.rule == case.id)
                    .map_or("waived".to_string(), |w| {
                        format!(
                            "waived until {} by {}: {} ({})",
                            w.waiver.expires, w.waiver.owner, w.waiver.reason, w.waiver.defined_at
                        )
                    });
                let _ = writeln!(
                    out,
                    ">\n      <skipped message=\"{}\"/>\n    </testcase>",
                    xml(&why)
                );
            }
            RuleStatus::NoData => {
                let why = format!("no data: {}", case.no_data.unwrap_or("its metric has none"));
                let _ = writeln!(
                    out,
                    ">\n      <skipped message=\"{}\"/>\n    </testcase>",
                    xml(&why)
                );
            }
            RuleStatus::Baseline => {
                let file = report.baseline.as_ref().map_or("", |b| b.file.as_str());
                let _ = writeln!(
                    out,
                    ">\n      <skipped message=\"{}\"/>\n    </testcase>",
                    xml(&format!("already in the baseline {file}"))
                );
            }
        }
    }
    if let Some(gate) = &report.gate {
        let _ = write!(
            out,
            "    <testcase classname=\"ahr.gate\" name=\"gate: {}\"",
            xml(&gate.options())
        );
        if gate.passed {
            out.push_str("/>\n");
        } else {
            let reasons = gate.reasons.join("; ");
            let _ = writeln!(
                out,
                ">\n      <failure type=\"gate\" message=\"{}\">{}</failure>\n    </testcase>",
                xml(&reasons),
                xml(&format!("gate failed: {reasons}"))
            );
        }
    }
    let problems: Vec<String> = report
        .inputs
        .iter()
        .flat_map(|i| {
            i.problems.iter().map(move |p| match p.line {
                Some(line) => format!("{}:{line}: {}", report.path_of(&i.file), p.message),
                None => format!("{}: {}", report.path_of(&i.file), p.message),
            })
        })
        .chain(report.notes.iter().map(|n| format!("note: {n}")))
        .collect();
    if !problems.is_empty() {
        let _ = writeln!(
            out,
            "    <system-err>{}</system-err>",
            xml(&problems.join("\n"))
        );
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

/// The failure body: message, every piece of evidence, the fix.
fn details(report: &Report, f: &Finding) -> String {
    let mut text = format!(
        "{} [{} {}, {} occurrence(s), {:+} points]\n",
        f.message,
        f.severity,
        f.status.as_str(),
        f.occurrences,
        f.points
    );
    for e in &f.evidence {
        let place = match e.line {
            Some(line) => format!("{}:{line}", report.path_of(&e.file)),
            None => report.path_of(&e.file),
        };
        let _ = writeln!(text, "{place} {}: {}", e.key, e.excerpt);
    }
    let _ = write!(
        text,
        "fix: {}\nappeal: {}",
        f.remediation.trim(),
        f.appeal.as_str()
    );
    text
}
