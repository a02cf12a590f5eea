"""The bundled examples (examples/cases/*.yaml) run cleanly and give the outcome each one states.

Every example's header carries a machine-readable line, derived by hand from the law and the facts (not
from sentcalc's output):

    # expect: best=<avenue id or none>; <avenue id>=<eligible|reason code>; ...

For each example, `sentcalc range` and `sentcalc retro --json --as-of 2026-11-25` must exit 0; the best
avenue must be the one named, and each avenue named must be eligible, or ineligible with that reason code
among its `reason_codes`. A failure prints the case's own reasons, so a disagreement between the example
and the tool can be judged from the message alone.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sentcalc.cli import app

TODAY = "2026-11-25"
CASES = Path(__file__).resolve().parent.parent / "examples" / "cases"
FILES = sorted(CASES.glob("*.yaml"))
LEGACY = {"crack-50g-2006.yaml"}  # the README's first example predates the `# expect:` convention
AVENUES = ("amendment-706", "amendment-750", "amendment-782", "amendment-821", "first-step-act-404")
EXPECT = re.compile(r"^#\s*expect:\s*(?P<body>.+?)\s*$", re.MULTILINE)

# Every outcome issue 4 asks the examples to cover, as (avenue or "best", outcome) pairs.
REQUIRED = {
    ("amendment-706", "eligible"), ("amendment-750", "eligible"), ("amendment-782", "eligible"),
    ("amendment-821", "eligible"), ("first-step-act-404", "eligible"),
    ("*", "career_offender"), ("*", "mandatory_minimum"), ("*", "above_top_threshold"), ("*", "life"),
    ("*", "already_applied"), ("*", "sentence_below_amended_minimum"), ("first-step-act-404", "not_covered_offense"),
    ("first-step-act-404", "sentenced_under_fsa"), ("first-step-act-404", "previous_motion_denied"),
    ("best", "none"),
}


def parse_expect(path: Path) -> dict[str, str] | None:
    """The `# expect:` line as {"best": ..., avenue: outcome}; None when the file has none."""
    m = EXPECT.search(path.read_text(encoding="utf-8"))
    if m is None:
        return None
    out: dict[str, str] = {}
    for part in m.group("body").split(";"):
        if not part.strip():
            continue
        key, sep, value = part.partition("=")
        assert sep, f"{path.name}: '{part.strip()}' in the expect line is not key=value"
        key, value = key.strip(), value.strip()
        assert key not in out, f"{path.name}: '{key}' appears twice in the expect line"
        assert key == "best" or key in AVENUES, f"{path.name}: unknown avenue '{key}' in the expect line"
        out[key] = value
    assert "best" in out, f"{path.name}: the expect line names no best avenue"
    assert out["best"] == "none" or out["best"] in AVENUES, f"{path.name}: unknown best avenue '{out['best']}'"
    return out


def holds(analysis: dict, want: str) -> bool:
    """An avenue's outcome: eligible, or ineligible with `want` among its reason codes."""
    if want == "eligible":
        return analysis["eligible"] is True
    return analysis["eligible"] is False and want in analysis["reason_codes"]


def invoke(*args: str):
    return CliRunner().invoke(app, ["--today", TODAY, *args])


def test_a_dozen_examples_with_expectations() -> None:
    expected = [p for p in FILES if parse_expect(p) is not None]
    assert len(expected) >= 12, f"only {len(expected)} examples carry an '# expect:' line"
    missing = [p.name for p in FILES if p.name not in LEGACY and parse_expect(p) is None]
    assert not missing, f"examples without an '# expect:' line: {missing}"


def test_examples_cover_every_outcome() -> None:
    seen: set[tuple[str, str]] = set()
    for p in FILES:
        exp = parse_expect(p) or {}
        for key, value in exp.items():
            seen.add((key, value))
            if key != "best":
                seen.add(("*", value))
    missing = sorted(REQUIRED - seen)
    assert not missing, f"no example covers: {missing}"


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_example_range_runs(path: Path) -> None:
    res = invoke("range", str(path))
    assert res.exit_code == 0, f"{path.name}: sentcalc range exited {res.exit_code}\n{res.output}"


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_example_retro_matches_expectation(path: Path) -> None:
    res = invoke("retro", str(path), "--json", "--as-of", TODAY)
    assert res.exit_code == 0, f"{path.name}: sentcalc retro exited {res.exit_code}\n{res.output}"
    doc = json.loads(res.stdout)
    exp = parse_expect(path)
    if exp is None:
        assert path.name in LEGACY
        return
    analyses = {a["id"]: a for a in doc["analyses"]}
    problems: list[str] = []
    best = doc["best"] or "none"
    if best != exp["best"]:
        problems.append(f"best: expected {exp['best']}, sentcalc says {best}")
    for avenue, want in exp.items():
        if avenue == "best":
            continue
        a = analyses.get(avenue)
        if a is None:
            problems.append(f"{avenue}: not in the analyses")
            continue
        if not holds(a, want):
            got = "eligible" if a["eligible"] else ", ".join(a["reason_codes"]) or "(no reason code)"
            amended = a.get("amended") or {}
            problems.append(
                f"{avenue}: expected {want}, sentcalc says {got}; amended range "
                f"{amended.get('guideline_range')}, lowest {a.get('lowest_permissible_months')}; "
                f"reasons: {a.get('reasons')}")
    assert not problems, f"{path.name} ({doc['case_id']}):\n  " + "\n  ".join(problems)
