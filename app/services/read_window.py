"""Reads that end at a time: a historical sync of a custom period ("1 Mar – 31 Mar") sends only the records
changed within it.

The engine reads from the period's start as it does for any historical sync; these wrappers drop from each page
the records whose modified time is at or after the end. The normal sync's own positions are never moved by a read
from a date, so what is left out here is sent by the next normal sync, as it would have been anyway. Reads by id
(what a record in the period needs, such as its customer) are left alone, and so are deletions (they carry no
time): the normal sync takes those too.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from app.core.plans import PairSpec
from app.core.records import ReadPage, SourceRecord


def changed_before(record: SourceRecord, until: datetime) -> bool:
    """Whether ``record`` was last changed before ``until`` (a record that does not say is kept)."""
    modified = record.modified
    if modified is None:
        return True
    return (modified if modified.tzinfo else modified.replace(tzinfo=UTC)) < until


class EndedPort:
    """A side's port whose reads leave out what changed at or after ``until``; everything else as the port does."""

    def __init__(self, port: Any, until: datetime) -> None:
        self._port = port
        self._until = until

    def read(self, since: datetime | None, start_page: int, page_token: str) -> Iterator[ReadPage]:
        for page in self._port.read(since, start_page, page_token):
            yield dataclasses.replace(page, records=[r for r in page.records if changed_before(r, self._until)],
                                      deleted_ids=[])

    def __getattr__(self, name: str) -> Any:
        return getattr(self._port, name)


class EndedConnectors:
    """The live connectors with every pair's reads ending at ``until`` (see the module's docstring)."""

    def __init__(self, connectors: Any, until: datetime) -> None:
        self._connectors = connectors
        self._until = until

    def spec(self, mapping: Any) -> PairSpec:
        spec = self._connectors.spec(mapping)
        return dataclasses.replace(spec, xero=EndedPort(spec.xero, self._until),
                                   zoho=EndedPort(spec.zoho, self._until))

    def payment_source(self) -> EndedPort:
        return EndedPort(self._connectors.payment_source(), self._until)

    def zoho_port(self, mapping: Any, **options: Any) -> EndedPort:
        return EndedPort(self._connectors.zoho_port(mapping, **options), self._until)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._connectors, name)
