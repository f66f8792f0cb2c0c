//! The free text of one export's rows (message bodies and subjects,
//! feedback comments), kept in one buffer, each distinct text once.
//!
//! Sellers send one template to many buyers and buyers pick from a few
//! canned comments, so most such texts are repeats: a row holds a 4-byte
//! [`Text`] where it held a string of its own (24 bytes and an allocation
//! each), and a repeated text is stored once. Repeats are found while the
//! rows are read; [`Texts::seal`] then drops that index and the spare room
//! the buffers grew by.

use std::hash::BuildHasher;
use std::num::NonZeroU32;
use std::ops::Index;

/// A text kept in [`Texts`]: equal texts of one `Texts` have equal handles.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Text(NonZeroU32);

impl Text {
    fn at(position: usize) -> Text {
        let number = u32::try_from(position + 1)
            .ok()
            .and_then(NonZeroU32::new)
            .expect("fewer than 4 billion distinct texts in one export");
        Text(number)
    }

    fn position(self) -> usize {
        self.0.get() as usize - 1
    }
}

#[derive(Clone, Default)]
pub struct Texts {
    buffer: String,
    /// Where each text ends in `buffer`; a text starts where the one
    /// before it ends.
    ends: Vec<usize>,
    /// The texts added since the last [`Texts::seal`], by their contents.
    repeats: hashbrown::HashTable<Text>,
    hasher: foldhash::fast::RandomState,
}

impl Texts {
    /// The handle of `text`, adding it if it is new.
    pub fn add(&mut self, text: &str) -> Text {
        let Texts {
            buffer,
            ends,
            repeats,
            hasher,
        } = self;
        let get = |handle: &Text| Self::slice(buffer, ends, *handle);
        let hash = hasher.hash_one(text);
        if let Some(handle) = repeats.find(hash, |handle| get(handle) == text) {
            return *handle;
        }
        let handle = Text::at(ends.len());
        buffer.push_str(text);
        ends.push(buffer.len());
        let (buffer, ends) = (&*buffer, &*ends);
        repeats.insert_unique(hash, handle, |handle| {
            hasher.hash_one(Self::slice(buffer, ends, *handle))
        });
        handle
    }

    /// Forgets which texts were added (a later repeat is stored again) and
    /// gives back the room the buffers grew by: for when reading is done.
    pub fn seal(&mut self) {
        self.repeats = hashbrown::HashTable::new();
        self.buffer.shrink_to_fit();
        self.ends.shrink_to_fit();
    }

    /// How many texts are stored.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    fn slice<'t>(buffer: &'t str, ends: &[usize], handle: Text) -> &'t str {
        let i = handle.position();
        let start = if i == 0 { 0 } else { ends[i - 1] };
        &buffer[start..ends[i]]
    }
}

impl Index<Text> for Texts {
    type Output = str;

    fn index(&self, handle: Text) -> &str {
        Self::slice(&self.buffer, &self.ends, handle)
    }
}

/// The same texts in the same order, whichever were found repeated.
impl PartialEq for Texts {
    fn eq(&self, other: &Texts) -> bool {
        self.buffer == other.buffer && self.ends == other.ends
    }
}

impl std::fmt::Debug for Texts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let texts = (0..self.len()).map(|i| &self[Text::at(i)]);
        f.debug_list().entries(texts).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeats_are_stored_once_and_every_text_reads_back() {
        let mut texts = Texts::default();
        let words = ["Thank you", "", "Where is my order?", "Thank you", "", "ü€"];
        let handles: Vec<Text> = words.iter().map(|w| texts.add(w)).collect();
        assert_eq!(texts.len(), 4, "two repeats");
        assert_eq!(handles[0], handles[3]);
        assert_eq!(handles[1], handles[4]);
        assert_ne!(handles[0], handles[2]);
        for (word, handle) in words.iter().zip(&handles) {
            assert_eq!(&texts[*handle], *word);
        }
    }

    #[test]
    fn texts_survive_the_index_growing_and_sealing() {
        let mut texts = Texts::default();
        let handles: Vec<Text> = (0..10_000)
            .map(|i| texts.add(&format!("text {i}")))
            .collect();
        assert_eq!(texts.add("text 17"), handles[17]);
        texts.seal();
        assert!((0..10_000).all(|i| texts[handles[i]] == format!("text {i}")));
        // After sealing, a repeat is kept again, under a handle of its own.
        let again = texts.add("text 17");
        assert_ne!(again, handles[17]);
        assert_eq!(&texts[again], "text 17");
        assert_eq!(texts.add("text 17"), again);
    }
}
