"""TIMEX3 values as calendar periods: parse, format, shift, and intervals.

A calendar value names a period of the calendar at some granularity: ``2021`` (a year),
``2021-08`` (a month), ``2021-08-17`` (a day), ``2021-W33`` (an ISO week), ``2021-Q3``,
``2021-H1``, ``2021-SU`` (a season), ``202`` (a decade), ``20`` (a century),
``2021-08-17T10:35`` and ``2021-08-17TMO`` (a time, a part of a day), ``2021-W33-WE``
(a weekend). Its interval is the half-open span of days it covers. Durations
(``P20Y``, ``PXW``, ``PT5H30M``) have no interval of their own; :func:`place_duration`
lays one out from an anchor day.

Seasons are meteorological and northern: spring is March to May, summer June to August,
fall September to November, and winter ``Y-WI`` is December of ``Y`` to February of
``Y+1`` (the winter that begins in ``Y``).
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from dataclasses import dataclass

from .patterns import CALENDAR_VALUE, DURATION_PART, DURATION_VALUE, PADDED_DECADE, SHORT_WEEK

__all__ = [
    "GRANULARITY_ORDER",
    "Period",
    "canonical_value",
    "duration_value",
    "is_calendar_value",
    "parse_duration",
    "parse_value",
    "place_duration",
    "shift_date",
    "value_granularity",
    "value_interval",
]

# Coarse to fine; "finer than" comparisons use this order.
GRANULARITY_ORDER = [
    "millennium",
    "century",
    "decade",
    "year",
    "half",
    "season",
    "quarter",
    "month",
    "week",
    "weekend",
    "day",
    "part_of_day",
    "time",
]
_RANK = {g: i for i, g in enumerate(GRANULARITY_ORDER)}

SEASON_MONTHS = {"SP": 3, "SU": 6, "FA": 9, "WI": 12}
PART_OF_DAY_CODES = ("MO", "AF", "EV", "NI", "DT")



@dataclass(frozen=True, slots=True)
class Period:
    """A calendar period: its granularity and its half-open span of days."""

    granularity: str
    start: dt.date
    end: dt.date


def _add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by whole months, the day clamped to the month's length."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    if not 1 <= year <= 9999:
        raise OverflowError("year out of range")
    last = _month_length(year, month)
    return dt.date(year, month, min(day.day, last))


def _month_length(year: int, month: int) -> int:
    if month == 12:
        return 31
    return (dt.date(year, month + 1, 1) - dt.date(year, month, 1)).days


def shift_date(day: dt.date, amount: float, step: tuple[str, int]) -> dt.date:
    """``day`` moved by ``amount`` units, a unit being ``step`` = (kind, size) with kind
    ``years``, ``months``, ``days`` or ``seconds`` (``("years", 10)`` is a decade).

    Fractions of months and years move by whole months; seconds round up to days.

    Raises:
        OverflowError: the result is outside years 1..9999.
    """
    kind, size = step
    total = amount * size
    if kind == "years":
        return _add_months(day, round(total * 12))
    if kind == "months":
        return _add_months(day, round(total))
    if kind == "days":
        return day + dt.timedelta(days=round(total))
    days = math.ceil(abs(total) / 86400)
    return day + dt.timedelta(days=days if total >= 0 else -days)


@functools.lru_cache(maxsize=4096)
def parse_value(value: str | None) -> Period | None:
    """The period a TIMEX3 calendar value names, or ``None`` (durations, ``*_REF``,
    values with ``X``, BC years, impossible dates)."""
    if not value:
        return None
    m = CALENDAR_VALUE.match(value)
    if not m or m["bc"]:
        return None
    g = m.groupdict()
    try:
        if g["century"] is not None:
            c = int(g["century"])
            return Period("century", dt.date(max(1, c * 100), 1, 1), dt.date(c * 100 + 100, 1, 1))
        if g["decade"] is not None:
            d = int(g["decade"])
            return Period("decade", dt.date(max(1, d * 10), 1, 1), dt.date(d * 10 + 10, 1, 1))
        year = int(g["year"])
        if year < 1:
            return None
        if g["week"] is not None:
            monday = dt.date.fromisocalendar(year, int(g["week"]), 1)
            if g["weekend"]:
                return Period("weekend", monday + dt.timedelta(days=5), monday + dt.timedelta(days=7))
            return Period("week", monday, monday + dt.timedelta(days=7))
        if g["quarter"] is not None:
            first = dt.date(year, 3 * int(g["quarter"]) - 2, 1)
            return Period("quarter", first, _add_months(first, 3))
        if g["half"] is not None:
            first = dt.date(year, 6 * int(g["half"]) - 5, 1)
            return Period("half", first, _add_months(first, 6))
        if g["season"] is not None:
            first = dt.date(year, SEASON_MONTHS[g["season"]], 1)
            return Period("season", first, _add_months(first, 3))
        if g["month"] is not None:
            first = dt.date(year, int(g["month"]), 1)
            if g["day"] is None:
                return Period("month", first, _add_months(first, 1))
            day = dt.date(year, int(g["month"]), int(g["day"]))
            nxt = day + dt.timedelta(days=1)
            if g["part"]:
                return Period("part_of_day", day, nxt)
            if g["hour"] is not None:
                if int(g["hour"]) > 24 or (g["minute"] is not None and int(g["minute"]) > 59):
                    return None
                return Period("time", day, nxt)
            return Period("day", day, nxt)
        return Period("year", dt.date(year, 1, 1), dt.date(year + 1, 1, 1))
    except (ValueError, OverflowError):
        return None


def is_calendar_value(value: str | None) -> bool:
    """A concrete calendar value (``2021``, ``2021-W33``, ``BC0241``, ...): no ``X``,
    not a duration or a ``*_REF``. BC years count though they have no interval."""
    if not value:
        return False
    m = CALENDAR_VALUE.match(canonical_value(value))
    if not m:
        return False
    return bool(m["bc"]) or parse_value(canonical_value(value)) is not None


@functools.lru_cache(maxsize=4096)
def value_granularity(value: str | None) -> str | None:
    """Granularity of a calendar value (``year``, ``month``, ...), or of a duration's
    unit (``P20Y`` is ``year``, ``PT5H`` is ``time``); ``None`` when there is none."""
    if not value:
        return None
    period = parse_value(value)
    if period:
        return period.granularity
    if value.startswith("BC"):
        return "year"
    parts = parse_duration(value)
    if parts:
        unit = parts[0][1]
        return {"Y": "year", "M": "month", "W": "week", "D": "day", "Q": "quarter", "H": "time", "S": "time", "DE": "decade", "CE": "century", "ML": "millennium", "TM": "time"}.get(unit)
    return None


def value_interval(value: str | None, dct: dt.date | None = None) -> tuple[dt.date, dt.date] | None:
    """The half-open span of days a TIMEX3 value covers.

    Args:
        value: a TIMEX3 value (``2021-08``, ``2021-W33``, ``199``, ``PRESENT_REF``...).
        dct: the publication date, which ``PRESENT_REF`` stands for.

    Returns:
        ``(start, end)`` with ``end`` exclusive, or ``None`` for values that are not
        a calendar period (durations, ``PAST_REF``, values with ``X``).

    >>> value_interval("2021-08")
    (datetime.date(2021, 8, 1), datetime.date(2021, 9, 1))
    """
    if value == "PRESENT_REF" and dct is not None:
        return dct, dct + dt.timedelta(days=1)
    period = parse_value(value)
    return (period.start, period.end) if period else None


def canonical_value(value: str | None) -> str | None:
    """One spelling per meaning, for comparing values: decades and centuries written
    with trailing ``X`` (``199X``, ``19XX``) lose them, week numbers have two digits
    (``2000-W7`` is ``2000-W07``), and duration units ``DE``,
    ``CE``, ``ML`` (also TIMEX2 ``E``, ``C``, ``L``) become years (``P2DE`` is ``P20Y``)."""
    if value is None:
        return None
    value = value.strip()
    m = PADDED_DECADE.fullmatch(value)
    if m and len(value) == 4:
        return m[1]
    m = SHORT_WEEK.fullmatch(value)
    if m:
        return f"{m[1]}0{m[2]}{m[3]}"
    if value.startswith("P"):
        parts = parse_duration(value)
        if parts is not None:
            return duration_value(parts)
    return value


_YEAR_MULTIPLE = {"DE": 10, "E": 10, "CE": 100, "C": 100, "ML": 1000, "L": 1000}


def parse_duration(value: str | None) -> list[tuple[float | None, str]] | None:
    """The parts of a TIMEX3 duration: ``P2Y6M`` is ``[(2, "Y"), (6, "M")]``; time
    parts carry a ``T`` prefix (``PT5H`` is ``[(5, "TH")]``); ``X`` amounts are ``None``.
    Decades, centuries and millennia become years. ``None`` when not a duration."""
    if not value:
        return None
    m = DURATION_VALUE.match(value)
    if not m or not (m["date"] or m["time"]):
        return None
    parts: list[tuple[float | None, str]] = []
    for amount, unit in DURATION_PART.findall(m["date"] or ""):
        number = None if amount == "X" else float(amount)
        if unit in _YEAR_MULTIPLE:
            if number is None:
                parts.append((None, {"E": "DE", "C": "CE", "L": "ML"}.get(unit, unit)))
                continue
            number *= _YEAR_MULTIPLE[unit]
            unit = "Y"
        parts.append((number, unit))
    for amount, unit in DURATION_PART.findall(m["time"] or ""):
        parts.append((None if amount == "X" else float(amount), "T" + unit))
    return parts


def _number(amount: float | None) -> str:
    if amount is None:
        return "X"
    if float(amount).is_integer():
        return str(int(amount))
    return f"{amount:g}"


def duration_value(parts: list[tuple[float | None, str]]) -> str:
    """A TIMEX3 duration from parts (see :func:`parse_duration`)."""
    date_parts = "".join(_number(a) + u for a, u in parts if not u.startswith("T"))
    time_parts = "".join(_number(a) + u[1:] for a, u in parts if u.startswith("T"))
    return "P" + date_parts + ("T" + time_parts if time_parts else "")


_STEP_OF_UNIT = {
    "Y": ("years", 1),
    "DE": ("years", 10),
    "CE": ("years", 100),
    "ML": ("years", 1000),
    "Q": ("months", 3),
    "M": ("months", 1),
    "W": ("days", 7),
    "D": ("days", 1),
    "TH": ("seconds", 3600),
    "TM": ("seconds", 60),
    "TS": ("seconds", 1),
}


def place_duration(
    value: str, anchor: dt.date, direction: str, vague_amount: float = 4
) -> tuple[dt.date, dt.date] | None:
    """The span of days a duration covers when the text places it at ``anchor``.

    Args:
        value: a TIMEX3 duration (``P20Y``, ``PXW``).
        anchor: the day it ends on (``back``: "the last two decades") or starts on
            (``forward``: "the next two weeks").
        direction: ``back`` or ``forward``.
        vague_amount: how many units an ``X`` amount spans ("the past few years").

    Returns:
        ``(start, end)``, end exclusive; a ``back`` span includes the anchor day.
        ``None`` when the value is not a duration or the span leaves the calendar.
    """
    parts = parse_duration(value)
    if not parts:
        return None
    try:
        if direction == "back":
            start = anchor
            for amount, unit in parts:
                start = shift_date(start, -(vague_amount if amount is None else amount), _STEP_OF_UNIT[unit])
            return start, anchor + dt.timedelta(days=1)
        if direction == "forward":
            end = anchor
            for amount, unit in parts:
                end = shift_date(end, vague_amount if amount is None else amount, _STEP_OF_UNIT[unit])
            return anchor, max(end, anchor + dt.timedelta(days=1))
    except (OverflowError, KeyError):
        return None
    return None


def finer(a: str | None, b: str | None) -> bool:
    """Whether granularity ``a`` is finer than ``b``."""
    return _RANK.get(a or "", -1) > _RANK.get(b or "", -1)
