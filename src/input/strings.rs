//! Strings an export repeats, each kept once in one buffer: the postal
//! codes, cities and ASINs of orders, and the free text of messages and
//! feedback (sellers send one template to many buyers, and buyers pick
//! from a few canned comments). A row holds a 4-byte handle where it would
//! hold a string of its own, and grouping by handles compares numbers.

use std::hash::BuildHasher;

/// A string kept once in [`Strings`] however many rows repeat it: equal
/// strings of one `Strings` have equal handles.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Sym(std::num::NonZeroU32);

/// The distinct strings behind [`Sym`]s, in one buffer.
#[derive(Clone, Debug, Default)]
pub struct Strings {
    text: String,
    /// Where each string ends in `text`; it starts where the one before
    /// ends. A `Sym` is its position plus one.
    ends: Vec<usize>,
    index: hashbrown::HashTable<Entry>,
    hasher: foldhash::fast::RandomState,
}

/// One string in the lookup table. Postal codes, cities and ASINs are
/// short, so the text itself sits beside the hash and a probe reads one
/// cache line; only longer strings are compared in `text`.
#[derive(Clone, Copy, Debug)]
struct Entry {
    hash: u64,
    /// The first bytes of the string, zero-padded.
    head: [u8; HEAD],
    len: u32,
    at: u32,
}

const HEAD: usize = 16;

fn head_of(value: &str) -> [u8; HEAD] {
    let mut head = [0; HEAD];
    let n = value.len().min(HEAD);
    head[..n].copy_from_slice(&value.as_bytes()[..n]);
    head
}

impl Strings {
    /// The handle of `value`, adding it if it is new.
    pub fn intern(&mut self, value: &str) -> Sym {
        let hash = self.hasher.hash_one(value);
        let head = head_of(value);
        let this = &*self;
        let same = |e: &Entry| {
            e.hash == hash
                && e.len as usize == value.len()
                && e.head == head
                && (value.len() <= HEAD || this.text_at(e.at as usize) == value)
        };
        if let Some(entry) = self.index.find(hash, same) {
            return Sym::at(entry.at);
        }
        let at = u32::try_from(self.ends.len()).expect("fewer than 4 billion distinct strings");
        // A value of 4 GiB or more never matches by length, so it is only
        // stored again, never confused with another.
        let len = u32::try_from(value.len()).unwrap_or(u32::MAX);
        self.text.push_str(value);
        self.ends.push(self.text.len());
        let entry = Entry {
            hash,
            head,
            len,
            at,
        };
        self.index.insert_unique(hash, entry, |e| e.hash);
        Sym::at(at)
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    pub fn get(&self, sym: Sym) -> &str {
        self.text_at(sym.index())
    }

    /// The string at `place`, counting from 0.
    fn text_at(&self, place: usize) -> &str {
        let start = match place.checked_sub(1) {
            Some(before) => self.ends[before],
            None => 0,
        };
        &self.text[start..self.ends[place]]
    }

    /// Forgets which strings were added (a later repeat is stored again)
    /// and gives back the room the buffers grew by: for when a file is
    /// read and its strings are only looked up.
    pub fn seal(&mut self) {
        self.index = hashbrown::HashTable::new();
        self.text.shrink_to_fit();
        self.ends.shrink_to_fit();
    }
}

impl std::ops::Index<Sym> for Strings {
    type Output = str;

    fn index(&self, sym: Sym) -> &str {
        self.get(sym)
    }
}

impl PartialEq for Strings {
    fn eq(&self, other: &Strings) -> bool {
        self.ends.len() == other.ends.len()
            && (0..self.ends.len() as u32).all(|i| self.get(Sym::at(i)) == other.get(Sym::at(i)))
    }
}

impl Sym {
    fn at(index: u32) -> Sym {
        Sym(std::num::NonZeroU32::MIN.saturating_add(index))
    }

    /// The handle's place among its strings, from 0: handles are dense,
    /// so a list by place can stand for a map by handle.
    pub(crate) fn index(self) -> usize {
        (self.0.get() - 1) as usize
    }
}

/// Every handle of one [`Strings`] moved into another at once (see
/// [`Strings::absorb`]), for threads to move sales with.
pub(crate) struct Moved(Vec<Sym>);

impl Moved {
    pub(crate) fn get(&self, sym: Sym) -> Sym {
        self.0[sym.index()]
    }
}

impl Strings {
    /// Adds every string of `other`, in its order, and returns where each
    /// handle of `other` now points.
    pub(crate) fn absorb(&mut self, other: &Strings) -> Moved {
        let moved = (0..other.ends.len() as u32)
            .map(|i| self.intern(other.get(Sym::at(i))))
            .collect();
        Moved(moved)
    }
}

/// Moves handles from one [`Strings`] to another, each string once.
#[derive(Default)]
pub(crate) struct Remap(Vec<Option<Sym>>);

impl Remap {
    pub(crate) fn get(&mut self, sym: Sym, from: &Strings, to: &mut Strings) -> Sym {
        if self.0.len() <= sym.index() {
            self.0.resize(sym.index() + 1, None);
        }
        *self.0[sym.index()].get_or_insert_with(|| to.intern(from.get(sym)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_strings_share_a_handle_and_different_ones_never_do() {
        let mut strings = Strings::default();
        let values = [
            "",
            "10001",
            "10001 ",
            "B0ABCDEFGHIJKLMN",     // exactly the inline head
            "B0ABCDEFGHIJKLMNO",    // one byte past it
            "B0ABCDEFGHIJKLMNP",    // same head, other tail
            "東京都千代田区丸の内", // multi-byte, past the head
        ];
        let syms: Vec<Sym> = values.iter().map(|v| strings.intern(v)).collect();
        for (i, v) in values.iter().enumerate() {
            assert_eq!(strings.intern(v), syms[i], "{v:?} again");
            assert_eq!(strings.get(syms[i]), *v);
            for (j, w) in values.iter().enumerate() {
                assert_eq!(syms[i] == syms[j], v == w, "{v:?} and {w:?}");
            }
        }
        assert_eq!(strings.len(), values.len());
    }

    #[test]
    fn absorbed_handles_point_at_the_same_text() {
        let mut base = Strings::default();
        let shared = base.intern("10001");
        let mut other = Strings::default();
        let syms: Vec<Sym> = ["B01", "10001", "Springfield"]
            .iter()
            .map(|v| other.intern(v))
            .collect();
        let moved = base.absorb(&other);
        assert_eq!(moved.get(syms[1]), shared, "a string both have is one");
        for sym in syms {
            assert_eq!(base.get(moved.get(sym)), other.get(sym));
        }
        assert_eq!(base.len(), 3);
    }

    #[test]
    fn strings_survive_the_index_growing_and_sealing() {
        let mut strings = Strings::default();
        let syms: Vec<Sym> = (0..10_000)
            .map(|i| strings.intern(&format!("text {i}")))
            .collect();
        assert_eq!(strings.intern("text 17"), syms[17]);
        strings.seal();
        assert!((0..10_000).all(|i| strings[syms[i]] == format!("text {i}")));
        // After sealing, a repeat is kept again, under a handle of its own.
        let again = strings.intern("text 17");
        assert_ne!(again, syms[17]);
        assert_eq!(&strings[again], "text 17");
        assert_eq!(strings.intern("text 17"), again);
    }
}
