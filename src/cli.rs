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
    /// Work with policy files.
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Audit every account folder under ROOT in parallel, and find the
    /// accounts that share identifiers.
    Batch(BatchArgs),
    /// Join the outputs of `ahr batch --shard K/N` runs into one.
    BatchMerge(BatchMergeArgs),
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
    /// Identifiers of other accounts (CSV/TSV: kind, value, account,
    /// status); a shared identifier is a LINK-SHARED finding, critical when
    /// the other account is suspended.
    #[arg(long, value_name = "FILE")]
    pub watchlist: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum BatchFormatArg {
    /// A summary sorted by risk, the linked accounts and the errors.
    Table,
    /// One document: {"accounts": [...], "links": [...], "errors": [...]}.
    Json,
    /// One account report per line as each finishes, then errors and links.
    Jsonl,
}

#[derive(Debug, Args)]
pub struct BatchArgs {
    /// The folder that holds one sub-folder of exports per account.
    pub root: PathBuf,
    #[command(flatten)]
    pub policy: PolicyArgs,
    /// The last day of every window (YYYY-MM-DD), for every account.
    /// Default: each account's latest purchase date.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub as_of: Option<chrono::NaiveDate>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = BatchFormatArg::Table)]
    pub format: BatchFormatArg,
    /// Write the output to FILE (whole or not at all) instead of stdout.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Also write one report per account into DIR (FOLDER.json, or
    /// FOLDER.txt with --format table).
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
    /// Accounts audited at once. Default: every core.
    #[arg(long, short = 'j', value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: Option<u16>,
    /// Audit only the K-th of N slices of the accounts (e.g. 2/8), to split
    /// a batch across machines; `ahr batch-merge` joins the outputs.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<crate::batch::Shard>,
    /// Exit 1 when an account's score is below N.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(i64).range(0..=1000))]
    pub fail_under: Option<i64>,
    /// Exit 1 when an account has a breached finding at or above this
    /// severity.
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<SeverityArg>,
    /// Show personal data and identifier values in evidence and links.
    #[arg(long)]
    pub no_mask: bool,
    /// Identifiers of other accounts (CSV/TSV: kind, value, account,
    /// status), compared with every account of the batch.
    #[arg(long, value_name = "FILE")]
    pub watchlist: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct BatchMergeArgs {
    /// Outputs of `ahr batch --format json` or `--format jsonl`.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Output format (table or json).
    #[arg(long, value_enum, default_value_t = BatchFormatArg::Table)]
    pub format: BatchFormatArg,
    /// Write the merged output to FILE (whole or not at all).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
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
