//! A vector grown in fixed blocks, for the orders kept while a big file is
//! read: growing never copies what is there, so memory never holds an old
//! and a new array at once, nor more than one block beyond what is used.

use std::ops::{Index, IndexMut};

#[derive(Clone, Debug, PartialEq)]
pub struct Blocks<T> {
    blocks: Vec<Vec<T>>,
    len: usize,
}

impl<T> Default for Blocks<T> {
    fn default() -> Self {
        Blocks {
            blocks: Vec::new(),
            len: 0,
        }
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
                self.blocks.push(block);
            }
        }
        self.len += 1;
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &T> + Clone {
        self.blocks.iter().flatten()
    }

    pub fn iter_mut(&mut self) -> impl DoubleEndedIterator<Item = &mut T> {
        self.blocks.iter_mut().flatten()
    }

    /// Keeps what `keep` accepts, in order, freeing each old block once its
    /// values have moved.
    pub fn retain(&mut self, mut keep: impl FnMut(&T) -> bool) {
        let mut kept = Blocks::default();
        for block in std::mem::take(&mut self.blocks) {
            for value in block {
                if keep(&value) {
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
        &self.blocks[i / Self::BLOCK][i % Self::BLOCK]
    }
}

impl<T> IndexMut<usize> for Blocks<T> {
    fn index_mut(&mut self, i: usize) -> &mut T {
        &mut self.blocks[i / Self::BLOCK][i % Self::BLOCK]
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
}
