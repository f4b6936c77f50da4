"""Reading a corpus for a run: which documents need processing, which are done.

The scan walks the input files in order. An unchanged file (same size and times as in
the last complete run, and nothing in it was a duplicate or failed) is not read: its
documents and rejects come from the manifest. Every other file is read; each document
is hashed (:func:`~analysis.engines.manifest.document_key`) and only those whose key
the manifest lacks are handed on. Duplicate ids are judged across all of them in input
order, exactly as :func:`analysis.corpus.iter_corpus` judges them, so a rerun yields
the tables a fresh run would.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..corpus import Document, DuplicateIds, Reject, iter_file
from ..settings import Settings
from ..storage import RowSpool
from .batch import reject_row
from .manifest import Entry, FileStamp, Manifest, document_key

__all__ = ["Pending", "Rejected", "Scan"]


@dataclass(slots=True)
class Pending:
    """A document to process: new, or changed since its rows were made."""

    doc: Document
    key: str
    digest: str
    file_pos: int
    ordinal: int


@dataclass(slots=True)
class Rejected:
    """An input that is not a document, with its place in the input (``ordinal``)."""

    reject: Reject
    ordinal: int


class Scan:
    """One pass over the input files, yielding :class:`Pending` and :class:`Rejected`.

    Counters (``unchanged``, ``unchanged_chars``, ``bytes_read``) and the records the
    manifest keeps for the next run (``files``, and rows in ``file_rejects``) fill as it goes.

    A file modified at or after ``scan_began_ns`` is never recorded as reusable: a later
    edit in the same tick of the file system's clock would leave its size and times as
    they are (git calls such files "racily clean"), so it is read again next run.

    Args:
        files: ``(file, root)`` pairs from :func:`analysis.corpus.input_files`.
        settings: how to read.
        manifest: what the output already holds.
        scan_began_ns: the file system's time when the scan began (the mtime of a file
            written then), before any input file is looked at.
        file_rejects: where the rejects of reading each file go, for the manifest.
    """

    def __init__(
        self, files: list[tuple[Path, Path]], settings: Settings, manifest: Manifest, scan_began_ns: int, file_rejects: RowSpool
    ) -> None:
        self.settings = settings
        self.manifest = manifest
        self.scan_began_ns = scan_began_ns
        # (file, root, stamp, reusable) in reading order
        self.inputs: list[tuple[Path, Path, FileStamp | None, bool]] = []
        self.bytes_total = 0
        for file, root in files:
            try:
                stamp = FileStamp.of(os.stat(file))
            except OSError:
                stamp = None  # iter_file turns it into an "unreadable" reject
            reuse = stamp is not None and manifest.reusable(str(file), stamp)
            self.inputs.append((file, root, stamp, reuse))
            if not reuse and stamp is not None:
                self.bytes_total += stamp.size
        self.bytes_read = 0
        self.unchanged = 0
        self.unchanged_chars = 0
        self.files: dict[str, tuple[FileStamp, bool]] = {}
        self.file_rejects = file_rejects
        self._seen = DuplicateIds()
        self._failed: set[str] = set()
        self._ordinal = 0

    def __iter__(self) -> Iterator[Pending | Rejected]:
        for file, root, stamp, reuse in self.inputs:
            path = str(file)
            self._reusable = stamp is not None and max(stamp.mtime_ns, stamp.ctime_ns) < self.scan_began_ns
            if reuse:
                yield from self._replay(path)
            else:
                before = self.bytes_read
                yield from self._read(file, root)
                self.bytes_read = before + (stamp.size if stamp else 0)
            if stamp is not None:
                self.files[path] = (stamp, self._reusable)

    def not_reusable(self, path: str) -> None:
        """A document of this file failed (reported while the file may still be being
        read): read the file again next run."""
        self._failed.add(path)

    def file_records(self) -> dict[str, tuple[FileStamp, bool]]:
        """Every input file read or skipped, with whether the next run may skip it."""
        return {path: (stamp, reusable and path not in self._failed) for path, (stamp, reusable) in self.files.items()}

    def _keep_reject(self, path: str, file_pos: int, reject: Reject) -> None:
        self.file_rejects.add(reject_row(reject, file_pos=file_pos))

    def _next(self) -> int:
        self._ordinal += 1
        return self._ordinal

    def _read(self, file: Path, root: Path) -> Iterator[Pending | Rejected]:
        for file_pos, item in enumerate(iter_file(file, root, self.settings)):
            if isinstance(item, Reject):
                self._keep_reject(str(file), file_pos, item)
                yield Rejected(item, self._next())
                continue
            self.bytes_read += len(item.text)
            digest = item.sha256
            duplicate = self._seen.check(item.doc_id, digest, item.path, item.location)
            if duplicate is not None:
                self._reusable = False
                yield Rejected(duplicate, self._next())
                continue
            key = document_key(item, digest)
            known_chars = self.manifest.find(item.doc_id, key)
            ordinal = self._next()
            if known_chars is None:
                yield Pending(item, key, digest, file_pos, ordinal)
            else:
                self.unchanged += 1
                self.unchanged_chars += known_chars

    def _replay(self, path: str) -> Iterator[Rejected]:
        for file_pos, item in self.manifest.cached_items(path):
            if isinstance(item, Reject):
                self._keep_reject(path, file_pos, item)
                yield Rejected(item, self._next())
                continue
            entry: Entry = item
            duplicate = self._seen.check(entry.doc_id, entry.sha256, entry.path, entry.location)
            if duplicate is not None:
                self._reusable = False
                yield Rejected(duplicate, self._next())
                continue
            self._next()
            self.manifest.keep(entry)
            self.unchanged += 1
            self.unchanged_chars += entry.n_chars
