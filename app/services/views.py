"""What the window's pages and the command line show: read-only queries that return plain frozen dataclasses.

Nothing here writes, calls a service or touches the secret store, so any thread may read (the GUI thread included);
no peewee row ever leaves this module. History is read with keyset paging over indexed columns, so a page of
100,000 rows costs the same as a page of 100.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import peewee as pw

from app.clock import Clock, SystemClock
from app.integrations.xero.oauth import XERO_REFRESH_IDLE_DAYS
from app.services.org_change import pending_changes
from app.services.words import PROVIDER_LABELS, pair_label, plural
from app.store.models import (
    Conflict,
    Connection,
    FailedRecord,
    HistoryEntry,
    Link,
    MatchCandidate,
    Profile,
    Run,
)
from app.store.settings import get_setting

SYNCED_ACTIONS = ("create", "update", "link", "archive", "delete", "undo")


@dataclass(frozen=True)
class RunSummary:
    id: int
    trigger: str
    started_at: datetime
    ended_at: datetime | None
    outcome: str
    message: str
    counts: dict[str, int]
    xero_calls: int
    zoho_calls: int
    dry_run: bool

    @property
    def duration_s(self) -> float | None:
        return (self.ended_at - self.started_at).total_seconds() if self.ended_at else None


@dataclass(frozen=True)
class DayTotal:
    day: date
    synced: int
    failed: int


@dataclass(frozen=True)
class PairCount:
    pair: str
    label: str
    linked: int
    failed: int


@dataclass(frozen=True)
class Attention:
    failed: int = 0
    waiting: int = 0
    conflicts: int = 0
    matches: int = 0
    reconnect: tuple[str, ...] = ()
    organisation_changed: tuple[str, ...] = ()  # sides connected to another organisation than the links were made with

    @property
    def total(self) -> int:
        return self.failed + self.conflicts + self.matches + len(self.reconnect) + len(self.organisation_changed)

    @property
    def headline(self) -> str:
        """One sentence for the one banner: reconnecting comes first, since nothing syncs until it is done."""
        if self.reconnect:
            return "Reconnect " + " and ".join(PROVIDER_LABELS.get(p, p) for p in self.reconnect) + \
                " to keep syncing."
        if self.organisation_changed:  # nothing syncs until the user decides either
            sides = " and ".join(PROVIDER_LABELS.get(p, p) for p in self.organisation_changed)
            other = "another organisation" if len(self.organisation_changed) == 1 else "other organisations"
            verb = "is" if len(self.organisation_changed) == 1 else "are"
            return f"{sides} {verb} connected to {other}: choose whether to keep the links."
        parts = []
        if self.failed:
            parts.append(f"{plural(self.failed, 'record')} could not be synced")
        if self.conflicts:
            parts.append(f"{plural(self.conflicts, 'conflict')} to settle")
        if self.matches:
            parts.append(f"{plural(self.matches, 'possible match', 'possible matches')} to confirm")
        return "; ".join(parts) + "." if parts else ""

    @property
    def page(self) -> str:
        """The page the banner's button opens."""
        if self.reconnect or self.organisation_changed:
            return "connections"
        return "failed" if self.failed else "conflicts" if self.total else ""


@dataclass(frozen=True)
class ConnectionHealth:
    provider: str
    label: str
    connected: bool
    organisation: str = ""
    dc: str = ""
    user: str = ""
    reconnect_by: datetime | None = None
    needs_sign_in: bool = False
    budget: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class HistoryFilter:
    pairs: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()
    direction: str = ""
    text: str = ""
    since: datetime | None = None
    until: datetime | None = None
    run_id: int | None = None


@dataclass(frozen=True)
class HistoryRow:
    id: int
    run_id: int
    at: datetime
    pair: str
    action: str
    direction: str
    record_name: str
    xero_id: str | None
    zoho_id: str | None
    changes: dict[str, Any]
    error: dict[str, Any] | None
    mapping_version: int


@dataclass(frozen=True)
class FailedItem:
    id: int
    pair: str
    direction: str
    source_id: str
    record_name: str
    reason: str
    error: dict[str, Any] | None
    attempts: int
    first_failed_at: datetime
    last_failed_at: datetime
    next_attempt_at: datetime | None
    status: str  # open | waiting | ignored

    @property
    def waiting(self) -> bool:
        return self.status == "waiting"


@dataclass(frozen=True)
class ConflictItem:
    id: int
    pair: str
    record_name: str
    fields: dict[str, dict[str, Any]]
    created_at: datetime
    xero_id: str | None
    zoho_id: str | None
    resolution: dict[str, str] | None = None


@dataclass(frozen=True)
class MatchItem:
    id: int
    pair: str
    xero_id: str
    zoho_id: str
    xero_name: str
    zoho_name: str
    score: float
    evidence: tuple[str, ...]
    status: str


def run_summary(row: Run) -> RunSummary:
    return RunSummary(row.id, row.trigger, row.started_at, row.ended_at, row.outcome, row.message,
                      dict(row.counts or {}), row.xero_calls, row.zoho_calls, row.dry_run)


def _history_row(h: HistoryEntry) -> HistoryRow:
    return HistoryRow(h.id, h.run_id, h.created_at, h.pair, h.action, h.direction, h.record_name, h.xero_id,
                      h.zoho_id, dict(h.changes or {}), h.error, h.mapping_version)


class Views:
    def __init__(self, profile: Profile, clock: Clock | None = None) -> None:
        self.profile = profile
        self.clock = clock or SystemClock()

    @classmethod
    def of(cls, ctx: Any) -> Views:
        """Views on an :class:`~app.services.context.AppContext`'s profile and clock."""
        return cls(ctx.profile, ctx.clock)

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.clock.time(), UTC)

    # ----- runs ------------------------------------------------------------------------------------------------
    def runs(self, limit: int = 5, *, before_id: int | None = None, include_dry_runs: bool = False
             ) -> list[RunSummary]:
        query = Run.select().where(Run.profile == self.profile)
        if not include_dry_runs:
            query = query.where(Run.dry_run == False)  # noqa: E712 - peewee expression
        if before_id is not None:
            query = query.where(Run.id < before_id)
        return [run_summary(r) for r in query.order_by(Run.id.desc()).limit(limit)]

    def run(self, run_id: int) -> RunSummary | None:
        row = Run.get_or_none(Run.id == run_id, Run.profile == self.profile)
        return run_summary(row) if row else None

    def last_successful(self) -> RunSummary | None:
        row = (Run.select().where(Run.profile == self.profile, Run.dry_run == False,  # noqa: E712
                                  Run.outcome.in_(("ok", "partial")))
               .order_by(Run.id.desc()).first())
        return run_summary(row) if row else None

    def daily_totals(self, days: int) -> list[DayTotal]:
        """Records synced and failed per local day, oldest first, one entry per day (zeros included).

        Grouped by UTC hour in SQL (at most 24 groups a day), then folded into the user's local days."""
        today = self.now().astimezone().date()
        first = today - timedelta(days=days - 1)
        start_utc = datetime.combine(first, datetime.min.time()).astimezone().astimezone(UTC)
        hour = pw.fn.substr(HistoryEntry.created_at, 1, 13).coerce(False)
        synced = pw.fn.sum(pw.Case(None, [(HistoryEntry.action.in_(SYNCED_ACTIONS), 1)], 0))
        failed = pw.fn.sum(pw.Case(None, [(HistoryEntry.action == "fail", 1)], 0))
        rows = (HistoryEntry.select(hour.alias("hour"), synced.alias("synced"), failed.alias("failed"))
                .where(HistoryEntry.profile == self.profile,
                       HistoryEntry.created_at >= start_utc)
                .group_by(hour).tuples())
        totals: dict[date, list[int]] = defaultdict(lambda: [0, 0])
        for hour_text, n_synced, n_failed in rows:
            day = datetime.fromisoformat(f"{hour_text}:00:00+00:00").astimezone().date()
            totals[day][0] += n_synced or 0
            totals[day][1] += n_failed or 0
        return [DayTotal(d, *totals.get(d, (0, 0))) for d in (first + timedelta(days=i) for i in range(days))]

    # ----- what is linked and what needs a person --------------------------------------------------------------
    def pair_counts(self) -> list[PairCount]:
        from app.core.engine import PAIR_ORDER
        from app.services.mappings import current_mappings

        # Written out so that SQLite sees the partial index's own condition (a bound 'active' hides it) and counts
        # from that index alone: a few milliseconds at 25,000 links instead of a scan of every link's values.
        linked = dict(Link._meta.database.execute_sql(
            "SELECT pair, count(*) FROM link WHERE profile_id = ? AND xero_id IS NOT NULL AND zoho_id IS NOT NULL "
            "AND state = 'active' GROUP BY pair", (self.profile.id,)).fetchall())
        failed = dict(FailedRecord.select(FailedRecord.pair, pw.fn.count(FailedRecord.id)).where(
            FailedRecord.profile == self.profile, FailedRecord.status == "open").group_by(FailedRecord.pair).tuples())
        mappings = current_mappings(self.profile)
        return [PairCount(p, pair_label(p, mappings[p].zoho_module), linked.get(p, 0), failed.get(p, 0))
                for p in PAIR_ORDER if p in mappings and mappings[p].enabled and p != "payments"]

    def attention(self) -> Attention:
        by_status = dict(FailedRecord.select(FailedRecord.status, pw.fn.count(FailedRecord.id)).where(
            FailedRecord.profile == self.profile).group_by(FailedRecord.status).tuples())
        conflicts = Conflict.select().where(Conflict.profile == self.profile, Conflict.status == "open").count()
        matches = MatchCandidate.select().where(MatchCandidate.profile == self.profile,
                                                MatchCandidate.status == "pending").count()
        reconnect = tuple(h.provider for h in self.connections() if h.needs_sign_in)
        changed = tuple(c.provider for c in pending_changes(self.profile))
        return Attention(by_status.get("open", 0), by_status.get("waiting", 0), conflicts, matches, reconnect,
                         changed)

    def connections(self) -> list[ConnectionHealth]:
        """Each side as last seen: no network call and no secret store, so it is instant and safe anywhere."""
        rows = {c.provider: c for c in Connection.select().where(Connection.profile == self.profile)}
        out = []
        for provider in ("xero", "zoho"):
            conn = rows.get(provider)
            label = PROVIDER_LABELS[provider]
            budget = get_setting(self.profile, f"{provider}.last_budget") or {}
            if conn is None:
                out.append(ConnectionHealth(provider, label, False, budget=budget))
                continue
            reconnect_by = None
            if provider == "xero" and conn.refresh_token_issued_at:
                reconnect_by = conn.refresh_token_issued_at + timedelta(days=XERO_REFRESH_IDLE_DAYS)
            needs = bool(get_setting(self.profile, f"{provider}.needs_sign_in"))
            out.append(ConnectionHealth(provider, label, not needs, conn.org_name, conn.dc, conn.user_name,
                                        reconnect_by, needs, budget))
        return out

    # ----- history ---------------------------------------------------------------------------------------------
    def _history_query(self, f: HistoryFilter, *columns: Any) -> pw.ModelSelect:
        query = HistoryEntry.select(*columns).where(HistoryEntry.profile == self.profile)
        if f.pairs:
            query = query.where(HistoryEntry.pair.in_(f.pairs))
        if f.actions:
            query = query.where(HistoryEntry.action.in_(f.actions))
        if f.direction:
            query = query.where(HistoryEntry.direction == f.direction)
        if f.text:
            query = query.where(HistoryEntry.record_name.contains(f.text))
        if f.since:
            query = query.where(HistoryEntry.created_at >= f.since)
        if f.until:
            query = query.where(HistoryEntry.created_at < f.until)
        if f.run_id is not None:
            query = query.where(HistoryEntry.run == f.run_id)
        return query

    def history_count(self, f: HistoryFilter = HistoryFilter()) -> int:
        return self._history_query(f, HistoryEntry.id).count()

    def history_page(self, f: HistoryFilter = HistoryFilter(), *, before_id: int | None = None,
                     limit: int = 100) -> list[HistoryRow]:
        """Newest first; the next page starts ``before_id`` = the last row's id (stable while rows are added)."""
        query = self._history_query(f)
        if before_id is not None:
            query = query.where(HistoryEntry.id < before_id)
        return [_history_row(h) for h in query.order_by(HistoryEntry.id.desc()).limit(limit)]

    def history_ids(self, f: HistoryFilter = HistoryFilter()) -> list[int]:
        """Every matching id, newest first. Read straight from the cursor: 100,000 ids through peewee's row
        wrapping take ten times as long, and the History page waits for them before its first screen."""
        sql, params = self._history_query(f, HistoryEntry.id).order_by(HistoryEntry.id.desc()).sql()
        return [i for (i,) in HistoryEntry._meta.database.execute_sql(sql, params).fetchall()]

    def history_rows(self, ids: list[int]) -> list[HistoryRow]:
        """The rows for these ids, in the order given. Read as tuples (the History page asks for a page of rows
        while the user scrolls: model instances would cost a frame)."""
        h = HistoryEntry
        query = h.select(h.id, h.run, h.created_at, h.pair, h.action, h.direction, h.record_name, h.xero_id,
                         h.zoho_id, h.changes, h.error, h.mapping_version).where(h.profile == self.profile,
                                                                                  h.id.in_(ids))
        rows = {t[0]: t for t in query.tuples()}
        return [HistoryRow(*rows[i][:9], dict(rows[i][9] or {}), *rows[i][10:]) for i in ids if i in rows]

    def history_cells(self, ids: list[int]) -> list[tuple[Any, ...]]:
        """What the History table shows for these ids, in the order given, as tuples of plain values: (id, created
        at as stored ISO text, pair, action, direction, record name, the changed fields' keys joined by a newline,
        the error's hint, reason or message). SQLite reads the keys and the error's words out of the JSON itself,
        so a page of rows costs a few strings each rather than every invoice's line items as Python objects (the
        page is read in the frame that scrolls it into view)."""
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        sql = ("SELECT h.id, h.created_at, h.pair, h.action, h.direction, h.record_name,"
               " (SELECT group_concat(c.key, char(10)) FROM json_each(h.changes) AS c"
               "   WHERE c.type = 'array' AND json_array_length(c.value) = 2),"
               " coalesce(nullif(json_extract(h.error, '$.hint'), ''), nullif(json_extract(h.error, '$.reason'), ''),"
               "   nullif(json_extract(h.error, '$.message'), ''), '')"
               f" FROM {HistoryEntry._meta.table_name} AS h WHERE h.profile_id = ? AND h.id IN ({marks})")
        rows = {t[0]: t for t in HistoryEntry._meta.database.execute_sql(sql, [self.profile.id, *ids])}
        return [rows[i] for i in ids if i in rows]

    # ----- failed records, conflicts, matches -----------------------------------------------------------------
    def failed(self, *, include_ignored: bool = False) -> list[FailedItem]:
        statuses = ("open", "waiting", "ignored") if include_ignored else ("open", "waiting")
        query = FailedRecord.select().where(FailedRecord.profile == self.profile,
                                            FailedRecord.status.in_(statuses))
        return [FailedItem(r.id, r.pair, r.direction, r.source_id, r.record_name, r.hint, r.error, r.attempts,
                           r.first_failed_at, r.last_failed_at, r.next_attempt_at, r.status)
                for r in query.order_by(FailedRecord.last_failed_at.desc(), FailedRecord.id.desc())]

    def conflicts(self) -> list[ConflictItem]:
        query = (Conflict.select(Conflict, Link.xero_id, Link.zoho_id).join(Link)
                 .where(Conflict.profile == self.profile, Conflict.status == "open").order_by(Conflict.created_at))
        return [ConflictItem(c.id, c.pair, c.record_name, dict(c.fields or {}), c.created_at, c.link.xero_id,
                             c.link.zoho_id, c.resolution) for c in query]

    def matches(self, status: str = "pending") -> list[MatchItem]:
        query = MatchCandidate.select().where(MatchCandidate.profile == self.profile, MatchCandidate.status == status)
        return [MatchItem(m.id, m.pair, m.xero_id, m.zoho_id, m.xero_name, m.zoho_name, m.score,
                          tuple(m.evidence or ()), m.status) for m in query.order_by(MatchCandidate.id)]
