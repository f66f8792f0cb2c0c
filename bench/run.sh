#!/usr/bin/env bash
# The ahr benchmark, one command (see bench/README.md):
#   bash bench/run.sh                 # the headline run: 5,000,000 order rows
#   bash bench/run.sh 1000000         # any row counts
#   bash bench/run.sh --scaling       # 1M, 2M and 5M rows
# Options after the row counts go to bench/run.py (--repeat, --seed, --as-of,
# --data-dir). Generated accounts are cached under /tmp/ahr-bench.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release --quiet --bin ahr --example generate_account --example bare_parse

if [ ! -x /usr/bin/time ]; then
    echo "bench needs GNU time for peak memory: apt-get install time" >&2
    exit 2
fi

venv=target/bench/venv
if ! "$venv/bin/python" -c 'import duckdb' 2>/dev/null; then
    echo "installing duckdb into $venv ..."
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet 'duckdb>=1.1'
fi
exec "$venv/bin/python" bench/run.py --python "$venv/bin/python" "$@"
