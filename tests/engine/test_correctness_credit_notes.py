"""Credit notes applied in Xero reach Zoho: the credited invoice's amount due and status, and the customer's
outstanding balance, with the next sync (an allocation moves the invoice, never the contact, in Xero)."""

from datetime import UTC, date, datetime
from decimal import Decimal


def today(w) -> date:
    return datetime.fromtimestamp(w.clock.time()).date()


def zoho_invoice(w, inv):
    return w.zoho_one("Invoices", Xero_Invoice_ID=inv.InvoiceID)


def outstanding(w, contact_id) -> Decimal:
    return Decimal(str(w.zoho_one("Accounts", Xero_Contact_ID=contact_id)["Outstanding_Balance"] or 0))


def owed_not_due(w):
    """Linked sales invoices awaiting payment, nothing paid yet and not due yet, one per customer."""
    now, seen, out = today(w), set(), []
    for inv in w.xero_org().invoices.values():
        if inv.Type == "ACCREC" and inv.Status == "AUTHORISED" and inv.AmountPaid == 0 and inv.AmountDue > 20 \
                and inv.CurrencyCode == "AUD" and datetime.fromtimestamp(inv.DueDate / 1000, UTC).date() > now \
                and inv.ContactID not in seen:
            seen.add(inv.ContactID)
            out.append(inv)
    return out


def test_a_partial_credit_note_lowers_the_amount_due_and_the_customer_balance(synced):
    w = synced
    inv = owed_not_due(w)[0]
    contact = w.xero_org().contacts[inv.ContactID]
    contact_updated = contact.UpdatedDateUTC
    before = outstanding(w, inv.ContactID)
    assert Decimal(str(zoho_invoice(w, inv)["Balance"])) == inv.AmountDue
    w.clock.advance(60)
    note = w.xero.ui_credit_invoice(inv.InvoiceID, "20.00")
    assert note["Status"] == "PAID" and contact.UpdatedDateUTC == contact_updated  # Xero leaves the contact alone
    w.clock.advance(60)
    report = w.sync_service().sync()
    assert report.outcome == "ok", report.message
    zoho = zoho_invoice(w, inv)
    assert Decimal(str(zoho["Balance"])) == inv.AmountDue == inv.Total - Decimal("20.00")
    assert zoho["Xero_Status"] == "Authorised"
    assert outstanding(w, inv.ContactID) == before - Decimal("20.00")


def test_an_invoice_credited_in_full_shows_paid_and_leaves_the_balance(synced):
    w = synced
    full, partial = owed_not_due(w)[:2]
    before = {i.ContactID: outstanding(w, i.ContactID) for i in (full, partial)}
    owed = full.AmountDue
    w.clock.advance(60)
    # a credit note raised first and allocated later, as a bookkeeper often does
    note = w.xero.ui_create_credit_note({
        "Type": "ACCRECCREDIT", "Contact": {"ContactID": full.ContactID}, "Status": "AUTHORISED",
        "LineAmountTypes": "Inclusive",
        "LineItems": [{"Description": "Goods returned", "Quantity": 1, "UnitAmount": str(owed),
                       "AccountCode": "200"}]})
    w.xero.ui_allocate_credit_note(note["CreditNoteID"], full.InvoiceID, str(owed))
    w.xero.ui_credit_invoice(partial.InvoiceID, "5.50")  # another customer in the same sync
    w.clock.advance(60)
    report = w.sync_service().sync()
    assert report.outcome == "ok", report.message
    assert full.Status == "PAID" and full.AmountPaid == 0  # paid by credit alone
    zoho = zoho_invoice(w, full)
    assert zoho["Xero_Status"] == "Paid" and Decimal(str(zoho["Balance"])) == 0
    assert outstanding(w, full.ContactID) == before[full.ContactID] - owed
    assert outstanding(w, partial.ContactID) == before[partial.ContactID] - Decimal("5.50")
    # the next sync has nothing more to carry
    w.clock.advance(60)
    again = w.sync_service().sync()
    assert again.outcome == "ok" and not again.counts.get("updated"), again.message


def test_taking_a_credit_back_restores_the_amount_due(synced):
    w = synced
    inv = owed_not_due(w)[0]
    before = outstanding(w, inv.ContactID)
    note = w.xero.ui_credit_invoice(inv.InvoiceID, str(inv.AmountDue))
    w.clock.advance(60)
    assert w.sync_service().sync().outcome == "ok"
    assert zoho_invoice(w, inv)["Xero_Status"] == "Paid"
    w.xero.ui_remove_allocation(note["CreditNoteID"], note["Allocations"][0]["AllocationID"])
    w.clock.advance(60)
    assert w.sync_service().sync().outcome == "ok"
    assert zoho_invoice(w, inv)["Xero_Status"] == "Authorised"
    assert Decimal(str(zoho_invoice(w, inv)["Balance"])) == inv.Total
    assert outstanding(w, inv.ContactID) == before


def test_a_credited_invoice_edited_in_zoho_is_reported_once_and_never_written(synced):
    from app.services import mappings as mapping_store
    from app.store.models import FailedRecord, HistoryEntry

    w = synced
    profile = w.sync_service().profile
    mapping_store.save_mapping(profile, mapping_store.invoices_both_ways(
        mapping_store.current_mappings(profile)["invoices"]))
    inv = owed_not_due(w)[0]
    w.xero.ui_credit_invoice(inv.InvoiceID, "10.00")
    w.clock.advance(60)
    assert w.sync_service().sync().outcome == "ok"
    total, lines = inv.Total, [li.Description for li in inv.LineItems]
    z = zoho_invoice(w, inv)
    rows = [{"id": row["id"], **({"Description": "Changed in Zoho"} if n == 0 else {})}
            for n, row in enumerate(z["Invoiced_Items"])]
    w.zoho.ui_edit("Invoices", z["id"], {"Invoiced_Items": rows})
    for n in range(3):
        w.clock.advance(60)
        w.reset_counts()
        report = w.sync_service().sync()
        assert not {k for k in w.requests()["xero"] if k.startswith(("POST /api.xro/2.0/Invoices",
                                                                     "PUT /api.xro/2.0/Invoices"))}
        assert report.outcome == ("partial" if n == 0 else "ok"), report.message
    assert inv.Total == total and [li.Description for li in inv.LineItems] == lines
    failed = FailedRecord.get(FailedRecord.pair == "invoices", FailedRecord.status == "open")
    assert "can't change an invoice with credit applied in xero" in failed.error["message"].lower()
    assert HistoryEntry.select().where(HistoryEntry.action == "fail", HistoryEntry.pair == "invoices").count() == 1
