//! The chunks of a big orders file, read on every core, joined into what
//! one reader would have read.

use super::id::IdKey;
use super::map::{MaybeIds, Slot};
use super::{ChunkOrders, Order, VolumeOrder};
use crate::input::blocks::Blocks;
use crate::input::strings::{Moved, Strings};
use crate::parallel;
use chrono::NaiveDate;

/// The orders of every chunk, joined.
pub(super) struct Joined {
    pub(super) orders: Blocks<Order>,
    pub(super) volume_only: Blocks<VolumeOrder>,
    pub(super) strings: Strings,
    pub(super) latest_purchase: Option<NaiveDate>,
    pub(super) not_amazon: u64,
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
pub(super) fn join_chunks(mut chunks: Vec<(ChunkOrders, u64)>) -> Joined {
    let threads = parallel::cores();
    // Only earlier chunks are asked about ids, so the last chunk's index
    // is not needed: it is given back before the orders meet.
    if let Some((last, _)) = chunks.last_mut() {
        last.orders.forget_index();
    }
    let later: Vec<usize> = (1..chunks.len()).collect();
    let earlier = &chunks[..chunks.len().saturating_sub(1)];
    let maybe: Vec<MaybeIds> = earlier.iter().map(|(c, _)| c.orders.maybe_ids()).collect();
    let (_, repeats) = parallel::share_out(
        threads,
        &later,
        || (),
        |_, &chunk| repeats_in(&chunks, &maybe, chunk),
    );
    let repeats: Vec<Repeat> = repeats.into_iter().flatten().collect();
    let mut joined = Joined {
        orders: Blocks::default(),
        volume_only: Blocks::default(),
        strings: Strings::default(),
        latest_purchase: None,
        not_amazon: 0,
    };
    // The indexes are not needed any more.
    let mut parts = Vec::with_capacity(chunks.len());
    for (chunk, lines_before) in chunks {
        joined.latest_purchase = joined.latest_purchase.max(chunk.latest_purchase);
        joined.not_amazon += chunk.not_amazon;
        let moved = joined.strings.absorb(&chunk.strings);
        let (orders, volume) = chunk.orders.into_lists();
        parts.push(Part {
            orders,
            volume,
            lines_before,
            moved,
        });
    }
    parallel::each_mut(threads, &mut parts, |_, part| {
        for order in part.orders.iter_mut() {
            order.line = file_line(order.line, part.lines_before);
            order.sale.remap(|sym| part.moved.get(sym));
        }
        for order in part.volume.iter_mut() {
            order.line = file_line(order.line, part.lines_before);
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

/// A line counted from a chunk's start, counted from the file's. The
/// caller has refused files whose lines do not fit.
fn file_line(line: u32, lines_before: u64) -> u32 {
    u32::try_from(u64::from(line) + lines_before).unwrap_or(u32::MAX)
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
fn repeats_in(chunks: &[(ChunkOrders, u64)], maybe: &[MaybeIds], later: usize) -> Vec<Repeat> {
    let (earlier, own) = (&chunks[..later], &chunks[later].0);
    let find = |id: IdKey<'_>| {
        let hash = own.orders.hash(id);
        earlier
            .iter()
            .zip(maybe)
            .enumerate()
            .find_map(|(chunk, ((c, _), maybe))| {
                if !maybe.may_hold(hash) {
                    return None;
                }
                let Slot { volume, at } = c.orders.position(hash, id)?;
                Some(Place { chunk, volume, at })
            })
    };
    let full = own.orders.full.iter().map(|o| o.id.key());
    let volume = own.orders.volume.iter().map(|o| o.id.key());
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
