"""Helpers the notebooks call, so that the notebooks themselves hold no logic.

The notebooks (``notebooks/01_extract`` ... ``04_export``) take their paths from a
papermill parameters cell and call these functions and :mod:`analysis.charts`.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from .corpus import parse_published
from .run import RunSummary, run_corpus
from .settings import Settings
from .storage import table_names
from .charts.frames import read_run_table

__all__ = ["extract", "show_image", "show_tables", "table_overview"]


def extract(corpus: str | os.PathLike, tables: str | os.PathLike, published: str | None = None) -> RunSummary:
    """Run the pipeline on ``corpus`` and write its tables to ``tables``.

    Args:
        corpus: a folder of articles or one ``.jsonl``/``.csv``/``.parquet`` file.
        tables: the output folder.
        published: ``YYYY-MM-DD`` for articles without a publication date (else they
            are rejected: relative dates need it).
    """
    settings = Settings(published=parse_published(published) if published else None, progress=False)
    return run_corpus(corpus, tables, settings)


def _present_tables(tables: str | os.PathLike) -> list[str]:
    """Tables in an output folder: the declared ones and any other Parquet table."""
    out = Path(tables)
    declared = table_names(out)
    others = sorted(p.name for p in out.iterdir() if p.is_dir() and any(p.glob("part-*.parquet")) and p.name not in declared)
    return declared + others


def table_overview(tables: str | os.PathLike) -> pd.DataFrame:
    """One row per table a run wrote: its name, rows and columns."""
    rows = []
    for name in _present_tables(tables):
        frame = read_run_table(tables, name)
        frame = frame if frame is not None else pd.DataFrame()
        rows.append({"table": name, "rows": len(frame), "columns": ", ".join(map(str, frame.columns))})
    return pd.DataFrame(rows, columns=["table", "rows", "columns"])


def show_tables(tables: str | os.PathLike, rows: int = 8) -> list[str]:
    """Display the first ``rows`` rows of every table a run wrote, each under its name.

    Returns:
        The names of the tables shown.
    """
    from IPython.display import Markdown, display

    names = _present_tables(tables)
    for name in names:
        frame = read_run_table(tables, name)
        count = 0 if frame is None else len(frame)
        display(Markdown(f"**{name}**: {count:,} row{'s' if count != 1 else ''}"))
        if frame is not None:
            display(frame.head(rows))
    return names


def show_image(path: str | os.PathLike):
    """An exported PNG or SVG, for display in a notebook."""
    from IPython.display import SVG, Image

    path = Path(path)
    return SVG(filename=str(path)) if path.suffix == ".svg" else Image(filename=str(path))
