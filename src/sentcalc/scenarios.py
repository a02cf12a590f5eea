"""A scenario file checked against the names the code declares (sentcalc.registry): every key of
`substitutes` must be a law component, every file and key of `overlay` a dated table of the shipped data,
and every overlaid version must have the fields that table declares. A misspelt name is an error that lists
the valid ones, never a silently ignored substitution (which would keep the original law and report a
plausible wrong answer)."""

from __future__ import annotations

import difflib
from datetime import date
from typing import Any

from .law import Law, versions_paths
from .registry import check_version, components, file_keys, table_for

KEYS = ("name", "description", "effective", "earliest_order", "retroactive", "floor", "reference", "substitutes",
        "overlay", "published_estimates")
REQUIRED = ("name", "effective", "substitutes")

Problem = tuple[str, object, str]
"""(field, value, what is allowed)"""


def law_components(law: Law) -> tuple[str, ...]:
    """Every component a scenario may substitute under this law."""
    ratios = tuple(law.doc("drug-equivalency.yaml").get("ratios", {}))
    return components(law.drugs, ratios)


def problems(doc: Any, law: Law) -> list[Problem]:
    """Every problem of a parsed scenario document (empty when it is sound)."""
    if not isinstance(doc, dict):
        return [("scenario", type(doc).__name__, "a scenario is a mapping with name, effective, substitutes, ...")]
    out: list[Problem] = []
    unknown = [str(k) for k in doc if k not in KEYS]
    if unknown:
        out.append(("scenario", ", ".join(sorted(unknown)), "allowed keys are " + ", ".join(sorted(KEYS))))
    out += [(f"scenario.{k}", "(missing)", "this key is required") for k in REQUIRED if k not in doc]
    for key in ("effective", "earliest_order"):
        if key in doc and not _is_date(doc[key]):
            out.append((f"scenario.{key}", doc[key], "give a date as YYYY-MM-DD"))
    substitutes = doc.get("substitutes") or {}
    if not isinstance(substitutes, dict):
        out.append(("scenario.substitutes", substitutes, "give a mapping of law components to dates, e.g. "
                    "drug-quantity: 2014-11-01"))
        substitutes = {}
    valid = law_components(law)
    for name, when in substitutes.items():
        if str(name) not in valid:
            near = difflib.get_close_matches(str(name), valid, n=1)
            hint = f" (did you mean {near[0]}?)" if near else ""
            out.append(("scenario.substitutes", name, f"not a law component{hint}; use one of " + ", ".join(valid)))
        elif not _is_date(when):
            out.append((f"scenario.substitutes.{name}", when, "give a date as YYYY-MM-DD"))
    overlay = doc.get("overlay") or {}
    if not isinstance(overlay, dict):
        out.append(("scenario.overlay", overlay, "give a mapping of guidelines/ data files to their new versions"))
        overlay = {}
    for file, body in overlay.items():
        out += _overlay(law, str(file), body)
    return out


def _is_date(v: Any) -> bool:
    if isinstance(v, date):
        return True
    try:
        date.fromisoformat(str(v))
    except ValueError:
        return False
    return True


def data_files(law: Law) -> list[str]:
    """The guidelines/ files holding dated tables (those an overlay may lay versions over)."""
    out = []
    for p in sorted(law.root.rglob("*.yaml")):
        rel = p.relative_to(law.root).as_posix()
        if file_keys(rel) is not None and versions_paths(law.doc(rel)):
            out.append(rel)
    return out


def _overlay(law: Law, file: str, body: Any) -> list[Problem]:
    """An overlay of one file: each list of versions must lie over a table the shipped file has."""
    if ".." in file or file not in data_files(law):
        return [("scenario.overlay", file, "overlay one of the guidelines/ data files: " + ", ".join(data_files(law)))]
    tables = {".".join(k): k for k in versions_paths(law.doc(file))}
    out: list[Problem] = []
    for path, versions in _lists(body, ()):
        dotted = ".".join(path)
        if dotted not in tables or table_for(file, path) is None:
            out.append((f"scenario.overlay.{file}", dotted or "(the file itself)",
                        f"not a table of {file}; use one of " + ", ".join(sorted(tables))))
            continue
        table = table_for(file, path)
        if not isinstance(versions, list):
            out.append((f"scenario.overlay.{file}.{dotted}", versions, "a list of dated versions"))
            continue
        for k, v in enumerate(versions):
            where = f"scenario.overlay.{file}.{dotted}[{k}]"
            out += [(where, "", p.split(": ", 1)[-1]) for p in check_version(table, v, where)]  # type: ignore[arg-type]
    return out


def _lists(node: Any, path: tuple[str, ...]):
    """(key path, value) of every leaf under a mapping: the versions lists of an overlay (or wrong values)."""
    if isinstance(node, dict) and node:
        for k, v in node.items():
            yield from _lists(v, (*path, str(k)))
    else:
        yield path, node
