"""`sentcalc batch`: recompute a whole dataset, streamed in batches, on every core.

Every input row ends up either in OUTPUT or in OUTPUT's errors file (row number, id, field, reason);
the summary checks that the counts add up. Outputs are written atomically; with --retro a worklist of
everyone eligible for any avenue is written too, and always a provenance record.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import json
import os
import signal
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

import numpy as np

from . import __version__
from .case import CAPTION
from .errors import InputError, require
from .io.tables import AtomicWriter, count_rows, publish, read_batches, temporary, write_text_atomic
from .kernel import Options, recompute
from .law import Law, default_law
from .regimes import parse_regime


@dataclass
class Summary:
    rows_in: int = 0
    rows_out: int = 0
    error_rows: int = 0
    eligible: dict[str, int] = field(default_factory=dict)
    immediate_release: int = 0
    assumed: list[str] = field(default_factory=list)
    outputs: dict[str, str] = field(default_factory=dict)

    @property
    def conserved(self) -> bool:
        return self.rows_in == self.rows_out + self.error_rows


def side_path(output: Path, what: str, ext: str) -> Path:
    """OUTPUT's companion file: results.parquet → results.errors.csv."""
    return output.with_name(f"{output.stem}.{what}{ext}")


def _estimate_rows(path: Path) -> int | None:
    n = count_rows(path)
    if n is not None or path.suffix.lower() not in (".csv", ".jsonl", ".ndjson"):
        return n
    size = path.stat().st_size
    with open(path, "rb") as fh:
        head = fh.read(1 << 16)
    lines = max(head.count(b"\n"), 1)
    return max(int(size / (len(head) / lines)) - (1 if path.suffix.lower() == ".csv" else 0), 1)


def _work(args: tuple, law: Law | None = None) -> tuple:
    table, options = args
    out, problems, bad = recompute(table, options, law)
    return out, list(zip(problems.rows, problems.fields, problems.values, problems.reasons)), bad


def _ordered(tables: Iterator, options: Options, workers: int) -> Iterator[tuple]:
    """recompute over the batches, in order, with at most workers+1 batches in flight."""
    if workers <= 1:
        for t in tables:
            yield t, _work((t, options))
        return
    # Workers are replaced every few batches so that memory freed by a batch goes back to the system.
    with ProcessPoolExecutor(max_workers=workers, max_tasks_per_child=8) as pool:
        pending: list = []
        for t in tables:
            pending.append((t, pool.submit(_work, (t, options))))
            if len(pending) > workers:
                t0, f0 = pending.pop(0)
                yield t0, f0.result()
        for t0, f0 in pending:
            yield t0, f0.result()


def run(input_path: Path, output: Path, options: Options, law: Law | None = None, workers: int | None = None,
        progress: bool = True, preset: str | None = None, keep: tuple[str, ...] = ()) -> Summary:
    """Recompute INPUT into OUTPUT (and its errors, worklist and provenance files). `keep`: columns carried
    through although they look like a misspelt sentcalc column."""
    pa = require("pyarrow", "research", "sentcalc batch")

    law = law or default_law()
    regime_dates = {t: (parse_regime(t, law, options.today).day or "sentencing date").__str__() for t in options.regimes}
    workers = workers if workers is not None else min(2, os.cpu_count() or 1)
    errors_path = side_path(output, "errors", ".csv")
    worklist_path = side_path(output, "worklist", ".csv")
    writer = AtomicWriter(output)
    err_tmp = temporary(errors_path)
    err_file = open(err_tmp, "w", encoding="utf-8", newline="")  # noqa: SIM115 - streamed: errors never pile up
    err_csv = csv.writer(err_file)
    err_csv.writerow(ERROR_COLUMNS)
    ledger = _Ledger(options)
    preset_notes: list[str] = []
    previous = signal.getsignal(signal.SIGTERM)
    signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        if preset:
            from .io.ussc import preset_batches, read
            batches, preset_notes = preset_batches(read(input_path), preset, law)
        else:
            batches = read_batches(input_path)
        tables = _checked((pa.Table.from_batches([b]) for b in batches), law, options, ledger.summary, preset, keep)
        with _progress(progress, _estimate_rows(input_path)) as advance:
            for table, result in _ordered(tables, options, workers):
                keep, errors = ledger.add(table, result)
                err_csv.writerows(errors)
                writer.write(keep)
                advance(table.num_rows)
        writer.close()
        err_file.close()
        publish(err_tmp, errors_path)
    except BaseException:
        writer.abort()
        err_file.close()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(err_tmp)
        raise
    finally:
        signal.signal(signal.SIGTERM, previous)
    summ = ledger.summary
    summ.outputs = {"output": str(output), "errors": str(errors_path)}
    if options.retro:
        _write_worklist(worklist_path, ledger.worklist)
        summ.outputs["worklist"] = str(worklist_path)
    prov = side_path(output, "provenance", ".json")
    summ.outputs["provenance"] = str(prov)
    write_text_atomic(prov, json.dumps({
        "sentcalc_version": __version__, "guidelines_sha256": law.content_hash,
        "regimes": regime_dates, "today": str(options.today), "as_of": str(options.as_of or options.today),
        "retro": options.retro, "preset": preset, "preset_assumptions": preset_notes,
        "column_assumptions": summ.assumed,
        "input": {"path": str(input_path), "bytes": input_path.stat().st_size, "sha256": _sha256(input_path)},
        "summary": asdict(summ) | {"conserved": summ.conserved},
    }, indent=2))
    if not summ.conserved:  # never expected: a bug, not a user error
        raise RuntimeError(f"row count mismatch: {summ.rows_in} in, {summ.rows_out} out, {summ.error_rows} errors")
    return summ


class _Ledger:
    """Every input row accounted for, batch by batch: the error rows (the kernel's problems, then duplicate ids),
    the rows kept, the summary and the worklist parts."""

    def __init__(self, options: Options) -> None:
        self.options = options
        self.summary = Summary()
        self.seen = np.zeros(0, dtype=np.int64)  # sorted hashes of the ids met so far (duplicates check)
        self.worklist: list = []

    def add(self, table, result: tuple) -> tuple:
        """The rows to write and the error rows [row, id, field, value, reason] (rows numbered from 1 over the run,
        in row order; a row's problems in the order the checks found them)."""
        import pyarrow as pa

        out, problems, bad = result
        n = table.num_rows
        start = self.summary.rows_in
        ids = out.column("id").to_numpy(zero_copy_only=False)
        hashes = np.fromiter((hash(x) for x in ids), dtype=np.int64, count=n)
        _, first = np.unique(hashes, return_index=True)
        dup = np.ones(n, dtype=bool)
        dup[first] = False
        seen = self.seen
        pos = np.searchsorted(seen, hashes)
        dup |= (pos < len(seen)) & (seen[np.minimum(pos, len(seen) - 1)] == hashes) if len(seen) else False
        dup &= ids != ""
        self.seen = np.sort(np.concatenate([seen, np.unique(hashes)]), kind="stable")
        errors = [[start + row + 1, _short(ids[row]), fld, _short(value), reason] for row, fld, value, reason in problems]
        errors += [[start + row + 1, _short(ids[row]), "id", _short(ids[row]), "duplicate id: it appears on an earlier row"]
                   for row in np.flatnonzero(dup & ~bad)]
        errors.sort(key=lambda e: e[0])  # stable
        bad = bad | dup
        keep = out.filter(pa.array(~bad)).drop_columns(["error_field", "error_reason"])
        self.summary.rows_in += n
        self.summary.rows_out += keep.num_rows
        self.summary.error_rows += int(bad.sum())
        if self.options.retro and keep.num_rows:
            _collect(keep, self.worklist, self.summary)
        return keep, errors


@dataclass
class Screening:
    """A client list screened in memory: what `batch --retro` would write, without writing anything."""

    summary: Summary
    errors: list[list]   # [row, id, field, value, reason], as in the errors file
    worklist: object     # an Arrow table, as in the worklist file (could be released now first, then months saved)
    results: object      # the kept rows' results, as in OUTPUT


def screen(table, options: Options, law: Law | None = None) -> Screening:
    """One in-memory Arrow table of flat rows through the kernel and the same accounting as `run` (the web
    app's office screening). Nothing is written."""
    law = law or default_law()
    ledger = _Ledger(options)
    next(_checked(iter([table]), law, options, ledger.summary, None, ()))
    keep, errors = ledger.add(table, _work((table, options), law))
    return Screening(ledger.summary, errors, sorted_worklist(ledger.worklist), keep)


ERROR_COLUMNS = ["row", "id", "field", "value", "reason"]
"""The errors file's header."""


def _short(value: object) -> str:
    """An id or a value as the errors file shows it (at most 200 characters)."""
    text = "" if value is None else str(value)
    return text if len(text) <= 200 else text[:199] + "…"


def _checked(tables: Iterator, law: Law, options: Options, summ: Summary, preset: str | None,
             keep: tuple[str, ...]) -> Iterator:
    """Check the header before computing anything: every required column present, no near miss of a sentcalc
    column, and (with --strict) no defaulted column absent; the columns assumed are listed in the summary.
    A preset's columns are its own mapping (its assumptions are listed by the preset), so only the defaults
    are listed for it."""
    from .io.flat import check_header
    for k, t in enumerate(tables):
        if k == 0:
            names = [c for c in t.column_names if c != "preset_error"]
            header = check_header(names, law, retro=options.retro, strict=options.strict and not preset,
                                  keep=tuple(names) if preset else keep)
            summ.assumed = header.text()
        yield t


def _raise_interrupt(signum, frame):  # noqa: ARG001
    raise KeyboardInterrupt


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


WORKLIST_COLUMNS = ("id", "best_avenue", "immediate", "months_saved", "best_lowest", "best_order_date",
                    "release_date", "sr_transfer_date", "prerelease_date", "sentence_months")
"""`immediate`: could go home now (the earlier of `release_date`, the good-conduct release of the lowest
term, and `sr_transfer_date`, its transfer to supervised release with time credits, is on or before the
order date); `prerelease_date` (home confinement or a reentry center) is shown, not counted."""


def _collect(keep, parts: list, summ: Summary) -> None:
    """Eligible counts, and the worklist rows of this batch (columnar: only the eligible rows are kept)."""
    import pyarrow as pa

    from .kernel import AVENUE_PREFIX
    n = keep.num_rows
    best = keep.column("best_avenue").to_numpy(zero_copy_only=False)
    immediate = np.zeros(n, dtype=bool)
    release = np.full(n, np.datetime64("NaT", "D"))
    transfer = release.copy()
    prerelease = release.copy()
    for avenue, p in AVENUE_PREFIX.items():
        if f"{p}_eligible" not in keep.column_names:
            continue
        eligible = keep.column(f"{p}_eligible").to_numpy(zero_copy_only=False).astype(bool)
        summ.eligible[avenue] = summ.eligible.get(avenue, 0) + int(eligible.sum())
        mine = best == avenue
        immediate[mine] = keep.column(f"{p}_immediate").to_numpy(zero_copy_only=False).astype(bool)[mine]
        for arr, col in ((release, "release_date"), (transfer, "sr_transfer_date"), (prerelease, "prerelease_date")):
            arr[mine] = keep.column(f"{p}_{col}").to_numpy(zero_copy_only=False).astype("datetime64[D]")[mine]
    m = best != ""
    if not m.any():
        return
    sentence = _sentences(keep)
    lowest = keep.column("best_lowest").to_numpy(zero_copy_only=False).astype(float)
    order = keep.column("best_order_date").to_numpy(zero_copy_only=False).astype("datetime64[D]")
    summ.immediate_release += int(immediate[m].sum())
    caption = {c: keep.column(c).filter(pa.array(m)) for c in CAPTION if c in keep.column_names}
    parts.append(pa.table({
        "id": keep.column("id").filter(pa.array(m)), **caption, "best_avenue": pa.array(best[m], pa.string()),
        "immediate": pa.array(immediate[m]), "months_saved": pa.array((sentence - lowest)[m], from_pandas=True),
        "best_lowest": pa.array(lowest[m], from_pandas=True), "best_order_date": pa.array(order[m], pa.date32()),
        "release_date": pa.array(release[m], pa.date32(), from_pandas=True),
        "sr_transfer_date": pa.array(transfer[m], pa.date32(), from_pandas=True),
        "prerelease_date": pa.array(prerelease[m], pa.date32(), from_pandas=True),
        "sentence_months": pa.array(sentence[m], from_pandas=True)}))  # empty for life (and its months saved)


def _sentences(keep) -> np.ndarray:
    """The term now in force, echoed by the kernel as `sentence_months_in`."""
    return keep.column("sentence_months_in").to_numpy(zero_copy_only=False).astype(float)


def worklist_order(t):
    """Row order of a worklist: could be released now first, then by months saved (a life sentence, whose months
    saved are unbounded and left empty, first)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    keys = pa.table({"immediate": t.column("immediate"),
                     "saved": pc.fill_null(pc.cast(t.column("months_saved"), pa.float64()), float("inf"))})
    return pc.sort_indices(keys, sort_keys=[("immediate", "descending"), ("saved", "descending")])


def sorted_worklist(parts: list):
    """The worklist parts as one sorted table (an empty one with the worklist columns when nobody is eligible)."""
    import pyarrow as pa
    if not parts:
        return pa.table({c: pa.array([], pa.string()) for c in WORKLIST_COLUMNS})
    t = pa.concat_tables(parts)
    return t.take(worklist_order(t))


def _write_worklist(path: Path, parts: list) -> None:
    """Everyone eligible: could be released now first, then by months saved."""
    import pyarrow as pa
    w = AtomicWriter(path)
    try:
        if parts:  # sort by the two keys only, then write in slices, so the rows are never copied whole
            t = pa.concat_tables(parts)
            order = worklist_order(t)
            for k in range(0, len(order), 200_000):
                w.write(t.take(order.slice(k, 200_000)))
        else:
            w.write(sorted_worklist(parts))
        w.close()
    except BaseException:
        w.abort()
        raise


class _progress:
    """A rich progress bar on stderr (rows), or nothing."""

    def __init__(self, enabled: bool, total: int | None) -> None:
        self.enabled, self.total = enabled, total

    def __enter__(self):
        if not self.enabled:
            return lambda n: None
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
        self.p = Progress(TextColumn("recomputing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                          console=Console(stderr=True), transient=False)
        self.p.start()
        self.task = self.p.add_task("rows", total=self.total)
        return lambda n: self.p.advance(self.task, n)

    def __exit__(self, *exc) -> None:
        if self.enabled:
            if self.total is not None:
                done = self.p.tasks[0].completed
                self.p.update(self.task, total=done)
            self.p.stop()


def check_options(regimes: list[str], law: Law, today: date) -> None:
    for t in regimes:
        parse_regime(t, law, today)
    if not regimes:
        raise InputError("--regime", "(none)", "give at least one regime")
