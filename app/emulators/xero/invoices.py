"""/Invoices (ACCREC sales invoices and ACCPAY bills).

Reads: list filters ``IDs, InvoiceNumbers, ContactIDs, Statuses, searchTerm, where, order, If-Modified-Since,
page/pageSize, summaryOnly, unitdp``; an unpaged list leaves ``LineItems`` empty, a paged one (or a read by
InvoiceID / InvoiceNumber) includes them.

Writes: PUT creates, POST creates or updates (InvoiceID, else an ACCREC InvoiceNumber). Totals are computed on the
server with per-line tax rounding (:mod:`.calc`); a client's Total is ignored. ACCREC numbers are auto-generated
(``INV-0001`` …) and unique among non-deleted sales invoices. Status machine::

    DRAFT ⇄ SUBMITTED → AUTHORISED → PAID (by payments or credit notes allocated, see :mod:`.credit_notes`)
    DRAFT/SUBMITTED → DELETED        AUTHORISED (no payments, no credit allocated) → VOIDED

anything else → "Invoice not of valid status for modification". Lines follow Xero's replacement rule: lines sent
with a known LineItemID are kept/updated, lines without one are created (inserted before the kept ones), lines
not sent are deleted.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import httpx

from . import contacts
from .calc import apply_totals, line_amounts, line_tax
from .calls import (
    Call,
    CallError,
    Outcome,
    failed,
    filter_and_sort,
    ids_param,
    make_resolver,
    page_of,
    run_batch,
)
from .reference import (
    BRANDING_THEME_IDS,
    DAY_RATES,
    DEFAULT_PURCHASE_TAX,
    DEFAULT_SALES_TAX,
    TAX_RATES,
    accounts,
)
from .seed import lines_of, materialise_lines
from .state import Invoice, LineItem, Org, number_key
from .views import invoice_view
from .wire import (
    DAY_MS,
    NO_CACHE,
    NOT_FOUND_TEXT,
    ZERO,
    day_floor,
    parse_body_date,
    round2,
    round4,
    text_response,
    to_decimal,
    validation_exception,
    xero_response,
)

STATUSES = ("DRAFT", "SUBMITTED", "AUTHORISED", "PAID", "VOIDED", "DELETED")
AMOUNT_TYPES = {"exclusive": "Exclusive", "inclusive": "Inclusive", "notax": "NoTax"}
TRANSITIONS = {
    "DRAFT": {"SUBMITTED", "AUTHORISED", "DELETED"},
    "SUBMITTED": {"DRAFT", "AUTHORISED", "DELETED"},
    "AUTHORISED": {"VOIDED"},
}
BAD_STATUS = "Invoice not of valid status for modification"
HAS_PAYMENTS = "This document cannot be edited as it has a payment or credit note allocated to it."
LOCKED = "The document date cannot be before the period lock date."
ORG_UTC_OFFSET_MS = {"AU": 11 * 3_600_000, "NZ": 13 * 3_600_000}  # summer time in Sydney / Auckland


def resolver(org: Org):
    def contact_attr(attr: str):
        def get(inv: Invoice) -> Any:
            c = org.contacts.get(inv.ContactID)
            return getattr(c, attr) if c is not None else None
        return get

    extra = {
        "Contact.ContactID": lambda inv: inv.ContactID,
        "Contact.Name": contact_attr("Name"),
        "Contact.ContactNumber": contact_attr("ContactNumber"),
        "AmountDue": lambda inv: inv.AmountDue,
        "SubTotal": lambda inv: inv.SubTotal,
        "InvoiceId": lambda inv: inv.InvoiceID,
    }
    return make_resolver(Invoice, ("Date", "DueDate", "UpdatedDateUTC", "FullyPaidOnDate", "ExpectedPaymentDate",
                                   "PlannedPaymentDate"), extra)


def find(org: Org, key: str) -> Invoice | None:
    inv = org.invoices.get(key) or org.invoices.get(key.lower())
    if inv is None:
        iid = org.invoice_numbers.get(number_key(key))
        inv = org.invoices.get(iid) if iid else None
    if inv is None:  # ACCPAY numbers are not indexed (not unique): first match
        inv = next((i for i in org.invoices.values() if i.InvoiceNumber and i.InvoiceNumber.lower() == key.lower()),
                   None)
    return inv


def org_today(org: Org, now_ms: int) -> int:
    return day_floor(now_ms + ORG_UTC_OFFSET_MS.get(org.CountryCode, 0))


# ----- reads -----------------------------------------------------------------------------------------------------
def get(call: Call) -> httpx.Response:
    org = call.org
    if call.path_rest:
        inv = find(org, call.path_rest[0])
        if inv is None:
            return text_response(404, NOT_FOUND_TEXT)
        since = call.if_modified_since()
        if call.switches.get("not_modified_304") and since is not None and inv.UpdatedDateUTC < since:
            return httpx.Response(304)
        return call.ok("Invoices", [invoice_view(org, inv, True, call.unitdp4)])
    records: Any = org.invoices.values()
    ids = ids_param(call, "IDs")
    if ids is not None:
        records = [i for i in records if i.InvoiceID in ids]
    numbers = ids_param(call, "InvoiceNumbers")
    if numbers is not None:
        records = [i for i in records if i.InvoiceNumber.lower() in numbers]
    contact_ids = ids_param(call, "ContactIDs")
    if contact_ids is not None:
        records = [i for i in records if i.ContactID in contact_ids]
    statuses = ids_param(call, "Statuses")
    if statuses is not None:
        records = [i for i in records if i.Status.lower() in statuses]
    elif not call.switches.get("deleted_invoices_in_lists", True) and ids is None and numbers is None:
        records = [i for i in records if i.Status != "DELETED"]
    if call.flag("createdByMyApp"):
        records = [i for i in records if i.CreatedByApp and i.CreatedByApp == call.client_id]
    term = (call.q("searchTerm") or "").strip().lower()
    if term:
        records = [i for i in records if term in i.InvoiceNumber.lower() or term in i.Reference.lower()]
    records = filter_and_sort(call, records, resolver(org), "Invoice")
    summary = call.flag("summaryOnly")
    page, pagination = page_of(call, records, force=summary)
    with_lines = pagination is not None and not summary
    return call.ok("Invoices", [invoice_view(org, i, with_lines, call.unitdp4, summary) for i in page], pagination)


# ----- writes ----------------------------------------------------------------------------------------------------
def _tax_rates(org: Org) -> dict[str, dict]:
    return {r["TaxType"]: r for r in TAX_RATES[org.CountryCode]}


def _resolve_contact(call: Call, raw: Any, errors: list[str]) -> tuple[str | None, dict | None]:
    """(contact id, pending contact changes) for an invoice's ``Contact`` element."""
    org = call.org
    if not isinstance(raw, dict):
        errors.append("A Contact must be specified for this type of transaction")
        return None, None
    cid = str(raw.get("ContactID") or "").strip().lower()
    number = str(raw.get("ContactNumber") or "").strip()
    name = str(raw.get("Name") or "").strip()
    target = None
    if cid:
        target = org.contacts.get(cid)
        if target is None:
            errors.append("The contact with the specified ContactID could not be found.")
            return None, None
    elif number:
        target = contacts.find(org, number)
        if target is None and not name:
            errors.append(f"The contact with the specified ContactNumber {number} could not be found.")
            return None, None
    if target is None and name:
        target = contacts.find_by_name(org, name)
    if target is None and not name:
        errors.append("The Contact must contain at least 1 of the following elements to identify the contact: "
                      "Name, ContactID, ContactNumber")
        return None, None
    ignored = {"ContactID", "HasValidationErrors", "HasAttachments", "Addresses", "Phones", "ContactGroups",
               "ContactPersons", "IsSupplier", "IsCustomer", "Balances", "UpdatedDateUTC", "ValidationErrors"}
    extra = {k: v for k, v in raw.items() if k not in ignored and v not in (None, "", [])}
    if target is not None:
        if extra.get("Name") == target.Name:
            del extra["Name"]
        if extra.get("ContactNumber") == target.ContactNumber:
            del extra["ContactNumber"]
        if not extra or not call.switches.get("invoice_contact_updates_contact", True):
            return target.ContactID, None
    changes, contact_errors = contacts.prepare(org, {**raw, "Name": raw.get("Name") or (target.Name if target else "")},
                                               target, call)
    if contact_errors:
        errors.extend(contact_errors)
        return None, None
    return (target.ContactID if target else None), changes


def _build_lines(call: Call, inv_type: str, amount_types: str, raw_lines: list, existing: list[LineItem],
                 contact_tax: str, errors: list[str], warnings: list[str]) -> tuple[list[LineItem], Decimal]:
    org = call.org
    rates = _tax_rates(org)
    chart = {a["Code"]: a for a in accounts(org.CountryCode, org.TenantID)}
    by_id = {li.LineItemID: li for li in existing}
    new_lines: list[LineItem] = []
    kept: list[LineItem] = []
    discount_total = ZERO
    for raw in raw_lines:
        if not isinstance(raw, dict):
            continue
        line_id = str(raw.get("LineItemID") or "").lower()
        base = by_id.get(line_id)
        item = None
        code = str(raw.get("ItemCode") or (base.ItemCode if base else "") or "").strip()
        if code:
            iid = org.item_codes.get(code.lower())
            item = org.items.get(iid) if iid else None
            if item is None:
                errors.append(f"Item code '{code}' is not valid")
                continue
            code = item.Code
        details = (item.SalesDetails if inv_type == "ACCREC" else item.PurchaseDetails) if item else None
        details = details or {}

        def pick(key: str, base=base, raw=raw):
            if key in raw and raw[key] is not None:
                return raw[key]
            return getattr(base, key) if base is not None else None

        description = str(pick("Description") or "")
        if not description and item is not None:
            description = (item.Description if inv_type == "ACCREC" else item.PurchaseDescription) or item.Name
        if not description.strip():
            errors.append("The description field is mandatory for each line item.")
            continue
        try:
            qty = to_decimal(pick("Quantity"))
            unit = to_decimal(pick("UnitAmount"))
            line_amount = to_decimal(raw.get("LineAmount"))
            discount_rate = to_decimal(pick("DiscountRate")) if inv_type == "ACCREC" else None
            discount_amount = to_decimal(pick("DiscountAmount")) if inv_type == "ACCREC" else None
            tax_override = to_decimal(raw.get("TaxAmount"))
        except ValueError as exc:
            errors.append(f"A line item has an invalid number: {exc}")
            continue
        if unit is None and item is not None and details.get("UnitPrice") is not None:
            unit = details["UnitPrice"]
        if qty is not None:
            qty = round4(qty)
        if unit is not None:
            unit = round4(unit) if call.unitdp4 else round2(unit)
        if qty is not None and unit is not None:
            line_amount = None  # recomputed from quantity × unit
        quantity, unit_amount, amount, discount = line_amounts(qty, unit, line_amount, discount_rate, discount_amount)
        account = str(pick("AccountCode") or details.get("AccountCode") or "")
        if account and account not in chart:
            warnings.append(f"Account code '{account}' has been removed as it does not match a recognised account.")
            account = ""
        tax_type = str(pick("TaxType") or details.get("TaxType") or contact_tax or
                       (chart[account]["TaxType"] if account else "") or
                       (DEFAULT_SALES_TAX if inv_type == "ACCREC" else DEFAULT_PURCHASE_TAX)[org.CountryCode])
        rate = rates.get(tax_type)
        applies = rate and (rate["CanApplyToRevenue"] if inv_type == "ACCREC" else rate["CanApplyToExpenses"])
        if not applies:
            errors.append(f"The TaxType code {tax_type} does not exist or cannot be used for this type of transaction.")
            continue
        tax = line_tax(amount, rate["EffectiveRate"], amount_types)
        if tax_override is not None and amount_types != "NoTax" and call.switches.get("honor_tax_override", True):
            tax = round2(tax_override)
        tracking = pick("Tracking")
        line = LineItem(LineItemID=base.LineItemID if base else str(uuid.uuid4()), Description=description,
                        Quantity=quantity, UnitAmount=unit_amount, ItemCode=code, AccountCode=account,
                        TaxType=tax_type, TaxAmount=tax, LineAmount=amount,
                        DiscountRate=discount_rate if discount_rate else None,
                        DiscountAmount=discount_amount if discount_amount else None,
                        Tracking=[dict(t) for t in tracking if isinstance(t, dict)][:2] if isinstance(tracking, list)
                        else None)
        discount_total += discount
        (kept if base else new_lines).append(line)
    return new_lines + kept, discount_total


def plan_currency(call: Call, el: dict, target: Any, plan: dict, errors: list[str]) -> None:
    """An invoice's or credit note's currency and rate: the base currency at 1, another at the rate given, else the
    document's own, else the day's rate."""
    org = call.org
    currency = str(el.get("CurrencyCode") or (target.CurrencyCode if target else org.BaseCurrency)).upper()
    if currency not in org.currencies:
        errors.append(f"Organisation is not subscribed to currency {currency}")
    plan["CurrencyCode"] = currency
    try:
        rate = to_decimal(el.get("CurrencyRate"))
    except ValueError:
        rate = None
        errors.append("CurrencyRate must be a number.")
    if currency == org.BaseCurrency:
        rate = Decimal("1.000000")
    elif rate is None or rate <= 0:
        rate = target.CurrencyRate if target and target.CurrencyCode == currency else \
            DAY_RATES.get((org.BaseCurrency, currency), Decimal("1.000000"))
    plan["CurrencyRate"] = rate.quantize(Decimal("0.000001"))


def prepare(call: Call, el: dict, target: Invoice | None) -> tuple[dict, list[str], list[str]]:
    """Validate one invoice element. Returns (plan, errors, warnings); nothing is mutated."""
    org = call.org
    errors: list[str] = []
    warnings: list[str] = []
    plan: dict[str, Any] = {}
    inv_type = str(el.get("Type") or (target.Type if target else "")).upper()
    if inv_type not in ("ACCREC", "ACCPAY"):
        errors.append("Invoice Type must be ACCREC or ACCPAY." if inv_type else "Invoice Type must be specified.")
        return plan, errors, warnings
    plan["Type"] = inv_type
    current = target.Status if target else None
    status = str(el.get("Status") or current or "DRAFT").upper()
    if status not in STATUSES:
        errors.append(f"'{el.get('Status')}' is not a valid invoice status.")
        return plan, errors, warnings
    if target is None and status not in ("DRAFT", "SUBMITTED", "AUTHORISED"):
        errors.append("Invoice not of valid status for creation")
        return plan, errors, warnings
    content_keys = {"Contact", "LineItems", "Date", "DueDate", "LineAmountTypes", "CurrencyCode", "CurrencyRate",
                    "InvoiceNumber", "Reference"}
    if target is not None:
        if target.Status in ("PAID", "VOIDED", "DELETED"):
            if status != target.Status or any(k in el for k in content_keys - {"InvoiceNumber"}):
                errors.append(BAD_STATUS)
                return plan, errors, warnings
        elif status != current and status not in TRANSITIONS.get(current or "", set()):
            errors.append(BAD_STATUS)
            return plan, errors, warnings
        if status == "VOIDED" and target.AmountPaid > 0:
            errors.append(BAD_STATUS)
            return plan, errors, warnings
        if target.AmountPaid + target.AmountCredited > 0 and (status == "VOIDED" or any(
                k in el for k in ("LineItems", "Contact", "CurrencyCode", "LineAmountTypes"))):
            errors.append(HAS_PAYMENTS)
            return plan, errors, warnings
        if org.PeriodLockDate and target.Date <= org.PeriodLockDate and any(k in el for k in content_keys):
            errors.append(LOCKED)
            return plan, errors, warnings
    plan["Status"] = status
    # contact
    if "Contact" in el or target is None:
        cid, contact_changes = _resolve_contact(call, el.get("Contact"), errors)
        plan["ContactID"], plan["contact_changes"] = cid, contact_changes
    # amounts type
    raw_types = el.get("LineAmountTypes")
    amount_types = target.LineAmountTypes if target else "Exclusive"
    if raw_types:
        amount_types = AMOUNT_TYPES.get(str(raw_types).lower().replace(" ", ""), "")
        if not amount_types:
            errors.append(f"'{raw_types}' is not a valid LineAmountTypes value.")
    plan["LineAmountTypes"] = amount_types
    # dates
    try:
        date = parse_body_date(el.get("Date")) if "Date" in el else None
        due = parse_body_date(el.get("DueDate")) if "DueDate" in el else None
        expected = parse_body_date(el.get("ExpectedPaymentDate")) if "ExpectedPaymentDate" in el else None
        planned = parse_body_date(el.get("PlannedPaymentDate")) if "PlannedPaymentDate" in el else None
    except ValueError:
        errors.append("A date in the invoice could not be read. Use YYYY-MM-DD.")
        return plan, errors, warnings
    plan["Date"] = date if date is not None else (target.Date if target else org_today(org, call.now_ms))
    plan["DueDate"] = due if due is not None else (target.DueDate if target else None)
    if plan["DueDate"] is None and status in ("SUBMITTED", "AUTHORISED"):
        plan["DueDate"] = plan["Date"] + 30 * DAY_MS  # the organisation's default terms
    if expected is not None:
        plan["ExpectedPaymentDate"] = expected
    if planned is not None:
        plan["PlannedPaymentDate"] = planned
    plan_currency(call, el, target, plan, errors)
    # number / reference
    number = str(el.get("InvoiceNumber") or "").strip()
    if number and len(number) > 255:
        errors.append("The InvoiceNumber must not be longer than 255 characters.")
    if inv_type == "ACCREC" and number:
        other = org.invoice_numbers.get(number_key(number))
        if other and (target is None or other != target.InvoiceID):
            errors.append("Invoice # must be unique.")
    if number:
        plan["InvoiceNumber"] = number
    if "Reference" in el and inv_type == "ACCREC":
        plan["Reference"] = str(el.get("Reference") or "")
    if "Url" in el:
        plan["Url"] = str(el.get("Url") or "")
    if el.get("BrandingThemeID"):
        theme = str(el["BrandingThemeID"]).lower()
        if theme not in BRANDING_THEME_IDS:
            errors.append("Invalid BrandingThemeID.")  # **unverified** text
        plan["BrandingThemeID"] = theme
    if "SentToContact" in el and status in ("AUTHORISED", "PAID"):
        plan["SentToContact"] = bool(el["SentToContact"] is True or str(el["SentToContact"]).lower() == "true")
    # lines
    if isinstance(el.get("LineItems"), list) or (target and "LineAmountTypes" in el):
        existing = lines_of(org, target) if target else []
        raw_lines = el["LineItems"] if isinstance(el.get("LineItems"), list) else \
            [{"LineItemID": li.LineItemID} for li in existing]
        contact = org.contacts.get(plan.get("ContactID") or (target.ContactID if target else "") or "")
        contact_tax = (contact.AccountsReceivableTaxType if inv_type == "ACCREC" else contact.AccountsPayableTaxType) \
            if contact is not None else ""
        lines, discount = _build_lines(call, inv_type, amount_types, raw_lines, existing, contact_tax, errors, warnings)
        plan["LineItems"], plan["discount"] = lines, discount
    elif target is None:
        plan["LineItems"], plan["discount"] = [], ZERO
    if status in ("SUBMITTED", "AUTHORISED") and not plan.get("LineItems", lines_of(org, target) if target else []):
        errors.append("At least one line item must be specified.")
    return plan, errors, warnings


def commit(call: Call, target: Invoice | None, plan: dict) -> Invoice:
    org = call.org
    now = call.now_ms
    if plan.get("contact_changes") is not None:
        contact = contacts.commit(org, org.contacts.get(plan["ContactID"] or ""), plan["contact_changes"], now)
        plan["ContactID"] = contact.ContactID
    if target is None:
        inv = Invoice(InvoiceID=str(uuid.uuid4()), Type=plan["Type"], ContactID=plan["ContactID"],
                      CreatedByApp=call.client_id)
        changed = True
    else:
        inv = target
        org.unindex_invoice(inv)
        changed = False
    for key in ("Type", "ContactID", "Status", "LineAmountTypes", "Date", "DueDate", "CurrencyCode", "CurrencyRate",
                "InvoiceNumber", "Reference", "Url", "SentToContact", "ExpectedPaymentDate", "PlannedPaymentDate",
                "BrandingThemeID"):
        if key in plan and plan[key] is not None and getattr(inv, key) != plan[key]:
            setattr(inv, key, plan[key])
            changed = True
    if "LineItems" in plan:
        if target is not None:
            materialise_lines(org, inv)
        old = [(li.LineItemID, li.LineAmount, li.TaxAmount, li.Quantity, li.UnitAmount, li.Description)
               for li in (inv.LineItems or [])]
        new = [(li.LineItemID, li.LineAmount, li.TaxAmount, li.Quantity, li.UnitAmount, li.Description)
               for li in plan["LineItems"]]
        if old != new or target is None:
            changed = True
        inv.LineItems = plan["LineItems"]
        apply_totals(inv, inv.LineItems, plan["discount"])
    if inv.Type == "ACCREC" and not inv.InvoiceNumber:
        while f"INV-{org.next_invoice_number:04d}" in org.invoice_numbers:
            org.next_invoice_number += 1
        inv.InvoiceNumber = f"INV-{org.next_invoice_number:04d}"
        org.next_invoice_number += 1
    if changed:
        inv.UpdatedDateUTC = now
    if target is None:
        org.invoices[inv.InvoiceID] = inv
    org.index_invoice(inv)
    contact = org.contacts.get(inv.ContactID)
    if contact is not None and inv.Status != "DELETED":  # read-only flags: set without moving UpdatedDateUTC
        if inv.Type == "ACCREC":
            contact.IsCustomer = True
        else:
            contact.IsSupplier = True
    return inv


def upsert_one(call: Call, el: Any, path_key: str | None = None) -> Outcome:
    org = call.org
    if not isinstance(el, dict):
        return failed({}, ["An Invoice element is required."], "HasErrors")
    target = None
    if path_key:
        target = find(org, path_key)
        if target is None:
            raise CallError(text_response(404, NOT_FOUND_TEXT))
    elif el.get("InvoiceID"):
        target = org.invoices.get(str(el["InvoiceID"]).lower())
        if target is None:
            return failed(el, ["The document with the supplied id was not found for this endpoint."], "HasErrors")
    elif call.method == "POST" and el.get("InvoiceNumber") and str(el.get("Type", "ACCREC")).upper() == "ACCREC":
        iid = org.invoice_numbers.get(number_key(str(el["InvoiceNumber"]).strip()))
        target = org.invoices.get(iid) if iid else None
    plan, errors, warnings = prepare(call, el, target)
    if errors:
        return failed(el, errors, "HasErrors")
    inv = commit(call, target, plan)
    return Outcome(invoice_view(org, inv, True, call.unitdp4), warnings=warnings)


def email(call: Call, key: str) -> httpx.Response:
    """POST /Invoices/{InvoiceID}/Email: Xero emails the invoice to its contact and answers 204 with no body.
    Only an approved sales invoice (AUTHORISED or PAID) can be sent; anything else is a 400 ValidationException
    (**unverified** message). Sending marks the invoice SentToContact."""
    inv = find(call.org, key)
    if inv is None or inv.Type != "ACCREC":
        return text_response(404, NOT_FOUND_TEXT)
    if inv.Status not in ("AUTHORISED", "PAID"):
        return xero_response(400, validation_exception([{"ValidationErrors": [
            {"Message": "Only approved sales invoices (AUTHORISED or PAID) can be emailed."}]}]))
    inv.EmailsSent += 1
    inv.SentToContact = True
    return httpx.Response(204, headers=NO_CACHE)


def write(call: Call) -> httpx.Response:
    path_key = call.path_rest[0] if call.path_rest else None
    if len(call.path_rest) == 2 and call.path_rest[1].lower() == "email":
        if call.method != "POST":
            return text_response(404, NOT_FOUND_TEXT)
        return email(call, call.path_rest[0])
    if call.method == "PUT" and path_key:
        return text_response(404, NOT_FOUND_TEXT)
    elements = call.elements("Invoices", "Invoice")
    return run_batch(call, "Invoices", elements, lambda el: upsert_one(call, el, path_key), "HasErrors")

