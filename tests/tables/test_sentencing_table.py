"""USSG Ch. 5, Pt. A Sentencing Table, every cell in every version.

Primary source: USSG Ch. 5, Pt. A (Sentencing Table), Guidelines Manual Nov. 1, 2025 and Nov. 1, 2016
(identical cell for cell; no month range changed since 1992-11-01); USSG App. C, Amendment 270
(eff. 1989-11-01: "deleting '0-1, 0-2, 0-3, 0-4, and 0-5' wherever it appears, and inserting in each
instance '0-6'") and Amendment 462 (eff. 1992-11-01: level 7 / CHC I 1-7 -> 0-6, level 8 / CHC I
2-8 -> 0-6); Sentencing Table, Application Note 2 (below 1 is 1, above 43 is 43).

Expected values are transcribed by hand from the project's legal reference (sentencing-table.md) and
written out here as literals; nothing outside this file is read to form an expectation.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from sentcalc.errors import LawDataError
from sentcalc.law import LIFE, default_law
from sentcalc.rules.sentencing_table import bound_level, table_range, unverified_cells

CATEGORIES = ("I", "II", "III", "IV", "V", "VI")

# USSG Ch. 5, Pt. A, Nov. 1, 2025 Manual (= Nov. 1, 2016 Manual), in force since 1992-11-01.
# Rows: offense level 1..43; columns: CHC I..VI; months; "life" = life imprisonment.
TABLE_SINCE_1992 = {
    1: ("0-6", "0-6", "0-6", "0-6", "0-6", "0-6"),
    2: ("0-6", "0-6", "0-6", "0-6", "0-6", "1-7"),
    3: ("0-6", "0-6", "0-6", "0-6", "2-8", "3-9"),
    4: ("0-6", "0-6", "0-6", "2-8", "4-10", "6-12"),
    5: ("0-6", "0-6", "1-7", "4-10", "6-12", "9-15"),
    6: ("0-6", "1-7", "2-8", "6-12", "9-15", "12-18"),
    7: ("0-6", "2-8", "4-10", "8-14", "12-18", "15-21"),
    8: ("0-6", "4-10", "6-12", "10-16", "15-21", "18-24"),
    9: ("4-10", "6-12", "8-14", "12-18", "18-24", "21-27"),
    10: ("6-12", "8-14", "10-16", "15-21", "21-27", "24-30"),
    11: ("8-14", "10-16", "12-18", "18-24", "24-30", "27-33"),
    12: ("10-16", "12-18", "15-21", "21-27", "27-33", "30-37"),
    13: ("12-18", "15-21", "18-24", "24-30", "30-37", "33-41"),
    14: ("15-21", "18-24", "21-27", "27-33", "33-41", "37-46"),
    15: ("18-24", "21-27", "24-30", "30-37", "37-46", "41-51"),
    16: ("21-27", "24-30", "27-33", "33-41", "41-51", "46-57"),
    17: ("24-30", "27-33", "30-37", "37-46", "46-57", "51-63"),
    18: ("27-33", "30-37", "33-41", "41-51", "51-63", "57-71"),
    19: ("30-37", "33-41", "37-46", "46-57", "57-71", "63-78"),
    20: ("33-41", "37-46", "41-51", "51-63", "63-78", "70-87"),
    21: ("37-46", "41-51", "46-57", "57-71", "70-87", "77-96"),
    22: ("41-51", "46-57", "51-63", "63-78", "77-96", "84-105"),
    23: ("46-57", "51-63", "57-71", "70-87", "84-105", "92-115"),
    24: ("51-63", "57-71", "63-78", "77-96", "92-115", "100-125"),
    25: ("57-71", "63-78", "70-87", "84-105", "100-125", "110-137"),
    26: ("63-78", "70-87", "78-97", "92-115", "110-137", "120-150"),
    27: ("70-87", "78-97", "87-108", "100-125", "120-150", "130-162"),
    28: ("78-97", "87-108", "97-121", "110-137", "130-162", "140-175"),
    29: ("87-108", "97-121", "108-135", "121-151", "140-175", "151-188"),
    30: ("97-121", "108-135", "121-151", "135-168", "151-188", "168-210"),
    31: ("108-135", "121-151", "135-168", "151-188", "168-210", "188-235"),
    32: ("121-151", "135-168", "151-188", "168-210", "188-235", "210-262"),
    33: ("135-168", "151-188", "168-210", "188-235", "210-262", "235-293"),
    34: ("151-188", "168-210", "188-235", "210-262", "235-293", "262-327"),
    35: ("168-210", "188-235", "210-262", "235-293", "262-327", "292-365"),
    36: ("188-235", "210-262", "235-293", "262-327", "292-365", "324-405"),
    37: ("210-262", "235-293", "262-327", "292-365", "324-405", "360-life"),
    38: ("235-293", "262-327", "292-365", "324-405", "360-life", "360-life"),
    39: ("262-327", "292-365", "324-405", "360-life", "360-life", "360-life"),
    40: ("292-365", "324-405", "360-life", "360-life", "360-life", "360-life"),
    41: ("324-405", "360-life", "360-life", "360-life", "360-life", "360-life"),
    42: ("360-life", "360-life", "360-life", "360-life", "360-life", "360-life"),
    43: ("life", "life", "life", "life", "life", "life"),
}

# Amendment 462 (eff. 1992-11-01) struck "1-7" and "2-8" in these two cells (now 0-6 and 0-6): the
# table in force 1989-11-01 to 1992-10-31 is the table above with these cells. At levels 7 and above
# the 1987-11-01 to 1989-10-31 table is the same as the 1989-1992 table (Amendment 270 changed only
# 0-1 ... 0-5 ranges, all at levels 1-6).
OVERRIDES_BEFORE_1992 = {(7, "I"): "1-7", (8, "I"): "2-8"}

# Levels 1-6 before 1989-11-01: a RECONSTRUCTION, (unverified) in the reference ("not from a primary
# text; check against the Sentencing Table in the Guidelines Manual effective 1987-11-01"). The
# zero-minimum cells (level 1 I-VI, 2 I-V, 3 I-IV, 4 I-III, 5 I-II, 6 I) are the unverified ones;
# the cells with a non-zero minimum are the main-table values and are verified.
RECONSTRUCTED_1987_LEVELS_1_TO_6 = {
    1: ("0-1", "0-2", "0-3", "0-4", "0-5", "0-6"),
    2: ("0-2", "0-3", "0-4", "0-5", "0-6", "1-7"),
    3: ("0-3", "0-4", "0-5", "0-6", "2-8", "3-9"),
    4: ("0-4", "0-5", "0-6", "2-8", "4-10", "6-12"),
    5: ("0-5", "0-6", "1-7", "4-10", "6-12", "9-15"),
    6: ("0-6", "1-7", "2-8", "6-12", "9-15", "12-18"),
}
UNVERIFIED_1987_CELLS = {
    "1/I", "1/II", "1/III", "1/IV", "1/V", "1/VI",
    "2/I", "2/II", "2/III", "2/IV", "2/V",
    "3/I", "3/II", "3/III", "3/IV",
    "4/I", "4/II", "4/III",
    "5/I", "5/II",
    "6/I",
}

# First and last days of each version, plus dates inside the current one.
DATES_SINCE_1992 = ("1992-11-01", "2010-01-01", "2010-11-01", "2026-11-25")
DATES_1989_TO_1992 = ("1989-11-01", "1992-10-31")
DATES_1987_TO_1989 = ("1987-11-01", "1989-10-31")


def months_of(cell: str) -> tuple[float, float]:
    """'0-6' -> (0, 6); '360-life' -> (360, LIFE); 'life' -> (LIFE, LIFE)."""
    lo, _, hi = cell.partition("-")
    hi = hi or lo
    return tuple(float(LIFE) if x == "life" else float(x) for x in (lo, hi))  # type: ignore[return-value]


def cell_range(level: int, category: int, day: str) -> tuple[float, float]:
    law = default_law()
    lo, hi, _ = table_range(law, np.array([level], dtype=np.int16), np.array([category], dtype=np.int8),
                            np.array([day], dtype="datetime64[D]"))
    return float(lo[0]), float(hi[0])


def cells(table: dict[int, tuple[str, ...]], overrides: dict | None = None, min_level: int = 1):
    for level, row in table.items():
        if level < min_level:
            continue
        for k, cell in enumerate(row):
            cat = CATEGORIES[k]
            cell = (overrides or {}).get((level, cat), cell)
            yield pytest.param(level, k + 1, cell, id=f"{level}/{cat}={cell}")


def test_literal_table_shape():
    assert sorted(TABLE_SINCE_1992) == list(range(1, 44))
    assert all(len(row) == 6 for row in TABLE_SINCE_1992.values())


@pytest.mark.parametrize("day", DATES_SINCE_1992)
@pytest.mark.parametrize(("level", "category", "cell"), list(cells(TABLE_SINCE_1992)))
def test_cell_since_1992(level, category, cell, day):
    """USSG Ch. 5, Pt. A (Nov. 2025 = Nov. 2016); unchanged since Amendment 462 (1992-11-01)."""
    assert cell_range(level, category, day) == months_of(cell)


@pytest.mark.parametrize("day", DATES_1989_TO_1992)
@pytest.mark.parametrize(("level", "category", "cell"), list(cells(TABLE_SINCE_1992, OVERRIDES_BEFORE_1992)))
def test_cell_1989_to_1992(level, category, cell, day):
    """Amendment 270 table (1989-11-01 to 1992-10-31): level 7/I = 1-7 and 8/I = 2-8 (Amendment 462)."""
    assert cell_range(level, category, day) == months_of(cell)


@pytest.mark.parametrize("day", DATES_1987_TO_1989)
@pytest.mark.parametrize(("level", "category", "cell"),
                         list(cells(TABLE_SINCE_1992, OVERRIDES_BEFORE_1992, min_level=7)))
def test_cell_1987_to_1989_levels_7_and_above(level, category, cell, day):
    """Original table, levels 7-43 (verified: equal to the 1989-1992 table)."""
    assert cell_range(level, category, day) == months_of(cell)


@pytest.mark.parametrize("day", DATES_1987_TO_1989)
@pytest.mark.parametrize(("level", "category", "cell"), list(cells(RECONSTRUCTED_1987_LEVELS_1_TO_6)))
def test_cell_1987_to_1989_levels_1_to_6_reconstruction_unverified(level, category, cell, day):
    """Original table, levels 1-6: the zero-minimum cells are an UNVERIFIED reconstruction (the
    reference says Amendment 270 does not say which cell had 0-1 ... 0-5); the non-zero-minimum
    cells equal the main table and are verified."""
    assert cell_range(level, category, day) == months_of(cell)


@pytest.mark.parametrize(("level", "category", "cell"), list(cells(RECONSTRUCTED_1987_LEVELS_1_TO_6)))
def test_1987_nonzero_minimum_cells_equal_main_table(level, category, cell):
    """The reconstruction's cells with a non-zero minimum are the (verified) main-table values."""
    if months_of(cell)[0] > 0:
        assert cell == TABLE_SINCE_1992[level][category - 1]


@pytest.mark.parametrize(("level", "category", "cell"), list(cells(TABLE_SINCE_1992)))
def test_1987_unverified_cells_are_flagged(level, category, cell):
    """Exactly the 21 reconstructed zero-minimum cells are marked unverified in the 1987 version, and
    no cell is marked unverified in later versions."""
    law = default_law()
    key = f"{level}/{CATEGORIES[category - 1]}"
    days = np.array(["1987-11-01", "1989-11-01", "1992-11-01", "2026-11-25"], dtype="datetime64[D]")
    _, _, idx = table_range(law, np.full(4, level, dtype=np.int16), np.full(4, category, dtype=np.int8), days)
    v1987, v1989, v1992, vnow = (int(i) for i in idx)
    assert bool(unverified_cells(law)[v1987, level, category - 1]) == (key in UNVERIFIED_1987_CELLS)
    for later in (v1989, v1992, vnow):
        assert not unverified_cells(law)[later, level, category - 1]


def test_versions_change_on_amendment_dates():
    """Versions in force: 1987-11-01 (original), 1989-11-01 (Amdt 270), 1992-11-01 (Amdt 462)."""
    law = default_law()
    eff = [v.effective for v in law.dated("sentencing-table.yaml").versions]
    assert eff == [date(1987, 11, 1), date(1989, 11, 1), date(1992, 11, 1)]


def test_no_table_before_1987_11_01():
    with pytest.raises(LawDataError):
        cell_range(20, 1, "1987-10-31")


@pytest.mark.parametrize(("level", "expected"), [(-5, 1), (0, 1), (1, 1), (43, 43), (44, 43), (60, 43)])
@pytest.mark.parametrize("day", ("1987-11-01", "2026-11-25"))
def test_levels_outside_1_to_43_are_bounded(level, expected, day):
    """Sentencing Table, Application Note 2: below 1 is 1; above 43 is 43."""
    out = bound_level(default_law(), np.array([level], dtype=np.int16), np.array([day], dtype="datetime64[D]"))
    assert int(out[0]) == expected
