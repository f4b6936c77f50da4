"""Running the corpus steps (``analysis.pipeline.CORPUS_STEPS``) after the document phase.

A corpus step sees the finished tables through a :class:`CorpusContext` and writes its
own tables as a whole; it runs after every run, incremental reruns included, once every
document is committed and the rejects table is written.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from . import available_cores
from ..query import arrow_reader, connect, register_table_view, register_views, spill_to_disk
from ..settings import Settings
from ..storage import parquet_parts, read_table, table_names, write_parts, write_table
from ..views import VIEW_TABLES

__all__ = ["CorpusContext", "CorpusStepError", "corpus_connection", "run_corpus_steps"]


class CorpusStepError(Exception):
    """A corpus step failed; the per-document tables are complete and kept."""


@dataclass(slots=True)
class CorpusContext:
    """What a corpus step works with.

    Attributes:
        out_dir: the output folder.
        settings: the run's settings.
        connection: DuckDB with a view per table (per-document tables, ``rejects``, and
            the tables of earlier steps). Work through it to stay out of core:
            ``ctx.sql("SELECT ... FROM claims GROUP BY ...")``.
        written: rows per table this run's steps have written.
        csv: the run keeps ``<table>.csv`` files: :meth:`write` writes them too, in the
            same pass (the run brings the others in line after the steps).
        notes: what each step says it did, by step name (the run's summary shows them).
    """

    out_dir: Path
    settings: Settings
    connection: duckdb.DuckDBPyConnection
    written: dict[str, int] = field(default_factory=dict)
    csv: bool = False
    notes: dict[str, str] = field(default_factory=dict)
    # the tables the connection's views were last defined over (None: not known)
    views_over: frozenset[str] | None = None

    @property
    def cores(self) -> int:
        """Cores the run may use (``settings.workers``, else all of them): with more
        than one, tables are written on a second thread while the next rows are made."""
        return self.settings.workers or available_cores()

    def sql(self, query: str, params: list | dict | None = None) -> duckdb.DuckDBPyRelation:
        """A DuckDB relation over the tables (lazy: nothing is read until it is used)."""
        return self.connection.sql(query, params=params)

    def read(self, name: str) -> pd.DataFrame:
        """A whole table as a DataFrame: for tables known to be small (use :meth:`sql`
        to group or filter larger ones)."""
        return read_table(self.out_dir, name)

    def parts(self, name: str) -> list[Path]:
        """A table's Parquet parts, for reading by group with pyarrow."""
        return parquet_parts(self.out_dir, name)

    def write(self, name: str, data) -> int:
        """Replace a table (declared with ``analysis.tables.register_table``) with
        ``data``: a DuckDB relation, a DataFrame, an Arrow table or record batch reader,
        an iterable of Arrow batches, or a list of row dicts. Relations and readers
        stream to disk. Returns the number of rows."""
        if isinstance(data, duckdb.DuckDBPyRelation):
            data = arrow_reader(data)
        elif isinstance(data, pa.RecordBatch):
            data = [data]
        return self._written(name, write_table(self.out_dir, name, data, csv=self.csv, background=self.cores > 1))

    def write_parts(self, name: str, parts, *, keep_others: bool) -> int:
        """Replace parts of a table by file name (``parts``: (name, Arrow table)
        pairs, a part's rows together), keeping the others or not; see
        :func:`analysis.storage.write_parts`. Its CSV is brought in line after the
        step. Returns the number of rows written."""
        return self._written(name, write_parts(self.out_dir, name, parts, keep_others=keep_others, background=self.cores > 1))

    def _written(self, name: str, rows: int) -> int:
        """After ``rows`` of table ``name`` were written: its view, and the views
        that read it, see the new table."""
        register_table_view(self.connection, self.out_dir, name)
        # A view reads its tables by name, and a table's view reads its parts by
        # pattern: only a table a view reads that appears (or goes) changes the view's
        # SQL. Defining a view again costs a bind over every part (a few ms each time).
        present = _view_tables(self.out_dir)
        if present != self.views_over:
            register_views(self.connection, self.out_dir)
            self.views_over = present
        self.written[name] = rows
        return rows


def _view_tables(out_dir: str | os.PathLike) -> frozenset[str]:
    """The tables present that a view reads (what the views' SQL depends on)."""
    return frozenset(table_names(out_dir)).intersection(VIEW_TABLES)


@contextlib.contextmanager
def corpus_connection(out_dir: str | os.PathLike, settings: Settings) -> Iterator[duckdb.DuckDBPyConnection]:
    """DuckDB over the output folder's tables as corpus steps use it: within
    ``settings.corpus_memory`` (spilling beyond it) and on one thread."""
    with connect(out_dir) as connection, spill_to_disk(connection, settings.corpus_memory):
        # One DuckDB thread for the large joins: a second needed half again as much
        # memory to stay clear of "out of memory" (the peak of the whole run is then
        # the step's). A step may take more for small queries (see timeline._threads).
        connection.execute("SET threads = 1")
        connection.execute("SET enable_progress_bar = false")  # the run shows its own progress
        yield connection


def run_corpus_steps(
    out_dir: str | os.PathLike, settings: Settings, *, csv: bool = False, connection: duckdb.DuckDBPyConnection | None = None
) -> dict[str, str]:
    """Run every step of ``CORPUS_STEPS`` in order (with ``csv``, the tables they write
    get their CSV files in the same pass), over ``connection`` (a
    :func:`corpus_connection` of the folder, made just before; else one is made).

    Returns:
        What the steps said they did (:attr:`CorpusContext.notes`).

    Raises:
        CorpusStepError: a step raised (its name and the error are in the message).
    """
    from ..pipeline import CORPUS_STEPS

    if not CORPUS_STEPS:
        return {}
    with corpus_connection(out_dir, settings) if connection is None else contextlib.nullcontext(connection) as connection:
        context = CorpusContext(Path(out_dir), settings, connection, csv=csv, views_over=_view_tables(out_dir))
        for name, step in CORPUS_STEPS:
            try:
                step(context)
            except Exception as exc:
                detail, hint = str(exc), ""
                if isinstance(exc, duckdb.OutOfMemoryException):
                    # DuckDB's own advice (threads, memory_limit) is not for our users
                    detail = detail.split("\n")[0]
                    hint = f"; give it more memory with --corpus-memory (now {settings.corpus_memory})"
                raise CorpusStepError(
                    f"corpus step {name!r} failed ({type(exc).__name__}: {detail}){hint}; the per-document "
                    "tables are complete, and a rerun after the fix processes no document again"
                ) from exc
        return dict(context.notes)
