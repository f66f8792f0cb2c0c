//! A chunk's orders by id while its rows are read: the whole orders and the
//! volume-only ones, under one index, which gives way to a byte an order
//! once the chunk is read.

use super::id::IdKey;
use super::reach::Cuts;
use super::{Order, VolumeOrder};
use crate::input::blocks::Blocks;
use std::borrow::Cow;
use std::hash::BuildHasher;

/// A chunk's orders in the order their first rows appear (file order, so
/// they need no sorting once read), with one index by id that stores
/// places, not a second copy of each id.
pub(super) struct OrderMap {
    pub(super) full: Blocks<Order>,
    pub(super) volume: Blocks<VolumeOrder>,
    index: Index,
    hasher: foldhash::fast::RandomState,
}

/// Each order's place with 32 bits of its id's hash. A place's top bit
/// says which list it is in.
enum Index {
    /// While the chunk's rows are read. Growing the table and probing for
    /// a new id compare hashes, not the orders' ids, which would mean a
    /// cache miss per probe; 8 bytes an entry and a control byte, in a
    /// table kept from under half to seven eighths full.
    Open(hashbrown::HashTable<(u32, u32)>),
    /// Once the chunk is read: only the bits that say which ids it may
    /// hold, a byte an order, for the join to ask (see `join`). The chunks
    /// read first hold the most orders, and they wait for the last ones
    /// without their tables.
    Sealed(MaybeIds),
}

impl Default for Index {
    fn default() -> Self {
        Index::Open(hashbrown::HashTable::new())
    }
}

/// Where an order is in an [`OrderMap`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Slot {
    volume: bool,
    at: usize,
}

/// An order found by id.
pub(super) enum Found<'a> {
    Full(&'a mut Order),
    Volume(&'a mut VolumeOrder),
}

/// A bit per short hash of the ids a map holds: "no" for sure, or "maybe".
/// Joining chunks asks each earlier chunk about every id of a later one,
/// and nearly all are in none; the bits, a byte an id, stay in cache where
/// an index, with the orders it points at, does not.
#[derive(Clone)]
pub(super) struct MaybeIds {
    words: Vec<u64>,
    mask: u32,
}

impl MaybeIds {
    /// False when no id whose [`OrderMap::hash`] is `(_, short)` is in
    /// the map.
    pub(super) fn may_hold(&self, short: u32) -> bool {
        let (word, bit) = self.place(short);
        self.words[word] & bit != 0
    }

    /// The word and the bit in it that stand for a short hash.
    fn place(&self, short: u32) -> (usize, u64) {
        let bit = short & self.mask;
        ((bit / 64) as usize, 1 << (bit % 64))
    }
}

/// The top bit of an index entry's place: the order is volume-only.
const VOLUME: u32 = 1 << 31;

impl Slot {
    fn packed(self) -> u32 {
        // Two billion orders would not fit in memory long before this.
        let at = u32::try_from(self.at).unwrap_or(u32::MAX) & !VOLUME;
        if self.volume { at | VOLUME } else { at }
    }

    fn unpacked(place: u32) -> Slot {
        Slot {
            volume: place & VOLUME != 0,
            at: (place & !VOLUME) as usize,
        }
    }
}

impl OrderMap {
    /// An empty map hashing ids with `hasher`.
    pub(super) fn new(hasher: &foldhash::fast::RandomState) -> Self {
        OrderMap {
            full: Blocks::default(),
            volume: Blocks::default(),
            index: Index::default(),
            hasher: hasher.clone(),
        }
    }

    pub(super) fn len(&self) -> usize {
        self.full.len() + self.volume.len()
    }

    /// The table's hash of an id: 32 bits, repeated in the high half,
    /// which the table reads for its control bytes.
    pub(super) fn hash(&self, id: IdKey<'_>) -> (u64, u32) {
        hash_of(&self.hasher, id)
    }

    /// The id of the order at `at` of the whole or the volume-only list.
    pub(super) fn id_at(&self, volume: bool, at: usize) -> IdKey<'_> {
        if volume {
            self.volume[at].id.key()
        } else {
            self.full[at].id.key()
        }
    }

    /// The ids this map may hold (see [`MaybeIds`]).
    pub(super) fn maybe_ids(&self) -> Cow<'_, MaybeIds> {
        match &self.index {
            Index::Sealed(maybe) => Cow::Borrowed(maybe),
            Index::Open(table) => {
                // Eight bits an id: one id in eight is a false "maybe".
                let bits = (table.len() * 8).next_power_of_two().max(64);
                let mut maybe = MaybeIds {
                    words: vec![0; bits / 64],
                    mask: u32::try_from(bits - 1).unwrap_or(u32::MAX),
                };
                // The table holds each id's hash: no id is hashed again.
                for &(short, _) in table.iter() {
                    let (word, bit) = maybe.place(short);
                    maybe.words[word] |= bit;
                }
                Cow::Owned(maybe)
            }
        }
    }

    /// The place of the `i`-th of [`OrderMap::ids`]: in which list, where.
    pub(super) fn place_of(&self, i: usize) -> (bool, usize) {
        match i.checked_sub(self.full.len()) {
            Some(at) => (true, at),
            None => (false, i),
        }
    }

    /// Every order's id with its place: the whole orders, then the
    /// volume-only ones.
    pub(super) fn ids(&self) -> impl Iterator<Item = (bool, usize, IdKey<'_>)> {
        let full = self
            .full
            .iter()
            .enumerate()
            .map(|(at, o)| (false, at, o.id.key()));
        let volume = self
            .volume
            .iter()
            .enumerate()
            .map(|(at, o)| (true, at, o.id.key()));
        full.chain(volume)
    }

    /// Where the order `id` is, by the open index (see `get_mut`).
    fn position(&self, (hash, short): (u64, u32), id: IdKey<'_>) -> Option<Slot> {
        let Index::Open(table) = &self.index else {
            return None;
        };
        let holds = |place: u32| {
            let Slot { volume, at } = Slot::unpacked(place);
            self.id_at(volume, at) == id
        };
        let &(_, place) = table.find(hash, |&(h, place)| h == short && holds(place))?;
        Some(Slot::unpacked(place))
    }

    #[inline]
    pub(super) fn get_mut(&mut self, id: IdKey<'_>) -> Option<Found<'_>> {
        self.open();
        let slot = self.position(self.hash(id), id)?;
        Some(if slot.volume {
            Found::Volume(&mut self.volume[slot.at])
        } else {
            Found::Full(&mut self.full[slot.at])
        })
    }

    /// Adds a whole order whose id is not in the map yet.
    pub(super) fn insert_full(&mut self, order: Order) {
        let slot = Slot {
            volume: false,
            at: self.full.len(),
        };
        self.index_at(slot, order.id.key());
        self.full.push(order);
    }

    /// Adds a volume-only order whose id is not in the map yet.
    pub(super) fn insert_volume(&mut self, order: VolumeOrder) {
        let slot = Slot {
            volume: true,
            at: self.volume.len(),
        };
        self.index_at(slot, order.id.key());
        self.volume.push(order);
    }

    fn index_at(&mut self, slot: Slot, id: IdKey<'_>) {
        self.open();
        if let Index::Open(table) = &mut self.index {
            index_into(table, &self.hasher, slot, id);
        }
    }

    /// Indexes a sealed map's orders again. Reading never needs to: a
    /// chunk is sealed once its rows are all read.
    #[inline]
    fn open(&mut self) {
        if let Index::Sealed(_) = self.index {
            self.reindex();
        }
    }

    /// Sorts the orders by `cuts` (see [`Cuts::prune`]) and re-indexes them
    /// if any moved.
    pub(super) fn prune(&mut self, cuts: &Cuts) {
        let before = (self.full.len(), self.volume.len());
        cuts.prune(&mut self.full, &mut self.volume);
        if (self.full.len(), self.volume.len()) != before {
            self.reindex();
        }
    }

    /// Indexes the orders anew, sized for them: after a prune, which can
    /// drop most of a chunk's orders, or to open a sealed map.
    #[cold]
    fn reindex(&mut self) {
        let mut index = hashbrown::HashTable::with_capacity(self.len());
        for (volume, at, id) in self.ids() {
            index_into(&mut index, &self.hasher, Slot { volume, at }, id);
        }
        self.index = Index::Open(index);
    }

    /// Gives the index back once the chunk's rows are all read, keeping
    /// the bits that say which ids the map may hold (see
    /// [`Index::Sealed`]).
    pub(super) fn seal(&mut self) {
        if let Index::Open(_) = self.index {
            self.index = Index::Sealed(self.maybe_ids().into_owned());
        }
    }

    /// The orders, once the index is not needed any more.
    pub(super) fn into_lists(self) -> (Blocks<Order>, Blocks<VolumeOrder>) {
        (self.full, self.volume)
    }
}

/// See [`OrderMap::hash`].
fn hash_of(hasher: &foldhash::fast::RandomState, id: IdKey<'_>) -> (u64, u32) {
    let short = hasher.hash_one(id) as u32;
    (widen(short), short)
}

/// Adds the order at `slot` under `id` to an index of [`OrderMap`]'s
/// kind; the index is apart from the orders, so it can be built while
/// they are read.
fn index_into(
    index: &mut hashbrown::HashTable<(u32, u32)>,
    hasher: &foldhash::fast::RandomState,
    slot: Slot,
    id: IdKey<'_>,
) {
    let (hash, short) = hash_of(hasher, id);
    index.insert_unique(hash, (short, slot.packed()), |&(h, _)| widen(h));
}

/// A 32-bit hash as the table wants it (see [`OrderMap::hash`]).
pub(super) fn widen(short: u32) -> u64 {
    u64::from(short) << 32 | u64::from(short)
}
