"""The scoring helpers every evaluation kind shares: how speed is measured."""

from __future__ import annotations

import importlib
import json

import pytest

from analysis.evaluation import metrics
from analysis.evaluation.metrics import Throughput

from .conftest import SEED_GOLD


class _Clock:
    """A CPU clock that a test moves by hand: no test depends on real time."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    fake = _Clock()
    monkeypatch.setattr(metrics.time, "process_time", fake)
    return fake


def test_throughput_runs_the_first_call_once_untimed(clock):
    calls = []

    def stage(x):
        # start-up (compiling patterns) costs 100 s the first time, a run 1 s
        clock.now += 100.0 if not calls else 1.0
        calls.append(x)
        return x * 2

    speed = Throughput()
    assert speed.kb_per_s == 0.0
    assert speed.run("a" * 2000, stage, 21) == 42
    assert calls == [21, 21]  # the warm-up, then the timed run
    speed.run("b" * 1000, stage, 1)
    assert speed.seconds == 2.0 and speed.bytes == 3000
    assert speed.kb_per_s == 1.5


def test_throughput_counts_utf8_bytes(clock):
    def stage():
        clock.now += 0.5

    speed = Throughput()
    speed.run("€" * 1000, stage)  # three bytes each
    assert speed.bytes == 3000 and speed.kb_per_s == 6.0


class _TickingClock(_Clock):
    """Each reading is one second later: a timed call (two readings) takes 1 s."""

    def __call__(self) -> float:
        self.now += 1.0
        return self.now


def _newsquant_file(tmp_path):
    filler = " The rest of the report says nothing about numbers at all." * 20  # ~1 KB a text
    records = [
        {"id": 1, "text": "The company hired 800 workers." + filler, "quantities": [{"value": 800, "unit": "workers"}]},
        {"id": 2, "text": "Sales rose about 5% to $2.4 million." + filler, "quantities": [{"value": 5}, {"value": 2400000}]},
    ]
    gold = tmp_path / "newsquant.jsonl"
    gold.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    return gold, [r["text"] for r in records]


@pytest.mark.parametrize("kind", ["quantities", "claims", "timex"])
def test_every_kind_times_each_document_once_after_start_up(kind, monkeypatch, tmp_path):
    """Each document is timed once (1 s on this clock) and the warm-up run is not: the
    figure is the documents' KB over their number."""
    module = importlib.import_module(f"analysis.evaluation.{kind}")
    monkeypatch.setattr(metrics.time, "process_time", _TickingClock())
    if kind == "quantities":
        gold, texts = _newsquant_file(tmp_path)
    else:
        gold = SEED_GOLD
        texts = [json.loads(line)["text"] for line in SEED_GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]
    size = sum(len(t.encode("utf-8")) for t in texts)
    report = module.evaluate(gold)
    assert report["kb_per_s"] == round(size / 1000 / len(texts), 1)
