"""Time expressions: find every date, time, duration and set, and resolve it.

Stage: ``(Document, sentences) -> list[Timex]``. One scan of the text finds the places
where a rule of ``lexicons/timex_rules.yaml`` can begin, and only those rules are tried
there, in priority order (:mod:`.patterns`); the match is read by its rule's
normaliser (:mod:`.normalize`) into a TIMEX3 type, value and mod, a modifier right
before it ("early", "about") is attached, and the value is laid on the calendar as a
half-open interval of days (:mod:`.values`) so that a chart can use it without
parsing the value.

Resolution follows news conventions (DESIGN.md): the publication date anchors "today",
weekdays, "last year" and "three years ago"; the last date the text gave anchors
"the following day", "that year" and "two days later", and in a history (see
:func:`is_narrative`) also months and days written without a year. Nothing reads the
clock.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import re
from dataclasses import dataclass, fields

from ..corpus import Document
from ..sentences import Sentence
from ..tables import rows_of
from .normalize import NORMALIZERS, Context, Parts, Reading, attach_modifier
from .patterns import compiled
from .values import canonical_value, parse_value, place_duration, value_granularity, value_interval

__all__ = ["Timex", "canonical_value", "extract_timexes", "is_narrative", "timex_rows", "timex_stage", "value_interval"]

TYPES = ("DATE", "TIME", "DURATION", "SET")

# Rules whose matches are dates for the "other dates in this sentence" test of
# duration placement.
_DATE_NORMS = {"date", "numeric_date", "week_of", "clock", "day_part", "named", "season", "quarter", "half", "period", "fiscal_year", "year", "rel_day", "rel_named", "offset", "rel_period", "weekday"}
# Granularities fine enough to anchor "the following day" and months without a year.
_REFERENCE_GRANULARITIES = {"year", "half", "season", "quarter", "month", "week", "weekend", "day", "part_of_day", "time"}
# Explicit years farther than this from the publication date make a text narrative.
NARRATIVE_YEARS = 2


@dataclass(frozen=True, slots=True)
class Timex:
    """One row of the ``timexes`` table.

    Attributes:
        timex_id: ``f"{doc_id}:t{n}"``, n from 0 in text order.
        doc_id, sent_idx, start, end, surface: where it is; ``surface`` is
            ``doc.text[start:end]``.
        type: DATE, TIME, DURATION or SET.
        value: TIMEX3 value (``2021-08-17``, ``2021-W33``, ``P20Y``, ``PXW``,
            ``PRESENT_REF``, ``XXXX-WXX-2``...).
        mod: TIMEX3 mod (START, END, MID, APPROX, BEFORE, AFTER, MORE_THAN, ...).
        anchor: how it was resolved: ``publication`` (from the publication date),
            ``previous`` (from the last date the text gave) or ``absolute``.
        interval_start, interval_end: the half-open span of days it covers, for
            charting; a START/MID/END mod narrows it to the first/middle/last third;
            a duration has one when the text places it ("the last two decades").
        granularity: day, week, month, quarter, season, half, year, decade, century,
            time, part_of_day, weekend (for durations, the unit).
    """

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


# A frozen dataclass's __init__ sets each field through object.__setattr__, four times
# slower than the slots' own setters; the stage makes a row per expression.
_TIMEX_FIELD_SETTERS = tuple(Timex.__dict__[f.name].__set__ for f in fields(Timex))


def _new_timex(*values) -> Timex:
    """A Timex from its field values in declaration order."""
    timex = object.__new__(Timex)
    for set_field, value in zip(_TIMEX_FIELD_SETTERS, values):
        set_field(timex, value)
    return timex


@dataclass(slots=True)
class _Match:
    start: int
    end: int
    rule: int
    sent_idx: int
    parts: re.Match


def _find(text: str, sentences: list[Sentence]) -> list[_Match]:
    """Every candidate span, leftmost first, never across sentences: the places where
    a rule can begin come from one scan; at each, the rules that can begin there are
    tried in priority order (what one pass of the whole ``finder`` would find)."""
    patterns = compiled()
    rules_for, match_rule = patterns.rules_for, patterns.matchers
    found = []
    ends = [s.end for s in sentences]
    resume = 0
    k = 0
    for place in patterns.starts.places(text):
        pos = place.end() - 1
        if pos < resume:
            continue
        while k < len(ends) and ends[k] <= pos:
            k += 1
        if k == len(ends):
            break
        sentence = sentences[k]
        if pos < sentence.start:
            continue
        for rule in rules_for(place[1]):
            m = match_rule[rule](text, pos, sentence.end)
            if m:
                found.append(_Match(pos, m.end(), rule, sentence.sent_idx, m))
                resume = m.end()
                break
    return found


# Expressions that count from the publication date: news, not history.
_PUBLICATION_NORMS = {"rel_day", "weekday", "rel_named", "day_part", "clock"}


def _explicit_years(text: str, matches: list[_Match]) -> tuple[list[int], int]:
    """Years written out in the text (BC years as negative), and how many
    expressions count from the publication date ("yesterday", "Tuesday")."""
    rules = compiled().rules
    years = []
    relative = 0
    for match in matches:
        rule = rules[match.rule]
        if rule.norm in _PUBLICATION_NORMS:
            relative += 1
        if rule.norm not in ("date", "year", "season", "quarter"):
            continue
        parts = Parts(match.parts, rule.parts)
        found = parts.get("year") or parts.get("year2")
        if found and found.isdigit():
            bc = "B" in (parts.get("era") or "").upper()
            years.append(-int(found) if bc else int(found))
    return years, relative


# A history names many years: at least this many far from the publication date.
NARRATIVE_MIN_YEARS = 8


def is_narrative(years: list[int], relative: int, published: dt.date) -> bool:
    """Whether a text tells a history: at least ``NARRATIVE_MIN_YEARS`` explicit years
    more than ``NARRATIVE_YEARS`` from the publication date, three in four of all its
    years, and three times as many as its expressions that count from the
    publication date. (A news story with a paragraph of background is not one.)"""
    far = sum(1 for y in years if abs(y - published.year) > NARRATIVE_YEARS)
    return far >= NARRATIVE_MIN_YEARS and far * 4 >= len(years) * 3 and far >= 3 * relative


# How far outside the middle half of a history's years a date still belongs to it.
STORY_MARGIN_YEARS = 5


def story_span(years: list[int]) -> tuple[int, int]:
    """The years a history is about: its middle half of explicit years, widened by
    ``STORY_MARGIN_YEARS`` ("Napoleon's 1812 campaign" in a history of 1919-1920 is a
    digression, not the story's date)."""
    ordered = sorted(years)
    low, high = ordered[len(ordered) // 4], ordered[(3 * len(ordered)) // 4]
    return low - STORY_MARGIN_YEARS, high + STORY_MARGIN_YEARS


def _narrow(start: dt.date, end: dt.date, mod: str | None) -> tuple[dt.date, dt.date]:
    """START/MID/END keep the first, middle or last third of a span longer than a day."""
    days = (end - start).days
    if days < 3 or mod not in ("START", "MID", "END"):
        return start, end
    third = days // 3
    if mod == "START":
        return start, start + dt.timedelta(days=third)
    if mod == "MID":
        return start + dt.timedelta(days=third), end - dt.timedelta(days=third)
    return end - dt.timedelta(days=third), end


def _interval(reading: Reading, dct: dt.date) -> tuple[dt.date, dt.date] | None:
    if reading.type in ("DATE", "TIME"):
        if reading.value == "PRESENT_REF":
            return _narrow(*value_interval(reading.value, dct), reading.mod)
        return _calendar_interval(reading.value, reading.mod)
    if reading.type == "DURATION" and reading.placement and reading.place_on:
        return place_duration(reading.value, reading.place_on, reading.placement, reading.vague_amount)
    return None


@functools.lru_cache(maxsize=4096)
def _calendar_interval(value: str | None, mod: str | None) -> tuple[dt.date, dt.date] | None:
    """The span of a calendar value, narrowed by its mod (values repeat in a corpus)."""
    span = value_interval(value)
    return _narrow(*span, mod) if span else None


def _granularity(reading: Reading) -> str | None:
    if reading.value == "PRESENT_REF":
        return "day"
    if reading.type == "SET":
        return None
    return value_granularity(reading.value)


def extract_timexes(doc: Document, sentences: list[Sentence]) -> list[Timex]:
    """The time expressions of a document, resolved against its publication date.

    Args:
        doc: the document (its ``published`` date anchors relative expressions).
        sentences: its sentences (:func:`analysis.split_sentences`).

    Returns:
        Timexes in text order, ``timex_id`` numbered from 0.
    """
    text = doc.text
    rules = compiled().rules
    matches = _find(text, sentences)
    if not matches:
        return []
    years, relative = _explicit_years(text, matches)
    ctx = Context(dct=doc.published, text=text, narrative=is_narrative(years, relative, doc.published))
    if ctx.narrative:
        ctx.story_years = story_span(years)
    dates_per_sentence: dict[int, int] = {}
    for match in matches:
        if rules[match.rule].norm in _DATE_NORMS:
            dates_per_sentence[match.sent_idx] = dates_per_sentence.get(match.sent_idx, 0) + 1
    sentence_starts = [s.start for s in sentences]
    out: list[Timex] = []
    for match in matches:
        rule = rules[match.rule]
        parts = match.parts
        sentence = sentences[bisect.bisect_right(sentence_starts, match.start) - 1]
        ctx.at(match.start, match.end, match.sent_idx, sentence.start, sentence.end, dates_per_sentence.get(match.sent_idx, 0))
        try:
            reading = NORMALIZERS[rule.norm](Parts(parts, rule.parts), ctx)
        except (ValueError, KeyError, OverflowError, TypeError):
            # a rule matched words its normaliser cannot read (an impossible date, a
            # number out of range): not a time expression, never a crash
            reading = None
        readings = reading if isinstance(reading, list) else [reading] if reading else []
        for reading in readings:
            if reading.type not in TYPES:
                continue
            start, end = reading.span or (match.start, match.end)
            if "span" in rule.parts and parts.start("span") >= 0:
                start, end = parts.span("span")
            start = attach_modifier(text, start, sentence.start, reading, rule.norm)
            _remember(ctx, reading, match.sent_idx)
            span = _interval(reading, doc.published)
            out.append(
                _new_timex(
                    f"{doc.doc_id}:t{len(out)}",  # timex_id
                    doc.doc_id,
                    match.sent_idx,
                    start,
                    end,
                    text[start:end],  # surface
                    reading.type,
                    reading.value,
                    reading.mod,
                    reading.anchor,
                    span[0] if span else None,  # interval_start
                    span[1] if span else None,  # interval_end
                    _granularity(reading),
                )
            )
    return out


def _remember(ctx: Context, reading: Reading, sent_idx: int) -> None:
    """A resolved date becomes the reference of later anaphora."""
    if reading.type not in ("DATE", "TIME") or not reading.remember:
        return
    if ctx.narrative and reading.anchor == "publication":
        return  # "today" in a history is the writer's day, not the story's
    period = parse_value(reading.value)
    if period is None or period.granularity not in _REFERENCE_GRANULARITIES:
        return
    if ctx.story_years and not ctx.story_years[0] <= period.start.year <= ctx.story_years[1]:
        return  # a digression to another era
    ctx.ref, ctx.ref_sent = period, sent_idx
    if period.granularity in ("quarter", "half") and period.start <= ctx.dct:
        # the period a financial report is about (a forecast for a later quarter is
        # not what "the year-ago period" compares with)
        ctx.ref_quarter = period


def timex_rows(timexes: list[Timex]) -> list[dict]:
    """Timexes as rows of the ``timexes`` table."""
    return rows_of(timexes)


def timex_stage(result) -> None:
    """Pipeline stage: sets ``result.timexes`` and adds the ``timexes`` rows."""
    result.timexes = extract_timexes(result.doc, result.sentences)
    result.add("timexes", timex_rows(result.timexes))
