"""The bad-input catalogue (tests/bad_inputs/): every malformed case file gets its documented message
and exit code 2 without a traceback; every bad CSV row lands in the errors file with its reason."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from helpers import TODAY, flat_field, flat_row, run_main

HERE = Path(__file__).resolve().parent / "bad_inputs"
CASES = sorted((HERE / "cases").iterdir())
JSON = {"bad-json.json": "it must be valid JSON (line 2, column 18: Expecting value)",
        "duplicate-key.json": "it must be valid JSON (the key 'id' is given twice)"}
"""JSON has no comments: the expected message of each JSON case."""


def _expect(path: Path) -> str:
    if path.suffix == ".json":
        return JSON[path.name]
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


def test_three_mistakes_are_reported_together(capsys) -> None:
    code, _, err = run_main(["retro", str(HERE / "cases" / "three-mistakes.yaml")], capsys)
    lines = err.splitlines()
    assert code == 2 and len(lines) == 3, err
    assert [x.split(":")[1] for x in lines] == [" drugs.0.grams", " mitigating_role", " acceptance"]
    assert "more problem" not in err


def _problems(path: Path) -> list | None:
    """The problems `retro` reports for a case file (None: refused only once computed, by the sentence checks)."""
    from sentcalc.errors import InputError, InputErrors
    from sentcalc.io.casefile import load_case
    from sentcalc.law import default_law
    from sentcalc.regimes import today

    try:
        load_case(path, default_law(), today(TODAY))
    except InputErrors as exc:
        return exc.problems
    except InputError as exc:
        return [(exc.field, exc.value, exc.allowed)]
    return None


def _documents() -> list[tuple[Path, dict, dict, list | None]]:
    """Each catalogue case with a flat form (every field it gets wrong is a column): path, document, row, problems."""
    from sentcalc.errors import InputError
    from sentcalc.io.casefile import read_document

    out = []
    for path in CASES:
        try:
            doc = read_document(path)
        except InputError:
            continue
        row = flat_row(doc)
        problems = _problems(path)
        if row is not None and all(flat_field(p[0], doc) for p in problems or []):
            out.append((path, doc, row, problems))
    return out


FLAT = _documents()


def test_most_cases_have_a_flat_form() -> None:
    assert len(FLAT) >= 40


@pytest.mark.parametrize(("path", "doc", "row", "problems"), FLAT, ids=[x[0].name for x in FLAT])
def test_batch_gives_the_field_and_reason_retro_gives(tmp_path: Path, capsys, path: Path, doc: dict, row: dict,
                                                      problems: list | None) -> None:
    """The same mistake in a case file and in a flat row: the same problems, named by the case-file field
    and by the column the user wrote, with the same reason (in the columns' words) and the value shown."""
    from sentcalc.io.flat import in_columns
    from sentcalc.law import default_law

    code, _, err = run_main(["retro", str(path)], capsys)
    assert code == 2, err
    src = tmp_path / "in.csv"
    with open(src, "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(row))
        w.writeheader()
        w.writerow(row)
    code, _, berr = run_main(["batch", str(src), str(tmp_path / "o.csv"), "--quiet", "--retro"], capsys)
    assert code == 0, berr
    errors = list(csv.DictReader((tmp_path / "o.errors.csv").read_text().splitlines()))
    got = {(e["field"], e["reason"]) for e in errors}
    if problems is None:  # the sentence checks: one implementation, so the words are the retro command's
        assert errors and all(e["reason"] in err and e["field"] in err and e["value"] for e in errors), (err, errors)
        return
    law = default_law()
    want = {(flat_field(f, doc), in_columns(a, law)) for f, _, a in problems}
    assert want == got, (want, got)
    shown = {flat_field(f, doc): v != "(missing)" for f, v, _ in problems}
    assert all(bool(e["value"]) == shown[e["field"]] for e in errors), errors
