//! The orders export, streamed into one compact record per order id. Rows
//! sharing an order id (order items) are one order. Orders that no window can
//! reach are dropped while reading, so memory follows the windows, not the
//! file. Reading borrows every cell from the csv record and allocates only
//! for what a new order keeps: the rows of an order already seen are merged
//! without building anything. A big file is read in chunks on every core,
//! each into its own orders, merged in file order at the end.

use super::blocks::Blocks;
use super::dates::{Stamp, parse_stamp};
use super::records::ParseContext;
use super::strings::{Moved, Remap, Strings, Sym};
use super::table::{Row, Table};
use super::values::{CancelledBy, Channel, OrderStatus, parse_bool, with_folded};
use crate::parallel;
use chrono::{Days, NaiveDate};
use compact_str::CompactString;
use smallvec::SmallVec;
use std::collections::HashMap;
use std::hash::BuildHasher;

/// Records keyed by order id, in the order their first rows appear (file
/// order, so they need no sorting once read), with an index by id that
/// stores positions, not a second copy of each id.
struct OrderMap<T> {
    items: Blocks<T>,
    /// Each record's position with 32 bits of its id's hash: growing the
    /// table and probing for a new id compare hashes, not the records'
    /// ids, which would mean a cache miss per probe; 8 bytes an entry.
    index: hashbrown::HashTable<(u32, u32)>,
    hasher: foldhash::fast::RandomState,
}

/// A record an [`OrderMap`] holds.
trait Keyed {
    fn key(&self) -> &str;
}

impl Keyed for Order {
    fn key(&self) -> &str {
        &self.id
    }
}

impl Keyed for VolumeOrder {
    fn key(&self) -> &str {
        &self.id
    }
}

impl<T: Keyed> OrderMap<T> {
    /// An empty map hashing ids with `hasher`.
    fn new(hasher: &foldhash::fast::RandomState) -> Self {
        OrderMap {
            items: Blocks::default(),
            index: hashbrown::HashTable::new(),
            hasher: hasher.clone(),
        }
    }

    fn len(&self) -> usize {
        self.items.len()
    }

    /// The table's hash of an id: 32 bits, repeated in the high half,
    /// which the table reads for its control bytes.
    fn hash(&self, id: &str) -> (u64, u32) {
        let short = self.hasher.hash_one(id) as u32;
        (widen(short), short)
    }

    fn get_mut(&mut self, id: &str) -> Option<&mut T> {
        let at = self.position(self.hash(id), id)?;
        Some(&mut self.items[at])
    }

    /// Where the record of `id` is, given its [`OrderMap::hash`].
    fn position(&self, (hash, short): (u64, u32), id: &str) -> Option<usize> {
        let items = &self.items;
        let &(_, at) = self
            .index
            .find(hash, |&(h, i)| h == short && items[i as usize].key() == id)?;
        Some(at as usize)
    }

    /// Adds a record whose id is not in the map yet.
    fn insert(&mut self, item: T) {
        let (hash, short) = self.hash(item.key());
        // Four billion orders would not fit in memory long before this.
        let at = u32::try_from(self.items.len()).unwrap_or(u32::MAX);
        self.items.push(item);
        self.index
            .insert_unique(hash, (short, at), |&(h, _)| widen(h));
    }
}

/// A 32-bit hash as the table wants it (see [`OrderMap::hash`]).
fn widen(short: u32) -> u64 {
    u64::from(short) << 32 | u64::from(short)
}

/// One order, merged from its item rows.
#[derive(Clone, Debug, PartialEq)]
pub struct Order {
    /// Amazon's order ids (`113-1234567-1234567`) fit inline: no heap
    /// string per order.
    pub id: CompactString,
    /// Line of the order's first row.
    pub line: u64,
    pub purchase: Stamp,
    pub status: Option<OrderStatus>,
    pub channel: Channel,
    pub ship_by: Option<Stamp>,
    pub shipped_at: Option<Stamp>,
    pub promised_delivery: Option<Stamp>,
    pub delivered_at: Option<Stamp>,
    pub tracking_valid: Option<bool>,
    pub has_tracking_id: bool,
    pub cancelled_by: Option<CancelledBy>,
    /// Who bought what, where it went and for how much.
    pub sale: Sale,
}

/// The buyer, address, ASINs and price of an order, for the fake-order
/// signals. Kept apart from the shipping fields the metrics read; its
/// strings are handles into [`Orders::strings`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Sale {
    /// Most buyers buy once, so their ids are not worth sharing.
    pub buyer_id: Option<Box<str>>,
    pub ship_postal_code: Option<Sym>,
    pub ship_city: Option<Sym>,
    /// The ASINs of the order's item rows, each once, in row order.
    pub asins: SmallVec<[Sym; 2]>,
    /// The sum of the item rows' `item_price`; `None` when no row gives a
    /// readable one. A price that cannot be read is left out rather than
    /// skipping the row: the shipping metrics do not need it.
    pub total_price: Option<Amount>,
}

/// A sum of prices, exact to a ten-thousandth of the currency unit. Exact
/// sums are the same in any order, and a big file's chunks add up their
/// own item rows before the totals meet: with floats, a refund row could
/// leave a total a hair above or below zero depending on the cores.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Amount(i64);

impl Amount {
    pub const ZERO: Amount = Amount(0);

    /// The amount of a price read from a file (see [`parse_price`]).
    pub fn of(price: f64) -> Amount {
        // A float too big for the scale saturates: no real price is.
        Amount((price * 10_000.0).round() as i64)
    }

    fn plus(self, other: Amount) -> Amount {
        Amount(self.0.saturating_add(other.0))
    }
}

/// The sale cells of one row, borrowed from the record.
struct SaleCells<'a> {
    buyer_id: Option<&'a str>,
    ship_postal_code: Option<&'a str>,
    ship_city: Option<&'a str>,
    asin: Option<&'a str>,
    item_price: Option<Amount>,
}

impl Sale {
    fn from_cells(cells: &SaleCells<'_>, strings: &mut Strings) -> Sale {
        let mut sale = Sale::default();
        sale.merge_cells(cells, strings);
        sale
    }

    /// Adds a later item row's cells: the first buyer and address stay,
    /// ASINs are added once each, prices add up.
    fn merge_cells(&mut self, cells: &SaleCells<'_>, strings: &mut Strings) {
        if self.buyer_id.is_none() {
            self.buyer_id = cells.buyer_id.map(Box::from);
        }
        let mut fill = |slot: &mut Option<Sym>, value: Option<&str>| {
            if slot.is_none() {
                *slot = value.map(|v| strings.intern(v));
            }
        };
        fill(&mut self.ship_postal_code, cells.ship_postal_code);
        fill(&mut self.ship_city, cells.ship_city);
        if let Some(asin) = cells.asin
            && !self.asins.iter().any(|&a| strings.get(a) == asin)
        {
            self.asins.push(strings.intern(asin));
        }
        self.total_price = add_prices(self.total_price, cells.item_price);
    }

    /// Like [`Sale::merge_cells`] with a later sale of the same strings.
    fn merge(&mut self, other: Sale) {
        if self.buyer_id.is_none() {
            self.buyer_id = other.buyer_id;
        }
        self.ship_postal_code = self.ship_postal_code.or(other.ship_postal_code);
        self.ship_city = self.ship_city.or(other.ship_city);
        for asin in other.asins {
            if !self.asins.contains(&asin) {
                self.asins.push(asin);
            }
        }
        self.total_price = add_prices(self.total_price, other.total_price);
    }

    /// Replaces every handle, to move the sale to other [`Strings`].
    fn remap(&mut self, mut to: impl FnMut(Sym) -> Sym) {
        for slot in [&mut self.ship_postal_code, &mut self.ship_city] {
            *slot = slot.map(&mut to);
        }
        self.asins.iter_mut().for_each(|a| *a = to(*a));
    }
}

fn add_prices(a: Option<Amount>, b: Option<Amount>) -> Option<Amount> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.plus(b)),
        (a, b) => a.or(b),
    }
}

/// Reads a price as exports write it: `24.99`, `$24.99`, `1,299.00`,
/// `24,99` (decimal comma) or `1.299,00`.
pub fn parse_price(text: &str) -> Option<f64> {
    // Plain `24.99`, as most exports write it, reads without copying: the
    // filtering below would keep every character of it anyway.
    if text
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-'))
    {
        if !text.bytes().any(|b| b.is_ascii_digit()) {
            return None;
        }
        return text.parse::<f64>().ok().filter(|p| p.is_finite());
    }
    let kept: String = text
        .chars()
        .filter(|c| c.is_ascii_digit() || matches!(c, '.' | ',' | '-'))
        .collect();
    if !kept.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    let normalised = match (kept.rfind('.'), kept.rfind(',')) {
        (Some(dot), Some(comma)) if comma > dot => kept.replace('.', "").replace(',', "."),
        (Some(_), Some(_)) => kept.replace(',', ""),
        // A lone comma followed by exactly two digits is a decimal comma.
        (None, Some(comma)) if kept.len() - comma == 3 => kept.replace(',', "."),
        _ => kept.replace(',', ""),
    };
    normalised.parse::<f64>().ok().filter(|p| p.is_finite())
}

impl Order {
    /// An MFN order bought at `purchase` that nothing else is known of,
    /// for tests to fill in what they need.
    #[cfg(test)]
    pub(crate) fn bought(id: &str, line: u64, purchase: Stamp) -> Order {
        Order {
            id: id.into(),
            line,
            purchase,
            status: None,
            channel: Channel::Mfn,
            ship_by: None,
            shipped_at: None,
            promised_delivery: None,
            delivered_at: None,
            tracking_valid: None,
            has_tracking_id: false,
            cancelled_by: None,
            sale: Sale::default(),
        }
    }

    pub fn is_cancelled(&self) -> bool {
        self.status == Some(OrderStatus::Cancelled)
    }

    /// The latest date any window could select this order by.
    fn latest_date(&self) -> NaiveDate {
        [
            Some(self.purchase),
            self.ship_by,
            self.shipped_at,
            self.promised_delivery,
        ]
        .into_iter()
        .flatten()
        .map(|s| s.date)
        .max()
        .unwrap_or(self.purchase.date)
    }

    /// Fills fields a later item row knows and the first row did not.
    fn merge(&mut self, other: Order) {
        self.merge_shipping(&other);
        self.sale.merge(other.sale);
    }

    /// Fills what a volume-only record of the same order knows.
    fn merge_volume(&mut self, other: &VolumeOrder) {
        self.status = self.status.or(other.status);
        self.cancelled_by = self.cancelled_by.or(other.cancelled_by);
        self.sale.total_price = add_prices(self.sale.total_price, other.total_price);
    }

    /// [`Order::merge`] without the sale.
    fn merge_shipping(&mut self, other: &Order) {
        fn fill<T: Copy>(slot: &mut Option<T>, value: Option<T>) {
            if slot.is_none() {
                *slot = value;
            }
        }
        fill(&mut self.status, other.status);
        fill(&mut self.ship_by, other.ship_by);
        fill(&mut self.shipped_at, other.shipped_at);
        fill(&mut self.promised_delivery, other.promised_delivery);
        fill(&mut self.delivered_at, other.delivered_at);
        fill(&mut self.tracking_valid, other.tracking_valid);
        fill(&mut self.cancelled_by, other.cancelled_by);
        self.has_tracking_id |= other.has_tracking_id;
    }
}

/// An order beyond every rule's reach but inside the score's volume
/// window: what the volume credit, the notes and a review's order need,
/// in a third of an [`Order`]'s memory.
#[derive(Clone, Debug, PartialEq)]
pub struct VolumeOrder {
    pub id: CompactString,
    /// Line of the order's first row.
    pub line: u64,
    pub purchase: NaiveDate,
    /// The order's [`Order::latest_date`], to drop it once no window
    /// reaches it.
    latest: NaiveDate,
    pub status: Option<OrderStatus>,
    pub cancelled_by: Option<CancelledBy>,
    pub total_price: Option<Amount>,
}

impl VolumeOrder {
    fn of(order: &Order) -> VolumeOrder {
        VolumeOrder {
            id: order.id.clone(),
            line: order.line,
            purchase: order.purchase.date,
            latest: order.latest_date(),
            status: order.status,
            cancelled_by: order.cancelled_by,
            total_price: order.sale.total_price,
        }
    }

    pub fn is_cancelled(&self) -> bool {
        self.status == Some(OrderStatus::Cancelled)
    }

    /// Fills what a later item row knows, as [`Order::merge`] does.
    fn merge(
        &mut self,
        status: Option<OrderStatus>,
        cancelled_by: Option<CancelledBy>,
        price: Option<Amount>,
    ) {
        self.status = self.status.or(status);
        self.cancelled_by = self.cancelled_by.or(cancelled_by);
        self.total_price = add_prices(self.total_price, price);
    }

    /// Fills what a later record of the same order knows.
    fn merge_order(&mut self, other: &Order) {
        self.merge(other.status, other.cancelled_by, other.sale.total_price);
    }

    fn merge_volume(&mut self, other: &VolumeOrder) {
        self.merge(other.status, other.cancelled_by, other.total_price);
    }
}

/// Everything the metrics need from the orders export.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Orders {
    pub file: String,
    /// Orders within the rules' reach, in file order (by the line of their
    /// first row).
    pub orders: Blocks<Order>,
    /// Older orders the score's volume window still holds, in file order.
    pub volume_only: Blocks<VolumeOrder>,
    /// The strings of the orders' sales.
    pub strings: Strings,
    /// Without a fulfillment column every order counts as MFN.
    pub has_fulfillment: bool,
    /// Without a tracking_valid column, a non-empty tracking_id is valid tracking.
    pub has_tracking_valid: bool,
    pub has_ship_by: bool,
    pub has_shipped_at: bool,
    pub has_promised_delivery: bool,
    pub has_delivered_at: bool,
    pub has_status: bool,
    pub latest_purchase: Option<NaiveDate>,
    /// Orders dropped while reading because no window reaches back to them.
    pub out_of_reach: u64,
}

/// How far back the windows reach, so older orders can be dropped early.
#[derive(Clone, Copy, Debug)]
pub struct Reach {
    pub as_of: Option<NaiveDate>,
    /// The longest window any rule or the score uses, in days.
    pub horizon_days: u32,
    /// The longest any rule looks back, in days: older orders are only
    /// counted for the score's volume (see [`VolumeOrder`]).
    pub detail_days: u32,
}

struct OrderColumns {
    order_id: Option<usize>,
    purchase_date: Option<usize>,
    status: Option<usize>,
    fulfillment: Option<usize>,
    ship_by: Option<usize>,
    shipped_at: Option<usize>,
    tracking_id: Option<usize>,
    tracking_valid: Option<usize>,
    promised_delivery: Option<usize>,
    delivered_at: Option<usize>,
    cancelled_by: Option<usize>,
    buyer_id: Option<usize>,
    ship_postal_code: Option<usize>,
    ship_city: Option<usize>,
    asin: Option<usize>,
    item_price: Option<usize>,
}

/// The orders file's date columns, each remembering the last text it read
/// and what that text read as. An order's item rows repeat its dates, and
/// a day's orders share their date-only columns, so most dates are read
/// once; reading a text is a pure function of it, so the answer is the
/// same.
#[derive(Default)]
struct RecentDates([Option<Recent>; 5]);

/// A date text of at most [`Recent::MAX`] bytes and its stamp.
struct Recent {
    text: [u8; Recent::MAX],
    len: usize,
    stamp: Stamp,
}

impl Recent {
    const MAX: usize = 40;
}

/// Where each date column keeps its recent text.
const PURCHASE: usize = 0;
const SHIP_BY: usize = 1;
const SHIPPED_AT: usize = 2;
const PROMISED_DELIVERY: usize = 3;
const DELIVERED_AT: usize = 4;

impl RecentDates {
    fn read(&mut self, slot: usize, text: &str, ctx: &ParseContext) -> Result<Stamp, String> {
        if let Some(recent) = &self.0[slot]
            && recent.text[..recent.len] == *text.as_bytes()
        {
            return Ok(recent.stamp);
        }
        let stamp = parse_stamp(text, ctx.date_style).map_err(|e| e.to_string())?;
        if text.len() <= Recent::MAX {
            let mut kept = [0; Recent::MAX];
            kept[..text.len()].copy_from_slice(text.as_bytes());
            self.0[slot] = Some(Recent {
                text: kept,
                len: text.len(),
                stamp,
            });
        }
        Ok(stamp)
    }

    fn date(
        &mut self,
        slot: usize,
        row: &Row<'_>,
        index: Option<usize>,
        column: &str,
        ctx: &ParseContext,
    ) -> Result<Stamp, String> {
        let text = row.required(index, column)?;
        self.read(slot, text, ctx)
            .map_err(|e| format!("{column}: {e}"))
    }

    fn opt_date(
        &mut self,
        slot: usize,
        row: &Row<'_>,
        index: Option<usize>,
        column: &str,
        ctx: &ParseContext,
    ) -> Result<Option<Stamp>, String> {
        row.get(index)?
            .map(|text| {
                self.read(slot, text, ctx)
                    .map_err(|e| format!("{column}: {e}"))
            })
            .transpose()
    }
}

/// Reads one row: its order id, the order without id or sale (the caller
/// fills them only for an order not seen before), and the row's sale cells.
fn parse_order<'a>(
    row: &Row<'a>,
    c: &OrderColumns,
    ctx: &ParseContext,
    dates: &mut RecentDates,
) -> Result<(&'a str, Order, SaleCells<'a>), String> {
    let id = row.required(c.order_id, "order_id")?;
    let order = Order {
        id: CompactString::default(),
        line: row.line,
        purchase: match c.purchase_date {
            Some(_) => dates.date(PURCHASE, row, c.purchase_date, "purchase_date", ctx)?,
            // Only a file that fills in other files' orders (a shipments
            // export) may lack purchase dates; its orders take theirs.
            None => Stamp {
                date: NaiveDate::MIN,
                instant: None,
            },
        },
        status: row.get(c.status)?.map(OrderStatus::parse).transpose()?,
        channel: row
            .get(c.fulfillment)?
            .map(Channel::parse)
            .transpose()?
            .unwrap_or(Channel::Mfn),
        ship_by: dates.opt_date(SHIP_BY, row, c.ship_by, "ship_by", ctx)?,
        shipped_at: dates.opt_date(SHIPPED_AT, row, c.shipped_at, "shipped_at", ctx)?,
        promised_delivery: dates.opt_date(
            PROMISED_DELIVERY,
            row,
            c.promised_delivery,
            "promised_delivery",
            ctx,
        )?,
        delivered_at: dates.opt_date(DELIVERED_AT, row, c.delivered_at, "delivered_at", ctx)?,
        tracking_valid: row
            .get(c.tracking_valid)?
            .map(|v| parse_bool(v).map_err(|e| format!("tracking_valid: {e}")))
            .transpose()?,
        has_tracking_id: row.get(c.tracking_id)?.is_some(),
        cancelled_by: row
            .get(c.cancelled_by)?
            .map(CancelledBy::parse)
            .transpose()?,
        sale: Sale::default(),
    };
    let cells = SaleCells {
        buyer_id: row.get(c.buyer_id)?,
        ship_postal_code: row.get(c.ship_postal_code)?,
        ship_city: row.get(c.ship_city)?,
        asin: row.get(c.asin)?,
        item_price: row.get(c.item_price)?.and_then(parse_price).map(Amount::of),
    };
    Ok((id, order, cells))
}

/// What one chunk of the orders file reads into.
struct ChunkOrders {
    by_id: OrderMap<Order>,
    /// Orders past the rules' reach, for the volume credit only.
    volume: OrderMap<VolumeOrder>,
    dates: RecentDates,
    strings: Strings,
    latest_purchase: Option<NaiveDate>,
    out_of_reach: u64,
    next_prune: usize,
    not_amazon: u64,
}

impl ChunkOrders {
    /// Chunks hash ids alike, so joining them hashes each id once.
    fn new(hasher: &foldhash::fast::RandomState) -> Self {
        ChunkOrders {
            by_id: OrderMap::new(hasher),
            volume: OrderMap::new(hasher),
            dates: RecentDates::default(),
            strings: Strings::default(),
            latest_purchase: None,
            out_of_reach: 0,
            next_prune: PRUNE_EVERY,
            not_amazon: 0,
        }
    }
}

/// Streams the orders table into [`Orders`], on every core for a big file.
pub fn read_orders(table: &mut Table, ctx: &ParseContext, reach: Reach) -> anyhow::Result<Orders> {
    let c = OrderColumns {
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
    };
    let sales_channel = table.index("sales_channel");
    let hasher = foldhash::fast::RandomState::default();
    let chunks = table.for_each_row_split(
        || ChunkOrders::new(&hasher),
        |chunk, row| {
            if row
                .get(sales_channel)?
                .is_some_and(|channel| with_folded(channel, |c| c == "nonamazon"))
            {
                chunk.not_amazon += 1;
                return Ok(());
            }
            let (id, mut order, cells) = parse_order(row, &c, ctx, &mut chunk.dates)?;
            chunk.latest_purchase = chunk.latest_purchase.max(Some(order.purchase.date));
            if let Some(as_of) = reach.as_of
                && order.purchase.date > as_of
            {
                // Bought after the last day of every window: no metric counts it.
                return Ok(());
            }
            if let Some(existing) = chunk.by_id.get_mut(id) {
                existing.merge_shipping(&order);
                existing.sale.merge_cells(&cells, &mut chunk.strings);
            } else if let Some(known) = chunk.volume.get_mut(id) {
                known.merge(order.status, order.cancelled_by, cells.item_price);
            } else {
                // (An order's item rows repeat its dates, so no later row
                // brings an order back into reach.)
                order.id = CompactString::from(id);
                match Cuts::of(reach, chunk.latest_purchase).map(|c| c.tier(order.latest_date())) {
                    Some(Tier::Gone) => chunk.out_of_reach += 1,
                    Some(Tier::Volume) => {
                        order.sale.total_price = cells.item_price;
                        chunk.volume.insert(VolumeOrder::of(&order));
                    }
                    Some(Tier::Full) | None => {
                        order.sale = Sale::from_cells(&cells, &mut chunk.strings);
                        chunk.by_id.insert(order);
                    }
                }
            }
            if chunk.by_id.len() + chunk.volume.len() >= chunk.next_prune {
                chunk.prune(reach);
                let kept = chunk.by_id.len() + chunk.volume.len();
                chunk.next_prune = (kept * 2).max(PRUNE_EVERY);
            }
            Ok(())
        },
    )?;
    let Joined {
        mut orders,
        mut volume_only,
        mut strings,
        latest_purchase,
        mut out_of_reach,
        not_amazon,
    } = join_chunks(chunks);
    if let Some(cuts) = Cuts::of(reach, latest_purchase) {
        out_of_reach += cuts.prune(&mut orders, &mut volume_only);
        compact_strings(&mut orders, &mut strings);
    }
    if not_amazon > 0 {
        table.report.problem(
            None,
            format!(
                "{not_amazon} rows are Non-Amazon (multi-channel fulfillment) orders; \
                 Amazon's metrics leave them out, and so does ahr"
            ),
        );
    }
    // First seen is first by line: an order enters the map at its first row.
    Ok(Orders {
        file: table.report.file.clone(),
        orders,
        volume_only,
        strings,
        has_fulfillment: c.fulfillment.is_some(),
        has_tracking_valid: c.tracking_valid.is_some(),
        has_ship_by: c.ship_by.is_some(),
        has_shipped_at: c.shipped_at.is_some(),
        has_promised_delivery: c.promised_delivery.is_some(),
        has_delivered_at: c.delivered_at.is_some(),
        has_status: c.status.is_some(),
        latest_purchase,
        out_of_reach,
    })
}

impl Orders {
    /// Fills what this (primary) file does not know about its orders from a
    /// second file feeding the orders export, such as Amazon's All Orders
    /// report beside an orders.csv with ship dates. Orders only the second
    /// file has are not added: evidence points at lines of the primary file,
    /// and the primary file is the one that lists the orders. Returns how
    /// many of the second file's orders were not in this one.
    pub fn fill_from(&mut self, other: Orders) -> u64 {
        let full = self.orders.iter().map(|o| &o.id).enumerate();
        let volume_only = self.volume_only.iter().map(|o| &o.id).enumerate();
        let index: HashMap<CompactString, (bool, usize)> = full
            .map(|(i, id)| (id.clone(), (false, i)))
            .chain(volume_only.map(|(i, id)| (id.clone(), (true, i))))
            .collect();
        let take_channel = !self.has_fulfillment && other.has_fulfillment;
        let mut unknown = 0;
        let mut moved = Remap::default();
        for mut order in other.orders.into_values() {
            match index.get(&order.id) {
                Some(&(false, i)) => {
                    order
                        .sale
                        .remap(|sym| moved.get(sym, &other.strings, &mut self.strings));
                    let mine = &mut self.orders[i];
                    if take_channel {
                        mine.channel = order.channel;
                    }
                    mine.merge(order);
                }
                Some(&(true, i)) => self.volume_only[i].merge_order(&order),
                None => unknown += 1,
            }
        }
        for order in other.volume_only.into_values() {
            match index.get(&order.id) {
                Some(&(false, i)) => self.orders[i].merge_volume(&order),
                Some(&(true, i)) => self.volume_only[i].merge_volume(&order),
                None => unknown += 1,
            }
        }
        self.has_fulfillment |= other.has_fulfillment;
        self.has_tracking_valid |= other.has_tracking_valid;
        self.has_ship_by |= other.has_ship_by;
        self.has_shipped_at |= other.has_shipped_at;
        self.has_promised_delivery |= other.has_promised_delivery;
        self.has_delivered_at |= other.has_delivered_at;
        self.has_status |= other.has_status;
        unknown
    }
}

const PRUNE_EVERY: usize = 1 << 16;

/// Where an order belongs, by its [`Order::latest_date`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tier {
    /// Within some rule's reach: the whole order is kept.
    Full,
    /// Past every rule's reach, inside the score's volume window.
    Volume,
    /// Before every window.
    Gone,
}

/// The days on or before which an order counts for nothing, or for the
/// volume credit only. Without `--as-of`, as-of is the latest purchase
/// date, never earlier than the latest one seen so far, so cuts made from
/// the rows read so far are safe: they only move later.
#[derive(Clone, Copy, Debug)]
struct Cuts {
    horizon: NaiveDate,
    detail: NaiveDate,
}

impl Cuts {
    fn of(reach: Reach, latest_seen: Option<NaiveDate>) -> Option<Cuts> {
        let anchor = reach.as_of.or(latest_seen)?;
        let back = |days: u32| anchor.checked_sub_days(Days::new(u64::from(days)));
        Some(Cuts {
            horizon: back(reach.horizon_days)?,
            detail: back(reach.detail_days.min(reach.horizon_days))?,
        })
    }

    fn tier(&self, latest: NaiveDate) -> Tier {
        if latest <= self.horizon {
            Tier::Gone
        } else if latest <= self.detail {
            Tier::Volume
        } else {
            Tier::Full
        }
    }

    /// Moves full orders past the rules' reach to `volume` and drops what
    /// no window reaches; returns how many orders were dropped. Nothing is
    /// moved when nothing needs to be.
    fn prune(&self, full: &mut impl Sift<Order>, volume: &mut impl Sift<VolumeOrder>) -> u64 {
        let stays = full.all(|o| self.tier(o.latest_date()) == Tier::Full)
            && volume.all(|v| v.latest > self.horizon);
        if stays {
            return 0;
        }
        let mut demoted = Vec::new();
        let mut gone = 0;
        full.sift(|order| match self.tier(order.latest_date()) {
            Tier::Full => Some(order),
            Tier::Volume => {
                demoted.push(VolumeOrder::of(&order));
                None
            }
            Tier::Gone => {
                gone += 1;
                None
            }
        });
        volume.sift(|order| {
            let kept = order.latest > self.horizon;
            gone += u64::from(!kept);
            kept.then_some(order)
        });
        demoted.into_iter().for_each(|order| volume.add(order));
        gone
    }
}

/// Records kept in order that pruning sifts: a chunk's maps while it is
/// read, the joined orders at the end.
trait Sift<T> {
    fn all(&self, test: impl FnMut(&T) -> bool) -> bool;
    /// Keeps what `sift` hands back, in order.
    fn sift(&mut self, sift: impl FnMut(T) -> Option<T>);
    /// Adds a record not kept yet.
    fn add(&mut self, item: T);
}

impl<T> Sift<T> for Blocks<T> {
    fn all(&self, test: impl FnMut(&T) -> bool) -> bool {
        self.iter().all(test)
    }

    fn sift(&mut self, sift: impl FnMut(T) -> Option<T>) {
        Blocks::sift(self, sift);
    }

    fn add(&mut self, item: T) {
        self.push(item);
    }
}

impl<T: Keyed> Sift<T> for OrderMap<T> {
    fn all(&self, test: impl FnMut(&T) -> bool) -> bool {
        self.items.iter().all(test)
    }

    /// Re-indexes what is kept.
    fn sift(&mut self, sift: impl FnMut(T) -> Option<T>) {
        let before = self.items.len();
        self.items.sift(sift);
        if self.items.len() == before {
            return; // nothing moved: the index still holds
        }
        self.index.clear();
        for (i, item) in self.items.iter().enumerate() {
            let short = self.hasher.hash_one(item.key()) as u32;
            let at = u32::try_from(i).unwrap_or(u32::MAX);
            self.index
                .insert_unique(widen(short), (short, at), |&(h, _)| widen(h));
        }
    }

    fn add(&mut self, item: T) {
        self.insert(item);
    }
}

impl ChunkOrders {
    /// Sifts the chunk's orders by the cuts the rows read so far allow.
    fn prune(&mut self, reach: Reach) {
        if let Some(cuts) = Cuts::of(reach, self.latest_purchase) {
            self.out_of_reach += cuts.prune(&mut self.by_id, &mut self.volume);
            compact_strings(&mut self.by_id.items, &mut self.strings);
        }
    }
}

/// Drops the strings no kept order uses any more. Addresses and ASINs
/// repeat, so there are far fewer strings than orders; only a file of
/// ever-new ones needs the dropped ones gone.
fn compact_strings(orders: &mut Blocks<Order>, strings: &mut Strings) {
    if strings.len() > 2 * orders.len() + 1024 {
        let mut kept = Strings::default();
        let mut moved = Remap::default();
        for order in orders.iter_mut() {
            order.sale.remap(|sym| moved.get(sym, strings, &mut kept));
        }
        *strings = kept;
    }
}

/// The orders of every chunk, joined.
struct Joined {
    orders: Blocks<Order>,
    volume_only: Blocks<VolumeOrder>,
    strings: Strings,
    latest_purchase: Option<NaiveDate>,
    out_of_reach: u64,
    not_amazon: u64,
}

/// Where a record of an order lies: its chunk, its map and its place.
#[derive(Clone, Copy, Debug)]
struct Place {
    chunk: usize,
    volume: bool,
    at: usize,
}

/// A record of a later chunk (`from`) whose id an earlier chunk has
/// already begun (`into`).
struct Repeat {
    from: Place,
    into: Place,
}

/// One chunk's records on their way into [`Joined`].
struct Part {
    orders: Blocks<Order>,
    volume: Blocks<VolumeOrder>,
    lines_before: u64,
    moved: Moved,
}

/// Joins the chunks' orders into what one reader reading the chunks one
/// after another would have kept: the orders in file order, an id seen in
/// several chunks one order, merged in file order into its first. No index
/// of all the orders is built: each later chunk looks its ids up in the
/// earlier chunks' indexes, on every core, and only the few repeats move.
fn join_chunks(chunks: Vec<(ChunkOrders, u64)>) -> Joined {
    let threads = parallel::cores();
    let later: Vec<usize> = (1..chunks.len()).collect();
    let (_, repeats) = parallel::share_out(
        threads,
        &later,
        || (),
        |_, &chunk| repeats_in(&chunks, chunk),
    );
    let repeats: Vec<Repeat> = repeats.into_iter().flatten().collect();
    let mut joined = Joined {
        orders: Blocks::default(),
        volume_only: Blocks::default(),
        strings: Strings::default(),
        latest_purchase: None,
        out_of_reach: 0,
        not_amazon: 0,
    };
    // The indexes are not needed any more.
    let mut parts = Vec::with_capacity(chunks.len());
    for (chunk, lines_before) in chunks {
        joined.latest_purchase = joined.latest_purchase.max(chunk.latest_purchase);
        joined.out_of_reach += chunk.out_of_reach;
        joined.not_amazon += chunk.not_amazon;
        parts.push(Part {
            moved: joined.strings.absorb(&chunk.strings),
            orders: chunk.by_id.items,
            volume: chunk.volume.items,
            lines_before,
        });
    }
    parallel::each_mut(threads, &mut parts, |_, part| {
        for order in part.orders.iter_mut() {
            order.line += part.lines_before;
            order.sale.remap(|sym| part.moved.get(sym));
        }
        for order in part.volume.iter_mut() {
            order.line += part.lines_before;
        }
    });
    // A repeat's first record is never itself a repeat, so all merges are
    // done before any repeat is removed and places move. The repeats come
    // chunk by chunk, so each order takes its later records in file order.
    for repeat in &repeats {
        let (earlier, rest) = parts.split_at_mut(repeat.from.chunk);
        let (from, into) = (&rest[0], &mut earlier[repeat.into.chunk]);
        match (repeat.from.volume, repeat.into.volume) {
            (false, false) => {
                into.orders[repeat.into.at].merge(from.orders[repeat.from.at].clone())
            }
            (true, false) => into.orders[repeat.into.at].merge_volume(&from.volume[repeat.from.at]),
            (false, true) => into.volume[repeat.into.at].merge_order(&from.orders[repeat.from.at]),
            (true, true) => into.volume[repeat.into.at].merge_volume(&from.volume[repeat.from.at]),
        }
    }
    for (chunk, part) in parts.iter_mut().enumerate() {
        let places = |volume: bool| -> Vec<usize> {
            let from = repeats.iter().map(|r| r.from);
            from.filter(|f| f.chunk == chunk && f.volume == volume)
                .map(|f| f.at)
                .collect()
        };
        drop_places(&mut part.orders, &places(false));
        drop_places(&mut part.volume, &places(true));
    }
    for part in parts {
        joined.orders.append(part.orders);
        joined.volume_only.append(part.volume);
    }
    joined
}

/// Drops the values at `places` (in ascending order).
fn drop_places<T>(values: &mut Blocks<T>, places: &[usize]) {
    if places.is_empty() {
        return;
    }
    let mut at = 0;
    let mut next = places.iter().copied().peekable();
    values.retain(|_| {
        let dropped = next.next_if_eq(&at).is_some();
        at += 1;
        !dropped
    });
}

/// The records of chunk `later` whose ids an earlier chunk has, in order:
/// its full orders, then its volume-only ones.
fn repeats_in(chunks: &[(ChunkOrders, u64)], later: usize) -> Vec<Repeat> {
    let (earlier, own) = (&chunks[..later], &chunks[later].0);
    let find = |id: &str| {
        let hash = own.by_id.hash(id);
        earlier.iter().enumerate().find_map(|(chunk, (c, _))| {
            let full = c.by_id.position(hash, id).map(|at| (false, at));
            let (volume, at) = full.or_else(|| c.volume.position(hash, id).map(|at| (true, at)))?;
            Some(Place { chunk, volume, at })
        })
    };
    let full = own.by_id.items.iter().map(|o| o.id.as_str());
    let volume = own.volume.items.iter().map(|o| o.id.as_str());
    let ids = full
        .map(|id| (false, id))
        .enumerate()
        .chain(volume.map(|id| (true, id)).enumerate());
    ids.filter_map(|(at, (volume, id))| {
        let into = find(id)?;
        let from = Place {
            chunk: later,
            volume,
            at,
        };
        Some(Repeat { from, into })
    })
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(id: &str, line: u64, day: u32) -> Order {
        let purchase = Stamp {
            date: NaiveDate::from_ymd_opt(2026, 11, day).unwrap(),
            instant: None,
        };
        Order::bought(id, line, purchase)
    }

    #[test]
    fn the_order_index_follows_the_orders_through_pruning() {
        let mut map = OrderMap::new(&Default::default());
        for (i, id) in ["113-a", "113-b", "113-c", "113-d"].iter().enumerate() {
            map.insert(order(id, i as u64 + 2, i as u32 + 1));
        }
        map.sift(|o| (o.id != "113-a" && o.id != "113-c").then_some(o));
        assert!(map.get_mut("113-a").is_none());
        assert!(map.get_mut("113-c").is_none());
        assert_eq!(map.get_mut("113-d").map(|o| o.line), Some(5));
        map.insert(order("113-a", 9, 20));
        assert_eq!(map.get_mut("113-a").map(|o| o.line), Some(9));
        let ids: Vec<&str> = map.items.iter().map(|o| o.id.as_str()).collect();
        assert_eq!(
            ids,
            ["113-b", "113-d", "113-a"],
            "file order survives pruning"
        );
    }

    #[test]
    fn recent_dates_read_as_the_parser_reads_them() {
        let ctx = ParseContext::default();
        let mut dates = RecentDates::default();
        let texts = [
            "2026-11-01T17:01:22-07:00",
            "2026-11-01T17:01:22-07:00",
            "2026-11-01T17:01:22-08:00", // same length, other instant
            "2026-11-01",
            "not a date",
            "2026-11-01",
            "Sunday, November 1, 2026 at 5:01:22 PM Pacific Standard Time",
            "2026-11-02",
        ];
        for text in texts {
            let expected = parse_stamp(text, None).map_err(|e| e.to_string());
            for slot in [SHIP_BY, DELIVERED_AT] {
                assert_eq!(dates.read(slot, text, &ctx), expected, "{text}");
            }
        }
        assert_eq!(
            dates.read(PURCHASE, "2026-11-01T17:01:22-07:00", &ctx),
            dates.read(SHIP_BY, "2026-11-01T17:01:22-07:00", &ctx)
        );
    }

    #[test]
    fn prices_read_in_the_forms_exports_use() {
        assert_eq!(parse_price("24.99"), Some(24.99));
        assert_eq!(parse_price("$1,299.00"), Some(1299.0));
        assert_eq!(parse_price("24,99 €"), Some(24.99));
        assert_eq!(parse_price("1.299,00"), Some(1299.0));
        assert_eq!(parse_price("1,299"), Some(1299.0));
        assert_eq!(parse_price("0.00"), Some(0.0));
        assert_eq!(parse_price("free"), None);
    }

    #[test]
    fn price_sums_are_the_same_in_any_order() {
        let prices = [0.1, 0.2, -0.3];
        let sum = |order: [usize; 3]| {
            order.iter().fold(None, |total, &i| {
                add_prices(total, Some(Amount::of(prices[i])))
            })
        };
        // As floats, the total misses zero, by an amount that depends on
        // the order the prices are added in.
        let (a, b) = (
            (prices[0] + prices[1]) + prices[2],
            prices[0] + (prices[1] + prices[2]),
        );
        assert!(a > 0.0 && b > 0.0 && a != b);
        for order in [[0, 1, 2], [2, 1, 0], [1, 2, 0]] {
            assert_eq!(sum(order), Some(Amount::ZERO), "{order:?}");
        }
        assert_eq!(Amount::of(24.99).plus(Amount::of(0.01)), Amount::of(25.0));
    }

    #[test]
    fn item_rows_merge_into_one_sale() {
        let mut strings = Strings::default();
        let cells = |buyer, postal, asin, price| SaleCells {
            buyer_id: buyer,
            ship_postal_code: postal,
            ship_city: None,
            asin,
            item_price: price,
        };
        let mut sale = Sale::from_cells(
            &cells(Some("b1"), None, Some("B01"), Some(Amount::of(10.0))),
            &mut strings,
        );
        let mut later = Sale::from_cells(
            &cells(
                Some("b2"),
                Some("10001"),
                Some("B02"),
                Some(Amount::of(5.5)),
            ),
            &mut strings,
        );
        later.merge_cells(&cells(None, None, Some("B01"), None), &mut strings);
        sale.merge(later);
        let text = |sym: Option<Sym>| sym.map(|s| strings.get(s));
        assert_eq!(sale.buyer_id.as_deref(), Some("b1"));
        assert_eq!(text(sale.ship_postal_code), Some("10001"));
        let asins: Vec<&str> = sale.asins.iter().map(|&a| strings.get(a)).collect();
        assert_eq!(asins, ["B01", "B02"]);
        assert_eq!(sale.total_price, Some(Amount::of(15.5)));
    }

    #[test]
    fn pruning_keeps_the_strings_of_the_orders_it_keeps() {
        let mut map = OrderMap::new(&Default::default());
        let mut strings = Strings::default();
        // Every order its own postal code, as no real file has: pruning
        // drops the codes only the dropped orders used.
        for i in 0..3000u32 {
            let mut o = order(&format!("113-{i}"), u64::from(i) + 2, 1 + i % 28);
            o.sale.ship_postal_code = Some(strings.intern(&format!("{i:05}")));
            o.sale.asins.push(strings.intern("B01"));
            map.insert(o);
        }
        map.sift(|o| (o.line % 1000 == 0).then_some(o));
        compact_strings(&mut map.items, &mut strings);
        let postal: Vec<&str> = map
            .items
            .iter()
            .map(|o| strings.get(o.sale.ship_postal_code.unwrap()))
            .collect();
        assert_eq!(postal, ["00998", "01998", "02998"]);
        assert!(
            map.items
                .iter()
                .all(|o| strings.get(o.sale.asins[0]) == "B01")
        );
        assert_eq!(strings.len(), 4, "three postal codes and one ASIN are left");
    }

    #[test]
    fn item_rows_of_one_order_keep_its_buyer_address_asins_and_total() {
        let dir = std::env::temp_dir().join(format!("ahr-orders-sale-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("orders.tsv");
        std::fs::write(
            &path,
            "amazon-order-id\tpurchase-date\tbuyer-email\tship-postal-code\tship-city\tasin\titem-price\n\
             113-1\t2026-11-01\tb@example.com\t10001\tNew York\tB01\t10.00\n\
             113-2\t2026-11-02\t\t\t\tB03\t0.00\n\
             113-1\t2026-11-01\t\t\t\tB02\t5.50\n\
             113-1\t2026-11-01\t\t\t\tB01\tn/a\n",
        )
        .unwrap();
        let mut table = Table::open(&path, &crate::input::schema::ORDERS, false).unwrap();
        let reach = Reach {
            as_of: None,
            horizon_days: 60,
            detail_days: 60,
        };
        let orders = read_orders(&mut table, &ParseContext::default(), reach).unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(orders.orders.len(), 2);
        let first = &orders.orders[0].sale;
        let text = |sym: Option<Sym>| sym.map(|s| orders.strings.get(s));
        assert_eq!(first.buyer_id.as_deref(), Some("b@example.com"));
        assert_eq!(text(first.ship_postal_code), Some("10001"));
        assert_eq!(text(first.ship_city), Some("New York"));
        let asins: Vec<&str> = first.asins.iter().map(|&a| orders.strings.get(a)).collect();
        assert_eq!(asins, ["B01", "B02"]);
        assert_eq!(first.total_price, Some(Amount::of(15.5)));
        assert_eq!(orders.orders[1].sale.total_price, Some(Amount::ZERO));
        assert_eq!(orders.orders[1].sale.buyer_id, None);
    }

    /// Every order as text, its sale's handles read back: two reads of a
    /// file agree on this whatever order their strings were kept in.
    fn described(orders: &Orders) -> Vec<String> {
        let text = |sym: Option<Sym>| sym.map(|s| orders.strings.get(s).to_string());
        orders
            .orders
            .iter()
            .map(|o| {
                let shipping = Order {
                    sale: Sale::default(),
                    ..o.clone()
                };
                let asins: Vec<&str> = o
                    .sale
                    .asins
                    .iter()
                    .map(|&a| orders.strings.get(a))
                    .collect();
                format!(
                    "{shipping:?} {:?} {:?} {:?} {asins:?} {:?}",
                    o.sale.buyer_id,
                    text(o.sale.ship_postal_code),
                    text(o.sale.ship_city),
                    o.sale.total_price
                )
            })
            .chain({
                // Orders move to the volume-only list as the windows' reach
                // passes them, which chunks see at other times.
                let mut volume_only: Vec<&VolumeOrder> = orders.volume_only.iter().collect();
                volume_only.sort_by_key(|o| o.line);
                volume_only.into_iter().map(|o| format!("{o:?}"))
            })
            .collect()
    }

    #[test]
    fn orders_read_in_chunks_are_the_orders_one_reader_reads() {
        // Item rows of one order far apart, so one order spans chunks: its
        // first row lacks what later rows fill in, and each row adds an
        // ASIN and a price. Some orders lie beyond every window, some past
        // the rules' reach, and the rows are in no order of time.
        let mut text = String::from(
            "order_id,purchase_date,status,ship_by,shipped_at,buyer_id,ship_postal_code,ship_city,asin,item_price\n",
        );
        let mut seed = 11u64;
        let mut next = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            seed >> 33
        };
        for i in 0..1500u64 {
            let order = next() % 500;
            let day = 1 + order % 28;
            let month = ["03", "10", "11", "11", "11"][order as usize % 5];
            let status = if next() % 3 == 0 { "Shipped" } else { "" };
            let shipped = if next() % 2 == 0 {
                format!("2026-{month}-{day:02}T18:00:00Z")
            } else {
                String::new()
            };
            let buyer = if next() % 4 == 0 {
                String::new()
            } else {
                format!("b{}", order % 97)
            };
            text.push_str(&format!(
                "113-{order:07},2026-{month}-{day:02},{status},2026-{month}-{day:02},{shipped},{buyer},{:05},City {},B0{:03},{}.{:02}\n",
                order % 61,
                order % 13,
                next() % 40,
                next() % 90,
                i % 100,
            ));
        }
        let dir = std::env::temp_dir().join(format!("ahr-orders-chunks-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("orders.csv");
        std::fs::write(&path, &text).unwrap();
        let mut reach = Reach {
            as_of: NaiveDate::from_ymd_opt(2026, 11, 30),
            horizon_days: 90,
            detail_days: 30,
        };
        let read = |split: Option<(u64, u64)>, reach: Reach| {
            let mut table = Table::open(&path, &crate::input::schema::ORDERS, false).unwrap();
            if let Some((threads, min_chunk)) = split {
                table.split_small(threads, min_chunk);
            }
            read_orders(&mut table, &ParseContext::default(), reach).unwrap()
        };
        let one = read(None, reach);
        assert!(
            one.out_of_reach > 0 && one.orders.len() > 200 && one.volume_only.len() > 50,
            "every kind is in the file"
        );
        assert!(
            one.orders.iter().any(|o| o.sale.asins.len() > 2),
            "rows far apart make one order"
        );
        let mut ids: Vec<&str> = one.orders.iter().map(|o| o.id.as_str()).collect();
        ids.extend(one.volume_only.iter().map(|o| o.id.as_str()));
        let all = ids.len();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), all, "an order is kept once, in one list");
        // Without --as-of, each chunk judges reach by the rows it has read.
        let runs = [(2, 2000), (3, 700), (4, 64)];
        let by_latest = Reach {
            as_of: None,
            ..reach
        };
        for (threads, min_chunk, reach) in runs
            .iter()
            .map(|&(t, c)| (t, c, reach))
            .chain(runs.iter().map(|&(t, c)| (t, c, by_latest)))
        {
            let one = read(None, reach);
            let chunked = read(Some((threads, min_chunk)), reach);
            let (got, want) = (described(&chunked), described(&one));
            let differ = (0..got.len().max(want.len())).find(|&i| got.get(i) != want.get(i));
            assert!(
                differ.is_none(),
                "{threads} threads, chunks of {min_chunk} bytes, {:?}: {} orders against {}; \
                 first difference:\n{:?}\n{:?}",
                reach.as_of,
                got.len(),
                want.len(),
                differ.and_then(|i| got.get(i)),
                differ.and_then(|i| want.get(i)),
            );
            assert_eq!(chunked.out_of_reach, one.out_of_reach);
            assert_eq!(chunked.latest_purchase, one.latest_purchase);
        }
        reach.detail_days = reach.horizon_days;
        let whole = read(None, reach);
        assert_eq!(
            whole.orders.len(),
            one.orders.len() + one.volume_only.len(),
            "the orders past the rules' reach are the rest of the orders"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
