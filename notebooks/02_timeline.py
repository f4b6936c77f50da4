# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 2. The event timeline
#
# What happened when, from the `timeline` table of a run (run `01_extract` first). Points
# are events known to the day, bars are spans, arrows are open ends ("since 2001").
# Drag across the strip under the chart to zoom from twenty years down to one day;
# double-click it to see everything again. Hover a mark for the sentence, the date as
# written and as resolved, the source and the speaker.

# %% tags=["parameters"]
tables = "../data/processed"
zoom_to = None  # e.g. ("2021-08-01", "2021-08-31") to open zoomed on that stretch

# %%
from analysis import charts

timeline = charts.load_timeline(tables)
timeline.head(12)

# %% tags=["chart"]
charts.event_timeline(timeline, zoom_to=zoom_to)

# %% [markdown]
# The same events coloured by source, with one row per event type.

# %% tags=["chart"]
charts.event_timeline(timeline, color="source")

# %% [markdown]
# One small timeline per source, on one time axis: who reported what, and when.

# %% tags=["chart"]
charts.small_multiples(timeline, by="source", kind="event")
