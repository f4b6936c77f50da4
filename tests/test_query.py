"""analysis.query and `python -m analysis query`; corpus steps after the document phase."""

from __future__ import annotations

import json
import random
import subprocess
import sys

import duckdb
import pandas as pd
import pyarrow as pa
import pytest

import analysis
from analysis import Settings, read_table, run_corpus
from analysis import pipeline
from analysis.cli import main
from analysis.engines.steps import CorpusStepError
from analysis.tables import SCHEMAS, register_table

from .conftest import ARTICLES, ROOT
from .scale_corpus import jsonl_rows, write_jsonl


@pytest.fixture(scope="module")
def seed_out(tmp_path_factory):
    out = tmp_path_factory.mktemp("seed-out")
    run_corpus(ARTICLES, out)
    return out


@pytest.fixture(scope="module")
def many_parts(tmp_path_factory):
    """A run with many Parquet parts and some rejects."""
    folder = tmp_path_factory.mktemp("many")
    rows = jsonl_rows(random.Random(11), "j", 120) + [{"doc_id": "bad", "text": "", "published": "2021-01-01"}]
    write_jsonl(folder / "corpus" / "feed.jsonl", rows)
    run_corpus(folder / "corpus", folder / "out", Settings(batch_size=9, workers=1))
    return folder / "out"


def test_query_returns_what_read_table_returns(seed_out, many_parts):
    for out in (seed_out, many_parts):
        for name in ("documents", "sentences"):
            direct = read_table(out, name)
            queried = analysis.query(f"SELECT * FROM {name}", out)
            pd.testing.assert_frame_equal(queried, direct)


def test_views_read_the_same_through_query_and_read_table(many_parts):
    """``events`` and ``timeline`` are views (the step's tables joined when read): SQL
    sees what read_table gives, the timeline in its order, and no progress bar of
    DuckDB's can land in printed results."""
    timeline = read_table(many_parts, "timeline")
    pd.testing.assert_frame_equal(analysis.query("SELECT * FROM timeline", many_parts), timeline)
    events = read_table(many_parts, "events")
    queried = analysis.query("SELECT * FROM events ORDER BY event_id", many_parts)
    pd.testing.assert_frame_equal(queried, events.sort_values("event_id", ignore_index=True))
    mentions = read_table(many_parts, "event_mentions")
    counts = mentions.groupby("canonical_id").size()
    assert (events.set_index("event_id")["n_mentions"].loc[counts.index] == counts).all()
    assert len(timeline) == len(read_table(many_parts, "claims")) + (mentions["canonical_id"] == mentions["event_id"]).sum()
    with analysis.connect(many_parts) as connection:
        assert connection.execute("SELECT current_setting('enable_progress_bar')").fetchall() == [(False,)]


def test_query_aggregates_over_many_parts(many_parts):
    assert len(list((many_parts / "sentences").glob("part-*.parquet"))) == 14
    counts = analysis.query("SELECT doc_id, count(*) AS n FROM sentences GROUP BY doc_id ORDER BY doc_id", many_parts)
    sentences = read_table(many_parts, "sentences")
    expected = sentences.groupby("doc_id").size().sort_index()
    assert list(counts["doc_id"]) == list(expected.index) and list(counts["n"]) == list(expected)
    dated = analysis.query("SELECT min(published) AS first FROM documents", many_parts)
    assert str(dated["first"].dtype).startswith("datetime64")


def test_query_parameters_and_empty_tables(seed_out):
    found = analysis.query("SELECT sent_idx FROM sentences WHERE speaker = ? ORDER BY sent_idx", seed_out, params=["A NATO official"])
    assert len(found) == 1
    rejects = analysis.query("SELECT * FROM rejects", seed_out)
    assert rejects.empty and list(rejects.columns) == SCHEMAS["rejects"].names


def test_query_errors_are_clear(seed_out, tmp_path):
    with pytest.raises(duckdb.Error, match="nope"):
        analysis.query("SELECT * FROM nope", seed_out)
    with pytest.raises(FileNotFoundError, match="run `python -m analysis run"):
        analysis.query("SELECT 1", tmp_path)


def test_query_cli_formats(seed_out, capsys, tmp_path):
    sql = "SELECT speaker, count(*) AS n FROM sentences GROUP BY speaker ORDER BY n DESC, speaker"
    assert main(["query", sql, "--out", str(seed_out)]) == 0
    table = capsys.readouterr().out
    assert "Stoltenberg 23" in " ".join(table.split()) and "(3 row(s))" in table
    assert main(["query", "SELECT sent_idx FROM sentences", "--out", str(seed_out), "--max-rows", "2"]) == 0
    assert "(first 2 of 26 rows;" in capsys.readouterr().out
    assert main(["query", "SELECT doc_id, published FROM documents", "--out", str(seed_out), "--format", "jsonl"]) == 0
    assert json.loads(capsys.readouterr().out) == {"doc_id": "nato-stoltenberg-2021-08-17", "published": "2021-08-17"}
    for suffix in ("csv", "parquet", "jsonl"):
        target = tmp_path / f"speakers.{suffix}"
        assert main(["query", sql, "--out", str(seed_out), "--save", str(target)]) == 0
        assert "wrote 3 row(s)" in capsys.readouterr().out
        saved = {"csv": pd.read_csv, "parquet": pd.read_parquet, "jsonl": lambda p: pd.read_json(p, lines=True)}[suffix](target)
        assert len(saved) == 3 and list(saved.columns) == ["speaker", "n"]


def test_query_cli_csv_streams_every_row(seed_out):
    done = subprocess.run(
        [sys.executable, "-m", "analysis", "query", "SELECT sent_idx, quoted FROM sentences ORDER BY sent_idx", "--out", str(seed_out), "--format", "csv"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    lines = done.stdout.splitlines()
    assert lines[0] == '"sent_idx","quoted"' and len(lines) == 27


def test_query_cli_bad_sql_and_folder(seed_out, tmp_path, capsys):
    assert main(["query", "SELECT * FROM nope", "--out", str(seed_out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "nope" in err and "tables in" in err and "sentences" in err
    assert main(["query", "SELECT 1", "--out", str(tmp_path / "none")]) == 2
    assert "no tables here" in capsys.readouterr().err


def test_run_cli_scale_options(tmp_path, capsys):
    corpus = write_jsonl(tmp_path / "feed.jsonl", jsonl_rows(random.Random(12), "j", 5))
    assert main(["run", str(corpus), "--out", str(tmp_path / "out"), "--workers", "1", "--batch-size", "2", "--no-csv"]) == 0
    report = capsys.readouterr().out
    assert "5 document(s): 5 processed, 0 unchanged" in report
    assert len(list((tmp_path / "out" / "documents").glob("part-*.parquet"))) == 3
    assert not list((tmp_path / "out").glob("*.csv"))
    with pytest.raises(SystemExit):
        main(["run", str(corpus), "--workers", "0"])
    assert "at least 1" in capsys.readouterr().err
    assert main(["run", str(corpus), "--out", str(tmp_path / "o2"), "--engine", "local", "--scheduler", "tcp://127.0.0.1:1"]) == 2
    assert "--scheduler is for --engine dask" in capsys.readouterr().err


def test_run_cli_unreachable_scheduler(tmp_path, capsys, monkeypatch):
    pytest.importorskip("distributed")
    from analysis.engines import on_dask

    monkeypatch.setattr(on_dask, "CONNECT_TIMEOUT", "1s")
    corpus = write_jsonl(tmp_path / "feed.jsonl", jsonl_rows(random.Random(13), "j", 2))
    code = main(["run", str(corpus), "--out", str(tmp_path / "out"), "--scheduler", "tcp://127.0.0.1:9", "--workers", "1"])
    assert code == 1
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in capsys.readouterr().err


# ---------------------------------------------------------------------------- corpus steps


def test_rejects_summary_step(many_parts):
    summary = read_table(many_parts, "rejects_summary")
    assert summary.to_dict("records") == [
        {
            "kind": "empty",
            "count": 1,
            "files": 1,
            "first_path": str(many_parts.parent / "corpus" / "feed.jsonl"),
            "first_location": "line 121",
            "first_reason": "empty article (no text)",
        }
    ]


@pytest.fixture
def words_step(monkeypatch):
    """A corpus step that counts sentences per speaker across the corpus, through DuckDB."""
    register_table("speaker_counts", [("speaker", pa.string()), ("documents", pa.int64()), ("sentences", pa.int64())])

    def speaker_counts(ctx):
        ctx.write(
            "speaker_counts",
            ctx.sql(
                "SELECT speaker, count(DISTINCT doc_id) AS documents, count(*) AS sentences "
                "FROM sentences WHERE speaker IS NOT NULL GROUP BY speaker ORDER BY sentences DESC, speaker"
            ),
        )

    monkeypatch.setattr(pipeline, "CORPUS_STEPS", [*pipeline.CORPUS_STEPS, ("speaker_counts", speaker_counts)])
    yield
    SCHEMAS.pop("speaker_counts", None)


def test_corpus_step_runs_after_documents_and_on_reruns(words_step, tmp_path):
    corpus = tmp_path / "corpus"
    write_jsonl(corpus / "feed.jsonl", jsonl_rows(random.Random(14), "j", 20))
    summary = run_corpus(corpus, tmp_path / "out", Settings(batch_size=6))
    counts = read_table(tmp_path / "out", "speaker_counts")
    sentences = read_table(tmp_path / "out", "sentences")
    assert counts["sentences"].sum() == sentences["speaker"].notna().sum()
    assert summary.tables["speaker_counts"] == len(counts)
    assert (tmp_path / "out" / "speaker_counts.csv").is_file()
    write_jsonl(corpus / "more.jsonl", jsonl_rows(random.Random(15), "k", 5))
    rerun = run_corpus(corpus, tmp_path / "out", Settings(batch_size=6))
    assert rerun.processed == 5
    after = read_table(tmp_path / "out", "speaker_counts")
    assert after["sentences"].sum() == read_table(tmp_path / "out", "sentences")["speaker"].notna().sum() > counts["sentences"].sum()
    assert pd.read_csv(tmp_path / "out" / "speaker_counts.csv")["sentences"].sum() == after["sentences"].sum()


def test_failing_corpus_step_keeps_documents(monkeypatch, tmp_path):
    def broken(ctx):
        raise RuntimeError("no luck")

    monkeypatch.setattr(pipeline, "CORPUS_STEPS", [("broken", broken)])
    corpus = write_jsonl(tmp_path / "feed.jsonl", jsonl_rows(random.Random(16), "j", 4))
    with pytest.raises(CorpusStepError, match="corpus step 'broken' failed .*no luck"):
        run_corpus(corpus, tmp_path / "out")
    assert len(read_table(tmp_path / "out", "documents")) == 4
    monkeypatch.setattr(pipeline, "CORPUS_STEPS", [])
    assert run_corpus(corpus, tmp_path / "out").processed == 0


def test_write_table_takes_frames_as_read_table_gives_them(tmp_path, seed_out):
    """A corpus step may build a DataFrame from read_table (dates as datetime64, nullable
    dtypes) and write it back under its declared Arrow types."""
    from analysis.storage import write_table

    register_table("published_days", [("doc_id", pa.string()), ("published", pa.date32()), ("n_chars", pa.int32())])
    try:
        frame = read_table(seed_out, "documents")[["doc_id", "published", "n_chars"]]
        frame = pd.concat([frame, pd.DataFrame({"doc_id": [None], "published": [pd.NaT], "n_chars": [None]})], ignore_index=True)
        assert write_table(tmp_path, "published_days", frame) == 2
        back = read_table(tmp_path, "published_days")
        assert back.loc[0, "published"] == pd.Timestamp("2021-08-17") and back.loc[0, "n_chars"] == 3082
        assert back.loc[1].isna().all()
    finally:
        SCHEMAS.pop("published_days", None)
