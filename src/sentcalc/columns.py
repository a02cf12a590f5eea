"""Cases as columns: one numpy array per field, one row per case. A single case is a table of one
row; the engine only ever sees columns. Names match the flat (CSV) column names of the case file."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date

import numpy as np

from .case import CATEGORIES, DEPARTURES, RISK_LEVELS, SUBSECTIONS, Case

NAT = np.datetime64("NaT", "D")


@dataclass
class Cases:
    """Column arrays; unknown values are NaN / NaT / -1 as noted."""

    id: np.ndarray                      # object (str)
    offense_date: np.ndarray            # datetime64[D]
    sentencing_date: np.ndarray         # datetime64[D]
    statute: np.ndarray                 # int8 index into SUBSECTIONS
    conviction_drug: np.ndarray         # int8 index into drugs
    conviction_grams: np.ndarray        # float64, NaN = not given
    prior_convictions: np.ndarray       # int8 0/1/2
    priors_qualify_after_2018: np.ndarray  # int8 1/0, -1 = not given
    death_or_injury: np.ndarray         # bool
    grams: np.ndarray                   # float64 [n, len(drugs)] relevant-conduct quantities
    adjustment_sections: np.ndarray     # object (str, ";"-joined, "" = none)
    adjustment_levels: np.ndarray       # int16 sum of the adjustments found with their levels
    named_adjustments: np.ndarray       # object (str, ";"-joined sections whose levels come from the law)
    explicit_adjustments: np.ndarray    # object (str, ";"-joined "section=levels"; "s1+s2=levels" when only the
    #                                     levels of several sections together are known, as in a flat row)
    mitigating_role: np.ndarray         # int8
    acceptance: np.ndarray              # int8
    criminal_history_points: np.ndarray  # int16, -1 = not given
    status_points: np.ndarray           # int8
    recency_points: np.ndarray          # int8
    criminal_history_category: np.ndarray  # int8 1..6, 0 = not given
    career_offender: np.ndarray         # bool
    safety_valve: np.ndarray            # bool
    substantial_assistance: np.ndarray  # bool
    zero_point_offender: np.ndarray     # int8 1/0, -1 = not given
    guidelines_manual: np.ndarray       # datetime64[D], NaT = the Manual in force
    sentence_months: np.ndarray         # float64, NaN = not given
    custody_start: np.ndarray           # datetime64[D]
    findings_base_offense_level: np.ndarray   # int16, -1
    findings_total_offense_level: np.ndarray  # int16, -1
    findings_guideline_min_months: np.ndarray  # float64, NaN (life = LIFE)
    findings_guideline_max_months: np.ndarray  # float64, NaN
    departure: np.ndarray               # int8 index into DEPARTURES (0 none)
    reduction_avenues: np.ndarray       # object (str, ";"-joined avenue ids already applied)
    consecutive_months: np.ndarray      # float64
    prior_custody_days: np.ndarray      # float64
    previous_404_denied: np.ndarray     # bool
    fsa_applied_at_sentencing: np.ndarray  # int8 1/0, -1 = by date
    plea_agreement_11c1c: np.ndarray    # bool
    bop_projected_release_date: np.ndarray  # datetime64[D]
    supervised_release_months: np.ndarray  # float64, NaN = not given (life = LIFE)
    pattern_risk_level: np.ndarray      # int8 index into RISK_LEVELS, -1 = not given
    pattern_history: np.ndarray         # object (str, "YYYY-MM-DD:level;...", "" = none)
    programming_start: np.ndarray       # datetime64[D]
    ftc_earned_days: np.ndarray         # float64, NaN = not given
    ftc_earned_as_of: np.ndarray        # datetime64[D]
    removal_order: np.ndarray           # int8 1/0, -1 = not given
    organizer_finding: np.ndarray       # int8 1/0, -1 = not given
    consecutive_924c: np.ndarray        # int8 1/0, -1 = not given
    drugs: tuple[str, ...] = ()
    _distinct: dict = field(default_factory=dict, repr=False, compare=False)

    def __len__(self) -> int:
        return len(self.id)

    def take(self, idx: np.ndarray) -> Cases:
        """The rows at `idx` (a boolean mask or indices)."""
        kw = {f.name: getattr(self, f.name)[idx] for f in fields(self) if f.name not in ("drugs", "_distinct")}
        return Cases(**kw, drugs=self.drugs)

    def has_section(self, section: str) -> np.ndarray:
        """Rows whose adjustments include `section` or one of its subdivisions (3B1.1 matches 3B1.1(c))."""
        return self.per_distinct("adjustment_sections", lambda s: any(
            x == section or x.startswith(section + "(") for x in s.split(";")))

    def has_named(self, section: str) -> np.ndarray:
        """Rows that state `section` without levels."""
        return self.per_distinct("named_adjustments", lambda s: section in s.split(";"))

    def has_reduction(self, avenue: str) -> np.ndarray:
        """Rows whose earlier reductions include `avenue`."""
        return self.per_distinct("reduction_avenues", lambda s: avenue in s.split(";"))

    def distinct(self, column: str) -> list[str]:
        """The distinct values of a string column (found once per column)."""
        if column not in self._distinct:
            values = getattr(self, column)
            uniq, inverse = np.unique(values.astype(str), return_inverse=True) if len(values) else ([], np.zeros(0, int))
            self._distinct[column] = (list(uniq), inverse.reshape(-1))
        return self._distinct[column][0]

    def per_distinct(self, column: str, f) -> np.ndarray:
        """f applied once per distinct value of a string column (few in practice), mapped to every row."""
        uniq = self.distinct(column)
        inverse = self._distinct[column][1]
        return np.array([bool(f(str(u))) for u in uniq], dtype=bool)[inverse] if len(inverse) else np.zeros(0, bool)


def _d(v: date | None) -> np.datetime64:
    return NAT if v is None else np.datetime64(v, "D")


def _tri(v: bool | None) -> int:
    return -1 if v is None else int(v)


def _lvl(v: object) -> float:
    from .law import LIFE
    return float(LIFE) if v == "life" else float(v)  # type: ignore[arg-type]


def from_models(cases: list[Case], drugs: tuple[str, ...]) -> Cases:
    """Columns from validated case models (the single-case path; batch builds columns directly)."""
    n = len(cases)
    grams = np.zeros((n, len(drugs)))
    for i, c in enumerate(cases):
        for d in c.drugs:
            grams[i, drugs.index(d.drug)] += d.quantity
    f = [c.findings for c in cases]
    tc = [c.time_credits for c in cases]
    gr = [x.guideline_range if x else None for x in f]
    return Cases(
        id=np.array([c.id for c in cases], dtype=object),
        offense_date=np.array([_d(c.offense_date) for c in cases], dtype="datetime64[D]"),
        sentencing_date=np.array([_d(c.sentencing_date) for c in cases], dtype="datetime64[D]"),
        statute=np.array([SUBSECTIONS.index(c.conviction.statute) for c in cases], dtype=np.int8),
        conviction_drug=np.array([drugs.index(c.conviction.drug) for c in cases], dtype=np.int8),
        conviction_grams=np.array([np.nan if c.conviction.quantity is None else c.conviction.quantity for c in cases]),
        prior_convictions=np.array([c.conviction.prior_convictions for c in cases], dtype=np.int8),
        priors_qualify_after_2018=np.array(
            [-1 if c.conviction.priors_qualify_after_2018 is None else int(c.conviction.priors_qualify_after_2018)
             for c in cases], dtype=np.int8),
        death_or_injury=np.array([c.conviction.death_or_injury for c in cases], dtype=bool),
        grams=grams,
        adjustment_sections=np.array([";".join(a.section for a in c.adjustments) for c in cases], dtype=object),
        adjustment_levels=np.array([sum(a.levels or 0 for a in c.adjustments) for c in cases], dtype=np.int16),
        named_adjustments=np.array([";".join(a.section for a in c.adjustments if a.levels is None) for c in cases],
                                   dtype=object),
        explicit_adjustments=np.array([";".join(f"{a.section}={a.levels}" for a in c.adjustments if a.levels is not None)
                                       for c in cases], dtype=object),
        mitigating_role=np.array([c.mitigating_role for c in cases], dtype=np.int8),
        acceptance=np.array([c.acceptance for c in cases], dtype=np.int8),
        criminal_history_points=np.array(
            [-1 if c.criminal_history.points is None else c.criminal_history.points for c in cases], dtype=np.int16),
        status_points=np.array([c.criminal_history.status_points for c in cases], dtype=np.int8),
        recency_points=np.array([c.criminal_history.recency_points for c in cases], dtype=np.int8),
        criminal_history_category=np.array(
            [0 if c.criminal_history.category is None else CATEGORIES.index(c.criminal_history.category) + 1
             for c in cases], dtype=np.int8),
        career_offender=np.array([c.career_offender for c in cases], dtype=bool),
        safety_valve=np.array([c.safety_valve for c in cases], dtype=bool),
        substantial_assistance=np.array([c.substantial_assistance for c in cases], dtype=bool),
        zero_point_offender=np.array(
            [-1 if c.zero_point_offender is None else int(c.zero_point_offender) for c in cases], dtype=np.int8),
        guidelines_manual=np.array([_d(c.guidelines_manual) for c in cases], dtype="datetime64[D]"),
        sentence_months=np.array([np.nan if c.sentence_months is None else _lvl(c.sentence_months) for c in cases]),
        custody_start=np.array([_d(c.custody_start) for c in cases], dtype="datetime64[D]"),
        findings_base_offense_level=np.array(
            [-1 if x is None or x.base_offense_level is None else x.base_offense_level for x in f], dtype=np.int16),
        findings_total_offense_level=np.array(
            [-1 if x is None or x.total_offense_level is None else x.total_offense_level for x in f], dtype=np.int16),
        findings_guideline_min_months=np.array([np.nan if g is None else _lvl(g.min_months) for g in gr]),
        findings_guideline_max_months=np.array([np.nan if g is None else _lvl(g.max_months) for g in gr]),
        departure=np.array([DEPARTURES.index(c.departure or ("5K1.1" if c.substantial_assistance else "none"))
                            for c in cases], dtype=np.int8),
        reduction_avenues=np.array([";".join(r.avenue for r in c.reductions) for c in cases], dtype=object),
        consecutive_months=np.array([float(c.consecutive_months) for c in cases]),
        prior_custody_days=np.array([float(c.prior_custody_days) for c in cases]),
        previous_404_denied=np.array([c.previous_404_denied for c in cases], dtype=bool),
        fsa_applied_at_sentencing=np.array(
            [-1 if c.fsa_applied_at_sentencing is None else int(c.fsa_applied_at_sentencing) for c in cases], dtype=np.int8),
        plea_agreement_11c1c=np.array([c.plea_agreement_11c1c for c in cases], dtype=bool),
        bop_projected_release_date=np.array([_d(c.bop_projected_release_date) for c in cases], dtype="datetime64[D]"),
        supervised_release_months=np.array(
            [np.nan if c.supervised_release_months is None else _lvl(c.supervised_release_months) for c in cases]),
        pattern_risk_level=np.array([-1 if t is None or t.risk_level is None else RISK_LEVELS.index(t.risk_level)
                                     for t in tc], dtype=np.int8),
        pattern_history=np.array([(t.risk_history or "") if t else "" for t in tc], dtype=object),
        programming_start=np.array([_d(t.programming_start if t else None) for t in tc], dtype="datetime64[D]"),
        ftc_earned_days=np.array([np.nan if t is None or t.earned_days is None else float(t.earned_days) for t in tc]),
        ftc_earned_as_of=np.array([_d(t.earned_as_of if t else None) for t in tc], dtype="datetime64[D]"),
        removal_order=np.array([_tri(t.removal_order if t else None) for t in tc], dtype=np.int8),
        organizer_finding=np.array([_tri(t.organizer_finding if t else None) for t in tc], dtype=np.int8),
        consecutive_924c=np.array([_tri(t.consecutive_924c if t else None) for t in tc], dtype=np.int8),
        drugs=drugs,
    )
