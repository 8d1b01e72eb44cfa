"""Model runs per second: the calibration's pyabc path against the sweep runner, side by side.

Both run the same model (one scenario: ``--horizon`` months, defaults
otherwise) at parameters drawn from the same uniform priors (two
behavioural parameters), on the same number of workers:

- **pyabc**: ``partnersim calibrate``'s driver (ABCSMC with the seeded
  sampler on ``workers`` local processes, or in this process for one
  worker), one generation of ``--particles`` particles; every simulation
  pyabc makes (including the prior sample that sets the first epsilon) is
  counted;
- **sweep**: :func:`partnersim.experiments.run_specs` on the same number of
  runs, ``processes`` executor, results persisted as ``partnersim sweep``
  does.

Run it with::

    .venv/bin/python benchmarks/bench_calibration.py [--workers 2] [--particles 100] [--horizon 60]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

STUDY = """
name = "bench"
seed = 3
population = {particles}
populations = 1
predictive = 0

[parameters]
legacy_months = 12

[priors]
groups = []
quorum_share = {{ low = 0.0, high = 1.0 }}
staff_turnover = {{ low = 0.0, high = 0.9 }}

[scenarios.base]
parameters = {{ horizon = {horizon}, funding_length = 24, renewal_probability = 0.0 }}

[targets.sustain]
scenario = "base"
statistic = "sustained_after_funding"
observed = {{ count = 1, total = 3 }}
ref = "001:259"
quote = "of which only one was sustained"
"""


def bench_pyabc(particles: int, horizon: int, workers: int) -> tuple[float, int]:
    """Seconds and model runs of one pyabc generation."""
    from partnersim.calibration.driver import load_history, run_calibration
    from partnersim.calibration.study import load_calibration

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.toml"
        path.write_text(STUDY.format(particles=particles, horizon=horizon), encoding="utf-8")
        study = load_calibration(path)
        start = time.perf_counter()
        run_calibration(study, Path(tmp) / "out", workers=workers)
        elapsed = time.perf_counter() - start
        # every simulation, the prior sample that sets the first epsilon included
        runs = int(load_history(Path(tmp) / "out").total_nr_simulations)
    return elapsed, runs


def bench_sweep(n_runs: int, horizon: int, workers: int) -> tuple[float, int]:
    """Seconds for the same number of runs through the sweep runner."""
    import numpy as np

    from partnersim.experiments import make_specs, run_specs

    rng = np.random.default_rng(3)
    points = [
        {
            "quorum_share": float(rng.uniform(0, 1)),
            "staff_turnover": float(rng.uniform(0, 0.9)),
            "horizon": horizon,
            "funding_length": 24,
            "renewal_probability": 0.0,
        }
        for _ in range(n_runs)
    ]
    specs = make_specs(points, 1, root_seed=3)
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        result = run_specs(specs, out, executor="processes" if workers > 1 else "serial", workers=workers)
        elapsed = time.perf_counter() - start
    return elapsed, len(result.runs)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--particles", type=int, default=100)
    ap.add_argument("--horizon", type=int, default=60)
    args = ap.parse_args()
    t_abc, n_abc = bench_pyabc(args.particles, args.horizon, args.workers)
    t_sweep, n_sweep = bench_sweep(n_abc, args.horizon, args.workers)
    r_abc, r_sweep = n_abc / t_abc, n_sweep / t_sweep
    print(f"model: {args.horizon} months, defaults otherwise; {args.workers} worker(s)")
    print(f"pyabc (partnersim calibrate)  {n_abc:6d} runs in {t_abc:7.1f} s = {r_abc:7.1f} runs/s")
    print(f"sweep runner (run_specs)      {n_sweep:6d} runs in {t_sweep:7.1f} s = {r_sweep:7.1f} runs/s")
    print(f"pyabc / sweep: {r_abc / r_sweep:.2f}")


if __name__ == "__main__":
    main()
