"""Benchmark `sentcalc simulate` on a synthetic dataset (target: 1,000,000 rows in under a minute).

    python benchmarks/simulate.py                       # 1,000,000 rows, amendment-782-retroactive
    python benchmarks/simulate.py --rows 200000 --scenario retroactive-fsa --xlsx

The rows come from `sentcalc.synthetic` (the generator of the sample dataset) with the breakdown
columns a research file carries added: 94 districts, their 12 circuits, age and citizenship. Prints the
time to write the input, the wall time of `sentcalc simulate` (a child process, the whole report: tables,
plots, people.csv, errors.csv), rows per second, peak memory (RSS) and whether the target is met.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pcsv

TODAY = "2026-11-25"
TARGET_SECONDS = 60.0


def make_csv(path: Path, rows: int, seed: int = 7) -> None:
    """`rows` synthetic cases with district, circuit, age and citizenship, written in chunks."""
    from sentcalc.synthetic import generate
    rng = np.random.default_rng(seed)
    writer = None
    chunk = 250_000
    for k, start in enumerate(range(0, rows, chunk)):
        cols = generate(min(chunk, rows - start), seed=seed + k)
        n = len(cols["id"])
        cols["id"] = np.char.add(f"S{k}-", np.arange(n).astype(str))
        district = rng.zipf(1.3, n) % 94   # a few large districts, a long tail
        cols["district"] = np.char.add("District ", (district + 1).astype(str))
        cols["circuit"] = np.char.add("Circuit ", (district % 12 + 1).astype(str))
        cols["age"] = np.where(rng.random(n) < 0.03, "", np.clip(rng.normal(36, 10, n), 18, 85).round().astype(int)
                               .astype(str))
        cols["citizenship"] = rng.choice(["U.S. citizen", "Non-citizen", ""], n, p=[0.75, 0.23, 0.02])
        t = pa.table(cols)
        if writer is None:
            writer = pcsv.CSVWriter(str(path), t.schema)
        writer.write_table(t)
    writer.close()


def run_simulate(src: Path, out: Path, scenario: str, xlsx: bool) -> tuple[float, float]:
    """Wall time and peak RSS (GB) of `sentcalc simulate` in a child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.perf_counter()
    cmd = [sys.executable, "-m", "sentcalc", "--today", TODAY, "simulate", str(src), "--scenario", scenario,
           "--report", str(out), "--grant-rate", "0.6:0.8", "--annual-cost", "42000"] + (["--xlsx"] if xlsx else [])
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    peak = max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before) / 1024 / 1024
    return wall, peak


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--scenario", default="amendment-782-retroactive")
    ap.add_argument("--xlsx", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        src = Path(d) / "cases.csv"
        t0 = time.perf_counter()
        make_csv(src, args.rows)
        print(f"input: {args.rows:,} rows, {src.stat().st_size / 1e6:,.0f} MB, written in {time.perf_counter() - t0:.1f} s")
        wall, peak = run_simulate(src, Path(d) / "report", args.scenario, args.xlsx)
        import json
        s = json.loads((Path(d) / "report" / "summary.json").read_text())
        people = (Path(d) / "report" / "people.csv").stat().st_size / 1e6
        print(f"sentcalc simulate --scenario {args.scenario}: {wall:.1f} s wall, {args.rows / wall:,.0f} rows/s, "
              f"peak memory {peak:.2f} GB; people.csv {people:,.0f} MB")
        print(f"  {s['in_custody']:,} in custody, {s['eligible']:,} eligible, {len(s['tables'])} tables, "
              f"{len(s['plots'])} plots")
        print(f"target (under {TARGET_SECONDS:.0f} s at 1,000,000 rows): "
              + ("met" if wall < TARGET_SECONDS * args.rows / 1_000_000 else "NOT met"))


if __name__ == "__main__":
    main()
