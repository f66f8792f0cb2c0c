//! Exact decimal arithmetic for thresholds: `0.07` from a policy file is
//! 7/100, not the nearest binary float, so `floor(0.07 × 100)` is 7.

use std::cmp::Ordering;
use std::fmt;

/// A non-negative decimal `mantissa / 10^scale`, read from the shortest
/// representation of a policy's float.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Decimal {
    mantissa: i128,
    scale: u32,
}

impl Decimal {
    pub const ZERO: Decimal = Decimal {
        mantissa: 0,
        scale: 0,
    };

    pub fn from_int(value: i64) -> Decimal {
        Decimal {
            mantissa: i128::from(value),
            scale: 0,
        }
    }

    /// Reads a finite float through its shortest round-trip text, which is
    /// what the policy author wrote. `None` for NaN, infinities and values
    /// beyond twelve decimal places.
    pub fn from_f64(value: f64) -> Option<Decimal> {
        if !value.is_finite() || value.abs() > 1e15 {
            return None;
        }
        let text = format!("{value}");
        let (int_part, frac_part) = text.split_once('.').unwrap_or((&text, ""));
        if frac_part.len() > 12 || text.contains('e') {
            return None;
        }
        let digits = format!("{int_part}{frac_part}");
        let mantissa: i128 = digits.parse().ok()?;
        Some(Decimal {
            mantissa,
            scale: frac_part.len() as u32,
        })
    }

    fn denominator(self) -> i128 {
        10i128.pow(self.scale)
    }

    pub fn to_f64(self) -> f64 {
        self.mantissa as f64 / self.denominator() as f64
    }

    /// `floor(self × n)`.
    pub fn floor_mul(self, n: u64) -> i128 {
        (self.mantissa * i128::from(n)).div_euclid(self.denominator())
    }

    /// `ceil(self × n)`.
    pub fn ceil_mul(self, n: u64) -> i128 {
        -((-self.mantissa * i128::from(n)).div_euclid(self.denominator()))
    }

    /// `self × n` rounded to the nearest integer, halves away from zero.
    pub fn round_mul(self, n: i64) -> i64 {
        let product = self.mantissa * i128::from(n);
        let den = self.denominator();
        let twice = 2 * product.abs() + den;
        let magnitude = twice / (2 * den);
        (if product < 0 { -magnitude } else { magnitude }) as i64
    }

    /// Compares `self` with the fraction `num / den` (`den > 0`) exactly.
    pub fn cmp_fraction(self, num: u64, den: u64) -> Ordering {
        (self.mantissa * i128::from(den)).cmp(&(i128::from(num) * self.denominator()))
    }

    pub fn plus(self, other: Decimal) -> Decimal {
        let scale = self.scale.max(other.scale);
        let lift = |d: Decimal| d.mantissa * 10i128.pow(scale - d.scale);
        Decimal {
            mantissa: lift(self) + lift(other),
            scale,
        }
    }

    pub fn mul_int(self, n: i64) -> Decimal {
        Decimal {
            mantissa: self.mantissa * i128::from(n),
            scale: self.scale,
        }
    }

    pub fn min(self, other: Decimal) -> Decimal {
        if self.cmp(&other) == Ordering::Greater {
            other
        } else {
            self
        }
    }
}

impl PartialOrd for Decimal {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Decimal {
    fn cmp(&self, other: &Self) -> Ordering {
        let scale = self.scale.max(other.scale);
        let lift = |d: &Decimal| d.mantissa * 10i128.pow(scale - d.scale);
        lift(self).cmp(&lift(other))
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.to_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(v: f64) -> Decimal {
        Decimal::from_f64(v).unwrap()
    }

    #[test]
    fn floor_is_exact_where_binary_floats_are_not() {
        assert_eq!(d(0.07).floor_mul(100), 7);
        assert_eq!(d(0.29).floor_mul(100), 29);
        assert_eq!(d(0.01).floor_mul(812), 8);
        assert_eq!(d(0.04).floor_mul(25), 1);
        assert_eq!(d(0.95).ceil_mul(100), 95);
        assert_eq!(d(0.95).ceil_mul(99), 95);
        assert_eq!(d(0.9).ceil_mul(10), 9);
    }

    #[test]
    fn compares_fractions_exactly() {
        assert_eq!(d(0.01).cmp_fraction(1, 100), Ordering::Equal);
        assert_eq!(d(0.01).cmp_fraction(2, 100), Ordering::Less);
        assert_eq!(d(0.025).cmp_fraction(1, 40), Ordering::Equal);
        assert_eq!(d(0.95).cmp_fraction(94, 99), Ordering::Greater);
    }

    #[test]
    fn rounds_halves_away_from_zero() {
        assert_eq!(d(1.5).round_mul(10), 15);
        assert_eq!(d(1.5).round_mul(5), 8);
        assert_eq!(d(2.5).round_mul(1), 3);
        assert_eq!(d(1.25).round_mul(-2), -3);
        assert_eq!(d(1.0).plus(d(0.5).mul_int(3)).round_mul(40), 100);
    }

    #[test]
    fn refuses_what_it_cannot_hold_exactly() {
        assert!(Decimal::from_f64(f64::NAN).is_none());
        assert!(Decimal::from_f64(f64::INFINITY).is_none());
        assert!(Decimal::from_f64(1e300).is_none());
        assert!(Decimal::from_f64(1e-20).is_none());
        assert_eq!(Decimal::from_int(3).cmp(&d(2.5)), Ordering::Greater);
    }
}
