"""`sentcalc verify`: checks the guidelines/ data itself (every file against the tables sentcalc declares:
no unknown key, no missing key, no wrong type; dates, citations, order, monotonicity, the 28 U.S.C.
§994(b)(2) width of Sentencing Table ranges; scenarios) and lists what is still unverified, with a count
per data file."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from .errors import LawDataError
from .law import LIFE, Law, versions_paths
from .regimes import aliases, first_guidelines
from .registry import SENTENCING_TABLE, STATUSES, TABLES, check_version, file_keys, kind_name, table_for


@dataclass
class Report:
    failures: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    unverified: list[str] = field(default_factory=list)
    unverified_files: list[str] = field(default_factory=list)  # the data file of each `unverified` entry
    checked: int = 0

    @property
    def ok(self) -> bool:
        return not self.failures

    @property
    def unverified_by_file(self) -> dict[str, int]:
        """Unverified (or derived) values per data file, in file order."""
        return dict(sorted(Counter(self.unverified_files).items()))

    def flag(self, name: str, text: str) -> None:
        """Record one unverified value of the versions list `name` ("file.yaml:key.path")."""
        self.unverified.append(text)
        self.unverified_files.append(name.split(":", 1)[0])


def verify(law: Law, today: date) -> Report:
    rep = Report()
    _schema(law, rep)
    if rep.failures:  # the checks below read the data through its declarations
        return rep
    try:
        dated = law.every_dated()
    except LawDataError as exc:
        rep.failures.append(str(exc))
        return rep
    newest = date.min
    for d in dated:
        prev = None
        for v in d.versions:
            rep.checked += 1
            where = f"{d.name} @ {v.effective.isoformat()}"
            if not v.reference.get("title") or not v.reference.get("href"):
                rep.failures.append(f"{where}: no citation (reference.title and reference.href)")
            if v.status not in STATUSES:
                rep.failures.append(f"{where}: status {v.status!r} is not one of {sorted(STATUSES)}")
            if prev is not None and v.effective <= prev:
                rep.failures.append(f"{where}: versions out of date order or overlapping (after {prev.isoformat()})")
            prev = v.effective
            newest = max(newest, v.effective)
            if v.status in ("unverified", "derived"):
                rep.flag(d.name, f"{where}: {v.status} — {v.citation}")
            for part in v.unverified:
                rep.flag(d.name, f"{where}: {part} unverified — {v.citation}")
            if v.data.get("unverified_cells"):
                rep.flag(d.name, f"{where}: cells {', '.join(v.data['unverified_cells'])} unverified")
    _drug_tables(law, rep)
    _sentencing_table(law, rep)
    for name, day in aliases(law).items():
        if day < first_guidelines(law):
            rep.failures.append(f"regime alias {name} ({day}) is before the first Guidelines")
    if today - newest > timedelta(days=365):
        rep.warnings.append(f"the newest dated value is {newest.isoformat()}, more than a year before today "
                            f"({today.isoformat()}): a new Guidelines Manual may be out")
    return rep


def _drug_tables(law: Law, rep: Report) -> None:
    for drug in law.drugs:
        for v in law.drug_table(drug).versions:
            levels = v.data.get("levels")
            where = f"drug-quantity/{drug} @ {v.effective}"
            if v.data.get("counts_as"):
                per = v.data.get("grams_per_unit") or {}
                if v.data["counts_as"] not in law.drugs or 0 not in per or min(per.values()) <= 0:
                    rep.failures.append(f"{where}: counts_as needs a drug with a table and grams_per_unit from 0")
                continue
            if v.data.get("converted"):
                ratios = law.doc("drug-equivalency.yaml").get("ratios", {})
                if drug not in ratios or str(ratios[drug][0]["effective"]) > str(v.effective):
                    rep.failures.append(f"{where}: converted, but drug-equivalency.yaml has no ratio in force then")
                continue
            if levels is None:
                if not v.data.get("same_as"):
                    rep.failures.append(f"{where}: no levels")
                continue
            pairs = sorted((int(lv), float(g)) for lv, g in levels.items())
            grams = [g for _, g in pairs]
            if grams[0] != 0:
                rep.failures.append(f"drug-quantity/{drug} @ {v.effective}: the lowest level must start at 0 g")
            if any(b <= a for a, b in zip(grams, grams[1:])):
                rep.failures.append(f"drug-quantity/{drug} @ {v.effective}: thresholds do not strictly increase")


def _sentencing_table(law: Law, rep: Report) -> None:
    from .rules.sentencing_table import _cells

    for v in law.table(SENTENCING_TABLE).versions:
        where = f"sentencing-table @ {v.effective}"
        table = v.data.get("table", {})
        if sorted(int(k) for k in table) != list(range(1, 44)) or any(len(r) != 6 for r in table.values()):
            rep.failures.append(f"{where}: must have offense levels 1-43 with 6 categories each")
            continue
        c = _cells(v)[1:]
        for k in (0, 1):
            if (np.diff(c[:, :, k], axis=0) < 0).any():
                rep.failures.append(f"{where}: {'minimum' if k == 0 else 'maximum'} decreases with offense level")
            if (np.diff(c[:, :, k], axis=1) < 0).any():
                rep.failures.append(f"{where}: {'minimum' if k == 0 else 'maximum'} decreases with category")
        lo, hi = c[:, :, 0], c[:, :, 1]
        finite = hi < LIFE
        too_wide = finite & (hi > lo + np.maximum(lo * 0.25, 6))
        for lv, cat in zip(*np.nonzero(too_wide)):
            rep.failures.append(f"{where}: level {lv + 1} category {cat + 1} range {lo[lv, cat]:g}-{hi[lv, cat]:g} "
                                "is wider than 28 U.S.C. §994(b)(2) allows")


def _schema(law: Law, rep: Report) -> None:
    """Every file against sentcalc.registry: each key of a data file is one it declares (undated keys with
    their types, or a dated table whose versions have the declared fields and types), every declared table
    is there, and every scenario and retroactive substitution names components that exist."""
    import yaml

    for p in sorted(law.root.rglob("*.yaml")):
        rel = p.relative_to(law.root).as_posix()
        try:
            doc = law.doc(rel)
        except LawDataError as exc:
            rep.failures.append(str(exc))
            continue
        if rel.startswith("scenarios/"):
            from .scenarios import problems
            raw = yaml.safe_load(p.read_text(encoding="utf-8"))
            rep.failures += [f"{rel}: {fld}: {value!r} is not allowed; {allowed}" for fld, value, allowed in problems(raw, law)]
            continue
        keys = file_keys(rel)
        if keys is None:
            rep.failures.append(f"{rel}: not a data file sentcalc declares (add it to sentcalc/registry.py)")
            continue
        if not isinstance(doc, dict):
            rep.failures.append(f"{rel}: must be a mapping of keys")
            continue
        tables = {path: table_for(rel, path) for path in versions_paths(doc)}
        heads = {path[0] for path in tables}
        for key, value in doc.items():
            if key in keys:
                if not isinstance(value, keys[key]):
                    rep.failures.append(f"{rel}: key '{key}' is {type(value).__name__}, expected {kind_name(keys[key])}")
            elif key not in heads:
                declared = sorted({*keys, *(t.keys[0] for t in TABLES if _same_file(t.file, rel))})
                rep.failures.append(f"{rel}: unknown key '{key}' (allowed: {', '.join(declared)})")
        rep.failures += [f"{rel}: missing key '{k}'" for k in ("description",) if k in keys and k not in doc]
        for path, table in tables.items():
            if table is None:
                rep.failures.append(f"{rel}: unknown table '{'.'.join(path)}' (not declared in sentcalc/registry.py)")
                continue
            node = doc
            for k in path:
                node = node[k]
            for raw in node:
                eff = raw.get("effective") if isinstance(raw, dict) else None
                rep.failures += check_version(table, raw, f"{rel} {'.'.join(path)} @ {eff}")
        for t in TABLES:
            if _same_file(t.file, rel) and t.family is None and t.keys not in tables:
                rep.failures.append(f"{rel}: missing key '{'.'.join(t.keys)}' ({t.name})")
    _substitutions(law, rep)
    _stages(law, rep)


def _stages(law: Law, rep: Report) -> None:
    """Each chapter of adjustments.yaml names a stage of the engine that applies adjustments."""
    from .rules.adjustments import CHAPTER_THREE, CHAPTER_TWO
    for chapter, stage in (law.doc("adjustments.yaml").get("chapters") or {}).items():
        if stage not in (CHAPTER_TWO, CHAPTER_THREE):
            rep.failures.append(f"adjustments.yaml: chapters: '{chapter}' → '{stage}' is not a stage that applies "
                                f"adjustments; use {CHAPTER_TWO} or {CHAPTER_THREE}")


def _same_file(pattern: str, rel: str) -> bool:
    from .registry import _match
    return _match(pattern, rel, {})


def _substitutions(law: Law, rep: Report) -> None:
    """The components each retroactive change substitutes exist."""
    from .scenarios import law_components
    valid = law_components(law)
    doc = law.doc("retroactivity.yaml")
    for key in ("amendments", "first_step_act_404"):
        for v in doc.get(key) or []:
            subs = [*(v.get("substitutes") or {})]
            for later in (v.get("later_substitutes") or {}).values():
                subs += list(later)
            for name in subs:
                if name not in valid:
                    rep.failures.append(f"retroactivity.yaml {key} {v.get('id')}: substitutes '{name}', not a law "
                                        f"component (use one of {', '.join(valid)})")
