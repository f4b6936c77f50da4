"""Time-expression accuracy on the gold in ../shared/eval, held above floors a little
under what the stage reaches (so no change can lose it unseen), and the evaluation
command on the committed seed gold."""

from __future__ import annotations

import json

import pytest

from analysis.cli import main
from analysis.evaluation.timex import evaluate, format_report

from .conftest import SEED_GOLD

# gold file -> {figure: floor}; the stage reaches: tbaq strict 0.883, relaxed 0.941,
# value 0.911; wikiwars strict 0.897, relaxed 0.951, value 0.922.
FLOORS = {
    "timex/tbaq-cleaned.jsonl": {"strict": 0.875, "relaxed": 0.935, "value_accuracy": 0.905, "type_accuracy": 0.94},
    "timex/wikiwars-dev.jsonl": {"strict": 0.885, "relaxed": 0.945, "value_accuracy": 0.915, "type_accuracy": 0.93},
}


@pytest.mark.gold
@pytest.mark.parametrize("gold", sorted(FLOORS))
def test_gold_floor(shared_eval, gold):
    report = evaluate(shared_eval / gold)
    floors = FLOORS[gold]
    assert report["docs"] > 0
    for figure, floor in floors.items():
        reached = report[figure]["f1"] if isinstance(report[figure], dict) else report[figure]
        assert reached >= floor, f"{gold}: {figure} {reached} fell below its floor {floor}"
    assert 0 < report["value_f1"] <= report["relaxed"]["f1"]


def test_evaluate_reports_the_contract_keys_on_the_seed_gold():
    report = evaluate(SEED_GOLD)
    for key in ("strict", "relaxed", "type_accuracy", "value_accuracy", "value_f1", "docs", "kb_per_s"):
        assert key in report
    assert report["strict"]["f1"] == 1.0 and report["value_accuracy"] == 1.0
    assert "strict" in format_report(report)


def test_evaluate_command_prints_json(capsys):
    assert main(["evaluate", "timex", str(SEED_GOLD), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["relaxed"]["f1"] == 1.0


def test_evaluate_command_rejects_a_bad_gold_file(tmp_path, capsys):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"doc_id": "x", "text": "Tuesday"}\n')
    assert main(["evaluate", "timex", str(bad)]) == 2
    assert "dct" in capsys.readouterr().err
