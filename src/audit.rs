//! One audit, start to end: read the account folder, compute the metrics
//! the rules need, run every enabled rule, score the findings, and build the
//! report. Data flows one way; renderers and the exit gate come after.

use crate::checks::Context;
use crate::findings::{Finding, FindingStatus, Hit};
use crate::input::{self, Account, Reach};
use crate::metrics::{self, DefectIndex, MetricKind, MetricSpec, Window};
use crate::policy::{PolicySet, Rule};
use crate::report::{AccountInfo, Metrics, Report, SCHEMA_VERSION, Tool};
use crate::score;
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
}

/// The longest look-back of any enabled rule or the score, in days.
pub fn horizon_days(policies: &PolicySet) -> u32 {
    policies
        .enabled()
        .map(|r| r.check.reach_days())
        .chain(std::iter::once(policies.scoring.volume_window_days))
        .max()
        .unwrap_or(0)
}

/// Reads and audits one account folder.
pub fn audit_dir(dir: &Path, policies: &PolicySet, options: &AuditOptions) -> Result<Report> {
    let reach = Reach {
        as_of: options.as_of,
        horizon_days: horizon_days(policies),
    };
    let account = input::load_account(dir, reach)?;
    Ok(audit_account(&account, policies, options))
}

/// Audits an account already read.
pub fn audit_account(account: &Account, policies: &PolicySet, options: &AuditOptions) -> Report {
    let mut notes = Vec::new();
    let (as_of, as_of_source) = match (
        options.as_of,
        account
            .orders
            .as_ref()
            .and_then(|o| o.latest_purchase.map(|d| (d, &o.file))),
    ) {
        (Some(date), _) => (date, "--as-of".to_string()),
        (None, Some((date, file))) => (date, format!("latest purchase date in {file}")),
        (None, None) => (
            options.today,
            "today (no orders to date the audit by)".to_string(),
        ),
    };
    if let Some(orders) = &account.orders {
        if !orders.has_fulfillment {
            notes.push(format!(
                "{} has no fulfillment column: every order is counted as seller-fulfilled (MFN)",
                orders.file
            ));
        }
    } else {
        notes.push(
            "no orders file: rates cannot be computed and the score has no volume credit".into(),
        );
    }

    let metric_results = compute_metrics(account, policies, as_of, options.mask);
    let lookup: BTreeMap<String, metrics::MetricResult> =
        metric_results.0.iter().cloned().collect();
    let ctx = Context {
        account,
        as_of,
        metrics: &lookup,
        mask: options.mask,
    };
    let mut findings: Vec<Finding> = policies
        .enabled()
        .filter_map(|rule| rule.check.run(&ctx).map(|hit| finding(rule, hit, policies)))
        .collect();
    findings.sort_by(|a, b| {
        b.status
            .cmp(&a.status)
            .then(b.severity.cmp(&a.severity))
            .then(a.rule.cmp(&b.rule))
    });

    let volume = account.orders.as_ref().map(|orders| {
        let window = Window::ending(as_of, policies.scoring.volume_window_days);
        metrics::orders_in_window(orders, &window)
    });
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
        inputs: input_reports(account, options),
        ignored: account.ignored.clone(),
        notes,
    }
}

/// Computes every metric an enabled rule names, in the metric table's
/// order. The ODR's per-channel split is shown beside it with the same
/// parameters, unless a rule configures it itself.
fn compute_metrics(
    account: &Account,
    policies: &PolicySet,
    as_of: NaiveDate,
    mask: bool,
) -> Metrics {
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
    let defects = DefectIndex::build(account, mask);
    Metrics(
        specs
            .iter()
            .map(|spec| {
                (
                    spec.id.clone(),
                    metrics::compute(account, spec, as_of, &defects),
                )
            })
            .collect(),
    )
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
fn input_reports(account: &Account, options: &AuditOptions) -> Vec<input::table::InputReport> {
    let mut inputs = account.inputs.clone();
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
