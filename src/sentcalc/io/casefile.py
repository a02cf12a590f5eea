"""Case files: YAML (always safe-loaded) or JSON, size- and depth-capped, validated by pydantic."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from ..case import Case
from ..errors import CrossFieldError, InputError
from ..law import Law
from ..rules.drug_quantity import counted
from ..validate import check, check_drug_names, drug_allowed

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


def read_document(path: Path) -> Any:
    """The parsed YAML or JSON document at `path`, or an InputError saying what is wrong."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputError("case file", str(path), f"give a readable file ({exc.strerror})") from None
    if size > MAX_BYTES:
        raise InputError("case file", f"{path} ({size:,} bytes)", f"case files are limited to {MAX_BYTES:,} bytes")
    return parse_document(path.read_bytes(), path.suffix, str(path))


def parse_document(raw: bytes, suffix: str, name: str) -> dict:
    """A case document from the bytes of a YAML or JSON file (`suffix` picks the format, `name` is how errors
    call it): size-capped, UTF-8, safe-loaded, depth- and node-capped, a mapping."""
    if len(raw) > MAX_BYTES:
        raise InputError("case file", f"{name} ({len(raw):,} bytes)", f"case files are limited to {MAX_BYTES:,} bytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError("case file", name, f"save it as UTF-8 (byte {exc.start} is not UTF-8)") from None
    is_json = suffix.lower() == ".json"
    try:
        doc = json.loads(text) if is_json else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError, RecursionError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError("case file", name, f"it must be valid {'JSON' if is_json else 'YAML'} ({first})") from None
    problem = _shape_ok(doc)
    if problem:
        raise InputError("case file", name, problem)
    if not isinstance(doc, dict):
        raise InputError("case file", name, "it must be a mapping of case fields (id, offense_date, ...)")
    return doc


def pydantic_message(exc: ValidationError) -> InputError:
    """The first validation problem as an InputError naming the field, the value and what is allowed."""
    return _message(exc.errors()[0], _more(exc))


def pydantic_messages(exc: ValidationError) -> list[InputError]:
    """Every validation problem, each in the words `pydantic_message` gives it (a form marks them all)."""
    return [_message(err, "") for err in exc.errors()]


def _message(err: Any, more: str) -> InputError:
    tags = {"float", "int", "str", "bool", "date", "datetime"}
    loc = ".".join(str(x) for x in err["loc"] if not (isinstance(x, str) and ("[" in x or x in tags))) or "case"
    msg = err["msg"].removeprefix("Value error, ")
    cross = (err.get("ctx") or {}).get("error")
    if isinstance(cross, CrossFieldError):
        loc = ".".join([*(x for x in loc.split(".") if x != "case"), cross.field])
        return InputError(loc, cross.value, msg[0].lower() + msg[1:] + more)
    if err["type"] == "missing":
        return InputError(loc, "(missing)", "this field is required")
    if err["type"] == "extra_forbidden":
        return InputError(loc, err.get("input"), "this is not a case field; see `sentcalc schema`")
    return InputError(loc, err.get("input"), msg[0].lower() + msg[1:] + more)


def _more(exc: ValidationError) -> str:
    n = len(exc.errors()) - 1
    return f" ({n} more problem(s) after this one)" if n else ""


def parse_case(doc: dict, law: Law, today: date) -> Case:
    """A validated Case from a parsed document (pydantic, then the checks that need the law)."""
    try:
        case = Case.model_validate(doc, context={"today": today})
    except ValidationError as exc:
        raise pydantic_message(exc) from None
    problems = law_problems(case, law)
    if problems:
        raise problems[0]
    return case


def case_problems(doc: dict, law: Law, today: date) -> tuple[Case | None, list[InputError]]:
    """The validated Case, or None and every problem `parse_case` would find, in its words: all of pydantic's
    at once, else those that need the law."""
    try:
        case = Case.model_validate(doc, context={"today": today})
    except ValidationError as exc:
        return None, pydantic_messages(exc)
    problems = law_problems(case, law)
    return (None, problems) if problems else (case, [])


def law_problems(case: Case, law: Law) -> list[InputError]:
    """What a valid model can still get wrong against the law: drug names, units, then `validate.check`."""
    names = [case.conviction.drug] + [d.drug for d in case.drugs]
    bad = check_drug_names(names, law, "drug")
    if bad:
        return [InputError("conviction.drug" if k == 0 else f"drugs.{k - 1}.drug", name, drug_allowed(law))
                for k, name in bad]
    units = _unit_problems(case, law)
    if units:
        return units
    from ..columns import from_models

    return [InputError(p.field, p.value, p.allowed) for p in check(from_models([case], law.drugs), law)]


def _unit_problems(case: Case, law: Law) -> list[InputError]:
    """A counted substance (plants) takes `count`, every other one `grams`."""
    amounts = [("conviction", case.conviction.drug, case.conviction.grams, case.conviction.count)]
    amounts += [(f"drugs.{k}", d.drug, d.grams, d.count) for k, d in enumerate(case.drugs)]
    out = []
    for where, drug, grams, count in amounts:
        if counted(law, drug) and grams is not None:
            out.append(InputError(f"{where}.grams", grams, f"{drug} is counted: give count (the number of "
                                  f"{law.doc(f'drug-quantity/{drug}.yaml').get('unit', 'units')})"))
        if not counted(law, drug) and count is not None:
            out.append(InputError(f"{where}.count", count, f"{drug} is weighed: give grams"))
    return out


def load_case(path: Path, law: Law, today: date) -> Case:
    return parse_case(read_document(path), law, today)
