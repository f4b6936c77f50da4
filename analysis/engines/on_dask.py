"""The Dask engine: the same batches on a ``dask.distributed`` cluster.

This process reads the input (as the local engine does) and submits each batch to the
cluster as a task running :func:`~analysis.engines.batch.process_batch`, the function
the local engine runs; the task returns the batch's rows as Arrow tables and this
process writes them with the same commit. So the cluster's workers need the
``analysis`` package (same version: checked) but neither the input files nor the
output folder, and the tables are those of the local engine, part for part.

Why futures over batches, and not ``dask.bag`` over input partitions: a bag needs every
partition known before it starts (the corpus listed and split up front) and workers
that can read the input files; streaming batches with at most two per worker thread in
flight keeps this process's memory flat and works on any cluster.

Without a scheduler address a ``LocalCluster`` of ``workers`` processes (one thread
each) is started for the run and stopped after it.
"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Iterator

from ..settings import Settings
from . import EngineError
from .batch import Batch, BatchReport, commit_output, process_batch
from .manifest import pipeline_fingerprint

__all__ = ["DaskUnavailable", "WorkerMismatch", "run_batches"]

_IN_FLIGHT_PER_THREAD = 2
# How long to wait for a scheduler to answer before giving up with a clear message.
CONNECT_TIMEOUT = "20s"


class DaskUnavailable(EngineError):
    """``dask.distributed`` is not installed, or the scheduler cannot be reached."""


class WorkerMismatch(EngineError):
    """A worker runs other code or lexicons than this process: its rows would differ."""


def run_batches(
    batches: Iterator[Batch],
    *,
    settings: Settings,
    out_dir: str | os.PathLike,
    workers: int,
    scheduler: str | None = None,
) -> Iterator[BatchReport]:
    """Process batches on a Dask cluster and write them here; yield each report.

    Args:
        batches: the batches, pulled as tasks finish.
        settings: pipeline settings (sent with each task).
        out_dir: the output folder (written by this process only).
        workers: worker processes of the LocalCluster when no scheduler is given.
        scheduler: address of a running scheduler (``tcp://host:8786``).

    Raises:
        DaskUnavailable: no dask.distributed, or no scheduler at that address.
        WorkerMismatch: a worker's pipeline fingerprint differs from ours.
    """
    client, cluster = _connect(scheduler, workers)
    expected = pipeline_fingerprint(settings)
    run = uuid.uuid4().hex[:8]
    try:
        from dask.distributed import as_completed

        threads = max(1, sum(client.nthreads().values()))
        batches = iter(batches)
        in_flight = as_completed()

        def submit(batch: Batch) -> None:
            key = f"analysis-batch-{run}-{batch.batch_id}"
            in_flight.add(client.submit(process_batch, batch, settings, key=key, pure=False))

        for _, batch in zip(range(threads * _IN_FLIGHT_PER_THREAD), batches):
            submit(batch)
        for future in in_flight:
            output = future.result()
            future.release()
            if output.report.fingerprint != expected:
                raise WorkerMismatch(
                    "a Dask worker runs another version of the analysis package or its lexicons "
                    "(pipeline fingerprints differ); install this checkout on every worker "
                    "(pip install -e '.[dask]') and restart them"
                )
            yield commit_output(out_dir, output)
            following = next(batches, None)
            if following is not None:
                submit(following)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _connect(scheduler: str | None, workers: int):
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError as exc:
        raise DaskUnavailable(
            f"the dask engine needs dask.distributed ({exc}); install it with pip install -e '.[dask]'"
        ) from None
    if scheduler:
        try:
            return Client(scheduler, timeout=CONNECT_TIMEOUT), None
        except (OSError, TimeoutError) as exc:
            raise DaskUnavailable(f"cannot reach the Dask scheduler at {scheduler} ({exc})") from None
    cluster = LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        silence_logs=logging.ERROR,
    )
    return Client(cluster), cluster
