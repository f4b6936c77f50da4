"""Scoring helpers shared by every evaluation kind."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

__all__ = ["prf", "read_gold", "safe_ratio", "shared_eval_dir"]


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
