"""SQL over the tables of a run, with DuckDB reading the Parquet parts in place.

``analysis.query("SELECT ...")`` works the same on ten articles and on a million: each
table is a view over ``<out>/<table>/part-*.parquet``, so DuckDB streams the parts,
filters and aggregates out of core, and only the result comes back as a DataFrame
(dtypes as :func:`analysis.read_table` gives them: dates as ``datetime64``). For
results too large for memory, :func:`connect` gives the DuckDB connection itself
(``con.sql(...).to_arrow_reader()``, ``COPY (...) TO 'file.parquet'``).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from .storage import parquet_parts, table_names
from .tables import arrow_to_pandas, schema_of
from .views import EVENT_ROWS, VIEWS, events_sql, sql_literal, view_sql

__all__ = [
    "MEMORY_SIZE",
    "arrow_reader",
    "connect",
    "create_parquet_view",
    "memory_share",
    "query",
    "read_view",
    "register_table_view",
    "register_views",
    "spill_to_disk",
    "view_batches",
    "write_result",
]

# An amount of memory as DuckDB reads it: "256MB", "2GB", "1.5 GiB".
MEMORY_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*((?:[KMGT]i?)?B)\s*", re.IGNORECASE)

DEFAULT_OUT = "data/processed"


def connect(out_dir: str | os.PathLike = DEFAULT_OUT) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with one view per table of the output folder
    (``events`` and ``timeline`` as :mod:`analysis.views` makes them).

    Raises:
        FileNotFoundError: the folder holds no tables.
    """
    out = Path(out_dir)
    names = table_names(out)
    if not names:
        raise FileNotFoundError(f"{out}: no tables here; run `python -m analysis run PATH --out {out}` first")
    connection = duckdb.connect()
    # DuckDB draws a bar on stdout for queries over two seconds (the timeline view of
    # a large corpus): it would land in printed or piped results
    connection.execute("SET enable_progress_bar = false")
    for name in names:
        if (out / name).is_dir():  # a written table (events too: under event_rows)
            register_table_view(connection, out, name)
    register_views(connection, out)
    return connection


def register_views(connection: duckdb.DuckDBPyConnection, out_dir: str | os.PathLike) -> None:
    """(Re)define the views of :mod:`analysis.views` over the tables the output folder
    holds now (after a corpus step writes a table, the views it completes change)."""
    present = set(table_names(out_dir))
    for name in VIEWS:
        if name in present:
            connection.execute(f"CREATE OR REPLACE VIEW {_identifier(name)} AS {view_sql(name, present)}")


def read_view(out_dir: str | os.PathLike, name: str) -> pa.Table:
    """A view of :mod:`analysis.views` as one Arrow table (see :func:`view_batches`).

    Raises:
        FileNotFoundError: the output folder lacks what the view is made of.
    """
    return pa.concat_tables([schema_of(name).empty_table(), *view_batches(out_dir, name)])


def view_batches(
    out_dir: str | os.PathLike, name: str, batch_rows: int = 64 * 1024, connection: duckdb.DuckDBPyConnection | None = None
) -> Iterator[pa.Table]:
    """The rows of a view of :mod:`analysis.views` in Arrow batches with the declared
    schema, streamed (``events`` in the order of its parts and rows, as the batches
    wrote them; ``timeline`` in its own order).

    Args:
        out_dir: the output folder.
        name: the view.
        batch_rows: rows per batch.
        connection: one :func:`connect` made for this folder (else one is made).

    Raises:
        FileNotFoundError: the output folder lacks what the view is made of.
    """
    out = Path(out_dir)
    present = set(table_names(out))
    if name not in present:
        raise FileNotFoundError(f"{out / name}: no table {name!r} here; run `python -m analysis run` first")
    schema = schema_of(name)
    with connect(out) if connection is None else contextlib.nullcontext(connection) as con:
        if name == "events":
            parts = parquet_parts(out, "events")
            if not parts:
                return
            sources = ", ".join(sql_literal(part) for part in parts)
            con.execute(
                "CREATE OR REPLACE TEMP VIEW numbered_event_rows AS "
                f"SELECT * FROM read_parquet([{sources}], filename = true, file_row_number = true, hive_partitioning = false)"
            )
            sql = events_sql(mapped="event_mentions" in present, rows="numbered_event_rows", order="filename, file_row_number")
        else:
            sql = f"SELECT * FROM {_identifier(name)}"
        for batch in arrow_reader(con.sql(sql), batch_rows):
            yield pa.Table.from_batches([batch]).select(schema.names).cast(schema)


def memory_share(memory: str, share: float) -> str:
    """A share of an amount of memory (:data:`MEMORY_SIZE`): ("256MB", 0.5) -> "128.0MB"."""
    match = MEMORY_SIZE.fullmatch(memory)
    if match is None:
        raise ValueError(f"{memory!r} is not an amount of memory such as 512MB or 2GB")
    return f"{float(match[1]) * share}{match[2]}"


@contextlib.contextmanager
def spill_to_disk(connection: duckdb.DuckDBPyConnection, memory_limit: str) -> Iterator[duckdb.DuckDBPyConnection]:
    """Hold DuckDB to ``memory_limit`` (DuckDB's own default is 80% of the machine's
    memory) for the block: larger sorts and joins spill to a temporary folder, removed
    afterwards."""
    spill = tempfile.mkdtemp(prefix="analysis-duckdb-")
    try:
        connection.execute(f"SET temp_directory = {sql_literal(spill)}")
        connection.execute(f"SET memory_limit = {sql_literal(memory_limit)}")
        yield connection
    finally:
        shutil.rmtree(spill, ignore_errors=True)


def register_table_view(connection: duckdb.DuckDBPyConnection, out_dir: str | os.PathLike, name: str) -> None:
    """(Re)define the view of a written table over its Parquet parts (``events`` is
    named ``event_rows``: the view ``events`` completes it); a table with no rows is an
    empty view with the declared columns."""
    parts = parquet_parts(out_dir, name)
    view = EVENT_ROWS if name == "events" else name
    create_parquet_view(connection, view, [Path(out_dir) / name / "part-*.parquet"] if parts else [], table=name)


def create_parquet_view(connection: duckdb.DuckDBPyConnection, name: str, files: list[str | os.PathLike], table: str | None = None) -> None:
    """(Re)define the view ``name`` of a declared table (``table``, by default
    ``name``) over Parquet ``files`` (paths or globs); with none, an empty view with
    the table's columns."""
    if files:
        sources = ", ".join(sql_literal(f) for f in files)
        connection.execute(
            f"CREATE OR REPLACE VIEW {_identifier(name)} AS "
            f"SELECT * FROM read_parquet([{sources}], hive_partitioning = false)"
        )
    else:
        empty = f"_empty_{name}"
        connection.register(empty, schema_of(table or name).empty_table())
        connection.execute(f"CREATE OR REPLACE VIEW {_identifier(name)} AS SELECT * FROM {_identifier(empty)}")


def query(sql: str, out_dir: str | os.PathLike = DEFAULT_OUT, params: list | dict | None = None) -> pd.DataFrame:
    """Run one SQL statement over the tables of a run and return the result.

    Args:
        sql: DuckDB SQL naming tables by name (``SELECT category, count(*) FROM claims
            GROUP BY ALL``).
        out_dir: the output folder of ``python -m analysis run``.
        params: values for ``?`` or ``$name`` placeholders.

    Returns:
        The result as a DataFrame (empty for statements that return no rows).

    Raises:
        FileNotFoundError: the folder holds no tables.
        duckdb.Error: the SQL is wrong (the message names the problem).
    """
    with connect(out_dir) as connection:
        relation = connection.sql(sql, params=params)
        if relation is None:
            return pd.DataFrame()
        return arrow_to_pandas(_arrow_table(relation))


def _arrow_table(relation) -> pa.Table:
    # DuckDB >= 1.4 names it to_arrow_table; older releases, arrow()
    method = getattr(relation, "to_arrow_table", None) or relation.arrow
    return method()


def arrow_reader(relation, batch_size: int = 64 * 1024) -> pa.RecordBatchReader:
    """A DuckDB relation's rows as a stream of Arrow record batches."""
    method = getattr(relation, "to_arrow_reader", None) or relation.fetch_arrow_reader
    return method(batch_size)


def write_result(relation, fmt: str, stream: TextIO, *, save: Path | None = None, max_rows: int = 50) -> int:
    """Print or save a query's rows, streaming (for the ``query`` command).

    Args:
        relation: the DuckDB relation.
        fmt: ``table`` (the first ``max_rows`` rows, aligned, and the row count), ``csv``
            or ``jsonl`` (every row).
        stream: where to print (text).
        save: write every row to this file instead (.csv, .jsonl/.ndjson or .parquet).
        max_rows: rows shown by ``table``.

    Returns:
        The number of rows.

    Raises:
        ValueError: ``save`` has another suffix.
    """
    reader = arrow_reader(relation)
    if save is not None:
        rows = _save(reader, save)
        print(f"wrote {rows:,} row(s) to {save}", file=stream)
        return rows
    if fmt == "table":
        return _print_head(reader, stream, max_rows)
    stream.flush()
    if fmt == "csv":
        return _write_csv(reader, stream.buffer)
    return _write_jsonl(reader, stream)


def _save(reader: pa.RecordBatchReader, path: Path) -> int:
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        rows = 0
        with pq.ParquetWriter(path, reader.schema) as writer:
            for batch in reader:
                writer.write_batch(batch)
                rows += batch.num_rows
        return rows
    if suffix == ".csv":
        with path.open("wb") as handle:
            return _write_csv(reader, handle)
    if suffix in (".jsonl", ".ndjson"):
        with path.open("w", encoding="utf-8") as handle:
            return _write_jsonl(reader, handle)
    raise ValueError(f"{path}: save to a .csv, .jsonl or .parquet file")


def _write_csv(reader: pa.RecordBatchReader, binary) -> int:
    rows = 0
    with pacsv.CSVWriter(binary, reader.schema) as writer:
        for batch in reader:
            writer.write_batch(batch)
            rows += batch.num_rows
    binary.flush()
    return rows


def _write_jsonl(reader: pa.RecordBatchReader, stream: TextIO) -> int:
    rows = 0
    for batch in reader:
        for row in batch.to_pylist():
            stream.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
        rows += batch.num_rows
    stream.flush()
    return rows


def _print_head(reader: pa.RecordBatchReader, stream: TextIO, max_rows: int) -> int:
    head: list[pa.RecordBatch] = []
    kept = rows = 0
    for batch in reader:
        if kept < max_rows:
            head.append(batch.slice(0, max_rows - kept))
            kept += head[-1].num_rows
        rows += batch.num_rows
    frame = arrow_to_pandas(pa.Table.from_batches(head, schema=reader.schema))
    with pd.option_context("display.max_columns", None, "display.width", 200):
        print(frame.to_string(index=False, max_colwidth=60) if len(frame.columns) else "", file=stream)
    shown = f"first {kept:,} of {rows:,} rows; --format csv or --save FILE for all" if rows > kept else f"{rows:,} row(s)"
    print(f"({shown})", file=stream)
    return rows


def _identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
