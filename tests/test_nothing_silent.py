"""Nothing silent (issue #17): every mistake a user can make is caught, named and explained in their words —
flat headers checked like case-file fields, every problem at once, options that name themselves, missing
extras named, outputs a colleague can open, and no temporary file left behind for good."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from helpers import TODAY, make_case, run_main, write_case

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "examples" / "datasets" / "sample.csv"
EXAMPLE = ROOT / "examples" / "cases" / "crack-15kg-above-top-2003.yaml"


def _with_header(tmp_path: Path, rename: dict[str, str] | None = None, drop: tuple[str, ...] = (),
                 add: dict[str, str] | None = None) -> Path:
    """The sample dataset with columns renamed, dropped or added (the same value on every row)."""
    rows = list(csv.DictReader(SAMPLE.read_text().splitlines()))
    out = tmp_path / "in.csv"
    names = [(rename or {}).get(n, n) for n in rows[0] if n not in drop] + list(add or {})
    with open(out, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(names)
        for r in rows:
            w.writerow([v for k, v in r.items() if k not in drop] + list((add or {}).values()))
    return out


# --- 1. flat input columns are checked like case-file fields --------------------------------------------

def test_a_misspelt_header_is_an_error_naming_both_columns(tmp_path: Path, capsys) -> None:
    """The trial's `acceptence`: before, 497 rows written with acceptance silently taken as absent."""
    src = _with_header(tmp_path, rename={"acceptance": "acceptence"})
    code, _, err = run_main(["batch", str(src), str(tmp_path / "o.csv"), "--quiet"], capsys)
    assert code == 2, err
    assert "'acceptence'" in err and "did you mean acceptance?" in err and "--keep acceptence" in err
    assert not (tmp_path / "o.csv").exists() and not list(tmp_path.glob(".*.tmp"))


def test_every_header_problem_is_reported_at_once(tmp_path: Path, capsys) -> None:
    src = _with_header(tmp_path, rename={"acceptance": "Acceptance", "criminal_history_points": "crimnal_history_points",
                                         "cocaine_base_grams": "crack_grams"}, drop=("sentencing_date",))
    code, _, err = run_main(["batch", str(src), str(tmp_path / "o.csv"), "--quiet"], capsys)
    lines = err.splitlines()
    assert code == 2 and len(lines) == 4, err
    assert "'sentencing_date' is not allowed; this column is required" in lines[0]
    assert "'Acceptance' is not allowed; did you mean acceptance?" in err
    assert "'crimnal_history_points' is not allowed; did you mean criminal_history_points?" in err
    assert "'crack_grams' is not allowed; did you mean cocaine_base_grams?" in err  # an alias, not a spelling


def test_deliberate_extra_columns_are_carried_through(tmp_path: Path, capsys) -> None:
    """race, sex, district (in the sample), county and state (close to court and statute, but not near
    misses), and a near miss the user keeps with --keep."""
    src = _with_header(tmp_path, add={"county": "Baltimore", "state": "MD", "statue": "x"})
    out = tmp_path / "o.csv"
    code, _, err = run_main(["batch", str(src), str(out), "--quiet"], capsys)
    assert code == 2 and "'statue' is not allowed; statute is also a column" in err and "county" not in err
    code, _, err = run_main(["batch", str(src), str(out), "--quiet", "--keep", "statue"], capsys)
    assert code == 0, err
    row = next(csv.DictReader(out.read_text().splitlines()))
    assert (row["race"], row["county"], row["state"], row["statue"]) == ("Hispanic", "Baltimore", "MD", "x")


def test_an_absent_defaulted_column_is_listed_once_as_an_assumption(tmp_path: Path, capsys) -> None:
    src = _with_header(tmp_path, drop=("acceptance", "status_points"))
    out = tmp_path / "o.csv"
    code, _, err = run_main(["batch", str(src), str(out), "--quiet"], capsys)
    assert code == 0, err
    assert err.count("acceptance absent: assumed 0 for every row") == 1
    assert err.count("status_points absent: assumed 0 for every row") == 1
    prov = json.loads((tmp_path / "o.provenance.json").read_text())
    assert prov["column_assumptions"] == ["acceptance absent: assumed 0 for every row",
                                          "status_points absent: assumed 0 for every row"]
    code, _, err = run_main(["batch", str(src), str(out), "--quiet", "--retro"], capsys)
    assert "consecutive_months absent" in err  # read only by retroactivity
    code, _, err = run_main(["batch", str(SAMPLE), str(out), "--quiet"], capsys)
    assert code == 0 and "assumption:" not in err and json.loads((tmp_path / "o.provenance.json").read_text())[
        "column_assumptions"] == []


def test_strict_refuses_an_absent_defaulted_column(tmp_path: Path, capsys) -> None:
    src = _with_header(tmp_path, drop=("acceptance",))
    code, _, err = run_main(["batch", str(src), str(tmp_path / "o.csv"), "--quiet", "--strict"], capsys)
    assert code == 2 and "'acceptance' is not allowed; this column is absent, and --strict needs it" in err
    assert "assumes 0" in err


def test_a_flat_impossible_date_is_refused_not_rolled_over(tmp_path: Path, capsys) -> None:
    """pyarrow's strptime reads 2005-02-30 as 2005-03-02: the batch must refuse it as the case file does."""
    rows = list(csv.reader(SAMPLE.read_text().splitlines()))
    k = rows[0].index("offense_date")
    rows[1][k], rows[2][k] = "2005-02-30", "2005-9-1"
    src = tmp_path / "d.csv"
    with open(src, "w", newline="") as fh:
        csv.writer(fh).writerows(rows[:3])
    code, _, err = run_main(["batch", str(src), str(tmp_path / "o.csv"), "--quiet"], capsys)
    errors = list(csv.DictReader((tmp_path / "o.errors.csv").read_text().splitlines()))
    assert code == 0, err
    assert [(e["row"], e["field"], e["value"]) for e in errors] == [("1", "offense_date", "2005-02-30"),
                                                                    ("2", "offense_date", "2005-9-1")]
    assert errors[0]["reason"] == "give a valid date as YYYY-MM-DD (day is out of range for month)"


# --- 2. all problems at once, in the user's vocabulary ----------------------------------------------------

def test_a_case_file_with_three_mistakes_reports_three(tmp_path: Path, capsys) -> None:
    case = make_case(acceptance=1, mitigating_role=5, drugs=[{"drug": "crack", "grams": 50}])
    code, _, err = run_main(["range", str(write_case(tmp_path, case))], capsys)
    assert code == 2
    assert err.splitlines() == [
        "error: mitigating_role: 5 is not allowed; use one of 0, 2, 3, 4",
        "error: acceptance: 1 is not allowed; use one of 0, 2, 3",
        "error: drugs.0.drug: 'crack' is not allowed; did you mean cocaine_base? use one of "
        + ", ".join(__import__("sentcalc.law", fromlist=["x"]).default_law().drugs)]
    assert "more problem" not in err


def test_one_bad_value_of_a_union_field_is_one_problem(tmp_path: Path, capsys) -> None:
    """sentence_months is a number or 'life': pydantic reports two errors for 'forever', the user made one."""
    code, _, err = run_main(["retro", str(write_case(tmp_path, make_case(sentence_months="forever")))], capsys)
    assert code == 2 and err == "error: sentence_months: 'forever' is not allowed; give a number of months or 'life'\n"


def test_cross_field_problems_name_the_fields_never_the_model(tmp_path: Path, capsys) -> None:
    """The trial's message printed the model's repr (`{'id': 'client-001', 'offense_date': datetime.date(...`)."""
    case = make_case(id="client-001", offense_date="2006-03-01", sentencing_date="2006-09-01", custody_start="2005-01-01",
                     substantial_assistance=False, departure="5K1.1", criminal_history={"points": 1, "status_points": 2})
    code, _, err = run_main(["retro", str(write_case(tmp_path, case))], capsys)
    assert code == 2
    assert err.splitlines() == [
        "error: criminal_history.status_points: 2 is not allowed; criminal_history.status_points (2) + "
        "criminal_history.recency_points (0) exceed criminal_history.points (1); they are part of the total",
        "error: custody_start: '2005-01-01' is not allowed; custody_start is before offense_date (2006-03-01)",
        "error: departure: '5K1.1' is not allowed; departure 5K1.1 is a substantial-assistance motion, but "
        "substantial_assistance is false; they must agree"]
    assert "datetime" not in err and "{" not in err


def test_strict_lists_every_assumption_at_once(tmp_path: Path, capsys) -> None:
    case = write_case(tmp_path, make_case(conviction__prior_convictions=1, sentence_months=240))
    code, _, err = run_main(["range", str(case), "--strict"], capsys)
    assert code == 2 and sorted(err.splitlines()) == [
        "error: --strict: an assumption was needed: Zero-point offender (§4C1.1) assumed: no criminal history points "
        "and nothing in the case disqualifies; set zero_point_offender to decide.",
        "error: --strict: an assumption was needed: The §851 prior(s) are assumed to be serious drug felonies or "
        "serious violent felonies (First Step Act §401; set conviction.priors_qualify_after_2018)."][::-1], err


def test_problems_are_available_to_the_web_form(tmp_path: Path) -> None:
    """InputErrors keeps (field, value, allowed) of every problem, and the first one's as attributes."""
    from sentcalc.errors import InputErrors
    from sentcalc.io.casefile import parse_case
    from sentcalc.law import default_law
    from sentcalc.regimes import today

    with pytest.raises(InputErrors) as info:
        parse_case(make_case(acceptance=1, conviction__statute="841(b)(1)(a)"), default_law(), today(TODAY))
    exc = info.value
    assert [(p.field, p.value) for p in exc.problems] == [("conviction.statute", "841(b)(1)(a)"), ("acceptance", 1)]
    assert exc.problems[0].allowed.startswith("did you mean 841(b)(1)(A)? use one of 841(b)(1)(A)")
    assert (exc.field, exc.value, exc.allowed) == exc.problems[0]


@pytest.mark.parametrize(("text", "where"), [
    ("id: x\noffense_date: [unclosed\n", "line 3, column 1: expected ',' or ']'"),
    ("id: x\n  offense_date: '2005-09-01'\n", "line 2, column 15: mapping values are not allowed here"),
    ("id: x\nconviction:\n  drug: heroin\n  drug: cocaine\n", "line 4, column 3: the key 'drug' is given twice"),
])
def test_yaml_syntax_errors_give_line_and_column(tmp_path: Path, capsys, text: str, where: str) -> None:
    p = tmp_path / "c.yaml"
    p.write_text(text)
    code, _, err = run_main(["range", str(p)], capsys)
    assert code == 2 and f"it must be valid YAML ({where}" in err, err


def test_json_syntax_errors_give_line_and_column(tmp_path: Path, capsys) -> None:
    p = tmp_path / "c.json"
    p.write_text('{"id": "x",\n  "offense_date": 2005-09-01}\n')
    code, _, err = run_main(["range", str(p)], capsys)
    assert code == 2 and "it must be valid JSON (line 2, column 23: Expecting ',' delimiter)" in err, err


@pytest.mark.parametrize(("value", "best"), [
    ("crack", "cocaine_base"), ("Crack Cocaine", "cocaine_base"), ("powder", "cocaine"), ("meth", "methamphetamine"),
    ("marijuana", "marihuana"), ("ecstasy", "mdma"), ("herion", "heroin"), ("fentanil", "fentanyl"),
    ("oxycodone", "oxycodone_actual"), ("kryptonite", None)])
def test_drug_suggestions(value: str, best: str | None) -> None:
    from sentcalc.law import default_law
    from sentcalc.reasons import DRUG_ALIASES, suggest
    assert suggest(value, default_law().drugs, DRUG_ALIASES) == best


@pytest.mark.parametrize(("value", "best"), [
    ("841(b)(1)(a)", "841(b)(1)(A)"), ("21 U.S.C. § 841(b)(1)(B)", "841(b)(1)(B)"), ("841b1C", "841(b)(1)(C)"),
    ("844(A)", "844(a)"), ("846", None), ("1", None)])
def test_statute_suggestions(value: str, best: str | None) -> None:
    from sentcalc.case import SUBSECTIONS
    from sentcalc.reasons import suggest
    assert suggest(value, SUBSECTIONS) == best


def test_numbers_are_never_suggested_for_numbers(tmp_path: Path, capsys) -> None:
    """acceptance 1 is not a misspelt 0 or 2: no 'did you mean' (case file and flat row alike)."""
    code, _, err = run_main(["retro", str(write_case(tmp_path, make_case(acceptance="1")))], capsys)
    assert code == 2 and "did you mean" not in err and "use one of 0, 2, 3" in err


@pytest.mark.parametrize(("argv", "option"), [
    (["retro", "CASE", "--as-of", "2020-13-01"], "--as-of"),
    (["retro", "CASE", "--as-of", "2020"], "--as-of"),
    (["--today", "2026-02-30", "range", "CASE"], "--today"),
    (["batch", str(SAMPLE), "OUT", "--as-of", "yesterday"], "--as-of"),
    (["simulate", str(SAMPLE), "--scenario", "amendment-782-retroactive", "--report", "OUT", "--in-custody-on",
      "2020-1-1"], "--in-custody-on"),
    (["simulate", str(SAMPLE), "--scenario", "amendment-782-retroactive", "--report", "OUT", "--as-of", "soon"],
     "--as-of"),
])
def test_every_option_names_itself(tmp_path: Path, capsys, argv: list[str], option: str) -> None:
    case = write_case(tmp_path, make_case())
    argv = [str(case) if a == "CASE" else str(tmp_path / "out") if a == "OUT" else a for a in argv]
    code, _, err = run_main(argv, capsys)
    assert code == 2 and err.startswith(f"error: {option}: "), err
    assert "today:" not in err or option == "--today"


@pytest.mark.parametrize(("text", "message"), [
    ("name: x\neffective: 2014-02-30\nsubstitutes: {}\n", "scenario.effective: '2014-02-30' is not allowed"),
    ("name: x\neffective: 2014-11-01\nsubstitutes: [drug-quantity]\n", "scenario.substitutes: ['drug-quantity']"),
    ("name: x\neffective: 2014-11-01\nsubstitutes: {drug-quantity: 2014-13-01}\n",
     "scenario.substitutes.drug-quantity: '2014-13-01' is not allowed"),
    ("name: x\neffective: [2014\n", "it must be valid YAML (line 3, column 1: expected ',' or ']'"),
])
def test_a_scenario_file_is_checked_like_a_case_file(tmp_path: Path, capsys, text: str, message: str) -> None:
    sc = tmp_path / "s.yaml"
    sc.write_text(text)
    code, _, err = run_main(["simulate", str(SAMPLE), "--scenario", str(sc), "--report", str(tmp_path / "r")], capsys)
    assert code == 2 and message in err, err


def test_simulate_numbers_name_their_option(tmp_path: Path, capsys) -> None:
    argv = ["simulate", str(SAMPLE), "--scenario", "amendment-782-retroactive", "--report", str(tmp_path / "r")]
    code, _, err = run_main([*argv, "--annual-cost", "-5"], capsys)
    assert code == 2 and err.startswith("error: --annual-cost: -5.0 is not allowed"), err
    code, _, err = run_main([*argv, "--grant-rate", "nan"], capsys)
    assert code == 2 and err.startswith("error: --grant-rate: 'nan' is not allowed"), err


def test_sentcalc_today_names_the_variable(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("SENTCALC_TODAY", "someday")
    code, _, err = run_main(["range", str(write_case(tmp_path, make_case()))], capsys)
    assert code == 2 and err.startswith("error: SENTCALC_TODAY: 'someday' is not allowed; give a valid date")


def test_batch_messages_name_columns_and_show_values(tmp_path: Path, capsys) -> None:
    """--strict reasons in the columns' words (the trial saw `conviction.priors_qualify_after_2018`); the errors
    file sorted by row, with the value."""
    rows = list(csv.DictReader(SAMPLE.read_text().splitlines()))[:40]
    rows[5]["acceptance"], rows[2]["statute"], rows[2]["acceptance"] = "1", "841(b)(1)(a)", "9"
    rows[1]["prior_convictions"] = "1"
    src = tmp_path / "in.csv"
    with open(src, "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    code, _, err = run_main(["batch", str(src), str(tmp_path / "o.csv"), "--quiet", "--strict"], capsys)
    assert code == 0, err
    text = (tmp_path / "o.errors.csv").read_text()
    errors = list(csv.DictReader(text.splitlines()))
    assert text.splitlines()[0] == "row,id,field,value,reason"
    assert [int(e["row"]) for e in errors] == sorted(int(e["row"]) for e in errors)
    mine = [(e["field"], e["value"], e["reason"]) for e in errors if e["row"] == "3"]
    assert mine == [("statute", "841(b)(1)(a)", "did you mean 841(b)(1)(A)? use one of 841(b)(1)(A), 841(b)(1)(B), "
                     "841(b)(1)(C), 841(b)(1)(D), 844(a)"), ("acceptance", "9", "use one of 0, 2, 3")]
    strict = [e["reason"] for e in errors if e["field"] == "--strict"]
    assert strict and not any(".points" in r or "conviction." in r or "criminal_history." in r for r in strict)


def test_notes_in_the_columns_words() -> None:
    from sentcalc.io.flat import in_columns
    from sentcalc.law import default_law

    law = default_law()
    text = ("The §851 prior(s) are assumed to be serious drug felonies (set conviction.priors_qualify_after_2018); "
            "criminal_history.points and criminal_history.status_points; conviction.grams; statute.conviction.drug")
    assert in_columns(text, law) == (
        "The §851 prior(s) are assumed to be serious drug felonies (set priors_qualify_after_2018); "
        "criminal_history_points and status_points; conviction_grams; statute.conviction.drug")


def test_warnings_as_text(tmp_path: Path, capsys) -> None:
    out = tmp_path / "o.csv"
    code, _, err = run_main(["batch", str(SAMPLE), str(out), "--quiet", "--warnings", "text"], capsys)
    assert code == 0, err
    rows = list(csv.DictReader(out.read_text().splitlines()))
    for p in ("orig", "curr"):
        for kind in ("warnings", "assumptions"):
            counted = [int(r[f"{p}_n_{kind}"]) for r in rows]
            texts = [r[f"{p}_{kind}"] for r in rows]
            assert all((n > 0) == bool(t) for n, t in zip(counted, texts)), (p, kind)
            assert all(len(t.split(" | ")) <= n for n, t in zip(counted, texts) if t)
    assert any("Zero-point offender" in r["curr_assumptions"] for r in rows)
    assert not any("criminal_history.points" in r["orig_warnings"] for r in rows)
    code, _, err = run_main(["batch", str(SAMPLE), str(out), "--quiet", "--warnings", "all"], capsys)
    assert code == 2 and err.startswith("error: --warnings: 'all'")


# --- 4. missing extras are named ----------------------------------------------------------------------------

def _without(monkeypatch, *modules: str) -> None:
    """As if the modules were not installed (an import of them fails)."""
    for m in modules:
        monkeypatch.setitem(sys.modules, m, None)


@pytest.mark.parametrize(("argv", "module", "extra"), [
    (["batch", str(SAMPLE), "OUT/o.csv"], "pyarrow", "research"),
    (["simulate", str(SAMPLE), "--scenario", "amendment-782-retroactive", "--report", "OUT"], "pyarrow", "research"),
    (["simulate", str(SAMPLE), "--scenario", "amendment-782-retroactive", "--report", "OUT"], "matplotlib", "research"),
    (["batch", str(SAMPLE), "OUT/o.dta"], "pyreadstat", "stata"),
    (["batch", str(SAMPLE), "OUT/o.sav"], "pyreadstat", "stata"),
    (["batch", str(SAMPLE), "OUT/o.sav"], "pandas", "stata"),
    (["retro", str(EXAMPLE), "--format", "docx", "-o", "OUT"], "docx", "web"),
    (["range", str(EXAMPLE), "--format", "docx", "-o", "OUT"], "docx", "web"),
])
def test_a_command_without_its_extra_names_it(tmp_path: Path, capsys, monkeypatch, argv: list[str], module: str,
                                              extra: str) -> None:
    _without(monkeypatch, module)
    argv = [a.replace("OUT", str(tmp_path / "out")) for a in argv]
    code, _, err = run_main(argv, capsys)
    assert code == 2, err
    assert f"needs {module}, which comes with the {extra} extra: install it with pip install 'sentcalc[{extra}]'" in err
    assert "internal error" not in err and "Traceback" not in err
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]  # refused before any work


@pytest.mark.parametrize(("module", "extra"), [("fastapi", "web"), ("uvicorn", "web"), ("jinja2", "web"),
                                               ("docx", "web"), ("openpyxl", "web"), ("pyspark", "spark")])
def test_require_names_the_extra(monkeypatch, module: str, extra: str) -> None:
    """The helper the web server, the Word and Excel formats and the Spark example call before importing."""
    from sentcalc.errors import MissingExtra, require

    _without(monkeypatch, module)
    with pytest.raises(MissingExtra) as info:
        require(module, what="this format")
    assert info.value.extra == extra and f"pip install 'sentcalc[{extra}]'" in str(info.value)


def test_an_import_no_one_guarded_is_still_named(tmp_path: Path, capsys, monkeypatch) -> None:
    """The last guard in main(): an optional module imported on a path that did not call require()."""
    import sentcalc.documents

    def word(*args, **kwargs):
        import docx  # noqa: F401
    _without(monkeypatch, "docx")
    monkeypatch.setattr(sentcalc.documents, "range_document", word)
    code, _, err = run_main(["range", str(write_case(tmp_path, make_case()))], capsys)
    assert code == 2 and "pip install 'sentcalc[web]'" in err and "internal error" not in err, err


def test_the_spark_example_without_pyspark_names_the_extra(tmp_path: Path) -> None:
    block = tmp_path / "sitecustomize.py"  # a fresh interpreter in which pyspark cannot be imported
    block.write_text("import sys\nsys.modules['pyspark'] = None\n")
    env = {**os.environ, "PYTHONPATH": f"{tmp_path}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    proc = subprocess.run([sys.executable, str(ROOT / "examples" / "spark_mapinarrow.py"), str(SAMPLE)], env=env,
                          capture_output=True, text=True, check=False, timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert "pip install 'sentcalc[spark]'" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.parametrize("module", ["fastapi", "uvicorn", "jinja2"])
def test_serve_without_the_web_extra_names_it(tmp_path: Path, module: str) -> None:
    """In a fresh interpreter (in this one the app may already be imported): never a server, never a traceback."""
    (tmp_path / "sitecustomize.py").write_text(f"import sys\nsys.modules[{module!r}] = None\n")
    env = {**os.environ, "PYTHONPATH": f"{tmp_path}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    proc = subprocess.run([sys.executable, "-m", "sentcalc", "serve", "--port", "1"], env=env, capture_output=True,
                          text=True, check=False, timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith("error: sentcalc serve needs ") and "pip install 'sentcalc[web]'" in proc.stderr


def test_the_batch_kernel_without_pyarrow_names_the_extra(monkeypatch) -> None:
    from sentcalc.errors import MissingExtra
    from sentcalc.kernel import Options, recompute

    _without(monkeypatch, "pyarrow")
    with pytest.raises(MissingExtra, match=r"sentcalc\[research\]"):
        recompute(None, Options(["original"]))


# --- 5. files a colleague can open ------------------------------------------------------------------------

@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
@pytest.mark.parametrize("ext", [".csv", ".parquet", ".dta"])
def test_outputs_get_the_mode_an_ordinary_write_gives(tmp_path: Path, capsys, umask: int, mode: int, ext: str) -> None:
    old = os.umask(umask)
    try:
        code, _, err = run_main(["batch", str(SAMPLE), str(tmp_path / f"o{ext}"), "--quiet", "--retro"], capsys)
        plain = tmp_path / "plain.txt"
        plain.write_text("an ordinary write")
    finally:
        os.umask(old)
    assert code == 0, err
    files = [tmp_path / f"o{ext}", tmp_path / "o.errors.csv", tmp_path / "o.worklist.csv", tmp_path / "o.provenance.json"]
    assert {f.name: oct(f.stat().st_mode & 0o777) for f in files} == {f.name: oct(mode) for f in files}
    assert plain.stat().st_mode & 0o777 == mode


def test_simulation_files_get_the_ordinary_mode(tmp_path: Path, capsys) -> None:
    old = os.umask(0o022)
    try:
        code, _, err = run_main(["simulate", str(SAMPLE), "--scenario", "amendment-782-retroactive", "--report",
                                 str(tmp_path / "r"), "--xlsx"], capsys)
    finally:
        os.umask(old)
    assert code == 0, err
    files = sorted(p for p in (tmp_path / "r").iterdir())
    assert {p.suffix for p in files} >= {".csv", ".json", ".md", ".html", ".png", ".xlsx"}
    assert {p.name: oct(p.stat().st_mode & 0o777) for p in files} == {p.name: oct(0o644) for p in files}


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_stale_temporary_files_are_removed_and_live_ones_kept(tmp_path: Path, capsys) -> None:
    """A temporary file names the process that wrote it; it is stale only when that process is gone."""
    from sentcalc.io.tables import remove_stale

    out = tmp_path / "o.csv"
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        dead = tmp_path / f".o.csv.{_dead_pid()}.abcd1234.tmp"
        dead_errors = tmp_path / f".o.errors.csv.{_dead_pid()}.abcd1234.tmp"
        live = tmp_path / f".o.csv.{alive.pid}.abcd1234.tmp"
        unknown = tmp_path / ".o.csv.abcd1234.tmp"  # an older name without a process: not ours to judge
        other = tmp_path / f".o.csv.1.csv.{_dead_pid()}.abcd1234.tmp"  # a temporary file of `o.csv.1.csv`
        for p in (dead, dead_errors, live, unknown, other):
            p.write_text("partial")
        assert remove_stale(tmp_path / "nothing.csv") == []
        code, _, err = run_main(["batch", str(SAMPLE), str(out), "--quiet"], capsys)
        assert code == 0, err
        assert not dead.exists() and not dead_errors.exists()
        assert live.exists() and unknown.exists() and other.exists()
    finally:
        alive.kill()
        alive.wait()


def test_two_concurrent_runs_to_one_output(tmp_path: Path) -> None:
    """Each run writes its own temporary file and leaves the other's alone; the output is one run's, whole."""
    big = tmp_path / "big.csv"
    lines = SAMPLE.read_text().splitlines()
    with open(big, "w") as fh:  # 20,000 rows with unique ids, so each run takes a moment
        fh.write(lines[0] + "\n")
        for k in range(40):
            fh.writelines(f"{k}-{line}\n" for line in lines[1:])
    out = tmp_path / "o.csv"
    env = {**os.environ, "SENTCALC_TODAY": TODAY}
    cmd = [sys.executable, "-m", "sentcalc", "batch", str(big), str(out), "--quiet", "--workers", "1"]
    procs = [subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)]
    deadline = time.time() + 120
    while not list(tmp_path.glob(".o.csv.*.tmp")) and time.time() < deadline:
        time.sleep(0.02)
    procs.append(subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    results = [p.communicate(timeout=600) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], results
    rows = list(csv.DictReader(out.read_text().splitlines()))
    errors = list(csv.DictReader((tmp_path / "o.errors.csv").read_text().splitlines()))
    assert len(rows) + len({e["row"] for e in errors}) == 40 * (len(lines) - 1)
    assert not list(tmp_path.glob(".*.tmp"))
