"""Running the pipeline over a corpus, of any size, and writing its tables.

A run goes in four phases, each safe to interrupt (``kill -9`` included: the next run
picks up where it stopped, with no row lost or duplicated):

1. **Recover and open** the output folder: finish or drop what an interrupted run left
   (:func:`analysis.storage.recover`), lock it, and load its manifest
   (:mod:`analysis.engines.manifest`). A different pipeline fingerprint (code,
   lexicons, settings) or ``rebuild`` starts from nothing.
2. **Documents**: the input streams through a scan (:mod:`analysis.engines.scan`) that
   skips unchanged files and documents; new and changed documents go in batches to an
   engine (:mod:`analysis.engines.local` worker processes, or
   :mod:`analysis.engines.on_dask` on a Dask cluster), which writes each batch as one
   Parquet part per table. Memory holds a few batches, never the corpus.
3. **Corpus**: rows of documents that changed or left the corpus are removed, the
   ``rejects`` table is written in input order, and ``CORPUS_STEPS`` run.
4. **CSV and summary**: each ``<table>.csv`` is brought in line with its Parquet
   (appended when only new parts came, else rewritten), and ``run.json`` is written.
"""

from __future__ import annotations

import os
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from .corpus import ARTICLE_SUFFIXES, Reject, input_files
from .engines import available_cores
from .engines.batch import Batch, BatchReport, reject_row
from .engines.manifest import FILE_REJECTS_SCHEMA, Manifest, pipeline_fingerprint
from .engines.scan import Pending, Rejected, Scan
from .engines.steps import corpus_connection, run_corpus_steps
from .pipeline import PIPELINE_VERSION, TABLES
from .query import arrow_reader
from .settings import Settings
from .storage import STAGING_DIR, RowSpool, recover, remove_csv, remove_documents, sync_csv, table_names, table_rows, write_json, write_table
from .tables import SCHEMAS

__all__ = ["ENGINES", "RunSummary", "StrictModeError", "run_corpus"]

ENGINES = ("local", "dask")
_HANDFUL = 5
# A batch also closes at this much text, so that long articles do not make one worker's
# batch many times longer than the others' (about a second of work per batch).
_BATCH_CHARS = 1_000_000
_REJECT_ROW = pa.schema(list(SCHEMAS["rejects"]) + [pa.field("ordinal", pa.int64())])


class StrictModeError(Exception):
    """Raised in strict mode at the first rejected input; the message is the reject's."""

    def __init__(self, reject: Reject) -> None:
        super().__init__(reject.message())
        self.reject = reject


@dataclass(slots=True)
class RunSummary:
    """What a run did.

    Attributes:
        documents: documents in the tables after the run (processed + unchanged).
        processed: documents run through the pipeline by this run (new or changed).
        unchanged: documents whose rows were kept from an earlier run.
        removed: documents whose old rows were removed (changed, or gone from the input).
        characters: characters of text processed by this run.
        workers: processes that ran batches (0 when nothing needed processing).
        rejected: inputs in the rejects table, by kind in ``rejects_by_kind``.
        tables: rows per table after the run.
        seconds, kb_per_s: wall time of the run, and processed KB of text per second.
        corpus_step_seconds: of ``seconds``, the time of the corpus steps (run over the
            whole corpus after every run, a rerun included).
        corpus_step: what the corpus steps did when it was not everything again (a
            rerun that only added documents, or found nothing new), by step.
    """

    input: str
    out_dir: str
    engine: str = "local"
    workers: int = 0
    documents: int = 0
    processed: int = 0
    unchanged: int = 0
    removed: int = 0
    characters: int = 0
    rejected: int = 0
    rejects_by_kind: dict[str, int] = field(default_factory=dict)
    tables: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    kb_per_s: float = 0.0
    corpus_step_seconds: float = 0.0
    corpus_step: dict[str, str] = field(default_factory=dict)
    rebuilt: bool = False
    pipeline_version: str = PIPELINE_VERSION

    def as_dict(self) -> dict:
        return {name: getattr(self, name) for name in self.__slots__}

    def _step_notes(self) -> str:
        return "".join(f": {note}" for note in self.corpus_step.values())

    def format(self) -> str:
        """A short human-readable report."""
        how = f"{self.workers} worker process{'es' if self.workers != 1 else ''}" + (" on Dask" if self.engine == "dask" else "")
        rejected = f"rejected {self.rejected:,} input(s)" + (
            ": " + ", ".join(f"{k} {v}" for k, v in sorted(self.rejects_by_kind.items())) if self.rejected else "."
        )
        lines = [
            f"{self.documents:,} document(s): {self.processed:,} processed, {self.unchanged:,} unchanged "
            f"since the last run, {self.removed:,} old version(s) removed; {rejected}",
            f"Processed {self.characters:,} characters in {self.seconds:.2f} s ({self.kb_per_s:,.0f} KB/s, {how}; "
            f"the corpus step took {self.corpus_step_seconds:.2f} s{self._step_notes()})."
            if self.processed
            else f"Nothing new or changed to process; checked in {self.seconds:.2f} s "
            f"(the corpus step took {self.corpus_step_seconds:.2f} s{self._step_notes()}).",
            "Rows per table:",
        ]
        width = max(map(len, self.tables), default=0)
        lines += [f"  {name:<{width}}  {count:>9,}" for name, count in self.tables.items()]
        out = Path(self.out_dir)
        lines.append(f"Tables written to {out}/ (Parquet: {out}/<table>/*.parquet, CSV: {out}/<table>.csv)")
        lines.append("(events and timeline are views: read them with analysis.read_table or `python -m analysis query`)")
        if self.rejected:
            lines.append(f"Rejected inputs and why: {out}/rejects.csv (by kind: {out}/rejects_summary.csv)")
        return "\n".join(lines)


def run_corpus(
    path: str | os.PathLike,
    out_dir: str | os.PathLike = "data/processed",
    settings: Settings | None = None,
    *,
    engine: str = "local",
    scheduler: str | None = None,
    rebuild: bool = False,
    csv: bool = True,
) -> RunSummary:
    """Run the pipeline on every article under ``path`` and write the tables.

    Only documents that are new or changed since the last run into ``out_dir`` are
    processed; rows of documents that changed or left the input are replaced or removed,
    so the tables always equal those of a fresh run on the current input.

    Args:
        path: a folder of articles or table files, or one article or table file.
        out_dir: where the tables go (created).
        settings: see :class:`analysis.settings.Settings` (``workers``: processes, one
            per core by default; ``batch_size``: documents per batch).
        engine: ``"local"`` (worker processes here) or ``"dask"``.
        scheduler: a Dask scheduler address (``tcp://host:8786``); with the dask engine
            and none, a LocalCluster is started for the run.
        rebuild: ignore what the folder holds and process every document.
        csv: keep ``<table>.csv`` beside the Parquet (off: CSV files are removed).

    Returns:
        Counts of documents, rows per table and rejects.

    Raises:
        analysis.corpus.CorpusError: ``path`` cannot be read at all.
        StrictModeError: ``settings.strict`` and an input was rejected.
        analysis.engines.manifest.OutputLocked: another run writes to ``out_dir``.
        analysis.engines.steps.CorpusStepError: a corpus step failed (documents are kept).
    """
    settings = settings or Settings()
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
    _check_document_tables()
    began = time.perf_counter()
    out = Path(out_dir)
    files = _input_files_outside(path, out)
    workers = settings.workers or available_cores()
    summary = RunSummary(input=str(path), out_dir=str(out), engine=engine)
    out.mkdir(parents=True, exist_ok=True)
    recover(out)
    manifest = Manifest.open(out, pipeline_fingerprint(settings), rebuild=rebuild, tables=_all_tables())
    try:
        summary.rebuilt = manifest.rebuilt
        file_rejects = RowSpool(out / STAGING_DIR / "file_rejects.parquet", FILE_REJECTS_SCHEMA)
        scan = Scan(files, settings, manifest, manifest.clock_ns(), file_rejects)
        rejects = _RejectsSpool(out / STAGING_DIR / "rejects.parquet")
        try:
            _document_phase(scan, rejects, manifest, summary, settings, out, engine=engine, scheduler=scheduler, workers=workers)
            summary.removed = remove_documents(out, manifest.stale(), TABLES)
            summary.rejected = rejects.count
            summary.rejects_by_kind = dict(sorted(rejects.kinds.items()))
            rejects.write_table(out)
            manifest.finish(scan.file_records(), file_rejects.close())
        finally:
            rejects.discard()
            file_rejects.discard()
        for name in TABLES:
            (out / name).mkdir(exist_ok=True)
        step_began = time.perf_counter()
        # one connection for the steps and every view read after them (making one
        # costs as much as a small corpus's step)
        with corpus_connection(out, settings) as connection:
            summary.corpus_step = run_corpus_steps(out, settings, csv=csv, connection=connection)
            summary.corpus_step_seconds = round(time.perf_counter() - step_began, 3)
            present = set(table_names(out))
            written = [name for name in _all_tables() if name in present]
            connection.execute(f"SET threads = {min(workers, available_cores())}")  # the steps kept to one
            for name in written:
                if csv:
                    sync_csv(out, name, connection)
                else:
                    remove_csv(out, name)
            summary.tables = {name: table_rows(out, name, connection) for name in written}
        summary.documents = summary.processed + summary.unchanged
        summary.seconds = round(time.perf_counter() - began, 3)
        summary.kb_per_s = round(summary.characters / 1000 / summary.seconds, 1) if summary.seconds else 0.0
        write_json(out / "run.json", summary.as_dict())
    finally:
        manifest.close()
        _remove_if_empty(out / STAGING_DIR)
    return summary


def _remove_if_empty(folder: Path) -> None:
    try:
        folder.rmdir()
    except OSError:  # absent, or holds what a later recover() needs
        pass


def _input_files_outside(path: str | os.PathLike, out: Path) -> list[tuple[Path, Path]]:
    """The corpus's files, without those of an output folder inside the input folder
    (``run data/ --out data/processed``): tables are not articles."""
    files = input_files(path)
    inside = out.resolve()
    if not inside.is_relative_to(Path(path).resolve()):
        return files
    return [(file, root) for file, root in files if not file.resolve().is_relative_to(inside)]


def _check_document_tables() -> None:
    """Rows of a document are found (to replace or remove them) by their doc_id."""
    for name in TABLES:
        if "doc_id" not in SCHEMAS[name].names:
            raise ValueError(f"per-document table {name!r} has no doc_id column; every row must say its document")


def _all_tables() -> list[str]:
    """Every declared table, the per-document ones first, then rejects, then the rest
    (those of corpus steps); a run writes those it has rows or a step for."""
    return list(dict.fromkeys([*TABLES, "rejects", *SCHEMAS]))


def _document_phase(scan: Scan, rejects, manifest: Manifest, summary: RunSummary, settings: Settings, out: Path, *, engine, scheduler, workers) -> None:
    batches = _batches(scan, rejects, manifest.next_batch, settings)
    if engine == "dask":
        from .engines.on_dask import run_batches

        reports = run_batches(batches, settings=settings, out_dir=out, workers=workers, scheduler=scheduler)
    else:
        from .engines.local import run_batches

        reports = run_batches(batches, settings=settings, out_dir=out, workers=workers)
    bar = _progress(scan, settings)
    ran_on: set[str] = set()
    try:
        for report in reports:
            ran_on.add(report.worker)
            summary.workers = len(ran_on)
            _count(report, summary, scan, rejects, settings)
            bar.update(max(0, scan.bytes_read - bar.n))
            bar.set_postfix_str(
                f"{summary.processed + scan.unchanged:,} docs ({summary.processed:,} processed), {rejects.count:,} rejects",
                refresh=False,
            )
    finally:
        reports.close()
        bar.close()
    summary.unchanged = scan.unchanged


def _count(report: BatchReport, summary: RunSummary, scan: Scan, rejects, settings: Settings) -> None:
    summary.processed += report.documents
    summary.characters += report.characters
    for row in report.rejects:
        rejects.add_row(row)
        scan.not_reusable(row["path"])
        if settings.strict:
            raise StrictModeError(Reject(row["path"], row["location"], row["reason"], row["doc_id"], row["kind"]))


def _batches(scan: Scan, rejects, first_id: int, settings: Settings) -> Iterator[Batch]:
    """Pending documents cut into batches; rejects go to the spool on the way."""
    batch = Batch(first_id)
    for item in scan:
        if isinstance(item, Rejected):
            rejects.add(item)
            if settings.strict:
                raise StrictModeError(item.reject)
            continue
        assert isinstance(item, Pending)
        batch.add(item.doc, item.key, item.digest, item.file_pos, item.ordinal)
        if len(batch) >= settings.batch_size or batch.characters >= _BATCH_CHARS:
            yield batch
            batch = Batch(batch.batch_id + 1)
    if len(batch):
        yield batch


class _RejectsSpool:
    """Reject rows of this run, spooled as they come (in any order: a worker's come when
    its batch ends), then written as the ``rejects`` table in input order, sorted by
    DuckDB out of core."""

    def __init__(self, path: Path) -> None:
        self.spool = RowSpool(path, _REJECT_ROW)
        self.kinds: Counter[str] = Counter()

    @property
    def count(self) -> int:
        return self.spool.count

    def add(self, item: Rejected) -> None:
        self.add_row(reject_row(item.reject, ordinal=item.ordinal))

    def add_row(self, row: dict) -> None:
        self.spool.add(row)
        self.kinds[row["kind"]] += 1

    def write_table(self, out: Path) -> None:
        import duckdb

        if not self.count:
            write_table(out, "rejects", [])
            return
        path = self.spool.close()
        with duckdb.connect() as connection:
            ordered = connection.sql("SELECT * EXCLUDE (ordinal) FROM read_parquet(?) ORDER BY ordinal", params=[str(path)])
            write_table(out, "rejects", arrow_reader(ordered))

    def discard(self) -> None:
        self.spool.discard()


def _progress(scan: Scan, settings: Settings):
    """A progress bar over the input bytes to read: documents, KB/s, rejects, ETA."""
    from tqdm import tqdm

    if settings.progress is None:
        few_articles = len(scan.inputs) <= _HANDFUL and all(f.suffix.lower() in ARTICLE_SUFFIXES for f, *_ in scan.inputs)
        enabled = sys.stderr.isatty() and not few_articles
    else:
        enabled = settings.progress
    return tqdm(
        total=scan.bytes_total,
        unit="B",
        unit_scale=True,
        unit_divisor=1000,
        desc="reading",
        disable=not enabled,
        file=sys.stderr,
        smoothing=0.1,
    )
