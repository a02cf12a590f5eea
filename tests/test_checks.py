"""The sentence checks and --strict run once, in the library, for the case file and the flat row alike.

Base case (hand computation): 50 g cocaine base, §841(b)(1)(A), sentenced 2006-06-01 → 10-year minimum
(21 U.S.C. §841(b)(1)(A)(iii) before the FSA); §2D1.1(c) level 32 (50-150 g, 2005 Manual), category I →
121-151 months.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pyarrow as pa
import pytest

from helpers import TODAY, make_case, run_main, write_case
from sentcalc.case import Case
from sentcalc.io.flat import case_to_row
from sentcalc.kernel import Options, recompute
from sentcalc.law import default_law

LAW = default_law()
D = date.fromisoformat(TODAY)

REFUSED = [
    (make_case(sentence_months=90), "sentence_months",
     "sentence_months 90 is below the statutory minimum (120 months) without a §3553(e) motion or the safety valve"),
    (make_case(sentence_months=130, substantial_assistance=True), "substantial_assistance",
     "substantial_assistance is true, but the sentence (130 months) is not below the guideline range (121 months)"),
    (make_case(sentence_months=100, substantial_assistance=True, departure="other"), "departure",
     "use 5K1.1 or 3553(e)"),
]


@pytest.mark.parametrize(("case", "field", "words"), REFUSED, ids=["below-minimum", "sa-in-range", "sa-other"])
def test_case_file_and_flat_row_refuse_with_the_same_words(tmp_path: Path, capsys, case: dict, field: str,
                                                          words: str) -> None:
    p = write_case(tmp_path, case)
    code, _, err = run_main(["--today", TODAY, "retro", str(p)], capsys)
    assert code == 2 and f"error: {field}: " in err and words in err, err
    flat = {k: v for k, v in case.items() if k != "departure"}
    row = {**case_to_row(Case.model_validate(flat), LAW), **({"departure": case["departure"]} if "departure" in case else {})}
    out, problems, bad = recompute(pa.Table.from_pylist([row]), Options(["original"], retro=True, as_of=D, today=D), LAW)
    assert bad.tolist() == [True]
    assert problems.fields[0] == field and words in problems.reasons[0]


def test_cooperator_below_the_minimum_infers_a_3553e_motion(tmp_path: Path, capsys) -> None:
    """§5K1.1 alone cannot go below a statutory minimum; only §3553(e) (or Rule 35(b)) can. sentcalc infers
    the motion, says so, and refuses only under --strict."""
    p = write_case(tmp_path, make_case(sentence_months=90, substantial_assistance=True))
    code, out, err = run_main(["--today", TODAY, "retro", str(p), "--json"], capsys)
    assert code == 0, err
    doc = json.loads(out)
    assert any("§3553(e) motion is assumed" in a for a in doc["original"]["assumptions"])
    code, _, err = run_main(["--today", TODAY, "retro", str(p), "--strict"], capsys)
    assert code == 2 and "--strict" in err and "§3553(e) motion is assumed" in err
    row = case_to_row(Case.model_validate(make_case(sentence_months=90, substantial_assistance=True)), LAW)
    table = pa.Table.from_pylist([row])
    out_t, _, bad = recompute(table, Options(["original"], retro=True, as_of=D, today=D), LAW)
    assert bad.tolist() == [False] and out_t.column("orig_n_assumptions").to_pylist() == [1]
    _, problems, bad = recompute(table, Options(["original"], retro=True, as_of=D, today=D, strict=True), LAW)
    assert bad.tolist() == [True] and problems.fields == ["--strict"] and "§3553(e)" in problems.reasons[0]


def test_the_inferred_motion_reaches_the_eligibility_rules(tmp_path: Path, capsys) -> None:
    """With the §3553(e) motion inferred, the case is analysed as one (Koons/§1B1.10(c) apply), exactly as
    when the case file states `departure: 3553(e)`."""
    stated = write_case(tmp_path, make_case(sentence_months=90, substantial_assistance=True, departure="3553(e)"),
                        "stated.yaml")
    inferred = write_case(tmp_path, make_case(sentence_months=90, substantial_assistance=True), "inferred.yaml")
    docs = []
    for p in (stated, inferred):
        code, out, err = run_main(["--today", TODAY, "retro", str(p), "--json"], capsys)
        assert code == 0, err
        docs.append(json.loads(out))
    strip = [[{k: a[k] for k in ("id", "eligible", "reason_codes", "lowest_permissible_months")} for a in d["analyses"]]
             for d in docs]
    assert strip[0] == strip[1]


def test_life_minimum_is_named_in_words(tmp_path: Path, capsys) -> None:
    """A mandatory life minimum is 'life', never a number of months."""
    case = make_case(sentence_months=360, conviction__prior_convictions=2, conviction__priors_qualify_after_2018=True)
    code, _, err = run_main(["--today", TODAY, "retro", str(write_case(tmp_path, case))], capsys)
    assert code == 2 and "below the statutory minimum (life)" in err and "10000" not in err
