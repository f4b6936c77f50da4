"""The quantities stage: golden cases from data, offsets, properties."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import Document, extract_quantities, split_sentences
from analysis.pipeline import process_document
from analysis.quantities import head_word, singular
from analysis.tables import to_frame

from .conftest import load_golden

CASES = load_golden("quantities.json")["cases"]


def _quantities(text: str, timexes=()):
    doc = Document(doc_id="t", text=text, published=dt.date(2021, 8, 17))
    return extract_quantities(doc, split_sentences(doc), list(timexes))


def _check(q, expected: dict) -> None:
    for key, want in expected.items():
        got = getattr(q, key)
        if isinstance(want, float) or (isinstance(want, int) and not isinstance(want, bool) and got is not None):
            assert got is not None and math.isclose(got, want, rel_tol=1e-9), (key, got, want)
        else:
            assert got == want, (key, got, want)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["text"][:50])
def test_quantities_golden(case):
    found = _quantities(case["text"])
    assert len(found) == len(case["expected"]), [(q.surface, q.kind) for q in found]
    for q, expected in zip(found, case["expected"], strict=True):
        _check(q, expected)


def test_offsets_point_at_the_words(seed_doc):
    quantities = extract_quantities(seed_doc, split_sentences(seed_doc), [])
    assert quantities
    for n, q in enumerate(quantities):
        assert q.quantity_id == f"{seed_doc.doc_id}:q{n}"
        assert seed_doc.text[q.start : q.end] == q.surface
        if q.noun is not None and not q.unit_carried:
            assert seed_doc.text[q.noun_start : q.noun_end] == q.noun


def test_numbers_inside_time_expressions_are_not_counts():
    from dataclasses import dataclass

    @dataclass(frozen=True)
    class Timex:  # the time stage's interface (analysis.timexes.Timex)
        timex_id: str
        start: int
        end: int
        type: str

    text = "Three years ago 40 brigades stood; in 1999 there were 52."
    kinds = {q.surface: q.kind for q in _quantities(text, [Timex("t0", 0, 15, "DATE"), Timex("t1", 38, 42, "DATE")])}
    assert kinds == {"Three": "duration", "40": "count", "1999": "year", "52": "count"}


def test_head_words():
    assert head_word("Afghan employees and dependents") == "employee"
    assert head_word("digital and physical sales") == "sale"
    assert head_word("barrels of oil") == "barrel"
    assert head_word("tests per day") == "test"
    assert singular("people") == "people" and singular("fishermen") == "fisherman" and singular("casualties") == "casualty"


def test_quantities_table_has_declared_columns(seed_doc):
    result = process_document(seed_doc)
    frame = to_frame("quantities", result.rows["quantities"])
    assert len(frame) == len(result.quantities) > 0
    assert str(frame["value"].dtype) == "float64"


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=120))
def test_no_text_crashes_the_stage(text):
    for q in _quantities(text):
        assert text[q.start : q.end] == q.surface
        assert math.isfinite(q.value)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.sampled_from(["over", "about", "$", "5", "1,000", "to", "-", "million", "troops", "per", "cent", "%", "from",
                         "between", "and", "two", "decades", "the", "no", "up", "rose", "(", ")", "a", "month", "9/11", "—"]),
        max_size=12,
    ).map(" ".join)
)
def test_figure_soup_never_crashes(text):
    for q in _quantities(text):
        assert text[q.start : q.end] == q.surface
        assert q.low is None or q.high is None or q.low <= q.high
