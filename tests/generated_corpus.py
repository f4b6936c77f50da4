"""A generated multi-article corpus: several outlets reporting one story over 2001-2021.

Articles are Markdown files with front matter, made from sentence templates (invented
text) with dates written the ways news writes them (weekday names, "on 7 October
2001", "in December 2009", "last year"), figures with bounds ("more than", "about",
"up to", ranges), reported speech, and the seed article beside them. Deterministic: the
same seed gives the same files.
"""

from __future__ import annotations

import datetime as dt
import random
import shutil
from pathlib import Path

from .conftest import SEED_ARTICLE

SOURCES = ["Harbour Post", "Evening Courier", "Wire Service", "Northern Ledger", "Valley Gazette"]
SPEAKERS = [("Defence Minister Anna Berg", "Berg"), ("General Tomas Reyes", "Reyes"), ("A UN spokesperson", None)]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
NOUNS = [("troops", "deployed"), ("civilian staff", "evacuated"), ("refugees", "registered"), ("flights", "scheduled")]
QUALIFIED = ["more than {n:,}", "about {n:,}", "up to {n:,}", "at least {n:,}", "{n:,}", "between {n:,} and {m:,}"]
HAPPENINGS = [
    "the alliance held a meeting of defence ministers in Brussels",
    "allied forces began withdrawing from the northern provinces",
    "the government signed an agreement with regional leaders",
    "insurgents attacked a checkpoint near the airport",
    "officials announced an evacuation of foreign staff",
]


def _article(rng: random.Random, published: dt.date, source: str) -> str:
    speaker, surname = rng.choice(SPEAKERS)
    weekday = WEEKDAYS[published.weekday()]
    past = published - dt.timedelta(days=rng.randint(20, 400))
    noun, verb = rng.choice(NOUNS)
    n = rng.choice([800, 1_000, 1_300, 2_400, 5_000, 10_000, 30_000, 100_000])
    figure = rng.choice(QUALIFIED).format(n=n, m=n + n // 5)
    happening = rng.choice(HAPPENINGS)
    later = rng.choice(HAPPENINGS)
    said_by = surname or speaker
    paragraphs = [
        f"{speaker} said {weekday} that {figure} {noun} had been {verb} since {MONTHS[past.month - 1]} {past.year}.",
        f"On {past.day} {MONTHS[past.month - 1]} {past.year}, {happening}.",
        f'"We expect the numbers to change in the coming weeks," {said_by} told reporters.',
        f"Last year {later}, according to officials.",
        f"In {published.year - 1} the mission cost about ${rng.randint(2, 40)} billion.",
    ]
    title = f"{source} report, {published.isoformat()}"
    front = f"---\ntitle: \"{title}\"\npublished: {published.isoformat()}\nsource: {source}\nlanguage: en\n---\n"
    return front + "\n\n".join(paragraphs) + "\n"


def write_generated_corpus(folder: Path, n_articles: int = 12, seed: int = 2021) -> Path:
    """Write ``n_articles`` generated articles plus the seed article into ``folder``."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    first, last = dt.date(2001, 10, 8), dt.date(2021, 8, 31)
    for i in range(n_articles):
        published = first + dt.timedelta(days=rng.randint(0, (last - first).days))
        source = SOURCES[i % len(SOURCES)]
        (folder / f"article-{i:02d}.md").write_text(_article(rng, published, source), encoding="utf-8")
    shutil.copy(SEED_ARTICLE, folder / SEED_ARTICLE.name)
    return folder
