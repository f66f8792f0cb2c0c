//! Streaming reader for one tabular export: sniffs the delimiter, maps the
//! header onto a schema once, then hands out rows that borrow their fields
//! from one reused `csv::ByteRecord`. Every skipped row is counted and
//! located in the file's [`InputReport`].

use super::decode::{self, TextEncoding};
use super::native::NativeFormat;
use super::schema::Schema;
use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Cursor, Read};
use std::path::Path;

/// How many problems a file lists before it only counts them.
pub const MAX_LISTED_PROBLEMS: usize = 20;

/// How long one problem message may be, quoted value included.
pub const MAX_PROBLEM_CHARS: usize = 300;

/// A row that could not be read, or something else worth knowing about a file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    pub message: String,
}

/// What the report's `inputs` section says about one file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputReport {
    pub file: String,
    pub kind: String,
    pub format: String,
    pub encoding: String,
    pub rows: u64,
    pub skipped: u64,
    pub problems: Vec<Problem>,
    /// All problems, including those past the listed ones.
    pub problems_total: u64,
}

impl InputReport {
    pub fn new(file: &str, kind: &str, format: &str, encoding: &str) -> Self {
        InputReport {
            file: file.to_string(),
            kind: kind.to_string(),
            format: format.to_string(),
            encoding: encoding.to_string(),
            rows: 0,
            skipped: 0,
            problems: Vec::new(),
            problems_total: 0,
        }
    }

    pub fn problem(&mut self, line: Option<u64>, message: impl Into<String>) {
        self.problems_total += 1;
        if self.problems.len() < MAX_LISTED_PROBLEMS {
            // Messages quote the value they could not read, and a value can
            // be a megabyte-long field: keep the report readable.
            let message = crate::privacy::truncate(&message.into(), MAX_PROBLEM_CHARS);
            self.problems.push(Problem { line, message });
        }
    }
}

/// One data row; fields are trimmed, and empty fields read as `None`.
pub struct Row<'a> {
    record: &'a csv::ByteRecord,
    pub line: u64,
}

impl<'a> Row<'a> {
    /// The field at `index` (from [`Table::index`]), `None` when the column is
    /// absent or the cell is empty.
    pub fn get(&self, index: Option<usize>) -> Result<Option<&'a str>, String> {
        let Some(bytes) = index.and_then(|i| self.record.get(i)) else {
            return Ok(None);
        };
        let text = std::str::from_utf8(bytes)
            .map_err(|e| format!("invalid UTF-8 at byte {} of a field", e.valid_up_to()))?
            .trim();
        Ok((!text.is_empty()).then_some(text))
    }

    /// Like [`Row::get`], but an empty cell is a problem naming the column.
    pub fn required(&self, index: Option<usize>, column: &str) -> Result<&'a str, String> {
        self.get(index)?
            .ok_or_else(|| format!("`{column}` is empty; every row needs one"))
    }
}

/// An opened export with its header resolved against a schema.
pub struct Table {
    reader: csv::Reader<LineCounter<Box<dyn Read + Send>>>,
    schema: &'static Schema,
    /// For each schema column (same order), its position in a record.
    positions: Vec<Option<usize>>,
    header_len: usize,
    pub report: InputReport,
}

impl Table {
    /// Opens `path`, decodes it, sniffs the delimiter and maps the header.
    /// A missing required column is an error naming the columns found.
    pub fn open(path: &Path, schema: &'static Schema, japanese_hint: bool) -> Result<Table> {
        Table::open_as(path, schema, japanese_hint, None)
    }

    /// Like [`Table::open`], for one of Amazon's own report layouts: its
    /// extra header names and positional columns apply, and the report names
    /// the format and the export it feeds.
    pub fn open_native(
        path: &Path,
        format: &'static NativeFormat,
        japanese_hint: bool,
    ) -> Result<Table> {
        Table::open_as(path, format.schema, japanese_hint, Some(format))
    }

    fn open_as(
        path: &Path,
        schema: &'static Schema,
        japanese_hint: bool,
        format: Option<&'static NativeFormat>,
    ) -> Result<Table> {
        let decoded = decode::open_text(path, japanese_hint)?;
        let extension_default = if has_extension(path, "csv") {
            b','
        } else {
            b'\t'
        };
        Table::from_decoded(
            display_name(path),
            decoded,
            extension_default,
            schema,
            format,
        )
    }

    /// Reads an export held in memory as if it were the file `file_name`
    /// (its extension picks the default delimiter). Tests and fuzzing use
    /// it to exercise the same reader without touching the disk.
    pub fn from_bytes(
        file_name: &str,
        bytes: Vec<u8>,
        schema: &'static Schema,
        japanese_hint: bool,
    ) -> Result<Table> {
        let decoded = decode::open_reader(Box::new(Cursor::new(bytes)), japanese_hint);
        let extension_default = if has_extension(Path::new(file_name), "csv") {
            b','
        } else {
            b'\t'
        };
        Table::from_decoded(
            file_name.to_string(),
            decoded,
            extension_default,
            schema,
            None,
        )
    }

    fn from_decoded(
        file_name: String,
        decoded: decode::DecodedFile,
        extension_default: u8,
        schema: &'static Schema,
        format: Option<&'static NativeFormat>,
    ) -> Result<Table> {
        let mut buffered = BufReader::with_capacity(1 << 16, decoded.reader);
        let mut header_line = Vec::new();
        read_first_line(&mut buffered, &mut header_line)
            .with_context(|| format!("{file_name}: could not read the header line"))?;
        // A zero-byte (or blank) export is what Seller Central gives for a
        // period with nothing in it: no rows, located in the report, not an
        // error that stops the audit.
        if header_line.iter().all(u8::is_ascii_whitespace)
            && buffered
                .fill_buf()
                .with_context(|| format!("{file_name}: could not read the file"))?
                .iter()
                .all(u8::is_ascii_whitespace)
        {
            return Ok(Table::empty(
                file_name,
                encoding_label(decoded.encoding, decoded.gzip),
                schema,
                format,
            ));
        }
        let delimiter = sniff_delimiter(&header_line, extension_default);
        // Amazon's tab-separated reports never quote, and a `"` inside them is
        // data; honour quotes only where the header itself shows quoting.
        let quoting = delimiter != b'\t' || header_line.first() == Some(&b'"');
        let stream: Box<dyn Read + Send> = Box::new(Cursor::new(header_line).chain(buffered));
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .quoting(quoting)
            .flexible(true)
            .has_headers(true)
            .from_reader(LineCounter::new(stream));
        let headers = reader
            .byte_headers()
            .with_context(|| format!("{file_name}: could not read the header line"))?
            .clone();

        let mut report = InputReport::new(
            &file_name,
            format.map_or(schema.stem, |f| f.kind),
            format.map_or("canonical", |f| f.name),
            encoding_label(decoded.encoding, decoded.gzip).as_str(),
        );
        let header_names: Vec<String> = headers
            .iter()
            .map(|h| String::from_utf8_lossy(h).trim().to_string())
            .collect();
        let mut positions = vec![None; schema.columns.len()];
        // Localized reports are read by position; their English headers by
        // name, so a report with an extra column still reads right.
        let names_suffice = format.is_some_and(|f| {
            schema
                .columns
                .iter()
                .filter(|c| schema.requires(c))
                .all(|c| {
                    header_names
                        .iter()
                        .any(|h| f.match_header(h) == Some(c.name))
                })
        });
        let by_position = match format {
            Some(f) if !names_suffice => f.positions,
            _ => &[][..],
        };
        for &(position, canonical) in by_position {
            if let Some(slot) = schema.columns.iter().position(|c| c.name == canonical)
                && position < header_names.len()
            {
                positions[slot] = Some(position);
            }
        }
        for (position, name) in header_names.iter().enumerate() {
            let canonical = match format {
                Some(f) => f.match_header(name),
                None => schema.match_header(name),
            };
            let Some(canonical) = canonical else {
                continue;
            };
            if by_position.iter().any(|&(_, c)| c == canonical) {
                continue;
            }
            let slot = schema
                .columns
                .iter()
                .position(|c| c.name == canonical)
                .expect("match_header returns a schema column");
            if positions[slot].is_some() {
                report.problem(
                    Some(1),
                    format!(
                        "column `{name}` is a second `{canonical}` column; the first one is used"
                    ),
                );
            } else {
                positions[slot] = Some(position);
            }
        }
        let missing: Vec<&str> = schema
            .columns
            .iter()
            .zip(&positions)
            .filter(|(c, p)| schema.requires(c) && p.is_none())
            .map(|(c, _)| c.name)
            .collect();
        if !missing.is_empty() {
            let found = if header_names.iter().all(|h| h.is_empty()) {
                "none (the file is empty)".to_string()
            } else {
                // Names are cut short: a binary file's "header" can be
                // megabytes long and would bury the message.
                let mut listed = header_names
                    .iter()
                    .take(40)
                    .map(|h| format!("`{}`", crate::privacy::truncate(&printable(h), 60)))
                    .collect::<Vec<_>>()
                    .join(", ");
                if header_names.len() > 40 {
                    listed.push_str(&format!(", … ({} columns)", header_names.len()));
                }
                if header_names.len() == 1 {
                    listed.push_str(
                        "\n  note: the header has one column only: ahr splits columns on \
                         commas, tabs or semicolons; save the file with one of those",
                    );
                }
                listed
            };
            let wanted = missing
                .iter()
                .map(|m| {
                    let col = schema
                        .column(m)
                        .expect("missing columns come from the schema");
                    if col.aliases.is_empty() {
                        format!("`{m}`")
                    } else {
                        format!("`{m}` (or {})", col.aliases.join(", "))
                    }
                })
                .collect::<Vec<_>>()
                .join(", ");
            bail!(
                "{file_name}:1: missing required column{} {wanted}\n  columns found: {found}\n  \
                 help: {} files need a header row naming {}; rename the column or see the README's input table",
                if missing.len() > 1 { "s" } else { "" },
                schema.stem,
                missing
                    .iter()
                    .map(|m| format!("`{m}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        Ok(Table {
            reader,
            schema,
            positions,
            header_len: headers.len(),
            report,
        })
    }

    fn empty(
        file_name: String,
        encoding: String,
        schema: &'static Schema,
        format: Option<&'static NativeFormat>,
    ) -> Table {
        let mut report = InputReport::new(
            &file_name,
            format.map_or(schema.stem, |f| f.kind),
            format.map_or("canonical", |f| f.name),
            &encoding,
        );
        report.problem(
            None,
            "the file is empty (not even a header row): read as having no rows; \
             export the report again if it should have some",
        );
        let stream: Box<dyn Read + Send> = Box::new(std::io::empty());
        Table {
            reader: csv::ReaderBuilder::new()
                .has_headers(false)
                .from_reader(LineCounter::new(stream)),
            schema,
            positions: vec![None; schema.columns.len()],
            header_len: 0,
            report,
        }
    }

    /// Where a schema column sits in each record, resolved once before the loop.
    pub fn index(&self, column: &str) -> Option<usize> {
        let slot = self.schema.columns.iter().position(|c| c.name == column);
        debug_assert!(
            slot.is_some(),
            "`{column}` is not a {} column",
            self.schema.stem
        );
        slot.and_then(|s| self.positions[s])
    }

    pub fn has(&self, column: &str) -> bool {
        self.index(column).is_some()
    }

    /// Calls `visit` for every data row. A row `visit` rejects is counted as
    /// skipped and its reason recorded with the line number.
    pub fn for_each_row<F>(&mut self, mut visit: F) -> Result<()>
    where
        F: FnMut(&Row<'_>) -> Result<(), String>,
    {
        let mut record = csv::ByteRecord::new();
        loop {
            match self.reader.read_byte_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {}
                Err(err) => {
                    let line = err.position().map(|p| p.line());
                    if let csv::ErrorKind::Io(io) = err.kind() {
                        bail!(
                            "{}{}: could not read the file: {io}",
                            self.report.file,
                            line.map(|l| format!(":{l}")).unwrap_or_default()
                        );
                    }
                    self.report.skipped += 1;
                    self.report.problem(line, format!("unreadable row: {err}"));
                    continue;
                }
            }
            let start = record.position().map_or(0, |p| p.byte());
            let line = self.reader.get_mut().line_at(start);
            if record.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
                continue; // blank lines carry nothing and are not rows
            }
            self.report.rows += 1;
            if record.len() > self.header_len {
                self.report.skipped += 1;
                self.report.problem(
                    Some(line),
                    format!(
                        "row has {} fields but the header has {}; a delimiter inside an unquoted value? row skipped",
                        record.len(),
                        self.header_len
                    ),
                );
                continue;
            }
            let row = Row {
                record: &record,
                line,
            };
            if let Err(why) = visit(&row) {
                self.report.skipped += 1;
                self.report
                    .problem(Some(line), format!("{}; row skipped", printable(&why)));
            }
        }
        Ok(())
    }

    pub fn into_report(self) -> InputReport {
        self.report
    }
}

/// Counts line ends as the csv parser reads, so a record's line can be told
/// from its starting byte. The csv crate's own line numbers start a record
/// where the previous one's terminator began, which is a line early after a
/// CRLF or a blank line; counting here gives the line a person sees.
pub struct LineCounter<R> {
    inner: R,
    /// Bytes handed to the parser so far.
    offset: u64,
    /// Offsets of `\n` bytes not yet passed, each with whether a `\r` came
    /// just before it.
    newlines: VecDeque<(u64, bool)>,
    /// Line ends before the first entry of `newlines`.
    passed: u64,
    last_byte: u8,
}

impl<R: Read> LineCounter<R> {
    pub fn new(inner: R) -> Self {
        LineCounter {
            inner,
            offset: 0,
            newlines: VecDeque::new(),
            passed: 0,
            last_byte: 0,
        }
    }

    /// The 1-based line of the record the parser started at byte `start`:
    /// line ends before `start`, plus the blank line ends the parser skipped
    /// between `start` and the record's first byte.
    pub fn line_at(&mut self, start: u64) -> u64 {
        while self.newlines.front().is_some_and(|&(at, _)| at < start) {
            self.newlines.pop_front();
            self.passed += 1;
        }
        let mut expected = start;
        while let Some(&(at, after_cr)) = self.newlines.front() {
            if at == expected || (after_cr && at == expected + 1) {
                self.newlines.pop_front();
                self.passed += 1;
                expected = at + 1;
            } else {
                break;
            }
        }
        self.passed + 1
    }
}

impl<R: Read> Read for LineCounter<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let chunk = &buf[..n];
        for i in memchr::memchr_iter(b'\n', chunk) {
            let after_cr = if i > 0 {
                chunk[i - 1] == b'\r'
            } else {
                self.last_byte == b'\r'
            };
            self.newlines.push_back((self.offset + i as u64, after_cr));
        }
        if let Some(&last) = chunk.last() {
            self.last_byte = last;
        }
        self.offset += n as u64;
        Ok(n)
    }
}

pub fn display_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

fn has_extension(path: &Path, ext: &str) -> bool {
    let name = display_name(path).to_ascii_lowercase();
    let name = name.strip_suffix(".gz").unwrap_or(&name);
    name.ends_with(&format!(".{ext}"))
}

fn encoding_label(encoding: TextEncoding, gzip: bool) -> String {
    if gzip {
        format!("{}+gzip", encoding.as_str())
    } else {
        encoding.as_str().to_string()
    }
}

/// Reads up to and including the first newline, bounded so a file with no
/// newline at all cannot exhaust memory.
fn read_first_line(reader: &mut impl BufRead, out: &mut Vec<u8>) -> std::io::Result<()> {
    const LIMIT: u64 = 4 << 20;
    reader.take(LIMIT).read_until(b'\n', out)?;
    Ok(())
}

/// Picks the delimiter that splits the header into the most fields, counting
/// only outside quotes; ties and headerless files fall back to the extension.
pub fn sniff_delimiter(header: &[u8], extension_default: u8) -> u8 {
    let mut counts = [0usize; 3];
    let candidates = [b',', b'\t', b';'];
    let mut in_quotes = false;
    for &b in header {
        if b == b'"' {
            in_quotes = !in_quotes;
        } else if !in_quotes && let Some(i) = candidates.iter().position(|&c| c == b) {
            counts[i] += 1;
        }
    }
    let best = counts.iter().copied().max().unwrap_or(0);
    if best == 0 {
        return extension_default;
    }
    let default_index = candidates.iter().position(|&c| c == extension_default);
    if let Some(i) = default_index
        && counts[i] == best
    {
        return extension_default;
    }
    candidates[counts.iter().position(|&c| c == best).unwrap_or(0)]
}

/// Untrusted text from an export, made safe to print: control and bidi
/// characters are shown as escapes so they cannot rewrite a terminal.
pub fn printable(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        let bidi = matches!(ch, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}');
        if (ch.is_control() && ch != ' ') || bidi {
            out.extend(ch.escape_unicode());
        } else {
            out.push(ch);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_each_delimiter() {
        assert_eq!(sniff_delimiter(b"order_id,purchase_date\n", b'\t'), b',');
        assert_eq!(sniff_delimiter(b"order_id\tpurchase_date\n", b','), b'\t');
        assert_eq!(sniff_delimiter(b"order_id;purchase_date\n", b','), b';');
        // A comma inside a quoted header cell does not count.
        assert_eq!(sniff_delimiter(b"\"a,b\";c;d\n", b','), b';');
        assert_eq!(sniff_delimiter(b"order_id\n", b','), b',');
    }

    /// Reads `data` through the counter and returns each record's first
    /// field with its line.
    fn lines_of(data: &str) -> Vec<(String, u64)> {
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(LineCounter::new(data.as_bytes()));
        let mut record = csv::ByteRecord::new();
        let mut out = Vec::new();
        while reader.read_byte_record(&mut record).unwrap() {
            let start = record.position().unwrap().byte();
            let line = reader.get_mut().line_at(start);
            out.push((String::from_utf8_lossy(&record[0]).into_owned(), line));
        }
        out
    }

    #[test]
    fn lines_are_the_lines_a_person_sees() {
        let expected = vec![
            ("x".to_string(), 2),
            ("y".to_string(), 3),
            ("z".to_string(), 5),
            ("w".to_string(), 7),
        ];
        assert_eq!(lines_of("a,b\nx,1\ny,2\n\nz,\"3\n4\"\nw,5\n"), expected);
        assert_eq!(
            lines_of("a,b\r\nx,1\r\ny,2\r\n\r\nz,\"3\r\n4\"\r\nw,5\r\n"),
            expected
        );
        assert_eq!(
            lines_of("a,b\r\nx,1\ny,2\r\n\n\r\nz,3\n"),
            vec![
                ("x".to_string(), 2),
                ("y".to_string(), 3),
                ("z".to_string(), 6)
            ]
        );
    }

    #[test]
    fn printable_escapes_terminal_controls() {
        assert_eq!(printable("ok\u{1b}[31m"), "ok\\u{1b}[31m");
        assert_eq!(printable("a\u{202e}b"), "a\\u{202e}b");
        assert_eq!(printable("五星好评"), "五星好评");
    }
}
