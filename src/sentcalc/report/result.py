"""One case's result under one regime as the stable JSON shape (see the README)."""

from __future__ import annotations

import numpy as np

from ..case import CATEGORIES
from ..engine import Result
from ..law import LIFE
from ..rules.statutes import subsection_name


def months_value(m: float) -> int | str:
    """Months for output: an int, or "life"."""
    return "life" if m >= LIFE else int(round(float(m)))


def _optional(m: float) -> int | str | None:
    """Months, "life", or None where the law sets none."""
    return None if np.isnan(m) else months_value(m)


def _date(d: np.datetime64) -> str:
    return str(d.astype("datetime64[D]"))


def result_dict(result: Result, i: int) -> dict:
    """The stable keys first; more keys are welcome, these are the contract."""
    c = result.cols
    return {
        "regime": result.regime.token,
        "as_of": _date(c["manual_date"][i]),
        "statute_as_of": _date(c["statute_date"][i]),
        "base_offense_level": int(c["base_offense_level"][i]),
        "total_offense_level": int(c["total_offense_level"][i]),
        "criminal_history_category": CATEGORIES[int(c["criminal_history_category"][i]) - 1],
        "criminal_history_points": None if c["criminal_history_points"][i] < 0 else int(c["criminal_history_points"][i]),
        "table_range": {"min_months": months_value(c["table_min"][i]), "max_months": months_value(c["table_max"][i])},
        "guideline_range": {"min_months": months_value(c["guideline_min"][i]),
                            "max_months": months_value(c["guideline_max"][i])},
        "statutory_range": {"subsection": subsection_name(int(c["statutory_tier"][i])),
                            "min_months": months_value(c["statutory_min"][i]),
                            "max_months": months_value(c["statutory_max"][i]),
                            "nominal_min_months": months_value(c["statutory_nominal_min"][i]),
                            "safety_valve": bool(c["safety_valve"][i])},
        "supervised_release": {"min_months": _optional(c["sr_min"][i]), "max_months": _optional(c["sr_max"][i]),
                               "guideline_min_months": _optional(c["sr_guideline_min"][i]),
                               "guideline_max_months": _optional(c["sr_guideline_max"][i])},
        "career_offender_applies": bool(c["career_offender_applies"][i]),
        "hypothetical": bool(c["hypothetical"][i]),
        "steps": [r for s in result.steps if (r := s.render(i)) is not None],
        "assumptions": result.notes_for(i, "assumption"),
        "warnings": result.notes_for(i, "warning"),
        "discrepancies": result.notes_for(i, "discrepancy"),
    }


def same_outcome(a: dict, b: dict) -> bool:
    """Whether two results give the same levels and ranges (for choosing regimes to show)."""
    keys = ("total_offense_level", "criminal_history_category", "guideline_range", "statutory_range")
    return all(a[k] == b[k] for k in keys)
