"""Grant money is a model output: what each partnership was paid follows the grant terms, and nothing else."""

from __future__ import annotations

import pandas as pd
import pytest

from partnersim import mechanisms as mech
from partnersim.model import run_model

# no development phase and no weight on the record, so the grant terms alone say what is paid
BASE = {
    "rng": 11,
    "horizon": 96,
    "formation": True,
    "staff_turnover": 0.3,
    "development_months": 0,
    "evidence_weight": 0.0,
}


def _table(**params) -> tuple[pd.DataFrame, dict]:
    model = run_model({**BASE, **params}, collect=False)
    return model.partnership_table(), model.summary()


def _months_alive(t: pd.DataFrame, horizon: int) -> pd.Series:
    end = t["dissolved_at"].where(t["dissolved_at"].notna(), horizon)
    return (end - t["started_at"]).astype(int)


def test_grant_payment_mechanism():
    assert mech.grant_payment(True, True, 7.5, 3.5) == 11.0
    assert mech.grant_payment(True, False, 7.5, 3.5) == 7.5
    assert mech.grant_payment(False, True, 7.5, 3.5) == 0.0


@pytest.mark.parametrize("coordinator", [True, False])
def test_one_grant_pays_its_length_at_the_monthly_rate(coordinator):
    t, s = _table(renewal_probability=0.0, funding_length=24, coordinator=coordinator, grant_amount=8.0,
                  coordinator_cost=4.0)  # fmt: skip
    assert len(t) > 5 and t["started_at"].nunique() > 1  # partnerships founded at different times
    monthly = 8.0 + (4.0 if coordinator else 0.0)
    months = _months_alive(t, 96).clip(upper=24)  # paid from the month after founding, for 24 months at most
    assert (t["grants_paid"] == months * monthly).all()
    assert (t["coordinator_paid_after_grant"] == 0).all()
    assert s["total_grants_paid"] == pytest.approx(t["grants_paid"].sum())


def test_renewals_pay_again_and_gap_months_pay_nothing():
    length, gap = 12, 5
    t, _ = _table(renewal_probability=1.0, funding_length=length, funding_gap=gap, grant_amount=10.0,
                  coordinator_cost=2.0)  # fmt: skip
    # every grant is renewed: paid for `length` months, then `gap` months without money, and again
    paid_months = _months_alive(t, 96).map(
        lambda n: sum((m - 1) % (length + gap) < length for m in range(1, n + 1))
    )
    # a renewal needs a written bid (no hours, no bid, no money): the partnerships whose money never
    # ended were renewed every time, so their pay follows the terms exactly; the others got less
    renewed = t["funding_ended_at"].isna()
    assert renewed.sum() > 5
    assert (t.loc[renewed, "grants_paid"] == paid_months[renewed] * 12.0).all()
    assert (t.loc[~renewed, "grants_paid"] <= paid_months[~renewed] * 12.0).all()
    assert (t["grants_paid"] > 12.0 * length).any()  # some lived into a renewal


def test_a_kept_on_coordinator_is_paid_by_the_members_after_the_grant():
    t, s = _table(
        renewal_probability=0.0, funding_length=12, coordinator_mainstreamed=True, coordinator_cost=3.0
    )
    ended = t["funding_ended_at"].notna()
    assert ended.any()
    end = t["dissolved_at"].where(t["dissolved_at"].notna(), 96)
    after = (end - t["funding_ended_at"]).where(ended, 0)
    assert (t["coordinator_paid_after_grant"] == after * 3.0).all()
    # the funder's bill stops when the grant does
    assert s["total_grants_paid"] == pytest.approx(t["grants_paid"].sum())


def test_money_changes_no_dynamics():
    cheap, _ = _table(grant_amount=1.0, coordinator_cost=0.5)
    dear, _ = _table(grant_amount=90.0, coordinator_cost=20.0)
    money = ["grants_paid", "coordinator_paid_after_grant"]
    pd.testing.assert_frame_equal(cheap.drop(columns=money), dear.drop(columns=money))
    assert (dear["grants_paid"] > cheap["grants_paid"]).any()
