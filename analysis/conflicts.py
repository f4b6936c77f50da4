"""Conflicting claims: two figures for the same thing at the same time whose bounds
cannot both be true ("800 civilian personnel" in one report, "900" in another).

Two claims are compared when they

* have the same category (``troops``, ``personnel``, ``deaths``...); for a category
  that does not say what is counted by itself (``money``, ``percent``, ``people``,
  ``other``: ``generic_categories`` in ``lexicons/conflicts.yaml``) the two must also
  count the same thing (the same head noun) of the same named actor,
* are asserted or estimated (a projection, a pledge, a hypothesis or a denial does not
  state what is), and not a figure of a trend told in one breath (``time_basis``
  series: its interval is the trend's whole span, not the figure's time),
* come from different documents, or from different speakers of one document,
* count the same thing when both say what (the same head noun: "12 Americans" among
  "257 people" is no contradiction) and do not name different actors or locations,
  and
* are about the same time: their intervals overlap by at least
  ``Settings.conflict_time_overlap`` (one half) of their union, so a figure for a day
  is not held against a figure for the year around it (the count may have changed in
  between).

They conflict when their bounds exclude each other: an exact or approximate value is
a point (an approximate one widened by ``Settings.conflict_approx_tolerance``, 10%),
"more than X" is the open interval above X, "at least X" the closed one, "less than X"
and "at most/up to X" likewise below, a range its two ends. ``gap`` is the distance
between the two sets of bounds as written (how far apart the figures are).

The corpus step runs this on one group at a time (one category, one month of
``time_start``), so memory holds one group.
"""

from __future__ import annotations

import datetime as dt
import math
import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from .dedup import mention_words
from .lexicons import load_lexicon

__all__ = ["Bounds", "bounds_of", "find_conflicts", "time_overlap"]


@functools.cache
def _lexicon() -> dict:
    lex = load_lexicon("conflicts.yaml")
    return {
        "generic": frozenset(lex["generic_categories"]),
        "modalities": frozenset(lex["comparable_modalities"]),
    }


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


@dataclass(frozen=True, slots=True)
class _Usable:
    """A claim that may conflict, with what comparing it needs."""

    claim: Mapping
    bounds: Bounds  # approximate values widened
    written: Bounds  # as written, for the gap
    head: frozenset[str]
    needs_head: bool  # a generic category: same head and actor needed


def _comparable(a: _Usable, b: _Usable, min_overlap: float) -> bool:
    ca, cb = a.claim, b.claim
    if ca["doc_id"] == cb["doc_id"] and (ca.get("speaker") or None) == (cb.get("speaker") or None):
        return False
    if a.head and b.head and a.head != b.head:
        return False  # "12 Americans" among "257 people" is no contradiction
    if a.needs_head and not (a.head and a.head == b.head and ca.get("actor") and ca.get("actor") == cb.get("actor")):
        return False
    for key in ("actor", "location"):
        if ca.get(key) and cb.get(key) and ca[key] != cb[key]:
            return False
    return time_overlap(ca["time_start"], ca["time_end"], cb["time_start"], cb["time_end"]) >= min_overlap


def _head(claim: Mapping) -> frozenset[str]:
    """The counted noun's head word, in the form de-duplication compares ("troops" and
    "troop" agree)."""
    head = claim.get("noun_head") or (claim.get("noun") or "").rsplit(" ", 1)[-1]
    return mention_words(head)


def _eligible(claim: Mapping) -> bool:
    category = claim.get("category")
    modality = claim.get("modality") or "asserted"
    return (
        bool(category)
        and modality in _lexicon()["modalities"]
        and claim.get("time_start") is not None
        # a figure of a trend told in one breath is dated by the trend's whole span
        and claim.get("time_basis") != "series"
    )


def _same_figure(claim: Mapping) -> tuple:
    """What makes two claims the same figure for conflicts (copies of one report)."""
    return tuple(claim.get(k) for k in ("category", "value", "low", "high", "qualifier", "noun_head", "noun", "actor", "location", "speaker", "time_start", "time_end"))


def find_conflicts(claims: Sequence[Mapping], min_overlap: float = 0.5, tolerance: float = 0.1, flagged: set | None = None) -> Iterable[dict]:
    """Conflicting pairs among claims of one category.

    Claims that repeat the same figure (the same value, bounds, noun, actor, place,
    speaker and time: copies of one report) are compared once, by the first of them;
    ``flagged`` (if given) receives the ids of every claim in a conflict, copies
    included.

    Args:
        claims: claim rows (``claims`` columns plus ``source``), in canonical order
            (publication date, document, position): the earlier claim of a pair is
            ``claim_a``.
        min_overlap: least share of shared time (see :func:`time_overlap`).
        tolerance: relative margin of an approximate figure.
        flagged: a set to add the ids of conflicting claims to.

    Yields:
        Rows of the ``conflicts`` table.
    """
    generic = _lexicon()["generic"]
    usable: list[_Usable] = []
    copies: dict[tuple, list[str]] = {}
    for c in claims:
        if not _eligible(c):
            continue
        key = _same_figure(c)
        if key in copies:
            copies[key].append(c["claim_id"])
            continue
        bounds = bounds_of(c, tolerance)
        if bounds is not None:
            copies[key] = [c["claim_id"]]
            usable.append(_Usable(c, bounds, bounds_of(c), _head(c), c["category"] in generic))
    # sweep in time order: only claims whose intervals still run can overlap
    order = sorted(range(len(usable)), key=lambda k: (usable[k].claim["time_start"], k))
    active: list[int] = []
    for k in order:
        current = usable[k]
        start = current.claim["time_start"]
        active = [j for j in active if usable[j].claim["time_end"] > start]
        if current.needs_head and not current.head:
            active.append(k)
            continue  # a generic figure that does not say what it counts: comparable to none
        for j in active:
            other = usable[j]
            if current.bounds.excludes(other.bounds) and _comparable(current, other, min_overlap):
                first, second = usable[min(j, k)], usable[max(j, k)]
                if flagged is not None:
                    flagged.update(copies[_same_figure(first.claim)], copies[_same_figure(second.claim)])
                yield _row(first.claim, second.claim, first.written, second.written)
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
