"""``python -m analysis evaluate claims GOLD.jsonl``: the claims table against gold
claims in the seed format (``../shared/eval/README.md``).

Each record is run through the whole pipeline as a document published on its ``dct``.
Matching is one to one, in text order: a gold claim is matched by a predicted claim
whose span overlaps it and whose value is equal. A gold claim marked ``optional``
counts neither for nor against: a prediction matching it is dropped from the counts.

- ``value`` ({p, r, f1}): matches among predictions and non-optional gold claims.
- ``full`` ({p, r, f1}): matches whose bounds (low and high, None equal to None) and
  category are also right.
- over the matches: ``category_accuracy``, ``bounds_accuracy``, ``noun_accuracy``
  (the head words of the nouns agree: the last word before "of"/"per" or a plural's
  "and", singular and lower case), ``speaker_accuracy`` (equal, None for the writer's
  voice), ``time_accuracy`` (the predicted half-open interval overlaps the gold one; a
  missing bound is open), ``series_accuracy`` (equal ``series_pos`` where the gold gives
  one), ``modality_accuracy``.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from pathlib import Path

from ..corpus import Document
from ..pipeline import process_document
from ..quantities import head_word
from .metrics import prf, read_gold, safe_ratio

__all__ = ["evaluate", "format_report", "intervals_overlap"]


def _date(value) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def intervals_overlap(a_start, a_end, b_start, b_end) -> bool:
    """Whether two half-open date intervals overlap; a None bound is open."""
    a0, a1, b0, b1 = map(_date, (a_start, a_end, b_start, b_end))
    if a0 is None and a1 is None:
        return False
    lo_a = a0 or dt.date.min
    hi_a = a1 or dt.date.max
    lo_b = b0 or dt.date.min
    hi_b = b1 or dt.date.max
    return lo_a < hi_b and lo_b < hi_a


def _same(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(float(a), float(b), rel_tol=1e-6, abs_tol=1e-9)


def evaluate(path: str | Path) -> dict:
    """Score the claims table on a seed-format gold file.

    Returns:
        The keys of DESIGN.md's evaluation contract for claims, plus
        ``series_accuracy``, ``modality_accuracy``, ``docs`` and ``errors``.
    """
    counts = {"tp": 0, "full": 0, "predicted": 0, "gold": 0}
    checks = {k: [0, 0] for k in ("category", "bounds", "noun", "speaker", "time", "series", "modality")}
    errors = []
    n_bytes = 0
    seconds = 0.0
    docs = 0
    for i, record in enumerate(read_gold(path)):
        if "text" not in record or "claims" not in record:
            raise ValueError(f"record {i + 1}: expected text and claims (seed format)")
        published = _date(record.get("dct")) or dt.date(2000, 1, 1)
        doc = Document(doc_id=str(record.get("doc_id", i)), text=record["text"], published=published)
        began = time.perf_counter()
        result = process_document(doc)
        seconds += time.perf_counter() - began
        n_bytes += len(doc.text.encode("utf-8"))
        docs += 1
        preds = list(result.claims)
        used: set[int] = set()
        dropped = 0
        for gold in sorted(record["claims"], key=lambda c: c["start"]):
            match = next(
                (
                    k
                    for k, c in enumerate(preds)
                    if k not in used and c.start < gold["end"] and gold["start"] < c.end and _same(c.value, gold["value"])
                ),
                None,
            )
            if gold.get("optional"):
                if match is not None:
                    used.add(match)
                    dropped += 1
                continue
            counts["gold"] += 1
            if match is None:
                errors.append({"doc_id": doc.doc_id, "missed": gold["text"], "start": gold["start"]})
                continue
            used.add(match)
            c = preds[match]
            counts["tp"] += 1
            results = {
                "category": c.category == gold.get("category"),
                "bounds": _same(c.low, gold.get("low")) and _same(c.high, gold.get("high")),
                "noun": head_word(c.noun) == head_word(gold.get("noun")),
                "speaker": c.speaker == gold.get("speaker"),
                "time": intervals_overlap(c.time_start, c.time_end, gold.get("time_start"), gold.get("time_end")),
                "modality": c.modality == gold.get("modality"),
            }
            if "series_pos" in gold:
                results["series"] = c.series_pos == gold["series_pos"]
            for key, ok in results.items():
                checks[key][0] += int(ok)
                checks[key][1] += 1
            if results["category"] and results["bounds"]:
                counts["full"] += 1
            wrong = [k for k, ok in results.items() if not ok]
            if wrong:
                errors.append({"doc_id": doc.doc_id, "claim": gold["text"], "start": gold["start"], "wrong": wrong})
        counts["predicted"] += len(preds) - dropped
        for k, c in enumerate(preds):
            if k not in used:
                errors.append({"doc_id": doc.doc_id, "spurious": c.surface, "start": c.start})
    report = {
        "value": prf(counts["tp"], counts["predicted"], counts["gold"]),
        "full": prf(counts["full"], counts["predicted"], counts["gold"]),
        "docs": docs,
        "kb_per_s": round(safe_ratio(n_bytes / 1000, seconds), 1),
        "errors": errors,
    }
    for key, (ok, total) in checks.items():
        report[f"{key}_accuracy"] = round(safe_ratio(ok, total), 4)
    return report


def format_report(report: dict) -> str:
    """A short human-readable report."""
    v, f = report["value"], report["full"]
    lines = [
        f"claims ({report['docs']} documents)",
        f"  value  P {v['p']:.3f}  R {v['r']:.3f}  F1 {v['f1']:.3f}   ({v['tp']} of {v['gold']} gold, {v['predicted']} predicted)",
        f"  full   P {f['p']:.3f}  R {f['r']:.3f}  F1 {f['f1']:.3f}",
    ]
    for key in ("category", "bounds", "noun", "speaker", "time", "series", "modality"):
        lines.append(f"  {key + ' accuracy':<20} {report[key + '_accuracy']:.3f}")
    lines.append(f"  {report['kb_per_s']:,.1f} KB/s (whole pipeline)")
    lines.append(f"  misses, errors and spurious claims: {len(report['errors'])} (see --json: errors)")
    return "\n".join(lines)
