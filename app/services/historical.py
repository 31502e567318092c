"""Historical sync: send what changed over a past period (the last 30 days, since a date) through the usual engine,
from a queue kept in the database.

Before a job is queued the records it covers are counted (one read of each side from that date) and the time is
estimated from the services' limits, so nobody starts a six-hour job by surprise. A job runs as an ordinary sync
read from its start date; the engine keeps its own page position for such a read, so a job stopped by quitting
carries on where it stopped. There is no cap on the number of records. A custom period may also end on a date: the
job then sends only the records changed within it, and leaves what changed later to the normal sync (whose own
position a read from a date never moves; see ``read_window``).

One-way jobs first catch up with recent edits both ways (an ordinary sync of the same pairs): the one-way pass
does not read the other side, so without it an edit made there since the last sync could be overwritten.
"""

from __future__ import annotations

import dataclasses
import math
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from app.core.engine import PAIR_ORDER
from app.core.mapping import BOTH, X2Z, Z2X, PairMapping
from app.core.runctx import ProgressEvent
from app.errors import Cancelled, ConfigError, NotFound
from app.integrations.http import cancel_scope
from app.services.read_window import changed_before
from app.services.words import duration, pair_label, plural
from app.store.models import HistoricalJob, Link, Profile

PRESET_DAYS = (7, 30, 90)
DIRECTIONS = {BOTH: "Both ways", X2Z: "Xero → Zoho CRM", Z2X: "Zoho CRM → Xero"}
SHORT_DIRECTIONS = {"both": BOTH, "xero": X2Z, "zoho": Z2X, BOTH: BOTH, X2Z: X2Z, Z2X: Z2X}

# What the time estimate rests on: Xero allows 60 calls a minute and returns up to 1,000 records a page and takes
# 50 records a write; Zoho CRM returns 200 records a page and takes 100 a write, and answers in about half a second.
XERO_CALLS_PER_MINUTE = 60
XERO_PAGE, XERO_BATCH = 1000, 50
ZOHO_PAGE, ZOHO_BATCH = 200, 100
ZOHO_SECONDS_PER_CALL = 0.5

PAIR_NOUNS = {"items": "Items", "contacts": "Contacts", "deals": "Closed Won deals", "invoices": "Invoices",
              "payments": "Payments"}
STATUS_LABELS = {"queued": "Waiting", "running": "Running", "done": "Finished", "failed": "Failed",
                 "paused": "Paused by a limit", "cancelled": "Cancelled", "braked": "Stopped for your confirmation",
                 "interrupted": "Stopped before it finished"}
COMPLETED = ("done", "failed", "cancelled", "braked")  # what "Clear completed" removes

# Jobs running in this process: a "running" row that is not here was stopped by quitting (or a crash).
_ACTIVE: set[int] = set()
_CANCEL = threading.Event()  # set by cancel(): the running job stops within a second, the rest stay queued


@dataclass(frozen=True)
class Estimate:
    by_pair: dict[str, int]
    xero_calls: int
    zoho_calls: int
    seconds: float

    @property
    def records(self) -> int:
        return sum(self.by_pair.values())

    @property
    def words(self) -> str:
        """"1,204 records; about 3 min" ("under a minute" for small jobs)."""
        return f"{plural(self.records, 'record')}; {time_words(self.seconds)}"


@dataclass(frozen=True)
class JobItem:
    id: int
    direction: str
    pairs: tuple[str, ...]
    since: datetime
    range_label: str
    status: str
    record_count: int | None
    estimate_s: float | None
    run_id: int | None
    message: str
    counts: dict[str, int] = field(default_factory=dict)
    created_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    until: datetime | None = None  # the end of a custom period (exclusive); None: up to now

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status.capitalize())

    @property
    def direction_label(self) -> str:
        return DIRECTIONS.get(self.direction, self.direction)

    @property
    def pairs_label(self) -> str:
        """Short: "Contacts, Invoices" (the full pair names are in ``pair_labels``)."""
        return ", ".join(PAIR_NOUNS.get(p, p) for p in self.pairs)

    @property
    def pair_labels(self) -> str:
        return ", ".join(pair_label(p) for p in self.pairs)

    @property
    def size_label(self) -> str:
        if self.record_count is None:
            return "not counted"
        text = plural(self.record_count, "record")
        return f"{text}; {time_words(self.estimate_s)}" if self.estimate_s is not None else text

    @property
    def completed(self) -> bool:
        return self.status in COMPLETED

    @property
    def can_start(self) -> bool:
        """Anything but a finished or running job (a failed or paused one carries on where it stopped)."""
        return self.status not in ("done", "running")


def time_words(seconds: float | None) -> str:
    if seconds is None:
        return ""
    if seconds < 60:
        return "under a minute"
    return "about " + duration(60 * math.ceil(seconds / 60))


# ----- date ranges -------------------------------------------------------------------------------------------
def since_days(days: int, now: datetime) -> datetime:
    """Local midnight ``days`` days before today, in UTC: "the last 7 days" includes all of the 7th day back."""
    today = now.astimezone().date()
    return since_date(today - timedelta(days=days))


def since_date(day: date) -> datetime:
    return datetime.combine(day, time.min).astimezone().astimezone(UTC)


def until_date(day: date) -> datetime:
    """The end of a period that includes all of ``day``: the next local midnight, in UTC."""
    return since_date(day + timedelta(days=1))


def range_label(days: int | None, since: datetime, until: datetime | None = None) -> str:
    """"Last 30 days", "Since 3 Nov 2026", "1 Mar – 31 Mar 2026" (the last day shown is the one the period
    includes), "1 Dec 2025 – 31 Jan 2026"."""
    if days:
        return f"Last {days} days"
    first = since.astimezone()
    if until is None:
        return f"Since {first.day} {first.strftime('%b %Y')}"
    last = (until.astimezone() - timedelta(microseconds=1)).date()
    start = f"{first.day} {first.strftime('%b')}" + (f" {first.year}" if first.year != last.year else "")
    return f"{start} – {last.day} {last.strftime('%b %Y')}"


# ----- which pairs, which way --------------------------------------------------------------------------------
def usable_pairs(mappings: dict[str, PairMapping], direction: str) -> list[str]:
    """Enabled pairs that can carry changes in ``direction``, in the engine's order."""
    return [p for p in PAIR_ORDER if p in mappings and mappings[p].enabled and _restricted(mappings[p], direction)]


def _restricted(mapping: PairMapping, direction: str) -> str | None:
    """The pair's direction within the job's (None: the pair never goes that way)."""
    if direction == BOTH:
        return mapping.direction
    if mapping.direction in (BOTH, direction):
        return direction
    return None


def _check(mappings: dict[str, PairMapping], pairs: list[str], direction: str) -> list[str]:
    if direction not in DIRECTIONS:
        raise ConfigError(f"Direction {direction!r}: use both, xero (Xero → Zoho CRM) or zoho (Zoho CRM → Xero).")
    usable = usable_pairs(mappings, direction)
    pairs = pairs or usable
    wrong = [p for p in pairs if p not in usable]
    if wrong:
        raise ConfigError(
            f"{', '.join(pair_label(p) for p in wrong)} cannot sync {DIRECTIONS[direction]} (or is turned off). "
            f"Choose from: {', '.join(pair_label(p) for p in usable) or 'none'}.")
    if not pairs:
        raise ConfigError("No pair can sync that way. Check Field mapping.")
    return [p for p in PAIR_ORDER if p in pairs]


# ----- counting and estimating (network: run it on the worker) ----------------------------------------------
def estimate(service: Any, pairs: list[str], direction: str, since: datetime, until: datetime | None = None
             ) -> Estimate:
    """Count the records changed since ``since`` (and before ``until``, when given) on each side the job reads,
    and estimate how long it takes.

    Costs one read of each side from that date (Xero 1,000 records a call, Zoho CRM 200); nothing is written and
    no sync position moves."""
    mappings = service.mappings()
    pairs = _check(mappings, pairs, SHORT_DIRECTIONS.get(direction, direction))
    direction = SHORT_DIRECTIONS.get(direction, direction)
    connectors = service.connectors()
    by_pair: dict[str, int] = {}
    xero_calls = zoho_calls = 0
    for pair in pairs:
        mapping = mappings[pair]
        way = _restricted(mapping, direction)
        xero_ids: set[str] = set()
        zoho_ids: set[str] = set()
        if pair == "payments":
            xero_ids = _ids(connectors.payment_source(), since, until)
        else:
            spec = connectors.spec(mapping)
            if way in (BOTH, X2Z):
                xero_ids = _ids(spec.xero, since, until)
            if way in (BOTH, Z2X):
                # the deals pair's port already leaves deletions alone; the others get a port that does
                port = spec.zoho if pair == "deals" else connectors.zoho_port(mapping, deletions=False)
                zoho_ids = _ids(port, since, until, spec.zoho_filter)
        by_pair[pair] = len(xero_ids) + len(zoho_ids) - _linked_within(service.profile, pair, xero_ids, zoho_ids)
        calls = job_calls(pair, len(xero_ids), len(zoho_ids))
        xero_calls, zoho_calls = xero_calls + calls[0], zoho_calls + calls[1]
    return Estimate(by_pair, xero_calls, zoho_calls, job_seconds(xero_calls, zoho_calls))


def job_calls(pair: str, xero_records: int, zoho_records: int) -> tuple[int, int]:
    """Xero and Zoho CRM calls to read these records and write each to the other side (the most it can take)."""
    xero_reads = 1 if pair == "items" else _pages(xero_records, XERO_PAGE)  # Xero items come in one call
    xero = (xero_reads if xero_records else 0) + _pages(zoho_records, XERO_BATCH)
    zoho = _pages(zoho_records, ZOHO_PAGE) + _pages(xero_records, ZOHO_BATCH)
    return xero, zoho


def job_seconds(xero_calls: int, zoho_calls: int) -> float:
    return xero_calls * 60 / XERO_CALLS_PER_MINUTE + zoho_calls * ZOHO_SECONDS_PER_CALL


def _ids(port: Any, since: datetime, until: datetime | None = None, keep: Callable[[Any], bool] | None = None
         ) -> set[str]:
    out: set[str] = set()
    for page in port.read(since, 1, ""):
        out.update(r.id for r in page.records if (keep is None or keep(r))
                   and (until is None or changed_before(r, until)))
    return out


def _linked_within(profile: Profile, pair: str, xero_ids: set[str], zoho_ids: set[str]) -> int:
    """How many of the Zoho records are linked to one of the Xero records (the same record, counted once)."""
    if not xero_ids or not zoho_ids:
        return 0
    found = 0
    ids = list(zoho_ids)
    for start in range(0, len(ids), 500):
        rows = Link.select(Link.xero_id).where(Link.profile == profile, Link.pair == pair,
                                               Link.zoho_id.in_(ids[start:start + 500])).tuples()
        found += sum(1 for (xid,) in rows if xid in xero_ids)
    return found


def _pages(n: int, size: int) -> int:
    return math.ceil(n / size)


# ----- the queue ---------------------------------------------------------------------------------------------
def _item(row: HistoricalJob) -> JobItem:
    status = row.status
    if status == "running" and row.id not in _ACTIVE:
        status = "interrupted"
    return JobItem(row.id, row.direction, tuple(row.pairs or ()), row.since, row.range_label, status,
                   row.record_count, row.estimate_s, row.run_id, row.message, dict(row.counts or {}),
                   row.created_at, row.started_at, row.finished_at, row.until)


def jobs(profile: Profile) -> list[JobItem]:
    """The queue, oldest first (the order jobs run in). A read: safe on any thread."""
    query = HistoricalJob.select().where(HistoricalJob.profile == profile).order_by(HistoricalJob.id)
    return [_item(r) for r in query]


def job(profile: Profile, job_id: int) -> JobItem:
    row = HistoricalJob.get_or_none(HistoricalJob.id == job_id, HistoricalJob.profile == profile)
    if row is None:
        raise NotFound(f"No historical sync {job_id} in the queue (see `history-sync list`).")
    return _item(row)


def add(service: Any, *, direction: str, since: datetime, pairs: list[str] | None = None, days: int | None = None,
        counted: Estimate | None = None, until: datetime | None = None) -> JobItem:
    """Queue a job. ``counted`` is the estimate shown to the user before they queued it; ``until`` ends a custom
    period (exclusive: ``until_date`` of its last day)."""
    direction = SHORT_DIRECTIONS.get(direction, direction)
    pairs = _check(service.mappings(), list(pairs or []), direction)
    now = datetime.fromtimestamp(service.ctx.clock.time(), UTC)
    if since >= now:
        raise ConfigError("The start date is in the future: choose a date before today.")
    if until is not None and until <= since:
        raise ConfigError("The end date is before the start date: choose an end on or after the start.")
    row = HistoricalJob.create(profile=service.profile, direction=direction, pairs=pairs, since=since, until=until,
                               range_label=range_label(days, since, until), created_at=now,
                               record_count=counted.records if counted else None,
                               estimate_s=counted.seconds if counted else None)
    return _item(row)


def remove(profile: Profile, job_id: int) -> JobItem:
    item = job(profile, job_id)
    if item.status == "running":
        raise ConfigError("That historical sync is running: it can be removed once it has finished.")
    HistoricalJob.delete().where(HistoricalJob.id == job_id).execute()
    return item


def clear_completed(profile: Profile) -> int:
    """Remove finished, failed and cancelled jobs; waiting, paused and interrupted ones stay."""
    return HistoricalJob.delete().where(HistoricalJob.profile == profile,
                                        HistoricalJob.status.in_(COMPLETED)).execute()


# ----- running -----------------------------------------------------------------------------------------------
def start(service: Any, job_id: int | None = None, *, progress: Callable[[ProgressEvent], None] | None = None
          ) -> list[JobItem]:
    """Run the queue: ``job_id`` first (when given), then every other job that waits or was stopped, oldest first.
    Stops early when a job is paused by a limit or stopped for confirmation (the rest stay queued)."""
    profile = service.profile
    order = [j for j in jobs(profile) if j.can_start]
    if job_id is not None:
        first = job(profile, job_id)
        if not first.can_start:
            raise ConfigError(f"That historical sync has already {first.status_label.lower()}; add it again "
                              "to run it once more.")
        order = [first] + [j for j in order if j.id != job_id]
    done = []
    _CANCEL.clear()
    with service.locked("historical sync"), cancel_scope(_CANCEL):  # like any sync: one writing run at a time
        for item in order:
            result = run_job(service, item.id, progress=progress)
            done.append(result)
            if result.status in ("paused", "braked", "cancelled"):
                break
    return done


def cancel() -> None:
    """Stop the running historical sync (safe from any thread: it only sets a flag). Started again, it carries on
    where it stopped."""
    _CANCEL.set()


def running() -> bool:
    return bool(_ACTIVE)


def run_job(service: Any, job_id: int, *, progress: Callable[[ProgressEvent], None] | None = None) -> JobItem:
    row = HistoricalJob.get_by_id(job_id)
    _ACTIVE.add(row.id)
    try:
        clock = service.ctx.clock
        row.status, row.message = "running", ""
        row.started_at = row.started_at or datetime.fromtimestamp(clock.time(), UTC)
        row.save()
        mappings = service.mappings()
        direction = row.direction
        pairs = _check(mappings, list(row.pairs), direction)
        if direction != BOTH:  # catch up with recent edits on both sides first (see the module's docstring)
            catch_up = service.sync(pairs=pairs, trigger="historical", progress=progress, cancel=_CANCEL)
            if catch_up.outcome not in ("ok", "partial"):
                return _finish(row, catch_up, clock)
        restricted = {p: dataclasses.replace(m, direction=_restricted(m, direction) or m.direction)
                      for p, m in mappings.items()}
        # No bulk-archive release: the brake counts only records whose archiving is new to us, so records
        # archived long ago (already archived on both sides) never trip it.
        report = service.sync(pairs=pairs, since=row.since, until=row.until, trigger="historical",
                              progress=progress, cancel=_CANCEL, mappings=restricted)
        return _finish(row, report, clock)
    except Exception as exc:
        row.status = "cancelled" if isinstance(exc, Cancelled) else "failed"
        row.message = getattr(exc, "message", None) or str(exc)
        row.finished_at = datetime.fromtimestamp(service.ctx.clock.time(), UTC)
        row.save()
        raise
    finally:
        _ACTIVE.discard(row.id)


def _finish(row: HistoricalJob, report: Any, clock: Any) -> JobItem:
    status = {"ok": "done", "partial": "done", "interrupted": "interrupted"}.get(report.outcome, report.outcome)
    row.status, row.message, row.run = status, report.message, report.run_id
    row.counts = {k: v for k, v in report.counts.items() if isinstance(v, int)}
    if status in COMPLETED:
        row.finished_at = datetime.fromtimestamp(clock.time(), UTC)
    row.save()
    return _item(row)
