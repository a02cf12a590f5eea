"""`sentcalc verify` passes on the shipped data and fails on deliberately broken copies of it."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
import yaml

from sentcalc.law import Law, guidelines_root
from sentcalc.verify import verify

TODAY = date(2026, 11, 25)


def _copy(tmp_path: Path) -> Path:
    dst = tmp_path / "guidelines"
    shutil.copytree(guidelines_root(), dst)
    return dst


def test_shipped_data_passes() -> None:
    rep = verify(Law(), TODAY)
    assert rep.ok, rep.failures
    assert rep.checked > 50 and rep.unverified  # unverified values are listed, not hidden


def _edit(root: Path, rel: str, fn) -> None:
    p = root / rel
    doc = yaml.safe_load(p.read_text())
    fn(doc)
    p.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True))


BREAKS = {
    "missing citation": ("career-offender.yaml", lambda d: d["versions"][1].pop("reference"),
                         "career-offender.yaml versions @ 1988-01-15: missing key 'reference'"),
    "versions out of order": ("acceptance.yaml", lambda d: d["versions"].reverse(), "out of date order"),
    "threshold not increasing": ("drug-quantity/heroin.yaml",
                                 lambda d: d["versions"][-1]["levels"].__setitem__(30, 50), "do not strictly increase"),
    "table not monotone": ("sentencing-table.yaml",
                           lambda d: d["versions"][-1]["table"].__setitem__(30, ["1-7"] * 6), "decreases with"),
    "range too wide": ("sentencing-table.yaml",
                       lambda d: d["versions"][-1]["table"].__setitem__(20, ["33-80", "37-80", "41-80", "51-80",
                                                                             "63-80", "70-87"]), "994(b)(2)"),
    "table rows missing": ("sentencing-table.yaml", lambda d: d["versions"][-1]["table"].pop(43), "levels 1-43"),
    "bad status": ("criminal-history.yaml", lambda d: d["status_points"][0].__setitem__("status", "maybe"), "status"),
    "alias before guidelines": ("regimes.yaml", lambda d: d["aliases"].__setitem__("ancient", "1980-01-01"),
                                "before the first Guidelines"),
}


@pytest.mark.parametrize("what", BREAKS)
def test_broken_copies_fail(tmp_path: Path, what: str) -> None:
    rel, fn, fragment = BREAKS[what]
    root = _copy(tmp_path)
    _edit(root, rel, fn)
    rep = verify(Law(root), TODAY)
    assert not rep.ok
    assert any(fragment in f for f in rep.failures), rep.failures


def test_verify_command_exit_code_on_broken_copy(tmp_path: Path, capsys, monkeypatch) -> None:
    from helpers import run_main
    root = _copy(tmp_path)
    _edit(root, "acceptance.yaml", lambda d: d["versions"].reverse())
    monkeypatch.setenv("SENTCALC_GUIDELINES", str(root))
    from sentcalc import law
    law.default_law.cache_clear()
    try:
        code, out, _ = run_main(["verify"], capsys)
    finally:
        law.default_law.cache_clear()
    assert code == 1 and "FAIL" in out


def test_old_data_warns() -> None:
    rep = verify(Law(), date(2030, 1, 1))
    assert any("a new Guidelines Manual may be out" in w for w in rep.warnings)


def test_unverified_counted_per_file(tmp_path: Path) -> None:
    """Each unverified value is counted against its data file; the counts add up to the list."""
    root = _copy(tmp_path)
    before = verify(Law(root), TODAY)
    assert sum(before.unverified_by_file.values()) == len(before.unverified)
    assert list(before.unverified_by_file) == sorted(before.unverified_by_file)
    _edit(root, "career-offender.yaml", lambda d: d["versions"][0].__setitem__("status", "unverified"))
    after = verify(Law(root), TODAY).unverified_by_file
    assert after["career-offender.yaml"] == before.unverified_by_file.get("career-offender.yaml", 0) + 1
    assert {k: v for k, v in after.items() if k != "career-offender.yaml"} == \
        {k: v for k, v in before.unverified_by_file.items() if k != "career-offender.yaml"}


def test_verify_command_prints_counts_per_file(capsys) -> None:
    from helpers import run_main
    code, out, _ = run_main(["verify"], capsys)
    assert code == 0
    counts = verify(Law(), TODAY).unverified_by_file
    summary = out[out.index("Unverified values per file:"):]
    for name, n in counts.items():
        assert f"{n:4d}  {name}" in summary
