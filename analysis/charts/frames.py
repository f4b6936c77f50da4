"""The tables of a run made ready to chart: read, typed, dated in UTC, labelled.

Charts read the ``timeline`` table (events and claims on one time axis) and the
``conflicts`` table of a run (contracts in DESIGN.md). This module reads them from an
output folder, whatever the run wrote: a run made before the timeline stage existed
gets a timeline composed from its ``events`` and ``claims`` tables, and a run with
neither gets an empty timeline with the contract's columns, so every chart still draws
(an empty chart that says so).

Dates: the tables hold calendar dates (``date32``, ``datetime64`` after reading).
Vega reads a date-only string as UTC midnight but a date-time string without an offset
as *local* midnight, and formats in local time unless told otherwise, which moves a day
west of UTC. So every time column is made a UTC ``datetime64`` here, and every chart
encodes it on a ``utc`` scale with UTC formats: the same day in every time zone.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from ..storage import read_table, table_names
from ..tables import arrow_to_pandas
from .theme import style

__all__ = [
    "CONFLICT_COLUMNS",
    "TIMELINE_COLUMNS",
    "as_utc",
    "chart_frame",
    "compose_timeline",
    "days",
    "empty_timeline",
    "figure_bounds",
    "interval_precision",
    "load_conflicts",
    "load_timeline",
    "read_run_table",
    "when_label",
    "with_columns",
]

# The agreed columns of the timeline and conflicts tables (DESIGN.md, issue 5). Used
# only to give a run that lacks them an empty table of the right shape.
TIMELINE_COLUMNS: tuple[str, ...] = (
    "item_id", "kind", "doc_id", "sent_idx", "start", "end", "time_start", "time_end",
    "granularity", "time_surface", "time_basis", "label", "type", "category", "value",
    "low", "high", "qualifier", "noun", "source", "title", "published", "speaker",
    "quoted", "sentence", "series_id", "series_pos", "conflict", "n_mentions",
)  # fmt: skip
CONFLICT_COLUMNS: tuple[str, ...] = (
    "conflict_id", "category", "claim_a", "claim_b", "doc_a", "doc_b", "source_a",
    "source_b", "speaker_a", "speaker_b", "value_a", "value_b", "low_a", "high_a",
    "low_b", "high_b", "time_start", "time_end", "gap",
)  # fmt: skip

_TIME_COLUMNS = ("time_start", "time_end", "published")
_NUMBER_COLUMNS = ("value", "low", "high", "value_a", "value_b", "low_a", "high_a", "low_b", "high_b", "gap")
# English month names on purpose: strftime's %b follows the process locale, and a
# chart must read the same on every machine.
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# Every time column is datetime64[s] and every time step a Timedelta in seconds: pandas
# would otherwise widen sums to nanoseconds, which end in 2262 ("by 2300" must chart).
TIME_UNIT = "s"


def days(n: float) -> pd.Timedelta:
    """``n`` days as a Timedelta in the charts' time unit."""
    return pd.Timedelta(days=n).as_unit(TIME_UNIT)


_ONE_DAY = days(1)


def read_run_table(tables_dir: str | os.PathLike, name: str) -> pd.DataFrame | None:
    """One table of a run, or ``None`` when the run did not write it.

    The tables of a run are read as :func:`analysis.read_table` gives them (with the
    declared schema; ``timeline`` is a view). Parquet parts that are not (a newer or
    older run than this code, or a ``timeline`` another tool wrote) are read as the
    files say.
    """
    if name in table_names(tables_dir):
        return read_table(tables_dir, name)
    folder = Path(tables_dir) / name
    parts = sorted(folder.glob("part-*.parquet"))
    if not parts:
        return None
    frames = [arrow_to_pandas(pq.read_table(part)) for part in parts]
    return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]


def empty_timeline() -> pd.DataFrame:
    """A timeline with the contract's columns and no rows."""
    return with_columns(pd.DataFrame(), TIMELINE_COLUMNS)


def load_timeline(tables_dir: str | os.PathLike) -> pd.DataFrame:
    """The timeline of a run: its ``timeline`` table, else one composed from its
    ``events`` and ``claims`` tables, else an empty timeline.

    Args:
        tables_dir: the output folder of ``python -m analysis run`` (``data/processed``).

    Raises:
        FileNotFoundError: ``tables_dir`` holds no run (no ``documents`` table).
    """
    if read_run_table(tables_dir, "documents") is None and not (Path(tables_dir) / "timeline").is_dir():
        raise FileNotFoundError(
            f"{tables_dir}: no tables here; run `python -m analysis run ARTICLES --out {tables_dir}` "
            "(or the 01_extract notebook) first"
        )
    timeline = read_run_table(tables_dir, "timeline")
    if timeline is not None:
        return with_columns(timeline, TIMELINE_COLUMNS)
    names = ("documents", "sentences", "timexes", "events", "claims", "conflicts")
    return compose_timeline({name: read_run_table(tables_dir, name) for name in names})


def load_conflicts(tables_dir: str | os.PathLike) -> pd.DataFrame:
    """The ``conflicts`` table of a run, or an empty one with the contract's columns."""
    conflicts = read_run_table(tables_dir, "conflicts")
    return with_columns(conflicts if conflicts is not None else pd.DataFrame(), CONFLICT_COLUMNS)


def compose_timeline(tables: dict[str, pd.DataFrame | None]) -> pd.DataFrame:
    """A timeline (contract columns) from the fact tables of a run that has no timeline.

    Events count once per canonical event (the mention de-duplication kept); claims
    once each. Source, title and publication date come from ``documents``, the sentence
    from ``sentences``, the time expression as written from ``timexes``.

    Args:
        tables: frames by table name; absent tables may be ``None`` or missing.
    """
    parts = []
    events = tables.get("events")
    if events is not None and len(events):
        parts.append(_event_items(events))
    claims = tables.get("claims")
    if claims is not None and len(claims):
        parts.append(_claim_items(claims, tables.get("conflicts")))
    if not parts:
        return empty_timeline()
    items = pd.concat(parts, ignore_index=True)
    items = _join_context(items, tables)
    items = with_columns(items, TIMELINE_COLUMNS)
    return items.sort_values(["time_start", "kind", "doc_id", "start"], kind="stable", na_position="last").reset_index(
        drop=True
    )


def _event_items(events: pd.DataFrame) -> pd.DataFrame:
    if "canonical_id" in events:
        events = events[events["canonical_id"].isna() | (events["canonical_id"] == events["event_id"])]
    items = events.rename(columns={"event_id": "item_id"}).copy()
    items["kind"] = "event"
    items["label"] = _joined(items.get("actors"), items.get("trigger"))
    items["category"] = pd.NA
    return items


def _claim_items(claims: pd.DataFrame, conflicts: pd.DataFrame | None) -> pd.DataFrame:
    items = claims.rename(columns={"claim_id": "item_id"}).copy()
    items["kind"] = "claim"
    items["type"] = items.get("category")
    words = items["qualifier"].map(style()["qualifier_words"]) if "qualifier" in items else None
    items["label"] = _joined(_joined(words, items.get("surface")), items.get("noun"))
    in_conflict = set()
    if conflicts is not None and len(conflicts):
        in_conflict = set(conflicts["claim_a"].dropna()) | set(conflicts["claim_b"].dropna())
    items["conflict"] = items["item_id"].isin(in_conflict)
    items["n_mentions"] = 1
    return items


def _joined(first: pd.Series | None, second: pd.Series | None) -> pd.Series:
    """``first second`` per row, skipping missing parts (a short human label)."""
    pieces = [s.astype("string").fillna("") for s in (first, second) if s is not None]
    if not pieces:
        return pd.Series(dtype="string")
    label = pieces[0]
    for piece in pieces[1:]:
        label = label.str.cat(piece, sep=" ")
    return label.str.strip()


def _join_context(items: pd.DataFrame, tables: dict[str, pd.DataFrame | None]) -> pd.DataFrame:
    documents = tables.get("documents")
    if documents is not None and len(documents):
        docs = documents[["doc_id", "source", "title", "published"]].copy()
        docs["source"] = docs["source"].fillna(docs["title"]).fillna(docs["doc_id"])
        items = items.drop(columns=["source", "title", "published"], errors="ignore").merge(docs, on="doc_id", how="left")
    sentences = tables.get("sentences")
    if sentences is not None and len(sentences) and "sent_idx" in items:
        sents = sentences[["doc_id", "sent_idx", "text"]].rename(columns={"text": "sentence"})
        items = items.drop(columns=["sentence"], errors="ignore").merge(sents, on=["doc_id", "sent_idx"], how="left")
    timexes = tables.get("timexes")
    if timexes is not None and len(timexes) and "timex_id" in items:
        surfaces = timexes[["timex_id", "surface", "granularity"]].rename(
            columns={"surface": "time_surface", "granularity": "timex_granularity"}
        )
        items = items.drop(columns=["time_surface"], errors="ignore").merge(surfaces, on="timex_id", how="left")
        if "granularity" in items:
            items["granularity"] = items["granularity"].fillna(items["timex_granularity"])
        else:
            items["granularity"] = items["timex_granularity"]
    return items


def with_columns(frame: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    """``frame`` with at least ``columns`` (missing ones all null), contract columns first."""
    frame = frame.copy()
    for name in columns:
        if name not in frame:
            if name in _TIME_COLUMNS:
                frame[name] = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[s]")
            elif name in _NUMBER_COLUMNS:
                frame[name] = pd.Series(np.nan, index=frame.index, dtype="float64")
            else:
                frame[name] = pd.Series(pd.NA, index=frame.index, dtype="object")
    extra = [name for name in frame.columns if name not in columns]
    return frame[list(columns) + extra]


def as_utc(values) -> pd.Series:
    """Calendar dates as UTC ``datetime64`` (midnight UTC of the same calendar day).

    Accepts ``datetime64`` (naive or in any zone: the wall-clock date is kept, never
    converted), ``datetime.date`` objects or ISO strings. Unreadable values become NaT.
    """
    series = values if isinstance(values, pd.Series) else pd.Series(values)
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        series = series.dt.tz_localize(None)
    elif not pd.api.types.is_datetime64_dtype(series.dtype):
        series = pd.to_datetime(series.map(_as_date_text), errors="coerce", format="ISO8601")
        if isinstance(series.dtype, pd.DatetimeTZDtype):
            series = series.dt.tz_localize(None)
    return series.dt.as_unit(TIME_UNIT).dt.normalize().dt.tz_localize("UTC")


def _as_date_text(value) -> str | None:
    if value is None or value is pd.NaT or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return None
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None).date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def interval_precision(time_start: pd.Timestamp, time_end: pd.Timestamp) -> str:
    """How precisely a half-open interval is known: ``day``, ``month``, ``year`` (one or
    several whole units), ``open`` (no end), ``open_start`` (no start) or ``undated``."""
    if pd.isna(time_start):
        return "undated" if pd.isna(time_end) else "open_start"
    if pd.isna(time_end):
        return "open"
    if time_start.day == 1 and time_end.day == 1 and time_end > time_start:
        if time_start.month == 1 and time_end.month == 1:
            return "year"
        return "month"
    return "day"


def _day_text(ts: pd.Timestamp, with_year: bool = True) -> str:
    text = f"{ts.day} {_MONTHS[ts.month - 1]}"
    return f"{text} {ts.year}" if with_year else text


def _month_text(ts: pd.Timestamp, with_year: bool = True) -> str:
    return f"{_MONTHS[ts.month - 1]} {ts.year}" if with_year else _MONTHS[ts.month - 1]


def when_label(time_start: pd.Timestamp, time_end: pd.Timestamp) -> str:
    """A half-open interval as a person writes it: ``17 Aug 2021``, ``Aug 2021``,
    ``2001–2020``, ``14–31 Aug 2021``, ``from 11 Sep 2001``, ``until 2001``."""
    precision = interval_precision(time_start, time_end)
    if precision == "undated":
        return "undated"
    if precision == "open":
        return f"from {_day_text(time_start)}"
    if precision == "open_start":
        return f"until {_day_text(time_end - _ONE_DAY)}"
    last = time_end - _ONE_DAY  # half-open: the last day inside
    if precision == "year":
        return str(time_start.year) if last.year == time_start.year else f"{time_start.year}–{last.year}"
    if precision == "month":
        if (last.year, last.month) == (time_start.year, time_start.month):
            return _month_text(time_start)
        if last.year == time_start.year:
            return f"{_month_text(time_start, False)} – {_month_text(last)}"
        return f"{_month_text(time_start)} – {_month_text(last)}"
    if last <= time_start:
        return _day_text(time_start)
    if (last.year, last.month) == (time_start.year, time_start.month):
        return f"{time_start.day}–{_day_text(last)}"
    if last.year == time_start.year:
        return f"{_day_text(time_start, False)} – {_day_text(last)}"
    return f"{_day_text(time_start)} – {_day_text(last)}"


def chart_frame(timeline: pd.DataFrame, kind: str | None = None) -> tuple[pd.DataFrame, int]:
    """Timeline rows ready for a chart, and how many rows were left out for lack of a date.

    Keeps the rows of one ``kind`` (``"event"``/``"claim"``, or all), makes the time
    columns UTC ``datetime64``, adds ``when`` (the resolved time as text),
    ``draw_start``/``draw_end`` (where the mark begins and ends: an open bound runs to
    the edge of the data's time range) and ``open_start``/``open_end``, ``point`` (a
    single day, drawn as a point rather than a bar) and ``source`` (never null).
    """
    frame = with_columns(timeline, TIMELINE_COLUMNS)
    if kind is not None:
        frame = frame[frame["kind"].astype("string") == kind]
    frame = frame.copy()
    for name in _TIME_COLUMNS:
        frame[name] = as_utc(frame[name])
    undated = frame["time_start"].isna() & frame["time_end"].isna()
    frame = frame[~undated].copy()
    frame["when"] = [when_label(s, e) for s, e in zip(frame["time_start"], frame["time_end"])]
    frame["open_start"] = frame["time_start"].isna()
    frame["open_end"] = frame["time_end"].isna()
    known = pd.concat([frame["time_start"], frame["time_end"]]).dropna()
    if len(known):
        low, high = known.min(), known.max()
        high = max(high, low + days(30))
        frame["draw_start"] = frame["time_start"].fillna(low)
        frame["draw_end"] = frame["time_end"].fillna(high)
    else:
        frame["draw_start"] = frame["time_start"]
        frame["draw_end"] = frame["time_end"]
    frame["point"] = (frame["draw_end"] - frame["draw_start"] <= _ONE_DAY) & ~frame["open_end"] & ~frame["open_start"]
    frame["time_mid"] = frame["draw_start"] + (frame["draw_end"] - frame["draw_start"]) / 2
    frame["time_mid"] = frame["time_mid"].where(~frame["point"], frame["draw_start"])
    for name in ("source", "title", "doc_id"):
        frame[name] = frame[name].astype("string")
    frame["source"] = frame["source"].fillna(frame["title"]).fillna(frame["doc_id"]).fillna("unknown source")
    for name in ("value", "low", "high"):
        frame[name] = pd.to_numeric(frame[name], errors="coerce").astype("float64")
    frame = frame.sort_values(["draw_start", "kind", "doc_id", "start"], kind="stable").reset_index(drop=True)
    return frame, int(undated.sum())


def figure_bounds(value: pd.Series, low: pd.Series, high: pd.Series) -> pd.DataFrame:
    """What a figure's bounds allow, for drawing: ``lower``/``upper`` (the value where a
    bound is missing), ``open_up`` ("over 100,000": a low bound and no high one),
    ``open_down`` ("less than 10,000", "up to 1,000": a high bound and no low one) and
    ``ranged`` (two different bounds: "5,000 to 6,000")."""
    value = pd.to_numeric(value, errors="coerce").astype("float64")
    low = pd.to_numeric(low, errors="coerce").astype("float64")
    high = pd.to_numeric(high, errors="coerce").astype("float64")
    return pd.DataFrame(
        {
            "lower": low.fillna(value),
            "upper": high.fillna(value),
            "open_up": low.notna() & high.isna(),
            "open_down": high.notna() & low.isna(),
            "ranged": low.notna() & high.notna() & (low != high),
        },
        index=value.index,
    )
