//! `--watchlist FILE`: identifiers of other accounts, usually ones known to
//! be suspended, one per row (kind, value, account, status). Read with the
//! same streaming table reader as the exports, so delimiters, encodings and
//! header aliases work the same and every bad row is located.

use crate::input::records::IDENTIFIER_KINDS;
use crate::input::schema::{Column, Schema};
use crate::input::table::{InputReport, Table};
use crate::input::values::parse_choice;
use anyhow::{Context, Result};
use std::path::Path;

pub const WATCHLIST: Schema = Schema {
    stem: "watchlist",
    row_is: "an identifier of another account",
    columns: &[
        Column {
            name: "kind",
            aliases: &["type"],
            required: true,
        },
        Column {
            name: "value",
            aliases: &["identifier"],
            required: true,
        },
        Column {
            name: "account",
            aliases: &["account_id", "seller_id", "seller"],
            required: true,
        },
        Column {
            name: "status",
            aliases: &["account_status"],
            required: false,
        },
    ],
    relaxed: &[],
};

/// One watchlist row.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub line: u64,
    pub kind: &'static str,
    pub value: String,
    pub account: String,
    /// Lower-cased; `None` when the row gives none.
    pub status: Option<String>,
}

/// A read watchlist: its rows and what the report's `inputs` says about it.
#[derive(Clone, Debug)]
pub struct Watchlist {
    pub file: String,
    pub entries: Vec<Entry>,
    pub report: InputReport,
}

/// Reads a watchlist file. A missing file or a missing required column is an
/// error; a bad row is skipped and located in the report.
pub fn read(path: &Path) -> Result<Watchlist> {
    let mut table = Table::open(path, &WATCHLIST, false)
        .with_context(|| format!("--watchlist {}", path.display()))?;
    let (kind, value, account, status) = (
        table.index("kind"),
        table.index("value"),
        table.index("account"),
        table.index("status"),
    );
    let mut entries = Vec::new();
    table
        .for_each_row(|row| {
            entries.push(Entry {
                line: row.line,
                kind: parse_choice("kind", row.required(kind, "kind")?, IDENTIFIER_KINDS)?,
                value: row.required(value, "value")?.to_string(),
                account: row.required(account, "account")?.to_string(),
                status: row.get(status)?.map(str::to_lowercase),
            });
            Ok(())
        })
        .with_context(|| format!("--watchlist {}", path.display()))?;
    let mut report = table.into_report();
    report.kind = "watchlist".to_string();
    Ok(Watchlist {
        file: report.file.clone(),
        entries,
        report,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;
    use tempfile::TempDir;

    /// Writes `text` to a file named `name` in a fresh temp folder; the
    /// folder is removed when the returned `TempDir` is dropped.
    fn temp_file(name: &str, text: &str) -> (TempDir, PathBuf) {
        let dir = tempfile::Builder::new()
            .prefix("ahr-watchlist-")
            .tempdir()
            .unwrap();
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        (dir, path)
    }

    #[test]
    fn reads_rows_and_locates_bad_ones() {
        let (_dir, path) = temp_file(
            "watch.csv",
            "Type,Value,Account ID,Status\n\
             bank,DE89 3704 0044 0532 0130 00,shady-eu,Suspended\n\
             fax,+1 555 0100,shady-us,suspended\n\
             phone,,shady-us,suspended\n\
             phone,+1 555 010 0199,shady-us,\n",
        );
        let list = read(&path).unwrap();
        assert_eq!(list.entries.len(), 2);
        assert_eq!(list.entries[0].kind, "bank");
        assert_eq!(list.entries[0].account, "shady-eu");
        assert_eq!(list.entries[0].status.as_deref(), Some("suspended"));
        assert_eq!(list.entries[1].line, 5);
        assert_eq!(list.entries[1].status, None);
        assert_eq!(list.report.kind, "watchlist");
        assert_eq!(list.report.skipped, 2);
        let lines: Vec<Option<u64>> = list.report.problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, vec![Some(3), Some(4)]);
        assert!(list.report.problems[0].message.contains("kind `fax`"));
    }

    #[test]
    fn a_missing_file_or_column_is_an_error() {
        let err = read(Path::new("/no/such/watchlist.csv")).unwrap_err();
        assert!(format!("{err:#}").contains("--watchlist"), "{err:#}");
        let (_dir, path) = temp_file("nocol.csv", "kind,value\nphone,+1 555 0100\n");
        let err = format!("{:#}", read(&path).unwrap_err());
        assert!(err.contains("missing required column `account`"), "{err}");
    }
}
