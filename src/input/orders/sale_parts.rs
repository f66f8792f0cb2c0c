//! The parts of an order's [`Sale`](super::Sale) that vary in length, each
//! in 16 bytes without a heap allocation in the common case: a buyer id of
//! up to 14 bytes, and up to three ASINs.

use crate::input::strings::Sym;
use compact_str::CompactString;

/// A buyer's id. Most buyers buy once, so ids are not shared; a short one
/// (`b1783333`) sits inline, where a `Box<str>` would take as much and a
/// heap allocation besides. Longer ids (buyer emails) take one.
#[derive(Clone, PartialEq, Eq)]
pub struct BuyerId(BuyerRepr);

#[derive(Clone, PartialEq, Eq)]
enum BuyerRepr {
    Inline {
        len: u8,
        bytes: [u8; INLINE],
    },
    /// Boxed, so that the id stays 16 bytes.
    Long(Box<CompactString>),
}

/// The longest id kept inline, in bytes.
const INLINE: usize = 14;

impl BuyerId {
    pub fn new(text: &str) -> BuyerId {
        BuyerId(match u8::try_from(text.len()) {
            Ok(len) if text.len() <= INLINE => {
                let mut bytes = [0; INLINE];
                bytes[..text.len()].copy_from_slice(text.as_bytes());
                BuyerRepr::Inline { len, bytes }
            }
            _ => BuyerRepr::Long(Box::new(text.into())),
        })
    }

    pub fn as_str(&self) -> &str {
        match &self.0 {
            // The bytes of a whole `str`: always UTF-8.
            BuyerRepr::Inline { len, bytes } => {
                std::str::from_utf8(&bytes[..usize::from(*len)]).unwrap_or_default()
            }
            BuyerRepr::Long(text) => text,
        }
    }
}

impl std::ops::Deref for BuyerId {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl From<&str> for BuyerId {
    fn from(text: &str) -> BuyerId {
        BuyerId::new(text)
    }
}

impl std::fmt::Debug for BuyerId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.as_str().fmt(f)
    }
}

/// The ASINs of an order's item rows, each once, in row order. Nearly
/// every order has at most three, which sit inline; more take a list.
#[derive(Clone, PartialEq, Eq)]
pub struct Asins(AsinsRepr);

#[derive(Clone, PartialEq, Eq)]
enum AsinsRepr {
    /// The first ones filled, the rest `None`.
    Few([Option<Sym>; FEW]),
    /// Boxed for a thin pointer: a `Vec` here would make every order's
    /// ASINs 32 bytes, for the few orders with more than three.
    #[expect(
        clippy::box_collection,
        reason = "the thin pointer keeps `Asins` at 16 bytes"
    )]
    Many(Box<Vec<Sym>>),
}

const FEW: usize = 3;

impl Default for Asins {
    fn default() -> Self {
        Asins(AsinsRepr::Few([None; FEW]))
    }
}

impl Asins {
    pub fn iter(&self) -> impl Iterator<Item = Sym> + '_ {
        let (few, many): (&[Option<Sym>], &[Sym]) = match &self.0 {
            AsinsRepr::Few(few) => (few, &[]),
            AsinsRepr::Many(many) => (&[], many),
        };
        few.iter().map_while(|&a| a).chain(many.iter().copied())
    }

    pub fn len(&self) -> usize {
        match &self.0 {
            AsinsRepr::Few(few) => few.iter().take_while(|a| a.is_some()).count(),
            AsinsRepr::Many(many) => many.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn contains(&self, asin: Sym) -> bool {
        self.iter().any(|a| a == asin)
    }

    pub fn push(&mut self, asin: Sym) {
        match &mut self.0 {
            AsinsRepr::Few(few) => match few.iter_mut().find(|a| a.is_none()) {
                Some(free) => *free = Some(asin),
                None => {
                    let mut many: Vec<Sym> = few.iter().flatten().copied().collect();
                    many.push(asin);
                    self.0 = AsinsRepr::Many(Box::new(many));
                }
            },
            AsinsRepr::Many(many) => many.push(asin),
        }
    }

    /// Replaces every ASIN, keeping their order.
    pub fn remap(&mut self, mut to: impl FnMut(Sym) -> Sym) {
        match &mut self.0 {
            AsinsRepr::Few(few) => few.iter_mut().for_each(|a| *a = a.map(&mut to)),
            AsinsRepr::Many(many) => many.iter_mut().for_each(|a| *a = to(*a)),
        }
    }
}

impl FromIterator<Sym> for Asins {
    fn from_iter<I: IntoIterator<Item = Sym>>(asins: I) -> Self {
        let mut all = Asins::default();
        asins.into_iter().for_each(|a| all.push(a));
        all
    }
}

impl std::fmt::Debug for Asins {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::strings::Strings;

    #[test]
    fn buyer_ids_read_back_exactly_inline_or_not() {
        for text in [
            "",
            "b1783333",
            "A1B2C3D4E5F6G7",  // exactly inline
            "A1B2C3D4E5F6G7H", // one byte past
            "abc123xyz@marketplace.amazon.com",
            "買い手さん", // 15 bytes of UTF-8
            "買い手",     // 9 bytes
        ] {
            let id = BuyerId::new(text);
            assert_eq!(id.as_str(), text);
            assert_eq!(id, BuyerId::new(text));
            assert_eq!(
                matches!(id.0, BuyerRepr::Inline { .. }),
                text.len() <= INLINE,
                "{text:?}"
            );
        }
        assert_ne!(BuyerId::new("b1"), BuyerId::new("b1 "));
        assert_eq!(std::mem::size_of::<Option<BuyerId>>(), 16);
    }

    #[test]
    fn asins_keep_their_order_past_the_inline_ones() {
        let mut strings = Strings::default();
        let syms: Vec<Sym> = (0..6).map(|i| strings.intern(&format!("B0{i}"))).collect();
        for n in 0..syms.len() {
            let mut asins: Asins = syms[..n].iter().copied().collect();
            assert_eq!(asins.len(), n);
            assert_eq!(asins.is_empty(), n == 0);
            assert!(asins.iter().eq(syms[..n].iter().copied()));
            assert!(
                syms.iter()
                    .all(|&s| asins.contains(s) == syms[..n].contains(&s))
            );
            let mirror = |s: Sym| syms[syms.len() - 1 - syms.iter().position(|&t| t == s).unwrap()];
            asins.remap(mirror);
            assert!(asins.iter().eq(syms[..n].iter().map(|&s| mirror(s))));
        }
        assert_eq!(std::mem::size_of::<Asins>(), 16);
    }
}
