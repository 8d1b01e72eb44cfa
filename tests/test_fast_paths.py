"""The stages' fast paths give exactly what the scalar mechanisms give (issue #16).

The hot loops of the meeting, delivery, evaluation and turnover stages and of
``Partnership.refresh_trust`` inline their mechanisms of
:mod:`partnersim.mechanisms` term for term, and the model passes over its
partnerships without Mesa's agent-set lookups. Below are those stages as they
were before (revision fd28280), written with the scalar mechanisms, and the
schedule with ``AgentSet.do``/``shuffle_do``. On random parameters, seeds and
horizons, a model run with the reference stages and one run with the fast
stages must agree bit for bit: every monthly reporter, every partnership
row and every summary outcome. (``benchmarks/same_results.py`` does the same
against a whole baseline source tree on 12 fixed settings x 6 seeds.)
"""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from partnersim import mechanisms as mech
from partnersim.agents import _NO_TRUST, Organisation, Partnership
from partnersim.fast import ENGINE_VARIABLE
from partnersim.model import PartnershipModel
from partnersim.schema import ParameterError
from partnersim.stages import (
    delivery,
    dissolution,
    evaluation,
    formation,
    funding,
    meeting,
    networking,
    turnover,
)
from partnersim.stages.delivery import MATURE
from partnersim.stages.evaluation import recruit
from partnersim.stages.meeting import learning_rate
from partnersim.stages.turnover import replace_representative

# ---------------------------------------------------------------- the reference stages (fd28280)


def reference_attend(q: Partnership) -> list[Organisation]:
    """Members attend as capacity and willingness allow; a coordinator chases those they have hours for."""
    model, p = q.model, q.model.p
    rand = model.random.random
    coord = q.coordinator
    chasing = coord.present(model.steps)
    unit, hours, engaged = p["coordination_hours"], p["meeting_hours"], p["paper_threshold"]
    reps, willing = q.reps, q.willing
    chance, chased = mech.attendance_probability, mech.chased_attendance
    attendees = []
    for m in q.active_members:
        uid = m.unique_id
        if not reps[uid].present:
            continue
        pr = chance(q.time_of(m), hours, willing[uid], engaged)
        if chasing:
            done, coord.hours = mech.coordinator_hours_left(coord.hours, unit)
            if done:
                pr = chased(pr)
            else:
                chasing = False
        if model.choice(m, q, "attend", rand() < pr):
            attendees.append(m)
    return attendees


def reference_interact(q: Partnership, attendees: list[Organisation], rand) -> None:
    """Each attending pair has one interaction; a coordinator with hours mediates a bad one.

    The chance of a good interaction is
    :func:`~partnersim.mechanisms.positive_interaction_probability`, fed by
    the pair's effective trust (both directions, both layers). A mediated
    disagreement gets a second chance to be resolved: mediating is part of
    the job (003:538) and resolving disagreements mattered (001:97). Trust
    then moves by :func:`~partnersim.mechanisms.trust_after_interaction`,
    and the institutional layer learns from it (faster with roles written
    down: a modelling choice, :func:`learning_rate`).
    """
    model, p = q.model, q.model.p
    coord = q.coordinator
    mediating = coord.present(model.steps)
    unit = p["coordination_hours"]
    competition = mech.competition_pressure(
        model.scarcity, q.orientation, p["funding_length"], p["funding_flexibility"], p["short_grant_weight"]
    )
    gain, loss = p["trust_gain"], p["trust_loss"]
    learn = learning_rate(q)
    initial, w = p["initial_trust"], p["personal_trust_weight"]
    v = 1.0 - w
    o = q.orientation
    base, e_align, e_trust = p["base_positive"], p["alignment_effect"], p["trust_effect"]
    e_power, e_comp, damping = p["power_effect"], p["competition_effect"], p["power_damping"]
    reps = q.reps
    # local names: this pair loop is the model's inner loop
    chance, align = mech.positive_interaction_probability, mech.alignment
    after, learn_step = mech.trust_after_interaction, mech.institutional_after_meeting
    for i, a in enumerate(attendees):
        ua, va, wa = a.unique_id, a.values, a.power
        pa = reps[ua].personal
        ia = a.institutional
        for b in attendees[i + 1 :]:
            ub = b.unique_id
            pb = reps[ub].personal
            ib = b.institutional
            old_ab, old_ba = pa.get(ub, initial), pb.get(ua, initial)
            # the pair's effective trust (mechanisms.effective_trust, inlined), both ways
            pair_trust = 0.5 * (w * (old_ab + old_ba) + v * (ia.get(ub, 0.0) + ib.get(ua, 0.0)))
            prob = chance(
                align(va, b.values), pair_trust, abs(wa - b.power), o, competition,
                base, e_align, e_trust, e_power, e_comp, damping,
            )  # fmt: skip
            positive = rand() < prob
            if not positive and mediating:
                done, coord.hours = mech.coordinator_hours_left(coord.hours, unit)
                if done:
                    positive = rand() < prob
                else:
                    mediating = False
            tab = after(old_ab, positive, gain, loss)
            tba = after(old_ba, positive, gain, loss)
            pa[ub] = tab
            pb[ua] = tba
            ia[ub] = learn_step(ia.get(ub, 0.0), tab, learn)
            ib[ua] = learn_step(ib.get(ua, 0.0), tba, learn)


def reference_evaluate(q: Partnership) -> None:
    """Members weigh up the month; some go on paper or leave; open partnerships recruit.

    Voice follows power under strategic rules and work under communicative
    ones (000:106, 000:108). The plan of work follows the lead's mission or
    the members' voice, and flexible money lets it adapt (002:664). Each
    member's satisfaction mixes voice, reciprocity (004:396) and the benefit
    it sees; commitment follows satisfaction less the cost of size
    (001:357) and, without money, of a lost programme (000:106).
    Willingness (commitment and trust, 001:97) decides whether a member
    stays active, goes on paper (004:122) or leaves (001:275).
    """
    if not q.alive:
        return
    model, p = q.model, q.model.p
    active = q.active_members
    contribution, satisfaction, commitment = q.contribution, q.satisfaction, q.commitment
    work = [contribution[m.unique_id] for m in active]
    voices = mech.voice_shares([m.power for m in active], work, q.orientation)
    q.voice_gini = mech.gini(voices)
    voiced = sum(v * m.values for m, v in zip(active, voices, strict=True))
    q.plan = mech.plan_position(q.lead_values, voiced, q.orientation, p["funding_flexibility"])
    n = len(active)
    given = sum(work)
    wv, wr, silencing = p["voice_weight"], p["reciprocity_weight"], p["silencing_factor"]
    hours = p["meeting_hours"]
    # local names: this loop runs for every member every month
    benefit_of, fit, satisfied, reciprocity = (
        mech.member_benefit,
        mech.alignment,
        mech.satisfaction,
        mech.member_reciprocity,
    )
    effectiveness, plan = q.effectiveness, q.plan
    for m, v, h in zip(active, voices, work, strict=True):
        share = h / given if given > 0 else 0.0
        benefit = benefit_of(effectiveness, fit(m.values, plan), h / hours)
        satisfaction[m.unique_id] = satisfied(v, n, reciprocity(v, share), benefit, wv, wr, silencing)
    cost = mech.membership_cost(len(q.members), p["size_cost"])
    if not q.grant.funded:
        cost += mech.programme_loss(q.orientation, p["programme_dependence"])
    rate, paper_at, exit_at = p["commitment_rate"], p["paper_threshold"], p["exit_threshold"]
    trust_weight = p["willingness_trust_weight"]
    leavers = []
    moved = False
    after_month, willingness, status_of = mech.commitment_after_month, mech.willingness, mech.member_status
    paper, reps, member_trust, willing_of = q.paper, q.reps, q.member_trust, q.willing
    for m in list(q.members):
        uid = m.unique_id
        on_paper = uid in paper
        c = after_month(commitment[uid], satisfaction[uid], cost, rate)
        commitment[uid] = c
        if not reps[uid].present:
            continue  # an empty seat takes no decisions: the organisation waits for its next person
        willing = willingness(c, member_trust.get(uid, 0.0), trust_weight)
        willing_of[uid] = willing
        # in the classroom's shared run a student may decide for this organisation
        status = model.choice(m, q, "status", status_of(willing, on_paper, paper_at, exit_at))
        if status == "leave":
            leavers.append(m)
        elif status == "paper":
            if not on_paper:
                model.log(f"{model.name_of(m)} became a partner on paper in Partnership {q.number}")
                q.set_paper(uid, True)
                moved = True
        elif on_paper:
            model.log(f"{model.name_of(m)} became an active partner again in Partnership {q.number}")
            q.set_paper(uid, False)
            moved = True
    for m in leavers:
        model.exits[m.sector] += 1
        q.remove_member(m)
        model.log(f"{model.name_of(m)} left Partnership {q.number}")
    if q.membership == "open":
        before = len(q.members)
        recruit(q)
        moved = moved or len(q.members) != before
    if q.members:
        q.mean_commitment = sum(commitment.values()) / len(commitment)
        q.mean_satisfaction = sum(satisfaction.values()) / len(satisfaction)
    if leavers or moved:
        q.refresh_trust()
    q.orientation = mech.orientation_after_month(q.orientation, q.mean_trust, p["orientation_drift"])
    q.observe_month()


def reference_deliver(q: Partnership) -> None:
    """Output from the hours contributed, times synergy, orientation and agreement speed.

    Hours are limited by capacity over memberships (002:336, 003:428);
    ``capacity`` already counts what small VCSE groups without a grant can
    justify (002:605, stage 4). Synergy rests on trust and complementarity (000:151,
    003:440). Strategic targets give more output early (000:143); working
    together builds maturity under communicative rules (000:108, 001:199).
    The month's record (outputs and relationships) goes to the grant's
    evidence (002:681).
    """
    q.output = 0.0
    if not q.alive:
        return
    model, p = q.model, q.model.p
    active = q.active_members
    attending = {id(m) for m in q.attendees}
    hours = p["meeting_hours"]
    funded = q.grant.funded
    contribution = q.contribution
    given = mech.contributed_hours
    total = 0.0
    for m in active:
        h = 0.0
        if id(m) in attending:
            h = given(q.time_of(m), hours)
            h *= model.choice(m, q, "hours", 1.0)  # a player may give a share of what it can
        contribution[m.unique_id] = h
        total += h
    kinds = len({m.sector for m in active})
    q.synergy = mech.synergy(q.mean_trust, mech.complementarity(kinds), p["synergy_trust_weight"])
    q.maturity = mech.maturity_after_month(q.maturity, q.orientation, q.quorate, p["maturity_rate"])
    if q.matured_at is None and q.maturity >= MATURE:
        q.matured_at = model.steps - q.started_at
    factor = mech.orientation_output_factor(
        q.orientation, q.age, q.maturity, p["strategic_boost"], p["strategic_decay_months"]
    )
    q.agreement = mech.agreement_speed(len(active), q.mean_trust, p["agreement_cost"])
    q.output = total * q.synergy * factor * q.agreement
    q.output_total += q.output
    # the reference: a share of a full member's hours counts as middling effectiveness
    q.effectiveness = mech.effectiveness(q.output / max(1, len(active)), p["effectiveness_reference"] * hours)
    if funded:
        record = mech.grant_record(q.effectiveness, q.mean_trust)
        q.grant.record_sum += record
        q.grant.record_months += 1
        model.records_seen += 1
        model.record_total += record


def reference_turnover(q: Partnership) -> None:
    """Representatives leave with the monthly hazard of ``staff_turnover``; vacant seats are filled."""
    if not q.alive:
        return
    model, p = q.model, q.model.p
    now = model.steps
    rand = model.random.random
    to_end = q.months_to_grant_end()
    window, boost = p["grant_end_window"], p["grant_end_turnover_boost"]
    base = model.base_hazard
    coord = q.coordinator
    present = coord.present(now)
    # the coordinator's month starts: a fixed number of dedicated hours (004:448)
    coord.hours = p["coordinator_hours"] if present else 0.0
    funded = q.grant.funded
    at_risk = left = 0
    for org in q.members:
        rep = q.reps[org.unique_id]
        if not rep.present:
            if now >= rep.vacant_until:
                rep.present = True
                rep.tenure = 0
            continue
        rep.tenure += 1
        at_risk += 1
        # VCSE posts are the ones paid by the grant (002:605)
        grant_paid = org.sector == "vcse" and funded
        if rand() < mech.monthly_leaving_hazard(base, to_end, grant_paid, window, boost):
            left += 1
            replace_representative(q, org, rep)
    if model.observer is not None:
        model.observer.turnover(q, at_risk, left)
    if present:
        coord.tenure += 1
        if rand() < mech.monthly_leaving_hazard(
            base, to_end, not coord.mainstreamed and funded, window, boost
        ):
            coord.vacant_until = now + p["vacancy_months"]
            coord.hours = 0.0
            # the next holder starts without the relationships this one carried, unless written down (004:416)
            if not q.formal_agreement:
                coord.tenure = 0
            model.staff_departures += 1
            model.log(f"the coordinator of Partnership {q.number} left")


def reference_refresh_trust(self) -> None:
    """Recompute trust among active members: overall, by sector pair and per member.

    Trust of one member in another mixes the personal and institutional
    layers as :func:`~partnersim.mechanisms.effective_trust` does; it is
    inlined because this is the hottest loop (a test checks the two
    agree). ``trust_pairs`` maps a sector pair to ``[sum, count]``.
    """
    p = self.model.p
    w, initial = p["personal_trust_weight"], p["initial_trust"]
    v = 1.0 - w
    layout = self._trust_layout()
    for acc in self.trust_pairs.values():
        acc[0] = acc[1] = 0.0
    reps = self.reps
    per_member = self.member_trust
    total, n = 0.0, 0
    k = len(layout) - 1
    for a, row in layout:
        ua = a.unique_id
        rep = reps[ua]
        # a vacant seat holds no personal trust: only the track record speaks
        personal, default = (rep.personal, initial) if rep.present else (_NO_TRUST, 0.0)
        inst = a.institutional
        s = 0.0
        for ub, acc in row:
            t = w * personal.get(ub, default) + v * inst.get(ub, 0.0)
            s += t
            acc[0] += t
            acc[1] += 1.0
        per_member[ua] = s / k if k > 0 else 0.0
        total += s
        n += k
    self.mean_trust = total / n if n > 0 else 0.0


def reference_step(self: PartnershipModel) -> None:
    """The schedule of fd28280: Mesa's agent set calls each stage."""
    self.staff_departures = 0
    funding.environment(self)
    self.partnerships.do(funding.fund)
    self.partnerships.do(turnover.turnover)
    networking.networking(self)
    self.partnerships.shuffle_do(meeting.meet)
    self.partnerships.do(delivery.deliver)
    self.partnerships.shuffle_do(evaluation.evaluate)
    self.partnerships.do(dissolution.check_dissolution)
    if self.p["formation"]:
        formation.formation(self)
    self._observe()


# ---------------------------------------------------------------- the check


def _run(params: dict, *, reference: bool, engine: str = "python") -> PartnershipModel:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(ENGINE_VARIABLE, engine)
        if reference:
            mp.setattr(meeting, "attend", reference_attend)
            mp.setattr(meeting, "interact", reference_interact)
            mp.setattr(evaluation, "evaluate", reference_evaluate)
            mp.setattr(delivery, "deliver", reference_deliver)
            mp.setattr(turnover, "turnover", reference_turnover)
            mp.setattr(Partnership, "refresh_trust", reference_refresh_trust)
            mp.setattr(PartnershipModel, "step", reference_step)
        model = PartnershipModel(**params)
        model.record_events = False
        return model.run()


def _same(a: float, b: float) -> bool:
    return a == b or (math.isnan(a) and math.isnan(b))


params_strategy = st.fixed_dictionaries(
    {
        "rng": st.integers(0, 2**32 - 1),
        "horizon": st.integers(1, 48),
        "orientation": st.floats(0.0, 1.0),
        "staff_turnover": st.floats(0.0, 0.95),
        "funding_flexibility": st.floats(0.0, 1.0),
        "trust_gain": st.floats(0.0, 1.0),
        "trust_loss": st.floats(0.0, 1.0),
        "thresholds": st.tuples(st.floats(0.0, 1.0), st.floats(0.0, 1.0)).map(sorted),
        "vcse_unfunded_capacity": st.floats(0.0, 1.0),
        "silencing_factor": st.floats(0.0, 10.0),
        "voice_weight": st.floats(0.0, 1.0),
        "reciprocity_weight": st.floats(0.0, 1.0),
        "willingness_trust_weight": st.floats(0.0, 1.0),
        "power_effect": st.floats(0.0, 1.0),
        "power_damping": st.floats(0.0, 1.0),
        "coordinator": st.booleans(),
        "formal_agreement": st.booleans(),
        "membership": st.sampled_from(["open", "closed"]),
        "funding_length": st.sampled_from([12, 24, 36]),
        "partnership_size": st.integers(2, 10),
    }
)


@pytest.mark.parametrize("engine", ["python", "compiled"])
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(drawn=params_strategy)
def test_fast_stages_give_what_the_scalar_mechanisms_give(engine, drawn):
    """The Python stages' inlined loops, and the compiled engine, against the scalar mechanisms."""
    params = dict(drawn)
    params["exit_threshold"], params["paper_threshold"] = params.pop("thresholds")
    try:
        reference = _run(params, reference=True)
    except ParameterError:
        assume(False)
    fast = _run(params, reference=False, engine=engine)
    pd.testing.assert_frame_equal(fast.timeseries(), reference.timeseries(), check_exact=True)
    pd.testing.assert_frame_equal(fast.partnership_table(), reference.partnership_table(), check_exact=True)
    ours, theirs = fast.summary(), reference.summary()
    assert ours.keys() == theirs.keys()
    assert all(_same(ours[k], theirs[k]) for k in ours), (ours, theirs)


def test_the_check_can_fail(monkeypatch):
    """A reference that differs from the fast stage by the last bit of one member's commitment is caught."""

    original = reference_turnover

    def changed_turnover(q: Partnership) -> None:
        original(q)
        for uid in q.commitment:
            q.commitment[uid] = math.nextafter(q.commitment[uid], 2.0)
            break

    params = {"rng": 3, "horizon": 24}
    fast = _run(params, reference=False)
    assert fast.timeseries().equals(_run(params, reference=True).timeseries())
    monkeypatch.setitem(globals(), "reference_turnover", changed_turnover)
    changed = _run(params, reference=True)
    assert not fast.timeseries().equals(changed.timeseries())


def reference_voice_shares(
    powers: list[float], participation: list[float], orientation: float
) -> list[float]:
    """``mechanisms.voice_shares`` of fd28280."""
    n = len(powers)
    if n == 0:
        return []
    equal = 1.0 / n
    tp, tq = sum(powers), sum(participation)
    by_power = [x / tp for x in powers] if tp > 0 else [equal] * n
    by_work = [x / tq for x in participation] if tq > 0 else [equal] * n
    return [(1.0 - orientation) * a + orientation * b for a, b in zip(by_power, by_work, strict=True)]


def reference_gini(values: list[float]) -> float:
    """``mechanisms.gini`` of fd28280."""
    n = len(values)
    if n == 0:
        return 0.0
    total = sum(values)
    if total <= 0:
        return 0.0
    xs = sorted(values)
    cum = sum((i + 1) * x for i, x in enumerate(xs))
    return (2.0 * cum) / (n * total) - (n + 1.0) / n


@given(
    rows=st.lists(
        st.tuples(st.floats(0.0, 1.0), st.sampled_from([0.0, 1.5, 4.0]) | st.floats(0.0, 10.0)), max_size=12
    ),
    orientation=st.floats(0.0, 1.0),
)
def test_voice_shares_and_gini_are_bit_identical_to_fd28280(rows, orientation):
    powers, work = [r[0] for r in rows], [r[1] for r in rows]
    voices = mech.voice_shares(powers, work, orientation)
    assert voices == reference_voice_shares(powers, work, orientation)
    assert mech.gini(voices) == reference_gini(voices)
