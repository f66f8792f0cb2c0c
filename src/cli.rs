//! The command line as clap sees it. Parsing only: the commands themselves
//! live in `main.rs`, so the argument structs stay a plain description.

use crate::findings::Severity;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "ahr",
    version,
    about = "Account-health auditor for Amazon sellers",
    long_about = "Reads the files a seller can export, runs them through policy rules written in TOML, \
                  and prints a risk report with an AHR-style 0-1000 score, the evidence behind every \
                  finding, and what to do about it.",
    after_help = "Exit codes: 0 audit ran and no gate failed; 1 a gate (--fail-under, --fail-on) failed; \
                  2 ahr could not do what was asked."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Audit one account folder of exports.
    Audit(AuditArgs),
    /// List the rules the loaded policies define.
    Rules(RulesArgs),
    /// Explain what a rule checks, why it matters and how to fix it.
    Explain(ExplainArgs),
    /// Draft a Plan of Action (Markdown) for one finding of an account.
    Appeal(AppealArgs),
    /// Work with policy files.
    #[command(subcommand)]
    Policy(PolicyCommand),
}

#[derive(Debug, Args, Clone, Default)]
pub struct PolicyArgs {
    /// A folder (or file) of policy TOML read after the built-in packs;
    /// rules with the same id override them. Repeatable.
    #[arg(long = "policies", value_name = "DIR")]
    pub policies: Vec<PathBuf>,
    /// Do not load the built-in policy packs.
    #[arg(long)]
    pub no_default_policies: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SeverityArg {
    Low,
    Medium,
    High,
    Critical,
}

impl From<SeverityArg> for Severity {
    fn from(value: SeverityArg) -> Severity {
        match value {
            SeverityArg::Low => Severity::Low,
            SeverityArg::Medium => Severity::Medium,
            SeverityArg::High => Severity::High,
            SeverityArg::Critical => Severity::Critical,
        }
    }
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// The account folder: orders.csv, feedback.csv, ... (see the README).
    pub dir: PathBuf,
    #[command(flatten)]
    pub policy: PolicyArgs,
    /// The last day of every window (YYYY-MM-DD). Default: the latest
    /// purchase date in the orders file.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub as_of: Option<chrono::NaiveDate>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Write the report to FILE (whole or not at all) instead of stdout.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Exit 1 when the score is below N (250 is Amazon's Account Health
    /// Assurance line).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(i64).range(0..=1000))]
    pub fail_under: Option<i64>,
    /// Exit 1 when a breached finding is at or above this severity.
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<SeverityArg>,
    /// Show personal data (e-mail addresses, phone numbers) in evidence.
    #[arg(long)]
    pub no_mask: bool,
    /// When to colour the table.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    #[command(flatten)]
    pub peak: PeakArgs,
}

/// What-if for the coming peak season.
#[derive(Debug, Args, Clone, Default)]
pub struct PeakArgs {
    /// Project every rate over a peak of X times the current daily order
    /// volume (e.g. 3), and say which breaks first and when.
    #[arg(long, value_name = "X", value_parser = parse_multiplier)]
    pub peak_multiplier: Option<f64>,
    /// How many days the peak lasts, from the day after as-of.
    #[arg(long, value_name = "DAYS", default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..=365))]
    pub peak_days: u32,
    /// Share of the peak's new orders assumed to go bad (late, defective,
    /// cancelled), e.g. 0.02. Default: each metric's current share.
    #[arg(long, value_name = "RATE", value_parser = parse_fraction)]
    pub assume_defect_rate: Option<f64>,
}

impl PeakArgs {
    pub fn assumptions(&self) -> Option<crate::forecast::PeakAssumptions> {
        let multiplier = self
            .peak_multiplier
            .or(self.assume_defect_rate.map(|_| 1.0))?;
        Some(crate::forecast::PeakAssumptions {
            multiplier,
            days: self.peak_days,
            bad_rate: self.assume_defect_rate,
        })
    }
}

fn parse_multiplier(text: &str) -> Result<f64, String> {
    match text.trim().trim_end_matches(['x', '×']).parse::<f64>() {
        Ok(x) if x.is_finite() && x > 0.0 && x <= 100.0 => Ok(x),
        _ => Err(format!(
            "`{text}` is not a volume multiplier: write a number above 0 and up to 100, e.g. 3"
        )),
    }
}

fn parse_fraction(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(x) if (0.0..=1.0).contains(&x) => Ok(x),
        _ => Err(format!(
            "`{text}` is not a share: write a fraction from 0 to 1, e.g. 0.02 for 2%"
        )),
    }
}

#[derive(Debug, Args)]
pub struct AppealArgs {
    /// The account folder.
    pub dir: PathBuf,
    /// The rule whose finding to appeal, e.g. REV-INCENTIVE.
    #[arg(long, value_name = "RULE")]
    pub rule: String,
    #[command(flatten)]
    pub policy: PolicyArgs,
    /// The last day of every window (YYYY-MM-DD).
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub as_of: Option<chrono::NaiveDate>,
    /// Write the draft to FILE (whole or not at all) instead of stdout.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Show personal data in the evidence table.
    #[arg(long)]
    pub no_mask: bool,
}

#[derive(Debug, Args)]
pub struct RulesArgs {
    #[command(flatten)]
    pub policy: PolicyArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// List disabled rules too.
    #[arg(long)]
    pub all: bool,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The rule id, e.g. PERF-ODR.
    pub rule: String,
    #[command(flatten)]
    pub policy: PolicyArgs,
}

#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Validate policy files and report every problem with file:line:column.
    Check(PolicyCheckArgs),
}

#[derive(Debug, Args)]
pub struct PolicyCheckArgs {
    /// A folder (or file) of policy TOML, checked on top of the built-in
    /// packs. Without it, the built-in packs are checked.
    pub dir: Option<PathBuf>,
    /// Check DIR alone, without the built-in packs.
    #[arg(long)]
    pub no_default_policies: bool,
}

fn parse_date(text: &str) -> Result<chrono::NaiveDate, String> {
    chrono::NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| format!("`{text}` is not a date: write it as YYYY-MM-DD, e.g. 2026-11-20"))
}
