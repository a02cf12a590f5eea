"""The simulation report: numbered tables (report/impact_tables.py) rendered as Markdown, a self-contained
HTML page with a table of contents and inlined PNG plots, summary.json (every table, stable keys) and
optionally tables.xlsx; written only inside the chosen folder, under fixed file names."""

from __future__ import annotations

import base64
import html
import json
import math
import re
from datetime import date
from pathlib import Path

import numpy as np

from .. import __version__
from ..errors import require
from ..io.tables import publish, temporary, write_text_atomic
from .impact_tables import BY_KEY, SOURCES, Context, People, Table, funnel_stages, ordered_labels, population_text, tables

TOP = 15   # a breakdown plot shows the 15 largest groups and "Other"


def require_extras(xlsx: bool) -> None:
    """The report's plots need matplotlib, tables.xlsx needs openpyxl: say which extra before any work."""
    require("pyarrow", "research", "sentcalc simulate")
    require("matplotlib", "research", "sentcalc simulate (its plots)")
    if xlsx:
        require("openpyxl", "research", "--xlsx (tables.xlsx)")


def write_report(folder: Path, scenario, people: People, *, rows_read: int, valid: int, order: date, custody_day: date,
                 annual_cost: float | None, grant_rate, preset: str | None, preset_notes: list[str], law,
                 xlsx: bool = False, release_method: str = "") -> dict:
    published = scenario.published_estimates if preset == "ussc" else []
    ctx = Context(scenario, grant_rate, str(custody_day), str(order), rows_read, valid, annual_cost, published)
    tabs = tables(people, ctx)
    by_key = {t.key: t for t in tabs}
    plots = _plots(folder, people, tabs, ctx)
    measure = {row["key"]: row for row in by_key["summary"].rows}
    eligible = int(people.eligible.sum())
    r = grant_rate
    summary = {
        "scenario": scenario.name, "description": scenario.description, "effective": str(scenario.effective),
        "order_date": str(order), "in_custody_on": str(custody_day),
        "grant_rate": {"low": r.low, "point": r.point, "high": r.high},
        "rows": rows_read, "valid_rows": valid, "invalid_rows": rows_read - valid,
        **{key: int(n) for key, _, n in funnel_stages(people, ctx)[2:-1]},
        "expected_grants": {"low": eligible * r.low, "point": eligible * r.point, "high": eligible * r.high},
        "mean_months_reduced": measure["avg_reduction"]["model"],
        "median_months_reduced": measure["median_reduction"]["model"],
        "prison_years_saved": measure["expected_prison_years"]["model"],
        "at_lowest_permissible": {"mean_months_reduced": measure["avg_reduction"]["lowest"],
                                  "median_months_reduced": measure["median_reduction"]["lowest"],
                                  "prison_years_saved": measure["expected_prison_years"]["lowest"]},
        "dollars_saved": None if annual_cost is None else measure["expected_prison_years"]["model"] * annual_cost,
        "tables": {t.key: t.as_json() for t in tabs},
        "plots": [p[0] for p in plots],
        "assumptions": _assumptions(scenario, order, custody_day, grant_rate, annual_cost, release_method)
        + list(preset_notes),
        "published_estimates": published,
        "provenance": {"sentcalc_version": __version__, "guidelines_sha256": law.content_hash},
    }
    doc = _document(summary, scenario, tabs, plots, ctx, xlsx)
    write_text_atomic(folder / "summary.json", json.dumps(summary, indent=2, default=str))
    write_text_atomic(folder / "report.md", _markdown(doc))
    write_text_atomic(folder / "report.html", _html(doc, scenario, folder))
    if xlsx:
        _xlsx(folder / "tables.xlsx", tabs, scenario)
    return summary


def _assumptions(scenario, order, custody_day, rate, annual_cost, release_method: str) -> list[str]:
    out = [
        f"Scenario '{scenario.name}': {scenario.description} (effective {scenario.effective}; "
        f"{scenario.reference.get('title', '')}).",
        "Only the substituted provisions change; every other decision in the data is kept as found (USSG "
        "§1B1.10(b)(1)); the statutory minimum in force for the case still binds unless the scenario changes it.",
        "New sentences follow the Commission's prison impact model: the same position in the amended range as "
        "in the original (a below-range sentence keeps its proportion to the minimum), never below the lowest "
        "permissible term (§1B1.10(b)(2)); results at the lowest permissible term are given too.",
        f"In custody: people still in custody on {custody_day} by sentcalc's projected release date; a row without a "
        "custody start counts as in custody. Population of the breakdowns: those of them sentenced under a Guidelines "
        f"Manual that predates {scenario.effective}.",
        f"Release dates (who is in custody, releases per year): {release_method}",
        "People serving life are counted as eligible where the law allows a reduction, but their months are not "
        "estimated (a life term has no number of months): they are left out of averages, prison-years and dollars.",
        f"Order date {order}; grant rate {rate}, applied to counts, prison-years, dollars and releases per year "
        "(a motion not granted keeps the original release date). Expected grants and releases are fractional.",
    ]
    if annual_cost is not None:
        out.append(f"Annual cost of incarceration: ${annual_cost:,.0f} per person-year.")
    return out


# --- plots --------------------------------------------------------------------------------------------------


def _plots(folder: Path, p: People, tabs: list[Table], ctx: Context) -> list[tuple[str, str, str]]:
    """(file, alt text, table key it belongs with) for every plot written."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    sc = ctx.scenario
    subtitle = f"{sc.description}. Population: " + population_text(ctx)
    out: list[tuple[str, str, str]] = []

    def save(fig, name: str, alt: str, key: str, title: str) -> None:
        fig.suptitle(f"{_wrap(title, 100)}\n{_wrap(subtitle, 110)}", fontsize=9, x=0.01, ha="left")
        fig.tight_layout()
        fig.savefig(folder / name, dpi=110)
        plt.close(fig)
        out.append((name, alt, key))

    # the funnel
    stages = funnel_stages(p, ctx)
    fig, ax = plt.subplots(figsize=(8, 3.6))
    labels = [_wrap(s[1], 45) for s in stages]
    values = [s[2] for s in stages]
    y = np.arange(len(stages))[::-1]
    ax.barh(y, values, color=["#a0aec0"] * 2 + ["#4a5568"] * 3 + ["#2b6cb0"] * 2)
    r = ctx.rate
    if r.is_range:
        ax.errorbar([values[-1]], [y[-1]], xerr=[[values[-2] * (r.point - r.low)], [values[-2] * (r.high - r.point)]],
                    fmt="none", ecolor="black", capsize=4)
    for yy, v, (key, _, _) in zip(y, values, stages):
        grants = key == "expected_grants"
        text = f" {v:,.1f} ({values[-2] * r.low:,.1f}-{values[-2] * r.high:,.1f})" if grants and r.is_range else \
            f" {v:,.1f}" if grants else f" {v:,}"
        ax.text(values[-2] * r.high if grants else v, yy, text, va="center", fontsize=8)
    ax.set_yticks(y, labels, fontsize=7)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("People (expected grants are fractional)")
    ax.set_xlim(0, max(values + [1]) * 1.18)
    save(fig, "funnel.png", "Funnel: rows read, valid, in custody, sentenced before the change, range lowered, eligible, "
         "expected grants", "funnel", f"{sc.name}: from rows read to expected grants")

    # reductions: whole months, integer bins
    est = p.estimable
    red_model, red_low = p.sentence[est] - p.model[est], p.sentence[est] - p.lowest[est]
    top = int(math.ceil(max(red_low.max(initial=0), red_model.max(initial=0)))) + 1
    width = max(1, math.ceil(top / 30))
    bins = np.arange(0, top + width, width)
    fig, ax = plt.subplots(figsize=(8, 4))
    ax.hist(red_model, bins=bins, color="#2b6cb0", label="model (same position in the amended range)")
    ax.hist(red_low, bins=bins, histtype="step", color="#c05621", linewidth=1.5, label="lowest permissible term")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(f"Months reduced (bins of {width} month{'s' if width > 1 else ''})")
    ax.set_ylabel("People")
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2, frameon=False)
    _nothing(ax, not len(red_model), "No eligible person serving a term of months: nothing to plot.")
    save(fig, "reductions.png", "Histogram of months reduced, model and lowest permissible term", "summary",
         f"{sc.name}: months reduced, {int(est.sum()):,} eligible people serving a term of months")

    # releases per year: every year on the axis
    rel = next(t for t in tabs if t.key == "releases_by_year")
    years = [row for row in rel.rows if row["year"].isdigit()]
    fig, ax = plt.subplots(figsize=(max(8, 0.5 * len(years) + 2), 4))
    x = np.arange(len(years))
    series = [("original", "original sentence", "#a0aec0"), ("model", "all granted (model)", "#90cdf4"),
              ("expected", f"expected at {r.point:.0%} (fractional)", "#2b6cb0")]
    exp = np.array([row["expected"] for row in years])
    lo = [min(row.get("expected_low_rate", e), row.get("expected_high_rate", e)) for row, e in zip(years, exp)]
    hi = [max(row.get("expected_low_rate", e), row.get("expected_high_rate", e)) for row, e in zip(years, exp)]
    for k, (key, label, color) in enumerate(series):
        values = [row[key] for row in years]
        ax.bar(x + (k - 1) * 0.27, values, 0.27, label=label, color=color)
        if len(years) <= 12:   # counts on the bars (above the grant-rate bar for the expected ones); the table has them all
            for xx, v, top in zip(x + (k - 1) * 0.27, values, hi if key == "expected" else values):
                ax.text(xx, top, f"{v:.1f}" if key == "expected" else f"{v:,}", ha="center", va="bottom", fontsize=6)
    if r.is_range:
        ax.errorbar(x + 0.27, exp, yerr=[exp - lo, np.subtract(hi, exp)], fmt="none", ecolor="black",
                    capsize=2, label=f"grant rate {r.low:.0%}-{r.high:.0%}")
    ax.set_xticks(x, [row["year"] for row in years], rotation=90 if len(years) > 12 else 0, fontsize=7)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel("People released (expected: fractional)")
    ax.set_xlabel("Year of projected release")
    ax.legend(fontsize=7)
    _nothing(ax, not years, "No eligible person with a projected release date: nothing to plot.")
    save(fig, "releases.png", "Projected releases per year: original, all granted, expected at the grant rate",
         "releases_by_year", f"{sc.name}: projected releases per year, people eligible")

    # one plot per breakdown
    for key in p.groups:
        t = next(t for t in tabs if t.key == f"by_{key}")
        items = group_bars(p, key)
        fig, ax = plt.subplots(figsize=(8, 1.2 + 0.32 * max(len(items), 2)))
        yy = np.arange(len(items))[::-1]
        ax.barh(yy, [i[2] for i in items], color="#e2e8f0")
        ax.barh(yy, [i[1] for i in items], color="#2b6cb0")
        for y0, (_, e, n) in zip(yy, items):
            ax.text(n, y0, f" {e:,} of {n:,} ({e / n:.0%})", va="center", fontsize=7)
        ax.set_yticks(yy, [_wrap(i[0], 32) for i in items], fontsize=7)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlim(0, max([i[2] for i in items] + [1]) * 1.3)
        ax.set_xlabel("People: eligible (dark) of the population (light)")
        save(fig, f"groups-{key}.png", f"People eligible by {BY_KEY[key].title}", t.key,
             f"{sc.name}: people eligible by {BY_KEY[key].title}")
    return out


def _nothing(ax, empty: bool, text: str) -> None:
    """An empty plot says so instead of showing bare axes."""
    if empty:
        ax.clear()
        ax.set_axis_off()
        ax.text(0.5, 0.5, text, ha="center", va="center",
                transform=ax.transAxes)


def group_bars(p: People, key: str) -> list[tuple[str, int, int]]:
    """(label, eligible, population) per bar of a breakdown plot: every value, or with more than 16 values
    the 15 with the most eligible people and "Other"."""
    pop = np.bincount(p.groups[key][p.before], minlength=len(p.labels[key]))
    elig = np.bincount(p.groups[key][p.eligible], minlength=len(p.labels[key]))
    items = [(p.labels[key][i], int(elig[i]), int(pop[i])) for i in ordered_labels(p, key) if pop[i]]
    if len(items) > TOP + 1:
        items.sort(key=lambda it: (-it[1], -it[2]))
        rest = items[TOP:]
        items = items[:TOP] + [(f"Other ({len(rest)} values)", sum(i[1] for i in rest), sum(i[2] for i in rest))]
    return items


def _wrap(text: str, width: int) -> str:
    import textwrap
    return "\n".join(textwrap.wrap(text, width)) or text


# --- the document, rendered as Markdown and HTML -----------------------------------------------------------


def _document(s: dict, scenario, tabs: list[Table], plots: list[tuple[str, str, str]], ctx: Context, xlsx: bool) -> list:
    """Blocks: ("h1"|"h2"|"p", text[, anchor]), ("table", Table), ("img", file, alt), ("ul", items)."""
    by_key = {t.key: t for t in tabs}
    images: dict[str, list] = {}
    for f, alt, key in plots:
        images.setdefault(key, []).append(("img", f, alt))
    r = ctx.rate
    doc: list = [("h1", f"Simulation: {scenario.description}"),
                 ("p", f"Scenario `{scenario.name}`, effective {scenario.effective}; order date {ctx.order}; people in "
                       f"custody on {ctx.custody_day}; grant rate {r}. Every number below is computed by sentcalc from "
                       "the rows of this dataset; the Commission's memoranda are the model for the layout only."),
                 ("p", f"{s['eligible']:,} of the {s['sentenced_before_change']:,} people in custody sentenced before the "
                       f"change are eligible for a reduced term ({s['in_custody']:,} in custody; {s['rows']:,} rows read, "
                       f"{s['invalid_rows']:,} invalid). Expected grants at {r.point:.0%}: "
                       f"{s['expected_grants']['point']:,.1f}" + (f" ({s['expected_grants']['low']:,.1f} at {r.low:.0%} to "
                                                                    f"{s['expected_grants']['high']:,.1f} at {r.high:.0%})"
                                                                    if r.is_range else "") + "."),
                 ("toc",)]

    def table(key: str) -> None:
        if key in by_key:
            doc.append(("table", by_key[key]))
            doc.extend(images.get(key, []))

    doc.append(("h2", "Key figures", "key-figures"))
    table("summary")
    table("funnel")
    doc.append(("h2", "Why not eligible", "why-not-eligible"))
    table("reasons")
    doc.append(("h2", "Who is eligible", "breakdowns"))
    for t in tabs:
        if t.key.startswith("by_"):
            table(t.key)
    doc.append(("h2", "Releases", "releases"))
    table("releases_by_year")
    doc.append(("h2", "Uncertainty", "uncertainty"))
    table("uncertainty")
    if "published_estimates" in by_key:
        doc.append(("h2", "Beside the Commission's published estimates", "published"))
        table("published_estimates")
    doc.append(("h2", "Assumptions", "assumptions"))
    doc.append(("ul", s["assumptions"]))
    doc.append(("h2", "Sources of the layout", "sources"))
    doc.append(("p", "The tables follow the layout of the Commission's retroactivity impact memoranda and data reports; "
                     "their numbers are sentcalc's own, computed from this dataset, and the table numbers are this "
                     "report's."))
    doc.append(("ul", [f"{short}: {full}" for short, full in SOURCES.items()]))
    doc.append(("h2", "Files", "files"))
    doc.append(("ul", ["people.csv: every valid input row with every input column beside the results (results for "
                       "people in custody; the first code in `reasons` is the primary reason)",
                       "errors.csv: every invalid row (row number, id, field, reason)",
                       "summary.json: every table under a stable key, with the assumptions and provenance"]
                + (["tables.xlsx: every table, one sheet each"] if xlsx else [])
                + [f"{f}: {alt}" for f, alt, _ in plots]))
    doc.append(("p", f"sentcalc {s['provenance']['sentcalc_version']}, guidelines "
                     f"sha256:{s['provenance']['guidelines_sha256']}"))
    return doc


def cell(v) -> str:
    """A value as the report prints it: counts with separators, other numbers to one decimal."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "—"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, (int, np.integer)):
        return f"{v:,}"
    if isinstance(v, (float, np.floating)):
        return f"{v:,.1f}"
    return str(v)


def _caption(t: Table) -> str:
    return f"Table {t.number}. {t.title}"


def _anchor(t: Table) -> str:
    return f"table-{t.number}"


def _markdown(doc: list) -> str:
    lines: list[str] = []
    for block in doc:
        kind = block[0]
        if kind == "h1":
            lines += [f"# {block[1]}", ""]
        elif kind == "h2":
            lines += [f"## {block[1]}", ""]
        elif kind == "p":
            lines += [block[1], ""]
        elif kind == "toc":
            lines += ["Contents:", ""] + [f"- {b[1]}" if b[0] == "h2" else f"  - {_caption(b[1])}"
                                         for b in doc if b[0] in ("h2", "table")] + [""]
        elif kind == "table":
            t = block[1]
            lines += [f"### {_caption(t)}", "", f"*Mirrors: {t.mirrors}.*", ""]
            lines.append("| " + " | ".join(label for _, label in t.columns) + " |")
            lines.append("|" + "|".join("---" if k in ("measure", "label", "value", "code", "meaning", "source", "year")
                                        else "---:" for k, _ in t.columns) + "|")
            lines += ["| " + " | ".join(cell(row.get(k)).replace("|", "/") for k, _ in t.columns) + " |" for row in t.rows]
            lines += ["", t.note, ""]
        elif kind == "img":
            lines += [f"![{block[2]}]({block[1]})", ""]
        elif kind == "ul":
            lines += [f"- {item}" for item in block[1]] + [""]
    return "\n".join(lines)


CSS = ("body{font-family:system-ui,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;color:#1a202c}"
       "table{border-collapse:collapse;margin:.5rem 0;font-size:.85rem}td,th{border:1px solid #cbd5e0;padding:.25rem .5rem}"
       "th{background:#edf2f7;text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums}"
       "tr.total td{font-weight:600;border-top:2px solid #4a5568}caption{text-align:left;font-weight:600;padding:.3rem 0}"
       ".mirrors{font-style:italic;color:#4a5568;font-size:.8rem}.note{color:#4a5568;font-size:.8rem;max-width:60rem}"
       "img{max-width:100%;display:block;margin:.5rem 0 1.5rem}nav{background:#f7fafc;padding:.5rem 1rem;"
       "border:1px solid #e2e8f0}nav ul{margin:.2rem 0}code{background:#edf2f7;padding:0 .2rem}")


def _inline(text: str) -> str:
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(text))


def _html(doc: list, scenario, folder: Path) -> str:
    """One self-contained page (no scripts, no external files): a table of contents, the tables, the plots."""
    out = ["<!doctype html><html lang='en'><head><meta charset='utf-8'>",
           f"<title>{html.escape(scenario.description)}</title><style>{CSS}</style></head><body>"]
    for block in doc:
        kind = block[0]
        if kind == "h1":
            out.append(f"<h1>{html.escape(block[1])}</h1>")
        elif kind == "h2":
            out.append(f"<h2 id='{block[2]}'>{html.escape(block[1])}</h2>")
        elif kind == "p":
            out.append(f"<p>{_inline(block[1])}</p>")
        elif kind == "toc":
            out.append("<nav><strong>Contents</strong><ul>")
            open_sub = False
            for b in doc:
                if b[0] == "h2":
                    if open_sub:
                        out.append("</ul></li>")
                    out.append(f"<li><a href='#{b[2]}'>{html.escape(b[1])}</a><ul>")
                    open_sub = True
                elif b[0] == "table" and open_sub:
                    out.append(f"<li><a href='#{_anchor(b[1])}'>{html.escape(_caption(b[1]))}</a></li>")
            out.append("</ul></li></ul></nav>" if open_sub else "</ul></nav>")
        elif kind == "table":
            t = block[1]
            out.append(f"<table id='{_anchor(t)}'><caption>{html.escape(_caption(t))}<div class='mirrors'>Mirrors: "
                       f"{html.escape(t.mirrors)}</div></caption><tr>"
                       + "".join(f"<th>{html.escape(label)}</th>" for _, label in t.columns) + "</tr>")
            for row in t.rows:
                total = str(row.get(t.columns[0][0])) == "Total"
                out.append(f"<tr{' class=total' if total else ''}>" + "".join(
                    f"<td{' class=n' if isinstance(row.get(k), (int, float)) else ''}>{html.escape(cell(row.get(k)))}</td>"
                    for k, _ in t.columns) + "</tr>")
            out.append(f"</table><p class='note'>{_inline(t.note)}</p>")
        elif kind == "img":
            data = base64.b64encode((folder / block[1]).read_bytes()).decode()
            out.append(f"<img alt='{html.escape(block[2])}' src='data:image/png;base64,{data}'>")
        elif kind == "ul":
            out.append("<ul>" + "".join(f"<li>{_inline(i)}</li>" for i in block[1]) + "</ul>")
    out.append("</body></html>")
    return "\n".join(out)


def _xlsx(path: Path, tabs: list[Table], scenario) -> None:
    """Every table on its own sheet (title, mirrors, note, header, rows), plus a contents sheet; numbers stay numbers."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    bold = Font(bold=True)

    def styled(v, font=bold):
        from openpyxl.cell import WriteOnlyCell
        c = WriteOnlyCell(ws, value=v)
        c.font = font
        return c

    ws = wb.create_sheet("Contents")
    ws.append([styled(f"Simulation: {scenario.description}")])
    ws.append(["Sheet", "Table", "Mirrors"])
    names = [f"T{t.number} {t.key}"[:31] for t in tabs]
    for name, t in zip(names, tabs):
        ws.append([name, _caption(t), t.mirrors])
    for name, t in zip(names, tabs):
        ws = wb.create_sheet(name)
        ws.append([styled(_caption(t))])
        ws.append([f"Mirrors: {t.mirrors}"])
        ws.append([t.note])
        ws.append([])
        ws.append([styled(label) for _, label in t.columns])
        for row in t.rows:
            ws.append([_xl(row.get(k)) for k, _ in t.columns])
    tmp = temporary(path)
    try:
        wb.save(tmp)
        publish(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _xl(v):
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        return None if math.isnan(v) else round(float(v), 4)
    return v
