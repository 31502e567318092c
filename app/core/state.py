"""The engine's bookkeeping in the store: links, cursors, history, failed records, conflicts, match candidates.

Small functions over the peewee models so the sync code reads as the rules it applies, not as queries.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from app.store.models import (
    Conflict,
    Cursor,
    FailedRecord,
    HistoryEntry,
    Link,
    MatchCandidate,
    Profile,
    Run,
    WriteIntent,
)

RETRY_BACKOFF_MINUTES = (5, 15, 60, 240, 720)


def utc(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


# ----- links -------------------------------------------------------------------------------------------------
class LinkIndex:
    """Links of one pair, loaded once per run: lookups by either id without a query per record."""

    def __init__(self, profile: Profile, pair: str) -> None:
        self.profile, self.pair = profile, pair
        self.by_xero: dict[str, Link] = {}
        self.by_zoho: dict[str, Link] = {}
        for link in Link.select().where(Link.profile == profile, Link.pair == pair):
            self._index(link)

    def _index(self, link: Link) -> None:
        if link.xero_id:
            self.by_xero[link.xero_id] = link
        if link.zoho_id:
            self.by_zoho[link.zoho_id] = link

    def add(self, link: Link) -> None:
        self._index(link)

    def drop(self, link: Link) -> None:
        if link.xero_id and self.by_xero.get(link.xero_id) is link:
            del self.by_xero[link.xero_id]
        if link.zoho_id and self.by_zoho.get(link.zoho_id) is link:
            del self.by_zoho[link.zoho_id]

    def linked(self) -> list[Link]:
        return [link for link in self.by_xero.values() if link.zoho_id and link.state != "deleted"]


# ----- cursors -----------------------------------------------------------------------------------------------
def cursor(profile: Profile, stream: str) -> Cursor:
    row, _ = Cursor.get_or_create(profile=profile, stream=stream)
    return row


def parse_watermark(text: str) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


# ----- history -----------------------------------------------------------------------------------------------
def history_row(run: Run, pair: str, action: str, *, direction: str = "", xero_id: str | None = None,
                zoho_id: str | None = None, name: str = "", changes: dict[str, Any] | None = None,
                mapping_version: int = 0, error: dict[str, Any] | None = None, at: datetime) -> dict[str, Any]:
    return {"run": run.id, "profile": run.profile_id, "pair": pair, "action": action, "direction": direction,
            "xero_id": xero_id, "zoho_id": zoho_id, "record_name": name[:250], "changes": changes or {},
            "mapping_version": mapping_version, "error": _safe_error(error), "created_at": at}


def insert_history(rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), 400):
        HistoryEntry.insert_many(rows[start:start + 400]).execute()


def record_history(run: Run, pair: str, action: str, **kwargs: Any) -> None:
    insert_history([history_row(run, pair, action, **kwargs)])


def _safe_error(error: dict[str, Any] | None) -> dict[str, Any] | None:
    if error is None:
        return None
    return json.loads(json.dumps(error, default=str))


def prune_history(profile: Profile, retention_days: int, now: datetime) -> int:
    cutoff = now - timedelta(days=retention_days)
    old_runs = Run.select(Run.id).where(Run.profile == profile, Run.started_at < cutoff)
    return HistoryEntry.delete().where(HistoryEntry.run.in_(old_runs)).execute() + \
        Run.delete().where(Run.id.in_(old_runs)).execute()


# ----- failed records ----------------------------------------------------------------------------------------
def record_failure(profile: Profile, run: Run, pair: str, direction: str, source_id: str, name: str,
                   payload: Any, error: dict[str, Any], now: datetime) -> FailedRecord:
    transient = bool(error.get("transient"))
    row = FailedRecord.get_or_none(FailedRecord.profile == profile, FailedRecord.pair == pair,
                                   FailedRecord.direction == direction, FailedRecord.source_id == source_id)
    if row is None:
        row = FailedRecord(profile=profile, pair=pair, direction=direction, source_id=source_id, attempts=0,
                           first_failed_at=now)
    row.attempts += 1
    row.record_name = name[:250]
    row.payload = json.loads(json.dumps(payload, default=str))
    row.error = _safe_error(error)
    row.hint = str(error.get("hint") or error.get("message") or "")
    row.transient = transient
    row.last_failed_at = now
    row.status = "open"
    row.run = run
    delay = RETRY_BACKOFF_MINUTES[min(row.attempts - 1, len(RETRY_BACKOFF_MINUTES) - 1)]
    row.next_attempt_at = now + timedelta(minutes=delay)
    row.save()
    return row


def resolve_failure(profile: Profile, pair: str, direction: str, source_id: str) -> None:
    FailedRecord.update(status="resolved").where(
        FailedRecord.profile == profile, FailedRecord.pair == pair, FailedRecord.direction == direction,
        FailedRecord.source_id == source_id, FailedRecord.status.in_(["open", "waiting"])).execute()


def open_failure_keys(profile: Profile, pair: str) -> set[tuple[str, str]]:
    rows = FailedRecord.select(FailedRecord.direction, FailedRecord.source_id).where(
        FailedRecord.profile == profile, FailedRecord.pair == pair, FailedRecord.status.in_(["open", "waiting"]))
    return {(r.direction, r.source_id) for r in rows}


def open_conflict_links(profile: Profile, pair: str) -> set[int]:
    rows = Conflict.select(Conflict.link).where(Conflict.profile == profile, Conflict.pair == pair,
                                                Conflict.status == "open")
    return {r.link_id for r in rows}


def due_failures(profile: Profile, pair: str, now: datetime, force: bool = False) -> list[FailedRecord]:
    query = FailedRecord.select().where(FailedRecord.profile == profile, FailedRecord.pair == pair,
                                        FailedRecord.status.in_(["open", "waiting"]))
    if not force:
        query = query.where((FailedRecord.next_attempt_at.is_null()) | (FailedRecord.next_attempt_at <= now))
    return list(query)


# ----- conflicts and matches ---------------------------------------------------------------------------------
def open_conflict(profile: Profile, pair: str, link: Link, name: str, fields: dict[str, Any],
                  now: datetime) -> Conflict:
    row = Conflict.get_or_none(Conflict.link == link, Conflict.status == "open")
    if row is None:
        row = Conflict(profile=profile, pair=pair, link=link, created_at=now)
    row.record_name = name[:250]
    row.fields = json.loads(json.dumps(fields, default=str))
    row.save()
    return row


def pending_match_ids(profile: Profile, pair: str) -> tuple[set[str], set[str]]:
    rows = MatchCandidate.select().where(MatchCandidate.profile == profile, MatchCandidate.pair == pair,
                                         MatchCandidate.status == "pending")
    return {r.xero_id for r in rows}, {r.zoho_id for r in rows}


def rejected_pairs(profile: Profile, pair: str) -> set[tuple[str, str]]:
    rows = MatchCandidate.select().where(MatchCandidate.profile == profile, MatchCandidate.pair == pair,
                                         MatchCandidate.status == "rejected")
    return {(r.xero_id, r.zoho_id) for r in rows}


# ----- write intents -----------------------------------------------------------------------------------------
def intents(profile: Profile, pair: str, target: str) -> dict[str, WriteIntent]:
    rows = WriteIntent.select().where(WriteIntent.profile == profile, WriteIntent.pair == pair,
                                      WriteIntent.target == target)
    return {r.source_id: r for r in rows}
