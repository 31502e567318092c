"""History changes in a bookkeeper's words, for the window, the command line and the exports alike.

A history row stores what the APIs saw: ``{"zoho.Account_Name": [None, "3652397000010000003"]}``. Read out, that is
"Account Name: (empty) → Kiwi Roasters": field names become labels, ids of linked records become their names (from
the links, per pair), line items are summarised, and empty values say so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import peewee as pw

from app.core.mapping import FieldLink, PairMapping
from app.services.words import PROVIDER_LABELS
from app.store.models import Link, MappingVersion, Profile

EMPTY = "(empty)"
LINES_SHOWN = 3
TEXT_LIMIT = 60  # a cell in a table or a terminal; the detail pane shows values in full

# Xero's dotted paths as Xero's own screens name them; anything else falls back to splitting the name.
XERO_LABELS = {
    "Contact.ContactID": "Contact", "Phones.DEFAULT": "Phone", "EmailAddress": "Email", "TaxNumber": "ABN",
    "Addresses.STREET.AddressLine1": "Street address", "Addresses.STREET.City": "Town / city",
    "Addresses.STREET.Region": "State / region", "Addresses.STREET.PostalCode": "Postcode",
    "Addresses.STREET.Country": "Country", "SalesDetails.UnitPrice": "Sale price",
    "SalesDetails.TaxType": "Sales tax rate", "DefaultCurrency": "Currency", "ContactStatus": "Status",
    "Balances.AccountsReceivable.Outstanding": "Outstanding", "Balances.AccountsReceivable.Overdue": "Overdue",
    "LineItems": "Line items", "InvoiceNumber": "Invoice number", "CurrencyCode": "Currency",
    "CurrencyRate": "Exchange rate", "AmountPaid": "Amount paid", "AmountDue": "Amount due", "DueDate": "Due date",
}
CROSS_REFERENCE = re.compile(r"Xero_\w+_ID")  # Zoho fields that hold the Xero record's id
XERO_CROSS_REFERENCE = {"ContactNumber"}  # where Xero keeps the Zoho record's id
LINE_ITEM_FIELDS = {"LineItems", "Invoiced_Items", "Quoted_Items", "Ordered_Items"}


@dataclass(frozen=True)
class ChangeLine:
    """One changed field, read out."""

    side: str  # "xero" | "zoho" | ""
    field: str  # the API's name, e.g. "Account_Name"
    label: str  # "Account Name"
    before: str
    after: str
    rule: str = ""  # which mapping rule sets this field, e.g. "Xero Contact → Zoho CRM Account Name (customer)"

    @property
    def where(self) -> str:
        return PROVIDER_LABELS.get(self.side, "")

    def text(self, limit: int | None = TEXT_LIMIT) -> str:
        return f"{self.label}: {_clip(self.before, limit)} → {_clip(self.after, limit)}"


def field_label(side: str, name: str) -> str:
    """"Account_Name" → "Account Name"; "Addresses.STREET.City" → "Town / city"; "EmailAddress" → "Email"."""
    if side == "xero":
        if name in XERO_LABELS:
            return XERO_LABELS[name]
        last = name.rsplit(".", 1)[-1]
        words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", last).split()
        return " ".join([words[0]] + [w.lower() if not w.isupper() else w for w in words[1:]]) if words else name
    return name.replace("_", " ")


def _clip(text: str, limit: int | None) -> str:
    return text if limit is None or len(text) <= limit else text[: limit - 1].rstrip() + "…"


class Names:
    """Names for the ids inside history: the customer's name for an invoice's ``Account_Name``, the product's name
    for a line item. Looked up in the links of the referenced pair (indexed by pair and id) and remembered."""

    def __init__(self, profile: Profile) -> None:
        self.profile = profile
        self._names: dict[tuple[str, str, str], str | None] = {}
        self._codes: dict[str, str | None] = {}
        self._versions: dict[tuple[str, int], PairMapping | None] = {}

    # ----- look-ups --------------------------------------------------------------------------------------------
    def name(self, pair: str, side: str, record_id: Any) -> str | None:
        """The linked record's name, or None when no link knows it."""
        key = (pair, side, str(record_id))
        if key not in self._names:
            column = Link.xero_id if side == "xero" else Link.zoho_id
            row = (Link.select(Link.name).where(Link.profile == self.profile, Link.pair == pair,
                                                column == str(record_id)).first())
            self._names[key] = row.name if row and row.name else None
        return self._names[key]

    def item_name(self, code: Any) -> str | None:
        """A Xero item's name by its code (line items name the item by code)."""
        code = str(code)
        if code not in self._codes:
            row = (Link.select(Link.name).where(Link.profile == self.profile, Link.pair == "items",
                                                pw.fn.json_extract(Link.xero_values, "$.Code") == code).first())
            self._codes[code] = row.name if row and row.name else None
        return self._codes[code]

    def mapping(self, pair: str, version: int = 0) -> PairMapping | None:
        """The mapping a history row was written with: a saved version, or the shipped default for version 0."""
        key = (pair, version)
        if key not in self._versions:
            found = None
            if version:
                row = MappingVersion.get_or_none(MappingVersion.profile == self.profile,
                                                 MappingVersion.pair == pair, MappingVersion.version == version)
                found = PairMapping.from_json(row.body) if row else None
            else:
                from app.services.mappings import default_mappings

                found = default_mappings().get(pair)
            self._versions[key] = found
        return self._versions[key]

    # ----- changes in words ------------------------------------------------------------------------------------
    def changes(self, pair: str, changes: dict[str, Any], *, mapping_version: int = 0,
                xero_id: str | None = None, zoho_id: str | None = None, limit: int | None = None) -> list[ChangeLine]:
        """Each ``side.Field: [before, after]`` of a history row (or dry-run plan entry) as a :class:`ChangeLine`."""
        mapping = self.mapping(pair, mapping_version)
        lines = []
        for key, value in (changes or {}).items():
            if not (isinstance(value, list | tuple) and len(value) == 2):
                continue  # a plan entry's notes (a skip's "reason") are not changes
            side, _, name = key.partition(".") if key.startswith(("xero.", "zoho.")) else ("", "", key)
            link = _field_link(mapping, side, name)
            own = {"xero": xero_id, "zoho": zoho_id}
            before, after = (self.value(pair, side, name, v, link, own, limit) for v in value)
            lines.append(ChangeLine(side, name, field_label(side, name), before, after, _rule(link, mapping)))
        return lines

    def summary(self, pair: str, changes: dict[str, Any], *, mapping_version: int = 0, xero_id: str | None = None,
                zoho_id: str | None = None, limit: int = TEXT_LIMIT) -> str:
        """One line: "Account Name: (empty) → Kiwi Roasters; Phone: 02 9999 → 02 8888"."""
        return "; ".join(c.text(limit) for c in self.changes(pair, changes, mapping_version=mapping_version,
                                                            xero_id=xero_id, zoho_id=zoho_id))

    def value(self, pair: str, side: str, name: str, value: Any, link: FieldLink | None = None,
              own: dict[str, str | None] | None = None, limit: int | None = None) -> str:
        """One value in words: names for ids, a summary for line items, "(empty)" for nothing."""
        if value is None or value == "" or value == [] or value == {}:
            return EMPTY
        if isinstance(value, bool):
            return "Yes" if value else "No"
        if name in LINE_ITEM_FIELDS and isinstance(value, list):
            return self._lines(value, side)
        if isinstance(value, dict):
            return self._reference(value, (link.transform.get("pair") if link else None), side)
        if isinstance(value, list):
            return ", ".join(self.value(pair, side, name, v, link, own, limit) for v in value)
        text = str(value)
        if link is not None and link.transform.get("kind") == "link":
            found = self.name(str(link.transform.get("pair")), side, text)
            # not linked yet (a dry run before the first sync): say what it is rather than show its id
            return found or f"its {link.transform.get('label') or 'linked record'} (not linked yet)"
        for other, own_id in (own or {}).items():
            if own_id and text == own_id:
                return f"linked to this record in {PROVIDER_LABELS[other]}"
        if side == "zoho" and CROSS_REFERENCE.fullmatch(name):  # a plan entry knows no ids: the field says it
            return "linked to this record in Xero"
        if side == "xero" and name in XERO_CROSS_REFERENCE:
            return "linked to this record in Zoho CRM"
        return _clip(text, limit)

    def _reference(self, value: dict[str, Any], pair: str | None, side: str) -> str:
        if value.get("name"):
            return str(value["name"])
        if value.get("id") and pair:
            found = self.name(pair, side, value["id"])
            if found:
                return found
        return str(value.get("id") or value.get("Name") or "") or EMPTY

    def _lines(self, lines: list[Any], side: str) -> str:
        """"2 lines: 3 × Flat White Beans at 18.50; 1 × Delivery at 25.00" (the first few lines, then a count)."""
        parts = []
        for line in lines[:LINES_SHOWN]:
            if not isinstance(line, dict):
                parts.append(str(line))
                continue
            if side == "zoho" or "Product_Name" in line:
                product = line.get("Product_Name")
                pid = product.get("id") if isinstance(product, dict) else None
                what = (product.get("name") if isinstance(product, dict) else None) or \
                    (self.name("items", "zoho", pid) if pid else None) or line.get("Description") or "a product"
                qty, price = line.get("Quantity"), line.get("List_Price")
            else:
                code = line.get("ItemCode")
                what = (self.item_name(code) if code else None) or line.get("Description") or code or "a line"
                qty, price = line.get("Quantity"), line.get("UnitAmount")
            count = f"{_number(qty)} × " if qty not in (None, "") else ""
            parts.append(f"{count}{what}" + (f" at {_money(price)}" if price not in (None, "") else ""))
        more = len(lines) - LINES_SHOWN
        total = "1 line" if len(lines) == 1 else f"{len(lines):,} lines"
        return f"{total}: " + "; ".join(parts) + (f"; and {more:,} more" if more > 0 else "")


def _field_link(mapping: PairMapping | None, side: str, name: str) -> FieldLink | None:
    if mapping is None or side not in ("xero", "zoho"):
        return None
    return next((f for f in mapping.fields if getattr(f, side) == name), None)


_TRANSFORM_WORDS = {"link": "", "value_map": "translated", "round": "rounded", "date": "as a date",
                    "line_items": "line by line", "trim": "", "copy": "", "default": "with a default"}


def _rule(link: FieldLink | None, mapping: PairMapping | None) -> str:
    """The mapping rule in words: "Xero Contact → Zoho CRM Account Name (customer)"."""
    if link is None:
        return "set by Ledgerbridge (cross-reference or status)" if mapping is not None else ""
    arrow = {"both": "⇄", "xero_to_zoho": "→", "zoho_to_xero": "←"}.get(link.direction, "→")
    kind = link.transform.get("kind", "copy")
    how = link.transform.get("label") if kind == "link" else _TRANSFORM_WORDS.get(kind, kind.replace("_", " "))
    text = f"Xero {field_label('xero', link.xero)} {arrow} Zoho CRM {field_label('zoho', link.zoho)}"
    return f"{text} ({how})" if how else text


def _number(value: Any) -> str:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    return f"{number.normalize():f}"


def _money(value: Any) -> str:
    try:
        return f"{Decimal(str(value)):,.2f}"
    except (InvalidOperation, ValueError):
        return str(value)


def mapping_version_words(version: int) -> str:
    return f"mapping version {version}" if version else "the default mapping"
