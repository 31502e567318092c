"""What one sync run carries through every pair: the run row, counters, the plan (dry run), the brake, cancel,
progress reporting, and look-ups of links between pairs (an invoice's customer, a line's product)."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import peewee as pw

from app.clock import Clock
from app.core.state import LinkIds, due_failures, open_conflict, pending_match_ids, record_history, utc
from app.errors import Cancelled
from app.store.models import FailedRecord, Link, Profile, Run
from app.store.settings import get_setting

PROGRESS_INTERVAL = 0.1  # seconds between two reports of the same step


class BrakeTripped(Exception):
    """Too many archives, deletes or cleared fields in one run: stop and ask the user."""

    def __init__(self, pair: str, count: int, linked: int, limit: int, what: str = "archive") -> None:
        done = "archived or deleted" if what == "archive" else "emptied"
        super().__init__(f"{pair}: {count} of {linked} linked records would be {done} (limit {limit})")
        self.pair, self.count, self.linked, self.limit, self.what = pair, count, linked, limit, what


@dataclass
class Brake:
    """Stops a run that would archive or delete more than max(min_records, fraction × linked) records."""

    min_records: int = 5
    fraction: float = 0.10
    released: bool = False  # the user said "go ahead" for this run
    counts: Counter[str] = field(default_factory=Counter)

    def limit(self, linked: int) -> int:
        return max(self.min_records, int(self.fraction * linked))

    def add(self, pair: str, n: int, linked: int, what: str = "archive") -> None:
        """``what``: "archive" (archives and deletes) or "clear" (a filled field emptied in the other system);
        each is counted and limited on its own."""
        key = pair if what == "archive" else f"{pair}:{what}"
        self.counts[key] += n
        if not self.released and self.counts[key] > self.limit(linked):
            raise BrakeTripped(pair, self.counts[key], linked, self.limit(linked), what)


@dataclass
class ProgressEvent:
    """Where a run is: ``message`` in words ("Reading Xero invoices…"), ``done`` of ``total`` records of this
    phase (total 0: not known in advance), ``phase`` one of reading_xero, reading_zoho, writing_xero,
    writing_zoho, payments."""

    pair: str
    message: str
    done: int = 0
    total: int = 0
    phase: str = ""
    run_id: int = 0

    @property
    def text(self) -> str:
        if self.total:
            return f"{self.message} {self.done:,} of {self.total:,}"
        return f"{self.message} {self.done:,}" if self.done else self.message


@dataclass(frozen=True)
class LinkRef:
    xero_id: str
    zoho_id: str | None
    synced_at: datetime | None


class RunLookups:
    """Links of other pairs, for transforms that turn an id on one side into the linked id on the other."""

    def __init__(self, profile: Profile, dry_run: bool = False,
                 make_fallback_product: Callable[[str], str | None] | None = None) -> None:
        self.profile = profile
        self.dry_run = dry_run
        self.make_fallback_product = make_fallback_product
        self._fallback: dict[str, str | None] = {}
        self._cache: dict[str, LinkIds] = {}
        self.planned: dict[str, dict[str, str]] = {}  # dry run: pair -> xero id -> zoho id (or "(new)")
        self.planned_codes: dict[str, str] = {}
        self.orphans: set[tuple[str, str]] = set()  # (pair, xero id) left out of Zoho in this (dry) run
        self.in_review: set[tuple[str, str]] = set()

    def plan(self, pair: str, xero_id: str | None, zoho_id: str | None, code: str | None = None) -> None:
        """A dry run pretends its creates and links happened, so later pairs plan as a real run would."""
        if xero_id:
            self.planned.setdefault(pair, {})[xero_id] = zoho_id or "(new)"
        if zoho_id:
            self.planned.setdefault(f"{pair}:rev", {})[zoho_id] = xero_id or "(new)"
        if code:
            self.planned_codes[code] = zoho_id or "(new)"

    def fallback_product(self, name: str) -> str | None:
        """The Zoho product used for invoice lines that have no Xero item (Zoho requires a product per row)."""
        if self.dry_run:
            return "(new)"
        if name not in self._fallback:
            self._fallback[name] = self.make_fallback_product(name) if self.make_fallback_product else None
        return self._fallback[name]

    def missing_reason(self, pair: str, xero_id: str) -> str | None:
        """Why a related record has no Zoho counterpart on purpose (None: it is just not synced yet)."""
        if xero_id in self.planned.get(pair, {}):
            return None
        if (pair, xero_id) in self.in_review or xero_id in self._pending_review(pair):
            return "is waiting for you to confirm its match (see Matches)"
        entry = self._index(pair).x2z.get(xero_id)
        if (entry is not None and not entry[0]) or (pair, xero_id) in self.orphans:
            return "is not in Zoho CRM (archived in Xero, or kept only in Xero)"
        return None

    def _pending_review(self, pair: str) -> set[str]:
        key = f"__review_{pair}"
        if key not in self.__dict__:
            self.__dict__[key] = pending_match_ids(self.profile, pair)[0]
        return self.__dict__[key]

    def _index(self, pair: str) -> LinkIds:
        if pair not in self._cache:
            self._cache[pair] = LinkIds(self.profile, pair)
        return self._cache[pair]

    def refresh(self) -> None:
        self._cache.clear()
        for key in [k for k in self.__dict__ if k.startswith("__review_")]:
            del self.__dict__[key]
        self.__dict__.pop("__codes", None)

    def zoho_id_for(self, pair: str, xero_id: str) -> str | None:
        entry = self._index(pair).x2z.get(xero_id)
        return (entry[0] if entry else None) or self.planned.get(pair, {}).get(xero_id)

    def xero_id_for(self, pair: str, zoho_id: str) -> str | None:
        return self._index(pair).z2x.get(zoho_id) or self.planned.get(f"{pair}:rev", {}).get(zoho_id)

    def _codes(self) -> dict[str, tuple[str, str]]:
        """Item code → (Zoho product id, Xero item id), from the items pair's links."""
        if "__codes" not in self.__dict__:
            rows = Link.select(Link.xero_id, Link.zoho_id, Link.xero_values).where(
                Link.profile == self.profile, Link.pair == "items", Link.zoho_id.is_null(False))
            self.__dict__["__codes"] = {str(r.xero_values.get("Code")): (r.zoho_id, r.xero_id) for r in rows
                                        if r.xero_values.get("Code")}
        return self.__dict__["__codes"]

    def zoho_product_for_code(self, code: str) -> str | None:
        found = self._codes().get(code)
        return (found[0] if found else None) or self.planned_codes.get(code)

    def code_for_zoho_product(self, zoho_id: str) -> str | None:
        return next((code for code, (zid, _) in self._codes().items() if zid == zoho_id), None)

    def link_for_xero(self, pair: str, xero_id: str) -> LinkRef | None:
        entry = self._index(pair).x2z.get(xero_id)
        return LinkRef(xero_id, entry[0], entry[1]) if entry else None


@dataclass
class RunContext:
    profile: Profile
    run: Run
    clock: Clock
    db: pw.Database
    dry_run: bool = False
    since: datetime | None = None
    cancel: threading.Event = field(default_factory=threading.Event)
    on_progress: Callable[[ProgressEvent], None] | None = None
    force_retry: bool = False
    brake: Brake = field(default_factory=Brake)
    counts: Counter[str] = field(default_factory=Counter)
    by_pair: dict[str, Counter[str]] = field(default_factory=dict)
    plan: list[dict[str, Any]] = field(default_factory=list)
    current_pair: str = ""
    queued: set[tuple[str, str]] = field(default_factory=set)
    interrupted: list[str] = field(default_factory=list)

    make_fallback_product: Callable[[str], str | None] | None = None
    _progress_at: float = 0.0
    _progress_step: str = ""

    def __post_init__(self) -> None:
        self.lookups = RunLookups(self.profile, self.dry_run, self.make_fallback_product)

    def now(self) -> datetime:
        return utc(self.clock.time())

    def setting(self, key: str) -> Any:
        return get_setting(self.profile, key)

    def check_cancel(self) -> None:
        if self.cancel.is_set():
            raise Cancelled()

    def progress(self, pair: str, message: str, done: int = 0, total: int = 0, phase: str = "") -> None:
        """Report where the run is, at most about ten times a second for the same step (a step's first and
        last report always go through)."""
        if not self.on_progress:
            return
        now = time.monotonic()
        same_step = message == self._progress_step
        if same_step and now - self._progress_at < PROGRESS_INTERVAL and not (total and done >= total):
            return
        self._progress_at, self._progress_step = now, message
        self.on_progress(ProgressEvent(pair, message, done, total, phase, self.run.id or 0))

    def count(self, key: str, n: int = 1) -> None:
        self.counts[key] += n
        self.by_pair.setdefault(self.current_pair, Counter())[key] += n

    def history(self, pair: str, action: str, **kwargs: Any) -> None:
        if not self.dry_run:
            record_history(self.run, pair, action, at=self.now(), **kwargs)

    def conflict(self, pair: str, link: Link, name: str, fields: dict[str, Any]) -> None:
        if not self.dry_run:
            open_conflict(self.profile, pair, link, name, fields, self.now())
        self.count("conflicts")

    def plan_entry(self, pair: str, action: str, direction: str, name: str, changes: dict[str, Any],
                   **extra: Any) -> None:
        self.plan.append({"pair": pair, "action": action, "direction": direction, "name": name,
                          "changes": changes, **extra})

    def due_failures(self, pair: str) -> list[FailedRecord]:
        """Failed records to try again now. Records waiting for a related record are retried when this run has
        linked new records (the one they wait for may be among them) or once a day — not on every cycle."""
        released = bool(self.counts["created"] or self.counts["linked"])
        return due_failures(self.profile, pair, self.now(), force=self.force_retry, release_waiting=released)
