//! The orders export, streamed into one compact record per order id. Rows
//! sharing an order id (order items) are one order. Orders that no window can
//! reach are dropped while reading, and orders past every rule's reach keep
//! only what the score's volume credit reads, so memory follows the
//! windows, not the file. Reading borrows every cell from the csv record
//! and allocates only for what a new order keeps: the rows of an order
//! already seen are merged without building anything. A big file is read
//! in chunks on every core, each into its own orders, joined in file order
//! at the end.
//!
//! A row is read by `row` into a chunk's `map`; `reach` sorts the
//! orders by how far back the windows look; `join` puts the chunks
//! together. An order keeps its id, dates, buyer and ASINs packed (`id`,
//! `stamp`, `sale_parts`): a big account holds a million of them.

mod id;
mod join;
mod map;
mod reach;
mod row;
mod sale_parts;
mod stamp;

pub use id::OrderId;
pub use sale_parts::{Asins, BuyerId};
pub use stamp::PackedStamp;

use join::{Joined, join_chunks};
use map::{Found, OrderMap};
use reach::{Cuts, LatestSeen, Tier, compact_strings};
use row::{OrderColumns, RecentCells, parse_order};

use super::blocks::Blocks;
#[cfg(test)]
use super::dates::Stamp;
use super::records::ParseContext;
use super::strings::{Remap, Strings, Sym};
use super::table::Table;
use super::values::{CancelledBy, Channel, OrderStatus, with_folded};
use chrono::NaiveDate;
use std::collections::HashMap;
use std::num::NonZeroU64;

/// One order, merged from its item rows.
#[derive(Clone, Debug, PartialEq)]
pub struct Order {
    pub id: OrderId,
    /// Line of the order's first row (an orders file holds at most
    /// `u32::MAX` lines, see [`read_orders`]).
    pub line: u32,
    pub purchase: PackedStamp,
    pub status: Option<OrderStatus>,
    pub channel: Channel,
    pub ship_by: Option<PackedStamp>,
    pub shipped_at: Option<PackedStamp>,
    pub promised_delivery: Option<PackedStamp>,
    pub delivered_at: Option<PackedStamp>,
    pub tracking: Tracking,
    pub cancelled_by: Option<CancelledBy>,
    /// Who bought what, where it went and for how much.
    pub sale: Sale,
}

/// What an order's rows say of its tracking, in one byte: the first
/// `tracking_valid` a row gives, and whether any row gives a tracking id
/// (which counts as valid tracking in a file without that column).
#[derive(Clone, Copy, Default, PartialEq, Eq)]
pub struct Tracking(u8);

impl Tracking {
    /// A row gave `tracking_valid`; [`Tracking::VALID`] holds its value.
    const FLAGGED: u8 = 1;
    const VALID: u8 = 2;
    const HAS_ID: u8 = 4;

    pub fn new(valid: Option<bool>, has_id: bool) -> Tracking {
        let flag = match valid {
            None => 0,
            Some(false) => Tracking::FLAGGED,
            Some(true) => Tracking::FLAGGED | Tracking::VALID,
        };
        Tracking(flag | if has_id { Tracking::HAS_ID } else { 0 })
    }

    /// The `tracking_valid` a row gave.
    pub fn valid(self) -> Option<bool> {
        (self.0 & Tracking::FLAGGED != 0).then_some(self.0 & Tracking::VALID != 0)
    }

    pub fn has_id(self) -> bool {
        self.0 & Tracking::HAS_ID != 0
    }

    /// Adds what a later row of the order says: the first flag stays.
    fn merge(&mut self, later: Tracking) {
        *self = Tracking::new(
            self.valid().or(later.valid()),
            self.has_id() || later.has_id(),
        );
    }
}

impl std::fmt::Debug for Tracking {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tracking")
            .field("valid", &self.valid())
            .field("has_id", &self.has_id())
            .finish()
    }
}

/// The buyer, address, ASINs and price of an order, for the fake-order
/// signals. Kept apart from the shipping fields the metrics read; its
/// strings are handles into [`Orders::strings`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Sale {
    pub buyer_id: Option<BuyerId>,
    pub ship_postal_code: Option<Sym>,
    pub ship_city: Option<Sym>,
    /// The ASINs of the order's item rows, each once, in row order.
    pub asins: Asins,
    /// The sum of the item rows' `item_price`; `None` when no row gives a
    /// readable one. A price that cannot be read is left out rather than
    /// skipping the row: the shipping metrics do not need it.
    pub total_price: Option<Amount>,
}

/// A sum of prices, exact to a ten-thousandth of the currency unit. Exact
/// sums are the same in any order, and a big file's chunks add up their
/// own item rows before the totals meet: with floats, a refund row could
/// leave a total a hair above or below zero depending on the cores.
///
/// Held as the value with its sign bit flipped, which orders as the value
/// does and is never zero: values stop one short of `i64::MIN`. So an
/// `Option<Amount>` takes 8 bytes, not 16, in every order.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Amount(NonZeroU64);

impl std::fmt::Debug for Amount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Amount").field(&self.value()).finish()
    }
}

impl Amount {
    pub const ZERO: Amount = Amount::new(0);

    const fn new(value: i64) -> Amount {
        let value = if value == i64::MIN { value + 1 } else { value };
        match NonZeroU64::new(value as u64 ^ SIGN) {
            Some(held) => Amount(held),
            // Only i64::MIN flips to zero, and it was moved up above.
            None => Amount(NonZeroU64::MAX),
        }
    }

    fn value(self) -> i64 {
        (self.0.get() ^ SIGN) as i64
    }

    /// The amount of a price read from a file (see [`parse_price`]).
    pub fn of(price: f64) -> Amount {
        // A float too big for the scale saturates: no real price is.
        Amount::new((price * 10_000.0).round() as i64)
    }

    /// The amount a price cell reads as: [`parse_price`] then
    /// [`Amount::of`]. A plain price (`24.99`, `-5`, up to four decimals)
    /// is read as a whole number of ten-thousandths, which is the amount
    /// the float would round to, without the float: the orders file has a
    /// price on every row.
    pub fn parse(text: &str) -> Option<Amount> {
        match plain_amount(text.as_bytes()) {
            Some(value) => Some(Amount::new(value)),
            None => parse_price(text).map(Amount::of),
        }
    }

    fn plus(self, other: Amount) -> Amount {
        Amount::new(self.value().saturating_add(other.value()))
    }
}

const SIGN: u64 = 1 << 63;

/// `-?d+(.d{1,4})?` in ten-thousandths, for amounts under 1e15 of them
/// (eleven whole digits). The float path computes the same number: its two
/// roundings are off by less than 2.3e-16 of such an amount, so it rounds
/// back to it.
pub(super) fn plain_amount(text: &[u8]) -> Option<i64> {
    /// Digits of the amount in ten-thousandths: the whole digits and four.
    const MAX_DIGITS: usize = 15;
    let (negative, digits) = match text {
        [b'-', rest @ ..] => (true, rest),
        _ => (false, text),
    };
    let (whole, decimals) = match digits.iter().position(|&b| b == b'.') {
        Some(dot) => (&digits[..dot], &digits[dot + 1..]),
        None => (digits, &[][..]),
    };
    let has_dot = whole.len() < digits.len();
    if whole.is_empty()
        || (has_dot && decimals.is_empty())
        || decimals.len() > 4
        || whole.len() + 4 > MAX_DIGITS
    {
        return None;
    }
    let mut value: i64 = 0;
    for &b in whole.iter().chain(decimals) {
        if !b.is_ascii_digit() {
            return None;
        }
        value = value * 10 + i64::from(b - b'0');
    }
    value *= 10_i64.pow(4 - decimals.len() as u32);
    Some(if negative { -value } else { value })
}

/// The sale cells of one row, borrowed from the record.
struct SaleCells<'a> {
    buyer_id: Option<&'a str>,
    ship_postal_code: Option<&'a str>,
    ship_city: Option<&'a str>,
    asin: Option<&'a str>,
    item_price: Option<&'a str>,
}

impl SaleCells<'_> {
    /// The row's price, read only for a row that is kept: an unreadable
    /// price never rejects a row, so rows no window reaches skip it.
    fn price(&self) -> Option<Amount> {
        self.item_price.and_then(Amount::parse)
    }
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
            self.buyer_id = cells.buyer_id.map(BuyerId::new);
        }
        let mut fill = |slot: &mut Option<Sym>, value: Option<&str>| {
            if slot.is_none() {
                *slot = value.map(|v| strings.intern(v));
            }
        };
        fill(&mut self.ship_postal_code, cells.ship_postal_code);
        fill(&mut self.ship_city, cells.ship_city);
        if let Some(asin) = cells.asin
            && !self.asins.iter().any(|a| strings.get(a) == asin)
        {
            self.asins.push(strings.intern(asin));
        }
        self.total_price = add_prices(self.total_price, cells.price());
    }

    /// Like [`Sale::merge_cells`] with a later sale of the same strings.
    fn merge(&mut self, other: Sale) {
        if self.buyer_id.is_none() {
            self.buyer_id = other.buyer_id;
        }
        self.ship_postal_code = self.ship_postal_code.or(other.ship_postal_code);
        self.ship_city = self.ship_city.or(other.ship_city);
        for asin in other.asins.iter() {
            if !self.asins.contains(asin) {
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
        self.asins.remap(to);
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
            line: u32::try_from(line).expect("a line a test can write"),
            purchase: PackedStamp::new(purchase).expect("a date a file could hold"),
            status: None,
            channel: Channel::Mfn,
            ship_by: None,
            shipped_at: None,
            promised_delivery: None,
            delivered_at: None,
            tracking: Tracking::default(),
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
        .max()
        .unwrap_or(self.purchase)
        .date()
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
        fill(&mut self.cancelled_by, other.cancelled_by);
        self.tracking.merge(other.tracking);
    }
}

/// An order beyond every rule's reach but inside the score's volume
/// window: what the volume credit, the notes and a review's order need,
/// in under half of an [`Order`]'s memory.
#[derive(Clone, Debug, PartialEq)]
pub struct VolumeOrder {
    pub id: OrderId,
    /// Line of the order's first row.
    pub line: u32,
    pub purchase: NaiveDate,
    /// The order's [`Order::latest_date`], to drop it once no window
    /// reaches it.
    latest: NaiveDate,
    pub status: Option<OrderStatus>,
    pub cancelled_by: Option<CancelledBy>,
    pub total_price: Option<Amount>,
}

impl VolumeOrder {
    /// An order past the rules' reach bought on `purchase`, for tests.
    #[cfg(test)]
    pub(crate) fn bought(id: &str, line: u64, purchase: NaiveDate) -> VolumeOrder {
        VolumeOrder::of(&Order::bought(id, line, Stamp::on(purchase)))
    }

    fn of(order: &Order) -> VolumeOrder {
        VolumeOrder {
            id: order.id.clone(),
            line: order.line,
            purchase: order.purchase.date(),
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

/// What one chunk of the orders file reads into.
struct ChunkOrders {
    orders: OrderMap,
    recent: RecentCells,
    strings: Strings,
    latest_purchase: Option<NaiveDate>,
    next_prune: usize,
    not_amazon: u64,
    /// The line of the last row read, counted from the chunk's start.
    last_line: u64,
    /// The cuts of the latest purchase date seen when they were last
    /// asked for: that date moves a few times a day of orders, while the
    /// cuts are asked for at every new order.
    cuts: Option<(Option<NaiveDate>, Option<Cuts>)>,
    /// The cuts the chunk's orders were sorted by, while they were all the
    /// same ones: then the final cuts, if they are these, move nothing.
    sorted_by: Sorting,
}

/// Which cuts a chunk has sorted its orders by.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Sorting {
    Unsorted,
    By(Cuts),
    Mixed,
}

impl ChunkOrders {
    /// Gives back what only reading needed, once the chunk's rows are read:
    /// from here on its ids and strings are only looked up.
    fn done(&mut self) {
        self.orders.seal();
        self.strings.seal();
    }

    /// Chunks hash ids alike, so joining them hashes each id once.
    fn new(hasher: &foldhash::fast::RandomState) -> Self {
        ChunkOrders {
            orders: OrderMap::new(hasher),
            recent: RecentCells::default(),
            strings: Strings::default(),
            latest_purchase: None,
            next_prune: PRUNE_EVERY,
            not_amazon: 0,
            last_line: 0,
            cuts: None,
            sorted_by: Sorting::Unsorted,
        }
    }

    /// [`Cuts::of`] the latest purchase date seen, worked out again only
    /// when that date has moved.
    fn cuts(&mut self, reach: Reach, latest_seen: Option<NaiveDate>) -> Option<Cuts> {
        match self.cuts {
            // The same cuts as last time: they sort as they did.
            Some((seen, cuts)) if seen == latest_seen => cuts,
            _ => {
                let cuts = Cuts::of(reach, latest_seen);
                self.cuts = Some((latest_seen, cuts));
                self.sorted_by = match (self.sorted_by, cuts) {
                    (Sorting::Unsorted, Some(cuts)) => Sorting::By(cuts),
                    (Sorting::By(before), Some(cuts)) if before == cuts => Sorting::By(cuts),
                    _ => Sorting::Mixed,
                };
                cuts
            }
        }
    }

    /// Whether every order of the chunk was sorted by `cuts`: then
    /// sorting them by `cuts` again moves none (an order's later rows only
    /// fill in dates, so its latest date only moves later).
    fn sorted_by(&self, cuts: Option<Cuts>) -> bool {
        match self.sorted_by {
            Sorting::Unsorted => true,
            Sorting::By(sorted) => Some(sorted) == cuts,
            Sorting::Mixed => false,
        }
    }
}

/// Streams the orders table into [`Orders`], on every core for a big file.
pub fn read_orders(table: &mut Table, ctx: &ParseContext, reach: Reach) -> anyhow::Result<Orders> {
    let c = OrderColumns::of(table);
    let sales_channel = table.index("sales_channel");
    let hasher = foldhash::fast::RandomState::default();
    let seen = LatestSeen::default();
    let chunks = table.for_each_row_split(
        || ChunkOrders::new(&hasher),
        |chunk, row| {
            chunk.last_line = row.line;
            if row
                .get(sales_channel)?
                .is_some_and(|channel| with_folded(channel, |c| c == "nonamazon"))
            {
                chunk.not_amazon += 1;
                return Ok(());
            }
            let (id, mut order, cells) = parse_order(row, &c, ctx, &mut chunk.recent)?;
            let bought = order.purchase.date();
            if chunk.latest_purchase < Some(bought) {
                chunk.latest_purchase = Some(bought);
                seen.raise(bought);
            }
            if let Some(as_of) = reach.as_of
                && bought > as_of
            {
                // Bought after the last day of every window: no metric counts it.
                return Ok(());
            }
            match chunk.orders.get_mut(id) {
                Some(Found::Full(existing)) => {
                    existing.merge_shipping(&order);
                    existing.sale.merge_cells(&cells, &mut chunk.strings);
                }
                Some(Found::Volume(known)) => {
                    known.merge(order.status, order.cancelled_by, cells.price())
                }
                // (An order's item rows repeat its dates, so no later row
                // brings an order back into reach.)
                None => {
                    let cuts = chunk.cuts(reach, seen.latest());
                    match cuts.map(|c| c.tier(order.latest_date())) {
                        // Before every window: nothing keeps it.
                        Some(Tier::Gone) => {}
                        Some(Tier::Volume) => {
                            order.sale.total_price = cells.price();
                            chunk.orders.insert_volume(VolumeOrder::of(&order));
                        }
                        Some(Tier::Full) | None => {
                            order.sale = Sale::from_cells(&cells, &mut chunk.strings);
                            chunk.orders.insert_full(order);
                        }
                    }
                }
            }
            if chunk.orders.len() >= chunk.next_prune {
                chunk.prune(reach, seen.latest());
                chunk.next_prune = (chunk.orders.len() * 2).max(PRUNE_EVERY);
            }
            Ok(())
        },
        ChunkOrders::done,
    )?;
    let lines = chunks
        .iter()
        .map(|(chunk, before)| before + chunk.last_line);
    refuse_past_line_limit(&table.report.file, lines.max().unwrap_or(0))?;
    let latest_purchase = chunks.iter().filter_map(|(c, _)| c.latest_purchase).max();
    let final_cuts = Cuts::of(reach, latest_purchase);
    // With `--as-of`, or once the latest date was known, the chunks have
    // sorted their orders by the final cuts already: a pass over every
    // order would find nothing to move.
    let sorted = chunks.iter().all(|(chunk, _)| chunk.sorted_by(final_cuts));
    let Joined {
        mut orders,
        mut volume_only,
        mut strings,
        not_amazon,
    } = join_chunks(chunks);
    if let Some(cuts) = final_cuts {
        if !sorted {
            cuts.prune(&mut orders, &mut volume_only);
        }
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
    })
}

impl Orders {
    /// Whether the file kept any order, whole or for the volume credit.
    pub fn has_any(&self) -> bool {
        !(self.orders.is_empty() && self.volume_only.is_empty())
    }

    /// Fills what this (primary) file does not know about its orders from a
    /// second file feeding the orders export, such as Amazon's All Orders
    /// report beside an orders.csv with ship dates. Orders only the second
    /// file has are not added: evidence points at lines of the primary file,
    /// and the primary file is the one that lists the orders. Returns how
    /// many of the second file's orders were not in this one.
    pub fn fill_from(&mut self, other: Orders) -> u64 {
        let full = self.orders.iter().map(|o| &o.id).enumerate();
        let volume_only = self.volume_only.iter().map(|o| &o.id).enumerate();
        let index: HashMap<OrderId, (bool, usize)> = full
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

/// An order keeps its line in 4 bytes, as a million orders are held at
/// once: a file of more lines (some 800 GB of orders) is refused whole.
fn refuse_past_line_limit(file: &str, last_line: u64) -> anyhow::Result<()> {
    if last_line > u64::from(u32::MAX) {
        anyhow::bail!(
            "{file}:{last_line}: more lines than ahr reads in an orders file ({})\n  help: \
             split the file by purchase date and audit the newest part",
            u32::MAX
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests;
