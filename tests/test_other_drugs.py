"""Drugs beyond the six of the foundation: fentanyl, fentanyl analogue, PCP, LSD, hashish, hashish oil
(Drug Quantity Table lines), oxycodone, hydrocodone and MDMA (no line of their own: scored through the
marihuana line), marihuana plants (counted), the level-12 minimum (Amendment 446), mixture and actual as
one substance. Sources are cited per test; values not in a source are hand computations."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from helpers import make_case, run_main, write_case
from sentcalc.law import default_law
from sentcalc.rules.drug_quantity import converted_drug_weight, quantity_level, top_threshold

LAW = default_law()
DRUGS = LAW.drugs


def level(drug: str, qty: float, day: str) -> int:
    return int(quantity_level(LAW, drug, np.array([float(qty)]), np.array([day], dtype="datetime64[D]"))["level"][0])


def combined(day: str, **qty: float) -> int:
    g = np.array([[qty.get(d, 0.0) for d in DRUGS]])
    d = np.array([day], dtype="datetime64[D]")
    return int(converted_drug_weight(LAW, g, DRUGS, lambda _: d, d)["level"][0])


# The original table (eff. 1987-11-01) as printed, levels 36 and 34 (lower bounds), from the text quoted
# in USSG App. C, Amendment 125 and the 1987 Manual (https://docslib.org/doc/5673643/): "10 KG PCP or 1 KG
# Pure PCP, 100 G LSD ..., 4 KG Fentanyl or 1 KG Fentanyl Analogue, 10,000 KG Marihuana, 100,000 Marihuana
# Plants, 2000 KG Hashish, 200 KG Hashish Oil" (36); "3-9.9 KG PCP or 300-999 G Pure PCP, 30-99 G LSD ...,
# 1.2-3.9 KG Fentanyl or 300-999 G Fentanyl Analogue, 3000-9999 KG Marihuana, 30,000-99,999 Marihuana
# Plants, 600-1999 KG Hashish, 60-199 KG Hashish Oil" (34).
PRINTED_1987 = {
    "pcp": (10_000, 3000), "pcp_actual": (1000, 300), "lsd": (100, 30), "fentanyl": (4000, 1200),
    "fentanyl_analogue": (1000, 300), "marihuana_plants": (100_000, 30_000), "hashish": (2_000_000, 600_000),
    "hashish_oil": (200_000, 60_000),
}
# Amendment 782 (eff. 2014-11-01), new (c)(1) and (c)(2) as quoted in its text
# (https://www.ussc.gov/node/40978): "90 KG or more of PCP, or 9 KG or more of PCP (actual); ... 900 G or
# more of LSD; 36 KG or more of Fentanyl; 9 KG or more of a Fentanyl Analogue; ... 18,000 KG or more of
# Hashish; 1,800 KG or more of Hashish Oil" (38); "At least 30 KG ... of PCP, or at least 3 KG ... of PCP
# (actual); ... At least 300 G ... of LSD; At least 12 KG ... of Fentanyl; At least 3 KG ... of a Fentanyl
# Analogue" (36).
PRINTED_782 = {"pcp": (90_000, 30_000), "pcp_actual": (9000, 3000), "lsd": (900, 300), "fentanyl": (36_000, 12_000),
               "fentanyl_analogue": (9000, 3000), "hashish": (18_000_000, None), "hashish_oil": (1_800_000, None)}


@pytest.mark.parametrize("drug", sorted(PRINTED_1987))
def test_1987_lines_as_printed(drug: str) -> None:
    at36, at34 = PRINTED_1987[drug]
    day = "1988-06-01"
    assert level(drug, at36, day) == 36 and level(drug, at36 * 100, day) == 36
    assert level(drug, at34, day) == 34 and level(drug, at36 * 0.999, day) == 34
    assert level(drug, at34 * 0.999, day) == 32


@pytest.mark.parametrize("drug", sorted(PRINTED_782))
def test_amendment_782_lines_as_printed(drug: str) -> None:
    at38, at36 = PRINTED_782[drug]
    assert level(drug, at38, "2014-11-01") == 38 and level(drug, at38 * 0.999, "2014-11-01") == 36
    assert level(drug, at38, "2014-10-31") == 38  # pre-782: a third of the quantity already reached 38
    if at36:
        assert level(drug, at36, "2020-01-01") == 36 and level(drug, at36 * 0.999, "2020-01-01") == 34


# Every derived line is the marihuana line of the same version divided by the drug's ratio; checking
# it cell by cell guards the data file against a slip in any one cell.
RATIO = {"fentanyl": 2500, "fentanyl_analogue": 10_000, "pcp": 1000, "pcp_actual": 10_000, "lsd": 100_000,
         "hashish": 5, "hashish_oil": 50}


@pytest.mark.parametrize("drug", sorted(RATIO))
@pytest.mark.parametrize("day", ["1988-06-01", "1990-06-01", "2000-06-01", "2016-06-01"])
def test_derived_lines_are_the_marihuana_line_over_the_ratio(drug: str, day: str) -> None:
    mj = LAW.drug_table("marihuana").on(np.datetime64(day).astype(object)).data["levels"]
    own = LAW.drug_table(drug).on(np.datetime64(day).astype(object)).data["levels"]
    floor = 12 if drug not in ("hashish", "hashish_oil") else 6
    want = {int(lv): (0 if int(lv) == floor else g / RATIO[drug]) for lv, g in mj.items() if int(lv) >= floor}
    assert {int(k): float(v) for k, v in own.items()} == pytest.approx(want, rel=1e-12)


def test_amendment_396_example_pcp_and_lsd() -> None:
    """USSG App. C, Amendment 396 (eff. 1991-11-01), n.10 example a: "70 grams of a substance containing PCP
    (Level 22) and 250 milligrams of a substance containing LSD (Level 18). The PCP converts to 70 kilograms
    of marihuana; the LSD converts to 25 kilograms of marihuana. The total is therefore equivalent to 95
    kilograms of marihuana, for which the Drug Quantity Table provides an offense level of 24." The deleted
    pre-1991 text reaches 24 too (95 g of PCP). After Amendment 782, 95 kg is level 22 (hand computation)."""
    assert level("pcp", 70, "1995-01-01") == 22
    assert level("lsd", 0.25, "1995-01-01") == 18
    for day in ("1990-01-01", "1995-01-01", "2013-01-01"):
        assert combined(day, pcp=70, lsd=0.25) == 24
    assert combined("2016-01-01", pcp=70, lsd=0.25) == 22


def test_oxycodone_through_the_marihuana_line() -> None:
    """Amendment 657 (2003-11-01): "1 gm of Oxycodone (actual) = 6700 gm of marihuana" and no line of its
    own. Hand computations: 10 g -> 67 kg -> pre-782 at least 60 kg but less than 80 kg -> 22; after 782
    (60-80 kg) -> 20. Before 657 the 500 g entry: 10 g -> 5 kg -> 14 (at least 5 kg but less than 10 kg).
    0.1 g after 782 -> 670 g -> 6 on the marihuana line, raised to 12 (Amendment 446 minimum)."""
    assert level("oxycodone_actual", 10, "2004-01-01") == 22
    assert level("oxycodone_actual", 10, "2016-01-01") == 20
    assert level("oxycodone_actual", 10, "2002-06-01") == 14
    assert level("oxycodone_actual", 0.1, "2016-01-01") == 12
    band = quantity_level(LAW, "oxycodone_actual", np.array([0.1]), np.array(["2016-01-01"], dtype="datetime64[D]"))
    assert band["lower"][0] == 0 and band["upper"][0] == pytest.approx(10_000 / 6700)  # "less than" level 14's bound
    top = top_threshold(LAW, "oxycodone_actual", np.array(["2016-01-01"], dtype="datetime64[D]"))[0]
    assert top == pytest.approx(90_000_000 / 6700)


def test_mdma_ratio_changed_by_amendment_609() -> None:
    """Amendment 609 (emergency, eff. 2001-05-01) struck 35 gm and inserted 500 gm. 100 g of MDMA: 3.5 kg
    -> 12 the day before (10 on the marihuana line, raised to the minimum 12); 50 kg -> 20 (40-60 kg)."""
    assert level("mdma", 100, "2001-04-30") == 12
    assert level("mdma", 100, "2001-05-01") == 20


def test_hydrocodone_amendment_793() -> None:
    """Hydrocodone (actual) 6,700 gm from 2015-11-01 (unverified). 10 g -> 67 kg -> 20 after 782."""
    assert level("hydrocodone_actual", 10, "2016-01-01") == 20


def test_marihuana_plants_by_date() -> None:
    """1987 table column (verified): "3-9 Marihuana Plants" at 8, 50 plants at 14. Amendment 125
    (1989-11-01): 50 or more plants 1 kg each, fewer 100 g: 50 plants -> 50 kg -> 20; 49 -> 4.9 kg -> 12.
    Amendment 516 (1995-11-01): 100 g each: 50 plants -> 5 kg -> 14; after 782 -> 12 (5-10 kg)."""
    assert level("marihuana_plants", 3, "1988-06-01") == 8
    assert level("marihuana_plants", 50, "1988-06-01") == 14
    assert level("marihuana_plants", 50, "1990-06-01") == 20
    assert level("marihuana_plants", 49, "1990-06-01") == 12
    assert level("marihuana_plants", 50, "1996-06-01") == 14
    assert level("marihuana_plants", 50, "2016-06-01") == 12
    tops = top_threshold(LAW, "marihuana_plants", np.array(["1990-06-01", "2016-06-01"], dtype="datetime64[D]"))
    assert list(tops) == [300_000, 900_000]  # 300,000 kg at 1 kg a plant; 90,000 kg at 100 g


def test_plants_and_harvested_marihuana_add_up() -> None:
    """Hand computation: 30 plants (3 kg after 1995) + 2 kg of marihuana = 5 kg -> 14 before 782."""
    assert combined("2000-01-01", marihuana_plants=30, marihuana=2000) == 14


def test_minimum_level_12_amendment_446() -> None:
    """Amendment 446 proviso: "the minimum offense level from the Drug Quantity Table for any of these
    controlled substances individually, or in combination with another controlled substance, is level 12."
    1 g cocaine + 100 g marihuana = 300 g -> 6 on the marihuana line after 782 -> 12. Cannabis alone keeps
    the marihuana line (hashish 100 g + marihuana 100 g = 600 g -> 6)."""
    assert combined("2016-01-01", cocaine=1, marihuana=100) == 12
    assert combined("2016-01-01", hashish=100, marihuana=100) == 6
    assert combined("1992-06-01", cocaine=1, marihuana=100) == 8  # between Amendments 396 and 446: 250 g-1 kg


def test_mixture_and_actual_are_one_substance() -> None:
    """Note B to the Drug Quantity Table: the greater of the mixture and actual weights, not their sum.
    100 g of PCP mixture holding 20 g actual: actual 20 g -> 200 kg, mixture 100 g -> 100 kg; with 1 kg of
    marihuana the total is 201 kg -> 26 (pre-782: 100-400 kg), not 301 kg."""
    assert combined("2010-01-01", pcp=100, pcp_actual=20, marihuana=1000) == 26


def test_plants_case_file_through_the_cli(tmp_path: Path, capsys) -> None:
    path = write_case(tmp_path, make_case(
        conviction={"statute": "841(b)(1)(B)", "drug": "marihuana_plants", "count": 150, "prior_convictions": 0},
        drugs=[{"drug": "marihuana_plants", "count": 150}], offense_date="2016-01-01",
        sentencing_date="2016-06-01"))
    code, out, err = run_main(["range", str(path)], capsys)
    assert code == 0, err
    assert "150 plants of marihuana plants" in out and "level 14" in out  # 15 kg -> 14 (10-20 kg)


@pytest.mark.parametrize(("amount", "field", "message"), [
    ({"drug": "marihuana_plants", "grams": 150}, "drugs.0.grams", "marihuana_plants is counted: give count"),
    ({"drug": "heroin", "count": 150}, "drugs.0.count", "heroin is weighed: give grams"),
    ({"drug": "heroin", "grams": 1, "count": 1}, "drugs.0", "exactly one"),
])
def test_wrong_unit_is_a_clear_error(tmp_path: Path, capsys, amount: dict, field: str, message: str) -> None:
    path = write_case(tmp_path, make_case(drugs=[amount]))
    code, _, err = run_main(["range", str(path)], capsys)
    assert code == 2 and "Traceback" not in err
    assert field in err and message in err, err


def test_tables_command_prints_converted_and_counted_lines(capsys) -> None:
    """`sentcalc tables drug-quantity` for a substance without a line of its own: oxycodone (actual) after
    782 reaches 38 at 90,000 kg / 6,700 = 13.4328 kg; below 1.49254 g (10 kg / 6,700) it is 12. Plants in
    1990: 49 plants are 4.9 kg (12), 50 plants 50 kg (20): no plant count scores 14 to 18."""
    code, out, _ = run_main(["tables", "drug-quantity", "--drug", "oxycodone_actual", "--regime", "2020-01-01"], capsys)
    assert code == 0 and "13.4328 kg or more" in out and "less than 1.49254 g" in out
    code, out, _ = run_main(["tables", "drug-quantity", "--drug", "marihuana_plants", "--regime", "1990-06-01"],
                            capsys)
    assert code == 0 and "at least 50 plants but less than 60 plants" in out
    assert "at least 25 plants but less than 50 plants" in out


def test_schedule_iii_iv_v_lines() -> None:
    """Amendment 517 (1995-11-01) text: "40,000 or more units of Schedule I or II Depressants or Schedule III
    substances" at level 20. Hand computations on the pre-782 marihuana line at 1 gm (III), 0.0625 gm (IV)
    and 0.00625 gm (V) a unit, each line stopping at 20, 12 and 8: III 1,000 units = 1 kg -> 10; IV 16,000
    units = 1 kg -> 10, 40,000 units = 2.5 kg -> 12 and no higher; V 40,000 units = 250 g -> 8 and no
    higher. After 782 the tops move with the marihuana line (III at 20 from 60,000 units)."""
    day = "2000-01-01"
    assert [level("schedule_iii", q, day) for q in (100, 1000, 40_000, 10**8)] == [6, 10, 20, 20]
    assert [level("schedule_iv", q, day) for q in (100, 16_000, 40_000, 10**8)] == [6, 10, 12, 12]
    assert [level("schedule_v", q, day) for q in (100, 40_000, 10**9)] == [6, 8, 8]
    assert level("schedule_iii", 59_999, "2016-01-01") == 18 and level("schedule_iii", 60_000, "2016-01-01") == 20


def test_schedule_caps_on_combined_weight() -> None:
    """The caps (n.8(D)/n.10(E)): Schedule V may not exceed 999 g of marihuana (quoted, pre-2014 Manual);
    IV and V together 4.99 kg; III, IV and V together 59.99 kg (derived: tops of the level-12 and -20 bands).
    Hand computations: 10 million units of V (62.5 kg) + 100 g marihuana -> 999 g + 100 g = 1,099 g -> 10;
    10 million of IV and of V -> 4.99 kg -> 12; 10 million of III (10,000 kg) + 1 kg heroin -> 59.99 kg +
    1,000 kg = 1,059.99 kg -> 32. After 782 the V cap is 2.49 kg: 2.49 kg + 100 g = 2.59 kg -> 10."""
    assert combined("2000-01-01", schedule_v=10**7, marihuana=100) == 10
    assert combined("2000-01-01", schedule_iv=10**7, schedule_v=10**7) == 12
    assert combined("2000-01-01", schedule_iii=10**7, heroin=1000) == 32
    assert combined("2016-01-01", schedule_v=10**7, marihuana=100) == 10


def test_schedule_iv_cannot_be_the_drug_of_conviction(tmp_path: Path, capsys) -> None:
    path = write_case(tmp_path, make_case(
        conviction={"statute": "841(b)(1)(C)", "drug": "schedule_iv", "count": 1000, "prior_convictions": 0},
        drugs=[{"drug": "schedule_iv", "count": 1000}]))
    code, _, err = run_main(["range", str(path)], capsys)
    assert code == 2 and "Traceback" not in err
    assert "conviction.drug" in err and "§841(b)(1)(E), (b)(2) or (b)(3)" in err


def test_possession_of_fentanyl_under_2d2_1(tmp_path: Path, capsys) -> None:
    """USSG §2D2.1(a)(1) (current text, guidelines.ussc.gov): "8, if the substance is heroin or any
    Schedule I or II opiate, an analogue of these, or cocaine base"; the same words in the Nov. 2005 Manual,
    in force unchanged from 1997-11-01 (Amendments 556, 558) to 2010-11-01 (Historical Note). Before 1997 the
    same level is used, marked as not yet checked against that edition's text."""
    def run(sentenced: str) -> dict:
        path = write_case(tmp_path, make_case(
            conviction={"statute": "844(a)", "drug": "fentanyl", "grams": 2, "prior_convictions": 0},
            drugs=[{"drug": "fentanyl", "grams": 2}], offense_date="1995-01-01", sentencing_date=sentenced))
        code, out, err = run_main(["range", str(path), "--json"], capsys)
        assert code == 0, err
        return json.loads(out)["results"][0]
    now, in_2009, then = run("2019-06-01"), run("2009-06-01"), run("1996-06-01")
    assert now["base_offense_level"] == in_2009["base_offense_level"] == then["base_offense_level"] == 8
    assert not any("§2D2.1 level for fentanyl" in w for w in now["warnings"] + in_2009["warnings"])
    assert any("§2D2.1 level for fentanyl" in w for w in then["warnings"])
