"""Records → the dicts Xero puts on the wire (PascalCase, fixed-scale Decimals, ``/Date()/`` strings).

Shapes follow the spec examples: contacts always carry both address slots (POBOX, STREET) and the four phone slots
(DEFAULT, DDI, FAX, MOBILE) even when empty, ``ContactGroups: []`` and ``Balances``; invoices carry
``DateString``/``DueDateString``/``UpdatedDateUTCString``; a nested contact is the short form with empty arrays.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .seed import lines_of
from .state import Allocation, Contact, CreditNote, Invoice, Item, LineItem, Org, Payment
from .wire import Q2, Q4, Q6, ZERO, date_string, day_floor, net_date, round2, utc_string

ADDRESS_SLOTS = ("POBOX", "STREET")
PHONE_SLOTS = ("DEFAULT", "DDI", "FAX", "MOBILE")
ADDRESS_KEYS = ("AddressLine1", "AddressLine2", "AddressLine3", "AddressLine4", "City", "Region", "PostalCode",
                "Country", "AttentionTo")


def m2(value: Decimal | None) -> Decimal:
    return (value if value is not None else ZERO).quantize(Q2)


def unit_dp(value: Decimal | None, unitdp4: bool) -> Decimal:
    value = value if value is not None else ZERO
    return value.quantize(Q4) if unitdp4 else round2(value)


# ----- contacts ------------------------------------------------------------------------------------------------
def _addresses(c: Contact) -> list[dict]:
    stored = c.Addresses or {}
    result = []
    for slot in ADDRESS_SLOTS:
        a = stored.get(slot) or {}
        row: dict[str, Any] = {"AddressType": slot}
        for key in ADDRESS_KEYS:
            if key in ("City", "Region", "PostalCode", "Country"):
                row[key] = a.get(key, "")
            elif a.get(key):
                row[key] = a[key]
        result.append(row)
    return result


def _phones(c: Contact) -> list[dict]:
    stored = c.Phones or {}
    result = []
    for slot in PHONE_SLOTS + tuple(k for k in stored if k not in PHONE_SLOTS):
        p = stored.get(slot) or {}
        result.append({"PhoneType": slot, "PhoneNumber": p.get("PhoneNumber", ""),
                       "PhoneAreaCode": p.get("PhoneAreaCode", ""), "PhoneCountryCode": p.get("PhoneCountryCode", "")})
    return result


def balances(org: Org, contact_id: str, now_ms: int) -> dict:
    today = day_floor(now_ms)
    ar_out = ar_over = ap_out = ap_over = ZERO
    for iid in org.invoices_by_contact.get(contact_id, ()):
        inv = org.invoices.get(iid)
        if inv is None or inv.Status != "AUTHORISED":
            continue
        due = inv.AmountDue
        overdue = inv.DueDate is not None and inv.DueDate < today
        if inv.Type == "ACCREC":
            ar_out += due
            ar_over += due if overdue else ZERO
        elif inv.Type == "ACCPAY":
            ap_out += due
            ap_over += due if overdue else ZERO
    return {"AccountsReceivable": {"Outstanding": m2(ar_out), "Overdue": m2(ar_over)},
            "AccountsPayable": {"Outstanding": m2(ap_out), "Overdue": m2(ap_over)}}


def contact_view(org: Org, c: Contact, now_ms: int, mode: str = "full") -> dict:
    """mode: ``full`` (by id or paged), ``list`` (unpaged list) or ``summary`` (summaryOnly)."""
    v: dict[str, Any] = {"ContactID": c.ContactID}
    if c.MergedToContactID and mode != "list":
        v["MergedToContactID"] = c.MergedToContactID
    if c.ContactNumber:
        v["ContactNumber"] = c.ContactNumber
    if c.AccountNumber:
        v["AccountNumber"] = c.AccountNumber
    v["ContactStatus"] = c.ContactStatus
    v["Name"] = c.Name
    for key in ("FirstName", "LastName", "CompanyNumber", "EmailAddress"):
        value = getattr(c, key)
        if value:
            v[key] = value
    if mode != "summary":
        v["BankAccountDetails"] = c.BankAccountDetails
        v["TaxNumber"] = c.TaxNumber
        if c.AccountsReceivableTaxType:
            v["AccountsReceivableTaxType"] = c.AccountsReceivableTaxType
        if c.AccountsPayableTaxType:
            v["AccountsPayableTaxType"] = c.AccountsPayableTaxType
        v["Addresses"] = _addresses(c)
        v["Phones"] = _phones(c)
    v["UpdatedDateUTC"] = net_date(c.UpdatedDateUTC)
    v["ContactGroups"] = []
    v["IsSupplier"] = c.IsSupplier
    v["IsCustomer"] = c.IsCustomer
    if c.DefaultCurrency:
        v["DefaultCurrency"] = c.DefaultCurrency
    if c.Website and mode != "summary":
        v["Website"] = c.Website
    if mode != "list":
        if c.SalesDefaultLineAmountType:
            v["SalesDefaultLineAmountType"] = c.SalesDefaultLineAmountType
        if c.PurchasesDefaultLineAmountType:
            v["PurchasesDefaultLineAmountType"] = c.PurchasesDefaultLineAmountType
    if mode != "summary":
        if c.Extra:
            for key, value in c.Extra.items():
                v.setdefault(key, value)
        if c.PaymentTerms:
            v["PaymentTerms"] = c.PaymentTerms
        v["ContactPersons"] = [dict(p) for p in (c.ContactPersons or [])]
        v["Balances"] = balances(org, c.ContactID, now_ms)
    v["HasAttachments"] = False
    v["HasValidationErrors"] = False
    return v


def nested_contact(org: Org, contact_id: str) -> dict:
    c = org.contacts.get(contact_id)
    v: dict[str, Any] = {"ContactID": contact_id}
    if c is not None:
        if c.ContactNumber:
            v["ContactNumber"] = c.ContactNumber
        v["Name"] = c.Name
    v.update({"Addresses": [], "Phones": [], "ContactGroups": [], "ContactPersons": [], "HasValidationErrors": False})
    return v


# ----- items ---------------------------------------------------------------------------------------------------
def _details(d: dict | None, unitdp4: bool) -> dict:
    if not d:
        return {}
    out: dict[str, Any] = {}
    if d.get("UnitPrice") is not None:
        price = d["UnitPrice"]
        out["UnitPrice"] = (price if unitdp4 else round2(price)).quantize(Q4)
    for key in ("AccountCode", "COGSAccountCode", "TaxType"):
        if d.get(key):
            out[key] = d[key]
    return out


def item_view(i: Item, unitdp4: bool = False) -> dict:
    v: dict[str, Any] = {"ItemID": i.ItemID, "Code": i.Code}
    if i.Description:
        v["Description"] = i.Description
    if i.PurchaseDescription:
        v["PurchaseDescription"] = i.PurchaseDescription
    v["UpdatedDateUTC"] = net_date(i.UpdatedDateUTC)
    v["PurchaseDetails"] = _details(i.PurchaseDetails, unitdp4)
    v["SalesDetails"] = _details(i.SalesDetails, unitdp4)
    v["Name"] = i.Name
    if i.InventoryAssetAccountCode:
        v["InventoryAssetAccountCode"] = i.InventoryAssetAccountCode
    v["IsTrackedAsInventory"] = i.IsTrackedAsInventory
    v["IsSold"] = i.IsSold
    v["IsPurchased"] = i.IsPurchased
    return v


# ----- invoices and payments -----------------------------------------------------------------------------------
def line_view(org: Org, li: LineItem, unitdp4: bool) -> dict:
    v: dict[str, Any] = {"LineItemID": li.LineItemID}
    if li.ItemCode:
        v["ItemCode"] = li.ItemCode
    v["Description"] = li.Description
    if li.Quantity is not None:
        v["Quantity"] = li.Quantity.quantize(Q4)
    if li.UnitAmount is not None:
        v["UnitAmount"] = unit_dp(li.UnitAmount, unitdp4)
    if li.TaxType:
        v["TaxType"] = li.TaxType
    v["TaxAmount"] = m2(li.TaxAmount)
    v["LineAmount"] = m2(li.LineAmount)
    if li.AccountCode:
        v["AccountCode"] = li.AccountCode
    v["Tracking"] = [dict(t) for t in (li.Tracking or [])]
    if li.DiscountRate is not None:
        v["DiscountRate"] = m2(li.DiscountRate)
    if li.DiscountAmount is not None:
        v["DiscountAmount"] = m2(li.DiscountAmount)
    if li.ItemCode:
        item_id = org.item_codes.get(li.ItemCode.lower())
        item = org.items.get(item_id) if item_id else None
        if item is not None:
            v["Item"] = {"ItemID": item.ItemID, "Name": item.Name, "Code": item.Code}
    return v


def payment_summary(p: Payment) -> dict:
    return {"PaymentID": p.PaymentID, "Date": net_date(p.Date), "Amount": m2(p.Amount), "Reference": p.Reference,
            "CurrencyRate": p.CurrencyRate.quantize(Q6), "HasAccount": False, "HasValidationErrors": False}


def _totals(v: dict, doc: Invoice | CreditNote) -> None:
    """An invoice's or credit note's totals, last change and currency, in Xero's order."""
    v["SubTotal"] = m2(doc.SubTotal)
    v["TotalTax"] = m2(doc.TotalTax)
    v["Total"] = m2(doc.Total)
    if doc.TotalDiscount != 0:
        v["TotalDiscount"] = m2(doc.TotalDiscount)
    v["UpdatedDateUTC"] = net_date(doc.UpdatedDateUTC)
    v["UpdatedDateUTCString"] = utc_string(doc.UpdatedDateUTC)
    v["CurrencyCode"] = doc.CurrencyCode


def invoice_view(org: Org, inv: Invoice, with_lines: bool = True, unitdp4: bool = False,
                 summary: bool = False) -> dict:
    v: dict[str, Any] = {"Type": inv.Type, "InvoiceID": inv.InvoiceID, "InvoiceNumber": inv.InvoiceNumber}
    if inv.Reference:
        v["Reference"] = inv.Reference
    if not summary:
        pays = [org.payments[pid] for pid in org.payments_by_invoice.get(inv.InvoiceID, ()) if pid in org.payments]
        v["Payments"] = [payment_summary(p) for p in pays if p.Status == "AUTHORISED"]
        v["CreditNotes"] = applied_credit_notes(org, inv)
        v["Prepayments"] = []
        v["Overpayments"] = []
    v["AmountDue"] = m2(inv.AmountDue)
    v["AmountPaid"] = m2(inv.AmountPaid)
    v["AmountCredited"] = m2(inv.AmountCredited)
    v["SentToContact"] = inv.SentToContact
    if inv.BrandingThemeID:
        v["BrandingThemeID"] = inv.BrandingThemeID
    v["CurrencyRate"] = inv.CurrencyRate.quantize(Q6)
    v["IsDiscounted"] = inv.TotalDiscount != 0
    v["HasAttachments"] = False
    v["HasErrors"] = False
    v["Contact"] = nested_contact(org, inv.ContactID)
    v["DateString"] = date_string(inv.Date)
    v["Date"] = net_date(inv.Date)
    if inv.DueDate is not None:
        v["DueDateString"] = date_string(inv.DueDate)
        v["DueDate"] = net_date(inv.DueDate)
    if inv.ExpectedPaymentDate is not None:
        v["ExpectedPaymentDate"] = net_date(inv.ExpectedPaymentDate)
    if inv.PlannedPaymentDate is not None:
        v["PlannedPaymentDate"] = net_date(inv.PlannedPaymentDate)
    v["Status"] = inv.Status
    v["LineAmountTypes"] = inv.LineAmountTypes
    if with_lines and not summary:
        v["LineItems"] = [line_view(org, li, unitdp4) for li in lines_of(org, inv)]
    else:
        v["LineItems"] = []
    _totals(v, inv)
    if inv.Url:
        v["Url"] = inv.Url
    if inv.FullyPaidOnDate is not None and inv.Status == "PAID":
        v["FullyPaidOnDate"] = net_date(inv.FullyPaidOnDate)
    return v


def payment_view(org: Org, p: Payment) -> dict:
    inv = org.invoices.get(p.InvoiceID)
    bank = p.Amount if p.CurrencyRate in (0, 1) else round2(p.Amount / p.CurrencyRate)
    v: dict[str, Any] = {"PaymentID": p.PaymentID, "Date": net_date(p.Date), "BankAmount": m2(bank),
                         "Amount": m2(p.Amount), "Reference": p.Reference, "CurrencyRate": p.CurrencyRate.quantize(Q6),
                         "PaymentType": p.PaymentType, "Status": p.Status,
                         "UpdatedDateUTC": net_date(p.UpdatedDateUTC), "UpdatedDateUTCString": utc_string(p.UpdatedDateUTC),
                         "HasAccount": True, "IsReconciled": p.IsReconciled,
                         "Account": {"AccountID": p.AccountID, "Code": p.AccountCode}}
    if inv is not None:
        v["Invoice"] = {"Type": inv.Type, "InvoiceID": inv.InvoiceID, "InvoiceNumber": inv.InvoiceNumber,
                        "Payments": [], "CreditNotes": [], "Prepayments": [], "Overpayments": [], "HasErrors": False,
                        "IsDiscounted": inv.TotalDiscount != 0, "Contact": nested_contact(org, inv.ContactID),
                        "LineItems": [], "CurrencyCode": inv.CurrencyCode}
    v["HasValidationErrors"] = False
    return v


# ----- credit notes and their allocations ----------------------------------------------------------------------
def applied_credit_notes(org: Org, inv: Invoice) -> list[dict]:
    """An invoice's ``CreditNotes``: each credit note allocated to it, with the amount it applied."""
    out = []
    for cid in org.credit_notes_by_invoice.get(inv.InvoiceID, ()):
        cn = org.credit_notes.get(cid)
        if cn is None:
            continue
        applied = sum((a.Amount for a in cn.Allocations or [] if a.InvoiceID == inv.InvoiceID and not a.IsDeleted),
                      ZERO)
        if applied:
            out.append({"CreditNoteID": cn.CreditNoteID, "CreditNoteNumber": cn.CreditNoteNumber,
                        "ID": cn.CreditNoteID, "AppliedAmount": m2(applied), "DateString": date_string(cn.Date),
                        "Date": net_date(cn.Date), "LineItems": [], "Total": m2(cn.Total)})
    return out


def _allocated_invoice(org: Org, invoice_id: str) -> dict:
    inv = org.invoices.get(invoice_id)
    v: dict[str, Any] = {"InvoiceID": invoice_id}
    if inv is not None:
        v["InvoiceNumber"] = inv.InvoiceNumber
    v.update({"Payments": [], "CreditNotes": [], "Prepayments": [], "Overpayments": [], "HasErrors": False,
              "IsDiscounted": bool(inv is not None and inv.TotalDiscount != 0), "LineItems": []})
    return v


def allocation_view(org: Org, cn: CreditNote, a: Allocation, with_credit_note: bool = False) -> dict:
    v: dict[str, Any] = {"AllocationID": a.AllocationID, "Amount": m2(a.Amount), "Date": net_date(a.Date),
                         "Invoice": _allocated_invoice(org, a.InvoiceID)}
    if with_credit_note:
        v["CreditNote"] = {"CreditNoteID": cn.CreditNoteID, "ID": cn.CreditNoteID, "LineItems": []}
    if a.IsDeleted:
        v["IsDeleted"] = True
    return v


def credit_note_view(org: Org, cn: CreditNote, with_lines: bool = True, unitdp4: bool = False) -> dict:
    v: dict[str, Any] = {"CreditNoteID": cn.CreditNoteID, "CreditNoteNumber": cn.CreditNoteNumber, "Payments": [],
                         "ID": cn.CreditNoteID, "CurrencyRate": cn.CurrencyRate.quantize(Q6), "Type": cn.Type,
                         "Reference": cn.Reference, "RemainingCredit": m2(cn.RemainingCredit),
                         "Allocations": [allocation_view(org, cn, a) for a in cn.Allocations or [] if not a.IsDeleted],
                         "HasAttachments": False, "HasErrors": False, "SentToContact": cn.SentToContact}
    if cn.BrandingThemeID:
        v["BrandingThemeID"] = cn.BrandingThemeID
    v["Contact"] = nested_contact(org, cn.ContactID)
    v["DateString"] = date_string(cn.Date)
    v["Date"] = net_date(cn.Date)
    if cn.DueDate is not None:
        v["DueDateString"] = date_string(cn.DueDate)
        v["DueDate"] = net_date(cn.DueDate)
    v["Status"] = cn.Status
    v["LineAmountTypes"] = cn.LineAmountTypes
    v["LineItems"] = [line_view(org, li, unitdp4) for li in cn.LineItems or []] if with_lines else []
    _totals(v, cn)
    if cn.FullyPaidOnDate is not None and cn.Status == "PAID":
        v["FullyPaidOnDate"] = net_date(cn.FullyPaidOnDate)
    return v
