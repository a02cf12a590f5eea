"""Every retroactivity avenue for every case, and which is best."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from ..columns import Cases
from ..engine import Result, compute
from ..law import Law
from ..regimes import Regime
from ..steps import note
from .common import Analysis, avenues
from .eligibility import cumulative, guideline_avenue
from .first_step_404 import section_404
from .release import Projection, commencement, months_served, project


@dataclass
class Retro:
    original: Result
    current_law: Result
    analyses: list[Analysis]
    as_of: date
    release_now: np.ndarray          # good-conduct release on the term now in force
    served_now: np.ndarray           # months served by the order date (as_of), or by the release
    compassionate_flag: np.ndarray   # informational: §1B1.13(b)(6) worth a look
    now: Projection                  # every release date on the term now in force
    today: date

    def best(self, i: int) -> str | None:
        """The eligible avenue with the lowest permissible term (then the earliest order date)."""
        cands = [(a.lowest[i], a.earliest_order[i], k, a.id) for k, a in enumerate(self.analyses) if a.eligible[i]]
        return min(cands)[3] if cands else None


ELIGIBLE_ONLY_STEPS = ("lowest_permissible", "earliest_order")
"""Steps shown only for an eligible avenue."""


def _released(law: Law, cases: Cases, a: Analysis, today: date) -> Analysis:
    """The release dates of the lowest permissible term; "could go home now" when the earlier of its
    good-conduct release and its transfer to supervised release is on or before the order date
    (prerelease custody is still custody)."""
    a.release = project(law, cases, a.lowest + cases.consecutive_months, today)
    home = a.release.home
    a.immediate_release = a.eligible & ~np.isnat(home) & (home <= a.earliest_order)
    return a


def _completed(a: Analysis, served_out: np.ndarray, release_now: np.ndarray) -> Analysis:
    """No reduction of a sentence already served (for §404: United States v. Martin, 974 F.3d 124 (2d Cir.
    2020)); judged by the projected release date on the term now in force."""
    hit = a.eligible & served_out
    if hit.any():
        a.eligible = a.eligible & ~served_out
        a.earliest_order = np.where(hit, np.datetime64("NaT", "D"), a.earliest_order)
        a.projected_release = np.where(hit, np.datetime64("NaT", "D"), a.projected_release)
        a.immediate_release = a.immediate_release & ~hit
        for s in a.steps:  # a closed avenue shows no lowest term or order date that would read as open
            if s.rule in ELIGIBLE_ONLY_STEPS and s.applies is not None:
                s.applies = s.applies & ~hit
    a.reasons.append(note("sentence_completed", hit, lambda i: (
        f"The projected release date on the term now in force ({release_now[i]}) is on or before the order date: "
        "the sentence appears to have been served.")))
    return a


def analyse(law: Law, cases: Cases, as_of: date, known: dict[str, Result] | None = None,
            today: date | None = None) -> Retro:
    """Every avenue for every case. `known` may hold results already computed for these cases
    ("original", and "current" for the same date) so a batch does not compute them twice. `today`
    (default: the order date) splits what is known about time credits from what is projected."""
    known = known or {}
    today = today or as_of
    has_findings = bool(((cases.findings_total_offense_level >= 0) | (cases.findings_base_offense_level >= 0)).any())
    orig_regime = Regime("original", None)
    own = compute(law, cases, orig_regime, raw=True) if has_findings else None
    original = known.get("original") or compute(law, cases, orig_regime, carry_from=own)
    on = np.full(len(cases), np.datetime64(as_of, "D"))
    now = project(law, cases, cases.sentence_months + cases.consecutive_months, today)
    release_now = now.good.release
    served_out = ~np.isnat(release_now) & (release_now <= on)
    guideline_avs = avenues(law, "amendments")
    out: list[Analysis] = []
    previous = original
    for av in guideline_avs:
        a = guideline_avenue(law, cases, av, guideline_avs, original, previous, own, as_of)
        out.append(_completed(_released(law, cases, a, today), served_out, release_now))
        previous = a.amended if a.amended is not None else previous
    in_force = [a for a in guideline_avs if a.effective <= as_of]
    subs = cumulative(guideline_avs, in_force[-1], as_of) if in_force else {}
    for av in avenues(law, "first_step_act_404"):
        a = section_404(law, cases, av, subs, original, own, as_of)
        out.append(_completed(_released(law, cases, a, today), served_out, release_now))
    current = known.get("current")
    current_law = current if current is not None and current.regime.day == as_of else \
        compute(law, cases, Regime("current", as_of), carry_from=own)
    start, prior, _ = commencement(cases)
    served = months_served(start, prior, on, now.home)
    # USSG §1B1.13(b)(6): at least 10 years served and a change in law that would give a much shorter range.
    in_custody = np.isnat(release_now) | (release_now > on)
    flag = (served >= 120) & in_custody & (current_law.cols["guideline_max"] < cases.sentence_months)
    return Retro(original, current_law, out, as_of, release_now, served, flag, now, today)
