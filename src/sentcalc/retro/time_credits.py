"""First Step Act time credits (18 U.S.C. §§3632(d)(4), 3624(g); 28 C.F.R. §§523.40-523.44): whether
the conviction excludes them, how many are earned by when, and the dates they move: the transfer to
supervised release (at most `supervised_release_max_days` before the good-conduct release) and the
earliest prerelease custody. The rules are guidelines/release/time-credits.yaml; what the case does
not say is replaced by a stated default (the notes with code "assumption")."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np

from ..case import RISK_LEVELS, SUBSECTIONS
from ..columns import Cases
from ..law import Law
from ..steps import Note, note

FTC = "release/time-credits.yaml"
NAT = np.datetime64("NaT", "D")

# Why credits do not move a row's dates (0: they do).
APPLIED, EXCLUDED, REMOVAL, RISK, NO_RELEASE, BEFORE, NOT_IN_FORCE = range(7)


@dataclass
class Credits:
    days: np.ndarray            # float64: credits earned by the day the person leaves prison; NaN = n/a
    transfer: np.ndarray        # datetime64[D]: transfer to supervised release; NaT = none
    prerelease: np.ndarray      # datetime64[D]: earliest prerelease custody; NaT = none
    status: np.ndarray          # int8, one of the codes above
    notes: list[Note] = field(default_factory=list)   # "assumption" and "method" notes


def _d(v: object) -> np.datetime64:
    return np.datetime64(v if isinstance(v, date) else date.fromisoformat(str(v)), "D")


def exclusions(law: Law, cases: Cases, on: date) -> tuple[np.ndarray, list[Note]]:
    """Rows whose conviction bars earning credits (§3632(d)(4)(D)), and notes naming the clause and any
    assumed finding."""
    n = len(cases)
    clauses = law.dated(FTC, "exclusions").on(on).data["clauses"]
    conv = np.array(cases.drugs, dtype=object)[cases.conviction_drug] if len(cases.drugs) else np.zeros(n, object)
    role_section = cases.has_section("3B1.1")
    organizer = np.where(cases.organizer_finding >= 0, cases.organizer_finding == 1, role_section)
    gun = np.where(cases.consecutive_924c >= 0, cases.consecutive_924c == 1, cases.consecutive_months > 0)
    excluded = np.zeros(n, dtype=bool)
    certain = np.zeros(n, dtype=bool)     # excluded by a clause that needed no assumed fact
    asks_role = np.zeros(n, dtype=bool)   # a clause turns on a role finding the case does not state
    asks_gun = np.zeros(n, dtype=bool)
    notes: list[Note] = []
    for c in clauses:
        hit = np.ones(n, dtype=bool)
        if "statutes" in c:
            hit &= np.isin(cases.statute, [SUBSECTIONS.index(s) for s in c["statutes"]])
        if "drugs" in c:
            hit &= np.isin(conv, c["drugs"])
        if "involved" in c:
            hit &= np.any(cases.grams[:, [k for k, d in enumerate(cases.drugs) if d in c["involved"]]] > 0, axis=1)
        if c.get("death_or_injury"):
            hit &= cases.death_or_injury
        assumed = np.zeros(n, dtype=bool)
        if c.get("consecutive_924c"):
            unknown = hit & (cases.consecutive_924c < 0) & (cases.consecutive_months > 0)
            asks_gun |= unknown
            assumed |= unknown
            hit &= gun
        if c.get("finding") == "organizer":
            unknown = hit & (cases.organizer_finding < 0)
            asks_role |= unknown
            assumed |= unknown
            hit &= organizer
        excluded |= hit
        certain |= hit & ~assumed
        notes.append(note("method", hit, f"No time credits: the conviction is listed in 18 U.S.C. §3632(d)(4)(D)"
                          f"{c['clause']} ({c['text']})."))
    used_role, used_gun = asks_role & ~certain, asks_gun & ~certain
    notes.append(note("assumption", used_role, lambda i: (
        "Organizer, leader, manager or supervisor finding (§3632(d)(4)(D)): not stated; read from the case's "
        + ("§3B1.1 adjustment (found)" if role_section[i] else "adjustments (no §3B1.1: not found)")
        + "; set time_credits.organizer_finding.")))
    notes.append(note("assumption", used_gun, "The consecutive term is taken to be for 18 U.S.C. §924(c), which "
                      "bars time credits (§3632(d)(4)(D)(xxii)); set time_credits.consecutive_924c."))
    return excluded, notes


def _assessments(cases: Cases, today: np.datetime64) -> tuple[np.ndarray, np.ndarray]:
    """Every row's PATTERN assessments as arrays [n, m] of dates and level codes (NaT / -1 padding):
    the dated history, then the latest level (dated today) when it is not the history's last."""
    parsed = {h: [(_d(x.split(":")[0]), RISK_LEVELS.index(x.split(":")[1])) for x in h.split(";") if x]
              for h in cases.distinct("pattern_history")}
    inverse = cases._distinct["pattern_history"][1]
    keys = cases.distinct("pattern_history")
    m = max((len(v) for v in parsed.values()), default=0) + 1
    n = len(cases)
    dates = np.full((n, m), NAT)
    levels = np.full((n, m), -1, dtype=np.int8)
    for k, h in enumerate(keys):
        rows = inverse == k
        for j, (d, lv) in enumerate(parsed[h]):
            dates[rows, j] = d
            levels[rows, j] = lv
    count = np.array([len(parsed[h]) for h in keys], dtype=np.int64)[inverse] if n else np.zeros(0, np.int64)
    last = levels[np.arange(n), np.maximum(count - 1, 0)]
    add = (cases.pattern_risk_level >= 0) & ((count == 0) | (last != cases.pattern_risk_level))
    dates[np.arange(n)[add], count[add]] = today
    levels[np.arange(n)[add], count[add]] = cases.pattern_risk_level[add]
    return dates, levels


def _latest(dates: np.ndarray, levels: np.ndarray, on: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The last two assessment levels on or before `on` (-1 where there is none)."""
    seen = ~np.isnat(dates) & (dates <= on[:, None])
    count = seen.sum(axis=1)
    rows = np.arange(len(on))
    last = np.where(count >= 1, levels[rows, np.maximum(count - 1, 0)], -1)
    before = np.where(count >= 2, levels[rows, np.maximum(count - 2, 0)], -1)
    return last, before


def time_credits(law: Law, cases: Cases, start: np.ndarray, release: np.ndarray, today: date) -> Credits:
    """Credits and the dates they move for a good-conduct `release` (one term per case) of a sentence
    that commenced on `start`."""
    n = len(cases)
    status = np.full(n, NO_RELEASE, dtype=np.int8)
    out = Credits(np.full(n, np.nan), np.full(n, NAT), np.full(n, NAT), status)
    dt = law.dated(FTC)
    if today < dt.versions[0].effective:
        out.status[:] = NOT_IN_FORCE
        return out
    v = dt.on(today).data
    t64 = np.datetime64(today, "D")
    base, bonus, period = int(v["base_days"]), int(v["bonus_days"]), int(v["period_days"])
    low = [RISK_LEVELS.index(x) for x in v["low_risk_levels"]]
    cap = int(v["supervised_release_max_days"])
    applied_from = _d(v["applied_from"])
    earn_from = _d(v["earn_from"])

    excluded, notes = exclusions(law, cases, today)
    known = ~np.isnat(release) & ~np.isnat(start)
    work = known & ~excluded
    begin = np.maximum(np.maximum(start, earn_from), np.where(np.isnat(cases.programming_start), start,
                                                              cases.programming_start))
    bop = ~np.isnan(cases.ftc_earned_days)
    grid = np.where(bop, cases.ftc_earned_as_of, begin)        # periods counted from here
    credits = np.where(bop, np.nan_to_num(cases.ftc_earned_days), 0.0)
    dates, levels = _assessments(cases, t64)
    latest, _ = _latest(dates, levels, np.full(n, t64))
    known_risk = latest >= 0
    may_apply = ~known_risk | np.isin(latest, low)
    removal = cases.removal_order == 1
    sr_imposed = ~(cases.supervised_release_months == 0)
    before = work & (release <= applied_from)

    sched = _Schedule(np.where(work, grid, t64), credits, dates, levels, low, base, bonus, period, t64)
    safe = np.where(work, release, t64)
    pre = np.where(work, sched.first_covering(safe, None), NAT)
    transfer = np.where(work, sched.first_covering(safe, cap), NAT)
    ok = work & ~before & ~removal & may_apply
    out.transfer = np.where(ok & sr_imposed, np.maximum(transfer, applied_from), NAT)
    goes = np.where(ok & sr_imposed, out.transfer, release)
    pre = np.maximum(pre, applied_from)
    out.prerelease = np.where(ok & (pre < goes), pre, NAT)
    out.days = np.where(work, sched.at(np.where(work, goes, t64)), np.where(known & excluded, 0.0, np.nan))
    out.status = np.select([~known, excluded, before, removal, ~may_apply], [NO_RELEASE, EXCLUDED, BEFORE, REMOVAL, RISK],
                           APPLIED).astype(np.int8)

    src = np.where(bop, "the BOP's figure of", "")
    notes += [
        note("method", ok, lambda i: (
            f"Time credits: {base} days per {period} of programming ({base + bonus} while the two latest PATTERN "
            f"assessments are minimum or low) from {grid[i]}" + (f" on top of {src[i]} {credits[i]:g} days" if bop[i] else "")
            + f"; up to {cap} days toward an earlier transfer to supervised release (18 U.S.C. §3624(g)(3)), the rest "
            "toward prerelease custody (home confinement or a residential reentry center) once the credits equal "
            "the rest of the term (§3624(g)(1)(A)).")),
        note("method", before, lambda i: (
            f"Time credits: the release ({release[i]}) came before the BOP began applying them ({applied_from}).")),
        note("method", work & removal, "Time credits are earned but cannot be applied: a final order of removal "
             "(18 U.S.C. §3632(d)(4)(E)(i))."),
        note("method", work & ~removal & ~may_apply, lambda i: (
            f"Time credits are earned at {base} days per {period} but cannot be applied while the risk level is "
            f"{RISK_LEVELS[int(latest[i])]} (§3624(g)(1)(D)); a warden may approve prerelease custody on petition "
            "(§3624(g)(1)(D)(i)(II)).")),
        note("method", ok & ~sr_imposed, "No supervised release was imposed: credits go to prerelease custody only "
             "(§3624(g)(3) needs a term of supervised release)."),
        note("assumption", work & ~bop & np.isnat(cases.programming_start), lambda i: (
            f"Programming start not given: credits counted from {begin[i]}, the later of the commencement date and "
            f"{earn_from} (§3632(d)(4)(B)); the BOP's rule counted from arrival at the designated facility.")),
        note("assumption", work & ~known_risk, (
            f"PATTERN risk level not given: {base} days per {period} throughout, and the credits assumed applicable "
            "(minimum or low risk at the last assessment, §3624(g)(1)(D)).")),
        note("assumption", work & ~bop & known_risk & (dates[:, 0] == t64), lambda i: (
            f"Earlier PATTERN assessments not given: {base} days per {period} before today; from today the "
            f"{RISK_LEVELS[int(latest[i])]} level is assumed to hold on every later assessment.")),
        note("assumption", work & known_risk & ((dates[:, 0] < t64) | bop), lambda i: (
            f"From today the latest PATTERN level ({RISK_LEVELS[int(latest[i])]}) is assumed to hold on every later "
            "assessment.")),
        note("assumption", work & (cases.removal_order < 0), "No final order of removal (not stated)."),
        note("assumption", ok & np.isnan(cases.supervised_release_months),
             "A term of supervised release is assumed to have been imposed (not stated)."),
        note("assumption", work, "Credits are projected as if programming never stops, with no credits lost "
             "(28 C.F.R. §523.43) and none earned in prerelease custody counted toward an earlier placement."),
    ]
    out.notes = notes
    return out


class _Schedule:
    """Credits in hand over time, in closed form. Periods of `period` days run from `grid`; a period
    earns `base` (+`bonus` while the two latest assessments are minimum or low: 28 C.F.R. §523.42(c)),
    by the assessments in force when it begins, and from today on by the latest level, taken to hold on
    every later assessment. The rate changes only at an assessment date or today, so between those
    breakpoints the credits grow linearly with the period count: held(k) = H[j] + rate[j] × (k − K[j])
    after k periods, k in [K[j], K[j+1]). Days are int64 day numbers."""

    def __init__(self, grid: np.ndarray, credits: np.ndarray, dates: np.ndarray, levels: np.ndarray, low: list[int],
                 base: int, bonus: int, period: int, today: np.datetime64) -> None:
        n = len(grid)
        self.period = period
        self.grid = grid.astype("datetime64[D]").astype(np.int64)
        far = np.datetime64("9999-12-31", "D")
        bp = np.concatenate([np.full((n, 1), np.datetime64("0001-01-01", "D")), dates, np.full((n, 1), today)], axis=1)
        bp = np.sort(np.where(np.isnat(bp), far, bp), axis=1)
        is_low = np.zeros(len(RISK_LEVELS) + 1, dtype=bool)   # by level code; -1 (none) reads the last: False
        is_low[low] = True
        rates = []
        for j in range(bp.shape[1]):
            future = bp[:, j] >= today
            last, prev = _latest(dates, levels, np.where(future, today, bp[:, j]))
            rates.append(base + bonus * (is_low[last] & (future | is_low[prev])))
        self.rate = np.stack(rates, axis=1).astype(np.int64)
        days = bp.astype(np.int64) - self.grid[:, None]
        self.K = np.maximum(-(-days // period), 0)
        self.K[:, 0] = 0
        self.H = np.zeros_like(self.K)
        self.H[:, 0] = credits.astype(np.int64)
        for j in range(1, self.K.shape[1]):
            self.H[:, j] = self.H[:, j - 1] + self.rate[:, j - 1] * (self.K[:, j] - self.K[:, j - 1])

    def held(self, k: np.ndarray) -> np.ndarray:
        """Credits after k whole periods."""
        j = (k[:, None] >= self.K).sum(axis=1) - 1
        rows = np.arange(len(k))
        return self.H[rows, j] + self.rate[rows, j] * (k - self.K[rows, j])

    def at(self, day: np.ndarray) -> np.ndarray:
        """Credits in hand on `day`."""
        d = day.astype("datetime64[D]").astype(np.int64)
        return self.held(np.maximum((d - self.grid) // self.period, 0)).astype(float)

    def first_covering(self, release: np.ndarray, cap: int | None) -> np.ndarray:
        """The first day t on which the credits in hand (at most `cap`) reach from t to `release`:
        t + credits ≥ release. Credits are constant over each stretch between period ends (the first
        stretch runs until the first period ends), so the answer lies in the first stretch k with
        credits(k) + end of stretch k > release, at the later of its start and release − credits."""
        r = release.astype("datetime64[D]").astype(np.int64)
        span = r - self.grid - self.period            # credits(k) + k × period must exceed this
        k = np.full(len(r), -1, dtype=np.int64)
        P = self.K.shape[1]
        for j in range(P):
            y = span - self.H[:, j] + self.rate[:, j] * self.K[:, j]
            cand = np.maximum(self.K[:, j], y // (self.rate[:, j] + self.period) + 1)
            end = self.K[:, j + 1] if j + 1 < P else np.full(len(r), np.iinfo(np.int64).max)
            hit = (k < 0) & (cand < end)
            k = np.where(hit, cand, k)
        if cap is not None:   # min(cap, credits) + end of stretch > release needs cap + end > release too
            k = np.maximum(k, np.maximum(span - cap, -1) // self.period + 1)
        c = self.held(k)
        c = c if cap is None else np.minimum(c, cap)
        start = np.where(k == 0, np.minimum(self.grid, r), self.grid + k * self.period)   # nothing known before grid
        return np.maximum(start, r - c).astype("datetime64[D]")
