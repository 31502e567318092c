"""Edits made in either system arrive on the next cycle, in the configured direction only."""

from decimal import Decimal

from app.services import review
from app.store.models import Link


def sync(w, **kwargs):
    report = w.sync_service().sync(**kwargs)
    assert report.outcome in ("ok", "partial"), report.message
    return report


def account_for(w, xero_contact):
    return w.zoho_one("Accounts", Xero_Contact_ID=xero_contact.ContactID)


def test_rename_in_xero_reaches_zoho(synced):
    w = synced
    c = w.xero_contact("Bondi Surf Club")
    w.xero.ui_edit_contact(c.ContactID, {"Name": "Bondi Surf Life Saving Club"})
    report = sync(w)
    assert report.counts.get("updated") == 1
    assert account_for(w, c)["Account_Name"] == "Bondi Surf Life Saving Club"


def test_phone_change_in_zoho_reaches_xero(synced):
    w = synced
    c = w.xero_contact("Redgum Dental Group")
    account = account_for(w, c)
    w.zoho.ui_edit("Accounts", account["id"], {"Phone": "02 9555 7777"})
    sync(w)
    phone = w.xero_contact("Redgum Dental Group").Phones["DEFAULT"]
    assert (phone["PhoneAreaCode"], phone["PhoneNumber"], phone["PhoneCountryCode"]) == ("02", "9555 7777", "61")


def test_new_invoice_and_payment_arrive_in_zoho(synced):
    w = synced
    c = w.xero_contact("Quokka Coffee Co")
    inv = w.xero.ui_create_invoice({
        "Type": "ACCREC", "Contact": {"ContactID": c.ContactID}, "Status": "AUTHORISED", "Date": "2026-11-01",
        "DueDate": "2026-11-15", "LineAmountTypes": "Exclusive",
        "LineItems": [{"ItemCode": "BEAN-1KG", "Description": "Beans", "Quantity": 3, "UnitAmount": "32.00",
                       "TaxType": "OUTPUT", "AccountCode": "200"},
                      {"ItemCode": "NAPKIN", "Description": "Napkins", "Quantity": 1, "UnitAmount": "42.50",
                       "TaxType": "OUTPUT", "AccountCode": "200"}]})
    sync(w)
    zi = w.zoho_one("Invoices", Xero_Invoice_ID=inv["InvoiceID"])
    assert Decimal(str(zi["Grand_Total"])) == Decimal(str(inv["Total"]))
    assert len(zi["Invoiced_Items"]) == 2
    w.clock.advance(60)
    w.xero.ui_add_payment(inv["InvoiceID"], "50.00")
    sync(w)
    zi = w.zoho_one("Invoices", Xero_Invoice_ID=inv["InvoiceID"])
    assert Decimal(str(zi["Amount_Paid"])) == Decimal("50.00")
    assert Decimal(str(zi["Balance"])) == Decimal(str(inv["Total"])) - Decimal("50.00")
    account = account_for(w, c)
    assert Decimal(str(account["Outstanding_Balance"])) >= Decimal(str(inv["Total"])) - Decimal("50.00")


def test_archive_in_xero_marks_the_zoho_account(synced):
    w = synced
    c = w.xero_contact("Lighthouse Accounting")
    w.xero.ui_archive_contact(c.ContactID)
    sync(w)
    account = account_for(w, c)
    assert account["Xero_Status"] == "Archived"
    assert Link.get(Link.xero_id == c.ContactID).state == "archived"


def test_a_contact_archived_in_xero_stays_archived_when_only_its_zoho_side_is_seen(synced):
    w = synced  # the first sync linked Old Mill Restaurant, archived in Xero, to its Zoho account
    link = Link.get(Link.xero_id == w.xero_contact("Old Mill Restaurant").ContactID)
    assert link.state == "archived"
    sync(w)  # reads the first sync's own Zoho writes back: Old Mill's account among them, its Xero side not read
    assert Link.get_by_id(link.id).state == "archived"
    c = w.xero_contact("Old Mill Restaurant")
    w.xero.ui_edit_contact(c.ContactID, {"ContactStatus": "ACTIVE"})  # trading with them again
    w.clock.advance(60)
    sync(w)
    assert Link.get_by_id(link.id).state == "active"


def test_deal_closed_won_raises_a_xero_invoice_once(synced):
    w = synced
    deal = w.zoho_one("Deals", Deal_Name="Pinnacle — office fit-out")
    w.zoho.set_deal_stage(deal["id"], "Closed Won")
    sync(w)
    deal = w.zoho_one("Deals", Deal_Name="Pinnacle — office fit-out")
    invoice_id = deal["Xero_Invoice_ID"]
    assert invoice_id
    org = w.xero_org()
    invoice = org.invoices[invoice_id]
    assert invoice.Status == "DRAFT" and invoice.ContactID == w.xero_contact("Pinnacle Fitness Pty Ltd").ContactID
    sync(w)
    assert sum(1 for i in org.invoices.values() if "Pinnacle — office fit-out" in (i.Reference or "")) == 1


def test_zoho_edit_of_a_mirrored_invoice_does_not_flow_back(synced):
    w = synced
    zi = next(i for i in w.zoho_records("Invoices") if i.get("Xero_Invoice_ID"))
    xero_before = w.xero_org().invoices[zi["Xero_Invoice_ID"]].Reference
    w.zoho.ui_edit("Invoices", zi["id"], {"Purchase_Order": "PO-CHANGED-IN-ZOHO"})
    report = sync(w)
    assert w.xero_org().invoices[zi["Xero_Invoice_ID"]].Reference == xero_before
    assert report.counts.get("updated", 0) == 0


def test_same_field_on_both_sides_newest_wins(synced):
    w = synced
    c = w.xero_contact("Zenith IT Services Pty Ltd")
    account = account_for(w, c)
    w.xero.ui_edit_contact(c.ContactID, {"EmailAddress": "older@zenithit.com.au"})
    w.clock.advance(60)
    w.zoho.ui_edit("Accounts", account["id"], {"Email": "newer@zenithit.com.au"})
    sync(w)
    assert w.xero_contact("Zenith IT Services Pty Ltd").EmailAddress == "newer@zenithit.com.au"
    assert account_for(w, c)["Email"] == "newer@zenithit.com.au"


def test_ask_policy_parks_a_conflict_until_resolved(synced):
    w = synced
    service = w.sync_service()
    mapping = service.mappings()["contacts"]
    mapping.conflict_policy = "ask"
    from app.services.mappings import save_mapping

    save_mapping(service.profile, mapping)
    c = w.xero_contact("Magpie Print House")
    account = account_for(w, c)
    w.xero.ui_edit_contact(c.ContactID, {"Phones": [{"PhoneType": "DEFAULT", "PhoneNumber": "02 1111 1111"}]})
    w.zoho.ui_edit("Accounts", account["id"], {"Phone": "02 2222 2222"})
    report = sync(w)
    assert report.counts.get("conflicts") == 1 and report.needs_attention
    conflicts = review.conflicts(service)
    assert len(conflicts) == 1 and "Phone" in conflicts[0].fields
    # nothing was written for the conflicting field
    assert account_for(w, c)["Phone"] == "02 2222 2222"
    review.resolve_conflict(service, conflicts[0].id, ["zoho"])
    phone = w.xero_contact("Magpie Print House").Phones["DEFAULT"]
    assert (phone["PhoneAreaCode"], phone["PhoneNumber"]) == ("02", "2222 2222")
    assert review.conflicts(service) == []
    assert sync(w).counts.get("conflicts") is None
