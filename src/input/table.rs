//! Streaming reader for one tabular export: sniffs the delimiter, maps the
//! header onto a schema once, then hands out rows that borrow their fields
//! from the reader (see `stream.rs`). Every skipped row is counted and
//! located in the file's [`InputReport`].

use super::decode::{self, TextEncoding};
use super::native::NativeFormat;
use super::schema::Schema;
use super::stream::{Dialect, Fields, Located, RecordStream, TextSource};
use crate::i18n::plural;
use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use std::io::{BufRead, BufReader, Cursor, Read};
use std::path::Path;
use std::sync::Arc;

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
    Text {
        text: &'a str,
        bounds: &'a [(usize, usize)],
    },
    Bytes(Fields<'a>),
}

impl<'a> Cells<'a> {
    /// The record's cells, as text when every one of them is.
    fn of(record: Fields<'a>) -> Cells<'a> {
        match simdutf8::basic::from_utf8(record.text) {
            // The parser's fields one after the other are each text when
            // all are and none is cut inside a character.
            Ok(text)
                if record.cut_at_delimiters
                    || record.bounds.iter().all(|&(start, end)| {
                        text.is_char_boundary(start) && text.is_char_boundary(end)
                    }) =>
            {
                Cells::Text {
                    text,
                    bounds: record.bounds,
                }
            }
            _ => Cells::Bytes(record),
        }
    }
}

impl<'a> Row<'a> {
    /// The field at `index` (from [`Table::index`]), `None` when the column is
    /// absent or the cell is empty.
    // Called for a dozen cells of every row: inlined into the readers, the
    // text case is a few instructions.
    #[inline(always)]
    pub fn get(&self, index: Option<usize>) -> Result<Option<&'a str>, String> {
        let Some(index) = index else {
            return Ok(None);
        };
        let text = match self.cells {
            Cells::Text { text, bounds } => bounds
                .get(index)
                .and_then(|&(start, end)| cell_of(text, start, end))
                .map(trim),
            Cells::Bytes(record) => return bytes_cell(record, index),
        };
        Ok(text.filter(|t| !t.is_empty()))
    }

    /// Every field as it is, invalid bytes replaced.
    #[cfg(test)]
    fn fields_lossy(&self) -> Vec<String> {
        let record = match self.cells {
            Cells::Text { text, bounds } => Fields {
                text: text.as_bytes(),
                bounds,
                cut_at_delimiters: false,
            },
            Cells::Bytes(record) => record,
        };
        record
            .iter()
            .map(|f| String::from_utf8_lossy(f).into_owned())
            .collect()
    }

    /// Like [`Row::get`], but an empty cell is a problem naming the column.
    pub fn required(&self, index: Option<usize>, column: &str) -> Result<&'a str, String> {
        self.get(index)?
            .ok_or_else(|| format!("`{column}` is empty; every row needs one"))
    }

    /// The cell at `index` as `read` reads it, `None` when it is empty; a
    /// cell `read` rejects is a problem naming the column.
    // Called for cells of every row: inlined into the readers.
    #[inline]
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
    // Called for cells of every row, as `get_with` is.
    #[inline]
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

/// `text[start..end]`, or `None` where `str::get` gives none. Inlined into
/// the readers, where `str::get` stayed a call for every cell.
#[inline(always)]
fn cell_of(text: &str, start: usize, end: usize) -> Option<&str> {
    let (before_end, _) = text.split_at_checked(end)?;
    let (_, cell) = before_end.split_at_checked(start)?;
    Some(cell)
}

/// `str::trim`, quicker for the plain ASCII most cells are: only a cell
/// whose ends are not ASCII may end in Unicode whitespace. `str::trim`
/// also trims a vertical tab, which `trim_ascii` keeps.
#[inline(always)]
fn trim(cell: &str) -> &str {
    // Most cells are empty, or begin and end with a printable ASCII byte,
    // which neither trim would take: nothing to look for.
    match (cell.as_bytes().first(), cell.as_bytes().last()) {
        (None, _) => cell,
        (Some(a), Some(b)) if a.is_ascii_graphic() && b.is_ascii_graphic() => cell,
        _ => trim_ends(cell),
    }
}

/// [`trim`] of a cell with something at its ends to look at.
#[inline(never)]
fn trim_ends(cell: &str) -> &str {
    let trimmed = cell.trim_ascii();
    match (trimmed.as_bytes().first(), trimmed.as_bytes().last()) {
        (Some(&a), Some(&b)) if a.is_ascii() && b.is_ascii() && a != 0x0b && b != 0x0b => trimmed,
        (None, None) => trimmed,
        _ => cell.trim(),
    }
}

/// [`Row::get`] of a record that is not all text: kept out of line, so
/// the text case inlines.
#[inline(never)]
fn bytes_cell(record: Fields<'_>, index: usize) -> Result<Option<&str>, String> {
    let text = record.get(index).map(trim_bytes).transpose()?;
    Ok(text.filter(|t| !t.is_empty()))
}

/// [`trim`] of a cell not yet known to be UTF-8; an invalid one is
/// reported at its offset in the whole cell.
fn trim_bytes(cell: &[u8]) -> Result<&str, String> {
    std::str::from_utf8(cell)
        .map(trim)
        .map_err(|e| format!("invalid UTF-8 at byte {} of a field", e.valid_up_to()))
}

/// An opened export with its header resolved against a schema.
pub struct Table {
    records: RecordStream,
    /// Set when other readers may start mid-file (see [`Table::for_each_row_split`]).
    split: Option<SplitSource>,
    schema: &'static Schema,
    /// For each schema column (same order), its position in a record.
    positions: Vec<Option<usize>>,
    shape: RowShape,
    dialect: Dialect,
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
        let source = match bom {
            Some(bom) => TextSource::Plain {
                path: path.to_path_buf(),
                bom,
            },
            None => TextSource::Decoded {
                path: path.to_path_buf(),
                japanese_hint,
            },
        };
        let mut table = Table::from_decoded(
            display_name(path),
            decoded,
            source,
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
                dialect: table.dialect,
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
        let bytes: Arc<[u8]> = bytes.into();
        let decoded = decode::open_reader(Box::new(Cursor::new(Arc::clone(&bytes))), japanese_hint);
        let source = TextSource::Bytes {
            bytes,
            japanese_hint,
        };
        let extension_default = if has_extension(Path::new(file_name), "csv") {
            b','
        } else {
            b'\t'
        };
        Table::from_decoded(
            file_name.to_string(),
            decoded,
            source,
            extension_default,
            schema,
            None,
        )
    }

    fn from_decoded(
        file_name: String,
        decoded: decode::DecodedFile,
        source: TextSource,
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
        if let Some(kind) = decoded.not_text {
            bail!("{file_name}: {}", kind.explain());
        }
        let delimiter = sniff_delimiter(&header_line, extension_default);
        // Amazon's tab-separated reports never quote, and a `"` inside them is
        // data; honour quotes only where the header itself shows quoting.
        let quoting = delimiter != b'\t' || header_line.first() == Some(&b'"');
        let dialect = Dialect { delimiter, quoting };
        let first_line = first_line(&header_line).to_vec();
        let text: Box<dyn Read + Send> = Box::new(Cursor::new(header_line).chain(buffered));
        let mut records = RecordStream::new(text, source, 0, dialect);
        let headers = records
            .headers()
            .with_context(|| format!("{file_name}: could not read the header line"))?;

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
            return Err(missing_columns(&MissingColumns {
                file_name: &file_name,
                schema,
                format,
                missing: &missing,
                header_names: &header_names,
                first_line: &first_line,
                source: records.source(),
                extension_default,
            }));
        }
        // A row shorter than this misses cells of columns the reader reads.
        let read_width = positions.iter().flatten().max().map_or(0, |&p| p + 1);
        Ok(Table {
            records,
            split: None,
            schema,
            positions,
            shape: RowShape {
                header_len: headers.len(),
                read_width,
            },
            dialect,
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
        let dialect = Dialect {
            delimiter: b',',
            quoting: true,
        };
        let nothing = TextSource::Bytes {
            bytes: Arc::from([]),
            japanese_hint: false,
        };
        Table {
            records: RecordStream::new(Box::new(std::io::empty()), nothing, 0, dialect),
            split: None,
            schema,
            positions: vec![None; schema.columns.len()],
            shape: RowShape {
                header_len: 0,
                read_width: 0,
            },
            dialect,
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
        let shape = self.shape;
        while let Some((at, record)) = self
            .records
            .next_record(shape.header_len, &mut self.report)?
        {
            shape.visit(record, at, &mut self.report, &mut visit);
        }
        Ok(())
    }

    /// Like [`Table::for_each_row`], on every core: a big plain UTF-8 file
    /// is cut into chunks at line ends, a few per core, each read by the
    /// next free thread into its own state (`init` makes one per chunk).
    /// Returns the states in file order, each with the number of lines
    /// before its chunk: the lines a state recorded from [`Row::line`]
    /// count from its chunk's start, and the caller adds that number to
    /// them. Problems in the file's report are located already. `done` is
    /// called on each state once its chunk is read, on the thread that read
    /// it, while other chunks are still being read: a state can give back
    /// what it only needed for reading before all states are held at once.
    ///
    /// A cut is a guess (a line end may sit inside a quoted field); the
    /// chunk before it checks that it ends exactly at the cut, and if it
    /// does not, it reads on and the guessed chunk's work is dropped. So
    /// the rows, their lines and their order are exactly those of
    /// [`Table::for_each_row`]; only the states are split.
    pub fn for_each_row_split<S, I, F, D>(
        &mut self,
        init: I,
        visit: F,
        done: D,
    ) -> Result<Vec<(S, u64)>>
    where
        S: Send,
        I: Fn() -> S + Sync,
        F: Fn(&mut S, &Row<'_>) -> Result<(), String> + Sync,
        D: Fn(&mut S) + Sync,
    {
        let shape = self.shape;
        let data_start = self.records.position();
        let cuts = match &self.split {
            Some(source) => source.cuts(data_start)?,
            None => Vec::new(),
        };
        if cuts.is_empty() {
            let mut state = init();
            self.for_each_row(|row| visit(&mut state, row))?;
            done(&mut state);
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
                    &mut self.records,
                    &mut self.report,
                    shape,
                    &cuts,
                    &mut |row| visit(&mut state, row),
                );
                done(&mut state);
                first.map(|end| (state, end))
            },
            |_, &i| {
                let stops = &cuts[i + 1..];
                let chunk = source.read_chunk(cuts[i], stops, shape, blank.clone(), &init, &visit);
                chunk.map(|mut chunk| {
                    done(&mut chunk.state);
                    chunk
                })
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
    dialect: Dialect,
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
        let mut records =
            RecordStream::plain_from(self.path.clone(), self.bom, start, self.dialect)?;
        let local_stops: Vec<u64> = stops.iter().map(|s| s - start).collect();
        let mut state = init();
        let end = read_until(&mut records, &mut report, shape, &local_stops, &mut |row| {
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
    records: &mut RecordStream,
    report: &mut InputReport,
    shape: RowShape,
    stops: &[u64],
    visit: &mut dyn FnMut(&Row<'_>) -> Result<(), String>,
) -> Result<ChunkEnd> {
    let mut stops = stops.iter().copied().peekable();
    loop {
        let at = records.position();
        while stops.next_if(|&stop| at > stop).is_some() {}
        if let Some(&stop) = stops.peek()
            && at + 1 >= stop
        {
            // Every line end before the stop has been read (the parser is
            // past the byte before it), and that byte is a `\n` itself.
            let lines = records.lines_before(stop);
            return Ok(ChunkEnd { at: stop, lines });
        }
        match records.next_record(shape.header_len, report)? {
            Some((at, record)) => shape.visit(record, at, report, visit),
            None => {
                let end = records.position();
                let lines = records.lines_read();
                return Ok(ChunkEnd { at: end, lines });
            }
        }
    }
}

/// What every row is checked against before it is handed on.
#[derive(Clone, Copy)]
struct RowShape {
    header_len: usize,
    /// Fields up to the last column the reader reads.
    read_width: usize,
}

impl RowShape {
    /// Counts the record as a row (blank lines are none), skips one wider
    /// than the header, and hands the rest to `visit`, recording why it
    /// rejected one, and that a row was short of cells it reads.
    fn visit(
        self,
        record: Fields<'_>,
        at: Located,
        report: &mut InputReport,
        visit: &mut dyn FnMut(&Row<'_>) -> Result<(), String>,
    ) {
        if record.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
            return; // blank lines carry nothing and are not rows
        }
        report.rows += 1;
        let fields = record.len();
        if fields > self.header_len {
            report.skipped += 1;
            report.problem(
                Some(at.line),
                format!(
                    "row has {fields} fields but the header has {}; a delimiter inside an unquoted value? row skipped",
                    self.header_len
                ),
            );
            return;
        }
        let outcome = visit(&Row {
            cells: Cells::of(record),
            line: at.line,
        });
        if fields < self.read_width {
            self.short_row(fields, at, outcome, report);
        } else if let Err(why) = outcome {
            report.skipped += 1;
            report.problem(Some(at.line), format!("{}; row skipped", printable(&why)));
        }
    }

    /// Records a row with fewer fields than `read_width`, and why it was
    /// skipped if it was. Such a row is read with its missing cells empty,
    /// which is what an export that leaves out empty trailing fields means.
    /// It is only worth a word when a missing cell is one the reader reads:
    /// a line cut short, or a row with columns left out, reads as an order
    /// never shipped. Cells of columns ahr does not read change nothing.
    #[cold]
    fn short_row(
        self,
        fields: usize,
        at: Located,
        outcome: Result<(), String>,
        report: &mut InputReport,
    ) {
        let short = format!(
            "has {} but the header has {}",
            plural(fields as u64, "field", "fields"),
            self.header_len
        );
        let cut_off = if at.ends_text {
            ". The file ends in this row: was the download cut off?"
        } else {
            ""
        };
        let message = match outcome {
            Ok(()) => format!("row {short}; the missing cells are read as empty{cut_off}"),
            Err(why) => {
                report.skipped += 1;
                format!("{}; row skipped (it {short}){cut_off}", printable(&why))
            }
        };
        report.problem(Some(at.line), message);
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

/// The text up to its first line end.
fn first_line(text: &[u8]) -> &[u8] {
    let end = memchr::memchr2(b'\n', b'\r', text).unwrap_or(text.len());
    &text[..end]
}

/// Picks the delimiter that splits the header into the most fields, counting
/// only outside quotes; ties and headerless files fall back to the extension.
/// The header ends at its first line end outside quotes: in a file whose
/// lines end with a lone `\r`, the text read up to the first `\n` holds
/// many lines.
pub fn sniff_delimiter(header: &[u8], extension_default: u8) -> u8 {
    let mut counts = [0usize; 3];
    let candidates = [b',', b'\t', b';'];
    let mut in_quotes = false;
    for &b in header {
        if b == b'"' {
            in_quotes = !in_quotes;
        } else if in_quotes {
            continue;
        } else if b == b'\n' || b == b'\r' {
            break;
        } else if let Some(i) = candidates.iter().position(|&c| c == b) {
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

/// What [`missing_columns`] explains.
struct MissingColumns<'a> {
    file_name: &'a str,
    schema: &'static Schema,
    format: Option<&'static NativeFormat>,
    missing: &'a [&'a str],
    header_names: &'a [String],
    first_line: &'a [u8],
    source: &'a TextSource,
    extension_default: u8,
}

/// The error for a header without the required columns, with a hint that
/// fits the cause: a file that is no export at all, UTF-16 read as bytes,
/// a title above the header, or one column where the delimiter is not one
/// ahr splits on.
fn missing_columns(m: &MissingColumns<'_>) -> anyhow::Error {
    let file_name = m.file_name;
    if let Some((what, fix)) = not_an_export(m.first_line) {
        return anyhow::anyhow!("{file_name}: this is {what}, not an export\n  help: {fix}");
    }
    let found = if m.header_names.iter().all(|h| h.is_empty()) {
        "none (the file is empty)".to_string()
    } else {
        // Names are cut short: a binary file's "header" can be
        // megabytes long and would bury the message.
        let mut listed = m
            .header_names
            .iter()
            .take(40)
            .map(|h| format!("`{}`", crate::privacy::truncate(&printable(h), 60)))
            .collect::<Vec<_>>()
            .join(", ");
        if m.header_names.len() > 40 {
            listed.push_str(&format!(", … ({} columns)", m.header_names.len()));
        }
        listed
    };
    let wanted = m
        .missing
        .iter()
        .map(|name| {
            let col = m
                .schema
                .column(name)
                .expect("missing columns come from the schema");
            if col.aliases.is_empty() {
                format!("`{name}`")
            } else {
                format!("`{name}` (or {})", col.aliases.join(", "))
            }
        })
        .collect::<Vec<_>>()
        .join(", ");
    let named = m
        .missing
        .iter()
        .map(|name| format!("`{name}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let rename = format!(
        "{} files need a header row naming {named}; rename the column or see the README's input table",
        m.schema.stem
    );
    let (note, help) = if m.header_names.iter().any(|h| h.contains('\0')) {
        (
            Some(
                "the header is full of NUL bytes: the file looks like UTF-16 text without a \
                 byte-order mark"
                    .to_string(),
            ),
            "save it again as \"CSV UTF-8\" (or as Unicode text, which has the mark)".to_string(),
        )
    } else if let Some(line) = header_further_down(m) {
        let above = if line == 2 {
            "line 1".to_string()
        } else {
            format!("lines 1–{}", line - 1)
        };
        (
            Some(format!(
                "line 1 looks like a title: the header naming {named} is line {line}"
            )),
            format!("delete {above}, above the header, and run ahr again"),
        )
    } else if m.header_names.len() == 1 {
        (
            Some(
                "the header has one column only: ahr splits columns on commas, tabs or \
                 semicolons; save the file with one of those"
                    .to_string(),
            ),
            rename,
        )
    } else {
        (None, rename)
    };
    let note = note.map(|n| format!("\n  note: {n}")).unwrap_or_default();
    anyhow::anyhow!(
        "{file_name}:1: missing required column{} {wanted}\n  columns found: {found}{note}\n  help: {help}",
        if m.missing.len() > 1 { "s" } else { "" },
    )
}

/// What a text file that is no export holds, told by how it starts, with
/// what to do instead: a web page saved in place of a report (a download
/// that ended on a sign-in or error page), or an API response in JSON.
fn not_an_export(first_line: &[u8]) -> Option<(&'static str, &'static str)> {
    let start = first_line.trim_ascii_start();
    let lower = start.to_ascii_lowercase();
    if start.starts_with(b"<") && memchr::memmem::find(&lower, b"html").is_some() {
        return Some((
            "an HTML page",
            "a download that ends on a sign-in or error page saves that page under the \
             report's name; sign in to Seller Central and download the report again",
        ));
    }
    let after_bracket = start
        .strip_prefix(b"[")
        .or_else(|| start.strip_prefix(b"{"))?
        .trim_ascii_start();
    if after_bracket.is_empty() || matches!(after_bracket[0], b'{' | b'[' | b'"' | b']' | b'}') {
        return Some((
            "JSON, as an API returns it",
            "download the report from Seller Central as a flat file (.txt or .csv), or \
             convert the JSON to CSV with one row per record",
        ));
    }
    None
}

/// How many lines below line 1 a header is looked for.
const TITLE_LINES: usize = 10;

/// The line among the first few that names every missing column: the
/// header, pushed down by a title or a note above it.
fn header_further_down(m: &MissingColumns<'_>) -> Option<u64> {
    let mut head = Vec::new();
    m.source
        .open()
        .ok()?
        .take(64 << 10)
        .read_to_end(&mut head)
        .ok()?;
    let mut rest = &head[..];
    for line in 2..=TITLE_LINES as u64 + 1 {
        // Past the line end: `\n`, `\r\n` or a lone `\r`.
        let end = memchr::memchr2(b'\n', b'\r', rest)?;
        let skip = if rest[end..].starts_with(b"\r\n") {
            2
        } else {
            1
        };
        rest = &rest[end + skip..];
        let text = first_line(rest);
        let delimiter = sniff_delimiter(text, m.extension_default);
        let mut split = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(false)
            .flexible(true)
            .from_reader(text);
        let Some(Ok(names)) = split.byte_records().next() else {
            continue;
        };
        let names: Vec<String> = names
            .iter()
            .map(|n| String::from_utf8_lossy(n).trim().to_string())
            .collect();
        let named = |column: &str| {
            names.iter().any(|n| {
                let canonical = match m.format {
                    Some(f) => f.match_header(n),
                    None => m.schema.match_header(n),
                };
                canonical == Some(column)
            })
        };
        if m.missing.iter().all(|&column| named(column)) {
            return Some(line);
        }
    }
    None
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
                let chunks = table.for_each_row_split(Vec::new, visit, |_| ()).unwrap();
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
        // Quoted line ends, CRLF, LF and lone CR, blank lines, rows too wide
        // and rows rejected, stray quotes that run rows on, behind a
        // byte-order mark: cuts land everywhere in it.
        let mut text = String::from("\u{feff}order_id,purchase_date,ship_city\r\n");
        let mut seed = 7u64;
        for i in 0..400 {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let end = ["\r\n", "\n", "\r", "\n"][(seed >> 62) as usize];
            let row = match (seed >> 40) % 7 {
                _ if i % 50 == 10 => format!("113-{i},2026-11-01,Paris,extra{end}"),
                _ if i % 50 == 35 => format!("bad,2026-11-01,Rome{end}"),
                _ if i % 100 == 23 => format!("113-{i},2026-11-01,\"Paris{end}"),
                _ if i % 100 == 77 => format!("113-{i},\"2026-11-01,Lyon{end}"),
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
        // More problems than are listed: the later chunks' fill the list.
        let run_ons = report
            .problems
            .iter()
            .filter(|p| p.message.starts_with("a quote opened in this row"))
            .count();
        assert!(rows.len() > 300 && run_ons >= 5, "{report:#?}");
        assert!(report.problems_total > MAX_LISTED_PROBLEMS as u64);
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

    /// Every row of the orders text `text` with its line and its fields,
    /// and the report, the same whichever way the text is read: from
    /// memory, from a plain file, or gzipped.
    fn rows_in(text: &str) -> (Vec<(u64, String)>, InputReport) {
        let read = |mut table: Table| {
            let mut rows = Vec::new();
            table
                .for_each_row(|row| {
                    rows.push((row.line, row.fields_lossy().join("|")));
                    Ok(())
                })
                .unwrap();
            let mut report = table.into_report();
            report.encoding.clear();
            report.file.clear();
            (rows, report)
        };
        let schema = &crate::input::schema::ORDERS;
        let in_memory = read(Table::from_bytes("orders.csv", text.into(), schema, false).unwrap());
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("orders.csv");
        std::fs::write(&plain, text).unwrap();
        let gzipped = dir.path().join("orders.csv.gz");
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, text.as_bytes()).unwrap();
        std::fs::write(&gzipped, gz.finish().unwrap()).unwrap();
        for path in [plain, gzipped] {
            let from_file = read(Table::open(&path, schema, false).unwrap());
            assert_eq!(from_file, in_memory, "{}", path.display());
        }
        in_memory
    }

    fn rows(expected: &[(u64, &str)]) -> Vec<(u64, String)> {
        expected.iter().map(|&(l, r)| (l, r.to_string())).collect()
    }

    #[test]
    fn a_quote_never_closed_costs_its_row_not_the_rows_after_it() {
        let (got, report) = rows_in(
            "order_id,purchase_date,carrier\n\
             113-1,2026-11-01,UPS\n\
             113-2,2026-11-02,\"UPS\n\
             113-3,2026-11-03,UPS\n\
             113-4,2026-11-04,FedEx\n",
        );
        assert_eq!(
            got,
            rows(&[
                (2, "113-1|2026-11-01|UPS"),
                (4, "113-3|2026-11-03|UPS"),
                (5, "113-4|2026-11-04|FedEx"),
            ])
        );
        assert_eq!((report.rows, report.skipped), (4, 1));
        let problem = &report.problems[0];
        assert_eq!(problem.line, Some(3));
        for needle in [
            "never closed",
            "the 2 lines after it",
            "read again as rows",
            "\"\"",
        ] {
            assert!(problem.message.contains(needle), "{needle}: {problem:?}");
        }
    }

    #[test]
    fn a_quote_closed_rows_later_is_located_and_the_rows_read_again() {
        // The stray quote before Paris is closed by the opening quote of
        // line 4, whose own value then reads right when read again.
        let (got, report) = rows_in(
            "order_id,purchase_date,ship_city\n\
             113-1,2026-11-01,\"Paris\n\
             113-2,2026-11-02,Rome\n\
             113-3,2026-11-03,\"New York, NY\"\n\
             113-4,2026-11-04,Berlin\n",
        );
        assert_eq!(
            got,
            rows(&[
                (3, "113-2|2026-11-02|Rome"),
                (4, "113-3|2026-11-03|New York, NY"),
                (5, "113-4|2026-11-04|Berlin"),
            ])
        );
        assert_eq!((report.rows, report.skipped), (4, 1));
        assert_eq!(report.problems[0].line, Some(2));
        assert!(
            report.problems[0].message.contains(
                "only closed 2 lines further down, so those lines were read as part of it (4 fields"
            ),
            "{report:?}"
        );
    }

    #[test]
    fn several_stray_quotes_are_each_one_skipped_row() {
        // Read from memory or gzipped, the first is read again by decoding
        // the text again, the others from what was kept since.
        let (got, report) = rows_in(
            "order_id,purchase_date,ship_city\r\n\
             113-1,2026-11-01,\"Paris\r\n\
             113-2,2026-11-02,Rome\r\n\
             \"113-3,2026-11-03,Oslo\r\n\
             113-4,2026-11-04,Lima\r\n\
             113-5,\"2026-11-05,Kyiv\r\n\
             113-6,2026-11-06,Baku\r\n",
        );
        assert_eq!(
            got,
            rows(&[
                (3, "113-2|2026-11-02|Rome"),
                (5, "113-4|2026-11-04|Lima"),
                (7, "113-6|2026-11-06|Baku"),
            ])
        );
        assert_eq!((report.rows, report.skipped), (6, 3));
        let located: Vec<Option<u64>> = report.problems.iter().map(|p| p.line).collect();
        assert_eq!(located, [Some(2), Some(4), Some(6)]);
    }

    #[test]
    fn a_quote_open_at_the_end_is_found_whatever_the_fields() {
        // The stray quote stands in the last column, so the run-on record
        // has the header's fields: only the open quote at the end tells.
        let (got, report) = rows_in(
            "order_id,purchase_date,ship_city\n\
             113-1,2026-11-01,\"Paris\n\
             113-2,2026-11-02,Rome\n",
        );
        assert_eq!(got, rows(&[(3, "113-2|2026-11-02|Rome")]));
        assert_eq!(report.problems[0].line, Some(2));
        assert!(report.problems[0].message.contains("never closed"));
    }

    #[test]
    fn values_quoted_over_several_lines_are_read_as_they_were() {
        // Well-made quoted line breaks of each kind, also in the last row
        // with no line end after it.
        let (got, report) = rows_in(
            "order_id,purchase_date,ship_city\n\
             113-1,2026-11-01,\"New\nYork\"\n\
             113-2,2026-11-02,\"a \"\"quoted\"\"\r\nline\"\n\
             113-3,2026-11-03,\"Rio de\rJaneiro\"",
        );
        assert_eq!(
            got,
            rows(&[
                (2, "113-1|2026-11-01|New\nYork"),
                (4, "113-2|2026-11-02|a \"quoted\"\r\nline"),
                (6, "113-3|2026-11-03|Rio de\rJaneiro"),
            ])
        );
        assert!(report.problems.is_empty(), "{report:?}");
    }

    #[test]
    fn short_rows_are_read_and_located_when_they_miss_cells_ahr_reads() {
        let (got, report) = rows_in(
            "order_id,purchase_date,status,carrier,listing_note\n\
             113-1,2026-11-01,Shipped,UPS,gift\n\
             113-2,2026-11-02,Shipped,UPS\n\
             113-3,2026-11-03\n\
             113-4,2026-11-04,Ship",
        );
        assert_eq!(got.len(), 4, "short rows are read, not skipped: {got:?}");
        assert_eq!(report.skipped, 0);
        // Line 3 lacks only the column ahr does not read.
        let located: Vec<(Option<u64>, &str)> = report
            .problems
            .iter()
            .map(|p| (p.line, p.message.as_str()))
            .collect();
        assert_eq!(
            located,
            [
                (
                    Some(4),
                    "row has 2 fields but the header has 5; the missing cells are read as empty"
                ),
                (
                    Some(5),
                    "row has 3 fields but the header has 5; the missing cells are read as empty. \
                     The file ends in this row: was the download cut off?"
                ),
            ]
        );
    }

    #[test]
    fn lines_ended_by_a_lone_carriage_return_are_located() {
        let (got, _) = rows_in(
            "order_id,purchase_date\r113-1,2026-11-01\r113-2,2026-11-02\r\r113-3,2026-11-03\r",
        );
        let lines: Vec<u64> = got.iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, [2, 3, 5]);
        assert_eq!(sniff_delimiter(b"a;b\rc,d,e,f\r", b','), b';');
    }

    /// The error opening `bytes` as the orders file `name` gives.
    fn refusal(name: &str, bytes: &[u8]) -> String {
        let schema = &crate::input::schema::ORDERS;
        match Table::from_bytes(name, bytes.to_vec(), schema, false) {
            Ok(_) => panic!("{name} was read"),
            Err(err) => format!("{err:#}"),
        }
    }

    #[test]
    fn a_file_that_is_no_export_is_named_for_what_it_is() {
        let html = refusal(
            "orders.csv",
            b"<!DOCTYPE html>\n<html><head><title>Amazon Sign-In</title></head></html>\n",
        );
        assert!(html.contains("an HTML page") && html.contains("download the report again"));
        let json = refusal("orders.csv", b"[{\"AmazonOrderId\": \"113-1\"}]\n");
        assert!(json.contains("JSON"), "{json}");
        let mut xlsx = b"PK\x03\x04\x14\x00\x00\x00\x08\x00".to_vec();
        xlsx.extend_from_slice(b"[Content_Types].xml\x00\x01xl/workbook.xml\x02\xff");
        let xlsx = refusal("orders.csv", &xlsx);
        assert!(xlsx.contains("Excel workbook") && xlsx.contains("save it as"));
        let zip = refusal("orders.csv", b"PK\x03\x04\x14\x00orders.csv\x00\xfe\xff");
        assert!(zip.contains("zip archive") && zip.contains("unzip it"));
        // Neither is listed as columns found.
        assert!(!(xlsx + &zip + &html).contains("columns found"));
    }

    #[test]
    fn a_title_above_the_header_is_pointed_at() {
        let err = refusal(
            "orders.csv",
            b"Orders report generated 2026-11-20 for seller A2EXAMPLE\n\
              \n\
              order_id,purchase_date,status\n\
              113-1,2026-11-01,Shipped\n",
        );
        assert!(
            err.contains("line 1 looks like a title")
                && err.contains("is line 3")
                && err.contains("delete lines 1–2"),
            "{err}"
        );
        // A header that names other columns is still a rename.
        let err = refusal("orders.csv", b"reference,when\n113-1,2026-11-01\n");
        assert!(
            err.contains("rename the column") && !err.contains("title"),
            "{err}"
        );
    }

    #[test]
    fn cells_are_cut_as_str_get_cuts_them() {
        let text = "a,é,漢字,,\u{1f600}";
        for start in 0..=text.len() + 1 {
            for end in 0..=text.len() + 1 {
                assert_eq!(
                    cell_of(text, start, end),
                    text.get(start..end),
                    "{start}..{end}"
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
                let text = [*cell, b",", beside].concat();
                let bounds = [(0, cell.len()), (cell.len() + 1, text.len())];
                let row = Row {
                    cells: Cells::of(Fields {
                        text: &text,
                        bounds: &bounds,
                        cut_at_delimiters: true,
                    }),
                    line: 2,
                };
                let got = row.get(Some(0)).map(|t| t.map(str::to_string));
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
