"""Scoring helpers shared by every evaluation kind."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

__all__ = ["Throughput", "prf", "read_gold", "safe_ratio", "shared_eval_dir"]


def safe_ratio(numerator: float, denominator: float) -> float:
    """``numerator / denominator``, 0.0 when there is nothing to divide by."""
    return numerator / denominator if denominator else 0.0


def prf(true_positives: float, predicted: float, gold: float) -> dict[str, float]:
    """Precision, recall and F1 from counts, rounded to 4 places."""
    p = safe_ratio(true_positives, predicted)
    r = safe_ratio(true_positives, gold)
    f1 = safe_ratio(2 * p * r, p + r)
    return {"p": round(p, 4), "r": round(r, 4), "f1": round(f1, 4), "tp": true_positives, "predicted": predicted, "gold": gold}


def read_gold(path: str | Path) -> Iterator[dict]:
    """Records of a gold JSONL file.

    Raises:
        ValueError: a line is not a JSON object (the message names the line).
    """
    with open(path, encoding="utf-8") as handle:
        for line_no, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"line {line_no}: not valid JSON ({exc.msg})") from None
            if not isinstance(record, dict):
                raise ValueError(f"line {line_no}: expected a JSON object")
            yield record


def shared_eval_dir() -> Path:
    """``../shared/eval`` beside the repository, or ``$ANALYSIS_SHARED_EVAL``."""
    import os

    override = os.environ.get("ANALYSIS_SHARED_EVAL")
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[2].parent / "shared" / "eval"


class Throughput:
    """KB of text per CPU second (one core) of what an evaluation times, after start-up.

    Every ``evaluate`` measures its speed with one of these, the same way: the first
    call is run once untimed before it is timed (compiling patterns and loading
    lexicons is start-up, not throughput, as DESIGN.md's Performance section says), and
    each call is timed with ``time.process_time`` (the CPU time of this process, which
    other work on a shared machine does not inflate). What is timed is the callable
    given to :meth:`run`; each kind's docstring names it.
    """

    def __init__(self) -> None:
        self.bytes = 0
        self.seconds = 0.0
        self._warm = False

    def run(self, text: str, fn: Callable[..., Any], *args: Any) -> Any:
        """``fn(*args)``, timed, counting ``text`` (the document it reads) as done."""
        if not self._warm:
            fn(*args)
            self._warm = True
        began = time.process_time()
        result = fn(*args)
        self.seconds += time.process_time() - began
        self.bytes += len(text.encode("utf-8"))
        return result

    @property
    def kb_per_s(self) -> float:
        """KB (1,000 bytes of UTF-8) per second, rounded to 0.1; 0.0 before any run."""
        return round(safe_ratio(self.bytes / 1000, self.seconds), 1)
