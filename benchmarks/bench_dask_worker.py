"""How long a Dask worker's task waits for the GIL, with Dask's default timers and with partnersim's.

A Dask worker runs each task in a thread beside its event loop; every
timer of that loop (the tick, the memory and system monitors) takes the GIL
from the task. For each setting this starts a 2-worker LocalCluster as
``partnersim sweep --executor dask`` does, runs ``--runs`` default runs on
each worker in one task, and reads the task's wall time and its thread's
CPU time: the difference is time the task was runnable but not running
(waiting for the GIL, or for a core). The settings alternate over
``--rounds`` rounds so both see the same machine. Run::

    .venv/bin/python benchmarks/bench_dask_worker.py [--rounds 3] [--runs 300]

The share waited is the figure to compare: it does not depend on how fast
the machine is that minute, which the wall time does.
"""

from __future__ import annotations

import argparse
import time


def runs(n: int) -> tuple[float, float]:
    """``n`` default runs with different seeds; (wall seconds, this thread's CPU seconds)."""
    from partnersim import fast
    from partnersim.model import run_model

    fast.warm()
    run_model({"rng": 0}, collect=False)  # the first run's own allocations
    wall, cpu = time.perf_counter(), time.thread_time()
    for seed in range(n):
        run_model({"rng": seed}, collect=False)
    return time.perf_counter() - wall, time.thread_time() - cpu


def waited(settings: dict, n: int) -> tuple[float, float]:
    """(share of the tasks' wall time spent waiting, CPU ms per run) on a LocalCluster with ``settings``."""
    from partnersim.experiments import executors

    saved = executors.LOCAL_WORKER_CONFIG
    executors.LOCAL_WORKER_CONFIG = settings
    try:
        with executors.dask_client(2, None) as client:
            futures = [client.submit(runs, n, pure=False, key=f"runs-{i}") for i in range(2)]
            done = [f.result() for f in futures]
    finally:
        executors.LOCAL_WORKER_CONFIG = saved
    wall, cpu = sum(w for w, _ in done), sum(c for _, c in done)
    return (wall - cpu) / wall, cpu / (2 * n) * 1e3


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--runs", type=int, default=300, help="default runs per worker in each round")
    args = ap.parse_args()
    from partnersim.experiments.executors import LOCAL_WORKER_CONFIG

    # Dask's defaults, less the profiler and GIL monitor that partnersim has always switched off
    timers = ("distributed.admin.tick.interval", "distributed.worker.memory.monitor-interval",
              "distributed.admin.system-monitor.interval")  # fmt: skip
    default = {k: v for k, v in LOCAL_WORKER_CONFIG.items() if k not in timers}
    variants = {"Dask's default timers": default, "partnersim's timers": LOCAL_WORKER_CONFIG}
    seen: dict[str, list[tuple[float, float]]] = {name: [] for name in variants}
    for r in range(args.rounds):
        for name, settings in variants.items():
            seen[name].append(waited(settings, args.runs))
        print(f"round {r + 1}/{args.rounds} done", flush=True)
    print(f"2 workers x {args.runs} default runs, {args.rounds} rounds, alternating")
    for name, rows in seen.items():
        shares = ", ".join(f"{w:.1%}" for w, _ in rows)
        cpu = ", ".join(f"{c:.1f}" for _, c in rows)
        print(f"  {name:24s} waited {shares} of the task's time   (CPU ms per run: {cpu})")


if __name__ == "__main__":
    main()
