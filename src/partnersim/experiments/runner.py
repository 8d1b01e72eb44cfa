"""Run a list of :class:`RunSpec` on any executor, in chunks, resumably.

The model knows nothing of how it is run: a worker gets a chunk of specs and
a :class:`Task` (the model, or any picklable function of the parameters) and
returns plain tables; this process persists each finished chunk and, at the
end, writes the final tables and the manifest.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import math
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from partnersim.config import ConfigError
from partnersim.experiments.executors import ExecutorInfo, SerialExecutor, open_executor
from partnersim.experiments.results import KEY, OLD_ID, TABLES, ResultStore, concat
from partnersim.experiments.specs import RunSpec
from partnersim.io import check_output

__all__ = ["SweepResult", "Task", "run_chunk", "run_specs"]

#: size of the first chunks (runs) before the run time is known
FIRST_CHUNK = 4

#: wall time a chunk aims at (seconds): per-task overhead stays ~1% and a kill loses little
CHUNK_SECONDS = 1.0

#: the least work a chunk carries once the run time is known (seconds): the guided tail is not cut
#: into single runs, each of which would cost this process a table written and the executor a task
MIN_CHUNK_SECONDS = 0.1

#: how often (seconds, at most) a Dask cluster's workers are counted again while a sweep runs
RECOUNT_SECONDS = 0.5

#: how often (seconds, at most) manifest.json's ``runs_done`` is brought up to date while a sweep runs
MANIFEST_SECONDS = 2.0

#: designs of at least this many runs show a progress bar while their runs are keyed
PREPARE_SHOWN = 50_000

#: what ran a sweep; a rerun with nothing left to run keeps the record of the one that ran it
EXECUTOR_RECORD = ("executor", "workers", "workers_at_start", "scheduler", "chunk_size")

_VERSIONED = (
    "mesa",
    "numpy",
    "pandas",
    "scipy",
    "pyarrow",
    "dask",
    "distributed",
    "matplotlib",
    "seaborn",
    "tqdm",
)


@dataclass(frozen=True)
class Task:
    """What a worker does with each spec.

    Attributes:
        fn: ``None`` runs the partnership model; otherwise a picklable
            function called as ``fn(**params)`` returning a mapping of
            scalar outcomes (e.g. :func:`partnersim.simulate`, or the
            Ishigami function).
        seed_param: name under which the run's seed is passed (``rng``);
            ``None`` passes no seed.
        outcomes: outcome names to keep (``None``: all the task returns).
        timeseries, partnerships: also keep the model's monthly series and
            partnership table (model only).
    """

    fn: Callable[..., Mapping[str, Any]] | None = None
    seed_param: str | None = "rng"
    outcomes: tuple[str, ...] | None = None
    timeseries: bool = False
    partnerships: bool = False

    def identity(self) -> dict[str, Any]:
        """What makes results comparable on resume."""
        fn = "partnersim.model" if self.fn is None else f"{self.fn.__module__}.{self.fn.__qualname__}"
        return {
            "fn": fn,
            # model code changed since a run finished: run it again rather than mix versions
            "model_code": model_fingerprint() if self.fn is None else None,
            "seed_param": self.seed_param,
            "outcomes": list(self.outcomes) if self.outcomes else None,
            "timeseries": self.timeseries,
            "partnerships": self.partnerships,
        }


@dataclass
class SweepResult:
    """What :func:`run_specs` returns.

    ``runs`` has one row per spec, sorted by run_id: ``run_id``,
    ``point_id``, ``replicate``, ``seed``, the spec's parameters, then the
    outcomes. ``timeseries``/``partnerships`` carry ``run_id`` too.
    ``n_resumed`` runs were kept from an earlier sweep into the same folder
    (``n_renumbered`` of them under a new run_id, e.g. after replicates were
    added), ``n_ran`` were run now, of which ``n_stale`` reuse a run_id
    whose earlier run had other parameters, another seed or other model code.
    ``executor`` and ``workers`` are what this call ran on.
    """

    runs: pd.DataFrame
    timeseries: pd.DataFrame | None = None
    partnerships: pd.DataFrame | None = None
    out: Path | None = None
    n_resumed: int = 0
    n_ran: int = 0
    n_stale: int = 0
    n_renumbered: int = 0
    manifest: dict[str, Any] = field(default_factory=dict)
    #: what this call ran on (the manifest keeps what did the work, which differs when nothing ran now)
    executor: str = "serial"
    workers: int = 1


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    return str(value)


@functools.cache
def model_fingerprint() -> str:
    """A hash of the model's source (model, agents, mechanisms, schema, the monthly stages and their compiled form)."""
    import partnersim

    root = Path(partnersim.__file__).resolve().parent
    digest = hashlib.sha1()
    # the stages hold the monthly cycle: a change there changes results as much as one in mechanisms.py
    names = ["model.py", "agents.py", "mechanisms.py", "schema.py"]
    names += sorted(f"stages/{p.name}" for p in (root / "stages").glob("*.py"))
    names += sorted(f"fast/{p.name}" for p in (root / "fast").glob("*.py"))
    for name in names:
        path = root / name
        digest.update(path.read_bytes() if path.exists() else b"")
    return digest.hexdigest()[:16]


def spec_key(spec: RunSpec, identity: Mapping[str, Any]) -> str:
    """A short hash of everything that determines a run's result (``identity``: :meth:`Task.identity`)."""
    blob = json.dumps(
        {"params": dict(spec.params), "seed": spec.seed, "task": dict(identity)},
        sort_keys=True,
        default=_plain,
    )
    return hashlib.sha1(blob.encode()).hexdigest()[:16]


def spec_keys(specs: Sequence[RunSpec], identity: Mapping[str, Any]) -> dict[int, str]:
    """:func:`spec_key` of every spec by run_id, fast: each point's parameters are written out once.

    The text hashed is exactly :func:`spec_key`'s, so keys match those of earlier sweeps.
    """
    task = json.dumps(dict(identity), sort_keys=True, default=_plain)
    written: dict[int, tuple[Mapping[str, Any], str]] = {}
    keys = {}
    for s in specs:
        # specs of one point share its parameters (make_specs): keyed by identity, kept alive here
        known = written.get(id(s.params))
        if known is None or known[0] is not s.params:
            known = written[id(s.params)] = (
                s.params,
                json.dumps(dict(s.params), sort_keys=True, default=_plain),
            )
        seed = str(s.seed) if type(s.seed) is int else json.dumps(s.seed, default=_plain)
        blob = f'{{"params": {known[1]}, "seed": {seed}, "task": {task}}}'
        keys[s.run_id] = hashlib.sha1(blob.encode()).hexdigest()[:16]
    return keys


def _run_one(spec: RunSpec, task: Task) -> tuple[dict[str, Any], pd.DataFrame | None, pd.DataFrame | None]:
    params = dict(spec.params)
    if task.seed_param:
        params[task.seed_param] = spec.seed
    ts = table = None
    if task.fn is None:
        from partnersim.model import run_for_outputs

        with run_for_outputs(params, collect=task.timeseries) as model:
            outcomes: Mapping[str, Any] = model.summary()
            if task.timeseries:
                ts = model.timeseries().reset_index()
            if task.partnerships:
                table = model.partnership_table()
    else:
        outcomes = task.fn(**params)
    if task.outcomes is not None:
        missing = [k for k in task.outcomes if k not in outcomes]
        if missing:
            raise KeyError(f"the task returned no outcome {missing}; it returned {sorted(outcomes)}")
        outcomes = {k: outcomes[k] for k in task.outcomes}
    return dict(outcomes), ts, table


#: how the note added to an exception raised by a run begins
RUN_NOTE = "in partnersim run_id "


def run_note(spec: RunSpec) -> str:
    """The note added to an exception raised by a run: its run_id, point, replicate, seed and parameters."""
    return (
        f"{RUN_NOTE}{spec.run_id} (point_id {spec.point_id}, replicate {spec.replicate}, "
        f"seed {spec.seed}) with parameters {dict(spec.params)}"
    )


def run_chunk(specs: Sequence[RunSpec], task: Task) -> dict[str, Any]:
    """Run a chunk of specs in this process; the unit of work sent to an executor.

    An exception raised by a run gets a note (:func:`run_note`) naming the run.

    Returns ``{"runs": ..., "timeseries": ..., "partnerships": ..., "elapsed": seconds}``;
    the two optional tables are ``None`` unless the task keeps them.
    """
    started = time.perf_counter()
    rows, series, tables = [], [], []
    for spec in specs:
        try:
            outcomes, ts, table = _run_one(spec, task)
        except Exception as exc:
            # a note survives pickling, so the run is named whichever worker it failed on
            exc.add_note(run_note(spec))
            raise
        ids = {
            "run_id": spec.run_id,
            "point_id": spec.point_id,
            "replicate": spec.replicate,
            "seed": spec.seed,
        }
        clash = set(outcomes) & (set(ids) | set(spec.params))
        if clash:
            raise ValueError(f"outcome names {sorted(clash)} clash with parameter or id columns")
        rows.append({**ids, **dict(spec.params), **outcomes})
        if ts is not None:
            ts.insert(0, "run_id", spec.run_id)
            series.append(ts)
        if table is not None:
            table.insert(0, "run_id", spec.run_id)
            tables.append(table)
    return {
        "elapsed": time.perf_counter() - started,
        "runs": pd.DataFrame(rows),
        "timeseries": concat(series) if task.timeseries and series else None,
        "partnerships": concat(tables) if task.partnerships and tables else None,
    }


@functools.cache
def _bar_class() -> type:
    from tqdm.auto import tqdm

    class Bar(tqdm):  # type: ignore[misc, valid-type]
        # tqdm's monitor thread would outlive the bar; with a thread running, worker pools
        # must start by forkserver (each worker imports the model again) instead of fork
        monitor_interval = 0

    return Bar


def progress_bar(*args: Any, **kwargs: Any) -> Any:
    """A tqdm progress bar (``tqdm.auto``) that starts no monitor thread in this process."""
    return _bar_class()(*args, **kwargs)


def next_chunk_size(seconds_per_run: float | None, remaining: int, workers: int) -> int:
    """Runs in the next chunk: about :data:`CHUNK_SECONDS` of work (more with many workers), never so many that workers idle at the end.

    Before any run has finished (``seconds_per_run`` is ``None``) chunks are
    :data:`FIRST_CHUNK` runs long (fewer near the end); after, none is shorter than
    :data:`MIN_CHUNK_SECONDS` (but for the last runs).
    """
    if remaining <= 0:
        return 0
    # many workers: longer chunks, so saving them never makes this process the bottleneck
    target = max(CHUNK_SECONDS, 0.1 * workers)
    size = FIRST_CHUNK if not seconds_per_run else round(target / seconds_per_run)
    # guided: chunks shrink with what is left (4 per worker), so workers finish together,
    # down to a floor that keeps the per-chunk cost small: a worker idles at most that long
    balance = math.ceil(remaining / (4 * max(1, workers)))
    floor = 1 if not seconds_per_run else math.ceil(MIN_CHUNK_SECONDS / seconds_per_run)
    return min(max(min(size, balance), floor), remaining)


def _check_specs(specs: Sequence[RunSpec], task: Task) -> None:
    ids = [s.run_id for s in specs]
    if len(set(ids)) != len(ids):
        raise ValueError("run_ids repeat: every spec needs its own run_id")
    if task.fn is None:
        from partnersim.schema import validate

        seen: set[int] = set()
        for s in specs:  # once per point: invalid parameters fail before anything runs
            if s.point_id not in seen:
                seen.add(s.point_id)
                validate({**s.params, **({task.seed_param: s.seed} if task.seed_param else {})})
    elif task.timeseries or task.partnerships:
        raise ValueError("timeseries and partnerships tables come from the model only (fn=None)")


ID_COLUMNS = ("run_id", "point_id", "replicate", "seed")


def _runs_columns(specs: Sequence[RunSpec], task: Task) -> Callable[[pd.DataFrame], list[str]]:
    """The columns of the runs table, in order: ids, the specs' parameters, then the outcomes.

    Only columns the current specs and task define are kept, so the table is
    the same whether runs were kept from an earlier sweep or run now. With no
    fixed list of outcomes, every other column the kept runs returned is an outcome.
    """
    params = list(dict.fromkeys(k for s in specs for k in s.params))
    fixed = [*ID_COLUMNS, *params]

    def pick(runs: pd.DataFrame) -> list[str]:
        if task.outcomes is not None:
            outcomes = list(task.outcomes)
        else:
            outcomes = [c for c in runs.columns if c not in fixed and c != KEY]
        return [c for c in (*fixed, *outcomes) if c in runs.columns]

    return pick


def _as_run_dtypes(runs: pd.DataFrame, specs: Sequence[RunSpec]) -> pd.DataFrame:
    """Give whole-number and true/false parameter columns the dtype a fresh sweep gives them.

    A chunk that mixed a kept run with one of an older version lacking the
    parameter stored it as floats with gaps; the kept rows have no gap.
    """
    kinds: dict[str, set[type]] = {}
    seen: set[int] = set()
    for s in specs:
        if s.point_id not in seen:
            seen.add(s.point_id)
            for k, v in s.params.items():
                kinds.setdefault(k, set()).add(type(v))
    for name, types in kinds.items():
        dtype = {frozenset({bool}): "bool", frozenset({int}): "int64"}.get(frozenset(types))
        if dtype and name in runs and runs[name].dtype != dtype and runs[name].notna().all():
            runs[name] = runs[name].astype(dtype)
    return runs


def _versions() -> dict[str, str]:
    from partnersim import __version__

    out = {"partnersim": __version__, "python": platform.python_version()}
    for name in _VERSIONED:
        with contextlib.suppress(metadata.PackageNotFoundError):
            out[name] = metadata.version(name)
    return out


def _package_dir() -> Path:
    """The folder partnersim is imported from."""
    import partnersim

    return Path(partnersim.__file__).resolve().parent


def _git(where: Path, *args: str) -> str | None:
    try:
        res = subprocess.run(["git", "-C", str(where), *args], capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return None
    return (res.stdout.strip() or None) if res.returncode == 0 else None


def _git_info() -> dict[str, Any]:
    """``git_commit``, ``git_describe`` (``git describe --always --dirty``) and ``git_dirty``.

    Recorded only when partnersim is imported from the work tree of its own
    repository (``<top>/src/partnersim``); an install inside some other
    repository (a virtualenv in an analysis project) records ``None``, not
    that repository's commit.
    """
    none: dict[str, Any] = {"git_commit": None, "git_describe": None, "git_dirty": None}
    package = _package_dir()
    top = _git(package, "rev-parse", "--show-toplevel")
    if top is None or (Path(top).resolve() / "src" / "partnersim") != package:
        return none
    commit = _git(package, "rev-parse", "HEAD")
    describe = _git(package, "describe", "--always", "--dirty")
    if commit is None or describe is None:
        return none
    return {"git_commit": commit, "git_describe": describe, "git_dirty": describe.endswith("-dirty")}


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def run_specs(
    specs: Sequence[RunSpec],
    out: str | Path | None = None,
    *,
    executor: str | Executor = "serial",
    workers: int | None = None,
    scheduler: str | None = None,
    chunk_size: int | None = None,
    fn: Callable[..., Mapping[str, Any]] | None = None,
    seed_param: str | None = "rng",
    outcomes: Sequence[str] | None = None,
    timeseries: bool = False,
    partnerships: bool = False,
    fresh: bool = False,
    progress: bool = False,
    manifest: Mapping[str, Any] | None = None,
) -> SweepResult:
    """Run every spec and return (and, with ``out``, persist) the results.

    Args:
        specs: the runs, e.g. from :func:`make_specs`.
        out: results folder. Each finished chunk is saved there at once;
            running again with the same specs resumes (finished runs kept,
            the rest run). ``None`` keeps everything in memory.
        executor: ``serial``, ``processes``, ``dask`` or any
            ``concurrent.futures.Executor`` (not shut down here).
        workers, scheduler: see :func:`open_executor`.
        chunk_size: runs per task (default: adaptive, about :data:`CHUNK_SECONDS` each).
        fn, seed_param, outcomes, timeseries, partnerships: see :class:`Task`.
        fresh: forget earlier results in ``out`` first.
        progress: show a progress bar (rate, ETA) on stderr.
        manifest: extra entries for ``manifest.json`` (e.g. the study).

    Results do not depend on the executor, the number of workers or the
    chunking: each run is seeded from its spec alone.
    """
    task = Task(
        fn=fn,
        seed_param=seed_param,
        outcomes=tuple(outcomes) if outcomes is not None else None,
        timeseries=timeseries,
        partnerships=partnerships,
    )
    _check_specs(specs, task)
    identity = task.identity()
    # a big design takes a while to key: show that from the start
    shown = progress and len(specs) >= PREPARE_SHOWN
    keys = spec_keys(
        progress_bar(specs, desc="preparing", unit="run", disable=not shown, leave=False), identity
    )
    wanted = ("runs", *(n for n, on in (("timeseries", timeseries), ("partnerships", partnerships)) if on))
    store = ResultStore(out) if out is not None else None
    if store is None:
        return _run(specs, task, keys, wanted, None, executor, workers, scheduler, chunk_size, fresh,
                    progress, manifest)  # fmt: skip
    # an output folder that cannot be used is refused before any model runs
    check_output(store.out, files=[f"{t}.parquet" for t in TABLES] + ["manifest.json"],
                 folders=["chunks", "figures", "damaged"])  # fmt: skip
    with store.lock():
        store.remove_partial()
        return _run(specs, task, keys, wanted, store, executor, workers, scheduler, chunk_size, fresh,
                    progress, manifest)  # fmt: skip


def _run(
    specs: Sequence[RunSpec],
    task: Task,
    keys: Mapping[int, str],
    wanted: tuple[str, ...],
    store: ResultStore | None,
    executor: str | Executor,
    workers: int | None,
    scheduler: str | None,
    chunk_size: int | None,
    fresh: bool,
    progress: bool,
    manifest: Mapping[str, Any] | None,
) -> SweepResult:
    """:func:`run_specs` once its arguments are checked (and the results folder locked)."""
    fn = task.fn
    reuse = store is not None and not fresh
    previous = store.read_manifest() if reuse else {}  # type: ignore[union-attr]
    # a finished run is kept under the current run_id of its spec (run_ids shift when replicates change)
    ids = {s.run_id: {"point_id": s.point_id, "replicate": s.replicate} for s in specs}
    kept = store.finished(keys, ids) if reuse else None  # type: ignore[union-attr]
    done_ids = set(kept["run_id"]) if kept is not None else set()
    n_stale = store.stale(keys, kept) if kept is not None else 0  # type: ignore[union-attr]
    n_renumbered = int((kept["run_id"] != kept[OLD_ID]).sum()) if kept is not None else 0
    if store is not None and kept is not None:
        _refuse_discarding_most(store, previous, len(kept))
    todo = [s for s in specs if s.run_id not in done_ids]
    memory: dict[str, list[pd.DataFrame]] = {n: [] for n in wanted}

    started = _now()
    with contextlib.ExitStack() as stack:
        pool: Executor | None = None
        if todo:
            # reach the executor first: a scheduler that cannot be reached leaves the results as they were
            pool, info = stack.enter_context(open_executor(executor, workers, scheduler))
        else:  # all done already: start no processes, reach no cluster
            name = executor if isinstance(executor, str) else type(executor).__name__
            info = ExecutorInfo(name, _planned_workers(name, workers), scheduler)
        if store is not None and fresh:
            store.clear()
        meta: dict[str, Any] = {}
        session: dict[str, Any] = {}
        count = {"done": len(done_ids), "written": time.monotonic()}

        def begin() -> None:
            # called once the first chunks are out, so workers start while this process writes
            meta.update(_manifest(manifest, info, chunk_size or "adaptive", started, len(specs), fn, task))
            meta["runs_resumed"] = len(done_ids)
            session.update(
                {
                    "started": started,
                    "finished": None,
                    "runs_run": 0,
                    **{k: meta[k] if todo else None for k in EXECUTOR_RECORD},
                    "git_describe": meta["git_describe"],
                    "command": meta["command"],
                }
            )
            if not todo:
                # nothing ran now: keep the record of what did the work
                meta.update({k: previous[k] for k in EXECUTOR_RECORD if k in previous})
            meta["sessions"] = [*_sessions(previous), session]
            if store is not None:
                store.write_manifest({**meta, "status": "running", "runs_done": len(done_ids)})

        def keep(result: dict[str, pd.DataFrame | None]) -> None:
            runs = result["runs"]
            runs[KEY] = runs["run_id"].map(keys)  # type: ignore[index]
            count["done"] += len(runs)  # type: ignore[arg-type]
            session["runs_run"] += len(runs)  # type: ignore[arg-type]
            if store is not None:
                store.save_chunk(result)
                if time.monotonic() - count["written"] >= MANIFEST_SECONDS:
                    # runs_done follows the sweep, cheaply: at most one manifest write every few seconds
                    store.write_manifest({**meta, "status": "running", "runs_done": count["done"]})
                    count["written"] = time.monotonic()
            else:
                for n in wanted:
                    if result.get(n) is not None:
                        memory[n].append(result[n])  # type: ignore[arg-type]

        try:
            if pool is not None:
                _drive(pool, info, todo, chunk_size, task, keep, begin, progress, len(specs), len(done_ids))
                # a cluster may have grown while the sweep ran: record the most workers seen
                meta["workers"] = session["workers"] = max(info.peak, int(meta.get("workers_at_start", 0)))
            else:
                begin()
        except BaseException as exc:
            if store is not None and meta:
                # Ctrl-C, SIGTERM (raised as KeyboardInterrupt) or a failure: say so, with the runs on disk
                stopped = "interrupted" if isinstance(exc, KeyboardInterrupt) else "failed"
                _record_stop(store, meta, session, keys, stopped)
            raise

    columns = _runs_columns(specs, task)
    if store is not None:
        tables = store.collect(keys, wanted, columns, ids)
        tables["runs"] = _as_run_dtypes(tables["runs"], specs)
    else:
        tables = {n: concat(memory[n]) for n in wanted}
        for n in wanted:
            tables[n] = tables[n].sort_values("run_id", kind="stable").reset_index(drop=True)
        tables["runs"] = tables["runs"][columns(tables["runs"])]
    runs = tables["runs"]
    if len(runs) != len(specs) or set(runs["run_id"]) != set(keys):
        raise RuntimeError(f"sweep ended with {len(runs)} of {len(specs)} runs; run it again to resume")
    meta.update({"status": "complete", "finished": _now(), "runs_done": len(runs)})
    session["finished"] = meta["finished"]
    if store is not None:
        store.write_final(tables)
        store.write_manifest(meta)
    return SweepResult(
        runs=runs,
        timeseries=tables.get("timeseries"),
        partnerships=tables.get("partnerships"),
        out=store.out if store is not None else None,
        n_resumed=len(done_ids),
        n_ran=len(todo),
        n_stale=n_stale,
        n_renumbered=n_renumbered,
        manifest=meta,
        executor=info.kind,
        workers=info.peak if pool is not None else info.workers,
    )


class StudyChanged(ConfigError):
    """Most runs finished in a results folder no longer match the runs asked for."""


def _refuse_discarding_most(store: ResultStore, previous: Mapping[str, Any], n_kept: int) -> None:
    """Stop before replacing results of which most runs would not be kept (the study changed).

    ``previous``: the folder's manifest; ``n_kept``: finished runs that match a current spec.
    """
    before = previous.get("runs_done")
    if not isinstance(before, int) or isinstance(before, bool) or before <= 0 or 2 * n_kept >= before:
        return
    raise StudyChanged(
        f"{store.out} holds {before} finished runs, and only {n_kept} of them match the runs asked for "
        "now (other parameters, seeds, outcomes or model code): run with --fresh to discard them and "
        "start over, or choose another --out to keep them"
    )


def _record_stop(
    store: ResultStore,
    meta: dict[str, Any],
    session: dict[str, Any],
    keys: Mapping[int, str],
    status: str,
) -> None:
    """Write the manifest of a sweep that stopped early: its status and the runs really on disk."""
    with contextlib.suppress(Exception):  # a full disk must not hide why the sweep stopped
        done = len(store.finished(keys))
        session.update({"stopped": _now(), "status": status})
        store.write_manifest({**meta, "status": status, "runs_done": done})


def _planned_workers(kind: str, workers: int | None) -> int:
    """The workers an executor would have had (the manifest of a call with nothing to run)."""
    if workers:
        return workers
    if kind == "processes":
        return os.cpu_count() or 1
    return 2 if kind == "dask" else 1


def _sessions(previous: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The sessions (one per call that reached this folder) of an earlier manifest."""
    sessions = previous.get("sessions")
    if isinstance(sessions, list):
        return [s for s in sessions if isinstance(s, dict)]
    if "executor" in previous:  # written before sessions were recorded
        return [{k: previous.get(k) for k in ("started", "finished", *EXECUTOR_RECORD, "command")}]
    return []


def _manifest(
    extra: Mapping[str, Any] | None,
    info: ExecutorInfo,
    chunk_size: int,
    started: str,
    n_runs: int,
    fn: Callable[..., Any] | None,
    task: Task,
) -> dict[str, Any]:
    return {
        **dict(extra or {}),
        "task": task.identity(),
        "versions": _versions(),
        **_git_info(),
        "executor": info.kind,
        "workers": info.workers,
        "workers_at_start": info.workers,
        "scheduler": info.scheduler,
        "chunk_size": chunk_size,
        "started": started,
        "finished": None,
        "runs_total": n_runs,
        "command": sys.argv if fn is None else None,
    }


def _drive(
    pool: Executor,
    info: ExecutorInfo,
    todo: list[RunSpec],
    chunk_size: int | None,
    task: Task,
    keep: Callable[[dict[str, pd.DataFrame | None]], None],
    begin: Callable[[], None],
    progress: bool,
    total: int,
    initial: int,
) -> None:
    """Submit chunks with a bounded number in flight; keep each as it finishes.

    ``begin`` runs once the first chunks are submitted.

    Without a fixed ``chunk_size``, chunks grow to about :data:`CHUNK_SECONDS`
    of work once the time per run is known (workers report it).
    """
    serial = isinstance(pool, SerialExecutor)
    pending: dict[Future, int] = {}
    state = {"next": 0, "busy": 0.0, "runs": 0}
    # a Dask cluster can grow (or shrink) during the sweep: count its slots again, at most this often
    recount_every = RECOUNT_SECONDS if info.count is not None else None
    counted = {"at": time.monotonic()}
    with progress_bar(
        total=total, initial=initial, unit="run", disable=not progress, dynamic_ncols=True, smoothing=0.1
    ) as bar:

        def fill() -> None:
            if recount_every is not None and time.monotonic() - counted["at"] >= recount_every:
                info.recount()
                counted["at"] = time.monotonic()
            # a few chunks queued per worker keeps workers busy without losing much on a kill
            limit = 1 if serial else 2 * info.workers
            while len(pending) < limit and state["next"] < len(todo):
                per_run = state["busy"] / state["runs"] if state["runs"] else None
                size = chunk_size or next_chunk_size(per_run, len(todo) - int(state["next"]), info.workers)
                start = int(state["next"])
                chunk = todo[start : start + size]
                state["next"] = start + len(chunk)
                pending[pool.submit(run_chunk, chunk, task)] = len(chunk)

        try:
            fill()
            begin()
            while pending:
                # with a cluster that can grow, wake up now and then to give new workers work
                finished, _ = wait(list(pending), timeout=recount_every, return_when=FIRST_COMPLETED)
                error: BaseException | None = None
                for future in finished:
                    n = pending.pop(future)
                    # keep every chunk that succeeded before reporting a failed one
                    if future.exception() is not None:
                        error = error or future.exception()
                        continue
                    result = future.result()
                    state["busy"] += float(result.pop("elapsed", 0.0) or 0.0)  # type: ignore[arg-type]
                    state["runs"] += n
                    keep(result)
                    bar.update(n)
                if error is not None:
                    raise error
                fill()
        finally:
            for future in pending:
                future.cancel()
