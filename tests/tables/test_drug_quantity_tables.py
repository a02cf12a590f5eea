"""USSG §2D1.1(c) Drug Quantity Table: every row of every version for the six drugs.

Primary sources: USSG §2D1.1(c), Guidelines Manual Nov. 1, 2025 and Nov. 1, 2016; USSG App. C,
Amendments 125 (eff. 1989-11-01; its deleted text quotes the whole original 1987 table), 505
(1994-11-01, top level 38), 555 (1997-11-01, methamphetamine mixture halved), 594 (2000-11-01,
methamphetamine actual / Ice halved), 706 (2007-11-01), 748 (2010-11-01) / 750 (2011-11-01, 748
repromulgated without change) and 782 (2014-11-01). The 1987 methamphetamine line is (derived): the
original table had none, and Application Note 10 (1987) scored 1 g of methamphetamine as 2 g of
cocaine, so it is the 1987 cocaine line divided by 2. Before 1989-11-01 methamphetamine (actual) had no
line of its own and the mixture line applies.

Each entry is the LOWER BOUND in grams ("at least"); a band runs up to the next level's bound; the
lowest level is "less than" the next bound, written 0. Values are transcribed by hand from the
project's legal reference (drug-quantity-tables.md) and written out here as literals.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest

from sentcalc.law import default_law
from sentcalc.rules.drug_quantity import quantity_level

TODAY = "2026-11-25"  # "to present": the last day checked for the versions still in force

# drug -> [(version, first day, last day, ((level, lower bound in grams), ...))], oldest first.
TABLES: dict[str, list[tuple[str, str, str, tuple[tuple[int, float], ...]]]] = {
    "cocaine_base": [
        ("orig_1987", "1987-11-01", "1989-10-31", (
            (36, 500), (34, 150), (32, 50), (30, 35), (28, 20), (26, 5), (24, 4), (22, 3), (20, 2),
            (18, 1), (16, 0.5), (14, 0.25), (12, 0))),
        ("amdt_125", "1989-11-01", "1994-10-31", (
            (42, 15_000), (40, 5000), (38, 1500), (36, 500), (34, 150), (32, 50), (30, 35), (28, 20),
            (26, 5), (24, 4), (22, 3), (20, 2), (18, 1), (16, 0.5), (14, 0.25), (12, 0))),
        ("pre_2007", "1994-11-01", "2007-10-31", (
            (38, 1500), (36, 500), (34, 150), (32, 50), (30, 35), (28, 20), (26, 5), (24, 4), (22, 3),
            (20, 2), (18, 1), (16, 0.5), (14, 0.25), (12, 0))),
        ("amdt_706", "2007-11-01", "2010-10-31", (
            (38, 4500), (36, 1500), (34, 500), (32, 150), (30, 50), (28, 35), (26, 20), (24, 5), (22, 4),
            (20, 3), (18, 2), (16, 1), (14, 0.5), (12, 0))),
        ("amdt_748_750", "2010-11-01", "2014-10-31", (
            (38, 8400), (36, 2800), (34, 840), (32, 280), (30, 196), (28, 112), (26, 28), (24, 22.4),
            (22, 16.8), (20, 11.2), (18, 5.6), (16, 2.8), (14, 1.4), (12, 0))),
        ("amdt_782", "2014-11-01", TODAY, (
            (38, 25_200), (36, 8400), (34, 2800), (32, 840), (30, 280), (28, 196), (26, 112), (24, 28),
            (22, 22.4), (20, 16.8), (18, 11.2), (16, 5.6), (14, 2.8), (12, 0))),
    ],
    "cocaine": [
        ("orig_1987", "1987-11-01", "1989-10-31", (
            (36, 50_000), (34, 15_000), (32, 5000), (30, 3500), (28, 2000), (26, 500), (24, 400),
            (22, 300), (20, 200), (18, 100), (16, 50), (14, 25), (12, 0))),
        ("amdt_125", "1989-11-01", "1994-10-31", (
            (42, 1_500_000), (40, 500_000), (38, 150_000), (36, 50_000), (34, 15_000), (32, 5000),
            (30, 3500), (28, 2000), (26, 500), (24, 400), (22, 300), (20, 200), (18, 100), (16, 50),
            (14, 25), (12, 0))),
        ("pre_782", "1994-11-01", "2014-10-31", (
            (38, 150_000), (36, 50_000), (34, 15_000), (32, 5000), (30, 3500), (28, 2000), (26, 500),
            (24, 400), (22, 300), (20, 200), (18, 100), (16, 50), (14, 25), (12, 0))),
        ("amdt_782", "2014-11-01", TODAY, (
            (38, 450_000), (36, 150_000), (34, 50_000), (32, 15_000), (30, 5000), (28, 3500), (26, 2000),
            (24, 500), (22, 400), (20, 300), (18, 200), (16, 100), (14, 50), (12, 0))),
    ],
    "heroin": [
        ("orig_1987", "1987-11-01", "1989-10-31", (
            (36, 10_000), (34, 3000), (32, 1000), (30, 700), (28, 400), (26, 100), (24, 80), (22, 60),
            (20, 40), (18, 20), (16, 10), (14, 5), (12, 0))),
        ("amdt_125", "1989-11-01", "1994-10-31", (
            (42, 300_000), (40, 100_000), (38, 30_000), (36, 10_000), (34, 3000), (32, 1000), (30, 700),
            (28, 400), (26, 100), (24, 80), (22, 60), (20, 40), (18, 20), (16, 10), (14, 5), (12, 0))),
        ("pre_782", "1994-11-01", "2014-10-31", (
            (38, 30_000), (36, 10_000), (34, 3000), (32, 1000), (30, 700), (28, 400), (26, 100), (24, 80),
            (22, 60), (20, 40), (18, 20), (16, 10), (14, 5), (12, 0))),
        ("amdt_782", "2014-11-01", TODAY, (
            (38, 90_000), (36, 30_000), (34, 10_000), (32, 3000), (30, 1000), (28, 700), (26, 400),
            (24, 100), (22, 80), (20, 60), (18, 40), (16, 20), (14, 10), (12, 0))),
    ],
    "methamphetamine": [
        # (derived): 1987 cocaine line / 2 (Application Note 10 (1987): 1 g methamphetamine = 2 g cocaine).
        ("orig_1987", "1987-11-01", "1989-10-31", (
            (36, 25_000), (34, 7500), (32, 2500), (30, 1750), (28, 1000), (26, 250), (24, 200), (22, 150),
            (20, 100), (18, 50), (16, 25), (14, 12.5), (12, 0))),
        ("amdt_125", "1989-11-01", "1994-10-31", (
            (42, 300_000), (40, 100_000), (38, 30_000), (36, 10_000), (34, 3000), (32, 1000), (30, 700),
            (28, 400), (26, 100), (24, 80), (22, 60), (20, 40), (18, 20), (16, 10), (14, 5), (12, 0))),
        ("amdt_505", "1994-11-01", "1997-10-31", (
            (38, 30_000), (36, 10_000), (34, 3000), (32, 1000), (30, 700), (28, 400), (26, 100), (24, 80),
            (22, 60), (20, 40), (18, 20), (16, 10), (14, 5), (12, 0))),
        # Amendment 555 as printed in App. C reads "1.5 G" at level 34; the Manual reads 1.5 KG (misprint).
        ("pre_782", "1997-11-01", "2014-10-31", (
            (38, 15_000), (36, 5000), (34, 1500), (32, 500), (30, 350), (28, 200), (26, 50), (24, 40),
            (22, 30), (20, 20), (18, 10), (16, 5), (14, 2.5), (12, 0))),
        ("amdt_782", "2014-11-01", TODAY, (
            (38, 45_000), (36, 15_000), (34, 5000), (32, 1500), (30, 500), (28, 350), (26, 200), (24, 50),
            (22, 40), (20, 30), (18, 20), (16, 10), (14, 5), (12, 0))),
    ],
    "methamphetamine_actual": [
        # No actual line before Amendment 125: the (derived) 1987 mixture line applies.
        ("orig_1987 (mixture line)", "1987-11-01", "1989-10-31", (
            (36, 25_000), (34, 7500), (32, 2500), (30, 1750), (28, 1000), (26, 250), (24, 200), (22, 150),
            (20, 100), (18, 50), (16, 25), (14, 12.5), (12, 0))),
        # "Pure Methamphetamine"; renamed "(actual)" by Amdt 395 and "Ice" added by Amdt 370 (1991-11-01).
        ("amdt_125", "1989-11-01", "1994-10-31", (
            (42, 30_000), (40, 10_000), (38, 3000), (36, 1000), (34, 300), (32, 100), (30, 70), (28, 40),
            (26, 10), (24, 8), (22, 6), (20, 4), (18, 2), (16, 1), (14, 0.5), (12, 0))),
        ("amdt_505", "1994-11-01", "2000-10-31", (
            (38, 3000), (36, 1000), (34, 300), (32, 100), (30, 70), (28, 40), (26, 10), (24, 8), (22, 6),
            (20, 4), (18, 2), (16, 1), (14, 0.5), (12, 0))),
        ("pre_782", "2000-11-01", "2014-10-31", (
            (38, 1500), (36, 500), (34, 150), (32, 50), (30, 35), (28, 20), (26, 5), (24, 4), (22, 3),
            (20, 2), (18, 1), (16, 0.5), (14, 0.25), (12, 0))),
        ("amdt_782", "2014-11-01", TODAY, (
            (38, 4500), (36, 1500), (34, 500), (32, 150), (30, 50), (28, 35), (26, 20), (24, 5), (22, 4),
            (20, 3), (18, 2), (16, 1), (14, 0.5), (12, 0))),
    ],
    "marihuana": [
        ("orig_1987", "1987-11-01", "1989-10-31", (
            (36, 10_000_000), (34, 3_000_000), (32, 1_000_000), (30, 700_000), (28, 400_000),
            (26, 100_000), (24, 80_000), (22, 60_000), (20, 40_000), (18, 20_000), (16, 10_000),
            (14, 5000), (12, 2500), (10, 1000), (8, 250), (6, 0))),
        ("amdt_125", "1989-11-01", "1994-10-31", (
            (42, 300_000_000), (40, 100_000_000), (38, 30_000_000), (36, 10_000_000), (34, 3_000_000),
            (32, 1_000_000), (30, 700_000), (28, 400_000), (26, 100_000), (24, 80_000), (22, 60_000),
            (20, 40_000), (18, 20_000), (16, 10_000), (14, 5000), (12, 2500), (10, 1000), (8, 250),
            (6, 0))),
        ("pre_782", "1994-11-01", "2014-10-31", (
            (38, 30_000_000), (36, 10_000_000), (34, 3_000_000), (32, 1_000_000), (30, 700_000),
            (28, 400_000), (26, 100_000), (24, 80_000), (22, 60_000), (20, 40_000), (18, 20_000),
            (16, 10_000), (14, 5000), (12, 2500), (10, 1000), (8, 250), (6, 0))),
        ("amdt_782", "2014-11-01", TODAY, (
            (38, 90_000_000), (36, 30_000_000), (34, 10_000_000), (32, 3_000_000), (30, 1_000_000),
            (28, 700_000), (26, 400_000), (24, 100_000), (22, 80_000), (20, 60_000), (18, 40_000),
            (16, 20_000), (14, 10_000), (12, 5000), (10, 2500), (8, 1000), (6, 0))),
    ],
}


def level_of(drug: str, grams: float, day: str) -> dict:
    out = quantity_level(default_law(), drug, np.array([float(grams)]), np.array([day], dtype="datetime64[D]"))
    return {k: v[0] for k, v in out.items()}


def rows():
    """One param per (drug, version, row, day): the first and the last day of the version."""
    for drug, versions in TABLES.items():
        for version, first, last, table in versions:
            for k, (level, bound) in enumerate(table):
                below = table[k + 1][0] if k + 1 < len(table) else None
                upper = table[k - 1][1] if k > 0 else float("inf")
                for day in (first, last):
                    yield pytest.param(drug, level, bound, below, upper, day,
                                       id=f"{drug}-{version}-L{level}-{bound:g}g-{day}")


def test_literal_tables_are_well_formed():
    for drug, versions in TABLES.items():
        for version, first, last, table in versions:
            levels = [lv for lv, _ in table]
            bounds = [g for _, g in table]
            assert levels == list(range(levels[0], levels[-1] - 1, -2)), (drug, version)
            assert bounds == sorted(bounds, reverse=True) and len(set(bounds)) == len(bounds), (drug, version)
            assert bounds[-1] == 0 and first <= last, (drug, version)


@pytest.mark.parametrize("drug", list(TABLES))
def test_versions_are_contiguous_and_match_the_data(drug):
    """Each version starts the day after the previous one ends; the data's effective dates agree."""
    versions = TABLES[drug]
    for (_, _, last, _), (_, first, _, _) in zip(versions, versions[1:]):
        assert date.fromisoformat(last) + timedelta(days=1) == date.fromisoformat(first)
    effective = [v.effective.isoformat() for v in default_law().drug_table(drug).versions]
    assert effective == [first for _, first, _, _ in versions]


@pytest.mark.parametrize(("drug", "level", "bound", "below", "upper", "day"), list(rows()))
def test_lower_bound_gives_the_level(drug, level, bound, below, upper, day):
    """Exactly the lower bound ("at least X") scores the row's level; the band ends at the next bound."""
    out = level_of(drug, bound, day)
    assert int(out["level"]) == level
    assert float(out["lower"]) == bound
    assert float(out["upper"]) == upper


@pytest.mark.parametrize(("drug", "level", "bound", "below", "upper", "day"), list(rows()))
def test_just_below_the_lower_bound_gives_the_next_lower_level(drug, level, bound, below, upper, day):
    """A hair below the bound falls in the next lower row; the lowest row (bound 0) takes 0 g."""
    if bound == 0:
        assert int(level_of(drug, 0, day)["level"]) == level
        assert int(level_of(drug, 1e-9, day)["level"]) == level
    else:
        assert int(level_of(drug, bound * (1 - 1e-9), day)["level"]) == below


@pytest.mark.parametrize(("drug", "version", "top", "top_bound", "day"), [
    pytest.param(drug, version, table[0][0], table[0][1], day, id=f"{drug}-{version}-top{table[0][0]}-{day}")
    for drug, versions in TABLES.items() for version, first, last, table in versions for day in (first, last)
])
def test_far_above_the_top_gives_the_top_level(drug, version, top, top_bound, day):
    """The top row is "X or more": any larger quantity scores the top level."""
    for grams in (top_bound * 2, top_bound * 1000, 1e15):
        out = level_of(drug, grams, day)
        assert int(out["level"]) == top
        assert float(out["upper"]) == float("inf")


# The reference marks the 1987 methamphetamine line (derived) and every other line verified.
DERIVED = {("methamphetamine", "1987-11-01"), ("methamphetamine_actual", "1987-11-01")}


@pytest.mark.parametrize(("drug", "first"), [
    pytest.param(drug, first, id=f"{drug}-{first}") for drug, versions in TABLES.items() for _, first, _, _ in versions
])
def test_version_status(drug, first):
    version = default_law().drug_table(drug).on(date.fromisoformat(first))
    assert version.status == ("derived" if (drug, first) in DERIVED else "verified")
