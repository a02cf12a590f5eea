"""USSG §2D1.1, comment. (n.8(D)) Drug Equivalency / Conversion Tables: every ratio on the first and last
day of each period, and the Amendment 706/711 variable crack table.

Sources: for the six foundation drugs, the project's legal reference (drug-equivalency.md §§1-2, 5: USSG
App. C, Amendments 125, 318, 396, 555, 594, 706, 711, 715, 748). For the others: Amendment 126 (fentanyl
31.25 g -> 2.5 g of heroin, 1989-11-01), Amendment 396's example (PCP 1 kg, LSD 100 kg of marihuana a gram),
Amendment 657 (oxycodone: 500 g a gram of pill -> 6,700 g a gram actual, 2003-11-01), Amendment 609 (MDMA 35 g
-> 500 g, 2001-05-01). Values no text was found for are listed with status "unverified"/"derived" and must
be marked so in the data. Written out here as literals."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest

from sentcalc.law import default_law
from sentcalc.rules.drug_quantity import EQ, _ratio

LAW = default_law()
TODAY = "2026-11-25"

# drug -> [(first day, last day, grams of marihuana per gram (None: the variable table), status)]
RATIOS: dict[str, list[tuple[str, str, float | None, str]]] = {
    "cocaine_base": [("1987-11-01", "2007-10-31", 20_000, "verified"), ("2007-11-01", "2008-04-30", None, "verified"),
                     ("2008-05-01", "2010-10-31", 20_000, "verified"), ("2010-11-01", TODAY, 3571, "verified")],
    "cocaine": [("1987-11-01", TODAY, 200, "verified")],
    "heroin": [("1987-11-01", TODAY, 1000, "verified")],
    "methamphetamine": [("1987-11-01", "1989-10-31", 400, "verified"), ("1989-11-01", "1997-10-31", 1000, "verified"),
                        ("1997-11-01", TODAY, 2000, "verified")],
    "methamphetamine_actual": [("1987-11-01", "1990-10-31", 400, "derived"),  # no entry: the mixture's
                               ("1990-11-01", "2000-10-31", 10_000, "verified"), ("2000-11-01", TODAY, 20_000, "verified")],
    "marihuana": [("1987-11-01", TODAY, 1, "verified")],
    "fentanyl": [("1987-11-01", "1989-10-31", 31_250, "verified"), ("1989-11-01", TODAY, 2500, "verified")],
    "pcp": [("1987-11-01", TODAY, 1000, "verified")],
    "lsd": [("1987-11-01", TODAY, 100_000, "verified")],
    "oxycodone_actual": [("1987-11-01", "2003-10-31", 500, "derived"), ("2003-11-01", TODAY, 6700, "verified")],
    "mdma": [("1987-11-01", "2001-04-30", 35, "unverified"), ("2001-05-01", TODAY, 500, "verified")],
    "fentanyl_analogue": [("1987-11-01", TODAY, 10_000, "unverified")],
    "pcp_actual": [("1987-11-01", TODAY, 10_000, "unverified")],
    "hashish": [("1987-11-01", TODAY, 5, "unverified")],
    "hashish_oil": [("1987-11-01", TODAY, 50, "unverified")],
    "hydrocodone_actual": [("1987-11-01", "2015-10-31", 500, "unverified"), ("2015-11-01", TODAY, 6700, "unverified")],
}

# Amendment 706 as amended by 711 (2007-11-01 to 2008-04-30): kg of marihuana per gram of crack by the
# crack's own base offense level (reference §2).
VARIABLE = {38: 6.7, 36: 6.7, 34: 6, 32: 6.7, 30: 14, 28: 11.4, 26: 5, 24: 16, 22: 15, 20: 13.3, 18: 10, 16: 10,
            14: 10, 12: 10}


def _at(drug: str, day: str) -> float:
    return float(_ratio(LAW, drug, np.array([day], dtype="datetime64[D]"))[0])


@pytest.mark.parametrize(("drug", "first", "last", "grams"), [
    pytest.param(d, f, la, g, id=f"{d}-{f}") for d, periods in RATIOS.items() for f, la, g, _ in periods])
def test_ratio_in_force(drug: str, first: str, last: str, grams: float | None) -> None:
    for day in (first, last):
        got = _at(drug, day)
        assert (np.isnan(got) if grams is None else got == grams), (drug, day, got)


@pytest.mark.parametrize("drug", list(RATIOS))
def test_periods_are_contiguous_and_match_the_data(drug: str) -> None:
    periods = RATIOS[drug]
    for (_, last, _, _), (first, _, _, _) in zip(periods, periods[1:]):
        assert date.fromisoformat(last) + timedelta(days=1) == date.fromisoformat(first)
    assert periods[0][0] == "1987-11-01" and periods[-1][1] == TODAY


@pytest.mark.parametrize(("drug", "first", "status"), [
    pytest.param(d, f, s, id=f"{d}-{f}") for d, periods in RATIOS.items() for f, _, _, s in periods])
def test_ratio_status(drug: str, first: str, status: str) -> None:
    """A ratio no text was found for is marked, so results that use it carry a warning."""
    assert LAW.dated(EQ, "ratios", drug).on(date.fromisoformat(first)).status == status


def test_every_drug_has_a_ratio_or_counts_as_another() -> None:
    """Every drug with a table converts: by its own ratio, or (counted substances) through the line it counts as."""
    for drug in LAW.drugs:
        if drug in RATIOS:
            continue
        versions = LAW.drug_table(drug).versions
        assert all(v.data.get("counts_as") or v.data.get("levels") for v in versions), drug


@pytest.mark.parametrize("level", sorted(VARIABLE))
def test_amendment_711_variable_table(level: int) -> None:
    table = LAW.dated(EQ, "crack_variable").on(date(2008, 1, 15)).data["grams_by_level"]
    assert float(table[level]) == pytest.approx(VARIABLE[level] * 1000)
    assert LAW.dated(EQ, "crack_variable").on(date(2008, 5, 1)).data["grams_by_level"] == {}
