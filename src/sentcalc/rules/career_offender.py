"""USSG §4B1.1(b): the career-offender offense level from the offense statutory maximum."""

from __future__ import annotations

import numpy as np

from ..law import Law, months, present
from ..steps import Step, step


def career_offender(law: Law, level: np.ndarray, is_career: np.ndarray, stat_max: np.ndarray,
                    granted: np.ndarray, on: np.ndarray, acceptance_on: np.ndarray) -> tuple[np.ndarray, np.ndarray, Step]:
    """The table level for the statutory maximum, less the §3E1.1 levels (the third level judged at the
    career-offender level, as in the §4B1.1 commentary example 34 − 3 = 31); it replaces the offense level
    only if greater. Returns the level and whether the table set it."""
    from .offense_level import acceptance_reduction
    dt = law.dated("career-offender.yaml")
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

    def detail(i: int) -> str:
        mx = "life" if stat_max[i] >= 10_000 else f"{stat_max[i] / 12:g} years"
        s = f"Career offender: statutory maximum {mx} → level {table[i]}"
        s += f" − {acceptance[i]} (acceptance) = {co_level[i]}" if acceptance[i] else ""
        s += "; " + (f"greater than {level[i]}, so it applies" if applies[i] else f"not greater than {level[i]}")
        return s + "; category VI."

    return out, applies, step("career_offender", "USSG §4B1.1(b)", lambda i: dt.versions[int(idx[i])].citation,
                              detail, applies=is_career)
