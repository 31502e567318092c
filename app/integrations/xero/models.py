"""Typed Xero records. ``from_wire`` reads Xero's JSON; ``to_wire`` writes only the fields that are set (``None``
means "leave as it is"), because Xero keeps omitted fields and replaces arrays wholesale."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from app.integrations.common import money
from app.integrations.xero.wire import format_day, parse_date, parse_day


def _put(out: dict[str, Any], key: str, value: Any) -> None:
    if value is not None:
        out[key] = value


def _merged(out: dict[str, Any], more: dict[str, Any]) -> dict[str, Any]:
    """``out`` with ``more`` (other fields, as Xero's nested JSON) laid over it, nested objects merged."""
    for key, value in more.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            _merged(out[key], value)
        else:
            out[key] = value
    return out


@dataclass
class Phone:
    type: str = "DEFAULT"
    number: str = ""
    area_code: str = ""
    country_code: str = ""

    @classmethod
    def from_wire(cls, d: dict[str, Any]) -> Phone:
        return cls(d.get("PhoneType", "DEFAULT"), d.get("PhoneNumber") or "", d.get("PhoneAreaCode") or "",
                   d.get("PhoneCountryCode") or "")

    def to_wire(self) -> dict[str, Any]:
        return {"PhoneType": self.type, "PhoneNumber": self.number, "PhoneAreaCode": self.area_code,
                "PhoneCountryCode": self.country_code}

    @property
    def full(self) -> str:
        return " ".join(p for p in (self.area_code, self.number) if p)


@dataclass
class Address:
    """One address slot (STREET, POBOX) with its parts under Xero's names (``AddressLine1``, ``City``, …)."""

    type: str = "STREET"
    parts: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_wire(cls, d: dict[str, Any]) -> Address:
        return cls(d.get("AddressType", "STREET"),
                   {k: str(v) for k, v in d.items() if k != "AddressType" and isinstance(v, str)})

    def to_wire(self) -> dict[str, Any]:
        return {"AddressType": self.type, **self.parts}


@dataclass
class ContactPerson:
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    include_in_emails: bool = False

    @classmethod
    def from_wire(cls, d: dict[str, Any]) -> ContactPerson:
        return cls(d.get("FirstName") or "", d.get("LastName") or "", d.get("EmailAddress") or "",
                   bool(d.get("IncludeInEmails")))

    def to_wire(self) -> dict[str, Any]:
        return {"FirstName": self.first_name, "LastName": self.last_name, "EmailAddress": self.email,
                "IncludeInEmails": self.include_in_emails}


@dataclass
class Contact:
    contact_id: str | None = None
    name: str | None = None
    status: str | None = None  # ACTIVE | ARCHIVED | GDPRREQUEST
    contact_number: str | None = None
    account_number: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    tax_number: str | None = None
    website: str | None = None
    default_currency: str | None = None
    phones: list[Phone] | None = None
    addresses: list[Address] | None = None
    persons: list[ContactPerson] | None = None
    is_customer: bool | None = None
    is_supplier: bool | None = None
    ar_outstanding: Decimal | None = None
    ar_overdue: Decimal | None = None
    merged_to: str | None = None
    branding_theme_id: str | None = None
    sales_terms: tuple[int, str] | None = None  # PaymentTerms.Sales: (Day, Type), e.g. (20, "DAYSAFTERBILLDATE")
    updated: datetime | None = None
    # Xero's JSON as read (the connector reads every field of the schema file from it) and other fields to send,
    # as Xero's nested JSON (the schema file's plain fields a mapping writes).
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    more: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def from_wire(cls, d: dict[str, Any]) -> Contact:
        ar = ((d.get("Balances") or {}).get("AccountsReceivable")) or {}
        return cls(
            contact_id=d.get("ContactID"), name=d.get("Name"), status=d.get("ContactStatus"),
            contact_number=d.get("ContactNumber"), account_number=d.get("AccountNumber"),
            first_name=d.get("FirstName"), last_name=d.get("LastName"), email=d.get("EmailAddress"),
            tax_number=d.get("TaxNumber"), website=d.get("Website"), default_currency=d.get("DefaultCurrency"),
            phones=[Phone.from_wire(p) for p in d.get("Phones") or []],
            addresses=[Address.from_wire(a) for a in d.get("Addresses") or []],
            persons=[ContactPerson.from_wire(p) for p in d.get("ContactPersons") or []],
            is_customer=d.get("IsCustomer"), is_supplier=d.get("IsSupplier"),
            ar_outstanding=money(ar.get("Outstanding")), ar_overdue=money(ar.get("Overdue")),
            merged_to=d.get("MergedToContactID"),
            branding_theme_id=(d.get("BrandingTheme") or {}).get("BrandingThemeID"),
            sales_terms=_sales_terms(d.get("PaymentTerms")), updated=parse_date(d.get("UpdatedDateUTC")), raw=d,
        )

    def to_wire(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in (("ContactID", self.contact_id), ("Name", self.name), ("ContactStatus", self.status),
                           ("ContactNumber", self.contact_number), ("AccountNumber", self.account_number),
                           ("FirstName", self.first_name), ("LastName", self.last_name),
                           ("EmailAddress", self.email), ("TaxNumber", self.tax_number),
                           ("DefaultCurrency", self.default_currency)):
            _put(out, key, value)
        if self.phones is not None:
            out["Phones"] = [p.to_wire() for p in self.phones]
        if self.addresses is not None:
            out["Addresses"] = [a.to_wire() for a in self.addresses]
        if self.persons is not None:
            out["ContactPersons"] = [p.to_wire() for p in self.persons]
        return _merged(out, self.more)

    def phone(self, kind: str = "DEFAULT") -> Phone | None:
        return next((p for p in self.phones or [] if p.type == kind), None)

    def address(self, kind: str = "STREET") -> Address | None:
        return next((a for a in self.addresses or [] if a.type == kind), None)


def _sales_terms(terms: Any) -> tuple[int, str] | None:
    sales = (terms or {}).get("Sales") if isinstance(terms, dict) else None
    if not isinstance(sales, dict) or sales.get("Day") is None or not sales.get("Type"):
        return None
    try:
        return int(sales["Day"]), str(sales["Type"])
    except (TypeError, ValueError):
        return None


@dataclass
class Item:
    item_id: str | None = None
    code: str | None = None
    name: str | None = None
    description: str | None = None
    sale_price: Decimal | None = None
    sale_tax_type: str | None = None
    sale_account_code: str | None = None
    purchase_price: Decimal | None = None
    is_sold: bool | None = None
    is_purchased: bool | None = None
    updated: datetime | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)  # as Contact's
    more: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def from_wire(cls, d: dict[str, Any]) -> Item:
        sales = d.get("SalesDetails") or {}
        purchase = d.get("PurchaseDetails") or {}
        return cls(item_id=d.get("ItemID"), code=d.get("Code"), name=d.get("Name"),
                   description=d.get("Description"), sale_price=money(sales.get("UnitPrice")),
                   sale_tax_type=sales.get("TaxType"), sale_account_code=sales.get("AccountCode"),
                   purchase_price=money(purchase.get("UnitPrice")), is_sold=d.get("IsSold"),
                   is_purchased=d.get("IsPurchased"), updated=parse_date(d.get("UpdatedDateUTC")), raw=d)

    def to_wire(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in (("ItemID", self.item_id), ("Code", self.code), ("Name", self.name),
                           ("Description", self.description), ("IsSold", self.is_sold)):
            _put(out, key, value)
        sales: dict[str, Any] = {}
        _put(sales, "UnitPrice", self.sale_price)
        _put(sales, "TaxType", self.sale_tax_type)
        _put(sales, "AccountCode", self.sale_account_code)
        if sales:
            out["SalesDetails"] = sales
        return _merged(out, self.more)


@dataclass
class LineItem:
    description: str = ""
    quantity: Decimal = Decimal("1")
    unit_amount: Decimal = Decimal("0")
    item_code: str | None = None
    account_code: str | None = None
    tax_type: str | None = None
    tax_amount: Decimal | None = None
    line_amount: Decimal | None = None
    discount_rate: Decimal | None = None
    line_item_id: str | None = None
    tracking: list[dict[str, Any]] | None = None  # up to two {Name, Option} of the org's tracking categories

    @classmethod
    def from_wire(cls, d: dict[str, Any]) -> LineItem:
        return cls(description=d.get("Description") or "", quantity=money(d.get("Quantity")) or Decimal("0"),
                   unit_amount=money(d.get("UnitAmount")) or Decimal("0"), item_code=d.get("ItemCode"),
                   account_code=d.get("AccountCode"), tax_type=d.get("TaxType"),
                   tax_amount=money(d.get("TaxAmount")), line_amount=money(d.get("LineAmount")),
                   discount_rate=money(d.get("DiscountRate")), line_item_id=d.get("LineItemID"),
                   tracking=[{"Name": t.get("Name"), "Option": t.get("Option")} for t in d.get("Tracking") or []]
                   or None)

    def to_wire(self) -> dict[str, Any]:
        out: dict[str, Any] = {"Description": self.description, "Quantity": self.quantity,
                               "UnitAmount": self.unit_amount}
        for key, value in (("ItemCode", self.item_code), ("AccountCode", self.account_code),
                           ("TaxType", self.tax_type), ("DiscountRate", self.discount_rate),
                           ("LineItemID", self.line_item_id), ("Tracking", self.tracking)):
            _put(out, key, value)
        return out


@dataclass
class Invoice:
    invoice_id: str | None = None
    type: str | None = None  # ACCREC | ACCPAY
    number: str | None = None
    reference: str | None = None
    contact_id: str | None = None
    contact_name: str | None = None
    date: date | None = None
    due_date: date | None = None
    status: str | None = None
    line_amount_types: str | None = None  # Exclusive | Inclusive | NoTax
    line_items: list[LineItem] | None = None
    sub_total: Decimal | None = None
    total_tax: Decimal | None = None
    total: Decimal | None = None
    amount_due: Decimal | None = None
    amount_paid: Decimal | None = None
    currency: str | None = None
    currency_rate: Decimal | None = None
    branding_theme_id: str | None = None
    updated: datetime | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)  # as Contact's
    more: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def from_wire(cls, d: dict[str, Any]) -> Invoice:
        contact = d.get("Contact") or {}
        lines = d.get("LineItems")
        return cls(
            invoice_id=d.get("InvoiceID"), type=d.get("Type"), number=d.get("InvoiceNumber"),
            reference=d.get("Reference"), contact_id=contact.get("ContactID"), contact_name=contact.get("Name"),
            date=parse_day(d.get("Date")), due_date=parse_day(d.get("DueDate")), status=d.get("Status"),
            line_amount_types=d.get("LineAmountTypes"),
            line_items=[LineItem.from_wire(li) for li in lines] if lines is not None else None,
            sub_total=money(d.get("SubTotal")), total_tax=money(d.get("TotalTax")), total=money(d.get("Total")),
            amount_due=money(d.get("AmountDue")), amount_paid=money(d.get("AmountPaid")),
            currency=d.get("CurrencyCode"), currency_rate=money(d.get("CurrencyRate")),
            branding_theme_id=d.get("BrandingThemeID"), updated=parse_date(d.get("UpdatedDateUTC")), raw=d,
        )

    def to_wire(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in (("InvoiceID", self.invoice_id), ("Type", self.type), ("InvoiceNumber", self.number),
                           ("Reference", self.reference), ("Status", self.status),
                           ("LineAmountTypes", self.line_amount_types), ("CurrencyCode", self.currency),
                           ("CurrencyRate", self.currency_rate), ("Date", format_day(self.date)),
                           ("DueDate", format_day(self.due_date)), ("BrandingThemeID", self.branding_theme_id)):
            _put(out, key, value)
        if self.contact_id:
            out["Contact"] = {"ContactID": self.contact_id}  # only the id: more would edit the contact
        if self.line_items is not None:
            out["LineItems"] = [li.to_wire() for li in self.line_items]
        return _merged(out, self.more)


@dataclass
class Payment:
    payment_id: str | None = None
    invoice_id: str | None = None
    invoice_number: str | None = None
    invoice_type: str | None = None
    contact_id: str | None = None
    date: date | None = None
    amount: Decimal | None = None
    reference: str | None = None
    status: str | None = None  # AUTHORISED | DELETED
    currency_rate: Decimal | None = None
    account_code: str | None = None
    updated: datetime | None = None

    @classmethod
    def from_wire(cls, d: dict[str, Any]) -> Payment:
        invoice = d.get("Invoice") or {}
        return cls(payment_id=d.get("PaymentID"), invoice_id=invoice.get("InvoiceID"),
                   invoice_number=invoice.get("InvoiceNumber"), invoice_type=invoice.get("Type"),
                   contact_id=(invoice.get("Contact") or {}).get("ContactID"), date=parse_day(d.get("Date")),
                   amount=money(d.get("Amount")), reference=d.get("Reference"), status=d.get("Status"),
                   currency_rate=money(d.get("CurrencyRate")),
                   account_code=(d.get("Account") or {}).get("Code"), updated=parse_date(d.get("UpdatedDateUTC")))

    def to_wire(self) -> dict[str, Any]:
        out: dict[str, Any] = {"Invoice": {"InvoiceID": self.invoice_id}, "Amount": self.amount,
                               "Date": format_day(self.date)}
        if self.account_code:
            out["Account"] = {"Code": self.account_code}
        _put(out, "Reference", self.reference)
        return out


@dataclass
class TaxRate:
    name: str
    tax_type: str
    rate: Decimal
    status: str = "ACTIVE"
    revenue: bool = True  # may be used on sales

    @classmethod
    def from_wire(cls, d: dict[str, Any]) -> TaxRate:
        return cls(d.get("Name") or "", d.get("TaxType") or "",
                   money(d.get("EffectiveRate", d.get("DisplayTaxRate"))) or Decimal("0"), d.get("Status") or "",
                   bool(d.get("CanApplyToRevenue", True)))


@dataclass
class Currency:
    code: str
    description: str = ""


@dataclass
class TrackingCategory:
    tracking_category_id: str
    name: str
    options: list[str] = field(default_factory=list)
    status: str = "ACTIVE"


@dataclass
class Organisation:
    organisation_id: str
    name: str
    base_currency: str
    country_code: str = ""
    short_code: str = ""
    period_lock_date: date | None = None  # nothing dated on or before it can be changed


@dataclass
class Connection:
    id: str
    tenant_id: str
    tenant_name: str
    tenant_type: str
    auth_event_id: str = ""
    created: datetime | None = None
    updated: datetime | None = None

    @classmethod
    def from_wire(cls, d: dict[str, Any]) -> Connection:
        return cls(d.get("id", ""), d.get("tenantId", ""), d.get("tenantName") or "", d.get("tenantType") or "",
                   d.get("authEventId") or "", parse_date(d.get("createdDateUtc")), parse_date(d.get("updatedDateUtc")))
