"""What is allowed, in one set of words for the case file, the flat columns and the web form, and the
nearest valid name for a misspelt one (edit distance, or an alias table where spelling cannot help)."""

from __future__ import annotations

import math
import re
import typing
from collections.abc import Iterable
from datetime import date
from typing import Any

from pydantic import BaseModel

REQUIRED = "this field is required"
NUMBER = "give a number"
WHOLE = "give a whole number"
MONTHS = "give a number of months or 'life'"
BOOL = "give true or false"
DATE = "give a valid date as YYYY-MM-DD"
FINITE = "give a finite number"
TEXT = "give text (in YAML, put it in quotes)"
CONTROL = "control characters (tabs, newlines, escapes, NUL) are not allowed"
SENTENCE_RANGE = "give the term in months (0 to 10,000) or 'life'"
SECTION = "write each section as in the Manual, e.g. 2D1.1(b)(1) or 3B1.1(c)"


def number(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def at_least(x: float) -> str:
    return f"give a number greater than or equal to {number(x)}"


def at_most(x: float) -> str:
    return f"give a number less than or equal to {number(x)}"


def at_most_chars(n: int) -> str:
    return f"give at most {n} characters"


def one_of(choices: Iterable[Any], value: object = None, aliases: dict[str, str] | None = None) -> str:
    """'use one of …', after 'did you mean X?' when `value` is a near miss of one of the choices."""
    names = [str(c) for c in choices]
    best = suggest(value, names, aliases) if isinstance(value, str) else None
    hint = f"did you mean {best}? " if best else ""
    return hint + "use one of " + ", ".join(names)


def after_today(field: str, today: date) -> str:
    return f"{field} is after today ({today.isoformat()})"


def sentencing_before_offense(sentencing: object, offense: object) -> str:
    return f"sentencing_date {sentencing} is before offense_date {offense}"


def custody_before_offense(offense: object) -> str:
    return f"custody_start is before offense_date ({offense})"


POINTS_OR_CATEGORY = "give criminal_history.points (the total found at sentencing) or criminal_history.category (I to VI)"
STATUS_NEED_POINTS = ("criminal_history.status_points and criminal_history.recency_points need criminal_history.points "
                      "(the total found at sentencing)")
BOTH_QUANTITIES = "give conviction.grams or conviction.count (for plants), not both"


def status_exceeds(status: object, recency: object, points: object) -> str:
    return (f"criminal_history.status_points ({status}) + criminal_history.recency_points ({recency}) exceed "
            f"criminal_history.points ({points}); they are part of the total")


def departure_needs_assistance(departure: object) -> str:
    return (f"departure {departure} is a substantial-assistance motion, but substantial_assistance is false; they "
            "must agree")


def assistance_needs_departure(departure: object) -> str:
    return f"substantial_assistance is true, but departure is {departure!r}; use 5K1.1 or 3553(e)"


def unit(drug: str, is_counted: bool, unit_name: str, where: str = "") -> str:
    """A quantity in the wrong unit: a counted substance takes count, every other one grams."""
    key = f"{where}.count" if where and is_counted else f"{where}.grams" if where else "count" if is_counted else "grams"
    return (f"{drug} is counted: give {key} (the number of {unit_name})" if is_counted
            else f"{drug} is weighed: give {key}")


# --- the kind of a model field, as both paths see it ---------------------------------------------------

def kind_of(annotation: Any) -> tuple[str, tuple]:
    """(kind, choices) of a field annotation: str, date, number, int, bool, choice, months, or model/list."""
    args = typing.get_args(annotation)
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        return "choice", tuple(args)
    if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        inner = [a for a in args if a is not type(None)]
        lits = [a for a in inner if typing.get_origin(a) is typing.Literal]
        if lits and any(a in (float, int) for a in inner):
            return "months", ()
        return kind_of(inner[0])
    if origin is typing.Annotated:
        return kind_of(args[0])
    if origin in (list, tuple) or (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
        return "model", ()
    return {str: "str", date: "date", float: "number", int: "int", bool: "bool"}.get(annotation, "str"), ()


def for_kind(kind: str, choices: tuple = (), value: object = None) -> str:
    """What a field of this kind allows (the reason for a value of the wrong type)."""
    if kind == "choice":
        return one_of(choices, value)
    return {"number": NUMBER, "int": WHOLE, "months": MONTHS, "bool": BOOL, "date": DATE}.get(kind, TEXT)


ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def date_problem(value: object) -> str:
    """What is wrong with a date as written: not YYYY-MM-DD, or a day the calendar does not have."""
    if isinstance(value, str) and ISO_DAY.fullmatch(value.strip()):
        try:
            date.fromisoformat(value.strip())
        except ValueError as exc:
            return f"{DATE} ({exc})"
    return DATE


def plain(value: Any, annotation: Any) -> Any:
    """A scalar as the field's kind takes it, before pydantic's own parsing: refuses what pydantic would
    otherwise turn silently into something else (true as 1 gram, 86400 as 1970-01-02, bytes as text)."""
    kind, choices = kind_of(annotation)
    if value is None or kind == "model":
        return value
    if kind == "date":
        if isinstance(value, date):
            return value
        if isinstance(value, str) and ISO_DAY.fullmatch(value.strip()):
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                pass
        raise ValueError(date_problem(value))
    if isinstance(value, bytes | bytearray | date) or (isinstance(value, bool) and kind != "bool"):
        raise ValueError(for_kind(kind, choices, value))
    if kind in ("number", "int", "months") and (
            (isinstance(value, float) and not math.isfinite(value))
            or (isinstance(value, str) and re.fullmatch(NOT_FINITE, value, re.IGNORECASE))):
        raise ValueError(not_finite(kind))
    return value


NOT_FINITE = r"\s*[-+]?\.?(inf|infinity|nan)\s*"
"""Infinity or not-a-number, as YAML, Python or a spreadsheet writes them."""


def not_finite(kind: str) -> str:
    return SENTENCE_RANGE if kind == "months" else FINITE


# --- suggestions -------------------------------------------------------------------------------------------

def normal(name: str) -> str:
    """A name with case, spaces, '-' and '_' made alike (`Offense Date` → `offense_date`)."""
    return re.sub(r"[\s_\-]+", "_", name.strip().lower()).strip("_")


def distance(a: str, b: str) -> int:
    """Edit distance with a swap of two neighbouring letters as one edit (optimal string alignment)."""
    d = [[i + j if i * j == 0 else 0 for j in range(len(b) + 1)] for i in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[-1][-1]


def suggest(value: object, valid: Iterable[str], aliases: dict[str, str] | None = None) -> str | None:
    """The valid name `value` most likely meant: the same name written differently (case, '_', '-', space,
    punctuation, a leading '21 U.S.C.'), a listed alias, or the one nearest in spelling: at most 2 edits, or
    1 for a name of 6 characters or fewer (so `state` is not taken for `statute`, nor `1` for `0`); None when
    nothing is close."""
    if not isinstance(value, str) or not value.strip():
        return None
    names = list(valid)
    key = normal(value)
    if aliases and key in aliases and aliases[key] in names:
        return aliases[key]
    compact = re.sub(r"[^0-9a-z]", "", key).removeprefix("21usc")  # '21 U.S.C. § 841(b)(1)(a)' is 841(b)(1)(A)
    for n in names:
        if normal(n) == key or re.sub(r"[^0-9a-z]", "", normal(n)) == compact:
            return n
    if not re.search(r"[a-z]", key):
        return None
    within = 1 if len(key) <= 6 else 2
    scored = sorted((distance(key, normal(n)), n) for n in names)
    return scored[0][1] if scored and scored[0][0] <= within else None


DRUG_ALIASES = {
    "crack": "cocaine_base", "crack_cocaine": "cocaine_base", "cocaine_crack": "cocaine_base", "base": "cocaine_base",
    "rock": "cocaine_base", "powder": "cocaine", "powder_cocaine": "cocaine", "cocaine_powder": "cocaine",
    "cocaine_hcl": "cocaine", "cocaine_hydrochloride": "cocaine", "coke": "cocaine",
    "meth": "methamphetamine", "methamphetamine_mixture": "methamphetamine", "ice": "methamphetamine_actual",
    "actual_methamphetamine": "methamphetamine_actual", "meth_actual": "methamphetamine_actual",
    "marijuana": "marihuana", "cannabis": "marihuana", "weed": "marihuana", "pot": "marihuana",
    "plants": "marihuana_plants", "marijuana_plants": "marihuana_plants", "cannabis_plants": "marihuana_plants",
    "hash": "hashish", "hash_oil": "hashish_oil", "ecstasy": "mdma", "molly": "mdma", "acid": "lsd",
    "angel_dust": "pcp", "phencyclidine": "pcp", "oxycodone": "oxycodone_actual", "oxy": "oxycodone_actual",
    "hydrocodone": "hydrocodone_actual", "fentanyl_analog": "fentanyl_analogue", "analogue": "fentanyl_analogue",
    "heroine": "heroin", "dope": "heroin",
}
"""Street and chemical names of the substances in guidelines/drug-quantity/ (normalised: lower case, '_')."""
