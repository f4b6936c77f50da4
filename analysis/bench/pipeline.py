"""The whole per-document pipeline on the TimeBank/AQUAINT news text."""

from __future__ import annotations

from ..pipeline import process_document
from .common import BenchContext, Measurement, gold_documents, measure, utf8_sizes

TITLE = "Whole pipeline (documents to tables), tbaq-cleaned news text"


def run(ctx: BenchContext) -> list[Measurement]:
    gold = ctx.shared_eval / "timex" / "tbaq-cleaned.jsonl"
    if not gold.is_file():
        return []
    docs = gold_documents(gold)
    sizes = utf8_sizes(d.text for d in docs)
    return [measure("pipeline", "analysis (all stages)", process_document, docs, sizes, min_seconds=ctx.min_seconds)]
