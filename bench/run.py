"""The ahr benchmark: the same eight order metrics computed three ways on the
same generated account, in the same run.

  ahr        `ahr audit DIR --format json --as-of AS_OF` (the whole audit)
  ahr-auto   `ahr audit DIR --format json`, as a seller runs it: as-of is
             the latest purchase date, learnt while the orders are read
  duckdb     bench/metrics.sql over the CSVs, through DuckDB's Python package
  bare-parse examples/bare_parse: the csv crate with one reused ByteRecord,
             orders.csv only (the practical floor)

Each way runs --repeat times, interleaved; the table shows the median wall
time and the median peak resident memory (GNU time's maximum RSS of each
process). ahr's numerators and denominators must equal DuckDB's, or the run
fails; so must ahr-auto's, when the latest purchase falls on AS_OF (it does
in generated accounts). Start it through bench/run.sh, which builds and installs what this needs.
"""

import argparse
import json
import os
import pathlib
import platform
import shutil
import statistics
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
AHR = ROOT / "target" / "release" / "ahr"
GENERATE = ROOT / "target" / "release" / "examples" / "generate_account"
BARE = ROOT / "target" / "release" / "examples" / "bare_parse"
DUCKDB_SCRIPT = ROOT / "bench" / "duckdb_metrics.py"
TIME = "/usr/bin/time"  # GNU time, for each process's own peak RSS
# The windows bench/metrics.sql counts by; ahr's default policies must agree.
WINDOWS = {
    "order_defect_rate": 60,
    "order_defect_rate_mfn": 60,
    "order_defect_rate_afn": 60,
    "late_shipment_rate_10d": 10,
    "late_shipment_rate_30d": 30,
    "pre_fulfillment_cancel_rate": 7,
    "valid_tracking_rate": 30,
    "on_time_delivery_rate": 14,
}


def measure(cmd, stdout_path):
    """Runs cmd with stdout to a file; returns (wall s, peak RSS MiB, CPU s).

    Peak RSS comes from GNU time: a child forked straight from Python would
    report Python's own pages as its peak, since ru_maxrss counts the memory
    it had between fork and exec.
    """
    rss_file = pathlib.Path(str(stdout_path) + ".rss")
    with open(stdout_path, "wb") as out:
        start = time.perf_counter()
        proc = subprocess.run([TIME, "-f", "%M %U %S", "-o", rss_file, *cmd], stdout=out, stderr=subprocess.PIPE)
        wall = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"FAILED ({proc.returncode}): {' '.join(map(str, cmd))}\n{proc.stderr.decode(errors='replace')}")
    kib, user, system = rss_file.read_text().split()[-3:]
    return wall, int(kib) / 1024, float(user) + float(system)


# Bump when examples/generate_account.rs changes what it writes, so cached
# accounts from an older generator are not reused.
GENERATOR_VERSION = 2


def account_dir(data_dir, rows, seed, as_of, days):
    """Generates the account once per (rows, seed, as-of, days); reuses it after."""
    folder = data_dir / (
        f"{rows}-s{seed}-{as_of}-g{GENERATOR_VERSION}" + ("" if days == 365 else f"-d{days}")
    )
    done = folder / ".complete"
    if not done.exists():
        if folder.exists():
            shutil.rmtree(folder)
        print(f"generating {rows:,} order rows into {folder} ...", flush=True)
        subprocess.run(
            [GENERATE, "--rows", str(rows), "--seed", str(seed), "--as-of", as_of, "--days", str(days),
             "--out", folder],
            check=True,
        )
        done.touch()
    return folder


def warm(folder):
    """Reads every file once so each way starts from the page cache."""
    for f in sorted(folder.iterdir()):
        with open(f, "rb") as fh:
            while fh.read(1 << 22):
                pass


def compare(ahr_json, duck_json):
    """Returns a list of disagreements between ahr's report and DuckDB's counts."""
    report = json.loads(pathlib.Path(ahr_json).read_text())
    duck = json.loads(pathlib.Path(duck_json).read_text())
    problems = []
    for metric, days in WINDOWS.items():
        got = report["metrics"].get(metric)
        want = duck.get(metric)
        if got is None:
            problems.append(f"{metric}: missing from ahr's report")
            continue
        if got["window"]["days"] != days:
            problems.append(f"{metric}: ahr used a {got['window']['days']}-day window, metrics.sql {days}")
        for part in ("numerator", "denominator"):
            if got[part] != want[part]:
                problems.append(f"{metric}: {part} ahr {got[part]} != duckdb {want[part]}")
    return problems, report


def run_one(rows, args, python):
    folder = account_dir(args.data_dir, rows, args.seed, args.as_of, args.days)
    orders = folder / "orders.csv"
    size_mb = orders.stat().st_size / 1e6
    out = args.data_dir / "out"
    out.mkdir(exist_ok=True)
    ways = {
        "ahr": [AHR, "audit", folder, "--format", "json", "--as-of", args.as_of],
        "ahr-auto": [AHR, "audit", folder, "--format", "json"],
        "duckdb": [python, DUCKDB_SCRIPT, folder, args.as_of],
        "bare-parse": [BARE, orders],
    }
    warm(folder)
    samples = {name: [] for name in ways}
    for _ in range(args.repeat):
        for name, cmd in ways.items():
            samples[name].append(measure(cmd, out / f"{name}-{rows}.out"))
    problems, report = compare(out / f"ahr-{rows}.out", out / f"duckdb-{rows}.out")
    auto_problems, auto = compare(out / f"ahr-auto-{rows}.out", out / f"duckdb-{rows}.out")
    if auto["as_of"] == args.as_of:
        problems += [f"ahr-auto: {p}" for p in auto_problems]
    else:
        print(f"ahr-auto took as-of {auto['as_of']}, not {args.as_of}: its counts are not compared")
    result = {"rows": rows, "orders_csv_mb": round(size_mb, 1), "ways": {}}
    for name, runs in samples.items():
        result["ways"][name] = {
            "wall_s": round(statistics.median(w for w, _, _ in runs), 3),
            "peak_rss_mb": round(statistics.median(m for _, m, _ in runs), 1),
            "cpu_s": round(statistics.median(c for _, _, c in runs), 3),
            "runs": [[round(w, 3), round(m, 1), round(c, 3)] for w, m, c in runs],
        }
    w = result["ways"]
    result["ahr_over_duckdb"] = round(w["ahr"]["wall_s"] / w["duckdb"]["wall_s"], 2)
    result["ahr_over_bare"] = round(w["ahr"]["wall_s"] / w["bare-parse"]["wall_s"], 2)
    result["ahr_auto_over_duckdb"] = round(w["ahr-auto"]["wall_s"] / w["duckdb"]["wall_s"], 2)
    result["cpu_ahr_over_duckdb"] = round(w["ahr"]["cpu_s"] / max(w["duckdb"]["cpu_s"], 1e-3), 2)
    result["cpu_ahr_over_bare"] = round(w["ahr"]["cpu_s"] / max(w["bare-parse"]["cpu_s"], 1e-3), 2)
    result["agreement"] = "ok" if not problems else problems
    result["metrics"] = {m: [report["metrics"][m]["numerator"], report["metrics"][m]["denominator"]]
                         for m in WINDOWS if m in report["metrics"]}
    return result, problems


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("rows", nargs="*", type=int, help="order rows per account (default 5000000)")
    parser.add_argument("--scaling", action="store_true", help="run 1M, 2M and 5M rows")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--as-of", default="2026-11-20")
    parser.add_argument("--days", type=int, default=365, help="days of history the orders span")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--data-dir", type=pathlib.Path, default=pathlib.Path("/tmp/ahr-bench"))
    parser.add_argument("--python", default=sys.executable, help="the Python that has duckdb")
    args = parser.parse_args()
    counts = [1_000_000, 2_000_000, 5_000_000] if args.scaling else (args.rows or [5_000_000])
    args.data_dir.mkdir(parents=True, exist_ok=True)

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}")
    print(f"as-of {args.as_of}, seed {args.seed}, {args.days} days of orders, median of {args.repeat} runs each")
    print(f"load average before the run: {os.getloadavg()[0]:.1f} (wall times are only comparable on an idle machine)\n")
    results, failed = [], False
    for rows in counts:
        result, problems = run_one(rows, args, args.python)
        results.append(result)
        if problems:
            failed = True
            print(f"MISMATCH at {rows:,} rows between ahr and DuckDB:", *problems, sep="\n  ")

    header = (f"{'rows':>10} {'orders.csv':>11} {'way':>11} {'wall s':>8} {'CPU s':>7} "
              f"{'peak RSS MB':>12} {'wall ns/row':>12}")
    print(header)
    print("-" * len(header))
    for r in results:
        for name, way in r["ways"].items():
            ns = way["wall_s"] * 1e9 / r["rows"]
            print(f"{r['rows']:>10,} {r['orders_csv_mb']:>8.0f} MB {name:>11} {way['wall_s']:>8.2f} "
                  f"{way['cpu_s']:>7.2f} {way['peak_rss_mb']:>12.1f} {ns:>12.0f}")
        print(f"{'':>10} ahr/duckdb = {r['ahr_over_duckdb']:.2f} (goal <= 0.5), "
              f"ahr/bare-parse = {r['ahr_over_bare']:.2f} (goal <= 1.5), "
              f"agreement: {'ok, 8 metrics' if r['agreement'] == 'ok' else 'MISMATCH'}")
        print(f"{'':>10} by CPU time: ahr/duckdb = {r['cpu_ahr_over_duckdb']:.2f}, "
              f"ahr/bare-parse = {r['cpu_ahr_over_bare']:.2f}")
        print(f"{'':>10} without --as-of: ahr-auto/duckdb = {r['ahr_auto_over_duckdb']:.2f}")
    summary = args.data_dir / "out" / "results.json"
    summary.write_text(json.dumps(results, indent=1))
    print(f"\nraw runs: {summary}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
