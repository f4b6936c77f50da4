"""The event timeline: what happened when, one mark per event, zoomable to a day.

Points for events known to the day, bars from ``time_start`` to ``time_end`` for spans
(half-open, so a bar ends where the next day begins), an arrow where a span has no
end or no start. Rows are lanes (source or event type); marks that would overlap in a
lane, labels included, go on separate rows of that lane. An overview strip under the
chart shows the whole time range; dragging across it zooms the chart above, so twenty
years and a single day are both readable.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from .encodings import (
    DESCRIPTION,
    TOOLTIP_SENTENCE_CHARS,
    description,
    empty_chart,
    label_extent,
    panel_title,
    short_text,
    time_x,
    tooltip,
)
from .frames import as_utc, chart_frame, days
from .theme import color_scale, style

__all__ = ["LANE_TITLES", "event_layout", "event_panel", "event_timeline", "pack_rows"]

LANE_TITLES = {"source": "Source", "type": "Event type", "speaker": "Said by", "doc_id": "Article"}
LABEL_CHARS = 42
AUTO_LABEL_LIMIT = 30
# What a laid-out event carries into the chart (the chart's data: nothing else is sent).
EVENT_COLUMNS = [
    "item_id", "doc_id", "draw_start", "draw_end", "label_at", "when", "time_surface", "label", "short_label",
    "type", "source", "speaker", "sentence", "time_basis", "n_mentions", "point", "open_start", "open_end",
    "lane", "row", "reach_start", "reach_end", "label_left", "description",
]  # fmt: skip


def pack_rows(frame: pd.DataFrame, lane: str, reach_start: str, reach_end: str) -> pd.Series:
    """A row number per item so that items of one lane whose reach overlaps (the stretch
    of time their mark and label cover, ``[reach_start, reach_end)``) get different
    rows; first-fit in time order, so rows stay few.
    """
    rows = pd.Series(0, index=frame.index, dtype="int64")
    for _, group in frame.groupby(lane, sort=False, dropna=False):
        row_ends: list[pd.Timestamp] = []
        for index, begin, end in zip(group.index, group[reach_start], group[reach_end]):
            for row, row_end in enumerate(row_ends):
                if row_end <= begin:
                    row_ends[row] = end
                    rows[index] = row
                    break
            else:
                rows[index] = len(row_ends)
                row_ends.append(end)
    return rows


def _limit(frame: pd.DataFrame, max_items: int) -> pd.DataFrame:
    """The ``max_items`` most-mentioned events (then the earliest), in time order."""
    if len(frame) <= max_items:
        return frame
    mentions = pd.to_numeric(frame["n_mentions"], errors="coerce").fillna(1)
    keep = frame.assign(_mentions=mentions).sort_values(["_mentions", "draw_start"], ascending=[False, True], kind="stable")
    return keep.head(max_items).drop(columns="_mentions").sort_values("draw_start", kind="stable")


def _layout(frame: pd.DataFrame, lane: str, show_labels: bool, width: int) -> pd.DataFrame:
    """Lanes, rows and where labels go: after a point or a closed bar, unless that would
    run past the last date (then before it, as for an open-ended bar, whose end is the
    edge of the data)."""
    frame = frame.copy()
    frame["lane"] = frame[lane].astype("string").fillna("unknown")
    frame["short_label"] = short_text(frame["label"].fillna(frame["type"]), LABEL_CHARS)
    first, last = frame["draw_start"].min(), frame["draw_end"].max()
    span = max(last - first, days(1))
    # Room for labels at the edges widens the axis, and a wider axis makes every label
    # cover more time: a few rounds settle it.
    for _ in range(4):
        extent = label_extent(frame["short_label"], span, width) if show_labels else days(0)
        mark_extent = pd.Timedelta(seconds=round(span.total_seconds() * 8 / width)).as_unit("s")  # about 8 px
        after = frame["draw_end"].where(~frame["point"], frame["draw_start"])
        frame["label_left"] = frame["open_end"] | ((after + extent > last) & (frame["draw_start"] - extent >= first))
        frame["label_at"] = after.where(~frame["label_left"], frame["draw_start"])
        frame["reach_start"] = (frame["draw_start"] - extent).where(frame["label_left"], frame["draw_start"])
        frame["reach_end"] = (after + extent).where(~frame["label_left"], frame["draw_end"])
        frame["reach_end"] = frame[["reach_end", "draw_end"]].max(axis=1) + mark_extent
        wider = frame["reach_end"].max() - frame["reach_start"].min()
        if wider <= span * 1.01:
            break
        span = wider
    frame["row"] = pack_rows(frame, "lane", "reach_start", "reach_end")
    return frame


def event_layout(
    timeline: pd.DataFrame, lane: str, *, labels: bool | None = None, max_items: int = 2000, width: int = 720
) -> tuple[pd.DataFrame, int, int, bool]:
    """The dated events of a timeline laid out in lanes and rows.

    Returns:
        The events (at most ``max_items``, the most-mentioned) with ``lane``, ``row``
        and ``label_at`` columns; how many dated events there were; how many had no
        date; whether labels are drawn.
    """
    frame, undated = chart_frame(timeline, kind="event")
    if frame.empty:
        return frame, 0, undated, False
    total = len(frame)
    frame = _limit(frame, max_items)
    show_labels = len(frame) <= AUTO_LABEL_LIMIT if labels is None else labels
    frame = _layout(frame, lane, show_labels, width)
    frame["sentence"] = short_text(frame["sentence"], TOOLTIP_SENTENCE_CHARS)
    frame["description"] = description(frame["label"].fillna(frame["type"]), frame["when"], frame["source"])
    return frame[EVENT_COLUMNS], total, undated, show_labels


def event_panel(
    data: pd.DataFrame,
    *,
    colour: alt.Color,
    lane: str,
    show_labels: bool,
    width: int,
    zoom: alt.Parameter | None = None,
    title: str | None = None,
) -> alt.LayerChart:
    """Events (laid out by :func:`event_layout`) as points, bars and arrows in lanes.

    Args:
        data: the laid-out events.
        colour: the colour channel.
        lane: the column the lanes stand for (for the axis title).
        show_labels: write each event's label beside its mark.
        width: width of the plotting area in pixels.
        zoom: an interval selection whose range becomes the time axis, or ``None``.
        title: a panel title.
    """
    theme = style()
    # One band per row of each lane, so a lane is as tall as its rows need; the lane's
    # name labels its first row only.
    data = data.assign(slot=data["lane"].str.replace("|", "¦", regex=False) + "|" + data["row"].astype(str))
    slots = data.sort_values(["row"], kind="stable").drop_duplicates("slot")
    lane_order = {name: i for i, name in enumerate(dict.fromkeys(data["lane"]))}
    slots = slots.assign(_lane=slots["lane"].map(lane_order)).sort_values(["_lane", "row"], kind="stable")["slot"].tolist()
    height = min(theme["max_height"], max(60, len(slots) * theme["lane_row_px"] + 20))
    axis = alt.Axis(
        labelLimit=160,
        labelExpr="split(datum.label, '|')[1] == '0' ? split(datum.label, '|')[0] : ''",
        ticks=False,
        grid=False,
    )
    lane_title = LANE_TITLES.get(lane, lane)
    y = alt.Y("slot:N", title=lane_title, sort=slots, axis=axis, scale=alt.Scale(paddingInner=0.1))
    tips = tooltip(["label", "when", "time_surface", "type", "source", "speaker", "sentence", "time_basis", "n_mentions"])
    x = time_x("draw_start", "Date (as resolved from the text)", domain=zoom)
    base = alt.Chart(data).encode(y=y, tooltip=tips, description=DESCRIPTION)
    bar_px = max(4, min(10, theme["lane_row_px"] - 6))
    # A faint line above each lane but the first, so rows are read as their lane's.
    firsts = pd.DataFrame({"slot": [slot for slot in slots if slot.endswith("|0")][1:]})
    separators = alt.Chart(firsts).mark_rule(color=theme["separator_color"], strokeWidth=1, aria=False)
    layers = [
        separators.encode(y=alt.Y("slot:N", sort=slots, bandPosition=0, axis=axis, title=lane_title)),
        base.transform_filter("!datum.point")
        .mark_bar(clip=True, height=bar_px, opacity=0.85)
        .encode(x=x, x2="draw_end:T", color=colour),
        base.transform_filter("datum.open_end")
        .mark_point(clip=True, shape="triangle-right", filled=True, size=110)
        .encode(x=time_x("draw_end", None, domain=zoom), color=colour),
        base.transform_filter("datum.open_start")
        .mark_point(clip=True, shape="triangle-left", filled=True, size=110)
        .encode(x=x, color=colour),
        base.transform_filter("datum.point")
        .mark_point(clip=True, filled=True, size=90, opacity=1)
        .encode(x=x, color=colour),
    ]
    if show_labels:
        # Invisible marks at both ends of every label's reach, so the time axis makes
        # room for the labels at the edges instead of cutting them off.
        layers += [
            base.mark_point(opacity=0, aria=False).encode(x=time_x(end, None, domain=zoom), tooltip=alt.value(None))
            for end in ("reach_start", "reach_end")
        ]
        label_x = time_x("label_at", None, domain=zoom)
        layers.append(
            base.transform_filter("!datum.label_left")
            .mark_text(clip=True, align="left", dx=8, fontSize=10)
            .encode(x=label_x, text="short_label:N")
        )
        layers.append(
            base.transform_filter("datum.label_left")
            .mark_text(clip=True, align="right", dx=-8, fontSize=10)
            .encode(x=label_x, text="short_label:N")
        )
    chart = alt.layer(*layers).properties(width=width, height=height)
    return chart.properties(title=panel_title(title, width)) if title else chart


def _initial_zoom(zoom_to: tuple | None) -> dict | None:
    """The brush's opening value: UTC date-times, so it is the same days in every zone."""
    if zoom_to is None:
        return None
    first, last = as_utc(pd.Series(list(zoom_to)))
    if pd.isna(first) or pd.isna(last) or last < first:
        raise ValueError(f"zoom_to must be two dates, the first not after the last: {zoom_to!r}")
    last = last + days(1)  # the last day is included: zoom to its end
    return {"x": [alt.DateTime(year=t.year, month=t.month, date=t.day, utc=True) for t in (first, last)]}


def event_timeline(
    timeline: pd.DataFrame,
    *,
    color: str = "type",
    lane: str | None = None,
    labels: bool | None = None,
    max_items: int = 2000,
    title: str | None = None,
    width: int | None = None,
    zoom_to: tuple | None = None,
) -> alt.VConcatChart | alt.Chart:
    """The events of a timeline on a time axis, with an overview strip that zooms it.

    Args:
        timeline: a timeline table (contract columns; claims rows are ignored). Dates
            may be ``datetime64``, ``datetime.date`` or ISO strings.
        color: colour marks by ``"type"`` (event type) or ``"source"``.
        lane: the rows of the chart; by default the one of source and type that is not
            the colour (type when there is one source).
        labels: write each event's label beside its mark; by default when there are at
            most 30 events.
        max_items: draw at most this many events (the most-mentioned ones); the subtitle
            says how many were left out.
        title: the chart title (a default says what is shown).
        width: width in pixels of the plotting area.
        zoom_to: ``(first, last)`` dates (strings, dates or timestamps) the chart opens
            zoomed to, as if that stretch were brushed in the strip (static exports show
            it too); by default the whole range.

    Returns:
        An Altair chart; a chart saying there is nothing to draw when no event has a date.
    """
    theme = style()
    width = width or theme["width"]
    if lane is None:
        # Lanes by source when colour is the type, unless one source would make one
        # crowded lane: then lanes by type too.
        sources = timeline["source"].nunique(dropna=True) if "source" in timeline else 0
        lane = "source" if color != "source" and sources > 1 else "type"
    frame, total, undated, show_labels = event_layout(timeline, lane, labels=labels, max_items=max_items, width=width)
    if frame.empty:
        note = f" ({undated} without a date)" if undated else ""
        return empty_chart(title or "Event timeline", f"No dated events in this timeline{note}.", width)
    data = frame

    n_sources = frame["source"].nunique()
    subtitle = [
        f"{len(frame):,} event{'s' if len(frame) != 1 else ''} from {n_sources} source{'s' if n_sources != 1 else ''}; "
        f"colour: {LANE_TITLES.get(color, color).lower()}, rows: {LANE_TITLES.get(lane, lane).lower()}. "
        "Points are single days, bars are spans, arrows are open ends.",
        "Drag across the strip at the bottom to zoom in (double-click to reset); hover a mark for its sentence.",
    ]
    if total > len(frame):
        subtitle.append(f"Showing the {len(frame):,} most-mentioned of {total:,} events.")
    if undated:
        subtitle.append(f"{undated:,} event{'s' if undated != 1 else ''} without a date not shown.")

    zoom = alt.selection_interval(encodings=["x"], name="zoom", value=_initial_zoom(zoom_to))
    colours = color_scale(color, data[color].tolist())
    colour = alt.Color(f"{color}:N", title=LANE_TITLES.get(color, color), scale=colours)
    detail = event_panel(data, colour=colour, lane=lane, show_labels=show_labels, width=width, zoom=zoom)

    overview_x = time_x("draw_start", "Whole time range: drag here to zoom", axis={"tickCount": 10})
    overview_base = alt.Chart(data).encode(color=colour, description=DESCRIPTION)
    overview = (
        alt.layer(
            overview_base.transform_filter("!datum.point")
            .mark_bar(height=6, opacity=0.6)
            .encode(x=overview_x, x2="draw_end:T"),
            overview_base.transform_filter("datum.point").mark_tick(thickness=2, size=18).encode(x=overview_x),
        )
        .add_params(zoom)
        .properties(width=width, height=theme["overview_height"])
    )
    return (
        alt.vconcat(detail, overview, spacing=12)
        .resolve_scale(color="shared")
        .properties(title=alt.Title(title or "What happened when", subtitle=subtitle))
    )
