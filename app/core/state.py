"""The engine's bookkeeping in the store: links, cursors, history, failed records, conflicts, match candidates.

Small functions over the peewee models so the sync code reads as the rules it applies, not as queries.
"""

from __future__ import annotations

import json
import weakref
from datetime import UTC, datetime, timedelta
from typing import Any

from app.store.bulk import insert_rows
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
from app.store.settings import get_setting

#: Each retry of a failed record waits this many times the first delay (the ``retry.first_delay_minutes`` setting),
#: at most a day: 5, 15, 60, 240, 720 minutes by default.
RETRY_BACKOFF_STEPS = (1, 3, 12, 48, 144)
RETRY_MAX_MINUTES = 24 * 60
WAITING_RECHECK_HOURS = 24


def utc(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


# ----- links -------------------------------------------------------------------------------------------------
class _LazyLinks(dict):
    """id → Link, where a value may still be just the link's row id: the row is loaded on first use."""

    def __init__(self, index: LinkIndex) -> None:
        super().__init__()
        self._index = weakref.ref(index)  # not a cycle: a run's links are freed as soon as the run is done

    def get(self, key: Any, default: Any = None) -> Any:
        value = dict.get(self, key, default)
        if isinstance(value, int):
            index = self._index()
            assert index is not None, "a link map outlived its index"
            index.load([value])
            value = dict.get(self, key, default)
        return value

    def __getitem__(self, key: Any) -> Any:
        value = self.get(key)
        if value is None:
            raise KeyError(key)
        return value


class LinkIndex:
    """The links of one pair for one run. Every link's ids are in memory (small); full rows — with the values last
    synced — are loaded a page at a time (:meth:`prefetch`) and let go after the page is committed
    (:meth:`unload`), so a sync of 100,000 records does not hold 100,000 rows. Orphans stay loaded: matching needs
    their values."""

    def __init__(self, profile: Profile, pair: str) -> None:
        self.profile, self.pair = profile, pair
        self.by_xero: _LazyLinks = _LazyLinks(self)
        self.by_zoho: _LazyLinks = _LazyLinks(self)
        query = Link.select(Link.id, Link.xero_id, Link.zoho_id).where(Link.profile == profile, Link.pair == pair)
        for lid, xid, zid in query.tuples():
            if xid and zid:
                dict.__setitem__(self.by_xero, xid, lid)
                dict.__setitem__(self.by_zoho, zid, lid)
        self._held: list[Link] = []  # full rows indexed since the last unload
        for link in Link.select().where(Link.profile == profile, Link.pair == pair,
                                        Link.xero_id.is_null() | Link.zoho_id.is_null()):
            self._index(link)

    def _index(self, link: Link) -> None:
        if link.xero_id:
            dict.__setitem__(self.by_xero, link.xero_id, link)
        if link.zoho_id:
            dict.__setitem__(self.by_zoho, link.zoho_id, link)
        self._held.append(link)

    def load(self, ids: list[int]) -> None:
        for start in range(0, len(ids), 500):
            for link in Link.select().where(Link.id.in_(ids[start:start + 500])):
                self._index(link)

    def prefetch(self, xero_ids: Any = (), zoho_ids: Any = ()) -> None:
        """Load the rows of these records' links in a few queries (instead of one per record)."""
        wanted = {v for k in xero_ids if isinstance(v := dict.get(self.by_xero, k), int)}
        wanted |= {v for k in zoho_ids if isinstance(v := dict.get(self.by_zoho, k), int)}
        if wanted:
            self.load(sorted(wanted))

    def unload(self) -> None:
        """Let go of committed, linked rows (keep their ids); orphans and unsaved links stay."""
        keep = []
        for link in self._held:
            if link.id is None or not (link.xero_id and link.zoho_id):
                keep.append(link)
                continue
            for mapping, key in ((self.by_xero, link.xero_id), (self.by_zoho, link.zoho_id)):
                if dict.get(mapping, key) is link:
                    dict.__setitem__(mapping, key, link.id)
        self._held = keep

    def add(self, link: Link) -> None:
        self._index(link)

    def drop(self, link: Link) -> None:
        if link.xero_id and dict.get(self.by_xero, link.xero_id) in (link, link.id):
            del self.by_xero[link.xero_id]
        if link.zoho_id and dict.get(self.by_zoho, link.zoho_id) in (link, link.id):
            del self.by_zoho[link.zoho_id]

    def orphans(self, side: str) -> dict[str, Link]:
        """Records seen on one side only (no counterpart yet), by their id on that side."""
        mapping = self.by_xero if side == "xero" else self.by_zoho
        key, other = ("xero_id", "zoho_id") if side == "xero" else ("zoho_id", "xero_id")
        # Orphans are never unloaded, so they are among the held rows (a page's worth plus the orphans): looking
        # there, not through every id of the pair, keeps this per-page call cheap at 100,000 links.
        found = {}
        for link in self._held:
            k = getattr(link, key)
            if k and not getattr(link, other) and dict.get(mapping, k) is link:
                found[k] = link
        return found

    def linked_count(self) -> int:
        return Link.select().where(Link.profile == self.profile, Link.pair == self.pair, Link.xero_id.is_null(False),
                                   Link.zoho_id.is_null(False), Link.state != "deleted").count()


class LinkIds:
    """Just the id pairs of one pair's links (for look-ups from other pairs): cheap at any size."""

    def __init__(self, profile: Profile, pair: str) -> None:
        self.x2z: dict[str, tuple[str | None, datetime | None]] = {}
        self.z2x: dict[str, str | None] = {}
        query = Link.select(Link.xero_id, Link.zoho_id, Link.synced_at).where(Link.profile == profile,
                                                                             Link.pair == pair)
        for xid, zid, synced in query.tuples():
            if xid:
                self.x2z[xid] = (zid, Link.synced_at.python_value(synced))
            if zid:
                self.z2x[zid] = xid


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
    insert_rows(HistoryEntry, rows)


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
NEVER_DAYS = 36500  # a failure retried only when the user asks


def record_failure(profile: Profile, run: Run, pair: str, direction: str, source_id: str, name: str,
                   payload: Any, error: dict[str, Any], now: datetime, waiting: bool = False,
                   retry: bool = True) -> FailedRecord:
    """Remember a record that did not sync, with a backoff for the retry. ``waiting``: it cannot sync until a
    related record does; it is retried when a run links new records (see ``due_failures``), or daily. Without
    ``retry`` it waits for the user (Retry or Ignore): trying again would be refused the same way."""
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
    row.status = "waiting" if waiting else "open"
    row.run = run
    if waiting:
        row.next_attempt_at = now + timedelta(hours=WAITING_RECHECK_HOURS)
    else:
        step = RETRY_BACKOFF_STEPS[min(row.attempts - 1, len(RETRY_BACKOFF_STEPS) - 1)]
        delay = min(RETRY_MAX_MINUTES, step * int(get_setting(profile, "retry.first_delay_minutes")))
        row.next_attempt_at = now + timedelta(minutes=delay)
    if not retry:
        row.next_attempt_at = now + timedelta(days=NEVER_DAYS)
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


def due_failures(profile: Profile, pair: str, now: datetime, force: bool = False,
                 release_waiting: bool = False) -> list[FailedRecord]:
    query = FailedRecord.select().where(FailedRecord.profile == profile, FailedRecord.pair == pair,
                                        FailedRecord.status.in_(["open", "waiting"]))
    if not force:
        due = FailedRecord.next_attempt_at.is_null() | (FailedRecord.next_attempt_at <= now)
        if release_waiting:
            due = due | (FailedRecord.status == "waiting")
        query = query.where(due)
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


def confirmed_unlinked(profile: Profile, pair: str) -> list[tuple[str, str]]:
    """Matches a person confirmed that no run has linked yet (the run that should have, failed): still owed."""
    rows = MatchCandidate.select().where(MatchCandidate.profile == profile, MatchCandidate.pair == pair,
                                         MatchCandidate.status == "confirmed")
    out = []
    for r in rows:
        link = Link.get_or_none(Link.profile == profile, Link.pair == pair, Link.xero_id == r.xero_id)
        if link is None or link.zoho_id != r.zoho_id:
            out.append((r.xero_id, r.zoho_id))
    return out


def decided_conflicts(profile: Profile, pair: str) -> list[Conflict]:
    """Conflicts a person settled whose chosen values were not written yet."""
    return list(Conflict.select().where(Conflict.profile == profile, Conflict.pair == pair,
                                        Conflict.status == "open", Conflict.resolution.is_null(False)))


def rejected_pairs(profile: Profile, pair: str) -> set[tuple[str, str]]:
    rows = MatchCandidate.select().where(MatchCandidate.profile == profile, MatchCandidate.pair == pair,
                                         MatchCandidate.status == "rejected")
    return {(r.xero_id, r.zoho_id) for r in rows}


# ----- write intents -----------------------------------------------------------------------------------------
def intents(profile: Profile, pair: str, target: str) -> dict[str, WriteIntent]:
    rows = WriteIntent.select().where(WriteIntent.profile == profile, WriteIntent.pair == pair,
                                      WriteIntent.target == target)
    return {r.source_id: r for r in rows}
