"""The time-expression stage next to ``dateparser.search.search_dates`` on the same
TimeBank/AQUAINT news documents (``timex/tbaq-cleaned.jsonl``), in one run.

Both get each document with its publication date: ours as the document's date,
dateparser as ``RELATIVE_BASE`` with ``languages=['en']`` and settings that never fill
a missing day or month from today. Sentences are split before timing: the figure is
the time-expression stage alone.
"""

from __future__ import annotations

import datetime as dt

from ..sentences import split_sentences
from ..timexes import extract_timexes
from .common import BenchContext, Measurement, gold_documents, measure, utf8_sizes

TITLE = "Time expressions (timex stage vs dateparser.search_dates), tbaq-cleaned news text"

# Settings for dateparser: the publication date is the base, nothing comes from today.
DATEPARSER_SETTINGS = {"PREFER_DAY_OF_MONTH": "first", "PREFER_MONTH_OF_YEAR": "first", "RETURN_AS_TIMEZONE_AWARE": False}


def run(ctx: BenchContext) -> list[Measurement]:
    gold = ctx.shared_eval / "timex" / "tbaq-cleaned.jsonl"
    if not gold.is_file():
        return []
    docs = gold_documents(gold, limit=40 if ctx.quick else None)
    prepared = [(doc, split_sentences(doc)) for doc in docs]
    sizes = utf8_sizes(doc.text for doc in docs)
    ours = measure(
        "timex",
        "analysis timex stage",
        lambda item: extract_timexes(*item),
        prepared,
        sizes,
        min_seconds=ctx.min_seconds,
        note=f"{len(docs)} documents, one thread",
    )
    peers = [ours]
    try:
        from dateparser.search import search_dates
    except ImportError:  # pragma: no cover - dateparser is a core dependency
        return peers

    def dateparser_search(doc) -> object:
        base = dt.datetime.combine(doc.published, dt.time())
        return search_dates(doc.text, languages=["en"], settings={**DATEPARSER_SETTINGS, "RELATIVE_BASE": base})

    peers.append(
        measure(
            "timex",
            "dateparser.search.search_dates",
            dateparser_search,
            docs,
            sizes,
            min_seconds=ctx.min_seconds,
            note="same documents, RELATIVE_BASE = publication date, languages=['en']",
        )
    )
    return peers
