"""The case form: every case-file field, grouped as the Guidelines Manual orders a calculation, with its label,
help text and default read from the case model (the same text `sentcalc schema` prints); the form's values as a
case document (the shape of a case file) and back; problems placed beside the fields they name.

Field names are the case file's paths (`conviction.statute`, `drugs.0.grams`), so the field an InputError names
is the field the form marks.
"""

from __future__ import annotations

import math
import re
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from ..case import Case
from ..errors import InputError
from ..io.flat import model_columns
from ..law import Law

GROUPS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("caption", "The case", ("id", "defendant", "court", "docket")),
    ("conviction", "Offense and conviction", (
        "offense_date", "sentencing_date", "guidelines_manual", "conviction.statute", "conviction.drug",
        "conviction.grams", "conviction.count", "conviction.prior_convictions", "conviction.priors_qualify_after_2018",
        "conviction.death_or_injury", "fsa_applied_at_sentencing", "plea_agreement_11c1c")),
    ("drugs", "Drugs and quantities (USSG §2D1.1(c))", ("drugs",)),
    ("adjustments", "Chapter Two and Three adjustments", ("adjustments", "mitigating_role", "safety_valve")),
    ("acceptance", "Acceptance of responsibility (USSG §3E1.1)", ("acceptance",)),
    ("history", "Criminal history (USSG Ch. 4, Pt. A)", (
        "criminal_history.points", "criminal_history.status_points", "criminal_history.recency_points",
        "criminal_history.category")),
    ("chapter4", "Chapter Four findings", ("career_offender", "zero_point_offender")),
    ("sentence", "The sentence, custody and earlier reductions", (
        "sentence_months", "custody_start", "prior_custody_days", "consecutive_months", "substantial_assistance",
        "departure", "reductions", "previous_404_denied", "bop_projected_release_date")),
    ("release", "Release: supervised release and First Step Act time credits", (
        "supervised_release_months", "time_credits.risk_level", "time_credits.risk_history",
        "time_credits.programming_start", "time_credits.earned_days", "time_credits.earned_as_of",
        "time_credits.removal_order", "time_credits.organizer_finding", "time_credits.consecutive_924c")),
    ("findings", "The court's findings", (
        "findings.base_offense_level", "findings.total_offense_level", "findings.guideline_range.min_months",
        "findings.guideline_range.max_months")),
)
"""The form's sections: the Manual's order of application (USSG §1B1.1), then the sentence and the findings."""

ROWS = {"drugs": 3, "adjustments": 3, "reductions": 2}
"""Repeatable rows shown at least (with one more than are filled), so the form works without JavaScript."""

ALWAYS = tuple(n for n, f in Case.model_fields.items() if f.is_required() and n in ("conviction", "criminal_history",
                                                                                  "drugs"))
"""Required parts of a case the form always shows: given (if empty) whenever the form is sent, as a file's `{}` or
`[]` would be, so their problems name the field inside (criminal_history.points), not the part."""

OPTIONS = ("as_of", "regime", "regime_date", "strict")
"""Form fields that are not case fields: what to compute."""


@dataclass(frozen=True)
class FormField:
    """One input: its name (the case-file path), label, help and kind (as the flat columns type them)."""

    name: str
    label: str
    help: str
    kind: str                 # str, date, number, int, bool, tristate, choice, months, drug, section
    choices: tuple = ()
    required: bool = False
    default: str = ""         # what applies when the field is left empty, as text ("" when nothing does)


@dataclass(frozen=True)
class RowList:
    """A repeatable list of rows (drugs, adjustments, earlier reductions)."""

    name: str
    label: str
    help: str
    fields: tuple[FormField, ...]   # names relative to a row: drug, grams, count
    minimum: int


def _model_of(annotation: Any) -> type[BaseModel]:
    return next(a for a in (typing.get_args(annotation) or (annotation,)) if isinstance(a, type)
                and issubclass(a, BaseModel))


def _info(path: tuple[str, ...]) -> FieldInfo:
    model: type[BaseModel] = Case
    for part in path[:-1]:
        model = _model_of(model.model_fields[part].annotation)
    return model.model_fields[path[-1]]


def _label(name: str, info: FieldInfo) -> str:
    return info.title or name.replace("_", " ").capitalize()


def _default(info: FieldInfo, kind: str) -> str:
    if info.is_required() or info.default is None or kind == "bool":
        return ""
    return str(info.default)


def _field(path: tuple[str, ...], kind: str, choices: tuple, required: bool, name: str | None = None) -> FormField:
    info = _info(path)
    if kind == "bool" and info.default is None:
        kind = "tristate"
    if path[-1] == "drug":
        kind = "drug"
    if path[-1] == "section":
        kind = "section"
    return FormField(name or ".".join(path), _label(path[-1], info), info.description or "", kind, choices, required,
                     _default(info, kind))


class Form:
    """The case form for one body of law (the drug names and the named adjustments come from it)."""

    def __init__(self, law: Law) -> None:
        self.drugs = law.drugs
        self.sections = tuple(law.doc("adjustments.yaml")["sections"])
        cols = {".".join(c.path): c for c in model_columns(Case)}
        self.fields = {name: _field(c.path, c.kind, c.choices, c.required) for name, c in cols.items()}
        self.lists = {}
        for name, minimum in ROWS.items():
            info = Case.model_fields[name]
            item = _model_of(info.annotation)
            row = tuple(_field((name, c.path[-1]), c.kind, c.choices, c.required, c.path[-1])
                        for c in model_columns(item, (name,)))
            self.lists[name] = RowList(name, _label(name, info), info.description or "", row, minimum)
        self.group_of = {n: key for key, _, names in GROUPS for n in names}

    def groups(self) -> list[tuple[str, str, list[FormField | RowList]]]:
        """The sections of the form, each with its fields and row lists in order."""
        return [(key, title, [self.fields.get(n) or self.lists[n] for n in names]) for key, title, names in GROUPS]

    # --- the form's values as a case document ---------------------------------------------------------------

    def document(self, form: Mapping[str, Any]) -> dict:
        """The case document the form describes: empty fields left out (so the model's defaults apply), numbers
        typed as a YAML file would type them, anything else passed on as typed so the model says what is wrong."""
        doc: dict = {name: {} for name in ALWAYS if name not in self.lists}  # a section the form shows is given
        for name, f in self.fields.items():
            value = _typed(f, _text(form, name))
            if value is not None:
                _put(doc, name.split("."), value)
        for name, rows in self.lists.items():
            keys = sorted({int(m.group(1)) for k in form if (m := re.fullmatch(rf"{name}\.(\d+)\.\w+", k))})
            items = []
            for k in keys:
                item = {f.name: v for f in rows.fields if (v := _typed(f, _text(form, f"{name}.{k}.{f.name}"))) is not None}
                if item:
                    items.append(item)
            doc[name] = items  # a list the form shows is given, if empty (drugs: [] is refused as a file's is)
        return doc

    # --- a case document as the form's values -------------------------------------------------------------

    def values(self, doc: Mapping[str, Any]) -> dict[str, str]:
        """Every input's text for a case document (a case file as loaded, or the document the form gave)."""
        out: dict[str, str] = {}
        for name in self.fields:
            node: Any = doc
            for part in name.split("."):
                node = node.get(part) if isinstance(node, Mapping) else None
            out[name] = _shown(node)
        for name in self.lists:
            items = doc.get(name)
            for k, item in enumerate(items if isinstance(items, list) else []):
                if isinstance(item, Mapping):
                    for key, v in item.items():
                        out[f"{name}.{k}.{key}"] = _shown(v)
        return out

    def row_count(self, name: str, doc: Mapping[str, Any]) -> int:
        """How many rows of a list to show: every filled row and one empty one, at least the minimum."""
        items = doc.get(name)
        return max(len(items) + 1 if isinstance(items, list) else 1, self.lists[name].minimum)

    # --- problems beside their fields -------------------------------------------------------------------------

    def place(self, problems: list[InputError], doc: Mapping[str, Any]) -> tuple[dict[str, list[str]], list[str]]:
        """Each problem's message (the words the CLI prints) under the input it names, or the section it belongs
        to; what names neither (the whole file, an unknown field) under the key "" (shown above the form)."""
        out: dict[str, list[str]] = {}
        for p in problems:
            out.setdefault(self.target(p, doc), []).append(str(p))
        return out, out.get("", [])

    def target(self, p: InputError, doc: Mapping[str, Any]) -> str:
        """The input (or "group:<section>") a problem belongs beside."""
        name = {"--strict": "strict", "--regime": "regime_date", "--as-of": "as_of", "as_of": "as_of"}.get(p.field, p.field)
        if name in self.fields or name in OPTIONS:
            return name
        parts = name.split(".")
        if parts[0] in self.lists:
            if len(parts) == 3 and parts[1].isdigit():
                return name
            if len(parts) == 2:  # a row named by its value (adjustments.section: 2D1.1(b)(16))
                items = doc.get(parts[0]) if isinstance(doc.get(parts[0]), list) else []
                hit = next((k for k, it in enumerate(items) if isinstance(it, Mapping) and
                            str(it.get(parts[1])) in str(p.value).split(";")), None)
                if hit is not None:
                    return f"{parts[0]}.{hit}.{parts[1]}"
            return f"group:{self.group_of[parts[0]]}"
        for n, group in self.group_of.items():
            if n.split(".")[0] == parts[0]:
                return f"group:{group}"
        return ""


def _text(form: Mapping[str, Any], name: str) -> str:
    v = form.get(name)
    return v.strip() if isinstance(v, str) else ""


NUMBER = re.compile(r"^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$|^[-+]?(inf|infinity|nan)$", re.IGNORECASE)


def _number(text: str) -> Any:
    """A number as YAML would read it (an int when written as one), or the text itself."""
    if not NUMBER.match(text):
        return text
    x = float(text)
    return int(x) if math.isfinite(x) and re.fullmatch(r"[-+]?\d+", text) else x


def _typed(f: FormField, text: str) -> Any:
    if text == "":
        return None
    if f.kind == "bool":
        return text == "true" or text
    if f.kind == "tristate":
        return {"true": True, "false": False}.get(text, text)
    if f.kind in ("number", "int"):
        return _number(text)
    if f.kind == "choice" and all(isinstance(c, int) for c in f.choices):
        return _number(text)
    if f.kind == "months":
        return "life" if text.lower() == "life" else _number(text)
    return text


def _put(doc: dict, path: list[str], value: Any) -> None:
    for part in path[:-1]:
        doc = doc.setdefault(part, {})
    doc[path[-1]] = value


def _shown(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)
