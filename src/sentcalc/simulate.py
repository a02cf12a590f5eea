"""`sentcalc simulate`: a hypothetical (or real) retroactive change run over a whole dataset, like the
Sentencing Commission's prison impact model, through the same retroactivity code as `sentcalc retro`.

A scenario is data (guidelines/scenarios/*.yaml, or a user's YAML): an effective date, the law
components it substitutes, and an optional overlay of new dated versions laid over guidelines/.
New sentences follow the Commission's model by default — the same position in the amended range as
in the original, never below the lowest permissible term — and the lowest permissible term is
reported too.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from .errors import InputError
from .law import LIFE, Law, guidelines_root
from .retro.common import Avenue

SCENARIO_KEYS = {"name", "description", "effective", "earliest_order", "retroactive", "floor", "reference",
                 "substitutes", "overlay", "published_estimates"}
OVERLAY_FILES = {"drug-quantity/", "drug-equivalency.yaml", "statutes/", "criminal-history.yaml", "career-offender.yaml",
                 "acceptance.yaml", "safety-valve.yaml", "mitigating-role-cap.yaml", "offense-level.yaml",
                 "sentencing-table.yaml"}


@dataclass
class Scenario:
    name: str
    description: str
    effective: date
    earliest_order: date
    substitutes: dict[str, date]
    overlay: dict[str, Any]
    reference: dict
    published_estimates: list[dict] = field(default_factory=list)

    def avenue(self) -> Avenue:
        return Avenue(f"scenario:{self.name}", self.description, self.effective, self.earliest_order,
                      str(self.reference.get("title", "")), str(self.reference.get("href", "")),
                      self.substitutes, {})


def _date(v: Any, fld: str) -> date:
    if isinstance(v, date):
        return v
    try:
        return date.fromisoformat(str(v))
    except ValueError:
        raise InputError(fld, v, "give a date as YYYY-MM-DD") from None


def list_scenarios() -> list[str]:
    return sorted(p.stem for p in (guidelines_root() / "scenarios").glob("*.yaml"))


def load_scenario(name_or_path: str) -> Scenario:
    """A shipped scenario by name, or a scenario file (YAML, safe-loaded; data, never code)."""
    p = Path(name_or_path)
    if not p.exists():
        p = guidelines_root() / "scenarios" / f"{name_or_path}.yaml"
    if not p.exists():
        raise InputError("--scenario", name_or_path, "use one of " + ", ".join(list_scenarios())
                         + " or the path of a scenario YAML file")
    try:
        doc = yaml.safe_load(p.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise InputError("--scenario", str(p), f"it must be valid UTF-8 YAML ({str(exc).splitlines()[0]})") from None
    if not isinstance(doc, dict):
        raise InputError("--scenario", str(p), "a scenario is a mapping with name, effective, substitutes, ...")
    unknown = set(doc) - SCENARIO_KEYS
    if unknown:
        raise InputError("scenario", ", ".join(sorted(unknown)), "allowed keys are " + ", ".join(sorted(SCENARIO_KEYS)))
    for key in ("name", "effective", "substitutes"):
        if key not in doc:
            raise InputError(f"scenario.{key}", "(missing)", "this key is required")
    overlay = doc.get("overlay") or {}
    for path in overlay:
        if ".." in str(path) or not any(str(path).startswith(f) for f in OVERLAY_FILES):
            raise InputError("scenario.overlay", path, "overlay one of the guidelines/ data files, e.g. "
                             "drug-quantity/cocaine_base.yaml or statutes/21-usc-841.yaml")
    eff = _date(doc["effective"], "scenario.effective")
    subs = {str(k): _date(v, f"scenario.substitutes.{k}") for k, v in (doc["substitutes"] or {}).items()}
    return Scenario(str(doc["name"]), str(doc.get("description", doc["name"])), eff,
                    _date(doc.get("earliest_order", eff), "scenario.earliest_order"), subs, overlay,
                    dict(doc.get("reference") or {}), list(doc.get("published_estimates") or []))


@dataclass
class Totals:
    """Aggregates accumulated over the batches."""

    rows: int = 0
    valid: int = 0
    in_custody: int = 0
    affected: int = 0
    eligible: int = 0
    reductions_model: list = field(default_factory=list)
    reductions_lowest: list = field(default_factory=list)
    release_old: dict = field(default_factory=dict)
    release_new: dict = field(default_factory=dict)
    groups: dict = field(default_factory=dict)   # (column, value) -> [people, eligible, months]


def model_term(sentence: np.ndarray, omin: np.ndarray, omax: np.ndarray, amin: np.ndarray, amax: np.ndarray,
               lowest: np.ndarray) -> np.ndarray:
    """The Commission's model: the same relative position in the amended range as the sentence had in
    the original one (a below-range sentence keeps its proportion to the minimum; above the range, the
    same months above the maximum), never below the lowest permissible term nor above the sentence."""
    width = np.where(omax > omin, omax - omin, 1)
    inside = (sentence >= omin) & (sentence <= omax)
    pos = np.clip((sentence - omin) / width, 0, 1)
    new = np.where(inside, amin + np.round(pos * (amax - amin)),
                   np.where(sentence < omin, np.round(sentence * amin / np.where(omin > 0, omin, 1)),
                            amax + (sentence - omax)))
    return np.minimum(np.maximum(new, lowest), sentence)


def run(input_path: Path, scenario: Scenario, report_dir: Path, *, today: date, as_of: date | None = None,
        in_custody_on: date | None = None, annual_cost: float | None = None, grant_rate: float = 1.0,
        preset: str | None = None, progress: bool = True) -> dict:
    import pyarrow as pa

    from .checks import apply_sentence_check, check_sentence
    from .engine import compute
    from .io.flat import parse
    from .io.tables import read_batches
    from .regimes import Regime
    from .retro.eligibility import guideline_avenue
    from .retro.release import release_date

    if not 0 <= grant_rate <= 1:
        raise InputError("--grant-rate", grant_rate, "give a share between 0 and 1")
    law = Law(overlay=scenario.overlay)
    order = as_of or scenario.earliest_order
    custody_day = np.datetime64(in_custody_on or order, "D")
    report_dir.mkdir(parents=True, exist_ok=True)
    people = io.StringIO()
    pw = csv.writer(people)
    pw.writerow(["id", "eligible", "reasons", "sentence_months", "original_range", "amended_range",
                 "lowest_permissible_months", "model_months", "months_reduced_model", "months_reduced_lowest",
                 "release_original", "release_model"])
    tot = Totals()
    av = scenario.avenue()
    notes: list[str] = []
    if preset:
        from .io.ussc import preset_batches, read
        batches, notes = preset_batches(read(input_path), preset, law)
    else:
        batches = read_batches(input_path)
    for b in batches:
        table = pa.Table.from_batches([b])
        cases, problems = parse(table, law, today)
        bad = problems.bad_rows(table.num_rows)
        tot.rows += table.num_rows
        good = np.flatnonzero(~bad)
        if not len(good):
            continue
        c = cases.take(good)
        tot.valid += len(good)
        original = compute(law, c, Regime("original", None))
        # The same inference as every other path: a cooperator below a statutory minimum had a §3553(e) motion.
        apply_sentence_check(c, original, check_sentence(c, original, need_sentence=False))
        a = guideline_avenue(law, c, av, [av], original, original, None, order)
        n = len(c)
        on = np.full(n, np.datetime64(order, "D"))
        sentence = c.sentence_months
        rel_old, _ = release_date(law, c.custody_start, sentence + c.consecutive_months, c.prior_custody_days, on)
        custody = (np.isnat(c.custody_start) | (c.custody_start <= custody_day)) & \
            (np.isnat(rel_old) | (rel_old > custody_day))
        o, m = original.cols, a.amended.cols
        omin, omax = o["guideline_min"], o["guideline_max"]
        amin, amax = m["guideline_min"], m["guideline_max"]
        affected = ~np.isnan(a.lowest)  # the avenue lowers the range (§1B1.10(a)(2)(B); under (c), without §5G1.1)
        eligible = a.eligible & custody & (sentence < LIFE)
        lowest = np.where(np.isnan(a.lowest), sentence, a.lowest)
        model = np.where(eligible, model_term(sentence, omin, omax, amin, amax, lowest), sentence)
        red_model = np.where(eligible, sentence - model, 0.0)
        red_low = np.where(eligible, sentence - lowest, 0.0)
        rel_new, _ = release_date(law, c.custody_start, model + c.consecutive_months, c.prior_custody_days, on)
        rel_new = np.where(np.isnat(rel_new), rel_new, np.maximum(rel_new, on))  # no release before the order
        tot.in_custody += int(custody.sum())
        tot.affected += int((affected & custody).sum())
        tot.eligible += int(eligible.sum())
        tot.reductions_model.append(red_model[eligible])
        tot.reductions_lowest.append(red_low[eligible])
        for arr, bucket in ((rel_old[eligible], tot.release_old), (rel_new[eligible], tot.release_new)):
            years = arr[~np.isnat(arr)].astype("datetime64[Y]").astype(int) + 1970
            for y, k in zip(*np.unique(years, return_counts=True)):
                bucket[int(y)] = bucket.get(int(y), 0) + int(k)
        _groups(tot, table.take(pa.array(good)), original, eligible, red_model, custody)
        reasons = a.reason_bits()
        from .retro.common import REASON_CODES
        for i in range(n):
            if not custody[i]:
                continue
            codes = ";".join(code for k, code in enumerate(REASON_CODES) if reasons[i] >> k & 1)
            pw.writerow([c.id[i], bool(eligible[i]), codes, _m(sentence[i]), f"{_m(omin[i])}-{_m(omax[i])}",
                         f"{_m(amin[i])}-{_m(amax[i])}", _m(lowest[i]) if eligible[i] else "",
                         _m(model[i]) if eligible[i] else "", f"{red_model[i]:g}", f"{red_low[i]:g}",
                         _d(rel_old[i]), _d(rel_new[i]) if eligible[i] else ""])
    from .io.tables import write_text_atomic
    from .report.simulation import write_report
    write_text_atomic(report_dir / "people.csv", people.getvalue())
    return write_report(report_dir, scenario, tot, order=order, custody_day=custody_day, annual_cost=annual_cost,
                        grant_rate=grant_rate, preset=preset, preset_notes=notes, law=law)


GROUP_COLUMNS = ("race", "sex", "district", "circuit", "citizenship", "criminal_history_category")


def _groups(tot: Totals, table, original, eligible: np.ndarray, red: np.ndarray, custody: np.ndarray) -> None:
    from .case import CATEGORIES
    cols: dict[str, np.ndarray] = {}
    for name in GROUP_COLUMNS:
        if name == "criminal_history_category":
            cols[name] = np.array(CATEGORIES, dtype=object)[original.cols["criminal_history_category"] - 1]
        elif name in table.column_names:
            cols[name] = np.array([str(x) for x in table.column(name).to_pylist()], dtype=object)
    for name, values in cols.items():
        for v in np.unique(values[custody]):
            m = (values == v) & custody
            g = tot.groups.setdefault((name, str(v)), [0, 0, 0.0])
            g[0] += int(m.sum())
            g[1] += int((m & eligible).sum())
            g[2] += float(red[m & eligible].sum())


def _m(x: float) -> str:
    return "" if np.isnan(x) else ("life" if x >= LIFE else f"{x:g}")


def _d(x: np.datetime64) -> str:
    return "" if np.isnat(x) else str(x)
