"""Bad input for `sentcalc range`: one paragraph naming the field, the value and what is allowed,
exit code 2, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import make_case, run_main, write_case

CASES = [
    # (description, case changes, expected fragments)
    ("unknown drug", {"drugs": [{"drug": "kryptonite", "grams": 5}]}, ["drugs.0.drug", "kryptonite", "cocaine_base"]),
    ("unknown conviction drug", {"conviction__drug": "crack"}, ["conviction.drug", "'crack'", "use one of"]),
    ("negative grams", {"drugs": [{"drug": "cocaine_base", "grams": -5}]}, ["drugs.0.grams", "-5", "greater than or equal to 0"]),
    ("absurd grams", {"drugs": [{"drug": "cocaine_base", "grams": 1e30}]}, ["drugs.0.grams", "less than or equal to"]),
    ("sentencing before offense", {"sentencing_date": "2004-01-01"}, ["sentencing_date 2004-01-01 is before offense_date"]),
    ("offense in the future", {"offense_date": "2030-01-01", "sentencing_date": "2030-06-01"},
     ["offense_date", "2030-01-01", "after today"]),
    ("points and category disagree", {"criminal_history": {"points": 5, "category": "I"}},
     ["criminal_history.category", "5 points is category III"]),
    ("missing required field", {"conviction": None}, ["conviction"]),
    ("conviction quantity below every threshold", {"conviction__grams": 20},
     ["conviction.grams", "841(b)(1)(A) for cocaine_base requires at least 50 g"]),
    ("unknown statute", {"conviction__statute": "841(b)(1)(Z)"}, ["conviction.statute", "841(b)(1)(Z)"]),
    ("(D) for cocaine", {"conviction__statute": "841(b)(1)(D)", "conviction__grams": 3},
     ["conviction.statute", "marihuana"]),
    ("offense before the Guidelines", {"offense_date": "1986-01-01", "sentencing_date": "1988-01-01"},
     ["offense_date", "1987-11-01"]),
    ("status points exceed points", {"criminal_history": {"points": 1, "status_points": 2}}, ["status_points"]),
    ("unknown field", {"zero_points": True}, ["zero_points", "not a case field"]),
    ("acceptance 1", {"acceptance": 1}, ["acceptance", "1"]),
    ("no criminal history", {"criminal_history": {}}, ["criminal_history.points", "(missing)", "give criminal_history.points"]),
    ("bad date", {"offense_date": "2005-02-30"}, ["offense_date", "2005-02-30"]),
]


@pytest.mark.parametrize(("what", "changes", "fragments"), CASES, ids=[c[0] for c in CASES])
def test_bad_case_file(tmp_path: Path, capsys, what: str, changes: dict, fragments: list[str]) -> None:
    case = make_case(**changes)
    if changes.get("conviction", 1) is None:
        del case["conviction"]
    code, out, err = run_main(["range", str(write_case(tmp_path, case))], capsys)
    assert code == 2, (out, err)
    assert "Traceback" not in err
    assert err.startswith("error: ")
    for f in fragments:
        assert f in err, f"{f!r} not in {err!r}"


def test_malformed_yaml(tmp_path: Path, capsys) -> None:
    p = tmp_path / "bad.yaml"
    p.write_text("id: x\noffense_date: [unclosed\n")
    code, _, err = run_main(["range", str(p)], capsys)
    assert code == 2 and "valid YAML" in err


def test_not_utf8(tmp_path: Path, capsys) -> None:
    p = tmp_path / "bad.yaml"
    p.write_bytes(b"id: \xff\xfe\n")
    code, _, err = run_main(["range", str(p)], capsys)
    assert code == 2 and "UTF-8" in err


def test_missing_file(tmp_path: Path, capsys) -> None:
    code, _, err = run_main(["range", str(tmp_path / "nope.yaml")], capsys)
    assert code == 2 and "nope.yaml" in err


@pytest.mark.parametrize(("token", "fragment"), [("1985-01-01", "1987-11-01"), ("yesterday", "use original, current"),
                                                 ("2010-13-01", "2010-13-01")])
def test_bad_regime(tmp_path: Path, capsys, token: str, fragment: str) -> None:
    code, _, err = run_main(["range", str(write_case(tmp_path, make_case())), "--regime", token], capsys)
    assert code == 2 and fragment in err and "regime" in err


def test_yaml_bomb_is_refused(tmp_path: Path, capsys) -> None:
    p = tmp_path / "bomb.yaml"
    p.write_text("a: &a [" + ",".join(["x"] * 50) + "]\n" + "".join(
        f"{chr(98 + k)}: &{chr(98 + k)} [" + ",".join([f"*{chr(97 + k)}"] * 50) + "]\n" for k in range(8)))
    code, _, err = run_main(["range", str(p)], capsys)
    assert code == 2 and "Traceback" not in err


def test_deeply_nested_document_is_refused(tmp_path: Path, capsys) -> None:
    p = tmp_path / "deep.yaml"
    p.write_text("a: " + "[" * 200 + "]" * 200 + "\n")
    code, _, err = run_main(["range", str(p)], capsys)
    assert code == 2 and "nest" in err


def test_oversized_file_is_refused(tmp_path: Path, capsys) -> None:
    p = tmp_path / "big.yaml"
    p.write_text("id: '" + "x" * (2 * 1024 * 1024) + "'\n")
    code, _, err = run_main(["range", str(p)], capsys)
    assert code == 2 and "1,048,576 bytes" in err
