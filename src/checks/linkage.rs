//! `linkage`: identifiers the account shares with other accounts (关联).
//!
//! Finds: bank accounts, cards, tax ids, phones, e-mails, addresses, devices
//! and IPs in the account's `identifiers` export that another account holds
//! too: another account of the same `ahr batch`, or an account on the
//! `--watchlist`. Values are compared after folding (see
//! `linkage::normalize`); accounts declared in `related_accounts` (by either
//! side) are exempt. Why it matters: Amazon links accounts by such signals,
//! and one suspended account can take down every account linked to it.
//! Parameters: `kinds`, `suspended_statuses`, `suspended_severity`.

use super::{Check, CheckKind, Context};
use crate::findings::{Evidence, FindingStatus, Hit, Severity};
use crate::input::records::IDENTIFIER_KINDS;
use crate::input::table::printable;
use crate::linkage::Holder;
use crate::policy::params::Params;
use crate::privacy;
use std::collections::BTreeSet;

pub const KIND: CheckKind = CheckKind {
    name: "linkage",
    summary: "identifiers shared with other accounts of the batch or of the --watchlist",
    keys: &["kinds", "suspended_statuses", "suspended_severity"],
    build,
};

const DEFAULT_SUSPENDED: &[&str] = &["suspended", "deactivated", "banned", "blocked"];

#[derive(Debug)]
struct LinkageCheck {
    kinds: Vec<&'static str>,
    /// Lower-cased statuses that make the other account a suspended one.
    suspended: Vec<String>,
    suspended_severity: Severity,
}

fn build(p: &mut Params<'_>) -> Option<Box<dyn Check>> {
    let mut kinds = Vec::new();
    match p.opt_str_list("kinds") {
        Some(list) => {
            for (name, loc) in list {
                match IDENTIFIER_KINDS
                    .iter()
                    .find(|k| k.eq_ignore_ascii_case(&name))
                {
                    Some(k) => kinds.push(*k),
                    None => {
                        let owner = p.owner.clone();
                        p.diags.error(
                            loc,
                            format!(
                                "`kinds` in {owner} names `{name}`; identifier kinds are {}",
                                IDENTIFIER_KINDS.join(", ")
                            ),
                        );
                    }
                }
            }
        }
        None => kinds.extend_from_slice(IDENTIFIER_KINDS),
    }
    let suspended = match p.opt_str_list("suspended_statuses") {
        Some(list) => list.into_iter().map(|(s, _)| s.to_lowercase()).collect(),
        None => DEFAULT_SUSPENDED.iter().map(|s| s.to_string()).collect(),
    };
    let severities: Vec<&'static str> = Severity::ALL.iter().map(|s| s.as_str()).collect();
    let suspended_severity = match p.opt_choice("suspended_severity", &severities) {
        Some(name) => name.parse().ok()?,
        None => Severity::Critical,
    };
    if p.failed() {
        return None;
    }
    Some(Box::new(LinkageCheck {
        kinds,
        suspended,
        suspended_severity,
    }))
}

impl LinkageCheck {
    fn is_suspended(&self, holder: &Holder) -> bool {
        holder
            .status
            .as_deref()
            .is_some_and(|s| self.suspended.iter().any(|x| x == s.trim()))
    }
}

impl Check for LinkageCheck {
    fn run(&self, ctx: &Context<'_>) -> Option<Hit> {
        let account = ctx.account;
        let identifiers = account.identifiers.as_ref()?;
        let shared = ctx.peers.shared(
            &account.profile.id,
            &account.profile.related_accounts,
            &identifiers.rows,
            &self.kinds,
        );
        if shared.is_empty() {
            return None;
        }
        let mut evidence = Vec::new();
        let mut kinds = BTreeSet::new();
        let mut others = BTreeSet::new();
        let mut suspended = BTreeSet::new();
        for s in &shared {
            let id = s.identifier;
            kinds.insert(id.kind);
            for holder in &s.others {
                others.insert(holder.account.as_str());
                if self.is_suspended(holder) {
                    suspended.insert(holder.account.as_str());
                }
            }
            let key = if ctx.mask {
                privacy::mask_identifier(id.kind, &id.value)
            } else {
                format!("{} {}", id.kind, printable(&id.value))
            };
            let held_by: Vec<String> = s.others.iter().map(|h| h.describe()).collect();
            evidence.push(Evidence {
                file: identifiers.file.clone(),
                line: Some(id.line),
                key,
                excerpt: privacy::truncate(
                    &printable(&format!("also held by {}", held_by.join(", "))),
                    200,
                ),
            });
        }
        let n = shared.len();
        let list = |set: &BTreeSet<&str>| set.iter().copied().collect::<Vec<_>>().join(", ");
        let mut message = format!(
            "{n} {} ({}) {} shared with {} other {}: {}",
            if n == 1 { "identifier" } else { "identifiers" },
            kinds.iter().copied().collect::<Vec<_>>().join(", "),
            if n == 1 { "is" } else { "are" },
            others.len(),
            if others.len() == 1 {
                "account"
            } else {
                "accounts"
            },
            privacy::truncate(&printable(&list(&others)), 200),
        );
        let mut args = vec![
            ("identifiers", n.to_string()),
            (
                "kinds",
                kinds.iter().copied().collect::<Vec<_>>().join(", "),
            ),
            ("others", others.len().to_string()),
            (
                "accounts",
                privacy::truncate(&printable(&list(&others)), 200),
            ),
        ];
        if !suspended.is_empty() {
            let names = privacy::truncate(&printable(&list(&suspended)), 200);
            message.push_str(&format!("; suspended: {names}"));
            args.push(("suspended", names));
        }
        let form = crate::i18n::MessageForm::new("linkage", &args);
        Some(Hit {
            status: FindingStatus::Breach,
            message,
            occurrences: n as u64,
            evidence,
            severity: (!suspended.is_empty()).then_some(self.suspended_severity),
            form: Some(form),
        })
    }

    fn parameters(&self) -> Vec<(String, String)> {
        vec![
            ("kinds".into(), self.kinds.join(", ")),
            ("suspended_statuses".into(), self.suspended.join(", ")),
            (
                "suspended_severity".into(),
                self.suspended_severity.to_string(),
            ),
        ]
    }
}

#[cfg(test)]
mod tests {
    use crate::audit::{AuditOptions, Review, audit_account_with};
    use crate::input::Account;
    use crate::input::records::{Identifier, Source};
    use crate::input::table::InputReport;
    use crate::linkage::LinkIndex;
    use crate::linkage::watchlist::{Entry, Watchlist};
    use crate::policy::{self, PolicySet};
    use chrono::NaiveDate;

    fn policies(extra: &str) -> PolicySet {
        let rule = format!(
            "[[rule]]\nid = \"LINK-SHARED\"\ntitle = \"t\"\ncategory = \"c\"\nseverity = \"high\"\n\
             appeal = \"hard\"\ncheck = \"linkage\"\nremediation = \"r\"\n{extra}"
        );
        let scoring = policy::DEFAULT_PACKS
            .iter()
            .find(|(n, _)| n.ends_with("scoring.toml"))
            .unwrap();
        policy::load_texts(&[
            ("link.toml".to_string(), rule),
            (scoring.0.to_string(), scoring.1.to_string()),
        ])
        .unwrap()
    }

    fn account(related: &[&str]) -> Account {
        let mut a = Account::default();
        a.profile.id = "me".into();
        a.profile.related_accounts = related.iter().map(|s| s.to_string()).collect();
        a.identifiers = Some(Source {
            file: "identifiers.csv".into(),
            texts: Default::default(),
            rows: vec![Identifier {
                line: 2,
                kind: "phone",
                value: "+1 555 010 0199".into(),
                first_seen: None,
                last_seen: None,
            }],
        });
        a
    }

    fn watchlist(status: Option<&str>) -> LinkIndex {
        let mut index = LinkIndex::default();
        index.add_watchlist(&Watchlist {
            file: "w.csv".into(),
            entries: vec![Entry {
                line: 4,
                kind: "phone",
                value: "15550100199".into(),
                account: "them".into(),
                status: status.map(str::to_string),
            }],
            report: InputReport::new("w.csv", "watchlist", "canonical", "utf-8"),
        });
        index
    }

    fn run(policies: &PolicySet, account: &Account, index: &LinkIndex) -> Option<(String, u64)> {
        let options = AuditOptions {
            as_of: NaiveDate::from_ymd_opt(2026, 11, 20),
            mask: true,
            today: NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
            peak: None,
        };
        let report = audit_account_with(account, policies, &options, &Review::default(), index);
        report
            .findings
            .iter()
            .find(|f| f.rule == "LINK-SHARED")
            .map(|f| (f.severity.to_string(), f.occurrences))
    }

    #[test]
    fn severity_follows_the_other_accounts_status() {
        let p = policies("");
        let me = account(&[]);
        assert_eq!(
            run(&p, &me, &watchlist(Some("suspended"))),
            Some(("critical".into(), 1))
        );
        assert_eq!(
            run(&p, &me, &watchlist(Some("active"))),
            Some(("high".into(), 1))
        );
        assert_eq!(run(&p, &me, &watchlist(None)), Some(("high".into(), 1)));
        let custom =
            policies("suspended_statuses = [\"Under Review\"]\nsuspended_severity = \"medium\"\n");
        assert_eq!(
            run(&custom, &me, &watchlist(Some("under review"))),
            Some(("medium".into(), 1))
        );
        assert_eq!(
            run(&custom, &me, &watchlist(Some("suspended"))),
            Some(("high".into(), 1))
        );
    }

    #[test]
    fn declared_relations_and_other_kinds_do_not_fire() {
        let p = policies("");
        assert_eq!(
            run(&p, &account(&["Them"]), &watchlist(Some("suspended"))),
            None
        );
        let emails_only = policies("kinds = [\"email\"]\n");
        assert_eq!(
            run(&emails_only, &account(&[]), &watchlist(Some("suspended"))),
            None
        );
        assert_eq!(run(&p, &account(&[]), &LinkIndex::default()), None);
    }
}
