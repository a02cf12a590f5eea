"""What every retroactivity avenue produces: eligibility, reason codes with reasons, the amended
result, the lowest permissible term, dates. One object per avenue, columns over all cases."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np

from ..engine import Result
from ..law import Law
from ..steps import Note, Step

REASON_CODES = (
    "career_offender", "mandatory_minimum", "above_top_threshold", "life", "already_applied", "not_lowered",
    "not_covered_offense", "sentenced_under_fsa", "previous_motion_denied", "sentence_below_amended_minimum",
    "missing_sentence", "not_yet_in_force", "sentence_completed",
)


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
        out.append(Avenue(d["id"], d["name"], v.effective, _d(d["earliest_order"]), v.citation, v.href,
                          {str(k): _d(x) for k, x in (d.get("substitutes") or {}).items()}, d))
    return out


def _d(v: object) -> date:
    return v if isinstance(v, date) else date.fromisoformat(str(v))


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

    def reason_codes(self, i: int) -> list[str]:
        return list(dict.fromkeys(n.code for n in self.reasons if n.mask[i]))

    def reason_texts(self, i: int) -> list[str]:
        return [t for n in self.reasons if (t := n.render(i)) is not None]

    def reason_bits(self) -> np.ndarray:
        """Every row's reason codes as a bitmask over REASON_CODES (for tables)."""
        bits = np.zeros(len(self.eligible), dtype=np.int64)
        for n in self.reasons:
            bits |= np.where(n.mask, 1 << REASON_CODES.index(n.code), 0)
        return bits


def is_lower(a_min: np.ndarray, a_max: np.ndarray, b_min: np.ndarray, b_max: np.ndarray) -> np.ndarray:
    """Whether range a is lower than range b (a lower minimum, or the same minimum and a lower maximum)."""
    return (a_min < b_min) | ((a_min == b_min) & (a_max < b_max))


def round_half_up(x: np.ndarray) -> np.ndarray:
    return np.floor(x + 0.5)
