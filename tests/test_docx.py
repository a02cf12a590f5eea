"""The Word documents (`sentcalc retro|range --format docx`), read back with python-docx: every bundled example
produces one, its tables hold exactly the JSON's numbers and dates, it is in court style (12-point serif, real
headings and tables), and the command's errors name the option or the extra to install."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import docx
import pytest

from helpers import TODAY, run_main
from sentcalc.documents import range_document, retro_document
from sentcalc.io.casefile import load_case
from sentcalc.law import default_law
from sentcalc.report.docx import range_docx, retro_docx
from sentcalc.report.retro import RELEASE_COLUMNS, release_rows, summary, supervised_release_text

CASES = sorted((Path(__file__).resolve().parent.parent / "examples" / "cases").glob("*.yaml"))
DAY = date.fromisoformat(TODAY)


def rng(r: dict) -> str:
    """A JSON range as the documents print it: "lo–hi", or one number when the ends are equal."""
    return str(r["min_months"]) if r["min_months"] == r["max_months"] else f"{r['min_months']}–{r['max_months']}"


def read(data: bytes) -> docx.document.Document:
    return docx.Document(io.BytesIO(data))


def texts(d) -> list[str]:
    return [p.text for p in d.paragraphs]


@pytest.fixture(scope="module")
def law():
    return default_law()


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_retro_docx_tables_equal_the_json(path: Path, law) -> None:
    doc = retro_document(load_case(path, law, DAY), law, DAY, DAY)
    d = read(retro_docx(doc))
    avenues = d.tables[0]
    assert [c.text for c in avenues.rows[0].cells][:5] == ["Avenue", "Eligible", "Amended guideline range (months)",
                                                           "Statutory range (months)", "Lowest permissible term (months)"]
    assert len(avenues.rows) == 1 + len(doc["analyses"])
    for row, a in zip(avenues.rows[1:], doc["analyses"]):
        cells = [c.text for c in row.cells]
        am = a["amended"]
        assert cells[0] == a["title"]
        assert cells[1] == ("yes" if a["eligible"] else "no")
        assert cells[2] == (rng(am["guideline_range"]) if am else "—")
        assert cells[3] == (f"{am['statutory_range']['subsection']}\n{rng(am['statutory_range'])}" if am else "—\n—")
        if a["eligible"]:  # the lowest term is printed even when it is 0 (the Concepcion example's headline)
            assert cells[4:] == [str(a["lowest_permissible_months"]), a["earliest_order_date"],
                                 a["projected_release_date"] or "—"]
        else:  # one merged cell with the reason: no lowest term or date that would read as open
            assert row.cells[4]._tc is row.cells[6]._tc
            assert cells[4] == "Not eligible: " + " ".join(a["reasons"])
    body = texts(d)
    assert summary(doc) in body
    o = doc["original"]
    assert (f"Total offense level {o['total_offense_level']}, criminal history category {o['criminal_history_category']}; "
            f"guideline range {rng(o['guideline_range'])} months.") in body
    assert f"Statute: {o['statutory_range']['subsection']}: {rng(o['statutory_range'])} months." in body
    best = next((a["title"] for a in doc["analyses"] if a["id"] == doc["best"]), "none")
    assert f"Best avenue: {best}." in body
    # Release dates: the term in force and each eligible avenue's lowest term, every date as in the JSON.
    release = d.tables[1]
    assert [c.text for c in release.rows[0].cells] == ["Term", *(c for c, _ in RELEASE_COLUMNS)]
    assert [[c.text for c in r.cells] for r in release.rows[1:]] == [
        [label, *("—" if rel.get(k) is None else str(rel[k]) for _, k in RELEASE_COLUMNS)]
        for label, rel in release_rows(doc)]
    assert f"Original ({o['statutory_range']['subsection']}): {supervised_release_text(o)}." in body
    # The worksheet: the original steps, then each avenue's, word for word with their citations.
    sheets = [[(r.cells[1].text, r.cells[2].text) for r in t.rows[1:]] for t in d.tables[2:]]
    expected = [o["steps"]] + [a["steps"] for a in doc["analyses"] if a["steps"]]
    assert sheets == [[(s["detail"], s["citation"]) for s in steps] for steps in expected]
    # Assumptions and provenance.
    for x in o["assumptions"] + o["warnings"]:
        assert x in body
    prov = doc["provenance"]
    assert f"Guidelines data sha256: {prov['guidelines_sha256']}." in body
    assert f"Prepared with sentcalc {prov['sentcalc_version']} on {TODAY}." in body


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_range_docx_table_equals_the_json(path: Path, law) -> None:
    doc = range_document(load_case(path, law, DAY), law, DAY)
    d = read(range_docx(doc))
    t = d.tables[0]
    assert [c.text for c in t.rows[0].cells] == ["", *[f"{r['regime']}\n({r['as_of']})" for r in doc["results"]]]
    rows = {r.cells[0].text: [c.text for c in r.cells[1:]] for r in t.rows[1:]}
    res = doc["results"]
    assert rows["Base offense level"] == [str(r["base_offense_level"]) for r in res]
    assert rows["Total offense level"] == [str(r["total_offense_level"]) for r in res]
    assert rows["Criminal history category"] == [r["criminal_history_category"] for r in res]
    assert rows["Sentencing Table cell (months)"] == [rng(r["table_range"]) for r in res]
    assert rows["Guideline range (months)"] == [rng(r["guideline_range"]) for r in res]
    assert rows["Statute"] == [r["statutory_range"]["subsection"] for r in res]
    assert rows["Statutory range (months)"] == [rng(r["statutory_range"]) for r in res]
    assert rows["Supervised release"] == [supervised_release_text(r) for r in res]
    sheets = [[(r.cells[1].text, r.cells[2].text) for r in w.rows[1:]] for w in d.tables[1:]]
    assert sheets == [[(s["detail"], s["citation"]) for s in r["steps"]] for r in res]


def test_court_style_caption_headings_and_tables(law) -> None:
    path = next(p for p in CASES if "concepcion" in p.name)
    doc = retro_document(load_case(path, law, DAY), law, DAY, DAY)
    doc["caption"] = {"defendant": "Hollins", "docket": "No. 1:05-cr-217", "court": "D. Md."}
    d = read(retro_docx(doc))
    assert d.paragraphs[0].text == "United States v. Hollins, No. 1:05-cr-217 (D. Md.)"
    headings = [p.text for p in d.paragraphs if p.style.name.startswith("Heading")]
    for h in ("Sentence Reduction Analysis", "Original sentence", "Avenues for a reduction", "Summary", "Worksheet",
              "Assumptions", "Provenance"):
        assert h in headings
    for name in ("Normal", "Heading 1", "Heading 2", "List Bullet"):
        style = d.styles[name]
        assert style.font.name == "Times New Roman" and style.font.size.pt == 12, name
        fonts = style.element.rPr.rFonts
        assert not any(k.endswith("Theme") for k in fonts.attrib), f"{name} still follows the theme font"
    for p in d.paragraphs:  # no run overrides the 12-point serif
        for r in p.runs:
            assert r.font.size is None and r.font.name is None
    assert all(t.style.name == "Table Grid" for t in d.tables)
    # The §404 row of the Concepcion example: the headline lowest term is 0, printed as 0.
    row = next(r for r in d.tables[0].rows if r.cells[0].text == "First Step Act §404")
    assert row.cells[4].text == "0"


def test_caption_falls_back_to_what_is_given(law) -> None:
    doc = range_document(load_case(CASES[0], law, DAY), law, DAY)
    doc.pop("caption", None)
    assert read(range_docx(doc)).paragraphs[0].text == f"Case {doc['case_id']}"
    doc["caption"] = {"court": "S.D.N.Y."}
    assert read(range_docx(doc)).paragraphs[0].text == f"Case {doc['case_id']} (S.D.N.Y.)"


def test_cli_writes_the_docx_atomically(tmp_path: Path, capsys) -> None:
    out = tmp_path / "memo.docx"
    code, _, err = run_main(["retro", str(CASES[0]), "--format", "docx", "--output", str(out)], capsys)
    assert code == 0, err
    assert read(out.read_bytes()).tables[0].rows[0].cells[0].text == "Avenue"
    assert [p.name for p in tmp_path.iterdir()] == ["memo.docx"]  # no temporary file left behind
    code, _, err = run_main(["range", str(CASES[0]), "--format", "docx", "-o", str(tmp_path / "range.docx")], capsys)
    assert code == 0, err
    assert read((tmp_path / "range.docx").read_bytes()).tables[0].rows[1].cells[0].text == "Base offense level"


@pytest.mark.parametrize("command", ["retro", "range"])
def test_docx_without_output_exits_2_naming_it(command: str, capsys) -> None:
    code, out, err = run_main([command, str(CASES[0]), "--format", "docx"], capsys)
    assert code == 2 and out == ""
    assert err.startswith("error: --output:") and "Traceback" not in err


def test_output_into_a_missing_folder_exits_2(tmp_path: Path, capsys) -> None:
    code, _, err = run_main(["retro", str(CASES[0]), "--format", "docx", "-o", str(tmp_path / "no" / "m.docx")], capsys)
    assert code == 2 and "--output" in err and "existing folder" in err


@pytest.mark.parametrize("command", ["retro", "range"])
def test_docx_without_the_web_extra_names_it(command: str, tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "docx", None)  # as if python-docx were not installed
    out = tmp_path / "memo.docx"
    code, _, err = run_main([command, str(CASES[0]), "--format", "docx", "-o", str(out)], capsys)
    assert code == 2 and "pip install 'sentcalc[web]'" in err and "Traceback" not in err
    assert not out.exists()


WEB = {"fastapi", "uvicorn", "jinja2", "python-multipart", "python-docx", "openpyxl"}


def test_the_light_install_stays_light() -> None:
    """`pip install sentcalc` pulls none of the web or Word dependencies; the `web` and `test` extras do."""
    from importlib.metadata import requires

    reqs = requires("sentcalc") or []
    name = [(re.match(r"[A-Za-z0-9_.-]+", r).group(0).lower(), r.replace("'", '"')) for r in reqs]
    core = {n for n, r in name if "extra ==" not in r}
    assert core and not core & WEB, core & WEB
    for extra in ("web", "test"):
        assert {n for n, r in name if f'extra == "{extra}"' in r} >= WEB, extra


def test_text_output_does_not_import_python_docx(tmp_path: Path) -> None:
    """python-docx is imported only when a Word document is made."""
    code = ("import sys; from sentcalc.cli import main; sys.argv = ['sentcalc', 'retro', sys.argv[1]]\n"
            "try:\n    main()\nexcept SystemExit as e:\n    assert not e.code, e.code\n"
            "assert 'docx' not in sys.modules and 'openpyxl' not in sys.modules")
    proc = subprocess.run([sys.executable, "-c", code, str(CASES[0])], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "SENTCALC_TODAY": TODAY})
    assert proc.returncode == 0, proc.stderr
