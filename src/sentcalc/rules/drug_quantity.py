"""USSG §2D1.1(c) Drug Quantity Table: the base offense level for a quantity of one substance."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from ..law import Dated, Law, Version, present
from ..registry import CAPS, CRACK_COMBINATION, CRACK_VARIABLE, DRUG_QUANTITY, EQUIVALENCY, MINIMUM_LEVEL, RATIOS


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


def _line_of(version: Version) -> str | None:
    """The line a version reads instead of its own: `counts_as` (e.g. plants) or marihuana when
    `converted` (a substance without a line of its own, scored by converted drug weight)."""
    return version.data.get("counts_as") or ("marihuana" if version.data.get("converted") else None)


def _per_unit(law: Law, drug: str, version: Version, qty: np.ndarray, on: np.ndarray) -> np.ndarray:
    """Units of the line read per unit of `drug`: the grams a plant counts as (which may depend on
    how many plants there are), or the grams of marihuana a gram converts to."""
    if version.data.get("converted"):
        return _ratio(law, drug, on)
    steps = sorted((float(k), float(g)) for k, g in version.data["grams_per_unit"].items())
    per = np.full(len(qty), steps[0][1])
    for at_least, g in steps[1:]:
        per = np.where(qty >= at_least, g, per)
    return per


def quantity_level(law: Law, drug: str, grams: np.ndarray, on: np.ndarray,
                   ratio_on: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """USSG §2D1.1(c): the highest level whose lower bound `grams` reaches, in the version in force `on`.

    A counted substance (plants) or one without a line of its own (oxycodone, MDMA) is first
    converted and read on the line it counts as; its equivalency and minimum level are those in force
    `ratio_on` (default `on`: a §3582(c)(2) recalculation keeps the original equivalencies unless a
    listed amendment changed them). Returns level, the band's lower and upper bounds in the drug's own
    unit (upper = inf at the top) and the version index.
    """
    ratio_on = on if ratio_on is None else ratio_on
    dt = law.drug_table(drug)
    idx = dt.index_on(on)
    n = len(grams)
    level = np.zeros(n, dtype=np.int16)
    lower = np.zeros(n)
    upper = np.full(n, np.inf)
    for v in present(idx):
        m = idx == v
        line = _line_of(dt.versions[int(v)])
        if line:
            per = _per_unit(law, drug, dt.versions[int(v)], grams[m], ratio_on[m])
            q = quantity_level(law, line, grams[m] * per, on[m])
            floor = minimum_level(law, (drug,), grams[m, None] > 0, ratio_on[m])
            raised = floor > q["level"]  # the band is then "less than" the next level's bound
            level[m] = np.maximum(q["level"], floor)
            lower[m] = np.where(raised, 0.0, q["lower"] / per)
            upper[m] = q["upper"] / per
            if raised.any():
                nxt = _top_start(law, line, int(floor.max()) + 2, on[m]) / per
                upper[m] = np.where(raised, nxt, upper[m])
            top = dt.versions[int(v)].data.get("top_level")
            if top is not None:  # the schedule's line stops here (Schedule III to V)
                over = level[m] >= int(top)
                start = _top_start(law, line, int(top), on[m]) / per
                level[m] = np.where(over, int(top), level[m])
                lower[m] = np.where(over, start, lower[m])
                upper[m] = np.where(over, np.inf, upper[m])
            continue
        _, ver = _table(law, drug, dt.versions[int(v)])
        bounds, levels = _bands(ver)
        k = np.searchsorted(bounds, grams[m], side="right") - 1
        level[m] = levels[k]
        lower[m] = bounds[k]
        nxt = np.append(bounds[1:], np.inf)
        upper[m] = nxt[k]
    return {"level": level, "lower": lower, "upper": upper, "version": idx}


def _top_start(law: Law, line: str, top: int, on: np.ndarray) -> np.ndarray:
    """The lower bound of level `top` on `line` on each date."""
    out = np.zeros(len(on))
    dt = law.drug_table(line)
    idx = dt.index_on(on)
    for v in present(idx):
        bounds, levels = _bands(_table(law, line, dt.versions[int(v)])[1])
        out[idx == v] = bounds[np.searchsorted(levels, top)]
    return out


def top_threshold(law: Law, drug: str, on: np.ndarray) -> np.ndarray:
    """The lower bound of the table's top row for `drug` on each date (for §1B1.10 'above the table'),
    in the drug's own unit."""
    dt = law.drug_table(drug)
    idx = dt.index_on(on)
    tops = np.zeros(len(on))
    for v in present(idx):
        m = idx == v
        ver = dt.versions[int(v)]
        line = _line_of(ver)
        if not line:
            tops[m] = _bands(_table(law, drug, ver)[1])[0][-1]
            continue
        top = top_threshold(law, line, on[m]) if ver.data.get("top_level") is None else \
            _top_start(law, line, int(ver.data["top_level"]), on[m])
        if ver.data.get("converted"):
            tops[m] = top / _ratio(law, drug, on[m])
            continue
        tops[m] = units_for(ver, top)
    return tops


def units_for(version: Version, grams: np.ndarray) -> np.ndarray:
    """The fewest units (plants) of a `counts_as` version whose converted weight reaches `grams`."""
    steps = sorted(((float(k), float(g)) for k, g in version.data["grams_per_unit"].items()), reverse=True)
    need = np.full(len(grams), np.inf)
    for k, (at_least, g) in enumerate(steps):
        below = steps[k - 1][0] if k else np.inf
        count = np.maximum(grams / g, at_least)
        need = np.where(count < below, np.minimum(need, count), need)
    return np.where(grams > 0, need, 0.0)


def line_on(law: Law, drug: str, day) -> tuple[np.ndarray, np.ndarray, Version]:
    """The Drug Quantity Table line for `drug` in force on `day`, in the drug's own unit (lower bounds
    ascending, their levels, the version): a converted or counted substance's line is the line it is
    read on, converted (and held at the minimum level)."""
    version = law.drug_table(drug).on(day)
    line = _line_of(version)
    if not line:
        bounds, levels = _bands(_table(law, drug, version)[1])
        return bounds, levels, version
    bounds, levels, _ = line_on(law, line, day)
    on = np.array([day], dtype="datetime64[D]")
    if version.data.get("converted"):
        bounds = bounds / _ratio(law, drug, on)[0]
        low = int(minimum_level(law, (drug,), np.ones((1, 1), dtype=bool), on)[0])
        keep = levels >= low
        bounds, levels = np.append(0.0, bounds[keep][1:]), levels[keep]
    else:  # a count no plant number falls in (1989-1995: 49 plants is 12, 50 plants is 20) is dropped
        if version.data.get("top_level") is not None:
            keep = levels <= int(version.data["top_level"])
            bounds, levels = bounds[keep], levels[keep]
        bounds = units_for(version, bounds)
        keep = np.append(bounds[1:] != bounds[:-1], True)
        bounds, levels = bounds[keep], levels[keep]
    return bounds, levels, version


@lru_cache(maxsize=1024)
def counted(law: Law, drug: str) -> bool:
    """Whether the Manual counts `drug` (plants) rather than weighing it."""
    return bool(law.doc(DRUG_QUANTITY.at(drug=drug).file).get("counted"))


@lru_cache(maxsize=1024)
def substance_of(law: Law, drug: str) -> str:
    """The substance a drug line measures: a mixture and its actual weight are one substance (Note B
    to the Drug Quantity Table: the greater level counts)."""
    return str(law.doc(DRUG_QUANTITY.at(drug=drug).file).get("substance", drug))


def quantity_text(law: Law, drug: str, q: float) -> str:
    """A quantity in the drug's own unit, as the Manual writes it."""
    if counted(law, drug):
        number = f"{q:,.0f}" if float(q).is_integer() else f"{q:,.4g}"
        return f"{number} {law.doc(DRUG_QUANTITY.at(drug=drug).file).get('unit', 'units')}"
    return grams_text(q)


def minimum_level(law: Law, drugs: tuple[str, ...], has: np.ndarray, on: np.ndarray) -> np.ndarray:
    """The lowest level of any substance present (USSG §2D1.1, comment. (n.8(D)) proviso, Amendment
    446; before Amendment 396, the heroin line's level 12); 0 where none applies."""
    rule = law.table(MINIMUM_LEVEL)
    ri = rule.index_on(on)
    out = np.zeros(len(on), dtype=np.int16)
    for v in present(ri):
        ver = rule.versions[int(v)]
        if ver.data.get("level") is None:
            continue
        cols = [j for j, d in enumerate(drugs) if d in (ver.data.get("applies_to") or ())]
        m = (ri == v) & has[:, cols].any(axis=1) if cols else np.zeros(len(on), dtype=bool)
        out[m] = int(ver.data["level"])
    return out


def grams_text(g: float) -> str:
    """A quantity as the Manual writes it: mg below 1 g, kg from 1,000 g."""
    if g == np.inf:
        return "∞"
    if 0 < g < 1:
        return f"{g * 1000:g} mg"
    if g >= 1000:
        return f"{g / 1000:,g} kg"
    return f"{g:g} g"


EQ = EQUIVALENCY


def _ratio(law: Law, drug: str, on: np.ndarray) -> np.ndarray:
    """Grams of marihuana per gram of `drug` on each date (NaN where the variable crack table applies)."""
    dt = law.table(RATIOS.at(drug=drug))
    idx = dt.index_on(on)
    vals = []
    for v in dt.versions:
        other = v.data.get("same_as")
        g = law.table(RATIOS.at(drug=other)).on(v.effective).data.get("grams") if other else v.data.get("grams")
        vals.append(np.nan if g is None else float(g))
    return np.array(vals)[idx]


def _marihuana_grams(law: Law, drug: str, qty: np.ndarray, on: np.ndarray, ratio_on: np.ndarray) -> np.ndarray:
    """Grams of marihuana a quantity of `drug` converts to (Drug Equivalency Tables); plants by the
    grams of marihuana each counts as; cocaine base 2007-11-01 to 2008-04-30 by Amendment 706/711's
    variable table (its ratio depends on the crack's own level)."""
    dt = law.drug_table(drug)
    idx = dt.index_on(on)
    out = np.zeros(len(qty))
    for v in present(idx):
        m = idx == v
        ver = dt.versions[int(v)]
        line = ver.data.get("counts_as")
        if line:
            out[m] = qty[m] * _per_unit(law, drug, ver, qty[m], on[m]) * _ratio(law, line, ratio_on[m])
            continue
        r = _ratio(law, drug, ratio_on[m])
        if np.isnan(r).any():
            var = law.table(CRACK_VARIABLE)
            vi = var.index_on(ratio_on[m])
            own = quantity_level(law, drug, qty[m], on[m])["level"]
            table = np.zeros((len(var.versions), 64))
            for k, cv in enumerate(var.versions):
                for lv, x in (cv.data.get("grams_by_level") or {}).items():
                    table[k, int(lv)] = float(x)
            r = np.where(np.isnan(r), table[vi, np.clip(own, 0, 63)], r)
        out[m] = qty[m] * np.nan_to_num(r)
    return out


def _apply_caps(law: Law, contrib: np.ndarray, drugs: tuple[str, ...], on: np.ndarray) -> np.ndarray:
    """USSG §2D1.1, comment. (n.8(D)): the combined converted weight of Schedule V, of IV and V, and of
    III, IV and V may not exceed its cap (in place; the group's weights are scaled down together).
    Returns the rows a cap held down."""
    rule = law.table(CAPS)
    ri = rule.index_on(on)
    capped = np.zeros(len(on), dtype=bool)
    for v in present(ri):
        rows = ri == v
        for limit in rule.versions[int(v)].data.get("limits") or ():
            cols = [j for j, d in enumerate(drugs) if d in limit["drugs"]]
            if not cols:
                continue
            group = contrib[np.ix_(rows, cols)]
            total = group.sum(axis=1)
            scale = np.ones(len(total))
            np.divide(limit["grams"], total, out=scale, where=total > limit["grams"])
            contrib[np.ix_(rows, cols)] = group * scale[:, None]
            capped[rows] |= total > limit["grams"]
    return capped


def converted_drug_weight(law: Law, grams: np.ndarray, drugs: tuple[str, ...], on_drug, on_marihuana: np.ndarray,
                          on_equivalency=None) -> dict[str, np.ndarray]:
    """USSG §2D1.1, comment. (n.8(D)): two or more substances converted to marihuana and added; the
    level from the marihuana line. With cocaine base: Amendment 706/711's variable table (2007-11-01 to
    2008-04-30) and Amendment 715's two-level rule (2008-05-01 to 2010-10-31); never below the minimum
    level of a substance present (`minimum_level`).

    `on_drug(drug)` gives the date of each drug's line; `on_equivalency(name)` the date of a part of the
    Drug Equivalency Tables (a drug's ratio, "caps", "minimum_level"; default: `on_drug`, and the marihuana
    line's date for the caps and minimum). Returns total grams, level, per-drug grams.
    """
    if on_equivalency is None:
        def on_equivalency(name: str) -> np.ndarray:
            return on_drug(name) if name in drugs else on_marihuana
    n = grams.shape[0]
    contrib = np.zeros_like(grams)
    for j, drug in enumerate(drugs):
        g = grams[:, j]
        if (g > 0).any():
            contrib[:, j] = _marihuana_grams(law, drug, g, on_drug(drug), on_equivalency(drug))
    for group in {substance_of(law, d) for d in drugs}:  # mixture and actual: the greater counts
        cols = [j for j, d in enumerate(drugs) if substance_of(law, d) == group]
        if len(cols) > 1:
            best = contrib[:, cols].max(axis=1)
            contrib[:, cols] = 0.0
            contrib[:, cols[0]] = best
    capped = _apply_caps(law, contrib, drugs, on_equivalency("caps"))
    total = contrib.sum(axis=1)
    q = quantity_level(law, "marihuana", total, on_marihuana)
    level = q["level"].copy()
    reduced = np.zeros(n, dtype=bool)
    if "cocaine_base" in drugs:
        c = drugs.index("cocaine_base")
        on_c = on_equivalency("cocaine_base")
        rule = law.table(CRACK_COMBINATION)
        ri = rule.index_on(on_c)
        lv = np.array([int(v.data["levels"]) for v in rule.versions])[ri]
        hi = np.array([float(v.data.get("not_at_or_above_grams") or np.inf) for v in rule.versions])[ri]
        lo = np.array([float(v.data.get("not_below_grams") or 0) for v in rule.versions])[ri]
        crack = grams[:, c]
        others = quantity_level(law, "marihuana", total - contrib[:, c], on_marihuana)["level"]
        reduced = (lv > 0) & (crack > 0) & (crack < hi) & (crack >= lo) & (level - lv >= others)
        level = np.where(reduced, level - lv, level).astype(np.int16)
    level = np.maximum(level, minimum_level(law, drugs, grams > 0, on_equivalency("minimum_level"))).astype(np.int16)
    return {"total": total, "level": level, "contrib": contrib, "reduced_715": reduced, "table_level": q["level"],
            "capped": capped}
