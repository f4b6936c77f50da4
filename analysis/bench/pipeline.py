"""The whole per-document pipeline on the TimeBank/AQUAINT news text, then the CPU time
of each stage on the same documents (``time.process_time`` around every stage call,
the best of the rounds), so a slow stage shows in one run."""

from __future__ import annotations

import math
import time

from ..pipeline import STAGES, DocumentResult, process_document
from ..settings import Settings
from .common import BenchContext, Measurement, gold_documents, measure, utf8_sizes

TITLE = "Whole pipeline (documents to tables), then CPU time per stage, tbaq-cleaned news text"


def run(ctx: BenchContext) -> list[Measurement]:
    gold = ctx.shared_eval / "timex" / "tbaq-cleaned.jsonl"
    if not gold.is_file():
        return []
    docs = gold_documents(gold, limit=40 if ctx.quick else None)
    sizes = utf8_sizes(d.text for d in docs)
    whole = measure("pipeline", "analysis (all stages)", process_document, docs, sizes, min_seconds=ctx.min_seconds)
    return [whole, *stage_cpu(docs, sizes, min_seconds=ctx.min_seconds)]


def stage_cpu(docs, sizes, *, min_seconds: float) -> list[Measurement]:
    """One measurement per stage: KB of text per second of the CPU time the stage took
    over all documents, the best of repeated rounds (the first round warms caches up;
    other work on the machine only ever makes a round slower)."""
    settings = Settings()
    best = {name: math.inf for name, _ in STAGES}
    began = time.process_time()
    rounds = 0
    while rounds < 2 or time.process_time() - began < min_seconds:
        spent = dict.fromkeys(best, 0.0)
        for doc in docs:
            result = DocumentResult(doc=doc, settings=settings)
            for name, stage in STAGES:
                start = time.process_time()
                stage(result)
                spent[name] += time.process_time() - start
        for name, seconds in spent.items():
            best[name] = min(best[name], seconds)
        rounds += 1
    kb = sum(sizes) / 1000
    note = f"CPU time, best of {rounds} rounds"
    return [Measurement("pipeline", f"stage {name}", kb, seconds, note, compared=False) for name, seconds in best.items()]
