"""/Contacts: list (paging, If-Modified-Since, where/order, IDs, searchTerm, includeArchived, summaryOnly), read by
ContactID or ContactNumber, PUT (create), POST (create or update, matching ContactID > ContactNumber > Name).

Rules: a name must be unique among ACTIVE contacts (the spec's exact message); arrays replace wholesale
(``ContactPersons``) while address and phone slots are replaced per type; read-only elements in a body
(``IsCustomer``, ``Balances``, ``HasValidationErrors``, …) are ignored; an update that changes nothing does not move
``UpdatedDateUTC`` (and neither do Balances/IsCustomer/IsSupplier changes).
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx

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
from .reference import TAX_RATES
from .state import Contact, Org, name_key
from .views import PHONE_SLOTS, contact_view
from .wire import NOT_FOUND_TEXT, text_response

STRING_FIELDS = {
    # field: max length (None = not checked)
    "ContactNumber": 50, "AccountNumber": 50, "FirstName": 255, "LastName": 255, "CompanyNumber": 50,
    "EmailAddress": 255, "BankAccountDetails": None, "TaxNumber": 50, "AccountsReceivableTaxType": None,
    "AccountsPayableTaxType": None, "DefaultCurrency": None, "SalesDefaultLineAmountType": None,
    "PurchasesDefaultLineAmountType": None,
}
EXTRA_FIELDS = ("XeroNetworkKey", "SalesDefaultAccountCode", "PurchasesDefaultAccountCode", "SalesTrackingCategories",
                "PurchasesTrackingCategories", "TrackingCategoryName", "TrackingCategoryOption", "TaxNumberType",
                "BrandingTheme", "BatchPayments")
UI_ONLY_FIELDS = ("Website",)  # read-only through the API, editable in the web UI
STATUSES = ("ACTIVE", "ARCHIVED", "GDPRREQUEST")
LINE_TYPES = ("INCLUSIVE", "EXCLUSIVE", "NONE")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
ADDRESS_FIELDS = ("AddressLine1", "AddressLine2", "AddressLine3", "AddressLine4", "City", "Region", "PostalCode",
                  "Country", "AttentionTo")
PHONE_FIELDS = ("PhoneNumber", "PhoneAreaCode", "PhoneCountryCode")


def resolver(org: Org):
    return make_resolver(Contact, ("UpdatedDateUTC",))


def name_taken_message(name: str) -> str:
    return (f"The contact name {name} is already assigned to another contact. The contact name must be unique "
            "across all active contacts.")


def find(org: Org, key: str) -> Contact | None:
    c = org.contacts.get(key) or org.contacts.get(key.lower())
    if c is None:
        cid = org.contact_numbers.get(key.lower())
        c = org.contacts.get(cid) if cid else None
    return c


def find_by_name(org: Org, name: str) -> Contact | None:
    cid = org.active_names.get(name_key(name))
    return org.contacts.get(cid) if cid else None


# ----- reads -----------------------------------------------------------------------------------------------------
def get(call: Call) -> httpx.Response:
    org = call.org
    if call.path_rest:
        c = find(org, call.path_rest[0])
        if c is None:
            return text_response(404, NOT_FOUND_TEXT)
        since = call.if_modified_since()
        if call.switches.get("not_modified_304") and since is not None and c.UpdatedDateUTC < since:
            return httpx.Response(304)
        return call.ok("Contacts", [contact_view(org, c, call.now_ms, "full")])
    records: Any = org.contacts.values()
    ids = ids_param(call, "IDs")
    if ids is not None:
        records = [c for c in records if c.ContactID in ids]
    if not call.flag("includeArchived") and ids is None:
        records = [c for c in records if c.ContactStatus != "ARCHIVED"]
    term = (call.q("searchTerm") or "").strip().lower()
    if term:
        records = [c for c in records if any(term in (v or "").lower() for v in
                                             (c.Name, c.FirstName, c.LastName, c.ContactNumber, c.EmailAddress))]
    records = filter_and_sort(call, records, resolver(org), "Contact")
    summary = call.flag("summaryOnly")
    page, pagination = page_of(call, records, force=summary)
    mode = "summary" if summary else ("full" if pagination else "list")
    return call.ok("Contacts", [contact_view(org, c, call.now_ms, mode) for c in page], pagination)


# ----- writes ----------------------------------------------------------------------------------------------------
def _text(value: Any) -> str:
    return "" if value is None else str(value)


def prepare(org: Org, el: dict, target: Contact | None, call: Call) -> tuple[dict, list[str]]:
    """Validate ``el`` against ``target`` (None = create). Returns (changes, errors); nothing is mutated."""
    errors: list[str] = []
    changes: dict[str, Any] = {}
    if "Name" in el and el["Name"] is not None:
        changes["Name"] = _text(el["Name"]).strip()
    for key, limit in STRING_FIELDS.items():
        if key in el and el[key] is not None and not isinstance(el[key], (dict, list)):
            value = _text(el[key]).strip()
            if limit and len(value) > limit:
                errors.append(f"The {key} must not be longer than {limit} characters.")
            changes[key] = value
    if "ContactStatus" in el and el["ContactStatus"]:
        status = _text(el["ContactStatus"]).upper()
        if status not in STATUSES:
            errors.append(f"'{el['ContactStatus']}' is not a valid ContactStatus.")
        changes["ContactStatus"] = status
    for key in ("SalesDefaultLineAmountType", "PurchasesDefaultLineAmountType"):
        if changes.get(key):
            changes[key] = changes[key].upper()
            if changes[key] not in LINE_TYPES:
                errors.append(f"'{el[key]}' is not a valid {key}.")
    if call.source == "ui":
        for key in UI_ONLY_FIELDS:
            if key in el:
                changes[key] = _text(el[key]).strip()
    name = changes.get("Name", target.Name if target else "")
    if not name:
        errors.append("Contact Name cannot be empty.")
    email = changes.get("EmailAddress")
    if email and (not EMAIL_RE.match(email) or (not email.isascii() and call.switches.get("reject_umlaut_email"))):
        errors.append("Email address must be valid.")
    currency = changes.get("DefaultCurrency")
    if currency and currency.upper() not in org.currencies:
        errors.append(f"Organisation is not subscribed to currency {currency}")
    elif currency:
        changes["DefaultCurrency"] = currency.upper()
    known_tax = {r["TaxType"] for r in TAX_RATES[org.CountryCode]}
    for key in ("AccountsReceivableTaxType", "AccountsPayableTaxType"):
        if changes.get(key) and changes[key] not in known_tax:
            errors.append(f"The TaxType code {changes[key]} does not exist or cannot be used for this type of "
                          "transaction.")
    # addresses / phones: replaced slot by slot
    if isinstance(el.get("Addresses"), list):
        addresses = {k: dict(v) for k, v in ((target.Addresses or {}) if target else {}).items()}
        for a in el["Addresses"]:
            if not isinstance(a, dict):
                continue
            slot = _text(a.get("AddressType")).upper() or "POBOX"
            if slot not in ("POBOX", "STREET"):
                errors.append(f"'{a.get('AddressType')}' is not a valid AddressType.")
                continue
            row = {k: _text(a[k]) for k in ADDRESS_FIELDS if a.get(k) not in (None, "")}
            if row:
                addresses[slot] = row
            else:
                addresses.pop(slot, None)
        changes["Addresses"] = addresses or None
    if isinstance(el.get("Phones"), list):
        phones = {k: dict(v) for k, v in ((target.Phones or {}) if target else {}).items()}
        for p in el["Phones"]:
            if not isinstance(p, dict):
                continue
            slot = _text(p.get("PhoneType")).upper() or "DEFAULT"
            if slot not in PHONE_SLOTS + ("OFFICE",):
                errors.append(f"'{p.get('PhoneType')}' is not a valid PhoneType.")
                continue
            row = {k: _text(p[k]) for k in PHONE_FIELDS if p.get(k) not in (None, "")}
            if row:
                phones[slot] = row
            else:
                phones.pop(slot, None)
        changes["Phones"] = phones or None
    if "ContactPersons" in el and isinstance(el["ContactPersons"], list):
        persons = []
        for p in el["ContactPersons"]:
            if isinstance(p, dict):
                person = {k: _text(p.get(k)) for k in ("FirstName", "LastName", "EmailAddress")}
                person["IncludeInEmails"] = bool(p.get("IncludeInEmails", False))
                persons.append(person)
        changes["ContactPersons"] = persons or None
    if isinstance(el.get("PaymentTerms"), dict):
        changes["PaymentTerms"] = el["PaymentTerms"]
    extra = {k: el[k] for k in EXTRA_FIELDS if k in el and el[k] is not None}
    if extra:
        merged = dict((target.Extra or {}) if target else {})
        merged.update(extra)
        changes["Extra"] = merged
    # uniqueness among ACTIVE contacts
    status = changes.get("ContactStatus", target.ContactStatus if target else "ACTIVE")
    if name and status == "ACTIVE":
        other = find_by_name(org, name)
        if other is not None and (target is None or other.ContactID != target.ContactID):
            errors.append(name_taken_message(name))
    return changes, errors


def commit(org: Org, target: Contact | None, changes: dict, now_ms: int, new_id: str | None = None) -> Contact:
    if target is None:
        target = Contact(ContactID=new_id or str(uuid.uuid4()), Name=changes["Name"])
        for key, value in changes.items():
            setattr(target, key, value)
        target.UpdatedDateUTC = now_ms
        org.contacts[target.ContactID] = target
        org.index_contact(target)
        return target
    real = {k: v for k, v in changes.items() if getattr(target, k) != v}
    if real:
        org.unindex_contact(target)
        for key, value in real.items():
            setattr(target, key, value)
        target.UpdatedDateUTC = now_ms
        org.index_contact(target)
    return target


def locate(org: Org, el: dict, call: Call, path_key: str | None) -> tuple[Contact | None, str | None]:
    """The contact a write element addresses, or (None, error) / (None, None) for "create"."""
    if path_key:
        c = find(org, path_key)
        if c is None:
            raise CallError(text_response(404, NOT_FOUND_TEXT))
        return c, None
    cid = _text(el.get("ContactID")).strip().lower()
    if cid:
        c = org.contacts.get(cid)
        if c is not None:
            return c, None
        if call.method == "POST":
            return None, "The document with the supplied id was not found for this endpoint."
    if call.method == "PUT":
        if call.switches.get("put_updates_existing") and el.get("Name"):
            return find_by_name(org, _text(el["Name"])), None
        return None, None
    number = _text(el.get("ContactNumber")).strip().lower()
    if number and number in org.contact_numbers:
        return org.contacts[org.contact_numbers[number]], None
    if el.get("Name"):
        return find_by_name(org, _text(el["Name"])), None
    return None, None


def upsert_one(call: Call, el: Any, path_key: str | None = None) -> Outcome:
    org = call.org
    if not isinstance(el, dict):
        return failed({}, ["A Contact element is required."])
    target, error = locate(org, el, call, path_key)
    if error:
        return failed(el, [error])
    changes, errors = prepare(org, el, target, call)
    if errors:
        return failed(el, errors)
    contact = commit(org, target, changes, call.now_ms)
    return Outcome(contact_view(org, contact, call.now_ms, "full"))


def write(call: Call) -> httpx.Response:
    path_key = call.path_rest[0] if call.path_rest else None
    if call.method == "PUT" and path_key:
        return text_response(404, NOT_FOUND_TEXT)
    elements = call.elements("Contacts", "Contact")
    return run_batch(call, "Contacts", elements, lambda el: upsert_one(call, el, path_key))
