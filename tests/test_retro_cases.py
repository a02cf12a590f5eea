"""Published retroactivity outcomes, one YAML file each in tests/retro_cases/.

Each file has `source` (the citation as found, and which facts come from the opinion and which are
assumed), `as_of` (the order date), `case` (a complete case file) and `expected`: any keys of the
`original` result, of each analysis (keyed by its id), `best`, and other top-level keys of
`sentcalc retro --json`. The expected values were computed by hand from the published numbers and the
law (../shared/reference), not from sentcalc's output. Extra output keys are fine;
`reason_codes_include` is a subset check on `reason_codes`."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from sentcalc.cli import app

TODAY = "2026-11-25"
HERE = Path(__file__).parent / "retro_cases"
CASE_FILES = sorted(HERE.glob("*.yaml"))


def _load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _norm(v: object) -> object:
    """Dates as ISO strings (YAML reads 2008-06-01 as a date; the JSON has strings)."""
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, dict):
        return {k: _norm(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_norm(x) for x in v]
    return v


def _diff(expected: object, actual: object, path: str) -> list[str]:
    """Every expected leaf that the output does not match, as 'path: expected X, got Y'."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{path}: expected an object with {sorted(expected)}, got {actual!r}"]
        out: list[str] = []
        for key, want in expected.items():
            if key == "reason_codes_include":
                got = actual.get("reason_codes")
                missing = [c for c in want if c not in (got or [])]
                if missing:
                    out.append(f"{path}.reason_codes: expected to include {missing}, got {got!r}")
                continue
            if key not in actual:
                out.append(f"{path}.{key}: missing from the output (expected {want!r})")
                continue
            out += _diff(want, actual[key], f"{path}.{key}")
        return out
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return [f"{path}: expected {expected!r}, got {actual!r}"]
        return [d for k, (w, a) in enumerate(zip(expected, actual)) for d in _diff(w, a, f"{path}[{k}]")]
    if expected != actual:
        return [f"{path}: expected {expected!r}, got {actual!r}"]
    return []


def run_retro(case: dict, as_of: str, tmp_path: Path) -> dict:
    case_file = tmp_path / "case.yaml"
    case_file.write_text(yaml.safe_dump(case, sort_keys=False), encoding="utf-8")
    res = CliRunner().invoke(app, ["--today", TODAY, "retro", str(case_file), "--json", "--as-of", as_of])
    assert res.exit_code == 0, f"sentcalc retro failed (exit {res.exit_code}):\n{res.output}"
    return json.loads(res.stdout)


def compare(expected: dict, out: dict) -> list[str]:
    diffs: list[str] = []
    analyses = {a["id"]: a for a in out.get("analyses", [])}
    for key, want in expected.items():
        if key == "analyses":
            for av, want_av in want.items():
                if av not in analyses:
                    diffs.append(f"analyses.{av}: no such analysis (have {sorted(analyses)})")
                    continue
                diffs += _diff(want_av, analyses[av], f"analyses.{av}")
        elif key not in out:
            diffs.append(f"{key}: missing from the output (expected {want!r})")
        else:
            diffs += _diff(want, out[key], key)
    return diffs


def _context(expected: dict, out: dict) -> str:
    """What sentcalc said for each analysis the file checks: eligibility, reasons, ranges."""
    lines = []
    for a in out.get("analyses", []):
        if a["id"] not in expected.get("analyses", {}):
            continue
        am = a.get("amended") or {}
        lines.append(f"  {a['id']}: eligible={a['eligible']} codes={a['reason_codes']} "
                     f"lowest={a.get('lowest_permissible_months')} "
                     f"amended level={am.get('total_offense_level')} range={am.get('guideline_range')}")
        lines += [f"    reason: {r}" for r in a.get("reasons", [])]
    return "\n".join(lines)


@pytest.mark.parametrize("path", CASE_FILES, ids=[p.stem for p in CASE_FILES])
def test_published_outcome(path: Path, tmp_path: Path) -> None:
    doc = _load(path)
    expected = _norm(doc["expected"])
    out = run_retro(doc["case"], _norm(doc["as_of"]), tmp_path)
    diffs = compare(expected, out)
    assert not diffs, (f"{path.name}\nsource: {' '.join(str(doc['source']).split())}\n"
                       "differences (expected from the published outcome and the law):\n  "
                       + "\n  ".join(diffs) + "\nsentcalc said:\n" + _context(expected, out))


def test_case_files_are_complete_and_cited() -> None:
    """Every file cites its source; at least 22 reproduce published outcomes (the rest say 'Hand
    computation'); every analysis id and reason code used is one the issue defines."""
    ids = {"amendment-706", "amendment-750", "amendment-782", "amendment-821", "first-step-act-404"}
    codes = {"career_offender", "mandatory_minimum", "above_top_threshold", "life", "already_applied",
             "not_lowered", "not_covered_offense", "sentenced_under_fsa", "previous_motion_denied",
             "sentence_below_amended_minimum"}
    published = 0
    for path in CASE_FILES:
        doc = _load(path)
        assert {"source", "as_of", "case", "expected"} <= set(doc), path.name
        source = " ".join(str(doc["source"]).split())
        assert len(source) > 80, f"{path.name}: the source must give the citation and say what is assumed"
        if not source.startswith("Hand computation"):
            published += 1
            assert "assum" in source.lower() or "[text]" in source, f"{path.name}: say which facts are assumed"
        for av, want in doc["expected"].get("analyses", {}).items():
            assert av in ids, f"{path.name}: unknown analysis {av}"
            assert set(want.get("reason_codes_include", [])) <= codes, f"{path.name}: unknown reason code"
    assert published >= 22, f"only {published} published outcomes"
