"""The benchmark's own logic on tiny input (figures are not asserted: no timed tests)."""

from __future__ import annotations

import json

from analysis.bench import __main__ as bench_main
from analysis.bench import pipeline as bench_pipeline
from analysis.bench.common import Measurement
from analysis.pipeline import STAGES


def test_stage_cpu_gives_one_figure_per_stage(seed_doc):
    sizes = [len(seed_doc.text.encode("utf-8"))]
    figures = bench_pipeline.stage_cpu([seed_doc], sizes, min_seconds=0)
    assert [m.tool for m in figures] == [f"stage {name}" for name, _ in STAGES]
    assert all(m.kb == sizes[0] / 1000 and m.seconds >= 0 and not m.compared for m in figures)
    assert all("best of 2 rounds" in m.note for m in figures)


def test_parts_of_ours_get_no_ratio(monkeypatch, capsys):
    class Section:
        TITLE = "test section"

        @staticmethod
        def run(ctx):
            return [
                Measurement("s", "ours", 10.0, 1.0),
                Measurement("s", "a stage of ours", 10.0, 0.5, compared=False),
                Measurement("s", "a peer", 10.0, 4.0),
            ]

    monkeypatch.setattr(bench_main.importlib, "import_module", lambda name: Section)
    bench_main.main(["--section", "pipeline", "--json"])
    rows = json.loads(capsys.readouterr().out)["results"]
    assert [r["ours_vs_this"] for r in rows] == [1.0, None, 4.0]
