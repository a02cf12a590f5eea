"""Release dates as the Bureau of Prisons computes them (18 U.S.C. §§3585, 3624(a)-(b)), First Step Act
time credits (§§3632(d)(4), 3624(g)) and the worked examples they must reproduce to the day.

Sources (../shared/reference/release.md): Fall v. Warden Stover, No. 3:24-cv-1176 (D. Conn. Oct. 24, 2024)
(90 months from 2021-09-13, 319 days' credit: full term 2028-04-27, 404 days of good-conduct time,
projected release 2027-03-20, 365 days of credits toward supervised release; "480 earned, 877 days
remaining" as reported); Catlin v. Hudson, No. 20-3212-JWL (D. Kan. Nov. 20, 2020) (67 months from
2018-03-08, 337 days' credit: 301 days); Hill v. Cowin, No. 9:10-cv-553 (N.D.N.Y. June 9, 2010) (old
method: 70 days on 18 months, 94 on 24). The 120- and 63-month examples and the time-credit overlay are
hand computations (reference §§1.5, 2.10), the arithmetic written beside each."""

from __future__ import annotations

import json
from datetime import date

import numpy as np
import pytest

from helpers import make_case, run, run_main, write_case
from sentcalc.columns import from_models
from sentcalc.io.casefile import parse_case
from sentcalc.law import default_law
from sentcalc.retro.release import good_conduct, preceding_weekday, project
from sentcalc.retro.time_credits import APPLIED, EXCLUDED, REMOVAL, RISK

LAW = default_law()
TODAY = date(2026, 11, 25)


def gct(start: str, months: float, prior: int = 0) -> tuple[str, int, str, str]:
    """(full term, good-conduct days, release, §3624(a) weekday) of one term."""
    g = good_conduct(LAW, np.array([start], dtype="datetime64[D]"), np.array([float(prior)]), np.array([months]))
    return str(g.full_term[0]), int(g.gct_days[0]), str(g.release[0]), str(preceding_weekday(LAW, g.release)[0])


def test_fall_v_warden_stover() -> None:
    # 2021-09-13 + 90 months − 1 day − 319 days = 2028-04-27; 7 × 54 + ⌊54 × 181/365⌋ = 378 + 26 = 404
    # (181 days from 2028-09-13 to 2029-03-13); 2028-04-27 − 404 = 2027-03-20, a Saturday: §3624(a) allows
    # Friday 2027-03-19, but the BOP's own date is the Saturday.
    assert gct("2021-09-13", 90, 319) == ("2028-04-27", 404, "2027-03-20", "2027-03-19")


def test_catlin_v_hudson() -> None:
    # 5 × 54 + ⌊54 × 214/365⌋ = 270 + 31 = 301 (214 days from 2023-03-08 to 2023-10-08); the full term
    # 2018-03-08 + 67 months − 1 − 337 = 2022-11-04.
    full, days, release, _ = gct("2018-03-08", 67, 337)
    assert (full, days, release) == ("2022-11-04", 301, "2022-01-07")


@pytest.mark.parametrize("months, prior, expected", [
    # 2024-01-16 + 120 months − 1 = 2034-01-15; 10 × 54 = 540 → 2032-07-24 (Saturday; Friday 2032-07-23)
    (120, 0, ("2034-01-15", 540, "2032-07-24", "2032-07-23")),
    # 63 months: 5 × 54 + ⌊54 × 90/365⌋ = 283 (90 days from 2029-01-16 to 2029-04-16) → 2028-07-06, a Thursday
    (63, 0, ("2029-04-15", 283, "2028-07-06", "2028-07-06")),
    # 200 days of prior custody move both dates 200 days earlier; the credit stays 540
    (120, 200, ("2033-06-29", 540, "2032-01-06", "2032-01-06")),
    # 12 months and a day is "more than 1 year": 54 + ⌊54 × 1/365⌋ = 54 → Saturday 2024-11-23, Friday 22nd
    (12 + 1 / 30.4375, 0, ("2025-01-16", 54, "2024-11-23", "2024-11-22")),
    # 12 months: no good-conduct time at all
    (12, 0, ("2025-01-15", 0, "2025-01-15", "2025-01-15")),
])
def test_derived_examples_from_2024_01_16(months: float, prior: int, expected: tuple) -> None:
    assert gct("2024-01-16", months, prior) == expected


def test_leap_year_in_the_final_partial_year() -> None:
    # 16 months from 2022-12-01: the partial year 2023-12-01 → 2024-04-01 holds 29 February, d = 122:
    # 54 + ⌊54 × 122/365⌋ = 54 + 18 = 72; full term 2024-03-31, release 2024-01-19. A year later there is
    # no leap day: d = 121, ⌊54 × 121/365⌋ = 17, 71 days; full term 2025-03-31, release 2025-01-19.
    assert gct("2022-12-01", 16)[:3] == ("2024-03-31", 72, "2024-01-19")
    assert gct("2023-12-01", 16)[:3] == ("2025-03-31", 71, "2025-01-19")


@pytest.mark.parametrize("months, days", [(18, 70), (24, 94)])
def test_hill_v_cowin_old_method(months: int, days: int) -> None:
    # Before 2019-07-19: 54 days at the end of each year served; the last portion needs x days with
    # x + ⌊.148 x⌋ covering what remains. 18 months from 2008-01-01 = 547 days: 419 (365 + 54) leave 128;
    # x = 112 (112 + 16 = 128) → 54 + 16 = 70. 24 months = 731 days: 731 − 419 = 312; x = 272 (272 + 40) → 94.
    assert gct("2008-01-01", months)[1] == days


def test_old_method_ten_years_and_cole() -> None:
    # 120 months from 2005-01-10 = 3652 days: 8 × 419 = 3352, 300 left, x = 262 (262 + 38) → 8 × 54 + 38 = 470
    # (the figure White v. Scibana reports); Cole's 84 months: 6 × 54 + 5 = 329 = 7 × 47.
    assert gct("2005-01-10", 120)[1] == 470
    assert gct("2005-01-10", 84)[1] == 329


def one(doc: dict):
    case = parse_case(doc, LAW, TODAY)
    return from_models([case], LAW.drugs)


def retro_json(tmp_path, case: dict, as_of: str, today: str = "2026-11-25") -> dict:
    res = run("--today", today, "retro", str(write_case(tmp_path, case)), "--json", "--as-of", as_of)
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


HISTORY_CASE = make_case(offense_date="2005-09-01", sentencing_date="2006-04-01",
                         conviction={"statute": "841(b)(1)(B)", "drug": "cocaine_base", "grams": 30},
                         drugs=[{"drug": "cocaine_base", "grams": 30}], sentence_months=130,
                         custody_start="2006-04-01")


@pytest.mark.parametrize("as_of", ["2016-01-04", "2019-07-18", "2019-07-19", "2026-11-25"])
def test_a_release_in_the_past_does_not_move_with_the_order_date(tmp_path, as_of: str) -> None:
    # 130 months from 2006-04-01: full term 2017-01-31. The old method (in force until 2019-07-18):
    # 3959 days; 9 × 419 = 3771, 188 left, x = 164 (164 + 24) → 9 × 54 + 24 = 510 → released 2015-09-09,
    # years before the First Step Act. Time served stops there: 2006-04-01 → 2015-09-09 = 3448 days = 113 months.
    doc = retro_json(tmp_path, HISTORY_CASE, as_of)
    rel = doc["original"]["release"]
    assert doc["projected_release_date_now"] == rel["projected_release_date"] == "2015-09-09"
    assert rel["gct_days"] == 510 and rel["full_term_date"] == "2017-01-31"
    assert "per year served" in rel["method"]
    assert doc["time_served_months"] == (113 if as_of >= "2015-09-09" else None)
    # No time credits before the BOP applied them (2022-01-13)
    assert rel["supervised_release_transfer_date"] is None and "began applying" in rel["method"]


def test_released_on_the_day_the_new_method_took_effect() -> None:
    # Cole v. Williams (N.D. Ohio 2019): 84 months, old-method release 2019-07-25; the new method gives
    # 2019-06-06, already past on 2019-07-19, so the person went home on 2019-07-19 (derived: commencement
    # 2013-06-19, no credit: full term 2020-06-18; 329 old days → 2019-07-25; 7 × 54 = 378 → 2019-06-06).
    cases = one(make_case(offense_date="2012-09-01", sentencing_date="2013-06-19", sentence_months=84,
                          conviction={"statute": "841(b)(1)(C)", "drug": "heroin", "grams": 50},
                          drugs=[{"drug": "heroin", "grams": 50}], custody_start="2013-06-19"))
    p = project(LAW, cases, cases.sentence_months, TODAY)
    d = p.as_dict(0)
    assert (d["full_term_date"], d["projected_release_date"]) == ("2020-06-18", "2019-07-19")
    assert "2019-06-06" in d["method"] and "Released on 2019-07-19" in d["method"]
    # a release on the 18th stays under the old method
    g = good_conduct(LAW, np.array(["2013-06-12"], dtype="datetime64[D]"), np.array([0.0]), np.array([84.0]))
    assert str(g.release[0]) == "2019-07-18" and int(g.gct_days[0]) == 329


def fall_case(**tc: object) -> dict:
    case = make_case(offense_date="2020-01-01", sentencing_date="2021-09-13", sentence_months=90,
                     conviction={"statute": "841(b)(1)(A)", "drug": "methamphetamine", "grams": 600},
                     drugs=[{"drug": "methamphetamine", "grams": 600}], safety_valve=True,
                     custody_start="2021-09-13", prior_custody_days=319, supervised_release_months=60)
    case["time_credits"] = dict(tc)
    return case


def test_fall_time_credits(tmp_path) -> None:
    # With the BOP's figure (480 days on 2024-10-24, the day of the opinion; 877 days to 2027-03-20) and
    # minimum risk: the 365-day maximum moves the transfer to supervised release to 2026-03-20 (as the
    # BOP had counted). Prerelease custody once the credits cover the rest: x days after 2024-10-24 with
    # 480 + 15 × ⌊x/30⌋ ≥ 877 − x: x in [240, 270) holds 600 (needs x ≥ 277), x in [270, 300) holds 615
    # (x ≥ 262) → x = 270 → 2025-07-21. Credits by the transfer: 17 more periods → 480 + 255 = 735.
    doc = retro_json(tmp_path, fall_case(risk_level="minimum", earned_days=480, earned_as_of="2024-10-24",
                                         organizer_finding=False, removal_order=False), "2024-10-24", "2024-10-24")
    rel = doc["original"]["release"]
    assert rel == {**rel, "full_term_date": "2028-04-27", "gct_days": 404, "projected_release_date": "2027-03-20",
                   "weekday_release_date": "2027-03-19", "supervised_release_transfer_date": "2026-03-20",
                   "prerelease_custody_date": "2025-07-21", "ftc_days": 735}
    # §841(b)(1)(A) with the safety valve: no statutory minimum term, no maximum; §5D1.2(a)(1) 2-5 years
    assert doc["original"]["supervised_release"] == {"min_months": None, "max_months": "life",
                                                     "guideline_min_months": 24, "guideline_max_months": 60}


def overlay(today: str, **tc: object):
    cases = one({**make_case(offense_date="2023-01-01", sentencing_date="2024-01-16", sentence_months=120,
                             conviction={"statute": "841(b)(1)(B)", "drug": "cocaine", "grams": 600},
                             drugs=[{"drug": "cocaine", "grams": 600}], custody_start="2024-01-16",
                             acceptance=3, criminal_history={"points": 7}), "time_credits": tc})
    return project(LAW, cases, cases.sentence_months, date.fromisoformat(today)).as_dict(0)


def test_time_credit_overlay_on_the_120_month_example() -> None:
    # Reference §2.10: commencement 2024-01-16, release 2032-07-24, low risk throughout (the projection is
    # made on the commencement day, so every period earns 15): 365 days are in hand after 25 periods
    # (2026-02-04), so the transfer is the full year early: 2032-07-24 − 365 = 2031-07-25. Prerelease
    # custody when credits ≥ days left: 2029-09-23 is 2077 days in, 69 periods × 15 = 1035 = 2032-07-24 −
    # 2029-09-23 (1035 days); a day earlier it is 1034 days in (still 1035 credits, 1036 days left).
    d = overlay("2024-01-16", risk_level="low")
    assert (d["supervised_release_transfer_date"], d["prerelease_custody_date"]) == ("2031-07-25", "2029-09-23")
    # At 10 per 30 (risk not stated): 365 credits need 37 periods (2027-01-30), still early enough;
    # prerelease: 2030-06-13 is 2340 days in, 78 periods = 780 credits, and 2032-07-24 − 2030-06-13 = 772.
    d = overlay("2024-01-16")
    assert (d["supervised_release_transfer_date"], d["prerelease_custody_date"]) == ("2031-07-25", "2030-06-13")
    assert any("risk level not given" in a for a in d["assumptions"])


def test_risk_history_sets_the_rate() -> None:
    # Medium until 2025-01-16, then low twice: 15 per 30 only for periods that begin once the two latest
    # assessments are low (from 2025-07-16). A case decided on 2026-11-25 with that history earns more
    # than at 10 throughout, less than at 15 throughout, and the dates move accordingly.
    hist = "2024-07-16:medium; 2025-01-16:low; 2025-07-16:low"
    mixed = overlay("2026-11-25", risk_history=hist)
    low = overlay("2024-01-16", risk_level="low")
    ten = overlay("2024-01-16")
    assert ten["prerelease_custody_date"] > mixed["prerelease_custody_date"] > low["prerelease_custody_date"]
    high = overlay("2026-11-25", risk_history=hist + "; 2026-01-16:high")
    assert high["supervised_release_transfer_date"] is None and high["prerelease_custody_date"] is None
    assert "cannot be applied while the risk level is high" in high["method"]


def test_removal_order_earns_but_cannot_apply() -> None:
    # §3632(d)(4)(E)(i): a final order of removal bars applying credits, not earning them.
    d = overlay("2024-01-16", risk_level="low", removal_order=True)
    assert d["projected_release_date"] == "2032-07-24" and d["ftc_days"] > 0
    assert d["supervised_release_transfer_date"] is None and d["prerelease_custody_date"] is None
    assert "final order of removal" in d["method"]


def test_no_supervised_release_imposed_leaves_prerelease_custody_only() -> None:
    cases = one({**make_case(offense_date="2023-01-01", sentencing_date="2024-01-16", sentence_months=120,
                             conviction={"statute": "841(b)(1)(B)", "drug": "cocaine", "grams": 600},
                             drugs=[{"drug": "cocaine", "grams": 600}], custody_start="2024-01-16", acceptance=3,
                             criminal_history={"points": 7}, supervised_release_months=0),
                 "time_credits": {"risk_level": "low"}})
    d = project(LAW, cases, cases.sentence_months, date(2024, 1, 16)).as_dict(0)
    # the credits cover the rest of the term to 2032-07-24 from 2029-09-23 on, as above
    assert d["supervised_release_transfer_date"] is None and d["prerelease_custody_date"] == "2029-09-23"


EXCLUSION_CASES = [
    # (conviction, relevant conduct, other fields, time_credits, excluded?, clause)
    ("841(b)(1)(A)", "fentanyl", 500, {}, {}, True, "(lxvi)"),
    ("841(b)(1)(B)", "fentanyl_analogue", 20, {}, {}, True, "(lxvi)"),
    ("841(b)(1)(C)", "fentanyl", 10, {}, {}, False, None),
    ("841(b)(1)(C)", "heroin", 50, {"conviction__death_or_injury": True}, {}, True, "(lviii)"),
    ("841(b)(1)(B)", "heroin", 200, {}, {"organizer_finding": True}, True, "(lxv)"),
    ("841(b)(1)(B)", "heroin", 200, {}, {"organizer_finding": False}, False, None),
    ("841(b)(1)(A)", "methamphetamine", 600, {"adjustments": [{"section": "3B1.1(a)", "levels": 4}]}, {}, True, "(lxvii)"),
    ("841(b)(1)(A)", "methamphetamine", 600, {}, {}, False, None),
    ("841(b)(1)(C)", "methamphetamine", 20, {}, {"organizer_finding": True}, False, None),
    ("841(b)(1)(A)", "cocaine", 6000, {"drugs": [{"drug": "cocaine", "grams": 6000}, {"drug": "fentanyl", "grams": 5}]},
     {"organizer_finding": True}, True, "(lxviii)"),
    ("841(b)(1)(A)", "cocaine", 6000, {"drugs": [{"drug": "cocaine", "grams": 6000}, {"drug": "fentanyl", "grams": 5}]},
     {"organizer_finding": False}, False, None),
    ("841(b)(1)(B)", "cocaine", 600, {"consecutive_months": 60}, {"consecutive_924c": True}, True, "(xxii)"),
    ("841(b)(1)(B)", "cocaine", 600, {"consecutive_months": 60}, {}, True, "(xxii)"),
    ("841(b)(1)(B)", "cocaine", 600, {"consecutive_months": 60}, {"consecutive_924c": False}, False, None),
    ("844(a)", "cocaine", 5, {"sentence_months": 12, "sentencing_date": "2023-01-04", "custody_start": "2023-01-04"},
     {}, False, None),
]


@pytest.mark.parametrize("statute, drug, grams, fields, tc, excluded, clause", EXCLUSION_CASES)
def test_exclusions_clause_by_clause(statute: str, drug: str, grams: float, fields: dict, tc: dict, excluded: bool,
                                     clause: str | None) -> None:
    base = {"offense_date": "2020-01-01", "sentencing_date": "2021-01-04", "custody_start": "2021-01-04",
            "conviction": {"statute": statute, "drug": drug, "grams": grams},
            "drugs": [{"drug": drug, "grams": grams}], "sentence_months": 240}
    case = make_case(**{**base, **fields})
    case["time_credits"] = {"risk_level": "low", **tc}
    cases = one(case)
    p = project(LAW, cases, cases.sentence_months + cases.consecutive_months, TODAY)
    d = p.as_dict(0)
    assert p.credits.status[0] == (EXCLUDED if excluded else APPLIED)
    if excluded:
        assert d["ftc_days"] == 0 and d["supervised_release_transfer_date"] is None
        assert f"§3632(d)(4)(D){clause}" in d["method"]
    else:
        assert d["ftc_days"] > 0 and d["supervised_release_transfer_date"] < d["projected_release_date"]
    assumed = " ".join(d["assumptions"])
    assert ("§924(c)" in assumed) == ("consecutive_months" in fields and "consecutive_924c" not in tc)
    role_asked = clause in ("(lxvii)",) or (drug == "methamphetamine" and statute.endswith(("(A)", "(B)"))
                                             and "organizer_finding" not in tc)
    assert ("organizer_finding" in assumed) == role_asked


def test_status_codes_cover_removal_and_risk() -> None:
    d = overlay("2024-01-16", risk_level="medium")
    assert d["supervised_release_transfer_date"] is None and d["ftc_days"] > 0
    cases = one({**make_case(offense_date="2023-01-01", sentencing_date="2024-01-16", sentence_months=120,
                             conviction={"statute": "841(b)(1)(B)", "drug": "cocaine", "grams": 600},
                             drugs=[{"drug": "cocaine", "grams": 600}], custody_start="2024-01-16", acceptance=3,
                             criminal_history={"points": 7}), "time_credits": {"removal_order": True, "risk_level": "high"}})
    c = project(LAW, cases, cases.sentence_months, TODAY).credits
    assert c.status[0] == REMOVAL
    cases.removal_order[:] = 0
    assert project(LAW, cases, cases.sentence_months, TODAY).credits.status[0] == RISK


def test_custody_before_sentencing_is_credited() -> None:
    # custody_start before the sentencing date: the sentence commenced at sentencing (§3585(a)) and the
    # days before are credit (§3585(b)); the release assumptions say so.
    case = make_case(offense_date="2015-06-01", sentencing_date="2016-03-01", custody_start="2015-06-01",
                     conviction={"statute": "841(b)(1)(C)", "drug": "heroin", "grams": 50},
                     drugs=[{"drug": "heroin", "grams": 50}], acceptance=3, sentence_months=140)
    d = project(LAW, one(case), np.array([140.0]), TODAY).as_dict(0)
    assert d["full_term_date"] == "2027-01-30"   # 2027-11-01 − 1 − 274 days (2015-06-01 to 2016-02-29)
    assert any("274 days before it credited" in a for a in d["assumptions"])


def test_the_bundled_time_credit_example() -> None:
    # examples/cases/meth-time-credits-supervised-release-2021.yaml: the computation in its header.
    from pathlib import Path
    path = Path(__file__).resolve().parents[1] / "examples" / "cases" / "meth-time-credits-supervised-release-2021.yaml"
    res = run("--today", "2026-11-25", "retro", str(path), "--json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    rel = doc["original"]["release"]
    assert (rel["full_term_date"], rel["gct_days"], rel["projected_release_date"], rel["weekday_release_date"],
            rel["supervised_release_transfer_date"], rel["prerelease_custody_date"]) == (
        "2028-04-27", 404, "2027-03-20", "2027-03-19", "2026-03-20", "2025-07-21")
    a821 = next(a for a in doc["analyses"] if a["id"] == "amendment-821")
    assert a821["release"]["full_term_date"] == "2026-08-27" and a821["release"]["gct_days"] == 314
    assert a821["projected_release_date"] == "2025-10-17" and a821["immediate_release"] is True
    assert "could go home now" in run("--today", "2026-11-25", "retro", str(path), "--format", "markdown").stdout


@pytest.mark.parametrize("day, weekday", [
    ("2025-12-25", "2025-12-24"),   # Christmas, a Thursday
    ("2026-07-04", "2026-07-02"),   # Saturday; Independence Day observed Friday the 3rd (5 U.S.C. §6103(b))
    ("2025-01-20", "2025-01-17"),   # Martin Luther King Jr. Day: third Monday of January → Friday
    ("2021-06-19", "2021-06-17"),   # Juneteenth's first year: Saturday, observed Friday the 18th
    ("2019-06-19", "2019-06-19"),   # before Juneteenth was a holiday: a Wednesday stays
    ("2027-03-19", "2027-03-19"),   # a plain Friday
])
def test_preceding_weekday(day: str, weekday: str) -> None:
    assert str(preceding_weekday(LAW, np.array([day], dtype="datetime64[D]"))[0]) == weekday


@pytest.mark.parametrize("history, words", [
    ("2024-02-30:low", "is not a dated PATTERN level"),
    ("2024-01-01:moderate", "is not a dated PATTERN level"),
    ("2027-01-01:low", "is after today"),
])
def test_a_bad_risk_history_names_the_field(tmp_path, capsys, history: str, words: str) -> None:
    case = make_case(sentence_months=120, custody_start="2006-06-01")
    case["time_credits"] = {"risk_history": history}
    code, out, err = run_main(["retro", str(write_case(tmp_path, case)), "--json"], capsys)
    assert code == 2 and not out and "time_credits" in err and words in err and "Traceback" not in err, err
