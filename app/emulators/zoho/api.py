"""``{api_domain}/crm/v8/...``: authentication, scopes, limits, then the record or metadata handler.

Order of checks: URL pattern → access token (``Authorization: Zoho-oauthtoken …``; wrong DC, expired or revoked ⇒
401 ``INVALID_TOKEN``) → module → scope (401 ``OAUTH_SCOPE_MISMATCH``) → concurrency and credits (429
``TOO_MANY_REQUESTS``, no ``Retry-After``) → handler. Every answered call costs credits (writes 1 per 10 records)
and carries ``X-API-CREDITS-REMAINING`` once half the allowance is used.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx

from ..base import json_response
from . import wire
from .datacentres import Target
from .metadata import SCOPE_NAMES

if TYPE_CHECKING:
    from . import ZohoEmulator

RECORD_OPS = {"GET": "READ", "POST": "CREATE", "PUT": "UPDATE", "DELETE": "DELETE"}


@dataclass
class Call:
    handler: Callable[[], httpx.Response]
    scopes: list[tuple[str, ...]]  # every entry must be satisfied
    cost: int = 1
    heavy: bool = False


def _module_scope_ok(scopes: set[str], module: str, op: str) -> bool:
    m = SCOPE_NAMES[module]
    options = {"zohocrm.modules.all", f"zohocrm.modules.{m}.all", f"zohocrm.modules.{op.lower()}",
               f"zohocrm.modules.{m}.{op.lower()}"}
    if op in ("CREATE", "UPDATE"):
        options |= {"zohocrm.modules.write", f"zohocrm.modules.{m}.write"}
    return bool(scopes & options)


def _scope_ok(scopes: set[str], need: tuple[str, ...]) -> bool:
    kind = need[0]
    if kind == "module":
        return _module_scope_ok(scopes, need[1], need[2])
    if kind == "settings":
        return bool(scopes & {"zohocrm.settings.all", f"zohocrm.settings.{need[1]}.all",
                              f"zohocrm.settings.{need[1]}.read"})
    if kind == "org":
        return bool(scopes & {"zohocrm.org.all", "zohocrm.org.read"})
    if kind == "users":
        return bool(scopes & {"zohocrm.users.all", "zohocrm.users.read"})
    if kind == "securesearch":
        return bool(scopes & {"zohosearch.securesearch.read", "zohosearch.securesearch.all"})
    return False


class CrmApi:
    def __init__(self, emu: ZohoEmulator) -> None:
        self.emu = emu

    def handle(self, request: httpx.Request, target: Target) -> httpx.Response:
        emu = self.emu
        parts = [p for p in target.path.split("/") if p]
        if parts[:2] != ["crm", "v8"]:
            return wire.api_error(404, "INVALID_URL_PATTERN")
        with emu.lock:
            token = self._authenticate(request, target)
            if isinstance(token, httpx.Response):
                return token
            call = self._route(request, parts[2:], token["user"])
            if isinstance(call, httpx.Response):
                return call
            scopes = {s.lower() for s in token["scopes"]}
            if not all(_scope_ok(scopes, need) for need in call.scopes):
                return wire.api_error(401, "OAUTH_SCOPE_MISMATCH")
        if not emu.limits.enter(call.heavy):
            return self.too_many()
        try:
            with emu.lock:
                if not emu.limits.can_spend(call.cost):
                    return self.too_many()
                response = call.handler()
                emu.limits.spend(call.cost)
                for key, value in emu.limits.headers().items():
                    response.headers[key] = value
                return response
        finally:
            emu.limits.leave(call.heavy)

    @staticmethod
    def too_many() -> httpx.Response:
        return wire.api_error(429, "TOO_MANY_REQUESTS")

    # ----- auth ----------------------------------------------------------------------------------------------
    def _authenticate(self, request: httpx.Request, target: Target) -> dict[str, Any] | httpx.Response:
        emu = self.emu
        header = request.headers.get("Authorization", "").strip()
        if not header:
            return wire.api_error(401, str(emu.switches["missing_auth_code"]))
        scheme, _, value = header.partition(" ")
        accepted = {"zoho-oauthtoken"} | ({"bearer"} if emu.switches["accept_bearer"] else set())
        if scheme.lower() not in accepted:
            return wire.api_error(401, "INVALID_TOKEN")
        info = emu.state.access_tokens.get(value.strip())
        if info is None or info["expires"] <= emu.clock.time() or info["dc"] != target.dc:
            return wire.api_error(401, "INVALID_TOKEN")
        return info

    # ----- routing ---------------------------------------------------------------------------------------
    def _route(self, request: httpx.Request, rest: list[str], user: str) -> Call | httpx.Response:
        emu = self.emu
        method = request.method
        s = emu.settings

        def only(allowed: str) -> httpx.Response | None:
            return None if method == allowed else wire.api_error(400, "INVALID_REQUEST_METHOD")

        if not rest:
            return wire.api_error(404, "INVALID_URL_PATTERN")
        head = rest[0]
        if head == "org" and len(rest) == 1:
            return only("GET") or Call(s.org, [("org",)])
        if head == "org" and rest[1:] == ["taxes"]:
            return only("GET") or Call(s.taxes, [("org",)])
        if head == "org" and rest[1:] == ["currencies"]:
            return only("GET") or Call(s.currencies, [("settings", "currencies")])
        if head == "users" and len(rest) <= 2:
            uid = rest[1] if len(rest) == 2 else None
            return only("GET") or Call(lambda: s.users(request, user, uid), [("users",)])
        if head == "settings" and len(rest) in (2, 3) and rest[1] in ("fields", "modules"):
            extra = rest[2] if len(rest) == 3 else None
            if rest[1] == "fields":
                return only("GET") or Call(lambda: s.fields(request, extra), [("settings", "fields")])
            return only("GET") or Call(lambda: s.modules(request, extra), [("settings", "modules")])
        module = emu.resolve_module(head)
        if module is None or not emu.edition_has(module):
            return self._bad_module(method, module)
        r = emu.records
        if len(rest) == 1:
            if method not in RECORD_OPS:
                return wire.api_error(400, "INVALID_REQUEST_METHOD")
            need = [("module", module, RECORD_OPS[method])]
            if method == "GET":
                heavy = any(request.url.params.get(p) for p in emu.switches["heavy_get_params"])
                return Call(lambda: r.list(request, module, user), need, heavy=heavy)
            if method == "DELETE":
                return Call(lambda: r.delete(request, module, user), need)
            count = r.write_count(request)
            handler = r.insert if method == "POST" else r.update
            return Call(lambda: handler(request, module, user), need, emu.limits.write_cost(count), count > 10)
        if len(rest) == 2 and rest[1] == "upsert":
            if method != "POST":
                return wire.api_error(400, "INVALID_REQUEST_METHOD")
            count = r.write_count(request)
            need = [("module", module, "CREATE"), ("module", module, "UPDATE")]
            return Call(lambda: r.upsert(request, module, user), need, emu.limits.write_cost(count), count > 10)
        if len(rest) == 2 and rest[1] == "deleted":
            return only("GET") or Call(lambda: r.deleted(request, module), [("module", module, "READ")])
        if len(rest) == 2 and rest[1] == "search":
            need = [("module", module, "READ")]
            if emu.switches["search_needs_securesearch"]:
                need.append(("securesearch",))
            return only("GET") or Call(lambda: r.search(request, module), need)
        if len(rest) == 2 and rest[1].isdigit():
            rec_id = rest[1]
            need = [("module", module, RECORD_OPS.get(method, "READ"))]
            if method == "GET":
                return Call(lambda: r.get(request, module, rec_id), need)
            if method == "PUT":
                return Call(lambda: r.update(request, module, user, rec_id), need)
            if method == "DELETE":
                return Call(lambda: r.delete(request, module, user, rec_id), need)
            return wire.api_error(400, "INVALID_REQUEST_METHOD")
        return wire.api_error(404, "INVALID_URL_PATTERN")

    def _bad_module(self, method: str, module: str | None) -> httpx.Response:
        if module is not None and self.emu.switches["inventory_absent_error"] == "NO_PERMISSION":
            return wire.api_error(403, "NO_PERMISSION", details={"permissions": [f"Crm_Implied_View_{module}"]})
        body = wire.error_body("INVALID_MODULE", details={"resource_path_index": 0})
        if method in ("POST", "PUT"):
            return json_response(400, {"data": [body]})
        return json_response(400, body)
