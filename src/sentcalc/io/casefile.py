"""Case files: YAML (always safe-loaded) or JSON, size- and depth-capped, validated by pydantic."""

from __future__ import annotations

import json
import re
import typing
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from .. import reasons
from ..case import Case
from ..errors import CrossFieldError, FieldProblem, InputError, raise_all
from ..law import Law
from ..rules.drug_quantity import counted
from ..validate import check, drug_allowed

MAX_BYTES = 1_048_576
"""A case file over 1 MiB is refused: no real case needs it."""
MAX_DEPTH = 20


MAX_NODES = 100_000


def _shape_ok(doc: Any) -> str | None:
    """None if the document nests at most MAX_DEPTH levels and has at most MAX_NODES values
    (counting every alias use, so a YAML 'billion laughs' is refused before anything walks it)."""
    count = 0
    stack = [(doc, 0)]
    while stack:
        node, level = stack.pop()
        count += 1
        if count > MAX_NODES:
            return f"documents may have at most {MAX_NODES:,} values (YAML aliases count each use)"
        if level > MAX_DEPTH:
            return f"documents may nest at most {MAX_DEPTH} levels"
        if isinstance(node, dict):
            stack.extend((v, level + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, level + 1) for v in node)
    return None


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader, reading scalars as a person means them and refusing a key given twice.

    YAML 1.1 would read `010` as eight, `1:30` as ninety (base 60) and `0x10` as sixteen, and fails with a
    bare ValueError on an impossible date (`2006-02-30`): here a decimal integer is decimal, and every other
    form (or an impossible date, an unreadable `!!float`/`!!bool`) stays the text written, so the field
    that receives it says what it takes."""

    def construct_mapping(self, node, deep=False):
        seen: set[str] = set()
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.tag != "tag:yaml.org,2002:merge":
                if key_node.value in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"the key {key_node.value!r} is given twice", key_node.start_mark)
                seen.add(key_node.value)
        return super().construct_mapping(node, deep)


def _int(loader: _Loader, node: yaml.Node) -> object:
    text = loader.construct_scalar(node)
    return int(text.replace("_", ""), 10) if re.fullmatch(r"[-+]?[0-9][0-9_]*", text) else text


def _or_text(construct):
    def build(loader: _Loader, node: yaml.Node) -> object:
        text = loader.construct_scalar(node)
        if ":" in text and node.tag.endswith((":float", ":int")):
            return text
        try:
            return construct(loader, node)
        except (ValueError, KeyError, TypeError, OverflowError):
            return text
    return build


_Loader.add_constructor("tag:yaml.org,2002:int", _int)
for _tag, _fn in (("float", yaml.SafeLoader.construct_yaml_float), ("bool", yaml.SafeLoader.construct_yaml_bool),
                  ("timestamp", yaml.SafeLoader.construct_yaml_timestamp)):
    _Loader.add_constructor(f"tag:yaml.org,2002:{_tag}", _or_text(_fn))


def yaml_problem(exc: yaml.YAMLError) -> str:
    """A YAML error with its line and column (1-based), as an editor shows them."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
    context, cmark = getattr(exc, "context", None), getattr(exc, "context_mark", None)
    also = f" ({context} on line {cmark.line + 1})" if context and cmark is not None else f" ({context})" if context else ""
    return where + problem + also


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict:
    out: dict = {}
    for k, v in pairs:
        if k in out:
            raise json.JSONDecodeError(f"the key {k!r} is given twice", "", 0)
        out[k] = v
    return out


def load_yaml(text: str) -> Any:
    """YAML as a person means it (see _Loader), safe-loaded: data, never code."""
    return yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass


def _load(text: str, is_json: bool) -> Any:
    return json.loads(text, object_pairs_hook=_no_duplicates) if is_json else load_yaml(text)


def read_document(path: Path) -> Any:
    """The parsed YAML or JSON document at `path`, or an InputError saying what is wrong (with the line and
    column of a syntax error)."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputError("case file", str(path), f"give a readable file ({exc.strerror})") from None
    if size > MAX_BYTES:
        raise InputError("case file", f"{path} ({size:,} bytes)", f"case files are limited to {MAX_BYTES:,} bytes")
    return parse_document(path.read_bytes(), path.suffix, str(path))


def parse_document(raw: bytes, suffix: str, name: str) -> dict:
    """A case document from the bytes of a YAML or JSON file (`suffix` picks the format, `name` is how errors
    call it): size-capped, UTF-8, read as a person means it (see _Loader), depth- and node-capped, a mapping;
    a syntax error gives its line and column."""
    if len(raw) > MAX_BYTES:
        raise InputError("case file", f"{name} ({len(raw):,} bytes)", f"case files are limited to {MAX_BYTES:,} bytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError("case file", name, f"save it as UTF-8 (byte {exc.start} is not UTF-8)") from None
    is_json = suffix.lower() == ".json"
    try:
        doc = _load(text, is_json)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}: " if exc.doc else ""
        raise InputError("case file", name, f"it must be valid JSON ({where}{exc.msg})") from None
    except yaml.YAMLError as exc:
        raise InputError("case file", name, f"it must be valid YAML ({yaml_problem(exc)})") from None
    except (RecursionError, ValueError, TypeError, OverflowError) as exc:
        kind = "JSON" if is_json else "YAML"
        raise InputError("case file", name, f"it must be valid {kind} ({type(exc).__name__}: {exc})") from None
    problem = _shape_ok(doc)
    if problem:
        raise InputError("case file", name, problem)
    if not isinstance(doc, dict):
        raise InputError("case file", name, "it must be a mapping of case fields (id, offense_date, ...)")
    return doc


# --- validation: every problem at once, in the case file's own words ----------------------------------

TAGS = {"float", "int", "str", "bool", "date", "datetime"}


def _submodel(annotation: Any) -> type[BaseModel] | None:
    """The model a field holds (itself, in a list, or optional)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return next((m for m in map(_submodel, typing.get_args(annotation)) if m is not None), None)


def _field_at(loc: tuple) -> tuple[type[BaseModel] | None, Any]:
    """The model holding the field at `loc`, and the field (None where the path leaves the model)."""
    model: type[BaseModel] | None = Case
    holder, info = None, None
    for part in loc:
        if isinstance(part, int):
            continue
        if model is None or part not in model.model_fields:
            return model, None
        holder, info = model, model.model_fields[part]
        model = _submodel(info.annotation)
    return holder, info


def _model_at(loc: tuple) -> type[BaseModel] | None:
    if not [p for p in loc if not isinstance(p, int)]:
        return Case
    _, info = _field_at(loc)
    return _submodel(info.annotation) if info is not None else None


def _value(v: Any) -> Any:
    """A value as a message shows it: never the repr of a whole mapping."""
    if isinstance(v, dict) and v:
        return "(a mapping of " + ", ".join(map(str, list(v)[:6])) + (", ..." if len(v) > 6 else "") + ")"
    return v


def _reason(err: dict, kind: str, choices: tuple) -> str:
    t, ctx = err["type"], err.get("ctx") or {}
    if t == "value_error":
        msg = err["msg"].removeprefix("Value error, ")
        return msg[0].lower() + msg[1:] if msg[:1].isupper() and not msg[1:2].isupper() else msg
    constraint = {
        "greater_than_equal": lambda: reasons.at_least(ctx["ge"]), "less_than_equal": lambda: reasons.at_most(ctx["le"]),
        "greater_than": lambda: f"give a number greater than {reasons.number(ctx['gt'])}",
        "less_than": lambda: f"give a number less than {reasons.number(ctx['lt'])}",
        "finite_number": lambda: reasons.FINITE, "string_too_long": lambda: reasons.at_most_chars(ctx["max_length"]),
        "string_too_short": lambda: f"give at least {ctx['min_length']} character(s)",
        "too_short": lambda: f"give at least {ctx['min_length']} item(s)",
        "too_long": lambda: f"give at most {ctx['max_length']} item(s)",
        "string_pattern_mismatch": lambda: reasons.SECTION,
        "dict_type": lambda: "give a mapping of fields", "model_type": lambda: "give a mapping of fields",
        "list_type": lambda: "give a list",
    }
    if t in constraint:
        return constraint[t]()
    return reasons.for_kind(kind, choices, err.get("input"))


def pydantic_problems(exc: ValidationError) -> list[FieldProblem]:
    """Every validation problem, one per field (a union's alternatives are one problem), each naming the field
    as the case file writes it, the value and what is allowed."""
    groups: dict[tuple, list[dict]] = {}
    for err in exc.errors():
        loc = tuple(x for x in err["loc"] if not (isinstance(x, str) and ("[" in x or x in TAGS)))
        groups.setdefault(loc, []).append(err)
    out: list[FieldProblem] = []
    for loc, errs in groups.items():
        path = ".".join(str(x) for x in loc)
        cross = [e["ctx"]["error"] for e in errs if isinstance((e.get("ctx") or {}).get("error"), CrossFieldError)]
        if cross:
            for c in cross:
                out += [FieldProblem(".".join(x for x in (path, f) if x), "(missing)" if v is None else v, m)
                        for f, v, m in c.problems]
            continue
        err = errs[0]
        if err["type"] == "missing":
            out.append(FieldProblem(path, "(missing)", reasons.REQUIRED))
        elif err["type"] == "extra_forbidden":
            model = _model_at(loc[:-1])
            best = reasons.suggest(str(loc[-1]), list(model.model_fields)) if model else None
            hint = f"did you mean {'.'.join(str(x) for x in (*loc[:-1], best))}? " if best else ""
            out.append(FieldProblem(path, _value(err.get("input")), hint + "this is not a case field; see "
                                    "`sentcalc schema`"))
        else:
            _, info = _field_at(loc)
            kind, choices = reasons.kind_of(info.annotation) if info is not None else ("model", ())
            out.append(FieldProblem(path or "case", _value(err.get("input")), _reason(err, kind, choices)))
    return out


def _drug_problems(doc: dict, law: Law) -> list[FieldProblem]:
    """Drug names the law has no table for, and quantities in the wrong unit, read from the document as
    written (so they are reported together with every other problem)."""
    out: list[FieldProblem] = []
    amounts = [("conviction", doc.get("conviction"))]
    amounts += [(f"drugs.{k}", d) for k, d in enumerate(doc.get("drugs") or []) if isinstance(doc.get("drugs"), list)]
    for where, amount in amounts:
        if not isinstance(amount, dict) or not isinstance(amount.get("drug"), str):
            continue
        drug = amount["drug"].strip()
        if drug not in law.drugs:
            out.append(FieldProblem(f"{where}.drug", drug, drug_allowed(law, drug)))
            continue
        is_counted = counted(law, drug)
        wrong = "grams" if is_counted else "count"
        if amount.get(wrong) is not None:
            unit = law.doc(f"drug-quantity/{drug}.yaml").get("unit", "units")
            out.append(FieldProblem(f"{where}.{wrong}", amount[wrong], reasons.unit(
                drug, is_counted, unit, "conviction" if where == "conviction" else "")))
    return out


def parse_case(doc: dict, law: Law, today: date) -> Case:
    """A validated Case from a parsed document (pydantic, then the checks that need the law). Every problem
    found is raised at once (InputErrors, or an InputError when there is one)."""
    case, problems = _validated(doc, law, today)
    raise_all(problems)
    assert case is not None
    return case


def case_problems(doc: dict, law: Law, today: date) -> tuple[Case | None, list[InputError]]:
    """The validated Case, or None and every problem `parse_case` finds, each an InputError (a form marks
    them all beside their fields)."""
    case, problems = _validated(doc, law, today)
    return (None, [InputError(*p) for p in problems]) if problems else (case, [])


def _validated(doc: dict, law: Law, today: date) -> tuple[Case | None, list[FieldProblem]]:
    """The case, or every problem: the model's and the drug names' and units' together, else the law's."""
    problems: list[FieldProblem] = []
    case = None
    try:
        case = Case.model_validate(doc, context={"today": today})
    except ValidationError as exc:
        problems = pydantic_problems(exc)
    seen = {p.field for p in problems}
    problems += [p for p in _drug_problems(doc, law) if p.field not in seen]
    if problems or case is None:
        return None, problems
    from ..columns import from_models

    law_checks = [FieldProblem(p.field, p.value, p.allowed) for p in check(from_models([case], law.drugs), law)]
    return (None, law_checks) if law_checks else (case, [])


def load_case(path: Path, law: Law, today: date) -> Case:
    return parse_case(read_document(path), law, today)
