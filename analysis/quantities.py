"""Quantities: every number mention with its bounds, unit or counted noun, and kind.

Stage: ``(Document, sentences, timexes) -> list[Quantity]``. For each sentence the
number parser (:mod:`analysis.numbers`) finds the numbers; this module reads what is
around each one, from the lexicons ``units.yaml`` and ``quantities.yaml``:

- before it: a currency ("$", "US $", "HK$"), a qualifier ("over", "less than",
  "about", "up to"), a word of change ("rose", "down"), "between"/"from" for ranges;
- after it: a unit ("%", "miles per hour", "kWh"), a time unit (a duration), an age
  ("-year-old"), or the counted noun phrase ("civilian personnel", "Afghan employees
  and dependents");
- its kind: count, money, percent, measure, duration, age, ordinal, year, date, time or
  other (identifiers such as "iPhone 11", "S&P 500").

Ranges ("5,000 to 6,000", "between $62 and $68", "15-22 mph") become one quantity with
low and high. A number with no unit or noun of its own takes the noun of the figure it
continues ("from over 100,000 troops we went down to less than 10,000 — and now to
zero": troops, ``unit_carried``). Numbers inside a time expression found by the time
stage are years, dates or durations, never counts; without that stage, obvious years,
dates and clock times are recognised here.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import math
import re
from dataclasses import dataclass

from .corpus import Document
from .lexicons import alternation, load_lexicon
from .numbers import NumberSpan, find_numbers_in
from .numbers import currency_before as numbers_currency_before
from .sentences import Sentence
from .tables import rows_of

__all__ = ["Quantity", "extract_quantities", "head_word", "quantity_rows", "quantity_stage", "singular"]


# Patterns used per number, compiled once.
_RELATIVE_AFTER_RATE = re.compile(r"\s*(?:earlier|ago|later|before|after|on|in)\b")
_AREA_WORD = re.compile(r"\b(square|cubic|sq)\b")
_SIGNED_INT = re.compile(r"-?\d+$")
_BETWEEN_END = re.compile(r"\bbetween\s*$")
_FROM_END = re.compile(r"\bfrom\s*$")
_WORD_BEFORE_FROM = re.compile(r"(\w+)\s+(?:\w+\s+)?from\s*$")
_LEADING_DIGITS = re.compile(r"[\d,.]+")
_BRACKET_GAP = re.compile(r"\s*[(/]\s*")
_SLASH_GAP = re.compile(r"\s*/\s*")
_TO_END = re.compile(r"\bto\s*$")
_OF_GAP = re.compile(r"\s+of\s+", re.IGNORECASE)
_CARRY_BACK_GAP = re.compile(r"\s*(?:of\s+the|of|out\s+of|or|to)\s*", re.IGNORECASE)
_LETTERS = re.compile(r"[A-Za-z']+")
_LINK_END = re.compile(r"(?:\b(?:to|from|and|or|versus|vs|than|of|now)|[—–;,(/-])$")
_LAST_WORD = re.compile(r"([\w'’]+)\W*$")
_NAME_COMMA_END = re.compile(r"([A-Z][\w'’-]+),\s$")
_NEXT_CAPITAL = re.compile(r" ([A-Z][\w-]*)")

NOT_COUNTS = frozenset({"year", "date", "time", "duration", "age", "ordinal", "other"})
_NOT_RANGE_ENDS = NOT_COUNTS - {"duration", "age"}  # "15-20 minutes", "aged 25 to 30" are ranges


@dataclass  # no slots: its rows are copies of its attribute dict (tables.rows_of)
class Quantity:
    """One row of the ``quantities`` table (read-only by convention: not frozen, because
    building a frozen object of twenty fields costs more than reading the figure).

    Attributes:
        quantity_id: ``f"{doc_id}:q{n}"``, n from 0 in text order.
        doc_id, sent_idx, start, end, surface: where the number is (without a currency
            or percent sign; a range spans both ends: "5,000 to 6,000").
        value: the number (the midpoint of a range; the base of a vague amount).
        low, high: bounds ("over 100,000": low 100000, high None; "about 800": both 800).
        qualifier: exact, approx, more_than, at_least, less_than, at_most, up_to, range.
        unit: the normalized unit or currency ("dollar", "percentage", "mile per
            hour"), or the counted noun phrase as written ("civilian personnel").
        unit_carried: the unit or noun came from an earlier (or the next) figure.
        kind: count, money, percent, measure, duration, age, ordinal, year, date, time,
            other.
        noun: the counted noun phrase (for counts), as written or carried.
        noun_head: its head word, singular and lower case ("personnel", "troop").
        noun_start, noun_end: where the noun is written (the earlier figure's noun when
            carried); None when there is none.
        change: "up" or "down" when the figure is an amount of change ("rose 8%",
            "down 2.3%, Burlington by 2.6%"); the level it moved to ("to $84") has none.
        approximate: a word makes the figure approximate ("about 800", "~25 – 40
            min"); a range or vague amount keeps its own qualifier and says it here.
        timex_id: the time expression the number is part of, if any.
    """

    quantity_id: str
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
    unit_carried: bool
    kind: str
    noun: str | None = None
    noun_head: str | None = None
    noun_start: int | None = None
    noun_end: int | None = None
    change: str | None = None
    approximate: bool = False
    timex_id: str | None = None


# ---------------------------------------------------------------------------- patterns


class _Phrases(dict):
    """Phrases (lower case, single spaces) and what each means, with the words a phrase
    can end with: most figures have none of them before, and one set lookup says so."""

    __slots__ = ("last_words",)

    def __init__(self, items) -> None:
        super().__init__(items)
        self.last_words = frozenset(phrase.split()[-1] for phrase in self)


@dataclass(frozen=True, slots=True)
class _Patterns:
    currency_before: re.Pattern
    currency_before_names: dict
    currency_last_chars: frozenset  # what a currency written before a number ends with
    unit_after: re.Pattern
    unit_names: dict  # form (as matched, lower or exact) -> (normalized name, kind)
    qualifier_names: dict
    qualifier_after: re.Pattern
    qualifier_after_names: dict
    change_names: dict
    per_after: re.Pattern
    age_after: re.Pattern
    age_names: dict
    age_before_names: dict
    not_change: re.Pattern
    not_change_phrases: frozenset
    motion_before_up_to: dict
    months: frozenset
    age_before: re.Pattern
    clock_after: re.Pattern
    month_near_before: re.Pattern
    month_near_after: re.Pattern
    word: re.Pattern
    stop: frozenset
    plural: frozenset
    irregular: dict
    of_skip: frozenset
    identifier_before: frozenset
    address_words: frozenset
    year_before: frozenset
    time_units: dict  # form -> normalized time unit
    carry_gap: re.Pattern
    range_gap: re.Pattern


def _alternation(forms, case_sensitive: frozenset) -> str:
    return alternation(forms, case_sensitive)


@functools.cache
def _patterns() -> _Patterns:
    units = load_lexicon("units.yaml")
    lex = load_lexicon("quantities.yaml")
    case_sensitive = frozenset(units["case_sensitive"])

    before_names = {}
    for name, forms in units["currency_before"].items():
        for form in forms:
            before_names[_key(form)] = name
    currency_before = numbers_currency_before()

    unit_names: dict[str, tuple[str, str]] = {}
    forms_all: list[str] = []
    for name, forms in units["currency_after"].items():
        for form in forms:
            unit_names[_key(form)] = (name, "money")
            forms_all.append(form)
    for name, spec in units["measure"].items():
        for form in spec["forms"]:
            unit_names[_key(form)] = (name, spec.get("kind", "measure"))
            forms_all.append(form)
    time_units = {}
    for name, forms in units["duration"].items():
        for form in forms:
            time_units[_key(form)] = name
            unit_names.setdefault(_key(form), (name, "duration"))
            forms_all.append(form)
    # a unit after the number: attached, after a space or a hyphen ("6.1-inch", "5-10W")
    unit_after = re.compile(
        rf"[ \u00a0]?-?[ ]?({_alternation(forms_all, case_sensitive)})(?![\w°%$€£¥])"
    )

    qualifier_names = {}
    for qualifier, phrases in lex["qualifiers"].items():
        for phrase in phrases:
            qualifier_names.setdefault(phrase.lower(), qualifier)
    after_names = {}
    for qualifier, phrases in lex["qualifiers_after"].items():
        for phrase in phrases:
            after_names[phrase.lower()] = qualifier
    qualifier_after = re.compile(rf"\s?({_alternation(after_names, frozenset())})(?![\w])")

    change_names = {}
    for direction, words in lex["change"].items():
        for word in words:
            change_names[word.lower()] = direction
    per_after = re.compile(
        r"\s*(?:(?i:per)\s+|/\s?|(?i:an?)\s+|(?i:each)\s+)(?:(?i:square|cubic|sq)\s+)?([A-Za-z][\w.-]*)"
    )
    age_names = {_key(form): name for name, forms in units["age_after"].items() for form in forms}
    age_after = re.compile(rf"\s?-?\s?({_alternation(age_names, frozenset())})(?![\w])")
    not_change = re.compile(rf"(?:^|\W)(?:{_alternation(lex['not_change'], frozenset())})\s*$")
    age_before = re.compile(rf"(?:^|\W)(?:{_alternation(units['age_before'], frozenset())})\s+$")
    clock_after = re.compile(rf"\s?(?:{_alternation(lex['clock_after'], frozenset())})(?![\w])")
    months = _alternation(lex["months"], frozenset())
    month_near_before = re.compile(rf"(?:^|\W)(?:{months})\.?\s+(?:\d{{1,2}},?\s+)?(?:of\s+)?$")
    month_near_after = re.compile(rf"(?:st|nd|rd|th)?\s*(?:of\s+)?(?:{months})(?![\w])")
    carry = _alternation(lex["carry_connectors"], frozenset())
    return _Patterns(
        currency_before=currency_before,
        currency_before_names=before_names,
        currency_last_chars=frozenset(
            c for form in before_names_raw(units) for c in (form.rstrip()[-1].lower(), form.rstrip()[-1].upper())
        ),
        unit_after=unit_after,
        unit_names=unit_names,
        qualifier_names=_Phrases(qualifier_names),
        qualifier_after=qualifier_after,
        qualifier_after_names=after_names,
        change_names=_Phrases(change_names),
        per_after=per_after,
        age_after=age_after,
        age_names=age_names,
        age_before_names=_Phrases({" ".join(x.lower().split()): True for x in units["age_before"]}),
        not_change=not_change,
        not_change_phrases=frozenset(" ".join(x.lower().split()) for x in lex["not_change"]),
        motion_before_up_to=_Phrases({**{w: True for w in change_names}, **{w: True for w in lex["motion_before_up_to"]}}),
        months=frozenset(x.lower() for x in lex["months"]),
        age_before=age_before,
        clock_after=clock_after,
        month_near_before=month_near_before,
        month_near_after=month_near_after,
        word=re.compile(r"[ \t]*(-?[\w][\w'’.&-]*)"),
        stop=frozenset(w.lower() for w in lex["noun_stop_words"]),
        plural=frozenset(lex["plural_nouns"]),
        irregular=dict(lex["irregular_singulars"]),
        of_skip=frozenset(lex["of_skip"]),
        identifier_before=frozenset(lex["identifier_before"]),
        address_words=frozenset(lex["address_words"]),
        year_before=frozenset(lex["year_before"]),
        time_units=time_units,
        carry_gap=re.compile(rf"(?:\s|{carry}|[^\w\s])*", re.IGNORECASE),
        range_gap=re.compile(r"\s*(?:(?P<dash>[-–—])|(?P<word>to|and|or|through)(?:\s*-)?)\s*", re.IGNORECASE),
    )


def before_names_raw(units: dict) -> list[str]:
    return [form for forms in units["currency_before"].values() for form in forms]


@functools.lru_cache(maxsize=4096)  # unit forms and nouns repeat
def _key(form: str) -> str:
    return " ".join(form.split()).lower()


# ---------------------------------------------------------------------------- words


@functools.lru_cache(maxsize=8192)  # nouns repeat: the same few hundred words
def singular(word: str) -> str:
    """A noun in the singular, lower case ("troops" -> "troop", "dependents" ->
    "dependent", "people" -> "people")."""
    w = word.lower().strip("'’.,")
    irregular = _patterns().irregular
    if w in irregular:
        return irregular[w]
    if w.endswith("men") and len(w) > 4:
        return w[:-3] + "man"
    if w.endswith("ies") and len(w) > 4:
        return w[:-3] + "y"
    if w.endswith(("sses", "ches", "shes", "xes", "zzes")):
        return w[:-2]
    if w.endswith("s") and not w.endswith(("ss", "us", "is", "'s", "’s")) and len(w) > 3:
        return w[:-1]
    return w


@functools.lru_cache(maxsize=8192)
def head_word(noun: str | None) -> str | None:
    """The head of a noun phrase, singular and lower case: the last word before "of",
    "and" or "or" ("Afghan employees and dependents" -> "employee", "barrels of oil"
    -> "barrel")."""
    if not noun:
        return None
    words = noun.replace(",", " ").split()
    for k, w in enumerate(words):
        lower = w.lower()
        if lower in ("of", "per") and k > 0:
            words = words[:k]
            break
        if lower in ("and", "or", "&") and k > 0 and _is_plural(words[k - 1]):
            words = words[:k]  # "employees and dependents"; but "digital and physical sales"
            break
    if not words:
        return None
    return singular(words[-1])


def _is_plural(word: str) -> bool:
    w = word.lower()
    if w in _patterns().plural:
        return True
    return len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is", "'s", "’s"))


# ---------------------------------------------------------------------------- extraction


@dataclass(slots=True)
class _Mention:
    """A number being read; becomes a :class:`Quantity`."""

    number: NumberSpan
    sent_idx: int
    start: int
    end: int
    value: float
    low: float | None
    high: float | None
    qualifier: str = "exact"
    unit: str | None = None
    unit_end: int | None = None  # where the written unit ends (for ranges and carrying)
    kind: str = ""
    noun: str | None = None
    noun_start: int | None = None
    noun_end: int | None = None
    carried: bool = False
    change: str | None = None
    approximate: bool = False
    timex_id: str | None = None
    left: int = 0  # where the mention's words start (currency, qualifier)
    currency: bool = False


def extract_quantities(doc: Document, sentences: list[Sentence], timexes: list | None = None) -> list[Quantity]:
    """Every number mention of a document.

    Args:
        doc: the document.
        sentences: its sentences (from :func:`analysis.split_sentences`).
        timexes: time expressions of the time stage (objects with ``start``, ``end``,
            ``type`` and ``timex_id``); numbers inside them are years, dates or
            durations. May be empty.

    Returns:
        Quantities in text order, ids ``f"{doc_id}:q{n}"``.
    """
    text = doc.text
    spans = _TimexSpans(timexes)
    mentions: list[_Mention] = []
    for sentence, numbers in zip(sentences, find_numbers_in(text, [(s.start, s.end) for s in sentences])):
        if not numbers:
            continue
        found = [_read(text, n, sentence, spans) for n in numbers]
        found = [m for m in found if m is not None]
        found = _merge_ranges(text, found)
        _inherit_conversions(text, found)
        _inherit_change(text, found)
        _carry_units(text, found)
        mentions.extend(found)
    out = []
    for n, m in enumerate(mentions):
        out.append(
            # positional, in field order (keywords cost twice as much, once per row)
            Quantity(
                f"{doc.doc_id}:q{n}",  # quantity_id
                doc.doc_id,
                m.sent_idx,
                m.start,
                m.end,
                text[m.start : m.end],  # surface
                m.value,
                m.low,
                m.high,
                m.qualifier,
                m.unit if m.unit is not None else m.noun,  # unit
                m.carried,  # unit_carried
                m.kind,
                m.noun,
                head_word(m.noun),  # noun_head
                m.noun_start,
                m.noun_end,
                m.change,
                m.approximate,
                m.timex_id,
            )
        )
    return out


def _read(text: str, number: NumberSpan, sentence: Sentence, timex_spans) -> _Mention | None:
    """What one number is: kind, unit or noun, qualifier, change."""
    p = _patterns()
    m = _Mention(number, sentence.sent_idx, number.start, number.end, number.value, None, None)
    m.left = number.start
    s_start, s_end = sentence.start, sentence.end
    before = text[max(s_start, number.start - 40) : number.start]
    timex = _enclosing(timex_spans, number.start, number.end)
    if number.form == "ordinal":
        m.kind = "ordinal"
        return m
    if number.form == "date_part":
        m.kind = "date"
        return m
    if _looks_like_year(number) and text[number.end : number.end + 1] == "s" and not text[number.end + 1 : number.end + 2].isalpha():
        m.kind = "year"  # "the 1990s", "2018s best"
        return m
    # currency before: "$800 million", "US $58.24", "PS2.7m"
    tail = before[-8:]
    currency = (
        p.currency_before.search(tail)
        if (tail and not tail[-1].isalpha() or tail[-2:].isupper()) and tail.rstrip()[-1:] in p.currency_last_chars
        else None
    )
    if currency and not number.surface[:1].isalpha():
        m.unit = p.currency_before_names.get(_key(currency.group(1)))
        m.kind = "money"
        m.currency = True
        cut = len(before) - len(tail) + currency.start(1)
        m.left = number.start - (len(before) - cut)
        before = before[:cut]
    after_pos = number.end
    # an age: "50 year-old", "aged 25", "Senard, 65," (before the time expressions: a
    # time stage may read "50 year" as a duration)
    age = p.age_after.match(text, after_pos, s_end) if m.kind != "money" else None
    if age or (m.kind != "money" and (("age" in before[-12:].lower() and _tail_phrase(before, p.age_before_names, 2)) or _comma_age(text, number, before))):
        m.kind = "age"
        m.unit = p.age_names[_key(age.group(1))] if age else "year of age"
        _qualify(text, m, before, s_end)
        _bounds(m)
        return m
    if timex is not None:
        m.timex_id = getattr(timex, "timex_id", None)
        m.kind = _timex_kind(text, number, timex)
        if m.kind == "duration":  # "over two decades": the time unit and the bounds
            unit = p.unit_after.match(text, after_pos, s_end)
            m.unit = p.time_units.get(_key(unit.group(1))) if unit else None
            _qualify(text, m, before, s_end)
            _bounds(m)
        return m
    if m.kind != "money" and _is_time_or_date(text, number, before, s_end):
        m.kind = "date" if not _clock(text, number) else "time"
        if m.kind == "date" and _looks_like_year(number):
            m.kind = "year"
        return m
    # the unit after
    unit_match = p.unit_after.match(text, after_pos, s_end)
    if unit_match and number.form != "vague":
        name, kind = p.unit_names.get(_key(unit_match.group(1)), (None, None))
        if name is not None and not (m.kind == "money" and kind != "money"):
            if kind == "money" and m.kind == "money" and name in ("dollar",):
                pass  # "$76 US": the sign already said it
            elif kind == "money" and m.kind == "money":
                m.unit = name
            else:
                m.unit = name
                m.kind = kind
            m.unit_end = unit_match.end()
        elif m.kind == "money":
            m.unit_end = unit_match.end() if kind == "money" else None
    if m.kind == "" and _looks_like_year(number) and _year_context(text, number, before, s_end):
        m.kind = "year"
        return m
    if m.kind == "" and (_is_identifier(text, number, before) or _is_model_number(text, number) or _is_address(text, number)):
        m.kind = "other"
        return m
    if m.currency and m.unit_end is None:
        m.unit_end = number.end  # a rate may follow: "$58.24 per barrel"
    if m.unit is not None and m.unit_end is not None:
        _rate(text, m, s_end)
    # qualifier and change before the number (after a currency)
    _qualify(text, m, before, s_end)
    if m.kind in ("", "count"):
        _noun(text, m, s_end)
        measured = p.unit_names.get(head_word(m.noun) or "") if m.noun else None
        if measured and measured[1] in ("measure", "money") and measured[0] != "times":
            m.unit, m.kind = measured  # "517 rushing yards"
            m.noun = m.noun_start = m.noun_end = None
        elif m.noun:
            m.kind = "count"
            money = p.unit_names.get(_key(m.noun))
            if money and money[1] == "money":
                m.kind, m.unit, m.noun, m.noun_start, m.noun_end = "money", money[0], None, None, None
        elif m.kind == "":
            m.kind = "count"  # a bare number: a count of something the text does not name
    if number.form == "vague" and m.qualifier == "exact":
        m.qualifier = "approx"
    if m.low is None and m.high is None:
        _bounds(m)
    return m


def _bounds(m: _Mention) -> None:
    v = m.value
    q = m.qualifier
    number = m.number
    if number.form == "vague":
        m.low, m.high = number.low, number.high
    elif q in ("exact", "approx"):
        m.low = m.high = v
    elif q in ("more_than", "at_least"):
        m.low, m.high = v, None
    elif q in ("less_than", "at_most", "up_to"):
        m.low, m.high = None, v


_EDGE_PUNCT = "\"'“”‘’([{,;:—–"


def _tail_phrase(before: str, names: _Phrases, max_words: int = 4) -> tuple[str, int] | None:
    """The longest phrase of ``names`` that ``before`` ends with, on word boundaries,
    and where it starts in ``before``. Looked up word by word in a dict: much faster
    than a regular expression searched backwards over the text."""
    parts = before.rsplit(None, max_words)[-max_words:]
    if not parts or parts[-1].lstrip(_EDGE_PUNCT).lower() not in names.last_words:
        return None  # most figures have no qualifier: one set lookup says so
    for k in range(len(parts), 0, -1):
        words = parts[-k:]
        first = words[0].lstrip(_EDGE_PUNCT)
        if not first:
            continue
        phrase = " ".join([first] + words[1:]).lower()
        if phrase in names:
            start = before.rstrip().rfind(" ".join(words)) if k > 1 else before.rstrip().rfind(words[0])
            if start < 0:
                start = len(before) - len(phrase)
            start += len(words[0]) - len(first)
            return phrase, start
    return None


def _qualify(text: str, m: _Mention, before: str, s_end: int) -> None:
    p = _patterns()
    last = before.rsplit(None, 1)[-1:]
    last = last[0].lstrip(_EDGE_PUNCT).lower() if last else ""
    q = _tail_phrase(before, p.qualifier_names) if last in p.qualifier_names.last_words else None
    rest = before
    if q and q[0] == "up to" and _tail_phrase(before[: q[1]], p.motion_before_up_to, 1):
        q = None  # "inching back up to 4.8 percent": a move, not a bound
    if q:
        m.qualifier = p.qualifier_names[q[0]]
        m.approximate = m.qualifier == "approx"
        rest = before[: q[1]]
        m.left = min(m.left, m.number.start - (len(before) - q[1]))
    if text[m.number.start - 1 : m.number.start] == "+" and not q:
        m.change = "up"
    stripped = rest.rstrip()
    by = stripped[-3:].lower() == " by"
    if by:
        stripped = stripped[:-3]
    # without a qualifier or "by", the words before are those looked at above
    maybe_change = q or by or last in p.change_names.last_words
    change = _tail_phrase(stripped, p.change_names, 3) if stripped and maybe_change else None
    if change is None and by:
        # "grow sales by 35 per cent": the verb, its object, then "by"
        for word in reversed(stripped.rsplit(None, 3)[-3:]):
            word = word.lower().strip(_EDGE_PUNCT)
            if word in p.change_names and word not in ("up", "down"):
                m.change = p.change_names[word]
                break
    if change:
        previous = stripped[: change[1]].rsplit(None, 1)[-1:] or [""]
        if f"{previous[0].lower()} {change[0]}" not in p.not_change_phrases:
            m.change = p.change_names[change[0]]
    if m.qualifier == "exact":
        end = m.unit_end or m.number.end
        after = p.qualifier_after.match(text, end, s_end)
        if after:
            m.qualifier = p.qualifier_after_names[" ".join(after.group(1).lower().split())]


def _rate(text: str, m: _Mention, s_end: int) -> None:
    """"$3,500 a month", "$58.24 per barrel", "11 feet per century": unit per thing."""
    p = _patterns()
    per = p.per_after.match(text, m.unit_end, s_end)
    if not per:
        return
    word = per.group(1).rstrip(".")
    if _RELATIVE_AFTER_RATE.match(text[per.end() : per.end() + 8]):
        return  # "$6.78 billion a year earlier"
    joined = text[per.start() : per.end()].strip().lower()
    name = None
    time_unit = p.time_units.get(word.lower())
    if time_unit and not (len(word) <= 2):
        name = time_unit
    else:
        known = p.unit_names.get(_key(word))
        if known and known[1] in ("measure", "money"):
            name = known[0]
        elif joined.startswith("per"):
            name = singular(word)
    if name is None:
        return
    square = _AREA_WORD.search(joined)
    if square and not name.startswith(("square", "cubic")):
        name = ("square " if square.group(1) in ("square", "sq") else "cubic ") + name
    m.unit = f"{m.unit} per {name}"
    m.unit_end = per.end()


def _noun(text: str, m: _Mention, s_end: int) -> None:
    """The counted noun phrase after the number ("800 civilian personnel in Kabul")."""
    p = _patterns()
    pos = m.number.end
    of = _OF_GAP.match(text, pos, s_end)
    through_of = False
    if of and (m.number.form in ("vague", "fraction") or m.number.surface.lower() in ("one", "a", "an")):
        pos = of.end()
        through_of = True
        while True:
            w = p.word.match(text, pos, s_end)
            if w and w.group(1).lower() in p.of_skip:
                pos = w.end()
                continue
            break
        unit = p.unit_after.match(text, pos, s_end)
        name, kind = p.unit_names.get(_key(unit.group(1)), (None, None)) if unit else (None, None)
        if kind in ("money", "measure", "percent"):
            m.unit, m.kind, m.unit_end = name, kind, unit.end()  # "tens of millions of dollars", "hundreds of miles"
            return
    words: list[re.Match] = []
    while len(words) < 5:
        w = p.word.match(text, pos, s_end)
        if not w:
            break
        token = w.group(1).rstrip(".")
        lower = token.lower()
        if lower in p.time_units:
            if len(words) <= 2 and not through_of and m.kind == "":
                m.kind, m.unit = "duration", p.time_units[lower]  # "the 50 previous years"
                m.unit_end = w.end()
                words = []
            break
        if lower in p.stop and not (token.isupper() and len(token) > 1):
            if lower == "and" and words:
                joined = _coordinated(text, w.end(), s_end)  # "employees and dependents", "digital and physical sales"
                if joined:
                    words.extend(joined)
            break
        if lower in ("percent", "cent"):
            break
        if words and lower.endswith(("ed", "ing")) and lower not in p.plural:
            break
        if words and lower.endswith("s") and not lower.endswith("ss") and (
            (m.value == 1 and not through_of) or _NOUN_SUFFIX.search(words[-1].group(1))
        ):
            break  # "One proposal asks", "the population lives": after a singular noun, a verb
        if not token.isalpha() and not any(c.isalpha() for c in token) and not _SIGNED_INT.match(token):
            break
        words.append(w)
        pos = w.end()
        if _is_plural(token) and (m.value != 1 or through_of):
            nxt = p.word.match(text, pos, s_end)
            if not (nxt and nxt.group(1).lower() == "and"):
                break
            continue
    while words and (
        words[-1].group(1).lower().endswith(("ed", "ing"))
        or words[-1].group(1)[-1:] in "-'’"
        or not (words[-1].group(1).isalpha() or any(c.isalpha() for c in words[-1].group(1)))
    ):
        words.pop()
    if not words:
        return
    start = words[0].start(1)
    end = words[-1].end(1)
    while end > start and text[end - 1] in ".,;:":
        end -= 1
    m.noun = text[start:end]
    m.noun_start, m.noun_end = start, end


def _coordinated(text: str, pos: int, s_end: int) -> list[re.Match]:
    """After "and": up to three more words ending in a plural noun, or nothing."""
    p = _patterns()
    out = []
    for _ in range(3):
        w = p.word.match(text, pos, s_end)
        if not w or w.group(1).lower() in p.stop:
            return []
        out.append(w)
        pos = w.end()
        if _is_plural(w.group(1)):
            return out
    return []


# "down 2.3%, Burlington by 2.6%" (the move again, for another name) and "fell 5.39,
# or 1.2%" (the same move in another unit).
_ELLIPSIS_GAP = re.compile(r"\s*,\s+(?:(?:[A-Z][\w&'’.-]*\s+){1,3}by|or)\s+")
_ADDRESS_AFTER = re.compile(r"(?:-\d+)?(?:\s+[A-Z0-9][\w'’]*){1,3}\s+([A-Z][a-z]*\.?)(?![\w])")
_NOUN_SUFFIX = re.compile(r"(?:tion|sion|ment|ness|ity|ship|ance|ence|ism)$", re.IGNORECASE)


def _merge_ranges(text: str, mentions: list[_Mention]) -> list[_Mention]:
    """Join "5,000 to 6,000", "between $62 and $68", "15-22 mph", "three or four"."""
    p = _patterns()
    out: list[_Mention] = []
    k = 0
    while k < len(mentions):
        a = mentions[k]
        if k + 1 < len(mentions):
            b = mentions[k + 1]
            merged = _range_of(text, a, b, p)
            if merged is not None:
                out.append(merged)
                k += 2
                continue
        out.append(a)
        k += 1
    return out


def _range_of(text: str, a: _Mention, b: _Mention, p: _Patterns) -> _Mention | None:
    if a.kind in _NOT_RANGE_ENDS or b.kind in _NOT_RANGE_ENDS:
        return None
    if a.number.form in ("vague", "fraction") or b.number.form == "vague":
        return None
    gap_start = a.unit_end if (a.unit_end and a.unit_end <= b.left) else a.number.end
    gap = text[gap_start : b.left]
    g = p.range_gap.fullmatch(gap)
    if not g:
        return None
    lead = text[max(0, a.left - 12) : a.left].lower()
    word = (g.group("word") or "").lower()
    if a.unit and b.unit and a.unit.split(" per ")[0] != b.unit.split(" per ")[0]:
        return None  # "up 9.4 per cent to $84": a change and a level
    if a.change and word != "and" and (a.unit_end or a.currency):
        return None  # "increased by $43.6 billion to $419.2 billion": a change, then a level
    lo, hi = a.value, b.value
    scale = _scale_of(b.number)
    if scale > 1 and not a.number.multiplier and a.value * scale <= b.value * 1.0001 and a.value < b.value / scale * 1.0001 + 1e-9:
        lo = a.value * scale  # "1 to 2 thousand people", "$3 to $5 billion"
    elif scale > 1 and not a.number.multiplier and a.value < b.value / scale:
        lo = a.value * scale
    if word == "and":
        if not _BETWEEN_END.search(lead):
            return None
    elif word == "or":
        if a.number.digits or b.number.digits or not (hi - lo == 1):
            return None
    elif word in ("to", "through"):
        if _FROM_END.search(lead) and (a.change or lo >= hi or _change_before_from(text, a)):
            return None
        if lo >= hi:
            return None
        if not (b.unit or b.noun) and (a.change or (a.unit and not a.currency)):
            # A range names what it spans on its last end or on both ("rose 4 to 5
            # percent", "10% to 20%"); a bare last end after a move or after a unit
            # only on the first is the level reached: "fell 4 to 15", "1.2% to 452.76".
            return None
    else:  # a dash
        if lo >= hi and a.number.surface.isdigit() and b.number.surface.isdigit():
            a.kind = b.kind = "other"  # "2-0", "89-89": a score
            return None
        if lo >= hi or (a.number.surface.isdigit() and b.number.surface.isdigit() and len(a.number.surface) == 4 and len(b.number.surface) in (2, 4)):
            return None  # "2-0" is a score, "2014-15" a season
    unit = b.unit or a.unit
    kind = b.kind if b.unit else a.kind
    merged = _Mention(
        number=b.number,
        sent_idx=a.sent_idx,
        start=a.start,
        end=b.end,
        value=(lo + hi) / 2,
        low=lo,
        high=hi,
        qualifier="range",
        unit=unit,
        unit_end=b.unit_end,
        kind=kind,
        noun=b.noun or a.noun,
        noun_start=b.noun_start if b.noun else a.noun_start,
        noun_end=b.noun_end if b.noun else a.noun_end,
        change=a.change,
        approximate=a.approximate or b.approximate,
        left=a.left,
        currency=a.currency or b.currency,
    )
    if merged.kind == "other" and merged.noun:
        merged.kind = "count"
    return merged


def _change_before_from(text: str, a: _Mention) -> bool:
    window = text[max(0, a.left - 40) : a.left]
    match = _WORD_BEFORE_FROM.search(window)
    if not match:
        return False
    return match.group(1).lower() in _patterns().change_names


def _scale_of(number: NumberSpan) -> float:
    lead = _LEADING_DIGITS.match(number.surface)
    if not lead:
        return 1.0
    try:
        base = float(lead.group().replace(",", ""))
    except ValueError:
        return 1.0
    if not base:
        return 1.0
    scale = number.value / base
    return scale if scale >= 10 and math.isclose(scale, round(scale)) else 1.0


def _inherit_change(text: str, mentions: list[_Mention]) -> None:
    """A figure that repeats a move by ellipsis ("down 2.3%, Burlington by 2.6%") or
    restates it in another unit ("fell 5.39, or 1.2%") takes its direction."""
    for k in range(1, len(mentions)):
        prev, m = mentions[k - 1], mentions[k]
        if m.change or not prev.change or m.kind in NOT_COUNTS:
            continue
        gap = text[max(prev.end, prev.unit_end or 0) : m.left]
        if _ELLIPSIS_GAP.fullmatch(gap):
            m.change = prev.change


def _inherit_conversions(text: str, mentions: list[_Mention]) -> None:
    """A conversion in brackets says what the figure before it says: "more than 7.5
    million Danish crowns (US $1.1 million)", "just under 296 hp (224 kW / 300 PS)"."""
    for k in range(1, len(mentions)):
        prev, m = mentions[k - 1], mentions[k]
        if m.qualifier not in ("exact", "range") or m.change or not (prev.unit and m.unit) or prev.kind != m.kind:
            continue
        gap = text[max(prev.end, prev.unit_end or 0) : m.left]
        if not _BRACKET_GAP.fullmatch(gap) and not (
            _SLASH_GAP.fullmatch(gap) and k >= 2 and mentions[k - 2].unit
        ):
            continue
        m.change, m.approximate = prev.change, prev.approximate
        if m.qualifier == "range" or prev.qualifier == "range":
            continue  # "1 to 1.5 degrees Celsius (1.8 to 2.7 Fahrenheit)": the direction only
        m.qualifier = prev.qualifier
        if m.number.form != "vague" and m.qualifier != "range":
            m.low = m.high = None
            _bounds(m)


def _carry_units(text: str, mentions: list[_Mention]) -> None:
    """A figure without a unit or noun takes those of the figure it continues."""
    for k, m in enumerate(mentions):
        if m.kind != "count" or m.unit or m.noun:
            continue
        source = None
        for j in range(k - 1, -1, -1):
            prev = mentions[j]
            if prev.kind in NOT_COUNTS:
                continue
            gap = text[max(prev.end, prev.noun_end or 0, prev.unit_end or 0) : m.left]
            if len(gap) <= 60 and (prev.unit or prev.noun) and _continues(gap) and not (prev.change and _TO_END.search(gap)):
                source = prev
            break
        if source is None and k + 1 < len(mentions):
            nxt = mentions[k + 1]
            gap = text[m.end : nxt.left]
            if nxt.kind not in NOT_COUNTS and (nxt.unit or nxt.noun) and _CARRY_BACK_GAP.fullmatch(gap):
                source = nxt
        if source is None:
            continue
        m.unit, m.noun = source.unit, source.noun
        m.noun_start, m.noun_end = source.noun_start, source.noun_end
        m.kind = source.kind
        m.carried = True


_DETERMINERS = frozenset({"the", "a", "an", "this", "that", "these", "those", "its", "their", "his", "her", "our"})


def _continues(gap: str) -> bool:
    """The words between two figures link them ("to", "—", "and now to", "we went down
    to") and name nothing new (no determiner: "0.2% and the S&P 500" does not)."""
    words = _LETTERS.findall(gap)
    if len(words) > 6 or any(w.lower() in _DETERMINERS for w in words):
        return False
    tail = gap.rstrip().lower()
    return bool(_LINK_END.search(tail))


# ---------------------------------------------------------------------------- kinds


class _TimexSpans:
    """The time expressions of a document by start, to find the one a number lies in."""

    __slots__ = ("ends_so_far", "spans", "starts")

    def __init__(self, timexes) -> None:
        if not timexes:
            self.spans, self.starts, self.ends_so_far = [], [], []
            return
        self.spans = sorted(
            ((t.start, t.end, t) for t in (timexes or []) if getattr(t, "start", None) is not None),
            key=lambda x: x[0],
        )
        self.starts = [s for s, _, _ in self.spans]
        self.ends_so_far = list(itertools.accumulate((e for _, e, _ in self.spans), max))


def _enclosing(spans: _TimexSpans, start: int, end: int):
    """The first time expression (by start) that holds ``text[start:end]``, or None."""
    k = bisect.bisect_right(spans.starts, start)
    if not k or spans.ends_so_far[k - 1] < end:
        return None  # none that starts before it reaches its end: most numbers
    for s, e, timex in spans.spans[:k]:
        if end <= e:
            return timex
    return None


def _timex_kind(text: str, number: NumberSpan, timex) -> str:
    kind = (getattr(timex, "type", "") or "").upper()
    if kind == "DURATION":
        return "duration"
    if kind == "TIME":
        return "time"
    after = _patterns().unit_after.match(text, number.end)
    if after and _key(after.group(1)) in _patterns().time_units:
        return "duration"
    if _looks_like_year(number):
        return "year"
    return "date"


def _looks_like_year(number: NumberSpan) -> bool:
    s = number.surface
    return number.form == "cardinal" and len(s) == 4 and s.isdigit() and 1000 <= number.value < 2200


def _year_context(text: str, number: NumberSpan, before: str, s_end: int) -> bool:
    """A four-digit number is a year unless it measures or counts something."""
    p = _patterns()
    nxt = text[number.end : number.end + 2]
    if nxt[:1] == "s" and not nxt[1:2].isalpha():
        return True  # "the 1990s"
    prev = _LAST_WORD.search(before)
    prev_word = prev.group(1).lower() if prev else ""
    if prev_word in p.year_before or prev_word.endswith(("'s", "’s")):
        return True
    if _tail_phrase(before, p.qualifier_names):
        return False
    if 1900 <= number.value <= 2100:
        w = p.word.match(text, number.end, s_end)
        if w and _is_plural(w.group(1)) and w.group(1).lower() not in p.stop and not w.group(1)[:1].isupper():
            return prev_word == "" and False
        return True
    return False


def _is_time_or_date(text: str, number: NumberSpan, before: str, s_end: int) -> bool:
    p = _patterns()
    if not number.digits or number.form != "cardinal" or number.multiplier:
        return False
    if _clock(text, number):
        return True
    if number.value != int(number.value) or number.value > 2100 or "," in number.surface:
        return False
    words = before.rsplit(None, 2)[-2:]
    if words:
        last = words[-1].lower().rstrip(",")
        if last in p.months:
            return True  # "March 29"
        if len(words) > 1 and (last == "of" or last.isdigit()) and words[-2].lower().rstrip(",") in p.months:
            return True  # "May of 2019", "July 4, 2016"
    if number.value <= 31 and p.month_near_after.match(text, number.end, s_end):
        return True
    return False


def _clock(text: str, number: NumberSpan) -> bool:
    return number.value < 13 * 100 and bool(_patterns().clock_after.match(text, number.end))


def _comma_age(text: str, number: NumberSpan, before: str) -> bool:
    """"Jamie Armstrong, 25, said": a small whole number between commas after a name."""
    if text[number.end : number.end + 1] != ",":
        return False
    if not number.digits or not number.surface.isdigit() or not 1 <= number.value <= 120:
        return False
    m = _NAME_COMMA_END.search(before)
    return bool(m)


def _is_identifier(text: str, number: NumberSpan, before: str) -> bool:
    """"iPhone 11", "S&P 500", "Game 7", "TA-35", "No. 10": a name, not an amount."""
    p = _patterns()
    if not number.digits or number.form != "cardinal" or number.multiplier:
        return False
    if before[-1:].isalpha() or (before[-1:] == "-" and before[-2:-1].isalpha()):
        if _patterns().currency_before.search(before[-8:]):
            return False
        return True  # "TA-35", "S22", "A2"
    stripped = before[:-1] if before[-1:] == " " else before
    if not stripped or stripped[-1].isspace():
        return False
    parts = stripped.rsplit(None, 1)
    word = parts[-1].lstrip(_EDGE_PUNCT)
    if not word:
        return False
    lower = word.lower()
    if lower in p.identifier_before:
        return True
    if word.islower() or (not word[:1].isupper() and not any(c.isupper() for c in word[1:])):
        return False
    if lower in p.stop or lower in p.qualifier_names or lower in p.year_before or lower in p.change_names:
        return False
    # sentence-initial capitals are ordinary words ("Nearly", "Only"); names are not
    return len(parts) == 2 and bool(parts[0].strip())


def _is_address(text: str, number: NumberSpan) -> bool:
    """"49 Zorro Ranch Road", "16-18 Industrial Avenue": a house number."""
    if not number.digits or not number.surface.replace("-", "").isdigit():
        return False
    m = _ADDRESS_AFTER.match(text, number.end)
    return bool(m and m.group(1).lower() in _patterns().address_words)


def _is_model_number(text: str, number: NumberSpan) -> bool:
    """"737 Max", "787 Dreamliner", "90049 ZIP Code": an unround whole number written
    without separators right before a capitalised singular name is a model or code."""
    s = number.surface
    if not s.isdigit() or number.value < 100 or number.value % 10 == 0:
        return False
    m = _NEXT_CAPITAL.match(text[number.end : number.end + 30])
    if not m or _is_plural(m.group(1)) or _key(m.group(1)) in _patterns().unit_names:
        return False
    return True


# ---------------------------------------------------------------------------- the stage


def quantity_rows(quantities: list[Quantity]) -> list[dict]:
    """Rows of the ``quantities`` table."""
    return rows_of(quantities)


def quantity_stage(result) -> None:
    """Pipeline stage: fill ``result.quantities`` and the ``quantities`` table."""
    result.quantities = extract_quantities(result.doc, result.sentences, result.timexes)
    result.add("quantities", quantity_rows(result.quantities))
