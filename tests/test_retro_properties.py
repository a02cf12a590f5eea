"""Property tests (hypothesis, derandomized) for `sentcalc retro --json` on generated cases:

- an eligible analysis never allows a term above the term now in force;
- an eligible §3582(c)(2) analysis never goes below the amended guideline minimum unless the sentence
  was reduced for substantial assistance (USSG §1B1.10(b)(2)(A)-(B)); an eligible §404 analysis stops at
  the new statutory minimum;
- an eligible analysis's earliest order date is never before the order date asked for, nor before the
  amendment's own floor (§1B1.10(e));
- an ineligible analysis always gives at least one reason code;
- after a below-range sentence on a substantial-assistance motion, the comparable term is never above the
  amended minimum x sentence / original minimum (the range as it applied) + 1, unless a minimum without a
  §3553(e) motion still binds (§1B1.10(b)(2)(B));
- with a §3553(e) motion (stated, or inferred for a cooperator below the minimum) and an order on or after
  2014-11-01, every open §3582(c)(2) analysis reports the Sentencing Table range as the amended guideline
  range: §5G1.1 is ignored (§1B1.10(c)).

Cases are generated as in test_properties.py, plus the retroactivity fields (sentence now in force,
departure, 11(c)(1)(C), earlier §404 denial, custody) and an order date."""

from __future__ import annotations

import json
import tempfile
from datetime import date
from pathlib import Path

import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from helpers import conviction_drugs, conviction_quantity, quantity_key, subsections, threshold
from sentcalc.cli import app
from sentcalc.errors import InputError
from sentcalc.law import default_law

TODAY = "2026-11-25"
DRUGS = default_law().drugs
FLOORS = {"amendment-706": "2008-03-03", "amendment-750": "2011-11-01", "amendment-782": "2015-11-01",
          "amendment-821": "2024-02-01", "first-step-act-404": "2018-12-21"}
LIFE = 10**6


def _months(v: object) -> float:
    return LIFE if v == "life" else float(v)  # type: ignore[arg-type]


@st.composite
def retro_cases(draw: st.DrawFn) -> tuple[dict, str]:
    # Weighted towards the cases the avenues reach: crack offenses before 2010, moderate quantities,
    # no death or injury, mostly not career offenders.
    offense = draw(st.one_of(st.dates(min_value=date(1995, 1, 1), max_value=date(2010, 7, 31)),
                             st.dates(min_value=date(1990, 1, 1), max_value=date(2024, 12, 31))))
    sentencing = draw(st.dates(min_value=offense, max_value=min(date(offense.year + 3, 12, 31), date(2025, 12, 31))))
    as_of = draw(st.one_of(st.just(date(2026, 11, 25)),
                           st.dates(min_value=max(sentencing, date(2008, 1, 1)), max_value=date(2026, 11, 25))))
    drug = draw(st.one_of(st.just("cocaine_base"), st.sampled_from(conviction_drugs())))
    statute = draw(st.sampled_from(subsections(drug)))
    big = threshold(drug, "A") or 1000.0
    conv_grams = conviction_quantity(drug, statute)
    unit = quantity_key(drug)
    q = draw(st.one_of(st.floats(min_value=big / 20, max_value=big * 20, allow_nan=False),
                       st.floats(min_value=0.01, max_value=2e6, allow_nan=False)))
    points = draw(st.integers(0, 20))
    departure = draw(st.sampled_from([None, "none", "5K1.1", "3553(e)", "other"]))
    sentence = draw(st.one_of(st.integers(24, 400), st.integers(1, 720), st.just("life")))
    case = {
        "id": "p", "offense_date": offense.isoformat(), "sentencing_date": sentencing.isoformat(),
        "conviction": {"statute": statute, "drug": drug, unit: conv_grams,
                       "prior_convictions": draw(st.integers(0, 2)),
                       "death_or_injury": draw(st.sampled_from([False] * 5 + [True]))},
        "drugs": [{"drug": drug, unit: q}],
        "adjustments": draw(st.lists(st.sampled_from([{"section": "2D1.1(b)(1)", "levels": 2},
                                                      {"section": "3B1.1(c)", "levels": 2},
                                                      {"section": "3C1.1", "levels": 2}]), max_size=3)),
        "mitigating_role": draw(st.sampled_from([0, 2, 3, 4])),
        "acceptance": draw(st.sampled_from([0, 2, 3])),
        "criminal_history": {"points": points, "status_points": draw(st.integers(0, min(2, points)))},
        "career_offender": draw(st.sampled_from([False, False, False, True])),
        "safety_valve": draw(st.booleans()),
        "substantial_assistance": departure in ("5K1.1", "3553(e)"),
        "departure": departure,
        "sentence_months": sentence,
        "plea_agreement_11c1c": draw(st.booleans()),
        "previous_404_denied": draw(st.sampled_from([False] * 4 + [True])),
    }
    if draw(st.booleans()):
        case["custody_start"] = draw(st.dates(min_value=offense, max_value=sentencing)).isoformat()
    return case, as_of.isoformat()


def run(case: dict, as_of: str) -> tuple[int, str]:
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "case.yaml"
        p.write_text(yaml.safe_dump(case), encoding="utf-8")
        res = CliRunner().invoke(app, ["--today", TODAY, "retro", str(p), "--json", "--as-of", as_of])
    if isinstance(res.exception, InputError):  # the documented validation error (exit 2 from the command)
        return 2, ""
    assert res.exception is None or isinstance(res.exception, SystemExit), (
        f"crash on {case} as of {as_of}: {res.exception!r}\n{res.output}")
    return res.exit_code, res.stdout


@settings(max_examples=200, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(drawn=retro_cases())
def test_retro_invariants(drawn: tuple[dict, str]) -> None:
    case, as_of = drawn
    code, stdout = run(case, as_of)
    assert code in (0, 2), f"exit {code} for {case}"
    assume(code == 0)
    doc = json.loads(stdout)
    sentence = _months(case["sentence_months"])
    sa = case["substantial_assistance"]
    for a in doc["analyses"]:
        where = f"{a['id']} for {case} as of {as_of}: {a}"
        if not a["eligible"]:
            assert a["reason_codes"], f"ineligible without a reason code: {where}"
            continue
        lowest = a["lowest_permissible_months"]
        assert lowest is not None, f"eligible without a lowest term: {where}"
        lowest = _months(lowest)
        assert lowest <= sentence, f"lowest term above the term now in force: {where}"
        amended = a["amended"]
        if a["id"] == "first-step-act-404":
            assert lowest == _months(amended["statutory_range"]["min_months"]), f"§404 floor is the new minimum: {where}"
        elif not sa:
            assert lowest >= _months(amended["guideline_range"]["min_months"]), (
                f"below the amended minimum without substantial assistance: {where}")
        else:
            check_comparable(doc, case, a, sentence, where)
        assert a["earliest_order_date"] >= max(as_of, FLOORS[a["id"]]), f"order date too early: {where}"


def motion_3553e(doc: dict, case: dict) -> bool:
    """A §3553(e) motion, stated or inferred by the sentence checks."""
    return case.get("departure") == "3553(e)" or any("§3553(e) motion is assumed" in x
                                                     for x in doc["original"]["assumptions"])


def check_comparable(doc: dict, case: dict, a: dict, sentence: float, where: str) -> None:
    """§1B1.10(b)(2)(B): the comparable term is at most amended minimum x sentence / original minimum + 1
    (the original minimum as it applied, after §5G1.1); a minimum that still binds may floor it."""
    o_min = _months(doc["original"]["guideline_range"]["min_months"])
    a_min = _months(a["amended"]["guideline_range"]["min_months"])
    if sentence >= o_min or o_min >= LIFE or a_min >= LIFE or a["id"] == "first-step-act-404":
        return
    bound = a_min * sentence / o_min + 1
    lowest = _months(a["lowest_permissible_months"])
    if not motion_3553e(doc, case):
        bound = max(bound, _months(a["amended"]["statutory_range"]["min_months"]))
    assert lowest <= bound, f"comparable term {lowest} above {a_min} x {sentence} / {o_min} + 1: {where}"


@st.composite
def cooperators(draw: st.DrawFn) -> tuple[dict, str]:
    """Cooperators convicted under a minimum, sentenced below it (or below the range), with the motion
    stated as §3553(e), as §5K1.1, or not at all."""
    drug = draw(st.sampled_from(["cocaine", "cocaine_base", "heroin", "methamphetamine"]))
    statute = draw(st.sampled_from(["841(b)(1)(A)", "841(b)(1)(B)"]))
    offense = draw(st.dates(min_value=date(1995, 1, 1), max_value=date(2021, 12, 31)))
    sentencing = draw(st.dates(min_value=offense, max_value=min(date(offense.year + 3, 12, 31), date(2025, 12, 31))))
    as_of = draw(st.one_of(st.just(date(2026, 11, 25)), st.just(date(2014, 10, 31)),
                           st.dates(min_value=max(sentencing, date(2008, 1, 1)), max_value=date(2026, 11, 25))))
    big = threshold(drug, "A")
    points = draw(st.integers(0, 15))
    case = {
        "id": "coop", "offense_date": offense.isoformat(), "sentencing_date": sentencing.isoformat(),
        "conviction": {"statute": statute, "drug": drug, "grams": conviction_quantity(drug, statute),
                       "prior_convictions": draw(st.sampled_from([0, 0, 0, 1]))},
        "drugs": [{"drug": drug, "grams": draw(st.floats(min_value=big / 20, max_value=big * 60, allow_nan=False))}],
        "acceptance": draw(st.sampled_from([0, 2, 3])),
        "criminal_history": {"points": points, "status_points": draw(st.integers(0, min(2, points)))},
        "substantial_assistance": True,
        "sentence_months": draw(st.integers(6, 300)),
    }
    departure = draw(st.sampled_from([None, "5K1.1", "3553(e)"]))
    if departure:
        case["departure"] = departure
    return case, as_of.isoformat()


@settings(max_examples=150, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(drawn=cooperators())
def test_cooperators_below_the_minimum(drawn: tuple[dict, str]) -> None:
    case, as_of = drawn
    code, stdout = run(case, as_of)
    assume(code == 0)
    doc = json.loads(stdout)
    sentence = _months(case["sentence_months"])
    rule_c = motion_3553e(doc, case) and as_of >= "2014-11-01" and \
        _months(doc["original"]["statutory_range"]["min_months"]) > 0
    for a in doc["analyses"]:
        where = f"{a['id']} for {case} as of {as_of}: {a}"
        if a["id"] == "first-step-act-404":
            continue
        if rule_c and not {"not_yet_in_force", "already_applied"} & set(a["reason_codes"]):
            assert a["amended"]["guideline_range"] == {k: a["amended"]["table_range"][k]
                                                       for k in ("min_months", "max_months")}, where
        if a["eligible"]:
            check_comparable(doc, case, a, sentence, where)
        else:
            assert a["reason_codes"], where
