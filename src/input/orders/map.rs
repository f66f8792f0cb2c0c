//! Orders kept by id while a chunk of the file is read.

use super::reach::Sift;
use super::{Order, VolumeOrder};
use crate::input::blocks::Blocks;
use std::hash::BuildHasher;

/// Records keyed by order id, in the order their first rows appear (file
/// order, so they need no sorting once read), with an index by id that
/// stores positions, not a second copy of each id.
pub(super) struct OrderMap<T> {
    pub(super) items: Blocks<T>,
    /// Each record's position with 32 bits of its id's hash: growing the
    /// table and probing for a new id compare hashes, not the records'
    /// ids, which would mean a cache miss per probe; 8 bytes an entry.
    pub(super) index: hashbrown::HashTable<(u32, u32)>,
    pub(super) hasher: foldhash::fast::RandomState,
}

/// A record an [`OrderMap`] holds.
pub(super) trait Keyed {
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
    pub(super) fn new(hasher: &foldhash::fast::RandomState) -> Self {
        OrderMap {
            items: Blocks::default(),
            index: hashbrown::HashTable::new(),
            hasher: hasher.clone(),
        }
    }

    pub(super) fn len(&self) -> usize {
        self.items.len()
    }

    /// The table's hash of an id: 32 bits, repeated in the high half,
    /// which the table reads for its control bytes.
    pub(super) fn hash(&self, id: &str) -> (u64, u32) {
        let short = self.hasher.hash_one(id) as u32;
        (widen(short), short)
    }

    pub(super) fn get_mut(&mut self, id: &str) -> Option<&mut T> {
        let at = self.position(self.hash(id), id)?;
        Some(&mut self.items[at])
    }

    /// Where the record of `id` is, given its [`OrderMap::hash`].
    pub(super) fn position(&self, (hash, short): (u64, u32), id: &str) -> Option<usize> {
        let items = &self.items;
        let &(_, at) = self
            .index
            .find(hash, |&(h, i)| h == short && items[i as usize].key() == id)?;
        Some(at as usize)
    }

    /// Adds a record whose id is not in the map yet.
    pub(super) fn insert(&mut self, item: T) {
        let (hash, short) = self.hash(item.key());
        // Four billion orders would not fit in memory long before this.
        let at = u32::try_from(self.items.len()).unwrap_or(u32::MAX);
        self.items.push(item);
        self.index
            .insert_unique(hash, (short, at), |&(h, _)| widen(h));
    }
}

/// A 32-bit hash as the table wants it (see [`OrderMap::hash`]).
pub(super) fn widen(short: u32) -> u64 {
    u64::from(short) << 32 | u64::from(short)
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
