"""Adjustments stated by section only take their levels from the law of each regime's date."""

from __future__ import annotations

from pathlib import Path

from helpers import make_case, range_json, run_main, write_case


def test_premises_enhancement_exists_only_from_2010(tmp_path: Path) -> None:
    """Hand computation: 300 g cocaine (level 22 before Amendment 782, 20 after), §2D1.1(b)(12) premises
    and §3C1.1 obstruction stated without levels, sentenced 2010-06-01: (b)(12) did not exist yet (+0),
    §3C1.1 +2 → 24. Under the 2014 regime (b)(12) is +2: 20 + 2 + 2 = 24."""
    case = make_case(offense_date="2009-06-01", sentencing_date="2010-06-01",
                     conviction={"statute": "841(b)(1)(C)", "drug": "cocaine", "grams": 300},
                     drugs=[{"drug": "cocaine", "grams": 300}],
                     adjustments=[{"section": "2D1.1(b)(12)"}, {"section": "3C1.1"}])
    out = range_json(tmp_path, case, "original", "2014")
    assert out["original"]["total_offense_level"] == 24 and out["2014"]["total_offense_level"] == 24
    step = next(s for s in out["original"]["steps"] if s["rule"] == "named_adjustments")
    assert "not in force on this date" in step["detail"]
    assert any("not yet verified" in w for w in out["original"]["warnings"])


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
