"""A Dask worker preload: the model imported and its compiled engine loaded before the first task.

Without it, a worker imports the model and loads the engine inside the
first chunk it is given (1-2 s of a sweep's time on every worker), and does
so again for each new worker. Start workers with it::

    dask worker tcp://10.0.0.1:8786 --nthreads 1 --preload partnersim.experiments.preload

(dask-jobqueue: ``worker_extra_args=["--preload", "partnersim.experiments.preload"]``).
The local cluster that ``partnersim sweep --executor dask`` starts uses it
too: on workers spawned by nannies it does all of the above; on workers
forked from the sweep's process, which have the model and its engine
already, only the heap's freeze is new.

It also freezes the heap the imports leave (``gc.freeze``): the cyclic
garbage collector then no longer walks the worker's modules and Dask's own
state each time a run's allocations trigger a full collection, as a worker
of the local process pool, forked after ``gc.freeze``, already does not.
"""

from __future__ import annotations

import gc
from typing import Any

__all__ = ["dask_setup"]


def dask_setup(worker: Any = None) -> None:
    """Called by Dask in the worker process as it starts (before it takes any task)."""
    from partnersim import fast
    from partnersim.experiments import runner  # noqa: F401  (what a chunk's task unpickles)

    fast.warm()
    gc.collect()
    gc.freeze()
