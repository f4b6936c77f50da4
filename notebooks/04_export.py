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
# # 4. Export
#
# Writes every chart as an HTML page that works offline (Vega inlined), PNG, SVG and
# Vega-Lite JSON, and the events and figures as a TimelineJS file a newsroom can load
# into TimelineJS. The same as `python -m analysis chart --tables ... --out ...`.

# %% tags=["parameters"]
tables = "../data/processed"
out = "../data/charts"
formats = ["html", "png", "svg", "json", "timelinejs"]

# %%
from analysis import export, notebook

summary = export.export_run(tables, out, formats)
print(summary.format())

# %% [markdown]
# The timeline as a still image (what the PNG and SVG exports show: the whole range).

# %%
notebook.show_image(f"{out}/timeline.png")
