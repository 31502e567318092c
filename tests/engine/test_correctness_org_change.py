"""Changing the organisation is a decision: a sync refuses while another organisation is connected than the links
were made with; keeping the links carries on as before; starting fresh backs up, sets the old links and history
aside under the old organisation's name, and a dry run then plans the new organisation's records and nothing of
the old. The reset command does it headless."""

import pytest

from app.emulators.xero.seed import NZ_ORG_NAME
from app.services import org_change
from app.services.org_change import OrganisationChanged
from app.store.models import HistoryEntry, Link, Profile
from tests.services.test_profiles import PickOrganisation

AU_NAME = "Bluegum Supply Co Pty Ltd"


def connect_nz(w):
    w.connections.connect_xero(PickOrganisation(w.emulator_client(), NZ_ORG_NAME), timeout=30)


def nz_org(w):
    return next(o for o in w.xero.orgs.values() if o.Name == NZ_ORG_NAME)


def test_another_xero_organisation_stops_the_sync_until_the_user_decides(synced):
    w = synced
    connect_nz(w)
    service = w.sync_service()
    with pytest.raises(OrganisationChanged) as stopped:
        service.sync(dry_run=True)
    assert f"connected to {NZ_ORG_NAME}" in stopped.value.message and AU_NAME in stopped.value.message
    [change] = org_change.pending_changes(service.profile)
    assert (change.provider, change.linked_name, change.connected_name) == ("xero", AU_NAME, NZ_ORG_NAME)


def test_start_fresh_sets_the_old_links_aside_and_the_dry_run_plans_only_the_new_organisation(synced):
    w = synced
    service = w.sync_service()
    au_links = Link.select().where(Link.profile == service.profile).count()
    au_ids = {link.xero_id for link in Link.select() if link.xero_id}
    connect_nz(w)
    said = org_change.decide(w.ctx, "fresh")
    archive = Profile.get(Profile.name.startswith(f"{AU_NAME} (archived"))
    assert archive.name in said and "backups" in said
    assert list((w.ctx.paths.data_dir / "backups").glob("ledgerbridge-before-starting-fresh-*.db"))
    assert Link.select().where(Link.profile == archive).count() == au_links
    assert HistoryEntry.select().where(HistoryEntry.profile == archive).count() > 0
    assert not Link.select().where(Link.profile == service.profile).exists()
    assert not HistoryEntry.select().where(HistoryEntry.profile == service.profile).exists()

    report = service.sync(dry_run=True)
    assert report.outcome == "ok", report.message
    nz_names = {c.Name for c in nz_org(w).contacts.values()} | {
        f"{i.InvoiceNumber} — {nz_org(w).contacts[i.ContactID].Name}" for i in nz_org(w).invoices.values()}
    planned = [e for e in report.plan if e["action"] in ("create", "link", "update")]
    from_xero = [e["name"] for e in planned if e["direction"] != "zoho->xero"]
    assert from_xero and set(from_xero) <= nz_names, from_xero
    au_names = {c.Name for c in w.xero_org().contacts.values()}
    from_zoho = [e["name"] for e in planned if e["direction"] == "zoho->xero"]
    assert not set(from_zoho) & au_names, from_zoho  # only Zoho's own records, none made from the old organisation
    real = service.sync()
    assert real.outcome == "ok", real.message
    made = {link.xero_id for link in Link.select().where(Link.profile == service.profile) if link.xero_id}
    assert made and not made & au_ids  # nothing of the old organisation mixed in
    assert made <= set(nz_org(w).contacts) | set(nz_org(w).invoices) | set(nz_org(w).items)


def test_keep_links_carries_on_with_the_same_links(synced):
    w = synced
    service = w.sync_service()
    before = Link.select().where(Link.profile == service.profile).count()
    w.connect_xero()  # connected again: same organisation, nothing to decide
    assert org_change.pending_changes(service.profile) == []
    connect_nz(w)
    assert "now belong to" in org_change.decide(w.ctx, "keep")
    assert org_change.pending_changes(service.profile) == []
    assert Link.select().where(Link.profile == service.profile).count() == before


def test_reset_command_says_what_it_clears_then_does_it_with_a_backup(synced, capsys):
    from app.cli.reset_cmd import run

    w = synced
    connect_nz(w)
    args = type("Args", (), {"yes": False, "keep_links": False, "json": False})()
    org_change_counts = org_change.what_start_fresh_clears(w.ctx.profile)
    with _context(w):
        assert run(args) == 0
    said = capsys.readouterr().out
    assert f"connected to {NZ_ORG_NAME}" in said
    assert f"{org_change_counts['Link']:,} links between records" in said and "history entries" in said
    assert Link.select().where(Link.profile == w.ctx.profile).count() == org_change_counts["Link"]  # nothing yet
    args.yes = True
    with _context(w):
        assert run(args) == 0
    assert "Started fresh" in capsys.readouterr().out
    assert not Link.select().where(Link.profile == w.ctx.profile).exists()


class _context:
    """The command's open_context, pointed at the test world's context."""

    def __init__(self, w) -> None:
        self.w = w

    def __enter__(self):
        import contextlib

        from app.cli import reset_cmd

        self.original = reset_cmd.open_context
        reset_cmd.open_context = lambda args: contextlib.nullcontext(self.w.ctx)
        return self

    def __exit__(self, *exc):
        from app.cli import reset_cmd

        reset_cmd.open_context = self.original
