"""Time for the emulators: the wall clock, or a virtual clock tests and benchmarks move by hand."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime


class SystemClock:
    """Real time plus an offset the control API can move forward (to expire tokens or codes in a demo).

    ``sleep`` really sleeps."""

    def __init__(self) -> None:
        self._offset = 0.0

    def time(self) -> float:
        return time.time() + self._offset

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.time(), UTC)

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("a clock does not go backwards")
        self._offset += seconds


class VirtualClock:
    """A clock that only moves when told to. ``sleep`` advances it instantly, so rate-limit waits cost no time."""

    def __init__(self, start: float | datetime | None = None) -> None:
        if start is None:
            start = datetime(2026, 11, 2, 9, 0, 0, tzinfo=UTC)
        self._t = start.timestamp() if isinstance(start, datetime) else float(start)
        self._lock = threading.Lock()

    def time(self) -> float:
        with self._lock:
            return self._t

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.time(), UTC)

    def sleep(self, seconds: float) -> None:
        self.advance(seconds)

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("a clock does not go backwards")
        with self._lock:
            self._t += seconds
