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
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from partnersim.config import ConfigError
from partnersim.experiments.executors import ExecutorInfo, SerialExecutor, open_executor
from partnersim.experiments.provenance import git_info, model_fingerprint, now, versions
from partnersim.experiments.results import KEY, OLD_ID, TABLES, ResultStore, concat
from partnersim.experiments.specs import RunSpec
from partnersim.io import check_output

__all__ = ["SweepResult", "SweepRun", "Task", "run_chunk", "run_specs"]

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

    def check(self, specs: Sequence[RunSpec]) -> None:
        """Refuse what no run could do, before any runs: the model checks each point's parameters against its schema."""
        if self.fn is not None:
            if self.timeseries or self.partnerships:
                raise ValueError("timeseries and partnerships tables come from the model only (fn=None)")
            return
        from partnersim.schema import validate

        seen: set[int] = set()
        for s in specs:  # once per point: invalid parameters fail before anything runs
            if s.point_id not in seen:
                seen.add(s.point_id)
                validate({**s.params, **({self.seed_param: s.seed} if self.seed_param else {})})

    def run(self, spec: RunSpec) -> tuple[dict[str, Any], pd.DataFrame | None, pd.DataFrame | None]:
        """One run: its outcomes (only :attr:`outcomes`, if given), monthly series and partnership table."""
        params = dict(spec.params)
        if self.seed_param:
            params[self.seed_param] = spec.seed
        if self.fn is None:
            outcomes, ts, table = model_outputs(
                params, timeseries=self.timeseries, partnerships=self.partnerships
            )
        else:
            outcomes, ts, table = self.fn(**params), None, None
        if self.outcomes is not None:
            missing = [k for k in self.outcomes if k not in outcomes]
            if missing:
                raise KeyError(f"the task returned no outcome {missing}; it returned {sorted(outcomes)}")
            outcomes = {k: outcomes[k] for k in self.outcomes}
        return dict(outcomes), ts, table


def model_outputs(
    params: Mapping[str, Any], *, timeseries: bool = False, partnerships: bool = False
) -> tuple[Mapping[str, Any], pd.DataFrame | None, pd.DataFrame | None]:
    """The partnership model as a task: its summary outcomes, and its monthly series and partnership table if asked."""
    from partnersim.model import run_for_outputs

    ts = table = None
    with run_for_outputs(params, collect=timeseries) as model:
        outcomes = model.summary()
        if timeseries:
            ts = model.timeseries().reset_index()
        if partnerships:
            table = model.partnership_table()
    return outcomes, ts, table


@dataclass
class SweepRun:
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


#: the earlier name of :class:`SweepRun` (named like SobolRun, MorrisRun and ComparisonRun)
SweepResult = SweepRun


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    return str(value)


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
            outcomes, ts, table = task.run(spec)
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
    task.check(specs)


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
) -> SweepRun:
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
    # a big design takes a while to key: show that from the start
    shown = progress and len(specs) >= PREPARE_SHOWN
    keys = spec_keys(
        progress_bar(specs, desc="preparing", unit="run", disable=not shown, leave=False), task.identity()
    )
    store = ResultStore(out) if out is not None else None
    if store is None:
        return _run(_Sweep(specs, task, keys, None, fresh, manifest), executor, workers, scheduler, chunk_size,
                    progress)  # fmt: skip
    # an output folder that cannot be used is refused before any model runs
    check_output(store.out, files=[f"{t}.parquet" for t in TABLES] + ["manifest.json"],
                 folders=["chunks", "figures", "damaged"])  # fmt: skip
    with store.lock():
        store.remove_partial()
        return _run(_Sweep(specs, task, keys, store, fresh, manifest), executor, workers, scheduler, chunk_size,
                    progress)  # fmt: skip


def _run(
    sweep: _Sweep,
    executor: str | Executor,
    workers: int | None,
    scheduler: str | None,
    chunk_size: int | None,
    progress: bool,
) -> SweepRun:
    """:func:`run_specs` once its arguments are checked (and the results folder locked)."""
    with contextlib.ExitStack() as stack:
        if sweep.todo:
            # reach the executor first: a scheduler that cannot be reached leaves the results as they were
            pool, info = stack.enter_context(open_executor(executor, workers, scheduler))
        else:  # all done already: start no processes, reach no cluster
            name = executor if isinstance(executor, str) else type(executor).__name__
            pool, info = None, ExecutorInfo(name, _planned_workers(name, workers), scheduler)
        if sweep.store is not None and sweep.fresh:
            sweep.store.clear()
        try:
            if pool is None:
                sweep.begin(info, chunk_size)
            else:
                _drive(pool, _Chunks(sweep.todo, info, chunk_size), sweep, progress)
                # a cluster may have grown while the sweep ran: record the most workers seen
                sweep.meta["workers"] = sweep.session["workers"] = max(
                    info.peak, int(sweep.meta.get("workers_at_start", 0))
                )
        except BaseException as exc:
            # Ctrl-C, SIGTERM (raised as KeyboardInterrupt) or a failure: say so, with the runs on disk
            sweep.stop("interrupted" if isinstance(exc, KeyboardInterrupt) else "failed")
            raise
    return sweep.finish(info, ran=pool is not None)


class _Sweep:
    """One call of :func:`run_specs`: the runs kept from an earlier call, those left to run, and the manifest.

    The manifest is written once the first chunks are out (:meth:`begin`),
    brought up to date as chunks are kept (:meth:`keep`), and closed as
    complete (:meth:`finish`) or as stopped early (:meth:`stop`).
    """

    def __init__(
        self,
        specs: Sequence[RunSpec],
        task: Task,
        keys: Mapping[int, str],
        store: ResultStore | None,
        fresh: bool,
        extra: Mapping[str, Any] | None,
    ) -> None:
        self.specs, self.task, self.keys = specs, task, keys
        self.store, self.fresh, self.extra = store, fresh, extra
        #: the tables kept: the runs, and the monthly series and partnership tables if the task keeps them
        self.wanted = ("runs", *(n for n, on in (("timeseries", task.timeseries), ("partnerships", task.partnerships)) if on))  # fmt: skip
        reuse = store is not None and not fresh
        self.previous = store.read_manifest() if reuse else {}  # type: ignore[union-attr]
        # a finished run is kept under the current run_id of its spec (run_ids shift when replicates change)
        self.ids = {s.run_id: {"point_id": s.point_id, "replicate": s.replicate} for s in specs}
        kept = store.finished(keys, self.ids) if reuse else None  # type: ignore[union-attr]
        self.done_ids = set(kept["run_id"]) if kept is not None else set()
        self.n_stale = store.stale(keys, kept) if kept is not None else 0  # type: ignore[union-attr]
        self.n_renumbered = int((kept["run_id"] != kept[OLD_ID]).sum()) if kept is not None else 0
        if store is not None and kept is not None:
            _refuse_discarding_most(store, self.previous, len(kept))
        self.todo = [s for s in specs if s.run_id not in self.done_ids]
        #: the tables of the chunks kept, when there is no results folder
        self.memory: dict[str, list[pd.DataFrame]] = {n: [] for n in self.wanted}
        self.started = now()
        self.meta: dict[str, Any] = {}
        self.session: dict[str, Any] = {}
        self.done = len(self.done_ids)
        self.written = time.monotonic()

    def begin(self, info: ExecutorInfo, chunk_size: int | None) -> None:
        """Write the manifest of a sweep under way (called once the first chunks are out, so workers start meanwhile)."""
        meta, session = self.meta, self.session
        meta.update(
            _manifest(self.extra, info, chunk_size or "adaptive", self.started, len(self.specs), self.task)
        )
        meta["runs_resumed"] = len(self.done_ids)
        session.update(
            {
                "started": self.started,
                "finished": None,
                "runs_run": 0,
                **{k: meta[k] if self.todo else None for k in EXECUTOR_RECORD},
                "git_describe": meta["git_describe"],
                "command": meta["command"],
            }
        )
        if not self.todo:
            # nothing ran now: keep the record of what did the work
            meta.update({k: self.previous[k] for k in EXECUTOR_RECORD if k in self.previous})
        meta["sessions"] = [*_sessions(self.previous), session]
        if self.store is not None:
            self.store.write_manifest({**meta, "status": "running", "runs_done": self.done})

    def keep(self, result: dict[str, pd.DataFrame | None]) -> None:
        """Save a finished chunk (or hold it in memory)."""
        runs = result["runs"]
        runs[KEY] = runs["run_id"].map(self.keys)  # type: ignore[index]
        self.done += len(runs)  # type: ignore[arg-type]
        self.session["runs_run"] += len(runs)  # type: ignore[arg-type]
        if self.store is None:
            for n in self.wanted:
                if result.get(n) is not None:
                    self.memory[n].append(result[n])  # type: ignore[arg-type]
            return
        self.store.save_chunk(result)
        if time.monotonic() - self.written >= MANIFEST_SECONDS:
            # runs_done follows the sweep, cheaply: at most one manifest write every few seconds
            self.store.write_manifest({**self.meta, "status": "running", "runs_done": self.done})
            self.written = time.monotonic()

    def stop(self, status: str) -> None:
        """Write the manifest of a sweep that stopped early: its status and the runs really on disk."""
        if self.store is None or not self.meta:
            return
        with contextlib.suppress(Exception):  # a full disk must not hide why the sweep stopped
            done = len(self.store.finished(self.keys))
            self.session.update({"stopped": now(), "status": status})
            self.store.write_manifest({**self.meta, "status": status, "runs_done": done})

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every run's tables, the kept and the new, in run_id order."""
        columns = _runs_columns(self.specs, self.task)
        if self.store is not None:
            tables = self.store.collect(self.keys, self.wanted, columns, self.ids)
            tables["runs"] = _as_run_dtypes(tables["runs"], self.specs)
            return tables
        tables = {n: concat(self.memory[n]) for n in self.wanted}
        for n in self.wanted:
            tables[n] = tables[n].sort_values("run_id", kind="stable").reset_index(drop=True)
        tables["runs"] = tables["runs"][columns(tables["runs"])]
        return tables

    def finish(self, info: ExecutorInfo, ran: bool) -> SweepRun:
        """Check every run is there, write the final tables and manifest, and return them."""
        tables = self.tables()
        runs = tables["runs"]
        if len(runs) != len(self.specs) or set(runs["run_id"]) != set(self.keys):
            raise RuntimeError(
                f"sweep ended with {len(runs)} of {len(self.specs)} runs; run it again to resume"
            )
        self.meta.update({"status": "complete", "finished": now(), "runs_done": len(runs)})
        self.session["finished"] = self.meta["finished"]
        if self.store is not None:
            self.store.write_final(tables)
            self.store.write_manifest(self.meta)
        return SweepRun(
            runs=runs,
            timeseries=tables.get("timeseries"),
            partnerships=tables.get("partnerships"),
            out=self.store.out if self.store is not None else None,
            n_resumed=len(self.done_ids),
            n_ran=len(self.todo),
            n_stale=self.n_stale,
            n_renumbered=self.n_renumbered,
            manifest=self.meta,
            executor=info.kind,
            workers=info.peak if ran else info.workers,
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
    chunk_size: int | str,
    started: str,
    n_runs: int,
    task: Task,
) -> dict[str, Any]:
    return {
        **dict(extra or {}),
        "task": task.identity(),
        "versions": versions(),
        **git_info(),
        "executor": info.kind,
        "workers": info.workers,
        "workers_at_start": info.workers,
        "scheduler": info.scheduler,
        "chunk_size": chunk_size,
        "started": started,
        "finished": None,
        "runs_total": n_runs,
        "command": sys.argv if task.fn is None else None,
    }


class _Chunks:
    """The runs left to hand out, cut into chunks sized by the time per run the workers report.

    Without a fixed ``chunk_size``, chunks grow to about :data:`CHUNK_SECONDS`
    of work once the time per run is known (see :func:`next_chunk_size`).
    """

    def __init__(self, todo: list[RunSpec], info: ExecutorInfo, chunk_size: int | None) -> None:
        self.todo, self.info, self.chunk_size = todo, info, chunk_size
        self.next = 0
        self.busy = 0.0  # seconds the finished chunks took in their workers
        self.runs = 0  # runs in the finished chunks

    def __bool__(self) -> bool:
        return self.next < len(self.todo)

    def take(self) -> list[RunSpec]:
        """The next chunk."""
        per_run = self.busy / self.runs if self.runs else None
        size = self.chunk_size or next_chunk_size(per_run, len(self.todo) - self.next, self.info.workers)
        chunk = self.todo[self.next : self.next + size]
        self.next += len(chunk)
        return chunk

    def timed(self, runs: int, seconds: float) -> None:
        """A chunk of ``runs`` runs took ``seconds`` in its worker."""
        self.busy += seconds
        self.runs += runs


def _drive(pool: Executor, chunks: _Chunks, sweep: _Sweep, progress: bool) -> None:
    """Submit chunks with a bounded number in flight; keep each as it finishes.

    The sweep's manifest is first written once the first chunks are submitted.
    """
    info = chunks.info
    pending: dict[Future, int] = {}
    # a few chunks queued per worker keeps workers busy without losing much on a kill
    in_flight = 1 if isinstance(pool, SerialExecutor) else None
    # a Dask cluster can grow (or shrink) during the sweep: count its slots again, at most this often
    recount_every = RECOUNT_SECONDS if info.count is not None else None
    counted = time.monotonic()
    total, initial = len(sweep.specs), len(sweep.done_ids)
    with progress_bar(
        total=total, initial=initial, unit="run", disable=not progress, dynamic_ncols=True, smoothing=0.1
    ) as bar:

        def fill() -> None:
            nonlocal counted
            if recount_every is not None and time.monotonic() - counted >= recount_every:
                info.recount()
                counted = time.monotonic()
            limit = in_flight or 2 * info.workers
            while len(pending) < limit and chunks:
                chunk = chunks.take()
                pending[pool.submit(run_chunk, chunk, sweep.task)] = len(chunk)

        try:
            fill()
            sweep.begin(info, chunks.chunk_size)
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
                    chunks.timed(n, float(result.pop("elapsed", 0.0) or 0.0))  # type: ignore[arg-type]
                    sweep.keep(result)
                    bar.update(n)
                if error is not None:
                    raise error
                fill()
        finally:
            for future in pending:
                future.cancel()
