"""The web app: server-rendered pages over the library the CLI calls (FastAPI, Jinja2; plain HTML forms, a little
JavaScript where it helps).

- `/`: the case form; `POST /case` computes `retro_document` and `range_document` and shows the results page;
  `POST /case/upload` fills the form from a case file; `POST /case/file` saves the form as a case file;
  `POST /case/download` gives the memo (.docx, Markdown) and the JSON `sentcalc retro --json` prints.
- `/screen`: office screening of a client list (`batch.screen` in memory); its worklist, errors, downloads, and
  any row opened as a case.

Nothing is written to disk: uploads are read into memory (the Guard refuses bodies over 1 MiB before they are
parsed), screenings are kept in memory while the server runs, and no request is logged.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import date
from importlib.util import find_spec
from pathlib import Path, PurePath
from typing import Any

import yaml
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.datastructures import UploadFile

from .. import __version__
from ..case import Case
from ..documents import DEFAULT_REGIMES, range_document, retro_document
from ..errors import InputError
from ..io.casefile import MAX_BYTES, case_problems, parse_document
from ..io.flat import columns as flat_columns
from ..kernel import Options
from ..law import default_law
from ..regimes import aliases, parse_regime
from ..regimes import today as resolve_today
from ..report import view
from ..report.retro import TITLES, markdown, summary
from .form import Form
from .guard import LOOPBACK, Guard
from .screening import ERROR_HEADER, Screens, csv_bytes, row_document, worklist_rows, xlsx_bytes
from .timeline import timeline

HERE = Path(__file__).resolve().parent
CASE_SUFFIXES = (".yaml", ".yml", ".json")
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
SCREEN_REGIMES = ["original", "current"]
"""The regimes of a screening: those of `sentcalc batch --retro` by default."""


def create_app(today: date | None = None, allowed_hosts: Iterable[str] = ()) -> FastAPI:
    """The app. `today` fixes what today means (as --today does); `allowed_hosts` adds names the Host header may
    carry besides 127.0.0.1, localhost and ::1."""
    law = default_law()
    form = Form(law)
    screens = Screens()
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.globals.update(version=__version__, guidelines_sha=law.content_hash, max_upload=MAX_BYTES)
    templates.env.filters["months"] = _months
    templates.env.filters["span"] = view.span
    templates.env.filters["capitalize_first"] = lambda t: t[:1].upper() + t[1:]
    app = FastAPI(title="sentcalc", docs_url=None, redoc_url=None, openapi_url=None)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.add_middleware(Guard, allowed_hosts=[*LOOPBACK, *allowed_hosts], max_body=MAX_BYTES)
    regime_choices = ["original", *aliases(law), "current"]

    def on() -> date:
        return today or resolve_today()

    def options(data: Any) -> tuple[dict, list[InputError]]:
        """What to compute: the order date, the regimes, --strict (each checked as the CLI checks it)."""
        problems: list[InputError] = []
        as_of_text = _text(data, "as_of")
        as_of = None
        if as_of_text:
            try:
                as_of = date.fromisoformat(as_of_text)
            except ValueError:
                problems.append(InputError("as_of", as_of_text, "give a date as YYYY-MM-DD"))
        picked = [r for r in data.getlist("regime") if r in regime_choices] if hasattr(data, "getlist") else []
        extra = _text(data, "regime_date")
        if extra:
            try:
                parse_regime(extra, law, on())
                picked.append(extra)
            except InputError as exc:
                problems.append(InputError("regime_date", exc.value, exc.allowed))
        strict = _text(data, "strict") == "true"
        return {"as_of": as_of, "as_of_text": as_of_text, "regimes": picked, "regime_date": extra,
                "strict": strict}, problems

    def case_page(request: Request, doc: dict, opts: dict, problems: list[InputError], status: int = 200,
                  computed: dict | None = None, source: str | None = None) -> HTMLResponse:
        errors, general = form.place(problems, doc)
        ctx = {"form": form, "values": form.values(doc), "rows": {n: form.row_count(n, doc) for n in form.lists},
               "errors": errors, "general": general, "problems": [str(p) for p in problems], "opts": opts,
               "regime_choices": regime_choices, "drugs": law.drugs, "sections": form.sections, "source": source,
               "docx": find_spec("docx") is not None, "today": on().isoformat()}
        if computed:
            ctx.update(computed)
        return templates.TemplateResponse(request, "case.html", ctx, status_code=status)

    def compute(doc: dict, opts: dict) -> tuple[dict | None, list[InputError]]:
        """The retroactivity and range documents for a case document, or the problems that stop them."""
        day = on()
        case, problems = case_problems(doc, law, day)
        if case is None:
            return None, problems
        try:
            retro = retro_document(case, law, day, opts["as_of"], opts["strict"])
            ranged = range_document(case, law, day, opts["regimes"] or None, opts["strict"])
        except InputError as exc:
            return None, [exc]
        return {"case": case, "retro": retro, "ranged": ranged, "summary": summary(retro),
                "timeline": timeline(retro, case.custody_start), "doc_json": json.dumps(doc, default=str),
                "notes": view.assumptions(view.retro_results(retro) + ranged["results"])}, []

    def answer(request: Request, doc: dict, opts: dict, problems: list[InputError], source: str | None = None):
        if problems:
            return case_page(request, doc, opts, problems, 422, source=source)
        computed, problems = compute(doc, opts)
        return case_page(request, doc, opts, problems, 422 if problems else 200, computed, source)

    @app.get("/", response_class=HTMLResponse)
    async def index(request: Request):
        return case_page(request, {}, {"regimes": list(DEFAULT_REGIMES), "strict": False, "as_of_text": "",
                                       "regime_date": ""}, [])

    @app.post("/case", response_class=HTMLResponse)
    async def case_post(request: Request):
        data = await request.form()
        opts, problems = options(data)
        return answer(request, form.document(data), opts, problems)

    @app.post("/case/upload", response_class=HTMLResponse)
    async def case_upload(request: Request):
        data = await request.form(max_files=1, max_fields=50)
        opts, problems = options(data)
        try:
            raw, name = await _file(data, CASE_SUFFIXES, "case file")
            doc = parse_document(raw, PurePath(name).suffix, name)
        except InputError as exc:
            return case_page(request, {}, opts, [exc], 422)
        return answer(request, doc, opts, problems, source=name)

    @app.post("/case/file")
    async def case_file(request: Request):
        """The form as a case file `sentcalc retro` accepts unchanged (checked first: a file with problems is not
        given out; the form comes back with them marked)."""
        data = await request.form()
        doc = form.document(data)
        opts, _ = options(data)
        case, problems = case_problems(doc, law, on())
        if case is None:
            return case_page(request, doc, opts, problems, 422)
        return _download(case_yaml(doc), f"{_slug(case.id)}.yaml", "application/yaml")

    @app.post("/case/download")
    async def case_download(request: Request):
        data = await request.form()
        opts, problems = options(data)
        try:
            doc = parse_document(_text(data, "doc").encode(), ".json", "case")
        except InputError as exc:
            return case_page(request, {}, opts, [exc], 422)
        fmt = _text(data, "fmt")
        computed, more = compute(doc, opts) if not problems else (None, problems)
        if computed is None:
            return case_page(request, doc, opts, more, 422)
        retro, name = computed["retro"], _slug(computed["case"].id)
        if fmt == "json":
            return _download(json.dumps(retro, indent=2) + "\n", f"{name}.retro.json", "application/json")
        if fmt == "md":
            return _download(markdown(retro), f"{name}.retro.md", "text/markdown; charset=utf-8")
        if fmt == "yaml":
            return _download(case_yaml(doc), f"{name}.yaml", "application/yaml")
        if fmt in ("docx", "range-docx"):
            from ..report.docx import range_docx, retro_docx
            body, what = (retro_docx(retro), "retro") if fmt == "docx" else (range_docx(computed["ranged"]), "range")
            return _download(body, f"{name}.{what}.docx", DOCX)
        return case_page(request, doc, opts, [InputError("fmt", fmt, "use docx, range-docx, md, json or yaml")], 422)

    # --- office screening -----------------------------------------------------------------------------------

    columns = [(c.name, _column_help(form, c.path)) for c in flat_columns(law)]

    def screen_page(request: Request, ctx: dict, status: int = 200) -> HTMLResponse:
        base = {"columns": columns, "today": on().isoformat(), "screen": None, "problems": [], "titles": TITLES}
        return templates.TemplateResponse(request, "screen.html", {**base, **ctx}, status_code=status)

    @app.get("/screen", response_class=HTMLResponse)
    async def screen_get(request: Request):
        return screen_page(request, {})

    @app.post("/screen")
    async def screen_post(request: Request):
        data = await request.form(max_files=1, max_fields=50)
        opts, problems = options(data)
        if problems:
            return screen_page(request, {"problems": [str(p) for p in problems]}, 422)
        try:
            raw, name = await _file(data, (".csv", ".xlsx"), "client list")
            day = on()
            s = screens.run(raw, name, law, Options(SCREEN_REGIMES, retro=True, as_of=opts["as_of"] or day, today=day,
                                                    strict=opts["strict"]))
        except InputError as exc:
            return screen_page(request, {"problems": [str(exc)]}, 422)
        return RedirectResponse(f"/screen/{s.token}", status_code=303)

    def screened(token: str):
        s = screens.get(token)
        if s is None:
            raise _Gone()
        return s

    @app.get("/screen/{token}", response_class=HTMLResponse)
    async def screen_show(request: Request, token: str):
        s = screened(token)
        header, rows = worklist_rows(s)
        return screen_page(request, {"screen": s, "header": header, "worklist": [dict(zip(header, r)) for r in rows]})

    @app.get("/screen/{token}/worklist.csv")
    async def worklist_csv(token: str):
        s = screened(token)
        return _download(csv_bytes(*worklist_rows(s)), f"{_stem(s.name)}.worklist.csv", "text/csv; charset=utf-8")

    @app.get("/screen/{token}/errors.csv")
    async def errors_csv(token: str):
        s = screened(token)
        return _download(csv_bytes(ERROR_HEADER, s.result.errors), f"{_stem(s.name)}.errors.csv",
                         "text/csv; charset=utf-8")

    @app.get("/screen/{token}/worklist.xlsx")
    async def worklist_xlsx(token: str):
        s = screened(token)
        body = xlsx_bytes({"Worklist": worklist_rows(s), "Errors": (ERROR_HEADER, s.result.errors)})
        return _download(body, f"{_stem(s.name)}.worklist.xlsx",
                         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

    @app.get("/screen/{token}/row/{row}", response_class=HTMLResponse)
    async def screen_row(request: Request, token: str, row: int):
        s = screened(token)
        if not 1 <= row <= s.table.num_rows:
            raise _Gone()
        opts = {"as_of": s.as_of, "as_of_text": s.as_of.isoformat(), "regimes": list(DEFAULT_REGIMES),
                "regime_date": "", "strict": False}
        return answer(request, row_document(s, row, law), opts, [], source=f"{s.name}, row {row}")

    @app.exception_handler(_Gone)
    async def gone(request: Request, exc: _Gone):
        return templates.TemplateResponse(request, "gone.html", {}, status_code=404)

    return app


class _Gone(Exception):
    """A screening this server no longer holds (restarted, or pushed out by newer ones)."""


def case_yaml(doc: dict) -> str:
    """A case document as a YAML case file, fields in the case model's order."""
    order = list(Case.model_fields)
    ordered = {k: doc[k] for k in sorted(doc, key=lambda k: order.index(k) if k in order else len(order))
               if doc[k] != [] or Case.model_fields[k].is_required()}
    return "# sentcalc case file, saved from the web form\n" + yaml.safe_dump(ordered, sort_keys=False, allow_unicode=True)


async def _file(data: Any, suffixes: tuple[str, ...], what: str) -> tuple[bytes, str]:
    f = data.get("file")
    if not isinstance(f, UploadFile) or not f.filename:
        raise InputError(what, "(none)", "choose a file to upload")
    name = PurePath(f.filename).name
    if PurePath(name).suffix.lower() not in suffixes:
        raise InputError(what, name, "give a file ending in " + ", ".join(suffixes))
    raw = await f.read()
    await f.close()
    return raw, name


def _column_help(form: Form, path: tuple[str, ...]) -> str:
    f = form.fields.get(".".join(path))
    if f is not None:
        return f.help
    rows = form.lists.get(path[0])
    if rows is not None:
        return f"{rows.help} ({path[1]})" if path[0] != "drugs" else f"relevant-conduct quantity of {path[1]}"
    return ""


def _text(data: Any, name: str) -> str:
    v = data.get(name)
    return v.strip() if isinstance(v, str) else ""


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-.")[:80] or "case"


def _stem(name: str) -> str:
    return _slug(PurePath(name).stem)


def _download(body: str | bytes, filename: str, media_type: str) -> Response:
    return Response(body, media_type=media_type, headers={"content-disposition": f'attachment; filename="{filename}"'})


def _months(m: Any) -> str:
    """Months as printed (`report.view.months`); a float from a table without its decimal point ("210", not
    "210.0"), and a missing one (None, NaN) as "—"."""
    if isinstance(m, float):
        m = None if m != m else int(m) if m.is_integer() else m
    return view.months(m)
