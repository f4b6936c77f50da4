"""Running the pipeline over a corpus: tables, counts and a 10 MB corpus."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd

from analysis import read_table, run_corpus
from analysis.storage import table_names

from .conftest import ARTICLES, ROOT


def test_demo_corpus_tables(tmp_path, seed_doc):
    summary = run_corpus(ARTICLES, tmp_path)
    assert summary.documents == 1 and summary.rejected == 0
    documents = read_table(tmp_path, "documents")
    assert documents.loc[0, "doc_id"] == "nato-stoltenberg-2021-08-17"
    assert documents.loc[0, "n_chars"] == 3082
    assert str(documents["published"].dtype).startswith("datetime64")
    assert documents.loc[0, "published"] == pd.Timestamp("2021-08-17")
    sentences = read_table(tmp_path, "sentences")
    assert len(sentences) == summary.tables["sentences"] == 26
    for row in sentences.itertuples():
        assert seed_doc.text[row.start : row.end] == row.text
    csv = pd.read_csv(tmp_path / "sentences.csv")
    assert list(csv.columns) == list(sentences.columns) and len(csv) == 26
    assert {"documents", "sentences", "rejects"} <= set(table_names(tmp_path))
    run_json = json.loads((tmp_path / "run.json").read_text())
    assert run_json["documents"] == 1 and run_json["tables"]["sentences"] == 26


def test_same_tables_whatever_the_time_zone(tmp_path):
    outputs = []
    for tz in ("UTC", "Pacific/Auckland"):
        out = tmp_path / tz.replace("/", "_")
        subprocess.run(
            [sys.executable, "-m", "analysis", "run", str(ARTICLES), "--out", str(out)],
            cwd=ROOT,
            env={"TZ": tz, "PATH": "/usr/bin:/bin"},
            check=True,
            capture_output=True,
        )
        outputs.append({csv.name: csv.read_bytes() for csv in sorted(out.glob("*.csv"))})
    assert {"documents.csv", "sentences.csv", "events.csv", "timeline.csv"} <= set(outputs[0])
    assert outputs[0] == outputs[1]


def test_ten_megabyte_corpus(tmp_path, seed_doc):
    """A generated 10 MB JSONL corpus (seed text under many ids, plus broken rows)."""
    path = tmp_path / "big.jsonl"
    n_good = 0
    with path.open("w", encoding="utf-8") as handle:
        size = 0
        i = 0
        while size < 10_000_000:
            i += 1
            if i % 500 == 0:
                line = json.dumps({"doc_id": f"bad-{i}", "text": "", "published": "2021-08-17"})
            elif i % 777 == 0:
                line = json.dumps({"doc_id": f"bad-{i}", "text": "x", "published": "2021-02-30"})
            else:
                line = json.dumps({"doc_id": f"d{i}", "text": seed_doc.text, "published": "2021-08-17"})
                n_good += 1
                size += len(seed_doc.text.encode("utf-8"))
            handle.write(line + "\n")
    n_bad = i - n_good
    summary = run_corpus(path, tmp_path / "out")
    assert summary.documents == n_good
    assert summary.rejected == n_bad
    assert summary.tables["sentences"] == 26 * n_good
    assert summary.tables["rejects"] == n_bad
    rejects = read_table(tmp_path / "out", "rejects")
    assert set(rejects["kind"]) == {"empty", "date"}
    documents = read_table(tmp_path / "out", "documents")
    assert documents["doc_id"].is_unique and len(documents) == n_good


def test_corpus_step_memory_is_bounded_and_its_lack_explained(tmp_path):
    """The corpus step runs under ``--corpus-memory``; too little gives a one-line error
    that names the option, and the per-document tables stay; a wrong size is refused."""
    out = tmp_path / "out"
    command = [sys.executable, "-m", "analysis", "run", str(ARTICLES), "--out", str(out), "--no-progress"]
    starved = subprocess.run([*command, "--corpus-memory", "1MB"], cwd=ROOT, capture_output=True, text=True)
    assert starved.returncode == 1
    assert "--corpus-memory (now 1MB)" in starved.stderr and "Traceback" not in starved.stderr
    assert "SET memory_limit" not in starved.stderr  # DuckDB's own advice is not ours
    assert len(read_table(out, "sentences")) == 26
    fed = subprocess.run([*command, "--corpus-memory", "64MB"], cwd=ROOT, capture_output=True, text=True)
    assert fed.returncode == 0, fed.stderr
    assert len(read_table(out, "timeline")) > 0 and "0 processed" in fed.stdout
    wrong = subprocess.run([*command, "--corpus-memory", "lots"], cwd=ROOT, capture_output=True, text=True)
    assert wrong.returncode == 2 and "is not an amount of memory" in wrong.stderr
