//! The csv parser under a [`Table`](super::table::Table): the line each
//! record starts on, as an editor counts lines, and what to do when a stray
//! quote runs one record on over lines that are rows of their own: count
//! that record as one skipped row and read the lines after its first again,
//! from the text, as rows.

use super::decode;
use super::table::InputReport;
use crate::i18n::plural;
use anyhow::{Context, Result, bail};
use std::collections::VecDeque;
use std::io::{self, Cursor, Read, Seek, SeekFrom};
use std::path::PathBuf;
use std::sync::Arc;

/// The decoded text of a table, as the parser reads it.
type Text = Box<dyn Read + Send>;

/// The csv parser over a table's text.
type Parser = csv::Reader<LineCounter<Text>>;

/// Where a table's text can be read again from an offset, to read again
/// the lines a stray quote ran a record on over.
pub(crate) enum TextSource {
    /// A UTF-8 file on disk: its text offsets are its byte offsets after a
    /// byte-order mark of `bom` bytes, so it is opened again at the offset.
    Plain { path: PathBuf, bom: u64 },
    /// A compressed or transcoded file, decoded again from its start.
    Decoded { path: PathBuf, japanese_hint: bool },
    /// An export held in memory.
    Bytes {
        bytes: Arc<[u8]>,
        japanese_hint: bool,
    },
}

impl TextSource {
    /// The text from `offset` on.
    pub fn open_at(&self, offset: u64) -> Result<Text> {
        match self {
            TextSource::Plain { path, bom } => {
                let mut file = std::fs::File::open(path)
                    .with_context(|| format!("could not open {} again", path.display()))?;
                file.seek(SeekFrom::Start(bom + offset))?;
                Ok(Box::new(file))
            }
            TextSource::Decoded {
                path,
                japanese_hint,
            } => skip_text(decode::open_text(path, *japanese_hint)?.reader, offset),
            TextSource::Bytes {
                bytes,
                japanese_hint,
            } => {
                let source = Box::new(Cursor::new(Arc::clone(bytes)));
                skip_text(decode::open_reader(source, *japanese_hint).reader, offset)
            }
        }
    }

    /// Whether reading again from an offset is a seek, not a decode of
    /// everything before it.
    fn seeks(&self) -> bool {
        matches!(self, TextSource::Plain { .. })
    }
}

/// `text` after its first `offset` bytes.
fn skip_text(mut text: Text, offset: u64) -> Result<Text> {
    let skipped = io::copy(&mut (&mut text).take(offset), &mut io::sink())?;
    if skipped < offset {
        bail!("the file got shorter while it was read");
    }
    Ok(text)
}

/// The parser settings a record stream is built with, again when it
/// starts over mid-text.
#[derive(Clone, Copy)]
pub(crate) struct Dialect {
    pub delimiter: u8,
    pub quoting: bool,
}

impl Dialect {
    fn parser(self, counter: LineCounter<Text>, has_headers: bool) -> Parser {
        csv::ReaderBuilder::new()
            .delimiter(self.delimiter)
            .quoting(self.quoting)
            .flexible(true)
            .has_headers(has_headers)
            .from_reader(counter)
    }
}

/// A record read, located.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Located {
    /// The 1-based line the record starts on.
    pub line: u64,
    /// Whether the text ends inside the record, with no line end after it.
    pub ends_text: bool,
}

/// The records of a table's text, each with its line.
pub(crate) struct RecordStream {
    parser: Parser,
    dialect: Dialect,
    source: TextSource,
    /// The text offset, in `source`, that offset 0 of this stream is: a
    /// chunk read apart starts mid-file. Offsets below count from here.
    origin: u64,
    /// The offset the parser started at; its own positions count from here.
    base: u64,
}

impl RecordStream {
    /// Records of `text`, which is `source`'s text from `origin` on.
    pub fn new(
        text: Text,
        source: TextSource,
        origin: u64,
        dialect: Dialect,
        has_headers: bool,
    ) -> RecordStream {
        RecordStream {
            parser: dialect.parser(LineCounter::new(text), has_headers),
            dialect,
            source,
            origin,
            base: 0,
        }
    }

    /// Records of a plain UTF-8 file from text offset `origin` on, without
    /// a header: a chunk of the file read apart.
    pub fn plain_from(path: PathBuf, bom: u64, origin: u64, dialect: Dialect) -> Result<Self> {
        let source = TextSource::Plain { path, bom };
        let text = source.open_at(origin)?;
        Ok(RecordStream::new(text, source, origin, dialect, false))
    }

    /// The header record, read first.
    pub fn headers(&mut self) -> csv::Result<csv::ByteRecord> {
        self.parser.byte_headers().cloned()
    }

    /// Where the text comes from.
    pub fn source(&self) -> &TextSource {
        &self.source
    }

    /// The offset the parser has read to.
    pub fn position(&self) -> u64 {
        self.base + self.parser.position().byte()
    }

    /// Line ends before offset `end` among those read so far.
    pub fn line_ends_before(&mut self, end: u64) -> u64 {
        self.parser.get_mut().line_ends_before(end)
    }

    fn counter(&self) -> &LineCounter<Text> {
        self.parser.get_ref()
    }

    /// Whether the record read last ended with the text itself.
    fn at_text_end(&self) -> bool {
        let counter = self.counter();
        counter.ended && self.position() == counter.offset
    }

    /// Reads the next record and its line; `None` at the end of the text.
    /// A record a stray quote ran on over lines of their own (see
    /// [`RecordStream::run_on`]) is counted as a skipped row and located,
    /// and the lines after its first are read again as rows. An unreadable
    /// record is counted, located and passed over.
    pub fn next_record(
        &mut self,
        record: &mut csv::ByteRecord,
        header_len: usize,
        report: &mut InputReport,
    ) -> Result<Option<Located>> {
        loop {
            match self.parser.read_byte_record(record) {
                Ok(false) => return Ok(None),
                Ok(true) => {
                    let start = self.base + record.position().map_or(0, |p| p.byte());
                    let line = self.parser.get_mut().line_at(start);
                    let ends_text = self.at_text_end();
                    // Nearly every record has the header's fields and text
                    // after it; only the others are looked at more closely.
                    if (record.len() != header_len || ends_text)
                        && self.passed_over_run_on(record.len(), start, line, header_len, report)?
                    {
                        continue;
                    }
                    return Ok(Some(Located { line, ends_text }));
                }
                Err(err) => {
                    let at = err.position().map(|p| self.base + p.byte());
                    let line = at.map(|at| self.parser.get_mut().line_at(at));
                    if let csv::ErrorKind::Io(io) = err.kind() {
                        bail!(
                            "{}{}: could not read the file: {io}",
                            report.file,
                            line.map(|l| format!(":{l}")).unwrap_or_default()
                        );
                    }
                    report.skipped += 1;
                    report.problem(line, format!("unreadable row: {err}"));
                }
            }
        }
    }

    /// When the record just read, which starts at `start` on `line`, is a
    /// run-on (see [`RecordStream::run_on`]): counts it as a skipped row,
    /// locates it, and goes back to read the lines after its first.
    #[cold]
    fn passed_over_run_on(
        &mut self,
        fields: usize,
        start: u64,
        line: u64,
        header_len: usize,
        report: &mut InputReport,
    ) -> Result<bool> {
        let Some(run) = self.run_on(fields, start, header_len)? else {
            return Ok(false);
        };
        report.rows += 1;
        report.skipped += 1;
        report.problem(Some(line), run.message(fields, header_len));
        self.start_over(run.resume, line)?;
        Ok(true)
    }

    /// Whether a stray quote ran the record just read, which starts at
    /// `start`, on over lines that are rows of their own.
    ///
    /// A line end inside a record can only stand in a quoted field. A
    /// message body quoted over several lines is such a field, and its
    /// record still has the header's fields, as every row of a well-made
    /// export does. A quote that opens a field and is never meant to (`"UPS`,
    /// `"Thanks for your order`) makes the parser read every line up to the
    /// next quote as that field, and the record then has the fields before
    /// that quote plus those after the one that closes it: the header's
    /// count only by chance. So a record over several lines is a run-on
    /// when its fields number other than the header's, or when the text
    /// ends inside its quotes (a quote never closed).
    ///
    /// What this cannot tell: a stray quote closed by the opening quote of
    /// the same column some lines on leaves the count right, like a long
    /// quoted value. And an export whose rows leave out their empty
    /// trailing fields and quote values over several lines has its short
    /// quoted rows taken for run-ons, each located, none lost in silence;
    /// the exports of Seller Central and of spreadsheets write every field.
    /// Both are judged from the record alone, so a chunk of a file read
    /// apart judges each record as one reader of the whole file does. A
    /// quote that ends the file open on its own line loses no line: that
    /// row is cut short, and `RowShape` says so.
    fn run_on(&mut self, fields: usize, start: u64, header_len: usize) -> Result<Option<RunOn>> {
        // The record's own line end, if it has one, is its last byte read
        // (the `\n` of a `\r\n` comes after): those before it are inside.
        let inside_before = self.position().saturating_sub(1);
        let Some((first_end, inner_ends)) = self.counter().line_ends_inside(inside_before) else {
            return Ok(None);
        };
        let fields_disagree = fields != header_len;
        let never_closed = self.at_text_end() && self.ends_inside_quotes(start)?;
        if !fields_disagree && !never_closed {
            return Ok(None);
        }
        Ok(Some(RunOn {
            lines: inner_ends,
            resume: first_end + 1,
            never_closed,
        }))
    }

    /// Whether the text from `start` to its end leaves a quoted field open.
    /// Asked only of a record over several lines that ends the text.
    fn ends_inside_quotes(&mut self, start: u64) -> Result<bool> {
        let mut scan = QuoteScan::new(self.dialect.delimiter);
        if let Some(kept) = self.counter().kept_from(start) {
            scan.feed(kept);
            return Ok(scan.in_quotes());
        }
        let mut text = self.source.open_at(self.origin + start)?;
        let mut buf = vec![0u8; 1 << 16];
        loop {
            let n = text.read(&mut buf)?;
            if n == 0 {
                return Ok(scan.in_quotes());
            }
            scan.feed(&buf[..n]);
        }
    }

    /// Reads on from offset `resume`, the start of the line after `line`.
    /// The text is read again from what the counter kept, or else from the
    /// source. A source read again only by decoding it from its start is
    /// decoded so once: from then on the counter keeps what it reads, for
    /// the next time.
    fn start_over(&mut self, resume: u64, line: u64) -> Result<()> {
        let placeholder = self
            .dialect
            .parser(LineCounter::new(Box::new(io::empty())), false);
        let mut counter = std::mem::replace(&mut self.parser, placeholder).into_inner();
        if !counter.rewind(resume, line) {
            let text = self.source.open_at(self.origin + resume)?;
            counter = LineCounter::resuming(text, resume, line, !self.source.seeks());
        }
        self.parser = self.dialect.parser(counter, false);
        self.base = resume;
        Ok(())
    }
}

/// A record a stray quote ran on: see [`RecordStream::run_on`].
struct RunOn {
    /// Line ends inside the record.
    lines: u64,
    /// Where the line after its first starts.
    resume: u64,
    never_closed: bool,
}

impl RunOn {
    /// Says what happened relative to the record's own line: a chunk of a
    /// file read apart knows its lines only from the chunk's start, and
    /// the problem's line is made the file's line when the chunks join.
    fn message(&self, fields: usize, header_len: usize) -> String {
        let lines = plural(self.lines, "line", "lines");
        let how = if self.never_closed {
            format!("is never closed, so the {lines} after it were read as part of it")
        } else {
            format!(
                "is only closed {lines} further down, so those lines were read as part of it \
                 ({}, the header has {header_len})",
                plural(fields as u64, "field", "fields")
            )
        };
        format!(
            "a quote opened in this row {how}; row skipped, those lines read again as rows. \
             Double the quote (\"\") if it is part of the value, else remove it"
        )
    }
}

/// Follows quoting as the csv parser does (a quote opens a field only at
/// its start; `""` inside quotes is a quote), to tell whether a text ends
/// inside quotes.
struct QuoteScan {
    delimiter: u8,
    state: ScanState,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum ScanState {
    FieldStart,
    Unquoted,
    Quoted,
    /// A quote inside quotes: the end of them, or the first of `""`.
    QuoteInQuoted,
}

impl QuoteScan {
    fn new(delimiter: u8) -> QuoteScan {
        QuoteScan {
            delimiter,
            state: ScanState::FieldStart,
        }
    }

    fn feed(&mut self, text: &[u8]) {
        use ScanState::*;
        for &byte in text {
            let ends_field = byte == self.delimiter || byte == b'\n' || byte == b'\r';
            self.state = match (self.state, byte) {
                (Quoted, b'"') => QuoteInQuoted,
                (Quoted, _) => Quoted,
                (QuoteInQuoted, b'"') => Quoted,
                (FieldStart, b'"') => Quoted,
                (_, _) if ends_field => FieldStart,
                (_, _) => Unquoted,
            };
        }
    }

    fn in_quotes(&self) -> bool {
        self.state == ScanState::Quoted
    }
}

/// Counts line ends as the csv parser reads, so a record's line can be told
/// from its starting byte. A line ends at `\n`, `\r\n` or a lone `\r` (the
/// "CSV (Macintosh)" of Excel), as the parser ends records. The csv crate's
/// own line numbers count `\n` only, and start a record where the previous
/// one's terminator began, which is a line early after a CRLF or a blank
/// line; counting here gives the line a person sees.
pub(crate) struct LineCounter<R> {
    inner: R,
    /// Offset of the next byte handed to the parser.
    offset: u64,
    /// Line ends not yet passed, each at its last byte (the `\n` of a
    /// `\r\n`), with whether it is a `\r\n`.
    line_ends: VecDeque<(u64, bool)>,
    /// Line ends before the first of `line_ends`.
    passed: u64,
    /// A `\r` that ended the text read so far: alone, or the start of a
    /// `\r\n` whose `\n` is in the next read.
    pending_cr: Option<u64>,
    /// Set once `inner` has nothing more to read.
    ended: bool,
    /// Where the record found last starts: text before it is not needed.
    record_start: u64,
    /// The text from `kept_start` on, kept when reading it again from the
    /// source would mean decoding the file again from its start.
    kept: Option<Vec<u8>>,
    kept_start: u64,
    /// Text read again before `inner` goes on, after a [`LineCounter::rewind`].
    replay: Vec<u8>,
    replayed: usize,
}

impl<R: Read> LineCounter<R> {
    pub fn new(inner: R) -> Self {
        LineCounter::resuming(inner, 0, 0, false)
    }

    /// A counter for `inner`, the text from `offset` on, with `lines_before`
    /// lines ended before it; `keep` keeps what it reads.
    fn resuming(inner: R, offset: u64, lines_before: u64, keep: bool) -> Self {
        LineCounter {
            inner,
            offset,
            line_ends: VecDeque::new(),
            passed: lines_before,
            pending_cr: None,
            ended: false,
            record_start: offset,
            kept: keep.then(Vec::new),
            kept_start: offset,
            replay: Vec::new(),
            replayed: 0,
        }
    }

    /// The 1-based line of the record the parser started at byte `start`:
    /// line ends before `start`, plus the blank line ends the parser skipped
    /// between `start` and the record's first byte.
    pub fn line_at(&mut self, start: u64) -> u64 {
        self.record_start = start;
        while self.line_ends.front().is_some_and(|&(at, _)| at < start) {
            self.line_ends.pop_front();
            self.passed += 1;
        }
        let mut expected = start;
        while let Some(&(at, crlf)) = self.line_ends.front() {
            if at == expected || (crlf && at == expected + 1) {
                self.line_ends.pop_front();
                self.passed += 1;
                expected = at + 1;
            } else {
                break;
            }
        }
        self.passed + 1
    }

    /// The line ends before `end` not yet passed: the first one's offset
    /// and how many there are.
    fn line_ends_inside(&self, end: u64) -> Option<(u64, u64)> {
        let &(first, _) = self.line_ends.front().filter(|&&(at, _)| at < end)?;
        let count = self
            .line_ends
            .iter()
            .take_while(|&&(at, _)| at < end)
            .count();
        Some((first, count as u64))
    }

    /// The kept text from `offset` on, when it was kept.
    fn kept_from(&self, offset: u64) -> Option<&[u8]> {
        let kept = self.kept.as_ref()?;
        let skip = usize::try_from(offset.checked_sub(self.kept_start)?).ok()?;
        kept.get(skip..)
    }

    /// Goes back to `offset`, the start of a line with `lines_before` lines
    /// before it, when the text from there was kept.
    fn rewind(&mut self, offset: u64, lines_before: u64) -> bool {
        let Some(mut replay) = self.kept_from(offset).map(<[u8]>::to_vec) else {
            return false;
        };
        replay.extend_from_slice(&self.replay[self.replayed..]);
        self.replay = replay;
        self.replayed = 0;
        self.kept = Some(Vec::new());
        self.kept_start = offset;
        self.offset = offset;
        self.line_ends.clear();
        self.passed = lines_before;
        self.pending_cr = None;
        self.ended = false;
        self.record_start = offset;
        true
    }

    /// Notes the line ends of `text`, the bytes from `self.offset` on.
    fn note_line_ends(&mut self, text: &[u8]) {
        for i in memchr::memchr2_iter(b'\n', b'\r', text) {
            let at = self.offset + i as u64;
            let crlf = text[i] == b'\n' && self.pending_cr.is_some_and(|cr| cr + 1 == at);
            // A `\r` not followed by `\n` ended a line of its own.
            if let Some(cr) = self.pending_cr.take()
                && !crlf
            {
                self.line_ends.push_back((cr, false));
            }
            if text[i] == b'\n' {
                self.line_ends.push_back((at, crlf));
            } else {
                self.pending_cr = Some(at);
            }
        }
        let end = self.offset + text.len() as u64;
        if let Some(cr) = self.pending_cr
            && cr + 1 < end
        {
            self.line_ends.push_back((cr, false));
            self.pending_cr = None;
        }
    }
}

impl<R> LineCounter<R> {
    /// Line ends before byte `end` among those read so far.
    pub fn line_ends_before(&mut self, end: u64) -> u64 {
        while self.line_ends.front().is_some_and(|&(at, _)| at < end) {
            self.line_ends.pop_front();
            self.passed += 1;
        }
        self.passed
    }
}

impl<R: Read> Read for LineCounter<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = if self.replayed < self.replay.len() {
            let again = &self.replay[self.replayed..];
            let n = again.len().min(buf.len());
            buf[..n].copy_from_slice(&again[..n]);
            self.replayed += n;
            n
        } else {
            self.inner.read(buf)?
        };
        if n == 0 {
            self.ended = true;
            if let Some(cr) = self.pending_cr.take() {
                self.line_ends.push_back((cr, false));
            }
            return Ok(0);
        }
        let text = &buf[..n];
        self.note_line_ends(text);
        if let Some(kept) = &mut self.kept {
            let done = usize::try_from(self.record_start.saturating_sub(self.kept_start))
                .unwrap_or(usize::MAX)
                .min(kept.len());
            kept.drain(..done);
            self.kept_start += done as u64;
            kept.extend_from_slice(text);
        }
        self.offset += n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader handing out one byte a read, so every line end falls
    /// across a read boundary somewhere.
    struct ByteByByte(Vec<u8>, usize);

    impl Read for ByteByByte {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            match (self.0.get(self.1), buf.first_mut()) {
                (Some(&byte), Some(slot)) => {
                    *slot = byte;
                    self.1 += 1;
                    Ok(1)
                }
                _ => Ok(0),
            }
        }
    }

    /// Reads `data` through the counter and returns each record's first
    /// field with its line.
    fn lines_of(data: &str, byte_by_byte: bool) -> Vec<(String, u64)> {
        let bytes = data.as_bytes().to_vec();
        let text: Text = if byte_by_byte {
            Box::new(ByteByByte(bytes, 0))
        } else {
            Box::new(Cursor::new(bytes))
        };
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(LineCounter::new(text));
        let mut record = csv::ByteRecord::new();
        let mut out = Vec::new();
        while reader.read_byte_record(&mut record).unwrap() {
            let start = record.position().unwrap().byte();
            let line = reader.get_mut().line_at(start);
            out.push((String::from_utf8_lossy(&record[0]).into_owned(), line));
        }
        out
    }

    fn firsts(expected: &[(&str, u64)]) -> Vec<(String, u64)> {
        expected.iter().map(|&(f, l)| (f.to_string(), l)).collect()
    }

    #[test]
    fn lines_are_the_lines_a_person_sees() {
        let expected = firsts(&[("x", 2), ("y", 3), ("z", 5), ("w", 7)]);
        for byte_by_byte in [false, true] {
            let of = |data| lines_of(data, byte_by_byte);
            assert_eq!(of("a,b\nx,1\ny,2\n\nz,\"3\n4\"\nw,5\n"), expected);
            assert_eq!(
                of("a,b\r\nx,1\r\ny,2\r\n\r\nz,\"3\r\n4\"\r\nw,5\r\n"),
                expected
            );
            // Excel's "CSV (Macintosh)": a lone `\r` ends every line.
            assert_eq!(of("a,b\rx,1\ry,2\r\rz,\"3\r4\"\rw,5\r"), expected);
            assert_eq!(
                of("a,b\r\nx,1\ny,2\r\n\n\r\nz,3\n"),
                firsts(&[("x", 2), ("y", 3), ("z", 6)])
            );
            // A lone `\r` among `\n` lines ends a line too.
            assert_eq!(
                of("a,b\nx,1\r\ny,2\rz,3\nw,4\r\r\nv,5"),
                firsts(&[("x", 2), ("y", 3), ("z", 4), ("w", 5), ("v", 7)])
            );
        }
    }

    #[test]
    fn the_quote_scan_follows_the_parser() {
        let open = |text: &str| {
            let mut scan = QuoteScan::new(b',');
            scan.feed(text.as_bytes());
            scan.in_quotes()
        };
        assert!(open("a,\"never closed\nb,c\n"));
        assert!(open("a,\"x\"\"\n"), "`\"\"` inside quotes is a quote");
        assert!(!open("a,\"closed\nover lines\",b\n"));
        assert!(!open("a,\"x\"\"\"\n"));
        assert!(!open("a,5\" screen\n"), "a quote inside a value is data");
        assert!(!open("a,\"\"\n"));
        assert!(open("\n\n\"x"));
    }
}
