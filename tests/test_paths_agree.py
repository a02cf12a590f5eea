"""One path for every check: a generated flat row is accepted or refused alike by `retro` on the case file
it maps to (documents.retro_document, what `sentcalc retro` and `range` run) and by `batch`'s kernel on the
row itself, and a refusal names the same field with the same words (the case file's words are in case-file
paths, the batch's in column names: io.flat.column_for and in_columns translate one into the other). The
generator produces lawful rows and, about half the time, one flaw of a kind either path must refuse (the
share is checked: a generator that never refuses proves nothing)."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import conviction_quantity, subsections
from sentcalc.documents import retro_document
from sentcalc.errors import InputError
from sentcalc.io.casefile import parse_case
from sentcalc.io.flat import column_for, in_columns, quantity_column, row_to_document
from sentcalc.kernel import Options, recompute
from sentcalc.law import default_law

LAW = default_law()
TODAY = date(2026, 11, 25)
DRUGS = ("cocaine_base", "cocaine", "heroin", "methamphetamine", "marihuana", "fentanyl")


def _flaws(r: dict, rng: random.Random) -> None:
    """One flaw, chosen at random (or none)."""
    od = date.fromisoformat(r["offense_date"])
    flaw = rng.randrange(40)
    if flaw == 0:
        r["sentencing_date"] = str(od - timedelta(days=3))
    elif flaw == 1:
        r["custody_start"] = str(od - timedelta(days=3))
    elif flaw == 2:
        r["custody_start"] = "2027-06-01"
    elif flaw == 3:
        r["status_points"], r["criminal_history_points"] = "2", "1"
    elif flaw == 4:
        r["criminal_history_category"] = "VI" if r["criminal_history_points"] in ("0", "1") else "I"
    elif flaw == 5:
        r["departure"] = "5K1.1"
    elif flaw == 6:
        r["substantial_assistance"], r["departure"] = "true", "none"
    elif flaw == 7:
        r["statute"], r["conviction_grams"] = "841(b)(1)(A)", "0.5"
    elif flaw == 8 and r["conviction_drug"] != "marihuana":
        r["statute"] = "841(b)(1)(D)"
    elif flaw == 9:
        r["statute"], r["conviction_grams"], r["sentence_months"] = "841(b)(1)(A)", "2000000", "1"
    elif flaw == 10:
        r["substantial_assistance"], r["departure"], r["sentence_months"] = "true", "5K1.1", "9000"
    elif flaw == 11:
        r["named_adjustments"] = "2D1.1(b)(5)"
    elif flaw == 12:
        r["named_adjustments"] = "2D1.1(b)(16)"
    elif flaw == 13:
        r["offense_date"], r["sentencing_date"], r["custody_start"] = "1986-05-01", "1987-01-01", "1986-06-01"
    elif flaw == 14:
        r["acceptance"] = "1"
    elif flaw == 15:
        r["conviction_drug"] = "crack"
    elif flaw == 16:
        r["criminal_history_points"], r["criminal_history_category"], r["status_points"] = "", "II", "1"
    elif flaw == 17:
        r["mitigating_role"] = "1"
    elif flaw == 18:
        r["offense_date"] = "2027-01-01"
    elif flaw == 19:
        r["criminal_history_points"], r["criminal_history_category"] = "", ""


def flat_row(rng: random.Random) -> dict:
    """A lawful flat row, then perhaps one flaw."""
    drug = rng.choice(DRUGS)
    statute = rng.choice([s for s in subsections(drug) if s != "841(b)(1)(D)"])
    od = date(1988, 1, 1) + timedelta(days=rng.randrange(0, 13_500))
    sd = min(od + timedelta(days=rng.randrange(30, 900)), TODAY)
    points = rng.choice([0, 0, 1, 2, 3, 5, 8, 13])
    status = rng.choice([0, min(2, points)])
    qty = conviction_quantity(drug, statute)
    row = {
        "id": f"r{rng.randrange(10**9)}", "offense_date": str(od), "sentencing_date": str(sd), "statute": statute,
        "conviction_drug": drug, "conviction_grams": "" if qty is None else f"{qty:g}", "prior_convictions": "0",
        "criminal_history_points": str(points), "status_points": str(status), "recency_points": "0",
        "criminal_history_category": "", "acceptance": rng.choice(["0", "2", "3"]),
        "mitigating_role": rng.choice(["0", "0", "2", "3", "4"]), "safety_valve": rng.choice(["false", "true"]),
        "substantial_assistance": "false", "departure": "", "career_offender": "false",
        "sentence_months": rng.choice(["200", "240"]) if statute.endswith("(C)") else "400",
        "custody_start": str(od + timedelta(days=20)),
        "adjustment_sections": rng.choice(["", "2D1.1(b)(1)", "3C1.1", "2D1.1(b)(1);3C1.1"]),
        "named_adjustments": rng.choice(["", "", "3B1.1(c)", "3B1.1(c);2D1.1(b)(16)"]),
    }
    row["adjustment_levels"] = str(2 * len([x for x in row["adjustment_sections"].split(";") if x]))
    for d in LAW.drugs:
        row[quantity_column(LAW, d)] = ""
    row[quantity_column(LAW, drug)] = f"{(qty or 10) * rng.choice([1, 1.5, 4]):g}"
    _flaws(row, rng)
    return row


def by_case_file(row: dict) -> tuple[str, str] | None:
    """`sentcalc retro` on the case file the row maps to: None, or (field, reason) of the refusal."""
    try:
        retro_document(parse_case(row_to_document(row, LAW), LAW, TODAY), LAW, TODAY, TODAY)
    except InputError as exc:
        return exc.field, exc.allowed
    return None


def by_batch(rows: list[dict]) -> list[tuple[str, str] | None]:
    """The batch kernel on the rows: None, or (field, reason) of each refusal."""
    out, _, bad = recompute(pa.Table.from_pylist(rows), Options(["original"], retro=True, as_of=TODAY, today=TODAY))
    res = out.to_pylist()
    return [(r["error_field"], r["error_reason"]) if b else None for r, b in zip(res, bad)]


def in_flat_words(refusal: tuple[str, str] | None, row: dict) -> tuple[str, str] | None:
    """A case file's refusal as the batch words it: the column for the field (drugs.0.grams → the column of
    the row's first drug), the message with column names for case-file paths."""
    if refusal is None:
        return None
    field, message = refusal
    parts = field.split(".")
    if parts[0] == "drugs" and len(parts) == 3 and parts[1].isdigit():
        present = [d for d in LAW.drugs if row.get(quantity_column(LAW, d))]
        field = quantity_column(LAW, present[int(parts[1])]) if int(parts[1]) < len(present) else field
    return column_for(field, LAW), in_columns(message, LAW)


@settings(max_examples=60, deadline=None)
@given(rng=st.randoms(use_true_random=False))
def test_case_file_and_batch_refuse_the_same_rows_with_the_same_words(rng: random.Random) -> None:
    row = flat_row(rng)
    single, batch = by_case_file(row), by_batch([row])[0]
    assert in_flat_words(single, row) == batch, (row, single, batch)


def test_the_generator_refuses_often_and_accepts_often() -> None:
    rng = random.Random(2026)
    rows = [flat_row(rng) for _ in range(400)]
    refused = sum(r is not None for r in by_batch(rows)) / len(rows)
    assert 0.3 <= refused <= 0.7, refused
