"""What the engine sees of each system: flat records, the operations it asks for, and the ports it talks through.

A :class:`SourceRecord` is one Xero or Zoho record flattened to field paths (``"Phones.DEFAULT"``,
``"Billing_City"``) with JSON-able values, plus its id, version (modified time) and status. The adapters in
``app.services`` turn client dataclasses into these and back, so the engine never sees HTTP or Qt.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

ACTIVE, ARCHIVED, DELETED = "active", "archived", "deleted"


@dataclass
class SourceRecord:
    id: str
    fields: dict[str, Any]
    version: str = ""  # modified time as ISO UTC (ms); compared as text
    modified: datetime | None = None
    status: str = ACTIVE  # active | archived | deleted (also voided invoices → "voided")
    name: str = ""
    xref: str | None = None  # the other system's id as stored on this record, if any
    extra: dict[str, Any] = field(default_factory=dict)  # not mapped, but needed (e.g. invoice contact id)


@dataclass
class ReadPage:
    records: list[SourceRecord]
    number: int
    last: bool
    next_token: str = ""
    deleted_ids: list[str] = field(default_factory=list)
    # The service's own time when it answered for this page, as a version (empty when it did not say). A complete
    # read from page 1 has seen every change made before its first page's as_of.
    as_of: str = ""
    total: int = 0  # records in the whole read when the service says (0: unknown)

@dataclass
class WriteOp:
    """Create (``target_id`` None) or update one record with ``fields`` (only what changes, for updates)."""

    key: str  # the source record id (or link id) this op serves; used to report results
    fields: dict[str, Any]
    target_id: str | None = None
    source_id: str | None = None  # the other system's id, written as the cross-reference
    name: str = ""
    current: dict[str, Any] | None = None  # the target record as last seen (to rebuild arrays on update)

    @property
    def is_create(self) -> bool:
        return self.target_id is None


@dataclass
class WriteResult:
    key: str
    ok: bool
    target_id: str | None = None
    version: str = ""
    error: dict[str, Any] | None = None  # {"message", "code", "field", "hint", "transient", "raw"}
    written: SourceRecord | None = None  # the record as the service returned it, when it says


@dataclass
class FieldInfo:
    """One field of one system, for validation and the mapping editor."""

    name: str
    label: str
    type: str  # text, email, phone, url, number, money, date, datetime, bool, picklist, lookup, list, id
    required: bool = False
    read_only: bool = False
    max_length: int | None = None
    choices: list[str] = field(default_factory=list)
    custom: bool = False


class SidePort(Protocol):
    """One system (Xero or Zoho) for one entity kind, as the engine uses it."""

    system: str  # "xero" | "zoho"
    entity: str  # e.g. "contacts", "Accounts"

    def read(self, since: datetime | None, start_page: int, page_token: str) -> Iterator[ReadPage]: ...

    def fetch(self, ids: list[str]) -> list[SourceRecord]: ...

    def write(self, ops: list[WriteOp]) -> list[WriteResult]: ...

    def archive(self, ids: list[str]) -> list[WriteResult]: ...

    def schema(self) -> list[FieldInfo]: ...

    def find_by_xref(self, xref: str) -> SourceRecord | None: ...

    def calls(self) -> int: ...
