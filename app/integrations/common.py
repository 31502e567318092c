"""Shapes both clients return: pages of typed records and per-record results of batch writes."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, Generic, TypeVar

T = TypeVar("T")


def version_text(moment: datetime | None) -> str:
    """A record's version as we store it (and a page's ``as_of``): ISO 8601 UTC, milliseconds, compared as text."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds") if moment else ""


@dataclass
class Page(Generic[T]):
    """One page of a read. ``number`` restarts a resumed read; ``token`` is Zoho's page_token for the next page."""

    items: list[T]
    number: int
    last: bool
    next_token: str = ""
    as_of: datetime | None = None  # the service's clock when it answered for this page (its Date header)
    total: int = 0  # records in the whole read, where the service says (Xero's pagination.itemCount); 0 = unknown


@dataclass
class RecordFailure:
    """Why the service refused one record of a batch, in its own words plus a plain-language hint."""

    message: str
    code: str = ""
    field: str = ""
    hint: str = ""
    raw: Any = None
    transient: bool = False


@dataclass
class RecordOutcome:
    index: int
    id: str | None = None
    failure: RecordFailure | None = None
    action: str = ""  # "insert" | "update" where the service says
    version: str = ""  # the modified time the service gave the written record
    record: Any = None

    @property
    def ok(self) -> bool:
        return self.failure is None


@dataclass
class BatchResult:
    outcomes: list[RecordOutcome] = field(default_factory=list)

    @property
    def succeeded(self) -> list[RecordOutcome]:
        return [o for o in self.outcomes if o.ok]

    @property
    def failed(self) -> list[RecordOutcome]:
        return [o for o in self.outcomes if not o.ok]

    def extend(self, other: BatchResult, offset: int) -> None:
        for outcome in other.outcomes:
            outcome.index += offset
            self.outcomes.append(outcome)


def chunks(items: list[T], size: int) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def idempotency_key(prefix: str, body: Any) -> str:
    """A key derived from the exact body: a retried batch (even after a crash) reuses it; a changed one does not."""
    digest = hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()
    return f"{prefix}-{digest[:48]}"


def http_date_utc(moment: datetime, overlap_seconds: int = 1) -> str:
    """``If-Modified-Since`` value: UTC to the second with a ``Z`` (the spec's date-time; Xero honours no
    milliseconds), minus a small overlap (the boundary is inclusive at second granularity; callers de-duplicate by
    id and version)."""
    moment = moment.astimezone(UTC) - timedelta(seconds=overlap_seconds)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def money(value: Any) -> Decimal | None:
    if isinstance(value, Decimal):  # the common case (Xero bodies parse numbers as Decimal): no comparisons
        return value
    if value is None or value == "":
        return None
    return Decimal(str(value))
