"""A customer's payment terms or branding theme changed in Xero, and nothing else about it: the next sync keeps the
new ones with the link, so the invoice of a deal won afterwards follows them. A new branding theme writes nothing
to either system and no "Updated" in the history; new terms only update the account's Payment Terms in Zoho."""

from __future__ import annotations

from datetime import date

import pytest

from app.emulators.xero.wire import DAY_MS, EPOCH
from app.store.models import HistoryEntry, Link

DEAL, CUSTOMER = "Pinnacle — office fit-out", "Pinnacle Fitness Pty Ltd"
CLOSING = date(2026, 12, 15)  # the demo deal's Closing_Date, the invoice's date
STANDARD, HOSPITALITY = "5d4a5b5c-0000-4000-8000-000000000001", "5d4a5b5c-0000-4000-8000-000000000002"


def _day(ms: int) -> date:
    return date.fromordinal(EPOCH.date().toordinal() + ms // DAY_MS)


def _link(w):
    return Link.get(Link.pair == "contacts", Link.xero_id == w.xero_contact(CUSTOMER).ContactID)


@pytest.fixture
def linked(world):
    """The customer starts on 20 days after the invoice date with the Standard theme, linked by a first sync."""
    contact = world.xero_contact(CUSTOMER)
    world.xero.ui_edit_contact(contact.ContactID, {
        "BrandingTheme": {"BrandingThemeID": STANDARD},
        "PaymentTerms": {"Sales": {"Day": 20, "Type": "DAYSAFTERBILLDATE"}}})
    report = world.sync_service().sync()
    assert report.outcome == "ok", report.message
    assert _link(world).xero_values["PaymentTerms.Sales.Day"] == 20
    world.clock.advance(60)
    return world


def _change_in_xero_only(w, fields, zoho_writes=()):
    contact = w.xero_contact(CUSTOMER)
    account = w.zoho_one("Accounts", Xero_Contact_ID=contact.ContactID)
    w.xero.ui_edit_contact(contact.ContactID, fields)
    w.clock.advance(60)
    w.reset_counts()
    last_history = HistoryEntry.select().count()
    report = w.sync_service().sync(pairs=["contacts"])
    assert report.outcome == "ok", report.message
    writes = [call for side in w.requests().values() for call in side if not call.startswith("GET ")]
    assert writes == ["PUT /crm/v8/Accounts" for _ in zoho_writes]  # nothing written to Xero
    new = list(HistoryEntry.select().order_by(HistoryEntry.id).offset(last_history))
    if not zoho_writes:
        assert w.zoho_one("Accounts", Xero_Contact_ID=contact.ContactID)["Modified_Time"] == account["Modified_Time"]
        assert not [h for h in new if h.action == "update"] and not report.counts.get("updated")
    else:
        assert [sorted(h.changes) for h in new if h.action == "update"] == [list(zoho_writes)]
    return report


def test_payment_terms_changed_in_xero_reach_the_next_deal_invoice(linked):
    w = linked
    _change_in_xero_only(w, {"PaymentTerms": {"Sales": {"Day": 7, "Type": "DAYSAFTERBILLDATE"}}},
                         zoho_writes=["zoho.Payment_Terms"])
    assert w.zoho_one("Accounts", Account_Name=CUSTOMER)["Payment_Terms"] == "7 days after the invoice date"
    kept = _link(w).xero_values
    assert (kept["PaymentTerms.Sales.Day"], kept["PaymentTerms.Sales.Type"]) == (7, "DAYSAFTERBILLDATE")
    deal = w.zoho_one("Deals", Deal_Name=DEAL)
    w.zoho.set_deal_stage(deal["id"], "Closed Won")
    w.reset_counts()
    report = w.sync_service().sync()
    assert report.outcome in ("ok", "partial"), report.message
    invoice = w.xero_org().invoices[w.zoho_one("Deals", Deal_Name=DEAL)["Xero_Invoice_ID"]]
    assert _day(invoice.Date) == CLOSING and _day(invoice.DueDate) == date(2026, 12, 22)  # 7 days, not 20
    assert invoice.BrandingThemeID == STANDARD
    assert "GET /api.xro/2.0/Contacts/{id}" not in w.requests()["xero"]  # the kept values were enough


def test_branding_theme_changed_in_xero_reaches_the_next_deal_invoice(linked):
    w = linked
    _change_in_xero_only(w, {"BrandingTheme": {"BrandingThemeID": HOSPITALITY}})
    assert _link(w).xero_values["BrandingTheme.BrandingThemeID"] == HOSPITALITY
    deal = w.zoho_one("Deals", Deal_Name=DEAL)
    w.zoho.set_deal_stage(deal["id"], "Closed Won")
    assert w.sync_service().sync().outcome in ("ok", "partial")
    invoice = w.xero_org().invoices[w.zoho_one("Deals", Deal_Name=DEAL)["Xero_Invoice_ID"]]
    assert invoice.BrandingThemeID == HOSPITALITY and _day(invoice.DueDate) == date(2027, 1, 4)
