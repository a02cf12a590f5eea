"""The case file (YAML or JSON), validated by pydantic at the boundary.

Field meanings follow the foundation design: `conviction` is the count of conviction (its statute,
drug and quantity); `drugs` are the relevant-conduct quantities that drive USSG §2D1.1(c); the
court's own numbers, when known, go in `findings` and are authoritative for the original sentence.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from . import reasons
from .errors import CrossFieldError

SUBSECTIONS = ("841(b)(1)(A)", "841(b)(1)(B)", "841(b)(1)(C)", "841(b)(1)(D)", "844(a)")
"""Statutes of conviction, most serious first (a §846 conspiracy or attempt takes its object's)."""

CATEGORIES = ("I", "II", "III", "IV", "V", "VI")
MAX_GRAMS = 1e10
"""Largest quantity accepted (10,000 tonnes): anything larger is a typing error, not a case."""

Grams = Annotated[float, Field(ge=0, le=MAX_GRAMS, allow_inf_nan=False)]
Section = Annotated[str, Field(pattern=r"^[1-8][A-Z]\d\.\d{1,2}(\([a-z0-9]{1,4}\))*$", max_length=40)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _plain(cls, v: object, info: ValidationInfo) -> object:
        return reasons.plain(v, cls.model_fields[info.field_name].annotation)


def _raise(problems: list[tuple[str, object, str]]) -> None:
    """Every cross-field problem of a model at once (the first names the field to fix)."""
    if problems:
        raise CrossFieldError(*problems[0], also=problems[1:])


class Conviction(_Model):
    statute: Literal[SUBSECTIONS] = Field(  # type: ignore[valid-type]
        title="Statute of conviction", description="the subsection of conviction (a §846 conspiracy or attempt takes "
        "its object's subsection)")
    drug: str = Field(max_length=60, title="Drug of conviction", description="the drug of the count of conviction")
    grams: Grams | None = Field(None, title="Grams of conviction", description="the quantity of conviction (charged and "
                                "admitted, or found by the jury); absent: the threshold of the subsection of conviction "
                                "on the sentencing date, listed in assumptions")
    count: Grams | None = Field(None, title="Count of conviction",
                                description="the quantity of conviction for a counted substance (plants)")
    prior_convictions: Literal[0, 1, 2] = Field(0, title="§851 prior convictions",
                                                description="21 U.S.C. §851 informations (2 = two or more)")
    priors_qualify_after_2018: bool | None = Field(
        None, title="Priors are serious drug felonies",
        description="whether the priors are 'serious drug felonies' (First Step Act §401); absent: assumed")
    death_or_injury: bool = Field(False, title="Death or serious bodily injury",
                                  description="death or serious bodily injury resulted from the use of the drug")

    @model_validator(mode="after")
    def _one_quantity(self) -> Conviction:
        if self.grams is not None and self.count is not None:
            raise CrossFieldError("count", self.count, reasons.BOTH_QUANTITIES)
        return self

    @property
    def quantity(self) -> float | None:
        """Grams, or the count of a counted substance; None when not given."""
        return self.grams if self.grams is not None else self.count


class DrugAmount(_Model):
    drug: str = Field(max_length=60, description="a substance of the relevant conduct")
    grams: Grams | None = Field(None, description="the quantity in grams (of the mixture, or of the pure substance for "
                                "an '_actual' drug)")
    count: Grams | None = Field(None, description="for a counted substance: the number of plants, or of units "
                                "(pills, capsules, tablets) of a Schedule III-V substance")

    @model_validator(mode="after")
    def _one_quantity(self) -> DrugAmount:
        if (self.grams is None) == (self.count is None):
            raise CrossFieldError("grams", self.grams, "give grams, or count for a counted substance (plants, Schedule "
                                  "III-V units), exactly one")
        return self

    @property
    def quantity(self) -> float:
        return float(self.grams if self.grams is not None else self.count)  # type: ignore[arg-type]


class Adjustment(_Model):
    section: Section = Field(description="as written in the Manual, e.g. 2D1.1(b)(1), 3B1.1(c), 3C1.1")
    levels: int | None = Field(None, ge=-12, le=12, description="as found; absent: the levels the law gives "
                               "that section on each date (guidelines/adjustments.yaml)")


class CriminalHistory(_Model):
    points: int | None = Field(None, ge=0, le=99, description="total criminal history points found at sentencing")
    status_points: int = Field(0, ge=0, le=2, description="how many of the points were status points")
    recency_points: int = Field(0, ge=0, le=2, description="how many of the points were recency points")
    category: Literal[CATEGORIES] | None = Field(  # type: ignore[valid-type]
        None, description="the criminal history category (I to VI) when the points are not known; must agree with the "
        "points unless career_offender")

    @model_validator(mode="after")
    def _consistent(self) -> CriminalHistory:
        problems: list[tuple[str, object, str]] = []
        if self.points is None and self.category is None:
            problems.append(("points", None, reasons.POINTS_OR_CATEGORY))
        if self.points is not None and self.status_points + self.recency_points > self.points:
            problems.append(("status_points", self.status_points,
                             reasons.status_exceeds(self.status_points, self.recency_points, self.points)))
        if self.points is None and self.category is not None and (self.status_points or self.recency_points):
            problems.append(("status_points", self.status_points, reasons.STATUS_NEED_POINTS))
        _raise(problems)
        return self


Months = int | Literal["life"]


class GuidelineRange(_Model):
    min_months: Months = Field(title="Guideline minimum", description="months, or life")
    max_months: Months = Field(title="Guideline maximum", description="months, or life")


class Findings(_Model):
    """What the court found: authoritative for the original sentence."""

    base_offense_level: int | None = Field(None, ge=1, le=43, description="the base offense level the court found")
    total_offense_level: int | None = Field(None, ge=1, le=43, description="the total offense level the court found")
    guideline_range: GuidelineRange | None = Field(None, description="the guideline range the court found")


CAPTION = ("defendant", "court", "docket")
"""Optional caption fields: used by the documents and the web page, carried into batch outputs when given."""

DEPARTURES = ("none", "5K1.1", "3553(e)", "other")
AVENUES = ("amendment-706", "amendment-750", "amendment-782", "amendment-821", "first-step-act-404")


Day = date
"""`date` by another name, for a field called `date`."""


class Reduction(_Model):
    """An earlier reduction of the sentence (drives `already_applied`)."""

    avenue: Literal[AVENUES] = Field(description="the avenue of the earlier reduction")  # type: ignore[valid-type]
    date: Day = Field(description="the date of the order")
    months: float = Field(ge=0, le=10_000, description="the term after the reduction")


RISK_LEVELS = ("minimum", "low", "medium", "high")
"""PATTERN risk levels (18 U.S.C. §3632(a)), lowest first."""


HISTORY_ITEM = re.compile(r"^(\d{4}-\d{2}-\d{2}):(" + "|".join(RISK_LEVELS) + r")$")


def risk_history(text: str) -> list[tuple[date, str]]:
    """PATTERN assessments written "2024-04-15:medium; 2024-10-15:low", in date order; ValueError names a bad one."""
    out = []
    for item in (x.strip() for x in text.split(";")):
        if not item:
            continue
        m = HISTORY_ITEM.match(item)
        try:
            day = date.fromisoformat(m.group(1)) if m else None
        except ValueError:
            day = None
        if day is None:
            raise ValueError(f"'{item}' is not a dated PATTERN level: write YYYY-MM-DD:level (levels "
                             + ", ".join(RISK_LEVELS) + "), separated by ';'")
        out.append((day, m.group(2)))
    return sorted(out)


class TimeCredits(_Model):
    """What is known about First Step Act time credits (18 U.S.C. §3632(d)(4)); every field optional,
    each missing one replaced by a default the projection lists in its assumptions."""

    risk_level: Literal[RISK_LEVELS] | None = Field(  # type: ignore[valid-type]
        None, title="Latest PATTERN risk level", description="the latest PATTERN risk level")
    risk_history: str | None = Field(
        None, max_length=2000, title="PATTERN assessments",
        description="earlier assessments as far as known, dated: 2024-04-15:medium; 2024-10-15:low")
    programming_start: date | None = Field(None, title="Programming began", description="the date programming began")
    earned_days: int | None = Field(None, ge=0, le=20_000, title="Credits earned (BOP)",
                                    description="credits earned, the BOP's figure")
    earned_as_of: date | None = Field(None, title="Credits counted on", description="the date of the BOP's figure")
    removal_order: bool | None = Field(
        None, title="Final order of removal",
        description="a final order of removal: credits are earned but cannot be applied (§3632(d)(4)(E))")
    organizer_finding: bool | None = Field(
        None, title="Organizer or leader finding",
        description="the court found an organizer, leader, manager or supervisor; absent: a §3B1.1 adjustment")
    consecutive_924c: bool | None = Field(
        None, title="Consecutive term under §924(c)",
        description="the consecutive term is for 18 U.S.C. §924(c); absent: assumed when there is one")

    @field_validator("risk_history")
    @classmethod
    def _in_date_order(cls, v: str | None) -> str | None:
        """Checked and written in date order, as the flat column holds it."""
        return None if v is None else ";".join(f"{d.isoformat()}:{lv}" for d, lv in risk_history(v)) or None

    @model_validator(mode="after")
    def _earned_with_date(self) -> TimeCredits:
        if (self.earned_days is None) != (self.earned_as_of is None):
            raise ValueError("give earned_days and earned_as_of together (the BOP's figure and its date)")
        return self

    @model_validator(mode="after")
    def _not_future(self, info: ValidationInfo) -> TimeCredits:
        today = (info.context or {}).get("today")
        dates = [("earned_as_of", self.earned_as_of), ("programming_start", self.programming_start)]
        dates += [("risk_history", d) for d, _ in risk_history(self.risk_history or "")]
        for name, d in dates:
            if today is not None and d is not None and d > today:
                raise ValueError(f"{name} {d.isoformat()} is after today ({today.isoformat()})")
        return self


class Case(_Model):
    """One defendant's federal drug case, as found at the original sentencing."""

    id: str = Field(min_length=1, max_length=200, title="Case id", description="a case identifier (unique in a list)")
    defendant: str | None = Field(None, max_length=200, description="the defendant's name, for the caption (optional)")
    court: str | None = Field(None, max_length=200, description="the court, e.g. 'United States District Court for the "
                              "District of Maryland' (optional, for the caption)")
    docket: str | None = Field(None, max_length=100, description="the docket number (optional, for the caption)")
    offense_date: date = Field(description="the date of the offense")
    sentencing_date: date = Field(description="the date of the original sentencing")
    conviction: Conviction = Field(description="the count of conviction: its statute, drug and quantity")
    drugs: list[DrugAmount] = Field(min_length=1, max_length=50, title="Drugs and quantities",
                                    description="the relevant-conduct quantities that drive USSG §2D1.1(c)")
    adjustments: list[Adjustment] = Field(default_factory=list, max_length=50, title="Adjustments",
                                          description="Chapter Two and Three adjustments as found, by section")
    mitigating_role: Literal[0, 2, 3, 4] = Field(0, description="§3B1.2 levels")
    acceptance: Literal[0, 2, 3] = Field(0, description="§3E1.1 levels granted (3: the government moved)")
    criminal_history: CriminalHistory = Field(description="as found at sentencing: the points, or the category")
    career_offender: bool = Field(False, description="the court found the defendant a career offender (§4B1.1)")
    safety_valve: bool = Field(False, description="the court found the 18 U.S.C. §3553(f) criteria met")
    substantial_assistance: bool = Field(False, description="the government moved for a sentence below the range for "
                                         "substantial assistance (§5K1.1 or 18 U.S.C. §3553(e))")
    zero_point_offender: bool | None = Field(None, title="Zero-point offender",
                                             description="§4C1.1; absent: decided from the case and assumed")
    guidelines_manual: date | None = Field(None, title="Guidelines Manual used",
                                           description="the Manual used, when not the one in force (§1B1.11)")
    sentence_months: float | Literal["life"] | None = Field(
        None, title="Sentence (months)", description="the term of imprisonment now in force, in months (or life)")
    custody_start: date | None = Field(
        None, title="Sentence commenced", description="the date the sentence commenced (18 U.S.C. §3585(a)); earlier "
        "custody is prior_custody_days")
    supervised_release_months: float | Literal["life"] | None = Field(
        None, title="Supervised release imposed (months)",
        description="the term of supervised release imposed (0 = none); absent: assumed imposed")
    findings: Findings | None = Field(None, title="The court's findings",
                                      description="authoritative for the original sentence")
    # Retroactivity (optional): what a §3582(c)(2) or First Step Act §404 analysis needs.
    departure: Literal[DEPARTURES] | None = Field(  # type: ignore[valid-type]
        None, description="none, 5K1.1, 3553(e) or other; refines substantial_assistance (they must agree)")
    reductions: list[Reduction] = Field(default_factory=list, max_length=20, title="Earlier reductions",
                                        description="earlier reductions of the sentence")
    consecutive_months: float = Field(0, ge=0, le=10_000, description="a consecutive term, e.g. 18 U.S.C. §924(c)")
    prior_custody_days: int = Field(0, ge=0, le=20_000, description="credit for custody before the sentence")
    previous_404_denied: bool = Field(False, title="Previous §404 motion denied",
                                      description="an earlier First Step Act §404 motion was denied on the merits")
    fsa_applied_at_sentencing: bool | None = Field(
        None, title="FSA applied at sentencing",
        description="whether the Fair Sentencing Act was applied; absent: by date (on or after 2010-08-03)")
    plea_agreement_11c1c: bool = Field(False, title="Rule 11(c)(1)(C) plea agreement",
                                       description="the sentence was imposed under a Fed. R. Crim. P. 11(c)(1)(C) "
                                       "agreement")
    bop_projected_release_date: date | None = Field(None, title="BOP projected release date",
                                                    description="the Bureau of Prisons' projection, compared with "
                                                    "sentcalc's")
    time_credits: TimeCredits | None = Field(None, title="First Step Act time credits",
                                             description="what is known about time credits (all optional)")

    @field_validator("id", "defendant", "court", "docket")
    @classmethod
    def _printable(cls, v: str | None) -> str | None:
        """Printed in the terminal, the memo and the Word document: no control characters."""
        if v is not None and any(unicodedata.category(ch) == "Cc" for ch in v):
            raise ValueError(reasons.CONTROL)
        return v

    @field_validator("sentence_months", "supervised_release_months")
    @classmethod
    def _sentence_range(cls, v: float | str | None) -> float | str | None:
        if isinstance(v, float | int) and not 0 <= v <= 10_000:
            raise ValueError(reasons.SENTENCE_RANGE)
        return v

    @field_validator("offense_date")
    @classmethod
    def _not_future(cls, v: date, info: ValidationInfo) -> date:
        today = (info.context or {}).get("today")
        if today is not None and v > today:
            raise ValueError(reasons.after_today("offense_date", today))
        return v

    # Checks across fields are field validators reading the fields declared before (info.data holds those that
    # are valid), so they run, and are reported, even when another field of the case is wrong.
    @field_validator("sentencing_date")
    @classmethod
    def _after_offense(cls, v: date, info: ValidationInfo) -> date:
        offense = info.data.get("offense_date")
        if offense is not None and v < offense:
            raise ValueError(reasons.sentencing_before_offense(v, offense))
        return v

    @field_validator("custody_start")
    @classmethod
    def _custody(cls, v: date | None, info: ValidationInfo) -> date | None:
        today, offense = (info.context or {}).get("today"), info.data.get("offense_date")
        if v is not None and today is not None and v > today:
            raise ValueError(reasons.after_today("custody_start", today))
        if v is not None and offense is not None and v < offense:
            raise ValueError(reasons.custody_before_offense(offense))
        return v

    @field_validator("departure")
    @classmethod
    def _departure_agrees(cls, v: str | None, info: ValidationInfo) -> str | None:
        assisted = info.data.get("substantial_assistance")
        if v in ("5K1.1", "3553(e)") and assisted is False:
            raise ValueError(reasons.departure_needs_assistance(v))
        if assisted and v in ("none", "other"):
            raise ValueError(reasons.assistance_needs_departure(v))
        return v
