//! `brushing`: signs of fake orders and manipulated reviews (刷单).
//!
//! Finds, within the last `window_days`: many orders of one ASIN to one
//! buyer (`max_orders_per_buyer_asin`) or to one shipping address
//! (`max_orders_per_address_asin`) within `cluster_days`; positive reviews
//! (`reviews_min_rating` and up) tied to orders that were cancelled, refunded
//! or sold at price zero (`reviews_on`); and bursts of high-rated reviews
//! (`burst_min_rating` and up) in `burst_days`, at least `burst_min_reviews`
//! and more than `burst_multiplier` times the account's normal rate over
//! `baseline_days`. Each signal is on when its parameters are given.
//!
//! Why it matters: Amazon treats orders placed to produce reviews or sales
//! rank as review manipulation, which is zero-tolerance and can close the
//! account; the orders themselves are the evidence Amazon looks at.
//!
//! An order is refunded when an A-to-z claim on it has status refunded or
//! granted (the exports carry no other refund signal); cancelled when its
//! status is Cancelled; zero-price when its item prices sum to 0. Cancelled
//! orders do not count towards the order clusters: a buyer retrying a
//! failed order is not a fake order.

use super::{Check, CheckKind, Context};
use crate::findings::{Evidence, FindingStatus, Hit};
use crate::input::records::Review;
use crate::input::strings::{Strings, Sym};
use crate::input::{Amount, Order, OrderId};
use crate::metrics::Window;
use crate::policy::params::Params;
use crate::privacy;
use chrono::{Days, NaiveDate};
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::hash::BuildHasher;

pub const KIND: CheckKind = CheckKind {
    name: "brushing",
    summary: "fake-order signals: order clusters per buyer or address, reviews on refunded or free orders, five-star bursts",
    keys: &[
        "window_days",
        "cluster_days",
        "max_orders_per_buyer_asin",
        "max_orders_per_address_asin",
        "reviews_on",
        "reviews_min_rating",
        "burst_days",
        "burst_multiplier",
        "burst_min_reviews",
        "burst_min_rating",
        "baseline_days",
    ],
    build,
};

/// What makes an order's review suspect.
const REVIEW_SIGNALS: &[&str] = &["cancelled", "refunded", "zero_price"];

#[derive(Debug, PartialEq)]
struct Burst {
    days: u32,
    multiplier: f64,
    min_reviews: u64,
    min_rating: u8,
    baseline_days: u32,
}

#[derive(Debug)]
struct BrushingCheck {
    window_days: u32,
    cluster_days: u32,
    max_per_buyer: Option<u64>,
    max_per_address: Option<u64>,
    reviews_on: Vec<&'static str>,
    reviews_min_rating: u8,
    burst: Option<Burst>,
}

fn build(p: &mut Params<'_>) -> Option<Box<dyn Check>> {
    let window_days = p.int("window_days", 1, 3650, "90");
    let clusters =
        p.contains("max_orders_per_buyer_asin") || p.contains("max_orders_per_address_asin");
    let max_per_buyer = p.opt_int("max_orders_per_buyer_asin", 1, 1_000_000);
    let max_per_address = p.opt_int("max_orders_per_address_asin", 1, 1_000_000);
    let cluster_days = if clusters {
        p.int("cluster_days", 1, 3650, "14")
    } else {
        p.opt_int("cluster_days", 1, 3650)
    };
    let reviews_on = read_review_signals(p);
    let reviews_min_rating = p.opt_int("reviews_min_rating", 1, 5).unwrap_or(4) as u8;
    let burst = read_burst(p);
    let (owner, loc) = (p.owner.clone(), p.owner_loc);
    if max_per_buyer.is_none()
        && max_per_address.is_none()
        && reviews_on.as_ref().is_none_or(Vec::is_empty)
        && burst.is_none()
        && !p.failed()
    {
        p.diags.error_with_help(
            loc,
            format!("{owner} turns on no signal"),
            "give `max_orders_per_buyer_asin`, `max_orders_per_address_asin`, `reviews_on` or `burst_multiplier`",
        );
        return None;
    }
    if p.failed() {
        return None;
    }
    Some(Box::new(BrushingCheck {
        window_days: window_days? as u32,
        cluster_days: cluster_days.unwrap_or(1) as u32,
        max_per_buyer: max_per_buyer.map(|m| m as u64),
        max_per_address: max_per_address.map(|m| m as u64),
        reviews_on: reviews_on.unwrap_or_default(),
        reviews_min_rating,
        burst,
    }))
}

fn read_review_signals(p: &mut Params<'_>) -> Option<Vec<&'static str>> {
    let list = p.opt_str_list("reviews_on")?;
    let mut out = Vec::new();
    for (name, loc) in list {
        match REVIEW_SIGNALS
            .iter()
            .find(|s| s.eq_ignore_ascii_case(name.trim()))
        {
            Some(s) if !out.contains(s) => out.push(*s),
            Some(_) => {}
            None => {
                let owner = p.owner.clone();
                p.diags.error(
                    loc,
                    format!(
                        "`reviews_on` in {owner} names `{name}`; expected any of {}",
                        REVIEW_SIGNALS.join(", ")
                    ),
                );
            }
        }
    }
    Some(out)
}

/// The burst signal is on when `burst_multiplier` is given; it then needs
/// its window, its minimum and its baseline.
fn read_burst(p: &mut Params<'_>) -> Option<Burst> {
    if !p.contains("burst_multiplier") {
        for key in [
            "burst_days",
            "burst_min_reviews",
            "burst_min_rating",
            "baseline_days",
        ] {
            if p.contains(key) {
                let (owner, loc) = (p.owner.clone(), p.owner_loc);
                p.diags.error_with_help(
                    loc,
                    format!("{owner} sets `{key}` but no `burst_multiplier`"),
                    "add `burst_multiplier = 3.0` to turn the burst signal on",
                );
                return None;
            }
        }
        return None;
    }
    let multiplier = p.decimal("burst_multiplier", 1.0, 1000.0, "3.0");
    let days = p.int("burst_days", 1, 365, "7");
    let min_reviews = p.int("burst_min_reviews", 1, 1_000_000, "5");
    let min_rating = p.opt_int("burst_min_rating", 1, 5).unwrap_or(5) as u8;
    let baseline_days = p.int("baseline_days", 2, 3650, "180");
    let (days, baseline_days) = (days? as u32, baseline_days? as u32);
    if baseline_days < days * 2 {
        let (owner, loc) = (p.owner.clone(), p.owner_loc);
        p.diags.error_with_help(
            loc,
            format!(
                "{owner}: `baseline_days` ({baseline_days}) must be at least twice `burst_days` ({days})"
            ),
            "the normal rate is measured outside the burst, so the baseline needs room",
        );
        return None;
    }
    Some(Burst {
        days,
        multiplier: multiplier?.0.to_f64(),
        min_reviews: min_reviews? as u64,
        min_rating,
        baseline_days,
    })
}

/// Folds case and spacing so `10001 ` and `10001`, `New York` and
/// `NEW YORK` are one address. Most values are folded already and are
/// borrowed as they are.
fn fold_key(value: &str) -> Cow<'_, str> {
    if is_folded(value) {
        Cow::Borrowed(value)
    } else {
        folded_chars(value).collect::<String>().into()
    }
}

/// Appends `value` as [`fold_key`] folds it.
fn fold_onto(out: &mut String, value: &str) {
    if is_folded(value) {
        out.push_str(value);
    } else {
        out.extend(folded_chars(value));
    }
}

fn is_folded(value: &str) -> bool {
    let folded = |b: u8| {
        b.is_ascii_lowercase() || b.is_ascii_digit() || (b.is_ascii_punctuation() && b != b'-')
    };
    value.bytes().all(folded)
}

/// The characters of `value` folded: no spaces or hyphens, lower case.
fn folded_chars(value: &str) -> impl Iterator<Item = char> + '_ {
    value
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_lowercase)
}

/// Cluster keys as hashes of their folded text, so grouping sorts
/// numbers and stores no text: most buyers buy once. Equal hashes only
/// make candidates: the groups over the limit are split again by their
/// text (see [`BrushingCheck::clusters`]).
struct Keys<'a> {
    strings: &'a Strings,
    /// Where an address is put together, reused from order to order.
    text: String,
    /// Where each string's folded text lies in `folded_text`, by the
    /// place of its handle, once it has been folded (see [`address_key`]).
    folded: Vec<Option<(usize, usize)>>,
    folded_text: String,
    hasher: foldhash::fast::RandomState,
}

impl<'a> Keys<'a> {
    fn new(strings: &'a Strings) -> Self {
        Keys {
            strings,
            text: String::new(),
            folded: Vec::new(),
            folded_text: String::new(),
            hasher: foldhash::fast::RandomState::default(),
        }
    }

    /// Where the folded text of `sym` lies in `folded_text`, folding it
    /// the first time it is asked for.
    fn fold(&mut self, sym: Sym) -> (usize, usize) {
        if self.folded.len() <= sym.index() {
            self.folded
                .resize(self.strings.len().max(sym.index() + 1), None);
        }
        *self.folded[sym.index()].get_or_insert_with(|| {
            let start = self.folded_text.len();
            fold_onto(&mut self.folded_text, self.strings.get(sym));
            (start, self.folded_text.len())
        })
    }

    /// 32 bits of the text's hash: a million buyers share a few hundred
    /// such keys by chance, and the groups over the limit are split by
    /// their text anyway.
    fn hash(&self, text: &str) -> u32 {
        self.hasher.hash_one(text) as u32
    }
}

/// The order's buyer, folded so `Buyer@x` and `buyer@x` are one.
fn buyer_text<'o>(order: &'o Order, _: &Strings) -> Option<Cow<'o, str>> {
    order.sale.buyer_id.as_deref().map(fold_key)
}

fn buyer_key(order: &Order, keys: &mut Keys<'_>) -> Option<u32> {
    Some(keys.hash(&buyer_text(order, keys.strings)?))
}

/// Where an order went; `None` without a postal code, since a city alone
/// holds too many buyers. `10001 ` and `10001`, `New York` and `NEW YORK`
/// are one address.
fn address_text<'o>(order: &Order, strings: &'o Strings) -> Option<Cow<'o, str>> {
    let mut text = String::new();
    fold_address(order, strings, &mut text)?;
    Some(Cow::Owned(text))
}

/// Writes the folded address of `order` into `out`, which it clears.
fn fold_address(order: &Order, strings: &Strings, out: &mut String) -> Option<()> {
    let postal = order.sale.ship_postal_code?;
    out.clear();
    fold_onto(out, strings.get(postal));
    out.push('|');
    if let Some(city) = order.sale.ship_city {
        fold_onto(out, strings.get(city));
    }
    Some(())
}

/// The hash of [`fold_address`]'s text, put together from each postal
/// code's and city's text folded once: the orders hold their address as
/// handles, and a few thousand places serve a million orders.
fn address_key(order: &Order, keys: &mut Keys<'_>) -> Option<u32> {
    let postal = keys.fold(order.sale.ship_postal_code?);
    let city = order.sale.ship_city.map(|city| keys.fold(city));
    let part = |(start, end): (usize, usize)| keys.folded_text.get(start..end).unwrap_or("");
    keys.text.clear();
    keys.text.push_str(part(postal));
    keys.text.push('|');
    if let Some(city) = city {
        keys.text.push_str(part(city));
    }
    Some(keys.hash(&keys.text))
}

fn describe_buyer(order: &Order, _: &Strings, mask: bool) -> String {
    let id = order.sale.buyer_id.as_deref().unwrap_or("?");
    if mask {
        privacy::mask_identifier("buyer", id)
    } else {
        format!("buyer {}", privacy::excerpt(id, 60, false))
    }
}

fn describe_address(order: &Order, strings: &Strings, mask: bool) -> String {
    let postal = order.sale.ship_postal_code.map_or("?", |p| strings.get(p));
    if mask {
        return privacy::mask_identifier("address", postal);
    }
    let city = order.sale.ship_city.map_or("", |c| strings.get(c));
    format!(
        "address {}",
        privacy::excerpt(&format!("{postal} {city}"), 60, false)
    )
}

/// What orders are grouped by for a cluster: a buyer or an address.
#[derive(Clone, Copy)]
struct Grouping {
    what: &'static str,
    /// The folded text orders of one group share.
    text_of: for<'o> fn(&'o Order, &'o Strings) -> Option<Cow<'o, str>>,
    /// A hash of that text.
    key_of: fn(&Order, &mut Keys<'_>) -> Option<u32>,
    describe: fn(&Order, &Strings, bool) -> String,
}

const BY_BUYER: Grouping = Grouping {
    what: "buyer",
    text_of: buyer_text,
    key_of: buyer_key,
    describe: describe_buyer,
};

const BY_ADDRESS: Grouping = Grouping {
    what: "address",
    text_of: address_text,
    key_of: address_key,
    describe: describe_address,
};

/// What the suspect-review signal reads of a reviewed order.
struct ReviewedOrder<'a> {
    id: &'a OrderId,
    line: u64,
    bought: NaiveDate,
    cancelled: bool,
    total_price: Option<Amount>,
}

/// Which signal flagged what, gathered before the hit is built.
#[derive(Default)]
struct Flags {
    evidence: Vec<Evidence>,
    orders: BTreeSet<String>,
    /// Each flagged review's line, with the order it names, if any.
    reviews: BTreeMap<u64, Option<String>>,
    /// One sentence part per signal that fired.
    parts: Vec<String>,
}

impl Flags {
    /// The distinct events behind the finding: every flagged order, and
    /// every flagged review that does not name one of them. A five-star
    /// review on a free order is evidence about that one fake order, not a
    /// second event; a review in a burst is an event of its own.
    fn events(&self) -> u64 {
        let lone_reviews = self
            .reviews
            .values()
            .filter(|order| order.as_ref().is_none_or(|id| !self.orders.contains(id)))
            .count();
        (self.orders.len() + lone_reviews) as u64
    }
}

impl BrushingCheck {
    /// Orders of one ASIN to one key (buyer or address) within
    /// `cluster_days`, more than `max` of them: every order in an
    /// over-limit span is flagged.
    fn clusters(
        &self,
        ctx: &Context<'_>,
        window: &Window,
        max: u64,
        by: &Grouping,
        flags: &mut Flags,
    ) {
        let Grouping {
            what,
            text_of,
            key_of,
            describe,
        } = *by;
        let Some(orders) = &ctx.account.orders else {
            return;
        };
        let strings = &orders.strings;
        let mut keys = Keys::new(strings);
        // One row per (key, ASIN, order), sorted so that each group is a
        // run: no map of small vectors, which costs more than the sort.
        // Keys and ASINs are numbers here, so the sort reads no order, and
        // an order is its place in the list: 12 bytes a row, a million
        // rows on a big account, counted first so the list never doubles.
        let counted =
            |order: &&Order| !order.is_cancelled() && window.contains(order.purchase.date());
        let most: usize = orders
            .orders
            .iter()
            .filter(counted)
            .map(|o| o.sale.asins.len())
            .sum();
        let mut rows: Vec<(u32, Sym, u32)> = Vec::with_capacity(most);
        for (at, order) in orders.orders.iter().enumerate().filter(|(_, o)| counted(o)) {
            let (Some(key), Ok(at)) = (key_of(order, &mut keys), u32::try_from(at)) else {
                continue;
            };
            rows.extend(order.sale.asins.iter().map(|asin| (key, asin, at)));
        }
        // One number to compare: the key above the ASIN's place, which
        // orders as the pair does.
        rows.sort_unstable_by_key(|&(key, asin, _)| u64::from(key) << 32 | asin.index() as u64);
        // The runs over the limit, split by their text (two texts may
        // share a hash) into groups of orders by purchase time, reported
        // in the order of their key and ASIN text, as a reader of the
        // evidence would sort them.
        let mut over: Vec<(Cow<'_, str>, &str, Vec<&Order>)> = Vec::new();
        for run in rows
            .chunk_by(|a, b| a.0 == b.0 && a.1 == b.1)
            .filter(|run| run.len() as u64 > max)
        {
            let mut members: Vec<(Cow<'_, str>, &Order)> = run
                .iter()
                .map(|&(_, _, at)| &orders.orders[at as usize])
                .filter_map(|order| Some((text_of(order, strings)?, order)))
                .collect();
            // A stamp orders by date, then by instant.
            members.sort_by(|(a, x), (b, y)| (a, x.purchase, x.line).cmp(&(b, y.purchase, y.line)));
            for group in members.chunk_by(|a, b| a.0 == b.0) {
                if group.len() as u64 > max {
                    let asin = strings.get(run[0].1);
                    let orders = group.iter().map(|&(_, order)| order).collect();
                    over.push((group[0].0.clone(), asin, orders));
                }
            }
        }
        over.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
        let mut found = 0usize;
        for (_, asin, group) in over {
            let mut flagged = vec![false; group.len()];
            let (mut start, mut marked, mut largest) = (0, 0, 0usize);
            for end in 0..group.len() {
                while span_days(group[start].purchase.date(), group[end].purchase.date())
                    >= u64::from(self.cluster_days)
                {
                    start += 1;
                }
                let size = end - start + 1;
                if size as u64 > max {
                    // Spans only move forward: mark each order once.
                    flagged[start.max(marked)..=end]
                        .iter_mut()
                        .for_each(|f| *f = true);
                    marked = end + 1;
                    largest = largest.max(size);
                }
            }
            if largest == 0 {
                continue;
            }
            found += 1;
            for (order, _) in group.iter().zip(&flagged).filter(|(_, f)| **f) {
                flags.orders.insert(order.id.to_string());
                flags.evidence.push(Evidence {
                    file: orders.file.clone(),
                    line: Some(u64::from(order.line)),
                    key: order.id.to_string(),
                    excerpt: format!(
                        "order of {asin} on {} to {}: {largest} orders of it to one {what} within {} days (limit {max})",
                        order.purchase.date(),
                        describe(order, strings, ctx.mask),
                        self.cluster_days
                    ),
                });
            }
        }
        if found > 0 {
            flags.parts.push(format!(
                "{found} ASIN{} ordered more than {max} times by one {what} within {} days",
                if found == 1 { "" } else { "s" },
                self.cluster_days
            ));
        }
    }

    /// Why a review's order makes the review suspect, if it does.
    fn suspect_reason(
        &self,
        order: &ReviewedOrder<'_>,
        refunded: &HashSet<OrderId>,
    ) -> Option<&'static str> {
        self.reviews_on
            .iter()
            .copied()
            .find(|signal| match *signal {
                "cancelled" => order.cancelled,
                "refunded" => refunded.contains(order.id),
                "zero_price" => order.total_price.is_some_and(|p| p <= Amount::ZERO),
                _ => false,
            })
    }

    fn suspect_reviews(&self, ctx: &Context<'_>, window: &Window, flags: &mut Flags) {
        let (Some(reviews), Some(orders)) = (&ctx.account.reviews, &ctx.account.orders) else {
            return;
        };
        if self.reviews_on.is_empty() {
            return;
        }
        let reviewed: HashSet<OrderId> = reviews
            .rows
            .iter()
            .filter(|r| r.rating >= self.reviews_min_rating && window.contains(r.date.date))
            .filter_map(|r| r.order_id.as_deref())
            .map(OrderId::new)
            .collect();
        // Reviews are far fewer than orders: only their orders are indexed.
        // A review may come months after the order, past the rules' reach,
        // where only a volume-only record of the order is kept.
        let full = orders.orders.iter().map(|o| ReviewedOrder {
            id: &o.id,
            line: u64::from(o.line),
            bought: o.purchase.date(),
            cancelled: o.is_cancelled(),
            total_price: o.sale.total_price,
        });
        let volume_only = orders.volume_only.iter().map(|o| ReviewedOrder {
            id: &o.id,
            line: u64::from(o.line),
            bought: o.purchase,
            cancelled: o.is_cancelled(),
            total_price: o.total_price,
        });
        let by_id: HashMap<&OrderId, ReviewedOrder<'_>> = full
            .chain(volume_only)
            .filter(|o| reviewed.contains(o.id))
            .map(|o| (o.id, o))
            .collect();
        let refunded: HashSet<OrderId> = ctx
            .account
            .claims
            .iter()
            .flat_map(|c| &c.rows)
            .filter(|c| matches!(c.status, Some("refunded" | "granted")))
            .map(|c| c.order_id.clone())
            .collect();
        let mut found = 0usize;
        for review in &reviews.rows {
            if review.rating < self.reviews_min_rating || !window.contains(review.date.date) {
                continue;
            }
            let Some(order) = review
                .order_id
                .as_deref()
                .and_then(|id| by_id.get(&OrderId::new(id)))
            else {
                continue;
            };
            let Some(reason) = self.suspect_reason(order, &refunded) else {
                continue;
            };
            let reason = match reason {
                "zero_price" => "sold at price 0",
                other => other,
            };
            found += 1;
            flags
                .reviews
                .insert(review.line, Some(order.id.to_string()));
            flags.orders.insert(order.id.to_string());
            flags.evidence.push(Evidence {
                file: reviews.file.clone(),
                line: Some(review.line),
                key: order.id.to_string(),
                excerpt: format!(
                    "{}★ review of {} on {} on order {}, which was {reason}",
                    review.rating, review.asin, review.date.date, order.id
                ),
            });
            flags.evidence.push(Evidence {
                file: orders.file.clone(),
                line: Some(order.line),
                key: order.id.to_string(),
                excerpt: format!(
                    "order bought {}, {reason}, reviewed {}★ on {}",
                    order.bought, review.rating, review.date.date
                ),
            });
        }
        if found > 0 {
            flags.parts.push(format!(
                "{found} review{} of {}★ or more on cancelled, refunded or free orders",
                if found == 1 { "" } else { "s" },
                self.reviews_min_rating
            ));
        }
    }

    /// Spans of `burst.days` whose high-rated reviews are at least
    /// `min_reviews` and more than `multiplier` times the normal rate,
    /// measured over the rest of the baseline.
    fn bursts(&self, ctx: &Context<'_>, window: &Window, flags: &mut Flags) {
        let (Some(burst), Some(reviews)) = (&self.burst, &ctx.account.reviews) else {
            return;
        };
        let baseline = Window::ending(ctx.as_of, burst.baseline_days);
        let high: Vec<&Review> = reviews
            .rows
            .iter()
            .filter(|r| r.rating >= burst.min_rating && baseline.contains(r.date.date))
            .collect();
        if (high.len() as u64) < burst.min_reviews {
            return;
        }
        let mut per_day: BTreeMap<NaiveDate, u64> = BTreeMap::new();
        for r in &high {
            *per_day.entry(r.date.date).or_default() += 1;
        }
        let total = high.len() as u64;
        let rest_days = f64::from(burst.baseline_days - burst.days);
        // (first day, last day, largest count, normal count) of merged bursts.
        let mut spans: Vec<(NaiveDate, NaiveDate, u64, f64)> = Vec::new();
        let mut day = window.from.max(baseline.from);
        while day <= window.to {
            let span = Window::ending(day, burst.days);
            let count: u64 = per_day.range(span.from..=span.to).map(|(_, n)| n).sum();
            let normal = total.saturating_sub(count) as f64 / rest_days * f64::from(burst.days);
            if count >= burst.min_reviews && count as f64 > burst.multiplier * normal {
                match spans.last_mut() {
                    Some(last) if span.from <= last.1 => {
                        last.1 = span.to;
                        if count > last.2 {
                            last.2 = count;
                            last.3 = normal;
                        }
                    }
                    _ => spans.push((span.from, span.to, count, normal)),
                }
            }
            let Some(next) = day.checked_add_days(Days::new(1)) else {
                break;
            };
            day = next;
        }
        for (from, to, count, normal) in &spans {
            for r in high.iter().filter(|r| (*from..=*to).contains(&r.date.date)) {
                flags.reviews.insert(r.line, r.order_id.clone());
                flags.evidence.push(Evidence {
                    file: reviews.file.clone(),
                    line: Some(r.line),
                    key: r.order_id.clone().unwrap_or_else(|| r.asin.clone()),
                    excerpt: format!(
                        "{}★ review of {} on {}: {count} reviews of {}★ or more within {} days, normally {normal:.1}",
                        r.rating, r.asin, r.date.date, burst.min_rating, burst.days
                    ),
                });
            }
        }
        if !spans.is_empty() {
            let (_, _, count, normal) = spans
                .iter()
                .max_by_key(|s| s.2)
                .copied()
                .unwrap_or_default();
            flags.parts.push(format!(
                "{} burst{} of {}★ reviews (up to {count} within {} days against a normal {normal:.1})",
                spans.len(),
                if spans.len() == 1 { "" } else { "s" },
                burst.min_rating,
                burst.days
            ));
        }
    }
}

/// Days from `a` to `b`, 0 when `b` is not after `a`.
fn span_days(a: NaiveDate, b: NaiveDate) -> u64 {
    u64::try_from((b - a).num_days()).unwrap_or(0)
}

impl Check for BrushingCheck {
    fn reach_days(&self) -> u32 {
        self.window_days
    }

    fn run(&self, ctx: &Context<'_>) -> Option<Hit> {
        let window = Window::ending(ctx.as_of, self.window_days);
        let mut flags = Flags::default();
        if let Some(max) = self.max_per_buyer {
            self.clusters(ctx, &window, max, &BY_BUYER, &mut flags);
        }
        if let Some(max) = self.max_per_address {
            self.clusters(ctx, &window, max, &BY_ADDRESS, &mut flags);
        }
        self.suspect_reviews(ctx, &window, &mut flags);
        self.bursts(ctx, &window, &mut flags);
        if flags.parts.is_empty() {
            return None;
        }
        Some(Hit {
            status: FindingStatus::Breach,
            message: format!(
                "{} between {} and {}",
                flags.parts.join("; "),
                window.from,
                window.to
            ),
            occurrences: flags.events(),
            severity: None,
            form: Some(crate::i18n::MessageForm::new(
                "brushing",
                &[
                    ("orders", flags.orders.len().to_string()),
                    ("reviews", flags.reviews.len().to_string()),
                    ("from", window.from.to_string()),
                    ("to", window.to.to_string()),
                ],
            )),
            evidence: flags.evidence,
        })
    }

    fn parameters(&self) -> Vec<(String, String)> {
        let mut out = vec![("window_days".to_string(), self.window_days.to_string())];
        if self.max_per_buyer.is_some() || self.max_per_address.is_some() {
            out.push(("cluster_days".into(), self.cluster_days.to_string()));
        }
        if let Some(m) = self.max_per_buyer {
            out.push(("max_orders_per_buyer_asin".into(), m.to_string()));
        }
        if let Some(m) = self.max_per_address {
            out.push(("max_orders_per_address_asin".into(), m.to_string()));
        }
        if !self.reviews_on.is_empty() {
            out.push(("reviews_on".into(), self.reviews_on.join(", ")));
            out.push((
                "reviews_min_rating".into(),
                self.reviews_min_rating.to_string(),
            ));
        }
        if let Some(b) = &self.burst {
            out.push(("burst_days".into(), b.days.to_string()));
            out.push(("burst_multiplier".into(), b.multiplier.to_string()));
            out.push(("burst_min_reviews".into(), b.min_reviews.to_string()));
            out.push(("burst_min_rating".into(), b.min_rating.to_string()));
            out.push(("baseline_days".into(), b.baseline_days.to_string()));
        }
        out
    }
}

#[cfg(test)]
mod tests;
