"""API credits (rolling 24 h per org, edition-based) and concurrency (edition limit + sub-concurrency of 10).

Credits live in the state (``[[epoch_second, credits], ...]``, one bucket per second) so they survive save/load;
the running total is cached here. In-flight counts are tracked under this module's own lock, never the state lock:
the served emulator is threaded, and a call waiting for the state must still count as in flight.
"""

from __future__ import annotations

import contextlib
import math
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from . import ZohoEmulator

DAY = 86400.0
LICENSED_USERS = 5
SUB_CONCURRENCY = 10

# edition: (base credits, credits per licence, cap or None, concurrency)
EDITIONS: dict[str, tuple[int, int, int | None, int]] = {
    "free": (5_000, 0, 5_000, 5),
    "standard": (50_000, 250, 100_000, 10),
    "professional": (50_000, 500, 3_000_000, 15),
    "enterprise": (50_000, 1_000, 5_000_000, 20),
    "ultimate": (50_000, 2_000, None, 25),
}


class Limits:
    def __init__(self, emu: ZohoEmulator) -> None:
        self.emu = emu
        self.enforced = emu.limits_mode != "off"
        base, per_user, cap, concurrency = EDITIONS[emu.edition]
        allowance = base + per_user * LICENSED_USERS
        self.allowance = min(allowance, cap) if cap else allowance
        self.concurrency = concurrency
        self._flight_lock = threading.Lock()
        self.in_flight = 0
        self.sub_in_flight = 0
        self._used = 0.0
        self.resync()

    # ----- credits (caller holds the emulator lock) ------------------------------------------------------
    def resync(self) -> None:
        self._used = float(sum(entry[1] for entry in self.emu.state.credits))

    def used(self) -> float:
        ledger = self.emu.state.credits
        cut = self.emu.clock.time() - DAY
        drop = 0
        while drop < len(ledger) and ledger[drop][0] <= cut:
            drop += 1
        if drop:
            self._used -= sum(entry[1] for entry in ledger[:drop])
            del ledger[:drop]
        return self._used

    def remaining(self) -> int:
        return max(0, math.floor(self.allowance - self.used()))

    def can_spend(self, credits: float) -> bool:
        return not self.enforced or self.used() + credits <= self.allowance

    def spend(self, credits: float) -> None:
        now = float(int(self.emu.clock.time()))
        ledger = self.emu.state.credits
        if ledger and ledger[-1][0] == now:
            ledger[-1][1] += credits
        else:
            ledger.append([now, credits])
        self._used += credits

    def write_cost(self, records: int) -> int:
        per = int(self.emu.switches["write_records_per_credit"])
        return max(1, math.ceil(records / per))

    def headers(self) -> dict[str, str]:
        """``X-API-CREDITS-REMAINING`` once the configured share of the allowance is used."""
        if not self.enforced:
            return {}
        used = self.used()
        if used >= float(self.emu.switches["credits_header_threshold"]) * self.allowance:
            return {"X-API-CREDITS-REMAINING": str(max(0, math.floor(self.allowance - used)))}
        return {}

    # ----- concurrency (own lock) ------------------------------------------------------------------------
    def enter(self, heavy: bool) -> bool:
        with self._flight_lock:
            if self.enforced and (
                self.in_flight >= self.concurrency or (heavy and self.sub_in_flight >= SUB_CONCURRENCY)
            ):
                return False
            self.in_flight += 1
            if heavy:
                self.sub_in_flight += 1
            return True

    def leave(self, heavy: bool) -> None:
        with self._flight_lock:
            self.in_flight -= 1
            if heavy:
                self.sub_in_flight -= 1

    @contextlib.contextmanager
    def occupy(self, calls: int, heavy: bool = False) -> Iterator[None]:
        """Pretend ``calls`` requests are in flight (other threads of the same app) for the block's duration."""
        with self._flight_lock:
            self.in_flight += calls
            if heavy:
                self.sub_in_flight += calls
        try:
            yield
        finally:
            with self._flight_lock:
                self.in_flight -= calls
                if heavy:
                    self.sub_in_flight -= calls
