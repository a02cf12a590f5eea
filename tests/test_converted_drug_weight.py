"""Converted drug weight (USSG §2D1.1, comment. (n.8(D))) and the 2007-2010 crack rules, reproduced from
the amendment texts and checked as properties."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import make_case, range_json
from sentcalc.law import default_law
from sentcalc.rules.drug_quantity import converted_drug_weight, quantity_level

LAW = default_law()
DRUGS = LAW.drugs


def _level(on: str, **grams: float) -> int:
    g = np.array([[grams.get(d, 0.0) for d in DRUGS]])
    d = np.array([on], dtype="datetime64[D]")
    return int(converted_drug_weight(LAW, g, DRUGS, lambda _: d, d)["level"][0])


def test_amendment_715_first_example() -> None:
    """USSG App. C, Amendment 715 (eff. 2008-05-01), commentary example: 20 g crack + 1.5 kg cocaine + 10 kg
    marihuana = 400 + 300 + 10 = 710 kg → level 30, minus 2 = 28 (the other drugs alone, 310 kg, are 26)."""
    assert _level("2009-01-01", cocaine_base=20, cocaine=1500, marihuana=10_000) == 28


def test_amendment_715_second_example() -> None:
    """Amendment 715 example: 5 g crack + 6 kg heroin = 6,100 kg → 34; minus 2 would be 32, below the
    heroin-only level of 34, so the level stays 34."""
    assert _level("2009-01-01", cocaine_base=5, heroin=6000) == 34


def test_amendment_715_exceptions_and_end() -> None:
    # 4.5 kg or more of crack: no reduction (4.5 kg × 20 kg = 90,000 kg + 1 kg cocaine 200 kg → level 38).
    assert _level("2009-01-01", cocaine_base=4500, cocaine=1000) == 38
    # less than 250 mg of crack: no reduction. 0.2 g × 20 kg = 4 kg + 500 g cocaine = 100 kg → 104 kg = 26.
    assert _level("2009-01-01", cocaine_base=0.2, cocaine=500) == 26
    # Amendment 748 (2010-11-01) deleted the rule and set crack at 3,571 g: 20 g = 71.42 kg + 300 + 10 = 381.42 kg → 26.
    assert _level("2011-01-01", cocaine_base=20, cocaine=1500, marihuana=10_000) == 26


def test_amendment_711_variable_table() -> None:
    """Hand computation from the Amendment 706/711 table (in force 2007-11-01 to 2008-04-30): 10 g crack is
    level 24 under Amendment 706, so 10 × 16 kg = 160 kg; + 100 g heroin = 100 kg; 260 kg → level 26."""
    assert _level("2008-01-15", cocaine_base=10, heroin=100) == 26


def test_before_1991_heroin_method_floor() -> None:
    """Before Amendment 396 a combination with heroin scored at least level 12 (derived from the 1987 method):
    1 g heroin + 100 g marihuana = 1.1 kg → level 10 in the marihuana line, 12 by the heroin line."""
    assert _level("1990-06-01", heroin=1, marihuana=100) == 12
    assert _level("1992-06-01", heroin=1, marihuana=100) == 10


def test_multi_drug_case_through_the_cli(tmp_path: Path) -> None:
    case = make_case(offense_date="2008-01-01", sentencing_date="2009-01-10",
                     conviction={"statute": "841(b)(1)(B)", "drug": "cocaine_base", "grams": 20},
                     drugs=[{"drug": "cocaine_base", "grams": 20}, {"drug": "cocaine", "grams": 1500},
                            {"drug": "marihuana", "grams": 10000}])
    out = range_json(tmp_path, case, "original", "2014")
    assert out["original"]["base_offense_level"] == 28
    step = next(s for s in out["original"]["steps"] if s["rule"] == "drug_quantity")
    assert "710 kg" in step["detail"] and "Amendment 715" in step["detail"]
    # 2014: 20 g crack × 3,571 = 71.42 kg + 300 kg + 10 kg = 381.42 kg → 782 marihuana line: 100-400 kg... = 24
    assert out["2014"]["base_offense_level"] == 24


grams = st.floats(min_value=0, max_value=1e6, allow_nan=False)
days = st.sampled_from(["1988-06-01", "1990-01-01", "1992-06-01", "1995-01-01", "2008-01-15", "2009-01-01", "2012-01-01",
                       "2020-01-01"])


@settings(max_examples=300, derandomize=True)
@given(base=st.fixed_dictionaries({d: grams for d in DRUGS}), drug=st.sampled_from(DRUGS), extra=grams, on=days)
def test_adding_any_drug_never_lowers_the_level(base: dict, drug: str, extra: float, on: str) -> None:
    if sum(v > 0 for v in base.values()) < 2:
        base = {**base, "cocaine": base["cocaine"] + 1, "heroin": base["heroin"] + 1}
    more = {**base, drug: base[drug] + extra}
    assert _level(on, **more) >= _level(on, **base)


EXACT = ["cocaine", "heroin", "methamphetamine", "fentanyl", "fentanyl_analogue", "pcp", "pcp_actual", "lsd",
         "hashish", "hashish_oil"]


@settings(max_examples=400, derandomize=True)
@given(drug=st.sampled_from(EXACT), g=st.floats(0.0001, 1e7), on=days)
def test_exact_ratio_drug_alone_gives_its_own_row(drug: str, g: float, on: str) -> None:
    """For a drug whose ratio is exact, converting it alone gives its own Drug Quantity Table row. Level
    12 matches too, by the minimum level (heroin line before 1991-11-01, Amendment 446 from 1992-11-01),
    except in the year between, when the marihuana line went lower."""
    if drug == "fentanyl" and on < "1989-11-01":
        return  # 1987's equivalency (31.25 g of heroin) did not match its own line; Amendment 126 fixed it
    d = np.array([on], dtype="datetime64[D]")
    own = quantity_level(LAW, drug, np.array([g]), d)["level"][0]
    if own == 12 and "1991-11-01" <= on < "1992-11-01" and drug not in ("hashish", "hashish_oil"):
        return
    via = _level(on, **{drug: g})
    assert via == own


def test_amendment_706_avenue_uses_715_for_orders_from_may_2008(tmp_path: Path) -> None:
    """Hand computation: 5 g crack + 50 g heroin, sentenced 2007-06-01 (before 706: 5 g × 20 kg = 100 kg +
    50 kg = 150 kg → level 26). The 706 avenue for an order in March 2008 uses Amendment 711's table (5 g is
    level 24 under 706 → 16 kg per g = 80 kg; + 50 kg = 130 kg → 26, not lowered); from 2008-05-01 it uses
    Amendment 715 (150 kg → 26, minus 2 = 24, not below the heroin alone, 50 kg = 22)."""
    import json

    from typer.testing import CliRunner

    from helpers import write_case
    from sentcalc.cli import app
    case = make_case(offense_date="2006-06-01", sentencing_date="2007-06-01",
                     conviction={"statute": "841(b)(1)(B)", "drug": "cocaine_base", "grams": 5},
                     drugs=[{"drug": "cocaine_base", "grams": 5}, {"drug": "heroin", "grams": 50}],
                     sentence_months=70, custody_start="2006-06-01")
    p = write_case(tmp_path, case)
    out = {}
    for as_of in ("2008-03-15", "2008-06-15"):
        res = CliRunner().invoke(app, ["--today", "2026-11-25", "retro", str(p), "--json", "--as-of", as_of])
        a = next(x for x in json.loads(res.stdout)["analyses"] if x["id"] == "amendment-706")
        out[as_of] = a["amended"]["base_offense_level"]
        assert json.loads(res.stdout)["original"]["base_offense_level"] == 26
    assert out == {"2008-03-15": 26, "2008-06-15": 24}


def test_dillon_crack_and_powder_under_706_as_amended_by_711(tmp_path: Path) -> None:
    """Dillon v. United States, 560 U.S. 817 (2010): crack and powder cocaine offenses, base offense level 38,
    262-327 months (category II); under Amendment 706 as amended by 711 the range became 210-262 and the court
    reduced the sentence to its bottom. The opinion gives no relevant-conduct quantities; they are filled in
    here by hand so that they score as the opinion says: 1.6 kg crack + 2 kg powder. Before 706: 1.6 kg × 20 kg
    + 2 kg × 200 g = 32,400 kg of marihuana → level 38. Order date 2008-09-01 (Amendment 715's method):
    level 38 − 2 = 36 (crack under 4.5 kg; powder alone, 400 kg, is 28) → 36/II = 210-262; lowest 210."""
    import json

    from typer.testing import CliRunner

    from helpers import write_case
    from sentcalc.cli import app
    case = make_case(offense_date="1992-12-01", sentencing_date="1993-10-01",
                     conviction={"statute": "841(b)(1)(A)", "drug": "cocaine_base", "grams": 50},
                     drugs=[{"drug": "cocaine_base", "grams": 1600}, {"drug": "cocaine", "grams": 2000}],
                     criminal_history={"points": 2}, sentence_months=262, consecutive_months=60, departure="none",
                     custody_start="1992-12-01")
    res = CliRunner().invoke(app, ["--today", "2026-11-25", "retro", str(write_case(tmp_path, case)), "--json",
                                   "--as-of", "2008-09-01"])
    doc = json.loads(res.stdout)
    assert doc["original"]["base_offense_level"] == 38
    assert doc["original"]["guideline_range"] == {"min_months": 262, "max_months": 327}
    a = next(x for x in doc["analyses"] if x["id"] == "amendment-706")
    assert a["eligible"] and a["lowest_permissible_months"] == 210
    assert a["amended"]["guideline_range"] == {"min_months": 210, "max_months": 262}
