"""Executors: names checked; a Dask client's executor is sized by its workers."""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pandas as pd
import pytest

from partnersim.experiments import SerialExecutor, make_specs, open_executor, run_specs


def _in_a_fresh_interpreter(code: str) -> str:
    """What ``code`` prints, run by a new interpreter: no thread, cluster or import of another test."""
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    return out.stdout.strip()


@pytest.mark.parametrize(
    ("kind", "workers", "scheduler", "match"),
    [
        ("mpi", None, None, "unknown executor"),
        ("processes", 0, None, "at least 1"),
        ("serial", None, "tcp://127.0.0.1:1", "needs the dask executor"),
    ],
)
def test_open_executor_refuses_bad_requests(kind, workers, scheduler, match):
    with pytest.raises(ValueError, match=match), open_executor(kind, workers, scheduler):
        pass


def test_an_executor_we_do_not_own_is_used_as_is_and_left_open():
    pool = ThreadPoolExecutor(max_workers=3)
    with open_executor(pool) as (executor, info):
        assert executor is pool and info.workers == 3
    assert pool.submit(lambda: 2).result() == 2  # not shut down
    pool.shutdown()
    with open_executor("serial") as (executor, info):
        assert isinstance(executor, SerialExecutor) and info.workers == 1


def test_dask_client_executor_is_sized_by_its_threads_and_matches_serial():
    from distributed import Client, LocalCluster

    specs = make_specs([{"horizon": 12, "staff_turnover": t} for t in (0.1, 0.5)], 3, root_seed=4)
    serial = run_specs(specs)
    # threads, not processes: quick, and the same code path as a remote cluster's executor
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster,
        Client(cluster) as client,
    ):
        res = run_specs(specs, executor=client.get_executor(), chunk_size=1)
    assert res.manifest["workers"] == 2
    pd.testing.assert_frame_equal(res.runs, serial.runs)


def test_workers_fork_only_while_this_process_has_one_thread():
    import threading

    from partnersim.experiments.executors import _process_context

    stop = threading.Event()
    helper = threading.Thread(target=stop.wait, daemon=True)
    helper.start()
    try:
        assert _process_context().get_start_method() == "forkserver"
    finally:
        stop.set()
        helper.join(timeout=5)
    if threading.active_count() == 1:  # pytest plugins may keep threads of their own
        assert _process_context().get_start_method() == "fork"


def test_a_sweep_with_a_progress_bar_leaves_no_thread_behind(tmp_path):
    # tqdm's monitor thread would make every later pool start by forkserver, importing the model
    # again in each worker; run in a fresh interpreter, where no other test has started one
    code = (
        "import threading\n"
        "from partnersim.experiments import make_specs, run_specs\n"
        "specs = make_specs([{'horizon': 6}], 2, root_seed=1)\n"
        f"run_specs(specs, {str(tmp_path)!r}, progress=True)\n"
        "print(threading.active_count())\n"
    )
    assert _in_a_fresh_interpreter(code).splitlines()[-1] == "1"


def test_a_local_dask_cluster_runs_its_workers_without_the_sampling_profiler():
    import dask

    from partnersim.experiments.executors import LOCAL_WORKER_CONFIG

    with open_executor("dask", 1) as (executor, _):
        seen = executor._client.run(lambda: {k: dask.config.get(k) for k in LOCAL_WORKER_CONFIG})
    assert list(seen.values()) == [LOCAL_WORKER_CONFIG]
    assert dask.config.get("distributed.worker.profile.enabled") is True  # this process is left as it was


def _cluster_report(thread_first: bool) -> list[str]:
    """In a fresh interpreter: whether the local cluster's workers have nannies, are this process's
    children, and give the serial runs' outcomes."""
    code = (
        "import os, threading, time\n"
        "from partnersim.experiments import make_specs, open_executor, run_specs\n"
        f"if {thread_first}:\n"
        "    threading.Thread(target=time.sleep, args=(60,), daemon=True).start()\n"
        "specs = make_specs([{'horizon': 12, 'staff_turnover': t} for t in (0.1, 0.5)], 3, root_seed=4)\n"
        "serial = run_specs(specs).runs\n"
        "with open_executor('dask', 2) as (executor, info):\n"
        "    workers = executor._client.scheduler_info()['workers'].values()\n"
        "    parents = executor._client.run(os.getppid).values()\n"
        "    runs = run_specs(specs, executor=executor, chunk_size=1).runs\n"
        "print(len(workers), all(w.get('nanny') for w in workers), set(parents) == {os.getpid()},\n"
        "      runs.equals(serial))\n"
    )
    return _in_a_fresh_interpreter(code).split()


def test_a_local_dask_cluster_forks_its_workers_from_a_process_with_one_thread():
    # forked workers start with the model loaded (no nanny spawning a fresh interpreter)
    assert _cluster_report(thread_first=False) == ["2", "False", "True", "True"]


def test_a_process_with_threads_gets_a_local_dask_cluster_of_spawned_nannies_instead():
    # forking a process with threads can deadlock the child: nannies spawn fresh interpreters
    assert _cluster_report(thread_first=True) == ["2", "True", "True", "True"]


def test_forked_workers_leave_on_their_own_when_the_scheduler_fails_to_start():
    # each worker waits for the scheduler's address; if none comes, closing the pipes must end them
    # all (exit code 0), not leave them for the kill after the join's timeout (-9)
    code = (
        "import multiprocessing, distributed\n"
        "from partnersim.experiments import open_executor\n"
        "ctx = multiprocessing.get_context('fork')\n"
        "started = []\n"
        "class Recorded(ctx.Process):\n"
        "    def start(self):\n"
        "        started.append(self)\n"
        "        super().start()\n"
        "ctx.Process = Recorded\n"
        "def broken(*args, **kwargs):\n"
        "    raise RuntimeError('no scheduler')\n"
        "distributed.LocalCluster = broken\n"
        "try:\n"
        "    with open_executor('dask', 3):\n"
        "        pass\n"
        "except RuntimeError as exc:\n"
        "    print(exc, [p.exitcode for p in started])\n"
    )
    assert _in_a_fresh_interpreter(code) == "no scheduler [0, 0, 0]"


def test_a_forked_worker_that_dies_before_joining_is_an_error_at_once_not_a_silent_sweep():
    code = (
        "import os\n"
        "from partnersim.experiments import executors, open_executor\n"
        "executors._forked_worker = lambda address, owner, inherited: os._exit(3)\n"
        "try:\n"
        "    with open_executor('dask', 2):\n"
        "        print('opened')\n"
        "except executors.ExecutorUnavailable as exc:\n"
        "    print(exc)\n"
    )
    said = _in_a_fresh_interpreter(code)
    assert said.startswith("Dask worker partnersim-dask-") and "exited with code 3 before it joined" in said


def test_a_chunk_that_kills_every_forked_worker_fails_instead_of_waiting_for_ever():
    # no nanny starts new workers: the scheduler's no-workers timeout must fail the chunk
    code = (
        "import os\n"
        "from partnersim.experiments import open_executor\n"
        "with open_executor('dask', 2) as (executor, info):\n"
        "    future = executor.submit(os._exit, 1)\n"
        "    try:\n"
        "        future.result(timeout=60)\n"
        "    except TimeoutError:\n"
        "        print('still waiting')\n"
        "    except Exception as exc:\n"
        "        print(type(exc).__name__)\n"
    )
    assert _in_a_fresh_interpreter(code) in ("NoWorkerError", "KilledWorker")


#: objects a bare Python 3.12 interpreter already holds in the collector's permanent generation
#: (375 here) are far fewer than the preload's freeze puts there (about 177,000)
FROZEN_BY_THE_PRELOAD = 10_000


def _worker_state() -> tuple[bool, bool, bool]:
    import gc
    import sys

    return (
        "partnersim.experiments.runner" in sys.modules,
        "partnersim.fast.kernels" in sys.modules,
        gc.get_freeze_count() > FROZEN_BY_THE_PRELOAD,
    )


def test_a_local_dask_clusters_workers_have_the_model_loaded_before_their_first_task():
    # the preload imports the runner, loads the engine and freezes the import-time heap;
    # the function sent here is this module's, so it does not import them itself
    with open_executor("dask", 1) as (executor, _):
        seen = executor._client.run(_worker_state)
    assert list(seen.values()) == [(True, True, True)]


def test_the_preload_leaves_a_process_with_the_model_loaded_and_its_heap_frozen():
    code = (
        "import gc, sys\n"
        "from partnersim.experiments.preload import dask_setup\n"
        "assert 'partnersim.experiments.runner' not in sys.modules\n"
        "before = gc.get_freeze_count()\n"
        "dask_setup(None)\n"
        f"print('partnersim.experiments.runner' in sys.modules, gc.get_freeze_count() - before > {FROZEN_BY_THE_PRELOAD})\n"
    )
    assert _in_a_fresh_interpreter(code).split() == ["True", "True"]
