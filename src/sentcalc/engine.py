"""The engine: a case (or a million) under a regime, as the Guidelines Manual's own order of application.

`PIPELINE` is USSG §1B1.1(a) as a list of stages (sentcalc.stages), each one function of the same
signature: it reads the columns earlier stages produced and adds its own, with the steps that record what it
did and the values it saw. The worksheet is recorded in the order computed. A single case is a table of one
row; every stage is vectorised over the rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from types import MappingProxyType

import numpy as np

from .columns import Cases
from .law import Law
from .regimes import Dates, Regime, resolve
from .stages import (
    Inputs,
    Output,
    acceptance,
    applicable_manual,
    base_offense_level,
    career_offender,
    chapter_three,
    criminal_history,
    findings,
    safety_valve_floor,
    safety_valve_reduction,
    sentencing_table,
    specific_offense_characteristics,
    statutory_limits,
    statutory_range,
    supervised_release,
    zero_point_offender,
)
from .steps import Note, Step

Stage = Callable[[Inputs], Output]

PIPELINE: tuple[Stage, ...] = (
    applicable_manual,                 # §1B1.11: the Manual (and the statute) of the regime
    statutory_range,                   # 21 U.S.C. §841(b)/§844(a), §851, 18 U.S.C. §3553(f)
    base_offense_level,                # §1B1.1(a)(2): §2D1.1(a)(1)-(5) and (c), or §2D2.1
    specific_offense_characteristics,  # §1B1.1(a)(2): §2D1.1(b) found → "the offense level determined above"
    safety_valve_reduction,            # §2D1.1(b)(18): −2 (level 26 or more, 1995-2001)
    chapter_three,                     # §1B1.1(a)(3)-(4): Ch. 3 Pts. A-D (role, obstruction, ...)
    acceptance,                        # §1B1.1(a)(5): Ch. 3 Pt. E, §3E1.1
    safety_valve_floor,                # §5C1.2(b): not less than 17 with a 5-year minimum
    criminal_history,                  # §1B1.1(a)(6): Ch. 4 Pt. A, §4A1.1
    career_offender,                   # Ch. 4 Pt. B, §4B1.1
    zero_point_offender,               # Ch. 4 Pt. C, §4C1.1
    findings,                          # the court's findings (original), carried forward (later regimes)
    sentencing_table,                  # §1B1.1(a)(7): Ch. 5 Pt. A
    statutory_limits,                  # §1B1.1(a)(8): §5G1.1
    supervised_release,                # §1B1.1(a)(8): §5D1.2; 21 U.S.C. §841(b)(1); 18 U.S.C. §3583
)


@dataclass
class Result:
    """Columns computed for every case under one regime, with the steps and notes that explain them."""

    regime: Regime
    dates: Dates
    cols: dict[str, np.ndarray]
    steps: list[Step] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)

    def notes_for(self, i: int, code: str) -> list[str]:
        return [t for n in self.notes if n.code == code and (t := n.render(i)) is not None]


def run(stages: tuple[Stage, ...], inputs: Inputs) -> Result:
    """Run stages in order. A stage sees the columns of the stages before it and may not write one of them."""
    cols: dict[str, np.ndarray] = dict(inputs.cols)
    steps: list[Step] = []
    notes: list[Note] = []
    seen = replace(inputs, cols=MappingProxyType(cols))  # a read-only view that grows stage by stage
    for stage in stages:
        out = stage(seen)
        again = cols.keys() & out.cols.keys()
        if again:
            raise RuntimeError(f"stage {stage.__name__} writes {sorted(again)}, which an earlier stage computed")
        cols.update(out.cols)
        steps += [replace(s, stage=stage.__name__) for s in out.steps]
        notes += out.notes
    return Result(inputs.regime, inputs.dates, cols, steps, notes)


def compute(law: Law, cases: Cases, regime: Regime, dates: Dates | None = None,
            carry_from: Result | None = None, raw: bool = False) -> Result:
    """The statutory range and guideline range of every case under `regime`.

    `dates` may substitute components (retroactivity). Findings are authoritative for the original
    regime; `carry_from` (sentcalc's own numbers for the original, computed `raw`, without findings)
    carries them into another regime.
    """
    dates = dates or regime_dates(law, cases, regime)
    return run(PIPELINE, Inputs(law, cases, dates, regime, raw=raw, carry_from=carry_from))


def regime_dates(law: Law, cases: Cases, regime: Regime) -> Dates:
    """The per-row dates of a regime for these cases."""
    return _original_statute(law, cases, resolve(regime, cases.sentencing_date, cases.guidelines_manual))


def _original_statute(law: Law, cases: Cases, dates: Dates) -> Dates:
    """For the original sentence, a court that sentenced on or after the Fair Sentencing Act but under
    the old thresholds (fsa_applied_at_sentencing: false) is taken at its word."""
    if not dates.regime.is_original or not (cases.fsa_applied_at_sentencing == 0).any():
        return dates
    from .regimes import fair_sentencing_act
    from .registry import CRACK_POSSESSION, THRESHOLDS
    day_before = np.datetime64(fair_sentencing_act(law), "D") - 1
    old = (cases.fsa_applied_at_sentencing == 0) & (dates.statute > day_before)
    when = np.where(old, day_before, dates.statute)
    return Dates(dates.regime, dates.manual, dates.statute,
                 {**dates.components, THRESHOLDS.component: when, CRACK_POSSESSION.component: when})


def compute_many(law: Law, cases: Cases, regimes: list[Regime]) -> list[Result]:
    """Every regime for the same cases; with findings, sentcalc's own original numbers are computed
    first so the findings can be carried forward."""
    has_findings = bool(((cases.findings_total_offense_level >= 0) | (cases.findings_base_offense_level >= 0)).any())
    own = compute(law, cases, Regime("original", None), raw=True) if has_findings else None
    return [compute(law, cases, r, carry_from=own) for r in regimes]
