"""The simulation's release dates: the BOP's good-conduct method without time credits by default (as the
Commission's impact analyses), credits with --time-credits; the report's assumptions say which."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from helpers import run_main

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "examples" / "datasets" / "sample.csv"


def test_time_credits_only_on_request_and_said_so(tmp_path: Path, capsys) -> None:
    out = {}
    for flag in ([], ["--time-credits"]):
        r = tmp_path / ("credits" if flag else "plain")
        code, _, err = run_main(["simulate", str(SAMPLE), "--scenario", "amendment-782-retroactive", "--report", str(r),
                                 "--as-of", "2026-11-25", *flag], capsys)
        assert code == 0, err
        out[bool(flag)] = json.loads((r / "summary.json").read_text())
    plain, credits = out[False], out[True]
    said = " ".join(plain["assumptions"])
    assert "No First Step Act time credits" in said and "per year of the term imposed" in said
    assert "With First Step Act time credits" in " ".join(credits["assumptions"])
    # credits never keep anyone longer: no more people in custody, and nobody's release comes later
    assert credits["in_custody"] <= plain["in_custody"]
    before = _releases(tmp_path / "plain")
    after = _releases(tmp_path / "credits")
    common = [k for k in after if k in before and before[k] and after[k]]
    assert common and all(after[k] <= before[k] for k in common)
    assert any(after[k] < before[k] for k in common)


def _releases(folder: Path) -> dict[str, str]:
    with open(folder / "people.csv", newline="") as fh:
        return {r["id"]: r["release_original"] for r in csv.DictReader(fh)}
