"""Fewer and shorter garbage-collector passes, during a sync and after it.

A large sync creates millions of short-lived objects; CPython's cyclic collector then repeatedly scans every
long-lived object in the process (the window, the caches, the link maps, and in the demo both emulators' data),
which took a third of a 10,000-record first sync, and a full pass at its end held the window still for over a
tenth of a second. Reference counting frees almost everything a sync makes (a sync makes no reference cycles:
tests/engine/test_memory.py), so during a run the objects that existed before it are frozen out of the collector's
scans and the collector is off until the run ends; afterwards what survived the run is frozen too, so the next
passes scan only what is new and no pass ever holds the window still. The price: a reference cycle among frozen objects is never collected — the app makes none
on purpose, and a long-running window keeps its objects for its lifetime anyway.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def sync_gc() -> Iterator[None]:
    """No cyclic collection during a run; afterwards what survived it is frozen with the rest."""
    was_enabled = gc.isenabled()
    gc.freeze()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()  # survivors join the frozen: later passes never rescan them (nothing is collected here)
        if was_enabled:
            gc.enable()


def settle() -> None:
    """After a page has read what it shows (the History page's ids, its widgets): collect the young garbage once,
    then freeze what is left, so the collector's passes while the user scrolls scan only what scrolling makes
    (a pass over every long-lived object held a History frame still for 20–40 ms)."""
    gc.collect(1)
    gc.freeze()
