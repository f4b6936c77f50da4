"""The corpus step: after every document has been processed, the same event told in
several places becomes one, and conflicting claims are paired.

It reads the per-document tables (``documents``, ``claims``, ``events``) and makes

* ``event_mentions``: every event with the canonical event it is a mention of
  (:mod:`analysis.dedup`);
* ``conflicts``: claims whose bounds exclude each other (:mod:`analysis.conflicts`),
  and ``conflict_claims``: the claims in one.

The ``events`` and ``timeline`` tables are views (:mod:`analysis.views`) that join
these to the per-document tables when read. The step rewrites no per-document row,
and sorts no timeline.

Memory stays bounded: DuckDB reads the tables (Parquet files of a run, or frames in
memory) and hands events to de-duplication one group at a time (same type, same year
of ``time_start``) and claims to conflict finding one category and month at a time.
No document text is read: clause text is in the ``events`` rows.

:func:`timeline_step` is the step in ``analysis.pipeline.CORPUS_STEPS`` that every run
ends with; :func:`run_corpus_step` runs it alone on a run's output folder;
:func:`build_corpus_tables` does the same on tables in memory.
"""

from __future__ import annotations

import bisect
import collections
import contextlib
import ctypes
import multiprocessing
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .conflicts import find_conflicts
from .dedup import Mention, MentionStream, extend_group, mention_words, prefix_length, rarest_first
from .engines import available_cores
from .engines.manifest import pipeline_fingerprint
from .query import create_parquet_view, memory_share, register_table_view, spill_to_disk
from .settings import Settings
from .storage import MANIFEST_DIR, parquet_parts, part_stamps, read_json, sync_csv, write_json, write_parquet
from .tables import arrow_to_pandas, schema_of
from .views import EVENT_ROWS, VIEW_TABLES, events_sql, sql_literal, timeline_sql

__all__ = [
    "CORPUS_INPUTS",
    "CORPUS_OUTPUTS",
    "arrow_batches",
    "build_corpus_tables",
    "corpus_tables",
    "run_corpus_step",
    "timeline_step",
]

# Tables the step reads, and tables it writes (``events`` and ``timeline`` are views
# that join them to the documents' tables, see analysis.views).
CORPUS_INPUTS = ("documents", "claims", "events")
CORPUS_OUTPUTS = ("event_mentions", "conflicts", "conflict_claims")

_BATCH_ROWS = 10_000


# ---------------------------------------------------------------------------- entry points


def build_corpus_tables(tables: Mapping[str, pd.DataFrame | pa.Table], settings: Settings | None = None) -> dict[str, pd.DataFrame]:
    """The corpus step on tables in memory.

    Args:
        tables: per-document tables by name (DataFrames as :func:`analysis.read_table`
            returns them, or Arrow tables); a missing one counts as empty.
        settings: thresholds of de-duplication and conflicts.

    Returns:
        ``events`` (with ``canonical_id``/``n_mentions`` of the whole corpus),
        ``event_mentions``, ``conflicts``, ``conflict_claims`` and ``timeline`` as
        DataFrames (the views of :mod:`analysis.views` over the tables in memory).
    """
    settings = settings or Settings()
    out: dict[str, pd.DataFrame] = {}
    with _connection(settings.corpus_memory) as con:
        for name in _VIEW_INPUTS:
            table = _arrow_input(name, tables.get(name))
            if name == "events":  # numbered: the views keep the rows' order
                table = table.append_column("row_in_source", pa.array(range(table.num_rows), pa.int64()))
            con.register(EVENT_ROWS if name == "events" else name, table)
        for name, data in corpus_tables(con, settings):
            table = _concat(name, list(arrow_batches(data)))
            con.register(name, table)
            out[name] = arrow_to_pandas(table)
        for name, sql in (("events", events_sql(order="row_in_source")), ("timeline", timeline_sql())):
            out[name] = arrow_to_pandas(con.sql(sql).to_arrow_table().select(schema_of(name).names).cast(schema_of(name)))
    return out


# The tables the views read besides the step's own.
_VIEW_INPUTS = tuple(name for name in VIEW_TABLES if name not in CORPUS_OUTPUTS)


def run_corpus_step(out_dir: str | os.PathLike, settings: Settings | None = None) -> dict[str, int]:
    """The corpus step alone on the tables of a run's output folder (to redo or time it
    without a run): writes ``event_mentions``, ``conflicts`` and ``conflict_claims``,
    and brings the CSV files a run keeps in line (``events`` and ``timeline`` too).

    Returns:
        Rows written per table.
    """
    from .engines.steps import CorpusContext, corpus_connection

    out = Path(out_dir)
    settings = settings or Settings()
    _step_state(out).unlink(missing_ok=True)  # redone over the whole corpus
    with corpus_connection(out, settings) as connection:
        context = CorpusContext(out, settings, connection)
        timeline_step(context)
        written = dict(context.written)
        for name in [*written, "events", "timeline"]:
            if (out / f"{name}.csv").is_file():
                sync_csv(out, name, connection)
    return written


def arrow_batches(data) -> Iterator[pa.Table]:
    """Arrow tables from what :func:`corpus_tables` yields (a table, an iterable of
    tables, or a DuckDB relation, read in batches)."""
    if isinstance(data, pa.Table):
        yield data
    elif isinstance(data, duckdb.DuckDBPyRelation):
        for batch in data.to_arrow_reader(_BATCH_ROWS):
            yield pa.Table.from_batches([batch])
    else:
        yield from data


# ---------------------------------------------------------------------------- inputs


@contextlib.contextmanager
def _connection(memory: str) -> Iterator[duckdb.DuckDBPyConnection]:
    """A private DuckDB database, one thread, no progress bar (a run shows its own, and
    a worker's would print), that spills sorts and joins to disk beyond ``memory``."""
    con = duckdb.connect(":memory:")
    try:
        con.execute("SET threads = 1")
        con.execute("SET preserve_insertion_order = true")
        con.execute("SET enable_progress_bar = false")
        with spill_to_disk(con, memory):
            yield con
    finally:
        con.close()


def _empty(name: str) -> pa.Table:
    return schema_of(name).empty_table()


def _arrow_input(name: str, table) -> pa.Table:
    if table is None:
        return _empty(name)
    if isinstance(table, pa.Table):
        return table
    schema = schema_of(name)
    if set(schema.names) <= set(table.columns):
        return pa.Table.from_pandas(table[schema.names], schema=schema, preserve_index=False)
    return pa.Table.from_pandas(table, preserve_index=False)


def _concat(name: str, tables: list[pa.Table]) -> pa.Table:
    schema = schema_of(name)
    return pa.concat_tables([t.cast(schema) for t in tables]) if tables else schema.empty_table()


# ---------------------------------------------------------------------------- the step


@dataclass(slots=True)
class PartRows:
    """Rows of a table by part: (file name, rows) in order. With ``whole``, these
    are all its parts; else the table's other parts are kept as they are."""

    parts: Iterator[tuple[str, pa.Table]]
    whole: bool


def corpus_tables(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    folder: str | os.PathLike | None = None,
    added: Mapping[str, Sequence[Path]] | None = None,
    notes: dict[str, str] | None = None,
) -> Iterator[tuple[str, object]]:
    """The corpus step's tables, in order, over a DuckDB connection with a view per
    input table (``event_rows`` for the ``events`` parts): ``event_mentions``,
    ``conflicts`` and ``conflict_claims``.

    ``event_mentions`` lists the events in the order of their rows; from the tables
    of an output folder, it is :class:`PartRows` (a part per ``events`` part). The
    others are Arrow tables. Each table must be written, and made a view of that name
    in ``con``, before the next is asked for.

    Args:
        con: DuckDB with the input tables (in memory, ``event_rows`` has a column
            ``row_in_source`` that numbers them).
        settings: thresholds, workers and memory.
        folder: the output folder the tables are read from, if they are files: on a
            large corpus a worker process then finds the conflicts from the files
            while the events are de-duplicated.
        added: when the only change since the last corpus step over these tables is
            documents added, the parts they are in, by table: the new mentions are
            then clustered against the old ones (see :func:`_extend_mentions`) and the
            conflicts of the new claims' groups found again (:func:`_extend_conflicts`),
            not the whole corpus's. The views of the step's tables must hold that step's.
        notes: receives, as ``timeline``, how many mentions were clustered when only
            the new ones were.
    """
    cores = settings.workers or available_cores()
    if added is not None and folder is not None:
        parts = parquet_parts(folder, "events")
        with _threads(con, cores):  # small joins: nothing runs beside them
            extended = _extend_mentions(con, settings, parts, added["events"], _load_word_counts(folder))
            if extended is not None:
                clustered, changed = extended
                if notes is not None:
                    notes["timeline"] = f"only the {clustered:,} event mention(s) of the documents added were de-duplicated"
                yield "event_mentions", PartRows(_mention_parts(con, changed), whole=False)
                conflicts, flagged = _extend_conflicts(con, settings, added["claims"])
                con.execute("DROP TABLE mention_map")
                yield "conflicts", conflicts
                yield "conflict_claims", _flagged_table(flagged)
                return
    counts = _word_counts(con, cores)
    if folder is not None:
        _save_word_counts(folder, counts)
    with _dedup_pool(con, settings, counts) as pool:
        side = None
        if pool is not None and folder is not None:
            # what does not wait for de-duplication goes to a worker first
            side = pool.submit(_side_job, str(folder), settings)
        with tempfile.TemporaryDirectory(prefix="analysis-mentions-") as spill:
            # the map goes to a file as it is made (the stream reads from ``con``)
            _spill_mention_map(_mentions(con, settings, counts, pool, [side] if side else []), Path(spill) / "map.parquet")
            create_parquet_view(con, "mention_map", [Path(spill) / "map.parquet"], table="event_mentions")
            if folder is not None:
                with _threads(con, cores):  # a sort of small columns: little memory
                    yield "event_mentions", PartRows(_mention_parts(con, parquet_parts(folder, "events")), whole=True)
            else:
                schema = schema_of("event_mentions")
                yield "event_mentions", con.sql(_MENTION_ROWS.format(columns="", events=EVENT_ROWS, order="row_in_source")).to_arrow_table().cast(schema)
            con.execute("DROP VIEW mention_map")
        if side is not None:
            conflicts, flagged = side.result()
        else:
            flagged = set()
            conflicts = _conflicts(con, settings, flagged)
    yield "conflicts", conflicts
    yield "conflict_claims", _flagged_table(flagged)


def _spill_mention_map(mentions: Iterable[pa.Table], path: Path) -> None:
    """Write the event ids, canonical ids and similarities of ``mentions`` to
    ``path`` (every row, in one file, with no compression: it is read once, soon)."""
    schema = schema_of("event_mentions")
    with pq.ParquetWriter(path, schema, compression="none") as writer:
        writer.write_table(schema.empty_table())  # a file even with no rows
        for table in mentions:
            writer.write_table(table)


def _flagged_table(flagged: set[str]) -> pa.Table:
    return pa.table({"claim_id": pa.array(sorted(flagged), pa.string())})


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> Iterator[dict]:
    """The rows of a query as dicts, read in batches (what ``to_pylist`` gives, built
    from the columns in one pass: pyarrow's own indexes every cell)."""
    for batch in con.sql(sql).to_arrow_reader(_BATCH_ROWS):
        names = batch.schema.names
        for values in zip(*map(_python_values, batch.columns)):
            yield dict(zip(names, values))


def _python_values(column: pa.Array) -> list:
    """A column as Python objects. Dates go through their distinct values: making a
    Python date is slow, and a corpus has few distinct dates."""
    if pa.types.is_date(column.type) and len(column) > 64:
        encoded = column.dictionary_encode()
        dates = encoded.dictionary.to_pylist()
        dates.append(None)  # where the indices are null
        return list(map(dates.__getitem__, encoded.indices.fill_null(len(dates) - 1).to_pylist()))
    return column.to_pylist()


def _groups(rows: Iterable[dict], key: Callable[[dict], tuple]) -> Iterator[list[dict]]:
    """Rows sorted by group, one group at a time."""
    group: list[dict] = []
    current = None
    for row in rows:
        k = key(row)
        if group and k != current:
            yield group
            group = []
        current = k
        group.append(row)
    if group:
        yield group


# Each event row carries its document's most named actors (``topics``): mentions in two
# documents are the same event only if the documents share one (two company reports
# of "net rose ... a share" are not one event).
_EVENT_GROUPS = """
    WITH named AS (
        SELECT doc_id, trim(unnest(string_split(actors, ';'))) AS actor FROM {events} WHERE actors IS NOT NULL{of_docs}
    ),
    counted AS (SELECT doc_id, actor, count(*) AS n FROM named GROUP BY doc_id, actor),
    topics AS (
        SELECT doc_id, list(actor ORDER BY n DESC, actor)[1:{topics}] AS topics FROM counted GROUP BY doc_id
    ),
    docs AS (SELECT doc_id, any_value(published) AS published FROM documents GROUP BY doc_id)
    SELECT e.event_id, e.doc_id, e.sent_idx, e.start, e."end", e.type, e.negated, e.speaker, e.actors,
           e.time_start, e.time_end, CASE WHEN e.type = 'statement' THEN e.content ELSE e.text END AS compared,
           year(e.time_start) AS time_window, t.topics{columns}
    FROM {events} e LEFT JOIN docs d USING (doc_id) LEFT JOIN topics t USING (doc_id)
    {where}
    ORDER BY {order}
"""
# The order de-duplication reads events in: by group (type, year of time_start), then
# canonical order (publication, document, position); the rerun replay's keys sort as it.
_GROUP_ORDER = "e.type, year(e.time_start) NULLS FIRST, d.published NULLS LAST, e.doc_id, e.start, e.event_id"


def _event_groups_sql(events: str = EVENT_ROWS, *, where: str = "", of_docs: str = "", columns: str = "") -> str:
    """SQL: the rows de-duplication reads (:data:`_EVENT_GROUPS`) from the events
    relation ``events``: all of them, or those ``where`` (an SQL condition on ``e``)
    keeps, with the most named actors of the documents ``of_docs`` (an SQL relation of
    ``doc_id``; by default every document) and extra ``columns`` (``, d.published``)."""
    return _EVENT_GROUPS.format(
        events=events,
        topics=_TOPICS,
        order=_GROUP_ORDER,
        where=f"WHERE {where}" if where else "",
        of_docs=f" AND doc_id IN (SELECT doc_id FROM {of_docs})" if of_docs else "",
        columns=columns,
    )


# How many of a document's most named actors say what it is about.
_TOPICS = 5


# How often each lower-cased word occurs in the compared text of events (statements:
# what they report): de-duplication compares rare words first. A fixed function of the
# word, so the prefix filter stays exact whatever it counts; the vocabulary bounds it.
# Words are split at spaces (punctuation stays attached): half the time of a split at
# every non-letter, and as good an order (dedup adds the counts up by compared form).
_WORD_COUNTS = f"""
    SELECT w, count(*) AS n
    FROM (SELECT unnest(string_split(lower(CASE WHEN type = 'statement' THEN content ELSE text END), ' ')) AS w
          FROM {EVENT_ROWS})
    WHERE length(w) > 1
    GROUP BY w
"""


@contextlib.contextmanager
def _dedup_pool(con: duckdb.DuckDBPyConnection, settings: Settings, counts: dict[str, int]) -> Iterator[ProcessPoolExecutor | None]:
    """Worker processes for de-duplication (and conflicts) when there are more cores
    than one and events enough to repay starting them (``_DEDUP_PARALLEL_ROWS`` per
    process); else None. This process works too, so the pool has one process fewer.
    Meanwhile DuckDB here, which only sorts the events (it spills), gets
    ``_DEDUP_MEMORY`` of the step's memory."""
    workers = settings.workers or available_cores()
    if workers > 1:
        workers = min(workers, 1 + con.execute(f"SELECT count(*) FROM {EVENT_ROWS}").fetchall()[0][0] // _DEDUP_PARALLEL_ROWS)
    if workers <= 1:
        yield None
        return
    con.execute(f"SET memory_limit = '{memory_share(settings.corpus_memory, _DEDUP_MEMORY)}'")
    try:
        context = multiprocessing.get_context("forkserver")
        with ProcessPoolExecutor(workers - 1, mp_context=context, initializer=_start_dedup_worker, initargs=(settings, counts)) as pool:
            yield pool
    finally:
        con.execute(f"SET memory_limit = '{settings.corpus_memory}'")


def _word_counts(con: duckdb.DuckDBPyConnection, threads: int) -> dict[str, int]:
    """How often each word occurs in the events' compared text (``_WORD_COUNTS``)."""
    with _threads(con, threads):  # few groups (the vocabulary): little memory
        return {w: n for batch in con.sql(_WORD_COUNTS).to_arrow_reader(_BATCH_ROWS) for w, n in zip(*batch.to_pydict().values())}


def _mentions(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    counts: dict[str, int],
    pool: ProcessPoolExecutor | None = None,
    other_jobs: Sequence[Future] = (),
) -> Iterator[pa.Table]:
    """``event_mentions`` in batches: the events in group order, each with its
    canonical event. Given a pool, runs of whole groups are de-duplicated in its
    worker processes (groups share nothing but the word order) and here, in order;
    a run goes to the pool while it has room (``other_jobs``, the pool's other work,
    taking some), else this process takes it."""
    events = con.sql(_event_groups_sql())
    if pool is None:
        stream = MentionStream(settings.dedup_threshold, settings.dedup_min_words, counts)
        for batch in events.to_arrow_reader(_BATCH_ROWS):
            yield _with_canonical(batch, *stream.canonical(_dedup_columns(batch)))
        return
    here = MentionStream(settings.dedup_threshold, settings.dedup_min_words, counts)
    slots = 2 * _pool_size(pool)  # runs queued for the workers: one running and one waiting each
    pending: collections.deque[tuple[pa.Table, Future]] = collections.deque()
    for run in _group_runs(events.to_arrow_reader(_BATCH_ROWS), _DEDUP_RUN_ROWS):
        if sum(not future.done() for future in [*other_jobs, *(f for _, f in pending)]) < slots:
            pending.append((run, pool.submit(_dedup_run, run)))
        else:  # the workers are busy (with runs or their side job): this process takes the run
            done_here: Future = Future()
            done_here.set_result(here.fresh().canonical(_dedup_columns(run)))
            pending.append((run, done_here))
        while pending and (pending[0][1].done() or len(pending) > 2 * slots):  # memory holds a few runs
            done, future = pending.popleft()
            yield _with_canonical(done, *future.result())
    while pending:
        done, future = pending.popleft()
        yield _with_canonical(done, *future.result())


def _pool_size(pool: ProcessPoolExecutor) -> int:
    return pool._max_workers  # not public in concurrent.futures, and set once


# Mentions per task of a worker process at least (whole groups): fewer, larger tasks
# than groups, as each costs a round trip of its columns.
_DEDUP_RUN_ROWS = 10_000
# Shares of the step's memory DuckDB gets while worker processes de-duplicate: here
# (sorting the events; it spills) and in the worker's side job (:func:`_side_job`).
# Together half of it, as the workers take memory of their own.
_DEDUP_MEMORY = 0.5
_JOB_MEMORY = 0.25
# Events per worker process of de-duplication at least (starting one costs about a
# second; below this one process is done sooner).
_DEDUP_PARALLEL_ROWS = 100_000
# The stream of a worker process of the corpus step (set by its initializer).
_worker_stream: MentionStream | None = None


def _start_dedup_worker(settings: Settings, counts: dict[str, int]) -> None:
    global _worker_stream
    _worker_stream = MentionStream(settings.dedup_threshold, settings.dedup_min_words, counts)


def _dedup_run(run: pa.Table) -> tuple[list[str], list[float]]:
    """Canonical ids and similarities of a run of whole groups, in a worker."""
    return _worker_stream.fresh().canonical(_dedup_columns(run))


def _dedup_columns(events: pa.Table | pa.RecordBatch) -> dict[str, list]:
    # columns, not row dicts; dates as day numbers (de-duplication only compares them)
    return {
        name: (column.cast(pa.int32()) if pa.types.is_date(column.type) else column).to_pylist()
        for name, column in zip(events.schema.names, events.columns)
    }


def _with_canonical(events: pa.Table | pa.RecordBatch, canonical: list[str], similarity: list[float]) -> pa.Table:
    schema = schema_of("event_mentions")
    made = {"canonical_id": pa.array(canonical, pa.string()), "similarity": pa.array(similarity, pa.float64())}
    return pa.table([made[name] if name in made else events.column(name) for name in schema.names], names=schema.names).cast(schema)


def _group_runs(batches: Iterable[pa.RecordBatch], rows: int) -> Iterator[pa.Table]:
    """The events (sorted by group: type, then year) as tables of whole groups, each of
    at least ``rows`` rows (but the last) unless one group is larger."""
    held: list[pa.RecordBatch] = []
    held_rows = 0
    boundary = 0  # where the last group in ``held`` begins
    last_key: tuple | None = None
    for batch in batches:
        keys = list(zip(batch.column("type").to_pylist(), batch.column("time_window").to_pylist()))
        for i in range(len(keys) - 1, -1, -1):
            if keys[i] != (keys[i - 1] if i else last_key):
                if i or last_key is not None:
                    boundary = held_rows + i
                break
        last_key = keys[-1] if keys else last_key
        held.append(batch)
        held_rows += batch.num_rows
        if boundary >= rows:
            table = pa.Table.from_batches(held)
            yield table.slice(0, boundary).combine_chunks()
            rest = table.slice(boundary)
            held, held_rows, boundary = rest.combine_chunks().to_batches(), rest.num_rows, 0
    if held_rows:
        yield pa.Table.from_batches(held).combine_chunks()


# ---------------------------------------------------------------------------- reruns


def _extend_mentions(
    con: duckdb.DuckDBPyConnection, settings: Settings, parts: Sequence[Path], added: Sequence[Path], counts: Mapping[str, int]
) -> tuple[int, list[Path]] | None:
    """The canonical event of every event after a run that only added documents
    (``parts`` are the ``events`` parts, of which ``added`` are theirs; every other part
    is as the last corpus step left it, and the ``event_mentions`` view holds that
    step's table), in the temporary table ``mention_map`` (``event_id``,
    ``canonical_id``, ``similarity``): what
    clustering the whole corpus gives, with only the new mentions clustered, each
    against the old mentions of its group that may be similar enough to it (those
    holding one of its rarer words and as many of its words as similarity needs), whose
    choices it may change (:func:`~analysis.dedup.extend_group`). A group where that
    cannot be told from them (or whose new mentions hold too few ASCII words to look
    for) is clustered again as a whole. ``counts`` (word counts of the last step over
    the whole corpus) tell the rarer words.

    Returns:
        The number of new mentions and the ``events`` parts whose ``event_mentions``
        part changes (the parts added, and those of old mentions whose canonical event
        changes); or None, with no table made, when the old table does not cover the
        old events (then cluster the whole corpus).
    """
    threshold, min_words = settings.dedup_threshold, settings.dedup_min_words
    con.execute("CREATE OR REPLACE TEMP TABLE old_mentions AS SELECT event_id, canonical_id, similarity FROM event_mentions")
    create_parquet_view(con, "added_events", list(added), table="events")
    new_rows = con.sql(_event_groups_sql("added_events", columns=", d.published")).to_arrow_table()
    # the old table's ids are those of the old parts (unchanged since), the new ones
    # those of the added parts: equal counts say that every event will have its row
    old = con.execute("SELECT count(*) FROM old_mentions").fetchall()[0][0]
    if old + new_rows.num_rows != con.execute(f"SELECT count(*) FROM {EVENT_ROWS}").fetchall()[0][0]:
        con.execute("DROP TABLE old_mentions")
        return None
    rarity = rarest_first(counts)
    new_by_group: dict[tuple, list[tuple[tuple, Mention]]] = collections.defaultdict(list)
    probes: list[tuple[str, int, int, str]] = []  # group, new mention, word
    words: list[tuple[int, str, int]] = []  # new mention, word, least shared
    again: set[tuple] = set()  # groups to cluster again as a whole
    for x, (key, mention, window) in enumerate(_keyed_mentions(new_rows)):
        group = (mention.type, window)
        new_by_group[group].append((key, mention))
        if len(mention.words) < min_words:
            continue
        # A similar mention shares `least` of its words, so any `need` of them hold one
        # it shares: those probe the old mentions, the rarest ASCII ones (SQL lower-cases
        # those the way Python does) and not short ones (inside many other words).
        need = prefix_length(len(mention.words), threshold)
        least = len(mention.words) - need + 1
        forms = sorted((w for w in mention.words if w.isascii()), key=lambda w: (len(w) < _PROBE_CHARS, rarity(w)))
        if len(forms) < need:
            again.add(group)
            continue
        probes += [(mention.type, _window_key(window), x, form) for form in forms[:need]]
        # of the words it shares, all but the non-ASCII ones are ASCII ones it holds
        words += [(x, form, max(1, least - (len(mention.words) - len(forms)))) for form in forms]
    old_by_group = _old_candidates(con, probes, words)
    changes: dict[str, tuple[str, float]] = {}
    for group, new in new_by_group.items():
        found = None if group in again else extend_group(old_by_group.get(group, []), new, threshold, min_words)
        if found is None:
            again.add(group)
        else:
            changes.update(found)
    for kind, window in sorted(again, key=lambda g: (g[0], g[1] is not None, g[1] or 0)):
        changes.update(_cluster_group(con, settings, kind, window))
    con.register(
        "changed_mentions",
        pa.table(
            {
                "event_id": pa.array(list(changes), pa.string()),
                "canonical_id": pa.array([c for c, _ in changes.values()], pa.string()),
                "similarity": pa.array([v for _, v in changes.values()], pa.float64()),
            }
        ),
    )
    # (a group clustered again gives every mention of it, most as they were)
    sources = ", ".join(sql_literal(part) for part in parts)
    changed_parts = {
        Path(name)
        for (name,) in con.execute(
            f"""
            SELECT DISTINCT filename FROM read_parquet([{sources}], filename = true)
            WHERE event_id IN (
                SELECT c.event_id FROM changed_mentions c LEFT JOIN old_mentions o USING (event_id)
                WHERE o.event_id IS NULL OR c.canonical_id IS DISTINCT FROM o.canonical_id
                   OR c.similarity IS DISTINCT FROM o.similarity
            )
            """
        ).fetchall()
    }
    rewritten = sorted(changed_parts | {Path(part) for part in added})
    # the map of the events of the parts to write: as changed, else as they were
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE mention_map AS
        SELECT e.event_id,
               CASE WHEN c.event_id IS NULL THEN o.canonical_id ELSE c.canonical_id END AS canonical_id,
               CASE WHEN c.event_id IS NULL THEN o.similarity ELSE c.similarity END AS similarity
        FROM read_parquet([{", ".join(sql_literal(part) for part in rewritten) or "NULL"}]) e
        LEFT JOIN changed_mentions c USING (event_id) LEFT JOIN old_mentions o USING (event_id)
        """
        if rewritten
        else "CREATE OR REPLACE TEMP TABLE mention_map (event_id VARCHAR, canonical_id VARCHAR, similarity DOUBLE)"
    )
    con.execute("DROP TABLE old_mentions")
    return new_rows.num_rows, rewritten


# ``event_mentions`` rows: an event, its canonical event and how similar they are.
_MENTION_ROWS = """
    SELECT m.canonical_id, e.event_id, e.doc_id, e.sent_idx, e.start, e."end", m.similarity{columns}
    FROM {events} e JOIN mention_map m USING (event_id)
    ORDER BY {order}
"""


def _mention_parts(con: duckdb.DuckDBPyConnection, parts: Sequence[Path]) -> Iterator[tuple[str, pa.Table]]:
    """``event_mentions`` of the ``events`` ``parts`` from ``mention_map``: by part
    (the part of ``event_mentions`` of the same name), in the order of the part's
    rows."""
    if not parts:
        return
    sources = ", ".join(sql_literal(part) for part in parts)
    rows = con.sql(
        _MENTION_ROWS.format(
            columns=", e.filename",
            events=f"read_parquet([{sources}], filename = true, file_row_number = true)",
            order="e.filename, e.file_row_number",
        )
    )
    schema = schema_of("event_mentions")
    for batch in rows.to_arrow_reader(_BATCH_ROWS):
        names = batch.column("filename").to_pylist()
        table = pa.Table.from_batches([batch]).select(schema.names).cast(schema)
        at = 0
        while at < len(names):
            end = bisect.bisect_right(names, names[at], at)  # one file's rows are consecutive
            yield Path(names[at]).name, table.slice(at, end - at)
            at = end


# Words shorter than this are probes of last resort ("u" of "u.s." is in most texts).
_PROBE_CHARS = 4
# The window of undated events in SQL joins (no year is this far back), and an events
# row's window in SQL.
_NO_WINDOW = -10_000_000
_WINDOW_OF_E = f"coalesce(year(e.time_start), {_NO_WINDOW})"


def _window_key(window: int | None) -> int:
    return _NO_WINDOW if window is None else window


def _keyed_mentions(rows: pa.Table) -> Iterator[tuple[tuple, Mention, int | None]]:
    """Rows of :func:`_event_groups_sql` (with ``published``) as (order key, mention,
    time window): the key sorts as the SQL orders a group (publication, nulls last,
    then document, position, id)."""
    columns = _dedup_columns(rows)
    for values in zip(*(columns[name] for name in ("event_id", "doc_id", "sent_idx", "type", "negated", "speaker", "time_start", "time_end", "compared", "actors", "topics", "time_window", "published", "start"))):
        event_id, doc_id, sent_idx, kind, negated, speaker, start, end, compared, actors, topics, window, published, offset = values
        mention = Mention.of_row(event_id, doc_id, sent_idx, kind, negated, speaker, start, end, mention_words(compared), actors, topics)
        yield (published is None, published or 0, doc_id, offset, event_id), mention, window


def _old_candidates(
    con: duckdb.DuckDBPyConnection, probes: list[tuple[str, int, int, str]], words: list[tuple[int, str, int]]
) -> dict[tuple, list[tuple[tuple, Mention, str]]]:
    """The old mentions that may be similar enough to a new one: those of its group
    (``probes``: type, window, new mention, word) that hold one of its probe words and
    the least number of its words it says (``words``: new mention, word, least), with
    the canonical mention of each and the members of those that are canonical, as
    (order key, mention, canonical id) by group: what
    :func:`~analysis.dedup.extend_group` needs to know. A text holds a word when its
    lower-cased text holds it (words are stems: prefixes of the text's words)."""
    if not probes:
        return {}
    con.register("probes", pa.table({name: pa.array(values) for name, values in zip(("type", "win", "x", "form"), zip(*probes))}))
    con.register("new_words", pa.table({name: pa.array(values) for name, values in zip(("x", "form", "least"), zip(*words))}))
    # the lower-cased text of the old events of the groups probed, once each; İ and K
    # are letters whose lower case in Python holds an ASCII letter (İ's, then a mark
    # that ends a word)
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE probed_text AS
        SELECT e.event_id, e.type, {_WINDOW_OF_E} AS win,
               lower(replace(replace(CASE WHEN e.type = 'statement' THEN e.content ELSE e.text END, 'İ', 'i '), 'K', 'k')) AS low
        FROM {EVENT_ROWS} e JOIN old_mentions USING (event_id)
        JOIN (SELECT DISTINCT type, win FROM probes) g ON g.type = e.type AND g.win = {_WINDOW_OF_E}
        """
    )
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE candidate_ids AS
        WITH hits AS (
            SELECT DISTINCT t.event_id, p.x FROM probed_text t
            JOIN probes p ON p.type = t.type AND p.win = t.win WHERE contains(t.low, p.form)
        )
        SELECT DISTINCT event_id FROM (
            SELECT h.event_id FROM hits h JOIN probed_text t USING (event_id) JOIN new_words w ON w.x = h.x
            WHERE contains(t.low, w.form) GROUP BY h.event_id, h.x HAVING count(*) >= any_value(w.least)
        )
        """
    )
    con.execute("DROP TABLE probed_text")
    # with the canonical mention of each, and the members of each that is canonical
    con.execute(
        "INSERT INTO candidate_ids SELECT canonical_id FROM old_mentions WHERE event_id IN (SELECT event_id FROM candidate_ids) "
        "UNION SELECT event_id FROM old_mentions WHERE canonical_id IN (SELECT event_id FROM candidate_ids) "
        "EXCEPT SELECT event_id FROM candidate_ids"
    )
    con.execute(f"CREATE OR REPLACE TEMP TABLE candidate_docs AS SELECT DISTINCT doc_id FROM {EVENT_ROWS} WHERE event_id IN (SELECT event_id FROM candidate_ids)")
    rows = con.sql(
        _event_groups_sql(where="e.event_id IN (SELECT event_id FROM candidate_ids)", of_docs="candidate_docs", columns=", d.published")
    ).to_arrow_table()
    canonical = dict(con.execute("SELECT event_id, canonical_id FROM old_mentions WHERE event_id IN (SELECT event_id FROM candidate_ids)").fetchall())
    con.execute("DROP TABLE candidate_ids")
    con.execute("DROP TABLE candidate_docs")
    by_group: dict[tuple, list[tuple[tuple, Mention, str]]] = collections.defaultdict(list)
    for key, mention, window in _keyed_mentions(rows):
        by_group[(mention.type, window)].append((key, mention, canonical[mention.event_id]))
    return by_group


def _cluster_group(con: duckdb.DuckDBPyConnection, settings: Settings, kind: str, window: int | None) -> dict[str, tuple[str, float]]:
    """Every mention of one group clustered again (old and new together)."""
    group = {"kind": kind, "win": _window_key(window)}
    in_group = f"e.type = $kind AND {_WINDOW_OF_E} = $win"
    con.execute(f"CREATE OR REPLACE TEMP TABLE group_docs AS SELECT DISTINCT doc_id FROM {EVENT_ROWS} e WHERE {in_group}", group)
    rows = con.sql(_event_groups_sql(where=in_group, of_docs="group_docs"), params=group).to_arrow_table()
    con.execute("DROP TABLE group_docs")
    columns = _dedup_columns(rows)
    ids, similarities = MentionStream(settings.dedup_threshold, settings.dedup_min_words).canonical(columns)
    return dict(zip(columns["event_id"], zip(ids, similarities)))


# The groups conflicts are found in: claims of one category whose time starts in one month.
_CLAIM_GROUP = "date_trunc('month', {claim}.time_start)"
_CLAIM_GROUPS = f"""
    SELECT c.claim_id, c.doc_id, c.start, c.value, c.low, c.high, c.qualifier, c.noun, c.noun_head, c.category,
           c.actor, c.location, c.modality, c.speaker, c.time_start, c.time_end, c.time_basis,
           coalesce(d.source, d.title, c.doc_id) AS source, {_CLAIM_GROUP.format(claim="c")} AS time_window
    FROM claims c LEFT JOIN (SELECT doc_id, any_value(source) AS source, any_value(title) AS title,
                                    any_value(published) AS published FROM documents GROUP BY doc_id) d USING (doc_id)
    {{of_groups}}
    WHERE c.category IS NOT NULL AND c.time_start IS NOT NULL
    ORDER BY c.category, time_window, d.published NULLS LAST, c.doc_id, c.start, c.claim_id
"""


def _conflict_rows(con: duckdb.DuckDBPyConnection, settings: Settings, flagged: set[str], of_groups: str = "") -> list[dict]:
    """Conflicts among the claims, one group (category, month) at a time: of every
    group, or of those in the relation ``of_groups`` (``category``, ``time_window``).
    ``flagged`` receives the ids of the claims in one."""
    semi = f"SEMI JOIN {of_groups} g ON g.category = c.category AND g.time_window = {_CLAIM_GROUP.format(claim='c')}" if of_groups else ""
    rows: list[dict] = []
    for group in _groups(_rows(con, _CLAIM_GROUPS.format(of_groups=semi)), lambda r: (r["category"], r["time_window"])):
        rows.extend(find_conflicts(group, settings.conflict_time_overlap, settings.conflict_approx_tolerance, flagged))
    return rows


def _conflicts_table(rows: list[dict], kept: pa.Table | None = None) -> pa.Table:
    """``conflicts`` from rows of :func:`_conflict_rows` (and ``kept`` rows), in its
    order: by time, then id."""
    table = pa.Table.from_pylist(rows, schema=schema_of("conflicts"))
    if kept is not None:
        table = pa.concat_tables([kept.cast(table.schema), table])
    return table.sort_by([("time_start", "ascending"), ("conflict_id", "ascending")])


def _conflicts(con: duckdb.DuckDBPyConnection, settings: Settings, flagged: set[str]) -> pa.Table:
    return _conflicts_table(_conflict_rows(con, settings, flagged))


def _extend_conflicts(con: duckdb.DuckDBPyConnection, settings: Settings, added: Sequence[Path]) -> tuple[pa.Table, set[str]]:
    """``conflicts`` and the claims in one after a run that only added documents
    (their ``claims`` parts are ``added``; the ``conflicts`` and ``conflict_claims``
    views hold the last step's tables): conflicts are only ever found within a group
    (category, month), so the groups the new claims fall in are compared again, and
    the other groups' rows are kept."""
    create_parquet_view(con, "added_claims", list(added), table="claims")
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE touched_groups AS SELECT DISTINCT category, {_CLAIM_GROUP.format(claim='a')} AS time_window "
        "FROM added_claims a WHERE category IS NOT NULL AND time_start IS NOT NULL"
    )
    flagged: set[str] = set()
    rows = _conflict_rows(con, settings, flagged, of_groups="touched_groups")
    # a conflict starts when the later of its claims does: in the month of both
    kept = con.sql(
        "SELECT * FROM conflicts k ANTI JOIN touched_groups g "
        f"ON g.category = k.category AND g.time_window = {_CLAIM_GROUP.format(claim='k')}"
    ).to_arrow_table()
    flagged.update(
        claim_id
        for (claim_id,) in con.execute(
            "SELECT claim_id FROM conflict_claims JOIN claims c USING (claim_id) ANTI JOIN touched_groups g "
            f"ON g.category = c.category AND g.time_window = {_CLAIM_GROUP.format(claim='c')}"
        ).fetchall()
    )
    con.execute("DROP TABLE touched_groups")
    return _conflicts_table(rows, kept), flagged


def _side_job(source: str, settings: Settings) -> tuple[pa.Table, set[str]]:
    """In a worker process, while this one de-duplicates the events, the conflicts
    (:func:`_conflicts`: the table and the ids of claims in one), from the
    per-document tables of the output folder ``source``."""
    with _connection(memory_share(settings.corpus_memory, _JOB_MEMORY)) as con:
        for name in ("documents", "claims"):
            register_table_view(con, source, name)
        flagged: set[str] = set()
        conflicts = _conflicts(con, settings, flagged)
    _release_memory()  # the worker goes on de-duplicating: it need not keep the job's peak
    return conflicts, flagged


def _release_memory() -> None:
    """Give memory freed by Arrow and by C allocations back to the system (glibc's
    ``malloc_trim`` where there is one)."""
    pa.default_memory_pool().release_unused()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass



def timeline_step(ctx) -> None:
    """The corpus step as a step of the engine's corpus-step hook: ``ctx`` gives a
    DuckDB ``connection`` with a view per table, the run's ``settings``,
    ``write(name, data)`` (replaces a table and makes it a view) and ``parts(name)``
    (a table's Parquet parts).

    When the last step's tables were made from the same parts of every input table
    (same code and settings), nothing is done; when the run only added parts (documents
    added, none changed or removed), only the new mentions are clustered (see
    :func:`corpus_tables`)."""
    state = _step_state(ctx.out_dir)
    added = _added_parts(read_json(state), ctx)
    if added is not None and not any(added.values()):
        ctx.notes["timeline"] = "nothing new since its last run, tables kept"
        return
    state.unlink(missing_ok=True)  # a step cut short leaves none: the next one starts over
    # the timeline is a view now; a folder of it is an older release's, out of date
    shutil.rmtree(Path(ctx.out_dir) / "timeline", ignore_errors=True)
    for name, data in corpus_tables(ctx.connection, ctx.settings, ctx.out_dir, added, notes=ctx.notes):
        if isinstance(data, PartRows):
            ctx.write_parts(name, data.parts, keep_others=not data.whole)
        else:
            ctx.write(name, data)
    write_json(
        state,
        {
            "fingerprint": pipeline_fingerprint(ctx.settings),
            "parts": {name: part_stamps(ctx.parts(name)) for name in (*CORPUS_INPUTS, "event_mentions")},
        },
    )


def _save_word_counts(folder: str | os.PathLike, counts: Mapping[str, int]) -> None:
    """Keep the word counts of a step over the whole corpus for the next reruns (they
    only order words: counts a few documents old serve as well)."""
    table = pa.table({"word": pa.array(list(counts), pa.string()), "n": pa.array(list(counts.values()), pa.int64())})
    write_parquet(table, _words_file(folder))


def _load_word_counts(folder: str | os.PathLike | None) -> dict[str, int]:
    path = _words_file(folder) if folder is not None else None
    if path is None or not path.is_file():
        return {}
    table = pq.read_table(path)
    return dict(zip(table.column("word").to_pylist(), table.column("n").to_pylist()))


def _words_file(folder: str | os.PathLike) -> Path:
    return Path(folder) / MANIFEST_DIR / "corpus_words.parquet"


def _step_state(out_dir: str | os.PathLike) -> Path:
    """What the last corpus step was made from (see :func:`_added_parts`)."""
    return Path(out_dir) / MANIFEST_DIR / "corpus_step.json"


def _added_parts(state: Mapping, ctx) -> dict[str, list[Path]] | None:
    """The parts of each input table added since the last corpus step (whose ``state``
    records the pipeline fingerprint and the parts of the input tables and of
    ``event_mentions`` it left), or None when anything else changed: a part rewritten
    or removed (documents changed or removed), other code or settings, or no state (the
    step was cut short)."""
    if not state or state.get("fingerprint") != pipeline_fingerprint(ctx.settings):
        return None
    recorded = state.get("parts", {})
    if part_stamps(ctx.parts("event_mentions")) != recorded.get("event_mentions"):
        return None
    added = {}
    for name in CORPUS_INPUTS:
        parts = ctx.parts(name)
        old = {tuple(stamp) for stamp in recorded.get(name, [])}
        stamps = [tuple(stamp) for stamp in part_stamps(parts)]
        if name not in recorded or not old <= set(stamps):
            return None
        added[name] = [part for part, stamp in zip(parts, stamps) if stamp not in old]
    return added


@contextlib.contextmanager
def _threads(con: duckdb.DuckDBPyConnection, threads: int) -> Iterator[None]:
    """DuckDB on ``threads`` threads for the block, one after (the corpus step's
    large joins need one thread to stay within their memory)."""
    con.execute(f"SET threads = {max(1, int(threads))}")
    try:
        yield
    finally:
        con.execute("SET threads = 1")
