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

    /// The same file with nothing counted yet, for a chunk read apart.
    fn emptied(&self) -> InputReport {
        InputReport::new(&self.file, &self.kind, &self.format, &self.encoding)
    }

    /// Adds what a later chunk of the same file counted; its lines start
    /// after the `lines_before` line ends before it.
    fn absorb(&mut self, chunk: InputReport, lines_before: u64) {
        self.rows += chunk.rows;
        self.skipped += chunk.skipped;
        let room = MAX_LISTED_PROBLEMS.saturating_sub(self.problems.len());
        self.problems
            .extend(chunk.problems.into_iter().take(room).map(|p| Problem {
                line: p.line.map(|l| l + lines_before),
                message: p.message,
            }));
        self.problems_total += chunk.problems_total;
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
    cells: Cells<'a>,
    pub line: u64,
}

/// A row's cells: text when the whole record is UTF-8, as nearly every
/// record is, so it was checked once; bytes otherwise, each cell checked
/// when it is read, so a bad byte only matters in a column that is used.
#[derive(Clone, Copy)]
enum Cells<'a> {
    Text(&'a csv::StringRecord),
    Bytes(&'a csv::ByteRecord),
}

impl<'a> Row<'a> {
    /// The field at `index` (from [`Table::index`]), `None` when the column is
    /// absent or the cell is empty.
    pub fn get(&self, index: Option<usize>) -> Result<Option<&'a str>, String> {
        let Some(index) = index else {
            return Ok(None);
        };
        let text = match self.cells {
            Cells::Text(record) => record.get(index).map(trim),
            Cells::Bytes(record) => record.get(index).map(trim_bytes).transpose()?,
        };
        Ok(text.filter(|t| !t.is_empty()))
    }

    /// Every field as it is, invalid bytes replaced.
    #[cfg(test)]
    fn fields_lossy(&self) -> Vec<String> {
        match self.cells {
            Cells::Text(record) => record.iter().map(str::to_string).collect(),
            Cells::Bytes(record) => record
                .iter()
                .map(|f| String::from_utf8_lossy(f).into_owned())
                .collect(),
        }
    }

    /// Like [`Row::get`], but an empty cell is a problem naming the column.
    pub fn required(&self, index: Option<usize>, column: &str) -> Result<&'a str, String> {
        self.get(index)?
            .ok_or_else(|| format!("`{column}` is empty; every row needs one"))
    }

    /// The cell at `index` as `read` reads it, `None` when it is empty; a
    /// cell `read` rejects is a problem naming the column.
    pub fn get_with<T, E: std::fmt::Display>(
        &self,
        index: Option<usize>,
        column: &str,
        read: impl FnOnce(&'a str) -> Result<T, E>,
    ) -> Result<Option<T>, String> {
        self.get(index)?
            .map(|text| read(text).map_err(|e| format!("{column}: {e}")))
            .transpose()
    }

    /// Like [`Row::get_with`], for a cell every row needs (see [`Row::required`]).
    pub fn required_with<T, E: std::fmt::Display>(
        &self,
        index: Option<usize>,
        column: &str,
        read: impl FnOnce(&'a str) -> Result<T, E>,
    ) -> Result<T, String> {
        let text = self.required(index, column)?;
        read(text).map_err(|e| format!("{column}: {e}"))
    }
}

/// `str::trim`, quicker for the plain ASCII most cells are: only a cell
/// whose ends are not ASCII may end in Unicode whitespace. `str::trim`
/// also trims a vertical tab, which `trim_ascii` keeps.
fn trim(cell: &str) -> &str {
    let trimmed = cell.trim_ascii();
    match (trimmed.as_bytes().first(), trimmed.as_bytes().last()) {
        (Some(&a), Some(&b)) if a.is_ascii() && b.is_ascii() && a != 0x0b && b != 0x0b => trimmed,
        (None, None) => trimmed,
        _ => cell.trim(),
    }
}

/// [`trim`] of a cell not yet known to be UTF-8; an invalid one is
/// reported at its offset in the whole cell.
fn trim_bytes(cell: &[u8]) -> Result<&str, String> {
    std::str::from_utf8(cell)
        .map(trim)
        .map_err(|e| format!("invalid UTF-8 at byte {} of a field", e.valid_up_to()))
}

/// The parser's record buffer, lent to rows as text when the whole record
/// is UTF-8. The buffer moves into the text record and back, so nothing is
/// allocated per row.
struct RecordBuf(Option<csv::ByteRecord>);

impl RecordBuf {
    fn new() -> Self {
        RecordBuf(Some(csv::ByteRecord::new()))
    }

    fn bytes(&mut self) -> &mut csv::ByteRecord {
        self.0.get_or_insert_with(csv::ByteRecord::new)
    }

    /// Runs `f` on the record as a row of `line`.
    fn lend<R>(&mut self, line: u64, f: impl FnOnce(&Row<'_>) -> R) -> R {
        let record = self.0.take().unwrap_or_default();
        let (result, record) = match csv::StringRecord::from_byte_record(record) {
            Ok(text) => {
                let cells = Cells::Text(&text);
                (f(&Row { cells, line }), text.into_byte_record())
            }
            Err(not_text) => {
                let record = not_text.into_byte_record();
                let cells = Cells::Bytes(&record);
                (f(&Row { cells, line }), record)
            }
        };
        self.0 = Some(record);
        result
    }
}

/// An opened export with its header resolved against a schema.
pub struct Table {
    reader: csv::Reader<LineCounter<Box<dyn Read + Send>>>,
    /// Set when other readers may start mid-file (see [`Table::for_each_row_split`]).
    split: Option<SplitSource>,
    schema: &'static Schema,
    /// For each schema column (same order), its position in a record.
    positions: Vec<Option<usize>>,
    header_len: usize,
    delimiter: u8,
    quoting: bool,
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
        // Only where the text is the file's own bytes does an offset in the
        // one name an offset in the other, so only there can a second
        // reader start mid-file.
        let bom = match decoded.encoding {
            _ if decoded.gzip => None,
            TextEncoding::Utf8 => Some(0),
            TextEncoding::Utf8Bom => Some(decode::UTF8_BOM.len() as u64),
            _ => None,
        };
        let mut table = Table::from_decoded(
            display_name(path),
            decoded,
            extension_default,
            schema,
            format,
        )?;
        if let (Some(bom), Ok(meta)) = (bom, std::fs::metadata(path)) {
            table.split = Some(SplitSource {
                path: path.to_path_buf(),
                bom,
                text_len: meta.len().saturating_sub(bom),
                min_chunk: MIN_CHUNK_BYTES,
                threads: crate::parallel::cores() as u64,
                delimiter: table.delimiter,
                quoting: table.quoting,
            });
        }
        Ok(table)
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
            split: None,
            schema,
            positions,
            header_len: headers.len(),
            delimiter,
            quoting,
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
            split: None,
            schema,
            positions: vec![None; schema.columns.len()],
            header_len: 0,
            delimiter: b',',
            quoting: true,
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
        let mut record = RecordBuf::new();
        let shape = RowShape {
            header_len: self.header_len,
        };
        while let Some(line) = next_record(&mut self.reader, record.bytes(), &mut self.report)? {
            shape.visit(&mut record, line, &mut self.report, &mut visit);
        }
        Ok(())
    }

    /// Like [`Table::for_each_row`], on every core: a big plain UTF-8 file
    /// is cut into chunks at line ends, a few per core, each read by the
    /// next free thread into its own state (`init` makes one per chunk).
    /// Returns the states in file order, each with the number of lines
    /// before its chunk: the lines a state recorded from [`Row::line`]
    /// count from its chunk's start, and the caller adds that number to
    /// them. Problems in the file's report are located already.
    ///
    /// A cut is a guess (a line end may sit inside a quoted field); the
    /// chunk before it checks that it ends exactly at the cut, and if it
    /// does not, it reads on and the guessed chunk's work is dropped. So
    /// the rows, their lines and their order are exactly those of
    /// [`Table::for_each_row`]; only the states are split.
    pub fn for_each_row_split<S, I, F>(&mut self, init: I, visit: F) -> Result<Vec<(S, u64)>>
    where
        S: Send,
        I: Fn() -> S + Sync,
        F: Fn(&mut S, &Row<'_>) -> Result<(), String> + Sync,
    {
        let shape = RowShape {
            header_len: self.header_len,
        };
        let data_start = self.reader.position().byte();
        let cuts = match &self.split {
            Some(source) => source.cuts(data_start)?,
            None => Vec::new(),
        };
        if cuts.is_empty() {
            let mut state = init();
            self.for_each_row(|row| visit(&mut state, row))?;
            return Ok(vec![(state, 0)]);
        }
        let source = self.split.as_ref().expect("cuts come from a split source");
        // The chunks after the first go to whichever thread is free, the
        // first's included once it is done: old rows that no window reaches
        // cost far less than recent ones, so equal bytes are not equal work.
        // They are taken from the last back: the first and the last chunk
        // are read first, and a file sorted by date, either way, has its
        // latest rows in one of them, which tell how far the windows reach.
        let blank = self.report.emptied();
        let threads = source.threads.min(cuts.len() as u64 + 1) as usize;
        let last_first: Vec<usize> = (0..cuts.len()).rev().collect();
        let (first, mut rest) = crate::parallel::share_out(
            threads,
            &last_first,
            || {
                let mut state = init();
                let first = read_until(
                    &mut self.reader,
                    &mut self.report,
                    shape,
                    &cuts,
                    &mut |row| visit(&mut state, row),
                );
                first.map(|end| (state, end))
            },
            |_, &i| {
                let stops = &cuts[i + 1..];
                source.read_chunk(cuts[i], stops, shape, blank.clone(), &init, &visit)
            },
        );
        rest.reverse();
        let (state, mut end) = first?;
        let mut states = vec![(state, 0)];
        for (chunk, &start) in rest.into_iter().zip(&cuts) {
            if start != end.at {
                // The chunk before read past this cut: the cut was inside a
                // record, and that chunk has read these rows itself.
                continue;
            }
            let chunk = chunk?;
            self.report.absorb(chunk.report, end.lines);
            states.push((chunk.state, end.lines));
            end = ChunkEnd {
                at: chunk.end.at,
                lines: end.lines + chunk.end.lines,
            };
        }
        Ok(states)
    }

    /// Cuts files of any size, for `threads` threads into chunks of at
    /// least `min_chunk` bytes, so tests can put cuts everywhere, inside
    /// quoted fields too.
    #[cfg(test)]
    pub(crate) fn split_small(&mut self, threads: u64, min_chunk: u64) {
        if let Some(split) = &mut self.split {
            split.threads = threads;
            split.min_chunk = min_chunk;
        }
    }

    pub fn into_report(self) -> InputReport {
        self.report
    }
}

/// Plain UTF-8 files under this size are read by one thread: starting more
/// costs more than it saves.
const MIN_CHUNK_BYTES: u64 = 8 << 20;

/// Chunks per thread, so that a thread done early takes on more.
const CHUNKS_PER_THREAD: u64 = 4;

/// Where a reader may start mid-file: a UTF-8 file on disk, whose text
/// offsets are its byte offsets after the byte-order mark.
struct SplitSource {
    path: std::path::PathBuf,
    /// Bytes before the text (a UTF-8 byte-order mark).
    bom: u64,
    text_len: u64,
    min_chunk: u64,
    threads: u64,
    delimiter: u8,
    quoting: bool,
}

/// How far a chunk read: the text offset it stopped at (a cut, or the end)
/// and the line ends before that offset, counted from the chunk's start.
#[derive(Clone, Copy)]
struct ChunkEnd {
    at: u64,
    lines: u64,
}

/// What one chunk's thread hands back.
struct Chunk<S> {
    state: S,
    report: InputReport,
    end: ChunkEnd,
}

impl SplitSource {
    /// Text offsets just after a line end, spread evenly over the rows
    /// after `data_start`, a few per core; none for a small file.
    fn cuts(&self, data_start: u64) -> Result<Vec<u64>> {
        let span = self.text_len.saturating_sub(data_start);
        let chunks = (self.threads * CHUNKS_PER_THREAD)
            .min(span / self.min_chunk.max(1))
            .max(1);
        let mut guesses: Vec<u64> = (1..chunks)
            .map(|k| data_start + span * k / chunks)
            .collect();
        // The last few rows make a chunk of their own, read first (the
        // chunks are taken from the last back): a file sorted oldest first
        // ends on its latest dates, which tell how far back the windows
        // reach before the other chunks have read much.
        if chunks > 1 {
            guesses.push(self.text_len.saturating_sub(self.min_chunk / 8));
        }
        let mut cuts: Vec<u64> = Vec::new();
        for guess in guesses {
            if let Some(cut) = self.line_start_after(guess)?
                && cut < self.text_len
                && cuts.last().is_none_or(|&last| cut > last)
            {
                cuts.push(cut);
            }
        }
        Ok(cuts)
    }

    /// The text offset just after the first `\n` at or after `from`.
    fn line_start_after(&self, from: u64) -> Result<Option<u64>> {
        use std::io::{Seek, SeekFrom};
        let mut file = std::fs::File::open(&self.path)
            .with_context(|| format!("could not open {}", self.path.display()))?;
        file.seek(SeekFrom::Start(self.bom + from))?;
        let mut buf = vec![0u8; 1 << 16];
        let mut at = from;
        // A line longer than this is no line to cut at: read on in one piece.
        while at < from + (1 << 22) {
            let n = file.read(&mut buf)?;
            if n == 0 {
                return Ok(None);
            }
            if let Some(i) = memchr::memchr(b'\n', &buf[..n]) {
                return Ok(Some(at + i as u64 + 1));
            }
            at += n as u64;
        }
        Ok(None)
    }

    /// Reads the rows from text offset `start` up to the first of `stops`
    /// it reaches cleanly (the end of the file when there are none).
    fn read_chunk<S>(
        &self,
        start: u64,
        stops: &[u64],
        shape: RowShape,
        mut report: InputReport,
        init: &(impl Fn() -> S + Sync),
        visit: &(impl Fn(&mut S, &Row<'_>) -> Result<(), String> + Sync),
    ) -> Result<Chunk<S>> {
        use std::io::{Seek, SeekFrom};
        let mut file = std::fs::File::open(&self.path)
            .with_context(|| format!("could not open {}", self.path.display()))?;
        file.seek(SeekFrom::Start(self.bom + start))?;
        let stream: Box<dyn Read + Send> = Box::new(file);
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(self.delimiter)
            .quoting(self.quoting)
            .flexible(true)
            .has_headers(false)
            .from_reader(LineCounter::new(stream));
        let local_stops: Vec<u64> = stops.iter().map(|s| s - start).collect();
        let mut state = init();
        let end = read_until(&mut reader, &mut report, shape, &local_stops, &mut |row| {
            visit(&mut state, row)
        })?;
        Ok(Chunk {
            state,
            report,
            end: ChunkEnd {
                at: start + end.at,
                lines: end.lines,
            },
        })
    }
}

/// Reads rows until the parser stands cleanly at one of `stops` (offsets
/// just after a `\n`, ascending) or at the end of the text. Clean means
/// the next record cannot start before the stop: the parser is at it, or
/// one byte short (it leaves the `\n` of a `\r\n`, or of a blank line,
/// for the next record). A stop the parser passes in mid-record is not
/// one; it reads on to the next.
fn read_until(
    reader: &mut csv::Reader<LineCounter<Box<dyn Read + Send>>>,
    report: &mut InputReport,
    shape: RowShape,
    stops: &[u64],
    visit: &mut dyn FnMut(&Row<'_>) -> Result<(), String>,
) -> Result<ChunkEnd> {
    let mut record = RecordBuf::new();
    let mut stops = stops.iter().copied().peekable();
    loop {
        let at = reader.position().byte();
        while stops.next_if(|&stop| at > stop).is_some() {}
        if let Some(&stop) = stops.peek()
            && at + 1 >= stop
        {
            // Every line end before the stop has been read (the parser is
            // past the byte before it), and that byte is a `\n` itself.
            let lines = reader.get_mut().line_ends_before(stop - 1) + 1;
            return Ok(ChunkEnd { at: stop, lines });
        }
        match next_record(reader, record.bytes(), report)? {
            Some(line) => shape.visit(&mut record, line, report, visit),
            None => {
                let end = reader.position().byte();
                let lines = reader.get_mut().line_ends_before(u64::MAX);
                return Ok(ChunkEnd { at: end, lines });
            }
        }
    }
}

/// Reads the next record and its line; `None` at the end of the text. An
/// unreadable record is counted, located and passed over.
fn next_record(
    reader: &mut csv::Reader<LineCounter<Box<dyn Read + Send>>>,
    record: &mut csv::ByteRecord,
    report: &mut InputReport,
) -> Result<Option<u64>> {
    loop {
        match reader.read_byte_record(record) {
            Ok(false) => return Ok(None),
            Ok(true) => {
                let start = record.position().map_or(0, |p| p.byte());
                return Ok(Some(reader.get_mut().line_at(start)));
            }
            Err(err) => {
                let line = err.position().map(|p| p.line());
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

/// What every row is checked against before it is handed on.
#[derive(Clone, Copy)]
struct RowShape {
    header_len: usize,
}

impl RowShape {
    /// Counts the record as a row (blank lines are none), skips one wider
    /// than the header, and hands the rest to `visit`, recording why it
    /// rejected one.
    fn visit(
        self,
        buf: &mut RecordBuf,
        line: u64,
        report: &mut InputReport,
        visit: &mut dyn FnMut(&Row<'_>) -> Result<(), String>,
    ) {
        let record = buf.bytes();
        if record.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
            return; // blank lines carry nothing and are not rows
        }
        report.rows += 1;
        if record.len() > self.header_len {
            report.skipped += 1;
            report.problem(
                Some(line),
                format!(
                    "row has {} fields but the header has {}; a delimiter inside an unquoted value? row skipped",
                    record.len(),
                    self.header_len
                ),
            );
            return;
        }
        if let Err(why) = buf.lend(line, visit) {
            report.skipped += 1;
            report.problem(Some(line), format!("{}; row skipped", printable(&why)));
        }
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

impl<R> LineCounter<R> {
    /// Line ends before byte `end` among those read so far.
    pub fn line_ends_before(&mut self, end: u64) -> u64 {
        while self.newlines.front().is_some_and(|&(at, _)| at < end) {
            self.newlines.pop_front();
            self.passed += 1;
        }
        self.passed
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

    /// Every row with its line, as one reader sees them or as chunks do.
    fn rows_of(path: &Path, split: Option<(u64, u64)>) -> (Vec<(u64, String)>, InputReport) {
        let schema = &crate::input::schema::ORDERS;
        let mut table = Table::open(path, schema, false).unwrap();
        let visit = |rows: &mut Vec<(u64, String)>, row: &Row<'_>| {
            let fields = row.fields_lossy();
            if fields[0] == "bad" {
                return Err("a bad row".to_string());
            }
            rows.push((row.line, fields.join("|")));
            Ok(())
        };
        let rows = match split {
            None => {
                let mut rows = Vec::new();
                table.for_each_row(|row| visit(&mut rows, row)).unwrap();
                rows
            }
            Some((threads, min_chunk)) => {
                table.split_small(threads, min_chunk);
                let chunks = table.for_each_row_split(Vec::new, visit).unwrap();
                chunks
                    .into_iter()
                    .flat_map(|(rows, before)| rows.into_iter().map(move |(l, r)| (l + before, r)))
                    .collect()
            }
        };
        (rows, table.into_report())
    }

    #[test]
    fn chunks_read_the_rows_and_lines_one_reader_reads() {
        // Quoted line ends, CRLF and LF, blank lines, rows too wide and rows
        // rejected, behind a byte-order mark: cuts land everywhere in it.
        let mut text = String::from("\u{feff}order_id,purchase_date,ship_city\r\n");
        let mut seed = 7u64;
        for i in 0..400 {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let end = if seed >> 63 == 1 { "\r\n" } else { "\n" };
            let row = match (seed >> 40) % 7 {
                _ if i % 50 == 10 => format!("113-{i},2026-11-01,Paris,extra{end}"),
                _ if i % 50 == 35 => format!("bad,2026-11-01,Rome{end}"),
                0 => format!("113-{i},2026-11-01,\"New\nYork\"{end}"),
                1 => format!("113-{i},2026-11-01,\"a \"\"quoted\"\"\r\nline\"{end}"),
                2 => end.to_string(),
                3 => format!("\"113-{i}\",\"2026-11-01\",\"\n\n\"{end}"),
                _ => format!("113-{i},2026-11-0{},Berlin{end}", i % 9 + 1),
            };
            text.push_str(&row);
        }
        let dir = tempfile::Builder::new()
            .prefix("ahr-split-")
            .tempdir()
            .unwrap();
        let path = dir.path().join("orders.csv");
        std::fs::write(&path, &text).unwrap();
        let (rows, report) = rows_of(&path, None);
        // Few enough problems that every one is listed, the later chunks' too.
        assert!(rows.len() > 300 && report.skipped == 16, "{report:?}");
        for threads in 2..=5 {
            for min_chunk in [1, 7, 64, 300, 1000, 4000] {
                let (split_rows, split_report) = rows_of(&path, Some((threads, min_chunk)));
                assert_eq!(split_rows, rows, "{threads} threads, chunks of {min_chunk}");
                assert_eq!(
                    split_report, report,
                    "{threads} threads, chunks of {min_chunk}"
                );
            }
        }
    }

    #[test]
    fn cells_are_trimmed_as_str_trim_trims_them() {
        let cells: &[&[u8]] = &[
            b"  113-1 ",
            b"\t2026-11-01\r",
            b"\x0bvt\x0b",
            "\u{a0}nbsp\u{3000}".as_bytes(),
            " caf\u{e9} ".as_bytes(),
            "\u{e9}t\u{e9}".as_bytes(),
            b"   ",
            b"",
            b" ok\xff ",
            b"\xffbad",
        ];
        for cell in cells {
            let expected = match std::str::from_utf8(cell) {
                Ok(text) => Ok(Some(text.trim()).filter(|t| !t.is_empty())),
                Err(e) => Err(format!(
                    "invalid UTF-8 at byte {} of a field",
                    e.valid_up_to()
                )),
            };
            // Alone, the cell's record is text when the cell is; beside an
            // invalid cell, the record is bytes and the cell is read alone.
            for beside in [&b""[..], b"\xfe"] {
                let mut buf = RecordBuf(Some(csv::ByteRecord::from(vec![*cell, beside])));
                let got = buf.lend(2, |row| row.get(Some(0)).map(|t| t.map(str::to_string)));
                let expected = expected.clone().map(|t| t.map(str::to_string));
                assert_eq!(got, expected, "{cell:?} beside {beside:?}");
            }
        }
    }

    #[test]
    fn printable_escapes_terminal_controls() {
        assert_eq!(printable("ok\u{1b}[31m"), "ok\\u{1b}[31m");
        assert_eq!(printable("a\u{202e}b"), "a\\u{202e}b");
        assert_eq!(printable("五星好评"), "五星好评");
    }
}
