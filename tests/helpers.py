"""Helpers for tests: a base case, a case writer, CLI runners."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import yaml
from typer.testing import CliRunner

from sentcalc.cli import app

TODAY = "2026-11-25"

BASE_CASE: dict = {
    "id": "t1",
    "offense_date": "2005-09-01",
    "sentencing_date": "2006-06-01",
    "conviction": {"statute": "841(b)(1)(A)", "drug": "cocaine_base", "grams": 50, "prior_convictions": 0,
                   "death_or_injury": False},
    "drugs": [{"drug": "cocaine_base", "grams": 50}],
    "adjustments": [],
    "mitigating_role": 0,
    "acceptance": 0,
    "criminal_history": {"points": 0, "status_points": 0, "recency_points": 0},
    "career_offender": False,
    "safety_valve": False,
    "substantial_assistance": False,
}


def make_case(**changes: object) -> dict:
    """BASE_CASE with top-level or dotted (conviction.grams) fields replaced."""
    c = copy.deepcopy(BASE_CASE)
    for key, value in changes.items():
        node = c
        parts = key.split("__")
        for p in parts[:-1]:
            node = node[p]
        node[parts[-1]] = value
    return c


def write_case(tmp_path: Path, case: dict, name: str = "case.yaml") -> Path:
    p = tmp_path / name
    p.write_text(yaml.safe_dump(case, sort_keys=False) if name.endswith(".yaml") else json.dumps(case))
    return p


def run(*args: str):
    """Invoke the CLI in-process; returns the click Result."""
    return CliRunner().invoke(app, list(args))


def range_json(tmp_path: Path, case: dict, *regimes: str) -> dict[str, dict]:
    """`sentcalc range --json` for a case; results keyed by regime token."""
    p = write_case(tmp_path, case)
    args = ["range", str(p), "--json"] + [a for r in regimes for a in ("--regime", r)]
    res = run(*args)
    assert res.exit_code == 0, res.output
    return {r["regime"]: r for r in json.loads(res.stdout)["results"]}


def run_main(argv: list[str], capsys) -> tuple[int, str, str]:
    """Run the real entry point (with its error handling); returns exit code, stdout, stderr."""
    import sys

    from sentcalc.cli import main

    old = sys.argv
    sys.argv = ["sentcalc", *argv]
    try:
        main()
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    finally:
        sys.argv = old
    out = capsys.readouterr()
    return code, out.out, out.err
