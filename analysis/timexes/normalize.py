"""From the parts of a matched rule to a TIMEX3 type, value and mod.

One small function per kind of expression (``NORMALIZERS``, named by the rules'
``norm`` field). Each reads the parts of its rule and the :class:`Context` (the
publication date, the last date the text gave, the tense around the expression) and
returns a :class:`Reading`, or ``None`` when the match is not a time expression after
all (a number that is a count, "the quarter" with no quarter in sight).

News convention: an expression without a year (a weekday, "July", "Aug. 17", "the
third quarter") is resolved against the publication date, forward when its clause is
in the future tense and backward otherwise. In narrative text (most explicit years far
from the publication date) it takes the year of the last date the text gave, and
anaphoric expressions ("the following day", "that year", "two days later") always do.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Container
from dataclasses import dataclass, field

from ..numbers import parse_number
from .patterns import (
    AGE_AFTER,
    CLAUSE_BREAK,
    CLOCK_NUMBER,
    COUNT_LIST_AFTER,
    CURRENCY_BEFORE,
    HYPHENATED_QUARTER,
    LEADING_NUMBER,
    LETTER_HYPHEN_BEFORE,
    PLACING_WORDS,
    PLAIN_DIGITS,
    RATE_BEFORE,
    SPACES_OR_HYPHENS,
    VERB_BEFORE_DATE,
    compiled,
    lexicon,
    named_dates,
)
from .values import (
    SEASON_MONTHS,
    Period,
    duration_value,
    finer,
    shift_date,
)

__all__ = ["Context", "NORMALIZERS", "Parts", "Reading", "attach_modifier", "format_period", "number_value"]

ONE_DAY = dt.timedelta(days=1)


@dataclass(slots=True)
class Reading:
    """What a matched expression means.

    Attributes:
        type: DATE, TIME, DURATION or SET.
        value: TIMEX3 value.
        mod: TIMEX3 mod.
        anchor: ``publication``, ``previous`` or ``absolute``.
        placement: for a duration the text places, ``back`` (ends on ``place_on``) or
            ``forward`` (starts there).
        place_on: the day a placed duration ends or starts on.
        vague_amount: how many units an ``X`` amount spans when placed.
        span: (start, end) when the expression is narrower than the match.
        remember: whether later anaphora may refer to it (a comparison such as "the
            year-ago quarter" is not what "the quarter" means next).
    """

    type: str
    value: str | None
    mod: str | None = None
    anchor: str = "absolute"
    placement: str | None = None
    place_on: dt.date | None = None
    vague_amount: float = 4
    span: tuple[int, int] | None = None
    remember: bool = True


class Parts:
    """The named parts of a rule's match: ``get`` gives ``None`` for a part that did not
    take part (or that the rule does not have), ``span`` its offsets in the text."""

    __slots__ = ("match", "names")

    def __init__(self, match: re.Match, names: Container[str] | None = None) -> None:
        self.match = match
        # the rule's part names: asking for a part a rule does not have is common
        # (normalisers serve several rules) and an IndexError costs more than a look-up
        self.names = match.re.groupindex if names is None else names

    def get(self, name: str, default=None):
        if name not in self.names:
            return default
        value = self.match.group(name)
        return default if value is None else value

    def __getitem__(self, name: str) -> str:
        return self.match.group(name)

    def span(self, name: str) -> tuple[int, int]:
        if name not in self.names:
            return (-1, -1)
        return self.match.span(name)


@dataclass(slots=True)
class Context:
    """What resolution needs besides the parts: the publication date, the text, and
    the running state of the document (the last date and the last quarter given)."""

    dct: dt.date
    text: str
    narrative: bool = False
    ref: Period | None = None
    ref_sent: int = -1
    ref_quarter: Period | None = None
    story_years: tuple[int, int] | None = None
    sent_idx: int = 0
    sentence_start: int = 0
    sentence_end: int = 0
    start: int = 0
    end: int = 0
    dates_in_sentence: int = 0
    _tense: str | None = field(default=None, repr=False)

    def at(self, start: int, end: int, sent_idx: int, sentence_start: int, sentence_end: int, dates_in_sentence: int) -> None:
        self.start, self.end, self.sent_idx = start, end, sent_idx
        self.sentence_start, self.sentence_end = sentence_start, sentence_end
        self.dates_in_sentence = dates_in_sentence
        self._tense = None

    @property
    def tense(self) -> str | None:
        """``future``, ``past`` or ``None`` (no cue) for the clause of the current
        expression (see :func:`clause_tense`)."""
        if self._tense is None:
            self._tense = clause_tense(self.text, self.start, self.end, self.sentence_start, self.sentence_end) or ""
        return self._tense or None

    def local_year(self) -> int | None:
        """In a narrative, the year of the last date the text gave, unless the clause
        is in the future tense (a history is told in the past: "a summit set for
        April" is about the publication year). In news, a month without a year
        counts from the publication date even after a background sentence with an
        old year: on TimeBank/AQUAINT that is right far more often."""
        if self.narrative and self.ref is not None:
            verbal = clause_tense(self.text, self.start, self.end, self.sentence_start, self.sentence_end, prepositions=False, whole_sentence=False)
            if verbal != "future":
                return self.ref.start.year
        return None

    def anchor_day(self, anaphoric: bool) -> tuple[dt.date, str]:
        """The day a relative expression counts from, and the anchor kind: the last
        date given for anaphora ("the following day"), the publication date for
        deixis ("last Tuesday", "next week") even in a narrative."""
        if anaphoric and self.ref is not None:
            return self.ref.start, "previous"
        return self.dct, "publication"


def clause_tense(
    text: str, start: int, end: int, sentence_start: int, sentence_end: int, prepositions: bool = True, whole_sentence: bool = True
) -> str | None:
    """The tense around ``text[start:end]``, from cue words (timex.yaml
    ``future_cues``/``past_cues``): the nearest cue before it in its clause, else the
    first after it in its clause, else the nearest in its sentence; a verb in -ed
    counts as past only where no listed cue is found (it is often an adjective:
    "a still unspecified date"). ``None`` when there is no cue at all.

    A possessive ("Wednesday's ruling") is a past reference; with ``prepositions``,
    a deadline word right before ("by", "until", "effective") makes it future unless
    the clause has a past cue ("had filed reports by Wednesday"). Without
    ``whole_sentence`` only the clause is read."""
    if text.startswith(("'s", "’s"), end):
        return "past"
    p = compiled()
    lo = max(sentence_start, start - 80)
    before = text[lo:start]
    breaks = [m.end() for m in CLAUSE_BREAK.finditer(before)]
    clause_before = before[breaks[-1] :] if breaks else before
    after = text[end : min(sentence_end, end + 60)]
    cut = CLAUSE_BREAK.search(after)
    clause_after = after[: cut.start()] if cut else after

    future = max((m.end() for m in p.future_cue.finditer(clause_before)), default=-1)
    past = max((m.end() for m in p.past_cue.finditer(clause_before)), default=-1)
    if (
        prepositions
        and past < 0
        and p.future_preposition.search(text, max(sentence_start, start - 20), start)
    ):
        return "future"
    if future >= 0 or past >= 0:
        return "future" if future > past else "past"
    future_after = p.future_cue.search(clause_after)
    past_after = p.past_cue.search(clause_after)
    if future_after or past_after:
        if future_after and (not past_after or future_after.start() <= past_after.start()):
            return "future"
        return "past"
    if p.past_participle.search(clause_before) or p.past_participle.search(clause_after):
        return "past"
    if not whole_sentence:
        return None
    # nothing in the clause: the nearest cue before it in the sentence, else after
    sentence_before = text[sentence_start:start]
    sentence_after = text[end:sentence_end]
    nearest: tuple[int, str] | None = None
    for pattern, tense in ((p.future_cue, "future"), (p.past_cue, "past")):
        for m in pattern.finditer(sentence_before):
            distance = len(sentence_before) - m.end()
            if nearest is None or distance < nearest[0]:
                nearest = (distance, tense)
    if nearest is None:
        for pattern, tense in ((p.future_cue, "future"), (p.past_cue, "past")):
            m = pattern.search(sentence_after)
            if m and (nearest is None or m.start() < nearest[0]):
                nearest = (m.start(), tense)
    if nearest:
        return nearest[1]
    if p.past_participle.search(sentence_before) or p.past_participle.search(sentence_after):
        return "past"
    return None


# ------------------------------------------------------------------------ word values


@functools.lru_cache(maxsize=4096)
def _key(text: str) -> str:
    """A phrase as lexicon keys are written: lower case, single spaces, no final stop."""
    return " ".join(text.lower().split()).rstrip(".")


@functools.cache
def _month_numbers() -> dict[str, int]:
    return {name.lower(): int(n) for n, names in lexicon()["months"].items() for name in names}


@functools.cache
def _weekday_numbers() -> dict[str, int]:
    return {name.lower(): int(n) for n, names in lexicon()["weekdays"].items() for name in names}


def month_number(text: str) -> int:
    """1-12 for a month name or abbreviation ("Aug." is 8)."""
    return _month_numbers()[_key(text)]


def weekday_number(text: str) -> int:
    """ISO weekday, 1 (Monday) to 7, for a weekday name, abbreviation or plural."""
    key = _key(text)
    numbers = _weekday_numbers()
    return numbers[key] if key in numbers else numbers[key.rstrip("s")]


def day_of_month(text: str) -> int:
    key = _key(text)
    digits = LEADING_NUMBER.match(key)
    if digits:
        return int(digits[0])
    return int(lexicon()["ordinals"][key])


@functools.lru_cache(maxsize=4096)
def number_value(text: str) -> float | None:
    """The value of a count in a time expression: a number in digits ("1,500", "5 1/2",
    "2.5") or words ("twenty four", "one and a half"), read by the one number parser
    (:func:`analysis.numbers.parse_number`), or a counting word of the time lexicon
    ("a", "an", "a couple of"); ``None`` if it is neither."""
    key = _key(text)
    counting = lexicon()["counting_words"]
    if key in counting:
        return float(counting[key])
    return parse_number(key)


def year_from_words(text: str) -> int | None:
    """"nineteen ninety-six" is 1996, "two thousand one" is 2001."""
    key = _key(text)
    if key.startswith("two thousand"):
        rest = key[len("two thousand") :].replace("and", "").strip(" -")
        extra = number_value(rest) if rest else 0
        return None if extra is None else 2000 + int(extra)
    head, _, tail = SPACES_OR_HYPHENS.sub(" ", key).partition(" ")
    century = number_value(head)
    if century is None:
        return None
    if tail == "hundred":
        return int(century) * 100
    tail = tail.replace("oh ", "")
    rest = number_value(tail)
    return None if rest is None else int(century) * 100 + int(rest)


def _mod(text: str | None, table: str) -> str | None:
    if not text:
        return None
    key = _key(text).rstrip("-")
    return lexicon()[table].get(key) or lexicon()[table].get(key.split()[0])


# ------------------------------------------------------------------------ formatting


def _quarter_of(day: dt.date) -> int:
    return (day.month - 1) // 3 + 1


def format_period(day: dt.date, granularity: str) -> str:
    """The TIMEX3 value of the period of ``granularity`` that contains ``day``."""
    if granularity == "millennium":
        return f"{day.year // 1000:01d}"
    if granularity == "century":
        return f"{day.year // 100:02d}"
    if granularity == "decade":
        return f"{day.year // 10:03d}"
    if granularity == "year":
        return f"{day.year:04d}"
    if granularity == "half":
        return f"{day.year:04d}-H{1 if day.month <= 6 else 2}"
    if granularity == "quarter":
        return f"{day.year:04d}-Q{_quarter_of(day)}"
    if granularity == "season":
        code, year = _season_of(day)
        return f"{year:04d}-{code}"
    if granularity == "month":
        return f"{day.year:04d}-{day.month:02d}"
    if granularity in ("week", "weekend"):
        iso = day.isocalendar()
        return f"{iso.year:04d}-W{iso.week:02d}" + ("-WE" if granularity == "weekend" else "")
    return day.isoformat()


def _season_of(day: dt.date) -> tuple[str, int]:
    if day.month == 12:
        return "WI", day.year
    if day.month <= 2:
        return "WI", day.year - 1
    for code, first in (("FA", 9), ("SU", 6), ("SP", 3)):
        if day.month >= first:
            return code, day.year
    raise AssertionError(day)


_UNIT_GRANULARITY = {
    "second": "time",
    "minute": "time",
    "hour": "time",
    "day": "day",
    "trading day": "day",
    "business day": "day",
    "night": "day",
    "week": "week",
    "fortnight": "week",
    "weekend": "weekend",
    "month": "month",
    "quarter": "quarter",
    "season": "season",
    "year": "year",
    "decade": "decade",
    "century": "century",
    "millennium": "millennium",
    "morning": "day",
    "afternoon": "day",
    "evening": "day",
}


@functools.lru_cache(maxsize=1024)
def _unit_key(text: str) -> str:
    """Singular unit name from its written form ("Years" -> "year")."""
    units = lexicon()["units"]
    key = _key(text)
    if key in units:
        return key
    for name, spec in units.items():
        if spec["plural"] == key:
            return name
    if key.endswith("s") and key[:-1] in _UNIT_GRANULARITY:
        return key[:-1]
    return key


def _shift_period(day: dt.date, amount: float, unit: str) -> dt.date:
    spec = lexicon()["units"].get(unit)
    if unit == "weekend":
        return day + dt.timedelta(days=7 * round(amount))
    if spec is None:
        return day
    kind, size = spec["step"]
    return shift_date(day, amount, (kind, size))


# ------------------------------------------------------------------------ resolution


# A month or day written without a year this close to the publication date (in
# months) is the nearest such date whatever the reporting verb's tense.
NEAR_MONTHS = 3


def _event_in_past(ctx: Context) -> bool:
    """A past-tense verb right before the date, not after an auxiliary ("will be
    paid", "has set") and not a verb of saying: "the fiscal year ended Jan. 31"."""
    p = compiled()
    before = ctx.text[max(ctx.sentence_start, ctx.start - 30) : ctx.start]
    m = VERB_BEFORE_DATE.search(before)
    return bool(m and p.past_cue.fullmatch(m[1]) and m[1].lower() not in p.reporting_verbs)


def _year_for_month(ctx: Context, month: int, day: int | None = None) -> tuple[int, str]:
    """The year of a month (and day) written without one: the year of the last date
    given in a narrative (see :meth:`Context.local_year`); else, from the publication
    date, the next such day in the future tense, the last one in the past tense, and
    the nearest one when the clause has no tense cue; within NEAR_MONTHS of the
    publication date, its year."""
    local = ctx.local_year()
    if local is not None:
        return local, "previous"
    dct = ctx.dct
    this_year = (month, day or 15)
    today = (dct.month, dct.day if day else 15)
    months_ahead = (month - dct.month) + ((day or 15) - today[1]) / 31
    for shift in (0, 12, -12):
        if abs(months_ahead + shift) <= NEAR_MONTHS and not (months_ahead + shift > 0 and _event_in_past(ctx)):
            # a deadline next month reported in the past tense ("said it must leave
            # by Jan. 14") is the coming one
            return dct.year + shift // 12, "publication"
    tense = ctx.tense
    if tense == "future":
        return (dct.year + 1 if this_year < (dct.month, dct.day if day else 1) else dct.year), "publication"
    if tense == "past":
        return (dct.year - 1 if this_year > (dct.month, dct.day if day else 31) else dct.year), "publication"
    if months_ahead > 6:
        return dct.year - 1, "publication"
    if months_ahead < -6:
        return dct.year + 1, "publication"
    return dct.year, "publication"


def _weekday_date(ctx: Context, weekday: int) -> tuple[dt.date, str]:
    """A weekday without a date: the latest such day on or before the publication date
    in the past tense, the next on or after it in the future tense; in narrative text
    the first such day on or after the last date given."""
    if ctx.local_year() is not None and ctx.ref.granularity in ("day", "part_of_day", "time"):
        base = ctx.ref.start
        return base + dt.timedelta(days=(weekday - base.isoweekday()) % 7), "previous"
    dct = ctx.dct
    if weekday == dct.isoweekday():
        return dct, "publication"  # in any tense ("said Tuesday" on a Tuesday)
    if ctx.tense == "future":
        return dct + dt.timedelta(days=(weekday - dct.isoweekday()) % 7), "publication"
    return dct - dt.timedelta(days=(dct.isoweekday() - weekday) % 7), "publication"


def _relative_offset(rel: str | None, ctx: Context | None = None) -> tuple[int, bool]:
    """Offset of "this/last/next/the following ..." and whether it is anaphoric (in a
    narrative, "next spring" and "that year" both count from the story's date)."""
    lex = lexicon()
    key = _key(rel or "this")
    anaphoric = key in lex["anaphoric_offsets"] or bool(ctx and ctx.narrative)
    return int(lex["relative_offsets"].get(key, 0)), anaphoric


def _date_reading(day: dt.date, granularity: str, anchor: str, mod: str | None = None, type_: str = "DATE") -> Reading:
    return Reading(type_, format_period(day, granularity), mod, anchor)


# ------------------------------------------------------------------------ normalisers

def norm_date(g: Parts, ctx: Context) -> Reading | None:
    """Month, day and year in any order, with what is missing taken from context."""
    month = month_number(g.get("month") or g.get("month2"))
    dom_text = g.get("dom") or g.get("dom2")
    dom = day_of_month(dom_text) if dom_text else None
    mod = _mod(g.get("dmod"), "date_modifiers")
    if g.get("year") or g.get("year_word"):
        year, anchor = _written_year(g), "absolute"
        if year is None:
            return None
    elif g.get("weekday") and dom:
        year, anchor = _year_for_weekday_date(ctx, month, dom, weekday_number(g["weekday"]))
    elif g.get("rel"):
        offset, anaphoric = _relative_offset(g["rel"], ctx)
        base, anchor = ctx.anchor_day(anaphoric)
        year = base.year + offset
    else:
        year, anchor = _year_for_month(ctx, month, dom)
    try:
        day = dt.date(year, month, dom or 1)
    except ValueError:
        return None
    return _date_reading(day, "day" if dom else "month", anchor, mod)


def norm_date_range(g: Parts, ctx: Context) -> list[Reading] | None:
    """"May 4 and 5", "12-14 July 1950": two dates, each with its own span."""
    first = norm_date(g, ctx)
    if first is None:
        return None
    day = dt.date.fromisoformat(first.value)
    try:
        second_day = day.replace(day=day_of_month(g["dom2"]))
    except ValueError:
        return None
    if second_day <= day:
        return None
    second = Reading("DATE", second_day.isoformat(), None, first.anchor)
    first.span = (g.span("month")[0], g.span("dom")[1])
    second.span = g.span("dom2")
    return [first, second]


def _written_year(g: Parts) -> int | None:
    if g.get("year"):
        return int(g["year"])
    return year_from_words(g["year_word"]) if g.get("year_word") else None


def _year_for_weekday_date(ctx: Context, month: int, dom: int, weekday: int) -> tuple[int, str]:
    """A weekday and a date without a year: the year near the publication date in
    which that date falls on that weekday."""
    for delta in (0, -1, 1):
        try:
            if dt.date(ctx.dct.year + delta, month, dom).isoweekday() == weekday:
                return ctx.dct.year + delta, "publication"
        except ValueError:
            continue
    return _year_for_month(ctx, month, dom)


def norm_numeric_date(g: Parts, ctx: Context) -> Reading | None:
    """8/17/2021 (month first; day first when the first number cannot be a month),
    2021-08-17, 2021-08-17T10:00:00Z (a TIME), 17.08.2021."""
    year_text = g["year"]
    year = int(year_text)
    if len(year_text) == 2:
        year += 2000 if 2000 + year <= ctx.dct.year + 10 else 1900
    if g.get("first") is not None:
        first, second = int(g["first"]), int(g["second"])
        month, dom = (first, second) if first <= 12 else (second, first)
    else:
        month, dom = int(g["month_num"]), int(g["dom_num"])
    try:
        day = dt.date(year, month, dom)
    except ValueError:
        return None
    if g.get("hour"):
        # a time zone, if written, is kept in the text, never converted: the day
        # is the one the text gives
        return Reading("TIME", f"{day.isoformat()}T{g['hour']}:{g['minute']}", None, "absolute")
    return _date_reading(day, "day", "absolute")


def norm_week_of(g: Parts, ctx: Context) -> Reading | None:
    """"the week of March 6": the week containing that day."""
    month, dom = month_number(g["month"]), day_of_month(g["dom"])
    year, anchor = _year_for_month(ctx, month, dom)
    try:
        return _date_reading(dt.date(year, month, dom), "week", anchor)
    except ValueError:
        return None


def norm_clock(g: Parts, ctx: Context) -> Reading | None:
    """A clock time, on the day written next to it or else the publication date."""
    hour, minute = _clock_value(g["clock"])
    if hour is None:
        return None
    if g.get("month"):
        month, dom = month_number(g["month"]), day_of_month(g["dom"])
        year, anchor = (int(g["year"]), "absolute") if g.get("year") else _year_for_month(ctx, month, dom)
        try:
            day = dt.date(year, month, dom)
        except ValueError:
            return None
    elif g.get("weekday"):
        day, anchor = _weekday_date(ctx, weekday_number(g["weekday"]))
    elif g.get("rel_day"):
        day, anchor = ctx.dct + dt.timedelta(days=int(lexicon()["relative_days"][_key(g["rel_day"])])), "publication"
    elif ctx.ref is not None and ctx.ref_sent == ctx.sent_idx and ctx.ref.granularity in ("day", "part_of_day", "time"):
        day, anchor = ctx.ref.start, "previous"  # "They met Friday at 3 p.m."
    else:
        # a clock time alone is on the publication date in news, on the last date
        # given in a narrative
        day, anchor = ctx.anchor_day(ctx.narrative)
    mod = _mod(g.get("dmod"), "duration_modifiers")
    return Reading("TIME", f"{day.isoformat()}T{hour:02d}:{minute:02d}", "APPROX" if mod == "APPROX" else mod, anchor)


def _clock_value(text: str) -> tuple[int | None, int]:
    key = _key(text)
    words = lexicon()["clock_words"]
    if key in words:
        hour, minute = words[key]
        return int(hour), int(minute)
    m = CLOCK_NUMBER.match(key)
    if not m:
        return None, 0
    hour, minute = int(m[1]), int(m[2] or 0)
    rest = key[m.end() :].replace(" ", "").replace(".", "")
    if rest.startswith("pm") or "afternoon" in rest or "evening" in rest:
        if hour > 12:
            return None, 0
        hour = hour % 12 + 12
    elif rest.startswith("am") or "morning" in rest:
        if hour > 12:
            return None, 0
        hour = hour % 12
    if hour > 24 or minute > 59:
        return None, 0
    return hour, minute


def norm_day_part(g: Parts, ctx: Context) -> Reading | None:
    """"last night", "tonight", "the next morning" (TIME with a part of the day);
    "Friday morning", "yesterday afternoon" (DATE of the day)."""
    parts = lexicon()["day_parts"]
    if g.get("generic"):
        code = parts.get(_key(g["generic"]).replace("-", ""), "NI") if _key(g["generic"]) != "nighttime" else "NI"
        return Reading("TIME", f"XXXX-XX-XXT{code}", None, "absolute")
    if g.get("tonight"):
        key = _key(g["tonight"])
        code, day, anchor = parts.get(key, "NI"), ctx.dct, "publication"
    else:
        code = parts[_key(g["part"])]
        if g.get("weekday") or g.get("rel_day"):
            # "Friday night", "yesterday morning": TimeBank's convention is the DATE of
            # the day (the part of the day stays in the text)
            if g.get("weekday"):
                day, anchor = _weekday_date(ctx, weekday_number(g["weekday"]))
            else:
                day, anchor = ctx.dct + dt.timedelta(days=int(lexicon()["relative_days"][_key(g["rel_day"])])), "publication"
            return _date_reading(day, "day", anchor, _mod(g.get("dmod"), "date_modifiers"))
        else:
            rel = _key(g.get("rel") or "the")
            if rel == "last":
                day, anchor = ctx.dct - ONE_DAY, "publication"
            elif rel == "this":
                day, anchor = ctx.dct, "publication"
            else:
                offset, _ = _relative_offset(rel)
                base, anchor = ctx.anchor_day(True)
                day = base + dt.timedelta(days=offset)
    return Reading("TIME", f"{day.isoformat()}T{code}", _mod(g.get("dmod"), "date_modifiers"), anchor)


def norm_named(g: Parts, ctx: Context) -> Reading | None:
    """Named days from named_dates.yaml: fixed dates and yearly holidays."""
    named = named_dates()
    name = _find_name(g["named"], named["fixed"])
    if name is not None:
        return _date_reading(dt.date.fromisoformat(str(named["fixed"][name])), "day", "absolute", _mod_after(ctx))
    name = _find_name(g["named"], named["yearly"])
    if name is None:
        return None
    rule = named["yearly"][name]
    if g.get("year"):
        day = holiday_date(rule, int(g["year"]))
        return _date_reading(day, "day", "absolute") if day else None
    rel = _key(g.get("rel") or "")
    if not rel and ctx.local_year() is not None:
        day = holiday_date(rule, ctx.local_year())
        return _date_reading(day, "day", "previous") if day else None
    this_year = holiday_date(rule, ctx.dct.year)
    if this_year is None:
        return None
    if not rel and abs((this_year - ctx.dct).days) <= 31 * NEAR_MONTHS:
        return _date_reading(this_year, "day", "publication")
    future = rel in ("next", "this coming", "the coming") or (not rel and ctx.tense == "future")
    past = rel in ("last", "this past", "the previous") or (not rel and ctx.tense == "past")
    if not rel and ctx.tense is None:
        # no cue: the nearest one
        candidates = [d for d in (holiday_date(rule, ctx.dct.year + k) for k in (-1, 0, 1)) if d]
        day = min(candidates, key=lambda d: abs((d - ctx.dct).days))
        return _date_reading(day, "day", "publication")
    if past and this_year > ctx.dct:
        this_year = holiday_date(rule, ctx.dct.year - 1)
    elif future and this_year < ctx.dct:
        this_year = holiday_date(rule, ctx.dct.year + 1)
    return _date_reading(this_year, "day", "publication") if this_year else None


def _mod_after(ctx: Context) -> str | None:
    """"after 9/11", "before D-Day": TIMEX3 mod from the word just before."""
    before = ctx.text[max(0, ctx.start - 8) : ctx.start].lower().split()
    if before and before[-1] in ("after", "since"):
        return "AFTER"
    if before and before[-1] in ("before", "until", "till"):
        return "BEFORE"
    return None


def _find_name(text: str, table: dict) -> str | None:
    key = " ".join(text.split())
    for name in table:
        if str(name).lower() == key.lower():
            return str(name)
    return None


def holiday_date(rule, year: int) -> dt.date | None:
    """The day of a yearly holiday rule of named_dates.yaml in ``year``."""
    try:
        if isinstance(rule, list):
            return dt.date(year, int(rule[0]), int(rule[1]))
        if "easter" in rule:
            return easter_sunday(year) + dt.timedelta(days=int(rule["easter"]))
        weekday, month = int(rule["weekday"]), int(rule["month"])
        nth = int(rule.get("nth", rule.get("after_nth", 1)))
        if nth > 0:
            first = dt.date(year, month, 1)
            day = first + dt.timedelta(days=(weekday - first.isoweekday()) % 7 + 7 * (nth - 1))
        else:
            last = dt.date(year, month + 1, 1) - ONE_DAY if month < 12 else dt.date(year, 12, 31)
            day = last - dt.timedelta(days=(last.isoweekday() - weekday) % 7)
        return day + dt.timedelta(days=int(rule.get("offset", 0)))
    except (ValueError, OverflowError):
        return None


def easter_sunday(year: int) -> dt.date:
    """Western Easter (anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l = (32 + 2 * e + 2 * i - h - k) % 7  # noqa: E741 (the algorithm's name)
    m = (a + 11 * h + 22 * l) // 451
    month, day = divmod(h + l - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


def norm_season(g: Parts, ctx: Context) -> Reading | None:
    """"the spring of 2003", "last fall", "summer"."""
    code = lexicon()["seasons"][_key(g.get("season") or g.get("season2"))]
    mod = _mod(g.get("dmod") or g.get("dmod2"), "date_modifiers")
    first_month = SEASON_MONTHS[code]
    if g.get("year") or g.get("year_word"):
        year = _written_year(g)
        return Reading("DATE", f"{year:04d}-{code}", mod, "absolute") if year else None
    rel = _key(g.get("rel") or g.get("rel2") or "")
    if rel in ("that", "the same", "the following", "the previous") or (not rel and ctx.local_year() is not None):
        base, anchor = ctx.anchor_day(True)
        year = base.year + {"the following": 1, "the previous": -1}.get(rel, 0)
        return Reading("DATE", f"{year:04d}-{code}", mod, anchor)
    dct = ctx.dct
    current = dt.date(dct.year if not (code == "WI" and dct.month <= 2) else dct.year - 1, first_month, 1)
    started = current <= dct
    ended = shift_date(current, 3, ("months", 1)) <= dct
    if rel in ("last", "this past", "the past"):
        year = current.year if ended else current.year - 1
    elif rel in ("next", "this coming", "the coming"):
        year = current.year if not started else current.year + 1
    elif rel == "this" or rel == "":
        if rel == "" and ctx.tense == "future":
            year = current.year if not ended else current.year + 1
        elif rel == "":
            year = current.year if started else current.year - 1
        else:
            year = current.year
    else:
        year = current.year
    return Reading("DATE", f"{year:04d}-{code}", mod, "publication")


def norm_quarter(g: Parts, ctx: Context) -> Reading | None:
    """"the third quarter", "third-quarter", "the latest quarter", "the year-ago
    quarter", "Q3 2021"; and "the quarter" when a quarter was named before."""
    mod = _mod(g.get("dmod"), "date_modifiers")
    ordinal = g.get("ord")
    owner = _key(g.get("the") or "")
    reading = _quarter_reading(g, ctx, mod, ordinal, owner)
    if reading is not None and owner in ("the", "its", "their"):
        text = ctx.text[ctx.start : ctx.end]
        # "its third quarter", "the third-quarter loss": the determiner is not part of
        # the time expression (but "the third quarter" is)
        if owner != "the" or HYPHENATED_QUARTER.search(text):
            after = g.span("the")[1]
            start = after + len(ctx.text[after : ctx.end]) - len(ctx.text[after : ctx.end].lstrip())
            reading.span = (start, ctx.end)
    return reading


def _quarter_reading(g: Parts, ctx: Context, mod: str | None, ordinal: str | None, owner: str) -> Reading | None:
    if ordinal:
        key = _key(ordinal)
        q = {"first": 1, "second": 2, "third": 3, "fourth": 4, "final": 4, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4}.get(key)
        if q is None:
            q = int(key)
        if g.get("year") or g.get("year2"):
            year, anchor = int(g.get("year") or g.get("year2")), "absolute"
        elif g.get("rel2") or owner.endswith("year's"):
            rel = _key(g.get("rel2") or owner.split()[0])
            offset, anaphoric = _relative_offset(rel, ctx)
            base, anchor = ctx.anchor_day(anaphoric or rel in ("the", "the fiscal"))
            year = base.year + offset
        elif ctx.local_year() is not None:
            year, anchor = ctx.local_year(), "previous"
        else:
            # this year's, unless it is still to come and the clause is in the past
            # tense or it is most of a year away ("fourth-quarter profit" in January
            # is last year's); a quarter already over is this year's even in the
            # future tense ("expects to report third-quarter net")
            current = _quarter_of(ctx.dct)
            year, anchor = ctx.dct.year, "publication"
            if q > current and (ctx.tense == "past" or (ctx.tense is None and q - current > 2)):
                year -= 1
        if g.get("year_ago"):
            return Reading("DATE", f"{year - 1:04d}-Q{q}", mod, anchor, remember=False)
        return Reading("DATE", f"{year:04d}-Q{q}", mod, anchor)
    rel = _key(g.get("rel") or "the")
    reference = ctx.ref_quarter
    year_ago = rel in {_key(w) for w in lexicon()["year_ago_words"]} or bool(g.get("ago"))
    last_completed = shift_date(ctx.dct, -3, ("months", 1))
    if rel == "current" and not year_ago:
        return _date_reading(ctx.dct, "quarter", "publication", mod)
    if rel == "this" and not year_ago:
        # in a report on a quarter, "this quarter" is the one reported
        if reference is not None:
            return _date_reading(reference.start, "quarter", "previous", mod)
        return _date_reading(ctx.dct, "quarter", "publication", mod)
    if rel in ("last", "past", "latest", "most recent", "recent", "just-ended", "just-completed"):
        return _date_reading(last_completed, "quarter", "publication", mod)
    if rel in ("next", "coming"):
        return _date_reading(shift_date(ctx.dct, 3, ("months", 1)), "quarter", "publication", mod)
    if reference is None:
        base, anchor = last_completed, "publication"
    else:
        base, anchor = reference.start, "previous"
        if rel in ("previous", "prior"):
            base = shift_date(base, -3, ("months", 1))
    if year_ago:
        base = shift_date(base, -1, ("years", 1))
    reading = _date_reading(base, "quarter", anchor, mod)
    reading.remember = not year_ago and rel not in ("previous", "prior")
    return reading


def norm_half(g: Parts, ctx: Context) -> Reading | None:
    """"the second half of 1989", "the first half of this year"."""
    half = 1 if _key(g["ord"]) in ("first", "1st") else 2
    if g.get("decade"):
        return None
    if g.get("year"):
        year, anchor = int(g["year"]), "absolute"
    else:
        offset, anaphoric = _relative_offset(g.get("rel"), ctx)
        base, anchor = ctx.anchor_day(anaphoric or _key(g.get("rel") or "") == "the")
        year = base.year + offset
    return Reading("DATE", f"{year:04d}-H{half}", None, anchor)


def norm_period(g: Parts, ctx: Context) -> Reading | None:
    """Financial periods: "the year-ago period", "the 1988 period", "year-earlier"."""
    reference = ctx.ref_quarter
    rel = _key(g.get("rel") or "")
    year_ago = rel in {_key(w) for w in lexicon()["year_ago_words"]} or rel in ("year-before", "prior-year") or bool(g.get("ago"))
    if g.get("quarter"):
        # "the 1988 quarter": the quarter the text reports, in that year
        reported = reference.start if reference else shift_date(ctx.dct, -3, ("months", 1))
        return Reading("DATE", f"{int(g['year']):04d}-Q{_quarter_of(reported)}", None, "previous", remember=False)
    if g.get("year2"):
        return Reading("DATE", f"{int(g['year2']):04d}", None, "absolute", remember=False)
    if reference is not None:
        base, anchor, granularity = reference.start, "previous", reference.granularity
    elif ctx.ref is not None and ctx.ref.granularity in ("year", "half", "quarter", "month"):
        base, anchor, granularity = ctx.ref.start, "previous", ctx.ref.granularity
    else:
        base, anchor, granularity = ctx.dct, "publication", "year"
    if year_ago:
        base = shift_date(base, -1, ("years", 1))
    elif rel in ("latest", "current") and reference is None:
        base, granularity = shift_date(ctx.dct, -3, ("months", 1)), "quarter"  # the last one completed
    reading = _date_reading(base, granularity, anchor)
    reading.remember = False
    return reading


def norm_fiscal_year(g: Parts, ctx: Context) -> Reading | None:
    """"fiscal 1989", "FY2021", "the current fiscal year", "last fiscal year"."""
    mod = _mod(g.get("dmod"), "date_modifiers")
    if g.get("year"):
        text = g["year"].lstrip("'")
        year = int(text)
        if len(text) == 2:
            year += 2000 if 2000 + year <= ctx.dct.year + 10 else 1900
        return Reading("DATE", f"{year:04d}", mod, "absolute")
    rel = _key(g.get("rel") or "the")
    offset = {"last": -1, "past": -1, "previous": -1, "prior": -1, "latest": -1, "just-ended": -1, "next": 1, "coming": 1, "new": 1}.get(rel, 0)
    base, anchor = ctx.anchor_day(rel in ("that", "same"))
    return Reading("DATE", f"{base.year + offset:04d}", mod, anchor)


_DECADE_WORDS = {
    "twenties": 2,
    "thirties": 3,
    "forties": 4,
    "fifties": 5,
    "sixties": 6,
    "seventies": 7,
    "eighties": 8,
    "nineties": 9,
}


def norm_decade(g: Parts, ctx: Context) -> Reading | None:
    """"the 1990s", "the '90s", "the nineties", "the late 1970s", "the 1800s"."""
    mod = _mod(g.get("dmod") or g.get("dmod2"), "date_modifiers")
    if g.get("dec"):
        first = int(g["dec"])
        if first % 100 == 0 and first <= 1900:
            return Reading("DATE", f"{first // 100:02d}", mod, "absolute")
        return Reading("DATE", f"{first // 10:03d}", mod, "absolute")
    tens = int(g["dec2"][0]) if g.get("dec2") else _DECADE_WORDS[_key(g["decword"])]
    century = ctx.dct.year // 100
    if century * 100 + tens * 10 > ctx.dct.year:
        century -= 1
    return Reading("DATE", f"{century * 10 + tens:03d}", mod, "publication")


def norm_century(g: Parts, ctx: Context) -> Reading | None:
    """"the 20th century" is ``19``; "this century" is the publication date's."""
    mod = _mod(g.get("dmod") or g.get("dmod2"), "date_modifiers")
    if g.get("ord"):
        key = _key(g["ord"])
        digits = LEADING_NUMBER.match(key)
        n = int(digits[0]) if digits else int(lexicon()["ordinals"][key])
        if n < 1:
            return None
        if g.get("era") and "B" in g["era"].upper():
            return Reading("DATE", f"BC{n - 1:02d}", mod, "absolute")  # TIMEX2 style: the 9th century BC is BC08
        return Reading("DATE", f"{n - 1:02d}", mod, "absolute")
    offset, _ = _relative_offset(g["rel"])
    return Reading("DATE", f"{ctx.dct.year // 100 + offset:02d}", mod, "publication")


def norm_year(g: Parts, ctx: Context) -> Reading | None:
    """A year ("2021", "241 BC", "nineteen ninety-six"), unless the number is a count
    or an identifier ("2000 troops", "Flight 2021", "No. 1990")."""
    mod = _mod(g.get("dmod"), "date_modifiers")
    if g.get("prepost"):
        mod = "BEFORE" if g["prepost"].lower() == "pre" else "AFTER"
    if g.get("orlater"):
        later = any(w in g["orlater"].lower() for w in ("later", "after", "beyond"))
        mod = "ON_OR_AFTER" if later else "ON_OR_BEFORE"
    era = g.get("era") or g.get("era2")
    if g.get("year_word"):
        year = year_from_words(g["year_word"])
        if year is None or not 1000 <= year <= 2099:
            return None
        return Reading("DATE", f"{year:04d}", mod, "absolute")
    year = int(g.get("year") or g.get("year2"))
    if era and "B" in era.upper():
        return Reading("DATE", f"BC{year:04d}", mod, "absolute") if year > 0 else None
    if era:
        return Reading("DATE", f"{year:04d}", mod, "absolute") if year > 0 else None
    if not _looks_like_year(ctx):
        return None
    return Reading("DATE", f"{year:04d}", mod, "absolute")


def _looks_like_year(ctx: Context) -> bool:
    p = compiled()
    before = ctx.text[max(0, ctx.start - 24) : ctx.start]
    after = ctx.text[ctx.end : ctx.end + 24]
    if CURRENCY_BEFORE.search(before):
        return False
    if LETTER_HYPHEN_BEFORE.search(before) and not p.date_modifier_before.search(before):
        return False  # "F-1990", "COVID-2019" (but "mid-1990" is a year)
    if p.not_year_after.search(before) or p.not_year_before.search(after):
        return False
    # a number in a list of numbers ("1500, 2000 and 2500 troops") is a count
    return not COUNT_LIST_AFTER.match(after)


def norm_rel_day(g: Parts, ctx: Context) -> Reading | None:
    """"today", "yesterday", "late yesterday", "the day after tomorrow"."""
    offset = int(lexicon()["relative_days"][_key(g["rel_day"])])
    mod = _mod(g.get("dmod"), "date_modifiers")
    return _date_reading(ctx.dct + dt.timedelta(days=offset), "day", "publication", mod)


def norm_rel_named(g: Parts, ctx: Context) -> Reading | None:
    """"last Friday", "next June", "this coming Sunday", "Tuesday of next week",
    "last Thanksgiving"."""
    rel = _key(g["rel"])
    mod = _mod(g.get("dmod"), "date_modifiers")
    if g.get("named"):
        return norm_named({"named": g["named"], "rel": rel}, ctx)
    offset, anaphoric = _relative_offset(rel, ctx)
    base, anchor = ctx.anchor_day(anaphoric)
    if g.get("weekday"):
        weekday = weekday_number(g["weekday"])
        if g.get("rel") and "week" in ctx.text[ctx.start : ctx.end].lower().split()[-1:]:
            monday = base - dt.timedelta(days=base.isoweekday() - 1) + dt.timedelta(days=7 * offset)
            return _date_reading(monday + dt.timedelta(days=weekday - 1), "day", anchor, mod)
        if rel in ("last", "this past", "the previous"):
            delta = (base.isoweekday() - weekday) % 7 or 7
            return _date_reading(base - dt.timedelta(days=delta), "day", anchor, mod)
        if rel in ("next", "this coming", "the coming", "the following"):
            delta = (weekday - base.isoweekday()) % 7 or 7
            return _date_reading(base + dt.timedelta(days=delta), "day", anchor, mod)
        monday = base - dt.timedelta(days=base.isoweekday() - 1)
        return _date_reading(monday + dt.timedelta(days=weekday - 1), "day", anchor, mod)
    month = month_number(g["month"])
    year = base.year
    if rel in ("last", "this past", "the previous"):
        year = base.year if month < base.month else base.year - 1
    elif rel in ("next", "this coming", "the coming", "the following"):
        year = base.year if month > base.month else base.year + 1
    return _date_reading(dt.date(year, month, 1), "month", anchor, mod)


def norm_offset(g: Parts, ctx: Context) -> Reading | None:
    """"three years ago", "a year earlier", "twelve days later", "a week or so ago"."""
    unit = _unit_key(g["unit"])
    offset_words = lexicon()["offset_words"]
    off = _key(g.get("off") or g["off2"])
    direction, anchor_kind = offset_words.get(off) or offset_words[off.split()[0]]
    mod = _mod(g.get("dmod"), "duration_modifiers")
    if not g.get("num") and not g.get("vague"):
        # "hours later", "months before that": some time after or before
        return Reading("DATE", "PAST_REF" if direction < 0 else "FUTURE_REF", mod, "previous" if ctx.ref else "publication")
    if " or " in ctx.text[ctx.start : ctx.end]:
        mod = mod or "APPROX"
    if unit == "year" and _key(g.get("num") or "") in ("a", "one", "1") and ctx.ref_quarter is not None:
        # a financial comparison ("up from $10 million a year ago/earlier"): the same
        # quarter (or half) a year before, and not what later anaphora refer to
        day = shift_date(ctx.ref_quarter.start, direction, ("years", 1))
        reading = _date_reading(day, ctx.ref_quarter.granularity, "previous", mod)
        reading.remember = False
        return reading
    if anchor_kind == "publication":
        base, anchor, base_granularity = ctx.dct, "publication", "day"
    elif ctx.ref is not None:
        base, anchor, base_granularity = ctx.ref.start, "previous", ctx.ref.granularity
    else:
        base, anchor, base_granularity = ctx.dct, "publication", "day"
    if g.get("vague"):
        return Reading("DATE", "PAST_REF" if direction < 0 else "FUTURE_REF", mod, anchor)
    amount = number_value(g["num"])
    if amount is None:
        return None
    if "and a half" in ctx.text[ctx.start : ctx.end].lower():
        amount += 0.5
    granularity = _UNIT_GRANULARITY.get(unit, "day")
    if granularity == "time":
        granularity = "day"
    if anchor == "previous" and finer(base_granularity, granularity) and granularity in ("day", "week"):
        granularity = base_granularity if base_granularity not in ("time", "part_of_day") else "day"
    try:
        day = _shift_period(base, direction * amount, unit)
    except OverflowError:
        return None
    return _date_reading(day, granularity, anchor, mod)


def norm_rel_period(g: Parts, ctx: Context) -> Reading | None:
    """"last week", "this year", "earlier this month", "the following day", "that
    year", "the weekend", "the day before", "earlier in the year"."""
    unit = _unit_key(g["unit"])
    rel = _key(g.get("rel") or "")
    mod = _mod(g.get("dmod"), "date_modifiers")
    if g.get("off"):
        offset = -1 if _key(g["off"]) in ("before", "earlier") else 1
        base, anchor = ctx.anchor_day(True)
        return _period_reading(base, offset, unit, anchor, mod)
    if rel == "the" or (not rel and unit != "weekend"):
        # "the year" is the one the text is about; "the full year" in news is the
        # publication year
        base, anchor = ctx.anchor_day(not g.get("whole") or ctx.narrative)
        el = _key(g.get("el") or "")
        return _period_reading(base, 0, unit, anchor, mod or {"earlier": "START", "later": "END"}.get(el))
    if unit == "day" and rel in ("last", "the last", "past", "the past", "this", "current", "the current", "the latest", "the most recent", "present", "the present"):
        return None
    if unit == "decade" and rel in ("the past", "the last", "past"):
        return Reading("DURATION", "P10Y", mod, "publication", placement="back", place_on=ctx.dct)
    if unit == "weekend" and not rel:
        offset = 0
        base, anchor = ctx.anchor_day(False)
        monday = base - dt.timedelta(days=base.isoweekday() - 1)
        if base.isoweekday() < 6 and ctx.tense != "future":
            offset = -1
        return _date_reading(monday + dt.timedelta(days=7 * offset), "weekend", anchor, mod)
    offset, anaphoric = _relative_offset(rel, ctx)
    if unit == "day" and rel in ("the next",):
        anaphoric = True
    if unit in ("day",) and not anaphoric and rel not in ("the next", "next"):
        return None
    base, anchor = ctx.anchor_day(anaphoric)
    return _period_reading(base, offset, unit, anchor, mod)


def _period_reading(base: dt.date, offset: int, unit: str, anchor: str, mod: str | None) -> Reading | None:
    granularity = _UNIT_GRANULARITY.get(unit)
    if granularity is None or granularity == "time":
        return None
    try:
        day = _shift_period(base, offset, unit) if offset else base
    except OverflowError:
        return None
    return _date_reading(day, granularity, anchor, mod)


def _duration_parts(amount: float | None, unit: str) -> list[tuple[float | None, str]]:
    spec = lexicon()["units"][unit]
    code = spec["code"]
    if amount is None:
        vague = spec.get("vague")
        return [(None, vague or code if not spec.get("time") else "T" + code)]
    amount *= spec.get("count", 1)
    if spec.get("time"):
        whole = int(amount)
        parts = [(float(whole), "T" + code)] if whole else []
        rest = amount - whole
        if rest:
            smaller = {"H": (60, "TM"), "M": (60, "TS")}.get(code)
            if smaller:
                parts.append((round(rest * smaller[0]), smaller[1]))
            else:
                parts = [(amount, "T" + code)]
        return parts or [(0.0, "T" + code)]
    whole = int(amount)
    rest = amount - whole
    parts = [(float(whole), code)] if whole else []
    if rest:
        smaller = {"Y": (12, "M"), "M": (30, "D"), "W": (7, "D"), "D": (24, "TH"), "Q": (3, "M")}.get(code)
        if smaller:
            parts.append((round(rest * smaller[0]), smaller[1]))
        else:
            parts = [(amount, code)]
    return parts or [(0.0, code)]


def _is_age(g: Parts, ctx: Context) -> bool:
    """"a 6-year-old boy", "52 years old": an age, not a time expression."""
    if _key(g.get("old") or "").endswith("old"):
        return True
    return AGE_AFTER.match(ctx.text, ctx.end, ctx.end + 6) is not None


def _is_rate(g: Parts, ctx: Context) -> bool:
    """"$500 million a year", "four flights a week": a rate, not a duration."""
    if _key(g.get("num") or "") not in ("a", "an", "per") or g.get("the") or g.get("dir") or g.get("dmod"):
        return False
    return RATE_BEFORE.search(ctx.text[max(ctx.sentence_start, ctx.start - 30) : ctx.start]) is not None


def norm_duration(g: Parts, ctx: Context) -> Reading | None:
    """"two decades", "the past few years", "six months", "five-year", "the next 12 to
    18 months", "half an hour"; placed on the calendar when the text says where."""
    if g.get("vague_span"):
        return Reading("DURATION", "PXX", None, "absolute")
    unit_text = g.get("unit") or g.get("half_unit") or g.get("half_unit2")
    unit = _unit_key(unit_text)
    if unit not in lexicon()["units"]:
        return None
    if _is_age(g, ctx) or _is_rate(g, ctx):
        return None
    mod = _mod(g.get("dmod"), "duration_modifiers")
    vague_counts = lexicon()["vague_numbers"]
    vague_amount = 4.0
    if g.get("half_unit") or g.get("half_unit2"):
        amount: float | None = 0.5
    elif g.get("num2"):
        low, high = number_value(g["num"]), number_value(g["num2"])
        if low is None or high is None or high <= low:
            return None
        amount, vague_amount = None, high
    elif g.get("num"):
        amount = number_value(g["num"])
        if amount is None:
            return None
        if g.get("half"):
            amount += 0.5
    elif g.get("vague"):
        amount, vague_amount = None, float(vague_counts.get(_key(g["vague"]), 4))
    elif g.get("unit") and _key(g["unit"]) == unit:
        amount = 1.0  # a singular unit alone: "day-long"
    else:
        amount = None
    if amount is not None and (amount <= 0 or (amount >= 1000 and _key(unit_text) == unit)):
        return None  # "the 1988 quarter" is not 1988 quarters
    orso = _key(g.get("orso") or "")
    if orso == "or so":
        mod = mod or "APPROX"
    elif orso in ("or more", "or longer"):
        mod = mod or "EQUAL_OR_MORE"
    elif orso == "or less":
        mod = mod or "EQUAL_OR_LESS"
    value = duration_value(_duration_parts(amount, unit))
    reading = Reading("DURATION", value, mod, "absolute", vague_amount=vague_amount)
    _place(reading, g, ctx)
    return reading


def _place(reading: Reading, g: Parts, ctx: Context) -> None:
    """Where the text puts a duration: "the last/past N units" ends on the anchor day,
    "the next N units" starts there; a bare duration after "over/in/for/during" with
    no other date in its sentence ends on the anchor day (starts there in the future
    tense). Adjectives ("five-year") and ages are never placed."""
    if g.get("old") or g.get("each"):
        return
    direction = lexicon()["duration_directions"].get(_key(g.get("dir") or ""), None) if g.get("dir") else None
    if direction == "none":
        return
    if direction is None:
        if g.get("num") and PLAIN_DIGITS.fullmatch(g["num"]) is None and "-" in (ctx.text[ctx.start : ctx.end]):
            return
        before = ctx.text[max(ctx.sentence_start, ctx.start - 24) : ctx.start]
        if ctx.dates_in_sentence or not PLACING_WORDS.search(before):
            return
        direction = "forward" if ctx.tense == "future" else "back"
    base, anchor = ctx.anchor_day(False)
    reading.placement, reading.place_on, reading.anchor = direction, base, anchor


def norm_set(g: Parts, ctx: Context) -> Reading | None:
    """"every year", "each Thursday", "twice a week", "daily", "Tuesdays"."""
    lex = lexicon()
    if g.get("adverb"):
        if not compiled().function_word.match(ctx.text, ctx.end):
            return None  # an adjective: "its quarterly dividend", "daily flights"
        return Reading("SET", lex["set_adverbs"][_key(g["adverb"])])
    if g.get("weekday") or g.get("weekday_pl") or g.get("weekday_pl2"):
        n = weekday_number(g.get("weekday") or g.get("weekday_pl") or g.get("weekday_pl2"))
        part = g.get("part")
        suffix = f"T{lex['day_parts'][_key(part).rstrip('s')]}" if part else ""
        return Reading("SET", f"XXXX-WXX-{n}{suffix}")
    if g.get("month"):
        return Reading("SET", f"XXXX-{month_number(g['month']):02d}")
    if g.get("season"):
        return Reading("SET", f"XXXX-{lex['seasons'][_key(g['season'])]}")
    if g.get("part"):
        return Reading("SET", f"XXXX-XX-XXT{lex['day_parts'][_key(g['part'])]}")
    unit = _unit_key(g["unit"])
    if unit not in lex["units"]:
        return None
    amount = number_value(g["num"]) if g.get("num") else 1.0
    if amount is None:
        return None
    if g.get("other"):
        amount *= 2 if _key(g["other"]) == "other" else 1
    return Reading("SET", duration_value(_duration_parts(amount, unit)))


def norm_weekday(g: Parts, ctx: Context) -> Reading | None:
    """A weekday: see :func:`_weekday_date`."""
    day, anchor = _weekday_date(ctx, weekday_number(g["weekday"]))
    return _date_reading(day, "day", anchor, _mod(g.get("dmod"), "date_modifiers"))


def norm_ref(g: Parts, ctx: Context) -> Reading | None:
    """Words without a calendar value: PRESENT_REF, PAST_REF, FUTURE_REF."""
    if g.get("adjective"):
        return Reading("DATE", lexicon()["temporal_adjectives"][_key(g["adjective"])], None, "publication")
    if g.get("present"):
        return Reading("DATE", "PRESENT_REF", None, "publication")
    if g.get("past"):
        return Reading("DATE", "PAST_REF", None, "publication")
    return Reading("DATE", "FUTURE_REF", None, "publication")


def norm_year_end(g: Parts, ctx: Context) -> Reading | None:
    """"year-end", "by year-end", "since last year-end": the end of the year (mod
    END); "month's end": the end of the month."""
    rel = _key(g.get("rel") or "")
    if _key(g.get("unit") or "year") == "month":
        base, anchor = ctx.anchor_day(True)
        return _date_reading(base, "month", anchor, "END")
    if rel and rel != "the":
        year = ctx.dct.year + {"last": -1, "next": 1}.get(rel, 0)
    elif ctx.local_year() is not None:
        return Reading("DATE", f"{ctx.local_year():04d}", "END", "previous")
    else:
        # "since year-end" looks back to the last one, "by year-end" ahead
        year = ctx.dct.year - 1 if ctx.tense == "past" and not compiled().future_preposition.search(ctx.text, max(ctx.sentence_start, ctx.start - 20), ctx.start) else ctx.dct.year
    return Reading("DATE", f"{year:04d}", "END", "publication")


def norm_reject(g: Parts, ctx: Context) -> Reading | None:
    """Matched only so that its parts are not read as dates ("2012–13")."""
    return None


# Readings that a duration modifier ("about", "more than", "nearly") may qualify.
_QUANTIFIED_NORMS = {"offset", "duration", "clock"}


def attach_modifier(text: str, start: int, sentence_start: int, reading: Reading, norm: str) -> int:
    """Extend a span over the modifier right before it and set ``reading.mod``:
    "early 2020", "the end of the month", "mid-August" (date modifiers, for dates and
    times), "about two years ago", "more than four hours" (duration modifiers, for
    durations, clock times and offsets).

    Returns:
        The start of the span with its modifier.
    """
    patterns = compiled()
    lo = max(sentence_start, start - 40)
    if reading.type in ("DATE", "TIME"):
        m = patterns.date_modifier_before.search(text, lo, start)
        if m:
            reading.mod = reading.mod or _mod(m[0].rstrip(" -\t\n"), "date_modifiers")
            return m.start()
    if norm in _QUANTIFIED_NORMS:
        m = patterns.duration_modifier_before.search(text, lo, start)
        if m:
            reading.mod = reading.mod or _mod(m[0], "duration_modifiers")
            return m.start()
    return start


NORMALIZERS: dict[str, Callable[[Parts, Context], Reading | None]] = {
    "date": norm_date,
    "numeric_date": norm_numeric_date,
    "week_of": norm_week_of,
    "clock": norm_clock,
    "day_part": norm_day_part,
    "named": norm_named,
    "season": norm_season,
    "quarter": norm_quarter,
    "half": norm_half,
    "period": norm_period,
    "fiscal_year": norm_fiscal_year,
    "decade": norm_decade,
    "century": norm_century,
    "year": norm_year,
    "rel_day": norm_rel_day,
    "rel_named": norm_rel_named,
    "offset": norm_offset,
    "rel_period": norm_rel_period,
    "duration": norm_duration,
    "set": norm_set,
    "weekday": norm_weekday,
    "ref": norm_ref,
    "year_end": norm_year_end,
    "date_range": norm_date_range,
    "reject": norm_reject,
}
