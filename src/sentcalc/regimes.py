"""Regimes: the law a court sentencing on a given date would apply.

A regime token is an alias (`pre-2007`, `2007`, `2010`, `2011`, `2014`, `2018`, `2023`), `current`
(today), `original` (each case's sentencing date and its `guidelines_manual`, if given) or an ISO
date. Resolved against cases it becomes per-row dates: the Guidelines Manual date, the statute date
(Dorsey v. United States, 567 U.S. 260 (2012): the statute in force at sentencing), and optional
per-component substitutions so that retroactivity can combine an amended provision with the original
manual and statute.
"""

from __future__ import annotations

import contextlib
import os
import re
from dataclasses import dataclass, field
from datetime import date

import numpy as np
from dateutil.parser import isoparse

from .errors import InputError, LawDataError
from .law import Law, as_date
from .reasons import ISO_DAY, date_problem

ORIGINAL = "original"
CURRENT = "current"


def today(override: str | date | None = None) -> date:
    """Today, unless --today or SENTCALC_TODAY says otherwise (so tests do not rot)."""
    value = override or os.environ.get("SENTCALC_TODAY")
    if value is None:
        return date.today()
    if isinstance(value, date):
        return value
    return parse_date(value, "--today" if override else "SENTCALC_TODAY")


def parse_date(value: str, option: str) -> date:
    """A date an option gives (YYYY-MM-DD), or an InputError naming the option (`--as-of`, `--in-custody-on`)."""
    text = value.strip()
    if ISO_DAY.fullmatch(text):
        with contextlib.suppress(ValueError):
            return date.fromisoformat(text)
    raise InputError(option, value, date_problem(value))


def aliases(law: Law) -> dict[str, date]:
    return {str(k): as_date(v) for k, v in law.doc("regimes.yaml")["aliases"].items()}


def first_guidelines(law: Law) -> date:
    return as_date(law.doc("regimes.yaml")["first_guidelines"])


def fair_sentencing_act(law: Law) -> date:
    return as_date(law.doc("regimes.yaml")["fair_sentencing_act"])




@dataclass(frozen=True)
class Regime:
    """A regime as the user named it: `day` is None for `original`."""

    token: str
    day: date | None

    @property
    def is_original(self) -> bool:
        return self.day is None


def parse_regime(token: str, law: Law, on: date) -> Regime:
    """Turn a user's regime token into a Regime; unknown tokens and pre-1987 dates are errors."""
    t = token.strip()
    al = aliases(law)
    if t == ORIGINAL:
        return Regime(t, None)
    if t == CURRENT:
        return Regime(t, on)
    if t in al:
        return Regime(t, al[t])
    try:
        day = isoparse(t).date() if len(t) >= 10 else None
    except ValueError:
        day = None
    if day is None:
        raise InputError("--regime", token, "use original, current, one of " + ", ".join(al)
                         + ", or a date as YYYY-MM-DD")
    first = first_guidelines(law)
    if day < first:
        raise InputError("--regime", token, f"the Sentencing Guidelines took effect on {first.isoformat()}; "
                         "give a date on or after it")
    return Regime(t, day)


@dataclass
class Dates:
    """Per-row dates of a regime: which Manual, which statute, and per-component substitutions."""

    regime: Regime
    manual: np.ndarray
    statute: np.ndarray
    components: dict[str, np.ndarray] = field(default_factory=dict)

    def on(self, component: str) -> np.ndarray:
        """The date whose version of `component` applies: the latest substitution for it or for its
        family (`drug-quantity` covers `drug-quantity:heroin`), else the statute or the Manual date.
        `component` must be one sentcalc.registry declares."""
        cache = self.__dict__.setdefault("_on_cache", {})
        if component not in cache:
            check_component(component)
            cache[component] = self._on(component)
        return cache[component]

    def _on(self, component: str) -> np.ndarray:
        found = [self.components[k] for k in dict.fromkeys((component, component.split(":")[0],
                                                            component.split(".")[0])) if k in self.components]
        if found:
            out = found[0]
            for f in found[1:]:
                out = np.maximum(out, f)
            return out
        return self.statute if component.startswith("statute") else self.manual


_MEMBER = re.compile(r"^(drug-quantity|drug-equivalency):[a-z][a-z0-9_]*$")


_CHECKED: set[str] = set()


def check_component(name: str) -> None:
    """A component name the registry declares (a drug's own component by its pattern), or LawDataError."""
    from .registry import components
    if name in _CHECKED:
        return
    if name in components(()) or _MEMBER.match(name):
        _CHECKED.add(name)
        return
    raise LawDataError(f"{name!r} is not a law component; use one of " + ", ".join(components(()))
                       + ", drug-quantity:<drug>, drug-equivalency:<drug>")


def resolve(regime: Regime, sentencing_date: np.ndarray, guidelines_manual: np.ndarray) -> Dates:
    """Per-row dates for `regime` over cases with these sentencing dates and Manuals."""
    n = len(sentencing_date)
    if regime.is_original:
        manual = np.where(np.isnat(guidelines_manual), sentencing_date, guidelines_manual)
        return Dates(regime, manual.astype("datetime64[D]"), sentencing_date.astype("datetime64[D]"))
    d = np.full(n, np.datetime64(regime.day, "D"))
    return Dates(regime, d, d.copy())
