"""experiments/fact11_diagnosis.py: its observer only reads, and its tallies add up."""

from __future__ import annotations

import pytest

from partnersim.model import run_model
from partnersim.schema import defaults


@pytest.fixture(scope="module")
def diagnosis(load_script):
    return load_script("experiments/fact11_diagnosis.py")


def test_the_sector_tally_leaves_the_run_unchanged(diagnosis):
    params = {**defaults(), "austerity_rate": 0.5, "horizon": 48, "rng": 3}
    plain = run_model(params, collect=False)
    observed = run_model(params, collect=False, observer=diagnosis.SectorTally())
    assert observed.summary() == plain.summary()
    assert observed.partnership_table().equals(plain.partnership_table())


def test_the_tallies_add_up_to_the_models_members(diagnosis):
    table, endings = diagnosis.tally(0.5, [0, 1])
    assert list(table["sector"]) == list(diagnosis.SECTORS)
    assert ((table["attendance"] >= 0) & (table["attendance"] <= 1)).all()
    assert ((table["short_of_hours"] >= 0) & (table["short_of_hours"] <= 1)).all()
    # member-months: the same count as summing the model's own monthly tally of working partnerships
    members = partnerships = 0
    for seed in (0, 1):
        model = run_model({**defaults(), "austerity_rate": 0.5, "rng": seed}, collect=True)
        frame = model.timeseries()
        # row 0 is the state before the first month, which the observer does not see
        members += int((frame["active_members"] + frame["paper_members"]).iloc[1:].sum())
        partnerships += len(model.partnerships_created)
    assert int(table["active_member_months"].sum() + table["paper_member_months"].sum()) == members
    assert sum(endings.values()) == partnerships
