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
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from app.core.mapping import PairMapping
from app.core.matching import MatchKeys, match
from app.core.merge import MergeResult, merge, project, read_field
from app.core.records import ARCHIVED, DELETED, ReadPage, SidePort, SourceRecord, WriteOp, WriteResult
from app.core.runctx import BrakeTripped, RunContext
from app.core.state import (
    LinkIndex,
    confirmed_unlinked,
    cursor,
    decided_conflicts,
    history_row,
    insert_history,
    intents,
    open_conflict_links,
    open_failure_keys,
    parse_watermark,
    pending_match_ids,
    record_failure,
    record_history,
    rejected_pairs,
    resolve_failure,
)
from app.core.transforms import SkipRecord
from app.core.values import canon
from app.store.bulk import insert_instances, update_instances
from app.store.models import Conflict, Link, MatchCandidate, WriteIntent

log = logging.getLogger(__name__)

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

    @property
    def pair(self) -> str:
        return self.mapping.pair

    def reads_xero(self) -> bool:
        return self.mapping.direction in ("both", "xero_to_zoho")

    def reads_zoho(self) -> bool:
        return self.mapping.direction in ("both", "zoho_to_xero")


@dataclass
class _Planned:
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


class PairSync:
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

    # ===== planning ==========================================================================================
    def _process(self, xero_records: list[SourceRecord], zoho_pool: dict[str, SourceRecord], drain: bool) -> None:
        plans: list[_Planned] = []
        unlinked_x: list[SourceRecord] = []
        seen_x: set[str] = set()
        self.links.prefetch(xero_ids=[x.id for x in xero_records], zoho_ids=list(zoho_pool) if drain else ())
        for x in xero_records:
            if x.id in seen_x:
                continue
            seen_x.add(x.id)
            link = self.links.by_xero.get(x.id)
            if link is not None and link.zoho_id:
                plan = self._plan_linked(link, x, zoho_pool.pop(link.zoho_id, None))
                if plan:
                    plans.append(plan)
            elif x.id in self.review_x:
                self.ctx.count("waiting_for_review")
            else:
                unlinked_x.append(x)
        unlinked_z: list[SourceRecord] = []
        for z in list(zoho_pool.values()):
            link = self.links.by_zoho.get(z.id)
            if link is not None and link.xero_id:
                if drain:
                    zoho_pool.pop(z.id)
                    plan = self._plan_linked(link, None, z)
                    if plan:
                        plans.append(plan)
            elif z.id in self.review_z:
                if drain:
                    zoho_pool.pop(z.id)
                    self.ctx.count("waiting_for_review")
            else:
                unlinked_z.append(z)
        plans.extend(self._plan_unlinked(unlinked_x, unlinked_z, zoho_pool, drain))
        if self._new_orphans:  # saved before any write, in one statement
            with self.ctx.db.atomic():
                insert_instances(self._new_orphans)
            self._new_orphans = []
        if plans:
            self._apply(plans)

    def _plan_linked(self, link: Link, x: SourceRecord | None, z: SourceRecord | None) -> _Planned | None:
        if not self.spec.update_existing:
            return None
        x_now = x.fields if x is not None else link.xero_values
        z_now = z.fields if z is not None else link.zoho_values
        if z is not None and z.version and z.version == link.zoho_version and str(link.id) not in self.resolutions:
            # Not edited since we wrote it, yet a field now reads empty: the field's data went away underneath
            # (removed and re-created in the Zoho layout). That is no edit to copy into Xero.
            z_now = {**z_now, **{k: v for k, v in link.zoho_values.items()
                                 if canon(z_now.get(k)) is None and canon(v) is not None}}
        name = (x.name if x else "") or (z.name if z else "") or link.name
        try:
            result = merge(self.mapping, link.xero_values, link.zoho_values, x_now, z_now, self.ctx.lookups,
                           xero_modified=x.modified if x else None, zoho_modified=z.modified if z else None,
                           resolutions=self.resolutions.get(str(link.id)))
        except SkipRecord as exc:
            self._skip(name, str(exc), link.xero_id, link.zoho_id)
            return None
        plan = _Planned(link, name, "update", x=x, z=z, merge=result, base_x=result.base_x, base_z=result.base_z)
        if result.errors:
            self._fail_plan(plan, X2Z if x is not None else Z2X, {"message": "; ".join(result.errors),
                            "hint": _transform_hint(result.errors)})
            return None
        plan.is_archive = x is not None and self._archive_change(link, x)
        reason = self.spec.xero_locked(x_now) if result.to_xero and self.spec.xero_locked else None
        if reason:
            self._refuse_locked(plan, reason, x_now)
        if result.to_zoho:
            plan.zoho_op = WriteOp(str(link.id), result.to_zoho, target_id=link.zoho_id, source_id=link.xero_id,
                                   name=name, current=z_now)
        if result.to_xero:
            plan.xero_op = WriteOp(str(link.id), result.to_xero, target_id=link.xero_id, source_id=link.zoho_id,
                                   name=name, current=x_now)
        plan.direction = X2Z if plan.zoho_op and not plan.xero_op else (Z2X if plan.xero_op and not plan.zoho_op
                                                                       else "")
        if result.conflicts:
            plan.action = "conflict"
        elif plan.is_archive:
            plan.action = "archive"
        return plan

    def _refuse_locked(self, plan: _Planned, reason: str, x_now: dict[str, Any]) -> None:
        """A Zoho edit Xero will not take (a paid or voided invoice, one in a locked period): nothing is written and
        it is reported once. The edit is remembered as seen, so it is not tried again every cycle."""
        result = plan.merge
        assert result is not None and plan.link is not None
        fields = [link.zoho for link in self.mapping.fields if link.xero in result.to_xero and link.zoho]
        words = ", ".join(f.replace("_", " ") for f in fields)
        for key in result.to_xero:
            result.base_x[key] = read_field(x_now, key)
            result.changes_xero.pop(key, None)
        result.to_xero = {}
        error = {"message": f"Can't change {reason} in Xero: the change to {words} made in Zoho CRM was not sent.",
                 "hint": f"Make the change in Xero if it is needed (for {reason}, Xero may ask for a credit note), "
                         "then put it back in Zoho CRM or Ignore this.", "field": ", ".join(fields)}
        self.ctx.count("failed")
        if self.ctx.dry_run:
            self.ctx.plan_entry(self.pair, "fail", Z2X, plan.name, {"error": error["message"]})
            return
        record_failure(self.ctx.profile, self.ctx.run, self.pair, Z2X, plan.link.zoho_id or "", plan.name,
                       {key: plan.merge.changes_zoho.get(key) for key in fields}, error, self.ctx.now(), retry=False)
        self.ctx.history(self.pair, "fail", direction=Z2X, xero_id=plan.link.xero_id, zoho_id=plan.link.zoho_id,
                         name=plan.name, mapping_version=self.mapping.version, error=error)
        plan.refused = True

    def _archive_change(self, link: Link, x: SourceRecord) -> bool:
        return x.status in self.spec.archive_statuses and link.state == "active"

    def _plan_unlinked(self, xs: list[SourceRecord], zs: list[SourceRecord], zoho_pool: dict[str, SourceRecord],
                       drain: bool) -> list[_Planned]:
        plans: list[_Planned] = []
        if not xs and not (drain and zs):
            return plans
        x_by_id = {x.id: x for x in xs}
        z_by_id = {z.id: z for z in zs}
        # Orphans remembered from earlier runs are candidates too.
        orphan_z = self.links.orphans("zoho")
        orphan_x = self.links.orphans("xero")
        pairs, review, unmatched_x, unmatched_z = self._match(x_by_id, z_by_id, orphan_x, orphan_z, drain)
        for xid, zid, evidence in pairs:
            x = x_by_id.get(xid) or self._record_from_orphan(orphan_x.get(xid), "xero")
            z = z_by_id.get(zid) or self._record_from_orphan(orphan_z.get(zid), "zoho")
            zoho_pool.pop(zid, None)
            if x is None or z is None:
                continue
            plan = self._plan_first_link(x, z, evidence)
            if plan:
                plans.append(plan)
        for xid, zid, score, evidence in review:
            self._queue_review(xid, zid, score, evidence, x_by_id, z_by_id, orphan_x, orphan_z)
            zoho_pool.pop(zid, None)
        for xid in unmatched_x:
            x = x_by_id[xid]
            plan = self._plan_create(x, to_zoho=True)
            if plan:
                plans.append(plan)
        if drain:
            for zid in unmatched_z:
                z = z_by_id[zid]
                zoho_pool.pop(zid, None)
                plan = self._plan_create(z, to_zoho=False)
                if plan:
                    plans.append(plan)
        return plans

    def _match(self, x_by_id: dict[str, SourceRecord], z_by_id: dict[str, SourceRecord],
               orphan_x: dict[str, Link], orphan_z: dict[str, Link], drain: bool):
        keys = self.spec.keys
        if keys is None:  # cross-reference only
            def keys(rid: str, values: dict[str, Any], xref: str | None) -> MatchKeys:  # noqa: ARG001
                return MatchKeys(rid, xref=xref or "")
        xk = [keys(x.id, x.fields, x.xref) for x in x_by_id.values()]
        zk = [keys(z.id, z.fields, z.xref) for z in z_by_id.values()]
        zk += [keys(zid, link.zoho_values, link.xero_values.get("__xref")) for zid, link in orphan_z.items()
               if zid not in z_by_id]
        if drain:
            xk += [keys(xid, link.xero_values, link.zoho_values.get("__xref")) for xid, link in orphan_x.items()
                   if xid not in x_by_id]
        result = match(xk, zk)
        links = [(x, z, e) for x, z, e in result.links if (x, z) not in self.rejected]
        review = [r for r in result.review if (r[0], r[1]) not in self.rejected]
        rejected_x = {x for x, z, *_ in result.links + result.review if (x, z) in self.rejected}  # type: ignore
        rejected_z = {z for x, z, *_ in result.links + result.review if (x, z) in self.rejected}  # type: ignore
        unmatched_x = [i for i in result.unmatched_xero + list(rejected_x) if i in x_by_id]
        unmatched_z = [i for i in result.unmatched_zoho + list(rejected_z) if i in z_by_id]
        # A record still in review with another candidate is not created meanwhile.
        in_review = {r[0] for r in review} | {r[1] for r in review}
        unmatched_x = [i for i in dict.fromkeys(unmatched_x) if i not in in_review]
        unmatched_z = [i for i in dict.fromkeys(unmatched_z) if i not in in_review]
        return links, review, unmatched_x, unmatched_z

    def _record_from_orphan(self, link: Link | None, side: str) -> SourceRecord | None:
        if link is None:
            return None
        port = self.spec.xero if side == "xero" else self.spec.zoho
        rid = link.xero_id if side == "xero" else link.zoho_id
        found = port.fetch([rid]) if rid else []
        return found[0] if found else None

    def _plan_first_link(self, x: SourceRecord, z: SourceRecord, evidence: list[str]) -> _Planned | None:
        policy = self.mapping.options.get("first_link_policy", "xero_wins")
        if x.xref == z.id:
            # The Xero record was made from this Zoho record by a run that died before linking them: whichever
            # side was edited since then is the one to keep (Zoho, the origin, on a tie).
            policy = "newest_zoho_on_tie"
        try:
            result = merge(self.mapping, None, None, x.fields, z.fields, self.ctx.lookups,
                           xero_modified=x.modified, zoho_modified=z.modified, policy=policy)
        except SkipRecord as exc:
            self._skip(x.name or z.name, str(exc), x.id, z.id)
            return None
        plan = _Planned(None, x.name or z.name, "link", x=x, z=z, merge=result, base_x=result.base_x,
                        base_z=result.base_z, evidence=evidence)
        if result.errors:
            self._fail_plan(plan, X2Z, {"message": "; ".join(result.errors), "hint": _transform_hint(result.errors)})
            return None
        to_zoho = dict(result.to_zoho)
        if self.spec.zoho_xref_field and canon(z.fields.get(self.spec.zoho_xref_field)) != x.id:
            to_zoho[self.spec.zoho_xref_field] = x.id
        if to_zoho:
            plan.zoho_op = WriteOp(x.id, to_zoho, target_id=z.id, source_id=x.id, name=plan.name, current=z.fields)
        if result.to_xero:
            plan.xero_op = WriteOp(x.id, result.to_xero, target_id=x.id, source_id=z.id, name=plan.name,
                                   current=x.fields)
        if result.conflicts:
            plan.action = "conflict"
        return plan

    def _plan_create(self, rec: SourceRecord, to_zoho: bool) -> _Planned | None:
        allowed = (self.spec.create_in_zoho and self.spec.reads_xero()) if to_zoho else \
            (self.spec.create_in_xero and self.spec.reads_zoho())
        if not allowed or rec.status in (ARCHIVED, DELETED, "voided"):
            self._remember_orphan(rec, "xero" if to_zoho else "zoho")
            return None
        try:
            fields, base_src, base_dst, errors = project(self.mapping, rec.fields, to_zoho, self.ctx.lookups)
        except SkipRecord as exc:
            self._skip(rec.name, str(exc), rec.id if to_zoho else None, None if to_zoho else rec.id)
            return None
        direction = X2Z if to_zoho else Z2X
        plan = _Planned(None, rec.name, "create", direction, x=rec if to_zoho else None, z=None if to_zoho else rec)
        if errors:
            self._fail_plan(plan, direction, {"message": "; ".join(errors), "hint": _transform_hint(errors)})
            return None
        if to_zoho:
            if self.spec.zoho_xref_field:
                fields[self.spec.zoho_xref_field] = rec.id
            plan.zoho_op = WriteOp(rec.id, fields, None, rec.id, rec.name, current={})
            plan.base_x, plan.base_z = base_src, base_dst
        else:
            if self.spec.intent_lookup and rec.id in self.intents:
                found = self.spec.xero.find_by_xref(rec.id)
                if found is not None:  # created by a run that died before it could record the link
                    return self._plan_recovered(found, rec)
            if self.spec.xero_xref_field:
                fields[self.spec.xero_xref_field] = rec.id
            plan.xero_op = WriteOp(rec.id, fields, None, rec.id, rec.name, current={})
            plan.base_z, plan.base_x = base_src, base_dst
        return plan

    def _skip(self, name: str, reason: str, xero_id: str | None, zoho_id: str | None) -> None:
        """Not synced for now because of another record (its customer is archived or awaits review). It waits in
        the failed-records table as "waiting" and is tried again later, so nothing is forgotten."""
        self.ctx.count("skipped")
        if self.ctx.dry_run:
            self.ctx.plan_entry(self.pair, "skip", "", name, {"reason": reason})
            return
        self.ctx.history(self.pair, "skip", xero_id=xero_id, zoho_id=zoho_id, name=name,
                         mapping_version=self.mapping.version, error={"reason": f"Not synced: {reason}."})
        direction, source = (X2Z, xero_id) if xero_id else (Z2X, zoho_id)
        if source:
            record_failure(self.ctx.profile, self.ctx.run, self.pair, direction, source, name, None,
                           {"message": f"Waiting: {reason}.", "hint": f"Waits until {reason.split(' ', 1)[0]} "
                            f"related record is synced ({reason}).", "transient": True}, self.ctx.now(), waiting=True)

    def _plan_recovered(self, x: SourceRecord, z: SourceRecord) -> _Planned:
        """Link a Xero record that an interrupted run created from ``z``, writing nothing but the cross-reference
        (it was made from this very record, so there is nothing to merge)."""
        plan = _Planned(None, z.name or x.name, "link", x=x, z=z,
                        evidence=["created by an earlier, interrupted sync"])
        for link in self.mapping.fields:
            if link.xero:
                plan.base_x[link.xero] = read_field(x.fields, link.xero)
            if link.zoho:
                plan.base_z[link.zoho] = z.fields.get(link.zoho)
        if self.spec.zoho_xref_field and canon(z.fields.get(self.spec.zoho_xref_field)) != x.id:
            plan.zoho_op = WriteOp(z.id, {self.spec.zoho_xref_field: x.id}, target_id=z.id, source_id=x.id,
                                   name=plan.name, current=z.fields)
        return plan

    def _remember_orphan(self, rec: SourceRecord, side: str) -> None:
        if self.ctx.dry_run:
            if side == "xero":
                self.ctx.lookups.orphans.add((self.pair, rec.id))
            return
        existing = (self.links.by_xero if side == "xero" else self.links.by_zoho).get(rec.id)
        # An orphan's values only serve matching; a pair that links by cross-reference alone needs none of them
        # (an archived or voided invoice's lines would otherwise be held for the whole run).
        values = dict(rec.fields) if self.spec.keys is not None else {}
        if rec.xref:
            values["__xref"] = rec.xref
        if existing is None:
            link = Link(profile=self.ctx.profile, pair=self.pair, name=rec.name[:250],
                        xero_id=rec.id if side == "xero" else None, zoho_id=rec.id if side == "zoho" else None,
                        xero_values=values if side == "xero" else {},
                        zoho_values=values if side == "zoho" else {}, state="orphan",
                        created_at=self.ctx.now(), synced_at=self.ctx.now())
            self.links.add(link)
            self._new_orphans.append(link)
        else:
            if side == "xero":
                existing.xero_values = values
            else:
                existing.zoho_values = values
            existing.name = rec.name[:250]
            if existing.id is not None:  # else it is still waiting in _new_orphans
                existing.save()

    def _queue_review(self, xid: str, zid: str, score: float, evidence: list[str],
                      x_by_id: dict[str, SourceRecord], z_by_id: dict[str, SourceRecord],
                      orphan_x: dict[str, Link], orphan_z: dict[str, Link]) -> None:
        if (xid, zid) not in self.ctx.queued:
            self.ctx.queued.add((xid, zid))
            self.ctx.count("queued_for_review")
        if self.ctx.dry_run:
            self.ctx.lookups.in_review.add((self.pair, xid))
            self.ctx.plan_entry(self.pair, "review", "", (x_by_id.get(xid) or z_by_id.get(zid) or
                                                          SourceRecord(xid, {})).name, {"evidence": evidence})
            return
        x = x_by_id.get(xid)
        z = z_by_id.get(zid)
        self.ctx.lookups.in_review.add((self.pair, xid))
        for rec, side in ((x, "xero"), (z, "zoho")):
            if rec is not None:
                self._remember_orphan(rec, side)
        xname = x.name if x else (orphan_x[xid].name if xid in orphan_x else "")
        zname = z.name if z else (orphan_z[zid].name if zid in orphan_z else "")
        if MatchCandidate.get_or_none(MatchCandidate.profile == self.ctx.profile, MatchCandidate.pair == self.pair,
                                      MatchCandidate.xero_id == xid, MatchCandidate.zoho_id == zid) is None:
            MatchCandidate.create(profile=self.ctx.profile, pair=self.pair, xero_id=xid, zoho_id=zid,
                                  xero_name=xname[:250], zoho_name=zname[:250], score=score, evidence=evidence,
                                  status="pending", created_at=self.ctx.now())
        self.review_x.add(xid)
        self.review_z.add(zid)

    # ===== applying ==========================================================================================
    def _apply(self, plans: list[_Planned]) -> None:
        ctx = self.ctx
        archives = sum(1 for p in plans if p.is_archive and (p.zoho_op or p.xero_op))
        if archives:
            ctx.brake.add(self.pair, archives, self.links.linked_count())
        clears = sum(1 for p in plans if _clears(p.xero_op) or _clears(p.zoho_op))
        if clears:  # a field removed and re-created empty in Zoho must not empty it in Xero for everyone
            ctx.brake.add(self.pair, clears, self.links.linked_count(), what="clear")
        if ctx.dry_run:
            first = len(ctx.plan)
            for p in plans:
                self._dry_plan_entry(p)
            for entry in ctx.plan[first:]:  # written together by a real run: the estimate counts calls per batch
                entry["batch"] = first
            if ctx.plan[first:] and self.spec.persons_port is not None and self.spec.persons_of is not None:
                ctx.plan[-1]["people"] = sum(len(people) for _, people, _ in self._persons_due(plans, "(new)"))
            return
        # Xero writes first: ids of records created in Xero are then written back to Zoho in the same pass.
        x_creates = [p for p in plans if p.xero_op and p.xero_op.is_create]
        x_updates = [p for p in plans if p.xero_op and not p.xero_op.is_create]
        if self.spec.intent_lookup and x_creates:
            with ctx.db.atomic():  # recorded before the call: a crash after it finds the record again
                for p in x_creates:
                    WriteIntent.insert(profile=ctx.profile, pair=self.pair, target="xero", source_id=p.xero_op.key,
                                       idempotency_key="", created_at=ctx.now()).on_conflict_ignore().execute()
                    self.intents.add(p.xero_op.key)
        self._write(self.spec.xero, x_creates, "xero")
        self._write(self.spec.xero, x_updates, "xero")
        for p in x_creates:
            result = p.results.get("xero")
            if not (result and result.ok and p.z is not None):
                continue
            follow_up: dict[str, Any] = {}
            if result.written is not None:  # Xero's own fields of the new record (status, balances) flow back now
                m = merge(self.mapping, p.base_x, p.base_z, result.written.fields, p.z.fields, ctx.lookups)
                follow_up.update(m.to_zoho)
                p.base_x, p.base_z = {**p.base_x, **m.base_x}, {**p.base_z, **m.base_z}
            if self.spec.zoho_xref_field:
                follow_up[self.spec.zoho_xref_field] = result.target_id
            if follow_up:
                p.zoho_op = WriteOp(p.z.id, follow_up, target_id=p.z.id, source_id=result.target_id, name=p.name,
                                    current=p.z.fields)
        z_writes = [p for p in plans if p.zoho_op and not _failed(p)]
        self._write(self.spec.zoho, z_writes, "zoho")
        if self.spec.persons_port is not None and self.spec.persons_of is not None:
            self._write_persons(plans)
        with ctx.db.atomic():
            for p in plans:
                self._commit_plan(p)
            self._flush()
        self.links.unload()

    def _flush(self) -> None:
        """Write the links and history of one batch in a few statements (a statement per record is the slow
        part of a large first sync)."""
        ctx = self.ctx
        if self._new_links:
            insert_instances(self._new_links)
        if self._dirty:
            update_instances(list({id(link): link for link in self._dirty}.values()), _LINK_FIELDS)
        for link, name, fields in self._conflicts:
            ctx.conflict(self.pair, link, name, fields)
        settled = [link.id for link in self._settled if link.id in self._open_conflicts]
        if settled:
            Conflict.update(status="resolved", resolved_at=ctx.now()).where(
                Conflict.link.in_(settled), Conflict.status == "open").execute()
        if self._history:
            insert_history(self._history)
        self._new_links, self._dirty, self._conflicts, self._settled, self._history = [], [], [], [], []

    def _write_persons(self, plans: list[_Planned]) -> None:
        """The people of each Xero contact become Zoho Contacts under its account (upserted by email), whenever
        the list of people changed since the last sync. A person without an email is left out (no safe key)."""
        ops: list[WriteOp] = []
        owners: dict[str, _Planned] = {}
        signatures: dict[int, Any] = {}
        for p, people, signature in self._persons_due(plans):
            signatures[id(p)] = signature
            for n, person in enumerate(people):
                key = f"{p.x.id}#{n}"
                owners[key] = p
                ops.append(WriteOp(key, person, None, p.x.id, p.name, current={}))
        if not ops:
            for p in plans:
                if id(p) in signatures:
                    p.base_x["__persons"] = signatures[id(p)]
            return
        results = self.spec.persons_port.write(ops)  # type: ignore[union-attr]
        failed = {r.key for r in results if not r.ok}
        for r in results:
            if not r.ok:
                p = owners[r.key]
                self.ctx.history(self.pair, "fail", direction=X2Z, xero_id=p.x.id if p.x else None,
                                 name=f"{p.name} (contact person)", error=r.error)
        for p in plans:
            if id(p) in signatures and not any(owners[k] is p for k in failed):
                p.base_x["__persons"] = signatures[id(p)]
                self.ctx.count("people_synced")

    def _persons_due(self, plans: list[_Planned], new_account: str | None = None) -> Iterator[
            tuple[_Planned, list[dict[str, Any]], Any]]:
        """The plans whose people changed since the last sync, with the people and their signature. An account
        being created has no id yet: ``new_account`` stands in for it when a dry run counts."""
        for p in plans:
            if p.x is None or _failed(p):
                continue
            account = (p.link.zoho_id if p.link else None) or (p.z.id if p.z else None) or \
                (p.results["zoho"].target_id if "zoho" in p.results else None) or \
                (new_account if p.zoho_op is not None and p.zoho_op.is_create else None)
            if not account:
                continue
            people = self.spec.persons_of(p.x, account)  # type: ignore[misc]
            signature = canon(people)
            if signature != (p.link.xero_values.get("__persons") if p.link else None):
                yield p, people, signature

    def _write(self, port: SidePort, plans: list[_Planned], side: str) -> None:
        if not plans:
            return
        ops = [p.xero_op if side == "xero" else p.zoho_op for p in plans]
        entity = self.spec.xero.entity if side == "xero" else self.spec.zoho.entity
        step = f"Writing {'Xero' if side == 'xero' else 'Zoho CRM'} {entity}…"
        self.ctx.progress(self.pair, step, 0, len(ops), phase=f"writing_{side}")
        results = port.write([op for op in ops if op is not None])
        self.ctx.progress(self.pair, step, len(ops), len(ops), phase=f"writing_{side}")
        by_key = {r.key: r for r in results}
        for plan, op in zip(plans, ops, strict=True):
            assert op is not None
            plan.results[side] = by_key.get(op.key) or WriteResult(op.key, False, error={
                "message": "no answer for this record", "transient": True})

    def _commit_plan(self, p: _Planned) -> None:
        ctx = self.ctx
        failures = [(side, r) for side, r in p.results.items() if not r.ok]
        if failures:
            side, result = failures[0]
            direction = X2Z if side == "zoho" else Z2X
            error = dict(result.error or {})
            self._fail_plan(p, direction, error)
            return
        link = p.link
        x_id = p.x.id if p.x else (p.results["xero"].target_id if "xero" in p.results else None)
        z_id = p.z.id if p.z else (p.results["zoho"].target_id if "zoho" in p.results else None)
        if link is None:  # a new link; orphan rows remembered for either record merge into it
            lx, lz = self.links.by_xero.get(x_id or ""), self.links.by_zoho.get(z_id or "")
            link = lx or lz
            for other in (lx, lz):
                if other is not None:
                    self.links.drop(other)
                    if other is not link:
                        other.delete_instance()
            if link is not None:
                link.xero_id, link.zoho_id = x_id or link.xero_id, z_id or link.zoho_id
            else:
                link = Link(profile=ctx.profile, pair=self.pair, xero_id=x_id, zoho_id=z_id, created_at=ctx.now())
        if link.xero_id is None or link.zoho_id is None:
            link.xero_id, link.zoho_id = link.xero_id or x_id, link.zoho_id or z_id
        link.name = (p.name or link.name)[:250]
        context = {}
        source_x = p.x or (xr.written if (xr := p.results.get("xero")) and xr.written is not None else None)
        if self.spec.xero_context and source_x is not None:
            context = {k: v for k, v in source_x.fields.items() if k.startswith(self.spec.xero_context)}
        link.xero_values = {**(link.xero_values if link.state != "orphan" else {}), **context, **p.base_x}
        link.zoho_values = {**(link.zoho_values if link.state != "orphan" else {}), **p.base_z}
        xr, zr = p.results.get("xero"), p.results.get("zoho")
        link.xero_version = (xr.version if xr and xr.version else (p.x.version if p.x else link.xero_version))
        link.zoho_version = (zr.version if zr and zr.version else (p.z.version if p.z else link.zoho_version))
        if p.x is not None and p.x.status in self.spec.archive_statuses:
            link.state = "archived"
        elif link.state in ("orphan", "archived") and (p.x is None or p.x.status not in self.spec.archive_statuses):
            link.state = "active"
        link.mapping_version = self.mapping.version
        link.synced_at = ctx.now()
        (self._new_links if link.id is None else self._dirty).append(link)
        self.links.add(link)
        if p.merge and p.merge.conflicts:
            self._conflicts.append((link, p.name, p.merge.conflicts))
        elif p.merge is not None:
            self._settled.append(link)
        changes: dict[str, Any] = {}
        if p.merge:
            changes.update({f"zoho.{k}": v for k, v in p.merge.changes_zoho.items()})
            changes.update({f"xero.{k}": v for k, v in p.merge.changes_xero.items()})
        elif p.zoho_op:
            changes.update({f"zoho.{k}": [None, v] for k, v in p.zoho_op.fields.items()})
        elif p.xero_op:
            changes.update({f"xero.{k}": [None, v] for k, v in p.xero_op.fields.items()})
        wrote = bool(p.zoho_op or p.xero_op)
        action = p.action if (wrote or p.action in ("link", "conflict")) else "skip"
        if action == "skip":
            ctx.count("unchanged")
            if not p.refused:  # both sides agree now: a failure kept for this record has nothing left to do
                self._resolve_failures(p)
            return
        direction = p.direction or (X2Z if p.zoho_op and not p.xero_op else Z2X if p.xero_op and not p.zoho_op
                                    else "both" if wrote else "")
        self._history.append(history_row(ctx.run, self.pair, action, direction=direction, xero_id=link.xero_id,
                                         zoho_id=link.zoho_id, name=p.name, changes=changes,
                                         mapping_version=self.mapping.version,
                                         error={"evidence": p.evidence} if p.evidence else None, at=ctx.now()))
        ctx.count(_DONE.get(action, action))
        self._resolve_failures(p)
        if self.spec.intent_lookup and p.z is not None and p.z.id in self.intents:
            self.intents.discard(p.z.id)
            WriteIntent.delete().where(WriteIntent.profile == ctx.profile, WriteIntent.pair == self.pair,
                                       WriteIntent.source_id == p.z.id).execute()

    def _resolve_failures(self, p: _Planned) -> None:
        for direction_done, source in ((X2Z, p.x), (Z2X, p.z)):
            if source is not None and (direction_done, source.id) in self._open_failures:
                resolve_failure(self.ctx.profile, self.pair, direction_done, source.id)
                self._open_failures.discard((direction_done, source.id))

    def _fail_plan(self, p: _Planned, direction: str, error: dict[str, Any]) -> None:
        ctx = self.ctx
        source = p.x if direction == X2Z else p.z
        if source is None:
            source = p.x or p.z
        source_id = source.id if source else (p.link.xero_id if p.link and direction == X2Z else
                                              p.link.zoho_id if p.link else "") or ""
        ctx.count("failed")
        if ctx.dry_run:
            ctx.plan_entry(self.pair, "fail", direction, p.name, {"error": error.get("message")})
            return
        payload = (p.zoho_op.fields if p.zoho_op else None) if direction == X2Z else \
            (p.xero_op.fields if p.xero_op else None)
        record_failure(ctx.profile, ctx.run, self.pair, direction, source_id, p.name, payload, error, ctx.now())
        record_history(ctx.run, self.pair, "fail", direction=direction,
                       xero_id=p.x.id if p.x else (p.link.xero_id if p.link else None),
                       zoho_id=p.z.id if p.z else (p.link.zoho_id if p.link else None), name=p.name,
                       mapping_version=self.mapping.version, error=error, at=ctx.now())

    def _dry_plan_entry(self, p: _Planned) -> None:
        changes: dict[str, Any] = {}
        if p.merge:
            changes.update({f"zoho.{k}": v for k, v in p.merge.changes_zoho.items()})
            changes.update({f"xero.{k}": v for k, v in p.merge.changes_xero.items()})
            if p.merge.conflicts:
                changes["conflicts"] = p.merge.conflicts
        elif p.zoho_op:
            changes = {f"zoho.{k}": [None, v] for k, v in p.zoho_op.fields.items()}
        elif p.xero_op:
            changes = {f"xero.{k}": [None, v] for k, v in p.xero_op.fields.items()}
        if not (p.zoho_op or p.xero_op or p.action in ("link", "conflict")):
            self.ctx.count("unchanged")
            return
        self.ctx.count(p.action)
        self.ctx.lookups.plan(self.pair, p.x.id if p.x else None, p.z.id if p.z else None,
                              str(p.x.fields.get("Code")) if p.x and p.x.fields.get("Code") else
                              (str(p.z.fields.get("Product_Code")) if p.z and p.z.fields.get("Product_Code") else None))
        self.ctx.plan_entry(self.pair, p.action, p.direction, p.name, changes,
                            xero_write=p.xero_op is not None, zoho_write=p.zoho_op is not None,
                            create=(p.xero_op or p.zoho_op).is_create if (p.xero_op or p.zoho_op) else False)

    # ===== deletions =========================================================================================
    def _apply_zoho_deletions(self, deleted_ids: list[str]) -> None:
        ctx = self.ctx
        self.links.prefetch(zoho_ids=deleted_ids)
        affected = [self.links.by_zoho[i] for i in deleted_ids if i in self.links.by_zoho and
                    self.links.by_zoho[i].state != "deleted"]
        if not affected:
            return
        archive = bool(ctx.setting("deletes.archive_xero_on_zoho_delete")) and self.pair == "contacts"
        linked = [link for link in affected if link.xero_id]
        if archive and linked:
            ctx.brake.add(self.pair, len(linked), self.links.linked_count())
        if ctx.dry_run:
            for link in affected:
                ctx.plan_entry(self.pair, "archive" if archive and link.xero_id else "delete", Z2X, link.name,
                               {})
            return
        results: dict[str, WriteResult] = {}
        if archive and linked:
            results = {r.key: r for r in self.spec.xero.archive([link.xero_id for link in linked])}
        with ctx.db.atomic():
            for link in affected:
                result = results.get(link.xero_id or "")
                if result is not None and not result.ok:
                    record_failure(ctx.profile, ctx.run, self.pair, Z2X, link.zoho_id, link.name, None,
                                   result.error or {}, ctx.now())
                    continue
                link.state = "deleted"
                link.save()
                action = "archive" if result is not None else "delete"
                ctx.history(self.pair, action, direction=Z2X, xero_id=link.xero_id, zoho_id=link.zoho_id,
                            name=link.name, changes={"zoho.deleted": [False, True]},
                            mapping_version=self.mapping.version)
                ctx.count(f"{action}d")


_LINK_FIELDS = [Link.name, Link.xero_id, Link.zoho_id, Link.xero_values, Link.zoho_values, Link.xero_version,
                Link.zoho_version, Link.state, Link.mapping_version, Link.synced_at]


_DONE = {"update": "updated", "create": "created", "link": "linked", "conflict": "updated", "archive": "archived"}


def _clears(op: WriteOp | None) -> bool:
    """An update that empties a field that has a value now."""
    if op is None or op.is_create or not op.current:
        return False
    return any(canon(v) is None and canon(op.current.get(k)) is not None for k, v in op.fields.items())


def _failed(p: _Planned) -> bool:
    return any(not r.ok for r in p.results.values())


def _transform_hint(errors: list[str]) -> str:
    text = "; ".join(errors)
    if "not synced yet" in text:
        return ("A related record (customer or product) has not synced yet. It usually syncs on the next cycle; "
                "if it keeps failing, check that related record in Failed records.")
    if "no value is mapped" in text:
        return f"{text}. Add the value to the value map in Field mapping, then click Retry."
    return f"{text}. Fix the value or the mapping, then click Retry."


__all__ = ["BrakeTripped", "PairSpec", "PairSync", "X2Z", "Z2X", "datetime"]
