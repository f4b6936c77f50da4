"""``python -m analysis evaluate timex GOLD.jsonl``: time expressions against a gold file.

Gold format (../shared/eval/README.md): one document a line, ``{"doc_id", "dct",
"text", "timexes": [{"start", "end", "type", "value", "mod"?}]}``. Each document is
split into sentences and run through :func:`analysis.timexes.extract_timexes` with its
``dct`` as the publication date. How each figure is computed:

* ``strict`` P/R/F1: a prediction matches a gold timex with exactly the same span
  (one to one).
* ``relaxed`` P/R/F1: spans overlap by at least one character, one to one (pairs with
  the largest overlap are taken first), as in TempEval-3.
* ``type_accuracy``: among relaxed matches whose gold has a type, the share with the
  same type.
* ``value_accuracy``: among relaxed matches whose gold is a DATE with a concrete
  calendar value (no ``X``, not ``*_REF``, not a duration), the share whose value
  names the same period at the same granularity (``1998-W07`` is not ``1998-02-13``;
  ``199X`` and ``199`` are both the 1990s).
* ``value_f1``: TempEval-3 value F1, relaxed F1 times the share of all relaxed
  matches whose values are equal (decades ``P2DE`` and ``P20Y`` are equal; a gold
  timex without a value is equal only to a prediction without one).
* ``kb_per_s``: KB of UTF-8 text per second of the time-expression stage alone
  (sentences split beforehand, first document run once before timing).
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from pathlib import Path

from ..corpus import Document
from ..sentences import split_sentences
from ..timexes import Timex, extract_timexes
from ..timexes.values import canonical_value, is_calendar_value
from .metrics import prf, read_gold, safe_ratio

__all__ = ["evaluate", "format_report", "match_spans", "predict"]


def _document(record: dict, line: int) -> Document:
    try:
        published = dt.date.fromisoformat(str(record["dct"])[:10])
        return Document(doc_id=str(record.get("doc_id", line)), text=record["text"], published=published)
    except (KeyError, ValueError, TypeError) as exc:
        raise ValueError(f"record {line}: needs 'text' and an ISO 'dct' ({exc})") from None


def match_spans(gold: list[dict], predicted: list[Timex]) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """One-to-one matches between gold timexes and predictions.

    Returns:
        ``(strict, relaxed)``: lists of (gold index, prediction index) pairs; strict
        pairs have the same span, relaxed pairs overlap (largest overlap first).
    """
    by_span = {(p.start, p.end): j for j, p in enumerate(predicted)}
    strict = [(i, by_span[(g["start"], g["end"])]) for i, g in enumerate(gold) if (g["start"], g["end"]) in by_span]
    candidates = []
    for i, g in enumerate(gold):
        for j, p in enumerate(predicted):
            overlap = min(g["end"], p.end) - max(g["start"], p.start)
            if overlap > 0:
                candidates.append((-overlap, i, j))
    candidates.sort()
    used_gold, used_pred, relaxed = set(), set(), []
    for _, i, j in candidates:
        if i not in used_gold and j not in used_pred:
            used_gold.add(i)
            used_pred.add(j)
            relaxed.append((i, j))
    return strict, sorted(relaxed)


def predict(record: dict, line: int = 0) -> tuple[Document, list[Timex], float]:
    """Our timexes for one gold record, and the seconds the stage took."""
    doc = _document(record, line)
    sentences = split_sentences(doc)
    began = time.perf_counter()
    timexes = extract_timexes(doc, sentences)
    return doc, timexes, time.perf_counter() - began


def evaluate(path: str | Path) -> dict:
    """Score the time-expression stage on a gold JSONL file (see the module doc).

    Raises:
        ValueError: a record lacks ``text`` or ``dct``, or is not JSON.
    """
    counts = Counter()
    by_type: dict[str, Counter] = {}
    seconds = 0.0
    size = 0
    warmed = False
    for line, record in enumerate(read_gold(path), start=1):
        if not warmed:
            predict(record, line)  # compiles the patterns: start-up, not throughput
            warmed = True
        doc, predicted, took = predict(record, line)
        seconds += took
        size += len(doc.text.encode("utf-8"))
        gold = record.get("timexes") or []
        strict, relaxed = match_spans(gold, predicted)
        counts["docs"] += 1
        counts["gold"] += len(gold)
        counts["predicted"] += len(predicted)
        counts["strict"] += len(strict)
        counts["relaxed"] += len(relaxed)
        for g in gold:
            by_type.setdefault(str(g.get("type")), Counter())["gold"] += 1
        for p in predicted:
            by_type.setdefault(p.type, Counter())["predicted"] += 1
        for i, j in relaxed:
            g, p = gold[i], predicted[j]
            by_type.setdefault(str(g.get("type")), Counter())["relaxed"] += 1
            if g.get("type"):
                counts["typed"] += 1
                counts["type_ok"] += g["type"] == p.type
            same_value = canonical_value(g.get("value")) == canonical_value(p.value)
            counts["value_ok_all"] += same_value
            if g.get("type") == "DATE" and is_calendar_value(g.get("value")):
                counts["concrete"] += 1
                counts["value_ok"] += same_value
    relaxed_prf = prf(counts["relaxed"], counts["predicted"], counts["gold"])
    value_share = safe_ratio(counts["value_ok_all"], counts["relaxed"])
    return {
        "kind": "timex",
        "gold_file": str(path),
        "docs": counts["docs"],
        "strict": prf(counts["strict"], counts["predicted"], counts["gold"]),
        "relaxed": relaxed_prf,
        "type_accuracy": round(safe_ratio(counts["type_ok"], counts["typed"]), 4),
        "value_accuracy": round(safe_ratio(counts["value_ok"], counts["concrete"]), 4),
        "value_accuracy_n": counts["concrete"],
        "value_f1": round(relaxed_prf["f1"] * value_share, 4),
        "by_type": {t: dict(c) for t, c in sorted(by_type.items())},
        "kb_per_s": round(safe_ratio(size / 1000, seconds), 1),
    }


def format_report(report: dict) -> str:
    """A short human-readable report."""
    lines = [f"timex evaluation of {report['gold_file']} ({report['docs']} documents)"]
    for key in ("strict", "relaxed"):
        r = report[key]
        lines.append(f"  {key:<8} P {r['p']:.3f}  R {r['r']:.3f}  F1 {r['f1']:.3f}   ({r['tp']} matched, {r['predicted']} predicted, {r['gold']} gold)")
    lines.append(f"  type accuracy   {report['type_accuracy']:.3f}")
    lines.append(f"  value accuracy  {report['value_accuracy']:.3f}   (over {report['value_accuracy_n']} concrete DATE values)")
    lines.append(f"  value F1        {report['value_f1']:.3f}")
    lines.append(f"  speed           {report['kb_per_s']:,.1f} KB/s (time-expression stage)")
    return "\n".join(lines)
