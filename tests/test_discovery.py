"""``partnersim discover``: PRIM and CART (EMA Workbench) find a region planted in synthetic runs."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from partnersim.cli import main as cli_main
from partnersim.discovery import discover
from partnersim.experiments.finished import open_results


def _runs(n: int = 600, seed: int = 1) -> pd.DataFrame:
    """Survival is low exactly where renewal_probability < 0.3 and there is no coordinator, plus noise."""
    rng = np.random.default_rng(seed)
    renewal = rng.uniform(0, 1, n)
    coordinator = rng.integers(0, 2, n).astype(bool)
    holder = rng.choice(["statutory", "vcse"], n)
    turnover = rng.uniform(0.05, 0.5, n)  # no effect
    bad = (renewal < 0.3) & ~coordinator
    survival = np.where(bad, 0.1, 0.6) + rng.normal(0, 0.03, n)
    return pd.DataFrame(
        {
            "run_id": range(n),
            "point_id": range(n),
            "replicate": 0,
            "seed": rng.integers(0, 2**62, n),  # varies, but is never a factor
            "horizon": 120,  # fixed: not a factor
            "renewal_probability": renewal,
            "coordinator": coordinator,
            "fund_holder": holder,
            "staff_turnover": turnover,
            "survival_rate": survival,
        }
    )


@pytest.fixture
def folder(tmp_path):
    _runs().to_parquet(tmp_path / "runs.parquet", index=False)
    return tmp_path


def test_factors_leave_out_ids_seed_and_fixed_parameters(folder):
    done = open_results(folder)
    assert done.factors == ["renewal_probability", "coordinator", "fund_holder", "staff_turnover"]
    assert done.outcomes == ["survival_rate"]


def test_prim_finds_the_planted_box_with_a_categorical_factor(folder):
    done = open_results(folder)
    d = discover(done.runs, done.factors, "survival_rate", below=0.2)
    box = d.boxes[0]
    by = {r.factor: r for r in box.restrictions}
    assert set(by) == {"renewal_probability", "coordinator"}
    assert by["coordinator"].values == ("false",)
    # the most coverage at density 0.8: the box may reach past 0.3 until 0.3 / high = 0.8, high = 0.375
    assert by["renewal_probability"].low is None and 0.29 <= by["renewal_probability"].high <= 0.40
    assert box.density >= 0.8 and box.coverage >= 0.8
    assert all(r.qp is not None and r.qp < 1e-6 for r in box.restrictions)
    assert d.scores["factor"].iloc[0] in ("renewal_probability", "coordinator")
    assert set(d.scores["factor"]) == set(done.factors)
    assert d.trajectory["chosen"].sum() == 1


def test_above_and_cart_find_the_complement_and_the_same_region(folder):
    done = open_results(folder)
    cart = discover(done.runs, done.factors, "survival_rate", below=0.2, method="cart")
    best = cart.boxes[0]
    assert best.density >= 0.8
    assert {r.factor for r in best.restrictions} == {"renewal_probability", "coordinator"}
    above = discover(done.runs, done.factors, "survival_rate", above=0.2)
    assert above.n_cases == len(done.runs) - cart.n_cases


def test_discover_command_writes_the_report_tables_and_figures(folder, capsys):
    assert cli_main(["discover", str(folder), "--outcome", "survival_rate", "--below", "0.2"]) == 0
    out = folder / "discover" / "survival_rate-below-0.2"
    for name in ("report.md", "boxes.csv", "feature_scores.csv", "peeling_trajectory.csv"):
        assert (out / name).is_file(), name
    for name in ("peeling_trajectory.png", "feature_scores.png"):
        assert (out / "figures" / name).read_bytes().startswith(b"\x89PNG")
    report = (out / "report.md").read_text()
    assert re.search(r"renewal_probability ≤ 0\.(29|3)", report)
    assert "coordinator is false" in report and "quasi-p" in report
    boxes = pd.read_csv(out / "boxes.csv")
    assert set(boxes.loc[boxes["box"] == 1, "factor"]) == {"renewal_probability", "coordinator"}
    assert "box 1:" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--outcome", "survival_rate", "--below", "0.0"], ["--below 0", "no run has survival_rate below 0"]),
        (["--outcome", "legacy_rate", "--below", "0.2"], ["--outcome 'legacy_rate'", "survival_rate"]),
        (["--outcome", "survival_rate", "--below", "0.2", "--density", "1.5"], ["--density = 1.5"]),
    ],
)
def test_bad_discover_input_is_one_line_exit_2(folder, capsys, args, words):
    assert cli_main(["discover", str(folder), *args]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    for w in words:
        assert w in err
    assert not (folder / "discover").exists()


def test_without_ema_workbench_the_command_says_what_to_install(folder, capsys, monkeypatch):
    import partnersim.discovery as discovery

    def missing():
        raise discovery.EMAMissing(
            "scenario discovery uses EMA Workbench, which is not installed: pip install 'partnersim[ema]'"
        )

    monkeypatch.setattr(discovery, "_ema", missing)
    assert cli_main(["discover", str(folder), "--outcome", "survival_rate", "--below", "0.2"]) == 1
    assert "pip install 'partnersim[ema]'" in capsys.readouterr().err


def test_when_almost_every_run_is_a_case_no_box_is_claimed_and_the_outputs_are_still_written(folder, capsys):
    # 95% of runs below the threshold: nothing is denser than the whole space by much, and the
    # command must say so rather than fail while drawing the chosen box
    runs = _runs()
    rng = np.random.default_rng(5)
    runs["survival_rate"] = np.where(rng.uniform(size=len(runs)) < 0.95, 0.05, 0.6)
    runs.to_parquet(folder / "runs.parquet", index=False)
    assert cli_main(["discover", str(folder), "--outcome", "survival_rate", "--below", "0.2"]) == 0
    out = folder / "discover" / "survival_rate-below-0.2"
    assert (out / "figures" / "peeling_trajectory.png").read_bytes().startswith(b"\x89PNG")
    report = (out / "report.md").read_text()
    assert "box 1" not in report.lower()
