"""Safety valve, acceptance, named adjustments and §2D2.1 possession levels: every value marked verified
is written out here as a literal with the primary text it was read in, and each is checked both in the data
and through the rule that uses it. Values not yet read in the text of their own edition must stay flagged.

Sources (USSG App. C amendment texts at guidelines.ussc.gov/apex/r/ussc_apex/guidelinesapp/appendixc-detail
?APP_AMEND_ID=<n>, unless named otherwise):
- Amendment 763 (2012), reason: "The Commission in 1995 created the 2-level reduction in §2D1.1 for offenders
  who meet the safety valve criteria"; Amendment 624 (eff. 2001-11-01): §2D1.1(b)(6) "is amended ... by
  striking 'and the offense level determined above is level 26 or greater'"; 60 Fed. Reg. 25074 (May 10,
  1995): the 1995 amendments take effect November 1, 1995; 66 Fed. Reg. 30511 (June 6, 2001) and the Historical
  Note of §2D1.10 (Nov. 2005 Manual, Amendment 620 eff. November 1, 2001): the 2001 cycle's date.
- Amendment 459 (eff. 1992-11-01): §3E1.1(b) "If the defendant qualifies for a decrease under subsection (a),
  the offense level determined prior to the operation of subsection (a) is level 16 or greater, and the
  defendant has assisted authorities ... decrease the offense level by 1 additional level" (no government
  motion; the motion dates from Amendment 649, 2003-04-30).
- §2D1.1(b)(1), Oct. 1987 Manual: "If a firearm or other dangerous weapon was possessed during commission of the
  offense, increase by 2 levels" (same +2 in the Nov. 1994 and Nov. 2001 Manuals at ussc.gov).
- Amendment 748 (eff. 2010-11-01): inserted "(2) If the defendant used violence, made a credible threat to use
  violence, or directed the use of violence, increase by 2 levels" and "(12) If the defendant maintained a
  premises for the purpose of manufacturing or distributing a controlled substance, increase by 2 levels";
  the 1987, 1994 and 2001 Manuals have neither.
- §3C1.1: the 1987 commentary deleted by Amendment 252 speaks of "the 2-level adjustment specified by this
  section"; the current text ends "increase the offense level by 2 levels".
- §2D2.1, Nov. 2005 Manual (justia.com copy): "(1) 8, if the substance is heroin or any Schedule I or II
  opiate, an analogue of these, or cocaine base; or (2) 6, if the substance is cocaine, flunitrazepam, LSD, or
  PCP; or (3) 4, if the substance is any other controlled substance or a list I chemical"; (b)(1) "possession
  of more than 5 grams of a mixture or substance containing cocaine base, apply §2D1.1"; its Historical Note
  lists no amendment between 1997-11-01 (Amendments 556, 558) and 2010-11-01 (Amendments 746, 748).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from sentcalc.law import default_law
from sentcalc.rules.offense_level import acceptance_reduction, safety_valve_reduction

SV = "safety-valve.yaml"
ADJ = "adjustments.yaml"


def d(day: str) -> date:
    return date.fromisoformat(day)


def days(*values: str) -> np.ndarray:
    return np.array(values, dtype="datetime64[D]")


# --- Safety-valve reduction in §2D1.1(b): (date, levels, level it needs, status) ------------------
REDUCTION = [
    ("1995-10-31", 0, None, "verified"),       # none before the 1995 amendments
    ("1995-11-01", 2, 26, "verified"),         # Amendment 763 (created 1995) + 624 (the level-26 condition)
    ("2001-10-31", 2, 26, "verified"),
    ("2001-11-01", 2, None, "verified"),       # Amendment 624 struck the level-26 condition
    ("2026-11-25", 2, None, "verified"),
]


@pytest.mark.parametrize(("day", "levels", "minimum", "status"), REDUCTION, ids=[r[0] for r in REDUCTION])
def test_safety_valve_reduction(day, levels, minimum, status):
    v = default_law().dated(SV, "reduction").on(d(day))
    assert (v.data["levels"], v.data["minimum_offense_level"], v.status) == (levels, minimum, status)


@pytest.mark.parametrize(("day", "level", "expected"), [
    ("1995-11-01", 26, 24), ("1995-11-01", 25, 25),   # 1995-2001: only at level 26 or greater
    ("2001-10-31", 30, 28), ("2001-10-31", 20, 20),
    ("2001-11-01", 20, 18), ("2001-11-01", 12, 10),   # from 2001-11-01 at any level
    ("1995-10-31", 30, 30),
])
def test_safety_valve_reduction_applied(day, level, expected):
    out, _, _ = safety_valve_reduction(default_law(), np.array([level], dtype=np.int16), np.array([True]), days(day))
    assert int(out[0]) == expected


def test_safety_valve_criterion_and_floor_read_in_second_pass():
    """Now read (tests/tables/test_second_pass_primary_text.py names the sources): the 1-point criterion of
    1994 (USSG §5C1.2(a)(1)) and the level-17 floor of Amendment 624 (2001-11-01)."""
    law = default_law()
    crit = law.dated(SV, "statute").on(d("1994-09-23"))
    assert (crit.data["max_points"], crit.status, crit.unverified) == (1, "verified", ())
    floor = law.dated(SV, "floor").on(d("2001-11-01"))
    assert (floor.data["offense_level"], floor.data["when_minimum_at_least_months"], floor.status) == (17, 60, "verified")


# --- §3E1.1 acceptance of responsibility -----------------------------------------------------------
@pytest.mark.parametrize(("day", "additional", "status"), [
    ("1992-10-31", None, "verified"),                                           # 2 levels only
    ("1992-11-01", {"minimum_offense_level": 16, "government_motion": False}, "verified"),  # Amendment 459
    ("2003-04-29", {"minimum_offense_level": 16, "government_motion": False}, "verified"),
    ("2003-04-30", {"minimum_offense_level": 16, "government_motion": True}, "verified"),   # Amendment 649
])
def test_acceptance(day, additional, status):
    v = default_law().dated("acceptance.yaml").on(d(day))
    assert (v.data["levels"], v.data["additional_level"], v.status) == (2, additional, status)


@pytest.mark.parametrize(("day", "level", "granted", "reduction"), [
    ("1992-11-01", 16, 3, 3), ("1992-11-01", 15, 3, 2), ("1992-11-01", 20, 2, 2),
    ("1992-10-31", 20, 3, 2),   # no additional level before Amendment 459
])
def test_acceptance_reduction_1992(day, level, granted, reduction):
    out, _ = acceptance_reduction(default_law(), np.array([level]), np.array([granted]), days(day))
    assert int(out[0]) == reduction


# --- Named adjustments: (section, date, levels) -----------------------------------------------------
ADJUSTMENTS = [
    ("2D1.1(b)(1)", "1987-11-01", 2),    # Oct. 1987 Manual
    ("2D1.1(b)(1)", "2026-11-25", 2),
    ("2D1.1(b)(2)", "1987-11-01", 0),    # no violence enhancement before Amendment 748
    ("2D1.1(b)(2)", "2010-10-31", 0),
    ("2D1.1(b)(2)", "2010-11-01", 2),    # Amendment 748
    ("2D1.1(b)(12)", "1987-11-01", 0),   # no premises enhancement before Amendment 748
    ("2D1.1(b)(12)", "2010-10-31", 0),
    ("2D1.1(b)(12)", "2010-11-01", 2),   # Amendment 748
    ("3C1.1", "1987-11-01", 2),          # 1987 commentary quoted in Amendment 252; current text
    ("3C1.1", "2026-11-25", 2),
]


@pytest.mark.parametrize(("section", "day", "levels"), ADJUSTMENTS, ids=[f"{a[0]}-{a[1]}" for a in ADJUSTMENTS])
def test_named_adjustment_levels(section, day, levels):
    v = default_law().dated(ADJ, "sections", section).on(d(day))
    assert v.data["levels"] == levels
    assert v.status == "verified" and not v.unverified


@pytest.mark.parametrize("section", ["3B1.1(a)", "3B1.1(b)", "3B1.1(c)"])
def test_aggravating_role_1987(section):
    """+4 / +3 / +2 since 1987: Nov. 2016 Manual and its Historical Note (Amendments 414 and 500 amend only the
    Commentary); tests/tables/test_second_pass_primary_text.py quotes the text."""
    v = default_law().dated(ADJ, "sections", section).on(d("1987-11-01"))
    assert v.data["levels"] == {"3B1.1(a)": 4, "3B1.1(b)": 3, "3B1.1(c)": 2}[section]
    assert v.status == "verified" and not v.unverified


# --- §2D2.1 simple possession -----------------------------------------------------------------------
LEVELS_1997 = {"heroin": 8, "cocaine_base": 8, "cocaine": 6, "fentanyl": 8, "fentanyl_analogue": 8,
               "oxycodone_actual": 8, "hydrocodone_actual": 8, "lsd": 6, "pcp": 6, "pcp_actual": 6}


@pytest.mark.parametrize("day", ["1997-11-01", "2005-11-01", "2010-10-31"])
def test_possession_1997_to_2010(day):
    v = default_law().dated("offense-level.yaml", "possession").on(d(day))
    assert v.effective == date(1997, 11, 1)
    assert v.data["levels"] == LEVELS_1997
    assert v.data["default_level"] == 4
    assert v.data["cross_reference"] == {"cocaine_base": 5}   # more than 5 g of cocaine base: §2D1.1
    assert v.status == "verified" and v.unverified == ("levels.hydrocodone_actual",)


def test_possession_before_1997_not_yet_read():
    v = default_law().dated("offense-level.yaml", "possession").on(d("1997-10-31"))
    assert v.is_unverified()
