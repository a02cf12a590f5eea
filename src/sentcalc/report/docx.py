"""The Word documents a lawyer edits into a motion: the retroactivity memo (`sentcalc retro --format docx`) and
the range worksheet (`sentcalc range --format docx`). Court style: 12-point Times New Roman, real Word headings
and tables. Rendered from the same dicts `--json` prints; nothing is computed here. python-docx comes with
the `web` extra and is imported only when a document is made."""

from __future__ import annotations

import io

from ..errors import require
from . import view

FONT = "Times New Roman"
WIDTH_IN = 6.5
"""Text width on US Letter with 1-inch margins."""
CELL_MARGIN_TWIPS = 72
"""0.05 inch each side of a table cell, so 12-point dates and statute subsections fit on one line."""


def _document():
    """A blank document in court style: Letter, 1-inch margins, 12-point serif everywhere, black headings."""
    docx = require("docx", "web", "--format docx")
    from docx.enum.style import WD_STYLE_TYPE
    from docx.oxml.ns import qn
    from docx.shared import Inches, Pt, RGBColor

    d = docx.Document()
    for s in d.sections:
        s.page_width, s.page_height = Inches(8.5), Inches(11)
        s.left_margin = s.right_margin = s.top_margin = s.bottom_margin = Inches(1)
    for style in d.styles:
        if style.type not in (WD_STYLE_TYPE.PARAGRAPH, WD_STYLE_TYPE.CHARACTER, WD_STYLE_TYPE.TABLE):
            continue
        style.font.name = FONT
        fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
        for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            fonts.attrib.pop(qn(attr), None)
        for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
            fonts.set(qn(attr), FONT)
        if style.type == WD_STYLE_TYPE.PARAGRAPH:
            style.font.size = Pt(12)
        if style.name.startswith(("Heading", "Title")):
            style.font.color.rgb = RGBColor(0, 0, 0)
            style.font.bold = True
            style.font.italic = False
    d.styles["Heading 1"].paragraph_format.space_before = Pt(18)
    d.styles["Heading 2"].paragraph_format.space_before = Pt(12)
    d.styles["Normal"].paragraph_format.space_after = Pt(6)
    return d


def _caption(d, doc: dict, title: str) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    p = d.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.add_run(view.caption_line(doc)).bold = True
    h = d.add_heading(title, level=1)
    h.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _table(d, header: list[str], rows: list[list[str]], widths: list[float]):
    """A Word table with a bold, repeated header row; widths in inches."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Inches

    t = d.add_table(rows=1, cols=len(header))
    t.style = d.styles["Table Grid"]
    t.autofit = False  # fixed layout: the widths below hold in Word and LibreOffice
    for cell, text in zip(t.rows[0].cells, header):
        cell.paragraphs[0].add_run(text).bold = True
    t.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    for row in rows:
        cells = t.add_row().cells
        for cell, text in zip(cells, row):
            cell.text = text
    for col, w in zip(t.columns, widths):
        col.width = Inches(w)
    for row in t.rows:
        for cell, w in zip(row.cells, widths):
            cell.width = Inches(w)
            cell.paragraphs[0].paragraph_format.space_after = 0
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        m = OxmlElement(f"w:{side}")
        m.set(qn("w:w"), str(CELL_MARGIN_TWIPS))
        m.set(qn("w:type"), "dxa")
        margins.append(m)
    t._tbl.tblPr.insert_element_before(margins, "w:tblLook", "w:tblCaption", "w:tblDescription", "w:tblPrChange")
    return t


def _bullets(d, items: list[str], empty: str = "None.") -> None:
    if not items:
        d.add_paragraph(empty)
    for x in items:
        d.add_paragraph(x, style="List Bullet")


def _worksheet(d, steps: list[dict]) -> None:
    _table(d, ["", "Step", "Authority"], [[f"{k}.", s["detail"], s["citation"]] for k, s in enumerate(steps, 1)],
           [0.4, 3.4, 2.7])


def _notes(d, results: list[dict]) -> None:
    found = view.assumptions(results)
    d.add_heading("Assumptions", level=1)
    _bullets(d, found["assumptions"], "None: every fact the calculation needs was given in the case file.")
    if found["warnings"]:
        d.add_heading("Warnings", level=2)
        _bullets(d, found["warnings"])
    if found["discrepancies"]:
        d.add_heading("Discrepancies with the recorded sentence", level=2)
        _bullets(d, found["discrepancies"])


def _provenance(d, doc: dict, extra: list[str]) -> None:
    prov = doc.get("provenance") or {}
    d.add_heading("Provenance", level=1)
    _bullets(d, [f"Prepared with sentcalc {prov.get('sentcalc_version')} on {prov.get('today')}.",
                 f"Guidelines data sha256: {prov.get('guidelines_sha256')}.", *extra,
                 "sentcalc computes ranges and eligibility; whether and how far to reduce a sentence is for the court."])


def _bytes(d) -> bytes:
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


RETRO_HEADER = ["Avenue", "Eligible", "Amended guideline range (months)", "Statutory range (months)",
                "Lowest permissible term (months)", "Earliest order", "Projected release"]
RETRO_WIDTHS = [1.15, 0.7, 0.85, 1.0, 0.95, 0.925, 0.925]


def retro_docx(doc: dict) -> bytes:
    """The retroactivity memo for one case (a `retro_document` dict) as a .docx file's bytes."""
    from .retro import summary

    d = _document()
    from docx.shared import Pt

    _caption(d, doc, "Sentence Reduction Analysis")
    o = doc["original"]
    d.add_paragraph(f"Law applied as of the order date {doc['as_of']}.")

    d.add_heading("Original sentence", level=1)
    facts = [f"Total offense level {o['total_offense_level']}, criminal history category "
             f"{o['criminal_history_category']}; guideline range {view.span(o['guideline_range'])} months.",
             f"Statute: {view.statute(o)} months."]
    if doc.get("time_served_months") is not None:
        facts.append(f"Time served by the order date: {view.months(doc['time_served_months'])} months.")
    if doc.get("projected_release_date_now"):
        facts.append(f"Projected release on the sentence now in force: {doc['projected_release_date_now']}.")
    if doc.get("bop_projected_release_date"):
        facts.append(f"Bureau of Prisons projected release: {doc['bop_projected_release_date']} "
                     f"({doc['days_from_bop_projection']:+d} days from sentcalc's projection).")
    _bullets(d, facts)

    d.add_heading("Avenues for a reduction", level=1)
    rows = []
    for a in doc["analyses"]:
        c = view.avenue_cells(a)
        tail = [c["lowest"], c["order"], c["release"]] if a["eligible"] else ["", "", ""]
        rows.append([c["title"], c["eligible"], c["range"], f"{c['subsection']}\n{c['statutory']}", *tail])
    t = _table(d, RETRO_HEADER, rows, RETRO_WIDTHS)
    for row, a in zip(t.rows[1:], doc["analyses"]):
        if not a["eligible"]:  # the reason spans the lowest term and the dates, which do not apply
            row.cells[4].merge(row.cells[6]).text = "Not eligible: " + view.reason(a)
    best = next((a for a in doc["analyses"] if a["id"] == doc["best"]), None)
    p = d.add_paragraph()
    p.paragraph_format.space_before = Pt(6)
    p.add_run(f"Best avenue: {best['title'] if best else 'none'}.").bold = True

    _release(d, doc)

    d.add_heading("Summary", level=1)
    d.add_paragraph(summary(doc))

    d.add_heading("Reasons and notes", level=1)
    for a in doc["analyses"]:
        d.add_heading(a["title"], level=2)
        _bullets(d, a["reasons"] + a["notes"], "Eligible; no further notes." if a["eligible"] else "None.")
        d.add_paragraph(f"Authority: {a['citation']}.")
    if doc["other_relief"]:
        d.add_heading("Other relief worth a look", level=1)
        _bullets(d, doc["other_relief"])

    d.add_heading("Worksheet", level=1)
    d.add_heading(f"Original sentence (law as of {o['as_of']})", level=2)
    _worksheet(d, o["steps"])
    for a in doc["analyses"]:
        if a["steps"]:
            d.add_heading(a["title"], level=2)
            _worksheet(d, a["steps"])

    _notes(d, view.retro_results(doc))
    _provenance(d, doc, [f"Order date assumed: {doc['as_of']}."])
    return _bytes(d)


def _release(d, doc: dict) -> None:
    """Release dates for the term in force and each eligible avenue's lowest term, then supervised release:
    the same rows and words as the Markdown memo (report/retro.py)."""
    from .retro import RELEASE_COLUMNS, release_rows, supervised_release_text

    d.add_heading("Release dates", level=1)
    rows = release_rows(doc)
    cols = [("Term", None), *RELEASE_COLUMNS]
    _table(d, [c for c, _ in cols], [[label] + [view.DASH if rel.get(k) is None else str(rel.get(k))
                                                for _, k in RELEASE_COLUMNS] for label, rel in rows],
           [WIDTH_IN / len(cols)] * len(cols))
    d.add_paragraph("\"Could go home\" is the earlier of the good-conduct release and the transfer to supervised "
                    "release; prerelease custody (home confinement or a residential reentry center) is still custody.")
    methods = [f"{label}: {rel['method']}" for label, rel in rows if rel.get("method")]
    if methods:
        _bullets(d, methods)
    assumed = list(dict.fromkeys(x for _, rel in rows for x in rel.get("assumptions", [])))
    if assumed:
        d.add_paragraph("Assumed for the release dates:")
        _bullets(d, assumed)
    d.add_heading("Supervised release", level=1)
    o = doc["original"]
    _bullets(d, [f"Original ({o['statutory_range']['subsection']}): {supervised_release_text(o)}."]
             + [f"{a['title']} ({a['amended']['statutory_range']['subsection']}): {supervised_release_text(a['amended'])}."
                for a in doc["analyses"] if a["amended"] and a["eligible"]])


def _supervised(r: dict) -> str:
    from .retro import supervised_release_text
    return supervised_release_text(r)


RANGE_ROWS = (
    *view.RANGE_ROWS,
    ("Supervised release", _supervised),
)


def range_docx(doc: dict) -> bytes:
    """The range worksheet for one case (a `range_document` dict) as a .docx file's bytes."""
    d = _document()
    _caption(d, doc, "Guideline Range Worksheet")
    results = doc["results"]
    d.add_heading("Ranges under each regime", level=1)
    d.add_paragraph("Each column is the law a court sentencing on that date would apply.")
    label_w = 2.0
    col_w = (WIDTH_IN - label_w) / max(len(results), 1)
    _table(d, ["", *[f"{r['regime']}\n({r['as_of']})" for r in results]],
           [[label, *[f(r) for r in results]] for label, f in RANGE_ROWS], [label_w] + [col_w] * len(results))
    d.add_heading("Worksheet", level=1)
    for r in results:
        d.add_heading(f"{r['regime']}: law as of {r['as_of']}", level=2)
        _worksheet(d, r["steps"])
    _notes(d, results)
    _provenance(d, doc, [])
    return _bytes(d)
