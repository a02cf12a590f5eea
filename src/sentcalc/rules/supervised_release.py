"""Supervised release for the count of conviction: the statutory minimum term (21 U.S.C. §841(b)(1)),
the statutory maximum (none under §841(b)(1); 18 U.S.C. §3583(b) for §844(a), by the §3559(a) class)
and the USSG §5D1.2 guideline range. Months; NaN = none, LIFE = no maximum."""

from __future__ import annotations

import numpy as np

from ..case import DEPARTURES
from ..columns import Cases
from ..law import LIFE, Law, months
from ..steps import Note, Step, note, step, unverified
from .statutes import POSSESSION, TIERS

SR = "supervised-release.yaml"
CLASSES = ("A", "B", "C", "D", "E", "misdemeanor_A")


def felony_class(law: Law, max_months: np.ndarray, on: np.ndarray) -> np.ndarray:
    """18 U.S.C. §3559(a): index into CLASSES by the maximum term of imprisonment (-1: a petty offense)."""
    dt = law.dated(SR, "statutory_maximum")
    out = np.full(len(max_months), -1, dtype=np.int8)
    for k, v in enumerate(dt.versions):
        rows = dt.index_on(on) == k
        assigned = np.zeros(len(max_months), dtype=bool)
        for c in v.data["classes"]:
            hit = max_months >= months(c["at_least"]) if "at_least" in c else max_months > months(c["more_than"])
            take = rows & hit & ~assigned
            out[take] = CLASSES.index(c["class"])
            assigned |= take
    return out


def supervised_release(law: Law, cases: Cases, stat: dict, on_statute: np.ndarray,
                       on_manual: np.ndarray) -> tuple[dict[str, np.ndarray], list[Step], list[Note]]:
    """The terms for the subsection the regime applies (`stat`: statutory_range's output)."""
    tier = stat["tier"]
    possession = tier == POSSESSION
    has_prior = stat["priors"] > 0
    mins = law.dated(SR, "statutory_minimum")
    mi = mins.index_on(on_statute)
    table = np.array([[[v.data[t]["no_prior"], v.data[t]["prior"]] for t in TIERS] for v in mins.versions], dtype=float)
    nominal = np.where(possession, np.nan, table[mi, np.clip(tier, 0, 3), has_prior.astype(int)])
    valve = stat["safety_valve"]
    motion = cases.departure == DEPARTURES.index("3553(e)")
    lifted = ~np.isnan(nominal) & (valve | motion)
    smin = np.where(lifted, np.nan, nominal)

    maxes = law.dated(SR, "statutory_maximum")
    xi = maxes.index_on(on_statute)
    cls = felony_class(law, stat["max"], on_statute)
    caps = np.array([[float(v.data["section_3583b"].get(c, np.nan)) for c in CLASSES] for v in maxes.versions])
    m841 = np.array([months(v.data["841"]) for v in maxes.versions])[xi]
    smax = np.where(possession, np.where(cls >= 0, caps[xi, np.maximum(cls, 0)], np.nan), m841)

    gl = law.dated(SR, "guideline")
    gi = gl.index_on(on_manual)
    rng = np.array([[[np.nan if x is None else float(x) for x in v.data["ranges"][c]] for c in CLASSES]
                    for v in gl.versions])
    cls_ok = cls >= 0
    gmin = np.where(cls_ok, rng[gi, np.maximum(cls, 0), 0], np.nan)
    gmax = np.where(cls_ok, rng[gi, np.maximum(cls, 0), 1], np.nan)
    base_min, base_max = gmin, gmax
    raise_ = np.array([bool(v.data["raise_to_minimum"]) for v in gl.versions])[gi] & ~np.isnan(smin)
    gmin = np.where(raise_, np.fmax(gmin, smin), gmin)
    gmax = np.where(raise_, np.fmax(gmax, smin), gmax)

    def yrs(m: float) -> str:
        if np.isnan(m):
            return "none"
        if m >= LIFE:
            return "no maximum"
        return f"{m / 12:g} years" if m % 12 == 0 else f"{m:g} months"

    def sub(i: int) -> str:
        return "§844(a)" if possession[i] else f"§841(b)(1)({TIERS[int(tier[i])]})"

    def detail(i: int) -> str:
        if possession[i]:
            stat_part = (f"§844(a) sets no term; §3583(b) caps it at {yrs(smax[i])} (Class {CLASSES[cls[i]]})"
                         if cls_ok[i] else "§844(a) sets no term (a petty offense)")
        else:
            prior = "with a prior" if has_prior[i] else "no prior"
            stat_part = f"{sub(i)} ({prior}): at least {yrs(nominal[i])}, no maximum"
            if lifted[i]:
                why = "the safety valve (18 U.S.C. §3553(f))" if valve[i] else "a §3553(e) motion (USSG §5D1.2, comment.)"
                stat_part += f"; {why} lifts the minimum"
        g = (f"{yrs(gmin[i])}–{yrs(gmax[i])}" if not np.isnan(gmin[i]) and gmin[i] != gmax[i]
             else yrs(gmax[i]) if not np.isnan(gmin[i]) else f"up to {yrs(gmax[i])}")
        klass = f"Class {CLASSES[cls[i]]}".replace("Class misdemeanor_A", "Class A misdemeanor") if cls_ok[i] else "petty"
        return f"Supervised release: {stat_part}. Guideline term ({klass}): {g}."

    def citation(i: int) -> str:
        return f"{mins.versions[int(mi[i])].citation}; {gl.versions[int(gi[i])].citation}"

    steps = [step("supervised_release", "21 U.S.C. §841(b)(1); 18 U.S.C. §3583; USSG §5D1.2", citation, detail)]
    part = np.array([[[v.is_unverified(f"{t}.{k}") for k in ("no_prior", "prior")] for t in TIERS]
                     for v in mins.versions])[mi, np.clip(tier, 0, 3), has_prior.astype(int)]
    notes = [note("warning", part & ~possession & ~lifted, lambda i: (
        f"Uses a statutory supervised-release term not yet verified against the statute text: {sub(i)}, "
        f"{'with' if has_prior[i] else 'no'} prior ({mins.versions[int(mi[i])].citation}).")),
        unverified(gl.versions, gi, cls_ok, "a §5D1.2 guideline term")]
    cols = {"sr_min": smin, "sr_max": smax, "sr_guideline_min": gmin, "sr_guideline_max": gmax, "sr_lifted": lifted,
            "sr_guideline_class_min": base_min, "sr_guideline_class_max": base_max}
    return cols, steps, notes


def lift_minimum(cols: dict[str, np.ndarray], rows: np.ndarray) -> None:
    """A §3553(e) motion known only after the engine ran (the sentence check infers one): no statutory
    minimum term and the class's guideline term, in place (the recorded step reads the same arrays)."""
    rows = rows & ~np.isnan(cols["sr_min"])
    cols["sr_lifted"][rows] = True
    cols["sr_min"][rows] = np.nan
    cols["sr_guideline_min"][rows] = cols["sr_guideline_class_min"][rows]
    cols["sr_guideline_max"][rows] = cols["sr_guideline_class_max"][rows]
