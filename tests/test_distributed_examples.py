"""The distributed-engine examples run the public Arrow kernel (skipped when the engine is absent)."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(importlib.util.find_spec("duckdb") is None, reason="duckdb not installed")
def test_duckdb_example() -> None:
    out = subprocess.run([sys.executable, str(ROOT / "examples" / "duckdb_batch.py"),
                          str(ROOT / "examples" / "datasets" / "sample.csv")], capture_output=True, text=True,
                         check=False, env={**os.environ, "SENTCALC_TODAY": "2026-11-25"})
    assert out.returncode == 0, out.stderr
    assert "'people':" in out.stdout and "eligible_782" in out.stdout


@pytest.mark.skipif(importlib.util.find_spec("pyspark") is None or shutil.which("java") is None,
                    reason="pyspark or a JDK not installed")
def test_spark_example() -> None:
    out = subprocess.run([sys.executable, str(ROOT / "examples" / "spark_mapinarrow.py"),
                          str(ROOT / "examples" / "datasets" / "sample.csv")], capture_output=True, text=True,
                         check=False, timeout=600)
    assert out.returncode == 0, out.stderr
    assert "people" in out.stdout
