"""The engine is USSG §1B1.1(a) as a declared pipeline: each stage one named function with one signature,
called here on its own; the worksheet in the order computed; step text from the values each stage saw."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest

from helpers import make_case, range_json
from sentcalc import engine, stages
from sentcalc.columns import from_models
from sentcalc.io.casefile import parse_case
from sentcalc.law import default_law
from sentcalc.regimes import Regime
from sentcalc.steps import record

LAW = default_law()
ORIGINAL = Regime("original", None)


def _inputs(case: dict, **cols) -> stages.Inputs:
    cases = from_models([parse_case(case, LAW, date(2026, 11, 25))], LAW.drugs)
    return stages.Inputs(LAW, cases, engine.regime_dates(LAW, cases, ORIGINAL), ORIGINAL,
                         {k: np.asarray([v]) for k, v in cols.items()})


def test_the_pipeline_is_the_manuals_order() -> None:
    assert [s.__name__ for s in engine.PIPELINE] == [
        "applicable_manual", "statutory_range", "base_offense_level", "specific_offense_characteristics",
        "safety_valve_reduction", "chapter_three", "acceptance", "safety_valve_floor", "criminal_history",
        "career_offender", "zero_point_offender", "findings", "sentencing_table", "statutory_limits",
        "supervised_release"]


def test_a_stage_runs_on_its_own() -> None:
    """Hand computation: the base offense level of 50 g crack sentenced 2006 (pre-Amendment 706 line, 50-150 g
    → 32; with a minor role the 2004 graduated §2D1.1(a)(5) cap takes 32 to 30); Chapter Three from a given
    Chapter Two level of 30 with §3C1.1 +2 and the minor role −2 → 30; the career-offender stage from given
    columns (statutory maximum life → 37, −3 acceptance = 34 > 20)."""
    out = stages.base_offense_level(_inputs(make_case()))
    assert out.cols["own_base_offense_level"][0] == 32 and [s.rule for s in out.steps][0] == "drug_quantity"
    case = make_case(adjustments=[{"section": "3C1.1", "levels": 2}], mitigating_role=2, acceptance=3)
    out = stages.base_offense_level(_inputs(case))
    assert out.cols["own_base_offense_level"][0] == 30 and out.cols["uncapped_base_offense_level"][0] == 32
    out = stages.chapter_three(_inputs(case, chapter_two_offense_level=30))
    assert out.cols["adjusted_offense_level"][0] == 30
    assert out.steps[0].render(0)["detail"] == ("Offense level after Chapter Two 30; 3C1.1 +2, mitigating role "
                                                "(§3B1.2) −2 → 30.")
    career = make_case(career_offender=True, acceptance=3, criminal_history={"points": 9})
    out = stages.career_offender(_inputs(career, chapters_two_and_three_offense_level=20, statutory_max=10_000.0,
                                         history_category=4))
    assert out.cols["career_offender_level"][0] == 34 and out.cols["criminal_history_category"][0] == 6


def test_no_stage_overwrites_what_an_earlier_stage_computed() -> None:
    def again(x: stages.Inputs) -> stages.Output:
        return stages.Output({"own_base_offense_level": x.cols["own_base_offense_level"] + 1})

    with pytest.raises(RuntimeError, match="again writes"):
        engine.run((stages.base_offense_level, again), _inputs(make_case()))


def test_step_text_is_never_a_closure() -> None:
    level = np.array([30])
    with pytest.raises(TypeError, match="closure"):
        record("x", "USSG §1", "cite", lambda seen, i: f"{level[i]}", {})


def test_steps_are_recorded_in_the_order_computed(tmp_path: Path) -> None:
    """Every step names its stage, in pipeline order; criminal history comes after Chapters Two and Three
    (USSG §1B1.1(a)(6)), not where it used to be recorded."""
    case = make_case(adjustments=[{"section": "2D1.1(b)(1)", "levels": 2}, {"section": "3B1.1(c)", "levels": 2}],
                     acceptance=3, career_offender=True, criminal_history={"points": 7})
    order = [s.__name__ for s in engine.PIPELINE]
    for r in range_json(tmp_path, case, "original", "current").values():
        positions = [order.index(s["stage"]) for s in r["steps"]]
        assert positions == sorted(positions), [s["rule"] for s in r["steps"]]
        rules = [s["rule"] for s in r["steps"]]
        assert rules.index("criminal_history") > rules.index("acceptance")
        assert rules.index("career_offender") > rules.index("criminal_history")


def test_the_result_keeps_its_columns() -> None:
    """The columns the retroactivity code, the reports and the batch read."""
    result = engine.compute(LAW, _inputs(make_case()).cases, ORIGINAL)
    assert {"base_offense_level", "total_offense_level", "criminal_history_category", "criminal_history_points",
            "table_min", "table_max", "guideline_min", "guideline_max", "statutory_tier", "statutory_min",
            "statutory_nominal_min", "statutory_max", "safety_valve", "career_offender_applies", "acceptance_levels",
            "hypothetical", "section_5g1_1", "manual_date", "statute_date", "own_total_offense_level",
            "own_base_offense_level", "uncapped_base_offense_level"} <= set(result.cols)


def test_safety_valve_reduction_sees_chapter_two_only() -> None:
    """Hand computation (Amendments 515, 624): sentenced 1998, level 26 from Chapter Two. The reduction applies
    whatever Chapter Three does afterwards; at 24 from Chapter Two it does not, whatever Chapter Three adds."""
    case = make_case(offense_date="1997-06-01", sentencing_date="1998-06-01", safety_valve=True)
    cols = {"safety_valve": True, "unsplit_adjustment_levels": 0}
    assert stages.safety_valve_reduction(_inputs(case, offense_level_determined_above=26, **cols)
                                         ).cols["chapter_two_offense_level"][0] == 24
    out = stages.safety_valve_reduction(_inputs(case, offense_level_determined_above=24, **cols))
    assert out.cols["chapter_two_offense_level"][0] == 24
    assert "below 26: no reduction" in out.steps[0].render(0)["detail"]


def test_levels_summed_across_chapters_say_what_was_assumed() -> None:
    """A flat row gives one sum for 2D1.1(b)(1) and 3C1.1. Where the split decides the 1995-2001 condition,
    the levels count as Chapter Two and an assumption says so. Hand computation: 70 g heroin in 1998 is at
    least 60 g but less than 80 g → 22. Flat row: 22 + 4 = 26 >= 26 → −2 = 24, total 24, with the
    assumption. Case file: 22 + 2 (§2D1.1(b)(1)) = 24 < 26, no reduction; + 2 (§3C1.1) = 26."""
    import pyarrow as pa

    from sentcalc.io.flat import case_to_row, parse

    case = make_case(offense_date="1997-06-01", sentencing_date="1998-06-01", safety_valve=True,
                     conviction={"statute": "841(b)(1)(C)", "drug": "heroin", "grams": 70},
                     drugs=[{"drug": "heroin", "grams": 70}],
                     adjustments=[{"section": "2D1.1(b)(1)", "levels": 2}, {"section": "3C1.1", "levels": 2}])
    row = case_to_row(parse_case(case, LAW, date(2026, 11, 25)), LAW)
    cases, problems = parse(pa.Table.from_pylist([row]), LAW, date(2026, 11, 25))
    assert not problems.rows
    result = engine.compute(LAW, cases, ORIGINAL)
    assert result.cols["own_base_offense_level"][0] == 22 and result.cols["chapter_two_offense_level"][0] == 24
    assert result.cols["total_offense_level"][0] == 24
    assert any("one sum over sections of different chapters" in a for a in result.notes_for(0, "assumption"))
    single = engine.compute(LAW, from_models([parse_case(case, LAW, date(2026, 11, 25))], LAW.drugs), ORIGINAL)
    assert single.cols["chapter_two_offense_level"][0] == 24 and single.cols["total_offense_level"][0] == 26
    assert not single.notes_for(0, "assumption")
