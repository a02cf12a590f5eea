"""Checks that need the law (drug names, thresholds, point bands), shared by the single-case and the
batch paths. Each problem names the row, the field, the value and what is allowed."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .case import CATEGORIES, SUBSECTIONS
from .columns import Cases
from .law import Law
from .reasons import DRUG_ALIASES, one_of
from .regimes import first_guidelines
from .registry import ADJUSTMENT, STATUTE_841, THRESHOLDS
from .rules.criminal_history import category_from_points
from .rules.drug_quantity import counted
from .rules.statutes import lowest_threshold_ever


@dataclass(frozen=True)
class Problem:
    row: int
    field: str
    value: object
    allowed: str


def drug_allowed(law: Law, name: object = None) -> str:
    """What a drug field allows, after the nearest valid name (`crack` → did you mean cocaine_base?)."""
    return one_of(law.drugs, name, DRUG_ALIASES)


REQUIREMENTS = {
    "aggravating_role": ("an aggravating role adjustment: add a §3B1.1 section (3B1.1(a), (b) or (c))",
                         lambda c: c.has_section("3B1.1")),
    "minimal_participant": ("the 4-level minimal-participant reduction: mitigating_role 4",
                            lambda c: c.mitigating_role == 4),
}


def _requirements(cases: Cases, law: Law) -> list[Problem]:
    """A named adjustment that only applies with another finding (USSG §2D1.1(b)(16), (b)(17))."""
    out = []
    for sec, versions in law.doc(ADJUSTMENT.file)["sections"].items():
        needs = {v.get("requires") for v in versions} - {None}
        for need in sorted(needs):
            text, met = REQUIREMENTS[need]
            for i in np.flatnonzero(cases.has_named(sec) & ~met(cases)):
                out.append(Problem(int(i), "adjustments.section", sec, f"{sec} applies only with {text}"))
    return out


def check(cases: Cases, law: Law) -> list[Problem]:
    """Law-dependent validation of case columns (vectorised; one Problem per bad row and field)."""
    out: list[Problem] = []
    first = np.datetime64(first_guidelines(law), "D")
    early = cases.offense_date < first
    for i in np.flatnonzero(early):
        out.append(Problem(int(i), "offense_date", str(cases.offense_date[i]),
                           f"sentcalc covers offenses committed on or after {first} (the Sentencing Guidelines)"))
    old_manual = ~np.isnat(cases.guidelines_manual) & (cases.guidelines_manual < first)
    for i in np.flatnonzero(old_manual):
        out.append(Problem(int(i), "guidelines_manual", str(cases.guidelines_manual[i]),
                           f"the first Guidelines Manual took effect on {first}"))
    covered = law.doc(STATUTE_841)["thresholds"]
    uncovered = np.isin(cases.conviction_drug, [k for k, d in enumerate(law.drugs) if d not in covered])
    for i in np.flatnonzero(uncovered & ~early & ~old_manual):
        drug = law.drugs[int(cases.conviction_drug[i])]
        out.append(Problem(int(i), "conviction.drug", drug,
                           f"{drug} is not a drug of conviction sentcalc covers (its penalties are in 21 U.S.C. "
                           "§841(b)(1)(E), (b)(2) or (b)(3)); give the drug of the §841(b)(1)(A)-(D) or §844(a) "
                           "count and list this one under drugs"))
    if (early | old_manual | uncovered).any():  # the other checks need the law in force and a covered statute
        ok = np.flatnonzero(~(early | old_manual | uncovered))
        out += [Problem(int(ok[p.row]), p.field, p.value, p.allowed) for p in check(cases.take(ok), law)]
        return out
    known_named = set(law.doc(ADJUSTMENT.file)["sections"])
    unknown = cases.per_distinct("named_adjustments", lambda s: any(x not in known_named for x in s.split(";") if x))
    for i in np.flatnonzero(unknown):
        bad = [x for x in str(cases.named_adjustments[i]).split(";") if x and x not in known_named]
        out.append(Problem(int(i), "adjustments.section", ";".join(bad),
                           "give its levels: sentcalc knows the levels by date only for " + ", ".join(sorted(known_named))))
    out += _requirements(cases, law)
    has_d = [k for k, d in enumerate(law.drugs) if d in covered and any(v.data.get("C") is not None
                                                      for v in law.table(THRESHOLDS.at(drug=d)).versions)]
    d_only = (cases.statute == SUBSECTIONS.index("841(b)(1)(D)")) & ~np.isin(cases.conviction_drug, has_d)
    for i in np.flatnonzero(d_only):
        out.append(Problem(int(i), "conviction.statute", SUBSECTIONS[3],
                           "841(b)(1)(D) applies to " + ", ".join(law.drugs[k] for k in has_d)
                           + " (below the (C) quantity); use (A), (B) or (C) for "
                           + law.drugs[int(cases.conviction_drug[i])]))
    g = cases.conviction_grams
    for d in np.unique(cases.conviction_drug):
        for s, name in enumerate(SUBSECTIONS):
            low = lowest_threshold_ever(law, law.drugs[int(d)], name)
            if low is None:
                continue
            bad = (cases.conviction_drug == d) & (cases.statute == s) & (g < low)
            unit, field = ("plants", "conviction.count") if counted(law, law.drugs[int(d)]) else ("g", "conviction.grams")
            for i in np.flatnonzero(bad):
                out.append(Problem(int(i), field, float(g[i]),
                                   f"{name} for {law.drugs[int(d)]} requires at least {low:g} {unit} under every law that "
                                   "ever applied; use the subsection the quantity supports"))
    known = (cases.criminal_history_points >= 0) & (cases.criminal_history_category > 0) & ~cases.career_offender
    if known.any():
        on = np.where(np.isnat(cases.guidelines_manual), cases.sentencing_date, cases.guidelines_manual)
        cat = category_from_points(law, cases.criminal_history_points.astype(np.int16), on)
        for i in np.flatnonzero(known & (cat != cases.criminal_history_category)):
            out.append(Problem(int(i), "criminal_history.category", CATEGORIES[cases.criminal_history_category[i] - 1],
                               f"{cases.criminal_history_points[i]} points is category {CATEGORIES[cat[i] - 1]}; "
                               "points and category must agree (unless career_offender)"))
    return out
