"""18 U.S.C. §3582(c)(2) and USSG §1B1.10: is the applicable guideline range lowered by a listed
amendment, what is the amended range, and what is the lowest term the court may impose."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np

from ..case import DEPARTURES
from ..columns import Cases
from ..engine import Result, compute
from ..law import LIFE, Law, as_date, months_text
from ..regimes import Dates, Regime
from ..rules.drug_quantity import top_threshold
from ..steps import note, step
from .common import Analysis, Avenue, is_lower, round_half_up
from .release import release_on

SA_5K = DEPARTURES.index("5K1.1")
SA_3553E = DEPARTURES.index("3553(e)")


def substituted_dates(base: Dates, subs: dict[str, date], token: str, day: date) -> Dates:
    """The original dates with each substituted component moved to the later of the Manual's date and
    the amended version's date (§1B1.10(b)(1): only the listed amendments change)."""
    comps = {**base.components, **{k: np.maximum(base.on(k), np.datetime64(v, "D")) for k, v in subs.items()}}
    return Dates(Regime(token, day), base.manual, base.statute, comps)


def cumulative(avs: list[Avenue], upto: Avenue, as_of: date | None = None) -> dict[str, date]:
    """The substitutions of `upto` and every earlier avenue, the latest date per component; with `as_of`,
    also the later substitutions an avenue takes from a date (706: Amendment 715 from 2008-05-01)."""
    out: dict[str, date] = {}
    for a in avs:
        if a.effective > upto.effective:
            break
        steps = [a.substitutes] + [{k: as_date(v) for k, v in later.items()}
                                   for when, later in sorted((a.data.get("later_substitutes") or {}).items())
                                   if as_of is not None and as_date(when) <= as_of]
        for subs in steps:
            for k, v in subs.items():
                out[k] = max(out.get(k, v), v)
    return out




def policy(law: Law, on: date) -> dict:
    """USSG §1B1.10 as in force on the order date."""
    return law.dated("retroactivity.yaml", "policy_statement").on(on).data


def guideline_avenue(law: Law, cases: Cases, av: Avenue, avs: list[Avenue], original: Result, previous: Result,
                     own: Result | None, as_of: date) -> Analysis:
    """One §1B1.10(d) amendment: the amended range (this and every earlier listed amendment
    substituted into the original calculation), eligibility and the lowest permissible term."""
    n = len(cases)
    base = original.dates
    subs = cumulative(avs, av, as_of)
    dates = substituted_dates(base, subs, av.id, av.effective)
    amended = compute(law, cases, Regime(av.id, av.effective), dates=dates, carry_from=own)
    pol = policy(law, as_of)
    o, p = original.cols, previous.cols

    sentence = cases.sentence_months
    has_sentence = ~np.isnan(sentence)
    # Already in the Manual used at sentencing: the avenue's own latest part (706: 715 from 2008-05-01).
    own = [av.effective] + [as_date(w) for w in (av.data.get("later_substitutes") or {}) if as_date(w) <= as_of]
    in_manual = base.manual >= np.datetime64(max(own), "D")
    applied = cases.has_reduction(av.id)
    not_yet = np.full(n, as_of < av.effective)

    # §1B1.10(c) (Amendment 780): where the court could go below a statutory minimum on a government
    # substantial-assistance motion (§3553(e)), the amended range is the Sentencing Table range, without
    # §5G1.1 — also where §5G1.1(c) only trimmed the original range. Koons: where the minimum displaced the
    # whole original range and the sentence went below it on that motion, it was not "based on" a range.
    open_ = ~(in_manual | not_yet)
    e_motion = cases.departure == SA_3553E
    rule_c = e_motion & (o["statutory_min"] > 0) & bool(pol["ignore_5g1_1_with_3553e"])
    koons = e_motion & (o["section_5g1_1"] == 2) & bool(pol.get("displaced_range_not_based_on_guidelines"))
    g5_min, g5_max = amended.cols["guideline_min"], amended.cols["guideline_max"]
    amended = without_5g1_1(amended, rule_c & open_)
    c = amended.cols
    a_min, a_max = c["guideline_min"], c["guideline_max"]
    # Whether the amendment lowers the range: like with like (under (c), Sentencing Table ranges).
    p_min, p_max = _range(p, rule_c)
    oc_min, oc_max = _range(o, rule_c)
    lowered_original = is_lower(a_min, a_max, oc_min, oc_max)
    lowered = lowered_original & is_lower(a_min, a_max, p_min, p_max)

    # The lowest permissible term (§1B1.10(b)(2)): the amended minimum, or after a below-range sentence on
    # a government substantial-assistance motion a comparably reduced term — the sentence's share of the
    # minimum of the original range as it applied (after §5G1.1), applied to the amended minimum
    # (§1B1.10 comment. (n.4(B)): 90 of 120 → 0.75 × 87 = 65).
    o_min, o_max = o["guideline_min"], o["guideline_max"]
    allowed = [DEPARTURES.index(x) for x in pol["comparable_reduction_for"]]
    below = has_sentence & (sentence < o_min) & (o_min > 0)
    # A life minimum gives no proportion to measure: the amended minimum is shown, with a note.
    no_share = below & np.isin(cases.departure, allowed) & (o_min >= LIFE)
    comparable = below & np.isin(cases.departure, allowed) & ~no_share
    ratio = np.where(comparable, np.nan_to_num(sentence) / np.where(o_min > 0, o_min, 1), 1.0)
    lowest = np.where(comparable, round_half_up(a_min * ratio), a_min)
    stat_min = c["statutory_min"]
    min_binds = ~e_motion & (lowest < stat_min)
    lowest = np.where(min_binds, stat_min, lowest)
    lowest = np.where(a_min >= LIFE, LIFE, lowest)
    sentence_ok = has_sentence & (lowest < sentence)

    # Why the range was not lowered, or the sentence cannot go lower: every cause that holds.
    co = c["career_offender_applies"] & (p["career_offender_applies"] | o["career_offender_applies"])
    life = c["table_min"] >= LIFE  # the offense level itself calls for life (a life minimum is mandatory_minimum)
    above_top = np.zeros(n, dtype=bool)
    reads_table = np.zeros(n, dtype=bool)
    if any(k.startswith("drug-quantity") for k in av.substitutes):
        for j, drug in enumerate(cases.drugs):
            comp = f"drug-quantity:{drug}"
            if comp in av.substitutes or "drug-quantity" in av.substitutes:
                top = top_threshold(law, drug, dates.on(comp))
                reads_table |= cases.grams[:, j] > 0
                above_top |= (cases.grams[:, j] >= top) & (c["base_offense_level"] == p["base_offense_level"])
    changed = reads_table
    for k in ("uncapped_base_offense_level", "base_offense_level", "total_offense_level", "criminal_history_points",
              "criminal_history_category"):
        changed = changed | (c[k] != p[k])
    # The statutory minimum stands in the way: it is the whole amended range (§5G1.1(b); §1B1.10 comment.
    # (n.1(A))), or without it the Sentencing Table ranges would be lowered and the sentence would be above
    # the lowest term they allow.
    pinned = c["section_5g1_1"] == 2
    t_lowered = is_lower(c["table_min"], c["table_max"], o["table_min"], o["table_max"]) & is_lower(
        c["table_min"], c["table_max"], p["table_min"], p["table_max"])
    t_lowest = np.where(comparable, round_half_up(c["table_min"] * ratio), c["table_min"])
    by_minimum = ~rule_c & ((pinned & ~lowered) | (((stat_min > c["table_min"]) | min_binds) & t_lowered
                                                   & has_sentence & (t_lowest < sentence)))
    cause = co | (by_minimum & ~lowered) | koons | life | above_top
    eligible = open_ & ~applied & ~koons & lowered & sentence_ok

    as_of64 = np.datetime64(as_of, "D")
    order = np.full(n, max(as_of64, np.datetime64(av.earliest_order, "D")))
    rel, served = release_on(law, cases, lowest + cases.consecutive_months, order)
    immediate = eligible & ~np.isnat(rel) & (rel <= order)

    fmt = months_text
    not_lowered = open_ & ~lowered
    reasons = [
        note("already_applied", in_manual & ~not_yet,
             f"{av.name} was already part of the Guidelines Manual used at sentencing."),
        note("not_yet_in_force", not_yet, f"{av.name} takes effect on {av.effective}; the order date is {as_of}."),
        note("already_applied", applied & open_, f"The sentence was already reduced under {av.name}."),
        note("not_lowered", not_lowered & (~changed | ~cause), lambda i: (
            f"The amendment does not lower the applicable range: with it the range is {_span(a_min[i], a_max[i])} months, "
            + (f"no lower than the {_span(p_min[i], p_max[i])} months the earlier listed amendments already give"
               if lowered_original[i] else f"no lower than the original {_span(oc_min[i], oc_max[i])} months")
            + ("; it changes nothing the calculation of this case uses." if not changed[i] else "."))),
        note("career_offender", not_lowered & co, "The range was set by the career-offender guideline (§4B1.1), "
             "which the amendment does not change (§1B1.10(a)(2)(B))."),
        note("mandatory_minimum", open_ & ~eligible & ~koons & by_minimum, lambda i: _minimum_text(
            stat_min[i], bool(lowered[i]), bool(stat_min[i] > c["table_min"][i]), c["table_min"][i], c["table_max"][i],
            t_lowest[i])),
        note("mandatory_minimum", koons & open_, lambda i: (
            f"The statutory minimum ({fmt(o['statutory_nominal_min'][i])} months) displaced the whole original range "
            "and the sentence went below it on a §3553(e) motion: it was not based on a guideline range "
            "(Koons v. United States, 138 S. Ct. 1783 (2018)).")),
        note("above_top_threshold", not_lowered & above_top,
             "The quantity is at or above the top row of the amended Drug Quantity Table, so the level is unchanged."),
        note("life", not_lowered & life, "The amended offense level still calls for life imprisonment."),
        note("missing_sentence", open_ & ~koons & lowered & ~has_sentence,
             "sentence_months (the term now in force) is not given, so eligibility cannot be decided."),
        note("sentence_below_amended_minimum", open_ & ~koons & lowered & has_sentence & ~sentence_ok,
             lambda i: f"The term now in force ({fmt(sentence[i])} months) is at or below the lowest permissible term "
             f"({fmt(lowest[i])} months)."),
    ]
    info = [
        note("info", comparable & eligible, lambda i: (
            f"Substantial assistance (§1B1.10(b)(2)(B)): the sentence of {fmt(sentence[i])} months was "
            f"{fmt(sentence[i])}/{fmt(o_min[i])} = {ratio[i]:.4f} of the original minimum; "
            f"{fmt(a_min[i])} × {ratio[i]:.4f} = {a_min[i] * ratio[i]:.2f}, rounded to {fmt(round_half_up(a_min[i] * ratio[i]))} "
            "months" + (f", but not below the statutory minimum of {fmt(stat_min[i])}" if min_binds[i] else "") + ".")),
        note("info", no_share & open_ & lowered, lambda i: (
            f"The sentence ({fmt(sentence[i])} months) was below an original range whose minimum was life, on a "
            "government substantial-assistance motion: §1B1.10(b)(2)(B) allows a comparably reduced term, but a life "
            f"minimum gives no proportion to measure, so the amended minimum ({fmt(a_min[i])} months) is shown; the "
            "court may go lower.")),
        note("info", rule_c & open_, lambda i: (
            "§1B1.10(c): the court could go below the statutory minimum on a government substantial-assistance motion "
            f"(§3553(e)), so the amended range is {_span(a_min[i], a_max[i])} months, determined without §5G1.1 "
            f"(which would make it {_span(g5_min[i], g5_max[i])}); USSG §1B1.10 comment. (n.4).")),
        note("info", cases.plea_agreement_11c1c & eligible, "Rule 11(c)(1)(C) plea: the sentence is generally "
             "'based on' the guideline range (Hughes v. United States, 138 S. Ct. 1765 (2018))."),
    ]
    steps = [step("amended_range", "USSG §1B1.10(b)(1)", av.citation, lambda i: (
        f"Substituting {av.name} (and every earlier listed amendment) into the original calculation: "
        f"{_span(o_min[i], o_max[i])} → {_span(a_min[i], a_max[i])} months"
        + (" (§1B1.10(c): without §5G1.1)." if rule_c[i] else ".")), applies=open_),
        step("lowest_permissible", "USSG §1B1.10(b)(2)", "USSG §1B1.10(b)(2)(A)-(B)", lambda i: (
            f"Lowest permissible term: {fmt(lowest[i])} months."), applies=eligible),
        step("earliest_order", "USSG §1B1.10(e)", av.citation, lambda i: (
            f"An order may take effect no earlier than {order[i]}."), applies=eligible)]
    return Analysis(av.id, av, eligible, np.where(eligible | (lowered & open_ & ~koons), lowest, np.nan),
                    np.where(eligible, order, np.datetime64("NaT", "D")), np.where(eligible, rel, np.datetime64("NaT", "D")),
                    served, immediate, amended, reasons, info, steps)


def _minimum_text(minimum: float, lowered: bool, sets_range: bool, tmin: float, tmax: float, t_lowest: float) -> str:
    """Why a statutory minimum stands in the way of a reduction (§5G1.1; §1B1.10(a)(2)(B), (b)(2))."""
    m = months_text(minimum)
    if not lowered:
        return (f"The statutory minimum of {m} months is the amended range (§5G1.1(b)), so the applicable range is "
                f"not lowered (§1B1.10(a)(2)(B)); without it the range would be {_span(tmin, tmax)} months.")
    if sets_range:
        return (f"The statutory minimum of {m} months still binds: it is the bottom of the amended range (§5G1.1) and "
                f"the lowest term the court may impose; without it the range would be {_span(tmin, tmax)} "
                "months.")
    return (f"The statutory minimum of {m} months still binds: without a §3553(e) motion the comparably reduced term "
            f"({months_text(t_lowest)} months) may not go below it.")


def without_5g1_1(r: Result, rows: np.ndarray) -> Result:
    """USSG §1B1.10(c): for `rows`, the amended range is the Sentencing Table range, determined without
    regard to §5G1.1 (and §5G1.2); the result records it as its guideline range, with a step saying so."""
    if not rows.any():
        return r
    c = r.cols
    cols = {**c, "guideline_min": np.where(rows, c["table_min"], c["guideline_min"]),
            "guideline_max": np.where(rows, c["table_max"], c["guideline_max"]),
            "section_5g1_1": np.where(rows, 0, c["section_5g1_1"])}
    steps = [replace(st, applies=(np.ones(len(rows), dtype=bool) if st.applies is None else st.applies) & ~rows)
             if st.rule == "statutory_limits" else st for st in r.steps]
    steps.append(step("policy_1b1_10_c", "USSG §1B1.10(c)", "USSG §1B1.10(c) and comment. (n.4) (Amendment 780)",
                      lambda i: f"With a §3553(e) motion the amended range is determined without §5G1.1: "
                      f"{_span(cols['guideline_min'][i], cols['guideline_max'][i])} months.", applies=rows))
    return Result(r.regime, r.dates, cols, steps, r.notes)


def _range(cols: dict, table: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The guideline range, or where `table` the Sentencing Table range (§1B1.10(c))."""
    return (np.where(table, cols["table_min"], cols["guideline_min"]),
            np.where(table, cols["table_max"], cols["guideline_max"]))


def _span(lo: float, hi: float) -> str:
    """A range in months as "lo–hi", or one value when the ends are equal (life, or a point)."""
    return months_text(lo) if lo == hi else f"{months_text(lo)}–{months_text(hi)}"


