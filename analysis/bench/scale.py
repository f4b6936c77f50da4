"""Corpus scale: ``run`` on a generated corpus of 20,000 articles.

The corpus is made at run time in a temporary folder (nothing generated is kept): the
paragraphs of the dev gold texts (TimeBank/AQUAINT, WikiWars, NewsQuant) and of the seed
article, sampled and recombined into articles of about 3 KB with their own publication
dates, written as JSONL shards of 500 articles. Each configuration runs as
``python -m analysis run`` in its own process tree, timed by its ``run.json`` (after
start-up) and sampled for the peak RSS of the whole tree (main process and workers):

* 2,000 articles, 2 workers: the RSS reference;
* 20,000 articles with 1 worker, 2 workers, and on a Dask LocalCluster of 2 workers
  (whose tables are compared with the local engine's, row for row);
* the rerun after appending 10 articles to a shard.
"""

from __future__ import annotations

import datetime as dt
import os
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ..corpus import load_corpus
from ..evaluation.metrics import read_gold
from .common import BenchContext, Measurement

TITLE = "Corpus scale: run over generated articles at 1 and 2 workers and on Dask, and a rerun (whole process trees)"

ARTICLES = 20_000
SMALL = 2_000
QUICK_ARTICLES = 2_000
QUICK_SMALL = 200
SHARD = 500
PARAGRAPHS_PER_ARTICLE = 12
ADDED = 10
_REPO = Path(__file__).resolve().parents[2]


def run(ctx: BenchContext) -> list[Measurement]:
    pool = _paragraphs(ctx.shared_eval)
    if not pool:
        return []
    n_large, n_small = (QUICK_ARTICLES, QUICK_SMALL) if ctx.quick else (ARTICLES, SMALL)
    with tempfile.TemporaryDirectory(prefix="analysis-bench-scale-") as tmp:
        tmp = Path(tmp)
        rng = random.Random(20210817)
        small_kb = _write_corpus(tmp / "small", pool, n_small, rng)
        large_kb = _write_corpus(tmp / "large", pool, n_large, rng)
        small = _timed_run(tmp / "small", tmp / "out-small", workers=2)
        one = _timed_run(tmp / "large", tmp / "out-1", workers=1)
        two = _timed_run(tmp / "large", tmp / "out-2", workers=2)
        on_dask = _timed_run(tmp / "large", tmp / "out-dask", workers=2, engine="dask")
        same = _same_tables(tmp / "out-2", tmp / "out-dask")
        added_kb = _append_articles(tmp / "large", pool, ADDED, rng)
        rerun = _timed_run(tmp / "large", tmp / "out-2", workers=2)
    rss_ratio = two["rss_mb"] / small["rss_mb"]
    speedup = one["seconds"] / two["seconds"]
    rerun_share = rerun["seconds"] / two["seconds"]
    label = f"{n_large:,} articles"
    return [
        Measurement(
            "scale",
            f"local, 2 workers, {label}",
            large_kb,
            two["seconds"],
            f"peak RSS {two['rss_mb']:.0f} MB = {rss_ratio:.2f}x that of {n_small:,} articles "
            f"({small['rss_mb']:.0f} MB); {speedup:.2f}x one worker; CPU time {two['cpu_s'] / one['cpu_s']:.2f}x "
            f"one worker's; {_busy(two)}",
            figures={
                "peak_rss_mb": two["rss_mb"],
                "rss_vs_small": round(rss_ratio, 3),
                "speedup_vs_1_worker": round(speedup, 3),
                "cpu_s": round(two["cpu_s"], 2),
                "cpu_vs_1_worker": round(two["cpu_s"] / one["cpu_s"], 3),
                "others_cores": round(two["others_cores"], 2),
            },
        ),
        Measurement(
            "scale", f"local, 1 worker, {label}", large_kb, one["seconds"], f"peak RSS {one['rss_mb']:.0f} MB; {_busy(one)}",
            figures={"peak_rss_mb": one["rss_mb"], "cpu_s": round(one["cpu_s"], 2), "others_cores": round(one["others_cores"], 2)},
        ),
        Measurement(
            "scale",
            f"Dask LocalCluster, 2 workers, {label}",
            large_kb,
            on_dask["seconds"],
            f"peak RSS {on_dask['rss_mb']:.0f} MB; tables {'equal to' if same else 'DIFFERENT from'} the local engine's; {_busy(on_dask)}",
            figures={"peak_rss_mb": on_dask["rss_mb"], "tables_equal_local": same, "others_cores": round(on_dask["others_cores"], 2)},
        ),
        Measurement(
            "scale",
            f"local, 2 workers, {n_small:,} articles",
            small_kb,
            small["seconds"],
            f"peak RSS {small['rss_mb']:.0f} MB",
            figures={"peak_rss_mb": small["rss_mb"]},
        ),
        Measurement(
            "scale",
            f"rerun after adding {ADDED} articles",
            added_kb,
            rerun["seconds"],
            f"{rerun['seconds']:.2f} s = {100 * rerun_share:.1f}% of the full run; processed {rerun['processed']}; "
            f"corpus step {rerun['corpus_step_seconds']:.1f} s ({rerun['corpus_step']})",
            figures={
                "share_of_full_run": round(rerun_share, 4),
                "processed": rerun["processed"],
                "corpus_step_seconds": rerun["corpus_step_seconds"],
            },
            compared=False,
        ),
    ]


def _busy(run_figures: dict) -> str:
    return f"other processes took {run_figures['others_cores']:.1f} of the {os.cpu_count()} cores meanwhile"


def _paragraphs(shared_eval: Path) -> list[str]:
    """Paragraphs of the dev gold texts and of the seed article."""
    sources = [
        (shared_eval / "timex" / "tbaq-cleaned.jsonl", "text"),
        (shared_eval / "timex" / "wikiwars-dev.jsonl", "text"),
        (shared_eval / "quantities" / "newsquant-dev.jsonl", "text"),
    ]
    if not all(path.is_file() for path, _ in sources):
        return []
    pool = []
    for path, key in sources:
        for record in read_gold(path):
            pool += [p.strip() for p in record[key].split("\n\n") if len(p.strip()) > 40]
    for doc in load_corpus(_REPO / "data" / "articles").documents:
        pool += [p.strip() for p in doc.text.split("\n\n") if p.strip()]
    return pool


def _article(pool: list[str], rng: random.Random, doc_id: str) -> dict:
    published = dt.date(1990, 1, 1) + dt.timedelta(days=rng.randrange(32 * 365))
    text = "\n\n".join(rng.sample(pool, PARAGRAPHS_PER_ARTICLE))
    return {"doc_id": doc_id, "title": text[:60], "published": published.isoformat(), "text": text}


def _write_corpus(folder: Path, pool: list[str], n: int, rng: random.Random) -> float:
    """JSONL shards of SHARD articles; returns the KB of article text (UTF-8)."""
    folder.mkdir(parents=True)
    kb = 0.0
    for start in range(0, n, SHARD):
        with (folder / f"shard-{start // SHARD:04d}.jsonl").open("w", encoding="utf-8") as handle:
            for i in range(start, min(n, start + SHARD)):
                article = _article(pool, rng, f"art-{i:06d}")
                kb += len(article["text"].encode("utf-8")) / 1000
                handle.write(json.dumps(article) + "\n")
    return kb


def _append_articles(folder: Path, pool: list[str], n: int, rng: random.Random) -> float:
    last = sorted(folder.glob("shard-*.jsonl"))[-1]
    kb = 0.0
    with last.open("a", encoding="utf-8") as handle:
        for i in range(n):
            article = _article(pool, rng, f"added-{i:03d}")
            kb += len(article["text"].encode("utf-8")) / 1000
            handle.write(json.dumps(article) + "\n")
    return kb


def _timed_run(corpus: Path, out: Path, *, workers: int, engine: str = "local") -> dict:
    """``python -m analysis run`` in its own process tree: run.json's seconds (after
    start-up); the peak of the summed RSS of the tree and the CPU seconds of all its
    processes, sampled every 50 ms."""
    import psutil

    command = [
        sys.executable, "-m", "analysis", "run", str(corpus), "--out", str(out),
        "--workers", str(workers), "--engine", engine, "--no-csv", "--no-progress",
    ]
    machine_before, began = _machine_busy(), time.perf_counter()
    process = subprocess.Popen(command, cwd=_REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    root = psutil.Process(process.pid)
    peak = 0
    cpu: dict[int, float] = {}
    while process.poll() is None:
        total = 0
        try:
            tree = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            break
        for member in tree:
            try:
                with member.oneshot():
                    total += member.memory_info().rss
                    times = member.cpu_times()
                cpu[member.pid] = times.user + times.system
            except psutil.NoSuchProcess:
                pass
        peak = max(peak, total)
        time.sleep(0.05)
    stderr = process.stderr.read().decode(errors="replace")
    process.stderr.close()
    if process.wait() != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {stderr.strip()[-2000:]}")
    wall = time.perf_counter() - began
    ours = sum(cpu.values())
    others = max(0.0, _machine_busy() - machine_before - ours) / wall
    summary = json.loads((out / "run.json").read_text())
    return {
        "seconds": summary["seconds"],
        "corpus_step_seconds": summary.get("corpus_step_seconds", 0.0),
        "corpus_step": "; ".join(summary.get("corpus_step", {}).values()) or "over the whole corpus",
        "rss_mb": peak / 1e6,
        "processed": summary["processed"],
        "cpu_s": ours,
        "others_cores": others,
    }


def _machine_busy() -> float:
    """CPU seconds all processes of the machine have used (to tell how many cores other
    people's work took during a run: the cores are shared)."""
    import psutil

    times = psutil.cpu_times()
    return sum(getattr(times, name, 0.0) for name in ("user", "nice", "system", "irq", "softirq", "steal"))


def _same_tables(left: Path, right: Path) -> bool:
    from ..storage import read_table, table_names

    names = table_names(left)
    return names == table_names(right) and all(read_table(left, n).equals(read_table(right, n)) for n in names)
