"""Stage 3, networking: events make new acquaintances across a local system (M14)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from partnersim.model import PartnershipModel


def networking(model: PartnershipModel) -> None:
    """Networking events create acquaintance ties (004:83, 004:184).

    Events come as a Poisson number a month with mean
    ``networking_rate / 12``. At each, one local system meets and every
    attendee makes ``networking_contacts`` new acquaintances (institutional
    trust ``initial_trust`` where no tie existed); only some will deepen
    into joint work (004:124).
    """
    p = model.p
    n_events = int(model.rng.poisson(p.networking_rate / 12.0))
    contacts, trust = p.networking_contacts, p.initial_trust
    for _ in range(n_events):
        system = model.random.choice(model.systems)
        if len(system) < 2:
            continue
        # one draw for the whole event: each attendee picks `contacts` others
        k = len(system)
        picks = model.rng.integers(0, k - 1, size=(k, contacts)).tolist()
        for i, org in enumerate(system):
            for j in picks[i]:
                other = system[j + (j >= i)]  # skip the attendee itself
                if other.unique_id not in org.institutional:
                    org.institutional[other.unique_id] = trust
                    other.institutional.setdefault(org.unique_id, trust)
        model.log("a networking event brought organisations together")
