//! Every input that once crashed a fuzz target, replayed; and a seeded,
//! deterministic mutation run over the fixtures and samples through the same
//! entry points (`ahr::fuzzing`), so stable toolchains without cargo-fuzz
//! still shake the readers on every `cargo test`.

use std::fs;
use std::path::{Path, PathBuf};

type Target = fn(&[u8]);

const TARGETS: [(&str, Target); 5] = [
    ("table", ahr::fuzzing::table),
    ("policy", ahr::fuzzing::policy),
    ("performance", ahr::fuzzing::performance),
    ("dates", ahr::fuzzing::dates),
    ("account_toml", ahr::fuzzing::account_toml),
];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

#[test]
fn crashing_inputs_stay_fixed() {
    let mut replayed = 0;
    for (name, target) in TARGETS {
        let dir = root().join("tests/fuzz-regressions").join(name);
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let bytes = fs::read(entry.path()).unwrap();
            target(&bytes);
            replayed += 1;
        }
    }
    assert!(replayed > 0, "the regression inputs are missing");
}

/// xorshift64: deterministic, so a failure reproduces from its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Bytes that tend to reach the readers' edge cases.
const TOKENS: &[&[u8]] = &[
    b",",
    b"\t",
    b";",
    b"\"",
    b"\n",
    b"\r\n",
    b"\r",
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"\x1f\x8b",
    b"\xff",
    b"\xe2\x80\xae",
    b"\x1b[2J",
    b"9999-12-31",
    b"0000-01-01",
    b"2026-02-30",
    b"-1",
    b"1e309",
    b"18446744073709551616",
    b"NaN",
    b"[[rule]]\n",
    b"{",
    b"}",
    b"[",
    b"]",
    b"'''",
    b"(?i)",
    b"\\",
    b"\xe5\x95\x86\xe5\x93\x81",
];

fn mutate(rng: &mut Rng, input: &[u8]) -> Vec<u8> {
    let mut data = input.to_vec();
    for _ in 0..=rng.below(8) {
        let len = data.len();
        match rng.below(6) {
            0 if len > 0 => {
                let i = rng.below(len);
                data[i] ^= 1 << rng.below(8);
            }
            1 => {
                let i = rng.below(len + 1);
                data.insert(i, rng.next() as u8);
            }
            2 if len > 0 => {
                let start = rng.below(len);
                let end = (start + rng.below(64)).min(len);
                data.drain(start..end);
            }
            3 if len > 0 => {
                let start = rng.below(len);
                let end = (start + rng.below(256)).min(len);
                let chunk = data[start..end].to_vec();
                let at = rng.below(len + 1);
                data.splice(at..at, chunk);
            }
            4 => {
                let token = TOKENS[rng.below(TOKENS.len())];
                let at = rng.below(len + 1);
                data.splice(at..at, token.iter().copied());
            }
            _ => data.truncate(rng.below(len + 1)),
        }
    }
    data
}

/// The fixtures' files, each as a table-target input (export, flags, bytes).
fn table_seeds() -> Vec<Vec<u8>> {
    let mut seeds = Vec::new();
    let mut stack = vec![root().join("fixtures")];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let name = path.file_name().unwrap().to_string_lossy().to_lowercase();
            let stem = name.split('.').next().unwrap_or("");
            let Some(pick) = ahr::input::schema::ALL.iter().position(|s| s.stem == stem) else {
                continue;
            };
            let mut bytes = fs::read(&path).unwrap();
            bytes.truncate(16 << 10);
            let flags = if name.ends_with(".csv") { 0 } else { 1 };
            let mut seed = vec![pick as u8, flags];
            seed.extend(bytes);
            seeds.push(seed);
        }
    }
    seeds.sort();
    seeds
}

fn run(target: Target, seeds: &[Vec<u8>], iterations: usize, seed: u64) {
    assert!(!seeds.is_empty());
    let mut rng = Rng(seed);
    for i in 0..iterations {
        let base = &seeds[i % seeds.len()];
        let mut input = mutate(&mut rng, base);
        if base.len() >= 2 && input.len() >= 2 && rng.below(2) == 0 {
            // Vary the target's own flags without losing the export.
            input[0] = base[0];
            input[1] = rng.next() as u8;
        }
        target(&input);
    }
}

#[test]
fn mutated_exports_never_crash_the_reader() {
    run(ahr::fuzzing::table, &table_seeds(), 1500, 0x5eed_0001);
}

#[test]
fn mutated_policies_never_crash_the_loader() {
    let mut seeds: Vec<Vec<u8>> = ahr::policy::DEFAULT_PACKS
        .iter()
        .map(|(_, text)| text.as_bytes().to_vec())
        .collect();
    seeds.push(b"[[rule]]\nid = \"PERF-ODR\"\nbreach_above = 0.02\n".to_vec());
    run(ahr::fuzzing::policy, &seeds, 120, 0x5eed_0002);
}

#[test]
fn mutated_performance_reports_never_crash_the_parser() {
    let mut seeds = vec![
        fs::read(root().join("fixtures/amazon/performance-example.json")).unwrap(),
        br#"{"marketplaces":[{"accountStatuses":{"status":"NORMAL"}}]}"#.to_vec(),
    ];
    seeds[0].truncate(32 << 10);
    run(ahr::fuzzing::performance, &seeds, 3000, 0x5eed_0003);
}

#[test]
fn mutated_dates_and_profiles_never_crash() {
    let dates: Vec<Vec<u8>> = [
        "2024-01-15",
        "2024-01-15T10:00:00Z",
        "2024-01-15T10:00:00.123+09:00",
        "2024-01-15 10:00:00 UTC",
        "2013-01-07 07:35:42 PST",
        "10-Jul-2025",
        "Jul 10, 2025",
        "13.1.17",
        "1/13/17",
        "17/1/13",
    ]
    .iter()
    .map(|d| d.as_bytes().to_vec())
    .collect();
    run(ahr::fuzzing::dates, &dates, 20_000, 0x5eed_0004);
    let profiles = vec![
        b"id = \"shop\"\nname = \"Shop\"\nmarketplace = \"DE\"\nbrands = [\"Acme\"]\nrelated_accounts = [\"x\"]\n"
            .to_vec(),
    ];
    run(ahr::fuzzing::account_toml, &profiles, 3000, 0x5eed_0005);
}
