"""The results folder of a sweep: finished chunks, final tables, manifest.

Layout of ``<out>/`` (e.g. ``results/<study>/``)::

    runs.parquet           one row per run: run_id, point_id, replicate, seed, parameters, outcomes
    timeseries.parquet     optional: run_id, month, monthly model reporters
    partnerships.parquet   optional: run_id, one row per partnership
    manifest.json          the study, versions, git state, executor, times, runs done, sessions
    figures/               PNG figures
    chunks/                finished chunks, kept for resume (runs-<token>.parquet, ...)
    damaged/               chunks that could not be read, moved aside (their runs are run again)
    .partnersim.lock       held by the process writing here; a second one refuses

Each finished chunk is written atomically, its optional tables first and its
``runs-<token>.parquet`` last: a chunk counts as done only once that file
exists, so a SIGKILL loses at most the chunks in flight. Resuming keeps every
finished run whose spec (parameters, seed, task) is still wanted, under
the run_id of the current spec (run_ids shift when replicates change), and
drops duplicates.

One process at a time writes to a results folder: it holds a lock on
``.partnersim.lock`` (released by the kernel when the process ends, however
it ends), and a second run into the same folder refuses, naming the PID
that holds it. A chunk that cannot be read (truncated, damaged, from
something else) is moved to ``damaged/`` and its runs are run again;
temporary files left by a write that a kill interrupted are removed.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sys
import uuid
import warnings
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from partnersim.config import ConfigError
from partnersim.io import TMP_SUFFIX, OutputError, write_json, write_table

__all__ = ["TABLES", "ResultStore", "ResultsBusy", "concat", "load_manifest", "load_runs"]

#: the lock file of a results folder
LOCK_NAME = ".partnersim.lock"

#: where chunks that cannot be read are moved
DAMAGED = "damaged"

#: results folders this process holds the lock of (resolved path -> (open lock file, depth))
_HELD: dict[str, tuple[Any, int]] = {}


class ResultsBusy(ConfigError):
    """Another process is writing to the same results folder."""


#: the tables a sweep can write, besides the manifest
TABLES = ("runs", "timeseries", "partnerships")

#: internal column linking chunk rows to their spec (dropped from the final tables)
KEY = "_spec_key"

#: internal column: the run_id a finished run had when it ran (dropped from the final tables)
OLD_ID = "_old_run_id"


def _match(old_ids: list[int], old_keys: list[str], keys: Mapping[int, str]) -> list[int]:
    """For each finished run (old run_id, key), the current run_id it stands for, or -1.

    One-to-one: a finished run keeps its own run_id when the current spec
    with that run_id has its key; the others are matched to the remaining
    current specs with their key in order (finished runs by old run_id).
    """
    out = [-1] * len(old_ids)
    taken: set[int] = set()
    for i, (rid, key) in enumerate(zip(old_ids, old_keys, strict=True)):
        if keys.get(rid) == key and rid not in taken:
            out[i] = rid
            taken.add(rid)
    free: dict[str, list[int]] = {}
    for rid, key in keys.items():
        if rid not in taken:
            free.setdefault(key, []).append(rid)
    for key in free:
        free[key].reverse()  # pop() from the end takes them in spec order
    for i in sorted((i for i in range(len(old_ids)) if out[i] < 0), key=lambda i: old_ids[i]):
        spare = free.get(old_keys[i])
        if spare:
            out[i] = spare.pop()
    return out


def concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Stack tables from chunks (an empty table with ``run_id`` when there are none)."""
    if not frames:
        return pd.DataFrame(columns=["run_id"])
    with warnings.catch_warnings():
        # chunks where a column is all missing (no partnership dissolved yet) are expected
        warnings.simplefilter("ignore", FutureWarning)
        return pd.concat(frames, ignore_index=True)


class ResultStore:
    """Finished chunks and final tables of one sweep in ``out``."""

    def __init__(self, out: str | Path) -> None:
        self.out = Path(out)
        self.chunks = self.out / "chunks"
        # chunk files never change once written: read each at most once
        self._read: dict[str, pd.DataFrame] = {}
        #: chunks moved to ``damaged/`` because they could not be read
        self.damaged: list[Path] = []

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the folder's lock while writing; raise :class:`ResultsBusy` naming the PID that holds it.

        Re-entrant within a process. The kernel releases the lock when the
        process ends, even on SIGKILL, so a stale lock file never blocks.
        """
        key = str(self.out.resolve())
        if key in _HELD:
            fh, depth = _HELD[key]
            _HELD[key] = (fh, depth + 1)
            try:
                yield
            finally:
                _HELD[key] = (fh, _HELD[key][1] - 1)
            return
        try:
            self.out.mkdir(parents=True, exist_ok=True)
            fh = open(self.out / LOCK_NAME, "a+", encoding="utf-8")  # noqa: SIM115 (held past this block)
        except OSError as exc:
            raise OutputError(f"cannot write to {self.out}: {exc.strerror or exc}") from None
        try:
            _try_lock(fh)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip() or "unknown"
            fh.close()
            raise ResultsBusy(
                f"{self.out} is in use by another partnersim run (PID {holder}): wait for it to end "
                "or stop it, then run this again; use another --out to run both at once"
            ) from None
        fh.seek(0)
        fh.truncate()
        fh.write(f"{os.getpid()}\n")
        fh.flush()
        _HELD[key] = (fh, 1)
        try:
            yield
        finally:
            del _HELD[key]
            fh.close()  # releases the lock

    def remove_partial(self) -> list[Path]:
        """Remove temporary files that a write interrupted by a kill left behind (hold the lock)."""
        removed = []
        for folder in (self.out, self.chunks, self.out / "figures"):
            for f in folder.glob(f".*{TMP_SUFFIX}") if folder.is_dir() else []:
                with contextlib.suppress(OSError):
                    f.unlink()
                    removed.append(f)
        return removed

    def _set_aside(self, runs_file: Path, exc: BaseException) -> None:
        """Move a chunk that cannot be read (its runs file and its other tables) to ``damaged/``."""
        token = runs_file.stem.removeprefix("runs-")
        dest = self.out / DAMAGED
        dest.mkdir(parents=True, exist_ok=True)
        for name in TABLES:
            f = self.chunks / f"{name}-{token}.parquet"
            if f.exists():
                os.replace(f, dest / f.name)
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        print(
            f"partnersim: chunk {runs_file} cannot be read ({type(exc).__name__}"
            f"{': ' + reason[:200] if reason else ''}); moved it to {dest}/ and its runs will run again",
            file=sys.stderr,
            flush=True,
        )
        self.damaged.append(dest / runs_file.name)

    def _read_chunk(self, f: Path) -> pd.DataFrame | None:
        """A chunk's runs table, or ``None`` (and the chunk moved aside) if it or its tables cannot be read."""
        import pyarrow.parquet as pq

        try:
            df = pd.read_parquet(f)
            missing = [c for c in ("run_id", KEY) if c not in df.columns]
            if missing:
                raise ValueError(f"no column {', '.join(missing)}: not a chunk of a partnersim sweep")
            token = f.stem.removeprefix("runs-")
            for name in TABLES[1:]:
                other = self.chunks / f"{name}-{token}.parquet"
                if other.exists():
                    pq.read_metadata(other)  # a truncated or damaged file has no readable footer
        except Exception as exc:  # any file that is not a readable chunk: set it aside, run its runs again
            self._set_aside(f, exc)
            return None
        return df

    def clear(self) -> None:
        """Forget every result (``--fresh``): remove only files a sweep writes."""
        self._read.clear()
        shutil.rmtree(self.chunks, ignore_errors=True)
        shutil.rmtree(self.out / "figures", ignore_errors=True)
        for name in (*(f"{t}.parquet" for t in TABLES), "manifest.json"):
            (self.out / name).unlink(missing_ok=True)

    def save_chunk(self, tables: Mapping[str, pd.DataFrame | None]) -> str:
        """Persist one finished chunk atomically; return its token."""
        token = f"{int(tables['runs']['run_id'].min()):09d}-{uuid.uuid4().hex[:8]}"
        # optional tables first: a runs file is the chunk's commit record
        for name in ("timeseries", "partnerships"):
            df = tables.get(name)
            if df is not None:
                write_table(df, self.chunks / f"{name}-{token}.parquet")
        name = f"runs-{token}.parquet"
        try:
            write_table(tables["runs"], self.chunks / name)
        except BaseException:
            # no runs file, no chunk: its other tables would only be clutter
            for other in TABLES[1:]:
                (self.chunks / f"{other}-{token}.parquet").unlink(missing_ok=True)
            raise
        # keep what was just written, so collecting the sweep's results reads no chunk back
        self._read[name] = tables["runs"].assign(_chunk=token)
        return token

    def _chunk_frames(self) -> list[pd.DataFrame]:
        """Every chunk's runs table (with a ``_chunk`` column), oldest token first."""
        frames = []
        for f in sorted(self.chunks.glob("runs-*.parquet")):
            if f.name not in self._read:
                df = self._read_chunk(f)
                if df is None:
                    continue
                df["_chunk"] = f.stem.removeprefix("runs-")
                self._read[f.name] = df
            frames.append(self._read[f.name])
        return frames

    def finished(
        self, keys: Mapping[int, str], ids: Mapping[int, Mapping[str, Any]] | None = None
    ) -> pd.DataFrame:
        """Finished runs whose spec key matches a current spec's, one row per current run_id.

        ``keys`` maps each current run_id to its spec key (params, seed and
        task), in spec order. A finished run is kept whatever run_id it had:
        each is matched one-to-one to a current spec with its key (first the
        one with its own run_id, then the rest in order), and gets that
        spec's run_id (its old one stays in ``_old_run_id``) and the columns
        in ``ids`` (run_id -> e.g. point_id and replicate). So adding
        replicates, which renumbers the runs, reruns none whose parameters
        and seed are unchanged.

        Rows are selected in each chunk before chunks are stacked, so chunks
        left from another version of the study (other parameters, outcomes
        or model code) change neither the columns nor their dtypes.
        """
        wanted = set(keys.values())
        frames = []
        for df in self._chunk_frames():
            match = df[KEY].isin(wanted)
            if match.all():
                frames.append(df)
            elif match.any():
                frames.append(df[match])
        if not frames:
            return pd.DataFrame(columns=["run_id", KEY, "_chunk", OLD_ID])
        old = concat(frames).drop_duplicates(["run_id", KEY], keep="first")
        new_id = _match(old["run_id"].tolist(), old[KEY].tolist(), keys)
        old = old.assign(**{OLD_ID: old["run_id"]})
        old["run_id"] = new_id
        old = old[old["run_id"] >= 0].copy()
        old["run_id"] = old["run_id"].astype(old[OLD_ID].dtype)
        # the key holds parameters and seed, not the point and replicate: take those from the current spec
        for column in dict.fromkeys(c for v in (ids or {}).values() for c in v):
            if column in old.columns:
                now = old["run_id"].map(lambda r, c=column: ids[r][c]).astype(old[column].dtype)  # type: ignore[index]
                if not now.equals(old[column]):
                    old[column] = now
        return old

    def stale(self, keys: Mapping[int, str], finished: pd.DataFrame | None = None) -> int:
        """Runs finished before under a current run_id that cannot be reused (another spec or
        model code), so that run_id is run again; ``finished``: :meth:`finished`, if at hand."""
        ids: set[int] = set()
        for df in self._chunk_frames():
            ids.update(df["run_id"][df["run_id"].isin(list(keys))])
        if not ids:
            return 0
        kept = self.finished(keys) if finished is None else finished
        return len(ids - set(kept["run_id"]) - set(kept[OLD_ID]))

    def collect(
        self,
        keys: Mapping[int, str],
        tables: tuple[str, ...] = ("runs",),
        columns: Callable[[pd.DataFrame], list[str]] | None = None,
        ids: Mapping[int, Mapping[str, Any]] | None = None,
    ) -> dict[str, pd.DataFrame]:
        """The finished results of the runs in ``keys``, sorted by run_id, internal columns dropped.

        ``columns`` picks and orders the columns of the runs table (given the table);
        ``ids``: see :meth:`finished`.
        """
        runs = self.finished(keys, ids).sort_values("run_id", kind="stable")
        kept = runs.drop(columns=[KEY, "_chunk", OLD_ID]).reset_index(drop=True)
        out = {"runs": kept if columns is None else kept[columns(kept)]}
        for name in tables:
            if name == "runs":
                continue
            frames = []
            for token, chunk in runs.groupby("_chunk", sort=True):
                f = self.chunks / f"{name}-{token}.parquet"
                if f.exists():
                    df = pd.read_parquet(f)
                    # the chunk's rows of the runs kept from it, under their current run_id
                    renumber = dict(zip(chunk[OLD_ID], chunk["run_id"], strict=True))
                    df = df[df["run_id"].isin(list(renumber))]
                    frames.append(df.assign(run_id=df["run_id"].map(renumber).astype(df["run_id"].dtype)))
            df = concat(frames)
            out[name] = df.sort_values("run_id", kind="stable").reset_index(drop=True)
        return out

    def write_final(self, tables: Mapping[str, pd.DataFrame]) -> list[Path]:
        """Write the final tables atomically, runs.parquet last; remove final tables of an earlier
        version of the sweep that this one does not write (e.g. partnerships.parquet once
        ``partnerships`` is off), so none is left beside results it does not belong to."""
        paths = [
            write_table(df, self.out / f"{name}.parquet") for name, df in tables.items() if name != "runs"
        ]
        paths.append(write_table(tables["runs"], self.out / "runs.parquet"))
        for name in TABLES:
            if name not in tables:
                (self.out / f"{name}.parquet").unlink(missing_ok=True)
        return paths

    def read_manifest(self) -> dict[str, Any]:
        """manifest.json as a dict; ``{}`` when there is none (or it cannot be read)."""
        try:
            data = json.loads((self.out / "manifest.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def write_manifest(self, manifest: Mapping[str, Any]) -> Path:
        """Write manifest.json atomically."""
        return write_json(dict(manifest), self.out / "manifest.json")


def _try_lock(fh: Any) -> None:
    """Take an exclusive lock on an open file without waiting; ``BlockingIOError`` if it is held."""
    try:
        import fcntl
    except ImportError:  # Windows: lock the first byte instead
        import msvcrt

        try:
            fh.seek(0)
            msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError as exc:
            raise BlockingIOError(str(exc)) from None
        return
    fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)


def load_runs(out: str | Path) -> pd.DataFrame:
    """``<out>/runs.parquet`` as a DataFrame."""
    return pd.read_parquet(Path(out) / "runs.parquet")


def load_manifest(out: str | Path) -> dict[str, Any]:
    """``<out>/manifest.json`` as a dict."""
    return json.loads((Path(out) / "manifest.json").read_text(encoding="utf-8"))
