"""Benchmark the core model, side by side in one run.

1. The default run (60 organisations, 10 partnerships, 120 months) against an
   empty Mesa model with the same agents and steps: the ratio of wall times.
   Target: within 10x (longer-term goal 3x).
2. Cost per organisation-step at 60, 600 and 6,000 organisations (partnerships
   scaled with them), and the ratio 6,000 : 600. Target: within 1.5x.

Timings are the minimum over interleaved repeats, which is the most stable
figure on a noisy machine. Run: ``.venv/bin/python benchmarks/bench_model.py``.
"""

from __future__ import annotations

import argparse
import gc
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
    args = ap.parse_args()

    n_agents = 60 + 10
    model_t, empty_t = [], []
    for r in range(args.repeats):  # interleaved so both see the same machine load
        model_t.append(_time(lambda r=r: _default_run(r)))
        empty_t.append(_time(lambda r=r: EmptyModel(n_agents, 120, r).run()))
    m, e = min(model_t), min(empty_t)
    print("default run (60 organisations, 10 partnerships, 120 months)")
    print(f"  partnersim          {m * 1e3:8.2f} ms")
    print(f"  empty Mesa model    {e * 1e3:8.2f} ms   ({n_agents} idle agents, 120 steps)")
    print(f"  ratio               {m / e:8.2f} x   (target <= 10x, goal 3x)")

    months = args.scale_months
    sizes = (60, 600, 6000)
    best = dict.fromkeys(sizes, float("inf"))
    for r in range(max(2, args.repeats // 2)):
        for n in sizes:

            def run(n: int = n, r: int = r) -> None:
                mm = PartnershipModel(rng=r, horizon=months, **scale_params(n))
                mm.record_events = False
                mm.run()

            best[n] = min(best[n], _time(run) / (n * months))
    print(f"cost per organisation-step ({months} months, partnerships scale with organisations)")
    for n in sizes:
        print(f"  {n:6d} organisations  {best[n] * 1e6:8.2f} us")
    print(f"  ratio 6000 : 600     {best[6000] / best[600]:8.2f} x   (target <= 1.5x)")


if __name__ == "__main__":
    main()
