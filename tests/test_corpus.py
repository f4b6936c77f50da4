"""Reading corpora: the seed, every input format, and every kind of bad input."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys

import pandas as pd
import pytest

from analysis import Columns, CorpusError, Document, Reject, Settings, iter_corpus, load_corpus, parse_published
from analysis.run import run_corpus

from .conftest import ROOT, SEED_ARTICLE


def test_seed_loads_with_metadata(seed_doc, seed_gold):
    assert seed_doc.doc_id == "nato-stoltenberg-2021-08-17" == seed_gold["doc_id"]
    assert seed_doc.published == dt.date(2021, 8, 17)
    assert seed_doc.language == "en"
    assert seed_doc.title and seed_doc.source
    assert seed_doc.n_chars == 3082
    assert seed_doc.text == seed_gold["text"]
    assert seed_doc.text.endswith("— Age")


def test_seed_gold_offsets_point_into_the_article(seed_doc, seed_gold):
    for key in ("timexes", "claims"):
        for item in seed_gold[key]:
            assert seed_doc.text[item["start"] : item["end"]] == item["text"]


def _write(path, content, mode="w"):
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8", newline="")
    return path


GOOD = "---\npublished: 2021-08-17\ntitle: Good\n---\nNATO said on Tuesday that 800 staff remain.\n"


def _split(items):
    docs = [i for i in items if isinstance(i, Document)]
    rejects = [i for i in items if isinstance(i, Reject)]
    return docs, rejects


@pytest.mark.parametrize(
    ("name", "content", "kind", "message"),
    [
        ("empty.md", "---\npublished: 2021-08-17\n---\n   \n", "empty", "empty article"),
        ("nodate.md", "Text without a date.", "date", "no publication date"),
        ("baddate.md", "---\npublished: next thursdayish\n---\nText.", "date", "cannot read publication date"),
        ("impossible.md", "---\npublished: 2021-02-30\n---\nText.", "date", "impossible publication date"),
        ("yaml.md", "---\ntitle: [unclosed\n---\nText.", "malformed", "not valid YAML"),
        ("unclosed.md", "---\ntitle: x\nText.", "malformed", "never closed"),
        ("latin1.md", "---\npublished: 2021-08-17\n---\nCaf\xe9 au lait".encode("latin-1"), "encoding", "byte offset 33 (line 4)"),
        ("notes.pdf", b"%PDF-1.4", "not_article", "not an article file"),
    ],
)
def test_bad_article_is_rejected_and_others_survive(tmp_path, name, content, kind, message):
    _write(tmp_path / "a-good.md", GOOD)
    _write(tmp_path / name, content)
    _write(tmp_path / "z-good.md", GOOD.replace("800", "900"))
    docs, rejects = _split(list(iter_corpus(tmp_path)))
    assert [d.doc_id for d in docs] == ["a-good", "z-good"]
    assert len(rejects) == 1
    assert rejects[0].kind == kind
    assert message in rejects[0].reason
    assert rejects[0].path.endswith(name)


def test_unreadable_file_is_rejected(tmp_path):
    _write(tmp_path / "a.md", GOOD)
    (tmp_path / "broken.md").symlink_to(tmp_path / "missing-target.md")
    docs, rejects = _split(list(iter_corpus(tmp_path)))
    assert len(docs) == 1
    assert rejects[0].kind == "unreadable" and "cannot read the file" in rejects[0].reason


def test_encoding_error_names_offset_and_fallback_reads_it(tmp_path):
    raw = "---\npublished: 2021-08-17\n---\nCaf\xe9 \u201cquoted\u201d".encode("cp1252")
    _write(tmp_path / "a.md", raw)
    (reject,) = list(iter_corpus(tmp_path))
    assert isinstance(reject, Reject)
    assert "byte offset 33" in reject.reason and "--encoding-fallback" in reject.reason
    (doc,) = list(iter_corpus(tmp_path, Settings(encoding_fallback="cp1252")))
    assert doc.text == "Caf\xe9 \u201cquoted\u201d"


def test_bom_is_dropped_and_crlf_and_unicode_punctuation_kept(tmp_path):
    body = "Line one \u201cquoted\u201d \u2014 dash.\r\nLine two."
    _write(tmp_path / "a.md", b"\xef\xbb\xbf---\r\npublished: 2021-08-17\r\n---\r\n" + body.encode("utf-8"))
    (doc,) = list(iter_corpus(tmp_path))
    assert doc.text == body


def test_default_publication_date(tmp_path):
    _write(tmp_path / "a.txt", "Plain text, no front matter.")
    (reject,) = list(iter_corpus(tmp_path))
    assert "--published" in reject.reason
    (doc,) = list(iter_corpus(tmp_path, Settings(published=dt.date(2020, 1, 2))))
    assert doc.published == dt.date(2020, 1, 2) and doc.doc_id == "a"


def test_front_matter_date_wins_over_default(tmp_path):
    _write(tmp_path / "a.md", GOOD)
    (doc,) = list(iter_corpus(tmp_path, Settings(published=dt.date(2020, 1, 2))))
    assert doc.published == dt.date(2021, 8, 17)


def test_duplicate_doc_ids(tmp_path):
    _write(tmp_path / "a.md", "---\ndoc_id: same\npublished: 2021-08-17\n---\nOne text.")
    _write(tmp_path / "b.md", "---\ndoc_id: same\npublished: 2021-08-17\n---\nAnother text.")
    _write(tmp_path / "c.md", "---\ndoc_id: same\npublished: 2021-08-17\n---\nOne text.")
    docs, rejects = _split(list(iter_corpus(tmp_path)))
    assert [d.path.endswith("a.md") for d in docs] == [True]
    assert [r.kind for r in rejects] == ["duplicate", "duplicate"]
    assert "different text" in rejects[0].reason and "same text" in rejects[1].reason
    assert "a.md" in rejects[0].reason


def test_jsonl_rows_and_bad_rows(tmp_path):
    lines = [
        json.dumps({"doc_id": "a", "text": "First.", "published": "2021-08-17"}),
        "{not json",
        json.dumps(["a", "list"]),
        json.dumps({"doc_id": "b", "body": "no text field", "published": "2021-08-17"}),
        json.dumps({"doc_id": "c", "text": "", "published": "2021-08-17"}),
        json.dumps({"doc_id": "d", "text": "Bad date.", "published": "2021-13-01"}),
        "",
        json.dumps({"text": "No id.", "published": "Aug. 17, 2021"}),
    ]
    path = _write(tmp_path / "corpus.jsonl", "\n".join(lines) + "\n")
    corpus = load_corpus(path)
    assert [d.doc_id for d in corpus.documents] == ["a", "corpus-8"]
    assert corpus.documents[1].published == dt.date(2021, 8, 17)
    assert [(r.location, r.kind) for r in corpus.rejects] == [
        ("line 2", "malformed"),
        ("line 3", "malformed"),
        ("line 4", "malformed"),
        ("line 5", "empty"),
        ("line 6", "date"),
    ]
    assert "--text-column" in corpus.rejects[2].reason


def test_jsonl_bad_bytes_name_line_and_offset(tmp_path):
    good = json.dumps({"doc_id": "a", "text": "ok", "published": "2021-08-17"}).encode() + b"\n"
    bad = b'{"doc_id": "b", "text": "caf\xe9", "published": "2021-08-17"}\n'
    path = _write(tmp_path / "c.jsonl", good + bad + good.replace(b'"a"', b'"c"'))
    corpus = load_corpus(path)
    assert [d.doc_id for d in corpus.documents] == ["a", "c"]
    (reject,) = corpus.rejects
    assert reject.location == "line 2" and f"byte offset {len(good) + 28}" in reject.reason


def test_csv_with_configured_columns_multiline_and_malformed_rows(tmp_path):
    content = (
        "id,body,date\r\n"
        'x1,"Two lines,\r\nkept as is.",2021-08-17\r\n'
        "x2,too,many,fields\r\n"
        'x3,"Third.",17 August 2021\r\n'
    )
    path = _write(tmp_path / "c.csv", content)
    columns = Columns(text="body", published="date", doc_id="id")
    corpus = load_corpus(path, columns=columns)
    assert [d.doc_id for d in corpus.documents] == ["x1", "x3"]
    assert corpus.documents[0].text == "Two lines,\r\nkept as is."
    assert corpus.documents[1].published == dt.date(2021, 8, 17)
    (reject,) = corpus.rejects
    assert reject.location == "row 2 (line 4)" and "4 fields where the header has 3" in reject.reason


def test_csv_without_text_column_says_which_columns_exist(tmp_path):
    path = _write(tmp_path / "c.csv", "a,b\n1,2\n")
    (reject,) = load_corpus(path).rejects
    assert "no 'text' column (columns: a, b)" in reject.reason


def test_parquet_input(tmp_path):
    frame = pd.DataFrame(
        {
            "doc_id": ["p1", "p2", "p3"],
            "text": ["One.", None, "Three."],
            "published": pd.to_datetime(["2021-08-17", "2021-08-18", None]),
        }
    )
    path = tmp_path / "c.parquet"
    frame.to_parquet(path)
    corpus = load_corpus(path, published="2021-01-01")
    assert [d.doc_id for d in corpus.documents] == ["p1", "p3"]
    assert corpus.documents[1].published == dt.date(2021, 1, 1)
    assert corpus.rejects[0].location == "row 2"


def test_folder_mixing_articles_and_tables(tmp_path):
    _write(tmp_path / "a.md", GOOD)
    _write(tmp_path / "sub" / "b.txt", "Plain.")
    _write(tmp_path / "rows.jsonl", json.dumps({"doc_id": "r", "text": "Row.", "published": "2021-08-17"}) + "\n")
    _write(tmp_path / ".hidden.md", "ignored")
    corpus = load_corpus(tmp_path, published=dt.date(2021, 8, 17))
    assert [d.doc_id for d in corpus.documents] == ["a", "r", "sub/b"]


def test_missing_path_is_a_corpus_error(tmp_path):
    with pytest.raises(CorpusError, match="no such file or folder"):
        list(iter_corpus(tmp_path / "nope"))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2021-08-17", dt.date(2021, 8, 17)),
        ("2021-08-17T23:30:00-05:00", dt.date(2021, 8, 17)),
        ("Aug. 17, 2021", dt.date(2021, 8, 17)),
        ("17 August 2021", dt.date(2021, 8, 17)),
        (dt.datetime(2021, 8, 17, 23, 59), dt.date(2021, 8, 17)),
    ],
)
def test_parse_published(value, expected):
    assert parse_published(value) == expected


@pytest.mark.parametrize("value", ["", "yesterday", "August 2021", "2021-02-29", "soon", 20210817])
def test_parse_published_rejects(value):
    with pytest.raises(ValueError):
        parse_published(value)


def test_run_writes_rejects_table_and_counts(tmp_path):
    corpus = tmp_path / "in"
    _write(corpus / "a.md", GOOD)
    _write(corpus / "b.md", "---\npublished: 2021-02-30\n---\nText.")
    _write(corpus / "c.md", "")
    summary = run_corpus(corpus, tmp_path / "out")
    assert summary.documents == 1 and summary.rejected == 2
    assert summary.rejects_by_kind == {"date": 1, "empty": 1}
    rejects = pd.read_csv(tmp_path / "out" / "rejects.csv")
    assert sorted(rejects["kind"]) == ["date", "empty"]
    assert set(rejects["path"].map(os.path.basename)) == {"b.md", "c.md"}


def _cli(*args, cwd=ROOT):
    return subprocess.run(
        [sys.executable, "-m", "analysis", *map(str, args)], capture_output=True, text=True, cwd=cwd, check=False
    )


def test_cli_strict_exits_non_zero_with_the_message_and_no_traceback(tmp_path):
    corpus = tmp_path / "in"
    _write(corpus / "a.md", GOOD)
    _write(corpus / "b.md", "---\npublished: 2021-02-30\n---\nText.")
    relaxed = _cli("run", corpus, "--out", tmp_path / "out")
    assert relaxed.returncode == 0, relaxed.stderr
    assert "rejected 1 input(s): date 1" in relaxed.stdout
    strict = _cli("run", corpus, "--out", tmp_path / "out2", "--strict")
    assert strict.returncode == 1
    assert "b.md" in strict.stderr and "impossible publication date" in strict.stderr
    assert "Traceback" not in strict.stderr


def test_cli_bad_arguments_have_clear_messages(tmp_path):
    missing = _cli("run", tmp_path / "nope")
    assert missing.returncode == 2 and "no such file or folder" in missing.stderr
    assert "Traceback" not in missing.stderr
    bad_date = _cli("run", SEED_ARTICLE, "--published", "2021-02-30")
    assert bad_date.returncode == 2 and "impossible publication date" in bad_date.stderr
    help_text = _cli("run", "--help")
    assert help_text.returncode == 0 and "--published DATE" in help_text.stdout
