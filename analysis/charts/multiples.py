"""Small multiples: one small panel per category, source or event type, on one time axis.

Panels share the time axis so they line up; each figure panel keeps its own value
scale (troops and dollars do not share an axis).
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from .encodings import empty_chart
from .figures import VALUE_TITLES, claim_frame, figure_panel, limit_claims
from .theme import color_scale, style
from .timeline import LANE_TITLES, event_layout, event_panel

__all__ = ["small_multiples"]

_PANEL_FIELDS = {"category", "source", "type", "speaker", "doc_id"}


def small_multiples(
    timeline: pd.DataFrame,
    by: str = "category",
    *,
    kind: str = "claim",
    columns: int = 2,
    max_panels: int = 12,
    max_items: int = 3000,
    width: int | None = None,
    height: int = 130,
    title: str | None = None,
) -> alt.ConcatChart | alt.Chart:
    """One panel per value of ``by``: figures (``kind="claim"``) or events (``"event"``).

    Figure panels are split by category too (``by="source"`` gives one panel per source
    and category), since only figures of one category share a value axis.

    Args:
        timeline: a timeline table (contract columns).
        by: the column that splits the panels: ``category``, ``source``, ``type``,
            ``speaker`` or ``doc_id``.
        kind: ``"claim"`` for figure panels, ``"event"`` for event strips (for events
            ``category`` means the event type).
        columns: panels per row.
        max_panels: draw the panels of the most frequent values only (the subtitle says
            how many were left out).
        max_items: draw at most this many figures or events in all (chosen as
            :func:`analysis.charts.figures_chart` and :func:`analysis.charts.event_timeline` do).
        width, height: size of each panel's plotting area in pixels.
        title: the chart title.

    Raises:
        ValueError: ``by`` or ``kind`` is not one of the values above.
    """
    if by not in _PANEL_FIELDS:
        raise ValueError(f"by must be one of {sorted(_PANEL_FIELDS)}, not {by!r}")
    if kind not in ("claim", "event"):
        raise ValueError(f"kind must be 'claim' or 'event', not {kind!r}")
    width = width or max(260, style()["width"] // columns - 40)
    noun = "figures" if kind == "claim" else "events"
    heading = title or f"{noun.capitalize()} by {LANE_TITLES.get(by, by).lower()}"
    if kind == "claim":
        frame, _ = claim_frame(timeline)
        frame = limit_claims(frame, max_items)
    else:
        # Events have no category: their type is what the contract's category is to claims.
        by = "type" if by == "category" else by
        lane = "type" if by != "type" else "source"
        frame, _, _, _ = event_layout(timeline, lane, labels=False, max_items=max_items, width=width)
    if frame.empty:
        return empty_chart(heading, f"No dated {noun} in this timeline.", width)
    frame = frame.assign(panel=frame[by].astype("string").fillna("unknown"))
    if kind == "claim" and by != "category":
        # Figures share a value axis only within a category: troops and dollars never do.
        frame["panel"] = frame["panel"] + " · " + frame["category"]
    counts = frame["panel"].value_counts(sort=True)
    shown = counts.index[:max_panels].tolist()
    panels = []
    if kind == "claim":
        for value in shown:
            part = frame[frame["panel"] == value]
            panels.append(
                figure_panel(
                    part,
                    title=f"{value} ({len(part):,})",
                    value_title=VALUE_TITLES.get(part["category"].iloc[0], VALUE_TITLES["other"]),
                    colour_values=frame["source"].tolist(),
                    shape_values=frame["source"].tolist(),
                    labels=False,
                    width=width,
                    height=height,
                )
            )
    else:
        colour = alt.Color("type:N", title="Event type", scale=color_scale("type", frame["type"].tolist()))
        for value in shown:
            part = frame[frame["panel"] == value]
            panels.append(
                event_panel(part, colour=colour, lane=lane, show_labels=False, width=width, title=f"{value} ({len(part):,})")
            )
    subtitle = [f"{len(frame):,} {noun} in {len(counts):,} panel{'s' if len(counts) != 1 else ''}, on one time axis."]
    if len(counts) > len(shown):
        subtitle.append(f"Showing the {len(shown)} largest of {len(counts)} panels.")
    return (
        alt.concat(*panels, columns=columns, spacing=24)
        .resolve_scale(x="shared", y="independent", color="shared", shape="shared")
        .properties(title=alt.Title(heading, subtitle=subtitle))
    )
