"""Release dates and time-credit fields in the batch: the flat columns parse with the case model's rules,
the batch gives the single-case dates, and the worklist carries the transfer and prerelease dates."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import pyarrow as pa

from helpers import TODAY, make_case, write_case
from helpers import run as cli
from sentcalc.batch import run
from sentcalc.columns import from_models
from sentcalc.io.casefile import parse_case
from sentcalc.io.flat import case_to_row, columns, parse, row_to_document
from sentcalc.kernel import Options, recompute
from sentcalc.law import default_law

LAW = default_law()
D = date.fromisoformat(TODAY)


def credit_case(**tc: object) -> dict:
    case = make_case(id="c1", offense_date="2023-01-01", sentencing_date="2024-01-16", sentence_months=120,
                     conviction={"statute": "841(b)(1)(B)", "drug": "cocaine", "grams": 600},
                     drugs=[{"drug": "cocaine", "grams": 600}], custody_start="2024-01-16", acceptance=3,
                     criminal_history={"points": 7}, supervised_release_months=48)
    case["time_credits"] = tc
    return case


TC = {"risk_level": "low", "risk_history": "2025-07-01:low; 2024-07-01:medium",
      "programming_start": "2024-03-01", "earned_days": 300, "earned_as_of": "2026-06-01", "removal_order": False,
      "organizer_finding": False, "consecutive_924c": None}


def test_time_credit_columns_round_trip() -> None:
    names = {c.name for c in columns(LAW)}
    assert {"supervised_release_months", "pattern_risk_level", "pattern_history", "programming_start",
            "ftc_earned_days", "ftc_earned_as_of", "removal_order", "organizer_finding", "consecutive_924c"} <= names
    case = parse_case(credit_case(**TC), LAW, D)
    row = case_to_row(case, LAW)
    assert row["pattern_history"] == "2024-07-01:medium;2025-07-01:low"   # in date order
    back = parse_case(row_to_document(row, LAW), LAW, D)
    assert back.time_credits == case.time_credits and back.supervised_release_months == 48


def _table(rows: list[dict]) -> pa.Table:
    names = [c.name for c in columns(LAW)]
    return pa.table({n: pa.array([None if r.get(n) in (None, "") else str(r[n]) for r in rows], pa.string())
                     for n in names})


def test_bad_time_credit_values_name_the_field() -> None:
    good = case_to_row(parse_case(credit_case(**TC), LAW, D), LAW)
    bad = [
        ({"pattern_history": "2024-13-01:low"}, "pattern_history"),
        ({"pattern_history": "2024-01-01:extreme"}, "pattern_history"),
        ({"pattern_history": "2027-01-01:low"}, "pattern_history"),       # after today
        ({"pattern_risk_level": "moderate"}, "pattern_risk_level"),
        ({"ftc_earned_as_of": None}, "ftc_earned_days"),
        ({"ftc_earned_days": "-3"}, "ftc_earned_days"),
        ({"programming_start": "2030-01-01"}, "programming_start"),
        ({"removal_order": "perhaps"}, "removal_order"),
        ({"supervised_release_months": "a lot"}, "supervised_release_months"),
    ]
    rows = [{**good, "id": f"r{k}", **change} for k, (change, _) in enumerate(bad)] + [good]
    _, problems = parse(_table(rows), LAW, D)
    fields = {r: f for r, f in zip(problems.rows, problems.fields)}
    for k, (_, field) in enumerate(bad):
        assert fields.get(k) == field, (k, fields.get(k), problems.reasons)
    assert len(bad) not in fields


def test_batch_release_columns_equal_the_single_case(tmp_path: Path) -> None:
    row = case_to_row(parse_case(credit_case(**TC), LAW, D), LAW)
    out, problems, bad = recompute(_table([row]), Options(["original"], retro=True, as_of=D, today=D), LAW)
    assert not bad.any(), problems.reasons
    got = out.to_pylist()[0]
    res = cli("retro", str(write_case(tmp_path, credit_case(**TC))), "--json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    rel = doc["original"]["release"]
    assert str(got["now_full_term_date"]) == rel["full_term_date"]
    assert str(got["release_date_now"]) == rel["projected_release_date"]
    assert str(got["now_sr_transfer_date"]) == rel["supervised_release_transfer_date"]
    assert str(got["now_prerelease_date"]) == rel["prerelease_custody_date"]
    assert got["now_ftc_days"] == rel["ftc_days"] and got["now_gct_days"] == rel["gct_days"]
    assert got["orig_sr_min"] == 48 and got["orig_sr_max_life"]
    cases = from_models([parse_case(credit_case(**TC), LAW, D)], LAW.drugs)
    assert cases.pattern_history[0] == "2024-07-01:medium;2025-07-01:low"


def test_worklist_carries_transfer_and_prerelease_dates(tmp_path: Path) -> None:
    # A 2013 crack case eligible under Amendment 782 (as in the sample data) with time-credit facts.
    case = make_case(id="w1", offense_date="2012-01-01", sentencing_date="2013-03-01", sentence_months=97,
                     conviction={"statute": "841(b)(1)(C)", "drug": "cocaine_base", "grams": 30},
                     drugs=[{"drug": "cocaine_base", "grams": 30}], custody_start="2013-03-01", acceptance=3)
    case["time_credits"] = {"risk_level": "minimum"}
    src = tmp_path / "in.csv"
    row = case_to_row(parse_case(case, LAW, D), LAW)
    with open(src, "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(row))
        w.writeheader()
        w.writerow({k: "" if v is None else v for k, v in row.items()})
    run(src, tmp_path / "out.csv", Options(["original"], retro=True, as_of=date(2015, 11, 1), today=D), LAW,
        workers=1, progress=False)
    wl = list(csv.DictReader((tmp_path / "out.worklist.csv").read_text().splitlines()))
    assert wl and {"release_date", "sr_transfer_date", "prerelease_date", "immediate"} <= set(wl[0])
