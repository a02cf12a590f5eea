"""Display strings for the range and retroactivity documents, shared by the terminal, the Markdown memo and the
Word document so that each says exactly what the JSON says: 0 months is "0" (never blank), a missing value
is "—", and an ineligible avenue shows its reason instead of a lowest term or dates."""

from __future__ import annotations

DASH = "—"


def months(m: int | str | None) -> str:
    """Months as printed: the number (0 included), "life", or "—" when there is none."""
    return DASH if m is None else str(m)


def span(r: dict | None) -> str:
    """A {min_months, max_months} range as "lo–hi", or one number when both ends are equal."""
    if not r:
        return DASH
    lo, hi = r["min_months"], r["max_months"]
    return months(lo) if lo == hi else f"{months(lo)}–{months(hi)}"


def statute(r: dict | None) -> str:
    """The statutory subsection and its range, e.g. "841(b)(1)(C): 0–240"."""
    if not r:
        return DASH
    s = r["statutory_range"]
    return f"{s['subsection']}: {span(s)}"


def caption_line(doc: dict) -> str:
    """ "United States v. <defendant>, <docket> (<court>)" with whatever the case gives; else the case id."""
    cap = doc.get("caption") or {}
    if not cap:
        return f"Case {doc['case_id']}"
    head = f"United States v. {cap['defendant']}" if cap.get("defendant") else f"Case {doc['case_id']}"
    if cap.get("docket"):
        head += f", {cap['docket']}"
    if cap.get("court"):
        head += f" ({cap['court']})"
    return head


def reason(a: dict) -> str:
    """Why an avenue is closed: its reason texts, or its reason codes when there is no text."""
    return " ".join(a["reasons"]) or ", ".join(c.replace("_", " ") for c in a["reason_codes"]) or "not eligible"


def reason_label(a: dict) -> str:
    """The short form of why an avenue is closed (its reason codes in words), for narrow tables."""
    return ", ".join(c.replace("_", " ") for c in a["reason_codes"]) or "not eligible"


def avenue_cells(a: dict) -> dict[str, str]:
    """One avenue of a retro document as display strings. For an ineligible avenue `lowest`, `order` and
    `release` are absent and `reason` says why it is closed."""
    am = a["amended"]
    cells = {"title": a["title"], "eligible": "yes" if a["eligible"] else "no",
             "range": span(am["guideline_range"]) if am else DASH,
             "subsection": am["statutory_range"]["subsection"] if am else DASH,
             "statutory": span(am["statutory_range"]) if am else DASH}
    if a["eligible"]:
        cells |= {"lowest": months(a["lowest_permissible_months"]), "order": a["earliest_order_date"] or DASH,
                  "release": a["projected_release_date"] or DASH}
    else:
        cells |= {"reason": reason(a), "reason_label": reason_label(a)}
    return cells


def assumptions(results: list[dict]) -> dict[str, list[str]]:
    """The assumptions, warnings and discrepancies of several results, each once, in order of first appearance."""
    out: dict[str, list[str]] = {"assumptions": [], "warnings": [], "discrepancies": []}
    for r in results:
        for key, seen in out.items():
            seen += [x for x in r.get(key, []) if x not in seen]
    return out


def retro_results(doc: dict) -> list[dict]:
    """The original result and every amended one of a retro document (for assumptions and warnings)."""
    return [doc["original"], *(a["amended"] for a in doc["analyses"] if a["amended"])]


RANGE_ROWS = (
    ("Base offense level", lambda r: str(r["base_offense_level"])),
    ("Total offense level", lambda r: str(r["total_offense_level"])),
    ("Criminal history category", lambda r: r["criminal_history_category"]),
    ("Sentencing Table cell (months)", lambda r: span(r["table_range"])),
    ("Guideline range (months)", lambda r: span(r["guideline_range"])),
    ("Statute", lambda r: r["statutory_range"]["subsection"]),
    ("Statutory range (months)", lambda r: span(r["statutory_range"])),
)
"""The rows every range table shows (terminal and Word), each a label and how a result dict prints it."""
