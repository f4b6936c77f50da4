"""``python -m analysis evaluate events GOLD.jsonl``: how well events are placed in time.

Gold anchors (DESIGN.md's evaluation contract) are event-time links that place an event
in or over a time other than the document date:

* TimeML files (``tlinks``, e.g. ``timex/tbaq-cleaned.jsonl``): links with ``to_dct``
  false and a relation in :data:`ANCHOR_RELATIONS`; the event is the TimeML event
  (its span), the time is the gold TIMEX3 (its span and the calendar interval of its
  value, read with ``analysis.timexes.value_interval``; ``PRESENT_REF`` is the
  document date, ``PAST_REF`` ends with it, ``FUTURE_REF`` starts with it).
* Seed-format files (``events`` with ``trigger_start`` and ``time_start``): each gold
  event is one anchor, its interval given.

Scores:

* ``anchoring.r``: the share of gold anchors for which some predicted event's clause
  contains the gold trigger and the predicted interval overlaps the gold time. A gold
  time whose value has no calendar interval (a bare duration such as ``P1D``, a value
  with ``X`` digits) is matched instead when the event is dated by a time expression
  overlapping the gold expression's span.
* ``anchoring.p``: among predicted events whose clause contains at least one gold
  event with an anchor, the share whose interval overlaps (by the same rule) an
  anchored time of one of those gold events. Events with no anchored gold event in
  their clause are not counted: the gold does not link everything.
* ``anchoring_by_basis``: the precision counts split by ``time_basis``.
* ``anchoring_gold_timexes``: the same scores when the event stage is given the gold
  time expressions instead of ours: what the anchoring itself gets right, apart from
  time-expression errors (only where gold values have calendar intervals).
* seed format only: ``events_found`` (gold events with a predicted event whose clause
  contains the trigger, of the gold type, with an overlapping interval) and
  ``type_accuracy`` (of gold events whose trigger is the head of a predicted event).
* ``kb_per_s``: KB of UTF-8 text per CPU second through the whole per-document pipeline,
  after start-up (``metrics.Throughput``, as every kind).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..corpus import Document
from .metrics import Throughput, read_gold, safe_ratio

__all__ = ["ANCHOR_RELATIONS", "GoldDocument", "GoldEvent", "GoldTime", "evaluate", "format_report", "read_event_gold", "score_anchoring"]

ANCHOR_RELATIONS = frozenset(
    {"IS_INCLUDED", "DURING", "SIMULTANEOUS", "BEGINS", "ENDS", "BEGUN_BY", "ENDED_BY", "INCLUDES", "IDENTITY"}
)


@dataclass(frozen=True, slots=True)
class GoldTime:
    """A gold time: its span in the text (``None`` when the gold gives none) and its
    half-open calendar interval (``None`` when its value has none; either bound may
    be open: ``date.min``/``date.max``)."""

    start: int | None
    end: int | None
    interval: tuple[dt.date, dt.date] | None
    value: str | None = None
    type: str | None = None


@dataclass(slots=True)
class GoldEvent:
    start: int
    end: int
    text: str
    type: str | None = None
    anchors: list[GoldTime] = field(default_factory=list)


@dataclass(slots=True)
class GoldDocument:
    doc_id: str
    dct: dt.date
    text: str
    events: list[GoldEvent]
    times: list[GoldTime]


def _date(value, where: str) -> dt.date:
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        raise ValueError(f"{where}: {value!r} is not a date") from None


def _time_interval(value: str | None, dct: dt.date) -> tuple[dt.date, dt.date] | None:
    from ..timexes import value_interval

    day_after = dct + dt.timedelta(days=1)
    if value == "PRESENT_REF":
        return dct, day_after
    if value == "PAST_REF":
        return dt.date.min, day_after
    if value == "FUTURE_REF":
        return dct, dt.date.max
    try:
        interval = value_interval(value) if value else None
    except ValueError:
        return None
    return tuple(interval) if interval else None


def read_event_gold(path: str | Path) -> Iterable[GoldDocument]:
    """Gold documents with their anchored events, from either layout.

    Raises:
        ValueError: a record lacks what its layout needs (the message says where).
    """
    for n, record in enumerate(read_gold(path), start=1):
        where = f"record {n}"
        for key in ("text", "dct"):
            if key not in record:
                raise ValueError(f"{where}: no {key!r}")
        dct = _date(record["dct"], where)
        doc_id = str(record.get("doc_id", n))
        if "tlinks" in record:
            yield _timeml_document(record, doc_id, dct, where)
        else:
            yield _seed_document(record, doc_id, dct, where)


def _timeml_document(record: dict, doc_id: str, dct: dt.date, where: str) -> GoldDocument:
    times = {}
    for t in record.get("timexes", ()):
        if t.get("tid") is not None:
            times[t["tid"]] = GoldTime(t["start"], t["end"], _time_interval(t.get("value"), dct), t.get("value"), t.get("type"))
    events = {e["eid"]: GoldEvent(e["start"], e["end"], e.get("text", "")) for e in record.get("events", ())}
    for link in record["tlinks"]:
        if link.get("to_dct") or link.get("rel") not in ANCHOR_RELATIONS:
            continue
        event, gold_time = events.get(link.get("eid")), times.get(link.get("tid"))
        if event is None or gold_time is None:
            raise ValueError(f"{where}: link {link.get('lid')} names an unknown event or time")
        event.anchors.append(gold_time)
    return GoldDocument(doc_id, dct, record["text"], list(events.values()), list(times.values()))


def _seed_document(record: dict, doc_id: str, dct: dt.date, where: str) -> GoldDocument:
    events = []
    for i, e in enumerate(record.get("events", ())):
        try:
            interval = (_date(e["time_start"], where), _date(e["time_end"], where))
            events.append(GoldEvent(e["trigger_start"], e["trigger_end"], e.get("trigger", ""), e.get("type"), [GoldTime(None, None, interval)]))
        except KeyError as exc:
            raise ValueError(f"{where}: event {i} has no {exc.args[0]!r}") from None
    times = [
        GoldTime(t["start"], t["end"], (_date(t["interval_start"], where), _date(t["interval_end"], where)), t.get("value"), t.get("type"))
        for t in record.get("timexes", ())
        if t.get("interval_start") and t.get("interval_end")
    ]
    return GoldDocument(doc_id, dct, record["text"], events, times)


# ---------------------------------------------------------------------------- scoring


def _matches(event, gold_time: GoldTime) -> bool:
    """A predicted event is at the gold time: intervals overlap, or (a gold time with no
    interval) it is dated by a time expression overlapping the gold one's span."""
    if gold_time.interval is not None:
        if event.time_start is None or event.time_end is None:
            return False
        a, b = gold_time.interval
        return event.time_start < b and a < event.time_end
    if gold_time.start is None or event.timex_id is None or event.time_surface is None:
        return False
    span = getattr(event, "timex_span", None)
    return span is not None and span[0] < gold_time.end and gold_time.start < span[1]


def _contains(event, gold: GoldEvent) -> bool:
    return event.start <= gold.start and gold.end <= event.end


@dataclass(slots=True)
class _Counts:
    gold: int = 0
    recalled: int = 0
    counted: int = 0
    correct: int = 0
    by_basis: Counter = field(default_factory=Counter)
    correct_by_basis: Counter = field(default_factory=Counter)
    found: int = 0
    seed_events: int = 0
    typed: int = 0
    typed_right: int = 0

    def report(self) -> dict:
        p, r = safe_ratio(self.correct, self.counted), safe_ratio(self.recalled, self.gold)
        return {
            "anchoring": {
                "p": round(p, 4),
                "r": round(r, 4),
                "f1": round(safe_ratio(2 * p * r, p + r), 4),
                "correct": self.correct,
                "counted": self.counted,
                "recalled": self.recalled,
                "gold": self.gold,
            },
            "anchoring_by_basis": {
                basis: {"counted": n, "p": round(safe_ratio(self.correct_by_basis[basis], n), 4)}
                for basis, n in sorted(self.by_basis.items())
            },
        }


def score_anchoring(gold_doc: GoldDocument, events: Sequence, counts: _Counts) -> None:
    """Add one document's anchoring counts (see the module docstring)."""
    anchored = [g for g in gold_doc.events if g.anchors]
    by_start = sorted(anchored, key=lambda g: g.start)
    for g in anchored:
        for gold_time in g.anchors:
            counts.gold += 1
            if any(_contains(e, g) and _matches(e, gold_time) for e in events):
                counts.recalled += 1
    for e in events:
        inside = [g for g in by_start if _contains(e, g)]
        if not inside:
            continue
        right = any(_matches(e, t) for g in inside for t in g.anchors)
        counts.counted += 1
        counts.correct += right
        counts.by_basis[e.time_basis] += 1
        counts.correct_by_basis[e.time_basis] += right
    for g in gold_doc.events:
        if g.type is None:
            continue
        counts.seed_events += 1
        if any(_contains(e, g) and e.type == g.type and all(_matches(e, t) for t in g.anchors) for e in events):
            counts.found += 1
        heads = [e for e in events if e.trigger_start <= g.start < e.trigger_end]
        if heads:
            counts.typed += 1
            counts.typed_right += heads[0].type == g.type


class _Located:
    """An event with the span of the time expression that dates it (for gold times
    without an interval)."""

    __slots__ = ("_event", "timex_span")

    def __init__(self, event, timex_span):
        self._event = event
        self.timex_span = timex_span

    def __getattr__(self, name):
        return getattr(self._event, name)


def _with_timex_spans(events: Sequence, timexes: Sequence) -> list:
    spans = {t.timex_id: (t.start, t.end) for t in timexes}
    return [_Located(e, spans.get(e.timex_id)) for e in events]


def _gold_timexes(gold_doc: GoldDocument, sentences) -> list:
    """The gold time expressions as the event stage's input (those with an interval)."""
    import bisect

    from ..timexes import Timex

    starts = [s.start for s in sentences]
    out = []
    for n, t in enumerate(sorted((t for t in gold_doc.times if t.interval and t.start is not None), key=lambda t: t.start)):
        a, b = t.interval
        if a == dt.date.min or b == dt.date.max:
            continue
        out.append(
            Timex(
                timex_id=f"{gold_doc.doc_id}:gold{n}",
                doc_id=gold_doc.doc_id,
                sent_idx=max(0, bisect.bisect_right(starts, t.start) - 1),
                start=t.start,
                end=t.end,
                surface=gold_doc.text[t.start : t.end],
                type=t.type or "DATE",
                value=t.value,
                mod=None,
                anchor="gold",
                interval_start=a,
                interval_end=b,
                granularity=None,
            )
        )
    return out


def evaluate(path: str | Path, process: Callable | None = None) -> dict:
    """Score the pipeline's events against a gold file (either layout).

    Args:
        path: the gold JSONL file.
        process: ``Document -> DocumentResult``; the whole per-document pipeline by
            default.

    Returns:
        The report (keys in the module docstring).
    """
    from ..events import extract_events
    from ..pipeline import process_document

    process = process or process_document
    ours, oracle = _Counts(), _Counts()
    docs = 0
    throughput = Throughput()
    for gold_doc in read_event_gold(path):
        docs += 1
        doc = Document(doc_id=gold_doc.doc_id, text=gold_doc.text, published=gold_doc.dct)
        result = throughput.run(gold_doc.text, process, doc)
        score_anchoring(gold_doc, _with_timex_spans(result.events, result.timexes), ours)
        gold_timexes = _gold_timexes(gold_doc, result.sentences)
        oracle_events = extract_events(doc, result.sentences, gold_timexes, result.claims)
        score_anchoring(gold_doc, _with_timex_spans(oracle_events, gold_timexes), oracle)
    report = {
        "docs": docs,
        **ours.report(),
        "anchoring_gold_timexes": oracle.report()["anchoring"],
        "kb_per_s": throughput.kb_per_s or None,
    }
    if ours.seed_events:
        report["events_found"] = {"found": ours.found, "gold": ours.seed_events}
        report["type_accuracy"] = round(safe_ratio(ours.typed_right, ours.typed), 4)
    return report


def format_report(report: dict) -> str:
    """A short human-readable report."""
    a = report["anchoring"]
    g = report["anchoring_gold_timexes"]
    lines = [
        f"Events: {report['docs']} document(s), {a['gold']} gold anchors",
        f"  anchoring    P {a['p']:.3f}  R {a['r']:.3f}  F1 {a['f1']:.3f}  "
        f"({a['correct']}/{a['counted']} counted events right, {a['recalled']}/{a['gold']} anchors found)",
        f"  with gold time expressions: P {g['p']:.3f}  R {g['r']:.3f}  F1 {g['f1']:.3f}",
    ]
    for basis, row in report["anchoring_by_basis"].items():
        lines.append(f"  precision of {basis:<11} {row['p']:.3f} over {row['counted']} events")
    if "events_found" in report:
        f = report["events_found"]
        lines.append(f"  gold events found (trigger, type, time): {f['found']}/{f['gold']}; type accuracy {report['type_accuracy']:.3f}")
    if report.get("kb_per_s"):
        lines.append(f"  speed: {report['kb_per_s']:,.1f} KB/s (whole per-document pipeline)")
    return "\n".join(lines)
