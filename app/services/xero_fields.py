"""Xero's fields as data: the flat names, types and labels of ``resources/xero_schema.json`` (derived from Xero's
OpenAPI file by ``bench/make_xero_schema.py``), read from and written to Xero's JSON by path.

A field Xero adds to a contact, item or invoice is one entry in the schema file: the connector reads it, the mapping
editor offers it, and a mapping can write it, with no code. Only fields with a shape of their own (phones, address
slots written together, contact persons, invoice lines) are handled by hand in ``xero_ports``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

from app.core.records import FieldInfo
from app.integrations.common import money
from app.integrations.xero.wire import format_day, parse_date, parse_day
from app.paths import resource_path

# Arrays Xero keys by a type, flattened as one slot per type: ``Addresses.STREET.City``.
KEYED_ARRAYS = {"Addresses": "AddressType", "Phones": "PhoneType"}
NUMERIC = ("money", "number")


@cache
def xero_schema_data() -> dict[str, list[dict[str, Any]]]:
    """Every field Xero's API gives a contact, item and invoice, per entity (the schema file's ``entities``)."""
    return json.loads(resource_path("xero_schema.json").read_text(encoding="utf-8"))["entities"]


def schema_fields(entity: str) -> list[FieldInfo]:
    return [FieldInfo(**f) for f in xero_schema_data().get(entity, [])]


def _number(value: Any) -> str | None:
    number = money(value)
    return None if number is None else str(number)


def _flag(value: Any) -> bool:
    return value if isinstance(value, bool) else str(value).lower() == "true"


def _day(value: Any) -> str | None:
    day = parse_day(value)
    return day.isoformat() if day else None


def _moment(value: Any) -> str | None:
    moment = parse_date(value)
    return moment.isoformat() if moment else None


def _text(value: Any) -> Any:
    return value if isinstance(value, str | dict | list) else str(value)


# How a Xero JSON value is carried, by the field's type: money and numbers as exact decimal text, days and moments as
# ISO text, flags as booleans, the rest as text. An empty value is no value.
_FLAT = {"money": _number, "number": _number, "bool": _flag, "date": _day, "datetime": _moment}


def wire_value(kind: str, value: Any, clear: bool = False) -> Any:
    """A flat value as Xero's JSON takes it (numbers as exact numbers, days as ``YYYY-MM-DD``), or None: not sent,
    so Xero keeps what it has. An empty number, day or flag is never sent; an empty text is sent as ``""`` to clear
    it when ``clear`` (a contact's email emptied in Zoho CRM), else not sent."""
    if kind in NUMERIC:
        if value in (None, ""):
            return None
        try:
            return Decimal(str(value).strip())
        except InvalidOperation:
            return str(value)  # Xero refuses it with its own words, which the user then sees
    if kind == "bool":
        if value in (None, ""):
            return None
        return value if isinstance(value, bool) else str(value).strip().lower() in ("true", "yes", "1")
    if kind == "date":
        return format_day(str(value) if value not in (None, "") else None)
    if value is None:
        return "" if clear else None
    return str(value)


def put_path(out: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    node = out
    for key in path[:-1]:
        node = node.setdefault(key, {})
    node[path[-1]] = value


class FieldCodec:
    """One entity's plain fields: read all of them from Xero's JSON, write the writable ones a change carries.
    ``own_shape`` names the fields ``xero_ports`` handles by hand (phones, address slots, lists)."""

    def __init__(self, entity: str, own_shape: Callable[[FieldInfo], bool] = lambda f: False,
                 read_by_hand: Callable[[FieldInfo], bool] = lambda f: False) -> None:
        fields = [f for f in schema_fields(entity) if f.type != "list"]
        # a plain key (most fields) is one dict lookup; a keyed array's slots are found once per record
        self.readable = [(f.name, f.name if "." not in f.name else tuple(f.name.split(".")), _FLAT.get(f.type, _text))
                         for f in fields if not read_by_hand(f)]
        self.arrays = sorted({p[0] for _, p, _ in self.readable if isinstance(p, tuple) and p[0] in KEYED_ARRAYS})
        self.writable = {f.name: (tuple(f.name.split(".")), f.type) for f in fields
                         if not f.read_only and not own_shape(f)}

    def read(self, wire: dict[str, Any]) -> dict[str, Any]:
        if self.arrays:  # {"Addresses": [{"AddressType": "STREET", …}]} → {"Addresses": {"STREET": {…}}}
            wire = {**wire, **{key: {e.get(KEYED_ARRAYS[key]): e for e in wire.get(key) or [] if isinstance(e, dict)}
                               for key in self.arrays}}
        out: dict[str, Any] = {}
        for name, path, convert in self.readable:
            if isinstance(path, str):
                value = wire.get(path)
            else:
                value = wire
                for key in path:
                    value = value.get(key) if isinstance(value, dict) else None
            out[name] = None if value is None or value == "" else convert(value)
        return out

    def write(self, fields: dict[str, Any], clear: bool = False) -> dict[str, Any]:
        """Xero's JSON for the writable fields among ``fields`` (see ``wire_value`` for ``clear``)."""
        out: dict[str, Any] = {}
        for name, flat in fields.items():
            if name in self.writable:
                path, kind = self.writable[name]
                value = wire_value(kind, flat, clear)
                if value is not None:
                    put_path(out, path, value)
        return out
