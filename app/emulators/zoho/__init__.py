"""Zoho CRM API emulator: the Accounts (OAuth) servers of every data centre and CRM REST API v8.

Fidelity follows ``shared/reference/zoho-api-notes.md``; where the notes say UNVERIFIED the likely behaviour is the
default and the alternative is a switch (:data:`SWITCHES`, ``ZohoEmulator(switches={...})``).

**Hosts.** In-process the emulator answers at the real hostnames (``accounts.zoho.com``, ``accounts.zoho.eu``, …,
``accounts.zohocloud.ca``; ``www.zohoapis.com``, ``www.zohoapis.eu``, …). Served on ``http://127.0.0.1:PORT`` each
DC lives under a path prefix: ``{base}/{dc}/accounts/oauth/v2/...`` and ``{base}/{dc}/api/crm/v8/...``
(:mod:`.datacentres`); :meth:`ZohoEmulator.urls` / :meth:`ZohoEmulator.dc_urls` give the URLs. The org lives in one
DC (``dc``); the consent redirect carries its ``location`` and ``accounts-server``, the token response its
``api_domain``.

**Control API** (besides the common ``/_sandbox/`` calls of :mod:`app.emulators.base`). "Web UI" edits act as the
sales user Priya (``"_user": "admin"`` in the body or ``?user=admin`` for Tom) and move ``Modified_Time``:

- ``POST   /_sandbox/zoho/{module}``            JSON field values → 201 ``{"data": record}`` (create a record)
- ``PATCH  /_sandbox/zoho/{module}/{id}``       JSON field values → ``{"data": record}`` (edit; read-only fields
  such as ``Converted__s`` allowed)
- ``DELETE /_sandbox/zoho/{module}/{id}[?permanent=true]`` → to the recycle bin (or permanently); shows in
  ``/{module}/deleted``
- ``POST   /_sandbox/zoho/deals/{id}/stage``    ``{"Stage": "Closed Won"}`` → the deal (probability follows)
- ``GET    /_sandbox/zoho/summary``             → ``{"modules": {module: count}, "deleted": {...}, "credits_used", ...}``
- ``POST   /_sandbox/zoho/fields/{module}``     ``{"api_name", "data_type"?, "field_label"?, "length"?,
  "pick_list_values"?, "unique"?, "mandatory"?, "lookup"?, "read_only"?, "new_api_name"?, "remove"?}`` → add or
  change a field definition (schema changed under the mapping)
- ``POST   /_sandbox/zoho/credits``             ``{"used": N}`` → N credits spent now (fast-forward to the limits)

Python equivalents: :meth:`ZohoEmulator.ui_create`, ``ui_edit``, ``ui_delete``, ``set_deal_stage``, ``summary``,
``define_field``, ``use_credits``; plus ``issue_tokens`` (tokens without the browser flow) and ``occupy_slots``
(pretend other calls are in flight).
"""

from __future__ import annotations

import contextlib
from typing import Any

import httpx

from .. import demo_story
from ..base import EmulatorBase, json_response
from ..clock import SystemClock, VirtualClock
from . import datacentres, wire
from .accounts import THROTTLE_BODY, AccountsServer
from .api import CrmApi
from .control import Control, ControlError
from .limits import EDITIONS, Limits
from .metadata import INVENTORY_MODULES, MODULES, SUBFORM_MODULES
from .records import Records
from .seed import apply as apply_seed
from .seed import parse_seed
from .settings import Settings
from .state import ZohoState
from .store import Store
from .switches import SWITCHES, resolve
from .validation import Validator

__all__ = ["ZohoEmulator", "SWITCHES", "DEFAULT_SCOPES", "DEFAULT_REDIRECT_URI"]

DEFAULT_REDIRECT_URI = "http://127.0.0.1:8766/callback"
DEFAULT_SCOPES = ["ZohoCRM.modules.ALL", "ZohoCRM.settings.ALL", "ZohoCRM.org.READ", "ZohoCRM.users.READ"]
TIME_ZONE = "Australia/Sydney"


class ZohoEmulator(EmulatorBase):
    name = "zoho"

    def __init__(
        self,
        clock: SystemClock | VirtualClock | None = None,
        seed: str = "demo",
        limits: str = "real",
        dc: str = "us",
        redirect_uris: tuple[str, ...] | list[str] = (DEFAULT_REDIRECT_URI,),
        client_id: str = "1000.LEDGERBRIDGESANDBOX",
        client_secret: str = "ledgerbridge-sandbox-zoho-secret",
        edition: str = "enterprise",
        switches: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(clock)
        if dc not in datacentres.DATA_CENTRES:
            raise ValueError(f"unknown Zoho data centre {dc!r}; known: {sorted(datacentres.DATA_CENTRES)}")
        if edition not in EDITIONS:
            raise ValueError(f"unknown Zoho edition {edition!r}; known: {sorted(EDITIONS)}")
        if limits not in ("real", "off"):
            raise ValueError("limits must be 'real' or 'off'")
        parse_seed(seed)
        self.seed_name = seed
        self.limits_mode = limits
        self.dc = dc
        self.redirect_uris = tuple(redirect_uris)
        self.client_id = client_id
        self.client_secret = client_secret
        self.edition = edition
        self.switches = resolve(switches)
        self.tz = wire.parse_offset(demo_story.ORG_TIMEZONE_OFFSET)
        self.time_zone = TIME_ZONE
        self.org_name = demo_story.ORG_NAME
        self.state = ZohoState()
        self.seeded_at = self.clock.time()
        self.validator = Validator(self)
        self.store = Store(self)
        self.records = Records(self)
        self.settings = Settings(self)
        self.accounts = AccountsServer(self)
        self.api = CrmApi(self)
        self.limits = Limits(self)
        self.control = Control(self)
        self.reset_state()

    # ----- EmulatorBase ------------------------------------------------------------------------------------
    def route(self, request: httpx.Request) -> httpx.Response:
        target = datacentres.parse(request, self.switches["uk_api_domain"])
        if target is None:
            return wire.api_error(404, "INVALID_URL_PATTERN")
        if target.kind == "accounts":
            return self.accounts.handle(request, target)
        return self.api.handle(request, target)

    def _is_accounts(self, request: httpx.Request) -> bool:
        target = datacentres.parse(request, self.switches["uk_api_domain"])
        return target is not None and target.kind == "accounts"

    def rate_limited_response(self, request: httpx.Request) -> httpx.Response:
        if self._is_accounts(request):
            return json_response(int(self.switches["throttle_http_status"]), THROTTLE_BODY)
        return CrmApi.too_many()

    def server_error_response(self, request: httpx.Request, html: bool) -> httpx.Response:
        if html:
            page = ("<!DOCTYPE html><html><head><title>Zoho CRM</title></head><body><h1>Internal Server Error</h1>"
                    "<p>Something went wrong. Please try again later.</p></body></html>")
            return httpx.Response(500, content=page.encode(), headers={"Content-Type": "text/html; charset=utf-8"})
        return wire.api_error(500, "INTERNAL_ERROR")

    def expire_access_tokens(self) -> None:
        with self.lock:
            now = self.clock.time()
            for info in self.state.access_tokens.values():
                info["expires"] = min(info["expires"], now)

    def export_state(self) -> dict[str, Any]:
        with self.lock:
            data = self.state.to_json()
            data["dc"] = self.dc
            data["seeded_at"] = self.seeded_at
            return wire_copy(data)

    def import_state(self, state: dict[str, Any]) -> None:
        with self.lock:
            self.state = ZohoState.from_json(state)
            self.seeded_at = float(state.get("seeded_at", self.seeded_at))
            self.store.invalidate_index()
            self.limits.resync()

    def reset_state(self) -> None:
        with self.lock:
            self.state = ZohoState()
            self.seeded_at = self.clock.time()
            self.store.invalidate_index()
            self.limits.resync()
            apply_seed(self, self.seed_name)
            self.limits.resync()

    def control_extra(self, request: httpx.Request, op: str) -> httpx.Response | None:
        return self.control.handle(request, op)

    # ----- configuration helpers ---------------------------------------------------------------------------
    def _client(self) -> dict[str, str]:
        return {"client_id": self.client_id, "client_secret": self.client_secret,
                "redirect_uri": self.redirect_uris[0]}

    def urls(self, base: str | None = None) -> dict[str, str]:
        """Endpoints of the org's DC: served (``base="http://127.0.0.1:PORT"``) or real hostnames (``None``)."""
        return self.dc_urls(base, self.dc)

    def dc_urls(self, base: str | None, dc: str) -> dict[str, str]:
        return datacentres.urls(base, dc, self._client(), self.switches["uk_api_domain"])

    def resolve_module(self, name: str, subforms: bool = False) -> str | None:
        """The module's API name for a case-insensitive ``name`` (Zoho accepts ``/crm/v8/accounts``)."""
        lowered = name.lower()
        for module in list(MODULES) + (list(SUBFORM_MODULES) if subforms else []):
            if module.lower() == lowered:
                return module
        return None

    def edition_has(self, module: str) -> bool:
        return not (module in INVENTORY_MODULES and self.edition in ("free", "standard"))

    # ----- Python conveniences for tests ------------------------------------------------------------------
    def issue_tokens(self, scopes: list[str] | None = None, offline: bool = True, base: str | None = None,
                     user: str = "admin") -> dict[str, Any]:
        """A token response as if the consent flow had just run (``base`` as in :meth:`urls`)."""
        with self.lock:
            return self.accounts.issue(list(scopes or DEFAULT_SCOPES), offline=offline, user=user, origin=base)

    def occupy_slots(self, calls: int, heavy: bool = False) -> contextlib.AbstractContextManager[None]:
        """Within the block, ``calls`` other requests of the app count as in flight."""
        return self.limits.occupy(calls, heavy)

    def _do(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        with self.lock:
            try:
                return fn(*args, **kwargs)
            except ControlError as err:
                raise ValueError(err.body) from err

    def ui_create(self, module: str, values: dict[str, Any], user: str = "sales") -> dict[str, Any]:
        return self._do(self.control.create, module, values, user)

    def ui_edit(self, module: str, rec_id: str, values: dict[str, Any], user: str = "sales") -> dict[str, Any]:
        return self._do(self.control.edit, module, rec_id, values, user)

    def ui_delete(self, module: str, rec_id: str, user: str = "sales", permanent: bool = False) -> None:
        self._do(self.control.delete, module, rec_id, user, permanent)

    def set_deal_stage(self, rec_id: str, stage: str, user: str = "sales") -> dict[str, Any]:
        return self._do(self.control.set_stage, rec_id, stage, user)

    def summary(self) -> dict[str, Any]:
        return self._do(self.control.summary)

    def define_field(self, module: str, spec: dict[str, Any]) -> dict[str, Any] | None:
        return self._do(self.control.define_field, module, spec)

    def use_credits(self, used: float) -> dict[str, Any]:
        return self._do(self.control.use_credits, used)

    def find_records(self, module: str, **equals: Any) -> list[dict[str, Any]]:
        """Stored records (wire form, subforms included) whose fields equal the given values."""
        with self.lock:
            out = []
            for rec in self.state.records[module].values():
                if all(rec.get(k) == v for k, v in equals.items()):
                    out.append(Records.render(rec, None, subforms=True))
            return out


def wire_copy(data: Any) -> Any:
    """A deep copy made of JSON types only (so a caller can mutate or serialise it freely)."""
    import json

    return json.loads(json.dumps(data))

