"""The table contract's row conversion: rows built column by column equal rows read one
by one (pyarrow's own reading), for every declared table."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.tables import SCHEMAS, to_arrow


def _values(arrow_type: pa.DataType):
    if pa.types.is_string(arrow_type):
        return st.none() | st.text(max_size=12)
    if pa.types.is_integer(arrow_type):
        return st.none() | st.integers(-(2**31), 2**31 - 1)
    if pa.types.is_floating(arrow_type):
        return st.none() | st.floats(allow_nan=False)
    if pa.types.is_boolean(arrow_type):
        return st.none() | st.booleans()
    if pa.types.is_date(arrow_type):
        return st.none() | st.dates(dt.date(1900, 1, 1), dt.date(2100, 1, 1))
    raise AssertionError(f"no strategy for {arrow_type}")


@st.composite
def _table_rows(draw):
    name = draw(st.sampled_from(sorted(SCHEMAS)))
    schema = SCHEMAS[name]
    rows = []
    for _ in range(draw(st.integers(0, 5))):
        # some rows leave columns out (they are null)
        kept = draw(st.lists(st.sampled_from(schema.names), unique=True)) if draw(st.booleans()) else schema.names
        rows.append({column: draw(_values(schema.field(column).type)) for column in kept})
    return name, rows


@settings(max_examples=150, deadline=None)
@given(_table_rows())
def test_rows_column_by_column_equal_rows_one_by_one(table):
    name, rows = table
    assert to_arrow(name, rows).equals(pa.Table.from_pylist(rows, schema=SCHEMAS[name]))


def test_an_undeclared_column_is_an_error():
    row = {column: None for column in SCHEMAS["documents"].names}
    with pytest.raises(ValueError, match="no columns"):
        to_arrow("documents", [row, {**row, "notes": "x"}])
    with pytest.raises(ValueError, match="no columns"):
        to_arrow("documents", [{**{c: None for c in SCHEMAS["documents"].names[1:]}, "notes": "x"}])
