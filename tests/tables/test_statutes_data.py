"""Statutory thresholds and penalties, the career-offender table and the criminal-history point bands.

Primary sources: 21 U.S.C. §841(b)(1)(A)-(D) (pre-2010 text of (A)(iii)/(B)(iii); Anti-Drug Abuse Act
of 1986, Pub. L. 99-570); Fair Sentencing Act of 2010, Pub. L. 111-220, §§2-3, 124 Stat. 2372 (enacted
2010-08-03); First Step Act of 2018, Pub. L. 115-391, §401, 132 Stat. 5194 (enacted 2018-12-21);
21 U.S.C. §844(a) and USSG §2D2.1, background; USSG §4B1.1(b) (Guidelines Manual Nov. 1, 2025 and Nov.
1, 2016) and USSG App. C, Amendment 48 (eff. 1988-01-15, which quotes the original 1987 table); USSG Ch.
5, Pt. A, Sentencing Table column headings (criminal history points -> category).

Expected values are transcribed by hand from the project's legal reference (statutes.md §§2-4 and
criminal-history.md §§1, 4) and written out here as literals, in grams and months ("life" = life).
Values the reference marks (unverified) are tested as transcribed AND must be flagged unverified in
the data.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from sentcalc.law import LIFE, default_law
from sentcalc.rules.career_offender import career_offender
from sentcalc.rules.criminal_history import category_from_points
from sentcalc.rules.sentencing_table import table_range
from sentcalc.rules.statutes import reached_tier, tier_thresholds

S841 = "statutes/21-usc-841.yaml"
S844 = "statutes/21-usc-844.yaml"
NAN = float("nan")


def d(day: str) -> date:
    return date.fromisoformat(day)


def days(*values: str) -> np.ndarray:
    return np.array(values, dtype="datetime64[D]")


# --- 21 U.S.C. §841(b)(1) quantity thresholds (statutes.md §2), grams "at least" -------------------
# (drug, sentencing date, tier A, tier B, tier C or None, unverified in the reference?)
THRESHOLDS = [
    # Cocaine base: 50 g / 5 g for sentencings before 2010-08-03 (pre-2010 text of (A)(iii)/(B)(iii)).
    ("cocaine_base", "1987-11-01", 50, 5, None, False),
    ("cocaine_base", "2010-08-02", 50, 5, None, False),
    # Fair Sentencing Act §2(a): 280 g / 28 g for sentencings on or after 2010-08-03 (Dorsey).
    ("cocaine_base", "2010-08-03", 280, 28, None, False),
    ("cocaine_base", "2018-12-21", 280, 28, None, False),
    ("cocaine_base", "2026-11-25", 280, 28, None, False),
    # Cocaine (powder mixture): 5 kg / 500 g.
    ("cocaine", "1987-11-01", 5000, 500, None, False),
    ("cocaine", "2010-08-03", 5000, 500, None, False),
    ("cocaine", "2026-11-25", 5000, 500, None, False),
    # Heroin: 1 kg / 100 g -- (unverified) in the reference; both tiers since read in the U.S. Code 2006 ed.
    # (test_second_pass_primary_text.py), so neither is flagged any more.
    ("heroin", "1987-11-01", 1000, 100, None, False),
    ("heroin", "2026-11-25", 1000, 100, None, False),
    # Methamphetamine: current-law values, (unverified) in the reference; read in the 2006 ed. (Pub. L. 105-277).
    ("methamphetamine", "2000-11-01", 500, 50, None, False),
    ("methamphetamine", "2026-11-25", 500, 50, None, False),
    ("methamphetamine_actual", "2000-11-01", 50, 5, None, False),
    ("methamphetamine_actual", "2026-11-25", 50, 5, None, False),
    # Marihuana: 1,000 kg / 100 kg; (C) from 50 kg; under 50 kg is (D) -- (unverified) in the reference; read
    # in the 2006 ed.
    ("marihuana", "1987-11-01", 1_000_000, 100_000, 50_000, False),
    ("marihuana", "2026-11-25", 1_000_000, 100_000, 50_000, False),
]


@pytest.mark.parametrize(("drug", "day", "a", "b", "c", "unverified"), THRESHOLDS,
                         ids=[f"{t[0]}-{t[1]}" for t in THRESHOLDS])
def test_841_thresholds(drug, day, a, b, c, unverified):
    version = default_law().dated(S841, "thresholds", drug).on(d(day))
    assert version.data["A"] == a
    assert version.data["B"] == b
    assert version.data.get("C") == c
    thr, _ = tier_thresholds(default_law(), drug, days(day))
    expected = [a, b, NAN if c is None else c]
    np.testing.assert_array_equal(thr[0], np.array(expected, dtype=float))


@pytest.mark.parametrize(("drug", "day", "a", "b", "c", "unverified"), THRESHOLDS,
                         ids=[f"{t[0]}-{t[1]}" for t in THRESHOLDS])
def test_841_threshold_unverified_flags(drug, day, a, b, c, unverified):
    """What the reference marks (unverified) must be flagged unverified in the data (both tiers)."""
    version = default_law().dated(S841, "thresholds", drug).on(d(day))
    if unverified:
        for tier in ("A", "B") if unverified is True else tuple(unverified):
            assert version.is_unverified(tier), f"{drug} tier {tier} on {day} is (unverified) in statutes.md"


@pytest.mark.parametrize(("drug", "day", "grams", "tier"), [
    # "at least": exactly the threshold reaches the tier; just below does not. 0 = A, 1 = B, 2 = C, 3 = D.
    ("cocaine_base", "2010-08-02", 50, 0), ("cocaine_base", "2010-08-02", 49.999, 1),
    ("cocaine_base", "2010-08-02", 5, 1), ("cocaine_base", "2010-08-02", 4.999, 2),
    ("cocaine_base", "2010-08-03", 280, 0), ("cocaine_base", "2010-08-03", 279.999, 1),
    ("cocaine_base", "2010-08-03", 28, 1), ("cocaine_base", "2010-08-03", 27.999, 2),
    ("cocaine_base", "2010-08-03", 0, 2),
    ("cocaine", "2026-11-25", 5000, 0), ("cocaine", "2026-11-25", 500, 1), ("cocaine", "2026-11-25", 499.9, 2),
    ("heroin", "2026-11-25", 1000, 0), ("heroin", "2026-11-25", 100, 1), ("heroin", "2026-11-25", 99.9, 2),
    ("methamphetamine", "2026-11-25", 500, 0), ("methamphetamine", "2026-11-25", 50, 1),
    ("methamphetamine", "2026-11-25", 49.9, 2),
    ("methamphetamine_actual", "2026-11-25", 50, 0), ("methamphetamine_actual", "2026-11-25", 5, 1),
    ("methamphetamine_actual", "2026-11-25", 4.99, 2),
    ("marihuana", "2026-11-25", 1_000_000, 0), ("marihuana", "2026-11-25", 100_000, 1),
    ("marihuana", "2026-11-25", 99_999, 2), ("marihuana", "2026-11-25", 50_000, 2),
    ("marihuana", "2026-11-25", 49_999, 3), ("marihuana", "2026-11-25", 0, 3),
])
def test_841_tier_reached(drug, day, grams, tier):
    thr, _ = tier_thresholds(default_law(), drug, days(day))
    assert int(reached_tier(np.array([float(grams)]), thr)[0]) == tier


# --- 21 U.S.C. §841(b)(1) terms of imprisonment (statutes.md §3), months ---------------------------
# priors_0 = no §851 prior; priors_1 = one; priors_2 = two or more; death = death or serious bodily
# injury resulted, no prior; death_with_prior = the same with a prior.
LIFE_TERM = ["life", "life"]  # mandatory life

# §3a: sentenced before 2018-12-21; prior = "felony drug offense".
PRE_FIRST_STEP_ACT = {
    "A": {"priors_0": [120, "life"],   # 10 - life
          "priors_1": [240, "life"],   # 20 - life
          "priors_2": LIFE_TERM,       # mandatory life (without release)
          "death": [240, "life"],      # 20 - life
          "death_with_prior": LIFE_TERM},
    "B": {"priors_0": [60, 480],       # 5 - 40
          "priors_1": [120, "life"],   # 10 - life (life maximum (unverified))
          "priors_2": [120, "life"],   # same as 1 prior (no separate tier)
          "death": [240, "life"],      # 20 - life
          "death_with_prior": LIFE_TERM},
    "C": {"priors_0": [0, 240],        # 0 - 20
          "priors_1": [0, 360],        # 0 - 30 (USSG §4B1.1, comment. (n.2))
          "priors_2": [0, 360],        # same as 1 prior
          "death": [240, "life"],      # 20 - life
          "death_with_prior": LIFE_TERM},
    # §841(b)(1)(D), marihuana under 50 kg: maximum 5 years (statutes.md §2); 10 years with a prior
    # (§841(b)(1)(D); not in the reference, unverified). (D) has no death/SBI enhancement.
    "D": {"priors_0": [0, 60], "priors_1": [0, 120], "priors_2": [0, 120],
          "death": [0, 60], "death_with_prior": [0, 120]},
}

# §3b: First Step Act §401, sentenced on or after 2018-12-21; prior = "serious drug felony" or
# "serious violent felony" for (A) and (B). Only (A) with priors changed.
FIRST_STEP_ACT = {
    "A": {"priors_0": [120, "life"],   # 10 - life
          "priors_1": [180, "life"],   # 15 - life
          "priors_2": [300, "life"],   # 25 - life
          "death": [240, "life"],      # 20 - life
          "death_with_prior": LIFE_TERM},  # mandatory life (wording (unverified))
    "B": {"priors_0": [60, 480], "priors_1": [120, "life"], "priors_2": [120, "life"],
          "death": [240, "life"], "death_with_prior": LIFE_TERM},
    "C": {"priors_0": [0, 240], "priors_1": [0, 360], "priors_2": [0, 360],
          "death": [240, "life"], "death_with_prior": LIFE_TERM},
    "D": {"priors_0": [0, 60], "priors_1": [0, 120], "priors_2": [0, 120],
          "death": [0, 60], "death_with_prior": [0, 120]},
}

# Parts still flagged. The parts the reference marks (unverified) were read in the U.S. Code 2006 ed. and the
# post-2018 text (test_second_pass_primary_text.py); A.priors_2 of the 1986 version is flagged because the 2006
# edition's notes date mandatory life for two priors from Pub. L. 100-690 (1988-11-18).
UNVERIFIED_PRE = ("A.priors_2",)
UNVERIFIED_FIRST_STEP = ()


def penalty_params():
    for table, dates in ((PRE_FIRST_STEP_ACT, ("1987-11-01", "2010-08-03", "2018-12-20")),
                         (FIRST_STEP_ACT, ("2018-12-21", "2026-11-25"))):
        for tier, row in table.items():
            for key, term in row.items():
                for day in dates:
                    yield pytest.param(day, tier, key, term, id=f"{day}-{tier}-{key}")


@pytest.mark.parametrize(("day", "tier", "key", "term"), list(penalty_params()))
def test_841_penalties(day, tier, key, term):
    data = default_law().dated(S841, "penalties").on(d(day)).data
    assert list(data[tier][key]) == term


@pytest.mark.parametrize(("day", "parts"), [("2018-12-20", UNVERIFIED_PRE), ("2018-12-21", UNVERIFIED_FIRST_STEP)])
def test_841_penalties_unverified_parts_are_flagged(day, parts):
    version = default_law().dated(S841, "penalties").on(d(day))
    assert version.unverified == parts


def test_841_penalty_versions():
    eff = [v.effective for v in default_law().dated(S841, "penalties").versions]
    assert eff[-1] == date(2018, 12, 21)  # First Step Act of 2018 enacted
    assert all(e < date(2018, 12, 21) for e in eff[:-1])


# --- 21 U.S.C. §844(a) (statutes.md §4), months; 15 days = 0.5 month, 90 days = 3 months ----------
@pytest.mark.parametrize("day", ["1987-11-01", "2010-08-03", "2026-11-25"])
@pytest.mark.parametrize(("key", "term"), [
    ("priors_0", [0, 12]),     # up to 1 year
    ("priors_1", [0.5, 24]),   # 15 days to 2 years
    ("priors_2", [3, 36]),     # 90 days to 3 years
])
def test_844a_penalties(day, key, term):
    data = default_law().dated(S844, "penalties").on(d(day)).data
    assert [float(x) for x in data[key]] == term


@pytest.mark.parametrize("day", ["1990-01-01", "2010-08-02"])
def test_844a_crack_minimum_before_fair_sentencing_act(day):
    """Before 2010-08-03: 5-year minimum (5 to 20 years) for crack possession of more than 5 g, 3 g with
    one prior, 1 g with two or more (read in the U.S. Code 2006 ed.; the term stays flagged: the 1988 wording
    "fined ... or imprisoned ..., or both" held until 1990-11-29)."""
    version = default_law().dated(S844, "cocaine_base_minimum").on(d(day))
    assert version.data["exceeds_grams"] == {"priors_0": 5, "priors_1": 3, "priors_2": 1}
    assert list(version.data["term"]) == [60, 240]
    assert version.status == "verified" and version.unverified == ("term",)


@pytest.mark.parametrize("day", ["2010-08-03", "2026-11-25"])
def test_844a_crack_minimum_struck_by_fair_sentencing_act(day):
    """Fair Sentencing Act §3 struck the crack possession minimum, effective 2010-08-03."""
    version = default_law().dated(S844, "cocaine_base_minimum").on(d(day))
    assert version.data["exceeds_grams"] is None


# --- USSG §4B1.1(b) career-offender table (criminal-history.md §4) --------------------------------
# [statutory maximum in months "at least", offense level]; "more than 1 year" is written as 13 months.
CAREER_1987 = [  # original table (1987-11-01 to 1988-01-14), as quoted by Amendment 48
    ["life", 37],  # Life
    [240, 34],     # 20 years or more
    [120, 26],     # 10-20 years
    [60, 19],      # 5-10 years
    [13, 12],      # 1-5 years (more than 1 year)
    [0, 4],        # 1 year or less
]
CAREER_1988 = [  # Amendment 48 (1988-01-15); unchanged through the Nov. 2025 Manual
    ["life", 37],  # Life
    [300, 34],     # 25 years or more
    [240, 32],     # 20 years or more, but less than 25 years
    [180, 29],     # 15 years or more, but less than 20 years
    [120, 24],     # 10 years or more, but less than 15 years
    [60, 17],      # 5 years or more, but less than 10 years
    [13, 12],      # more than 1 year, but less than 5 years
]


@pytest.mark.parametrize(("day", "table"), [
    ("1987-11-01", CAREER_1987), ("1988-01-14", CAREER_1987),
    ("1988-01-15", CAREER_1988), ("2010-11-01", CAREER_1988), ("2026-11-25", CAREER_1988),
])
def test_career_offender_table(day, table):
    version = default_law().dated("career-offender.yaml").on(d(day))
    assert [list(row) for row in version.data["levels"]] == table
    assert version.data["category"] == "VI"


@pytest.mark.parametrize(("day", "stat_max", "level"), [
    # 1987 original: life 37; 20+ years 34; 10-20 years 26; 5-10 years 19; 1-5 years 12; 1 year or less 4.
    ("1987-11-01", LIFE, 37), ("1987-11-01", 480, 34), ("1987-11-01", 240, 34), ("1987-11-01", 239, 26),
    ("1987-11-01", 120, 26), ("1987-11-01", 119, 19), ("1987-11-01", 60, 19), ("1987-11-01", 59, 12),
    ("1987-11-01", 24, 12), ("1987-11-01", 12, 4), ("1988-01-14", 6, 4),
    # Since 1988-01-15: life 37; 25+ years 34; 20-25 32; 15-20 29; 10-15 24; 5-10 17; >1-5 12.
    ("1988-01-15", LIFE, 37), ("2026-11-25", LIFE, 37), ("2026-11-25", 480, 34), ("2026-11-25", 360, 34),
    ("2026-11-25", 300, 34), ("2026-11-25", 299, 32), ("2026-11-25", 240, 32), ("2026-11-25", 239, 29),
    ("2026-11-25", 180, 29), ("2026-11-25", 179, 24), ("2026-11-25", 120, 24), ("2026-11-25", 119, 17),
    ("2026-11-25", 60, 17), ("2026-11-25", 59, 12), ("2026-11-25", 24, 12),
])
def test_career_offender_level_for_statutory_maximum(day, stat_max, level):
    out, applies, _ = career_offender(default_law(), np.array([0], dtype=np.int16), np.array([True]),
                                      np.array([float(stat_max)]), np.array([0], dtype=np.int16), days(day), days(day))
    assert int(out[0]) == level and bool(applies[0])


@pytest.mark.parametrize(("stat_max", "level"), [
    # criminal-history.md §4: (A) life 37; (B) 40 years 34; (C) 20 years 32; (B) + §851 prior life 37;
    # (C) + §851 prior 30 years 34.
    (LIFE, 37), (480, 34), (240, 32), (360, 34),
])
def test_career_offender_crack_statutes(stat_max, level):
    out, _, _ = career_offender(default_law(), np.array([0], dtype=np.int16), np.array([True]),
                                np.array([float(stat_max)]), np.array([0], dtype=np.int16), days("2026-11-25"),
                                days("2026-11-25"))
    assert int(out[0]) == level


def test_career_offender_commentary_example():
    """USSG §4B1.1 commentary: §841(b)(1)(B) (40-year maximum) -> 34, minus 3 for acceptance = 31,
    CHC VI -> 188-235 months."""
    law = default_law()
    on = days("2026-11-25")
    out, _, _ = career_offender(law, np.array([20], dtype=np.int16), np.array([True]), np.array([480.0]),
                                np.array([3], dtype=np.int8), on, on)  # acceptance 3 granted
    assert int(out[0]) == 31
    lo, hi, _ = table_range(law, out, np.array([6], dtype=np.int8), on)
    assert (float(lo[0]), float(hi[0])) == (188, 235)


# --- Criminal history points -> category (Sentencing Table column headings) ------------------------
CATEGORIES = ("I", "II", "III", "IV", "V", "VI")
POINT_BANDS = [(0, 1, 1), (2, 3, 2), (4, 6, 3), (7, 9, 4), (10, 12, 5), (13, 40, 6)]  # 13 or more: VI


@pytest.mark.parametrize("day", ["1987-11-01", "1992-11-01", "2010-11-01", "2023-11-01", "2026-11-25"])
@pytest.mark.parametrize(("points", "category"), [
    pytest.param(p, cat, id=f"{p}pts-{CATEGORIES[cat - 1]}")
    for lo, hi, cat in POINT_BANDS for p in range(lo, hi + 1) if p <= 20 or p == hi
])
def test_points_to_category(points, category, day):
    out = category_from_points(default_law(), np.array([points], dtype=np.int16), days(day))
    assert int(out[0]) == category
