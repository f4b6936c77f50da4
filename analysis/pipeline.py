"""The per-document pipeline: one pure function from a document to its table rows.

``process_document`` runs the stages in order (documents -> sentences -> mentions ->
facts); each stage is a callable with one job that reads what earlier stages produced
and adds rows to its own tables. Nothing here reads the clock, the environment or other
documents, so a corpus can be processed in any order, in parallel, and cached by
content hash.

After the document phase, ``CORPUS_STEPS`` run once per run (incremental reruns
included) over the finished tables: a step is a callable ``step(ctx)`` taking an
:class:`analysis.engines.steps.CorpusContext`. It reads the per-document tables through
DuckDB over their Parquet parts (``ctx.sql("SELECT ... FROM events ...")``), by group or
streaming, never every document's text at once, and writes its own tables as a whole
with ``ctx.write(table, relation_or_frame)`` (declare them in :mod:`analysis.tables`).
Later steps see the tables of earlier ones. Use it for what needs the whole corpus:
de-duplication across documents, conflicts, the sorted timeline.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from .claims import claim_stage
from .corpus import Document
from .events import event_stage
from .quantities import quantity_stage
from .rejects_summary import rejects_summary_step
from .sentences import Sentence, split_sentences
from .settings import Settings
from .timeline import timeline_step
from .timexes import timex_stage

__all__ = ["CORPUS_STEPS", "PIPELINE_VERSION", "DocumentResult", "STAGES", "TABLES", "process_document"]

# Bump when a change to any stage changes what a document yields: cached results made
# by another version are recomputed.
PIPELINE_VERSION = "5"


@dataclass(slots=True)
class DocumentResult:
    """What the pipeline made of one document: rows per table, plus the objects later
    stages read (sentences, time expressions, quantities, claims, events) so no stage
    rebuilds them from rows. Each stage fills its own attribute and its own tables."""

    doc: Document
    settings: Settings
    sentences: list[Sentence] = field(default_factory=list)
    timexes: list = field(default_factory=list)
    quantities: list = field(default_factory=list)
    claims: list = field(default_factory=list)
    events: list = field(default_factory=list)
    rows: dict[str, list[dict]] = field(default_factory=dict)

    def add(self, table: str, rows: list[dict]) -> None:
        self.rows.setdefault(table, []).extend(rows)


Stage = Callable[[DocumentResult], None]


def document_stage(result: DocumentResult) -> None:
    """The ``documents`` row."""
    doc = result.doc
    result.add(
        "documents",
        [
            {
                "doc_id": doc.doc_id,
                "title": doc.title,
                "source": doc.source,
                "url": doc.url,
                "published": doc.published,
                "language": doc.language,
                "path": doc.path,
                "location": doc.location,
                "sha256": doc.sha256,
                "n_chars": doc.n_chars,
            }
        ],
    )


def sentence_stage(result: DocumentResult) -> None:
    """Sentences, quotations and speakers."""
    result.sentences = split_sentences(result.doc)
    result.add(
        "sentences",
        [
            {
                "doc_id": s.doc_id,
                "sent_idx": s.sent_idx,
                "start": s.start,
                "end": s.end,
                "text": s.text,
                "quoted": s.quoted,
                "speaker": s.speaker,
                "speaker_name": s.speaker_name,
            }
            for s in result.sentences
        ],
    )


STAGES: list[tuple[str, Stage]] = [
    ("documents", document_stage),
    ("sentences", sentence_stage),
    ("timexes", timex_stage),
    ("quantities", quantity_stage),
    ("claims", claim_stage),
    ("events", event_stage),
]

# Tables a run writes, in the order the summary lists them.
TABLES: list[str] = ["documents", "sentences", "timexes", "quantities", "claims", "events"]

# Steps over the whole corpus, in order, after every document is processed (see the
# module docstring); each writes its own tables.
CorpusStep = Callable[..., None]
CORPUS_STEPS: list[tuple[str, CorpusStep]] = [
    ("rejects_summary", rejects_summary_step),
    ("timeline", timeline_step),
]


def process_document(doc: Document, settings: Settings | None = None) -> DocumentResult:
    """Run every stage on one document.

    Args:
        doc: the document.
        settings: pipeline settings (defaults when ``None``).

    Returns:
        The rows of every table for this document.
    """
    result = DocumentResult(doc=doc, settings=settings or Settings())
    for _name, stage in STAGES:
        stage(result)
    return result
