"""Pieces every chart shares: the UTC time axis, tooltips, the empty chart, limits."""

from __future__ import annotations

import altair as alt
import pandas as pd

from .theme import style

__all__ = [
    "DESCRIPTION",
    "TOOLTIP_SENTENCE_CHARS",
    "description",
    "empty_chart",
    "label_extent",
    "panel_title",
    "short_text",
    "time_x",
    "tooltip",
    "utc_scale",
    "value_format",
    "value_scale",
]

TOOLTIP_SENTENCE_CHARS = 280
# Approximate width of one character of an 11 px label, for keeping labels apart.
_CHAR_PX = 6.2

# Tooltip fields in the order a reader wants them: what, when, who, where from.
_TOOLTIP_TITLES = {
    "label": "What",
    "when": "When (resolved)",
    "time_surface": "When (as written)",
    "type": "Type",
    "category": "Category",
    "figure": "Figure",
    "source": "Source",
    "speaker": "Said by",
    "sentence": "Sentence",
    "time_basis": "Dated by",
    "n_mentions": "Mentions",
}


TIME_PADDING_PX = 14


def utc_scale(**kwargs) -> alt.Scale:
    """A time scale read and labelled in UTC, so a day is the same day in every zone
    (with a little room at both ends so marks at the edges are drawn whole)."""
    kwargs.setdefault("padding", TIME_PADDING_PX)
    return alt.Scale(type="utc", **kwargs)


def time_x(field: str, title: str | None, *, domain=None, axis: dict | None = None) -> alt.X:
    """The x channel for a UTC time column (``domain`` may be a brush to zoom by)."""
    scale = utc_scale(domain=domain) if domain is not None else utc_scale()
    axis_args = {"title": title, "labelOverlap": True, "tickCount": 8}
    axis_args.update(axis or {})
    return alt.X(f"{field}:T", scale=scale, axis=alt.Axis(**axis_args))


def tooltip(fields: list[str]) -> list[alt.Tooltip]:
    """Tooltips for ``fields`` with reader-facing titles (numbers with thousands marks)."""
    tips = []
    for name in fields:
        title = _TOOLTIP_TITLES.get(name, name.replace("_", " ").capitalize())
        if name == "n_mentions":
            tips.append(alt.Tooltip(f"{name}:Q", title=title, format=",d"))
        else:
            tips.append(alt.Tooltip(f"{name}:N", title=title))
    return tips


def description(what: pd.Series, when: pd.Series, who: pd.Series) -> pd.Series:
    """What a screen reader says for a mark: ``what, when (who)``. Set explicitly because
    Vega-Lite's own description formats a bar's end date in the reader's time zone."""
    text = what.astype("string").fillna("") + ", " + when.astype("string").fillna("")
    return text + " (" + who.astype("string").fillna("unknown source") + ")"


DESCRIPTION = alt.Description("description:N")


def short_text(values: pd.Series, limit: int) -> pd.Series:
    """Texts cut to ``limit`` characters with an ellipsis (long sentences in tooltips)."""
    text = values.astype("string")
    too_long = text.str.len() > limit
    return text.where(~too_long.fillna(False), text.str.slice(0, limit - 1).str.rstrip() + "…")


def label_extent(labels: pd.Series, span: pd.Timedelta, width_px: int) -> pd.Series:
    """The stretch of time a label covers when ``span`` of time is drawn ``width_px``
    wide (so labels can be kept from running into the next mark)."""
    px = labels.astype("string").fillna("").str.len() * _CHAR_PX + 14
    return pd.to_timedelta((px / max(width_px, 1) * span.total_seconds()).round(), unit="s").astype("timedelta64[s]")


def value_scale(lower: pd.Series, upper: pd.Series, headroom: float = 0.18) -> alt.Scale:
    """A linear scale from zero (or the lowest value) to a little above the highest, the
    headroom leaving space for the arrows of open upper bounds."""
    values = pd.concat([lower, upper]).dropna()
    if values.empty:
        return alt.Scale(zero=True, nice=True)
    low, high = min(0.0, float(values.min())), max(0.0, float(values.max()))
    top = high + (high - low) * headroom if high > low else high + 1
    return alt.Scale(domain=[low, top], nice=True)


def value_format(lower: pd.Series, upper: pd.Series) -> str:
    """Thousands marks for everyday numbers, SI prefixes (2T, 30M) for huge ones."""
    biggest = pd.concat([lower, upper]).abs().max()
    return "~s" if pd.notna(biggest) and biggest >= 1_000_000 else ",~f"


def panel_title(text: str, width: int) -> alt.Title:
    """A panel title cut with an ellipsis where it would run past its panel."""
    return alt.Title(text, limit=width + 40)


def empty_chart(title: str, message: str, width: int | None = None) -> alt.Chart:
    """A chart that says there is nothing to draw, and why (never an exception)."""
    frame = pd.DataFrame({"message": [message]})
    return (
        alt.Chart(frame, title=alt.Title(title, subtitle=["Nothing to draw."]))
        .mark_text(fontSize=13, color=style()["muted_color"], align="center")
        .encode(text="message:N")
        .properties(width=width or style()["width"], height=80)
    )
