"""Runs per second: the sweep runner on 2 local processes and on a 2-worker Dask cluster, against ``mesa.batch_run(number_processes=2)``.

All run the same grid on the same seeds (common seeds per replicate, as
``batch_run`` does), cold: pool or cluster start-up is part of the time, as
it is for a user. Every variant, the serial pass included, has imported the
model and loaded its compiled engine before its clock starts (a fixed cost
per process, like an import). A researcher on a cluster does not start the
cluster for each sweep: the Dask runner is also timed on a cluster that is
already running (``--scheduler``), whose workers loaded the model as they
started (the preload), on its first sweep and on a second one, and on the
same cluster without the preload. Run it with::

    .venv/bin/python benchmarks/bench_sweep.py [--replicates 10] [--horizon 120]

Each variant runs in a fresh interpreter (best of ``--repeat``, alternating),
so none inherits a warm pool. It prints the rates, the ratio of the sweep to
``batch_run`` (target: at least 1.5x) and the parallel efficiency of each:
runs per second against the model's own cost per run in one process (a
serial pass, alternated with the others and also best of ``--repeat``), times
the workers (issue #16's targets: at least 95% on 2 local processes, 90% on a
2-worker Dask cluster: the one ``--executor dask`` starts, whose workers are
forked from the sweep's process, and one already running, whose nannies
spawned its workers). It also times ``--workers`` independent serial
processes started at once, each running its share of the runs with no pool
or runner: the rate two busy processes get from this machine at all, which
bounds what any parallel runner can reach here.
"""

from __future__ import annotations

import argparse
import itertools
import subprocess
import sys
import tempfile
import time

GRID = {
    "staff_turnover": [0.1, 0.3, 0.5],
    "funding_length": [24, 48],
    "coordinator": [True, False],
}


def _warm() -> None:
    """Import the model and load its compiled engine: done before every variant's clock starts."""
    from partnersim import fast
    from partnersim.experiments import run_specs  # noqa: F401

    fast.warm()


def bench_sweep(
    points: list[dict],
    seeds: list[int],
    workers: int,
    executor: str = "processes",
    scheduler: str | None = None,
) -> tuple[float, int]:
    """The runner as ``partnersim sweep`` uses it: chunks, processes (or Dask workers), results persisted."""
    from partnersim.experiments import make_specs, run_specs

    specs = make_specs(points, len(seeds), seeds=seeds)
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        result = run_specs(specs, out, executor=executor, workers=workers, scheduler=scheduler)
        elapsed = time.perf_counter() - start
    return elapsed, len(result.runs)


def bench_running_cluster(
    points: list[dict], seeds: list[int], workers: int, preload: bool = True
) -> tuple[float, float]:
    """Two sweeps on a Dask cluster started beforehand, reached by its address as ``--scheduler`` does.

    The cluster is a LocalCluster with partnersim's worker settings, whose
    workers import the model and load its engine as they start
    (``partnersim.experiments.preload``, which the README asks a cluster's
    workers to use), so the first sweep pays no imports. ``preload=False``:
    the same cluster without it, whose workers import the model in the
    first chunk each one is given.
    """
    import dask
    from distributed import Client, LocalCluster

    from partnersim.experiments.executors import LOCAL_WORKER_CONFIG

    settings = LOCAL_WORKER_CONFIG if preload else {**LOCAL_WORKER_CONFIG, "distributed.worker.preload": []}
    with dask.config.set(settings):
        cluster = LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
        )
    try:
        with Client(cluster) as client:
            client.wait_for_workers(workers)
        address = cluster.scheduler_address
        first, done = bench_sweep(points, seeds, workers, "dask", address)
        again, done_again = bench_sweep(points, seeds, workers, "dask", address)
        assert done == done_again == len(points) * len(seeds), (done, done_again)
    finally:
        cluster.close()
    return first, again


def bench_serial(points: list[dict], seeds: list[int], share: int = 0, shares: int = 1) -> tuple[float, int]:
    """One process, no pool, warm: every ``shares``-th run of the grid from ``share`` (all of it by default)."""
    from partnersim.experiments import make_specs, run_specs

    specs = make_specs(points, len(seeds), seeds=seeds)
    mine = specs[share::shares]
    run_specs(specs[:1])  # warm: the first run's own allocations
    start = time.perf_counter()
    run_specs(mine)
    return time.perf_counter() - start, len(mine)


def side_by_side(args: argparse.Namespace) -> float:
    """Wall time of ``workers`` independent serial processes run at once, each with its share of the runs.

    No pool, no runner between them, nothing persisted: what this machine gives
    ``workers`` busy processes. Each reports its own time after its imports, and
    the slowest one is the wall time.
    """
    cmd = [sys.executable, __file__, "--only", "share", "--replicates", str(args.replicates),
           "--horizon", str(args.horizon), "--workers", str(args.workers)]  # fmt: skip
    procs = [
        subprocess.Popen([*cmd, "--share", str(i)], stdout=subprocess.PIPE, text=True)
        for i in range(args.workers)
    ]
    outs = [p.communicate()[0] for p in procs]
    if any(p.returncode for p in procs):
        raise RuntimeError("a side-by-side process failed")
    return max(float(out.strip().splitlines()[-1]) for out in outs)


def bench_mesa(grid: dict, horizon: int, seeds: list[int], workers: int) -> tuple[float, int]:
    """``mesa.batch_run`` on the same grid and seeds."""
    import mesa

    from partnersim.model import PartnershipModel

    start = time.perf_counter()
    rows = mesa.batch_run(
        PartnershipModel,
        parameters={**grid, "horizon": horizon},
        rng=seeds,
        max_steps=horizon,
        number_processes=workers,
        display_progress=False,
    )
    return time.perf_counter() - start, len(rows)


def _one(which: str, args: argparse.Namespace) -> list[float]:
    """Time one variant in a fresh interpreter, so none inherits a warm pool."""
    cmd = [sys.executable, __file__, "--only", which, "--replicates", str(args.replicates),
           "--horizon", str(args.horizon), "--workers", str(args.workers)]  # fmt: skip
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    return [float(x) for x in out.strip().splitlines()[-1].split()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicates", type=int, default=10)
    parser.add_argument("--horizon", type=int, default=120)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=5, help="best of this many cold runs of each")
    parser.add_argument(
        "--only",
        choices=("sweep", "dask", "running", "bare", "mesa", "serial", "share"),
        help=argparse.SUPPRESS,
    )
    parser.add_argument("--share", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()

    names = list(GRID)
    points = [
        {**dict(zip(names, combo, strict=True)), "horizon": args.horizon}
        for combo in itertools.product(*GRID.values())
    ]
    seeds = list(range(1000, 1000 + args.replicates))
    n = len(points) * len(seeds)
    if args.only:
        _warm()
    if args.only in ("running", "bare"):
        first, again = bench_running_cluster(points, seeds, args.workers, preload=args.only == "running")
        print(first, again)
        return
    if args.only == "serial":
        elapsed, done = bench_serial(points, seeds)
        print(elapsed / done)
        return
    if args.only == "share":  # one of the side-by-side processes
        elapsed, _ = bench_serial(points, seeds, args.share, args.workers)
        print(elapsed)
        return
    if args.only == "sweep":
        elapsed, done = bench_sweep(points, seeds, args.workers)
    elif args.only == "dask":
        elapsed, done = bench_sweep(points, seeds, args.workers, executor="dask")
    elif args.only == "mesa":
        elapsed, done = bench_mesa(GRID, args.horizon, seeds, args.workers)
    if args.only:
        assert done == n, (done, n)
        print(elapsed)
        return

    print(
        f"grid: {len(points)} points x {len(seeds)} seeds = {n} runs of {args.horizon} months, {args.workers} processes"
    )
    times: dict[str, list[float]] = {
        "sweep": [], "dask": [], "first": [], "again": [], "bare first": [], "bare again": [], "mesa": [],
        "serial": [], "side": [],
    }  # fmt: skip
    # alternate, so background load hits all alike: the serial baseline too, since the
    # machine's speed drifts and an efficiency against a baseline taken apart is not one
    for _ in range(args.repeat):
        for which in ("mesa", "sweep", "dask", "serial"):
            times[which].append(_one(which, args)[0])
        for which, prefix in (("running", ""), ("bare", "bare ")):
            first, again = _one(which, args)
            times[prefix + "first"].append(first)
            times[prefix + "again"].append(again)
        times["side"].append(side_by_side(args))
    t_ours, t_dask, t_mesa = min(times["sweep"]), min(times["dask"]), min(times["mesa"])
    ours, dask, theirs = n / t_ours, n / t_dask, n / t_mesa
    first, again = n / min(times["first"]), n / min(times["again"])
    print(
        f"partnersim sweep (processes={args.workers}): {ours:7.2f} runs/s  (best {t_ours:.1f} s of {len(times['sweep'])})"
    )
    print(
        f"partnersim sweep (dask, {args.workers} workers): {dask:7.2f} runs/s  (best {t_dask:.1f} s of {len(times['dask'])})"
    )
    bare_first, bare_again = n / min(times["bare first"]), n / min(times["bare again"])
    for label, rate, key in (
        ("first sweep", first, "first"),
        ("second sweep", again, "again"),
        ("no preload, first sweep", bare_first, "bare first"),
        ("no preload, second sweep", bare_again, "bare again"),
    ):
        print(
            f"partnersim sweep (dask, running {args.workers}-worker cluster, {label}): {rate:7.2f} runs/s  "
            f"(best {min(times[key]):.1f} s of {len(times[key])})"
        )
    print(
        f"mesa.batch_run (number_processes={args.workers}): {theirs:7.2f} runs/s  (best {t_mesa:.1f} s of {len(times['mesa'])})"
    )
    per_run = min(times["serial"])
    ideal = n / (per_run * n / args.workers)
    print(
        f"ideal (model time per run {per_run * 1000:.1f} ms, best of {len(times['serial'])} serial passes, {args.workers} processes, no overhead): {ideal:7.2f} runs/s"
    )
    print(
        f"parallel efficiency: sweep {ours / ideal:.0%} (target >= 95%), dask {dask / ideal:.0%} "
        f"(target >= 90%; on a running cluster {first / ideal:.0%} first, {again / ideal:.0%} second; "
        f"without the preload {bare_first / ideal:.0%} and {bare_again / ideal:.0%}), "
        f"batch_run {theirs / ideal:.0%}"
    )
    side = n / min(times["side"])
    print(
        f"{args.workers} independent serial processes at once (no runner, warm): {side:7.2f} runs/s, "
        f"{side / ideal:.0%} of ideal: what {args.workers} busy processes get from this machine; "
        f"against it the sweep reaches {ours / side:.0%}, dask {dask / side:.0%} "
        f"(on a running cluster {first / side:.0%} first, {again / side:.0%} second)"
    )
    print(f"ratio: {ours / theirs:.2f}x (target >= 1.5x)")


if __name__ == "__main__":
    main()
