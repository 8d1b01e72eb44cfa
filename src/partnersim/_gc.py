"""Pausing Python's cyclic garbage collector while a model allocates state it keeps."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """No cyclic collection inside the block; the collector's previous state after it.

    Setting up a model and writing the compiled engine's state back create
    tens of thousands of objects that the model keeps. Each collection the
    allocations trigger walks a heap that grows with the model and finds
    nothing to free, which made these steps cost more per organisation in
    larger models. Objects dropped inside the block are still freed by
    reference counting; cycles wait for the next collection.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
