"""Two-way sync of one pair of record kinds (contacts ⇄ accounts, items ⇄ products, invoices ⇄ invoices).

A run of a pair:
1. reads the Zoho side's changes since its cursor (all pages: changes are few after the first sync),
2. streams the Xero side's changes page by page; for each page it plans (merge linked records, match new ones,
   create what has no counterpart), applies the writes in batches, then commits links, history and the cursor's
   page together — so a run killed at any point resumes at the last committed page and creates nothing twice
   (creates upsert on the cross-reference field or are found again by it);
3. plans and applies what is left of the Zoho changes, then advances the Zoho cursor,
4. retries failed records whose backoff has passed, and handles Zoho deletions.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from app.core.applier import Applier
from app.core.planner import Planner
from app.core.plans import X2Z, Z2X, PairSpec, Planned, Review, Wait
from app.core.records import ReadPage, SourceRecord
from app.core.runctx import BrakeTripped, RunContext
from app.core.state import (
    LinkIndex,
    confirmed_unlinked,
    cursor,
    decided_conflicts,
    intents,
    open_conflict_links,
    open_failure_keys,
    parse_watermark,
    pending_match_ids,
    rejected_pairs,
)
from app.store.models import Link

log = logging.getLogger(__name__)


class PairSync(Planner, Applier):
    """One pair's sync: reading here, deciding in :class:`Planner`, carrying out in :class:`Applier`."""

    def __init__(self, ctx: RunContext, spec: PairSpec) -> None:
        self.ctx = ctx
        self.spec = spec
        self.mapping = spec.mapping
        self.pair = spec.pair
        self.links = LinkIndex(ctx.profile, self.pair)
        self.review_x, self.review_z = pending_match_ids(ctx.profile, self.pair)
        self.rejected = rejected_pairs(ctx.profile, self.pair)
        self.intents = set(intents(ctx.profile, self.pair, "xero")) if spec.intent_lookup else set()
        self._open_failures = open_failure_keys(ctx.profile, self.pair)
        self._open_conflicts = open_conflict_links(ctx.profile, self.pair)
        self._new_links: list[Link] = []
        self._new_orphans: list[Link] = []
        self._orphans_changed: list[Link] = []
        self._waits: list[Wait] = []
        self._reviews: list[Review] = []
        self._refusals: list[tuple[Link, str, dict[str, Any], dict[str, Any]]] = []
        self._dirty: list[Link] = []
        self._conflicts: list[tuple[Link, str, dict[str, Any]]] = []
        self._settled: list[Link] = []
        self._history: list[dict[str, Any]] = []

    # ===== entry points ======================================================================================
    def run(self) -> None:
        ctx = self.ctx
        if not ctx.dry_run:
            self.apply_decisions()
        zoho_pool: dict[str, SourceRecord] = {}
        zoho_deleted: list[str] = []
        zoho_cursor = cursor(ctx.profile, self.spec.zoho_stream)
        zoho_high = zoho_cursor.watermark
        if self.spec.reads_zoho():
            since = ctx.since or parse_watermark(zoho_cursor.watermark)
            reading = f"Reading Zoho CRM {self.spec.zoho.entity}…"
            ctx.progress(self.pair, reading, phase="reading_zoho")
            read = 0
            for page in self.spec.zoho.read(since, 1, ""):
                ctx.check_cancel()
                read += len(page.records)
                ctx.progress(self.pair, reading, read, page.total, phase="reading_zoho")
                if page.number == 1:
                    # Read in full from page 1: every change made before the service answered is in hand, so
                    # the next read starts there — not at the newest record, which would re-read our own writes
                    # of the seconds before it, or everything when the module was empty.
                    zoho_high = max(zoho_high, page.as_of)
                for record in page.records:
                    zoho_high = max(zoho_high, record.version)
                    if self.spec.zoho_filter and not self.spec.zoho_filter(record):
                        continue
                    zoho_pool[record.id] = record
                zoho_deleted.extend(page.deleted_ids)
        retry_x, retry_z = self._due_retries()
        if self.spec.refresh_xero is not None and self.spec.reads_xero() and not ctx.since:
            retry_x = list(dict.fromkeys(retry_x + self.spec.refresh_xero(ctx.dry_run)))
        if self.spec.reads_xero():
            reading, read = f"Reading Xero {self.spec.xero.entity}…", 0
            for page in self._xero_pages():
                ctx.check_cancel()
                read += len(page.records)
                ctx.progress(self.pair, reading, read, max(page.total, read), phase="reading_xero")
                self._process(page.records, zoho_pool, drain=False)
                self._commit_xero_page(page)
        if retry_x:
            self._process(self.spec.xero.fetch(retry_x), zoho_pool, drain=False)
        if retry_z:
            for record in self.spec.zoho.fetch(retry_z):
                zoho_pool.setdefault(record.id, record)
        self._process([], zoho_pool, drain=True)
        if zoho_deleted:
            self._apply_zoho_deletions(zoho_deleted)
        if not ctx.dry_run and not ctx.since and self.spec.reads_zoho():
            zoho_cursor.watermark = zoho_high
            zoho_cursor.updated_at = ctx.now()
            zoho_cursor.save()

    def run_targeted(self, xero_ids: list[str], zoho_ids: list[str],
                     resolutions: dict[str, dict[str, str]] | None = None, fetch_counterparts: bool = True) -> None:
        """Sync these records now (after a match is confirmed, a conflict resolved, a retry, or a payment).

        With ``fetch_counterparts`` the linked record on the other side is read too, so the merge sees both
        sides as they are now; without it the other side is taken as last synced (enough for a payment's
        balance fields, which only flow from Xero)."""
        self.resolutions = resolutions or {}
        xs = self.spec.xero.fetch(xero_ids) if xero_ids else []
        pool = {z.id: z for z in self.spec.zoho.fetch(zoho_ids)} if zoho_ids else {}
        if fetch_counterparts:
            wanted_z = [link.zoho_id for x in xs if (link := self.links.by_xero.get(x.id)) and link.zoho_id
                        and link.zoho_id not in pool]
            pool.update({z.id: z for z in self.spec.zoho.fetch(wanted_z)})
            have_x = {x.id for x in xs}
            wanted_x = [link.xero_id for z in pool.values() if (link := self.links.by_zoho.get(z.id))
                        and link.xero_id and link.xero_id not in have_x]
            xs.extend(self.spec.xero.fetch(wanted_x))
        self._process(xs, pool, drain=True)

    resolutions: dict[str, dict[str, str]] = {}

    def apply_decisions(self) -> None:
        """What a person decided that no run has carried out yet (the run that should have was cancelled or
        failed): confirmed matches are linked and settled conflicts written, before anything else."""
        confirmed = confirmed_unlinked(self.ctx.profile, self.pair)
        if confirmed:
            self.run_confirmed(confirmed)
        for conflict in decided_conflicts(self.ctx.profile, self.pair):
            link = conflict.link
            self.run_targeted([link.xero_id] if link.xero_id else [], [link.zoho_id] if link.zoho_id else [],
                              {str(link.id): conflict.resolution})
            conflict.status, conflict.resolved_at = "resolved", self.ctx.now()
            conflict.save()
        self.resolutions = {}

    def run_confirmed(self, pairs: list[tuple[str, str]]) -> None:
        """Link records a person confirmed as the same, then sync them as a first link."""
        xs = {x.id: x for x in self.spec.xero.fetch([x for x, _ in pairs])}
        zs = {z.id: z for z in self.spec.zoho.fetch([z for _, z in pairs])}
        plans = []
        for xid, zid in pairs:
            if xid in xs and zid in zs:
                plan = self._plan_first_link(xs[xid], zs[zid], ["confirmed by you"])
                if plan:
                    plans.append(plan)
        self._record_decisions()
        if plans:
            self._apply(plans)

    # ===== reading ===========================================================================================
    def _xero_pages(self) -> Iterator[ReadPage]:
        ctx = self.ctx
        stream = self.spec.xero_stream if not ctx.since else f"{self.spec.xero_stream}@{ctx.since.date()}"
        row = cursor(ctx.profile, stream)
        since = ctx.since or parse_watermark(row.watermark)
        start = max(1, row.page) if row.page else 1  # re-read the last committed page: nothing shifts past us
        ctx.progress(self.pair, f"Reading Xero {self.spec.xero.entity}…", phase="reading_xero")
        self._xero_cursor = row
        yield from self.spec.xero.read(since, start, "")

    def _commit_xero_page(self, page: ReadPage) -> None:
        if self.ctx.dry_run:
            return
        row = self._xero_cursor
        high = max([row.pending_watermark] + [r.version for r in page.records])
        if page.number == 1:
            # See run(): a read from page 1 sees every change made before Xero answered (a read resumed later
            # keeps this in the pending watermark; changes since then sort after it and are read too).
            high = max(high, page.as_of)
        if page.last:
            if high and not self.ctx.since:
                row.watermark = high
            row.pending_watermark, row.page = "", 0
        else:
            row.pending_watermark, row.page = high, page.number
        row.updated_at = self.ctx.now()
        row.save()

    def _due_retries(self) -> tuple[list[str], list[str]]:
        rows = self.ctx.due_failures(self.pair)
        xs = [r.source_id for r in rows if r.direction == X2Z]
        zs = [r.source_id for r in rows if r.direction == Z2X]
        return xs, zs


__all__ = ["BrakeTripped", "PairSpec", "PairSync", "Planned", "X2Z", "Z2X"]
