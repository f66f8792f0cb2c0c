//! The command line as clap sees it. Parsing only: the commands themselves
//! live in `main.rs`, so the argument structs stay a plain description.

use crate::findings::Severity;
use crate::i18n::Lang;
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
    /// Re-render a saved JSON report in any format.
    Render(RenderArgs),
    /// Compare two saved JSON reports: score change, new and resolved
    /// findings, metric changes.
    Diff(DiffArgs),
    /// Write an account folder template: every export with its header, a
    /// commented account.toml, a waiver file and a policy template.
    Init(InitArgs),
    /// Print a shell completion script.
    Completions(CompletionsArgs),
    /// Print the man page (roff), or write one page per command.
    Man(ManArgs),
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
    /// For a person at a terminal.
    Table,
    /// The whole report, one document (the wire format `render` and `diff` read).
    Json,
    /// JUnit XML: one test case per enabled rule.
    Junit,
    /// SARIF 2.1.0 for GitHub code scanning.
    Sarif,
    /// GitHub Actions annotations (workflow commands).
    Github,
    /// A summary for a pull-request comment or $GITHUB_STEP_SUMMARY.
    Markdown,
    /// One self-contained page to send to a client.
    Html,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Json => "json",
            Format::Junit => "junit",
            Format::Sarif => "sarif",
            Format::Github => "github",
            Format::Markdown => "markdown",
            Format::Html => "html",
        }
    }
}

/// Pairs each `-o FILE` with the `--format` written before it (the first
/// one, when `-o` comes first), from the positions clap saw them at. A
/// format without a file goes to stdout; only one may. With no `--format`
/// at all, the report is a table.
pub fn pair_outputs(
    formats: &[(usize, Format)],
    outputs: &[(usize, PathBuf)],
) -> Result<Vec<(Format, Option<PathBuf>)>, String> {
    let mut formats: Vec<(usize, Format)> = formats.to_vec();
    formats.sort_by_key(|(i, _)| *i);
    if formats.is_empty() {
        formats.push((0, Format::Table));
    }
    let mut pairs: Vec<(Format, Option<PathBuf>)> =
        formats.iter().map(|(_, f)| (*f, None)).collect();
    let mut outputs: Vec<(usize, PathBuf)> = outputs.to_vec();
    outputs.sort_by_key(|(i, _)| *i);
    for (at, file) in outputs {
        let slot = formats.iter().rposition(|(i, _)| *i < at).unwrap_or(0);
        match &pairs[slot].1 {
            None => pairs[slot].1 = Some(file),
            Some(first) => {
                return Err(format!(
                    "two files for --format {}: {} and {}; write `--format FORMAT -o FILE` once per format",
                    pairs[slot].0.as_str(),
                    first.display(),
                    file.display()
                ));
            }
        }
    }
    let to_stdout: Vec<&str> = pairs
        .iter()
        .filter(|(_, file)| file.is_none())
        .map(|(f, _)| f.as_str())
        .collect();
    if to_stdout.len() > 1 {
        return Err(format!(
            "--format {} would all go to stdout: give each but one `-o FILE`, e.g. `--format json -o report.json --format junit -o report.xml`",
            to_stdout.join(", ")
        ));
    }
    Ok(pairs)
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
    /// Output format; repeat it with `-o FILE` after each for several
    /// reports in one run: `--format json -o r.json --format junit -o r.xml`.
    #[arg(long, value_enum, action = clap::ArgAction::Append, value_name = "FORMAT")]
    pub format: Vec<Format>,
    /// Write the report of the `--format` before it to FILE (whole or not
    /// at all) instead of stdout.
    #[arg(short = 'o', long = "output", value_name = "FILE", action = clap::ArgAction::Append)]
    pub output: Vec<PathBuf>,
    /// The waiver file. Default: ahr.toml in the account folder.
    #[arg(long, value_name = "FILE")]
    pub waivers: Option<PathBuf>,
    /// Ignore any waiver file.
    #[arg(long, conflicts_with = "waivers")]
    pub no_waivers: bool,
    /// Report only findings that are new since this saved JSON report.
    #[arg(long, value_name = "REPORT.json")]
    pub baseline: Option<PathBuf>,
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
    /// Language of the table, Markdown, HTML and appeal output: `en` or
    /// `zh-CN` (简体中文). JSON, JUnit, SARIF and GitHub output stay English.
    #[arg(long, value_name = "LANG", default_value = "en", value_parser = Lang::parse)]
    pub lang: Lang,
    #[command(flatten)]
    pub peak: PeakArgs,
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
    /// The folder that holds the account folders, one folder of exports per
    /// account, directly or grouped below it (clients/acme/,
    /// clients/eu/de-shop/).
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
    /// Language of the draft: `en` or
    /// `zh-CN` (简体中文). Evidence stays as the exports wrote it.
    #[arg(long, value_name = "LANG", default_value = "en", value_parser = Lang::parse)]
    pub lang: Lang,
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

#[derive(Debug, Args)]
pub struct RenderArgs {
    /// A report written by `ahr audit --format json`.
    pub report: PathBuf,
    /// Output format; repeatable, each followed by its `-o FILE`.
    #[arg(long, value_enum, action = clap::ArgAction::Append, value_name = "FORMAT")]
    pub format: Vec<Format>,
    /// Write the rendering of the `--format` before it to FILE.
    #[arg(short = 'o', long = "output", value_name = "FILE", action = clap::ArgAction::Append)]
    pub output: Vec<PathBuf>,
    /// Exit 1 when the report's score is below N.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(i64).range(0..=1000))]
    pub fail_under: Option<i64>,
    /// Exit 1 when a breached finding is at or above this severity.
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<SeverityArg>,
    /// When to colour the table.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Language of the table, Markdown, HTML and appeal output: `en` or
    /// `zh-CN` (简体中文). JSON, JUnit, SARIF and GitHub output stay English.
    #[arg(long, value_name = "LANG", default_value = "en", value_parser = Lang::parse)]
    pub lang: Lang,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    Table,
    Json,
    Markdown,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The older JSON report.
    pub old: PathBuf,
    /// The newer JSON report.
    pub new: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DiffFormat::Table)]
    pub format: DiffFormat,
    /// Write the comparison to FILE instead of stdout.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The account folder to create (files already there are kept).
    pub dir: PathBuf,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write ahr.1, ahr-audit.1, ... into DIR instead of printing ahr.1.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(
        f: &[(usize, Format)],
        o: &[(usize, &str)],
    ) -> Result<Vec<(Format, Option<String>)>, String> {
        let o: Vec<(usize, PathBuf)> = o.iter().map(|(i, p)| (*i, PathBuf::from(p))).collect();
        pair_outputs(f, &o).map(|v| {
            v.into_iter()
                .map(|(f, p)| (f, p.map(|p| p.display().to_string())))
                .collect()
        })
    }

    #[test]
    fn each_file_goes_with_the_format_before_it() {
        let got = pairs(
            &[(1, Format::Table), (3, Format::Json), (7, Format::Junit)],
            &[(5, "r.json"), (9, "r.xml")],
        )
        .unwrap();
        assert_eq!(
            got,
            vec![
                (Format::Table, None),
                (Format::Json, Some("r.json".into())),
                (Format::Junit, Some("r.xml".into()))
            ]
        );
        assert_eq!(
            pairs(&[], &[(2, "r.txt")]).unwrap(),
            vec![(Format::Table, Some("r.txt".into()))]
        );
        assert_eq!(
            pairs(&[(4, Format::Sarif)], &[(2, "r.sarif")]).unwrap(),
            vec![(Format::Sarif, Some("r.sarif".into()))]
        );
    }

    #[test]
    fn two_stdout_formats_or_two_files_for_one_are_errors() {
        let err = pairs(&[(1, Format::Json), (3, Format::Junit)], &[]).unwrap_err();
        assert!(err.contains("json, junit would all go to stdout"), "{err}");
        let err = pairs(&[(1, Format::Json)], &[(3, "a"), (5, "b")]).unwrap_err();
        assert!(err.contains("two files for --format json"), "{err}");
    }
}
