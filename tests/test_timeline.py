"""The corpus step: one event told in two articles, their conflicting figure, and the
sorted timeline, through `run` and in memory."""

from __future__ import annotations

import shutil

import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis import build_corpus_tables, read_table, run_corpus
from analysis.tables import schema_of

from .conftest import GOLDEN, SEED_ARTICLE

WIRE_ARTICLE = GOLDEN / "press_conference" / "wire-nato-kabul-2021-08-17.md"
SEED_ID = "nato-stoltenberg-2021-08-17"
WIRE_ID = "wire-nato-kabul-2021-08-17"
# What the corpus step makes, its own tables and the views that read them.
CORPUS_TABLES = ("events", "event_mentions", "conflicts", "conflict_claims", "timeline")


@pytest.fixture(scope="module")
def two_articles(tmp_path_factory):
    """The seed and a wire report of the same press conference with another figure
    (900 civilian personnel, not 800), run as a corpus."""
    root = tmp_path_factory.mktemp("press_conference")
    folder = root / "articles"
    folder.mkdir()
    shutil.copy(SEED_ARTICLE, folder)
    shutil.copy(WIRE_ARTICLE, folder)
    out = root / "out"
    summary = run_corpus(folder, out)
    assert summary.documents == 2 and summary.rejected == 0
    return out


def test_one_statement_told_by_both_articles(two_articles):
    mentions = read_table(two_articles, "event_mentions")
    events = read_table(two_articles, "events").set_index("event_id")
    docs_per_event: dict[str, set] = {}
    for canonical, doc_id in zip(mentions["canonical_id"], mentions["doc_id"]):
        docs_per_event.setdefault(canonical, set()).add(doc_id)
    shared = [c for c, docs in docs_per_event.items() if docs == {SEED_ID, WIRE_ID}]
    statements = [c for c in shared if events.loc[c, "type"] == "statement"]
    assert len(statements) == 1
    canonical = statements[0]
    assert canonical.startswith(SEED_ID), "the earlier document (then position) keeps the event"
    group = mentions[mentions["canonical_id"] == canonical]
    assert len(group) == 2 and group["similarity"].between(0.5, 1.0).all()
    assert (events.loc[group["event_id"], "canonical_id"] == canonical).all()
    assert (events.loc[group["event_id"], "n_mentions"] == 2).all()
    assert set(events.loc[group["event_id"], "speaker"]) == {"Stoltenberg"}


def test_one_conflict_between_the_two_figures(two_articles):
    conflicts = read_table(two_articles, "conflicts")
    assert len(conflicts) == 1
    row = conflicts.iloc[0]
    assert row["category"] == "personnel"
    assert (row["doc_a"], row["doc_b"]) == (SEED_ID, WIRE_ID)
    assert (row["value_a"], row["value_b"], row["gap"]) == (800, 900, 100)
    assert (row["source_a"], row["source_b"]) == ("The Age", "Test Wire")
    assert row["time_start"] == pd.Timestamp("2021-08-17") and row["time_end"] == pd.Timestamp("2021-08-18")
    claims = read_table(two_articles, "claims").set_index("claim_id")
    assert claims.loc[row["claim_a"], "surface"] == "800" and claims.loc[row["claim_b"], "surface"] == "900"


def test_timeline_follows_the_contract(two_articles):
    timeline = read_table(two_articles, "timeline")
    assert list(timeline.columns)[: len(CONTRACT)] == CONTRACT
    assert str(timeline["time_start"].dtype).startswith("datetime64")
    events = read_table(two_articles, "events")
    claims = read_table(two_articles, "claims")
    canonical = events[events["canonical_id"] == events["event_id"]]
    assert sorted(timeline.loc[timeline["kind"] == "event", "item_id"]) == sorted(canonical["event_id"])
    assert sorted(timeline.loc[timeline["kind"] == "claim", "item_id"]) == sorted(claims["claim_id"])
    key = timeline[["time_start", "kind", "doc_id", "start"]].astype({"start": "int64"})
    assert key.equals(key.sort_values(list(key.columns), kind="stable").reset_index(drop=True))
    flagged = set(timeline.loc[timeline["conflict"].fillna(False).astype(bool), "item_id"])
    conflict = read_table(two_articles, "conflicts").iloc[0]
    assert flagged == {conflict["claim_a"], conflict["claim_b"]}
    assert (timeline["label"].str.len() > 0).all() and timeline["sentence"].notna().all()
    assert set(timeline["source"]) == {"The Age", "Test Wire"}
    merged = timeline[timeline["n_mentions"] > 1]
    assert len(merged) >= 2 and set(merged["kind"]) == {"event"}
    figure = timeline[timeline["item_id"] == conflict["claim_b"]].iloc[0]
    assert figure["type"] == figure["category"] == "personnel" and figure["value"] == 900
    assert "900" in figure["label"] and figure["sentence"].startswith("Stoltenberg told reporters")


def test_rows_trace_back_to_their_words(two_articles):
    texts = read_table(two_articles, "sentences").set_index(["doc_id", "sent_idx"])["text"]
    docs = read_table(two_articles, "documents")
    sentence_starts = read_table(two_articles, "sentences").set_index(["doc_id", "sent_idx"])["start"]
    for row in read_table(two_articles, "timeline").itertuples():
        offset = sentence_starts[(row.doc_id, row.sent_idx)]
        sentence = texts[(row.doc_id, row.sent_idx)]
        assert row.sentence == sentence and 0 <= row.start - offset < row.end - offset <= len(sentence)
    assert len(docs) == 2


def test_csv_agrees_with_parquet(two_articles):
    for name in ("events", "event_mentions", "conflicts", "timeline"):
        parquet = read_table(two_articles, name)
        csv = pd.read_csv(two_articles / f"{name}.csv")
        assert list(csv.columns) == schema_of(name).names and len(csv) == len(parquet)
    events_csv = pd.read_csv(two_articles / "events.csv")
    assert (events_csv["n_mentions"] > 1).sum() == (read_table(two_articles, "events")["n_mentions"] > 1).sum() > 0


def test_in_memory_step_equals_the_run(two_articles):
    tables = {name: read_table(two_articles, name) for name in ("documents", "sentences", "timexes", "claims", "events")}
    built = build_corpus_tables(tables)
    for name in ("events", "event_mentions", "conflicts", "timeline"):
        pd.testing.assert_frame_equal(built[name], read_table(two_articles, name), check_dtype=False)


def test_corpus_step_is_idempotent(two_articles, tmp_path):
    """Running the step again over its own output changes nothing."""
    from analysis.timeline import run_corpus_step

    copy = tmp_path / "out"
    shutil.copytree(two_articles, copy)
    run_corpus_step(copy)
    for name in ("events", "event_mentions", "conflicts", "timeline"):
        assert (copy / f"{name}.csv").read_bytes() == (two_articles / f"{name}.csv").read_bytes()


def test_view_csv_follows_the_step_tables_alone(two_articles, tmp_path):
    """The step run again with a stricter threshold changes only its own tables (the
    wire report's statement no longer merges with the seed's): the CSV files of the
    views follow them."""
    from analysis import Settings
    from analysis.timeline import run_corpus_step

    copy = tmp_path / "out"
    shutil.copytree(two_articles, copy)
    run_corpus_step(copy, Settings(dedup_threshold=0.99))
    events = read_table(copy, "events")
    assert events["n_mentions"].sum() < read_table(two_articles, "events")["n_mentions"].sum()
    for name in ("events", "timeline"):
        csv = pd.read_csv(copy / f"{name}.csv")
        assert list(csv["n_mentions"]) == list(read_table(copy, name)["n_mentions"])


def test_step_rewrites_no_row_of_the_documents(two_articles, tmp_path):
    """The step writes only its own tables: the documents' parts are left as the
    batches wrote them (``events`` and ``timeline`` are views that join the step's
    tables), and the timeline view is sorted by its order."""
    from analysis.storage import part_stamps
    from analysis.timeline import run_corpus_step

    copy = tmp_path / "out"
    shutil.copytree(two_articles, copy)
    before = {name: part_stamps(sorted((copy / name).glob("part-*.parquet"))) for name in ("events", "claims", "sentences")}
    run_corpus_step(copy)
    assert {name: part_stamps(sorted((copy / name).glob("part-*.parquet"))) for name in before} == before
    assert not (copy / "timeline").exists()
    timeline = read_table(copy, "timeline")
    order = ["time_start", "kind", "doc_id", "start", "item_id"]
    assert timeline.equals(timeline.sort_values(order, na_position="last", kind="stable").reset_index(drop=True))
    assert timeline["time_start"].nunique() > 3


@pytest.mark.parametrize("workers", [1, 2])
def test_tables_of_one_part_per_article_are_the_same(two_articles, tmp_path, monkeypatch, workers):
    """With one article per batch (a part each), in this process or with the
    de-duplication and conflicts in a worker, the corpus tables are those of one
    batch."""
    import analysis.timeline as timeline
    from analysis import Settings

    monkeypatch.setattr(timeline, "_DEDUP_PARALLEL_ROWS", 1)
    out = tmp_path / "out"
    run_corpus(two_articles.parent / "articles", out, Settings(batch_size=1, workers=workers, progress=False))
    assert len(list((out / "events").glob("part-*.parquet"))) == 2
    for name in ("event_mentions", "conflicts", "timeline"):
        pd.testing.assert_frame_equal(read_table(out, name), read_table(two_articles, name))


def test_deduplication_in_worker_processes_is_the_same(two_articles, tmp_path, monkeypatch):
    """Runs of whole groups de-duplicated in worker processes (with the conflicts found
    in one of them meanwhile) give the tables of one process, row for row."""
    import analysis.timeline as timeline
    from analysis.settings import Settings

    monkeypatch.setattr(timeline, "_DEDUP_PARALLEL_ROWS", 1)
    monkeypatch.setattr(timeline, "_DEDUP_RUN_ROWS", 7)
    copy = tmp_path / "out"
    shutil.copytree(two_articles, copy)
    timeline.run_corpus_step(copy, Settings(workers=2))
    for name in ("events", "event_mentions", "conflicts", "timeline"):
        assert (copy / f"{name}.csv").read_bytes() == (two_articles / f"{name}.csv").read_bytes()


@given(
    keys=st.lists(st.tuples(st.sampled_from(["attack", "statement"]), st.integers(2000, 2003)), max_size=60),
    batch=st.integers(1, 9),
    rows=st.integers(1, 20),
)
def test_group_runs_cut_only_between_groups(keys, batch, rows):
    from analysis.timeline import _group_runs

    keys = sorted(keys)
    table = pa.table({"type": [k for k, _ in keys], "time_window": [w for _, w in keys], "n": list(range(len(keys)))})
    runs = list(_group_runs(table.to_batches(max_chunksize=batch), rows))
    assert [n for run in runs for n in run.column("n").to_pylist()] == list(range(len(keys)))
    for run in runs[:-1]:
        assert run.num_rows >= rows
    for left, right in zip(runs, runs[1:]):
        last = (left.column("type")[-1].as_py(), left.column("time_window")[-1].as_py())
        first = (right.column("type")[0].as_py(), right.column("time_window")[0].as_py())
        assert last != first  # a group never spans two runs


def test_empty_corpus_tables():
    built = build_corpus_tables({})
    for name in ("events", "event_mentions", "conflicts", "timeline"):
        assert built[name].empty and list(built[name].columns) == schema_of(name).names


CONTRACT = [
    "item_id", "kind", "doc_id", "sent_idx", "start", "end", "time_start", "time_end", "granularity",
    "time_surface", "time_basis", "label", "type", "category", "value", "low", "high", "qualifier", "noun",
    "source", "title", "published", "speaker", "quoted", "sentence", "series_id", "series_pos", "conflict",
    "n_mentions",
]  # fmt: skip


def test_step_through_the_engine_context(two_articles, tmp_path):
    """The step as the engine's corpus-step hook runs it (``run_corpus_step`` uses the
    engine's context): run again on a finished output, it gives the same tables."""
    from analysis.timeline import run_corpus_step

    copy = tmp_path / "out"
    shutil.copytree(two_articles, copy)
    written = run_corpus_step(copy)
    assert set(written) == {"event_mentions", "conflicts", "conflict_claims"}
    for name in ("events", "event_mentions", "conflicts", "timeline"):
        pd.testing.assert_frame_equal(read_table(copy, name), read_table(two_articles, name))
        assert (copy / f"{name}.csv").read_bytes() == (two_articles / f"{name}.csv").read_bytes()


@pytest.mark.parametrize("replay", [True, False])
def test_rerun_after_adding_articles_clusters_only_the_new_mentions(tmp_path, monkeypatch, replay):
    """Adding articles to a corpus reruns de-duplication for their mentions only, and
    the tables are those of a run over the whole corpus from nothing: with new copies
    of old stories, some published before every old copy (whose events become the
    canonical ones of the old copies), and new stories; also when every group they
    fall in is clustered again as a whole (``replay`` off)."""
    import random

    import analysis.timeline as timeline
    from analysis import Settings

    from .scale_corpus import jsonl_rows, write_jsonl

    rng = random.Random(11)
    old_rows = jsonl_rows(rng, "old", 40)
    # copies published earlier (and later) in the same year: events dated by publication
    # fall in the same groups ("earlier-" sorts before "old-" on the same day)
    earlier = [dict(row, doc_id=f"earlier-{i}", published=row["published"][:4] + "-01-01") for i, row in enumerate(old_rows[:4])]
    later = [dict(row, doc_id=f"later-{i}", published=row["published"][:4] + "-12-31") for i, row in enumerate(old_rows[4:7])]
    new_rows = earlier + later + jsonl_rows(rng, "new", 3)
    settings = Settings(batch_size=10, workers=1, progress=False)
    if not replay:
        monkeypatch.setattr(timeline, "extend_group", lambda *a: None)

    out = tmp_path / "out"
    write_jsonl(tmp_path / "corpus" / "feed.jsonl", old_rows)
    run_corpus(tmp_path / "corpus", out, settings)
    before = read_table(out, "event_mentions").set_index("event_id")["canonical_id"]
    write_jsonl(tmp_path / "corpus" / "feed.jsonl", old_rows + new_rows)
    summary = run_corpus(tmp_path / "corpus", out, settings)
    assert summary.processed == len(new_rows)
    new_mentions = read_table(out, "events")["doc_id"].isin([row["doc_id"] for row in new_rows]).sum()
    assert summary.corpus_step == {"timeline": f"only the {new_mentions} event mention(s) of the documents added were de-duplicated"}
    assert "only the" in summary.format()

    whole = tmp_path / "whole"
    assert run_corpus(tmp_path / "corpus", whole, settings).corpus_step == {}  # from nothing: everything
    for name in CORPUS_TABLES:
        pd.testing.assert_frame_equal(read_table(out, name), read_table(whole, name), obj=name)
    after = read_table(out, "event_mentions").set_index("event_id")["canonical_id"]
    moved = after[before.index][after[before.index] != before]
    assert len(moved) and moved.str.startswith("earlier-").all()


def test_a_rerun_that_adds_an_article_rewrites_only_what_changes(two_articles, tmp_path):
    """The seed, then the wire report of the same press conference added: the rerun
    de-duplicates and compares only the new rows, writes the new part of
    ``event_mentions`` and keeps the old one as it was (the seed's statement stays the
    canonical one), finds the conflict between the two figures, and gives the tables
    of a run over both from nothing."""
    from analysis.storage import part_stamps

    articles = tmp_path / "articles"
    articles.mkdir()
    shutil.copy(SEED_ARTICLE, articles)
    out = tmp_path / "out"
    run_corpus(articles, out)
    assert read_table(out, "conflicts").empty
    seed_part = part_stamps(sorted((out / "event_mentions").glob("part-*.parquet")))
    shutil.copy(WIRE_ARTICLE, articles)
    summary = run_corpus(articles, out)
    assert summary.processed == 1 and "only the" in summary.corpus_step["timeline"]
    parts = sorted((out / "event_mentions").glob("part-*.parquet"))
    assert len(parts) == 2 and part_stamps(parts[:1]) == seed_part
    assert len(read_table(out, "conflicts")) == 1 and len(read_table(out, "conflict_claims")) == 2
    for name in CORPUS_TABLES:
        pd.testing.assert_frame_equal(read_table(out, name), read_table(two_articles, name), obj=name)


def test_a_rerun_after_a_removal_clusters_everything_again(two_articles, tmp_path):
    articles = tmp_path / "articles"
    shutil.copytree(two_articles.parent / "articles", articles)
    out = tmp_path / "out"
    run_corpus(articles, out)
    (articles / f"{WIRE_ID}.md").unlink()
    assert run_corpus(articles, out).corpus_step == {}
    seed_only = tmp_path / "seed_only"
    run_corpus(articles, seed_only)
    for name in CORPUS_TABLES:
        pd.testing.assert_frame_equal(read_table(out, name), read_table(seed_only, name), obj=name)


def test_a_rerun_with_nothing_new_keeps_the_corpus_tables(two_articles, tmp_path, monkeypatch):
    import analysis.timeline as timeline

    out = tmp_path / "out"
    run_corpus(two_articles.parent / "articles", out)
    before = {name: read_table(out, name) for name in ("events", "event_mentions", "conflicts", "timeline")}
    monkeypatch.setattr(timeline, "corpus_tables", lambda *a, **k: pytest.fail("the corpus step ran again"))
    summary = run_corpus(two_articles.parent / "articles", out)
    assert summary.corpus_step == {"timeline": "nothing new since its last run, tables kept"}
    for name, frame in before.items():
        pd.testing.assert_frame_equal(read_table(out, name), frame, obj=name)
        assert len((out / f"{name}.csv").read_text().splitlines()) == len(frame) + 1
