"""The table contract (DESIGN.md): column names and types of every table.

Stages produce rows as plain dicts; :func:`to_frame` makes a pandas DataFrame with these
exact columns and dtypes (an empty table still has them), and the writer uses the same
Arrow schema for Parquet so every part of a partitioned table agrees.
"""

from __future__ import annotations

import dataclasses
import functools
import operator
from collections.abc import Iterable, Mapping

import pandas as pd
import pyarrow as pa

__all__ = ["SCHEMAS", "register_table", "rows_of", "schema_of", "to_arrow", "to_frame"]

SCHEMAS: dict[str, pa.Schema] = {}


def register_table(name: str, fields: list[tuple[str, pa.DataType]]) -> pa.Schema:
    """Declare a table: its columns in order and their Arrow types."""
    schema = pa.schema(fields)
    SCHEMAS[name] = schema
    return schema


register_table(
    "documents",
    [
        ("doc_id", pa.string()),
        ("title", pa.string()),
        ("source", pa.string()),
        ("url", pa.string()),
        ("published", pa.date32()),
        ("language", pa.string()),
        ("path", pa.string()),
        ("location", pa.string()),
        ("sha256", pa.string()),
        ("n_chars", pa.int64()),
    ],
)

register_table(
    "sentences",
    [
        ("doc_id", pa.string()),
        ("sent_idx", pa.int32()),
        ("start", pa.int64()),
        ("end", pa.int64()),
        ("text", pa.string()),
        ("quoted", pa.bool_()),
        ("speaker", pa.string()),
        ("speaker_name", pa.string()),
    ],
)

register_table(
    "timexes",
    [
        ("timex_id", pa.string()),
        ("doc_id", pa.string()),
        ("sent_idx", pa.int32()),
        ("start", pa.int64()),
        ("end", pa.int64()),
        ("surface", pa.string()),
        ("type", pa.string()),
        ("value", pa.string()),
        ("mod", pa.string()),
        ("anchor", pa.string()),
        ("interval_start", pa.date32()),
        ("interval_end", pa.date32()),
        ("granularity", pa.string()),
    ],
)

register_table(
    "quantities",
    [
        ("quantity_id", pa.string()),
        ("doc_id", pa.string()),
        ("sent_idx", pa.int32()),
        ("start", pa.int64()),
        ("end", pa.int64()),
        ("surface", pa.string()),
        ("value", pa.float64()),
        ("low", pa.float64()),
        ("high", pa.float64()),
        ("qualifier", pa.string()),
        ("unit", pa.string()),
        ("unit_carried", pa.bool_()),
        ("kind", pa.string()),
        ("noun", pa.string()),
        ("noun_head", pa.string()),
        ("noun_start", pa.int64()),
        ("noun_end", pa.int64()),
        ("change", pa.string()),
        ("approximate", pa.bool_()),
        ("timex_id", pa.string()),
    ],
)

register_table(
    "claims",
    [
        ("claim_id", pa.string()),
        ("quantity_id", pa.string()),
        ("doc_id", pa.string()),
        ("sent_idx", pa.int32()),
        ("start", pa.int64()),
        ("end", pa.int64()),
        ("surface", pa.string()),
        ("value", pa.float64()),
        ("low", pa.float64()),
        ("high", pa.float64()),
        ("qualifier", pa.string()),
        ("unit", pa.string()),
        ("noun", pa.string()),
        ("noun_head", pa.string()),
        ("category", pa.string()),
        ("actor", pa.string()),
        ("location", pa.string()),
        ("modality", pa.string()),
        ("speaker", pa.string()),
        ("quoted", pa.bool_()),
        ("time_start", pa.date32()),
        ("time_end", pa.date32()),
        ("time_basis", pa.string()),
        ("timex_id", pa.string()),
        ("series_id", pa.string()),
        ("series_pos", pa.int32()),
        ("unit_carried", pa.bool_()),
    ],
)

register_table(
    "rejects",
    [
        ("path", pa.string()),
        ("location", pa.string()),
        ("doc_id", pa.string()),
        ("kind", pa.string()),
        ("reason", pa.string()),
    ],
)

register_table(
    "rejects_summary",
    [
        ("kind", pa.string()),
        ("count", pa.int64()),
        ("files", pa.int64()),
        ("first_path", pa.string()),
        ("first_location", pa.string()),
        ("first_reason", pa.string()),
    ],
)


# Events, their mentions, conflicting claims and the timeline (issue 5). Dates are
# date32 and calendar intervals half-open [time_start, time_end).
register_table(
    "events",
    [
        ("event_id", pa.string()),
        ("doc_id", pa.string()),
        ("sent_idx", pa.int32()),
        ("start", pa.int64()),
        ("end", pa.int64()),
        ("trigger", pa.string()),
        ("trigger_start", pa.int64()),
        ("trigger_end", pa.int64()),
        ("type", pa.string()),
        ("actors", pa.string()),
        ("speaker", pa.string()),
        ("quoted", pa.bool_()),
        ("timex_id", pa.string()),
        ("time_start", pa.date32()),
        ("time_end", pa.date32()),
        ("granularity", pa.string()),
        ("time_basis", pa.string()),
        ("mod", pa.string()),
        ("canonical_id", pa.string()),
        ("n_mentions", pa.int32()),
        ("text", pa.string()),
        ("time_surface", pa.string()),
        ("tense", pa.string()),
        ("negated", pa.bool_()),
        ("content", pa.string()),
    ],
)

register_table(
    "event_mentions",
    [
        ("canonical_id", pa.string()),
        ("event_id", pa.string()),
        ("doc_id", pa.string()),
        ("sent_idx", pa.int32()),
        ("start", pa.int64()),
        ("end", pa.int64()),
        ("similarity", pa.float64()),
    ],
)

register_table(
    "conflicts",
    [
        ("conflict_id", pa.string()),
        ("category", pa.string()),
        ("claim_a", pa.string()),
        ("claim_b", pa.string()),
        ("doc_a", pa.string()),
        ("doc_b", pa.string()),
        ("source_a", pa.string()),
        ("source_b", pa.string()),
        ("speaker_a", pa.string()),
        ("speaker_b", pa.string()),
        ("value_a", pa.float64()),
        ("value_b", pa.float64()),
        ("low_a", pa.float64()),
        ("high_a", pa.float64()),
        ("low_b", pa.float64()),
        ("high_b", pa.float64()),
        ("time_start", pa.date32()),
        ("time_end", pa.date32()),
        ("gap", pa.float64()),
        ("noun_a", pa.string()),
        ("noun_b", pa.string()),
    ],
)

# The claims in a conflict, copies of a conflicting figure included (the timeline flags them).
register_table("conflict_claims", [("claim_id", pa.string())])

register_table(
    "timeline",
    [
        ("item_id", pa.string()),
        ("kind", pa.string()),
        ("doc_id", pa.string()),
        ("sent_idx", pa.int32()),
        ("start", pa.int64()),
        ("end", pa.int64()),
        ("time_start", pa.date32()),
        ("time_end", pa.date32()),
        ("granularity", pa.string()),
        ("time_surface", pa.string()),
        ("time_basis", pa.string()),
        ("label", pa.string()),
        ("type", pa.string()),
        ("category", pa.string()),
        ("value", pa.float64()),
        ("low", pa.float64()),
        ("high", pa.float64()),
        ("qualifier", pa.string()),
        ("noun", pa.string()),
        ("source", pa.string()),
        ("title", pa.string()),
        ("published", pa.date32()),
        ("speaker", pa.string()),
        ("quoted", pa.bool_()),
        ("sentence", pa.string()),
        ("series_id", pa.string()),
        ("series_pos", pa.int32()),
        ("conflict", pa.bool_()),
        ("n_mentions", pa.int32()),
        ("mod", pa.string()),
        ("actors", pa.string()),
    ],
)


def rows_of(objects: Iterable) -> list[dict]:
    """Dataclass objects of one class (a stage's timexes, quantities, claims) as table
    rows: one dict per object, its fields by name in declaration order. Objects of a
    dataclass without slots give a copy of their attribute dict (when it holds just
    the fields), a tenth of the cost of reading each field."""
    objects = list(objects)
    if not objects:
        return []
    names, values = _field_getter(type(objects[0]))
    if hasattr(objects[0], "__dict__"):
        rows = [o.__dict__.copy() for o in objects]
        if set(map(len, rows)) == {len(names)}:
            return rows
    return [dict(zip(names, values(o))) for o in objects]


@functools.cache
def _field_getter(cls: type) -> tuple[list[str], operator.attrgetter]:
    """A dataclass's field names, and a getter of their values (once per class: the
    stages ask for every document)."""
    names = [f.name for f in dataclasses.fields(cls)]
    return names, operator.attrgetter(*names)


def schema_of(name: str) -> pa.Schema:
    try:
        return SCHEMAS[name]
    except KeyError:
        raise KeyError(f"unknown table {name!r}; known: {', '.join(SCHEMAS)}") from None


def to_arrow(name: str, rows: Iterable[Mapping]) -> pa.Table:
    """Rows (dicts) as an Arrow table with the declared schema; extra keys are an error."""
    schema = schema_of(name)
    rows = list(rows)
    if rows and set(map(len, rows)) == {len(schema)}:
        # every row has as many keys as the table has columns: if each column is
        # there, no key is extra, and the table is built column by column (a third
        # cheaper than row by row)
        try:
            values = map(operator.itemgetter(*schema.names), rows)
            columns = zip(*values) if len(schema) > 1 else [list(values)]  # one name: no tuples
            return pa.Table.from_arrays([pa.array(column, type=f.type) for column, f in zip(columns, schema)], schema=schema)
        except KeyError:
            pass  # a column is missing: the rows are read one by one below
    extra = set().union(*(r.keys() for r in rows)) - set(schema.names) if rows else set()
    if extra:
        raise ValueError(f"table {name!r} has no columns {sorted(extra)}; declare them in analysis.tables")
    return pa.Table.from_pylist(rows, schema=schema)


def to_frame(name: str, rows: Iterable[Mapping]) -> pd.DataFrame:
    """Rows as a DataFrame with the declared columns and pandas dtypes (dates as
    ``datetime64``, strings as pandas strings, nullable integers and booleans)."""
    return arrow_to_pandas(to_arrow(name, rows))


def arrow_to_pandas(table: pa.Table) -> pd.DataFrame:
    """Arrow to pandas the same way everywhere: dates become ``datetime64`` (charts and
    arithmetic need them), integers with nulls stay integers, floats keep NaN."""
    frame = table.to_pandas(types_mapper=_pandas_type, date_as_object=False)
    return frame


def _pandas_type(arrow_type: pa.DataType):
    if pa.types.is_integer(arrow_type):
        return pd.Int64Dtype()
    if pa.types.is_boolean(arrow_type):
        return pd.BooleanDtype()
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        return pd.StringDtype()
    return None
