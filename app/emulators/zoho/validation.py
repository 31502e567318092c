"""Per-record validation of written data against the field metadata (notes §3.3, §8.7).

``Validator.clean`` turns one incoming record into stored values or the first error Zoho would report for it, as
the per-record error object (``{"code","details","message","status"}``) with ``json_path`` ``$.data[i].Field``.
"""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING, Any

from . import wire
from .metadata import CURRENCIES, USERS

if TYPE_CHECKING:
    from . import ZohoEmulator

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^[0-9+()\-.\s/#*,;xXetEXT]*[0-9][0-9+()\-.\s/#*,;xXetEXT]*$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_INT = re.compile(r"^-?\d+$")
NONE_VALUE = "-None-"
# Keys a client may send that are not fields: ignored silently.
PASSTHROUGH = {"id", "Tag", "Layout", "$append_values", "Record_Image"}
DISPLAY_FIELDS = {
    "Accounts": "Account_Name", "Contacts": "Full_Name", "Leads": "Full_Name", "Deals": "Deal_Name",
    "Products": "Product_Name", "Invoices": "Subject",
}


class RecordError(Exception):
    """The first problem with one record, already in Zoho's per-record error shape."""

    def __init__(self, code: str, details: dict[str, Any], message: str | None = None) -> None:
        super().__init__(code)
        self.body = wire.error_body(code, message, details)


def invalid(api_name: str, path: str, message: str | None = None, **extra: Any) -> RecordError:
    return RecordError("INVALID_DATA", {**extra, "api_name": api_name, "json_path": path}, message)


def display_name(module: str, record: dict[str, Any]) -> str | None:
    return record.get(DISPLAY_FIELDS.get(module, "Name"))


def user_ref(user: str, email: bool = True) -> dict[str, Any]:
    info = USERS[user]
    ref = {"name": info["name"], "id": info["id"]}
    if email:
        ref["email"] = info["email"]
    return ref


def user_by_id(user_id: str) -> str | None:
    for key, info in USERS.items():
        if info["id"] == str(user_id):
            return key
    return None


class Validator:
    def __init__(self, emu: ZohoEmulator) -> None:
        self.emu = emu
        # module -> (the definitions list it was built from, {api_name: definition}, mandatory definitions)
        self._cache: dict[str, tuple[list[dict[str, Any]], dict[str, dict[str, Any]], list[dict[str, Any]]]] = {}

    def invalidate(self) -> None:
        """Field definitions changed (added, renamed, removed, made mandatory) or the state was replaced."""
        self._cache.clear()

    def _defs(self, module: str) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]], list[dict[str, Any]]]:
        defs = self.emu.state.fields[module]
        entry = self._cache.get(module)
        if entry is None or entry[0] is not defs:
            entry = (defs, {fd["api_name"]: fd for fd in defs}, [fd for fd in defs if fd["mandatory"]])
            self._cache[module] = entry
        return entry

    def fields(self, module: str) -> dict[str, dict[str, Any]]:
        return self._defs(module)[1]

    def clean(
        self,
        module: str,
        data: Any,
        path: str,
        *,
        creating: bool,
        allow_read_only: bool = False,
    ) -> dict[str, Any]:
        """Validated values (only keys present in ``data``, read-only fields dropped); raises ``RecordError``."""
        if not isinstance(data, dict):
            raise RecordError("INVALID_DATA", {"expected_data_type": "jsonobject", "json_path": path})
        defs = self.fields(module)
        out: dict[str, Any] = {}
        for key, value in data.items():
            if key in PASSTHROUGH or key.startswith("$"):
                continue
            fd = defs.get(key)
            if fd is None:
                if self.emu.switches["unknown_write_field"] == "error":
                    raise invalid(key, f"{path}.{key}", "the field api name given seems to be invalid")
                continue
            if fd["read_only"] and not allow_read_only:
                continue
            if fd["data_type"] == "subform":
                out[key] = value  # rows are checked by the subform code, which knows the existing rows
                continue
            out[key] = self.value(fd, value, f"{path}.{key}")
        self.check_mandatory(module, out, path, creating)
        return out

    def check_mandatory(self, module: str, values: dict[str, Any], path: str, creating: bool) -> None:
        """Creating: every mandatory field needs a value. Updating: a mandatory field sent must not be empty."""
        for fd in self._defs(module)[2]:
            if not fd["mandatory"] or fd["read_only"] or fd["data_type"] == "subform":
                continue
            name = fd["api_name"]
            if (creating or name in values) and values.get(name) in (None, "", []):
                raise RecordError("MANDATORY_NOT_FOUND", {"api_name": name, "json_path": f"{path}.{name}"})

    def value(self, fd: dict[str, Any], value: Any, path: str) -> Any:
        """One field's value, coerced the way Zoho stores it."""
        name, dt = fd["api_name"], fd["data_type"]
        if value is None or (isinstance(value, str) and value == "" and dt not in ("text", "textarea")):
            return None
        if dt in ("text", "textarea", "email", "phone", "website", "autonumber"):
            if isinstance(value, bool) or not isinstance(value, str | int | float):
                raise invalid(name, path, expected_data_type=dt)
            text = str(value)
            if len(text) > int(fd["length"]):
                raise invalid(name, path, maximum_length=int(fd["length"]))
            if dt == "email" and text and not _EMAIL.match(text):
                raise invalid(name, path, expected_data_type="email")
            if dt == "phone" and text and not _PHONE.match(text):
                raise invalid(name, path, expected_data_type="phone")
            return text
        if dt in ("integer", "bigint"):
            if isinstance(value, bool):
                raise invalid(name, path, expected_data_type=dt)
            if isinstance(value, str) and _INT.match(value.strip()):
                value = int(value.strip())
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            if not isinstance(value, int):
                raise invalid(name, path, expected_data_type=dt)
            if len(str(abs(value))) > int(fd["length"]):
                raise invalid(name, path, maximum_length=int(fd["length"]))
            return value
        if dt in ("double", "currency", "decimal", "percent", "formula"):
            if isinstance(value, bool):
                raise invalid(name, path, expected_data_type=dt)
            if isinstance(value, str) and _NUMBER.match(value.strip()):
                value = float(value.strip())
            if not isinstance(value, int | float):
                raise invalid(name, path, expected_data_type=dt)
            digits = str(int(abs(value)))
            if len(digits) > int(fd["length"]):
                raise invalid(name, path, maximum_length=int(fd["length"]))
            return round(float(value), 2) if dt == "currency" else float(value)
        if dt == "boolean":
            if not isinstance(value, bool):
                raise invalid(name, path, expected_data_type="boolean")
            return value
        if dt == "date":
            if not isinstance(value, str) or not _DATE.match(value):
                raise invalid(name, path, expected_data_type="date")
            try:
                date.fromisoformat(value)
            except ValueError as exc:
                raise invalid(name, path, expected_data_type="date") from exc
            return value
        if dt == "datetime":
            try:
                epoch = wire.parse_time(str(value))
            except ValueError as exc:
                raise invalid(name, path, expected_data_type="datetime") from exc
            return wire.fmt_time(epoch, self.emu.tz)
        if dt == "picklist":
            if not isinstance(value, str):
                raise invalid(name, path, expected_data_type="picklist")
            if value == NONE_VALUE:
                return None
            if name == "Currency" and value not in CURRENCIES:
                raise invalid(name, path)
            if self.emu.switches["picklist_strict"] and value not in (fd["picklist"] or []):
                raise invalid(name, path)
            return value
        if dt == "multiselectpicklist":
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise invalid(name, path, expected_data_type="jsonarray")
            return value
        if dt == "lookup":
            ref_id = value.get("id") if isinstance(value, dict) else value
            if isinstance(ref_id, bool) or not isinstance(ref_id, str | int):
                raise invalid(name, path, expected_data_type="jsonobject")
            target = self.emu.state.records.get(fd["lookup"], {}).get(str(ref_id))
            if target is None:
                raise invalid(name, path, "the related id given is invalid", id=str(ref_id))
            return {"name": display_name(fd["lookup"], target), "id": str(ref_id)}
        if dt in ("ownerlookup", "userlookup"):
            ref_id = value.get("id") if isinstance(value, dict) else value
            user = user_by_id(str(ref_id)) if isinstance(ref_id, str | int) else None
            if user is None:
                raise invalid(name, path, "invalid owner id", expected_data_type="jsonobject")
            return user_ref(user)
        if dt == "linetax":
            if not isinstance(value, list):
                raise invalid(name, path, expected_data_type="jsonarray")
            taxes = []
            for i, tax in enumerate(value):
                pct = tax.get("percentage") if isinstance(tax, dict) else None
                if isinstance(pct, str) and _NUMBER.match(pct):
                    pct = float(pct)
                if not isinstance(tax, dict) or not isinstance(pct, int | float) or isinstance(pct, bool):
                    raise invalid(name, f"{path}[{i}]", expected_data_type="jsonobject")
                taxes.append({"name": str(tax.get("name") or "Tax"), "percentage": float(pct)})
            return taxes
        return value
