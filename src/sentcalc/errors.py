"""Errors a user can act on: each names the field, the value and what is allowed (CLI exit code 2)."""

from __future__ import annotations

import importlib
from datetime import date
from types import ModuleType
from typing import NamedTuple


def shown(value: object) -> str:
    """A value as a message shows it: quoted text, dates as YYYY-MM-DD, at most 80 characters."""
    if isinstance(value, date):
        value = value.isoformat()
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


class InputError(ValueError):
    """Bad input: the message names the field, the value given and what is allowed (a value of None: a problem
    with no value to show, such as an assumption --strict refuses)."""

    def __init__(self, field: str, value: object, allowed: str, row: int | None = None) -> None:
        self.field, self.value, self.allowed, self.row = field, value, allowed, row
        where = f"row {row}: " if row is not None else ""
        given = "" if value is None else f"{shown(value)} is not allowed; "
        super().__init__(f"{where}{field}: {given}{allowed}")


class FieldProblem(NamedTuple):
    """One problem of an input: the field as the user wrote it, the value, and what is allowed."""

    field: str
    value: object
    allowed: str

    def __str__(self) -> str:
        return str(InputError(self.field, self.value, self.allowed))


class InputErrors(InputError):
    """Every problem of one input at once (`.problems`, in the order found); `.field/.value/.allowed` are
    the first one's. The message is one line per problem."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        if not problems:
            raise ValueError("InputErrors needs at least one problem")
        self.problems = list(problems)
        first = self.problems[0]
        self.field, self.value, self.allowed, self.row = first.field, first.value, first.allowed, None
        ValueError.__init__(self, "\n".join(str(p) for p in self.problems))


def raise_all(problems: list[FieldProblem]) -> None:
    """Raise the problems (one: an InputError; several: InputErrors), or do nothing when there are none."""
    if len(problems) == 1:
        raise InputError(*problems[0])
    if problems:
        raise InputErrors(problems)


EXTRAS = {"pyarrow": "research", "matplotlib": "research", "pyreadstat": "stata", "pandas": "stata",
          "fastapi": "web", "uvicorn": "web", "jinja2": "web", "docx": "web", "openpyxl": "web",
          "multipart": "web", "pyspark": "spark"}
"""The optional dependency each extra brings (pyproject.toml's optional-dependencies), by import name."""


class MissingExtra(InputError):
    """A command or format needs an optional dependency that is not installed: names the extra to install."""

    def __init__(self, module: str, extra: str, what: str) -> None:
        self.field, self.value, self.row = what, module, None
        self.allowed = f"pip install 'sentcalc[{extra}]'"
        self.module, self.extra = module, extra
        ValueError.__init__(self, f"{what} needs {module}, which comes with the {extra} extra: install it with "
                            f"pip install 'sentcalc[{extra}]'")


def require(module: str, extra: str | None = None, what: str | None = None) -> ModuleType:
    """Import `module`, or raise MissingExtra naming the extra that brings it (`what` needs it)."""
    try:
        return importlib.import_module(module)
    except ImportError:
        top = module.split(".")[0]
        raise MissingExtra(top, extra or EXTRAS.get(top, "research"), what or "this command") from None


def missing_extra(exc: ImportError) -> MissingExtra | None:
    """An ImportError of an optional dependency as the MissingExtra to report (None for anything else)."""
    top = (exc.name or "").split(".")[0]
    return MissingExtra(top, EXTRAS[top], "this command") if top in EXTRAS else None


class LawDataError(RuntimeError):
    """The guidelines/ data is missing, malformed or does not cover a date."""


class CrossFieldError(ValueError):
    """A problem between fields of the case model, raised in a model validator: names the field to fix and its
    value, so the message never shows the whole model. `also` holds further (field, value, message) problems
    of the same model, so every one is reported at once."""

    def __init__(self, field: str, value: object, message: str, also: list[tuple[str, object, str]] | None = None) -> None:
        self.field, self.value = field, value
        self.problems = [(field, value, message), *(also or [])]
        super().__init__(message)
