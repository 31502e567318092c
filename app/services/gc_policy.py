"""Fewer garbage-collector passes during a sync.

A large sync creates millions of short-lived objects; CPython's cyclic collector then repeatedly scans every
long-lived object in the process (the window, the caches, the link maps), which took a third of a 10,000-record
first sync. Reference counting frees almost everything a sync makes, so during a run the objects that existed
before it are frozen out of the collector's scans and young collections run less often. Everything is restored
afterwards, and a collection runs once at the end.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

YOUNG_THRESHOLD = 500_000  # allocations between young collections during a run (CPython: 700)


@contextmanager
def sync_gc() -> Iterator[None]:
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(max(thresholds[0], YOUNG_THRESHOLD), *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()
        gc.collect(1)
