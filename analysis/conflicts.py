"""Conflicting claims: two figures for the same thing at the same time whose bounds
cannot both be true ("800 civilian personnel" in one report, "900" in another).

Two claims are compared when they

* have the same category (``troops``, ``personnel``...; never ``other``, which says
  too little about what is counted),
* are asserted or estimated (a projection, a pledge, a hypothesis or a denial does not
  state what is),
* come from different documents, or from different speakers of one document,
* do not name different actors or locations (when both name one), and
* are about the same time: their intervals overlap by at least
  ``Settings.conflict_time_overlap`` (one half) of their union, so a figure for a day
  is not held against a figure for the year around it (the count may have changed in
  between).

They conflict when their bounds exclude each other: an exact or approximate value is
a point (an approximate one widened by ``Settings.conflict_approx_tolerance``, 10%),
"more than X" is the open interval above X, "at least X" the closed one, "less than X"
and "at most/up to X" likewise below, a range its two ends. ``gap`` is the distance
between the two sets of bounds as written (how far apart the figures are).

The corpus step runs this on one group at a time (one category, one year), so memory
holds one group.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

__all__ = ["COMPARABLE_MODALITIES", "Bounds", "bounds_of", "find_conflicts", "time_overlap"]

COMPARABLE_MODALITIES = frozenset({"asserted", "estimated"})


@dataclass(frozen=True, slots=True)
class Bounds:
    """The values a claim allows: ``low`` .. ``high`` (``-inf``/``inf`` when open),
    each end included unless ``*_open``."""

    low: float
    high: float
    low_open: bool = False
    high_open: bool = False

    def excludes(self, other: "Bounds") -> bool:
        """No value satisfies both."""
        if self.high < other.low or other.high < self.low:
            return True
        if self.high == other.low:
            return self.high_open or other.low_open
        if other.high == self.low:
            return other.high_open or self.low_open
        return False


def _number(x) -> float | None:
    if x is None:
        return None
    try:
        value = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(value) else value


def bounds_of(claim: Mapping, tolerance: float = 0.0) -> Bounds | None:
    """The values a claim allows, from its qualifier, value and bounds; ``None`` when
    it gives no number. ``tolerance`` widens an approximate value ("about 1,000")."""
    value, low, high = _number(claim.get("value")), _number(claim.get("low")), _number(claim.get("high"))
    qualifier = claim.get("qualifier") or "exact"
    inf = math.inf
    if qualifier == "more_than" and low is not None:
        return Bounds(low, inf, low_open=True)
    if qualifier == "at_least" and low is not None:
        return Bounds(low, inf)
    if qualifier == "less_than" and high is not None:
        return Bounds(-inf, high, high_open=True)
    if qualifier in ("at_most", "up_to") and high is not None:
        return Bounds(-inf, high)
    if qualifier == "range" and low is not None and high is not None:
        return Bounds(min(low, high), max(low, high))
    if value is None:
        if low is None and high is None:
            return None
        return Bounds(low if low is not None else -inf, high if high is not None else inf)
    if qualifier == "approx":
        margin = abs(value) * tolerance
        return Bounds(value - margin, value + margin)
    return Bounds(value, value)


def _gap(a: Bounds, b: Bounds) -> float:
    return b.low - a.high if a.high < b.low else a.low - b.high if b.high < a.low else 0.0


def time_overlap(a_start: dt.date | None, a_end: dt.date | None, b_start: dt.date | None, b_end: dt.date | None) -> float:
    """Days two half-open intervals share, over the days of their union (0 when either
    is missing or they do not meet)."""
    if None in (a_start, a_end, b_start, b_end):
        return 0.0
    shared = (min(a_end, b_end) - max(a_start, b_start)).days
    if shared <= 0:
        return 0.0
    union = (max(a_end, b_end) - min(a_start, b_start)).days
    return shared / union


def _comparable(a: Mapping, b: Mapping, min_overlap: float) -> bool:
    if a["doc_id"] == b["doc_id"] and (a.get("speaker") or None) == (b.get("speaker") or None):
        return False
    for key in ("actor", "location"):
        if a.get(key) and b.get(key) and a[key] != b[key]:
            return False
    return time_overlap(a["time_start"], a["time_end"], b["time_start"], b["time_end"]) >= min_overlap


def _eligible(claim: Mapping) -> bool:
    category = claim.get("category")
    modality = claim.get("modality") or "asserted"
    return bool(category) and category != "other" and modality in COMPARABLE_MODALITIES and claim.get("time_start") is not None


def find_conflicts(claims: Sequence[Mapping], min_overlap: float = 0.5, tolerance: float = 0.1) -> Iterable[dict]:
    """Conflicting pairs among claims of one category.

    Args:
        claims: claim rows (``claims`` columns plus ``source``), in canonical order
            (publication date, document, position): the earlier claim of a pair is
            ``claim_a``.
        min_overlap: least share of shared time (see :func:`time_overlap`).
        tolerance: relative margin of an approximate figure.

    Yields:
        Rows of the ``conflicts`` table.
    """
    usable = []
    for c in claims:
        if _eligible(c):
            strict, written = bounds_of(c, tolerance), bounds_of(c)
            if strict is not None:
                usable.append((c, strict, written))
    # sweep in time order: only claims whose intervals still run can overlap
    order = sorted(range(len(usable)), key=lambda k: (usable[k][0]["time_start"], k))
    active: list[int] = []
    for k in order:
        claim, bounds, _ = usable[k]
        active = [j for j in active if usable[j][0]["time_end"] > claim["time_start"]]
        for j in active:
            other, other_bounds, _ = usable[j]
            if bounds.excludes(other_bounds) and _comparable(claim, other, min_overlap):
                first, second = usable[min(j, k)], usable[max(j, k)]
                yield _row(first[0], second[0], first[2], second[2])
        active.append(k)


def _row(a: Mapping, b: Mapping, ab: Bounds, bb: Bounds) -> dict:
    start = max(a["time_start"], b["time_start"])
    end = min(a["time_end"], b["time_end"])
    return {
        "conflict_id": f"{a['claim_id']}|{b['claim_id']}",
        "category": a["category"],
        "claim_a": a["claim_id"],
        "claim_b": b["claim_id"],
        "doc_a": a["doc_id"],
        "doc_b": b["doc_id"],
        "source_a": a.get("source"),
        "source_b": b.get("source"),
        "speaker_a": a.get("speaker"),
        "speaker_b": b.get("speaker"),
        "value_a": _number(a.get("value")),
        "value_b": _number(b.get("value")),
        "low_a": _number(a.get("low")),
        "high_a": _number(a.get("high")),
        "low_b": _number(b.get("low")),
        "high_b": _number(b.get("high")),
        "time_start": start,
        "time_end": end,
        "gap": _gap(ab, bb),
        "noun_a": a.get("noun"),
        "noun_b": b.get("noun"),
    }
