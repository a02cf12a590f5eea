"""USSG Ch. 5, Pt. A (Sentencing Table) and §5G1.1 (the statutory range displaces or trims it)."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from ..law import Law, Version, months, present
from ..registry import BOUNDS, SENTENCING_TABLE


@lru_cache(maxsize=16)
def _cells(version: Version) -> np.ndarray:
    """[44, 6, 2] months (index 0 unused): min and max of every cell."""
    out = np.zeros((44, 6, 2))
    for lv, row in version.data["table"].items():
        for k, cell in enumerate(row):
            lo, _, hi = str(cell).partition("-")
            out[int(lv), k] = (months(lo), months(hi or lo))
    return out


def bound_level(law: Law, level: np.ndarray, on: np.ndarray) -> np.ndarray:
    """Sentencing Table, Application Note 2: below 1 is 1, above 43 is 43."""
    dt = law.table(BOUNDS)
    idx = dt.index_on(on)
    lo = np.array([int(v.data["minimum"]) for v in dt.versions])[idx]
    hi = np.array([int(v.data["maximum"]) for v in dt.versions])[idx]
    return np.clip(level, lo, hi).astype(np.int16)


def table_range(law: Law, level: np.ndarray, category: np.ndarray, on: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The cell for (offense level, category 1..6) in the table in force; returns min, max, version index."""
    dt = law.table(SENTENCING_TABLE)
    idx = dt.index_on(on)
    lo = np.zeros(len(level))
    hi = np.zeros(len(level))
    for v in present(idx):
        cells = _cells(dt.versions[int(v)])
        m = idx == v
        lo[m] = cells[level[m], category[m] - 1, 0]
        hi[m] = cells[level[m], category[m] - 1, 1]
    return lo, hi, idx


def unverified_cells(law: Law) -> np.ndarray:
    """[version, level, category index]: cells marked unverified in the data."""
    from ..case import CATEGORIES
    versions = law.table(SENTENCING_TABLE).versions
    out = np.zeros((len(versions), 44, 6), dtype=bool)
    for k, v in enumerate(versions):
        for cell in v.data.get("unverified_cells") or []:
            lv, _, cat = str(cell).partition("/")
            out[k, int(lv), CATEGORIES.index(cat)] = True
    return out


def apply_5g1_1(tmin: np.ndarray, tmax: np.ndarray, smin: np.ndarray,
                smax: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """USSG §5G1.1: a statutory maximum below the range (a) or a minimum above it (b) becomes the
    guideline sentence; otherwise (c) the range is trimmed to the statutory limits. Returns min, max
    and the subsection applied (0 none, 1 (a), 2 (b), 3 (c) trimmed)."""
    above_max = smax < tmin
    below_min = smin > tmax
    gmin = np.where(above_max, smax, np.where(below_min, smin, np.maximum(tmin, smin)))
    gmax = np.where(above_max, smax, np.where(below_min, smin, np.minimum(tmax, smax)))
    trimmed = ~above_max & ~below_min & ((smin > tmin) | (smax < tmax))
    which = np.select([above_max, below_min, trimmed], [1, 2, 3], 0)
    return gmin, gmax, which

