"""The whole pipeline, sentences to timeline, on the TimeBank/AQUAINT news text, as
``run`` does it: the documents read from a JSONL file, every stage, the tables written
(Parquet and CSV), then the corpus step (de-duplication across documents, conflicts,
the sorted timeline). Beside it, on the same documents and in the same run: the corpus
step alone over the written tables, and the events stage alone on prepared inputs.
No peer does all of this."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from ..events import extract_events
from ..pipeline import STAGES, DocumentResult
from ..run import run_corpus
from ..settings import Settings
from ..timeline import run_corpus_step
from .common import BenchContext, Measurement, gold_documents, measure, utf8_sizes

TITLE = "Whole pipeline, sentences to timeline (run: read, all stages, tables written, corpus step), tbaq-cleaned news text"


def run(ctx: BenchContext) -> list[Measurement]:
    gold = ctx.shared_eval / "timex" / "tbaq-cleaned.jsonl"
    if not gold.is_file():
        return []
    docs = gold_documents(gold, limit=40 if ctx.quick else None)
    sizes = utf8_sizes(d.text for d in docs)
    settings = Settings(progress=False, workers=1)
    with tempfile.TemporaryDirectory(prefix="bench-timeline-") as tmp:
        corpus = Path(tmp) / "corpus.jsonl"
        with corpus.open("w", encoding="utf-8") as handle:
            for d in docs:
                handle.write(json.dumps({"doc_id": d.doc_id, "text": d.text, "published": d.published.isoformat()}) + "\n")
        out = Path(tmp) / "out"
        whole = measure(
            "timeline",
            "analysis run (all stages + corpus step)",
            # rebuild: a rerun into the same folder would skip every unchanged document
            lambda path: run_corpus(path, out, settings, rebuild=True),
            [corpus],
            [sum(sizes)],
            min_seconds=ctx.min_seconds,
            note=f"{len(docs)} documents, one process",
        )
        step = measure(
            "timeline",
            "analysis corpus step alone",
            lambda folder: run_corpus_step(folder, settings),
            [out],
            [sum(sizes)],
            min_seconds=ctx.min_seconds,
            note="over the tables the run wrote",
        )
        step.compared = False
    prepared = []
    for doc in docs:
        result = DocumentResult(doc=doc, settings=settings)
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
        sizes,
        min_seconds=ctx.min_seconds,
        note="inputs (sentences, time expressions, claims) made before timing",
    )
    events.compared = False
    return [whole, step, events]
