"""Property tests (hypothesis, derandomized) for release projections on generated cases:

- time credits never move a date later: the transfer to supervised release is never after the
  good-conduct release, never more than 365 days before it, and prerelease custody comes before both;
- a longer sentence never releases earlier (good-conduct release, and the day the person goes home);
- nothing about a release already in the past depends on the order date (--as-of) or on today."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import make_case
from sentcalc.columns import from_models
from sentcalc.io.casefile import parse_case
from sentcalc.law import default_law
from sentcalc.retro.analyse import analyse
from sentcalc.retro.release import project

LAW = default_law()
TODAY = date(2026, 11, 25)
LEVELS = ["minimum", "low", "medium", "high"]


@st.composite
def release_cases(draw: st.DrawFn) -> dict:
    sentencing = draw(st.dates(min_value=date(1995, 1, 1), max_value=TODAY))
    start = sentencing + timedelta(days=draw(st.integers(0, 120)))
    start = min(start, TODAY)
    if draw(st.booleans()):   # custody before sentencing, read as credit
        start = sentencing - timedelta(days=draw(st.integers(1, 700)))
    tc: dict = {}
    if draw(st.booleans()):
        tc["risk_level"] = draw(st.sampled_from(LEVELS))
    if draw(st.booleans()):
        days = sorted(draw(st.lists(st.integers(0, 3000), max_size=4)))
        tc["risk_history"] = ";".join(f"{min(start + timedelta(days=d), TODAY).isoformat()}:"
                                      f"{draw(st.sampled_from(LEVELS))}" for d in days) or None
    if draw(st.booleans()):
        tc["programming_start"] = min(max(start, sentencing) + timedelta(days=draw(st.integers(0, 400))), TODAY).isoformat()
    if draw(st.booleans()):
        tc["earned_days"] = draw(st.integers(0, 1500))
        tc["earned_as_of"] = draw(st.dates(min_value=max(start, date(2019, 1, 1)), max_value=TODAY)).isoformat() \
            if max(start, date(2019, 1, 1)) <= TODAY else TODAY.isoformat()
    tc["removal_order"] = draw(st.sampled_from([None, False, True]))
    drug, statute, grams = draw(st.sampled_from([("cocaine", "841(b)(1)(C)", 100), ("fentanyl", "841(b)(1)(A)", 500),
                                                 ("methamphetamine", "841(b)(1)(B)", 60), ("heroin", "841(b)(1)(C)", 20)]))
    case = make_case(offense_date=(min(start, sentencing) - timedelta(days=30)).isoformat(),
                     sentencing_date=sentencing.isoformat(), custody_start=start.isoformat(),
                     conviction={"statute": statute, "drug": drug, "grams": grams},
                     drugs=[{"drug": drug, "grams": grams}], safety_valve=True,
                     prior_custody_days=draw(st.integers(0, 400)),
                     supervised_release_months=draw(st.sampled_from([None, 0, 36, 60])),
                     sentence_months=draw(st.integers(1, 480)))
    case["time_credits"] = tc
    return case


def cases_of(case: dict):
    return from_models([parse_case(case, LAW, TODAY)], LAW.drugs)


@settings(max_examples=300)
@given(case=release_cases(), extra=st.integers(0, 60), today=st.dates(min_value=date(2019, 1, 1), max_value=TODAY))
def test_credits_never_move_a_date_later_and_longer_never_earlier(case: dict, extra: int, today: date) -> None:
    cases = cases_of(case)
    term = cases.sentence_months
    short, long_ = project(LAW, cases, term, today), project(LAW, cases, term + extra, today)
    for p in (short, long_):
        rel, c = p.good.release[0], p.credits
        if np.isnat(rel):
            continue
        t, pre = c.transfer[0], c.prerelease[0]
        if not np.isnat(t):
            assert t <= rel and (rel - t).astype(int) <= 365, (case, t, rel)
        if not np.isnat(pre):
            assert pre < (rel if np.isnat(t) else t), (case, pre, t, rel)
        assert p.home[0] <= rel
    assert short.good.release[0] <= long_.good.release[0], case
    assert short.home[0] <= long_.home[0], (case, short.home, long_.home)


@settings(max_examples=120)
@given(case=release_cases(), as_of=st.dates(min_value=date(2008, 1, 1), max_value=TODAY),
       later=st.integers(1, 3000))
def test_a_past_release_does_not_depend_on_the_order_date_or_today(case: dict, as_of: date, later: int) -> None:
    cases = cases_of(case)
    one = analyse(LAW, cases, as_of, today=TODAY)
    two = analyse(LAW, cases, min(as_of + timedelta(days=later), TODAY), today=TODAY)
    a, b = one.now.as_dict(0), two.now.as_dict(0)
    assert a == b, case
    rel = one.now.home[0]
    if not np.isnat(rel) and rel < np.datetime64(as_of, "D"):
        # already home before the earlier order date: the same dates whatever today is
        other = analyse(LAW, cases, as_of, today=as_of).now.as_dict(0)
        for key in ("full_term_date", "gct_days", "projected_release_date", "supervised_release_transfer_date"):
            assert other[key] == a[key], (case, key)
        assert one.served_now[0] == two.served_now[0]
