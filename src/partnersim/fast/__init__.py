"""A compiled engine for whole runs: the monthly stages over arrays, with the same results.

:meth:`partnersim.model.PartnershipModel.run` uses it when nothing needs the
agents between months: no event log, no observer, no players, no formation
during the run. That is every run of a sweep, a Sobol or Morris study,
``partnersim run`` and a calibration (whose monthly readings of each
partnership ``run(watch=True)`` records in the kernels). The monthly series
is kept as the Python stages keep it. It packs the state into arrays
(:mod:`partnersim.fast.state`), runs the months with
:func:`partnersim.fast.kernels.run_months` and writes the state back, so the
summary, the partnership table and the agents are what the Python stages
of :mod:`partnersim.stages` leave: bit for bit, which ``tests/test_fast.py``
checks month by month. The Python stages stay the reference and the
readable account of each rule.

Set the environment variable ``PARTNERSIM_ENGINE=python`` to run every
model on the Python stages.
"""

from __future__ import annotations

import functools
import hashlib
import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from partnersim.fast.state import Engine
    from partnersim.model import PartnershipModel

__all__ = ["engine_for", "fresh_cache", "usable", "warm"]

#: the environment variable that chooses the engine: "compiled" (default where it applies) or "python"
ENGINE_VARIABLE = "PARTNERSIM_ENGINE"


def usable(model: PartnershipModel) -> bool:
    """Whether ``model`` can run on the compiled engine: nothing reads its agents between months.

    Also False when the model's step is not :data:`partnersim.model.STEP`
    (a subclass or a patched schedule), since the engine mirrors that step.
    """
    from partnersim.model import STEP

    if os.environ.get(ENGINE_VARIABLE, "compiled") == "python":
        return False
    own_step = getattr(getattr(model, "_user_step", None), "__func__", None)
    return (
        own_step is STEP
        and model.players is None
        and model.observer is None
        and not model.record_events
        and not model.p.formation
    )


@functools.cache
def fresh_cache() -> None:
    """Drop numba's cached machine code if any source of the engine changed since it was compiled.

    numba checks only the file of each compiled function; the kernels also
    read constants from ``layout.py`` and call ``rng.py``, so a change there
    alone would leave stale code in the cache. Once per process.
    """
    here = Path(__file__).parent
    digest = hashlib.sha1(b"".join(p.read_bytes() for p in sorted(here.glob("*.py")))).hexdigest()
    cache = here / "__pycache__"
    stamp = cache / "engine-sources.sha1"
    try:
        if stamp.read_text() == digest:
            return
    except OSError:
        pass
    for path in [*cache.glob("*.nbi"), *cache.glob("*.nbc")]:
        path.unlink(missing_ok=True)
    try:
        cache.mkdir(exist_ok=True)
        stamp.write_text(digest)
    except OSError:  # a read-only install: numba then caches elsewhere or not at all
        pass


def engine_for(model: PartnershipModel, *, watch: bool = False) -> Engine | None:
    """An engine holding ``model``'s state, or None where the Python stages must run.

    ``watch``: the engine also records what ``PartnershipModel.run(watch=True)`` promises.
    """
    if not usable(model):
        return None
    fresh_cache()
    from partnersim.fast.state import Engine, Unsupported

    try:
        return Engine(model, watch=watch)
    except Unsupported:  # ties across local systems (set by hand), or arrays too large
        return None


def warm() -> None:
    """Compile the engine (or load it from numba's cache) now, with one short run.

    Executors call it before starting workers, so that workers load the
    cached code instead of each compiling it.
    """
    from partnersim.model import PartnershipModel

    model = PartnershipModel(collect=False, rng=0, horizon=1)
    model.record_events = False
    if usable(model):
        model.run()
