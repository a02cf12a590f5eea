"""CLI behaviour: every command has help and docs; --json is JSON only; the default regimes; the
installed console script works end to end (as sqlite-utils tests its CLI docs)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import typer

from helpers import make_case, range_json, run, write_case
from sentcalc.cli import app

ROOT = Path(__file__).resolve().parents[1]


def _commands(t: typer.Typer, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out = [(*prefix, c.name or c.callback.__name__) for c in t.registered_commands]
    for g in t.registered_groups:
        out += _commands(g.typer_instance, (*prefix, g.name))
    return out


COMMANDS = _commands(app)


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_command_has_help_and_readme_docs(command: tuple[str, ...]) -> None:
    res = run(*command, "--help")
    assert res.exit_code == 0, res.output
    assert len(res.output.strip().splitlines()) > 3
    readme = (ROOT / "README.md").read_text()
    assert f"sentcalc {' '.join(command)}" in readme, f"README does not document `sentcalc {' '.join(command)}`"


def test_json_is_json_only_with_stable_keys(tmp_path: Path) -> None:
    res = run("range", str(write_case(tmp_path, make_case())), "--json", "--regime", "original")
    assert res.exit_code == 0
    doc = json.loads(res.stdout)
    r = doc["results"][0]
    for key in ("regime", "as_of", "base_offense_level", "total_offense_level", "criminal_history_category",
                "table_range", "guideline_range", "statutory_range", "steps", "assumptions", "warnings",
                "discrepancies"):
        assert key in r
    assert set(r["statutory_range"]) >= {"subsection", "min_months", "max_months"}
    assert all({"rule", "citation", "detail"} <= set(s) for s in r["steps"])
    assert doc["case_id"] == "t1"


def test_default_regimes_show_2010_and_2014_only_when_different(tmp_path: Path) -> None:
    p = write_case(tmp_path, make_case())
    res = run("range", str(p), "--json")
    regimes = [r["regime"] for r in json.loads(res.stdout)["results"]]
    # 2010 (level 26, 63-78) differs from original (32) and current (60 after §5G1.1); 2014 (60-63) too.
    assert regimes == ["original", "current", "2010", "2014"]
    cocaine = make_case(conviction__drug="cocaine", conviction__grams=600, conviction__statute="841(b)(1)(B)",
                        drugs=[{"drug": "cocaine", "grams": 600}], sentencing_date="2015-01-01",
                        offense_date="2014-12-01", zero_point_offender=False)
    res = run("range", str(write_case(tmp_path, cocaine, "c.yaml")), "--json")
    regimes = [r["regime"] for r in json.loads(res.stdout)["results"]]
    assert regimes == ["original", "current", "2010"]  # 2014 equals both


def test_hypothetical_regime_before_offense_is_marked(tmp_path: Path) -> None:
    out = range_json(tmp_path, make_case(offense_date="2012-01-01", sentencing_date="2013-01-01"), "pre-2007")
    assert out["pre-2007"]["hypothetical"] is True
    assert any(s["rule"] == "hypothetical" for s in out["pre-2007"]["steps"])


def test_regimes_and_tables_commands_print_citations() -> None:
    res = run("regimes")
    assert res.exit_code == 0 and "Amendment 782" in res.output and "Pub. L. 111-220" in res.output
    res = run("tables", "drug-quantity", "--drug", "cocaine_base", "--regime", "2010")
    assert res.exit_code == 0 and "at least 28 g but less than 112 g" in res.output
    res = run("tables", "sentencing", "--regime", "1990-01-01")
    assert res.exit_code == 0 and "1-7" in res.output


def test_schema_is_json_schema() -> None:
    res = run("schema")
    doc = json.loads(res.stdout)
    assert doc["title"] == "Case" and "conviction" in doc["properties"]


def test_version_shows_data_hash() -> None:
    res = run("--version")
    assert res.exit_code == 0 and "sha256:" in res.output


def test_verify_passes_on_shipped_data() -> None:
    res = run("verify")
    assert res.exit_code == 0, res.output
    assert "verify: OK" in res.output


@pytest.mark.skipif(shutil.which("sentcalc") is None, reason="console script not installed")
def test_installed_command_end_to_end(tmp_path: Path) -> None:
    p = write_case(tmp_path, make_case())
    proc = subprocess.run(["sentcalc", "range", str(p), "--json", "--regime", "2014", "--today", "2026-11-25"],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    r = json.loads(proc.stdout)["results"][0]
    assert r["guideline_range"] == {"min_months": 60, "max_months": 63}
    bad = subprocess.run(["sentcalc", "range", str(tmp_path / "missing.yaml")], capture_output=True, text=True,
                         check=False)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


def test_strict_turns_assumptions_into_errors(tmp_path: Path, capsys) -> None:
    from helpers import run_main
    p = write_case(tmp_path, make_case())  # current regime: zero-point offender assumed
    code, out, _ = run_main(["range", str(p), "--json"], capsys)
    assert code == 0 and any(r["assumptions"] for r in json.loads(out)["results"])
    code, _, err = run_main(["range", str(p), "--strict"], capsys)
    assert code == 2 and "--strict" in err and "Zero-point offender" in err
    p = write_case(tmp_path, make_case(zero_point_offender=False), "z.yaml")
    code, _, err = run_main(["range", str(p), "--strict"], capsys)
    assert code == 0, err


def test_batch_strict_sends_assumed_rows_to_errors(tmp_path: Path, capsys) -> None:
    from helpers import run_main
    sample = ROOT / "examples" / "datasets" / "sample.csv"
    code, _, err = run_main(["batch", str(sample), str(tmp_path / "o.csv"), "--strict", "--quiet"], capsys)
    assert code == 0, err
    errors = (tmp_path / "o.errors.csv").read_text()
    assert "--strict" in errors and "an assumption was needed" in errors


def test_no_network_is_used(tmp_path: Path, capsys, monkeypatch) -> None:
    """sentcalc makes no network calls: with sockets disabled every command still works."""
    import socket

    from helpers import run_main

    def refuse(*a, **k):
        raise AssertionError("sentcalc tried to open a network connection")
    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    p = write_case(tmp_path, make_case(sentence_months=121, custody_start="2005-09-01"))
    for args in (["range", str(p)], ["retro", str(p), "--format", "markdown"], ["verify"], ["regimes"]):
        code, _, err = run_main(args, capsys)
        assert code == 0, (args, err)


def test_each_step_shows_its_own_stage(tmp_path: Path) -> None:
    """The worksheet is rendered from the recorded steps: the Chapter Two step shows the level after the
    specific offense characteristics, Chapter Three starts from it, acceptance from the level after Chapter
    Three; each step names the stage that recorded it."""
    case = make_case(adjustments=[{"section": "2D1.1(b)(1)", "levels": 2}, {"section": "3C1.1", "levels": 2}],
                     acceptance=3)
    r = range_json(tmp_path, case, "original")["original"]
    steps = {s["rule"]: s for s in r["steps"]}
    assert steps["specific_offense_characteristics"]["detail"] == "Base offense level 32; 2D1.1(b)(1) +2 → 34."
    assert steps["chapter_three"]["detail"] == "Offense level after Chapter Two 34; 3C1.1 +2 → 36."
    assert steps["acceptance"]["detail"].startswith("Acceptance of responsibility: 36 − 3 = 33")
    assert steps["acceptance"]["stage"] == "acceptance" and steps["drug_quantity"]["stage"] == "base_offense_level"


def test_retro_compares_with_the_bop_projection(tmp_path: Path, capsys) -> None:
    from helpers import run_main
    case = make_case(offense_date="2015-06-01", sentencing_date="2016-03-01",
                     conviction={"statute": "841(b)(1)(C)", "drug": "heroin", "grams": 50},
                     drugs=[{"drug": "heroin", "grams": 50}], acceptance=3, sentence_months=140,
                     custody_start="2015-06-01", bop_projected_release_date="2025-06-01")
    code, out, err = run_main(["retro", str(write_case(tmp_path, case)), "--json"], capsys)
    assert code == 0, err
    doc = json.loads(out)
    # Commenced at sentencing, 2016-03-01, with 274 days of custody before it (from 2015-06-01): 140 months
    # end 2027-11-01, − 1 day − 274 = 2027-01-30 (full term); good-conduct time 11 × 54 + ⌊54 × 245/365⌋ = 630
    # (245 days from 2027-03-01 to 2027-11-01) → 2025-05-10, 22 days before the BOP's 2025-06-01.
    assert doc["projected_release_date_now"] == "2025-05-10" and doc["days_from_bop_projection"] == -22
    assert doc["original"]["release"]["full_term_date"] == "2027-01-30"
    code, out, _ = run_main(["retro", str(write_case(tmp_path, case)), "--format", "markdown"], capsys)
    assert "differs by -22 days" in out
