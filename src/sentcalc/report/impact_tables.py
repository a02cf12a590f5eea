"""The impact report's tables, computed from sentcalc's own per-person results (never from a published
figure): the tables of the Sentencing Commission's retroactivity impact memoranda laid out from our
numbers, why people are not eligible, the funnel from rows read to expected grants, projected releases
by year, and the ranges around the point estimate.

Populations, stated on every table: "in custody" is everyone still in custody on the date; the
population of the breakdowns is the part of it sentenced before the change (under a Guidelines Manual
that predates the scenario's effective date), the people a retroactive change could reach.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..retro.common import REASON_CODES

MEMO_2011 = "USSC FSA memo (2011)"
MEMO_2014 = "USSC 2014 drug memo"
MEMO_2023 = "USSC 2023 criminal history memo"
DATA_FSA = "USSC FSA data report (2014)"
DATA_2014 = "USSC 2014 drug data report"
MEMOS = f"{MEMO_2011}; {MEMO_2014}; {MEMO_2023}"
SOURCES = {   # the layouts the tables follow (never a source of numbers)
    MEMO_2011: "U.S. Sentencing Commission, Office of Research and Data and Office of General Counsel, memorandum "
               "“Analysis of the Impact of Guideline Implementation of the Fair Sentencing Act of 2010 if the Amendment "
               "Were Applied Retroactively” (May 20, 2011)",
    MEMO_2014: "U.S. Sentencing Commission, Office of Research and Data, memorandum “Analysis of the Impact of the 2014 "
               "Drug Guidelines Amendment If Made Retroactive” (May 27, 2014)",
    MEMO_2023: "U.S. Sentencing Commission, Office of Research and Data and Office of General Counsel, memorandum "
               "“Retroactivity Impact Analysis of Parts A and B of the 2023 Criminal History Amendment” (May 15, 2023)",
    DATA_FSA: "U.S. Sentencing Commission, “Final Crack Retroactivity Data Report, Fair Sentencing Act” (December 2014)",
    DATA_2014: "U.S. Sentencing Commission, “2014 Drug Guidelines Amendment Retroactivity Data Report”",
}

NOT_GIVEN = "(not given)"
YES_NO = ("Yes", "No")
CATEGORIES = ("I", "II", "III", "IV", "V", "VI")
ROLES = ("Aggravating (§3B1.1)", "Mitigating (§3B1.2)", "None")
POSITIONS = ("Within range", "Above range", "Below range: substantial assistance", "Below range: other",
             "Sentence not given")
AGE_GROUPS = ("Under 21", "21-25", "26-30", "31-35", "36-40", "41-50", "Over 50", NOT_GIVEN)
AGE_BOUNDS = (21, 26, 31, 36, 41, 51)   # the lower bound of each group after the first

# What each reason code means, in a few words (the full reason, per person, is in `sentcalc retro`).
REASON_MEANINGS = {
    "career_offender": "range set by the career-offender guideline (§4B1.1), which the change does not lower",
    "mandatory_minimum": "a statutory minimum above the amended range remains the guideline sentence (§5G1.1(b)), "
                         "or displaced the range (Koons)",
    "above_top_threshold": "quantity at or above the top line of the amended Drug Quantity Table",
    "life": "the amended offense level still calls for life",
    "already_applied": "sentenced under a Manual that already had the change, or already reduced under it",
    "not_lowered": "the change does not lower the applicable range",
    "not_covered_offense": "not a covered offense (First Step Act §404)",
    "sentenced_under_fsa": "sentenced under the Fair Sentencing Act (First Step Act §404(c))",
    "previous_motion_denied": "an earlier motion was denied on the merits (First Step Act §404(c))",
    "sentence_below_amended_minimum": "the term in force is at or below the lowest permissible term (§1B1.10(b)(2))",
    "missing_sentence": "the term in force (sentence_months) is not given",
    "not_yet_in_force": "the order date is before the change takes effect",
    "sentence_completed": "the sentence appears to have been served",
}


@dataclass(frozen=True)
class Breakdown:
    """One characteristic the eligible are broken down by: its people.csv column and its labels."""

    key: str
    title: str
    fixed: tuple[str, ...] = ()    # the labels in their natural order (empty: the values found in the data)

    @property
    def mirrors(self) -> str:
        return f"{MEMOS}: eligible offenders by {self.title}"


BREAKDOWNS = (
    Breakdown("district", "sentencing district"),
    Breakdown("circuit", "circuit"),
    Breakdown("race", "race"),
    Breakdown("sex", "sex"),
    Breakdown("citizenship", "citizenship"),
    Breakdown("age_group", "age", AGE_GROUPS),
    Breakdown("original_chc", "criminal history category", CATEGORIES),
    Breakdown("career_offender", "career offender status (§4B1.1)", YES_NO),
    Breakdown("safety_valve", "safety valve (18 U.S.C. §3553(f), §5C1.2)", YES_NO),
    Breakdown("weapon", "weapon (§2D1.1(b)(1))", YES_NO),
    Breakdown("role", "role in the offense (§§3B1.1, 3B1.2)", ROLES),
    Breakdown("sentence_position", "position of the sentence relative to the original guideline range (within, "
              "below on substantial assistance, other below)", POSITIONS),
)
INPUT_BREAKDOWNS = ("district", "circuit", "race", "sex", "citizenship")
BY_KEY = {b.key: b for b in BREAKDOWNS}


@dataclass
class People:
    """Everyone in custody on the date, one entry per person, in people.csv order (numpy columns)."""

    before: np.ndarray       # bool: sentenced under a Manual that predates the change
    lowered: np.ndarray      # bool: ... and the change lowers the applicable range
    eligible: np.ndarray     # bool: ... and a lower term is permitted
    primary: np.ndarray      # int16: index into REASON_CODES of the first reason, -1 when eligible
    reasons: np.ndarray      # int64: every reason code as a bitmask over REASON_CODES
    sentence: np.ndarray     # months now in force (LIFE for life)
    model: np.ndarray        # new term under the Commission's model; NaN where not eligible
    lowest: np.ndarray       # the lowest permissible term; NaN where not eligible
    year_original: np.ndarray  # int32 projected release year on the term in force, 0 = none (life, unknown start)
    year_model: np.ndarray     # ... on the model term
    year_lowest: np.ndarray    # ... on the lowest permissible term
    groups: dict[str, np.ndarray] = field(default_factory=dict)   # breakdown key -> int32 index into labels
    labels: dict[str, list[str]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.before)

    @property
    def estimable(self) -> np.ndarray:
        """Eligible people whose months can be counted (a life sentence has no number of months)."""
        from ..law import LIFE
        return self.eligible & (self.sentence < LIFE)


class Collector:
    """Per-person results gathered batch by batch; text breakdowns are coded against one vocabulary."""

    def __init__(self) -> None:
        self.chunks: list[dict[str, Any]] = []
        self.vocab: dict[str, dict[str, int]] = {}

    def code(self, key: str, text) -> np.ndarray:
        """An Arrow string array as indices into this breakdown's labels (missing: "(not given)")."""
        import pyarrow.compute as pc
        vocab = self.vocab.setdefault(key, {})
        enc = pc.dictionary_encode(pc.fill_null(text, NOT_GIVEN)).combine_chunks()
        lookup = np.array([vocab.setdefault(str(v), len(vocab)) for v in enc.dictionary.to_pylist()] or [0], np.int32)
        return lookup[enc.indices.to_numpy(zero_copy_only=False)]

    def add(self, chunk: dict[str, Any]) -> None:
        """One batch's columns (People's fields) with `groups`: breakdown key -> codes."""
        self.chunks.append(chunk)

    def people(self) -> People:
        names = [f for f in People.__dataclass_fields__ if f not in ("groups", "labels")]
        if not self.chunks:
            return People(*(np.zeros(0, bool) for _ in names))
        cols = {n: np.concatenate([c[n] for c in self.chunks]) for n in names}
        groups = {k: np.concatenate([c["groups"][k] for c in self.chunks]) for k in self.chunks[0]["groups"]}
        return People(**cols, groups=groups, labels={k: list(BY_KEY[k].fixed) or list(self.vocab.get(k, {}))
                                                     for k in groups})


@dataclass
class Table:
    """One numbered table: machine keys and labels for its columns, rows of plain values (a row's `key`,
    where it has one, names it in summary.json; it is not shown)."""

    key: str
    title: str
    mirrors: str
    note: str
    columns: list[tuple[str, str]]
    rows: list[dict]
    number: int = 0

    def as_json(self) -> dict:
        return {"number": self.number, "title": self.title, "mirrors": self.mirrors, "note": self.note,
                "columns": [{"key": k, "label": v} for k, v in self.columns],
                "rows": [{k: _plain(r.get(k)) for k in (["key"] if "key" in r else []) + [c for c, _ in self.columns]}
                         for r in self.rows]}


def _plain(v: Any) -> Any:
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        return None if np.isnan(v) else round(float(v), 4)
    return v


@dataclass(frozen=True)
class Context:
    """What every table is stated against."""

    scenario: Any
    rate: Any            # simulate.GrantRate
    custody_day: str
    order: str
    rows: int
    valid: int
    annual_cost: float | None
    published: list[dict]


def tables(p: People, ctx: Context) -> list[Table]:
    """Every table of the report, numbered in the order they are shown."""
    out = [summary(p, ctx), funnel(p, ctx), reasons(p)]
    out += [breakdown(p, b, ctx) for b in BREAKDOWNS if b.key in p.groups]
    out += [releases(p, ctx), uncertainty(p, ctx)]
    if ctx.published:
        out.append(published(p, ctx))
    for k, t in enumerate(out, 1):
        t.number = k
    return out


def population_text(ctx: Context) -> str:
    return (f"people in custody on {ctx.custody_day} sentenced before the change (under a Guidelines Manual "
            f"before {ctx.scenario.effective})")


def _months(p: People, mask: np.ndarray) -> dict:
    """Average current and new sentence and reduction of the eligible people in `mask` (life excluded)."""
    est = mask & p.estimable
    n = int(est.sum())
    out: dict[str, Any] = {"counted": n}
    for which, new in (("model", p.model), ("lowest", p.lowest)):
        cur, nw = float(p.sentence[est].sum()), float(new[est].sum())
        red = p.sentence[est] - new[est]
        out[which] = {"avg_current": cur / n if n else None, "avg_new": nw / n if n else None,
                      "avg_reduction": (cur - nw) / n if n else None,
                      "median_reduction": float(np.median(red)) if n else None,
                      "pct_reduction": (cur - nw) / cur * 100 if cur else None,
                      "prison_years": (cur - nw) / 12}
    return out


def summary(p: People, ctx: Context) -> Table:
    r = ctx.rate
    m = _months(p, p.eligible)
    eligible = int(p.eligible.sum())
    life = eligible - m["counted"]
    rows = [
        {"key": "population", "measure": "In the population: " + population_text(ctx), "model": int(p.before.sum()),
         "lowest": int(p.before.sum())},
        {"key": "eligible", "measure": "Eligible for a reduced term", "model": eligible, "lowest": eligible},
        {"key": "life", "measure": "of whom serving life (months not estimated, left out of the averages below)",
         "model": life,
         "lowest": life},
    ]
    labels = (("avg_current", "Average current sentence (months)"), ("avg_new", "Average new sentence (months)"),
              ("avg_reduction", "Average reduction (months)"), ("median_reduction", "Median reduction (months)"),
              ("pct_reduction", "Average reduction (% of the current sentence: total months reduced / total "
               "current months)"),
              ("prison_years", "Prison-years saved if every eligible person's motion is granted"))
    rows += [{"key": k, "measure": label, "model": m["model"][k], "lowest": m["lowest"][k]} for k, label in labels]
    rows.append({"key": "expected_grants", "measure": f"Expected grants at a grant rate of {r} (fractional)",
                 "model": eligible * r.point, "lowest": eligible * r.point})
    rows.append({"key": "expected_prison_years", "measure": f"Expected prison-years saved at {r.point:.0%}",
                 "model": m["model"]["prison_years"] * r.point,
                 "lowest": m["lowest"]["prison_years"] * r.point})
    if ctx.annual_cost is not None:
        rows.append({"key": "expected_dollars",
                     "measure": f"Expected dollars saved at {r.point:.0%} (${ctx.annual_cost:,.0f} a prison-year)",
                     "model": round(m["model"]["prison_years"] * r.point * ctx.annual_cost),
                     "lowest": round(m["lowest"]["prison_years"] * r.point * ctx.annual_cost)})
    return Table("summary", "Estimated impact: people eligible for a reduced sentence, their average current and new "
                 "sentences", f"{MEMOS}: offenders eligible, average current and new sentence, average reduction",
                 "Model: the same position in the amended range as in the original range (the Commission's prison "
                 "impact model), never below the lowest permissible term. Lowest permissible term: the most a court "
                 "may reduce (USSG §1B1.10(b)(2)). Averages are over the eligible people serving a term of months.",
                 [("measure", "Measure"), ("model", "Model"), ("lowest", "Lowest permissible term")], rows)


def funnel_stages(p: People, ctx: Context) -> list[tuple[str, str, float]]:
    """(key, label, people) from rows read to expected grants; each stage a part of the one before."""
    return [
        ("rows", "Rows read", ctx.rows),
        ("valid", f"Valid rows ({ctx.rows - ctx.valid:,} invalid: see errors.csv)", ctx.valid),
        ("in_custody", f"In custody on {ctx.custody_day}", len(p)),
        ("sentenced_before_change", f"Sentenced before the change (Manual before {ctx.scenario.effective})",
         int(p.before.sum())),
        ("range_lowered", "Applicable guideline range lowered by the change", int(p.lowered.sum())),
        ("eligible", "Eligible for a reduced term", int(p.eligible.sum())),
        ("expected_grants", f"Expected grants at {ctx.rate} (fractional)", float(p.eligible.sum()) * ctx.rate.point),
    ]


def funnel(p: People, ctx: Context) -> Table:
    stages = funnel_stages(p, ctx)
    rows = []
    for k, (key, label, n) in enumerate(stages):
        prev = stages[k - 1][2] if k else None
        rows.append({"key": key, "label": label, "people": n,
                     "pct_previous": n / prev * 100 if prev else None,
                     "pct_rows": n / ctx.rows * 100 if ctx.rows else None})
    return Table("funnel", "From rows read to expected grants", "sentcalc's own",
                 f"Each stage is a part of the stage before. Percent of the stage before, and of the {ctx.rows:,} "
                 "rows read. The people who drop out at each stage are counted by reason in the next table.",
                 [("label", "Stage"), ("people", "People"), ("pct_previous", "% of the stage before"),
                  ("pct_rows", "% of rows read")], rows)


def reasons(p: People) -> Table:
    not_eligible = ~p.eligible
    n_not = int(not_eligible.sum())
    primary = np.bincount(p.primary[not_eligible & (p.primary >= 0)], minlength=len(REASON_CODES))
    rows = []
    for k, code in enumerate(REASON_CODES):
        anywhere = int(((p.reasons >> k) & 1).sum())
        if anywhere:
            rows.append({"code": code, "meaning": REASON_MEANINGS[code], "primary": int(primary[k]),
                         "pct_not_eligible": primary[k] / n_not * 100 if n_not else None,
                         "anywhere": anywhere, "pct_in_custody": anywhere / len(p) * 100 if len(p) else None})
    rows.sort(key=lambda r: (-r["primary"], -r["anywhere"]))
    rows.append({"code": "Total", "meaning": "people in custody who are not eligible", "primary": int(primary.sum()),
                 "pct_not_eligible": 100.0 if n_not else None, "anywhere": None, "pct_in_custody": None})
    return Table("reasons", "Why people in custody are not eligible",
                 f"sentcalc's own ({DATA_FSA} and {DATA_2014} count motions courts decided, not legal eligibility)",
                 f"Primary reason: the first code in people.csv's `reasons` column, so each of the {n_not:,} people in "
                 f"custody who are not eligible is counted once and the column adds up to {n_not:,}. Appears: every "
                 f"person whose reasons include the code (a person may have several), as a percent of the {len(p):,} "
                 "people in custody.",
                 [("code", "Reason code"), ("meaning", "What it means"), ("primary", "People (primary reason)"),
                  ("pct_not_eligible", f"% of the {n_not:,} not eligible"), ("anywhere", "People (code appears)"),
                  ("pct_in_custody", f"% of the {len(p):,} in custody")], rows)


def ordered_labels(p: People, key: str) -> list[int]:
    """The order a breakdown's values are shown in: natural for fixed labels and for districts and
    circuits, otherwise most people first; "(not given)" last."""
    labels = p.labels[key]
    idx = list(range(len(labels)))
    if not BY_KEY[key].fixed:
        counts = np.bincount(p.groups[key][p.before], minlength=len(labels))
        if key in ("district", "circuit"):
            idx.sort(key=lambda i: _natural(labels[i]))
        else:
            idx.sort(key=lambda i: (-counts[i], labels[i]))
        idx.sort(key=lambda i: labels[i] == NOT_GIVEN)
    return idx


def _natural(text: str) -> list:
    return [int(t) if t.isdigit() else t.lower() for t in re.split(r"(\d+)", text)]


def breakdown(p: People, b: Breakdown, ctx: Context) -> Table:
    codes = p.groups[b.key]
    k = len(p.labels[b.key])
    pop = np.bincount(codes[p.before], minlength=k)
    elig = np.bincount(codes[p.eligible], minlength=k)
    est = p.estimable
    cur = np.bincount(codes[est], weights=p.sentence[est], minlength=k)
    new = np.bincount(codes[est], weights=p.model[est], minlength=k)
    n_est = np.bincount(codes[est], minlength=k)
    total_elig = int(p.eligible.sum())

    def row(label: str, n_pop: int, n_elig: int, c: float, nw: float, n: int) -> dict:
        return {"value": label, "population": int(n_pop), "eligible": int(n_elig),
                "pct_of_eligible": n_elig / total_elig * 100 if total_elig else None,
                "pct_eligible": n_elig / n_pop * 100 if n_pop else None,
                "expected_grants": n_elig * ctx.rate.point,
                "avg_current": c / n if n else None, "avg_new": nw / n if n else None,
                "avg_reduction": (c - nw) / n if n else None, "pct_reduction": (c - nw) / c * 100 if c else None}

    rows = [row(p.labels[b.key][i], pop[i], elig[i], cur[i], new[i], n_est[i]) for i in ordered_labels(p, b.key)
            if pop[i] or elig[i]]
    rows.append(row("Total", pop.sum(), elig.sum(), cur.sum(), new.sum(), n_est.sum()))
    return Table(f"by_{b.key}", f"People eligible for a reduced sentence by {b.title}", b.mirrors,
                 f"Population: {population_text(ctx)} ({int(p.before.sum()):,}). % of all eligible: of the "
                 f"{total_elig:,} eligible; % of the group eligible: eligible / population in the row. Expected grants at "
                 f"{ctx.rate.point:.0%} (fractional). Sentences: averages in months over the eligible serving a term "
                 "of months, new sentence under the model; % reduction = months reduced / current months.",
                 [("value", b.title[0].upper() + b.title[1:]), ("population", "Population"), ("eligible", "Eligible"),
                  ("pct_of_eligible", "% of all eligible"), ("pct_eligible", "% of the group eligible"),
                  ("expected_grants", f"Expected grants at {ctx.rate.point:.0%}"),
                  ("avg_current", "Average current sentence"), ("avg_new", "Average new sentence"),
                  ("avg_reduction", "Average reduction (months)"), ("pct_reduction", "Average reduction (%)")], rows)


def release_counts(p: People) -> dict[str, dict[int, int]]:
    """Projected releases per year of the eligible: on the term in force, the model term and the lowest
    permissible term; every year from the first to the last is present (0 = no projected date)."""
    e = p.eligible
    arrays = {"original": p.year_original[e], "model": p.year_model[e], "lowest": p.year_lowest[e]}
    known = np.concatenate([a[a > 0] for a in arrays.values()])
    years = range(int(known.min()), int(known.max()) + 1) if len(known) else range(0)
    out = {}
    for name, a in arrays.items():
        ys, ns = np.unique(a, return_counts=True)
        found = dict(zip(ys.tolist(), ns.tolist()))
        out[name] = {y: found.get(y, 0) for y in years} | {0: found.get(0, 0)}
    return out


def releases(p: People, ctx: Context) -> Table:
    r = ctx.rate
    counts = release_counts(p)
    cols = [("year", "Year"), ("original", "Original sentence"), ("model", "All granted: model"),
            ("lowest", "All granted: lowest permissible term"), ("expected", f"Expected at {r.point:.0%}")]
    if r.is_range:
        cols += [("expected_low_rate", f"Expected at {r.low:.0%}"), ("expected_high_rate", f"Expected at {r.high:.0%}")]
    rows = []
    for y in counts["original"]:
        o, m = counts["original"][y], counts["model"][y]
        row = {"year": str(y) if y else "No projected date (life, or custody start not given)", "original": o,
               "model": m, "lowest": counts["lowest"][y], "expected": r.point * m + (1 - r.point) * o}
        if r.is_range:
            row |= {"expected_low_rate": r.low * m + (1 - r.low) * o, "expected_high_rate": r.high * m + (1 - r.high) * o}
        rows.append(row)
    rows.append({k: (sum(x[k] for x in rows) if k != "year" else "Total") for k, _ in cols})
    return Table("releases_by_year", "Projected releases by year, people eligible",
                 f"{MEMOS}: estimated releases by year",
                 f"The {int(p.eligible.sum()):,} eligible people by the year of their projected release (§3624(b) good-"
                 "conduct time; never before the order date). Expected at a grant rate r: r × the model column + "
                 "(1 − r) × the original column, so a denied motion keeps the original date and every column adds up "
                 "to the number eligible. Expected releases are fractional.", cols, rows)


def uncertainty(p: People, ctx: Context) -> Table:
    """Low, point and high: the grant-rate range crossed with the model and the lowest permissible term."""
    r = ctx.rate
    m = _months(p, p.eligible)
    eligible = float(p.eligible.sum())
    counts = release_counts(p)
    first = int(str(ctx.order)[:4])

    def first_year(rate: float, which: str) -> float:
        return rate * counts[which].get(first, 0) + (1 - rate) * counts["original"].get(first, 0)

    rows = [
        {"key": "expected_grants", "measure": "Expected grants (fractional)", "low": eligible * r.low,
         "point": eligible * r.point, "high": eligible * r.high},
        {"key": "prison_years", "measure": "Prison-years saved", "low": m["model"]["prison_years"] * r.low,
         "point": m["model"]["prison_years"] * r.point, "high": m["lowest"]["prison_years"] * r.high},
        {"key": "avg_reduction", "measure": "Average reduction of a person granted (months)",
         "low": m["model"]["avg_reduction"], "point": m["model"]["avg_reduction"], "high": m["lowest"]["avg_reduction"]},
        {"key": "releases_first_year", "measure": f"Expected releases in {first} (the order date's year)",
         "low": first_year(r.low, "model"), "point": first_year(r.point, "model"), "high": first_year(r.high, "lowest")},
    ]
    if ctx.annual_cost is not None:
        rows.insert(2, {"key": "dollars", "measure": "Dollars saved",
                        **{k: round(rows[1][k] * ctx.annual_cost) for k in ("low", "point", "high")}})
    return Table("uncertainty", "Ranges around the point estimate", "sentcalc's own (the memos give point estimates)",
                 f"Low: the model at the low grant rate ({r.low:.0%}); point: the model at the midpoint ({r.point:.0%}); "
                 f"high: every reduction to the lowest permissible term at the high grant rate ({r.high:.0%}). The "
                 "band between the model and the lowest permissible term is the range of what courts may do.",
                 [("measure", "Measure"), ("low", "Low"), ("point", "Point estimate"), ("high", "High")], rows)


def published(p: People, ctx: Context) -> Table:
    m = _months(p, p.eligible)["model"]
    ours_n, ours_red = int(p.eligible.sum()), m["avg_reduction"]
    rows = []
    for e in ctx.published:
        n, red = e.get("eligible"), e.get("mean_reduction_months")
        rows.append({"source": str(e.get("what", "")), "published_eligible": n, "eligible": ours_n,
                     "eligible_diff_pct": (ours_n - n) / n * 100 if n else None, "published_reduction": red,
                     "reduction": ours_red, "reduction_diff_pct": (ours_red - red) / red * 100 if red and ours_red is not None
                     else None})
    return Table("published_estimates", "Beside the Commission's published estimates",
                 "the published figures named in the scenario file (reference only, never used in a computation)",
                 "Difference: (sentcalc − published) / published, in percent. The populations differ: the Commission "
                 "counted people in BOP custody on its own date; sentcalc counts the rows of this dataset.",
                 [("source", "Published estimate"), ("published_eligible", "Eligible (published)"),
                  ("eligible", "Eligible (sentcalc)"), ("eligible_diff_pct", "Difference (%)"),
                  ("published_reduction", "Mean reduction, months (published)"),
                  ("reduction", "Mean reduction, months (sentcalc, model)"), ("reduction_diff_pct", "Difference (%)")],
                 rows)
