"""Runs bench/metrics.sql with DuckDB over one account folder and prints the
eight metrics as JSON: {"metric": {"numerator": n, "denominator": d}, ...}.

usage: python bench/duckdb_metrics.py ACCOUNT_DIR AS_OF
"""

import json
import pathlib
import sys

import duckdb


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    folder, as_of = pathlib.Path(sys.argv[1]).resolve(), sys.argv[2]
    sql = (pathlib.Path(__file__).with_name("metrics.sql")).read_text()
    sql = sql.replace("${DIR}", str(folder).replace("'", "''")).replace("${AS_OF}", as_of)
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    # execute() runs every statement of the script and returns the last result.
    rows = con.execute(sql).fetchall()
    print(json.dumps({m: {"numerator": n, "denominator": d} for m, n, d in rows}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
