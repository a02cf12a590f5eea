"""The offense level outside the adjustments found: USSG §2D1.1(a) base level (Drug Quantity Table, death
or serious bodily injury, mitigating-role cap), §2D2.1 possession, the §2D1.1(b) safety-valve reduction,
§3E1.1 acceptance and the §5C1.2(b) floor. (Adjustments stated by section: rules/adjustments.py.)"""

from __future__ import annotations

import numpy as np

from ..columns import Cases
from ..law import Law, present
from ..regimes import Dates
from ..registry import (
    ACCEPTANCE,
    CAPS,
    DEATH_OR_INJURY,
    DRUG_QUANTITY,
    MINIMUM_LEVEL,
    MITIGATING_ROLE_CAP,
    RATIOS,
    SAFETY_VALVE_FLOOR,
    SAFETY_VALVE_NUMBER,
    SAFETY_VALVE_REDUCTION,
)
from ..registry import POSSESSION as POSSESSION_TABLE
from ..steps import Note, Seen, Step, cited, note, record, unverified
from .drug_quantity import (
    converted_drug_weight,
    grams_text,
    minimum_level,
    quantity_level,
    quantity_text,
    substance_of,
)
from .statutes import POSSESSION


def _quantity_on(dates: Dates, drug: str) -> np.ndarray:
    return dates.on(DRUG_QUANTITY.at(drug=drug).component)


def _equivalency_on(dates: Dates, name: str) -> np.ndarray:
    return dates.on(RATIOS.at(drug=name).component)


def quantity_base_level(law: Law, cases: Cases, dates: Dates) -> tuple[np.ndarray, Step, list[Note]]:
    """USSG §2D1.1(a)(5), (c): the Drug Quantity Table level of the relevant-conduct quantity.

    One substance: its own line (a mixture and its actual weight, e.g. methamphetamine or PCP: the
    greater level, Note B to the table); a substance without a line of its own, or counted, is read on
    the line it converts to. Two or more: converted drug weight (comment. (n.8(D))).
    """
    n = len(cases)
    level = np.zeros(n, dtype=np.int16)
    found: dict[str, dict[str, np.ndarray]] = {}
    has_drug = cases.grams > 0
    for j, drug in enumerate(cases.drugs):
        rows = has_drug[:, j]
        if not rows.any():
            continue
        q = quantity_level(law, drug, cases.grams[:, j], _quantity_on(dates, drug), _equivalency_on(dates, drug))
        found[drug] = q
        level = np.where(rows, np.maximum(level, q["level"]), level)
    none = ~has_drug.any(axis=1)
    for d in present(cases.conviction_drug[none]):
        m = none & (cases.conviction_drug == d)
        drug = cases.drugs[int(d)]
        level[m] = quantity_level(law, drug, np.zeros(int(m.sum())), _quantity_on(dates, drug)[m],
                                  _equivalency_on(dates, drug)[m])["level"]
    groups = sorted({substance_of(law, d) for d in cases.drugs})
    n_subst = np.zeros(n, dtype=np.int8)
    for g in groups:
        n_subst += np.any(has_drug[:, [k for k, d in enumerate(cases.drugs) if substance_of(law, d) == g]], axis=1)
    multi = n_subst >= 2
    cdw: dict[str, np.ndarray] = {}
    if multi.any():
        idx = np.flatnonzero(multi)
        cdw = converted_drug_weight(law, cases.grams[idx], cases.drugs,
                                    lambda d: _quantity_on(dates, d)[idx], _quantity_on(dates, "marihuana")[idx],
                                    lambda name: _equivalency_on(dates, name)[idx])
        level[idx] = cdw["level"]
    pos = np.full(n, -1)
    if multi.any():
        pos[idx] = np.arange(len(idx))

    notes = [unverified(law.drug_table(drug).versions, q["version"], cases.grams[:, cases.drugs.index(drug)] > 0,
                        f"a {drug.replace('_', ' ')} Drug Quantity Table line") for drug, q in found.items()]
    capped = np.zeros(n, dtype=bool)
    if cdw:
        capped[idx] = cdw["capped"]
    notes += _equivalency_notes(law, cases, dates, found, multi, level, capped)
    seen = {"law": law, "drugs": cases.drugs, "grams": cases.grams, "found": found, "level": level, "multi": multi,
            "position": pos, "converted": cdw}
    return level, record("drug_quantity", "USSG §2D1.1(c)", quantity_citation, quantity_detail, seen), notes


def _band(law: Law, drug: str, found: dict, i: int) -> str:
    q = found[drug]
    upper = q["upper"][i]
    return (f"at least {quantity_text(law, drug, q['lower'][i])}"
            + (f" but less than {quantity_text(law, drug, upper)}" if np.isfinite(upper) else " (the top row)"))


def quantity_detail(v: Seen, i: int) -> str:
    """The Drug Quantity Table line of each substance, or the converted drug weight of two or more."""
    law, drugs, grams = v["law"], v["drugs"], v["grams"]
    if not v["multi"][i]:
        parts = [f"{quantity_text(law, drug, grams[i, drugs.index(drug)])} of {drug.replace('_', ' ')} is "
                 f"{_band(law, drug, v['found'], i)} → level {q['level'][i]}"
                 for drug, q in v["found"].items() if grams[i, drugs.index(drug)] > 0]
        text = "; ".join(parts) or "no quantity given → the lowest level"
        return text + (f"; the greater level, {v['level'][i]}, applies" if len(parts) > 1 else "") + "."
    cdw, k = v["converted"], int(v["position"][i])
    terms = [f"{quantity_text(law, d, grams[i, j])} of {d.replace('_', ' ')} = {grams_text(cdw['contrib'][k, j])}"
             for j, d in enumerate(drugs) if grams[i, j] > 0]
    s = (f"Converted drug weight (two or more substances): {'; '.join(terms)}"
         + (" (the Schedule III-V caps held the lower schedules down)" if cdw["capped"][k] else "")
         + f"; total {grams_text(cdw['total'][k])} of marihuana → level {cdw['table_level'][k]}")
    if cdw["reduced_715"][k]:
        s += f"; Amendment 715: cocaine base with other substances, −2 → {cdw['level'][k]}"
    elif cdw["level"][k] != cdw["table_level"][k]:
        s += f" → level {cdw['level'][k]} (the minimum level for the substances present)"
    return s + "."


def quantity_citation(v: Seen, i: int) -> str:
    law, drugs, grams = v["law"], v["drugs"], v["grams"]
    cites = [law.drug_table(drug).versions[int(q["version"][i])].citation
             for drug, q in v["found"].items() if grams[i, drugs.index(drug)] > 0]
    if v["multi"][i]:
        cites.append("USSG §2D1.1, comment. (n.8(D)) Drug Equivalency Tables")
    return "; ".join(dict.fromkeys(cites)) or "USSG §2D1.1(c)"


def _equivalency_notes(law: Law, cases: Cases, dates: Dates, found: dict, multi: np.ndarray,
                       level: np.ndarray, capped: np.ndarray) -> list[Note]:
    """Warnings for the rows that used an equivalency, a minimum level or a cap not verified against its
    text."""
    notes = []
    for drug, q in found.items():
        table = law.drug_table(drug).versions
        converted = np.array([bool(v.data.get("converted")) for v in table])[q["version"]]
        counted_as = np.array([bool(v.data.get("counts_as")) for v in table])[q["version"]]
        on = _equivalency_on(dates, drug)
        used = (multi | converted) & ~counted_as & (cases.grams[:, cases.drugs.index(drug)] > 0)
        if used.any():
            ratios = law.table(RATIOS.at(drug=drug))
            notes.append(unverified(ratios.versions, ratios.index_on(on), used,
                                    f"the {drug.replace('_', ' ')} drug equivalency"))
    rule = law.table(MINIMUM_LEVEL)
    on = dates.on(MINIMUM_LEVEL.component)
    floor = minimum_level(law, cases.drugs, cases.grams > 0, on)
    notes.append(unverified(rule.versions, rule.index_on(on), (level == floor) & (floor > 0) & multi,
                            "the minimum level for a combination"))
    caps = law.table(CAPS)
    notes.append(unverified(caps.versions, caps.index_on(dates.on(CAPS.component)), capped, "a Schedule III-V cap"))
    return notes


def mitigating_role_cap(law: Law, level: np.ndarray, role: np.ndarray, on: np.ndarray) -> tuple[np.ndarray, Step]:
    """USSG §2D1.1(a)(5): the cap on the Drug Quantity Table level with a §3B1.2 adjustment."""
    dt = law.table(MITIGATING_ROLE_CAP)
    idx = dt.index_on(on)
    out = level.copy()
    for v in present(idx):
        d = dt.versions[int(v)].data
        m = (idx == v) & (role > 0)
        table = np.zeros(64, dtype=np.int16)
        for lv, k in d["decrease"].items():
            table[int(lv)] = int(k)
        dec = table[np.clip(level[m], 0, 63)]
        capped = level[m] - dec
        if d.get("cap") is not None:
            capped = np.minimum(capped, int(d["cap"]))
        if d.get("minimal_participant_cap") is not None:
            mp = role[m] == 4
            capped = np.where(mp, np.minimum(capped, int(d["minimal_participant_cap"])), capped)
        out[m] = capped
    seen = {"role": role, "before": level, "after": out, "version": idx, "citations": [v.citation for v in dt.versions]}
    return out, record("mitigating_role_cap", "USSG §2D1.1(a)(5)", cited, cap_detail, seen, applies=out != level)


def cap_detail(v: Seen, i: int) -> str:
    return f"Mitigating role ({int(v['role'][i])} levels under §3B1.2): base level {v['before'][i]} → {v['after'][i]}."


def base_offense_level(law: Law, cases: Cases, dates: Dates) -> tuple[np.ndarray, list[Step], list[Note], np.ndarray]:
    """The Chapter Two base offense level: §2D1.1(a) (greatest of (a)(1)-(2) and the capped (a)(5)
    quantity level), or §2D2.1 for a §844(a) possession conviction. Also returns the level before the
    mitigating-role cap (for carrying a court's findings forward)."""
    qlevel, s_qty, q_notes = quantity_base_level(law, cases, dates)
    capped, s_cap = mitigating_role_cap(law, qlevel, cases.mitigating_role, dates.on(MITIGATING_ROLE_CAP.component))
    # §2D1.1(a)(1)-(2): death or serious bodily injury.
    dsbi = law.table(DEATH_OR_INJURY)
    di = dsbi.index_on(dates.on(DEATH_OR_INJURY.component))
    with_prior = np.array([v.data["with_prior"] for v in dsbi.versions])[di]
    without = np.array([v.data["without_prior"] for v in dsbi.versions])[di]
    death_level = np.where(cases.prior_convictions > 0, with_prior, without)
    use_death = cases.death_or_injury & (death_level > capped) & (cases.statute <= 2)
    level = np.where(use_death, death_level, capped).astype(np.int16)
    # §2D2.1: simple possession, with the pre-2010 cross reference to §2D1.1 for cocaine base.
    poss = law.table(POSSESSION_TABLE)
    pi = poss.index_on(dates.on(POSSESSION_TABLE.component))
    possession = cases.statute == POSSESSION
    cross = np.zeros(len(cases), dtype=bool)
    for i in np.flatnonzero(possession):
        d = poss.versions[int(pi[i])].data
        drug = cases.drugs[int(cases.conviction_drug[i])]
        limit = (d.get("cross_reference") or {}).get(drug)
        g = cases.conviction_grams[i]
        if limit is not None and not np.isnan(g) and g > float(limit):
            cross[i] = True
        else:
            level[i] = int(d["levels"].get(drug, d["default_level"]))
    death_seen = {"level": death_level, "priors": cases.prior_convictions, "version": di,
                  "citations": [v.citation for v in dsbi.versions]}
    possession_seen = {"level": level, "cross_reference": cross, "version": pi,
                       "citations": [v.citation for v in poss.versions]}
    steps = [s_qty, s_cap,
             record("death_or_injury", "USSG §2D1.1(a)(1)-(2)", cited, death_detail, death_seen, applies=use_death),
             record("possession", "USSG §2D2.1", cited, possession_detail, possession_seen, applies=possession)]
    unverified_level = np.array([[v.is_unverified(f"levels.{d}") for d in cases.drugs] for v in poss.versions])
    flagged = possession & unverified_level[pi, cases.conviction_drug]
    notes = q_notes + [note("warning", flagged, lambda i: (
        f"Uses the §2D2.1 level for {cases.drugs[int(cases.conviction_drug[i])].replace('_', ' ')}, not yet "
        "checked against the text of that edition."))]
    return level, steps, notes, np.where(possession & ~cross, level, np.where(use_death, level, qlevel))


def death_detail(v: Seen, i: int) -> str:
    return (f"Death or serious bodily injury resulted → level {v['level'][i]}"
            + (" (with a prior similar conviction)" if v["priors"][i] > 0 else "") + ".")


def possession_detail(v: Seen, i: int) -> str:
    if v["cross_reference"][i]:
        return ("Possession of more than the cross-reference quantity of cocaine base: §2D1.1 applies "
                f"(§2D2.1(b)(1)) → level {v['level'][i]}.")
    return f"Simple possession (§2D2.1(a)) → base offense level {v['level'][i]}."


def safety_valve_reduction(law: Law, level: np.ndarray, valve: np.ndarray,
                           on: np.ndarray) -> tuple[np.ndarray, Step, Note]:
    """USSG §2D1.1(b) (now (b)(18)): 2 levels if the §5C1.2(a) criteria are met. From Amendment 515 (1995)
    to Amendment 624 (2001) only where "the offense level determined above" was 26 or more: `level` is that
    level, the base offense level with the specific offense characteristics listed before the reduction."""
    dt = law.table(SAFETY_VALVE_REDUCTION)
    idx = dt.index_on(on)
    lv = np.array([int(v.data["levels"]) for v in dt.versions])[idx]
    min_level = np.array([0 if v.data["minimum_offense_level"] is None else int(v.data["minimum_offense_level"])
                          for v in dt.versions])[idx]
    applies = valve & (lv > 0) & (level >= min_level)
    out = np.where(applies, level - lv, level).astype(np.int16)
    num = law.table(SAFETY_VALVE_NUMBER)
    seen = {"before": level, "levels": lv, "after": out, "version": idx, "citations": [v.citation for v in dt.versions],
            "number": num.index_on(on), "numbers": [v.data.get("number") for v in num.versions],
            "minimum": min_level, "lost": valve & (lv > 0) & ~applies}
    return out, record("safety_valve_reduction", "USSG §2D1.1(b) (safety valve)", cited, valve_reduction_detail, seen,
                       applies=applies | seen["lost"]), unverified(dt.versions, idx, valve, "the safety-valve reduction")


def valve_reduction_detail(v: Seen, i: int) -> str:
    where = v["numbers"][int(v["number"][i])]
    named = f" (USSG §{where} in this edition)" if where else ""
    if v["lost"][i]:
        return (f"Safety-valve criteria met{named}, but the offense level determined above ({v['before'][i]}) is "
                f"below {v['minimum'][i]}: no reduction.")
    return f"Safety-valve criteria met{named}: {v['before'][i]} − {v['levels'][i]} = {v['after'][i]}."


def acceptance_reduction(law: Law, level: np.ndarray, granted: np.ndarray, on: np.ndarray
                         ) -> tuple[np.ndarray, np.ndarray]:
    """USSG §3E1.1 levels for `granted` (0, 2, 3) at `level` (the level before acceptance), and the level
    the additional level needs on each date."""
    dt = law.table(ACCEPTANCE)
    idx = dt.index_on(on)
    extra = [v.data.get("additional_level") for v in dt.versions]
    extra_min = np.array([999 if e is None else int(e["minimum_offense_level"]) for e in extra])[idx]
    reduction = np.where(granted == 0, 0, 2) + np.where((granted == 3) & (level >= extra_min), 1, 0)
    return reduction.astype(np.int16), extra_min


def acceptance(law: Law, level: np.ndarray, granted: np.ndarray, on: np.ndarray,
               is_original: bool) -> tuple[np.ndarray, np.ndarray, Step, list[Note]]:
    """USSG §3E1.1: −2, and −1 more if the level before acceptance is 16 or greater and (from
    2003-04-30) the government moved; `granted` 3 means it did."""
    dt = law.table(ACCEPTANCE)
    idx = dt.index_on(on)
    reduction, extra_min = acceptance_reduction(law, level, granted, on)
    third_possible = level >= extra_min
    out = (level - reduction).astype(np.int16)
    lost = (granted == 3) & ~third_possible
    no_motion = (granted == 2) & third_possible & (not is_original)
    notes = [
        unverified(dt.versions, idx, granted > 0, "an acceptance rule"),
        note("assumption", lost, lambda i: (
            "Acceptance: the third level granted at sentencing is not available under this regime "
            f"(level before acceptance {level[i]}); only 2 levels applied.")),
        note("assumption", no_motion, lambda i: (
            f"Acceptance: the level before acceptance is {level[i]} (16 or more), but only 2 levels were granted at "
            "sentencing; assumed the government would not move for the third level.")),
    ]
    seen = {"before": level, "reduction": reduction, "after": out, "lost": lost, "needs": extra_min, "version": idx,
            "citations": [v.citation for v in dt.versions]}
    return out, reduction, record("acceptance", "USSG §3E1.1", cited, acceptance_detail, seen, applies=granted > 0), notes


def acceptance_detail(v: Seen, i: int) -> str:
    s = f"Acceptance of responsibility: {v['before'][i]} − {v['reduction'][i]} = {v['after'][i]}."
    if v["lost"][i]:
        s += (" The additional level is not available: the level before acceptance is below "
              f"{v['needs'][i]}." if v["needs"][i] < 999 else " No additional level existed on this date.")
    return s


def safety_valve_floor(law: Law, level: np.ndarray, valve: np.ndarray, nominal_min: np.ndarray,
                       on: np.ndarray) -> tuple[np.ndarray, Step, Note]:
    """USSG §5C1.2(b): with the safety valve and a statutory minimum of at least five years, the
    Chapter Two and Three offense level is not less than 17."""
    dt = law.table(SAFETY_VALVE_FLOOR)
    idx = dt.index_on(on)
    floor = np.array([0 if v.data["offense_level"] is None else int(v.data["offense_level"]) for v in dt.versions])[idx]
    need = np.array([np.inf if v.data["when_minimum_at_least_months"] is None
                     else float(v.data["when_minimum_at_least_months"]) for v in dt.versions])[idx]
    applies = valve & (nominal_min >= need) & (level < floor)
    out = np.where(applies, floor, level).astype(np.int16)
    seen = {"before": level, "after": out, "version": idx, "citations": [v.citation for v in dt.versions]}
    return out, record("safety_valve_floor", "USSG §5C1.2(b)", cited, floor_detail, seen, applies=applies), \
        unverified(dt.versions, idx, applies, "the §5C1.2(b) floor")


def floor_detail(v: Seen, i: int) -> str:
    return f"Safety valve with a minimum of at least five years: level {v['before'][i]} → {v['after'][i]}."
