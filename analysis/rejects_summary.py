"""Corpus step ``rejects_summary``: what went wrong with the input, one row per kind.

A corpus of a million rows with 1% broken ones has ten thousand rejects; this table says
at a glance which kinds, how many, in how many files, and shows the first of each (in
input order) with its reason, which says what to do about it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .engines.steps import CorpusContext

__all__ = ["rejects_summary_step"]

_SUMMARY = """
SELECT kind,
       count(*) AS count,
       count(DISTINCT path) AS files,
       arg_min(path, {'part': filename, 'row': file_row_number}) AS first_path,
       arg_min(location, {'part': filename, 'row': file_row_number}) AS first_location,
       arg_min(reason, {'part': filename, 'row': file_row_number}) AS first_reason
FROM read_parquet(?, filename = true, file_row_number = true, hive_partitioning = false)
GROUP BY kind
ORDER BY count DESC, kind
"""


def rejects_summary_step(ctx: CorpusContext) -> None:
    """Write ``rejects_summary`` from the ``rejects`` table (grouped in DuckDB, out of
    core)."""
    parts = [str(part) for part in ctx.parts("rejects")]
    ctx.write("rejects_summary", ctx.sql(_SUMMARY, params=[parts]) if parts else [])
