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


class Pool:
    """A local system as :func:`draw_members` reads it: its organisations, and their budgets and values as arrays.

    Budgets and values do not change after set-up, so set-up builds one pool
    per local system and draws every founding partnership from it, instead of
    reading each organisation's attributes again for each partnership.
    """

    __slots__ = ("orgs", "resources", "statutory", "values")

    def __init__(self, model: PartnershipModel, orgs: list[Organisation]) -> None:
        self.orgs = orgs
        self.statutory = [k for k, o in enumerate(orgs) if o.sector == "statutory"]
        top = model.max_log_budget
        # resources on a log scale, relative to the largest budget in the region
        self.resources = (
            np.array([math.log1p(o.budget) for o in orgs]) / top if top > 0 else np.zeros(len(orgs))
        )
        self.values = np.array([o.values for o in orgs], dtype=float)


def draw_members(model: PartnershipModel, pool: list[Organisation] | Pool, size: int) -> list[Organisation]:
    """A statutory lead, then partners chosen for resources or for shared values.

    The lead is a statutory body where the pool has one. The others are
    drawn without replacement with weights
    :func:`~partnersim.mechanisms.partner_choice_weight` at the default
    ``orientation`` (000:106, 001:90).
    """
    if not isinstance(pool, Pool):
        pool = Pool(model, pool)
    orgs = pool.orgs
    lead = model.random.choice(pool.statutory) if pool.statutory else model.random.choice(range(len(orgs)))
    k = min(len(orgs) - 1, size - 1)
    if k <= 0:
        return [orgs[lead]]
    # the mechanisms take whole arrays of candidates (everyone but the lead): the same float operations
    resources, values = np.delete(pool.resources, lead), np.delete(pool.values, lead)
    weights = mech.partner_choice_weight(
        resources, mech.alignment(pool.values[lead], values), model.p.orientation
    )
    weights = np.maximum(weights, 1e-9)
    picks = model.rng.choice(len(orgs) - 1, size=k, replace=False, p=weights / weights.sum())
    # a pick counts the candidates, which skip the lead's place
    return [orgs[lead]] + [orgs[i + (i >= lead)] for i in picks.tolist()]


def found(
    model: PartnershipModel, members: list[Organisation], route: str, commitment: float | None = None
) -> Partnership:
    """Create a partnership; representatives who already know each other start with their prior trust (002:517)."""
    part = Partnership(model, members, route=route, initial_commitment=commitment)
    initial = model.p.initial_trust
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
    if model.random.random() >= 1.0 - math.exp(-p.formation_rate / 12.0):
        return
    system = model.random.choice(model.systems)
    size = p.partnership_size
    if model.random.random() < p.funder_call_share:
        members = draw_members(model, system, size)
        commitment = max(0.0, p.initial_commitment - p.call_commitment_penalty)
        route = "funder_call"
    else:
        lead = model.random.choice(system)
        ties = sorted(lead.institutional.items(), key=lambda kv: (-kv[1], kv[0]))
        members = [lead] + [model.organisation(uid) for uid, _ in ties[: size - 1]]
        commitment, route = None, "ties"
    if len(members) >= 2:
        part = found(model, members, route, commitment)
        model.log(f"Partnership {part.number} formed ({route.replace('_', ' ')})")
