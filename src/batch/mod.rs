//! `ahr batch ROOT`: every folder under ROOT that holds exports is an
//! account, however deep ([`input::folders`] finds them). Two passes: the
//! first reads only each account's `account.toml`
//! and `identifiers` (small files) to build the [`LinkIndex`] of the whole
//! batch; the second audits the accounts in parallel, each against that
//! index, and hands every finished report to the caller as soon as it is
//! done, so a batch of any size never holds all reports at once.
//!
//! Isolation: an account that cannot be read becomes an [`AccountError`];
//! the others go on. Determinism: accounts are worked on in id order and
//! results carry their position, so a caller can emit them in that order
//! whatever the number of threads.
//!
//! Threads are plain `std::thread::scope` workers taking accounts from a
//! shared counter, with a bounded channel back to the caller: accounts are
//! independent, so that is all the scheduling a batch needs, and it keeps a
//! thread-pool dependency out of the crate.

pub mod merge;
pub mod render;

use crate::audit::{self, AuditOptions};
use crate::findings::FindingStatus;
use crate::input::records::{self, Identifier, ParseContext};
use crate::input::table::{Table, display_name};
use crate::input::{self, Profile, account, dates, schema};
use crate::linkage::{self, LinkIndex, watchlist::Watchlist};
use crate::policy::PolicySet;
use crate::report::Report;
use anyhow::{Context, Result, bail};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

/// `--shard K/N`: the K-th (1-based) of N slices of the accounts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

impl FromStr for Shard {
    type Err = String;
    fn from_str(text: &str) -> Result<Shard, String> {
        let bad = || format!("`{text}` is not a shard: write K/N with 1 <= K <= N, e.g. 1/4");
        let (k, n) = text.trim().split_once('/').ok_or_else(bad)?;
        let index: u32 = k.trim().parse().map_err(|_| bad())?;
        let count: u32 = n.trim().parse().map_err(|_| bad())?;
        if index == 0 || count == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

impl Shard {
    /// Whether the account folder named `folder` (its path under ROOT)
    /// belongs to this slice. A hash of the name, not its position, so
    /// adding an account to ROOT does not move the others between shards.
    pub fn contains(&self, folder: &str) -> bool {
        fnv1a(folder.as_bytes()) % u64::from(self.count) == u64::from(self.index - 1)
    }
}

/// FNV-1a: tiny, stable across platforms and releases (unlike std's
/// `DefaultHasher`), which is all a shard assignment needs.
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

/// One account folder to audit.
#[derive(Clone, Debug)]
pub struct Member {
    /// The folder's path under ROOT, folder names joined by `/`
    /// (`eu/de-shop`).
    pub folder: String,
    pub dir: PathBuf,
    /// The account id (account.toml's `id`, else the folder name).
    pub id: String,
}

/// An account that could not be audited, and why.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, serde::Deserialize)]
pub struct AccountError {
    pub folder: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub account: Option<String>,
    pub error: String,
}

/// What the first pass found under ROOT.
#[derive(Debug)]
pub struct Plan {
    /// The accounts this run audits (its shard), in id order.
    pub members: Vec<Member>,
    /// Accounts of this shard that could not even be listed or identified.
    pub errors: Vec<AccountError>,
    /// The identifiers of every account under ROOT (all shards) and of the
    /// watchlist.
    pub index: LinkIndex,
    /// What under ROOT is not an account folder, by path under ROOT:
    /// stray files and folders without exports.
    pub ignored: Vec<String>,
    /// Account folders under ROOT, all shards together.
    pub total_accounts: usize,
}

/// The default number of worker threads: every core.
pub fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Runs `work` over `items` on `jobs` threads and calls `done` on the
/// calling thread with each item's position and result, in order of
/// completion. Workers take the next item from a shared counter, so one
/// slow account does not hold up a whole slice. An error from `done` stops
/// the run (no new items are started) and is returned.
pub fn parallel<T, R, W, D>(items: &[T], jobs: usize, work: W, mut done: D) -> Result<()>
where
    T: Sync,
    R: Send,
    W: Fn(&T) -> R + Sync,
    D: FnMut(usize, R) -> Result<()>,
{
    let jobs = jobs.clamp(1, items.len().max(1));
    let next = AtomicUsize::new(0);
    // Bounded, so finished reports wait in the channel only while the
    // caller writes; memory stays flat however many accounts there are.
    let (tx, rx) = mpsc::sync_channel::<(usize, R)>(jobs * 2);
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            let tx = tx.clone();
            let (next, work) = (&next, &work);
            scope.spawn(move || {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(i) else { break };
                    if tx.send((i, work(item))).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        let mut result = Ok(());
        for (i, r) in rx.iter() {
            if let Err(err) = done(i, r) {
                // Workers stop at their next item.
                next.store(items.len(), Ordering::Relaxed);
                result = Err(err);
                break;
            }
        }
        drop(rx);
        result
    })
}

/// A folder's identity, read in the first pass.
struct Identity {
    profile: Profile,
    identifiers: Vec<Identifier>,
}

/// Lists ROOT, reads every account's identity (in parallel) and builds the
/// link index. Fails only when ROOT itself cannot be used.
pub fn plan(
    root: &Path,
    watchlist: Option<&Watchlist>,
    shard: Option<Shard>,
    jobs: usize,
) -> Result<Plan> {
    let meta = std::fs::metadata(root).with_context(|| {
        format!(
            "cannot open batch folder {}: check the path",
            root.display()
        )
    })?;
    if !meta.is_dir() {
        bail!(
            "{} is a file, not a batch folder: pass the folder that holds one folder of exports per account",
            root.display()
        );
    }
    let found = input::folders::account_folders(root, jobs, read_identity)
        .with_context(|| format!("cannot list batch folder {}", root.display()))?;

    let in_shard = |folder: &str| shard.is_none_or(|s| s.contains(folder));
    let mut index = LinkIndex::default();
    if let Some(list) = watchlist {
        index.add_watchlist(list);
    }
    let mut members = Vec::new();
    let mut errors = Vec::new();
    let mut ids: BTreeMap<String, String> = BTreeMap::new();
    let mut total_accounts = 0;
    for account in found.accounts {
        let name = account.folder;
        match account.what {
            Ok((member, identity)) => {
                total_accounts += 1;
                if let Some(first) = ids.get(&member.id.to_lowercase()) {
                    if in_shard(&name) {
                        errors.push(AccountError {
                            folder: name.clone(),
                            account: Some(member.id.clone()),
                            error: format!(
                                "account id `{}` is also the id of folder {first}: give each account its own `id` in account.toml",
                                member.id
                            ),
                        });
                    }
                    continue;
                }
                index.add_account(
                    &member.id,
                    &identity.profile.related_accounts,
                    &identity.identifiers,
                );
                ids.insert(member.id.to_lowercase(), name.clone());
                if in_shard(&name) {
                    members.push(member);
                }
            }
            Err(error) => {
                total_accounts += 1;
                if in_shard(&name) {
                    errors.push(error);
                }
            }
        }
    }
    members.sort_by(|a, b| a.id.cmp(&b.id).then(a.folder.cmp(&b.folder)));
    errors.sort();
    Ok(Plan {
        members,
        errors,
        index,
        ignored: found.ignored,
        total_accounts,
    })
}

/// What the folder `name` under ROOT is: `None` when it is not an account
/// folder (it is searched for accounts instead), else the account's
/// identity, or why it cannot be read. A folder that cannot even be listed
/// may be an account, so it is one that could not be audited.
fn read_identity(name: &str, dir: &Path) -> Option<Result<(Member, Identity), AccountError>> {
    let found = match input::discover(dir) {
        Ok(found) => found,
        Err(err) => return Some(Err(account_error(name, None, &err))),
    };
    found
        .holds_account_files(dir)
        .then(|| read_profile_and_identifiers(name, dir, &found))
}

/// The error of the account folder `folder` (its id, when known).
fn account_error(folder: &str, account: Option<&str>, err: &anyhow::Error) -> AccountError {
    AccountError {
        folder: folder.to_string(),
        account: account.map(str::to_string),
        error: format!("{err:#}"),
    }
}

/// Reads an account folder's account.toml and identifiers.
fn read_profile_and_identifiers(
    name: &str,
    dir: &Path,
    found: &input::Discovered,
) -> Result<(Member, Identity), AccountError> {
    let fail = |account: Option<&str>, err: anyhow::Error| account_error(name, account, &err);
    // The id `ahr audit` of this folder would give, so the batch's report
    // of an account is that of auditing it alone.
    let default_id = input::folder_id(dir);
    let profile = match &found.profile {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {} as UTF-8 text", path.display()))
                .map_err(|e| fail(None, e))?;
            account::parse_profile(&display_name(path), &text, &default_id)
                .map_err(|rendered| fail(None, anyhow::anyhow!("{rendered}")))?
        }
        None => Profile {
            id: default_id,
            ..Profile::default()
        },
    };
    let mut identifiers = Vec::new();
    if let Some(path) = found.tables.get("identifiers") {
        let marketplace = profile.marketplace.as_deref();
        let ctx = ParseContext {
            date_style: marketplace.and_then(dates::DateStyle::for_marketplace),
        };
        let read = Table::open(path, &schema::IDENTIFIERS, marketplace == Some("JP"))
            .and_then(|mut table| records::read_all::<Identifier>(&mut table, &ctx));
        identifiers = read.map_err(|e| fail(Some(&profile.id), e))?.rows;
    }
    Ok((
        Member {
            folder: name.to_string(),
            dir: dir.to_path_buf(),
            id: profile.id.clone(),
        },
        Identity {
            profile,
            identifiers,
        },
    ))
}

/// Audits one member against the batch's index; the account's own waiver
/// file (`ahr.toml`) applies to it, as in `ahr audit`.
pub fn audit_report(
    member: &Member,
    policies: &PolicySet,
    options: &AuditOptions,
    index: &LinkIndex,
) -> Result<Report> {
    let waivers = crate::waivers::find(&member.dir, None)
        .map(|path| crate::waivers::load(&path, policies))
        .transpose()?;
    let review = audit::Review {
        waivers,
        source: Some(member.dir.display().to_string()),
    };
    audit::audit_dir_with(&member.dir, policies, options, &review, index)
}

/// Audits one member against the batch's index, its failures isolated.
pub fn audit_member(
    member: &Member,
    policies: &PolicySet,
    options: &AuditOptions,
    index: &LinkIndex,
) -> Result<Report, AccountError> {
    isolated(member, || audit_report(member, policies, options, index))
}

/// Runs `work` for one member: its error, or a panic (a bug, but one that
/// stays this account's error rather than the batch's end), becomes the
/// member's [`AccountError`].
pub fn isolated<T>(member: &Member, work: impl FnOnce() -> Result<T>) -> Result<T, AccountError> {
    let error = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)) {
        Ok(Ok(value)) => return Ok(value),
        Ok(Err(err)) => format!("{err:#}"),
        Err(_) => "internal error while auditing this account (a bug in ahr; please report it)"
            .to_string(),
    };
    Err(AccountError {
        folder: member.folder.clone(),
        account: Some(member.id.clone()),
        error,
    })
}

/// One line of the summary table.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SummaryRow {
    pub account: String,
    pub score: i64,
    pub band: String,
    /// The worst breached finding: "RULE (severity)".
    pub worst: Option<String>,
    pub findings: usize,
    pub linked_with: Vec<String>,
}

impl SummaryRow {
    pub fn new(report: &Report, linked: &BTreeMap<String, BTreeSet<String>>) -> SummaryRow {
        let worst = report
            .findings
            .iter()
            .filter(|f| f.status == FindingStatus::Breach)
            .max_by(|a, b| a.severity.cmp(&b.severity).then(b.rule.cmp(&a.rule)))
            .map(|f| format!("{} ({})", f.rule, f.severity));
        SummaryRow {
            account: report.account.id.clone(),
            score: report.score.value,
            band: report.score.band.clone(),
            worst,
            findings: report.findings.len(),
            linked_with: linked
                .get(&report.account.id)
                .map(|s| s.iter().cloned().collect())
                .unwrap_or_default(),
        }
    }
}

/// Sorts summary rows by risk: lowest score first, then account id.
pub fn sort_by_risk(rows: &mut [SummaryRow]) {
    rows.sort_by(|a, b| a.score.cmp(&b.score).then(a.account.cmp(&b.account)));
}

/// The batch's groups of linked accounts and, per account, who it is
/// linked with.
pub fn links(
    index: &LinkIndex,
    mask: bool,
) -> (Vec<linkage::Link>, BTreeMap<String, BTreeSet<String>>) {
    let links = index.links(mask);
    let with = linkage::linked_with(&links);
    (links, with)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_parse_and_split_every_folder_exactly_once() {
        assert_eq!("2/3".parse::<Shard>(), Ok(Shard { index: 2, count: 3 }));
        assert!("0/3".parse::<Shard>().is_err());
        assert!("4/3".parse::<Shard>().is_err());
        assert!("1-3".parse::<Shard>().is_err());
        let shards: Vec<Shard> = (1..=3).map(|k| Shard { index: k, count: 3 }).collect();
        let mut sizes = [0; 3];
        for n in 0..300 {
            let folder = format!("client-{n:04}");
            let owners: Vec<usize> = (0..3).filter(|&k| shards[k].contains(&folder)).collect();
            assert_eq!(owners.len(), 1, "{folder}");
            sizes[owners[0]] += 1;
        }
        assert!(sizes.iter().all(|&s| s > 70), "{sizes:?}");
    }

    #[test]
    fn parallel_hands_back_every_result_with_its_position() {
        let items: Vec<u64> = (0..100).collect();
        for jobs in [1, 2, 7] {
            let mut out = vec![0; items.len()];
            parallel(
                &items,
                jobs,
                |n| n * n,
                |i, r| {
                    out[i] = r;
                    Ok(())
                },
            )
            .unwrap();
            assert!(out.iter().enumerate().all(|(i, &r)| r == (i * i) as u64));
        }
    }

    #[test]
    fn an_error_or_a_panic_stays_the_accounts_own() {
        let member = Member {
            folder: "f".into(),
            dir: PathBuf::from("f"),
            id: "acme".into(),
        };
        assert_eq!(isolated(&member, || Ok(3)), Ok(3));
        let err = isolated::<()>(&member, || anyhow::bail!("orders.csv:1: bad")).unwrap_err();
        assert_eq!(err.account.as_deref(), Some("acme"));
        assert_eq!(err.error, "orders.csv:1: bad");
        let err = isolated::<()>(&member, || panic!("boom")).unwrap_err();
        assert!(err.error.contains("internal error"), "{}", err.error);
    }

    #[test]
    fn parallel_stops_on_the_callers_error() {
        let items: Vec<u64> = (0..1000).collect();
        let mut seen = 0;
        let result = parallel(
            &items,
            2,
            |n| *n,
            |_, _| {
                seen += 1;
                if seen == 3 {
                    anyhow::bail!("stop")
                }
                Ok(())
            },
        );
        assert!(result.is_err());
        assert_eq!(seen, 3);
    }
}
