"""Values verified in the second pass (issue #12, point 4), each written out as a literal with the primary
text it was read in, and the values that pass found contradicted by the text, which must stay flagged.

Sources:
- USC06: the U.S. Code, 2006 edition, title 21 as published by the Office of the Law Revision Counsel (its
  -CITE- lines dated 01/03/2007), with the Code's Amendments notes for each section; copy in
  github.com/divegeek/uscode, code/Title_21.txt at commit 9503c68514ca2d7d6d0344fc449a74abff69d32c.
- USC2018: the U.S. Code after the First Step Act of 2018, github.com/codexstanford/markdonw-chunck-of-the-usa-code
  at commit 557c30ff84201e37d60a837110d2b519f60ed52a, chuncks/title-21/chunck-1934.md and chunck-1935.md.
- APPC: USSG Appendix C (amendments 1-804) and the Nov. 2016 Guidelines Manual in the Commission's own text,
  github.com/mmukku/ussc-mm at commit 28e6d5e5c4c753ef0d903d98847204ec2249aba4, docs/Word Docs/Appendix C/
  AppC-Vol_ I.html, AppC-Vol_ II.html, AppC-Vol_III.html, AppC-Supplement.html, and docs/Word Docs/
  GuidelinesManual2016.html.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from sentcalc.law import default_law
from sentcalc.rules.statutes import tier_thresholds

S841 = "statutes/21-usc-841.yaml"
S844 = "statutes/21-usc-844.yaml"
SV = "safety-valve.yaml"
ADJ = "adjustments.yaml"
NAN = float("nan")


def d(day: str) -> date:
    return date.fromisoformat(day)


def days(*values: str) -> np.ndarray:
    return np.array(values, dtype="datetime64[D]")


# --- 21 U.S.C. §841(b)(1) thresholds, grams "or more": (drug, date, A, B, C, source) ---------------------
THRESHOLDS = [
    # USC06 §841(b)(1)(A)(i) "1 kilogram or more", (B)(i) "100 grams or more of a mixture or substance containing
    # a detectable amount of heroin"; notes: no change to (i) after Pub. L. 99-570 §1002(2) (1986).
    ("heroin", "1986-10-27", 1000, 100, None),
    # USC06 (A)(iv) "100 grams or more of phencyclidine (PCP) or 1 kilogram or more of a mixture"; (B)(iv) "10
    # grams or more of phencyclidine (PCP) or 100 grams or more of a mixture".
    ("pcp", "1986-10-27", 1000, 100, None),
    ("pcp_actual", "1986-10-27", 100, 10, None),
    # USC06 (A)(v) "10 grams or more", (B)(v) "1 gram or more of a mixture ... (LSD)".
    ("lsd", "1986-10-27", 10, 1, None),
    # USC06 (A)(vi) "400 grams or more ... N-phenyl-N-[1-(2-phenylethyl)-4-piperidinyl] propanamide or 100 grams
    # or more of ... any analogue"; (B)(vi) "40 grams" / "10 grams".
    ("fentanyl", "1986-10-27", 400, 40, None),
    ("fentanyl_analogue", "1986-10-27", 100, 10, None),
    # USC06 (A)(vii) "1000 kilograms or more", (B)(vii) "100 kilograms or more ... marihuana"; (D) "less than 50
    # kilograms of marihuana, ... 10 kilograms of hashish, or one kilogram of hashish oil" (Pub. L. 98-473);
    # §802(16): marihuana includes "the resin extracted from any part of such plant" and its preparations.
    ("marihuana", "1986-10-27", 1_000_000, 100_000, 50_000),
    ("hashish", "1986-10-27", 1_000_000, 100_000, 10_000),
    ("hashish_oil", "1986-10-27", 1_000_000, 100_000, 1_000),
    # USC06 notes: "1988 - ... Pub. L. 100-690 ... added cl. (viii)" to (A) and (B): no methamphetamine tier before.
    ("methamphetamine", "1986-10-27", None, None, None),
    ("methamphetamine_actual", "1986-10-27", None, None, None),
    # USC06 notes: the 1998 amendment (Pub. L. 105-277) substituted 50 g / 500 g for 100 g / 1 kg in (A)(viii)
    # and 5 g / 50 g for 10 g / 100 g in (B)(viii): 100 g / 10 g actual from 1988-11-18 to 1998-10-20.
    ("methamphetamine_actual", "1988-11-18", 100, 10, None),
    ("methamphetamine_actual", "1998-10-20", 100, 10, None),
    # USC06 text, Pub. L. 105-277, div. E, §2(a), Oct. 21, 1998.
    ("methamphetamine", "1998-10-21", 500, 50, None),
    ("methamphetamine_actual", "1998-10-21", 50, 5, None),
    # USC06 (A) and (B) list clauses (i)-(viii) only; oxycodone, hydrocodone and MDMA fall in (C).
    ("oxycodone_actual", "1986-10-27", None, None, None),
    ("hydrocodone_actual", "1986-10-27", None, None, None),
    ("mdma", "1986-10-27", None, None, None),
]


@pytest.mark.parametrize(("drug", "day", "a", "b", "c"), THRESHOLDS, ids=[f"{t[0]}-{t[1]}" for t in THRESHOLDS])
def test_841_thresholds_read_in_the_2006_edition(drug, day, a, b, c):
    version = default_law().dated(S841, "thresholds", drug).on(d(day))
    assert (version.data["A"], version.data["B"], version.data.get("C")) == (a, b, c)
    assert version.status == "verified" and version.unverified == ()
    assert "divegeek/uscode" in version.reference["href"]
    thr, _ = tier_thresholds(default_law(), drug, days(day))
    np.testing.assert_array_equal(thr[0], np.array([NAN if x is None else x for x in (a, b, c)], dtype=float))


def test_841_methamphetamine_mixture_1988_stays_flagged():
    """USC06 notes: "1990 - Subsec. (b)(1)(A)(viii). Pub. L. 101-647, Sec. 1202, substituted 'or 1 kilogram or
    more of a mixture ...' for 'or 100 grams or more of a mixture ...'": (A) was 100 g from 1988-11-18 to
    1990-11-28, not the 1 kg the data holds. (B) 100 g is read."""
    version = default_law().dated(S841, "thresholds", "methamphetamine").on(d("1988-11-18"))
    assert (version.data["A"], version.data["B"]) == (1000, 100)
    assert version.unverified == ("A",) and not version.is_unverified("B")


def test_841_marihuana_plants_1986_stays_flagged():
    """USC06 notes: Pub. L. 100-690 (1988-11-18) inserted the 1,000 / 100 plant counts in (A)(vii)/(B)(vii) and
    substituted "50 or more marihuana plants" for "100 or more" in (D): the 1986 version disagrees until 1988."""
    version = default_law().dated(S841, "thresholds", "marihuana_plants").on(d("1986-10-27"))
    assert (version.data["A"], version.data["B"], version.data["C"]) == (1000, 100, 50)
    assert version.is_unverified()


# --- §841(b)(1) terms, months ---------------------------------------------------------------------------
# USC06 (in force until the First Step Act): (B) "not less than 5 years and not more than 40 years", after a prior
# "not less than 10 years and not more than life imprisonment and if death or serious bodily injury results ...
# shall be sentenced to life imprisonment"; (C) after a prior "not more than 30 years and if death ... life
# imprisonment"; (D) "not more than 5 years", after a prior "not more than 10 years"; notes: terms unchanged since
# Pub. L. 99-570 (1986). USC2018: (A) with a prior "not less than 15 years and not more than life imprisonment and
# if death or serious bodily injury results ... shall be sentenced to life imprisonment"; (B), (C), (D) as above.
READ = {
    "B.priors_1": [120, "life"], "B.priors_2": [120, "life"], "B.death_with_prior": ["life", "life"],
    "C.priors_1": [0, 360], "C.priors_2": [0, 360], "C.death_with_prior": ["life", "life"],
    "D.priors_0": [0, 60], "D.priors_1": [0, 120], "D.priors_2": [0, 120], "D.death": [0, 60],
    "D.death_with_prior": [0, 120], "A.death_with_prior": ["life", "life"],
}


@pytest.mark.parametrize("day", ["1986-10-27", "2018-12-20", "2018-12-21"])
@pytest.mark.parametrize("part", list(READ))
def test_841_penalties_read(day, part):
    version = default_law().dated(S841, "penalties").on(d(day))
    tier, key = part.split(".")
    assert list(version.data[tier][key]) == READ[part]
    assert not version.is_unverified(part)


def test_841_two_priors_1986_stays_flagged():
    """USC06 notes: Pub. L. 100-690 (1988-11-18) "added provisions relating to sentencing for a person who violates
    this subpar. ... after two or more prior convictions for a felony drug offense have become final" (mandatory
    life): from 1986-10-27 to 1988-11-17 two priors gave the one-prior term, so the data's life is flagged."""
    version = default_law().dated(S841, "penalties").on(d("1986-10-27"))
    assert list(version.data["A"]["priors_2"]) == ["life", "life"]
    assert version.unverified == ("A.priors_2",)


# --- §844(a) cocaine base minimum -----------------------------------------------------------------------
def test_844_no_crack_minimum_before_1988():
    """USC06 §844 notes: "1988 - ... Pub. L. 100-690, Sec. 6371, inserted provisions relating to increased
    penalties in cases of certain serious crack possession offenses"."""
    version = default_law().dated(S844, "cocaine_base_minimum").on(d("1988-11-17"))
    assert version.data["exceeds_grams"] is None
    assert version.status == "verified" and version.unverified == ()


def test_844_crack_minimum_1988():
    """USC06 §844(a): "not less than 5 years and not more than 20 years ... exceeds 5 grams ... exceeds 3 grams ...
    exceeds 1 gram"; the 1988 wording "fined under title 18 or imprisoned ..., or both" (1990 note) keeps the term
    flagged."""
    version = default_law().dated(S844, "cocaine_base_minimum").on(d("1988-11-18"))
    assert version.data["exceeds_grams"] == {"priors_0": 5, "priors_1": 3, "priors_2": 1}
    assert list(version.data["term"]) == [60, 240]
    assert version.unverified == ("term",)


# --- USSG role adjustments and interactions: (section, date, levels, number, source) ---------------------
ROLE = [
    # APPC Nov. 2016 Manual §3B1.1(a)-(c) "increase by 4 / 3 / 2 levels"; Historical Note: "Effective November 1,
    # 1987. Amended effective November 1, 1991 (amendment 414); November 1, 1993 (amendment 500)", both Commentary.
    ("3B1.1(a)", "1987-11-01", 4, None),
    ("3B1.1(b)", "1987-11-01", 3, None),
    ("3B1.1(c)", "1987-11-01", 2, None),
    # APPC Amendment 783 (eff. November 1, 2014): "redesignating paragraphs (14) through (16) as paragraphs (15)
    # through (17)"; Nov. 2016 Manual §2D1.1(b)(15) "... increase by 2 levels".
    ("2D1.1(b)(16)", "2014-11-01", 2, "2D1.1(b)(15)"),
    # APPC Amendment 748 (eff. November 1, 2010): "(15) If the defendant receives the 4-level ('minimal
    # participant') reduction in §3B1.2(a) and the offense involved all of the following factors ... decrease by 2
    # levels"; repromulgated by Amendment 750 (eff. November 1, 2011).
    ("2D1.1(b)(17)", "2010-11-01", -2, "2D1.1(b)(15)"),
    # APPC Nov. 2016 Manual §2D1.1(b)(16) "... decrease by 2 levels" (Amendment 783).
    ("2D1.1(b)(17)", "2014-11-01", -2, "2D1.1(b)(16)"),
]


@pytest.mark.parametrize(("section", "day", "levels", "number"), ROLE, ids=[f"{r[0]}-{r[1]}" for r in ROLE])
def test_role_adjustments_read(section, day, levels, number):
    v = default_law().dated(ADJ, "sections", section).on(d(day))
    assert (v.data["levels"], v.data.get("number")) == (levels, number)
    assert v.status == "verified" and not v.unverified
    assert "mmukku/ussc-mm" in v.reference["href"]


def test_mitigating_interaction_2018_stays_flagged():
    """The -2 as (b)(17) from 2018-11-01: Amendment 807's text and a 2018 Manual were not found."""
    v = default_law().dated(ADJ, "sections", "2D1.1(b)(17)").on(d("2018-11-01"))
    assert (v.data["levels"], v.data["number"]) == (-2, "2D1.1(b)(17)")
    assert v.is_unverified()


# --- Safety valve ---------------------------------------------------------------------------------------
def test_safety_valve_one_point_criterion_1994():
    """APPC Nov. 2016 Manual §5C1.2(a): "the criteria in 18 U.S.C. § 3553(f)(1)-(5) set forth below: (1) the
    defendant does not have more than 1 criminal history point"; Amendment 674 struck "verbatim" (the guideline
    set the statute out verbatim from 1994); only Amendment 651 touched (a)(1), adding a §4A1.3(b) qualifier."""
    v = default_law().dated(SV, "statute").on(d("1994-09-23"))
    assert (v.data["available"], v.data["max_points"], v.status) == (True, 1, "verified")
    assert default_law().dated(SV, "statute").on(d("2018-12-20")).effective == date(1994, 9, 23)


def test_safety_valve_level_17_floor_2001():
    """APPC Amendment 624 (eff. November 1, 2001) inserted §5C1.2(b): "for whom the statutorily required minimum
    sentence is at least five years, the offense level ... shall be not less than level 17"."""
    law = default_law()
    assert law.dated(SV, "floor").on(d("2001-10-31")).data["offense_level"] is None
    v = law.dated(SV, "floor").on(d("2001-11-01"))
    assert (v.data["offense_level"], v.data["when_minimum_at_least_months"], v.status) == (17, 60, "verified")


# (date, subsection holding the 2-level reduction): APPC Amendments 515 ("(4)"), 555 ("redesignating subdivision
# (4) as subdivision (6)"), 608 ((6) to (7)), 620 ((7) back to (6); 624 cites "(b)(6), as redesignated by
# amendment 620"), 667 ((6) to (7)), 681 ((b)(7) to (b)(9), eff. March 27, 2006; 688 repromulgated), 705 ((9) to
# (11)), 748 ((11) to (16)), 783 ((16) to (17); Nov. 2016 Manual §2D1.1(b)(17)).
NUMBERS = [
    ("1995-10-31", None), ("1995-11-01", "2D1.1(b)(4)"), ("1997-10-31", "2D1.1(b)(4)"),
    ("1997-11-01", "2D1.1(b)(6)"), ("2000-12-16", "2D1.1(b)(7)"), ("2001-11-01", "2D1.1(b)(6)"),
    ("2004-11-01", "2D1.1(b)(7)"), ("2006-03-26", "2D1.1(b)(7)"), ("2006-03-27", "2D1.1(b)(9)"),
    ("2007-11-01", "2D1.1(b)(11)"), ("2010-11-01", "2D1.1(b)(16)"), ("2014-10-31", "2D1.1(b)(16)"),
    ("2014-11-01", "2D1.1(b)(17)"),
]


@pytest.mark.parametrize(("day", "number"), NUMBERS, ids=[n[0] for n in NUMBERS])
def test_safety_valve_reduction_number(day, number):
    v = default_law().dated(SV, "reduction_number").on(d(day))
    assert v.data["number"] == number
    assert v.status == "verified" and not v.unverified


# --- §2D2.1 before 1997: read in App. C, contradicted in part, so the version stays flagged ----------------
def test_possession_1987_stays_flagged_with_what_app_c_says():
    """APPC Amendment 24 (eff. 1988-01-15) moved LSD from (a)(1) (level 8) to (a)(2) (level 6); 304 (1989-11-01)
    added the cocaine base cross reference; 321 (1990-11-01) named cocaine base at level 8. The data holds the 1997
    values for the whole of 1987-1997, so the version stays flagged."""
    v = default_law().dated("offense-level.yaml", "possession").on(d("1987-11-01"))
    assert v.is_unverified()
    assert (v.data["levels"]["lsd"], v.data["levels"]["cocaine_base"], v.data["cross_reference"]) == (6, 8, {"cocaine_base": 5})
    note = default_law().doc("offense-level.yaml")["possession"][0]["note"]
    for amendment in ("Amendment 24 (eff. 1988-01-15", "Amendment 304 (eff. 1989-11-01)", "Amendment 321 (eff. 1990-11-01)"):
        assert amendment in note
