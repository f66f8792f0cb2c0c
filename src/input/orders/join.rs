//! The chunks of a big orders file, read on every core, joined into what
//! one reader would have read.

use super::map::widen;
use super::{ChunkOrders, Order, VolumeOrder};
use crate::input::blocks::Blocks;
use crate::input::strings::{Moved, Strings};
use crate::parallel;
use std::collections::HashSet;

/// The orders of every chunk, joined.
pub(super) struct Joined {
    pub(super) orders: Blocks<Order>,
    pub(super) volume_only: Blocks<VolumeOrder>,
    pub(super) strings: Strings,
    pub(super) not_amazon: u64,
}

/// Where a record of an order lies: its chunk, its map and its place.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
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
/// of all the orders is built (see [`find_repeats`]), and only the few
/// repeats move.
pub(super) fn join_chunks(chunks: Vec<(ChunkOrders, u64)>) -> Joined {
    let threads = parallel::cores();
    let repeats = find_repeats(&chunks, threads);
    let mut joined = Joined {
        orders: Blocks::default(),
        volume_only: Blocks::default(),
        strings: Strings::default(),
        not_amazon: 0,
    };
    // The indexes are not needed any more.
    let mut parts = Vec::with_capacity(chunks.len());
    for (chunk, lines_before) in chunks {
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
        part.orders.remove_sorted(&places(false));
        part.volume.remove_sorted(&places(true));
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

/// The records of later chunks whose ids an earlier chunk has begun, each
/// with the first such chunk, in the order one reader would merge them:
/// chunk by chunk, whole orders before volume-only ones, each in file
/// order. Each record's id is hashed once. For each earlier chunk, on
/// every core, the later records its maybe bits do not rule out are
/// gathered, and one pass over its orders tells which of them it holds;
/// then each record goes to the first chunk that holds it.
fn find_repeats(chunks: &[(ChunkOrders, u64)], threads: usize) -> Vec<Repeat> {
    let (_, hashes) = parallel::share_out(
        threads,
        chunks,
        || (),
        |_, (chunk, _)| {
            let orders = &chunk.orders;
            let ids = orders.ids();
            ids.map(|(_, _, id)| orders.hash(id).1)
                .collect::<Vec<u32>>()
        },
    );
    let earlier: Vec<usize> = (0..chunks.len().saturating_sub(1)).collect();
    let (_, found) = parallel::share_out(
        threads,
        &earlier,
        || (),
        |_, &into| held(chunks, &hashes, into, &maybe_held(chunks, &hashes, into)),
    );
    let mut repeats = Vec::new();
    // Later records found in an earlier chunk, which later ones skip.
    let mut taken: HashSet<Place> = HashSet::new();
    for (from, into) in found.into_iter().flatten() {
        if taken.insert(from) {
            repeats.push(Repeat { from, into });
        }
    }
    repeats.sort_unstable_by_key(|r| (r.from.chunk, r.from.volume, r.from.at));
    repeats
}

/// The records of the chunks after `into` that chunk `into`'s maybe bits
/// do not rule out, with their ids' short hashes: the one in eight the
/// bits let through, and the true repeats.
fn maybe_held(
    chunks: &[(ChunkOrders, u64)],
    hashes: &[Vec<u32>],
    into: usize,
) -> Vec<(u32, Place)> {
    let maybe = chunks[into].0.orders.maybe_ids();
    let mut asked = Vec::new();
    for chunk in into + 1..chunks.len() {
        let orders = &chunks[chunk].0.orders;
        let hashed = hashes[chunk].iter().enumerate();
        asked.extend(
            hashed
                .filter(|&(_, &short)| maybe.may_hold(short))
                .map(|(i, &short)| {
                    let (volume, at) = orders.place_of(i);
                    (short, Place { chunk, volume, at })
                }),
        );
    }
    asked
}

/// Which `asked` records chunk `into` holds, each with its record there:
/// one pass over its orders' hashes, and an id compared only where the
/// hashes are equal.
fn held(
    chunks: &[(ChunkOrders, u64)],
    hashes: &[Vec<u32>],
    into: usize,
    asked: &[(u32, Place)],
) -> Vec<(Place, Place)> {
    let mut found = Vec::new();
    if asked.is_empty() {
        return found;
    }
    let mut by_hash = hashbrown::HashTable::with_capacity(asked.len());
    for (i, &(short, _)) in asked.iter().enumerate() {
        by_hash.insert_unique(widen(short), i, |&j| widen(asked[j].0));
    }
    let earlier = &chunks[into].0.orders;
    for (i, &short) in hashes[into].iter().enumerate() {
        for &j in by_hash.iter_hash(widen(short)) {
            let (asked_short, from) = asked[j];
            if asked_short != short {
                continue;
            }
            let (volume, at) = earlier.place_of(i);
            let later = &chunks[from.chunk].0.orders;
            if later.id_at(from.volume, from.at) == earlier.id_at(volume, at) {
                let chunk = into;
                found.push((from, Place { chunk, volume, at }));
            }
        }
    }
    found
}
