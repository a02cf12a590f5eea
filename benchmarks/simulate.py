"""Benchmark `sentcalc simulate` on a synthetic dataset (target: 1,000,000 rows in under a minute).

    python benchmarks/simulate.py                       # 1,000,000 rows, amendment-782-retroactive
    python benchmarks/simulate.py --rows 200000 --scenario retroactive-fsa --xlsx

The rows come from `sentcalc.synthetic` (the generator of the sample dataset) with the breakdown
columns a research file carries added: 94 districts, their 12 circuits, age and citizenship. Prints the
time to write the input, the wall time of `sentcalc simulate` (a child process, the whole report: tables,
plots, people.csv, errors.csv), its CPU time, rows per second, peak memory (RSS), the machine's load
average (other jobs slow a shared machine down) and whether the target is met.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
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


def run_simulate(src: Path, out: Path, scenario: str, xlsx: bool) -> tuple[float, float, float]:
    """Wall time, CPU time (all its processes) and peak RSS (GB, the largest process; a forked worker counts
    the pages it shares with the main process) of `sentcalc simulate` in a child process."""
    t0 = time.perf_counter()
    cmd = [sys.executable, "-m", "sentcalc", "--today", TODAY, "simulate", str(src), "--scenario", scenario,
           "--report", str(out), "--grant-rate", "0.6:0.8", "--annual-cost", "42000"] + (["--xlsx"] if xlsx else [])
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)   # this child's own usage (with its workers), not earlier children's
    wall = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status):
        raise SystemExit(f"sentcalc simulate failed: {' '.join(cmd)}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024 / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--scenario", default="amendment-782-retroactive")
    ap.add_argument("--xlsx", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        src = Path(d) / "cases.csv"
        t0 = time.perf_counter()
        # generated in a fresh process, so this one stays small: a child forked from a large process would count
        # the parent's pages in its peak memory
        maker = multiprocessing.get_context("spawn").Process(target=make_csv, args=(src, args.rows))
        maker.start()
        maker.join()
        if maker.exitcode:
            raise SystemExit(f"generating the input failed (exit code {maker.exitcode})")
        print(f"input: {args.rows:,} rows, {src.stat().st_size / 1e6:,.0f} MB, written in {time.perf_counter() - t0:.1f} s")
        load = os.getloadavg()[0]
        wall, cpu, peak = run_simulate(src, Path(d) / "report", args.scenario, args.xlsx)
        import json
        s = json.loads((Path(d) / "report" / "summary.json").read_text())
        people = (Path(d) / "report" / "people.csv").stat().st_size / 1e6
        print(f"sentcalc simulate --scenario {args.scenario}: {wall:.1f} s wall ({cpu:.1f} s CPU), "
              f"{args.rows / wall:,.0f} rows/s, peak memory {peak:.2f} GB; people.csv {people:,.0f} MB; load average "
              f"{load:.1f} before, {os.getloadavg()[0]:.1f} after (on {os.cpu_count()} cores)")
        print(f"  {s['in_custody']:,} in custody, {s['eligible']:,} eligible, {len(s['tables'])} tables, "
              f"{len(s['plots'])} plots")
        print(f"target (under {TARGET_SECONDS:.0f} s at 1,000,000 rows): "
              + ("met" if wall < TARGET_SECONDS * args.rows / 1_000_000 else "NOT met"))


if __name__ == "__main__":
    main()
