"""The retroactivity report: JSON, a rich side-by-side table with a cited worksheet, a plain-language
summary, and a Markdown memo section — all rendered from the recorded analyses."""

from __future__ import annotations

import numpy as np

from ..retro.analyse import Retro
from . import view
from .result import months_value, result_dict

SHORT = {"amendment-706": "Amdt 706", "amendment-750": "Amdt 750", "amendment-782": "Amdt 782",
         "amendment-821": "Amdt 821", "first-step-act-404": "FSA §404"}
TITLES = {"amendment-706": "§3582(c)(2), Amendment 706/711", "amendment-750": "§3582(c)(2), Amendment 750",
          "amendment-782": "§3582(c)(2), Amendment 782", "amendment-821": "§3582(c)(2), Amendment 821",
          "first-step-act-404": "First Step Act §404"}


NO_RELEASE = {"full_term_date": None, "gct_days": None, "projected_release_date": None, "weekday_release_date": None,
              "ftc_days": None, "supervised_release_transfer_date": None, "prerelease_custody_date": None,
              "method": "", "assumptions": []}
"""An avenue with no lowest permissible term has no release dates."""


def _date(d: np.datetime64) -> str | None:
    return None if np.isnat(d) else str(d.astype("datetime64[D]"))


def _num(x: float) -> int | str | None:
    return None if np.isnan(x) else months_value(x)


def retro_dict(r: Retro, i: int, case_id: str, bop_release: np.datetime64 | None = None) -> dict:
    analyses = []
    for a in r.analyses:
        amended = result_dict(a.amended, i) if a.amended is not None else None
        d = {
            "id": a.id, "title": TITLES.get(a.id, a.avenue.name), "eligible": bool(a.eligible[i]),
            "reason_codes": a.reason_codes(i), "reasons": a.reason_texts(i),
            "notes": [t for n in a.info if (t := n.render(i)) is not None],
            "amended": amended,
            "lowest_permissible_months": _num(a.lowest[i]),
            "time_served_months": _num(a.time_served[i]),
            "immediate_release": bool(a.immediate_release[i]) if a.eligible[i] else None,
            "earliest_order_date": _date(a.earliest_order[i]),
            "projected_release_date": _date(a.projected_release[i]),
            "release": a.release.as_dict(i) if a.release is not None and a.eligible[i] else NO_RELEASE,
            "steps": [s for st in a.steps if (s := st.render(i)) is not None],
            "citation": a.avenue.citation,
        }
        if "current_guidelines" in a.extra:
            d["current_guidelines"] = result_dict(a.extra["current_guidelines"], i)
        analyses.append(d)
    release_now = _date(r.release_now[i])
    out = {
        "case_id": case_id, "as_of": r.as_of.isoformat(),
        "original": {**result_dict(r.original, i), "release": r.now.as_dict(i)},
        "analyses": analyses,
        "best": r.best(i),
        "projected_release_date_now": release_now,
        "time_served_months": _num(r.served_now[i]),
        "other_relief": [],
        "today": r.today.isoformat(),
    }
    if bop_release is not None and not np.isnat(bop_release) and release_now:
        diff = int((r.release_now[i] - bop_release).astype(int))
        out["bop_projected_release_date"] = _date(bop_release)
        out["days_from_bop_projection"] = diff
    if r.compassionate_flag[i]:
        out["other_relief"].append(
            "Compassionate release under USSG §1B1.13(b)(6) ('unusually long sentence') may be worth a look: at least "
            f"10 years served, and under current law the guideline range would be "
            f"{months_value(r.current_law.cols['guideline_min'][i])}–{months_value(r.current_law.cols['guideline_max'][i])} "
            "months. Informational only: eligibility turns on facts and findings sentcalc does not have.")
    return out


def summary(doc: dict) -> str:
    """A few plain sentences a client could read. "Go home" is the earlier of the good-conduct release
    and the transfer to supervised release; prerelease custody is still custody."""
    o = doc["original"]
    g = o["guideline_range"]
    lines = [f"At sentencing the guideline range was {g['min_months']} to {g['max_months']} months."
             if g["min_months"] != g["max_months"] else "At sentencing the guideline sentence was "
             + ("life imprisonment." if g["min_months"] == "life" else f"{g['min_months']} months.")]
    best = next((a for a in doc["analyses"] if a["id"] == doc["best"]), None)
    if best is None:
        lines.append("None of the retroactive changes sentcalc checks allows the court to lower the sentence now.")
    else:
        lines.append(f"The best route is {best['title']}: the court may lower the sentence to as little as "
                     f"{best['lowest_permissible_months']} months, by an order taking effect on or after "
                     f"{best['earliest_order_date']}.")
        if best["projected_release_date"]:
            lines.append(f"With good-conduct time, that term would end on {best['projected_release_date']}"
                         + _credits_text(best["release"]) + ".")
            if best["immediate_release"]:
                lines.append("That day has passed by the order date, so they could go home now (the earlier of the "
                             "good-conduct release and the transfer to supervised release; time in home confinement "
                             "or a halfway house is not counted as going home).")
        lines.append("Whether to reduce, and by how much, is for the judge to decide.")
    now = doc["projected_release_date_now"]
    if now:
        past = doc.get("today") and now < doc["today"]
        lines.append(f"On the sentence now in force, the good-conduct release date {'was' if past else 'is'} {now}"
                     + _credits_text(o.get("release") or {}) + ".")
    if doc.get("bop_projected_release_date"):
        lines.append(f"The Bureau of Prisons projects {doc['bop_projected_release_date']}; sentcalc's projection differs by "
                     f"{doc['days_from_bop_projection']:+d} days (the BOP's own credits decide).")
    return " ".join(lines)


def _credits_text(rel: dict) -> str:
    t, p, r = rel.get("supervised_release_transfer_date"), rel.get("prerelease_custody_date"), rel.get("projected_release_date")
    out = ""
    if t and r and t < r:
        out += f"; with First Step Act time credits, the transfer to supervised release could come on {t}"
    if p:
        out += f" (home confinement or a halfway house from {p})"
    return out


RELEASE_COLUMNS = (("Full term", "full_term_date"), ("Good-conduct days", "gct_days"),
                   ("Release (good conduct)", "projected_release_date"), ("Weekday (§3624(a))", "weekday_release_date"),
                   ("Time credits (days)", "ftc_days"), ("Supervised release from", "supervised_release_transfer_date"),
                   ("Prerelease custody from", "prerelease_custody_date"))


def release_rows(doc: dict) -> list[tuple[str, dict]]:
    """(label, release dict) for the term now in force and each eligible avenue's lowest term."""
    rows = [("Term now in force", doc["original"].get("release") or {})]
    rows += [(f"{SHORT.get(a['id'], a['id'])}: {a['lowest_permissible_months']} months", a["release"])
             for a in doc["analyses"] if a["eligible"]]
    return rows


def supervised_release_text(r: dict) -> str:
    """A result's supervised-release terms in words: the statute's, then the guideline's."""
    s = r["supervised_release"]
    stat = f"at least {s['min_months']} months" if s["min_months"] is not None else "no minimum"
    stat += ", no maximum" if s["max_months"] == "life" else (f", at most {s['max_months']}" if s["max_months"] else "")
    lo, hi = s["guideline_min_months"], s["guideline_max_months"]
    gl = (view.span({"min_months": lo, "max_months": hi}) if lo is not None else f"up to {hi}") if hi else view.DASH
    return f"{stat}; guideline {gl} months"


def markdown(doc: dict) -> str:
    """A memo-ready Markdown section. An ineligible avenue shows its reason where the lowest term would be."""
    o = doc["original"]
    out = [f"## Retroactivity analysis — {view.caption_line(doc)} (as of {doc['as_of']})", "",
           f"Original: offense level {o['total_offense_level']}, category {o['criminal_history_category']}, "
           f"guideline range {view.span(o['guideline_range'])} months; statute {view.statute(o)} months.", "",
           "| Avenue | Eligible | Amended range | Statutory range | Lowest term | Earliest order | Projected release |",
           "|---|---|---|---|---|---|---|"]
    for a in doc["analyses"]:
        c = view.avenue_cells(a)
        tail = ([c["lowest"], c["order"], c["release"]] if a["eligible"]
                else [f"not eligible: {c['reason']}", view.DASH, view.DASH])
        out.append("| " + " | ".join([c["title"], c["eligible"], c["range"], f"{c['subsection']}: {c['statutory']}",
                                      *tail]) + " |")
    best = next((a["title"] for a in doc["analyses"] if a["id"] == doc["best"]), "none")
    out += ["", f"**Best avenue:** {best}.", "", "### Release dates", "",
            "| Term | " + " | ".join(c for c, _ in RELEASE_COLUMNS) + " |", "|---" * (len(RELEASE_COLUMNS) + 1) + "|"]
    rows = release_rows(doc)
    for label, rel in rows:
        out.append(f"| {label} | " + " | ".join(view.DASH if rel.get(k) is None else str(rel.get(k))
                                              for _, k in RELEASE_COLUMNS) + " |")
    out += ["", "\"Could go home\" is the earlier of the good-conduct release and the transfer to supervised release; "
            "prerelease custody (home confinement or a residential reentry center) is still custody.", ""]
    out += [f"- *{label}*: {rel['method']}" for label, rel in rows if rel.get("method")]
    assumed = list(dict.fromkeys(x for _, rel in rows for x in rel.get("assumptions", [])))
    if assumed:
        out += ["", "Assumed for the release dates:", ""] + [f"- {x}" for x in assumed]
    out += ["", "### Supervised release", "",
            f"- Original ({o['statutory_range']['subsection']}): {supervised_release_text(o)}."]
    out += [f"- {a['title']} ({a['amended']['statutory_range']['subsection']}): {supervised_release_text(a['amended'])}."
            for a in doc["analyses"] if a["amended"] and a["eligible"]]
    out += ["", "### Reasons", ""]
    for a in doc["analyses"]:
        for t in a["reasons"] + a["notes"]:
            out.append(f"- *{a['title']}*: {t}")
    out += ["", "### Worksheet", ""]
    for k, s in enumerate(o["steps"], 1):
        out.append(f"{k}. {s['detail']} ({s['citation']})")
    for a in doc["analyses"]:
        for s in a["steps"]:
            out.append(f"- *{a['title']}*: {s['detail']} ({s['citation']})")
    found = view.assumptions(view.retro_results(doc))
    for title, key in (("Assumptions", "assumptions"), ("Warnings", "warnings")):
        if found[key]:
            out += ["", f"### {title}", ""] + [f"- {x}" for x in found[key]]
    if doc["other_relief"]:
        out += ["", "### Other relief worth a look", ""] + [f"- {x}" for x in doc["other_relief"]]
    out += ["", "### Summary", "", summary(doc), ""]
    prov = doc.get("provenance") or {}
    if prov:
        out += [f"*sentcalc {prov.get('sentcalc_version')}; guidelines data sha256:{prov.get('guidelines_sha256')}; "
                f"law as of {doc['as_of']}.*", ""]
    return "\n".join(out)


def _outcome(a: dict) -> str:
    """The last column of the terminal table: eligibility, then the lowest term and dates, or the reason."""
    c = view.avenue_cells(a)
    if not a["eligible"]:
        return f"[red]not eligible[/red]: {c['reason_label']}"
    lines = ["[green]eligible[/green]", f"lowest term: {c['lowest']} months", f"earliest order: {c['order']}",
             f"projected release: {c['release']}"]
    if a.get("immediate_release"):
        lines.append("(release could be immediate)")
    return "\n".join(lines)


def render_text(console, doc: dict) -> None:
    """The terminal report: one table of avenues, a panel of reasons and cited steps per avenue, the summary.
    No cell is ever cut (values fold rather than end in an ellipsis); the table fits 80 columns."""
    from rich.markup import escape
    from rich.panel import Panel
    from rich.table import Table

    t = Table(title=f"{escape(view.caption_line(doc))} — retroactivity as of {doc['as_of']}", expand=True)
    t.add_column("", no_wrap=True, overflow="fold")
    t.add_column("Range (months)", min_width=8, overflow="fold")
    t.add_column("Statute (months)", min_width=12, overflow="fold")
    t.add_column("Outcome", ratio=1, overflow="fold")
    o = doc["original"]
    t.add_row("Original", view.span(o["guideline_range"]), f"{o['statutory_range']['subsection']}\n"
              f"{view.span(o['statutory_range'])}", "projected release on the sentence now in force: "
              f"{doc['projected_release_date_now'] or view.DASH}")
    for a in doc["analyses"]:
        c = view.avenue_cells(a)
        t.add_row(SHORT.get(a["id"], a["id"]), c["range"], f"{c['subsection']}\n{c['statutory']}", _outcome(a))
    console.print(t)
    rows = release_rows(doc)
    label_width = max(len(label) for label, _ in RELEASE_COLUMNS)
    per = max(1, (console.width - 1 - (label_width + 3)) // (len("Term now in force") + 3))  # terms that fit
    for start in range(0, len(rows), per):
        rt = Table(title="Release dates")
        rt.add_column("", no_wrap=True)
        for label, _ in rows[start:start + per]:
            rt.add_column(label.replace(": ", "\n"), no_wrap=True)
        for label, key in RELEASE_COLUMNS:
            rt.add_row(label, *[view.DASH if rel.get(key) is None else str(rel.get(key)) for _, rel in rows[start:start + per]])
        console.print(rt)
    console.print("Going home: the earlier of the good-conduct release and the transfer to supervised release; "
                  "prerelease custody is still custody.")
    console.print(f"Supervised release: {supervised_release_text(o)} (original).")
    for a in doc["analyses"]:
        body = [f"• {x}" for x in a["reasons"] + a["notes"]]
        body += [f"{s['detail']}\n  [dim]{s['citation']}[/dim]" for s in a["steps"]]
        console.print(Panel("\n".join(body) or view.DASH, title=a["title"], title_align="left"))
    for x in doc["other_relief"]:
        console.print(f"[yellow]Other relief:[/yellow] {x}")
    console.print(Panel(summary(doc), title="In plain words", title_align="left"))
    prov = doc.get("provenance") or {}
    if prov:
        console.print(f"[dim]sentcalc {prov.get('sentcalc_version')} · order date {doc['as_of']} · guidelines data\n"
                      f"sha256:{prov.get('guidelines_sha256')}[/dim]")
