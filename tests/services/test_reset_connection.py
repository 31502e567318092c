"""Reset connection (the Connections page's "Reset connection…" and ``reset --disconnect``): a backup first, the
profile's links and history set aside in an archive profile exactly as starting fresh does, the side disconnected
(its sign-in revoked), and a profile that then syncs from scratch against the sandbox."""

from __future__ import annotations

import threading

import pytest

from app.emulators.demo_story import ORG_NAME
from app.emulators.xero.seed import NZ_ORG_NAME
from app.errors import Busy
from app.services import org_change
from app.services.runlock import run_lock
from app.store.models import Connection, HistoryEntry, Link, Profile
from tests.services.test_profiles import PickOrganisation


def backups(w) -> list:
    return sorted((w.ctx.paths.data_dir / "backups").glob("ledgerbridge-before-*.db"))


def test_reset_backs_up_sets_the_links_aside_and_disconnects_the_side(synced):
    w = synced
    profile = w.ctx.profile
    links = Link.select().where(Link.profile == profile).count()
    history = HistoryEntry.select().where(HistoryEntry.profile == profile).count()
    assert links and history and w.ctx.secrets.get("xero:default:refresh_token")

    said = org_change.reset_connection(w.ctx, "xero", w.connections)

    [backup] = backups(w)
    assert backup.stat().st_size > 0 and str(backup) in said
    archive = Profile.get(Profile.name.startswith(f"{ORG_NAME} (archived"))
    assert said.startswith("Xero is disconnected.") and f"“{archive.name}”" in said
    assert f"{links:,} links between records and {history:,} history entries were set aside" in said
    assert Link.select().where(Link.profile == archive).count() == links
    assert HistoryEntry.select().where(HistoryEntry.profile == archive).count() == history
    assert not Link.select().where(Link.profile == profile).exists()
    assert not HistoryEntry.select().where(HistoryEntry.profile == profile).exists()
    assert Connection.get_or_none(Connection.profile == profile, Connection.provider == "xero") is None
    assert w.ctx.secrets.get("xero:default:refresh_token") is None  # the sign-in is gone, not only hidden
    assert Connection.get(Connection.profile == profile, Connection.provider == "zoho").org_id  # the other stays
    assert org_change.what_start_fresh_clears(profile) == dict.fromkeys(org_change.what_start_fresh_clears(profile), 0)


def test_after_a_reset_the_profile_syncs_from_scratch_with_the_organisation_connected_next(synced):
    w = synced
    au_ids = {link.xero_id for link in Link.select() if link.xero_id}
    org_change.reset_connection(w.ctx, "xero", w.connections)
    w.connections.connect_xero(PickOrganisation(w.emulator_client(), NZ_ORG_NAME), timeout=30)
    assert org_change.pending_changes(w.ctx.profile) == []  # nothing left to decide: the profile starts empty

    service = w.sync_service()
    report = service.sync()
    assert report.outcome == "ok", report.message
    nz = next(o for o in w.xero.orgs.values() if o.Name == NZ_ORG_NAME)
    made = {link.xero_id for link in Link.select().where(Link.profile == w.ctx.profile) if link.xero_id}
    assert made and not made & au_ids  # linked from scratch, nothing of the old organisation mixed in
    assert made <= set(nz.contacts) | set(nz.invoices) | set(nz.items)


def test_reset_zoho_with_nothing_synced_yet_keeps_a_backup_and_makes_no_empty_archive(world):
    w = world
    profiles = Profile.select().count()
    said = org_change.reset_connection(w.ctx, "zoho", w.connections)
    assert said.startswith("Zoho CRM is disconnected. There were no links or history to set aside.")
    assert backups(w) and str(backups(w)[0]) in said
    assert Profile.select().count() == profiles
    assert Connection.get_or_none(Connection.provider == "zoho") is None
    assert Connection.get(Connection.provider == "xero").org_id


def test_reset_waits_for_no_sync_and_changes_nothing_while_one_runs(synced):
    w = synced
    links = Link.select().where(Link.profile == w.ctx.profile).count()
    held, release = threading.Event(), threading.Event()

    def another_sync() -> None:  # the lock is the data folder's: another thread (or program) is syncing
        with run_lock(w.ctx.paths.data_dir, "sync", by="cli"):
            held.set()
            release.wait(60)

    syncing = threading.Thread(target=another_sync)
    syncing.start()
    try:
        assert held.wait(60)
        with pytest.raises(Busy):
            org_change.reset_connection(w.ctx, "xero", w.connections)
    finally:
        release.set()
        syncing.join()
    assert Link.select().where(Link.profile == w.ctx.profile).count() == links
    assert Connection.get(Connection.provider == "xero").org_id and not backups(w)
