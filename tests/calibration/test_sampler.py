"""The seeded sampler: a calibration's particles depend on the study seed, not on the workers."""

from __future__ import annotations

import numpy as np
import pytest
from tiny_calibration import write_tiny

from partnersim.calibration.driver import load_history, run_calibration
from partnersim.calibration.sampler import evaluation_seed
from partnersim.calibration.study import load_calibration

pytestmark = pytest.mark.timeout(600)


def _posterior(study, out, workers=1):
    run = run_calibration(study, out, workers=workers)
    history = load_history(out)
    particles, weights = history.get_distribution(t=history.max_t)
    return run, particles.sort_index(), weights


def test_one_and_two_workers_give_the_same_particles(tmp_path):
    study = load_calibration(write_tiny(tmp_path / "tiny.toml", population=12, populations=2, horizon=30))
    run1, particles1, weights1 = _posterior(study, tmp_path / "one")
    run2, particles2, weights2 = _posterior(study, tmp_path / "two", workers=2)
    assert run1.simulations == run2.simulations > 2 * 12
    np.testing.assert_array_equal(run1.generations["epsilon"], run2.generations["epsilon"])
    assert particles1.equals(particles2)
    np.testing.assert_array_equal(weights1, weights2)


def test_another_study_seed_gives_other_particles(tmp_path):
    a = load_calibration(write_tiny(tmp_path / "a.toml", population=12, populations=1, horizon=30))
    b = load_calibration(
        write_tiny(tmp_path / "b.toml", population=12, populations=1, horizon=30, seed=a.seed + 1)
    )
    _, pa, _ = _posterior(a, tmp_path / "a")
    _, pb, _ = _posterior(b, tmp_path / "b")
    assert not pa.equals(pb)


def test_evaluation_seeds_differ_by_generation_number_and_the_prior_sample():
    seeds = {
        evaluation_seed(7, t, prior, i) for t in (-1, 0, 1) for prior in (False, True) for i in range(50)
    }
    assert len(seeds) == 3 * 2 * 50
