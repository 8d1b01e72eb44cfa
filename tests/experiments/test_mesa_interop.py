"""Interop: ``mesa.batch_run`` on PartnershipModel, and ``partnersim.simulate`` as a plain function."""

from __future__ import annotations

import multiprocessing

import mesa
import pandas as pd
import pytest

import partnersim
from partnersim.experiments import make_specs, run_specs
from partnersim.model import PartnershipModel


@pytest.fixture
def restore_start_method():
    # mesa.batch_run forces the global start method to spawn; leave it as found
    before = multiprocessing.get_start_method(allow_none=True)
    yield
    multiprocessing.set_start_method(before, force=True)


def test_mesa_batch_run_keeps_working(restore_start_method):
    rows = mesa.batch_run(
        PartnershipModel,
        parameters={"horizon": 12, "staff_turnover": [0.1, 0.5], "coordinator": True},
        rng=[1, 2],
        max_steps=100,
        number_processes=1,
        display_progress=False,
    )
    df = pd.DataFrame(rows)
    assert len(df) == 4
    assert set(df["Step"]) == {12}  # the model stops itself at its horizon
    assert {"active_partnerships", "trust_all", "staff_turnover"} <= set(df.columns)
    for row in df.itertuples():
        model = PartnershipModel(horizon=12, staff_turnover=row.staff_turnover, coordinator=True, rng=row.rng)
        last = model.run().timeseries().iloc[-1]
        assert row.active_partnerships == last["active_partnerships"]
        assert row.trust_all == pytest.approx(last["trust_all"], nan_ok=True)


def test_batch_run_returns_the_summary_outcomes_as_end_of_run_reporters(restore_start_method):
    rows = mesa.batch_run(
        PartnershipModel,
        parameters={"horizon": 24, "staff_turnover": [0.1, 0.5]},
        rng=[1, 2],
        max_steps=100,
        number_processes=1,
        display_progress=False,
    )
    df = pd.DataFrame(rows)
    assert "mean_trust" not in df.columns  # the monthly reporter is trust_all; no name means two things
    for row in df.itertuples():
        summary = partnersim.simulate(horizon=24, staff_turnover=row.staff_turnover, rng=row.rng)
        for name, value in summary.items():
            assert getattr(row, f"summary_{name}") == pytest.approx(value), name
    # monthly collection: the end-of-run reporters are NaN until the run has ended
    every = pd.DataFrame(
        mesa.batch_run(
            PartnershipModel,
            parameters={"horizon": 6},
            rng=[1],
            max_steps=100,
            number_processes=1,
            data_collection_period=1,
            display_progress=False,
        )
    )
    assert every["summary_survival_rate"].iloc[:-1].isna().all()
    assert every["summary_survival_rate"].iloc[-1] == pytest.approx(
        partnersim.simulate(horizon=6, rng=1)["survival_rate"]
    )


def test_runner_on_the_same_grid_and_seeds_as_batch_run_gives_the_same_runs(restore_start_method):
    rows = mesa.batch_run(
        PartnershipModel,
        parameters={"horizon": 12, "staff_turnover": [0.1, 0.5]},
        rng=[3, 4],
        max_steps=100,
        number_processes=1,
        display_progress=False,
    )
    mesa_df = pd.DataFrame(rows).sort_values(["staff_turnover", "rng"]).reset_index(drop=True)
    specs = make_specs([{"horizon": 12, "staff_turnover": t} for t in (0.1, 0.5)], 2, seeds=[3, 4])
    ours = run_specs(specs, executor="processes", workers=2, timeseries=True).timeseries
    last = ours[ours["month"] == 12].reset_index(drop=True)
    assert last["active_partnerships"].tolist() == mesa_df["active_partnerships"].tolist()
    assert last["output"].tolist() == pytest.approx(mesa_df["output"].tolist())


def test_simulate_is_a_plain_function_of_parameters():
    a = partnersim.simulate(horizon=12, staff_turnover=0.3, rng=5)
    assert set(a) == set(partnersim.SUMMARY_NAMES)
    assert all(isinstance(v, float) for v in a.values())
    assert partnersim.simulate(horizon=12, staff_turnover=0.3, rng=5) == a
