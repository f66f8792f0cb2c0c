//! The `ahr` binary: parse the command line, run one command, turn the
//! outcome into an exit code (0 ran and passed, 1 a gate failed, 2 could
//! not run). The gate is decided here, once, whatever the output format.

use ahr::audit::{self, AuditOptions};
use ahr::cli::{
    AuditArgs, Cli, ColorChoice, Command, ExplainArgs, Format, PolicyArgs, PolicyCheckArgs,
    PolicyCommand, RulesArgs,
};
use ahr::findings::{FindingStatus, Severity};
use ahr::policy::diagnostics::did_you_mean;
use ahr::policy::{self, PolicySet, PolicySources};
use ahr::report::table::Style;
use ahr::report::{self, Report};
use anyhow::{Result, bail};
use clap::Parser;
use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{ContentArrangement, Table};
use std::io::{IsTerminal, Write};
use std::process::ExitCode;

/// The outcomes the exit code distinguishes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
    Passed,
    GateFailed,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Audit(args) => run_audit(args),
        Command::Rules(args) => run_rules(args),
        Command::Explain(args) => run_explain(args),
        Command::Policy(PolicyCommand::Check(args)) => run_policy_check(args),
    };
    match result {
        Ok(Outcome::Passed) => ExitCode::SUCCESS,
        Ok(Outcome::GateFailed) => ExitCode::from(1),
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            match err.downcast_ref::<policy::PolicyErrors>() {
                Some(rendered) => eprintln!("{rendered}"),
                None => eprintln!("error: {err:#}"),
            }
            ExitCode::from(2)
        }
    }
}

/// A closed pipe (`ahr … | head`) is the reader's choice, not a failure.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn load_policies(args: &PolicyArgs) -> Result<PolicySet> {
    policy::load(&PolicySources {
        no_defaults: args.no_default_policies,
        paths: args.policies.clone(),
    })
}

fn print_stdout(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(())
}

fn run_audit(args: AuditArgs) -> Result<Outcome> {
    let policies = load_policies(&args.policy)?;
    let options = AuditOptions {
        as_of: args.as_of,
        mask: !args.no_mask,
        today: chrono::Utc::now().date_naive(),
    };
    if let Some(path) = &args.output {
        refuse_to_overwrite_an_input(path, &args.dir)?;
    }
    let report = audit::audit_dir(&args.dir, &policies, &options)?;
    let rendered = match args.format {
        Format::Json => report::json::render(&report),
        Format::Table => {
            let color = match args.color {
                ColorChoice::Always => true,
                ColorChoice::Never => false,
                ColorChoice::Auto => {
                    args.output.is_none()
                        && std::io::stdout().is_terminal()
                        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                }
            };
            report::table::render(&report, Style { color })
        }
    };
    match &args.output {
        Some(path) => {
            ahr::output::write_atomically(path, rendered.as_bytes())?;
            eprintln!(
                "ahr: {}: score {} ({}), {} findings; report written to {}",
                report.account.id,
                report.score.value,
                report.score.band,
                report.findings.len(),
                path.display()
            );
        }
        None => print_stdout(&rendered)?,
    }
    Ok(gate(
        &report,
        args.fail_under,
        args.fail_on.map(Severity::from),
    ))
}

/// Input files are only read: `-o` naming one of them is refused before
/// anything is written.
fn refuse_to_overwrite_an_input(output: &std::path::Path, dir: &std::path::Path) -> Result<()> {
    let Ok(target) = output.canonicalize() else {
        return Ok(()); // a new file cannot be an input
    };
    let Ok(found) = ahr::input::discover(dir) else {
        return Ok(()); // the audit itself reports an unreadable folder
    };
    let inputs = found
        .tables
        .values()
        .chain(found.profile.iter())
        .chain(found.performance.iter());
    for input in inputs {
        if input.canonicalize().is_ok_and(|p| p == target) {
            bail!(
                "-o {} is one of the account's input files; ahr never changes its inputs: \
                 write the report somewhere else",
                output.display()
            );
        }
    }
    Ok(())
}

/// Decides the exit gate from the report alone, and says why it failed.
fn gate(report: &Report, fail_under: Option<i64>, fail_on: Option<Severity>) -> Outcome {
    let mut reasons = Vec::new();
    if let Some(limit) = fail_under
        && report.score.value < limit
    {
        reasons.push(format!(
            "score {} is below --fail-under {limit}",
            report.score.value
        ));
    }
    if let Some(level) = fail_on {
        let hits: Vec<&str> = report
            .findings
            .iter()
            .filter(|f| f.status == FindingStatus::Breach && f.severity >= level)
            .map(|f| f.rule.as_str())
            .collect();
        if !hits.is_empty() {
            reasons.push(format!(
                "{} at or above --fail-on {level}: {}",
                if hits.len() == 1 {
                    "a breach"
                } else {
                    "breaches"
                },
                hits.join(", ")
            ));
        }
    }
    if reasons.is_empty() {
        Outcome::Passed
    } else {
        eprintln!("ahr: gate failed: {}", reasons.join("; "));
        Outcome::GateFailed
    }
}

fn run_rules(args: RulesArgs) -> Result<Outcome> {
    let policies = load_policies(&args.policy)?;
    let rules: Vec<&policy::Rule> = policies
        .rules
        .iter()
        .filter(|r| args.all || r.enabled)
        .collect();
    let text = match args.format {
        Format::Json => {
            let list: Vec<serde_json::Value> = rules
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "id": r.id, "severity": r.severity, "title": r.title,
                        "category": r.category, "check": r.check_kind,
                        "appeal": r.appeal, "enabled": r.enabled,
                    })
                })
                .collect();
            format!("{}\n", serde_json::to_string_pretty(&list)?)
        }
        Format::Table => {
            let mut table = Table::new();
            table
                .load_style(UTF8_FULL_CONDENSED)
                .set_content_arrangement(ContentArrangement::Dynamic)
                .set_width(78);
            let mut header = vec!["id", "severity", "check", "title"];
            if args.all {
                header.push("enabled");
            }
            table.set_header(header);
            for r in &rules {
                let mut row = vec![
                    r.id.clone(),
                    r.severity.to_string(),
                    r.check_kind.to_string(),
                    r.title.clone(),
                ];
                if args.all {
                    row.push(if r.enabled { "yes" } else { "no" }.into());
                }
                table.add_row(row);
            }
            format!("{table}\n{} rules\n", rules.len())
        }
    };
    print_stdout(&text)?;
    Ok(Outcome::Passed)
}

fn run_explain(args: ExplainArgs) -> Result<Outcome> {
    let policies = load_policies(&args.policy)?;
    let Some(rule) = policies.rule(&args.rule) else {
        let ids = policies.rules.iter().map(|r| r.id.as_str());
        match did_you_mean(&args.rule, ids) {
            Some(near) => bail!(
                "no rule `{}`: did you mean `{near}`? (`ahr rules` lists them all)",
                args.rule
            ),
            None => bail!("no rule `{}`: `ahr rules` lists them all", args.rule),
        }
    };
    let kind = ahr::checks::kind(rule.check_kind);
    let mut out = String::new();
    use std::fmt::Write as _;
    let _ = writeln!(out, "{}: {}", rule.id, rule.title);
    let _ = writeln!(
        out,
        "severity {} · category {} · appeal {}{}",
        rule.severity,
        rule.category,
        rule.appeal.as_str(),
        if rule.enabled { "" } else { " · DISABLED" }
    );
    let _ = writeln!(out, "\nWHAT IT CHECKS AND WHY IT MATTERS");
    let docs = if rule.docs.trim().is_empty() {
        "(this rule has no docs)"
    } else {
        rule.docs.trim()
    };
    let _ = writeln!(out, "{docs}");
    let _ = writeln!(
        out,
        "\nCHECK `{}`: {}",
        rule.check_kind,
        kind.map_or("", |k| k.summary)
    );
    for (name, value) in rule.check.parameters() {
        let _ = writeln!(out, "  {name} = {value}");
    }
    let _ = writeln!(out, "\nHOW TO FIX\n{}", rule.remediation.trim());
    let appeal = match rule.appeal {
        ahr::findings::Appeal::Appealable => {
            "appealable: a Plan of Action with root cause, actions taken and prevention usually works"
        }
        ahr::findings::Appeal::Hard => {
            "hard to appeal: Amazon asks for documents (invoices, authorisations, certificates)"
        }
        ahr::findings::Appeal::NotAppealable => {
            "practically not appealable: prevention is the only remedy"
        }
    };
    let _ = writeln!(out, "\nAPPEAL\n{appeal}");
    if !rule.references.is_empty() {
        let _ = writeln!(out, "\nREFERENCES");
        for r in &rule.references {
            let _ = writeln!(out, "  {r}");
        }
    }
    let _ = writeln!(out, "\ndefined at {}", rule.defined_at);
    print_stdout(&out)?;
    Ok(Outcome::Passed)
}

fn run_policy_check(args: PolicyCheckArgs) -> Result<Outcome> {
    let policies = policy::load(&PolicySources {
        no_defaults: args.no_default_policies,
        paths: args.dir.into_iter().collect(),
    })?;
    let enabled = policies.enabled().count();
    print_stdout(&format!(
        "ok: {} rules ({enabled} enabled) from {} files\n",
        policies.rules.len(),
        policies.files.len()
    ))?;
    Ok(Outcome::Passed)
}
