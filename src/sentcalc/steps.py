"""What the engine records: each rule returns a Step (what it did, under which citation, for which
rows); assumptions and warnings are Notes. The worksheet and the JSON are rendered from these."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

Text = Callable[[int], str]


def _const(s: str) -> Text:
    return lambda i: s


@dataclass
class Step:
    """One named rule applied to every row; `applies` masks the rows where it is worth showing."""

    rule: str
    section: str
    citation: Text
    detail: Text
    applies: np.ndarray | None = None

    def render(self, i: int) -> dict | None:
        if self.applies is not None and not bool(self.applies[i]):
            return None
        return {"rule": self.rule, "section": self.section, "citation": self.citation(i),
                "detail": self.detail(i)}


@dataclass
class Note:
    """An assumption or warning, true for the rows in `mask`."""

    code: str
    mask: np.ndarray
    text: Text

    def render(self, i: int) -> str | None:
        return self.text(i) if bool(self.mask[i]) else None


def step(rule: str, section: str, citation: Text | str, detail: Text,
         applies: np.ndarray | None = None) -> Step:
    return Step(rule, section, _const(citation) if isinstance(citation, str) else citation, detail, applies)


def note(code: str, mask: np.ndarray, text: Text | str) -> Note:
    return Note(code, np.asarray(mask, dtype=bool), _const(text) if isinstance(text, str) else text)


def unverified(versions: list, idx: np.ndarray, used: np.ndarray, what: str) -> Note:
    """A warning for the rows in `used` whose version (versions[idx]) is not verified against its source."""
    flag = np.array([v.status != "verified" for v in versions])[idx] & used
    return note("warning", flag, lambda i: f"Uses {what} not yet verified against the primary text "
                f"({versions[int(idx[i])].status}): {versions[int(idx[i])].citation}.")
