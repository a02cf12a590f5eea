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
from sentcalc.io.flat import quantity_column, row_to_document
from sentcalc.kernel import Options, recompute
from sentcalc.law import LIFE, default_law
from sentcalc.regimes import parse_regime
from sentcalc.report.result import result_dict
from sentcalc.rules.sentencing_table import _cells

LAW = default_law()
TODAY = date(2026, 11, 25)
LONG = bool(os.environ.get("SENTCALC_LONG"))
ROWS = (30, 50) if LONG else (20, 40)
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
        row[quantity_column(LAW, d)] = ""
    for d in draw(st.lists(st.sampled_from(LAW.drugs), min_size=1, max_size=3, unique=True)):
        row[quantity_column(LAW, d)] = draw(num(0, 50_000_000))
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
            rows[i][quantity_column(LAW, d)] == "" for d in LAW.drugs if d != "cocaine_base")
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


def _random_rows(n: int, seed: int) -> pa.Table:
    """n rows drawn with numpy across every field (some values invalid on purpose), for volume."""
    rng = np.random.default_rng(seed)
    base = np.datetime64("1987-11-01")
    od = base + rng.integers(0, 365 * 38, n).astype("timedelta64[D]")
    sd = np.minimum(od + rng.integers(0, 1500, n).astype("timedelta64[D]"), np.datetime64("2026-11-25"))
    bad_order = rng.random(n) < 0.02
    sd = np.where(bad_order, od - 30, sd)
    drugs = np.array(LAW.drugs + ("crack",))
    conv = drugs[np.minimum(rng.integers(0, len(drugs) * 10, n) // 10, len(drugs) - 1)]
    cols: dict[str, object] = {
        "id": np.char.add("r", np.arange(n).astype(str)).astype(object),
        "offense_date": od.astype(str), "sentencing_date": sd.astype(str),
        "statute": rng.choice(["841(b)(1)(A)", "841(b)(1)(B)", "841(b)(1)(C)", "841(b)(1)(D)", "844(a)"], n,
                              p=[0.3, 0.3, 0.3, 0.05, 0.05]),
        "conviction_drug": conv,
        "conviction_grams": np.where(rng.random(n) < 0.5, "", np.round(np.exp(rng.uniform(-2, 15, n)), 2).astype(str)),
        "prior_convictions": rng.choice(["0", "1", "2", "3"], n, p=[0.8, 0.12, 0.07, 0.01]),
        "priors_qualify_after_2018": rng.choice(["", "true", "false"], n),
        "death_or_injury": rng.choice(["false", "true"], n, p=[0.97, 0.03]),
        "adjustment_sections": rng.choice(["", "2D1.1(b)(1)", "3B1.1(c)", "3C1.1", "2D1.1(b)(1);3B1.1(a)"], n),
        "adjustment_levels": rng.choice(["0", "2", "4", "6", "-2"], n),
        "named_adjustments": rng.choice(["", "", "", "2D1.1(b)(12)", "3C1.1;2D1.1(b)(2)"], n),
        "mitigating_role": rng.choice(["0", "2", "3", "4"], n, p=[0.85, 0.05, 0.05, 0.05]),
        "acceptance": rng.choice(["0", "2", "3"], n, p=[0.1, 0.1, 0.8]),
        "criminal_history_points": np.where(rng.random(n) < 0.05, "", rng.geometric(0.2, n).astype(str)),
        "status_points": rng.choice(["0", "1", "2"], n, p=[0.8, 0.05, 0.15]),
        "recency_points": rng.choice(["0", "1", "2"], n, p=[0.9, 0.05, 0.05]),
        "criminal_history_category": rng.choice(["", "I", "IV", "VI"], n, p=[0.9, 0.04, 0.03, 0.03]),
        "career_offender": rng.choice(["false", "true"], n, p=[0.85, 0.15]),
        "safety_valve": rng.choice(["false", "true"], n, p=[0.8, 0.2]),
        "substantial_assistance": rng.choice(["false", "true"], n, p=[0.85, 0.15]),
        "zero_point_offender": rng.choice(["", "true", "false"], n),
        "sentence_months": np.where(rng.random(n) < 0.03, "life", rng.integers(0, 500, n).astype(str)),
        "custody_start": od.astype(str),
        "fsa_applied_at_sentencing": rng.choice(["", "false"], n, p=[0.95, 0.05]),
    }
    for d in LAW.drugs:
        g = np.round(np.exp(rng.uniform(-3, 17, n)), 3).astype(str)
        cols[quantity_column(LAW, d)] = np.where((conv == d) | (rng.random(n) < 0.08), g, "")
    return pa.table({k: pa.array(np.asarray(v).tolist(), type=pa.string()) for k, v in cols.items()})


def _life(out, name: str) -> np.ndarray:
    v = out.column(name).to_numpy(zero_copy_only=False).astype(float)
    life = out.column(f"{name}_life").to_numpy(zero_copy_only=False).astype(bool)
    return np.where(life, LIFE, v)


def test_invariants_at_scale() -> None:
    """Volume: 5,000 rows in CI, 200,000 with SENTCALC_LONG=1 (printed at the end of the run)."""
    total = 200_000 if LONG else 5_000
    codes = {a * 100_000 + b for a, b in ALL_CELLS}
    for k, start in enumerate(range(0, total, 20_000)):
        table = _random_rows(min(20_000, total - start), seed=k)
        out, _, bad = recompute(table, Options(REGIMES, retro=True, as_of=TODAY, today=TODAY))
        COUNT["cases"] += table.num_rows
        COUNT["valid"] += int((~bad).sum())
        good = out.filter(pa.array(~bad))
        for p in ("orig", "pre2007", "r2010", "r2014", "curr"):
            tmin, tmax = _life(good, f"{p}_table_min"), _life(good, f"{p}_table_max")
            assert np.isin(tmin * 100_000 + tmax, list(codes)).all(), p
            gmin, gmax = _life(good, f"{p}_gl_min"), _life(good, f"{p}_gl_max")
            smin, smax = _life(good, f"{p}_stat_min"), _life(good, f"{p}_stat_max")
            assert ((smin <= gmin) & (gmin <= gmax) & (gmax <= smax)).all(), p
        rows = table.filter(pa.array(~bad))
        # crack only, and no section whose levels later law added (2010's (b)(2), (b)(12)): the FSA and 782
        # themselves never raise the level
        crack = (np.array(rows.column("conviction_drug").to_pylist()) == "cocaine_base") & (
            np.array(rows.column("named_adjustments").to_pylist()) == "")
        for d in LAW.drugs:
            if d != "cocaine_base":
                crack &= np.array(rows.column(quantity_column(LAW, d)).to_pylist()) == ""
        lv = [good.column(f"{p}_offense_level").to_numpy(zero_copy_only=False)[crack] for p in ("pre2007", "r2010", "r2014")]
        assert (lv[0] >= lv[1]).all() and (lv[1] >= lv[2]).all()
        sa = np.array(rows.column("substantial_assistance").to_pylist()) == "true"
        for a in ("a706", "a750", "a782", "a821"):
            el = good.column(f"{a}_eligible").to_numpy(zero_copy_only=False).astype(bool)
            low, amin = _life(good, f"{a}_lowest"), _life(good, f"{a}_gl_min")
            assert (low[el & ~sa] >= amin[el & ~sa]).all(), a
            reasons = good.column(f"{a}_reasons").to_numpy(zero_copy_only=False)
            assert (reasons[~el] != "").all(), a
