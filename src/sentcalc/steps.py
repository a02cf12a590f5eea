"""What the engine records: each stage returns Steps (what it did, under which citation, for which rows, and
the values it saw); assumptions and warnings are Notes. The worksheet and the JSON are rendered from these.

A Step keeps the values it saw (`seen`: arrays over the rows and constants such as the law) and renders
its text with a module-level function of (seen, row). Text is never a closure over a stage's variables, so
what a step says is what the stage saw, whatever is computed after it (`sentcalc.engine` checks this).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

Seen = Mapping[str, Any]
Render = Callable[[Seen, int], str]
Text = Callable[[int], str]


@dataclass
class Step:
    """One named rule applied to every row; `applies` masks the rows where it is worth showing."""

    rule: str
    section: str
    citation: Render | str
    detail: Render
    seen: Seen = field(default_factory=dict)
    applies: np.ndarray | None = None
    stage: str = ""
    """The engine stage that recorded it (sentcalc.engine.PIPELINE)."""

    def render(self, i: int) -> dict | None:
        if self.applies is not None and not bool(self.applies[i]):
            return None
        cite = self.citation if isinstance(self.citation, str) else self.citation(self.seen, i)
        out = {"rule": self.rule, "section": self.section, "citation": cite, "detail": self.detail(self.seen, i)}
        if self.stage:
            out["stage"] = self.stage
        return out


def record(rule: str, section: str, citation: Render | str, detail: Render, seen: Seen,
           applies: np.ndarray | None = None) -> Step:
    """A Step rendered from the values it saw: `citation` and `detail` are module-level functions of
    (seen, row) (or a fixed citation)."""
    for f in (citation, detail):
        if callable(f) and (getattr(f, "__closure__", None) or "<locals>" in getattr(f, "__qualname__", "")):
            raise TypeError(f"{rule}: step text must be a module-level function of (seen, row), not a closure")
    return Step(rule, section, citation, detail, dict(seen), applies)


def cited(seen: Seen, i: int) -> str:
    """The citation of the version each row used: `seen["citations"]` (one per version) at `seen["version"]`."""
    return str(seen["citations"][int(seen["version"][i])])


def citations(versions: list) -> list[str]:
    """The citation of every version of a dated rule (for `cited`)."""
    return [v.citation for v in versions]


def _legacy(seen: Seen, i: int) -> str:
    return seen["text"](i)


def _legacy_citation(seen: Seen, i: int) -> str:
    return seen["citation"](i)


def step(rule: str, section: str, citation: Text | str, detail: Text, applies: np.ndarray | None = None) -> Step:
    """A Step whose text is a function of the row alone (the retroactivity analyses; the engine's stages use
    `record`)."""
    return Step(rule, section, citation if isinstance(citation, str) else _legacy_citation, _legacy,
                {"text": detail} if isinstance(citation, str) else {"text": detail, "citation": citation}, applies)


@dataclass
class Note:
    """An assumption or warning, true for the rows in `mask`."""

    code: str
    mask: np.ndarray
    text: Text

    def render(self, i: int) -> str | None:
        return self.text(i) if bool(self.mask[i]) else None


@dataclass(frozen=True)
class Recorded:
    """A note's text rendered from recorded values by a module-level function of (seen, row)."""

    render: Render
    seen: Seen

    def __call__(self, i: int) -> str:
        return self.render(self.seen, i)


def recorded_note(code: str, mask: np.ndarray, render: Render, seen: Seen) -> Note:
    """A Note whose text is rendered from the values it saw (as a Step's is)."""
    return Note(code, np.asarray(mask, dtype=bool), Recorded(render, dict(seen)))


def _const(s: str) -> Text:
    return lambda i: s


def note(code: str, mask: np.ndarray, text: Text | str) -> Note:
    return Note(code, np.asarray(mask, dtype=bool), _const(text) if isinstance(text, str) else text)


def unverified(versions: list, idx: np.ndarray, used: np.ndarray, what: str) -> Note:
    """A warning for the rows in `used` whose version (versions[idx]) is not verified against its source."""
    flag = np.array([v.status != "verified" for v in versions])[idx] & used
    return note("warning", flag, lambda i: f"Uses {what} not yet verified against the primary text "
                f"({versions[int(idx[i])].status}): {versions[int(idx[i])].citation}.")
