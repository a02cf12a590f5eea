"""The engine: a case (or a million) under a regime, as a sequence of named, cited steps.

Every rule is a vectorised function over the case columns (rules/); this module only composes them
in the order of USSG §1B1.1 and records what each did. A single case is a table of one row.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .case import CATEGORIES
from .columns import Cases
from .law import LIFE, Law
from .regimes import Dates, Regime, resolve
from .rules.career_offender import career_offender
from .rules.criminal_history import criminal_history, zero_point_offender
from .rules.offense_level import (
    acceptance,
    base_offense_level,
    named_adjustments,
    safety_valve_floor,
    safety_valve_reduction,
)
from .rules.sentencing_table import apply_5g1_1, bound_level, table_range, unverified_cells
from .rules.statutes import statutory_range
from .rules.supervised_release import supervised_release
from .steps import Note, Step, note, step


@dataclass
class Result:
    """Columns computed for every case under one regime, with the steps and notes that explain them."""

    regime: Regime
    dates: Dates
    cols: dict[str, np.ndarray]
    steps: list[Step] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)

    def notes_for(self, i: int, code: str) -> list[str]:
        return [t for n in self.notes if n.code == code and (t := n.render(i)) is not None]


def recognised_sections(law: Law) -> list[str]:
    """Adjustment sections some rule keys on (others count for their levels only)."""
    secs: list[str] = []
    for v in law.dated("criminal-history.yaml", "zero_point_offender").versions:
        secs += v.data["disqualifying_sections"]
    secs += list(law.doc("adjustments.yaml")["sections"])
    return list(dict.fromkeys(secs))


def compute(law: Law, cases: Cases, regime: Regime, dates: Dates | None = None,
            carry_from: Result | None = None, raw: bool = False) -> Result:
    """The statutory range and guideline range of every case under `regime`.

    `dates` may substitute components (retroactivity). Findings are authoritative for the original
    regime; `carry_from` (sentcalc's own numbers for the original, computed `raw`, without findings)
    carries them into another regime.
    """
    dates = dates or _original_statute(law, cases, resolve(regime, cases.sentencing_date, cases.guidelines_manual))
    steps: list[Step] = []
    notes: list[Note] = []
    manual = dates.manual

    hypothetical = (dates.manual < cases.offense_date) & (not regime.is_original)
    steps.append(step("hypothetical", "USSG §1B1.11", "USSG §1B1.11 (the Manual in effect at sentencing)",
                      lambda i: f"This regime ({dates.manual[i]}) predates the offense ({cases.offense_date[i]}): "
                      "computed as a hypothetical.", applies=hypothetical))

    stat, s, nt = _memo(cases, "statutory_range", dates, STATUTE_PARTS, lambda: statutory_range(law, cases, dates))
    steps += s
    notes += nt
    ch, s_ch, nt = _memo(cases, "criminal_history", dates, HISTORY_PARTS, lambda: criminal_history(law, cases, dates))
    notes += nt

    base, s, nt, uncapped = base_offense_level(law, cases, dates)
    steps += s
    notes += nt

    named, s_named, nt = named_adjustments(law, cases, dates.on("adjustments"))
    notes += nt
    level = (base + cases.adjustment_levels + named - cases.mitigating_role).astype(np.int16)
    after_adjustments = level  # rebound below; the step must show this stage
    known = recognised_sections(law)
    has_adj = (cases.adjustment_sections != "") | (cases.mitigating_role > 0)
    steps.append(s_named)
    steps.append(step("adjustments", "USSG Ch. 2 (specific offense characteristics), Ch. 3 Pts. A-C",
                      "Adjustments as found at sentencing",
                      lambda i: _adjustments_text(cases, i, base[i], after_adjustments[i]), applies=has_adj))
    unknown = cases.per_distinct("adjustment_sections", lambda x: any(
        not _recognised(sec, known) for sec in x.split(";") if sec))
    notes.append(note("warning", unknown, lambda i: "Adjustment(s) " + ", ".join(
        sec for sec in str(cases.adjustment_sections[i]).split(";") if sec and not _recognised(sec, known))
        + " counted for their levels only: no rule in sentcalc keys on them."))

    level, s, nt1 = safety_valve_reduction(law, level, stat["safety_valve"], dates.on("safety-valve"))
    steps.append(s)
    level, acc, s, nt = acceptance(law, level, cases.acceptance, dates.on("acceptance"), regime.is_original)
    steps.append(s)
    notes += nt
    level, s, nt2 = safety_valve_floor(law, level, stat["safety_valve"], stat["nominal_min"],
                                       dates.on("safety-valve"))
    steps.append(s)
    notes += [nt1, nt2]
    level, s, nt = zero_point_offender(law, cases, dates, level, ch["points"])
    steps.append(s)
    notes += nt
    level, co_applies, s = career_offender(law, level, cases.career_offender, stat["max"], cases.acceptance,
                                           dates.on("career-offender"), dates.on("acceptance"))
    steps.append(s)
    category = np.where(cases.career_offender, 6, ch["category"]).astype(np.int8)
    steps.append(s_ch)

    base_out = base.copy()
    discrepancies: list[Note] = []
    own_total, own_base = level.copy(), base.copy()
    if not raw and regime.is_original:
        level, base_out, discrepancies = _apply_findings_original(cases, level, base)
    elif not raw and carry_from is not None:
        level, base_out = _carry_findings(cases, carry_from, level, base, uncapped, steps)
    unbounded = level.copy()
    level = bound_level(law, level, manual)
    steps.append(step("offense_level_bounds", "USSG Ch. 5, Pt. A, comment. (n.2)",
                      "USSG Ch. 5, Pt. A, Application Note 2",
                      lambda i: f"Offense level {unbounded[i]} is treated as {level[i]}.", applies=unbounded != level))

    tmin, tmax, tv = table_range(law, level, category, dates.on("sentencing-table"))
    steps.append(step("sentencing_table", "USSG Ch. 5, Pt. A",
                      lambda i: law.dated("sentencing-table.yaml").versions[int(tv[i])].citation,
                      lambda i: f"Offense level {level[i]}, category {CATEGORIES[category[i] - 1]} → "
                      f"{_months(tmin[i])}–{_months(tmax[i])} months."))
    unv = unverified_cells(law)[tv, level, category - 1]
    notes.append(note("warning", unv, "Uses a Sentencing Table cell not yet verified against the 1987 Manual."))

    gmin, gmax, which = apply_5g1_1(tmin, tmax, stat["min"], stat["max"])
    if regime.is_original and not raw:
        fmin, fmax = cases.findings_guideline_min_months, cases.findings_guideline_max_months
        found = ~np.isnan(fmin)
        own_min, own_max = gmin.copy(), gmax.copy()
        discrepancies.append(note("discrepancy", found & ((fmin != own_min) | (fmax != own_max)), lambda i: (
            f"The court found a guideline range of {_months(fmin[i])}–{_months(fmax[i])} months; sentcalc computes "
            f"{_months(own_min[i])}–{_months(own_max[i])}. The finding is used.")))
        gmin = np.where(found, fmin, gmin)
        gmax = np.where(found, fmax, gmax)
    steps.append(step("statutory_limits", "USSG §5G1.1", "USSG §5G1.1", lambda i: _5g1_1_text(
        which[i], tmin[i], tmax[i], gmin[i], gmax[i]), applies=which > 0))
    sr, s, nt = supervised_release(law, cases, stat, dates.on("statute.penalties"), manual)
    steps += s
    notes += nt

    notes += discrepancies
    cols = {
        "base_offense_level": base_out, "total_offense_level": level, "criminal_history_category": category,
        "criminal_history_points": ch["points"], "table_min": tmin, "table_max": tmax,
        "guideline_min": gmin, "guideline_max": gmax, "statutory_tier": stat["tier"],
        "statutory_min": stat["min"], "statutory_nominal_min": stat["nominal_min"], "statutory_max": stat["max"],
        "safety_valve": stat["safety_valve"], "career_offender_applies": co_applies,
        "acceptance_levels": acc, "hypothetical": hypothetical, "section_5g1_1": which,
        "manual_date": dates.manual, "statute_date": dates.on("statute"),
        "own_total_offense_level": bound_level(law, own_total, manual), "own_base_offense_level": own_base,
        "uncapped_base_offense_level": uncapped, **sr,
    }
    return Result(regime, dates, cols, steps, notes)


STATUTE_PARTS = ("statute.thresholds", "statute.penalties", "statute.possession", "statute.safety-valve")
HISTORY_PARTS = ("criminal-history", "criminal-history.status", "criminal-history.recency")


def _memo(cases: Cases, rule: str, dates: Dates, parts: tuple[str, ...], fn):
    """A rule's result for these cases, reused when every date it reads is the same array (retroactivity
    computes many regimes that share the original statute and criminal history)."""
    memo = cases._distinct.setdefault("_memo", {})
    arrays = tuple(dates.on(p) for p in parts)
    key = (rule, *(id(a) for a in arrays))
    hit = memo.get(key)
    if hit is not None and all(a is b for a, b in zip(hit[0], arrays)):
        return hit[1]
    out = fn()
    memo[key] = (arrays, out)
    return out


def _original_statute(law: Law, cases: Cases, dates: Dates) -> Dates:
    """For the original sentence, a court that sentenced on or after the Fair Sentencing Act but under
    the old thresholds (fsa_applied_at_sentencing: false) is taken at its word."""
    if not dates.regime.is_original or not (cases.fsa_applied_at_sentencing == 0).any():
        return dates
    from .regimes import fair_sentencing_act
    day_before = np.datetime64(fair_sentencing_act(law), "D") - 1
    old = (cases.fsa_applied_at_sentencing == 0) & (dates.statute > day_before)
    when = np.where(old, day_before, dates.statute)
    return Dates(dates.regime, dates.manual, dates.statute,
                 {**dates.components, "statute.thresholds": when, "statute.possession": when})


def _recognised(section: str, known: list[str]) -> bool:
    return any(section == k or section.startswith(k + "(") for k in known)


def _adjustments_text(cases: Cases, i: int, base: int, level: int) -> str:
    parts = [s for s in str(cases.adjustment_sections[i]).split(";") if s]
    s = f"Base {base}"
    if parts:
        s += f" + adjustments ({', '.join(parts)})"
    if cases.mitigating_role[i]:
        s += f" − mitigating role (§3B1.2) {int(cases.mitigating_role[i])}"
    return s + f" = {level}."


def _apply_findings_original(cases: Cases, level: np.ndarray, base: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[Note]]:
    """Findings are authoritative for the original sentence; disagreements are listed."""
    ft, fb = cases.findings_total_offense_level, cases.findings_base_offense_level
    notes = [
        note("discrepancy", (ft >= 0) & (ft != level), lambda i: (
            f"The court found total offense level {ft[i]}; sentcalc computes {level[i]}. The finding is used.")),
        note("discrepancy", (fb >= 0) & (fb != base), lambda i: (
            f"The court found base offense level {fb[i]}; sentcalc computes {base[i]}. The finding is used.")),
    ]
    return (np.where(ft >= 0, ft, level).astype(np.int16), np.where(fb >= 0, fb, base).astype(np.int16), notes)


def _carry_findings(cases: Cases, own: Result, level: np.ndarray, base: np.ndarray, uncapped: np.ndarray,
                    steps: list[Step]) -> tuple[np.ndarray, np.ndarray]:
    """Later regimes keep what the court found and change only what the later law changes: the
    difference between the court's number and sentcalc's own at sentencing is carried forward. Where the
    court's base level is the level before the mitigating-role cap, the court did not apply the cap, and
    the later base level is read without it too."""
    ft, fb = cases.findings_total_offense_level, cases.findings_base_offense_level
    own_total = own.cols["own_total_offense_level"]
    own_base = own.cols["own_base_offense_level"]
    own_uncapped = own.cols["uncapped_base_offense_level"]
    dt = np.where(ft >= 0, ft - own_total, 0).astype(np.int16)
    db = np.where(fb >= 0, fb - own_base, 0).astype(np.int16)
    no_cap = (fb >= 0) & (fb != own_base) & (fb == own_uncapped)
    new_base = np.where(no_cap, uncapped, base + db).astype(np.int16)
    shift = (new_base - base - db).astype(np.int16)   # 0 unless the cap is left out
    steps.append(step("findings_carried_forward", "USSG §1B1.10(b)(1)", "Findings at the original sentencing",
                      lambda i: f"The court's offense level differed from sentcalc's by {dt[i]:+d}; the difference "
                      "is carried into this regime" + (" (the court did not apply the §2D1.1(a)(5) cap, so neither "
                                                       "does this regime)" if no_cap[i] else "") + ".",
                      applies=(dt != 0) | no_cap))
    return (level + dt + shift).astype(np.int16), new_base


def _months(m: float) -> str:
    return "life" if m >= LIFE else f"{m:g}"


def _5g1_1_text(which: int, tmin: float, tmax: float, gmin: float, gmax: float) -> str:
    if which == 1:
        return f"§5G1.1(a): the statutory maximum ({_months(gmax)}) is below the range; it is the guideline sentence."
    if which == 2:
        return (f"§5G1.1(b): the statutory minimum ({_months(gmin)}) is above the range "
                f"{_months(tmin)}–{_months(tmax)}; it is the guideline sentence.")
    return f"§5G1.1(c): the range {_months(tmin)}–{_months(tmax)} is trimmed to {_months(gmin)}–{_months(gmax)}."


def compute_many(law: Law, cases: Cases, regimes: list[Regime]) -> list[Result]:
    """Every regime for the same cases; with findings, sentcalc's own original numbers are computed
    first so the findings can be carried forward."""
    has_findings = bool(((cases.findings_total_offense_level >= 0) | (cases.findings_base_offense_level >= 0)).any())
    own = compute(law, cases, Regime("original", None), raw=True) if has_findings else None
    return [compute(law, cases, r, carry_from=own) for r in regimes]
