"""The claims stage: the seed article end to end, golden cases from data, properties."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import Document, extract_claims, extract_quantities, split_sentences
from analysis.evaluation.claims import intervals_overlap
from analysis.pipeline import process_document
from analysis.quantities import head_word
from analysis.tables import to_frame

from .conftest import load_golden

GOLDEN = load_golden("claims.json")


@dataclass(frozen=True, slots=True)
class Timex:
    """The time stage's interface (``analysis.timexes.Timex``), built by hand here so
    the claims' time logic is tested whether or not that stage is present."""

    timex_id: str
    doc_id: str
    sent_idx: int
    start: int
    end: int
    surface: str
    type: str
    value: str | None
    mod: str | None
    anchor: str
    interval_start: dt.date | None
    interval_end: dt.date | None
    granularity: str | None


def _gold_timexes(gold: dict, doc_id: str) -> list[Timex]:
    out = []
    for n, t in enumerate(gold["timexes"]):
        out.append(
            Timex(f"{doc_id}:t{n}", doc_id, -1, t["start"], t["end"], t["text"], t["type"], t["value"], t.get("mod"),
                  "absolute" if t["value"].startswith("2001") else "publication",
                  dt.date.fromisoformat(t["interval_start"]), dt.date.fromisoformat(t["interval_end"]), None)
        )
    return out


def _claims(doc: Document, timexes=()):
    sentences = split_sentences(doc)
    quantities = extract_quantities(doc, sentences, list(timexes))
    return extract_claims(doc, sentences, list(timexes), quantities)


def _doc(text: str) -> Document:
    return Document(doc_id="t", text=text, published=dt.date(2021, 8, 17))


@pytest.mark.parametrize("with_timexes", [True, False], ids=["with-timexes", "without-timexes"])
def test_seed_claims_match_the_gold(seed_doc, seed_gold, with_timexes):
    assert seed_doc.text == seed_gold["text"]
    timexes = _gold_timexes(seed_gold, seed_doc.doc_id) if with_timexes else []
    claims = _claims(seed_doc, timexes)
    for gold in (g for g in seed_gold["claims"] if not g.get("optional")):
        match = [c for c in claims if c.start < gold["end"] and gold["start"] < c.end]
        assert len(match) == 1, gold["text"]
        c = match[0]
        assert c.value == gold["value"] and c.low == gold["low"] and c.high == gold["high"], gold["text"]
        assert c.qualifier == gold["qualifier"] and c.category == gold["category"]
        assert head_word(c.noun) == head_word(gold["noun"])
        assert c.speaker == gold["speaker"] and c.quoted == gold["quoted"]
        assert c.modality == gold["modality"]
        assert c.series_pos == gold.get("series_pos")
        assert c.unit_carried == gold.get("unit_carried", False)
        assert intervals_overlap(c.time_start, c.time_end, gold["time_start"], gold["time_end"]), (gold["text"], c.time_start, c.time_end)
        if with_timexes and gold["time_basis"] != "publication":
            # a figure dated by the publication day may also be dated by a "now" of its
            # sentence (the same day); other bases must agree
            assert c.time_basis == gold["time_basis"], gold["text"]
            assert (c.time_start, c.time_end) == (dt.date.fromisoformat(gold["time_start"]), dt.date.fromisoformat(gold["time_end"]))


def test_seed_durations_and_named_dates_are_no_claims(seed_doc, seed_gold):
    claims = _claims(seed_doc, _gold_timexes(seed_gold, seed_doc.doc_id))
    surfaces = {seed_doc.text[c.start : c.end] for c in claims}
    assert not {"two", "9/11", "11", "9"} & surfaces
    gold_spans = [(g["start"], g["end"]) for g in seed_gold["claims"]]
    for c in claims:  # every claim is a gold claim (the optional "no" included)
        assert any(c.start < e and s < c.end for s, e in gold_spans), c.surface


def test_seed_claim_table_rows(seed_doc):
    result = process_document(seed_doc)
    frame = to_frame("claims", result.rows["claims"])
    assert len(frame) == len(result.claims) >= 5
    assert str(frame["time_end"].dtype).startswith("datetime64")
    for n, c in enumerate(result.claims):
        assert c.claim_id == f"{seed_doc.doc_id}:c{n}"
        assert seed_doc.text[c.start : c.end] == c.surface
    quantity_ids = {q.quantity_id for q in result.quantities}
    assert all(c.quantity_id is None or c.quantity_id in quantity_ids for c in result.claims)


@pytest.mark.parametrize("case", GOLDEN["cases"], ids=lambda c: c["text"][:50])
def test_claims_golden(case):
    claims = _claims(_doc(case["text"]))
    assert len(claims) == len(case["expected"]), [(c.surface, c.category) for c in claims]
    for c, expected in zip(claims, case["expected"], strict=True):
        for key, want in expected.items():
            got = getattr(c, key)
            if isinstance(want, (int, float)) and not isinstance(want, bool):
                assert math.isclose(got, want), (key, got, want)
            else:
                assert got == want, (key, got, want)


@pytest.mark.parametrize("text", GOLDEN["not_claims"], ids=lambda t: t[:50])
def test_not_claims(text):
    assert [c.surface for c in _claims(_doc(text))] == []


def test_narrative_date_carries_to_the_next_past_sentence():
    text = "In March 1999 the army had 40 brigades. The following year it had 52 brigades."
    doc = _doc(text)
    march = Timex("t:t0", "t", 0, 3, 13, "March 1999", "DATE", "1999-03", None, "absolute", dt.date(1999, 3, 1), dt.date(1999, 4, 1), "month")
    following = Timex("t:t1", "t", 1, 40, 58, "The following year", "DATE", "2000", None, "previous", dt.date(2000, 1, 1), dt.date(2001, 1, 1), "year")
    claims = _claims(doc, [march, following])
    assert [(c.value, c.time_basis, c.time_start) for c in claims] == [(40, "explicit", dt.date(1999, 3, 1)), (52, "explicit", dt.date(2000, 1, 1))]
    # without the second date, the past-tense sentence takes the narrative's last date
    text2 = "In March 1999 the army had 40 brigades. Its air force had 52 aircraft."
    claims = _claims(_doc(text2), [march])
    assert [(c.value, c.time_basis, c.time_start) for c in claims] == [(40, "explicit", dt.date(1999, 3, 1)), (52, "narrative", dt.date(1999, 3, 1))]


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=150))
def test_no_text_crashes_the_claims(text):
    for c in _claims(_doc(text)):
        assert text[c.start : c.end] == c.surface
        assert c.time_start is None or c.time_end is None or c.time_start < c.time_end


# What a clause break is, written plainly: the scan the claims stage uses is written
# for speed (every alternative starts with a literal character) and must find the same.
_CLAUSE_BREAK_PLAIN = __import__("re").compile(r"[;—–]|,\s+(?:and|but|while)\b|\s-\s")


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from([" ", "  ", "-", " - ", ";", "—", "–", ",", ", and", ", but", ", while", "andy", "x", "\n", "5"]), max_size=14).map("".join))
def test_clause_breaks_are_those_of_the_plain_pattern(text):
    from analysis.claims import _clause_breaks

    for start in (0, 1):
        if start > len(text):
            continue
        expected = [m.span() for m in _CLAUSE_BREAK_PLAIN.finditer(text[start:])]
        got = [(a - start, b - start) for a, b in _clause_breaks(text, start, len(text))]
        assert got == expected


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["No ", "no", " ", "zero ", "ZERO", "Casino ", "troops", ". ", "\n\n", "İ", "Σ ", "attacks"]),
                max_size=14).map("".join))
def test_zero_cues_from_one_look_are_those_of_each_sentence(text):
    """The claim stage looks for zero cues ("no troops") in the whole text once; the
    sentences it finds are those whose own lower-cased text holds one."""
    from analysis.claims import _ZERO_CUES, _zero_cue_sentences

    sentences = split_sentences(Document("z", text, dt.date(2021, 8, 17)))
    found = _zero_cue_sentences(text, sentences)
    expected = {k for k, s in enumerate(sentences) if any(cue in text[s.start : s.end].lower() for cue in _ZERO_CUES)}
    assert found is None or found == expected


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.sampled_from(["was", "WAS", "Had", " ", "  ", "had been", "had\nbeen", "is", "Now", "x", "_", "5", "'",
                              "ſ", "ı", "İ", "K", ".", "were", "totaled", "We", "us", "OUR", "ours"]), max_size=12).map("".join),
    st.integers(0, 3),
)
def test_past_tense_on_the_lowered_sentence_is_that_of_the_case_blind_patterns(text, start):
    """A sentence's past tense is read in its lowered text (a faster scan); it must be
    what the case-blind word patterns find in the text itself."""
    from analysis.claims import _lexicon, _SentenceFacts
    from analysis.sentences import Sentence

    start = min(start, len(text))
    sentence = Sentence("p", 0, start, len(text), text[start:], False, None, None)
    lex = _lexicon()
    expected = bool(lex.past.search(text, start, len(text))) and not lex.present_tense.search(text, start, len(text))
    facts = _SentenceFacts(text, sentence)
    assert facts.past_tense() == expected
    assert facts.says(lex.first_person, lex.first_person_lowered) == bool(lex.first_person.search(text, start, len(text)))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["NATO", "UN", "A", "xNATO", "_", "5", " ", "  ", "\n", "Secretary", "General", "Jens",
                                 "Stoltenberg", "said", "É", "'"]), max_size=12).map(" ".join))
def test_organisation_titles_are_those_of_the_plain_pattern(text):
    """The organisation-title-name scan begins with a character class (for speed);
    it must find what the plain \\b pattern finds."""
    import re

    from analysis.claims import _ORG_TITLE_NAME

    plain = re.compile(r"\b([A-Z]{2,})(?:\s+[A-Z][a-z]+){1,3}\s+[A-Z][a-z]+\s+([A-Z][\w'’-]+)")
    assert [m.groups() + (m.span(),) for m in _ORG_TITLE_NAME.finditer(text)] == [m.groups() + (m.span(),) for m in plain.finditer(text)]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["Killed", "killed", "KILLED", "x", "'", "’", "_", " ", "  ", "\n", "lost their lives",
                                 "lost  their\nlives", "fled", "held", "ſ", "ı", "İ", "5", "-"]), max_size=10).map("".join))
def test_cue_categories_on_the_lowered_clause_are_those_of_the_case_blind_patterns(text):
    """A person count's cue verb is looked for in the lowered clause (a faster scan)
    wherever that reads as the case-blind patterns do; it must find the same."""
    from analysis.claims import _lexicon
    from analysis.timexes.patterns import lowered_as_ignorecase

    low = " " + text.lower()
    if len(low) != len(text) + 1 or not lowered_as_ignorecase(low):
        return
    lex = _lexicon()
    for (words, category), (lowered, same) in zip(lex.cue_categories, lex.cue_categories_lowered):
        assert category == same
        assert bool(words.search(text)) == bool(lowered.search(low))
