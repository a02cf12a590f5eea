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


EQ = "drug-equivalency.yaml"


def substance(drug: str) -> str:
    """Methamphetamine mixture and actual are one substance (Note B to the Drug Quantity Table)."""
    return "methamphetamine" if drug.startswith("methamphetamine") else drug


def _ratio(law: Law, drug: str, on: np.ndarray) -> np.ndarray:
    """Grams of marihuana per gram of `drug` on each date (NaN where the variable crack table applies)."""
    dt = law.dated(EQ, "ratios", drug)
    idx = dt.index_on(on)
    vals = []
    for v in dt.versions:
        other = v.data.get("same_as")
        g = law.dated(EQ, "ratios", other).on(v.effective).data.get("grams") if other else v.data.get("grams")
        vals.append(np.nan if g is None else float(g))
    return np.array(vals)[idx]


def converted_drug_weight(law: Law, grams: np.ndarray, drugs: tuple[str, ...], on_drug, on_marihuana: np.ndarray
                          ) -> dict[str, np.ndarray]:
    """USSG §2D1.1, comment. (n.8(D)): two or more substances converted to marihuana and added; the
    level from the marihuana line. With cocaine base: Amendment 706/711's variable table (2007-11-01 to
    2008-04-30) and Amendment 715's two-level rule (2008-05-01 to 2010-10-31); before Amendment 396
    (1991-11-01) at least level 12 with any non-marihuana substance (the heroin-equivalent method).

    `on_drug(drug)` gives the date of each drug's version; returns total grams, level, per-drug grams.
    """
    n = grams.shape[0]
    contrib = np.zeros_like(grams)
    for j, drug in enumerate(drugs):
        g = grams[:, j]
        if not (g > 0).any():
            continue
        on = on_drug(drug)
        r = _ratio(law, drug, on)
        if drug == "cocaine_base" and np.isnan(r).any():
            var = law.dated(EQ, "crack_variable")
            vi = var.index_on(on)
            own = quantity_level(law, drug, g, on)["level"]
            table = np.zeros((len(var.versions), 64))
            for k, v in enumerate(var.versions):
                for lv, x in (v.data.get("grams_by_level") or {}).items():
                    table[k, int(lv)] = float(x)
            r = np.where(np.isnan(r), table[vi, np.clip(own, 0, 63)], r)
        contrib[:, j] = g * np.nan_to_num(r)
    if "methamphetamine" in drugs and "methamphetamine_actual" in drugs:
        m, a = drugs.index("methamphetamine"), drugs.index("methamphetamine_actual")
        both = np.maximum(contrib[:, m], contrib[:, a])
        contrib[:, m], contrib[:, a] = both, 0.0
    total = contrib.sum(axis=1)
    q = quantity_level(law, "marihuana", total, on_marihuana)
    level = q["level"].copy()
    reduced = np.zeros(n, dtype=bool)
    if "cocaine_base" in drugs:
        c = drugs.index("cocaine_base")
        on_c = on_drug("cocaine_base")
        rule = law.dated(EQ, "crack_combination_reduction")
        ri = rule.index_on(on_c)
        lv = np.array([int(v.data["levels"]) for v in rule.versions])[ri]
        hi = np.array([float(v.data.get("not_at_or_above_grams") or np.inf) for v in rule.versions])[ri]
        lo = np.array([float(v.data.get("not_below_grams") or 0) for v in rule.versions])[ri]
        crack = grams[:, c]
        others = quantity_level(law, "marihuana", total - contrib[:, c], on_marihuana)["level"]
        reduced = (lv > 0) & (crack > 0) & (crack < hi) & (crack >= lo) & (level - lv >= others)
        level = np.where(reduced, level - lv, level).astype(np.int16)
    floor = law.dated(EQ, "heroin_method_floor")
    fi = floor.index_on(on_marihuana)
    fl = np.array([0 if v.data["minimum_level"] is None else int(v.data["minimum_level"]) for v in floor.versions])[fi]
    non_mj = (np.delete(grams, drugs.index("marihuana"), axis=1) > 0).any(axis=1) if "marihuana" in drugs else \
        (grams > 0).any(axis=1)
    level = np.where(non_mj, np.maximum(level, fl), level).astype(np.int16)
    return {"total": total, "level": level, "contrib": contrib, "reduced_715": reduced, "table_level": q["level"]}
