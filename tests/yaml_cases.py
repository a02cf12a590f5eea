"""One runner for the YAML test cases, whatever they test.

Every file has a `source` (the hand computation or the citation, saying which facts are assumed), a complete
`case`, and `expected` values computed from the law, independently of sentcalc:

- tests/worked/ — `sentcalc range --json` (`today`; `expected` per regime token). A regime may also give
  `columns`: intermediate values of the engine's stages (e.g. `offense_level_determined_above`), and a file
  may give `stage_tests`: one stage run on its own from `given` columns, as PolicyEngine's YAML tests give
  intermediate inputs (`[{stage, regime, given, expected}]`).
- tests/retro_cases/ — `sentcalc retro --json` (`as_of`; `expected`: keys of the document, `analyses` by id).
- tests/scenario_cases/ — a scenario's avenue for one case (`scenario`, `as_of`; `expected`: `eligible`,
  `reason_codes`, `lowest_permissible_months`, `amended`), or `expected_error` for a scenario file refused.

`diff(expected, actual, where)` compares every expected leaf (dicts key by key; extra output keys are fine).
Special keys: `reason_codes_include` (a subset of `reason_codes`), `assumptions_count_at_least`,
`assumption_contains` (a case-insensitive substring of some assumption).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from typer.testing import CliRunner

from sentcalc.cli import app

HERE = Path(__file__).parent
KINDS = {"worked": HERE / "worked", "retro": HERE / "retro_cases", "scenario": HERE / "scenario_cases"}


def files(kind: str) -> list[Path]:
    return sorted(KINDS[kind].glob("*.yaml"))


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def norm(v: object) -> object:
    """Dates as ISO strings (YAML reads 2008-06-01 as a date; the JSON has strings)."""
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, dict):
        return {k: norm(x) for k, x in v.items()}
    if isinstance(v, list):
        return [norm(x) for x in v]
    return v


def diff(expected: object, actual: object, where: str) -> list[str]:
    """Every expected leaf the output does not match, as 'where: expected X, got Y'."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{where}: expected an object with {sorted(expected)}, got {actual!r}"]
        out: list[str] = []
        for key, want in expected.items():
            if key in SPECIAL:
                out += SPECIAL[key](want, actual, where)
            elif key not in actual:
                out.append(f"{where}.{key}: missing from the output (expected {want!r})")
            else:
                out += diff(want, actual[key], f"{where}.{key}")
        return out
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return [f"{where}: expected {expected!r}, got {actual!r}"]
        return [d for k, (w, a) in enumerate(zip(expected, actual)) for d in diff(w, a, f"{where}[{k}]")]
    return [] if expected == actual else [f"{where}: expected {expected!r}, got {actual!r}"]


def _codes_include(want: list, actual: dict, where: str) -> list[str]:
    missing = [c for c in want if c not in (actual.get("reason_codes") or [])]
    return [f"{where}.reason_codes: expected to include {missing}, got {actual.get('reason_codes')!r}"] if missing else []


def _assumptions_at_least(want: int, actual: dict, where: str) -> list[str]:
    found = actual.get("assumptions") or []
    return [] if len(found) >= int(want) else [f"{where}: {len(found)} assumption(s), want at least {want}: {found!r}"]


def _assumption_contains(want: str, actual: dict, where: str) -> list[str]:
    found = [str(a) for a in actual.get("assumptions") or []]
    return [] if any(str(want).lower() in a.lower() for a in found) else [
        f"{where}: no assumption contains {want!r}: {found!r}"]


SPECIAL = {"reason_codes_include": _codes_include, "assumptions_count_at_least": _assumptions_at_least,
           "assumption_contains": _assumption_contains}


def _cli(args: list[str]) -> dict:
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, f"sentcalc {' '.join(args)} failed (exit {res.exit_code}):\n{res.output}"
    return json.loads(res.stdout)


def _case_file(case: dict, tmp_path: Path) -> Path:
    p = tmp_path / "case.yaml"
    p.write_text(yaml.safe_dump(case, sort_keys=False), encoding="utf-8")
    return p


def check(kind: str, path: Path, tmp_path: Path) -> list[str]:
    """The differences between a YAML case and what sentcalc computes (empty when they agree)."""
    doc = load(path)
    for key in ("source", "expected" if "expected_error" not in doc else "expected_error"):
        assert key in doc, f"{path.name}: missing '{key}'"
    return {"worked": _worked, "retro": _retro, "scenario": _scenario}[kind](doc, tmp_path)


def _worked(doc: dict, tmp_path: Path) -> list[str]:
    expected = {str(k): v for k, v in doc["expected"].items()}
    args = ["--today", str(doc["today"]), "range", str(_case_file(doc["case"], tmp_path)), "--json"]
    out = _cli(args + [a for r in expected for a in ("--regime", r)])
    results = {str(r.get("regime")): r for r in out["results"]}
    diffs: list[str] = []
    columns = {}
    if any("columns" in want for want in expected.values()) or doc.get("stage_tests"):
        columns = _columns(doc, list(expected))
    for regime, want in expected.items():
        want = dict(want)
        cols = want.pop("columns", None)
        if regime not in results:
            diffs.append(f"[{regime}] no result with this regime (got {sorted(results)})")
            continue
        diffs += diff(want, results[regime], f"[{regime}]")
        if cols:
            diffs += diff(cols, columns[regime], f"[{regime}] columns")
    for k, test in enumerate(doc.get("stage_tests") or []):
        diffs += _stage_test(doc, test, f"stage_tests[{k}] {test['stage']}")
    return diffs


def _cases(doc: dict):
    from sentcalc.columns import from_models
    from sentcalc.io.casefile import parse_case
    from sentcalc.law import default_law
    from sentcalc.regimes import today

    law = default_law()
    return law, from_models([parse_case(doc["case"], law, today(str(doc["today"])))], law.drugs)


def _columns(doc: dict, tokens: list[str]) -> dict[str, dict[str, Any]]:
    """Every engine column of the case under each regime, as plain values (the intermediate values)."""
    from sentcalc.engine import compute_many
    from sentcalc.regimes import parse_regime, today

    law, cases = _cases(doc)
    results = compute_many(law, cases, [parse_regime(t, law, today(str(doc["today"]))) for t in tokens])
    return {t: {k: _plain(v[0]) for k, v in r.cols.items()} for t, r in zip(tokens, results)}


def _stage_test(doc: dict, test: dict, where: str) -> list[str]:
    """One stage on its own: the case, the regime's dates and the `given` columns in, its columns out."""
    from sentcalc import engine
    from sentcalc.regimes import parse_regime, today
    from sentcalc.stages import Inputs

    law, cases = _cases(doc)
    stage = next((s for s in engine.PIPELINE if s.__name__ == test["stage"]), None)
    if stage is None:
        return [f"{where}: no stage {test['stage']!r} (stages: {[s.__name__ for s in engine.PIPELINE]})"]
    regime = parse_regime(str(test.get("regime", "original")), law, today(str(doc["today"])))
    given = {k: np.asarray([v]) for k, v in (test.get("given") or {}).items()}
    result = engine.run((stage,), Inputs(law, cases, engine.regime_dates(law, cases, regime), regime, given))
    return diff(test["expected"], {k: _plain(v[0]) for k, v in result.cols.items()}, where)


def _plain(v: Any) -> Any:
    """A numpy scalar as the plain value a YAML file writes."""
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


def _retro(doc: dict, tmp_path: Path) -> list[str]:
    from helpers import TODAY

    out = _cli(["--today", TODAY, "retro", str(_case_file(doc["case"], tmp_path)), "--json",
                "--as-of", str(norm(doc["as_of"]))])
    expected = norm(doc["expected"])
    analyses = {a["id"]: a for a in out.get("analyses", [])}
    diffs: list[str] = []
    for key, want in expected.items():  # type: ignore[union-attr]
        if key == "analyses":
            for avenue, want_avenue in want.items():
                if avenue not in analyses:
                    diffs.append(f"analyses.{avenue}: no such analysis (have {sorted(analyses)})")
                else:
                    diffs += diff(want_avenue, analyses[avenue], f"analyses.{avenue}")
        else:
            diffs += diff({key: want}, out, "")
    return diffs


def _scenario(doc: dict, tmp_path: Path) -> list[str]:
    """A scenario's avenue for one case: its amended range, eligibility and lowest permissible term."""
    from sentcalc.columns import from_models
    from sentcalc.engine import compute
    from sentcalc.errors import InputError
    from sentcalc.io.casefile import parse_case
    from sentcalc.law import Law
    from sentcalc.regimes import Regime, today
    from sentcalc.report.result import months_value, result_dict
    from sentcalc.retro.eligibility import guideline_avenue
    from sentcalc.simulate import load_scenario

    source = doc["scenario"]
    if isinstance(source, dict):
        p = tmp_path / "scenario.yaml"
        p.write_text(yaml.safe_dump(source, sort_keys=False), encoding="utf-8")
        source = str(p)
    if "expected_error" in doc:
        want = doc["expected_error"]
        try:
            load_scenario(source)
        except InputError as exc:
            message = str(exc)
            return [f"error: expected {w!r} in {message!r}" for w in want.get("contains", []) if w not in message] + (
                [] if exc.field == want["field"] else [f"error field: expected {want['field']!r}, got {exc.field!r}"])
        return ["the scenario loaded; expected an error"]
    scenario = load_scenario(source)
    law = Law(overlay=scenario.overlay)
    cases = from_models([parse_case(doc["case"], law, today(str(doc.get("today", "2026-11-25"))))], law.drugs)
    original = compute(law, cases, Regime("original", None))
    avenue = scenario.avenue()
    a = guideline_avenue(law, cases, avenue, [avenue], original, original, None, dt.date.fromisoformat(str(norm(doc["as_of"]))))
    lowest = a.lowest[0]
    out = {"eligible": bool(a.eligible[0]), "reason_codes": a.reason_codes(0), "original": result_dict(original, 0),
           "lowest_permissible_months": None if np.isnan(lowest) else months_value(lowest),
           "amended": result_dict(a.amended, 0)}
    return diff(norm(doc["expected"]), out, "")
