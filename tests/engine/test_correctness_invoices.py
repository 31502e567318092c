"""Invoices both ways, safely: with the invoices pair set to both directions nothing nobody edited is written, a
Zoho edit reaches Xero only for the field a person changed and keeps what Zoho cannot hold (tax-inclusive amounts,
discounts, account codes, tracking), totals stay Xero's to the cent, invoices Xero will not let anyone edit are
reported once and never written, and invoices made in Zoho CRM arrive in Xero as drafts with the right tax."""

from decimal import Decimal

import pytest

from app.services import mappings as mapping_store
from app.store.models import FailedRecord, HistoryEntry

POST_INVOICES = "POST /api.xro/2.0/Invoices"
PUT_INVOICES = "PUT /api.xro/2.0/Invoices"


@pytest.fixture
def both_ways(synced):
    w = synced
    profile = w.sync_service().profile
    mapping_store.save_mapping(profile, mapping_store.invoices_both_ways(
        mapping_store.current_mappings(profile)["invoices"]))
    return w


def xero_invoice(w, number):
    return next(i for i in w.xero_org().invoices.values() if i.InvoiceNumber == number)


def xero_writes(w) -> int:
    counts = w.requests()["xero"]
    return counts.get(POST_INVOICES, 0) + counts.get(PUT_INVOICES, 0)


def sync(w):
    w.reset_counts()
    report = w.sync_service().sync()
    w.clock.advance(60)
    return report


def edit_rows(w, invoice, change):
    """Edit the Zoho invoice linked to ``invoice`` as a person would: its rows, by row id."""
    z = w.zoho_one("Invoices", Xero_Invoice_ID=invoice.InvoiceID)
    rows = [{"id": row["id"], **change(n, row)} for n, row in enumerate(z["Invoiced_Items"])]
    w.zoho.ui_edit("Invoices", z["id"], {"Invoiced_Items": rows})
    w.clock.advance(60)
    return z


def lines(invoice):
    return [(li.Description, li.Quantity, li.UnitAmount, li.DiscountRate, li.TaxType, li.AccountCode,
             li.LineAmount, li.TaxAmount) for li in invoice.LineItems]


def test_two_cycles_both_ways_with_no_edits_write_no_xero_invoice(both_ways):
    w = both_ways
    for _ in range(2):
        report = sync(w)
        assert report.outcome == "ok", report.message
        assert xero_writes(w) == 0
        assert not report.by_pair.get("invoices", {}).get("updated")
        assert not report.counts.get("failed")


def test_a_line_description_edited_in_zoho_keeps_a_tax_inclusive_invoice_total_to_the_cent(both_ways):
    w = both_ways
    inv = xero_invoice(w, "INV-0054")
    assert inv.LineAmountTypes == "Inclusive" and inv.Total == Decimal("4513.30")
    before = lines(inv)
    edit_rows(w, inv, lambda n, row: {"Description": "Service visit, March" if n == 0 else row["Description"]})
    report = sync(w)
    assert report.outcome == "ok", report.message
    assert xero_writes(w) == 1
    inv = xero_invoice(w, "INV-0054")
    assert inv.Total == Decimal("4513.30") and inv.LineAmountTypes == "Inclusive"
    assert lines(inv)[0][0] == "Service visit, March"
    assert lines(inv)[0][1:] == before[0][1:] and lines(inv)[1:] == before[1:]
    assert sync(w).counts.get("updated") is None and xero_writes(w) == 0  # and it does not come back


def test_a_discounted_inclusive_invoice_keeps_its_discount_rate_and_account_when_a_quantity_changes(both_ways):
    w = both_ways
    inv = xero_invoice(w, "INV-0049")
    first = inv.LineItems[0]
    assert inv.LineAmountTypes == "Inclusive" and first.DiscountRate == Decimal("10.00")
    first.Tracking = [{"Name": "Region", "Option": "Sydney"}]  # tracking set in Xero travels nowhere else
    unit, account = first.UnitAmount, first.AccountCode
    edit_rows(w, inv, lambda n, row: {"Quantity": row["Quantity"] + 1} if n == 0 else {})
    report = sync(w)
    assert report.outcome == "ok", report.message
    line = xero_invoice(w, "INV-0049").LineItems[0]
    assert (line.DiscountRate, line.UnitAmount, line.AccountCode, line.TaxType) == (
        Decimal("10.00"), unit, account, "OUTPUT")
    assert line.Tracking == [{"Name": "Region", "Option": "Sydney"}]
    inv = xero_invoice(w, "INV-0049")
    assert inv.LineAmountTypes == "Inclusive"
    z = w.zoho_one("Invoices", Xero_Invoice_ID=inv.InvoiceID)
    assert Decimal(str(z["Grand_Total"])) == inv.Total  # Xero's new total came back to Zoho to the cent


def test_an_edit_in_xero_flows_to_zoho_without_writing_xero(both_ways):
    w = both_ways
    inv = xero_invoice(w, "INV-0054")
    inv.Reference = "PO-XERO-EDIT"
    inv.UpdatedDateUTC = int(w.clock.time() * 1000)
    report = sync(w)
    assert report.outcome == "ok", report.message
    assert xero_writes(w) == 0
    assert w.zoho_one("Invoices", Xero_Invoice_ID=inv.InvoiceID)["Purchase_Order"] == "PO-XERO-EDIT"


@pytest.mark.parametrize(("number", "reason"), [("INV-0004", "a paid invoice"), ("INV-0034", "a voided invoice"),
                                                ("INV-0029", "an invoice with payments")])
def test_an_invoice_xero_will_not_change_is_reported_once_and_never_written(both_ways, number, reason):
    w = both_ways
    inv = xero_invoice(w, number)
    if reason == "a voided invoice":  # voided in Xero after the first sync
        inv.Status, inv.UpdatedDateUTC = "VOIDED", int(w.clock.time() * 1000)
        assert sync(w).outcome == "ok"
    total = inv.Total
    edit_rows(w, inv, lambda n, row: {"Description": "Changed in Zoho"} if n == 0 else {})
    report = sync(w)
    assert xero_writes(w) == 0 and xero_invoice(w, number).Total == total
    assert report.outcome == "partial" and report.counts["failed"] == 1
    failed = FailedRecord.get(FailedRecord.pair == "invoices", FailedRecord.status == "open")
    assert f"can't change {reason} in xero" in failed.error["message"].lower()
    assert "Invoiced Items" in failed.error["message"]
    for _ in range(2):  # not tried again, not reported again
        report = sync(w)
        assert report.outcome == "ok", report.message
        assert xero_writes(w) == 0
    assert HistoryEntry.select().where(HistoryEntry.action == "fail", HistoryEntry.pair == "invoices").count() == 1


def test_an_invoice_in_a_locked_period_is_not_written(both_ways):
    w = both_ways
    inv = xero_invoice(w, "INV-0054")
    w.xero_org().PeriodLockDate = inv.Date
    edit_rows(w, inv, lambda n, row: {"Description": "After the lock"} if n == 0 else {})
    report = sync(w)
    assert xero_writes(w) == 0 and report.counts["failed"] == 1
    failed = FailedRecord.get(FailedRecord.pair == "invoices", FailedRecord.status == "open")
    assert "can't change an invoice in a locked period in xero" in failed.error["message"].lower()


def test_an_invoice_made_in_zoho_arrives_in_xero_as_a_draft_with_gst(both_ways):
    w = both_ways
    acme = w.xero_contact("Acme Catering Pty Ltd")
    account = w.zoho_one("Accounts", Xero_Contact_ID=acme.ContactID)
    beans = w.zoho_one("Products", Product_Code="BEAN-1KG")
    made = w.zoho.ui_create("Invoices", {
        "Subject": "Beans for the new café", "Account_Name": {"id": account["id"]}, "Invoice_Date": "2026-11-20",
        "Invoiced_Items": [{"Product_Name": {"id": beans["id"]}, "Quantity": 3, "List_Price": 32.0,
                            "Line_Tax": [{"name": "GST", "percentage": 10}]}]})
    w.clock.advance(60)
    report = sync(w)
    assert report.outcome == "ok", report.message
    assert report.by_pair["invoices"]["created"] == 1
    zoho = w.zoho_records("Invoices", id=made["id"])[0]
    inv = w.xero_org().invoices[zoho["Xero_Invoice_ID"]]
    assert (inv.Status, inv.ContactID, inv.SubTotal, inv.TotalTax, inv.Total) == (
        "DRAFT", acme.ContactID, Decimal("96.00"), Decimal("9.60"), Decimal("105.60"))
    assert [(li.ItemCode, li.TaxType, li.AccountCode) for li in inv.LineItems] == [("BEAN-1KG", "OUTPUT", "200")]
    assert sync(w).outcome == "ok" and xero_writes(w) == 0


def test_a_setting_lets_invoices_made_in_zoho_arrive_authorised(synced):
    w = synced
    profile = w.sync_service().profile
    mapping_store.save_mapping(profile, mapping_store.invoices_both_ways(
        mapping_store.current_mappings(profile)["invoices"], created_status="AUTHORISED"))
    account = w.zoho_one("Accounts", Xero_Contact_ID=w.xero_contact("Acme Catering Pty Ltd").ContactID)
    made = w.zoho.ui_create("Invoices", {
        "Subject": "Authorised from Zoho", "Account_Name": {"id": account["id"]}, "Invoice_Date": "2026-11-20",
        "Due_Date": "2026-12-04", "Invoiced_Items": [{"Product_Name": {"id": w.zoho_one(
            "Products", Product_Code="BEAN-1KG")["id"]}, "Quantity": 1, "List_Price": 32.0, "Line_Tax": []}]})
    w.clock.advance(60)
    assert sync(w).outcome == "ok"
    inv = w.xero_org().invoices[w.zoho_records("Invoices", id=made["id"])[0]["Xero_Invoice_ID"]]
    assert inv.Status == "AUTHORISED" and inv.LineItems[0].TaxType == "EXEMPTOUTPUT"
