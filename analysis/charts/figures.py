"""Figures over time (claims) and figures that conflict.

A claim is drawn at the middle of the time it is about, at its value, with a line
across the whole span when that is longer than a day. Its bounds are drawn as the text
gives them: a vertical bar for a range ("5,000 to 6,000"), an arrow up from the bound
for an open upper side ("over 100,000", "at least 1,200"), an arrow down for an open
lower side ("less than 10,000", "up to 1,000"). A series told in one breath ("from over
100,000 ... to less than 10,000 ... and now to zero") is joined by steps in its order.
Marker shape and colour say the source; a red ring marks a figure that conflicts with
another source's figure for the same thing and time, and a dashed red line joins them.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from .encodings import (
    DESCRIPTION,
    TOOLTIP_SENTENCE_CHARS,
    description,
    empty_chart,
    panel_title,
    short_text,
    time_x,
    tooltip,
    value_format,
    value_scale,
)
from .frames import CONFLICT_COLUMNS, as_utc, chart_frame, figure_bounds, when_label, with_columns
from .theme import color_scale, style

__all__ = ["claim_frame", "conflicts_chart", "figure_panel", "figures_chart", "limit_claims"]

AUTO_LABEL_LIMIT = 12
LABEL_CHARS = 34
# What the value axis measures, by category (counts unless said here).
VALUE_TITLES = {"money": "Amount claimed", "percent": "Percent claimed", "other": "Number claimed"}
_CLAIM_TIPS = ["label", "when", "time_surface", "category", "source", "speaker", "sentence", "time_basis"]


def claim_frame(timeline: pd.DataFrame, categories=None) -> tuple[pd.DataFrame, int]:
    """The dated claims of a timeline (optionally of some categories), with their bounds
    (:func:`analysis.charts.frames.figure_bounds`), and how many had no date."""
    frame, undated = chart_frame(timeline, kind="claim")
    frame["category"] = frame["category"].astype("string").fillna(frame["type"].astype("string")).fillna("other")
    if categories is not None:
        wanted = [categories] if isinstance(categories, str) else list(categories)
        frame = frame[frame["category"].isin(wanted)]
    frame = frame[frame["value"].notna()].copy()
    frame = pd.concat([frame, figure_bounds(frame["value"], frame["low"], frame["high"])], axis=1)
    frame["conflict"] = frame["conflict"].astype("boolean").fillna(False).astype(bool)
    frame["sentence"] = short_text(frame["sentence"], TOOLTIP_SENTENCE_CHARS)
    frame["short_label"] = short_text(frame["label"].fillna(frame["category"]), LABEL_CHARS)
    frame["series_id"] = frame["series_id"].astype("string")
    frame["series_pos"] = pd.to_numeric(frame["series_pos"], errors="coerce")
    frame["time_mid"] = _spread_series(frame)
    frame["description"] = description(frame["label"].fillna(frame["category"]), frame["when"], frame["source"])
    return frame, undated


def _spread_series(frame: pd.DataFrame) -> pd.Series:
    """Where each figure is drawn in time. Figures of one series that are about the same
    span ("over the past few years, from over 100,000 ... to less than 10,000") are
    spread across it in series order, so the steps show the trend the text tells."""
    where = frame["time_mid"].copy()
    in_series = frame[frame["series_id"].notna() & ~frame["point"]]
    for _, group in in_series.groupby(["series_id", "draw_start", "draw_end"], sort=False):
        if len(group) < 2:
            continue
        group = group.sort_values("series_pos", kind="stable")
        span = group["draw_end"].iloc[0] - group["draw_start"].iloc[0]
        for rank, index in enumerate(group.index):
            where[index] = group["draw_start"].iloc[0] + span * (rank + 0.5) / len(group)
    return where


def limit_claims(frame: pd.DataFrame, max_items: int) -> pd.DataFrame:
    """At most ``max_items`` claims, chosen the same way every time: conflicting figures
    first, then members of series, then the rest spread evenly over time."""
    if len(frame) <= max_items:
        return frame
    key = frame.assign(_first=~frame["conflict"], _series=frame["series_id"].isna())
    key = key.sort_values(["_first", "_series", "draw_start", "item_id"], kind="stable")
    chosen = key[~(key["_first"] & key["_series"])].head(max_items)
    rest = key[key["_first"] & key["_series"]]
    room = max_items - len(chosen)
    if room > 0 and len(rest):
        picks = np.unique(np.linspace(0, len(rest) - 1, num=min(room, len(rest))).round().astype(int))
        chosen = pd.concat([chosen, rest.iloc[picks]])
    return frame.loc[chosen.index].sort_values("draw_start", kind="stable")


def _arrows(base: alt.Chart, x: alt.X, colour: alt.Color, arrow_px: int) -> list[alt.Chart]:
    """Open bounds: a short line and an arrowhead pointing away from the bound."""
    up = base.transform_filter("datum.open_up")
    down = base.transform_filter("datum.open_down")
    return [
        up.mark_rule(strokeWidth=1.5, y2Offset=-arrow_px).encode(x=x, y="lower:Q", y2="lower:Q", color=colour),
        up.mark_point(shape="triangle-up", filled=True, size=60, yOffset=-arrow_px)
        .encode(x=x, y="lower:Q", color=colour),
        down.mark_rule(strokeWidth=1.5, y2Offset=arrow_px).encode(x=x, y="upper:Q", y2="upper:Q", color=colour),
        down.mark_point(shape="triangle-down", filled=True, size=60, yOffset=arrow_px)
        .encode(x=x, y="upper:Q", color=colour),
    ]


def figure_panel(
    claims: pd.DataFrame,
    *,
    title: str,
    value_title: str = "Figure claimed",
    colour_field: str = "source",
    colour_values=None,
    shape_values=None,
    links: pd.DataFrame | None = None,
    labels: bool | None = None,
    width: int | None = None,
    height: int = 170,
) -> alt.LayerChart:
    """One panel of figures (prepared by :func:`claim_frame`) on a time axis.

    Args:
        claims: the claims to draw, all measuring the same kind of thing.
        title: the panel title (what is counted).
        value_title: the title of the value axis.
        colour_field: the column colour stands for (shape always stands for the source).
        colour_values, shape_values: the full domain, so panels share one legend.
        links: conflicting pairs to join (``time``, ``value_a``, ``value_b``, tooltip
            columns), or ``None``.
        labels: write each figure beside its marker; by default when there are at most 12.
        width, height: size of the plotting area in pixels.
    """
    theme = style()
    arrow_px = theme["open_bound_arrow_px"]
    show_labels = len(claims) <= AUTO_LABEL_LIMIT if labels is None else labels
    columns = [
        "item_id", "draw_start", "draw_end", "time_mid", "value", "lower", "upper", "open_up", "open_down",
        "ranged", "point", "label", "short_label", "when", "time_surface", "category", "source", "speaker",
        "sentence", "time_basis", "series_id", "series_pos", "conflict", "qualifier", "description",
    ]  # fmt: skip
    data = claims[columns]
    colour_values = colour_values if colour_values is not None else data[colour_field].tolist()
    shape_values = shape_values if shape_values is not None else data["source"].tolist()
    colour = alt.Color(f"{colour_field}:N", title=colour_field.capitalize(), scale=color_scale(colour_field, colour_values))
    shape = alt.Shape("source:N", title="Source", scale=alt.Scale(domain=list(dict.fromkeys(shape_values))))
    x = time_x("time_mid", "Date the figure is about", axis={"tickCount": 8})
    y_axis = alt.Axis(title=value_title, format=value_format(data["lower"], data["upper"]), tickCount=5)
    y = alt.Y("value:Q", axis=y_axis, scale=value_scale(data["lower"], data["upper"]))
    base = alt.Chart(data).encode(tooltip=tooltip(_CLAIM_TIPS), description=DESCRIPTION)

    layers = [
        base.transform_filter("!datum.point")
        .mark_rule(strokeWidth=2, opacity=0.45)
        .encode(x=time_x("draw_start", None), x2="draw_end:T", y=y, color=colour),
        base.transform_filter("isValid(datum.series_id)")
        .mark_line(interpolate="step-after", strokeDash=[4, 3], strokeWidth=1.5, color=theme["muted_color"])
        .encode(x=x, y=y, detail="series_id:N", order="series_pos:Q"),
        base.transform_filter("datum.ranged").mark_rule(strokeWidth=2).encode(x=x, y="lower:Q", y2="upper:Q", color=colour),
        *_arrows(base, x, colour, arrow_px),
    ]
    if links is not None and len(links):
        layers.append(
            alt.Chart(links)
            .mark_rule(color=theme["conflict_color"], strokeDash=[3, 3], strokeWidth=1.5)
            .encode(
                x=time_x("time", None),
                y="value_a:Q",
                y2="value_b:Q",
                tooltip=tooltip(["conflict", "when", "gap"]),
                description=alt.Description("conflict:N"),
            )
        )
    layers += [
        base.transform_filter("datum.conflict")
        .mark_point(size=260, strokeWidth=2.5, color=theme["conflict_color"], filled=False)
        .encode(x=x, y=y),
        base.mark_point(filled=True, size=80, opacity=1).encode(x=x, y=y, color=colour, shape=shape),
    ]
    if show_labels:
        layers.append(base.mark_text(align="left", dx=9, dy=-8, fontSize=10).encode(x=x, y=y, text="short_label:N"))
    width = width or theme["width"]
    return alt.layer(*layers).properties(title=panel_title(title, width), width=width, height=height)


def _conflict_links(conflicts: pd.DataFrame | None, categories, shown: set) -> pd.DataFrame | None:
    """Conflicting pairs whose figures are both ``shown``, as lines from one figure to
    the other at the overlap's start."""
    if conflicts is None or not len(conflicts):
        return None
    conflicts = with_columns(conflicts, CONFLICT_COLUMNS)
    links = conflicts[conflicts["claim_a"].isin(shown) & conflicts["claim_b"].isin(shown)].copy()
    links["time"] = as_utc(links["time_start"])
    links = links[links["time"].notna() & links["value_a"].notna() & links["value_b"].notna()]
    if categories is not None:
        wanted = [categories] if isinstance(categories, str) else list(categories)
        links = links[links["category"].isin(wanted)]
    if links.empty:
        return None
    links["when"] = [when_label(s, e) for s, e in zip(links["time"], as_utc(links["time_end"]))]
    links["conflict"] = [
        f"{sa or '?'} ({pa or 'the writer'}): {va:,.0f} vs {sb or '?'} ({pb or 'the writer'}): {vb:,.0f}"
        for sa, pa, va, sb, pb, vb in zip(
            links["source_a"], links["speaker_a"], links["value_a"], links["source_b"], links["speaker_b"], links["value_b"]
        )
    ]
    return links[["category", "time", "value_a", "value_b", "conflict", "when", "gap"]]


def figures_chart(
    timeline: pd.DataFrame,
    categories=None,
    *,
    conflicts: pd.DataFrame | None = None,
    labels: bool | None = None,
    title: str | None = None,
    width: int | None = None,
    panel_height: int = 170,
    max_items: int = 3000,
) -> alt.VConcatChart | alt.Chart:
    """Claimed figures over time: one panel per category, sharing the time axis.

    Args:
        timeline: a timeline table (contract columns; event rows are ignored).
        categories: a category or list of categories to draw (default: all, the most
            frequent first).
        conflicts: the run's ``conflicts`` table, to join conflicting figures.
        labels: write each figure beside its marker (default: when a panel has few).
        title: the chart title.
        width, panel_height: size of each panel's plotting area in pixels.
        max_items: draw at most this many figures (:func:`limit_claims` chooses them);
            the subtitle says how many were left out.

    Returns:
        An Altair chart; a chart saying there is nothing to draw when no claim has a
        date and a value.
    """
    frame, undated = claim_frame(timeline, categories)
    what = ", ".join([categories] if isinstance(categories, str) else categories) if categories else "all categories"
    if frame.empty:
        return empty_chart(title or "Figures over time", f"No dated figures ({what}) in this timeline.", width)
    total = len(frame)
    frame = limit_claims(frame, max_items)
    order = frame["category"].value_counts(sort=True).index.tolist()
    if categories is not None and not isinstance(categories, str):
        order = [c for c in categories if c in set(order)]
    links = _conflict_links(conflicts, categories, set(frame["item_id"]))
    sources = frame["source"].tolist()
    panels = []
    for category in order:
        claims = frame[frame["category"] == category]
        nouns = claims["noun"].dropna().astype("string").value_counts()
        noun = f" ({nouns.index[0]})" if len(nouns) and nouns.index[0] != category else ""
        panel_links = links[links["category"] == category] if links is not None else None
        panels.append(
            figure_panel(
                claims,
                title=f"{category}{noun}",
                value_title=VALUE_TITLES.get(category, VALUE_TITLES["other"]),
                colour_values=sources,
                shape_values=sources,
                links=panel_links,
                labels=labels,
                width=width,
                height=panel_height,
            )
        )
    n_sources = frame["source"].nunique()
    subtitle = [
        f"{len(frame):,} figure{'s' if len(frame) != 1 else ''} from {n_sources} source{'s' if n_sources != 1 else ''}. "
        "Bars: ranges; arrows: open bounds (over / less than / up to); dashed steps: a series in its order;",
        "lines across: the span a figure is about; red rings: figures that conflict with another source's. "
        "Hover a marker for its sentence.",
    ]
    if total > len(frame):
        subtitle.append(
            f"Showing {len(frame):,} of {total:,} figures: conflicts and series first, the rest spread over time."
        )
    if undated:
        subtitle.append(f"{undated:,} figure{'s' if undated != 1 else ''} without a date not shown.")
    return (
        alt.vconcat(*panels, spacing=28)
        .resolve_scale(x="shared", color="shared", shape="shared", y="independent")
        .properties(title=alt.Title(title or "Figures claimed over time", subtitle=subtitle))
    )


def _conflict_sides(conflicts: pd.DataFrame) -> pd.DataFrame:
    """Each conflict as two rows (its claims A and B) with their bounds."""
    conflicts = conflicts.copy()
    conflicts["when"] = [
        when_label(s, e) for s, e in zip(as_utc(conflicts["time_start"]), as_utc(conflicts["time_end"]))
    ]
    gaps = pd.to_numeric(conflicts["gap"], errors="coerce")
    conflicts["row"] = [
        f"{when} (gap {gap:,.0f})" if pd.notna(gap) else when for when, gap in zip(conflicts["when"], gaps)
    ]
    sides = []
    for side in ("a", "b"):
        part = pd.DataFrame(
            {
                "conflict_id": conflicts["conflict_id"],
                "category": conflicts["category"].astype("string").fillna("other"),
                "row": conflicts["row"],
                "when": conflicts["when"],
                "gap": pd.to_numeric(conflicts["gap"], errors="coerce"),
                "side": side.upper(),
                "source": conflicts[f"source_{side}"].astype("string").fillna("unknown source"),
                "speaker": conflicts[f"speaker_{side}"].astype("string"),
                "claim": conflicts[f"claim_{side}"],
                "value": pd.to_numeric(conflicts[f"value_{side}"], errors="coerce"),
                "low": conflicts[f"low_{side}"],
                "high": conflicts[f"high_{side}"],
            }
        )
        sides.append(part)
    long = pd.concat(sides, ignore_index=True)
    long = pd.concat([long, figure_bounds(long["value"], long["low"], long["high"])], axis=1)
    long["said"] = long["source"] + long["speaker"].map(lambda s: f" ({s})" if isinstance(s, str) else "")
    long["figure"] = [
        _figure_text(value, lower, upper, up, down, ranged)
        for value, lower, upper, up, down, ranged in zip(
            long["value"], long["lower"], long["upper"], long["open_up"], long["open_down"], long["ranged"]
        )
    ]
    long["caption"] = long["said"] + ": " + long["figure"]
    long["description"] = description(long["figure"], long["when"], long["said"])
    return long.drop(columns=["low", "high"])


def _figure_text(value: float, lower: float, upper: float, open_up: bool, open_down: bool, ranged: bool) -> str:
    """What a claim allows, in a few characters: ``≥ 1,200``, ``≤ 1,000``, ``5,000–6,000``."""
    if ranged:
        return f"{lower:,.0f}–{upper:,.0f}"
    if open_up:
        return f"≥ {lower:,.0f}"
    if open_down:
        return f"≤ {upper:,.0f}"
    return f"{value:,.0f}"


def conflicts_chart(
    conflicts: pd.DataFrame, *, title: str | None = None, width: int | None = None, max_conflicts: int = 200
) -> alt.VConcatChart | alt.Chart:
    """Figures that cannot both be true: each conflict's two claims side by side.

    One row per conflict (category and overlapping time), one line per claim showing
    the values its bounds allow (arrows where a bound is open), labelled with source
    and speaker; one panel per category so each has its own scale.

    Args:
        conflicts: the run's ``conflicts`` table (contract columns).
        title: the chart title.
        width: width of the plotting area in pixels.
        max_conflicts: draw at most this many conflicts, the widest gaps first.
    """
    theme = style()
    width = width or theme["width"]
    if conflicts is None or not len(conflicts):
        return empty_chart(title or "Conflicting figures", "No conflicting figures in this run.", width)
    conflicts = with_columns(conflicts, CONFLICT_COLUMNS)
    total = len(conflicts)
    if total > max_conflicts:
        gaps = pd.to_numeric(conflicts["gap"], errors="coerce").fillna(0)
        conflicts = conflicts.loc[gaps.sort_values(ascending=False, kind="stable").index[:max_conflicts]]
    sides = _conflict_sides(conflicts)
    sides = sides[sides["value"].notna()]
    if sides.empty:
        return empty_chart(title or "Conflicting figures", "No conflicting figures with values in this run.", width)
    arrow_px = theme["open_bound_arrow_px"]
    sources = sides["source"].tolist()
    colour = alt.Color("source:N", title="Source", scale=color_scale("source", sources))
    panels = []
    for category, part in sides.groupby("category", sort=True):
        rows = list(dict.fromkeys(part["row"]))
        base = alt.Chart(part).encode(
            y=alt.Y("row:N", title="Overlapping time", sort=rows, axis=alt.Axis(labelLimit=220)),
            yOffset=alt.YOffset("side:N", scale=alt.Scale(domain=["A", "B"])),
            tooltip=tooltip(["said", "figure", "when", "gap", "claim"]),
            description=DESCRIPTION,
        )
        scale = value_scale(part["lower"], part["upper"], headroom=0.25)
        axis = alt.Axis(format=value_format(part["lower"], part["upper"]))
        axis_title = f"{category}: the values each claim allows"
        x_lower = alt.X("lower:Q", scale=scale, axis=axis, title=axis_title)
        x_upper = alt.X("upper:Q", scale=scale, axis=axis, title=axis_title)
        x_value = alt.X("value:Q", scale=scale, axis=axis, title=axis_title)
        up = base.transform_filter("datum.open_up")
        down = base.transform_filter("datum.open_down")
        layers = [
            base.mark_rule(strokeWidth=3).encode(x=x_lower, x2="upper:Q", color=colour),
            up.mark_rule(strokeWidth=3, x2Offset=arrow_px).encode(x=x_upper, x2="upper:Q", color=colour),
            up.mark_point(shape="triangle-right", filled=True, size=90, xOffset=arrow_px).encode(x=x_upper, color=colour),
            down.mark_rule(strokeWidth=3, x2Offset=-arrow_px).encode(x=x_lower, x2="lower:Q", color=colour),
            down.mark_point(shape="triangle-left", filled=True, size=90, xOffset=-arrow_px).encode(x=x_lower, color=colour),
            base.mark_point(filled=True, size=80, opacity=1).encode(x=x_value, color=colour),
            base.mark_text(align="left", dx=arrow_px + 14, fontSize=10).encode(x=x_upper, text="caption:N"),
        ]
        height = max(60, len(rows) * 44)
        panels.append(alt.layer(*layers).properties(width=width, height=height, title=str(category)))
    subtitle = [
        f"{total:,} conflict{'s' if total != 1 else ''}: claims of the same category about "
        "overlapping time, from different sources or speakers, whose bounds cannot both hold.",
        "Lines: the values each claim allows (arrows: open-ended); dots: the figure as stated. Hover for the gap.",
    ]
    if total > len(conflicts):
        subtitle.append(f"Showing the {len(conflicts):,} widest of {total:,} conflicts.")
    return (
        alt.vconcat(*panels, spacing=28)
        .resolve_scale(x="independent", color="shared")
        .properties(title=alt.Title(title or "Conflicting figures", subtitle=subtitle))
    )
