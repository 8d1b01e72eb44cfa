"""Calibration files: the shipped one loads; a bad one is one clear line and exit code 2, with nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest
from tiny_calibration import TINY, write_tiny

from partnersim.calibration.study import load_calibration
from partnersim.cli import main

ROOT = Path(__file__).resolve().parents[2]


def test_the_shipped_file_loads():
    study = load_calibration(ROOT / "configs" / "calibration.toml")
    assert len(study.targets) >= 7
    assert "staff_turnover" in study.priors and "funding_length" not in study.priors
    counts = [t for t in study.targets if t.kind == "count"]
    assert all(0 <= t.count <= t.total for t in counts)


def test_priors_default_to_the_schema_range(tiny_calibration):
    study = load_calibration(tiny_calibration)
    assert set(study.priors) == {"quorum_share", "paper_threshold"}
    assert (study.priors["paper_threshold"].low, study.priors["paper_threshold"].high) == (0.2, 0.7)


def _bad(tmp_path: Path, old: str, new: str) -> Path:
    text = TINY
    assert old in text, old
    path = tmp_path / "bad.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "words"),
    [
        ('statistic = "failed_while_funded"', 'statistic = "failure"', "targets.fail.statistic"),
        (
            'count = 1, total = 3 }\nref = "001:249"',
            'count = 4, total = 3 }\nref = "001:249"',
            "targets.fail.observed",
        ),
        ("high = 0.7", "high = 1.7", "priors.paper_threshold.high"),
        ('scenario = "base"', 'scenario = "nowhere"', "targets.fail.scenario"),
        (
            "renewal_probability = 0.0 }",
            "renewal_probability = 0.0, quorum_share = 0.5 }",
            "is calibrated",
        ),
        ('ref = "001:249"', 'ref = "page 12"', "targets.fail.ref"),
        ("[priors]\n", "[priors]\nfunding_length = { low = 12, high = 60 }\n", "priors.funding_length"),
        ("seed = 5", "seed = 5\nsede = 4", "unknown key 'sede'"),
        ("months = 24 }", "months = 24, weeks = 3 }", "targets.core.args.weeks"),
        ("seed = 5", 'seed = 5\nkernel = "nearest"', "key 'kernel' is 'nearest'"),
    ],
)
def test_a_bad_file_is_one_line_and_exit_code_2(tmp_path, capsys, old, new, words):
    path = _bad(tmp_path, old, new)
    out = tmp_path / "results"
    assert main(["calibrate", str(path), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert err.startswith("partnersim calibrate: error:") and words in err, err
    assert not out.exists()


def test_a_statistic_needs_a_long_enough_horizon(tmp_path, capsys):
    path = write_tiny(tmp_path / "short.toml", horizon=12)
    assert main(["calibrate", str(path), "--out", str(tmp_path / "r")]) == 2
    assert "needs a horizon of at least 24 months" in capsys.readouterr().err


def test_bad_flags_are_refused(tiny_calibration, tmp_path, capsys):
    assert main(["calibrate", str(tiny_calibration), "--workers", "0", "--out", str(tmp_path / "r")]) == 2
    assert "--workers = 0" in capsys.readouterr().err


def test_the_logit_scale_maps_onto_each_prior_and_back():
    from partnersim.calibration.study import Prior

    p, k = Prior("x", 0.2, 0.7), Prior("n", 1, 6, integer=True)
    for z in (-40.0, -3.0, 0.0, 1.5, 40.0):
        assert 0.2 <= p.from_logit(z) <= 0.7 and 0.5 <= k.from_logit(z) <= 6.5
    assert p.from_logit(0.0) == pytest.approx(0.45)
    for x in (0.21, 0.45, 0.69):
        assert p.from_logit(p.to_logit(x)) == pytest.approx(x)


def test_a_standard_logistic_on_the_logit_scale_is_the_uniform_prior():
    from scipy import stats

    from partnersim.calibration.study import Prior

    p = Prior("x", 0.2, 0.7)
    z = stats.logistic.rvs(size=20000, random_state=1)
    x = [p.from_logit(v) for v in z]
    assert stats.kstest(x, stats.uniform(0.2, 0.5).cdf).pvalue > 0.01


def test_a_stalled_or_degenerate_calibration_is_reported_as_unreliable():
    import pandas as pd

    from partnersim.calibration.outputs import run_warnings

    good = pd.DataFrame({"epsilon": [float("inf"), 30.0, 20.0, 12.0]})
    assert run_warnings(good, ess=120, population=150) == []
    stalled = pd.DataFrame({"epsilon": [27.05, 27.05, 27.05]})
    assert any("never tightened" in w for w in run_warnings(stalled, ess=120, population=150))
    assert any("2 effective particles" in w for w in run_warnings(good, ess=2, population=150))
