"""Run specs: parameter points x replicates, each with its own recorded seed.

A :class:`RunSpec` is everything a worker needs for one run. Specs are built
from explicit parameter points (a list of dicts), so any design (a grid, a
Latin hypercube, a Sobol sample, a set of funding policies) ends up here.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from partnersim.config import ConfigError

__all__ = ["MAX_RUNS", "RunSpec", "TooManyRuns", "grid_points", "lhs_points", "make_specs", "spawn_seeds"]

# seeds are stored in int64 columns, so keep 63 bits
_SEED_MASK = np.uint64(2**63 - 1)

#: the most runs one set of specs may have: a million runs of the model is days of CPU time, and
#: every spec, its key and its result row are held in memory (about 1 GB at this size)
MAX_RUNS = 1_000_000


class TooManyRuns(ConfigError):
    """A design with more than :data:`MAX_RUNS` runs."""


@dataclass(frozen=True)
class RunSpec:
    """One run of a sweep.

    Attributes:
        run_id: 0..n-1, unique within a sweep; results are sorted by it.
        point_id: index of the parameter point this run belongs to.
        replicate: 0..r-1 within its point.
        seed: the run's seed (a non-negative int below 2**63), recorded with the run.
        params: the parameters of the point (not the seed), as given.
    """

    run_id: int
    point_id: int
    replicate: int
    seed: int
    params: Mapping[str, Any] = field(default_factory=dict)


def spawn_seeds(root: int, n: int) -> list[int]:
    """``n`` independent seeds from ``numpy.random.SeedSequence(root).spawn(n)``.

    Seed ``i`` depends only on ``root`` and ``i``, so adding runs to the end
    of a sweep leaves the earlier seeds unchanged. What a run's index is
    depends on the design: see :func:`make_specs`.

    Seed ``i`` is ``SeedSequence(root).spawn(n)[i].generate_state(1, np.uint64)[0]``
    (63 bits kept), computed for all children at once (:func:`_child_states`):
    a million seeds take a fraction of a second, not minutes.
    """
    root, n = int(root), int(n)
    if n <= 0:
        return []
    if n >= 2**32 or root < 0:  # outside what the vectorised form covers: numpy's own, child by child
        children = np.random.SeedSequence(root).spawn(n)
        return [int(c.generate_state(1, dtype=np.uint64)[0] & _SEED_MASK) for c in children]
    return (_child_states(root, n) & _SEED_MASK).tolist()


# numpy's SeedSequence constants (numpy/random/bit_generator.pyx, after O'Neill's seed_seq)
_INIT_A, _MULT_A = 0x43B0D7E5, 0x931E8875
_INIT_B, _MULT_B = 0x8B51F9DD, 0x58F38DED
_MIX_L, _MIX_R = 0xCA01F9DD, 0x4973F715
_POOL = 4
_M32 = 0xFFFFFFFF


def _child_states(root: int, n: int) -> np.ndarray:
    """The first 64-bit word of the state of children ``0..n-1`` of ``SeedSequence(root)``, as uint64.

    The same arithmetic as numpy's ``SeedSequence.mix_entropy`` and
    ``generate_state`` on the entropy ``[root's 32-bit words, padded to 4, i]``,
    done on a vector of children (uint32 arithmetic wraps as in numpy).
    """
    words = []
    rest = root
    while True:
        words.append(rest & _M32)
        rest >>= 32
        if not rest:
            break
    words += [0] * (_POOL - len(words))
    entropy: list[np.ndarray] = [np.full(n, w, dtype=np.uint32) for w in words]
    entropy.append(np.arange(n, dtype=np.uint32))  # the spawn key (i,)
    const = _INIT_A

    def hashmix(value: np.ndarray) -> np.ndarray:
        nonlocal const
        value = value ^ np.uint32(const)
        const = (const * _MULT_A) & _M32
        value = value * np.uint32(const)
        return value ^ (value >> np.uint32(16))

    def mix(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        result = np.uint32(_MIX_L) * x - np.uint32(_MIX_R) * y
        return result ^ (result >> np.uint32(16))

    pool = [hashmix(entropy[i]) for i in range(_POOL)]
    for src in range(_POOL):
        for dst in range(_POOL):
            if src != dst:
                pool[dst] = mix(pool[dst], hashmix(pool[src]))
    for src in range(_POOL, len(entropy)):
        for dst in range(_POOL):
            pool[dst] = mix(pool[dst], hashmix(entropy[src]))
    out = []
    const_b = _INIT_B
    for word in pool[:2]:  # two 32-bit words make the uint64, little-endian
        value = word ^ np.uint32(const_b)
        const_b = (const_b * _MULT_B) & _M32
        value = value * np.uint32(const_b)
        out.append(value ^ (value >> np.uint32(16)))
    return out[0].astype(np.uint64) | (out[1].astype(np.uint64) << np.uint64(32))


def make_specs(
    points: Sequence[Mapping[str, Any]],
    replicates: int = 1,
    *,
    root_seed: int | None = None,
    seeds: Sequence[int] | None = None,
    per_replicate: Sequence[Mapping[str, Any]] | None = None,
) -> list[RunSpec]:
    """Specs for every point x replicate, ordered point-major (run_id = point * replicates + r).

    Exactly one of ``root_seed`` and ``seeds`` is given:

    - ``root_seed``: run ``i`` gets ``spawn_seeds(root_seed, n)[i]``, its own stream.
      A seed belongs to a run_id, not to a (point, replicate): adding points
      at the end of ``points`` keeps every earlier run_id, seed and (on
      resume) result, but changing ``replicates`` renumbers the runs
      (run_id = point * replicates + r), so every point but the first gets
      other seeds and is run again; so does inserting, removing or
      reordering points (e.g. a new value in the middle of a grid factor).
    - ``seeds``: one seed per replicate, shared by every point (common random
      numbers: replicate ``r`` runs on ``seeds[r]`` under every point/policy).

    ``per_replicate`` (one mapping per replicate) adds parameters that vary
    by replicate but not by point, such as uncertainties drawn once per
    replicate and shared by every policy; a point's own value wins a clash.
    """
    if replicates < 1:
        raise ValueError(f"replicates must be at least 1, got {replicates}")
    if (root_seed is None) == (seeds is None):
        raise ValueError("give exactly one of root_seed (spawned per run) and seeds (one per replicate)")
    if per_replicate is not None and len(per_replicate) != replicates:
        raise ValueError(
            f"per_replicate has {len(per_replicate)} entries; expected one per replicate ({replicates})"
        )
    n = len(points) * replicates
    if n > MAX_RUNS:
        raise TooManyRuns(
            f"the design asks for {n:,} runs ({len(points):,} points x {replicates:,} replicates), and one "
            f"set of runs may have at most {MAX_RUNS:,}: split it, or use fewer points or replicates"
        )
    if seeds is not None:
        if len(seeds) != replicates:
            raise ValueError(f"seeds has {len(seeds)} entries; expected one per replicate ({replicates})")
        per_run = [int(seeds[r]) for _ in points for r in range(replicates)]
    else:
        per_run = spawn_seeds(int(root_seed), n)  # type: ignore[arg-type]
    specs = []
    shared = [dict(p) for p in points]  # one mapping per point, shared by its replicates (memory)
    for i, (p, r) in enumerate(itertools.product(range(len(points)), range(replicates))):
        params = {**per_replicate[r], **points[p]} if per_replicate is not None else shared[p]
        specs.append(RunSpec(run_id=i, point_id=p, replicate=r, seed=per_run[i], params=params))
    return specs


def grid_points(factors: Mapping[str, Sequence[Any]]) -> list[dict[str, Any]]:
    """The full factorial grid of ``factors`` (name -> values), first factor slowest."""
    names = list(factors)
    return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*factors.values())]


def lhs_points(
    ranges: Mapping[str, Any],
    samples: int,
    seed: int,
    *,
    integer: Sequence[str] = (),
) -> list[dict[str, Any]]:
    """A Latin hypercube of ``samples`` points over ``ranges``.

    ``ranges`` maps a name to ``(low, high)`` or to a
    :class:`~partnersim.sensitivity.factors.Factor`. Uses
    :class:`scipy.stats.qmc.LatinHypercube` seeded with ``seed``, then maps
    each column with the factor's own rule, the one Sobol and Morris use
    (:meth:`Factor.decode`): floats as drawn; names in ``integer`` (or int
    factors) as the floor of a draw on ``[low, high + 1)``, so every whole
    value is equally likely; bool and choice factors as one of their values.
    """
    from scipy.stats import qmc

    from partnersim.sensitivity.factors import Factor

    names = list(ranges)
    if not names:
        return [{} for _ in range(samples)]
    factors = []
    for name in names:
        spec = ranges[name]
        if not isinstance(spec, Factor):
            low, high = float(spec[0]), float(spec[1])
            spec = Factor(name, "int" if name in integer else "float", low, high)
        factors.append(spec)
    unit = qmc.LatinHypercube(d=len(names), rng=np.random.default_rng(seed)).random(samples)
    columns = [
        f.decode(f.bounds[0] + unit[:, j] * (f.bounds[1] - f.bounds[0])) for j, f in enumerate(factors)
    ]
    return [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]
