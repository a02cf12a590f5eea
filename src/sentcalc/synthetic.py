"""Synthetic federal drug cases in the flat layout, for the sample dataset, benchmarks and property
tests. Realistic in shape (drug mix, quantities around the statutory thresholds, criminal history,
guideline decisions, sentences near the bottom of the range), not in any individual's facts."""

from __future__ import annotations

from datetime import date

import numpy as np

DRUGS = ("cocaine_base", "cocaine", "methamphetamine", "heroin", "marihuana")
DRUG_P = (0.25, 0.25, 0.25, 0.15, 0.10)
# The (B) threshold in grams, around which quantities are drawn (law-free: only the shape of the data).
TYPICAL = {"cocaine_base": 28.0, "cocaine": 500.0, "methamphetamine": 50.0, "heroin": 100.0, "marihuana": 100_000.0}


def generate(n: int, seed: int = 2024) -> dict[str, np.ndarray]:
    """n synthetic cases as flat columns (numpy arrays, strings for text and dates)."""
    rng = np.random.default_rng(seed)
    drug = rng.choice(DRUGS, size=n, p=DRUG_P)
    typical = _lookup(drug)
    conv = np.round(typical * np.exp(rng.normal(0.3, 1.2, n)), 1)
    relevant = np.round(conv * np.exp(np.abs(rng.normal(0, 0.8, n))), 1)
    sentencing = np.datetime64("1996-01-01") + rng.integers(0, 365 * 28, n).astype("timedelta64[D]")
    offense = sentencing - rng.integers(120, 900, n).astype("timedelta64[D]")
    offense = np.maximum(offense, np.datetime64("1988-01-01"))
    ratio = conv / typical
    statute = np.where(ratio >= 10, "841(b)(1)(A)", np.where(ratio >= 1, "841(b)(1)(B)", "841(b)(1)(C)"))
    statute = np.where((drug == "marihuana") & (conv < 50_000), "841(b)(1)(D)", statute)
    statute = np.where((drug == "marihuana") & (conv >= 50_000) & (ratio < 1), "841(b)(1)(C)", statute)
    # keep (A)/(B) quantities above every threshold the subsection ever had (read from the law)
    from .law import default_law
    from .rules.statutes import lowest_threshold_ever
    law = default_law()
    a_floor = np.vectorize(lambda d: lowest_threshold_ever(law, d, "841(b)(1)(A)"))(drug)
    b_floor = np.vectorize(lambda d: lowest_threshold_ever(law, d, "841(b)(1)(B)"))(drug)
    conv = np.where(statute == "841(b)(1)(A)", np.maximum(conv, a_floor), conv)
    conv = np.where(statute == "841(b)(1)(B)", np.maximum(conv, b_floor), conv)
    relevant = np.maximum(relevant, conv)
    points = np.minimum(rng.geometric(0.25, n) - 1, 25)
    status = np.where((points >= 2) & (rng.random(n) < 0.3), 2, 0)
    recency = np.where((points >= 4) & (rng.random(n) < 0.15) & (sentencing < np.datetime64("2010-11-01")),
                       np.where(status > 0, 1, 2), 0)
    career = (points >= 6) & (rng.random(n) < 0.18)
    weapon = rng.random(n) < 0.15
    role = rng.random(n) < 0.08
    sv = (points <= 1) & ~weapon & ~role & (rng.random(n) < 0.7)
    mit = np.where(~role & (rng.random(n) < 0.1), rng.choice([2, 3, 4], n), 0)
    acceptance = rng.choice([3, 2, 0], size=n, p=[0.85, 0.05, 0.10])
    sections = np.where(weapon & role, "2D1.1(b)(1);3B1.1(c)", np.where(weapon, "2D1.1(b)(1)",
                                                                        np.where(role, "3B1.1(c)", "")))
    levels = weapon * 2 + role * 2
    sa = rng.random(n) < 0.12
    # sentence: a rough position; the engine decides the range, so the sentence is drawn on the scale of
    # the quantity (the simulation compares it with the recomputed ranges)
    base_months = 30 + 40 * np.log1p(ratio) + 6 * points + 30 * career
    sentence = np.round(np.where(sa, base_months * 0.7, base_months) * np.exp(rng.normal(0, 0.15, n)))
    custody = offense + rng.integers(0, 200, n).astype("timedelta64[D]")
    custody = np.minimum(custody, sentencing)
    cols: dict[str, np.ndarray] = {
        "id": np.char.add("SYN-", np.arange(1, n + 1).astype(str)),
        "offense_date": offense.astype(str), "sentencing_date": sentencing.astype(str),
        "statute": statute, "conviction_drug": drug, "conviction_grams": conv,
        "prior_convictions": np.where((points >= 3) & (rng.random(n) < 0.1), 1, 0),
        "death_or_injury": np.zeros(n, dtype=bool),
    }
    for d in ("cocaine_base", "cocaine", "heroin", "methamphetamine", "methamphetamine_actual", "marihuana"):
        cols[f"{d}_grams"] = np.where(drug == d, relevant, np.nan)
    cols.update({
        "adjustment_sections": sections, "adjustment_levels": levels, "mitigating_role": mit,
        "acceptance": acceptance, "criminal_history_points": points, "status_points": status,
        "recency_points": recency, "career_offender": career, "safety_valve": sv,
        "substantial_assistance": sa, "sentence_months": sentence, "custody_start": custody.astype(str),
        "race": rng.choice(["Black", "White", "Hispanic", "Other"], size=n, p=[0.45, 0.25, 0.26, 0.04]),
        "sex": rng.choice(["M", "F"], size=n, p=[0.88, 0.12]),
        "district": rng.choice(["ED Va", "SD Fla", "ND Ill", "WD Tex", "ED Pa", "SD NY", "ND Ga"], size=n),
    })
    cols["sentence_months"], cols["departure"] = lawful_sentences(cols, law)
    return cols


def lawful_sentences(cols: dict[str, np.ndarray], law) -> tuple[np.ndarray, np.ndarray]:
    """Each drawn sentence moved to where the law lets it be (the checks in sentcalc.checks): not below the
    statutory minimum without the safety valve; with substantial assistance, below the guideline range, on a
    §3553(e) motion where it is below the minimum too. Rows the validation refuses are left as they are."""
    import pyarrow as pa

    from .engine import compute_many
    from .io.flat import parse
    from .regimes import Regime

    sentence = np.asarray(cols["sentence_months"], dtype=float).copy()
    sa = np.asarray(cols["substantial_assistance"], dtype=bool)
    departure = np.where(sa, "5K1.1", None).astype(object)
    table = pa.table({k: pa.array(v, from_pandas=True) for k, v in cols.items() if k != "departure"})
    cases, problems = parse(table, law, date(2100, 1, 1))
    good = np.flatnonzero(~problems.bad_rows(len(sentence)))
    if not len(good):
        return sentence, departure
    c = compute_many(law, cases.take(good), [Regime("original", None)])[0].cols
    s = sentence[good]
    below_ok = c["safety_valve"]
    s = np.where(~sa[good] & ~below_ok, np.maximum(s, np.minimum(c["statutory_min"], 9_999)), s)
    s = np.where(sa[good], np.maximum(1, np.minimum(s, c["guideline_min"] - 1)), s)
    sentence[good] = s
    departure[good] = np.where(sa[good] & (s < c["statutory_min"]) & ~below_ok, "3553(e)", departure[good])
    return sentence, departure


def _lookup(drug: np.ndarray) -> np.ndarray:
    out = np.zeros(len(drug))
    for d, v in TYPICAL.items():
        out[drug == d] = v
    return out
