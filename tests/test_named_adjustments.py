"""Adjustments stated by section only take their levels from the law of each regime's date."""

from __future__ import annotations

from pathlib import Path

from helpers import make_case, range_json, run_main, write_case


def test_premises_enhancement_exists_only_from_2010(tmp_path: Path) -> None:
    """Hand computation: 300 g cocaine (level 22 before Amendment 782, 20 after), §2D1.1(b)(12) premises
    and §3C1.1 obstruction stated without levels, sentenced 2010-06-01: (b)(12) did not exist yet (+0),
    §3C1.1 +2 → 24. Under the 2014 regime (b)(12) is +2: 20 + 2 + 2 = 24. Both levels are verified (Amendment
    748's text; §3C1.1's 1987 commentary quoted in Amendment 252), so no warning names them."""
    case = make_case(offense_date="2009-06-01", sentencing_date="2010-06-01",
                     conviction={"statute": "841(b)(1)(C)", "drug": "cocaine", "grams": 300},
                     drugs=[{"drug": "cocaine", "grams": 300}],
                     adjustments=[{"section": "2D1.1(b)(12)"}, {"section": "3C1.1"}])
    out = range_json(tmp_path, case, "original", "2014")
    assert out["original"]["total_offense_level"] == 24 and out["2014"]["total_offense_level"] == 24
    step = next(s for s in out["original"]["steps"] if s["rule"] == "specific_offense_characteristics")
    assert "2D1.1(b)(12) +0 (not in force on this date)" in step["detail"]
    chapter_three = next(s for s in out["original"]["steps"] if s["rule"] == "chapter_three")
    assert chapter_three["detail"] == "Offense level after Chapter Two 22; 3C1.1 +2 → 24."
    assert not any("adjustment levels not yet verified" in w for k in ("original", "2014") for w in out[k]["warnings"])


def test_named_weapon_disqualifies_zero_point(tmp_path: Path) -> None:
    case = make_case(offense_date="2023-06-01", sentencing_date="2024-01-10",
                     conviction={"statute": "841(b)(1)(C)", "drug": "cocaine", "grams": 300},
                     drugs=[{"drug": "cocaine", "grams": 300}], adjustments=[{"section": "2D1.1(b)(1)"}])
    out = range_json(tmp_path, case, "original")
    # 782 table: 300 g → 20; weapon +2 = 22; no §4C1.1 decrease because of the weapon.
    assert out["original"]["total_offense_level"] == 22


def test_unknown_named_section_needs_levels(tmp_path: Path, capsys) -> None:
    case = make_case(adjustments=[{"section": "2D1.1(b)(5)"}])
    code, _, err = run_main(["range", str(write_case(tmp_path, case))], capsys)
    assert code == 2 and "2D1.1(b)(5)" in err and "give its levels" in err


def _heroin(**changes) -> dict:
    return make_case(**{"conviction": {"statute": "841(b)(1)(B)", "drug": "heroin", "grams": 500},
                        "drugs": [{"drug": "heroin", "grams": 500}], **changes})


def test_aggravating_role_interaction_by_edition(tmp_path: Path) -> None:
    """Hand computation from the amendment texts (App. C, Amendments 748, 783, 807): 500 g heroin with
    §3B1.1(c) and the aggravating-role interaction stated without levels. Sentenced 2013-01-01: 28 + 2 + 2 =
    32, the interaction numbered (b)(14). Under the 2009 regime it did not exist: 28 + 2 = 30. Under the
    2016 regime (Amendment 782 line, 26) it is (b)(15): 26 + 2 + 2 = 30; under the current one (b)(16)."""
    case = _heroin(offense_date="2012-01-01", sentencing_date="2013-01-01",
                   adjustments=[{"section": "3B1.1(c)"}, {"section": "2D1.1(b)(16)"}])
    out = range_json(tmp_path, case, "original", "2009-06-01", "2016-06-01", "current")
    assert [out[k]["total_offense_level"] for k in ("original", "2009-06-01", "2016-06-01", "current")] == \
        [32, 30, 30, 30]

    def named(k: str) -> str:
        return next(s["detail"] for s in out[k]["steps"] if s["rule"] == "specific_offense_characteristics")
    assert "numbered 2D1.1(b)(14) in this edition" in named("original")
    assert "not in force on this date" in named("2009-06-01")
    assert "numbered 2D1.1(b)(15) in this edition" in named("2016-06-01")
    assert named("current") == "Base offense level 26; 2D1.1(b)(16) +2 → 28."


def test_aggravating_role_interaction_needs_an_aggravating_role(tmp_path: Path, capsys) -> None:
    case = _heroin(adjustments=[{"section": "2D1.1(b)(16)"}])
    code, _, err = run_main(["range", str(write_case(tmp_path, case))], capsys)
    assert code == 2 and "Traceback" not in err
    assert "2D1.1(b)(16) applies only with an aggravating role adjustment" in err


def test_mitigating_role_interaction_needs_a_minimal_participant(tmp_path: Path, capsys) -> None:
    """Hand computation: 500 g heroin sentenced 2020-06-01, minimal participant (-4) and the mitigating-role
    interaction (-2): 782 line 26; §2D1.1(a)(5) cap not reached (26 < 32); 26 - 4 - 2 = 20. With
    mitigating_role 2 the interaction is refused (it needs the 4-level reduction)."""
    case = _heroin(offense_date="2019-06-01", sentencing_date="2020-06-01", mitigating_role=4,
                   adjustments=[{"section": "2D1.1(b)(17)"}])
    out = range_json(tmp_path, case, "original")
    assert out["original"]["total_offense_level"] == 20
    code, _, err = run_main(["range", str(write_case(tmp_path, {**case, "mitigating_role": 2}))], capsys)
    assert code == 2 and "the 4-level minimal-participant reduction" in err


def test_safety_valve_subsection_number_by_edition(tmp_path: Path) -> None:
    """The worksheet names the safety-valve subsection of each edition: (b)(11) in 2008 (Amendment 705),
    (b)(16) in 2012 (Amendments 748, 763), (b)(18) from 2018-11-01 (Amendments 807, 817)."""
    case = _heroin(offense_date="2007-06-01", sentencing_date="2008-06-01", safety_valve=True,
                   conviction={"statute": "841(b)(1)(C)", "drug": "heroin", "grams": 50},
                   drugs=[{"drug": "heroin", "grams": 50}])
    out = range_json(tmp_path, case, "original", "2012-06-01", "current")
    want = {"original": "2D1.1(b)(11)", "2012-06-01": "2D1.1(b)(16)", "current": "2D1.1(b)(18)"}
    for k, number in want.items():
        step = next(s for s in out[k]["steps"] if s["rule"] == "safety_valve_reduction")
        assert f"USSG §{number} in this edition" in step["detail"], (k, step)
