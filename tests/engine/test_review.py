"""Failed records, match review, deletions, the safety brake, and undo."""

from app.services import review
from app.services.views import HistoryFilter, Views
from app.store.models import FailedRecord, Link


def sync(w, **kwargs):
    return w.sync_service().sync(**kwargs)


def account_for(w, xero_contact):
    return w.zoho_one("Accounts", Xero_Contact_ID=xero_contact.ContactID)


def test_rejected_record_lands_in_failed_with_a_hint_and_retry_fixes_it(synced):
    w = synced
    harbour = w.xero_contact("Harbour View Cafe")
    account = account_for(w, harbour)
    w.zoho.ui_edit("Accounts", account["id"], {"Account_Name": "Bondi Surf Club"})  # taken by another contact
    report = sync(w)
    assert report.outcome == "partial" and report.failed == 1
    rows = Views.of(w.ctx).history_page(HistoryFilter(actions=("fail",)))
    assert rows and "Bondi Surf Club" in rows[0].error["hint"] and "unique" in rows[0].error["hint"]
    failed = review.failed_records(w.sync_service())
    assert len(failed) == 1 and failed[0].hint.startswith("Xero needs a unique contact name")
    # the rest of the run carried on, and Xero kept its name
    assert w.xero_contact("Harbour View Cafe").ContactID == harbour.ContactID
    # fixed in Zoho, then retried
    w.zoho.ui_edit("Accounts", account["id"], {"Account_Name": "Harbour View Cafe & Bar"})
    reports = review.retry(w.sync_service(), [failed[0].id])
    assert reports[0].outcome == "ok"
    assert w.xero_contact("Harbour View Cafe & Bar").ContactID == harbour.ContactID
    assert review.failed_records(w.sync_service()) == []


def test_confirming_a_match_links_and_rejecting_creates(synced):
    w = synced
    service = w.sync_service()
    pending = {m.zoho_name: m for m in review.matches(service)}
    review.confirm_matches(service, [pending["Emu Plains Hardware"].id])
    emu = w.xero_contact("Emu Plains Hardware")
    assert account_for(w, emu)["Account_Name"] == "Emu Plains Hardware"
    # the other candidate was set aside automatically and then gets its own Xero contact on request
    assert review.matches(service) == []
    garden = w.zoho_one("Accounts", Account_Name="Emu Plains Hardware & Garden")
    report = w.sync_service().engine().sync_records("contacts", [], [garden["id"]], trigger="match")
    assert report.outcome == "ok"
    assert len(w.xero_contacts("Emu Plains Hardware & Garden")) == 1
    # the invoice that waited for the customer now syncs
    sync(w)
    emu_invoices = [i for i in w.xero_org().invoices.values() if i.ContactID == emu.ContactID and i.Type == "ACCREC"]
    mirrored = {i.get("Xero_Invoice_ID") for i in w.zoho_records("Invoices")}
    assert emu_invoices and all(i.InvoiceID in mirrored for i in emu_invoices if i.Status not in ("VOIDED", "DELETED"))


def test_zoho_delete_archives_in_xero_only_when_opted_in(synced):
    w = synced
    service = w.sync_service()
    c = w.xero_contact("Waratah Florist")
    w.zoho.ui_delete("Accounts", account_for(w, c)["id"])
    w.clock.advance(3601)  # deletions are polled hourly
    sync(w)
    assert w.xero_contact("Waratah Florist").ContactStatus == "ACTIVE"
    assert Link.get(Link.xero_id == c.ContactID).state == "deleted"
    from app.store.settings import set_setting

    set_setting(service.profile, "deletes.archive_xero_on_zoho_delete", True)
    c2 = w.xero_contact("Anchor Marine Supplies")
    w.zoho.ui_delete("Accounts", account_for(w, c2)["id"])
    w.clock.advance(3601)
    sync(w)
    assert w.xero_contact("Anchor Marine Supplies").ContactStatus == "ARCHIVED"


def test_bulk_archive_above_the_brake_stops_and_asks(synced):
    w = synced
    names = ["Bondi Surf Club", "Citrus Law Pty Ltd", "Blue Mountains Retreat", "Manly Ferry Kiosk",
             "Quokka Coffee Co", "Tidal Yoga Studio", "Banksia Bookkeeping"]
    ids = [w.xero_contact(n).ContactID for n in names]
    for cid in ids:
        w.xero.ui_archive_contact(cid)
    report = sync(w)
    assert report.outcome == "braked" and "safety limit" in report.message
    assert all(account_for(w, w.xero_org().contacts[cid])["Xero_Status"] == "Active" for cid in ids)
    report = sync(w, allow_bulk_archive=True)
    assert report.outcome == "ok" and report.counts.get("archived") == len(ids)
    assert all(account_for(w, w.xero_org().contacts[cid])["Xero_Status"] == "Archived" for cid in ids)


def test_undo_puts_back_what_a_run_changed(synced):
    w = synced
    c = w.xero_contact("Ironbark Builders Pty Ltd")
    before = account_for(w, c)["Account_Name"]
    w.xero.ui_edit_contact(c.ContactID, {"Name": "Ironbark Constructions Pty Ltd"})
    report = sync(w)
    assert account_for(w, c)["Account_Name"] == "Ironbark Constructions Pty Ltd"
    undo = review.undo(w.sync_service(), report.run_id)
    assert undo.outcome == "ok" and undo.counts["reverted"] == 1
    assert account_for(w, c)["Account_Name"] == before
    assert sync(w).counts.get("updated") is None  # the revert is not mistaken for a new change


def test_invoices_whose_customer_is_not_synced_wait_instead_of_failing(synced):
    waiting = list(FailedRecord.select().where(FailedRecord.status == "waiting"))
    assert {r.record_name.split(" — ")[1] for r in waiting} == {"Sunset Events Pty Ltd", "Emu Plains Hardware"}
    assert review.failed_records(synced.sync_service()) == []
