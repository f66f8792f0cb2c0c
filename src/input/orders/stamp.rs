//! An order's dates, each in 8 bytes where a [`Stamp`] takes 12: an order
//! holds five, and a big account a million orders.
//!
//! The dates a file's cells read as lie in the years the date reader
//! accepts (1970 to 2200, a day either side in UTC), so a day number from
//! 1900 needs 17 bits. A time of day to the nanosecond, leap seconds
//! included, needs the other 47: each minute has room for 61 seconds, the
//! 61st being the leap second chrono keeps as a 59th second past
//! 1,000,000,000 nanoseconds. Packed stamps order as the stamps do.

use crate::input::dates::Stamp;
use chrono::{Datelike, NaiveDate, NaiveTime};
use std::num::NonZeroU64;

/// A [`Stamp`] in 8 bytes: the day in the high 17 bits, the time of day
/// (or none) in the low 47. Never zero, so an `Option` of it is 8 bytes.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PackedStamp(NonZeroU64);

const TIME_BITS: u32 = 47;
const DAY_BITS: u32 = 64 - TIME_BITS;
const NANOS_A_SECOND: u64 = 1_000_000_000;
/// A minute and its leap second.
const NANOS_A_MINUTE: u64 = 61 * NANOS_A_SECOND;

/// The day code of [`NaiveDate::MIN`], which an order of a file without
/// purchase dates holds in their place (it is before every window).
const EARLIEST_DAY: u64 = 1;
/// The day code of the first day of the packed range, 1900-01-01; later
/// days count up from it.
const FIRST_DAY: u64 = 2;
const LAST_DAY: u64 = (1 << DAY_BITS) - 1;
/// 1900-01-01 as chrono counts days (0001-01-01 is day 1): days convert
/// by adding, with no calendar arithmetic on every order.
const FIRST_DAY_FROM_CE: i64 = 693_596;

impl PackedStamp {
    /// A date-only [`NaiveDate::MIN`], before every other stamp.
    pub const EARLIEST: PackedStamp =
        PackedStamp(NonZeroU64::new(EARLIEST_DAY << TIME_BITS).unwrap());

    /// The stamp packed, or `None` for a date outside the packed range
    /// (about 1900 to 2258), which no date the reader accepts is.
    pub fn new(stamp: Stamp) -> Option<PackedStamp> {
        let day = if stamp.date == NaiveDate::MIN {
            EARLIEST_DAY
        } else {
            let since = i64::from(stamp.date.num_days_from_ce()) - FIRST_DAY_FROM_CE;
            let day = FIRST_DAY.checked_add(u64::try_from(since).ok()?)?;
            (day <= LAST_DAY).then_some(day)?
        };
        let time = match stamp.time_of_day() {
            None => 0,
            Some((seconds, nanos)) => {
                let (seconds, nanos) = (u64::from(seconds), u64::from(nanos));
                // Past 1e9 only in a leap second, which chrono allows
                // only as the 59th second of a minute.
                1 + seconds / 60 * NANOS_A_MINUTE + seconds % 60 * NANOS_A_SECOND + nanos
            }
        };
        NonZeroU64::new(day << TIME_BITS | time).map(PackedStamp)
    }

    pub fn date(self) -> NaiveDate {
        let day = self.0.get() >> TIME_BITS;
        RECENT_DATES.with(|recent| {
            let slot = &recent[day as usize % RECENT];
            match slot.get() {
                (known, date) if known == day => date,
                _ => {
                    let date = date_of(day);
                    slot.set((day, date));
                    date
                }
            }
        })
    }

    pub fn stamp(self) -> Stamp {
        let date = self.date();
        let Some(time) = (self.0.get() & ((1 << TIME_BITS) - 1)).checked_sub(1) else {
            return Stamp::on(date);
        };
        let (minute, past) = (time / NANOS_A_MINUTE, time % NANOS_A_MINUTE);
        // The leap second is the minute's 59th second, past 1e9 nanos.
        let second = (past / NANOS_A_SECOND).min(59);
        let nanos = past - second * NANOS_A_SECOND;
        let time = u32::try_from(minute * 60 + second)
            .ok()
            .zip(u32::try_from(nanos).ok())
            .and_then(|(seconds, nanos)| {
                NaiveTime::from_num_seconds_from_midnight_opt(seconds, nanos)
            });
        match time {
            Some(time) => Stamp::at(date.and_time(time).and_utc()),
            // Only a packed time is ever unpacked.
            None => Stamp::on(date),
        }
    }
}

/// How many recent days each thread remembers the dates of.
const RECENT: usize = 16;

thread_local! {
    /// Day codes lately turned into dates on this thread, each in the slot
    /// of its code modulo [`RECENT`]. Orders are read and gone through in
    /// file order, which is mostly time order, so an order's dates are
    /// nearly always days the last orders had (its purchase, and a ship-by
    /// or delivery day a few days on, each in a slot of its own): the
    /// calendar arithmetic runs about once a day, not for every order.
    static RECENT_DATES: [std::cell::Cell<(u64, NaiveDate)>; RECENT] =
        const { [const { std::cell::Cell::new((EARLIEST_DAY, NaiveDate::MIN)) }; RECENT] };
}

fn date_of(day: u64) -> NaiveDate {
    match day {
        EARLIEST_DAY => NaiveDate::MIN,
        // At most 2^17 days past 1900: always a date.
        day => i32::try_from(FIRST_DAY_FROM_CE + (day - FIRST_DAY) as i64)
            .ok()
            .and_then(NaiveDate::from_num_days_from_ce_opt)
            .unwrap_or(NaiveDate::MAX),
    }
}

impl std::fmt::Debug for PackedStamp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.stamp().fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::dates::parse_stamp;

    fn round_trip(stamp: Stamp) {
        let packed = PackedStamp::new(stamp).unwrap_or_else(|| panic!("{stamp:?} packs"));
        assert_eq!(packed.stamp(), stamp);
        assert_eq!(packed.date(), stamp.date);
    }

    #[test]
    fn stamps_the_reader_makes_read_back_exactly() {
        for text in [
            "1970-01-01",
            "1970-01-01T00:00:00+01:00", // 1969-12-31 in UTC
            "2200-12-31",
            "2200-12-31T23:59:59-12:00", // 2201-01-01 in UTC
            "2026-11-20",
            "2026-11-20T00:00:00Z",
            "2026-11-20T23:59:59.999999999Z",
            "2026-11-20T12:34:56.000000001Z",
            "2024-02-29T08:00:00Z",
            "2013-01-07 07:35:42 PST",
        ] {
            round_trip(parse_stamp(text, None).unwrap());
        }
    }

    /// A leap second: the reader rejects `:60`, but a stamp can hold one.
    fn leap(hour: u32, minute: u32, nanos: u32) -> Stamp {
        let date = NaiveDate::from_ymd_opt(2016, 12, 31).unwrap();
        let time = NaiveTime::from_hms_nano_opt(hour, minute, 59, 1_000_000_000 + nanos).unwrap();
        Stamp::at(date.and_time(time).and_utc())
    }

    #[test]
    fn leap_seconds_read_back_exactly() {
        for (hour, minute, nanos) in [(23, 59, 0), (23, 59, 999_999_999), (12, 29, 500_000_000)] {
            round_trip(leap(hour, minute, nanos));
        }
    }

    #[test]
    fn the_range_ends_and_the_placeholder_pack() {
        let first = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap();
        assert_eq!(i64::from(first.num_days_from_ce()), FIRST_DAY_FROM_CE);
        let last = NaiveDate::from_ymd_opt(2258, 1, 1).unwrap();
        for date in [first, last, NaiveDate::MIN] {
            round_trip(Stamp::on(date));
            let noon = date.and_hms_nano_opt(12, 0, 0, 5).unwrap().and_utc();
            if date != NaiveDate::MIN {
                round_trip(Stamp::at(noon));
            }
        }
        assert_eq!(PackedStamp::EARLIEST.stamp(), Stamp::on(NaiveDate::MIN));
        let before = first.pred_opt().unwrap();
        assert_eq!(
            PackedStamp::new(Stamp::on(before)),
            None,
            "before the range"
        );
        let past = first
            .checked_add_days(chrono::Days::new(LAST_DAY - FIRST_DAY + 1))
            .unwrap();
        assert_eq!(PackedStamp::new(Stamp::on(past)), None, "past the range");
        round_trip(Stamp::on(past.pred_opt().unwrap()));
        assert_eq!(PackedStamp::new(Stamp::on(NaiveDate::MAX)), None);
    }

    #[test]
    fn packed_stamps_order_as_stamps_do() {
        let read = |text| parse_stamp(text, None).unwrap();
        let stamps = [
            Stamp::on(NaiveDate::MIN),
            read("2016-12-31"),
            read("2016-12-31T00:00:00Z"),
            read("2016-12-31T12:29:59.999999999Z"),
            leap(12, 29, 0),
            leap(12, 29, 999_999_999),
            read("2016-12-31T12:30:00Z"),
            read("2016-12-31T23:59:59Z"),
            leap(23, 59, 500_000_000),
            read("2017-01-01"),
            read("2017-01-01T00:00:00.000000001Z"),
        ];
        assert!(stamps.is_sorted(), "the cases are in order");
        for a in &stamps {
            for b in &stamps {
                let (pa, pb) = (PackedStamp::new(*a).unwrap(), PackedStamp::new(*b).unwrap());
                assert_eq!(pa.cmp(&pb), a.cmp(b), "{a:?} against {b:?}");
            }
        }
    }
}
