"""Office screening: a client list (CSV or Excel, the flat columns `sentcalc batch` reads) through the batch kernel
in memory (`batch.screen`), kept in memory while the server runs so that any row can be opened as a case, and the
worklist and error rows as CSV and .xlsx with spreadsheet formulas defused."""

from __future__ import annotations

import io
import secrets
import zipfile
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import PurePath
from typing import Any

from ..batch import ERROR_COLUMNS, Screening, screen
from ..errors import InputError
from ..io.flat import row_to_document
from ..kernel import Options
from ..law import Law

LIST_SUFFIXES = (".csv", ".xlsx")
MAX_XLSX_UNZIPPED = 64 * 1024 * 1024
"""An .xlsx is a zip: its parts may hold at most this many bytes unpacked (no zip bombs)."""
MAX_ROWS = 100_000
KEEP = 8
"""Screenings kept in memory (the oldest is forgotten first)."""
FORMULA = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class Screened:
    """One uploaded list and what the kernel made of it."""

    token: str
    name: str
    table: Any             # the input rows (Arrow, text columns)
    result: Screening
    as_of: date
    rows: dict[str, int]   # id -> input row number (from 1)


class Screens:
    """The screenings of this server process, in memory only."""

    def __init__(self) -> None:
        self._kept: OrderedDict[str, Screened] = OrderedDict()

    def run(self, raw: bytes, filename: str, law: Law, options: Options) -> Screened:
        table = read_list(raw, filename)
        result = screen(table, options, law)
        ids = table.column("id").to_pylist() if "id" in table.column_names else []
        rows: dict[str, int] = {}
        for k, i in enumerate(ids, start=1):
            rows.setdefault(str(i), k)
        token = secrets.token_urlsafe(12)
        s = Screened(token, PurePath(filename).name, table, result, options.as_of or date.today(), rows)
        self._kept[token] = s
        while len(self._kept) > KEEP:
            self._kept.popitem(last=False)
        return s

    def get(self, token: str) -> Screened | None:
        return self._kept.get(token)


def read_list(raw: bytes, filename: str):
    """The client list as an Arrow table of text columns (as `sentcalc batch` reads a CSV)."""
    from ..io.tables import read_csv_bytes

    suffix = PurePath(filename).suffix.lower()
    if suffix not in LIST_SUFFIXES:
        raise InputError("client list", filename, "give a .csv or .xlsx file with the columns `sentcalc batch` reads")
    table = read_csv_bytes(raw, filename) if suffix == ".csv" else _read_xlsx(raw, filename)
    if table.num_rows > MAX_ROWS:
        raise InputError("client list", f"{filename} ({table.num_rows:,} rows)", f"lists are limited to {MAX_ROWS:,} rows")
    return table


def _read_xlsx(raw: bytes, filename: str):
    """The first sheet of a workbook: its first row names the columns; every cell as text (dates as YYYY-MM-DD)."""
    import pyarrow as pa
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as z:
            unpacked = sum(i.file_size for i in z.infolist())
        if unpacked > MAX_XLSX_UNZIPPED:
            raise InputError("client list", filename, f"the workbook unpacks to {unpacked:,} bytes; the limit is "
                             f"{MAX_XLSX_UNZIPPED:,}")
        book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
        rows = book.worksheets[0].iter_rows(values_only=True)
        header = [_cell(c) or "" for c in next(rows, ())]
        cols: list[list] = [[] for _ in header]
        for n, row in enumerate(rows):
            if n >= MAX_ROWS:
                raise InputError("client list", filename, f"lists are limited to {MAX_ROWS:,} rows")
            if all(c is None or c == "" for c in row):
                continue
            for k in range(len(header)):
                cols[k].append(_cell(row[k]) if k < len(row) else None)
        book.close()
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - any failure to read the workbook is the file's problem
        raise InputError("client list", filename, f"the file could not be read as an Excel workbook ({exc})") from None
    names = [h.strip() for h in header]
    keep = [k for k, h in enumerate(names) if h]
    return pa.table({names[k]: pa.array(cols[k], pa.string()) for k in keep})


def _cell(v: Any) -> str | None:
    if v is None:
        return None
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, datetime):
        return v.date().isoformat()
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    text = str(v).strip()
    return text or None


def row_document(s: Screened, row: int, law: Law) -> dict:
    """Input row `row` (from 1) as a case document, as the library turns a flat row into one."""
    values = {name: s.table.column(name)[row - 1].as_py() for name in s.table.column_names}
    return row_to_document(values, law)


# --- downloads ----------------------------------------------------------------------------------------------

def defuse(v: Any) -> Any:
    """Text a spreadsheet would run as a formula (=, +, -, @, tab, CR first) gets a leading apostrophe."""
    return "'" + v if isinstance(v, str) and v.startswith(FORMULA) else v


def worklist_rows(s: Screened) -> tuple[list[str], list[list]]:
    t = s.result.worklist
    return t.column_names, [list(r.values()) for r in t.to_pylist()]


ERROR_HEADER = ERROR_COLUMNS


def csv_bytes(header: list[str], rows: list[list]) -> bytes:
    import csv

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows([[_csv(defuse(v)) for v in r] for r in rows])
    return buf.getvalue().encode("utf-8")


def _csv(v: Any) -> Any:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


def xlsx_bytes(sheets: dict[str, tuple[list[str], list[list]]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for title, (header, rows) in sheets.items():
        ws = book.create_sheet(title)
        ws.append(header)
        for r in rows:
            ws.append([defuse(v) for v in r])
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()
