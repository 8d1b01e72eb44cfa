"""The summary outcomes of a run, registered once with their unit, meaning and direction.

:func:`partnersim.simulate` returns these, :meth:`PartnershipModel.summary`
computes them, ``partnersim params`` lists them, and sweeps, Sobol, Morris,
``partnersim plot`` and ``partnersim discover`` read their names and meanings
from here. Each is one number per run, over the whole run; the monthly
series (``model.timeseries()``) are a different thing: see
:data:`partnersim.model.MODEL_REPORTERS`.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["OUTCOMES", "SUMMARY_NAMES", "Outcome", "outcome_label"]


@dataclass(frozen=True)
class Outcome:
    """One summary outcome of a run.

    Attributes:
        name: the key in :func:`partnersim.simulate`'s result and in ``runs.parquet``.
        unit: unit of measure, in words.
        meaning: what it measures, in one sentence.
        direction: ``"higher"`` or ``"lower"``: which way is better for partnerships,
            or ``""`` where neither is.
    """

    name: str
    unit: str
    meaning: str
    direction: str = "higher"


OUTCOMES: dict[str, Outcome] = {
    o.name: o
    for o in (
        Outcome(
            "survival_rate",
            "share 0-1",
            "share of the partnerships ever formed that are still working at the horizon",
        ),
        Outcome(
            "mean_lifetime",
            "months",
            "mean months a partnership worked, to its dissolution or the horizon",
        ),
        Outcome(
            "legacy_rate",
            "share 0-1",
            "share of the partnerships ever formed that worked at least legacy_months after their funding ended",
        ),
        Outcome(
            "mean_trust",
            "trust 0-1",
            "mean over the partnerships ever formed of each one's trust between members, "
            "averaged over the months it worked (not this month's trust_all)",
        ),
        Outcome(
            "mean_commitment",
            "commitment 0-1",
            "mean over the partnerships ever formed of each one's member commitment, "
            "averaged over the months it worked",
        ),
        Outcome(
            "vcse_share",
            "share 0-1",
            "small VCSE groups' share of active membership, averaged over the months with a live partnership",
        ),
        Outcome(
            "voice_gini",
            "Gini 0-1",
            "inequality of voice within partnerships, averaged over the months with a live partnership",
            direction="lower",
        ),
        Outcome(
            "total_output",
            "output units",
            "output delivered by every partnership over the whole run",
        ),
        Outcome(
            "total_grants_paid",
            "thousand pounds",
            "grant money paid to every partnership over the whole run, renewals and coordinator posts "
            "included (an output only: no rule reads it)",
            direction="",
        ),
    )
}

#: Summary scalars returned by :func:`partnersim.simulate`, in order.
SUMMARY_NAMES: tuple[str, ...] = tuple(OUTCOMES)


def outcome_label(name: str) -> str:
    """``"survival rate (share 0-1)"``: a figure label for an outcome (or any column)."""
    o = OUTCOMES.get(name)
    return name.replace("_", " ") + (f" ({o.unit})" if o is not None else "")
