"""/Payments: list (If-Modified-Since, where/order, page/pageSize), read by id, PUT/POST create (one per element,
against an AUTHORISED invoice, never more than the amount due), and ``POST /Payments/{id} {"Status":"DELETED"}``
to reverse one. A payment moves the invoice's AmountPaid/AmountDue and makes it PAID when settled; deleting the
payment puts it back to AUTHORISED. Payments cannot otherwise be edited.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import httpx

from .calls import Call, CallError, Outcome, failed, filter_and_sort, make_resolver, page_of, run_batch
from .invoices import find as find_invoice
from .invoices import org_today
from .reference import accounts
from .state import Invoice, Org, Payment
from .views import payment_view
from .wire import (
    NOT_FOUND_TEXT,
    parse_body,
    parse_body_date,
    post_data_invalid,
    round2,
    text_response,
    to_decimal,
    xero_response,
)

NOT_FOUND = "The document with the supplied id was not found for this endpoint."


def resolver(org: Org):
    extra = {"Invoice.InvoiceID": lambda p: p.InvoiceID,
             "Invoice.InvoiceNumber": lambda p: org.invoices[p.InvoiceID].InvoiceNumber
             if p.InvoiceID in org.invoices else None,
             "Account.Code": lambda p: p.AccountCode, "Account.AccountID": lambda p: p.AccountID}
    return make_resolver(Payment, ("Date", "UpdatedDateUTC"), extra)


def get(call: Call) -> httpx.Response:
    org = call.org
    if call.path_rest:
        p = org.payments.get(call.path_rest[0].lower())
        if p is None:
            return text_response(404, NOT_FOUND_TEXT)
        return call.ok("Payments", [payment_view(org, p)])
    records = filter_and_sort(call, org.payments.values(), resolver(org), "Payment")
    page, pagination = page_of(call, records)
    return call.ok("Payments", [payment_view(org, p) for p in page], pagination)


# ----- effects on the invoice ------------------------------------------------------------------------------------
def apply_payment(org: Org, inv: Invoice, p: Payment, now_ms: int, bump: bool) -> None:
    inv.AmountPaid += p.Amount
    org.payments_by_invoice.setdefault(inv.InvoiceID, []).append(p.PaymentID)
    if inv.AmountDue == 0:
        inv.Status = "PAID"
        inv.FullyPaidOnDate = p.Date
    if bump:
        inv.UpdatedDateUTC = now_ms


def reverse_payment(org: Org, p: Payment, now_ms: int, bump: bool) -> None:
    p.Status = "DELETED"
    p.UpdatedDateUTC = now_ms
    inv = org.invoices.get(p.InvoiceID)
    if inv is None:
        return
    inv.AmountPaid -= p.Amount
    if inv.Status == "PAID":
        inv.Status = "AUTHORISED"
        inv.FullyPaidOnDate = None
    if bump:
        inv.UpdatedDateUTC = now_ms


# ----- writes ----------------------------------------------------------------------------------------------------
def _account(org: Org, raw: Any, code: Any) -> dict | None:
    chart = accounts(org.CountryCode, org.TenantID)
    wanted_id = str(raw.get("AccountID") or "").lower() if isinstance(raw, dict) else ""
    wanted_code = str((raw.get("Code") if isinstance(raw, dict) else None) or code or "")
    for a in chart:
        if (wanted_id and a["AccountID"] == wanted_id) or (wanted_code and a["Code"] == wanted_code):
            return a if (a["Type"] == "BANK" or a["EnablePaymentsToAccount"]) else None
    return None


def create_one(call: Call, el: Any) -> Outcome:
    org = call.org
    if not isinstance(el, dict):
        return failed({}, ["A Payment element is required."])
    raw_inv = el.get("Invoice") if isinstance(el.get("Invoice"), dict) else {}
    key = str(raw_inv.get("InvoiceID") or raw_inv.get("InvoiceNumber") or el.get("InvoiceNumber") or "").strip()
    inv = find_invoice(org, key) if key else None
    errors: list[str] = []
    if inv is None:
        return failed(el, [NOT_FOUND])
    if inv.Status != "AUTHORISED":
        errors.append("Payments can only be made against Authorised documents")
    account = _account(org, el.get("Account"), el.get("Code"))
    if account is None:
        errors.append("Account could not be found")
    try:
        amount = to_decimal(el.get("Amount"))
        rate = to_decimal(el.get("CurrencyRate"))
        date = parse_body_date(el.get("Date"))
    except ValueError as exc:
        return failed(el, [f"A value in the payment could not be read: {exc}"])
    if amount is None or amount <= 0:
        errors.append("Payment amount must be greater than zero.")
    elif not errors and round2(amount) > inv.AmountDue:
        errors.append("Payment amount exceeds the amount outstanding on this document")
    if errors:
        return failed(el, errors)
    assert amount is not None and account is not None
    p = Payment(PaymentID=str(uuid.uuid4()), InvoiceID=inv.InvoiceID, Date=date or org_today(org, call.now_ms),
                Amount=round2(amount), AccountID=account["AccountID"], AccountCode=account["Code"],
                PaymentType="ACCRECPAYMENT" if inv.Type == "ACCREC" else "ACCPAYPAYMENT",
                CurrencyRate=(rate or inv.CurrencyRate).quantize(Decimal("0.000001")),
                Reference=str(el.get("Reference") or ""), IsReconciled=el.get("IsReconciled") is True,
                UpdatedDateUTC=call.now_ms)
    org.payments[p.PaymentID] = p
    apply_payment(org, inv, p, call.now_ms, bool(call.switches.get("payment_bumps_invoice", True)))
    return Outcome(payment_view(org, p))


def delete_one(call: Call, payment_id: str) -> httpx.Response:
    org = call.org
    p = org.payments.get(payment_id.lower())
    if p is None:
        return text_response(404, NOT_FOUND_TEXT)
    body: Any = None
    if call.body.strip():
        try:
            body = parse_body(call.body)
        except ValueError:
            return xero_response(400, post_data_invalid("The JSON in the request body is not valid."))
    if isinstance(body, dict) and isinstance(body.get("Payments"), list) and body["Payments"]:
        body = body["Payments"][0]
    status = str(body.get("Status") or "").upper() if isinstance(body, dict) else ""
    if status != "DELETED":
        return run_batch(call, "Payments", [body or {}],
                         lambda el: failed(el if isinstance(el, dict) else {},
                                           ["Payments can only be deleted: send {\"Status\": \"DELETED\"}."]))
    if p.Status == "DELETED":
        return run_batch(call, "Payments", [body], lambda el: failed(el, ["This payment has already been deleted."]))
    reverse_payment(org, p, call.now_ms, bool(call.switches.get("payment_bumps_invoice", True)))
    return call.ok("Payments", [payment_view(org, p)])


def write(call: Call) -> httpx.Response:
    if call.path_rest:
        if call.method != "POST":
            return text_response(404, NOT_FOUND_TEXT)
        return delete_one(call, call.path_rest[0])
    try:
        elements = call.elements("Payments", "Payment")
    except CallError:
        single = _bare_payment(call)  # POST /Payments (createPayment) takes one bare Payment object too
        if single is None:
            raise
        elements = [single]
    return run_batch(call, "Payments", elements, lambda el: create_one(call, el))


def _bare_payment(call: Call) -> dict | None:
    if call.method != "POST" or not call.body.strip():
        return None
    try:
        single = parse_body(call.body)
    except ValueError:
        return None
    return single if isinstance(single, dict) and isinstance(single.get("Invoice"), dict) else None
