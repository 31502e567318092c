"""Typed Zoho records. Zoho modules carry custom fields, so a record is its id, times and a values dict keyed by
API name; field metadata is typed for the mapping editor."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from app.integrations.common import version_text

_META = {"id", "Created_Time", "Modified_Time"}


def parse_time(value: Any) -> datetime | None:
    if not value:
        return None
    parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@dataclass
class ZohoRecord:
    module: str
    id: str | None
    values: dict[str, Any] = field(default_factory=dict)
    modified: datetime | None = None
    created: datetime | None = None

    @classmethod
    def from_wire(cls, module: str, d: dict[str, Any]) -> ZohoRecord:
        values = {k: v for k, v in d.items() if k not in _META}
        return cls(module, str(d["id"]) if d.get("id") is not None else None, values,
                   parse_time(d.get("Modified_Time")), parse_time(d.get("Created_Time")))

    def get(self, name: str, default: Any = None) -> Any:
        return self.values.get(name, default)

    def lookup_id(self, name: str) -> str | None:
        value = self.values.get(name)
        if isinstance(value, dict) and value.get("id") is not None:
            return str(value["id"])
        return None

    @property
    def version(self) -> str:
        return version_text(self.modified)


@dataclass
class DeletedRecord:
    id: str
    deleted_at: datetime | None
    type: str = "recycle"
    display_name: str | None = None


@dataclass
class ZohoField:
    api_name: str
    label: str
    data_type: str
    length: int | None = None
    mandatory: bool = False
    read_only: bool = False
    custom: bool = False
    unique: bool = False
    picklist: list[str] = field(default_factory=list)
    lookup_module: str | None = None
    decimal_places: int | None = None

    @classmethod
    def from_wire(cls, d: dict[str, Any]) -> ZohoField:
        lookup = d.get("lookup") or {}
        module = (lookup.get("module") or {}).get("api_name") if isinstance(lookup, dict) else None
        length = d.get("length")
        return cls(
            api_name=d.get("api_name", ""), label=d.get("field_label") or d.get("display_label") or "",
            data_type=d.get("data_type", ""), length=int(length) if isinstance(length, int | str) and
            str(length).isdigit() else None,
            mandatory=bool(d.get("system_mandatory")), read_only=bool(d.get("read_only") or d.get("field_read_only")),
            custom=bool(d.get("custom_field")), unique=bool(d.get("unique")),
            picklist=[str(p.get("actual_value", p.get("display_value", ""))) for p in d.get("pick_list_values") or []],
            lookup_module=module, decimal_places=d.get("decimal_place"),
        )


@dataclass
class ZohoOrg:
    id: str
    name: str
    currency: str
    time_zone: str = ""
    multi_currency: bool = False
    edition: str = ""


@dataclass
class ZohoCurrency:
    iso_code: str
    exchange_rate: str
    is_base: bool = False
    is_active: bool = True


@dataclass
class ZohoUser:
    id: str
    name: str
    email: str
