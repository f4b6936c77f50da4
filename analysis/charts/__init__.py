"""Charts of a run's timeline (Altair): events, figures, conflicts, small multiples.

Every function takes the tables as they come (``datetime64``, ``datetime.date`` or ISO
strings; missing optional columns; no rows at all) and returns an Altair chart. Dates
are drawn on UTC scales so a day is the same day in every time zone.

Importing this module sets, in this one place, how charts display in notebooks:
Altair's ``jupyter`` renderer in offline mode, an anywidget whose Vega, Vega-Lite and
vega-embed JavaScript comes bundled from vl-convert instead of a CDN. The default
``html`` renderer loads Vega from a CDN (nothing draws offline: "Error loading
script"), and JupyterLab 4's built-in Vega renderer knows Vega-Lite 5, not the
Vega-Lite 6 of Altair 6 (it falls back to a "<VegaLite 6 object>" text).
"""

from __future__ import annotations

import altair as alt

from .figures import conflicts_chart, figures_chart
from .frames import (
    as_utc,
    chart_frame,
    compose_timeline,
    days,
    empty_timeline,
    interval_precision,
    load_conflicts,
    load_timeline,
    when_label,
)
from .multiples import small_multiples
from .theme import THEME_NAME, enable_theme
from .timeline import event_timeline, pack_rows

__all__ = [
    "NOTEBOOK_RENDERER",
    "THEME_NAME",
    "as_utc",
    "chart_frame",
    "compose_timeline",
    "conflicts_chart",
    "days",
    "empty_timeline",
    "enable_notebook_display",
    "event_timeline",
    "figures_chart",
    "interval_precision",
    "load_conflicts",
    "load_timeline",
    "pack_rows",
    "small_multiples",
    "when_label",
]

NOTEBOOK_RENDERER = "jupyter"


def enable_notebook_display() -> None:
    """Show charts in JupyterLab with no network, in the project's theme.

    Uses Altair's ``jupyter`` renderer (an anywidget) with ``offline=True``: the
    JavaScript comes from the ``vl-convert-python`` package, so charts draw with no
    internet and stay interactive (tooltips, the timeline's zoom brush).
    """
    enable_theme()
    alt.renderers.enable(NOTEBOOK_RENDERER, offline=True, embed_options={"renderer": "svg"})


enable_notebook_display()
