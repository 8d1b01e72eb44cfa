"""Plausible magnitudes at the defaults (ODD 1.2.1), on the 32 default runs the facts share.

Each check pools the founding partnerships of the default runs (seeds 0-31)
and compares one figure with the bounds fixed before the tests were run.
"""

from __future__ import annotations

import pandas as pd
import pytest

from partnersim import facts as F

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def magnitudes() -> pd.DataFrame:
    return F.evaluate_magnitudes(executor="processes", workers=2).set_index("check")


def assert_magnitude(magnitudes: pd.DataFrame, check: str) -> None:
    m = magnitudes.loc[check]
    assert m["holds"], (
        f"{check} ({m['claim']}): {m['value']:.4g} ({m['detail']}); allowed {m['low']}-{m['high']}"
    )


def test_some_partnerships_fail_while_funded(magnitudes):
    """002:257, 001:249, 001:275: 5-50 % of founding partnerships dissolve while their grant is paid."""
    assert_magnitude(magnitudes, "M1")


def test_a_minority_keep_working_after_funding_ends(magnitudes):
    """001:259: 10-50 % of partnerships whose funding ended for good still work 12 months later."""
    assert_magnitude(magnitudes, "M2")


def test_lasting_partnerships_take_years_to_mature(magnitudes):
    """001:199: median month maturity first reaches 0.8 of its ceiling is at least 24."""
    assert_magnitude(magnitudes, "M3")


def test_every_magnitude_has_a_test():
    assert {m.check for m in F.MAGNITUDES} == {"M1", "M2", "M3"}
