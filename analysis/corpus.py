"""Reading a corpus: folders of articles or tables of articles, into :class:`Document`.

Inputs:

* a folder, walked in sorted order: ``.md``/``.markdown``/``.txt`` files are one article
  each (YAML front matter optional); ``.jsonl``/``.ndjson``/``.csv``/``.parquet`` files
  hold one article a row;
* one such file.

Text is decoded from UTF-8 (a BOM is dropped); line endings, quotes and dashes are kept as
they are, so every offset in every table points into the text exactly as read. Bad input
never stops the other articles: it becomes a :class:`Reject` (path, line or row, reason)
that the run counts and writes to the ``rejects`` table.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import os
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .settings import Columns, Settings

__all__ = [
    "ARTICLE_SUFFIXES",
    "TABLE_SUFFIXES",
    "Corpus",
    "CorpusError",
    "Document",
    "DuplicateIds",
    "Reject",
    "input_files",
    "iter_corpus",
    "iter_file",
    "load_corpus",
    "parse_published",
]

ARTICLE_SUFFIXES = (".md", ".markdown", ".txt")
TABLE_SUFFIXES = (".jsonl", ".ndjson", ".csv", ".parquet")
_BOM = b"\xef\xbb\xbf"
_ISO_DATE = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][0-9:.]+(?:Z|[+-]\d{2}:?\d{2})?)?\s*$")
_FRONT_MATTER_OPEN = re.compile(r"\A---[ \t]*\r?\n")
_FRONT_MATTER_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.MULTILINE)


# libyaml's parser when PyYAML was built with it: the pure-Python one takes most of the
# time of reading a folder of articles (about 7x slower on front matter).
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _FrontMatterLoader(_SafeLoader):
    """Safe YAML that leaves dates as text: ``parse_published`` reads them, so an
    impossible date becomes a clear reject instead of a YAML constructor error."""


_FrontMatterLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _SafeLoader.yaml_implicit_resolvers.items()
}


class CorpusError(Exception):
    """The corpus as a whole cannot be read (a missing path, an unsupported file)."""


@dataclass(frozen=True, slots=True)
class Document:
    """One article: its text exactly as read, and its metadata.

    Attributes:
        doc_id: stable identifier (front matter ``doc_id``/``id``, a table's id column, or
            the file's path below the corpus folder without suffix).
        text: the body; offsets in every table point into it.
        published: publication date, the anchor of every relative time expression.
        title, source, url, language: metadata when given.
        path: the file it came from.
        location: where in that file (``row 12 (line 14)``) for tabular inputs.
    """

    doc_id: str
    text: str
    published: dt.date
    title: str | None = None
    source: str | None = None
    url: str | None = None
    language: str | None = None
    path: str = ""
    location: str | None = None

    @property
    def sha256(self) -> str:
        """SHA-256 of the UTF-8 text: identifies the content whatever the file."""
        return hashlib.sha256(self.text.encode("utf-8", "surrogatepass")).hexdigest()

    @property
    def n_chars(self) -> int:
        return len(self.text)


@dataclass(frozen=True, slots=True)
class Reject:
    """An input that could not become a document, and why.

    Attributes:
        path: the file.
        location: line, row or byte in that file, when it is one part of it.
        reason: what is wrong and what to do about it.
        doc_id: the article's id when it was known.
        kind: a short class of reason for counting: ``empty``, ``date``, ``duplicate``,
            ``encoding``, ``malformed``, ``unreadable``, ``not_article``, ``error``.
    """

    path: str
    location: str | None
    reason: str
    doc_id: str | None = None
    kind: str = "malformed"

    def message(self) -> str:
        where = f"{self.path}: {self.location}" if self.location else self.path
        return f"{where}: {self.reason}"


@dataclass(slots=True)
class Corpus:
    """A corpus read into memory: its documents and the inputs it rejected."""

    documents: list[Document] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)

    def __iter__(self) -> Iterator[Document]:
        return iter(self.documents)

    def __len__(self) -> int:
        return len(self.documents)


def load_corpus(
    path: str | os.PathLike,
    *,
    published: dt.date | str | None = None,
    encoding_fallback: str | None = None,
    columns: Columns | None = None,
    settings: Settings | None = None,
) -> Corpus:
    """Read every article under ``path`` into memory.

    For large corpora use :func:`iter_corpus`, which streams.

    Args:
        path: a folder of articles, or one article or table file.
        published: default publication date for articles without one.
        encoding_fallback: codec for files that are not UTF-8 (``None`` rejects them).
        columns: column names for tabular inputs.
        settings: base settings; the keyword arguments above override it.

    Returns:
        The documents and the rejects, in input order.

    Raises:
        CorpusError: ``path`` does not exist or is not a supported file.
    """
    settings = _merge_settings(settings, published, encoding_fallback, columns)
    corpus = Corpus()
    for item in iter_corpus(path, settings):
        if isinstance(item, Document):
            corpus.documents.append(item)
        else:
            corpus.rejects.append(item)
    return corpus


def _merge_settings(settings, published, encoding_fallback, columns) -> Settings:
    settings = settings or Settings()
    changes = {}
    if published is not None:
        changes["published"] = parse_published(published)
    if encoding_fallback is not None:
        changes["encoding_fallback"] = encoding_fallback
    if columns is not None:
        changes["columns"] = columns
    return settings.replace(**changes) if changes else settings


def iter_corpus(path: str | os.PathLike, settings: Settings | None = None) -> Iterator[Document | Reject]:
    """Stream the documents and rejects of a corpus, in input order.

    A ``doc_id`` seen before is rejected (with the first location) whether or not its
    text differs, so that no table gets two documents under one id.

    Raises:
        CorpusError: ``path`` does not exist or is not a supported file.
    """
    settings = settings or Settings()
    seen = DuplicateIds()
    for file, root in input_files(path):
        for item in iter_file(file, root, settings):
            if isinstance(item, Document):
                duplicate = seen.check(item.doc_id, item.sha256, item.path, item.location)
                if duplicate is not None:
                    yield duplicate
                    continue
            yield item


class DuplicateIds:
    """Remembers the ``doc_id`` of every accepted document (with its text's SHA-256 and
    where it was) and turns a later one with the same id into a ``duplicate`` reject."""

    def __init__(self) -> None:
        self._seen: dict[str, tuple[str, str, str | None]] = {}

    def check(self, doc_id: str, digest: str, path: str, location: str | None) -> Reject | None:
        """``None`` for a new id (now remembered), else the reject for this occurrence."""
        first = self._seen.get(doc_id)
        if first is None:
            self._seen[doc_id] = (digest, path, location)
            return None
        same = "the same text" if first[0] == digest else "different text"
        return Reject(
            path,
            location,
            f"duplicate doc_id {doc_id!r} with {same} (first seen at {_where(first[1], first[2])}); "
            "give each article its own id",
            doc_id,
            kind="duplicate",
        )


def _where(path: str, location: str | None) -> str:
    return f"{path} {location}" if location else path


def list_input_files(root: Path) -> list[Path]:
    """The input files of a corpus folder, sorted, hidden files and folders skipped."""
    files = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        files.extend(Path(dirpath) / f for f in sorted(filenames) if not f.startswith("."))
    return files


def input_files(path: str | os.PathLike) -> list[tuple[Path, Path]]:
    """The files of a corpus in reading order, each with the folder its ``doc_id`` is
    relative to: a folder's files (sorted, hidden ones skipped), or the one file.

    Raises:
        CorpusError: ``path`` does not exist or is not a supported file.
    """
    root = Path(path)
    if root.is_dir():
        return [(file, root) for file in list_input_files(root)]
    if root.is_file():
        if root.suffix.lower() not in ARTICLE_SUFFIXES + TABLE_SUFFIXES:
            raise CorpusError(
                f"{root}: not a supported input; give a folder of articles or a "
                ".md, .txt, .jsonl, .csv or .parquet file"
            )
        return [(root, root.parent)]
    raise CorpusError(f"{root}: no such file or folder")


def iter_file(file: Path, root: Path, settings: Settings) -> Iterator[Document | Reject]:
    """The documents and rejects of one input file, in order (no duplicate-id check:
    that spans files, see :func:`iter_corpus`)."""
    suffix = file.suffix.lower()
    try:
        if suffix in ARTICLE_SUFFIXES:
            yield _read_article(file, root, settings)
        elif suffix in (".jsonl", ".ndjson"):
            yield from _read_jsonl(file, settings)
        elif suffix == ".csv":
            yield from _read_csv(file, settings)
        elif suffix == ".parquet":
            yield from _read_parquet(file, settings)
        else:
            yield Reject(
                str(file),
                None,
                "not an article file (expected .md, .txt, .jsonl, .csv or .parquet); "
                "move it out of the corpus folder",
                kind="not_article",
            )
    except OSError as exc:
        yield Reject(str(file), None, f"cannot read the file ({exc.strerror or exc}); check it exists and is readable", kind="unreadable")


# ---------------------------------------------------------------------------- decoding


def _decode(raw: bytes, path: Path, settings: Settings, *, base_offset: int = 0, line: int | None = None) -> str:
    """UTF-8 (BOM dropped) or the fallback codec; a ValueError names the bad byte."""
    if raw.startswith(_BOM):
        raw = raw[len(_BOM) :]
        base_offset += len(_BOM)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        if settings.encoding_fallback:
            try:
                return raw.decode(settings.encoding_fallback)
            except (UnicodeDecodeError, LookupError) as fallback_exc:
                raise ValueError(
                    f"not valid UTF-8 at byte {base_offset + exc.start}, and not "
                    f"{settings.encoding_fallback} either ({fallback_exc}); re-save it as UTF-8"
                ) from None
        bad_line = line if line is not None else raw.count(b"\n", 0, exc.start) + 1
        raise ValueError(
            f"not valid UTF-8: byte 0x{raw[exc.start]:02x} at byte offset {base_offset + exc.start} "
            f"(line {bad_line}); re-save the file as UTF-8 or pass --encoding-fallback "
            "(for example cp1252)"
        ) from None


# ---------------------------------------------------------------------------- dates


def parse_published(value: object) -> dt.date:
    """A publication date from front matter, a table cell or the command line.

    ISO dates (with or without a time) are read as written, without converting time
    zones, so a date never depends on where the code runs. Other forms ("Aug. 17, 2021",
    "17 August 2021") go through dateparser restricted to absolute dates that name day,
    month and year.

    Raises:
        ValueError: empty, unparseable, relative or impossible dates.
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if hasattr(value, "to_pydatetime"):  # pandas Timestamp
        return value.to_pydatetime().date()
    if not isinstance(value, str):
        raise ValueError(f"publication date {value!r} is not a date; write it as YYYY-MM-DD")
    text = value.strip()
    if not text:
        raise ValueError("empty publication date; write it as YYYY-MM-DD")
    match = _ISO_DATE.match(text)
    if match:
        year, month, day = (int(g) for g in match.groups())
        try:
            return dt.date(year, month, day)
        except ValueError as exc:
            raise ValueError(f"impossible publication date {text!r} ({exc})") from None
    parsed = _parse_date_text(text)
    if parsed is None:
        raise ValueError(f"cannot read publication date {text!r}; write it as YYYY-MM-DD")
    return parsed


def _parse_date_text(text: str) -> dt.date | None:
    import dateparser  # slow to import; most corpora never need it

    parsed = dateparser.parse(
        text,
        languages=["en"],
        settings={
            "STRICT_PARSING": True,
            "REQUIRE_PARTS": ["day", "month", "year"],
            "PARSERS": ["custom-formats", "absolute-time"],
            "RELATIVE_BASE": dt.datetime(2000, 1, 1),
            "RETURN_AS_TIMEZONE_AWARE": False,
        },
    )
    return parsed.date() if parsed else None


# ---------------------------------------------------------------------------- articles


def _doc_id_for(file: Path, root: Path) -> str:
    try:
        rel = file.relative_to(root)
    except ValueError:
        rel = Path(file.name)
    return rel.with_suffix("").as_posix()


def _read_article(file: Path, root: Path, settings: Settings) -> Document | Reject:
    path = str(file)
    raw = file.read_bytes()
    try:
        text = _decode(raw, file, settings)
    except ValueError as exc:
        return Reject(path, None, str(exc), _doc_id_for(file, root), kind="encoding")
    meta: dict = {}
    body = text
    opening = _FRONT_MATTER_OPEN.match(text)
    if opening:
        closing = _FRONT_MATTER_CLOSE.search(text, opening.end())
        if closing is None:
            return Reject(path, "line 1", "front matter opened with '---' is never closed; add a '---' line after it")
        try:
            loaded = yaml.load(text[opening.end() : closing.start()], Loader=_FrontMatterLoader)  # noqa: S506
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f"line {mark.line + 2}" if mark is not None else "front matter"
            problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            return Reject(path, where, f"front matter is not valid YAML ({problem})")
        if loaded is not None and not isinstance(loaded, dict):
            return Reject(path, "line 2", "front matter must be 'key: value' lines")
        meta = loaded or {}
        body = text[closing.end() :]
    doc_id = str(meta.get("doc_id") or meta.get("id") or _doc_id_for(file, root))
    return _make_document(
        doc_id=doc_id,
        text=body,
        published=meta.get("published", meta.get("date")),
        title=meta.get("title"),
        source=meta.get("source"),
        url=meta.get("url"),
        language=meta.get("language"),
        path=path,
        location=None,
        settings=settings,
        date_hint="add 'published: YYYY-MM-DD' to the front matter",
    )


def _make_document(
    *, doc_id, text, published, title, source, url, language, path, location, settings: Settings, date_hint: str
) -> Document | Reject:
    if not isinstance(text, str):
        return Reject(path, location, f"the article text is {type(text).__name__}, not text", doc_id, kind="malformed")
    if not text.strip():
        return Reject(path, location, "empty article (no text)", doc_id, kind="empty")
    if _is_missing(published):
        if settings.published is None:
            return Reject(
                path, location, f"no publication date; {date_hint} or pass --published YYYY-MM-DD", doc_id, kind="date"
            )
        published_date = settings.published
    else:
        try:
            published_date = parse_published(published)
        except ValueError as exc:
            return Reject(path, location, str(exc), doc_id, kind="date")
    return Document(
        doc_id=doc_id,
        text=text,
        published=published_date,
        title=_optional_text(title),
        source=_optional_text(source),
        url=_optional_text(url),
        language=_optional_text(language),
        path=path,
        location=location,
    )


def _is_missing(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and value != value:  # NaN from a table
        return True
    return isinstance(value, str) and not value.strip()


def _optional_text(value: object) -> str | None:
    if _is_missing(value):
        return None
    return str(value)


# ---------------------------------------------------------------------------- tables


def _row_document(record: dict, file: Path, row: int, location: str, settings: Settings) -> Document | Reject:
    cols = settings.columns
    path = str(file)
    if cols.text not in record:
        return Reject(
            path,
            location,
            f"no {cols.text!r} field (fields: {', '.join(map(str, record)) or 'none'}); "
            "name the text column with --text-column",
        )
    raw_id = record.get(cols.doc_id)
    doc_id = f"{file.stem}-{row}" if _is_missing(raw_id) else str(raw_id)
    return _make_document(
        doc_id=doc_id,
        text=record.get(cols.text),
        published=record.get(cols.published),
        title=record.get(cols.title),
        source=record.get(cols.source),
        url=record.get(cols.url),
        language=record.get("language"),
        path=path,
        location=location,
        settings=settings,
        date_hint=f"fill the {cols.published!r} column",
    )


def _read_jsonl(file: Path, settings: Settings) -> Iterator[Document | Reject]:
    offset = 0
    with file.open("rb") as handle:
        for line_no, raw in enumerate(handle, start=1):
            start = offset
            offset += len(raw)
            if not raw.strip():
                continue
            location = f"line {line_no}"
            try:
                line = _decode(raw, file, settings, base_offset=start, line=line_no)
            except ValueError as exc:
                yield Reject(str(file), location, str(exc), kind="encoding")
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                yield Reject(str(file), location, f"not valid JSON ({exc.msg} at column {exc.colno}); fix or remove the line")
                continue
            if not isinstance(record, dict):
                yield Reject(str(file), location, "a line must be a JSON object with a text field")
                continue
            yield _row_document(record, file, line_no, location, settings)


def _decoded_lines(handle, bad: dict[int, int], settings: Settings, file: Path) -> Iterator[str]:
    """Decode byte lines for the csv reader, remembering the first bad byte of each line."""
    offset = 0
    for line_no, raw in enumerate(handle, start=1):
        start = offset
        offset += len(raw)
        if line_no == 1 and raw.startswith(_BOM):
            raw = raw[len(_BOM) :]
        try:
            yield _decode(raw, file, settings, base_offset=start, line=line_no)
        except ValueError:
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                bad[line_no] = start + exc.start
            yield raw.decode("utf-8", "replace")


def _read_csv(file: Path, settings: Settings) -> Iterator[Document | Reject]:
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    bad: dict[int, int] = {}
    with file.open("rb") as handle:
        reader = csv.reader(_decoded_lines(handle, bad, settings, file))
        try:
            header = next(reader)
        except StopIteration:
            yield Reject(str(file), None, "empty CSV file (no header row)")
            return
        except csv.Error as exc:
            yield Reject(str(file), "line 1", f"cannot read the CSV header ({exc})")
            return
        if 1 in bad:
            yield Reject(str(file), "line 1", f"header is not valid UTF-8 at byte offset {bad[1]}; re-save the file as UTF-8", kind="encoding")
            return
        if settings.columns.text not in header:
            yield Reject(
                str(file),
                "line 1",
                f"no {settings.columns.text!r} column (columns: {', '.join(header)}); "
                "name the text column with --text-column",
            )
            return
        row = 0
        first_line = reader.line_num + 1
        while True:
            try:
                fields = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                row += 1
                yield Reject(str(file), f"row {row} (line {reader.line_num})", f"malformed CSV ({exc})")
                first_line = reader.line_num + 1
                continue
            row += 1
            location = f"row {row} (line {first_line})"
            lines = range(first_line, reader.line_num + 1)
            first_line = reader.line_num + 1
            bad_offsets = [bad[n] for n in lines if n in bad]
            if bad_offsets:
                yield Reject(
                    str(file),
                    location,
                    f"not valid UTF-8 at byte offset {bad_offsets[0]}; re-save the file as UTF-8 "
                    "or pass --encoding-fallback (for example cp1252)",
                    kind="encoding",
                )
                continue
            if not fields:
                continue
            if len(fields) != len(header):
                yield Reject(
                    str(file),
                    location,
                    f"malformed row: {len(fields)} fields where the header has {len(header)}; "
                    "check its quoting",
                )
                continue
            yield _row_document(dict(zip(header, fields)), file, row, location, settings)


def _read_parquet(file: Path, settings: Settings) -> Iterator[Document | Reject]:
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(file)
    except Exception as exc:  # pyarrow raises several types for a corrupt file
        yield Reject(str(file), None, f"not a readable Parquet file ({exc})", kind="unreadable")
        return
    names = parquet.schema_arrow.names
    if settings.columns.text not in names:
        yield Reject(
            str(file),
            None,
            f"no {settings.columns.text!r} column (columns: {', '.join(names)}); name the text column with --text-column",
        )
        return
    wanted = [c for c in dict.fromkeys(_column_names(settings.columns) + ["language"]) if c in names]
    row = 0
    try:
        for batch in parquet.iter_batches(batch_size=1024, columns=wanted):
            for record in batch.to_pylist():
                row += 1
                yield _row_document(record, file, row, f"row {row}", settings)
    except Exception as exc:
        yield Reject(str(file), f"after row {row}", f"the rest of the file cannot be read ({exc})", kind="unreadable")


def _column_names(columns: Columns) -> list[str]:
    return [columns.text, columns.published, columns.doc_id, columns.title, columns.source, columns.url]


def documents_from_records(records: Iterable[dict], settings: Settings | None = None, *, path: str = "<records>") -> Iterator[Document | Reject]:
    """Documents from in-memory records (for example a DataFrame's ``to_dict('records')``)."""
    settings = settings or Settings()
    file = Path(path)
    for row, record in enumerate(records, start=1):
        yield _row_document(record, file, row, f"row {row}", settings)
