//! The benchmark's account generator (`examples/generate_account.rs`) must
//! write what `ahr` reads without a single skipped row, and the same seed must
//! write the same bytes, or the benchmark would measure error handling, or
//! numbers that cannot be compared from one run to the next.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use tempfile::TempDir;

/// `cargo test` builds the examples next to the binaries it tests.
fn generator() -> PathBuf {
    let ahr = Path::new(env!("CARGO_BIN_EXE_ahr"));
    let dir = ahr.parent().expect("the binary sits in a target folder");
    dir.join("examples")
        .join(format!("generate_account{}", std::env::consts::EXE_SUFFIX))
}

fn generate(out: &Path, rows: u64, seed: u64) {
    let status = Command::new(generator())
        .args(["--rows", &rows.to_string(), "--seed", &seed.to_string()])
        .arg("--out")
        .arg(out)
        .status()
        .expect("the generator example is built by cargo test");
    assert!(status.success(), "generator failed for {}", out.display());
}

/// An empty folder for the generator to write into, removed when dropped.
fn scratch(name: &str) -> TempDir {
    tempfile::Builder::new()
        .prefix(&format!("ahr-bench-gen-{name}-"))
        .tempdir()
        .unwrap()
}

#[test]
fn generated_account_reads_cleanly_and_has_every_export() {
    let dir = scratch("clean");
    generate(dir.path(), 3_000, 7);
    let output = Command::new(env!("CARGO_BIN_EXE_ahr"))
        .arg("audit")
        .arg(dir.path())
        .args(["--format", "json", "--as-of", "2026-11-20"])
        .output()
        .expect("ahr runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: Value = serde_json::from_slice(&output.stdout).expect("JSON report");
    let inputs = report["inputs"].as_array().expect("inputs");
    let kinds: Vec<&str> = inputs.iter().map(|i| i["kind"].as_str().unwrap()).collect();
    for kind in [
        "orders",
        "feedback",
        "claims",
        "chargebacks",
        "messages",
        "complaints",
    ] {
        assert!(kinds.contains(&kind), "no {kind} file in {kinds:?}");
    }
    for input in inputs {
        assert_eq!(input["skipped"], 0, "rows skipped in {input}");
        assert_eq!(input["problems_total"], 0, "problems in {input}");
    }
    let orders = inputs.iter().find(|i| i["kind"] == "orders").unwrap();
    assert_eq!(orders["rows"], 3_000);
    assert_eq!(report["account"]["marketplace"], "US");
    // A realistic account has orders in every window the metrics count.
    for (id, metric) in report["metrics"].as_object().expect("metrics") {
        assert!(
            metric["denominator"].as_u64().unwrap_or(0) > 0,
            "{id} has no orders in its window"
        );
    }
}

#[test]
fn same_seed_writes_same_bytes_and_another_seed_does_not() {
    let (a, b, c) = (scratch("a"), scratch("b"), scratch("c"));
    generate(a.path(), 500, 42);
    generate(b.path(), 500, 42);
    generate(c.path(), 500, 43);
    for file in ["orders.csv", "feedback.csv", "messages.csv", "account.toml"] {
        let first = std::fs::read(a.path().join(file)).unwrap();
        assert_eq!(first, std::fs::read(b.path().join(file)).unwrap(), "{file}");
        if file == "orders.csv" {
            assert_ne!(first, std::fs::read(c.path().join(file)).unwrap());
        }
    }
}
