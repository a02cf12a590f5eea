"""The distributed-engine examples run the public Arrow kernel and give what `sentcalc batch` gives.

The Spark test skips only outside CI: under CI=true a missing pyspark, pandas or JDK is a failure."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "examples" / "datasets" / "sample.csv"
ENV = {**os.environ, "SENTCALC_TODAY": "2026-11-25"}


@pytest.mark.skipif(importlib.util.find_spec("duckdb") is None, reason="duckdb not installed")
def test_duckdb_example() -> None:
    out = subprocess.run([sys.executable, str(ROOT / "examples" / "duckdb_batch.py"), str(SAMPLE)],
                         capture_output=True, text=True, check=False, env=ENV)
    assert out.returncode == 0, out.stderr
    assert "'people':" in out.stdout and "eligible_782" in out.stdout


def _spark_or_skip() -> None:
    missing = [m for m in ("pyspark", "pandas", "pyarrow") if importlib.util.find_spec(m) is None]
    missing += [] if shutil.which("java") else ["java (a JDK)"]
    if missing:
        why = f"the Spark example needs {', '.join(missing)} (pip install 'sentcalc[spark]'; a JDK 17 or later)"
        if os.environ.get("CI") == "true":
            pytest.fail(why)
        pytest.skip(why)


def test_spark_example_equals_batch(tmp_path: Path) -> None:
    _spark_or_skip()
    import pyarrow.csv as pcsv
    import pyarrow.parquet as pq

    spark_out = tmp_path / "spark.parquet"
    run = subprocess.run([sys.executable, str(ROOT / "examples" / "spark_mapinarrow.py"), str(SAMPLE), str(spark_out)],
                         capture_output=True, text=True, check=False, timeout=900, env=ENV, cwd=tmp_path)
    assert run.returncode == 0, run.stderr[-4000:]
    assert "people" in run.stdout
    batch = subprocess.run([sys.executable, "-m", "sentcalc", "batch", str(SAMPLE), str(tmp_path / "batch.parquet"),
                            "-r", "original", "-r", "2014", "--quiet"],
                           capture_output=True, text=True, check=False, env=ENV, cwd=tmp_path)
    assert batch.returncode == 0, batch.stderr

    spark = pq.read_table(spark_out).to_pylist()
    assert len(spark) == 500  # one result row per input row
    by_id = {r["id"]: r for r in pq.read_table(tmp_path / "batch.parquet").to_pylist()}
    failed = {r["id"] for r in spark if r["error_reason"] is not None}
    assert failed == set(pcsv.read_csv(tmp_path / "batch.errors.csv").column("id").to_pylist())
    good = [r for r in spark if r["error_reason"] is None]
    assert len(good) == len(by_id) == 497
    columns = [c for c in good[0] if c != "error_reason"]
    for row in good:
        assert {c: row[c] for c in columns} == {c: by_id[row["id"]][c] for c in columns}, row["id"]
