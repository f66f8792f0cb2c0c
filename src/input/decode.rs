//! Opening seller exports as UTF-8 text.
//!
//! Amazon's flat files say they are UTF-8, but EU marketplaces deliver
//! windows-1252 and JP delivers Shift_JIS (cp932); Excel's "Unicode text"
//! saves UTF-16 with a BOM, and any of them may be gzip-compressed. This
//! module hides all of that behind one streaming reader that always yields
//! UTF-8, so the CSV layer downstream only ever sees one encoding.
//!
//! The decision is made on a bounded prefix (the first 64 KiB after
//! decompression) so a file of millions of rows is never read twice or held
//! in memory; the prefix is then chained back in front of the rest.

use std::fmt;
use std::fs::File;
use std::io::{self, Cursor, ErrorKind, Read};
use std::path::Path;
use std::sync::mpsc::{Receiver, sync_channel};
use std::thread::JoinHandle;

use encoding_rs::{DecoderResult, Encoding, SHIFT_JIS, UTF_16BE, UTF_16LE, WINDOWS_1252};
use encoding_rs_io::DecodeReaderBytesBuilder;
use flate2::read::MultiGzDecoder;

/// How many bytes (after decompression) the encoding decision looks at.
/// Big enough to hold the header row and hundreds of data rows, small enough
/// that opening 10,000 accounts' files costs nothing noticeable.
const PREFIX_LEN: usize = 64 * 1024;

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
pub(crate) const UTF8_BOM: [u8; 3] = [0xef, 0xbb, 0xbf];
const UTF16LE_BOM: [u8; 2] = [0xff, 0xfe];
const UTF16BE_BOM: [u8; 2] = [0xfe, 0xff];

/// The text encoding a file was read in; shown in the report's `inputs` section as `as_str()`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TextEncoding {
    /// UTF-8 without a byte-order mark (Amazon's documented encoding).
    Utf8,
    /// UTF-8 starting with a byte-order mark (which is removed).
    Utf8Bom,
    /// windows-1252, as EU marketplaces deliver flat files.
    Windows1252,
    /// Shift_JIS in its cp932 (Windows-31J) form, as JP delivers flat files.
    ShiftJis,
    /// UTF-16 little-endian (Excel's "Unicode text"), with a BOM or with
    /// the plain pattern of one without (see [`utf16_without_bom`]).
    Utf16Le,
    /// UTF-16 big-endian, with a BOM or the plain pattern of one without.
    Utf16Be,
}

impl TextEncoding {
    /// The stable name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "utf-8",
            TextEncoding::Utf8Bom => "utf-8-bom",
            TextEncoding::Windows1252 => "windows-1252",
            TextEncoding::ShiftJis => "shift_jis",
            TextEncoding::Utf16Le => "utf-16le",
            TextEncoding::Utf16Be => "utf-16be",
        }
    }

    /// The decoder for encodings that need transcoding; `None` for UTF-8,
    /// whose bytes are passed through untouched.
    fn transcoder(self) -> Option<&'static Encoding> {
        match self {
            TextEncoding::Utf8 | TextEncoding::Utf8Bom => None,
            TextEncoding::Windows1252 => Some(WINDOWS_1252),
            // encoding_rs's Shift_JIS is the WHATWG one, which includes the
            // NEC and IBM extensions of cp932 (①, ㈱, 髙, ...).
            TextEncoding::ShiftJis => Some(SHIFT_JIS),
            TextEncoding::Utf16Le => Some(UTF_16LE),
            TextEncoding::Utf16Be => Some(UTF_16BE),
        }
    }
}

impl fmt::Display for TextEncoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An opened export: a byte stream that is always valid UTF-8 text (BOM removed), with how it was decoded.
///
/// For [`TextEncoding::Utf8`] and [`TextEncoding::Utf8Bom`] the bytes are
/// passed through as they are, so invalid sequences after the detection
/// prefix reach the caller unchanged (the CSV layer reports them per row);
/// every other encoding is transcoded, with undecodable bytes replaced by
/// U+FFFD. Read errors, including a corrupt gzip stream, come out of
/// `reader` as `io::Error`s.
pub struct DecodedFile {
    pub reader: Box<dyn Read + Send>,
    pub encoding: TextEncoding,
    pub gzip: bool,
    /// Set when the first bytes show a file that is no text at all.
    pub not_text: Option<NotText>,
}

impl fmt::Debug for DecodedFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DecodedFile")
            .field("reader", &"..")
            .field("encoding", &self.encoding)
            .field("gzip", &self.gzip)
            .field("not_text", &self.not_text)
            .finish()
    }
}

/// Hint from the account: `japanese_hint` is true when the marketplace is JP (prefer cp932 over windows-1252 for non-UTF-8 bytes).
///
/// Opens `path`, sniffs gzip by its magic bytes (never by the file name),
/// and picks the text encoding from the first 64 KiB of text. Only failures
/// to open the file are returned here; everything that goes wrong while
/// reading the content surfaces from the returned reader.
pub fn open_text(path: &Path, japanese_hint: bool) -> anyhow::Result<DecodedFile> {
    let file = open_file(path)?;
    Ok(decode_source(Box::new(file), japanese_hint))
}

/// The same decision on bytes already in memory (for tests and fuzzing): returns the decoded UTF-8 text and the encoding.
///
/// `bytes` are taken as already decompressed (no gzip sniffing). Bytes that
/// are detected as UTF-8 but are not valid beyond the detection prefix are
/// replaced by U+FFFD, since a `String` cannot hold them.
pub fn decode_bytes(bytes: &[u8], japanese_hint: bool) -> (String, TextEncoding) {
    // The same streaming path as open_text, so tests of this function cover
    // the prefix handling and the chained reader, not a shortcut.
    let head = read_head(Box::new(bytes));
    let (mut reader, encoding) = decode_head(head, japanese_hint);
    let mut out = Vec::with_capacity(bytes.len());
    // An in-memory source cannot fail and the transcoders replace rather
    // than reject bad input, so an error here is impossible; if one ever
    // happened, the text read so far is still the best answer.
    let _ = reader.read_to_end(&mut out);
    let text = match String::from_utf8(out) {
        Ok(text) => text,
        Err(err) => String::from_utf8_lossy(err.as_bytes()).into_owned(),
    };
    (text, encoding)
}

/// The same decision as [`open_text`] on a stream that is not a file (an
/// in-memory export, fuzzing): gzip is sniffed, the encoding detected.
pub fn open_reader(source: Box<dyn Read + Send>, japanese_hint: bool) -> DecodedFile {
    decode_source(source, japanese_hint)
}

/// Opens `path` for reading, turning the common failures into messages that
/// say which file and what to do about it.
fn open_file(path: &Path) -> anyhow::Result<File> {
    let shown = path.display();
    // Checked before opening: on Windows opening a directory fails with a
    // misleading "access denied", on Unix it succeeds and only reading fails.
    if path.is_dir() {
        anyhow::bail!(
            "cannot read {shown}: it is a directory, not a file; pass one of the export files in it"
        );
    }
    let file = File::open(path).map_err(|err| {
        let advice = match err.kind() {
            ErrorKind::NotFound => {
                "the file does not exist; check the path and the file name, \
                 or download the report again from Seller Central"
            }
            ErrorKind::PermissionDenied => {
                "permission denied; make the file readable by the user running ahr \
                 (for example `chmod u+r`) or copy it somewhere readable"
            }
            _ => "check that the file exists and is readable",
        };
        anyhow::Error::new(err).context(format!("cannot open {shown}: {advice}"))
    })?;
    Ok(file)
}

/// The first bytes of a stream, read ahead for detection, and the rest.
struct Head<'a> {
    bytes: Vec<u8>,
    /// True when `bytes` is the whole stream (end of input was reached).
    complete: bool,
    /// The remainder; yields the read error if reading the head failed.
    tail: Box<dyn Read + Send + 'a>,
}

/// Reads up to [`PREFIX_LEN`] bytes from `source` without losing any.
///
/// A read error is not returned: it is parked in the tail so that it comes
/// out of the final reader at the position where it happened, after the
/// bytes that could be read. That keeps one error path (the reader) for
/// every content problem, whether it lies in the first 64 KiB or the last.
fn read_head<'a>(mut source: Box<dyn Read + Send + 'a>) -> Head<'a> {
    let mut bytes = Vec::with_capacity(PREFIX_LEN);
    // read_to_end retries on Interrupted and keeps what it read before an
    // error, so no byte is lost either way.
    match (&mut source)
        .take(PREFIX_LEN as u64)
        .read_to_end(&mut bytes)
    {
        Ok(n) => Head {
            bytes,
            // Exactly PREFIX_LEN bytes may or may not be the end; assume not.
            complete: n < PREFIX_LEN,
            tail: source,
        },
        Err(err) => Head {
            bytes,
            // Not the real end: be as lenient as for a cut prefix.
            complete: false,
            tail: Box::new(FailedRead::new(err)),
        },
    }
}

/// Sniffs gzip, then the text encoding, and builds the UTF-8 reader.
fn decode_source(source: Box<dyn Read + Send>, japanese_hint: bool) -> DecodedFile {
    let raw = read_head(source);
    let gzip = raw.bytes.starts_with(&GZIP_MAGIC);
    let text = if gzip {
        let compressed = Cursor::new(raw.bytes).chain(raw.tail);
        read_head(Box::new(ReadAhead::new(Gunzip(MultiGzDecoder::new(
            compressed,
        )))))
    } else {
        raw
    };
    let not_text = NotText::sniff(&text.bytes);
    let (reader, encoding) = decode_head(text, japanese_hint);
    DecodedFile {
        reader,
        encoding,
        gzip,
        not_text,
    }
}

/// A file that is no text export at all, told by its first bytes: what a
/// seller may save under an export's name by mistake. Its "header" would be
/// binary noise, so it is named for what it is, with what to do about it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotText {
    /// An Excel workbook (.xlsx: a zip of XML parts under `xl/`).
    ExcelWorkbook,
    /// An Excel 97–2003 workbook (.xls: an OLE compound file).
    OldExcelWorkbook,
    /// An OpenDocument spreadsheet (.ods, a zip as well).
    OpenDocumentSpreadsheet,
    /// Any other zip archive, such as a report downloaded zipped.
    Zip,
}

impl NotText {
    fn sniff(prefix: &[u8]) -> Option<NotText> {
        const OLE: [u8; 8] = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];
        if prefix.starts_with(&OLE) {
            return Some(NotText::OldExcelWorkbook);
        }
        // A zip's first entry, or the end record of an empty one.
        if !prefix.starts_with(b"PK\x03\x04") && !prefix.starts_with(b"PK\x05\x06") {
            return None;
        }
        // Entry names stand in the clear in their local headers.
        let holds = |name: &[u8]| memchr::memmem::find(prefix, name).is_some();
        Some(if holds(b"xl/") {
            NotText::ExcelWorkbook
        } else if holds(b"opendocument.spreadsheet") {
            NotText::OpenDocumentSpreadsheet
        } else {
            NotText::Zip
        })
    }

    /// What the file is and what to do, as an error message's lines.
    pub fn explain(self) -> &'static str {
        match self {
            NotText::ExcelWorkbook => {
                "this is an Excel workbook (.xlsx), not a CSV or text export\n  help: open it \
                 in Excel and save it as \"CSV UTF-8 (Comma delimited)\" under this name, then \
                 run ahr again"
            }
            NotText::OldExcelWorkbook => {
                "this is an Excel 97-2003 workbook (.xls), not a CSV or text export\n  help: \
                 open it in Excel and save it as \"CSV UTF-8 (Comma delimited)\" under this \
                 name, then run ahr again"
            }
            NotText::OpenDocumentSpreadsheet => {
                "this is an OpenDocument spreadsheet (.ods), not a CSV or text export\n  help: \
                 open it and save it as \"Text CSV\" in UTF-8 under this name, then run ahr \
                 again"
            }
            NotText::Zip => {
                "this is a zip archive, not a CSV or text export\n  help: unzip it and put the \
                 export it holds in the account folder in its place"
            }
        }
    }
}

/// Decides the encoding from the head and returns a reader over the whole
/// stream (head chained back in front of the tail) that yields UTF-8.
fn decode_head<'a>(
    head: Head<'a>,
    japanese_hint: bool,
) -> (Box<dyn Read + Send + 'a>, TextEncoding) {
    let encoding = detect(&head.bytes, head.complete, japanese_hint);
    let mut prefix = Cursor::new(head.bytes);
    let reader: Box<dyn Read + Send + 'a> = match encoding.transcoder() {
        None => {
            if encoding == TextEncoding::Utf8Bom {
                // Skip the BOM without copying the 64 KiB prefix.
                prefix.set_position(UTF8_BOM.len() as u64);
            }
            // UTF-8 costs nothing: the bytes go through as they are.
            Box::new(prefix.chain(head.tail))
        }
        Some(transcoder) => {
            let decoder = DecodeReaderBytesBuilder::new()
                .encoding(Some(transcoder))
                // The encoding is already decided; the decoder still drops
                // the UTF-16 BOM because explicit encodings are built
                // with BOM removal.
                .bom_sniffing(false)
                .build(prefix.chain(head.tail));
            // encoding_rs_io 0.1.8 loses the end of a character flushed at
            // end of input (the U+FFFD for a cut-off sequence) when it is
            // read with a buffer under 4 bytes, which breaks the promise of
            // valid UTF-8. A BufReader only ever hands it its own 8 KiB
            // buffer, and passes large reads (like the CSV reader's) straight
            // through, so the fix costs no copy on the normal path.
            Box::new(io::BufReader::new(decoder))
        }
    };
    (reader, encoding)
}

/// The encoding decision, on the first bytes of the (decompressed) text.
///
/// `complete` says whether `prefix` is the whole text; when it is not, a
/// multi-byte character cut off at its end is not held against it.
fn detect(prefix: &[u8], complete: bool, japanese_hint: bool) -> TextEncoding {
    if prefix.starts_with(&UTF8_BOM) {
        return TextEncoding::Utf8Bom;
    }
    if prefix.starts_with(&UTF16LE_BOM) {
        return TextEncoding::Utf16Le;
    }
    if prefix.starts_with(&UTF16BE_BOM) {
        return TextEncoding::Utf16Be;
    }
    // Before UTF-8: ASCII in UTF-16 is valid UTF-8, NULs and all.
    if let Some(utf16) = utf16_without_bom(prefix, complete) {
        return utf16;
    }
    if is_utf8(prefix, complete) {
        return TextEncoding::Utf8;
    }
    if japanese_hint || looks_like_shift_jis(prefix, complete) {
        TextEncoding::ShiftJis
    } else {
        TextEncoding::Windows1252
    }
}

/// UTF-16 without a byte-order mark, as some export tools save it. Text
/// that is mostly ASCII has a NUL in every other byte in UTF-16, which no
/// UTF-8 or single-byte export has (a stray NUL in a field is no pattern).
/// Decided only where the pattern is plain: half the code units or more
/// have their NUL on one side, at most one in sixteen as many on the
/// other, and the prefix decodes without error. Text with little ASCII
/// (Japanese in UTF-16) shows no such pattern and is left to the rest.
fn utf16_without_bom(prefix: &[u8], complete: bool) -> Option<TextEncoding> {
    memchr::memchr(0, prefix)?;
    let units = prefix.len() / 2;
    let (mut nul_second, mut nul_first) = (0usize, 0usize);
    for unit in prefix.chunks_exact(2) {
        match (unit[0], unit[1]) {
            (0, 0) => {}
            (_, 0) => nul_second += 1,
            (0, _) => nul_first += 1,
            _ => {}
        }
    }
    let (encoding, decoder, plain, other) = if nul_second >= nul_first {
        (TextEncoding::Utf16Le, UTF_16LE, nul_second, nul_first)
    } else {
        (TextEncoding::Utf16Be, UTF_16BE, nul_first, nul_second)
    };
    (units >= 4
        && plain * 2 >= units
        && other * 16 <= plain
        && decodes_without_errors(decoder, prefix, complete))
    .then_some(encoding)
}

/// Whether `prefix` is valid UTF-8, allowing an incomplete character at the
/// very end when the prefix was cut from a longer stream.
fn is_utf8(prefix: &[u8], complete: bool) -> bool {
    match std::str::from_utf8(prefix) {
        Ok(_) => true,
        // error_len() == None means "valid, but the input ended inside a
        // character": only acceptable if the input did not really end.
        Err(err) => err.error_len().is_none() && !complete,
    }
}

/// Whether non-UTF-8 bytes read as Japanese Shift_JIS text rather than as
/// windows-1252 (the EU default).
///
/// Decoding without errors is not enough on its own: windows-1252 accented
/// letters are Shift_JIS lead bytes (é = 0xE9, ’ = 0x92) and a following
/// ASCII letter is a valid trail byte, so "don’t" or "générée" decode as
/// Shift_JIS with kanji in them. What such accidents do not produce is
/// Japanese as it is written:
///
/// 1. Runs: Japanese words are several double-byte characters in a row
///    (注文番号, 購入日, コメント), while a windows-1252 accent followed by a
///    letter yields one double-byte character between ASCII letters. A run
///    needs consecutive high bytes each followed by a letter ("rock’n’roll"
///    gives two), so at least one run of three is required.
/// 2. Common characters: real text is dominated by symbols, kana and JIS
///    level-1 kanji (lead bytes 0x81-0x83, 0x87, 0x88-0x98). Accented
///    lowercase letters (0xE0-0xFC) land in level-2 kanji, the IBM
///    extensions or the private-use area, and accented capitals
///    (0xC0-0xDF) in half-width katakana; the level-1 leads are
///    windows-1252's rare typographic marks (‰ Š Œ ‘ ’ “ ” – —).
///
/// So: Shift_JIS when the prefix decodes without any error, contains a run
/// of at least three common double-byte characters, and the common
/// characters standing in runs outnumber all its other non-ASCII
/// characters. Files of half-width katakana only or of lone two-character
/// words fall to windows-1252 here; the marketplace hint covers JP accounts
/// regardless.
fn looks_like_shift_jis(prefix: &[u8], complete: bool) -> bool {
    if !decodes_without_errors(SHIFT_JIS, prefix, complete) {
        return false;
    }
    let mut tally = Tally::default();
    let mut i = 0;
    while i < prefix.len() {
        let byte = prefix[i];
        if is_sjis_lead(byte) {
            // The prefix decoded cleanly, so a lead is followed by its
            // trail byte unless it was cut off at the end of the prefix.
            if i + 1 >= prefix.len() {
                break;
            }
            tally.double_byte(is_common_sjis_lead(byte));
            i += 2;
        } else {
            tally.end_run();
            if byte >= 0x80 {
                // Half-width katakana (0xA1-0xDF) or 0x80.
                tally.others += 1;
            }
            i += 1;
        }
    }
    tally.end_run();
    tally.longest_common_run >= 3 && tally.in_runs > tally.others
}

/// Counts for [`looks_like_shift_jis`].
#[derive(Default)]
struct Tally {
    /// Common double-byte characters standing in runs of two or more.
    in_runs: usize,
    /// Every other non-ASCII character.
    others: usize,
    longest_common_run: usize,
    /// The current run of consecutive double-byte characters.
    run_len: usize,
    run_common: usize,
}

impl Tally {
    fn double_byte(&mut self, common: bool) {
        self.run_len += 1;
        self.run_common += usize::from(common);
    }

    fn end_run(&mut self) {
        if self.run_len >= 2 {
            self.in_runs += self.run_common;
            self.others += self.run_len - self.run_common;
            self.longest_common_run = self.longest_common_run.max(self.run_common);
        } else {
            // A lone double-byte character is what an accent before an
            // ASCII letter produces, so it counts against Japanese.
            self.others += self.run_len;
        }
        self.run_len = 0;
        self.run_common = 0;
    }
}

/// Lead bytes of Shift_JIS double-byte characters (cp932 ranges).
fn is_sjis_lead(byte: u8) -> bool {
    matches!(byte, 0x81..=0x9f | 0xe0..=0xfc)
}

/// Lead bytes of the characters ordinary Japanese text is made of: symbols
/// and punctuation (0x81), full-width alphanumerics and hiragana (0x82),
/// katakana (0x83), NEC special characters such as ① and ㈱ (0x87) and the
/// JIS level-1 kanji (0x88-0x98).
fn is_common_sjis_lead(byte: u8) -> bool {
    matches!(byte, 0x81..=0x83 | 0x87..=0x98)
}

/// Whether `bytes` decode in `encoding` without a single malformed sequence.
/// When `complete` is false a character cut off at the end is not an error.
fn decodes_without_errors(encoding: &'static Encoding, bytes: &[u8], complete: bool) -> bool {
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let Some(capacity) = decoder.max_utf8_buffer_length_without_replacement(bytes.len()) else {
        return false;
    };
    let mut text = String::with_capacity(capacity);
    let (result, _read) = decoder.decode_to_string_without_replacement(bytes, &mut text, complete);
    matches!(result, DecoderResult::InputEmpty)
}

/// Decompresses gzip members one after another (Amazon and `cat a.gz b.gz`
/// both produce multi-member files) and labels decompression failures, so
/// the user learns that the file, not the disk, is the problem.
struct Gunzip<R: Read>(MultiGzDecoder<R>);

impl<R: Read> Read for Gunzip<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf).map_err(|err| match err.kind() {
            // flate2 reports a bad header or checksum as InvalidInput, bad
            // deflate data as InvalidInput/InvalidData and a cut-off stream
            // as UnexpectedEof; other kinds come from the file underneath.
            ErrorKind::InvalidInput | ErrorKind::InvalidData | ErrorKind::UnexpectedEof => {
                io::Error::new(
                    ErrorKind::InvalidData,
                    format!(
                        "not valid gzip: the file starts with the gzip signature but cannot be \
                         decompressed ({err}); it is probably truncated or damaged, download it \
                         again (or check it with `gzip -t`)"
                    ),
                )
            }
            _ => err,
        })
    }
}

/// Runs a reader on a thread of its own, a few blocks ahead of the one
/// reading from it. Decompressing a big gzipped export takes a core about
/// half as long as reading its rows takes another; ahead, it no longer
/// takes turns with them. The thread ends with the reader: dropping it
/// stops the thread at its next block and waits for it.
struct ReadAhead {
    blocks: Receiver<io::Result<Vec<u8>>>,
    block: Vec<u8>,
    at: usize,
    /// Set once the stream has ended or failed.
    over: Option<Box<dyn Read + Send>>,
    thread: Option<JoinHandle<()>>,
}

/// Bytes a block carries, and blocks in flight: enough to keep the reader
/// busy, a few megabytes at most.
const AHEAD_BLOCK: usize = 1 << 20;
const AHEAD_BLOCKS: usize = 4;

impl ReadAhead {
    fn new(mut source: impl Read + Send + 'static) -> ReadAhead {
        let (sender, blocks) = sync_channel(AHEAD_BLOCKS);
        let thread = std::thread::spawn(move || {
            loop {
                // As in `read_head`: read_to_end retries on Interrupted and
                // keeps what it read before an error.
                let mut block = Vec::with_capacity(AHEAD_BLOCK);
                let failed = (&mut source)
                    .take(AHEAD_BLOCK as u64)
                    .read_to_end(&mut block)
                    .err();
                let n = block.len();
                // The bytes before an error go first, as the source gave
                // them. A send that fails means the reader stopped early.
                if n > 0 && sender.send(Ok(block)).is_err() {
                    break;
                }
                match failed {
                    Some(err) => {
                        let _ = sender.send(Err(err));
                        break;
                    }
                    // Short of a full block without an error: the end,
                    // said with an empty block.
                    None if n < AHEAD_BLOCK => {
                        let _ = sender.send(Ok(Vec::new()));
                        break;
                    }
                    None => {}
                }
            }
        });
        ReadAhead {
            blocks,
            block: Vec::new(),
            at: 0,
            over: None,
            thread: Some(thread),
        }
    }
}

impl Drop for ReadAhead {
    fn drop(&mut self) {
        // Without a receiver the thread's next send fails and it stops;
        // a panic in it has already been reported as a read error.
        drop(std::mem::replace(&mut self.blocks, sync_channel(0).1));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Read for ReadAhead {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.at == self.block.len() {
            if let Some(over) = &mut self.over {
                return over.read(buf);
            }
            match self.blocks.recv() {
                Ok(Ok(block)) if block.is_empty() => self.over = Some(Box::new(io::empty())),
                Ok(Ok(block)) => (self.block, self.at) = (block, 0),
                Ok(Err(err)) => self.over = Some(Box::new(FailedRead::new(err))),
                // The thread ended without saying so: it panicked.
                Err(_) => {
                    let err = io::Error::other("decompression stopped unexpectedly");
                    self.over = Some(Box::new(FailedRead::new(err)));
                }
            }
        }
        let n = buf.len().min(self.block.len() - self.at);
        buf[..n].copy_from_slice(&self.block[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// A reader that fails: stands in for the rest of a stream whose reading
/// failed while its head was being read ahead.
struct FailedRead {
    first: Option<io::Error>,
    kind: ErrorKind,
    message: String,
}

impl FailedRead {
    fn new(err: io::Error) -> Self {
        FailedRead {
            kind: err.kind(),
            message: err.to_string(),
            first: Some(err),
        }
    }
}

impl Read for FailedRead {
    fn read(&mut self, _buf: &mut [u8]) -> io::Result<usize> {
        // The original error once (it may carry a source chain), then a
        // copy of it for callers that read again after an error.
        Err(self
            .first
            .take()
            .unwrap_or_else(|| io::Error::new(self.kind, self.message.clone())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::xorshift;
    use flate2::Compression;
    use flate2::write::GzEncoder;
    use std::io::Write;
    use std::path::PathBuf;

    /// A file named `name` in a fresh temp folder, both removed when dropped.
    struct TempFile {
        _dir: tempfile::TempDir,
        path: PathBuf,
    }

    impl TempFile {
        fn with(name: &str, bytes: &[u8]) -> Self {
            let dir = tempfile::Builder::new()
                .prefix("ahr-decode-test-")
                .tempdir()
                .expect("create temp folder");
            let path = dir.path().join(name);
            std::fs::write(&path, bytes).expect("write temp file");
            TempFile { _dir: dir, path }
        }

        fn path(&self) -> &Path {
            &self.path
        }
    }

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
        encoder.write_all(bytes).unwrap();
        encoder.finish().unwrap()
    }

    fn sjis(text: &str) -> Vec<u8> {
        let (bytes, _, had_errors) = SHIFT_JIS.encode(text);
        assert!(!had_errors, "test text must be encodable in Shift_JIS");
        bytes.into_owned()
    }

    fn cp1252(text: &str) -> Vec<u8> {
        let (bytes, _, had_errors) = WINDOWS_1252.encode(text);
        assert!(!had_errors, "test text must be encodable in windows-1252");
        bytes.into_owned()
    }

    fn read_all(file: &mut DecodedFile) -> io::Result<String> {
        let mut text = String::new();
        file.reader.read_to_string(&mut text)?;
        Ok(text)
    }

    fn open_and_read(bytes: &[u8], hint: bool) -> (String, TextEncoding, bool) {
        let tmp = TempFile::with("data.txt", bytes);
        let mut file = open_text(tmp.path(), hint).expect("open");
        let text = read_all(&mut file).expect("read");
        (text, file.encoding, file.gzip)
    }

    #[test]
    fn names_are_stable() {
        let names: Vec<_> = [
            TextEncoding::Utf8,
            TextEncoding::Utf8Bom,
            TextEncoding::Windows1252,
            TextEncoding::ShiftJis,
            TextEncoding::Utf16Le,
            TextEncoding::Utf16Be,
        ]
        .iter()
        .map(|e| e.as_str())
        .collect();
        assert_eq!(
            names,
            [
                "utf-8",
                "utf-8-bom",
                "windows-1252",
                "shift_jis",
                "utf-16le",
                "utf-16be"
            ]
        );
        assert_eq!(TextEncoding::ShiftJis.to_string(), "shift_jis");
    }

    #[test]
    fn utf8_without_bom_passes_through() {
        let input = "amazon-order-id\tproduct-name\n111-1\tMüller Kaffee ☕ 注文\n";
        assert_eq!(
            decode_bytes(input.as_bytes(), false),
            (input.to_string(), TextEncoding::Utf8)
        );
        // The JP hint never overrides valid UTF-8.
        assert_eq!(decode_bytes(input.as_bytes(), true).1, TextEncoding::Utf8);
        assert_eq!(
            open_and_read(input.as_bytes(), false),
            (input.to_string(), TextEncoding::Utf8, false)
        );
    }

    #[test]
    fn utf8_bom_is_detected_and_stripped() {
        let mut input = UTF8_BOM.to_vec();
        input.extend_from_slice("sku\tprice\nAB-1\t9,99 €\n".as_bytes());
        let expected = "sku\tprice\nAB-1\t9,99 €\n".to_string();
        assert_eq!(
            decode_bytes(&input, false),
            (expected.clone(), TextEncoding::Utf8Bom)
        );
        assert_eq!(
            open_and_read(&input, true),
            (expected, TextEncoding::Utf8Bom, false)
        );
        // A file that is nothing but the BOM is empty text.
        assert_eq!(
            decode_bytes(&UTF8_BOM, false),
            (String::new(), TextEncoding::Utf8Bom)
        );
    }

    #[test]
    fn windows_1252_german_export_decodes() {
        let input = b"Bestell-Nr.\tK\xe4ufer\tBetrag\n302-1\tM\xfcller\t\x8012,50\n";
        let expected = "Bestell-Nr.\tKäufer\tBetrag\n302-1\tMüller\t€12,50\n";
        assert_eq!(
            decode_bytes(input, false),
            (expected.to_string(), TextEncoding::Windows1252)
        );
        assert_eq!(
            open_and_read(input, false),
            (expected.to_string(), TextEncoding::Windows1252, false)
        );
    }

    #[test]
    fn windows_1252_text_is_not_mistaken_for_shift_jis() {
        // Each of these is valid in windows-1252; several also decode as
        // Shift_JIS without errors, which is exactly the trap to avoid.
        let samples = [
            "Bestell-Nr.\tKäufer\tStraße\tGröße\n",
            "générée\n",
            "Crème brûlée\tcafé\n",
            "rock’n’roll\n",
            "Children’s shoes\tMen’s “Classic”\n",
            "Año\tniño\tcañón\tpequeño\n",
            "Città\tperché\tqualità\n",
            "Smörgåsbord\tÅre\tVästerås\n",
            "Œuvres complètes\t‰\t–\t—\t™\n",
            "STRAßE\tGRÖßE\tÄÖÜ\n",
            "aé\nbé\ncé\ndé",
            "Dédé\téléphant\n",
        ];
        for sample in samples {
            let bytes = cp1252(sample);
            for text in [bytes.clone(), bytes.repeat(50)] {
                let (decoded, encoding) = decode_bytes(&text, false);
                assert_eq!(encoding, TextEncoding::Windows1252, "{sample:?}");
                assert!(decoded.starts_with(sample), "{sample:?}");
            }
        }
    }

    #[test]
    fn shift_jis_headers_are_detected_with_and_without_hint() {
        let text = "注文番号\t購入日\n";
        let bytes = sjis(text);
        assert!(std::str::from_utf8(&bytes).is_err());
        for hint in [false, true] {
            assert_eq!(
                decode_bytes(&bytes, hint),
                (text.to_string(), TextEncoding::ShiftJis)
            );
            assert_eq!(
                open_and_read(&bytes, hint),
                (text.to_string(), TextEncoding::ShiftJis, false)
            );
        }
    }

    #[test]
    fn shift_jis_export_with_kana_and_halfwidth_is_detected() {
        let text = "注文番号\t購入日\t商品名\tステータス\t数量\n\
                    250-1234567-1234567\t2024/01/13\tﾎﾟｰﾀﾌﾞﾙ充電器 ①\t発送済み\t1\n\
                    250-7654321-7654321\t2024/01/14\tＵＳＢケーブル（白）\t保留中\t2\n";
        let bytes = sjis(text);
        assert_eq!(
            decode_bytes(&bytes, false),
            (text.to_string(), TextEncoding::ShiftJis)
        );
    }

    #[test]
    fn shift_jis_without_japanese_evidence_needs_the_hint() {
        // Half-width katakana alone is also what accented capitals in
        // windows-1252 look like, so only the hint makes it Japanese.
        let bytes = sjis("ｶﾀｶﾅ\n");
        assert_eq!(decode_bytes(&bytes, false).1, TextEncoding::Windows1252);
        assert_eq!(
            decode_bytes(&bytes, true),
            ("ｶﾀｶﾅ\n".to_string(), TextEncoding::ShiftJis)
        );
    }

    #[test]
    fn gzip_of_utf8_and_of_windows_1252() {
        let utf8 = "item-name\tseller-sku\nKaffeebecher ☕\tK-1\n";
        assert_eq!(
            open_and_read(&gzip(utf8.as_bytes()), false),
            (utf8.to_string(), TextEncoding::Utf8, true)
        );

        let latin = b"Bestell-Nr.\tK\xe4ufer\n302-1\tM\xfcller \x80\n";
        assert_eq!(
            open_and_read(&gzip(latin), false),
            (
                "Bestell-Nr.\tKäufer\n302-1\tMüller €\n".to_string(),
                TextEncoding::Windows1252,
                true
            )
        );
    }

    #[test]
    fn gzip_is_detected_by_content_not_name() {
        let tmp = TempFile::with("orders.txt.gz", b"plain\ttext\n");
        let mut file = open_text(tmp.path(), false).unwrap();
        assert!(!file.gzip);
        assert_eq!(read_all(&mut file).unwrap(), "plain\ttext\n");

        let tmp = TempFile::with("orders.txt", &gzip(b"a\tb\n"));
        let mut file = open_text(tmp.path(), false).unwrap();
        assert!(file.gzip);
        assert_eq!(read_all(&mut file).unwrap(), "a\tb\n");
    }

    #[test]
    fn multi_member_gzip_is_read_whole() {
        let mut both = gzip(b"header\n");
        both.extend_from_slice(&gzip(b"row\n"));
        assert_eq!(open_and_read(&both, false).0, "header\nrow\n");
    }

    #[test]
    fn corrupt_gzip_is_an_error_on_read() {
        let good = gzip("sku\tprice\n".repeat(1000).as_bytes());
        let mut bad_body = good.clone();
        for byte in &mut bad_body[12..20] {
            *byte ^= 0x5a;
        }
        let truncated = good[..good.len() / 2].to_vec();
        let bad_header = vec![0x1f, 0x8b, 0xff, 0xff, 0x00, 0x01, 0x02];
        for bytes in [bad_body, truncated, bad_header] {
            let tmp = TempFile::with("bad.gz", &bytes);
            let mut file = open_text(tmp.path(), false).expect("opening succeeds");
            assert!(file.gzip);
            let err = read_all(&mut file).unwrap_err();
            assert!(err.to_string().contains("not valid gzip"), "{err}");
            // Reading again keeps failing instead of pretending to be at EOF.
            let mut buf = [0u8; 16];
            assert!(file.reader.read(&mut buf).is_err());
        }
    }

    #[test]
    fn gzip_read_ahead_gives_every_byte_in_order_and_lets_go_early() {
        // Several read-ahead blocks, ending mid-block.
        let text: String = (0..(3 * AHEAD_BLOCK / 16 + 5))
            .map(|i| format!("{i:011},row\n"))
            .collect();
        assert!(text.len() > 3 * AHEAD_BLOCK);
        let tmp = TempFile::with("big.csv.gz", &gzip(text.as_bytes()));
        let mut file = open_text(tmp.path(), false).unwrap();
        assert!(file.gzip);
        assert_eq!(read_all(&mut file).unwrap(), text);
        let mut buf = [0u8; 16];
        assert_eq!(
            file.reader.read(&mut buf).unwrap(),
            0,
            "at the end it stays there"
        );
        // A reader dropped after a few bytes does not wait for the rest.
        let mut file = open_text(tmp.path(), false).unwrap();
        file.reader.read_exact(&mut buf).unwrap();
        assert_eq!(&buf, b"00000000000,row\n");
        drop(file);
    }

    #[test]
    fn the_read_ahead_thread_ends_with_its_reader() {
        use std::sync::Arc;
        use std::sync::atomic::{AtomicBool, Ordering};
        /// Endless bytes, saying when the thread reading them lets go.
        struct Endless(Arc<AtomicBool>);
        impl Read for Endless {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                buf.fill(b'x');
                Ok(buf.len())
            }
        }
        impl Drop for Endless {
            fn drop(&mut self) {
                self.0.store(true, Ordering::SeqCst);
            }
        }
        let released = Arc::new(AtomicBool::new(false));
        let mut reader = ReadAhead::new(Endless(released.clone()));
        let mut buf = [0u8; 4];
        reader.read_exact(&mut buf).unwrap();
        assert_eq!(&buf, b"xxxx");
        drop(reader);
        // The thread has stopped, and dropped its source, before the
        // reader's drop returned: nothing outlives an audit.
        assert!(released.load(Ordering::SeqCst));
    }

    #[test]
    fn corrupt_gzip_after_the_prefix_is_an_error_on_read() {
        // Incompressible-ish content so the damage lies well past 64 KiB of
        // output, after detection has finished.
        let mut state = 1u64;
        let text: String = (0..400_000)
            .map(|_| {
                state = xorshift(state);
                char::from(b'a' + (state % 26) as u8)
            })
            .collect();
        let mut bytes = gzip(text.as_bytes());
        let n = bytes.len();
        bytes[n - 6] ^= 0xff; // inside the CRC32/size trailer
        let tmp = TempFile::with("late.gz", &bytes);
        let mut file = open_text(tmp.path(), false).unwrap();
        assert_eq!(file.encoding, TextEncoding::Utf8);
        let err = read_all(&mut file).unwrap_err();
        assert!(err.to_string().contains("not valid gzip"), "{err}");
    }

    #[test]
    fn utf8_char_straddling_the_prefix_boundary_stays_intact() {
        for offset in 1..=3 {
            // "€" is three bytes; put its first `offset` bytes at the end of
            // the prefix and the rest after it.
            let mut text = "a".repeat(PREFIX_LEN - offset);
            text.push_str("€ tail\n");
            let (decoded, encoding) = decode_bytes(text.as_bytes(), false);
            assert_eq!(encoding, TextEncoding::Utf8);
            assert_eq!(decoded, text);
            let (read, encoding, _) = open_and_read(&gzip(text.as_bytes()), false);
            assert_eq!(encoding, TextEncoding::Utf8);
            assert_eq!(read, text);
        }
    }

    #[test]
    fn truncated_utf8_at_the_real_end_is_not_utf8() {
        // The whole file fits in the prefix, so a cut-off character at its
        // end is a real decoding error and the fallback applies.
        let bytes = b"Caf\xc3";
        assert_eq!(
            decode_bytes(bytes, false),
            ("CafÃ".to_string(), TextEncoding::Windows1252)
        );
    }

    #[test]
    fn shift_jis_char_straddling_the_prefix_boundary_stays_intact() {
        let mut text = "注文番号\t購入日\n".to_string();
        let ascii = PREFIX_LEN - sjis(&text).len() - 1;
        text.push_str(&"x".repeat(ascii));
        text.push_str("発送済み\n");
        let bytes = sjis(&text);
        assert!(is_sjis_lead(bytes[PREFIX_LEN - 1]));
        assert_eq!(
            decode_bytes(&bytes, false),
            (text.clone(), TextEncoding::ShiftJis)
        );
    }

    #[test]
    fn late_non_utf8_bytes_pass_through_for_the_csv_layer() {
        // Detection is on the prefix only; the raw stream keeps later bytes
        // unchanged so the CSV layer can report the exact row.
        let mut bytes = "a\n".repeat(PREFIX_LEN).into_bytes();
        bytes.extend_from_slice(b"M\xfcller\n");
        let tmp = TempFile::with("late.txt", &bytes);
        let mut file = open_text(tmp.path(), false).unwrap();
        assert_eq!(file.encoding, TextEncoding::Utf8);
        let mut raw = Vec::new();
        file.reader.read_to_end(&mut raw).unwrap();
        assert_eq!(raw, bytes);
        // decode_bytes has to return a String and substitutes instead.
        let (text, _) = decode_bytes(&bytes, false);
        assert!(text.ends_with("M\u{fffd}ller\n"));
    }

    /// `text` in UTF-16, little- and big-endian, without a byte-order mark.
    fn utf16(text: &str) -> (Vec<u8>, Vec<u8>) {
        let units = text.encode_utf16();
        let le = units.clone().flat_map(u16::to_le_bytes).collect();
        let be = units.flat_map(u16::to_be_bytes).collect();
        (le, be)
    }

    #[test]
    fn utf16_with_bom_decodes() {
        let text = "sku\tprice\nAB-1\t9,99 €\tÜ\t注文\n";
        let (le, be) = utf16(text);
        let le = [&UTF16LE_BOM[..], &le].concat();
        let be = [&UTF16BE_BOM[..], &be].concat();
        assert_eq!(
            decode_bytes(&le, false),
            (text.to_string(), TextEncoding::Utf16Le)
        );
        assert_eq!(
            decode_bytes(&be, true),
            (text.to_string(), TextEncoding::Utf16Be)
        );
        assert_eq!(
            open_and_read(&gzip(&le), false),
            (text.to_string(), TextEncoding::Utf16Le, true)
        );
    }

    #[test]
    fn utf16_without_bom_is_told_by_its_nul_bytes() {
        let text = "order_id\tpurchase_date\n113-1\t2026-11-01\tMüller 注文\n";
        let (le, be) = utf16(text);
        assert_eq!(
            decode_bytes(&le, false),
            (text.to_string(), TextEncoding::Utf16Le)
        );
        assert_eq!(
            decode_bytes(&be, false),
            (text.to_string(), TextEncoding::Utf16Be)
        );
        // A NUL or two inside a UTF-8 field is no pattern.
        let nul_in_a_field = b"sent_at,body\n2026-11-02,Thank\0you\0\n";
        assert_eq!(decode_bytes(nul_in_a_field, false).1, TextEncoding::Utf8);
        // An odd number of bytes is no UTF-16 text.
        let mut odd = le.clone();
        odd.push(b'x');
        assert_ne!(decode_bytes(&odd, false).1, TextEncoding::Utf16Le);
    }

    #[test]
    fn workbooks_and_archives_are_told_by_their_first_bytes() {
        let open = |bytes: &[u8]| decode_source(Box::new(Cursor::new(bytes.to_vec())), false);
        let mut xlsx = b"PK\x03\x04\x14\x00\x06\x00[Content_Types].xml".to_vec();
        xlsx.extend_from_slice(b"\x00\x00PK\x03\x04xl/workbook.xml\xff");
        assert_eq!(open(&xlsx).not_text, Some(NotText::ExcelWorkbook));
        let ods = b"PK\x03\x04\x14\x00mimetypeapplication/vnd.oasis.opendocument.spreadsheet";
        assert_eq!(open(ods).not_text, Some(NotText::OpenDocumentSpreadsheet));
        let zip = b"PK\x03\x04\x14\x00\x08\x00feedback.csv\x8d\x90";
        assert_eq!(open(zip).not_text, Some(NotText::Zip));
        assert_eq!(open(&gzip(zip)).not_text, Some(NotText::Zip));
        let xls = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0, 0];
        assert_eq!(open(&xls).not_text, Some(NotText::OldExcelWorkbook));
        // A CSV whose first value merely starts with PK is text.
        assert_eq!(open(b"PK-1,2026-11-01\n").not_text, None);
    }

    #[test]
    fn tiny_reads_keep_the_final_replacement_character() {
        // An odd trailing byte in UTF-16 and a lone lead byte at the end of
        // Shift_JIS both end in U+FFFD, which must arrive whole however
        // small the caller's reads are.
        let utf16 = [0xfe, 0xff, 0x00, 0x41, 0x00];
        let shift_jis = [b'A', 0x82, 0xa0, 0x82];
        for (bytes, hint) in [(&utf16[..], false), (&shift_jis[..], true)] {
            for chunk in 1..=5 {
                let mut file = decode_source(Box::new(Cursor::new(bytes.to_vec())), hint);
                let out = read_in_chunks(&mut file.reader, chunk).unwrap();
                assert_eq!(
                    String::from_utf8(out).unwrap(),
                    decode_bytes(bytes, hint).0,
                    "chunk {chunk}"
                );
            }
        }
        assert_eq!(decode_bytes(&utf16, false).0, "A\u{fffd}");
        assert_eq!(decode_bytes(&shift_jis, true).0, "Aあ\u{fffd}");
    }

    #[test]
    fn empty_input() {
        assert_eq!(
            decode_bytes(b"", false),
            (String::new(), TextEncoding::Utf8)
        );
        assert_eq!(
            open_and_read(b"", true),
            (String::new(), TextEncoding::Utf8, false)
        );
        assert_eq!(
            open_and_read(&gzip(b""), false),
            (String::new(), TextEncoding::Utf8, true)
        );
    }

    #[test]
    fn amazon_listings_sample_is_utf8() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/samples/amazon/merchant-listings-all-data.sample.txt");
        // The sample lives beside the repository, not in it.
        let Ok(expected) = std::fs::read(&path) else {
            return;
        };
        let mut file = open_text(&path, false).unwrap();
        assert_eq!(file.encoding, TextEncoding::Utf8);
        assert!(!file.gzip);
        let text = read_all(&mut file).unwrap();
        assert_eq!(text.as_bytes(), &expected[..]);
        assert!(text.starts_with("item-name\titem-description\tlisting-id\tseller-sku"));
    }

    #[test]
    fn open_errors_name_the_path_and_the_fix() {
        let dir = tempfile::Builder::new()
            .prefix("ahr-decode-test-")
            .tempdir()
            .unwrap();
        let err = open_text(dir.path(), false).unwrap_err();
        let message = format!("{err:#}");
        assert!(
            message.contains(&dir.path().display().to_string()),
            "{message}"
        );
        assert!(message.contains("is a directory"), "{message}");

        let missing = dir.path().join("no-such-file.txt");
        let err = open_text(&missing, false).unwrap_err();
        let message = format!("{err:#}");
        assert!(
            message.contains(&missing.display().to_string()),
            "{message}"
        );
        assert!(message.contains("does not exist"), "{message}");
        assert!(message.contains("check the path"), "{message}");
    }

    #[cfg(unix)]
    #[test]
    fn open_error_for_unreadable_file() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = TempFile::with("locked.txt", b"x");
        std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o000)).unwrap();
        // root can read anything, so this only checks the message when the
        // open really fails.
        if let Err(err) = open_text(tmp.path(), false) {
            let message = format!("{err:#}");
            assert!(
                message.contains(&tmp.path().display().to_string()),
                "{message}"
            );
            assert!(message.contains("permission denied"), "{message}");
        }
    }

    /// Reads `reader` to the end in chunks of `chunk` bytes, so the small
    /// buffer paths of the decoders are exercised too.
    fn read_in_chunks(reader: &mut dyn Read, chunk: usize) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        let mut buf = vec![0u8; chunk];
        loop {
            match reader.read(&mut buf)? {
                0 => return Ok(out),
                n => out.extend_from_slice(&buf[..n]),
            }
        }
    }

    #[test]
    fn random_bytes_never_panic() {
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = || {
            state = xorshift(state);
            state
        };
        let starts: [&[u8]; 5] = [b"", &UTF8_BOM, &UTF16LE_BOM, &UTF16BE_BOM, &GZIP_MAGIC];
        for round in 0..3000 {
            let len = if round % 500 == 0 {
                PREFIX_LEN + (next() % 4096) as usize
            } else {
                (next() % 600) as usize
            };
            let mut bytes = starts[(next() % 5) as usize].to_vec();
            // Mix of plain random bytes and runs biased to high bytes, which
            // is where the decoders and the heuristic do their work.
            let bias = next() % 3;
            bytes.extend((0..len).map(|_| {
                let r = next();
                match bias {
                    0 => r as u8,
                    1 => 0x80 | r as u8,
                    _ => b"\t\n a\x81\x82\x83\x88\x93\xe9\xfc\xa1\xdf\xc3\xa9"[(r % 15) as usize],
                }
            }));
            for hint in [false, true] {
                let (text, encoding) = decode_bytes(&bytes, hint);
                if encoding == TextEncoding::Utf8 && std::str::from_utf8(&bytes).is_ok() {
                    assert_eq!(text.as_bytes(), &bytes[..]);
                }
                // The full open path, gzip sniffing included, on a reader.
                let chunk = 1 + (next() % 9) as usize;
                let mut file = decode_source(Box::new(Cursor::new(bytes.clone())), hint);
                if let Ok(out) = read_in_chunks(&mut file.reader, chunk)
                    && file.encoding.transcoder().is_some()
                {
                    assert!(std::str::from_utf8(&out).is_ok(), "{:?}", file.encoding);
                }
            }
        }
    }
}
