//! Batch output: the summary table, the batch JSON document written as
//! reports arrive (in account-id order, whatever the number of threads),
//! and JSON Lines streamed in order of completion. A file given with `-o`
//! is written to a temporary sibling and renamed into place at the end, so
//! it is whole or absent, like every report ahr writes.

use super::{AccountError, SummaryRow};
use crate::i18n::plural;
use crate::linkage::Link;
use crate::output::AtomicFile;
use anyhow::Result;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{BufWriter, Write};
use std::path::Path;

/// How the batch is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BatchFormat {
    Table,
    Json,
    Jsonl,
}

enum Out {
    Stdout(BufWriter<std::io::Stdout>),
    File(AtomicFile),
}

impl Out {
    fn writer(&mut self) -> &mut dyn Write {
        match self {
            Out::Stdout(w) => w,
            Out::File(f) => f,
        }
    }
}

/// Where reports go as they finish.
pub struct Sink {
    format: BatchFormat,
    out: Out,
    /// JSON: finished reports, rendered, waiting for the ones before them
    /// (`None`: an account that failed and leaves a gap).
    pending: BTreeMap<usize, Option<String>>,
    next: usize,
    written: usize,
}

impl Sink {
    /// Opens the output (stdout, or `path` written atomically) and writes
    /// the start of the document.
    pub fn open(format: BatchFormat, path: Option<&Path>) -> Result<Sink> {
        let out = match path {
            Some(p) => Out::File(AtomicFile::create(p)?),
            None => Out::Stdout(BufWriter::new(std::io::stdout())),
        };
        let mut sink = Sink {
            format,
            out,
            pending: BTreeMap::new(),
            next: 0,
            written: 0,
        };
        if format == BatchFormat::Json {
            sink.out.writer().write_all(b"{\n  \"accounts\": [")?;
        }
        Ok(sink)
    }

    /// Takes the report of the account at `position` in the plan's member
    /// list, rendered by [`account_text`] (`None`: the account failed, or
    /// the format renders no per-account text).
    pub fn account(&mut self, position: usize, text: Option<String>) -> Result<()> {
        match self.format {
            BatchFormat::Table => Ok(()),
            BatchFormat::Jsonl => {
                if let Some(line) = text {
                    let w = self.out.writer();
                    w.write_all(line.as_bytes())?;
                    w.write_all(b"\n")?;
                    w.flush()?;
                }
                Ok(())
            }
            BatchFormat::Json => {
                self.pending.insert(position, text);
                while let Some(ready) = self.pending.remove(&self.next) {
                    self.next += 1;
                    if let Some(text) = ready {
                        let sep = if self.written == 0 { "\n" } else { ",\n" };
                        let w = self.out.writer();
                        w.write_all(sep.as_bytes())?;
                        w.write_all(text.as_bytes())?;
                        self.written += 1;
                    }
                }
                Ok(())
            }
        }
    }

    /// Writes an error line at once (JSON Lines), so a consumer of the
    /// stream sees failures as they happen.
    pub fn error(&mut self, error: &AccountError) -> Result<()> {
        if self.format == BatchFormat::Jsonl {
            let line = serde_json::to_string(&serde_json::json!({ "error": error }))?;
            let w = self.out.writer();
            w.write_all(line.as_bytes())?;
            w.write_all(b"\n")?;
            w.flush()?;
        }
        Ok(())
    }

    /// Writes the end: links, errors and ignored entries (JSON, JSON Lines)
    /// or the whole summary (table), and commits a file output.
    pub fn finish(mut self, end: &BatchEnd<'_>) -> Result<()> {
        match self.format {
            BatchFormat::Table => {
                let text = summary_table(end);
                self.out.writer().write_all(text.as_bytes())?;
            }
            BatchFormat::Jsonl => {
                let line = serde_json::to_string(&serde_json::json!({
                    "links": end.links,
                    "errors": end.errors,
                    "ignored": end.ignored,
                }))?;
                let w = self.out.writer();
                w.write_all(line.as_bytes())?;
                w.write_all(b"\n")?;
            }
            BatchFormat::Json => {
                let mut text = String::new();
                text.push_str(if self.written == 0 {
                    "],\n"
                } else {
                    "\n  ],\n"
                });
                for (key, value) in [
                    ("links", serde_json::to_value(end.links)?),
                    ("errors", serde_json::to_value(end.errors)?),
                    ("ignored", serde_json::to_value(end.ignored)?),
                ] {
                    let _ = write!(
                        text,
                        "  \"{key}\": {}",
                        indent(&serde_json::to_string_pretty(&value)?, 2)
                    );
                    text.push_str(if key == "ignored" { "\n" } else { ",\n" });
                }
                text.push_str("}\n");
                self.out.writer().write_all(text.as_bytes())?;
            }
        }
        match self.out {
            Out::Stdout(mut w) => w.flush()?,
            Out::File(f) => f.commit()?,
        }
        Ok(())
    }
}

/// One account's report as the batch output holds it: a line of JSON
/// Lines, or an entry of the JSON document's `accounts`. Rendering is the
/// costly part of writing, so workers call this, not the writing thread.
pub fn account_text<R: Serialize>(format: BatchFormat, report: &R) -> Result<Option<String>> {
    Ok(match format {
        BatchFormat::Table => None,
        BatchFormat::Jsonl => Some(serde_json::to_string(report)?),
        BatchFormat::Json => Some(format!(
            "    {}",
            indent(&serde_json::to_string_pretty(report)?, 4)
        )),
    })
}

/// Everything the end of a batch output says.
pub struct BatchEnd<'a> {
    pub root: &'a str,
    /// Sorted by risk.
    pub rows: &'a [SummaryRow],
    pub links: &'a [Link],
    pub errors: &'a [AccountError],
    pub ignored: &'a [String],
    /// "shard 1/2 of 10 accounts", when sharded.
    pub scope: Option<String>,
}

/// Indents every line but the first by `n` spaces (the first follows a
/// key or is indented by the caller). JSON strings hold no raw newlines, so
/// this only moves whitespace.
fn indent(text: &str, n: usize) -> String {
    text.replace('\n', &format!("\n{}", " ".repeat(n)))
}

/// The human summary: one row per account sorted by risk, then the linked
/// groups, then the accounts that could not be audited.
pub fn summary_table(end: &BatchEnd<'_>) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Batch {}: {} audited, {} could not be audited{}",
        end.root,
        plural(end.rows.len() as u64, "account", "accounts"),
        end.errors.len(),
        end.scope
            .as_ref()
            .map(|s| format!(" ({s})"))
            .unwrap_or_default()
    );
    if !end.rows.is_empty() {
        // The quiet style of the single-account table; wider, since an
        // agency's summary has more to say per row.
        let mut table = crate::report::table::new_table();
        table.set_width(100);
        table.set_header(vec![
            "account",
            "score",
            "band",
            "worst finding",
            "findings",
            "linked with",
        ]);
        for row in end.rows {
            table.add_row(vec![
                row.account.clone(),
                row.score.to_string(),
                row.band.clone(),
                row.worst.clone().unwrap_or_else(|| "-".into()),
                row.findings.to_string(),
                if row.linked_with.is_empty() {
                    "-".into()
                } else {
                    row.linked_with.join(", ")
                },
            ]);
        }
        let _ = writeln!(out, "{table}");
    }
    if !end.links.is_empty() {
        let _ = writeln!(
            out,
            "\nLinked accounts (identifiers shared within the batch):"
        );
        for link in end.links {
            let values: Vec<&str> = link.identifiers.iter().map(|i| i.value.as_str()).collect();
            let _ = writeln!(out, "  {}: {}", link.accounts.join(", "), values.join(", "));
        }
    }
    if !end.errors.is_empty() {
        let _ = writeln!(out, "\nCould not audit:");
        for e in end.errors {
            let who = match &e.account {
                Some(id) if id != &e.folder => format!("{} ({id})", e.folder),
                _ => e.folder.clone(),
            };
            let _ = writeln!(out, "  {who}: {}", e.error.replace('\n', "\n    "));
        }
    }
    if !end.ignored.is_empty() {
        let _ = writeln!(
            out,
            "\nNot account folders (no exports): {}",
            end.ignored.join(", ")
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write_doc(name: &str, accounts: &[(usize, Option<serde_json::Value>)]) -> serde_json::Value {
        let dir = tempfile::Builder::new()
            .prefix("ahr-render-")
            .tempdir()
            .unwrap();
        let path = dir.path().join(name);
        let mut sink = Sink::open(BatchFormat::Json, Some(&path)).unwrap();
        for (position, report) in accounts {
            let text = report
                .as_ref()
                .map(|r| account_text(BatchFormat::Json, r).unwrap().unwrap());
            sink.account(*position, text).unwrap();
        }
        sink.finish(&BatchEnd {
            root: "r",
            rows: &[],
            links: &[],
            errors: &[],
            ignored: &[],
            scope: None,
        })
        .unwrap();
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap()
    }

    #[test]
    fn json_documents_are_valid_with_no_accounts_and_in_order_with_gaps() {
        let empty = write_doc("empty.json", &[]);
        assert_eq!(
            empty,
            serde_json::json!({"accounts": [], "links": [], "errors": [], "ignored": []})
        );
        // Finished out of order, position 1 failed: written as 0, 2, 3.
        let doc = write_doc(
            "gaps.json",
            &[
                (2, Some(serde_json::json!({"id": 2}))),
                (0, Some(serde_json::json!({"id": 0}))),
                (3, Some(serde_json::json!({"id": 3}))),
                (1, None),
            ],
        );
        assert_eq!(
            doc["accounts"],
            serde_json::json!([{"id": 0}, {"id": 2}, {"id": 3}])
        );
    }
}
