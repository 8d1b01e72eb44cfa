"""Results that survive kills, damage, full disks and a second run; workers that never outlive the run."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest

from partnersim.cli import main as cli_main

SWEEP = [sys.executable, "-m", "partnersim.cli", "sweep"]


def _alive(pid: int) -> bool:
    """``pid`` exists and is not a zombie."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False
    return state != "Z"


def _children(pid: int) -> list[int]:
    """PIDs of every process whose parent is ``pid`` (Linux /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(stat.parent.name))
    return found


def _wait_until(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


def _kill_all(pids) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


#: how long a worker may outlive its killed parent (seconds): "a few seconds"
ORPHAN_GRACE = 5.0


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_workers_exit_when_a_sweep_on_processes_is_killed_with_sigkill(tmp_path, killable_study):
    study = killable_study
    out = tmp_path / "results"
    chunks = out / "killable" / "chunks"
    args = [*SWEEP, str(study), "--out", str(out), "--executor", "processes", "--workers", "2",
            "--chunk-size", "1", "--no-progress", "--no-figures"]  # fmt: skip
    # output captured through pipes, as a batch script would: an orphan holding them would hang it
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    workers: list[int] = []
    try:
        _wait_until(lambda: len(list(chunks.glob("runs-*.parquet"))) >= 2, 90, "no chunk finished in time")
        workers = _children(proc.pid)
        assert len(workers) >= 2, f"expected two pool workers, found {workers}"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        # the pipes close once no process holds them: this would hang if a worker lived on
        killed = time.monotonic()
        proc.communicate(timeout=ORPHAN_GRACE + 5)
        _wait_until(lambda: not any(_alive(w) for w in workers), ORPHAN_GRACE, "a worker outlived the sweep")
        assert time.monotonic() - killed < ORPHAN_GRACE + 5
    finally:
        _kill_all([proc.pid, *workers])
    assert proc.returncode == -signal.SIGKILL


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("thread_first", [False, True], ids=["fork", "forkserver"])
def test_pool_workers_die_with_their_parent_whatever_the_start_method(tmp_path, thread_first):
    # a helper thread before the pool opens makes the pool use forkserver instead of fork
    script = textwrap.dedent(
        f"""
        import sys, threading, time
        from partnersim.experiments import open_executor
        if {thread_first}:
            threading.Thread(target=time.sleep, args=(600,), daemon=True).start()
        with open_executor("processes", 2) as (pool, info):
            futures = [pool.submit(time.sleep, 600) for _ in range(4)]
            print("ready", flush=True)
            time.sleep(600)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                            start_new_session=True)  # fmt: skip
    family: list[int] = []
    try:
        assert proc.stdout.readline().strip() == "ready"

        def descendants() -> list[int]:
            found, todo = [], [proc.pid]
            while todo:
                kids = _children(todo.pop())
                found += kids
                todo += kids
            return found

        _wait_until(lambda: len(descendants()) >= 2, 30, "the pool started no workers")
        family = descendants()
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        _wait_until(lambda: not any(_alive(p) for p in family), ORPHAN_GRACE, "a worker outlived its parent")
    finally:
        _kill_all([proc.pid, *family])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_local_dask_clusters_forked_workers_die_with_their_parent():
    # no nanny watches these workers: the kernel's parent-death signal must end them. Each is kept
    # in a regular expression that backtracks for ever without letting go of the GIL, so neither
    # Dask's event loop (which would see the scheduler go) nor a watching thread can end it
    script = textwrap.dedent(
        """
        import os, re, time
        from partnersim.experiments import open_executor
        with open_executor("dask", 2) as (executor, info):
            workers = executor._client.run(os.getpid).values()
            for _ in workers:
                executor.submit(re.match, "(a+)+$", "a" * 64 + "b")
            time.sleep(1)
            print(*workers, flush=True)
            time.sleep(600)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                            start_new_session=True)  # fmt: skip
    workers: list[int] = []
    try:
        workers = [int(pid) for pid in proc.stdout.readline().split()]
        assert len(workers) == 2 and set(workers) <= set(_children(proc.pid)), "not forked by the sweep"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        _wait_until(lambda: not any(_alive(p) for p in workers), ORPHAN_GRACE, "a worker outlived its parent")
    finally:
        _kill_all([proc.pid, *workers])


# ------------------------------------------------------------------ damaged chunks, temporary files

FLAGS = ["--no-progress", "--no-figures"]


def _damage(path: Path, how: str) -> None:
    if how == "truncated":
        path.write_bytes(path.read_bytes()[:100])
    elif how == "empty":
        path.write_bytes(b"")
    elif how == "random":
        path.write_bytes(os.urandom(4000))
    else:  # a valid Parquet file that is not a chunk: no spec key
        pd.read_parquet(path).drop(columns="_spec_key").to_parquet(path)


@pytest.mark.parametrize("how", ["truncated", "empty", "random", "keyless"])
def test_a_damaged_chunk_is_moved_aside_named_in_one_line_and_its_runs_rerun(
    tmp_path, tiny_study, capsys, how
):
    out, fresh = tmp_path / "results", tmp_path / "fresh"
    assert cli_main(["sweep", str(tiny_study), "--out", str(out), "--chunk-size", "3", *FLAGS]) == 0
    assert cli_main(["sweep", str(tiny_study), "--out", str(fresh), *FLAGS]) == 0
    chunks = out / "tiny" / "chunks"
    bad = sorted(chunks.glob("runs-*.parquet"))[1]
    _damage(bad, how)
    capsys.readouterr()
    assert cli_main(["sweep", str(tiny_study), "--out", str(out), *FLAGS]) == 0
    captured = capsys.readouterr()
    said = [line for line in captured.err.splitlines() if str(bad) in line]
    assert len(said) == 1 and "moved it to" in said[0] and "run again" in said[0]
    assert "Traceback" not in captured.err
    assert "12 runs (9 kept from before, 3 run now" in captured.out
    assert not bad.exists() and (out / "tiny" / "damaged" / bad.name).exists()
    pd.testing.assert_frame_equal(
        pd.read_parquet(out / "tiny" / "runs.parquet"), pd.read_parquet(fresh / "tiny" / "runs.parquet")
    )


def test_a_damaged_partnership_table_of_a_chunk_sets_the_whole_chunk_aside(tmp_path, tiny_study, capsys):
    tiny_study.write_text(tiny_study.read_text().replace("[parameters]", "partnerships = true\n[parameters]"))
    out = tmp_path / "results"
    assert cli_main(["sweep", str(tiny_study), "--out", str(out), "--chunk-size", "4", *FLAGS]) == 0
    expected = pd.read_parquet(out / "tiny" / "partnerships.parquet")
    chunks = out / "tiny" / "chunks"
    table = sorted(chunks.glob("partnerships-*.parquet"))[0]
    _damage(table, "truncated")
    capsys.readouterr()
    assert cli_main(["sweep", str(tiny_study), "--out", str(out), *FLAGS]) == 0
    assert "4 run now" in capsys.readouterr().out
    assert (out / "tiny" / "damaged" / table.name).exists()
    pd.testing.assert_frame_equal(pd.read_parquet(out / "tiny" / "partnerships.parquet"), expected)


def test_temporary_files_left_by_a_kill_mid_write_are_removed(tmp_path, tiny_study):
    out = tmp_path / "results"
    assert cli_main(["sweep", str(tiny_study), "--out", str(out), *FLAGS]) == 0
    folder = out / "tiny"
    left = [folder / "chunks" / ".runs-000000004-abcdef01.parquet.x1y2.tmp", folder / ".runs.parquet.q9.tmp"]
    for f in left:
        f.write_bytes(b"half a file")
    assert cli_main(["sweep", str(tiny_study), "--out", str(out), *FLAGS]) == 0
    assert not any(f.exists() for f in left)
    assert not list(folder.rglob("*.tmp"))


# ------------------------------------------------------------------ one run per results folder


def test_a_second_sweep_into_a_busy_folder_refuses_naming_the_pid_even_with_fresh(
    tmp_path, killable_study, capsys
):
    study = killable_study
    out = tmp_path / "results"
    folder = out / "killable"
    args = [*SWEEP, str(study), "--out", str(out), "--chunk-size", "1", *FLAGS]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_until(
            lambda: len(list((folder / "chunks").glob("runs-*.parquet"))) >= 2, 90, "no chunk in time"
        )
        for extra in ([], ["--fresh"]):
            capsys.readouterr()
            assert cli_main(["sweep", str(study), "--out", str(out), *FLAGS, *extra]) == 2
            err = capsys.readouterr().err.strip().splitlines()
            assert len(err) == 1 and f"PID {proc.pid}" in err[0] and str(folder) in err[0], err
            assert proc.poll() is None  # the first sweep goes on
        assert proc.wait(timeout=300) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
    runs = pd.read_parquet(folder / "runs.parquet")
    assert list(runs["run_id"]) == list(range(40))  # each run once: the refused sweeps ran none
    # the lock goes with the process: a later sweep is not blocked by the lock file it left
    capsys.readouterr()
    assert cli_main(["sweep", str(study), "--out", str(out), *FLAGS]) == 0
    assert "40 kept from before, 0 run now" in capsys.readouterr().out


def test_a_lock_left_by_a_killed_process_does_not_block(tmp_path, tiny_study):
    out = tmp_path / "results"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time\nfrom partnersim.experiments import ResultStore\n"
         "with ResultStore(sys.argv[1]).lock():\n    print('ready', flush=True)\n    time.sleep(600)",
         str(out / "tiny")],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "ready"
        with pytest.raises(Exception, match=f"PID {holder.pid}"):
            from partnersim.experiments import ResultStore

            with ResultStore(out / "tiny").lock():
                pass
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait(timeout=10)
    finally:
        _kill_all([holder.pid])
    assert cli_main(["sweep", str(tiny_study), "--out", str(out), *FLAGS]) == 0


# ------------------------------------------------------------------ output paths checked before any run

CONFIGS = Path(__file__).resolve().parents[2] / "configs"


def _command(name: str, out: Path, study: Path) -> tuple[list[str], Path]:
    """The arguments of a small run of ``name`` into ``out``, and the folder it writes."""
    if name == "run":
        return ["run", "--set", "horizon=12", "--out", str(out)], out
    if name == "sweep":
        return ["sweep", str(study), "--out", str(out), "--no-progress"], out / "tiny"
    if name == "sobol":
        return (
            ["sobol", str(CONFIGS / "sobol-quick.toml"), "--out", str(out), "--n", "4", "--replicates", "1",
             "--no-progress"],
            out / "sobol-quick" / "sobol",
        )  # fmt: skip
    return (
        ["compare", str(CONFIGS / "funding-policies-quick.toml"), "--out", str(out), "--replicates", "2",
         "--no-progress"],
        out / "funding-policies-quick",
    )  # fmt: skip


def _snapshot(root: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.mark.parametrize("command", ["run", "sweep", "sobol", "compare"])
@pytest.mark.parametrize(
    "case",
    ["out-is-a-file", "name-too-long", "proc", "folder-is-a-file", "figures-is-a-file", "read-only"],
)
def test_an_unusable_output_path_is_refused_in_one_line_before_any_model_runs(
    tmp_path, tiny_study, capsys, monkeypatch, command, case
):
    import partnersim.model
    from partnersim.experiments import runner

    def no_model(*args, **kwargs):
        raise AssertionError("a model ran before the output path was checked")

    monkeypatch.setattr(runner, "run_chunk", no_model)
    monkeypatch.setattr(partnersim.model.PartnershipModel, "run", no_model)
    root = tmp_path / "results"
    root.mkdir()
    args, folder = _command(command, root, tiny_study)
    if case == "out-is-a-file":
        (tmp_path / "afile").write_text("mine")
        args, folder = _command(command, tmp_path / "afile", tiny_study)
        culprit = tmp_path / "afile"
    elif case == "name-too-long":
        long = tmp_path / ("x" * 300)
        args, folder = _command(command, long, tiny_study)
        culprit = long
    elif case == "proc":
        args, folder = _command(command, Path("/proc/partnersim-test"), tiny_study)
        culprit = Path("/proc/partnersim-test")
    elif case == "folder-is-a-file":
        if command == "run":
            pytest.skip("run writes into --out itself: the out-is-a-file case")
        folder.parent.mkdir(parents=True, exist_ok=True)
        folder.write_text("mine")
        culprit = folder
    elif case == "figures-is-a-file":
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "figures").write_text("mine")
        culprit = folder / "figures"
    else:
        if os.geteuid() == 0:
            pytest.skip("root writes into a read-only folder")
        root.chmod(0o555)
        culprit = root
    before = _snapshot(tmp_path)
    try:
        assert cli_main(args) == 2
    finally:
        root.chmod(0o755)
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and str(culprit) in err[0] and "Traceback" not in err[0], err
    assert err[0].startswith(f"partnersim {command}: error: ")
    assert _snapshot(tmp_path) == before  # nothing written, nothing partial
    assert not (root.exists() and any(p.name.endswith(".tmp") for p in root.rglob("*")))


# ------------------------------------------------------------------ read-only mounts and full disks


def _can_mount() -> bool:
    """Whether this user may mount a tmpfs in a namespace of its own (``unshare -rm``)."""
    try:
        return subprocess.run(["unshare", "-rm", "true"], capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


needs_mount = pytest.mark.skipif(not _can_mount(), reason="cannot mount a tmpfs here (unshare -rm)")


def _on_small_disk(mount: Path, size: str, commands: str, *, read_only: bool = False) -> str:
    """Run shell ``commands`` with a ``size`` tmpfs mounted at ``mount`` (only they see it); return stderr."""
    mount.mkdir(parents=True, exist_ok=True)
    remount = f" && mount -o remount,ro {mount}" if read_only else ""
    script = f"mount -t tmpfs -o size={size} tmpfs {mount}{remount} && {commands}"
    res = subprocess.run(["unshare", "-rm", "sh", "-c", script], capture_output=True, text=True, timeout=300)
    return res.stderr


PY = f"{sys.executable} -m partnersim.cli"


@needs_mount
@pytest.mark.parametrize("command", ["run", "sweep"])
def test_a_read_only_mount_is_refused_in_one_line(tmp_path, tiny_study, command):
    disk = tmp_path / "ro"
    args = (
        f"run --set horizon=12 --out {disk}/run"
        if command == "run"
        else f"sweep {tiny_study} --out {disk} --no-progress"
    )
    err = _on_small_disk(disk, "1m", f"{PY} {args}; echo exit=$? >&2", read_only=True)
    lines = err.strip().splitlines()
    assert lines[-1] == "exit=2" and len(lines) == 2, err
    assert lines[0].startswith(f"partnersim {command}: error: cannot write to {disk}")
    assert "Read-only file system" in lines[0]


@needs_mount
def test_a_disk_that_fills_with_chunks_gives_one_line_leaves_nothing_partial_and_resumes(
    tmp_path, tiny_study
):
    disk, kept = tmp_path / "disk", tmp_path / "kept"
    sweep = f"{PY} sweep {tiny_study} --out {disk} --chunk-size 1 --no-progress --no-figures"
    # the sweep fills the disk; what it left is copied off before the tmpfs goes
    err = _on_small_disk(disk, "64k", f"{sweep}; echo exit=$? >&2; cp -a {disk} {kept}")
    lines = err.strip().splitlines()
    assert lines[-1] == "exit=2", err
    assert len(lines) == 2 and "Traceback" not in err, err
    assert lines[0].startswith(f"partnersim sweep: error: could not write {disk}/tiny/")
    assert "No space left on device" in lines[0]
    folder = kept / "tiny"
    assert not list(folder.rglob("*.tmp")) and not (folder / "runs.parquet").exists()
    on_disk = list((folder / "chunks").glob("runs-*.parquet"))
    assert 1 <= len(on_disk) < 12
    assert all(len(pd.read_parquet(f)) == 1 for f in on_disk)  # every chunk whole
    # the disk is full, so the manifest may not say "failed", but it is whole and never says complete
    assert json.loads((folder / "manifest.json").read_text())["status"] in ("running", "failed")

    out = tmp_path / "resumed"
    out.mkdir()
    folder.rename(out / "tiny")
    assert cli_main(["sweep", str(tiny_study), "--out", str(out), *FLAGS]) == 0
    assert cli_main(["sweep", str(tiny_study), "--out", str(tmp_path / "fresh"), *FLAGS]) == 0
    pd.testing.assert_frame_equal(
        pd.read_parquet(out / "tiny" / "runs.parquet"),
        pd.read_parquet(tmp_path / "fresh" / "tiny" / "runs.parquet"),
    )


@needs_mount
@pytest.mark.parametrize("command", ["run", "sweep"])
def test_a_disk_that_fills_with_figures_gives_one_line_and_no_partial_file(tmp_path, tiny_study, command):
    disk, kept = tmp_path / "disk", tmp_path / "kept"
    if command == "run":
        args, size = f"run --set horizon=24 --out {disk}/run", "96k"
    else:
        args, size = f"sweep {tiny_study} --out {disk} --chunk-size 1 --no-progress", "160k"
    err = _on_small_disk(disk, size, f"{PY} {args}; echo exit=$? >&2; cp -a {disk} {kept}")
    lines = err.strip().splitlines()
    assert lines[-1] == "exit=2" and len(lines) == 2 and "Traceback" not in err, err
    assert "No space left on device" in lines[0]
    assert not list(kept.rglob("*.tmp")) and not list(kept.rglob(".staging-*"))
    if command == "run":
        # run writes its files together: none of them, rather than some
        assert lines[0].startswith(f"partnersim run: error: could not write {disk}/run/")
        assert not [p for p in (kept / "run").rglob("*") if p.is_file()]
    else:
        assert lines[0].startswith(f"partnersim sweep: error: could not write {disk}/tiny/figures/")
        assert len(pd.read_parquet(kept / "tiny" / "runs.parquet")) == 12  # the results are complete
        assert json.loads((kept / "tiny" / "manifest.json").read_text())["status"] == "complete"
        for png in (kept / "tiny" / "figures").glob("*.png"):
            assert png.read_bytes().endswith(b"IEND\xaeB`\x82")  # each figure there is whole


# ------------------------------------------------------------------ a stopped sweep says so


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_the_manifest_of_a_stopped_sweep_says_interrupted_with_the_runs_on_disk(
    tmp_path, killable_study, sig
):
    study = killable_study
    # 400 runs, not 40, so the sweep is surely still running when the signal comes (asserted below)
    study.write_text(study.read_text().replace("replicates = 20", "replicates = 200"))
    out = tmp_path / "results"
    folder = out / "killable"
    args = [*SWEEP, str(study), "--out", str(out), "--chunk-size", "1", *FLAGS]
    proc = subprocess.Popen(
        args,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        # Ctrl-C reaches a command in the foreground; a test suite started in the background by a
        # shell inherits SIGINT ignored (and so would the sweep), so give the sweep the default
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        # past the first manifest write, so runs_done there would be stale without the final count
        _wait_until(
            lambda: len(list((folder / "chunks").glob("runs-*.parquet"))) >= 3, 90, "no chunk in time"
        )
        assert proc.poll() is None, "the sweep finished before it could be stopped"
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=60)
    finally:
        _kill_all([proc.pid])
    assert proc.returncode == (130 if sig == signal.SIGINT else 143)
    assert "Traceback" not in err
    manifest = json.loads((folder / "manifest.json").read_text())
    on_disk = sum(len(pd.read_parquet(f)) for f in (folder / "chunks").glob("runs-*.parquet"))
    assert manifest["status"] == "interrupted" and manifest["runs_done"] == on_disk
    assert manifest["sessions"][-1]["status"] == "interrupted"


# ------------------------------------------------------------------ a rerun with nothing to do


def _figures(folder: Path) -> dict[str, tuple[int, int]]:
    """Each figure's inode and modification time: a figure drawn again is a new file (atomic write)."""
    return {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in (folder / "figures").glob("*.png")}


def test_a_rerun_with_nothing_to_do_keeps_the_figures_and_reports_the_current_executor(
    tmp_path, tiny_study, capsys
):
    out = tmp_path / "results"
    folder = out / "tiny"
    assert cli_main(["sweep", str(tiny_study), "--out", str(out), "--no-progress"]) == 0
    drawn = _figures(folder)
    assert len(drawn) == 9  # effects, interactions and heatmaps of three outcomes
    capsys.readouterr()
    args = ["sweep", str(tiny_study), "--out", str(out), "--no-progress", "--executor", "processes"]
    assert cli_main([*args, "--workers", "2"]) == 0
    said = capsys.readouterr().out
    assert "12 kept from before, 0 run now) on processes with 2 worker(s)" in said
    assert _figures(folder) == drawn  # not drawn again
    assert "and 9 figures in figures/" in said

    # a figure that went missing is drawn again; so are the others once the runs change
    (folder / "figures" / "effects_mean_trust.png").unlink()
    assert cli_main(["sweep", str(tiny_study), "--out", str(out), "--no-progress"]) == 0
    again = _figures(folder)
    assert set(again) == set(drawn) and again != drawn
    tiny_study.write_text(tiny_study.read_text().replace("replicates = 3", "replicates = 4"))
    assert cli_main(["sweep", str(tiny_study), "--out", str(out), "--no-progress"]) == 0
    grown = _figures(folder)
    assert set(grown) == set(drawn) and all(grown[n] != again[n] for n in grown)


# ------------------------------------------------------------------ the wrong file, refused


@pytest.mark.parametrize("command", ["sobol", "morris"])
def test_sensitivity_commands_refuse_a_sweep_study_as_sweep_refuses_theirs(tmp_path, capsys, command):
    out = tmp_path / "out"
    assert cli_main([command, str(CONFIGS / "quick.toml"), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert (
        len(err) == 1 and "quick.toml: not a sensitivity study" in err[0] and "use partnersim sweep" in err[0]
    )
    # a sweep-only key says which key
    lhs = tmp_path / "lhs.toml"
    lhs.write_text('design = "lhs"\nsamples = 8\n[factors]\nstaff_turnover = { low = 0.1, high = 0.5 }\n')
    assert cli_main([command, str(lhs), "--out", str(out)]) == 2
    assert "key 'design' belongs to a sweep study" in capsys.readouterr().err
    assert cli_main([command, str(CONFIGS / "funding-policies-quick.toml"), "--out", str(out)]) == 2
    assert "use partnersim compare" in capsys.readouterr().err
    assert not out.exists()
    assert cli_main(["sweep", str(CONFIGS / "sobol-quick.toml"), "--out", str(out)]) == 2
    assert "use partnersim sobol" in capsys.readouterr().err


def test_a_policy_with_a_blank_name_is_refused(tmp_path, capsys):
    text = (CONFIGS / "funding-policies-quick.toml").read_text()
    first = text[text.index("[policies.") : text.index("]", text.index("[policies.")) + 1]
    bad = tmp_path / "blank.toml"
    bad.write_text(text.replace(first, '[policies."  "]').replace("baseline = ", "# baseline = "))
    assert cli_main(["compare", str(bad), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "key 'policies.  '" in err[0] and "a name that is not blank" in err[0]
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("address", ["not an address", "tcp://10.0.0.1:notaport"])
def test_an_unparseable_scheduler_is_refused_at_once_without_claiming_a_timeout(
    tmp_path, tiny_study, capsys, address
):
    assert cli_main(["sweep", str(tiny_study), "--out", str(tmp_path), "--scheduler", address, *FLAGS]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"--scheduler {address!r} is not a Dask scheduler address" in err[0]
    assert "within" not in err[0]


# ------------------------------------------------------------------ huge designs


def test_fast_spec_keys_are_exactly_the_keys_of_earlier_sweeps():
    from partnersim.experiments import RunSpec, make_specs
    from partnersim.experiments.runner import Task, spec_key, spec_keys

    points = [{"horizon": 24, "staff_turnover": t, "coordinator": c, "region": "north"} for t in (0.1, 0.25)
              for c in (True, False)]  # fmt: skip
    specs = [
        *make_specs(points, 3, root_seed=11),
        RunSpec(12, 9, 0, 2**62 + 5, {"b": 1.5, "a": [1, 2], "c": {"z": 1, "y": None}}),
        RunSpec(13, 10, 0, 0, {}),
    ]
    for task in (Task(), Task(fn=dict, seed_param=None, outcomes=("x",), timeseries=False)):
        identity = task.identity()
        assert spec_keys(specs, identity) == {s.run_id: spec_key(s, identity) for s in specs}


def test_a_study_of_more_runs_than_allowed_is_refused_in_one_line_before_it_is_built(tmp_path, capsys):
    from partnersim.experiments.specs import MAX_RUNS

    study = tmp_path / "huge.toml"
    study.write_text(
        "replicates = 1000000\n[factors]\nstaff_turnover = [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]\n"
    )
    assert cli_main(["sweep", str(study), "--out", str(tmp_path / "out")]) == 2
    out, err = capsys.readouterr()
    assert out == "" and len(err.strip().splitlines()) == 1
    assert "asks for 10,000,000 runs (10 points x 1,000,000 replicates)" in err
    assert f"at most {MAX_RUNS:,}" in err and "key 'replicates'" in err
    lhs = tmp_path / "lhs.toml"
    lhs.write_text(
        'design = "lhs"\nsamples = 10000000\n[factors]\nstaff_turnover = { low = 0.1, high = 0.5 }\n'
    )
    assert cli_main(["sweep", str(lhs), "--out", str(tmp_path / "out")]) == 2
    assert "key 'samples'" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("root", [0, 1, 7, 20240601, 2**32 - 1, 2**32, 2**64 + 5, 2**128 + 1, 2**200 + 17])
def test_spawned_seeds_are_numpys_seed_sequence_children_bit_for_bit(root):
    import numpy as np

    from partnersim.experiments.specs import spawn_seeds

    def numpy_seed(i: int) -> int:
        # child i of SeedSequence(root).spawn(n) is SeedSequence(root, spawn_key=(i,))
        child = np.random.SeedSequence(root, spawn_key=(i,))
        return int(child.generate_state(1, dtype=np.uint64)[0]) & (2**63 - 1)

    children = np.random.SeedSequence(root).spawn(500)
    assert spawn_seeds(root, 500) == [
        int(c.generate_state(1, dtype=np.uint64)[0]) & (2**63 - 1) for c in children
    ]
    seeds = spawn_seeds(root, 1_000_000)
    for i in (65_535, 65_536, 123_457, 999_999):
        assert seeds[i] == numpy_seed(i)


def test_a_big_design_shows_progress_from_the_start(tmp_path):
    study = tmp_path / "big.toml"
    points = ", ".join(f"{t / 100:.2f}" for t in range(10))
    study.write_text(
        f"replicates = 20000\n[parameters]\nhorizon = 1\n[factors]\nstaff_turnover = [{points}]\n"
    )
    out = tmp_path / "out"
    proc = subprocess.Popen([*SWEEP, str(study), "--out", str(out), "--no-figures"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)  # fmt: skip
    try:
        header = proc.stdout.readline()
        assert header.startswith("partnersim sweep: study 'big': 200000 runs (10 points x 20000 replicates)")
        assert not (out / "big" / "chunks").exists()  # said before any run
        seen = ""
        while "preparing" not in seen:
            char = proc.stderr.read(1)
            assert char, f"the sweep ended without a progress bar: {seen!r}"
            seen += char
        assert not (out / "big" / "chunks").exists()
    finally:
        _kill_all([proc.pid])
        proc.wait(timeout=10)


def test_a_sobol_design_of_more_runs_than_allowed_is_refused_before_it_is_sampled(tmp_path, capsys):
    args = ["sobol", str(CONFIGS / "sobol-quick.toml"), "--n", str(2**24), "--out", str(tmp_path / "out")]
    assert cli_main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "asks for 201,326,592 runs (100,663,296 points x 2 replicates)" in err[0]
    assert not (tmp_path / "out").exists()


def test_sobol_fresh_into_a_busy_folder_refuses_and_clears_nothing(tmp_path, capsys):
    folder = tmp_path / "out" / "sobol-quick" / "sobol"
    folder.mkdir(parents=True)
    (folder / "sobol_indices.csv").write_text("the other run's analysis\n")
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time\nfrom partnersim.experiments import ResultStore\n"
         "with ResultStore(sys.argv[1]).lock():\n    print('ready', flush=True)\n    time.sleep(600)",
         str(folder)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "ready"
        args = ["sobol", str(CONFIGS / "sobol-quick.toml"), "--n", "4", "--replicates", "1", "--fresh",
                "--out", str(tmp_path / "out"), "--no-progress"]  # fmt: skip
        assert cli_main(args) == 2
    finally:
        _kill_all([holder.pid])
        holder.wait(timeout=10)
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"PID {holder.pid}" in err[0]
    assert (folder / "sobol_indices.csv").read_text() == "the other run's analysis\n"
