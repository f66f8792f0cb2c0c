//! The bad-input catalogue, run against the real binary. Every case ends
//! either with exit 0 and the problem located in the report's `inputs`, or
//! with exit 2 and a message that says what is wrong and how to fix it.
//! Never a panic, and the input files' bytes are never changed.

use serde_json::Value;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const ORDERS_HEADER: &str =
    "order_id,purchase_date,status,fulfillment,ship_by,shipped_at,tracking_id,buyer_id,item_price";

fn ahr() -> Command {
    Command::new(env!("CARGO_BIN_EXE_ahr"))
}

/// Every file under `dir` (links not followed) with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(meta) = fs::symlink_metadata(&path) else {
                continue;
            };
            if meta.is_dir() {
                stack.push(path);
            } else if meta.is_file() {
                // Unreadable files (permission cases) are compared by length.
                let bytes = fs::read(&path).unwrap_or_else(|_| vec![0; meta.len() as usize]);
                out.insert(path, bytes);
            }
        }
    }
    out
}

/// A scratch account folder.
struct Case {
    root: tempfile::TempDir,
}

impl Case {
    fn new() -> Case {
        Case {
            root: tempfile::tempdir().unwrap(),
        }
    }

    fn dir(&self) -> PathBuf {
        self.root.path().join("acct")
    }

    fn file(&self, name: &str, bytes: impl AsRef<[u8]>) -> &Case {
        fs::create_dir_all(self.dir()).unwrap();
        fs::write(self.dir().join(name), bytes).unwrap();
        self
    }

    /// Runs `ahr audit` on the folder (or `target`) in JSON and in table
    /// form, checks the shared promises, and returns the JSON run.
    fn audit_at(&self, target: &Path, extra: &[&str]) -> Output {
        let before = snapshot(self.root.path());
        let mut json = None;
        for format in ["json", "table"] {
            let out = ahr()
                .arg("audit")
                .arg(target)
                .args(["--as-of", "2026-11-20", "--format", format])
                .args(extra)
                .output()
                .unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(
                !stderr.contains("panicked"),
                "{format}: ahr panicked:\n{stderr}"
            );
            let code = out.status.code();
            assert!(
                matches!(code, Some(0 | 2)),
                "{format}: exit {code:?}\n{stderr}"
            );
            if code == Some(2) {
                assert!(
                    stderr.starts_with("error") && stderr.lines().count() >= 1,
                    "{format}: exit 2 must explain itself:\n{stderr}"
                );
                assert!(out.stdout.is_empty(), "no half report on stdout");
            }
            if format == "json" {
                if code == Some(0) {
                    serde_json::from_slice::<Value>(&out.stdout)
                        .expect("exit 0 prints one JSON document");
                }
                json = Some(out);
            } else {
                let shown = String::from_utf8_lossy(&out.stdout);
                assert!(
                    !shown.contains(|c: char| c == '\u{1b}'
                        || ('\u{202a}'..='\u{202e}').contains(&c)
                        || ('\u{2066}'..='\u{2069}').contains(&c)),
                    "no raw escape or bidi control reaches the terminal:\n{shown}"
                );
            }
        }
        assert_eq!(
            before,
            snapshot(self.root.path()),
            "input files must be left as they were"
        );
        json.unwrap()
    }

    fn audit(&self) -> Output {
        self.audit_at(&self.dir(), &[])
    }

    /// Audits and expects exit 0; returns the report.
    fn report(&self) -> Value {
        let out = self.audit();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }

    /// Audits and expects exit 2 with every `needles` in the message.
    fn error(&self, needles: &[&str]) -> String {
        let out = self.audit();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        for n in needles {
            assert!(stderr.contains(n), "`{n}` not in:\n{stderr}");
        }
        stderr
    }
}

fn input<'a>(report: &'a Value, kind: &str) -> &'a Value {
    report["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["kind"] == kind)
        .unwrap_or_else(|| panic!("no {kind} input in {report:#}"))
}

fn problems(report: &Value, kind: &str) -> Vec<(Option<u64>, String)> {
    input(report, kind)["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["line"].as_u64(),
                p["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// Deterministic bytes that look like nothing.
fn garbage(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

fn orders(rows: &[&str]) -> String {
    let mut text = format!("{ORDERS_HEADER}\n");
    for r in rows {
        text.push_str(r);
        text.push('\n');
    }
    text
}

/// True when this process can read a file its mode forbids (root).
fn permissions_are_bypassed(dir: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    let probe = dir.join("probe");
    fs::write(&probe, "x").unwrap();
    fs::set_permissions(&probe, fs::Permissions::from_mode(0o000)).unwrap();
    let readable = fs::read(&probe).is_ok();
    fs::set_permissions(&probe, fs::Permissions::from_mode(0o600)).unwrap();
    fs::remove_file(&probe).unwrap();
    readable
}

#[test]
fn an_empty_file_is_no_rows_located_in_inputs() {
    let case = Case::new();
    case.file(
        "orders.csv",
        orders(&["113-0000001-0000001,2026-11-01,Shipped,MFN,,,,,9.99"]),
    )
    .file("claims.csv", "");
    let report = case.report();
    assert_eq!(input(&report, "claims")["rows"], 0);
    let p = problems(&report, "claims");
    assert!(p[0].1.contains("empty"), "{p:?}");

    let case = Case::new();
    case.file("orders.csv", "\n  \n");
    let report = case.report();
    assert!(problems(&report, "orders")[0].1.contains("empty"));
    assert_eq!(
        report["metrics"]["order_defect_rate"]["status"],
        "insufficient_data"
    );
    // An empty file has no columns: no note says its fulfillment is missing.
    let notes = report["notes"].to_string();
    assert!(!notes.contains("no fulfillment column"), "{notes}");

    // An empty performance.json, a failed download, is an empty input too.
    let case = Case::new();
    case.file(
        "orders.csv",
        orders(&["113-0000001-0000001,2026-11-01,Shipped,MFN,,,,,9.99"]),
    )
    .file("performance.json", "");
    let report = case.report();
    let p = problems(&report, "performance");
    assert!(p[0].1.contains("the file is empty"), "{p:?}");
    assert!(report.get("amazon").is_none());
}

#[test]
fn a_header_without_rows_reads_as_no_orders() {
    let case = Case::new();
    case.file("orders.csv", orders(&[]));
    let report = case.report();
    assert_eq!(input(&report, "orders")["rows"], 0);
    assert_eq!(
        report["metrics"]["order_defect_rate"]["status"],
        "insufficient_data"
    );
}

#[test]
fn binary_garbage_is_refused_with_the_columns_wanted() {
    for seed in 1..=4 {
        let case = Case::new();
        case.file("orders.csv", garbage(4096, seed));
        let err = case.error(&["orders.csv", "missing required column", "help:"]);
        assert!(err.len() < 4000, "a garbage header stays short: {err}");
    }
    // Garbage that starts like gzip: a corrupt stream, not a crash.
    let case = Case::new();
    let mut gz = vec![0x1f, 0x8b, 0x08, 0x00];
    gz.extend(garbage(2048, 9));
    case.file("orders.csv.gz", gz);
    case.error(&["orders.csv.gz"]);

    let case = Case::new();
    case.file("orders.csv", orders(&[]))
        .file("performance.json", garbage(1000, 5));
    case.error(&["performance.json", "JSON"]);
}

#[test]
fn a_truncated_last_line_is_one_located_skipped_row() {
    let case = Case::new();
    case.file(
        "orders.csv",
        format!(
            "{ORDERS_HEADER}\n113-0000001-0000001,2026-11-01,Shipped,MFN,2026-11-03,2026-11-02,1Z1,b1,9.99\n113-0000001-0000002,2026-11-"
        ),
    );
    let report = case.report();
    assert_eq!(input(&report, "orders")["skipped"], 1);
    let p = problems(&report, "orders");
    assert_eq!(p[0].0, Some(3), "{p:?}");
    assert!(p[0].1.contains("purchase_date"), "{p:?}");

    // Cut inside a quoted field.
    let case = Case::new();
    case.file(
        "feedback.csv",
        "date,rating,comments,order_id\n2026-11-02,5,\"Great seller, fast",
    );
    case.report();
}

/// Lines of `file` that evidence of `rule` points at.
fn evidence_lines(report: &Value, rule: &str, file: &str) -> Vec<u64> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == rule)
        .flat_map(|f| f["evidence"].as_array().unwrap())
        .filter(|e| e["file"] == file)
        .filter_map(|e| e["line"].as_u64())
        .collect()
}

#[test]
fn a_stray_quote_costs_its_own_row_and_no_other() {
    let case = Case::new();
    case.file(
        "orders.csv",
        orders(&[
            "113-0000001-0000001,2026-11-01,Shipped,MFN,2026-11-03,2026-11-02,1Z1,b1,9.99",
            "113-0000001-0000002,2026-11-02,Shipped,MFN,2026-11-04,2026-11-03,\"1Z2,b2,9.99",
            "113-0000001-0000003,2026-11-03,Shipped,MFN,2026-11-05,2026-11-04,1Z3,b3,9.99",
            "113-0000001-0000004,2026-11-04,Shipped,MFN,2026-11-06,2026-11-05,1Z4,b4,9.99",
            "113-0000001-0000005,2026-11-05,Shipped,MFN,2026-11-07,2026-11-06,1Z5,b5,9.99",
        ]),
    )
    .file(
        "messages.csv",
        "sent_at,body,order_id,direction\n\
         2026-11-03T10:00:00Z,\"Your order has shipped, tracking 1Z3.\",113-0000001-0000003,outbound\n\
         2026-11-04T10:00:00Z,\"Thanks for your order,113-0000001-0000004,outbound\n\
         2026-11-04T11:00:00Z,Your parcel is on its way.,113-0000001-0000004,outbound\n\
         2026-11-05T10:00:00Z,Leave us a 5-star review and we will send you a $10 gift card!,113-0000001-0000005,outbound\n",
    );
    let report = case.report();
    let orders = input(&report, "orders");
    assert_eq!(
        (orders["rows"].as_u64(), orders["skipped"].as_u64()),
        (Some(5), Some(1))
    );
    let p = problems(&report, "orders");
    assert_eq!(p.len(), 1, "{p:?}");
    assert_eq!(p[0].0, Some(3));
    assert!(
        p[0].1.contains("never closed") && p[0].1.contains("the 3 lines after it"),
        "{p:?}"
    );
    assert_eq!(report["metrics"]["valid_tracking_rate"]["denominator"], 4);
    // The offer of a gift card for a review stays found, on its own line.
    assert_eq!(
        evidence_lines(&report, "REV-INCENTIVE", "messages.csv"),
        [5]
    );
    assert_eq!(problems(&report, "messages")[0].0, Some(3));
}

#[test]
fn lines_ended_by_a_lone_carriage_return_are_located() {
    // Excel's "CSV (Macintosh)": every line ends with a lone `\r`.
    let rows = [
        ORDERS_HEADER,
        "113-0000001-0000001,2026-11-01,Shipped,MFN,,,,,9.99",
        "113-0000001-0000002,2026-11-02,Shipped,MFN,,,,,9.99",
        "113-0000001-0000003,2026-11-99,Shipped,MFN,,,,,9.99",
    ];
    let case = Case::new();
    case.file("orders.csv", rows.join("\r") + "\r").file(
        "feedback.csv",
        "date,rating,comments,order_id\n2026-11-06,5,ok,113-0000001-0000001\r\n\
         2026-11-08,4,ok,113-0000001-0000002\r2026-11-09,9,bad,113-0000001-0000002\n",
    );
    let report = case.report();
    assert_eq!(problems(&report, "orders")[0].0, Some(4));
    assert_eq!(problems(&report, "feedback")[0].0, Some(4));
}

#[test]
fn a_row_short_of_cells_is_read_and_located() {
    let case = Case::new();
    case.file(
        "orders.csv",
        orders(&[
            "113-0000001-0000001,2026-11-01,Shipped,MFN,2026-11-03,2026-11-02,1Z1,b1,9.99",
            "113-0000001-0000002,2026-11-02,Shipped,MFN",
            "113-0000001-0000003,2026-11-03,Shipped,MFN,2026-11-05,2026-11-04,1Z3,b3,9.99",
        ]),
    );
    let report = case.report();
    assert_eq!(input(&report, "orders")["skipped"], 0);
    assert_eq!(
        problems(&report, "orders"),
        [(
            Some(3),
            "row has 4 fields but the header has 9; the missing cells are read as empty"
                .to_string()
        )]
    );
}

#[test]
fn a_file_that_is_no_export_is_named_with_the_fix() {
    let refused = |name: &str, bytes: &[u8], needles: &[&str]| {
        let case = Case::new();
        case.file(name, bytes);
        case.error(needles)
    };
    refused(
        "orders.csv",
        b"<!DOCTYPE html>\n<html lang=\"en\"><head><title>Amazon Sign-In</title></head></html>\n",
        &["orders.csv", "HTML page", "download the report again"],
    );
    let mut xlsx = b"PK\x03\x04\x14\x00\x00\x00\x08\x00[Content_Types].xml".to_vec();
    xlsx.extend(garbage(300, 3));
    xlsx.extend_from_slice(b"PK\x03\x04\x14\x00xl/workbook.xml");
    let err = refused(
        "orders.csv",
        &xlsx,
        &["orders.csv", "Excel workbook", "save it as"],
    );
    assert!(!err.contains("columns found"), "{err}");
    refused(
        "feedback.csv",
        b"PK\x03\x04\x14\x00\x08\x00feedback.csv\x8d\x90\x01",
        &["feedback.csv", "zip archive", "unzip it"],
    );
    refused(
        "orders.csv",
        format!("Orders report generated 2026-11-20 for seller A2EXAMPLE\n{ORDERS_HEADER}\n")
            .as_bytes(),
        &["line 1 looks like a title", "is line 2", "delete line 1"],
    );
    // UTF-16 without a byte-order mark is read, as with one.
    let mut utf16 = Vec::new();
    for unit in orders(&["113-0000001-0000001,2026-11-01,Shipped,MFN,,,,,9.99"]).encode_utf16() {
        utf16.extend(unit.to_le_bytes());
    }
    let case = Case::new();
    case.file("orders.csv", utf16);
    let report = case.report();
    assert_eq!(input(&report, "orders")["encoding"], "utf-16le");
    assert_eq!(input(&report, "orders")["rows"], 1);
}

#[test]
fn a_wrong_delimiter_names_the_delimiters_read() {
    let case = Case::new();
    case.file("orders.csv", "order_id|purchase_date\n1|2026-11-01\n");
    case.error(&["one column", "commas, tabs or semicolons"]);
}

#[test]
fn duplicate_header_names_are_located_and_the_first_is_used() {
    let case = Case::new();
    case.file(
        "orders.csv",
        "order_id,purchase_date,order_id\n113-0000001-0000001,2026-11-01,zzz\n",
    );
    let report = case.report();
    let p = problems(&report, "orders");
    assert_eq!(p[0].0, Some(1));
    assert!(p[0].1.contains("second `order_id`"), "{p:?}");
    assert_eq!(input(&report, "orders")["skipped"], 0);
}

#[test]
fn an_extremely_long_field_is_quoted_short() {
    let case = Case::new();
    let long = "x".repeat(5 << 20);
    case.file(
        "orders.csv",
        format!("order_id,purchase_date,status\n1,2026-11-01,{long}\n2,2026-11-02,Shipped\n"),
    );
    let out = case.audit();
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.len() < 64 << 10, "report stays small");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let p = problems(&report, "orders");
    assert_eq!(p[0].0, Some(2));
    assert!(p[0].1.chars().count() <= 300, "{}", p[0].1.len());
    assert_eq!(input(&report, "orders")["rows"], 2);

    // One huge line with no newline at all, in a header.
    let case = Case::new();
    case.file("feedback.csv", "d".repeat(6 << 20));
    let err = case.error(&["feedback.csv", "missing required column"]);
    assert!(err.len() < 8000, "{}", err.len());
}

#[test]
fn ten_thousand_columns_are_read() {
    let case = Case::new();
    let mut header = vec!["order_id".to_string(), "purchase_date".to_string()];
    header.extend((0..10_000).map(|i| format!("extra_{i}")));
    let mut row = vec!["113-0000001-0000001".to_string(), "2026-11-01".to_string()];
    row.extend((0..10_000).map(|i| i.to_string()));
    case.file(
        "orders.csv",
        format!("{}\n{}\n", header.join(","), row.join(",")),
    );
    let report = case.report();
    assert_eq!(input(&report, "orders")["rows"], 1);
    assert_eq!(input(&report, "orders")["skipped"], 0);
}

#[test]
fn purchase_dates_in_the_future_are_located() {
    let case = Case::new();
    case.file(
        "orders.csv",
        orders(&[
            "113-0000001-0000001,2026-11-01,Shipped,MFN,,,,,9.99",
            "113-0000001-0000002,2099-01-01,Shipped,MFN,,,,,9.99",
        ]),
    );
    let report = case.report();
    let p = problems(&report, "orders");
    assert!(
        p.iter()
            .any(|(_, m)| m.contains("2099-01-01") && m.contains("after today")),
        "{p:?}"
    );
}

#[test]
fn negative_prices_and_duplicate_rows_do_not_stop_the_audit() {
    let case = Case::new();
    case.file(
        "orders.csv",
        orders(&[
            "113-0000001-0000001,2026-11-01,Shipped,MFN,2026-11-03,2026-11-02,1Z1,b1,-5.00",
            "113-0000001-0000001,2026-11-01,Shipped,MFN,2026-11-03,2026-11-02,1Z1,b1,-5.00",
            "113-0000001-0000002,2026-11-01,Shipped,MFN,2026-11-03,2026-11-02,1Z2,b2,9.99",
        ]),
    );
    let report = case.report();
    assert_eq!(input(&report, "orders")["rows"], 3);
    // Rows sharing an order id are one order.
    assert_eq!(report["metrics"]["order_defect_rate"]["denominator"], 2);
}

#[test]
fn enum_values_are_read_in_any_case_and_spacing_and_unknown_ones_located() {
    let case = Case::new();
    case.file(
        "orders.csv",
        orders(&[
            "113-0000001-0000001,2026-11-01,Shipped ,MFN,,,,,9.99",
            "113-0000001-0000002,2026-11-01,SHIPPED,mfn,,,,,9.99",
            "113-0000001-0000003,2026-11-01,Shipped-ish,MFN,,,,,9.99",
        ]),
    );
    let report = case.report();
    let p = problems(&report, "orders");
    assert_eq!(p.len(), 1, "{p:?}");
    assert_eq!(p[0].0, Some(4));
    assert!(p[0].1.contains("Shipped-ish") && p[0].1.contains("one of"));
}

#[test]
fn a_file_for_a_folder_and_a_missing_folder_are_explained() {
    let case = Case::new();
    case.file("orders.csv", orders(&[]));
    let out = case.audit_at(&case.dir().join("orders.csv"), &[]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(err.contains("is a file, not an account folder"), "{err}");

    let out = case.audit_at(&case.dir().join("nope"), &[]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(err.contains("cannot open account folder") && err.contains("check the path"));
}

#[test]
fn unreadable_files_and_folders_are_explained() {
    use std::os::unix::fs::PermissionsExt;
    let case = Case::new();
    case.file("orders.csv", orders(&[]));
    if permissions_are_bypassed(&case.dir()) {
        eprintln!("note: running with privileges that read any file; permission cases skipped");
        return;
    }
    let file = case.dir().join("orders.csv");
    fs::set_permissions(&file, fs::Permissions::from_mode(0o000)).unwrap();
    let err = case.error(&["orders.csv", "permission denied", "chmod"]);
    assert!(!err.is_empty());
    fs::set_permissions(&file, fs::Permissions::from_mode(0o644)).unwrap();

    fs::set_permissions(case.dir(), fs::Permissions::from_mode(0o000)).unwrap();
    let out = ahr().arg("audit").arg(case.dir()).output().unwrap();
    fs::set_permissions(case.dir(), fs::Permissions::from_mode(0o755)).unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("acct") && err.contains("chmod"), "{err}");
}

#[test]
fn links_that_lead_nowhere_under_other_names_are_listed_not_followed_forever() {
    use std::os::unix::fs::symlink;
    let case = Case::new();
    case.file(
        "orders.csv",
        orders(&["113-0000001-0000001,2026-11-01,Shipped,MFN,,,,,9.99"]),
    );
    symlink("old-claims.csv", case.dir().join("old-claims.csv")).unwrap();
    symlink("nowhere.csv", case.dir().join("draft.csv")).unwrap();
    symlink(".", case.dir().join("again")).unwrap();
    let report = case.report();
    let ignored: Vec<&str> = report["ignored"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(
        ignored,
        [
            "again/",
            "draft.csv (a link that leads nowhere or to itself)",
            "old-claims.csv (a link that leads nowhere or to itself)"
        ]
    );
}

#[test]
fn a_link_named_like_an_export_that_leads_nowhere_is_unreadable_input() {
    use std::os::unix::fs::symlink;
    // The export step failed and left the link to where orders.csv should
    // be: reading the folder as one without orders would pass any gate.
    let case = Case::new();
    case.file("feedback.csv", "date,rating,order_id\n2026-11-02,5,113-1\n");
    let target = case.root.path().join("exports-2026-11").join("orders.csv");
    symlink(&target, case.dir().join("orders.csv")).unwrap();
    let err = case.error(&[
        &case.dir().join("orders.csv").display().to_string(),
        &format!("a link to {}, which does not exist", target.display()),
        "point the link at the export file",
    ]);
    assert!(!err.contains("panicked"), "{err}");

    // A link that leads to itself cannot stand for an export either.
    let case = Case::new();
    case.file("orders.csv", orders(&[]));
    symlink("feedback.csv", case.dir().join("feedback.csv")).unwrap();
    case.error(&["feedback.csv: it is a link to feedback.csv, which cannot be followed"]);
}

#[test]
fn a_folder_without_exports_fails_even_the_most_lenient_gate() {
    let case = Case::new();
    fs::create_dir_all(case.dir()).unwrap();
    let refused = |needles: &[&str]| {
        let out = case.audit_at(&case.dir(), &["--fail-under", "0"]);
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(2), "{err}");
        for needle in needles {
            assert!(err.contains(needle), "`{needle}` not in:\n{err}");
        }
    };
    refused(&[
        "acct holds no export ahr reads (it is empty)",
        "check the path",
    ]);

    // Paperwork is not an export, even a .txt file, whose header is prose.
    case.file("invoice-2026-10.pdf", b"%PDF-1.4\n")
        .file("logo.png", b"\x89PNG\r\n")
        .file(
            "notes.txt",
            "Call Anna about the Q4 listing refresh.\nPO due Friday.\n",
        );
    refused(&["no export ahr reads (it holds only invoice-2026-10.pdf, logo.png, notes.txt)"]);

    // A folder of account folders is a batch, however deep they lie.
    for path in ["eu/de-shop", "us/west/sunset-surf"] {
        let account = case.dir().join(path);
        fs::create_dir_all(&account).unwrap();
        fs::write(account.join("orders.csv"), orders(&[])).unwrap();
    }
    refused(&[
        "no exports of its own but 2 account folders below it (eu/de-shop, us/west/sunset-surf)",
        &format!("`ahr batch {}`", case.dir().display()),
    ]);
}

#[test]
fn one_file_the_audit_reads_makes_an_account_folder() {
    let native = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/amazon-native-us/All Orders Report_12345.txt");
    let cases: [(&str, Vec<u8>); 4] = [
        (
            "identifiers.csv",
            b"kind,value\nphone,+1 555 0100\n".to_vec(),
        ),
        ("account.toml", b"id = \"new-store\"\n".to_vec()),
        (
            "feedback.csv",
            b"date,rating,order_id\n2026-11-02,1,113-1\n".to_vec(),
        ),
        ("All Orders Report_12345.txt", fs::read(native).unwrap()),
    ];
    for (name, bytes) in cases {
        let case = Case::new();
        case.file(name, bytes).file("notes.md", "contacts");
        let report = case.report();
        assert_eq!(report["ignored"], serde_json::json!(["notes.md"]), "{name}");
        if name != "All Orders Report_12345.txt" {
            assert_eq!(
                report["metrics"]["order_defect_rate"]["status"],
                "insufficient_data"
            );
        }
    }
}

#[test]
fn a_folder_named_like_an_export_is_listed_as_ignored() {
    let case = Case::new();
    case.file("orders.csv", orders(&[]));
    fs::create_dir(case.dir().join("claims.csv")).unwrap();
    let report = case.report();
    assert!(
        report["ignored"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v == "claims.csv/")
    );
}

#[test]
fn two_files_for_one_export_are_refused() {
    let case = Case::new();
    case.file("orders.csv", orders(&[]))
        .file("Orders.txt", orders(&[]));
    case.error(&["two orders files", "keep one"]);
}

#[test]
fn odd_encodings_line_endings_and_terminal_escapes_are_read_safely() {
    let case = Case::new();
    let body = format!(
        "\u{feff}{}\r\n113-0000001-0000001,2026-11-01,Shipped,MFN,,,,,9.99\r\n",
        ORDERS_HEADER
    );
    case.file("orders.csv", body);
    // UTF-16 with a BOM, as Excel saves "Unicode text".
    let mut utf16 = vec![0xff, 0xfe];
    for unit in "sent_at\tbody\n2026-11-02\tplease leave us \u{1b}[31ma five-star review\u{202e}!\n"
        .encode_utf16()
    {
        utf16.extend(unit.to_le_bytes());
    }
    case.file("messages.txt", utf16);
    // Invalid UTF-8 inside a field.
    case.file(
        "feedback.csv",
        b"date,rating,comments,order_id\n2026-11-02,1,bad \xff\xfe bytes,113-0000001-0000001\n",
    );
    let report = case.report();
    assert_eq!(input(&report, "orders")["rows"], 1);
    assert_eq!(input(&report, "orders")["skipped"], 0);
    assert_eq!(input(&report, "messages")["encoding"], "utf-16le");
    let text = report.to_string();
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{202e}'),
        "{text}"
    );
}

#[test]
fn bad_rows_of_every_export_are_located() {
    let case = Case::new();
    case.file(
        "orders.csv",
        orders(&["113-0000001-0000001,2026-11-01,Shipped,MFN,,,,,9.99"]),
    )
    .file(
        "feedback.csv",
        "date,rating,comments,order_id\n2026-11-02,7,x,113-0000001-0000001\n",
    )
    .file(
        "claims.csv",
        "order_id,filed_at,status\n113-0000001-0000001,yesterday,open\n",
    )
    .file(
        "reviews.csv",
        "date,asin,rating\n2026-11-02,B000000001,-1\n",
    )
    .file("health_history.csv", "date,ahr\n2026-11-02,lots\n")
    .file("identifiers.csv", "kind,value\nfingerprint,abc\n");
    let report = case.report();
    for kind in [
        "feedback",
        "claims",
        "reviews",
        "health_history",
        "identifiers",
    ] {
        let p = problems(&report, kind);
        assert_eq!(p.len(), 1, "{kind}: {p:?}");
        assert_eq!(p[0].0, Some(2), "{kind}: {p:?}");
        assert_eq!(input(&report, kind)["skipped"], 1, "{kind}");
    }
}

#[test]
fn a_broken_or_huge_account_profile_is_refused_with_its_position() {
    let case = Case::new();
    case.file("orders.csv", orders(&[]))
        .file("account.toml", "name = \"Shop\nmarketplace = 3\n");
    let stderr = case.error(&["account.toml", ":1:", "1 problem in account.toml"]);
    // Each rendered problem carries its own `error:`, once; the profile is
    // not a policy file.
    assert!(!stderr.contains("error: error:"), "{stderr}");
    assert!(!stderr.contains("polic"), "{stderr}");

    let case = Case::new();
    case.file("orders.csv", orders(&[]))
        .file("account.toml", format!("# {}\n", "x".repeat(2 << 20)));
    case.error(&["account.toml", "larger than"]);

    let case = Case::new();
    case.file("orders.csv", orders(&[]))
        .file("account.toml", garbage(3000, 3));
    case.error(&["account.toml"]);
}

#[test]
fn a_deeply_nested_performance_report_is_refused() {
    let case = Case::new();
    case.file("orders.csv", orders(&[])).file(
        "performance.json",
        format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)),
    );
    case.error(&["performance.json"]);
}

/// Runs `ahr policy check` on one policy file's text.
fn policy_check(text: &[u8]) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("custom.toml");
    fs::write(&path, text).unwrap();
    let out = ahr()
        .args(["policy", "check"])
        .arg(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(fs::read(&path).unwrap(), text);
    (out.status.code(), stderr)
}

#[test]
fn hostile_policies_are_refused_with_a_clear_message() {
    let deep = format!("a = {}{}", "[".repeat(50_000), "]".repeat(50_000));
    let (code, err) = policy_check(deep.as_bytes());
    assert_eq!(code, Some(2));
    assert!(err.contains("nesting"), "{err}");

    let inline = format!("a = {}1{}", "{b=".repeat(10_000), "}".repeat(10_000));
    let (code, err) = policy_check(inline.as_bytes());
    assert_eq!(code, Some(2));
    assert!(err.contains("custom.toml"), "{err}");

    let huge = format!("# {}\n", "x".repeat(2 << 20));
    let (code, err) = policy_check(huge.as_bytes());
    assert_eq!(code, Some(2));
    assert!(err.contains("limit"), "{err}");

    // A regex that would take exponential time on a backtracking engine,
    // and one too big to compile.
    let (code, err) = policy_check(
        br#"[[rule]]
id = "X-SLOW"
title = "slow"
category = "reviews"
severity = "low"
appeal = "appealable"
check = "text"
sources = ["messages"]
patterns = ['(a*)*b']
remediation = "none"
"#,
    );
    assert_eq!(code, Some(0), "{err}");
    let (code, err) = policy_check(
        br#"[[rule]]
id = "X-HUGE"
title = "huge"
category = "reviews"
severity = "low"
appeal = "appealable"
check = "text"
sources = ["messages"]
patterns = ['\w{1000}{1000}']
remediation = "none"
"#,
    );
    assert_eq!(code, Some(2));
    assert!(err.contains("custom.toml:"), "{err}");

    // An error past column 65535 once panicked while drawing its caret.
    let long = format!("[[rule]]\nid = \"{}\" = 3\n", "y".repeat(900_000));
    let (code, err) = policy_check(long.as_bytes());
    assert_eq!(code, Some(2));
    assert!(
        err.contains("custom.toml:2:900009") && err.len() < 2000,
        "{err}"
    );

    let (code, err) = policy_check(&garbage(2000, 11));
    assert_eq!(code, Some(2), "{err}");
}

#[test]
fn a_report_that_cannot_be_written_leaves_nothing_behind() {
    let case = Case::new();
    case.file(
        "orders.csv",
        orders(&["113-0000001-0000001,2026-11-01,Shipped,MFN,,,,,9.99"]),
    );
    let out_dir = case.root.path().join("out");
    fs::create_dir(&out_dir).unwrap();
    // The target is a folder: the rename fails, the folder stays a folder.
    let target = out_dir.join("report.json");
    fs::create_dir(&target).unwrap();
    let out = ahr()
        .arg("audit")
        .arg(case.dir())
        .args(["--format", "json", "-o"])
        .arg(&target)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(target.is_dir());
    let leftovers: Vec<_> = fs::read_dir(&out_dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(leftovers.len(), 1, "{leftovers:?}");

    // A written report replaces the old one whole.
    let good = out_dir.join("good.json");
    fs::write(&good, "old").unwrap();
    let out = ahr()
        .arg("audit")
        .arg(case.dir())
        .args(["--format", "json", "-o"])
        .arg(&good)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    serde_json::from_slice::<Value>(&fs::read(&good).unwrap()).unwrap();
    assert!(
        fs::read_dir(&out_dir)
            .unwrap()
            .flatten()
            .all(|e| !e.file_name().to_string_lossy().ends_with(".tmp"))
    );
}

#[test]
fn the_report_is_never_written_over_an_input() {
    let case = Case::new();
    case.file(
        "orders.csv",
        orders(&["113-0000001-0000001,2026-11-01,Shipped,MFN,,,,,9.99"]),
    );
    let before = snapshot(case.root.path());
    let out = ahr()
        .arg("audit")
        .arg(case.dir())
        .arg("-o")
        .arg(case.dir().join("orders.csv"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("input files") && err.contains("somewhere else"),
        "{err}"
    );
    assert_eq!(before, snapshot(case.root.path()));
}
