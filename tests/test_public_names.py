"""Public names that were renamed keep working under their earlier names."""

from __future__ import annotations


def test_the_earlier_names_of_the_renamed_results_still_work():
    from partnersim.experiments import SweepResult, SweepRun
    from partnersim.policy import analyse, analyze_policies

    assert SweepResult is SweepRun and analyse is analyze_policies
