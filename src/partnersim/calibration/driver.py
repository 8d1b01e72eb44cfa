"""ABC-SMC with pyabc: the priors, the distance, the sampler and a resumable history.

The history lives in pyabc's SQLite database, ``results/<name>/abc.db``. A
killed run continues from the last finished generation (the generation that
was running is lost, never half-kept), and running again with more
``populations`` adds generations to the same history.

Reproducibility. pyabc draws proposals from NumPy's global generator, and
every simulation takes its model seed from it. The sampler
(:class:`~partnersim.calibration.sampler.SeededSampler`) seeds it for each
numbered evaluation from the study seed, the generation and the number, and
keeps evaluations in their numbered order; the driver also seeds it before
each generation for what pyabc draws in this process. So a calibration is
identical from run to run on 1 worker, on N local processes or on a Dask
cluster, and a resumed run is identical to one that was never stopped.
"""

from __future__ import annotations

import contextlib
import logging
import math
import shutil
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from partnersim.calibration.distance import total_distance
from partnersim.calibration.simulate import CalibrationModel
from partnersim.calibration.study import CalibrationStudy
from partnersim.config import ConfigError
from partnersim.io import write_json

__all__ = ["CalibrationRun", "TargetDistance", "generation_table", "run_calibration"]

DB_NAME = "abc.db"
STATE_NAME = "calibration.json"


class TargetDistance:
    """The distance pyabc calls, ``distance(x, x_0)``: the study's weighted target distance.

    ``x_0`` is not read: the observations live in the targets (counts and
    totals), which a flat dict of floats would blur.
    """

    def __init__(self, study: CalibrationStudy) -> None:
        self.targets = list(study.targets)

    def __call__(self, x: Mapping[str, float], x_0: Mapping[str, float] | None = None) -> float:
        if x.get("invalid", 0.0):
            return math.inf
        return total_distance(x, self.targets)


def observed_statistics(study: CalibrationStudy) -> dict[str, float]:
    """The observations as pyabc stores them (for the record; the distance reads the targets)."""
    out: dict[str, float] = {"invalid": 0.0, "seed": 0.0}
    for t in study.targets:
        if t.kind == "count":
            out[f"{t.name}.k"], out[f"{t.name}.n"] = float(t.count), float(t.total)
        else:
            out[t.name] = (t.low + t.high) / 2.0
    return out


#: above this many calibrated parameters the kernel moves each one on its own
JOINT_KERNEL_MAX_PARAMETERS = 8


def transition(study: CalibrationStudy) -> Any:
    """The kernel that proposes the next generation's particles (the file's ``kernel``).

    ``joint``: pyabc's default, one multivariate normal over all calibrated
    parameters, which follows their correlations. ``marginal``: each
    parameter gets its own one-dimensional kernel, so the proposal is the
    product of the marginals; correlations then come only from which
    particles are accepted. ``local``: pyabc's ``LocalTransition``, a
    normal around each particle with the covariance of its nearest
    neighbours. ``auto`` is joint up to :data:`JOINT_KERNEL_MAX_PARAMETERS`
    parameters and marginal above.

    With many parameters the joint kernel fails: a population of a few
    hundred cannot estimate their covariance, and the joint density of a
    proposal underflows to 0 far from the others, so that one particle
    takes all the weight (an effective sample size of 1 on 56 parameters).
    On the shipped targets with 15 free parameters and 250 particles
    (2026-12-02) the marginal kernel kept the effective sample size at 130,
    120, 111 and 95 in generations 2-5, where the joint kernel fell to 23
    and 4 in generations 2-3 and the local one to 17, 1 and 2.
    """
    import pyabc

    names = list(study.priors)
    if study.kernel == "local":
        return pyabc.LocalTransition()
    joint = study.kernel == "joint" or (study.kernel == "auto" and len(names) <= JOINT_KERNEL_MAX_PARAMETERS)
    if joint:
        return pyabc.MultivariateNormalTransition()
    return pyabc.AggregatedTransition({name: pyabc.MultivariateNormalTransition() for name in names})


def prior_distribution(study: CalibrationStudy) -> Any:
    """A pyabc ``Distribution`` of independent standard logistics, one per calibrated parameter.

    pyabc samples each parameter on the logit scale of its prior's interval
    (:meth:`~partnersim.calibration.study.Prior.from_logit`): a standard
    logistic there is exactly the uniform prior on the parameter's own
    scale. The logit scale has no edges, so the Gaussian kernel that moves
    particles between generations never proposes a value outside the prior.
    On the interval itself it would: with 56 parameters, a kernel as wide as
    the first generation's spread lands inside all 56 intervals about once
    in 10^9 proposals, and a generation never finishes.
    """
    import pyabc

    return pyabc.Distribution(**{name: pyabc.RV("logistic", 0.0, 1.0) for name in study.priors})


@contextlib.contextmanager
def open_sampler(workers: int, scheduler: str | None, progress: bool, seed: int = 0) -> Iterator[Any]:
    """A :class:`~partnersim.calibration.sampler.SeededSampler` on this process (1 worker), local
    processes, or a Dask cluster (with a scheduler): the same particles on each."""
    from partnersim.calibration.sampler import SeededSampler
    from partnersim.experiments.executors import SerialExecutor, open_executor

    with contextlib.ExitStack() as stack:
        if scheduler:
            from partnersim.experiments.executors import dask_client

            # the sweep's connection: the same timeout, errors and wait for a worker
            client = stack.enter_context(dask_client(None, scheduler))
            executor, slots = client.get_executor(pure=False), sum(client.nthreads().values())
        elif workers <= 1:
            executor, slots = SerialExecutor(), 1
        else:
            executor, info = stack.enter_context(open_executor("processes", workers))
            slots = info.workers
        sampler = SeededSampler(seed, executor, slots)
        # a progress bar redraws in place: only on a terminal, not into a log file
        sampler.show_progress = progress and sys.stdout.isatty()
        yield sampler


def generation_seed(seed: int, t: int) -> int:
    """The seed of NumPy's global generator for generation ``t``: depends only on the study seed and ``t``."""
    return int(np.random.SeedSequence([seed, t]).generate_state(1)[0])


def generation_table(history: Any) -> pd.DataFrame:
    """One row per generation: epsilon, simulations, particles, acceptance rate, effective sample size."""
    from pyabc.weighted_statistics import effective_sample_size

    pops = history.get_all_populations()
    pops = pops[pops["t"] >= 0].copy()
    rows = []
    for _, r in pops.iterrows():
        t = int(r["t"])
        _, w = history.get_distribution(m=0, t=t)
        rows.append(
            {
                "generation": t,
                "epsilon": float(r["epsilon"]),
                "simulations": int(r["samples"]),
                "particles": int(r["particles"]),
                "acceptance_rate": float(r["particles"]) / float(r["samples"])
                if r["samples"]
                else float("nan"),
                "ess": float(effective_sample_size(np.asarray(w))),
                "finished": str(r["population_end_time"]),
            }
        )
    return pd.DataFrame(rows)


@dataclass
class CalibrationRun:
    """What :func:`run_calibration` leaves: the history and its generation table."""

    study: CalibrationStudy
    out: Path
    db: Path
    generations: pd.DataFrame
    ran_now: int
    resumed_from: int
    seconds: float
    stopped: str
    #: every simulation in the history, the prior sample that set the first epsilon included
    simulations: int = 0


def _state(study: CalibrationStudy) -> dict[str, Any]:
    return {"fingerprint": study.fingerprint(), "abc_id": 1, "study": study.resolved()}


def prepare_output(study: CalibrationStudy, out: Path, fresh: bool) -> bool:
    """Make ``out``; True when a saved history of this study is there to continue.

    A saved history of a different study (another fingerprint) is refused
    unless ``fresh`` says to forget it.
    """
    import json

    db, state = out / DB_NAME, out / STATE_NAME
    if fresh:
        with contextlib.suppress(FileNotFoundError):
            db.unlink()
        with contextlib.suppress(FileNotFoundError):
            state.unlink()
    if db.exists() and state.exists():
        saved = json.loads(state.read_text())
        if saved.get("fingerprint") != study.fingerprint():
            raise ConfigError(
                f"{out}: holds a calibration of a different study (targets, priors, scenarios, seed, "
                "population or kernel changed); use --fresh to start over, or another --out"
            )
        return True
    if db.exists():  # a history without its record cannot be trusted to match
        db.unlink()
    out.mkdir(parents=True, exist_ok=True)
    write_json(_state(study), state)
    return False


def run_calibration(
    study: CalibrationStudy,
    out: str | Path,
    *,
    populations: int | None = None,
    workers: int = 1,
    scheduler: str | None = None,
    fresh: bool = False,
    progress: bool = False,
    report: Callable[[dict[str, Any]], None] | None = None,
) -> CalibrationRun:
    """Run (or continue) ABC-SMC until the history holds ``populations`` generations.

    Each generation is one ``ABCSMC.run(max_nr_populations=1)`` call, with
    NumPy's global generator seeded for that generation
    (:func:`generation_seed`). ``report`` gets one dict per finished
    generation (for a progress display). The run stops early when a
    generation's acceptance rate falls below ``study.min_acceptance``.
    """
    import pyabc

    from partnersim.calibration.epsilon import TieAwareMedianEpsilon

    start = time.perf_counter()
    out = Path(out)
    total = populations or study.populations
    resume = prepare_output(study, out, fresh)
    db = out / DB_NAME
    db_url = f"sqlite:///{db.resolve()}"
    logging.getLogger("ABC").setLevel(logging.WARNING)  # the driver prints its own line per generation
    with open_sampler(workers, scheduler, progress, study.seed) as sampler:

        def smc() -> Any:
            return pyabc.ABCSMC(
                CalibrationModel(study),
                prior_distribution(study),
                pyabc.distance.FunctionDistance(TargetDistance(study)),
                population_size=study.population,
                sampler=sampler,
                transitions=transition(study),
                eps=TieAwareMedianEpsilon(),
            )

        history = smc().load(db_url, 1) if resume else smc().new(db_url, observed_statistics(study))
        done_before = history.max_t + 1
        stopped = "reached the number of generations"
        t = done_before
        while t < total:
            # a new ABCSMC per generation, continued from the history: pyabc caches the sample that
            # set the first epsilon on the object, so a second run() on it would not lower epsilon;
            # and every generation takes the path a resumed run takes
            abc = smc()
            history = abc.load(db_url, 1)
            np.random.seed(generation_seed(study.seed, t) % 2**32)
            t0 = time.perf_counter()
            abc.run(max_nr_populations=1)
            t = history.max_t + 1
            gens = generation_table(history)
            last = gens.iloc[-1].to_dict()
            last["seconds"] = time.perf_counter() - t0
            last["of"] = total
            if report:
                report(last)
            if last["acceptance_rate"] < study.min_acceptance:
                stopped = (
                    f"acceptance rate {last['acceptance_rate']:.2%} fell below {study.min_acceptance:.2%}"
                )
                break
        gens = generation_table(history)
        simulations = int(history.total_nr_simulations or 0)
        if done_before >= total:
            stopped = f"the history already holds {done_before} generations"
    return CalibrationRun(
        study=study,
        out=out,
        db=db,
        generations=gens,
        ran_now=len(gens) - done_before,
        resumed_from=done_before,
        seconds=time.perf_counter() - start,
        stopped=stopped,
        simulations=simulations,
    )


def load_history(out: str | Path) -> Any:
    """The pyabc ``History`` saved under ``out``."""
    import pyabc

    db = Path(out) / DB_NAME
    if not db.exists():
        raise ConfigError(f"{out}: no calibration history ({DB_NAME}); run partnersim calibrate first")
    return pyabc.History(f"sqlite:///{db.resolve()}", _id=1)


def remove_outputs(out: Path) -> None:
    """Forget derived outputs (figures, tables, report), keeping the history."""
    shutil.rmtree(out / "figures", ignore_errors=True)
