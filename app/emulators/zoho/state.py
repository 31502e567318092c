"""Everything the Zoho emulator remembers, as plain JSON-able containers (guarded by the emulator's lock)."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from .metadata import MODULES, ORG_PREFIX, default_fields

FIRST_RECORD_SEQ = 10_000_001
STATE_VERSION = 1


@dataclass
class ZohoState:
    next_seq: int = FIRST_RECORD_SEQ
    next_invoice_number: int = 1001
    # module -> {id: record}; a record is its wire fields plus internal "_ctime"/"_mtime" epochs
    records: dict[str, dict[str, dict[str, Any]]] = field(default_factory=lambda: {m: {} for m in MODULES})
    # module -> [{"id", "display_name", "deleted_by", "created_by", "deleted_at", "permanent"}]
    deleted: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: {m: [] for m in MODULES})
    fields: dict[str, list[dict[str, Any]]] = field(default_factory=default_fields)
    consents: dict[str, dict[str, Any]] = field(default_factory=dict)  # pending consent pages
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)  # authorization codes
    refresh_tokens: dict[str, dict[str, Any]] = field(default_factory=dict)  # insertion order = issue order
    access_tokens: dict[str, dict[str, Any]] = field(default_factory=dict)
    page_tokens: dict[str, dict[str, Any]] = field(default_factory=dict)
    credits: list[list[float]] = field(default_factory=list)  # [[epoch, credits], ...] oldest first
    fields_modified_at: float = 0.0

    def new_id(self) -> str:
        """19-digit string ids from one monotonic per-org sequence (records, subform rows)."""
        value = f"{ORG_PREFIX}{self.next_seq:012d}"
        self.next_seq += 1
        return value

    def to_json(self) -> dict[str, Any]:
        return {
            "version": STATE_VERSION,
            "next_seq": self.next_seq,
            "next_invoice_number": self.next_invoice_number,
            "records": {m: list(recs.values()) for m, recs in self.records.items()},
            "deleted": self.deleted,
            "fields": self.fields,
            "consents": self.consents,
            "codes": self.codes,
            "refresh_tokens": self.refresh_tokens,
            "access_tokens": self.access_tokens,
            "page_tokens": self.page_tokens,
            "credits": self.credits,
            "fields_modified_at": self.fields_modified_at,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ZohoState:
        data = copy.deepcopy(data)
        if data.get("version") != STATE_VERSION:
            raise ValueError(f"unsupported Zoho emulator state version {data.get('version')!r}")
        state = cls()
        state.next_seq = int(data["next_seq"])
        state.next_invoice_number = int(data.get("next_invoice_number", 1001))
        state.records = {m: {r["id"]: r for r in data["records"].get(m, [])} for m in MODULES}
        state.deleted = {m: list(data["deleted"].get(m, [])) for m in MODULES}
        state.fields = data["fields"]
        for key in ("consents", "codes", "refresh_tokens", "access_tokens", "page_tokens"):
            setattr(state, key, dict(data.get(key, {})))
        state.credits = [list(entry) for entry in data.get("credits", [])]
        state.fields_modified_at = float(data.get("fields_modified_at", 0.0))
        return state
