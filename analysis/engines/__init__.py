"""Engines: how the batches of a run are processed.

* :mod:`~analysis.engines.local`: worker processes on this machine (the default; one
  per core).
* :mod:`~analysis.engines.on_dask`: tasks on a ``dask.distributed`` cluster, or on a
  LocalCluster started for the run.

Both run :func:`~analysis.engines.batch.process_batch` on the same batches and commit
them with :func:`analysis.storage.commit_batch`, so they write the same tables. The
scan of the input (:mod:`~analysis.engines.scan`) and the record of what is done
(:mod:`~analysis.engines.manifest`) are shared; :func:`analysis.run.run_corpus` drives
them.
"""

from __future__ import annotations

import os

__all__ = ["EngineError", "available_cores"]


class EngineError(Exception):
    """The engine cannot go on (a worker died, a cluster is unreachable or runs other
    code); batches already finished are kept, and a rerun continues from them."""


def available_cores() -> int:
    """Cores this process may run on (its CPU affinity where the OS tells it)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS, Windows
        return max(1, os.cpu_count() or 1)
