"""Calls a user pays for when nothing (or little) has changed: a sync reads its own writes back at most once, and a
record waiting for another one is not fetched again on every cycle."""

import pytest

from app.store.models import FailedRecord
from tests.world import make_world


def data_reads(calls: dict[str, int]) -> dict[str, int]:
    return {k: v for k, v in calls.items() if k.startswith("GET ") and ("/api.xro/2.0/" in k or "/crm/v8/" in k)}


@pytest.fixture
def bulk(data_dir):
    """Xero with 500 customers and their invoices, Zoho empty, after the first sync."""
    w = make_world(data_dir, seed="large:500", limits="off", zoho_seed="empty")
    w.connect_both()
    assert w.sync_service().sync().outcome == "ok"
    yield w
    w.close()


def test_after_a_bulk_sync_its_writes_are_read_back_once_then_idle_is_one_call_per_stream(bulk):
    w = bulk
    accounts = len(w.zoho_records("Accounts"))
    assert accounts > 400  # more than two pages of Zoho's 200

    w.clock.advance(300)
    w.reset_counts()
    first = w.sync_service().sync()
    assert first.outcome == "ok" and first.counts.get("updated") is None and first.counts.get("created") is None
    zoho = data_reads(w.requests()["zoho"])
    assert zoho["GET /crm/v8/Accounts"] == -(-accounts // 200)  # the sync's own writes, read back once

    w.clock.advance(300)
    w.reset_counts()
    idle = w.sync_service().sync()
    assert idle.outcome == "ok" and idle.message == "Everything is up to date."
    calls = w.requests()
    assert all(k.startswith("GET ") for side in calls.values() for k in side), calls
    xero, zoho = data_reads(calls["xero"]), data_reads(calls["zoho"])
    assert sorted(xero) == ["GET /api.xro/2.0/Contacts", "GET /api.xro/2.0/Invoices", "GET /api.xro/2.0/Items",
                            "GET /api.xro/2.0/Payments"]
    assert sorted(zoho) == ["GET /crm/v8/Accounts", "GET /crm/v8/Deals", "GET /crm/v8/Products"]
    assert set(xero.values()) == {1} and set(zoho.values()) == {1}


def test_an_invoice_waiting_for_its_customer_is_not_fetched_each_cycle_and_syncs_once_the_customer_does(synced):
    w = synced
    waiting = FailedRecord.get(FailedRecord.status == "waiting", FailedRecord.record_name.contains("Sunset Events"))
    invoice_id = waiting.source_id

    w.clock.advance(3600)  # well past any retry backoff
    w.reset_counts()
    assert w.sync_service().sync().outcome == "ok"
    xero = w.requests()["xero"]
    assert xero.get("GET /api.xro/2.0/Invoices") == 1  # the list call only: nothing fetched for the waiting one
    assert not [k for k in xero if k.startswith("GET /api.xro/2.0/Invoices/")]

    sunset = w.xero_contact("Sunset Events Pty Ltd")
    w.xero.ui_restore_contact(sunset.ContactID)
    w.clock.advance(60)
    report = w.sync_service().sync()
    assert report.outcome == "ok", report.message
    account = w.zoho_one("Accounts", Xero_Contact_ID=sunset.ContactID)
    assert account is not None
    assert w.zoho_one("Invoices", Xero_Invoice_ID=invoice_id)["Account_Name"]["id"] == account["id"]
    assert FailedRecord.get_by_id(waiting.id).status == "resolved"
