"""Write a calibration's outputs and its plain-words ``report.md``.

The sentences read from the tables of :mod:`partnersim.calibration.outputs`;
nothing is computed inside the wording.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from partnersim.calibration.driver import CalibrationRun, load_history
from partnersim.calibration.outputs import (
    CONSTRAINED,
    PPC_ALPHA,
    WEAKLY,
    identifiability,
    plot_marginals,
    plot_pairs,
    plot_predictive,
    posterior_table,
    predictive_check,
    predictive_summary,
    run_warnings,
    save,
)
from partnersim.calibration.posterior import POSTERIOR_FILE, Posterior
from partnersim.calibration.study import CalibrationStudy
from partnersim.io import atomic_write, write_table

__all__ = ["render_report", "write_outputs"]

#: parameters shown in the pairwise figure (the most constrained)
PAIRS = 5


def write_outputs(
    run: CalibrationRun, *, executor: Any = None, info: dict[str, Any] | None = None
) -> list[Path]:
    """Posterior, generations, identifiability, predictive check, figures and report.md under ``run.out``."""
    study, out = run.study, run.out
    history = load_history(out)
    written: list[Path] = []
    post_df = posterior_table(history, study)
    written.append(write_table(post_df, out / POSTERIOR_FILE))
    written.append(write_table(run.generations, out / "generations.csv"))
    post = Posterior.load(out)
    ident = identifiability(post)
    written.append(write_table(ident, out / "identifiability.csv"))
    ppc = predictive_check(study, post, study.predictive, study.seed, executor) if study.predictive else None
    summary = predictive_summary(study, ppc) if ppc is not None and len(ppc) else pd.DataFrame()
    if ppc is not None:
        written.append(write_table(ppc, out / "predictive.parquet"))
        written.append(write_table(summary, out / "predictive_summary.csv"))
    figs = out / "figures"
    written.append(save(plot_marginals(post, ident), figs / "marginals.png"))
    pair_names = list(ident["parameter"][: min(PAIRS, len(ident))])
    if len(pair_names) >= 2:
        written.append(save(plot_pairs(post, pair_names), figs / "pairs.png"))
    if ppc is not None and len(ppc):
        written.append(save(plot_predictive(study, ppc), figs / "predictive.png"))
    text = render_report(study, run, ident, summary, post, info or {})
    written.append(atomic_write(out / "report.md", lambda p: p.write_text(text, encoding="utf-8")))
    return written


def _list(names: list[str]) -> str:
    names = [f"`{n}`" for n in names]
    if not names:
        return "none"
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _targets_table(study: CalibrationStudy, summary: pd.DataFrame) -> str:
    lines = [
        "| target | report | observed | quote | statistic | posterior predictive 5%-50%-95% | typical? |",
        "|---|---|---|---|---|---|---|",
    ]
    by = summary.set_index("target") if len(summary) else None
    for t in study.targets:
        cell, ok = "not simulated", ""
        if by is not None and t.name in by.index:
            r = by.loc[t.name]
            fmt = "{:.0%}" if t.kind == "count" else "{:.3g}"
            cell = " - ".join(fmt.format(r[c]) for c in ("sim_lower", "sim_median", "sim_upper"))
            ok = "yes" if r["consistent"] else "**no**"
        stat = f"`{t.statistic}`" + (f" {t.args}" if t.args else "")
        lines.append(f'| {t.name} | {t.ref} | {t.observed_text} | "{t.quote}" | {stat} | {cell} | {ok} |')
    return "\n".join(lines)


def _ident_table(ident: pd.DataFrame) -> str:
    lines = [
        "| parameter | prior | posterior median | 90% interval | width / prior width | verdict |",
        "|---|---|---|---|---|---|",
    ]
    for _, r in ident.iterrows():
        lines.append(
            f"| `{r['parameter']}` | {r['prior_low']:g} - {r['prior_high']:g} | {r['median']:.3g} | "
            f"{r['lower']:.3g} - {r['upper']:.3g} | {r['ratio']:.0%} | {r['verdict']} |"
        )
    return "\n".join(lines)


def _generations_table(gens: pd.DataFrame) -> str:
    lines = ["| generation | epsilon | simulations | acceptance rate | ESS |", "|---|---|---|---|---|"]
    for _, r in gens.iterrows():
        lines.append(
            f"| {int(r['generation'])} | {r['epsilon']:.3g} | {int(r['simulations'])} | "
            f"{r['acceptance_rate']:.1%} | {r['ess']:.0f} |"
        )
    return "\n".join(lines)


def render_report(
    study: CalibrationStudy,
    run: CalibrationRun,
    ident: pd.DataFrame,
    summary: pd.DataFrame,
    post: Posterior,
    info: dict[str, Any],
) -> str:
    """The report in Markdown: what the reports constrain, what they leave free, and how well the model fits."""
    constrained = list(ident.loc[ident["verdict"] == "constrained", "parameter"])
    weak = list(ident.loc[ident["verdict"] == "weakly constrained", "parameter"])
    free = list(ident.loc[ident["verdict"] == "free", "parameter"])
    gens = run.generations
    sims = run.simulations
    misfit = list(summary.loc[~summary["consistent"], "target"]) if len(summary) else []
    lines = [
        f"# Calibration: {study.name}",
        "",
        study.description,
        "",
        "## In plain words",
        "",
        *[f"- **Warning:** {w}." for w in run_warnings(gens, post.ess, len(post.particles))],
        f"- {len(study.targets)} patterns from the reports, {sum(t.kind == 'count' for t in study.targets)} of them "
        f"counts treated as binomial data, were matched by approximate Bayesian computation (ABC-SMC, pyabc) "
        f"over {len(study.priors)} parameters with uniform priors.",
        f"- **The reports constrain** (posterior 90% interval under {CONSTRAINED:.0%} of the prior's): "
        f"{_list(constrained)}.",
        f"- **Weakly constrained** ({CONSTRAINED:.0%}-{WEAKLY:.0%}): {_list(weak)}.",
        f"- **Left free** (at least {WEAKLY:.0%} of the prior's width): {len(free)} of {len(ident)} parameters. "
        "Any conclusion that depends on them rests on the modeller's choice, not on the reports.",
    ]
    if misfit:
        lines.append(
            f"- **Not reproduced:** under the posterior the model rarely produces what the reports saw for "
            f"{_list(misfit)} (tail probability under {PPC_ALPHA / 2:.1%} or fewer than "
            f"{PPC_ALPHA:.0%} of draws in the range)."
        )
    elif len(summary):
        lines.append("- Every target's observation is typical of what the calibrated model produces.")
    if study.skipped:
        lines.append(
            "- **Targets left out** because this model does not report their statistic: "
            + "; ".join(f"`{t.name}` ({why})" for t, why in study.skipped)
            + "."
        )
    lines += [
        "",
        "## Run",
        "",
        f"- {len(gens)} generations of {study.population} particles; {sims} simulations (the prior sample "
        f"that set the first epsilon included), each running the target "
        f"scenarios ({len(study.used_scenarios())} scenarios x {study.replicates} replicate(s) each); "
        f"stopped because {run.stopped}.",
        f"- Effective sample size of the final weights: {post.ess:.0f} of {len(post.particles)}.",
        *[f"- {k}: {v}" for k, v in info.items()],
        "- Reproducibility: the same seed gives the same particles on one worker, on local processes or "
        "on a Dask cluster, and a resumed run equals an uninterrupted one.",
        "",
        "## Targets and the posterior predictive check",
        "",
        "A count is compared with the share the model produces; the check draws the count the report "
        "would have seen out of its own total at that share. `typical?` is no when the observed count is "
        f"in a tail of under {PPC_ALPHA / 2:.1%} (a range: fewer than {PPC_ALPHA:.0%} of draws inside it).",
        "",
        _targets_table(study, summary),
        "",
        "![Posterior predictive check](figures/predictive.png)",
        "",
        "## Scenarios",
        "",
        *[
            f"- `{s.name}`: {s.description} Fixed: "
            + ", ".join(f"`{k}` = {v!r}" for k, v in s.parameters.items())
            + "."
            for s in study.scenarios.values()
            if s.name in study.used_scenarios()
        ],
        "",
        "## Identifiability",
        "",
        "Posterior 90% interval against the uniform prior's 90% interval, most constrained first.",
        "",
        _ident_table(ident),
        "",
        "![Marginal posteriors](figures/marginals.png)",
        "",
        "![Pairwise posterior](figures/pairs.png)",
        "",
        "## Generations",
        "",
        _generations_table(gens),
        "",
    ]
    return "\n".join(lines)
