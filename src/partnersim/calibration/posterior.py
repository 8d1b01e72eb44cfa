"""The weighted posterior of a calibration, and draws from it for other studies.

:class:`Posterior` reads ``results/<calibration>/posterior.parquet`` (one
row per particle of the last generation: the calibrated parameters and a
``weight``). Its draws are what policy comparisons and Sobol studies use to
carry the calibration's uncertainty into their conclusions:
:func:`replicate_parameters` gives each replicate of a study one posterior
draw, identical for every policy (common random numbers).

A :class:`Posterior` is itself a source of parameter sets: ``draw(n, seed)``
(weighted, with replacement) and ``describe()``, so any study that takes
"a source of draws" can take a posterior as it is.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from partnersim.calibration.study import Prior
from partnersim.config import ConfigError
from partnersim.schema import PARAMETERS

__all__ = ["Posterior", "replicate_parameters", "weighted_quantile"]

POSTERIOR_FILE = "posterior.parquet"
META_FILE = "calibration.json"


def weighted_quantile(values: Sequence[float], weights: Sequence[float], q: float | Sequence[float]) -> Any:
    """Quantile(s) of a weighted sample (the inverse of the weighted empirical CDF, interpolated at mid-mass)."""
    v = np.asarray(values, dtype=float)
    w = np.asarray(weights, dtype=float)
    order = np.argsort(v)
    v, w = v[order], w[order]
    cdf = (np.cumsum(w) - 0.5 * w) / w.sum()
    return np.interp(q, cdf, v)


@dataclass(frozen=True)
class Posterior:
    """A weighted sample of the calibrated parameters.

    Attributes:
        particles: one row per particle, one column per calibrated parameter.
        weights: normalised importance weights (sum 1).
        priors: the prior of each parameter (bounds, integer or not).
        source: the folder it was read from.
    """

    particles: pd.DataFrame
    weights: np.ndarray
    priors: dict[str, Prior]
    source: Path | None = None

    @property
    def names(self) -> list[str]:
        """The calibrated parameters."""
        return list(self.particles.columns)

    @property
    def ess(self) -> float:
        """Effective sample size of the weights, ``1 / sum(w^2)``."""
        return float(1.0 / np.sum(self.weights**2))

    @classmethod
    def load(cls, folder: str | Path) -> Posterior:
        """Read a calibration's posterior; a :class:`ConfigError` names what is missing."""
        folder = Path(folder)
        path, meta = folder / POSTERIOR_FILE, folder / META_FILE
        if not path.exists() or not meta.exists():
            raise ConfigError(
                f"--posterior {folder}: no calibration there (expected {POSTERIOR_FILE} and {META_FILE}); "
                "run partnersim calibrate first"
            )
        df = pd.read_parquet(path)
        state = json.loads(meta.read_text())
        priors = {
            n: Prior(n, float(lo), float(hi), bool(integer))
            for n, (lo, hi, integer) in state["study"]["priors"].items()
        }
        unknown = [n for n in priors if n not in PARAMETERS]
        if unknown:
            raise ConfigError(
                f"--posterior {folder}: parameter '{unknown[0]}' is not in this model's schema; "
                "calibrate again on this model"
            )
        names = [n for n in priors if n in df.columns]
        return cls(df[names].reset_index(drop=True), _normalised(df["weight"].to_numpy()), priors, folder)

    def draw(self, n: int, seed: int) -> list[dict[str, Any]]:
        """``n`` parameter sets drawn from the weighted posterior (with replacement), as model parameters."""
        from partnersim.calibration.simulate import as_parameters

        rng = np.random.default_rng(np.random.SeedSequence([int(seed), 0x505]))
        idx = rng.choice(len(self.particles), size=n, replace=True, p=self.weights)
        rows = self.particles.iloc[idx].to_dict("records")
        return [as_parameters(r, self.priors) for r in rows]

    def describe(self) -> dict[str, str]:
        """Parameter -> where its values come from, in words (a robustness check's source of draws)."""
        where = f" in {self.source}" if self.source is not None else ""
        return {
            n: f"drawn from the weighted calibration posterior{where} ({len(self.particles)} particles, ESS {self.ess:.0f})"
            for n in self.names
        }

    def summary(self, levels: tuple[float, float] = (0.05, 0.95)) -> pd.DataFrame:
        """Per parameter: prior bounds, posterior mean, median and the central interval at ``levels``.

        Integer parameters are summarised as the model ran them (rounded into
        their range), so no interval names a value such as -0.07 months.
        """
        rows = []
        for name in self.names:
            x = self.particles[name].to_numpy(dtype=float)
            p = self.priors[name]
            if p.integer:
                x = np.array([p.as_run(v) for v in x], dtype=float)
            lo, med, hi = weighted_quantile(x, self.weights, [levels[0], 0.5, levels[1]])
            rows.append(
                {
                    "parameter": name,
                    "prior_low": p.low,
                    "prior_high": p.high,
                    "mean": float(np.sum(x * self.weights)),
                    "median": float(med),
                    "lower": float(lo),
                    "upper": float(hi),
                }
            )
        return pd.DataFrame(rows)


def _normalised(w: np.ndarray) -> np.ndarray:
    w = np.asarray(w, dtype=float)
    return w / w.sum()


def replicate_parameters(
    posterior: Posterior, replicates: int, seed: int, draws: int | None = None
) -> list[dict[str, Any]]:
    """The calibrated parameters of each replicate of a study: replicate ``i`` gets draw ``i mod draws``.

    ``draws`` posterior draws (default: one per replicate) are shared out so
    that each is run on ``replicates / draws`` replicates; a study that
    gives every policy the same replicates thereby keeps common random
    numbers across the posterior. The draws depend only on ``seed`` and
    ``draws``, so adding replicates keeps the earlier ones.
    """
    k = draws or replicates
    sets = posterior.draw(k, seed)
    return [dict(sets[i % k]) for i in range(replicates)]


def draw_index(replicate: int, draws: int) -> int:
    """Which posterior draw replicate ``replicate`` runs (see :func:`replicate_parameters`)."""
    return replicate % draws


def fixed_for(posterior: Posterior, vary: Sequence[str], draw: Mapping[str, Any]) -> dict[str, Any]:
    """A posterior draw without the parameters a study varies itself (its factors or levers)."""
    return {k: v for k, v in draw.items() if k not in set(vary)}
