//! One audit, start to end: read the account folder, compute the metrics
//! the rules need, run every enabled rule, score the findings, and build the
//! report. Data flows one way; renderers and the exit gate come after.

use crate::checks::Context;
use crate::findings::{Finding, FindingStatus, Hit};
use crate::forecast::{self, PeakAssumptions};
use crate::input::{self, Account, Reach};
use crate::linkage::{self, LinkIndex};
use crate::metrics::{self, DefectIndex, MetricKind, MetricSpec, MetricStatus, Window};
use crate::parallel;
use crate::policy::{PolicySet, Rule};
use crate::report::{
    AccountInfo, HealthPoint, Metrics, Report, RuleOutcome, RuleStatus, SCHEMA_VERSION, Tool,
};
use crate::score;
use crate::waivers::{self, WaiverFile};
use anyhow::Result;
use chrono::NaiveDate;
use std::collections::BTreeMap;
use std::path::Path;

#[derive(Clone, Debug)]
pub struct AuditOptions {
    /// The last day of every window; default: the latest purchase date.
    pub as_of: Option<NaiveDate>,
    /// Mask personal data in evidence (the default).
    pub mask: bool,
    /// The date used when there are no orders and no `--as-of`.
    pub today: NaiveDate,
    /// Project the metrics over a peak season.
    pub peak: Option<PeakAssumptions>,
}

/// Rows from which the metrics and rules of one account are worth running
/// on every core. Below it a thread costs more than it saves, and `ahr
/// batch`, which already runs an account per core, keeps to one thread per
/// account.
const PARALLEL_FROM: usize = 50_000;

fn big_account(account: &Account) -> bool {
    let orders = account.orders.as_ref().map_or(0, |o| o.orders.len());
    let messages = account.messages.as_ref().map_or(0, |m| m.rows.len());
    orders + messages >= PARALLEL_FROM
}

/// How far back the policies look from `as_of`: the rules' longest
/// look-back bounds which orders are kept whole, and the score's volume
/// window, when longer, which are still counted.
pub fn reach(policies: &PolicySet, as_of: Option<NaiveDate>) -> Reach {
    let detail_days = policies
        .enabled()
        .map(|r| r.check.reach_days())
        .max()
        .unwrap_or(0);
    Reach {
        as_of,
        horizon_days: detail_days.max(policies.scoring.volume_window_days),
        detail_days,
    }
}

/// What an audit can take beyond the exports and the policies.
#[derive(Clone, Debug, Default)]
pub struct Review {
    /// Findings these waivers cover leave the score and the gate.
    pub waivers: Option<WaiverFile>,
    /// The account folder as the user named it, for SARIF and annotations.
    pub source: Option<String>,
}

/// Days of Amazon's AHR history the report carries for the trend chart.
pub const HEALTH_HISTORY_DAYS: u32 = 365;

/// Reads and audits one account folder.
pub fn audit_dir(dir: &Path, policies: &PolicySet, options: &AuditOptions) -> Result<Report> {
    audit_dir_with(dir, policies, options, &Review::default(), &linkage::EMPTY)
}

/// Reads and audits one account folder with waivers and a source name
/// (`review`), comparing its identifiers with those of other accounts
/// (`peers`: a watchlist, or the other accounts of a batch).
pub fn audit_dir_with(
    dir: &Path,
    policies: &PolicySet,
    options: &AuditOptions,
    review: &Review,
    peers: &LinkIndex,
) -> Result<Report> {
    audit_begun_with(input::begin_account(dir)?, policies, options, review, peers)
}

/// Finishes reading an account folder that [`input::begin_account`] began
/// (so that could go on while the policies were loaded), then audits it as
/// [`audit_dir_with`] does.
pub fn audit_begun_with(
    begun: input::Begun,
    policies: &PolicySet,
    options: &AuditOptions,
    review: &Review,
    peers: &LinkIndex,
) -> Result<Report> {
    let account = begun.finish(reach(policies, options.as_of))?;
    let report = audit_account_with(&account, policies, options, review, peers);
    give_back(account);
    Ok(report)
}

/// Frees an account once audited, a big one on a thread of its own: giving
/// back hundreds of megabytes, block by block, takes tens of milliseconds
/// that the report need not wait for (nor a process that is done at all).
fn give_back(account: Account) {
    if big_account(&account) {
        // A thread that cannot start drops its closure, and the account
        // with it, here.
        let _ = std::thread::Builder::new().spawn(move || drop(account));
    }
}

/// Audits an account already read.
pub fn audit_account(account: &Account, policies: &PolicySet, options: &AuditOptions) -> Report {
    audit_account_with(
        account,
        policies,
        options,
        &Review::default(),
        &linkage::EMPTY,
    )
}

/// Audits an account already read, with `review` and `peers` as for
/// [`audit_dir_with`]; the files `peers` was read from are listed in the
/// report's inputs.
pub fn audit_account_with(
    account: &Account,
    policies: &PolicySet,
    options: &AuditOptions,
    review: &Review,
    peers: &LinkIndex,
) -> Report {
    let (as_of, as_of_source) = resolve_as_of(account, options);
    let mut notes = account_notes(account);

    // A big account's metrics and rules share out every core; small
    // accounts, every account of a batch among them, keep to one thread.
    let threads = if big_account(account) {
        parallel::cores()
    } else {
        1
    };
    let specs = metric_specs(policies);
    let mut rules: Vec<&Rule> = policies.enabled().collect();
    // The checks reaching furthest back read the most orders, and on a
    // big account take the longest (REV-BRUSHING as long as the rest
    // together): started first, they run beside the rest, not after.
    rules.sort_by_key(|rule| std::cmp::Reverse(rule.check.reach_days()));
    // Only the checks that judge a metric read the metrics: the metrics and
    // the other checks share out the cores, and those judge after them.
    let (judges, others): (Vec<&Rule>, Vec<&Rule>) = rules
        .into_iter()
        .partition(|rule| rule.check.metric().is_some());
    let defects = DefectIndex::build(account, options.mask);
    let jobs: Vec<Job<'_>> = others
        .iter()
        .map(|&rule| Job::Rule(rule))
        .chain(specs.iter().map(Job::Metric))
        .chain(std::iter::once(Job::Volume))
        .collect();
    let volume_window = Window::ending(as_of, policies.scoring.volume_window_days);
    let no_metrics = BTreeMap::new();
    let ctx = Context {
        account,
        as_of,
        metrics: &no_metrics,
        mask: options.mask,
        peers,
    };
    let (_, done) = parallel::share_out(
        threads.min(jobs.len()),
        &jobs,
        || (),
        |_, job| match *job {
            Job::Rule(rule) => Done::Hit(rule.check.run(&ctx)),
            Job::Metric(spec) => Done::Metric(compute_metric(account, spec, as_of, &defects)),
            Job::Volume => Done::Volume(
                account
                    .orders
                    .as_ref()
                    .map(|orders| metrics::orders_in_window(orders, &volume_window)),
            ),
        },
    );
    let mut other_hits = Vec::with_capacity(others.len());
    let mut metric_results = Metrics(Vec::with_capacity(specs.len()));
    let mut volume = None;
    for done in done {
        match done {
            Done::Hit(hit) => other_hits.push(hit),
            Done::Metric(result) => metric_results.0.push(result),
            Done::Volume(orders) => volume = orders,
        }
    }
    let forecast = options
        .peak
        .map(|peak| forecast::project(account, &specs, as_of, &defects, peak));
    let lookup: BTreeMap<String, metrics::MetricResult> =
        metric_results.0.iter().cloned().collect();
    let ctx = Context {
        metrics: &lookup,
        ..ctx
    };
    let judge_hits = judges.iter().map(|rule| rule.check.run(&ctx));
    let mut findings: Vec<Finding> = other_hits
        .into_iter()
        .zip(&others)
        .chain(judge_hits.zip(&judges))
        .filter_map(|(hit, rule)| hit.map(|hit| finding(rule, hit, policies)))
        .collect();
    findings.sort_by(|a, b| {
        b.status
            .cmp(&a.status)
            .then(b.severity.cmp(&a.severity))
            .then(a.rule.cmp(&b.rule))
    });

    let (findings, waived, waiver_summary) = match &review.waivers {
        Some(file) => {
            let applied = waivers::apply(file, findings, options.today);
            (applied.active, applied.waived, Some(applied.summary))
        }
        None => (findings, Vec::new(), None),
    };
    if let Some(summary) = &waiver_summary {
        notes.extend(waiver_notes(summary, waived.len()));
    }
    let rules = rule_outcomes(policies, &findings, &waived, &lookup);

    let score = score::score(&policies.scoring, volume, &findings);
    Report {
        schema_version: SCHEMA_VERSION,
        tool: Tool::current(),
        account: AccountInfo {
            id: account.profile.id.clone(),
            name: account.profile.name.clone(),
            marketplace: account.profile.marketplace.clone(),
        },
        as_of,
        as_of_source,
        score,
        metrics: metric_results,
        findings,
        inputs: input_reports(account, peers, options),
        ignored: account.ignored.clone(),
        notes,
        rules,
        waived,
        waivers: waiver_summary,
        baseline: None,
        health_history: health_history(account, as_of),
        source: review.source.clone(),
        amazon: crate::amazon::compare(account, policies, as_of, options.mask),
        assurance: crate::assurance::assess(
            account.health_history.as_ref(),
            &account.profile,
            as_of,
            &policies.scoring.assurance,
        ),
        checklist: policies.checklist.clone(),
        forecast,
        gate: None,
    }
}

/// The last day of every window, and where it came from: `--as-of`, the
/// latest purchase date, or today when there are no orders.
fn resolve_as_of(account: &Account, options: &AuditOptions) -> (NaiveDate, String) {
    let latest = account
        .orders
        .as_ref()
        .and_then(|o| o.latest_purchase.map(|d| (d, &o.file)));
    match (options.as_of, latest) {
        (Some(date), _) => (date, "--as-of".to_string()),
        (None, Some((date, file))) => (date, format!("latest purchase date in {file}")),
        (None, None) => (
            options.today,
            "today (no orders to date the audit by)".to_string(),
        ),
    }
}

/// What the reader should know about how the exports were read.
fn account_notes(account: &Account) -> Vec<String> {
    let mut notes = Vec::new();
    match &account.orders {
        // Without an order the note says nothing (an empty file has no
        // columns at all, and its input problem says so).
        Some(orders) if !orders.has_fulfillment && orders.has_any() => notes.push(format!(
            "{} has no fulfillment column: every order is counted as seller-fulfilled (MFN)",
            orders.file
        )),
        Some(_) => {}
        None => notes.push(
            "no orders file: rates cannot be computed and the score has no volume credit".into(),
        ),
    }
    notes.extend(native_notes(account));
    notes
}

/// What the audit shares out among the cores: a check that judges no
/// metric, a metric, or the count of orders for the score's volume credit
/// (a pass over every order kept, which need not wait for the rest).
enum Job<'a> {
    Rule(&'a Rule),
    Metric(&'a MetricSpec),
    Volume,
}

/// What a [`Job`] gives back.
enum Done {
    Hit(Option<Hit>),
    Metric((String, metrics::MetricResult)),
    /// `None` without an orders file.
    Volume(Option<u64>),
}

/// A metric in `specs`; one beyond target gets its roll-off date.
fn compute_metric(
    account: &Account,
    spec: &MetricSpec,
    as_of: NaiveDate,
    defects: &DefectIndex<'_>,
) -> (String, metrics::MetricResult) {
    let mut result = metrics::compute(account, spec, as_of, defects);
    if matches!(result.status, MetricStatus::Breach | MetricStatus::Warning) {
        result.clears_on = forecast::clears_on(account, spec, as_of, defects);
    }
    (spec.id.clone(), result)
}

/// What the waiver file did: how many findings it set aside, and which
/// waivers expired or matched nothing.
fn waiver_notes(summary: &crate::report::WaiverSummary, waived: usize) -> Vec<String> {
    let mut notes = Vec::new();
    if waived > 0 {
        notes.push(format!(
            "{waived} finding(s) waived by {}: listed as waived, not in the score or the gate",
            summary.file
        ));
    }
    for w in &summary.expired {
        notes.push(format!(
            "the waiver for {} at {} expired on {}: it no longer applies",
            w.rule, w.defined_at, w.expires
        ));
    }
    for w in &summary.unmatched {
        notes.push(format!(
            "the waiver for {} at {} matched no finding: remove it or fix its scope",
            w.rule, w.defined_at
        ));
    }
    notes
}

/// Every enabled rule with how it came out, in rule id order.
fn rule_outcomes(
    policies: &PolicySet,
    findings: &[Finding],
    waived: &[crate::report::WaivedFinding],
    metrics: &BTreeMap<String, metrics::MetricResult>,
) -> Vec<RuleOutcome> {
    // Why the metric a rule reads has no data, if it has none: such a rule
    // was not judged, which a CI tab should not show as passed.
    let no_data_reason = |rule: &Rule| {
        let spec = rule.check.metric()?;
        let metric = metrics.get(&spec.id)?;
        (metric.status == MetricStatus::InsufficientData).then(|| {
            let why = metric.reason.as_deref().unwrap_or("no data");
            format!("{}: {why}", spec.id)
        })
    };
    policies
        .enabled()
        .map(|rule| {
            let mut no_data = None;
            let status = match findings.iter().find(|f| f.rule == rule.id) {
                Some(f) if f.status == FindingStatus::Breach => RuleStatus::Breach,
                Some(_) => RuleStatus::Warning,
                None if waived.iter().any(|w| w.finding.rule == rule.id) => RuleStatus::Waived,
                None => {
                    no_data = no_data_reason(rule);
                    if no_data.is_some() {
                        RuleStatus::NoData
                    } else {
                        RuleStatus::Passed
                    }
                }
            };
            RuleOutcome {
                id: rule.id.clone(),
                title: rule.title.clone(),
                category: rule.category.clone(),
                severity: rule.severity,
                appeal: rule.appeal,
                status,
                no_data,
                remediation: rule.remediation.trim().to_string(),
                references: rule.references.clone(),
                translations: rule.report_translations(),
            }
        })
        .collect()
}

/// Amazon's AHR for the year up to as-of, one point per day (the last row
/// wins when a day repeats).
fn health_history(account: &Account, as_of: NaiveDate) -> Vec<HealthPoint> {
    let Some(source) = &account.health_history else {
        return Vec::new();
    };
    let window = Window::ending(as_of, HEALTH_HISTORY_DAYS);
    let mut by_day: BTreeMap<NaiveDate, u16> = BTreeMap::new();
    for day in source.rows.iter().filter(|d| window.contains(d.date)) {
        by_day.insert(day.date, day.ahr);
    }
    by_day
        .into_iter()
        .map(|(date, ahr)| HealthPoint { date, ahr })
        .collect()
}

/// What the reader should know about Amazon's own reports that were read.
fn native_notes(account: &Account) -> Vec<String> {
    let mut notes = Vec::new();
    if let Some(orders) = &account.orders
        && account
            .inputs
            .iter()
            .any(|i| i.file == orders.file && i.format == "amazon-all-orders")
        && (orders
            .orders
            .iter()
            .any(|o| o.is_cancelled() && o.cancelled_by.is_none())
            || orders
                .volume_only
                .iter()
                .any(|o| o.is_cancelled() && o.cancelled_by.is_none()))
    {
        notes.push(format!(
            "{} does not say who cancelled an order: its cancellations count as the seller's \
             unless a file beside it gives cancelled_by",
            orders.file
        ));
    }
    if let Some(orders) = &account.orders
        && !orders.has_ship_by
        && account
            .inputs
            .iter()
            .any(|i| i.file == orders.file && i.format == "amazon-all-orders")
    {
        notes.push(format!(
            "{} is Amazon's All Orders report, which has no ship dates: late shipment, valid \
             tracking and on-time delivery need an orders file with ship_by, shipped_at, \
             tracking and delivery columns beside it",
            orders.file
        ));
    }
    notes
}

/// Every metric an enabled rule names, in the metric table's order. The
/// ODR's per-channel split is shown beside it with the same parameters,
/// unless a rule configures it itself.
fn metric_specs(policies: &PolicySet) -> Vec<MetricSpec> {
    let mut specs: Vec<MetricSpec> = policies
        .enabled()
        .filter_map(|r| r.check.metric().cloned())
        .collect();
    if let Some(odr) = specs
        .iter()
        .find(|s| s.kind == MetricKind::OrderDefects(None))
        .cloned()
    {
        for (id, kind, _) in metrics::METRICS {
            if matches!(kind, MetricKind::OrderDefects(Some(_)))
                && !specs.iter().any(|s| s.id == *id)
            {
                specs.push(MetricSpec {
                    id: id.to_string(),
                    kind: *kind,
                    ..odr.clone()
                });
            }
        }
    }
    let rank = |id: &str| metrics::METRICS.iter().position(|(m, ..)| *m == id);
    specs.sort_by_key(|s| rank(&s.id));
    specs.dedup_by(|a, b| a.id == b.id);
    specs
}

/// Attaches the rule's metadata and score points to a check's hit.
fn finding(rule: &Rule, hit: Hit, policies: &PolicySet) -> Finding {
    let severity = hit.severity.unwrap_or(rule.severity);
    let points = match hit.status {
        FindingStatus::Breach => {
            -score::breach_points(&policies.scoring, severity, hit.occurrences)
        }
        FindingStatus::Warning => 0,
    };
    let mut evidence = hit.evidence;
    evidence.sort();
    evidence.dedup();
    Finding {
        rule: rule.id.clone(),
        title: rule.title.clone(),
        category: rule.category.clone(),
        severity,
        status: hit.status,
        points,
        occurrences: hit.occurrences,
        message: hit.message,
        message_form: hit.form,
        appeal: rule.appeal,
        remediation: rule.remediation.clone(),
        references: rule.references.clone(),
        evidence_total: evidence.len(),
        evidence,
    }
}

/// The inputs section: what the reader found, plus purchase dates after
/// today (a clock or date-format mistake that would silently empty every
/// window), with quoted values masked like evidence.
fn input_reports(
    account: &Account,
    peers: &LinkIndex,
    options: &AuditOptions,
) -> Vec<input::table::InputReport> {
    let mut inputs: Vec<_> = account
        .inputs
        .iter()
        .chain(&peers.inputs)
        .cloned()
        .collect();
    if let Some(orders) = &account.orders
        && let Some(latest) = orders.latest_purchase
        && latest > options.today
        && let Some(report) = inputs.iter_mut().find(|i| i.kind == "orders")
    {
        report.problem(
            None,
            format!(
                "purchase dates run up to {latest}, after today ({}): check the export's \
                 date format (day and month swapped?) or pass --as-of",
                options.today
            ),
        );
    }
    if options.mask {
        for report in &mut inputs {
            for problem in &mut report.problems {
                problem.message = crate::privacy::mask_text(&problem.message);
            }
        }
    }
    inputs
}
