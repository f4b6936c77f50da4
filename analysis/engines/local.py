"""The local engine: batches in worker processes on this machine.

Each worker process runs :func:`~analysis.engines.batch.process_and_commit`: it
processes a batch and writes the batch's Parquet parts itself, so documents travel to
it once (pickled in batches) and only a small report comes back. At most two batches
per worker are in flight, so memory holds a few batches, never the corpus.

With one worker, or when the whole run fits in one batch (a handful of articles, a
rerun that added ten), the batches run in this process: starting workers would cost
more than it saves.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from itertools import chain

from ..settings import Settings
from . import EngineError
from .batch import Batch, BatchReport, process_and_commit

__all__ = ["run_batches"]

_IN_FLIGHT_PER_WORKER = 2


def run_batches(batches: Iterator[Batch], *, settings: Settings, out_dir: str | os.PathLike, workers: int) -> Iterator[BatchReport]:
    """Process and write batches; yield each one's report as it finishes (in any order).

    Args:
        batches: the batches, pulled only as workers free up.
        settings: pipeline settings.
        out_dir: the output folder the workers write to.
        workers: worker processes.
    """
    batches = iter(batches)
    first = next(batches, None)
    if first is None:
        return
    second = next(batches, None) if workers > 1 else None
    if second is None:
        for batch in chain([first], batches):
            yield process_and_commit(batch, settings, out_dir)
        return
    yield from _in_pool(chain([first, second], batches), settings, out_dir, workers)


def _in_pool(batches: Iterator[Batch], settings: Settings, out_dir, workers: int) -> Iterator[BatchReport]:
    # forkserver: workers fork from a clean server process that imported the pipeline
    # once, never from this one (which holds threads of pyarrow and the progress bar).
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["analysis.engines.batch"])
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_ignore_interrupts)
    pending = set()
    try:
        for batch in batches:
            pending.add(pool.submit(process_and_commit, batch, settings, out_dir))
            if len(pending) >= workers * _IN_FLIGHT_PER_WORKER:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                yield from _results(done)
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            yield from _results(done)
    finally:
        # Batches already running finish and are committed; queued ones are dropped
        # and processed by the next run.
        pool.shutdown(wait=True, cancel_futures=True)


def _results(done) -> Iterator[BatchReport]:
    for future in done:
        try:
            yield future.result()
        except BrokenProcessPool:
            raise EngineError(
                "a worker process died (out of memory, or killed); the batches it finished are kept: "
                "run the same command again to continue, with fewer --workers or a smaller --batch-size "
                "if memory is short"
            ) from None


def _ignore_interrupts() -> None:
    """Ctrl-C is for the main process, which stops the pool; workers would only print
    tracebacks."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
