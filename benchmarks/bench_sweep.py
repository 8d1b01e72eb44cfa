"""Runs per second: the sweep runner on 2 local processes against ``mesa.batch_run(number_processes=2)``.

Both run the same grid on the same seeds (common seeds per replicate, as
``batch_run`` does), cold: pool start-up is part of the time, as it is for a
user. Run it with::

    .venv/bin/python benchmarks/bench_sweep.py [--replicates 10] [--horizon 120]

It prints both rates and their ratio (target: at least 1.5x).
"""

from __future__ import annotations

import argparse
import itertools
import multiprocessing
import tempfile
import time

GRID = {
    "staff_turnover": [0.1, 0.3, 0.5],
    "funding_length": [24, 48],
    "coordinator": [True, False],
}


def bench_sweep(points: list[dict], seeds: list[int], workers: int) -> tuple[float, int]:
    """The runner as ``partnersim sweep`` uses it: chunks, processes, results persisted."""
    from partnersim.experiments import make_specs, run_specs

    specs = make_specs(points, len(seeds), seeds=seeds)
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        result = run_specs(specs, out, executor="processes", workers=workers)
        elapsed = time.perf_counter() - start
    return elapsed, len(result.runs)


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicates", type=int, default=10)
    parser.add_argument("--horizon", type=int, default=120)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    names = list(GRID)
    points = [
        {**dict(zip(names, combo, strict=True)), "horizon": args.horizon}
        for combo in itertools.product(*GRID.values())
    ]
    seeds = list(range(1000, 1000 + args.replicates))
    n = len(points) * len(seeds)
    print(
        f"grid: {len(points)} points x {len(seeds)} seeds = {n} runs of {args.horizon} months, {args.workers} processes"
    )

    start_method = multiprocessing.get_start_method(allow_none=True)
    t_mesa, n_mesa = bench_mesa(GRID, args.horizon, seeds, args.workers)
    multiprocessing.set_start_method(start_method, force=True)  # batch_run forces spawn globally
    t_ours, n_ours = bench_sweep(points, seeds, args.workers)
    assert n_ours == n_mesa == n, (n_ours, n_mesa, n)

    ours, theirs = n / t_ours, n / t_mesa
    print(f"partnersim sweep (processes={args.workers}): {ours:7.2f} runs/s  ({t_ours:.1f} s)")
    print(f"mesa.batch_run (number_processes={args.workers}): {theirs:7.2f} runs/s  ({t_mesa:.1f} s)")
    print(f"ratio: {ours / theirs:.2f}x (target >= 1.5x)")


if __name__ == "__main__":
    main()
