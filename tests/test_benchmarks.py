"""The benchmarks' own machinery: what they compare is what they say they compare.

Timings are never asserted (the machines are noisy); these tests check that
``benchmarks/bench_before_after.py`` really runs a second, renamed copy of
the model, and that the copy gives this tree's results when it is this tree.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

from partnersim.model import run_model

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def before_after(load_script):
    return load_script("benchmarks/bench_before_after.py")


def test_the_baseline_copy_imports_only_itself_and_runs_the_same_model(before_after, tmp_path):
    folder = before_after.renamed_copy(ROOT / "src", tmp_path)
    sys.path.insert(0, str(folder))
    try:
        baseline = importlib.import_module(f"{before_after.BASELINE}.model")
        params = {"rng": 7, "horizon": 18, "austerity_rate": 0.5}
        copy = baseline.run_model(params, collect=False)
        loaded = {
            name: module
            for name, module in sys.modules.items()
            if name == before_after.BASELINE or name.startswith(f"{before_after.BASELINE}.")
        }
        # every module of the copy comes from the copy, and its stages are the copy's, not this tree's
        assert all(str(m.__file__).startswith(str(tmp_path)) for m in loaded.values() if m.__file__)
        assert baseline.meeting.__name__ == f"{before_after.BASELINE}.stages.meeting"
        assert copy.summary() == run_model(params, collect=False).summary()
    finally:
        sys.path.remove(str(folder))
        for name in [n for n in sys.modules if n.split(".")[0] == before_after.BASELINE]:
            del sys.modules[name]


def test_sobol_points_are_fixed_and_inside_the_study_ranges(before_after):
    from partnersim.sensitivity import load_sensitivity_study

    study = load_sensitivity_study(before_after.SOBOL_STUDY)
    points = before_after.sobol_points(50)
    assert points == before_after.sobol_points(50)
    for point in points:
        assert point["horizon"] == study.base["horizon"]
        for factor in study.problem.factors:
            if factor.kind in ("float", "int"):
                assert factor.low <= point[factor.name] <= factor.high, (factor.name, point[factor.name])
            else:
                assert point[factor.name] in factor.choices, (factor.name, point[factor.name])
    assert {p["coordinator"] for p in points} == {False, True}
