"""Run specs and seeds: every run its own recorded seed, stable under growth."""

from __future__ import annotations

import numpy as np
import pytest

from partnersim.experiments import grid_points, lhs_points, make_specs, spawn_seeds


def test_spawn_seeds_follow_seedsequence_and_do_not_depend_on_n():
    seeds = spawn_seeds(123, 5)
    expected = [
        int(c.generate_state(1, dtype=np.uint64)[0] & np.uint64(2**63 - 1))
        for c in np.random.SeedSequence(123).spawn(5)
    ]
    assert seeds == expected
    # adding runs at the end leaves the earlier seeds alone
    assert spawn_seeds(123, 8)[:5] == seeds
    assert len(set(spawn_seeds(123, 1000))) == 1000
    assert all(0 <= s < 2**63 for s in seeds)
    assert spawn_seeds(124, 5) != seeds


def test_make_specs_is_point_major_with_spawned_seeds():
    points = [{"staff_turnover": 0.1}, {"staff_turnover": 0.4}, {"staff_turnover": 0.7}]
    specs = make_specs(points, 2, root_seed=9)
    assert [s.run_id for s in specs] == list(range(6))
    assert [(s.point_id, s.replicate) for s in specs] == [(0, 0), (0, 1), (1, 0), (1, 1), (2, 0), (2, 1)]
    assert [s.seed for s in specs] == spawn_seeds(9, 6)
    assert specs[3].params == {"staff_turnover": 0.4}


def test_make_specs_common_random_numbers():
    specs = make_specs([{"coordinator": True}, {"coordinator": False}], 3, seeds=[11, 12, 13])
    by_point = {p: [s.seed for s in specs if s.point_id == p] for p in (0, 1)}
    assert by_point[0] == by_point[1] == [11, 12, 13]


def test_make_specs_per_replicate_parameters_are_shared_by_every_point():
    draws = [{"staff_turnover": 0.1, "orientation": 0.2}, {"staff_turnover": 0.4, "orientation": 0.7}]
    points = [{"coordinator": True}, {"coordinator": False, "orientation": 0.5}]
    specs = make_specs(points, 2, seeds=[11, 12], per_replicate=draws)
    assert [s.params["staff_turnover"] for s in specs] == [0.1, 0.4, 0.1, 0.4]
    assert [s.params["orientation"] for s in specs] == [0.2, 0.7, 0.5, 0.5]  # a point's own value wins
    assert [s.params["coordinator"] for s in specs] == [True, True, False, False]
    with pytest.raises(ValueError, match="per_replicate has 1 entries"):
        make_specs(points, 2, seeds=[11, 12], per_replicate=draws[:1])


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"root_seed": 1, "seeds": [1]}, {"seeds": [1, 2]}, {"root_seed": 1, "replicates": 0}],
)
def test_make_specs_refuses_bad_seeding(kwargs):
    replicates = kwargs.pop("replicates", 1)
    with pytest.raises(ValueError):
        make_specs([{}], replicates, **kwargs)


def test_grid_points_is_the_full_factorial():
    points = grid_points({"a": [1, 2, 3], "b": [True, False]})
    assert len(points) == 6
    assert points[0] == {"a": 1, "b": True} and points[1] == {"a": 1, "b": False}
    assert {(p["a"], p["b"]) for p in points} == {(a, b) for a in (1, 2, 3) for b in (True, False)}


def test_lhs_points_are_stratified_in_range_and_reproducible():
    n = 10
    points = lhs_points({"x": (0.0, 1.0), "months": (12, 60)}, n, seed=3, integer=["months"])
    xs = np.array([p["x"] for p in points])
    # a Latin hypercube puts exactly one sample in each of the n strata
    assert sorted(np.floor(xs * n).astype(int).tolist()) == list(range(n))
    assert all(isinstance(p["months"], int) and 12 <= p["months"] <= 60 for p in points)
    assert lhs_points({"x": (0.0, 1.0), "months": (12, 60)}, n, seed=3, integer=["months"]) == points
    assert lhs_points({"x": (0.0, 1.0)}, n, seed=4) != lhs_points({"x": (0.0, 1.0)}, n, seed=3)


def test_seeds_follow_run_ids_as_documented():
    points = [{"x": i} for i in range(4)]
    before = {(s.point_id, s.replicate): s for s in make_specs(points, 3, root_seed=9)}
    # points added at the end: every earlier run keeps its run_id and seed
    more = {(s.point_id, s.replicate): s for s in make_specs([*points, {"x": 4}], 3, root_seed=9)}
    assert all(more[k] == s for k, s in before.items())
    # replicates changed: runs are renumbered, so only the first point keeps its seeds
    changed = {(s.point_id, s.replicate): s for s in make_specs(points, 4, root_seed=9)}
    kept = [k for k, s in before.items() if changed[k].seed == s.seed]
    assert kept == [(0, 0), (0, 1), (0, 2)]
