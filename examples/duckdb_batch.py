"""Run the sentcalc batch kernel inside DuckDB: query a dataset with SQL, recompute it with sentcalc
(Arrow in, Arrow out), and query the results with SQL again.

    python examples/duckdb_batch.py examples/datasets/sample.csv
"""

from __future__ import annotations

import sys
from datetime import date

import duckdb

from sentcalc.kernel import Options, recompute


def main(path: str) -> None:
    con = duckdb.connect()
    query = con.sql(f"SELECT * FROM read_csv_auto('{path}', all_varchar=true) "
                        "WHERE conviction_drug = 'cocaine_base'")
    cases = query.to_arrow_table()
    today = date(2026, 11, 25)
    results, _problems, _bad = recompute(cases, Options(["original", "2014"], retro=True, as_of=today, today=today))
    con.register("results", results)
    rows = con.execute("SELECT count(*) AS people, sum(CASE WHEN a782_eligible THEN 1 ELSE 0 END) AS eligible_782, "
                       "round(avg(orig_gl_min - r2014_gl_min), 1) AS mean_drop FROM results "
                       "WHERE error_reason IS NULL").fetchall()
    print(dict(zip(("people", "eligible_782", "mean_drop_in_minimum"), rows[0])))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "examples/datasets/sample.csv")
