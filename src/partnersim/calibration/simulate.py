"""One simulation of a calibration: a parameter draw through every scenario to the target statistics."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from partnersim.calibration.statistics import Count, RunRecord, observe_run
from partnersim.calibration.study import CalibrationStudy, Prior, Target
from partnersim.schema import RNG_NAME, ParameterError, validate

__all__ = ["CalibrationModel", "as_parameters", "simulate_targets"]


def as_parameters(draw: Mapping[str, float], priors: Mapping[str, Prior]) -> dict[str, Any]:
    """A draw as model parameters: integers rounded (each whole value has an equal share of the prior)."""
    out: dict[str, Any] = {}
    for name, value in draw.items():
        p = priors.get(name)
        out[name] = p.as_run(value) if p is not None else float(value)
    return out


def simulate_targets(
    study: CalibrationStudy, draw: Mapping[str, float], seed: int
) -> dict[str, float] | None:
    """Run every scenario ``study.replicates`` times at ``draw`` and return the target statistics.

    Returns a flat mapping: ``name.k`` and ``name.n`` for counts (pooled over
    replicates), ``name`` for values (mean of the defined replicates), or
    ``None`` when the draw breaks a cross-parameter rule of the schema (the
    prior is then truncated to the allowed region).
    """
    params = as_parameters(draw, study.priors)
    seeds = np.random.SeedSequence(seed).spawn(len(study.scenarios) * study.replicates)
    records: dict[str, list[RunRecord]] = {}
    for i, sname in enumerate(study.scenarios):
        if sname not in study.used_scenarios():
            continue
        full = {**study.scenario_parameters(sname), **params}
        try:
            validate(full)
        except ParameterError:
            return None
        records[sname] = []
        for r in range(study.replicates):
            s = int(seeds[i * study.replicates + r].generate_state(1, dtype=np.uint64)[0] >> np.uint64(1))
            records[sname].append(observe_run({**full, RNG_NAME: s}))
    out: dict[str, float] = {}
    for t in study.targets:
        out.update(target_values(t, records[t.scenario]))
    return out


def target_values(t: Target, records: list[RunRecord]) -> dict[str, float]:
    """One target's simulated statistic over replicate runs (counts pooled, values averaged)."""
    values = [t.stat.compute(rec, **t.args) for rec in records]
    if t.kind == "count":
        assert all(isinstance(v, Count) for v in values)
        return {
            f"{t.name}.k": float(sum(v.k for v in values)),
            f"{t.name}.n": float(sum(v.n for v in values)),
        }
    defined = [float(v) for v in values if not math.isnan(float(v))]
    return {t.name: float(np.mean(defined)) if defined else float("nan")}


def _default_sigterm_in_worker() -> None:
    """In a worker process forked by pyabc, SIGTERM ends it at once (not the CLI's handler it inherited)."""
    import multiprocessing
    import signal
    import threading

    # a Dask worker runs tasks in threads, where signals cannot be set (and need not be)
    if multiprocessing.parent_process() is not None and threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


class CalibrationModel:
    """The model as pyabc sees it: a picklable callable from a parameter draw to statistics.

    Each call takes its run seed from NumPy's global generator, which the
    seeded sampler seeds for each numbered evaluation, so the whole
    calibration is reproducible from the study seed on any workers.
    """

    def __init__(self, study: CalibrationStudy) -> None:
        self.study = study

    def __call__(self, pars: Mapping[str, float]) -> dict[str, float]:
        _default_sigterm_in_worker()
        seed = int(np.random.randint(0, 2**62))
        # pyabc works on the logit scale (driver.prior_distribution); the model on the parameter's own
        draw = {n: p.from_logit(float(pars[n])) for n, p in self.study.priors.items()}
        out = simulate_targets(self.study, draw, seed)
        if out is None:
            return {"invalid": 1.0}
        out["invalid"] = 0.0
        out["seed"] = float(seed % 2**52)  # kept with the particle (exact in a float below 2**53)
        return out


def usable_targets(study: CalibrationStudy) -> CalibrationStudy:
    """The study without the targets whose statistic this model does not report (each recorded with why).

    A short probe run of each scenario (two months, defaults for the
    calibrated parameters) shows what the model reports.
    """
    from partnersim.calibration.statistics import available

    probes: dict[str, RunRecord] = {}
    keep, skipped = [], []
    for t in study.targets:
        if t.scenario not in probes:
            params = {**study.scenario_parameters(t.scenario), "horizon": 2, RNG_NAME: 0}
            probes[t.scenario] = observe_run(params)
        if available(t.stat, probes[t.scenario]):
            keep.append(t)
        else:
            skipped.append((t, f"the model does not report what statistic '{t.statistic}' reads"))
    return study.with_targets(keep, skipped)
