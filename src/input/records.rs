//! Typed records for every export except orders (see `orders.rs`), each
//! parsed from one row. A parse error is a sentence naming the column and
//! the value; the table reader turns it into a located, skipped row.
//!
//! The exports that run to hundreds of thousands of rows with free text
//! (messages, feedback) keep that text in their source's [`Strings`], each
//! distinct text once; the small exports keep strings of their own.

use super::dates::{DateStyle, Stamp, parse_stamp};
use super::orders::OrderId;
use super::schema::{self, Schema};
use super::strings::{Strings, Sym};
use super::table::{Row, Table};
use super::values::{fold, parse_bool, parse_choice, parse_rating};
use chrono::NaiveDate;

/// What a parser needs to know about the account.
#[derive(Clone, Copy, Debug, Default)]
pub struct ParseContext {
    pub date_style: Option<DateStyle>,
}

impl ParseContext {
    pub fn date(&self, row: &Row<'_>, index: Option<usize>, column: &str) -> Result<Stamp, String> {
        row.required_with(index, column, |text| parse_stamp(text, self.date_style))
    }

    pub fn opt_date(
        &self,
        row: &Row<'_>,
        index: Option<usize>,
        column: &str,
    ) -> Result<Option<Stamp>, String> {
        row.get_with(index, column, |text| parse_stamp(text, self.date_style))
    }
}

/// A typed row of one export.
pub trait Record: Sized {
    const SCHEMA: &'static Schema;
    type Columns;
    fn columns(table: &Table) -> Self::Columns;
    /// Reads one row; free text a record keeps as [`Sym`] goes to `texts`.
    fn parse(
        row: &Row<'_>,
        cols: &Self::Columns,
        ctx: &ParseContext,
        texts: &mut Strings,
    ) -> Result<Self, String>;
}

/// Declares a record's column-position struct; field names are the schema's
/// canonical column names, resolved against the header once.
macro_rules! columns {
    ($name:ident { $($field:ident),* $(,)? }) => {
        pub struct $name { $(pub $field: Option<usize>),* }
        impl $name {
            fn resolve(table: &Table) -> Self {
                $name { $($field: table.index(stringify!($field))),* }
            }
        }
    };
}

fn owned(value: Option<&str>) -> Option<String> {
    value.map(str::to_string)
}

columns!(FeedbackColumns {
    date,
    rating,
    comments,
    order_id,
    removed
});

#[derive(Clone, Debug, PartialEq)]
pub struct Feedback {
    pub line: u64,
    pub date: Stamp,
    /// Packed as the orders' ids are: a long history holds hundreds of
    /// thousands of rows, and the defects are looked up by it.
    pub order_id: OrderId,
    /// In the source's `texts`: buyers pick from a few canned comments.
    pub comments: Option<Sym>,
    pub rating: u8,
    pub removed: bool,
}

impl Record for Feedback {
    const SCHEMA: &'static Schema = &schema::FEEDBACK;
    type Columns = FeedbackColumns;
    fn columns(table: &Table) -> Self::Columns {
        FeedbackColumns::resolve(table)
    }
    fn parse(
        row: &Row<'_>,
        c: &FeedbackColumns,
        ctx: &ParseContext,
        texts: &mut Strings,
    ) -> Result<Self, String> {
        let date = ctx.date(row, c.date, "date")?;
        let rating = parse_rating(row.required(c.rating, "rating")?)?;
        let comments = row.get(c.comments)?;
        let order_id = row.required(c.order_id, "order_id")?.into();
        let removed = row
            .get(c.removed)?
            .map(parse_bool)
            .transpose()?
            .unwrap_or(false);
        // Kept only once the row has read whole: a skipped row leaves no text.
        Ok(Feedback {
            line: row.line,
            date,
            order_id,
            comments: comments.map(|text| texts.intern(text)),
            rating,
            removed,
        })
    }
}

columns!(ClaimColumns {
    order_id,
    filed_at,
    status,
    reason
});

#[derive(Clone, Debug, PartialEq)]
pub struct Claim {
    pub line: u64,
    pub order_id: OrderId,
    pub filed_at: Stamp,
    /// open, granted, refunded, denied or withdrawn; `None` when not given.
    pub status: Option<&'static str>,
    pub reason: Option<String>,
}

pub const CLAIM_STATUSES: &[&str] = &["open", "granted", "refunded", "denied", "withdrawn"];

fn claim_status(value: &str) -> Result<&'static str, String> {
    // Amazon's claim pages say "pending", "under review" and "closed" too.
    match fold(value).as_str() {
        "pending" | "underreview" | "new" => Ok("open"),
        _ => parse_choice("status", value, CLAIM_STATUSES),
    }
}

impl Record for Claim {
    const SCHEMA: &'static Schema = &schema::CLAIMS;
    type Columns = ClaimColumns;
    fn columns(table: &Table) -> Self::Columns {
        ClaimColumns::resolve(table)
    }
    fn parse(
        row: &Row<'_>,
        c: &ClaimColumns,
        ctx: &ParseContext,
        _: &mut Strings,
    ) -> Result<Self, String> {
        Ok(Claim {
            line: row.line,
            order_id: row.required(c.order_id, "order_id")?.into(),
            filed_at: ctx.date(row, c.filed_at, "filed_at")?,
            status: row.get(c.status)?.map(claim_status).transpose()?,
            reason: owned(row.get(c.reason)?),
        })
    }
}

columns!(ChargebackColumns {
    order_id,
    filed_at,
    kind,
    status
});

#[derive(Clone, Debug, PartialEq)]
pub struct Chargeback {
    pub line: u64,
    pub order_id: OrderId,
    pub filed_at: Stamp,
    /// service or fraud.
    pub kind: Option<&'static str>,
    /// open, accepted or won.
    pub status: Option<&'static str>,
}

impl Record for Chargeback {
    const SCHEMA: &'static Schema = &schema::CHARGEBACKS;
    type Columns = ChargebackColumns;
    fn columns(table: &Table) -> Self::Columns {
        ChargebackColumns::resolve(table)
    }
    fn parse(
        row: &Row<'_>,
        c: &ChargebackColumns,
        ctx: &ParseContext,
        _: &mut Strings,
    ) -> Result<Self, String> {
        Ok(Chargeback {
            line: row.line,
            order_id: row.required(c.order_id, "order_id")?.into(),
            filed_at: ctx.date(row, c.filed_at, "filed_at")?,
            kind: row
                .get(c.kind)?
                .map(|v| parse_choice("kind", v, &["service", "fraud"]))
                .transpose()?,
            status: row
                .get(c.status)?
                .map(|v| parse_choice("status", v, &["open", "accepted", "won"]))
                .transpose()?,
        })
    }
}

columns!(MessageColumns {
    sent_at,
    body,
    order_id,
    direction,
    subject,
    template
});

#[derive(Clone, Debug, PartialEq)]
pub struct Message {
    pub line: u64,
    pub sent_at: Stamp,
    pub order_id: Option<OrderId>,
    /// The body, subject and template are in the source's `texts`: sellers
    /// send one template to many buyers, word for word.
    pub body: Sym,
    pub subject: Option<Sym>,
    pub template: Option<Sym>,
    /// Sent by the seller (outbound) rather than by the buyer.
    pub outbound: bool,
}

impl Message {
    /// What the buyer reads: the subject line, if any, above the body;
    /// `texts` are those of the message's source.
    pub fn text<'t>(&self, texts: &'t Strings) -> std::borrow::Cow<'t, str> {
        let body = &texts[self.body];
        match self.subject {
            Some(subject) => {
                let subject = &texts[subject];
                // Sized once: `format!` would grow it step by step, and
                // every text rule asks for every message's text.
                let mut text = String::with_capacity(subject.len() + 1 + body.len());
                text.push_str(subject);
                text.push('\n');
                text.push_str(body);
                text.into()
            }
            None => body.into(),
        }
    }
}

impl Record for Message {
    const SCHEMA: &'static Schema = &schema::MESSAGES;
    type Columns = MessageColumns;
    fn columns(table: &Table) -> Self::Columns {
        MessageColumns::resolve(table)
    }
    fn parse(
        row: &Row<'_>,
        c: &MessageColumns,
        ctx: &ParseContext,
        texts: &mut Strings,
    ) -> Result<Self, String> {
        let outbound = match row.get(c.direction)? {
            None => true,
            Some(v) => match fold(v).as_str() {
                "outbound" | "out" | "sent" | "seller" | "toBuyer" | "tobuyer" => true,
                "inbound" | "in" | "received" | "buyer" | "fromBuyer" | "frombuyer" => false,
                _ => return Err(format!("direction `{v}` is not outbound or inbound")),
            },
        };
        let sent_at = ctx.date(row, c.sent_at, "sent_at")?;
        let body = row.required(c.body, "body")?;
        let order_id = row.get(c.order_id)?.map(OrderId::new);
        let subject = row.get(c.subject)?;
        let template = row.get(c.template)?;
        // Kept only once the row has read whole: a skipped row leaves no text.
        Ok(Message {
            line: row.line,
            sent_at,
            order_id,
            body: texts.intern(body),
            subject: subject.map(|text| texts.intern(text)),
            template: template.map(|text| texts.intern(text)),
            outbound,
        })
    }
}

columns!(InsertColumns { id, text, sku });

#[derive(Clone, Debug, PartialEq)]
pub struct Insert {
    pub line: u64,
    pub id: String,
    pub text: String,
    pub sku: Option<String>,
}

impl Record for Insert {
    const SCHEMA: &'static Schema = &schema::INSERTS;
    type Columns = InsertColumns;
    fn columns(table: &Table) -> Self::Columns {
        InsertColumns::resolve(table)
    }
    fn parse(
        row: &Row<'_>,
        c: &InsertColumns,
        _: &ParseContext,
        _: &mut Strings,
    ) -> Result<Self, String> {
        Ok(Insert {
            line: row.line,
            id: row.required(c.id, "id")?.to_string(),
            text: row.required(c.text, "text")?.to_string(),
            sku: owned(row.get(c.sku)?),
        })
    }
}

columns!(ReviewColumns {
    date,
    asin,
    rating,
    body,
    title,
    reviewer_id,
    verified,
    order_id
});

#[derive(Clone, Debug, PartialEq)]
pub struct Review {
    pub line: u64,
    pub date: Stamp,
    pub asin: String,
    pub rating: u8,
    pub body: Option<String>,
    pub title: Option<String>,
    pub reviewer_id: Option<String>,
    pub verified: Option<bool>,
    pub order_id: Option<String>,
}

impl Record for Review {
    const SCHEMA: &'static Schema = &schema::REVIEWS;
    type Columns = ReviewColumns;
    fn columns(table: &Table) -> Self::Columns {
        ReviewColumns::resolve(table)
    }
    fn parse(
        row: &Row<'_>,
        c: &ReviewColumns,
        ctx: &ParseContext,
        _: &mut Strings,
    ) -> Result<Self, String> {
        Ok(Review {
            line: row.line,
            date: ctx.date(row, c.date, "date")?,
            asin: row.required(c.asin, "asin")?.to_string(),
            rating: parse_rating(row.required(c.rating, "rating")?)?,
            body: owned(row.get(c.body)?),
            title: owned(row.get(c.title)?),
            reviewer_id: owned(row.get(c.reviewer_id)?),
            verified: row.get(c.verified)?.map(parse_bool).transpose()?,
            order_id: owned(row.get(c.order_id)?),
        })
    }
}

columns!(OfferColumns {
    asin,
    seller_id,
    brand,
    seller_name,
    condition,
    price,
    fulfillment,
    observed_at
});

#[derive(Clone, Debug, PartialEq)]
pub struct Offer {
    pub line: u64,
    pub asin: String,
    pub seller_id: String,
    pub brand: Option<String>,
    pub seller_name: Option<String>,
    pub condition: Option<String>,
    pub price: Option<String>,
    pub fulfillment: Option<String>,
    pub observed_at: Option<Stamp>,
}

impl Record for Offer {
    const SCHEMA: &'static Schema = &schema::OFFERS;
    type Columns = OfferColumns;
    fn columns(table: &Table) -> Self::Columns {
        OfferColumns::resolve(table)
    }
    fn parse(
        row: &Row<'_>,
        c: &OfferColumns,
        ctx: &ParseContext,
        _: &mut Strings,
    ) -> Result<Self, String> {
        Ok(Offer {
            line: row.line,
            asin: row.required(c.asin, "asin")?.to_string(),
            seller_id: row.required(c.seller_id, "seller_id")?.to_string(),
            brand: owned(row.get(c.brand)?),
            seller_name: owned(row.get(c.seller_name)?),
            condition: owned(row.get(c.condition)?),
            price: owned(row.get(c.price)?),
            fulfillment: owned(row.get(c.fulfillment)?),
            observed_at: ctx.opt_date(row, c.observed_at, "observed_at")?,
        })
    }
}

columns!(ComplaintColumns {
    received_at,
    kind,
    status,
    asin,
    complainant,
    reference
});

pub const COMPLAINT_KINDS: &[&str] = &[
    "trademark",
    "copyright",
    "patent",
    "counterfeit",
    "authenticity",
    "condition",
    "safety",
    "listing",
    "restricted",
    "reviews",
    "other",
];

pub const COMPLAINT_STATUSES: &[&str] = &["open", "appealed", "resolved", "rejected"];

#[derive(Clone, Debug, PartialEq)]
pub struct Complaint {
    pub line: u64,
    pub received_at: Stamp,
    pub kind: &'static str,
    pub status: Option<&'static str>,
    pub asin: Option<String>,
    pub complainant: Option<String>,
    pub reference: Option<String>,
}

fn complaint_kind(value: &str) -> Result<&'static str, String> {
    // Seller Central's own names for the same categories.
    match fold(value).as_str() {
        "inauthentic" | "productauthenticity" => Ok("authenticity"),
        "productcondition" | "usedsoldasnew" => Ok("condition"),
        "productsafety" | "foodandproductsafety" => Ok("safety"),
        "listingpolicy" => Ok("listing"),
        "restrictedproduct" | "restrictedproducts" => Ok("restricted"),
        "review" | "customerproductreviews" => Ok("reviews"),
        _ => parse_choice("kind", value, COMPLAINT_KINDS),
    }
}

impl Record for Complaint {
    const SCHEMA: &'static Schema = &schema::COMPLAINTS;
    type Columns = ComplaintColumns;
    fn columns(table: &Table) -> Self::Columns {
        ComplaintColumns::resolve(table)
    }
    fn parse(
        row: &Row<'_>,
        c: &ComplaintColumns,
        ctx: &ParseContext,
        _: &mut Strings,
    ) -> Result<Self, String> {
        Ok(Complaint {
            line: row.line,
            received_at: ctx.date(row, c.received_at, "received_at")?,
            kind: complaint_kind(row.required(c.kind, "kind")?)?,
            status: row
                .get(c.status)?
                .map(|v| parse_choice("status", v, COMPLAINT_STATUSES))
                .transpose()?,
            asin: owned(row.get(c.asin)?),
            complainant: owned(row.get(c.complainant)?),
            reference: owned(row.get(c.reference)?),
        })
    }
}

columns!(IdentifierColumns {
    kind,
    value,
    first_seen,
    last_seen
});

pub const IDENTIFIER_KINDS: &[&str] = &[
    "bank", "card", "tax_id", "phone", "email", "address", "device", "ip",
];

#[derive(Clone, Debug, PartialEq)]
pub struct Identifier {
    pub line: u64,
    pub kind: &'static str,
    pub value: String,
    pub first_seen: Option<Stamp>,
    pub last_seen: Option<Stamp>,
}

impl Record for Identifier {
    const SCHEMA: &'static Schema = &schema::IDENTIFIERS;
    type Columns = IdentifierColumns;
    fn columns(table: &Table) -> Self::Columns {
        IdentifierColumns::resolve(table)
    }
    fn parse(
        row: &Row<'_>,
        c: &IdentifierColumns,
        ctx: &ParseContext,
        _: &mut Strings,
    ) -> Result<Self, String> {
        Ok(Identifier {
            line: row.line,
            kind: parse_choice("kind", row.required(c.kind, "kind")?, IDENTIFIER_KINDS)?,
            value: row.required(c.value, "value")?.to_string(),
            first_seen: ctx.opt_date(row, c.first_seen, "first_seen")?,
            last_seen: ctx.opt_date(row, c.last_seen, "last_seen")?,
        })
    }
}

columns!(HealthColumns { date, ahr });

#[derive(Clone, Debug, PartialEq)]
pub struct HealthDay {
    pub line: u64,
    pub date: NaiveDate,
    pub ahr: u16,
}

impl Record for HealthDay {
    const SCHEMA: &'static Schema = &schema::HEALTH_HISTORY;
    type Columns = HealthColumns;
    fn columns(table: &Table) -> Self::Columns {
        HealthColumns::resolve(table)
    }
    fn parse(
        row: &Row<'_>,
        c: &HealthColumns,
        ctx: &ParseContext,
        _: &mut Strings,
    ) -> Result<Self, String> {
        let text = row.required(c.ahr, "ahr")?;
        let ahr: u16 = text
            .parse()
            .ok()
            .filter(|v| *v <= 1000)
            .ok_or_else(|| format!("ahr `{text}` is not a whole number from 0 to 1000"))?;
        Ok(HealthDay {
            line: row.line,
            date: ctx.date(row, c.date, "date")?.date,
            ahr,
        })
    }
}

/// The rows of one export, the file they came from, and the text the rows
/// keep as [`Sym`].
#[derive(Clone, Debug, PartialEq)]
pub struct Source<T> {
    pub file: String,
    pub rows: Vec<T>,
    pub texts: Strings,
}

impl<T> Source<T> {
    /// Rows that keep no text in `texts`.
    pub fn new(file: impl Into<String>, rows: Vec<T>) -> Source<T> {
        Source {
            file: file.into(),
            rows,
            texts: Strings::default(),
        }
    }
}

/// Reads every row of `table` as `T`.
pub fn read_all<T: Record>(table: &mut Table, ctx: &ParseContext) -> anyhow::Result<Source<T>> {
    let cols = T::columns(table);
    let mut rows = Vec::new();
    let mut texts = Strings::default();
    table.for_each_row(|row| {
        rows.push(T::parse(row, &cols, ctx, &mut texts)?);
        Ok(())
    })?;
    // The rows are kept to the end of the audit: the spare room the vector
    // grew by would be kept with them, up to as much again.
    rows.shrink_to_fit();
    texts.seal();
    Ok(Source {
        file: table.report.file.clone(),
        rows,
        texts,
    })
}
