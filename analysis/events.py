"""Dated events: for each clause that tells something happening, its trigger, type,
actors, speaker and the time that governs it.

Stage: ``(Document, sentences, timexes, claims) -> list[Event]``.

How a clause becomes an event:

1. **Clauses.** A sentence is cut before clause openers after punctuation (", but",
   ", which"), before subordinators anywhere ("because", "while"), at semicolons,
   colons, dashes and quotation marks, and between a reporting verb and what it reports
   ("told reporters | that ..."). A piece without any verb or event noun is not a
   clause of its own: it stays with the piece before it.
2. **Trigger.** In each clause the head is the first typed verb or phrase of the
   lexicon (``lexicons/events.yaml``: "pledged", "went into", "taking power"), else the
   first typed event noun ("collapse", "meeting"), else the first finite verb the
   helper words and endings reveal ("was now working", "proposed", "went"), else an
   infinitive or -ing form; the type is the lexicon's, ``other`` for a guessed verb.
3. **Actors.** Names of the gazetteer (countries, cities, organisations) and
   capitalised names in the clause, titles stripped ("NATO; Jens Stoltenberg").
4. **Time.** The time expression that governs the clause: one inside the clause (the
   one with a time preposition in front, else the nearest to the trigger), with its
   relation ("after 9/11" runs from 2001-09-11 to the publication date, mod AFTER);
   else, for a clause that is not a statement, one elsewhere in its sentence
   (``explicit`` either way); else, for a past-tense happening, the last date the text
   gave before it (``narrative``); else the tense: reported speech and present or
   future tense are placed on the publication day (``tense``, mod AFTER for the
   future, BEFORE for an undated past); else the publication day (``publication``).

Statements keep what they report in ``content`` (the rest of the sentence: the
quotation or the reported clause): two mentions of one statement differ in their
reporting clause ("he said" / "he told a press conference") but not in what was said,
and de-duplication (:mod:`analysis.dedup`) compares that.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import itertools
import operator
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .corpus import Document
from .lexicons import load_lexicon
from .sentences import Sentence, find_quotes
from .tables import rows_of

__all__ = ["EVENT_TYPES", "TIME_BASES", "Event", "event_rows", "event_stage", "extract_events"]

EVENT_TYPES = (
    "statement",
    "meeting",
    "pledge",
    "deployment",
    "withdrawal",
    "evacuation",
    "attack",
    "takeover",
    "agreement",
    "election",
    "collapse",
    "other",
)
TIME_BASES = ("explicit", "narrative", "tense", "publication")


@dataclass
class Event:
    """One row of the ``events`` table.

    Attributes:
        event_id: ``f"{doc_id}:e{n}"``, n from 0 in text order.
        doc_id, sent_idx: where the event is told.
        start, end: the clause (character offsets into the document text).
        text: the clause, ``doc.text[start:end]``.
        trigger, trigger_start, trigger_end: the verb or noun that tells the happening.
        type: one of :data:`EVENT_TYPES`.
        actors: organisations, places and people named in the clause, ``"; "``-joined.
        speaker: who tells it (the sentence's speaker), or ``None`` for the writer.
        quoted: the trigger is inside quotation marks.
        timex_id, time_surface: the time expression that dates the event, if any.
        time_start, time_end: the half-open calendar interval of the event.
        granularity: of that interval (day, week, month, year, ...).
        time_basis: explicit | narrative | tense | publication.
        mod: how the event relates to its time (AFTER: from then on; BEFORE: until
            then; the time expression's own mod otherwise).
        tense: past | present | future | none, from the clause's verb group.
        negated: a negation before the trigger says it did not happen ("no terrorist
            attacks", "did not attack").
        content: for a statement, what it reports (the rest of its sentence); ``None``
            otherwise.
        canonical_id: the event de-duplication keeps for all mentions of the same
            happening (itself until de-duplication says otherwise).
        n_mentions: how many mentions that canonical event has.
    """

    event_id: str
    doc_id: str
    sent_idx: int
    start: int
    end: int
    text: str
    trigger: str
    trigger_start: int
    trigger_end: int
    type: str
    actors: str | None
    speaker: str | None
    quoted: bool
    timex_id: str | None
    time_surface: str | None
    time_start: dt.date | None
    time_end: dt.date | None
    granularity: str | None
    time_basis: str
    mod: str | None
    tense: str
    negated: bool
    content: str | None
    canonical_id: str
    n_mentions: int = 1


# ---------------------------------------------------------------------------- lexicon


# ---------------------------------------------------------------------------- lexicon

# Word classes, as bit flags of one lookup table (one dict access per word).
_TRIGGER = 1 << 0  # some lexicon trigger starts with this word
_BE = 1 << 1
_HAVE = 1 << 2
_MODAL = 1 << 3
_TO = 1 << 4
_ADVERB = 1 << 5
_DETERMINER = 1 << 6
_NOT_TRIGGER = 1 << 7
_IRREGULAR = 1 << 8
_PRESENT = 1 << 9
_SUBJECT = 1 << 10
_OPENS_AFTER_PUNCTUATION = 1 << 11
_OPENS_ALWAYS = 1 << 12
_NEGATION = 1 << 13
_FUTURE = 1 << 14
_PAST_HELPER = 1 << 15
_PRESENT_HELPER = 1 << 16
_NOT_ACTOR = 1 << 17
_TITLE = 1 << 18
_NAME_LINK = 1 << 19
_OTHER_NOUN = 1 << 20
_FUTURE_LEAD = 1 << 21  # first word of a future phrase ("going to", "plans to")
# From the word's form as written (see _WordFlags)
_CAPITAL = 1 << 22  # starts with a capital
_ALL_CAPS = 1 << 23
_PAST_FORM = 1 << 24  # letters ending in -ed, longer than 3: a guessed past verb
_POSSESSIVE = 1 << 25  # ends in 's or ’s as written
_GAZETTEER_START = 1 << 26  # without its possessive ending, the first word of a gazetteer name
_NAME_START = 1 << 27  # capitalised and not a word that never names an actor ("The", "Mr")
_HELPER = _BE | _HAVE | _MODAL | _TO
_TENSE_CUE = _NEGATION | _FUTURE | _FUTURE_LEAD | _PAST_HELPER | _PRESENT_HELPER

# Priorities of trigger candidates in a clause (lower wins).
_TYPED_VERB, _TYPED_NOUN, _FINITE, _NONFINITE, _OTHER_NOUN_PRIORITY = 0, 1, 2, 3, 4

# Words: letters with inner hyphens, apostrophes or periods ("clear-eyed", "didn't",
# "today's", "U.S").
# Possessive: letters never give back what they took (what may follow them is no
# letter), so the engine keeps no backtracking state per word: the same words, faster.
# A letter outside the repeat opens the pattern ("xx*+" for "x++"): the engine skips
# to the next letter by its class (a group that opens with a repeat gives it nothing to
# skip by: it tries every position).
_TOKEN = re.compile(r"[^\W\d_][^\W\d_]*+(?:[-'’.][^\W\d_]++)*+")
_WORD_SPLIT = re.compile(f"({_TOKEN.pattern})")
# The same on a text whose letters are all ASCII: ASCII classes make the scan a third
# faster, with the same words (no other character is a letter there).
_ASCII_WORD_SPLIT = re.compile(r"([A-Za-z][A-Za-z]*+(?:[-'’.][A-Za-z]++)*+)", re.ASCII)
_NON_ASCII_LETTER = re.compile(r"[^\W\d_\x00-\x7f]")
# Punctuation between two words that may end a clause: a comma, semicolon or colon
# not before a digit (not "100,000", not "10:30"), a dash, or one or two hyphens between
# spaces. The pattern starts with one class of the marks, so the scan skips ahead to
# the next mark (an alternation, or a leading space, makes it try every position).
_CLAUSE_PUNCTUATION = re.compile(r"[,;:—–-](?:(?<=[,;:])(?!\d)|(?<=[—–])|(?<=\s-)-?\s)")


@dataclass(frozen=True, slots=True)
class _Entry:
    """One lexicon trigger form."""

    type: str
    pos: str  # verb | phrase | noun
    needs: tuple[str, ...]


def _key(words: str) -> tuple[str, ...]:
    return tuple(words.lower().replace(".", " ").split()) if "." in words and " " in words else tuple(words.lower().split())


def _by_first_word(phrases) -> dict[str, list[tuple[str, ...]]]:
    """Phrases (word tuples) indexed by their first word, longest first."""
    index: dict[str, list[tuple[str, ...]]] = {}
    for phrase in sorted(set(phrases), key=len, reverse=True):
        index.setdefault(phrase[0], []).append(phrase)
    return index


@functools.cache
def _lexicon() -> dict:
    """Every word class and phrase index of this stage, built once from the lexicons."""
    lex = load_lexicon("events.yaml")
    gazetteer = load_lexicon("gazetteer.yaml")
    speech = load_lexicon("speech.yaml")
    flags: dict[str, int] = {}

    def mark(words, flag: int) -> None:
        for w in words:
            flags[w.lower()] = flags.get(w.lower(), 0) | flag

    # trigger phrases indexed by their first word, longest first: the rest of the
    # phrase, its entries, and whether one of them is a verb
    triggers: dict[str, list[tuple[tuple[str, ...], list[_Entry], bool]]] = {}
    by_words: dict[tuple[str, ...], list[_Entry]] = {}
    for type_name, spec in lex["types"].items():
        if type_name not in EVENT_TYPES:
            raise ValueError(f"events.yaml: unknown event type {type_name!r}")
        for pos in ("verbs", "phrases"):
            for lemma, forms in (spec.get(pos) or {}).items():
                needs: tuple[str, ...] = ()
                if isinstance(forms, dict):
                    needs = tuple(forms.get("needs", ()))
                    forms = forms["forms"]
                kind = "phrase" if pos == "phrases" or " " in lemma else "verb"
                for form in [lemma, *forms]:
                    by_words.setdefault(_key(form), []).append(_Entry(type_name, kind, needs))
        for noun in spec.get("nouns") or ():
            by_words.setdefault(_key(noun), []).append(_Entry(type_name, "noun", ()))
    for words, entries in by_words.items():
        # the rest of the phrase as a list: compared with a slice of the words at once
        triggers.setdefault(words[0], []).append((list(words[1:]), entries, any(e.pos != "noun" for e in entries)))
    for options in triggers.values():
        options.sort(key=lambda o: -len(o[0]))
    mark(triggers, _TRIGGER)

    aux = lex["auxiliaries"]
    mark(aux["be"], _BE)
    mark(aux["have"], _HAVE)
    mark([w for w in aux["modal"] if w != "to"], _MODAL)
    mark(["to"], _TO)
    mark(lex["adverbs"], _ADVERB)
    mark(lex["determiners"], _DETERMINER)
    mark(lex["not_triggers"], _NOT_TRIGGER)
    mark(lex["irregular_verbs"], _IRREGULAR)
    mark(lex["present_verbs"], _PRESENT)
    mark(lex["subject_pronouns"], _SUBJECT)
    mark(lex["clause_openers"]["after_punctuation"], _OPENS_AFTER_PUNCTUATION)
    mark(lex["clause_openers"]["always"], _OPENS_ALWAYS)
    mark(lex["negations"], _NEGATION)
    tense = lex["tense"]
    mark([w for w in tense["future"] if " " not in w], _FUTURE)
    mark([w.split()[0] for w in tense["future"] if " " in w], _FUTURE_LEAD)
    mark(tense["past"], _PAST_HELPER)
    mark(tense["present"], _PRESENT_HELPER)
    mark([*load_lexicon("abbreviations.yaml")["sentence_starters"], *lex["not_actors"]], _NOT_ACTOR)
    mark([w.rstrip(".") for w in speech["title_words"]], _TITLE)
    mark(lex["name_links"], _NAME_LINK)
    mark(lex["other_nouns"], _OTHER_NOUN)

    gazetteer_names: dict[str, list[tuple[str, ...]]] = {}
    for name in [*gazetteer["organisations"], *gazetteer["countries"], *gazetteer["cities"]]:
        words = tuple(_TOKEN.findall(name))
        gazetteer_names.setdefault(words[0], []).append(words[1:])
    for options in gazetteer_names.values():
        options.sort(key=lambda o: -len(o))
    cues = lex["time_cues"]
    return {
        "flags": flags,
        "word_flags": _WordFlags(flags, frozenset(gazetteer_names)),
        "triggers": triggers,
        "context": {name: frozenset(w.lower() for w in words) for name, words in lex["context"].items()},
        "places": frozenset(t for name in [*gazetteer["countries"], *gazetteer["cities"]] for t in [tuple(_TOKEN.findall(name))]),
        "future_phrases": frozenset(tuple(w.split()) for w in tense["future"] if " " in w),
        "complementizers": frozenset(w for w in lex["complementizers"] if w[0].isalpha()),
        "quote_marks": tuple(w for w in lex["complementizers"] if not w[0].isalpha()),
        "not_complement": frozenset(w.lower() for w in lex["not_complement"]),
        "report_objects": _by_first_word(tuple(o.lower().split()) for o in lex["report_objects"]),
        "time_leads": frozenset(lex["time_leads"]),
        "range_joins": frozenset(lex["range_joins"]),
        "from_then": frozenset(cues["from_then"]),
        "until_then": frozenset(cues["until_then"]),
        "within": frozenset(cues["within"]),
        "gazetteer": gazetteer_names,
        "demonyms": frozenset(gazetteer["demonyms"]),
    }


# ---------------------------------------------------------------------------- words


class _WordFlags(dict):
    """Flags of each word as written: the lexicon's classes of its lower-cased form
    and what its form says (capital, all capitals, a past ending). A dict filled on a
    word's first sight, so a document's flags are one C-level lookup per word; the
    cache is emptied when a corpus's vocabulary makes it large."""

    def __init__(self, lexicon_flags: dict[str, int], gazetteer_starts: frozenset[str]) -> None:
        super().__init__()
        self.lexicon_flags = lexicon_flags
        self.gazetteer_starts = gazetteer_starts

    def __missing__(self, word: str) -> int:
        if len(self) >= _WORDS_CACHED:
            self.clear()
        low = word.lower()
        f = self.lexicon_flags.get(low, 0)
        if word[0].isupper():
            f |= _CAPITAL if f & _NOT_ACTOR else _CAPITAL | _NAME_START
        if word.isupper():
            f |= _ALL_CAPS
        if low[-2:] == "ed" and len(low) > 3 and low.isalpha():
            f |= _PAST_FORM
        bare = word
        if word.endswith(("'s", "’s")):
            f |= _POSSESSIVE
            bare = word[:-2]
        if bare in self.gazetteer_starts:
            f |= _GAZETTEER_START
        self[word] = f
        return f


# Distinct written words whose flags are kept at most.
_WORDS_CACHED = 200_000


def _split_words(text: str) -> list[str]:
    """``_WORD_SPLIT.split(text)``: the text between words and the words, alternately."""
    if text.isascii() or not _NON_ASCII_LETTER.search(text):
        return _ASCII_WORD_SPLIT.split(text)
    return _WORD_SPLIT.split(text)


@dataclass(slots=True)
class _Words:
    """The words of a document: offsets, forms as written and lower-cased, word-class
    flags (:class:`_WordFlags`), and whether only whitespace separates each word from
    the word before it (``spaced``)."""

    text: str
    starts: list[int]
    ends: list[int]
    surfaces: list[str]
    lows: list[str]
    flags: list[int]
    spaced: list[bool]
    flag_array: np.ndarray | None = None  # the flags as an array, made by the first ``having``
    tense_cues: tuple[list[int], list[int]] | None = None  # made by the first ``tense_cue_words``

    @classmethod
    def of(cls, text: str, lex: dict) -> "_Words":
        # split keeps words and the text between them: their lengths give the offsets
        # (faster than a match object per word), and the text between two words says
        # whether they are spaced; every per-word list comes from a C-level map
        parts = _split_words(text)
        offsets = list(itertools.accumulate(map(len, parts), initial=0))
        found = parts[1::2]
        return cls(
            text,
            offsets[1::2],
            offsets[2::2],
            found,
            list(map(str.lower, found)),
            list(map(lex["word_flags"].__getitem__, found)),
            list(map(str.isspace, parts[0:-1:2])),
        )

    def index_at(self, pos: int) -> int:
        """Index of the first word starting at or after ``pos``."""
        return bisect.bisect_left(self.starts, pos)

    def having(self, mask: int) -> list[int]:
        """Indices of the words with any flag of ``mask``, in order: one vectorised test
        over all the words (a third of the cost of a C-level ``compress`` over the flag
        list, which calls ``int.__and__`` per word; the stage asks three times)."""
        if self.flag_array is None:
            self.flag_array = np.array(self.flags, dtype=np.int64)
        return np.flatnonzero(self.flag_array & mask).tolist()

    def tense_cue_words(self) -> tuple[list[int], list[int]]:
        """Indices and offsets of the words that say a clause's tense or negate it, for
        the whole document: a clause's few cues are found by bisection on offsets
        instead of a look at the flags of every word before its trigger."""
        if self.tense_cues is None:
            found = self.having(_TENSE_CUE)
            self.tense_cues = found, [self.starts[i] for i in found]
        return self.tense_cues


# ---------------------------------------------------------------------------- triggers


@dataclass(slots=True)
class _Candidate:
    """A word that may head a clause: a lexicon trigger or a guessed verb."""

    index: int  # the word
    start: int
    end: int
    priority: int
    type: str
    pos: str  # verb | phrase | noun | guess
    needs: tuple[str, ...] = ()


# Words that may head a clause: of a trigger or helper class, or with a verb's form.
_CANDIDATE_WORD = _OTHER_NOUN | _TRIGGER | _HELPER | _PAST_FORM | _IRREGULAR | _PRESENT


def _trigger_candidates(words: _Words, lex: dict) -> list[_Candidate]:
    """Every trigger candidate of the document in text order; where two start at the
    same word the one of better priority stays (the first of equal ones: candidates at
    one word all span that word)."""
    found: dict[int, _Candidate] = {}
    flags, starts, ends, spaced = words.flags, words.starts, words.ends, words.spaced
    for i in words.having(_CANDIDATE_WORD):
        f = flags[i]
        if f & _CAPITAL and i and spaced[i] and not f & _ALL_CAPS:
            continue  # a capital inside a sentence: a name ("Rally", "Dan Fried")
        old = found.get(i)
        if f & _OTHER_NOUN and old is None:
            old = found[i] = _Candidate(i, starts[i], ends[i], _OTHER_NOUN_PRIORITY, "other", "noun")
        if f & _TRIGGER:
            typed = _lexicon_entry(words, i, lex)
            if typed is not None and (old is None or typed[0] < old.priority):
                old = found[i] = _Candidate(i, starts[i], ends[i], *typed)
        if f & _HELPER:
            after = _helper_target(words, i)
            if after is not None:
                j, priority = after
                other = found.get(j)
                if other is None or priority < other.priority:
                    found[j] = _Candidate(j, starts[j], ends[j], priority, "other", "guess")
        elif f & _NOT_TRIGGER:
            continue
        elif f & (_PAST_FORM | _IRREGULAR | _PRESENT) and (old is None or _FINITE < old.priority) and not _nominal(words, i):
            found[i] = _Candidate(i, starts[i], ends[i], _FINITE, "other", "guess")
    return [found[k] for k in sorted(found)]


def _lexicon_entry(words: _Words, i: int, lex: dict) -> tuple[int, str, str, tuple[str, ...]] | None:
    """The lexicon trigger at word ``i`` (longest phrase first) as priority, type, part
    of speech and needs, or ``None`` when its context says it is not one here."""
    lows, spaced = words.lows, words.spaced
    for rest, entries, has_verb in lex["triggers"][lows[i]]:
        # slices: a phrase running past the last word is shorter than its rest
        if rest and (lows[i + 1 : i + 1 + len(rest)] != rest or not all(spaced[i + 1 : i + 1 + len(rest)])):
            continue
        nominal = _nominal(words, i)
        verbal = len(rest) > 0 or _verbal(words, i)
        for entry in entries:
            if entry.pos == "noun":
                if not nominal and verbal and has_verb:
                    continue  # "attack", "visit": a verb unless a determiner comes first
            elif nominal or not verbal:
                continue  # "the announced plan", "member states"
            return (_TYPED_NOUN if entry.pos == "noun" else _TYPED_VERB), entry.type, entry.pos, entry.needs
    return None


def _helper_target(words: _Words, i: int) -> tuple[int, int] | None:
    """The verb after a helper and optional adverbs ("was now working", "had pledged",
    "would pay", "to ensure") as its index and priority, or ``None``."""
    flags, lows, spaced = words.flags, words.lows, words.spaced
    j = i + 1
    while j < len(lows) and flags[j] & _ADVERB and spaced[j]:
        j += 1
    if j >= len(lows) or not spaced[j]:
        return None
    f, low = flags[j], lows[j]
    if f & (_HELPER | _ADVERB | _DETERMINER | _NOT_TRIGGER | _CAPITAL) or not low.isalpha():
        return None
    helper = flags[i]
    if helper & (_BE | _HAVE):
        if not (low.endswith(("ed", "en", "ing")) or f & _IRREGULAR):
            return None
        return j, _FINITE
    if helper & _TO:
        return None if low.endswith("ly") else (j, _NONFINITE)
    return j, _FINITE


def _nominal(words: _Words, i: int) -> bool:
    """A determiner or a possessive before a word makes it a noun ("today's meeting")."""
    if i == 0 or not words.spaced[i]:
        return False
    before = words.lows[i - 1]
    return bool(words.flags[i - 1] & _DETERMINER) or before.endswith(("'s", "’s"))


def _verbal(words: _Words, i: int) -> bool:
    """Whether a one-word trigger can be a verb here. A form in -s is a plural noun as
    often as a verb ("member states"): it is a verb after a pronoun or a name, or
    before "that", "to" or a determiner ("the alliance estimates that")."""
    low = words.lows[i]
    if not low.endswith("s") or low.endswith("ss"):
        return True
    if i and (words.flags[i - 1] & (_SUBJECT | _CAPITAL) or not words.spaced[i]):
        return True  # "he states", "Iraq claims", '..." says Norwitz' 
    if i + 1 < len(words.lows) and words.spaced[i + 1]:
        return bool(words.flags[i + 1] & (_DETERMINER | _TO)) or words.lows[i + 1] == "that"
    return False


# ---------------------------------------------------------------------------- clauses


@dataclass(slots=True)
class _Clause:
    start: int
    end: int
    candidates: list[_Candidate]
    head: _Candidate | None = None


# A quotation this long (in words) or longer is a clause of its own; a shorter one
# ("the "tragedy"") is a phrase of the clause around it.
_QUOTE_CLAUSE_WORDS = 4


def _clause_openings(words: _Words, verbs: frozenset[int]) -> list[int]:
    """Offsets of the words a clause may open with, in order, for the whole document
    (one scan for punctuation instead of a look at every gap): an opener that always
    opens ("because"), or a word after clause punctuation that is an opener after
    punctuation, a finite verb (``verbs``), or follows a semicolon, colon or dash."""
    text, flags, starts, ends = words.text, words.flags, words.starts, words.ends
    openings = set(words.having(_OPENS_ALWAYS))
    openings.discard(0)
    for match in _CLAUSE_PUNCTUATION.finditer(text):
        i = bisect.bisect_right(starts, match.start())  # the word after the gap
        if i == 0 or i >= len(flags) or i in openings:
            continue
        a, b = ends[i - 1], starts[i]
        if b - a > 1 and (flags[i] & _OPENS_AFTER_PUNCTUATION or i in verbs or _STRONG_PUNCTUATION.search(text, a, b)):
            openings.add(i)
    return [starts[i] for i in sorted(openings)]


_STRONG_PUNCTUATION = re.compile(r"[;:—–-]")


def _cuts(openings: Sequence[int], sentence: Sentence, quotes: Sequence[tuple[int, int, bool]]) -> list[int]:
    """Clause boundaries strictly inside a sentence: before its words in ``openings``
    (offsets, see :func:`_clause_openings`) and at both ends of its long quotations
    (``quotes``: start, end, long). A cut before the first word of a sentence that
    opens with a mark ('"We ...') leaves a piece without words, which joins the next
    (:func:`_clauses`): the same clauses as without it."""
    cuts = openings[bisect.bisect_right(openings, sentence.start) : bisect.bisect_left(openings, sentence.end)]
    inside = [c for qs, qe, long in quotes if long for c in (qs, qe) if sentence.start < c < sentence.end]
    return sorted(set(cuts).union(inside)) if inside else cuts


def _clauses(sentence: Sentence, cuts: list[int], candidates: Sequence[_Candidate]) -> list[_Clause]:
    """Pieces of the sentence between cuts; a piece with no candidate joins the one
    before it (or the next one, at the start of the sentence)."""
    bounds = [sentence.start, *cuts, sentence.end]
    pieces: list[_Clause] = []
    i = 0
    pending: int | None = None
    for a, b in zip(bounds, bounds[1:]):
        own = []
        while i < len(candidates) and candidates[i].start < b:
            if candidates[i].start >= a:
                own.append(candidates[i])
            i += 1
        if own:
            pieces.append(_Clause(a if pending is None else pending, b, own))
            pending = None
        elif pieces:
            pieces[-1].end = b
        elif pending is None:
            pending = a
    return pieces


_EDGE = frozenset(" \t\r\n,;:—–-\"“”'‘’`()")


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    """A clause without the punctuation and quotation marks at its edges, except a
    closing mark that a quotation inside it needs ('blamed leaders for the "tragedy"')."""
    outer = end
    while start < end and text[start] in _EDGE:
        start += 1
    while end > start and (text[end - 1] in _EDGE or (text[end - 1] in ".!?" and end - start > 1)):
        end -= 1
    if end < outer and text[end] in _CLOSERS and _open_quote(text[start:end]):
        end += 1
    return start, end


_CLOSERS = frozenset("\"”’")


def _open_quote(span: str) -> bool:
    """A quotation opens in ``span`` and does not close there."""
    return span.count('"') % 2 == 1 or span.count("“") > span.count("”")


def _resolve_needs(words: _Words, clause: _Clause, lex: dict) -> None:
    """An entry that needs context (troops, a place) keeps its type when the clause has
    it; otherwise it is a verb of type ``other``."""
    present: frozenset[str] | None = None
    for c in clause.candidates:
        if not c.needs:
            continue
        if present is None:
            lo, hi = words.index_at(clause.start), words.index_at(clause.end)
            present = frozenset(words.lows[lo:hi])
            places = _has_place(words, lo, hi, lex)
        if not any(places if group == "places" else present & lex["context"][group] for group in c.needs):
            c.priority, c.type, c.pos = _FINITE, "other", "guess"
        c.needs = ()


def _has_place(words: _Words, lo: int, hi: int, lex: dict) -> bool:
    """A country or city of the gazetteer among words ``lo``..``hi - 1``."""
    for i in itertools.compress(range(lo, hi), map(_GAZETTEER_START.__and__, words.flags[lo:hi])):
        if words.flags[i] & _CAPITAL:
            j = _gazetteer_at(words, i, hi, lex)
            if j and tuple(_surface(words, k) for k in range(i, j)) in lex["places"]:
                return True
    return False


def _head(clause: _Clause) -> _Candidate:
    # candidates are in text order: the first of the best priority is the earliest
    candidates = clause.candidates
    return candidates[0] if len(candidates) == 1 else min(candidates, key=_PRIORITY)


_PRIORITY = operator.attrgetter("priority")


def _statement_verb(clause: _Clause) -> _Candidate | None:
    """The first reporting verb of a clause (a typed statement verb or phrase)."""
    for c in clause.candidates:
        if c.priority == _TYPED_VERB and c.type == "statement" and c.pos != "noun":
            return c
    return None


def _split_statements(words: _Words, clause: _Clause, timexes: Sequence, lex: dict) -> list[_Clause]:
    """Cut each reporting clause from what it reports: "Stoltenberg told reporters |
    that the alliance ...", "said Tuesday | the alliance was ...", and "... at a
    healthy rate this fall, | machine-tool makers say"."""
    verb = _statement_verb(clause)
    if verb is None:
        return [clause]
    before = [c for c in clause.candidates if c.start < verb.start and c.priority <= _FINITE]
    if before:
        comma = words.text.rfind(",", before[-1].end, verb.start)
        if comma >= 0:
            rest = _sub(clause, comma + 1, clause.end)
            return [_sub(clause, clause.start, comma + 1), *_split_statements(words, rest, timexes, lex)]
    cut = _complement_start(words, verb, clause, timexes, lex)
    if cut is None:
        return [clause]
    return [_sub(clause, clause.start, cut), *_split_statements(words, _sub(clause, cut, clause.end), timexes, lex)]


def _complement_start(words: _Words, verb: _Candidate, clause: _Clause, timexes: Sequence, lex: dict) -> int | None:
    """Where what a reporting verb reports begins, or ``None`` when nothing follows
    (past a time expression, an object of "tell" such as "reporters", a comma)."""
    text = words.text
    pos = _skip_time(text, verb.end, clause.end, timexes, lex)
    i = words.index_at(pos)
    for obj in lex["report_objects"].get(words.lows[i] if i < len(words.lows) else "", ()):
        if tuple(words.lows[i : i + len(obj)]) == obj:
            i += len(obj)
            pos = _skip_time(text, words.ends[i - 1], clause.end, timexes, lex)
            i = words.index_at(pos)
            break
    gap = text[pos : words.starts[i] if i < len(words.starts) else clause.end]
    if gap and not gap.isspace():  # most gaps are one space: no quotation mark in them
        mark = next((gap.index(q) for q in lex["quote_marks"] if q in gap), None)
        if mark is not None and pos + mark < clause.end:
            return pos + mark
    if i >= len(words.lows) or words.starts[i] >= clause.end:
        return None
    if words.lows[i] in lex["complementizers"]:
        return words.starts[i]
    # the first "that" of the next twelve words, if the clause reaches it
    following = words.lows[i : i + 12]
    if "that" in following:
        k = i + following.index("that")
        if words.starts[k] < clause.end:
            if not any(pos <= c.start < words.starts[k] and c.priority <= _FINITE for c in clause.candidates):
                return words.starts[k]
    if words.lows[i] in lex["not_complement"]:
        return None
    if any(c.start >= pos and c.priority <= _FINITE for c in clause.candidates):
        return words.starts[i]
    return None


def _skip_time(text: str, pos: int, end: int, timexes: Sequence, lex: dict) -> int:
    """Past a time expression right after ``pos`` ("said Tuesday", "said here Friday")."""
    for t in timexes:
        if t.start < pos:
            continue
        lead = text[pos : t.start].strip(" ,").lower()
        if t.end <= end and (not lead or all(w in lex["time_leads"] for w in lead.split())):
            return t.end
        break
    return pos


def _sub(clause: _Clause, start: int, end: int) -> _Clause:
    return _Clause(start, end, [c for c in clause.candidates if start <= c.start < end])


# ---------------------------------------------------------------------------- time


@dataclass(slots=True)
class _Time:
    time_start: dt.date | None
    time_end: dt.date | None
    basis: str
    mod: str | None = None
    timex: object | None = None
    granularity: str | None = "day"


def _anchorable(t) -> bool:
    return t.interval_start is not None and t.interval_end is not None


def _cue(words: _Words, t, lex: dict) -> str | None:
    """The time preposition in front of a time expression ("after 9/11"), or its own
    first word ("earlier Tuesday", "last year")."""
    i = words.index_at(t.start)
    candidates = []
    if i and t.start - words.ends[i - 1] <= 3:
        candidates.append(words.lows[i - 1])
    if i < len(words.lows) and words.starts[i] == t.start:
        candidates.append(words.lows[i])
    for w in candidates:
        if w in lex["from_then"] or w in lex["until_then"] or w in lex["within"]:
            return w
    return None


# A time expression after a time preposition ("in", "after", "during") counts as this
# many characters nearer to the trigger: the preposition ties it to a verb.
_CUE_BONUS = 40


def _governing_timex(words: _Words, clause: _Clause, head: _Candidate, timexes: Sequence, lex: dict):
    """Of the time expressions inside the clause, the one that governs its trigger: the
    nearest to it, one after a time preposition counting as nearer."""
    best, best_key = None, None
    for t in timexes:
        if t.start < clause.start or t.end > clause.end or not _anchorable(t):
            continue
        distance = t.start - head.end if t.start >= head.end else head.start - t.end
        key = distance - (_CUE_BONUS if _cue(words, t, lex) else 0)
        if best_key is None or key < best_key:
            best, best_key = t, key
    return best


def _explicit_time(words: _Words, t, following, dct: dt.date, lex: dict) -> _Time:
    """The event's interval from its time expression and the relation the text gives:
    "after/since X" runs from X to the publication date, "until/before X" ends with X,
    "from X to Y" and "between X and Y" span both (``following`` is the time expression
    after ``t`` in the sentence, if any)."""
    cue = _cue(words, t, lex)
    start, end, mod = t.interval_start, t.interval_end, t.mod
    day_after = _day_after(dct)
    if following is not None and _anchorable(following) and following.interval_end > start:
        join = words.text[t.end : following.start].strip().lower()
        if join in lex["range_joins"]:
            return _Time(start, following.interval_end, "explicit", None, t, _granularity(start, following.interval_end))
    if cue in lex["from_then"] or mod in ("AFTER", "ON_OR_AFTER"):
        end, mod = max(end, day_after), "AFTER"
    elif cue in lex["until_then"] or mod in ("BEFORE", "ON_OR_BEFORE"):
        start, mod = (min(start, dct) if end > dct else start), "BEFORE"
    granularity = t.granularity if (start, end) == (t.interval_start, t.interval_end) else _granularity(start, end)
    return _Time(start, end, "explicit", mod, t, granularity)


def _granularity(start: dt.date, end: dt.date) -> str:
    days = (end - start).days
    for limit, name in ((1, "day"), (7, "week"), (31, "month"), (92, "quarter"), (366, "year"), (3660, "decade")):
        if days <= limit:
            return name
    return "century"


def _tense_and_negation(words: _Words, clause: _Clause, head: _Candidate, lex: dict) -> tuple[str, bool]:
    """The tense of a clause (past | present | future | none) and whether a negation
    before its trigger denies it ("no terrorist attacks", "did not attack").

    Tense: a future cue before the trigger ("will", "would", "may", "plans to"), else
    the helpers before it (was/had: past; is/has: present), else the trigger's own form
    (-ed or an irregular past: past; -s: present). An event noun takes the tense of its
    whole clause ("the talks would resume": future)."""
    flags, lows = words.flags, words.lows
    # the cue words of the clause before its trigger (through its end for a noun)
    cues, cue_starts = words.tense_cue_words()
    lo = bisect.bisect_left(cue_starts, clause.start)
    hi = bisect.bisect_left(cue_starts, head.start, lo)
    seen = 0
    for i in cues[lo:hi]:
        seen |= flags[i]
    negated = bool(seen & _NEGATION)
    if head.pos == "noun":
        before = hi
        hi = bisect.bisect_left(cue_starts, clause.end, before)
        for i in cues[before:hi]:
            seen |= flags[i]
    if seen & _FUTURE_LEAD:
        # only a word that starts a future phrase ("is", "plans") is looked up with the next
        last = len(lows) - 1
        for i in cues[lo:hi]:
            if flags[i] & _FUTURE_LEAD and i < last and (lows[i], lows[i + 1]) in lex["future_phrases"]:
                return "future", negated
    if seen & _FUTURE:
        return "future", negated
    if seen & _PAST_HELPER:
        return "past", negated
    if seen & _PRESENT_HELPER:
        return "present", negated
    if head.pos != "noun":
        return _form_tense(lows[head.index], flags[head.index]), negated
    # an event noun without helpers: the first verb of its clause
    verb = next((c for c in clause.candidates if c.pos in ("guess", "verb")), None)
    return (_form_tense(lows[verb.index], flags[verb.index]) if verb else "none"), negated


def _form_tense(low: str, flags: int) -> str:
    if low[-2:] == "ed" or flags & _IRREGULAR:
        return "past"
    if low[-1:] == "s" or flags & _PRESENT:
        return "present"
    return "none"


# A narrative date this close to the publication date (in days) also dates the
# statements after it: "... met on Friday. Solana added ..." in a paper of Saturday.
_RECENT_DAYS = 7


def _fallback_time(kind: str, tense: str, narrative, dct: dt.date) -> _Time:
    """No time expression governs the clause: the last date the text gave, for a past
    happening, or for a statement when that date is recent; else the tense relative to
    the publication date; else the publication date."""
    if narrative is not None and (tense == "past" or kind == "statement"):
        recent = (dct - narrative.interval_start).days <= _RECENT_DAYS
        if kind != "statement" or recent:
            return _Time(narrative.interval_start, narrative.interval_end, "narrative", None, narrative, narrative.granularity)
    if kind == "statement" or tense in ("present", "past", "future"):
        mod = "AFTER" if tense == "future" else "BEFORE" if tense == "past" and kind != "statement" else None
        return _Time(dct, _day_after(dct), "tense", mod)
    return _Time(dct, _day_after(dct), "publication")


@functools.lru_cache(maxsize=256)
def _day_after(day: dt.date) -> dt.date:
    """The end of a day's half-open interval (cached: once per event otherwise)."""
    return day + dt.timedelta(days=1)


def _narrative_date(t, dct: dt.date) -> bool:
    """A date the narrative can carry on from: a day, week, month or year up to the
    publication date (not a span of years, not the future)."""
    return (
        _anchorable(t)
        and t.type in ("DATE", "TIME")
        and t.interval_end <= _day_after(dct)
        and (t.interval_end - t.interval_start).days <= 366
    )


# ---------------------------------------------------------------------------- actors


def _gazetteer_at(words: _Words, i: int, hi: int, lex: dict) -> int:
    """End index (exclusive) of a gazetteer name starting at word ``i``, else 0."""
    if not words.flags[i] & _GAZETTEER_START:
        return 0
    for rest in lex["gazetteer"][_surface(words, i)]:
        if not rest:
            return i + 1  # one-word names come last (longest first)
        j = i + 1 + len(rest)
        if j <= hi and all(_surface(words, i + 1 + k) == w and words.spaced[i + 1 + k] for k, w in enumerate(rest)):
            return j
    return 0


def _surface(words: _Words, i: int) -> str:
    """Word ``i`` as written, without a possessive ending."""
    s = words.surfaces[i]
    return s[:-2] if words.flags[i] & _POSSESSIVE else s


def _names(words: _Words, lex: dict, speakers: frozenset[str] = frozenset()) -> list[tuple[int, int, str]]:
    """Every actor name of the document in text order, as (start, end, name) tuples (a
    tuple is a tenth of the cost of an object, once per name): gazetteer names, and runs of
    capitalised words split at titles ("NATO Secretary General Jens Stoltenberg" ->
    "NATO", "Jens Stoltenberg"). A lone capitalised word is a name only where the
    gazetteer knows it, the text also capitalises it inside a sentence, or it names a
    speaker of the text (so the capital of a sentence's first word is not taken for a
    name)."""
    flags, spaced, surfaces, n = words.flags, words.spaced, words.surfaces, len(words.lows)
    pieces: list[tuple[int, int, bool]] = []  # word range, known to the gazetteer
    proper: set[str] = set(speakers)
    i = 0
    for start in words.having(_NAME_START):
        if start < i:
            continue  # inside the run before
        i = run_start = start
        piece = None
        while i < n and (i == run_start or spaced[i]):
            f = flags[i]
            if f & _CAPITAL:
                if i > run_start or (i and spaced[i] and surfaces[i - 1][0].islower()):
                    proper.add(surfaces[i][:-2] if f & _POSSESSIVE else surfaces[i])
                gazetteer_end = _gazetteer_at(words, i, n, lex) if f & _GAZETTEER_START else 0
                if gazetteer_end:
                    if piece is not None:
                        pieces.append((piece, i, False))
                    pieces.append((i, gazetteer_end, True))
                    piece, i = None, gazetteer_end
                    continue
                if f & _TITLE:
                    if piece is not None:
                        pieces.append((piece, i, False))
                    piece = None
                elif piece is None:
                    piece = i
            elif not (f & _NAME_LINK and i + 1 < n and flags[i + 1] & _CAPITAL):
                break
            i += 1
        if piece is not None:
            pieces.append((piece, i, False))
    names = []
    text, starts, ends, demonyms = words.text, words.starts, words.ends, lex["demonyms"]
    for a, b, known in pieces:
        name = text[starts[a] : ends[b - 1]]
        if flags[b - 1] & _POSSESSIVE:
            name = name[:-2]
        if name in demonyms or (b - a == 1 and not known and name not in proper):
            continue
        names.append((starts[a], ends[b - 1], name))
    return names


def _outside(spans: list, timexes: Sequence, starts: list[int] | None = None) -> list:
    """Names or trigger candidates (in text order) that are not part of a time
    expression ("Aug" of "Aug. 30", "fall" of "this fall"): a span is inside when the
    last time expression starting at or before it (``timexes`` sorted by start) has
    not ended there. Each time expression removes the spans starting between its start
    and its end or the next one's start, found by bisection. ``starts`` are the spans'
    starts (their ``start`` attributes when not given)."""
    if not timexes or not spans:
        return spans
    if starts is None:
        starts = [span.start for span in spans]
    kept: list = []
    done = 0
    for k, t in enumerate(timexes):
        end = t.end if k + 1 == len(timexes) else min(t.end, timexes[k + 1].start)
        a = bisect.bisect_left(starts, t.start)
        b = bisect.bisect_left(starts, end, a)
        if a < b:
            kept += spans[done:a]
            done = b
    return kept + spans[done:] if done else spans


def _actors(names: Sequence[tuple[int, int, str]], name_starts: Sequence[int], start: int, end: int) -> list[str]:
    """The names (see :func:`_names`) inside a clause, in order, once each."""
    found: list[str] = []
    for k in range(bisect.bisect_left(name_starts, start), len(names)):
        name_start, name_end, name = names[k]
        if name_start >= end:
            break
        if name_end <= end and name not in found:
            found.append(name)
    return found


# ---------------------------------------------------------------------------- events


def extract_events(doc: Document, sentences: Sequence[Sentence], timexes: Sequence = (), claims: Sequence = ()) -> list[Event]:
    """The events told in a document, one per clause that tells something happening.

    Args:
        doc: the document (its publication date anchors undated events).
        sentences: its sentences (speakers and quotation flags come from them).
        timexes: its time expressions (objects with ``timex_id``, ``start``, ``end``,
            ``surface``, ``type``, ``mod``, ``interval_start``, ``interval_end``,
            ``granularity``), in any order.
        claims: its claims; not needed to find events (accepted so every fact stage
            has the same inputs).

    Returns:
        The events in text order, ``event_id`` ``f"{doc.doc_id}:e{n}"``.
    """
    del claims  # events do not depend on claims; the parameter keeps stage inputs uniform
    lex = _lexicon()
    text = doc.text
    words = _Words.of(text, lex)
    timexes = sorted(timexes, key=lambda t: t.start)
    candidates = _outside(_trigger_candidates(words, lex), timexes)  # "this fall" is no fall
    speakers = frozenset(w for s in sentences if s.speaker for w in s.speaker.split())
    names = _names(words, lex, speakers)
    names = _outside(names, timexes, [x[0] for x in names])
    name_starts = [x[0] for x in names]
    starts = [c.start for c in candidates]
    verbs = frozenset(c.index for c in candidates if c.priority <= _FINITE and c.pos != "noun")
    openings = _clause_openings(words, verbs)
    # a quotation this long is a clause of its own
    quotes = [(q.start, q.end, len(text[q.start : q.end].split()) >= _QUOTE_CLAUSE_WORDS) for q in find_quotes(text)]
    quote_starts = [q[0] for q in quotes]
    timex_starts = [t.start for t in timexes]
    events: list[Event] = []
    narrative = None
    for sentence in sentences:
        lo, hi = bisect.bisect_left(starts, sentence.start), bisect.bisect_left(starts, sentence.end)
        t_lo, t_hi = bisect.bisect_left(timex_starts, sentence.start), bisect.bisect_left(timex_starts, sentence.end)
        sentence_timexes = timexes[t_lo:t_hi]
        if lo < hi:
            q_lo = max(0, bisect.bisect_right(quote_starts, sentence.start) - 1)
            sentence_quotes = quotes[q_lo : bisect.bisect_left(quote_starts, sentence.end)]
            cuts = _cuts(openings, sentence, sentence_quotes)
            for clause in _sentence_clauses(words, _clauses(sentence, cuts, candidates[lo:hi]), sentence_timexes, lex):
                actors = "; ".join(_actors(names, name_starts, clause.start, clause.end)) or None
                events.append(_event(doc, words, sentence, clause, sentence_timexes, sentence_quotes, narrative, actors, len(events), lex))
        for t in sentence_timexes:
            if _narrative_date(t, doc.published):
                narrative = t
    return events


def _sentence_clauses(words: _Words, clauses: list[_Clause], timexes: Sequence, lex: dict) -> list[_Clause]:
    """Resolve context needs, split reporting clauses, pick each clause's head."""
    out = []
    for clause in clauses:
        _resolve_needs(words, clause, lex)
        for piece in _split_statements(words, clause, timexes, lex):
            if not piece.candidates:
                continue
            piece.start, piece.end = _strip_span(words.text, piece.start, piece.end)
            if piece.start < piece.end:
                piece.head = _head(piece)
                out.append(piece)
    return out


def _event(
    doc: Document,
    words: _Words,
    sentence: Sentence,
    clause: _Clause,
    timexes: Sequence,
    quotes,
    narrative,
    actors: str | None,
    n: int,
    lex: dict,
) -> Event:
    """The event a clause tells; ``timexes`` are its sentence's time expressions."""
    text = doc.text
    head = clause.head
    kind = head.type
    tense, negated = _tense_and_negation(words, clause, head, lex)
    timex = _governing_timex(words, clause, head, timexes, lex) if timexes else None
    if timex is None and kind != "statement" and timexes:
        # a clause without its own time takes the one its sentence gives elsewhere
        timex = _sentence_timex(clause, timexes, tense, doc.published)
    if timex is not None:
        following = next((t for t in timexes if t.start >= timex.end), None)
        when = _explicit_time(words, timex, following, doc.published, lex)
    else:
        when = _fallback_time(kind, tense, narrative, doc.published)
    event_id = f"{doc.doc_id}:e{n}"
    t = when.timex
    # positional, in field order (a third of the cost of keywords, once per event)
    return Event(
        event_id,
        doc.doc_id,
        sentence.sent_idx,
        clause.start,
        clause.end,
        text[clause.start : clause.end],
        text[head.start : head.end],  # trigger
        head.start,
        head.end,
        kind,  # type
        actors,
        sentence.speaker,
        _inside_quote(head.start, quotes) if quotes else False,  # quoted
        t.timex_id if t is not None else None,
        t.surface if t is not None else None,  # time_surface
        when.time_start,
        when.time_end,
        when.granularity,
        when.basis,  # time_basis
        when.mod,
        tense,
        negated,
        _reported(text, sentence, clause, quotes) if kind == "statement" and head.pos != "noun" else None,  # content
        event_id,  # canonical_id
    )


def _inside_quote(pos: int, quotes: Sequence[tuple[int, int, bool]]) -> bool:
    """Whether ``pos`` is inside one of a sentence's quotations (a loop: a generator
    per event costs more)."""
    for a, b, _ in quotes:
        if a < pos < b:
            return True
    return False


_STRIP_CONTENT = " \t\r\n,.;:\"“”'‘’`"


def _reported(text: str, sentence: Sentence, clause: _Clause, quotes: Sequence[tuple[int, int, bool]]) -> str | None:
    """What a reporting clause reports: the rest of its sentence after it ("said |
    that ..."; within the quotation when the clause is quoted), or the quotation right
    before it ('"...," he said'); ``None`` when the clause holds it itself ("blamed
    Afghan leaders for the tragedy")."""
    end = sentence.end
    for a, b, _ in quotes:
        if a < clause.start < b:
            end = min(end, b)
    after = text[clause.end : end].strip(_STRIP_CONTENT)
    if after:
        return after
    before = text[sentence.start : clause.start].rstrip(" ,")
    if before.endswith(_CLOSING_QUOTES):
        return before.strip(_STRIP_CONTENT) or None
    return None


_CLOSING_QUOTES = ('"', "”", "''", "’", "»")


def _sentence_timex(clause: _Clause, timexes: Sequence, tense: str, dct: dt.date):
    """The time expression of the sentence nearest to a clause that has none, unless
    the clause's tense contradicts it (a future clause does not take a past date, nor a
    past clause a future one)."""
    best, best_distance = None, None
    for t in timexes:
        if not _anchorable(t):
            continue
        if (tense == "future" and t.interval_end <= dct) or (tense == "past" and t.interval_start > dct):
            continue
        distance = t.start - clause.end if t.start >= clause.end else clause.start - t.end
        if best_distance is None or distance < best_distance:
            best, best_distance = t, distance
    return best


def event_rows(events: Sequence[Event]) -> list[dict]:
    """Events as rows of the ``events`` table (:class:`Event` has no slots: its rows
    are copies of its attribute dicts, see :func:`analysis.tables.rows_of`)."""
    return rows_of(events)


def event_stage(result) -> None:
    """Events of the document (``result.events`` and ``events`` rows). Each is its own
    canonical event here; the corpus step (:mod:`analysis.timeline`) de-duplicates
    them within and across documents."""
    result.events = extract_events(result.doc, result.sentences, result.timexes, result.claims)
    result.add("events", event_rows(result.events))
