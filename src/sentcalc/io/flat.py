"""The case file flattened to one column per scalar field (CSV, Parquet, JSON Lines, Stata, SPSS),
generated from the case model, and its vectorised validation with the model's own rules and words.

Column names: the field name, prefixed where it would be ambiguous (`conviction_drug`,
`criminal_history_points`, `findings_total_offense_level`); relevant-conduct quantities are one
`<drug>_grams` column per drug; adjustments are `adjustment_sections` ("2D1.1(b)(1);3B1.1(c)") with
`adjustment_levels` (their sum); earlier reductions are `reduction_avenues` ("amendment-782;...").
"""

from __future__ import annotations

import re
import typing
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

import numpy as np
from annotated_types import Ge, Le, MaxLen
from pydantic import BaseModel

from .. import reasons
from ..case import AVENUES, CATEGORIES, DEPARTURES, MAX_GRAMS, RISK_LEVELS, SUBSECTIONS, Case, risk_history
from ..columns import Cases
from ..errors import FieldProblem, raise_all
from ..law import LIFE, Law
from ..rules.drug_quantity import counted
from ..validate import check, drug_allowed

# Flat names that are not simply "<parent>_<field>" (the research-data names the issue fixes).
RENAME = {
    ("conviction", "statute"): "statute", ("conviction", "prior_convictions"): "prior_convictions",
    ("conviction", "priors_qualify_after_2018"): "priors_qualify_after_2018",
    ("conviction", "death_or_injury"): "death_or_injury",
    ("criminal_history", "status_points"): "status_points", ("criminal_history", "recency_points"): "recency_points",
    ("findings", "guideline_range", "min_months"): "findings_guideline_min_months",
    ("findings", "guideline_range", "max_months"): "findings_guideline_max_months",
    ("time_credits", "risk_level"): "pattern_risk_level", ("time_credits", "risk_history"): "pattern_history",
    ("time_credits", "programming_start"): "programming_start",
    ("time_credits", "earned_days"): "ftc_earned_days", ("time_credits", "earned_as_of"): "ftc_earned_as_of",
    ("time_credits", "removal_order"): "removal_order", ("time_credits", "organizer_finding"): "organizer_finding",
    ("time_credits", "consecutive_924c"): "consecutive_924c",
}
LISTS = {"drugs", "adjustments", "reductions"}  # flattened specially



@dataclass(frozen=True)
class Column:
    """One flat column: its name, the case-model path, its kind and the model's limits."""

    name: str
    path: tuple[str, ...]
    kind: str                     # str, date, number, int, bool, choice, months
    choices: tuple = ()
    ge: float | None = None
    le: float | None = None
    required: bool = False
    max_length: int | None = None


def model_columns(model: type[BaseModel], prefix: tuple[str, ...] = ()) -> list[Column]:
    """Every scalar field of `model` (nested models walked, the top-level lists left out), with its kind and limits."""
    out: list[Column] = []
    for name, f in model.model_fields.items():
        path = (*prefix, name)
        ann = f.annotation
        sub = [a for a in (typing.get_args(ann) or (ann,)) if isinstance(a, type) and issubclass(a, BaseModel)]
        if name in LISTS and not prefix:
            continue
        if sub:
            out += model_columns(sub[0], path)
            continue
        kind, choices = reasons.kind_of(ann)
        ge = next((m.ge for m in f.metadata if isinstance(m, Ge)), None)
        le = next((m.le for m in f.metadata if isinstance(m, Le)), None)
        longest = next((m.max_length for m in f.metadata if isinstance(m, MaxLen)), None)
        flat = RENAME.get(path) or "_".join(path)
        out.append(Column(flat, path, kind, choices, ge, le, f.is_required() and not prefix[1:], longest))
    return out


def quantity_key(law: Law, drug: str) -> str:
    """The case file's quantity field for `drug`: `count` for a counted substance, else `grams`."""
    return "count" if counted(law, drug) else "grams"


def quantity_column(law: Law, drug: str) -> str:
    """`<drug>_grams`, or `<drug>_count` for a counted substance (marihuana_plants_count)."""
    return f"{drug}_{quantity_key(law, drug)}"


def columns(law: Law) -> list[Column]:
    """Every flat column, in documentation order."""
    cols = model_columns(Case)
    drug_cols = [Column(quantity_column(law, d), ("drugs", d), "number", (), 0, MAX_GRAMS) for d in law.drugs]
    extra = [Column("adjustment_sections", ("adjustments", "section"), "str"),
             Column("adjustment_levels", ("adjustments", "levels"), "int", (), -50, 50),
             Column("named_adjustments", ("adjustments", "named"), "str"),
             Column("reduction_avenues", ("reductions", "avenue"), "str")]
    k = next(i for i, c in enumerate(cols) if c.name == "mitigating_role")
    return cols[:k] + drug_cols + extra[:3] + cols[k:] + extra[3:]


def case_to_row(case: Case, law: Law) -> dict[str, Any]:
    """One case as a flat row (inverse of the batch reader)."""
    d = case.model_dump(mode="json")
    row: dict[str, Any] = {}
    for c in columns(law):
        if c.path[0] == "drugs":
            row[c.name] = sum(x["grams"] for x in d["drugs"] if x["drug"] == c.path[1]) or None
        elif c.name == "adjustment_sections":
            row[c.name] = ";".join(a["section"] for a in d["adjustments"] if a["levels"] is not None)
        elif c.name == "adjustment_levels":
            row[c.name] = sum(a["levels"] or 0 for a in d["adjustments"])
        elif c.name == "named_adjustments":
            row[c.name] = ";".join(a["section"] for a in d["adjustments"] if a["levels"] is None)
        elif c.name == "reduction_avenues":
            row[c.name] = ";".join(r["avenue"] for r in d["reductions"])
        else:
            node: Any = d
            for p in c.path:
                node = node.get(p) if isinstance(node, dict) else None
            row[c.name] = node
    return row


def row_to_document(row: dict[str, Any], law: Law) -> dict[str, Any]:
    """A flat row back into a case document (for checking that batch and single case agree)."""
    def val(name: str) -> Any:
        v = row.get(name)
        return None if v is None or v == "" or (isinstance(v, float) and v != v) else v

    def typed(c: Column, v: Any) -> Any:
        if not isinstance(v, str):
            return v
        if c.kind == "bool":
            return v.strip().lower() in TRUE
        if c.kind in ("int", "number") or (c.kind == "choice" and all(isinstance(x, int) for x in c.choices)):
            try:
                x = float(v)
            except ValueError:
                return v
            return int(x) if x.is_integer() and c.kind != "number" else x
        if c.kind == "months" and v.strip().lower() != "life":
            try:
                return float(v)
            except ValueError:
                return v
        return v

    doc: dict[str, Any] = {}
    for c in columns(law):
        v = val(c.name)
        if v is None or c.path[0] in LISTS:
            continue
        v = typed(c, v)
        node = doc
        for p in c.path[:-1]:
            node = node.setdefault(p, {})
        node[c.path[-1]] = v
    doc["drugs"] = [{"drug": d, quantity_key(law, d): float(val(quantity_column(law, d)))}
                    for d in law.drugs if val(quantity_column(law, d)) is not None]
    secs = [x for x in str(val("adjustment_sections") or "").split(";") if x]
    total = int(val("adjustment_levels") or 0)
    # One sum over several sections: the engine counts it with Chapter Two (rules/adjustments.py), so the
    # levels go on the first Chapter Two section.
    from ..rules.adjustments import CHAPTER_TWO, stage_of
    first = next((k for k, x in enumerate(secs) if stage_of(law, x) == CHAPTER_TWO), 0)
    doc["adjustments"] = [{"section": x, "levels": total if k == first else 0} for k, x in enumerate(secs)]
    if total and not secs:
        doc["adjustments"] = [{"section": "2D1.1(b)(99)", "levels": total}]
    doc["adjustments"] += [{"section": x} for x in str(val("named_adjustments") or "").split(";") if x]
    doc["reductions"] = [{"avenue": a, "date": str(val("sentencing_date")), "months": 0}
                         for a in str(val("reduction_avenues") or "").split(";") if a]
    return doc


def missing_required(names: list[str], law: Law) -> list[str]:
    """Required columns absent from a header."""
    return [c.name for c in columns(law) if c.required and c.name not in names]


# --- the user's vocabulary: case-file paths as flat column names -------------------------------------------

def column_names(law: Law) -> dict[str, str]:
    """Case-file path → flat column, for every field whose names differ (criminal_history.points →
    criminal_history_points); `adjustments.section` (a named section the law checks) → named_adjustments."""
    out = {".".join(c.path): c.name for c in columns(law) if c.path[0] not in LISTS and ".".join(c.path) != c.name}
    return out | {"adjustments.section": "named_adjustments"}


def column_for(field: str, law: Law) -> str:
    """The flat column a case-file field is written in (the field itself when the names agree)."""
    return column_names(law).get(field, field)


def in_columns(text: str, law: Law) -> str:
    """A message written with case-file paths, in the flat columns' words."""
    return _path_pattern(law).sub(lambda m: column_names(law)[m.group(0)], text)


@lru_cache(maxsize=4)
def _path_pattern(law: Law) -> re.Pattern:
    names = sorted(column_names(law), key=len, reverse=True)
    return re.compile(r"(?<![\w.])(" + "|".join(map(re.escape, names)) + r")(?![\w])")


# --- the header: near misses and absent columns with a documented default ---------------------------------

COLUMN_ALIASES = {
    "chc": "criminal_history_category", "category": "criminal_history_category", "ch_category": "criminal_history_category",
    "criminal_history": "criminal_history_points", "points": "criminal_history_points", "chpts": "criminal_history_points",
    "ch_points": "criminal_history_points", "drug": "conviction_drug", "grams": "conviction_grams",
    "sentence": "sentence_months", "term": "sentence_months", "acceptance_of_responsibility": "acceptance",
    "role": "mitigating_role", "minor_role": "mitigating_role", "priors": "prior_convictions",
    "851": "prior_convictions", "safety_valve_applied": "safety_valve", "career": "career_offender",
    "manual": "guidelines_manual", "case_id": "id",
}
"""Column names a dataset may use for a sentcalc column (normalised: lower case, '_')."""

DEFAULTS = {
    "prior_convictions": "0", "death_or_injury": "false", "mitigating_role": "0", "acceptance": "0",
    "adjustment_sections": "none", "adjustment_levels": "0", "status_points": "0", "recency_points": "0",
    "career_offender": "false", "safety_valve": "false", "substantial_assistance": "false",
}
"""Columns that decide a result and, when absent, take the case file's documented default."""
RETRO_DEFAULTS = {"consecutive_months": "0", "prior_custody_days": "0", "previous_404_denied": "false",
                  "reduction_avenues": "none"}
"""The same, for the columns only retroactivity (--retro, simulate) reads."""


def aliases(law: Law) -> dict[str, str]:
    """Listed aliases of the columns: COLUMN_ALIASES, and each drug's street names (`crack_grams`)."""
    out = dict(COLUMN_ALIASES)
    for alias, drug in reasons.DRUG_ALIASES.items():
        if drug in law.drugs:
            out[f"{alias}_{quantity_key(law, drug)}"] = quantity_column(law, drug)
    return out


def near_miss(name: str, law: Law) -> str | None:
    """The sentcalc column a non-sentcalc column most likely means (the same name in another case or with
    '_', '-' or spaces, a listed alias, or within 2 edits — 1 for a name of 6 characters or fewer), or None
    for a column to carry through."""
    names = [c.name for c in columns(law)]
    if name in names:
        return None
    return reasons.suggest(name, names, aliases(law))


@dataclass
class Header:
    """What a header lacks: columns assumed at their default (column → default, in documentation order)."""

    assumed: dict[str, str]

    def text(self) -> list[str]:
        return [f"{k} absent: assumed {v} for every row" for k, v in self.assumed.items()]


def check_header(names: list[str], law: Law, *, retro: bool = False, strict: bool = False,
                 keep: tuple[str, ...] = ()) -> Header:
    """Every problem of an input's header at once: a required column absent, a column that is a near miss of
    a sentcalc column (unless kept with --keep), and under --strict a defaulted column absent. Returns the
    columns assumed at their default."""
    where = "INPUT columns"
    problems = [FieldProblem(where, n, "this column is required and absent; see the README's column list")
                for n in missing_required(names, law)]
    for n in names:
        best = near_miss(n, law) if n not in keep else None
        if best is not None and best not in names:
            problems.append(FieldProblem(where, n, f"did you mean {best}? rename the column, or pass --keep {n} to "
                                         "carry it through unchanged"))
        elif best is not None:
            problems.append(FieldProblem(where, n, f"{best} is also a column, and this one looks like a second copy "
                                         f"of it; remove it, or pass --keep {n} to carry it through unchanged"))
    defaults = DEFAULTS | (RETRO_DEFAULTS if retro else {})
    assumed = {k: v for k, v in defaults.items() if k not in names}
    if "criminal_history_points" not in names and "criminal_history_category" in names:
        assumed["criminal_history_points"] = "unknown (the category is carried unchanged)"
    if strict:
        problems += [FieldProblem(where, k, f"this column is absent, and --strict needs it (without it sentcalc "
                                  f"assumes {v})") for k, v in assumed.items()]
    raise_all(problems)
    return Header(assumed)


# --- vectorised parsing and validation --------------------------------------------------------------

NUMBER = r"^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$"
TRUE = {"true", "t", "yes", "y", "1", "1.0"}
FALSE = {"false", "f", "no", "n", "0", "0.0"}
SECTION = re.compile(r"^[1-8][A-Z]\d\.\d{1,2}(\([a-z0-9]{1,4}\))*$")


SEPARATED = ", separated by ';'"
PRINTED = ("id", "defendant", "court", "docket")
CONTROL = "[\\x00-\\x1f\\x7f-\\x9f]"
"""Unicode's control characters (category Cc), which the case file refuses in the fields it prints."""


@lru_cache(maxsize=1024)
def _one_of(choices: tuple, value: str) -> str:
    return reasons.one_of(choices, value)


@lru_cache(maxsize=1024)
def _drug_reason(law: Law, value: str) -> str:
    return drug_allowed(law, value)


@dataclass
class Problems:
    """Validation problems of one batch: row positions (within the batch), fields, values, reasons."""

    rows: list[int]
    fields: list[str]
    values: list[str]
    reasons: list[str]

    def add(self, mask: np.ndarray, field: str, raw: Any, reason: str | Any) -> None:
        """Record every row in `mask`; `raw` is the column's text (or a function giving it, called only
        when some row is bad)."""
        rows = np.flatnonzero(mask)
        if not len(rows):
            return
        raw = raw() if callable(raw) else raw
        for i in rows:
            self.rows.append(int(i))
            self.fields.append(field)
            v = raw[i]
            self.values.append("" if v is None else str(v)[:80])
            self.reasons.append(reason(i) if callable(reason) else reason)

    def add_one(self, row: int, field: str, value: Any, reason: str) -> None:
        """Record one row's problem (a check that runs after the columns are parsed)."""
        self.rows.append(row)
        self.fields.append(field)
        self.values.append("" if value is None else str(value)[:80])
        self.reasons.append(reason)

    def bad_rows(self, n: int) -> np.ndarray:
        m = np.zeros(n, dtype=bool)
        m[self.rows] = True
        return m


def _strings(table, name: str):
    import pyarrow as pa
    import pyarrow.compute as pc
    if name not in table.column_names:
        return None
    arr = table.column(name)

    def text(ch):
        if pa.types.is_timestamp(ch.type):
            ch = pc.cast(ch, pa.date32())
        return ch if pa.types.is_string(ch.type) else pc.cast(ch, pa.string())

    arr = pa.chunked_array([text(ch) for ch in arr.chunks] or [pa.array([], pa.string())], type=pa.string())
    arr = pc.utf8_trim_whitespace(arr)
    return pc.if_else(pc.equal(arr, ""), None, arr)


def _np(arr) -> np.ndarray:
    return arr.to_numpy(zero_copy_only=False)


def _mask(arr) -> np.ndarray:
    """A boolean Arrow result as numpy, null counted as false."""
    import pyarrow.compute as pc
    return _np(pc.fill_null(arr, False)).astype(bool)


def parse(table, law: Law, today: date) -> tuple[Cases, Problems]:
    """Columns and problems for an Arrow table of flat rows (every row is returned; bad rows are
    listed in Problems and must be dropped before computing)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    n = table.num_rows
    pr = Problems([], [], [], [])
    vals: dict[str, np.ndarray] = {}
    raw_cache: dict[str, np.ndarray] = {}

    texts: dict[str, Any] = {}

    def text(name: str):
        if name not in texts:
            texts[name] = _strings(table, name)
            if texts[name] is None:
                texts[name] = pa.chunked_array([pa.nulls(n, pa.string())])
        return texts[name]

    def raw(name: str):
        def get() -> np.ndarray:
            if name not in raw_cache:
                raw_cache[name] = _np(text(name))
            return raw_cache[name]
        return get

    def distinct(name: str, f) -> np.ndarray:
        """f of each distinct text value of a column (nulls as None), mapped back to every row."""
        enc = pc.dictionary_encode(text(name).combine_chunks() if n else pa.array([], pa.string()))
        values = [f(v) for v in enc.dictionary.to_pylist()]
        idx = _np(pc.fill_null(enc.indices, -1)).astype(np.int64)
        table_ = np.array(values + [f(None)], dtype=object)
        return table_[idx]

    for c in columns(law):
        s = text(c.name)
        missing = _mask(pc.is_null(s))
        if c.required:
            pr.add(missing, c.name, raw(c.name), reasons.REQUIRED)
        if c.kind in ("number", "int", "months"):
            ok = _mask(pc.is_null(s)) | _mask(pc.match_substring_regex(s, NUMBER))
            life = _mask(pc.equal(pc.utf8_lower(s), "life")) if c.kind == "months" else np.zeros(n, bool)
            endless = _mask(pc.match_substring_regex(s, f"^{reasons.NOT_FINITE}$", ignore_case=True))
            pr.add(~ok & ~life & ~endless, c.name, raw(c.name), reasons.for_kind(c.kind))
            pr.add(endless, c.name, raw(c.name), reasons.not_finite(c.kind))
            num = _np(pc.cast(pc.if_else(pc.match_substring_regex(s, NUMBER), s, None), pa.float64()))
            num = np.where(life, LIFE, num.astype(float))
            if c.kind == "int":
                frac = ~np.isnan(num) & (num != np.round(num))
                pr.add(frac, c.name, raw(c.name), reasons.WHOLE)
            if c.ge is not None:
                pr.add(num < c.ge, c.name, raw(c.name), reasons.at_least(c.ge))
            if c.le is not None:
                pr.add((num > c.le) & ~life, c.name, raw(c.name), reasons.at_most(c.le))
            if c.name == "sentence_months":
                pr.add(~life & ((num < 0) | (num > 10_000)), c.name, raw(c.name), reasons.SENTENCE_RANGE)
            vals[c.name] = num
        elif c.kind == "date":
            ts = pc.strptime(s, format="%Y-%m-%d", unit="s", error_is_null=True)
            # strptime rolls an impossible day over (2005-02-30 → 2005-03-02) and takes 2005-9-1: a date is
            # valid only when it prints back as written
            exact = _mask(pc.equal(pc.strftime(ts, format="%Y-%m-%d"), s))
            d = np.where(exact, _np(pc.cast(ts, pa.date32())).astype("datetime64[D]"), np.datetime64("NaT", "D"))
            get = raw(c.name)
            pr.add(~missing & np.isnat(d), c.name, get, lambda i, get=get: reasons.date_problem(get()[i]))
            vals[c.name] = d
        elif c.kind == "bool":
            low = pc.utf8_lower(s)
            t = _mask(pc.is_in(low, pa.array(sorted(TRUE))))
            f = _mask(pc.is_in(low, pa.array(sorted(FALSE))))
            pr.add(~missing & ~t & ~f, c.name, raw(c.name), reasons.BOOL)
            vals[c.name] = np.where(t, 1, np.where(f, 0, -1)).astype(np.int8)
        elif c.kind == "choice":
            choices = [str(x) for x in c.choices]
            ok = _mask(pc.is_in(s, pa.array(choices)))
            numeric = all(isinstance(x, int) for x in c.choices)
            if numeric:  # 2 and 2.0 are the same level
                num = _np(pc.cast(pc.if_else(pc.match_substring_regex(s, NUMBER), s, None), pa.float64())).astype(float)
                ok = ok | np.isin(num, [float(x) for x in c.choices])
                vals[c.name] = num
            else:
                vals[c.name] = s
            get = raw(c.name)
            pr.add(~missing & ~ok, c.name, get, lambda i, get=get, c=c: _one_of(c.choices, get()[i]))
        else:
            if c.max_length is not None:
                pr.add(_mask(pc.greater(pc.utf8_length(s), c.max_length)), c.name, raw(c.name),
                       reasons.at_most_chars(c.max_length))
            if c.name in PRINTED:
                pr.add(_mask(pc.match_substring_regex(s, CONTROL)), c.name, raw(c.name), reasons.CONTROL)
            vals[c.name] = s

    # Checks across fields (the case model's validators, vectorised, with the same words).
    od, sd = vals["offense_date"], vals["sentencing_date"]
    t64 = np.datetime64(today, "D")
    future = ~np.isnat(od) & (od > t64)
    pr.add(future, "offense_date", raw("offense_date"), reasons.after_today("offense_date", today))
    pr.add(~future & ~np.isnat(od) & ~np.isnat(sd) & (sd < od), "sentencing_date", raw("sentencing_date"),
           lambda i: reasons.sentencing_before_offense(sd[i], od[i]))
    cs = vals["custody_start"]
    late = ~np.isnat(cs) & (cs > t64)
    pr.add(late, "custody_start", raw("custody_start"), reasons.after_today("custody_start", today))
    pr.add(~late & ~future & ~np.isnat(cs) & ~np.isnat(od) & (cs < od), "custody_start", raw("custody_start"),
           lambda i: reasons.custody_before_offense(od[i]))
    pts, stp, rcp = vals["criminal_history_points"], vals["status_points"], vals["recency_points"]
    has_cat = _mask(pc.is_valid(text("criminal_history_category")))
    no_points = _mask(pc.is_null(text("criminal_history_points")))
    pr.add(no_points & ~has_cat, "criminal_history_points", raw("criminal_history_points"),
           in_columns(reasons.POINTS_OR_CATEGORY, law))
    st, rc = np.nan_to_num(stp).astype(int), np.nan_to_num(rcp).astype(int)
    pr.add(~np.isnan(pts) & (st + rc > pts), "status_points", raw("status_points"),
           lambda i: in_columns(reasons.status_exceeds(st[i], rc[i], reasons.number(pts[i])), law))
    pr.add(np.isnan(pts) & has_cat & ((st > 0) | (rc > 0)), "status_points", raw("status_points"),
           in_columns(reasons.STATUS_NEED_POINTS, law))
    sa = vals["substantial_assistance"] == 1
    dep_code = distinct("departure", lambda x: DEPARTURES.index(x) if x in DEPARTURES else 0).astype(np.int8)
    is_sa_dep = np.isin(dep_code, [DEPARTURES.index("5K1.1"), DEPARTURES.index("3553(e)")])
    dep_text = raw("departure")
    pr.add(is_sa_dep & ~sa, "departure", dep_text,
           lambda i: reasons.departure_needs_assistance(dep_text()[i]))
    pr.add(sa & np.isin(dep_code, [DEPARTURES.index("none"), DEPARTURES.index("other")])
           & _mask(pc.is_valid(text("departure"))), "departure", dep_text,
           lambda i: reasons.assistance_needs_departure(dep_text()[i]))
    conv_code = distinct("conviction_drug", lambda x: law.drugs.index(x) if x in law.drugs else -1).astype(np.int16)
    conv_text = raw("conviction_drug")
    pr.add(_mask(pc.is_valid(text("conviction_drug"))) & (conv_code < 0), "conviction_drug", conv_text,
           lambda i: _drug_reason(law, conv_text()[i]))
    qty = [vals[quantity_column(law, d)] for d in law.drugs]
    grams = np.column_stack([np.nan_to_num(q) for q in qty]) if law.drugs else np.zeros((n, 0))
    no_drug = np.all(np.column_stack([_mask(pc.is_null(text(quantity_column(law, d)))) for d in law.drugs]), axis=1)
    pr.add(no_drug, "drugs", np.full(n, "", dtype=object), "give at least one <drug>_grams (or <drug>_count) column value")
    conv_counted = np.array([counted(law, d) for d in law.drugs] + [False])[conv_code]
    has_g, has_c = ~np.isnan(vals["conviction_grams"]), ~np.isnan(vals["conviction_count"])
    pr.add(has_g & has_c, "conviction_count", raw("conviction_count"), in_columns(reasons.BOTH_QUANTITIES, law))

    def unit(i: int) -> str:
        drug = law.drugs[int(conv_code[i])]
        name = law.doc(f"drug-quantity/{drug}.yaml").get("unit", "units")
        return in_columns(reasons.unit(drug, counted(law, drug), name, "conviction"), law)

    pr.add(has_g & conv_counted & ~has_c, "conviction_grams", raw("conviction_grams"), unit)
    pr.add(has_c & ~conv_counted & (conv_code >= 0) & ~has_g, "conviction_count", raw("conviction_count"), unit)
    bad_sec = distinct("adjustment_sections", lambda x: x is not None and any(
        not SECTION.match(p) for p in str(x).split(";") if p)).astype(bool)
    pr.add(bad_sec, "adjustment_sections", raw("adjustment_sections"), reasons.SECTION + SEPARATED)
    bad_named = distinct("named_adjustments", lambda x: x is not None and any(
        not SECTION.match(p) for p in str(x).split(";") if p)).astype(bool)
    pr.add(bad_named, "named_adjustments", raw("named_adjustments"), reasons.SECTION + SEPARATED)
    bad_red = distinct("reduction_avenues", lambda x: x is not None and any(
        p not in AVENUES for p in str(x).split(";") if p)).astype(bool)
    pr.add(bad_red, "reduction_avenues", raw("reduction_avenues"),
           "use avenue ids separated by ';': " + ", ".join(AVENUES))

    bad_hist = distinct("pattern_history", lambda x: x is not None and not _history_ok(str(x), today)).astype(bool)
    pr.add(bad_hist, "pattern_history", raw("pattern_history"),
           "write dated PATTERN levels separated by ';', e.g. 2022-03-01:medium;2022-09-01:low (levels: "
           + ", ".join(RISK_LEVELS) + "; no date after today)")
    ed, ea = vals["ftc_earned_days"], vals["ftc_earned_as_of"]
    pr.add(np.isnan(ed) != np.isnat(ea), "ftc_earned_days", raw("ftc_earned_days"),
           "give ftc_earned_days and ftc_earned_as_of together (the BOP's figure and its date)")
    for name in ("ftc_earned_as_of", "programming_start"):
        pr.add(~np.isnat(vals[name]) & (vals[name] > t64), name, raw(name), f"{name} is after today ({today.isoformat()})")

    def code(name: str, choices: tuple, default: int = 0) -> np.ndarray:
        lookup = {c: k for k, c in enumerate(choices)}
        return distinct(name, lambda x: lookup.get(x, default)).astype(np.int8)

    def strings(name: str) -> np.ndarray:
        return distinct(name, lambda x: "" if x is None else x)

    def num(name: str, default: float) -> np.ndarray:
        return np.where(np.isnan(vals[name]), default, vals[name])

    cases = Cases(
        id=_np(pc.fill_null(text("id"), "")).astype(object),
        offense_date=od, sentencing_date=sd,
        statute=code("statute", SUBSECTIONS), conviction_drug=np.maximum(conv_code, 0).astype(np.int8),
        conviction_grams=np.where(np.isnan(vals["conviction_grams"]), vals["conviction_count"], vals["conviction_grams"]),
        prior_convictions=num("prior_convictions", 0).astype(np.int8),
        priors_qualify_after_2018=vals["priors_qualify_after_2018"],
        death_or_injury=vals["death_or_injury"] == 1, grams=grams,
        adjustment_sections=_all_sections(text("adjustment_sections"), text("named_adjustments"), n),
        named_adjustments=strings("named_adjustments"),
        explicit_adjustments=_explicit(text("adjustment_sections"), num("adjustment_levels", 0)),
        adjustment_levels=num("adjustment_levels", 0).astype(np.int16),
        mitigating_role=num("mitigating_role", 0).astype(np.int8), acceptance=num("acceptance", 0).astype(np.int8),
        criminal_history_points=num("criminal_history_points", -1).astype(np.int16),
        status_points=num("status_points", 0).astype(np.int8), recency_points=num("recency_points", 0).astype(np.int8),
        criminal_history_category=code("criminal_history_category", (None, *CATEGORIES), 0),
        career_offender=vals["career_offender"] == 1, safety_valve=vals["safety_valve"] == 1,
        substantial_assistance=sa, zero_point_offender=vals["zero_point_offender"],
        guidelines_manual=vals["guidelines_manual"], sentence_months=vals["sentence_months"].astype(float),
        custody_start=cs,
        findings_base_offense_level=num("findings_base_offense_level", -1).astype(np.int16),
        findings_total_offense_level=num("findings_total_offense_level", -1).astype(np.int16),
        findings_guideline_min_months=vals["findings_guideline_min_months"].astype(float),
        findings_guideline_max_months=vals["findings_guideline_max_months"].astype(float),
        departure=np.where(sa & ~is_sa_dep, DEPARTURES.index("5K1.1"), dep_code).astype(np.int8),
        reduction_avenues=strings("reduction_avenues"),
        consecutive_months=num("consecutive_months", 0), prior_custody_days=num("prior_custody_days", 0),
        previous_404_denied=vals["previous_404_denied"] == 1,
        fsa_applied_at_sentencing=vals["fsa_applied_at_sentencing"],
        plea_agreement_11c1c=vals["plea_agreement_11c1c"] == 1,
        bop_projected_release_date=vals["bop_projected_release_date"],
        supervised_release_months=vals["supervised_release_months"].astype(float),
        pattern_risk_level=code("pattern_risk_level", RISK_LEVELS, -1),
        pattern_history=distinct("pattern_history", lambda x: "" if x is None else _history_sorted(str(x))),
        programming_start=vals["programming_start"], ftc_earned_days=ed.astype(float), ftc_earned_as_of=ea,
        removal_order=vals["removal_order"], organizer_finding=vals["organizer_finding"],
        consecutive_924c=vals["consecutive_924c"],
        drugs=law.drugs,
    )
    ok = ~pr.bad_rows(n)
    if ok.any():
        idx = np.flatnonzero(ok)
        for p in check(cases.take(idx), law):
            pr.add_one(int(idx[p.row]), column_for(p.field, law), p.value, in_columns(p.allowed, law))
    return cases, pr


def _history_ok(text: str, today: date) -> bool:
    try:
        return all(d <= today for d, _ in risk_history(text))
    except ValueError:
        return False


def _history_sorted(text: str) -> str:
    """The history in date order, as the case model writes it ("" for a bad one: its row is refused)."""
    try:
        return ";".join(f"{d.isoformat()}:{lv}" for d, lv in risk_history(text))
    except ValueError:
        return ""


def _explicit(found, levels: np.ndarray) -> np.ndarray:
    """The adjustments found with their levels, as the engine reads them: the sections joined by "+" with
    their levels together ("2D1.1(b)(1)+3B1.1(c)=4"), since a flat row gives one sum."""
    import pyarrow.compute as pc
    sections = _np(pc.fill_null(pc.replace_substring(found, ";", "+"), "")).astype(object)
    lv = np.nan_to_num(levels).astype(np.int64)
    out = np.full(len(lv), "", dtype=object)
    given = (sections != "") | (lv != 0)
    out[given] = sections[given] + "=" + lv[given].astype(str).astype(object)
    return out


def _all_sections(found, named, n: int) -> np.ndarray:
    """Every section a row states, with or without levels (rules keyed on a section see both)."""
    import pyarrow.compute as pc
    a = _np(pc.fill_null(found, "")).astype(object)
    b = _np(pc.fill_null(named, "")).astype(object)
    both = (a != "") & (b != "")
    out = np.where(b == "", a, b).astype(object)
    if both.any():
        out[both] = a[both] + ";" + b[both]
    return out
