"""Pausing Python's cyclic garbage collector while a render builds its (large, long-lived) data."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection inside the block; the collector's state is restored after it.

    A render allocates millions of containers (plan, dashboards, file texts) that all survive until
    they are written, so the collector's passes find almost nothing to free and only rescan the
    growing heap: about a sixth of the render time at 1,000 specialists, a third of the dashboards'.
    Reference counting still frees intermediate data as usual; a cycle left behind is collected
    once the collector is back. Nested use is fine: only the outermost block re-enables it."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
