"""Events: golden cases, the seed article's gold events, provenance, properties."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import Document, process_document, split_sentences
from analysis.events import EVENT_TYPES, TIME_BASES, extract_events

from .conftest import load_golden

CASES = load_golden("events_cases.json")["cases"]


def _value(v):
    return v.isoformat() if isinstance(v, dt.date) else v


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["text"][:50])
def test_events_golden(case):
    doc = Document(doc_id="t", text=case["text"], published=dt.date.fromisoformat(case["published"]))
    events = process_document(doc).events
    for expected in case["expected"]:
        found = [e for e in events if e.trigger == expected["trigger"]]
        assert found, f"no event with trigger {expected['trigger']!r}: {[e.trigger for e in events]}"
        event = found[0]
        got = {key: _value(getattr(event, key)) for key in expected}
        assert got == expected


def _overlaps(event, start: str, end: str) -> bool:
    return event.time_start < dt.date.fromisoformat(end) and dt.date.fromisoformat(start) < event.time_end


def test_seed_gold_events_found(seed_doc, seed_gold):
    """Every gold event of the seed: a clause containing its trigger, its type, and an
    interval overlapping the gold one."""
    events = process_document(seed_doc).events
    for gold in seed_gold["events"]:
        matches = [
            e
            for e in events
            if e.start <= gold["trigger_start"]
            and gold["trigger_end"] <= e.end
            and e.type == gold["type"]
            and _overlaps(e, gold["time_start"], gold["time_end"])
        ]
        assert matches, gold


def test_seed_gold_events_dated_by_their_time_expressions(seed_doc, seed_gold):
    """Where the gold time is not the publication day, the event's time comes from a
    time expression (not from a fallback that happens to overlap)."""
    events = process_document(seed_doc).events
    for gold in seed_gold["events"]:
        if (gold["time_start"], gold["time_end"]) == ("2021-08-17", "2021-08-18"):
            continue
        head = next(e for e in events if e.trigger_start == gold["trigger_start"])
        assert head.time_basis == "explicit"
        assert (head.time_start.isoformat(), head.time_end.isoformat()) == (gold["time_start"], gold["time_end"])


def test_rows_trace_back_to_their_words(seed_doc):
    result = process_document(seed_doc)
    assert result.events and result.rows["events"]
    text = seed_doc.text
    sentences = {s.sent_idx: s for s in result.sentences}
    for row in result.rows["events"]:
        assert text[row["start"] : row["end"]] == row["text"]
        assert text[row["trigger_start"] : row["trigger_end"]] == row["trigger"]
        assert row["start"] <= row["trigger_start"] < row["trigger_end"] <= row["end"]
        sentence = sentences[row["sent_idx"]]
        assert sentence.start <= row["start"] and row["end"] <= sentence.end
        assert row["type"] in EVENT_TYPES and row["time_basis"] in TIME_BASES
        assert row["time_start"] < row["time_end"]
        assert row["canonical_id"] == row["event_id"] and row["n_mentions"] == 1


def test_explicit_events_name_their_time_expression(seed_doc):
    result = process_document(seed_doc)
    timexes = {t.timex_id: t for t in result.timexes}
    for e in result.events:
        if e.time_basis == "explicit":
            t = timexes[e.timex_id]
            assert e.time_surface == t.surface
            assert e.time_start <= t.interval_start and t.interval_end <= e.time_end or e.mod


def test_statement_keeps_what_it_reports(seed_doc):
    events = process_document(seed_doc).events
    told = next(e for e in events if e.trigger == "told" and e.text.startswith("Stoltenberg told reporters"))
    assert told.type == "statement" and told.speaker == "Stoltenberg"
    assert told.content.startswith("that the alliance was now working")
    quoted = [e for e in events if e.type == "statement" and e.text == "he said" and e.content and "failed to stand up" in e.content]
    assert quoted and not quoted[0].quoted


def test_undated_events_fall_back_on_tense_and_publication():
    doc = Document(doc_id="t", text="He said the talks would resume. The border stayed closed.", published=dt.date(2021, 8, 17))
    events = {e.trigger: e for e in process_document(doc).events}
    assert (events["said"].time_basis, events["said"].time_start) == ("tense", dt.date(2021, 8, 17))
    # an event noun heads its clause and takes the clause's tense
    assert events["talks"].type == "meeting" and events["talks"].tense == "future" and events["talks"].mod == "AFTER"
    assert events["stayed"].mod == "BEFORE" and events["stayed"].tense == "past"


def test_same_events_whatever_the_order_of_time_expressions(seed_doc):
    """The stage takes time expressions in any order (it sorts them)."""
    result = process_document(seed_doc)
    again = extract_events(seed_doc, result.sentences, list(reversed(result.timexes)), result.claims)
    assert again == result.events


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.sampled_from(list("abcdeST .,;:\"'“”—-()\n0123") + ["said ", "went into ", "the ", "Kabul ", "after ", "9/11 ", "was ", "to ", "Tuesday "]),
        max_size=120,
    ).map("".join)
)
def test_any_text_gives_valid_events(text):
    """No input crashes the stage; every event's spans lie in the text and in its sentence."""
    doc = Document(doc_id="h", text=text, published=dt.date(2021, 8, 17))
    sentences = split_sentences(doc)
    for e in extract_events(doc, sentences):
        assert 0 <= e.start <= e.trigger_start < e.trigger_end <= e.end <= len(text)
        assert text[e.start : e.end] == e.text
        s = sentences[e.sent_idx]
        assert s.start <= e.start and e.end <= s.end
        assert e.type in EVENT_TYPES and e.time_start < e.time_end


@pytest.mark.gold
def test_news_events_trace_back_to_their_words(shared_eval):
    """Every event of the TimeBank/AQUAINT news texts: clause and trigger are the words
    at their offsets, inside their sentence; times are intervals."""
    from analysis.evaluation.metrics import read_gold

    for record in read_gold(shared_eval / "timex" / "tbaq-cleaned.jsonl"):
        doc = Document(doc_id=record["doc_id"], text=record["text"], published=dt.date.fromisoformat(record["dct"][:10]))
        result = process_document(doc)
        for e in result.events:
            assert doc.text[e.start : e.end] == e.text and doc.text[e.trigger_start : e.trigger_end] == e.trigger
            s = result.sentences[e.sent_idx]
            assert s.start <= e.start <= e.trigger_start < e.trigger_end <= e.end <= s.end
            assert e.time_start < e.time_end and e.type in EVENT_TYPES


# ---------------------------------------------------------------------------- fast paths
# Each fast path of the stage finds exactly what the plain formulation (written here as
# the specification) finds, on text mixing ASCII and other letters, digits, joiners,
# dashes, quotation marks and line breaks.

_MIXED = st.text(alphabet="aZé ßİ1-'’.,;:—–\"“”\n\t", max_size=40)


@settings(max_examples=400, deadline=None)
@given(_MIXED)
def test_word_split_fast_path_is_the_unicode_split(text):
    import re

    from analysis.events import _split_words

    assert _split_words(text) == re.split(r"([^\W\d_]+(?:[-'’.][^\W\d_]+)*)", text)


@settings(max_examples=400, deadline=None)
@given(_MIXED)
def test_clause_punctuation_scan_finds_the_gaps_a_search_per_gap_finds(text):
    import bisect
    import re

    from analysis.events import _CLAUSE_PUNCTUATION, _Words, _lexicon

    plain = re.compile(r"[,;](?!\d)|:(?!\d)|[—–]|\s-{1,2}\s")
    words = _Words.of(text, _lexicon())
    n = len(words.lows)
    per_gap = {i for i in range(1, n) if plain.search(text, words.ends[i - 1], words.starts[i])}
    scanned = {bisect.bisect_right(words.starts, m.start()) for m in _CLAUSE_PUNCTUATION.finditer(text)}
    assert per_gap == {i for i in scanned if 0 < i < n}


@given(
    st.lists(st.integers(0, 60), max_size=15, unique=True).map(sorted),
    st.lists(st.tuples(st.integers(0, 60), st.integers(1, 15)), max_size=5),
)
def test_spans_inside_time_expressions_are_those_the_last_one_before_covers(span_starts, times):
    import bisect
    from types import SimpleNamespace

    from analysis.events import _outside

    spans = [SimpleNamespace(start=s) for s in span_starts]
    timexes = sorted((SimpleNamespace(start=a, end=a + n) for a, n in times), key=lambda t: t.start)
    starts = [t.start for t in timexes]

    def inside(span):
        k = bisect.bisect_right(starts, span.start) - 1
        return k >= 0 and timexes[k].end > span.start

    assert _outside(spans, timexes) == [s for s in spans if not inside(s)]
    assert _outside(spans, timexes, [s.start for s in spans]) == [s for s in spans if not inside(s)]
