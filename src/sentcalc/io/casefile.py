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
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError("case file", str(path), f"save it as UTF-8 (byte {exc.start} is not UTF-8)") from None
    try:
        doc = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError, RecursionError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError("case file", str(path), f"it must be valid {'JSON' if path.suffix == '.json' else 'YAML'} "
                         f"({first})") from None
    problem = _shape_ok(doc)
    if problem:
        raise InputError("case file", str(path), problem)
    if not isinstance(doc, dict):
        raise InputError("case file", str(path), "it must be a mapping of case fields (id, offense_date, ...)")
    return doc


def pydantic_message(exc: ValidationError) -> InputError:
    """The first validation problem as an InputError naming the field, the value and what is allowed."""
    err = exc.errors()[0]
    tags = {"float", "int", "str", "bool", "date", "datetime"}
    loc = ".".join(str(x) for x in err["loc"] if not (isinstance(x, str) and ("[" in x or x in tags))) or "case"
    msg = err["msg"].removeprefix("Value error, ")
    cross = (err.get("ctx") or {}).get("error")
    if isinstance(cross, CrossFieldError):
        loc = ".".join([*(x for x in loc.split(".") if x != "case"), cross.field])
        return InputError(loc, cross.value, msg[0].lower() + msg[1:] + _more(exc))
    if err["type"] == "missing":
        return InputError(loc, "(missing)", "this field is required")
    if err["type"] == "extra_forbidden":
        return InputError(loc, err.get("input"), "this is not a case field; see `sentcalc schema`")
    return InputError(loc, err.get("input"), msg[0].lower() + msg[1:] + _more(exc))


def _more(exc: ValidationError) -> str:
    n = len(exc.errors()) - 1
    return f" ({n} more problem(s) after this one)" if n else ""


def parse_case(doc: dict, law: Law, today: date) -> Case:
    """A validated Case from a parsed document (pydantic, then the checks that need the law)."""
    try:
        case = Case.model_validate(doc, context={"today": today})
    except ValidationError as exc:
        raise pydantic_message(exc) from None
    names = [case.conviction.drug] + [d.drug for d in case.drugs]
    bad = check_drug_names(names, law, "drug")
    if bad:
        k, name = bad[0]
        field = "conviction.drug" if k == 0 else f"drugs.{k - 1}.drug"
        raise InputError(field, name, drug_allowed(law))
    _check_units(case, law)
    from ..columns import from_models

    problems = check(from_models([case], law.drugs), law)
    if problems:
        p = problems[0]
        raise InputError(p.field, p.value, p.allowed)
    return case


def _check_units(case: Case, law: Law) -> None:
    """A counted substance (plants) takes `count`, every other one `grams`."""
    amounts = [("conviction", case.conviction.drug, case.conviction.grams, case.conviction.count)]
    amounts += [(f"drugs.{k}", d.drug, d.grams, d.count) for k, d in enumerate(case.drugs)]
    for where, drug, grams, count in amounts:
        if counted(law, drug) and grams is not None:
            raise InputError(f"{where}.grams", grams, f"{drug} is counted: give count (the number of "
                             f"{law.doc(f'drug-quantity/{drug}.yaml').get('unit', 'units')})")
        if not counted(law, drug) and count is not None:
            raise InputError(f"{where}.count", count, f"{drug} is weighed: give grams")


def load_case(path: Path, law: Law, today: date) -> Case:
    return parse_case(read_document(path), law, today)
