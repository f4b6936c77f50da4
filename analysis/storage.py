"""Writing and reading the tables of a run.

Layout under the output folder::

    <table>/part-00000.parquet   one Parquet part per batch of documents
    <table>.csv                  the same rows as CSV (dates ISO 8601)
    run.json                     the run summary

Parquet parts share the declared schema (``analysis.tables``), so a table reads back as
one dataset with pandas, pyarrow or DuckDB (``read_parquet('<table>/*.parquet')``).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from .tables import SCHEMAS, arrow_to_pandas, schema_of, to_arrow

__all__ = ["TableWriter", "read_table", "table_names"]


class TableWriter:
    """Appends batches of rows to the tables of an output folder.

    Args:
        out_dir: the output folder (created).
        tables: the tables this run writes; their old files are removed first so a
            table never mixes runs.
    """

    def __init__(self, out_dir: str | os.PathLike, tables: Iterable[str]) -> None:
        self.out_dir = Path(out_dir)
        self.tables = list(tables)
        self.counts = {name: 0 for name in self.tables}
        self._parts = {name: 0 for name in self.tables}
        self.out_dir.mkdir(parents=True, exist_ok=True)
        for name in self.tables:
            schema_of(name)
            folder = self.out_dir / name
            if folder.exists():
                shutil.rmtree(folder)
            folder.mkdir()
            csv_path = self.out_dir / f"{name}.csv"
            with csv_path.open("wb") as handle:
                handle.write((",".join(schema_of(name).names) + "\n").encode("utf-8"))

    def write(self, name: str, rows: list[Mapping]) -> None:
        """Append rows to one table (a new Parquet part and CSV lines)."""
        if rows:
            self.write_table(name, to_arrow(name, rows))

    def write_table(self, name: str, table: pa.Table) -> None:
        """Append an Arrow table with the declared schema of ``name`` (a new part)."""
        if not table.num_rows:
            return
        table = table.cast(schema_of(name))
        part = self._parts[name]
        pq.write_table(table, self.out_dir / name / f"part-{part:05d}.parquet")
        self._parts[name] = part + 1
        with (self.out_dir / f"{name}.csv").open("ab") as handle:
            pacsv.write_csv(table, handle, write_options=pacsv.WriteOptions(include_header=False))
        self.counts[name] += table.num_rows

    def write_batch(self, batch: Mapping[str, list[Mapping]]) -> None:
        for name in self.tables:
            self.write(name, list(batch.get(name, ())))

    def write_summary(self, summary: Mapping) -> Path:
        path = self.out_dir / "run.json"
        path.write_text(json.dumps(summary, indent=2, sort_keys=True, default=str) + "\n", encoding="utf-8")
        return path


def table_names(out_dir: str | os.PathLike) -> list[str]:
    """Tables present in an output folder."""
    out = Path(out_dir)
    return [name for name in SCHEMAS if (out / name).is_dir()]


def read_table(out_dir: str | os.PathLike, name: str) -> pd.DataFrame:
    """One table of a run as a DataFrame (all parts, in write order).

    Raises:
        FileNotFoundError: the run did not write that table.
    """
    folder = Path(out_dir) / name
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder}: no table {name!r} here; run `python -m analysis run` first")
    parts = sorted(folder.glob("part-*.parquet"))
    schema = schema_of(name)
    if not parts:
        return arrow_to_pandas(schema.empty_table())
    table = pa.concat_tables(pq.read_table(p, schema=schema) for p in parts)
    return arrow_to_pandas(table)
