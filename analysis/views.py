"""The tables a run serves through views: ``events`` and ``timeline``.

The documents' tables are written once, by the batch that processed them, and never
rewritten. What the corpus step adds to them is kept in its own small tables:
``event_mentions`` (each event's canonical event) and ``conflict_claims`` (the
claims in a conflict). The corpus-wide columns are joined in when a table is read.

* ``events``: the rows of the ``events`` parts, with ``canonical_id`` and
  ``n_mentions`` from ``event_mentions``.
* ``timeline``: every canonical event and every claim on one time axis, sorted by
  ``time_start``, ``kind``, ``doc_id``, ``start`` and ``item_id``. It carries the
  document's source, the sentence, a short label, the mention count and whether a claim
  is in a conflict.

So a rerun that adds ten documents to a large corpus writes their parts and the step's
small tables. It rewrites no row of the other documents, and sorts nothing.
:func:`analysis.read_table`, :func:`analysis.query`, ``python -m analysis query``, the
CSV files and the charts all read these views.

The SQL reads relations by name. ``event_rows`` is the ``events`` parts as written; the
other names are the tables themselves (``documents``, ``sentences``, ``timexes``,
``claims``, ``event_mentions``, ``conflict_claims``).
"""

from __future__ import annotations

import functools
import os

from .lexicons import load_lexicon

__all__ = ["EVENT_ROWS", "VIEWS", "VIEW_INPUTS", "VIEW_TABLES", "count_sql", "events_sql", "sql_literal", "timeline_sql", "view_sql"]

# The name of the ``events`` parts as written, under the view that completes them.
EVENT_ROWS = "event_rows"

# Each view, and the written tables it needs: without ``event_mentions`` (no corpus
# step yet) there is no timeline, and events are their own canonical events.
VIEWS = {
    "events": ("events",),
    "timeline": ("documents", "sentences", "timexes", "claims", "events", "event_mentions"),
}
# Each view, and every written table it reads when there (what its rows depend on).
VIEW_INPUTS = {
    "events": ("events", "event_mentions"),
    "timeline": (*VIEWS["timeline"], "conflict_claims"),
}
# Every table a view reads, once each.
VIEW_TABLES = tuple(dict.fromkeys(table for inputs in VIEW_INPUTS.values() for table in inputs))

# The timeline's order (item_id is unique, so the order is total).
TIMELINE_ORDER = "time_start NULLS LAST, kind, doc_id, start, item_id"


def view_sql(name: str, present: set[str] | frozenset[str]) -> str:
    """SQL of the view ``name`` (one of :data:`VIEWS`) over the relations ``present``
    (the tables a run wrote; a missing ``event_mentions`` or ``conflict_claims`` counts
    as empty)."""
    if name == "events":
        return events_sql(mapped="event_mentions" in present)
    if name == "timeline":
        return timeline_sql(flagged="conflict_claims" in present)
    raise KeyError(f"no view {name!r}; views: {', '.join(VIEWS)}")


def count_sql(name: str) -> str:
    """SQL: the number of rows of the view ``name``, without making them (a timeline
    row per claim and per event that is no other's mention; ``events`` has a row per
    written row, which the Parquet footers count)."""
    if name == "timeline":
        # (event_mentions is made from the events there are: each of its rows is one)
        return (
            f"SELECT (SELECT count(*) FROM claims) + (SELECT count(*) FROM {EVENT_ROWS}) "
            "- (SELECT count(*) FROM event_mentions WHERE canonical_id <> event_id)"
        )
    raise KeyError(f"no view {name!r}; views: {', '.join(VIEWS)}")


def _mention_counts() -> str:
    return "SELECT canonical_id, count(*)::INTEGER AS n FROM event_mentions GROUP BY canonical_id"


def events_sql(*, mapped: bool = True, rows: str = EVENT_ROWS, order: str = "") -> str:
    """SQL: the ``events`` rows (of the relation ``rows``) with the corpus-wide
    ``canonical_id`` and ``n_mentions`` (each event its own, when not ``mapped``), in
    ``order`` if given."""
    if not mapped:
        return (
            f"SELECT * REPLACE (event_id AS canonical_id, 1::INTEGER AS n_mentions) FROM {rows}"
            + (f" ORDER BY {order}" if order else "")
        )
    return f"""
    SELECT e.* REPLACE (coalesce(m.canonical_id, e.event_id) AS canonical_id, coalesce(n.n, 1)::INTEGER AS n_mentions)
    FROM {rows} e
    LEFT JOIN event_mentions m USING (event_id)
    LEFT JOIN ({_mention_counts()}) n ON n.canonical_id = coalesce(m.canonical_id, e.event_id)
    {f"ORDER BY {order}" if order else ""}
    """


@functools.cache
def label_settings() -> tuple[tuple[tuple[str, str], ...], int]:
    """The words a claim's label puts before its figure, by qualifier, and the longest
    label (``lexicons/timeline.yaml``)."""
    lex = load_lexicon("timeline.yaml")
    return tuple((str(k), str(v)) for k, v in lex["qualifier_words"].items()), int(lex["label_chars"])


def sql_literal(text: str | os.PathLike) -> str:
    """A string (or a path) as an SQL string literal."""
    return "'" + str(text).replace("'", "''") + "'"


def _short(column: str, limit: int) -> str:
    """SQL: the column cut to ``limit`` characters at a word, with "…" when cut."""
    return (
        f"CASE WHEN length({column}) <= {limit} THEN {column} "
        f"ELSE regexp_replace(left({column}, {limit - 1}), '\\s+\\S*$', '') || '…' END"
    )


def timeline_sql(*, flagged: bool = True) -> str:
    """SQL: the timeline, sorted (:data:`TIMELINE_ORDER`): the canonical events (with
    their mention counts) and every claim (in a conflict when ``conflict_claims`` holds
    it; none is, without ``flagged``), with their documents and sentences."""
    words, limit = label_settings()
    qualifier_words = ", ".join(f"({sql_literal(q)}, {sql_literal(w)})" for q, w in words) or "(NULL, NULL)"
    event_label = (
        f"CASE WHEN e.type = 'statement' AND e.content IS NOT NULL THEN coalesce(e.speaker || ': ', '') || "
        f"({_short('e.content', limit)}) ELSE {_short('e.text', limit)} END"
    )
    claim_label = _short("concat_ws(' ', q.word, c.surface, c.noun)", limit)
    conflict = "c.claim_id IN (SELECT claim_id FROM conflict_claims)" if flagged else "FALSE"
    return f"""
    WITH docs AS (
        SELECT doc_id, any_value(source) AS source, any_value(title) AS title, any_value(published) AS published
        FROM documents GROUP BY doc_id
    ),
    counts AS ({_mention_counts()}),
    items AS (
        SELECT e.event_id AS item_id, 'event' AS kind, e.doc_id, e.sent_idx, e.start, e."end",
               e.time_start, e.time_end, e.granularity, e.time_surface, e.time_basis,
               {event_label} AS label, e.type, NULL AS category,
               NULL::DOUBLE AS value, NULL::DOUBLE AS low, NULL::DOUBLE AS high, NULL AS qualifier, NULL AS noun,
               e.speaker, e.quoted, NULL AS series_id, NULL::INTEGER AS series_pos, FALSE AS conflict,
               coalesce(n.n, 1)::INTEGER AS n_mentions, e.mod, e.actors
        FROM {EVENT_ROWS} e
        LEFT JOIN event_mentions m USING (event_id)
        LEFT JOIN counts n ON n.canonical_id = e.event_id
        WHERE m.canonical_id IS NULL OR m.canonical_id = e.event_id
        UNION ALL
        SELECT c.claim_id, 'claim', c.doc_id, c.sent_idx, c.start, c."end",
               c.time_start, c.time_end, NULL, t.surface, c.time_basis,
               {claim_label}, c.category, c.category,
               c.value, c.low, c.high, c.qualifier, c.noun,
               c.speaker, c.quoted, CAST(c.series_id AS VARCHAR), CAST(c.series_pos AS INTEGER),
               {conflict}, 1, NULL, c.actor
        FROM claims c
        LEFT JOIN (VALUES {qualifier_words}) q(qualifier, word) ON q.qualifier = c.qualifier
        LEFT JOIN (SELECT timex_id, any_value(surface) AS surface FROM timexes GROUP BY timex_id) t ON t.timex_id = c.timex_id
    )
    SELECT i.item_id, i.kind, i.doc_id, i.sent_idx, i.start, i."end", i.time_start, i.time_end, i.granularity,
           i.time_surface, i.time_basis, i.label, i.type, i.category, i.value, i.low, i.high, i.qualifier, i.noun,
           coalesce(d.source, d.title, i.doc_id) AS source, d.title, d.published, i.speaker, i.quoted,
           s.text AS sentence, i.series_id, i.series_pos, i.conflict, i.n_mentions, i.mod, i.actors
    FROM items i
    LEFT JOIN docs d USING (doc_id)
    LEFT JOIN sentences s ON s.doc_id = i.doc_id AND s.sent_idx = i.sent_idx
    ORDER BY {TIMELINE_ORDER}
    """
