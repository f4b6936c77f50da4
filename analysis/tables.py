"""The table contract (DESIGN.md): column names and types of every table.

Stages produce rows as plain dicts; :func:`to_frame` makes a pandas DataFrame with these
exact columns and dtypes (an empty table still has them), and the writer uses the same
Arrow schema for Parquet so every part of a partitioned table agrees.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd
import pyarrow as pa

__all__ = ["SCHEMAS", "register_table", "schema_of", "to_arrow", "to_frame"]

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


def schema_of(name: str) -> pa.Schema:
    try:
        return SCHEMAS[name]
    except KeyError:
        raise KeyError(f"unknown table {name!r}; known: {', '.join(SCHEMAS)}") from None


def to_arrow(name: str, rows: Iterable[Mapping]) -> pa.Table:
    """Rows (dicts) as an Arrow table with the declared schema; extra keys are an error."""
    schema = schema_of(name)
    rows = list(rows)
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
