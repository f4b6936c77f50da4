"""Conflicting claims: golden pairs and properties of the bounds."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.conflicts import Bounds, bounds_of, find_conflicts, time_overlap

from .conftest import load_golden

GOLDEN = load_golden("conflict_cases.json")


def _claim(claim_id: str, fields: dict) -> dict:
    claim = {"claim_id": claim_id, "speaker": None, "actor": None, "location": None, "noun": "civilian personnel", "noun_head": None, "source": fields.get("doc_id")}
    claim.update(GOLDEN["defaults"])
    claim.update(fields)
    for key in ("time_start", "time_end"):
        claim[key] = dt.date.fromisoformat(claim[key])
    return claim


@pytest.mark.parametrize("case", GOLDEN["cases"], ids=lambda c: c["why"])
def test_conflict_golden(case):
    a, b = _claim("a:c0", case["a"]), _claim("b:c0", case["b"])
    rows = list(find_conflicts([a, b]))
    assert bool(rows) == case["conflict"]
    if rows:
        (row,) = rows
        assert (row["claim_a"], row["claim_b"]) == ("a:c0", "b:c0")
        assert row["gap"] == case["gap"]
        assert row["time_start"] >= max(a["time_start"], b["time_start"])
        assert row["time_end"] <= min(a["time_end"], b["time_end"])
        assert row["source_a"] == a["doc_id"] and row["value_b"] == b["value"]


def test_pairs_in_canonical_order_whatever_the_time_order():
    later = _claim("x:c0", {"doc_id": "x", "value": 800, "low": 800, "high": 800, "time_start": "2021-08-17", "time_end": "2021-08-19"})
    earlier_time = _claim("y:c0", {"doc_id": "y", "value": 900, "low": 900, "high": 900, "time_start": "2021-08-16", "time_end": "2021-08-19"})
    (row,) = find_conflicts([later, earlier_time])
    assert (row["claim_a"], row["claim_b"]) == ("x:c0", "y:c0")


def test_time_overlap():
    d = dt.date.fromisoformat
    assert time_overlap(d("2021-08-17"), d("2021-08-18"), d("2021-08-17"), d("2021-08-18")) == 1.0
    assert time_overlap(d("2021-08-17"), d("2021-08-19"), d("2021-08-18"), d("2021-08-20")) == pytest.approx(1 / 3)
    assert time_overlap(d("2021-08-17"), d("2021-08-18"), d("2021-08-18"), d("2021-08-19")) == 0.0
    assert time_overlap(None, d("2021-08-18"), d("2021-08-17"), d("2021-08-18")) == 0.0


def test_no_bounds_without_a_number():
    assert bounds_of({"value": None, "low": None, "high": None}) is None
    assert bounds_of({"value": float("nan")}) is None


finite = st.floats(min_value=-1e9, max_value=1e9, allow_nan=False)


@given(finite, finite, finite, finite)
def test_exclusion_is_symmetric_and_disjoint(a, b, c, d):
    x = Bounds(min(a, b), max(a, b), low_open=a < b)
    y = Bounds(min(c, d), max(c, d), high_open=c > d)
    assert x.excludes(y) == y.excludes(x)
    if not x.excludes(y):
        assert max(x.low, y.low) <= min(x.high, y.high)


@given(st.sampled_from(["exact", "approx", "more_than", "at_least", "less_than", "at_most", "up_to", "range", None]), finite, finite)
def test_a_claim_never_excludes_itself(qualifier, value, other):
    claim = {"qualifier": qualifier, "value": value, "low": min(value, other), "high": max(value, other)}
    bounds = bounds_of(claim, 0.1)
    assert bounds is not None and not math.isnan(bounds.low)
    assert not bounds.excludes(bounds) or (bounds.low == bounds.high and (bounds.low_open or bounds.high_open))
