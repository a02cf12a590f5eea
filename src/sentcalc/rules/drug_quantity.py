"""USSG §2D1.1(c) Drug Quantity Table: the base offense level for a quantity of one substance."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from ..law import Dated, Law, Version, present


@lru_cache(maxsize=256)
def _bands(version: Version) -> tuple[np.ndarray, np.ndarray]:
    """Lower bounds (ascending) and their levels for one version of a drug line."""
    pairs = sorted((float(g), int(lv)) for lv, g in version.data["levels"].items())
    return np.array([p[0] for p in pairs]), np.array([p[1] for p in pairs], dtype=np.int16)


def _table(law: Law, drug: str, version: Version) -> tuple[Dated, Version]:
    """Follow `same_as` (e.g. methamphetamine actual before it had a line of its own)."""
    other = version.data.get("same_as")
    if other:
        dt = law.drug_table(other)
        return dt, dt.on(version.effective)
    return law.drug_table(drug), version


def quantity_level(law: Law, drug: str, grams: np.ndarray, on: np.ndarray) -> dict[str, np.ndarray]:
    """USSG §2D1.1(c): the highest level whose lower bound `grams` reaches, in the version in force `on`.

    Returns level, the band's lower and upper bounds (upper = inf at the top) and the version index.
    """
    dt = law.drug_table(drug)
    idx = dt.index_on(on)
    n = len(grams)
    level = np.zeros(n, dtype=np.int16)
    lower = np.zeros(n)
    upper = np.full(n, np.inf)
    for v in present(idx):
        _, ver = _table(law, drug, dt.versions[int(v)])
        bounds, levels = _bands(ver)
        m = idx == v
        k = np.searchsorted(bounds, grams[m], side="right") - 1
        level[m] = levels[k]
        lower[m] = bounds[k]
        nxt = np.append(bounds[1:], np.inf)
        upper[m] = nxt[k]
    return {"level": level, "lower": lower, "upper": upper, "version": idx}


def top_threshold(law: Law, drug: str, on: np.ndarray) -> np.ndarray:
    """The lower bound of the table's top row for `drug` on each date (for §1B1.10 'above the table')."""
    dt = law.drug_table(drug)
    idx = dt.index_on(on)
    tops = np.array([_bands(_table(law, drug, v)[1])[0][-1] for v in dt.versions])
    return tops[idx]


def grams_text(g: float) -> str:
    """A quantity as the Manual writes it: mg below 1 g, kg from 1,000 g."""
    if g == np.inf:
        return "∞"
    if 0 < g < 1:
        return f"{g * 1000:g} mg"
    if g >= 1000:
        return f"{g / 1000:,g} kg"
    return f"{g:g} g"
