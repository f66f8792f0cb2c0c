//! One row of the orders file, read into an order and its sale cells.

use super::id::IdKey;
use super::{Order, PackedStamp, Sale, SaleCells, Tracking};
use crate::input::dates::{DateError, parse_stamp, plain_iso_day, plain_on};
use crate::input::records::ParseContext;
use crate::input::table::{Row, Table};
use crate::input::values::{CancelledBy, Channel, OrderStatus, parse_bool};
use chrono::NaiveDate;

/// Where each column the orders reader uses is in a row.
pub(super) struct OrderColumns {
    order_id: Option<usize>,
    purchase_date: Option<usize>,
    pub(super) status: Option<usize>,
    pub(super) fulfillment: Option<usize>,
    pub(super) ship_by: Option<usize>,
    pub(super) shipped_at: Option<usize>,
    tracking_id: Option<usize>,
    pub(super) tracking_valid: Option<usize>,
    pub(super) promised_delivery: Option<usize>,
    pub(super) delivered_at: Option<usize>,
    cancelled_by: Option<usize>,
    buyer_id: Option<usize>,
    ship_postal_code: Option<usize>,
    ship_city: Option<usize>,
    asin: Option<usize>,
    item_price: Option<usize>,
}

impl OrderColumns {
    pub(super) fn of(table: &Table) -> OrderColumns {
        OrderColumns {
            order_id: table.index("order_id"),
            purchase_date: table.index("purchase_date"),
            status: table.index("status"),
            fulfillment: table.index("fulfillment"),
            ship_by: table.index("ship_by"),
            shipped_at: table.index("shipped_at"),
            tracking_id: table.index("tracking_id"),
            tracking_valid: table.index("tracking_valid"),
            promised_delivery: table.index("promised_delivery"),
            delivered_at: table.index("delivered_at"),
            cancelled_by: table.index("cancelled_by"),
            buyer_id: table.index("buyer_id"),
            ship_postal_code: table.index("ship_postal_code"),
            ship_city: table.index("ship_city"),
            asin: table.index("asin"),
            item_price: table.index("item_price"),
        }
    }
}

/// The orders file's date columns, each remembering the last text it read
/// and what that text read as. An order's item rows repeat its dates, and
/// a day's orders share their date-only columns, so most dates are read
/// once; reading a text is a pure function of it, so the answer is the
/// same.
#[derive(Default)]
pub(super) struct RecentDates([Option<Recent>; 5]);

/// A date text of at most [`Recent::MAX`] bytes and its stamp.
struct Recent {
    text: [u8; Recent::MAX],
    len: usize,
    stamp: PackedStamp,
    /// The day its first ten bytes name, when it is in a plain ISO form
    /// (see [`plain_iso_day`]): a time on the same day reads without
    /// reading the day again.
    day: Option<NaiveDate>,
}

impl Recent {
    const MAX: usize = 40;
}

/// Where each date column keeps its recent text.
pub(super) const PURCHASE: usize = 0;
pub(super) const SHIP_BY: usize = 1;
pub(super) const SHIPPED_AT: usize = 2;
pub(super) const PROMISED_DELIVERY: usize = 3;
pub(super) const DELIVERED_AT: usize = 4;

impl RecentDates {
    /// What `text` in the column of `slot` reads as. The text the column
    /// read last is answered inline; only a new one is read.
    #[inline(always)]
    pub(super) fn read(
        &mut self,
        slot: usize,
        text: &str,
        ctx: &ParseContext,
    ) -> Result<PackedStamp, DateError> {
        match &self.0[slot] {
            Some(recent) if same_bytes(&recent.text[..recent.len], text.as_bytes()) => {
                Ok(recent.stamp)
            }
            _ => self.read_new(slot, text, ctx),
        }
    }

    #[inline(never)]
    fn read_new(
        &mut self,
        slot: usize,
        text: &str,
        ctx: &ParseContext,
    ) -> Result<PackedStamp, DateError> {
        // Orders of one day share their dates' first ten bytes.
        let same_day = self.0[slot].as_ref().and_then(|recent| {
            recent
                .day
                .filter(|_| text.as_bytes().get(..10) == Some(&recent.text[..10]))
        });
        let plain = match same_day {
            Some(day) => Some((day, &text.as_bytes()[10..])),
            None => plain_iso_day(text),
        };
        let (stamp, day) = match plain.and_then(|(day, rest)| Some((plain_on(day, rest)?, day))) {
            Some((stamp, day)) => (stamp, Some(day)),
            None => (parse_stamp(text, ctx.date_style)?, None),
        };
        // The reader keeps years from 1970 to 2200, which all pack; were
        // it to accept more, a date that does not pack skips its row.
        let stamp = PackedStamp::new(stamp).ok_or_else(|| DateError::out_of_range(text))?;
        if text.len() <= Recent::MAX {
            let recent = self.0[slot].get_or_insert(Recent {
                text: [0; Recent::MAX],
                len: 0,
                stamp,
                day,
            });
            recent.text[..text.len()].copy_from_slice(text.as_bytes());
            recent.len = text.len();
            recent.stamp = stamp;
            recent.day = day;
        }
        Ok(stamp)
    }
}

/// The last two texts a column of few values read, and their values: a
/// status, a channel, a flag. Most rows repeat one of the rows just
/// before (a column of two values, AFN and MFN, alternates between them),
/// and comparing a few bytes is cheaper than folding the text and matching
/// the spellings.
pub(super) struct Last<T> {
    /// The text parsed last first.
    seen: [Seen<T>; 2],
}

struct Seen<T> {
    text: [u8; LAST_MAX],
    len: usize,
    value: Option<T>,
}

/// The longest text a [`Last`] keeps: every spelling its columns are read
/// in fits, "Pending - Waiting for Pick Up" (29 bytes) the longest.
const LAST_MAX: usize = 32;

impl<T> Default for Last<T> {
    fn default() -> Self {
        let empty = || Seen {
            text: [0; LAST_MAX],
            len: 0,
            value: None,
        };
        Last {
            seen: [empty(), empty()],
        }
    }
}

impl<T: Copy> Last<T> {
    /// What `text` reads as, by `parse` unless it is one of the last two
    /// texts read. Reading is a pure function of the text, so the answer
    /// is the same; only texts that read are kept.
    pub(super) fn read(
        &mut self,
        text: &str,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Result<T, String> {
        for seen in &self.seen {
            if let Some(value) = seen.value
                && same_bytes(&seen.text[..seen.len], text.as_bytes())
            {
                return Ok(value);
            }
        }
        let value = parse(text)?;
        if text.len() <= LAST_MAX {
            self.seen.swap(0, 1);
            let latest = &mut self.seen[0];
            latest.text[..text.len()].copy_from_slice(text.as_bytes());
            latest.len = text.len();
            latest.value = Some(value);
        }
        Ok(value)
    }
}

/// What a chunk remembers of the rows it read last, to read the next
/// ones faster: their dates and their few-valued cells.
#[derive(Default)]
pub(super) struct RecentCells {
    pub(super) dates: RecentDates,
    status: Last<OrderStatus>,
    channel: Last<Channel>,
    tracking_valid: Last<bool>,
    cancelled_by: Last<CancelledBy>,
}

/// Whether two short texts are equal, compared eight bytes at a time in
/// registers: the recent cells compare a few dozen bytes on every row,
/// and a call to `memcmp` for each cost more than the comparing.
pub(super) fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let ((a_words, a_tail), (b_words, b_tail)) = (a.as_chunks::<8>(), b.as_chunks::<8>());
    let tails_equal = a_tail.iter().zip(b_tail).all(|(x, y)| x == y);
    let word = |bytes: &[u8; 8]| u64::from_le_bytes(*bytes);
    tails_equal && a_words.iter().zip(b_words).all(|(x, y)| word(x) == word(y))
}

/// Reads one row: its order id, the order without its sale (the caller
/// fills it only for an order not seen before), and the row's sale cells.
/// An id in Amazon's shape packs without allocating; only another one is
/// copied for every row.
pub(super) fn parse_order<'a>(
    row: &Row<'a>,
    c: &OrderColumns,
    ctx: &ParseContext,
    recent: &mut RecentCells,
) -> Result<(IdKey<'a>, Order, SaleCells<'a>), String> {
    let RecentCells {
        dates,
        status,
        channel,
        tracking_valid,
        cancelled_by,
    } = recent;
    let id = IdKey::of(row.required(c.order_id, "order_id")?);
    let order = Order {
        id: id.to_id(),
        // A longer file is refused once read (see `read_orders`).
        line: u32::try_from(row.line).unwrap_or(u32::MAX),
        purchase: match c.purchase_date {
            Some(_) => row.required_with(c.purchase_date, "purchase_date", |text| {
                dates.read(PURCHASE, text, ctx)
            })?,
            // Only a file that fills in other files' orders (a shipments
            // export) may lack purchase dates; its orders take theirs.
            None => PackedStamp::EARLIEST,
        },
        status: row
            .get(c.status)?
            .map(|text| status.read(text, OrderStatus::parse))
            .transpose()?,
        channel: row
            .get(c.fulfillment)?
            .map(|text| channel.read(text, Channel::parse))
            .transpose()?
            .unwrap_or(Channel::Mfn),
        ship_by: row.get_with(c.ship_by, "ship_by", |text| dates.read(SHIP_BY, text, ctx))?,
        shipped_at: row.get_with(c.shipped_at, "shipped_at", |text| {
            dates.read(SHIPPED_AT, text, ctx)
        })?,
        promised_delivery: row.get_with(c.promised_delivery, "promised_delivery", |text| {
            dates.read(PROMISED_DELIVERY, text, ctx)
        })?,
        delivered_at: row.get_with(c.delivered_at, "delivered_at", |text| {
            dates.read(DELIVERED_AT, text, ctx)
        })?,
        tracking: Tracking::new(
            row.get_with(c.tracking_valid, "tracking_valid", |text| {
                tracking_valid.read(text, parse_bool)
            })?,
            row.get(c.tracking_id)?.is_some(),
        ),
        cancelled_by: row
            .get(c.cancelled_by)?
            .map(|text| cancelled_by.read(text, CancelledBy::parse))
            .transpose()?,
        sale: Sale::default(),
    };
    let cells = SaleCells {
        buyer_id: row.get(c.buyer_id)?,
        ship_postal_code: row.get(c.ship_postal_code)?,
        ship_city: row.get(c.ship_city)?,
        asin: row.get(c.asin)?,
        item_price: row.get(c.item_price)?,
    };
    Ok((id, order, cells))
}
