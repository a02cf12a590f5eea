"""The human worksheet: a side-by-side table of regimes and each regime's cited steps (rich)."""

from __future__ import annotations

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table


def _rng(r: dict) -> str:
    lo, hi = r["min_months"], r["max_months"]
    return str(lo) if lo == hi else f"{lo}–{hi}"


def render_range(console: Console, case_id: str, results: list[dict]) -> None:
    """Print the comparison table, then every regime's steps with citations."""
    t = Table(title=f"Case {case_id}", show_lines=False)
    t.add_column("")
    for r in results:
        t.add_column(f"{r['regime']}\n({r['as_of']})", justify="right")
    rows = [
        ("Base offense level", lambda r: str(r["base_offense_level"])),
        ("Total offense level", lambda r: str(r["total_offense_level"])),
        ("Criminal history category", lambda r: r["criminal_history_category"]),
        ("Sentencing Table cell (months)", lambda r: _rng(r["table_range"])),
        ("Guideline range (months)", lambda r: _rng(r["guideline_range"])),
        ("Statute", lambda r: r["statutory_range"]["subsection"]),
        ("Statutory range (months)", lambda r: _rng(r["statutory_range"])),
    ]
    for label, f in rows:
        t.add_row(label, *[f(r) for r in results])
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
