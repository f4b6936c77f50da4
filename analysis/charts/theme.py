"""The charts' look: one Altair theme and the fixed colours, from ``theme.yaml``."""

from __future__ import annotations

import functools
from importlib import resources
from typing import Any

import altair as alt
import yaml

__all__ = ["THEME_NAME", "color_scale", "enable_theme", "style"]

THEME_NAME = "fact_timelines"


@functools.cache
def style() -> dict[str, Any]:
    """``theme.yaml`` parsed (cached; do not mutate)."""
    text = resources.files(__package__).joinpath("theme.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def _theme() -> alt.theme.ThemeConfig:
    theme = style()
    config = dict(theme["config"])
    config["range"] = {"category": list(theme["categorical"])}
    return {"config": config}


def enable_theme() -> None:
    """Register the theme with Altair and make it the active one."""
    if THEME_NAME not in alt.theme.names():
        alt.theme.register(THEME_NAME, enable=False)(_theme)
    alt.theme.enable(THEME_NAME)


def color_scale(field: str, values) -> alt.Scale:
    """A colour scale for ``field`` over ``values``: event types keep their fixed colours
    (``theme.yaml``), anything else takes the categorical palette in order of first
    appearance."""
    theme = style()
    values = [v for v in dict.fromkeys(values) if v is not None]
    fixed = theme["event_type_colors"] if field == "type" else {}
    palette = iter(theme["categorical"] * (len(values) // len(theme["categorical"]) + 1))
    return alt.Scale(domain=values, range=[fixed.get(v) or next(palette) for v in values])
