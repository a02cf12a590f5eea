"""Helpers for tests: a base case, a case writer, CLI runners."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import yaml
from typer.testing import CliRunner

from sentcalc.cli import app

TODAY = "2026-11-25"

BASE_CASE: dict = {
    "id": "t1",
    "offense_date": "2005-09-01",
    "sentencing_date": "2006-06-01",
    "conviction": {"statute": "841(b)(1)(A)", "drug": "cocaine_base", "grams": 50, "prior_convictions": 0,
                   "death_or_injury": False},
    "drugs": [{"drug": "cocaine_base", "grams": 50}],
    "adjustments": [],
    "mitigating_role": 0,
    "acceptance": 0,
    "criminal_history": {"points": 0, "status_points": 0, "recency_points": 0},
    "career_offender": False,
    "safety_valve": False,
    "substantial_assistance": False,
}


def make_case(**changes: object) -> dict:
    """BASE_CASE with top-level or dotted (conviction.grams) fields replaced."""
    c = copy.deepcopy(BASE_CASE)
    for key, value in changes.items():
        node = c
        parts = key.split("__")
        for p in parts[:-1]:
            node = node[p]
        node[parts[-1]] = value
    return c


def write_case(tmp_path: Path, case: dict, name: str = "case.yaml") -> Path:
    p = tmp_path / name
    p.write_text(yaml.safe_dump(case, sort_keys=False) if name.endswith(".yaml") else json.dumps(case))
    return p


def run(*args: str):
    """Invoke the CLI in-process; returns the click Result."""
    return CliRunner().invoke(app, list(args))


def range_json(tmp_path: Path, case: dict, *regimes: str) -> dict[str, dict]:
    """`sentcalc range --json` for a case; results keyed by regime token."""
    p = write_case(tmp_path, case)
    args = ["range", str(p), "--json"] + [a for r in regimes for a in ("--regime", r)]
    res = run(*args)
    assert res.exit_code == 0, res.output
    return {r["regime"]: r for r in json.loads(res.stdout)["results"]}


def run_main(argv: list[str], capsys) -> tuple[int, str, str]:
    """Run the real entry point (with its error handling); returns exit code, stdout, stderr."""
    import sys

    from sentcalc.cli import main

    old = sys.argv
    sys.argv = ["sentcalc", *argv]
    try:
        main()
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    finally:
        sys.argv = old
    out = capsys.readouterr()
    return code, out.out, out.err


def threshold(drug: str, tier: str) -> float | None:
    """The largest quantity §841(b)(1) tier `tier` ever required for `drug` (None: no such threshold)."""
    from sentcalc.law import default_law

    vals = [v.data.get(tier) for v in default_law().dated("statutes/21-usc-841.yaml", "thresholds", drug).versions]
    vals = [float(x) for x in vals if x is not None]
    return max(vals) if vals else None


def subsections(drug: str) -> list[str]:
    """The §841(b)(1) subsections a conviction for `drug` can be under."""
    return (["841(b)(1)(C)"] + (["841(b)(1)(D)"] if threshold(drug, "C") else [])
            + (["841(b)(1)(A)", "841(b)(1)(B)"] if threshold(drug, "A") else []))


def conviction_quantity(drug: str, statute: str) -> float | None:
    """A quantity of conviction that fits the subsection (None: left to the subsection's threshold)."""
    if statute.endswith("(A)"):
        return threshold(drug, "A") * 1.5  # type: ignore[operator]
    if statute.endswith("(B)"):
        return threshold(drug, "A") / 5  # type: ignore[operator]
    c = threshold(drug, "C")
    return c * 1.2 if statute.endswith("(C)") and c else None


def quantity_key(drug: str) -> str:
    """`count` for a counted substance (plants), else `grams` (the library's rule, under the shipped law)."""
    from sentcalc.io import flat
    from sentcalc.law import default_law

    return flat.quantity_key(default_law(), drug)


def conviction_drugs() -> tuple[str, ...]:
    """Drugs that can be the drug of conviction (those with §841(b)(1) thresholds in the data)."""
    from sentcalc.law import default_law

    law = default_law()
    return tuple(d for d in law.drugs if d in law.doc("statutes/21-usc-841.yaml")["thresholds"])


def flat_row(doc: dict) -> dict[str, str] | None:
    """A case document as it would be written as one flat row (CSV text), or None when it has no flat form
    (a field the columns cannot hold: an unknown key, a drug with no column, a list the columns flatten
    differently, a value that is not a scalar)."""
    from datetime import date, datetime

    from sentcalc.io.flat import LISTS, columns, quantity_column, quantity_key
    from sentcalc.law import default_law

    law = default_law()
    cols = [c for c in columns(law) if c.path[0] not in LISTS]

    def text(v: object) -> str | None:
        if v is None:
            return ""
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, datetime):
            return v.isoformat()
        if isinstance(v, date):
            return v.isoformat()
        if isinstance(v, float) and v != v:  # NaN: in a CSV, an empty (missing) cell
            return None
        if isinstance(v, int | float | str):
            return str(v)
        return None

    known = {c.path[0] for c in cols} | LISTS
    if set(doc) - known or any(set(doc.get(k) or {}) - {c.path[1] for c in cols if c.path[0] == k}
                               for k in ("conviction", "criminal_history", "findings") if isinstance(doc.get(k), dict)):
        return None
    row: dict[str, str] = {}
    for c in cols:
        node: object = doc
        for p in c.path:
            node = node.get(p) if isinstance(node, dict) else None
        t = text(node)
        if t is None:
            return None
        row[c.name] = t
    drugs = doc.get("drugs") or []
    if not isinstance(drugs, list) or doc.get("reductions"):
        return None
    adjustments = doc.get("adjustments") or []
    if adjustments:  # sections named without levels are one column
        if not isinstance(adjustments, list) or any(not isinstance(a, dict) or set(a) != {"section"} for a in adjustments):
            return None
        row["named_adjustments"] = ";".join(str(a["section"]) for a in adjustments)
    for d in drugs:
        if not isinstance(d, dict) or d.get("drug") not in law.drugs or set(d) != {"drug", quantity_key(law, d["drug"])}:
            return None
        t = text(d[quantity_key(law, d["drug"])])
        if t is None or row.get(quantity_column(law, d["drug"])):
            return None
        row[quantity_column(law, d["drug"])] = t
    return row


def flat_field(field: str, doc: dict) -> str | None:
    """The column a case-file field is written in (drugs.0.grams → cocaine_base_grams), or None."""
    import re

    from sentcalc.io.flat import column_for, columns, quantity_column
    from sentcalc.law import default_law

    law = default_law()
    m = re.fullmatch(r"drugs\.(\d+)\.(grams|count)", field)
    if m:
        return quantity_column(law, doc["drugs"][int(m.group(1))]["drug"])
    name = column_for(field, law)
    return name if name in {c.name for c in columns(law)} else None
