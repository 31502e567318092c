"""The records an organisation holds, as lean slotted dataclasses, plus their JSON (de)serialisation for save/load.

Field names are the wire names (PascalCase) so ``where``/``order`` can resolve any stored element generically.
Dates are int milliseconds since the epoch, money is Decimal. Large seeds leave ``Invoice.LineItems`` as ``None``
and regenerate the lines from ``LineSeed`` when someone asks (see :mod:`.seed`), so 100,000 contacts and 200,000
invoices fit in modest memory.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any

from .wire import ZERO

ONE_RATE = Decimal("1.000000")


@dataclass(slots=True)
class Contact:
    ContactID: str
    Name: str
    ContactStatus: str = "ACTIVE"
    ContactNumber: str = ""
    AccountNumber: str = ""
    FirstName: str = ""
    LastName: str = ""
    EmailAddress: str = ""
    CompanyNumber: str = ""
    BankAccountDetails: str = ""
    TaxNumber: str = ""
    AccountsReceivableTaxType: str = ""
    AccountsPayableTaxType: str = ""
    DefaultCurrency: str = ""
    Website: str = ""
    Addresses: dict | None = None  # {"STREET": {...}, "POBOX": {...}}: only slots that were written
    Phones: dict | None = None  # {"DEFAULT": {...}, "MOBILE": {...}}
    ContactPersons: list | None = None
    SalesDefaultLineAmountType: str = ""
    PurchasesDefaultLineAmountType: str = ""
    PaymentTerms: dict | None = None
    Extra: dict | None = None  # other writable elements echoed back as sent (SalesDefaultAccountCode, …)
    IsSupplier: bool = False
    IsCustomer: bool = False
    MergedToContactID: str = ""
    UpdatedDateUTC: int = 0


@dataclass(slots=True)
class Item:
    ItemID: str
    Code: str
    Name: str = ""
    Description: str = ""
    PurchaseDescription: str = ""
    IsSold: bool = True
    IsPurchased: bool = True
    SalesDetails: dict | None = None  # {"UnitPrice": Decimal, "AccountCode": str, "TaxType": str}
    PurchaseDetails: dict | None = None
    IsTrackedAsInventory: bool = False
    InventoryAssetAccountCode: str = ""
    UpdatedDateUTC: int = 0


@dataclass(slots=True)
class LineItem:
    LineItemID: str
    Description: str = ""
    Quantity: Decimal | None = None
    UnitAmount: Decimal | None = None
    ItemCode: str = ""
    AccountCode: str = ""
    TaxType: str = ""
    TaxAmount: Decimal = ZERO
    LineAmount: Decimal = ZERO
    DiscountRate: Decimal | None = None
    DiscountAmount: Decimal | None = None
    Tracking: list | None = None


@dataclass(slots=True)
class Invoice:
    InvoiceID: str
    Type: str
    ContactID: str
    InvoiceNumber: str = ""
    Reference: str = ""
    Date: int = 0
    DueDate: int | None = None
    Status: str = "DRAFT"
    LineAmountTypes: str = "Exclusive"
    CurrencyCode: str = "AUD"
    CurrencyRate: Decimal = ONE_RATE
    LineItems: list | None = None  # None = not materialised yet (large seed): regenerate from LineSeed
    TotalTax: Decimal = ZERO
    Total: Decimal = ZERO
    TotalDiscount: Decimal = ZERO
    AmountPaid: Decimal = ZERO
    AmountCredited: Decimal = ZERO
    FullyPaidOnDate: int | None = None
    SentToContact: bool = False
    Url: str = ""
    BrandingThemeID: str = ""
    EmailsSent: int = 0  # times Xero emailed it to the contact (POST /Invoices/{id}/Email); not on the wire
    ExpectedPaymentDate: int | None = None
    PlannedPaymentDate: int | None = None
    CreatedByApp: str = ""
    LineSeed: int = 0
    UpdatedDateUTC: int = 0

    @property
    def SubTotal(self) -> Decimal:  # noqa: N802 - wire name; Total − TotalTax for every LineAmountTypes
        return self.Total - self.TotalTax

    @property
    def AmountDue(self) -> Decimal:  # noqa: N802 - wire name
        if self.Status in ("DELETED", "VOIDED"):
            return ZERO
        return self.Total - self.AmountPaid - self.AmountCredited


@dataclass(slots=True)
class Payment:
    PaymentID: str
    InvoiceID: str
    Date: int
    Amount: Decimal
    AccountID: str
    AccountCode: str
    PaymentType: str = "ACCRECPAYMENT"
    CurrencyRate: Decimal = ONE_RATE
    Reference: str = ""
    Status: str = "AUTHORISED"
    IsReconciled: bool = False
    UpdatedDateUTC: int = 0


@dataclass(slots=True)
class Allocation:
    """Part of a credit note's credit applied to an invoice of the same contact."""

    AllocationID: str
    InvoiceID: str
    Amount: Decimal
    Date: int
    IsDeleted: bool = False


@dataclass(slots=True)
class CreditNote:
    """A credit note (ACCRECCREDIT to a customer, ACCPAYCREDIT from a supplier): lines and totals as an invoice's;
    its credit is spent by allocations to invoices."""

    CreditNoteID: str
    Type: str
    ContactID: str
    CreditNoteNumber: str = ""
    Reference: str = ""
    Date: int = 0
    DueDate: int | None = None
    Status: str = "DRAFT"
    LineAmountTypes: str = "Exclusive"
    CurrencyCode: str = "AUD"
    CurrencyRate: Decimal = ONE_RATE
    LineItems: list | None = None
    TotalTax: Decimal = ZERO
    Total: Decimal = ZERO
    TotalDiscount: Decimal = ZERO
    Allocations: list | None = None  # [Allocation]
    FullyPaidOnDate: int | None = None
    SentToContact: bool = False
    BrandingThemeID: str = ""
    CreatedByApp: str = ""
    UpdatedDateUTC: int = 0

    @property
    def SubTotal(self) -> Decimal:  # noqa: N802 - wire name
        return self.Total - self.TotalTax

    @property
    def AmountAllocated(self) -> Decimal:  # noqa: N802 - not on the wire; Total − RemainingCredit
        return sum((a.Amount for a in (self.Allocations or []) if not a.IsDeleted), ZERO)

    @property
    def RemainingCredit(self) -> Decimal:  # noqa: N802 - wire name
        if self.Status in ("DELETED", "VOIDED"):
            return ZERO
        return self.Total - self.AmountAllocated


@dataclass
class Org:
    """One Xero organisation (tenant) and its indexes."""

    TenantID: str
    Name: str
    ShortCode: str
    CountryCode: str = "AU"
    BaseCurrency: str = "AUD"
    Timezone: str = "AUSEASTERNSTANDARDTIME"
    TaxNumber: str = ""
    LegalName: str = ""
    CreatedDateUTC: int = 0
    PeriodLockDate: int = 0  # ms; documents dated on or before it cannot be changed (0: no lock)
    contact_groups: dict[str, dict] = field(default_factory=dict)  # id → {ContactGroupID, Name, Status, ContactIDs}
    contacts: dict[str, Contact] = field(default_factory=dict)
    items: dict[str, Item] = field(default_factory=dict)
    invoices: dict[str, Invoice] = field(default_factory=dict)
    payments: dict[str, Payment] = field(default_factory=dict)
    credit_notes: dict[str, CreditNote] = field(default_factory=dict)
    currencies: list[str] = field(default_factory=list)
    next_invoice_number: int = 1
    next_credit_note_number: int = 1
    seed_tag: str = ""  # how lazily generated lines are rebuilt (see seed.materialise_lines)
    # indexes, rebuilt by reindex(); not exported
    active_names: dict[str, str] = field(default_factory=dict)
    contact_numbers: dict[str, str] = field(default_factory=dict)
    item_codes: dict[str, str] = field(default_factory=dict)
    invoice_numbers: dict[str, str] = field(default_factory=dict)
    invoices_by_contact: dict[str, list[str]] = field(default_factory=dict)
    payments_by_invoice: dict[str, list[str]] = field(default_factory=dict)
    credit_notes_by_contact: dict[str, list[str]] = field(default_factory=dict)
    credit_notes_by_invoice: dict[str, list[str]] = field(default_factory=dict)  # notes with an allocation to it
    credit_note_numbers: dict[str, str] = field(default_factory=dict)

    # ----- indexes -------------------------------------------------------------------------------------------
    def reindex(self) -> None:
        self.active_names.clear()
        self.contact_numbers.clear()
        self.item_codes.clear()
        self.invoice_numbers.clear()
        self.invoices_by_contact.clear()
        self.payments_by_invoice.clear()
        self.credit_notes_by_contact.clear()
        self.credit_notes_by_invoice.clear()
        self.credit_note_numbers.clear()
        for c in self.contacts.values():
            self.index_contact(c)
        for i in self.items.values():
            self.item_codes[i.Code.lower()] = i.ItemID
        for inv in self.invoices.values():
            self.index_invoice(inv)
        for p in self.payments.values():
            self.payments_by_invoice.setdefault(p.InvoiceID, []).append(p.PaymentID)
        for cn in self.credit_notes.values():
            self.index_credit_note(cn)

    def index_contact(self, c: Contact) -> None:
        if c.ContactStatus == "ACTIVE":
            self.active_names[name_key(c.Name)] = c.ContactID
        if c.ContactNumber:
            self.contact_numbers[c.ContactNumber.lower()] = c.ContactID

    def unindex_contact(self, c: Contact) -> None:
        key = name_key(c.Name)
        if self.active_names.get(key) == c.ContactID:
            del self.active_names[key]
        if c.ContactNumber and self.contact_numbers.get(c.ContactNumber.lower()) == c.ContactID:
            del self.contact_numbers[c.ContactNumber.lower()]

    def index_invoice(self, inv: Invoice) -> None:
        self.invoices_by_contact.setdefault(inv.ContactID, []).append(inv.InvoiceID)
        if inv.Type == "ACCREC" and inv.InvoiceNumber and inv.Status != "DELETED":
            self.invoice_numbers[number_key(inv.InvoiceNumber)] = inv.InvoiceID

    def unindex_invoice(self, inv: Invoice) -> None:
        ids = self.invoices_by_contact.get(inv.ContactID)
        if ids and inv.InvoiceID in ids:
            ids.remove(inv.InvoiceID)
        key = number_key(inv.InvoiceNumber)
        if key and self.invoice_numbers.get(key) == inv.InvoiceID:
            del self.invoice_numbers[key]


    def index_credit_note(self, cn: CreditNote) -> None:
        ids = self.credit_notes_by_contact.setdefault(cn.ContactID, [])
        if cn.CreditNoteID not in ids:
            ids.append(cn.CreditNoteID)
        for a in cn.Allocations or []:
            notes = self.credit_notes_by_invoice.setdefault(a.InvoiceID, [])
            if cn.CreditNoteID not in notes:
                notes.append(cn.CreditNoteID)
        if cn.Type == "ACCRECCREDIT" and cn.CreditNoteNumber and cn.Status != "DELETED":
            self.credit_note_numbers[number_key(cn.CreditNoteNumber)] = cn.CreditNoteID

    def unindex_credit_note(self, cn: CreditNote) -> None:
        ids = self.credit_notes_by_contact.get(cn.ContactID)
        if ids and cn.CreditNoteID in ids:
            ids.remove(cn.CreditNoteID)
        key = number_key(cn.CreditNoteNumber)
        if key and self.credit_note_numbers.get(key) == cn.CreditNoteID:
            del self.credit_note_numbers[key]


def number_key(number: str) -> str:
    """Case-insensitive key for invoice numbers; reuses the string itself when it is already upper case."""
    upper = number.upper()
    return number if upper == number else upper


def name_key(name: str) -> str:
    """Names are unique among ACTIVE contacts ignoring case and surrounding/double spaces (**unverified** detail)."""
    return " ".join(name.split()).casefold()


# ----- JSON (save/load) ----------------------------------------------------------------------------------------
_DECIMAL_FIELDS = {
    "Quantity", "UnitAmount", "TaxAmount", "LineAmount", "DiscountRate", "DiscountAmount", "CurrencyRate",
    "TotalTax", "Total", "TotalDiscount", "AmountPaid", "AmountCredited", "Amount", "UnitPrice",
}


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, LineItem | Allocation):
        return record_to_json(value)
    return value


def record_to_json(record: Any) -> dict:
    return {f.name: _plain(getattr(record, f.name)) for f in fields(record)}


def _revive(key: str, value: Any) -> Any:
    if value is None:
        return None
    if key in _DECIMAL_FIELDS and isinstance(value, (str, int)):
        return Decimal(str(value))
    if isinstance(value, dict):
        return {k: _revive(k, v) for k, v in value.items()}
    return value


def record_from_json(cls: type, data: dict) -> Any:
    names = {f.name for f in fields(cls)}
    kwargs = {k: _revive(k, v) for k, v in data.items() if k in names}
    if cls in (Invoice, CreditNote) and kwargs.get("LineItems") is not None:
        kwargs["LineItems"] = [record_from_json(LineItem, li) for li in kwargs["LineItems"]]
    if cls is CreditNote and kwargs.get("Allocations") is not None:
        kwargs["Allocations"] = [record_from_json(Allocation, a) for a in kwargs["Allocations"]]
    return cls(**kwargs)


def org_to_json(org: Org) -> dict:
    return {
        "TenantID": org.TenantID, "Name": org.Name, "ShortCode": org.ShortCode, "CountryCode": org.CountryCode,
        "BaseCurrency": org.BaseCurrency, "Timezone": org.Timezone, "TaxNumber": org.TaxNumber,
        "LegalName": org.LegalName, "CreatedDateUTC": org.CreatedDateUTC, "currencies": list(org.currencies),
        "PeriodLockDate": org.PeriodLockDate, "contact_groups": list(org.contact_groups.values()),
        "next_invoice_number": org.next_invoice_number, "next_credit_note_number": org.next_credit_note_number,
        "seed_tag": org.seed_tag,
        "contacts": [record_to_json(c) for c in org.contacts.values()],
        "items": [record_to_json(i) for i in org.items.values()],
        "invoices": [record_to_json(i) for i in org.invoices.values()],
        "payments": [record_to_json(p) for p in org.payments.values()],
        "credit_notes": [record_to_json(cn) for cn in org.credit_notes.values()],
    }


def org_from_json(data: dict) -> Org:
    org = Org(TenantID=data["TenantID"], Name=data["Name"], ShortCode=data["ShortCode"],
              CountryCode=data.get("CountryCode", "AU"), BaseCurrency=data.get("BaseCurrency", "AUD"),
              Timezone=data.get("Timezone", "AUSEASTERNSTANDARDTIME"), TaxNumber=data.get("TaxNumber", ""),
              LegalName=data.get("LegalName", ""), CreatedDateUTC=data.get("CreatedDateUTC", 0),
              currencies=list(data.get("currencies", [])), next_invoice_number=data.get("next_invoice_number", 1),
              next_credit_note_number=data.get("next_credit_note_number", 1),
              seed_tag=data.get("seed_tag", ""), PeriodLockDate=data.get("PeriodLockDate", 0),
              contact_groups={g["ContactGroupID"]: dict(g) for g in data.get("contact_groups", [])})
    for c in data.get("contacts", []):
        org.contacts[c["ContactID"]] = record_from_json(Contact, c)
    for i in data.get("items", []):
        org.items[i["ItemID"]] = record_from_json(Item, i)
    for i in data.get("invoices", []):
        org.invoices[i["InvoiceID"]] = record_from_json(Invoice, i)
    for p in data.get("payments", []):
        org.payments[p["PaymentID"]] = record_from_json(Payment, p)
    for cn in data.get("credit_notes", []):
        org.credit_notes[cn["CreditNoteID"]] = record_from_json(CreditNote, cn)
    org.reindex()
    return org
