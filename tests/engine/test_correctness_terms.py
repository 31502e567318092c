"""Sales see a customer's credit terms in the CRM: Xero's sales payment terms reach the Zoho account in words, and
follow a change in Xero. The link is optional: a Zoho CRM without the field syncs everything else and says how to
add it."""

from __future__ import annotations

import pytest

from app.services.mapping_editor import MappingEditor
from app.services.xero_ports import terms_words


def sync(w):
    report = w.sync_service().sync()
    assert report.outcome in ("ok", "partial"), report.message
    return report


def account_for(w, name):
    return w.zoho_one("Accounts", Xero_Contact_ID=w.xero_contact(name).ContactID)


@pytest.mark.parametrize(("terms", "words"), [
    ((20, "DAYSAFTERBILLDATE"), "20 days after the invoice date"),
    ((1, "DAYSAFTERBILLDATE"), "1 day after the invoice date"),
    ((10, "DAYSAFTERBILLMONTH"), "10 days after the end of the invoice month"),
    ((1, "OFCURRENTMONTH"), "the 1st of the invoice month"),
    ((22, "OFCURRENTMONTH"), "the 22nd of the invoice month"),
    ((11, "OFFOLLOWINGMONTH"), "the 11th of the following month"),
    ((23, "OFFOLLOWINGMONTH"), "the 23rd of the following month"),
])
def test_xeros_four_kinds_of_terms_in_words(terms, words):
    assert terms_words(terms) == words


def test_a_customers_terms_reach_its_zoho_account_and_follow_a_change_in_xero(synced):
    w = synced
    assert account_for(w, "Redgum Dental Group")["Payment_Terms"] == "the 20th of the following month"
    assert account_for(w, "Lighthouse Accounting")["Payment_Terms"] == "7 days after the invoice date"
    assert account_for(w, "Bondi Surf Club").get("Payment_Terms") in (None, "")  # no terms of its own in Xero

    lighthouse = w.xero_contact("Lighthouse Accounting")
    w.xero.ui_edit_contact(lighthouse.ContactID, {"PaymentTerms": {"Sales": {"Day": 14,
                                                                             "Type": "DAYSAFTERBILLMONTH"}}})
    w.clock.advance(60)
    sync(w)
    assert account_for(w, "Lighthouse Accounting")["Payment_Terms"] == "14 days after the end of the invoice month"


def test_without_the_zoho_field_everything_else_syncs_and_the_check_says_how_to_add_it(world):
    w = world
    w.control("zoho", "POST", "zoho/fields/Accounts", {"api_name": "Payment_Terms", "remove": True})
    report = sync(w)
    assert report.outcome == "ok" and not report.counts.get("failed")
    assert "Payment_Terms" not in account_for(w, "Redgum Dental Group")
    problems = w.sync_service().validate()
    terms = [p for p in problems if p.field == "Payment_Terms"]
    assert len(terms) == 1 and not terms[0].blocking
    assert "add a Payment_Terms field in Zoho CRM" in terms[0].message
    checks = MappingEditor(w.sync_service()).draft("contacts", fresh=True).checks()
    assert [c.blocking for c in checks if c.field == "Payment_Terms"] == [False]

    w.control("zoho", "POST", "zoho/fields/Accounts", {"api_name": "Payment_Terms", "field_label": "Payment Terms",
                                                       "data_type": "text"})
    w.sync_service().connectors().schema_cache.invalidate("Accounts")  # as after the cached layout's hour
    w.clock.advance(60)
    w.xero.ui_edit_contact(w.xero_contact("Redgum Dental Group").ContactID, {"Website": "https://redgum.example"})
    sync(w)
    assert account_for(w, "Redgum Dental Group")["Payment_Terms"] == "the 20th of the following month"
