"""Benchmark `sentcalc batch` against plain CSV I/O, and against the single-case API row by row.

    python benchmarks/batch.py                 # 1,000,000 synthetic cases
    python benchmarks/batch.py --rows 4000000  # memory scaling

Prints, measured in the same run: the time to read and write the CSV alone with pyarrow (the I/O
library sentcalc uses); the time for `sentcalc batch --regime original --regime 2010 --regime 2014
--retro`; their ratio; rows per second; peak memory (RSS) of the batch process; and the speed-up over
calling the single-case API row by row on a sample. Targets on 2 cores: ratio ≤ 3, peak ≤ 2 GB at 1M
rows, at 4M no more than 1.25× the 1M peak, speed-up ≥ 50×.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pcsv

TODAY = "2026-11-25"


def make_csv(path: Path, rows: int, seed: int = 1) -> None:
    from sentcalc.synthetic import generate
    chunk = 250_000
    writer = None
    for k, start in enumerate(range(0, rows, chunk)):
        cols = generate(min(chunk, rows - start), seed=seed + k)
        cols["id"] = np.char.add(f"B{k}-", np.arange(len(cols["id"])).astype(str))
        t = pa.table(cols)
        if writer is None:
            writer = pcsv.CSVWriter(str(path), t.schema)
        writer.write_table(t.cast(writer.schema) if False else t)
    writer.close()


def io_only(src: Path, dst: Path) -> float:
    """Read every column as text and write it back, streamed, with pyarrow (what batch does for I/O)."""
    t0 = time.perf_counter()
    names = src.open().readline().strip().split(",")
    reader = pcsv.open_csv(src, convert_options=pcsv.ConvertOptions(column_types={n.strip('"'): pa.string()
                                                                                   for n in names}))
    writer = None
    for b in reader:
        if writer is None:
            writer = pcsv.CSVWriter(str(dst), b.schema)
        writer.write_batch(b)
    writer.close()
    return time.perf_counter() - t0


def io_floor(src: Path, out: Path, dst: Path) -> float:
    """The I/O no implementation can avoid: read the input (as in `io_only`) and write the batch's own output
    table (its ~130 typed columns) with the same library; computing is excluded."""
    names = src.open().readline().strip().split(",")
    t0 = time.perf_counter()
    for _ in pcsv.open_csv(src, convert_options=pcsv.ConvertOptions(column_types={n.strip('"'): pa.string()
                                                                                  for n in names})):
        pass
    read_s = time.perf_counter() - t0
    table = pcsv.read_csv(out)  # typed as written (months double, *_life bool, dates)
    t0 = time.perf_counter()
    with pcsv.CSVWriter(str(dst), table.schema) as writer:
        for b in table.to_batches(max_chunksize=50_000):
            writer.write_batch(b)
    return read_s + time.perf_counter() - t0


def run_batch(src: Path, dst: Path) -> tuple[float, float]:
    """Wall time and peak RSS (GB) of `sentcalc batch` in a child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "sentcalc", "--today", TODAY, "batch", str(src), str(dst), "--regime",
                    "original", "--regime", "2010", "--regime", "2014", "--retro", "--quiet"], check=True,
                   stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    del before
    return wall, peak_kb / 1024 / 1024


def single_case_rate(src: Path, sample: int) -> float:
    """Seconds per case through the single-case API (case model → engine → retro), row by row."""
    from sentcalc.columns import from_models
    from sentcalc.engine import compute_many
    from sentcalc.io.casefile import parse_case
    from sentcalc.io.flat import row_to_document
    from sentcalc.law import default_law
    from sentcalc.regimes import parse_regime
    from sentcalc.report.result import result_dict
    from sentcalc.retro.analyse import analyse

    law = default_law()
    today = date.fromisoformat(TODAY)
    rows = pcsv.read_csv(src, read_options=pcsv.ReadOptions(block_size=1 << 20)).slice(0, sample).to_pylist()
    regimes = [parse_regime(t, law, today) for t in ("original", "2010", "2014")]
    t0 = time.perf_counter()
    done = 0
    for r in rows:
        try:
            case = parse_case(row_to_document(r, law), law, today)
        except Exception:  # noqa: BLE001 - invalid synthetic rows are skipped in both paths
            continue
        cases = from_models([case], law.drugs)
        for res in compute_many(law, cases, regimes):
            result_dict(res, 0)
        analyse(law, cases, today)
        done += 1
    return (time.perf_counter() - t0) / max(done, 1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--sample", type=int, default=300, help="rows for the single-case comparison")
    ap.add_argument("--keep", type=Path, help="a folder to keep the files in")
    args = ap.parse_args()
    tmp = args.keep or Path(tempfile.mkdtemp(prefix="sentcalc-bench-"))
    tmp.mkdir(parents=True, exist_ok=True)
    src = tmp / f"synthetic-{args.rows}.csv"
    if not src.exists():
        make_csv(src, args.rows)
    io_s = io_only(src, tmp / "io-copy.csv")
    batch_s, peak_gb = run_batch(src, tmp / "out.csv")
    floor_s = io_floor(src, tmp / "out.csv", tmp / "out-copy.csv")
    per_case = single_case_rate(src, args.sample)
    single_total = per_case * args.rows
    print(f"rows                      {args.rows:,}  ({src.stat().st_size / 1e6:,.0f} MB CSV, {os.cpu_count()} cores)")
    print(f"CSV read+write alone      {io_s:8.2f} s   (pyarrow)")
    print(f"sentcalc batch            {batch_s:8.2f} s   (original, 2010, 2014, --retro)")
    print(f"ratio batch / I/O         {batch_s / io_s:8.2f}     (target ≤ 3)")
    print(f"read input + write output {floor_s:8.2f} s   (the I/O alone of this job: ratio floor "
          f"{floor_s / io_s:.2f} before any computing)")
    print(f"rows per second           {args.rows / batch_s:8,.0f}")
    print(f"peak memory (batch)       {peak_gb:8.2f} GB  (target ≤ 2 GB at 1M; ≤ 1.25× that at 4M)")
    print(f"single-case API           {per_case * 1e3:8.2f} ms/case → {single_total:,.0f} s for all rows")
    print(f"speed-up over row by row  {single_total / batch_s:8.0f}×    (target ≥ 50×)")


if __name__ == "__main__":
    main()
