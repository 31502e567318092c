"""The Xero sandbox: an emulator of Xero Identity (OAuth 2 + PKCE), connections and the Accounting API.

``XeroEmulator(clock=None, seed="demo"|"empty"|"large:N", limits="real"|"starter"|"off",
redirect_uris=("http://localhost:8765/callback",), client_id="LEDGERBRIDGE-SANDBOX-XERO", switches=None)``

Routing is by path only, so one object answers in-process at the real hostnames
(``https://login.xero.com/identity/connect/authorize``, ``https://identity.xero.com/connect/token`` and
``/connect/revocation``, ``https://api.xero.com/connections``, ``https://api.xero.com/api.xro/2.0/…``) and when
served on ``http://127.0.0.1:PORT`` (same paths; see :meth:`XeroEmulator.urls`).

Modules: :mod:`.identity` (OAuth, tokens, connections), :mod:`.accounting` (the API gate: auth, tenant, scopes,
limits, idempotency), :mod:`.contacts`, :mod:`.invoices`, :mod:`.items`, :mod:`.payments`, :mod:`.settings`
(resources), :mod:`.calls` (lists and batch writes), :mod:`.views` (wire shapes), :mod:`.wire` (decimals, dates,
envelope, error bodies), :mod:`.where` (filter language), :mod:`.calc` (per-line tax), :mod:`.limits`,
:mod:`.seed`, :mod:`.state`, :mod:`.control` (the ``/_sandbox/xero/…`` scenario API) and :mod:`.switches`
(:data:`SWITCHES`, the behaviours the notes could not verify).

Documented choices where the notes leave room:

- A request without ``Accept: application/json`` gets 406 (the real API would answer XML); switch
  ``require_accept_json`` off to serve JSON anyway.
- 429 bodies are ProblemDetails JSON (the real body is unverified; clients should read the headers). Concurrency
  429s carry ``Retry-After: 1``.
- An invalid scope is refused on the authorize step (error page, no redirect); switch ``invalid_scope_at_token``.
- Limit windows roll (a call counts for exactly 60 s / 24 h); the real ones are fixed windows per tenant.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import httpx

from ..base import EmulatorBase
from ..clock import SystemClock, VirtualClock
from .accounting import API_PREFIX, Accounting
from .control import ControlMixin, SandboxEditError
from .identity import App, Identity, IdentityState
from .limits import RateLimiter
from .seed import build, parse_seed
from .state import Org, org_from_json, org_to_json
from .switches import SWITCHES, defaults
from .wire import NOT_FOUND_TEXT, SERVER_ERROR_HTML, problem, server_error_body, text_response, xero_response

__all__ = ["SWITCHES", "SandboxEditError", "XeroEmulator"]

STATE_VERSION = 1


class XeroEmulator(ControlMixin, EmulatorBase):
    name = "xero"

    def __init__(self, clock: SystemClock | VirtualClock | None = None, seed: str = "demo", limits: str = "real",
                 redirect_uris: Iterable[str] = ("http://localhost:8765/callback",),
                 client_id: str = "LEDGERBRIDGE-SANDBOX-XERO", switches: dict[str, Any] | None = None,
                 *, client_secret: str | None = None, app_name: str = "Ledgerbridge") -> None:
        super().__init__(clock)
        parse_seed(seed)
        unknown = sorted(set(switches or {}) - set(SWITCHES))
        if unknown:
            raise ValueError(f"unknown Xero emulator switch(es): {', '.join(unknown)}")
        self.seed = seed
        self.switches: dict[str, Any] = {**defaults(), **(switches or {})}
        self.app_name = app_name
        self.client_id = client_id
        self.redirect_uris = tuple(redirect_uris)
        self.limiter = RateLimiter(self.clock, limits)
        self.identity = Identity(self, [App(client_id, app_name, self.redirect_uris, client_secret)])
        self.accounting = Accounting(self)
        self.maintenance = False
        self.orgs: dict[str, Org] = {}
        self._build()

    def _build(self) -> None:
        self.orgs = {o.TenantID: o for o in build(self.seed, int(self.clock.time() * 1000))}

    def urls(self, base: str) -> dict[str, str]:
        base = base.rstrip("/")
        return {"authorize_url": f"{base}/identity/connect/authorize", "token_url": f"{base}/connect/token",
                "revocation_url": f"{base}/connect/revocation", "connections_url": f"{base}/connections",
                "api_base": f"{base}{API_PREFIX}", "client_id": self.client_id,
                "redirect_uri": self.redirect_uris[0] if self.redirect_uris else ""}

    # ----- routing -----------------------------------------------------------------------------------------------
    def route(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        low = path.lower().rstrip("/")
        method = request.method
        if low == API_PREFIX or low.startswith(API_PREFIX + "/"):
            return self.accounting.handle(request)
        if low == "/identity/connect/authorize" and method == "GET":
            return self.identity.authorize(request)
        if low == "/identity/connect/consent" and method == "POST":
            return self.identity.consent(request)
        if low == "/connect/token" and method == "POST":
            return self.identity.token(request)
        if low == "/connect/revocation" and method == "POST":
            return self.identity.revoke(request)
        if low == "/connections" or low.startswith("/connections/"):
            return self.identity.connections(request, path.rstrip("/")[len("/connections"):].strip("/"))
        if low == "/.well-known/openid-configuration":
            return self.identity.discovery(f"{request.url.scheme}://{request.url.netloc.decode()}")
        return text_response(404, NOT_FOUND_TEXT)

    # ----- faults the base class injects -------------------------------------------------------------------------
    def rate_limited_response(self, request: httpx.Request) -> httpx.Response:
        tenant = (request.headers.get("xero-tenant-id") or "").strip().lower() or None
        retry = self.limiter.minute_retry_after(tenant)
        headers = {**self.limiter.peek_headers(tenant), "Retry-After": str(retry), "X-Rate-Limit-Problem": "minute"}
        headers["X-MinLimit-Remaining"] = "0"
        return xero_response(429, problem(429, "Too Many Requests", "Rate limit exceeded: minute"), headers)

    def server_error_response(self, request: httpx.Request, html: bool) -> httpx.Response:
        if html:
            return text_response(500, SERVER_ERROR_HTML, content_type="text/html; charset=utf-8")
        return xero_response(500, server_error_body())

    # ----- state -------------------------------------------------------------------------------------------------
    def expire_access_tokens(self) -> None:
        with self.lock:
            self.identity.expire_access_tokens()

    def export_state(self) -> dict[str, Any]:
        with self.lock:
            return {"emulator": "xero", "version": STATE_VERSION, "seed": self.seed,
                    "orgs": [org_to_json(o) for o in self.orgs.values()],
                    "identity": self.identity.state.to_json(), "maintenance": self.maintenance}

    def import_state(self, state: dict[str, Any]) -> None:
        if state.get("emulator") != "xero" or state.get("version") != STATE_VERSION:
            raise ValueError("not a saved Xero sandbox (or from an incompatible version)")
        with self.lock:
            self.orgs = {o.TenantID: o for o in (org_from_json(d) for d in state.get("orgs", []))}
            self.identity.state = IdentityState.from_json(state.get("identity", {}))
            self.maintenance = bool(state.get("maintenance", False))
            self.accounting.idempotency.clear()

    def reset_state(self) -> None:
        with self.lock:
            self._build()
            self.identity.state = IdentityState()
            self.accounting.idempotency.clear()
            self.limiter.reset()
            self.maintenance = False
