"""A pyabc sampler whose particles depend on the study seed alone, not on the workers or their timing.

pyabc's own parallel samplers reseed every worker from the operating system
and keep whichever particles finish first, so two runs of one study on
several workers give different posteriors. :class:`SeededSampler` numbers
the evaluations of a generation 0, 1, 2, ... and runs evaluation ``i`` with
NumPy's and Python's global generators seeded from ``(study seed,
generation, i)``: the proposal it draws and the model seed it takes are
fixed by its number. Evaluations go out in numbered batches to any
``concurrent.futures`` executor (this process, local processes or a Dask
cluster), and the generation keeps the shortest run of numbers, from 0,
that holds ``n`` accepted particles. Evaluations past that point, started
because workers ran ahead, are discarded. So a calibration gives the same
particles on 1, 2 or 64 workers, and a resumed run equals an uninterrupted
one.
"""

from __future__ import annotations

import contextlib
import random
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from typing import Any

import numpy as np
from pyabc.sampler import Sampler

from partnersim.experiments.executors import SerialExecutor

__all__ = ["SeededSampler", "evaluation_seed"]

#: evaluations in each of a generation's first tasks, before their cost is known
FIRST_BATCH = 4

#: wall time (seconds) a task aims at once the cost of an evaluation is known: long enough that
#: sending and collecting tasks costs this process little, short enough that the evaluations
#: workers run ahead of a finished generation (then dropped) stay few
BATCH_SECONDS = 0.5

#: the most evaluations in one task
MAX_BATCH = 256

#: batches in flight per worker: enough to keep each busy while this process collects
AHEAD = 2


def evaluation_seed(seed: int, t: int, prior: bool, i: int) -> int:
    """The seed of evaluation ``i`` of generation ``t`` (``prior``: pyabc's sample from the prior
    that sets the first epsilon, which must not reuse generation ``t``'s numbers)."""
    # t is -1 for pyabc's calibration sample: shift so every entropy word is non-negative
    return int(np.random.SeedSequence([seed, t + 1, int(prior), i]).generate_state(1)[0])


@contextlib.contextmanager
def _seeded(seed: int) -> Iterator[None]:
    """NumPy's and Python's global generators seeded with ``seed``, and put back afterwards.

    Put back, so an evaluation run in this process (one worker) leaves the
    generators pyabc uses here exactly as evaluations in other processes do.
    """
    np_state, py_state = np.random.get_state(), random.getstate()
    np.random.seed(seed % 2**32)
    random.seed(seed)
    try:
        yield
    finally:
        np.random.set_state(np_state)
        random.setstate(py_state)


_cache: dict[str, Any] = {"payload": None, "fn": None}


def _simulate_function(payload: bytes) -> Callable[[], Any]:
    """The generation's simulate function, unpickled once per worker and generation."""
    if _cache["payload"] != payload:
        import cloudpickle

        _cache["fn"] = cloudpickle.loads(payload)
        _cache["payload"] = payload
    return _cache["fn"]


def evaluate_batch(
    payload: bytes, seed: int, t: int, prior: bool, start: int, stop: int
) -> tuple[list[Any], float]:
    """In a worker: evaluations ``start`` to ``stop - 1`` of a generation, each with its own seed,
    and the seconds they took."""
    began = time.perf_counter()
    simulate_one = _simulate_function(payload)
    out = []
    for i in range(start, stop):
        with _seeded(evaluation_seed(seed, t, prior, i)):
            out.append(simulate_one())
    return out, time.perf_counter() - began


class SeededSampler(Sampler):
    """Sample a pyabc generation on ``executor``, reproducibly from ``seed`` whatever the workers.

    Args:
        seed: the study seed.
        executor: where batches run (:func:`partnersim.experiments.open_executor`).
        workers: parallel slots of ``executor``, for how many batches to keep in flight.
        batch: evaluations per task; ``None`` (the default) sizes tasks to
            about :data:`BATCH_SECONDS` of work. Neither changes the particles.
    """

    def __init__(self, seed: int, executor: Executor, workers: int, batch: int | None = None) -> None:
        super().__init__()
        self.seed = int(seed)
        self.executor = executor
        self.workers = max(1, int(workers))
        self.batch = None if batch is None else max(1, int(batch))
        self.check_max_eval = False
        self._per_evaluation: float | None = None  # seconds, from the tasks so far

    def _next_batch(self) -> int:
        if self.batch is not None:
            return self.batch
        if self._per_evaluation is None:
            return FIRST_BATCH
        return max(1, min(MAX_BATCH, round(BATCH_SECONDS / max(self._per_evaluation, 1e-6))))

    def sample_until_n_accepted(
        self,
        n: int,
        simulate_one: Callable[[], Any],
        t: int,
        *,
        max_eval: float = np.inf,
        all_accepted: bool = False,
        ana_vars: Any = None,  # pyabc's look-ahead samplers use it; this one does not look ahead
    ) -> Any:
        """The particles of evaluations 0 to M - 1, for the least M that holds ``n`` accepted ones.

        With ``all_accepted`` (pyabc's sample from the prior) M is ``n``.
        With ``check_max_eval`` it stops at ``max_eval`` evaluations, and
        the sample is marked not ok if it holds fewer than ``n``.
        """
        import cloudpickle

        payload = cloudpickle.dumps(simulate_one)
        prior = bool(all_accepted)
        done: dict[int, Any] = {}  # evaluation number -> its particle, for those not yet kept
        pending: dict[Future, int] = {}
        kept: list[Any] = []
        accepted = 0
        frontier = 0  # evaluations kept so far: the next to keep is number `frontier`
        submitted = 0
        limit = max_eval if self.check_max_eval else np.inf
        # in this process a batch runs as it is submitted: one at a time, so none runs ahead
        ahead = 1 if isinstance(self.executor, SerialExecutor) else AHEAD * self.workers

        def finished() -> bool:
            if all_accepted:
                return frontier >= n
            return accepted >= n or frontier >= limit

        from partnersim.experiments.runner import progress_bar

        with progress_bar(total=n, unit="particle", disable=not self.show_progress, leave=False) as bar:
            while not finished():
                while len(pending) < ahead:
                    size = self._next_batch()
                    if all_accepted:  # the prior sample needs exactly n: none past it
                        size = min(size, n - submitted)
                        if size <= 0:
                            break
                    stop = submitted + size
                    future = self.executor.submit(
                        evaluate_batch, payload, self.seed, t, prior, submitted, stop
                    )
                    pending[future] = submitted
                    submitted = stop
                ready, _ = wait(list(pending), return_when=FIRST_COMPLETED)
                for future in ready:
                    start = pending.pop(future)
                    particles, seconds = future.result()
                    done.update(enumerate(particles, start))
                    per = seconds / max(1, len(particles))
                    # a running mean that follows the generation's cost as epsilon falls
                    self._per_evaluation = (
                        per if self._per_evaluation is None else 0.7 * self._per_evaluation + 0.3 * per
                    )
                # keep evaluations in their numbered order, up to the first that completes the sample
                while frontier in done and not finished():
                    particle = done.pop(frontier)
                    kept.append(particle)
                    frontier += 1
                    accepted += bool(particle.accepted)
                    if all_accepted or particle.accepted:
                        bar.update(1)
            for future in pending:  # workers ran ahead: their evaluations are not part of the sample
                future.cancel()
        sample = self._create_empty_sample()
        for particle in kept:
            sample.append(particle)
        self.nr_evaluations_ = frontier
        if sample.n_accepted < n:
            sample.ok = False
        return sample
