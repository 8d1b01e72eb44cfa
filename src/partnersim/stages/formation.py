"""Stage 8, formation: partnerships are founded at the start and, optionally, during the run (M8, M10)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from partnersim import mechanisms as mech
from partnersim.agents import Partnership

if TYPE_CHECKING:
    from partnersim.agents import Organisation
    from partnersim.model import PartnershipModel


def draw_members(model: PartnershipModel, pool: list[Organisation], size: int) -> list[Organisation]:
    """A statutory lead, then partners chosen for resources or for shared values.

    The lead is a statutory body where the pool has one. The others are
    drawn without replacement with weights
    :func:`~partnersim.mechanisms.partner_choice_weight` at the default
    ``orientation`` (000:106, 001:90).
    """
    statutory = [o for o in pool if o.sector == "statutory"]
    lead = model.random.choice(statutory) if statutory else model.random.choice(pool)
    rest = [o for o in pool if o is not lead]
    k = min(len(rest), size - 1)
    if k <= 0:
        return [lead]
    top = model.max_log_budget
    # the mechanisms take whole arrays of candidates: the same float operations, element by element
    resources = np.array([math.log1p(c.budget) for c in rest]) / top if top > 0 else np.zeros(len(rest))
    values = np.array([c.values for c in rest])
    weights = mech.partner_choice_weight(
        resources, mech.alignment(lead.values, values), model.p["orientation"]
    )
    weights = np.maximum(weights, 1e-9)
    picks = model.rng.choice(len(rest), size=k, replace=False, p=weights / weights.sum())
    return [lead] + [rest[i] for i in picks.tolist()]


def found(
    model: PartnershipModel, members: list[Organisation], route: str, commitment: float | None = None
) -> Partnership:
    """Create a partnership; representatives who already know each other start with their prior trust (002:517)."""
    part = Partnership(model, members, route=route, initial_commitment=commitment)
    initial = model.p["initial_trust"]
    for a in members:
        pa = part.reps[a.unique_id].personal
        for b in members:
            if a is not b and b.unique_id in a.institutional:
                pa[b.unique_id] = max(initial, a.institutional[b.unique_id])
    part.refresh_trust()
    return part


def formation(model: PartnershipModel) -> None:
    """New partnerships form from strong ties or a funder's call (004:122).

    Formation is a Poisson process of ``formation_rate`` a year. A funder's
    call that writes partners into a bid brings members with lower founding
    commitment, so more of them end up partners on paper (004:122).
    """
    p = model.p
    if model.random.random() >= 1.0 - math.exp(-p["formation_rate"] / 12.0):
        return
    system = model.random.choice(model.systems)
    size = p["partnership_size"]
    if model.random.random() < p["funder_call_share"]:
        members = draw_members(model, system, size)
        commitment = max(0.0, p["initial_commitment"] - p["call_commitment_penalty"])
        route = "funder_call"
    else:
        lead = model.random.choice(system)
        ties = sorted(lead.institutional.items(), key=lambda kv: (-kv[1], kv[0]))
        members = [lead] + [model.organisation(uid) for uid, _ in ties[: size - 1]]
        commitment, route = None, "ties"
    if len(members) >= 2:
        part = found(model, members, route, commitment)
        model.log(f"Partnership {part.number} formed ({route.replace('_', ' ')})")
