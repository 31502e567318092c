"""Send one record now: by name or id, after what it needs (an invoice's customer and products), in words."""

from __future__ import annotations

import pytest

from app.errors import ConfigError, NotFound
from app.services import push
from app.store.models import Run


def new_customer_with_invoice(w):
    contact = w.xero.ui_create_contact({"Name": "Wombat Wines Pty Ltd", "EmailAddress": "hello@wombatwines.au"})
    item = w.xero.ui_create_item({"Code": "WINE-CASE", "Name": "Case of wine", "IsSold": True,
                                  "SalesDetails": {"UnitPrice": "180.00", "AccountCode": "200"}})
    invoice = w.xero.ui_create_invoice({
        "Type": "ACCREC", "Contact": {"ContactID": contact["ContactID"]}, "Status": "AUTHORISED",
        "Date": "2026-11-01", "DueDate": "2026-11-15", "LineAmountTypes": "Exclusive",
        "LineItems": [{"ItemCode": item["Code"], "Description": "Case of wine", "Quantity": 2,
                       "UnitAmount": "180.00", "TaxType": "OUTPUT", "AccountCode": "200"}]})
    return contact, item, invoice


def test_an_invoice_is_sent_with_its_new_customer_and_product_first(synced):
    w = synced
    contact, item, invoice = new_customer_with_invoice(w)
    result = push.push(w.sync_service(), "zoho", invoice["InvoiceID"])
    assert result.ok, result.message
    assert result.message.startswith("Sent '") and "to Zoho CRM (after " in result.message
    assert "Wombat Wines Pty Ltd" in result.sent_first and "Case of wine" in result.sent_first
    account = w.zoho_one("Accounts", Xero_Contact_ID=contact["ContactID"])
    zi = w.zoho_one("Invoices", Xero_Invoice_ID=invoice["InvoiceID"])
    assert zi["Account_Name"] == {"id": account["id"], "name": "Wombat Wines Pty Ltd"}, zi["Account_Name"]
    assert {r.trigger for r in Run.select().where(Run.id.in_(result.run_ids))} == {"push"}
    # nothing else was synced: another new contact still waits for the next sync
    assert result.counts.get("created") == 1


def test_a_record_is_found_by_name_and_sent_the_other_way(synced):
    w = synced
    c = w.xero_contact("Magpie Print House")
    account = w.zoho_one("Accounts", Xero_Contact_ID=c.ContactID)
    w.zoho.ui_edit("Accounts", account["id"], {"Email": "studio@magpieprint.com.au"})
    result = push.push(w.sync_service(), "xero", "magpie print house")
    assert result.ok and result.message == "Sent 'Magpie Print House' to Xero."
    assert w.xero_contact("Magpie Print House").EmailAddress == "studio@magpieprint.com.au"
    again = push.push(w.sync_service(), "xero", "Magpie Print House")
    assert again.ok and again.message == "'Magpie Print House' is already up to date in Xero."


def test_a_record_waiting_for_a_match_says_so(synced):
    w = synced
    sunset = w.xero_contact("Sunset Events Pty Ltd")
    result = push.push(w.sync_service(), "zoho", sunset.ContactID)
    assert not result.ok and "confirm its match" in result.message


def test_unclear_or_unknown_records_are_refused_with_reasons(synced):
    service = synced.sync_service()
    with pytest.raises(ConfigError, match="records fit 'Pty'"):
        push.push(service, "zoho", "Pty")
    with pytest.raises(NotFound, match="No record called 'Nobody Anywhere'"):
        push.push(service, "zoho", "Nobody Anywhere")
    with pytest.raises(ConfigError, match="does not send records to Zoho CRM"):
        push.push(service, "zoho", "x", pair="deals")
    with pytest.raises(ConfigError, match="xero or zoho"):
        push.push(service, "elsewhere", "Magpie Print House")
    assert push.send_label("zoho") == "Send to Zoho now" and push.send_label("xero") == "Send to Xero now"
