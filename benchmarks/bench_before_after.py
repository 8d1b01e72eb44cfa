"""Before and after, timed side by side: this tree's model against a baseline revision's, in one process.

The machine's speed drifts by tens of percent from minute to minute, so two
benchmark runs one after the other cannot show a change of a few percent.
Here both models are loaded into one interpreter (the baseline's ``src`` is
unpacked from git as by ``same_results.py`` and imported under the name
``partnersim_baseline``) and their runs alternate, round by round, on the
same workloads:

- ``default``: the default run (60 organisations, 120 months) over a fixed
  set of seeds;
- ``sobol``: points of the headline Sobol study's eight factors
  (``configs/sobol-survival.toml``, drawn once from a fixed seed);
- ``6000``: 6,000 organisations for 24 months, to see scaling.

Each round runs every parameter set of every workload under both models, one
after the other in alternating order, so each pair of runs sees the machine
as it is that second. The report gives, per workload, each model's mean time
per run, the ratio of total times after/before (below 1: this tree is
faster), and the median and quartiles of the paired ratios run by run. Run::

    .venv/bin/python benchmarks/bench_before_after.py [--baseline main] [--rounds 7]

Both models run with the event log off and no monthly collection, as sweeps
run them. Each timed run is set-up and ``run()``, with a garbage collection
between runs, outside the clocks; ``--simulate`` times ``simulate(**params)``
instead (run, summary, the model dropped) with no collection between runs,
so each run pays for the collections it causes, as in a sweep. This
measures speed only; ``same_results.py`` checks that the two trees give the
same results.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_model import scale_params  # noqa: E402
from same_results import _tree  # noqa: E402

BASELINE = "partnersim_baseline"

#: the headline Sobol study, whose factors and fixed parameters the ``sobol`` workload samples
SOBOL_STUDY = HERE.parent / "configs" / "sobol-survival.toml"


def renamed_copy(src: Path, dest: Path) -> Path:
    """Copy ``src/partnersim`` to ``dest/partnersim_baseline`` with its imports renamed; return ``dest``."""
    target = dest / BASELINE
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(src / "partnersim", target)
    word = re.compile(r"\bpartnersim\b")
    for path in target.rglob("*.py"):
        path.write_text(word.sub(BASELINE, path.read_text()))
    return dest


def sobol_points(n: int, seed: int = 20240601) -> list[dict[str, Any]]:
    """``n`` points of the headline study's factors (uniform on their ranges, as the study decodes them), with seeds."""
    from partnersim.sensitivity import load_sensitivity_study

    study = load_sensitivity_study(SOBOL_STUDY)
    rng = np.random.default_rng(seed)
    lows, highs = np.array(study.problem.salib["bounds"]).T
    values = study.problem.decode(rng.uniform(lows, highs, size=(n, len(lows))))
    return [{**study.base, **v, "rng": int(rng.integers(2**31))} for v in values]


def workloads(seeds: int, points: int) -> dict[str, list[dict[str, Any]]]:
    """The parameter sets of each workload."""
    return {
        "default": [{"rng": s} for s in range(seeds)],
        "sobol": sobol_points(points),
        "6000": [{"rng": s, "horizon": 24, **scale_params(6000)} for s in range(2)],
    }


def timer(package: str, simulate: bool = False) -> Callable[[dict[str, Any]], float]:
    """A function that runs one parameter set with ``package``'s model and returns the seconds it took.

    ``simulate``: time ``package.simulate(**params)`` (run, summary, the model
    dropped), which is what each run of a sweep costs, garbage collection included.
    """
    model_module = importlib.import_module(f"{package}.model")

    def run(params: dict[str, Any]) -> float:
        start = time.perf_counter()
        model = model_module.PartnershipModel(collect=False, **params)
        model.record_events = False
        model.run()
        return time.perf_counter() - start

    def summary(params: dict[str, Any]) -> float:
        start = time.perf_counter()
        model_module.simulate(**params)
        return time.perf_counter() - start

    return summary if simulate else run


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--baseline", default="main", help="git revision to compare against (default: main)")
    ap.add_argument("--rounds", type=int, default=7, help="alternating rounds (default: 7)")
    ap.add_argument("--seeds", type=int, default=20, help="default runs per round (default: 20)")
    ap.add_argument("--points", type=int, default=40, help="Sobol points per round (default: 40)")
    ap.add_argument(
        "--simulate",
        action="store_true",
        help="time simulate() (run, summary, model dropped), with the collector running as in a sweep, "
        "instead of a run alone with a collection between runs",
    )
    ap.add_argument("--cache", default=str(Path(tempfile.gettempdir()) / "partnersim-baseline"))
    args = ap.parse_args()

    import partnersim

    src = _tree(args.baseline, Path(args.cache))
    sys.path.insert(0, str(renamed_copy(src, Path(args.cache) / "renamed")))
    after, before = timer("partnersim", args.simulate), timer(BASELINE, args.simulate)
    loaded = importlib.import_module(BASELINE).__file__
    print(f"after:  {Path(partnersim.__file__).parent}")
    print(f"before: {args.baseline} ({Path(str(loaded)).parent})")
    jobs = workloads(args.seeds, args.points)
    times: dict[str, dict[str, list[float]]] = {w: {"before": [], "after": []} for w in jobs}
    before(jobs["default"][0])  # warm both: imports, caches, first-call costs
    after(jobs["default"][0])
    for r in range(args.rounds):
        for name, params_list in jobs.items():
            for i, params in enumerate(params_list):
                # run by run, in alternating order: both see the machine as it is that second
                order = [("before", before), ("after", after)]
                if (r + i) % 2:
                    order.reverse()
                if not args.simulate:  # with --simulate each run pays for the collections it causes
                    gc.collect()
                for label, run in order:
                    times[name][label].append(run(params))
        print(f"round {r + 1}/{args.rounds} done", file=sys.stderr)
    print(
        f"{'workload':>9} {'runs':>5} {'before':>11} {'after':>11}   after/before: total, median run [quartiles]"
    )
    for name, t in times.items():
        n = len(t["before"])
        ratios = sorted(a / b for a, b in zip(t["after"], t["before"], strict=True))
        q1, med, q3 = statistics.quantiles(ratios, n=4) if n > 1 else (ratios[0],) * 3
        print(
            f"{name:>9} {n:>5} {sum(t['before']) / n * 1e3:>8.2f} ms {sum(t['after']) / n * 1e3:>8.2f} ms"
            f"   {sum(t['after']) / sum(t['before']):.3f}, {med:.3f} [{q1:.3f}, {q3:.3f}]"
        )


if __name__ == "__main__":
    main()
