"""Shared fixtures: the repository, the seed article and gold, the shared eval folder."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden"
ARTICLES = ROOT / "data" / "articles"
SEED_ARTICLE = ARTICLES / "nato-stoltenberg-2021-08-17.md"
SEED_GOLD = GOLDEN / "seed" / "nato-2021-08-17.jsonl"
SHARED_EVAL = Path(os.environ.get("ANALYSIS_SHARED_EVAL", ROOT.parent / "shared" / "eval"))


def load_golden(name: str):
    """A golden-case data file under tests/golden/."""
    with open(GOLDEN / name, encoding="utf-8") as handle:
        return json.load(handle)


@pytest.fixture(scope="session")
def seed_gold() -> dict:
    return json.loads(SEED_GOLD.read_text(encoding="utf-8").splitlines()[0])


@pytest.fixture(scope="session")
def seed_doc():
    from analysis import load_corpus

    corpus = load_corpus(SEED_ARTICLE)
    assert not corpus.rejects, corpus.rejects
    return corpus.documents[0]


@pytest.fixture(scope="session")
def shared_eval() -> Path:
    """../shared/eval, or skip: its gold is other people's data, read where it lies."""
    if not SHARED_EVAL.is_dir():
        pytest.skip(f"{SHARED_EVAL} is absent (a clone without ../shared); gold evaluations run in CI")
    return SHARED_EVAL
