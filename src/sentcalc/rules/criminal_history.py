"""USSG Chapter Four: criminal history points → category under each regime's status and recency
rules (§4A1.1), and the §4C1.1 zero-point-offender decrease."""

from __future__ import annotations

import numpy as np

from ..case import CATEGORIES
from ..columns import Cases
from ..law import Law, present
from ..regimes import Dates
from ..registry import CATEGORIES as CATEGORY_TABLE
from ..registry import RECENCY_POINTS, STATUS_POINTS, ZERO_POINT
from ..steps import Note, Seen, Step, cited, note, record


def category_from_points(law: Law, points: np.ndarray, on: np.ndarray) -> np.ndarray:
    """Sentencing Table column headings: points → category 1..6 (I..VI)."""
    dt = law.table(CATEGORY_TABLE)
    idx = dt.index_on(on)
    mins = np.array([[int(v.data["minimum_points"][c]) for c in CATEGORIES] for v in dt.versions])
    out = np.ones(len(points), dtype=np.int8)
    for k in range(1, 6):
        out = np.where(points >= mins[idx, k], k + 1, out)
    return out


def criminal_history(law: Law, cases: Cases, dates: Dates) -> tuple[dict[str, np.ndarray], Step, list[Note]]:
    """§4A1.1 under the regime: other points (points − status − recency) plus the status (§4A1.1(d),
    after Amendment 821 (e)) and recency (§4A1.1(e), removed by Amendment 742) points that rule gives."""
    on = dates.on(CATEGORY_TABLE.component)
    known = cases.criminal_history_points >= 0
    pts = np.where(known, cases.criminal_history_points, 0).astype(np.int16)
    other = pts - cases.status_points - cases.recency_points
    st = law.table(STATUS_POINTS)
    si = st.index_on(dates.on(STATUS_POINTS.component))
    st_pts = np.array([int(v.data["points"]) for v in st.versions])[si]
    st_min = np.array([int(v.data["minimum_other_points"]) for v in st.versions])[si]
    status = np.where((cases.status_points > 0) & (other >= st_min), st_pts, 0)
    rc = law.table(RECENCY_POINTS)
    ri = rc.index_on(dates.on(RECENCY_POINTS.component))
    rc_pts = np.array([int(v.data["points"]) for v in rc.versions])[ri]
    rc_with = np.array([int(v.data["points_with_status"]) for v in rc.versions])[ri]
    recency = np.where(cases.recency_points > 0, np.where(status > 0, rc_with, rc_pts), 0)
    total = (other + status + recency).astype(np.int16)
    category = np.where(known, category_from_points(law, total, on), cases.criminal_history_category).astype(np.int8)

    # Facts the original sentencing did not need to find, assumed absent for an earlier regime.
    orig_on = np.where(np.isnat(cases.guidelines_manual), cases.sentencing_date, cases.guidelines_manual)
    orig_recency = np.array([int(v.data["points"]) for v in rc.versions])[rc.index_on(orig_on)]
    orig_status_min = np.array([int(v.data["minimum_other_points"]) for v in st.versions])[st.index_on(orig_on)]
    recency_unknown = known & (orig_recency == 0) & (rc_pts > 0)
    status_unknown = known & (cases.status_points == 0) & (other < orig_status_min) & (st_min < orig_status_min)

    changed = known & ((status != cases.status_points) | (recency != cases.recency_points))

    seen = {"known": known, "category": category, "points": pts, "changed": changed, "other": other, "status": status,
            "recency": recency, "total": total, "status_version": si, "recency_version": ri,
            "status_citations": [v.citation for v in st.versions], "recency_citations": [v.citation for v in rc.versions]}
    notes = [
        note("assumption", recency_unknown, "Recency points were not found at sentencing (the rule did not exist "
             "then): assumed none under this regime's §4A1.1(e)."),
        note("assumption", status_unknown, "No status points were found at sentencing, where fewer than 7 other "
             "points carry none: assumed no criminal justice sentence at the time of the offense."),
        note("warning", ~known, "Criminal history points not given: the category is carried unchanged, so "
             "changes in the point rules (Amendments 742, 821) cannot be applied."),
    ]
    return ({"points": np.where(known, total, -1), "status": status, "recency": recency, "category": category},
            record("criminal_history", "USSG §4A1.1", history_citation, history_detail, seen), notes)


def history_detail(v: Seen, i: int) -> str:
    category = CATEGORIES[v["category"][i] - 1]
    if not v["known"][i]:
        return f"Criminal history category {category} as found (points not given)."
    s = f"{v['points'][i]} points found"
    if v["changed"][i]:
        s += (f"; {v['other'][i]} other + {v['status'][i]} status + {v['recency'][i]} recency under this regime "
              f"= {v['total'][i]}")
    return s + f" → category {category}."


def history_citation(v: Seen, i: int) -> str:
    return "; ".join(dict.fromkeys([v["status_citations"][int(v["status_version"][i])],
                                    v["recency_citations"][int(v["recency_version"][i])]]))


def zero_point_offender(law: Law, cases: Cases, dates: Dates, level: np.ndarray,
                        points: np.ndarray) -> tuple[np.ndarray, Step, list[Note]]:
    """USSG §4C1.1 (Amendment 821, from 2023-11-01): −2 for an offender with no criminal history
    points whom no criterion disqualifies. `zero_point_offender` absent: decided from the case and
    recorded as an assumption."""
    dt = law.table(ZERO_POINT)
    idx = dt.index_on(dates.on(ZERO_POINT.component))
    lv = np.array([int(v.data["levels"]) for v in dt.versions])[idx]
    disq = cases.death_or_injury | cases.career_offender
    for v in present(idx):
        m = idx == v
        for section in dt.versions[int(v)].data["disqualifying_sections"]:
            disq = disq | (m & cases.has_section(section))
    given = cases.zero_point_offender
    decided = (points == 0) & ~disq
    applies = (lv > 0) & np.where(given >= 0, given == 1, decided)
    out = np.where(applies, level - lv, level).astype(np.int16)
    assumed = (lv > 0) & (given < 0)
    notes = [note("assumption", assumed & applies, "Zero-point offender (§4C1.1) assumed: no criminal history "
                  "points and nothing in the case disqualifies; set zero_point_offender to decide."),
             note("assumption", assumed & ~applies & (points < 0), "Zero-point offender (§4C1.1) not applied: "
                  "criminal history points not given.")]
    seen = {"before": level, "levels": lv, "after": out, "version": idx, "citations": [v.citation for v in dt.versions]}
    return out, record("zero_point_offender", "USSG §4C1.1", cited, zero_point_detail, seen, applies=applies), notes


def zero_point_detail(v: Seen, i: int) -> str:
    return f"Zero-point offender: {v['before'][i]} − {v['levels'][i]} = {v['after'][i]}."
