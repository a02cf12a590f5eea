"""The YAML test cases (tests/worked, tests/retro_cases, tests/scenario_cases), run by one runner
(yaml_cases.py): hand computations and published outcomes against what sentcalc computes."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml_cases as yc

CASES = [(kind, p) for kind in yc.KINDS for p in yc.files(kind)]


@pytest.mark.parametrize(("kind", "path"), CASES, ids=[f"{k}/{p.stem}" for k, p in CASES])
def test_yaml_case(kind: str, path: Path, tmp_path: Path) -> None:
    diffs = yc.check(kind, path, tmp_path)
    source = " ".join(str(yc.load(path)["source"]).split())
    assert not diffs, f"{path.name}\nsource: {source}\ndifferences (expected from the law, not from sentcalc):\n  " \
        + "\n  ".join(diffs)


def test_enough_cases_of_each_kind() -> None:
    assert len(yc.files("worked")) >= 20 and len(yc.files("retro")) >= 33 and len(yc.files("scenario")) >= 3


def test_retro_files_are_complete_and_cited() -> None:
    """Every file cites its source; at least 22 reproduce published outcomes (the rest say 'Hand
    computation'); every analysis id and reason code used is one the issue defines."""
    ids = {"amendment-706", "amendment-750", "amendment-782", "amendment-821", "first-step-act-404"}
    codes = {"career_offender", "mandatory_minimum", "above_top_threshold", "life", "already_applied",
             "not_lowered", "not_covered_offense", "sentenced_under_fsa", "previous_motion_denied",
             "sentence_below_amended_minimum"}
    published = 0
    for path in yc.files("retro"):
        doc = yc.load(path)
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


def test_the_runner_catches_a_wrong_expectation(tmp_path: Path) -> None:
    """A runner that cannot fail proves nothing: a worked file with one wrong number, one wrong intermediate
    value and one wrong stage output gives exactly those three differences."""
    doc = yc.load(yc.KINDS["worked"] / "w23-safety-valve-level-26-seen-before-chapter-three-1998.yaml")
    doc["expected"]["original"]["total_offense_level"] += 1
    doc["expected"]["original"]["columns"]["offense_level_determined_above"] += 1
    doc["stage_tests"][0]["expected"]["chapter_two_offense_level"] += 1
    wrong = tmp_path / "wrong.yaml"
    import yaml
    wrong.write_text(yaml.safe_dump(doc, sort_keys=False))
    diffs = yc._worked(yc.load(wrong), tmp_path)
    assert len(diffs) == 3, diffs
    assert any("total_offense_level" in d for d in diffs) and any("offense_level_determined_above" in d for d in diffs)
    assert any("chapter_two_offense_level" in d for d in diffs)
