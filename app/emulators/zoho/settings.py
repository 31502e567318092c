"""Metadata endpoints: ``/settings/fields``, ``/settings/modules``, ``/org``, ``/org/currencies``, ``/users``.

Shapes follow the OAS wrappers (``fields``, ``modules``, ``org``, ``currencies``, ``users`` + ``info``). Callers hold
the lock.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx

from .. import demo_story
from ..base import json_response
from . import wire
from .metadata import (
    CURRENCIES,
    MODULES,
    ORG_ID,
    ORG_TAXES,
    USERS,
    ZGID,
    render_field,
    render_module,
    static_id,
)

if TYPE_CHECKING:
    from . import ZohoEmulator

ORG_CREATED = "2019-05-14T09:12:40+10:00"


class Settings:
    def __init__(self, emu: ZohoEmulator) -> None:
        self.emu = emu

    def fields(self, request: httpx.Request, field_id: str | None = None) -> httpx.Response:
        p = request.url.params
        raw = p.get("module")
        if not raw:
            return wire.api_error(400, "REQUIRED_PARAM_MISSING", details={"param_name": "module"})
        module = self.emu.resolve_module(raw, subforms=True)
        if module is None:
            return wire.api_error(400, "INVALID_MODULE", details={"param_name": "module"})
        kind = p.get("type") or "all"
        if kind not in ("all", "used", "unused"):
            return wire.api_error(400, "INVALID_DATA", "invalid data",
                                  {"param_name": "type", "supported_values": ["all", "used", "unused"]})
        if kind == "unused":
            return wire.empty(204)
        rendered = [render_field(module, i, fd) for i, fd in enumerate(self.emu.state.fields[module])]
        if field_id is not None:
            rendered = [f for f in rendered if f["id"] == field_id or f["api_name"] == field_id]
            if not rendered:
                return wire.api_error(400, "INVALID_DATA", "the id given seems to be invalid", {"id": field_id})
        return json_response(200, {"fields": rendered})

    def modules(self, request: httpx.Request, name: str | None = None) -> httpx.Response:
        stamp = wire.fmt_time(self.emu.state.fields_modified_at or self.emu.seeded_at, self.emu.tz)
        out = [render_module(m, i + 1, stamp, self.emu.edition_has(m)) for i, m in enumerate(MODULES)]
        if name is not None:
            module = self.emu.resolve_module(name)
            if module is None:
                return wire.api_error(400, "INVALID_MODULE", details={"resource_path_index": 0})
            out = [m for m in out if m["api_name"] == module]
            out[0]["fields"] = [render_field(module, i, fd) for i, fd in enumerate(self.emu.state.fields[module])]
        return json_response(200, {"modules": out})

    def org(self) -> httpx.Response:
        emu = self.emu
        base = next(iso for iso, c in CURRENCIES.items() if c[3])
        org = {
            "country": "Australia", "photo_id": None, "city": "Sydney", "description": None, "mc_status": True,
            "gapps_enabled": False, "translation_enabled": False, "street": "1 Market St",
            "domain_name": f"org{ZGID}", "alias": None, "currency": base, "id": ORG_ID, "state": "NSW",
            "fax": None, "employee_count": "12", "zip": "2000", "website": "https://bluegumsupply.com.au",
            "currency_symbol": CURRENCIES[base][1], "mobile": None, "currency_locale": "en_AU",
            "primary_zuid": USERS["admin"]["zuid"], "zia_portal_id": None, "time_zone": emu.time_zone,
            "zgid": ZGID, "country_code": "AU", "deletable_org_account": False,
            "license_details": {
                "paid_expiry": "2027-06-30T00:00:00+10:00", "users_license_purchased": 5, "trial_type": None,
                "trial_expiry": None, "paid": emu.edition != "free", "paid_type": emu.edition,
                "trial_action": None,
            },
            "hierarchy_preferences": {"type": "Role_Hierarchy", "strictly_reporting": False},
            "phone": "02 9555 0000", "company_name": emu.org_name, "privacy_settings": False,
            "primary_email": USERS["admin"]["email"], "iso_code": base, "hipaa_compliance_enabled": False,
            "lite_users_enabled": False, "max_per_page": 200, "ezgid": ZGID, "call_icon": None,
            "oauth_presence": True, "zia_zgid": None,
            "checkin_preferences": {"location_data_enabled": False},
            "type": "production", "created_time": ORG_CREATED,
        }
        return json_response(200, {"org": [org]})

    def currencies(self) -> httpx.Response:
        admin = {"name": USERS["admin"]["name"], "id": USERS["admin"]["id"]}
        out = []
        for n, (iso, (name, symbol, rate, base)) in enumerate(CURRENCIES.items()):
            out.append({
                "iso_code": iso, "symbol": symbol, "created_time": ORG_CREATED, "is_active": True,
                "exchange_rate": rate,
                "format": {"decimal_separator": "Period", "thousand_separator": "Comma", "decimal_places": "2"},
                "created_by": admin, "prefix_symbol": True, "is_base": base, "modified_time": ORG_CREATED,
                "name": name, "modified_by": admin, "id": static_id(30011 + n),
            })
        return json_response(200, {"currencies": out})

    def taxes(self) -> httpx.Response:
        taxes = [{"id": static_id(30051 + n), "name": name, "display_label": f"{name} - {pct:.1f} %", "value": pct,
                  "sequence_number": n + 1} for n, (name, pct) in enumerate(ORG_TAXES)]
        return json_response(200, {"org_taxes": {"taxes": taxes, "preference": {"auto_populate_tax": False,
                                                                                 "modify_tax_rates": False}}})

    def users(self, request: httpx.Request, user: str, user_id: str | None = None) -> httpx.Response:
        kind = request.url.params.get("type") or "AllUsers"
        if user_id is not None:
            chosen = [k for k, u in USERS.items() if u["id"] == user_id]
            if not chosen:
                return wire.empty(204)
        elif kind == "CurrentUser":
            chosen = [user]
        elif kind in ("AllUsers", "ActiveUsers", "ConfirmedUsers", "ActiveConfirmedUsers"):
            chosen = list(USERS)
        elif kind in ("AdminUsers", "ActiveConfirmedAdmins"):
            chosen = ["admin"]
        elif kind in ("DeactiveUsers", "NotConfirmedUsers", "DeletedUsers"):
            return wire.empty(204)
        else:
            return wire.api_error(400, "INVALID_DATA", "invalid data", {"param_name": "type"})
        users = [self._user(k) for k in chosen]
        info = {"per_page": 200, "count": len(users), "page": 1, "more_records": False}
        return json_response(200, {"users": users, "info": info})

    def _user(self, key: str) -> dict[str, Any]:
        u = USERS[key]
        first, _, last = u["name"].partition(" ")
        admin = {"name": USERS["admin"]["name"], "id": USERS["admin"]["id"]}
        return {
            "id": u["id"], "first_name": first, "last_name": last, "full_name": u["name"], "email": u["email"],
            "zuid": u["zuid"], "status": "active", "confirm": True, "role": {"name": u["role"][0], "id": u["role"][1]},
            "profile": {"name": u["profile"][0], "id": u["profile"][1]}, "time_zone": self.emu.time_zone,
            "locale": "en_AU", "country_locale": "en_AU", "language": "en_US", "country": "AU",
            "date_format": "dd/MM/yyyy", "time_format": "hh:mm a", "offset": self._offset_ms(),
            "decimal_separator": "Period", "number_separator": "Comma", "category": "regular_user",
            "name_format__s": "Salutation,First Name,Last Name", "sort_order_preference__s": "First Name,Last Name",
            "created_time": ORG_CREATED, "Modified_Time": ORG_CREATED, "created_by": admin, "Modified_By": admin,
            "Currency": demo_story.ORG_CURRENCY, "Isonline": False, "personal_account": False, "microsoft": False,
            "sandboxDeveloper": False, "city": "Sydney", "state": "NSW", "phone": None, "mobile": None,
            "alias": None, "fax": None, "dob": None, "street": None, "zip": None, "website": None,
            "signature": None, "default_tab_group": "0",
        }

    def _offset_ms(self) -> int:
        delta = self.emu.tz.utcoffset(None)
        return int(delta.total_seconds() * 1000) if delta else 0

