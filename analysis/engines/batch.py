"""The unit of work every engine runs: a batch of documents through the pipeline.

:func:`process_batch` is the only place documents meet the pipeline, so every engine
yields the same rows: it calls :func:`analysis.pipeline.process_document` on each
document and turns the rows into one Arrow table per table (cheap to send between
processes, unlike lists of dicts). A document that makes a stage fail becomes a reject
of kind ``error`` and the others go on.
"""

from __future__ import annotations

import os
import socket
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from ..corpus import Document, Reject
from ..pipeline import process_document
from ..settings import Settings
from ..storage import commit_batch
from ..tables import to_arrow
from .manifest import MANIFEST_SCHEMA, pipeline_fingerprint

__all__ = ["Batch", "BatchOutput", "BatchReport", "commit_output", "process_and_commit", "process_batch", "reject_row"]


@dataclass(slots=True)
class Batch:
    """Documents to process together, written as one part of each table.

    Attributes:
        batch_id: names the parts (``part-<batch_id>.parquet``); unique in the folder.
        documents: the documents, in input order.
        keys, digests, file_pos, ordinals: per document, from the scan.
    """

    batch_id: int
    documents: list[Document] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    digests: list[str] = field(default_factory=list)
    file_pos: list[int] = field(default_factory=list)
    ordinals: list[int] = field(default_factory=list)
    characters: int = 0

    def add(self, doc: Document, key: str, digest: str, file_pos: int, ordinal: int) -> None:
        self.documents.append(doc)
        self.keys.append(key)
        self.digests.append(digest)
        self.file_pos.append(file_pos)
        self.ordinals.append(ordinal)
        self.characters += len(doc.text)

    def __len__(self) -> int:
        return len(self.documents)


@dataclass(slots=True)
class BatchReport:
    """What a batch did, small enough to send back to the process that runs the show.

    Attributes:
        rejects: reject rows (with ``ordinal``) of documents a stage failed on.
        fingerprint: the pipeline fingerprint of the process that ran it (a Dask worker
            with other code would make other rows).
        worker: host and process id of the process that ran it.
    """

    batch_id: int
    documents: int
    characters: int
    rejects: list[dict]
    fingerprint: str
    worker: str


@dataclass(slots=True)
class BatchOutput:
    """A processed batch: its report, a table per table, and its manifest rows."""

    report: BatchReport
    tables: dict[str, pa.Table]
    manifest: pa.Table


def reject_row(reject: Reject, **position: int) -> dict:
    """A rejects-table row, plus where the input was (``ordinal=``, ``file_pos=``)."""
    return {
        "path": reject.path,
        "location": reject.location,
        "doc_id": reject.doc_id,
        "kind": reject.kind,
        "reason": reject.reason,
        **position,
    }


def process_batch(batch: Batch, settings: Settings) -> BatchOutput:
    """Run the pipeline on every document of a batch."""
    rows: dict[str, list[dict]] = {}
    manifest: list[dict] = []
    rejects: list[dict] = []
    characters = 0
    for i, doc in enumerate(batch.documents):
        try:
            result = process_document(doc, settings)
        except Exception as exc:  # one document's failure must not lose the others
            rejects.append(reject_row(_error_reject(doc, exc), ordinal=batch.ordinals[i]))
            continue
        for name, table_rows in result.rows.items():
            rows.setdefault(name, []).extend(table_rows)
        manifest.append(
            {
                "doc_id": doc.doc_id,
                "key": batch.keys[i],
                "sha256": batch.digests[i],
                "path": doc.path,
                "location": doc.location,
                "file_pos": batch.file_pos[i],
                "n_chars": doc.n_chars,
            }
        )
        characters += doc.n_chars
    worker = f"{socket.gethostname()}:{os.getpid()}"
    report = BatchReport(batch.batch_id, len(manifest), characters, rejects, pipeline_fingerprint(settings), worker)
    tables = {name: to_arrow(name, table_rows) for name, table_rows in rows.items()}
    return BatchOutput(report, tables, pa.Table.from_pylist(manifest, schema=MANIFEST_SCHEMA))


def commit_output(out_dir: str | os.PathLike, output: BatchOutput) -> BatchReport:
    """Write a processed batch into the output folder (see :func:`analysis.storage.commit_batch`)."""
    commit_batch(out_dir, output.report.batch_id, output.tables, output.manifest)
    return output.report


def process_and_commit(batch: Batch, settings: Settings, out_dir: str | os.PathLike) -> BatchReport:
    """Process a batch and write its parts, in the calling process (a local worker
    writes its own parts, so only the small report travels back)."""
    return commit_output(out_dir, process_batch(batch, settings))


def _error_reject(doc: Document, exc: Exception) -> Reject:
    where = traceback.extract_tb(exc.__traceback__)[-1]
    return Reject(
        doc.path,
        doc.location,
        f"internal error while processing ({type(exc).__name__}: {exc} at "
        f"{Path(where.filename).name}:{where.lineno}); please report it with this document",
        doc.doc_id,
        kind="error",
    )
