"""`--preset ussc`: the Sentencing Commission's public individual-offender datafiles mapped onto the
flat case columns. Reads the CSV of later years, the fixed-width `.dat` with its SAS setup file
(`INPUT` column positions), and `.sas7bdat` / `.sav` (pyreadstat extra), keeping only the columns it
needs. The files lack some facts; every assumption made is listed in ASSUMPTIONS and in the summary.
Rows the preset cannot map (not a §2D1.1 case, a drug sentcalc has no table for, codes outside the
Manual) go to the errors file with the reason.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from ..errors import InputError

NEEDED = ("USSCIDN", "SENTDATE", "SENTMON", "SENTYR", "AMENDYR", "GDLINEHI", "BASEHI", "ADJOFLHI", "XFOLSOR",
          "ACCTRESP", "MONACCEP", "TOTCHPTS", "SENTPTS", "REL2PTS", "XCRHISSR", "CAROFFAP", "SAFE", "SAFETY",
          "GLMIN", "GLMAX", "DRUGMIN", "SENTTOT", "TOTPRISN", "DEPART", "DEPART_A", "BOOKERCD", "NEWRACE",
          "MONSEX", "DISTRICT", "MONCIRC") + tuple(f"DRUGTYP{k}" for k in range(1, 6)) + tuple(
          f"WGT{k}" for k in range(1, 6))

DRUG_CODES = {1: "cocaine", 2: "cocaine_base", 3: "heroin", 4: "marihuana", 5: "hashish", 6: "methamphetamine",
              8: "lsd", 9: "pcp", 10: "methamphetamine_actual", 11: "mdma", 19: "methamphetamine_actual",
              20: "pcp_actual", 107: "fentanyl", 113: "oxycodone_actual"}
"""DRUGTYPn codes sentcalc maps (codebook A-4; WGTn in grams). Plants (161) are left out: WGTn would have
to be read as a count."""
RACE = {1: "White", 2: "Black", 3: "Hispanic", 6: "Other"}
LIFE_CODE = 9996

ASSUMPTIONS = [
    "USSC preset: the offense date is not in the files; assumed one year before sentencing.",
    "USSC preset: custody is assumed to start on the sentencing date (no pre-sentence custody credit).",
    "USSC preset: from FY2005 only the sentencing month is known; the 15th is used (August 2010 cases cannot be "
    "placed before or after the Fair Sentencing Act's 2010-08-03).",
    "USSC preset: the statute of conviction is inferred from DRUGMIN (the drug mandatory minimum): 0 → (C) "
    "((D) for marihuana under 50 kg), 60 → (B), 120 → (A) if the drug weight reaches (A) else (B) with one §851 "
    "prior, 180/240 → (A) with one prior, 300/life → (A) with two priors; the quantity of conviction is "
    "not known (the subsection's threshold is assumed).",
    "USSC preset: the court's base offense level (BASEHI), final offense level (XFOLSOR) and trumped guideline "
    "range (GLMIN/GLMAX) are used as findings; other adjustments are ADJOFLHI − BASEHI (mitigating role "
    "included), with no section recorded.",
    "USSC preset: acceptance from MONACCEP; career offender from CAROFFAP; safety valve from SAFE/SAFETY; "
    "substantial assistance from DEPART (to FY2003), DEPART_A (FY2003-2006) or BOOKERCD = 5 (FY2005 on), "
    "as a §5K1.1 departure; a sentence below the statutory minimum is taken as a §3553(e) motion, as for any "
    "case (counted in that row's assumptions; refused under --strict).",
    "USSC preset: the Manual is AMENDYR's November 1 edition; the sentence is SENTTOT (life when TOTPRISN = 9996).",
    "USSC preset: the drug weights are WGT1-WGT5 in grams for drug types " + ", ".join(map(str, DRUG_CODES))
    + " (codebook A-4); other types (marihuana plants, amphetamine, other named substances) are not yet "
    "supported and those rows go to the errors file.",
]


def read(path: Path, batch_rows: int = 100_000) -> Iterator:
    """Arrow batches of the needed USSC columns from a CSV, fixed-width .dat (+ SAS setup), .sas7bdat or .sav."""
    import pyarrow as pa

    ext = path.suffix.lower()
    if not path.exists():
        raise InputError("INPUT", str(path), "give an existing file")
    if ext == ".csv":
        import pyarrow.csv as pcsv
        header = path.open("rb").readline().decode("latin-1").strip()
        names = [h.strip().strip('"') for h in header.split(",")]
        keep = [n for n in names if n.upper() in NEEDED]
        reader = pcsv.open_csv(path, read_options=pcsv.ReadOptions(encoding="latin-1"),
                               convert_options=pcsv.ConvertOptions(include_columns=keep,
                                                                   column_types={n: pa.string() for n in keep}))
        for b in reader:
            yield b.rename_columns([c.upper() for c in b.schema.names])
    elif ext == ".dat":
        yield from _fixed_width(path, batch_rows)
    elif ext in (".sas7bdat", ".sav"):
        try:
            import pyreadstat
        except ImportError:
            raise InputError("INPUT", str(path), "reading .sas7bdat/.sav needs pip install 'sentcalc[stata]'") from None
        fn = pyreadstat.read_sas7bdat if ext == ".sas7bdat" else pyreadstat.read_sav
        _, meta = fn(str(path), metadataonly=True)
        cols = [c for c in meta.column_names if c.upper() in NEEDED]
        for df, _ in pyreadstat.read_file_in_chunks(fn, str(path), chunksize=batch_rows, usecols=cols):
            t = pa.Table.from_pandas(df.astype(str).replace({"nan": None}), preserve_index=False)
            yield from t.rename_columns([c.upper() for c in t.column_names]).to_batches()
    else:
        raise InputError("INPUT", str(path), "for --preset ussc use .csv, .dat (with its .sas setup), .sas7bdat or .sav")


def setup_positions(sas: str) -> dict[str, tuple[int, int]]:
    """Column positions (1-based, inclusive) from a SAS INPUT statement: `VAR $ 1-6` or `@1 VAR $6.`."""
    pos: dict[str, tuple[int, int]] = {}
    for m in re.finditer(r"\b([A-Za-z_][A-Za-z0-9_]*)\s+\$?\s*(\d+)\s*-\s*(\d+)", sas):
        pos[m.group(1).upper()] = (int(m.group(2)), int(m.group(3)))
    for m in re.finditer(r"@\s*(\d+)\s+([A-Za-z_][A-Za-z0-9_]*)\s+\$?\s*[A-Za-z]*(\d+)\.", sas):
        start = int(m.group(1))
        pos[m.group(2).upper()] = (start, start + int(m.group(3)) - 1)
    return pos


def _fixed_width(path: Path, batch_rows: int) -> Iterator:
    import pyarrow as pa
    setups = sorted(path.parent.glob(path.stem + "*.sas")) or sorted(path.parent.glob("*.sas"))
    if not setups:
        raise InputError("INPUT", str(path), "a fixed-width .dat needs its SAS setup file (.sas) in the same folder")
    pos = {k: v for k, v in setup_positions(setups[0].read_text(encoding="latin-1")).items() if k in NEEDED}
    if "USSCIDN" not in pos:
        raise InputError("SAS setup", str(setups[0]), "no INPUT position for USSCIDN was found")
    cols: dict[str, list] = {k: [] for k in pos}
    with open(path, "rb") as fh:
        for line in fh:
            text = line.decode("latin-1").rstrip("\r\n")
            for k, (a, b) in pos.items():
                v = text[a - 1:b].strip()
                cols[k].append(v or None)
            if len(cols["USSCIDN"]) >= batch_rows:
                yield pa.RecordBatch.from_pydict(cols)
                cols = {k: [] for k in pos}
    if cols["USSCIDN"]:
        yield pa.RecordBatch.from_pydict(cols)


def _num(t, name: str) -> np.ndarray:
    import pyarrow as pa
    import pyarrow.compute as pc
    if name not in t.column_names:
        return np.full(t.num_rows, np.nan)
    s = pc.cast(t.column(name), pa.string())
    ok = pc.match_substring_regex(s, r"^\s*-?\d+(\.\d*)?\s*$")
    return pc.cast(pc.if_else(ok, s, None), pa.float64()).to_numpy(zero_copy_only=False).astype(float)


def _str(t, name: str) -> np.ndarray:
    import pyarrow as pa
    import pyarrow.compute as pc
    if name not in t.column_names:
        return np.full(t.num_rows, None, dtype=object)
    return pc.cast(t.column(name), pa.string()).to_numpy(zero_copy_only=False)


def _sent_date(t) -> np.ndarray:
    """SENTDATE (to FY2004: MM/DD/YYYY, MMDDYYYY or ISO) or SENTYR/SENTMON (15th of the month)."""
    raw = _str(t, "SENTDATE")
    out = np.full(t.num_rows, np.datetime64("NaT"), dtype="datetime64[D]")
    for i, v in enumerate(raw):
        if not v:
            continue
        v = str(v).strip()
        m = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", v) or re.fullmatch(r"(\d{2})(\d{2})(\d{4})", v)
        with contextlib.suppress(ValueError):
            out[i] = np.datetime64(f"{m.group(3)}-{int(m.group(1)):02d}-{int(m.group(2)):02d}") if m else \
                np.datetime64(v[:10])
    yr, mo = _num(t, "SENTYR"), _num(t, "SENTMON")
    have = np.isnat(out) & ~np.isnan(yr) & ~np.isnan(mo) & (mo >= 1) & (mo <= 12)
    if have.any():
        ym = (np.nan_to_num(yr).astype(int) - 1970) * 12 + np.nan_to_num(mo).astype(int) - 1
        out = np.where(have, ym.astype("datetime64[M]").astype("datetime64[D]") + 14, out)
    return out


def to_flat(t, law):
    """One batch of USSC records → flat case rows (Arrow), with `preset_error` for rows it cannot map."""
    import pyarrow as pa

    n = t.num_rows
    err = np.full(n, None, dtype=object)

    def fail(mask: np.ndarray, reason: str) -> None:
        for i in np.flatnonzero(mask & (err == None)):  # noqa: E711
            err[i] = reason

    gl = np.array([str(x or "").replace("§", "").strip() for x in _str(t, "GDLINEHI")], dtype=object)
    fail(~np.isin(gl, ["2D1.1", "2D1.2", "2D2.1", ""]), "GDLINEHI: not a drug trafficking case (§2D1.1)")
    sd = _sent_date(t)
    fail(np.isnat(sd), "SENTDATE/SENTYR/SENTMON: no sentencing date")
    types = np.column_stack([_num(t, f"DRUGTYP{k}") for k in range(1, 6)])
    wgts = np.column_stack([_num(t, f"WGT{k}") for k in range(1, 6)])
    grams = {d: np.zeros(n) for d in set(DRUG_CODES.values())}
    for k in range(5):
        code = types[:, k]
        listed = ~np.isnan(code)
        known = np.isin(code, list(DRUG_CODES))
        fail(listed & ~known, f"DRUGTYP{k + 1}: drug type not supported yet (sentcalc has tables for codes "
             + ", ".join(str(c) for c in DRUG_CODES) + ")")
        fail(listed & known & np.isnan(wgts[:, k]), f"WGT{k + 1}: drug weight missing (range-coded or unknown)")
        for c, d in DRUG_CODES.items():
            grams[d] += np.where(code == c, np.nan_to_num(wgts[:, k]), 0)
    primary = types[:, 0]
    fail(np.isnan(primary), "DRUGTYP1: no drug type")
    conv = np.array([DRUG_CODES.get(int(x), "") if not np.isnan(x) else "" for x in primary], dtype=object)
    dmin = _num(t, "DRUGMIN")
    from ..rules.statutes import tier_thresholds
    a_reached = np.zeros(n, dtype=bool)
    on = np.where(np.isnat(sd), np.datetime64("2000-01-01", "D"), sd)  # rows without a date are errors already
    for d in sorted(grams):
        a_thr = tier_thresholds(law, d, on)[0][:, 0]
        a_reached |= (conv == d) & (grams[d] >= np.nan_to_num(a_thr, nan=np.inf))
    statute = np.select([dmin >= LIFE_CODE, dmin >= 180, dmin >= 120, dmin >= 60],
                        ["841(b)(1)(A)", "841(b)(1)(A)", np.where(a_reached, "841(b)(1)(A)", "841(b)(1)(B)"),
                         "841(b)(1)(B)"], "841(b)(1)(C)")
    statute = np.where((conv == "marihuana") & (statute == "841(b)(1)(C)") & (grams["marihuana"] < 50_000),
                       "841(b)(1)(D)", statute)
    priors = np.select([dmin >= 300, dmin >= 180, (dmin >= 120) & ~a_reached], [2, 1, 1], 0)
    fail(np.isin(_num(t, "ACCTRESP"), [-1, -4]) | np.isin(_num(t, "MONACCEP"), [-1, -4]),
         "ACCTRESP/MONACCEP: acceptance of 1 or 4 levels is not in the Manual")
    acc = -np.nan_to_num(_num(t, "MONACCEP"))
    base, adj, final = _num(t, "BASEHI"), _num(t, "ADJOFLHI"), _num(t, "XFOLSOR")
    glmin, glmax = _num(t, "GLMIN"), _num(t, "GLMAX")
    yr = sd.astype("datetime64[Y]").astype(int) + 1970
    mo = sd.astype("datetime64[M]").astype(int) % 12 + 1
    fy = yr + (mo >= 10)
    sa = np.select([fy <= 2003, fy <= 2004, True], [np.isin(_num(t, "DEPART"), [3, 5, 7, 9]),
                                                    _num(t, "DEPART_A") == 2,
                                                    (_num(t, "BOOKERCD") == 5) | (_num(t, "DEPART_A") == 2)])
    life = _num(t, "TOTPRISN") == LIFE_CODE
    sentence = np.where(life, np.nan, _num(t, "SENTTOT"))
    # Below a statutory minimum the sentence checks infer the §3553(e) motion, per row (sentcalc.checks).
    departure = np.where(sa, "5K1.1", "none")
    manual = _num(t, "AMENDYR")
    manual_s = np.array([f"{int(y)}-11-01" if not np.isnan(y) and 1987 <= y <= 2100 else None for y in manual],
                        dtype=object)
    pts = _num(t, "TOTCHPTS")
    cat = _num(t, "XCRHISSR")

    def months_or_life(x: np.ndarray) -> list:
        return [None if np.isnan(v) else ("life" if v >= LIFE_CODE else f"{v:g}") for v in x]

    def s(x) -> list:
        return [None if v is None or (isinstance(v, float) and np.isnan(v)) else str(v) for v in x]

    cols = {
        "id": s(_str(t, "USSCIDN")),
        "offense_date": s((sd - 365).astype(str)), "sentencing_date": s(sd.astype(str)),
        "statute": list(statute), "conviction_drug": [x or None for x in conv],
        "prior_convictions": [str(int(p)) for p in priors],
        **{f"{d}_grams": [f"{g:g}" if g > 0 else None for g in grams[d]] for d in sorted(grams)},
        "adjustment_levels": [None if np.isnan(a) or np.isnan(b) else str(int(a - b)) for a, b in zip(adj, base)],
        "acceptance": [str(int(a)) if a in (0, 2, 3) else "0" for a in acc],
        "criminal_history_points": [None if np.isnan(p) else str(int(p)) for p in pts],
        "status_points": [str(int(min(max(x, 0), 2))) if not np.isnan(x) else "0" for x in _num(t, "SENTPTS")],
        "recency_points": [str(int(min(max(x, 0), 2))) if not np.isnan(x) else "0" for x in _num(t, "REL2PTS")],
        "criminal_history_category": [None if not np.isnan(p) or np.isnan(c) or not 1 <= c <= 6
                                      else ["I", "II", "III", "IV", "V", "VI"][int(c) - 1] for p, c in zip(pts, cat)],
        "career_offender": [str(x == 1).lower() for x in _num(t, "CAROFFAP")],
        "safety_valve": [str(bool(a in (1, 2) or b == 1)).lower() for a, b in zip(_num(t, "SAFE"), _num(t, "SAFETY"))],
        "substantial_assistance": [str(bool(x)).lower() for x in sa],
        "departure": list(departure),
        "guidelines_manual": list(manual_s),
        "sentence_months": ["life" if li else (None if np.isnan(v) else f"{v:g}") for li, v in zip(life, sentence)],
        "custody_start": s(sd.astype(str)),
        "findings_base_offense_level": [None if np.isnan(b) or not 1 <= b <= 43 else str(int(b)) for b in base],
        "findings_total_offense_level": [None if np.isnan(f) else str(int(min(max(f, 1), 43))) for f in final],
        "findings_guideline_min_months": months_or_life(glmin),
        "findings_guideline_max_months": months_or_life(glmax),
        "race": [RACE.get(int(x)) if not np.isnan(x) else None for x in _num(t, "NEWRACE")],
        "sex": [{0: "M", 1: "F"}.get(int(x)) if not np.isnan(x) else None for x in _num(t, "MONSEX")],
        "district": s(_str(t, "DISTRICT")),
        "circuit": s(_str(t, "MONCIRC")),
        "preset_error": list(err),
    }
    return pa.table({k: pa.array(v, type=pa.string()) for k, v in cols.items()})


def preset_batches(batches: Iterator, preset: str, law) -> tuple[Iterator, list[str]]:
    """Map raw USSC batches to flat rows; returns the batches and the assumptions the preset makes."""
    if preset != "ussc":
        raise InputError("--preset", preset, "use ussc")

    def gen():
        for b in batches:
            import pyarrow as pa
            yield from to_flat(pa.Table.from_batches([b]), law).to_batches()
    return gen(), list(ASSUMPTIONS)


def preset_problems(table, problems) -> None:
    """Rows the preset could not map (`preset_error`): one problem each, with the preset's own reason in
    place of whatever the validator found in the unmapped row (in place)."""
    if "preset_error" not in table.column_names:
        return
    pe = table.column("preset_error").to_numpy(zero_copy_only=False)
    unmapped = {int(i) for i in np.flatnonzero(pe != None)}  # noqa: E711
    keep = [k for k, r in enumerate(problems.rows) if r not in unmapped]
    for name in ("rows", "fields", "values", "reasons"):
        setattr(problems, name, [getattr(problems, name)[k] for k in keep])
    for i in sorted(unmapped):
        problems.add_one(i, "preset", "", str(pe[i]))
