"""Hand-computed worked examples (tests/worked/*.yaml) checked against `sentcalc range --json`.

Each file holds a `source` (the hand computation or a citation), a fixed `today`, a complete `case` and,
per regime token, the `expected` fields. Every expected key is compared (nested dicts key by key; extra keys
in the output are fine). Two keys are not output fields: `assumptions_count_at_least` (the result lists at
least that many assumptions) and `assumption_contains` (a case-insensitive substring of some assumption).
The expected values are computed from the law, independently of the engine: when they disagree, the
failure shows the source and every differing field.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from sentcalc.cli import app

WORKED = Path(__file__).parent / "worked"
FILES = sorted(WORKED.glob("*.yaml"))
SPECIAL = {"assumptions_count_at_least", "assumption_contains"}


def _load(path: Path) -> dict:
    data = yaml.safe_load(path.read_text())
    for key in ("source", "today", "case", "expected"):
        assert key in data, f"{path.name}: missing '{key}'"
    return data


def _diff(got: object, want: object, where: str) -> list[str]:
    """Differences between an output value and an expected value (dicts compared key by key)."""
    if isinstance(want, dict):
        if not isinstance(got, dict):
            return [f"{where}: got {got!r}, want {want!r}"]
        out: list[str] = []
        for k, v in want.items():
            out += _diff(got.get(k), v, f"{where}.{k}")
        return out
    return [] if got == want else [f"{where}: got {got!r}, want {want!r}"]


def _special(result: dict, key: str, want: object, where: str) -> list[str]:
    assumptions = [str(a) for a in result.get("assumptions") or []]
    if key == "assumptions_count_at_least":
        if len(assumptions) < int(want):
            return [f"{where}: {len(assumptions)} assumption(s), want at least {want}: {assumptions!r}"]
    elif key == "assumption_contains" and not any(str(want).lower() in a.lower() for a in assumptions):
        return [f"{where}: no assumption contains {want!r}: {assumptions!r}"]
    return []


def test_at_least_twenty_worked_examples() -> None:
    assert len(FILES) >= 20


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_worked_example(path: Path, tmp_path: Path) -> None:
    data = _load(path)
    expected: dict = {str(k): v for k, v in data["expected"].items()}
    case_file = tmp_path / f"{path.stem}-case.yaml"
    case_file.write_text(yaml.safe_dump(data["case"], sort_keys=False))
    args = ["--today", str(data["today"]), "range", str(case_file), "--json"]
    for regime in expected:
        args += ["--regime", regime]
    res = CliRunner().invoke(app, args)
    source = " ".join(str(data["source"]).split())
    assert res.exit_code == 0, f"{path.name}: exit {res.exit_code}\n{res.output}\nsource: {source}"
    results = {str(r.get("regime")): r for r in json.loads(res.stdout)["results"]}
    diffs: list[str] = []
    for regime, want in expected.items():
        got = results.get(regime)
        if got is None:
            diffs.append(f"[{regime}] no result with this regime (got {sorted(results)})")
            continue
        for key, value in want.items():
            where = f"[{regime}] {key}"
            diffs += _special(got, key, value, where) if key in SPECIAL else _diff(got.get(key), value, where)
    assert not diffs, f"{path.name}\nsource: {source}\n" + "\n".join(diffs)
