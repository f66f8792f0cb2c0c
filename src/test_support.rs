//! What the unit tests share.

/// The next state of a xorshift64 sequence (13, 7, 17): the tests that
/// generate their inputs draw from it, so every run tests the same ones.
pub(crate) fn xorshift(mut x: u64) -> u64 {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    x
}
