"""One settings object for the whole pipeline, with documented defaults.

Every stage reads what it needs from :class:`Settings`; nothing reads the clock or the
environment, so the same input and settings always give the same tables.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field

__all__ = ["Columns", "Settings"]


@dataclass(frozen=True, slots=True)
class Columns:
    """Column names of a tabular corpus (JSONL, CSV, Parquet): one article a row.

    Attributes:
        text: the article body (required).
        published: the publication date (required unless ``Settings.published`` is set).
        doc_id: a stable identifier; when absent the id is ``<file stem>-<row number>``.
        title: the headline (optional).
        source: the outlet (optional).
        url: the address of the article (optional).
    """

    text: str = "text"
    published: str = "published"
    doc_id: str = "doc_id"
    title: str = "title"
    source: str = "source"
    url: str = "url"


@dataclass(frozen=True, slots=True)
class Settings:
    """How a corpus is read and processed.

    Attributes:
        published: default publication date for articles that do not give one. ``None``
            (the default) rejects such articles, because every relative time expression
            is resolved against the publication date and a guess would be silently wrong.
        encoding_fallback: codec to decode files that are not valid UTF-8 (for example
            ``"cp1252"``). ``None`` (the default) rejects them with the byte offset of the
            first bad byte.
        columns: column names for tabular inputs, see :class:`Columns`.
        strict: when true a run stops with a non-zero exit at the first rejected input.
        progress: ``True``/``False`` forces the progress bar on/off; ``None`` (default)
            shows it on a terminal when there are more than a handful of articles.
        workers: worker processes for ``run``; ``None`` means one per core.
        batch_size: documents per batch handed to a worker and written as one Parquet
            part per table (a batch also closes at about 1 MB of text).
        corpus_memory: DuckDB's memory in the corpus step (de-duplication, conflicts,
            the sorted timeline) before it spills to a temporary folder, as DuckDB
            reads it ("256MB", "2GB"): a fixed amount keeps a run's peak from growing
            with the corpus. Raise it if the step reports DuckDB out of memory.
        dedup_threshold: least word Jaccard similarity of two mentions of one event
            (see :mod:`analysis.dedup`; 0.5: repeated quotes and rewrites of one
            sentence reach it, different sentences on one story do not).
        dedup_min_words: mentions with fewer compared words are never merged.
        conflict_time_overlap: two claims are about the same time when their
            intervals overlap by at least this share of their union (see
            :mod:`analysis.conflicts`).
        conflict_approx_tolerance: an approximate figure ("about 1,000") stands for
            this relative margin around its value when bounds are compared.

    ``strict``, ``progress``, ``workers``, ``batch_size`` and ``corpus_memory`` say how a run goes; every
    other field shapes the rows, so changing it makes the next run rebuild the tables
    (see :mod:`analysis.engines.manifest`).
    """

    published: dt.date | None = None
    encoding_fallback: str | None = None
    columns: Columns = field(default_factory=Columns)
    strict: bool = False
    progress: bool | None = None
    workers: int | None = None
    batch_size: int = 500
    corpus_memory: str = "256MB"
    dedup_threshold: float = 0.5
    dedup_min_words: int = 4
    conflict_time_overlap: float = 0.5
    conflict_approx_tolerance: float = 0.1

    def replace(self, **changes) -> "Settings":
        """A copy with some fields changed."""
        return dataclasses.replace(self, **changes)
