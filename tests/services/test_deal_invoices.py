"""Deal invoices the way the business works: a won deal's Xero invoice starts as set (Draft or Awaiting payment),
carries the customer's branding theme and payment terms, and an authorised one is emailed by Xero when asked."""

from __future__ import annotations

from datetime import date

import pytest

from app.emulators.xero.wire import DAY_MS, EPOCH
from app.services import settings_schema
from app.services.xero_ports import due_date

HOSPITALITY = "5d4a5b5c-0000-4000-8000-000000000002"
DEAL, CUSTOMER = "Pinnacle — office fit-out", "Pinnacle Fitness Pty Ltd"
CLOSING = date(2026, 12, 15)  # the demo deal's Closing_Date, the invoice's date


def _win(w, status: str, email: bool):
    settings_schema.save_values(w.ctx.profile, {"pairs.deals.invoice_status": status,
                                                "pairs.deals.email_invoice": email})
    deal = w.zoho_one("Deals", Deal_Name=DEAL)
    w.zoho.set_deal_stage(deal["id"], "Closed Won")
    report = w.sync_service().sync()
    assert report.outcome in ("ok", "partial"), report.message
    invoice_id = w.zoho_one("Deals", Deal_Name=DEAL)["Xero_Invoice_ID"]
    assert invoice_id
    return w.xero_org().invoices[invoice_id]


def _day(ms: int) -> date:
    return date.fromordinal(EPOCH.date().toordinal() + ms // DAY_MS)


@pytest.fixture
def terms(world):
    """The customer's Xero contact has the Hospitality branding theme and 20 days after invoice date, then the
    first sync links it (its theme and terms kept with the link)."""
    contact = world.xero_contact(CUSTOMER)
    world.xero.ui_edit_contact(contact.ContactID, {
        "BrandingTheme": {"BrandingThemeID": HOSPITALITY},
        "PaymentTerms": {"Sales": {"Day": 20, "Type": "DAYSAFTERBILLDATE"}}})
    report = world.sync_service().sync()
    assert report.outcome == "ok", report.message
    world.clock.advance(60)
    return world


def test_authorised_and_emailed_once_with_the_contacts_theme_and_terms(terms):
    invoice = _win(terms, "AUTHORISED", email=True)
    assert invoice.Status == "AUTHORISED"
    assert invoice.EmailsSent == 1 and invoice.SentToContact
    assert invoice.BrandingThemeID == HOSPITALITY
    assert _day(invoice.Date) == CLOSING and _day(invoice.DueDate) == date(2027, 1, 4)  # 20 days after
    report = terms.sync_service().sync()  # a later sync neither raises it again nor sends it again
    assert report.outcome in ("ok", "partial"), report.message
    assert invoice.EmailsSent == 1
    assert sum(1 for i in terms.xero_org().invoices.values() if DEAL in (i.Reference or "")) == 1


def test_authorised_with_email_off_is_not_emailed(terms):
    invoice = _win(terms, "AUTHORISED", email=False)
    assert invoice.Status == "AUTHORISED" and invoice.EmailsSent == 0 and not invoice.SentToContact


def test_a_draft_is_never_emailed(terms):
    invoice = _win(terms, "DRAFT", email=True)
    assert invoice.Status == "DRAFT" and invoice.EmailsSent == 0
    assert invoice.BrandingThemeID == HOSPITALITY and _day(invoice.DueDate) == date(2027, 1, 4)


def test_a_link_made_before_theme_and_terms_were_kept_reads_them_from_xero(terms):
    from app.store.models import Link

    contact = terms.xero_contact(CUSTOMER)
    link = Link.get(Link.pair == "contacts", Link.xero_id == contact.ContactID)
    link.xero_values = {k: v for k, v in link.xero_values.items()
                        if not k.startswith(("BrandingTheme.", "PaymentTerms."))}
    link.save()
    invoice = _win(terms, "AUTHORISED", email=False)
    assert invoice.BrandingThemeID == HOSPITALITY and _day(invoice.DueDate) == date(2027, 1, 4)


def test_without_terms_or_theme_the_defaults_stay(synced):
    invoice = _win(synced, "AUTHORISED", email=False)
    assert invoice.BrandingThemeID == ""
    assert _day(invoice.DueDate) == date(2026, 12, 29)  # the deals pair's 14 days


def test_due_dates_follow_each_kind_of_xero_payment_terms():
    day = date(2026, 1, 31)
    assert due_date(day, (20, "DAYSAFTERBILLDATE")) == date(2026, 2, 20)
    assert due_date(day, (20, "DAYSAFTERBILLMONTH")) == date(2026, 2, 20)  # after 31 January
    assert due_date(day, (31, "OFCURRENTMONTH")) == date(2026, 1, 31)
    assert due_date(day, (31, "OFFOLLOWINGMONTH")) == date(2026, 2, 28)  # no 31st in February
    assert due_date(date(2026, 12, 5), (15, "OFFOLLOWINGMONTH")) == date(2027, 1, 15)


def test_the_email_setting_is_declared_in_words_and_off_by_default(world):
    setting = settings_schema.schema()["pairs.deals.email_invoice"]
    assert setting.kind == "bool" and setting.default is False
    assert "email" in setting.label.lower() and "drafts are never sent" in setting.help
    assert settings_schema.load_values(world.ctx.profile)["pairs.deals.email_invoice"] is False
