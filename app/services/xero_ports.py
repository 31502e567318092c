"""Xero as the engine sees it: typed client records flattened to field paths, and back again for writes."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from app.core.records import (
    ACTIVE,
    ARCHIVED,
    DELETED,
    FieldInfo,
    ReadPage,
    SourceRecord,
    WriteOp,
    WriteResult,
)
from app.core.taxes import TaxFacts
from app.core.transforms import to_decimal
from app.errors import AppError
from app.integrations.common import BatchResult, version_text
from app.integrations.xero.client import XeroClient
from app.integrations.xero.models import (
    Address,
    Contact,
    ContactPerson,
    Invoice,
    Item,
    LineItem,
    Payment,
    Phone,
)
from app.services.xero_fields import FieldCodec, schema_fields

log = logging.getLogger(__name__)

def _money(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _results(batch: BatchResult, ops: list[WriteOp], flatten: Any) -> list[WriteResult]:
    out = []
    for outcome in batch.outcomes:
        op = ops[outcome.index]
        if outcome.ok:
            out.append(WriteResult(op.key, True, outcome.id, outcome.version,
                                   written=flatten(outcome.record) if outcome.record is not None else None))
        else:
            f = outcome.failure
            assert f is not None
            out.append(WriteResult(op.key, False, error={"message": f.message, "code": f.code, "field": f.field,
                                                         "hint": f.hint, "transient": f.transient, "raw": f.raw}))
    return out


def _pages(pages: Iterator[Any], flatten: Any) -> Iterator[ReadPage]:
    for page in pages:
        read = ReadPage([flatten(r) for r in page.items], page.number, page.last, as_of=version_text(page.as_of),
                        total=page.total)
        del page  # the typed records are not needed while the engine works through the flat ones
        yield read


# ----- contacts ----------------------------------------------------------------------------------------------
# Phones and address slots come from the schema file too; they are read and written by hand because a phone is one
# text made of three parts, and an address slot is sent whole.
CONTACT_SCHEMA = schema_fields("contacts")
CONTACTS = FieldCodec("contacts", own_shape=lambda f: f.name.startswith(("Phones.", "Addresses.")),
                      read_by_hand=lambda f: f.name.startswith("Phones."))
PHONE_KINDS = tuple(f.name.split(".")[1] for f in CONTACT_SCHEMA if f.name.startswith("Phones."))
ADDRESS_SLOTS: dict[str, list[str]] = {}
for _f in CONTACT_SCHEMA:
    if _f.name.startswith("Addresses."):
        _, _kind, _part = _f.name.split(".")
        ADDRESS_SLOTS.setdefault(_kind, []).append(_part)
# Not a field of Xero's: the customer's sales payment terms (PaymentTerms.Sales) in words, for sales to see.
SALES_TERMS = FieldInfo("SalesTerms", "Payment terms (sales)", "text", read_only=True)


def contact_fields(c: Contact) -> dict[str, Any]:
    f = CONTACTS.read(c.raw or c.to_wire())
    # not in the schema file: kept with the link for the invoices raised from won deals
    f["BrandingTheme.BrandingThemeID"] = c.branding_theme_id
    f["PaymentTerms.Sales.Day"] = c.sales_terms[0] if c.sales_terms else None
    f["PaymentTerms.Sales.Type"] = c.sales_terms[1] if c.sales_terms else None
    f[SALES_TERMS.name] = terms_words(c.sales_terms) if c.sales_terms else None
    for kind in PHONE_KINDS:
        phone = c.phone(kind)
        f[f"Phones.{kind}"] = phone_text(phone) if phone else None
        f[f"Phones.{kind}.CountryCode"] = (phone.country_code or None) if phone else None
    f["ContactPersons"] = [{"FirstName": p.first_name, "LastName": p.last_name, "EmailAddress": p.email}
                           for p in c.persons or []]
    return f


def flatten_contact(c: Contact) -> SourceRecord:
    status = {"ARCHIVED": ARCHIVED, "GDPRREQUEST": DELETED}.get(c.status or "", ACTIVE)
    return SourceRecord(c.contact_id or "", contact_fields(c), version_text(c.updated), c.updated, status,
                        c.name or "", c.contact_number or None)


def build_contact(op: WriteOp) -> Contact:
    f, cur = op.fields, op.current or {}
    c = Contact(contact_id=op.target_id, more=CONTACTS.write(f, clear=True))
    if any(k.startswith("Phones.") for k in f):
        c.phones = [_phone(kind, f.get(f"Phones.{kind}", cur.get(f"Phones.{kind}")),
                           cur.get(f"Phones.{kind}.CountryCode")) for kind in PHONE_KINDS]
    if any(k.startswith("Addresses.") for k in f):  # a slot is sent whole: the parts not changed as they are
        c.addresses = [Address(kind, {part: str(f.get(key, cur.get(key)) or "")
                                      for part in parts for key in (f"Addresses.{kind}.{part}",)})
                       for kind, parts in ADDRESS_SLOTS.items()]
    if "ContactPersons" in f:
        c.persons = [ContactPerson(p.get("FirstName") or "", p.get("LastName") or "", p.get("EmailAddress") or "")
                     for p in f["ContactPersons"] or []]
    return c


def phone_text(phone: Phone) -> str | None:
    """One Xero phone (country code, area code and number kept apart) as a person writes it: ``+64 9 555 0100``
    with its country code when Xero has one (the area code's trunk 0 dropped after it), ``02 9555 0101`` if not."""
    area, number = phone.area_code.strip(), phone.number.strip()
    if not number and not area:
        return None
    country = phone.country_code.strip().lstrip("+")
    if country:  # the trunk 0 is not dialled after a country code: 02 → 2, a mobile's 0412 → 412
        if area.startswith("0"):
            area = area[1:]
        elif not area and number.startswith("0"):
            number = number[1:]
        return " ".join(p for p in (f"+{country}", area, number) if p)
    return " ".join(p for p in (area, number) if p)


_INTERNATIONAL = re.compile(r"^(?:\+|00)(\d{1,3})[\s\-.]+(?:\(0?(\d{1,4})\)|(\d{1,4}))[\s\-.]+(\d.*)$")
_NATIONAL = re.compile(r"^\(?(0\d)\)?[\s\-.]+(\d.*)$")


def _phone(kind: str, full: Any, country_code: Any) -> Phone:
    """A phone as typed in Zoho back into Xero's parts: ``+64 9 555 0100`` → country 64, area 9, number
    ``555 0100``; an Australian ``(02) 9555 0101`` → area 02 with the contact's country code. An extension and
    anything that does not split cleanly stay in the number, as typed."""
    text = str(full or "").strip()
    if not text:
        return Phone(kind)
    match = _INTERNATIONAL.match(text)
    if match:
        return Phone(kind, match.group(4).strip(), match.group(2) or match.group(3), match.group(1))
    if text.startswith(("+", "00")):
        return Phone(kind, text)
    match = _NATIONAL.match(text)
    area, number = (match.group(1), match.group(2).strip()) if match else ("", text)
    return Phone(kind, number, area, str(country_code or ""))


class XeroContactsPort:
    system, entity = "xero", "contacts"

    def __init__(self, client: XeroClient, on_read: Callable[[str], None] | None = None) -> None:
        self.client = client
        self.on_read = on_read  # told the id of every contact read (see LiveConnectors.customers_to_refresh)

    def _flatten(self, c: Contact) -> SourceRecord:
        record = flatten_contact(c)
        if self.on_read is not None:
            self.on_read(record.id)
        return record

    def read(self, since: datetime | None, start_page: int, page_token: str) -> Iterator[ReadPage]:
        return _pages(self.client.contacts(since, include_archived=True, start_page=start_page), self._flatten)

    def fetch(self, ids: list[str]) -> list[SourceRecord]:
        return [flatten_contact(c) for c in self.client.contacts_by_id(ids)]

    def write(self, ops: list[WriteOp]) -> list[WriteResult]:
        creates = [op for op in ops if op.is_create]
        updates = [op for op in ops if not op.is_create]
        out: list[WriteResult] = []
        if creates:
            out += _results(self.client.create_contacts([build_contact(op) for op in creates]), creates,
                            flatten_contact)
        if updates:
            out += _results(self.client.update_contacts([build_contact(op) for op in updates]), updates,
                            flatten_contact)
        return out

    def archive(self, ids: list[str]) -> list[WriteResult]:
        ops = [WriteOp(i, {"ContactStatus": "ARCHIVED"}, target_id=i) for i in ids]
        return _results(self.client.update_contacts([build_contact(op) for op in ops]), ops, flatten_contact)

    def find_by_xref(self, xref: str) -> SourceRecord | None:
        for page in self.client.contacts(where=f'ContactNumber=="{xref}"'):
            if page.items:
                return flatten_contact(page.items[0])
        return None

    def schema(self) -> list[FieldInfo]:
        return [*CONTACT_SCHEMA, SALES_TERMS]

    def calls(self) -> int:
        return self.client.session.calls


# ----- items -------------------------------------------------------------------------------------------------
ITEMS = FieldCodec("items")


def flatten_item(i: Item) -> SourceRecord:
    return SourceRecord(i.item_id or "", ITEMS.read(i.raw or i.to_wire()), version_text(i.updated), i.updated,
                        ACTIVE, i.name or i.code or "")


def build_item(op: WriteOp, default_account: str = "200") -> Item:
    """An item to send. Xero asks for a price's account with it, so a new price or tax rate goes with the sales
    account (and the price with the tax rate Xero has, and back); an empty value is not sent."""
    f = {k: v for k, v in op.fields.items() if v not in (None, "")}
    cur = op.current or {}
    if op.is_create or "SalesDetails.UnitPrice" in op.fields or "SalesDetails.TaxType" in op.fields:
        for key in ("SalesDetails.AccountCode", "SalesDetails.TaxType", "SalesDetails.UnitPrice"):
            if key not in f and cur.get(key) not in (None, ""):
                f[key] = cur[key]
        f.setdefault("SalesDetails.AccountCode", default_account)
    if "Code" not in f:  # the spec requires Code on every item sent, an update's too
        code = f"Z{op.source_id[-12:]}" if op.is_create and op.source_id else cur.get("Code")
        if code:
            f["Code"] = str(code)
    return Item(item_id=op.target_id, is_sold=True if op.is_create else None, more=ITEMS.write(f))


class XeroItemsPort:
    system, entity = "xero", "items"

    def __init__(self, client: XeroClient, sales_account: str = "200") -> None:
        self.client = client
        self.sales_account = sales_account

    def read(self, since: datetime | None, start_page: int, page_token: str) -> Iterator[ReadPage]:
        return _pages(self.client.items(since), flatten_item)

    def fetch(self, ids: list[str]) -> list[SourceRecord]:
        return [flatten_item(i) for i in self.client.items_by_id(ids)]

    def write(self, ops: list[WriteOp]) -> list[WriteResult]:
        creates = [op for op in ops if op.is_create]
        updates = [op for op in ops if not op.is_create]
        out: list[WriteResult] = []
        if creates:
            out += _results(self.client.create_items([build_item(op, self.sales_account) for op in creates]),
                            creates, flatten_item)
        if updates:
            out += _results(self.client.update_items([build_item(op, self.sales_account) for op in updates]),
                            updates, flatten_item)
        return out

    def archive(self, ids: list[str]) -> list[WriteResult]:
        return []

    def find_by_xref(self, xref: str) -> SourceRecord | None:
        return None

    def schema(self) -> list[FieldInfo]:
        return ITEM_SCHEMA

    def calls(self) -> int:
        return self.client.session.calls


ITEM_SCHEMA = schema_fields("items")


# ----- invoices ----------------------------------------------------------------------------------------------
def _line_fields(line: LineItem, amount_types: str | None) -> dict[str, Any]:
    return {"ItemCode": line.item_code, "Description": line.description, "Quantity": str(line.quantity),
            "UnitAmount": str(line.unit_amount), "TaxType": line.tax_type, "TaxAmount": _money(line.tax_amount),
            "LineAmount": _money(line.line_amount), "DiscountRate": _money(line.discount_rate),
            "AccountCode": line.account_code, "LineAmountTypes": amount_types, "LineItemID": line.line_item_id,
            "Tracking": line.tracking}


def sales_status(i: Invoice, today: date | None) -> str | None:
    """Xero's status as sales see it: an authorised invoice still owed after its due date is OVERDUE (Xero has no
    such status; it changes as days pass, so linked invoices are read again daily, see LiveConnectors)."""
    if i.status == "AUTHORISED" and today and i.due_date and i.due_date < today and (i.amount_due or 0) > 0:
        return "OVERDUE"
    return i.status


INVOICES = FieldCodec("invoices")


def flatten_invoice(i: Invoice, today: date | None = None) -> SourceRecord:
    f = INVOICES.read(i.raw or i.to_wire())
    f["SalesStatus"] = sales_status(i, today)
    f["LineItems"] = [_line_fields(li, i.line_amount_types) for li in i.line_items or []]
    status = {"VOIDED": "voided", "DELETED": DELETED}.get(i.status or "", ACTIVE)
    return SourceRecord(i.invoice_id or "", f, version_text(i.updated), i.updated, status,
                        f"{i.number or 'Invoice'} — {i.contact_name or ''}".strip(" —"),
                        extra={"type": i.type})


def build_invoice(op: WriteOp, defaults: dict[str, Any]) -> Invoice:
    """An invoice to send; a new one is a sales invoice with the defaults' status, the lines' amount type and a due
    date from the default payment terms when none is given."""
    f = dict(op.fields)
    if op.is_create:
        f["Status"] = f.get("Status") or defaults.get("invoice_status", "DRAFT")
        f["LineAmountTypes"] = f.get("LineAmountTypes") or next(
            (str(li["LineAmountTypes"]) for li in f.get("LineItems") or [] if li.get("LineAmountTypes")), "Exclusive")
        if f.get("Date") and not f.get("DueDate"):
            f["DueDate"] = (date.fromisoformat(str(f["Date"])[:10])
                            + timedelta(days=int(defaults.get("payment_terms_days", 14)))).isoformat()
    inv = Invoice(invoice_id=op.target_id, type="ACCREC" if op.is_create else None, more=INVOICES.write(f))
    if "LineItems" in f:
        inv.line_items = [_line(li, defaults) for li in f["LineItems"] or []]
    return inv


def _line(li: dict[str, Any], defaults: dict[str, Any]) -> LineItem:
    """A line as the sync carries it (see app.core.invoice_lines): a line sent with its LineItemID updates that
    line, so its discount rate, tracking and account code stay as they are."""
    discount = li.get("DiscountRate")
    return LineItem(description=str(li.get("Description") or ""), quantity=Decimal(str(li.get("Quantity") or 1)),
                    unit_amount=Decimal(str(li.get("UnitAmount") or 0)), item_code=li.get("ItemCode"),
                    tax_type=li.get("TaxType"), account_code=li.get("AccountCode")
                    or defaults.get("sales_account", "200"),
                    discount_rate=Decimal(str(discount)) if discount not in (None, "") else None,
                    line_item_id=li.get("LineItemID"), tracking=li.get("Tracking") or None)


class XeroInvoicesPort:
    """Sales invoices (ACCREC). Bills (ACCPAY) are accounting-only and never leave Xero."""

    system, entity = "xero", "invoices"

    def __init__(self, client: XeroClient, defaults: dict[str, Any] | None = None,
                 facts: Callable[[], TaxFacts] | None = None, today: Callable[[], date] | None = None) -> None:
        self.client = client
        self.defaults = defaults or {}
        self.facts = facts
        self.today = today
        self._lock_date: date | None | bool = False  # False: not read yet (read once, only when needed)

    def _currency_refused(self, op: WriteOp) -> WriteResult | None:
        """An invoice in a currency the Xero organisation has not added fails with the reason, before sending."""
        code = str(op.fields.get("CurrencyCode") or "").upper()
        if not code or self.facts is None or self.facts().currency_enabled(code):
            return None
        return WriteResult(op.key, False, error={
            "message": f"Xero is not set up for {code}: the organisation has not added this currency.",
            "hint": f"Add {code} in Xero (Accounting → Advanced → Currencies), then Retry.", "code": "currency",
            "field": "CurrencyCode", "transient": False})

    def locked_reason(self, fields: dict[str, Any]) -> str | None:
        """Why Xero will not take an edit to this invoice ("a paid invoice"), or None when it will."""
        status = str(fields.get("Status") or "")
        if status in ("PAID", "VOIDED", "DELETED"):
            return f"a {status.lower()} invoice"
        if (to_decimal(fields.get("AmountPaid")) or 0) > 0:
            return "an invoice with payments"
        if (to_decimal(fields.get("AmountCredited")) or 0) > 0:  # a credit note allocated to it
            return "an invoice with credit applied"
        day = str(fields.get("Date") or "")[:10]
        if day and self._lock_date is False:
            self._lock_date = self.client.organisation().period_lock_date
        if day and self._lock_date and date.fromisoformat(day) <= self._lock_date:
            return "an invoice in a locked period"
        return None

    def _flatten(self, i: Invoice) -> SourceRecord:
        return flatten_invoice(i, self.today() if self.today else None)

    def read(self, since: datetime | None, start_page: int, page_token: str) -> Iterator[ReadPage]:
        for page in _pages(self.client.invoices(since, start_page=start_page), self._flatten):
            page.records = [r for r in page.records if r.extra.get("type") == "ACCREC"]
            yield page

    def fetch(self, ids: list[str]) -> list[SourceRecord]:
        return [self._flatten(i) for i in self.client.invoices_by_id(ids) if i.type == "ACCREC"]

    def write(self, ops: list[WriteOp]) -> list[WriteResult]:
        out = [self._currency_refused(op) for op in ops]
        refused = {r.key for r in out if r is not None}
        out = [r for r in out if r is not None]
        creates = [op for op in ops if op.is_create and op.key not in refused]
        updates = [op for op in ops if not op.is_create and op.key not in refused]
        if creates:
            out += _results(self.client.create_invoices([build_invoice(op, self.defaults) for op in creates]),
                            creates, self._flatten)
        if updates:
            out += _results(self.client.update_invoices([build_invoice(op, self.defaults) for op in updates]),
                            updates, self._flatten)
        return out

    def archive(self, ids: list[str]) -> list[WriteResult]:
        return []

    def find_by_xref(self, xref: str) -> SourceRecord | None:
        for page in self.client.invoices(where=f'Reference!=null&&Reference.Contains("{xref}")'):
            for invoice in page.items:
                return self._flatten(invoice)
        return None

    def schema(self) -> list[FieldInfo]:
        return [*INVOICE_SCHEMA, SALES_STATUS]

    def calls(self) -> int:
        return self.client.session.calls


INVOICE_SCHEMA = schema_fields("invoices")


# Not a field of Xero's: worked out by the connector (see sales_status).
SALES_STATUS = FieldInfo("SalesStatus", "Sales status", "picklist", read_only=True,
                         choices=["DRAFT", "SUBMITTED", "AUTHORISED", "OVERDUE", "PAID", "VOIDED", "DELETED"])


# ----- deals → invoices --------------------------------------------------------------------------------------
class XeroDealInvoicesPort(XeroInvoicesPort):
    """Invoices raised from won deals: one line for the deal amount (ex GST) unless the deal lists lines, with the
    branding theme and sales payment terms of the customer's Xero contact; an authorised one is emailed to the
    customer by Xero when the defaults say ``email_invoice``."""

    entity = "invoices from deals"

    def write(self, ops: list[WriteOp]) -> list[WriteResult]:
        customers = self._customers([op.fields.get("Contact.ContactID") for op in ops if op.is_create])
        prepared = []
        for op in ops:
            f = dict(op.fields)
            if "LineItems" not in f:
                amount = f.pop("Amount", None) or "0"
                tax_type = self.defaults["tax_type_for"](f.get("Contact.ContactID"), f.get("CurrencyCode")) \
                    if "tax_type_for" in self.defaults else self.defaults.get("deal_tax_type", "OUTPUT")
                f["LineItems"] = [{"Description": f.get("Description") or f.get("Reference") or "Deal",
                                   "Quantity": "1", "UnitAmount": str(amount), "TaxType": tax_type}]
            f.pop("Amount", None)
            f.pop("Description", None)
            if op.is_create and op.source_id:  # lets an interrupted run find this invoice again
                f["Reference"] = f"{f.get('Reference') or 'Deal'} (Zoho deal {op.source_id})"[:255]
            theme, terms = customers.get(str(f.get("Contact.ContactID") or ""), (None, None))
            if op.is_create and theme:
                f["BrandingThemeID"] = theme
            if op.is_create and terms and f.get("Date") and not f.get("DueDate"):
                f["DueDate"] = due_date(date.fromisoformat(str(f["Date"])[:10]), terms)
            prepared.append(WriteOp(op.key, f, op.target_id, op.source_id, op.name, op.current))
        results = super().write(prepared)
        if self.defaults.get("email_invoice"):
            self._email(results, {op.key for op in ops if op.is_create})
        return results

    def _customers(self, ids: list[Any]) -> dict[str, tuple[str | None, tuple[int, str] | None]]:
        """Each customer's branding theme and sales payment terms as kept with its link when the contacts pair last
        wrote it (no call to Xero), else read from Xero (a link made before they were kept)."""
        known = self.defaults.get("customer_values") or (lambda contact_id: {})
        out: dict[str, tuple[str | None, tuple[int, str] | None]] = {}
        unknown = []
        for contact_id in sorted({str(i) for i in ids if i}):
            values = known(contact_id)
            if "PaymentTerms.Sales.Type" not in values:
                unknown.append(contact_id)
                continue
            day, kind = values.get("PaymentTerms.Sales.Day"), values.get("PaymentTerms.Sales.Type")
            out[contact_id] = (values.get("BrandingTheme.BrandingThemeID"),
                               (int(day), str(kind)) if day is not None and kind else None)
        for c in self.client.contacts_by_id(unknown) if unknown else []:
            if c.contact_id:
                out[c.contact_id] = (c.branding_theme_id, c.sales_terms)
        return out

    def _email(self, results: list[WriteResult], created: set[str]) -> None:
        """Xero emails each new authorised invoice once. A refusal leaves the invoice as made (sending it again
        from Xero is one click); it is logged, never retried by creating the invoice again."""
        for r in results:
            status = (r.written.fields.get("Status") if r.written else None)
            if r.ok and r.key in created and r.target_id and status == "AUTHORISED":
                try:
                    self.client.email_invoice(r.target_id)
                except AppError as exc:
                    log.warning("Xero did not email invoice %s: %s", r.target_id, exc.technical or exc.message)

    def schema(self) -> list[FieldInfo]:
        lines_optional = [FieldInfo(f.name, f.label, f.type, required=False, read_only=f.read_only)
                          if f.name == "LineItems" else f for f in INVOICE_SCHEMA]
        return [*lines_optional, FieldInfo("Amount", "Amount (one line, ex GST)", "money"),
                FieldInfo("Description", "Line description", "text")]


_TERMS_MONTHS = {"OFCURRENTMONTH": 0, "OFFOLLOWINGMONTH": 1}


def due_date(invoice_date: date, terms: tuple[int, str]) -> date | None:
    """The due date Xero's sales payment terms give an invoice dated ``invoice_date`` (PaymentTerm.Day and Type)."""
    day, kind = terms
    if kind == "DAYSAFTERBILLDATE":
        return invoice_date + timedelta(days=day)
    if kind == "DAYSAFTERBILLMONTH":
        return _day_of_month(invoice_date.year, invoice_date.month, 31) + timedelta(days=day)
    if kind in _TERMS_MONTHS:
        month = invoice_date.month + _TERMS_MONTHS[kind]
        return _day_of_month(invoice_date.year + (month - 1) // 12, (month - 1) % 12 + 1, day)
    return None


def terms_words(terms: tuple[int, str]) -> str:
    """Xero's sales payment terms as its invoice screen says them: "20 days after the invoice date", "the 20th of
    the following month"."""
    day, kind = terms
    days = f"{day} day{'' if day == 1 else 's'}"
    if kind == "DAYSAFTERBILLDATE":
        return f"{days} after the invoice date"
    if kind == "DAYSAFTERBILLMONTH":
        return f"{days} after the end of the invoice month"
    nth = f"{day}{'th' if 10 <= day % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(day % 10, 'th')}"
    if kind == "OFCURRENTMONTH":
        return f"the {nth} of the invoice month"
    if kind == "OFFOLLOWINGMONTH":
        return f"the {nth} of the following month"
    return f"{day} ({kind.lower()})"


def _day_of_month(year: int, month: int, day: int) -> date:
    """That day of the month, the month's last day when it is shorter (the 31st of February is the 28th or 29th)."""
    last = (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)).day
    return date(year, month, min(max(1, day), last))


# ----- payments (read only: they move invoices and balances) -------------------------------------------------
def flatten_payment(p: Payment) -> SourceRecord:
    f = {"Invoice.InvoiceID": p.invoice_id, "Invoice.Contact.ContactID": p.contact_id, "Amount": _money(p.amount),
         "Date": p.date.isoformat() if p.date else None, "Status": p.status}
    return SourceRecord(p.payment_id or "", f, version_text(p.updated), p.updated,
                        DELETED if p.status == "DELETED" else ACTIVE, p.reference or "")


class XeroPaymentsPort:
    system, entity = "xero", "payments"

    def __init__(self, client: XeroClient) -> None:
        self.client = client

    def read(self, since: datetime | None, start_page: int, page_token: str) -> Iterator[ReadPage]:
        return _pages(self.client.payments(since, start_page=start_page), flatten_payment)

    def fetch(self, ids: list[str]) -> list[SourceRecord]:
        return []

    def write(self, ops: list[WriteOp]) -> list[WriteResult]:
        return [WriteResult(op.key, False, error={"message": "payments are read only"}) for op in ops]

    def archive(self, ids: list[str]) -> list[WriteResult]:
        return []

    def find_by_xref(self, xref: str) -> SourceRecord | None:
        return None

    def schema(self) -> list[FieldInfo]:
        return []

    def calls(self) -> int:
        return self.client.session.calls
