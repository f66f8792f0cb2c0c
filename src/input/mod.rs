//! Reading an account folder: find the exports by file stem, decode them,
//! and stream each into typed records. Nothing here judges the data; it
//! only reads it, and says what it could not read.

pub mod account;
pub mod blocks;
pub mod dates;
pub mod decode;
pub mod folders;
pub mod native;
pub mod orders;
pub mod performance;
pub mod records;
pub mod returns;
pub mod schema;
mod stream;
pub mod strings;
pub mod table;
pub mod values;

use crate::i18n::plural;
use crate::parallel;
use anyhow::{Context, Result, bail};
use records::{
    Chargeback, Claim, Complaint, Feedback, HealthDay, Identifier, Insert, Message, Offer,
    ParseContext, Record, Review, Source,
};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use table::{InputReport, Table, display_name};

pub use account::Profile;
pub use orders::{
    Amount, Asins, BuyerId, Order, OrderId, Orders, PackedStamp, Reach, Sale, Tracking, VolumeOrder,
};

/// Everything read from one account folder.
#[derive(Debug, Default)]
pub struct Account {
    pub dir: PathBuf,
    pub profile: Profile,
    pub orders: Option<Orders>,
    pub feedback: Option<Source<Feedback>>,
    pub claims: Option<Source<Claim>>,
    pub chargebacks: Option<Source<Chargeback>>,
    pub messages: Option<Source<Message>>,
    pub inserts: Option<Source<Insert>>,
    pub reviews: Option<Source<Review>>,
    pub offers: Option<Source<Offer>>,
    pub complaints: Option<Source<Complaint>>,
    pub identifiers: Option<Source<Identifier>>,
    pub health_history: Option<Source<HealthDay>>,
    pub performance: Option<performance::PerformanceReport>,
    /// Amazon's returns reports (FBA and seller-fulfilled), one per file.
    pub returns: Vec<Source<returns::Return>>,
    /// A-to-z claims the seller-fulfilled returns report marks (`A-to-Z
    /// Claim = Y`), one source per returns file; counted beside `claims`.
    pub return_claims: Vec<Source<Claim>>,
    /// One entry per file read, in the order the report lists them.
    pub inputs: Vec<InputReport>,
    /// Files and folders in the account folder that ahr does not read.
    pub ignored: Vec<String>,
}

/// The files of an account folder, sorted into what ahr reads and what not.
#[derive(Debug, Default)]
pub struct Discovered {
    pub tables: BTreeMap<&'static str, PathBuf>,
    pub profile: Option<PathBuf>,
    pub performance: Option<PathBuf>,
    pub ignored: Vec<String>,
}

impl Discovered {
    /// Whether the folder `dir`, listed as `self`, holds a file the audit
    /// reads: an export named for its stem, `performance.json`,
    /// `account.toml`, or one of Amazon's reports under its download name
    /// (known by its header, as the audit knows it). This is what makes a
    /// folder an account folder, for `ahr batch` (which audits it and
    /// searches any other folder for accounts) and for `ahr audit` (which
    /// refuses any other folder, so a CI job whose export step failed or
    /// whose path is wrong does not pass its gate on an empty report).
    ///
    /// `account.toml` alone is enough: only an account folder has one, and
    /// it says which account the folder is, so the folder is audited (its
    /// report says that without orders no rate can be computed) rather than
    /// searched as a folder of accounts or dropped from a batch.
    pub fn holds_account_files(&self, dir: &Path) -> bool {
        // Without account.toml there is no marketplace to say the exports
        // are Japanese: the audit looks at the headers as read here.
        let japanese = false;
        !self.tables.is_empty()
            || self.profile.is_some()
            || self.performance.is_some()
            || self.ignored.iter().any(|name| {
                native_report_format(dir, name, japanese).is_some()
                    || is_performance_report(dir, name)
            })
    }
}

/// The folder's own name, the account id when `account.toml` gives none.
/// Resolved first, so `.` and a link are named for the folder they are.
pub fn folder_id(dir: &Path) -> String {
    dir.canonicalize()
        .ok()
        .as_deref()
        .and_then(Path::file_name)
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "account".to_string())
}

/// The stem a file is found by: `Orders.CSV.gz` is `orders`. `None` for
/// extensions ahr does not read.
fn table_stem(name: &str) -> Option<String> {
    let lower = name.to_lowercase();
    let lower = lower.strip_suffix(".gz").unwrap_or(&lower);
    let (stem, ext) = lower.rsplit_once('.')?;
    matches!(ext, "csv" | "tsv" | "txt").then(|| without_copy_number(stem).to_string())
}

/// `orders (1)` is `orders`: the name a browser gives a second download of
/// `orders.csv`.
fn without_copy_number(stem: &str) -> &str {
    let Some((base, number)) = stem.strip_suffix(')').and_then(|s| s.rsplit_once(" (")) else {
        return stem;
    };
    if !base.is_empty() && !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit()) {
        base
    } else {
        stem
    }
}

/// Whether ahr reads a file named `name` whatever it holds: what a user
/// means to be read. A file under another name may still be one of
/// Amazon's reports, but only its header says so.
fn named_like_an_input(name: &str) -> bool {
    let lower = name.to_lowercase();
    matches!(
        lower.as_str(),
        "account.toml" | "performance.json" | "performance.json.gz"
    ) || table_stem(&lower)
        .is_some_and(|stem| schema::by_stem(&stem).is_some() || native::by_stem(&stem).is_some())
}

/// The error for a link named like an input (`orders.csv`) that leads
/// nowhere: the export it stands for cannot be read, and reading the
/// folder as if it had none would report rates without its data.
fn broken_input_link(path: &Path) -> anyhow::Error {
    let target = std::fs::read_link(path)
        .map(|target| target.display().to_string())
        .unwrap_or_else(|_| "a path that cannot be read".to_string());
    let leads = match std::fs::metadata(path) {
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            "which does not exist".to_string()
        }
        Err(err) => format!("which cannot be followed ({err})"),
        Ok(_) => "which is not a file".to_string(),
    };
    anyhow::anyhow!(
        "cannot open {}: it is a link to {target}, {leads}; point the link at the export \
         file, or put the file itself in its place",
        path.display()
    )
}

/// Lists an account folder. Two files for one export is an error: ahr will
/// not guess which one the user meant.
pub fn discover(dir: &Path) -> Result<Discovered> {
    let meta = std::fs::metadata(dir).with_context(|| {
        format!(
            "cannot open account folder {}: check the path",
            dir.display()
        )
    })?;
    if !meta.is_dir() {
        bail!(
            "{} is a file, not an account folder: pass the folder that holds orders.csv and the other exports",
            dir.display()
        );
    }
    let mut names: Vec<(String, PathBuf, bool)> = Vec::new();
    for entry in std::fs::read_dir(dir).with_context(|| {
        format!(
            "cannot list account folder {}: make it readable by the user running ahr \
             (for example `chmod u+rx`)",
            dir.display()
        )
    })? {
        let entry =
            entry.with_context(|| format!("cannot list account folder {}", dir.display()))?;
        let path = entry.path();
        // Follows links: a linked export is still the user's export. A
        // dangling link or a loop reads as "not a file" and is ignored.
        let is_file = path.is_file();
        names.push((display_name(&path), path, is_file));
    }
    names.sort();
    let mut found = Discovered::default();
    for (name, path, is_file) in names {
        let lower = name.to_lowercase();
        // ahr's own files beside the exports: the waiver file and the
        // policy folder `ahr init` writes. Read by the audit, not exports.
        if (!is_file && lower == "policies") || (is_file && lower == "ahr.toml") {
            continue;
        }
        if !is_file {
            // Say why a link is skipped: a dangling or looping `orders.csv`
            // link must not pass for a folder the user left there.
            let broken_link = std::fs::symlink_metadata(&path)
                .is_ok_and(|m| m.file_type().is_symlink())
                && std::fs::metadata(&path).is_err();
            if broken_link && named_like_an_input(&name) {
                return Err(broken_input_link(&path));
            } else if broken_link {
                found
                    .ignored
                    .push(format!("{name} (a link that leads nowhere or to itself)"));
            } else if path.is_dir() {
                found.ignored.push(format!("{name}/"));
            } else {
                found.ignored.push(format!("{name} (not a regular file)"));
            }
            continue;
        }
        if lower == "account.toml" {
            found.profile = Some(path);
        } else if lower == "performance.json" || lower == "performance.json.gz" {
            found.performance = Some(path);
        } else if let Some(schema) = table_stem(&name).and_then(|s| schema::by_stem(&s)) {
            if let Some(previous) = found.tables.insert(schema.stem, path.clone()) {
                bail!(
                    "{} holds two {} files, {} and {}: keep one of them",
                    dir.display(),
                    schema.stem,
                    display_name(&previous),
                    name
                );
            }
        } else {
            found.ignored.push(name);
        }
    }
    Ok(found)
}

/// Reads one account folder. `reach` bounds which orders are kept.
pub fn load_account(dir: &Path, reach: Reach) -> Result<Account> {
    begin_account(dir)?.finish(reach)
}

/// An account folder whose exports besides orders are read: what reading
/// it needs no policies for. The policies say how far back orders are
/// kept, so a caller can read these while it loads them.
pub struct Begun {
    account: Account,
    found: Discovered,
    ctx: ParseContext,
    japanese: bool,
    /// Each table's reading, in name order; `None` for orders.
    early: Vec<Option<Result<(Store, InputReport)>>>,
}

/// Finds the exports of an account folder and reads those besides orders.
/// An error in one of them is kept until [`Begun::finish`] meets it in name
/// order, so the error reported is the one reading them in turn would meet.
pub fn begin_account(dir: &Path) -> Result<Begun> {
    let mut found = discover(dir)?;
    if !found.holds_account_files(dir) {
        return Err(nothing_to_audit(dir, &found));
    }
    let folder_name = folder_id(dir);
    let profile = match &found.profile {
        Some(path) => {
            let text = read_small_text(path)?;
            account::parse_profile(&display_name(path), &text, &folder_name)
                .map_err(|rendered| anyhow::Error::new(crate::policy::LocatedErrors(rendered)))?
        }
        None => Profile {
            id: folder_name,
            ..Profile::default()
        },
    };
    let ctx = ParseContext {
        date_style: profile
            .marketplace
            .as_deref()
            .and_then(dates::DateStyle::for_marketplace),
    };
    let japanese = profile.marketplace.as_deref() == Some("JP");
    let account = Account {
        dir: dir.to_path_buf(),
        profile,
        ignored: std::mem::take(&mut found.ignored),
        ..Account::default()
    };
    // The exports besides orders are read side by side when there is
    // enough of them to pay (the orders file splits itself over the
    // cores), and taken in name order, so the first error is the one
    // reading them one after another would meet.
    let tables: Vec<(&str, &Path)> = found
        .tables
        .iter()
        .map(|(stem, path)| (*stem, path.as_path()))
        .collect();
    let others: u64 = tables
        .iter()
        .filter(|(stem, _)| *stem != "orders")
        .filter_map(|(_, path)| std::fs::metadata(path).ok())
        .map(|m| m.len())
        .sum();
    let threads = if others >= SIDE_BY_SIDE_FROM {
        parallel::cores()
    } else {
        1
    };
    let (_, early) = parallel::share_out(
        threads,
        &tables,
        || (),
        |_, &(stem, path)| (stem != "orders").then(|| read_table(stem, path, &ctx, japanese)),
    );
    Ok(Begun {
        account,
        found,
        ctx,
        japanese,
        early,
    })
}

/// Why a folder without a file the audit reads is not audited, and what to
/// do: a folder of account folders is a batch; any other is most likely the
/// wrong path, or the place an export step should have written to.
fn nothing_to_audit(dir: &Path, found: &Discovered) -> anyhow::Error {
    let shown = dir.display();
    // Only folders seen to hold exports are named: a folder that cannot be
    // listed (a batch reports it as an account it could not audit) is no
    // advice to give.
    let is_account = |_: &str, path: &Path| {
        discover(path)
            .is_ok_and(|f| f.holds_account_files(path))
            .then_some(())
    };
    let below = folders::account_folders(dir, parallel::cores(), is_account)
        .map(|tree| tree.accounts)
        .unwrap_or_default();
    if let Some(first) = below.first() {
        let names: Vec<String> = below.iter().map(|a| a.folder.clone()).collect();
        return anyhow::anyhow!(
            "{shown} is not an account folder: it holds no exports of its own but {} below it \
             ({}); audit them together with `ahr batch {shown}`, or one of them with `ahr audit {}`",
            plural(names.len() as u64, "account folder", "account folders"),
            first_few(&names),
            first.dir.display()
        );
    }
    let what = if !found.ignored.is_empty() {
        format!("it holds only {}", first_few(&found.ignored))
    } else if std::fs::read_dir(dir).is_ok_and(|mut entries| entries.next().is_none()) {
        "it is empty".to_string()
    } else {
        "it holds only ahr's own ahr.toml or policies/".to_string()
    };
    anyhow::anyhow!(
        "{shown} holds no export ahr reads ({what}): check the path, and that the step that \
         downloads the exports wrote them there; ahr reads files named orders, feedback, claims, \
         messages, … (.csv, .tsv or .txt), Amazon's reports as downloaded, performance.json and \
         account.toml"
    )
}

/// `names` joined by commas, the first few of them when they are many.
fn first_few(names: &[String]) -> String {
    const SHOWN: usize = 5;
    let mut text = names
        .iter()
        .take(SHOWN)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > SHOWN {
        text.push_str(&format!(" and {} more", names.len() - SHOWN));
    }
    text
}

impl Begun {
    /// Reads the orders, keeping those `reach` reaches, and the rest.
    pub fn finish(self, reach: Reach) -> Result<Account> {
        let Begun {
            mut account,
            found,
            ctx,
            japanese,
            early,
        } = self;
        for (path, early) in found.tables.values().zip(early) {
            let (store, report) = match early {
                Some(read) => read?,
                None => read_orders_file(path, &ctx, reach, japanese)?,
            };
            store(&mut account);
            account.inputs.push(report);
        }
        read_native_reports(&mut account, &ctx, reach, japanese)?;
        // Every file that lists or fills in orders is read: their strings
        // are only looked up from here on.
        if let Some(orders) = &mut account.orders {
            orders.strings.seal();
        }
        let performance_path = found
            .performance
            .clone()
            .or_else(|| take_performance_report(&mut account));
        if let Some(path) = &performance_path {
            read_performance_report(&mut account, path, japanese)?;
        }
        account.inputs.sort_by_key(|i| input_rank(&i.kind));
        Ok(account)
    }
}

/// Reads Amazon's account performance report (JSON) into the account.
fn read_performance_report(account: &mut Account, path: &Path, japanese: bool) -> Result<()> {
    let decoded = decode::open_text(path, japanese)?;
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(
        &mut std::io::Read::take(decoded.reader, MAX_JSON_BYTES),
        &mut bytes,
    )
    .with_context(|| format!("cannot read {}", path.display()))?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        // As an empty export is: a failed download of an optional file
        // says so and does not stop the audit (or one account of a batch).
        let mut input = InputReport::new(
            &display_name(path),
            "performance",
            "amazon-seller-performance-v2",
            decoded.encoding.as_str(),
        );
        input.problem(
            None,
            "the file is empty: read as no performance report; download it again if it \
             should have one",
        );
        account.inputs.push(input);
        return Ok(());
    }
    let report = performance::parse_performance_report(&bytes)
        .with_context(|| format!("{}: not a readable performance report", display_name(path)))?;
    let mut input = InputReport::new(
        &display_name(path),
        "performance",
        "amazon-seller-performance-v2",
        decoded.encoding.as_str(),
    );
    input.rows = report.marketplaces.len() as u64;
    for warning in &report.warnings {
        input.problem(None, warning.clone());
    }
    account.inputs.push(input);
    account.performance = Some(report);
    Ok(())
}

const MAX_JSON_BYTES: u64 = 64 << 20;

/// Bytes of exports besides orders from which reading them side by side
/// pays; below it, as in most accounts of a batch, one thread reads them.
const SIDE_BY_SIDE_FROM: u64 = 8 << 20;

/// What reading one export leaves to do: keep its records in the account.
type Store = Box<dyn FnOnce(&mut Account) + Send>;

/// Opens an export file named for its `stem`.
fn open_table(stem: &str, path: &Path, japanese: bool) -> Result<Table> {
    let schema = schema::by_stem(stem).expect("discovered stems come from the schemas");
    // A file named for its export may still be Amazon's own layout of it
    // (a localized feedback report saved as feedback.txt).
    let same_export = |f: &&native::NativeFormat| f.kind == stem && f.schema.stem == stem;
    match native_format_of(path, japanese).filter(same_export) {
        Some(format) => Table::open_native(path, format, japanese),
        None => Table::open(path, schema, japanese),
    }
}

/// Reads the orders file, keeping the orders `reach` reaches.
fn read_orders_file(
    path: &Path,
    ctx: &ParseContext,
    reach: Reach,
    japanese: bool,
) -> Result<(Store, InputReport)> {
    let mut table = open_table("orders", path, japanese)?;
    let orders = orders::read_orders(&mut table, ctx, reach)?;
    Ok((Box::new(|a| a.orders = Some(orders)), table.into_report()))
}

/// Reads one export file besides orders, named for its `stem`.
fn read_table(
    stem: &str,
    path: &Path,
    ctx: &ParseContext,
    japanese: bool,
) -> Result<(Store, InputReport)> {
    let mut table = open_table(stem, path, japanese)?;
    let store: Store = match stem {
        "feedback" if table.report.format != "canonical" => {
            let (feedback, report) =
                read_feedback_report(table, || open_table(stem, path, japanese), ctx)?;
            let store: Store = Box::new(|a| a.feedback = Some(feedback));
            return Ok((store, report));
        }
        "feedback" => keep(read(&mut table, ctx)?, |a, s| a.feedback = Some(s)),
        "claims" => keep(read(&mut table, ctx)?, |a, s| a.claims = Some(s)),
        "chargebacks" => keep(read(&mut table, ctx)?, |a, s| a.chargebacks = Some(s)),
        "messages" => keep(read(&mut table, ctx)?, |a, s| a.messages = Some(s)),
        "inserts" => keep(read(&mut table, ctx)?, |a, s| a.inserts = Some(s)),
        "reviews" => keep(read(&mut table, ctx)?, |a, s| a.reviews = Some(s)),
        "offers" => keep(read(&mut table, ctx)?, |a, s| a.offers = Some(s)),
        "complaints" => keep(read(&mut table, ctx)?, |a, s| a.complaints = Some(s)),
        "identifiers" => keep(read(&mut table, ctx)?, |a, s| a.identifiers = Some(s)),
        "health_history" => keep(read(&mut table, ctx)?, |a, s| a.health_history = Some(s)),
        // Orders need their reach: see `read_orders_file`.
        other => unreachable!("schema `{other}` has no reader"),
    };
    Ok((store, table.into_report()))
}

/// A [`Store`] putting `records` where `put` says.
fn keep<T: Send + 'static>(records: T, put: fn(&mut Account, T)) -> Store {
    Box::new(move |account| put(account, records))
}

/// The native format of a file, judged by its first lines; `None` when it
/// is not one or cannot be read (reading it for real reports why).
fn native_format_of(path: &Path, japanese: bool) -> Option<&'static native::NativeFormat> {
    native::peek(path, japanese)
        .ok()
        .and_then(|p| native::recognise(&p))
}

/// Reads the files whose names ahr does not know but whose headers are one
/// of Amazon's reports (`All Orders Report_12345.txt`, returns, listings),
/// in name order. Where such a file feeds an export already read:
/// - orders: the first file read (orders.csv, else the first by name) stays
///   the list of orders; the others fill in what it lacks (ship dates, a
///   fulfillment channel) for the same order ids;
/// - feedback: two files are an error, as for two feedback.csv files;
/// - claims: claims from returns count beside claims.csv (an order with a
///   claim in both is one defective order);
/// - offers: an offers file wins over the listings report, which is then
///   listed with a note and not used.
fn read_native_reports(
    account: &mut Account,
    ctx: &ParseContext,
    reach: Reach,
    japanese: bool,
) -> Result<()> {
    let mut ignored = Vec::new();
    let mut natives = Vec::new();
    for name in std::mem::take(&mut account.ignored) {
        match native_report_format(&account.dir, &name, japanese) {
            Some(format) => natives.push((account.dir.join(&name), format)),
            None => ignored.push(name),
        }
    }
    account.ignored = ignored;
    // Shipments fill in orders, so they come after every file that lists orders.
    natives.sort_by_key(|(_, format)| format.name == native::SHIPMENTS.name);
    for (path, format) in natives {
        let mut table = Table::open_native(&path, format, japanese)?;
        match format.kind {
            "orders" => {
                let orders = orders::read_orders(&mut table, ctx, reach)?;
                match &mut account.orders {
                    None if format.name == native::SHIPMENTS.name => table.report.problem(
                        None,
                        "no orders file lists the orders these shipments belong to; not used",
                    ),
                    None => account.orders = Some(orders),
                    Some(primary) => {
                        let primary_file = primary.file.clone();
                        let unknown = primary.fill_from(orders);
                        table.report.problem(
                            None,
                            format!(
                                "read with {primary_file}, which lists the orders: this file only fills in what {primary_file} lacks for the same orders"
                            ),
                        );
                        if unknown > 0 {
                            table.report.problem(
                                None,
                                format!(
                                    "{} not in {primary_file} and not counted",
                                    plural(unknown, "order is", "orders are")
                                ),
                            );
                        }
                    }
                }
            }
            "feedback" => {
                if let Some(existing) = &account.feedback {
                    bail!(
                        "{} holds two feedback files, {} and {}: keep one of them",
                        account.dir.display(),
                        existing.file,
                        table.report.file
                    );
                }
                let reopen = || Table::open_native(&path, format, japanese);
                let (feedback, report) = read_feedback_report(table, reopen, ctx)?;
                account.feedback = Some(feedback);
                account.inputs.push(report);
                continue;
            }
            "returns" => {
                let source: Source<returns::Return> = records::read_all(&mut table, ctx)?;
                if format.name == native::FBM_RETURNS.name {
                    account
                        .return_claims
                        .push(returns::claims_from_returns(&source));
                }
                account.returns.push(source);
            }
            "offers" => {
                let seller_id = account
                    .profile
                    .seller_id
                    .clone()
                    .unwrap_or_else(|| account.profile.id.clone());
                let offers = returns::read_listings(
                    &mut table,
                    ctx,
                    &seller_id,
                    account.profile.name.as_deref(),
                )?;
                match &account.offers {
                    None => account.offers = Some(offers),
                    Some(existing) => table.report.problem(
                        None,
                        format!(
                            "{} lists the offers; this listings report is not used",
                            existing.file
                        ),
                    ),
                }
            }
            other => unreachable!("native format kind `{other}` has no reader"),
        }
        account.inputs.push(table.into_report());
    }
    Ok(())
}

/// The Amazon report an ignored entry `name` of the folder `dir` is, known
/// by its name (`shipments.csv`) or its header (`All Orders Report_1.txt`).
fn native_report_format(
    dir: &Path,
    name: &str,
    japanese: bool,
) -> Option<&'static native::NativeFormat> {
    let stem = (!name.ends_with('/')).then(|| table_stem(name)).flatten()?;
    native::by_stem(&stem).or_else(|| native_format_of(&dir.join(name), japanese))
}

/// A JSON file under another name than performance.json (as the SP-API
/// download saves it) that holds Amazon's seller performance report: the
/// first by name whose opening names `performanceMetrics` or
/// `accountStatuses`. It leaves the ignored list.
fn take_performance_report(account: &mut Account) -> Option<PathBuf> {
    let position = account
        .ignored
        .iter()
        .position(|name| is_performance_report(&account.dir, name))?;
    let name = account.ignored.remove(position);
    Some(account.dir.join(name))
}

/// Whether the ignored entry `name` of the folder `dir` is Amazon's seller
/// performance report under another name.
fn is_performance_report(dir: &Path, name: &str) -> bool {
    let lower = name.to_lowercase();
    (lower.ends_with(".json") || lower.ends_with(".json.gz"))
        && looks_like_performance_report(&dir.join(name))
}

fn looks_like_performance_report(path: &Path) -> bool {
    let Ok(decoded) = decode::open_text(path, false) else {
        return false;
    };
    let mut head = Vec::new();
    if std::io::Read::read_to_end(&mut std::io::Read::take(decoded.reader, 1 << 16), &mut head)
        .is_err()
    {
        return false;
    }
    let head = String::from_utf8_lossy(&head);
    head.trim_start().starts_with('{')
        && ["\"performanceMetrics\"", "\"accountStatuses\""]
            .iter()
            .any(|key| head.contains(key))
}

/// Reads Amazon's feedback report from `table`. Its dates follow the
/// marketplace (US `1/13/17`, DE `13.1.17`, JP `17/1/13`). When a date
/// cannot be settled that way, the file is opened again by `reopen` and
/// read in the order the file itself shows, with a note saying so:
/// - no marketplace named and a date reads two ways: the order of the
///   marketplace the raters' addresses are at (`…@marketplace.amazon.nl`),
///   else the one order that reads every date (see
///   [`dates::DateStyle::inferred`]);
/// - the named marketplace's order cannot read some dates, and another
///   reads them all: that other, since the first both drops rows and
///   swaps day and month in the rest.
///
/// When nothing decides an ambiguous date, the audit stops rather than
/// drop the negative feedback such a row may hold, which would understate
/// the order defect rate.
fn read_feedback_report(
    mut table: Table,
    reopen: impl Fn() -> Result<Table>,
    ctx: &ParseContext,
) -> Result<(Source<Feedback>, InputReport)> {
    let cols = Feedback::columns(&table);
    let rater_column = table.index("rater_email");
    let mut rows = Vec::new();
    let mut comments = strings::Strings::default();
    // The first row whose date the marketplace's order did not settle.
    let mut unsettled: Option<(u64, String)> = None;
    let mut rater_marketplaces: BTreeSet<&'static str> = BTreeSet::new();
    table.for_each_row(|row| {
        if let Ok(Some(email)) = row.get(rater_column)
            && let Some(marketplace) = native::marketplace_of_rater(email)
        {
            rater_marketplaces.insert(marketplace);
        }
        match Feedback::parse(row, &cols, ctx, &mut comments) {
            Ok(f) => {
                rows.push(f);
                Ok(())
            }
            Err(why) => {
                let undecided = why.contains("ambiguous") || why.contains("the date order of");
                if undecided && unsettled.is_none() {
                    unsettled = Some((row.line, why.clone()));
                }
                Err(why)
            }
        }
    })?;
    // Kept to the end of the audit, as `records::read_all` keeps rows.
    rows.shrink_to_fit();
    comments.seal();
    let read_as_is = |table: Table, rows, texts| {
        let source = Source {
            file: table.report.file.clone(),
            rows,
            texts,
        };
        Ok((source, table.into_report()))
    };
    let Some((line, why)) = unsettled else {
        return read_as_is(table, rows, comments);
    };
    // Which order reads every date: the file is read again for its dates,
    // since this is rare and they are not worth keeping for every file.
    let date_texts = date_texts(reopen()?)?;
    let texts: Vec<&str> = date_texts.iter().map(String::as_str).collect();
    let reads_every = |style: dates::DateStyle| {
        texts
            .iter()
            .all(|t| dates::parse_stamp(t, Some(style)).is_ok())
    };
    let settled = match ctx.date_style {
        None => {
            let from_raters = match rater_marketplaces.iter().collect::<Vec<_>>()[..] {
                [&marketplace] => dates::DateStyle::for_marketplace(marketplace)
                    .filter(|&style| reads_every(style))
                    .map(|style| {
                        let why = format!(
                            "the order of marketplace {marketplace}, which the raters' \
                             addresses (@marketplace.amazon…) name"
                        );
                        (style, why)
                    }),
                _ => None,
            };
            from_raters.or_else(|| {
                dates::DateStyle::inferred(texts.iter().copied()).map(|style| {
                    let why = "the order under which every date in this file is a date and \
                               they lie closest together"
                        .to_string();
                    (style, why)
                })
            })
        }
        Some(named) => dates::DateStyle::reading_every(&texts)
            .filter(|&style| style != named)
            .map(|style| {
                let why = format!(
                    "not {}, the marketplace's order, under which some are not dates: \
                     {} reads every date in this file",
                    named.pattern(),
                    style.pattern()
                );
                (style, why)
            }),
    };
    let Some((style, reason)) = settled else {
        if ctx.date_style.is_some() {
            // A date the named order cannot read and no other order reads
            // every date: the date is wrong, and its row is a problem.
            return read_as_is(table, rows, comments);
        }
        bail!(
            "{}:{line}: {why}\n  help: Amazon's feedback report writes dates in the marketplace's order \
             (US 1/13/17, DE 13.1.17, JP 17/1/13, most others 13/1/17); add the account's \
             marketplace to account.toml, for example marketplace = \"DE\"",
            table.report.file
        );
    };
    let note = match ctx.date_style {
        None => format!(
            "no marketplace in account.toml: dates read as {}, {reason}; set marketplace to be sure",
            style.pattern()
        ),
        Some(_) => format!(
            "dates read as {}, {reason}; check marketplace in account.toml",
            style.pattern()
        ),
    };
    let ctx = ParseContext {
        date_style: Some(style),
    };
    let mut table = reopen()?;
    let source = records::read_all::<Feedback>(&mut table, &ctx)?;
    table.report.problem(None, note);
    Ok((source, table.into_report()))
}

/// The text of every date cell of `table`.
fn date_texts(mut table: Table) -> Result<Vec<String>> {
    let column = table.index("date");
    let mut texts = Vec::new();
    table.for_each_row(|row| {
        if let Ok(Some(text)) = row.get(column) {
            texts.push(text.to_string());
        }
        Ok(())
    })?;
    Ok(texts)
}

fn input_rank(kind: &str) -> usize {
    schema::ALL
        .iter()
        .position(|s| s.stem == kind)
        .unwrap_or(schema::ALL.len())
}

fn read<T: Record>(table: &mut Table, ctx: &ParseContext) -> Result<Source<T>> {
    records::read_all(table, ctx)
}

/// account.toml is a few lines; anything past this is not a profile.
const MAX_PROFILE_BYTES: u64 = 1 << 20;

fn read_small_text(path: &Path) -> Result<String> {
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| {
            std::io::Read::read_to_end(
                &mut std::io::Read::take(f, MAX_PROFILE_BYTES + 1),
                &mut bytes,
            )
        })
        .with_context(|| {
            format!(
                "cannot read {}: check that it is a readable file",
                path.display()
            )
        })?;
    if bytes.len() as u64 > MAX_PROFILE_BYTES {
        bail!(
            "{} is larger than {MAX_PROFILE_BYTES} bytes: an account profile is a few lines of TOML; \
             check that the right file is named account.toml",
            path.display()
        );
    }
    String::from_utf8(bytes).map_err(|e| {
        anyhow::anyhow!(
            "{}: not UTF-8 text (invalid byte at offset {}); save it as UTF-8",
            path.display(),
            e.utf8_error().valid_up_to()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A scratch account folder, removed when dropped.
    struct Folder(tempfile::TempDir);

    impl Folder {
        fn new(name: &str) -> Folder {
            let dir = tempfile::Builder::new()
                .prefix(&format!("ahr-input-{name}-"))
                .tempdir()
                .unwrap();
            Folder(dir)
        }
        fn path(&self) -> &Path {
            self.0.path()
        }
        fn write(&self, name: &str, bytes: &[u8]) -> &Folder {
            std::fs::write(self.path().join(name), bytes).unwrap();
            self
        }
    }

    fn reach() -> Reach {
        Reach {
            as_of: None,
            horizon_days: 180,
            detail_days: 180,
        }
    }

    #[test]
    fn tab_files_keep_stray_quotes_as_data() {
        let f = Folder::new("tab-quotes");
        f.write(
            "messages.txt",
            b"sent_at\tbody\torder_id\n2026-11-01\tThe \"Deluxe\" model ships Monday\t113-1\n2026-11-02\tSize 10\" fits\t113-2\n",
        );
        let account = load_account(f.path(), reach()).unwrap();
        let messages = account.messages.unwrap();
        assert_eq!(messages.rows.len(), 2);
        let body = |i: usize| &messages.texts[messages.rows[i].body];
        assert_eq!(body(0), "The \"Deluxe\" model ships Monday");
        assert_eq!(body(1), "Size 10\" fits");
        assert_eq!(messages.rows[1].line, 3);
    }

    #[test]
    fn a_template_sent_to_many_buyers_is_kept_once() {
        let f = Folder::new("templates");
        f.write(
            "messages.csv",
            b"sent_at,order_id,subject,body\n\
              2026-11-01,113-1,Thank you,Please tell us how we did.\n\
              2026-11-02,113-2,Thank you,Please tell us how we did.\n\
              2026-11-03,113-3,,Your parcel is late.\n",
        );
        let account = load_account(f.path(), reach()).unwrap();
        let messages = account.messages.unwrap();
        let [first, second, third] = &messages.rows[..] else {
            panic!("three messages: {:?}", messages.rows);
        };
        assert_eq!((first.subject, first.body), (second.subject, second.body));
        assert_eq!(messages.texts.len(), 3, "subject and two bodies");
        let text = |m: &Message| m.text(&messages.texts).into_owned();
        assert_eq!(text(second), "Thank you\nPlease tell us how we did.");
        assert_eq!(third.subject, None);
        assert_eq!(text(third), "Your parcel is late.");
        assert_eq!(second.order_id, Some("113-2".into()));
    }

    #[test]
    fn a_skipped_row_keeps_no_text() {
        let f = Folder::new("skipped-texts");
        // The second row's comment is read before its missing order id.
        f.write(
            "feedback.csv",
            b"date,rating,comments,order_id\n\
              2026-11-01,5,Great seller,113-1\n\
              2026-11-02,1,Never kept,\n",
        );
        let account = load_account(f.path(), reach()).unwrap();
        let feedback = account.feedback.unwrap();
        assert_eq!(feedback.rows.len(), 1);
        assert_eq!(feedback.texts.len(), 1, "only the first row's comment");
        assert_eq!(account.inputs[0].skipped, 1);
    }

    #[test]
    fn item_rows_of_one_order_are_one_order_at_its_first_line() {
        let f = Folder::new("items");
        f.write(
            "orders.csv",
            b"order_id,purchase_date,status,asin\r\n\
              113-1,2026-11-01T10:00:00Z,Shipped,B01\r\n\
              113-2,2026-11-02T10:00:00Z,Shipped,B01\r\n\
              \r\n\
              113-1,2026-11-01T10:00:00Z,Shipped,B02\r\n",
        );
        let account = load_account(f.path(), reach()).unwrap();
        let orders = account.orders.unwrap();
        assert_eq!(orders.orders.len(), 2);
        assert_eq!(orders.orders[0].id, "113-1");
        assert_eq!(orders.orders[0].line, 2);
        assert_eq!(orders.latest_purchase.unwrap().to_string(), "2026-11-02");
        assert!(!orders.has_fulfillment);
        assert_eq!(account.inputs[0].rows, 3, "the blank line is not a row");
    }

    #[test]
    fn rows_wider_than_the_header_are_skipped_and_located() {
        let f = Folder::new("ragged");
        f.write(
            "claims.csv",
            b"order_id,filed_at,status\n113-1,2026-11-01,open\n113-2,2026-11-02,open,extra,fields\n113-3,2026-11-03\n",
        );
        let account = load_account(f.path(), reach()).unwrap();
        assert_eq!(
            account.claims.unwrap().rows.len(),
            2,
            "a short row reads its missing cells as empty"
        );
        let input = &account.inputs[0];
        assert_eq!(input.skipped, 1);
        assert_eq!(input.problems[0].line, Some(3));
    }

    #[test]
    fn two_files_for_one_export_is_an_error() {
        let f = Folder::new("twice");
        f.write("orders.csv", b"order_id,purchase_date\n")
            .write("Orders.tsv", b"order_id\tpurchase_date\n");
        let err = load_account(f.path(), reach()).unwrap_err().to_string();
        assert!(err.contains("two orders files"), "{err}");
    }

    #[test]
    fn of_several_broken_exports_the_first_by_name_is_reported() {
        let f = Folder::new("broken");
        f.write("orders.csv", b"purchase_date\n2026-11-01\n")
            .write("feedback.csv", b"comments\nslow\n")
            .write("reviews.csv", b"body\nnice\n");
        let err = format!("{:#}", load_account(f.path(), reach()).unwrap_err());
        assert!(err.contains("feedback.csv"), "{err}");
        std::fs::remove_file(f.path().join("feedback.csv")).unwrap();
        let err = format!("{:#}", load_account(f.path(), reach()).unwrap_err());
        assert!(
            err.contains("orders.csv") && !err.contains("reviews.csv"),
            "{err}"
        );
    }

    #[test]
    fn unknown_files_and_folders_are_listed_not_read() {
        let f = Folder::new("ignored");
        f.write("notes.md", b"hello")
            .write("orders.xlsx", b"PK")
            .write("feedback.csv", b"date,rating,order_id\n");
        std::fs::create_dir_all(f.path().join("old")).unwrap();
        let account = load_account(f.path(), reach()).unwrap();
        assert_eq!(account.ignored, ["notes.md", "old/", "orders.xlsx"]);
        assert!(account.orders.is_none());
        // Without the feedback file, nothing in the folder is an export.
        std::fs::remove_file(f.path().join("feedback.csv")).unwrap();
        let err = load_account(f.path(), reach()).unwrap_err().to_string();
        assert!(
            err.contains("no export ahr reads (it holds only notes.md, old/, orders.xlsx)"),
            "{err}"
        );
    }

    #[test]
    fn a_browsers_second_download_is_read_under_its_export_name() {
        assert_eq!(table_stem("orders (1).csv").as_deref(), Some("orders"));
        assert_eq!(
            table_stem("Feedback (12).txt.gz").as_deref(),
            Some("feedback")
        );
        assert_eq!(
            table_stem("orders (copy).csv").as_deref(),
            Some("orders (copy)")
        );
        assert_eq!(table_stem("(1).csv").as_deref(), Some("(1)"));
        let f = Folder::new("copy-number");
        f.write(
            "orders (1).csv",
            b"order_id,purchase_date\n113-1,2026-11-01\n",
        );
        let account = load_account(f.path(), reach()).unwrap();
        assert!(account.ignored.is_empty(), "{:?}", account.ignored);
        assert_eq!(account.orders.map(|o| o.orders.len()), Some(1));
    }

    /// An order a day from 2025-10-01 to 2026-11-04, every tenth one
    /// cancelled.
    fn daily_orders() -> String {
        let mut csv = String::from("order_id,purchase_date,status\n");
        for day in 0..400 {
            let date =
                chrono::NaiveDate::from_ymd_opt(2025, 10, 1).unwrap() + chrono::Days::new(day);
            let status = if day % 10 == 0 {
                "Cancelled"
            } else {
                "Shipped"
            };
            csv.push_str(&format!("113-{day},{date},{status}\n"));
        }
        csv
    }

    #[test]
    fn orders_beyond_every_window_are_not_kept() {
        let f = Folder::new("prune");
        f.write("orders.csv", daily_orders().as_bytes());
        let account = load_account(f.path(), reach()).unwrap();
        let orders = account.orders.unwrap();
        // The last purchase is 2026-11-04; 180 days reach back to 2026-05-09.
        assert_eq!(orders.orders.len(), 180);
        assert_eq!(orders.volume_only.len(), 0);
        assert_eq!(orders.orders[0].purchase.date().to_string(), "2026-05-09");
    }

    #[test]
    fn orders_past_the_rules_reach_count_for_volume_only() {
        let f = Folder::new("tiers");
        f.write("orders.csv", daily_orders().as_bytes());
        let reach = Reach {
            detail_days: 60,
            ..reach()
        };
        let account = load_account(f.path(), reach).unwrap();
        let orders = account.orders.unwrap();
        // 180 days reach back to 2026-05-09, 60 days to 2026-09-06.
        assert_eq!(orders.orders.len(), 60);
        assert_eq!(orders.orders[0].purchase.date().to_string(), "2026-09-06");
        assert_eq!(orders.volume_only.len(), 120);
        let volume = |days| {
            let window = crate::metrics::Window::ending(orders.latest_purchase.unwrap(), days);
            crate::metrics::orders_in_window(&orders, &window)
        };
        // Every tenth day's order is cancelled and earns no volume.
        assert_eq!(volume(180), 162);
        assert_eq!(volume(60), 54);
    }

    #[test]
    fn the_marketplace_picks_the_order_of_slashed_dates() {
        let f = Folder::new("marketplace");
        f.write("account.toml", b"marketplace = \"DE\"\n")
            .write("feedback.csv", b"date,rating,order_id\n3/4/26,1,113-1\n");
        let account = load_account(f.path(), reach()).unwrap();
        let feedback = account.feedback.unwrap();
        assert_eq!(feedback.rows[0].date.date.to_string(), "2026-04-03");
    }
}
