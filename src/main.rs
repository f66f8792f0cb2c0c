//! The `ahr` binary: parse the command line, run one command, turn the
//! outcome into an exit code (0 ran and passed, 1 a gate failed, 2 could
//! not run). The gate is decided here, once, whatever the output format.

use ahr::audit::{self, AuditOptions, Review};
use ahr::batch::merge::Merged;
use ahr::batch::render::{self, BatchEnd, BatchFormat, Sink};
use ahr::batch::{self, SummaryRow};
use ahr::cli::{
    AppealArgs, AuditArgs, Cli, ColorChoice, Command, CompletionsArgs, DiffArgs, DiffFormat,
    ExplainArgs, Format, InitArgs, ManArgs, PolicyArgs, PolicyCheckArgs, PolicyCommand, RenderArgs,
    RulesArgs,
};
use ahr::cli::{BatchArgs, BatchFormatArg, BatchMergeArgs};
use ahr::findings::Severity;
use ahr::i18n::{Lang, plural};
use ahr::policy::diagnostics::did_you_mean;
use ahr::policy::{self, PolicySet, PolicySources};
use ahr::report::table::Style;
use ahr::report::{self, Report};
use anyhow::Context as _;
use anyhow::{Result, bail};
use clap::{ArgMatches, CommandFactory, FromArgMatches};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// The outcomes the exit code distinguishes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
    Passed,
    GateFailed,
    /// Some of the work could not be done (a batch account that could not
    /// be audited); what could be done was written.
    Incomplete,
}

/// Big buffers (a megabyte or more: blocks of orders, an order index as it
/// grows) are given their own mapping, which freeing them gives back.
/// glibc's default raises that threshold to the size of each such buffer
/// freed, and serves later ones from its heap, where freed room stays with
/// the process: an audit frees each chunk's order index while it still
/// reads the other chunks, so its peak held tens of megabytes it no longer
/// used, and a batch carried one account's leftovers into the next.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn map_big_buffers_apart() {
    const BIG: libc::c_int = 1 << 20;
    // SAFETY: `mallopt` only sets a parameter of glibc's allocator, and is
    // called first thing in `main`, before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, BIG);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn map_big_buffers_apart() {}

fn main() -> ExitCode {
    map_big_buffers_apart();
    // The matches are kept beside the parsed struct: they know in which
    // order `--format` and `-o` were written, which pairs them up.
    let matches = Cli::command().get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|err| err.exit());
    let sub = matches.subcommand().map(|(_, m)| m);
    let result = match cli.command {
        Command::Audit(args) => run_audit(args, sub),
        Command::Rules(args) => run_rules(args),
        Command::Explain(args) => run_explain(args),
        Command::Appeal(args) => run_appeal(args),
        Command::Policy(PolicyCommand::Check(args)) => run_policy_check(args),
        Command::Render(args) => run_render(args, sub),
        Command::Diff(args) => run_diff(args),
        Command::Init(args) => run_init(args),
        Command::Completions(args) => run_completions(args),
        Command::Man(args) => run_man(args),
        Command::Batch(args) => run_batch(args),
        Command::BatchMerge(args) => run_batch_merge(args),
    };
    match result {
        Ok(Outcome::Passed) => ExitCode::SUCCESS,
        Ok(Outcome::GateFailed) => ExitCode::from(1),
        Ok(Outcome::Incomplete) => ExitCode::from(2),
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            match err.downcast_ref::<policy::LocatedErrors>() {
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

/// The (format, file) pairs of a command that takes repeated `--format`
/// and `-o`, in the order the user wrote them.
fn outputs_of(
    matches: Option<&ArgMatches>,
    formats: &[Format],
    files: &[PathBuf],
) -> Result<Vec<(Format, Option<PathBuf>)>> {
    let indices = |id: &str| -> Vec<usize> {
        matches
            .and_then(|m| m.indices_of(id))
            .map(|i| i.collect())
            .unwrap_or_default()
    };
    let with_index = |id: &str, n: usize| -> Vec<usize> {
        let mut found = indices(id);
        // Without positions (not expected), keep the written order.
        if found.len() != n {
            found = (0..n).map(|i| i * 2 + 1).collect();
        }
        found
    };
    let formats: Vec<(usize, Format)> = with_index("format", formats.len())
        .into_iter()
        .zip(formats.iter().copied())
        .collect();
    let files: Vec<(usize, PathBuf)> = with_index("output", files.len())
        .into_iter()
        .zip(files.iter().cloned())
        .collect();
    ahr::cli::pair_outputs(&formats, &files).map_err(|message| anyhow::anyhow!(message))
}

/// Renders one report in every requested format; the gate does not care
/// which.
fn emit(
    report: &Report,
    outputs: &[(Format, Option<PathBuf>)],
    color: ColorChoice,
    lang: Lang,
) -> Result<()> {
    for (format, file) in outputs {
        let rendered = match format {
            Format::Json => report::json::render(report),
            Format::Junit => report::junit::render(report),
            Format::Sarif => report::sarif::render(report),
            Format::Github => report::github::render(report),
            Format::Markdown => report::markdown::render_in(report, lang),
            Format::Html => report::html::render_in(report, lang),
            Format::Table => {
                let color = match color {
                    ColorChoice::Always => true,
                    ColorChoice::Never => false,
                    ColorChoice::Auto => {
                        file.is_none()
                            && std::io::stdout().is_terminal()
                            && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    }
                };
                report::table::render_in(report, Style { color }, lang)
            }
        };
        match file {
            Some(path) => {
                ahr::output::write_atomically(path, rendered.as_bytes())?;
                eprintln!(
                    "ahr: {}: score {} ({}), {}; {} report written to {}",
                    report.account.id,
                    report.score.value,
                    report.score.band,
                    plural(report.findings.len() as u64, "finding", "findings"),
                    format.as_str(),
                    path.display()
                );
            }
            None => print_stdout(&rendered)?,
        }
    }
    Ok(())
}

fn run_audit(args: AuditArgs, matches: Option<&ArgMatches>) -> Result<Outcome> {
    let outputs = outputs_of(matches, &args.format, &args.output)?;
    // The exports besides orders need no policies: they are read while the
    // policies load. Reading writes nothing, so if a step below fails
    // first, its error is the one reported, as before, and the reading
    // is dropped.
    let dir = args.dir.clone();
    let begun = std::thread::spawn(move || ahr::input::begin_account(&dir));
    let policies = load_policies(&args.policy)?;
    let options = AuditOptions {
        as_of: args.as_of,
        mask: !args.no_mask,
        today: chrono::Utc::now().date_naive(),
        peak: args.peak.assumptions(),
    };
    for path in outputs.iter().filter_map(|(_, path)| path.as_ref()) {
        refuse_to_overwrite_an_input(path, &args.dir)?;
    }
    let waivers = if args.no_waivers {
        None
    } else {
        ahr::waivers::find(&args.dir, args.waivers.as_deref())
            .map(|path| ahr::waivers::load(&path, &policies))
            .transpose()?
    };
    let mut peers = ahr::linkage::LinkIndex::default();
    if let Some(path) = &args.watchlist {
        peers.add_watchlist(&ahr::linkage::watchlist::read(path)?);
    }
    let review = Review {
        waivers,
        source: Some(args.dir.display().to_string()),
    };
    // Read before the audit, so a bad baseline path fails fast.
    let baseline = args
        .baseline
        .as_ref()
        .map(|path| report::load(path).map(|old| (path, old)))
        .transpose()?;
    let begun = begun
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
    let mut report = audit::audit_begun_with(begun, &policies, &options, &review, &peers)?;
    if let Some((path, old)) = baseline {
        report::diff::apply_baseline(&mut report, &old, &path.display().to_string());
    }
    report.gate = ahr::gate::judge(&report, args.fail_under, args.fail_on.map(Severity::from));
    emit(&report, &outputs, args.color, args.lang)?;
    Ok(gate(&report))
}

fn run_render(args: RenderArgs, matches: Option<&ArgMatches>) -> Result<Outcome> {
    let outputs = outputs_of(matches, &args.format, &args.output)?;
    let mut report = report::load(&args.report)?;
    // The gate of this run, if one is asked for; otherwise the saved
    // report's own is shown as it was, and the run passes.
    let asked = ahr::gate::judge(&report, args.fail_under, args.fail_on.map(Severity::from));
    let gated = asked.is_some();
    if gated {
        report.gate = asked;
    }
    emit(&report, &outputs, args.color, args.lang)?;
    Ok(if gated {
        gate(&report)
    } else {
        Outcome::Passed
    })
}

fn run_diff(args: DiffArgs) -> Result<Outcome> {
    let old = report::load(&args.old)?;
    let new = report::load(&args.new)?;
    let diff = report::diff::diff(&old, &new);
    let text = match args.format {
        DiffFormat::Table => report::diff::render_text(&diff),
        DiffFormat::Json => report::diff::render_json(&diff),
        DiffFormat::Markdown => report::diff::render_markdown(&diff),
    };
    match &args.output {
        Some(path) => ahr::output::write_atomically(path, text.as_bytes())?,
        None => print_stdout(&text)?,
    }
    Ok(Outcome::Passed)
}

fn run_init(args: InitArgs) -> Result<Outcome> {
    let written = ahr::init::init(&args.dir)?;
    let mut out = String::new();
    for path in &written.files {
        out.push_str(&format!("wrote {}\n", path.display()));
    }
    for path in &written.skipped {
        out.push_str(&format!("kept {} (it exists)\n", path.display()));
    }
    let dir = args.dir.display();
    out.push_str(&format!(
        "\nnext: fill in the exports in {dir} (delete those you do not have), edit \
         {dir}/account.toml, then run `ahr audit {dir}`\n"
    ));
    print_stdout(&out)?;
    Ok(Outcome::Passed)
}

fn run_completions(args: CompletionsArgs) -> Result<Outcome> {
    let mut buffer = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "ahr", &mut buffer);
    print_stdout(&String::from_utf8_lossy(&buffer))?;
    Ok(Outcome::Passed)
}

fn run_man(args: ManArgs) -> Result<Outcome> {
    if let Some(dir) = &args.dir {
        std::fs::create_dir_all(dir)
            .and_then(|()| clap_mangen::generate_to(Cli::command(), dir))
            .map_err(|err| anyhow::anyhow!("cannot write man pages to {}: {err}", dir.display()))?;
        return Ok(Outcome::Passed);
    }
    let mut buffer = Vec::new();
    clap_mangen::Man::new(Cli::command()).render(&mut buffer)?;
    print_stdout(&String::from_utf8_lossy(&buffer))?;
    Ok(Outcome::Passed)
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

/// Turns the gate's verdict, judged into the report before it was
/// rendered, into an outcome, saying why it failed.
fn gate(report: &Report) -> Outcome {
    match &report.gate {
        Some(gate) if !gate.passed => {
            eprintln!("ahr: gate failed: {}", gate.reasons.join("; "));
            Outcome::GateFailed
        }
        _ => Outcome::Passed,
    }
}

fn run_appeal(args: AppealArgs) -> Result<Outcome> {
    let policies = load_policies(&args.policy)?;
    let options = AuditOptions {
        as_of: args.as_of,
        mask: !args.no_mask,
        today: chrono::Utc::now().date_naive(),
        peak: None,
    };
    let report = audit::audit_dir(&args.dir, &policies, &options)?;
    let text = ahr::appeal::draft_in(&report, &policies, &args.rule, args.lang)?;
    match &args.output {
        Some(path) => {
            ahr::output::write_atomically(path, text.as_bytes())?;
            eprintln!("ahr: Plan-of-Action draft written to {}", path.display());
        }
        None => print_stdout(&text)?,
    }
    Ok(Outcome::Passed)
}

fn run_rules(args: RulesArgs) -> Result<Outcome> {
    let policies = load_policies(&args.policy)?;
    let rules: Vec<&policy::Rule> = policies
        .rules
        .iter()
        .filter(|r| args.all || r.enabled)
        .collect();
    let text = match args.format {
        Format::Junit | Format::Sarif | Format::Github | Format::Markdown | Format::Html => {
            bail!(
                "`ahr rules` prints --format table or json; {} is for audit reports",
                args.format.as_str()
            )
        }
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
            let mut table = report::table::new_table();
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
            format!("{}\n{} rules\n", table.trim_fmt(), rules.len())
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

fn batch_format(format: BatchFormatArg) -> BatchFormat {
    match format {
        BatchFormatArg::Table => BatchFormat::Table,
        BatchFormatArg::Json => BatchFormat::Json,
        BatchFormatArg::Jsonl => BatchFormat::Jsonl,
    }
}

/// What a batch worker hands the writing thread for one account.
struct Audited {
    row: SummaryRow,
    gate: Vec<String>,
    /// The account's entry in the batch output.
    text: Option<String>,
}

fn run_batch(args: BatchArgs) -> Result<Outcome> {
    let policies = load_policies(&args.policy)?;
    let watchlist = args
        .watchlist
        .as_deref()
        .map(ahr::linkage::watchlist::read)
        .transpose()?;
    let jobs = args.jobs.map_or_else(batch::default_jobs, usize::from);
    let options = AuditOptions {
        as_of: args.as_of,
        mask: !args.no_mask,
        today: chrono::Utc::now().date_naive(),
        peak: None,
    };
    let plan = batch::plan(&args.root, watchlist.as_ref(), args.shard, jobs)?;
    if plan.total_accounts == 0 {
        let root = args.root.display();
        let itself = ahr::input::discover(&args.root)
            .is_ok_and(|found| found.holds_account_files(&args.root));
        if itself {
            bail!(
                "{root} is an account folder itself, not a folder of accounts: audit it with `ahr audit {root}`"
            );
        }
        bail!(
            "{root} holds no account folders: put each account's exports in a folder of its own under it (ROOT/acme-us/orders.csv, ROOT/eu/de-shop/orders.csv, ...); to audit one folder use `ahr audit`"
        );
    }
    let (links, linked) = batch::links(&plan.index, options.mask);
    let format = batch_format(args.format);
    if let Some(dir) = &args.out_dir {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create --out-dir {}", dir.display()))?;
    }
    let progress = if std::io::stderr().is_terminal() {
        let bar = ProgressBar::new(plan.members.len() as u64);
        if let Ok(style) =
            ProgressStyle::with_template("{bar:40} {pos}/{len} accounts  {elapsed} (eta {eta})")
        {
            bar.set_style(style);
        }
        bar
    } else {
        ProgressBar::hidden()
    };
    let mut sink = Sink::open(format, args.output.as_deref())?;
    let mut rows = Vec::with_capacity(plan.members.len());
    let mut errors = plan.errors.clone();
    for error in &plan.errors {
        sink.error(error)?;
    }
    let fail_on = args.fail_on.map(Severity::from);
    // (score, account, reasons) of each account that fails the gate.
    let mut gate_failures: Vec<(i64, String, String)> = Vec::new();
    // Workers audit and render; the writing thread only writes, so it does
    // not become the bottleneck on many cores.
    let audit_and_render = |member: &batch::Member| {
        batch::isolated(member, || {
            let mut report = batch::audit_report(member, &policies, &options, &plan.index)?;
            report.gate = ahr::gate::judge(&report, args.fail_under, fail_on);
            if let Some(dir) = &args.out_dir {
                let (path, text) = match format {
                    BatchFormat::Table => (
                        dir.join(format!("{}.txt", member.folder)),
                        report::table::render(&report, Style { color: false }),
                    ),
                    _ => (
                        dir.join(format!("{}.json", member.folder)),
                        report::json::render(&report),
                    ),
                };
                // An account under a grouping folder (`eu/de-shop`) gets its
                // report in the same grouping under --out-dir.
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent)
                        .with_context(|| format!("cannot create {}", parent.display()))?;
                }
                ahr::output::write_atomically(&path, text.as_bytes())?;
            }
            Ok(Audited {
                row: SummaryRow::new(&report, &linked),
                gate: report
                    .gate
                    .as_ref()
                    .map(|gate| gate.reasons.clone())
                    .unwrap_or_default(),
                text: render::account_text(format, &report)?,
            })
        })
    };
    batch::parallel(&plan.members, jobs, audit_and_render, |position, result| {
        progress.inc(1);
        match result {
            Ok(done) => {
                if !done.gate.is_empty() {
                    gate_failures.push((
                        done.row.score,
                        done.row.account.clone(),
                        done.gate.join("; "),
                    ));
                }
                rows.push(done.row);
                sink.account(position, done.text)
            }
            Err(error) => {
                sink.error(&error)?;
                errors.push(error);
                sink.account(position, None)
            }
        }
    })?;
    progress.finish_and_clear();
    batch::sort_by_risk(&mut rows);
    errors.sort();
    let scope = args.shard.map(|s| {
        format!(
            "shard {}/{}: {} of the {} accounts under the folder",
            s.index,
            s.count,
            plan.members.len() + plan.errors.len(),
            plan.total_accounts
        )
    });
    let root = args.root.display().to_string();
    sink.finish(&BatchEnd {
        root: &root,
        rows: &rows,
        links: &links,
        errors: &errors,
        ignored: &plan.ignored,
        scope,
    })?;
    if let Some(path) = &args.output {
        eprintln!(
            "ahr: {} audited, {} could not be audited, {} of linked accounts; written to {}",
            plural(rows.len() as u64, "account", "accounts"),
            errors.len(),
            plural(links.len() as u64, "group", "groups"),
            path.display()
        );
    }
    for error in &errors {
        let first = error.error.lines().next().unwrap_or_default();
        eprintln!("ahr: {}: could not audit: {first}", error.folder);
    }
    // The riskiest first, as in the summary, so the accounts named before
    // the list is cut short are the ones to look at, in every run.
    gate_failures.sort();
    const SHOWN: usize = 20;
    for (_, account, reasons) in gate_failures.iter().take(SHOWN) {
        eprintln!("ahr: gate failed: {account}: {reasons}");
    }
    if gate_failures.len() > SHOWN {
        eprintln!(
            "ahr: gate failed for {} more accounts",
            gate_failures.len() - SHOWN
        );
    }
    Ok(if !errors.is_empty() {
        Outcome::Incomplete
    } else if !gate_failures.is_empty() {
        Outcome::GateFailed
    } else {
        Outcome::Passed
    })
}

fn run_batch_merge(args: BatchMergeArgs) -> Result<Outcome> {
    let mut merged = Merged::default();
    for file in &args.files {
        merged.add_file(file)?;
    }
    let format = batch_format(args.format);
    if format == BatchFormat::Jsonl {
        bail!("batch-merge writes --format table or json");
    }
    let rows = merged.rows();
    let links: Vec<_> = merged.links.iter().cloned().collect();
    let errors: Vec<_> = merged.errors.iter().cloned().collect();
    let ignored: Vec<_> = merged.ignored.iter().cloned().collect();
    let mut sink = Sink::open(format, args.output.as_deref())?;
    for (position, report) in merged.accounts.values().enumerate() {
        sink.account(position, render::account_text(format, report)?)?;
    }
    let root = format!("merged from {} outputs", args.files.len());
    sink.finish(&BatchEnd {
        root: &root,
        rows: &rows,
        links: &links,
        errors: &errors,
        ignored: &ignored,
        scope: None,
    })?;
    Ok(if errors.is_empty() {
        Outcome::Passed
    } else {
        Outcome::Incomplete
    })
}
