"""Projected release dates: 18 U.S.C. §3624(b) good-conduct time on the term imposed, less credit for
prior custody (18 U.S.C. §3585(b)). A projection: the BOP prorates the final year by a few days."""

from __future__ import annotations

import numpy as np

from ..law import LIFE, Law

NAT = np.datetime64("NaT", "D")
DAYS_PER_MONTH = 365.25 / 12


def add_months(start: np.ndarray, months: np.ndarray) -> np.ndarray:
    """Calendar months after `start` (day of month kept, clipped to the month's end); fractions of a
    month as days."""
    whole = np.floor(np.nan_to_num(months)).astype(np.int64)
    first = start.astype("datetime64[M]")
    day = (start - first.astype("datetime64[D]")).astype(np.int64)
    target = first + whole
    month_len = ((target + 1).astype("datetime64[D]") - target.astype("datetime64[D]")).astype(np.int64)
    out = target.astype("datetime64[D]") + np.minimum(day, month_len - 1)
    frac = np.round((np.nan_to_num(months) - whole) * DAYS_PER_MONTH).astype(np.int64)
    return out + frac


def gct_days_per_year(law: Law, on: np.ndarray) -> np.ndarray:
    dt = law.dated("retroactivity.yaml", "good_conduct_time")
    return np.array([float(v.data["days_per_year_imposed"]) for v in dt.versions])[dt.index_on(on)]


def release_date(law: Law, custody_start: np.ndarray, term_months: np.ndarray, prior_custody_days: np.ndarray,
                 on: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Projected release for a term (months, consecutive terms included) begun on `custody_start`,
    with the good-conduct-time rule in force `on`. Returns (release date, good-conduct days); NaT for
    life or unknown start."""
    per_year = gct_days_per_year(law, on)
    life = term_months >= LIFE
    known = ~np.isnat(custody_start) & ~np.isnan(term_months) & ~life
    gct = np.where(known & (term_months > 12), np.floor(per_year * np.nan_to_num(term_months) / 12), 0).astype(np.int64)
    full = add_months(np.where(known, custody_start, np.datetime64("2000-01-01", "D")),
                      np.where(known, term_months, 0))
    out = full - gct - np.nan_to_num(prior_custody_days).astype(np.int64)
    return np.where(known, out, NAT), gct


def months_served(custody_start: np.ndarray, prior_custody_days: np.ndarray, on: np.ndarray) -> np.ndarray:
    """Whole months in custody by `on` (prior custody credit included); NaN where the start is unknown."""
    days = (on - custody_start).astype("float64") + np.nan_to_num(prior_custody_days)
    return np.where(np.isnat(custody_start), np.nan, np.floor(np.maximum(days, 0) / DAYS_PER_MONTH))
