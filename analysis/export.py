"""Exports a newsroom can use with no network: HTML, PNG, SVG, Vega-Lite JSON, TimelineJS.

* HTML: one self-contained page per chart, the Vega, Vega-Lite and vega-embed scripts
  inlined (from ``vl-convert-python``), so it opens from a disk or an intranet.
* PNG and SVG: rendered by vl-convert (no browser), the chart as it first appears.
* ``.vl.json``: the Vega-Lite specification with its data, for the Vega editor or a CMS.
* ``timeline.timelinejs.json``: the events (and figures) as TimelineJS slides, dated
  at the precision the text gives (a day, a month or a year), ready for a newsroom's
  TimelineJS page.

Dates are written from UTC calendar days, so the files are the same in every time zone.
"""

from __future__ import annotations

import html
import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import altair as alt
import pandas as pd
import vl_convert as vlc

from .charts import (
    chart_frame,
    conflicts_chart,
    days,
    event_timeline,
    figures_chart,
    interval_precision,
    load_conflicts,
    load_timeline,
    small_multiples,
)

__all__ = [
    "CHART_FORMATS",
    "ExportSummary",
    "chart_files",
    "export_run",
    "save_chart",
    "timelinejs",
    "vegalite_version",
    "write_timelinejs",
]

# Suffix of each chart format's file.
CHART_FORMATS: dict[str, str] = {"html": ".html", "png": ".png", "svg": ".svg", "json": ".vl.json"}
TIMELINEJS_FILE = "timeline.timelinejs.json"
PNG_SCALE = 2.0  # sharp on high-density screens and in print


def vegalite_version() -> str:
    """The Vega-Lite version of this Altair (``major.minor``), as vl-convert names it."""
    major, minor = alt.SCHEMA_VERSION.lstrip("v").split(".")[:2]
    wanted = f"{major}.{minor}"
    known = vlc.get_vegalite_versions()
    if wanted in known:
        return wanted
    # vl-convert older than this Altair: its newest Vega-Lite of the same major version.
    same_major = [v for v in known if v.split(".")[0] == major]
    if not same_major:
        raise RuntimeError(f"vl-convert-python knows no Vega-Lite {major}.x (has {', '.join(known)}); upgrade it")
    return max(same_major, key=lambda v: tuple(int(p) for p in v.split(".")))


def save_chart(chart: alt.TopLevelMixin, stem: str | os.PathLike, formats: Iterable[str] = CHART_FORMATS) -> list[Path]:
    """Write one chart in several formats: ``<stem>.html``, ``.png``, ``.svg``, ``.vl.json``.

    Args:
        chart: an Altair chart.
        stem: the path without suffix (its folder is created).
        formats: some of ``html``, ``png``, ``svg``, ``json``.

    Returns:
        The files written.

    Raises:
        ValueError: an unknown format.
    """
    formats = list(formats)
    unknown = [f for f in formats if f not in CHART_FORMATS]
    if unknown:
        raise ValueError(f"unknown chart format(s) {unknown}; choose from {', '.join(CHART_FORMATS)}")
    stem = Path(stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    spec = chart.to_dict()
    version = vegalite_version()
    written = []
    for fmt in formats:
        path = stem.with_name(stem.name + CHART_FORMATS[fmt])
        if fmt == "json":
            path.write_text(json.dumps(spec, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
        elif fmt == "html":
            page = vlc.vegalite_to_html(spec, vl_version=version, bundle=True)
            path.write_text(page, encoding="utf-8")
        elif fmt == "svg":
            path.write_text(vlc.vegalite_to_svg(spec, vl_version=version, allowed_base_urls=[]), encoding="utf-8")
        else:
            path.write_bytes(vlc.vegalite_to_png(spec, vl_version=version, scale=PNG_SCALE, allowed_base_urls=[]))
        written.append(path)
    return written


def _timelinejs_date(ts: pd.Timestamp, precision: str) -> dict[str, int]:
    date = {"year": int(ts.year)}
    if precision in ("month", "day"):
        date["month"] = int(ts.month)
    if precision == "day":
        date["day"] = int(ts.day)
    return date


def _slide_dates(time_start: pd.Timestamp, time_end: pd.Timestamp) -> dict[str, dict]:
    """TimelineJS ``start_date``/``end_date`` at the precision the interval has.

    TimelineJS end dates are inclusive; ours are half-open, so the end is the last day
    (month, year) inside. A single day, month or year has no end date.
    """
    precision = interval_precision(time_start, time_end)
    if precision == "open":
        return {"start_date": _timelinejs_date(time_start, "day")}
    if precision == "open_start":
        return {"start_date": _timelinejs_date(time_end - days(1), "day")}
    last = time_end - days(1)
    dates = {"start_date": _timelinejs_date(time_start, precision)}
    first_unit = _timelinejs_date(time_start, precision)
    last_unit = _timelinejs_date(last, precision)
    if last_unit != first_unit:
        dates["end_date"] = last_unit
    return dates


def _slide_id(item_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", str(item_id)).strip("-") or "item"


def _present(value) -> bool:
    return value is not None and not (isinstance(value, float) and pd.isna(value)) and value is not pd.NA


def timelinejs(timeline: pd.DataFrame, *, kinds: Iterable[str] = ("event", "claim"), title: str | None = None) -> dict:
    """A TimelineJS (v3) JSON document: one slide per dated event (and figure).

    Each slide has ``start_date`` (and ``end_date`` for spans) at the precision the text
    gives, ``display_date`` as a person writes it, a ``headline`` (the event's label, or
    the figure), a ``text`` with the sentence, source and speaker (HTML-escaped), and a
    ``group``: the event type, or the figure's category.

    Args:
        timeline: a timeline table (contract columns).
        kinds: which rows become slides: ``event`` and/or ``claim``.
        title: the title slide's headline.
    """
    kinds = list(kinds)
    frames = [chart_frame(timeline, kind=kind)[0] for kind in kinds]
    frame = pd.concat(frames, ignore_index=True) if frames else chart_frame(timeline)[0].iloc[0:0]
    frame = frame.sort_values(["draw_start", "kind", "doc_id", "start"], kind="stable")
    events = []
    for row in frame.itertuples(index=False):
        is_claim = row.kind == "claim"
        headline = row.label if _present(row.label) else (row.type if _present(row.type) else row.kind)
        said = f" ({row.speaker})" if _present(row.speaker) else ""
        body = []
        if _present(row.sentence):
            body.append(f"<p>“{html.escape(str(row.sentence))}”</p>")
        credit = html.escape(str(row.source)) + (f", {html.escape(str(row.speaker))}" if _present(row.speaker) else "")
        if _present(row.time_surface):
            credit += f"; dated from “{html.escape(str(row.time_surface))}”"
        body.append(f"<p>— {credit}</p>")
        group = row.category if is_claim and _present(row.category) else row.type
        slide = {
            **_slide_dates(row.time_start, row.time_end),
            "display_date": row.when,
            "text": {"headline": html.escape(f"{headline}{said}" if is_claim else str(headline)), "text": "".join(body)},
            "group": str(group) if _present(group) else ("figures" if is_claim else "events"),
            "unique_id": _slide_id(row.item_id),
        }
        events.append(slide)
    n_events = sum(1 for kind in frame["kind"] if kind == "event")
    n_claims = len(frame) - n_events
    n_sources = frame["source"].nunique()
    summary = f"{n_events} dated event{'s' if n_events != 1 else ''}"
    if "claim" in kinds:
        summary += f" and {n_claims} figure{'s' if n_claims != 1 else ''}"
    summary += f" from {n_sources} source{'s' if n_sources != 1 else ''}, as the articles tell them."
    return {
        "title": {"text": {"headline": html.escape(title or "What happened when"), "text": f"<p>{summary}</p>"}},
        "events": events,
    }


def write_timelinejs(timeline: pd.DataFrame, path: str | os.PathLike, **options) -> Path:
    """Write :func:`timelinejs` to ``path`` (UTF-8 JSON); options as for it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    document = timelinejs(timeline, **options)
    path.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def chart_files(timeline: pd.DataFrame, conflicts: pd.DataFrame) -> dict[str, alt.TopLevelMixin]:
    """The charts an export writes, by file stem."""
    return {
        "timeline": event_timeline(timeline),
        "figures": figures_chart(timeline, conflicts=conflicts),
        "conflicts": conflicts_chart(conflicts),
        "events_by_source": small_multiples(timeline, by="source", kind="event"),
        "figures_by_source": small_multiples(timeline, by="source", kind="claim"),
    }


@dataclass(slots=True)
class ExportSummary:
    """What an export wrote."""

    out_dir: str
    files: list[str] = field(default_factory=list)
    events: int = 0
    claims: int = 0

    def format(self) -> str:
        lines = [
            f"Charted {self.events:,} dated event(s) and {self.claims:,} figure(s); "
            f"wrote {len(self.files)} file(s) to {self.out_dir}/:"
        ]
        lines += [f"  {Path(f).name}" for f in self.files]
        return "\n".join(lines)


def export_run(
    tables_dir: str | os.PathLike = "data/processed",
    out_dir: str | os.PathLike = "data/charts",
    formats: Iterable[str] = (*CHART_FORMATS, "timelinejs"),
) -> ExportSummary:
    """Every chart of a run in every format, and the TimelineJS file.

    Args:
        tables_dir: the run's output folder (``python -m analysis run --out``).
        out_dir: where the files go (created).
        formats: some of ``html``, ``png``, ``svg``, ``json``, ``timelinejs``.

    Raises:
        FileNotFoundError: ``tables_dir`` holds no run.
        ValueError: an unknown format.
    """
    formats = list(formats)
    unknown = [f for f in formats if f not in CHART_FORMATS and f != "timelinejs"]
    if unknown:
        raise ValueError(f"unknown format(s) {unknown}; choose from {', '.join([*CHART_FORMATS, 'timelinejs'])}")
    timeline = load_timeline(tables_dir)
    conflicts = load_conflicts(tables_dir)
    out = Path(out_dir)
    summary = ExportSummary(out_dir=str(out))
    summary.events = len(chart_frame(timeline, kind="event")[0])
    summary.claims = len(chart_frame(timeline, kind="claim")[0])
    chart_formats = [f for f in formats if f in CHART_FORMATS]
    if chart_formats:
        for stem, chart in chart_files(timeline, conflicts).items():
            summary.files += [str(p) for p in save_chart(chart, out / stem, chart_formats)]
    if "timelinejs" in formats:
        summary.files.append(str(write_timelinejs(timeline, out / TIMELINEJS_FILE)))
    return summary
