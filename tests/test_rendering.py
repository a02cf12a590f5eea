"""The terminal report and the Markdown memo say exactly what the JSON says. Every bundled example is rendered
in text at 80 columns (a rich Console of width 80, and the real command with COLUMNS=80 and stdout redirected
to a file) and in Markdown; each table is read back cell by cell and compared with the JSON. No cell is cut
(no ellipsis, no line over 80 columns), 0 months is printed as 0, and an ineligible avenue shows its reason
instead of a lowest term or dates."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from rich.console import Console

from helpers import TODAY, run_main
from sentcalc.documents import range_document, retro_document
from sentcalc.io.casefile import load_case
from sentcalc.law import default_law
from sentcalc.report.retro import SHORT, markdown, render_text, summary
from sentcalc.report.worksheet import render_range

CASES = sorted((Path(__file__).resolve().parent.parent / "examples" / "cases").glob("*.yaml"))
DAY = date.fromisoformat(TODAY)
CONCEPCION = next(p for p in CASES if "concepcion" in p.name)


def rng(r: dict) -> str:
    """A JSON range as printed: "lo–hi", or one number when the ends are equal."""
    return str(r["min_months"]) if r["min_months"] == r["max_months"] else f"{r['min_months']}–{r['max_months']}"


def sr_range(s: dict, lo: str, hi: str) -> str:
    """A JSON supervised-release range as printed: "none" for no minimum, "no max" for "life", one value when equal."""
    a, b = s[lo], s[hi]
    shown = ("none" if a is None else str(a)), ("no max" if b == "life" else "—" if b is None else str(b))
    return shown[0] if a == b else f"{shown[0]}–{shown[1]}"


def flat(text: str) -> str:
    """Text with box drawing removed and whitespace collapsed, so wrapped sentences can be searched."""
    return " ".join(re.sub(r"[│╭╮╰╯─┃┏┓┗┛━┡┩╇┳┻┯┷└┘┌┐├┤┼]", " ", text).split())


def assert_uncut(text: str) -> None:
    assert "…" not in text, "a value ends in an ellipsis"
    long = [line for line in text.splitlines() if len(line) > 80]
    assert not long, f"lines wider than 80 columns: {long[:2]}"


def table_rows(text: str, title: str) -> list[list[str]]:
    """The body rows of the first rich table after the line containing `title`: one list of cells per row,
    each cell the row's lines in that column joined by newlines. A row starts where the first column is set."""
    lines = text.splitlines()
    start = next(k for k, line in enumerate(lines) if title in line)
    body = next(k for k in range(start, len(lines)) if lines[k].startswith("┡"))
    rows: list[list[list[str]]] = []
    for line in lines[body + 1:]:
        if line.startswith("└"):
            break
        cells = [c.strip() for c in line.strip("│").split("│")]
        if cells[0] or not rows:
            rows.append([[c] if c else [] for c in cells])
        else:
            for col, c in zip(rows[-1], cells):
                if c:
                    col.append(c)
    return [["\n".join(col) for col in row] for row in rows]


def header_cells(text: str, title: str) -> list[str]:
    lines = text.splitlines()
    start = next(k for k, line in enumerate(lines) if title in line)
    top = next(k for k in range(start, len(lines)) if lines[k].startswith("┏"))
    end = next(k for k in range(top, len(lines)) if lines[k].startswith("┡"))
    cols: list[list[str]] = []
    for line in lines[top + 1:end]:
        cells = [c.strip() for c in line.strip("┃").split("┃")]
        cols = cols or [[] for _ in cells]
        for col, c in zip(cols, cells):
            if c:
                col.append(c)
    return ["\n".join(c) for c in cols]


@pytest.fixture(scope="module")
def law():
    return default_law()


def retro_doc(path: Path, law) -> dict:
    return retro_document(load_case(path, law, DAY), law, DAY, DAY)


def text_of(render, *args) -> str:
    con = Console(width=80, file=StringIO(), color_system=None)
    render(con, *args)
    return con.file.getvalue()


def check_retro_text(out: str, doc: dict) -> None:
    """The avenues table of `sentcalc retro` read back and compared with the JSON."""
    assert_uncut(out)
    rows = table_rows(out, "retroactivity as of")
    assert [r[0] for r in rows] == ["Original"] + [SHORT[a["id"]] for a in doc["analyses"]]
    o = doc["original"]
    assert rows[0][1:3] == [rng(o["guideline_range"]), f"{o['statutory_range']['subsection']}\n{rng(o['statutory_range'])}"]
    assert " ".join(rows[0][3].split()).endswith(doc["projected_release_date_now"] or "—")
    for row, a in zip(rows[1:], doc["analyses"]):
        am = a["amended"]
        assert row[1] == rng(am["guideline_range"])
        assert row[2] == f"{am['statutory_range']['subsection']}\n{rng(am['statutory_range'])}"
        outcome = " ".join(row[3].split())
        if a["eligible"]:
            assert outcome.startswith("eligible")
            assert f"lowest term: {a['lowest_permissible_months']} months" in outcome
            assert f"earliest order: {a['earliest_order_date']}" in outcome
            assert f"projected release: {a['projected_release_date']}" in outcome
        else:
            assert outcome == "not eligible: " + ", ".join(c.replace("_", " ") for c in a["reason_codes"])
    text = flat(out)
    for a in doc["analyses"]:
        for x in a["reasons"] + a["notes"] + [s["detail"] for s in a["steps"]] + [s["citation"] for s in a["steps"]]:
            assert flat(x) in text, x
    assert flat(summary(doc)) in text
    assert doc["provenance"]["guidelines_sha256"] in out.replace("\n", "")


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_retro_text_at_80_columns_equals_the_json(path: Path, law) -> None:
    doc = retro_doc(path, law)
    check_retro_text(text_of(render_text, doc), doc)


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_retro_markdown_equals_the_json(path: Path, law) -> None:
    doc = retro_doc(path, law)
    md = markdown(doc)
    lines = md.splitlines()
    head = next(k for k, line in enumerate(lines) if line.startswith("| Avenue"))
    table = lines[head + 2:lines.index("", head)]      # the avenue table (the release-date table follows)
    rows = [[c.strip() for c in line.strip().strip("|").split("|")] for line in table]
    assert len(rows) == len(doc["analyses"])
    for row, a in zip(rows, doc["analyses"]):
        am = a["amended"]
        st = am["statutory_range"]
        assert row[:4] == [a["title"], "yes" if a["eligible"] else "no", rng(am["guideline_range"]),
                           f"{st['subsection']}: {rng(st)}"]
        if a["eligible"]:
            assert row[4:] == [str(a["lowest_permissible_months"]), a["earliest_order_date"], a["projected_release_date"]]
        else:
            assert row[4:] == ["not eligible: " + " ".join(a["reasons"]), "—", "—"]
    o = doc["original"]
    assert (f"guideline range {rng(o['guideline_range'])} months; statute {o['statutory_range']['subsection']}: "
            f"{rng(o['statutory_range'])} months.") in md
    assert summary(doc) in md
    for s in o["steps"]:
        assert f"{s['detail']} ({s['citation']})" in md


def test_concepcion_lowest_term_of_zero_is_printed(law) -> None:
    """The headline number of the bundled Concepcion example: §404 allows a term as low as 0 months."""
    doc = retro_doc(CONCEPCION, law)
    fsa = next(a for a in doc["analyses"] if a["id"] == "first-step-act-404")
    assert fsa["eligible"] and fsa["lowest_permissible_months"] == 0
    row = next(r for r in table_rows(text_of(render_text, doc), "retroactivity") if r[0] == "FSA §404")
    assert "lowest term: 0 months" in " ".join(row[3].split())
    assert "| First Step Act §404 | yes | 262–327 | 841(b)(1)(C): 0–360 | 0 | " in markdown(doc)


def test_not_lowered_names_the_range_it_compares(law) -> None:
    """Amendment 821 after 782 (the 15 kg example): the reason names the range 782 already gives, not the
    original range the worksheet step starts from, and says 821 changes nothing this case's calculation uses
    (no status points, not a zero-point offender)."""
    doc = retro_doc(next(p for p in CASES if "15kg" in p.name), law)
    a821 = next(a for a in doc["analyses"] if a["id"] == "amendment-821")
    a782 = next(a for a in doc["analyses"] if a["id"] == "amendment-782")
    assert a821["reason_codes"] == ["not_lowered"]
    assert a821["reasons"] == [f"The amendment does not lower the applicable range: with it the range is "
                               f"{rng(a821['amended']['guideline_range'])} months, no lower than the "
                               f"{rng(a782['amended']['guideline_range'])} months the earlier listed amendments "
                               "already give; it changes nothing the calculation of this case uses."]
    step = a821["steps"][0]["detail"]
    assert step.endswith(f"{rng(doc['original']['guideline_range'])} → {rng(a821['amended']['guideline_range'])} months.")


def test_a_served_sentence_shows_no_lowest_term_step(law) -> None:
    """crack-50g: every avenue is closed (the term is served, or the minimum binds): no step states a lowest
    permissible term or an order date, which would read as if the avenue were open."""
    doc = retro_doc(next(p for p in CASES if p.name == "crack-50g-2006.yaml"), law)
    assert doc["best"] is None
    for a in doc["analyses"]:
        assert not a["eligible"]
        assert not [s for s in a["steps"] if s["rule"] in ("lowest_permissible", "earliest_order")]


def check_range_text(out: str, doc: dict) -> None:
    assert_uncut(out)
    title = f"Case {doc['case_id']}"
    seen: dict[str, dict[str, str]] = {}
    lines = out.splitlines()
    for k, line in enumerate(lines):
        if line.strip() != title or k + 1 >= len(lines) or not lines[k + 1].startswith("┏"):
            continue
        heads = header_cells("\n".join(lines[k:]), title)[1:]
        rows = table_rows("\n".join(lines[k:]), title)
        grouped: dict[str, list[str]] = {}
        for row in rows:  # labels wrap; values sit on the label's first line
            if any(row[1:]):
                grouped[row[0]] = row[1:]
            else:
                last = list(grouped)[-1]
                grouped[last + " " + row[0]] = grouped.pop(last)
        for j, h in enumerate(heads):
            seen[h] = {label.replace("\n", " "): vals[j] for label, vals in grouped.items()}
    res = doc["results"]
    assert list(seen) == [f"{r['regime']}\n({r['as_of']})" for r in res]
    for r in res:
        col = {" ".join(k.split()): v for k, v in seen[f"{r['regime']}\n({r['as_of']})"].items()}
        assert col == {
            "Base offense level": str(r["base_offense_level"]), "Total offense level": str(r["total_offense_level"]),
            "Criminal history category": r["criminal_history_category"],
            "Sentencing Table cell (months)": rng(r["table_range"]), "Guideline range (months)": rng(r["guideline_range"]),
            "Statute": r["statutory_range"]["subsection"], "Statutory range (months)": rng(r["statutory_range"]),
            "Supervised release, statute (months)": sr_range(r["supervised_release"], "min_months", "max_months"),
            "Supervised release, guideline (months)": sr_range(r["supervised_release"], "guideline_min_months",
                                                               "guideline_max_months")}


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_range_text_at_80_columns_equals_the_json(path: Path, law) -> None:
    doc = range_document(load_case(path, law, DAY), law, DAY)
    check_range_text(text_of(render_range, doc["case_id"], doc["results"]), doc)


def test_many_regimes_split_into_tables_that_fit(law) -> None:
    regimes = ["original", "current", "pre-2007", "2007", "2010", "2011", "2014", "2018", "2023"]
    doc = range_document(load_case(CASES[0], law, DAY), law, DAY, regimes)
    out = text_of(render_range, doc["case_id"], doc["results"])
    assert out.count(f"Case {doc['case_id']}") == 3  # 9 regimes, 4 to a table at 80 columns
    check_range_text(out, doc)


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_commands_at_80_columns(path: Path, capsys, monkeypatch, law) -> None:
    """The real commands with COLUMNS=80 and stdout captured (not a terminal), as when redirected to a file."""
    monkeypatch.setenv("COLUMNS", "80")
    code, out, err = run_main(["retro", str(path)], capsys)
    assert code == 0, err
    check_retro_text(out, retro_doc(path, law))
    code, out, err = run_main(["range", str(path)], capsys)
    assert code == 0, err
    check_range_text(out, range_document(load_case(path, law, DAY), law, DAY))
    code, out, err = run_main(["retro", str(path), "--format", "markdown"], capsys)
    assert code == 0 and out.strip() == markdown(retro_doc(path, law)).strip()


def test_installed_command_redirected_to_a_file(tmp_path: Path, law) -> None:
    exe = shutil.which("sentcalc")
    assert exe, "the sentcalc console script is not installed"
    env = {**os.environ, "COLUMNS": "80", "SENTCALC_TODAY": TODAY}
    out = tmp_path / "retro.txt"
    with out.open("w") as fh:
        proc = subprocess.run([exe, "retro", str(CONCEPCION)], stdout=fh, stderr=subprocess.PIPE, text=True, env=env,
                              timeout=120)
    assert proc.returncode == 0, proc.stderr
    check_retro_text(out.read_text(), retro_doc(CONCEPCION, law))


def _commands() -> list[list[str]]:
    from sentcalc.cli import app

    out = [[]]
    for c in app.registered_commands:
        out.append([c.name or c.callback.__name__])
    for g in app.registered_groups:
        out.append([g.name])
        out += [[g.name, c.name or c.callback.__name__] for c in g.typer_instance.registered_commands]
    return out


@pytest.mark.parametrize("command", _commands(), ids=lambda c: " ".join(c) or "sentcalc")
def test_help_has_no_placeholder_noise(command: list[str], capsys, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    code, out, _ = run_main([*command, "--help"], capsys)
    assert code == 0
    assert not re.search(r"<(bool|str|int|float|text)>", out), out
    assert_uncut(out)
