"""Self-consistency: observations simulated at known parameters are recovered by a small calibration.

Design (fixed before the first run): two free parameters, quorum_share
(prior 0-1) and paper_threshold (prior 0.2-0.7), truth 0.4 and 0.45.
Synthetic observations are the pooled counts of 6 runs at the truth (36
founding partnerships) with seeds the calibration never uses, and the
core-group size of those runs +- 0.25. A single-core calibration of 30
particles x 4 generations (seed 5) must (a) hold the truth inside each
parameter's weighted 2.5%-97.5% interval and (b) narrow quorum_share
to under 60% of its prior width, so that (a) cannot pass on a posterior
that is just the prior.

Outcome of the first run: (a) held and (b) failed (quorum_share
0.01-0.87, 86% of the prior), because the driver did not lower epsilon
between generations (pyabc caches the first calibration sample on the
ABCSMC object). With that fixed, the same design passed both checks on
the model before v2. The v2 model has no carry_on_threshold; its carry-on
rule reads quorum_share, which took its place (truth 0.4, prior 0-1). On
the first run against v2, paper_threshold's interval was 0.454-0.684, just
missing the truth 0.45: kept as an expected failure, to be looked at on v2.
Rerun with priors sampled on the logit scale: 0.450-0.695, still just
missing. The cause is in the design, not the seed: epsilon stays at 27.05
in all four generations, because 25 of the 30 first-generation particles
share that distance (the synthetic counts take few values), so the
tolerance never tightens. With the tolerance made to fall below a tie at
the largest distance (calibration.epsilon), epsilon falls 27.0, 25.4,
13.0, 6.0; (a) holds (paper_threshold 0.433-0.501, quorum_share
0.046-0.994) and (b) fails: the synthetic targets of v2 leave
quorum_share at 95% of its prior width (90%, 0.062-0.957, with the seeded
sampler). On the model of 2026-12-03, where a budget shock also shakes
voluntary members' commitment, both hold: paper_threshold 0.387-0.548,
quorum_share 0.017-0.591 (57% of its prior width, close to the 60% line),
so the test is no longer an expected failure.
"""

from __future__ import annotations

import pytest
from tiny_calibration import calibrate_tiny, interval95

from partnersim.calibration.synthetic import observations

TRUTH = {"quorum_share": 0.4, "paper_threshold": 0.45}


@pytest.mark.timeout(900)  # about 15 s of CPU; the margin is for a shared machine
def test_a_small_calibration_recovers_known_parameters(tmp_path):
    _, post = calibrate_tiny(tmp_path, observations(TRUTH))
    for name, value in TRUTH.items():
        lo, hi = interval95(post, name)
        assert lo <= value <= hi, f"{name}: truth {value} outside [{lo:.3f}, {hi:.3f}]"
    # the outputs a reader looks at are there
    for name in (
        "posterior.parquet",
        "identifiability.csv",
        "generations.csv",
        "report.md",
        "figures/marginals.png",
    ):
        assert (tmp_path / "out" / name).exists(), name
    lo, hi = interval95(post, "quorum_share")
    assert hi - lo < 0.6 * 1.0, f"quorum_share not narrowed: [{lo:.3f}, {hi:.3f}]"
