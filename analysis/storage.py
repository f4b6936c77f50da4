"""Writing and reading the tables of a run: partitioned Parquet, CSV beside it, safe
against a crash at any point.

Layout under the output folder::

    <table>/part-00000017.parquet  per-document tables: one part per batch of documents
                                   (batch 17), written by whichever process ran the batch
    <table>/part-00000000.parquet  corpus-wide tables (``rejects``, corpus steps): one
                                   part, replaced as a whole by each run
    <table>.csv                    the same rows as CSV (dates ISO 8601), kept in step
                                   with the Parquet: new parts are appended, and the file
                                   is rewritten from the Parquet when parts changed
    run.json                       the summary of the last run
    _manifest/                     the engine's record of what is done (see
                                   :mod:`analysis.engines.manifest`)
    _staging/                      batches being written

Every table reads back as one dataset with pandas (:func:`read_table`), pyarrow or DuckDB
(``read_parquet('<table>/*.parquet')``, or :func:`analysis.query`).

Crash safety (``kill -9`` at any instant loses no committed row and duplicates none):

* a batch is written under ``_staging/<batch>.tmp/`` and committed by renaming the folder
  to ``_staging/<batch>/`` (one atomic rename); it is then published by moving each file
  to its table folder, the manifest part last. :func:`recover` finishes publishing
  committed batches and deletes uncommitted ones, so the next run starts from a clean
  state;
* every other file is written under a temporary name and renamed over the old one;
* removing rows (documents that changed or left the corpus) is journalled: the list is
  written first and replayed by :func:`recover` until it is done.

Files are not fsync'ed: a killed process loses nothing the kernel already has; a power
cut may need ``run --rebuild``.
"""

from __future__ import annotations

import collections
import contextlib
import json
import os
import shutil
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from .tables import SCHEMAS, arrow_to_pandas, schema_of
from .views import VIEW_INPUTS, VIEWS, count_sql

__all__ = [
    "LOCK_FILE",
    "MANIFEST_DIR",
    "RowSpool",
    "STAGING_DIR",
    "TableCsv",
    "Writes",
    "batch_of_part",
    "clear_tables",
    "commit_batch",
    "parquet_parts",
    "part_name",
    "part_stamps",
    "read_json",
    "read_table",
    "recover",
    "remove_csv",
    "remove_documents",
    "sync_csv",
    "table_names",
    "table_rows",
    "write_json",
    "write_parquet",
    "write_parts",
    "write_table",
]

MANIFEST_DIR = "_manifest"
STAGING_DIR = "_staging"
LOCK_FILE = "lock"  # in MANIFEST_DIR
# Parts of per-document tables are named by batch; corpus-wide tables use batch 0, which
# no batch of documents gets (they count from 1).
WHOLE_TABLE_PART = 0
_MANIFEST_PART = "_documents"  # the manifest rows of a staged batch
_REMOVAL_JOURNAL = "removal.json"
_CSV_STATE = "csv.json"
_CSV_BATCH_ROWS = 64 * 1024


def part_name(batch_id: int) -> str:
    """File name of the part of a table that holds one batch."""
    return f"part-{batch_id:08d}.parquet"


def batch_of_part(path: Path) -> int:
    """The batch number in a part's file name."""
    return int(path.stem.split("-", 1)[1])


def parquet_parts(out_dir: str | os.PathLike, name: str) -> list[Path]:
    """The Parquet parts of a table, in batch order (empty when there are none)."""
    folder = Path(out_dir) / name
    return sorted(folder.glob("part-*.parquet")) if folder.is_dir() else []


# ---------------------------------------------------------------------------- small files


def _replace_with(path: Path, write) -> None:
    """Write ``path`` through ``write(tmp_path)`` and rename it into place."""
    tmp = path.with_name(path.name + ".tmp")
    write(tmp)
    os.replace(tmp, path)


def write_json(path: Path, data: Mapping) -> None:
    """A JSON file written atomically (sorted keys, so it is byte-stable)."""
    text = json.dumps(data, indent=2, sort_keys=True, default=str) + "\n"
    _replace_with(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def read_json(path: Path) -> dict:
    """A JSON file written by :func:`write_json`; empty when absent or half-written."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return {}


def write_parquet(table: pa.Table, path: Path) -> None:
    """A Parquet file written under a temporary name and renamed into place."""
    _replace_with(path, lambda tmp: pq.write_table(table, tmp))


# ---------------------------------------------------------------------------- batches


def commit_batch(out_dir: str | os.PathLike, batch_id: int, tables: Mapping[str, pa.Table], manifest: pa.Table) -> None:
    """Write one batch's parts and its manifest rows, atomically, and publish them.

    Safe to call from worker processes (each batch has its own staging folder and part
    names). Empty tables get no part.
    """
    out = Path(out_dir)
    staging = out / STAGING_DIR
    staging.mkdir(parents=True, exist_ok=True)
    final = staging / str(batch_id)
    tmp = staging / f"{batch_id}.tmp"
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir()
    for name, table in tables.items():
        if table.num_rows:
            pq.write_table(table, tmp / f"{name}.parquet")
    pq.write_table(manifest, tmp / f"{_MANIFEST_PART}.parquet")
    os.rename(tmp, final)  # the commit point
    _publish(out, final, batch_id)


def _publish(out: Path, staged: Path, batch_id: int) -> None:
    """Move a committed batch's files into the table folders, the manifest part last
    (idempotent: a crash half-way is finished by the next call)."""
    files = sorted(staged.glob("*.parquet"), key=lambda p: p.stem == _MANIFEST_PART)
    for file in files:
        if file.stem == _MANIFEST_PART:
            target = out / MANIFEST_DIR / "documents" / part_name(batch_id)
        else:
            target = out / file.stem / part_name(batch_id)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(file, target)
    shutil.rmtree(staged)


def recover(out_dir: str | os.PathLike) -> None:
    """Bring an output folder left by an interrupted run back to a consistent state:
    publish committed batches, drop uncommitted ones and half-written files, and finish
    a journalled removal of rows."""
    out = Path(out_dir)
    staging = out / STAGING_DIR
    if staging.is_dir():
        for entry in sorted(staging.iterdir()):
            if entry.is_dir() and entry.name.isdigit():
                _publish(out, entry, int(entry.name))
            elif entry.is_dir():
                shutil.rmtree(entry)
            else:
                entry.unlink()
    half_written = [out / f"{name}{suffix}" for name in SCHEMAS for suffix in (".tmp", ".old")]
    half_written += [*out.glob("*/part-*.tmp"), *out.glob(f"{MANIFEST_DIR}/**/*.tmp"), *out.glob("*.csv.tmp")]
    for leftover in half_written:
        if leftover.is_dir():
            shutil.rmtree(leftover)
        elif leftover.exists():
            leftover.unlink()
    journal = out / MANIFEST_DIR / _REMOVAL_JOURNAL
    if journal.is_file():
        plan = read_json(journal)
        _apply_removal(out, {int(k): v for k, v in plan.get("batches", {}).items()}, plan.get("tables", []))
        journal.unlink()


def remove_documents(out_dir: str | os.PathLike, by_batch: Mapping[int, Iterable[str]], tables: Iterable[str]) -> int:
    """Remove every row of some documents from the parts of their batches (documents
    whose text or metadata changed, or that left the corpus).

    Args:
        out_dir: the output folder.
        by_batch: batch number -> the doc_ids to remove from that batch's parts.
        tables: the per-document tables (each has a ``doc_id`` column).

    Returns:
        The number of documents removed.
    """
    out = Path(out_dir)
    plan = {str(batch): sorted(set(ids)) for batch, ids in by_batch.items() if ids}
    if not plan:
        return 0
    tables = list(tables)
    journal = out / MANIFEST_DIR / _REMOVAL_JOURNAL
    journal.parent.mkdir(parents=True, exist_ok=True)
    write_json(journal, {"batches": plan, "tables": tables})
    _apply_removal(out, {int(k): v for k, v in plan.items()}, tables)
    journal.unlink()
    return sum(len(ids) for ids in plan.values())


def _apply_removal(out: Path, by_batch: Mapping[int, list[str]], tables: list[str]) -> None:
    """Filter the rows out of each batch's parts; the manifest part goes first, so a
    crash leaves rows that the journal still names rather than rows nobody lists."""
    for batch, ids in sorted(by_batch.items()):
        drop = pa.array(ids, type=pa.string())
        parts = [out / MANIFEST_DIR / "documents" / part_name(batch)]
        parts += [out / name / part_name(batch) for name in tables]
        for part in parts:
            if not part.is_file():
                continue
            table = pq.read_table(part)
            kept = table.filter(pc.invert(pc.is_in(table["doc_id"], value_set=drop)))
            if kept.num_rows == table.num_rows:
                continue
            if kept.num_rows:
                write_parquet(kept, part)
            else:
                part.unlink()


class RowSpool:
    """Rows added one at a time, spooled to a Parquet file in chunks, so memory holds
    one chunk however many rows come (rejects of a corpus whose every row is broken).

    Args:
        path: the spool file (created with the first chunk).
        schema: the rows' columns.
    """

    _CHUNK = 10_000

    def __init__(self, path: Path, schema: pa.Schema) -> None:
        self.path = path
        self.schema = schema
        self.count = 0
        self._rows: list[dict] = []
        self._writer: pq.ParquetWriter | None = None

    def add(self, row: Mapping) -> None:
        self._rows.append(row)
        self.count += 1
        if len(self._rows) >= self._CHUNK:
            self._flush()

    def _flush(self) -> None:
        if not self._rows:
            return
        if self._writer is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._writer = pq.ParquetWriter(self.path, self.schema)
        self._writer.write_table(pa.Table.from_pylist(self._rows, schema=self.schema))
        self._rows = []

    def close(self) -> Path:
        """Finish the file (an empty one when no row came) and return its path."""
        self._flush()
        if self._writer is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            pq.write_table(self.schema.empty_table(), self.path)
        else:
            self._writer.close()
            self._writer = None
        return self.path

    def discard(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        self.path.unlink(missing_ok=True)


# ---------------------------------------------------------------------------- whole tables


class Writes(contextlib.AbstractContextManager):
    """Writes done in order on a thread of their own when ``background`` (else at once),
    so that whoever makes the next batch (DuckDB, de-duplication) goes on meanwhile on a
    second core: Parquet and CSV encoding run outside the GIL. At most ``depth`` writes
    wait, each holding its batch; the first error is raised by the next call or on exit.
    """

    def __init__(self, background: bool, depth: int = 2) -> None:
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="analysis-writes") if background else None
        self._waiting: collections.deque[Future] = collections.deque()
        self._depth = depth

    def __call__(self, write: Callable, *args) -> None:
        if self._pool is None:
            write(*args)
            return
        self._waiting.append(self._pool.submit(write, *args))
        while len(self._waiting) > self._depth or (self._waiting and self._waiting[0].done()):
            self._waiting.popleft().result()

    def wait(self) -> None:
        """Block until every write is done (raising the first error)."""
        while self._waiting:
            self._waiting.popleft().result()

    def __exit__(self, exc_type, exc, tb) -> None:
        if self._pool is None:
            return
        try:
            if exc_type is None:
                self.wait()
        finally:
            for future in self._waiting:
                future.cancel()
            self._pool.shutdown(wait=True)


def write_table(out_dir: str | os.PathLike, name: str, data, *, csv: bool = False, background: bool = False) -> int:
    """Replace a corpus-wide table as a whole (``rejects``, corpus-step tables).

    Args:
        out_dir: the output folder.
        name: a declared table (``analysis.tables.register_table``).
        data: a pyarrow Table or RecordBatchReader, an iterable of record batches or
            tables, a pandas DataFrame, or a list of row dicts. Columns are cast to the
            declared schema; batches stream to disk, so a large table never sits in
            memory at once.
        csv: also write ``<name>.csv`` from the same batches (what :func:`sync_csv`
            would write, without reading the Parquet back).
        background: write on a second thread while ``data`` makes its next batch
            (:class:`Writes`): for a producer that uses a core of its own.

    Returns:
        The number of rows written.
    """
    out = Path(out_dir)
    schema = schema_of(name)
    tmp = _new_folder(out, name)
    rows = 0
    parquet: list[pq.ParquetWriter] = []

    def write(batch: pa.Table, table_csv: TableCsv | None) -> None:
        if not parquet:
            parquet.append(pq.ParquetWriter(tmp / part_name(WHOLE_TABLE_PART), schema))
        parquet[0].write_table(batch)
        if table_csv is not None:
            table_csv.write(batch)

    with (TableCsv(out, name) if csv else contextlib.nullcontext()) as table_csv:
        try:
            with Writes(background) as writes:
                for batch in _batches(data, name, schema):
                    if batch.num_rows:
                        writes(write, batch, table_csv)
                        rows += batch.num_rows
        finally:
            if parquet:
                parquet[0].close()
        _replace_folder(out, name, tmp)
    return rows


def _new_folder(out: Path, name: str) -> Path:
    """An empty folder to write a table's new parts in (``<name>.tmp``)."""
    tmp = out / f"{name}.tmp"
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    return tmp


def _replace_folder(out: Path, name: str, tmp: Path) -> None:
    """Put the folder ``tmp`` in the table's place by renames: a reader finds the old
    folder or the new one (a run cut short between them leaves ``<name>.old``, which
    :func:`recover` clears; the corpus step then runs again over the whole corpus)."""
    folder = out / name
    old = out / f"{name}.old"
    if folder.exists():
        os.rename(folder, old)
    os.rename(tmp, folder)
    if old.exists():
        shutil.rmtree(old)


def write_parts(out_dir: str | os.PathLike, name: str, parts: Iterable[tuple[str, pa.Table]], *, keep_others: bool, background: bool = False) -> int:
    """Replace a table's parts by name (a corpus-wide table kept in parts that follow
    another table's, such as ``event_mentions`` those of ``events``).

    Args:
        out_dir: the output folder.
        name: a declared table.
        parts: (part file name, rows), the rows of a part together and in order.
        keep_others: keep the parts not given as they are (else the table is only
            those given). Like :func:`write_table`, the new folder replaces the old
            at once, so a reader never sees half of it.
        background: write on a second thread while ``parts`` makes the next rows.

    Returns:
        The number of rows written.
    """
    out = Path(out_dir)
    schema = schema_of(name)
    tmp = _new_folder(out, name)
    writers: dict[str, pq.ParquetWriter] = {}
    rows = 0

    def write(part: str, table: pa.Table) -> None:
        if part not in writers:
            for done in list(writers):  # a part's rows are together: the last is done
                writers.pop(done).close()
            writers[part] = pq.ParquetWriter(tmp / part, schema)
        writers[part].write_table(table)

    try:
        with Writes(background) as writes:
            for part, table in parts:
                if table.num_rows:
                    writes(write, part, table.select(schema.names).cast(schema))
                    rows += table.num_rows
    finally:
        for writer in writers.values():
            writer.close()
    if keep_others:
        for old in parquet_parts(out, name):
            if not (tmp / old.name).exists():
                os.link(old, tmp / old.name)  # the same file, its stamp unchanged
    _replace_folder(out, name, tmp)
    return rows


def _batches(data, name: str, schema: pa.Schema) -> Iterable[pa.Table]:
    """Anything table-like as Arrow tables with exactly ``schema``."""
    if isinstance(data, pd.DataFrame):
        data = [pa.Table.from_pandas(data, preserve_index=False)]
    elif isinstance(data, pa.Table):
        data = [data]
    elif isinstance(data, list) and all(isinstance(row, Mapping) for row in data[:1]):
        data = [pa.Table.from_pylist(data, schema=schema)]
    # a RecordBatchReader, or any iterable of batches or tables, streams as it is
    for chunk in data:
        table = pa.Table.from_batches([chunk]) if isinstance(chunk, pa.RecordBatch) else chunk
        missing = [column for column in schema.names if column not in table.column_names]
        if missing:
            raise ValueError(f"rows for table {name!r} lack its declared columns {missing}")
        yield table.select(schema.names).cast(schema)


def clear_tables(out_dir: str | os.PathLike, names: Iterable[str]) -> None:
    """Delete tables (Parquet folders and CSV files) and the engine's records, for a
    rebuild. Nothing else in the folder is touched."""
    out = Path(out_dir)
    for name in names:
        folder = out / name
        if folder.is_dir():
            shutil.rmtree(folder)
        (out / f"{name}.csv").unlink(missing_ok=True)
    if (out / STAGING_DIR).is_dir():
        shutil.rmtree(out / STAGING_DIR)
    manifest = out / MANIFEST_DIR
    for entry in manifest.iterdir() if manifest.is_dir() else ():
        if entry.name == LOCK_FILE:  # held by the run that is clearing
            continue
        if entry.is_dir():
            shutil.rmtree(entry)
        else:
            entry.unlink()


# ---------------------------------------------------------------------------- CSV


def part_stamps(parts: list[Path]) -> list[list]:
    """Name, size and modification time of each part: what tells that a part is the one
    a file of state was made from."""
    stamps = []
    for part in parts:
        stat = part.stat()
        stamps.append([part.name, stat.st_size, stat.st_mtime_ns])
    return stamps


def sync_csv(out_dir: str | os.PathLike, name: str, connection=None) -> None:
    """Bring ``<table>.csv`` in line with the table's Parquet parts.

    When the CSV already holds the rows of the first parts, unchanged, the rows of the
    new parts are appended (a rerun that added ten documents writes ten documents'
    rows); otherwise the CSV is rewritten from the Parquet, streaming part by part. The
    parts each CSV holds are recorded in ``_manifest/csv.json``, and dropped from it
    while the CSV is being changed, so an interrupted write is redone in full. The CSV
    of a view (``connection``: a :func:`analysis.query.connect` of the folder to read
    it with) is rewritten whole when a table it is made of changed.
    """
    out = Path(out_dir)
    state = _CsvState(out)
    if name in VIEWS:
        _sync_view_csv(out, name, state, connection)
        return
    parts = parquet_parts(out, name)
    stamps = part_stamps(parts)
    csv_path = out / f"{name}.csv"
    done = state.parts(name)
    if done is not None and csv_path.is_file() and stamps[: len(done)] == done:
        if len(done) == len(stamps):
            return
        state.forget(name)
        with csv_path.open("ab") as handle:
            _write_csv_rows(handle, parts[len(done) :], schema_of(name), header=False)
        state.remember(name, stamps)
        return
    with TableCsv(out, name) as table_csv:
        for part in parts:
            for batch in pq.ParquetFile(part).iter_batches(batch_size=_CSV_BATCH_ROWS):
                table_csv.write(pa.Table.from_batches([batch]))


def _view_stamps(out: Path, name: str) -> list:
    """The parts of every table a view reads (what its CSV depends on)."""
    return [[table, *stamp] for table in VIEW_INPUTS[name] for stamp in part_stamps(parquet_parts(out, table))]


def _sync_view_csv(out: Path, name: str, state: "_CsvState", connection) -> None:
    # a view's rows change anywhere (a new mention changes an old event's count)
    from .query import view_batches  # (query reads tables through this module)

    csv_path = out / f"{name}.csv"
    if csv_path.is_file() and state.parts(name) == _view_stamps(out, name):
        return
    with TableCsv(out, name) as table_csv:
        for batch in view_batches(out, name, connection=connection):
            table_csv.write(batch)


class _CsvState:
    """``_manifest/csv.json``: the Parquet parts (name, size, mtime) each CSV holds."""

    def __init__(self, out: Path) -> None:
        self.path = out / MANIFEST_DIR / _CSV_STATE
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.state = read_json(self.path)

    def parts(self, name: str) -> list | None:
        return self.state.get(name)

    def forget(self, name: str) -> None:
        """The CSV is about to change: until :meth:`remember`, it is not trusted."""
        self.state.pop(name, None)
        write_json(self.path, self.state)

    def remember(self, name: str, stamps: list) -> None:
        self.state[name] = stamps
        write_json(self.path, self.state)


class TableCsv:
    """``<table>.csv`` rewritten as a whole from the rows given to :meth:`write` (with
    the header), in the same pass that writes the table's Parquet: a context manager.
    On a clean exit the CSV replaces the old one and is recorded as holding the
    table's Parquet parts as they then are; an interrupted write leaves it untrusted,
    and :func:`sync_csv` rewrites it."""

    def __init__(self, out_dir: str | os.PathLike, name: str) -> None:
        self.out = Path(out_dir)
        self.name = name
        self.schema = schema_of(name)
        self.path = self.out / f"{name}.csv"
        self._tmp = self.path.with_name(self.path.name + ".tmp")
        self._handle = None
        self._writer: pacsv.CSVWriter | None = None

    def __enter__(self) -> "TableCsv":
        self._state = _CsvState(self.out)
        self._state.forget(self.name)
        self._handle = self._tmp.open("wb")
        self._writer = pacsv.CSVWriter(self._handle, self.schema, write_options=pacsv.WriteOptions(include_header=True))
        return self

    def write(self, table: pa.Table) -> None:
        self._writer.write_table(table.cast(self.schema))

    def __exit__(self, exc_type, exc, tb) -> None:
        self._writer.close()
        self._handle.close()
        if exc_type is not None:
            self._tmp.unlink(missing_ok=True)
            return
        os.replace(self._tmp, self.path)
        stamps = _view_stamps(self.out, self.name) if self.name in VIEWS else part_stamps(parquet_parts(self.out, self.name))
        self._state.remember(self.name, stamps)


def _write_csv_rows(handle, parts: list[Path], schema: pa.Schema, *, header: bool) -> None:
    writer = pacsv.CSVWriter(handle, schema, write_options=pacsv.WriteOptions(include_header=header))
    try:
        for part in parts:
            for batch in pq.ParquetFile(part).iter_batches(batch_size=_CSV_BATCH_ROWS):
                writer.write_table(pa.Table.from_batches([batch]).cast(schema))
    finally:
        writer.close()


def remove_csv(out_dir: str | os.PathLike, name: str) -> None:
    """Delete a table's CSV (runs with ``--no-csv``), so no stale CSV outlives it."""
    out = Path(out_dir)
    (out / f"{name}.csv").unlink(missing_ok=True)
    state = _CsvState(out)
    if state.parts(name) is not None:
        state.forget(name)


# ---------------------------------------------------------------------------- reading


def table_names(out_dir: str | os.PathLike) -> list[str]:
    """Declared tables present in an output folder: those written there, and the views
    (:mod:`analysis.views`) whose tables are."""
    out = Path(out_dir)
    written = {name for name in SCHEMAS if (out / name).is_dir()}
    return [name for name in SCHEMAS if (name in written and name not in VIEWS) or (name in VIEWS and written.issuperset(VIEWS[name]))]


def table_rows(out_dir: str | os.PathLike, name: str, connection=None) -> int:
    """Rows of a table: from the Parquet footers (nothing is read but metadata), or by
    counting the view's rows (with ``connection``, a :func:`analysis.query.connect` of
    the folder, if given)."""
    if name in VIEWS and name != "events":  # events has a row per written row
        from .query import connect  # (query reads tables through this module)

        with connect(out_dir) if connection is None else contextlib.nullcontext(connection) as con:
            return con.execute(count_sql(name)).fetchall()[0][0]
    return sum(pq.ParquetFile(part).metadata.num_rows for part in parquet_parts(out_dir, name))


def read_table(out_dir: str | os.PathLike, name: str) -> pd.DataFrame:
    """One table of a run as a DataFrame (all parts, in batch order).

    For tables too large for memory, filter and aggregate with :func:`analysis.query`.

    Raises:
        FileNotFoundError: the run did not write that table.
    """
    if name in VIEWS:
        from .query import read_view  # (query reads tables through this module)

        return arrow_to_pandas(read_view(out_dir, name))
    folder = Path(out_dir) / name
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder}: no table {name!r} here; run `python -m analysis run` first")
    schema = schema_of(name)
    parts = parquet_parts(out_dir, name)
    if not parts:
        return arrow_to_pandas(schema.empty_table())
    table = pa.concat_tables(pq.read_table(p, schema=schema) for p in parts)
    return arrow_to_pandas(table)
