"""Property tests (hypothesis) for the foundation's invariants: more drug never lowers the level; the
FSA and Amendment 782 never raise a crack level; §5G1.1 keeps the guideline range inside the statutory
range; a case computed alone equals the same case computed in a batch."""

from __future__ import annotations

from datetime import date

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import conviction_drugs, conviction_quantity, quantity_key, subsections
from sentcalc.case import Case
from sentcalc.columns import from_models
from sentcalc.engine import compute_many
from sentcalc.law import LIFE, default_law
from sentcalc.regimes import Regime, parse_regime
from sentcalc.report.result import result_dict
from sentcalc.rules.drug_quantity import quantity_level

LAW = default_law()
DRUGS = LAW.drugs
TODAY = date(2026, 11, 25)
dates = st.dates(min_value=date(1987, 11, 1), max_value=date(2026, 11, 25))
grams = st.floats(min_value=0, max_value=5e7, allow_nan=False)


@settings(max_examples=300)
@given(drug=st.sampled_from(DRUGS), g=grams, extra=grams, on=dates)
def test_more_drug_never_lowers_the_level(drug: str, g: float, extra: float, on: date) -> None:
    d = np.array([on], dtype="datetime64[D]")
    a = quantity_level(LAW, drug, np.array([g]), d)["level"][0]
    b = quantity_level(LAW, drug, np.array([g + extra]), d)["level"][0]
    assert b >= a


@settings(max_examples=300)
@given(g=st.floats(min_value=0, max_value=1e6, allow_nan=False))
def test_fsa_and_782_never_raise_a_crack_level(g: float) -> None:
    levels = {k: quantity_level(LAW, "cocaine_base", np.array([g]), np.array([k], dtype="datetime64[D]"))["level"][0]
              for k in ("2007-10-31", "2007-11-01", "2010-11-01", "2014-11-01")}
    assert levels["2014-11-01"] <= levels["2010-11-01"] <= levels["2007-11-01"] <= levels["2007-10-31"]


SUBSECTION_BY_DRUG = {d: subsections(d) for d in conviction_drugs()}


@st.composite
def cases(draw: st.DrawFn) -> Case:
    offense = draw(st.dates(min_value=date(1988, 1, 1), max_value=date(2025, 12, 31)))
    sentencing = draw(st.dates(min_value=offense, max_value=date(2026, 11, 25)))
    drug = draw(st.sampled_from(conviction_drugs()))
    statute = draw(st.sampled_from(SUBSECTION_BY_DRUG[drug]))
    q = draw(st.floats(min_value=0.01, max_value=2e6, allow_nan=False))
    conv_grams = conviction_quantity(drug, statute)
    unit = quantity_key(drug)
    points = draw(st.integers(0, 20))
    status = draw(st.integers(0, min(2, points)))
    return Case.model_validate({
        "id": "h", "offense_date": offense, "sentencing_date": sentencing,
        "conviction": {"statute": statute, "drug": drug, unit: conv_grams,
                       "prior_convictions": draw(st.integers(0, 2)), "death_or_injury": draw(st.booleans())},
        "drugs": [{"drug": drug, unit: q}],
        "adjustments": draw(st.lists(st.sampled_from([{"section": "2D1.1(b)(1)", "levels": 2},
                                                      {"section": "3B1.1(c)", "levels": 2},
                                                      {"section": "3C1.1", "levels": 2}]), max_size=3)),
        "mitigating_role": draw(st.sampled_from([0, 2, 3, 4])),
        "acceptance": draw(st.sampled_from([0, 2, 3])),
        "criminal_history": {"points": points, "status_points": status},
        "career_offender": draw(st.booleans()),
        "safety_valve": draw(st.booleans()),
    })


REGIMES = [parse_regime(t, LAW, TODAY) for t in ("original", "pre-2007", "2010", "2014", "current")]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batch=st.lists(cases(), min_size=2, max_size=6))
def test_batch_equals_single_and_ranges_are_lawful(batch: list[Case]) -> None:
    together = compute_many(LAW, from_models(batch, DRUGS), REGIMES)
    for i, case in enumerate(batch):
        alone = compute_many(LAW, from_models([case], DRUGS), REGIMES)
        for r_all, r_one in zip(together, alone):
            a, b = result_dict(r_all, i), result_dict(r_one, 0)
            assert a == b
            g, s = a["guideline_range"], a["statutory_range"]
            lo = LIFE if g["min_months"] == "life" else g["min_months"]
            smax = LIFE if s["max_months"] == "life" else s["max_months"]
            smin = LIFE if s["min_months"] == "life" else s["min_months"]
            assert smin <= lo <= smax
            assert 1 <= a["total_offense_level"] <= 43


def test_regime_is_a_date() -> None:
    assert parse_regime("2010", LAW, TODAY) == Regime("2010", date(2010, 11, 1))
    assert parse_regime("current", LAW, TODAY).day == TODAY
