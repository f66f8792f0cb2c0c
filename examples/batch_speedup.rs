//! Benchmark (not a test): how much faster `ahr batch` gets from one worker
//! thread to two. Writes ACCOUNTS small generated account folders (default
//! 1,000; 200 orders, a few feedback rows and identifiers each, one in ten
//! sharing a phone with its neighbour) into a temporary folder, then runs
//! the batch pipeline of the library (first pass, link index, audits, JSON
//! rendering) with `--jobs 1` and `--jobs 2`, best of ROUNDS (default 3).
//!
//!     cargo run --release --example batch_speedup -- [ACCOUNTS] [ROUNDS]
//!
//! It also checks that both runs render the same reports.

use ahr::audit::AuditOptions;
use ahr::batch;
use ahr::policy::{self, PolicySources};
use chrono::{Duration, NaiveDate};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let accounts: usize = args.next().map_or(Ok(1000), |a| a.parse())?;
    let rounds: usize = args.next().map_or(Ok(3), |a| a.parse())?;
    let root = std::env::temp_dir().join(format!("ahr-batch-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let started = Instant::now();
    generate(&root, accounts)?;
    println!(
        "generated {accounts} accounts in {:.1?} under {}",
        started.elapsed(),
        root.display()
    );

    let policies = policy::load(&PolicySources::default())?;
    let options = AuditOptions {
        as_of: Some(NaiveDate::from_ymd_opt(2026, 11, 20).expect("a date")),
        mask: true,
        today: NaiveDate::from_ymd_opt(2026, 11, 20).expect("a date"),
        peak: None,
    };
    let mut best = [f64::MAX; 2];
    let mut outputs: [Vec<String>; 2] = Default::default();
    for round in 0..rounds {
        for (slot, jobs) in [1usize, 2].into_iter().enumerate() {
            let (started, cpu_before) = (Instant::now(), cpu_seconds());
            let rendered = run(&root, jobs, &policies, &options)?;
            let seconds = started.elapsed().as_secs_f64();
            // CPU time shows whether the wall time was spent working or
            // waiting for a core another process held.
            let cpu = match (cpu_before, cpu_seconds()) {
                (Some(a), Some(b)) => format!(", cpu {:.2} s", b - a),
                _ => String::new(),
            };
            println!(
                "round {}: --jobs {jobs}: wall {seconds:.3} s{cpu}",
                round + 1
            );
            best[slot] = best[slot].min(seconds);
            outputs[slot] = rendered;
        }
    }
    assert_eq!(outputs[0], outputs[1], "--jobs must not change the reports");
    println!(
        "best of {rounds}: --jobs 1 {:.3} s, --jobs 2 {:.3} s, speed-up {:.2}x ({} cores available)",
        best[0],
        best[1],
        best[0] / best[1],
        batch::default_jobs()
    );
    std::fs::remove_dir_all(&root)?;
    Ok(())
}

/// User and system CPU time of this process so far, from /proc on Linux
/// (clock ticks of 1/100 s); `None` elsewhere.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The command name may hold spaces; fields after it are space-separated.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

/// The batch pipeline as `ahr batch --format json` runs it: workers audit
/// and render, the calling thread keeps the texts in id order.
fn run(
    root: &Path,
    jobs: usize,
    policies: &policy::PolicySet,
    options: &AuditOptions,
) -> anyhow::Result<Vec<String>> {
    let plan = batch::plan(root, None, None, jobs)?;
    let mut rendered = vec![String::new(); plan.members.len()];
    batch::parallel(
        &plan.members,
        jobs,
        |member| match batch::audit_member(member, policies, options, &plan.index) {
            Ok(report) => ahr::report::json::render(&report),
            Err(error) => error.error,
        },
        |i, text| {
            rendered[i] = text;
            Ok(())
        },
    )?;
    Ok(rendered)
}

fn generate(root: &Path, accounts: usize) -> anyhow::Result<()> {
    let as_of = NaiveDate::from_ymd_opt(2026, 11, 20).expect("a date");
    for a in 0..accounts {
        let dir: PathBuf = root.join(format!("client-{a:05}"));
        std::fs::create_dir_all(&dir)?;
        let mut orders = String::from(
            "order_id,purchase_date,status,fulfillment,ship_by,shipped_at,tracking_id,tracking_valid,promised_delivery,delivered_at\n",
        );
        let mut feedback = String::from("date,rating,comments,order_id\n");
        for n in 0..200usize {
            let day = as_of - Duration::days((n * 90 / 200) as i64);
            let id = format!("113-{:07}-{:07}", a, n);
            let late = (n + a) % 37 == 0;
            let shipped = day + Duration::days(if late { 4 } else { 1 });
            let _ = writeln!(
                orders,
                "{id},{day}T10:00:00Z,Delivered,{},{},{shipped}T12:00:00Z,1Z{a:05}{n:06},true,{},{}",
                if n % 3 == 0 { "AFN" } else { "MFN" },
                day + Duration::days(2),
                day + Duration::days(6),
                day + Duration::days(5),
            );
            if n % 10 == 0 {
                let rating = if (n + a) % 70 == 0 { 1 } else { 5 };
                let _ = writeln!(feedback, "{},{rating},Thanks,{id}", day + Duration::days(6));
            }
        }
        std::fs::write(dir.join("orders.csv"), orders)?;
        std::fs::write(dir.join("feedback.csv"), feedback)?;
        // One account in ten shares its phone with the next one.
        let phone = if a % 10 == 1 { a - 1 } else { a };
        std::fs::write(
            dir.join("identifiers.csv"),
            format!(
                "kind,value\nphone,+1 555 {phone:07}\nemail,ops{a}@client{a}.example\nbank,DE{a:020}\n"
            ),
        )?;
        std::fs::write(
            dir.join("account.toml"),
            format!("id = \"client-{a:05}\"\nmarketplace = \"US\"\n"),
        )?;
    }
    Ok(())
}
