"""Ablation (pattern-oriented modelling): switch off each mechanism in turn and see which facts still hold.

:data:`ABLATIONS` is the registry of switches. Each is a set of parameter
overrides in the schema that turns one mechanism off; the overrides are set
in every setting of every fact (they win over a fact's own setting, so a
fact that varies the switched-off parameter compares like with like).
:func:`run_ablation` evaluates the stylised facts of
:mod:`partnersim.facts` under the model as it is (``none``) and under each
switch, with the pre-registered design (seeds 0-31, paired one-sided
t-tests at 0.01), sharing runs through one :class:`~partnersim.facts.RunCache`.

A fact that fails under a switch depends on that mechanism; a fact that
fails under a switch whose parameter does nothing but produce that fact
rests on a single purpose-made term.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from partnersim import facts as F

__all__ = ["ABLATIONS", "BASELINE", "Ablation", "fact_matrix", "plot_ablation", "run_ablation"]

#: the row of the model with every mechanism on
BASELINE = "none"


@dataclass(frozen=True)
class Ablation:
    """One switch: the mechanism it turns off, in words, and the parameter overrides that do it."""

    name: str
    mechanism: str
    overrides: Mapping[str, Any]


def _a(name: str, mechanism: str, **overrides: Any) -> Ablation:
    return Ablation(name, mechanism, overrides)


#: the switches, one mechanism each (the v2 model's mechanisms; ODD section 7)
ABLATIONS: dict[str, Ablation] = {
    a.name: a
    for a in (
        _a("trust_gain", "trust builds after good interactions", trust_gain=0.0),
        _a("trust_loss", "trust falls after bad interactions", trust_loss=0.0),
        _a("trust_loop", "trust raises the chance of a good interaction", trust_effect=0.0),
        _a("trust_willingness", "trust feeds willingness to attend, stay and carry on", willingness_trust_weight=0.0),
        _a("trust_synergy", "trust feeds synergy (joint work)", synergy_trust_weight=0.0),
        _a("institutional_trust", "a track record between organisations outlives the people", institutional_learning=0.0),
        _a("alignment", "shared values raise the chance of a good interaction", alignment_effect=0.0),
        _a(
            "coordinator_hours", "a coordinator's hours: organising, chasing, mediating, handing over, bids, recruiting",
            coordinator_hours=0.0,
        ),
        _a("coordinator_handover", "a coordinator carries relationships across staff changes", coordinator_handover=0.0),
        _a("development_phase", "a development phase the funder may not pass", development_months=0),
        _a("renewal_on_record", "the funder renews on the record of outputs and relationships", evidence_weight=0.0),
        _a("short_grant_competition", "short grants raise competition", short_grant_weight=0.0),
        _a("competition", "competition for funds spoils interactions", competition_effect=0.0),
        _a("grant_end_turnover", "staff leave more as a grant nears its end", grant_end_turnover_boost=0.0),
        _a("power_gap", "power gaps spoil interactions", power_effect=0.0),
        _a("power_damping", "communicative rules soften the power gap", power_damping=0.0),
        _a("silencing", "a share of voice below equal costs satisfaction", silencing_factor=0.0),
        _a(
            "reserves", "reserves absorb a budget shock unequally by kind (off: two months for every kind)",
            reserves_statutory=2.0, reserves_large_charity=2.0, reserves_vcse=2.0,
        ),
        _a("vcse_unfunded_time", "small groups cannot justify the time without a grant", vcse_unfunded_capacity=1.0),
        _a("prior_ties", "prior relationships between organisations", prior_tie_density=0.0),
        _a(
            "formal_agreement", "roles written down hand trust over and speed institutional learning",
            agreement_handover=0.0, agreement_learning_boost=0.0,
        ),
        _a("founding_spread", "founders differ in commitment; some are partners on paper from the start", founding_commitment_spread=0.0),
        _a("newcomer_hit", "a new representative must be won over again", newcomer_commitment_hit=0.0),
        _a("size_cost", "commitment cost of more partners", size_cost=0.0),
        _a("agreement_cost", "agreement slows with more members who distrust each other", agreement_cost=0.0),
        _a("recruitment", "open partnerships recruit through ties", recruitment_rate=0.0),
        _a("funding_end_hit", "the end of money (a gap, or a budget shock's cut to the voluntary sector) hits commitment", funding_end_commitment_hit=0.0),
        _a("programme_loss", "strategic ties lose their reason when the programme ends", programme_dependence=0.0),
        _a("strategic_boost", "strategic targets lift early output", strategic_boost=0.0),
        _a("maturity", "communicative working builds maturity", maturity_rate=0.0),
        _a("orientation_drift", "a strategic structure drifts towards communicative working", orientation_drift=0.0),
    )
}  # fmt: skip


def _overrides(name: str) -> dict[str, Any]:
    return {} if name == BASELINE else dict(ABLATIONS[name].overrides)


def run_ablation(
    switches: Iterable[str] | None = None,
    *,
    facts: Iterable[str] | None = None,
    seeds: Sequence[int] = F.SEEDS,
    cache: F.RunCache | None = None,
    executor: Any = "serial",
    workers: int | None = None,
    progress: bool = False,
) -> pd.DataFrame:
    """Every check of ``facts`` under the model as it is and under each switch.

    Args:
        switches: names in :data:`ABLATIONS` (default: all).
        facts: fact ids (default: all twelve).
        seeds, cache, executor, workers, progress: see :func:`partnersim.facts.evaluate`.

    Returns:
        The tidy check table of :func:`partnersim.facts.evaluate`, one block
        per ablation, with an ``ablation`` column (``none`` first).
    """
    names = list(switches) if switches is not None else list(ABLATIONS)
    unknown = [n for n in names if n not in ABLATIONS]
    if unknown:
        raise ValueError(f"unknown ablation {unknown}: expected names from {', '.join(ABLATIONS)}")
    chosen = [F.FACTS[f] for f in facts] if facts is not None else list(F.FACTS.values())
    checks = F.all_checks(chosen)
    cache = cache if cache is not None else F.DEFAULT_CACHE
    rows = [BASELINE, *names]
    # every run of every ablation in one batch: one progress bar, every worker busy
    settings = [F.effective_setting(t.params, _overrides(n)) for n in rows for c in checks for t in c.terms]
    F.run_settings(settings, seeds=seeds, cache=cache, executor=executor, workers=workers, progress=progress)
    tables = []
    for name in rows:
        table = F.evaluate(checks, seeds=seeds, overrides=_overrides(name), cache=cache)
        table.insert(0, "ablation", name)
        tables.append(table)
    return pd.concat(tables, ignore_index=True)


def fact_matrix(results: pd.DataFrame) -> pd.DataFrame:
    """Ablation x fact: whether every check of the fact holds, and the largest p of its checks.

    Columns are a MultiIndex (``holds``/``max_p``, fact), rows the ablations in order.
    """
    order = list(dict.fromkeys(results["ablation"]))
    fact_order = list(dict.fromkeys(results["fact"]))
    g = results.groupby(["ablation", "fact"], sort=False)
    holds = g["holds"].all().unstack("fact").loc[order, fact_order]
    max_p = g["p"].max().unstack("fact").loc[order, fact_order]
    return pd.concat({"holds": holds, "max_p": max_p}, axis=1)


def plot_ablation(results: pd.DataFrame, path: str | Path) -> Path:
    """A check x ablation grid: green where the check holds, red where it fails, with p in each cell."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np
    from matplotlib.colors import ListedColormap

    from partnersim.plots import save_figure

    order = list(dict.fromkeys(results["ablation"]))
    checks = list(dict.fromkeys(results["check"]))
    holds = results.pivot(index="ablation", columns="check", values="holds").loc[order, checks]
    pvals = results.pivot(index="ablation", columns="check", values="p").loc[order, checks]
    fig, ax = plt.subplots(figsize=(0.55 * len(checks) + 3.5, 0.38 * len(order) + 1.6))
    ax.imshow(
        holds.to_numpy(dtype=float),
        cmap=ListedColormap(["#d9534f", "#5cb85c"]),
        vmin=0,
        vmax=1,
        aspect="auto",
    )
    for i in range(len(order)):
        for j in range(len(checks)):
            p = pvals.iat[i, j]
            text = "=" if np.isnan(p) else ("<.001" if p < 0.001 else f"{p:.2f}".lstrip("0"))
            ax.text(j, i, text, ha="center", va="center", fontsize=6, color="white")
    ax.set_xticks(range(len(checks)), checks, fontsize=8)
    ax.set_yticks(
        range(len(order)), [f"{n} off" if n != BASELINE else "none (model as is)" for n in order], fontsize=8
    )
    ax.set_xlabel("check (green: holds, red: fails; one-sided p in the cell, '=' every difference the same)")
    ax.set_title("Which stylised facts hold with each mechanism switched off")
    return save_figure(fig, path)
