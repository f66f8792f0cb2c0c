//! `count`: rows of one export within a window, filtered on any column.
//!
//! Finds: complaints, claims, chargebacks, feedback, reviews or returns in the last
//! `window_days` whose columns match `where` and do not match `where_not`,
//! once there are at least `breach_at_least` of them. Why it matters: IP,
//! counterfeit and listing complaints count against the account for 180
//! days. Parameters: `source`, `window_days`, `where`, `where_not`,
//! `breach_at_least`, `warn_at_least`.

use super::{Check, CheckKind, Context};
use crate::findings::{Evidence, FindingStatus, Hit};
use crate::i18n::MessageForm;
use crate::input::dates::Stamp;
use crate::input::records::{Chargeback, Claim, Complaint, Feedback, Review, Source};
use crate::input::returns::Return;
use crate::input::schema;
use crate::input::strings::Strings;
use crate::input::values::fold;
use crate::metrics::Window;
use crate::policy::diagnostics::did_you_mean;
use crate::policy::params::Params;
use crate::policy::tree::Table;
use crate::privacy;

pub const KIND: CheckKind = CheckKind {
    name: "count",
    summary: "rows of an export in a window, filtered on any column, against a count",
    keys: &[
        "source",
        "window_days",
        "where",
        "where_not",
        "breach_at_least",
        "warn_at_least",
    ],
    build,
};

const SOURCES: &[&str] = &[
    "complaints",
    "claims",
    "chargebacks",
    "feedback",
    "reviews",
    "returns",
];

/// A row the count check can filter and cite; `texts` are those of the
/// row's source, where it may keep its free text.
trait Countable {
    fn line(&self) -> u64;
    fn date(&self) -> Stamp;
    fn field(&self, texts: &Strings, column: &str) -> Option<String>;
    fn key(&self) -> String;
    fn describe(&self, texts: &Strings, mask: bool) -> String;
}

#[derive(Debug)]
struct CountCheck {
    source: &'static str,
    window_days: u32,
    /// Column → accepted values (folded): a row must match every column.
    include: Vec<(String, Vec<String>)>,
    /// Column → rejected values (folded): a row matching any is left out.
    exclude: Vec<(String, Vec<String>)>,
    breach_at_least: u64,
    warn_at_least: Option<u64>,
}

fn build(p: &mut Params<'_>) -> Option<Box<dyn Check>> {
    let source = p.choice("source", SOURCES);
    let window_days = p.int("window_days", 1, 3650, "180");
    let include = source.and_then(|s| filters(p, "where", s));
    let exclude = source.and_then(|s| filters(p, "where_not", s));
    let breach_at_least = p.opt_int("breach_at_least", 1, i64::MAX).unwrap_or(1) as u64;
    let warn_at_least = p.opt_int("warn_at_least", 1, i64::MAX).map(|w| w as u64);
    if let Some(warn) = warn_at_least
        && warn >= breach_at_least
    {
        let (owner, loc) = (p.owner.clone(), p.owner_loc);
        p.diags.error(
            loc,
            format!("{owner}: `warn_at_least` ({warn}) must be below `breach_at_least` ({breach_at_least})"),
        );
    }
    Some(Box::new(CountCheck {
        source: source?,
        window_days: window_days? as u32,
        include: include.unwrap_or_default(),
        exclude: exclude.unwrap_or_default(),
        breach_at_least,
        warn_at_least,
    }))
}

/// Reads `where = { kind = ["trademark"], status = ["open"] }`, checking
/// each column against the source's schema.
fn filters(p: &mut Params<'_>, key: &str, source: &str) -> Option<Vec<(String, Vec<String>)>> {
    let (table, _) = p.opt_table(key)?;
    let schema = schema::by_stem(source)
        .or_else(|| (source == "returns").then_some(&crate::input::native::RETURNS))?;
    let columns: Vec<&str> = schema.columns.iter().map(|c| c.name).collect();
    let mut out = Vec::new();
    let Table { entries } = table;
    for entry in entries {
        if !columns.contains(&entry.key.as_str()) {
            let owner = p.owner.clone();
            let help = match did_you_mean(&entry.key, columns.iter().copied()) {
                Some(near) => format!("did you mean `{near}`?"),
                None => format!("{source} columns: {}", columns.join(", ")),
            };
            p.diags.error_with_help(
                entry.key_loc,
                format!(
                    "`{key}` in {owner} names `{}`, which is not a {source} column",
                    entry.key
                ),
                help,
            );
            continue;
        }
        let mut inner = Params::new(
            Table {
                entries: vec![entry.clone()],
            },
            p.owner.clone(),
            entry.key_loc,
            p.diags,
        );
        if let Some(values) = inner.opt_str_list(&entry.key) {
            out.push((
                entry.key.clone(),
                values.into_iter().map(|(v, _)| fold(&v)).collect(),
            ));
        }
    }
    Some(out)
}

impl CountCheck {
    fn matches(&self, row: &dyn Countable, texts: &Strings) -> bool {
        let value_of = |column: &str| row.field(texts, column).map(|v| fold(&v));
        self.include
            .iter()
            .all(|(column, accepted)| value_of(column).is_some_and(|v| accepted.contains(&v)))
            && !self
                .exclude
                .iter()
                .any(|(column, rejected)| value_of(column).is_some_and(|v| rejected.contains(&v)))
    }

    fn scan<T: Countable>(
        &self,
        source: &Option<Source<T>>,
        window: &Window,
        mask: bool,
    ) -> (String, Vec<Evidence>) {
        let Some(source) = source else {
            return (String::new(), Vec::new());
        };
        (source.file.clone(), self.scan_source(source, window, mask))
    }

    /// Matching rows of one file, as evidence.
    fn scan_source<T: Countable>(
        &self,
        source: &Source<T>,
        window: &Window,
        mask: bool,
    ) -> Vec<Evidence> {
        source
            .rows
            .iter()
            .filter(|row| window.contains(row.date().date) && self.matches(*row, &source.texts))
            .map(|row| Evidence {
                file: source.file.clone(),
                line: Some(row.line()),
                key: row.key(),
                excerpt: row.describe(&source.texts, mask),
            })
            .collect()
    }
}

impl Check for CountCheck {
    fn run(&self, ctx: &Context<'_>) -> Option<Hit> {
        let window = Window::ending(ctx.as_of, self.window_days);
        let a = ctx.account;
        let (_, evidence) = match self.source {
            "complaints" => self.scan(&a.complaints, &window, ctx.mask),
            "claims" => self.scan(&a.claims, &window, ctx.mask),
            "chargebacks" => self.scan(&a.chargebacks, &window, ctx.mask),
            "feedback" => self.scan(&a.feedback, &window, ctx.mask),
            "reviews" => self.scan(&a.reviews, &window, ctx.mask),
            // Several returns reports (FBA and seller-fulfilled) count together.
            "returns" => (
                String::new(),
                a.returns
                    .iter()
                    .flat_map(|s| self.scan_source(s, &window, ctx.mask))
                    .collect(),
            ),
            _ => return None,
        };
        let found = evidence.len() as u64;
        let status = if found >= self.breach_at_least {
            FindingStatus::Breach
        } else if self.warn_at_least.is_some_and(|w| found >= w) {
            FindingStatus::Warning
        } else {
            return None;
        };
        let what = if found == 1 { "row" } else { "rows" };
        Some(Hit {
            status,
            message: format!(
                "{found} matching {} {what} between {} and {} (breach at {})",
                self.source, window.from, window.to, self.breach_at_least
            ),
            occurrences: found,
            evidence,
            severity: None,
            form: Some(MessageForm::new(
                "count",
                &[
                    ("found", found.to_string()),
                    ("source", self.source.to_string()),
                    ("from", window.from.to_string()),
                    ("to", window.to.to_string()),
                    ("breach", self.breach_at_least.to_string()),
                ],
            )),
        })
    }

    fn parameters(&self) -> Vec<(String, String)> {
        let show = |filters: &[(String, Vec<String>)]| {
            filters
                .iter()
                .map(|(c, v)| format!("{c} in [{}]", v.join(", ")))
                .collect::<Vec<_>>()
                .join("; ")
        };
        let mut out = vec![
            ("source".into(), self.source.to_string()),
            ("window_days".into(), self.window_days.to_string()),
        ];
        if !self.include.is_empty() {
            out.push(("where".into(), show(&self.include)));
        }
        if !self.exclude.is_empty() {
            out.push(("where_not".into(), show(&self.exclude)));
        }
        out.push(("breach_at_least".into(), self.breach_at_least.to_string()));
        if let Some(w) = self.warn_at_least {
            out.push(("warn_at_least".into(), w.to_string()));
        }
        out
    }
}

fn opt(value: &Option<String>) -> Option<String> {
    value.clone()
}

impl Countable for Complaint {
    fn line(&self) -> u64 {
        self.line
    }
    fn date(&self) -> Stamp {
        self.received_at
    }
    fn field(&self, _: &Strings, column: &str) -> Option<String> {
        match column {
            "received_at" => Some(self.received_at.date.to_string()),
            "kind" => Some(self.kind.to_string()),
            "status" => self.status.map(str::to_string),
            "asin" => opt(&self.asin),
            "complainant" => opt(&self.complainant),
            "reference" => opt(&self.reference),
            _ => None,
        }
    }
    fn key(&self) -> String {
        self.reference
            .clone()
            .or_else(|| self.asin.clone())
            .unwrap_or_else(|| format!("line {}", self.line))
    }
    fn describe(&self, _: &Strings, mask: bool) -> String {
        let mut text = format!("{} complaint received {}", self.kind, self.received_at.date);
        if let Some(asin) = &self.asin {
            text.push_str(&format!(" on {asin}"));
        }
        if let Some(who) = &self.complainant {
            text.push_str(&format!(" from {}", privacy::excerpt(who, 40, mask)));
        }
        text.push_str(&format!(", {}", self.status.unwrap_or("status not given")));
        text
    }
}

impl Countable for Return {
    fn line(&self) -> u64 {
        self.line
    }
    fn date(&self) -> Stamp {
        self.date
    }
    fn field(&self, _: &Strings, column: &str) -> Option<String> {
        match column {
            "order_id" => Some(self.order_id.to_string()),
            "date" => Some(self.date.date.to_string()),
            "sku" => opt(&self.sku),
            "asin" => opt(&self.asin),
            "quantity" => self.quantity.map(|q| q.to_string()),
            "reason" => opt(&self.reason),
            "status" => opt(&self.status),
            "disposition" => opt(&self.disposition),
            "comments" => opt(&self.comments),
            "a_to_z_claim" => self.a_to_z_claim.map(|c| c.to_string()),
            _ => None,
        }
    }
    fn key(&self) -> String {
        self.order_id.to_string()
    }
    fn describe(&self, _: &Strings, mask: bool) -> String {
        let mut text = format!("returned {}", self.date.date);
        if let Some(item) = self.asin.as_ref().or(self.sku.as_ref()) {
            text.push_str(&format!(" {item}"));
        }
        if let Some(reason) = &self.reason {
            text.push_str(&format!(": {}", privacy::excerpt(reason, 60, mask)));
        }
        if let Some(comments) = &self.comments {
            text.push_str(&format!(" ({})", privacy::excerpt(comments, 80, mask)));
        }
        text
    }
}

impl Countable for Claim {
    fn line(&self) -> u64 {
        self.line
    }
    fn date(&self) -> Stamp {
        self.filed_at
    }
    fn field(&self, _: &Strings, column: &str) -> Option<String> {
        match column {
            "order_id" => Some(self.order_id.to_string()),
            "filed_at" => Some(self.filed_at.date.to_string()),
            "status" => self.status.map(str::to_string),
            "reason" => opt(&self.reason),
            _ => None,
        }
    }
    fn key(&self) -> String {
        self.order_id.to_string()
    }
    fn describe(&self, _: &Strings, mask: bool) -> String {
        let reason = self
            .reason
            .as_deref()
            .map(|r| format!(": {}", privacy::excerpt(r, 60, mask)))
            .unwrap_or_default();
        format!(
            "A-to-z claim filed {}, {}{reason}",
            self.filed_at.date,
            self.status.unwrap_or("status not given")
        )
    }
}

impl Countable for Chargeback {
    fn line(&self) -> u64 {
        self.line
    }
    fn date(&self) -> Stamp {
        self.filed_at
    }
    fn field(&self, _: &Strings, column: &str) -> Option<String> {
        match column {
            "order_id" => Some(self.order_id.to_string()),
            "filed_at" => Some(self.filed_at.date.to_string()),
            "kind" => self.kind.map(str::to_string),
            "status" => self.status.map(str::to_string),
            _ => None,
        }
    }
    fn key(&self) -> String {
        self.order_id.to_string()
    }
    fn describe(&self, _: &Strings, _mask: bool) -> String {
        format!(
            "chargeback filed {} ({}, {})",
            self.filed_at.date,
            self.kind.unwrap_or("kind not given"),
            self.status.unwrap_or("status not given")
        )
    }
}

impl Countable for Feedback {
    fn line(&self) -> u64 {
        self.line
    }
    fn date(&self) -> Stamp {
        self.date
    }
    fn field(&self, texts: &Strings, column: &str) -> Option<String> {
        match column {
            "date" => Some(self.date.date.to_string()),
            "rating" => Some(self.rating.to_string()),
            "comments" => self.comments.map(|c| texts[c].to_string()),
            "order_id" => Some(self.order_id.to_string()),
            "removed" => Some(self.removed.to_string()),
            _ => None,
        }
    }
    fn key(&self) -> String {
        self.order_id.to_string()
    }
    fn describe(&self, texts: &Strings, mask: bool) -> String {
        let comment = self
            .comments
            .map(|c| format!(": {}", privacy::excerpt(&texts[c], 60, mask)))
            .unwrap_or_default();
        format!("{}★ feedback on {}{comment}", self.rating, self.date.date)
    }
}

impl Countable for Review {
    fn line(&self) -> u64 {
        self.line
    }
    fn date(&self) -> Stamp {
        self.date
    }
    fn field(&self, _: &Strings, column: &str) -> Option<String> {
        match column {
            "date" => Some(self.date.date.to_string()),
            "asin" => Some(self.asin.clone()),
            "rating" => Some(self.rating.to_string()),
            "body" => opt(&self.body),
            "title" => opt(&self.title),
            "reviewer_id" => opt(&self.reviewer_id),
            "verified" => self.verified.map(|v| v.to_string()),
            "order_id" => opt(&self.order_id),
            _ => None,
        }
    }
    fn key(&self) -> String {
        self.asin.clone()
    }
    fn describe(&self, _: &Strings, mask: bool) -> String {
        let title = self
            .title
            .as_deref()
            .map(|t| format!(": {}", privacy::excerpt(t, 60, mask)))
            .unwrap_or_default();
        format!(
            "{}★ review of {} on {}{title}",
            self.rating, self.asin, self.date.date
        )
    }
}
