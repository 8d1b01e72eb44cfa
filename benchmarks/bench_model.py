"""Benchmark the core model, side by side in one run (issue #16's P1 and P3).

1. P1: the default run (60 organisations, 10 partnerships, 120 months)
   against an empty Mesa model with the same agents and steps: the ratio of
   wall times. Target: within 3x.
2. P3: cost per organisation-step at 60, 600, 6,000 and 30,000 organisations
   (partnerships scaled with them), and the ratio 30,000 : 600. Target:
   within 1.2x. Memory: the peak resident set of a fresh interpreter that
   builds and runs the model at each size, less that of one that only
   imports it and loads the compiled engine (a one-month run); it should
   grow in proportion to the organisations.

Timings are the minimum over interleaved repeats (``--rounds``, 3 by
default), which is the most stable figure on a noisy machine. For P3 the
minimum is taken per seed and the costs are then averaged over the same
seeds at every size: a run's cost depends on how many of its partnerships
are still working, which varies from seed to seed (a budget shock, failures while funded), so a minimum
over different seeds would pick the seed whose partnerships died soonest
and compare unlike runs. It also prints the ratio within each round (each
round's mean over the seeds at each size): their spread says how far one
reading of the ratio can be trusted on the machine of the moment. Run:
``.venv/bin/python benchmarks/bench_model.py``
(``--sizes 60,600,6000`` for a quicker look). To compare two source trees,
run it with ``PYTHONPATH=<tree>/src`` for each, one after the other.
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable

import mesa

from partnersim.model import PartnershipModel


class _Idle(mesa.Agent):
    def step(self) -> None:
        pass


class EmptyModel(mesa.Model):
    """A Mesa model with the same number of agents and steps, doing nothing."""

    def __init__(self, n_agents: int, horizon: int, rng: int = 0) -> None:
        super().__init__(rng=rng)
        self.horizon = horizon
        _Idle.create_agents(self, n_agents)

    def step(self) -> None:
        self.agents.shuffle_do("step")
        if self.steps >= self.horizon:
            self.running = False

    def run(self) -> None:
        while self.running:
            self.step()


def _time(fn: Callable[[], object]) -> float:
    gc.collect()
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def _default_run(seed: int) -> None:
    m = PartnershipModel(rng=seed)
    m.record_events = False
    m.run()


def scale_params(n_orgs: int) -> dict:
    k = n_orgs / 60
    return {
        "n_statutory": round(15 * k),
        "n_large_charity": round(10 * k),
        "n_small_vcse": round(35 * k),
        "n_partnerships": round(10 * k),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--scale-months", type=int, default=24, help="months for the scaling runs")
    ap.add_argument("--sizes", default="60,600,6000,30000", help="organisations for the scaling runs")
    ap.add_argument("--phases", action="store_true", help="also time set-up, packing, months and write-back")
    ap.add_argument(
        "--rounds", type=int, default=3, help="interleaved rounds of the scaling runs, best per seed"
    )
    ap.add_argument("--memory", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.memory is not None:
        _memory(args.memory, args.scale_months)
        return

    n_agents = 60 + 10
    model_t, empty_t = [], []
    for r in range(args.repeats):  # interleaved so both see the same machine load
        model_t.append(_time(lambda r=r: _default_run(r)))
        empty_t.append(_time(lambda r=r: EmptyModel(n_agents, 120, r).run()))
    m, e = min(model_t), min(empty_t)
    print("default run (60 organisations, 10 partnerships, 120 months)")
    print(f"  partnersim          {m * 1e3:8.2f} ms")
    print(f"  empty Mesa model    {e * 1e3:8.2f} ms   ({n_agents} idle agents, 120 steps)")
    print(f"  ratio               {m / e:8.2f} x   (target <= 3x)")

    months = args.scale_months
    sizes = tuple(int(x) for x in args.sizes.split(","))
    seeds = range(3)
    best: dict[tuple[int, int], float] = {}
    rounds: list[dict[int, float]] = []  # each round's mean cost at each size
    # interleaved, so every size sees the same machine load; the same repeats at each
    for _ in range(args.rounds):
        rounds.append({})
        for n in sizes:
            for seed in seeds:

                def run(n: int = n, seed: int = seed) -> None:
                    mm = PartnershipModel(rng=seed, horizon=months, **scale_params(n))
                    mm.record_events = False
                    mm.run()

                took = _time(run) / (n * months)
                best[n, seed] = min(best.get((n, seed), float("inf")), took)
                rounds[-1][n] = rounds[-1].get(n, 0.0) + took / len(seeds)
    cost = {n: sum(best[n, s] for s in seeds) / len(seeds) for n in sizes}
    print(
        f"cost per organisation-step ({months} months, partnerships scale with organisations; mean over seeds 0-2)"
    )
    base_rss = _peak_rss(0, months)
    for n in sizes:
        grown = _peak_rss(n, months) - base_rss
        spread = ", ".join(f"{best[n, s] * 1e6:.1f}" for s in seeds)
        print(
            f"  {n:6d} organisations  {cost[n] * 1e6:8.2f} us   peak memory +{grown / 1024:7.1f} MB   (seeds: {spread})"
        )
    lo, hi = (600 if 600 in sizes else sizes[0]), sizes[-1]
    print(f"  ratio {hi} : {lo}     {cost[hi] / cost[lo]:8.2f} x   (target <= 1.2x)")
    # how far one reading can be trusted: the same ratio within each round, on the machine of that moment
    each = sorted(r[hi] / r[lo] for r in rounds)
    print(
        f"  each round's ratio   {', '.join(f'{x:.2f}' for x in each)}   (median {statistics.median(each):.2f})"
    )
    if args.phases:
        _phases(sizes, seeds, months, args.rounds)


def _phases(sizes: tuple[int, ...], seeds: range, months: int, rounds: int) -> None:
    """Where a run's time goes at each size: the same steps ``run()`` takes, timed one by one."""
    from partnersim import fast

    best: dict[int, list[float]] = {}
    for _ in range(rounds):
        for n in sizes:
            for seed in seeds:
                gc.collect()
                t0 = time.perf_counter()
                mm = PartnershipModel(rng=seed, horizon=months, **scale_params(n))
                mm.record_events = False
                t1 = time.perf_counter()
                engine = fast.engine_for(mm)
                assert engine is not None, "the scaling runs are meant to run on the compiled engine"
                t2 = time.perf_counter()
                engine.run(months)
                t3 = time.perf_counter()
                mm._engine = engine  # Mesa's clock, as run() lets it step
                while mm.running and mm.steps < months:
                    mm.step()
                mm._engine = None
                engine.unpack()
                t4 = time.perf_counter()
                split = [t1 - t0, t2 - t1, t3 - t2, t4 - t3]
                old = best.get(n)
                best[n] = [min(a, b) for a, b in zip(old, split, strict=True)] if old else split
    print(f"where the time goes (us per organisation-step, best of {rounds} x 3 seeds for each step)")
    print(f"  {'organisations':>13s} {'set-up':>8s} {'packing':>8s} {'months':>8s} {'write-back':>10s}")
    total = {}
    for n in sizes:
        cells = [t * 1e6 / (n * months) for t in best[n]]
        total[n] = sum(cells)
        print(f"  {n:13d} {cells[0]:8.2f} {cells[1]:8.2f} {cells[2]:8.2f} {cells[3]:10.2f}")
    # each step's best is steadier than a whole run's on a noisy machine: a cross-check of the ratio above
    lo, hi = (600 if 600 in sizes else sizes[0]), sizes[-1]
    print(f"  ratio {hi} : {lo} from the sums of each step's best: {total[hi] / total[lo]:.2f} x")


def _peak_rss(n_orgs: int, months: int) -> float:
    """Peak resident set (KB) of a fresh interpreter that runs a model of ``n_orgs`` (0: imports only)."""
    out = subprocess.run(
        [sys.executable, __file__, "--memory", str(n_orgs), "--scale-months", str(months)],
        capture_output=True, text=True, check=True, env=os.environ,
    ).stdout  # fmt: skip
    return float(out.strip().splitlines()[-1])


def _memory(n_orgs: int, months: int) -> None:
    # the compiled engine's code is a fixed cost, like the imports: the baseline loads it too
    from partnersim import fast

    fast.warm()
    if n_orgs:
        mm = PartnershipModel(rng=0, horizon=months, **scale_params(n_orgs))
        mm.record_events = False
        mm.run()
    # the high-water mark of this address space: ru_maxrss would carry the parent's over fork and exec
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            print(next(line.split()[1] for line in fh if line.startswith("VmHWM:")))  # KB
    except OSError:
        print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)  # KB on Linux, bytes on macOS


if __name__ == "__main__":
    main()
