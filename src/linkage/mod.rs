//! Linked accounts (关联): which identifiers an account shares with other
//! accounts. The [`LinkIndex`] holds the identifiers of every other account
//! known to this run (the `--watchlist` file, and in `ahr batch` every
//! account of the batch), folded by [`normalize`] so that spelling does not
//! hide a match. The `linkage` check asks it about one account; the batch
//! asks it for the groups of linked accounts.

pub mod normalize;
pub mod watchlist;

use crate::input::records::Identifier;
use crate::input::table::InputReport;
use crate::privacy;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Where the index learnt that an account holds an identifier.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Origin {
    /// Another account folder of the same batch.
    Batch,
    /// A row of the watchlist.
    Watchlist { file: String, line: u64 },
}

/// Another account that holds an identifier.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Holder {
    pub account: String,
    /// Lower-cased account status, when the source says one.
    pub status: Option<String>,
    pub origin: Origin,
}

impl Holder {
    /// "shady-eu (suspended; watchlist.csv line 3)", for evidence excerpts.
    pub fn describe(&self) -> String {
        let status = self.status.as_deref().unwrap_or(match self.origin {
            Origin::Batch => "in this batch",
            Origin::Watchlist { .. } => "status unknown",
        });
        match &self.origin {
            Origin::Batch => format!("{} ({status})", self.account),
            Origin::Watchlist { file, line } => {
                format!("{} ({status}; {file} line {line})", self.account)
            }
        }
    }
}

/// The identifiers of other accounts, by kind and folded value.
#[derive(Debug, Default)]
pub struct LinkIndex {
    holders: BTreeMap<(&'static str, String), Vec<Holder>>,
    /// Lower-cased account id → the lower-cased ids it declares related.
    related: BTreeMap<String, BTreeSet<String>>,
    /// Files the index was read from, listed in every report's `inputs`.
    pub inputs: Vec<InputReport>,
}

/// An index with nothing in it: an audit with no batch and no watchlist.
pub static EMPTY: LinkIndex = LinkIndex {
    holders: BTreeMap::new(),
    related: BTreeMap::new(),
    inputs: Vec::new(),
};

/// One identifier of an account that other accounts hold too.
#[derive(Clone, Debug, PartialEq)]
pub struct Shared<'a> {
    pub identifier: &'a Identifier,
    pub folded: String,
    /// The other holders, sorted; never the account itself or an account
    /// declared related.
    pub others: Vec<&'a Holder>,
}

/// A group of batch accounts that share identifiers, for the batch's
/// "linked accounts" section.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Link {
    /// Account ids, sorted.
    pub accounts: Vec<String>,
    pub identifiers: Vec<LinkedIdentifier>,
    /// Pairs of the group that declare each other related: shown, but not
    /// links between them (each pair sorted).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub declared_related: Vec<[String; 2]>,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct LinkedIdentifier {
    pub kind: String,
    /// Masked (kind and last four characters) unless masking is off.
    pub value: String,
}

impl LinkIndex {
    pub fn is_empty(&self) -> bool {
        self.holders.is_empty()
    }

    /// Adds every row of a watchlist.
    pub fn add_watchlist(&mut self, list: &watchlist::Watchlist) {
        for entry in &list.entries {
            if let Some(folded) = normalize::normalize(entry.kind, &entry.value) {
                self.insert(
                    entry.kind,
                    folded,
                    Holder {
                        account: entry.account.clone(),
                        status: entry.status.clone(),
                        origin: Origin::Watchlist {
                            file: list.file.clone(),
                            line: entry.line,
                        },
                    },
                );
            }
        }
        self.inputs.push(list.report.clone());
    }

    /// Adds one account of a batch: its identifiers and the accounts it
    /// declares related.
    pub fn add_account(&mut self, id: &str, related: &[String], identifiers: &[Identifier]) {
        let declared = self.related.entry(id.to_lowercase()).or_default();
        declared.extend(related.iter().map(|r| r.to_lowercase()));
        for identifier in identifiers {
            if let Some(folded) = normalize::normalize(identifier.kind, &identifier.value) {
                self.insert(
                    identifier.kind,
                    folded,
                    Holder {
                        account: id.to_string(),
                        status: None,
                        origin: Origin::Batch,
                    },
                );
            }
        }
    }

    fn insert(&mut self, kind: &'static str, folded: String, holder: Holder) {
        let list = self.holders.entry((kind, folded)).or_default();
        if let Err(at) = list.binary_search(&holder) {
            list.insert(at, holder);
        }
    }

    /// Whether `a` and `b` are declared related, by either side.
    /// `a_declares` is `a`'s own list (from its account.toml).
    pub fn declared_related(&self, a: &str, a_declares: &[String], b: &str) -> bool {
        let (a, b) = (a.to_lowercase(), b.to_lowercase());
        a_declares.iter().any(|r| r.to_lowercase() == b)
            || self.related.get(&a).is_some_and(|s| s.contains(&b))
            || self.related.get(&b).is_some_and(|s| s.contains(&a))
    }

    /// The identifiers of `account` (of the given kinds) that other accounts
    /// hold, in the order of the identifiers file, one entry per distinct
    /// identifier.
    pub fn shared<'a>(
        &'a self,
        account: &str,
        declares: &[String],
        identifiers: &'a [Identifier],
        kinds: &[&str],
    ) -> Vec<Shared<'a>> {
        let mut seen = BTreeSet::new();
        let mut out = Vec::new();
        if self.holders.is_empty() {
            return out;
        }
        for identifier in identifiers.iter().filter(|i| kinds.contains(&i.kind)) {
            let Some(folded) = normalize::normalize(identifier.kind, &identifier.value) else {
                continue;
            };
            let Some(holders) = self.holders.get(&(identifier.kind, folded.clone())) else {
                continue;
            };
            let others: Vec<&Holder> = holders
                .iter()
                .filter(|h| {
                    !h.account.eq_ignore_ascii_case(account)
                        && !self.declared_related(account, declares, &h.account)
                })
                .collect();
            if others.is_empty() || !seen.insert((identifier.kind, folded.clone())) {
                continue;
            }
            out.push(Shared {
                identifier,
                folded,
                others,
            });
        }
        out
    }

    /// Groups of batch accounts that share identifiers: one group per set of
    /// accounts, with every identifier they share. An identifier held only by
    /// accounts that all declare each other related makes no group.
    pub fn links(&self, mask: bool) -> Vec<Link> {
        let mut groups: BTreeMap<Vec<String>, BTreeSet<LinkedIdentifier>> = BTreeMap::new();
        for ((kind, folded), holders) in &self.holders {
            let accounts: BTreeSet<&str> = holders
                .iter()
                .filter(|h| h.origin == Origin::Batch)
                .map(|h| h.account.as_str())
                .collect();
            let accounts: Vec<&str> = accounts.into_iter().collect();
            let unrelated_pair = accounts.iter().enumerate().any(|(i, a)| {
                accounts[i + 1..]
                    .iter()
                    .any(|b| !self.declared_related(a, &[], b))
            });
            if !unrelated_pair {
                continue;
            }
            let value = if mask {
                privacy::mask_identifier(kind, folded)
            } else {
                format!("{kind} {folded}")
            };
            groups
                .entry(accounts.iter().map(|a| a.to_string()).collect())
                .or_default()
                .insert(LinkedIdentifier {
                    kind: kind.to_string(),
                    value,
                });
        }
        groups
            .into_iter()
            .map(|(accounts, identifiers)| {
                let mut declared_related = Vec::new();
                for (i, a) in accounts.iter().enumerate() {
                    for b in &accounts[i + 1..] {
                        if self.declared_related(a, &[], b) {
                            declared_related.push([a.clone(), b.clone()]);
                        }
                    }
                }
                Link {
                    accounts,
                    identifiers: identifiers.into_iter().collect(),
                    declared_related,
                }
            })
            .collect()
    }
}

/// For each account in `links`, the other accounts it is linked with (not
/// those it is declared related to).
pub fn linked_with(links: &[Link]) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for link in links {
        let related = |a: &str, b: &str| {
            link.declared_related
                .iter()
                .any(|[x, y]| (x == a && y == b) || (x == b && y == a))
        };
        for a in &link.accounts {
            let entry = out.entry(a.clone()).or_default();
            entry.extend(
                link.accounts
                    .iter()
                    .filter(|b| *b != a && !related(a, b))
                    .cloned(),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ident(line: u64, kind: &'static str, value: &str) -> Identifier {
        Identifier {
            line,
            kind,
            value: value.to_string(),
            first_seen: None,
            last_seen: None,
        }
    }

    const ALL: &[&str] = crate::input::records::IDENTIFIER_KINDS;

    #[test]
    fn finds_shared_identifiers_across_spellings() {
        let mut index = LinkIndex::default();
        index.add_account("beta", &[], &[ident(2, "phone", "+1 (555) 010-0199")]);
        index.add_account("gamma", &[], &[ident(2, "email", "ops@gamma.example")]);
        let mine = [
            ident(2, "phone", "15550100199"),
            ident(3, "email", "OPS@alpha.example"),
            ident(4, "phone", "1-555-010-0199"),
        ];
        let shared = index.shared("alpha", &[], &mine, ALL);
        assert_eq!(shared.len(), 1, "one distinct identifier: {shared:?}");
        assert_eq!(shared[0].identifier.line, 2);
        assert_eq!(shared[0].others[0].account, "beta");
        // The kinds filter applies.
        assert!(index.shared("alpha", &[], &mine, &["email"]).is_empty());
    }

    #[test]
    fn the_account_itself_and_declared_relations_are_not_links() {
        let mut index = LinkIndex::default();
        let bank = [ident(2, "bank", "DE89 3704 0044 0532 0130 00")];
        index.add_account("acme-us", &["Acme-EU".to_string()], &bank);
        index.add_account("acme-eu", &[], &bank);
        index.add_account("other", &[], &[]);
        // Declared by acme-us only, honoured from both sides.
        assert!(index.shared("acme-eu", &[], &bank, ALL).is_empty());
        assert!(index.shared("acme-us", &[], &bank, ALL).is_empty());
        assert_eq!(index.shared("other", &[], &bank, ALL).len(), 1);
        assert!(index.links(true).is_empty());
    }

    #[test]
    fn a_group_with_a_declared_pair_links_only_the_undeclared_ones() {
        let mut index = LinkIndex::default();
        let bank = [ident(2, "bank", "DE89 3704 0044 0532 0130 00")];
        index.add_account("acme-us", &["acme-eu".to_string()], &bank);
        index.add_account("acme-eu", &[], &bank);
        index.add_account("stranger", &[], &bank);
        let links = index.links(true);
        assert_eq!(links.len(), 1);
        assert_eq!(links[0].accounts, ["acme-eu", "acme-us", "stranger"]);
        assert_eq!(
            links[0].declared_related,
            [["acme-eu".to_string(), "acme-us".to_string()]]
        );
        let with = linked_with(&links);
        assert_eq!(with["acme-us"].iter().collect::<Vec<_>>(), ["stranger"]);
        assert_eq!(with["stranger"].len(), 2);
        let shared = index.shared("acme-us", &[], &bank, ALL);
        let others: Vec<&str> = shared[0]
            .others
            .iter()
            .map(|h| h.account.as_str())
            .collect();
        assert_eq!(others, ["stranger"]);
    }

    #[test]
    fn links_group_accounts_and_mask_values() {
        let mut index = LinkIndex::default();
        let shared = [
            ident(2, "bank", "DE89 3704 0044 0532 0130 00"),
            ident(3, "phone", "+1 555 010 0199"),
        ];
        index.add_account("a", &[], &shared);
        index.add_account("b", &[], &shared[..1]);
        index.add_account("c", &[], &shared[1..]);
        let links = index.links(true);
        assert_eq!(links.len(), 2);
        assert_eq!(links[0].accounts, vec!["a", "b"]);
        assert_eq!(links[0].identifiers[0].value, "bank …3000");
        assert_eq!(links[1].accounts, vec!["a", "c"]);
        assert_eq!(links[1].identifiers[0].value, "phone …0199");
        let with = linked_with(&links);
        assert_eq!(
            with["a"].iter().collect::<Vec<_>>(),
            vec![&"b".to_string(), &"c".to_string()]
        );
    }
}
