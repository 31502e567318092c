"""/CreditNotes (ACCRECCREDIT to customers, ACCPAYCREDIT from suppliers) and their allocations to invoices.

Reads: ``GET /CreditNotes`` (where, order, If-Modified-Since, page/pageSize, unitdp; an unpaged list leaves
``LineItems`` empty, a paged one includes them, like invoices) and ``GET /CreditNotes/{id or number}``.

Writes: PUT creates, POST creates or updates (CreditNoteID, else an ACCRECCREDIT CreditNoteNumber). Contact, lines,
taxes and totals follow the invoice rules (:mod:`.invoices`, :mod:`.calc`); sales credit notes are numbered
``CN-0001`` … and unique. Status machine as invoices, with allocations in the place of payments::

    DRAFT ⇄ SUBMITTED → AUTHORISED → PAID (fully allocated)
    DRAFT/SUBMITTED → DELETED        AUTHORISED (nothing allocated) → VOIDED

``PUT /CreditNotes/{id}/Allocations {"Allocations":[{"Invoice":{"InvoiceID"},"Amount","Date"}]}`` applies credit
to an AUTHORISED invoice of the same contact, type and currency, never more than the note's ``RemainingCredit``
nor the invoice's ``AmountDue``: the invoice's ``AmountCredited`` grows (PAID when nothing is left to pay) and both
documents' ``UpdatedDateUTC`` move. ``DELETE /CreditNotes/{id}/Allocations/{AllocationID}`` takes it back.

A contact's ``Balances`` are those of its invoices (the spec: "the raw AccountsReceivable (sales invoices) …
amounts"), so credit moves them only once it is allocated. Messages marked **unverified** are this sandbox's words.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from . import contacts
from .calc import apply_totals
from .calls import Call, CallError, Outcome, failed, filter_and_sort, make_resolver, page_of, run_batch
from .invoices import (
    AMOUNT_TYPES,
    BAD_STATUS,
    HAS_PAYMENTS,
    LOCKED,
    STATUSES,
    TRANSITIONS,
    org_today,
    plan_currency,
)
from .invoices import _build_lines as build_lines
from .invoices import _resolve_contact as resolve_contact
from .invoices import find as find_invoice
from .reference import BRANDING_THEME_IDS
from .state import Allocation, CreditNote, Org, number_key
from .views import allocation_view, credit_note_view
from .wire import (
    NOT_FOUND_TEXT,
    ZERO,
    parse_body_date,
    round2,
    text_response,
    to_decimal,
    xero_response,
)

INVOICE_TYPE = {"ACCRECCREDIT": "ACCREC", "ACCPAYCREDIT": "ACCPAY"}
NOT_FOUND = "The document with the supplied id was not found for this endpoint."
NOT_AUTHORISED = "Credit Note must be AUTHORISED before it can be allocated."  # **unverified** text
TOO_MUCH_CREDIT = "The amount being allocated exceeds the remaining credit on this credit note."  # **unverified**
TOO_MUCH_DUE = "The amount being allocated exceeds the amount outstanding on this invoice."  # **unverified**


def resolver(org: Org):
    extra = {"Contact.ContactID": lambda cn: cn.ContactID,
             "Contact.Name": lambda cn: org.contacts[cn.ContactID].Name if cn.ContactID in org.contacts else None,
             "RemainingCredit": lambda cn: cn.RemainingCredit, "SubTotal": lambda cn: cn.SubTotal}
    return make_resolver(CreditNote, ("Date", "DueDate", "UpdatedDateUTC", "FullyPaidOnDate"), extra)


def find(org: Org, key: str) -> CreditNote | None:
    cn = org.credit_notes.get(key) or org.credit_notes.get(key.lower())
    if cn is None:
        cid = org.credit_note_numbers.get(number_key(key))
        cn = org.credit_notes.get(cid) if cid else None
    return cn


# ----- reads -----------------------------------------------------------------------------------------------------
def get(call: Call) -> httpx.Response:
    org = call.org
    if len(call.path_rest) > 1:
        return text_response(404, NOT_FOUND_TEXT)
    if call.path_rest:
        cn = find(org, call.path_rest[0])
        if cn is None:
            return text_response(404, NOT_FOUND_TEXT)
        return call.ok("CreditNotes", [credit_note_view(org, cn, True, call.unitdp4)])
    records = filter_and_sort(call, org.credit_notes.values(), resolver(org), "CreditNote")
    page, pagination = page_of(call, records)
    return call.ok("CreditNotes", [credit_note_view(org, cn, pagination is not None, call.unitdp4) for cn in page],
                   pagination)


# ----- creating and editing --------------------------------------------------------------------------------------
def _status_errors(target: CreditNote | None, status: str, el: dict) -> list[str]:
    if status not in STATUSES:
        return [f"'{el.get('Status')}' is not a valid credit note status."]
    if target is None:
        return [] if status in ("DRAFT", "SUBMITTED", "AUTHORISED") else ["Credit Note not of valid status for creation"]
    content = {"Contact", "LineItems", "Date", "DueDate", "LineAmountTypes", "CurrencyCode", "CurrencyRate",
               "Reference"}
    if target.Status in ("PAID", "VOIDED", "DELETED"):
        return [BAD_STATUS] if status != target.Status or any(k in el for k in content) else []
    if status != target.Status and status not in TRANSITIONS.get(target.Status, set()):
        return [BAD_STATUS]
    if target.AmountAllocated > 0 and (status == "VOIDED" or any(
            k in el for k in ("LineItems", "Contact", "CurrencyCode", "LineAmountTypes"))):
        return [HAS_PAYMENTS]
    return []


def prepare(call: Call, el: dict, target: CreditNote | None) -> tuple[dict, list[str], list[str]]:
    """Validate one credit note element. Returns (plan, errors, warnings); nothing is mutated."""
    org = call.org
    warnings: list[str] = []
    plan: dict[str, Any] = {}
    cn_type = str(el.get("Type") or (target.Type if target else "")).upper()
    if cn_type not in INVOICE_TYPE:
        return plan, ["Credit Note Type must be ACCRECCREDIT or ACCPAYCREDIT."], warnings  # **unverified** text
    status = str(el.get("Status") or (target.Status if target else "DRAFT")).upper()
    errors = _status_errors(target, status, el)
    if errors:
        return plan, errors, warnings
    plan.update(Type=cn_type, Status=status)
    if target is not None and org.PeriodLockDate and target.Date <= org.PeriodLockDate and \
            any(k in el for k in ("Contact", "LineItems", "Date", "LineAmountTypes", "CurrencyCode")):
        return plan, [LOCKED], warnings
    if "Contact" in el or target is None:
        plan["ContactID"], plan["contact_changes"] = resolve_contact(call, el.get("Contact"), errors)
    amount_types = target.LineAmountTypes if target else "Exclusive"
    if el.get("LineAmountTypes"):
        amount_types = AMOUNT_TYPES.get(str(el["LineAmountTypes"]).lower().replace(" ", ""), "")
        if not amount_types:
            errors.append(f"'{el['LineAmountTypes']}' is not a valid LineAmountTypes value.")
    plan["LineAmountTypes"] = amount_types
    try:
        date = parse_body_date(el.get("Date")) if "Date" in el else None
        due = parse_body_date(el.get("DueDate")) if "DueDate" in el else None
    except ValueError:
        return plan, ["A date in the credit note could not be read. Use YYYY-MM-DD."], warnings
    plan["Date"] = date if date is not None else (target.Date if target else org_today(org, call.now_ms))
    plan["DueDate"] = due if due is not None else (target.DueDate if target else None)
    plan_currency(call, el, target, plan, errors)
    number = str(el.get("CreditNoteNumber") or "").strip()
    if number and cn_type == "ACCRECCREDIT":
        other = org.credit_note_numbers.get(number_key(number))
        if other and (target is None or other != target.CreditNoteID):
            errors.append("Credit Note # must be unique.")  # **unverified** text
    if number:
        plan["CreditNoteNumber"] = number
    if "Reference" in el and cn_type == "ACCRECCREDIT":
        plan["Reference"] = str(el.get("Reference") or "")
    if el.get("BrandingThemeID"):
        theme = str(el["BrandingThemeID"]).lower()
        if theme not in BRANDING_THEME_IDS:
            errors.append("Invalid BrandingThemeID.")  # **unverified** text
        plan["BrandingThemeID"] = theme
    if isinstance(el.get("LineItems"), list) or (target and "LineAmountTypes" in el):
        existing = list(target.LineItems or []) if target else []
        raw_lines = el["LineItems"] if isinstance(el.get("LineItems"), list) else \
            [{"LineItemID": li.LineItemID} for li in existing]
        contact = org.contacts.get(plan.get("ContactID") or (target.ContactID if target else "") or "")
        inv_type = INVOICE_TYPE[cn_type]
        contact_tax = (contact.AccountsReceivableTaxType if inv_type == "ACCREC" else contact.AccountsPayableTaxType) \
            if contact is not None else ""
        plan["LineItems"], plan["discount"] = build_lines(call, inv_type, amount_types, raw_lines, existing,
                                                          contact_tax, errors, warnings)
    elif target is None:
        plan["LineItems"], plan["discount"] = [], ZERO
    if status in ("SUBMITTED", "AUTHORISED") and not plan.get("LineItems", target.LineItems if target else []):
        errors.append("At least one line item must be specified.")
    return plan, errors, warnings


def commit(call: Call, target: CreditNote | None, plan: dict) -> CreditNote:
    org = call.org
    if plan.get("contact_changes") is not None:
        contact = contacts.commit(org, org.contacts.get(plan["ContactID"] or ""), plan["contact_changes"], call.now_ms)
        plan["ContactID"] = contact.ContactID
    if target is None:
        cn = CreditNote(CreditNoteID=str(uuid.uuid4()), Type=plan["Type"], ContactID=plan["ContactID"],
                        CreatedByApp=call.client_id)
        changed = True
    else:
        cn = target
        org.unindex_credit_note(cn)
        changed = False
    for key in ("Type", "ContactID", "Status", "LineAmountTypes", "Date", "DueDate", "CurrencyCode", "CurrencyRate",
                "CreditNoteNumber", "Reference", "BrandingThemeID"):
        if key in plan and plan[key] is not None and getattr(cn, key) != plan[key]:
            setattr(cn, key, plan[key])
            changed = True
    if "LineItems" in plan:
        changed = changed or [(li.LineItemID, li.LineAmount, li.TaxAmount, li.Description)
                              for li in cn.LineItems or []] != [(li.LineItemID, li.LineAmount, li.TaxAmount,
                                                                 li.Description) for li in plan["LineItems"]]
        cn.LineItems = plan["LineItems"]
        apply_totals(cn, cn.LineItems, plan["discount"])  # type: ignore[arg-type] - same total fields as invoices
    if cn.Type == "ACCRECCREDIT" and not cn.CreditNoteNumber:
        while f"CN-{org.next_credit_note_number:04d}" in org.credit_note_numbers:
            org.next_credit_note_number += 1
        cn.CreditNoteNumber = f"CN-{org.next_credit_note_number:04d}"
        org.next_credit_note_number += 1
    if changed:
        cn.UpdatedDateUTC = call.now_ms
    contact = org.contacts.get(cn.ContactID)
    if contact is not None and cn.Status != "DELETED":  # read-only flags: set without moving UpdatedDateUTC
        if cn.Type == "ACCRECCREDIT":
            contact.IsCustomer = True
        else:
            contact.IsSupplier = True
    org.credit_notes[cn.CreditNoteID] = cn
    org.index_credit_note(cn)
    return cn


def upsert_one(call: Call, el: Any, path_key: str | None = None) -> Outcome:
    org = call.org
    if not isinstance(el, dict):
        return failed({}, ["A CreditNote element is required."], "HasErrors")
    target = None
    if path_key:
        target = find(org, path_key)
        if target is None:
            raise CallError(text_response(404, NOT_FOUND_TEXT))
    elif el.get("CreditNoteID"):
        target = org.credit_notes.get(str(el["CreditNoteID"]).lower())
        if target is None:
            return failed(el, ["An existing Credit Note with the specified CreditNoteID could not be found"],
                          "HasErrors")
    elif call.method == "POST" and el.get("CreditNoteNumber") and \
            str(el.get("Type", "ACCRECCREDIT")).upper() == "ACCRECCREDIT":
        target = find(org, str(el["CreditNoteNumber"]).strip())
    plan, errors, warnings = prepare(call, el, target)
    if errors:
        return failed(el, errors, "HasErrors")
    cn = commit(call, target, plan)
    return Outcome(credit_note_view(org, cn, True, call.unitdp4), warnings=warnings)


# ----- allocations -----------------------------------------------------------------------------------------------
def allocate_one(call: Call, cn: CreditNote, el: Any) -> Outcome:
    """Apply part of the credit note to one invoice (see the module docstring)."""
    org = call.org
    if not isinstance(el, dict):
        return failed({}, ["An Allocation element is required."])
    raw_inv = el.get("Invoice") if isinstance(el.get("Invoice"), dict) else {}
    key = str(raw_inv.get("InvoiceID") or raw_inv.get("InvoiceNumber") or "").strip()
    inv = find_invoice(org, key) if key else None
    if inv is None:
        return failed(el, [NOT_FOUND])
    errors: list[str] = []
    if cn.Status != "AUTHORISED":
        errors.append(NOT_AUTHORISED)
    if inv.Status != "AUTHORISED":
        errors.append("Credit can only be allocated to Authorised invoices.")  # **unverified** text
    if inv.ContactID != cn.ContactID or inv.Type != INVOICE_TYPE[cn.Type]:
        errors.append("The invoice must be for the same contact as the credit note.")  # **unverified** text
    if inv.CurrencyCode != cn.CurrencyCode:
        errors.append("The invoice and the credit note must be in the same currency.")  # **unverified** text
    try:
        amount = to_decimal(el.get("Amount"))
        date = parse_body_date(el.get("Date"))
    except ValueError as exc:
        return failed(el, [f"A value in the allocation could not be read: {exc}"])
    if date is None:
        errors.append("The allocation Date must be specified.")  # required by the spec; **unverified** text
    if amount is None or amount <= 0:
        errors.append("Allocation amount must be greater than zero.")  # **unverified** text
    elif not errors and round2(amount) > cn.RemainingCredit:
        errors.append(TOO_MUCH_CREDIT)
    elif not errors and round2(amount) > inv.AmountDue:
        errors.append(TOO_MUCH_DUE)
    if errors:
        return failed(el, errors)
    assert amount is not None and date is not None
    allocation = Allocation(AllocationID=str(uuid.uuid4()), InvoiceID=inv.InvoiceID, Amount=round2(amount), Date=date)
    cn.Allocations = [*(cn.Allocations or []), allocation]
    org.index_credit_note(cn)
    inv.AmountCredited += allocation.Amount
    if inv.AmountDue == 0:
        inv.Status, inv.FullyPaidOnDate = "PAID", date
    if cn.RemainingCredit == 0:
        cn.Status, cn.FullyPaidOnDate = "PAID", date
    inv.UpdatedDateUTC = cn.UpdatedDateUTC = call.now_ms
    return Outcome(allocation_view(org, cn, allocation, with_credit_note=True))


def remove_allocation(org: Org, cn: CreditNote, allocation_id: str, now_ms: int) -> Allocation | None:
    """Take an allocation back: the invoice owes that amount again, the credit note has it to spend again."""
    allocation = next((a for a in cn.Allocations or [] if a.AllocationID == allocation_id.lower()
                       and not a.IsDeleted), None)
    if allocation is None:
        return None
    allocation.IsDeleted = True
    inv = org.invoices.get(allocation.InvoiceID)
    if inv is not None:
        inv.AmountCredited -= allocation.Amount
        if inv.Status == "PAID" and inv.AmountDue > 0:
            inv.Status, inv.FullyPaidOnDate = "AUTHORISED", None
        inv.UpdatedDateUTC = now_ms
    if cn.Status == "PAID" and cn.RemainingCredit > 0:
        cn.Status, cn.FullyPaidOnDate = "AUTHORISED", None
    cn.UpdatedDateUTC = now_ms
    return allocation


def allocations(call: Call, cn: CreditNote) -> httpx.Response:
    rest = call.path_rest[2:]
    if call.method == "DELETE" and len(rest) == 1:
        allocation = remove_allocation(call.org, cn, rest[0], call.now_ms)
        if allocation is None:
            return text_response(404, NOT_FOUND_TEXT)
        return xero_response(200, allocation_view(call.org, cn, allocation))  # a bare Allocation, as the spec has it
    if call.method != "PUT" or rest:
        return text_response(404, NOT_FOUND_TEXT)
    elements = call.elements("Allocations", "Allocation")
    return run_batch(call, "Allocations", elements, lambda el: allocate_one(call, cn, el))


def write(call: Call) -> httpx.Response:
    path_key = call.path_rest[0] if call.path_rest else None
    if len(call.path_rest) >= 2 and call.path_rest[1].lower() == "allocations":
        cn = find(call.org, call.path_rest[0])
        if cn is None:
            return text_response(404, NOT_FOUND_TEXT)
        return allocations(call, cn)
    if call.method == "DELETE" or len(call.path_rest) > 1 or (call.method == "PUT" and path_key):
        return text_response(404, NOT_FOUND_TEXT)
    elements = call.elements("CreditNotes", "CreditNote")
    return run_batch(call, "CreditNotes", elements, lambda el: upsert_one(call, el, path_key), "HasErrors")
