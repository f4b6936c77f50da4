"""Sentences with offsets, the quotations in them, and who speaks.

Stage: ``Document -> list[Sentence]``. Sentences partition the text: between two
sentences there is only whitespace, and ``text[start:end] == sentence.text``.

Splitting is rule-based (abbreviations from ``lexicons/abbreviations.yaml``), so it is
fast and deterministic: a boundary is terminal punctuation, optional closing quotes or
brackets, whitespace, then something that can start a sentence; blank lines and
headline-like lines end a sentence too.

Speakers come from reporting clauses (``lexicons/speech.yaml``): "X said/told/noted",
"said X" after a quote, "according to X". A pronoun stands for the last named person who
spoke, "the NATO chief" for the last named person whose title shares a word with it; an
indefinite speaker ("A NATO official") is kept as written. A quotation without a
clause of its own takes the speaker of the quotation it continues.
"""

from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass

from .corpus import Document
from .lexicons import alternation, load_lexicon

__all__ = ["QuoteSpan", "Sentence", "find_quotes", "split_sentences", "sentence_spans"]


@dataclass(frozen=True, slots=True)
class Sentence:
    """One row of the ``sentences`` table.

    Attributes:
        doc_id, sent_idx, start, end, text: where the sentence is.
        quoted: at least half of its characters are inside quotation marks.
        speaker: who is quoted or reported, as the text names them on second reference
            (the surname of a person, or the phrase: "A NATO official", "NATO").
        speaker_name: the fullest name seen for that speaker ("Jens Stoltenberg").
    """

    doc_id: str
    sent_idx: int
    start: int
    end: int
    text: str
    quoted: bool
    speaker: str | None
    speaker_name: str | None


@dataclass(frozen=True, slots=True)
class QuoteSpan:
    """A quotation, marks included. ``closed`` is false when its closing mark is missing
    (news style: a quote that runs on into the next paragraph)."""

    start: int
    end: int
    closed: bool


# ---------------------------------------------------------------------------- lexicons


@functools.cache
def _patterns() -> dict:
    abbr = load_lexicon("abbreviations.yaml")
    speech = load_lexicon("speech.yaml")
    gazetteer = load_lexicon("gazetteer.yaml")
    verbs = speech["reporting_verbs"]
    # a trie (case-sensitive, as written): a scan fails fast on a word's first letters
    verb_alt = alternation(verbs, case_sensitive=verbs)
    roles = "|".join(sorted(map(re.escape, speech["role_nouns"]), key=len, reverse=True))
    name_word = r"(?:[A-Z][\w'’.-]*|(?:al|el|bin|ibn|de|da|di|van|von|der|le|la)-?(?=\s+[A-Z]))"
    name = rf"{name_word}(?:\s+{name_word}){{0,7}}"
    description = rf"(?:[Aa]n?|[Tt]he|[Oo]ne|[Tt]wo|[Ss]everal|[Ss]ome|[Oo]ther)\s+(?:[\w'’.-]+\s+){{0,4}}?(?:{roles})"
    pronoun = r"(?:[Hh]e|[Ss]he|[Tt]hey|I|[Ww]e)"
    affiliation = "|".join(map(re.escape, speech["affiliation_words"]))
    subject = rf"(?P<subj>{description}|{pronoun}|{name})(?:\s+(?P<affil_word>{affiliation})\s+(?:the\s+)?(?P<affil>{name}))?"
    aux = r"(?:\s+(?:also|later|then|further|again|previously|earlier|once|has|had|have|would|will|was|is|had\s+earlier))*"
    appositive = r"(?:,\s[^,\"“”]{1,80},)?"
    verb = rf"(?:{verb_alt})(?![\w-])"
    return {
        "titles": set(abbr["titles"]),
        "dates": set(abbr["dates"]),
        "others": set(abbr["others"]),
        "starters": set(abbr["sentence_starters"]),
        "verb": re.compile(rf"(?<![\w-]){verb}"),
        # The same in an ASCII text as what follows a character that is no word
        # character or hyphen (see _reporting_verbs), or a verb at the start of a text.
        "verb_after_ascii": re.compile(rf"[^A-Za-z0-9_-](?=({verb}))"),
        "verb_here": re.compile(verb),
        # subject right before a reporting verb: searched on the text before the verb
        "subject_before": re.compile(rf"(?<![\w'’-]){subject}{appositive}{aux}\s+$"),
        # "said Stoltenberg" right after a closing quote
        "subject_after": re.compile(rf"\s+{subject}"),
        "according": re.compile(rf"(?<![\w-])[Aa]ccording\s+to\s+{subject}"),
        "title_words": {w.lower() for w in speech["title_words"]},
        "role_nouns": {w.lower() for w in speech["role_nouns"]},
        "pronouns": {w.lower() for w in speech["person_pronouns"]},
        "organisation_words": set(speech["organisation_words"]),
        "not_subject_after": set(speech["not_subject_after"]),
        # a letter outside the repeat first: the search skips to letters (see _BOUNDARY)
        "word_before": re.compile(r"([A-Za-z][A-Za-z]*)\s+$"),
        "organisations": set(speech["organisations"]) | set(gazetteer["organisations"]),
        "places": set(gazetteer["countries"]) | set(gazetteer["cities"]),
    }


# ---------------------------------------------------------------------------- quotes

# A quotation mark: ``, '', or one of "“”«». Led by one class of the marks so that the
# scan skips ahead to the next mark (an alternation makes it try every position).
_QUOTE_MARK = re.compile(r"[`'\"“”«»](?:(?<=`)`|(?<=')'|(?<=[\"“”«»]))")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\r?\n")


def find_quotes(text: str) -> list[QuoteSpan]:
    """Quotations in ``text``, in order, non-overlapping.

    Curly and guillemet marks say which side they are on; a straight ``"`` opens when
    it follows a space or the start and is followed by a non-space, and closes
    otherwise. A quotation left open closes before the next opening mark or at the end of
    its paragraph.
    """
    return list(_quotes(text))


@functools.lru_cache(maxsize=2)
def _quotes(text: str) -> tuple[QuoteSpan, ...]:
    # the sentence and event stages both ask for the quotations of one document
    spans: list[QuoteSpan] = []
    open_at: int | None = None
    breaks = [m.start() for m in _PARAGRAPH_BREAK.finditer(text)]
    n = len(text)
    for match in _QUOTE_MARK.finditer(text):
        pos = match.start()
        mark = match.group()
        if open_at is not None:
            paragraph_end = _next_break(breaks, open_at)
            if paragraph_end is not None and paragraph_end < pos:
                spans.append(QuoteSpan(open_at, _rstrip_end(text, paragraph_end), False))
                open_at = None
        before = text[pos - 1] if pos else " "
        after = text[match.end()] if match.end() < n else " "
        if mark in ("“", "«", "``"):
            opens = True
        elif mark in ("”", "»", "''"):
            opens = False
        else:
            opens = (before.isspace() or before in "([{—–-/") and not after.isspace()
            if not opens and open_at is None and not (after.isspace() or after in ".,;:!?)]}—–-"):
                opens = True  # "word"word: ambiguous, a quote must open before it can close
        if opens:
            if open_at is not None:
                spans.append(QuoteSpan(open_at, _rstrip_end(text, pos), False))
            open_at = pos
        elif open_at is not None:
            spans.append(QuoteSpan(open_at, match.end(), True))
            open_at = None
    if open_at is not None:
        end = _next_break(breaks, open_at)
        spans.append(QuoteSpan(open_at, _rstrip_end(text, end if end is not None else n), False))
    return tuple(spans)


def _next_break(breaks: list[int], pos: int) -> int | None:
    i = bisect.bisect_right(breaks, pos)
    return breaks[i] if i < len(breaks) else None


def _rstrip_end(text: str, end: int) -> int:
    while end > 0 and text[end - 1].isspace():
        end -= 1
    return end


# ---------------------------------------------------------------------------- splitting

# Terminal punctuation, closing quotes or brackets, whitespace, what comes next. Each
# pattern starts with one character class outside any repeat, so a scan skips ahead to
# the next candidate (the engine finds nothing to skip by in a group that opens with a
# repeat, "([.!?…]+)": it tries every position; "x+" is written "xx*").
_BOUNDARY = re.compile(
    r"(?P<term>[.!?…][.!?…]*)(?P<close>[\"'”’»)\]]*)(?P<space>\s+)(?=(?P<next>\S)(?P<next2>.?))",
    re.DOTALL,
)
_LINE_BREAK = re.compile(r"[\r\n](?:(?<=\r)\n|(?<=\n))(?:[ \t]*\r?\n)*")
# The same in a text without carriage returns: a literal first character, which the
# engine finds several times faster than one of a class.
_NEWLINE_BREAK = re.compile(r"\n(?:[ \t]*\n)*")
_BLOCK_MARKER = re.compile(r"^\s*(?:#{1,6}\s|[-*+•]\s|\d+[.)]\s|>)")
# The word before a period, read backwards in the reversed text (a search for a word
# at the end of a window tries every position of the window).
_WORD_BACKWARDS = re.compile(r"[\w.'’-]+")
_WORD_AFTER = re.compile(r"[\w'’-]+")
_OPENERS = "\"“‘'«([{`"
_DASHES = "—–"


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences of ``text``; between them only whitespace."""
    cuts = sorted(set(_line_cuts(text)) | set(_punctuation_cuts(text)))
    spans = []
    start = 0
    for cut in cuts + [len(text)]:
        span = _trim(text, start, cut)
        if span:
            spans.append(span)
        start = cut
    return spans


def _trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


def _line_cuts(text: str):
    """Blank lines always end a sentence; a single line break does after a heading or
    list item, or before one, or after a short line without final punctuation
    (a headline) followed by a capital."""
    for match in (_LINE_BREAK if "\r" in text else _NEWLINE_BREAK).finditer(text):
        cut = match.end()
        if cut >= len(text):
            continue
        if match.group().count("\n") > 1:
            yield cut
            continue
        line_start = text.rfind("\n", 0, match.start()) + 1
        line = text[line_start : match.start()].strip()
        next_line_end = text.find("\n", cut)
        next_line = text[cut : next_line_end if next_line_end >= 0 else len(text)]
        if not line:
            continue
        if _BLOCK_MARKER.match(line) or _BLOCK_MARKER.match(next_line):
            yield cut
        elif line[-1] not in ".,;:!?\"'”’)-–—" and len(line) < 60 and next_line[:1].isupper():
            yield cut


def _punctuation_cuts(text: str):
    p = _patterns()
    backwards = None  # the text reversed, made at the first period that needs it
    for match in _BOUNDARY.finditer(text):
        term, close, _space, nxt, nxt2 = match.groups()
        if nxt.isupper() or nxt.isdigit() or nxt in _OPENERS:
            pass
        elif nxt in _DASHES and nxt2.isspace():
            pass  # "... employees. — Age": a credit line
        else:
            continue
        if term == "." and not close:
            if backwards is None:
                backwards = text[::-1]
            word = _word_before(text, backwards, match.start()).lstrip("'’-")
            if word and not _period_ends_sentence(word, text, match.end(), p):
                continue
        yield match.end()


def _word_before(text: str, backwards: str, pos: int) -> str:
    r"""The word (letters, digits, periods, apostrophes, hyphens) that ends at ``pos``, or
    right before a line break that ends there, within 40 characters: what
    ``([\w.'’-]+)$`` finds in ``text[pos - 40 : pos]``, matched in ``backwards`` (the
    text reversed) from ``pos`` on."""
    end = pos - 1 if pos and text[pos - 1] == "\n" else pos
    n = len(text)
    found = _WORD_BACKWARDS.match(backwards, n - end, n - max(0, pos - 40))
    return found.group()[::-1] if found else ""


def _period_ends_sentence(word: str, text: str, next_pos: int, p: dict) -> bool:
    """Whether ``word.`` (the period not included in ``word``) can end a sentence."""
    bare = word.rstrip(".")
    if word.endswith("."):
        bare = word[:-1] if word.count(".") > 1 else bare  # "U.S" from "U.S"
    if bare in p["titles"]:
        return False
    if len(bare) == 1 and bare.isupper():
        return False  # an initial: "Jens G. Stoltenberg"
    if bare in p["others"] or bare in p["dates"] or "." in bare:
        following = _WORD_AFTER.match(text, next_pos)
        return bool(following and following.group() in p["starters"])
    return True


# ---------------------------------------------------------------------------- speakers


@dataclass(slots=True)
class _Speaker:
    short: str
    full: str
    kind: str  # person | organisation | description | pronoun
    title: str = ""


class _SpeakerResolver:
    """Turns subjects of reporting clauses into speakers, remembering named people."""

    def __init__(self) -> None:
        self.p = _patterns()
        self.people: list[_Speaker] = []
        self.organisations: list[_Speaker] = []

    def resolve(self, subject: str, affiliation_word: str | None = None, affiliation: str | None = None) -> _Speaker | None:
        """The speaker a subject stands for; ``affiliation`` is the name after "at/of"
        ("Secretary of State Madeleine Albright": the person is in the affiliation;
        "Bank of America": one word, "of", a name is an organisation)."""
        if affiliation_word == "of" and len(subject.split()) == 1 and not self._is_title_word(subject):
            if not any(p.short == subject for p in self.people):
                return self._organisation(f"{subject} of {affiliation}")
        speaker = self._resolve(subject)
        if speaker is None and affiliation:
            speaker = self._resolve(affiliation)
        return speaker

    def _resolve(self, subject: str) -> _Speaker | None:
        words = subject.split()
        lower = [w.lower() for w in words]
        if lower[0] in self.p["pronouns"] and len(words) == 1:
            return self.people[-1] if self.people else None
        if len(words) == 1 and lower[0] in ("they", "i", "we"):
            return None
        if lower[0] in ("a", "an", "the", "one", "two", "several", "some", "other"):
            return self._description(words, lower)
        return self._name(words)

    def _description(self, words: list[str], lower: list[str]) -> _Speaker:
        phrase = " ".join(words)
        if lower[0] == "the":
            cues = {w.strip("'’s").lower() for w in words[1:-1]} | {lower[-1]}
            cues -= {"the", "a", "an"}
            for person in reversed(self.people):
                title = {w.lower() for w in person.title.split()}
                if title & cues:
                    return person
        return _Speaker(phrase, phrase, "description")

    def _name(self, words: list[str]) -> _Speaker | None:
        starters = _patterns()["starters"]
        while words and words[0] in starters:
            words = words[1:]
        if not words:
            return None
        whole = " ".join(words).rstrip(",")
        if words[-1] in self.p["organisation_words"] or words[-1].rstrip(".,") in self.p["organisation_words"]:
            return self._organisation(whole)
        # the name follows the last title word: "Army Gen. Mark Milley", "NATO Secretary
        # General Jens Stoltenberg"; a name that is all title words keeps its end
        last_title = max((i for i, w in enumerate(words[:-1]) if self._is_title_word(w)), default=-1)
        title, words = words[: last_title + 1], words[last_title + 1 :]
        name = " ".join(words).rstrip(".,")
        if name in self.p["organisations"] or name in self.p["places"] or (len(words) == 1 and _is_acronym(words[0])):
            return self._organisation(name)
        if len(words) == 1 and self._is_title_word(words[0]):
            return None
        surname = words[-1].rstrip(".,")
        if not any(p.short == surname for p in self.people):
            known = self._known_organisation(name)
            if known is not None:
                return known
        for person in self.people:
            if person.short == surname and (len(words) == 1 or person.full == name):
                if len(words) > 1 and len(name) > len(person.full):
                    person.full = name
                if title:
                    person.title = " ".join(title)
                self.people.remove(person)
                self.people.append(person)
                return person
        person = _Speaker(surname, name, "person", " ".join(title))
        self.people.append(person)
        return person

    def _organisation(self, name: str) -> _Speaker:
        known = self._known_organisation(name)
        if known is not None:
            return known
        org = _Speaker(name, name, "organisation")
        self.organisations.append(org)
        return org

    def _known_organisation(self, name: str) -> _Speaker | None:
        """An organisation named before in full: "Tony Lama" after "Tony Lama Co."."""
        for org in reversed(self.organisations):
            if org.full == name or org.full.startswith(name + " "):
                return org
        return None

    def _is_title_word(self, word: str) -> bool:
        bare = word.rstrip(",")
        if bare.endswith(("'s", "’s")):
            bare = bare[:-2]
        return bare.lower() in self.p["title_words"] or _is_acronym(bare)


@functools.lru_cache(maxsize=4096)
def _is_acronym(word: str) -> bool:
    letters = [c for c in word if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def _reporting_verbs(text: str, a: int, b: int, ascii_text: bool, p: dict) -> list[tuple[int, int]]:
    """Spans of the reporting verbs in ``text[a:b]``: what ``p["verb"].finditer(text, a,
    b)`` finds. The lookbehind that opens that pattern makes the engine try every
    position; in an ASCII text the verbs are found after the character before them
    instead (an ASCII class the engine skips to), from the one before ``a``, keeping
    those that do not start inside the verb before (a scan goes on after a match)."""
    if not ascii_text:
        return [m.span() for m in p["verb"].finditer(text, a, b)]
    spans = []
    end = a
    here = p["verb_here"].match(text, 0, b) if a == 0 else None
    if here:
        spans.append(here.span())
        end = here.end()
    for m in p["verb_after_ascii"].finditer(text, max(a - 1, 0), b):
        if m.start(1) >= end:
            spans.append(m.span(1))
            end = m.end(1)
    return spans


def _reporting_subject(text: str, spans: list[tuple[int, int]], closes: set[int], ascii_text: bool) -> tuple[str, str | None, str | None] | None:
    """The subject (and affiliation word and name) of the first reporting clause in the unquoted
    pieces ``spans`` of ``text`` (``ascii_text``: ``text.isascii()``)."""
    p = _patterns()
    for a, b in spans:
        for verb_start, verb_end in _reporting_verbs(text, a, b, ascii_text, p):
            if verb_start in closes or _after_close(text, a, verb_start, closes):
                after = p["subject_after"].match(text, verb_end, b)
                if after:
                    return after.group("subj", "affil_word", "affil")
            window = max(a, verb_start - 160)
            before = p["subject_before"].search(text, window, verb_start)
            if before and not _object_of_preposition(text, window, before.start(), p):
                return before.group("subj", "affil_word", "affil")
        according = p["according"].search(text, a, b) if text.find("ccording", a, b) >= 0 else None
        if according:
            return according.group("subj", "affil_word", "affil")
    return None


def _object_of_preposition(text: str, window: int, subject_start: int, p: dict) -> bool:
    """True for "relatives in Miami said": the name is not the one speaking."""
    word = p["word_before"].search(text, window, subject_start)
    return bool(word and word.group(1) in p["not_subject_after"])


def _after_close(text: str, a: int, verb_start: int, closes: set[int]) -> bool:
    """True when only a comma and spaces separate the verb from a closing quote."""
    i = verb_start
    while i > a and (text[i - 1].isspace() or text[i - 1] == ","):
        i -= 1
    return i in closes


def split_sentences(doc: Document) -> list[Sentence]:
    """Split ``doc`` into sentences, mark quotations and attribute speakers.

    Args:
        doc: the document.

    Returns:
        The sentences in text order, ``sent_idx`` from 0.
    """
    text = doc.text
    spans = sentence_spans(text)
    quotes = _quotes(text)
    resolver = _SpeakerResolver()
    quote_starts = [q.start for q in quotes]
    closes = {q.end for q in quotes if q.closed}
    ascii_text = text.isascii()

    # who speaks in each sentence's own reporting clause
    own: list[_Speaker | None] = []
    for start, end in spans:
        outside = _outside_quotes(start, end, quotes, quote_starts) if quotes else [(start, end)]
        found = _reporting_subject(text, outside, closes, ascii_text)
        own.append(resolver.resolve(*found) if found else None)

    quote_speaker = _quote_group_speakers(quotes, spans, own, text)

    sentences = []
    for idx, (start, end) in enumerate(spans):
        inside = _quoted_chars(start, end, quotes, quote_starts) if quotes else 0
        quoted = inside > 0 and inside * 2 >= _visible_chars(text[start:end])
        speaker = own[idx]
        if speaker is None and quote_speaker:
            speaker = _speaker_of_quotes_in(start, end, quotes, quote_starts, quote_speaker)
        # positional, in field order: keywords cost more, once per sentence
        sentences.append(
            Sentence(
                doc.doc_id,
                idx,  # sent_idx
                start,
                end,
                text[start:end],
                quoted,
                speaker.short if speaker else None,  # speaker
                speaker.full if speaker else None,  # speaker_name
            )
        )
    return sentences


def _visible_chars(segment: str) -> int:
    return len("".join(segment.split()))


def _outside_quotes(start: int, end: int, quotes: list[QuoteSpan], quote_starts: list[int]) -> list[tuple[int, int]]:
    pieces = []
    pos = start
    i = max(0, bisect.bisect_right(quote_starts, start) - 1)
    while i < len(quotes) and quotes[i].start < end:
        q = quotes[i]
        if q.end > pos:
            if q.start > pos:
                pieces.append((pos, q.start))
            pos = max(pos, q.end)
        i += 1
    if pos < end:
        pieces.append((pos, end))
    return pieces


def _quoted_chars(start: int, end: int, quotes: list[QuoteSpan], quote_starts: list[int]) -> int:
    inside = 0
    i = max(0, bisect.bisect_right(quote_starts, start) - 1)
    while i < len(quotes) and quotes[i].start < end:
        a, b = max(start, quotes[i].start), min(end, quotes[i].end)
        if b > a:
            inside += b - a
        i += 1
    return inside


def _sentence_at(spans: list[tuple[int, int]], pos: int) -> int:
    i = bisect.bisect_right(spans, (pos, float("inf"))) - 1
    return max(i, 0)


def _quote_group_speakers(quotes, spans, own, text) -> dict[int, _Speaker]:
    """Speaker of each quotation (by index): the clause after the group's last closing
    mark, else the clause before its first opening mark. A group is a run of quotations
    with nothing but whitespace between them (a quotation continued after a break)."""
    speakers: dict[int, _Speaker] = {}
    groups: list[list[int]] = []
    for i, q in enumerate(quotes):
        if groups and not text[quotes[i - 1].end : q.start].strip():
            groups[-1].append(i)
        else:
            groups.append([i])
    for group in groups:
        last, first = quotes[group[-1]], quotes[group[0]]
        speaker = None
        if last.end < len(text):
            speaker = own[_sentence_at(spans, max(last.end - 1, 0))]
        if speaker is None:
            speaker = own[_sentence_at(spans, first.start)]
        if speaker is not None:
            for i in group:
                speakers[i] = speaker
    return speakers


def _speaker_of_quotes_in(start, end, quotes, quote_starts, quote_speaker) -> _Speaker | None:
    i = max(0, bisect.bisect_right(quote_starts, start) - 1)
    while i < len(quotes) and quotes[i].start < end:
        if quotes[i].end > start and i in quote_speaker:
            return quote_speaker[i]
        i += 1
    return None
