"""Cooperators below a statutory minimum and the reasons an avenue gives no reduction.

§1B1.10(c) (Amendment 780, eff. 2014-11-01): "If the case involves a statutorily required minimum sentence
and the court had the authority to impose a sentence below the statutorily required minimum sentence
pursuant to a government motion to reflect the defendant's substantial assistance to authorities, then for
purposes of this policy statement the amended guideline range shall be determined without regard to the
operation of §5G1.1 ... and §5G1.2". Its commentary (Application Note 4) gives two examples, quoted in
tests/retro_cases/c34-*.yaml and c35-*.yaml:

- A: minimum 120; original range 135-168 (entirely above it); sentence 101 on a government motion;
  amended Sentencing Table range 108-135, which "remains 108 to 135 months" (not 120-135); 101 was about
  25% below 135, so about 81 (25% below 108) is a comparable reduction.
- B: minimum 120; original Sentencing Table range 108-135 "restricted by operation of §5G1.1 to a range of
  120 to 135 months"; sentence 90 (25% below 120, the range as it applied); amended 87-108, "unrestricted
  by operation of §5G1.1"; 65 (25% below 87) is comparable.

Here the same two patterns run through every §3582(c)(2) avenue, with cases built to give these ranges
(the arithmetic is beside each). Every case: 841(b)(1)(A) (120-month minimum, no prior), acceptance 3.
"""

from __future__ import annotations

import csv
import re
from datetime import date
from pathlib import Path

import pyarrow as pa
import pytest

from helpers import TODAY, run_main, write_case
from sentcalc.case import Case
from sentcalc.documents import retro_document
from sentcalc.errors import InputError
from sentcalc.io.casefile import parse_case
from sentcalc.io.flat import case_to_row
from sentcalc.kernel import Options, recompute
from sentcalc.law import default_law
from sentcalc.retro.common import REASON_CODES

LAW = default_law()
D = date.fromisoformat(TODAY)


def cooperator(drug: str, grams: float, sentenced: str, sentence: int, points: int = 1, status: int = 0,
               departure: str | None = "3553(e)") -> dict:
    offense = f"{int(sentenced[:4]) - 1}{sentenced[4:]}"
    case = {"id": "coop", "offense_date": offense, "sentencing_date": sentenced,
            "conviction": {"statute": "841(b)(1)(A)", "drug": drug, "grams": grams, "prior_convictions": 0},
            "drugs": [{"drug": drug, "grams": grams}], "acceptance": 3,
            "criminal_history": {"points": points, "status_points": status},
            "substantial_assistance": True, "sentence_months": sentence}
    if departure is not None:
        case["departure"] = departure
    return case


def retro(case: dict, as_of: str = TODAY, strict: bool = False) -> dict:
    return retro_document(parse_case(case, LAW, D), LAW, D, date.fromisoformat(as_of), strict)


def analysis(doc: dict, avenue: str) -> dict:
    return next(a for a in doc["analyses"] if a["id"] == avenue)


# (avenue, case, original table range, original range as applied, amended table range, lowest)
PATTERNS = [
    # 706: pre-2007 crack 500 g-1.5 kg = 36 -> 706 34; 36-3 = 33/I = 135-168; 34-3 = 31/I = 108-135;
    # 101/135 x 108 = 80.80 -> 81.
    ("amendment-706", cooperator("cocaine_base", 600, "2006-06-01", 101), (135, 168), (135, 168), (108, 135), 81),
    # 706: 150-500 g = 34 -> 32; 31/I = 108-135 -> (c)(2) 120-135; 29/I = 87-108; 90/120 x 87 = 65.25 -> 65.
    ("amendment-706", cooperator("cocaine_base", 200, "2006-06-01", 90), (108, 135), (120, 135), (87, 108), 65),
    # 750: 2008 table (706) 1.5-4.5 kg = 36 -> 750 840 g-2.8 kg = 34; 135-168 -> 108-135; 81.
    ("amendment-750", cooperator("cocaine_base", 2000, "2009-06-01", 101), (135, 168), (135, 168), (108, 135), 81),
    # 750: 500 g-1.5 kg = 34 -> 280-840 g = 32; 108-135 (120-135) -> 87-108; 65.
    ("amendment-750", cooperator("cocaine_base", 600, "2009-06-01", 90), (108, 135), (120, 135), (87, 108), 65),
    # 782: cocaine 50-150 kg = 36 -> 34; 135-168 -> 108-135; 81 (comment. (n.4(A))).
    ("amendment-782", cooperator("cocaine", 60000, "2013-06-03", 101), (135, 168), (135, 168), (108, 135), 81),
    # 782: 15-50 kg = 34 -> 32; 108-135 (120-135) -> 87-108; 65 (comment. (n.4(B))).
    ("amendment-782", cooperator("cocaine", 20000, "2013-06-03", 90), (108, 135), (120, 135), (87, 108), 65),
    # 821: 2016 (782 in the Manual) 50-150 kg = 34; 31; 5 points (2 of them status points) -> III: 135-168; Part A
    # drops status points under 7 points -> 3 -> II: 31/II = 121-151; 101/135 x 121 = 90.53 -> 91.
    ("amendment-821", cooperator("cocaine", 60000, "2016-06-01", 101, 5, 2), (135, 168), (135, 168), (121, 151), 91),
    # 821: 15-50 kg = 32; 29/III = 108-135 -> (c)(2) 120-135; 29/II = 97-121 (§5G1.1 would make it
    # 120-121, and 90/120 x 120 = 90 would leave nothing); 90/120 x 97 = 72.75 -> 73.
    ("amendment-821", cooperator("cocaine", 20000, "2016-06-01", 90, 5, 2), (108, 135), (120, 135), (97, 121), 73),
]


def _rng(r: dict) -> tuple:
    return (r["min_months"], r["max_months"])


@pytest.mark.parametrize(("avenue", "case", "table", "applied", "amended", "lowest"), PATTERNS,
                         ids=[f"{p[0]}-{'A' if p[2] == p[3] else 'B'}" for p in PATTERNS])
def test_application_note_4_patterns_in_every_avenue(avenue: str, case: dict, table: tuple, applied: tuple,
                                                     amended: tuple, lowest: int) -> None:
    """The amended range is the Sentencing Table range (also where §5G1.1(c) only trimmed the original);
    the comparable term is the sentence's share of the original range as it applied, times its minimum."""
    doc = retro(case)
    assert _rng(doc["original"]["table_range"]) == table
    assert _rng(doc["original"]["guideline_range"]) == applied
    a = analysis(doc, avenue)
    assert a["eligible"], a["reasons"]
    assert _rng(a["amended"]["table_range"]) == amended
    assert _rng(a["amended"]["guideline_range"]) == amended
    assert a["lowest_permissible_months"] == lowest
    assert any(s["rule"] == "policy_1b1_10_c" for s in a["amended"]["steps"])
    assert any(n.startswith("§1B1.10(c)") for n in a["notes"])
    if applied != table:  # the arithmetic names the minimum as it applied
        assert any(f"/{applied[0]} =" in n for n in a["notes"]), a["notes"]


def test_section_404_keeps_5g1_1() -> None:
    """§404 is not a §1B1.10 proceeding: its FSA benchmark keeps §5G1.1. 600 g of crack is still (A) after
    the FSA (280 g or more: 120 months); the benchmark (every §1B1.10(d) amendment, 782's 280-840 g = 30;
    27/I = 70-87) is displaced by the minimum: 120."""
    doc = retro(PATTERNS[3][1])
    a = analysis(doc, "first-step-act-404")
    assert a["amended"]["guideline_range"]["min_months"] == 120


@pytest.mark.parametrize(("as_of", "eligible", "gl", "lowest", "codes"), [
    # Before Amendment 780 (the §1B1.10 in force on the order date governs): the amended range is
    # restricted by §5G1.1 to 120-120 and the comparable term is 90/120 x 120 = 90, the sentence itself.
    ("2014-10-31", False, (120, 120), None, ["mandatory_minimum", "sentence_below_amended_minimum"]),
    ("2014-11-01", True, (87, 108), 65, []),
])
def test_the_policy_statement_of_the_order_date_governs(as_of: str, eligible: bool, gl: tuple, lowest: int | None,
                                                        codes: list[str]) -> None:
    """Pattern B through Amendment 750 on either side of 2014-11-01 (guidelines/retroactivity.yaml)."""
    a = analysis(retro(PATTERNS[3][1], as_of), "amendment-750")
    assert (a["eligible"], _rng(a["amended"]["guideline_range"]), a["reason_codes"]) == (eligible, gl, codes)
    if lowest is not None:
        assert a["lowest_permissible_months"] == lowest


WILLIAMS = {"id": "williams", "offense_date": "2007-06-01", "sentencing_date": "2008-06-01",
            "conviction": {"statute": "841(b)(1)(A)", "drug": "cocaine_base", "grams": 56, "prior_convictions": 1},
            "drugs": [{"drug": "cocaine_base", "grams": 56}], "acceptance": 3, "criminal_history": {"points": 13},
            "substantial_assistance": True, "departure": "3553(e)", "sentence_months": 180}


@pytest.mark.parametrize(("as_of", "eligible", "codes"), [
    ("2014-10-31", False, ["mandatory_minimum"]),   # before (c): the 240-month minimum is the range
    ("2015-12-14", True, []),                       # United States v. Williams, 808 F.3d 253 (4th Cir. 2015)
    ("2018-06-04", False, ["mandatory_minimum"]),   # Koons v. United States, 138 S. Ct. 1783 (2018)
])
def test_a_minimum_that_displaced_the_whole_range(as_of: str, eligible: bool, codes: list[str]) -> None:
    """The Williams facts (tests/retro_cases/c36) under Amendment 750 on three order dates: 28-112 g = 26;
    23/VI = 92-115 without §5G1.1; 180/240 x 92 = 69. Koons keeps the displaced case out."""
    a = analysis(retro(WILLIAMS, as_of), "amendment-750")
    assert (a["eligible"], a["reason_codes"]) == (eligible, codes), a["reasons"]
    assert a["lowest_permissible_months"] == (69 if eligible else None)


def test_cooperator_below_the_minimum_without_departure(tmp_path: Path, capsys) -> None:
    """No `departure`: the §3553(e) motion is inferred (an assumption), §1B1.10(c) follows, and the numbers
    are the ones a stated motion gives; --strict refuses. Per row in a batch too."""
    for _, stated, *_ in PATTERNS[4:6]:
        silent = {k: v for k, v in stated.items() if k != "departure"}
        doc, want = retro(silent), retro(stated)
        assert any("§3553(e) motion is assumed" in x for x in doc["original"]["assumptions"])
        assert not any("§3553(e)" in x for x in want["original"]["assumptions"])
        keys = ("eligible", "reason_codes", "lowest_permissible_months", "amended")
        assert [{k: a[k] for k in keys} for a in doc["analyses"]] == [{k: a[k] for k in keys} for a in want["analyses"]]
        with pytest.raises(InputError, match="§3553\\(e\\) motion is assumed"):
            retro(silent, strict=True)
    p = write_case(tmp_path, {k: v for k, v in PATTERNS[5][1].items() if k != "departure"})
    code, _, err = run_main(["--today", TODAY, "retro", str(p), "--strict"], capsys)
    assert code == 2 and "--strict" in err and "§3553(e) motion is assumed" in err

    rows = [case_to_row(Case.model_validate({**{k: v for k, v in c.items() if k != "departure"}, "id": f"r{k}"}), LAW)
            for k, (_, c, *_rest) in enumerate(PATTERNS[4:6])]
    rows.append(case_to_row(Case.model_validate({**PATTERNS[5][1], "id": "stated"}), LAW) | {"departure": "3553(e)"})
    table = pa.Table.from_pylist(rows)
    out, _, bad = recompute(table, Options(["original"], retro=True, as_of=D, today=D), LAW)
    assert bad.tolist() == [False, False, False]
    assert out.column("orig_n_assumptions").to_pylist() == [1, 1, 0]
    assert out.column("a782_gl_min").to_pylist() == [108, 87, 87]
    assert out.column("a782_lowest").to_pylist() == [81, 65, 65]
    _, problems, bad = recompute(table, Options(["original"], retro=True, as_of=D, today=D, strict=True), LAW)
    assert bad.tolist() == [True, True, False] and set(problems.fields) == {"--strict"}


def test_ussc_preset_uses_the_same_inference(tmp_path: Path) -> None:
    """Row 1004 of the USSC fixture: substantial assistance (BOOKERCD 5), DRUGMIN 60, 50 months. The preset
    maps it to a §5K1.1 departure; the sentence checks infer the §3553(e) motion (one more assumption than
    its neighbours) and §1B1.10(c) follows: court's level 27 (crack 40 g + heroin 200 g), Amendment 782 ->
    level 21/I = 37-46 without §5G1.1 (not 60); comparable 50/70 (the court's range 70-87) x 37 = 26.43 -> 26."""
    from sentcalc.batch import run

    out = tmp_path / "o.csv"
    run(Path(__file__).parent / "fixtures" / "ussc" / "opafy09.csv", out,
        Options(["original"], retro=True, as_of=D, today=D), workers=1, progress=False, preset="ussc")
    rows = {r["id"]: r for r in csv.DictReader(out.read_text().splitlines())}
    assert int(rows["1004"]["orig_n_assumptions"]) == int(rows["1002"]["orig_n_assumptions"]) + 1
    assert (rows["1004"]["a782_gl_min"], rows["1004"]["a782_gl_max"], rows["1004"]["a782_lowest"]) == ("37", "46", "26")


# Reasons -----------------------------------------------------------------------------------------------

def test_precedence_is_the_documented_one() -> None:
    """REASON_CODES (the precedence) and the README's list agree, code for code."""
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    bullet = readme[readme.index("- **Reasons.**"):]
    bullet = bullet[:bullet.index("\n- **")]
    listed = [c for c in re.findall(r"`([a-z_]+)`", bullet) if c in REASON_CODES]
    assert list(dict.fromkeys(listed)) == list(REASON_CODES)


def test_pinned_by_the_minimum_with_the_sentence_at_it() -> None:
    """20 kg cocaine (2013): 34 - 3 = 31/I = 108-135 -> (c)(2) 120-135; sentence 120, no cooperation.
    Amendment 782: 32 - 3 = 29/I = 87-108 -> §5G1.1(b) 120: lowered (120-120 < 120-135), but the lowest
    term is the 120-month minimum, the sentence itself. The minimum is the primary reason."""
    case = cooperator("cocaine", 20000, "2013-06-03", 120, departure=None) | {"substantial_assistance": False}
    a = analysis(retro(case), "amendment-782")
    assert a["reason_codes"] == ["mandatory_minimum", "sentence_below_amended_minimum"]
    assert a["reasons"][0].startswith("The statutory minimum of 120 months still binds: it is the bottom")
    row = case_to_row(Case.model_validate(case), LAW)
    out, _, _ = recompute(pa.Table.from_pylist([row]), Options(["original"], retro=True, as_of=D, today=D), LAW)
    assert out.column("a782_reasons").to_pylist() == ["mandatory_minimum;sentence_below_amended_minimum"]
    assert out.column("a782_primary_reason").to_pylist() == ["mandatory_minimum"]
    assert out.column("a706_primary_reason").to_pylist() == ["already_applied"]


def test_not_lowered_comes_first_when_the_amendment_does_not_touch_the_case() -> None:
    """A heroin career offender (2006): 1 kg = 32, 841(b)(1)(A) (maximum life) -> §4B1.1 level 37 - 3 = 34/VI
    = 262-327. Amendment 706 changes crack only: not_lowered, then career_offender. Amendment 782 lowers the
    heroin level (32 -> 30) but §4B1.1 keeps 34: career_offender alone. Amendment 821 (no status points)
    touches nothing either."""
    case = {"id": "co", "offense_date": "2005-06-01", "sentencing_date": "2006-06-01",
            "conviction": {"statute": "841(b)(1)(A)", "drug": "heroin", "prior_convictions": 0},
            "drugs": [{"drug": "heroin", "grams": 1000}], "acceptance": 3, "criminal_history": {"points": 8},
            "career_offender": True, "sentence_months": 262}
    doc = retro(case)
    assert _rng(doc["original"]["guideline_range"]) == (262, 327)
    codes = {a["id"]: a["reason_codes"] for a in doc["analyses"]}
    assert codes["amendment-706"] == ["not_lowered", "career_offender"]
    assert codes["amendment-782"] == ["career_offender"]
    assert codes["amendment-821"] == ["not_lowered", "career_offender"]
    a706 = analysis(doc, "amendment-706")
    assert "changes nothing" in a706["reasons"][0] and "career-offender" in a706["reasons"][1]


def test_section_404_bars_are_all_listed() -> None:
    """A covered crack offense sentenced after 2010-08-03 whose earlier §404 motion was denied: both §404(c)
    bars hold, in the documented order."""
    case = {"id": "bars", "offense_date": "2009-06-01", "sentencing_date": "2011-02-01",
            "conviction": {"statute": "841(b)(1)(A)", "drug": "cocaine_base", "grams": 300, "prior_convictions": 0},
            "drugs": [{"drug": "cocaine_base", "grams": 300}], "acceptance": 3, "criminal_history": {"points": 1},
            "previous_404_denied": True, "sentence_months": 121}
    a = analysis(retro(case), "first-step-act-404")
    assert a["reason_codes"] == ["sentenced_under_fsa", "previous_motion_denied"]


def test_a_life_minimum_gives_no_proportion() -> None:
    """Found by the property suite. 15 kg of crack, sentenced 1994-01-01: the table then had level 42 for
    15 kg or more; + 2 (weapon) = 44, treated as 43 -> life. A cooperator sentenced to 52 months (the
    §3553(e) motion inferred). 52/life is no proportion: the lowest term shown is the amended minimum
    (Amendment 706's table tops out at 38: 38 + 2 = 40/I = 292-365), with a note — never 52/life x 292 = 2."""
    case = {"id": "life", "offense_date": "1994-01-01", "sentencing_date": "1994-01-01",
            "conviction": {"statute": "841(b)(1)(A)", "drug": "cocaine_base", "grams": 420, "prior_convictions": 0},
            "drugs": [{"drug": "cocaine_base", "grams": 15000}],
            "adjustments": [{"section": "2D1.1(b)(1)", "levels": 2}], "criminal_history": {"points": 0},
            "substantial_assistance": True, "departure": "5K1.1", "sentence_months": 52}
    doc = retro(case)
    assert doc["original"]["guideline_range"]["min_months"] == "life"
    a = analysis(doc, "amendment-706")
    assert a["lowest_permissible_months"] == 292
    assert any("no proportion" in n for n in a["notes"])


def test_a_minimum_that_floors_the_comparable_term() -> None:
    """tests/retro_cases/h08 with the sentence at the minimum: 800 g heroin, 841(b)(1)(B) (60 months), §5K1.1
    only, 27/II = 78-97, sentence 60. Amendment 782: 25/II = 63-78; comparable 60/78 x 63 = 48.46 -> 48,
    but without a §3553(e) motion the minimum floors it at 60 = the sentence."""
    case = {"id": "floor", "offense_date": "2012-09-01", "sentencing_date": "2013-06-03",
            "conviction": {"statute": "841(b)(1)(B)", "drug": "heroin", "grams": 800, "prior_convictions": 0},
            "drugs": [{"drug": "heroin", "grams": 800}], "acceptance": 3, "criminal_history": {"points": 2},
            "substantial_assistance": True, "departure": "5K1.1", "sentence_months": 60}
    a = analysis(retro(case), "amendment-782")
    assert a["reason_codes"] == ["mandatory_minimum", "sentence_below_amended_minimum"]
    assert "comparably reduced term (48 months) may not go below it" in a["reasons"][0]
