"""Deciding what a pair sync does with the records it read: merge linked ones, match new ones, create what has
no counterpart. A mixin of :class:`~app.core.pairsync.PairSync`."""

from __future__ import annotations

from typing import Any

from app.core.matching import MatchKeys, match
from app.core.merge import merge, project, read_field
from app.core.plans import X2Z, Z2X, Planned, Review, Wait, transform_hint
from app.core.records import ARCHIVED, DELETED, SourceRecord, WriteOp
from app.core.transforms import SkipRecord
from app.core.values import canon
from app.store.models import Link


class Planner:
    remap: dict[str, tuple[str, str]] = {}  # Zoho field → (Xero field, winning side) of a changed mapping
    """The planning half of a pair sync (state lives on PairSync). It only decides: what it decides besides
    writes (orphans to remember, records that wait for another, look-alikes for review) is kept on the PairSync
    and saved by the applier's :meth:`_record_decisions` before any write."""

    def _process(self, xero_records: list[SourceRecord], zoho_pool: dict[str, SourceRecord], drain: bool) -> None:
        plans: list[Planned] = []
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
        self._record_decisions()
        if plans:
            self._apply(plans)

    def _plan_linked(self, link: Link, x: SourceRecord | None, z: SourceRecord | None) -> Planned | None:
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
        base_x, base_z, resolutions = link.xero_values, link.zoho_values, self.resolutions.get(str(link.id))
        if self.remap:  # fields whose mapping changed: compared afresh, the side the mapping names winning
            base_x = {k: v for k, v in base_x.items() if k not in {xf for xf, _ in self.remap.values()}}
            base_z = {k: v for k, v in base_z.items() if k not in self.remap}
            resolutions = {**{zf: side for zf, (_, side) in self.remap.items()}, **(resolutions or {})}
        try:
            result = merge(self.mapping, base_x, base_z, x_now, z_now, self.ctx.lookups,
                           xero_modified=x.modified if x else None, zoho_modified=z.modified if z else None,
                           resolutions=resolutions)
        except SkipRecord as exc:
            self._skip(name, str(exc), link.xero_id, link.zoho_id)
            return None
        plan = Planned(link, name, "update", x=x, z=z, merge=result, base_x=result.base_x, base_z=result.base_z)
        if result.errors:
            self._fail_plan(plan, X2Z if x is not None else Z2X, {"message": "; ".join(result.errors),
                            "hint": transform_hint(result.errors)})
            return None
        plan.is_archive = x is not None and self._archive_change(link, x)
        reason = self.spec.xero_locked(x_now) if result.to_xero and self.spec.xero_locked else None
        if reason:
            self._refuse_locked(plan, reason, x_now)
        if result.to_zoho and x is not None and self.spec.touched is not None:
            self.spec.touched(x)
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

    def _refuse_locked(self, plan: Planned, reason: str, x_now: dict[str, Any]) -> None:
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
        self._refusals.append((plan.link, plan.name, {key: plan.merge.changes_zoho.get(key) for key in fields}, error))
        plan.refused = True

    def _archive_change(self, link: Link, x: SourceRecord) -> bool:
        return x.status in self.spec.archive_statuses and link.state == "active"

    def _plan_unlinked(self, xs: list[SourceRecord], zs: list[SourceRecord], zoho_pool: dict[str, SourceRecord],
                       drain: bool) -> list[Planned]:
        plans: list[Planned] = []
        if self.spec.set_aside is not None and zs:  # neither matched nor created: they are another organisation's
            for z in [z for z in zs if self._foreign(z, False)]:
                zs.remove(z)
                zoho_pool.pop(z.id, None)
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

    def _plan_first_link(self, x: SourceRecord, z: SourceRecord, evidence: list[str]) -> Planned | None:
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
        plan = Planned(None, x.name or z.name, "link", x=x, z=z, merge=result, base_x=result.base_x,
                        base_z=result.base_z, evidence=evidence)
        if result.errors:
            self._fail_plan(plan, X2Z, {"message": "; ".join(result.errors), "hint": transform_hint(result.errors)})
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

    def _foreign(self, rec: SourceRecord, to_zoho: bool) -> bool:
        """A Zoho record of the organisation the user set aside (start fresh: synced with it, or made from one of
        its records): never poured into the one connected now."""
        if to_zoho or self.spec.set_aside is None:
            return False
        if getattr(self, "_set_aside", None) is None:
            self._set_aside = self.spec.set_aside()
        return rec.id in self._set_aside or bool(rec.xref and rec.xref in self._set_aside)

    def _plan_create(self, rec: SourceRecord, to_zoho: bool) -> Planned | None:
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
        plan = Planned(None, rec.name, "create", direction, x=rec if to_zoho else None, z=None if to_zoho else rec)
        if errors:
            self._fail_plan(plan, direction, {"message": "; ".join(errors), "hint": transform_hint(errors)})
            return None
        if to_zoho:
            if self.spec.zoho_xref_field:
                fields[self.spec.zoho_xref_field] = rec.id
            plan.zoho_op = WriteOp(rec.id, fields, None, rec.id, rec.name, current={})
            if self.spec.touched is not None:
                self.spec.touched(rec)
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
        self._waits.append(Wait(name, reason, xero_id, zoho_id))

    def _plan_recovered(self, x: SourceRecord, z: SourceRecord) -> Planned:
        """Link a Xero record that an interrupted run created from ``z``, writing nothing but the cross-reference
        (it was made from this very record, so there is nothing to merge)."""
        plan = Planned(None, z.name or x.name, "link", x=x, z=z,
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
                self._orphans_changed.append(existing)

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
        self._reviews.append(Review(xid, zid, xname, zname, score, evidence))
        self.review_x.add(xid)
        self.review_z.add(zid)
