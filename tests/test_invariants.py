"""The property suite over generated flat rows, through the batch kernel the CLI uses: no exception but
the documented validation; every table range is a cell of the Sentencing Table; the guideline range lies
within the statutory range; the FSA and Amendment 782 never raise a crack range; §3582(c)(2) never goes
below the amended minimum without substantial assistance; §404 never below the new statutory minimum;
batch == single case. CI runs a derandomised short profile; `SENTCALC_LONG=1 pytest
tests/test_invariants.py -s` runs ≥ 100,000 generated cases and prints the count."""

from __future__ import annotations

import os
from datetime import date

import numpy as np
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from sentcalc.columns import from_models
from sentcalc.engine import compute_many
from sentcalc.io.casefile import parse_case
from sentcalc.io.flat import row_to_document
from sentcalc.kernel import Options, recompute
from sentcalc.law import LIFE, default_law
from sentcalc.regimes import parse_regime
from sentcalc.report.result import result_dict
from sentcalc.rules.sentencing_table import _cells

LAW = default_law()
TODAY = date(2026, 11, 25)
LONG = bool(os.environ.get("SENTCALC_LONG"))
ROWS = (120, 160) if LONG else (20, 40)
EXAMPLES = 800 if LONG else 25
REGIMES = ["original", "pre-2007", "2010", "2014", "current"]
COUNT = {"cases": 0, "valid": 0}

dates = st.dates(min_value=date(1986, 1, 1), max_value=date(2027, 12, 31)).map(str)
offense_dates = st.one_of(st.dates(min_value=date(1987, 11, 1), max_value=date(2025, 12, 31)), dates)
maybe = lambda s: st.one_of(st.just(""), s)  # noqa: E731
num = lambda lo, hi: st.one_of(st.integers(lo, hi).map(str), st.floats(lo, hi, allow_nan=False).map(lambda x: f"{x:.3g}"))  # noqa: E731
drug = st.sampled_from(LAW.drugs * 4 + ("crack", ""))


@st.composite
def flat_row(draw: st.DrawFn) -> dict:
    od = draw(offense_dates)
    od_date = od if isinstance(od, date) else date.fromisoformat(od)
    later = st.integers(0, 1500).map(lambda k: str(date.fromordinal(min(od_date.toordinal() + k,
                                                                        date(2026, 11, 25).toordinal()))))
    row = {
        "id": f"h{draw(st.integers(0, 10**9))}",
        "offense_date": str(od),
        "sentencing_date": draw(st.one_of(later, later, later, dates)),
        "statute": draw(st.sampled_from(["841(b)(1)(A)", "841(b)(1)(B)", "841(b)(1)(C)"] * 4
                                        + ["841(b)(1)(D)", "844(a)", "841(b)(1)(X)"])),
        "conviction_drug": draw(drug),
        "conviction_grams": draw(maybe(num(0, 2_000_000))),
        "prior_convictions": draw(st.sampled_from(["0", "0", "0", "1", "2", "3", ""])),
        "priors_qualify_after_2018": draw(st.sampled_from(["", "true", "false"])),
        "death_or_injury": draw(st.sampled_from(["false", "false", "false", "true"])),
        "adjustment_sections": draw(st.sampled_from(["", "2D1.1(b)(1)", "3B1.1(c)", "3C1.1", "2D1.1(b)(1);3B1.1(a)"])),
        "adjustment_levels": draw(st.sampled_from(["0", "2", "4", "6", "-2"])),
        "mitigating_role": draw(st.sampled_from(["0", "0", "2", "3", "4"])),
        "acceptance": draw(st.sampled_from(["0", "2", "3", "3"])),
        "criminal_history_points": draw(st.one_of(st.integers(0, 30).map(str), st.integers(0, 30).map(str),
                                                  st.integers(0, 30).map(str), st.just(""))),
        "status_points": draw(st.sampled_from(["0", "0", "0", "1", "2"])),
        "recency_points": draw(st.sampled_from(["0", "0", "0", "0", "1", "2"])),
        "criminal_history_category": draw(st.sampled_from(["", "", "I", "III", "VI"])),
        "career_offender": draw(st.sampled_from(["false", "false", "true"])),
        "safety_valve": draw(st.sampled_from(["false", "true"])),
        "substantial_assistance": draw(st.sampled_from(["false", "false", "true"])),
        "zero_point_offender": draw(st.sampled_from(["", "true", "false"])),
        "sentence_months": draw(maybe(st.one_of(st.integers(0, 600).map(str), st.just("life")))),
        "custody_start": draw(maybe(later)),
        "fsa_applied_at_sentencing": draw(st.sampled_from(["", "", "false"])),
    }
    for d in LAW.drugs:
        row[f"{d}_grams"] = ""
    for d in draw(st.lists(st.sampled_from(LAW.drugs), min_size=1, max_size=3, unique=True)):
        row[f"{d}_grams"] = draw(num(0, 50_000_000))
    return row


def _cells_set() -> dict[int, set]:
    out = {}
    for k, v in enumerate(LAW.dated("sentencing-table.yaml").versions):
        c = _cells(v)
        out[k] = {(float(c[lv, cat, 0]), float(c[lv, cat, 1])) for lv in range(1, 44) for cat in range(6)}
    return out


CELLS = _cells_set()
ALL_CELLS = set().union(*CELLS.values())


def _m(x, life) -> float:
    return LIFE if life else float(x)


@settings(max_examples=EXAMPLES)
@given(rows=st.lists(flat_row(), min_size=ROWS[0], max_size=ROWS[1]))
def test_invariants(rows: list[dict]) -> None:
    table = pa.Table.from_pylist(rows)
    out, problems, bad = recompute(table, Options(REGIMES, retro=True, as_of=TODAY, today=TODAY))
    COUNT["cases"] += len(rows)
    COUNT["valid"] += int((~bad).sum())
    res = out.to_pylist()
    for i in np.flatnonzero(~bad):
        r = res[i]
        for p in ("orig", "pre2007", "r2010", "r2014", "curr"):
            cell = (_m(r[f"{p}_table_min"], r[f"{p}_table_min_life"]), _m(r[f"{p}_table_max"], r[f"{p}_table_max_life"]))
            assert cell in ALL_CELLS, (p, cell, rows[i])
            gmin, gmax = _m(r[f"{p}_gl_min"], r[f"{p}_gl_min_life"]), _m(r[f"{p}_gl_max"], r[f"{p}_gl_max_life"])
            smin, smax = _m(r[f"{p}_stat_min"], r[f"{p}_stat_min_life"]), _m(r[f"{p}_stat_max"], r[f"{p}_stat_max_life"])
            assert smin <= gmin <= gmax <= smax, (p, rows[i])
        crack_only = rows[i]["cocaine_base_grams"] != "" and rows[i]["conviction_drug"] == "cocaine_base" and all(
            rows[i][f"{d}_grams"] == "" for d in LAW.drugs if d != "cocaine_base")
        if crack_only:
            lv = [r[f"{p}_offense_level"] for p in ("pre2007", "r2010", "r2014")]
            assert lv[0] >= lv[1] >= lv[2], (lv, rows[i])
        sentence = float("inf") if rows[i]["sentence_months"] in ("", "life") else float(rows[i]["sentence_months"])
        sa = rows[i]["substantial_assistance"] == "true"
        for a in ("a706", "a750", "a782", "a821"):
            if r[f"{a}_eligible"]:
                low = _m(r[f"{a}_lowest"], r[f"{a}_lowest_life"])
                assert low < sentence
                if not sa:
                    assert low >= _m(r[f"{a}_gl_min"], r[f"{a}_gl_min_life"]), (a, rows[i])
            else:
                assert r[f"{a}_reasons"], (a, rows[i])
        if r["fsa404_eligible"]:
            assert _m(r["fsa404_lowest"], r["fsa404_lowest_life"]) >= 0
    # batch == single case, on a few rows of each example
    for i in np.flatnonzero(~bad)[:3]:
        case = parse_case(row_to_document(rows[i], LAW), LAW, TODAY)
        single = compute_many(LAW, from_models([case], LAW.drugs), [parse_regime(t, LAW, TODAY) for t in REGIMES])
        for token, s in zip(REGIMES, single):
            d = result_dict(s, 0)
            p = {"original": "orig", "pre-2007": "pre2007", "2010": "r2010", "2014": "r2014", "current": "curr"}[token]
            assert res[i][f"{p}_offense_level"] == d["total_offense_level"], (token, rows[i])
            g = d["guideline_range"]
            assert _m(res[i][f"{p}_gl_min"], res[i][f"{p}_gl_min_life"]) == (LIFE if g["min_months"] == "life"
                                                                            else g["min_months"])


def teardown_module() -> None:
    print(f"\ninvariants: {COUNT['cases']:,} generated cases ({COUNT['valid']:,} valid) checked")
