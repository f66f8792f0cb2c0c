//! Order ids, packed. Amazon's ids (`113-1234567-1234567`) are seventeen
//! digits in a fixed shape, which a `u64` holds: a kept order's id takes
//! no string, and looking one up hashes and compares one number. Any other
//! id text is kept as it is, so every id reads back exactly as written.

use compact_str::CompactString;
use std::fmt;

/// An order's id. Equal ids are equal texts: a text in Amazon's shape is
/// always packed, and any other text is always kept.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct OrderId(Repr);

#[derive(Clone, PartialEq, Eq, Hash)]
enum Repr {
    /// The seventeen digits of `ddd-ddddddd-ddddddd`, as one number.
    Amazon(u64),
    /// Any other text. Boxed, so that an id takes 16 bytes, not 24: ids
    /// outside Amazon's shape are rare.
    Other(Box<CompactString>),
}

/// An id as a cell reads, borrowed: what an [`OrderId`] of it would hold,
/// without allocating. Hashes and compares as the [`OrderId`] would.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum IdKey<'a> {
    Amazon(u64),
    Other(&'a str),
}

/// The digit groups of Amazon's order ids, and where the dashes fall.
const GROUPS: [usize; 3] = [3, 7, 7];
const LEN: usize = 19;

impl<'a> IdKey<'a> {
    pub(crate) fn of(text: &'a str) -> IdKey<'a> {
        match pack_amazon(text.as_bytes()) {
            Some(digits) => IdKey::Amazon(digits),
            None => IdKey::Other(text),
        }
    }

    pub(crate) fn to_id(self) -> OrderId {
        OrderId(match self {
            IdKey::Amazon(digits) => Repr::Amazon(digits),
            IdKey::Other(text) => Repr::Other(Box::new(text.into())),
        })
    }
}

/// The number of an id in Amazon's shape: three, seven and seven ASCII
/// digits joined by dashes. Leading zeros are kept by the fixed shape.
/// Every order row has an id: each group of seven is read as the eight
/// bytes from the dash before it, the dash taken for a leading zero, in
/// one word.
fn pack_amazon(bytes: &[u8]) -> Option<u64> {
    let id: &[u8; LEN] = bytes.try_into().ok()?;
    let [a, b, c, b'-', ..] = *id else {
        return None;
    };
    let first = [a, b, c].iter().try_fold(0u64, |n, &d| {
        d.is_ascii_digit().then(|| n * 10 + u64::from(d - b'0'))
    })?;
    let group = |from: usize| {
        let mut word: [u8; 8] = id[from..from + 8].try_into().ok()?;
        if word[0] != b'-' {
            return None;
        }
        word[0] = b'0';
        eight_digits(u64::from_le_bytes(word))
    };
    Some((first * 10_000_000 + group(3)?) * 10_000_000 + group(11)?)
}

/// The number eight ASCII digits in a little-endian word spell (first
/// digit in the low byte), `None` unless all eight are digits.
fn eight_digits(word: u64) -> Option<u64> {
    const HIGH_NIBBLES: u64 = 0xf0f0_f0f0_f0f0_f0f0;
    const ZEROS: u64 = 0x3030_3030_3030_3030;
    // A byte is a digit when it is 0x30 to 0x39: its high nibble is 3,
    // and still is with 6 added.
    let digits = word & HIGH_NIBBLES == ZEROS
        && word.wrapping_add(0x0606_0606_0606_0606) & HIGH_NIBBLES == ZEROS;
    if !digits {
        return None;
    }
    // Pairs of digits, then pairs of pairs, then the two halves.
    let values = word - ZEROS;
    let pairs = (values * 10 + (values >> 8)) & 0x00ff_00ff_00ff_00ff;
    let quads = (pairs * 100 + (pairs >> 16)) & 0x0000_ffff_0000_ffff;
    Some((quads & 0xffff_ffff) * 10_000 + (quads >> 32))
}

impl OrderId {
    pub fn new(text: &str) -> OrderId {
        IdKey::of(text).to_id()
    }

    pub(crate) fn key(&self) -> IdKey<'_> {
        match &self.0 {
            Repr::Amazon(digits) => IdKey::Amazon(*digits),
            Repr::Other(text) => IdKey::Other(text),
        }
    }

    /// The id as written in the file.
    pub fn text(&self) -> CompactString {
        match &self.0 {
            Repr::Amazon(digits) => amazon_text(*digits),
            Repr::Other(text) => CompactString::clone(text),
        }
    }
}

/// Writes packed digits back in Amazon's shape; nineteen bytes, inline in
/// a `CompactString`.
fn amazon_text(mut digits: u64) -> CompactString {
    let mut text = [b'-'; LEN];
    let mut at = LEN;
    for &group in GROUPS.iter().rev() {
        for _ in 0..group {
            at -= 1;
            text[at] = b'0' + (digits % 10) as u8;
            digits /= 10;
        }
        at = at.saturating_sub(1);
    }
    // Only ASCII digits and dashes were written.
    CompactString::from_utf8(text).unwrap_or_default()
}

impl From<&str> for OrderId {
    fn from(text: &str) -> OrderId {
        OrderId::new(text)
    }
}

impl PartialEq<str> for OrderId {
    fn eq(&self, text: &str) -> bool {
        self.key() == IdKey::of(text)
    }
}

impl PartialEq<&str> for OrderId {
    fn eq(&self, text: &&str) -> bool {
        *self == **text
    }
}

impl fmt::Display for OrderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text())
    }
}

impl fmt::Debug for OrderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.text().as_str(), f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::xorshift;

    /// [`pack_amazon`] as the shape reads, byte by byte.
    fn pack_by_bytes(bytes: &[u8]) -> Option<u64> {
        if bytes.len() != LEN {
            return None;
        }
        let mut digits = 0u64;
        let mut at = 0;
        for (n, &group) in GROUPS.iter().enumerate() {
            if n > 0 {
                if bytes[at] != b'-' {
                    return None;
                }
                at += 1;
            }
            for &b in &bytes[at..at + group] {
                if !b.is_ascii_digit() {
                    return None;
                }
                digits = digits * 10 + u64::from(b - b'0');
            }
            at += group;
        }
        Some(digits)
    }

    #[test]
    fn ids_pack_as_their_bytes_read() {
        let mut ids: Vec<Vec<u8>> = Vec::new();
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..20_000 {
            state = xorshift(state);
            let digits = format!("{:017}", state % 100_000_000_000_000_000);
            let id = format!("{}-{}-{}", &digits[..3], &digits[3..10], &digits[10..]);
            ids.push(id.clone().into_bytes());
            // Each byte in turn swapped for one that is not a digit, or
            // for a byte either side of the digits and the dash.
            let mut bad = id.into_bytes();
            let at = (state >> 20) as usize % LEN;
            bad[at] = [b'/', b':', b'-', b'0' + 0x80, b' ', b'a'][(state >> 40) as usize % 6];
            ids.push(bad);
        }
        for edge in [
            "000-0000000-0000000",
            "999-9999999-9999999",
            "113-1234567-123456",
            "113-1234567-12345678",
        ] {
            ids.push(edge.as_bytes().to_vec());
        }
        for id in &ids {
            assert_eq!(
                pack_amazon(id),
                pack_by_bytes(id),
                "{:?}",
                String::from_utf8_lossy(id)
            );
        }
    }

    #[test]
    fn amazon_ids_pack_and_read_back_exactly() {
        for text in [
            "113-1234567-1234567",
            "000-0000000-0000000",
            "999-9999999-9999999",
            "002-0000001-0100000",
        ] {
            let id = OrderId::new(text);
            assert!(matches!(id.0, Repr::Amazon(_)), "{text} packs");
            assert_eq!(id.text(), text);
            assert_eq!(id.to_string(), text);
            assert_eq!(id, *text);
        }
        assert_ne!(
            OrderId::new("113-1234567-1234567"),
            OrderId::new("113-1234567-1234568")
        );
    }

    #[test]
    fn other_ids_are_kept_as_written() {
        for text in [
            "",
            "O1",
            "113-1234567-123456",         // one digit short
            "113-1234567-12345678",       // one digit long
            "113 1234567 1234567",        // spaces for dashes
            "1131234567-1234567-",        // dashes moved
            "113-1234567-123456a",        // a letter
            " 113-1234567-1234567",       // padded
            "S01-1234567-1234567",        // a non-Amazon prefix
            "113-１２３４５６７-1234567", // full-width digits
            "a long marketplace order reference beyond twenty-four bytes",
        ] {
            let id = OrderId::new(text);
            assert!(matches!(id.0, Repr::Other(_)), "{text:?} is kept");
            assert_eq!(id.text(), text);
            assert_eq!(id, *text);
            assert_eq!(id.key(), IdKey::Other(text));
        }
    }

    #[test]
    fn keys_and_ids_agree() {
        use std::hash::BuildHasher;
        let hasher = foldhash::fast::RandomState::default();
        for text in ["113-1234567-1234567", "O1"] {
            let id = OrderId::new(text);
            assert_eq!(IdKey::of(text), id.key());
            assert_eq!(IdKey::of(text).to_id(), id);
            assert_eq!(hasher.hash_one(IdKey::of(text)), hasher.hash_one(id.key()));
        }
    }
}
