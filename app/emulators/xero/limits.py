"""Xero's API limits: per tenant 5 in flight, 60 per rolling minute and 5,000 (Starter: 1,000) per rolling day;
per app 10,000 per rolling minute.

The limiter has its own lock, separate from the emulator's state lock, so a request that holds a concurrency slot
never blocks the state (the served emulator is threaded). Time comes from the emulator's clock, so a VirtualClock
moves windows without sleeping.
"""

from __future__ import annotations

import math
import threading
from collections import deque
from dataclasses import dataclass, field

CONCURRENT = 5
PER_MINUTE = 60
PER_DAY = {"real": 5000, "starter": 1000, "off": 5000}
APP_PER_MINUTE = 10_000


@dataclass
class _Tenant:
    in_flight: int = 0
    minute: deque = field(default_factory=deque)
    day: deque = field(default_factory=deque)


@dataclass
class Decision:
    allowed: bool
    problem: str = ""  # concurrent | minute | day | appminute
    retry_after: int = 0
    headers: dict[str, str] = field(default_factory=dict)


class RateLimiter:
    def __init__(self, clock, mode: str = "real") -> None:
        if mode not in PER_DAY:
            raise ValueError(f"limits must be one of {sorted(PER_DAY)}, not {mode!r}")
        self.clock = clock
        self.mode = mode
        self.day_limit = PER_DAY[mode]
        self.enforce = mode != "off"
        self._lock = threading.Lock()
        self._tenants: dict[str, _Tenant] = {}
        self._app: deque = deque()

    def _prune(self, now: float, tenant: _Tenant | None) -> None:
        while self._app and self._app[0] <= now - 60:
            self._app.popleft()
        if tenant is not None:
            while tenant.minute and tenant.minute[0] <= now - 60:
                tenant.minute.popleft()
            while tenant.day and tenant.day[0] <= now - 86_400:
                tenant.day.popleft()

    def _headers(self, tenant: _Tenant | None) -> dict[str, str]:
        if not self.enforce:  # limits off: the headers are still sent, saying nothing is used up
            headers = {"X-AppMinLimit-Remaining": str(APP_PER_MINUTE)}
            if tenant is not None:
                headers["X-MinLimit-Remaining"] = str(PER_MINUTE)
                headers["X-DayLimit-Remaining"] = str(self.day_limit)
            return headers
        headers = {"X-AppMinLimit-Remaining": str(max(0, APP_PER_MINUTE - len(self._app)))}
        if tenant is not None:
            headers["X-MinLimit-Remaining"] = str(max(0, PER_MINUTE - len(tenant.minute)))
            headers["X-DayLimit-Remaining"] = str(max(0, self.day_limit - len(tenant.day)))
        return headers

    def acquire(self, tenant_id: str) -> Decision:
        """Count one call for ``tenant_id`` and take a concurrency slot, or refuse it. A granted call must be
        followed by :meth:`release`."""
        with self._lock:
            now = self.clock.time()
            tenant = self._tenants.setdefault(tenant_id, _Tenant())
            self._prune(now, tenant)
            if self.enforce:
                refusal = None
                if tenant.in_flight >= CONCURRENT:
                    refusal = ("concurrent", 1)
                elif len(tenant.day) >= self.day_limit:
                    refusal = ("day", math.ceil(tenant.day[0] + 86_400 - now))
                elif len(tenant.minute) >= PER_MINUTE:
                    refusal = ("minute", math.ceil(tenant.minute[0] + 60 - now))
                elif len(self._app) >= APP_PER_MINUTE:
                    refusal = ("appminute", math.ceil(self._app[0] + 60 - now))
                if refusal:
                    return Decision(False, refusal[0], max(1, refusal[1]), self._headers(tenant))
            tenant.in_flight += 1
            tenant.minute.append(now)
            tenant.day.append(now)
            self._app.append(now)
            return Decision(True, headers=self._headers(tenant))

    def release(self, tenant_id: str) -> None:
        with self._lock:
            tenant = self._tenants.get(tenant_id)
            if tenant and tenant.in_flight > 0:
                tenant.in_flight -= 1

    def peek_headers(self, tenant_id: str | None) -> dict[str, str]:
        """Current remaining counts without counting a call (for 401/403 answers)."""
        with self._lock:
            now = self.clock.time()
            tenant = self._tenants.get(tenant_id) if tenant_id else None
            self._prune(now, tenant)
            return self._headers(tenant)

    def minute_retry_after(self, tenant_id: str | None) -> int:
        with self._lock:
            tenant = self._tenants.get(tenant_id) if tenant_id else None
            if tenant and tenant.minute:
                return max(1, math.ceil(tenant.minute[0] + 60 - self.clock.time()))
            return 1

    def reset(self) -> None:
        with self._lock:
            self._tenants.clear()
            self._app.clear()
