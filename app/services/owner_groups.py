"""Each Zoho account's owner kept as a Xero contact group ("Owner: Tom Baker"), so people in Xero can filter their
contacts by salesperson: the contacts pair's option ``owner_groups`` (off unless turned on).

Nothing is read for it in a sync with nothing to do. The owners come with the accounts the sync reads anyway (their
``Owner`` is read beside the mapped fields); a linked contact is placed when it is new to this (its account is then
read by id, 100 a call) or when its account was read with another owner than the one last applied, which is kept
in the store for each Xero organisation. Xero's groups are read at most once a day; a missing group is created,
the contacts going into one group are added in one call, and a contact that moves is taken out of its old owner
group. Groups without the prefix are the business's own and never touched. A refusal or a limit is logged and
tried again at the first sync an hour later (or sooner, with the next owner change), so a contact Xero keeps
refusing costs a call an hour, not one a sync; the sync itself goes on.
"""

from __future__ import annotations

import logging
from typing import Any

from app.core.mapping import PairMapping
from app.errors import AppError, AuthRequired, NotFound, RateLimited, RecordRejected
from app.integrations.xero.client import XeroClient
from app.integrations.zoho.client import ZohoClient
from app.integrations.zoho.models import ZohoRecord
from app.services.schema_cache import SchemaCache
from app.store.models import Link, Profile
from app.store.settings import get_setting, set_setting

log = logging.getLogger(__name__)

PREFIX = "Owner: "
GROUPS_TTL_SECONDS = 24 * 3600
RETRY_SECONDS = 3600


def owner_groups_on(mapping: PairMapping) -> bool:
    return mapping.pair == "contacts" and bool(mapping.options.get("owner_groups"))


def group_name(owner: str) -> str:
    """The Xero group for a Zoho user's name ("" for an account without an owner's name)."""
    owner = " ".join(owner.split())
    return f"{PREFIX}{owner}" if owner else ""


class OwnerGroups:
    def __init__(self, profile: Profile, xero: XeroClient, zoho: ZohoClient, cache: SchemaCache,
                 clock: Any) -> None:
        self.profile = profile
        self.clock = clock
        self.xero = xero
        self.zoho = zoho
        self.cache = cache
        self.seen: dict[str, str] = {}  # Zoho record id → its owner's name, as read since the last apply

    def note(self, record: ZohoRecord) -> None:
        """A Zoho account the sync read (its ``Owner`` is ``{"id", "name", "email"}``)."""
        owner = record.values.get("Owner")
        if record.id and isinstance(owner, dict):
            self.seen[record.id] = str(owner.get("name") or "")

    @property
    def _state_key(self) -> str:
        return f"xero.owner_groups.{self.xero.tenant_id}"

    @property
    def _groups_key(self) -> str:
        return f"owner_groups.{self.xero.tenant_id}"

    # ----- after the contacts pair ran -----------------------------------------------------------------------
    def apply(self, module: str) -> None:
        """Put every linked contact whose owner is new or changed in its owner's group (see the module)."""
        seen, self.seen = self.seen, {}
        state = get_setting(self.profile, self._state_key) or {}
        applied: dict[str, str] = dict(state.get("applied") or {})  # Xero contact id → the group it is in
        pending: dict[str, str] = dict(state.get("pending") or {})  # → the group it goes in (not done yet)
        waiting = dict(pending)  # what earlier syncs could not do
        retry_at = float(state.get("retry_at") or 0)
        recheck = state.get("on") is False  # turned off and on again: owners may have changed meanwhile
        links = dict(Link.select(Link.xero_id, Link.zoho_id).where(
            Link.profile == self.profile, Link.pair == "contacts", Link.state == "active",
            Link.xero_id.is_null(False), Link.zoho_id.is_null(False)).tuples())
        for xid in [x for x in {*applied, *pending} if x not in links]:  # unlinked or archived: left as they are
            applied.pop(xid, None)
            pending.pop(xid, None)
        unknown = [zid for xid, zid in links.items()
                   if zid not in seen and xid not in pending and (recheck or xid not in applied)]
        owners_read = self._read_owners(module, unknown) if unknown else {}
        if owners_read is not None:
            seen.update(owners_read)
        for xid, zid in links.items():
            if zid in seen:
                target = group_name(seen[zid])
                if target != applied.get(xid):
                    pending[xid] = target
                else:
                    pending.pop(xid, None)
        if pending and (pending != waiting or self.clock.time() >= retry_at):
            self._place(pending, applied)
            retry_at = self.clock.time() + RETRY_SECONDS if pending else 0
        new_state = {"applied": applied, "pending": pending, "retry_at": retry_at,
                     "on": not recheck or owners_read is not None}
        if new_state != state:
            set_setting(self.profile, self._state_key, new_state)

    def _read_owners(self, module: str, zoho_ids: list[str]) -> dict[str, str] | None:
        """The owners' names of records not read this run (made by the sync, or linked while this was off); ""
        for one gone from Zoho CRM (the sync deals with it: nothing to place). None when Zoho could not be read."""
        try:
            records = self.zoho.records_by_id(module, ["Owner"], zoho_ids)
        except AppError as exc:
            log.warning("Could not read the owners of %d Zoho CRM record(s) for the Xero owner groups; trying again "
                        "at the next sync: %s", len(zoho_ids), exc.technical or exc.message)
            return None
        owners = dict.fromkeys(zoho_ids, "")
        for record in records:
            owner = record.values.get("Owner")
            if record.id in owners and isinstance(owner, dict):
                owners[record.id] = str(owner.get("name") or "")
        return owners

    def turned_off(self) -> None:
        """The contacts ran with the setting off: owners are not read now, so check them all when it is back on."""
        self.seen.clear()
        state = get_setting(self.profile, self._state_key)
        if state and state.get("on") is not False:
            set_setting(self.profile, self._state_key, {**state, "on": False})

    def _groups(self) -> dict[str, str]:
        """Xero's owner groups: lower-case name → id (read at most once a day)."""
        return self.cache.data(self._groups_key, lambda: {
            name.lower(): gid for gid, name in self.xero.contact_groups().items()
            if name.lower().startswith(PREFIX.lower())}, GROUPS_TTL_SECONDS)

    def _group_id(self, name: str, groups: dict[str, str]) -> str:
        if name.lower() in groups:
            return groups[name.lower()]
        try:
            gid = self.xero.create_contact_group(name)
        except RecordRejected:  # made since the list was read (in Xero, or by another computer): read it again
            self.cache.forget(self._groups_key)
            groups.clear()
            groups.update(self._groups())
            if name.lower() not in groups:
                raise
            return groups[name.lower()]
        groups[name.lower()] = gid
        self.cache.amend(self._groups_key, groups)
        log.info("created the Xero contact group %r", name)
        return gid

    def _place(self, pending: dict[str, str], applied: dict[str, str]) -> None:
        try:
            groups = self._groups()
        except AppError as exc:
            log.warning("Could not read Xero's contact groups; the owner groups are updated later: %s",
                        exc.technical or exc.message)
            return
        by_group: dict[str, list[str]] = {}
        for xid, target in pending.items():
            by_group.setdefault(target, []).append(xid)
        for target, xids in sorted(by_group.items()):
            try:
                if target:
                    xids = self._add(self._group_id(target, groups), xids)
                for xid in xids:
                    old = applied.get(xid, "")
                    if old and old.lower() != target.lower() and old.lower() in groups:
                        self._take_out(groups[old.lower()], xid)
                    applied[xid] = target
                    del pending[xid]
            except AppError as exc:
                log.warning("Could not put %d contact(s) in the Xero contact group %r; trying again later: %s",
                            len(xids), target, exc.technical or exc.message)
                if isinstance(exc, NotFound):  # the group was deleted in Xero: read the list again next time
                    self.cache.forget(self._groups_key)
                if isinstance(exc, RateLimited | AuthRequired):
                    return
        moved = [x for xs in by_group.values() for x in xs if x not in pending]
        if moved:
            log.info("owner groups: %d Xero contact(s) placed", len(moved))

    def _add(self, group_id: str, xids: list[str]) -> list[str]:
        """The contacts added. Xero refuses a whole call for one contact it will not take (one archived since, say):
        then each is added alone, so the others are placed and only the refused one waits."""
        try:
            self.xero.add_to_contact_group(group_id, xids)
            return xids
        except RecordRejected as exc:
            if len(xids) == 1:
                raise
            log.info("Xero refused adding %d contacts to a group together (%s); adding them one by one", len(xids),
                     exc.message)
        added = []
        for xid in xids:
            try:
                self.xero.add_to_contact_group(group_id, [xid])
                added.append(xid)
            except RecordRejected as exc:
                log.warning("Xero would not put the contact %s in an owner group; trying again later: %s", xid,
                            exc.message)
        return added

    def _take_out(self, group_id: str, contact_id: str) -> None:
        try:
            self.xero.remove_from_contact_group(group_id, contact_id)
        except (RecordRejected, NotFound):  # not in it any more (someone took it out in Xero), or no such group
            pass

