"""`--preset ussc` on small fixtures in the Commission's layout (made by the project: a CSV and a
fixed-width .dat with its SAS setup): mapping, sentinels, unmappable rows to the errors file, and the
assumptions recorded in the provenance."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import pytest

from helpers import TODAY, run_main
from sentcalc.batch import run
from sentcalc.io.ussc import setup_positions
from sentcalc.kernel import Options

FIX = Path(__file__).resolve().parent / "fixtures" / "ussc"
D = date.fromisoformat(TODAY)


@pytest.mark.parametrize("name", ["opafy09.csv", "opafy09.dat"])
def test_ussc_preset_maps_and_conserves_rows(tmp_path: Path, name: str) -> None:
    out = tmp_path / "o.csv"
    s = run(FIX / name, out, Options(["original", "2014"], retro=True, as_of=D, today=D), workers=1, progress=False,
            preset="ussc")
    assert s.rows_in == 5 and s.rows_out == 3 and s.error_rows == 2 and s.conserved
    rows = {r["id"]: r for r in csv.DictReader(out.read_text().splitlines())}
    # 1001: crack 60 g, DRUGMIN 120 → (A); the court's final level 29 and trumped range 120-121 are findings.
    assert rows["1001"]["orig_offense_level"] == "29" and rows["1001"]["orig_gl_min"] == "120"
    assert rows["1001"]["orig_stat_sub"] == "841(b)(1)(A)" and rows["1001"]["race"] == "Black"
    # 2014 regime: the Fair Sentencing Act puts 60 g of crack in (B), 60-480 months.
    assert rows["1001"]["r2014_stat_sub"] == "841(b)(1)(B)"
    # 1002: cocaine 2.5 kg, safety valve: the minimum does not bind.
    assert rows["1002"]["orig_stat_min"] == "0"
    errors = list(csv.DictReader((tmp_path / "o.errors.csv").read_text().splitlines()))
    assert {e["id"] for e in errors} == {"1003", "1005"}
    assert any("not a drug trafficking case" in e["reason"] for e in errors)
    assert any("drug type not supported" in e["reason"] for e in errors)
    prov = json.loads((tmp_path / "o.provenance.json").read_text())
    assert prov["preset"] == "ussc" and any("offense date" in a for a in prov["preset_assumptions"])


def test_setup_positions_both_styles() -> None:
    assert setup_positions("INPUT USSCIDN 1-7 GDLINEHI $ 8-15 ;") == {"USSCIDN": (1, 7), "GDLINEHI": (8, 15)}
    assert setup_positions("INPUT @1 USSCIDN 7. @8 GDLINEHI $CHAR8. ;") == {"USSCIDN": (1, 7), "GDLINEHI": (8, 15)}


def test_simulate_prints_published_estimates_with_the_preset(tmp_path: Path, capsys) -> None:
    code, _, err = run_main(["simulate", str(FIX / "opafy09.csv"), "--preset", "ussc", "--scenario",
                             "amendment-782-retroactive", "--report", str(tmp_path / "r")], capsys)
    assert code == 0, err
    md = (tmp_path / "r" / "report.md").read_text()
    assert "Commission's published estimates" in md and "46,290" in md


def test_dat_without_setup_is_refused(tmp_path: Path, capsys) -> None:
    dat = tmp_path / "x.dat"
    dat.write_text((FIX / "opafy09.dat").read_text())
    code, _, err = run_main(["batch", str(dat), str(tmp_path / "o.csv"), "--preset", "ussc"], capsys)
    assert code == 2 and "SAS setup" in err
