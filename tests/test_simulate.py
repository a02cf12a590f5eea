"""`sentcalc simulate`: every shipped scenario renders a report from the sample dataset; scenarios are
data (user files work, code and paths outside guidelines/ are refused)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers import run_main
from sentcalc.simulate import list_scenarios, model_term

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "examples" / "datasets" / "sample.csv"


@pytest.mark.parametrize("name", ["retroactive-fsa", "amendment-782-retroactive", "equal-act",
                                  "crack-1-to-1-guidelines-only"])
def test_shipped_scenario_report(tmp_path: Path, capsys, name: str) -> None:
    assert name in list_scenarios()
    code, _, err = run_main(["simulate", str(SAMPLE), "--scenario", name, "--report", str(tmp_path / "r"),
                             "--annual-cost", "40000", "--grant-rate", "0.5"], capsys)
    assert code == 0, err
    r = tmp_path / "r"
    for f in ("report.md", "report.html", "summary.json", "people.csv", "reductions.png", "releases.png",
              "groups.png"):
        assert (r / f).stat().st_size > 0, f
    s = json.loads((r / "summary.json").read_text())
    assert 0 <= s["eligible"] <= s["affected"] <= s["in_custody"] <= s["valid_rows"] <= s["rows"] == 500
    assert s["eligible"] > 0
    assert s["at_lowest_permissible"]["mean_months_reduced"] >= s["mean_months_reduced"] > 0
    assert s["dollars_saved"] == pytest.approx(s["prison_years_saved"] * 40000)
    html = (r / "report.html").read_text()
    assert "data:image/png;base64," in html and "src='http" not in html  # self-contained
    assert {b["column"] for b in s["breakdowns"]} >= {"race", "sex", "district", "criminal_history_category"}


def test_equal_act_reaches_at_least_the_guidelines_only_scenario(tmp_path: Path, capsys) -> None:
    out = {}
    for name in ("equal-act", "crack-1-to-1-guidelines-only"):
        run_main(["simulate", str(SAMPLE), "--scenario", name, "--report", str(tmp_path / name)], capsys)
        out[name] = json.loads((tmp_path / name / "summary.json").read_text())
    assert out["equal-act"]["prison_years_saved"] >= out["crack-1-to-1-guidelines-only"]["prison_years_saved"]


def test_user_scenario_with_new_thresholds(tmp_path: Path, capsys) -> None:
    sc = tmp_path / "half.yaml"
    sc.write_text("""
name: crack-half
description: Crack quantities doubled at every level (a user's hypothetical)
effective: 2026-12-01
substitutes: {drug-quantity:cocaine_base: 2026-12-01}
overlay:
  drug-quantity/cocaine_base.yaml:
    versions:
    - effective: 2026-12-01
      status: derived
      reference: {title: "A user's hypothetical", href: "https://example.org/none"}
      levels: {38: 50400, 36: 16800, 34: 5600, 32: 1680, 30: 560, 28: 392, 26: 224, 24: 56,
               22: 44.8, 20: 33.6, 18: 22.4, 16: 11.2, 14: 5.6, 12: 0}
""")
    code, _, err = run_main(["simulate", str(SAMPLE), "--scenario", str(sc), "--report", str(tmp_path / "r"),
                             "--as-of", "2026-12-01"], capsys)
    assert code == 0, err
    assert json.loads((tmp_path / "r" / "summary.json").read_text())["eligible"] > 0


@pytest.mark.parametrize(("body", "fragment"), [
    ("name: x\neffective: 2026-01-01\nsubstitutes: {}\nexec: rm -rf /\n", "exec"),
    ("name: x\neffective: 2026-01-01\nsubstitutes: {}\noverlay: {'../../etc/passwd': {}}\n", "overlay"),
    ("name: x\nsubstitutes: {}\n", "scenario.effective"),
    ("!!python/object/apply:os.system ['echo hi']\n", "valid UTF-8 YAML"),
])
def test_bad_scenarios_are_refused(tmp_path: Path, capsys, body: str, fragment: str) -> None:
    sc = tmp_path / "bad.yaml"
    sc.write_text(body)
    code, _, err = run_main(["simulate", str(SAMPLE), "--scenario", str(sc), "--report", str(tmp_path / "r")], capsys)
    assert code == 2 and fragment in err and "Traceback" not in err


def test_model_term_keeps_the_position_in_the_range() -> None:
    import numpy as np
    one = np.array
    # bottom of 121-151 → bottom of 97-121; middle → middle; 5K1.1 at 80% of 121 → 80% of 97 (78); floor honoured
    assert model_term(one([121.0]), one([121.0]), one([151.0]), one([97.0]), one([121.0]), one([97.0]))[0] == 97
    assert model_term(one([136.0]), one([121.0]), one([151.0]), one([97.0]), one([121.0]), one([97.0]))[0] == 109
    assert model_term(one([97.0]), one([121.0]), one([151.0]), one([97.0]), one([121.0]), one([78.0]))[0] == 78
    assert model_term(one([130.0]), one([121.0]), one([151.0]), one([120.0]), one([121.0]), one([120.0]))[0] == 120
