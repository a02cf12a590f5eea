"""The batch kernel: an Arrow table of flat case rows in, an Arrow table of results out.

This is the public entry point for distributed engines (Spark `mapInArrow`, Dask, Ray, DuckDB): the
same validation and the same engine as the single-case command, one vectorised pass per regime.
Rows that fail validation come back with `error_field` / `error_reason` set and no results.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import numpy as np

from .case import CAPTION, CATEGORIES
from .engine import Result, compute_many
from .errors import require
from .io.flat import column_for, in_columns, parse
from .law import LIFE, Law, default_law
from .regimes import Regime, parse_regime
from .rules.statutes import subsection_name
from .validate import Problem

AVENUE_PREFIX = {"amendment-706": "a706", "amendment-750": "a750", "amendment-782": "a782", "amendment-821": "a821",
                 "first-step-act-404": "fsa404"}


def regime_prefix(token: str) -> str:
    """A Stata-safe column prefix for a regime token: original→orig, 2010→r2010, 2012-05-01→d20120501."""
    named = {"original": "orig", "current": "curr", "pre-2007": "pre2007"}
    if token in named:
        return named[token]
    if re.fullmatch(r"\d{4}", token):
        return f"r{token}"
    return "d" + re.sub(r"[^0-9A-Za-z]", "", token)[:16]


@dataclass
class Options:
    regimes: list[str]
    retro: bool = False
    as_of: date | None = None
    today: date | None = None
    strict: bool = False
    warnings: str = "count"
    """count: `_n_assumptions`/`_n_warnings` per regime; text: also `_assumptions`/`_warnings`, the notes' text."""


def _months_cols(out: dict, name: str, m: np.ndarray) -> None:
    life = m >= LIFE
    out[name] = np.where(life | np.isnan(m), np.nan, m)
    out[f"{name}_life"] = life


def result_columns(r: Result, prefix: str, words: Callable[[str], str] | None = None) -> dict[str, np.ndarray]:
    """A regime's result columns; with `words` (which puts a note in the columns' vocabulary) also the text of
    every assumption and warning, joined by ' | '."""
    c = r.cols
    out: dict[str, np.ndarray] = {
        f"{prefix}_as_of": c["manual_date"],
        f"{prefix}_base_level": c["base_offense_level"].astype(np.int16),
        f"{prefix}_offense_level": c["total_offense_level"].astype(np.int16),
        f"{prefix}_chc": np.array(CATEGORIES, dtype=object)[c["criminal_history_category"] - 1],
    }
    _months_cols(out, f"{prefix}_table_min", c["table_min"])
    _months_cols(out, f"{prefix}_table_max", c["table_max"])
    _months_cols(out, f"{prefix}_gl_min", c["guideline_min"])
    _months_cols(out, f"{prefix}_gl_max", c["guideline_max"])
    out[f"{prefix}_stat_sub"] = np.array([subsection_name(t) for t in range(5)], dtype=object)[c["statutory_tier"]]
    _months_cols(out, f"{prefix}_stat_min", c["statutory_min"])
    _months_cols(out, f"{prefix}_stat_max", c["statutory_max"])
    for name, key in (("sr_min", "sr_min"), ("sr_max", "sr_max"), ("sr_gl_min", "sr_guideline_min"),
                      ("sr_gl_max", "sr_guideline_max")):
        _months_cols(out, f"{prefix}_{name}", c[key])
    out[f"{prefix}_career_offender"] = c["career_offender_applies"]
    out[f"{prefix}_n_assumptions"] = _count(r, "assumption")
    out[f"{prefix}_n_warnings"] = _count(r, "warning")
    if words is not None:
        out[f"{prefix}_assumptions"] = _texts(r, "assumption", words)
        out[f"{prefix}_warnings"] = _texts(r, "warning", words)
    return out


def _texts(r: Result, code: str, words: Callable[[str], str]) -> np.ndarray:
    n = len(r.cols["total_offense_level"])
    rows: list[list[str]] = [[] for _ in range(n)]
    for nt in r.notes:
        if nt.code == code:
            for i in np.flatnonzero(nt.mask):
                rows[i].append(words(nt.text(int(i))))
    return np.array([" | ".join(dict.fromkeys(x)) for x in rows], dtype=object)


def _count(r: Result, code: str) -> np.ndarray:
    n = len(r.cols["total_offense_level"])
    total = np.zeros(n, dtype=np.int16)
    for nt in r.notes:
        if nt.code == code:
            total += nt.mask
    return total


def retro_columns(retro) -> dict[str, np.ndarray]:
    from .retro.common import REASON_CODES

    out: dict[str, np.ndarray] = {}
    n = len(retro.release_now)
    best_low = np.full(n, np.inf)
    best_order = np.full(n, np.datetime64("NaT", "D"))
    best = np.full(n, "", dtype=object)
    for a in retro.analyses:
        p = AVENUE_PREFIX.get(a.id, a.id.replace("-", "_"))
        out[f"{p}_eligible"] = a.eligible
        bits = a.reason_bits()
        uniq, inv = np.unique(bits, return_inverse=True)
        names = np.array([";".join(c for k, c in enumerate(REASON_CODES) if b >> k & 1) for b in uniq], dtype=object)
        out[f"{p}_reasons"] = names[inv.reshape(-1)]
        # REASON_CODES is in order of precedence: the lowest set bit is the primary reason.
        primary = np.array([REASON_CODES[(int(b) & -int(b)).bit_length() - 1] if b else "" for b in uniq], dtype=object)
        out[f"{p}_primary_reason"] = primary[inv.reshape(-1)]
        _months_cols(out, f"{p}_lowest", a.lowest)
        out[f"{p}_order_date"] = a.earliest_order
        out[f"{p}_release_date"] = a.projected_release
        _release_columns(out, p, a.release, a.eligible)
        out[f"{p}_immediate"] = a.immediate_release
        if a.amended is not None:
            _months_cols(out, f"{p}_gl_min", a.amended.cols["guideline_min"])
            _months_cols(out, f"{p}_gl_max", a.amended.cols["guideline_max"])
        better = a.eligible & ((a.lowest < best_low) | ((a.lowest == best_low) & (a.earliest_order < best_order)))
        best = np.where(better, a.id, best)
        best_low = np.where(better, a.lowest, best_low)
        best_order = np.where(better, a.earliest_order, best_order)
    out["best_avenue"] = best
    _months_cols(out, "best_lowest", np.where(np.isinf(best_low), np.nan, best_low))
    out["best_order_date"] = best_order
    out["release_date_now"] = retro.release_now
    _release_columns(out, "now", retro.now, np.ones(n, dtype=bool))
    out["home_date_now"] = retro.now.home
    out["time_served_months"] = retro.served_now
    out["compassionate_release_flag"] = retro.compassionate_flag
    return out


def _release_columns(out: dict, prefix: str, proj, rows: np.ndarray) -> None:
    """The release dates of a projection (18 U.S.C. §§3585, 3624, 3632(d)(4)) where `rows`."""
    nat = np.datetime64("NaT", "D")
    c = proj.credits
    out[f"{prefix}_full_term_date"] = np.where(rows, proj.good.full_term, nat)
    out[f"{prefix}_gct_days"] = np.where(rows & (proj.good.gct_days >= 0), proj.good.gct_days, np.nan)
    out[f"{prefix}_weekday_release_date"] = np.where(rows, proj.weekday, nat)
    out[f"{prefix}_ftc_days"] = np.where(rows, c.days, np.nan)
    out[f"{prefix}_sr_transfer_date"] = np.where(rows, c.transfer, nat)
    out[f"{prefix}_prerelease_date"] = np.where(rows, c.prerelease, nat)


def recompute(table, options: Options, law: Law | None = None):
    """Flat case rows (an Arrow table) → results (an Arrow table, one row per input row)."""
    pa = require("pyarrow", "research", "the batch kernel")

    from .regimes import today as resolve_today
    from .retro.analyse import analyse

    law = law or default_law()
    today = options.today or resolve_today()
    as_of = options.as_of or today
    cases, problems = parse(table, law, today)
    n = table.num_rows
    if "preset_error" in table.column_names:
        pe = table.column("preset_error").to_numpy(zero_copy_only=False)
        unmapped = {int(i) for i in np.flatnonzero(pe != None)}  # noqa: E711
        keep = [k for k, r in enumerate(problems.rows) if r not in unmapped]  # the preset's reason says it all
        for name in ("rows", "fields", "values", "reasons"):
            setattr(problems, name, [getattr(problems, name)[k] for k in keep])
        for i in sorted(unmapped):
            problems.add(np.eye(1, n, i, dtype=bool)[0], "preset", np.full(n, "", dtype=object), str(pe[i]))
    good = np.flatnonzero(~problems.bad_rows(n))
    regimes = [parse_regime(t, law, today) for t in options.regimes]
    cols: dict[str, np.ndarray] = {}
    if len(good):
        sub, results, original = _checked(law, cases, problems, good, regimes, options)
        good = np.flatnonzero(~problems.bad_rows(n))
        known = {"original": original}
        words = (lambda t: in_columns(t, law)) if options.warnings == "text" else None
        for token, r in zip(options.regimes, results):
            cols.update(result_columns(r, regime_prefix(token), words))
            if token == "current":
                known[token] = r
        if options.retro and len(good):
            cols.update(retro_columns(analyse(law, sub, as_of, known, today=today)))
    bad = problems.bad_rows(n)
    arrays: dict[str, tuple[np.ndarray, np.ndarray | None]] = {"id": (cases.id, None)}
    if options.retro:  # echo the term now in force, which the worklist's months saved needs
        arrays["sentence_months_in"] = (np.where(cases.sentence_months >= LIFE, np.nan, cases.sentence_months), None)
    for name, v in cols.items():
        arrays[name] = _scatter(v, good, n)
    first_reason = {}
    for row, field, reason in zip(problems.rows, problems.fields, problems.reasons):
        first_reason.setdefault(row, (field, reason))
    err_field = np.full(n, None, dtype=object)
    err_reason = np.full(n, None, dtype=object)
    for row, (field, reason) in first_reason.items():
        err_field[row], err_reason[row] = field, reason
    arrays["error_field"] = (err_field, None)
    arrays["error_reason"] = (err_reason, None)
    extras = [c for c in table.column_names if c not in _flat_names(law) or c in CAPTION]
    first = {"id": _arrow(*arrays.pop("id"))}
    out = {**first, **{c: table.column(c) for c in extras}, **{k: _arrow(v, m) for k, (v, m) in arrays.items()}}
    return pa.table(out), problems, bad


def _checked(law: Law, cases, problems, good: np.ndarray, regimes: list, options: Options):
    """The rows that pass the sentence checks (and, with --strict, need no assumption), their results under
    every regime, and their original result. Rows refused go to `problems` with the same words as a case file."""
    from .checks import apply_sentence_check, check_sentence, strict_problems

    sub = cases.take(good)
    asked = [r.is_original for r in regimes]
    computed = compute_many(law, sub, regimes if any(asked) else [*regimes, Regime("original", None)])
    original = computed[asked.index(True)] if any(asked) else computed[-1]
    check = check_sentence(sub, original, need_sentence=options.retro)
    apply_sentence_check(sub, original, check)
    refused = [Problem(int(good[p.row]), p.field, p.value, p.allowed) for p in check.problems]
    if options.strict:
        flagged = {p.row for p in refused}
        refused += [p for p in strict_problems([original, *computed[:len(regimes)]], good) if p.row not in flagged]
    for p in refused:  # in the columns' words: the user wrote columns, not case-file paths
        problems.add_one(p.row, column_for(p.field, law), p.value, in_columns(p.allowed, law))
    if not refused:
        return sub, computed[:len(regimes)], original
    good = np.flatnonzero(~problems.bad_rows(len(cases)))  # once more without the refused rows
    return _checked(law, cases, problems, good, regimes, options) if len(good) else (cases.take(good), [], None)


def _flat_names(law: Law) -> set[str]:
    from .io.flat import columns
    return {c.name for c in columns(law)} | {"preset_error"}


def _scatter(v: np.ndarray, idx: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Results for the valid rows placed among all rows; returns values and a validity mask."""
    if v.dtype.kind == "M":
        out = np.full(n, np.datetime64("NaT", "D"))
    elif v.dtype.kind == "f":
        out = np.full(n, np.nan)
    elif v.dtype.kind in "iub":
        out = np.zeros(n, dtype=v.dtype)
    else:
        out = np.full(n, None, dtype=object)
    out[idx] = v
    valid = np.zeros(n, dtype=bool)
    valid[idx] = True
    return out, valid


def _arrow(v: np.ndarray, valid: np.ndarray | None = None):
    import pyarrow as pa
    mask = None if valid is None else ~valid
    if v.dtype.kind == "M":
        return pa.array(v.astype("datetime64[D]"), type=pa.date32(), from_pandas=True)
    if v.dtype.kind == "f":
        return pa.array(v, type=pa.float64(), from_pandas=True)
    if v.dtype.kind in "iub":
        return pa.array(v, mask=mask)
    return pa.array(v, type=pa.string(), from_pandas=True)

