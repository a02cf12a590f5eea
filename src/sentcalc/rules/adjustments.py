"""Adjustments found at sentencing, each applied at the stage its section's chapter gives it (USSG §1B1.1(a)):
Chapter Two specific offense characteristics (§2D1.1(b)) before the safety-valve reduction, Chapter Three
(Parts A-D: role, obstruction, ...) after it. A section stated with its levels counts those levels; a section
stated alone counts the levels guidelines/adjustments.yaml gives it on the date (0 before it existed)."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from ..columns import Cases
from ..law import Law
from ..registry import ADJUSTMENT, ZERO_POINT
from ..steps import Note, Seen, Step, note, record

CHAPTER_TWO = "specific_offense_characteristics"
CHAPTER_THREE = "chapter_three"
UNKNOWN = "unknown"
"""The stage of levels given as one sum over sections of different chapters (a flat row)."""


def stage_of(law: Law, section: str) -> str:
    """The stage an adjustment's section belongs to, from its chapter (adjustments.yaml `chapters`)."""
    return str(law.doc(ADJUSTMENT.file)["chapters"].get(section[:1], CHAPTER_THREE))


def recognised_sections(law: Law) -> list[str]:
    """Adjustment sections some rule keys on (others count for their levels only)."""
    secs: list[str] = []
    for v in law.table(ZERO_POINT).versions:
        secs += v.data["disqualifying_sections"]
    secs += list(law.doc(ADJUSTMENT.file)["sections"])
    return list(dict.fromkeys(secs))


def _recognised(section: str, known: list[str]) -> bool:
    return any(section == k or section.startswith(k + "(") for k in known)


@lru_cache(maxsize=4096)
def _split(law: Law, explicit: str) -> tuple[tuple[str, str, int], ...]:
    """(stage, sections, levels) for each item of an `explicit_adjustments` value; the stage is UNKNOWN when
    the levels of sections of different chapters are given together."""
    out = []
    for item in explicit.split(";"):
        if not item:
            continue
        sections, _, levels = item.rpartition("=")
        stages = {stage_of(law, s) for s in sections.split("+") if s}
        stage = stages.pop() if len(stages) == 1 else UNKNOWN
        out.append((stage, sections, int(levels)))
    return tuple(out)


def explicit_levels(law: Law, cases: Cases) -> dict[str, np.ndarray]:
    """The levels found with their sections, by stage (CHAPTER_TWO, CHAPTER_THREE, UNKNOWN)."""
    values = cases.distinct("explicit_adjustments")
    inverse = cases._distinct["explicit_adjustments"][1]
    out = {}
    for stage in (CHAPTER_TWO, CHAPTER_THREE, UNKNOWN):
        per = np.array([sum(lv for s, _, lv in _split(law, v) if s == stage) for v in values], dtype=np.int16)
        out[stage] = per[inverse] if len(inverse) else np.zeros(0, np.int16)
    return out


def named_levels(law: Law, cases: Cases, on: np.ndarray, stage: str | None = None
                 ) -> tuple[np.ndarray, dict, np.ndarray, np.ndarray]:
    """The levels of the sections stated without levels that belong to `stage` (None: every stage), from the
    law of each date: the total, per section its levels, version and number in that edition, the rows that
    state one, and the rows whose levels are not verified."""
    n = len(cases)
    total = np.zeros(n, dtype=np.int16)
    parts: dict[str, tuple[np.ndarray, np.ndarray, list[str]]] = {}
    stated = np.zeros(n, dtype=bool)
    unverified_rows = np.zeros(n, dtype=bool)
    sections = sorted({x for s in cases.distinct("named_adjustments") for x in s.split(";") if x})
    for sec in sections:
        has = cases.has_named(sec)
        if (stage is not None and stage_of(law, sec) != stage) or not has.any():
            continue
        dt = law.table(ADJUSTMENT.at(section=sec))
        idx = dt.index_on(on)
        lv = np.where(has, np.array([int(v.data["levels"]) for v in dt.versions])[idx], 0).astype(np.int16)
        parts[sec] = (lv, idx, [str(v.data.get("number") or sec) for v in dt.versions])
        total += lv
        stated |= has
        unverified_rows |= has & np.array([v.status != "verified" for v in dt.versions])[idx]
    return total, parts, stated, unverified_rows


def has_explicit(law: Law, cases: Cases, *stages: str) -> np.ndarray:
    """Rows that state a section with levels at one of `stages`."""
    return cases.per_distinct("explicit_adjustments", lambda v: any(st in stages for st, _, _ in _split(law, v)))


def adjustments_step(law: Law, rule: str, section: str, citation: str, cases: Cases, stage: str, before: np.ndarray,
                     named: dict, after: np.ndarray, role: np.ndarray | None = None,
                     applies: np.ndarray | None = None) -> Step:
    """The step of one stage's adjustments: each section with its levels, from `before` to `after`."""
    seen = {"law": law, "stage": stage, "explicit": cases.explicit_adjustments, "named_sections": cases.named_adjustments,
            "named": named, "before": before, "after": after, "role": role}
    return record(rule, section, citation, adjustments_detail, seen, applies=applies)


def adjustments_detail(v: Seen, i: int) -> str:
    """The stage's sections with their levels, from the level before it to the level after it, e.g. "Base
    offense level 30; 2D1.1(b)(1) +2, 2D1.1(b)(16) +2 (numbered 2D1.1(b)(14) in this edition) → 34."."""
    stage, law = v["stage"], v["law"]
    items = [f"{s.replace('+', ', ')} {lv:+d}" for st, s, lv in _split(law, str(v["explicit"][i]))
             if st == stage or (st == UNKNOWN and stage == CHAPTER_TWO)]
    stated = str(v["named_sections"][i]).split(";")
    for sec, (lv, idx, numbers) in v["named"].items():
        if sec in stated:
            number = numbers[int(idx[i])]
            items.append(f"{sec} {int(lv[i]):+d}" + (" (not in force on this date)" if lv[i] == 0 else
                                                     f" (numbered {number} in this edition)" if number != sec else ""))
    role = v["role"]
    if role is not None and role[i]:
        items.append(f"mitigating role (§3B1.2) −{int(role[i])}")
    start = "Base offense level" if stage == CHAPTER_TWO else "Offense level after Chapter Two"
    return f"{start} {v['before'][i]}; " + ", ".join(items) + f" → {v['after'][i]}."


def unrecognised_note(law: Law, cases: Cases) -> Note:
    """A warning for sections no rule keys on: they count for their levels only."""
    known = recognised_sections(law)
    unknown = cases.per_distinct("adjustment_sections", lambda x: any(
        not _recognised(sec, known) for sec in x.split(";") if sec))
    sections = cases.adjustment_sections
    return note("warning", unknown, lambda i: "Adjustment(s) " + ", ".join(
        sec for sec in str(sections[i]).split(";") if sec and not _recognised(sec, known))
        + " counted for their levels only: no rule in sentcalc keys on them.")
