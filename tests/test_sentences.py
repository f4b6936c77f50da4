"""Sentence splitting, quotations and speakers: golden cases and properties."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import Document, find_quotes, split_sentences
from analysis.sentences import sentence_spans

from .conftest import load_golden

CASES = load_golden("sentences.json")


def _doc(text: str) -> Document:
    return Document(doc_id="t", text=text, published=dt.date(2021, 8, 17))


def assert_partition(text: str, sentences) -> None:
    """Sentences cover the text in order; only whitespace lies between them."""
    pos = 0
    for i, s in enumerate(sentences):
        assert s.sent_idx == i
        assert s.start < s.end
        assert text[s.start : s.end] == s.text
        assert not text[pos : s.start].strip(), repr(text[pos : s.start])
        assert not s.text[0].isspace() and not s.text[-1].isspace()
        pos = s.end
    assert not text[pos:].strip()


@pytest.mark.parametrize("case", CASES["splits"], ids=lambda c: c["text"][:40])
def test_split_golden(case):
    sentences = split_sentences(_doc(case["text"]))
    assert [s.text for s in sentences] == case["expected"]
    assert_partition(case["text"], sentences)


@pytest.mark.parametrize("case", CASES["speakers"], ids=lambda c: c["text"][:40])
def test_speaker_golden(case):
    sentences = split_sentences(_doc(case["text"]))
    assert [s.speaker for s in sentences] == case["speakers"]
    assert [s.quoted for s in sentences] == case["quoted"]
    if "names" in case:
        assert [s.speaker_name for s in sentences] == case["names"]


def test_seed_sentences_partition_and_speakers(seed_doc):
    sentences = split_sentences(seed_doc)
    assert_partition(seed_doc.text, sentences)
    assert len(sentences) == 26
    quotes = find_quotes(seed_doc.text)
    with_quote = [s for s in sentences if any(q.start < s.end and q.end > s.start for q in quotes)]
    # every sentence with quoted words is Stoltenberg's (the NATO official is not quoted)
    assert len(with_quote) == 19
    assert {s.speaker for s in with_quote} == {"Stoltenberg"}
    assert all(s.speaker_name == "Jens Stoltenberg" for s in with_quote)
    official = next(s for s in sentences if "1,000" in s.text)
    assert official.speaker == "A NATO official" and not official.quoted
    reported = next(s for s in sentences if "800 civilian personnel" in s.text)
    assert reported.speaker == "Stoltenberg" and not reported.quoted
    assert sentences[-1].text == "— Age" and sentences[-1].speaker is None


def test_seed_quotes_close_where_the_text_runs_on(seed_doc):
    quotes = find_quotes(seed_doc.text)
    text = seed_doc.text
    unclosed = [q for q in quotes if not q.closed]
    # "What we have seen ... anticipated. — the quote runs on into the next one
    assert [text[q.start : q.end][:20] for q in unclosed] == ['"What we have seen i']
    assert text[unclosed[0].end - 12 : unclosed[0].end] == "anticipated."


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_any_unicode_splits_into_a_partition(text):
    assert_partition(text, split_sentences(_doc(text)))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(['"', "“", "”", ". ", "said", " he ", "Mr.", "U.S.", "\n\n", "A", "x", "—", "…"]), max_size=60))
def test_quote_heavy_text_never_crashes(parts):
    text = "".join(parts)
    spans = sentence_spans(text)
    assert all(0 <= a < b <= len(text) for a, b in spans)
    for q in find_quotes(text):
        assert 0 <= q.start < q.end <= len(text)
    assert_partition(text, split_sentences(_doc(text)))


@pytest.mark.parametrize("name", ["abbreviations.yaml", "speech.yaml"])
def test_lexicon_entries_are_strings(name):
    """YAML reads a bare No/On/Yes as a boolean: such entries must be quoted."""
    from analysis.lexicons import load_lexicon

    for key, values in load_lexicon(name).items():
        assert all(isinstance(v, str) for v in values), (key, [v for v in values if not isinstance(v, str)])


# ---------------------------------------------------------------------------- fast paths
# The patterns are written so that the regex engine skips ahead; each finds what the
# plain formulation (the specification, here) finds.

_PUNCTUATED = st.text(alphabet="aA1 .!?…\"'”’»)]\n\r\t`“«-", max_size=30)


@settings(max_examples=400, deadline=None)
@given(_PUNCTUATED)
def test_boundary_line_break_and_quote_mark_patterns_match_their_plain_forms(text):
    import re

    from analysis.sentences import _BOUNDARY, _LINE_BREAK, _NEWLINE_BREAK, _QUOTE_MARK

    boundary = re.compile(r"(?P<term>\.\.\.|[.!?…]+)(?P<close>[\"'”’»)\]]*)(?P<space>\s+)(?=(?P<next>\S)(?P<next2>.?))", re.DOTALL)
    assert [(m.span(), m.groups()) for m in _BOUNDARY.finditer(text)] == [(m.span(), m.groups()) for m in boundary.finditer(text)]
    line_break = re.compile(r"\r?\n(?:[ \t]*\r?\n)*")
    assert [m.span() for m in _LINE_BREAK.finditer(text)] == [m.span() for m in line_break.finditer(text)]
    no_returns = text.replace("\r", "")
    assert [m.span() for m in _NEWLINE_BREAK.finditer(no_returns)] == [m.span() for m in line_break.finditer(no_returns)]
    quote_mark = re.compile(r"``|''|[\"“”«»]")
    assert [m.span() for m in _QUOTE_MARK.finditer(text)] == [m.span() for m in quote_mark.finditer(text)]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab.'’-_1 \n", max_size=60), st.data())
def test_word_before_a_period_is_the_word_a_search_at_the_window_end_finds(text, data):
    import re

    from analysis.sentences import _word_before

    pos = data.draw(st.integers(0, len(text)))
    found = re.compile(r"([\w.'’-]+)$").search(text, max(0, pos - 40), pos)
    assert _word_before(text, text[::-1], pos) == (found.group(1) if found else "")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["said", "says", "called", "for", "on", "pointed", "out", "Said", "x", "-", " ", "  ", "\n", "-said", "said-"]), max_size=8))
def test_reporting_verb_trie_finds_what_the_longest_first_alternation_finds(parts):
    import re

    from analysis.lexicons import load_lexicon
    from analysis.sentences import _patterns

    text = "".join(parts)
    verbs = sorted(load_lexicon("speech.yaml")["reporting_verbs"], key=len, reverse=True)
    plain = re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(v).replace(r"\ ", r"\s+") for v in verbs) + r")(?![\w-])")
    assert [m.span() for m in _patterns()["verb"].finditer(text)] == [m.span() for m in plain.finditer(text)]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="aB1 \n,.-", max_size=40), st.data())
def test_word_before_a_subject_is_what_the_plain_pattern_finds(text, data):
    import re

    from analysis.sentences import _patterns

    window = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(window, len(text)))
    plain = re.compile(r"([A-Za-z]+)\s+$").search(text, window, end)
    found = _patterns()["word_before"].search(text, window, end)
    assert (found and (found.span(), found.group(1))) == (plain and (plain.span(), plain.group(1)))


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(["said", "says", "called", "for", "on", "pointed", "out", "x", "-", " ", "\n", '"', "é", "1"]), max_size=10),
    st.data(),
)
def test_reporting_verbs_of_a_piece_are_what_the_lookbehind_scan_finds(parts, data):
    from analysis.sentences import _patterns, _reporting_verbs

    text = "".join(parts)
    a = data.draw(st.integers(0, len(text)))
    b = data.draw(st.integers(a, len(text)))
    p = _patterns()
    plain = [m.span() for m in p["verb"].finditer(text, a, b)]
    assert _reporting_verbs(text, a, b, text.isascii(), p) == plain
    assert _reporting_verbs(text, a, b, False, p) == plain
