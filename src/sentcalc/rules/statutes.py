"""The statutory range: 21 U.S.C. §841(b)(1) tiers and terms, §844(a), §851 priors, the First Step
Act §401 predicate, and the 18 U.S.C. §3553(f) safety valve that lifts the minimum."""

from __future__ import annotations

import numpy as np

from ..case import SUBSECTIONS
from ..columns import Cases
from ..law import LIFE, Law, months, present
from ..regimes import Dates
from ..steps import Note, Step, note, step, unverified
from .drug_quantity import quantity_text

TIERS = ("A", "B", "C", "D")
PENALTY_KEYS = ("priors_0", "priors_1", "priors_2", "death", "death_with_prior")
POSSESSION = SUBSECTIONS.index("844(a)")
S841 = "statutes/21-usc-841.yaml"
S844 = "statutes/21-usc-844.yaml"


def _threshold(ver_data: dict, tier: str) -> float:
    v = ver_data.get(tier)
    return np.nan if v is None else float(v)


def tier_thresholds(law: Law, drug: str, on: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Thresholds of tiers A, B, C (grams; NaN where the tier has none) and the version index."""
    dt = law.dated(S841, "thresholds", drug)
    idx = dt.index_on(on)
    tab = np.array([[_threshold(v.data, t) for t in ("A", "B", "C")] for v in dt.versions])
    return tab[idx], idx


def lowest_threshold_ever(law: Law, drug: str, statute: str) -> float | None:
    """The smallest quantity that subsection ever required for `drug` (None: no threshold)."""
    tier = statute[-2] if statute.startswith("841") else None
    if tier not in ("A", "B", "C"):
        return None
    vals = [_threshold(v.data, tier) for v in law.dated(S841, "thresholds", drug).versions]
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
    dt = law.dated(S841, "penalties")
    tab = np.array([[[[months(x) for x in v.data[t][k]] for k in PENALTY_KEYS] for t in TIERS]
                    for v in dt.versions])
    return tab, dt.versions


def statutory_range(law: Law, cases: Cases, dates: Dates) -> tuple[dict[str, np.ndarray], list[Step], list[Note]]:
    """The statutory range of the count of conviction under the statute in force on `dates.statute`."""
    n = len(cases)
    on = dates.on("statute.thresholds")
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
        versions = law.dated(S841, "thresholds", drug).versions
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
    pred = law.dated(S841, "predicate")
    pidx = pred.index_on(dates.on("statute.penalties"))
    needs_serious = np.array([[t in v.data["serious_felony_required_for"] for t in TIERS] for v in pred.versions])
    serious_rule = needs_serious[pidx, np.clip(tier, 0, 3)] & ~possession
    priors = cases.prior_convictions.astype(np.int8).copy()
    not_serious = serious_rule & (cases.priors_qualify_after_2018 == 0)
    priors[not_serious] = 0
    assumed_serious = serious_rule & (cases.priors_qualify_after_2018 == -1) & (cases.prior_convictions > 0)

    key = np.where(cases.death_or_injury, np.where(priors > 0, 4, 3), priors).astype(np.int8)
    pen, pen_versions = _penalty_table(law)
    pen_on = dates.on("statute.penalties")
    pv = law.dated(S841, "penalties").index_on(pen_on)
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
        p844 = law.dated(S844, "penalties")
        c844 = law.dated(S844, "cocaine_base_minimum")
        pi, ci = p844.index_on(pen_on), c844.index_on(dates.on("statute.possession"))
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
    sv = law.dated("safety-valve.yaml", "statute")
    si = sv.index_on(dates.on("statute.safety-valve"))
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

    def sub(i: int) -> str:
        return SUBSECTIONS[int(tier[i])] if tier[i] == POSSESSION else f"841(b)(1)({TIERS[int(tier[i])]})"

    def yrs(mo: float) -> str:
        if mo >= LIFE:
            return "life"
        return f"{mo / 12:g} years" if mo % 12 == 0 and mo >= 12 else f"{mo:g} months"

    def tier_detail(i: int) -> str:
        name = drugs[int(cases.conviction_drug[i])]
        drug = name.replace("_", " ")
        q = quantity_text(law, name, grams[i]) + (" (assumed: the subsection's threshold)" if assumed_grams[i] else "")
        if possession[i]:
            return f"Conviction under 21 U.S.C. §844(a): {q} of {drug}."
        th = ", ".join(f"({t}) {quantity_text(law, name, thr[i, k])}" for k, t in enumerate("ABC") if not np.isnan(thr[i, k]))
        conv = SUBSECTIONS[int(cases.statute[i])]
        reach = f"reaches ({TIERS[int(reached[i])]})" if reached[i] < 3 or not np.isnan(thr[i, 2]) else ""
        out = f"{q} of {drug} {reach} under the thresholds in force ({th or 'none'}); convicted under {conv}"
        if tier[i] != cases.statute[i]:
            out += f"; the statute now puts this quantity in {sub(i)}"
        return out + f" → {sub(i)}."

    def tier_citation(i: int) -> str:
        if possession[i]:
            return "21 U.S.C. §844(a)"
        v = law.dated(S841, "thresholds", drugs[int(cases.conviction_drug[i])]).versions[int(thr_ver[i])]
        return v.citation

    def pen_detail(i: int) -> str:
        if crack_min[i]:
            n_priors = int(cases.prior_convictions[i])
            return f"Possession of more than the cocaine base quantity for {n_priors} prior(s): {yrs(lo[i])} to {yrs(hi[i])}."
        why = {0: "no §851 prior", 1: "one §851 prior", 2: "two or more §851 priors",
               3: "death or serious bodily injury", 4: "death or serious bodily injury with a prior"}[int(key[i])]
        if not_serious[i]:
            why += " (the priors are not serious drug felonies, so they do not count)"
        rng = "mandatory life" if lo[i] >= LIFE else f"{yrs(lo[i])} to {yrs(hi[i])}"
        return f"{sub(i)} with {why}: {rng}."

    def pen_citation(i: int) -> str:
        if possession[i]:
            return law.dated(S844, "penalties").on(_day(pen_on[i])).citation
        return pen_versions[int(pv[i])].citation

    def valve_detail(i: int) -> str:
        if valve_lost[i]:
            return ("The court found the safety-valve criteria met, but under the law of this date they are not: "
                    + ("no safety valve existed." if not available[i] else
                       f"more than {max_pts[i]:g} criminal history point(s).") + f" The minimum of {yrs(lo[i])} binds.")
        return f"Safety valve: sentence without regard to the statutory minimum of {yrs(lo[i])}; binding minimum 0."

    def valve_citation(i: int) -> str:
        return sv.versions[int(si[i])].citation

    steps = [
        step("statutory_tier", "21 U.S.C. §841(b)(1)", tier_citation, tier_detail),
        step("statutory_penalty", "21 U.S.C. §841(b)(1); §851", pen_citation, pen_detail),
        step("safety_valve_statute", "18 U.S.C. §3553(f)", valve_citation, valve_detail,
             applies=lifts | valve_lost),
    ]
    notes = [
        note("assumption", assumed_grams & ~possession & (cases.statute < 3), lambda i: (
            f"Quantity of conviction not given: assumed "
            f"{quantity_text(law, drugs[int(cases.conviction_drug[i])], grams[i])}, the threshold of "
            f"{SUBSECTIONS[int(cases.statute[i])]} on the sentencing date.")),
        note("assumption", assumed_serious, "The §851 prior(s) are assumed to be serious drug felonies or "
             "serious violent felonies (First Step Act §401; set conviction.priors_qualify_after_2018)."),
        note("warning", thr_unverified & ~possession, lambda i: (
            f"Uses a statutory threshold not yet verified against the statute text: {tier_citation(i)}.")),
        note("warning", pen_unverified, lambda i: (
            f"Uses a statutory term not yet verified against the statute text: {sub(i)}, "
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


def _day(d: np.datetime64):
    return d.astype("datetime64[D]").item()


def subsection_name(tier: int) -> str:
    return SUBSECTIONS[tier]
