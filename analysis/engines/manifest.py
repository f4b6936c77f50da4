"""What an output folder already holds, so that a rerun processes only what changed.

Under ``<out>/_manifest/``:

* ``state.json``: the pipeline fingerprint the tables were made with and the tables
  written. A different fingerprint (another ``PIPELINE_VERSION``, edited code or
  lexicons, other settings) means nothing can be reused: the tables are rebuilt.
* ``documents/part-<batch>.parquet``: one row per document whose rows sit in that
  batch's parts: ``doc_id``, ``key`` (hash of its text and every metadata field),
  ``sha256`` (of the text), ``path``, ``location``, ``file_pos`` (its place in its
  file), ``n_chars``. Written with the batch, in the same commit.
* ``files.parquet`` and ``file_rejects.parquet``: each input file of the last complete
  run with its size, times and inode, whether it can be skipped unread next time, and
  the inputs it rejected. A file whose size and times are unchanged is not read again
  (as ``make`` and ``git`` judge files); its documents and rejects come from here. Both
  are removed when a run starts and written when it ends, so a run that was killed is
  followed by one that reads every file (and still processes only what is not done).
* ``scan.stamp``: written when a scan begins; its time is the file system's "now", and
  input files changed at or after it are read again next run (see
  :class:`analysis.engines.scan.Scan`).
* ``lock``: held while a run writes to the folder.
* ``csv.json`` and ``removal.json``: see :mod:`analysis.storage`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ..corpus import Document, Reject
from ..settings import Settings
from ..storage import LOCK_FILE, MANIFEST_DIR, batch_of_part, clear_tables, read_json, write_json, write_parquet
from ..tables import SCHEMAS

__all__ = [
    "MANIFEST_SCHEMA",
    "FileStamp",
    "Manifest",
    "OutputLocked",
    "document_key",
    "pipeline_fingerprint",
]

FORMAT = 1

MANIFEST_SCHEMA = pa.schema(
    [
        ("doc_id", pa.string()),
        ("key", pa.string()),
        ("sha256", pa.string()),
        ("path", pa.string()),
        ("location", pa.string()),
        ("file_pos", pa.int64()),
        ("n_chars", pa.int64()),
    ]
)
FILES_SCHEMA = pa.schema(
    [
        ("path", pa.string()),
        ("size", pa.int64()),
        ("mtime_ns", pa.int64()),
        ("ctime_ns", pa.int64()),
        ("inode", pa.int64()),
        ("reusable", pa.bool_()),
    ]
)
# the rejects table's columns, and where in its file each reject was
FILE_REJECTS_SCHEMA = pa.schema([*SCHEMAS["rejects"], pa.field("file_pos", pa.int64())])

# Settings that say how a run goes, not what a document yields.
_RUN_CONTROL = frozenset({"strict", "progress", "workers", "batch_size", "corpus_memory"})
# Parts of the package that do not shape the tables (editing them keeps the cache).
_NOT_PIPELINE = ("bench", "evaluation")
_PACKAGE = Path(__file__).resolve().parents[1]


class OutputLocked(Exception):
    """Another run is writing to the same output folder."""


def pipeline_fingerprint(settings: Settings) -> str:
    """Everything besides the document that decides its rows: ``PIPELINE_VERSION``, the
    package's code and lexicons, and the settings (except how the run goes: workers,
    batch size, progress, strict).

    Hashing the code means a developer never sees rows from before an edit; bump
    ``PIPELINE_VERSION`` for changes that the code hash cannot see (a dependency's).
    """
    from ..pipeline import PIPELINE_VERSION

    fields = {f.name: getattr(settings, f.name) for f in dataclasses.fields(settings) if f.name not in _RUN_CONTROL}
    digest = hashlib.sha256(f"pipeline {PIPELINE_VERSION}\n{_code_digest(_code_stamps())}\n".encode())
    digest.update(json.dumps(_plain(fields), sort_keys=True, default=str).encode())
    return digest.hexdigest()


def _code_stamps() -> tuple[tuple[str, int, int], ...]:
    """The package's code and data files with their sizes and times (cheap to take for
    every batch, so an edit during a session is seen)."""
    stamps = []
    for file in sorted(_PACKAGE.rglob("*")):
        rel = file.relative_to(_PACKAGE)
        if "__pycache__" in rel.parts or rel.parts[0] in _NOT_PIPELINE or file.suffix not in (".py", ".yaml", ".yml", ".json"):
            continue
        stat = file.stat()
        stamps.append((rel.as_posix(), stat.st_size, stat.st_mtime_ns))
    return tuple(stamps)


@lru_cache(maxsize=4)
def _code_digest(stamps: tuple[tuple[str, int, int], ...]) -> str:
    digest = hashlib.sha256()
    for rel, _size, _mtime in stamps:
        digest.update(rel.encode() + b"\0")
        digest.update((_PACKAGE / rel).read_bytes())
    return digest.hexdigest()


def _plain(value):
    if dataclasses.is_dataclass(value):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def document_key(doc: Document, digest: str | None = None) -> str:
    """Hash of a document's text and all its metadata: equal keys, equal rows.

    Args:
        doc: the document.
        digest: ``doc.sha256`` when already computed.
    """
    fields = (
        doc.doc_id,
        digest or doc.sha256,
        doc.published.isoformat(),
        doc.title,
        doc.source,
        doc.url,
        doc.language,
        doc.path,
        doc.location,
    )
    # repr of a tuple of strings and None is unambiguous, and quicker than JSON
    return hashlib.sha256(repr(fields).encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True, slots=True)
class FileStamp:
    """What says a file is unchanged: its size, modification and change times, inode."""

    size: int
    mtime_ns: int
    ctime_ns: int
    inode: int

    @classmethod
    def of(cls, stat: os.stat_result) -> "FileStamp":
        return cls(stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)


class Entry(NamedTuple):
    """A document whose rows are in the tables (``index``: its place in the manifest)."""

    index: int
    doc_id: str
    sha256: str
    path: str
    location: str | None
    file_pos: int
    n_chars: int


class Manifest:
    """The documents, files and tables an output folder holds, loaded for one run.

    Use :meth:`open`; call :meth:`finish` when the run's documents are all committed.
    """

    def __init__(self, out_dir: Path, fingerprint: str) -> None:
        self.out_dir = out_dir
        self.fingerprint = fingerprint
        # The entries stay in Arrow (sorted by file and place in it, so a file's entries
        # are one slice); Python objects are only an id -> row index and a path -> slice
        # map: a few hundred bytes per document, not a few kilobytes.
        self._table = MANIFEST_SCHEMA.append(pa.field("batch", pa.int64())).empty_table()
        self._by_doc: dict[str, int] = {}
        self._more: dict[str, list[int]] = {}  # further entries of an id (a crash window)
        self._by_path: dict[str, tuple[int, int]] = {}
        self._live = bytearray()
        self._files: dict[str, tuple[FileStamp, bool]] = {}
        self._file_rejects: dict[str, list[tuple[int, Reject]]] = {}
        self.next_batch = 1
        self.rebuilt = False
        self._lock = None

    def __len__(self) -> int:
        return len(self._live)

    # ------------------------------------------------------------------ opening

    @classmethod
    def open(cls, out_dir: str | os.PathLike, fingerprint: str, *, rebuild: bool, tables: list[str]) -> "Manifest":
        """Lock the output folder and load what it holds.

        Args:
            out_dir: the output folder (created).
            fingerprint: :func:`pipeline_fingerprint` of this run.
            rebuild: start from nothing, whatever the folder holds.
            tables: tables this pipeline writes (removed on a rebuild, with those of the
                run that made the folder).

        Raises:
            OutputLocked: another run holds the folder.
        """
        out = Path(out_dir)
        manifest = cls(out, fingerprint)
        private = out / MANIFEST_DIR
        private.mkdir(parents=True, exist_ok=True)
        manifest._lock = _lock(private / LOCK_FILE)
        state = read_json(private / "state.json")
        if rebuild or state.get("fingerprint") != fingerprint or state.get("format") != FORMAT:
            clear_tables(out, sorted(set(tables) | set(state.get("tables", []))))
            manifest.rebuilt = True
        else:
            manifest._load_documents()
            manifest._load_files()
        # never reuse a batch number that names a part, whoever left it
        for name in set(tables) | set(state.get("tables", [])):
            for part in (out / name).glob("part-*.parquet"):
                manifest.next_batch = max(manifest.next_batch, batch_of_part(part) + 1)
        write_json(private / "state.json", {"format": FORMAT, "fingerprint": fingerprint, "tables": sorted(set(tables) | set(state.get("tables", [])))})
        # A run killed from here on must not leave file records that claim its work.
        for name in ("files.parquet", "file_rejects.parquet"):
            (private / name).unlink(missing_ok=True)
        return manifest

    def _load_documents(self) -> None:
        folder = self.out_dir / MANIFEST_DIR / "documents"
        tables = []
        for part in sorted(folder.glob("part-*.parquet")) if folder.is_dir() else []:
            batch = batch_of_part(part)
            self.next_batch = max(self.next_batch, batch + 1)
            table = pq.read_table(part, schema=MANIFEST_SCHEMA)
            tables.append(table.append_column("batch", pa.array([batch] * table.num_rows, type=pa.int64())))
        if not tables:
            return
        table = pa.concat_tables(tables).sort_by([("path", "ascending"), ("file_pos", "ascending")]).combine_chunks()
        self._table = table
        for index, doc_id in enumerate(table.column("doc_id").to_pylist()):
            if self._by_doc.setdefault(doc_id, index) != index:
                self._more.setdefault(doc_id, []).append(index)
        runs = pc.run_end_encode(table.column("path").chunk(0))
        start = 0
        for end, path in zip(runs.run_ends.to_pylist(), runs.values.to_pylist()):
            self._by_path[path] = (start, end)
            start = end
        self._live = bytearray(table.num_rows)

    def _load_files(self) -> None:
        private = self.out_dir / MANIFEST_DIR
        if not (private / "files.parquet").is_file():
            return
        for row in pq.read_table(private / "files.parquet").to_pylist():
            stamp = FileStamp(row["size"], row["mtime_ns"], row["ctime_ns"], row["inode"])
            self._files[row["path"]] = (stamp, row["reusable"])
        if (private / "file_rejects.parquet").is_file():
            for row in pq.read_table(private / "file_rejects.parquet").to_pylist():
                reject = Reject(row["path"], row["location"], row["reason"], row["doc_id"], row["kind"])
                self._file_rejects.setdefault(row["path"], []).append((row["file_pos"], reject))

    # ------------------------------------------------------------------ during the run

    def clock_ns(self) -> int:
        """The file system's time now: the mtime of a file written for the purpose. The
        file system's clock stamps the input files too (when they are on the same one),
        and its ticks may be coarser than Python's clock."""
        marker = self.out_dir / MANIFEST_DIR / "scan.stamp"
        marker.write_bytes(b"")
        return marker.stat().st_mtime_ns

    def reusable(self, path: str, stamp: FileStamp) -> bool:
        """The file is unchanged since the last complete run and can be skipped unread."""
        known = self._files.get(path)
        return known is not None and known[1] and known[0] == stamp

    def cached_items(self, path: str) -> Iterator[tuple[int, Entry | Reject]]:
        """What a skipped file held, in file order: its documents' entries and rejects."""
        start, end = self._by_path.get(path, (0, 0))
        rows = self._table.slice(start, end - start)
        columns = [rows.column(name).to_pylist() for name in ("doc_id", "sha256", "location", "file_pos", "n_chars")]
        items: list[tuple[int, Entry | Reject]] = [
            (pos, Entry(index, doc_id, sha, path, location, pos, n_chars))
            for index, doc_id, sha, location, pos, n_chars in zip(range(start, end), *columns)
        ]
        items += self._file_rejects.get(path, [])
        items.sort(key=lambda item: item[0])
        return iter(items)

    def find(self, doc_id: str, key: str) -> int | None:
        """Characters of the document with this exact id and key, now marked as still in
        use; ``None`` when its rows are not in the tables."""
        first = self._by_doc.get(doc_id)
        if first is None:
            return None
        keys = self._table.column("key")
        for index in [first, *self._more.get(doc_id, ())]:
            if keys[index].as_py() == key and not self._live[index]:
                self._live[index] = 1
                return self._table.column("n_chars")[index].as_py()
        return None

    def keep(self, entry: Entry) -> None:
        """Mark an entry of a skipped file as still in use."""
        self._live[entry.index] = 1

    def stale(self) -> dict[int, list[str]]:
        """Documents whose rows must go (changed, gone, or now a duplicate), by batch."""
        live = pa.Array.from_buffers(pa.uint8(), len(self._live), [None, pa.py_buffer(bytes(self._live))])
        stale = self._table.filter(pc.equal(live, 0)).select(["batch", "doc_id"])
        by_batch: dict[int, list[str]] = {}
        for batch, doc_id in zip(stale.column("batch").to_pylist(), stale.column("doc_id").to_pylist()):
            by_batch.setdefault(batch, []).append(doc_id)
        return by_batch

    # ------------------------------------------------------------------ ending

    def finish(self, files: dict[str, tuple[FileStamp, bool]], file_rejects: Path) -> None:
        """Record the input files of this complete run (see the module docstring).

        Args:
            files: path -> (stamp, reusable) of every input file.
            file_rejects: a Parquet file of the rejects of reading them
                (``FILE_REJECTS_SCHEMA``), moved into the manifest.
        """
        private = self.out_dir / MANIFEST_DIR
        rows = [
            {"path": path, "size": s.size, "mtime_ns": s.mtime_ns, "ctime_ns": s.ctime_ns, "inode": s.inode, "reusable": ok}
            for path, (s, ok) in files.items()
        ]
        # rejects first: files.parquet is what makes a later run trust them
        os.replace(file_rejects, private / "file_rejects.parquet")
        write_parquet(pa.Table.from_pylist(rows, schema=FILES_SCHEMA), private / "files.parquet")

    def close(self) -> None:
        """Release the folder's lock."""
        if self._lock is not None:
            self._lock.close()
            self._lock = None


def _lock(path: Path):
    """An exclusive lock on ``path`` (released when the process ends, even by kill -9)."""
    handle = open(path, "a+b")  # noqa: SIM115 - held for the run
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks; one run at a time is then up to the user
        return handle
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise OutputLocked(f"{path.parent.parent}: another run is writing to this folder; wait for it or use another --out") from None
    return handle
