"""The web app over plain HTTP (a real uvicorn server on a loopback port): the form speaks the case model's words,
downloads equal what the CLI prints, screening equals `sentcalc batch --retro`, and the guard holds (Host header,
1 MiB before parsing, nothing on disk, formulas defused). The browser tests are in test_web_browser.py."""

from __future__ import annotations

import csv
import html
import io
import json
import re
import subprocess
import sys
import tempfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from pydantic import BaseModel

from helpers import TODAY
from sentcalc.case import Case
from sentcalc.io.casefile import MAX_BYTES, case_problems, parse_document
from sentcalc.law import default_law
from sentcalc.web.form import GROUPS, Form
from sentcalc.web.serve import Background
from web_support import CAREER_OFFENDER, CASES, ELIGIBLE_782, ROOT, app, cli, get, post_file, post_form, request, retro_json

CATALOGUE = sorted((ROOT / "tests" / "bad_inputs" / "cases").iterdir())


@pytest.fixture(scope="module")
def url():
    with Background(app()) as u:
        yield u


@pytest.fixture(scope="module")
def form() -> Form:
    return Form(default_law())


def _text(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", page))


def _fields(form: Form, doc: dict) -> list[tuple[str, str]]:
    """What a browser submits for a case document typed into the form (every non-empty input)."""
    return [(k, v) for k, v in form.values(doc).items() if v != ""]


# --- the form is the case model -------------------------------------------------------------------------------

def _paths(model: type[BaseModel], prefix: str = "") -> set[str]:
    out = set()
    for name, f in model.model_fields.items():
        sub = [a for a in (getattr(f.annotation, "__args__", None) or (f.annotation,))
               if isinstance(a, type) and issubclass(a, BaseModel)]
        if sub and name not in ("drugs", "adjustments", "reductions"):
            out |= _paths(sub[0], f"{prefix}{name}.")
        else:
            out.add(prefix + name)
    return out


def test_every_case_field_is_in_one_section_of_the_form(form: Form) -> None:
    placed = [n for _, _, names in GROUPS for n in names]
    assert len(placed) == len(set(placed))
    assert set(placed) == _paths(Case) == set(form.fields) | set(form.lists)


def test_labels_and_help_are_the_case_models(form: Form, url: str) -> None:
    page = _text(get(url, "/").text)
    for name, f in form.fields.items():
        node: type[BaseModel] = Case
        parts = name.split(".")
        for p in parts[:-1]:
            ann = node.model_fields[p].annotation
            node = next(a for a in ann.__args__ if isinstance(a, type) and issubclass(a, BaseModel)) \
                if hasattr(ann, "__args__") else ann
        info = node.model_fields[parts[-1]]
        assert f.help == (info.description or ""), name
        assert f.help, f"{name} has no description in the case model"
        assert f.help[:1].upper() + f.help[1:] in page, name
        assert f.label in page
    assert "Default: 0." in page  # what applies when a field is left empty


@pytest.mark.parametrize("path", sorted(CASES.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_example_survives_the_form(path: Path, form: Form) -> None:
    """A case file shown in the form and submitted unchanged is the same case."""
    doc = yaml.safe_load(path.read_text())
    again = form.document(dict(_fields(form, doc)))
    assert Case.model_validate(again).model_dump() == Case.model_validate(doc).model_dump()


# --- errors in the CLI's words, beside their fields --------------------------------------------------------------

def _representable(doc: object, form: Form) -> bool:
    """Whether the form has an input for every field of a document (else it is uploaded instead). The form always
    gives the parts it always shows (drugs, conviction, criminal_history): a file without one is uploaded too."""
    from sentcalc.web.form import ALWAYS
    if not isinstance(doc, dict) or any(k not in doc for k in ALWAYS):
        return False
    known = set(form.fields) | {f"{n}.{f.name}" for n, rows in form.lists.items() for f in rows.fields}

    def walk(node: object, prefix: str) -> bool:
        if isinstance(node, dict):
            return all(walk(v, f"{prefix}{k}.") for k, v in node.items())
        if isinstance(node, list) and prefix.rstrip(".") in form.lists:
            return all(isinstance(x, dict) and all(f"{prefix}{k}" in known and typable(x[k], f"{prefix}{k}") for k in x)
                       for x in node)
        return prefix.rstrip(".") in known and typable(node, prefix.rstrip("."))

    def typable(value: object, path: str) -> bool:
        """A box holds text, a checkbox true or false: a YAML boolean where a number or date belongs, a number where
        true/false or a date belongs, or bytes, cannot be typed."""
        from sentcalc.io.casefile import _field_at
        from sentcalc.reasons import kind_of
        _, info = _field_at(tuple(int(p) if p.isdigit() else p for p in path.split(".")))
        kind = kind_of(info.annotation)[0] if info is not None else "str"
        if kind == "bool":
            return isinstance(value, bool) or value is None
        if kind == "date" and isinstance(value, int | float):
            return False
        return not isinstance(value, bool | bytes)
    return walk(doc, "")


@pytest.mark.parametrize("path", CATALOGUE, ids=lambda p: p.name)
def test_bad_input_catalogue_through_the_form(path: Path, url: str, form: Form) -> None:
    """Every catalogue entry the form can hold is typed into it: the page shows the CLI's message, beside the field it
    names; the others (malformed files, unknown fields) are uploaded and the page shows the CLI's message."""
    raw = path.read_bytes()
    expect = raw.split(b"\n", 1)[0].decode("utf-8", "replace").removeprefix("# expect: ") if path.suffix != ".json" \
        else "valid JSON"
    try:
        doc = parse_document(raw, path.suffix, path.name)
    except Exception:  # noqa: BLE001 - a file-level problem: upload it
        doc = None
    if doc is not None and _representable(doc, form):
        r = post_form(url, "/case", _fields(form, doc) + [("regime", "original")])
        assert r.status == 422, path.name
        page = _text(r.text)
        assert expect in page, (path.name, re.findall(r'class="error[^"]*"[^>]*>([^<]*)<', page))
        _, problems = case_problems(form.document(dict(_fields(form, doc))), default_law(), _today())
        target = form.target(problems[0], doc) if problems else ""
        if problems and not target.startswith("group:") and target:
            beside = re.findall(rf'id="err-{re.escape(target)}">([^<]*)<', page)
            assert any(str(problems[0]) in b for b in beside), (path.name, target, beside)
    else:
        r = post_file(url, "/case/upload", path.name, raw)
        assert r.status == 422, path.name
        assert expect in _text(r.text), path.name


def _today():
    from datetime import date
    return date.fromisoformat(TODAY)


def test_the_cli_says_the_same_words(tmp_path: Path, url: str, form: Form) -> None:
    """One field, three ways: the CLI's error line is the message beside the field."""
    doc = yaml.safe_load(ELIGIBLE_782.read_text())
    doc["drugs"][1]["grams"] = -5
    p = tmp_path / "bad.yaml"
    p.write_text(yaml.safe_dump(doc))
    r = cli("retro", str(p))
    assert r.returncode == 2
    message = r.stderr.strip().removeprefix("error: ")
    assert message.startswith("drugs.1.grams: -5 is not allowed")
    page = _text(post_form(url, "/case", _fields(form, doc)).text)
    assert f'id="err-drugs.1.grams">{message}<' in page


# --- downloads equal the CLI ------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", [ELIGIBLE_782, CAREER_OFFENDER], ids=lambda p: p.stem)
def test_downloads_equal_the_cli(path: Path, url: str, form: Form, tmp_path: Path) -> None:
    doc = yaml.safe_load(path.read_text())
    page = post_form(url, "/case", _fields(form, doc))
    assert page.status == 200
    hidden = html.unescape(re.search(r'name="doc" value="([^"]*)"', page.text).group(1))
    base = [("doc", hidden), ("as_of", ""), ("strict", "")]
    got = post_form(url, "/case/download", base + [("fmt", "json")])
    assert got.headers["content-disposition"].startswith("attachment;")
    assert json.loads(got.body) == retro_json(path)
    assert got.text == cli("retro", str(path), "--json").stdout
    md = post_form(url, "/case/download", base + [("fmt", "md")])
    assert md.text + "\n" == cli("retro", str(path), "--format", "markdown").stdout
    saved = post_form(url, "/case/file", _fields(form, doc))
    assert saved.status == 200 and saved.headers["content-type"].startswith("application/yaml")
    case_file = tmp_path / "saved.yaml"
    case_file.write_bytes(saved.body)
    assert retro_json(case_file) == retro_json(path)


def test_a_case_file_with_yaml_dates_uploads_and_downloads(url: str) -> None:
    """YAML reads an unquoted 2012-03-01 as a date: the page and its downloads take it as the CLI does."""
    text = ELIGIBLE_782.read_text().replace("'2012-03-01'", "2012-03-01").replace("'2013-06-03'", "2013-06-03")
    assert "offense_date: 2012-03-01" in text
    page = post_file(url, "/case/upload", "dates.yaml", text.encode())
    assert page.status == 200
    hidden = html.unescape(re.search(r'name="doc" value="([^"]*)"', page.text).group(1))
    got = post_form(url, "/case/download", [("doc", hidden), ("fmt", "json")])
    assert json.loads(got.body) == retro_json(ELIGIBLE_782)


def test_the_caption_heads_the_page(url: str, form: Form) -> None:
    doc = dict(yaml.safe_load(ELIGIBLE_782.read_text()), defendant="Erik Lindqvist", court="D. Minn.",
               docket="0:12-cr-00144")
    page = _text(post_form(url, "/case", _fields(form, doc)).text)
    assert '<h1 id="caption">United States v. Erik Lindqvist</h1>' in page
    assert "0:12-cr-00144 · D. Minn. · case id USA-v-Lindqvist-2012-CR-0144" in page
    bare = _text(post_form(url, "/case", _fields(form, yaml.safe_load(ELIGIBLE_782.read_text()))).text)
    assert '<h1 id="caption">Case USA-v-Lindqvist-2012-CR-0144</h1>' in bare


def test_a_case_file_with_problems_is_not_given_out(url: str, form: Form) -> None:
    doc = yaml.safe_load(ELIGIBLE_782.read_text())
    doc["sentencing_date"] = "2011-01-01"
    r = post_form(url, "/case/file", _fields(form, doc))
    assert r.status == 422 and "text/html" in r.headers["content-type"]
    assert "sentencing_date 2011-01-01 is before offense_date 2012-03-01" in _text(r.text)


def test_what_to_compute_regimes_order_date_strict(url: str, form: Form) -> None:
    doc = yaml.safe_load(ELIGIBLE_782.read_text())
    fields = _fields(form, doc)
    page = post_form(url, "/case", fields + [("regime", "original"), ("regime", "2010"), ("regime_date", "2012-05-01"),
                                             ("as_of", "2020-01-01")])
    assert page.status == 200
    regimes = re.findall(r'<th scope="col" data-regime="([^"]+)"', page.text)
    assert regimes == ["original", "2010", "2012-05-01"]
    assert "Retroactivity as of 2020-01-01" in _text(page.text)
    bad = post_form(url, "/case", fields + [("as_of", "2020-02-30"), ("regime_date", "1980-01-01")])
    assert bad.status == 422
    text = _text(bad.text)
    assert "as_of: '2020-02-30' is not allowed; give a date as YYYY-MM-DD" in text
    assert "regime_date: '1980-01-01' is not allowed; the Sentencing Guidelines took effect on 1987-11-01" in text
    # --strict: an assumption (the quantity of conviction left to the subsection's threshold) is refused
    del doc["conviction"]["grams"]
    strict = post_form(url, "/case", _fields(form, doc) + [("strict", "true")])
    assert strict.status == 422
    beside = re.findall(r'<p class="error">([^<]*)</p>', strict.text)
    assert any(b.startswith("--strict: an assumption was needed") for b in beside), beside
    assert post_form(url, "/case", _fields(form, doc)).status == 200


# --- the guard ---------------------------------------------------------------------------------------------------

def test_a_foreign_host_header_is_refused(url: str) -> None:
    port = url.rsplit(":", 1)[1]
    assert get(url, "/", Host="evil.example").status == 400
    assert get(url, "/", Host=f"evil.example:{port}").status == 400
    assert get(url, "/static/app.css", Host="attacker.test").status == 400
    for ok in (f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}", "localhost"):
        assert get(url, "/", Host=ok).status == 200, ok


def test_answers_are_not_stored_or_framed(url: str) -> None:
    h = get(url, "/").headers
    assert h["cache-control"] == "no-store"
    assert h["x-frame-options"] == "DENY"
    assert "script-src 'self'" in h["content-security-policy"]


def test_uploads_over_1_mib_are_refused_before_parsing(url: str) -> None:
    big = b"# " + b"x" * MAX_BYTES + b"\nid: a\n"
    r = post_file(url, "/case/upload", "big.yaml", big)
    assert r.status == 413 and "1 MiB" in r.text
    r = post_file(url, "/screen", "big.csv", b"id\n" + b"a\n" * (MAX_BYTES // 2))
    assert r.status == 413

    def chunks():  # no Content-Length: counted as it arrives
        for _ in range(40):
            yield b"x" * 65536
    r = request(url, "POST", "/case", chunks(), {"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status == 413


def test_uploads_never_touch_the_disk(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A case file just under the limit is read in memory: the multipart parser's spool never rolls over to a
    temporary file (every way to make one fails during the request)."""
    from starlette.formparsers import MultiPartParser

    assert MultiPartParser.spool_max_size >= MAX_BYTES

    def refuse(*a, **k):
        raise AssertionError("a temporary file was opened")
    for name in ("TemporaryFile", "NamedTemporaryFile", "mkstemp", "mkdtemp"):
        monkeypatch.setattr(tempfile, name, refuse)
    text = ELIGIBLE_782.read_bytes()
    near = b"#" + b" " * (MAX_BYTES - len(text) - 400) + b"\n" + text
    r = post_file(url, "/case/upload", "near.yaml", near)
    assert r.status == 200, r.text[:300]
    assert "Best avenue: §3582(c)(2), Amendment 782" in _text(r.text)


# --- office screening ------------------------------------------------------------------------------------------

class _Tables(HTMLParser):
    """Rows of the tables on a page, each a dict of cell class -> text (and 'href' of a link)."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[dict]] = {}
        self._table: str | None = None
        self._row: dict | None = None
        self._cell: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table":
            self._table = a.get("id")
            self.tables.setdefault(self._table or "", [])
        elif tag == "tr" and self._table:
            self._row = {}
        elif tag == "td" and self._row is not None:
            self._cell = (a.get("class") or "").split(" ")[0]
            self._row[self._cell] = ""
            if "data-avenue" in a:
                self._row["data-avenue"] = a["data-avenue"]
        elif tag == "a" and self._row is not None and "href" in a:
            self._row["href"] = a["href"]

    def handle_endtag(self, tag):
        if tag == "tr" and self._row:
            self.tables[self._table or ""].append(self._row)
            self._row = None
        elif tag == "td":
            self._cell = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data):
        if self._row is not None and self._cell is not None:
            self._row[self._cell] += data


def tables(page: str) -> dict[str, list[dict]]:
    p = _Tables()
    p.feed(page)
    return p.tables


def client_list(tmp_path: Path) -> Path:
    """An office's list: the bundled example cases as flat rows (with their captions), the sample dataset, a row
    the catalogue says is bad, and a duplicate id."""
    from sentcalc.io.flat import case_to_row, columns

    law = default_law()
    sample = list(csv.DictReader((ROOT / "examples" / "datasets" / "sample.csv").open()))
    examples = [case_to_row(Case.model_validate(yaml.safe_load(p.read_text())), law) for p in sorted(CASES.glob("*.yaml"))]
    for row in examples:
        if row["id"] == "USA-v-Lindqvist-2012-CR-0144":  # an office's list names its clients
            row.update(defendant="Erik Lindqvist", court="D. Minn.", docket="0:12-cr-00144")
    names = [c.name for c in columns(law)] + ["race", "sex", "district"]
    bad = dict(sample[0], id="BAD-1", cocaine_base_grams="-4", conviction_drug="cocaine_base", statute="841(b)(1)(C)",
               conviction_grams="2")
    out = tmp_path / "clients.csv"
    with out.open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=names)
        w.writeheader()
        for row in [*examples, *sample, bad, examples[1]]:
            w.writerow({k: _flat(v) for k, v in row.items() if k in names})
    return out


def _flat(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def batch(path: Path, tmp_path: Path) -> tuple[list[dict], list[dict]]:
    out = tmp_path / "out.csv"
    r = cli("batch", str(path), str(out), "--retro", "--quiet")
    assert r.returncode == 0, r.stderr
    work = list(csv.DictReader((tmp_path / "out.worklist.csv").open()))
    errs = list(csv.DictReader((tmp_path / "out.errors.csv").open()))
    return work, errs


def _num(v: str) -> str:
    """A number as the page or a CSV shows it; a life sentence (and its months saved) is empty in the CSV."""
    return "—" if v in ("", "—", "life", "(life)") else f"{float(v):g}"


def screen(url: str, path: Path) -> tuple[str, str]:
    r = post_file(url, "/screen", path.name, path.read_bytes())
    assert r.status == 303, r.text[:500]
    location = r.headers["location"]
    page = get(url, location)
    assert page.status == 200
    return location, page.text


def test_screening_equals_batch_retro(url: str, tmp_path: Path) -> None:
    path = client_list(tmp_path)
    work, errs = batch(path, tmp_path)
    n = len(list(CASES.glob("*.yaml"))) + 500
    assert len(work) >= 10 and {e["row"] for e in errs} >= {str(n + 1), str(n + 2)}  # the bad row and the duplicate
    assert {w.get("defendant") for w in work} >= {"Erik Lindqvist"}  # captions are carried when given
    location, page = screen(url, path)
    t = tables(page)
    shown = t["worklist"]
    assert [r["id"] for r in shown] == [w["id"] for w in work]
    for s, w in zip(shown, work):
        assert s["data-avenue"] == w["best_avenue"]
        assert s["immediate"] == ("yes" if w["immediate"] == "true" else "no")
        assert _num(s["saved"]) == _num(w["months_saved"]) and _num(s["lowest"]) == _num(w["best_lowest"])
        assert s["order"] == (w["best_order_date"] or "—") and s["release"] == (w["release_date"] or "—")
    assert [(r["row"], r["id"], r["field"], html.unescape(r["value"]), html.unescape(r["reason"])) for r in t["errors"]] == \
        [(e["row"], e["id"], e["field"], e["value"], e["reason"]) for e in errs]
    # the downloads hold the same rows
    got = list(csv.DictReader(io.StringIO(get(url, f"{location}/worklist.csv").text)))
    assert [{k: _num(v) if k in ("months_saved", "best_lowest", "sentence_months") else v for k, v in r.items()}
            for r in got] == \
           [{k: _num(v) if k in ("months_saved", "best_lowest", "sentence_months") else v for k, v in r.items()}
            for r in work]
    from sentcalc.web.screening import defuse  # downloads defuse what a spreadsheet would run as a formula (-3)
    assert list(csv.DictReader(io.StringIO(get(url, f"{location}/errors.csv").text))) == \
        [{k: defuse(v) for k, v in e.items()} for e in errs]
    from openpyxl import load_workbook
    book = load_workbook(io.BytesIO(get(url, f"{location}/worklist.xlsx").body), read_only=True)
    sheet = list(book["Worklist"].iter_rows(values_only=True))
    assert [str(r[0]) for r in sheet[1:]] == [w["id"] for w in work]
    assert [["" if v is None else str(v) for v in r] for r in book["Errors"].iter_rows(values_only=True)][1:] == \
        [[e["row"], e["id"], e["field"], defuse(e["value"]), e["reason"]] for e in errs]


def test_a_worklist_row_opens_as_the_same_case(url: str, tmp_path: Path) -> None:
    path = client_list(tmp_path)
    _, page = screen(url, path)
    first = tables(page)["worklist"][0]
    case = get(url, first["href"])
    assert case.status == 200
    text = _text(case.text)
    assert f'data-best="{first["data-avenue"]}"' in text
    assert f'id="best-lowest">{_num(first["lowest"])} months<' in text


def test_an_excel_list_screens_like_the_csv(url: str, tmp_path: Path) -> None:
    from openpyxl import Workbook
    path = client_list(tmp_path)
    rows = list(csv.reader(path.open()))
    book = Workbook()
    ws = book.active
    for r in rows:
        ws.append([_excel(v) for v in r])
    x = tmp_path / "clients.xlsx"
    book.save(x)
    _, from_csv = screen(url, path)
    _, from_xlsx = screen(url, x)
    def key(page: str) -> list[tuple]:
        return [(r["row"], r["id"], r["data-avenue"], r["lowest"], r["order"], r["release"])
                for r in tables(page)["worklist"]]
    assert key(from_xlsx) == key(from_csv) and len(key(from_csv)) > 10
    assert [(r["row"], r["field"]) for r in tables(from_xlsx)["errors"]] == \
        [(r["row"], r["field"]) for r in tables(from_csv)["errors"]]


def _excel(v: str):
    """A cell as a person types it into Excel: numbers as numbers, dates as dates, the rest as text."""
    from datetime import date
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", v):
        return date.fromisoformat(v)
    if re.fullmatch(r"-?\d+(\.\d+)?", v):
        return float(v)
    return v or None


def test_downloads_defuse_spreadsheet_formulas(url: str, tmp_path: Path) -> None:
    rows = list(csv.DictReader((ROOT / "examples" / "datasets" / "sample.csv").open()))
    work, _ = batch(ROOT / "examples" / "datasets" / "sample.csv", tmp_path)
    eligible = [r for r in rows if r["id"] in {w["id"] for w in work}][:4]
    hostile = ["=HYPERLINK(\"http://x\",\"y\")", "+1+1", "-2+3", "@SUM(A1)"]
    for r, h in zip(eligible, hostile):
        r["id"] = h
    bad = dict(rows[0], id="=BAD()", offense_date="2005-13-01")
    path = tmp_path / "hostile.csv"
    with path.open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows([*eligible, bad])
    location, page = screen(url, path)
    assert sorted(r["id"] for r in tables(page)["worklist"]) == sorted(hostile)  # shown as typed, escaped as HTML
    ids = [r["id"] for r in csv.DictReader(io.StringIO(get(url, f"{location}/worklist.csv").text))]
    assert sorted(ids) == sorted("'" + h for h in hostile)
    errs = list(csv.DictReader(io.StringIO(get(url, f"{location}/errors.csv").text)))
    assert errs[0]["id"] == "'=BAD()"
    from openpyxl import load_workbook
    book = load_workbook(io.BytesIO(get(url, f"{location}/worklist.xlsx").body))
    cells = [c for row in book["Worklist"].iter_rows(min_row=2) for c in row] + \
            [c for row in book["Errors"].iter_rows(min_row=2) for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert sorted(str(c.value) for c in book["Worklist"]["A"][1:]) == sorted("'" + h for h in hostile)


def test_a_list_in_another_format_is_refused(url: str) -> None:
    r = post_file(url, "/screen", "clients.txt", b"id\nx\n")
    assert r.status == 422 and "give a file ending in .csv, .xlsx" in _text(r.text)
    r = post_file(url, "/screen", "clients.xlsx", b"not a workbook")
    assert r.status == 422 and "could not be read as an Excel workbook" in _text(r.text)


def test_a_forgotten_screening_says_so(url: str) -> None:
    r = get(url, "/screen/nope")
    assert r.status == 404 and "Upload the list again" in r.text


# --- the light install -------------------------------------------------------------------------------------------

WEB_PACKAGES = ("fastapi", "uvicorn", "jinja2", "multipart", "python_multipart", "docx", "openpyxl", "starlette")
BLOCK = f"""
import sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in {WEB_PACKAGES!r}:
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
sys.meta_path.insert(0, Block())
sys.argv = ['sentcalc', *sys.argv[1:]]
from sentcalc.cli import main
main()
"""


def test_the_cli_runs_without_any_web_package() -> None:
    """With every web package unimportable (the light install), the commands work (test_docx checks the metadata)."""
    r = subprocess.run([sys.executable, "-c", BLOCK, "retro", str(ELIGIBLE_782), "--json"], capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["best"] == "amendment-782"


def test_serve_without_the_web_extra_names_it() -> None:
    r = subprocess.run([sys.executable, "-c", BLOCK, "serve"], capture_output=True, text=True, timeout=300)
    assert r.returncode == 2
    assert "pip install 'sentcalc[web]'" in r.stderr and "Traceback" not in r.stderr


def test_serve_off_loopback_warns(tmp_path: Path) -> None:
    import socket
    import time
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "sentcalc", "serve", "--host", "0.0.0.0", "--port", str(port)],
                            stderr=subprocess.PIPE, text=True)
    try:
        lines = []
        deadline = time.time() + 120
        while time.time() < deadline:
            line = proc.stderr.readline()
            lines.append(line)
            if "serving on" in line or not line:
                break
        text = "".join(lines)
        assert "warning: listening on 0.0.0.0" in text and "anyone who can reach this port sees the form" in text
    finally:
        proc.terminate()
        proc.wait(30)
