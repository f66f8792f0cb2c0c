//! Amazon's reported violations, severities by category, and the policy
//! mistakes the kind reports.

use crate::checks::test_support::{build, run};
use crate::findings::{FindingStatus, Hit, Severity};
use crate::input::Account;
use crate::input::performance::parse_performance_report;

const AS_OF: &str = "2026-11-20";

fn rule(extra: &str) -> String {
    format!(
        r#"
[[rule]]
id = "AMZ-TEST"
title = "t"
category = "amazon_reported"
severity = "high"
appeal = "hard"
remediation = "r"
check = "reported"
{extra}
"#
    )
}

const DEFAULT_TABLES: &str = r#"
categories = { productAuthenticityCustomerComplaints = "critical", productSafetyCustomerComplaints = "high", listingPolicyViolations = "medium" }
other_categories = "medium"
warning_states = "medium"
account_status = { AT_RISK = "high", SUSPENDED = "critical", DEACTIVATED = "critical" }
other_account_status = "high"
"#;

fn account(json: &str) -> Account {
    Account {
        performance: Some(parse_performance_report(json.as_bytes()).unwrap()),
        ..Account::default()
    }
}

fn policy(count: u64, status: &str) -> String {
    format!(
        r#"{{"reportingDateRange": {{"reportingDateFrom": "2026-05-24T00:00Z", "reportingDateTo": "2026-11-19T23:59Z"}}, "defectsCount": {count}, "status": "{status}"}}"#
    )
}

fn report(statuses: &[(&str, &str)], categories: &[(&str, String)]) -> String {
    let statuses: Vec<String> = statuses
        .iter()
        .map(|(m, s)| format!(r#"{{"marketplaceId": "{m}", "status": "{s}"}}"#))
        .collect();
    let categories: Vec<String> = categories
        .iter()
        .map(|(name, block)| format!(r#""{name}": {block}"#))
        .collect();
    let sep = if categories.is_empty() { "" } else { ", " };
    format!(
        r#"{{"accountStatuses": [{}], "performanceMetrics": [{{"marketplaceId": "ATVPDKIKX0DER"{sep}{}}}]}}"#,
        statuses.join(", "),
        categories.join(", ")
    )
}

fn hit(extra: &str, account: &Account) -> Option<Hit> {
    let check = build(&rule(extra)).unwrap();
    run(check.as_ref(), account, AS_OF)
}

#[test]
fn a_clean_report_has_no_finding() {
    let json = report(
        &[("ATVPDKIKX0DER", "NORMAL")],
        &[
            ("productSafetyCustomerComplaints", policy(0, "GOOD")),
            ("listingPolicyViolations", policy(0, "NONE")),
        ],
    );
    assert_eq!(hit(DEFAULT_TABLES, &account(&json)), None);
    assert_eq!(hit(DEFAULT_TABLES, &Account::default()), None);
}

#[test]
fn the_finding_takes_the_worst_severity_of_what_it_found() {
    let json = report(
        &[("ATVPDKIKX0DER", "NORMAL")],
        &[
            ("listingPolicyViolations", policy(3, "BAD")),
            ("productSafetyCustomerComplaints", policy(1, "BAD")),
        ],
    );
    let found = hit(DEFAULT_TABLES, &account(&json)).expect("fires");
    assert_eq!(found.status, FindingStatus::Breach);
    assert_eq!(found.severity, Some(Severity::High));
    assert_eq!(found.occurrences, 4);
    // Worst first, each with its JSON category as key and no line.
    let keys: Vec<&str> = found.evidence.iter().map(|e| e.key.as_str()).collect();
    assert_eq!(
        keys,
        ["productSafetyCustomerComplaints", "listingPolicyViolations"]
    );
    assert!(found.evidence.iter().all(|e| e.line.is_none()));
    assert_eq!(
        found.evidence[1].excerpt,
        "3 reported from 2026-05-24 to 2026-11-19, status BAD, marketplace ATVPDKIKX0DER (medium)"
    );

    let json = report(
        &[("ATVPDKIKX0DER", "NORMAL")],
        &[("listingPolicyViolations", policy(3, "BAD"))],
    );
    let only_medium = hit(DEFAULT_TABLES, &account(&json)).unwrap();
    assert_eq!(only_medium.severity, Some(Severity::Medium));
}

#[test]
fn account_statuses_other_than_normal_are_findings_by_status() {
    let json = report(
        &[("ATVPDKIKX0DER", "AT_RISK"), ("A1AM78C64UM0Y8", "NORMAL")],
        &[],
    );
    let at_risk = hit(DEFAULT_TABLES, &account(&json)).expect("fires");
    assert_eq!(at_risk.severity, Some(Severity::High));
    assert_eq!(at_risk.evidence.len(), 1);
    assert_eq!(at_risk.evidence[0].key, "accountStatuses");
    assert!(
        at_risk.evidence[0]
            .excerpt
            .contains("AT_RISK in marketplace ATVPDKIKX0DER")
    );

    let json = report(
        &[
            ("ATVPDKIKX0DER", "AT_RISK"),
            ("A1AM78C64UM0Y8", "SUSPENDED"),
        ],
        &[],
    );
    let suspended = hit(DEFAULT_TABLES, &account(&json)).unwrap();
    assert_eq!(suspended.severity, Some(Severity::Critical));
    assert_eq!(suspended.evidence.len(), 2);

    let json = report(&[("ATVPDKIKX0DER", "UNDER_REVIEW")], &[]);
    let unknown = hit(DEFAULT_TABLES, &account(&json)).unwrap();
    assert_eq!(unknown.severity, Some(Severity::High));
}

#[test]
fn warning_states_and_unlisted_categories_follow_their_keys() {
    let json = r#"{"accountStatuses": [{"marketplaceId": "M", "status": "NORMAL"}],
        "performanceMetrics": [{"marketplaceId": "M",
          "otherPolicyViolations": {"defectsCount": 2, "status": "BAD"},
          "warningStates": [{"warningType": "spammingSellerMessaging", "status": "BAD"}]}]}"#;
    let both = hit(DEFAULT_TABLES, &account(json)).unwrap();
    let keys: Vec<&str> = both.evidence.iter().map(|e| e.key.as_str()).collect();
    assert_eq!(keys, ["otherPolicyViolations", "spammingSellerMessaging"]);
    assert_eq!(both.severity, Some(Severity::Medium));

    // A rule for one group of categories ignores the rest.
    let ip_only = r#"categories = { productAuthenticityCustomerComplaints = "critical" }"#;
    assert_eq!(hit(ip_only, &account(json)), None);
}

#[test]
fn amazons_own_example_is_critical() {
    let json = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/amazon/performance-example.json"
    ))
    .unwrap();
    let hit = hit(DEFAULT_TABLES, &account(&json)).unwrap();
    assert_eq!(hit.severity, Some(Severity::Critical));
    let first = &hit.evidence[0];
    assert!(
        first.key == "productAuthenticityCustomerComplaints" || first.key == "accountStatuses",
        "{first:?}"
    );
    assert!(
        hit.evidence
            .iter()
            .any(|e| e.excerpt.starts_with("account status SUSPENDED"))
    );
}

#[test]
fn policy_mistakes_are_located() {
    let err = build(&rule(
        r#"categories = { productSafetyComplaints = "high" }"#,
    ))
    .unwrap_err();
    assert!(err.contains("test.toml:10"), "{err}");
    assert!(
        err.contains("did you mean `productSafetyCustomerComplaints`"),
        "{err}"
    );

    let err = build(&rule(
        r#"categories = { listingPolicyViolations = "severe" }"#,
    ))
    .unwrap_err();
    assert!(
        err.contains("expected one of critical, high, medium, low"),
        "{err}"
    );

    let err = build(&rule(r#"account_status = { NORMAL = "low" }"#)).unwrap_err();
    assert!(err.contains("never a finding"), "{err}");

    let err = build(&rule("")).unwrap_err();
    assert!(err.contains("gives no severity"), "{err}");

    let err = build(&rule(r#"other_category = "medium""#)).unwrap_err();
    assert!(err.contains("did you mean `other_categories`"), "{err}");
}
