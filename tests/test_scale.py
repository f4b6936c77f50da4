"""Corpus scale: engines agree row for row, reruns process only what changed and equal a
fresh run, a killed run resumes with no row lost or duplicated, broken rows at scale all
land in rejects."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis import Settings, read_table, run_corpus
from analysis.engines.manifest import Manifest, OutputLocked, pipeline_fingerprint
from analysis.storage import MANIFEST_DIR, parquet_parts

from .conftest import ROOT
from .scale_corpus import (
    article_file,
    assert_csv_matches_parquet,
    assert_same_tables,
    jsonl_rows,
    mixed_corpus,
    tables,
    write_jsonl,
)

SMALL_BATCHES = Settings(batch_size=25)


def _parts(out):
    return {name: [p.name for p in parquet_parts(out, name)] for name in ("documents", "sentences", "rejects")}


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    return mixed_corpus(tmp_path_factory.mktemp("mixed"))


@pytest.fixture(scope="module")
def one_worker_run(mixed, tmp_path_factory):
    out = tmp_path_factory.mktemp("one-worker")
    summary = run_corpus(mixed, out, SMALL_BATCHES.replace(workers=1))
    return out, summary


def test_one_worker_run_counts(one_worker_run):
    out, summary = one_worker_run
    assert summary.documents == 20 + 148 + 59 + 60
    assert summary.rejected == 4 and summary.rejects_by_kind == {"date": 2, "empty": 1, "malformed": 1}
    assert summary.tables["documents"] == summary.documents
    assert len(parquet_parts(out, "documents")) == -(-summary.documents // 25)
    assert_csv_matches_parquet(out)


def test_two_workers_write_the_same_tables_as_one(mixed, one_worker_run, tmp_path):
    out, _ = one_worker_run
    summary = run_corpus(mixed, tmp_path, SMALL_BATCHES.replace(workers=2))
    assert summary.workers == 2
    assert _parts(tmp_path) == _parts(out)
    assert_same_tables(out, tmp_path, ordered=True)


def test_dask_local_cluster_writes_the_same_tables(mixed, one_worker_run, tmp_path):
    pytest.importorskip("distributed", reason="make test installs the dask extra; without it the dask engine is absent")
    out, _ = one_worker_run
    summary = run_corpus(mixed, tmp_path, SMALL_BATCHES.replace(workers=2), engine="dask")
    assert summary.engine == "dask"
    assert _parts(tmp_path) == _parts(out)
    assert_same_tables(out, tmp_path, ordered=True)
    for name in ("documents", "sentences"):
        for left, right in zip(parquet_parts(out, name), parquet_parts(tmp_path, name)):
            assert pd.read_parquet(left).equals(pd.read_parquet(right))


def test_dask_refuses_workers_with_other_code(mixed, tmp_path, monkeypatch):
    pytest.importorskip("distributed")
    from analysis.engines import on_dask

    monkeypatch.setattr(on_dask, "pipeline_fingerprint", lambda settings: "another version")
    with pytest.raises(on_dask.WorkerMismatch, match="another version of the analysis package"):
        run_corpus(mixed / "feed.jsonl", tmp_path, SMALL_BATCHES.replace(workers=1), engine="dask")


# ---------------------------------------------------------------------------- reruns


def test_adding_ten_articles_processes_ten(tmp_path):
    rng = random.Random(1)
    corpus = tmp_path / "corpus"
    for i in range(60):
        article_file(corpus, f"a{i:03d}", rng)
    write_jsonl(corpus / "feed.jsonl", jsonl_rows(rng, "j", 200))
    out = tmp_path / "out"
    first = run_corpus(corpus, out, SMALL_BATCHES)
    assert first.processed == 260 and first.unchanged == 0
    time.sleep(0.02)  # the next edits get a later time than the first run's scan
    for i in range(5):
        article_file(corpus, f"new{i}", rng)
    with (corpus / "feed.jsonl").open("a", encoding="utf-8") as handle:
        for row in jsonl_rows(rng, "added", 5):
            handle.write(json.dumps(row) + "\n")
    rerun = run_corpus(corpus, out, SMALL_BATCHES)
    assert (rerun.processed, rerun.unchanged, rerun.removed) == (10, 260, 0)
    assert rerun.documents == 270
    fresh = run_corpus(corpus, tmp_path / "fresh", SMALL_BATCHES)
    assert_same_tables(out, tmp_path / "fresh", ordered=False)
    assert fresh.tables == rerun.tables
    assert_csv_matches_parquet(out)
    again = run_corpus(corpus, out, SMALL_BATCHES)
    assert (again.processed, again.unchanged) == (0, 270)


def test_unchanged_files_are_not_read_again(tmp_path, monkeypatch):
    rng = random.Random(2)
    corpus = tmp_path / "corpus"
    for i in range(8):
        article_file(corpus, f"a{i}", rng)
    write_jsonl(corpus / "feed.jsonl", jsonl_rows(rng, "j", 30) + [{"doc_id": "bad", "text": "", "published": "2021-01-01"}])
    an_hour_ago = time.time() - 3600
    for file in corpus.iterdir():  # older than the scan for sure (a file changed in its clock tick is read again)
        os.utime(file, (an_hour_ago, an_hour_ago))
    time.sleep(0.05)  # the change time is now: let the file system's clock tick past it
    run_corpus(corpus, tmp_path / "out")
    article_file(corpus, "a3", rng)  # rewritten: read again
    import analysis.engines.scan as scan

    read = []
    real = scan.iter_file
    monkeypatch.setattr(scan, "iter_file", lambda file, root, settings: (read.append(file.name), real(file, root, settings))[1])
    summary = run_corpus(corpus, tmp_path / "out")
    assert read == ["a3.md"]
    assert (summary.processed, summary.removed, summary.rejected) == (1, 1, 1)
    assert read_table(tmp_path / "out", "rejects")["reason"].str.contains("empty article").all()


def test_changed_pipeline_settings_rebuild(tmp_path):
    corpus = write_jsonl(tmp_path / "feed.jsonl", [{"doc_id": "a", "text": "NATO met on Tuesday."}])
    first = run_corpus(corpus, tmp_path / "out")
    assert first.documents == 0 and first.rejects_by_kind == {"date": 1}
    second = run_corpus(corpus, tmp_path / "out", Settings(published=pd.Timestamp("2021-08-17").date()))
    assert second.rebuilt and second.documents == 1 and second.rejected == 0
    assert pipeline_fingerprint(Settings(workers=1)) == pipeline_fingerprint(Settings(workers=2, batch_size=3))


def test_rebuild_processes_everything(tmp_path):
    corpus = write_jsonl(tmp_path / "feed.jsonl", jsonl_rows(random.Random(3), "j", 12))
    run_corpus(corpus, tmp_path / "out")
    summary = run_corpus(corpus, tmp_path / "out", rebuild=True)
    assert summary.rebuilt and summary.processed == 12 and summary.unchanged == 0
    assert len(read_table(tmp_path / "out", "documents")) == 12


def test_a_second_run_on_the_same_folder_is_refused(tmp_path):
    corpus = write_jsonl(tmp_path / "feed.jsonl", jsonl_rows(random.Random(4), "j", 3))
    run_corpus(corpus, tmp_path / "out")
    holder = Manifest.open(tmp_path / "out", pipeline_fingerprint(Settings()), rebuild=False, tables=[])
    try:
        with pytest.raises(OutputLocked, match="another run is writing"):
            run_corpus(corpus, tmp_path / "out")
    finally:
        holder.close()


def test_no_csv_removes_stale_csv(tmp_path):
    corpus = write_jsonl(tmp_path / "feed.jsonl", jsonl_rows(random.Random(5), "j", 3))
    run_corpus(corpus, tmp_path / "out")
    assert (tmp_path / "out" / "sentences.csv").is_file()
    run_corpus(corpus, tmp_path / "out", csv=False)
    assert not list((tmp_path / "out").glob("*.csv"))
    run_corpus(corpus, tmp_path / "out")
    assert_csv_matches_parquet(tmp_path / "out")


def _edit(corpus, op: str, rng: random.Random) -> None:
    """One edit a user makes to a corpus between runs."""
    files = sorted(corpus.glob("*.md"))
    feed = corpus / "feed.jsonl"
    lines = feed.read_text(encoding="utf-8").splitlines() if feed.exists() else []
    if op == "add_file" or (not files and op in ("rewrite_file", "retitle_file", "delete_file", "duplicate_id")):
        article_file(corpus, f"a{rng.randrange(1000):03d}", rng)
    elif op == "rewrite_file":
        article_file(corpus, rng.choice(files).stem, rng)
    elif op == "retitle_file":
        file = rng.choice(files)
        file.write_text(file.read_text(encoding="utf-8").replace("title: ", "title: New "), encoding="utf-8")
    elif op == "delete_file":
        rng.choice(files).unlink()
    elif op == "append_rows":
        lines += [json.dumps(r) for r in jsonl_rows(rng, f"r{rng.randrange(10**6)}", 3)]
    elif op == "insert_row_on_top":  # every later row moves: its location changes
        lines.insert(0, json.dumps(jsonl_rows(rng, f"top{rng.randrange(10**6)}", 1)[0]))
    elif op == "change_row" and lines:
        i = rng.randrange(len(lines))
        row = json.loads(lines[i]) if lines[i].startswith("{\"") else {"doc_id": "fixed", "published": "2021-01-01"}
        lines[i] = json.dumps({**row, "text": "NATO said on Monday that 300 staff left."})
    elif op == "duplicate_id" and lines and lines[0].startswith("{\""):
        # an article file (read before feed.jsonl) takes the id of a row: that row is now a duplicate
        doc_id = json.loads(lines[0]).get("doc_id", "x")
        files[0].write_text(f"---\npublished: 2021-08-17\ndoc_id: {doc_id}\n---\nTaken.", encoding="utf-8")
    elif op == "break_row":
        lines.append(rng.choice(['{"doc_id": "b", "text": ""}', "{oops", '{"text": "x", "published": "2021-02-30"}']))
    elif op == "touch" and files:
        os.utime(rng.choice(files))
    if op in ("append_rows", "insert_row_on_top", "change_row", "break_row"):
        feed.write_text("".join(line + "\n" for line in lines), encoding="utf-8")


EDITS = ["add_file", "rewrite_file", "retitle_file", "delete_file", "append_rows", "insert_row_on_top", "change_row", "duplicate_id", "break_row", "touch"]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edits=st.lists(st.sampled_from(EDITS), min_size=1, max_size=4), seed=st.integers(0, 10**6))
def test_reruns_after_any_edits_equal_a_fresh_run(edits, seed):
    rng = random.Random(seed)
    run_settings = Settings(workers=1, batch_size=7)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        corpus = tmp / "corpus"
        for i in range(4):
            article_file(corpus, f"a{i:03d}", rng)
        write_jsonl(corpus / "feed.jsonl", jsonl_rows(rng, "j", 10))
        run_corpus(corpus, tmp / "out", run_settings)
        for step, op in enumerate(edits):
            _edit(corpus, op, rng)
            rerun = run_corpus(corpus, tmp / "out", run_settings)
            fresh = run_corpus(corpus, tmp / f"fresh{step}", run_settings)
            assert rerun.documents == fresh.documents and rerun.rejected == fresh.rejected, op
            assert rerun.tables == fresh.tables, op
            assert_same_tables(tmp / "out", tmp / f"fresh{step}", ordered=False)
            assert_csv_matches_parquet(tmp / "out")


# ---------------------------------------------------------------------------- crashes


def _seed_corpus(folder, n):
    """n copies of the seed text under their own ids (heavy enough to kill mid-run)."""
    from analysis import load_corpus

    from .conftest import SEED_ARTICLE

    text = load_corpus(SEED_ARTICLE).documents[0].text
    rows = [{"doc_id": f"d{i:05d}", "text": text, "published": "2021-08-17"} for i in range(n)]
    return write_jsonl(folder / "corpus" / "feed.jsonl", rows)


def test_kill_9_mid_run_then_resume_loses_and_duplicates_nothing(tmp_path):
    corpus = _seed_corpus(tmp_path, 4000)
    out = tmp_path / "out"
    command = [sys.executable, "-m", "analysis", "run", str(corpus.parent), "--out", str(out), "--workers", "2", "--batch-size", "40"]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    committed = out / MANIFEST_DIR / "documents"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        if committed.is_dir() and len(list(committed.glob("part-*.parquet"))) >= 5:
            break
        time.sleep(0.01)
    assert process.poll() is None, f"the run ended before it could be killed: {process.stderr.read().decode()}"
    os.killpg(process.pid, signal.SIGKILL)  # the run and its workers, mid-batch
    process.wait()
    process.stderr.close()
    assert not (out / "run.json").exists()
    resumed = run_corpus(corpus.parent, out, Settings(batch_size=40))
    assert 0 < resumed.unchanged < 4000 and resumed.processed == 4000 - resumed.unchanged
    documents = read_table(out, "documents")
    sentences = read_table(out, "sentences")
    assert documents["doc_id"].is_unique and len(documents) == 4000
    assert not sentences.duplicated(["doc_id", "sent_idx"]).any()
    assert len(sentences) == 26 * 4000
    assert_csv_matches_parquet(out)


@pytest.mark.parametrize("crash_at", ["before_publish", "mid_publish", "mid_removal"])
def test_crash_points_recover(tmp_path, monkeypatch, crash_at):
    """A crash at each step of a commit or a removal, then a normal run: the tables equal
    a fresh run's."""
    import analysis.storage as storage

    rng = random.Random(6)
    corpus = tmp_path / "corpus"
    rows = jsonl_rows(rng, "j", 100)
    write_jsonl(corpus / "feed.jsonl", rows)
    out = tmp_path / "out"
    settings = Settings(batch_size=10, workers=1)
    if crash_at == "mid_removal":
        run_corpus(corpus, out, settings)
        time.sleep(0.02)
        edited = [{**row, "text": row["text"] + " More."} if i % 3 == 0 else row for i, row in enumerate(rows[:50])]
        write_jsonl(corpus / "feed.jsonl", edited)  # a third of the first half changed, the second half gone
        real = storage.write_parquet
        calls = []

        def crash_after_first(table, path):
            real(table, path)
            calls.append(path)
            raise KeyboardInterrupt("killed")

        monkeypatch.setattr(storage, "write_parquet", crash_after_first)
    else:
        real_publish = storage._publish
        published = []

        def crash(out_dir, staged, batch_id):
            if len(published) == 3:
                if crash_at == "mid_publish":
                    first = next(p for p in sorted(staged.glob("*.parquet")) if not p.stem.startswith("_"))
                    os.replace(first, out_dir / first.stem / storage.part_name(batch_id))
                raise KeyboardInterrupt("killed")
            published.append(batch_id)
            real_publish(out_dir, staged, batch_id)

        monkeypatch.setattr(storage, "_publish", crash)
    with pytest.raises(KeyboardInterrupt):
        run_corpus(corpus, out, settings)
    monkeypatch.undo()
    if crash_at == "mid_removal":
        assert (out / MANIFEST_DIR / "removal.json").is_file()
    else:
        assert (out / "_staging" / "4").is_dir()
    run_corpus(corpus, out, settings)
    run_corpus(corpus, tmp_path / "fresh", settings)
    assert_same_tables(out, tmp_path / "fresh", ordered=False)
    assert_csv_matches_parquet(out)


# ---------------------------------------------------------------------------- bad input


def test_one_percent_broken_rows_all_rejected_rest_intact(tmp_path):
    rng = random.Random(8)
    rows, broken = [], {}
    lines = []
    for i in range(3000):
        row = {"doc_id": f"d{i}", "text": " ".join(rng.sample(["NATO met.", "Troops left on Tuesday.", "About 800 staff stayed."], 2)), "published": "2021-08-17"}
        line = json.dumps(row).encode()
        if i % 100 == 7:
            kind = ["date", "empty", "encoding", "malformed"][(i // 100) % 4]
            if kind == "date":
                line = json.dumps({**row, "published": "2021-13-45"}).encode()
            elif kind == "empty":
                line = json.dumps({**row, "text": "  "}).encode()
            elif kind == "encoding":
                line = line.replace(b"NATO", b"NAT\xff", 1) if b"NATO" in line else line.replace(b"Troops", b"Tr\xffops", 1)
            else:
                line = line[:-5]
            broken[f"line {i + 1}"] = kind
        else:
            rows.append(row)
        lines.append(line)
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "feed.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    summary = run_corpus(tmp_path / "corpus", tmp_path / "out", Settings(workers=2, batch_size=100))
    assert summary.rejected == len(broken) == 30
    rejects = read_table(tmp_path / "out", "rejects")
    assert dict(zip(rejects["location"], rejects["kind"])) == broken
    assert list(rejects["location"]) == sorted(broken, key=lambda loc: int(loc.split()[1]))  # input order
    documents = read_table(tmp_path / "out", "documents")
    assert sorted(documents["doc_id"]) == sorted(r["doc_id"] for r in rows)
    summary_table = read_table(tmp_path / "out", "rejects_summary")
    assert dict(zip(summary_table["kind"], summary_table["count"])) == {k: 30 // 4 + (k in ("date", "empty")) for k in ("date", "empty", "encoding", "malformed")}


def test_progress_shows_documents_speed_and_rejects(tmp_path, capsys):
    corpus = write_jsonl(tmp_path / "feed.jsonl", jsonl_rows(random.Random(9), "j", 30) + [{"text": "", "published": "2021-01-01"}])
    run_corpus(corpus, tmp_path / "out", Settings(progress=True, batch_size=10))
    err = capsys.readouterr().err
    assert "30 docs (30 processed), 1 rejects" in err and "B/s" in err and "reading" in err


def test_output_folder_inside_the_input_folder_is_not_input(tmp_path):
    corpus = tmp_path / "data"
    write_jsonl(corpus / "feed.jsonl", jsonl_rows(random.Random(10), "j", 6))
    first = run_corpus(corpus, corpus / "processed")
    second = run_corpus(corpus, corpus / "processed")
    assert (first.documents, first.rejected) == (second.documents, second.rejected) == (6, 0)
    assert second.processed == 0 and second.workers == 0


def test_a_document_a_stage_fails_on_is_rejected_and_retried(tmp_path, monkeypatch):
    from analysis import pipeline

    def fussy(result):
        if "BOOM" in result.doc.text:
            raise RuntimeError("cannot stand it")

    monkeypatch.setattr(pipeline, "STAGES", [*pipeline.STAGES, ("fussy", fussy)])
    rows = jsonl_rows(random.Random(17), "j", 12)
    rows[4]["text"] += " BOOM."
    corpus = write_jsonl(tmp_path / "corpus" / "feed.jsonl", rows)
    out = tmp_path / "out"
    for attempt in range(2):
        summary = run_corpus(corpus.parent, out, Settings(workers=1, batch_size=5))
        assert summary.rejects_by_kind == {"error": 1}
        assert summary.processed == (11 if attempt == 0 else 0) and summary.documents == 11  # j-4 retried, fails again
        rejects = read_table(out, "rejects")
        assert list(rejects["doc_id"]) == ["j-4"] and "RuntimeError: cannot stand it" in rejects.loc[0, "reason"]
        assert "j-4" not in set(read_table(out, "documents")["doc_id"])


def test_a_file_changed_in_the_scans_clock_tick_is_read_again(tmp_path):
    """A file whose time is not older than the scan could change again unseen (same size,
    same tick): it is not recorded as skippable."""
    corpus = write_jsonl(tmp_path / "corpus" / "feed.jsonl", jsonl_rows(random.Random(18), "j", 3)).parent
    future = time.time() + 3600  # as if written after the scan began
    os.utime(corpus / "feed.jsonl", (future, future))
    run_corpus(corpus, tmp_path / "out")
    files = pd.read_parquet(tmp_path / "out" / MANIFEST_DIR / "files.parquet")
    assert files["reusable"].tolist() == [False]
    past = time.time() - 3600
    os.utime(corpus / "feed.jsonl", (past, past))
    time.sleep(0.05)
    run_corpus(corpus, tmp_path / "out")
    assert pd.read_parquet(tmp_path / "out" / MANIFEST_DIR / "files.parquet")["reusable"].tolist() == [True]


def test_csv_written_in_the_same_pass_equals_a_rewrite_from_the_parquet(tmp_path):
    """Corpus-step tables and the rewritten ``events`` get their CSV as they are
    written; it is byte for byte the CSV rewritten from their Parquet, and recorded as
    up to date (the run's final sync leaves it alone)."""
    from analysis.storage import sync_csv

    corpus = write_jsonl(tmp_path / "feed.jsonl", jsonl_rows(random.Random(11), "j", 12))
    out = tmp_path / "out"
    run_corpus(corpus, out)
    state = json.loads((out / MANIFEST_DIR / "csv.json").read_text())
    for name in ("events", "event_mentions", "conflicts", "timeline", "rejects_summary"):
        written = (out / f"{name}.csv").read_bytes()
        stamp = (out / f"{name}.csv").stat().st_mtime_ns
        sync_csv(out, name)
        assert (out / f"{name}.csv").stat().st_mtime_ns == stamp, f"{name}.csv was already up to date"
        state.pop(name)
        (out / MANIFEST_DIR / "csv.json").write_text(json.dumps(state))
        sync_csv(out, name)  # untrusted: rewritten from the Parquet
        assert (out / f"{name}.csv").read_bytes() == written, name


def test_an_interrupted_csv_write_is_redone_in_full(tmp_path):
    import pyarrow as pa

    from analysis.storage import TableCsv, sync_csv

    corpus = write_jsonl(tmp_path / "feed.jsonl", jsonl_rows(random.Random(12), "j", 4))
    out = tmp_path / "out"
    run_corpus(corpus, out)
    whole = (out / "timeline.csv").read_bytes()
    with pytest.raises(RuntimeError), TableCsv(out, "timeline") as csv:
        csv.write(pa.Table.from_pandas(read_table(out, "timeline"), preserve_index=False).slice(0, 1))
        raise RuntimeError("killed half-way")
    assert not (out / "timeline.csv.tmp").exists()
    assert "timeline" not in json.loads((out / MANIFEST_DIR / "csv.json").read_text())
    sync_csv(out, "timeline")
    assert (out / "timeline.csv").read_bytes() == whole


@pytest.mark.parametrize("background", [False, True])
def test_writes_keep_their_order_and_raise_the_first_error(background):
    """Writes on a second thread (while the next batch is made) happen in the order
    given, and a failed write is raised, never lost."""
    from analysis.storage import Writes

    done: list[int] = []

    def write(number: int) -> None:
        time.sleep(0.001 * (number % 3))  # uneven write times
        done.append(number)

    with Writes(background) as writes:
        for number in range(50):
            writes(write, number)
    assert done == list(range(50))

    def failing(number: int) -> None:
        if number == 7:
            raise OSError("disk full")
        done.append(number)

    done.clear()
    with pytest.raises(OSError, match="disk full"):
        with Writes(background) as writes:
            for number in range(50):
                writes(failing, number)
    assert done[:7] == list(range(7)) and 7 not in done
