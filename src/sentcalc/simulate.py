"""`sentcalc simulate`: a hypothetical (or real) retroactive change run over a whole dataset, like the
Sentencing Commission's prison impact model, through the same retroactivity code as `sentcalc retro`.

A scenario is data (guidelines/scenarios/*.yaml, or a user's YAML): an effective date, the law
components it substitutes, and an optional overlay of new dated versions laid over guidelines/.
New sentences follow the Commission's model by default — the same position in the amended range as
in the original, never below the lowest permissible term — and the lowest permissible term is
reported too.
"""

from __future__ import annotations

import contextlib
import csv
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from .errors import InputError
from .law import LIFE, Law, guidelines_root
from .retro.common import Avenue


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
    from .io.casefile import load_yaml, yaml_problem
    try:
        doc = load_yaml(p.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise InputError("--scenario", str(p), f"it must be valid YAML ({yaml_problem(exc)})") from None
    except UnicodeDecodeError as exc:
        raise InputError("--scenario", str(p), f"save it as UTF-8 (byte {exc.start} is not UTF-8)") from None
    if not isinstance(doc, dict):
        raise InputError("--scenario", str(p), "a scenario is a mapping with name, effective, substitutes, ...")
    from .law import default_law
    from .scenarios import problems
    found = problems(doc, default_law())
    if found:
        fld, value, allowed = found[0]
        more = f" ({len(found) - 1} more problem(s) after this one)" if len(found) > 1 else ""
        raise InputError(fld, value, allowed + more)
    overlay = doc.get("overlay") or {}
    eff = _date(doc["effective"], "scenario.effective")
    subs = {str(k): _date(v, f"scenario.substitutes.{k}") for k, v in (doc["substitutes"] or {}).items()}
    return Scenario(str(doc["name"]), str(doc.get("description", doc["name"])), eff,
                    _date(doc.get("earliest_order", eff), "scenario.earliest_order"), subs, overlay,
                    dict(doc.get("reference") or {}), list(doc.get("published_estimates") or []))


@dataclass(frozen=True)
class GrantRate:
    """The share of eligible motions courts grant: one value, or a range whose midpoint is the point
    estimate (the range is carried through counts, prison-years, dollars and releases)."""

    low: float
    high: float

    @property
    def point(self) -> float:
        return (self.low + self.high) / 2

    @property
    def is_range(self) -> bool:
        return self.high > self.low

    def __str__(self) -> str:
        return f"{self.low:.0%}-{self.high:.0%} (point estimate {self.point:.0%})" if self.is_range else f"{self.point:.0%}"


def parse_grant_rate(text: str | float) -> GrantRate:
    """`0.7`, or `0.6:0.8` (low:high)."""
    allowed = "give a share between 0 and 1 (0.7), or a range LOW:HIGH such as 0.6:0.8 (the midpoint is the point estimate)"
    try:
        values = [float(x) for x in str(text).split(":")]
    except ValueError:
        raise InputError("--grant-rate", text, allowed) from None
    if len(values) > 2 or not all(0 <= v <= 1 for v in values) or values[0] > values[-1]:
        raise InputError("--grant-rate", text, allowed)
    return GrantRate(values[0], values[-1])


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


RESULT_COLUMNS = ("in_custody", "sentenced_before_change", "range_lowered", "eligible", "primary_reason", "reasons",
                  "original_range", "amended_range", "lowest_permissible_months", "model_months",
                  "months_reduced_model", "months_reduced_lowest", "n_assumptions", "release_original", "release_model",
                  "release_lowest", "original_chc", "weapon", "role", "sentence_position", "age_group")


def run(input_path: Path, scenario: Scenario, report_dir: Path, *, today: date, as_of: date | None = None,
        in_custody_on: date | None = None, annual_cost: float | None = None, grant_rate: GrantRate = GrantRate(1, 1),
        preset: str | None = None, xlsx: bool = False, workers: int | None = None, time_credits: bool = False,
        keep: tuple[str, ...] = ()) -> dict:
    """Run the scenario over every row and write the report folder: people.csv (every input column beside
    the results), errors.csv (every invalid row), the tables, plots, report.md/.html, summary.json.
    Batches are computed on `workers` processes (default: up to 2), in order. Release dates are the BOP's
    good-conduct dates, with First Step Act time credits only when `time_credits` (retro/release.py). The
    input's header is checked as `sentcalc batch` checks it (`keep`: columns carried through although they
    look like a misspelt one)."""
    import os

    from .io.tables import AtomicWriter, publish, read_batches, temporary
    from .report.simulation import require_extras
    from .retro.release import method_summary

    require_extras(xlsx)
    import pyarrow as pa

    from .io.flat import check_header
    from .report.impact_tables import Collector
    from .report.simulation import write_report

    if annual_cost is not None and not 0 <= annual_cost < float("inf"):
        raise InputError("--annual-cost", annual_cost, "give the dollars a prison-year costs (0 or more)")
    law = scenario_law(scenario)
    order = as_of or scenario.earliest_order
    custody_day = in_custody_on or order
    report_dir.mkdir(parents=True, exist_ok=True)
    notes: list[str] = []
    if preset:
        from .io.ussc import preset_batches, read
        batches, notes = preset_batches(read(input_path), preset, law)
    else:
        batches = read_batches(input_path)
    people = AtomicWriter(report_dir / "people.csv")
    errors_path = report_dir / "errors.csv"
    err_tmp = temporary(errors_path)
    err_file = open(err_tmp, "w", encoding="utf-8", newline="")  # noqa: SIM115 - closed below
    err_csv = csv.writer(err_file)
    err_csv.writerow(["row", "id", "field", "value", "reason"])

    def checked(tables):
        for k, t in enumerate(tables):
            if k == 0 and not preset:
                notes.extend(check_header(t.column_names, law, retro=True, keep=keep).text())
            yield t
    collector = Collector()
    rows = valid = assumed = 0
    job = _Job(scenario, today, order, custody_day, time_credits)
    try:
        for n, problems, good, table, chunk in _in_order(checked(pa.Table.from_batches([b]) for b in batches), job,
                                                          min(2, os.cpu_count() or 1) if workers is None else workers):
            for row, ident, fld, value, reason in problems:
                err_csv.writerow([rows + row + 1, ident, fld, value, reason])
            rows += n
            valid += good
            if chunk is not None:
                assumed += chunk.pop("assumed")
                texts = chunk.pop("texts")
                chunk["groups"].update({k: collector.code(k, v) for k, v in texts.items()})
                collector.add(chunk)
                people.write(table)
        people.close()
        err_file.close()
        publish(err_tmp, errors_path)
    except BaseException:
        people.abort()
        err_file.close()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(err_tmp)
        raise
    return write_report(report_dir, scenario, collector.people(), rows_read=rows, valid=valid, order=order,
                        custody_day=custody_day, annual_cost=annual_cost, grant_rate=grant_rate, preset=preset,
                        preset_notes=notes + ([f"{assumed:,} people in custody needed an assumption (people.csv "
                                               "n_assumptions; `sentcalc batch` or `sentcalc retro` gives the text)."]
                                               if assumed else []), law=law, xlsx=xlsx,
                        release_method=method_summary(law, time_credits))


_LAWS: dict[str, Law] = {}


def scenario_law(scenario: Scenario) -> Law:
    """The law with the scenario's overlay, built once per process."""
    key = yaml.safe_dump(scenario.overlay, sort_keys=True)
    if key not in _LAWS:
        _LAWS[key] = Law(overlay=scenario.overlay)
    return _LAWS[key]


@dataclass(frozen=True)
class _Job:
    """One batch's work, run in a worker process: validate, analyse, and build its people.csv rows."""

    scenario: Scenario
    today: date
    order: date
    custody_day: date
    time_credits: bool = False

    def __call__(self, table) -> tuple:
        import pyarrow as pa

        from .checks import apply_sentence_check, check_sentence
        from .engine import compute
        from .io.flat import parse
        from .io.ussc import preset_problems
        from .regimes import Regime
        law = scenario_law(self.scenario)
        cases, problems = parse(table, law, self.today)
        preset_problems(table, problems)
        good = np.flatnonzero(~problems.bad_rows(table.num_rows))
        while len(good):   # the sentence checks every input path shares (checks.py); refused rows are errors
            c = cases.take(good)
            original = compute(law, c, Regime("original", None))
            check = check_sentence(c, original, need_sentence=False)
            apply_sentence_check(c, original, check)
            for pr in check.problems:
                problems.add_one(int(good[pr.row]), pr.field, pr.value, pr.allowed)
            if not check.problems:
                break
            good = np.flatnonzero(~problems.bad_rows(table.num_rows))
        ids = table.column("id").to_pylist() if "id" in table.column_names else [None] * table.num_rows
        errors = [(row, "" if ids[row] is None else str(ids[row])[:200], fld, value, reason) for row, fld, value, reason
                  in sorted(zip(problems.rows, problems.fields, problems.values, problems.reasons), key=lambda x: x[0])]
        if not len(good):
            return table.num_rows, errors, 0, None, None
        out, chunk = _batch(law, self.scenario, c, original, table.take(pa.array(good)), self.order, self.custody_day,
                            self.today, self.time_credits)
        return table.num_rows, errors, len(good), out, chunk


def _in_order(tables, job: _Job, workers: int):
    """job over the tables, results in input order; with workers > 1 and more than one batch, on a pool of
    processes with at most workers + 1 batches in flight (recycled so freed memory returns to the system)."""
    from concurrent.futures import ProcessPoolExecutor

    from .io.tables import BATCH_ROWS
    tables = iter(tables)
    first = next(tables, None)
    if first is None:
        return
    if workers <= 1 or first.num_rows < BATCH_ROWS:   # a single batch: no pool
        yield job(first)
        for t in tables:
            yield job(t)
        return
    with ProcessPoolExecutor(max_workers=workers, max_tasks_per_child=8) as pool:
        pending = [pool.submit(job, first)]
        for t in tables:
            pending.append(pool.submit(job, t))
            if len(pending) > workers:
                yield pending.pop(0).result()
        for f in pending:
            yield f.result()


def _batch(law: Law, scenario: Scenario, c, original, table, order: date, custody_day: date, today: date,
           time_credits: bool) -> tuple[Any, dict]:
    """One batch of valid rows: its rows of people.csv (every input column beside the results) and the
    per-person results the tables are computed from (people in custody; text breakdowns still as text)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from .report.impact_tables import AGE_BOUNDS, AGE_GROUPS, BY_KEY, INPUT_BREAKDOWNS
    from .retro.common import REASON_CODES
    from .retro.eligibility import guideline_avenue
    from .retro.release import project

    av = scenario.avenue()
    a = guideline_avenue(law, c, av, [av], original, original, None, order)
    n = len(c)
    on = np.full(n, np.datetime64(order, "D"))
    day = np.datetime64(custody_day, "D")
    sentence = c.sentence_months

    def release(term: np.ndarray) -> np.ndarray:
        """The day the person leaves prison (good-conduct time; time credits only when asked for)."""
        return project(law, c, term + c.consecutive_months, today, time_credits).home

    rel_old = release(sentence)
    custody = (np.isnat(c.custody_start) | (c.custody_start <= day)) & (np.isnat(rel_old) | (rel_old > day))
    before = custody & (original.dates.manual < np.datetime64(scenario.effective, "D"))
    bits = np.where(custody, a.reason_bits(), 0)
    eligible = before & a.eligible
    lowered = before & ~np.isnan(a.lowest)   # the avenue lowers the range (§1B1.10(a)(2)(B); under (c), without §5G1.1)
    o, m = original.cols, a.amended.cols
    omin, omax = o["guideline_min"], o["guideline_max"]
    lowest = np.where(eligible, a.lowest, np.nan)
    model = np.where(eligible, model_term(sentence, omin, omax, m["guideline_min"], m["guideline_max"],
                                          np.nan_to_num(lowest)), np.nan)
    rel_model, rel_low = release(np.nan_to_num(model)), release(np.nan_to_num(lowest))
    rel_model, rel_low = (np.where(eligible & ~np.isnat(r), np.maximum(r, on), np.datetime64("NaT", "D"))
                          for r in (rel_model, rel_low))   # no release before the order date
    ordered, primary = _ordered_reasons(a, bits)

    # the breakdowns: computed characteristics, then the input's own columns
    groups = {
        "original_chc": np.clip(o["criminal_history_category"], 1, 6) - 1,
        "career_offender": np.where(c.career_offender, 0, 1),
        "safety_valve": np.where(c.safety_valve, 0, 1),
        "weapon": np.where(c.has_section("2D1.1(b)(1)") | c.has_named("2D1.1(b)(1)"), 0, 1),
        "role": np.where(c.has_section("3B1.1") | c.has_named("3B1.1"), 0, np.where(c.mitigating_role > 0, 1, 2)),
        "sentence_position": np.select(
            [np.isnan(sentence), (sentence >= omin) & (sentence <= omax), sentence > omax, c.substantial_assistance],
            [4, 0, 1, 2], 3),
    }
    if "age" in table.column_names:
        age = _number(table.column("age"))
        groups["age_group"] = np.where(np.isnan(age), len(AGE_GROUPS) - 1, np.searchsorted(AGE_BOUNDS, age, "right"))
    keep = np.flatnonzero(custody)
    assumed = sum((nt.mask for nt in original.notes if nt.code == "assumption"), np.zeros(n, np.int16))
    chunk = {
        "assumed": int((assumed[keep] > 0).sum()),
        "before": before[keep], "lowered": lowered[keep], "eligible": eligible[keep], "primary": primary[keep],
        "reasons": bits[keep], "sentence": sentence[keep], "model": model[keep], "lowest": lowest[keep],
        "year_original": _year(rel_old[keep]), "year_model": _year(rel_model[keep]), "year_lowest": _year(rel_low[keep]),
        "groups": {k: v[keep].astype(np.int32) for k, v in groups.items()},
        "texts": {k: _text(table.column(k)).take(pa.array(keep)) for k in INPUT_BREAKDOWNS if k in table.column_names},
    }

    def col(values, mask=custody) -> Any:
        """A result column, empty where `mask` is false (results are given for people in custody)."""
        if isinstance(values, pa.Array):
            return pc.if_else(pa.array(mask), values, pa.scalar(None, values.type))
        return pa.array(values, mask=~mask)

    life = sentence >= LIFE
    red_model, red_low = sentence - model, sentence - lowest
    results = {
        "in_custody": pa.array(custody), "sentenced_before_change": col(before), "range_lowered": col(lowered),
        "eligible": col(eligible), "primary_reason": col(np.array(["", *REASON_CODES], dtype=object)[primary + 1]),
        "reasons": col(ordered),
        "original_range": col(_range(omin, omax)), "amended_range": col(_range(m["guideline_min"], m["guideline_max"])),
        "lowest_permissible_months": col(_months_text(lowest), eligible),
        "model_months": col(_months_text(model), eligible),
        "months_reduced_model": col(red_model, eligible & ~life), "months_reduced_lowest": col(red_low, eligible & ~life),
        "n_assumptions": col(assumed),
        "release_original": col(rel_old, custody & ~np.isnat(rel_old)),
        "release_model": col(rel_model, ~np.isnat(rel_model)), "release_lowest": col(rel_low, ~np.isnat(rel_low)),
        **{k: col(np.array(BY_KEY[k].fixed, dtype=object)[v]) for k, v in groups.items() if k in RESULT_COLUMNS},
    }
    inputs = {(f"input_{name}" if name in results else name): _text(table.column(name)) for name in table.column_names}
    ident = {"id": inputs.pop("id")} if "id" in inputs else {}
    return pa.table({**ident, **results, **inputs}), chunk


def _ordered_reasons(a, bits: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each row's reason codes joined by ';' in the analysis' own order (the first is the primary
    reason), and the primary reason's index in REASON_CODES (-1: none). Found once per distinct set."""
    from .retro.common import REASON_CODES
    masks, first, inverse = np.unique(bits, return_index=True, return_inverse=True)
    codes = [a.reason_codes(int(i)) if mask else [] for mask, i in zip(masks, first)]
    text = np.array([";".join(cs) for cs in codes], dtype=object)[inverse.reshape(-1)]
    primary = np.array([REASON_CODES.index(cs[0]) if cs else -1 for cs in codes], dtype=np.int16)[inverse.reshape(-1)]
    return text, primary


def _text(column) -> Any:
    """A column as text, as it was given (dates as YYYY-MM-DD)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    if pa.types.is_timestamp(column.type):
        column = pc.cast(column, pa.date32())
    return column if pa.types.is_string(column.type) else pc.cast(column, pa.string())


def _number(column) -> np.ndarray:
    """A column as numbers; text that is not a number is NaN."""
    import pyarrow as pa
    import pyarrow.compute as pc
    text = pc.utf8_trim_whitespace(_text(column))
    ok = pc.fill_null(pc.match_substring_regex(text, r"^[-+]?(\d+(\.\d*)?|\.\d+)$"), False)
    return pc.cast(pc.if_else(ok, text, pa.scalar(None, pa.string())), pa.float64()).to_numpy(zero_copy_only=False)


def _year(d: np.ndarray) -> np.ndarray:
    return np.where(np.isnat(d), 0, d.astype("datetime64[Y]").astype(np.int64) + 1970).astype(np.int32)


def _months_text(x: np.ndarray) -> Any:
    import pyarrow as pa
    import pyarrow.compute as pc
    return pc.if_else(pa.array(x >= LIFE), "life", pc.cast(pa.array(x, from_pandas=True), pa.string()))


def _range(lo: np.ndarray, hi: np.ndarray) -> Any:
    import pyarrow.compute as pc
    return pc.binary_join_element_wise(_months_text(lo), _months_text(hi), "-")
