"""Self-consistency on parameters the synthetic targets inform: a coordinator's hours and the paper threshold.

Why a second design: ``test_recovery.py`` (kept unchanged, an expected
failure) showed that the synthetic targets of failure, survival and core
size leave ``quorum_share`` at about 93% of its prior width, so its check
that the posterior narrows cannot pass there. That is a fact about those
targets, not about the method. This test asks the other half of the
question: where the targets do carry information, does the calibration
find the truth and narrow to it?

Design (fixed before the first run, 2026-12-02): two free parameters,
paper_threshold (prior 0.2-0.7, truth 0.45) and coordination_hours (prior
0.5-8, truth 2.0, the default). Synthetic observations are the pooled
counts of 6 runs at the truth (36 founding partnerships) with seeds the
calibration never uses, the core-group size of those runs +- 0.25, and
the share of a coordinator's hours spent on relationships (003:536) of
those runs +- 0.05. A single-core calibration of 30 particles x 4
generations (seed 5) must (a) hold the truth inside each parameter's
weighted 2.5%-97.5% interval and (b) narrow each parameter to under 60%
of its prior width, so that (a) cannot pass on a posterior that is just
the prior.
"""

from __future__ import annotations

import pytest
from tiny_calibration import calibrate_tiny, interval95

from partnersim.calibration.synthetic import DESIGNS, observations

TRUTH = {"paper_threshold": 0.45, "coordination_hours": 2.0}


@pytest.mark.timeout(900)  # about 15 s of CPU; the margin is for a shared machine
def test_a_small_calibration_recovers_parameters_its_targets_inform(tmp_path):
    study, post = calibrate_tiny(tmp_path, observations(TRUTH, design="coordinator"))
    assert sorted(study.priors) == sorted(TRUTH)
    assert "coordinator" in {t.name for t in study.targets}, study.skipped
    for name, value in TRUTH.items():
        lo, hi = interval95(post, name)
        assert lo <= value <= hi, f"{name}: truth {value} outside [{lo:.3f}, {hi:.3f}]"
        p_lo, p_hi = DESIGNS["coordinator"][name]
        assert hi - lo < 0.6 * (p_hi - p_lo), f"{name} not narrowed: [{lo:.3f}, {hi:.3f}] of {p_lo}-{p_hi}"
