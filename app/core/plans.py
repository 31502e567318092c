"""What a pair sync works with: the pair's spec (ports, streams, cross-references), one record's plan, and the
small rules the planner and the applier share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from app.core.mapping import PairMapping
from app.core.matching import MatchKeys
from app.core.merge import MergeResult
from app.core.records import ARCHIVED, SidePort, SourceRecord, WriteOp, WriteResult
from app.core.values import canon
from app.store.models import Link

X2Z, Z2X = "xero->zoho", "zoho->xero"
KeyFn = Callable[[str, dict[str, Any], str | None], MatchKeys]


@dataclass
class PairSpec:
    """What differs between pairs: the ports, how to match, which fields carry the cross-reference."""

    mapping: PairMapping
    xero: SidePort
    zoho: SidePort
    xero_stream: str
    zoho_stream: str
    keys: KeyFn | None = None  # None: link only by cross-reference
    zoho_xref_field: str | None = None  # Zoho field holding the Xero id (e.g. Xero_Contact_ID)
    xero_xref_field: str | None = None  # Xero field holding the Zoho id on records we create (ContactNumber)
    archive_statuses: tuple[str, ...] = (ARCHIVED,)
    create_in_zoho: bool = True
    create_in_xero: bool = True
    update_existing: bool = True  # False: once linked, never written again (deals → invoices)
    zoho_filter: Callable[[SourceRecord], bool] | None = None  # only these Zoho records take part
    intent_lookup: bool = False  # creates in Xero are found again by ``find_by_xref`` after a crash
    xero_context: tuple[str, ...] = ()  # unmapped Xero fields kept with the link to rebuild arrays on update
    persons_port: SidePort | None = None  # Zoho Contacts for the people of each Xero contact (Xero → Zoho)
    persons_of: Callable[[SourceRecord, str], list[dict[str, Any]]] | None = None
    xero_locked: Callable[[dict[str, Any]], str | None] | None = None  # why Xero refuses edits ("a paid invoice")
    touched: Callable[[SourceRecord], None] | None = None  # told of each Xero record whose change goes to Zoho
    refresh_xero: Callable[[bool], list[str]] | None = None  # linked Xero records to read again (dates passed)
    set_aside: Callable[[], set[str]] | None = None  # ids of an organisation's records set aside (start fresh)

    @property
    def pair(self) -> str:
        return self.mapping.pair

    def reads_xero(self) -> bool:
        return self.mapping.direction in ("both", "xero_to_zoho")

    def reads_zoho(self) -> bool:
        return self.mapping.direction in ("both", "zoho_to_xero")


@dataclass(frozen=True)
class Wait:
    """A record not synced for now because of another one (its customer is archived or awaits review)."""

    name: str
    reason: str
    xero_id: str | None
    zoho_id: str | None


@dataclass(frozen=True)
class Review:
    """A likely pair for a person to confirm."""

    xero_id: str
    zoho_id: str
    xero_name: str
    zoho_name: str
    score: float
    evidence: list[str]


@dataclass
class Planned:
    """One record's plan: the writes it needs and what to store once they succeed."""

    link: Link | None
    name: str
    action: str  # update | create | link | conflict | archive
    direction: str = ""
    x: SourceRecord | None = None
    z: SourceRecord | None = None
    merge: MergeResult | None = None
    zoho_op: WriteOp | None = None
    xero_op: WriteOp | None = None
    base_x: dict[str, Any] = field(default_factory=dict)
    base_z: dict[str, Any] = field(default_factory=dict)
    results: dict[str, WriteResult] = field(default_factory=dict)
    evidence: list[str] = field(default_factory=list)
    is_archive: bool = False
    refused: bool = False  # an edit Xero does not take was reported (see PairSync._refuse_locked)


LINK_FIELDS = [Link.name, Link.xero_id, Link.zoho_id, Link.xero_values, Link.zoho_values, Link.xero_version,
                Link.zoho_version, Link.state, Link.mapping_version, Link.synced_at]


DONE_COUNTS = {"update": "updated", "create": "created", "link": "linked", "conflict": "updated", "archive": "archived"}


def empties_a_field(op: WriteOp | None) -> bool:
    """An update that empties a field that has a value now."""
    if op is None or op.is_create or not op.current:
        return False
    return any(canon(v) is None and canon(op.current.get(k)) is not None for k, v in op.fields.items())


def has_failed(p: Planned) -> bool:
    return any(not r.ok for r in p.results.values())


def transform_hint(errors: list[str]) -> str:
    text = "; ".join(errors)
    if "not synced yet" in text:
        return ("A related record (customer or product) has not synced yet. It usually syncs on the next cycle; "
                "if it keeps failing, check that related record in Failed records.")
    if "no value is mapped" in text:
        return f"{text}. Add the value to the value map in Field mapping, then click Retry."
    return f"{text}. Fix the value or the mapping, then click Retry."
