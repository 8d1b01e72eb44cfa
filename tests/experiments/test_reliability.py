"""Results that survive kills, damage, full disks and a second run; workers that never outlive the run."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

SWEEP = [sys.executable, "-m", "partnersim.cli", "sweep"]

KILLABLE = """
name = "killable"
replicates = 20
seed = 99
outcomes = ["survival_rate", "total_output"]
[parameters]
horizon = 120
[factors]
coordinator = [true, false]
"""


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
def test_workers_exit_when_a_sweep_on_processes_is_killed_with_sigkill(tmp_path):
    study = tmp_path / "killable.toml"
    study.write_text(KILLABLE, encoding="utf-8")
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
