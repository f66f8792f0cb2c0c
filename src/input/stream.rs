//! The csv reader under a [`Table`](super::table::Table): records, the
//! line each starts on, as an editor counts lines, and what to do when a
//! stray quote runs one record on over lines that are rows of their own:
//! count that record as one skipped row and read the lines after its first
//! again as rows.
//!
//! The reader keeps its own buffer of the text. Nearly every line of an
//! export is a record of its own, with no quote and no carriage return
//! inside it; such a line is cut at its delimiters where it lies in the
//! buffer, with no copy. Any other record (quoted values, values over
//! several lines, a lone `\r` ending a line) goes through the csv crate's
//! parser (`csv_core`), so the records are exactly the ones it reads, and
//! a record's own bytes stay in the buffer until it is judged: a run-on
//! record is read again from there. A record as long as the text (a quote
//! opened and never closed) is so held twice, as text and as fields.

use super::decode;
use super::table::InputReport;
use crate::i18n::plural;
use anyhow::{Context, Result};
use csv_core::ReadRecordResult;
use std::io::{self, Cursor, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The decoded text of a table, as the parser reads it.
type Text = Box<dyn Read + Send>;

/// Where a table's text can be read again: a hint about a header further
/// down reads it from its start, and a chunk of a plain file starts
/// mid-text.
pub(crate) enum TextSource {
    /// A UTF-8 file on disk: its text offsets are its byte offsets after a
    /// byte-order mark of `bom` bytes.
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
    /// The text from its start.
    pub fn open(&self) -> Result<Text> {
        match self {
            TextSource::Plain { path, bom } => open_plain(path, *bom),
            TextSource::Decoded {
                path,
                japanese_hint,
            } => Ok(decode::open_text(path, *japanese_hint)?.reader),
            TextSource::Bytes {
                bytes,
                japanese_hint,
            } => {
                let source = Box::new(Cursor::new(Arc::clone(bytes)));
                Ok(decode::open_reader(source, *japanese_hint).reader)
            }
        }
    }
}

/// A plain UTF-8 file's bytes from byte `at` on.
fn open_plain(path: &Path, at: u64) -> Result<Text> {
    let mut file = std::fs::File::open(path)
        .with_context(|| format!("could not open {} again", path.display()))?;
    file.seek(SeekFrom::Start(at))?;
    Ok(Box::new(file))
}

/// How a table's text is cut into fields.
#[derive(Clone, Copy)]
pub(crate) struct Dialect {
    pub delimiter: u8,
    pub quoting: bool,
}

impl Dialect {
    /// The parser for the records a plain line is not: with flexible field
    /// counts, and a line ending at `\n`, `\r\n` or a lone `\r`.
    fn parser(self) -> csv_core::Reader {
        csv_core::ReaderBuilder::new()
            .delimiter(self.delimiter)
            .quoting(self.quoting)
            .build()
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

/// The fields of the record read last, borrowed from the reader until it
/// reads the next one.
#[derive(Clone, Copy)]
pub(crate) struct Fields<'a> {
    /// The record's text: a line as it is in the file, or the parser's
    /// unquoted fields one after the other.
    pub text: &'a [u8],
    /// Where each field is in `text`, as `(start, end)`.
    pub bounds: &'a [(usize, usize)],
    /// Whether the fields are `text` cut at its delimiters, which are ASCII
    /// bytes: then each field is UTF-8 whenever the whole text is.
    pub cut_at_delimiters: bool,
}

impl<'a> Fields<'a> {
    pub fn len(&self) -> usize {
        self.bounds.len()
    }

    pub fn get(&self, index: usize) -> Option<&'a [u8]> {
        let &(start, end) = self.bounds.get(index)?;
        self.text.get(start..end)
    }

    pub fn iter(self) -> impl Iterator<Item = &'a [u8]> {
        (0..self.len()).filter_map(move |i| self.get(i))
    }
}

/// How much text the reader asks for at a time; a longer record grows it.
const BUFFER_BYTES: usize = 1 << 17;

/// A UTF-8 byte-order mark, which the csv parser drops from the start of
/// its text.
const BOM: &[u8] = b"\xef\xbb\xbf";

/// The records of a table's text, each with its line.
pub(crate) struct RecordStream {
    text: Text,
    source: TextSource,
    dialect: Dialect,
    parser: csv_core::Reader,
    /// Whether `parser` has been given any text: a fresh one drops a
    /// byte-order mark, which only the start of the text may have.
    parser_fed: bool,
    /// Whether a byte-order mark at the start of the text was looked for.
    bom_checked: bool,
    /// Text from stream offset `buf_at` on; `buf[..end]` has been read.
    buf: Vec<u8>,
    buf_at: u64,
    /// The next byte to read.
    pos: usize,
    end: usize,
    /// Set once `text` has nothing more to read.
    at_eof: bool,
    /// Line ends before `pos`, each counted at its last byte (the `\n` of
    /// a `\r\n`).
    lines: u64,
    /// The byte before `pos` is a `\r` not yet counted: a line end of its
    /// own unless a `\n` follows it.
    pending_cr: bool,
    /// The record read last: where its fields are, and, for one the parser
    /// read, its fields.
    bounds: Vec<(usize, usize)>,
    parsed: Vec<u8>,
    parsed_len: usize,
    parsed_ends: Vec<usize>,
}

/// Where the record read last is held.
enum Held {
    /// A line of the buffer, from `start`, `len` bytes.
    Line { start: usize, len: usize },
    /// The parser's fields.
    Parsed,
}

impl RecordStream {
    /// Records of `text`, which is `source`'s text from `origin` on. At
    /// the start of the text (`origin` 0), a byte-order mark is dropped.
    pub fn new(text: Text, source: TextSource, origin: u64, dialect: Dialect) -> RecordStream {
        RecordStream {
            text,
            source,
            dialect,
            parser: dialect.parser(),
            parser_fed: false,
            bom_checked: origin > 0,
            buf: vec![0; BUFFER_BYTES],
            buf_at: 0,
            pos: 0,
            end: 0,
            at_eof: false,
            lines: 0,
            pending_cr: false,
            bounds: Vec::new(),
            parsed: vec![0; 1 << 10],
            parsed_len: 0,
            parsed_ends: vec![0; 64],
        }
    }

    /// Records of a plain UTF-8 file from text offset `origin` on: a chunk
    /// of the file read apart.
    pub fn plain_from(path: PathBuf, bom: u64, origin: u64, dialect: Dialect) -> Result<Self> {
        let text = open_plain(&path, bom + origin)?;
        let source = TextSource::Plain { path, bom };
        Ok(RecordStream::new(text, source, origin, dialect))
    }

    /// The header: the first record, as it is.
    pub fn headers(&mut self) -> io::Result<csv::ByteRecord> {
        let mut header = csv::ByteRecord::new();
        if self.skip_line_ends()? {
            let record = self.read_record()?;
            self.fields(&record.held)
                .iter()
                .for_each(|f| header.push_field(f));
        }
        Ok(header)
    }

    /// Where the text comes from.
    pub fn source(&self) -> &TextSource {
        &self.source
    }

    /// The offset of the next byte to read: just past the record read last
    /// and its line end (the parser leaves the `\n` of a `\r\n` for later).
    pub fn position(&self) -> u64 {
        self.buf_at + self.pos as u64
    }

    /// Line ends before `stop`, an offset just past a `\n` at which the
    /// reader stands, or one byte short of it (a `\r` read, its `\n` not).
    pub fn lines_before(&self, stop: u64) -> u64 {
        if self.position() < stop {
            self.lines + 1
        } else {
            self.lines
        }
    }

    /// Line ends in all the text read, once it is read to its end.
    pub fn lines_read(&self) -> u64 {
        self.lines + u64::from(self.pending_cr)
    }

    /// Reads the next record and its line; `None` at the end of the text.
    /// A record a stray quote ran on over lines of their own (see
    /// [`RecordStream::run_on`]) is counted as a skipped row and located,
    /// and the lines after its first are read again as rows.
    pub fn next_record(
        &mut self,
        header_len: usize,
        report: &mut InputReport,
    ) -> Result<Option<(Located, Fields<'_>)>> {
        let (at, held) = loop {
            let more = self
                .skip_line_ends()
                .map_err(|e| self.unreadable(e, report))?;
            if !more {
                return Ok(None);
            }
            let line = self.lines + 1;
            let record = self.read_record().map_err(|e| self.unreadable(e, report))?;
            let at = Located {
                line,
                ends_text: record.ends_text,
            };
            // Only a record the parser read over several lines can be a
            // run-on; a plain line is a record of its own.
            if let Some(run) = self.run_on(&record, header_len) {
                report.rows += 1;
                report.skipped += 1;
                report.problem(Some(line), run.message(record.fields, header_len));
                self.resume(run.resume, line);
                continue;
            }
            break (at, record.held);
        };
        Ok(Some((at, self.fields(&held))))
    }

    /// A failed read (a cut-off gzip stream, a disk error), located at the
    /// line being read: it stops the audit, as no row after it can be read.
    fn unreadable(&self, err: io::Error, report: &InputReport) -> anyhow::Error {
        anyhow::anyhow!(
            "{}:{}: could not read the file: {err}",
            report.file,
            self.lines + 1
        )
    }

    fn fields(&self, held: &Held) -> Fields<'_> {
        let (text, cut_at_delimiters) = match *held {
            Held::Line { start, len } => (&self.buf[start..start + len], true),
            Held::Parsed => (&self.parsed[..self.parsed_len], false),
        };
        Fields {
            text,
            bounds: &self.bounds,
            cut_at_delimiters,
        }
    }

    /// Passes over line ends (blank lines are no records, as the parser
    /// has it), counting them; `false` at the end of the text.
    #[inline]
    fn skip_line_ends(&mut self) -> io::Result<bool> {
        // Nearly every record begins right where the last one ended.
        let at_record = self.pos < self.end && !matches!(self.buf[self.pos], b'\n' | b'\r');
        if at_record && self.bom_checked && !self.pending_cr {
            return Ok(true);
        }
        self.skip_line_ends_slowly()
    }

    /// [`RecordStream::skip_line_ends`] where there is something to skip,
    /// or to read first.
    #[inline(never)]
    fn skip_line_ends_slowly(&mut self) -> io::Result<bool> {
        if !self.bom_checked {
            self.drop_bom()?;
        }
        loop {
            if self.pos == self.end && !self.fill(self.pos)? {
                self.lines += u64::from(std::mem::take(&mut self.pending_cr));
                return Ok(false);
            }
            let byte = self.buf[self.pos];
            if std::mem::take(&mut self.pending_cr) && byte != b'\n' {
                self.lines += 1;
            }
            match byte {
                b'\n' => self.lines += 1,
                b'\r' => self.pending_cr = true,
                _ => return Ok(true),
            }
            self.pos += 1;
        }
    }

    /// Drops a byte-order mark at the start of the text, as the csv parser
    /// does: a text decoded from a file with one has it already dropped,
    /// so this is a second one.
    fn drop_bom(&mut self) -> io::Result<()> {
        while self.end - self.pos < BOM.len() && self.fill(self.pos)? {}
        if self.buf[self.pos..self.end].starts_with(BOM) {
            self.pos += BOM.len();
        }
        self.bom_checked = true;
        Ok(())
    }

    /// Reads the record at `pos`, which starts with no line end.
    fn read_record(&mut self) -> io::Result<RecordRead> {
        if let Some(record) = self.read_plain_line()? {
            return Ok(record);
        }
        self.read_parsed()
    }

    /// Reads the line at `pos` when it is a record of its own as it stands:
    /// no quote in it (where quotes are read) and no `\r` but the one of a
    /// `\r\n` ending it. `None`, with nothing read, for any other.
    fn read_plain_line(&mut self) -> io::Result<Option<RecordRead>> {
        let mut scanned = 0;
        let (len, ended) = loop {
            let rest = &self.buf[self.pos + scanned..self.end];
            if let Some(i) = memchr::memchr(b'\n', rest) {
                break (scanned + i, true);
            }
            scanned = self.end - self.pos;
            if !self.fill(self.pos)? {
                break (scanned, false);
            }
        };
        let start = self.pos;
        let mut line = &self.buf[start..start + len];
        if ended && let Some(before_lf) = line.strip_suffix(b"\r") {
            line = before_lf;
        }
        let special = if self.dialect.quoting {
            memchr::memchr2(b'"', b'\r', line)
        } else {
            memchr::memchr(b'\r', line)
        };
        if special.is_some() {
            return Ok(None);
        }
        self.bounds.clear();
        cut_fields(line, self.dialect.delimiter, &mut self.bounds);
        let fields = self.bounds.len();
        let held = Held::Line {
            start,
            len: line.len(),
        };
        self.pos = start + len + usize::from(ended);
        self.lines += u64::from(ended);
        Ok(Some(RecordRead {
            held,
            fields,
            ends_text: !ended,
            start: self.buf_at + start as u64,
            inner: None,
        }))
    }

    /// Reads the record at `pos` with the csv parser, keeping its text in
    /// the buffer until the next record is read.
    fn read_parsed(&mut self) -> io::Result<RecordRead> {
        let mut start = self.pos;
        let (mut out, mut ends) = (0, 0);
        let ends_text = loop {
            let mut input = &self.buf[self.pos..self.end];
            if !self.parser_fed && input.starts_with(BOM) {
                // A fresh parser drops a byte-order mark; one that is not
                // at the start of the text is part of a value.
                input = &input[..1];
            }
            let at_text_end = input.is_empty();
            let (result, read, written, ended) = self.parser.read_record(
                input,
                &mut self.parsed[out..],
                &mut self.parsed_ends[ends..],
            );
            self.parser_fed = true;
            self.pos += read;
            out += written;
            ends += ended;
            match result {
                ReadRecordResult::Record => break at_text_end,
                // Only the end of the text ends the text's last record.
                ReadRecordResult::End => break true,
                ReadRecordResult::OutputFull => {
                    let grown = self.parsed.len() * 2;
                    self.parsed.resize(grown, 0);
                }
                ReadRecordResult::OutputEndsFull => {
                    let grown = self.parsed_ends.len() * 2;
                    self.parsed_ends.resize(grown, 0);
                }
                ReadRecordResult::InputEmpty => {
                    if self.pos == self.end {
                        let before = self.buf_at;
                        self.fill(start)?;
                        start -= (self.buf_at - before) as usize;
                    }
                }
            }
        };
        self.bounds.clear();
        let mut field_start = 0;
        for &field_end in &self.parsed_ends[..ends] {
            self.bounds.push((field_start, field_end));
            field_start = field_end;
        }
        self.parsed_len = out;
        let inner = self.count_line_ends(start);
        Ok(RecordRead {
            held: Held::Parsed,
            fields: ends,
            ends_text,
            start: self.buf_at + start as u64,
            inner,
        })
    }

    /// Counts the line ends of the record the parser read from `start` to
    /// `pos`: those inside it, and the one that ends it (a `\r` last read
    /// waits for what follows it). Returns the first inside, and how many.
    fn count_line_ends(&mut self, start: usize) -> Option<InnerEnds> {
        let text = &self.buf[start..self.pos];
        let last = text.len().checked_sub(1)?;
        let mut inner: Option<InnerEnds> = None;
        for at in memchr::memchr2_iter(b'\n', b'\r', text) {
            if text[at] == b'\r' && text.get(at + 1) == Some(&b'\n') {
                continue; // counted at its `\n`
            }
            if at == last {
                // The record's own line end, or the text's last: no line
                // of the text comes after it.
                if text[at] == b'\r' {
                    self.pending_cr = true;
                } else {
                    self.lines += 1;
                }
                continue;
            }
            self.lines += 1;
            let first = self.buf_at + (start + at) as u64;
            let ends = inner.get_or_insert(InnerEnds { first, count: 0 });
            ends.count += 1;
        }
        inner
    }

    /// Whether a stray quote ran the record just read on over lines that
    /// are rows of their own.
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
    fn run_on(&self, record: &RecordRead, header_len: usize) -> Option<RunOn> {
        let inner = record.inner?;
        let fields_disagree = record.fields != header_len;
        let never_closed = record.ends_text && self.ends_inside_quotes(record.start);
        if !fields_disagree && !never_closed {
            return None;
        }
        Some(RunOn {
            lines: inner.count,
            resume: inner.first + 1,
            never_closed,
        })
    }

    /// Whether the text from `start` (still in the buffer) to the end
    /// leaves a quoted field open.
    fn ends_inside_quotes(&self, start: u64) -> bool {
        let mut scan = QuoteScan::new(self.dialect.delimiter);
        let from = (start - self.buf_at) as usize;
        scan.feed(&self.buf[from..self.end]);
        scan.in_quotes()
    }

    /// Reads on from offset `resume`, still in the buffer: the start of the
    /// line after `line`, whose record was a run-on.
    fn resume(&mut self, resume: u64, line: u64) {
        self.pos = (resume - self.buf_at) as usize;
        self.lines = line;
        self.pending_cr = false;
        self.parser = self.dialect.parser();
        self.parser_fed = true;
    }

    /// Reads more text after `end`, keeping the buffer from `keep` on (the
    /// rest is read and done with). `false` when the text has ended.
    fn fill(&mut self, keep: usize) -> io::Result<bool> {
        if self.at_eof {
            return Ok(false);
        }
        if keep > 0 {
            self.buf.copy_within(keep..self.end, 0);
            self.pos -= keep;
            self.end -= keep;
            self.buf_at += keep as u64;
        }
        if self.end == self.buf.len() {
            self.buf.resize(self.buf.len() * 2, 0);
        }
        loop {
            match self.text.read(&mut self.buf[self.end..]) {
                Ok(0) => {
                    self.at_eof = true;
                    return Ok(false);
                }
                Ok(n) => {
                    self.end += n;
                    return Ok(true);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }
}

/// Adds where each field of `line` starts and ends, cut at every
/// `delimiter`. A line has a delimiter every few bytes, so it is looked at
/// eight bytes at a time, each word once, rather than searched field by
/// field.
fn cut_fields(line: &[u8], delimiter: u8, bounds: &mut Vec<(usize, usize)>) {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let pattern = u64::from_ne_bytes([delimiter; 8]);
    let mut field_start = 0;
    let mut cut_at = |at: usize, bounds: &mut Vec<(usize, usize)>| {
        bounds.push((field_start, at));
        field_start = at + 1;
    };
    let (words, tail_bytes) = line.as_chunks::<8>();
    for (word_index, &word) in words.iter().enumerate() {
        // Bytes equal to the delimiter are zero here; the high bit of each
        // zero byte, and of no other, ends up set (no carry crosses bytes).
        let x = u64::from_le_bytes(word) ^ pattern;
        let mut found = !(((x & LOW7) + LOW7) | x | LOW7);
        while found != 0 {
            cut_at(word_index * 8 + found.trailing_zeros() as usize / 8, bounds);
            found &= found - 1;
        }
    }
    let tail = line.len() - tail_bytes.len();
    for (i, &byte) in tail_bytes.iter().enumerate() {
        if byte == delimiter {
            cut_at(tail + i, bounds);
        }
    }
    bounds.push((field_start, line.len()));
}

/// One record as read, before it is judged.
struct RecordRead {
    held: Held,
    fields: usize,
    ends_text: bool,
    /// The stream offset of its first byte.
    start: u64,
    /// The line ends inside it, for a record the parser read over lines.
    inner: Option<InnerEnds>,
}

/// Line ends inside a record: the offset of the first (its last byte), and
/// how many.
#[derive(Clone, Copy)]
struct InnerEnds {
    first: u64,
    count: u64,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::xorshift;

    /// A reader handing out one byte a read, so every line end and every
    /// record falls across a read boundary somewhere.
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

    const CSV: Dialect = Dialect {
        delimiter: b',',
        quoting: true,
    };

    /// A stream over `data`, read whole or a byte at a time, with a buffer
    /// of `buffer` bytes to start with, so records outgrow it.
    fn stream(data: &[u8], dialect: Dialect, byte_by_byte: bool, buffer: usize) -> RecordStream {
        let text: Text = if byte_by_byte {
            Box::new(ByteByByte(data.to_vec(), 0))
        } else {
            Box::new(Cursor::new(data.to_vec()))
        };
        let source = TextSource::Bytes {
            bytes: Arc::from(data),
            japanese_hint: false,
        };
        let mut stream = RecordStream::new(text, source, 0, dialect);
        stream.buf = vec![0; buffer];
        stream
    }

    /// Reads the header of `data`, then every record's first field with
    /// its line, as a table reads them.
    fn lines_of(data: &str, byte_by_byte: bool) -> Vec<(String, u64)> {
        let mut records = stream(data.as_bytes(), CSV, byte_by_byte, 8);
        let header = records.headers().unwrap();
        let mut report = InputReport::new("t.csv", "orders", "canonical", "utf-8");
        let mut out = Vec::new();
        while let Some((at, fields)) = records.next_record(header.len(), &mut report).unwrap() {
            let first = fields.get(0).unwrap_or_default();
            out.push((String::from_utf8_lossy(first).into_owned(), at.line));
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

    /// Every record of `data` as the stream cuts it, run-ons not judged.
    fn records_of(data: &[u8], dialect: Dialect, byte_by_byte: bool) -> Vec<Vec<Vec<u8>>> {
        let mut records = stream(data, dialect, byte_by_byte, 4);
        let mut out = Vec::new();
        while records.skip_line_ends().unwrap() {
            let record = records.read_record().unwrap();
            let fields = records.fields(&record.held);
            out.push(fields.iter().map(<[u8]>::to_vec).collect());
        }
        out
    }

    /// Every record of `data` as the csv crate reads it.
    fn csv_records_of(data: &[u8], dialect: Dialect) -> Vec<Vec<Vec<u8>>> {
        csv::ReaderBuilder::new()
            .delimiter(dialect.delimiter)
            .quoting(dialect.quoting)
            .flexible(true)
            .has_headers(false)
            .from_reader(data)
            .byte_records()
            .map(|r| r.unwrap().iter().map(<[u8]>::to_vec).collect())
            .collect()
    }

    #[test]
    fn records_are_the_ones_the_csv_crate_reads() {
        // Texts made of the pieces a parser can trip on, many of them in
        // every order: quotes in and around values, every line end, blank
        // lines, delimiters of both dialects, a byte-order mark, a value
        // that is not UTF-8, and the text's end anywhere.
        let pieces: [&[u8]; 14] = [
            b"ab",
            b",",
            b"\t",
            b"\"",
            b"\"\"",
            b"\n",
            b"\r",
            b"\r\n",
            b" ",
            b"\xc3\xa9",
            b"\xff",
            BOM,
            b"x\"y",
            b"\"q,\nr\"",
        ];
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move |n: usize| {
            seed = xorshift(seed);
            (seed % n as u64) as usize
        };
        let dialects = [
            CSV,
            Dialect {
                delimiter: b'\t',
                quoting: false,
            },
            Dialect {
                delimiter: b'\t',
                quoting: true,
            },
        ];
        for case in 0..3000 {
            let len = 1 + next(24);
            let text: Vec<u8> = (0..len)
                .flat_map(|_| pieces[next(pieces.len())])
                .copied()
                .collect();
            for dialect in dialects {
                let expected = csv_records_of(&text, dialect);
                let byte_by_byte = case % 2 == 0;
                assert_eq!(
                    records_of(&text, dialect, byte_by_byte),
                    expected,
                    "{:?} with {:?}",
                    String::from_utf8_lossy(&text),
                    dialect.delimiter as char
                );
            }
        }
    }

    #[test]
    fn fields_are_cut_at_every_delimiter_and_no_other_byte() {
        // Bytes a word-wise search could mistake for the delimiter: the
        // delimiter with its high bit set, zero, and bytes next to it.
        let alphabet = [b',', b',' | 0x80, 0, 0xff, b'+', b'-', b'a'];
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        for len in 0..48 {
            for _ in 0..50 {
                let line: Vec<u8> = (0..len)
                    .map(|_| {
                        seed = xorshift(seed);
                        alphabet[(seed % alphabet.len() as u64) as usize]
                    })
                    .collect();
                let mut bounds = Vec::new();
                cut_fields(&line, b',', &mut bounds);
                let got: Vec<&[u8]> = bounds.iter().map(|&(s, e)| &line[s..e]).collect();
                let expected: Vec<&[u8]> = line.split(|&b| b == b',').collect();
                assert_eq!(got, expected, "{line:?}");
            }
        }
    }

    #[test]
    fn a_record_longer_than_the_buffer_is_read_whole() {
        let long = "x".repeat(10_000);
        let data = format!("a,b\n{long},\"{long}\n{long}\"\nc,d\n");
        for byte_by_byte in [false, true] {
            let got = records_of(data.as_bytes(), CSV, byte_by_byte);
            assert_eq!(got, csv_records_of(data.as_bytes(), CSV));
            assert_eq!(got[1][1].len(), 2 * long.len() + 1);
        }
    }

    #[test]
    fn a_stray_quote_is_one_skipped_row_and_the_lines_after_it_are_read() {
        let data = "a,b,c\n1,\"x,2\n3,y,z\n4,5,6\n7,\"8\"\n";
        for byte_by_byte in [false, true] {
            let mut records = stream(data.as_bytes(), CSV, byte_by_byte, 4);
            let header = records.headers().unwrap();
            let mut report = InputReport::new("t.csv", "orders", "canonical", "utf-8");
            let mut got = Vec::new();
            while let Some((at, fields)) = records.next_record(header.len(), &mut report).unwrap() {
                let cells: Vec<String> = fields
                    .iter()
                    .map(|f| String::from_utf8_lossy(f).into())
                    .collect();
                got.push((at.line, cells.join("|")));
            }
            let expected: Vec<(u64, String)> = [(3, "3|y|z"), (4, "4|5|6"), (5, "7|8")]
                .iter()
                .map(|&(l, r)| (l, r.to_string()))
                .collect();
            assert_eq!(got, expected);
            assert_eq!((report.rows, report.skipped), (1, 1));
            assert_eq!(report.problems[0].line, Some(2));
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
