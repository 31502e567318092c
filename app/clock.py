"""Time as the app sees it. Tests and benchmarks pass a virtual clock with the same two methods."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def time(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def time(self) -> float:
        return time.time()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)

    def wait(self, seconds: float, event: threading.Event) -> None:
        """Sleep, but wake as soon as ``event`` is set (a cancel)."""
        if seconds > 0:
            event.wait(seconds)


def utc_from(clock: Clock) -> datetime:
    """The clock's now as an aware UTC datetime."""
    return datetime.fromtimestamp(clock.time(), UTC)
