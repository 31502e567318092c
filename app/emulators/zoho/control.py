"""Zoho-specific sandbox control: edits "as a user in the Zoho web UI", schema changes, credit fast-forward.

HTTP (all under ``/_sandbox/zoho/``, JSON bodies; module names case-insensitive) and the same as Python methods on
:class:`~app.emulators.zoho.ZohoEmulator` — see that class's docstring for the list.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx

from ..base import json_response, read_json
from .metadata import DEFAULT_LENGTHS, JSON_TYPES, MODULES, STAGE_PROBABILITY, field
from .records import Records
from .validation import RecordError

if TYPE_CHECKING:
    from . import ZohoEmulator


class ControlError(Exception):
    def __init__(self, status: int, body: Any) -> None:
        super().__init__(str(body))
        self.status, self.body = status, body


class Control:
    def __init__(self, emu: ZohoEmulator) -> None:
        self.emu = emu

    def _module(self, name: str) -> str:
        module = self.emu.resolve_module(name)
        if module is None:
            raise ControlError(404, {"error": f"unknown module {name!r}", "modules": list(MODULES)})
        return module

    def _record(self, module: str, rec_id: str) -> dict[str, Any]:
        rec = self.emu.state.records[module].get(rec_id)
        if rec is None:
            raise ControlError(404, {"error": f"no {module} record {rec_id}"})
        return rec

    # ----- operations (callers hold the lock) -------------------------------------------------------------
    def create(self, module: str, values: dict[str, Any], user: str = "sales") -> dict[str, Any]:
        module = self._module(module)
        try:
            clean = self.emu.validator.clean(module, values, "$", creating=True, allow_read_only=True)
            rec = self.emu.store.create(module, clean, user, "$")
        except RecordError as err:
            raise ControlError(400, err.body) from err
        return Records.render(rec, None, subforms=True)

    def edit(self, module: str, rec_id: str, values: dict[str, Any], user: str = "sales") -> dict[str, Any]:
        module = self._module(module)
        rec = self._record(module, rec_id)
        try:
            clean = self.emu.validator.clean(module, values, "$", creating=False, allow_read_only=True)
            for key in ("Created_Time", "Modified_Time", "Created_By", "Modified_By"):
                clean.pop(key, None)
            rec = self.emu.store.update(module, rec, clean, user, "$")
        except RecordError as err:
            raise ControlError(400, err.body) from err
        return Records.render(rec, None, subforms=True)

    def delete(self, module: str, rec_id: str, user: str = "sales", permanent: bool = False) -> None:
        module = self._module(module)
        self._record(module, rec_id)
        self.emu.store.delete(module, rec_id, user, permanent=permanent)

    def set_stage(self, rec_id: str, stage: str, user: str = "sales") -> dict[str, Any]:
        if stage not in STAGE_PROBABILITY:
            raise ControlError(400, {"error": f"unknown stage {stage!r}", "stages": list(STAGE_PROBABILITY)})
        return self.edit("Deals", rec_id, {"Stage": stage}, user)

    def summary(self) -> dict[str, Any]:
        state = self.emu.state
        return {
            "modules": {m: len(recs) for m, recs in state.records.items()},
            "deleted": {m: len(entries) for m, entries in state.deleted.items()},
            "credits_used": self.emu.limits.used(),
            "credits_allowance": self.emu.limits.allowance,
            "dc": self.emu.dc,
            "edition": self.emu.edition,
            "now": self.emu.clock.now().isoformat(),
        }

    def define_field(self, module: str, spec: dict[str, Any]) -> dict[str, Any] | None:
        """Add, change, rename (``new_api_name``) or remove (``remove: true``) a field definition."""
        module = self.emu.resolve_module(module, subforms=True) or self._module(module)
        name = spec.get("api_name")
        if not isinstance(name, str) or not name:
            raise ControlError(400, {"error": "api_name is required"})
        defs = self.emu.state.fields[module]
        existing = next((fd for fd in defs if fd["api_name"] == name), None)
        records = self.emu.state.records.get(module, {})
        if spec.get("remove"):
            if existing is None:
                raise ControlError(404, {"error": f"no field {name} in {module}"})
            defs.remove(existing)
            for rec in records.values():
                rec.pop(name, None)
            self._changed()
            return None
        data_type = spec.get("data_type", existing["data_type"] if existing else "text")
        if data_type not in JSON_TYPES:
            raise ControlError(400, {"error": f"unknown data_type {data_type!r}", "data_types": sorted(JSON_TYPES)})
        picks = spec.get("pick_list_values")
        if picks is not None:
            picks = [p["actual_value"] if isinstance(p, dict) else str(p) for p in picks]
        if existing is None:
            fd = field(name, spec.get("field_label") or name.replace("_", " "), data_type, custom=True,
                       created=self.emu.clock.now().astimezone(self.emu.tz).replace(microsecond=0).isoformat())
            defs.append(fd)
            for rec in records.values():
                rec.setdefault(name, None)
        else:
            fd = existing
            if "data_type" in spec and data_type != fd["data_type"] and "length" not in spec:
                fd["length"] = DEFAULT_LENGTHS.get(data_type, 255)
        fd["data_type"] = data_type
        for src, dst in (("field_label", "label"), ("length", "length"), ("lookup", "lookup"),
                         ("read_only", "read_only"), ("unique", "unique")):
            if src in spec:
                fd[dst] = spec[src]
        for src in ("mandatory", "system_mandatory"):
            if src in spec:
                fd["mandatory"] = bool(spec[src])
        if picks is not None:
            fd["picklist"] = picks
        new_name = spec.get("new_api_name")
        if new_name and new_name != name:
            fd["api_name"] = new_name
            for rec in records.values():
                if name in rec:
                    rec[new_name] = rec.pop(name)
        self._changed()
        return fd

    def _changed(self) -> None:
        self.emu.state.fields_modified_at = self.emu.clock.time()
        self.emu.store.invalidate_index()

    def use_credits(self, used: float) -> dict[str, Any]:
        self.emu.limits.spend(float(used))
        return {"credits_used": self.emu.limits.used(), "credits_allowance": self.emu.limits.allowance}

    # ----- HTTP ---------------------------------------------------------------------------------------------
    def handle(self, request: httpx.Request, op: str) -> httpx.Response | None:
        parts = op.split("/")
        if not parts or parts[0] != "zoho":
            return None
        rest = parts[1:]
        body = read_json(request)
        body = body if isinstance(body, dict) else {}
        user = str(body.pop("_user", request.url.params.get("user", "sales")))
        method = request.method
        try:
            if rest == ["summary"] and method == "GET":
                return json_response(200, self.summary())
            if rest == ["credits"] and method == "POST":
                return json_response(200, self.use_credits(float(body.get("used", 0))))
            if len(rest) == 2 and rest[0] == "fields" and method == "POST":
                fd = self.define_field(rest[1], body)
                return json_response(200, {"field": fd, "removed": fd is None})
            if len(rest) == 3 and rest[0].lower() == "deals" and rest[2] == "stage" and method == "POST":
                return json_response(200, {"data": self.set_stage(rest[1], str(body.get("Stage")), user)})
            if len(rest) == 1 and method == "POST":
                return json_response(201, {"data": self.create(rest[0], body, user)})
            if len(rest) == 2 and method == "PATCH":
                return json_response(200, {"data": self.edit(rest[0], rest[1], body, user)})
            if len(rest) == 2 and method == "DELETE":
                permanent = request.url.params.get("permanent", "false").lower() == "true"
                self.delete(rest[0], rest[1], user, permanent)
                return json_response(200, {"deleted": rest[1], "permanent": permanent})
        except ControlError as err:
            return json_response(err.status, err.body)
        except KeyError as err:
            return json_response(400, {"error": f"unknown user {err}"})
        return None
