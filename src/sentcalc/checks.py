"""Checks of the sentence against the original ranges, and `--strict`: one implementation for the case
file, the flat row, the USSC preset, the batch kernel and the web form.

Each check runs over case columns and the original result (a single case is a table of one row). A
contradiction is a Problem (the row is refused, with the field, the value and what is allowed); what only
looks wrong is a warning; a fact the law lets sentcalc infer is an assumption (refused under `--strict`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .case import DEPARTURES
from .columns import Cases
from .engine import Result
from .law import LIFE
from .law import months_text as shown
from .steps import Note, note
from .validate import Problem

SA_5K1 = DEPARTURES.index("5K1.1")
SA_3553E = DEPARTURES.index("3553(e)")


def months_text(m: float) -> str:
    """Months for a message: 'life' for a life term, else the number."""
    return "life" if m >= LIFE else f"{m:g} months"


@dataclass
class SentenceCheck:
    """What the checks found: refusals, notes for the original result, and the departure as inferred."""

    problems: list[Problem] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    departure: np.ndarray | None = None


def check_sentence(cases: Cases, original: Result, need_sentence: bool = True) -> SentenceCheck:
    """The term now in force against the original statutory and guideline ranges.

    - Below the statutory minimum: lawful only on a §3553(e) motion (or Rule 35(b)) or under the safety
      valve (18 U.S.C. §3553(e), (f)). With `substantial_assistance` and no departure or a §5K1.1 one, the
      §3553(e) motion is inferred and listed as an assumption; without substantial assistance it is refused.
    - Above the statutory maximum: a warning.
    - Substantial assistance with a sentence not below the guideline range (and no later reduction): refused.
    - No sentence (retroactivity needs one): a warning.
    """
    c = original.cols
    s = cases.sentence_months
    given = ~np.isnan(s)
    out = SentenceCheck(departure=cases.departure.copy())
    below_min = given & (s < c["statutory_min"]) & ~c["safety_valve"] & (cases.departure != SA_3553E)
    infer = below_min & cases.substantial_assistance & np.isin(cases.departure, [SA_5K1, DEPARTURES.index("none")])
    out.departure[infer] = SA_3553E
    out.notes.append(note("assumption", infer, lambda i: (
        f"The sentence ({months_text(s[i])}) is below the statutory minimum ({months_text(c['statutory_min'][i])}) "
        "with substantial assistance: a §3553(e) motion is assumed (18 U.S.C. §3553(e); the only lawful way below "
        "the minimum besides the safety valve and Rule 35(b)). State departure: 3553(e) to confirm.")))
    for i in np.flatnonzero(below_min & ~infer):
        out.problems.append(Problem(int(i), "sentence_months", float(s[i]) if s[i] < LIFE else "life", (
            f"sentence_months {shown(s[i])} is below the statutory minimum ({months_text(c['statutory_min'][i])}) "
            "without a §3553(e) motion or the safety valve; check the sentence, the statute or departure")))
    above = given & (s > c["statutory_max"])
    out.notes.append(note("warning", above, lambda i: (
        f"sentence_months {shown(s[i])} is above the statutory maximum ({months_text(c['statutory_max'][i])}).")))
    not_below = given & cases.substantial_assistance & (s >= c["guideline_min"]) & (cases.reduction_avenues == "")
    for i in np.flatnonzero(not_below):
        out.problems.append(Problem(int(i), "substantial_assistance", True, (
            f"substantial_assistance is true, but the sentence ({months_text(s[i])}) is not below the guideline range "
            f"({months_text(c['guideline_min'][i])}); a substantial-assistance motion gives a sentence below the range")))
    if need_sentence:
        out.notes.append(note("warning", ~given, "sentence_months is not given: eligibility cannot be decided."))
    return out


def apply_sentence_check(cases: Cases, original: Result, check: SentenceCheck) -> None:
    """Record the check on the original result and the inferred departure on the cases (in place)."""
    from .rules.supervised_release import lift_minimum

    original.notes += check.notes
    if check.departure is not None:
        lift_minimum(original.cols, (check.departure == SA_3553E) & (cases.departure != SA_3553E))
        cases.departure = check.departure


def strict_problems(results: list[Result], rows: np.ndarray | None = None, every: bool = False) -> list[Problem]:
    """`--strict`: every assumption is a fact the input should have given. One Problem per row (its first
    assumption; with `every`, one per distinct assumption), field `--strict`; `rows` maps result rows to input rows."""
    n = len(results[0].cols["total_offense_level"]) if results else 0
    found: dict[int, list[str]] = {}
    for r in results:
        for nt in r.notes:
            if nt.code == "assumption":
                for i in np.flatnonzero(nt.mask):
                    texts = found.setdefault(int(i), [])
                    if (every or not texts) and nt.text(int(i)) not in texts:
                        texts.append(nt.text(int(i)))
    rows = np.arange(n) if rows is None else rows
    return [Problem(int(rows[i]), "--strict", None, f"an assumption was needed: {t}")
            for i, texts in sorted(found.items()) for t in texts]
