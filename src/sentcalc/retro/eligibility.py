"""18 U.S.C. §3582(c)(2) and USSG §1B1.10: is the applicable guideline range lowered by a listed
amendment, what is the amended range, and what is the lowest term the court may impose."""

from __future__ import annotations

from datetime import date

import numpy as np

from ..case import DEPARTURES
from ..columns import Cases
from ..engine import Result, compute
from ..law import LIFE, Law
from ..regimes import Dates, Regime
from ..rules.drug_quantity import top_threshold
from ..steps import note, step
from .common import Analysis, Avenue, is_lower, round_half_up
from .release import months_served, release_date

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
        steps = [a.substitutes] + [{k: _d(v) for k, v in later.items()}
                                   for when, later in sorted((a.data.get("later_substitutes") or {}).items())
                                   if as_of is not None and _d(when) <= as_of]
        for subs in steps:
            for k, v in subs.items():
                out[k] = max(out.get(k, v), v)
    return out


def _d(v: object) -> date:
    return v if isinstance(v, date) else date.fromisoformat(str(v))


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
    c, o, p = amended.cols, original.cols, previous.cols

    sentence = cases.sentence_months
    has_sentence = ~np.isnan(sentence)
    # Already in the Manual used at sentencing: the avenue's own latest part (706: 715 from 2008-05-01).
    own = [av.effective] + [_d(w) for w in (av.data.get("later_substitutes") or {}) if _d(w) <= as_of]
    in_manual = base.manual >= np.datetime64(max(own), "D")
    applied = cases.has_reduction(av.id)
    not_yet = np.full(n, as_of < av.effective)

    # §1B1.10(c): with a §3553(e) motion, the amended range ignores §5G1.1 — unless the minimum displaced
    # the whole original range, when the sentence was not "based on" a range at all (Koons).
    e_motion = cases.departure == SA_3553E
    displaced = o["section_5g1_1"] == 2
    koons = e_motion & displaced & bool(pol.get("displaced_range_not_based_on_guidelines"))
    rule_c = e_motion & ~koons & bool(pol["ignore_5g1_1_with_3553e"])
    o_min = np.where(rule_c, o["table_min"], o["guideline_min"])
    o_max = np.where(rule_c, o["table_max"], o["guideline_max"])
    a_min = np.where(rule_c, c["table_min"], c["guideline_min"])
    a_max = np.where(rule_c, c["table_max"], c["guideline_max"])
    p_min = np.where(rule_c, p["table_min"], p["guideline_min"])
    p_max = np.where(rule_c, p["table_max"], p["guideline_max"])
    lowered_own = is_lower(a_min, a_max, p_min, p_max)
    lowered_original = is_lower(a_min, a_max, o_min, o_max)
    lowered = lowered_original & lowered_own

    # The lowest permissible term (§1B1.10(b)(2)): the amended minimum, or a comparably reduced term
    # after a below-range sentence on a government substantial-assistance motion.
    allowed = [DEPARTURES.index(x) for x in pol["comparable_reduction_for"]]
    below = has_sentence & (sentence < o_min) & (o_min > 0)
    comparable = below & np.isin(cases.departure, allowed)
    ratio = np.where(comparable, np.nan_to_num(sentence) / np.where(o_min > 0, o_min, 1), 1.0)
    lowest = np.where(comparable, round_half_up(a_min * ratio), a_min)
    stat_min = c["statutory_min"]
    min_binds = ~e_motion & (lowest < stat_min)
    lowest = np.where(min_binds, stat_min, lowest)
    lowest = np.where(a_min >= LIFE, LIFE, lowest)
    sentence_ok = has_sentence & (lowest < sentence)

    # Why the range was not lowered.
    co = c["career_offender_applies"] & (p["career_offender_applies"] | o["career_offender_applies"])
    pinned = (c["section_5g1_1"] == 2) & ~rule_c
    life = a_min >= LIFE
    above_top = np.zeros(n, dtype=bool)
    if any(k.startswith("drug-quantity") for k in av.substitutes):
        for j, drug in enumerate(cases.drugs):
            comp = f"drug-quantity:{drug}"
            if comp in av.substitutes or "drug-quantity" in av.substitutes:
                top = top_threshold(law, drug, dates.on(comp))
                above_top |= (cases.grams[:, j] >= top) & (c["base_offense_level"] == p["base_offense_level"])
    skipped = in_manual | not_yet
    why = ~skipped & ~applied & ~lowered & ~koons
    eligible = ~skipped & ~applied & ~koons & lowered & sentence_ok

    as_of64 = np.datetime64(as_of, "D")
    order = np.full(n, max(as_of64, np.datetime64(av.earliest_order, "D")))
    served = months_served(cases.custody_start, cases.prior_custody_days, order)
    rel, _ = release_date(law, cases.custody_start, lowest + cases.consecutive_months, cases.prior_custody_days, order)
    immediate = eligible & ~np.isnat(rel) & (rel <= order)

    fmt = _months
    reasons = [
        note("already_applied", in_manual & ~not_yet,
             f"{av.name} was already part of the Guidelines Manual used at sentencing."),
        note("not_yet_in_force", not_yet, f"{av.name} takes effect on {av.effective}; the order date is {as_of}."),
        note("already_applied", applied & ~skipped, f"The sentence was already reduced under {av.name}."),
        note("career_offender", why & co, "The range was set by the career-offender guideline (§4B1.1), which the "
             "amendment does not change (§1B1.10(a)(2)(B))."),
        note("mandatory_minimum", why & pinned & ~co, lambda i: (
            f"The statutory minimum of {fmt(stat_min[i])} months is above the amended range, so it remains the "
            "guideline sentence (§5G1.1(b)); the applicable range is not lowered (§1B1.10(a)(2)(B)).")),
        note("mandatory_minimum", koons & ~skipped, lambda i: (
            f"The statutory minimum ({fmt(o['statutory_nominal_min'][i])} months) displaced the whole original range "
            "and the sentence went below it on a §3553(e) motion: it was not based on a guideline range "
            "(Koons v. United States, 138 S. Ct. 1783 (2018)).")),
        note("life", why & life & ~co & ~pinned, "The amended offense level still calls for life imprisonment."),
        note("above_top_threshold", why & above_top & ~co & ~pinned & ~life,
             "The quantity is at or above the top row of the amended Drug Quantity Table, so the level is unchanged."),
        note("not_lowered", why & ~co & ~pinned & ~life & ~above_top, lambda i: (
            f"The amendment does not lower the applicable range: with it the range is {_span(a_min[i], a_max[i])} months, "
            + (f"no lower than the {_span(p_min[i], p_max[i])} months the earlier listed amendments already give."
               if lowered_original[i] else f"no lower than the original {_span(o_min[i], o_max[i])} months."))),
        note("missing_sentence", ~skipped & ~applied & lowered & ~has_sentence,
             "sentence_months (the term now in force) is not given, so eligibility cannot be decided."),
        note("sentence_below_amended_minimum", ~skipped & ~applied & lowered & has_sentence & ~sentence_ok & ~koons,
             lambda i: f"The term now in force ({fmt(sentence[i])} months) is at or below the lowest permissible term "
             f"({fmt(lowest[i])} months)."),
    ]
    info = [
        note("info", comparable & eligible, lambda i: (
            f"Substantial assistance (§1B1.10(b)(2)(B)): the sentence of {fmt(sentence[i])} months was "
            f"{fmt(sentence[i])}/{fmt(o_min[i])} = {ratio[i]:.4f} of the original minimum; "
            f"{fmt(a_min[i])} × {ratio[i]:.4f} = {a_min[i] * ratio[i]:.2f}, rounded to {fmt(round_half_up(a_min[i] * ratio[i]))} "
            "months" + (f", but not below the statutory minimum of {fmt(stat_min[i])}" if min_binds[i] else "") + ".")),
        note("info", rule_c & ~skipped, "§1B1.10(c): with a §3553(e) motion, the amended range is determined without "
             "regard to §5G1.1."),
        note("info", cases.plea_agreement_11c1c & eligible, "Rule 11(c)(1)(C) plea: the sentence is generally "
             "'based on' the guideline range (Hughes v. United States, 138 S. Ct. 1765 (2018))."),
    ]
    steps = [step("amended_range", "USSG §1B1.10(b)(1)", av.citation, lambda i: (
        f"Substituting {av.name} (and every earlier listed amendment) into the original calculation: "
        f"{_span(o_min[i], o_max[i])} → {_span(a_min[i], a_max[i])} months."), applies=~skipped),
        step("lowest_permissible", "USSG §1B1.10(b)(2)", "USSG §1B1.10(b)(2)(A)-(B)", lambda i: (
            f"Lowest permissible term: {fmt(lowest[i])} months."), applies=eligible),
        step("earliest_order", "USSG §1B1.10(e)", av.citation, lambda i: (
            f"An order may take effect no earlier than {order[i]}."), applies=eligible)]
    return Analysis(av.id, av, eligible, np.where(eligible | (lowered & ~skipped), lowest, np.nan),
                    np.where(eligible, order, np.datetime64("NaT", "D")), np.where(eligible, rel, np.datetime64("NaT", "D")),
                    served, immediate, amended, reasons, info, steps)


def _span(lo: float, hi: float) -> str:
    """A range in months as "lo–hi", or one value when the ends are equal (life, or a point)."""
    return _months(lo) if lo == hi else f"{_months(lo)}–{_months(hi)}"


def _months(m: float) -> str:
    if np.isnan(m):
        return "?"
    return "life" if m >= LIFE else f"{m:g}"
