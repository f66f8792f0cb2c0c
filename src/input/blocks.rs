//! A vector grown in fixed blocks, for the orders kept while a big file is
//! read: growing never copies what is there, so memory never holds an old
//! and a new array at once, nor more than one block beyond what is used.
//! Appending another one moves its blocks, not its values, so the orders
//! read in chunks on every core join without a copy.

use std::ops::{Index, IndexMut};

#[derive(Clone, Debug)]
pub struct Blocks<T> {
    blocks: Vec<Vec<T>>,
    /// Where each block starts, once an append has left a part-full block
    /// before the last; empty while every block but the last is full, and
    /// a value's block is its position divided by [`Blocks::BLOCK`].
    starts: Vec<usize>,
    len: usize,
}

impl<T> Default for Blocks<T> {
    fn default() -> Self {
        Blocks {
            blocks: Vec::new(),
            starts: Vec::new(),
            len: 0,
        }
    }
}

/// Equal values in the same order, however they are cut into blocks.
impl<T: PartialEq> PartialEq for Blocks<T> {
    fn eq(&self, other: &Blocks<T>) -> bool {
        self.len == other.len && self.iter().eq(other.iter())
    }
}

impl<T> Blocks<T> {
    /// Values per block: big enough that the block list stays short, small
    /// enough that the unused end of the last block is a few megabytes.
    const BLOCK: usize = 1 << 14;

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn push(&mut self, value: T) {
        match self.blocks.last_mut() {
            Some(block) if block.len() < Self::BLOCK => block.push(value),
            _ => {
                let mut block = Vec::with_capacity(Self::BLOCK);
                block.push(value);
                if !self.starts.is_empty() {
                    self.starts.push(self.len);
                }
                self.blocks.push(block);
            }
        }
        self.len += 1;
    }

    /// Moves `other`'s values to the end, block by block.
    pub fn append(&mut self, other: Blocks<T>) {
        if other.is_empty() {
            return;
        }
        let last_full = self.blocks.last().is_none_or(|b| b.len() == Self::BLOCK);
        if self.starts.is_empty() && other.starts.is_empty() && last_full {
            self.blocks.extend(other.blocks);
            self.len += other.len;
            return;
        }
        if self.starts.is_empty() {
            self.starts = (0..self.blocks.len()).map(|b| b * Self::BLOCK).collect();
        }
        for block in other.blocks.into_iter().filter(|b| !b.is_empty()) {
            self.starts.push(self.len);
            self.len += block.len();
            self.blocks.push(block);
        }
    }

    /// The block and the place in it of the value at `i`.
    fn locate(&self, i: usize) -> (usize, usize) {
        if self.starts.is_empty() {
            (i / Self::BLOCK, i % Self::BLOCK)
        } else {
            let block = self.starts.partition_point(|&start| start <= i) - 1;
            (block, i - self.starts[block])
        }
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &T> + Clone {
        self.blocks.iter().flatten()
    }

    pub fn iter_mut(&mut self) -> impl DoubleEndedIterator<Item = &mut T> {
        self.blocks.iter_mut().flatten()
    }

    /// Removes the values at `places` (ascending, each once). Only the
    /// values after each in its own block move: joining chunks removes a
    /// few repeats from millions of orders.
    pub fn remove_sorted(&mut self, places: &[usize]) {
        if places.is_empty() {
            return;
        }
        // From the last: the blocks before a removed value, and its place
        // in its block, are as they were for every place still to remove.
        for &i in places.iter().rev() {
            let (block, at) = self.locate(i);
            self.blocks[block].remove(at);
            self.len -= 1;
        }
        self.blocks.retain(|block| !block.is_empty());
        let mut start = 0;
        self.starts = self
            .blocks
            .iter()
            .map(|block| {
                start += block.len();
                start - block.len()
            })
            .collect();
    }

    /// Keeps what `keep` accepts, in order, freeing each old block once its
    /// values have moved.
    pub fn retain(&mut self, mut keep: impl FnMut(&T) -> bool) {
        self.sift(|value| keep(&value).then_some(value));
    }

    /// Keeps the values `sift` hands back, in order; it may move the others
    /// elsewhere. Each old block is freed once its values have moved.
    pub fn sift(&mut self, mut sift: impl FnMut(T) -> Option<T>) {
        let mut kept = Blocks::default();
        for block in std::mem::take(&mut self.blocks) {
            for value in block {
                if let Some(value) = sift(value) {
                    kept.push(value);
                }
            }
        }
        *self = kept;
    }

    /// The values in order, each block freed once read.
    pub fn into_values(self) -> impl Iterator<Item = T> {
        self.blocks.into_iter().flatten()
    }
}

impl<T> Index<usize> for Blocks<T> {
    type Output = T;

    fn index(&self, i: usize) -> &T {
        let (block, at) = self.locate(i);
        &self.blocks[block][at]
    }
}

impl<T> IndexMut<usize> for Blocks<T> {
    fn index_mut(&mut self, i: usize) -> &mut T {
        let (block, at) = self.locate(i);
        &mut self.blocks[block][at]
    }
}

impl<T> From<Vec<T>> for Blocks<T> {
    fn from(values: Vec<T>) -> Self {
        values.into_iter().collect()
    }
}

impl<T> FromIterator<T> for Blocks<T> {
    fn from_iter<I: IntoIterator<Item = T>>(values: I) -> Self {
        let mut blocks = Blocks::default();
        values.into_iter().for_each(|v| blocks.push(v));
        blocks
    }
}

impl<'a, T> IntoIterator for &'a Blocks<T> {
    type Item = &'a T;
    type IntoIter = std::iter::Flatten<std::slice::Iter<'a, Vec<T>>>;

    fn into_iter(self) -> Self::IntoIter {
        self.blocks.iter().flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_keep_their_places_across_blocks_and_retain() {
        let n = Blocks::<u32>::BLOCK * 2 + 5;
        let mut blocks: Blocks<u32> = (0..n as u32).collect();
        assert_eq!(blocks.len(), n);
        assert_eq!(
            blocks[Blocks::<u32>::BLOCK + 3],
            Blocks::<u32>::BLOCK as u32 + 3
        );
        assert_eq!(blocks[n - 1], n as u32 - 1);
        blocks.retain(|v| v % 3 == 0);
        let expected: Vec<u32> = (0..n as u32).filter(|v| v % 3 == 0).collect();
        assert_eq!(blocks.len(), expected.len());
        assert_eq!(blocks.iter().copied().collect::<Vec<_>>(), expected);
        assert_eq!(blocks[expected.len() - 1], *expected.last().unwrap());
        blocks[0] = 7;
        assert_eq!(blocks.iter().next(), Some(&7));
        assert_eq!(blocks.into_values().count(), expected.len());
    }

    #[test]
    fn removed_values_leave_the_rest_in_their_places() {
        let block = Blocks::<u32>::BLOCK;
        let n = block * 3 + 9;
        // The first of each block, the last of one, two in a row, the very
        // last, and a whole short block.
        let mut places = vec![0, 1, block - 1, block, 2 * block + 5, 3 * block];
        places.extend(3 * block + 1..n);
        let mut blocks: Blocks<u32> = (0..n as u32).collect();
        blocks.remove_sorted(&places);
        let mut expected: Vec<u32> = (0..n as u32)
            .filter(|v| !places.contains(&(*v as usize)))
            .collect();
        assert_eq!(blocks.len(), expected.len());
        assert!((0..expected.len()).all(|i| blocks[i] == expected[i]));
        assert!(blocks.iter().copied().eq(expected.iter().copied()));
        // It goes on growing, and can lose values again.
        for v in 0..block as u32 + 3 {
            blocks.push(n as u32 + v);
            expected.push(n as u32 + v);
        }
        blocks.remove_sorted(&[2, expected.len() - 1]);
        expected.remove(expected.len() - 1);
        expected.remove(2);
        assert!((0..expected.len()).all(|i| blocks[i] == expected[i]));
        assert!(blocks.iter().copied().eq(expected.iter().copied()));
        blocks.remove_sorted(&[]);
        assert_eq!(blocks.len(), expected.len());
    }

    #[test]
    fn appended_values_keep_their_places_behind_part_full_blocks() {
        let block = Blocks::<u32>::BLOCK as u32;
        // Lengths that leave the last block full, part-full and empty.
        let parts = [block, 3, 0, block + 7, 2 * block, 1];
        let mut joined = Blocks::default();
        let mut expected = Vec::new();
        let mut next = 0;
        for len in parts {
            let part: Blocks<u32> = (next..next + len).collect();
            expected.extend(next..next + len);
            next += len;
            joined.append(part);
            assert_eq!(joined.len(), expected.len());
            for i in [0, expected.len() / 2, expected.len().saturating_sub(1)] {
                if i < expected.len() {
                    assert_eq!(joined[i], expected[i], "value {i}");
                }
            }
        }
        assert!(
            (0..expected.len()).all(|i| joined[i] == expected[i]),
            "every value is where it was appended"
        );
        joined.push(next);
        expected.push(next);
        let last = expected.len() - 1;
        joined[last] += 1;
        assert_eq!(joined[last], next + 1);
        let uniform: Blocks<u32> = expected.iter().copied().collect();
        assert_ne!(joined.blocks.len(), uniform.blocks.len(), "cut differently");
        expected[last] += 1;
        assert!(joined.iter().copied().eq(expected.iter().copied()));
        joined.retain(|v| v % 2 == 1);
        let odd: Vec<u32> = expected.iter().copied().filter(|v| v % 2 == 1).collect();
        assert!((0..odd.len()).all(|i| joined[i] == odd[i]));
    }
}
