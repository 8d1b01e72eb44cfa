"""The runner: same results on every executor and chunking; resumable; any function."""

from __future__ import annotations

import math
from concurrent.futures import Executor, Future

import numpy as np
import pandas as pd
import pytest

import partnersim
from partnersim.experiments import (
    RunSpec,
    SerialExecutor,
    load_manifest,
    load_runs,
    make_specs,
    run_specs,
)
from partnersim.model import SUMMARY_NAMES

POINTS = [{"horizon": 24, "staff_turnover": t, "coordinator": c} for t in (0.1, 0.6) for c in (True, False)]


@pytest.fixture(scope="module")
def specs():
    return make_specs(POINTS, 3, root_seed=2024)


@pytest.fixture(scope="module")
def serial(specs):
    return run_specs(specs, timeseries=True, partnerships=True)


def test_runs_table_has_ids_seeds_params_and_outcomes(specs, serial):
    runs = serial.runs
    assert list(runs["run_id"]) == list(range(12))
    assert list(runs.columns[:4]) == ["run_id", "point_id", "replicate", "seed"]
    assert list(runs["seed"]) == [s.seed for s in specs]
    assert set(SUMMARY_NAMES) <= set(runs.columns)
    assert {"horizon", "staff_turnover", "coordinator"} <= set(runs.columns)
    # each run is exactly the model run on its own seed
    for i in (0, 7):
        expected = partnersim.simulate(**specs[i].params, rng=specs[i].seed)
        assert runs.loc[i, list(SUMMARY_NAMES)].to_dict() == expected
    # replicates differ (their own seeds), so the sweep is not one run repeated
    assert runs.loc[runs.point_id == 0, "total_output"].nunique() > 1


def test_optional_tables_carry_run_id(serial):
    ts, parts = serial.timeseries, serial.partnerships
    assert sorted(ts["run_id"].unique()) == list(range(12))
    assert (ts.groupby("run_id")["month"].max() == 24).all()
    assert sorted(parts["run_id"].unique()) == list(range(12))
    assert {"lifetime", "censored", "cause"} <= set(parts.columns)


@pytest.mark.parametrize(
    ("executor", "workers", "chunk_size"),
    [
        ("serial", None, 1),
        ("serial", None, 5),
        ("processes", 1, 4),
        ("processes", 2, 1),
        ("processes", 2, None),
    ],
)
def test_same_results_on_every_executor_and_chunking(specs, serial, executor, workers, chunk_size):
    res = run_specs(
        specs, executor=executor, workers=workers, chunk_size=chunk_size, timeseries=True, partnerships=True
    )
    pd.testing.assert_frame_equal(res.runs, serial.runs)
    pd.testing.assert_frame_equal(res.timeseries, serial.timeseries)
    pd.testing.assert_frame_equal(res.partnerships, serial.partnerships)


def test_outcomes_are_filtered(specs):
    res = run_specs(specs[:2], outcomes=["legacy_rate"])
    assert list(res.runs.columns) == [
        "run_id",
        "point_id",
        "replicate",
        "seed",
        "horizon",
        "staff_turnover",
        "coordinator",
        "legacy_rate",
    ]


def ishigami(x1: float, x2: float, x3: float) -> dict[str, float]:
    """The Ishigami test function: a plain function with no seed."""
    return {"y": math.sin(x1) + 7 * math.sin(x2) ** 2 + 0.1 * x3**4 * math.sin(x1)}


def test_any_picklable_function_runs_on_processes(tmp_path):
    rng = np.random.default_rng(0)
    points = [dict(zip(("x1", "x2", "x3"), rng.uniform(-np.pi, np.pi, 3), strict=True)) for _ in range(9)]
    specs = make_specs(points, 1, root_seed=0)
    res = run_specs(specs, tmp_path / "ish", executor="processes", workers=2, fn=ishigami, seed_param=None)
    expected = [ishigami(**p)["y"] for p in points]
    assert res.runs["y"].tolist() == expected
    assert load_runs(tmp_path / "ish")["y"].tolist() == expected


def test_plain_simulate_as_fn_matches_the_model_path(specs, serial):
    res = run_specs(specs[:4], fn=partnersim.simulate)
    pd.testing.assert_frame_equal(res.runs, serial.runs.iloc[:4][res.runs.columns])


def test_invalid_parameters_fail_before_anything_runs(tmp_path):
    bad = make_specs([{"horizon": 12}, {"staff_turnover": 5.0}], 1, root_seed=1)
    with pytest.raises(partnersim.ParameterError, match="staff_turnover"):
        run_specs(bad, tmp_path / "bad")
    assert not (tmp_path / "bad" / "chunks").exists()


class FailAfter(Executor):
    """Runs ``k`` chunks, then fails as a dead worker or Ctrl-C would."""

    def __init__(self, k: int, exc: BaseException) -> None:
        self.k, self.exc, self.calls = k, exc, 0

    def submit(self, fn, /, *args, **kwargs):
        self.calls += 1
        future: Future = Future()
        if self.calls > self.k:
            future.set_exception(self.exc)
        else:
            future.set_result(fn(*args, **kwargs))
        return future


@pytest.mark.parametrize("exc", [RuntimeError("worker died"), KeyboardInterrupt()])
def test_interrupted_sweep_resumes_without_loss_or_duplicates(tmp_path, specs, serial, exc):
    out = tmp_path / "sweep"
    with pytest.raises(type(exc)):
        run_specs(specs, out, executor=FailAfter(3, exc), workers=1, chunk_size=2, partnerships=True)
    assert not (out / "runs.parquet").exists()  # no final table before the sweep is complete
    manifest = load_manifest(out)
    # Ctrl-C (or SIGTERM, raised as KeyboardInterrupt) says so; a dead worker is a failure
    assert manifest["status"] == ("interrupted" if isinstance(exc, KeyboardInterrupt) else "failed")
    assert manifest["runs_done"] == 6  # the runs really on disk, however recently runs_done was written
    assert len(list((out / "chunks").glob("runs-*.parquet"))) == 3

    res = run_specs(specs, out, chunk_size=2, partnerships=True)
    assert (res.n_resumed, res.n_ran) == (6, 6)
    runs = load_runs(out)
    assert list(runs["run_id"]) == list(range(12))
    pd.testing.assert_frame_equal(runs, serial.runs)
    parts = pd.read_parquet(out / "partnerships.parquet")
    pd.testing.assert_frame_equal(parts, serial.partnerships)
    manifest = load_manifest(out)
    assert manifest["status"] == "complete" and manifest["runs_done"] == 12

    again = run_specs(specs, out, chunk_size=2, partnerships=True)
    assert (again.n_resumed, again.n_ran) == (12, 0)
    pd.testing.assert_frame_equal(load_runs(out), serial.runs)


def test_fresh_starts_over_and_changed_specs_rerun(tmp_path, specs, serial):
    out = tmp_path / "sweep"
    run_specs(specs[:6], out)
    assert run_specs(specs, out).n_resumed == 6  # growing a sweep keeps what is done
    assert run_specs(specs, out, fresh=True).n_resumed == 0
    # a run whose parameters changed is not taken from the old results
    changed = [*specs[:-1], RunSpec(11, 3, 2, specs[11].seed, {**specs[11].params, "horizon": 12})]
    res = run_specs(changed, out)
    assert (res.n_resumed, res.n_ran, res.n_stale) == (11, 1, 1)
    assert res.runs.loc[11, "horizon"] == 12
    assert len(load_runs(out)) == 12


def test_duplicate_chunks_are_counted_once(tmp_path, specs, serial):
    out = tmp_path / "sweep"
    run_specs(specs, out, chunk_size=4)
    # as if a chunk had been saved twice (e.g. a task retried after its result was kept)
    first = sorted((out / "chunks").glob("runs-*.parquet"))[0]
    (out / "chunks" / first.name.replace("runs-000000000-", "runs-000000000-dup")).write_bytes(
        first.read_bytes()
    )
    res = run_specs(specs, out, chunk_size=4)
    assert res.n_ran == 0 and len(res.runs) == 12
    pd.testing.assert_frame_equal(load_runs(out), serial.runs)


def test_serial_executor_keeps_exceptions_in_the_future():
    future = SerialExecutor().submit(lambda: 1 / 0)
    assert isinstance(future.exception(), ZeroDivisionError)


def test_changed_model_code_reruns_instead_of_mixing_versions(tmp_path, specs, monkeypatch):
    from partnersim.experiments import runner

    out = tmp_path / "sweep"
    run_specs(specs[:4], out)
    assert run_specs(specs[:4], out).n_resumed == 4
    monkeypatch.setattr(runner, "model_fingerprint", lambda: "edited-model")
    # no finished run is of the edited model: that would discard all of them, so it asks for fresh first
    before = load_runs(out)
    with pytest.raises(runner.StudyChanged, match=r"holds 4 finished runs, and only 0 of them match"):
        run_specs(specs[:4], out)
    pd.testing.assert_frame_equal(load_runs(out), before)
    res = run_specs(specs[:4], out, fresh=True)
    assert (res.n_resumed, res.n_ran) == (0, 4)
    assert load_manifest(out)["task"]["model_code"] == "edited-model"
    assert len(load_runs(out)) == 4


def test_chunks_aim_at_about_a_second_and_keep_workers_busy_at_the_end():
    from partnersim.experiments.runner import CHUNK_SECONDS, FIRST_CHUNK, next_chunk_size

    assert next_chunk_size(None, 1000, 2) == FIRST_CHUNK  # run time not known yet
    assert next_chunk_size(CHUNK_SECONDS / 50, 1000, 2) == 50  # fast runs: big chunks, little overhead
    assert next_chunk_size(CHUNK_SECONDS * 3, 1000, 2) == 1  # slow runs: one at a time
    assert next_chunk_size(CHUNK_SECONDS / 50, 40, 2) == 5  # the tail is shared among workers
    assert next_chunk_size(CHUNK_SECONDS / 50, 1, 8) == 1
    assert next_chunk_size(0.01, 0, 2) == 0
    # a big cluster gets longer chunks, so this process keeps up with saving them
    assert next_chunk_size(CHUNK_SECONDS / 50, 100_000, 200) > next_chunk_size(CHUNK_SECONDS / 50, 100_000, 2)


def test_the_tail_of_a_sweep_is_not_cut_into_chunks_shorter_than_the_floor():
    from partnersim.experiments.runner import MIN_CHUNK_SECONDS, next_chunk_size

    fast = MIN_CHUNK_SECONDS / 20  # 20 runs make the shortest chunk
    assert next_chunk_size(fast, 100, 2) == 20  # guided alone would give 13
    assert next_chunk_size(fast, 12, 2) == 12  # the last runs, all in one
    assert next_chunk_size(fast, 1000, 2) == 125  # far from the end the guided share rules
    assert next_chunk_size(None, 5, 4) == 1  # run time not known: a few runs go to every worker
    # a whole sweep's chunks: none below the floor but the last, and every run in one
    sizes, left = [], 1000
    while left:
        sizes.append(next_chunk_size(fast, left, 2))
        left -= sizes[-1]
    assert min(sizes[:-1]) >= 20 and sum(sizes) == 1000


def test_a_finished_sweep_starts_no_executor(tmp_path, specs):
    out = tmp_path / "sweep"
    run_specs(specs[:3], out)
    # a scheduler that does not exist: fine, because nothing is left to run
    res = run_specs(specs[:3], out, executor="dask", scheduler="tcp://127.0.0.1:9")
    assert (res.n_resumed, res.n_ran) == (3, 0)
    assert load_manifest(out)["runs_resumed"] == 3


def test_chunks_of_an_older_study_change_neither_columns_nor_dtypes(tmp_path):
    # an older version of the study: its last point sets a parameter (prior_trust) the new one does not
    low = [{"horizon": 24, "staff_turnover": 0.1, "funding_length": f} for f in (12, 24)]
    older = make_specs([*low, {"horizon": 24, "staff_turnover": 0.3, "prior_trust": 0.2}], 2, root_seed=1)
    points = [*low, {"horizon": 24, "staff_turnover": 0.3, "funding_length": 36}]
    specs = make_specs(points, 2, root_seed=1)
    outcomes = ["survival_rate"]
    # chunks of 3: one chunk mixes a run that is kept with one that is not
    run_specs(older, tmp_path / "reused", outcomes=outcomes, chunk_size=3)
    reused = run_specs(specs, tmp_path / "reused", outcomes=outcomes)
    assert (reused.n_resumed, reused.n_ran) == (4, 2)
    fresh = run_specs(specs, tmp_path / "fresh", outcomes=outcomes)
    assert reused.runs["funding_length"].dtype == np.int64
    assert "prior_trust" not in reused.runs
    assert list(reused.runs.columns)[-2:] == ["funding_length", "survival_rate"]
    pd.testing.assert_frame_equal(reused.runs, fresh.runs)
    pd.testing.assert_frame_equal(load_runs(tmp_path / "reused"), load_runs(tmp_path / "fresh"))


def test_a_resumed_sweep_equals_a_fresh_one_in_columns_and_dtypes(tmp_path):
    specs = make_specs(POINTS, 2, root_seed=5)
    run_specs(specs[:3], tmp_path / "resumed", chunk_size=2, partnerships=True)
    resumed = run_specs(specs, tmp_path / "resumed", chunk_size=3, partnerships=True)
    fresh = run_specs(specs, tmp_path / "fresh", chunk_size=8, partnerships=True)
    memory = run_specs(specs, chunk_size=8, partnerships=True)
    for name in ("runs", "partnerships"):
        pd.testing.assert_frame_equal(getattr(resumed, name), getattr(fresh, name))
        pd.testing.assert_frame_equal(getattr(memory, name), getattr(fresh, name))
        on_disk = [pd.read_parquet(tmp_path / d / f"{name}.parquet") for d in ("resumed", "fresh")]
        pd.testing.assert_frame_equal(*on_disk)


def test_runs_columns_are_ids_then_every_parameter_then_outcomes(tmp_path):
    # points that set different parameters: the column order does not depend on chunking
    points = [{"horizon": 24}, {"horizon": 24, "staff_turnover": 0.3}]
    specs = make_specs(points, 2, root_seed=3)
    for chunk_size in (1, 4):
        res = run_specs(specs, tmp_path / f"c{chunk_size}", chunk_size=chunk_size, outcomes=["survival_rate"])
        assert list(res.runs.columns) == [
            "run_id",
            "point_id",
            "replicate",
            "seed",
            "horizon",
            "staff_turnover",
            "survival_rate",
        ]


def test_git_state_is_recorded_only_from_partnersims_own_repository(tmp_path, monkeypatch):
    import subprocess

    from partnersim.experiments import provenance

    info = provenance.git_info()
    if info["git_commit"] is not None:  # run from a checkout: the commit and dirty flag are this repository's
        head = subprocess.run(["git", "-C", str(provenance.package_dir()), "rev-parse", "HEAD"],
                              capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
        assert info["git_commit"] == head
        assert info["git_dirty"] == info["git_describe"].endswith("-dirty")
    # installed inside some other repository (a virtualenv in an analysis project): nothing recorded
    other = tmp_path / "analysis"
    (other / ".venv" / "site-packages" / "partnersim").mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(other)], check=True)
    subprocess.run(["git", "-C", str(other), "-c", "user.name=a", "-c", "user.email=a@b", "commit", "-q",
                    "--allow-empty", "-m", "x"], check=True)  # fmt: skip
    monkeypatch.setattr(provenance, "package_dir", lambda: other / ".venv" / "site-packages" / "partnersim")
    assert provenance.git_info() == {"git_commit": None, "git_describe": None, "git_dirty": None}
    res = run_specs(make_specs([{"x": 1}], 1, root_seed=1), tmp_path / "out", fn=_double)
    assert res.manifest["git_commit"] is None


def _double(x: int, rng: int) -> dict[str, int]:
    return {"y": 2 * x}


def test_manifest_counts_runs_done_while_the_sweep_runs(tmp_path, specs, monkeypatch):
    from partnersim.experiments import runner

    monkeypatch.setattr(runner, "MANIFEST_SECONDS", 0.0)
    out = tmp_path / "sweep"
    with pytest.raises(RuntimeError):
        run_specs(specs, out, executor=FailAfter(3, RuntimeError("worker died")), workers=1, chunk_size=2)
    manifest = load_manifest(out)
    assert manifest["status"] == "failed" and manifest["runs_done"] == 6


def test_a_rerun_with_nothing_to_do_keeps_the_record_of_the_run_that_did_the_work(tmp_path):
    out = tmp_path / "sweep"
    specs = make_specs([{"x": i} for i in range(6)], 1, root_seed=1)
    run_specs(specs, out, executor="processes", workers=2, fn=_double)
    again = run_specs(specs, out, fn=_double)
    assert again.n_ran == 0
    manifest = load_manifest(out)
    assert (manifest["executor"], manifest["workers"]) == ("processes", 2)
    assert [s["runs_run"] for s in manifest["sessions"]] == [6, 0]
    assert [s["executor"] for s in manifest["sessions"]] == ["processes", None]


def _fails_at_three(x: int, rng: int) -> dict[str, int]:
    if x == 3:
        raise ZeroDivisionError("boom")
    return {"y": x}


@pytest.mark.parametrize("executor", ["serial", "processes"])
def test_a_failing_run_is_named_in_the_error(executor):
    specs = make_specs([{"x": i} for i in range(6)], 2, root_seed=1)
    with pytest.raises(ZeroDivisionError, match="boom") as info:
        run_specs(specs, executor=executor, workers=2, fn=_fails_at_three)
    (note,) = info.value.__notes__
    # both replicates of x = 3 fail; on processes either may be the first to come back
    named = [s for s in specs if f"run_id {s.run_id} " in note]
    assert len(named) == 1 and named[0].params == {"x": 3}
    assert f"seed {named[0].seed}" in note and "{'x': 3}" in note
    if executor == "serial":
        assert named[0] is specs[6]  # in order: the first replicate of x = 3


def test_added_replicates_keep_finished_runs_under_their_new_run_ids(tmp_path):
    from partnersim.experiments import spawn_seeds

    out, fresh = tmp_path / "grown", tmp_path / "fresh"
    points = POINTS[:2]
    # one seed per replicate (common random numbers): a replicate keeps its seed when replicates are added
    before = make_specs(points, 2, seeds=spawn_seeds(11, 2))
    after = make_specs(points, 3, seeds=spawn_seeds(11, 3))
    run_specs(before, out, timeseries=True, partnerships=True)
    grown = run_specs(after, out, timeseries=True, partnerships=True)
    # point 1's two runs moved from run_ids 2-3 to 3-4 and are kept, not run again
    assert (grown.n_resumed, grown.n_renumbered, grown.n_stale, grown.n_ran) == (4, 2, 0, 2)
    again = run_specs(after, fresh, timeseries=True, partnerships=True)
    for name in ("runs", "timeseries", "partnerships"):
        pd.testing.assert_frame_equal(getattr(grown, name), getattr(again, name))
        pd.testing.assert_frame_equal(
            pd.read_parquet(out / f"{name}.parquet"), pd.read_parquet(fresh / f"{name}.parquet")
        )


def test_runs_sharing_a_spec_key_are_matched_one_to_one_in_order(tmp_path):
    # two specs with the same parameters and seed: each finished run is kept once
    specs = [RunSpec(run_id=i, point_id=0, replicate=i, seed=5, params={"x": 1.0}) for i in range(2)]
    run_specs(specs, tmp_path, fn=_square, seed_param=None)
    moved = [RunSpec(run_id=i + 3, point_id=0, replicate=i, seed=5, params={"x": 1.0}) for i in range(3)]
    res = run_specs(moved, tmp_path, fn=_square, seed_param=None)
    assert (res.n_resumed, res.n_renumbered, res.n_ran) == (2, 2, 1)
    assert list(res.runs["run_id"]) == [3, 4, 5] and list(res.runs["y"]) == [1.0, 1.0, 1.0]


def _square(x):
    return {"y": x * x}


def test_table_flags_need_only_be_true_or_false_in_meaning(specs, serial):
    # NumPy's booleans (a flag read from an array or a DataFrame) ask for the tables as True does
    again = run_specs(specs[:2], timeseries=np.True_, partnerships=np.False_)
    assert again.partnerships is None
    pd.testing.assert_frame_equal(again.timeseries, serial.timeseries[serial.timeseries["run_id"] < 2])
