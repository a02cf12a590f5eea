"""The human worksheet: a side-by-side table of regimes and each regime's cited steps (rich)."""

from __future__ import annotations

from rich.console import Console, Group
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table

from . import view

LABEL_WIDTH = 16
"""The label column's width; the labels wrap within it ("Criminal history" is the longest word pair)."""
REGIME_WIDTH = 12
"""A regime column's width: "841(b)(1)(B)" and "(2006-06-01)" in full."""
ROWS = (
    *view.RANGE_ROWS,
    ("Supervised release, statute (months)", lambda r: _sr(r["supervised_release"], "min_months", "max_months")),
    ("Supervised release, guideline (months)",
     lambda r: _sr(r["supervised_release"], "guideline_min_months", "guideline_max_months")),
)


def _sr(s: dict, lo_key: str, hi_key: str) -> str:
    """A supervised-release range: "none" where the law sets no minimum, "no max" where no maximum."""
    lo, hi = s[lo_key], s[hi_key]
    lo_t = "none" if lo is None else str(lo)
    hi_t = "no max" if hi == "life" else view.DASH if hi is None else str(hi)
    return lo_t if lo == hi else f"{lo_t}–{hi_t}"


def per_table(width: int) -> int:
    """How many regime columns fit beside the labels in `width` columns (each column: its text, one space
    of padding either side and one border)."""
    return max(1, (width - 1 - (LABEL_WIDTH + 3)) // (REGIME_WIDTH + 3))


def render_range(console: Console, case_id: str, results: list[dict], title: str | None = None) -> None:
    """Print the comparison table (split into several tables when the regimes do not fit the terminal's width,
    so no value is cut), then every regime's steps with citations."""
    k = per_table(console.width)
    for start in range(0, len(results), k):
        part = results[start:start + k]
        t = Table(title=escape(title or f"Case {case_id}"), show_lines=False)
        t.add_column("", width=LABEL_WIDTH, overflow="fold")
        for r in part:
            t.add_column(f"{r['regime']}\n({r['as_of']})", justify="right", min_width=REGIME_WIDTH, overflow="fold")
        for label, f in ROWS:
            t.add_row(label, *[f(r) for r in part])
        console.print(t)
    for r in results:
        steps = Table.grid(padding=(0, 1))
        steps.add_column(style="bold", no_wrap=True)
        steps.add_column()
        for k, s in enumerate(r["steps"], 1):
            steps.add_row(f"{k}.", f"{s['detail']}\n[dim]{s['citation']}[/dim]")
        extra = []
        for label, key, style in (("Assumption", "assumptions", "yellow"), ("Warning", "warnings", "red"),
                                  ("Discrepancy", "discrepancies", "magenta")):
            extra += [f"[{style}]{label}:[/{style}] {x}" for x in r[key]]
        body = Group(steps, *extra) if extra else steps
        console.print(Panel(body, title=f"{r['regime']} — law as of {r['as_of']}", title_align="left"))
