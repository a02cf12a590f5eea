"""Names the code can verify: each kind of name the code and the data share (a law component, a data file, a
table, a key of a version, a scenario's substitution and overlay, an adjustment's stage) misspelt once, and
the error that names it."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import numpy as np
import pytest
import yaml

from helpers import run_main
from sentcalc.errors import LawDataError
from sentcalc.law import Law, default_law, guidelines_root
from sentcalc.regimes import Dates, Regime
from sentcalc.registry import TABLES, table_for
from sentcalc.verify import verify

TODAY = date(2026, 11, 25)


def _copy(tmp_path: Path) -> Path:
    dst = tmp_path / "guidelines"
    shutil.copytree(guidelines_root(), dst)
    return dst


def _edit(root: Path, rel: str, fn) -> None:
    p = root / rel
    doc = yaml.safe_load(p.read_text())
    fn(doc)
    p.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True))


def test_a_misspelt_component_is_refused() -> None:
    day = np.array(["2010-01-01"], dtype="datetime64[D]")
    dates = Dates(Regime("original", None), day, day)
    assert dates.on("drug-quantity:cocaine_base")[0] == day[0]
    with pytest.raises(LawDataError, match="'drug_quantity:cocaine_base' is not a law component; use one of"):
        dates.on("drug_quantity:cocaine_base")
    with pytest.raises(LawDataError, match="safety-valve"):
        dates.on("safety_valve")


def test_a_misspelt_table_is_refused() -> None:
    with pytest.raises(LawDataError, match="reductoin is not a table sentcalc declares"):
        Law().dated("safety-valve.yaml", "reductoin")


def test_every_table_in_the_data_is_declared_and_every_declared_table_exists() -> None:
    from sentcalc.law import versions_paths
    law = default_law()
    found = set()
    for p in sorted(law.root.rglob("*.yaml")):
        rel = p.relative_to(law.root).as_posix()
        if rel.startswith("scenarios/"):
            continue
        for keys in versions_paths(law.doc(rel)):
            table = table_for(rel, keys)
            assert table is not None, (rel, keys)
            found.add((table.file, table.keys))
    assert {(t.file, t.keys) for t in TABLES if t.family is None} <= found


BROKEN = {
    "unknown file": (lambda root: (root / "safety_valve.yaml").write_text("description: x\n"),
                     "safety_valve.yaml: not a data file sentcalc declares"),
    "unknown top-level key": (lambda root: _edit(root, "safety-valve.yaml", lambda d: d.__setitem__("reductions", [])),
                              "safety-valve.yaml: unknown key 'reductions'"),
    "unknown version key": (lambda root: _edit(root, "acceptance.yaml", lambda d: d["versions"][0].__setitem__(
        "level", 2)), "acceptance.yaml versions @ 1987-11-01: unknown key 'level'"),
    "missing version key": (lambda root: _edit(root, "acceptance.yaml", lambda d: d["versions"][1].pop("levels")),
                            "acceptance.yaml versions @ 1992-11-01: missing key 'levels'"),
    "wrong type": (lambda root: _edit(root, "safety-valve.yaml", lambda d: d["reduction"][1].__setitem__(
        "minimum_offense_level", "26")),
        "safety-valve.yaml reduction @ 1995-11-01: key 'minimum_offense_level' is str '26', expected an integer or null"),
    "missing table": (lambda root: _edit(root, "safety-valve.yaml", lambda d: d.pop("floor")),
                      "safety-valve.yaml: missing key 'floor'"),
    "family member version key": (lambda root: _edit(root, "drug-quantity/heroin.yaml", lambda d: d["versions"][0]
                                                     .__setitem__("levles", {})),
                                  "drug-quantity/heroin.yaml versions @ 1987-11-01: unknown key 'levles'"),
    "misspelt substitution": (lambda root: _edit(root, "retroactivity.yaml", lambda d: d["amendments"][2].__setitem__(
        "substitutes", {"drug_quantity": "2014-11-01"})), "substitutes 'drug_quantity', not a law component"),
    "misspelt adjustment stage": (lambda root: _edit(root, "adjustments.yaml", lambda d: d["chapters"].__setitem__(
        "3", "chapter_3")), "adjustments.yaml: chapters: '3' → 'chapter_3'"),
    "misspelt scenario component": (lambda root: _edit(root, "scenarios/equal-act.yaml", lambda d: d["substitutes"]
                                                       .__setitem__("statute.threshold", "2026-12-01")),
                                    "scenarios/equal-act.yaml: scenario.substitutes: 'statute.threshold'"),
}


@pytest.mark.parametrize("what", BROKEN)
def test_verify_names_file_version_and_key(tmp_path: Path, what: str) -> None:
    root = _copy(tmp_path)
    breaks, message = BROKEN[what]
    breaks(root)
    rep = verify(Law(root), TODAY)
    assert not rep.ok
    assert any(message in f for f in rep.failures), rep.failures


def _scenario(tmp_path: Path, **changes) -> Path:
    doc = yaml.safe_load((guidelines_root() / "scenarios" / "equal-act.yaml").read_text())
    doc.update(changes)
    p = tmp_path / "scenario.yaml"
    p.write_text(yaml.safe_dump(doc, sort_keys=False))
    return p


@pytest.mark.parametrize(("changes", "message"), [
    ({"substitutes": {"drug_quantity:cocaine_base": "2026-12-01"}},
     "scenario.substitutes: 'drug_quantity:cocaine_base' is not allowed; not a law component (did you mean "
     "drug-quantity:cocaine_base?); use one of"),
    ({"overlay": {"drug-quantity/crack.yaml": {"versions": []}}},
     "scenario.overlay: 'drug-quantity/crack.yaml' is not allowed; overlay one of the guidelines/ data files"),
    ({"overlay": {"statutes/21-usc-841.yaml": {"threshold": {"cocaine_base": []}}}},
     "not a table of statutes/21-usc-841.yaml; use one of"),
])
def test_simulate_refuses_a_misspelt_scenario(tmp_path: Path, capsys, changes: dict, message: str) -> None:
    code, _, err = run_main(["simulate", str(Path(__file__).parents[1] / "examples" / "datasets" / "sample.csv"),
                             "--scenario", str(_scenario(tmp_path, **changes)), "--report", str(tmp_path / "r")], capsys)
    assert code == 2 and "Traceback" not in err
    assert message in " ".join(err.split()), err
    assert not (tmp_path / "r").exists()
