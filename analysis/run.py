"""Running the pipeline over a corpus and writing its tables.

Documents stream from :func:`analysis.corpus.iter_corpus` through
:func:`analysis.pipeline.process_document` into :class:`analysis.storage.TableWriter`
in batches, so memory holds one batch, not the corpus. A document that makes a stage
fail is rejected (kind ``error``) and the others go on.
"""

from __future__ import annotations

import os
import sys
import time
import traceback
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .corpus import ARTICLE_SUFFIXES, Document, Reject, iter_corpus, list_input_files
from .pipeline import PIPELINE_VERSION, TABLES, process_document
from .settings import Settings
from .storage import TableWriter
from .timeline import run_corpus_step

__all__ = ["RunSummary", "StrictModeError", "run_corpus", "process_corpus"]

_HANDFUL = 5


class StrictModeError(Exception):
    """Raised in strict mode at the first rejected input; the message is the reject's."""

    def __init__(self, reject: Reject) -> None:
        super().__init__(reject.message())
        self.reject = reject


@dataclass(slots=True)
class RunSummary:
    """What a run did: counts per table and rejects by kind."""

    input: str
    out_dir: str
    documents: int = 0
    characters: int = 0
    rejected: int = 0
    rejects_by_kind: dict[str, int] = field(default_factory=dict)
    tables: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    pipeline_version: str = PIPELINE_VERSION

    def as_dict(self) -> dict:
        return {name: getattr(self, name) for name in self.__slots__}

    def format(self) -> str:
        """A short human-readable report."""
        kb = self.characters / 1000
        lines = [
            f"Read {self.documents:,} document(s), {kb:,.1f} K characters, in {self.seconds:.2f} s; "
            f"rejected {self.rejected:,} input(s)"
            + (": " + ", ".join(f"{k} {v}" for k, v in sorted(self.rejects_by_kind.items())) if self.rejected else "."),
            "Rows per table:",
        ]
        width = max(map(len, self.tables), default=0)
        lines += [f"  {name:<{width}}  {count:>9,}" for name, count in self.tables.items()]
        out = Path(self.out_dir)
        lines.append(f"Tables written to {out}/ (Parquet: {out}/<table>/*.parquet, CSV: {out}/<table>.csv)")
        if self.rejected:
            lines.append(f"Rejected inputs and why: {out}/rejects.csv")
        return "\n".join(lines)


def process_corpus(items: Iterator[Document | Reject], settings: Settings) -> Iterator[dict[str, list[dict]]]:
    """Rows per table for each input, in order: a document's tables, or a reject row.

    A stage failing on one document turns that document into a reject of kind ``error``
    (with the exception) instead of stopping the run.
    """
    for item in items:
        if isinstance(item, Reject):
            yield {"rejects": [_reject_row(item)]}
            continue
        try:
            result = process_document(item, settings)
        except Exception as exc:  # one document's failure must not lose the others
            where = traceback.extract_tb(exc.__traceback__)[-1]
            reject = Reject(
                item.path,
                item.location,
                f"internal error while processing ({type(exc).__name__}: {exc} at "
                f"{Path(where.filename).name}:{where.lineno}); please report it with this document",
                item.doc_id,
                kind="error",
            )
            yield {"rejects": [_reject_row(reject)]}
            continue
        yield result.rows


def _reject_row(reject: Reject) -> dict:
    return {
        "path": reject.path,
        "location": reject.location,
        "doc_id": reject.doc_id,
        "kind": reject.kind,
        "reason": reject.reason,
    }


def _count_articles(path: Path) -> int | None:
    """Total for the progress bar when it is cheap to know: files in a folder of articles."""
    if not path.is_dir():
        return None
    files = list_input_files(path)
    if any(f.suffix.lower() not in ARTICLE_SUFFIXES for f in files):
        return None
    return len(files)


def _progress(total: int | None, settings: Settings):
    from tqdm import tqdm

    if settings.progress is None:
        enabled = sys.stderr.isatty() and (total is None or total > _HANDFUL)
    else:
        enabled = settings.progress
    return tqdm(total=total, unit="doc", desc="articles", disable=not enabled, file=sys.stderr, smoothing=0.1)


def run_corpus(
    path: str | os.PathLike,
    out_dir: str | os.PathLike = "data/processed",
    settings: Settings | None = None,
) -> RunSummary:
    """Run the pipeline on every article under ``path`` and write the tables.

    Args:
        path: a folder of articles, or one article or table file.
        out_dir: where the tables go (created; tables of an earlier run are replaced).
        settings: see :class:`analysis.settings.Settings`.

    Returns:
        Counts of documents, rows per table and rejects.

    Raises:
        analysis.corpus.CorpusError: ``path`` cannot be read at all.
        StrictModeError: ``settings.strict`` and an input was rejected.
    """
    settings = settings or Settings()
    began = time.perf_counter()
    tables = TABLES + ["rejects"]
    writer = TableWriter(out_dir, tables)
    summary = RunSummary(input=str(path), out_dir=str(out_dir))
    kinds: Counter[str] = Counter()
    batch: dict[str, list[dict]] = {}
    in_batch = 0
    bar = _progress(_count_articles(Path(path)), settings)
    try:
        for rows in process_corpus(iter_corpus(path, settings), settings):
            rejects = rows.get("rejects")
            if rejects:
                kinds[rejects[0]["kind"]] += 1
                if settings.strict:
                    row = rejects[0]
                    raise StrictModeError(Reject(row["path"], row["location"], row["reason"], row["doc_id"], row["kind"]))
            else:
                summary.documents += 1
                summary.characters += rows["documents"][0]["n_chars"]
            for name, table_rows in rows.items():
                batch.setdefault(name, []).extend(table_rows)
            in_batch += 1
            bar.update(1)
            if in_batch >= settings.batch_size:
                writer.write_batch(batch)
                batch, in_batch = {}, 0
        writer.write_batch(batch)
    finally:
        bar.close()
    summary.rejected = sum(kinds.values())
    summary.rejects_by_kind = dict(sorted(kinds.items()))
    summary.tables = dict(writer.counts)
    # Corpus step (issue 5): de-duplicated events, conflicts and the timeline, over the
    # tables just written. To move into the engine's corpus-step hook when it lands.
    summary.tables.update(run_corpus_step(out_dir, settings))
    summary.seconds = round(time.perf_counter() - began, 3)
    writer.write_summary(summary.as_dict())
    return summary
