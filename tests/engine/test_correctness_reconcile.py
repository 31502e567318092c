"""Reconcile and historical sync without noise: a value one side leaves empty where the other holds its default is
no mismatch, records the app made itself are never orphans, and the bulk-archive brake counts only this run's new
archives."""

from datetime import UTC, datetime, timedelta

from app.services import reconcile
from app.store.models import Link

ARCHIVED_LONG_AGO = ["Bondi Surf Club", "Citrus Law Pty Ltd", "Blue Mountains Retreat", "Manly Ferry Kiosk",
                     "Quokka Coffee Co", "Tidal Yoga Studio", "Banksia Bookkeeping"]


def now(w) -> datetime:
    return datetime.fromtimestamp(w.clock.time(), UTC)


def test_reconcile_right_after_a_clean_first_sync_lists_no_mismatch_and_none_of_the_apps_own_records(synced):
    w = synced
    findings = reconcile.reconcile(w.sync_service())
    assert [f for f in findings if f.kind in ("mismatch", "total_mismatch", "missing")] == []
    # Xero leaves an AUD customer's currency empty (the organisation's base currency); Zoho says AUD
    acme = w.xero_contact("Acme Catering Pty Ltd")
    assert not acme.DefaultCurrency and w.zoho_one("Accounts", Xero_Contact_ID=acme.ContactID)["Currency"] == "AUD"
    orphans = {(f.pair, f.record) for f in findings if f.kind in ("only_in_xero", "only_in_zoho")}
    assert ("items", "Other sales (from Xero)") not in orphans  # the product the app made for lines without one
    deal_invoices = {link.xero_id for link in Link.select().where(Link.pair == "deals") if link.xero_id}
    assert deal_invoices  # Closed Won deals of the demo were raised as Xero invoices by the first sync
    assert not [f for f in findings if f.kind == "only_in_xero" and f.xero_id in deal_invoices]


def test_a_real_currency_difference_is_still_a_mismatch(synced):
    w = synced
    acme = w.xero_contact("Acme Catering Pty Ltd")
    account = w.zoho_one("Accounts", Xero_Contact_ID=acme.ContactID)
    w.zoho.ui_edit("Accounts", account["id"], {"Currency": "NZD"})
    findings = [f for f in reconcile.reconcile(w.sync_service(), ("contacts",)) if f.kind == "mismatch"]
    assert [(f.record, f.field, f.xero_value, f.zoho_value) for f in findings] == [
        ("Acme Catering Pty Ltd", "DefaultCurrency ⇄ Currency", None, "NZD")]


def test_a_historical_sync_is_not_braked_by_records_archived_long_ago(world):
    w = world
    for name in ARCHIVED_LONG_AGO[:4]:  # archived in Xero before the app ever synced
        w.xero.ui_archive_contact(w.xero_contact(name).ContactID)
    w.clock.advance(86400)
    assert w.sync_service().sync().outcome == "ok"
    for name in ARCHIVED_LONG_AGO[4:]:  # archived later, and that sync confirmed
        w.xero.ui_archive_contact(w.xero_contact(name).ContactID)
    w.clock.advance(60)
    assert w.sync_service().sync(allow_bulk_archive=True).counts.get("archived") == 3
    w.clock.advance(20 * 86400)
    report = w.sync_service().sync(since=now(w) - timedelta(days=3650))  # what `sync --since` runs
    assert report.outcome == "ok", report.message
    assert not report.counts.get("archived")


def test_a_historical_sync_still_brakes_on_its_own_bulk_archive(synced):
    w = synced
    for name in ARCHIVED_LONG_AGO:
        w.xero.ui_archive_contact(w.xero_contact(name).ContactID)
    w.clock.advance(60)
    report = w.sync_service().sync(since=now(w) - timedelta(days=3650))
    assert report.outcome == "braked"
