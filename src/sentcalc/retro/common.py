"""What every retroactivity avenue produces: eligibility, reason codes with reasons, the amended
result, the lowest permissible term, dates. One object per avenue, columns over all cases."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np

from ..engine import Result
from ..law import Law, as_date
from ..steps import Note, Step
from .release import Projection

REASON_CODES = (
    "not_yet_in_force", "already_applied", "not_covered_offense", "sentenced_under_fsa", "previous_motion_denied",
    "not_lowered", "career_offender", "mandatory_minimum", "above_top_threshold", "life", "missing_sentence",
    "sentence_below_amended_minimum", "sentence_completed",
)
"""Why an avenue gives no reduction, in order of precedence: an ineligible analysis lists every code that
holds, and the first is its primary reason. The order follows the questions a court asks in turn:

1. Is the avenue open at all on the order date? `not_yet_in_force` (§1B1.10(e), §404 enacted 2018-12-21),
   then `already_applied` (the amendment was in the Manual used at sentencing, or the sentence was already
   reduced under it: §1B1.10(a)(2)(A); §404(c)), then for §404 the coverage and the §404(c) bars
   (`not_covered_offense`, `sentenced_under_fsa`, `previous_motion_denied`).
2. Does the amendment lower the applicable range (§1B1.10(a)(2)(B))? `not_lowered` comes first when the
   amendment changes no input of the case (it has nothing to do with it); otherwise the specific cause
   comes first: a guideline the amendment does not change sets the range (`career_offender`, §4B1.1), the
   statutory minimum sets it or still binds (`mandatory_minimum`, §5G1.1(b)/(c)(2); also *Koons*), the
   quantity is above the amended table's top row (`above_top_threshold`), the level still calls for life
   (`life`). `not_lowered` also stands alone when no specific cause explains it.
3. How far may the court go (§1B1.10(b)(2))? `missing_sentence`, `sentence_below_amended_minimum`.
4. `sentence_completed`: the term now in force has been served (a fact of the case, not of the law).
"""


def in_precedence(codes: list[str]) -> list[str]:
    """Distinct codes in the order of REASON_CODES."""
    return sorted(dict.fromkeys(codes), key=REASON_CODES.index)


@dataclass
class Avenue:
    """One retroactive change as the data describes it."""

    id: str
    name: str
    effective: date
    earliest_order: date
    citation: str
    href: str
    substitutes: dict[str, date]
    data: dict


def avenues(law: Law, key: str) -> list[Avenue]:
    out = []
    for v in law.dated("retroactivity.yaml", key).versions:
        d = v.data
        out.append(Avenue(d["id"], d["name"], v.effective, as_date(d["earliest_order"]), v.citation, v.href,
                          {str(k): as_date(x) for k, x in (d.get("substitutes") or {}).items()}, d))
    return out




@dataclass
class Analysis:
    """One avenue over every case: columns, plus the notes (reasons) and steps that explain them."""

    id: str
    avenue: Avenue
    eligible: np.ndarray
    lowest: np.ndarray                # months; NaN = none
    earliest_order: np.ndarray        # datetime64[D]; NaT where not eligible
    projected_release: np.ndarray     # datetime64[D] for the lowest term; NaT where none
    time_served: np.ndarray           # months; NaN where unknown
    immediate_release: np.ndarray     # bool
    amended: Result | None
    reasons: list[Note] = field(default_factory=list)   # code = a REASON_CODES entry
    info: list[Note] = field(default_factory=list)      # explanations that are not reasons
    steps: list[Step] = field(default_factory=list)
    extra: dict[str, Result] = field(default_factory=dict)
    release: Projection | None = None                   # every release date of the lowest term

    def reason_codes(self, i: int) -> list[str]:
        """Every reason that holds for row i, the primary reason first (REASON_CODES order)."""
        return in_precedence([n.code for n in self.reasons if n.mask[i]])

    def reason_texts(self, i: int) -> list[str]:
        """The reasons' sentences in the same order as reason_codes."""
        notes = sorted((n for n in self.reasons if n.mask[i]), key=lambda n: REASON_CODES.index(n.code))
        return [n.text(i) for n in notes]

    def reason_bits(self) -> np.ndarray:
        """Every row's reason codes as a bitmask over REASON_CODES (for tables); the lowest set bit is the
        primary reason."""
        bits = np.zeros(len(self.eligible), dtype=np.int64)
        for n in self.reasons:
            bits |= np.where(n.mask, 1 << REASON_CODES.index(n.code), 0)
        return bits


def is_lower(a_min: np.ndarray, a_max: np.ndarray, b_min: np.ndarray, b_max: np.ndarray) -> np.ndarray:
    """Whether range a is lower than range b (a lower minimum, or the same minimum and a lower maximum)."""
    return (a_min < b_min) | ((a_min == b_min) & (a_max < b_max))


def round_half_up(x: np.ndarray) -> np.ndarray:
    return np.floor(x + 0.5)
