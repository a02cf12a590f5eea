"""Supervised release in every result: the statutory minimum of the subsection the regime applies (21
U.S.C. §841(b)(1)(A)-(D): 5/10, 4/8, 3/6, 2/4 years without / with a prior), lifted by the safety valve or
a §3553(e) motion (USSG §5D1.2, comment. (n.2)-(n.3), Amendment 570); no maximum under §841(b)(1)
(United States v. Perez, 22 F.4th 430 (4th Cir. 2022)); the 18 U.S.C. §3583(b) cap for §844(a) by its
§3559(a) class; and the §5D1.2 guideline term, raised to the statutory minimum (§5D1.2(c), App. Note 6).
Hand computations from ../shared/reference/release.md §3."""

from __future__ import annotations

import json

import pytest

from helpers import make_case, range_json, run, write_case


def sr(tmp_path, regime: str = "original", **fields) -> dict:
    return range_json(tmp_path, make_case(**fields), regime)[regime]["supervised_release"]


def sentence_2019(statute: str, drug: str, grams: float, priors: int = 0, **more) -> dict:
    return {"offense_date": "2018-06-01", "sentencing_date": "2019-06-03",
            "conviction": {"statute": statute, "drug": drug, "grams": grams, "prior_convictions": priors,
                           "priors_qualify_after_2018": True},
            "drugs": [{"drug": drug, "grams": grams}], **more}


@pytest.mark.parametrize("statute, drug, grams, priors, expected", [
    # (A): life maximum → Class A, §5D1.2(a)(1) 2-5 years, raised to the 5-year minimum; 10 with a prior
    ("841(b)(1)(A)", "cocaine", 6000, 0, (60, "life", 60, 60)),
    ("841(b)(1)(A)", "cocaine", 6000, 1, (120, "life", 120, 120)),
    # (B): 40 years → Class B, 2-5 raised to 4 = 4-5 years; with a prior (life → A) 8 years
    ("841(b)(1)(B)", "cocaine", 600, 0, (48, "life", 48, 60)),
    ("841(b)(1)(B)", "cocaine", 600, 1, (96, "life", 96, 96)),
    # (C): 20 years → Class C, 1-3 raised to 3; with a prior 30 years → Class B, 2-5 raised to 6
    ("841(b)(1)(C)", "heroin", 50, 0, (36, "life", 36, 36)),
    ("841(b)(1)(C)", "heroin", 50, 1, (72, "life", 72, 72)),
    # (D): 5 years → Class D, 1-3 raised to 2 = 2-3; with a prior 10 years → Class C, 1-3 raised to 4
    ("841(b)(1)(D)", "marihuana", 20000, 0, (24, "life", 24, 36)),
    ("841(b)(1)(D)", "marihuana", 20000, 1, (48, "life", 48, 48)),
    # §844(a): no term in the statute; 1 year → Class A misdemeanor, 2 years (one prior) → Class E: 1 year
    ("844(a)", "cocaine", 5, 0, (None, 12, 12, 12)),
    ("844(a)", "cocaine", 5, 1, (None, 12, 12, 12)),
])
def test_statutory_and_guideline_terms(tmp_path, statute: str, drug: str, grams: float, priors: int,
                                       expected: tuple) -> None:
    got = sr(tmp_path, **sentence_2019(statute, drug, grams, priors))
    assert (got["min_months"], got["max_months"], got["guideline_min_months"], got["guideline_max_months"]) == expected


def test_crack_possession_minimum_before_2010_is_class_c(tmp_path) -> None:
    # §844(a) before the Fair Sentencing Act: more than 5 g of crack, 5 to 20 years → Class C: §3583(b)(2)
    # caps the term at 3 years; §5D1.2(a)(2) 1-3 years.
    got = sr(tmp_path, offense_date="2005-01-01", sentencing_date="2006-06-01",
             conviction={"statute": "844(a)", "drug": "cocaine_base", "grams": 10},
             drugs=[{"drug": "cocaine_base", "grams": 10}])
    assert got == {"min_months": None, "max_months": 36, "guideline_min_months": 12, "guideline_max_months": 36}


def test_safety_valve_and_3553e_lift_the_minimum(tmp_path) -> None:
    base = sentence_2019("841(b)(1)(A)", "cocaine", 6000)
    valve = sr(tmp_path, **base, safety_valve=True)
    assert valve == {"min_months": None, "max_months": "life", "guideline_min_months": 24, "guideline_max_months": 60}
    motion = sr(tmp_path, **base, substantial_assistance=True, departure="3553(e)", sentence_months=60)
    assert motion["min_months"] is None and motion["guideline_min_months"] == 24
    # a §5K1.1 motion alone does not
    assert sr(tmp_path, **base, substantial_assistance=True, departure="5K1.1")["min_months"] == 60


def test_the_2025_guideline_has_no_minimum_of_its_own(tmp_path) -> None:
    # §5D1.2(a) from 2025-11-01: not less than a statutory minimum; maximum 5 years for Class A or B.
    base = sentence_2019("841(b)(1)(B)", "cocaine", 600)
    assert sr(tmp_path, "2025-11-01", **base) == {"min_months": 48, "max_months": "life",
                                                  "guideline_min_months": 48, "guideline_max_months": 60}
    assert sr(tmp_path, "2025-11-01", **base, safety_valve=True)["guideline_min_months"] is None
    assert sr(tmp_path, "2025-10-31", **base, safety_valve=True)["guideline_min_months"] == 24


def test_every_retro_result_has_supervised_release(tmp_path) -> None:
    # A 2006 crack (A) sentence for 60 g: under First Step Act §404 the FSA thresholds put 60 g in (B):
    # its minimum term of supervised release is 4 years (5 under (A) at sentencing).
    case = make_case(conviction={"statute": "841(b)(1)(A)", "drug": "cocaine_base", "grams": 60},
                     drugs=[{"drug": "cocaine_base", "grams": 60}], sentence_months=151)
    res = run("retro", str(write_case(tmp_path, case)), "--json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["original"]["supervised_release"]["min_months"] == 60
    a404 = next(a for a in doc["analyses"] if a["id"] == "first-step-act-404")
    assert a404["amended"]["supervised_release"]["min_months"] == 48
    assert "supervised_release" in a404["current_guidelines"]
    assert all("supervised_release" in a["amended"] for a in doc["analyses"] if a["amended"])
    md = run("retro", str(write_case(tmp_path, case)), "--format", "markdown").stdout
    assert "### Supervised release" in md and "at least 60 months, no maximum" in md


def test_an_inferred_3553e_motion_lifts_the_original_minimum_too(tmp_path) -> None:
    # A cooperator sentenced below the 10-year minimum with only substantial_assistance stated: the sentence
    # check infers a §3553(e) motion (listed in assumptions), and the supervised-release minimum goes with it.
    case = make_case(**sentence_2019("841(b)(1)(A)", "cocaine", 6000), substantial_assistance=True, sentence_months=60)
    for doc in (range_json(tmp_path, case, "original")["original"],
                json.loads(run("retro", str(write_case(tmp_path, case)), "--json").stdout)["original"]):
        assert any("3553(e)" in a for a in doc["assumptions"])
        assert doc["supervised_release"] == {"min_months": None, "max_months": "life",
                                             "guideline_min_months": 24, "guideline_max_months": 60}
        step = next(s for s in doc["steps"] if s["rule"] == "supervised_release")
        assert "§3553(e) motion" in step["detail"]
