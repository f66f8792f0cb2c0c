//! `ahr batch` and `ahr batch-merge` on `fixtures/batch/`: four accounts
//! that can be audited, one that cannot (broken-co), two linked by a phone
//! and an address (brightside, harbor-goods), and a declared-related pair
//! that shares a bank account (acme-us, acme-eu) and must not be flagged.

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};
use tempfile::TempDir;

fn ahr(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ahr"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .output()
        .expect("the ahr binary runs")
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).unwrap()
}

/// A fresh, empty scratch folder, removed when dropped.
fn temp_dir(name: &str) -> TempDir {
    tempfile::Builder::new()
        .prefix(&format!("ahr-batch-test-{name}-"))
        .tempdir()
        .unwrap()
}

/// Copies the batch fixture without the broken account into a scratch
/// folder, removed when dropped.
fn healthy_batch(name: &str) -> TempDir {
    let dir = temp_dir(name);
    let root = dir.path();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/batch");
    for entry in std::fs::read_dir(&src).unwrap() {
        let entry = entry.unwrap();
        if entry.file_name() == "broken-co" || !entry.path().is_dir() {
            continue;
        }
        let to = root.join(entry.file_name());
        std::fs::create_dir_all(&to).unwrap();
        for file in std::fs::read_dir(entry.path()).unwrap() {
            let file = file.unwrap();
            std::fs::copy(file.path(), to.join(file.file_name())).unwrap();
        }
    }
    dir
}

const AS_OF: &[&str] = &["--as-of", "2026-11-20"];

fn batch_json(extra: &[&str]) -> (Output, Value) {
    let mut args = vec!["batch", "fixtures/batch", "--format", "json"];
    args.extend_from_slice(AS_OF);
    args.extend_from_slice(extra);
    let out = ahr(&args);
    let doc = serde_json::from_slice(&out.stdout).expect("batch JSON parses");
    (out, doc)
}

/// The ids of a batch document's accounts, in its order.
fn account_ids(doc: &Value) -> Vec<&str> {
    doc["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["account"]["id"].as_str().unwrap())
        .collect()
}

fn account<'a>(doc: &'a Value, id: &str) -> &'a Value {
    doc["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["account"]["id"] == id)
        .unwrap_or_else(|| panic!("no account {id}"))
}

fn finding<'a>(report: &'a Value, rule: &str) -> Option<&'a Value> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == rule)
}

#[test]
fn summary_is_sorted_by_risk_with_links_and_the_broken_account() {
    let mut args = vec!["batch", "fixtures/batch"];
    args.extend_from_slice(AS_OF);
    let out = ahr(&args);
    assert_eq!(
        out.status.code(),
        Some(2),
        "an account could not be audited"
    );
    let text = stdout(&out);
    assert!(
        text.contains("4 accounts audited, 1 could not be audited"),
        "{text}"
    );
    let pos = |needle: &str| {
        text.find(needle)
            .unwrap_or_else(|| panic!("{needle}: {text}"))
    };
    // Lowest score first: harbor-goods (counterfeit complaint and link),
    // then brightside (link), then the two healthy acme accounts.
    assert!(pos("\n harbor-goods") < pos("\n brightside"));
    assert!(pos("\n brightside") < pos("\n acme-eu"));
    assert!(text.contains("IP-COUNTERFEIT (critical)"), "{text}");
    assert!(
        text.contains("brightside, harbor-goods: address …0802, phone …7788"),
        "{text}"
    );
    assert!(
        !text.contains("acme-eu, acme-us"),
        "declared related: {text}"
    );
    assert!(
        text.contains("broken-co: orders.csv:1: missing required column `purchase_date`"),
        "{text}"
    );
    assert!(
        text.contains("Not account folders (no exports): notes/"),
        "{text}"
    );
    assert!(
        stderr(&out).contains("broken-co: could not audit"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn json_holds_accounts_links_and_errors() {
    let (out, doc) = batch_json(&[]);
    assert_eq!(out.status.code(), Some(2));
    let ids = account_ids(&doc);
    assert_eq!(ids, ["acme-eu", "acme-us", "brightside", "harbor-goods"]);

    // Both linked accounts carry the finding, with the distinct identifiers
    // as occurrences and the values masked.
    for (id, other) in [
        ("brightside", "harbor-goods"),
        ("harbor-goods", "brightside"),
    ] {
        let f = finding(account(&doc, id), "LINK-SHARED").expect("LINK-SHARED");
        assert_eq!(f["severity"], "high");
        assert_eq!(f["occurrences"], 2);
        let evidence = f["evidence"].as_array().unwrap();
        assert_eq!(evidence.len(), 2);
        assert_eq!(evidence[0]["file"], "identifiers.csv");
        assert_eq!(evidence[0]["line"], 2);
        assert_eq!(evidence[0]["key"], "phone …7788");
        assert_eq!(evidence[1]["line"], 3);
        assert!(
            evidence[1]["key"]
                .as_str()
                .unwrap()
                .starts_with("address …")
        );
        assert_eq!(
            evidence[0]["excerpt"],
            format!("also held by {other} (in this batch)")
        );
    }
    let json = serde_json::to_string(&doc).unwrap();
    assert!(
        !json.contains("013-7788") && !json.contains("Harbor Boulevard"),
        "values leak"
    );
    // The declared-related pair shares a bank account: no finding, no link.
    for id in ["acme-us", "acme-eu"] {
        assert!(finding(account(&doc, id), "LINK-SHARED").is_none(), "{id}");
    }
    assert_eq!(
        doc["links"],
        serde_json::json!([{"accounts": ["brightside", "harbor-goods"],
            "identifiers": [{"kind": "address", "value": "address …0802"},
                            {"kind": "phone", "value": "phone …7788"}]}])
    );
    let errors = doc["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0]["folder"], "broken-co");
    assert!(
        errors[0]["error"]
            .as_str()
            .unwrap()
            .contains("purchase_date")
    );
    assert_eq!(doc["ignored"], serde_json::json!(["notes/"]));
}

#[test]
fn json_is_the_same_whatever_the_number_of_jobs() {
    let (one, _) = batch_json(&["--jobs", "1"]);
    let (three, _) = batch_json(&["--jobs", "3"]);
    assert!(!one.stdout.is_empty());
    assert_eq!(one.stdout, three.stdout);
}

#[test]
fn jsonl_streams_one_report_per_line_then_the_links() {
    let mut args = vec!["batch", "fixtures/batch", "--format", "jsonl", "-j", "2"];
    args.extend_from_slice(AS_OF);
    let out = ahr(&args);
    assert_eq!(out.status.code(), Some(2));
    let lines: Vec<Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    let mut reports: Vec<&str> = lines
        .iter()
        .filter(|l| l["schema_version"] == 1)
        .map(|l| l["account"]["id"].as_str().unwrap())
        .collect();
    reports.sort_unstable();
    assert_eq!(
        reports,
        ["acme-eu", "acme-us", "brightside", "harbor-goods"]
    );
    assert_eq!(lines.iter().filter(|l| l.get("error").is_some()).count(), 1);
    let last = lines.last().unwrap();
    assert_eq!(
        last["links"][0]["accounts"],
        serde_json::json!(["brightside", "harbor-goods"])
    );
}

#[test]
fn gates_apply_per_account_and_errors_come_first() {
    let dir = healthy_batch("gates");
    let root = dir.path().to_str().unwrap();
    let run = |extra: &[&str]| {
        let mut args = vec!["batch", root];
        args.extend_from_slice(AS_OF);
        args.extend_from_slice(extra);
        ahr(&args)
    };
    let clean = run(&[]);
    assert_eq!(clean.status.code(), Some(0));
    // stderr is not a terminal here: no progress bar, nothing to say.
    assert_eq!(stderr(&clean), "");
    let gated = run(&["--fail-on", "critical"]);
    assert_eq!(gated.status.code(), Some(1));
    let err = stderr(&gated);
    assert!(
        err.contains(
            "gate failed: harbor-goods: a breach at or above --fail-on critical: IP-COUNTERFEIT"
        ),
        "{err}"
    );
    assert!(!err.contains("brightside"), "high is below critical: {err}");
    assert_eq!(run(&["--fail-under", "100"]).status.code(), Some(1));
    // Every account fails: they are named riskiest first, in every run.
    let err = stderr(&run(&["--fail-under", "1000"]));
    let scores: Vec<i64> = err
        .lines()
        .filter_map(|line| line.split(": score ").nth(1))
        .filter_map(|rest| rest.split(' ').next()?.parse().ok())
        .collect();
    assert!(scores.len() > 3, "{err}");
    assert!(scores.is_sorted(), "{scores:?}\n{err}");
    // With the broken account back in, "could not audit" wins: exit 2.
    let mut args = vec!["batch", "fixtures/batch", "--fail-on", "critical"];
    args.extend_from_slice(AS_OF);
    assert_eq!(ahr(&args).status.code(), Some(2));
}

#[test]
fn out_dir_gets_one_report_per_account() {
    let dir = temp_dir("out-dir");
    let out_dir = dir.path().join("reports");
    let output = dir.path().join("batch.json");
    let mut args = vec![
        "batch",
        "fixtures/batch",
        "--format",
        "json",
        "--out-dir",
        out_dir.to_str().unwrap(),
        "-o",
        output.to_str().unwrap(),
    ];
    args.extend_from_slice(AS_OF);
    let out = ahr(&args);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let mut names: Vec<String> = std::fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "acme-eu.json",
            "acme-us.json",
            "brightside.json",
            "harbor-goods.json"
        ]
    );
    let single: Value =
        serde_json::from_slice(&std::fs::read(out_dir.join("brightside.json")).unwrap()).unwrap();
    let doc: Value = serde_json::from_slice(&std::fs::read(&output).unwrap()).unwrap();
    assert_eq!(&single, account(&doc, "brightside"));
}

#[test]
fn shards_split_the_accounts_and_merge_back_into_the_whole_batch() {
    let dir = temp_dir("shards");
    let (_, whole) = batch_json(&[]);
    let mut parts = Vec::new();
    let mut seen = Vec::new();
    for k in 1..=3 {
        let path = dir.path().join(format!("shard{k}.json"));
        let shard = format!("{k}/3");
        let mut args = vec![
            "batch",
            "fixtures/batch",
            "--format",
            "json",
            "--shard",
            &shard,
            "-o",
            path.to_str().unwrap(),
        ];
        args.extend_from_slice(AS_OF);
        ahr(&args);
        let doc: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        for a in doc["accounts"].as_array().unwrap() {
            seen.push(a["account"]["id"].as_str().unwrap().to_string());
        }
        // Every shard compares its accounts with the whole batch.
        assert_eq!(doc["links"], whole["links"]);
        parts.push(path);
    }
    seen.sort();
    assert_eq!(seen, ["acme-eu", "acme-us", "brightside", "harbor-goods"]);

    let mut args = vec!["batch-merge", "--format", "json"];
    args.extend(parts.iter().map(|p| p.to_str().unwrap()));
    let merged = ahr(&args);
    assert_eq!(
        merged.status.code(),
        Some(2),
        "the broken account is still an error"
    );
    let (full, _) = batch_json(&[]);
    assert_eq!(
        stdout(&merged),
        stdout(&full),
        "merge reproduces the whole batch"
    );

    // The same shard twice is refused.
    let with_accounts = parts
        .iter()
        .find(|p| {
            std::fs::read_to_string(p)
                .unwrap()
                .contains("schema_version")
        })
        .unwrap()
        .to_str()
        .unwrap();
    let twice = ahr(&["batch-merge", with_accounts, with_accounts]);
    assert_eq!(twice.status.code(), Some(2));
    assert!(
        stderr(&twice).contains("is in two of the outputs"),
        "{}",
        stderr(&twice)
    );
}

#[test]
fn watchlist_applies_to_every_account_of_the_batch() {
    let (_, doc) = batch_json(&["--watchlist", "fixtures/watchlist.csv"]);
    let f = finding(account(&doc, "harbor-goods"), "LINK-SHARED").unwrap();
    // The IP is on the list for an active account: a third identifier, and
    // still high, not critical.
    assert_eq!(f["occurrences"], 3);
    assert_eq!(f["severity"], "high");
    assert!(f["message"].as_str().unwrap().contains("old-store"), "{f}");
    let inputs = account(&doc, "acme-us")["inputs"].as_array().unwrap();
    assert!(inputs.iter().any(|i| i["kind"] == "watchlist"));
    // Watchlist matches are findings, not links between batch accounts.
    assert_eq!(doc["links"].as_array().unwrap().len(), 1);
}

#[test]
fn unusable_roots_and_options_exit_2() {
    let empty = temp_dir("empty");
    std::fs::create_dir_all(empty.path().join("no-exports")).unwrap();
    let out = ahr(&["batch", empty.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("holds no account folders"),
        "{}",
        stderr(&out)
    );
    let out = ahr(&["batch", "fixtures/batch", "--shard", "3/2"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("not a shard"), "{}", stderr(&out));
    let out = ahr(&[
        "batch",
        "fixtures/batch",
        "--watchlist",
        "no-such-watchlist.csv",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--watchlist no-such-watchlist.csv"),
        "{}",
        stderr(&out)
    );
    let out = ahr(&["batch", "fixtures/batch/acme-us/orders.csv"]);
    assert_eq!(out.status.code(), Some(2));
}

/// Copies the batch fixture's account `name` to `to`, creating the
/// folders on the way.
fn copy_account(name: &str, to: &Path) {
    let from = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/batch")
        .join(name);
    std::fs::create_dir_all(to).unwrap();
    for file in std::fs::read_dir(from).unwrap() {
        let file = file.unwrap();
        std::fs::copy(file.path(), to.join(file.file_name())).unwrap();
    }
}

/// The batch fixture's healthy accounts grouped by region, as agencies
/// keep them: harbor-goods at the top, acme-eu under eu/, acme-us under
/// us/ and brightside a level deeper, beside a stray note, a former
/// client's empty folder, last year's exports kept inside acme-us, and a
/// hidden folder that holds an orders file.
fn grouped_batch(name: &str) -> TempDir {
    let dir = temp_dir(name);
    let root = dir.path();
    copy_account("harbor-goods", &root.join("harbor-goods"));
    copy_account("acme-eu", &root.join("eu/acme-eu"));
    copy_account("acme-us", &root.join("us/acme-us"));
    copy_account("brightside", &root.join("us/west/brightside"));
    std::fs::write(root.join("eu/README.txt"), "EU clients, managed by Anna\n").unwrap();
    std::fs::create_dir_all(root.join("eu/old-client")).unwrap();
    copy_account("broken-co", &root.join("us/acme-us/archive-2025"));
    copy_account("broken-co", &root.join(".git/objects"));
    dir
}

fn grouped_json(root: &Path, extra: &[&str]) -> (Output, Value) {
    let mut args = vec!["batch", root.to_str().unwrap(), "--format", "json"];
    args.extend_from_slice(AS_OF);
    args.extend_from_slice(extra);
    let out = ahr(&args);
    let doc = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", stderr(&out)));
    (out, doc)
}

#[test]
fn accounts_in_grouping_folders_are_audited_as_if_they_stood_alone() {
    let dir = grouped_batch("grouped");
    let (out, doc) = grouped_json(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let (_, flat) = batch_json(&[]);
    assert_eq!(
        account_ids(&doc),
        ["acme-eu", "acme-us", "brightside", "harbor-goods"],
        "acme-us's own archive-2025/ and the hidden folder are not accounts"
    );
    assert_eq!(
        account(&doc, "acme-us")["ignored"],
        serde_json::json!(["archive-2025/"]),
        "an account's sub-folders are its own"
    );
    // brightside (us/west/) and harbor-goods (top) are still linked, and
    // every report is the one the flat layout gives, but for where it was
    // read and acme-us's archive.
    assert_eq!(doc["links"], flat["links"]);
    for id in account_ids(&doc) {
        let mut grouped = account(&doc, id).clone();
        let mut alone = account(&flat, id).clone();
        for report in [&mut grouped, &mut alone] {
            report["source"] = Value::Null;
            report["ignored"] = Value::Null;
        }
        assert_eq!(grouped, alone, "{id}");
    }
    assert_eq!(
        account(&doc, "brightside")["source"],
        dir.path().join("us/west/brightside").to_str().unwrap()
    );
    assert_eq!(
        doc["ignored"],
        serde_json::json!(["eu/README.txt", "eu/old-client/"]),
        "folders that only group accounts are not listed"
    );

    // The report of a grouped account is that of `ahr audit` on its folder.
    let folder = dir.path().join("eu/acme-eu");
    let mut args = vec!["audit", folder.to_str().unwrap(), "--format", "json"];
    args.extend_from_slice(AS_OF);
    let alone: Value = serde_json::from_slice(&ahr(&args).stdout).unwrap();
    assert_eq!(account(&doc, "acme-eu"), &alone);

    // A folder that only groups accounts is a batch root too.
    let (out, us) = grouped_json(&dir.path().join("us"), &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(account_ids(&us), ["acme-us", "brightside"]);
    assert_eq!(us["ignored"], serde_json::json!([]));
}

#[test]
fn grouped_accounts_keep_their_path_in_errors_reports_and_shards() {
    let dir = grouped_batch("grouped-paths");
    let root = dir.path();
    copy_account("broken-co", &root.join("eu/broken-co"));
    let (out, whole) = grouped_json(root, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(whole["errors"][0]["folder"], "eu/broken-co");
    assert!(
        stderr(&out).contains("ahr: eu/broken-co: could not audit: orders.csv:1: missing"),
        "{}",
        stderr(&out)
    );

    let out_dir = temp_dir("grouped-out");
    let reports = out_dir.path().join("reports");
    let (_, doc) = grouped_json(root, &["--out-dir", reports.to_str().unwrap()]);
    for (folder, id) in [
        ("harbor-goods", "harbor-goods"),
        ("eu/acme-eu", "acme-eu"),
        ("us/west/brightside", "brightside"),
    ] {
        let path = reports.join(format!("{folder}.json"));
        let single: Value = serde_json::from_slice(&std::fs::read(&path).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(&single, account(&doc, id), "{folder}");
    }

    let mut parts = Vec::new();
    for k in 1..=2 {
        let path = out_dir.path().join(format!("shard{k}.json"));
        let shard = format!("{k}/2");
        let mut args = vec!["batch", root.to_str().unwrap(), "--format", "json"];
        args.extend_from_slice(&["--shard", &shard, "-o", path.to_str().unwrap()]);
        args.extend_from_slice(AS_OF);
        ahr(&args);
        parts.push(path.to_str().unwrap().to_string());
    }
    let mut args = vec!["batch-merge", "--format", "json"];
    args.extend(parts.iter().map(String::as_str));
    let merged = ahr(&args);
    assert_eq!(merged.status.code(), Some(2));
    assert_eq!(
        stdout(&merged),
        stdout(&out),
        "the shards merge into the whole"
    );
    assert_eq!(doc, whole);
}

#[test]
fn a_batch_takes_for_an_account_what_an_audit_reads() {
    let dir = temp_dir("what-is-an-account");
    let root = dir.path();
    copy_account("harbor-goods", &root.join("harbor-goods"));
    // Amazon's report under its download name, and a profile alone.
    let native = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/amazon-native-us/All Orders Report_12345.txt");
    std::fs::create_dir_all(root.join("downloads")).unwrap();
    std::fs::copy(native, root.join("downloads/All Orders Report_12345.txt")).unwrap();
    std::fs::create_dir_all(root.join("new-store")).unwrap();
    std::fs::write(
        root.join("new-store/account.toml"),
        "name = \"New Store\"\n",
    )
    .unwrap();
    std::fs::create_dir_all(root.join("paperwork")).unwrap();
    std::fs::write(
        root.join("paperwork/notes.txt"),
        "Renew the contract in May.\n",
    )
    .unwrap();

    let (out, doc) = grouped_json(root, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let ids = account_ids(&doc);
    assert_eq!(ids, ["downloads", "harbor-goods", "new-store"]);
    assert_eq!(doc["ignored"], serde_json::json!(["paperwork/"]));
    for (folder, code) in [("downloads", 0), ("new-store", 0), ("paperwork", 2)] {
        let path = root.join(folder);
        let out = ahr(&["audit", path.to_str().unwrap(), "--format", "json"]);
        assert_eq!(out.status.code(), Some(code), "{folder}: {}", stderr(&out));
    }
}

#[cfg(unix)]
#[test]
fn an_account_whose_orders_link_leads_nowhere_could_not_be_audited() {
    let dir = healthy_batch("dangling");
    let orders = dir.path().join("brightside/orders.csv");
    std::fs::remove_file(&orders).unwrap();
    let gone = dir.path().join("exports/brightside-orders.csv");
    std::os::unix::fs::symlink(&gone, &orders).unwrap();
    let (out, doc) = grouped_json(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(doc["errors"][0]["folder"], "brightside");
    let error = doc["errors"][0]["error"].as_str().unwrap();
    assert!(
        error.contains(&format!(
            "a link to {}, which does not exist",
            gone.display()
        )),
        "{error}"
    );
    assert_eq!(doc["accounts"].as_array().unwrap().len(), 3);
}
