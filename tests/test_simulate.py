"""`sentcalc simulate`: every shipped scenario renders a report from the sample dataset; every table adds up
against people.csv (the per-person results it is computed from); the funnel is monotone; the reasons are the
retroactivity reason codes; no input column is lost; invalid rows go to errors.csv; the grant-rate band
brackets the point estimate; scenarios are data (user files work, code and paths outside guidelines/ are
refused)."""

from __future__ import annotations

import csv
import json
import sys
from collections import Counter
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers import TODAY, run_main
from sentcalc.io.flat import TRUE
from sentcalc.report.impact_tables import (
    AGE_GROUPS,
    BREAKDOWNS,
    NOT_GIVEN,
    REASON_MEANINGS,
    Context,
    People,
    breakdown,
    releases,
    tables,
    uncertainty,
)
from sentcalc.retro.common import REASON_CODES
from sentcalc.simulate import GrantRate, list_scenarios, load_scenario, model_term, parse_grant_rate, run

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "examples" / "datasets" / "sample.csv"
STAGES = ("rows", "valid_rows", "in_custody", "sentenced_before_change", "range_lowered", "eligible")


def read_csv(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.parametrize("name", ["retroactive-fsa", "amendment-782-retroactive", "equal-act",
                                  "crack-1-to-1-guidelines-only"])
def test_shipped_scenario_report(tmp_path: Path, capsys, name: str) -> None:
    assert name in list_scenarios()
    code, _, err = run_main(["simulate", str(SAMPLE), "--scenario", name, "--report", str(tmp_path / "r"),
                             "--annual-cost", "40000", "--grant-rate", "0.5"], capsys)
    assert code == 0, err
    r = tmp_path / "r"
    s = json.loads((r / "summary.json").read_text())
    for f in ("report.md", "report.html", "summary.json", "people.csv", "errors.csv", *s["plots"]):
        assert (r / f).stat().st_size > 0, f
    assert {"funnel.png", "reductions.png", "releases.png", "groups-race.png", "groups-sex.png", "groups-district.png",
            "groups-original_chc.png", "groups-sentence_position.png"} <= set(s["plots"])
    counts = [s[k] for k in STAGES]
    assert counts == sorted(counts, reverse=True) and s["rows"] == 500 and s["eligible"] > 0
    assert s["at_lowest_permissible"]["mean_months_reduced"] >= s["mean_months_reduced"] > 0
    assert s["dollars_saved"] == pytest.approx(s["prison_years_saved"] * 40000)
    assert s["expected_grants"]["point"] == pytest.approx(s["eligible"] * 0.5)
    html = (r / "report.html").read_text()
    assert "data:image/png;base64," in html and "src='http" not in html and "<script" not in html  # works offline
    for t in s["tables"].values():   # a table of contents that links every table
        assert f"href='#table-{t['number']}'" in html and f"id='table-{t['number']}'" in html
    assert {"by_race", "by_sex", "by_district", "by_original_chc", "by_sentence_position"} <= set(s["tables"])


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> tuple[Path, Path, dict]:
    """The sample with age, citizenship, circuit, 20 districts, a column named like a result, and three bad
    rows, through amendment-782-retroactive with a grant-rate range and .xlsx."""
    d = tmp_path_factory.mktemp("sim")
    rows = read_csv(SAMPLE)
    for i, row in enumerate(rows):
        row["district"] = f"District {i % 20 + 1}"
        row["circuit"] = f"{i % 20 // 2 + 1}th"
        row["age"] = "" if i % 17 == 0 else str(19 + i * 7 % 50)
        row["citizenship"] = ("U.S. citizen", "Non-citizen", "")[i % 3]
        row["eligible"] = "from another tool"
    ten_year = next(r for r in rows if r["statute"] == "841(b)(1)(A)" and r["safety_valve"] == "false"
                    and r["substantial_assistance"] == "false")
    bad = [dict(rows[0], id="BAD-1", sentencing_date="2040-13-01"), dict(rows[1], id="BAD-2", statute="999"),
           dict(rows[2], id="BAD-3", criminal_history_points="-4"),
           dict(ten_year, id="BAD-4", sentence_months="30"),   # below the 10-year minimum, no motion: unlawful
           dict(ten_year, id="COOP-1", sentence_months="60", substantial_assistance="true")]   # §3553(e) inferred
    data = d / "in.csv"
    with open(data, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows[:100] + bad + rows[100:])
    out = d / "r"
    s = run(data, load_scenario("amendment-782-retroactive"), out, today=date.fromisoformat(TODAY),
            grant_rate=GrantRate(0.6, 0.8), annual_cost=40000, xlsx=True)
    return data, out, s


def test_funnel_is_monotone_and_matches_people_csv(report) -> None:
    data, out, s = report
    people = read_csv(out / "people.csv")
    errors = read_csv(out / "errors.csv")
    assert s["rows"] == len(read_csv(data)) == 505
    assert s["valid_rows"] == len(people) == s["rows"] - len({e["row"] for e in errors})
    flags = {k: sum(p[k] == "true" for p in people) for k in STAGES[2:]}
    assert flags == {k: s[k] for k in STAGES[2:]}
    for p in people:   # each stage is a part of the one before
        chain = [p[k] == "true" for k in STAGES[2:]]
        assert chain == sorted(chain, reverse=True), p["id"]
    rows = s["tables"]["funnel"]["rows"]
    assert [r["people"] for r in rows[:-1]] == [s[k] for k in STAGES]
    assert [r["key"] for r in rows] == ["rows", "valid", *STAGES[2:], "expected_grants"]
    assert rows[-1]["people"] == pytest.approx(s["eligible"] * 0.7)   # expected grants at the midpoint
    assert all(a["people"] >= b["people"] for a, b in zip(rows, rows[1:]))


def test_reasons_are_the_retroactivity_codes_and_add_up(report) -> None:
    _, out, s = report
    custody = [p for p in read_csv(out / "people.csv") if p["in_custody"] == "true"]
    for p in custody:   # not eligible ⇔ a reason; the primary reason is the first code
        codes = [c for c in p["reasons"].split(";") if c]
        assert (p["eligible"] == "true") == (not codes) and p["primary_reason"] == (codes[0] if codes else "")
        assert set(codes) <= set(REASON_CODES)
    table = s["tables"]["reasons"]["rows"]
    *rows, total = table
    primary = Counter(p["primary_reason"] for p in custody if p["eligible"] != "true")
    anywhere = Counter(c for p in custody for c in p["reasons"].split(";") if c)
    assert {r["code"]: r["primary"] for r in rows if r["primary"]} == dict(primary)
    assert {r["code"]: r["anywhere"] for r in rows} == dict(anywhere)
    assert total["primary"] == sum(primary.values()) == s["in_custody"] - s["eligible"]
    assert sum(r["pct_not_eligible"] for r in rows) == pytest.approx(100, abs=0.01)
    assert "already_applied" in primary and len(primary) >= 3
    assert set(REASON_MEANINGS) == set(REASON_CODES)


def _label(p: dict, key: str) -> str:
    if key in ("career_offender", "safety_valve"):
        return "Yes" if p[key].strip().lower() in TRUE else "No"
    if key == "age_group":
        return p["age_group"]
    return p[key] or NOT_GIVEN


def test_every_breakdown_adds_up_against_people_csv(report) -> None:
    _, out, s = report
    people = [p for p in read_csv(out / "people.csv") if p["sentenced_before_change"] == "true"]
    eligible = [p for p in people if p["eligible"] == "true"]
    keys = [b.key for b in BREAKDOWNS]
    assert {f"by_{k}" for k in keys} <= set(s["tables"])   # every breakdown column is present in this dataset
    for key in keys:
        *rows, total = s["tables"][f"by_{key}"]["rows"]
        assert total["value"] == "Total" and total["population"] == len(people) and total["eligible"] == len(eligible)
        assert sum(r["population"] for r in rows) == len(people), key
        assert sum(r["eligible"] for r in rows) == len(eligible), key
        assert sum(r["pct_of_eligible"] for r in rows) == pytest.approx(100, abs=0.01), key
        assert {r["value"]: r["population"] for r in rows} == dict(Counter(_label(p, key) for p in people)), key
        assert {r["value"]: r["eligible"] for r in rows if r["eligible"]} == \
            dict(Counter(_label(p, key) for p in eligible)), key
        for r in rows:
            group = [p for p in eligible if _label(p, key) == r["value"]]
            if group:
                cur = [float(p["sentence_months"]) for p in group]
                new = [float(p["model_months"]) for p in group]
                assert r["avg_current"] == pytest.approx(np.mean(cur), abs=1e-3), key
                assert r["avg_new"] == pytest.approx(np.mean(new), abs=1e-3), key
                assert r["avg_reduction"] == pytest.approx(np.mean([float(p["months_reduced_model"]) for p in group]),
                                                           abs=1e-3)
                assert r["pct_reduction"] == pytest.approx((sum(cur) - sum(new)) / sum(cur) * 100, abs=1e-3)
    ages = {r["value"] for r in s["tables"]["by_age_group"]["rows"][:-1]}
    assert ages <= set(AGE_GROUPS) and NOT_GIVEN in ages


def test_summary_and_releases_add_up(report) -> None:
    _, out, s = report
    eligible = [p for p in read_csv(out / "people.csv") if p["eligible"] == "true"]
    months = [float(p["months_reduced_model"]) for p in eligible]
    assert s["eligible"] == len(eligible)
    assert s["mean_months_reduced"] == pytest.approx(np.mean(months), abs=1e-3)
    assert s["prison_years_saved"] == pytest.approx(sum(months) / 12 * 0.7, rel=1e-6)
    *rows, total = s["tables"]["releases_by_year"]["rows"]
    years = [int(r["year"]) for r in rows if r["year"].isdigit()]
    assert years == list(range(years[0], years[-1] + 1))   # every year present
    for col in ("original", "model", "lowest", "expected", "expected_low_rate", "expected_high_rate"):
        assert total[col] == pytest.approx(len(eligible)), col
    by_year = Counter(p["release_original"][:4] for p in eligible if p["release_original"])
    assert {r["year"]: r["original"] for r in rows if r["year"].isdigit() and r["original"]} == dict(by_year)
    assert all(p["release_model"] >= s["order_date"] for p in eligible if p["release_model"])


def test_grant_rate_band_brackets_the_point_estimate(report) -> None:
    _, _, s = report
    assert s["grant_rate"] == {"low": 0.6, "point": pytest.approx(0.7), "high": 0.8}
    g = s["expected_grants"]
    assert g["low"] < g["point"] < g["high"] and g["point"] == pytest.approx(s["eligible"] * 0.7)
    rows = s["tables"]["uncertainty"]["rows"]
    assert [r["key"] for r in rows] == ["expected_grants", "prison_years", "dollars", "avg_reduction",
                                        "releases_first_year"]   # stable keys in summary.json
    for r in rows:
        assert r["low"] <= r["point"] <= r["high"], r
    years = next(r for r in rows if r["key"] == "prison_years")
    assert years["point"] == pytest.approx(s["prison_years_saved"], rel=1e-3)


def test_no_input_column_is_lost(report) -> None:
    data, out, _ = report
    given_rows = {r["id"]: r for r in read_csv(data)}
    people = read_csv(out / "people.csv")
    header = list(people[0])
    for name in given_rows["SYN-1"]:
        shown = "input_eligible" if name == "eligible" else name   # a column named like a result is kept, renamed
        assert shown in header, name
    for p in people:
        g = given_rows[p["id"]]
        assert all(p["input_eligible" if k == "eligible" else k] == v for k, v in g.items()), p["id"]


def test_invalid_rows_go_to_the_errors_file(report) -> None:
    data, out, _ = report
    errors = read_csv(out / "errors.csv")
    found = {(e["id"], e["row"], e["field"]) for e in errors}
    assert {("BAD-1", "101", "sentencing_date"), ("BAD-2", "102", "statute"),   # data rows, counted from 1
            ("BAD-3", "103", "criminal_history_points"), ("BAD-4", "104", "sentence_months")} <= found
    reason = next(e["reason"] for e in errors if e["id"] == "BAD-4")
    assert "below the statutory minimum" in reason   # the words every input path uses (checks.py)
    people = {p["id"] for p in read_csv(out / "people.csv")}
    failed = {e["id"] for e in errors}
    assert not failed & people and failed | people == {r["id"] for r in read_csv(data)}   # every row is in one file


def test_batches_on_two_processes_give_the_same_report(report, tmp_path: Path, monkeypatch) -> None:
    """Batches of 100 rows on a pool of two processes: the same people.csv, errors.csv and tables as one batch."""
    import sentcalc.io.tables as tables_io
    data, out, s = report
    small = tables_io.read_batches
    monkeypatch.setattr(tables_io, "read_batches", lambda path: small(path, batch_rows=100))
    monkeypatch.setattr(tables_io, "BATCH_ROWS", 100)
    s2 = run(data, load_scenario("amendment-782-retroactive"), tmp_path / "r", today=date.fromisoformat(TODAY),
             grant_rate=GrantRate(0.6, 0.8), annual_cost=40000, workers=2)
    assert s2["tables"] == s["tables"]
    for name in ("people.csv", "errors.csv"):
        assert (tmp_path / "r" / name).read_text() == (out / name).read_text(), name


def test_assumptions_are_counted_and_listed(report) -> None:
    _, out, s = report
    coop = next(p for p in read_csv(out / "people.csv") if p["id"] == "COOP-1")
    assert coop["in_custody"] == "true" and int(coop["n_assumptions"]) >= 1
    n = sum(int(p["n_assumptions"] or 0) > 0 for p in read_csv(out / "people.csv") if p["in_custody"] == "true")
    assert any(a.startswith(f"{n:,} people in custody needed an assumption") for a in s["assumptions"])


def test_xlsx_holds_every_table(report) -> None:
    from openpyxl import load_workbook
    _, out, s = report
    wb = load_workbook(out / "tables.xlsx", read_only=True)
    assert len(wb.sheetnames) == len(s["tables"]) + 1 and wb.sheetnames[0] == "Contents"
    for key, t in s["tables"].items():
        ws = wb[f"T{t['number']} {key}"[:31]]
        cells = list(ws.iter_rows(values_only=True))
        assert cells[0][0] == f"Table {t['number']}. {t['title']}"
        assert list(cells[4][:len(t["columns"])]) == [c["label"] for c in t["columns"]]
        assert len(cells) == 5 + len(t["rows"])


def test_district_plot_shows_the_top_15_and_other(report) -> None:
    from sentcalc.report.simulation import group_bars
    _, out, s = report
    people = read_csv(out / "people.csv")
    custody = [p for p in people if p["in_custody"] == "true"]
    labels = sorted({p["district"] for p in custody})
    codes = np.array([labels.index(p["district"]) for p in custody])
    flag = {k: np.array([p[k] == "true" for p in custody]) for k in ("sentenced_before_change", "eligible")}
    pp = People(before=flag["sentenced_before_change"], lowered=flag["eligible"], eligible=flag["eligible"],
                primary=np.zeros(len(custody), np.int16), reasons=np.zeros(len(custody), np.int64),
                sentence=np.zeros(len(custody)), model=np.zeros(len(custody)), lowest=np.zeros(len(custody)),
                year_original=np.zeros(len(custody), np.int32), year_model=np.zeros(len(custody), np.int32),
                year_lowest=np.zeros(len(custody), np.int32), groups={"district": codes}, labels={"district": labels})
    bars = group_bars(pp, "district")
    shown = len({p["district"] for p in custody if p["sentenced_before_change"] == "true"})
    assert shown > 16 and len(bars) == 16 and bars[-1][0] == f"Other ({shown - 15} values)"
    assert sum(b[1] for b in bars) == s["tables"]["by_district"]["rows"][-1]["eligible"]
    assert sum(b[2] for b in bars) == s["sentenced_before_change"]
    assert "groups-district.png" in s["plots"] and (out / "groups-district.png").exists()


def test_report_states_denominators_and_sources(report) -> None:
    _, out, s = report
    md = (out / "report.md").read_text()
    for t in s["tables"].values():
        assert f"### Table {t['number']}. {t['title']}" in md and t["note"] in md and t["mirrors"]
    assert "Analysis of the Impact of Guideline Implementation of the Fair Sentencing Act of 2010" in md
    assert f"% of the {s['in_custody'] - s['eligible']:,} not eligible" in md


@pytest.mark.parametrize("text", ["1.2", "0.8:0.6", "a", "0.1:0.2:0.3", "-0.1", "nan"])
def test_bad_grant_rates_are_refused(tmp_path: Path, capsys, text: str) -> None:
    code, _, err = run_main(["simulate", str(SAMPLE), "--scenario", "retroactive-fsa", "--report", str(tmp_path / "r"),
                             "--grant-rate", text], capsys)
    assert code == 2 and "--grant-rate" in err and "LOW:HIGH" in err and "Traceback" not in err


def test_grant_rate_point_is_the_midpoint() -> None:
    assert parse_grant_rate("0.6:0.8").point == pytest.approx(0.7)
    assert parse_grant_rate("0.7") == GrantRate(0.7, 0.7) and not parse_grant_rate("0.7").is_range


def test_xlsx_without_openpyxl_names_the_extra(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "openpyxl", None)  # as if openpyxl were not installed
    code, _, err = run_main(["simulate", str(SAMPLE), "--scenario", "retroactive-fsa", "--report", str(tmp_path / "r"),
                             "--xlsx"], capsys)
    assert code == 2 and "sentcalc[research]" in err and "openpyxl" in err
    assert not (tmp_path / "r").exists()   # refused before any work


def test_published_estimates_beside_ours_with_the_difference(tmp_path: Path, capsys) -> None:
    fix = ROOT / "tests" / "fixtures" / "ussc" / "opafy09.csv"
    code, _, err = run_main(["simulate", str(fix), "--preset", "ussc", "--scenario", "amendment-782-retroactive",
                             "--report", str(tmp_path / "r")], capsys)
    assert code == 0, err
    s = json.loads((tmp_path / "r" / "summary.json").read_text())
    (row,) = s["tables"]["published_estimates"]["rows"]
    assert row["published_eligible"] == 46290 and row["eligible"] == s["eligible"]
    assert row["eligible_diff_pct"] == pytest.approx((s["eligible"] - 46290) / 46290 * 100, abs=1e-3)
    errors = read_csv(tmp_path / "r" / "errors.csv")   # rows the preset cannot map, with the preset's reason
    assert {e["field"] for e in errors} == {"preset"} and "not a drug trafficking case" in errors[0]["reason"]
    assert s["rows"] == s["valid_rows"] + len({e["row"] for e in errors})


# --- the tables on their own: invariants over any per-person results -----------------------------------------

@st.composite
def people(draw) -> People:
    n = draw(st.integers(0, 40))
    ints = st.integers(0, 3)
    before = np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)), bool)
    lowered = before & np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)), bool)
    eligible = lowered & np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)), bool)
    sentence = np.array(draw(st.lists(st.sampled_from([24.0, 60.0, 121.0, 360.0, 10_000.0]), min_size=n, max_size=n)))
    cut = np.array(draw(st.lists(st.floats(0, 1), min_size=n, max_size=n)))
    lowest = np.where(eligible, np.floor(sentence * cut * 0.8), np.nan)
    model = np.where(eligible, np.maximum(np.floor(sentence * cut), lowest), np.nan)
    year = st.integers(2015, 2030)
    y_old = np.array(draw(st.lists(year, min_size=n, max_size=n)), np.int32)
    y_model = np.where(eligible, np.maximum(y_old - draw(ints), 2015), 0).astype(np.int32)
    y_low = np.where(eligible, np.maximum(y_model - draw(ints), 2015), 0).astype(np.int32)
    life = sentence >= 10_000
    group = np.array(draw(st.lists(ints, min_size=n, max_size=n)), np.int32)
    return People(before, lowered, eligible, np.where(eligible, -1, 0).astype(np.int16),
                  np.where(eligible, 0, 1).astype(np.int64), sentence, model, lowest,
                  np.where(life, 0, y_old).astype(np.int32), np.where(life, 0, y_model).astype(np.int32),
                  np.where(life, 0, y_low).astype(np.int32), {"race": group}, {"race": ["A", "B", "C", "D"]})


@given(people(), st.floats(0, 1), st.floats(0, 1))
def test_tables_add_up_for_any_people(p: People, a: float, b: float) -> None:
    rate = GrantRate(min(a, b), max(a, b))
    ctx = Context(load_scenario("amendment-782-retroactive"), rate, "2015-11-01", "2015-11-01", len(p) + 3, len(p),
                  40000.0, [])
    *rows, total = breakdown(p, next(x for x in BREAKDOWNS if x.key == "race"), ctx).rows
    assert total["eligible"] == sum(r["eligible"] for r in rows) == int(p.eligible.sum())
    assert total["population"] == sum(r["population"] for r in rows) == int(p.before.sum())
    *_, rel_total = releases(p, ctx).rows
    for col in ("original", "model", "lowest", "expected"):
        assert rel_total[col] == pytest.approx(int(p.eligible.sum()))
    for r in uncertainty(p, ctx).rows:
        if r["point"] is not None:
            assert r["low"] <= r["point"] + 1e-9 and r["point"] <= r["high"] + 1e-9, r
    assert [t.number for t in tables(p, ctx)] == list(range(1, len(tables(p, ctx)) + 1))


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
    ("!!python/object/apply:os.system ['echo hi']\n", "valid YAML"),
])
def test_bad_scenarios_are_refused(tmp_path: Path, capsys, body: str, fragment: str) -> None:
    sc = tmp_path / "bad.yaml"
    sc.write_text(body)
    code, _, err = run_main(["simulate", str(SAMPLE), "--scenario", str(sc), "--report", str(tmp_path / "r")], capsys)
    assert code == 2 and fragment in err and "Traceback" not in err


def test_model_term_keeps_the_position_in_the_range() -> None:
    one = np.array
    # bottom of 121-151 → bottom of 97-121; middle → middle; 5K1.1 at 80% of 121 → 80% of 97 (78); floor honoured
    assert model_term(one([121.0]), one([121.0]), one([151.0]), one([97.0]), one([121.0]), one([97.0]))[0] == 97
    assert model_term(one([136.0]), one([121.0]), one([151.0]), one([97.0]), one([121.0]), one([97.0]))[0] == 109
    assert model_term(one([97.0]), one([121.0]), one([151.0]), one([97.0]), one([121.0]), one([78.0]))[0] == 78
    assert model_term(one([130.0]), one([121.0]), one([151.0]), one([120.0]), one([121.0]), one([120.0]))[0] == 120


def test_the_readme_table_is_sentcalcs_own(tmp_path: Path, capsys) -> None:
    """The reasons table in the README is what the README's command prints for the sample dataset."""
    readme = (ROOT / "README.md").read_text()
    block = readme.split("From the sample dataset (the command above), the reasons table:")[1].split("and the funnel:")[0]
    lines = [line for line in block.splitlines() if line.startswith("|")]
    code, _, err = run_main(["simulate", str(SAMPLE), "--scenario", "amendment-782-retroactive", "--report",
                             str(tmp_path / "r"), "--annual-cost", "42000", "--grant-rate", "0.6:0.8"], capsys)
    assert code == 0, err
    md = (tmp_path / "r" / "report.md").read_text()
    assert len(lines) > 3 and all(line in md for line in lines)
    assert (ROOT / "examples" / "simulate" / "amendment-782-funnel.png").exists()
