"""Time expressions: golden cases, false positives, the seed article, provenance,
determinism across time zones, and parsers that never crash."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import re
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import Document, extract_timexes, process_document, split_sentences, to_frame, value_interval
from analysis.pipeline import STAGES, TABLES
from analysis.tables import SCHEMAS
from analysis.timexes import Timex, _find, is_narrative
from analysis.timexes import patterns
from analysis.timexes.normalize import format_period, number_value, year_from_words
from analysis.timexes.patterns import NOT_WORD, _number_trie, _phrase, compiled, counting_values, lexicon, words, words_after
from analysis.timexes.values import GRANULARITY_ORDER, canonical_value, is_calendar_value, parse_duration, place_duration

from .conftest import ROOT, load_golden

CASES = load_golden("timex_cases.json")
FALSE_POSITIVES = load_golden("timex_false_positives.json")


def _timexes(text: str, published: str) -> list[Timex]:
    doc = Document(doc_id="case", text=text, published=dt.date.fromisoformat(published))
    return extract_timexes(doc, split_sentences(doc))


def _interval(t: Timex) -> list[str] | None:
    if t.interval_start is None:
        return None
    return [t.interval_start.isoformat(), t.interval_end.isoformat()]


@pytest.mark.parametrize("case", CASES, ids=[c["text"][:50] for c in CASES])
def test_golden_case(case):
    found = _timexes(case["text"], case["published"])
    assert [(t.surface, t.type, t.value) for t in found] == [(e["surface"], e["type"], e["value"]) for e in case["expected"]]
    for t, expected in zip(found, case["expected"]):
        assert _interval(t) == expected["interval"], t
        for key in ("mod", "anchor", "granularity"):
            if key in expected:
                assert getattr(t, key) == expected[key], (key, t)


@pytest.mark.parametrize("case", FALSE_POSITIVES, ids=[c["text"][:50] for c in FALSE_POSITIVES])
def test_false_positive_yields_nothing(case):
    assert _timexes(case["text"], case["published"]) == [], case["why"]


def test_seed_article_gold_timexes(seed_doc, seed_gold):
    found = extract_timexes(seed_doc, split_sentences(seed_doc))
    for gold in seed_gold["timexes"]:
        match = [t for t in found if t.start < gold["end"] and gold["start"] < t.end]
        assert match, gold
        t = match[0]
        assert (t.surface, t.type, canonical_value(t.value)) == (gold["text"], gold["type"], canonical_value(gold["value"]))
        gold_start, gold_end = dt.date.fromisoformat(gold["interval_start"]), dt.date.fromisoformat(gold["interval_end"])
        assert t.interval_start is not None and t.interval_start < gold_end and gold_start < t.interval_end, t
    assert len(found) == len(seed_gold["timexes"])


def test_every_row_traces_back_to_its_words(seed_doc):
    texts = [seed_doc] + [Document(doc_id=f"c{i}", text=c["text"], published=dt.date.fromisoformat(c["published"])) for i, c in enumerate(CASES)]
    for doc in texts:
        sentences = split_sentences(doc)
        for n, t in enumerate(extract_timexes(doc, sentences)):
            assert doc.text[t.start : t.end] == t.surface
            sentence = sentences[t.sent_idx]
            assert sentence.start <= t.start < t.end <= sentence.end
            assert t.timex_id == f"{doc.doc_id}:t{n}"


def test_stage_fills_the_timexes_table(seed_doc):
    assert "timexes" in TABLES
    names = [name for name, _ in STAGES]
    assert names.index("timexes") == names.index("sentences") + 1
    result = process_document(seed_doc)
    assert result.timexes and all(isinstance(t, Timex) for t in result.timexes)
    frame = to_frame("timexes", result.rows["timexes"])
    assert list(frame.columns) == SCHEMAS["timexes"].names
    assert str(frame["interval_start"].dtype).startswith("datetime64")
    assert len(frame) == len(result.timexes)


def test_rows_made_through_the_slots_equal_rows_made_by_the_dataclass(seed_doc):
    for t in extract_timexes(seed_doc, split_sentences(seed_doc)):
        values = [getattr(t, f.name) for f in dataclasses.fields(Timex)]
        made = Timex(*values)
        assert made == t and hash(made) == hash(t) and repr(made) == repr(t)


def test_dispatch_finds_what_the_full_alternation_finds(seed_doc):
    finder = compiled().finder
    docs = [seed_doc] + [Document(doc_id="c", text=c["text"], published=dt.date(2021, 8, 17)) for c in CASES + FALSE_POSITIVES]
    for doc in docs:
        sentences = split_sentences(doc)
        fast = [(m.start, m.end, m.rule) for m in _find(doc.text, sentences)]
        slow = [(m.start(), m.end(), int(m.lastgroup[1:])) for s in sentences for m in finder.finditer(doc.text, s.start, s.end)]
        assert fast == slow


@pytest.mark.skipif(patterns._sre_compiler is None, reason="no access to Python's regex parser")
def test_scan_patterns_built_from_the_key_trie_compile_as_their_written_form():
    # the keys go into the scan patterns as parsed nodes: the compiled code must be
    # what the parser makes of the written trie, or the scan would find other places
    from re import _compiler, _parser

    starts = compiled().starts
    separators = "".join("\\" + ch if ch in "\\]^-[" else ch for ch in sorted(patterns._ASCII_SEPARATORS))
    for wrapper, flags in ((f"[{separators}\\x80-\\U0010ffff](?<![0-9][.,])" + patterns._KEY_SLOT, 0), (patterns._BEFORE + patterns._KEY_SLOT, patterns._FLAGS)):
        written = wrapper.replace(patterns._KEY_SLOT, f"(?=({starts.key_pattern}))")
        assert _compiler._code(starts.parsed(wrapper, flags), flags) == _compiler._code(_parser.parse(written, flags), flags)


def test_saved_rule_keys_are_those_of_the_rules():
    """The start keys kept in rule_keys.json are what the rules give now (after an edit
    of the rules or of patterns.py, run `python -m analysis.timexes`)."""
    bodies = [rule.body for rule in patterns._rules()]
    saved = json.loads(patterns.RULE_KEYS_FILE.read_text(encoding="utf-8"))
    assert saved["stamp"] == patterns._keys_stamp(bodies), "rule_keys.json is out of date: run `python -m analysis.timexes`"
    assert patterns.rule_keys(bodies) == [patterns.first_keys(b, patterns.KEY_LENGTH, patterns.KEY_BUDGET) for b in bodies]


def test_rule_keys_are_worked_out_when_the_saved_ones_are_stale(tmp_path, monkeypatch):
    bodies = [rule.body for rule in patterns._rules()][:5]
    stale = tmp_path / "rule_keys.json"
    stale.write_text(json.dumps({"stamp": "another", "keys": [["x"]] * len(bodies)}), encoding="utf-8")
    monkeypatch.setattr(patterns, "RULE_KEYS_FILE", stale)
    expected = [patterns.first_keys(b, patterns.KEY_LENGTH, patterns.KEY_BUDGET) for b in bodies]
    assert patterns.rule_keys(bodies) == expected
    monkeypatch.setattr(patterns, "RULE_KEYS_FILE", tmp_path / "missing.json")
    assert patterns.rule_keys(bodies) == expected
    written = patterns.write_rule_keys(tmp_path / "fresh.json")
    monkeypatch.setattr(patterns, "RULE_KEYS_FILE", written)
    all_bodies = [rule.body for rule in patterns._rules()]
    assert patterns.rule_keys(all_bodies)[:5] == expected


def test_rules_compiled_on_first_use_match_as_their_patterns(seed_doc):
    rules = compiled().rules
    lazy = patterns._matchers(rules)
    text = seed_doc.text
    places = [m.end() - 1 for m in compiled().starts.places(text)]
    matched = 0
    for i, rule in enumerate(rules):
        assert rule.parts == frozenset(rule.pattern.groupindex)
        for pos in places:
            found, expected = lazy[i](text, pos, len(text)), rule.pattern.match(text, pos)
            assert (found and found.span()) == (expected and expected.span())
            matched += expected is not None
        assert lazy[i] == rule.pattern.match  # compiled once, then called directly
    assert matched > 10


# Pieces that test where a place may begin: separators (ASCII and not), currency and
# number marks before a digit, and the letters IGNORECASE folds unlike str.lower().
_SCAN_PIECES = st.sampled_from(
    [
        "the", "The", "THE", "Aug.", "17", "2021", "1.5", "3,000", "'90s", "’90s", "“May", "”", "—", "\u00a0", " ", "\n",
        "$5", "#1", "@2", "£3", "İn", "ı", "ſeptember", "\u212a", "é", "years", "ago", "a", "few", "-", ".", ",", "(", "'",
        "’", "Tuesday", "mid-", "1990s", "in", "March", "9/11",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_SCAN_PIECES, max_size=30).map("".join))
def test_the_scan_of_the_lowered_text_finds_what_a_case_blind_scan_finds(text):
    starts = compiled().starts
    expected = [(m.start(), m[1].lower()) for m in starts.anywhere.finditer(text)]
    assert [(m.end() - 1, m[1].lower()) for m in starts.places(text)] == expected


@settings(max_examples=200, deadline=None)
@given(st.lists(_SCAN_PIECES, max_size=30).map(" ".join))
def test_dispatch_finds_what_the_full_alternation_finds_in_any_text(text):
    finder = compiled().finder
    doc = Document(doc_id="h", text=text, published=dt.date(2021, 8, 17))
    sentences = split_sentences(doc)
    fast = [(m.start, m.end, m.rule) for m in _find(text, sentences)]
    slow = [(m.start(), m.end(), int(m.lastgroup[1:])) for s in sentences for m in finder.finditer(text, s.start, s.end)]
    assert fast == slow


_CUE_PIECES = st.sampled_from(
    [
        "will", "Will", "WILL", "'ll", "’ll", "we", "said", "SAID", "has", "been", "had", "early", "in", "the", "end", "of",
        "about", "more", "than", "by", "until", "no.", "No.", "page", "ſaid", "İn", "ın", "\u212ailled", "-", " ", "  ", "\n",
        "'", "’", "x", "5", ".", "going", "to", "mid",
    ]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_CUE_PIECES, max_size=20).map("".join), st.sampled_from(["future_cues", "past_cues", "date_modifiers", "not_year_after"]))
def test_word_lists_that_skip_ahead_match_as_a_lookbehind_and_a_list_would(text, name):
    words = lexicon()[name]
    fast = re.compile(words_after(words, NOT_WORD) + r"(?!\w)", re.IGNORECASE)
    longest_first = sorted(words, key=lambda w: (-len(w), w))
    plain = re.compile(rf"(?<![{NOT_WORD}])(?:{'|'.join(_phrase(w) for w in longest_first)})(?!\w)", re.IGNORECASE)
    assert [m.span() for m in fast.finditer(text)] == [m.span() for m in plain.finditer(text)]


@settings(max_examples=200, deadline=None)
@given(st.lists(_CUE_PIECES, max_size=20).map("".join))
def test_cues_in_lowered_text_are_the_case_blind_ones(text):
    for cues in (compiled().future_cue, compiled().past_cue):
        assert [m.span() for m in cues.finditer(text)] == [m.span() for m in cues.anywhere.finditer(text)]
        found, expected = cues.search(text), cues.anywhere.search(text)
        assert (found and found.span()) == (expected and expected.span())


_NUMBER_PIECES = st.sampled_from(
    ["twenty", "Twenty", "seven", "seventy", "seventeen", "SEVEN", "one", "nine", "nineteen", "ninety", "two", "ten",
     "eight", "eighty", " ", "-", "\t", "hundred", "years", "x", "s", "ſeven", "ty"]
)
# what must follow a number in a rule, to see which reading the pattern tries first
_AFTER_NUMBERS = [r"(?!\w)", r"(?=\s+hundred)", r"(?=\s+years)", r"(?=-\w)", r"(?=\s*$)", r"(?=ty)", r""]


@settings(max_examples=200, deadline=None)
@given(st.lists(_NUMBER_PIECES, max_size=8).map("".join), st.booleans())
def test_spelled_numbers_as_one_trie_match_as_their_alternation(text, ones_alone):
    numbers = counting_values()
    ones = [w for w, v in numbers.items() if 1 <= v <= 9 and " " not in w and w not in ("a", "an")]
    teens = [w for w, v in numbers.items() if 10 <= v <= 19 and " " not in w and w != "dozen"]
    tens = [w for w, v in numbers.items() if 20 <= v <= 90 and v % 10 == 0]
    alternation = rf"{words(tens)}(?:[\s-]{words(ones)})?|{words(teens)}" + (f"|{words(ones)}" if ones_alone else "")
    trie = _number_trie(tens, teens, ones, ones_alone)
    for after in _AFTER_NUMBERS:
        for start in range(len(text)):
            plain = re.compile(f"(?:{alternation}){after}", re.IGNORECASE).match(text, start)
            fast = re.compile(f"{trie}{after}", re.IGNORECASE).match(text, start)
            assert (plain and plain.span()) == (fast and fast.span())


_TZ_SCRIPT = """
import json, sys, datetime as dt
from analysis import Document, extract_timexes, split_sentences, load_corpus
docs = load_corpus(sys.argv[1]).documents
cases = json.load(open(sys.argv[2]))
docs += [Document(doc_id=str(i), text=c["text"], published=dt.date.fromisoformat(c["published"])) for i, c in enumerate(cases)]
rows = [[t.timex_id, t.start, t.end, t.type, t.value, t.mod, str(t.interval_start), str(t.interval_end)] for d in docs for t in extract_timexes(d, split_sentences(d))]
print(json.dumps(rows))
"""


def test_same_output_in_any_time_zone():
    outputs = []
    for tz in ("UTC", "Pacific/Auckland"):
        env = {**os.environ, "TZ": tz}
        run = subprocess.run(
            [sys.executable, "-c", _TZ_SCRIPT, str(ROOT / "data" / "articles"), str(ROOT / "tests" / "golden" / "timex_cases.json")],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        outputs.append(run.stdout)
    assert outputs[0] == outputs[1]
    assert json.loads(outputs[0])


@pytest.mark.parametrize(
    "value, interval, granularity",
    [
        ("2021-08-17", ("2021-08-17", "2021-08-18"), "day"),
        ("2021-08", ("2021-08-01", "2021-09-01"), "month"),
        ("2021", ("2021-01-01", "2022-01-01"), "year"),
        ("2021-W33", ("2021-08-16", "2021-08-23"), "week"),
        ("2021-W33-WE", ("2021-08-21", "2021-08-23"), "weekend"),
        ("2021-Q3", ("2021-07-01", "2021-10-01"), "quarter"),
        ("2021-H2", ("2021-07-01", "2022-01-01"), "half"),
        ("2021-SU", ("2021-06-01", "2021-09-01"), "season"),
        ("2021-WI", ("2021-12-01", "2022-03-01"), "season"),
        ("199", ("1990-01-01", "2000-01-01"), "decade"),
        ("19", ("1900-01-01", "2000-01-01"), "century"),
        ("2021-08-17T10:35", ("2021-08-17", "2021-08-18"), "time"),
        ("2021-08-17TNI", ("2021-08-17", "2021-08-18"), "part_of_day"),
    ],
)
def test_value_interval(value, interval, granularity):
    start, end = value_interval(value)
    assert (start.isoformat(), end.isoformat()) == interval
    assert is_calendar_value(value)
    from analysis.timexes.values import value_granularity

    assert value_granularity(value) == granularity


@pytest.mark.parametrize("value", ["P20Y", "PXW", "PAST_REF", "XXXX-WXX-2", "2021-02-30", "", None, "BC0241", "1949-XX"])
def test_value_interval_of_values_without_one(value):
    assert value_interval(value) is None


def test_present_ref_is_the_publication_day():
    assert value_interval("PRESENT_REF", dt.date(2021, 8, 17)) == (dt.date(2021, 8, 17), dt.date(2021, 8, 18))


@pytest.mark.parametrize(
    "gold, ours",
    [("P2DE", "P20Y"), ("199X", "199"), ("19XX", "19"), ("2000-W7", "2000-W07"), ("PXE", "PXDE"), ("P1Y6M", "P1Y6M")],
)
def test_canonical_values_compare_meanings(gold, ours):
    assert canonical_value(gold) == canonical_value(ours)


def test_place_duration():
    assert place_duration("P20Y", dt.date(2021, 8, 17), "back") == (dt.date(2001, 8, 17), dt.date(2021, 8, 18))
    assert place_duration("PXW", dt.date(2021, 8, 17), "back", vague_amount=4) == (dt.date(2021, 7, 20), dt.date(2021, 8, 18))
    assert place_duration("P2W", dt.date(2021, 8, 17), "forward") == (dt.date(2021, 8, 17), dt.date(2021, 8, 31))
    assert place_duration("2021", dt.date(2021, 8, 17), "back") is None


@pytest.mark.parametrize(
    "text, value",
    [("twenty four", 24), ("twenty-four", 24), ("two hundred", 200), ("a couple of", 2), ("5 1/2", 5.5), ("1,500", 1500),
     ("one and a half", 1.5), ("zebra", None), ("an", 1), ("2½", 2.5), ("1,5", 1.5)],
)
def test_number_words(text, value):
    assert number_value(text) == value


def test_time_number_words_are_read_by_the_number_parser():
    """One reader of number words: every number word the time patterns count with has
    the value analysis.numbers.parse_number gives it."""
    from analysis import parse_number
    from analysis.timexes.patterns import counting_values, lexicon

    values = counting_values()
    for word in lexicon()["numbers"]:
        assert values[word] == parse_number(word) == number_value(word)


@pytest.mark.parametrize("text, year", [("nineteen ninety-six", 1996), ("two thousand", 2000), ("two thousand one", 2001), ("nineteen oh five", 1905)])
def test_year_words(text, year):
    assert year_from_words(text) == year


def test_a_history_is_narrative_and_news_is_not():
    history = list(range(1914, 1922))
    assert is_narrative(history, 0, dt.date(2021, 8, 17))
    assert not is_narrative(history, 5, dt.date(2021, 8, 17))  # many "yesterday"s: news
    assert not is_narrative([1990, 1995, 2021], 0, dt.date(2021, 8, 17))


# ------------------------------------------------------------------ properties

_WORDS = st.sampled_from(
    [
        "the", "last", "next", "early", "late", "mid-", "about", "more than", "two", "a", "few", "years", "year", "week",
        "decades", "ago", "later", "earlier", "May", "march", "fall", "Tuesday", "Aug.", "17", "2021", "1990s", "9/11",
        "10", "a.m.", "noon", "quarter", "third", "fiscal", "$", "%", ",", ".", "-", "–", "'", "BC", "in", "since",
        "today", "now", "every", "daily", "night", "Christmas", "of", "0", "31", "99", "2012–13", "\n\n", "spring",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_WORDS, max_size=25), st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)))
def test_no_text_crashes_the_stage_and_every_row_is_sound(words, published):
    text = " ".join(words)
    doc = Document(doc_id="h", text=text, published=published)
    for t in extract_timexes(doc, split_sentences(doc)):
        assert text[t.start : t.end] == t.surface and t.surface.strip()
        assert t.type in ("DATE", "TIME", "DURATION", "SET")
        if t.interval_start is not None:
            assert t.interval_start < t.interval_end


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200), st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)))
def test_arbitrary_text_never_crashes(text, published):
    doc = Document(doc_id="h", text=text, published=published)
    for t in extract_timexes(doc, split_sentences(doc)):
        assert text[t.start : t.end] == t.surface


@settings(max_examples=300)
@given(
    st.dates(min_value=dt.date(100, 1, 1), max_value=dt.date(9000, 12, 31)),
    st.sampled_from([g for g in GRANULARITY_ORDER if g in ("century", "decade", "year", "half", "season", "quarter", "month", "week", "day")]),
)
def test_a_period_contains_the_day_it_was_made_from(day, granularity):
    start, end = value_interval(format_period(day, granularity))
    assert start <= day < end


@settings(max_examples=300)
@given(st.text(max_size=30))
def test_value_parsers_never_crash(value):
    value_interval(value)
    canonical_value(value)
    parse_duration(value)
    number_value(value)


def test_word_lists_hold_words_not_yaml_booleans():
    """YAML reads a bare on/off/yes/no as a boolean: every listed word must be quoted."""
    from analysis.lexicons import load_lexicon

    def lists(node):
        if isinstance(node, dict):
            for value in node.values():
                yield from lists(value)
        elif isinstance(node, list):
            yield node
            for item in node:
                yield from lists(item)

    for name in ("timex.yaml", "named_dates.yaml", "timex_rules.yaml"):
        for items in lists(load_lexicon(name)):
            assert not any(isinstance(item, bool) for item in items), (name, items)
