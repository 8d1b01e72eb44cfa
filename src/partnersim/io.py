"""Atomic file output shared by every command.

Results are written to a temporary file in the same folder and renamed into
place, so no half-written file is ever visible under its final name, even if
the process is killed mid-write.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from partnersim.config import ConfigError

__all__ = ["OutputError", "atomic_write", "check_output", "staged", "write_json", "write_table"]

#: how the temporary file of :func:`atomic_write` is named: ``.<name>.<random>.tmp``
TMP_SUFFIX = ".tmp"


class OutputError(ConfigError):
    """An output path that cannot be written (a file where a folder must be, no permission,
    a full disk): one line naming the path and the reason."""


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc) or type(exc).__name__


def atomic_write(path: str | Path, writer: Callable[[Path], None]) -> Path:
    """Call ``writer(tmp_path)`` and rename the result to ``path`` atomically.

    An ``OSError`` (no space left, no permission, a file where a folder must
    be) raises :class:`OutputError` naming ``path``; nothing is left under
    ``path`` or beside it.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TMP_SUFFIX, dir=path.parent)
    except OSError as exc:
        raise OutputError(f"could not write {path}: {_reason(exc)}") from None
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        writer(tmp_path)
        # mkstemp makes the file private (0600); give it the usual permissions
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp_path, 0o666 & ~umask)
        with open(tmp_path, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp_path, path)
    except OSError as exc:
        tmp_path.unlink(missing_ok=True)
        raise OutputError(f"could not write {path}: {_reason(exc)}; nothing was left half-written") from None
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise
    return path


def check_output(out: str | Path, files: Iterable[str] = (), folders: Iterable[str] = ()) -> Path:
    """Check that the folder ``out`` can take results, before anything runs; leave nothing behind.

    ``files`` and ``folders`` name what will be written inside ``out``: an
    existing one of the wrong kind (e.g. a file named ``figures``) is
    refused, as is an ``out`` that is (or lies under) a file, or that cannot
    be created or written to. Raises :class:`OutputError` naming the path.
    """
    out = Path(out)
    try:
        _check_kinds(out, files, folders)
        created = [p for p in (out, *out.parents) if not p.exists()]
    except OSError as exc:  # a name too long, a loop of links
        raise OutputError(f"cannot write to {out}: {_reason(exc)}") from None
    try:
        out.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".write-check.", suffix=TMP_SUFFIX, dir=out)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise OutputError(f"cannot write to {out}: {_reason(exc)}") from None
    finally:
        for p in created:  # deepest first: only folders this check made, and only if still empty
            with contextlib.suppress(OSError):
                p.rmdir()
    return out


def write_table(df: pd.DataFrame, path: str | Path) -> Path:
    """Write a DataFrame as Parquet (``.parquet``) or CSV (``.csv``), atomically."""
    path = Path(path)
    if path.suffix == ".parquet":
        return atomic_write(path, lambda p: df.to_parquet(p, index=False))
    if path.suffix == ".csv":
        return atomic_write(path, lambda p: df.to_csv(p, index=False))
    raise ValueError(f"unsupported table format '{path.suffix}' for {path}: use .parquet or .csv")


def write_json(obj: Any, path: str | Path) -> Path:
    """Write JSON (indented, sorted keys), atomically."""
    text = json.dumps(obj, indent=2, sort_keys=True, default=str)
    return atomic_write(path, lambda p: p.write_text(text + "\n", encoding="utf-8"))


def _check_kinds(out: Path, files: Iterable[str], folders: Iterable[str]) -> None:
    """Refuse a file where a folder must be, and a folder where a file must be."""
    for above in (out, *out.parents):
        if above.exists():
            if not above.is_dir():
                raise OutputError(f"cannot write to {out}: {above} is a file, not a folder")
            break
    for name in folders:
        if (out / name).exists() and not (out / name).is_dir():
            raise OutputError(f"cannot write to {out}: {out / name} is a file, not a folder")
    for name in files:
        if (out / name).is_dir():
            raise OutputError(f"cannot write {out / name}: it is a folder, not a file")


@contextlib.contextmanager
def staged(out: str | Path) -> Iterator[Path]:
    """A hidden folder inside ``out`` to write a set of files into, moved into ``out`` together.

    On leaving the block normally, every file written under the yielded
    folder is renamed into place in ``out`` (sub-folders such as ``figures/``
    kept); if the block fails (a full disk), the folder is removed and
    ``out`` holds no file of the set: neither half of the new set nor a mix
    of new and old.
    """
    out = Path(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
        stage = Path(tempfile.mkdtemp(prefix=".staging-", dir=out))
    except OSError as exc:
        raise OutputError(f"cannot write to {out}: {_reason(exc)}") from None
    try:
        yield stage
        for f in sorted(p for p in stage.rglob("*") if p.is_file()):
            dest = out / f.relative_to(stage)
            try:
                dest.parent.mkdir(parents=True, exist_ok=True)
                os.replace(f, dest)  # a rename needs no space, so this does not fail half-way on a full disk
            except OSError as exc:
                raise OutputError(f"could not write {dest}: {_reason(exc)}") from None
    finally:
        shutil.rmtree(stage, ignore_errors=True)
