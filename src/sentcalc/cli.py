"""The `sentcalc` command: parse options, call the library, print. Bad input exits with code 2."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from . import __version__
from .errors import InputError, LawDataError, MissingExtra, missing_extra

app = typer.Typer(
    help="Recompute U.S. federal drug sentences under the law as it stood on any date, every step cited.",
    no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None)
tables_app = typer.Typer(help="Print the dated tables in guidelines/.", no_args_is_help=True, rich_markup_mode=None)
app.add_typer(tables_app, name="tables")

_state: dict = {"today": None, "strict": False}

StrictOpt = Annotated[bool, typer.Option("--strict", help="Treat every assumption as an error (exit 2): give the "
                                         "facts instead of letting sentcalc assume them.")]


OutputOpt = Annotated[Path | None, typer.Option("--output", "-o", metavar="FILE",
                                                help="The file to write (required with --format docx).")]


def _check_output(fmt: str, output: Path | None, as_json: bool) -> None:
    """--output goes with --format docx (and only with it), into a folder that exists."""
    if fmt == "docx" and output is None:
        raise InputError("--output", None, "--format docx writes a file: give --output memo.docx")
    if output is not None and (fmt != "docx" or as_json):
        raise InputError("--output", str(output), "use --output only with --format docx and without --json "
                         "(the other formats print)")
    if output is not None and not output.parent.is_dir():
        raise InputError("--output", str(output), "give a path in an existing folder")


def _write(output: Path, data: bytes) -> None:
    from .io.tables import write_bytes_atomic

    write_bytes_atomic(output, data)
    typer.echo(f"wrote {output}", err=True)


KeepOpt = Annotated[list[str] | None, typer.Option("--keep", metavar="COLUMN", help=(
    "Carry this column through unchanged although its name is close to a sentcalc column's (repeatable)."))]


TodayOpt = Annotated[str | None, typer.Option("--today", metavar="DATE", help="Treat this date (YYYY-MM-DD) as today; "
                                                 "also SENTCALC_TODAY.")]


def _today() -> date:
    from .regimes import today
    return today(_state["today"])


def _version(value: bool) -> None:
    if value:
        from .law import default_law
        law = default_law()
        typer.echo(f"sentcalc {__version__}\nguidelines data sha256:{law.content_hash}\n{law.root}")
        raise typer.Exit()


@app.callback()
def main_options(
    today: TodayOpt = None,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Show the version and the hash of the guidelines data.")] = False,
) -> None:
    """sentcalc: federal law only (state relief such as California's Proposition 64 is out of scope)."""
    from .regimes import today as parse_today
    _state["today"] = parse_today(today) if today else None   # each invocation its own (in-process runs too)


@app.command("range")
def range_cmd(
    case_file: Annotated[Path, typer.Argument(metavar="CASE_FILE", help="Case file (YAML or JSON); see `sentcalc schema`.")],
    regime: Annotated[list[str] | None, typer.Option(
        "--regime", "-r", metavar="REGIME", help="original, current, pre-2007, 2007, 2010, 2011, 2014, 2018, 2023 or YYYY-MM-DD; "
        "repeatable. Default: original and current, plus 2010 and 2014 where they differ.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON only (the stable shape in the README).")] = False,
    fmt: Annotated[str, typer.Option("--format", metavar="text|docx", help="text or docx (a Word worksheet; needs "
                                     "--output and the web extra).")] = "text",
    output: OutputOpt = None,
    strict: StrictOpt = False,
) -> None:
    """The statutory range and guideline range of one case under each regime, with every step cited."""
    from .documents import range_document
    from .io.casefile import load_case
    from .law import default_law

    if fmt not in ("text", "docx"):
        raise InputError("--format", fmt, "use text or docx")
    _check_output(fmt, output, as_json)
    law = default_law()
    on = _today()
    doc = range_document(load_case(case_file, law, on), law, on, regime, strict)
    for r in doc["results"]:
        for d in r["discrepancies"]:
            typer.echo(f"discrepancy ({r['regime']}): {d}", err=True)
    if as_json:
        typer.echo(json.dumps(doc, indent=2))
        return
    if fmt == "docx":
        from .report.docx import range_docx
        _write(output, range_docx(doc))
        return
    from rich.console import Console

    from .report.worksheet import render_range
    con = Console()
    from .report.view import caption_line
    render_range(con, doc["case_id"], doc["results"], caption_line(doc))
    prov = doc["provenance"]
    con.print(f"[dim]sentcalc {prov['sentcalc_version']} · today {prov['today']} · guidelines data\n"
              f"sha256:{prov['guidelines_sha256']}[/dim]")


@app.command()
def retro(
    case_file: Annotated[Path, typer.Argument(metavar="CASE_FILE", help="Case file (YAML or JSON); see `sentcalc schema`.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON only.")] = False,
    fmt: Annotated[str, typer.Option("--format", metavar="text|markdown|docx", help="text, markdown (a memo-ready "
                                     "section) or docx (a Word memo; needs --output and the web extra).")] = "text",
    output: OutputOpt = None,
    as_of: Annotated[str | None, typer.Option("--as-of", metavar="DATE",
                                              help="The order date (YYYY-MM-DD); default today.")] = None,
    strict: StrictOpt = False,
) -> None:
    """Is this prisoner eligible for a reduction (§3582(c)(2) under Amendments 706, 750, 782, 821;
    First Step Act §404), to what lowest term, and when would they go home?"""
    from .documents import retro_document
    from .io.casefile import load_case
    from .law import default_law
    from .regimes import parse_date
    from .report.retro import markdown, render_text

    if fmt not in ("text", "markdown", "docx"):
        raise InputError("--format", fmt, "use text, markdown or docx")
    _check_output(fmt, output, as_json)
    law = default_law()
    on = _today()
    order = parse_date(as_of, "--as-of") if as_of else on
    doc = retro_document(load_case(case_file, law, on), law, on, order, strict)
    if as_json:
        typer.echo(json.dumps(doc, indent=2))
    elif fmt == "markdown":
        typer.echo(markdown(doc))
    elif fmt == "docx":
        from .report.docx import retro_docx
        _write(output, retro_docx(doc))
    else:
        from rich.console import Console
        render_text(Console(), doc)


@app.command()
def batch(
    input_path: Annotated[Path, typer.Argument(metavar="INPUT", help="CSV, Parquet or JSON Lines of flat case rows.")],
    output: Annotated[Path, typer.Argument(metavar="OUTPUT", help="CSV, Parquet, JSON Lines, Stata .dta or SPSS .sav.")],
    regime: Annotated[list[str] | None, typer.Option("--regime", "-r", metavar="REGIME",
                                                     help="Repeatable; default original and current.")] = None,
    retro: Annotated[bool, typer.Option("--retro", help="Add eligibility, reasons, lowest term and release date per "
                                        "avenue; write OUTPUT's worklist.")] = False,
    as_of: Annotated[str | None, typer.Option("--as-of", metavar="DATE",
                                              help="The order date for --retro; default today.")] = None,
    preset: Annotated[str | None, typer.Option("--preset", metavar="ussc", help="ussc: read the Sentencing Commission's "
                                               "individual-offender files.")] = None,
    workers: Annotated[int | None, typer.Option("--workers", metavar="N", help="Processes (default: up to 2).")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress bar.")] = False,
    strict: Annotated[bool, typer.Option("--strict", help="Rows that need an assumption go to the errors file; a "
                                         "column with a default that is absent is an error.")] = False,
    keep: KeepOpt = None,
    warnings: Annotated[str, typer.Option("--warnings", metavar="count|text", help=(
        "count: the number of assumptions and warnings per regime; text: also their text (`_assumptions`, "
        "`_warnings`)."))] = "count",
) -> None:
    """Recompute a whole dataset (streamed; every row ends in OUTPUT or OUTPUT.errors.csv)."""
    from rich.console import Console

    from .batch import check_options, run
    from .kernel import Options
    from .law import default_law
    from .regimes import parse_date

    law = default_law()
    on = _today()
    tokens = regime or ["original", "current"]
    check_options(tokens, law, on)
    if preset not in (None, "ussc"):
        raise InputError("--preset", preset, "use ussc")
    if warnings not in ("count", "text"):
        raise InputError("--warnings", warnings, "use count or text")
    opts = Options(tokens, retro=retro, as_of=parse_date(as_of, "--as-of") if as_of else on, today=on, strict=strict,
                   warnings=warnings)
    s = run(input_path, output, opts, law, workers=workers, progress=not quiet, preset=preset, keep=tuple(keep or ()))
    con = Console(stderr=True)
    con.print(f"rows in: {s.rows_in:,}  written: {s.rows_out:,}  errors: {s.error_rows:,}  "
              f"({'all rows accounted for' if s.conserved else 'MISMATCH'})")
    for a in s.assumed:
        con.print(f"  assumption: {a}")
    for k, v in s.eligible.items():
        con.print(f"  eligible under {k}: {v:,}")
    if retro:
        con.print(f"  could be released now: {s.immediate_release:,}")
    for k, v in s.outputs.items():
        con.print(f"  {k}: {v}")


@app.command()
def simulate(
    input_path: Annotated[Path, typer.Argument(metavar="INPUT", help="CSV, Parquet or JSON Lines of flat case rows.")],
    scenario: Annotated[str, typer.Option("--scenario", "-s", metavar="SCENARIO", help="retroactive-fsa, "
                                          "amendment-782-retroactive, equal-act, crack-1-to-1-guidelines-only, or a "
                                          "scenario YAML file.")],
    report: Annotated[Path, typer.Option("--report", metavar="FOLDER", help="The folder for the report (created).")],
    in_custody_on: Annotated[str | None, typer.Option("--in-custody-on", metavar="DATE", help="Only people still in "
                                                      "custody on this date (default: the order date).")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", metavar="DATE", help="The order date (default: the scenario's first "
                                              "possible order date).")] = None,
    annual_cost: Annotated[float | None, typer.Option("--annual-cost", metavar="DOLLARS", help="Dollars per person-year of "
                                                      "incarceration, for dollars saved.")] = None,
    grant_rate: Annotated[str, typer.Option("--grant-rate", metavar="SHARE", help="Share of eligible motions granted "
                                            "(0-1), or a range LOW:HIGH such as 0.6:0.8 (the midpoint is the point "
                                            "estimate).")] = "1",
    preset: Annotated[str | None, typer.Option("--preset", metavar="ussc", help="ussc: the Commission's individual-offender "
                                               "files; prints its published estimates beside ours.")] = None,
    xlsx: Annotated[bool, typer.Option("--xlsx", help="Also write tables.xlsx, every table on its own sheet "
                                       "(needs pip install 'sentcalc[research]').")] = False,
    time_credits: Annotated[bool, typer.Option("--time-credits", help="Release dates with First Step Act time "
                                               "credits (default: good-conduct time only, as the Commission's "
                                               "impact analyses).")] = False,
    keep: KeepOpt = None,
) -> None:
    """Simulate a retroactive change over a dataset (the Commission's prison impact model): the
    Commission's tables from sentcalc's own results, why people are not eligible, the funnel, releases per
    year, ranges around the point estimate, plots; people.csv and errors.csv."""
    from rich.console import Console

    from .regimes import parse_date
    from .simulate import load_scenario, parse_grant_rate, run

    if preset not in (None, "ussc"):
        raise InputError("--preset", preset, "use ussc")
    rate = parse_grant_rate(grant_rate)
    sc = load_scenario(scenario)
    s = run(input_path, sc, report, today=_today(), as_of=parse_date(as_of, "--as-of") if as_of else None,
            in_custody_on=parse_date(in_custody_on, "--in-custody-on") if in_custody_on else None,
            annual_cost=annual_cost, grant_rate=rate, preset=preset, xlsx=xlsx, time_credits=time_credits,
            keep=tuple(keep or ()))
    con = Console(stderr=True)
    mean = s["mean_months_reduced"]
    con.print(f"{sc.description}: {s['eligible']:,} eligible of {s['sentenced_before_change']:,} in custody and "
              f"sentenced before the change ({s['in_custody']:,} in custody; {s['rows']:,} rows, "
              f"{s['invalid_rows']:,} invalid); mean {'—' if mean is None else f'{mean:.1f}'} months reduced; "
              f"{s['prison_years_saved']:,.0f} prison-years saved at a grant rate of {rate}")
    con.print(f"report: {report / 'report.html'} and {report / 'report.md'}; invalid rows: {report / 'errors.csv'}")


@app.command()
def serve(
    host: Annotated[str, typer.Option("--host", metavar="ADDRESS", help="The address to listen on. Default 127.0.0.1: "
                                      "only this computer can reach the app.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", metavar="PORT", help="The port to listen on.")] = 8000,
    open_browser: Annotated[bool, typer.Option("--open", help="Open the app in the web browser once it is up.")] = False,
    allow_host: Annotated[list[str] | None, typer.Option(
        "--allow-host", metavar="NAME", help="A name the browser may use for this server besides 127.0.0.1, localhost and ::1 "
        "(repeatable); requests naming any other host are refused.")] = None,
) -> None:
    """The local web app: the case form, the results page, the memo downloads and office screening of a client
    list (needs the web extra: pip install 'sentcalc[web]')."""
    try:
        from .web.serve import run_server
    except ImportError as exc:
        raise MissingExtra((exc.name or "fastapi").split(".")[0], "web", "sentcalc serve") from None
    run_server(host, port, open_browser, list(allow_host or []), _state["today"])


@app.command()
def regimes() -> None:
    """List the regime aliases and what changed in the law on each date, with citations."""
    from rich.console import Console
    from rich.table import Table

    from .law import default_law
    from .regimes import aliases
    law = default_law()
    t = Table(title="Regimes (a regime is the law a court sentencing on that date would apply)")
    t.add_column("Alias")
    t.add_column("Date")
    for k, v in aliases(law).items():
        t.add_row(k, v.isoformat())
    t.add_row("current", f"today ({_today().isoformat()})")
    t.add_row("original", "the case's sentencing date (and guidelines_manual)")
    c = Table(title="What changed")
    for col in ("Date", "Change", "Source"):
        c.add_column(col)
    for ch in law.doc("regimes.yaml")["changes"]:
        c.add_row(str(ch["date"]), ch["what"], f"{ch['reference']['title']}\n{ch['reference']['href']}")
    con = Console()
    con.print(t)
    con.print(c)


@tables_app.command("drug-quantity")
def tables_drug_quantity(
    drug: Annotated[str, typer.Option(metavar="DRUG", help="A drug with a file in guidelines/drug-quantity/, e.g. cocaine_base, "
                                      "fentanyl, marihuana_plants (`sentcalc schema` lists them).")],
    regime: Annotated[str, typer.Option(metavar="REGIME", help="A regime alias or date.")] = "current",
) -> None:
    """Print the §2D1.1(c) Drug Quantity Table line for one drug as in force under a regime."""
    from rich.console import Console
    from rich.table import Table

    from .law import default_law
    from .regimes import parse_regime
    from .rules.drug_quantity import line_on, quantity_text
    law = default_law()
    if drug not in law.drugs:
        from .validate import drug_allowed
        raise InputError("--drug", drug, drug_allowed(law, drug))
    r = parse_regime(regime, law, _today())
    if r.day is None:
        raise InputError("--regime", regime, "give a date or an alias; `original` needs a case")
    bounds, levels, ver = line_on(law, drug, r.day)
    t = Table(title=f"USSG §2D1.1(c) — {drug} — in force {r.day.isoformat()}",
              caption=f"{ver.citation}\n{ver.href}  [{ver.status}]")
    t.add_column("Level", justify="right")
    t.add_column("Quantity")
    for k in range(len(bounds) - 1, -1, -1):
        hi = bounds[k + 1] if k + 1 < len(bounds) else None
        lo = quantity_text(law, drug, bounds[k])
        text = (f"{lo} or more" if hi is None else f"less than {quantity_text(law, drug, hi)}" if bounds[k] == 0
                else f"at least {lo} but less than {quantity_text(law, drug, hi)}")
        t.add_row(str(levels[k]), text)
    Console().print(t)


@tables_app.command("sentencing")
def tables_sentencing(regime: Annotated[str, typer.Option(metavar="REGIME", help="A regime alias or date.")] = "current") -> None:
    """Print the Sentencing Table (Ch. 5, Pt. A) in force under a regime."""
    from rich.console import Console
    from rich.table import Table

    from .case import CATEGORIES
    from .law import default_law
    from .regimes import parse_regime
    from .registry import SENTENCING_TABLE
    from .report.result import months_value
    from .rules.sentencing_table import _cells
    law = default_law()
    r = parse_regime(regime, law, _today())
    if r.day is None:
        raise InputError("--regime", regime, "give a date or an alias; `original` needs a case")
    ver = law.table(SENTENCING_TABLE).on(r.day)
    cells = _cells(ver)
    t = Table(title=f"Sentencing Table (months) in force {r.day.isoformat()}", caption=ver.citation)
    t.add_column("Level", justify="right")
    for c in CATEGORIES:
        t.add_column(c, justify="right")
    for lv in range(1, 44):
        t.add_row(str(lv), *[f"{months_value(cells[lv, k, 0])}-{months_value(cells[lv, k, 1])}"
                             if cells[lv, k, 0] != cells[lv, k, 1] else str(months_value(cells[lv, k, 0]))
                             for k in range(6)])
    Console().print(t)


@app.command()
def verify() -> None:
    """Check the guidelines/ data: dates, citations, order, monotone tables, §994(b)(2) widths;
    list every value still unverified. Exits 1 on any failure."""
    from rich.console import Console

    from .law import default_law
    from .verify import verify as run
    law = default_law()
    rep = run(law, _today())
    con = Console()
    con.print(f"Checked {rep.checked} dated versions in {law.root} (sha256:{law.content_hash[:16]}…)")
    for f in rep.failures:
        con.print(f"[red]FAIL[/red] {f}")
    for w in rep.warnings:
        con.print(f"[yellow]WARN[/yellow] {w}")
    con.print(f"{len(rep.unverified)} value(s) still unverified (results that use them say so in warnings):")
    for u in rep.unverified:
        con.print(f"  - {u}")
    con.print("Unverified values per file:")
    for name, n in rep.unverified_by_file.items():
        con.print(f"  {n:4d}  {name}")
    con.print("[green]verify: OK[/green]" if rep.ok else f"[red]verify: {len(rep.failures)} failure(s)[/red]")
    if not rep.ok:
        raise typer.Exit(1)


@app.command()
def schema() -> None:
    """Print the case file's JSON Schema."""
    from .case import Case
    typer.echo(json.dumps(Case.model_json_schema(), indent=2))


def _global_today(argv: list[str]) -> list[str]:
    """Accept --today anywhere on the command line (it is a global option)."""
    out: list[str] = []
    k = 0
    while k < len(argv):
        a = argv[k]
        if a == "--today" and k + 1 < len(argv):
            out[:0] = ["--today", argv[k + 1]]
            k += 2
            continue
        if a.startswith("--today="):
            out[:0] = [a]
        else:
            out.append(a)
        k += 1
    return out


def main() -> None:
    """Entry point: user errors exit 2 with one paragraph; nothing prints a traceback."""
    try:
        code = app(args=_global_today(sys.argv[1:]), standalone_mode=False)
        sys.exit(code if isinstance(code, int) else 0)
    except InputError as exc:
        for line in str(exc).splitlines():
            typer.echo(f"error: {line}", err=True)
        sys.exit(2)

    except LawDataError as exc:
        typer.echo(f"error in the guidelines data: {exc}", err=True)
        sys.exit(3)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        typer.echo("aborted", err=True)
        sys.exit(130)
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - the last guard: a message, never a traceback
        if hasattr(exc, "show") and hasattr(exc, "exit_code"):  # a usage error from the option parser
            exc.show()
            sys.exit(2)
        extra = missing_extra(exc) if isinstance(exc, ImportError) else None
        if extra is not None:  # an optional dependency imported on a path that did not ask for it first
            typer.echo(f"error: {extra}", err=True)
            sys.exit(2)
        typer.echo(f"internal error ({type(exc).__name__}): {exc}. Please report it with the command you ran.",
                   err=True)
        sys.exit(1)
