"""The bad-input catalogue (tests/bad_inputs/): every malformed case file gets its documented message
and exit code 2 without a traceback; every bad CSV row lands in the errors file with its reason."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from helpers import run_main

HERE = Path(__file__).resolve().parent / "bad_inputs"
CASES = sorted((HERE / "cases").iterdir())


def _expect(path: Path) -> str:
    if path.suffix == ".json":
        return "valid JSON"
    first = path.read_bytes().split(b"\n", 1)[0].decode("utf-8", errors="replace")
    assert first.startswith("# expect: "), f"{path.name} has no '# expect:' line"
    return first.removeprefix("# expect: ")


def test_catalogue_is_large_enough() -> None:
    rows = list(csv.DictReader((HERE / "rows" / "bad-rows.csv").read_text().splitlines()))
    assert len(CASES) + len(rows) >= 40


@pytest.mark.parametrize("path", CASES, ids=[p.name for p in CASES])
@pytest.mark.parametrize("command", ["range", "retro"])
def test_bad_case_file(path: Path, command: str, capsys) -> None:
    code, out, err = run_main([command, str(path)], capsys)
    assert code == 2, (out, err)
    assert "Traceback" not in err and err.startswith("error: ")
    assert _expect(path) in err, err


def test_bad_csv_rows_go_to_the_errors_file(tmp_path: Path, capsys) -> None:
    src = HERE / "rows" / "bad-rows.csv"
    out = tmp_path / "o.csv"
    code, _, err = run_main(["batch", str(src), str(out), "--quiet"], capsys)
    assert code == 0, err
    rows = list(csv.DictReader(src.read_text().splitlines()))
    errors = list(csv.DictReader((tmp_path / "o.errors.csv").read_text().splitlines()))
    for k, row in enumerate(rows, start=1):
        mine = [e for e in errors if e["row"] == str(k)]
        assert any(e["field"] == row["expect_field"] and row["expect_reason"] in e["reason"] for e in mine), (k, mine)
    written = len(list(csv.DictReader(out.read_text().splitlines())))
    assert written + len({e["row"] for e in errors}) == len(rows)


def test_two_mib_field_and_line(tmp_path: Path, capsys) -> None:
    src = tmp_path / "big.csv"
    header = (HERE / "rows" / "bad-rows.csv").read_text().splitlines()[0]
    good = "ok1,2005-09-01,2006-06-01,841(b)(1)(A),cocaine_base,50,50,0,0,3,121,,false,,,,,"
    src.write_text(header + "\n" + "x" * (2 * 1024 * 1024) + good[3:] + "\n" + good + "\n")
    code, _, err = run_main(["batch", str(src), str(tmp_path / "o.csv"), "--quiet"], capsys)
    assert code == 0, err
    errors = list(csv.DictReader((tmp_path / "o.errors.csv").read_text().splitlines()))
    assert errors and errors[0]["row"] == "1" and "at most 200 characters" in errors[0]["reason"]
    huge = tmp_path / "huge.csv"
    huge.write_text(header + "\n" + "x" * (5 * 1024 * 1024) + good[3:] + "\n")
    code, _, err = run_main(["batch", str(huge), str(tmp_path / "h.csv"), "--quiet"], capsys)
    assert "Traceback" not in err
    if code == 2:  # the reader refused the line: a clear whole-file error
        assert "could not be read as CSV" in err
    else:  # or the row went to the errors file
        assert code == 0 and "at most 200 characters" in (tmp_path / "h.errors.csv").read_text()
