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
# # 1. Extract: articles in, tables out
#
# Runs the pipeline on the articles under `corpus` and writes every table (Parquet and
# CSV) to `tables`. To use your own articles, change the parameters below: a folder of
# `.md`/`.txt` files (YAML front matter with `title`, `published`, `source`), or one
# `.jsonl`/`.csv`/`.parquet` file with one article a row. Articles without a publication
# date are rejected unless you set `published`: every "Tuesday" and "last year" is
# resolved against it.

# %% tags=["parameters"]
corpus = "../data/articles"
tables = "../data/processed"
published = None  # "YYYY-MM-DD" for articles that give no date

# %%
from analysis import notebook, read_table

summary = notebook.extract(corpus, tables, published)
print(summary.format())

# %% [markdown]
# The tables this run wrote (the pipeline grows stage by stage: documents and sentences
# first, then time expressions, figures and claims, events and the timeline).

# %%
notebook.table_overview(tables)

# %%
notebook.show_tables(tables, rows=8)

# %% [markdown]
# Anything the run could not read is in `rejects`, with the file, the line and why.

# %%
read_table(tables, "rejects")
