"""What both emulators share: request counting, fault injection, the clock, and the ``/_sandbox/`` control API.

A subclass implements :meth:`EmulatorBase.route` (the real API paths), the error bodies its service sends for a
rate limit and a server fault, and any control operations of its own (``control_extra``). Common control calls:

- ``GET  /_sandbox/requests``            → ``{"total": N, "by_endpoint": {"GET /api.xro/2.0/Contacts": n, ...}}``
- ``POST /_sandbox/requests/reset``      → zero the counts
- ``POST /_sandbox/faults``              → JSON ``{"force_429": N, "error_rate": 0.1, "latency_ms": 20,
  "html_errors": false, "seed": 1}`` (any subset; ``{}`` clears nothing, ``{"clear": true}`` clears all)
- ``POST /_sandbox/clock``               → JSON ``{"advance_seconds": S}``; answers ``{"now": ISO}``
- ``POST /_sandbox/expire-tokens``       → every access token issued so far is expired
- ``GET  /_sandbox/state`` / ``PUT /_sandbox/state`` → the whole state as JSON (save/load)
- ``POST /_sandbox/reset``               → back to the seed the emulator was built with
"""

from __future__ import annotations

import json
import random
import re
import threading
from collections import Counter
from dataclasses import dataclass
from email.utils import formatdate
from typing import Any

import httpx
import orjson

from .clock import SystemClock, VirtualClock

CONTROL_PREFIX = "/_sandbox/"

# Path segments that look like ids are folded so counts group by endpoint, not by record.
_ID_SEGMENT = re.compile(r"/(?:[0-9a-fA-F-]{32,36}|\d{6,})(?=/|$)")


@dataclass
class Faults:
    """Injected trouble, applied before the real handler runs."""

    force_429: int = 0
    error_rate: float = 0.0
    latency_ms: float = 0.0
    html_errors: bool = False
    seed: int = 1

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)

    def update(self, changes: dict[str, Any]) -> None:
        if changes.get("clear"):
            self.force_429, self.error_rate, self.latency_ms, self.html_errors = 0, 0.0, 0.0, False
        for key in ("force_429", "error_rate", "latency_ms", "html_errors", "seed"):
            if key in changes:
                setattr(self, key, type(getattr(self, key))(changes[key]))
        if "seed" in changes:
            self._random = random.Random(self.seed)

    def take_429(self) -> bool:
        if self.force_429 > 0:
            self.force_429 -= 1
            return True
        return False

    def roll_error(self) -> bool:
        return self.error_rate > 0 and self._random.random() < self.error_rate

    def as_dict(self) -> dict[str, Any]:
        return {
            "force_429": self.force_429,
            "error_rate": self.error_rate,
            "latency_ms": self.latency_ms,
            "html_errors": self.html_errors,
            "seed": self.seed,
        }


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> httpx.Response:
    """A JSON response with the content type real services send."""
    content = orjson.dumps(body)
    merged = {"Content-Type": "application/json; charset=utf-8"}
    merged.update(headers or {})
    return httpx.Response(status, content=content, headers=merged)


def read_json(request: httpx.Request) -> Any:
    """The request body as JSON, or ``None`` when empty or not JSON."""
    raw = request.content
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None


class EmulatorBase:
    """Shared plumbing; see the module docstring for the control API."""

    name = "emulator"

    def __init__(self, clock: SystemClock | VirtualClock | None = None) -> None:
        self.clock = clock or SystemClock()
        self.lock = threading.RLock()
        self.faults = Faults()
        self.counts: Counter[str] = Counter()

    # ----- entry point -----------------------------------------------------------------------------------
    def handle(self, request: httpx.Request) -> httpx.Response:
        response = self._handle(request)
        if "Date" not in response.headers:  # every real answer carries the server's clock, to the second
            response.headers["Date"] = formatdate(self.clock.time(), usegmt=True)
        return response

    def _handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path.startswith(CONTROL_PREFIX):
            with self.lock:
                return self._control(request, path[len(CONTROL_PREFIX) :].rstrip("/"))
        endpoint = f"{request.method} {_ID_SEGMENT.sub('/{id}', path)}"
        with self.lock:
            self.counts[endpoint] += 1
            latency = self.faults.latency_ms
        if latency:
            self.clock.sleep(latency / 1000.0)
        with self.lock:
            if self.faults.take_429():
                return self.rate_limited_response(request)
            if self.faults.roll_error():
                return self.server_error_response(request, html=self.faults.html_errors)
        return self.route(request)

    # ----- to implement ----------------------------------------------------------------------------------
    def route(self, request: httpx.Request) -> httpx.Response:
        raise NotImplementedError

    def rate_limited_response(self, request: httpx.Request) -> httpx.Response:
        raise NotImplementedError

    def server_error_response(self, request: httpx.Request, html: bool) -> httpx.Response:
        raise NotImplementedError

    def expire_access_tokens(self) -> None:
        raise NotImplementedError

    def export_state(self) -> dict[str, Any]:
        raise NotImplementedError

    def import_state(self, state: dict[str, Any]) -> None:
        raise NotImplementedError

    def reset_state(self) -> None:
        raise NotImplementedError

    def control_extra(self, request: httpx.Request, op: str) -> httpx.Response | None:
        """Emulator-specific control operations; return ``None`` for an unknown ``op``."""
        return None

    # ----- control API -----------------------------------------------------------------------------------
    def _control(self, request: httpx.Request, op: str) -> httpx.Response:
        body = read_json(request) or {}
        method = request.method
        if op == "requests" and method == "GET":
            return json_response(200, {"total": sum(self.counts.values()), "by_endpoint": dict(self.counts)})
        if op == "requests/reset" and method == "POST":
            self.counts.clear()
            return json_response(200, {"total": 0, "by_endpoint": {}})
        if op == "faults" and method in ("GET", "POST"):
            if method == "POST":
                self.faults.update(body)
            return json_response(200, self.faults.as_dict())
        if op == "clock" and method in ("GET", "POST"):
            if method == "POST":
                try:
                    self.clock.advance(float(body.get("advance_seconds", 0)))
                except ValueError as exc:
                    return json_response(400, {"error": str(exc)})
            return json_response(200, {"now": self.clock.now().isoformat()})
        if op == "expire-tokens" and method == "POST":
            self.expire_access_tokens()
            return json_response(200, {"expired": True})
        if op == "state" and method == "GET":
            return json_response(200, self.export_state())
        if op == "state" and method == "PUT":
            self.import_state(body)
            return json_response(200, {"loaded": True})
        if op == "reset" and method == "POST":
            self.reset_state()
            self.counts.clear()
            return json_response(200, {"reset": True})
        extra = self.control_extra(request, op)
        if extra is not None:
            return extra
        return json_response(404, {"error": f"unknown sandbox control call {method} /_sandbox/{op}"})

    def as_transport(self) -> httpx.MockTransport:
        """In-process use: ``httpx.Client(transport=emulator.as_transport())``."""
        return httpx.MockTransport(self.handle)
