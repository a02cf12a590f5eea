"""The law as dated data: reads guidelines/ and picks the version in force on each date.

Every value in guidelines/ belongs to a version with an `effective` date, a `status`
(verified / unverified / derived) and a `reference` {title, href}. A `Dated` holds one such list;
`Dated.index_on(dates)` is the vectorised "which version was in force on each of these dates".
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from .errors import LawDataError
from .registry import DRUG_QUANTITY, Table, table_for

LIFE = 10_000
"""Months standing for life imprisonment in numeric columns (rendered as "life")."""


def guidelines_root() -> Path:
    """The guidelines/ folder: packaged with an installed wheel, or at the top of a checkout."""
    env = os.environ.get("SENTCALC_GUIDELINES")
    if env:
        return Path(env)
    packaged = Path(str(resources.files("sentcalc"))) / "guidelines"
    if packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parents[2] / "guidelines"
    if checkout.is_dir():
        return checkout
    raise LawDataError("the guidelines/ data folder was not found; reinstall sentcalc")


def present(codes: np.ndarray) -> np.ndarray:
    """The distinct values of a small non-negative integer array (version indices, drug codes), by
    counting rather than sorting."""
    return np.flatnonzero(np.bincount(codes.astype(np.int64).ravel())) if len(codes) else np.zeros(0, np.int64)


def months(value: Any) -> float:
    """A term in months from the data: a number, or "life"."""
    return float(LIFE) if value == "life" else float(value)


def months_text(m: float) -> str:
    """A term in months for text: "life", or the number ("?" when unknown)."""
    if m != m:
        return "?"
    return "life" if m >= LIFE else f"{m:g}"


def as_date(value: Any) -> date:
    """A date from the data (YAML reads 2010-08-03 as a date; quoted, it is text)."""
    return value if isinstance(value, date) else date.fromisoformat(str(value))


@dataclass(frozen=True, eq=False)
class Version:
    """One dated version of a table or rule, with its source."""

    effective: date
    status: str
    reference: dict
    data: dict
    unverified: tuple[str, ...] = ()

    @property
    def citation(self) -> str:
        return str(self.reference.get("title", ""))

    @property
    def href(self) -> str:
        return str(self.reference.get("href", ""))

    def is_unverified(self, part: str | None = None) -> bool:
        """Whether the whole version, or `part` of it (e.g. "B.priors_1"), is marked unverified."""
        if self.status == "unverified":
            return True
        return part is not None and any(part == u or part.startswith(u + ".") for u in self.unverified)


@dataclass
class Dated:
    """The versions of one table or rule, in date order."""

    name: str
    versions: list[Version]
    effective: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        if not self.versions:
            raise LawDataError(f"{self.name}: no versions")
        self.effective = np.array([v.effective for v in self.versions], dtype="datetime64[D]")
        self.ordered = bool((np.diff(self.effective.astype(np.int64)) > 0).all())

    def index_on(self, dates: np.ndarray) -> np.ndarray:
        """Index of the version in force on each date (vectorised; remembered for the last few arrays,
        since the engine asks about the same dates for many rules)."""
        cache = self.__dict__.setdefault("_recent", [])
        for arr, idx in cache:
            if arr is dates:
                return idx
        idx = self._index_on(dates)
        cache.append((dates, idx))
        if len(cache) > 8:
            cache.pop(0)
        return idx

    def _index_on(self, dates: np.ndarray) -> np.ndarray:
        if not self.ordered:
            raise LawDataError(f"{self.name}: versions are not in date order; run `sentcalc verify`")
        idx = np.searchsorted(self.effective, dates.astype("datetime64[D]", copy=False), side="right") - 1
        if (idx < 0).any():
            first = self.versions[0].effective
            raise LawDataError(f"{self.name}: no version in force before {first.isoformat()}")
        return idx

    def on(self, day: date) -> Version:
        return self.versions[int(self.index_on(np.array([day], dtype="datetime64[D]"))[0])]


def _version(raw: dict, name: str) -> Version:
    try:
        eff = raw["effective"]
        if not isinstance(eff, date):
            eff = date.fromisoformat(str(eff))
        return Version(
            effective=eff,
            status=str(raw.get("status", "")),
            reference=dict(raw.get("reference") or {}),
            data=raw,
            unverified=tuple(str(u) for u in raw.get("unverified", ()) or ()),
        )
    except (KeyError, ValueError, TypeError) as exc:
        raise LawDataError(f"{name}: malformed version {raw!r}: {exc}") from exc


class Law:
    """All of guidelines/, loaded lazily and cached."""

    def __init__(self, root: Path | None = None, overlay: dict[str, dict] | None = None) -> None:
        """`overlay` (a scenario's): per data file, versions lists to lay over the shipped ones, in the
        same shape as the file (new versions are inserted by date)."""
        self.root = root or guidelines_root()
        self.overlay = overlay or {}
        self._docs: dict[str, dict] = {}
        self._dated: dict[tuple[str, ...], Dated] = {}

    def doc(self, relpath: str) -> dict:
        if relpath not in self._docs:
            path = self.root / relpath
            try:
                self._docs[relpath] = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            except (OSError, yaml.YAMLError) as exc:
                raise LawDataError(f"cannot read {path}: {exc}") from exc
        return self._docs[relpath]

    def table(self, table: Table) -> Dated:
        """The versions of a declared table (sentcalc.registry)."""
        return self.dated(table.file) if table.keys == ("versions",) else self.dated(table.file, *table.keys)

    def dated(self, relpath: str, *keys: str) -> Dated:
        """The versions list at `keys` inside the file (default: its `versions`); it must be declared in
        sentcalc.registry."""
        k = (relpath, *keys)
        if k not in self._dated:
            if table_for(relpath, keys or ("versions",)) is None:
                raise LawDataError(f"{relpath}: {'.'.join(keys or ('versions',))} is not a table sentcalc declares "
                                   "(declare it in sentcalc/registry.py)")
            node: Any = self.doc(relpath)
            for key in keys or ("versions",):
                if not isinstance(node, dict) or key not in node:
                    raise LawDataError(f"{relpath}: missing {'.'.join(keys or ('versions',))}")
                node = node[key]
            name = relpath + (":" + ".".join(keys) if keys else "")
            extra: Any = self.overlay.get(relpath, {})
            for key in keys or ("versions",):
                extra = extra.get(key, {}) if isinstance(extra, dict) else []
            versions = [_version(v, name) for v in node]
            if extra:
                versions = sorted(versions + [_version(v, name + " (scenario)") for v in extra],
                                  key=lambda v: v.effective)
            self._dated[k] = Dated(name, versions)
        return self._dated[k]

    @cached_property
    def drugs(self) -> tuple[str, ...]:
        """Drug names with a Drug Quantity Table in guidelines/drug-quantity/."""
        return tuple(sorted(p.stem for p in (self.root / "drug-quantity").glob("*.yaml")))

    def drug_table(self, drug: str) -> Dated:
        return self.table(DRUG_QUANTITY.at(drug=drug))

    @cached_property
    def content_hash(self) -> str:
        """SHA-256 over every data file (path and bytes): identifies the law a result used."""
        h = hashlib.sha256()
        for p in sorted(self.root.rglob("*.yaml")):
            h.update(p.relative_to(self.root).as_posix().encode())
            h.update(p.read_bytes())
        if self.overlay:
            import json
            h.update(json.dumps(self.overlay, sort_keys=True, default=str).encode())
        return h.hexdigest()

    def every_dated(self) -> list[Dated]:
        """Every declared versions list in the data (for `sentcalc verify` and provenance; `verify` also
        reports the lists sentcalc does not declare)."""
        found: list[Dated] = []
        for p in sorted(self.root.rglob("*.yaml")):
            rel = p.relative_to(self.root).as_posix()
            found.extend(self.dated(rel, *keys) for keys in versions_paths(self.doc(rel))
                         if table_for(rel, keys) is not None)
        return found


def versions_paths(node: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Key paths of every list of dated versions in a document."""
    out: list[tuple[str, ...]] = []
    if isinstance(node, dict):
        for k, v in node.items():
            if isinstance(v, list) and v and isinstance(v[0], dict) and "effective" in v[0]:
                out.append((*prefix, str(k)))
            elif isinstance(v, dict):
                out.extend(versions_paths(v, (*prefix, str(k))))
    return out


@lru_cache(maxsize=1)
def default_law() -> Law:
    return Law()
