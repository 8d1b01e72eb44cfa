"""``partnersim plot`` redraws a figure from a finished results folder without running the model."""

from __future__ import annotations

import pytest

from partnersim.cli import main as cli_main

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def finished(tmp_path, tiny_study):
    text = tiny_study.read_text(encoding="utf-8").replace("seed = 7", "seed = 7\ntimeseries = true")
    tiny_study.write_text(text, encoding="utf-8")
    out = tmp_path / "results"
    assert cli_main(["sweep", str(tiny_study), "--out", str(out), "--no-progress", "--no-figures"]) == 0
    return out / "tiny"


def test_plot_redraws_from_the_folder_without_running(finished, capsys, monkeypatch):
    import partnersim.experiments.runner as runner

    # nothing may run: any model run would go through the runner
    monkeypatch.setattr(runner, "run_chunk", lambda *a, **k: pytest.fail("plot ran the model"))
    before = (finished / "runs.parquet").stat().st_mtime_ns
    args = ["plot", str(finished), "--x", "staff_turnover", "--hue", "coordinator", "--outcome", "mean_trust"]
    assert cli_main(args) == 0
    path = finished / "figures" / "plot_interaction_mean_trust_staff_turnover_coordinator.png"
    assert path.read_bytes().startswith(PNG)
    assert str(path) in capsys.readouterr().out
    assert (finished / "runs.parquet").stat().st_mtime_ns == before


@pytest.mark.parametrize(
    ("extra", "name"),
    [
        (
            ["--kind", "heatmap", "--hue", "coordinator"],
            "plot_heatmap_survival_rate_staff_turnover_coordinator.png",
        ),
        ([], "plot_effects_survival_rate_staff_turnover.png"),
        (["--kind", "timeseries", "--outcome", "trust_all"], "plot_timeseries_trust_all_staff_turnover.png"),
    ],
)
def test_plot_kinds(finished, tmp_path, extra, name):
    assert cli_main(["plot", str(finished), "--x", "staff_turnover", *extra]) == 0
    assert (finished / "figures" / name).read_bytes().startswith(PNG)


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--x", "turnover"], ["--x 'turnover'", "coordinator, staff_turnover"]),
        (["--x", "coordinator", "--outcome", "legacy_rate"], ["--outcome 'legacy_rate'", "survival_rate"]),
    ],
)
def test_plot_names_a_wrong_column_in_one_line(finished, capsys, args, words):
    assert cli_main(["plot", str(finished), *args]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    for w in words:
        assert w in err


def test_plot_of_a_folder_without_runs_exits_2(tmp_path, capsys):
    assert cli_main(["plot", str(tmp_path), "--x", "staff_turnover"]) == 2
    assert "no runs.parquet" in capsys.readouterr().err
