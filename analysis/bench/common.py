"""Timing helpers shared by the bench sections."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..corpus import Document
from ..evaluation.metrics import read_gold, shared_eval_dir

__all__ = ["BenchContext", "Measurement", "gold_documents", "measure", "utf8_sizes"]


@dataclass(slots=True)
class Measurement:
    """One timed tool on one text: KB of UTF-8 text per second of wall time."""

    section: str
    tool: str
    kb: float
    seconds: float
    note: str = ""
    figures: dict = field(default_factory=dict)  # more figures for --json (peak RSS, ratios)
    # a peer (or ours) compared with the section's first measurement; False for a
    # part of ours (a stage, the corpus step), where a ratio means nothing
    compared: bool = True

    @property
    def kb_per_s(self) -> float:
        return self.kb / self.seconds if self.seconds else float("inf")


@dataclass(slots=True)
class BenchContext:
    """What every section gets: where the gold lies and how long to time each tool."""

    shared_eval: Path = field(default_factory=shared_eval_dir)
    min_seconds: float = 2.0
    quick: bool = False


def measure(section: str, tool: str, fn: Callable[[object], object], items: Sequence, sizes: Sequence[int], *, min_seconds: float, note: str = "") -> Measurement:
    """Call ``fn`` on every item, repeating the whole list until ``min_seconds`` have
    passed; the first item is run once before timing (imports, caches: start-up is not
    throughput)."""
    if items:
        fn(items[0])
    total_bytes = sum(sizes)
    rounds = 0
    began = time.perf_counter()
    elapsed = 0.0
    while True:
        for item in items:
            fn(item)
        rounds += 1
        elapsed = time.perf_counter() - began
        if elapsed >= min_seconds:
            break
    return Measurement(section, tool, total_bytes * rounds / 1000, elapsed, note)


def gold_documents(path: Path, *, text_key: str = "text", dct_key: str = "dct", limit: int | None = None) -> list[Document]:
    """Documents made from a gold JSONL file (its texts and dates)."""
    docs = []
    for i, record in enumerate(read_gold(path)):
        if limit is not None and i >= limit:
            break
        published = dt.date.fromisoformat(record[dct_key][:10]) if record.get(dct_key) else dt.date(2000, 1, 1)
        docs.append(Document(doc_id=str(record.get("doc_id", record.get("id", i))), text=record[text_key], published=published))
    return docs


def utf8_sizes(texts: Iterable[str]) -> list[int]:
    return [len(t.encode("utf-8")) for t in texts]
