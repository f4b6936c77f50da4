"""Claims: the figures that say how many of something there were, are or will be.

Stage: ``(Document, sentences, timexes, quantities) -> list[Claim]``. A claim is a
quantity of kind count, money, percent or measure that has a unit or counted noun (not
a year, date, duration, age, ordinal or identifier), or a "no X" that counts zero. For
each one this module reads, from ``lexicons/claims.yaml``:

- category: from the head of the counted noun (troops, personnel, evacuees, ...), a cue
  verb for counts of people ("airlifted" -> evacuees, "killed" -> deaths), the unit
  (money, percent), else ``other``;
- actor ("NATO's remaining 800"; "we" in a quotation is the speaker's organisation),
  location ("in Kabul", "out of Kabul");
- modality: negated, projected ("may have to be", "will"), pledged, hypothetical,
  estimated ("estimates", an approximate figure), else asserted;
- speaker and quoted, from the sentence;
- time: a time expression in the figure's clause or sentence (``explicit``); for a
  trend told in one breath ("from over 100,000 troops we went down to less than 10,000
  — and now to zero") the earlier figures span from the start of the period the
  sentence names to the time of the next figure (``series``); a past-tense sentence
  after a dated one takes that date (``narrative``); else the publication day
  (``publication``). ``series_id``/``series_pos`` group a trend.

Time expressions are the time stage's objects (``start``, ``end``, ``type``,
``interval_start``, ``interval_end``, ``anchor``, ``timex_id``); with none, claims are
dated by series order and the publication date only.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from .corpus import Document
from .lexicons import alternation, load_lexicon
from .quantities import Quantity, head_word, singular
from .sentences import Sentence
from .tables import rows_of
from .timexes.patterns import lowered_as_ignorecase

__all__ = ["Claim", "claim_rows", "claim_stage", "extract_claims"]


# Patterns used per number, compiled once.
_OF_AFTER = re.compile(r"\s+of\b")
# (``\b([A-Z]{2,})`` written to begin with a character class: the scan skips to capitals in C)
_ORG_TITLE_NAME = re.compile(r"([A-Z](?<!\w[A-Z])[A-Z]+)(?:\s+[A-Z][a-z]+){1,3}\s+[A-Z][a-z]+\s+([A-Z][\w'’-]+)")
_FROM_LEAD = re.compile(r"\bfrom\s+(?:\S+\s+){0,2}$", re.IGNORECASE)
_TO_WORD = re.compile(r"\bto\b", re.IGNORECASE)
_WORD_CHAR = re.compile(r"\w")
# a semicolon or dash, ", and/but/while", " - " (matched from its hyphen: every
# alternative starts with a literal character, which the regex engine skips to in C)
_CLAUSE_BREAK = re.compile(r";|—|–|,\s+(?:and|but|while)\b|-(?<=\s-)\s")

CLAIM_KINDS = frozenset({"count", "money", "percent", "measure"})


@dataclass  # no slots: its rows are copies of its attribute dict (tables.rows_of)
class Claim:
    """One row of the ``claims`` table (read-only by convention: not frozen, because
    building a frozen object of this size costs a third of what finding the claim does).

    Attributes:
        claim_id: ``f"{doc_id}:c{n}"``, n from 0 in text order.
        quantity_id: the quantity it states (None for a "no X" zero).
        doc_id, sent_idx, start, end, surface: where the figure is.
        value, low, high, qualifier: as in the quantities table.
        unit: the normalized unit or counted noun; noun: the counted noun phrase;
        noun_head: its head word (singular).
        category: troops, personnel, evacuees, ..., money, percent, other.
        actor: whose figure ("NATO"); location: where ("Kabul").
        modality: asserted, estimated, projected, pledged, negated, hypothetical.
        speaker, quoted: who states it and whether inside quotation marks.
        time_start, time_end: the half-open span of calendar time it is about.
        time_basis: explicit, series, narrative or publication.
        timex_id: the time expression that dated it, if any.
        series_id, series_pos: a trend told in one breath and the figure's place in it.
        unit_carried: the noun came from an earlier figure.
    """

    claim_id: str
    quantity_id: str | None
    doc_id: str
    sent_idx: int
    start: int
    end: int
    surface: str
    value: float
    low: float | None
    high: float | None
    qualifier: str
    unit: str | None
    noun: str | None
    noun_head: str | None
    category: str
    actor: str | None
    location: str | None
    modality: str
    speaker: str | None
    quoted: bool
    time_start: dt.date | None
    time_end: dt.date | None
    time_basis: str
    timex_id: str | None
    series_id: str | None
    series_pos: int | None
    unit_carried: bool


# ---------------------------------------------------------------------------- lexicon


@dataclass(frozen=True, slots=True)
class _Lexicon:
    category_of: dict
    cue_categories: list  # (compiled, category)
    cue_categories_lowered: list  # (compiled for a lowered text after one space, category)
    person_nouns: frozenset
    modality: re.Pattern
    modality_rank: dict
    cue_modality: dict
    zero: re.Pattern
    location: re.Pattern
    not_places: frozenset
    possessive: re.Pattern
    first_person: re.Pattern
    present: re.Pattern
    past: re.Pattern
    present_tense: re.Pattern
    past_lowered: re.Pattern  # ``past`` on a lowered text after a non-word character
    present_tense_lowered: re.Pattern
    first_person_lowered: re.Pattern


@functools.cache
def _lexicon() -> _Lexicon:
    lex = load_lexicon("claims.yaml")
    category_of = {}
    for category, nouns in lex["categories"].items():
        for noun in nouns or []:
            category_of.setdefault(noun.lower(), category)
    cues = [
        (re.compile(rf"(?<![\w'])(?:{alternation(words)})(?![\w'])", re.IGNORECASE), category)
        for category, words in lex["cue_categories"].items()
    ]
    # one pattern for every cue: a sentence is scanned once; "may" only in lower case
    # (not the month)
    cue_modality = {}
    for name in reversed(lex["modality_order"]):
        for cue in lex["modality_cues"][name]:
            cue_modality[" ".join(cue.lower().split())] = name
    # scanned on the lower-cased sentence (much faster); "May" is checked on the text
    # after a character that is neither a letter nor an apostrophe (the sentence gets a
    # space in front): a pattern that starts with one character class is scanned in C
    modality = re.compile(rf"[^\w']({alternation(cue_modality, case_sensitive=list(cue_modality))})(?![\w])")
    modality_rank = {name: k for k, name in enumerate(lex["modality_order"])}
    zero = re.compile(rf"(?<![\w-])(?:{alternation(lex['zero_words'])})\s+((?:[\w-]+\s+){{0,2}}?[\w-]+s)\b", re.IGNORECASE)
    # the character before the preposition is part of the match (scanned from one
    # character before the figure's end): see ``modality``
    location = re.compile(
        rf"[^\w](?:{alternation(lex['location_prepositions'], case_sensitive=lex['location_prepositions'])})\s+((?:the\s+)?[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*){{0,3}}(?:\s+soil)?)"
    )
    return _Lexicon(
        category_of=category_of,
        cue_categories=cues,
        cue_categories_lowered=[(_lowered_words(words, r"\w'"), category) for category, words in lex["cue_categories"].items()],
        person_nouns=frozenset(lex["person_nouns"]),
        modality=modality,
        modality_rank=modality_rank,
        cue_modality=cue_modality,
        zero=zero,
        location=location,
        not_places=frozenset(lex["not_places"]),
        possessive=re.compile(r"(?:(?<![\w])[Tt]he\s+([a-z][\w-]+)|([A-Z][\w.&-]*(?:\s+[A-Z][\w.&-]*){0,3}))['’]s\s+(?:[\w-]+\s+){0,3}$"),
        first_person=re.compile(rf"\b(?:{alternation(lex['actor_pronouns_first_person'])})\b", re.IGNORECASE),
        present=re.compile(rf"\b(?:{alternation(lex['present_words'])})\b", re.IGNORECASE),
        past=re.compile(rf"\b(?:{alternation(lex['past_markers'])})\b", re.IGNORECASE),
        present_tense=re.compile(rf"\b(?:{alternation(lex['present_markers'])})\b", re.IGNORECASE),
        past_lowered=_lowered_words(lex["past_markers"]),
        present_tense_lowered=_lowered_words(lex["present_markers"]),
        first_person_lowered=_lowered_words(lex["actor_pronouns_first_person"]),
    )


def _lowered_words(words: list[str], word_chars: str = r"\w") -> re.Pattern:
    """Whole ``words`` (of word characters at both ends) in a lowered text whose first
    character is not one of ``word_chars`` (a space put in front): what
    ``(?<![word_chars])(?:words)(?![word_chars])`` (``\\b`` for ``\\w``) finds case-blind
    in the text, where a scan that starts with one character class runs in C instead
    of trying the words at every character."""
    lowered = [word.lower() for word in words]
    return re.compile(rf"[^{word_chars}](?:{alternation(lowered, case_sensitive=lowered)})(?![{word_chars}])")


# ---------------------------------------------------------------------------- extraction


@dataclass(slots=True)
class _Draft:
    q: Quantity | None
    sentence: Sentence
    start: int
    end: int
    value: float
    low: float | None
    high: float | None
    qualifier: str
    unit: str | None
    noun: str | None
    noun_head: str | None
    carried: bool
    modality: str = "asserted"
    series_id: str | None = None
    series_pos: int | None = None
    time: tuple | None = None  # (start, end, basis, timex_id)
    facts: _SentenceFacts | None = None


class _SentenceFacts:
    """What the claims of one sentence read from it, each found once, when first asked:
    its clause breaks, its modality cues, whether it is told in the past tense."""

    __slots__ = ("_breaks", "_cues", "_lowered", "_lowered_alike", "_past", "sentence", "text")

    def __init__(self, text: str, sentence: Sentence) -> None:
        self.text = text
        self.sentence = sentence
        self._breaks: list[tuple[int, int]] | None = None
        self._cues: list[tuple[str, int]] | None = None
        self._past: bool | None = None
        self._lowered: str | None = None
        self._lowered_alike: bool | None = None

    def lowered(self) -> str:
        """The sentence lower-cased, after one space (so a cue may open it)."""
        if self._lowered is None:
            s = self.sentence
            self._lowered = " " + self.text[s.start : s.end].lower()
        return self._lowered

    def clause(self, start: int, end: int) -> tuple[int, int]:
        """The clause around ``text[start:end]``: from the last break before it to the
        first after it, else the sentence's ends."""
        s = self.sentence
        if self._breaks is None:
            self._breaks = _clause_breaks(self.text, s.start, s.end)
        left, right = s.start, s.end
        for b_start, b_end in self._breaks:
            if b_end <= start:
                left = b_end
            elif b_start >= end:
                right = b_start
                break
        return left, right

    def cues(self) -> list[tuple[str, int]]:
        """(modality, position) of every modality cue; "May" (the month) is none."""
        if self._cues is None:
            s, text = self.sentence, self.text
            # the sentence gets a space in front: match offsets are one past the text's
            self._cues = [
                (_lexicon().cue_modality[" ".join(m.group(1).split())], s.start + m.start(1) - 1)
                for m in _lexicon().modality.finditer(self.lowered())
                if not (m.group(1) == "may" and text[s.start + m.start(1) - 1] == "M")
            ]
        return self._cues

    def past_tense(self) -> bool:
        """A past-tense marker and no present-tense one."""
        if self._past is None:
            lex = _lexicon()
            self._past = self.says(lex.past, lex.past_lowered) and not self.says(lex.present_tense, lex.present_tense_lowered)
        return self._past

    def says(self, words: re.Pattern, lowered: re.Pattern) -> bool:
        """Whether the case-blind whole ``words`` are in the sentence: read with their
        ``lowered`` pattern (see :func:`_lowered_words`) in the lowered sentence when
        that finds the same, which it does unless lowering changes the sentence's
        length or reads a letter otherwise, or a word character comes right before
        the sentence (the space in front stands for it)."""
        if self._lowered_alike is None:
            s, low = self.sentence, self.lowered()
            self._lowered_alike = (
                len(low) == s.end - s.start + 1
                and lowered_as_ignorecase(low)
                and not _WORD_CHAR.match(self.text, s.start - 1, s.start)
            )
        if self._lowered_alike:
            return lowered.search(self._lowered) is not None
        return words.search(self.text, self.sentence.start, self.sentence.end) is not None


def extract_claims(doc: Document, sentences: list[Sentence], timexes: list | None, quantities: list[Quantity]) -> list[Claim]:
    """The claims of a document.

    Args:
        doc: the document (its publication date dates undated claims).
        sentences: its sentences.
        timexes: time expressions of the time stage (may be empty).
        quantities: its quantities (from :func:`analysis.extract_quantities`).

    Returns:
        Claims in text order, ids ``f"{doc_id}:c{n}"``.
    """
    text = doc.text
    lex = _lexicon()
    timexes = [t for t in (timexes or []) if getattr(t, "interval_start", None) is not None]
    by_sentence: dict[int, list[Quantity]] = {}
    for q in quantities:
        by_sentence.setdefault(q.sent_idx, []).append(q)
    drafts: list[_Draft] = []
    zero_cued = _zero_cue_sentences(text, sentences)
    for k, sentence in enumerate(sentences):
        own = by_sentence.get(sentence.sent_idx, ())
        cued = zero_cued is None or k in zero_cued
        if not own and not cued:
            continue  # most sentences: no figure to read
        figures = [_draft(q, sentence) for q in own if _is_claim(text, q)]
        if cued:
            figures += _zero_counts(text, sentence, own, lex)
        if not figures:
            continue
        figures.sort(key=lambda d: d.start)
        facts = _SentenceFacts(text, sentence)
        for d in figures:
            d.facts = facts
        drafts.extend(figures)
    _series(text, drafts, doc.doc_id)
    _date(text, doc, sentences, timexes, drafts)
    claims = []
    people = _Organisations(text)
    for n, d in enumerate(drafts):
        s = d.sentence
        claims.append(
            # positional, in field order (keywords cost twice as much, once per row)
            Claim(
                f"{doc.doc_id}:c{n}",  # claim_id
                d.q.quantity_id if d.q else None,  # quantity_id
                doc.doc_id,
                s.sent_idx,
                d.start,
                d.end,
                text[d.start : d.end],  # surface
                d.value,
                d.low,
                d.high,
                d.qualifier,
                d.unit,
                d.noun,
                d.noun_head,
                _category(text, d),  # category
                _actor(text, d, people),  # actor
                _location(text, d),  # location
                d.modality if d.modality != "asserted" else _modality(d),  # modality
                s.speaker,
                s.quoted,
                d.time[0],  # time_start
                d.time[1],  # time_end
                d.time[2],  # time_basis
                d.time[3],  # timex_id
                d.series_id,
                d.series_pos,
                d.carried,  # unit_carried
            )
        )
    return claims


def _is_claim(text: str, q: Quantity) -> bool:
    if q.kind not in CLAIM_KINDS or not (q.unit or q.noun):
        return False
    # "one of the best speakers", "a third of the population" say which, not how many
    if q.kind == "count" and q.value == 1 and q.surface.lower() in ("one", "a", "an") and _OF_AFTER.match(text[q.end : q.end + 4]):
        return False
    return True


def _draft(q: Quantity, sentence: Sentence) -> _Draft:
    return _Draft(q, sentence, q.start, q.end, q.value, q.low, q.high, q.qualifier, q.unit, q.noun, q.noun_head, q.unit_carried)


# What a zero count begins with, lower case (see _zero_counts).
_ZERO_CUES = ("no ", "zero ")


def _zero_cue_sentences(text: str, sentences: list[Sentence]) -> set[int] | None:
    """Positions (in ``sentences``) of the sentences whose lower-cased text holds a
    zero cue, from one look at the whole text instead of one per sentence; ``None``
    when lower-casing changes the text's length (then each sentence is looked at)."""
    low = text.lower()
    if len(low) != len(text):
        return None
    starts = [s.start for s in sentences]
    found = set()
    for cue in _ZERO_CUES:
        at = low.find(cue)
        while at >= 0:
            k = bisect.bisect_right(starts, at) - 1
            if k >= 0 and at + len(cue) <= sentences[k].end:
                found.add(k)
            at = low.find(cue, at + 1)
    return found


def _zero_counts(text: str, sentence: Sentence, quantities: Sequence[Quantity], lex: _Lexicon) -> list[_Draft]:
    """"there have been no terrorist attacks": a count of zero, negated."""
    out = []
    body = text[sentence.start : sentence.end].lower()
    if not any(cue in body for cue in _ZERO_CUES):
        return out
    taken = [(q.start, q.end) for q in quantities]
    for m in lex.zero.finditer(text, sentence.start, sentence.end):
        if any(a <= m.start() < b for a, b in taken):
            continue
        noun = m.group(1)
        head = head_word(noun)
        if head not in lex.category_of:
            continue
        d = _Draft(None, sentence, m.start(), m.start() + len(m.group().split()[0]), 0.0, 0.0, 0.0, "exact", noun, noun, head, False)
        d.modality = "negated"
        out.append(d)
    return out


# ---------------------------------------------------------------------------- attributes


def _category(text: str, d: _Draft) -> str:
    lex = _lexicon()
    q = d.q
    if q is not None and q.kind == "money":
        return "money"
    if q is not None and q.kind == "percent":
        return "percent"
    head = d.noun_head
    if head and head in lex.person_nouns:
        clause = text[d.end : min(d.sentence.end, d.end + 120)]
        low = " " + clause.lower()  # the space: the clause is read on its own
        cues = lex.cue_categories_lowered if len(low) == len(clause) + 1 and lowered_as_ignorecase(low) else lex.cue_categories
        searched = low if cues is lex.cue_categories_lowered else clause
        for pattern, category in cues:
            if pattern.search(searched):
                return category
    if head:
        if head in lex.category_of:
            return lex.category_of[head]
        words = (d.noun or "").lower().split()
        for w in reversed(words):
            if singular(w) in lex.category_of:
                return lex.category_of[singular(w)]
    return "other"


def _clause_breaks(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Spans of the clause breaks in ``text[start:end]``, in order, not overlapping; " - "
    spans its first space too."""
    out: list[tuple[int, int]] = []
    last = start
    for m in _CLAUSE_BREAK.finditer(text, start, end):
        b_start, b_end = m.span()
        if text[b_start] == "-":
            b_start -= 1
            if b_start < last:
                continue  # its space ends the break before: " - - "
        out.append((b_start, b_end))
        last = b_end
    return out


def _modality(d: _Draft) -> str:
    """The first modality with a cue in the sentence (cues found once per sentence); a
    negation counts only before the figure in its clause ("did not send 500 troops",
    not "paid $100 million for work that never took place"); an approximate figure is
    estimated; else asserted."""
    cues = d.facts.cues()
    if cues:
        left = d.facts.clause(d.start, d.end)[0]
        found = [name for name, at in cues if name != "negated" or left <= at < d.start]
        if found:
            rank = _lexicon().modality_rank
            return min(found, key=rank.__getitem__)
    if d.qualifier == "approx":
        return "estimated"
    return "asserted"


def _location(text: str, d: _Draft) -> str | None:
    lex = _lexicon()
    for m in lex.location.finditer(text, d.end - 1, min(d.sentence.end, d.end + 160)):
        place = m.group(1)
        words = place.split()
        if words[0].lower() == "the":
            words = words[1:]
        if not words or words[0].lower() in lex.not_places:
            continue
        return " ".join(words)
    return None


class _Organisations:
    """People named with an organisation before their title: "NATO Secretary General
    Jens Stoltenberg" -> {"Stoltenberg": "NATO"}; read from the text when first asked."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.names: dict | None = None

    def get(self, surname: str | None) -> str | None:
        if surname is None:
            return None
        if self.names is None:
            self.names = {}
            for m in _ORG_TITLE_NAME.finditer(self.text):
                self.names.setdefault(m.group(2), m.group(1))
        return self.names.get(surname)


def _actor(text: str, d: _Draft, organisations: _Organisations) -> str | None:
    lex = _lexicon()
    before = text[max(d.sentence.start, d.start - 60) : d.start]
    m = lex.possessive.search(before) if "'s" in before or "’s" in before else None
    if m:
        return m.group(1) or m.group(2)  # "the company's 800", "NATO's remaining 800"
    s = d.sentence
    if s.quoted and d.facts.says(lex.first_person, lex.first_person_lowered):
        return organisations.get(s.speaker)
    return None


# ---------------------------------------------------------------------------- series and time


def _series(text: str, drafts: list[_Draft], doc_id: str) -> None:
    """Trends told in one sentence: figures that carry one noun, or "from X to Y"."""
    n = 0
    k = 0
    while k < len(drafts):
        run = [drafts[k]]
        j = k + 1
        while j < len(drafts) and drafts[j].sentence is drafts[k].sentence and _continues_series(text, run[-1], drafts[j], len(run) > 1):
            run.append(drafts[j])
            j += 1
        if len(run) >= 2:
            sid = f"{doc_id}:s{n}"
            n += 1
            for pos, d in enumerate(run):
                d.series_id, d.series_pos = sid, pos
        k = j


def _continues_series(text: str, a: _Draft, b: _Draft, in_run: bool) -> bool:
    if a.q is None or b.q is None:
        return False
    same = b.carried or (a.noun_head and a.noun_head == b.noun_head) or (a.unit and a.unit == b.unit and a.q.kind == b.q.kind)
    if not same:
        return False
    lead = text[max(a.sentence.start, a.start - 40) : a.start]
    gap = text[a.end : b.start]
    started = in_run or ("from" in lead.lower() and _FROM_LEAD.search(lead))
    return bool(started and _TO_WORD.search(gap))


def _date(text: str, doc: Document, sentences: list[Sentence], timexes: list, drafts: list[_Draft]) -> None:
    if not drafts:
        return
    publication = (doc.published, doc.published + dt.timedelta(days=1), "publication", None)
    by_sentence: dict[int, list] = {}
    starts = [s.start for s in sentences]
    for t in timexes:
        by_sentence.setdefault(_sentence_of(sentences, starts, t.start), []).append(t)
    # explicit and narrative first; then series order for the earlier figures of a trend
    for d in drafts:
        own = [t for t in by_sentence.get(d.sentence.sent_idx, []) if (t.type or "").upper() != "SET"]
        explicit = _explicit(text, d, own)
        if explicit is not None:
            d.time = (explicit.interval_start, explicit.interval_end, "explicit", getattr(explicit, "timex_id", None))
            continue
        narrative = _narrative(text, d, sentences, by_sentence)
        d.time = narrative or publication
    series: dict[str, list[_Draft]] = {}
    for d in drafts:
        if d.series_id:
            series.setdefault(d.series_id, []).append(d)
    for run in series.values():
        # the earlier figures of a trend lie between the start of the period the
        # sentence names and the time of its last figure
        period = _period(text, run[0], by_sentence.get(run[0].sentence.sent_idx, []))
        end = run[-1].time[0]
        start = period.interval_start if period is not None else None
        if start is not None and end is not None and start >= end:
            start = None
        for d in run[:-1]:
            if d.time[2] == "explicit" and d.time[3] is not None and d.time[3] != run[-1].time[3]:
                continue
            d.time = (start, end, "series", getattr(period, "timex_id", None))


def _sentence_of(sentences: list[Sentence], starts: list[int], pos: int) -> int:
    """The index of the sentence that holds ``pos`` (``starts``: the sentences' starts,
    in order), or -1."""
    k = bisect.bisect_right(starts, pos) - 1
    if k >= 0 and pos < sentences[k].end:
        return sentences[k].sent_idx
    return -1


def _explicit(text: str, d: _Draft, own: list):
    """A time expression of the figure's clause, else one that opens its sentence
    before it ("In 2019, ..."); durations date only figures outside a series."""
    if not own:
        return None
    left, right = d.facts.clause(d.start, d.end)
    in_clause = [t for t in own if left <= t.start and t.end <= right]
    candidates = in_clause or [t for t in own if t.end <= d.start and d.series_pos is None]
    if d.series_pos is not None:
        candidates = [t for t in candidates if (t.type or "").upper() != "DURATION"]
    if not candidates:
        return None
    # the nearest one
    return min(candidates, key=lambda t: abs((t.start + t.end) / 2 - d.start))


def _period(text: str, first: _Draft, own: list):
    """The span a trend runs over: a duration of its sentence before its first figure
    ("Over the past few years, from over 100,000 ...")."""
    durations = [t for t in own if (t.type or "").upper() == "DURATION" and t.end <= first.start]
    return durations[-1] if durations else None


def _narrative(text: str, d: _Draft, sentences: list[Sentence], by_sentence: dict):
    """A past-tense sentence without a time of its own takes the last absolute date an
    earlier sentence of the same paragraph gave."""
    s = d.sentence
    if s.quoted or s.sent_idx == 0 or not d.facts.past_tense():
        return None
    for idx in range(s.sent_idx - 1, max(-1, s.sent_idx - 6), -1):
        prev = sentences[idx]
        if "\n\n" in text[prev.end : s.start]:
            break
        dated = [t for t in by_sentence.get(idx, []) if (t.type or "").upper() == "DATE" and getattr(t, "anchor", "") != "publication"]
        if dated:
            t = dated[-1]
            return (t.interval_start, t.interval_end, "narrative", getattr(t, "timex_id", None))
    return None


# ---------------------------------------------------------------------------- the stage


def claim_rows(claims: list[Claim]) -> list[dict]:
    """Rows of the ``claims`` table."""
    return rows_of(claims)


def claim_stage(result) -> None:
    """Pipeline stage: fill ``result.claims`` and the ``claims`` table."""
    result.claims = extract_claims(result.doc, result.sentences, result.timexes, result.quantities)
    result.add("claims", claim_rows(result.claims))
