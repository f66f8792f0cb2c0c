//! A chunk's orders by id while its rows are read: the whole orders and the
//! volume-only ones, under one index.

use super::id::IdKey;
use super::reach::Cuts;
use super::{Order, VolumeOrder};
use crate::input::blocks::Blocks;
use std::hash::BuildHasher;

/// A chunk's orders in the order their first rows appear (file order, so
/// they need no sorting once read), with one index by id that stores
/// places, not a second copy of each id.
pub(super) struct OrderMap {
    pub(super) full: Blocks<Order>,
    pub(super) volume: Blocks<VolumeOrder>,
    /// Each order's place, by its id's hash; a place's top bit says which
    /// list it is in. 4 bytes an entry, and no hash beside it: a probe
    /// first compares the 7 bits of hash the table keeps in its control
    /// bytes, so an order's id is read only when they match, for one id
    /// in 128 that is not in the map. Growing the table would read every
    /// order again in the table's order, a cache miss each, and hold the
    /// old table beside the new: instead a full table is freed and built
    /// again from the orders in file order (see [`OrderMap::reindex`]).
    index: hashbrown::HashTable<u32>,
    hasher: foldhash::fast::RandomState,
}

/// Where an order is in an [`OrderMap`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Slot {
    pub(super) volume: bool,
    pub(super) at: usize,
}

/// An order found by id.
pub(super) enum Found<'a> {
    Full(&'a mut Order),
    Volume(&'a mut VolumeOrder),
}

/// A bit per short hash of the ids a map holds: "no" for sure, or "maybe".
/// Joining chunks asks each earlier chunk about every id of a later one,
/// and nearly all are in none; the bits, a byte an id, stay in cache where
/// the index, with the orders it points at, does not.
pub(super) struct MaybeIds {
    words: Vec<u64>,
    mask: u32,
}

impl MaybeIds {
    /// False when no id with this [`OrderMap::hash`] is in the map.
    pub(super) fn may_hold(&self, (_, short): (u64, u32)) -> bool {
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
            index: hashbrown::HashTable::new(),
            hasher: hasher.clone(),
        }
    }

    pub(super) fn len(&self) -> usize {
        self.full.len() + self.volume.len()
    }

    /// The table's hash of an id: 32 bits, repeated in the high half,
    /// which the table reads for its control bytes; and the 32 bits.
    pub(super) fn hash(&self, id: IdKey<'_>) -> (u64, u32) {
        hash_of(&self.hasher, id)
    }

    fn id_at(&self, slot: Slot) -> IdKey<'_> {
        id_at(&self.full, &self.volume, slot)
    }

    /// Every order's id with its place, in file order.
    fn ids(&self) -> impl Iterator<Item = (Slot, IdKey<'_>)> {
        let full = self.full.iter().enumerate();
        let volume = self.volume.iter().enumerate();
        full.map(|(at, o)| (Slot { volume: false, at }, o.id.key()))
            .chain(volume.map(|(at, o)| (Slot { volume: true, at }, o.id.key())))
    }

    /// The ids this map may hold, for [`OrderMap::position`] to be asked
    /// only about those (see [`MaybeIds`]).
    pub(super) fn maybe_ids(&self) -> MaybeIds {
        // Eight bits an id: one id in eight is a false "maybe".
        let bits = (self.index.len() * 8).next_power_of_two().max(64);
        let mut maybe = MaybeIds {
            words: vec![0; bits / 64],
            mask: u32::try_from(bits - 1).unwrap_or(u32::MAX),
        };
        for (_, id) in self.ids() {
            let (word, bit) = maybe.place(self.hash(id).1);
            maybe.words[word] |= bit;
        }
        maybe
    }

    /// Where the order `id` is, given its [`OrderMap::hash`].
    pub(super) fn position(&self, (hash, _): (u64, u32), id: IdKey<'_>) -> Option<Slot> {
        let &place = self
            .index
            .find(hash, |&place| self.id_at(Slot::unpacked(place)) == id)?;
        Some(Slot::unpacked(place))
    }

    pub(super) fn get_mut(&mut self, id: IdKey<'_>) -> Option<Found<'_>> {
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
        let (hash, _) = self.hash(id);
        if self.index.len() == self.index.capacity() {
            self.reindex((self.index.len() + 1) * 2);
        }
        let OrderMap {
            full,
            volume,
            index,
            hasher,
        } = self;
        // The table has room: it never rehashes here.
        index.insert_unique(hash, slot.packed(), |&place| {
            hash_of(hasher, id_at(full, volume, Slot::unpacked(place))).0
        });
    }

    /// Frees the index, then builds it again from the orders, with room
    /// for `capacity` of them.
    fn reindex(&mut self, capacity: usize) {
        self.index = hashbrown::HashTable::new();
        let mut index = hashbrown::HashTable::with_capacity(capacity.max(self.len()));
        for (slot, id) in self.ids() {
            let (hash, _) = self.hash(id);
            index.insert_unique(hash, slot.packed(), |&place| {
                self.hash(self.id_at(Slot::unpacked(place))).0
            });
        }
        self.index = index;
    }

    /// Sorts the orders by `cuts` (see [`Cuts::prune`]) and re-indexes them
    /// if any moved.
    pub(super) fn prune(&mut self, cuts: &Cuts) {
        let before = (self.full.len(), self.volume.len());
        cuts.prune(&mut self.full, &mut self.volume);
        if (self.full.len(), self.volume.len()) != before {
            self.reindex(self.index.capacity());
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

/// A 32-bit hash as the table wants it (see [`OrderMap::hash`]).
fn widen(short: u32) -> u64 {
    u64::from(short) << 32 | u64::from(short)
}

fn id_at<'a>(full: &'a Blocks<Order>, volume: &'a Blocks<VolumeOrder>, slot: Slot) -> IdKey<'a> {
    if slot.volume {
        volume[slot.at].id.key()
    } else {
        full[slot.at].id.key()
    }
}
