"""First Step Act of 2018 §404: a reduced sentence "as if sections 2 and 3 of the Fair Sentencing Act
of 2010 were in effect at the time the covered offense was committed"."""

from __future__ import annotations

from datetime import date

import numpy as np

from ..case import SUBSECTIONS
from ..columns import Cases
from ..engine import Result, compute
from ..law import LIFE, Law, months_text
from ..regimes import Dates, Regime
from ..steps import note, step
from .common import Analysis, Avenue
from .eligibility import _span
from .release import release_on


def section_404(law: Law, cases: Cases, av: Avenue, guideline_subs: dict[str, date], original: Result,
                own: Result | None, as_of: date) -> Analysis:
    """Covered offense, §404(c) limits, the new statutory range (FSA thresholds, the original §851
    enhancements), the FSA-benchmark range (original Manual plus every §1B1.10(d) amendment), and for
    information the range under today's guidelines (Concepcion)."""
    n = len(cases)
    d = av.data
    base = original.dates
    drug_ok = np.isin(np.array(cases.drugs)[cases.conviction_drug], d["covered_drugs"])
    statute_ok = np.isin(cases.statute, [SUBSECTIONS.index(s) for s in d["covered_statutes"]])
    before = cases.offense_date < np.datetime64(date.fromisoformat(str(d["offense_before"])), "D")
    covered = drug_ok & statute_ok & before
    fsa_date = np.datetime64(date.fromisoformat(str(d["offense_before"])), "D")
    under_fsa = np.where(cases.fsa_applied_at_sentencing >= 0, cases.fsa_applied_at_sentencing == 1,
                         cases.sentencing_date >= fsa_date)
    denied = cases.previous_404_denied
    applied = cases.has_reduction(av.id)
    not_yet = np.full(n, as_of < av.effective)

    subs = {**base.components, **{k: np.maximum(base.on(k), np.datetime64(v, "D")) for k, v in guideline_subs.items()},
            **{k: np.full(n, np.datetime64(v, "D")) for k, v in av.substitutes.items()}}
    bench_dates = Dates(Regime(av.id, av.effective), base.manual, base.statute, subs)
    amended = compute(law, cases, Regime(av.id, av.effective), dates=bench_dates, carry_from=own)
    today_dates = Dates(Regime("current-guidelines", as_of), np.full(n, np.datetime64(as_of, "D")), base.statute,
                        {k: np.full(n, np.datetime64(v, "D")) for k, v in av.substitutes.items()})
    today_result = compute(law, cases, Regime("current-guidelines", as_of), dates=today_dates, carry_from=own)

    c = amended.cols
    sentence = cases.sentence_months
    has_sentence = ~np.isnan(sentence)
    lowest = c["statutory_min"].astype(float)
    lowest = np.where(lowest >= LIFE, LIFE, lowest)
    barred = ~covered | under_fsa | denied | applied | not_yet
    sentence_ok = has_sentence & (lowest < sentence)
    eligible = ~barred & sentence_ok

    as_of64 = np.datetime64(as_of, "D")
    order = np.full(n, max(as_of64, np.datetime64(av.earliest_order, "D")))
    rel, served = release_on(law, cases, lowest + cases.consecutive_months, order)
    immediate = eligible & ~np.isnat(rel) & (rel <= order)
    o = original.cols
    fmt = months_text

    def sub(i: int) -> str:
        return SUBSECTIONS[int(cases.statute[i])]

    reasons = [
        note("not_covered_offense", ~covered & (cases.statute == SUBSECTIONS.index("841(b)(1)(C)")) & drug_ok,
             "A §841(b)(1)(C) crack conviction is not a covered offense: FSA §2 did not modify its penalties "
             "(Terry v. United States, 593 U.S. ___ (2021))."),
        note("not_covered_offense", ~covered & ~drug_ok, lambda i: (
            f"The conviction ({cases.drugs[int(cases.conviction_drug[i])]}) is not for cocaine base; FSA §§2-3 changed "
            "only crack penalties.")),
        note("not_covered_offense", ~covered & drug_ok & statute_ok & ~before, lambda i: (
            f"The offense ({cases.offense_date[i]}) was committed on or after 2010-08-03: not a covered offense "
            "(§404(a)).")),
        note("not_covered_offense", ~covered & drug_ok & ~statute_ok & (cases.statute != SUBSECTIONS.index("841(b)(1)(C)")),
             lambda i: f"{sub(i)} is not a subsection whose penalties FSA §§2-3 modified."),
        note("sentenced_under_fsa", covered & under_fsa, "The sentence was imposed in accordance with FSA §§2-3 "
             "(sentenced on or after 2010-08-03: Dorsey v. United States, 567 U.S. 260 (2012)); §404(c) bars a motion."),
        note("previous_motion_denied", covered & denied,
             "An earlier §404 motion was denied after a complete review on the merits (§404(c))."),
        note("already_applied", covered & applied,
             "The sentence was already reduced under §404 (§404(c))."),
        note("not_yet_in_force", not_yet, f"§404 was enacted on {av.effective}; the order date is {as_of}."),
        note("missing_sentence", ~barred & ~has_sentence,
             "sentence_months (the term now in force) is not given, so eligibility cannot be decided."),
        note("sentence_below_amended_minimum", ~barred & has_sentence & ~sentence_ok, lambda i: (
            f"The term now in force ({fmt(sentence[i])} months) is at or below the new statutory minimum "
            f"({fmt(lowest[i])} months).")),
    ]
    info = [note("info", ~barred, lambda i: (
        "Concepcion v. United States, 142 S. Ct. 2389 (2022): the court may consider intervening changes of law "
        "and fact; under today's guidelines the range would be "
        f"{_span(today_result.cols['guideline_min'][i], today_result.cols['guideline_max'][i])} "
        f"months (for information; the FSA benchmark is {_span(c['guideline_min'][i], c['guideline_max'][i])}).")),
        note("info", ~barred & o["career_offender_applies"] & (c["total_offense_level"] < o["total_offense_level"]),
             "The lower statutory maximum lowers the career-offender level (§4B1.1(b)).")]
    steps = [step("new_statutory_range", "First Step Act §404(b)", av.citation, lambda i: (
        f"As if FSA §§2-3 applied: {sub(i)} → {amended_sub(c, i)}, {fmt(c['statutory_min'][i])}–"
        f"{fmt(c['statutory_max'][i])} months (was {fmt(o['statutory_min'][i])}–{fmt(o['statutory_max'][i])})."),
        applies=covered),
        step("lowest_permissible", "First Step Act §404(b)", "Concepcion v. United States, 142 S. Ct. 2389 (2022)",
             lambda i: f"Not bound by the §1B1.10 floor: the lowest permissible term is the new statutory minimum, "
             f"{fmt(lowest[i])} months.", applies=eligible)]
    return Analysis(av.id, av, eligible, np.where(~barred, lowest, np.nan),
                    np.where(eligible, order, np.datetime64("NaT", "D")), np.where(eligible, rel, np.datetime64("NaT", "D")),
                    served, immediate, amended, reasons, info, steps, extra={"current_guidelines": today_result})


def amended_sub(cols: dict, i: int) -> str:
    return SUBSECTIONS[int(cols["statutory_tier"][i])]
