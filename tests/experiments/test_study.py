"""Study files: checked against the one schema before anything runs; clear messages; exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from partnersim.cli import main as cli_main
from partnersim.config import ConfigError
from partnersim.experiments import load_study, output_dir
from partnersim.model import SUMMARY_NAMES

CONFIGS = Path(__file__).resolve().parents[2] / "configs"

GOOD = """
name = "ok"
replicates = 2
seed = 5
[parameters]
horizon = 12
[factors]
staff_turnover = [0.1, 0.3]
"""

# (study text, words every message must contain: file name is checked separately)
BAD = {
    "unknown parameter": (
        GOOD.replace("staff_turnover", "staff_turnovr"),
        ["factors.staff_turnovr", "did you mean 'staff_turnover'"],
    ),
    "unknown base parameter": (GOOD.replace("horizon", "horizn"), ["parameters.horizn", "unknown parameter"]),
    "wrong type": (
        GOOD.replace("[0.1, 0.3]", '[0.1, "high"]'),
        ["factors.staff_turnover", "'high'", "a number"],
    ),
    "out of range": (
        GOOD.replace("[0.1, 0.3]", "[0.1, 2.0]"),
        ["factors.staff_turnover", "2.0", "from 0 to 0.95"],
    ),
    "base out of range": (
        GOOD.replace("horizon = 12", "horizon = 0"),
        ["parameters.horizon", "0", "from 1 to 1200"],
    ),
    "bool as number": (
        GOOD.replace("horizon = 12", "coordinator = 1"),
        ["parameters.coordinator", "true or false"],
    ),
    "malformed toml": (GOOD.replace("seed = 5", "seed = = 5"), ["malformed TOML"]),
    "name escapes": (
        GOOD.replace('"ok"', '"../../etc"'),
        ["key 'name'", "'../../etc'", "outside the output folder"],
    ),
    "name with slash": (GOOD.replace('"ok"', '"a/b"'), ["key 'name'", "'a/b'"]),
    "absolute name": (GOOD.replace('"ok"', '"/tmp/x"'), ["key 'name'", "'/tmp/x'"]),
    "unknown key": (
        GOOD.replace("seed = 5", "seed = 5\nreplicate = 3"),
        ["unknown key 'replicate'", "replicates"],
    ),
    "replicates zero": (
        GOOD.replace("replicates = 2", "replicates = 0"),
        ["key 'replicates'", "0", "at least 1"],
    ),
    "seed negative": (GOOD.replace("seed = 5", "seed = -5"), ["key 'seed'", "-5", "at least 0"]),
    "seed as factor": (
        GOOD.replace("staff_turnover = [0.1, 0.3]", "rng = [1, 2]"),
        ["factors.rng", "root 'seed'"],
    ),
    "bad outcome": (GOOD + "\n", ["key 'outcomes'", "'survival'", "survival_rate"]),
    "no factors": (GOOD.split("[factors]")[0], ["key 'factors' is missing"]),
    "range in grid": (
        GOOD.replace("[0.1, 0.3]", "{ low = 0.1, high = 0.3 }"),
        ["factors.staff_turnover", "a list of values", 'needs design = "lhs" and samples'],
    ),
    "a sobol study": (GOOD + "\n[sobol]\nn = 16\n", ["key 'sobol'", "use partnersim sobol"]),
    "a morris study": (GOOD + "\n[morris]\ntrajectories = 4\n", ["key 'morris'", "use partnersim morris"]),
    "a policy comparison": (
        GOOD + '\n[policies."12-month grants"]\nfunding_length = 12\n',
        ["key 'policies'", "use partnersim compare"],
    ),
    "lhs without samples": (
        'design = "lhs"\n' + GOOD.replace("[0.1, 0.3]", "{ low = 0.1, high = 0.3 }"),
        ["key 'samples' is missing"],
    ),
    "lhs range out of schema": (
        'design = "lhs"\nsamples = 4\n' + GOOD.replace("[0.1, 0.3]", "{ low = 0.1, high = 3.0 }"),
        ["factors.staff_turnover.high", "3.0", "from 0 to 0.95"],
    ),
    "lhs range on bool": (
        'design = "lhs"\nsamples = 4\n'
        + GOOD.replace("staff_turnover = [0.1, 0.3]", "coordinator = { low = 0, high = 1 }"),
        ["factors.coordinator", "not a number"],
    ),
    "unknown design": ('design = "sobol"\n' + GOOD, ["key 'design'", "'sobol'", "'grid', 'lhs'"]),
    "cross-parameter rule": (
        GOOD.replace("staff_turnover = [0.1, 0.3]", "exit_threshold = [0.2, 0.6]"),
        ["factors", "exit_threshold", "paper_threshold"],
    ),
    "rule broken by the base parameters alone": (
        GOOD.replace("horizon = 12", "horizon = 12\nexit_threshold = 0.9\npaper_threshold = 0.5"),
        ["key 'parameters'", "exit_threshold", "paper_threshold = 0.5"],
    ),
    "name with a space": (GOOD.replace('"ok"', '"my study"'), ["key 'name'", "not a folder name", "letters"]),
}
BAD["bad outcome"] = ('outcomes = ["survival"]\n' + GOOD, BAD["bad outcome"][1])


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_study_gives_one_clear_message(tmp_path, case):
    text, words = BAD[case]
    path = tmp_path / "bad-study.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_study(path)
    message = str(info.value)
    assert str(path) in message
    for word in words:
        assert word in message, f"{word!r} not in {message!r}"


@pytest.mark.parametrize("case", ["out of range", "name escapes", "malformed toml"])
def test_cli_exits_2_and_writes_nothing(tmp_path, capsys, case):
    text, words = BAD[case]
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    assert cli_main(["sweep", str(path), "--out", str(out), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert "partnersim sweep: error:" in err and str(path) in err and words[0] in err
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.toml"]


def test_cli_refuses_bad_flags_before_writing(tmp_path, tiny_study):
    out = tmp_path / "out"
    assert cli_main(["sweep", str(tiny_study), "--out", str(out), "--workers", "0"]) == 2
    assert (
        cli_main(["sweep", str(tiny_study), "--out", str(out), "--executor", "processes", "--scheduler", "x"])
        == 2
    )
    assert not out.exists()


def test_output_dir_stays_inside_root(tmp_path):
    assert output_dir(tmp_path, "a.b-c_d") == tmp_path / "a.b-c_d"
    for name in ["..", "../x", "x/../../y", "", ".hidden", "a" * 101]:
        with pytest.raises(ConfigError):
            output_dir(tmp_path, name)


def test_shipped_studies_load():
    quick = load_study(CONFIGS / "quick.toml")
    assert quick.name == "quick" and len(quick.specs()) <= 60
    study = load_study(CONFIGS / "turnover-funding-coordinator.toml")
    assert set(study.factor_names) == {"staff_turnover", "funding_length", "coordinator"}
    assert study.replicates > 1
    specs = study.specs()
    assert len(specs) == len(study.points) * study.replicates
    assert len({s.seed for s in specs}) == len(specs)
    assert study.output_dir("results") == Path("results") / "turnover-funding-coordinator"


def test_grid_and_lhs_points(tmp_path):
    path = tmp_path / "lhs.toml"
    path.write_text(
        'design = "lhs"\nsamples = 5\nseed = 3\n[parameters]\nhorizon = 12\n'
        "[factors]\ncoordinator = [true, false]\nstaff_turnover = { low = 0.1, high = 0.4 }\n"
        "funding_length = { low = 12, high = 48 }\n",
        encoding="utf-8",
    )
    study = load_study(path)
    assert study.name == "lhs"  # the file stem when no name is given
    assert len(study.points) == 10  # 5 samples crossed with 2 coordinator values
    assert all(p["horizon"] == 12 for p in study.points)
    assert all(0.1 <= p["staff_turnover"] <= 0.4 for p in study.points)
    assert all(isinstance(p["funding_length"], int) for p in study.points)
    assert load_study(path).points == study.points
    resolved = study.resolved()
    assert resolved["n_runs"] == 10 and resolved["base"]["horizon"] == 12
    assert resolved["outcomes"] == list(SUMMARY_NAMES)


@pytest.mark.parametrize("kind", ["latin-1", "folder"])
def test_unreadable_study_files_exit_2_with_one_message(tmp_path, capsys, kind):
    path = tmp_path / "x.toml"
    if kind == "folder":
        path.mkdir()
    else:
        path.write_bytes('name = "caf\xe9"\n'.encode("latin-1"))
    assert cli_main(["sweep", str(path), "--out", str(tmp_path / "out"), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and str(path) in err
    assert ("UTF-8" if kind == "latin-1" else "folder") in err
    assert not (tmp_path / "out").exists()


def test_a_name_taken_from_the_file_name_is_reported_as_such(tmp_path):
    path = tmp_path / "my study.toml"
    path.write_text(GOOD.replace('name = "ok"\n', ""), encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_study(path)
    message = str(info.value)
    assert "comes from the file name, 'my study'" in message and "letters, digits" in message
    assert "key 'name' =" not in message and "outside the output folder" not in message
