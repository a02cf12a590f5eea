"""Errors a user can act on: each names the field, the value and what is allowed (CLI exit code 2)."""

from __future__ import annotations


class InputError(ValueError):
    """Bad input: the message names the field, the value given and what is allowed."""

    def __init__(self, field: str, value: object, allowed: str, row: int | None = None) -> None:
        self.field, self.value, self.allowed, self.row = field, value, allowed, row
        where = f"row {row}: " if row is not None else ""
        shown = repr(value)
        if len(shown) > 80:
            shown = shown[:77] + "..."
        super().__init__(f"{where}{field}: {shown} is not allowed; {allowed}")


class LawDataError(RuntimeError):
    """The guidelines/ data is missing, malformed or does not cover a date."""


class CrossFieldError(ValueError):
    """A problem between fields of the case model, raised in a model validator: names the field to fix and its
    value, so the message never shows the whole model."""

    def __init__(self, field: str, value: object, message: str) -> None:
        self.field, self.value = field, value
        super().__init__(message)
