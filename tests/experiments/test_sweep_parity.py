"""``partnersim sweep`` has what sobol, morris and compare have: --dry-run, --replicates, --set,
``{}`` and bool factors in LHS designs with Sobol's integer rule, and --format csv."""

from __future__ import annotations

import collections

import numpy as np
import pandas as pd
import pytest

from partnersim.cli import main as cli_main
from partnersim.experiments import lhs_points, load_study
from partnersim.sensitivity.factors import Factor, factor_from_schema

LHS = """
name = "lhs-parity"
design = "lhs"
samples = 40
seed = 3
outcomes = ["survival_rate"]

[parameters]
horizon = 12

[factors]
staff_turnover = {}
coordinator = {}
partnership_size = { low = 3, high = 6 }
"""


def test_dry_run_counts_runs_times_a_few_and_writes_nothing(tmp_path, tiny_study, capsys):
    out = tmp_path / "results"
    args = ["sweep", str(tiny_study), "--out", str(out), "--dry-run", "--replicates", "5"]
    assert cli_main([*args, "--executor", "processes", "--workers", "2"]) == 0
    text = capsys.readouterr().out
    assert "20 runs (4 points x 5 replicates)" in text
    assert "3 timed runs took" in text and "for 20 runs on 2 workers (processes)" in text
    assert not out.exists()


def test_replicates_and_set_override_the_study(tmp_path, tiny_study):
    out = tmp_path / "results"
    args = ["sweep", str(tiny_study), "--out", str(out), "--no-progress", "--no-figures"]
    assert cli_main([*args, "--replicates", "2", "--set", "horizon=13", "--set", "funding_length=6"]) == 0
    runs = pd.read_parquet(out / "tiny" / "runs.parquet")
    assert len(runs) == 8  # 4 points x 2 replicates, not the file's 3
    assert set(runs["horizon"]) == {13} and set(runs["funding_length"]) == {6}


@pytest.mark.parametrize(
    ("flags", "words"),
    [
        (["--set", "staff_turnover=0.2"], ["--set staff_turnover=0.2", "is a factor"]),
        (["--set", "horizon=0"], ["--set 'horizon=0'", "from 1 to 1200"]),
        (["--replicates", "0"], ["--replicates = 0", "at least 1"]),
    ],
)
def test_bad_overrides_exit_2_with_one_line(tmp_path, tiny_study, capsys, flags, words):
    out = tmp_path / "results"
    assert cli_main(["sweep", str(tiny_study), "--out", str(out), *flags]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    for w in words:
        assert w in err
    assert not out.exists()


def test_format_csv_writes_the_same_runs_as_csv(tmp_path, tiny_study):
    out = tmp_path / "results"
    assert cli_main(["sweep", str(tiny_study), "--out", str(out), "--no-progress", "--format", "csv"]) == 0
    parquet = pd.read_parquet(out / "tiny" / "runs.parquet")
    csv = pd.read_csv(out / "tiny" / "runs.csv")
    pd.testing.assert_frame_equal(csv, parquet, check_dtype=False)


def test_lhs_takes_whole_ranges_and_bools(tmp_path):
    path = tmp_path / "lhs.toml"
    path.write_text(LHS, encoding="utf-8")
    study = load_study(path)
    turnover = [p["staff_turnover"] for p in study.points]
    # {} is the schema's whole range: 0 to 0.95 a year, stratified in 40 bins
    assert sorted(np.floor(np.array(turnover) / 0.95 * 40).astype(int).tolist()) == list(range(40))
    # a bool is false / true, half the design each (a Latin hypercube stratifies it exactly)
    assert collections.Counter(p["coordinator"] for p in study.points) == {False: 20, True: 20}
    assert all(isinstance(p["coordinator"], bool) for p in study.points)
    resolved = study.resolved()["factors"]
    assert resolved["coordinator"]["choices"] == [False, True]
    assert resolved["staff_turnover"]["low"] == 0.0 and resolved["staff_turnover"]["high"] == 0.95


def test_lhs_and_sobol_share_one_integer_rule(tmp_path):
    path = tmp_path / "lhs.toml"
    path.write_text(LHS, encoding="utf-8")
    sizes = collections.Counter(p["partnership_size"] for p in load_study(path).points)
    # floor on [3, 7): every whole value 3..6 equally likely; rounding would give 3 and 6 half weight
    assert sizes == {3: 10, 4: 10, 5: 10, 6: 10}
    # the same mapping as Sobol and Morris use: Factor.decode of the same draw
    factor = factor_from_schema("partnership_size", {"low": 3, "high": 6})
    u = np.array([0.0, 0.249, 0.25, 0.74, 0.999])
    assert factor.decode(3 + u * 4) == [3, 3, 4, 5, 6]
    ours = lhs_points({"partnership_size": factor}, 8, seed=1)
    tuple_form = lhs_points({"partnership_size": (3, 6)}, 8, seed=1, integer=["partnership_size"])
    assert ours == tuple_form
    assert collections.Counter(p["partnership_size"] for p in ours) == {3: 2, 4: 2, 5: 2, 6: 2}
    assert isinstance(Factor("x", "int", 3, 6).decode(np.array([6.99]))[0], int)


def test_a_range_on_a_bool_points_to_braces(tmp_path):
    from partnersim.config import ConfigError

    path = tmp_path / "lhs.toml"
    path.write_text(LHS.replace("coordinator = {}", "coordinator = { low = 0, high = 1 }"), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"not a number.*give \{\} for every value"):
        load_study(path)


def test_heatmap_pair_is_a_choice(tmp_path, tiny_study, capsys, monkeypatch):
    from partnersim.experiments import figures

    out = tmp_path / "results"
    args = ["sweep", str(tiny_study), "--out", str(out), "--no-progress"]
    assert cli_main([*args, "--heatmap", "staff_turnover,turnover"]) == 2
    assert "--heatmap 'staff_turnover,turnover'" in capsys.readouterr().err
    assert not out.exists()
    seen = []
    real = figures.plot_heatmap

    def spy(runs, rows, cols, *a, **k):
        seen.append((rows, cols))
        return real(runs, rows, cols, *a, **k)

    monkeypatch.setattr(figures, "plot_heatmap", spy)
    assert cli_main([*args, "--heatmap", "coordinator,staff_turnover"]) == 0
    # rows first: by default the heatmap would be staff_turnover (rows) by coordinator
    assert set(seen) == {("coordinator", "staff_turnover")}
