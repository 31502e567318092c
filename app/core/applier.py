"""Carrying out a pair sync's plans: writes in batches (Xero first), then links, history, failures and
conflicts committed together; Zoho deletions. A mixin of :class:`~app.core.pairsync.PairSync`."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from app.core.merge import merge
from app.core.plans import DONE_COUNTS, LINK_FIELDS, X2Z, Z2X, Planned, empties_a_field, has_failed
from app.core.records import SidePort, SourceRecord, WriteOp, WriteResult
from app.core.state import (
    history_row,
    insert_history,
    record_failure,
    record_history,
    resolve_failure,
)
from app.core.values import canon
from app.store.bulk import insert_instances, update_instances
from app.store.models import Conflict, Link, MatchCandidate, WriteIntent

log = logging.getLogger(__name__)


class Applier:
    """The applying half of a pair sync (state lives on PairSync)."""

    def _record_decisions(self) -> None:
        """Save what planning decided besides writes, in one transaction before any write: orphans remembered
        for later matching, records waiting for another (history and the failed-records table), look-alikes
        for a person to review, and edits Xero refuses. A run killed after this point finds them all on resume."""
        ctx = self.ctx
        if not (self._new_orphans or self._orphans_changed or self._waits or self._reviews or self._refusals):
            return
        with ctx.db.atomic():
            if self._new_orphans:
                insert_instances(self._new_orphans)
            for link in self._orphans_changed:
                link.save()
            for link, name, payload, error in self._refusals:  # an edit Xero does not take, reported once
                record_failure(ctx.profile, ctx.run, self.pair, Z2X, link.zoho_id or "", name, payload, error,
                               ctx.now(), retry=False)
                ctx.history(self.pair, "fail", direction=Z2X, xero_id=link.xero_id, zoho_id=link.zoho_id, name=name,
                            mapping_version=self.mapping.version, error=error)
            for w in self._waits:
                ctx.history(self.pair, "skip", xero_id=w.xero_id, zoho_id=w.zoho_id, name=w.name,
                            mapping_version=self.mapping.version, error={"reason": f"Not synced: {w.reason}."})
                direction, source = (X2Z, w.xero_id) if w.xero_id else (Z2X, w.zoho_id)
                if source:
                    record_failure(ctx.profile, ctx.run, self.pair, direction, source, w.name, None,
                                   {"message": f"Waiting: {w.reason}.",
                                    "hint": f"Waits until {w.reason.split(' ', 1)[0]} related record is synced "
                                            f"({w.reason}).", "transient": True}, ctx.now(), waiting=True)
            for r in self._reviews:
                if MatchCandidate.get_or_none(MatchCandidate.profile == ctx.profile, MatchCandidate.pair == self.pair,
                                              MatchCandidate.xero_id == r.xero_id,
                                              MatchCandidate.zoho_id == r.zoho_id) is None:
                    MatchCandidate.create(profile=ctx.profile, pair=self.pair, xero_id=r.xero_id, zoho_id=r.zoho_id,
                                          xero_name=r.xero_name[:250], zoho_name=r.zoho_name[:250], score=r.score,
                                          evidence=r.evidence, status="pending", created_at=ctx.now())
        self._new_orphans, self._orphans_changed, self._waits, self._reviews, self._refusals = [], [], [], [], []

    def _apply(self, plans: list[Planned]) -> None:
        ctx = self.ctx
        self._record_decisions()
        archives = sum(1 for p in plans if p.is_archive and (p.zoho_op or p.xero_op))
        if archives:
            ctx.brake.add(self.pair, archives, self.links.linked_count())
        clears = sum(1 for p in plans if empties_a_field(p.xero_op) or empties_a_field(p.zoho_op))
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
        z_writes = [p for p in plans if p.zoho_op and not has_failed(p)]
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
            update_instances(list({id(link): link for link in self._dirty}.values()), LINK_FIELDS)
        for link, name, fields in self._conflicts:
            ctx.conflict(self.pair, link, name, fields)
        settled = [link.id for link in self._settled if link.id in self._open_conflicts]
        if settled:
            Conflict.update(status="resolved", resolved_at=ctx.now()).where(
                Conflict.link.in_(settled), Conflict.status == "open").execute()
        if self._history:
            insert_history(self._history)
        self._new_links, self._dirty, self._conflicts, self._settled, self._history = [], [], [], [], []

    def _write_persons(self, plans: list[Planned]) -> None:
        """The people of each Xero contact become Zoho Contacts under its account (upserted by email), whenever
        the list of people changed since the last sync. A person without an email is left out (no safe key)."""
        ops: list[WriteOp] = []
        owners: dict[str, Planned] = {}
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

    def _persons_due(self, plans: list[Planned], new_account: str | None = None) -> Iterator[
            tuple[Planned, list[dict[str, Any]], Any]]:
        """The plans whose people changed since the last sync, with the people and their signature. An account
        being created has no id yet: ``new_account`` stands in for it when a dry run counts."""
        for p in plans:
            if p.x is None or has_failed(p):
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

    def _write(self, port: SidePort, plans: list[Planned], side: str) -> None:
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

    def _commit_plan(self, p: Planned) -> None:
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
        source_x = p.x or (xr.written if (xr := p.results.get("xero")) and xr.written is not None else None)
        # The base of each mapped field is the merge's; the Xero values kept beside them (a customer's payment
        # terms and branding theme for deal invoices, phone country codes, address parts) are simply the newest
        # read, even when nothing mapped changed and nothing is written.
        link.xero_values = {**(link.xero_values if link.state != "orphan" else {}), **p.base_x,
                            **self._context_of(source_x)}
        link.zoho_values = {**(link.zoho_values if link.state != "orphan" else {}), **p.base_z}
        xr, zr = p.results.get("xero"), p.results.get("zoho")
        link.xero_version = (xr.version if xr and xr.version else (p.x.version if p.x else link.xero_version))
        link.zoho_version = (zr.version if zr and zr.version else (p.z.version if p.z else link.zoho_version))
        if p.x is not None and p.x.status in self.spec.archive_statuses:
            link.state = "archived"
        elif (link.state == "orphan" and (p.x is None or p.x.status not in self.spec.archive_statuses)) or (
                link.state == "archived" and p.x is not None):  # archived stays so until Xero is read unarchived
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
        if wrote or action != "conflict":  # a conflict that wrote nothing is counted as a conflict only
            ctx.count(DONE_COUNTS.get(action, action))
        self._resolve_failures(p)
        if self.spec.intent_lookup and p.z is not None and p.z.id in self.intents:
            self.intents.discard(p.z.id)
            WriteIntent.delete().where(WriteIntent.profile == ctx.profile, WriteIntent.pair == self.pair,
                                       WriteIntent.source_id == p.z.id).execute()

    def _context_of(self, record: SourceRecord | None) -> dict[str, Any]:
        """The read record's values under the spec's ``xero_context`` prefixes that no mapped field owns."""
        if not self.spec.xero_context or record is None:
            return {}
        mapped = set(self.mapping.xero_fields())
        return {k: v for k, v in record.fields.items() if k.startswith(self.spec.xero_context) and k not in mapped}

    def _resolve_failures(self, p: Planned) -> None:
        for direction_done, source in ((X2Z, p.x), (Z2X, p.z)):
            if source is not None and (direction_done, source.id) in self._open_failures:
                resolve_failure(self.ctx.profile, self.pair, direction_done, source.id)
                self._open_failures.discard((direction_done, source.id))

    def _fail_plan(self, p: Planned, direction: str, error: dict[str, Any]) -> None:
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

    def _dry_plan_entry(self, p: Planned) -> None:
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
