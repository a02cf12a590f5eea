"""The names the code and the data share, declared once.

Every dated table in guidelines/ is a `Table` here: its file, the keys leading to its list of versions, the
fields each version has (with their types), and the law component whose date picks its version. The engine
reads the law through these declarations (`Law.table`), `Dates.on` accepts only the components declared
here, `sentcalc verify` checks every file against them (an unknown key, a missing key or a wrong type is an
error naming the file, the version and the key), and a scenario's `substitutes` and `overlay` are checked
against them too. A family of tables (one per drug, one per adjustment section) is declared once with
`{drug}` or `{section}` in its name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from types import MappingProxyType
from typing import Any

STATUSES = ("verified", "unverified", "derived")

# Field kinds: the Python types a YAML value may load as.
INT = (int,)
NUMBER = (int, float)
STR = (str,)
BOOL = (bool,)
MAP = (dict,)
LIST = (list,)
DATE = (date, str)
NONE = (type(None),)


def maybe(kind: tuple) -> tuple:
    """A field that may be null."""
    return kind + NONE


@dataclass(frozen=True)
class Table:
    """A dated table: `file` under guidelines/, `keys` to its versions list, the `fields` of a version
    (required) and `optional` ones, and the component whose date selects the version (None: the table is
    read on another date, e.g. the order date of a retroactivity motion)."""

    name: str
    file: str
    keys: tuple[str, ...]
    component: str | None
    fields: Mapping[str, tuple] = field(default_factory=dict)
    optional: Mapping[str, tuple] = field(default_factory=dict)

    def at(self, **names: str) -> Table:
        """This table for one member of its family (`drug=...`, `section=...`)."""
        key = (self.name, *sorted(names.items()))
        found = _MEMBERS.get(key)
        if found is None:
            found = _MEMBERS[key] = Table(
                self.name.format(**names), self.file.format(**names), tuple(k.format(**names) for k in self.keys),
                None if self.component is None else self.component.format(**names), self.fields, self.optional)
        return found

    @property
    def family(self) -> str | None:
        """`drug` or `section` for a family of tables, else None."""
        text = self.file + "/".join(self.keys)
        return next((f for f in ("drug", "section") if "{" + f + "}" in text), None)


_MEMBERS: dict[tuple, Table] = {}

# Fields every version has, and those it may have.
COMMON = MappingProxyType({"effective": DATE, "status": STR, "reference": MAP})
COMMON_OPTIONAL = MappingProxyType({"note": STR, "unverified": LIST})
REFERENCE = ("title", "href")


def _t(name: str, file: str, keys: tuple[str, ...], component: str | None, fields: dict, optional: dict | None = None
       ) -> Table:
    return Table(name, file, keys, component, MappingProxyType(fields), MappingProxyType(optional or {}))


STATUTE_841 = "statutes/21-usc-841.yaml"
STATUTE_844 = "statutes/21-usc-844.yaml"
EQUIVALENCY = "drug-equivalency.yaml"
TERM = LIST  # [min, max] months (or "life")

THRESHOLDS = _t("statute thresholds of {drug}", STATUTE_841, ("thresholds", "{drug}"), "statute.thresholds",
                {}, {"A": maybe(NUMBER), "B": maybe(NUMBER), "C": maybe(NUMBER)})
PENALTIES_841 = _t("§841(b)(1) penalties", STATUTE_841, ("penalties",), "statute.penalties",
                   {"A": MAP, "B": MAP, "C": MAP, "D": MAP})
PREDICATE = _t("§851 predicate", STATUTE_841, ("predicate",), "statute.penalties", {"serious_felony_required_for": LIST})
PENALTIES_844 = _t("§844(a) penalties", STATUTE_844, ("penalties",), "statute.penalties",
                   {"priors_0": TERM, "priors_1": TERM, "priors_2": TERM})
CRACK_POSSESSION = _t("§844(a) cocaine base minimum", STATUTE_844, ("cocaine_base_minimum",), "statute.possession",
                      {"exceeds_grams": maybe(MAP)}, {"term": TERM})
SAFETY_VALVE_STATUTE = _t("18 U.S.C. §3553(f)", "safety-valve.yaml", ("statute",), "statute.safety-valve",
                          {"available": BOOL, "max_points": maybe(INT)})
DRUG_QUANTITY = _t("Drug Quantity Table line of {drug}", "drug-quantity/{drug}.yaml", ("versions",),
                   "drug-quantity:{drug}", {},
                   {"version_id": STR, "levels": MAP, "same_as": STR, "converted": BOOL, "counts_as": STR,
                    "grams_per_unit": MAP, "top_level": INT})
RATIOS = _t("equivalency of {drug}", EQUIVALENCY, ("ratios", "{drug}"), "drug-equivalency:{drug}",
            {}, {"grams": maybe(NUMBER), "same_as": STR})
CRACK_VARIABLE = _t("Amendment 711 variable crack table", EQUIVALENCY, ("crack_variable",),
                    "drug-equivalency:cocaine_base", {"grams_by_level": maybe(MAP)})
CRACK_COMBINATION = _t("Amendment 715 combination rule", EQUIVALENCY, ("crack_combination_reduction",),
                       "drug-equivalency:cocaine_base", {"levels": INT},
                       {"not_at_or_above_grams": maybe(NUMBER), "not_below_grams": maybe(NUMBER)})
CAPS = _t("Schedule III-V caps", EQUIVALENCY, ("caps",), "drug-equivalency:caps", {"limits": LIST})
MINIMUM_LEVEL = _t("minimum level for a combination", EQUIVALENCY, ("minimum_level",), "drug-equivalency:minimum_level",
                   {"level": maybe(INT), "applies_to": LIST})
MITIGATING_ROLE_CAP = _t("§2D1.1(a)(5) mitigating-role cap", "mitigating-role-cap.yaml", ("versions",),
                         "mitigating-role-cap", {"decrease": MAP, "cap": maybe(INT), "minimal_participant_cap": maybe(INT)})
DEATH_OR_INJURY = _t("§2D1.1(a)(1)-(2) death or injury", "offense-level.yaml", ("death_or_injury",), "offense-level",
                     {"with_prior": INT, "without_prior": INT})
BOUNDS = _t("offense level bounds", "offense-level.yaml", ("bounds",), "offense-level", {"minimum": INT, "maximum": INT})
POSSESSION = _t("§2D2.1 possession", "offense-level.yaml", ("possession",), "possession",
                {"levels": MAP, "default_level": INT}, {"cross_reference": MAP})
ADJUSTMENT = _t("adjustment {section}", "adjustments.yaml", ("sections", "{section}"), "adjustments",
                {"levels": INT}, {"number": STR, "requires": STR})
SAFETY_VALVE_REDUCTION = _t("§2D1.1(b) safety-valve reduction", "safety-valve.yaml", ("reduction",), "safety-valve",
                            {"levels": INT, "minimum_offense_level": maybe(INT)})
SAFETY_VALVE_NUMBER = _t("safety-valve subdivision number", "safety-valve.yaml", ("reduction_number",), "safety-valve",
                         {"number": maybe(STR)})
SAFETY_VALVE_FLOOR = _t("§5C1.2(b) floor", "safety-valve.yaml", ("floor",), "safety-valve",
                        {"offense_level": maybe(INT), "when_minimum_at_least_months": maybe(INT)})
ACCEPTANCE = _t("§3E1.1 acceptance", "acceptance.yaml", ("versions",), "acceptance",
                {"levels": INT, "additional_level": maybe(MAP)})
CATEGORIES = _t("criminal history categories", "criminal-history.yaml", ("categories",), "criminal-history",
                {"minimum_points": MAP})
STATUS_POINTS = _t("§4A1.1 status points", "criminal-history.yaml", ("status_points",), "criminal-history.status",
                   {"points": INT, "minimum_other_points": INT})
RECENCY_POINTS = _t("§4A1.1 recency points", "criminal-history.yaml", ("recency_points",), "criminal-history.recency",
                    {"points": INT, "points_with_status": INT})
ZERO_POINT = _t("§4C1.1 zero-point offender", "criminal-history.yaml", ("zero_point_offender",), "zero-point",
                {"levels": INT, "disqualifying_sections": LIST})
CAREER_OFFENDER = _t("§4B1.1(b) career offender", "career-offender.yaml", ("versions",), "career-offender",
                     {"category": STR, "levels": LIST})
SENTENCING_TABLE = _t("Sentencing Table", "sentencing-table.yaml", ("versions",), "sentencing-table",
                      {"table": MAP}, {"unverified_cells": LIST})
AMENDMENTS = _t("§1B1.10(d) amendments", "retroactivity.yaml", ("amendments",), None,
                {"id": STR, "name": STR, "earliest_order": DATE, "substitutes": MAP}, {"later_substitutes": MAP})
POLICY_STATEMENT = _t("§1B1.10 policy statement", "retroactivity.yaml", ("policy_statement",), None,
                      {"comparable_reduction_for": LIST, "comparable_from": STR, "ignore_5g1_1_with_3553e": BOOL},
                      {"displaced_range_not_based_on_guidelines": BOOL})
SECTION_404 = _t("First Step Act §404", "retroactivity.yaml", ("first_step_act_404",), None,
                 {"id": STR, "name": STR, "earliest_order": DATE, "covered_drugs": LIST, "covered_statutes": LIST,
                  "offense_before": DATE, "substitutes": MAP})
SUPERVISED_RELEASE_MINIMUM = _t("§841(b)(1) supervised-release minimum", "supervised-release.yaml",
                                ("statutory_minimum",), "statute.penalties", {"A": MAP, "B": MAP, "C": MAP, "D": MAP})
SUPERVISED_RELEASE_MAXIMUM = _t("18 U.S.C. §3583(b) supervised-release maximum", "supervised-release.yaml",
                                ("statutory_maximum",), "statute.penalties",
                                {"841": STR, "844": STR, "classes": LIST, "section_3583b": MAP})
SUPERVISED_RELEASE_GUIDELINE = _t("§5D1.2 supervised-release term", "supervised-release.yaml", ("guideline",),
                                  "supervised-release", {"ranges": MAP, "raise_to_minimum": BOOL})
GOOD_CONDUCT_TIME = _t("18 U.S.C. §3624(b) good-conduct time", "release/good-conduct-time.yaml", ("versions",), None,
                       {"method": STR, "days_per_year": INT, "year_days": INT, "minimum_term_months_exclusive": INT},
                       {"daily_rate_per_mille": INT})
WEEKDAY_RULE = _t("18 U.S.C. §3624(a) weekday rule", "release/good-conduct-time.yaml", ("weekday_rule",), None,
                  {"holidays": LIST}, {"holiday_reference": STR})
TIME_CREDITS = _t("18 U.S.C. §3632(d)(4) time credits", "release/time-credits.yaml", ("versions",), None,
                  {"base_days": INT, "bonus_days": INT, "period_days": INT, "low_risk_levels": LIST,
                   "supervised_release_max_days": INT, "earn_from": DATE, "applied_from": DATE})
TIME_CREDIT_EXCLUSIONS = _t("18 U.S.C. §3632(d)(4)(D) exclusions", "release/time-credits.yaml", ("exclusions",), None,
                            {"clauses": LIST})

TABLES: tuple[Table, ...] = (
    THRESHOLDS, PENALTIES_841, PREDICATE, PENALTIES_844, CRACK_POSSESSION, SAFETY_VALVE_STATUTE, DRUG_QUANTITY,
    RATIOS, CRACK_VARIABLE, CRACK_COMBINATION, CAPS, MINIMUM_LEVEL, MITIGATING_ROLE_CAP, DEATH_OR_INJURY, BOUNDS,
    POSSESSION, ADJUSTMENT, SAFETY_VALVE_REDUCTION, SAFETY_VALVE_NUMBER, SAFETY_VALVE_FLOOR, ACCEPTANCE, CATEGORIES,
    STATUS_POINTS, RECENCY_POINTS, ZERO_POINT, CAREER_OFFENDER, SENTENCING_TABLE, AMENDMENTS, POLICY_STATEMENT,
    SECTION_404, SUPERVISED_RELEASE_MINIMUM, SUPERVISED_RELEASE_MAXIMUM, SUPERVISED_RELEASE_GUIDELINE, GOOD_CONDUCT_TIME,
    WEEKDAY_RULE, TIME_CREDITS, TIME_CREDIT_EXCLUSIONS,
)

# Keys a file has besides its tables (descriptions, units, and the few undated values), by file. A file not
# listed here and holding no table is not part of the law.
DOC = {"description": STR, "section": STR}
FILE_KEYS: Mapping[str, Mapping[str, tuple]] = MappingProxyType({
    STATUTE_841: {**DOC, "unit": STR}, STATUTE_844: {**DOC, "unit": STR},
    "drug-quantity/{drug}.yaml": {**DOC, "unit": STR, "substance": STR, "counted": BOOL},
    EQUIVALENCY: {**DOC, "unit": STR},
    "mitigating-role-cap.yaml": DOC, "offense-level.yaml": DOC, "adjustments.yaml": {**DOC, "chapters": MAP},
    "safety-valve.yaml": DOC, "acceptance.yaml": DOC, "criminal-history.yaml": DOC,
    "career-offender.yaml": {**DOC, "unit": STR}, "sentencing-table.yaml": {**DOC, "categories": LIST},
    "retroactivity.yaml": DOC, "supervised-release.yaml": DOC, "release/good-conduct-time.yaml": DOC,
    "release/time-credits.yaml": DOC,
    "regimes.yaml": {"description": STR, "first_guidelines": DATE, "fair_sentencing_act": DATE, "aliases": MAP,
                     "changes": LIST},
})
OPTIONAL_FILE_KEYS = {"substance", "counted", "unit", "chapters"}
"""File keys not every file of a family has."""

FAMILIES = ("drug-quantity", "drug-equivalency", "statute", "criminal-history")
"""Component names that substitute every member (`drug-quantity` covers `drug-quantity:heroin`)."""

OFFENSE_LEVEL = "offense-level"
STATUTE = "statute"


@lru_cache(maxsize=64)
def components(drugs: tuple[str, ...], equivalency: tuple[str, ...] = ()) -> tuple[str, ...]:
    """Every component name `Dates.on` accepts and a scenario may substitute, for these drugs (and the drugs
    with an equivalency entry): the tables' components, the families, and `statute` itself."""
    out: list[str] = list(FAMILIES)
    for t in TABLES:
        if t.component is None:
            continue
        if "{drug}" in t.component:
            out += [t.component.format(drug=d) for d in (equivalency or drugs if t is RATIOS else drugs)]
        else:
            out.append(t.component)
    return tuple(dict.fromkeys(out))


def check_version(table: Table, raw: Any, where: str) -> list[str]:
    """Problems of one version against its table's declaration: unknown key, missing key, wrong type."""
    if not isinstance(raw, dict):
        return [f"{where}: a version must be a mapping of fields, not {type(raw).__name__}"]
    out: list[str] = []
    allowed = {**COMMON, **COMMON_OPTIONAL, **table.fields, **table.optional}
    for key in [*COMMON, *table.fields]:
        if key not in raw:
            out.append(f"{where}: missing key '{key}'")
    for key, value in raw.items():
        kind = allowed.get(key)
        if kind is None:
            out.append(f"{where}: unknown key '{key}' (allowed: {', '.join(sorted(allowed))})")
        elif not isinstance(value, kind) or (isinstance(value, bool) and bool not in kind):
            out.append(f"{where}: key '{key}' is {type(value).__name__} {value!r:.60}, expected {kind_name(kind)}")
    eff = raw.get("effective")
    if isinstance(eff, str):
        try:
            date.fromisoformat(eff)
        except ValueError:
            out.append(f"{where}: key 'effective' is {eff!r}, expected a date YYYY-MM-DD")
    status = raw.get("status")
    if isinstance(status, str) and status not in STATUSES:
        out.append(f"{where}: key 'status' is {status!r}, expected one of {', '.join(STATUSES)}")
    ref = raw.get("reference")
    if isinstance(ref, dict):
        out += [f"{where}: reference needs '{k}'" for k in REFERENCE if not ref.get(k)]
        out += [f"{where}: unknown key 'reference.{k}' (allowed: title, href)" for k in ref if k not in REFERENCE]
    return out


def kind_name(kind: tuple) -> str:
    names = {int: "an integer", float: "a number", str: "text", bool: "true or false", dict: "a mapping",
             list: "a list", date: "a date", type(None): "null"}
    return " or ".join(dict.fromkeys(names[k] for k in kind))


def table_for(file: str, keys: tuple[str, ...]) -> Table | None:
    """The declaration of the versions list at `keys` in `file` (a member of a family included)."""
    for t in TABLES:
        if len(t.keys) != len(keys):
            continue
        names: dict[str, str] = {}
        if not _match(t.file, file, names) or not all(_match(a, b, names) for a, b in zip(t.keys, keys)):
            continue
        return t.at(**names) if names else t
    return None


def _match(pattern: str, text: str, names: dict[str, str]) -> bool:
    """Whether `text` is `pattern` with at most one `{name}` filled in (recorded in `names`)."""
    if "{" not in pattern:
        return pattern == text
    head, _, rest = pattern.partition("{")
    name, _, tail = rest.partition("}")
    if not (text.startswith(head) and text.endswith(tail) and len(text) > len(head) + len(tail)):
        return False
    value = text[len(head):len(text) - len(tail)]
    if "/" in value or names.get(name, value) != value:
        return False
    names[name] = value
    return True


def file_keys(file: str) -> Mapping[str, tuple] | None:
    """The undated keys a data file may have (None: not a data file sentcalc knows)."""
    for pattern, keys in FILE_KEYS.items():
        if _match(pattern, file, {}):
            return keys
    return None
