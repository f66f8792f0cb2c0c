//! A chunk's orders by id while its rows are read: the whole orders and the
//! volume-only ones, under one index, sealed into a compact one once the
//! chunk is read.

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
    /// Once the chunk is read, when ids are only looked up while the
    /// chunks are joined. The chunks read first hold the most orders, and
    /// they wait for the last ones in this form.
    Sealed(Sealed),
}

/// The entries of an index that no longer grows, in 9 bytes an entry
/// where the table, with its room to grow, takes 10 to 21: each entry as
/// `hash << 32 | place`, sorted, and where each run of entries whose
/// hashes share their top bits starts. Finding an id reads a start and a
/// few entries beside it.
struct Sealed {
    entries: Vec<u64>,
    /// A start for each value of a hash's top bits, and the end.
    starts: Vec<u32>,
    /// How far a hash is shifted right to leave its top bits.
    shift: u32,
}

/// Entries a run of [`Sealed`] holds, on average.
const RUN: usize = 4;

impl Sealed {
    fn of(table: &hashbrown::HashTable<(u32, u32)>) -> Sealed {
        let mut entries: Vec<u64> = table
            .iter()
            .map(|&(short, place)| sealed(short, place))
            .collect();
        entries.sort_unstable();
        let bits = (entries.len() / RUN)
            .max(1)
            .next_power_of_two()
            .trailing_zeros();
        let shift = 32 - bits;
        let mut starts = Vec::with_capacity((1 << bits) + 1);
        let mut at = 0;
        for top in 0..=(1u64 << bits) {
            while entries.get(at).is_some_and(|&e| e >> 32 >> shift < top) {
                at += 1;
            }
            // An index holds fewer than 2^31 places (see `Slot::packed`).
            starts.push(at as u32);
        }
        Sealed {
            entries,
            starts,
            shift,
        }
    }

    fn iter(&self) -> impl Iterator<Item = (u32, u32)> + '_ {
        self.entries.iter().map(|&e| unsealed(e))
    }

    /// The place of the entry with hash `short` for which `holds` is true.
    fn find(&self, short: u32, holds: impl Fn(u32) -> bool) -> Option<u32> {
        let top = (u64::from(short) >> self.shift) as usize;
        let (from, to) = (*self.starts.get(top)?, *self.starts.get(top + 1)?);
        let run = self.entries.get(from as usize..to as usize)?;
        run.iter()
            .map(|&e| unsealed(e))
            .skip_while(|&(h, _)| h < short)
            .take_while(|&(h, _)| h == short)
            .find(|&(_, place)| holds(place))
            .map(|(_, place)| place)
    }
}

impl Default for Index {
    fn default() -> Self {
        Index::Open(hashbrown::HashTable::new())
    }
}

impl Index {
    fn len(&self) -> usize {
        match self {
            Index::Open(table) => table.len(),
            Index::Sealed(sealed) => sealed.entries.len(),
        }
    }

    /// Every entry's short hash and place, in no particular order.
    fn entries(&self) -> Box<dyn Iterator<Item = (u32, u32)> + '_> {
        match self {
            Index::Open(table) => Box::new(table.iter().copied()),
            Index::Sealed(sealed) => Box::new(sealed.iter()),
        }
    }

    /// The table to add entries to, opened again if it was sealed (which
    /// reading does not do: a chunk is sealed once its rows are read).
    fn open(&mut self) -> &mut hashbrown::HashTable<(u32, u32)> {
        if let Index::Sealed(sealed) = self {
            let mut table = hashbrown::HashTable::with_capacity(sealed.entries.len());
            for entry in sealed.iter() {
                table.insert_unique(widen(entry.0), entry, |&(h, _)| widen(h));
            }
            *self = Index::Open(table);
        }
        let Index::Open(table) = self else {
            unreachable!("a sealed index was opened above")
        };
        table
    }
}

fn sealed(short: u32, place: u32) -> u64 {
    u64::from(short) << 32 | u64::from(place)
}

fn unsealed(entry: u64) -> (u32, u32) {
    ((entry >> 32) as u32, entry as u32)
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

    fn id_at(&self, slot: Slot) -> IdKey<'_> {
        if slot.volume {
            self.volume[slot.at].id.key()
        } else {
            self.full[slot.at].id.key()
        }
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
        for (short, _) in self.index.entries() {
            let (word, bit) = maybe.place(short);
            maybe.words[word] |= bit;
        }
        maybe
    }

    /// Where the order `id` is, given its [`OrderMap::hash`].
    pub(super) fn position(&self, (hash, short): (u64, u32), id: IdKey<'_>) -> Option<Slot> {
        let holds = |place: u32| self.id_at(Slot::unpacked(place)) == id;
        let place = match &self.index {
            Index::Open(table) => {
                table
                    .find(hash, |&(h, place)| h == short && holds(place))?
                    .1
            }
            Index::Sealed(sealed) => sealed.find(short, holds)?,
        };
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
        index_into(self.index.open(), &self.hasher, slot, id);
    }

    /// Sorts the orders by `cuts` (see [`Cuts::prune`]) and re-indexes them
    /// if any moved.
    pub(super) fn prune(&mut self, cuts: &Cuts) {
        let before = (self.full.len(), self.volume.len());
        cuts.prune(&mut self.full, &mut self.volume);
        if (self.full.len(), self.volume.len()) != before {
            // Sized anew: a prune can drop most of a chunk's orders.
            let mut index = hashbrown::HashTable::with_capacity(self.len());
            let full = self
                .full
                .iter()
                .enumerate()
                .map(|(at, o)| (false, at, &o.id));
            let volume = self
                .volume
                .iter()
                .enumerate()
                .map(|(at, o)| (true, at, &o.id));
            for (volume, at, id) in full.chain(volume) {
                index_into(&mut index, &self.hasher, Slot { volume, at }, id.key());
            }
            self.index = Index::Open(index);
        }
    }

    /// Packs the index once the chunk's rows are all read (see
    /// [`Index::Sealed`]): ids can still be looked up, at the cost of a
    /// binary search, which only the join does.
    pub(super) fn seal(&mut self) {
        if let Index::Open(table) = &self.index {
            self.index = Index::Sealed(Sealed::of(table));
        }
    }

    /// Gives back the index's memory: no id can be looked up after this.
    pub(super) fn forget_index(&mut self) {
        self.index = Index::default();
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
fn widen(short: u32) -> u64 {
    u64::from(short) << 32 | u64::from(short)
}
