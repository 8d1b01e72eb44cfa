"""Conclusions across the posterior: policy rankings and Sobol indices that hold across what the evidence allows.

Two thin layers over the existing studies, both fed by
:func:`partnersim.calibration.posterior.replicate_parameters`:

- :func:`with_posterior` gives each replicate of a policy comparison one
  posterior draw of the calibrated parameters (the same draw, and the same
  seed, under every policy: common random numbers), and
  :func:`posterior_robustness` says, per policy, how often it ranks best
  and whether its difference from the baseline keeps its sign across draws,
  and :func:`posterior_draws` gives the same outcome draw by draw, beside
  the parameter values of each draw;
- :func:`sobol_bases` gives a Sobol study one set of fixed parameters per
  posterior draw, and :func:`indices_across_draws` lines up the indices.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from partnersim.calibration.posterior import Posterior, draw_index, replicate_parameters

__all__ = [
    "HOLDS",
    "indices_across_draws",
    "posterior_draws",
    "posterior_robustness",
    "sobol_bases",
    "with_posterior",
]

#: share of posterior draws that must agree on a sign for a difference to "hold across the posterior"
HOLDS = 0.95


def with_posterior(study: Any, posterior: Posterior, draws: int | None = None) -> tuple[Any, list[str]]:
    """A policy study whose replicates take the calibrated parameters from ``posterior``.

    Replicate ``i`` keeps its seed and the file's draws of every other
    uncertainty, and runs posterior draw ``i mod draws``. Returns the study
    and the names of the file's uncertainties the posterior replaced.
    """
    from partnersim.policy.spec import Replicate

    reps = study.replicate_draws()
    params = replicate_parameters(posterior, study.replicates, study.seed, draws)
    replaced = sorted(set(study.uncertainties) & set(posterior.names))
    new = [Replicate(r.index, r.seed, {**r.uncertainties, **params[r.index]}) for r in reps]
    return replace(study, _replicates=new), replaced


def _survival_by_draw(table: pd.DataFrame, month: int, draws: int) -> pd.DataFrame:
    """Share of partnerships working at ``month``, per posterior draw (rows) and policy (columns)."""
    t = table.assign(draw=table["replicate"].map(lambda r: draw_index(int(r), draws)))
    t = t.assign(alive=(t["lifetime"] >= month).astype(float))
    return t.pivot_table(index="draw", columns="policy", values="alive", aggfunc="mean")


def posterior_robustness(
    table: pd.DataFrame, policies: Sequence[str], baseline: str, month: int, draws: int
) -> pd.DataFrame:
    """Per policy, across posterior draws: the probability it ranks best and whether its difference holds.

    ``table`` is the pooled partnership table of a comparison (``policy``,
    ``replicate``, ``lifetime``). Per draw, each policy's outcome is the
    share of its partnerships working at ``month``. ``p_best`` is the share
    of draws in which the policy has the highest (ties shared);
    ``sign_agreement`` the share of draws in which its difference from the
    baseline has the sign of the mean difference; ``holds`` is true when
    that share is at least :data:`HOLDS`.
    """
    s = _survival_by_draw(table, month, draws)[list(policies)]
    best = s.to_numpy() == s.max(axis=1).to_numpy()[:, None]
    p_best = (best / best.sum(axis=1, keepdims=True)).mean(axis=0)
    rows = []
    for j, name in enumerate(policies):
        diff = s[name] - s[baseline]
        mean = float(diff.mean())
        sign = np.sign(mean)
        agree = float((np.sign(diff) == sign).mean()) if sign != 0 else float("nan")
        rows.append(
            {
                "policy": name,
                "baseline": name == baseline,
                "draws": len(s),
                f"survival_{month}_mean": float(s[name].mean()),
                f"survival_{month}_lower": float(s[name].quantile(0.05)),
                f"survival_{month}_upper": float(s[name].quantile(0.95)),
                "p_best": float(p_best[j]),
                "diff_mean": mean if name != baseline else 0.0,
                "diff_lower": float(diff.quantile(0.05)),
                "diff_upper": float(diff.quantile(0.95)),
                "sign_agreement": agree if name != baseline else float("nan"),
                "holds": bool(agree >= HOLDS) if name != baseline else False,
            }
        )
    return pd.DataFrame(rows)


def posterior_draws(
    table: pd.DataFrame,
    policies: Sequence[str],
    baseline: str,
    month: int,
    parameters: Sequence[Mapping[str, Any]],
) -> pd.DataFrame:
    """One row per posterior draw and policy: the outcome, its difference from the baseline, and the draw's values.

    The draw-level view behind :func:`posterior_robustness`, so a reader can
    see *where* in the posterior a difference changes sign. ``parameters``
    holds draw ``k``'s calibrated values at index ``k`` (as given to the
    replicates by :func:`with_posterior`).
    """
    s = _survival_by_draw(table, month, len(parameters))[list(policies)]
    ranks = s.rank(axis=1, ascending=False, method="min")
    rows = []
    for k, row in s.iterrows():
        for name in policies:
            rows.append(
                {
                    "draw": int(k),
                    "policy": name,
                    "baseline": name == baseline,
                    f"survival_{month}": float(row[name]),
                    "diff_from_baseline": float(row[name] - row[baseline]),
                    "rank": int(ranks.loc[k, name]),
                    **parameters[int(k)],
                }
            )
    return pd.DataFrame(rows)


def sobol_bases(
    posterior: Posterior, base: Mapping[str, Any], factors: Sequence[str], draws: int, seed: int
) -> list[dict[str, Any]]:
    """One set of fixed parameters per posterior draw: the draw, then the study's own ``base`` (which wins).

    Parameters the study varies (``factors``) are left to the Sobol design.
    """
    out = []
    for d in posterior.draw(draws, seed):
        fixed = {k: v for k, v in d.items() if k not in set(factors)}
        out.append({**fixed, **dict(base)})
    return out


def indices_across_draws(results: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """The Sobol indices of each posterior draw in one long table (``draw`` column), and each factor's rank."""
    frames = []
    for i, ind in enumerate(results):
        d = ind.copy()
        d["draw"] = i
        d["rank"] = d.groupby(["outcome", "index"])["value"].rank(ascending=False, method="min")
        frames.append(d)
    return pd.concat(frames, ignore_index=True)
