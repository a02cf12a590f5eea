"""The simulation report: Markdown and a self-contained HTML page with PNG plots, plus summary.json,
written only inside the chosen folder, under fixed file names."""

from __future__ import annotations

import base64
import html
import json
from datetime import date
from pathlib import Path

import numpy as np

from .. import __version__
from ..io.tables import write_text_atomic

PLOTS = ("reductions.png", "releases.png", "groups.png")


def _stats(parts: list) -> dict:
    arr = np.concatenate(parts) if parts else np.zeros(0)
    if not len(arr):
        return {"people": 0, "mean": 0.0, "median": 0.0, "total_months": 0.0}
    return {"people": int(len(arr)), "mean": float(arr.mean()), "median": float(np.median(arr)),
            "total_months": float(arr.sum())}


def write_report(folder: Path, scenario, tot, *, order: date, custody_day, annual_cost: float | None,
                 grant_rate: float, preset: str | None, preset_notes: list[str], law) -> dict:
    model = _stats(tot.reductions_model)
    lowest = _stats(tot.reductions_lowest)
    years = model["total_months"] / 12 * grant_rate
    years_low = lowest["total_months"] / 12 * grant_rate
    summary = {
        "scenario": scenario.name, "description": scenario.description, "effective": str(scenario.effective),
        "order_date": str(order), "in_custody_on": str(custody_day), "grant_rate": grant_rate,
        "rows": tot.rows, "valid_rows": tot.valid, "in_custody": tot.in_custody, "affected": tot.affected,
        "eligible": tot.eligible, "expected_grants": round(tot.eligible * grant_rate),
        "mean_months_reduced": model["mean"], "median_months_reduced": model["median"],
        "prison_years_saved": years,
        "at_lowest_permissible": {"mean_months_reduced": lowest["mean"], "median_months_reduced": lowest["median"],
                                  "prison_years_saved": years_low},
        "dollars_saved": None if annual_cost is None else years * annual_cost,
        "releases_per_year": {"original": dict(sorted(tot.release_old.items())),
                              "scenario": dict(sorted(tot.release_new.items()))},
        "breakdowns": [{"column": k[0], "value": k[1], "people": v[0], "eligible": v[1],
                        "mean_months_reduced": (v[2] / v[1]) if v[1] else 0.0}
                       for k, v in sorted(tot.groups.items())],
        "assumptions": _assumptions(scenario, order, custody_day, grant_rate, annual_cost) + list(preset_notes),
        "published_estimates": scenario.published_estimates if preset == "ussc" else [],
        "provenance": {"sentcalc_version": __version__, "guidelines_sha256": law.content_hash},
    }
    _plots(folder, tot)
    write_text_atomic(folder / "summary.json", json.dumps(summary, indent=2, default=str))
    write_text_atomic(folder / "report.md", _markdown(summary, scenario))
    write_text_atomic(folder / "report.html", _html(summary, scenario, folder))
    return summary


def _assumptions(scenario, order, custody_day, grant_rate, annual_cost) -> list[str]:
    out = [
        f"Scenario '{scenario.name}': {scenario.description} (effective {scenario.effective}; "
        f"{scenario.reference.get('title', '')}).",
        "Only the substituted provisions change; every other decision in the data is kept as found (USSG "
        "§1B1.10(b)(1)); the statutory minimum in force for the case still binds unless the scenario changes it.",
        "New sentences follow the Commission's prison impact model: the same position in the amended range as "
        "in the original (a below-range sentence keeps its proportion to the minimum), never below the lowest "
        "permissible term (§1B1.10(b)(2)); results at the lowest permissible term are given too.",
        f"Population: people still in custody on {custody_day} by sentcalc's projected release date "
        "(custody start + term − 54 days of good-conduct time per year imposed − prior custody credit).",
        f"Order date {order}; grant rate {grant_rate:.0%} applied to counts, prison-years and dollars.",
    ]
    if annual_cost is not None:
        out.append(f"Annual cost of incarceration: ${annual_cost:,.0f} per person-year.")
    return out


def _plots(folder: Path, tot) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    red = np.concatenate(tot.reductions_model) if tot.reductions_model else np.zeros(0)
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.hist(red if len(red) else [0], bins=30, color="#2b6cb0")
    ax.set_xlabel("Months reduced (model)")
    ax.set_ylabel("People")
    ax.set_title("Sentence reductions for eligible people")
    fig.tight_layout()
    fig.savefig(folder / PLOTS[0], dpi=110)
    plt.close(fig)

    years = sorted(set(tot.release_old) | set(tot.release_new))
    fig, ax = plt.subplots(figsize=(7, 4))
    x = np.arange(len(years))
    ax.bar(x - 0.2, [tot.release_old.get(y, 0) for y in years], 0.4, label="original sentence", color="#a0aec0")
    ax.bar(x + 0.2, [tot.release_new.get(y, 0) for y in years], 0.4, label="scenario (model)", color="#2b6cb0")
    ax.set_xticks(x, [str(y) for y in years], rotation=90, fontsize=7)
    ax.set_ylabel("Projected releases")
    ax.set_title("Projected releases per year, eligible people")
    ax.legend()
    fig.tight_layout()
    fig.savefig(folder / PLOTS[1], dpi=110)
    plt.close(fig)

    first = next((k[0] for k in sorted(tot.groups) if k[0] != "criminal_history_category"),
                 "criminal_history_category")
    rows = [(k[1], v) for k, v in sorted(tot.groups.items()) if k[0] == first]
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.bar([r[0] for r in rows], [r[1][1] / r[1][0] * 100 if r[1][0] else 0 for r in rows], color="#2b6cb0")
    ax.set_ylabel("Eligible (% of people in custody)")
    ax.set_title(f"Eligibility by {first.replace('_', ' ')}")
    fig.tight_layout()
    fig.savefig(folder / PLOTS[2], dpi=110)
    plt.close(fig)


def _markdown(s: dict, scenario) -> str:
    lines = [f"# Simulation: {scenario.description}", "",
             f"Scenario `{s['scenario']}`, effective {s['effective']}; order date {s['order_date']}; "
             f"people in custody on {s['in_custody_on']}.", "",
             "| Measure | Value |", "|---|---|",
             f"| Rows read | {s['rows']:,} (valid {s['valid_rows']:,}) |",
             f"| In custody | {s['in_custody']:,} |",
             f"| Range lowered (affected) | {s['affected']:,} |",
             f"| Eligible for a lower term | {s['eligible']:,} (expected grants at {s['grant_rate']:.0%}: "
             f"{s['expected_grants']:,}) |",
             f"| Mean / median months reduced (model) | {s['mean_months_reduced']:.1f} / {s['median_months_reduced']:.1f} |",
             f"| Mean / median months reduced (lowest permissible term) | "
             f"{s['at_lowest_permissible']['mean_months_reduced']:.1f} / "
             f"{s['at_lowest_permissible']['median_months_reduced']:.1f} |",
             f"| Prison-years saved (model / lowest) | {s['prison_years_saved']:,.0f} / "
             f"{s['at_lowest_permissible']['prison_years_saved']:,.0f} |"]
    if s["dollars_saved"] is not None:
        lines.append(f"| Dollars saved (model) | ${s['dollars_saved']:,.0f} |")
    if s["published_estimates"]:
        lines += ["", "## Beside the Commission's published estimates", "", "| Source | Eligible | Mean reduction |",
                  "|---|---|---|"]
        lines += [f"| {e.get('what')} | {e.get('eligible', '—'):,} | {e.get('mean_reduction_months', '—')} |"
                  for e in s["published_estimates"]]
        lines.append(f"| sentcalc (this run) | {s['eligible']:,} | {s['mean_months_reduced']:.1f} |")
    lines += ["", "![Reductions](reductions.png)", "", "![Releases per year](releases.png)", "",
              "![Eligibility by group](groups.png)", "", "## Projected releases per year (eligible people)", "",
              "| Year | Original | Scenario |", "|---|---|---|"]
    years = sorted(set(s["releases_per_year"]["original"]) | set(s["releases_per_year"]["scenario"]))
    lines += [f"| {y} | {s['releases_per_year']['original'].get(y, 0):,} | {s['releases_per_year']['scenario'].get(y, 0):,} |"
              for y in years]
    lines += ["", "## Breakdowns", "", "| Column | Value | In custody | Eligible | Mean months reduced |",
              "|---|---|---|---|---|"]
    lines += [f"| {b['column']} | {b['value']} | {b['people']:,} | {b['eligible']:,} | {b['mean_months_reduced']:.1f} |"
              for b in s["breakdowns"]]
    lines += ["", "## Assumptions", ""] + [f"- {a}" for a in s["assumptions"]]
    lines += ["", "Per-person results: `people.csv`. Machine-readable summary: `summary.json`.",
              f"sentcalc {s['provenance']['sentcalc_version']}, guidelines sha256:{s['provenance']['guidelines_sha256']}", ""]
    return "\n".join(lines)


def _html(s: dict, scenario, folder: Path) -> str:
    """One self-contained page: the Markdown tables as HTML, the plots inlined."""
    md = _markdown(s, scenario).splitlines()
    out = ["<!doctype html><html><head><meta charset='utf-8'>",
           f"<title>{html.escape(scenario.description)}</title>",
           "<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}"
           "table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #ccc;padding:.3rem .6rem;"
           "text-align:left}img{max-width:100%}</style></head><body>"]
    in_table = False
    for line in md:
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            if set("".join(cells)) <= {"-"}:
                continue
            if not in_table:
                out.append("<table>")
                in_table = True
                out.append("<tr>" + "".join(f"<th>{html.escape(c)}</th>" for c in cells) + "</tr>")
            else:
                out.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>")
            continue
        if in_table:
            out.append("</table>")
            in_table = False
        if line.startswith("# "):
            out.append(f"<h1>{html.escape(line[2:])}</h1>")
        elif line.startswith("## "):
            out.append(f"<h2>{html.escape(line[3:])}</h2>")
        elif line.startswith("!["):
            name = line[line.index("(") + 1:-1]
            if name in PLOTS:
                data = base64.b64encode((folder / name).read_bytes()).decode()
                out.append(f"<img alt='{html.escape(name)}' src='data:image/png;base64,{data}'>")
        elif line.startswith("- "):
            out.append(f"<li>{html.escape(line[2:])}</li>")
        elif line:
            out.append(f"<p>{html.escape(line)}</p>")
    if in_table:
        out.append("</table>")
    out.append("</body></html>")
    return "\n".join(out)
