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
# # 3. Figures and conflicts
#
# The numbers the articles claim (troops, personnel, evacuees, money, ...) over the time
# they are about. A range is a vertical bar; an open bound ("over 100,000", "less than
# 10,000", "up to 1,000") is an arrow; a series told in one breath ("from over 100,000 ...
# down to less than 10,000 — and now to zero") is joined by dashed steps; marker shape and
# colour say the source. Red rings mark figures that conflict with another source's.

# %% tags=["parameters"]
tables = "../data/processed"
categories = None  # e.g. ["troops", "personnel"]; None draws every category

# %%
from analysis import charts

timeline = charts.load_timeline(tables)
conflicts = charts.load_conflicts(tables)

# %% tags=["chart"]
charts.figures_chart(timeline, categories, conflicts=conflicts)

# %% [markdown]
# Figures that cannot both be true: claims of the same category about overlapping time,
# from different sources or speakers, with the gap between their bounds.

# %% tags=["chart"]
charts.conflicts_chart(conflicts)

# %%
conflicts

# %% [markdown]
# Small multiples: one panel per category, each on its own scale, on one time axis.

# %% tags=["chart"]
charts.small_multiples(timeline, by="category", kind="claim")
