"""Generated corpora for the scale tests: the seed article's sentences recombined into
many articles, in every input format, with broken rows where a test wants them."""

from __future__ import annotations

import csv
import io
import json
import random
from pathlib import Path

import pandas as pd

from analysis import load_corpus, read_table, split_sentences
from analysis.storage import table_names

from .conftest import SEED_ARTICLE

_SENTENCES: list[str] = []


def seed_sentences() -> list[str]:
    if not _SENTENCES:
        doc = load_corpus(SEED_ARTICLE).documents[0]
        _SENTENCES.extend(s.text for s in split_sentences(doc))
    return _SENTENCES


def article_text(rng: random.Random, n_sentences: int = 6) -> str:
    return " ".join(rng.sample(seed_sentences(), n_sentences))


def published(rng: random.Random) -> str:
    return f"20{rng.randrange(10, 24)}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"


def article_file(folder: Path, name: str, rng: random.Random, *, title: str | None = None) -> Path:
    path = folder / f"{name}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    front = f"---\npublished: {published(rng)}\ntitle: {title or name}\n---\n"
    path.write_text(front + article_text(rng), encoding="utf-8")
    return path


def jsonl_rows(rng: random.Random, prefix: str, n: int) -> list[dict]:
    return [{"doc_id": f"{prefix}-{i}", "text": article_text(rng), "published": published(rng)} for i in range(n)]


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def write_csv(path: Path, rows: list[dict]) -> Path:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=["doc_id", "text", "published"])
    writer.writeheader()
    writer.writerows(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(buffer.getvalue(), encoding="utf-8", newline="")
    return path


def mixed_corpus(folder: Path, *, seed: int = 7, n_files: int = 20, n_jsonl: int = 150, n_csv: int = 60, n_parquet: int = 60) -> Path:
    """Article files, a JSONL, a CSV and a Parquet file, with a few broken rows in each
    table file (bad date, empty text, a line that is not JSON)."""
    rng = random.Random(seed)
    for i in range(n_files):
        article_file(folder / "files", f"a{i:03d}", rng)
    rows = jsonl_rows(rng, "j", n_jsonl)
    rows[5]["published"] = "2021-02-30"
    rows[17]["text"] = ""
    lines = [json.dumps(r) for r in rows]
    lines.insert(40, "{not json")
    (folder / "feed.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    csv_rows = jsonl_rows(rng, "c", n_csv)
    csv_rows[3]["published"] = "soon"
    write_csv(folder / "table.csv", csv_rows)
    pd.DataFrame(jsonl_rows(rng, "p", n_parquet)).to_parquet(folder / "shard.parquet")
    return folder


def tables(out: Path) -> dict[str, pd.DataFrame]:
    """Every table of an output folder, as written (part order)."""
    return {name: read_table(out, name) for name in table_names(out)}


def canonical(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows sorted by every column: equal as sets of rows, whatever the batches."""
    if frame.empty:
        return frame.reset_index(drop=True)
    return frame.sort_values(list(frame.columns), na_position="first").reset_index(drop=True)


def assert_same_tables(out_a: Path, out_b: Path, *, ordered: bool) -> None:
    a, b = tables(out_a), tables(out_b)
    assert sorted(a) == sorted(b)
    for name in a:
        left, right = (a[name], b[name]) if ordered else (canonical(a[name]), canonical(b[name]))
        pd.testing.assert_frame_equal(left, right, check_like=False, obj=f"table {name}")


def assert_csv_matches_parquet(out: Path) -> None:
    for name, frame in tables(out).items():
        from_csv = pd.read_csv(out / f"{name}.csv", dtype=str, keep_default_na=False)
        assert list(from_csv.columns) == list(frame.columns), name
        assert len(from_csv) == len(frame), name
        if "doc_id" in frame.columns and len(frame):
            assert list(from_csv["doc_id"]) == [("" if pd.isna(v) else v) for v in frame["doc_id"]], name
