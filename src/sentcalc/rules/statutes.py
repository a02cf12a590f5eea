"""The statutory range: 21 U.S.C. §841(b)(1) tiers and terms, §844(a), §851 priors, the First Step
Act §401 predicate, and the 18 U.S.C. §3553(f) safety valve that lifts the minimum."""

from __future__ import annotations

import numpy as np

from ..case import SUBSECTIONS
from ..columns import Cases
from ..law import LIFE, Law, months, present
from ..regimes import Dates
from ..registry import (
    CRACK_POSSESSION,
    PENALTIES_841,
    PENALTIES_844,
    PREDICATE,
    SAFETY_VALVE_STATUTE,
    THRESHOLDS,
)
from ..steps import Note, Seen, Step, cited, note, record, unverified
from .drug_quantity import quantity_text

TIERS = ("A", "B", "C", "D")
PENALTY_KEYS = ("priors_0", "priors_1", "priors_2", "death", "death_with_prior")
POSSESSION = SUBSECTIONS.index("844(a)")


def _threshold(ver_data: dict, tier: str) -> float:
    v = ver_data.get(tier)
    return np.nan if v is None else float(v)


def tier_thresholds(law: Law, drug: str, on: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Thresholds of tiers A, B, C (grams; NaN where the tier has none) and the version index."""
    dt = law.table(THRESHOLDS.at(drug=drug))
    idx = dt.index_on(on)
    tab = np.array([[_threshold(v.data, t) for t in ("A", "B", "C")] for v in dt.versions])
    return tab[idx], idx


def lowest_threshold_ever(law: Law, drug: str, statute: str) -> float | None:
    """The smallest quantity that subsection ever required for `drug` (None: no threshold)."""
    tier = statute[-2] if statute.startswith("841") else None
    if tier not in ("A", "B", "C"):
        return None
    vals = [_threshold(v.data, tier) for v in law.table(THRESHOLDS.at(drug=drug)).versions]
    vals = [v for v in vals if not np.isnan(v)]
    return min(vals) if vals else None


def reached_tier(grams: np.ndarray, thr: np.ndarray) -> np.ndarray:
    """0..3 for A..D: the most serious tier whose threshold the quantity reaches (C, or D below C's)."""
    a, b, c = thr[:, 0], thr[:, 1], thr[:, 2]
    lowest = np.where(np.isnan(c), 2, 3)
    out = np.where(grams >= c, 2, lowest)
    out = np.where(grams >= b, 1, out)
    return np.where(grams >= a, 0, out).astype(np.int8)


def _penalty_table(law: Law) -> tuple[np.ndarray, list]:
    dt = law.table(PENALTIES_841)
    tab = np.array([[[[months(x) for x in v.data[t][k]] for k in PENALTY_KEYS] for t in TIERS]
                    for v in dt.versions])
    return tab, dt.versions


def statutory_range(law: Law, cases: Cases, dates: Dates) -> tuple[dict[str, np.ndarray], list[Step], list[Note]]:
    """The statutory range of the count of conviction under the statute in force on `dates.statute`."""
    n = len(cases)
    on = dates.on(THRESHOLDS.component)
    orig_on = cases.sentencing_date
    drugs = cases.drugs
    grams = cases.conviction_grams.copy()
    thr = np.full((n, 3), np.nan)
    thr_ver = np.zeros(n, dtype=np.int64)
    thr_unverified = np.zeros(n, dtype=bool)
    assumed_grams = np.isnan(grams)
    for d in present(cases.conviction_drug):
        m = cases.conviction_drug == d
        drug = drugs[int(d)]
        t, idx = tier_thresholds(law, drug, on[m])
        thr[m], thr_ver[m] = t, idx
        versions = law.table(THRESHOLDS.at(drug=drug)).versions
        thr_unverified[m] = np.array([v.is_unverified() or bool(v.unverified) for v in versions])[idx]
        # Quantity of conviction not given: the threshold of the subsection on the sentencing date.
        miss = m & assumed_grams
        if miss.any():
            t0, _ = tier_thresholds(law, drug, orig_on[miss])
            col = np.clip(cases.statute[miss], 0, 2)
            g0 = t0[np.arange(miss.sum()), col]
            g0 = np.where(cases.statute[miss] >= 3, 0.0, g0)
            grams[miss] = np.where(np.isnan(g0), 0.0, g0)
    reached = reached_tier(grams, thr)
    possession = cases.statute == POSSESSION
    tier = np.where(possession, POSSESSION, np.maximum(cases.statute, reached)).astype(np.int8)

    # §851 priors; from 2018-12-21 tiers A and B need a serious drug or violent felony.
    pred = law.table(PREDICATE)
    pidx = pred.index_on(dates.on(PREDICATE.component))
    needs_serious = np.array([[t in v.data["serious_felony_required_for"] for t in TIERS] for v in pred.versions])
    serious_rule = needs_serious[pidx, np.clip(tier, 0, 3)] & ~possession
    priors = cases.prior_convictions.astype(np.int8).copy()
    not_serious = serious_rule & (cases.priors_qualify_after_2018 == 0)
    priors[not_serious] = 0
    assumed_serious = serious_rule & (cases.priors_qualify_after_2018 == -1) & (cases.prior_convictions > 0)

    key = np.where(cases.death_or_injury, np.where(priors > 0, 4, 3), priors).astype(np.int8)
    pen, pen_versions = _penalty_table(law)
    pen_on = dates.on(PENALTIES_841.component)
    pv = law.table(PENALTIES_841).index_on(pen_on)
    lo = np.zeros(n)
    hi = np.zeros(n)
    t841 = ~possession
    lo[t841] = pen[pv[t841], tier[t841], key[t841], 0]
    hi[t841] = pen[pv[t841], tier[t841], key[t841], 1]
    unv = np.array([[[v.is_unverified(f"{t}.{k}") for k in PENALTY_KEYS] for t in TIERS] for v in pen_versions])
    pen_unverified = unv[pv, np.clip(tier, 0, 3), key] & t841

    # §844(a): simple possession; before the FSA a crack minimum above the quantities.
    crack_min = np.zeros(n, dtype=bool)
    if possession.any():
        p844 = law.table(PENALTIES_844)
        c844 = law.table(CRACK_POSSESSION)
        pi, ci = p844.index_on(pen_on), c844.index_on(dates.on(CRACK_POSSESSION.component))
        pr = np.clip(cases.prior_convictions, 0, 2)
        for i in np.flatnonzero(possession):
            base = p844.versions[int(pi[i])].data[PENALTY_KEYS[int(pr[i])]]
            lo[i], hi[i] = months(base[0]), months(base[1])
            cv = c844.versions[int(ci[i])].data
            ex = cv.get("exceeds_grams")
            if ex and drugs[int(cases.conviction_drug[i])] == "cocaine_base" and grams[i] > float(ex[PENALTY_KEYS[int(pr[i])]]):
                lo[i], hi[i] = months(cv["term"][0]), months(cv["term"][1])
                crack_min[i] = True

    # 18 U.S.C. §3553(f): the safety valve, under that date's criminal-history criterion.
    sv = law.table(SAFETY_VALVE_STATUTE)
    si = sv.index_on(dates.on(SAFETY_VALVE_STATUTE.component))
    available = np.array([bool(v.data["available"]) for v in sv.versions])[si]
    max_pts = np.array([np.inf if v.data["max_points"] is None else float(v.data["max_points"])
                        for v in sv.versions])[si]
    pts = cases.criminal_history_points.astype(float)
    known = pts >= 0
    meets_points = np.where(known, pts <= max_pts, (cases.criminal_history_category <= 1) | np.isinf(max_pts))
    valve = cases.safety_valve & available & meets_points
    valve_lost = cases.safety_valve & ~(available & meets_points)
    binding_lo = np.where(valve, 0.0, lo)
    lifts = valve & (lo > 0)

    seen = {"law": law, "drugs": drugs, "drug": cases.conviction_drug, "statute": cases.statute, "grams": grams,
            "assumed_grams": assumed_grams, "possession": possession, "thresholds": thr, "threshold_version": thr_ver,
            "reached": reached, "tier": tier, "min": lo, "max": hi, "key": key, "not_serious": not_serious,
            "crack_min": crack_min, "priors": cases.prior_convictions, "penalty_version": pv, "penalty_on": pen_on,
            "penalty_citations": [v.citation for v in pen_versions], "valve_lost": valve_lost, "available": available,
            "max_points": max_pts, "version": si, "citations": [v.citation for v in sv.versions]}
    steps = [
        record("statutory_tier", "21 U.S.C. §841(b)(1)", tier_citation, tier_detail, seen),
        record("statutory_penalty", "21 U.S.C. §841(b)(1); §851", penalty_citation, penalty_detail, seen),
        record("safety_valve_statute", "18 U.S.C. §3553(f)", cited, valve_detail, seen, applies=lifts | valve_lost),
    ]
    notes = [
        note("assumption", assumed_grams & ~possession & (cases.statute < 3), lambda i: (
            f"Quantity of conviction not given: assumed "
            f"{quantity_text(law, drugs[int(cases.conviction_drug[i])], grams[i])}, the threshold of "
            f"{SUBSECTIONS[int(cases.statute[i])]} on the sentencing date.")),
        note("assumption", assumed_serious, "The §851 prior(s) are assumed to be serious drug felonies or "
             "serious violent felonies (First Step Act §401; set conviction.priors_qualify_after_2018)."),
        note("warning", thr_unverified & ~possession, lambda i: (
            f"Uses a statutory threshold not yet verified against the statute text: {tier_citation(seen, i)}.")),
        note("warning", pen_unverified, lambda i: (
            f"Uses a statutory term not yet verified against the statute text: {subsection_name(tier[i])}, "
            f"{PENALTY_KEYS[int(key[i])]} ({pen_versions[int(pv[i])].citation}).")),
        unverified(sv.versions, si, cases.safety_valve, "the safety-valve statute's criteria"),
        note("warning", possession & (lo % 1 != 0), lambda i: (
            f"The statutory minimum is {lo[i] * 30.4:.0f} days; months are shown rounded up.")),
    ]
    out = {
        "tier": tier, "nominal_min": np.ceil(lo), "max": hi, "min": np.ceil(binding_lo), "safety_valve": valve,
        "safety_valve_lost": valve_lost, "conviction_grams": grams, "priors": priors,
    }
    return out, steps, notes


def subsection_name(tier: int) -> str:
    """The subsection a tier code names: 841(b)(1)(A)-(D) or 844(a)."""
    return SUBSECTIONS[int(tier)]


def years(mo: float) -> str:
    """A statutory term as the statute writes it: years, months, or life."""
    if mo >= LIFE:
        return "life"
    return f"{mo / 12:g} years" if mo % 12 == 0 and mo >= 12 else f"{mo:g} months"


def tier_detail(v: Seen, i: int) -> str:
    law, name = v["law"], v["drugs"][int(v["drug"][i])]
    drug = name.replace("_", " ")
    q = quantity_text(law, name, v["grams"][i]) + (" (assumed: the subsection's threshold)" if v["assumed_grams"][i] else "")
    if v["possession"][i]:
        return f"Conviction under 21 U.S.C. §844(a): {q} of {drug}."
    thr = v["thresholds"][i]
    shown = ", ".join(f"({t}) {quantity_text(law, name, thr[k])}" for k, t in enumerate("ABC") if not np.isnan(thr[k]))
    reached = int(v["reached"][i])
    reach = f"reaches ({TIERS[reached]})" if reached < 3 or not np.isnan(thr[2]) else ""
    out = (f"{q} of {drug} {reach} under the thresholds in force ({shown or 'none'}); convicted under "
           f"{subsection_name(v['statute'][i])}")
    if v["tier"][i] != v["statute"][i]:
        out += f"; the statute now puts this quantity in {subsection_name(v['tier'][i])}"
    return out + f" → {subsection_name(v['tier'][i])}."


def tier_citation(v: Seen, i: int) -> str:
    if v["possession"][i]:
        return "21 U.S.C. §844(a)"
    drug = v["drugs"][int(v["drug"][i])]
    return v["law"].table(THRESHOLDS.at(drug=drug)).versions[int(v["threshold_version"][i])].citation


def penalty_detail(v: Seen, i: int) -> str:
    lo, hi = v["min"][i], v["max"][i]
    if v["crack_min"][i]:
        return (f"Possession of more than the cocaine base quantity for {int(v['priors'][i])} prior(s): "
                f"{years(lo)} to {years(hi)}.")
    why = {0: "no §851 prior", 1: "one §851 prior", 2: "two or more §851 priors",
           3: "death or serious bodily injury", 4: "death or serious bodily injury with a prior"}[int(v["key"][i])]
    if v["not_serious"][i]:
        why += " (the priors are not serious drug felonies, so they do not count)"
    term = "mandatory life" if lo >= LIFE else f"{years(lo)} to {years(hi)}"
    return f"{subsection_name(v['tier'][i])} with {why}: {term}."


def penalty_citation(v: Seen, i: int) -> str:
    if v["possession"][i]:
        day = v["penalty_on"][i].astype("datetime64[D]").item()
        return v["law"].table(PENALTIES_844).on(day).citation
    return v["penalty_citations"][int(v["penalty_version"][i])]


def valve_detail(v: Seen, i: int) -> str:
    if v["valve_lost"][i]:
        return ("The court found the safety-valve criteria met, but under the law of this date they are not: "
                + ("no safety valve existed." if not v["available"][i] else
                   f"more than {v['max_points'][i]:g} criminal history point(s).")
                + f" The minimum of {years(v['min'][i])} binds.")
    return f"Safety valve: sentence without regard to the statutory minimum of {years(v['min'][i])}; binding minimum 0."
