"""What a results folder records of where its runs came from: model code, versions, git state, times.

The sweep runner writes these into ``manifest.json``; :func:`model_fingerprint`
also keys every finished run, so a resumed sweep reruns what the model's
code has changed since (see :meth:`partnersim.experiments.runner.Task.identity`).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import platform
import subprocess
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

__all__ = ["git_info", "model_fingerprint", "now", "versions"]

#: the libraries whose versions a manifest records, besides partnersim and Python
VERSIONED = (
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


def package_dir() -> Path:
    """The folder partnersim is imported from."""
    import partnersim

    return Path(partnersim.__file__).resolve().parent


@functools.cache
def model_fingerprint() -> str:
    """A hash of the model's source (model, agents, mechanisms, schema, the monthly stages and their compiled form)."""
    import partnersim

    # not package_dir(): the result is cached for the process, so it must not follow a patched location
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


def versions() -> dict[str, str]:
    """partnersim's, Python's and each installed :data:`VERSIONED` library's version."""
    from partnersim import __version__

    out = {"partnersim": __version__, "python": platform.python_version()}
    for name in VERSIONED:
        with contextlib.suppress(metadata.PackageNotFoundError):
            out[name] = metadata.version(name)
    return out


def _git(where: Path, *args: str) -> str | None:
    try:
        res = subprocess.run(["git", "-C", str(where), *args], capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return None
    return (res.stdout.strip() or None) if res.returncode == 0 else None


def git_info() -> dict[str, Any]:
    """``git_commit``, ``git_describe`` (``git describe --always --dirty``) and ``git_dirty``.

    Recorded only when partnersim is imported from the work tree of its own
    repository (``<top>/src/partnersim``); an install inside some other
    repository (a virtualenv in an analysis project) records ``None``, not
    that repository's commit.
    """
    none: dict[str, Any] = {"git_commit": None, "git_describe": None, "git_dirty": None}
    package = package_dir()
    top = _git(package, "rev-parse", "--show-toplevel")
    if top is None or (Path(top).resolve() / "src" / "partnersim") != package:
        return none
    commit = _git(package, "rev-parse", "HEAD")
    describe = _git(package, "describe", "--always", "--dirty")
    if commit is None or describe is None:
        return none
    return {"git_commit": commit, "git_describe": describe, "git_dirty": describe.endswith("-dirty")}


def now() -> str:
    """The time in UTC, to the second, as a manifest records it."""
    return datetime.now(UTC).isoformat(timespec="seconds")
