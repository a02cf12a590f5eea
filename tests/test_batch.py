"""`sentcalc batch`: row conservation, errors file, formats, batch == single case, crash safety."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from helpers import TODAY, run_main
from sentcalc.batch import run
from sentcalc.columns import from_models
from sentcalc.engine import compute_many
from sentcalc.io.casefile import parse_case
from sentcalc.io.flat import columns, row_to_document
from sentcalc.kernel import Options, recompute, regime_prefix
from sentcalc.law import LIFE, default_law
from sentcalc.regimes import parse_regime
from sentcalc.synthetic import generate

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "examples" / "datasets" / "sample.csv"
LAW = default_law()
D = date.fromisoformat(TODAY)


def _opts(*regimes: str, retro: bool = False) -> Options:
    return Options(list(regimes), retro=retro, as_of=D, today=D)


def test_sample_rows_are_conserved_and_bad_rows_listed(tmp_path: Path) -> None:
    out = tmp_path / "res.parquet"
    s = run(SAMPLE, out, _opts("original", "2014", retro=True), LAW, workers=1, progress=False)
    n_in = len(SAMPLE.read_text().splitlines()) - 1
    assert s.rows_in == n_in and s.conserved
    assert pq.read_metadata(out).num_rows == s.rows_out
    errors = list(csv.DictReader((tmp_path / "res.errors.csv").read_text().splitlines()))
    assert {e["row"] for e in errors} == {"11", "21", "31"}  # the three deliberately bad rows
    assert any(e["field"] == "conviction_drug" and "cocaine_base" in e["reason"] for e in errors)
    assert len({e["row"] for e in errors}) == s.error_rows
    prov = json.loads((tmp_path / "res.provenance.json").read_text())
    assert prov["guidelines_sha256"] == LAW.content_hash and prov["summary"]["conserved"]
    assert (tmp_path / "res.worklist.csv").exists()


@pytest.mark.parametrize("ext", [".csv", ".parquet", ".jsonl"])
def test_formats_round_trip(tmp_path: Path, ext: str) -> None:
    first = tmp_path / "a.parquet"
    run(SAMPLE, first, _opts("original"), LAW, workers=1, progress=False)
    t = pq.read_table(first)
    src = tmp_path / f"in{ext}"
    rows = [{k: v for k, v in r.items()} for r in pa.Table.from_pylist(
        list(csv.DictReader(SAMPLE.read_text().splitlines()))).to_pylist()]
    if ext == ".csv":
        src = SAMPLE
    elif ext == ".parquet":
        pq.write_table(pa.Table.from_pylist(rows), src)
    else:
        src.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    out = tmp_path / f"out{ext}"
    s = run(src, out, _opts("original"), LAW, workers=1, progress=False)
    assert s.rows_out == t.num_rows and s.conserved


def test_two_workers_give_the_same_output(tmp_path: Path) -> None:
    a, b = tmp_path / "a.parquet", tmp_path / "b.parquet"
    run(SAMPLE, a, _opts("original", "current"), LAW, workers=1, progress=False)
    run(SAMPLE, b, _opts("original", "current"), LAW, workers=2, progress=False)
    assert pq.read_table(a).equals(pq.read_table(b))


def test_duplicate_ids_go_to_the_errors_file(tmp_path: Path) -> None:
    lines = SAMPLE.read_text().splitlines()
    src = tmp_path / "dup.csv"
    src.write_text("\n".join(lines[:6] + [lines[3]]) + "\n")
    s = run(src, tmp_path / "o.csv", _opts("original"), LAW, workers=1, progress=False)
    errors = list(csv.DictReader((tmp_path / "o.errors.csv").read_text().splitlines()))
    assert [e["row"] for e in errors] == ["6"] and errors[0]["field"] == "id"
    assert s.conserved and s.rows_out == 5


def test_missing_required_column_is_refused(tmp_path: Path, capsys) -> None:
    rows = list(csv.reader(SAMPLE.read_text().splitlines()))
    k = rows[0].index("sentencing_date")
    src = tmp_path / "m.csv"
    with open(src, "w", newline="") as fh:
        csv.writer(fh).writerows([r[:k] + r[k + 1:] for r in rows[:5]])
    code, _, err = run_main(["batch", str(src), str(tmp_path / "o.csv")], capsys)
    assert code == 2 and "sentencing_date" in err and not (tmp_path / "o.csv").exists()


def test_every_flat_column_is_documented() -> None:
    readme = (ROOT / "README.md").read_text()
    for c in columns(LAW):
        assert f"`{c.name}`" in readme, c.name


def _single(doc: dict, regimes: list[str]) -> list[dict]:
    case = parse_case(doc, LAW, D)
    from sentcalc.report.result import result_dict
    res = compute_many(LAW, from_models([case], LAW.drugs), [parse_regime(t, LAW, D) for t in regimes])
    return [result_dict(r, 0) for r in res]


def _m(x) -> float:
    return LIFE if x == "life" else float(x)


def test_batch_equals_single_case_on_generated_cases() -> None:
    """Thousands of generated cases: the batch kernel and the single-case path agree on every result."""
    regimes = ["original", "pre-2007", "2010", "2014", "current"]
    cols = generate(2000, seed=11)
    table = pa.table({k: pa.array([None if (isinstance(x, float) and np.isnan(x)) else x for x in v.tolist()])
                      for k, v in cols.items()})
    out, problems, bad = recompute(table, _opts(*regimes))
    rows = table.to_pylist()
    res = out.to_pylist()
    checked = 0
    for i in np.flatnonzero(~bad):
        single = _single(row_to_document(rows[i], LAW), regimes)
        for token, r in zip(regimes, single):
            p = regime_prefix(token)
            got = res[i]
            assert got[f"{p}_offense_level"] == r["total_offense_level"], (i, token)
            assert got[f"{p}_chc"] == r["criminal_history_category"]
            for side in ("min", "max"):
                want = _m(r["guideline_range"][f"{side}_months"])
                have = LIFE if got[f"{p}_gl_{side}_life"] else got[f"{p}_gl_{side}"]
                assert have == want, (i, token, side)
                want = _m(r["statutory_range"][f"{side}_months"])
                have = LIFE if got[f"{p}_stat_{side}_life"] else got[f"{p}_stat_{side}"]
                assert have == want, (i, token, side)
            for col, key in (("sr_min", "min_months"), ("sr_max", "max_months"), ("sr_gl_min", "guideline_min_months"),
                             ("sr_gl_max", "guideline_max_months")):
                want = r["supervised_release"][key]
                have = "life" if got[f"{p}_{col}_life"] else got[f"{p}_{col}"]
                assert (have if have is None or have == "life" else int(have)) == want, (i, token, col)
        checked += 1
    assert checked > 1500


def _wait_until_writing(folder: Path, proc: subprocess.Popen) -> None:
    """Until the batch has written part of its output to its temporary file."""
    deadline = time.time() + 120
    while time.time() < deadline:
        assert proc.poll() is None, proc.communicate()
        if any(p.stat().st_size > 0 for p in folder.glob(f".out.csv.{proc.pid}.*.tmp")):
            return
        time.sleep(0.05)
    raise AssertionError("the batch never started writing")


def test_killed_batch_leaves_no_partial_output(tmp_path: Path) -> None:
    big = tmp_path / "big.csv"
    cols = generate(300_000, seed=3)
    names = list(cols)
    with open(big, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(names)
        w.writerows(zip(*[["" if (isinstance(x, float) and np.isnan(x)) else x for x in cols[k].tolist()]
                          for k in names]))
    out = tmp_path / "out.csv"
    out.write_text("previous output\n")
    env = {**os.environ, "SENTCALC_TODAY": TODAY}
    cmd = [sys.executable, "-m", "sentcalc", "batch", str(big), str(out), "--retro", "--quiet", "--workers", "1"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _wait_until_writing(tmp_path, proc)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert out.read_text() == "previous output\n"
    assert not (tmp_path / "out.errors.csv").exists()
    # SIGKILL cannot be caught: only hidden temporary files remain, named for the killed process ...
    left = sorted(p.name for p in tmp_path.glob(".*.tmp"))
    assert left and all(f".{proc.pid}." in name for name in left), left
    killed = proc.pid
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _wait_until_writing(tmp_path, proc)
    # ... and the next run to the same output removes them (that process is gone)
    assert not [p for p in tmp_path.glob(".*.tmp") if f".{killed}." in p.name]
    proc.send_signal(signal.SIGTERM)
    proc.wait()
    assert proc.returncode == 130, proc.communicate()
    assert out.read_text() == "previous output\n"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_output_column_names_are_valid_in_stata(tmp_path: Path) -> None:
    import re
    out = tmp_path / "o.parquet"
    run(SAMPLE, out, _opts("original", "pre-2007", "2012-05-01", "current", retro=True), LAW, workers=1,
        progress=False)
    for name in pq.read_schema(out).names:
        assert re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,31}", name), name


@pytest.mark.parametrize("ext", [".dta", ".sav"])
def test_stata_and_spss_outputs(tmp_path: Path, ext: str) -> None:
    pytest.importorskip("pyreadstat")
    import pyreadstat
    out = tmp_path / f"o{ext}"
    s = run(SAMPLE, out, _opts("original", "2014"), LAW, workers=1, progress=False)
    df, _ = (pyreadstat.read_dta if ext == ".dta" else pyreadstat.read_sav)(str(out))
    assert len(df) == s.rows_out and "orig_gl_min" in df.columns
