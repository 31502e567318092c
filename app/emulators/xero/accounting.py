"""The Accounting API gate: ``/api.xro/2.0/…`` → auth, tenant, scope, limits, idempotency, then the resource.

Order of checks (each answered the way the real API answers it):

1. maintenance switched on → 503 text/plain "The Xero API is currently offline for maintenance";
2. unknown resource → 404 text/plain "The resource you're looking for cannot be found";
3. no/invalid bearer token → 401 ProblemDetails (``TokenExpired: token expired at …`` + WWW-Authenticate);
4. ``xero-tenant-id`` missing, unknown or not connected for this token → 403 ProblemDetails
   ``AuthenticationUnsuccessful``; a scope the token lacks → 403 too (switch ``insufficient_scope_401``);
5. limits (:mod:`.limits`) → 429 with ``Retry-After`` and ``X-Rate-Limit-Problem``;
6. ``Accept`` without application/json → 406 (switch ``require_accept_json``; the real API would send XML);
7. ``Idempotency-Key`` (≤128 chars) on PUT/POST: same key + same request within the window replays the stored
   response; same key + different request → 400.

Every answer carries ``Xero-Correlation-Id`` and the ``X-…Limit-Remaining`` headers.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

import httpx

from . import contact_groups, contacts, credit_notes, invoices, items, payments, settings
from .calls import Call, CallError
from .wire import (
    MAINTENANCE_TEXT,
    NOT_FOUND_TEXT,
    UNAVAILABLE_HTML,
    problem,
    text_response,
    xero_response,
)

if TYPE_CHECKING:
    from . import XeroEmulator

API_PREFIX = "/api.xro/2.0"

READ = {
    "contacts": {"accounting.contacts", "accounting.contacts.read"},
    "contactgroups": {"accounting.contacts", "accounting.contacts.read"},
    "invoices": {"accounting.invoices", "accounting.invoices.read", "accounting.transactions",
                 "accounting.transactions.read"},
    "payments": {"accounting.payments", "accounting.payments.read", "accounting.transactions",
                 "accounting.transactions.read"},
    "creditnotes": {"accounting.invoices", "accounting.invoices.read", "accounting.transactions",
                    "accounting.transactions.read"},
    "items": {"accounting.settings", "accounting.settings.read", "accounting.invoices", "accounting.invoices.read",
              "accounting.transactions", "accounting.transactions.read"},
}
WRITE = {
    "contacts": {"accounting.contacts"},
    "contactgroups": {"accounting.contacts"},
    "invoices": {"accounting.invoices", "accounting.transactions"},
    "payments": {"accounting.payments", "accounting.transactions"},
    "creditnotes": {"accounting.invoices", "accounting.transactions"},
    "items": {"accounting.settings", "accounting.invoices", "accounting.transactions"},
}
SETTINGS_SCOPES = {"accounting.settings", "accounting.settings.read"}

Handler = Callable[[Call], httpx.Response]
ROUTES: dict[str, dict[str, Handler]] = {
    "contacts": {"GET": contacts.get, "PUT": contacts.write, "POST": contacts.write},
    "contactgroups": {"GET": contact_groups.get, "PUT": contact_groups.write, "DELETE": contact_groups.write},
    "invoices": {"GET": invoices.get, "PUT": invoices.write, "POST": invoices.write},
    "items": {"GET": items.get, "PUT": items.write, "POST": items.write, "DELETE": items.write},
    "payments": {"GET": payments.get, "PUT": payments.write, "POST": payments.write},
    "creditnotes": {"GET": credit_notes.get, "PUT": credit_notes.write, "POST": credit_notes.write,
                    "DELETE": credit_notes.write},
    **{name: {"GET": fn} for name, fn in settings.HANDLERS.items()},
}


class Accounting:
    def __init__(self, emu: XeroEmulator) -> None:
        self.emu = emu
        self.idempotency: dict[tuple[str, str], dict[str, Any]] = {}

    def handle(self, request: httpx.Request) -> httpx.Response:
        emu = self.emu
        correlation = {"Xero-Correlation-Id": str(uuid.uuid4())}
        tenant_hint = (request.headers.get("xero-tenant-id") or "").strip().lower()
        if emu.maintenance:
            if emu.faults.html_errors:
                return text_response(503, UNAVAILABLE_HTML, correlation, "text/html; charset=utf-8")
            return text_response(503, MAINTENANCE_TEXT, correlation)
        segments = [unquote(s) for s in request.url.path[len(API_PREFIX):].split("/") if s]
        resource = segments[0].lower() if segments else ""
        handler = ROUTES.get(resource, {}).get(request.method)
        if handler is None:
            return text_response(404, NOT_FOUND_TEXT, {**correlation, **emu.limiter.peek_headers(None)})
        with emu.lock:
            grant, error = emu.identity.bearer(request)
            if error is None:
                assert grant is not None
                if not tenant_hint or tenant_hint not in emu.orgs or not emu.identity.connected(grant, tenant_hint):
                    error = xero_response(403, problem(403, "Forbidden", "AuthenticationUnsuccessful"))
                elif emu.switches.get("enforce_scopes") and not self._scoped(grant.scopes, resource, request.method):
                    if emu.switches.get("insufficient_scope_401"):
                        error = xero_response(401, problem(401, "Unauthorized", "AuthorizationUnsuccessful"),
                                              {"WWW-Authenticate": 'Bearer error="insufficient_scope"'})
                    else:
                        error = xero_response(403, problem(403, "Forbidden", "AuthenticationUnsuccessful"))
        if error is not None:
            known = tenant_hint if tenant_hint in emu.orgs else None
            error.headers.update({**correlation, **emu.limiter.peek_headers(known)})
            return error
        assert grant is not None
        decision = emu.limiter.acquire(tenant_hint)
        if not decision.allowed:
            return xero_response(
                429, problem(429, "Too Many Requests", f"Rate limit exceeded: {decision.problem}"),
                {**correlation, **decision.headers, "Retry-After": str(decision.retry_after),
                 "X-Rate-Limit-Problem": decision.problem})
        try:
            if emu.switches.get("require_accept_json") and "json" not in request.headers.get("Accept", "").lower():
                # where the real API would answer XML (a counted call, after the gateway's auth checks)
                response = text_response(406, "Not Acceptable: this sandbox only answers JSON. The real Xero API "
                                              "answers XML unless the request says Accept: application/json.")
            else:
                response = self._run(request, handler, segments, tenant_hint, grant.client_id)
        finally:
            emu.limiter.release(tenant_hint)
        response.headers.update({**correlation, **decision.headers})
        return response

    @staticmethod
    def _scoped(granted: list[str], resource: str, method: str) -> bool:
        table = READ if method == "GET" else WRITE
        needed = table.get(resource, SETTINGS_SCOPES)
        return bool(needed & set(granted))

    def _run(self, request: httpx.Request, handler: Handler, segments: list[str], tenant: str,
             client_id: str) -> httpx.Response:
        emu = self.emu
        key = request.headers.get("Idempotency-Key")
        fingerprint = ""
        with emu.lock:
            now_ms = int(emu.clock.time() * 1000)
            if key is not None and request.method in ("PUT", "POST"):
                if len(key) > 128 or not key.strip():
                    return xero_response(400, problem(400, "Bad Request",
                                                      "The Idempotency-Key header must be 1 to 128 characters."))
                fingerprint = hashlib.sha256(b"|".join([
                    request.method.encode(), request.url.path.lower().encode(),
                    str(sorted(request.url.params.multi_items())).encode(), request.content])).hexdigest()
                window = int(emu.switches.get("idempotency_window_s") or 360) * 1000
                for k in [k for k, v in self.idempotency.items() if now_ms - v["at"] > window]:
                    del self.idempotency[k]
                stored = self.idempotency.get((tenant, key))
                if stored is not None:
                    if stored["fingerprint"] != fingerprint:
                        return xero_response(400, problem(
                            400, "Bad Request", f"The Idempotency-Key '{key}' is used with a different request."))
                    return httpx.Response(stored["status"], content=stored["content"], headers=stored["headers"])
            call = Call(org=emu.orgs[tenant], method=request.method, path_rest=segments[1:],
                        query={k.lower(): v for k, v in request.url.params.items()}, headers=request.headers,
                        body=request.content, now_ms=now_ms, switches=emu.switches, provider=emu.app_name,
                        client_id=client_id)
            try:
                response = handler(call)
            except CallError as exc:
                response = exc.response
            if fingerprint and response.status_code < 500:
                self.idempotency[(tenant, key or "")] = {
                    "fingerprint": fingerprint, "at": now_ms, "status": response.status_code,
                    "content": response.content,
                    "headers": {k: v for k, v in response.headers.items() if k.lower() != "content-length"}}
            return response
