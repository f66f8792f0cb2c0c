//! Reading an account folder: find the exports by file stem, decode them,
//! and stream each into typed records. Nothing here judges the data; it
//! only reads it, and says what it could not read.

pub mod account;
pub mod dates;
pub mod decode;
pub mod orders;
pub mod performance;
pub mod records;
pub mod schema;
pub mod table;
pub mod values;

use anyhow::{Context, Result, bail};
use records::{
    Chargeback, Claim, Complaint, Feedback, HealthDay, Identifier, Insert, Message, Offer,
    ParseContext, Record, Review, Source,
};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use table::{InputReport, Table, display_name};

pub use account::Profile;
pub use orders::{Order, Orders, Reach};

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

/// The stem a file is found by: `Orders.CSV.gz` is `orders`. `None` for
/// extensions ahr does not read.
fn table_stem(name: &str) -> Option<String> {
    let lower = name.to_lowercase();
    let lower = lower.strip_suffix(".gz").unwrap_or(&lower);
    let (stem, ext) = lower.rsplit_once('.')?;
    matches!(ext, "csv" | "tsv" | "txt").then(|| stem.to_string())
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
        if !is_file {
            // Say why a link is skipped: a dangling or looping `orders.csv`
            // link must not pass for a folder the user left there.
            let broken_link = std::fs::symlink_metadata(&path)
                .is_ok_and(|m| m.file_type().is_symlink())
                && std::fs::metadata(&path).is_err();
            if broken_link {
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
        let lower = name.to_lowercase();
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
    let found = discover(dir)?;
    let folder_name = dir
        .canonicalize()
        .ok()
        .as_deref()
        .and_then(Path::file_name)
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "account".to_string());
    let profile = match &found.profile {
        Some(path) => {
            let text = read_small_text(path)?;
            account::parse_profile(&display_name(path), &text, &folder_name)
                .map_err(|rendered| anyhow::anyhow!("{rendered}"))?
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
    let mut account = Account {
        dir: dir.to_path_buf(),
        profile,
        ignored: found.ignored,
        ..Account::default()
    };
    for (stem, path) in &found.tables {
        let schema = schema::by_stem(stem).expect("discovered stems come from the schemas");
        let mut table = Table::open(path, schema, japanese)?;
        match *stem {
            "orders" => account.orders = Some(orders::read_orders(&mut table, &ctx, reach)?),
            "feedback" => account.feedback = Some(read(&mut table, &ctx)?),
            "claims" => account.claims = Some(read(&mut table, &ctx)?),
            "chargebacks" => account.chargebacks = Some(read(&mut table, &ctx)?),
            "messages" => account.messages = Some(read(&mut table, &ctx)?),
            "inserts" => account.inserts = Some(read(&mut table, &ctx)?),
            "reviews" => account.reviews = Some(read(&mut table, &ctx)?),
            "offers" => account.offers = Some(read(&mut table, &ctx)?),
            "complaints" => account.complaints = Some(read(&mut table, &ctx)?),
            "identifiers" => account.identifiers = Some(read(&mut table, &ctx)?),
            "health_history" => account.health_history = Some(read(&mut table, &ctx)?),
            other => unreachable!("schema `{other}` has no reader"),
        }
        account.inputs.push(table.into_report());
    }
    if let Some(path) = &found.performance {
        let decoded = decode::open_text(path, japanese)?;
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(
            &mut std::io::Read::take(decoded.reader, MAX_JSON_BYTES),
            &mut bytes,
        )
        .with_context(|| format!("cannot read {}", path.display()))?;
        let report = performance::parse_performance_report(&bytes).with_context(|| {
            format!("{}: not a readable performance report", display_name(path))
        })?;
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
    }
    account.inputs.sort_by_key(|i| input_rank(&i.kind));
    Ok(account)
}

const MAX_JSON_BYTES: u64 = 64 << 20;

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
