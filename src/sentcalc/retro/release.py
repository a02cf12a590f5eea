"""Release dates as the Bureau of Prisons computes them (18 U.S.C. §§3585, 3624(a)-(b)):

    full-term date = commencement + term − 1 day − prior custody credit
    release        = full-term date − good-conduct time

with the good-conduct method of guidelines/release/good-conduct-time.yaml that applied while the person
was in custody: a method applies to everyone still in custody on its effective date, so a release that
happened before it stays as it happened, and a release date that a new method put in the past became
that method's effective date (2019-07-19). Nothing here depends on the order date or on today.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import numpy as np

from ..columns import Cases
from ..law import LIFE, Law
from ..steps import Note, note
from .time_credits import Credits, time_credits

GCT = "release/good-conduct-time.yaml"
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


def commencement(cases: Cases) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(commencement date, prior custody credit in days, moved): a sentence commences no earlier than it
    is imposed (18 U.S.C. §3585(a)), so a custody_start before the sentencing date is read as custody
    before sentencing, credited day for day (§3585(b)) and the sentence as commencing on the sentencing
    date. `moved` marks those rows."""
    cs, sd = cases.custody_start, cases.sentencing_date
    moved = ~np.isnat(cs) & (cs < sd)
    start = np.where(moved, sd, cs)
    extra = np.where(moved, (sd - cs).astype("timedelta64[D]").astype(np.int64), 0)
    return start, np.nan_to_num(cases.prior_custody_days) + extra, moved


@dataclass
class GoodConduct:
    """The release on one term per case (datetime64[D]; NaT where unknown or life)."""

    full_term: np.ndarray
    gct_days: np.ndarray      # int64, the credit of the method that set the release; -1 where unknown
    release: np.ndarray
    method: np.ndarray        # int8 index of the good-conduct version that set the release; -1 unknown
    moved: np.ndarray         # bool: released on a later method's effective date (its new date had passed)


def _per_year_imposed(v: dict, start: np.ndarray, term: np.ndarray, end: np.ndarray) -> np.ndarray:
    """54 days per whole year of the term imposed; the final partial year prorated by its days."""
    years = np.floor(term / 12)
    anniversary = add_months(start, years * 12)
    d = (end - anniversary).astype(np.int64)
    return (int(v["days_per_year"]) * years.astype(np.int64) + int(v["days_per_year"]) * d // int(v["year_days"]))


def _per_year_served(v: dict, start: np.ndarray, term: np.ndarray, end: np.ndarray) -> np.ndarray:
    """54 days at the end of each year served; in the last portion the least x days served such that
    x + ⌊x × rate⌋ covers the rest (the credit earned there shortens it)."""
    per, year, rate = int(v["days_per_year"]), int(v["year_days"]), int(v["daily_rate_per_mille"])
    total = (end - start).astype(np.int64)
    years = total // (year + per)
    rest = total - years * (year + per)
    x = rest * 1000 // (1000 + rate)
    for _ in range(3):  # x + ⌊x·rate⌋ is at most two short of `rest` here
        x = np.where(x + x * rate // 1000 < rest, x + 1, x)
    return per * years + (rest - x)


METHODS = {"per_year_imposed": _per_year_imposed, "per_year_served": _per_year_served}


def good_conduct(law: Law, start: np.ndarray, prior: np.ndarray, term: np.ndarray) -> GoodConduct:
    """Full-term date, good-conduct time and release for a term (months, consecutive terms included)
    begun on `start` with `prior` days of credit."""
    n = len(start)
    known = ~np.isnat(start) & ~np.isnan(term) & (term < LIFE)
    s = np.where(known, start, np.datetime64("2000-01-01", "D"))
    t = np.where(known, term, 0.0)
    end = add_months(s, t)
    full = end - 1 - prior.astype(np.int64)
    release = np.full(n, NAT)
    gct = np.full(n, -1, dtype=np.int64)
    method = np.full(n, -1, dtype=np.int8)
    moved = np.zeros(n, dtype=bool)
    for k, v in enumerate(law.dated(GCT).versions):
        eff = np.datetime64(v.effective, "D")
        credit = np.where(t > float(v.data["minimum_term_months_exclusive"]), METHODS[v.data["method"]](v.data, s, t, end), 0)
        own = full - credit
        first = k == 0
        in_custody = known & (first | (release >= eff))   # a later method reaches only those still in custody
        passed = in_custody & ~first & (own < eff)         # its new date had already passed: out that day
        release = np.where(in_custody, np.where(passed, eff, own), release)
        gct = np.where(in_custody, credit, gct)
        method = np.where(in_custody, k, method)
        moved = np.where(in_custody, passed, moved)
    return GoodConduct(np.where(known, full, NAT), np.where(known, gct, -1), np.where(known, release, NAT),
                       np.where(known, method, -1).astype(np.int8), moved & known)


@lru_cache(maxsize=4)
def _holidays(law: Law, first: int, last: int) -> np.ndarray:
    """Federal legal holidays (5 U.S.C. §6103(a)) and the weekdays they are observed on, `first`..`last`."""
    rule = law.dated(GCT, "weekday_rule").versions[-1].data
    out = []
    for year in range(first, last + 1):
        for h in rule["holidays"]:
            if year < int(h.get("from", 0)):
                continue
            if "fixed" in h:
                d = date(year, *h["fixed"])
            else:
                month, weekday, nth = h["nth"]
                days = [date(year, month, k) for k in range(1, 32) if _valid(year, month, k)]
                d = [x for x in days if x.weekday() == weekday][nth - 1 if nth > 0 else nth]
            out.append(d)
            if d.weekday() == 5:
                out.append(date.fromordinal(d.toordinal() - 1))
            elif d.weekday() == 6:
                out.append(date.fromordinal(d.toordinal() + 1))
    return np.array(sorted(out), dtype="datetime64[D]")


def _valid(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def preceding_weekday(law: Law, days: np.ndarray) -> np.ndarray:
    """§3624(a): a release date on a Saturday, Sunday or legal holiday may be moved to the last preceding
    weekday (federal holidays only; a state holiday at the place of confinement is not known)."""
    ok = ~np.isnat(days)
    if not ok.any():
        return days.copy()
    years = days[ok].astype("datetime64[Y]").astype(np.int64) + 1970
    hol = _holidays(law, int(years.min()) - 1, int(years.max())).astype(np.int64)
    out = np.where(ok, days, np.datetime64("1970-01-01", "D")).astype(np.int64)
    for _ in range(5):
        at = np.minimum(np.searchsorted(hol, out), len(hol) - 1)
        off = ok & (((out + 3) % 7 >= 5) | (hol[at] == out))   # day 0 (1970-01-01) was a Thursday: +3 → Monday = 0
        if not off.any():
            break
        out = out - off
    return np.where(ok, out.astype("datetime64[D]"), days)


def months_served(start: np.ndarray, prior: np.ndarray, on: np.ndarray, release: np.ndarray) -> np.ndarray:
    """Whole months in custody by `on`, or by the release if earlier (prior custody credit included);
    NaN where the start is unknown."""
    until = np.where(np.isnat(release), on, np.minimum(on, release))
    days = (until - start).astype("float64") + np.nan_to_num(prior)
    return np.where(np.isnat(start), np.nan, np.floor(np.maximum(days, 0) / DAYS_PER_MONTH))


def release_on(law: Law, cases: Cases, term: np.ndarray, on: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(good-conduct release of `term`, whole months served by `on` or by that release if earlier)."""
    start, prior, _ = commencement(cases)
    rel = good_conduct(law, start, prior, term).release
    return rel, months_served(start, prior, on, rel)


@dataclass
class Projection:
    """Every date of one term per case: good-conduct release, §3624(a) weekday, time credits."""

    good: GoodConduct
    weekday: np.ndarray
    credits: Credits | None
    notes: list[Note]            # "method" and "assumption" notes

    @property
    def home(self) -> np.ndarray:
        """The day the person leaves prison: the earlier of the good-conduct release and the transfer
        to supervised release (prerelease custody is still custody)."""
        if self.credits is None:
            return self.good.release
        t = self.credits.transfer
        return np.where(np.isnat(t), self.good.release, np.minimum(t, self.good.release))

    def as_dict(self, i: int) -> dict:
        """The stable release keys (see the README)."""
        c = self.credits
        days = None if c is None or np.isnan(c.days[i]) else int(c.days[i])
        return {
            "full_term_date": _iso(self.good.full_term[i]),
            "gct_days": None if self.good.gct_days[i] < 0 else int(self.good.gct_days[i]),
            "projected_release_date": _iso(self.good.release[i]),
            "weekday_release_date": _iso(self.weekday[i]),
            "ftc_days": days,
            "supervised_release_transfer_date": None if c is None else _iso(c.transfer[i]),
            "prerelease_custody_date": None if c is None else _iso(c.prerelease[i]),
            "method": " ".join(t for n in self.notes if n.code == "method" and (t := n.render(i)) is not None),
            "assumptions": [t for n in self.notes if n.code == "assumption" and (t := n.render(i)) is not None],
        }


def _iso(d: np.datetime64) -> str | None:
    return None if np.isnat(d) else str(d.astype("datetime64[D]"))


def project(law: Law, cases: Cases, term: np.ndarray, today: date, credits: bool = True) -> Projection:
    """The release dates of a term (months, consecutive terms included): good-conduct time by the method
    that applied, the §3624(a) weekday, and (with `credits`) First Step Act time credits."""
    start, prior, moved_start = commencement(cases)
    g = good_conduct(law, start, prior, term)
    versions = law.dated(GCT).versions
    known = ~np.isnat(g.release)
    notes = [note("method", known & (g.method == k) & ~g.moved, _gct_text(v)) for k, v in enumerate(versions)]
    notes += [note("method", known & (g.method == k) & g.moved, lambda i, v=v: (
        f"Released on {v.effective}, the day the good-conduct method of 18 U.S.C. §3624(b) as amended took effect: "
        f"its date ({_iso(g.full_term[i] - g.gct_days[i])}) had already passed.")) for k, v in enumerate(versions)]
    notes += [
        note("method", known, lambda i: (
            f"Full term: commenced {start[i]} + {_months(term[i])} months − 1 day − {int(prior[i])} days of prior "
            f"custody credit (18 U.S.C. §3585) = {g.full_term[i]}; less {g.gct_days[i]} days = {g.release[i]}.")),
        note("method", np.isnat(start), "No release date: custody_start (the date the sentence commenced) is not given."),
        note("method", ~np.isnat(start) & (term >= LIFE), "No release date: a life sentence earns no good-conduct time."),
        note("assumption", moved_start, lambda i: (
            f"custody_start ({cases.custody_start[i]}) is before the sentencing date: the sentence is taken to have "
            f"commenced on {cases.sentencing_date[i]} (18 U.S.C. §3585(a)), with the "
            f"{int((cases.sentencing_date[i] - cases.custody_start[i]).astype(int))} days before it credited as prior "
            "custody (§3585(b)) on top of prior_custody_days.")),
        note("assumption", known & (g.gct_days > 0), "Full good-conduct time: no disciplinary loss, and a high-school "
             "diploma or progress toward one (otherwise 42 days a year)."),
    ]
    c = time_credits(law, cases, start, g.release, today) if credits else None
    if c is not None:
        notes += c.notes
    return Projection(g, preceding_weekday(law, g.release), c, notes)


def _gct_text(v) -> str:
    d = v.data
    how = ("per year of the term imposed, the final partial year prorated by its days"
           if d["method"] == "per_year_imposed" else
           "per year served, the last portion prorated at .148 a day (the fraction dropped)")
    return (f"Good-conduct time: {d['days_per_year']} days {how} (method in force from {v.effective}: "
            f"{v.citation.split(';')[0]}).")


def _months(m: float) -> str:
    return f"{m:g}"


def method_summary(law: Law, credits: bool) -> str:
    """How `project` dates a release, in one paragraph (the simulation report's assumptions)."""
    versions = law.dated(GCT).versions
    parts = [f"from {v.effective}, {v.data['days_per_year']} days "
             + ("per year of the term imposed, the final partial year prorated by its days"
                if v.data["method"] == "per_year_imposed" else
                "per year served, the last portion prorated at .148 a day served (the fraction dropped)")
             for v in versions]
    later = ", ".join(str(v.effective) for v in versions[1:])
    text = ("full term = the date the sentence commenced (a custody start before sentencing is read as prior "
            "custody) + the term − 1 day − prior custody credit (18 U.S.C. §3585); less good-conduct time (18 U.S.C. "
            f"§3624(b)) by the method in force while the person was in custody: {'; '.join(parts)} — a method "
            f"applies to everyone still in custody on its date ({later}), and a release date it put in the past "
            "became that date; full credit (no disciplinary loss). ")
    if credits:
        return text + ("With First Step Act time credits (18 U.S.C. §§3632(d)(4), 3624(g)) at the stated defaults "
                       "(10 days per 30 from commencement unless the case says otherwise), a person leaves prison "
                       "at the earlier of the good-conduct release and the transfer to supervised release (at most "
                       "365 days earlier); prerelease custody counts as custody.")
    return text + ("No First Step Act time credits (as in the Commission's retroactivity impact analyses; "
                   "--time-credits adds them).")
