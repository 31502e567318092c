"""What sales needs in the CRM: an authorised invoice past its due date shows as Overdue in Zoho, refreshed as days
pass without any change in Xero; a customer's outstanding and overdue balances are current after a payment and a
void in the same sync, and the overdue balance grows as invoices fall due."""

from datetime import UTC, date, datetime
from decimal import Decimal


def today(w) -> date:
    return datetime.fromtimestamp(w.clock.time()).date()


def zoho_invoice(w, inv):
    return w.zoho_one("Invoices", Xero_Invoice_ID=inv.InvoiceID)


def zoho_account(w, contact_id):
    return w.zoho_one("Accounts", Xero_Contact_ID=contact_id)


def not_yet_due(w):
    """Authorised invoices still owed and not due yet, soonest due first."""
    now = today(w)
    found = [i for i in w.xero_org().invoices.values() if i.Type == "ACCREC" and i.Status == "AUTHORISED"
             and i.AmountDue > 0 and datetime.fromtimestamp(i.DueDate / 1000, UTC).date() > now]
    return sorted(found, key=lambda i: i.DueDate)


def test_an_authorised_invoice_becomes_overdue_in_zoho_as_days_pass_with_no_xero_change(synced):
    w = synced
    inv = not_yet_due(w)[0]
    assert zoho_invoice(w, inv)["Xero_Status"] == "Authorised"
    updated = inv.UpdatedDateUTC
    due = datetime.fromtimestamp(inv.DueDate / 1000, UTC).date()
    w.clock.advance(((due - today(w)).days + 1) * 86400)
    report = w.sync_service().sync()
    assert report.outcome == "ok", report.message
    assert inv.UpdatedDateUTC == updated  # nothing changed in Xero
    assert zoho_invoice(w, inv)["Xero_Status"] == "Overdue"
    account = zoho_account(w, inv.ContactID)
    assert Decimal(str(account["Overdue_Balance"])) >= inv.AmountDue  # the customer's overdue balance grew too
    w.clock.advance(3600)
    w.reset_counts()
    assert w.sync_service().sync().outcome == "ok"
    assert "GET /api.xro/2.0/Invoices/{id}" not in w.requests()["xero"]  # read again once a day, not every sync


def test_an_overdue_invoice_paid_in_full_shows_paid_and_leaves_the_overdue_balance(synced):
    w = synced
    inv = not_yet_due(w)[0]
    w.clock.advance(((datetime.fromtimestamp(inv.DueDate / 1000, UTC).date() - today(w)).days + 1) * 86400)
    w.sync_service().sync()
    overdue = Decimal(str(zoho_account(w, inv.ContactID)["Overdue_Balance"]))
    owed = inv.AmountDue
    w.xero.ui_add_payment(inv.InvoiceID, str(owed))
    w.clock.advance(60)
    assert w.sync_service().sync().outcome == "ok"
    assert zoho_invoice(w, inv)["Xero_Status"] == "Paid"
    assert Decimal(str(zoho_account(w, inv.ContactID)["Overdue_Balance"])) == overdue - owed


def test_balances_are_current_after_a_payment_and_a_void_in_the_same_sync(synced):
    w = synced
    owed = [i for i in not_yet_due(w) if i.AmountPaid == 0]
    voided, paid = owed[0], next(i for i in owed[1:] if i.ContactID != owed[0].ContactID)
    before = {c: Decimal(str(zoho_account(w, c)["Outstanding_Balance"] or 0)) for c in (voided.ContactID,
                                                                                          paid.ContactID)}
    w.xero.ui_void_invoice(voided.InvoiceID)
    w.xero.ui_add_payment(paid.InvoiceID, "10.00")
    w.clock.advance(60)
    report = w.sync_service().sync()
    assert report.outcome == "ok", report.message
    assert Decimal(str(zoho_account(w, voided.ContactID)["Outstanding_Balance"])) == \
        before[voided.ContactID] - voided.Total
    assert Decimal(str(zoho_account(w, paid.ContactID)["Outstanding_Balance"])) == \
        before[paid.ContactID] - Decimal("10.00")
    assert zoho_invoice(w, voided)["Xero_Status"] == "Voided"
