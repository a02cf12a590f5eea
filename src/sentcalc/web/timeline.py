"""The results page's timeline: the dates of a retroactivity document (and the case's custody start) placed on
one axis, for an inline SVG. Geometry only: every date comes from the document."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

WIDTH, LEFT, RIGHT = 1000, 40, 960
AXIS_Y = 92
LEVELS = (-1, 1, -2, 2)            # label rows: above the axis, below, further above, further below
CHAR = 6.6                         # px per character at the label size (for spacing labels apart)


@dataclass(frozen=True)
class Mark:
    key: str
    label: str
    day: date
    x: float
    level: int
    anchor: str
    text_x: float

    @property
    def text_y(self) -> int:
        return AXIS_Y + (-22 if self.level == -1 else 34 if self.level == 1 else -52 if self.level == -2 else 64)

    @property
    def stem_end(self) -> int:
        return self.text_y + (12 if self.level < 0 else -22)


@dataclass(frozen=True)
class Timeline:
    marks: list[Mark]
    ticks: list[tuple[float, str]]
    top: int = 0
    height: int = 170
    width: int = WIDTH
    axis_y: int = AXIS_Y
    left: int = LEFT
    right: int = RIGHT


def timeline(doc: dict, custody_start: date | None) -> Timeline | None:
    """Sentence start, projected release now, release at the lowest term, earliest order date, and the order date
    the analysis is as of; None when fewer than two of them are known."""
    best = next((a for a in doc["analyses"] if a["id"] == doc.get("best")), None)
    points = [("start", "Sentence began", custody_start),
              ("now", "Release on the sentence now", _day(doc.get("projected_release_date_now"))),
              ("lowest", "Release at the lowest term", _day(best and best.get("projected_release_date"))),
              ("order", "Earliest order date", _day(best and best.get("earliest_order_date"))),
              ("asof", "Analysis as of", _day(doc.get("as_of")))]
    merged: dict[date, tuple[str, str]] = {}
    for k, label, d in points:
        if d is not None:  # one mark per date: "Earliest order date · analysis as of"
            merged[d] = (merged[d][0], f"{merged[d][1]} · {label.lower()}") if d in merged else (k, label)
    known = [(k, label, d) for d, (k, label) in merged.items()]
    if len(known) < 2:
        return None
    lo = min(d for _, _, d in known)
    hi = max(d for _, _, d in known)
    span = (hi - lo).days or 1

    def x(d: date) -> float:
        return LEFT + (RIGHT - LEFT) * (d - lo).days / span

    marks: list[Mark] = []
    right_edge = {lv: -1e9 for lv in LEVELS}
    for key, label, d in sorted(known, key=lambda p: p[2]):
        width = CHAR * max(len(label), 10)
        px = x(d)
        anchor, tx, left = ("start", px, px) if px + width <= WIDTH else ("end", px, px - width)
        level = next((lv for lv in LEVELS if right_edge[lv] + 8 < left), LEVELS[len(marks) % len(LEVELS)])
        right_edge[level] = left + width
        marks.append(Mark(key, label, d, px, level, anchor, tx))
    ticks = [(x(date(y, 1, 1)), str(y)) for y in range(lo.year + 1, hi.year + 1)]
    step = max(1, len(ticks) // 12)
    top = min(m.text_y for m in marks) - 18
    bottom = max(AXIS_Y + 24, *(m.text_y + 20 for m in marks))
    return Timeline(marks, ticks[::step], top, bottom - top)


def _day(v: str | None) -> date | None:
    return date.fromisoformat(v) if v else None
