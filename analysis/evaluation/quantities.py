"""``python -m analysis evaluate quantities GOLD.jsonl``: the quantities table against
gold numbers.

Two layouts are read (``../shared/eval/README.md``):

- NewsQuant-style records ``{"id", "text", "quantities": [{"value", "range", "unit",
  "normalized_unit", "qualifier", ...}]}`` have no offsets, so a gold quantity is matched
  within its text, one to one, by value: a gold value by a predicted quantity of equal
  value; a gold range ``[a, b]`` by a predicted quantity whose low and high are ``a``
  and ``b``, or else by two predicted quantities of values ``a`` and ``b`` (we keep a
  change told as "from a to b" as two figures; the pair then counts as one
  prediction). NewsQuant counts durations and ages but not years, dates, times,
  ordinals or identifiers, so predictions of those kinds are left out.
  ``value_unit`` also needs the unit to agree: the normalized unit name, or the head
  word of the counted noun (singular), or both without a unit.
  ``qualifier_accuracy`` is over value matches: our qualifier and change read in
  NewsQuant's terms (exact, approximate, lower_bound, upper_bound, increase,
  decrease) equal the gold one.
- Recognizers-style records ``{"id", "input", "results": [{"start", "end", "value"}]}``
  have offsets: a gold number is matched by a predicted quantity (any kind but
  ordinal) whose span overlaps it and whose value is equal.

Every text is run through the whole pipeline as a document of its own.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from pathlib import Path

from ..corpus import Document
from ..pipeline import process_document
from ..quantities import head_word, singular
from .metrics import prf, read_gold, safe_ratio

__all__ = ["evaluate", "format_report", "newsquant_qualifier"]

# Kinds NewsQuant annotates as quantities.
NEWSQUANT_KINDS = frozenset({"count", "money", "percent", "measure", "duration", "age"})
# A fixed publication date: these gold texts have none, and quantities do not need one.
ANCHOR = dt.date(2000, 1, 1)


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return False
    return math.isclose(a, b, rel_tol=1e-5, abs_tol=1e-8)


def newsquant_qualifier(qualifier: str, change: str | None, approximate: bool = False) -> str:
    """Our qualifier, approximation and change in NewsQuant's terms: a bound first
    ("climbed more than 3%" is lower_bound), then an approximating word ("about
    14-18 mpg"), then a direction of change; a range or a vague amount ("hundreds")
    with none of these is what NewsQuant writes as an exact range."""
    bound = {
        "more_than": "lower_bound",
        "at_least": "lower_bound",
        "less_than": "upper_bound",
        "at_most": "upper_bound",
        "up_to": "upper_bound",
    }.get(qualifier)
    if bound:
        return bound
    if approximate:
        return "approximate"
    if change == "up":
        return "increase"
    if change == "down":
        return "decrease"
    return "exact"


def _units_agree(gold: dict, q) -> bool:
    gold_norm = (gold.get("normalized_unit") or "").strip().lower()
    gold_unit = (gold.get("unit") or "").strip()
    if gold_norm in ("", "-") and gold_unit in ("", "-"):
        return q.unit is None
    ours = (q.unit or "").lower()
    if ours and ours == gold_norm:
        return True
    if q.noun_head:
        heads = {head_word(gold_unit), head_word(gold_norm)}
        heads |= {singular(w) for w in (gold_norm.split()[-1:] if gold_norm else [])}
        return q.noun_head in heads
    return False


def _score_newsquant(record: dict, quantities: list, totals: dict) -> None:
    preds = [q for q in quantities if q.kind in NEWSQUANT_KINDS]
    golds = record.get("quantities") or []
    used: set[int] = set()
    matches = []  # (gold, pred)
    unmatched_ranges = []
    for gold in golds:
        rng = gold.get("range")
        found = None
        for k, q in enumerate(preds):
            if k in used:
                continue
            if rng:
                bounds = sorted(rng)
                if q.low is not None and q.high is not None and _close(q.low, bounds[0]) and _close(q.high, bounds[1]):
                    found = k
                    break
            elif _close(q.value, gold.get("value")):
                found = k
                break
        if found is None:
            if rng:
                unmatched_ranges.append(gold)
            continue
        used.add(found)
        matches.append((gold, preds[found]))
    pairs = 0
    for gold in unmatched_ranges:
        a, b = gold["range"]
        first = next((k for k, q in enumerate(preds) if k not in used and _close(q.value, a)), None)
        if first is None:
            continue
        second = next((k for k, q in enumerate(preds) if k not in used and k != first and _close(q.value, b)), None)
        if second is None:
            continue
        used.update((first, second))
        pairs += 1
        matches.append((gold, preds[first]))
    totals["gold"] += len(golds)
    totals["predicted"] += len(preds) - pairs
    totals["value_tp"] += len(matches)
    for gold, q in matches:
        if _units_agree(gold, q):
            totals["unit_tp"] += 1
        elif len(totals["unit_misses"]) < 2000:
            totals["unit_misses"].append({"id": record.get("id"), "value": q.value, "gold_unit": gold.get("unit"), "gold_normalized": gold.get("normalized_unit"), "ours": q.unit, "head": q.noun_head})
        gold_q = (gold.get("qualifier") or "exact").lower()
        ours_q = newsquant_qualifier(q.qualifier, q.change, q.approximate)
        totals["qualifier_total"] += 1
        if ours_q == gold_q:
            totals["qualifier_ok"] += 1
        elif len(totals["qualifier_misses"]) < 2000:
            totals["qualifier_misses"].append({"id": record.get("id"), "value": q.value, "gold": gold_q, "ours": ours_q})
    if len(matches) < len(golds) or len(preds) - pairs > len(matches):
        matched_ids = {id(q) for _, q in matches}
        totals["errors"].append(
            {
                "id": record.get("id"),
                "missed": [g.get("range") or g.get("value") for g in golds if all(g is not m[0] for m in matches)],
                "spurious": [(q.surface, q.value, q.kind) for q in preds if id(q) not in matched_ids],
            }
        )


def _score_recognizers(record: dict, quantities: list, totals: dict) -> None:
    preds = [q for q in quantities if q.kind != "ordinal"]
    golds = record.get("results") or []
    used: set[int] = set()
    tp = 0
    for gold in golds:
        try:
            value = float(gold["value"])
        except (TypeError, ValueError):
            continue
        for k, q in enumerate(preds):
            if k not in used and q.start < gold["end"] and gold["start"] < q.end and _close(q.value, value):
                used.add(k)
                tp += 1
                break
    totals["gold"] += len(golds)
    totals["predicted"] += len(preds)
    totals["value_tp"] += tp
    if tp < len(golds) or len(preds) > tp:
        totals["errors"].append(
            {"id": record.get("id"), "gold": [(g["surface"], g["value"]) for g in golds], "ours": [(q.surface, q.value, q.kind) for q in preds]}
        )


def evaluate(path: str | Path) -> dict:
    """Score the quantities table on a gold file (either layout).

    Returns:
        ``value`` and ``value_unit`` ({p, r, f1, ...}), ``qualifier_accuracy``,
        ``kb_per_s``, ``layout``, ``texts``, and ``errors`` (texts with a miss or a
        spurious figure, for reading).
    """
    totals = {"gold": 0, "predicted": 0, "value_tp": 0, "unit_tp": 0, "qualifier_ok": 0, "qualifier_total": 0,
              "errors": [], "unit_misses": [], "qualifier_misses": []}
    layout = None
    n_bytes = 0
    seconds = 0.0
    texts = 0
    for i, record in enumerate(read_gold(path)):
        if "quantities" in record and "text" in record:
            layout = layout or "newsquant"
            text = record["text"]
        elif "input" in record and "results" in record:
            layout = layout or "recognizers"
            text = record["input"]
        else:
            raise ValueError(f"record {i + 1}: neither NewsQuant (text, quantities) nor Recognizers (input, results) layout")
        doc = Document(doc_id=str(record.get("id", i)), text=text, published=ANCHOR)
        began = time.perf_counter()
        result = process_document(doc)
        seconds += time.perf_counter() - began
        n_bytes += len(text.encode("utf-8"))
        texts += 1
        if "quantities" in record and "text" in record:
            _score_newsquant(record, result.quantities, totals)
        else:
            _score_recognizers(record, result.quantities, totals)
    report = {
        "layout": layout,
        "texts": texts,
        "value": prf(totals["value_tp"], totals["predicted"], totals["gold"]),
        "kb_per_s": round(safe_ratio(n_bytes / 1000, seconds), 1),
        "errors": totals["errors"],
    }
    if layout == "newsquant":
        report["value_unit"] = prf(totals["unit_tp"], totals["predicted"], totals["gold"])
        report["qualifier_accuracy"] = round(safe_ratio(totals["qualifier_ok"], totals["qualifier_total"]), 4)
        report["unit_misses"] = totals["unit_misses"]
        report["qualifier_misses"] = totals["qualifier_misses"]
    return report


def format_report(report: dict) -> str:
    """A short human-readable report."""
    lines = [f"quantities ({report['layout']}, {report['texts']} texts)"]
    v = report["value"]
    lines.append(f"  value        P {v['p']:.3f}  R {v['r']:.3f}  F1 {v['f1']:.3f}   ({v['tp']} of {v['gold']} gold, {v['predicted']} predicted)")
    if "value_unit" in report:
        u = report["value_unit"]
        lines.append(f"  value+unit   P {u['p']:.3f}  R {u['r']:.3f}  F1 {u['f1']:.3f}")
        lines.append(f"  qualifier accuracy {report['qualifier_accuracy']:.3f}")
    lines.append(f"  {report['kb_per_s']:,.1f} KB/s (whole pipeline)")
    lines.append(f"  texts with a miss or a spurious figure: {len(report['errors'])} (see --json: errors)")
    return "\n".join(lines)
