"""USSG §4B1.1(b): the career-offender offense level from the offense statutory maximum."""

from __future__ import annotations

import numpy as np

from ..law import LIFE, Law, months, present
from ..registry import CAREER_OFFENDER
from ..steps import Seen, Step, cited, record


def career_offender(law: Law, level: np.ndarray, is_career: np.ndarray, stat_max: np.ndarray,
                    granted: np.ndarray, on: np.ndarray, acceptance_on: np.ndarray) -> tuple[np.ndarray, np.ndarray, Step]:
    """The table level for the statutory maximum, less the §3E1.1 levels (the third level judged at the
    career-offender level, as in the §4B1.1 commentary example 34 − 3 = 31); it replaces the offense level
    only if greater. Returns the level and whether the table set it."""
    from .offense_level import acceptance_reduction
    dt = law.table(CAREER_OFFENDER)
    idx = dt.index_on(on)
    table = np.zeros(len(level), dtype=np.int16)
    for v in present(idx):
        rows = sorted(((months(m), int(lv)) for m, lv in dt.versions[int(v)].data["levels"]), reverse=True)
        m = idx == v
        t = np.zeros(int(m.sum()), dtype=np.int16)
        for at_least, lv in reversed(rows):
            t = np.where(stat_max[m] >= at_least, lv, t)
        table[m] = t
    acceptance, _ = acceptance_reduction(law, table, granted, acceptance_on)
    co_level = (table - acceptance).astype(np.int16)
    applies = is_career & (co_level > level)
    out = np.where(applies, co_level, level).astype(np.int16)
    seen = {"statutory_max": stat_max, "table_level": table, "acceptance": acceptance, "career_level": co_level,
            "level": level, "applies": applies, "version": idx, "citations": [v.citation for v in dt.versions]}
    return out, applies, record("career_offender", "USSG §4B1.1(b)", cited, career_detail, seen, applies=is_career)


def career_detail(v: Seen, i: int) -> str:
    mx = v["statutory_max"][i]
    s = f"Career offender: statutory maximum {'life' if mx >= LIFE else f'{mx / 12:g} years'} → level {v['table_level'][i]}"
    s += f" − {v['acceptance'][i]} (acceptance) = {v['career_level'][i]}" if v["acceptance"][i] else ""
    level = v["level"][i]
    s += "; " + (f"greater than {level}, so it applies" if v["applies"][i] else f"not greater than {level}")
    return s + "; category VI."
