"""Stage 7, dissolution: a partnership that cannot go on ends, and records why (M12)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from partnersim import mechanisms as mech

if TYPE_CHECKING:
    from partnersim.agents import Partnership


def check_dissolution(q: Partnership) -> None:
    """Dissolve with the first cause of :func:`~partnersim.mechanisms.dissolution_cause` that holds.

    Without money (in a gap or for good) it is judged every month whether
    enough members are willing to carry on (002:999): the paper-partner
    line is the line of willingness, and ``quorum_share`` of the members
    (partners on paper included) is needed, as for a meeting.
    """
    if not q.alive:
        return
    p = q.model.p
    active = q.active_members
    g = q.grant
    unfunded = not g.funded
    carrying_on = (
        mech.carries_on([q.willing[m.unique_id] for m in q.members], p.paper_threshold, p.quorum_share)
        if unfunded
        else True
    )
    cause = mech.dissolution_cause(
        n_active=len(active),
        cross_sector=q.cross_sector,
        statutory_active=any(m.sector == "statutory" for m in active),
        mean_commitment=q.mean_commitment,
        collapse_threshold=p.exit_threshold,
        months_without_quorum=q.months_without_quorum,
        inactive_months=p.inactive_months,
        unfunded=unfunded,
        carrying_on=carrying_on,
        in_gap=g.in_gap,
    )
    if cause is not None:
        q.dissolve(cause)
