"""The web app in a real browser: headless Chromium (the system's /usr/bin/chromium, driven by Playwright; nothing is
downloaded at run time). The tests use the app as a person does: type a case field by field, submit, read the
page, download, upload. Without Chromium they fail under CI (CI=true) and are skipped only on a developer's machine.

Set SENTCALC_SCREENSHOTS=DIR to keep the screenshots the tests take (the results page of each typed case)."""

from __future__ import annotations

import csv
import io
import os
import shutil
from pathlib import Path

import pytest
import yaml

from sentcalc.law import default_law
from sentcalc.report.retro import summary
from web_support import CAREER_OFFENDER, ELIGIBLE_782, ROOT, app, retro_json

CHROMIUM = os.environ.get("SENTCALC_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run", "--disable-sync"]


def _need_chromium() -> None:
    if shutil.which(CHROMIUM) is None and not Path(CHROMIUM).exists():
        message = f"Chromium is not installed at {CHROMIUM} (apt-get install chromium; .ci/run does)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="module")
def playwright():
    _need_chromium()
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="module")
def browser(playwright):
    b = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
    yield b
    b.close()


@pytest.fixture(scope="module")
def url():
    from sentcalc.web.serve import Background
    with Background(app()) as u:
        yield u


@pytest.fixture()
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    p = context.new_page()
    p.set_default_timeout(60_000)
    yield p
    context.close()


@pytest.fixture(scope="module")
def form():
    from sentcalc.web.form import Form
    return Form(default_law())


def _keep(page, name: str, tmp_path: Path) -> Path:
    shot = tmp_path / f"{name}.png"
    page.screenshot(path=str(shot), full_page=True)
    if os.environ.get("SENTCALC_SCREENSHOTS"):
        keep = Path(os.environ["SENTCALC_SCREENSHOTS"])
        keep.mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, keep / shot.name)
    return shot


def type_case(page, form, doc: dict) -> None:
    """Type a case document into the form field by field, as a person would (adding rows with the button)."""
    values = form.values(doc)

    def put(name: str, kind: str, value: str) -> None:
        box = page.locator(f'[name="{name}"]')
        if kind == "bool":
            box.set_checked(value == "true")
        elif kind in ("tristate", "choice", "drug"):
            box.select_option(value)
        else:
            box.fill(value)

    for name, f in form.fields.items():
        if values.get(name, "") != "" or f.kind == "bool":
            put(name, f.kind, values.get(name, ""))
    for name, rows in form.lists.items():
        items = doc.get(name) or []
        table = page.locator(f'[data-rows="{name}"] tbody tr')
        while table.count() < len(items):
            page.click(f'[data-rows="{name}"] .add-row')
        for k in range(len(items)):
            for f in rows.fields:
                v = values.get(f"{name}.{k}.{f.name}", "")
                if v != "":
                    put(f"{name}.{k}.{f.name}", f.kind, v)


def shown(page) -> dict:
    """What the results page says for each avenue, the best avenue and the release dates."""
    out = {"best": page.get_attribute("#best", "data-best") or None,
           "release_now": page.inner_text('tr[data-avenue="original"] td.release').strip(),
           "summary": page.inner_text("#summary").strip(), "avenues": {}}
    for row in page.locator("#avenues tbody tr[data-avenue]").all():
        avenue = row.get_attribute("data-avenue")
        if avenue == "original":
            continue
        out["avenues"][avenue] = {k: row.locator(f"td.{k}").inner_text().strip()
                                  for k in ("eligible", "lowest", "order", "release")}
    return out


def expected(doc: dict) -> dict:
    """The same, from `sentcalc retro --json`."""
    return {"best": doc["best"], "release_now": doc["projected_release_date_now"] or "—", "summary": summary(doc),
            "avenues": {a["id"]: {"eligible": "yes" if a["eligible"] else "no",
                                  "lowest": str(a["lowest_permissible_months"]) if a["eligible"] else "—",
                                  "order": (a["earliest_order_date"] or "—") if a["eligible"] else "—",
                                  "release": ((a["projected_release_date"] or "—") + (" (passed)" if a["immediate_release"]
                                                                                      else "")) if a["eligible"] else "—"}
                        for a in doc["analyses"]}}


@pytest.mark.parametrize("path", [ELIGIBLE_782, CAREER_OFFENDER], ids=["eligible-782", "career-offender"])
def test_a_typed_case_shows_what_retro_json_says(path: Path, page, url: str, form, tmp_path: Path) -> None:
    want = retro_json(path)
    page.goto(url + "/")
    type_case(page, form, yaml.safe_load(path.read_text()))
    page.click("#compute")
    page.wait_for_selector("#results")
    _keep(page, f"typed-{path.stem}", tmp_path)
    assert shown(page) == expected(want)
    if path == ELIGIBLE_782:  # the facts in the plain-language verdict and the timeline
        assert page.inner_text("#best-lowest") == "135 months"
        assert page.locator("#timeline .mark").count() >= 4
    else:
        assert want["best"] is None and "career offender" in page.inner_text('tr[data-avenue="amendment-782"] td.why')
    # the form, saved as a case file, is the same case to `sentcalc retro`
    with page.expect_download() as d:
        page.click("#save-case")
    saved = tmp_path / d.value.suggested_filename
    d.value.save_as(saved)
    assert saved.suffix == ".yaml"
    assert retro_json(saved) == want


def test_uploading_a_case_file_fills_the_form(page, url: str) -> None:
    want = retro_json(ELIGIBLE_782)
    page.goto(url + "/")
    page.set_input_files("#case-file", str(ELIGIBLE_782))
    page.click("form.upload button")
    page.wait_for_selector("#results")
    assert shown(page) == expected(want)
    assert page.input_value('[name="drugs.1.drug"]') == "oxycodone_actual"
    assert page.input_value('[name="drugs.1.grams"]') == "50"
    assert page.input_value('[name="offense_date"]') == "2012-03-01"
    # and the JSON download is what the CLI prints
    with page.expect_download() as d:
        page.click("#dl-json")
    assert Path(d.value.path()).read_text() == _cli_json(ELIGIBLE_782)


@pytest.mark.parametrize("path", [ELIGIBLE_782, CAREER_OFFENDER], ids=["eligible-782", "career-offender"])
def test_the_memo_downloads_as_word_with_the_same_numbers(path: Path, page, url: str, tmp_path: Path) -> None:
    """The .docx memo from the results page, read back with python-docx: its avenues table holds what
    `sentcalc retro --json` says, and so does its range worksheet."""
    import docx
    want = retro_json(path)
    page.goto(url + "/")
    page.set_input_files("#case-file", str(path))
    page.click("form.upload button")
    page.wait_for_selector("#results")
    with page.expect_download() as d:
        page.click("#dl-docx")
    assert d.value.suggested_filename.endswith(".retro.docx")
    memo = docx.Document(d.value.path())
    table = memo.tables[0]
    assert [c.text for c in table.rows[0].cells][:2] == ["Avenue", "Eligible"]
    for row, a in zip(table.rows[1:], want["analyses"], strict=True):
        cells = [c.text for c in row.cells]
        assert cells[:2] == [a["title"], "yes" if a["eligible"] else "no"]
        if a["eligible"]:
            assert cells[4:] == [str(a["lowest_permissible_months"]), a["earliest_order_date"],
                                 a["projected_release_date"] or "—"]
        else:
            assert cells[4].startswith("Not eligible: ")
    body = [p.text for p in memo.paragraphs]
    assert summary(want) in body
    best = next((a["title"] for a in want["analyses"] if a["id"] == want["best"]), "none")
    assert f"Best avenue: {best}." in body
    if want["projected_release_date_now"]:
        assert f"Projected release on the sentence now in force: {want['projected_release_date_now']}." in body
    with page.expect_download() as d:
        page.click("#dl-range-docx")
    sheet = docx.Document(d.value.path()).tables[0]
    shown = page.locator("#regimes tbody tr").all()
    got = {r.cells[0].text: [c.text for c in r.cells[1:]] for r in sheet.rows[1:]}
    for tr in shown:
        label = tr.locator("th").inner_text().strip()
        assert got[label] == [td.inner_text().strip() for td in tr.locator("td").all()], label


def _cli_json(path: Path) -> str:
    from web_support import cli
    return cli("retro", str(path), "--json").stdout


CATALOGUE = ["negative-grams.yaml", "sentencing-before-offense.yaml", "status-exceeds-points.yaml",
             "adjustment-bad-section.yaml", "sentence-below-minimum.yaml", "b-below-threshold.yaml",
             "sa-in-range.yaml"]


@pytest.mark.parametrize("name", CATALOGUE)
def test_catalogue_errors_appear_beside_their_fields(name: str, page, url: str, form) -> None:
    """Entries of the bad-input catalogue typed into the form: the catalogue's words, beside the field they name."""
    from datetime import date

    from helpers import TODAY
    from sentcalc.io.casefile import case_problems, parse_document
    path = ROOT / "tests" / "bad_inputs" / "cases" / name
    raw = path.read_bytes()
    want = raw.split(b"\n", 1)[0].decode().removeprefix("# expect: ")
    doc = parse_document(raw, ".yaml", name)
    page.goto(url + "/")
    type_case(page, form, doc)
    page.click("#compute")
    page.wait_for_selector("#problems")
    assert want in page.inner_text("#problems")
    _, problems = case_problems(form.document(form.values(doc)), default_law(), date.fromisoformat(TODAY))
    if problems:  # a problem the model finds; the sentence checks come after it, on the page only
        target = form.target(problems[0], doc)
        box = page.locator(f'[id="err-{target}"]') if not target.startswith("group:") else \
            page.locator(f"#{target.replace(':', '-')} > .error")
        assert want in box.first.inner_text()
        if not target.startswith("group:"):
            assert page.get_attribute(f'[name="{target}"]', "aria-invalid") == "true"
    else:
        assert page.locator(".has-error .error").count() >= 1
        assert want in page.locator(".has-error .error").first.inner_text()


def _client_list(tmp_path: Path) -> Path:
    from test_web import client_list
    return client_list(tmp_path)


def test_office_screening_equals_batch_retro(page, url: str, tmp_path: Path) -> None:
    from test_web import batch
    path = _client_list(tmp_path)
    work, errs = batch(path, tmp_path)
    page.goto(url + "/screen")
    page.set_input_files("#list-file", str(path))
    page.click("#screen-button")
    page.wait_for_selector("#worklist-section")
    _keep(page, "screening", tmp_path)
    rows = page.locator("#worklist tbody tr").all()
    assert [r.get_attribute("data-id") for r in rows] == [w["id"] for w in work]
    for r, w in zip(rows, work):
        assert r.locator("td.avenue").get_attribute("data-avenue") == w["best_avenue"]
        assert r.locator("td.immediate").inner_text() == ("yes" if w["immediate"] == "true" else "no")
        assert r.locator("td.release").inner_text() == (w["release_date"] or "—")
    cells = [[c.inner_text() for c in r.locator("td").all()] for r in page.locator("#errors tbody tr").all()]
    assert cells == [[e["row"], e["id"], e["field"], e["value"], e["reason"]] for e in errs]
    assert "give a number greater than or equal to 0" in page.inner_text("#errors")
    for link, kind in (("#dl-xlsx", "xlsx"), ("#dl-csv", "csv")):
        with page.expect_download() as d:
            page.click(link)
        body = Path(d.value.path()).read_bytes()
        if kind == "csv":
            ids = [r["id"] for r in csv.DictReader(io.StringIO(body.decode()))]
        else:
            from openpyxl import load_workbook
            ids = [str(r[0]) for r in load_workbook(io.BytesIO(body)).worksheets[0].iter_rows(min_row=2, values_only=True)]
        assert ids == [w["id"] for w in work], kind
    # any row opens as a case, with the same answer
    first = rows[0]
    avenue = first.locator("td.avenue").get_attribute("data-avenue")
    first.locator("a").click()
    page.wait_for_selector("#results")
    assert page.get_attribute("#best", "data-best") == avenue


def test_a_rebound_dns_name_is_refused(playwright, url: str) -> None:
    """A page on another site that points its own name at 127.0.0.1 (DNS rebinding) gets nothing from the app."""
    port = url.rsplit(":", 1)[1]
    b = playwright.chromium.launch(executable_path=CHROMIUM,
                                   args=[*ARGS, "--host-resolver-rules=MAP evil.example 127.0.0.1"])
    try:
        p = b.new_page()
        reply = p.goto(f"http://evil.example:{port}/")
        assert reply.status == 400
        assert "is not allowed" in p.inner_text("body")
        assert p.locator("form").count() == 0
        ok = p.goto(f"http://127.0.0.1:{port}/")
        assert ok.status == 200
    finally:
        b.close()
