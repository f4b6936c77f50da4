"""The number parser: golden cases from data, and properties."""

from __future__ import annotations

import math

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from analysis import find_numbers, parse_number

from .conftest import load_golden

CASES = load_golden("numbers.json")
NUMBER_WORDS = ["zero", "one", "two", "three", "twenty", "thirty-five", "hundred", "thousand", "million",
                "and", "a", "half", "third", "thirds", "quarter", "dozen", "point", "minus", "over",
                "of", "tens", "hundreds", "1,000", "2.5", "-", "3/4", "k", "bn", "½", "1e308", "9" * 40]


@pytest.mark.parametrize("case", CASES["parse"], ids=lambda c: c["text"] or "<empty>")
def test_parse_number_golden(case):
    got = parse_number(case["text"])
    if case["expected"] is None:
        assert got is None
    else:
        assert got is not None and math.isclose(got, case["expected"], rel_tol=1e-9), got


@pytest.mark.parametrize("case", CASES["find"], ids=lambda c: c["text"][:40])
def test_find_numbers_golden(case):
    found = find_numbers(case["text"])
    assert [(n.surface, n.value) for n in found] == [tuple(e) for e in case["expected"]] or all(
        n.surface == e[0] and math.isclose(n.value, e[1]) for n, e in zip(found, case["expected"], strict=True)
    )
    for n in found:
        assert case["text"][n.start : n.end] == n.surface


@pytest.mark.parametrize("case", CASES["vague_bounds"], ids=lambda c: c["text"])
def test_vague_amounts_have_bounds(case):
    (n,) = find_numbers(case["text"])
    assert n.form == "vague"
    assert (n.low, n.high) == (case["low"], case["high"])


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_parse_number_never_crashes_and_is_finite(text):
    value = parse_number(text)
    assert value is None or math.isfinite(value)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(NUMBER_WORDS), max_size=8).map(" ".join))
@example("1e308 hundred point zero")  # decimals after an infinite whole number
def test_number_phrases_never_crash_and_are_finite(text):
    value = parse_number(text)
    assert value is None or math.isfinite(value)
    for n in find_numbers(text):
        assert math.isfinite(n.value)
        assert text[n.start : n.end] == n.surface


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("0123456789.,-/ kMmb$%½e^x")), max_size=30))
def test_digit_soup_never_crashes(text):
    for n in find_numbers(text):
        assert math.isfinite(n.value)
        assert text[n.start : n.end] == n.surface


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(["one", "two", "tens of thousands", "half", "stone", "Ten", "x", "5", "12", "-",
                                 "−", ".", ",", "½", " ", "  ", "\n", "a", "million", "bone", "3rd", "and", "٣", "’", "é"]),
                max_size=12).map("".join))
def test_atom_starts_are_those_of_one_plain_scan(text):
    """The parser finds where numbers may start with two fast scans (digits; number
    words after a non-letter); they must give the places one plain scan gives."""
    import re

    from analysis.lexicons import alternation
    from analysis.numbers import _words

    w = _words()
    words = sorted(w.values, key=len, reverse=True)
    plain = re.compile(rf"[-−]?\.?\d|[½⅓⅔¼¾⅕⅖⅗⅘⅙⅚⅛⅜⅝⅞]|(?<![a-z])(?:{alternation(words, case_sensitive=words)})(?![a-z])")
    lower = text.lower()
    if len(lower) != len(text):
        return
    expected = set()
    for m in plain.finditer(lower):
        expected.add(m.start())
    got = {m.start() for m in w.digit_start.finditer(text)} | {m.start() for m in w.word_start.finditer(" " + lower)}
    # the plain scan finds every digit; only the first of a run can start a number
    expected = {p for p in expected if not (p > 0 and lower[p - 1].isdigit() and lower[p].isdigit())}
    assert got == expected


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(["one", "Two", "tens of thousands", "half", "stone", "x", "5", "12", "-", "−", ".",
                                 ". ", "! ", ",", "½", " ", "  ", "\n", "\n\n", "a", "a few", "million", "3rd", "Dr.",
                                 "İ", "é", "ß"]),
                max_size=16).map("".join))
def test_numbers_of_sentences_from_one_scan_are_those_of_each(text):
    """find_numbers_in scans a document once for where numbers may begin; each
    sentence gets what find_numbers finds in it alone."""
    from analysis.numbers import find_numbers_in
    from analysis.sentences import sentence_spans

    for spans in (sentence_spans(text), [(0, len(text))], [(a, b) for a, b in zip(range(0, len(text), 5), range(3, len(text) + 3, 5))]):
        spans = [(a, min(b, len(text))) for a, b in spans if a < min(b, len(text))]
        assert find_numbers_in(text, spans) == [find_numbers(text, a, b) for a, b in spans]
