"""The stages of the guideline calculation (USSG §1B1.1(a)), one function each with one signature:
`stage(Inputs) -> Output`. A stage reads the case columns and the columns earlier stages produced, and
returns new columns (never one an earlier stage wrote), the Steps that record what it did with the values
it saw, and its Notes. `sentcalc.engine.PIPELINE` lists them in order; each can be called on its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from .case import CATEGORIES
from .columns import Cases
from .law import Law, months_text
from .regimes import Dates, Regime
from .registry import (
    ACCEPTANCE,
    ADJUSTMENT,
    BOUNDS,
    CAREER_OFFENDER,
    CRACK_POSSESSION,
    PENALTIES_841,
    RECENCY_POINTS,
    SAFETY_VALVE_FLOOR,
    SAFETY_VALVE_REDUCTION,
    SAFETY_VALVE_STATUTE,
    SENTENCING_TABLE,
    STATUS_POINTS,
    STATUTE,
    SUPERVISED_RELEASE_GUIDELINE,
    THRESHOLDS,
)
from .registry import (
    CATEGORIES as CATEGORY_TABLE,
)
from .rules import adjustments as adj
from .rules import career_offender as co
from .rules import criminal_history as ch
from .rules import offense_level as ol
from .rules import statutes as st
from .rules import supervised_release as sr
from .rules.sentencing_table import apply_5g1_1, bound_level, table_range, unverified_cells
from .steps import Note, Seen, Step, cited, note, record, recorded_note

if TYPE_CHECKING:
    from .engine import Result


@dataclass(frozen=True)
class Inputs:
    """What every stage sees: the law, the cases, the regime's dates, and the columns computed so far.
    `raw` computes without the court's findings; `carry_from` is sentcalc's own original result, whose
    difference from the findings later regimes carry forward."""

    law: Law
    cases: Cases
    dates: Dates
    regime: Regime
    cols: Mapping[str, np.ndarray] = field(default_factory=dict)
    raw: bool = False
    carry_from: Result | None = None


@dataclass
class Output:
    """What a stage adds: new columns, its steps, its notes."""

    cols: dict[str, np.ndarray]
    steps: list[Step] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)


# --- USSG §1B1.11: which Manual ------------------------------------------------------------------------------

def applicable_manual(x: Inputs) -> Output:
    """USSG §1B1.11: the Manual and the statute of the regime; a regime before the offense is hypothetical."""
    dates, cases = x.dates, x.cases
    hypothetical = (dates.manual < cases.offense_date) & (not x.regime.is_original)
    seen = {"manual": dates.manual, "offense_date": cases.offense_date}
    return Output({"manual_date": dates.manual, "statute_date": dates.on(STATUTE), "hypothetical": hypothetical},
                  [record("hypothetical", "USSG §1B1.11", "USSG §1B1.11 (the Manual in effect at sentencing)",
                          hypothetical_detail, seen, applies=hypothetical)])


def hypothetical_detail(v: Seen, i: int) -> str:
    return f"This regime ({v['manual'][i]}) predates the offense ({v['offense_date'][i]}): computed as a hypothetical."


# --- the statute -------------------------------------------------------------------------------------------

STATUTE_PARTS = (THRESHOLDS.component, PENALTIES_841.component, CRACK_POSSESSION.component,
                 SAFETY_VALVE_STATUTE.component)


def statutory_range(x: Inputs) -> Output:
    """21 U.S.C. §841(b)(1) or §844(a), with §851 priors, and the 18 U.S.C. §3553(f) safety valve."""
    stat, steps, notes = _memo(x.cases, "statutory_range", x.dates, STATUTE_PARTS,
                               lambda: st.statutory_range(x.law, x.cases, x.dates))
    return Output({"statutory_tier": stat["tier"], "statutory_min": stat["min"],
                   "statutory_nominal_min": stat["nominal_min"], "statutory_max": stat["max"],
                   "safety_valve": stat["safety_valve"], "safety_valve_lost": stat["safety_valve_lost"],
                   "conviction_quantity": stat["conviction_grams"], "statutory_priors": stat["priors"]},
                  list(steps), list(notes))


# --- Chapter Two ---------------------------------------------------------------------------------------------

def base_offense_level(x: Inputs) -> Output:
    """USSG §1B1.1(a)(2): the base offense level, §2D1.1(a)(1)-(5) with the Drug Quantity Table (c) and the
    mitigating-role cap, or §2D2.1 for simple possession."""
    level, steps, notes, uncapped = ol.base_offense_level(x.law, x.cases, x.dates)
    return Output({"own_base_offense_level": level, "uncapped_base_offense_level": uncapped}, steps, notes)


def specific_offense_characteristics(x: Inputs) -> Output:
    """USSG §1B1.1(a)(2), §2D1.1(b): the Chapter Two specific offense characteristics found (the safety-valve
    reduction apart), giving "the offense level determined above". Levels given as one sum over sections of
    different chapters (a flat row) count here, as the level the reduction sees."""
    law, cases = x.law, x.cases
    explicit = adj.explicit_levels(law, cases)
    named, parts, stated, _ = adj.named_levels(law, cases, x.dates.on(ADJUSTMENT.component), adj.CHAPTER_TWO)
    base = x.cols["own_base_offense_level"]
    characteristics = (explicit[adj.CHAPTER_TWO] + explicit[adj.UNKNOWN] + named).astype(np.int16)
    above = (base + characteristics).astype(np.int16)
    shown = adj.has_explicit(law, cases, adj.CHAPTER_TWO, adj.UNKNOWN) | stated
    step = adj.adjustments_step(law, "specific_offense_characteristics", "USSG §2D1.1(b)",
                                "USSG §2D1.1(b) (specific offense characteristics); guidelines/adjustments.yaml",
                                cases, adj.CHAPTER_TWO, base, parts, above, applies=shown)
    return Output({"specific_offense_characteristics": characteristics, "unsplit_adjustment_levels": explicit[adj.UNKNOWN],
                   "offense_level_determined_above": above}, [step])


def safety_valve_reduction(x: Inputs) -> Output:
    """USSG §2D1.1(b)(18) (numbered by edition): −2 if the §5C1.2(a) criteria are met, seeing the offense level
    determined above; from 1995 to 2001 (Amendments 515, 624) only where that level is 26 or more."""
    above, valve = x.cols["offense_level_determined_above"], x.cols["safety_valve"]
    on = x.dates.on(SAFETY_VALVE_REDUCTION.component)
    level, step, unverified = ol.safety_valve_reduction(x.law, above, valve, on)
    # Levels given as one sum across chapters were counted above; say so where the split decides the condition.
    unsplit = x.cols["unsplit_adjustment_levels"]
    decides = np.zeros(len(level), dtype=bool)
    if (unsplit != 0).any():
        without, _, _ = ol.safety_valve_reduction(x.law, (above - unsplit).astype(np.int16), valve, on)
        decides = (unsplit != 0) & ((above - level) != ((above - unsplit) - without))
    seen_split = note("assumption", decides, lambda i: (
        f"adjustment_levels ({int(unsplit[i])}) is one sum over sections of different chapters; the safety-valve "
        f"reduction's level-26 condition depends on which are Chapter Two: all were taken as Chapter Two (state "
        "each section with its levels in a case file to decide)."))
    return Output({"chapter_two_offense_level": level}, [step], [unverified, seen_split])


# --- Chapter Three -------------------------------------------------------------------------------------------

def chapter_three(x: Inputs) -> Output:
    """USSG §1B1.1(a)(3)-(4): the Chapter Three Part A-D adjustments found (victim, role, obstruction, multiple
    counts), with the §3B1.2 mitigating role; a section of another chapter counts here for its levels."""
    law, cases = x.law, x.cases
    explicit = adj.explicit_levels(law, cases)
    on = x.dates.on(ADJUSTMENT.component)
    named, parts, stated, _ = adj.named_levels(law, cases, on, adj.CHAPTER_THREE)
    _, _, _, unverified_named = adj.named_levels(law, cases, on)
    before = x.cols["chapter_two_offense_level"]
    level = (before + explicit[adj.CHAPTER_THREE] + named - cases.mitigating_role).astype(np.int16)
    shown = adj.has_explicit(law, cases, adj.CHAPTER_THREE) | stated | (cases.mitigating_role > 0)
    step = adj.adjustments_step(law, "chapter_three", "USSG Ch. 3, Pts. A-D",
                                "USSG Ch. 3, Pts. A-D (§§3B1.1, 3B1.2, 3C1.1, ...); guidelines/adjustments.yaml",
                                cases, adj.CHAPTER_THREE, before, parts, level, role=cases.mitigating_role, applies=shown)
    notes = [note("warning", unverified_named, "Uses adjustment levels not yet verified against each edition of the "
                  "Manual (guidelines/adjustments.yaml)."), adj.unrecognised_note(law, cases)]
    return Output({"adjusted_offense_level": level}, [step], notes)


def acceptance(x: Inputs) -> Output:
    """USSG §1B1.1(a)(5), §3E1.1: acceptance of responsibility."""
    level, levels, step, notes = ol.acceptance(x.law, x.cols["adjusted_offense_level"], x.cases.acceptance,
                                               x.dates.on(ACCEPTANCE.component), x.regime.is_original)
    return Output({"acceptance_levels": levels, "offense_level_after_acceptance": level}, [step], notes)


def safety_valve_floor(x: Inputs) -> Output:
    """USSG §5C1.2(b): with the safety valve and a minimum of five years or more, the offense level under
    Chapters Two and Three is not less than 17."""
    level, step, unverified = ol.safety_valve_floor(x.law, x.cols["offense_level_after_acceptance"],
                                                    x.cols["safety_valve"], x.cols["statutory_nominal_min"],
                                                    x.dates.on(SAFETY_VALVE_FLOOR.component))
    return Output({"chapters_two_and_three_offense_level": level}, [step], [unverified])


# --- Chapter Four ---------------------------------------------------------------------------------------------

HISTORY_PARTS = (CATEGORY_TABLE.component, STATUS_POINTS.component, RECENCY_POINTS.component)


def criminal_history(x: Inputs) -> Output:
    """USSG §1B1.1(a)(6), Ch. 4 Pt. A: criminal history points and category under the regime's §4A1.1."""
    found, step, notes = _memo(x.cases, "criminal_history", x.dates, HISTORY_PARTS,
                               lambda: ch.criminal_history(x.law, x.cases, x.dates))
    return Output({"criminal_history_points": found["points"], "history_category": found["category"]}, [step],
                  list(notes))


def career_offender(x: Inputs) -> Output:
    """USSG Ch. 4 Pt. B, §4B1.1(b): the career-offender level where greater; the category is VI."""
    cases = x.cases
    level, applies, step = co.career_offender(x.law, x.cols["chapters_two_and_three_offense_level"],
                                              cases.career_offender, x.cols["statutory_max"], cases.acceptance,
                                              x.dates.on(CAREER_OFFENDER.component), x.dates.on(ACCEPTANCE.component))
    category = np.where(cases.career_offender, 6, x.cols["history_category"]).astype(np.int8)
    return Output({"career_offender_applies": applies, "career_offender_level": level,
                   "criminal_history_category": category}, [step])


def zero_point_offender(x: Inputs) -> Output:
    """USSG Ch. 4 Pt. C, §4C1.1 (from 2023-11-01): −2 for a zero-point offender."""
    level, step, notes = ch.zero_point_offender(x.law, x.cases, x.dates, x.cols["career_offender_level"],
                                                x.cols["criminal_history_points"])
    return Output({"chapter_four_offense_level": level}, [step], notes)


# --- the court's findings ---------------------------------------------------------------------------------------

def findings(x: Inputs) -> Output:
    """The court's findings are authoritative for the original sentence (disagreements are listed); later
    regimes carry the difference between the court's numbers and sentcalc's own forward."""
    cases = x.cases
    level, base = x.cols["chapter_four_offense_level"], x.cols["own_base_offense_level"]
    if x.raw or not (x.regime.is_original or x.carry_from is not None):
        return Output({"found_offense_level": level, "base_offense_level": base})
    found_total, found_base = cases.findings_total_offense_level, cases.findings_base_offense_level
    if x.regime.is_original:
        seen = {"found_total": found_total, "found_base": found_base, "total": level, "base": base}
        notes = [recorded_note("discrepancy", (found_total >= 0) & (found_total != level), found_total_text, seen),
                 recorded_note("discrepancy", (found_base >= 0) & (found_base != base), found_base_text, seen)]
        return Output({"found_offense_level": np.where(found_total >= 0, found_total, level).astype(np.int16),
                       "base_offense_level": np.where(found_base >= 0, found_base, base).astype(np.int16)}, [], notes)
    own = x.carry_from.cols
    total_shift = np.where(found_total >= 0, found_total - own["own_total_offense_level"], 0).astype(np.int16)
    base_shift = np.where(found_base >= 0, found_base - own["own_base_offense_level"], 0).astype(np.int16)
    # Where the court's base level is the level before the mitigating-role cap, the court did not apply the cap,
    # and the later base level is read without it too.
    no_cap = ((found_base >= 0) & (found_base != own["own_base_offense_level"])
              & (found_base == own["uncapped_base_offense_level"]))
    new_base = np.where(no_cap, x.cols["uncapped_base_offense_level"], base + base_shift).astype(np.int16)
    cap_shift = (new_base - base - base_shift).astype(np.int16)   # 0 unless the cap is left out
    step = record("findings_carried_forward", "USSG §1B1.10(b)(1)", "Findings at the original sentencing",
                  carried_detail, {"shift": total_shift, "no_cap": no_cap}, applies=(total_shift != 0) | no_cap)
    return Output({"found_offense_level": (level + total_shift + cap_shift).astype(np.int16),
                   "base_offense_level": new_base}, [step])


def found_total_text(v: Seen, i: int) -> str:
    return (f"The court found total offense level {v['found_total'][i]}; sentcalc computes {v['total'][i]}. "
            "The finding is used.")


def found_base_text(v: Seen, i: int) -> str:
    return (f"The court found base offense level {v['found_base'][i]}; sentcalc computes {v['base'][i]}. "
            "The finding is used.")


def carried_detail(v: Seen, i: int) -> str:
    return (f"The court's offense level differed from sentcalc's by {v['shift'][i]:+d}; the difference is carried into "
            "this regime" + (" (the court did not apply the §2D1.1(a)(5) cap, so neither does this regime)"
                             if v["no_cap"][i] else "") + ".")


# --- Chapter Five ---------------------------------------------------------------------------------------------

def sentencing_table(x: Inputs) -> Output:
    """USSG §1B1.1(a)(7), Ch. 5 Pt. A: the offense level bounded to 1-43 (Application Note 2), and the
    Sentencing Table cell."""
    law, cols = x.law, x.cols
    on = x.dates.on(BOUNDS.component)
    unbounded = cols["found_offense_level"]
    level = bound_level(law, unbounded, on)
    category = cols["criminal_history_category"]
    table_min, table_max, version = table_range(law, level, category, x.dates.on(SENTENCING_TABLE.component))
    seen = {"before": unbounded, "level": level, "category": category, "min": table_min, "max": table_max,
            "version": version, "citations": [v.citation for v in law.table(SENTENCING_TABLE).versions]}
    steps = [record("offense_level_bounds", "USSG Ch. 5, Pt. A, comment. (n.2)", "USSG Ch. 5, Pt. A, Application Note 2",
                    bounds_detail, seen, applies=unbounded != level),
             record("sentencing_table", "USSG Ch. 5, Pt. A", cited, table_detail, seen)]
    unverified = unverified_cells(law)[version, level, category - 1]
    notes = [note("warning", unverified, "Uses a Sentencing Table cell not yet verified against the 1987 Manual.")]
    return Output({"total_offense_level": level, "table_min": table_min, "table_max": table_max,
                   "own_total_offense_level": bound_level(law, cols["chapter_four_offense_level"], on)}, steps, notes)


def bounds_detail(v: Seen, i: int) -> str:
    return f"Offense level {v['before'][i]} is treated as {v['level'][i]}."


def table_detail(v: Seen, i: int) -> str:
    return (f"Offense level {v['level'][i]}, category {CATEGORIES[v['category'][i] - 1]} → "
            f"{months_text(v['min'][i])}–{months_text(v['max'][i])} months.")


def statutory_limits(x: Inputs) -> Output:
    """USSG §1B1.1(a)(8), §5G1.1: the statutory range displaces or trims the table range. For the original
    sentence, the court's guideline range is used where found (a disagreement is listed)."""
    cols, cases = x.cols, x.cases
    table_min, table_max = cols["table_min"], cols["table_max"]
    low, high, which = apply_5g1_1(table_min, table_max, cols["statutory_min"], cols["statutory_max"])
    notes: list[Note] = []
    if x.regime.is_original and not x.raw:
        found_min, found_max = cases.findings_guideline_min_months, cases.findings_guideline_max_months
        found = ~np.isnan(found_min)
        seen = {"found_min": found_min, "found_max": found_max, "min": low, "max": high}
        notes.append(recorded_note("discrepancy", found & ((found_min != low) | (found_max != high)), found_range_text,
                                   seen))
        low, high = np.where(found, found_min, low), np.where(found, found_max, high)
    seen = {"which": which, "table_min": table_min, "table_max": table_max, "min": low, "max": high}
    return Output({"guideline_min": low, "guideline_max": high, "section_5g1_1": which},
                  [record("statutory_limits", "USSG §5G1.1", "USSG §5G1.1", limits_detail, seen, applies=which > 0)],
                  notes)


def supervised_release(x: Inputs) -> Output:
    """USSG §1B1.1(a)(8), §5D1.2; 21 U.S.C. §841(b)(1); 18 U.S.C. §3583: the term of supervised release."""
    cols = x.cols
    stat = {"tier": cols["statutory_tier"], "priors": cols["statutory_priors"], "safety_valve": cols["safety_valve"],
            "max": cols["statutory_max"]}
    terms, steps, notes = sr.supervised_release(x.law, x.cases, stat, x.dates.on(PENALTIES_841.component),
                                                x.dates.on(SUPERVISED_RELEASE_GUIDELINE.component))
    return Output(terms, steps, notes)


def found_range_text(v: Seen, i: int) -> str:
    return (f"The court found a guideline range of {months_text(v['found_min'][i])}–{months_text(v['found_max'][i])} "
            f"months; sentcalc computes {months_text(v['min'][i])}–{months_text(v['max'][i])}. The finding is used.")


def limits_detail(v: Seen, i: int) -> str:
    which, low, high = v["which"][i], months_text(v["min"][i]), months_text(v["max"][i])
    table = f"{months_text(v['table_min'][i])}–{months_text(v['table_max'][i])}"
    if which == 1:
        return f"§5G1.1(a): the statutory maximum ({high}) is below the range; it is the guideline sentence."
    if which == 2:
        return f"§5G1.1(b): the statutory minimum ({low}) is above the range {table}; it is the guideline sentence."
    return f"§5G1.1(c): the range {table} is trimmed to {low}–{high}."


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
