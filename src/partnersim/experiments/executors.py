"""Executors from laptop to cluster, all behind the ``concurrent.futures`` interface.

:func:`open_executor` turns ``serial``, ``processes`` or ``dask`` (plus a
worker count and an optional scheduler address) into a
:class:`concurrent.futures.Executor`. The runner only ever calls
``submit`` on it, so any other executor works as well.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "EXECUTORS",
    "ExecutorInfo",
    "ExecutorUnavailable",
    "SerialExecutor",
    "dask_client",
    "open_executor",
]

#: names accepted by :func:`open_executor` and ``partnersim sweep --executor``
EXECUTORS = ("serial", "processes", "dask")

#: Dask settings for the processes of a LocalCluster that partnersim starts: a chunk of runs is
#: one long pure-Python task, and every timer of the worker's event loop takes the GIL from it.
#: The sampling profiler (every 10 ms) and GIL monitor (every 1 ms) are off; the event loop's
#: tick (20 ms), memory monitor (100 ms) and system monitor (500 ms) wake less often. With the
#: default timers a worker's task waited 5.0-5.6% of its time, with these 1.2-1.6%
#: (benchmarks/bench_dask_worker.py). A blocked loop is still reported
#: after 3 s, and memory is still watched every second. A worker forked from the sweep's
#: process (:func:`_forked_cluster`) has the model and its engine already; a spawned one imports
#: the model and loads its engine as it starts (:mod:`partnersim.experiments.preload`). A remote
#: cluster keeps its own settings.
LOCAL_WORKER_CONFIG = {
    "distributed.worker.preload": ["partnersim.experiments.preload"],
    "distributed.worker.profile.enabled": False,
    "distributed.admin.system-monitor.gil.enabled": False,
    "distributed.admin.tick.interval": "1s",
    "distributed.worker.memory.monitor-interval": "1s",
    "distributed.admin.system-monitor.interval": "5s",
}

#: how long to wait for a Dask scheduler before giving up (seconds)
DASK_CONNECT_TIMEOUT = 30


class ExecutorUnavailable(RuntimeError):
    """The executor could not be reached or started (e.g. no Dask scheduler at the address)."""


class SerialExecutor(Executor):
    """Runs each task in this process at ``submit`` time; the baseline for reproducibility."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:
            if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                raise
            future.set_exception(exc)
        return future


@dataclass
class ExecutorInfo:
    """What ran a sweep, for the manifest: kind, workers (parallel slots) and scheduler address.

    ``count`` (Dask) counts the slots now: a cluster can grow after the
    sweep starts (``cluster.scale``), so the runner calls :meth:`recount`
    whenever it submits work. ``peak`` is the most slots seen.
    """

    kind: str
    workers: int
    scheduler: str | None = None
    count: Callable[[], int] | None = field(default=None, repr=False, compare=False)
    peak: int = 0

    def __post_init__(self) -> None:
        self.peak = max(self.peak, self.workers)

    def recount(self) -> int:
        """The parallel slots now (at least 1), remembering the most seen."""
        if self.count is not None:
            n = self.count()
            self.peak = max(self.peak, n)
            self.workers = max(1, n)
        return self.workers


#: how often (seconds) a worker checks that its parent is alive where the kernel cannot tell it
PARENT_POLL_SECONDS = 1.0

#: ``prctl`` option: a signal the kernel sends this process when its parent dies (Linux)
_PR_SET_PDEATHSIG = 1


def _alive(pid: int) -> bool:
    """Whether process ``pid`` is running (a zombie, dead but not yet reaped, is not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    except OSError:  # no /proc (not Linux): ask the kernel, which counts a zombie as alive
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    return stat.rsplit(")", 1)[-1].split()[0] not in ("Z", "X")


def _die_with(owner: int) -> None:
    """Make this worker exit when ``owner``, the process that opened the pool, dies.

    A worker left behind by a SIGKILL, the OOM killer or a batch time limit
    would wait forever for work, holding the sweep's stdout and stderr open,
    so whoever captured them would hang. A worker forked or spawned by
    ``owner`` is killed by the kernel with it on Linux (``PR_SET_PDEATHSIG``);
    a forkserver's worker, and any worker elsewhere, has a thread that checks
    on ``owner`` every :data:`PARENT_POLL_SECONDS`.
    """
    direct = os.getppid() == owner
    if direct and sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if not _alive(owner) or (direct and os.getppid() != owner):  # gone before the kernel watched it
        os._exit(1)

    def watch() -> None:
        while (os.getppid() == owner) if direct else _alive(owner):
            time.sleep(PARENT_POLL_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="partnersim-owner-watch", daemon=True).start()


def _init_worker(owner: int) -> None:
    """In a worker process: SIGTERM ends it at once (a forked worker would inherit the CLI's
    handler), and the worker dies with ``owner``, the process that opened the pool."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _die_with(owner)


def _may_fork() -> bool:
    """Whether workers may be forked from this process: on Linux, while it has one Python thread.

    A child forked from a process with threads could inherit a lock another
    thread held. The native thread pools such a process may hold (jemalloc's,
    OpenBLAS's, Arrow's; Python's fork warning counts them) prepare for a
    fork themselves.
    """
    return sys.platform.startswith("linux") and threading.active_count() == 1


@contextlib.contextmanager
def _frozen_heap() -> Iterator[None]:
    """Fork workers inside this block: their garbage collector skips the heap they inherit, so
    it does not touch (and copy) those pages."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _process_context() -> multiprocessing.context.BaseContext:
    """The start method for worker processes.

    Never the global default, which ``mesa.batch_run`` forces to spawn. On
    Linux: fork while :func:`_may_fork` (workers start at once, with
    everything already imported), else forkserver (safe with threads, still
    cheaper than spawn); spawn elsewhere.
    """
    if _may_fork():
        return multiprocessing.get_context("fork")
    if sys.platform.startswith("linux"):
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["partnersim.model", "partnersim.experiments.runner"])
        return ctx
    return multiprocessing.get_context("spawn")


@contextlib.contextmanager
def open_executor(
    kind: str | Executor = "serial",
    workers: int | None = None,
    scheduler: str | None = None,
) -> Iterator[tuple[Executor, ExecutorInfo]]:
    """Open an executor and close it (and anything it started) on exit.

    Args:
        kind: ``serial``, ``processes`` or ``dask``; or an Executor you own,
            which is used as is and not shut down.
        workers: parallel slots. ``processes``: pool size (default: CPU
            count). ``dask`` without ``scheduler``: workers of a local
            cluster (default 2, one thread each; forked from this process
            while it has one thread, see :func:`dask_client`). Ignored for
            ``serial``.
        scheduler: a Dask scheduler address (``tcp://host:8786``); the
            cluster's own workers are used.

    Yields:
        ``(executor, info)``.
    """
    if isinstance(kind, Executor):
        count = None if workers else _slot_counter(kind)
        n = workers or _slots(kind)
        yield kind, ExecutorInfo(type(kind).__name__, int(n), scheduler, count=count)
        return
    if kind not in EXECUTORS:
        raise ValueError(f"unknown executor {kind!r}: expected one of {', '.join(EXECUTORS)}")
    if workers is not None and workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    if scheduler is not None and kind != "dask":
        raise ValueError("a scheduler address needs the dask executor (--executor dask)")

    if kind != "serial":
        # compile the model's engine here, once, so workers inherit it (fork) or load it from the cache
        from partnersim import fast

        fast.warm()
    if kind == "serial":
        yield SerialExecutor(), ExecutorInfo("serial", 1)
    elif kind == "processes":
        n = workers or os.cpu_count() or 1
        ctx = _process_context()
        pool = ProcessPoolExecutor(
            max_workers=n, mp_context=ctx, initializer=_init_worker, initargs=(os.getpid(),)
        )
        if ctx.get_start_method() == "fork":
            # the first submit forks every worker: do it now, before any thread (progress bar) starts
            with _frozen_heap():
                pool.submit(int).result()
        try:
            yield pool, ExecutorInfo("processes", n)
        finally:
            # on Ctrl-C do not wait for queued chunks; finished ones are already saved
            pool.shutdown(wait=True, cancel_futures=True)
    else:
        with dask_client(workers, scheduler) as client:
            count = _dask_slots(client)
            n = count() or (workers or 1)
            info = ExecutorInfo("dask", n, scheduler or "LocalCluster", count=count)
            yield client.get_executor(pure=False), info


def _dask_slots(client: Any) -> Callable[[], int]:
    """Count a Dask cluster's worker threads now (0 while no worker has joined)."""
    return lambda: sum(client.nthreads().values())


def _slot_counter(executor: Executor) -> Callable[[], int] | None:
    """A slot counter for a Dask client's executor we did not open; ``None`` for other executors."""
    client = getattr(executor, "_client", None)
    if client is not None and hasattr(client, "nthreads"):
        return _dask_slots(client)
    return None


def _slots(executor: Executor) -> int:
    """Parallel slots of an executor we did not open (a Dask client's executor counts its threads)."""
    count = _slot_counter(executor)
    if count is not None:
        return count() or 1
    return getattr(executor, "_max_workers", None) or os.cpu_count() or 1


@contextlib.contextmanager
def dask_client(workers: int | None, scheduler: str | None) -> Iterator[Any]:
    """A Dask client of the cluster at ``scheduler``, or of a local cluster of ``workers`` started here and closed after.

    The local cluster's workers are forked from this process while it has
    one thread (:func:`_forked_cluster`); otherwise nannies spawn them.

    An unreachable scheduler raises :class:`ExecutorUnavailable` (an address that is not one,
    :class:`~partnersim.config.ConfigError`), after at most :data:`DASK_CONNECT_TIMEOUT` seconds.
    """
    from distributed import Client, LocalCluster

    if scheduler:
        try:
            client = Client(scheduler, timeout=DASK_CONNECT_TIMEOUT)
        except ValueError as exc:  # not an address at all: said at once, not after a timeout
            from partnersim.config import ConfigError

            raise ConfigError(
                f"--scheduler {scheduler!r} is not a Dask scheduler address ({_first_line(exc)}): "
                "expected one such as tcp://10.0.0.1:8786"
            ) from None
        except OSError as exc:
            raise ExecutorUnavailable(
                f"could not reach a Dask scheduler at {scheduler} within {DASK_CONNECT_TIMEOUT} s "
                f"({_first_line(exc)})"
            ) from exc
        try:
            wait_for_a_worker(client, scheduler)
            yield client
        finally:
            client.close()
        return
    n = workers or 2
    if _may_fork():
        with _forked_cluster(n) as client:
            yield client
        return
    import dask

    # the nannies hand this config to the worker processes they spawn
    with dask.config.set(LOCAL_WORKER_CONFIG):
        cluster = LocalCluster(
            n_workers=n,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        )
    try:
        with Client(cluster) as client:
            yield client
    finally:
        cluster.close()


#: how long forked workers may take, together, to close once their scheduler has (0.02 s is usual)
FORKED_CLOSE_SECONDS = 2.0

#: the forked cluster's scheduler fails a task when no worker has been left to run it this long:
#: forked workers have no nanny to start new ones, so the sweep would otherwise wait forever
FORKED_NO_WORKERS_TIMEOUT = "5s"


@contextlib.contextmanager
def _forked_cluster(n: int) -> Iterator[Any]:
    """A client of a scheduler in this process and ``n`` Dask workers forked from it.

    Nannies spawn fresh interpreters, each of which imports Dask, pandas,
    Mesa and numba and loads the engine again: 1.5-1.8 s before the first run
    on two cores, which held a 4,800-run sweep to 84% of the ideal. Workers
    forked from this process, which has loaded all of that (``open_executor``
    warms the engine first), are ready in about 0.2 s. This runs only while
    :func:`_may_fork`, before the scheduler's event loop starts; otherwise
    :func:`dask_client` starts nannies. The workers have no nanny to restart them: a worker that dies loses only its
    chunk in flight, which Dask gives to another worker; with none left, the
    chunk fails after :data:`FORKED_NO_WORKERS_TIMEOUT`.
    """
    import dask
    from distributed import Client, LocalCluster

    addresses: list[Any] = []
    procs: list[multiprocessing.process.BaseProcess] = []
    try:
        _fork_workers(n, addresses, procs)
        settings = {
            **LOCAL_WORKER_CONFIG,
            "distributed.scheduler.no-workers-timeout": FORKED_NO_WORKERS_TIMEOUT,
        }
        with dask.config.set(settings):  # the scheduler's settings as with nannies, and the timeout
            cluster = LocalCluster(n_workers=0, processes=True, host="127.0.0.1", dashboard_address=None)
        try:
            for send, proc in zip(addresses, procs, strict=True):
                try:
                    send.send(cluster.scheduler_address)
                except OSError:  # the worker is gone
                    proc.join(timeout=1)
                    raise ExecutorUnavailable(_gone(proc)) from None
            with Client(cluster) as client:
                _wait_for(client, procs)
                yield client
        finally:
            cluster.close()  # the workers close when their scheduler's connection does
    finally:
        for send in addresses:
            send.close()  # a worker still waiting for its address leaves
        deadline = time.monotonic() + FORKED_CLOSE_SECONDS
        for proc in procs:
            proc.join(timeout=max(0.0, deadline - time.monotonic()))
        for proc in procs:
            if proc.is_alive():  # e.g. still trying to reach a scheduler that never came up
                proc.kill()
                proc.join()


def _fork_workers(n: int, addresses: list[Any], procs: list[multiprocessing.process.BaseProcess]) -> None:
    """Fork ``n`` workers, adding each one's sending end and process as it starts (for the caller's cleanup)."""
    ctx = multiprocessing.get_context("fork")
    with _frozen_heap():
        for i in range(n):
            receive, send = ctx.Pipe(duplex=False)
            addresses.append(send)
            proc = ctx.Process(
                target=_forked_worker,
                args=(receive, os.getpid(), list(addresses)),
                name=f"partnersim-dask-{i}",
                daemon=True,
            )
            proc.start()
            procs.append(proc)
            receive.close()


def _wait_for(client: Any, procs: list[multiprocessing.process.BaseProcess]) -> None:
    """Wait until every forked worker has joined; say at once if one died first, not after the timeout."""
    deadline = time.monotonic() + DASK_CONNECT_TIMEOUT
    while True:
        try:
            client.wait_for_workers(len(procs), timeout=0.5)
            return
        except (OSError, TimeoutError):
            dead = [proc for proc in procs if not proc.is_alive()]
            if dead:
                raise ExecutorUnavailable(_gone(dead[0])) from None
            if time.monotonic() > deadline:
                raise ExecutorUnavailable(
                    f"{len(procs)} forked Dask workers did not join within {DASK_CONNECT_TIMEOUT} s"
                ) from None


def _gone(proc: multiprocessing.process.BaseProcess) -> str:
    return f"Dask worker {proc.name} (forked by this sweep) exited with code {proc.exitcode} before it joined"


def _forked_worker(address: Any, owner: int, inherited: list[Any]) -> None:
    """In a worker forked by :func:`_forked_cluster`: serve the scheduler it is sent until it closes.

    ``inherited``: the sending ends of its own pipe and of the workers forked before it, which
    the fork copied; closed, so that a worker sees its pipe close when the sweep closes its end.
    """
    import asyncio
    import logging

    import dask

    for end in inherited:
        end.close()
    _init_worker(owner)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the sweep's to handle: it closes the cluster
    try:
        scheduler = address.recv()
    except EOFError:  # the sweep gave up before its scheduler started
        return
    finally:
        address.close()
    logging.getLogger("distributed").setLevel(logging.WARNING)  # as LocalCluster silences its workers
    # a chunk cut short when the sweep stops (Ctrl-C, an error) is expected, not worth a warning
    logging.getLogger("distributed.worker.state_machine").addFilter(
        lambda record: "ended with CancelledError" not in record.getMessage()
    )

    async def serve() -> None:
        from distributed import Worker

        # death_timeout: a scheduler that cannot be reached ends the worker rather than keeping it trying
        async with Worker(
            scheduler, nthreads=1, host="127.0.0.1", dashboard=False, death_timeout=DASK_CONNECT_TIMEOUT
        ) as worker:
            await worker.finished()

    with dask.config.set(LOCAL_WORKER_CONFIG):  # with the preload, which here only freezes the heap
        asyncio.run(serve())


def wait_for_a_worker(client: Any, scheduler: str) -> None:
    """Wait a bounded time for a worker to join: a scheduler with no workers would hang the work sent to it."""
    try:
        client.wait_for_workers(1, timeout=DASK_CONNECT_TIMEOUT)
    except (OSError, TimeoutError) as exc:
        raise ExecutorUnavailable(
            f"no worker joined the Dask scheduler at {scheduler} within {DASK_CONNECT_TIMEOUT} s"
        ) from exc


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
