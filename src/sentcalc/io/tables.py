"""Tables in and out, by file extension: CSV, Parquet, JSON Lines (streamed in batches), and Stata
.dta / SPSS .sav (written whole through pyreadstat: the documented exception to flat memory).
Every output is written to a temporary file beside the target and renamed into place, so an
interrupted run leaves any previous output untouched; the output gets the mode an ordinary write would
give, and the next run to the same output removes what a killed run left."""

from __future__ import annotations

import contextlib
import glob
import json
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

from ..errors import InputError, require

READ = (".csv", ".parquet", ".jsonl", ".ndjson")
WRITE = (".csv", ".parquet", ".jsonl", ".ndjson", ".dta", ".sav")
BATCH_ROWS = 50_000


def kind(path: Path, allowed: tuple[str, ...], field: str) -> str:
    ext = path.suffix.lower()
    if ext not in allowed:
        raise InputError(field, str(path), "use a file ending in " + ", ".join(allowed))
    return ext


def read_batches(path: Path, batch_rows: int = BATCH_ROWS) -> Iterator:
    """Arrow record batches of the input; CSV columns are read as text and validated by sentcalc."""
    import pyarrow as pa

    ext = kind(path, READ, "INPUT")
    if not path.exists():
        raise InputError("INPUT", str(path), "give an existing file")
    if ext == ".csv":
        import pyarrow.csv as pcsv
        with open(path, "rb") as fh:
            header = fh.readline()
        try:
            reader = pcsv.open_csv(path, **_csv_options(header))
        except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
            raise InputError("INPUT", str(path), f"the file could not be read as CSV ({str(exc).splitlines()[0][:300]})"
                             ) from None
        yield from _rebatch(reader, batch_rows)
    elif ext == ".parquet":
        import pyarrow.parquet as pq
        yield from pq.ParquetFile(path).iter_batches(batch_size=batch_rows)
    else:
        import io

        import pyarrow.json as pj
        buf: list[bytes] = []
        with open(path, "rb") as fh:
            for line in fh:
                if line.strip():
                    buf.append(line)
                if len(buf) >= batch_rows:
                    yield from pj.read_json(io.BytesIO(b"".join(buf))).to_batches()
                    buf = []
        if buf:
            yield from pj.read_json(io.BytesIO(b"".join(buf))).to_batches()


def _csv_options(header: bytes) -> dict:
    """How sentcalc reads CSV: every column as text (validated by sentcalc), empty as missing."""
    import pyarrow as pa
    import pyarrow.csv as pcsv
    names = [h.strip().strip('"') for h in header.decode("utf-8", errors="replace").strip().lstrip("\ufeff").split(",")]
    return {"read_options": pcsv.ReadOptions(block_size=1 << 22),
            "convert_options": pcsv.ConvertOptions(column_types={n: pa.string() for n in names},
                                                   strings_can_be_null=True, quoted_strings_can_be_null=True),
            "parse_options": pcsv.ParseOptions(newlines_in_values=False)}


def read_csv_bytes(raw: bytes, name: str):
    """A CSV held in memory as an Arrow table, read as `read_batches` reads a CSV file."""
    import io

    import pyarrow as pa
    import pyarrow.csv as pcsv
    try:
        return pcsv.read_csv(io.BytesIO(raw), **_csv_options(raw.split(b"\n", 1)[0]))
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        raise InputError("client list", name, f"the file could not be read as CSV ({str(exc).splitlines()[0][:300]})"
                         ) from None


def _rebatch(reader, rows: int) -> Iterator:
    import pyarrow as pa
    pending: list = []
    count = 0
    for b in _guarded(reader):
        pending.append(b)
        count += b.num_rows
        if count >= rows:
            yield pa.Table.from_batches(pending).combine_chunks().to_batches()[0]
            pending, count = [], 0
    if pending:
        t = pa.Table.from_batches(pending).combine_chunks()
        if t.num_rows:
            yield t.to_batches()[0]


def _guarded(reader) -> Iterator:
    """Parse errors from the CSV reader as a clear error naming the problem."""
    import pyarrow as pa
    it = iter(reader)
    while True:
        try:
            b = next(it)
        except StopIteration:
            return
        except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
            first = str(exc).splitlines()[0][:300]
            raise InputError("INPUT", "CSV", f"the file could not be read as CSV ({first}); lines and fields are "
                             "limited to 4 MiB and the file must be UTF-8") from None
        yield b


def count_rows(path: Path) -> int | None:
    """Rows in the input, when cheap to know (Parquet metadata); else None."""
    if path.suffix.lower() == ".parquet":
        import pyarrow.parquet as pq
        return pq.ParquetFile(path).metadata.num_rows
    return None


def temporary(path: Path) -> Path:
    """A new, empty temporary file beside `path`, named for the process writing it
    (`.{name}.{pid}.{random}.tmp`), after removing those that ended processes left for the same path."""
    remove_stale(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    return Path(tmp)


def remove_stale(path: Path) -> list[Path]:
    """Remove the temporary files of `path` whose writer is gone (killed, or the machine restarted); a file
    whose process still runs is another run's, at work, and is left alone. Returns those removed."""
    own = re.compile(rf"\.{re.escape(path.name)}\.(\d+)\.[a-z0-9_]{{8}}\.tmp")
    removed = []
    for p in path.parent.glob(f".{glob.escape(path.name)}.*.tmp"):
        m = own.fullmatch(p.name)
        if m and not _alive(int(m.group(1))):
            with contextlib.suppress(FileNotFoundError):
                p.unlink()
                removed.append(p)
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    except (OverflowError, ValueError):  # not a process id at all
        return False
    return True


def publish(tmp: Path | str, path: Path) -> None:
    """Move a finished temporary file into place with the mode an ordinary write would give it (0o666 less
    the umask; mkstemp made it 0600)."""
    os.chmod(tmp, 0o666 & ~_umask())
    os.replace(tmp, path)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


class AtomicWriter:
    """Streams Arrow tables to a temporary file and renames it into place on success."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.ext = kind(path, WRITE, "OUTPUT")
        if self.ext in (".dta", ".sav"):  # before any work, not after it
            what = "Stata and SPSS output"
            require("pyreadstat", "stata", what)
            require("pandas", "stata", what)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.tmp = temporary(path)
        self._writer = None
        self._whole: list = []
        self._fh = None

    def write(self, table) -> None:
        import pyarrow as pa
        if self.ext == ".csv":
            import pyarrow.csv as pcsv
            if self._writer is None:
                self._schema = table.schema
                self._writer = pcsv.CSVWriter(str(self.tmp), table.schema)
            self._writer.write_table(table.cast(self._schema) if table.schema != self._schema else table)
        elif self.ext == ".parquet":
            import pyarrow.parquet as pq
            if self._writer is None:
                self._schema = table.schema
                self._writer = pq.ParquetWriter(str(self.tmp), table.schema)
            self._writer.write_table(table.cast(self._schema) if table.schema != self._schema else table)
        elif self.ext in (".jsonl", ".ndjson"):
            if self._fh is None:
                self._fh = open(self.tmp, "w", encoding="utf-8")  # noqa: SIM115 - closed in close()
            for row in table.to_pylist():
                self._fh.write(json.dumps(row, default=str) + "\n")
        else:
            self._whole.append(table if isinstance(table, pa.Table) else pa.table(table))

    def close(self) -> None:
        """Finish and move into place."""
        if self._writer is not None:
            self._writer.close()
        if self._fh is not None:
            self._fh.close()
        if self.ext in (".dta", ".sav"):
            self._write_whole()
        publish(self.tmp, self.path)

    def abort(self) -> None:
        with contextlib.suppress(Exception):
            if self._writer is not None:
                self._writer.close()
            if self._fh is not None:
                self._fh.close()
        with contextlib.suppress(FileNotFoundError):
            self.tmp.unlink()

    def _write_whole(self) -> None:
        import pyarrow as pa
        pyreadstat = require("pyreadstat", "stata", "Stata and SPSS output")
        df = pa.concat_tables(self._whole).to_pandas() if self._whole else None
        if df is None:
            return
        for col in df.columns:  # Stata and SPSS have no boolean or null-int types
            if df[col].dtype == bool:
                df[col] = df[col].astype("int8")
        if self.ext == ".dta":
            pyreadstat.write_dta(df, str(self.tmp))
        else:
            pyreadstat.write_sav(df, str(self.tmp))


def write_text_atomic(path: Path, text: str) -> None:
    write_bytes_atomic(path, text.encode("utf-8"))


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Write beside the target and rename into place: an interrupted write leaves any previous file untouched."""
    tmp = temporary(path)
    try:
        tmp.write_bytes(data)
        publish(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
