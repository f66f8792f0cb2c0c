//! Dates and date-times of seller exports, read into UTC calendar dates and instants.
//!
//! Owns every textual date form the inputs carry: ISO 8601 dates and date-times,
//! Amazon's zone-abbreviated listing dates (`2013-01-07 07:35:42 PST`), the FBM
//! returns' `10-Jul-2025`, Seller Central's `Jul 10, 2025`, and the
//! marketplace-ordered dates of the feedback report (`13.1.17`, `1/13/17`,
//! `17/1/13`). Windows compare UTC calendar dates, so every stamp carries one.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveTime, Timelike, Utc};
use std::fmt;

/// How a slashed or dotted date like `3/4/17` is read; picked from the account's marketplace.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DateStyle {
    MonthDayYear,
    DayMonthYear,
    YearMonthDay,
}

/// Amazon marketplaces whose feedback dates put the day first. US and JP are
/// handled apart; CN is listed because its legacy exports are day-first too.
const DAY_FIRST_MARKETPLACES: &[&str] = &[
    "CA", "MX", "BR", "UK", "GB", "IE", "DE", "FR", "IT", "ES", "NL", "BE", "SE", "PL", "TR", "EG",
    "SA", "AE", "IN", "SG", "AU", "ZA", "CN",
];

impl DateStyle {
    /// US reads `m/d/yy`, JP reads `yy/m/d`, every other known marketplace `d/m/yy`.
    /// Case-insensitive; an unknown code gives `None`.
    pub fn for_marketplace(code: &str) -> Option<DateStyle> {
        let code = code.trim();
        if code.eq_ignore_ascii_case("US") {
            Some(DateStyle::MonthDayYear)
        } else if code.eq_ignore_ascii_case("JP") {
            Some(DateStyle::YearMonthDay)
        } else if DAY_FIRST_MARKETPLACES
            .iter()
            .any(|c| c.eq_ignore_ascii_case(code))
        {
            Some(DateStyle::DayMonthYear)
        } else {
            None
        }
    }

    /// The one order that reads every text as a date, for a file whose
    /// account names no marketplace. When two orders both do (`14/11/26`
    /// is 14 Nov 2026 or 26 Nov 2014), the one that keeps the dates
    /// within fewer years wins: a report's dates are months apart, not a
    /// decade. `None` when no text needs an order, or nothing decides.
    pub fn inferred<'t>(texts: impl IntoIterator<Item = &'t str>) -> Option<DateStyle> {
        let mut fits = [true; 3];
        let mut years: [Option<(i32, i32)>; 3] = [None; 3];
        let mut needs_order = false;
        for text in texts {
            needs_order |= parse_stamp(text, None).is_err();
            for (k, style) in DateStyle::ALL.into_iter().enumerate() {
                match parse_stamp(text, Some(style)) {
                    Ok(stamp) => {
                        let y = stamp.date.year();
                        let span = years[k].get_or_insert((y, y));
                        *span = (span.0.min(y), span.1.max(y));
                    }
                    Err(_) => fits[k] = false,
                }
            }
        }
        if !needs_order {
            return None;
        }
        let spans: Vec<(DateStyle, i32)> = DateStyle::ALL
            .into_iter()
            .zip(fits.into_iter().zip(years))
            .filter_map(|(style, (fits, span))| {
                let (from, to) = span?;
                fits.then_some((style, to - from))
            })
            .collect();
        let narrowest = spans.iter().map(|&(_, span)| span).min()?;
        match spans
            .iter()
            .filter(|&&(_, span)| span == narrowest)
            .collect::<Vec<_>>()[..]
        {
            [&(style, _)] => Some(style),
            _ => None,
        }
    }

    /// For a file the named marketplace's order cannot read in full: the
    /// one order that reads every text, or of several the one [`inferred`]
    /// picks. `None` when no order reads them all: a date is simply wrong.
    ///
    /// [`inferred`]: DateStyle::inferred
    pub fn reading_every(texts: &[&str]) -> Option<DateStyle> {
        let fitting: Vec<DateStyle> = DateStyle::ALL
            .into_iter()
            .filter(|&style| texts.iter().all(|t| parse_stamp(t, Some(style)).is_ok()))
            .collect();
        match fitting[..] {
            [] => None,
            [one] => Some(one),
            _ => DateStyle::inferred(texts.iter().copied()),
        }
    }

    const ALL: [DateStyle; 3] = [
        DateStyle::DayMonthYear,
        DateStyle::MonthDayYear,
        DateStyle::YearMonthDay,
    ];

    fn bit(self) -> u8 {
        match self {
            DateStyle::DayMonthYear => 1,
            DateStyle::MonthDayYear => 2,
            DateStyle::YearMonthDay => 4,
        }
    }

    /// How a message names the order: `D/M/YY`.
    pub fn pattern(self) -> &'static str {
        match self {
            DateStyle::MonthDayYear => "M/D/YY",
            DateStyle::DayMonthYear => "D/M/YY",
            DateStyle::YearMonthDay => "YY/M/D",
        }
    }

    fn whose(self) -> &'static str {
        match self {
            DateStyle::MonthDayYear => "marketplace US",
            DateStyle::DayMonthYear => "the account's marketplace",
            DateStyle::YearMonthDay => "marketplace JP",
        }
    }
}

/// A point in time read from an export: its UTC calendar date, and the instant when the text had a time of day.
///
/// The instant is kept as the time of day on `date`, which its own date
/// would repeat: a stamp, or an `Option<Stamp>`, takes 12 bytes rather
/// than 16 (an order packs its five into 8 bytes each, see
/// `input::orders::PackedStamp`). Stamps order by date, then date-only
/// before any time of that day, then time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Stamp {
    pub date: NaiveDate,
    /// Seconds since midnight UTC, plus one; 0 when there is no time of day.
    time: u32,
    /// Past the second, up to 2e9 for a leap second, as `NaiveTime` has it.
    nanos: u32,
}

impl Stamp {
    /// A date with no time of day.
    pub fn on(date: NaiveDate) -> Stamp {
        Stamp {
            date,
            time: 0,
            nanos: 0,
        }
    }

    /// An instant, on its UTC calendar date.
    pub fn at(instant: DateTime<Utc>) -> Stamp {
        let utc = instant.naive_utc();
        Stamp {
            date: utc.date(),
            time: utc.time().num_seconds_from_midnight() + 1,
            nanos: utc.time().nanosecond(),
        }
    }

    /// Seconds since midnight UTC and the nanoseconds past them (up to
    /// 2e9 in a leap second), when the text had a time of day.
    pub fn time_of_day(&self) -> Option<(u32, u32)> {
        Some((self.time.checked_sub(1)?, self.nanos))
    }

    /// The instant, when the text had a time of day.
    pub fn instant(&self) -> Option<DateTime<Utc>> {
        let seconds = self.time.checked_sub(1)?;
        let time = NaiveTime::from_num_seconds_from_midnight_opt(seconds, self.nanos)?;
        Some(self.date.and_time(time).and_utc())
    }

    /// True when `self` is strictly later than `other`: instants are compared when
    /// both have a time of day; otherwise a date-only side has no time to compare,
    /// so the UTC calendar dates decide (shipping on the ship-by day is on time).
    pub fn is_after(&self, other: &Stamp) -> bool {
        if self.time > 0 && other.time > 0 {
            // Both instants: their order is the stamps' order.
            self > other
        } else {
            self.date > other.date
        }
    }
}

/// Why a value is not a date; its Display says what was found and what was expected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DateError {
    /// The trimmed cell, cut short so a runaway cell cannot flood the report.
    text: String,
    kind: ErrorKind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum ErrorKind {
    NotADate(Option<DateStyle>),
    /// Bit set of the [`DateStyle`]s that read the text as different valid dates.
    Ambiguous(u8),
    WrongOrder(DateStyle),
    OutOfRange,
    UnknownZone(String),
}

/// Longest piece of a cell quoted back in an error, in characters.
const QUOTE_CHARS: usize = 64;

fn quote(s: &str) -> String {
    match s.char_indices().nth(QUOTE_CHARS) {
        Some((cut, _)) => format!("{}…", &s[..cut]),
        None => s.to_string(),
    }
}

impl DateError {
    /// `text` read as a date outside the years ahr reads, for a reader
    /// that keeps dates in fewer years than [`parse_stamp`] accepts.
    pub fn out_of_range(text: &str) -> DateError {
        DateError {
            text: quote(text.trim()),
            kind: ErrorKind::OutOfRange,
        }
    }
}

impl fmt::Display for DateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Debug quoting escapes control characters, so a hostile cell cannot
        // rewrite the terminal it is reported on.
        let text = &self.text;
        match &self.kind {
            ErrorKind::NotADate(style) => {
                write!(
                    f,
                    "{text:?} is not a date (expected YYYY-MM-DD, an ISO 8601 date-time, "
                )?;
                match style {
                    Some(s) => write!(f, "or {} for {})", s.pattern(), s.whose()),
                    None => write!(
                        f,
                        "D.M.YY, or a slashed date with marketplace set in account.toml)"
                    ),
                }
            }
            ErrorKind::Ambiguous(mask) => {
                let orders =
                    if *mask == DateStyle::DayMonthYear.bit() | DateStyle::MonthDayYear.bit() {
                        "day/month or month/day".to_string()
                    } else {
                        let names: Vec<&str> = DateStyle::ALL
                            .iter()
                            .filter(|s| mask & s.bit() != 0)
                            .map(|s| match s {
                                DateStyle::DayMonthYear => "day/month/year",
                                DateStyle::MonthDayYear => "month/day/year",
                                DateStyle::YearMonthDay => "year/month/day",
                            })
                            .collect();
                        match names.split_last() {
                            Some((last, rest)) if !rest.is_empty() => {
                                format!("{} or {last}", rest.join(", "))
                            }
                            _ => names.concat(),
                        }
                    };
                write!(
                    f,
                    "{text:?} is ambiguous ({orders}): set marketplace in account.toml"
                )
            }
            ErrorKind::WrongOrder(s) => write!(
                f,
                "{text:?} is not a date as {}, the date order of {}",
                s.pattern(),
                s.whose()
            ),
            ErrorKind::OutOfRange => write!(
                f,
                "{text:?} is out of range (expected a year from {MIN_YEAR} to {MAX_YEAR})"
            ),
            ErrorKind::UnknownZone(zone) => write!(
                f,
                "{text:?} has an unknown time zone {zone:?} (expected an offset like -08:00, \
                 or UTC, GMT, PST, PDT, EST, CET, JST, …)"
            ),
        }
    }
}

impl std::error::Error for DateError {}

const MIN_YEAR: u32 = 1970;
const MAX_YEAR: u32 = 2200;

/// Parses one cell. `style` is None when the account has no marketplace.
///
/// The ISO forms, which fill most exports, are read straight from the bytes;
/// nothing on a successful parse allocates.
pub fn parse_stamp(text: &str, style: Option<DateStyle>) -> Result<Stamp, DateError> {
    if let Some(stamp) = parse_plain_iso(text) {
        return Ok(stamp);
    }
    let text = text.trim();
    let bytes = text.as_bytes();
    let parsed = match parse_iso(bytes) {
        Some(result) => result,
        None => parse_other(bytes, style),
    };
    parsed.map_err(|fail| DateError {
        text: quote(text),
        kind: match fail {
            Fail::Shape => ErrorKind::NotADate(style),
            Fail::OutOfRange => ErrorKind::OutOfRange,
            Fail::Ambiguous(mask) => ErrorKind::Ambiguous(mask),
            Fail::WrongOrder(s) => ErrorKind::WrongOrder(s),
            Fail::UnknownZone(zone) => {
                ErrorKind::UnknownZone(quote(&String::from_utf8_lossy(zone)))
            }
        },
    })
}

/// Internal failure, kept allocation-free until it becomes a [`DateError`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fail<'a> {
    Shape,
    OutOfRange,
    Ambiguous(u8),
    WrongOrder(DateStyle),
    UnknownZone(&'a [u8]),
}

/// A run of ASCII digits: its value (saturated, so overlong runs cannot
/// overflow) and how many digits it had.
#[derive(Clone, Copy, Debug)]
struct Num {
    value: u32,
    len: usize,
}

struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl<'a> Cursor<'a> {
    fn new(b: &'a [u8]) -> Self {
        Cursor { b, i: 0 }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn at_end(&self) -> bool {
        self.i >= self.b.len()
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn number(&mut self) -> Option<Num> {
        let start = self.i;
        let mut value: u32 = 0;
        while let Some(c) = self.peek().filter(u8::is_ascii_digit) {
            value = value.saturating_mul(10).saturating_add(u32::from(c - b'0'));
            self.i += 1;
        }
        let len = self.i - start;
        (len > 0).then_some(Num { value, len })
    }

    fn word(&mut self) -> &'a [u8] {
        let start = self.i;
        while self.peek().is_some_and(|c| c.is_ascii_alphabetic()) {
            self.i += 1;
        }
        &self.b[start..self.i]
    }

    fn spaces(&mut self) -> usize {
        let start = self.i;
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.i += 1;
        }
        self.i - start
    }

    fn rest(&self) -> &'a [u8] {
        &self.b[self.i..]
    }
}

fn fixed_digits(b: &[u8]) -> Option<u32> {
    b.iter().try_fold(0u32, |acc, &c| {
        c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
    })
}

/// `YYYY-MM-DD` with an optional time part; `None` when the text is not shaped so.
fn parse_iso(b: &[u8]) -> Option<Result<Stamp, Fail<'_>>> {
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    if b.len() > 10 && !matches!(b[10], b'T' | b't' | b' ' | b'\t') {
        return None;
    }
    let year = fixed_digits(&b[0..4])?;
    let month = fixed_digits(&b[5..7])?;
    let day = fixed_digits(&b[8..10])?;
    Some(calendar(year, month, day).and_then(|date| {
        if b.len() == 10 {
            Ok(Stamp::on(date))
        } else {
            time_suffix(date, &b[10..], true)
        }
    }))
}

/// Whether [`parse_plain_iso`] and the general reader agree on `text`: the
/// fast path may decline any text, but what it reads must be what
/// [`parse_stamp`] would read without it. For the fuzz target.
pub(crate) fn plain_iso_agrees(text: &str) -> bool {
    parse_plain_iso(text).is_none_or(|fast| parse_iso(text.trim().as_bytes()) == Some(Ok(fast)))
}

/// `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM:SSZ` and `YYYY-MM-DDTHH:MM:SS±HH:MM`,
/// the forms of nearly every export, read straight, with no cursor and
/// no error to carry: a big orders file has two new times a row. `None`
/// for any other text, and for any of these forms [`parse_stamp`] would
/// reject, so it gives its own answer or error.
#[inline]
pub fn parse_plain_iso(text: &str) -> Option<Stamp> {
    let (date, rest) = plain_iso_day(text)?;
    plain_on(date, rest)
}

/// The calendar day a text in a form [`parse_plain_iso`] reads starts
/// with (its first ten bytes), and the rest of the text.
#[inline]
pub fn plain_iso_day(text: &str) -> Option<(NaiveDate, &[u8])> {
    let (day, rest) = text.as_bytes().split_at_checked(10)?;
    let [y1, y2, y3, y4, b'-', m1, m2, b'-', d1, d2] = *day else {
        return None;
    };
    let year = fixed_digits(&[y1, y2, y3, y4])?;
    let month = fixed_digits(&[m1, m2])?;
    let day = fixed_digits(&[d1, d2])?;
    Some((calendar(year, month, day).ok()?, rest))
}

/// What [`parse_plain_iso`] reads of a text whose first ten bytes are the
/// day `date` (see [`plain_iso_day`]) and whose other bytes are `rest`:
/// a reader that knows the day from a text before need not read it again.
#[inline]
pub fn plain_on(date: NaiveDate, rest: &[u8]) -> Option<Stamp> {
    if rest.is_empty() {
        return Some(Stamp::on(date));
    }
    plain_time(date, rest)
}

/// `THH:MM:SSZ` and `THH:MM:SS±HH:MM` after a date, as [`time_suffix`]
/// reads them; `None` for anything else or anything it would reject.
#[inline]
fn plain_time(date: NaiveDate, rest: &[u8]) -> Option<Stamp> {
    let (clock, zone) = rest.split_at_checked(9)?;
    let [b'T' | b't', h1, h2, b':', m1, m2, b':', s1, s2] = *clock else {
        return None;
    };
    let offset_minutes = match *zone {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let (h, m) = (fixed_digits(&[h1, h2])?, fixed_digits(&[m1, m2])?);
            if h > 23 || m > 59 {
                return None;
            }
            let minutes = i64::from(h * 60 + m);
            if sign == b'-' { -minutes } else { minutes }
        }
        _ => return None,
    };
    let [hour, minute, second] = [[h1, h2], [m1, m2], [s1, s2]].map(|d| fixed_digits(&d));
    let (hour, minute, second) = (hour?, minute?, second?);
    // What `NaiveTime::from_hms_opt` accepts: no leap second here.
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    // The instant in UTC, with plain arithmetic: an offset under a day
    // moves it a day either way at most.
    let utc_seconds = i64::from(hour * 3600 + minute * 60 + second) - offset_minutes * 60;
    let date = match utc_seconds.div_euclid(SECONDS_A_DAY) {
        -1 => date.pred_opt()?,
        0 => date,
        _ => date.succ_opt()?,
    };
    // In 0..86,400, so the cast cannot wrap.
    let seconds = utc_seconds.rem_euclid(SECONDS_A_DAY) as u32;
    Some(Stamp {
        date,
        time: seconds + 1,
        nanos: 0,
    })
}

const SECONDS_A_DAY: i64 = 86_400;

fn calendar<'a>(year: u32, month: u32, day: u32) -> Result<NaiveDate, Fail<'a>> {
    let y = i32::try_from(year).map_err(|_| Fail::Shape)?;
    let date = NaiveDate::from_ymd_opt(y, month, day).ok_or(Fail::Shape)?;
    if (MIN_YEAR..=MAX_YEAR).contains(&year) {
        Ok(date)
    } else {
        Err(Fail::OutOfRange)
    }
}

/// Two-digit years are 20yy: every Amazon export postdates 2000.
fn year_of<'a>(n: Num) -> Result<u32, Fail<'a>> {
    match n.len {
        2 => Ok(2000 + n.value),
        4 => Ok(n.value),
        _ => Err(Fail::Shape),
    }
}

fn day_or_month<'a>(n: Num) -> Result<u32, Fail<'a>> {
    if (1..=2).contains(&n.len) {
        Ok(n.value)
    } else {
        Err(Fail::Shape)
    }
}

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// English month name or its three-letter abbreviation, any case.
fn month_named(w: &[u8]) -> Option<u32> {
    if w.eq_ignore_ascii_case(b"sept") {
        return Some(9);
    }
    MONTHS.iter().zip(1..).find_map(|(name, n)| {
        let name = name.as_bytes();
        let fits = w.len() == 3 || w.len() == name.len();
        (fits && w.len() <= name.len() && w.eq_ignore_ascii_case(&name[..w.len()])).then_some(n)
    })
}

/// Zone abbreviations seen in Amazon exports, as fixed offsets in minutes.
/// CST is America/Chicago and IST is India, as in Amazon's US and IN files.
const ZONES: &[(&str, i32)] = &[
    ("UTC", 0),
    ("UT", 0),
    ("GMT", 0),
    ("Z", 0),
    ("EST", -5 * 60),
    ("EDT", -4 * 60),
    ("CST", -6 * 60),
    ("CDT", -5 * 60),
    ("MST", -7 * 60),
    ("MDT", -6 * 60),
    ("PST", -8 * 60),
    ("PDT", -7 * 60),
    ("AKST", -9 * 60),
    ("AKDT", -8 * 60),
    ("HST", -10 * 60),
    ("BRT", -3 * 60),
    ("WET", 0),
    ("WEST", 60),
    ("BST", 60),
    ("CET", 60),
    ("CEST", 2 * 60),
    ("MET", 60),
    ("MEST", 2 * 60),
    ("EET", 2 * 60),
    ("EEST", 3 * 60),
    ("GST", 4 * 60),
    ("IST", 5 * 60 + 30),
    ("SGT", 8 * 60),
    ("HKT", 8 * 60),
    ("AWST", 8 * 60),
    ("JST", 9 * 60),
    ("KST", 9 * 60),
    ("ACST", 9 * 60 + 30),
    ("ACDT", 10 * 60 + 30),
    ("AEST", 10 * 60),
    ("AEDT", 11 * 60),
    ("NZST", 12 * 60),
    ("NZDT", 13 * 60),
];

fn zone_minutes(w: &[u8]) -> Option<i32> {
    ZONES
        .iter()
        .find(|(name, _)| w.eq_ignore_ascii_case(name.as_bytes()))
        .map(|&(_, minutes)| minutes)
}

/// Every form that is not plain `YYYY-MM-DD…`: marketplace-ordered numeric
/// dates, month names, and the time parts they may carry.
fn parse_other(b: &[u8], style: Option<DateStyle>) -> Result<Stamp, Fail<'_>> {
    let mut c = Cursor::new(b);
    let mut allow_t = false;
    let date = match c.peek() {
        Some(x) if x.is_ascii_digit() => {
            let first = c.number().ok_or(Fail::Shape)?;
            match c.peek() {
                Some(sep @ (b'/' | b'-' | b'.')) => {
                    c.i += 1;
                    if sep == b'-' && c.peek().is_some_and(|x| x.is_ascii_alphabetic()) {
                        day_month_name_year(&mut c, first, |c| c.eat(b'-'))?
                    } else {
                        let second = c.number().ok_or(Fail::Shape)?;
                        if !c.eat(sep) {
                            return Err(Fail::Shape);
                        }
                        let third = c.number().ok_or(Fail::Shape)?;
                        allow_t = sep == b'-' && first.len == 4;
                        numeric_date([first, second, third], sep, style)?
                    }
                }
                Some(b' ') => {
                    c.spaces();
                    day_month_name_year(&mut c, first, |c| c.spaces() > 0)?
                }
                _ => return Err(Fail::Shape),
            }
        }
        Some(x) if x.is_ascii_alphabetic() => {
            let month = month_named(c.word()).ok_or(Fail::Shape)?;
            c.eat(b'.');
            if c.spaces() == 0 {
                return Err(Fail::Shape);
            }
            let day = day_or_month(c.number().ok_or(Fail::Shape)?)?;
            let comma = c.eat(b',');
            if c.spaces() == 0 && !comma {
                return Err(Fail::Shape);
            }
            let year = year_of(c.number().ok_or(Fail::Shape)?)?;
            calendar(year, month, day)?
        }
        _ => return Err(Fail::Shape),
    };
    if c.at_end() {
        Ok(Stamp::on(date))
    } else {
        time_suffix(date, c.rest(), allow_t)
    }
}

/// `10-Jul-2025` / `10 Jul 2025`, with the cursor on the month name.
fn day_month_name_year<'a>(
    c: &mut Cursor<'a>,
    day: Num,
    separator: impl Fn(&mut Cursor<'a>) -> bool,
) -> Result<NaiveDate, Fail<'a>> {
    let month = month_named(c.word()).ok_or(Fail::Shape)?;
    if !separator(c) {
        return Err(Fail::Shape);
    }
    let year = year_of(c.number().ok_or(Fail::Shape)?)?;
    calendar(year, month, day_or_month(day)?)
}

fn read_as<'a>(style: DateStyle, [a, b, c]: [Num; 3]) -> Result<NaiveDate, Fail<'a>> {
    let (y, m, d) = match style {
        DateStyle::DayMonthYear => (c, b, a),
        DateStyle::MonthDayYear => (c, a, b),
        DateStyle::YearMonthDay => (a, b, c),
    };
    calendar(year_of(y)?, day_or_month(m)?, day_or_month(d)?)
}

fn numeric_date<'a>(
    parts: [Num; 3],
    sep: u8,
    style: Option<DateStyle>,
) -> Result<NaiveDate, Fail<'a>> {
    // A four-digit lead can only be a year, and dots are day-first in every
    // marketplace that uses them, so neither depends on the account.
    if parts[0].len == 4 {
        return read_as(DateStyle::YearMonthDay, parts);
    }
    if sep == b'.' {
        return read_as(DateStyle::DayMonthYear, parts);
    }
    match style {
        Some(style) => read_as(style, parts).map_err(|fail| {
            // Reading the date in another order would be a guess the account
            // did not ask for; say that the marketplace's order does not fit.
            let fits_other = DateStyle::ALL
                .iter()
                .any(|&other| read_as(other, parts).is_ok());
            if fail == Fail::Shape && fits_other {
                Fail::WrongOrder(style)
            } else {
                fail
            }
        }),
        None => {
            let mut found: Option<NaiveDate> = None;
            let mut mask = 0u8;
            let mut differ = false;
            let mut out_of_range = false;
            for style in DateStyle::ALL {
                match read_as(style, parts) {
                    Ok(date) => {
                        mask |= style.bit();
                        differ |= found.is_some_and(|f| f != date);
                        found.get_or_insert(date);
                    }
                    Err(Fail::OutOfRange) => out_of_range = true,
                    Err(_) => {}
                }
            }
            match found {
                _ if differ => Err(Fail::Ambiguous(mask)),
                Some(date) => Ok(date),
                None if out_of_range => Err(Fail::OutOfRange),
                None => Err(Fail::Shape),
            }
        }
    }
}

/// The time part after a date: separator, `H:MM[:SS[.frac]]`, optional AM/PM,
/// then an optional offset or zone abbreviation. No zone means UTC.
fn time_suffix(date: NaiveDate, rest: &[u8], allow_t: bool) -> Result<Stamp, Fail<'_>> {
    let mut c = Cursor::new(rest);
    let t_sep = allow_t && (c.eat(b'T') || c.eat(b't'));
    if !t_sep && c.spaces() == 0 {
        return Err(Fail::Shape);
    }
    let hour = c.number().filter(|n| n.len <= 2).ok_or(Fail::Shape)?;
    let mut hour = hour.value;
    if !c.eat(b':') {
        return Err(Fail::Shape);
    }
    let minute = c.number().filter(|n| n.len == 2).ok_or(Fail::Shape)?.value;
    let mut second = 0;
    let mut nanos = 0;
    if c.eat(b':') {
        second = c.number().filter(|n| n.len == 2).ok_or(Fail::Shape)?.value;
        if c.eat(b'.') || c.eat(b',') {
            let mut digits = 0u32;
            while let Some(d) = c.peek().filter(u8::is_ascii_digit) {
                // Digits past nanoseconds are below chrono's resolution.
                if digits < 9 {
                    nanos = nanos * 10 + u32::from(d - b'0');
                }
                digits += 1;
                c.i += 1;
            }
            if digits == 0 {
                return Err(Fail::Shape);
            }
            nanos *= 10u32.pow(9 - digits.min(9));
        }
    }

    let before_meridiem = c.i;
    c.spaces();
    let word = c.word();
    if word.eq_ignore_ascii_case(b"AM") || word.eq_ignore_ascii_case(b"PM") {
        if !(1..=12).contains(&hour) {
            return Err(Fail::Shape);
        }
        hour %= 12;
        if word.eq_ignore_ascii_case(b"PM") {
            hour += 12;
        }
    } else {
        c.i = before_meridiem;
    }

    let gap = c.spaces();
    let offset_minutes = match c.peek() {
        None => 0,
        Some(b'Z' | b'z') if gap == 0 => {
            c.i += 1;
            0
        }
        Some(sign @ (b'+' | b'-')) => {
            c.i += 1;
            let n = c.number().ok_or(Fail::Shape)?;
            let (h, m) = match n.len {
                2 if c.eat(b':') => {
                    let m = c.number().filter(|m| m.len == 2).ok_or(Fail::Shape)?;
                    (n.value, m.value)
                }
                2 => (n.value, 0),
                4 => (n.value / 100, n.value % 100),
                _ => return Err(Fail::Shape),
            };
            if h > 23 || m > 59 {
                return Err(Fail::Shape);
            }
            // h and m are bounded above, so the cast cannot wrap.
            let minutes = (h * 60 + m) as i32;
            if sign == b'-' { -minutes } else { minutes }
        }
        Some(x) if gap > 0 && x.is_ascii_alphabetic() => {
            let word = c.word();
            if !c.at_end() {
                return Err(Fail::Shape);
            }
            zone_minutes(word).ok_or(Fail::UnknownZone(word))?
        }
        _ => return Err(Fail::Shape),
    };
    if !c.at_end() {
        return Err(Fail::Shape);
    }

    let time = NaiveTime::from_hms_nano_opt(hour, minute, second, nanos).ok_or(Fail::Shape)?;
    let offset = FixedOffset::east_opt(offset_minutes * 60).ok_or(Fail::Shape)?;
    let instant = date
        .and_time(time)
        .checked_sub_offset(offset)
        .ok_or(Fail::OutOfRange)?
        .and_utc();
    Ok(Stamp::at(instant))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    const US: Option<DateStyle> = Some(DateStyle::MonthDayYear);
    const UK: Option<DateStyle> = Some(DateStyle::DayMonthYear);
    const JP: Option<DateStyle> = Some(DateStyle::YearMonthDay);

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap()
    }

    fn date_only(text: &str, style: Option<DateStyle>) -> NaiveDate {
        let stamp = parse_stamp(text, style).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(stamp.instant(), None, "{text} has no time of day");
        stamp.date
    }

    fn instant(text: &str) -> DateTime<Utc> {
        let stamp = parse_stamp(text, None).unwrap_or_else(|e| panic!("{text}: {e}"));
        let instant = stamp.instant().expect("a time of day");
        assert_eq!(stamp.date, instant.date_naive(), "date is the UTC date");
        instant
    }

    fn error(text: &str, style: Option<DateStyle>) -> String {
        match parse_stamp(text, style) {
            Ok(stamp) => panic!("{text:?} parsed as {stamp:?}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn the_order_that_reads_every_date_of_a_file_is_found() {
        use DateStyle::*;
        let inferred = |texts: &[&str]| DateStyle::inferred(texts.iter().copied());
        assert_eq!(inferred(&["11/9/26", "9/20/26"]), Some(MonthDayYear));
        // Year first also reads these, but as 2002–2014.
        assert_eq!(
            inferred(&["14/11/26", "2/11/26", "12/10/26"]),
            Some(DayMonthYear)
        );
        assert_eq!(inferred(&["26/11/06", "26/10/30"]), Some(YearMonthDay));
        // Nothing decides between the orders, or nothing needs one (a
        // dotted date is day first wherever it is written).
        assert_eq!(inferred(&["1/2/26", "3/4/26"]), None);
        assert_eq!(inferred(&["2026-11-09", "2026-10-01"]), None);
        assert_eq!(inferred(&["13.1.26", "1.2.26"]), None);
        assert_eq!(inferred(&[]), None);
    }

    #[test]
    fn marketplace_styles() {
        assert_eq!(
            DateStyle::for_marketplace("US"),
            Some(DateStyle::MonthDayYear)
        );
        assert_eq!(
            DateStyle::for_marketplace("us"),
            Some(DateStyle::MonthDayYear)
        );
        assert_eq!(
            DateStyle::for_marketplace("jp"),
            Some(DateStyle::YearMonthDay)
        );
        for code in [
            "CA", "uk", "GB", "de", "FR", "IT", "ES", "NL", "SE", "PL", "AU", "IN", "MX", "BR",
            "AE", "SG", "CN",
        ] {
            assert_eq!(
                DateStyle::for_marketplace(code),
                Some(DateStyle::DayMonthYear),
                "{code}"
            );
        }
        assert_eq!(DateStyle::for_marketplace("XX"), None);
        assert_eq!(DateStyle::for_marketplace(""), None);
        assert_eq!(DateStyle::for_marketplace("USA"), None);
    }

    #[test]
    fn iso_dates() {
        assert_eq!(date_only("2024-01-15", None), ymd(2024, 1, 15));
        assert_eq!(date_only("  2024-01-15\t", US), ymd(2024, 1, 15));
        assert_eq!(date_only("2024-02-29", None), ymd(2024, 2, 29));
        // SE feedback dates are ISO whatever the marketplace style.
        assert_eq!(date_only("2017-01-13", UK), ymd(2017, 1, 13));
        assert_eq!(date_only("2017-01-13", JP), ymd(2017, 1, 13));
        assert_eq!(date_only("2024-1-5", None), ymd(2024, 1, 5));
    }

    #[test]
    fn iso_date_times_and_offsets() {
        let ten = utc(2024, 1, 15, 10, 0, 0);
        assert_eq!(instant("2024-01-15T10:00:00"), ten);
        assert_eq!(instant("2024-01-15 10:00:00"), ten);
        assert_eq!(instant("2024-01-15t10:00:00z"), ten);
        assert_eq!(instant("2024-01-15T10:00:00Z"), ten);
        assert_eq!(instant("2024-01-15T10:00:00+00:00"), ten);
        assert_eq!(instant("2024-01-15T02:00:00-0800"), ten);
        assert_eq!(instant("2024-01-15T19:00:00+09"), ten);
        assert_eq!(instant("2024-01-15T15:30:00+05:30"), ten);
        assert_eq!(instant("2024-01-15 10:00:00 +0000"), ten);
        // Orders report, and the performance report without seconds.
        assert_eq!(
            instant("2017-06-17T08:04:21+00:00"),
            utc(2017, 6, 17, 8, 4, 21)
        );
        assert_eq!(instant("2020-10-21T00:00Z"), utc(2020, 10, 21, 0, 0, 0));
        assert_eq!(instant("2020-10-21T00:00"), utc(2020, 10, 21, 0, 0, 0));
    }

    #[test]
    fn offsets_crossing_midnight() {
        let late = parse_stamp("2024-01-15T23:30:00-08:00", None).unwrap();
        assert_eq!(late.date, ymd(2024, 1, 16));
        assert_eq!(late.instant(), Some(utc(2024, 1, 16, 7, 30, 0)));

        let early = parse_stamp("2024-01-15T01:00:00+09:00", None).unwrap();
        assert_eq!(early.date, ymd(2024, 1, 14));
        assert_eq!(early.instant(), Some(utc(2024, 1, 14, 16, 0, 0)));

        let year_end = parse_stamp("2023-12-31 20:00:00 PST", None).unwrap();
        assert_eq!(year_end.date, ymd(2024, 1, 1));
    }

    #[test]
    fn fractional_seconds() {
        let base = utc(2024, 1, 15, 10, 0, 0);
        let ms = chrono::TimeDelta::milliseconds(123);
        assert_eq!(instant("2024-01-15T10:00:00.123Z"), base + ms);
        assert_eq!(instant("2024-01-15T10:00:00,123"), base + ms);
        assert_eq!(
            instant("2024-01-15T10:00:00.123456789+00:00"),
            base + chrono::TimeDelta::nanoseconds(123_456_789)
        );
        // Beyond nanoseconds the digits are dropped, not rounded into an error.
        assert_eq!(
            instant("2024-01-15T10:00:00.1234567891234Z"),
            base + chrono::TimeDelta::nanoseconds(123_456_789)
        );
        assert!(parse_stamp("2024-01-15T10:00:00.Z", None).is_err());
    }

    #[test]
    fn zone_abbreviations() {
        let ten = utc(2024, 1, 15, 10, 0, 0);
        for (text, local_hour) in [
            ("UTC", 10),
            ("GMT", 10),
            ("Z", 10),
            ("PST", 2),
            ("PDT", 3),
            ("MST", 3),
            ("MDT", 4),
            ("CST", 4),
            ("CDT", 5),
            ("EST", 5),
            ("EDT", 6),
            ("AKST", 1),
            ("AKDT", 2),
            ("HST", 0),
            ("BST", 11),
            ("CET", 11),
            ("CEST", 12),
            ("MET", 11),
            ("MEST", 12),
            ("EET", 12),
            ("EEST", 13),
            ("WET", 10),
            ("WEST", 11),
            ("JST", 19),
            ("KST", 19),
            ("SGT", 18),
            ("HKT", 18),
            ("AEST", 20),
            ("AEDT", 21),
        ] {
            let space = format!("2024-01-15 {local_hour:02}:00:00 {text}");
            let t = format!("2024-01-15T{local_hour:02}:00:00 {text}");
            assert_eq!(instant(&space), ten, "{space}");
            assert_eq!(instant(&t), ten, "{t}");
        }
        assert_eq!(instant("2024-01-15 15:30:00 IST"), ten);
        assert_eq!(instant("2024-01-15 02:00:00 pst"), ten);
        // The All Listings report's open-date.
        assert_eq!(
            instant("2013-01-07 07:35:42 PST"),
            utc(2013, 1, 7, 15, 35, 42)
        );

        let e = error("2024-01-15 10:00:00 XYZ", None);
        assert!(e.contains("unknown time zone \"XYZ\""), "{e}");
        let e = error("2024-01-15 10:00:00 PST extra", None);
        assert!(e.contains("is not a date"), "{e}");
    }

    #[test]
    fn month_names() {
        assert_eq!(date_only("10-Jul-2025", None), ymd(2025, 7, 10));
        assert_eq!(date_only("10-jul-2025", US), ymd(2025, 7, 10));
        assert_eq!(date_only("1-JUL-25", None), ymd(2025, 7, 1));
        assert_eq!(date_only("10 Jul 2025", None), ymd(2025, 7, 10));
        assert_eq!(date_only("Jul 10, 2025", None), ymd(2025, 7, 10));
        assert_eq!(date_only("July 10, 2025", JP), ymd(2025, 7, 10));
        assert_eq!(date_only("Sept 3 2025", None), ymd(2025, 9, 3));
        assert_eq!(date_only("sep. 3, 2025", None), ymd(2025, 9, 3));
        assert_eq!(
            instant("Jul 1, 2025 12:03:45 AM PDT"),
            utc(2025, 7, 1, 7, 3, 45)
        );
        assert_eq!(
            instant("Jul 1, 2025 12:03:45 PM PDT"),
            utc(2025, 7, 1, 19, 3, 45)
        );
        assert_eq!(instant("10-Jul-2025 10:00:00"), utc(2025, 7, 10, 10, 0, 0));
        assert!(parse_stamp("31-Jun-2025", None).is_err());
        assert!(parse_stamp("10-Jly-2025", None).is_err());
        assert!(parse_stamp("Ju 10, 2025", None).is_err());
        assert!(parse_stamp("Julyy 10, 2025", None).is_err());
        assert!(parse_stamp("Jul 10 2025 13:00 PM", None).is_err());
    }

    #[test]
    fn feedback_report_examples() {
        let thirteenth = ymd(2017, 1, 13);
        assert_eq!(date_only("13.1.17", UK), thirteenth);
        assert_eq!(date_only("13.01.2017", None), thirteenth);
        assert_eq!(date_only("13.1.17", US), thirteenth);
        assert_eq!(date_only("1/13/17", US), thirteenth);
        assert_eq!(date_only("17/1/13", JP), thirteenth);
        assert_eq!(date_only("13/1/17", UK), thirteenth);
        assert_eq!(date_only("13-01-2017", UK), thirteenth);
        assert_eq!(date_only("01-13-2017", US), thirteenth);
        // A four-digit lead is the year in every style.
        for style in [US, UK, JP, None] {
            assert_eq!(date_only("2017/1/13", style), thirteenth);
            assert_eq!(date_only("2017.01.13", style), thirteenth);
        }
        assert_eq!(date_only("3/4/17", US), ymd(2017, 3, 4));
        assert_eq!(date_only("3/4/17", UK), ymd(2017, 4, 3));
        // JP writes two-digit years, so a one-digit lead is no year.
        assert!(error("3/4/17", JP).contains("YY/M/D"));
        assert_eq!(date_only("03/04/17", JP), ymd(2003, 4, 17));
    }

    #[test]
    fn slashed_dates_with_time() {
        assert_eq!(
            parse_stamp("1/13/17 10:00", US).unwrap().instant(),
            Some(utc(2017, 1, 13, 10, 0, 0))
        );
        assert_eq!(
            parse_stamp("1/13/2017 10:00:00 PST", US).unwrap().instant(),
            Some(utc(2017, 1, 13, 18, 0, 0))
        );
        assert_eq!(
            parse_stamp("1/13/2017 9:05:00 PM PST", US)
                .unwrap()
                .instant(),
            Some(utc(2017, 1, 14, 5, 5, 0))
        );
        assert_eq!(
            parse_stamp("2017/01/13 10:00:00", JP).unwrap().instant(),
            Some(utc(2017, 1, 13, 10, 0, 0))
        );
        assert_eq!(
            parse_stamp("13.01.2017 10:00:00 CET", None)
                .unwrap()
                .instant(),
            Some(utc(2017, 1, 13, 9, 0, 0))
        );
        // Only ISO dates take the `T` separator.
        assert!(parse_stamp("1/13/17T10:00", US).is_err());
    }

    #[test]
    fn inference_without_marketplace() {
        // Only one order gives a real date.
        assert_eq!(date_only("1/13/17", None), ymd(2017, 1, 13));
        assert_eq!(date_only("13/01/2017", None), ymd(2017, 1, 13));
        assert_eq!(date_only("1/13/2017", None), ymd(2017, 1, 13));
        assert_eq!(date_only("2017/1/13", None), ymd(2017, 1, 13));
        // Every order reads the same day.
        assert_eq!(date_only("5/5/05", None), ymd(2005, 5, 5));

        assert_eq!(
            error("3/4/2017", None),
            "\"3/4/2017\" is ambiguous (day/month or month/day): set marketplace in account.toml"
        );
        assert_eq!(
            error("3/4/17", None),
            "\"3/4/17\" is ambiguous (day/month or month/day): set marketplace in account.toml"
        );
        assert_eq!(
            error("03/04/17", None),
            "\"03/04/17\" is ambiguous (day/month/year, month/day/year or year/month/day): \
             set marketplace in account.toml"
        );
        // Day-first UK or year-first JP: a guess would misplace the date by years.
        let e = error("17/1/13", None);
        assert!(
            e.contains("(day/month/year or year/month/day)") && e.contains("marketplace"),
            "{e}"
        );
        let e = error("13/1/17", None);
        assert!(e.contains("ambiguous"), "{e}");
    }

    #[test]
    fn impossible_in_the_marketplace_order() {
        assert_eq!(
            error("13/1/17", US),
            "\"13/1/17\" is not a date as M/D/YY, the date order of marketplace US"
        );
        let e = error("1/13/17", UK);
        assert!(e.contains("D/M/YY"), "{e}");
        let e = error("13/1/2017", JP);
        assert!(e.contains("YY/M/D") && e.contains("JP"), "{e}");
        // No order fits: a plain "not a date".
        let e = error("1/45/17", US);
        assert!(e.contains("is not a date (expected"), "{e}");
        let e = error("13.13.17", UK);
        assert!(e.contains("is not a date (expected"), "{e}");
    }

    #[test]
    fn impossible_dates_and_ranges() {
        assert_eq!(
            error("2024-13-45", US),
            "\"2024-13-45\" is not a date (expected YYYY-MM-DD, an ISO 8601 date-time, \
             or M/D/YY for marketplace US)"
        );
        for text in [
            "2023-02-29",
            "2024-00-10",
            "2024-01-00",
            "2024-04-31",
            "29.2.23",
            "2/29/23",
        ] {
            assert!(error(text, US).contains("is not a date"), "{text}");
        }
        for text in ["1969-12-31", "2201-01-01", "0000-01-01", "12/31/1969"] {
            assert!(error(text, US).contains("out of range"), "{text}");
        }
        assert_eq!(date_only("1970-01-01", None), ymd(1970, 1, 1));
        assert_eq!(date_only("2200-12-31", None), ymd(2200, 12, 31));
        let e = error("", None);
        assert!(e.starts_with("\"\" is not a date"), "{e}");
        let e = error("   ", UK);
        assert!(e.contains("D/M/YY"), "{e}");
    }

    #[test]
    fn bad_times_and_offsets() {
        for text in [
            "2024-01-15T25:00:00",
            "2024-01-15T10:60:00",
            "2024-01-15T10:00:60",
            "2024-01-15T10",
            "2024-01-15T10:0",
            "2024-01-15T",
            "2024-01-15T10:00:00+99:99",
            "2024-01-15T10:00:00+24",
            "2024-01-15T10:00:00+9",
            "2024-01-15T10:00:00+09:0",
            "2024-01-15T10:00:00+",
            "2024-01-15T10:00:00Zjunk",
            "2024-01-15T13:00:00 AM",
            "2024-01-15T00:00:00 PM",
            "2024-01-15x",
        ] {
            assert!(parse_stamp(text, None).is_err(), "{text}");
        }
        // Trailing whitespace is trimmed before parsing.
        assert!(parse_stamp("2024-01-15 ", None).is_ok());
    }

    #[test]
    fn garbage() {
        for text in [
            "hello", "N/A", "-", "2024", "2024-01", "1/2", "1/2/3/4", "Jul", "1.2-3",
        ] {
            let e = error(text, None);
            assert!(e.contains("is not a date"), "{text}: {e}");
        }
        let long = "9".repeat(10_000);
        let e = error(&long, None);
        assert!(e.chars().count() < 300, "long cells are quoted short");
        let e = error("bad\u{1b}[2J", None);
        assert!(!e.contains('\u{1b}'), "control characters are escaped: {e}");
    }

    #[test]
    fn is_after() {
        let ship_by = parse_stamp("2026-11-10", None).unwrap();
        let shipped_same_day = parse_stamp("2026-11-10T15:00:00Z", None).unwrap();
        let shipped_next_day = parse_stamp("2026-11-11T00:30:00Z", None).unwrap();
        assert!(!shipped_same_day.is_after(&ship_by));
        assert!(!ship_by.is_after(&shipped_same_day));
        assert!(shipped_next_day.is_after(&ship_by));
        assert!(!ship_by.is_after(&shipped_next_day));

        let a = parse_stamp("2026-11-10T15:00:00Z", None).unwrap();
        let b = parse_stamp("2026-11-10T15:00:01Z", None).unwrap();
        assert!(b.is_after(&a));
        assert!(!a.is_after(&b));
        assert!(!a.is_after(&a));
        // Same instant written in two zones.
        let c = parse_stamp("2026-11-10 07:00:00 PST", None).unwrap();
        assert!(!a.is_after(&c) && !c.is_after(&a));

        let d1 = parse_stamp("2026-11-10", None).unwrap();
        let d2 = parse_stamp("11/11/26", US).unwrap();
        assert!(d2.is_after(&d1));
        assert!(!d1.is_after(&d2));
        assert!(!d1.is_after(&d1));
    }

    #[test]
    fn stamps_keep_their_instants_and_order_as_they_do() {
        let base = utc(2024, 1, 15, 0, 0, 0);
        let instants = [
            base,
            base + chrono::Duration::nanoseconds(1),
            base + chrono::Duration::seconds(1),
            base + chrono::Duration::hours(23) + chrono::Duration::nanoseconds(999_999_999),
            base + chrono::Duration::days(1),
            NaiveDate::from_ymd_opt(2016, 12, 31)
                .and_then(|d| d.and_hms_nano_opt(23, 59, 59, 1_500_000_000))
                .expect("a leap second")
                .and_utc(),
        ];
        let days = [ymd(2024, 1, 14), ymd(2024, 1, 15), ymd(2024, 1, 16)];
        let mut stamps: Vec<Stamp> = instants.iter().map(|&i| Stamp::at(i)).collect();
        for (stamp, instant) in stamps.iter().zip(instants) {
            assert_eq!(stamp.instant(), Some(instant));
            assert_eq!(stamp.date, instant.date_naive());
        }
        stamps.extend(days.map(Stamp::on));
        // The order a stamp had as (date, optional instant).
        let key = |s: &Stamp| (s.date, s.instant());
        for a in &stamps {
            for b in &stamps {
                assert_eq!(a.cmp(b), key(a).cmp(&key(b)), "{a:?} {b:?}");
                let after = match (a.instant(), b.instant()) {
                    (Some(x), Some(y)) => x > y,
                    _ => a.date > b.date,
                };
                assert_eq!(a.is_after(b), after, "{a:?} {b:?}");
            }
        }
        assert_eq!(std::mem::size_of::<Option<Stamp>>(), 12);
    }

    #[test]
    fn plain_iso_texts_read_as_the_general_reader_reads_them() {
        let days = [
            "2026-11-20",
            "1970-01-01",
            "2200-12-31",
            "2026-02-30",
            "1969-12-31",
            "2201-01-01",
            "2026-1-20",
            "2026/11/20",
            "20261120xx",
            "2026-11-2x",
        ];
        let clocks = [
            "00:00:00", "12:34:56", "23:59:59", "24:00:00", "23:60:00", "23:59:60", "9:00:00",
            "1a:00:00", "12:34",
        ];
        let zones = [
            "Z", "z", "+00:00", "-07:00", "+05:30", "+14:00", "-23:59", "+24:00", "-07:60",
            "+0700", "-07", "+7:00", "", " Z", "Zz",
        ];
        let mut texts: Vec<String> = days.iter().map(|d| d.to_string()).collect();
        for day in days {
            for sep in ["T", "t", " "] {
                for clock in clocks {
                    texts.extend(zones.iter().map(|zone| format!("{day}{sep}{clock}{zone}")));
                }
            }
        }
        for text in &texts {
            assert!(plain_iso_agrees(text), "{text}");
        }
        let plain = texts
            .iter()
            .filter(|t| parse_plain_iso(t).is_some())
            .count();
        // Three good days, alone or with two `T`s, three good clocks and
        // seven good zones.
        assert_eq!(plain, 3 + 3 * 2 * 3 * 7);
    }

    #[test]
    fn odd_inputs_never_panic() {
        let pieces = [
            "",
            " ",
            "-",
            "/",
            ".",
            ":",
            "T",
            "Z",
            "+",
            "2024",
            "01",
            "15",
            "13",
            "99999999999",
            "4294967296",
            "18446744073709551616",
            "Jul",
            "PST",
            "AM",
            "é",
            "日本",
            "🙂",
            "\u{0}",
            "\u{200b}",
            ",",
            "+99:99",
            "-0800",
            "25:61:00",
            ".123456789123",
        ];
        let mut count = 0;
        for a in pieces {
            for b in pieces {
                for c in pieces {
                    let text = format!("{a}{b}{c}");
                    for style in [None, US, UK, JP] {
                        let _ = parse_stamp(&text, style);
                        let _ = parse_stamp(&format!("2024-01-15T{text}"), style);
                        let _ = parse_stamp(&format!("1/13/17 {text}"), style);
                        count += 1;
                    }
                }
            }
        }
        assert!(count > 0);
        for text in [
            "99999999999-01-01",
            "2024-99999999999-01",
            "2024-01-15T25:61:00",
            "2024-01-15T10:00:00+99:99",
            "2024-01-15T99999999999:00",
            "2024-01-15T10:00:00.99999999999999999999999+",
            "99999999999/99999999999/99999999999",
            "1/1/99999999999",
            "Jul 99999999999, 2025",
            "10-Jul-99999999999",
            "2024-01-15 10:00:00 ABCDEFGHIJKLMNOPQRSTUVWXYZ",
            "２０２４-０１-１５",
            "2024\u{2010}01\u{2010}15",
            "日本 2024-01-15",
            "2024-01-15 日本",
            "\u{0}2024-01-15",
            "9999-12-31T23:59:59-23:59",
        ] {
            for style in [None, US, UK, JP] {
                let e = parse_stamp(text, style);
                assert!(e.is_err(), "{text:?} should not parse: {e:?}");
                assert!(!e.unwrap_err().to_string().is_empty());
            }
        }
    }
}
