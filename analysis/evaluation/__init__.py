"""Scoring the pipeline against gold files (``python -m analysis evaluate KIND GOLD``).

One module per kind (``timex``, ``quantities``, ``claims``, ``events``), each with
``evaluate(path) -> dict`` (the JSON of DESIGN.md's evaluation contract) and
``format_report(dict) -> str``. Shared scoring helpers live in :mod:`.metrics`.
"""
