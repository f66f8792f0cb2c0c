//! `reported`: what Amazon itself reports in `performance.json`.
//!
//! Finds the policy categories of the Account Health page with a non-zero
//! defect count (or a status other than GOOD or NONE), warning states that
//! are not GOOD or NONE, and account statuses other than NORMAL. Why it
//! matters: these are violations Amazon has already counted against the
//! account; they stay for 180 days whatever the exports show.
//!
//! Severity is decided per category in the policy, not here: `categories`
//! maps each category to a severity, `other_categories` covers categories
//! not listed (omit it to ignore them), `warning_states` gives the severity
//! of any warning state, `account_status` maps statuses such as AT_RISK or
//! SUSPENDED to a severity and `other_account_status` covers the rest. One
//! rule gives one finding, so the finding takes the worst severity among
//! what it found; to score categories apart, write one rule per group with
//! only that group's keys.

use super::{Check, CheckKind, Context};
use crate::findings::{Evidence, FindingStatus, Hit, Severity};
use crate::input::performance::{PerformanceReport, policy_category_names};
use crate::policy::diagnostics::did_you_mean;
use crate::policy::params::Params;
use crate::policy::tree::Table;
use crate::privacy;

pub const KIND: CheckKind = CheckKind {
    name: "reported",
    summary: "violations and account statuses Amazon reports in performance.json",
    keys: &[
        "categories",
        "other_categories",
        "warning_states",
        "account_status",
        "other_account_status",
    ],
    build,
};

const SEVERITIES: &[&str] = &["critical", "high", "medium", "low"];

#[derive(Debug)]
struct ReportedCheck {
    categories: Vec<(String, Severity)>,
    other_categories: Option<Severity>,
    warning_states: Option<Severity>,
    account_status: Vec<(String, Severity)>,
    other_account_status: Option<Severity>,
}

fn build(p: &mut Params<'_>) -> Option<Box<dyn Check>> {
    let known: Vec<&str> = policy_category_names().collect();
    let categories = severity_table(p, "categories", |key, p| {
        if known.contains(&key) {
            return Ok(key.to_string());
        }
        let owner = p.owner.clone();
        let help = match did_you_mean(key, known.iter().copied()) {
            Some(near) => format!("did you mean `{near}`?"),
            None => format!("categories: {}", known.join(", ")),
        };
        Err((
            format!(
                "`categories` in {owner} names `{key}`, which is not a category of Amazon's performance report"
            ),
            help,
        ))
    });
    let other_categories = severity(p, "other_categories");
    let warning_states = severity(p, "warning_states");
    let account_status = severity_table(p, "account_status", |key, p| {
        let status = key.trim().to_ascii_uppercase().replace([' ', '-'], "_");
        if status == "NORMAL" {
            let owner = p.owner.clone();
            return Err((
                format!("`account_status` in {owner} lists NORMAL, which is never a finding"),
                "list the statuses that are findings: AT_RISK, SUSPENDED, DEACTIVATED".into(),
            ));
        }
        Ok(status)
    });
    let other_account_status = severity(p, "other_account_status");
    let (categories, account_status) = (categories?, account_status?);
    if categories.is_empty()
        && other_categories.is_none()
        && warning_states.is_none()
        && account_status.is_empty()
        && other_account_status.is_none()
        && !p.failed()
    {
        let (owner, loc) = (p.owner.clone(), p.owner_loc);
        p.diags.error_with_help(
            loc,
            format!("{owner} gives no severity for anything Amazon reports"),
            "add `categories = { productAuthenticityCustomerComplaints = \"critical\" }` or `other_categories = \"medium\"`",
        );
    }
    if p.failed() {
        return None;
    }
    Some(Box::new(ReportedCheck {
        categories,
        other_categories,
        warning_states,
        account_status,
        other_account_status,
    }))
}

fn severity(p: &mut Params<'_>, key: &str) -> Option<Severity> {
    p.opt_choice(key, SEVERITIES)?.parse().ok()
}

/// Reads `key = { NAME = "severity", … }`, checking each name with `check`.
/// `Some(empty)` when the key is absent; `None` only when it is not a table.
fn severity_table(
    p: &mut Params<'_>,
    key: &str,
    check: impl Fn(&str, &mut Params<'_>) -> Result<String, (String, String)>,
) -> Option<Vec<(String, Severity)>> {
    if !p.contains(key) {
        return Some(Vec::new());
    }
    let (table, _) = p.opt_table(key)?;
    let mut out = Vec::new();
    for entry in table.entries {
        let name = match check(&entry.key, p) {
            Ok(name) => name,
            Err((message, help)) => {
                p.diags.error_with_help(entry.key_loc, message, help);
                continue;
            }
        };
        let owner = format!("`{key}` of {}", p.owner);
        let entry_key = entry.key.clone();
        let key_loc = entry.key_loc;
        let mut inner = Params::new(
            Table {
                entries: vec![entry],
            },
            owner,
            key_loc,
            p.diags,
        );
        if let Some(sev) = severity(&mut inner, &entry_key) {
            out.push((name, sev));
        }
    }
    Some(out)
}

/// One thing Amazon reported, with the severity the policy gives it.
struct Item {
    severity: Severity,
    key: String,
    count: u64,
    excerpt: String,
}

impl ReportedCheck {
    fn category_severity(&self, name: &str, is_category: bool) -> Option<Severity> {
        if !is_category {
            return self.warning_states;
        }
        self.categories
            .iter()
            .find(|(c, _)| c == name)
            .map(|(_, s)| *s)
            .or(self.other_categories)
    }

    fn status_severity(&self, status: &str) -> Option<Severity> {
        self.account_status
            .iter()
            .find(|(s, _)| s == status)
            .map(|(_, sev)| *sev)
            .or(self.other_account_status)
    }

    fn items(&self, report: &PerformanceReport, mask: bool) -> Vec<Item> {
        let known: Vec<&str> = policy_category_names().collect();
        let mut items = Vec::new();
        for (name, count) in report.violations() {
            let is_category = known.contains(&name.as_str());
            let Some(severity) = self.category_severity(&name, is_category) else {
                continue;
            };
            items.push(Item {
                severity,
                count: count.max(1),
                excerpt: describe_violation(report, &name, count, is_category, mask),
                // Warning types are free text in an untrusted file.
                key: privacy::excerpt(&name, 60, false),
            });
        }
        for status in &report.account_statuses {
            if status.status == "NORMAL" {
                continue;
            }
            let Some(severity) = self.status_severity(&status.status) else {
                continue;
            };
            let place = if status.marketplace_id.is_empty() {
                String::new()
            } else {
                format!(
                    " in marketplace {}",
                    privacy::excerpt(&status.marketplace_id, 20, mask)
                )
            };
            items.push(Item {
                severity,
                key: "accountStatuses".into(),
                count: 1,
                excerpt: format!(
                    "account status {}{place}",
                    privacy::excerpt(&status.status, 30, mask)
                ),
            });
        }
        items.sort_by(|a, b| b.severity.cmp(&a.severity).then(b.count.cmp(&a.count)));
        items
    }
}

/// The dates, status and marketplace behind a category's count, from the
/// marketplace that reported the count `violations` kept.
fn describe_violation(
    report: &PerformanceReport,
    name: &str,
    count: u64,
    is_category: bool,
    mask: bool,
) -> String {
    let show = |text: &str| privacy::excerpt(text, 40, mask);
    for m in &report.marketplaces {
        let place = m
            .marketplace_id
            .as_deref()
            .map(|id| format!(", marketplace {}", show(id)))
            .unwrap_or_default();
        if is_category {
            let Some(p) = m
                .policy_counts
                .iter()
                .find(|p| p.category == name && p.count == count)
            else {
                continue;
            };
            let dates = match (p.from, p.to) {
                (Some(from), Some(to)) => format!(" from {from} to {to}"),
                _ => String::new(),
            };
            let status = p
                .status
                .as_deref()
                .map(|s| format!(", status {}", show(s)))
                .unwrap_or_default();
            return format!("{count} reported{dates}{status}{place}");
        }
        if let Some(w) = m.warning_states.iter().find(|w| w.warning_type == name) {
            let status = w.status.as_deref().map(show).unwrap_or_default();
            return format!("warning state {status}{place}");
        }
    }
    format!("{count} reported")
}

impl Check for ReportedCheck {
    fn run(&self, ctx: &Context<'_>) -> Option<Hit> {
        let report = ctx.account.performance.as_ref()?;
        let items = self.items(report, ctx.mask);
        let worst = items.iter().map(|i| i.severity).max()?;
        let file = ctx
            .account
            .inputs
            .iter()
            .find(|i| i.kind == "performance")
            .map_or_else(|| "performance.json".to_string(), |i| i.file.clone());
        let parts: Vec<String> = items
            .iter()
            .map(|i| {
                if i.key == "accountStatuses" {
                    i.excerpt.clone()
                } else {
                    format!("{} {} ({})", i.key, i.count, i.severity)
                }
            })
            .collect();
        let occurrences = items.iter().map(|i| i.count).sum();
        let evidence = items
            .into_iter()
            .map(|i| Evidence {
                file: file.clone(),
                line: None,
                key: i.key,
                excerpt: format!("{} ({})", i.excerpt, i.severity),
            })
            .collect();
        Some(Hit {
            status: FindingStatus::Breach,
            message: format!("Amazon reports {}", parts.join("; ")),
            occurrences,
            evidence,
            severity: Some(worst),
            form: Some(crate::i18n::MessageForm::new(
                "reported",
                &[("parts", parts.join("; "))],
            )),
        })
    }

    fn parameters(&self) -> Vec<(String, String)> {
        let show = |list: &[(String, Severity)]| {
            list.iter()
                .map(|(k, s)| format!("{k} = {s}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut out = Vec::new();
        if !self.categories.is_empty() {
            out.push(("categories".to_string(), show(&self.categories)));
        }
        if let Some(s) = self.other_categories {
            out.push(("other_categories".into(), s.to_string()));
        }
        if let Some(s) = self.warning_states {
            out.push(("warning_states".into(), s.to_string()));
        }
        if !self.account_status.is_empty() {
            out.push(("account_status".into(), show(&self.account_status)));
        }
        if let Some(s) = self.other_account_status {
            out.push(("other_account_status".into(), s.to_string()));
        }
        out
    }
}

#[cfg(test)]
mod tests;
