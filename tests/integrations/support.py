"""Helpers for the connector tests: watch (and script) the traffic between the app and the in-process emulators.

:class:`Traffic` swaps the handler of the world's ``httpx.MockTransport``, so every request of the app *and* of the
scripted browser is recorded with the virtual time it was sent at, and a test can answer chosen requests itself
(a 500, an HTML page, a truncated body, a network error) before the emulator sees them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

import httpx

from app.auth.secrets import MemoryStore
from tests.world import World

Reply = Callable[[httpx.Request], httpx.Response]
SECRET_KEYS = {"code", "code_verifier", "refresh_token", "access_token", "id_token", "client_secret", "token"}


@dataclass
class Exchange:
    request: httpx.Request
    response: httpx.Response | None
    at: float
    scripted: bool = False

    @property
    def status(self) -> int | None:
        return self.response.status_code if self.response is not None else None


@dataclass
class _Rule:
    match: Callable[[httpx.Request], bool]
    reply: Reply
    remaining: float


@dataclass
class Traffic:
    world: World
    log: list[Exchange] = field(default_factory=list)
    _rules: list[_Rule] = field(default_factory=list)

    def __post_init__(self) -> None:
        transport = self.world.ctx.transport
        assert isinstance(transport, httpx.MockTransport)
        self._inner = transport.handler
        transport.handler = self._handle

    def _handle(self, request: httpx.Request) -> httpx.Response:
        at = self.world.clock.time()
        for rule in self._rules:
            if rule.remaining > 0 and rule.match(request):
                rule.remaining -= 1
                try:
                    response = rule.reply(request)
                except Exception:
                    self.log.append(Exchange(request, None, at, scripted=True))
                    raise
                self.log.append(Exchange(request, response, at, scripted=True))
                return response
        response = self._inner(request)
        self.log.append(Exchange(request, response, at))
        return response

    # ----- scripting -----------------------------------------------------------------------------------------
    def script(self, match: Callable[[httpx.Request], bool], reply: Reply, times: float = float("inf")) -> None:
        """Answer the next ``times`` requests matching ``match`` with ``reply`` (which may raise)."""
        self._rules.append(_Rule(match, reply, times))

    def clear_scripts(self) -> None:
        self._rules.clear()

    # ----- reading -------------------------------------------------------------------------------------------
    def mark(self) -> int:
        return len(self.log)

    def since(self, mark: int = 0, path: str = "", method: str = "") -> list[Exchange]:
        return [e for e in self.log[mark:] if path in e.request.url.path and (not method or
                                                                             e.request.method == method)]

    def secrets(self) -> dict[str, set[str]]:
        """Every credential that crossed the wire, by kind: authorization codes, PKCE verifiers, access, refresh
        and id tokens, client secrets (request forms and queries, Authorization headers, token answers, and the
        redirect to the loopback listener)."""
        found: dict[str, set[str]] = {}

        def take(pairs) -> None:
            for key, value in pairs:
                if key in SECRET_KEYS and isinstance(value, str) and len(value) >= 8:
                    found.setdefault("refresh_token" if key == "token" else key, set()).add(value)

        for e in self.log:
            request = e.request
            take(request.url.params.multi_items())
            auth = request.headers.get("Authorization", "")
            if " " in auth:
                take([("access_token", auth.split(" ", 1)[1])])
            if request.headers.get("Content-Type", "").startswith("application/x-www-form-urlencoded"):
                take(parse_qsl(request.content.decode()))
            response = e.response
            if response is None:
                continue
            location = response.headers.get("location")
            if location:
                take(parse_qsl(urlsplit(location).query))
            if request.url.path.endswith("/token") and response.content:
                try:
                    body = json.loads(response.content)
                except ValueError:
                    continue
                if isinstance(body, dict):
                    take(body.items())
        return found


def api(host_part: str, path_part: str = "") -> Callable[[httpx.Request], bool]:
    """A matcher for API calls (not sign-in traffic) to ``host_part`` whose path contains ``path_part``."""

    def match(request: httpx.Request) -> bool:
        url = request.url
        if host_part not in url.host or "/_sandbox/" in url.path:
            return False
        if "api.xro" not in url.path and "/crm/" not in url.path:
            return False
        return path_part in url.path

    return match


XERO_API = api("xero")
ZOHO_API = api("zohoapis")


def respond(status: int, body: bytes | str = b"", content_type: str = "application/json",
            headers: dict[str, str] | None = None) -> Reply:
    content = body.encode() if isinstance(body, str) else body
    all_headers = {"Content-Type": content_type, **(headers or {})}
    return lambda request: httpx.Response(status, content=content, headers=all_headers)


def fail_with(exc_type: type[httpx.TransportError]) -> Reply:
    def reply(request: httpx.Request) -> httpx.Response:
        raise exc_type("scripted network failure", request=request)

    return reply


class CrashOnceStore(MemoryStore):
    """A secret store whose next ``set`` (once armed) dies as if the app were killed mid-write."""

    class Crash(RuntimeError):
        pass

    def __init__(self) -> None:
        super().__init__()
        self.armed = False
        self.crashed_on: str | None = None

    def set(self, key: str, value: str) -> None:
        if self.armed:
            self.armed = False
            self.crashed_on = key
            raise self.Crash("the app died before the new refresh token was saved")
        super().set(key, value)
