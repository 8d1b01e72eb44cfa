"""CPython's ``random.Random`` stream (MT19937) in compiled code, draw for draw.

A compiled stage must draw the same numbers, in the same order, as the
Python stage it replaces, or runs stop being identical. ``random.Random``
is MT19937 with ``random()`` built from two 32-bit words (``genrand_res53``)
and ``_randbelow(n)`` by rejection on ``getrandbits(n.bit_length())``; these
functions do the same on the state ``random.Random.getstate()`` exposes
(624 words and the position), kept in one ``uint32`` array of 625.
"""

from __future__ import annotations

import random

import numpy as np
from numba import njit

N, M = 624, 397


def state_of(r: random.Random) -> np.ndarray:
    """The generator's 624 words and position, as one ``uint32`` array of 625."""
    _, internal, _ = r.getstate()
    return np.array(internal, dtype=np.uint32)


def restore(r: random.Random, state: np.ndarray) -> None:
    """Put ``state`` (as :func:`state_of` gives it) back into ``r``."""
    r.setstate((3, tuple(int(x) for x in state), None))


@njit(cache=True)
def _twist(st: np.ndarray) -> None:
    upper, lower, matrix = np.uint32(0x80000000), np.uint32(0x7FFFFFFF), np.uint32(0x9908B0DF)
    for i in range(N):
        j = i + 1 if i + 1 < N else 0
        k = i + M if i + M < N else i + M - N
        y = (st[i] & upper) | (st[j] & lower)
        v = st[k] ^ (y >> np.uint32(1))
        if y & np.uint32(1):
            v ^= matrix
        st[i] = v
    st[N] = 0


@njit(cache=True)
def next_u32(st: np.ndarray) -> np.uint32:
    """``genrand_uint32``: the next tempered word."""
    if st[N] >= N:
        _twist(st)
    y = st[st[N]]
    st[N] += np.uint32(1)
    y ^= y >> np.uint32(11)
    y ^= (y << np.uint32(7)) & np.uint32(0x9D2C5680)
    y ^= (y << np.uint32(15)) & np.uint32(0xEFC60000)
    y ^= y >> np.uint32(18)
    return y


@njit(cache=True)
def random01(st: np.ndarray) -> float:
    """``random.Random.random()``."""
    a = next_u32(st) >> np.uint32(5)
    b = next_u32(st) >> np.uint32(6)
    return (a * 67108864.0 + b) * (1.0 / 9007199254740992.0)


@njit(cache=True)
def below(st: np.ndarray, n: int) -> int:
    """``random.Random._randbelow(n)`` for ``1 <= n < 2**32``."""
    k = 0
    m = n
    while m:
        k += 1
        m >>= 1
    shift = np.uint32(32 - k)
    r = np.int64(next_u32(st) >> shift)
    while r >= n:
        r = np.int64(next_u32(st) >> shift)
    return r
