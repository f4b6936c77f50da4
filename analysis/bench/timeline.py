"""The whole pipeline, sentences to timeline, on the TimeBank/AQUAINT news text: every
stage on every document, then the corpus step (de-duplication across documents,
conflicts, the sorted timeline) over their rows, as ``run`` does minus file writing.
There is no peer that does all of this; the event stage alone is timed beside it."""

from __future__ import annotations

import time
from collections import defaultdict

from ..events import extract_events
from ..pipeline import STAGES, DocumentResult
from ..settings import Settings
from ..tables import to_frame
from ..timeline import build_corpus_tables
from .common import BenchContext, Measurement, gold_documents, measure, utf8_sizes

TITLE = "Whole pipeline, sentences to timeline (corpus step included), tbaq-cleaned news text"


def _whole_pipeline(docs, split: dict) -> None:
    rows: dict[str, list[dict]] = defaultdict(list)
    settings = Settings()
    began = time.perf_counter()
    for doc in docs:
        result = DocumentResult(doc=doc, settings=settings)
        for _name, stage in STAGES:
            stage(result)
        for name, table_rows in result.rows.items():
            rows[name].extend(table_rows)
    middle = time.perf_counter()
    build_corpus_tables({name: to_frame(name, table_rows) for name, table_rows in rows.items()}, settings)
    split["documents"] += middle - began
    split["corpus"] += time.perf_counter() - middle


def run(ctx: BenchContext) -> list[Measurement]:
    gold = ctx.shared_eval / "timex" / "tbaq-cleaned.jsonl"
    if not gold.is_file():
        return []
    docs = gold_documents(gold, limit=40 if ctx.quick else None)
    size = sum(utf8_sizes(d.text for d in docs))
    split = {"documents": 0.0, "corpus": 0.0}
    whole = measure(
        "timeline",
        "analysis (all stages + corpus step)",
        lambda corpus: _whole_pipeline(corpus, split),
        [docs],
        [size],
        min_seconds=ctx.min_seconds,
    )
    total = split["documents"] + split["corpus"]
    whole.note = f"{len(docs)} documents; corpus step {split['corpus'] / total:.0%} of the time"
    prepared = []
    for doc in docs:
        result = DocumentResult(doc=doc, settings=Settings())
        for name, stage in STAGES:
            if name == "events":
                break
            stage(result)
        prepared.append(result)
    events = measure(
        "timeline",
        "analysis event stage alone",
        lambda r: extract_events(r.doc, r.sentences, r.timexes, r.claims),
        prepared,
        utf8_sizes(d.text for d in docs),
        min_seconds=ctx.min_seconds,
        note="inputs (sentences, time expressions, claims) made before timing",
    )
    return [whole, events]
