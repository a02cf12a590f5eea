"""Chapter Two and Three offense level: USSG §2D1.1(a) base level (Drug Quantity Table, death or
serious bodily injury, mitigating-role cap), §2D2.1 possession, the adjustments found, the §2D1.1(b)
safety-valve reduction, §3E1.1 acceptance and the §5C1.2(b) floor."""

from __future__ import annotations

import numpy as np

from ..columns import Cases
from ..law import Law, present
from ..regimes import Dates
from ..steps import Note, Step, note, step, unverified
from .drug_quantity import (
    EQ,
    converted_drug_weight,
    grams_text,
    minimum_level,
    quantity_level,
    quantity_text,
    substance_of,
)
from .statutes import POSSESSION

OFFENSE_LEVEL = "offense-level.yaml"


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
        q = quantity_level(law, drug, cases.grams[:, j], dates.on(f"drug-quantity:{drug}"),
                           dates.on(f"drug-equivalency:{drug}"))
        found[drug] = q
        level = np.where(rows, np.maximum(level, q["level"]), level)
    none = ~has_drug.any(axis=1)
    for d in present(cases.conviction_drug[none]):
        m = none & (cases.conviction_drug == d)
        drug = cases.drugs[int(d)]
        level[m] = quantity_level(law, drug, np.zeros(int(m.sum())), dates.on(f"drug-quantity:{drug}")[m],
                                  dates.on(f"drug-equivalency:{drug}")[m])["level"]
    groups = sorted({substance_of(law, d) for d in cases.drugs})
    n_subst = np.zeros(n, dtype=np.int8)
    for g in groups:
        n_subst += np.any(has_drug[:, [k for k, d in enumerate(cases.drugs) if substance_of(law, d) == g]], axis=1)
    multi = n_subst >= 2
    cdw: dict[str, np.ndarray] = {}
    if multi.any():
        idx = np.flatnonzero(multi)
        cdw = converted_drug_weight(law, cases.grams[idx], cases.drugs,
                                    lambda d: dates.on(f"drug-quantity:{d}")[idx],
                                    dates.on("drug-quantity:marihuana")[idx],
                                    lambda name: dates.on(f"drug-equivalency:{name}")[idx])
        level[idx] = cdw["level"]
        pos = np.full(n, -1)
        pos[idx] = np.arange(len(idx))

    def single(i: int) -> str:
        parts = []
        for drug, q in found.items():
            j = cases.drugs.index(drug)
            if cases.grams[i, j] <= 0:
                continue
            band = (f"at least {quantity_text(law, drug, q['lower'][i])}" + (
                f" but less than {quantity_text(law, drug, q['upper'][i])}" if np.isfinite(q["upper"][i])
                else " (the top row)"))
            parts.append(f"{quantity_text(law, drug, cases.grams[i, j])} of {drug.replace('_', ' ')} is {band} → "
                         f"level {q['level'][i]}")
        text = "; ".join(parts) or "no quantity given → the lowest level"
        return text + (f"; the greater level, {level[i]}, applies" if len(parts) > 1 else "") + "."

    def detail(i: int) -> str:
        if not multi[i]:
            return single(i)
        k = int(pos[i])
        terms = [f"{quantity_text(law, d, cases.grams[i, j])} of {d.replace('_', ' ')} = {grams_text(cdw['contrib'][k, j])}"
                 for j, d in enumerate(cases.drugs) if cases.grams[i, j] > 0]
        s = (f"Converted drug weight (two or more substances): {'; '.join(terms)}"
             + (" (the Schedule III-V caps held the lower schedules down)" if cdw["capped"][k] else "")
             + f"; total {grams_text(cdw['total'][k])} of marihuana → level {cdw['table_level'][k]}")
        if cdw["reduced_715"][k]:
            s += f"; Amendment 715: cocaine base with other substances, −2 → {cdw['level'][k]}"
        elif cdw["level"][k] != cdw["table_level"][k]:
            s += f" → level {cdw['level'][k]} (the minimum level for the substances present)"
        return s + "."

    def citation(i: int) -> str:
        cites = []
        for drug, q in found.items():
            if cases.grams[i, cases.drugs.index(drug)] > 0:
                cites.append(law.drug_table(drug).versions[int(q["version"][i])].citation)
        if multi[i]:
            cites.append("USSG §2D1.1, comment. (n.8(D)) Drug Equivalency Tables")
        return "; ".join(dict.fromkeys(cites)) or "USSG §2D1.1(c)"

    notes = [unverified(law.drug_table(drug).versions, q["version"], cases.grams[:, cases.drugs.index(drug)] > 0,
                        f"a {drug.replace('_', ' ')} Drug Quantity Table line") for drug, q in found.items()]
    capped = np.zeros(n, dtype=bool)
    if cdw:
        capped[idx] = cdw["capped"]
    notes += _equivalency_notes(law, cases, dates, found, multi, level, capped)
    return level, step("drug_quantity", "USSG §2D1.1(c)", citation, detail), notes


def _equivalency_notes(law: Law, cases: Cases, dates: Dates, found: dict, multi: np.ndarray,
                       level: np.ndarray, capped: np.ndarray) -> list[Note]:
    """Warnings for the rows that used an equivalency, a minimum level or a cap not verified against its
    text."""
    notes = []
    for drug, q in found.items():
        table = law.drug_table(drug).versions
        converted = np.array([bool(v.data.get("converted")) for v in table])[q["version"]]
        counted_as = np.array([bool(v.data.get("counts_as")) for v in table])[q["version"]]
        on = dates.on(f"drug-equivalency:{drug}")
        used = (multi | converted) & ~counted_as & (cases.grams[:, cases.drugs.index(drug)] > 0)
        if used.any():
            ratios = law.dated(EQ, "ratios", drug)
            notes.append(unverified(ratios.versions, ratios.index_on(on), used,
                                    f"the {drug.replace('_', ' ')} drug equivalency"))
    rule = law.dated(EQ, "minimum_level")
    on = dates.on("drug-equivalency:minimum_level")
    floor = minimum_level(law, cases.drugs, cases.grams > 0, on)
    notes.append(unverified(rule.versions, rule.index_on(on), (level == floor) & (floor > 0) & multi,
                            "the minimum level for a combination"))
    caps = law.dated(EQ, "caps")
    notes.append(unverified(caps.versions, caps.index_on(dates.on("drug-equivalency:caps")), capped,
                            "a Schedule III-V cap"))
    return notes


def mitigating_role_cap(law: Law, level: np.ndarray, role: np.ndarray, on: np.ndarray) -> tuple[np.ndarray, Step]:
    """USSG §2D1.1(a)(5): the cap on the Drug Quantity Table level with a §3B1.2 adjustment."""
    dt = law.dated("mitigating-role-cap.yaml")
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
    changed = out != level
    return out, step(
        "mitigating_role_cap", "USSG §2D1.1(a)(5)", lambda i: dt.versions[int(idx[i])].citation,
        lambda i: f"Mitigating role ({int(role[i])} levels under §3B1.2): base level {level[i]} → {out[i]}.",
        applies=changed)


def base_offense_level(law: Law, cases: Cases, dates: Dates) -> tuple[np.ndarray, list[Step], list[Note], np.ndarray]:
    """The Chapter Two base offense level: §2D1.1(a) (greatest of (a)(1)-(2) and the capped (a)(5)
    quantity level), or §2D2.1 for a §844(a) possession conviction. Also returns the level before the
    mitigating-role cap (for carrying a court's findings forward)."""
    on = dates.manual
    qlevel, s_qty, q_notes = quantity_base_level(law, cases, dates)
    capped, s_cap = mitigating_role_cap(law, qlevel, cases.mitigating_role, dates.on("mitigating-role-cap"))
    # §2D1.1(a)(1)-(2): death or serious bodily injury.
    dsbi = law.dated(OFFENSE_LEVEL, "death_or_injury")
    di = dsbi.index_on(on)
    with_prior = np.array([v.data["with_prior"] for v in dsbi.versions])[di]
    without = np.array([v.data["without_prior"] for v in dsbi.versions])[di]
    death_level = np.where(cases.prior_convictions > 0, with_prior, without)
    use_death = cases.death_or_injury & (death_level > capped) & (cases.statute <= 2)
    level = np.where(use_death, death_level, capped).astype(np.int16)
    # §2D2.1: simple possession, with the pre-2010 cross reference to §2D1.1 for cocaine base.
    poss = law.dated(OFFENSE_LEVEL, "possession")
    pi = poss.index_on(dates.on("possession"))
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
    steps = [s_qty, s_cap,
             step("death_or_injury", "USSG §2D1.1(a)(1)-(2)", lambda i: dsbi.versions[int(di[i])].citation,
                  lambda i: f"Death or serious bodily injury resulted → level {death_level[i]}"
                  + (" (with a prior similar conviction)" if cases.prior_convictions[i] > 0 else "") + ".",
                  applies=use_death),
             step("possession", "USSG §2D2.1", lambda i: poss.versions[int(pi[i])].citation,
                  lambda i: ("Possession of more than the cross-reference quantity of cocaine base: §2D1.1 applies "
                             f"(§2D2.1(b)(1)) → level {level[i]}.") if cross[i] else
                  f"Simple possession (§2D2.1(a)) → base offense level {level[i]}.",
                  applies=possession)]
    unverified_level = np.array([[v.is_unverified(f"levels.{d}") for d in cases.drugs] for v in poss.versions])
    flagged = possession & unverified_level[pi, cases.conviction_drug]
    notes = q_notes + [note("warning", flagged, lambda i: (
        f"Uses the §2D2.1 level for {cases.drugs[int(cases.conviction_drug[i])].replace('_', ' ')}, not yet "
        "checked against the text of that edition."))]
    return level, steps, notes, np.where(possession & ~cross, level, np.where(use_death, level, qlevel))


def safety_valve_reduction(law: Law, level: np.ndarray, valve: np.ndarray,
                           on: np.ndarray) -> tuple[np.ndarray, Step, Note]:
    """USSG §2D1.1(b) (now (b)(18)): 2 levels if the §5C1.2(a) criteria are met."""
    dt = law.dated("safety-valve.yaml", "reduction")
    idx = dt.index_on(on)
    lv = np.array([int(v.data["levels"]) for v in dt.versions])[idx]
    min_level = np.array([0 if v.data["minimum_offense_level"] is None else int(v.data["minimum_offense_level"])
                          for v in dt.versions])[idx]
    applies = valve & (lv > 0) & (level >= min_level)
    out = np.where(applies, level - lv, level).astype(np.int16)
    num = law.dated("safety-valve.yaml", "reduction_number")
    nidx = num.index_on(on)

    def detail(i: int) -> str:
        where = num.versions[int(nidx[i])].data.get("number")
        return (f"Safety-valve criteria met{f' (USSG §{where} in this edition)' if where else ''}: "
                f"{level[i]} − {lv[i]} = {out[i]}.")

    return out, step("safety_valve_reduction", "USSG §2D1.1(b) (safety valve)",
                     lambda i: dt.versions[int(idx[i])].citation, detail, applies=applies), \
        unverified(dt.versions, idx, valve, "the safety-valve reduction")


def acceptance_reduction(law: Law, level: np.ndarray, granted: np.ndarray, on: np.ndarray
                         ) -> tuple[np.ndarray, np.ndarray]:
    """USSG §3E1.1 levels for `granted` (0, 2, 3) at `level` (the level before acceptance), and the level
    the additional level needs on each date."""
    dt = law.dated("acceptance.yaml")
    idx = dt.index_on(on)
    extra = [v.data.get("additional_level") for v in dt.versions]
    extra_min = np.array([999 if e is None else int(e["minimum_offense_level"]) for e in extra])[idx]
    reduction = np.where(granted == 0, 0, 2) + np.where((granted == 3) & (level >= extra_min), 1, 0)
    return reduction.astype(np.int16), extra_min


def acceptance(law: Law, level: np.ndarray, granted: np.ndarray, on: np.ndarray,
               is_original: bool) -> tuple[np.ndarray, np.ndarray, Step, list[Note]]:
    """USSG §3E1.1: −2, and −1 more if the level before acceptance is 16 or greater and (from
    2003-04-30) the government moved; `granted` 3 means it did."""
    dt = law.dated("acceptance.yaml")
    idx = dt.index_on(on)
    reduction, extra_min = acceptance_reduction(law, level, granted, on)
    third_possible = level >= extra_min
    out = (level - reduction).astype(np.int16)
    lost = (granted == 3) & ~third_possible
    no_motion = (granted == 2) & third_possible & (not is_original)

    def detail(i: int) -> str:
        s = f"Acceptance of responsibility: {level[i]} − {reduction[i]} = {out[i]}."
        if lost[i]:
            s += (" The additional level is not available: the level before acceptance is below "
                  f"{extra_min[i]}." if extra_min[i] < 999 else " No additional level existed on this date.")
        return s

    notes = [
        unverified(dt.versions, idx, granted > 0, "an acceptance rule"),
        note("assumption", lost, lambda i: (
            "Acceptance: the third level granted at sentencing is not available under this regime "
            f"(level before acceptance {level[i]}); only 2 levels applied.")),
        note("assumption", no_motion, lambda i: (
            f"Acceptance: the level before acceptance is {level[i]} (16 or more), but only 2 levels were granted at "
            "sentencing; assumed the government would not move for the third level.")),
    ]
    return out, reduction, step("acceptance", "USSG §3E1.1", lambda i: dt.versions[int(idx[i])].citation,
                                detail, applies=granted > 0), notes


def safety_valve_floor(law: Law, level: np.ndarray, valve: np.ndarray, nominal_min: np.ndarray,
                       on: np.ndarray) -> tuple[np.ndarray, Step, Note]:
    """USSG §5C1.2(b): with the safety valve and a statutory minimum of at least five years, the
    Chapter Two and Three offense level is not less than 17."""
    dt = law.dated("safety-valve.yaml", "floor")
    idx = dt.index_on(on)
    floor = np.array([0 if v.data["offense_level"] is None else int(v.data["offense_level"]) for v in dt.versions])[idx]
    need = np.array([np.inf if v.data["when_minimum_at_least_months"] is None
                     else float(v.data["when_minimum_at_least_months"]) for v in dt.versions])[idx]
    applies = valve & (nominal_min >= need) & (level < floor)
    out = np.where(applies, floor, level).astype(np.int16)
    return out, step("safety_valve_floor", "USSG §5C1.2(b)", lambda i: dt.versions[int(idx[i])].citation,
                     lambda i: f"Safety valve with a minimum of at least five years: level {level[i]} → {out[i]}.",
                     applies=applies), unverified(dt.versions, idx, applies, "the §5C1.2(b) floor")


def named_adjustments(law: Law, cases: Cases, on: np.ndarray) -> tuple[np.ndarray, Step, list[Note]]:
    """Adjustments stated by section only: the levels guidelines/adjustments.yaml gives each section on
    each date (0 before the provision existed)."""
    n = len(cases)
    total = np.zeros(n, dtype=np.int16)
    parts: dict[str, np.ndarray] = {}
    numbers: dict[str, np.ndarray] = {}
    unverified_rows = np.zeros(n, dtype=bool)
    sections = sorted({x for s in cases.distinct("named_adjustments") for x in s.split(";") if x})
    for sec in sections:
        has = cases.has_named(sec)
        if not has.any():
            continue
        dt = law.dated("adjustments.yaml", "sections", sec)
        idx = dt.index_on(on)
        lv = np.array([int(v.data["levels"]) for v in dt.versions])[idx]
        numbers[sec] = np.array([str(v.data.get("number") or sec) for v in dt.versions], dtype=object)[idx]
        parts[sec] = np.where(has, lv, 0)
        total += parts[sec].astype(np.int16)
        unverified_rows |= has & np.array([v.status != "verified" for v in dt.versions])[idx]

    def detail(i: int) -> str:
        items = [f"{sec} {int(p[i]):+d}" + (" (not in force on this date)" if p[i] == 0 else
                                            f" (numbered {numbers[sec][i]} in this edition)"
                                            if numbers[sec][i] != sec else "")
                 for sec, p in parts.items() if sec in str(cases.named_adjustments[i]).split(";")]
        return "Adjustments stated by section, levels from the law of this date: " + ", ".join(items) + "."

    applies = cases.named_adjustments != ""
    notes = [note("warning", unverified_rows, "Uses adjustment levels not yet verified against each edition of the "
                  "Manual (guidelines/adjustments.yaml).")]
    return total, step("named_adjustments", "USSG Ch. 2-3", "guidelines/adjustments.yaml (USSG §2D1.1(b), §§3B1.1, "
                       "3C1.1)", detail, applies=applies), notes
