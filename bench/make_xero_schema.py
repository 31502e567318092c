"""Derive ``resources/xero_schema.json`` from Xero's OpenAPI file: every field a contact, item and invoice has, as
the mapping editor offers it (flat name, label, type, required, read-only, allowed values).

Run once when Xero's spec changes, then commit the JSON:
``uv run python -m bench.make_xero_schema ../shared/reference/xero_accounting.yaml``

Flat names follow the engine's: nested objects join with dots (``Balances.AccountsReceivable.Outstanding``),
phones and addresses are keyed by their type (``Phones.MOBILE``, ``Addresses.STREET.City``), another record is
its id (``Contact.ContactID``), other arrays are one list field (``LineItems``).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import yaml

OUT = Path(__file__).resolve().parent.parent / "resources" / "xero_schema.json"
ENTITIES = {"contacts": "Contact", "items": "Item", "invoices": "Invoice"}
RECORD_REFS = {"Contact": "ContactID", "Item": "ItemID", "Invoice": "InvoiceID", "Account": "AccountID"}
SKIP = {"ValidationErrors", "Warnings", "HasValidationErrors", "HasErrors", "StatusAttributeString", "Attachments",
        "HasAttachments", "UpdatedDateUTCString", "MergedToContactID", "XeroNetworkKey", "BrandingTheme",
        "BatchPayments", "Payments", "Prepayments", "Overpayments", "CreditNotes", "ContactGroups",
        "SalesTrackingCategories", "PurchasesTrackingCategories", "InvoiceAddresses", "PaymentTerms"}
ADDRESS_PARTS = ("AddressLine1", "AddressLine2", "AddressLine3", "AddressLine4", "City", "Region", "PostalCode",
                 "Country", "AttentionTo")
# What Xero's screens call a field where the API name would puzzle a bookkeeper, and what the spec leaves out.
LABELS = {
    "contacts": {"Name": "Contact name", "EmailAddress": "Email", "ContactNumber": "Contact code",
                 "TaxNumber": "Tax number (ABN)", "ContactStatus": "Status", "ContactPersons": "Contact persons",
                 "Balances.AccountsReceivable.Outstanding": "Outstanding (owed to you)",
                 "Balances.AccountsReceivable.Overdue": "Overdue (owed to you)",
                 "Balances.AccountsPayable.Outstanding": "Outstanding (you owe)",
                 "Balances.AccountsPayable.Overdue": "Overdue (you owe)"},
    "items": {"Code": "Item code", "Name": "Item name", "Description": "Sales description",
              "SalesDetails.UnitPrice": "Sale price", "SalesDetails.TaxType": "Sales tax rate",
              "SalesDetails.AccountCode": "Sales account", "PurchaseDetails.UnitPrice": "Purchase price",
              "IsSold": "Sold"},
    "invoices": {"InvoiceNumber": "Invoice number", "Contact.ContactID": "Contact", "DueDate": "Due date",
                 "LineAmountTypes": "Amounts are", "CurrencyCode": "Currency", "SubTotal": "Subtotal",
                 "LineItems": "Line items"},
}
REQUIRED = {"contacts": {"Name"}, "items": {"Code"}, "invoices": {"Contact.ContactID", "LineItems"}}
# Read-only in practice though the spec does not flag them (its descriptions say so, or Xero computes them).
READ_ONLY = {"Website", "Balances", "IsSold", "PurchaseDetails.UnitPrice", "IsSupplier", "IsCustomer", "Discount",
             "ContactID", "ItemID", "InvoiceID", "Type", "UpdatedDateUTC", "QuantityOnHand", "TotalCostPool"}
TYPE_OVERRIDES = {"EmailAddress": ("email", []), "Website": ("url", []), "LineAmountTypes": ("picklist", ["Exclusive", "Inclusive", "NoTax"]),
                  "CurrencyCode": ("text", []), "DefaultCurrency": ("text", []),
                  "SalesDetails.TaxType": ("picklist", []), "CurrencyRate": ("number", [])}


def human(name: str) -> str:
    """``EmailAddress`` → ``Email address``; ``Balances.AccountsPayable.Overdue`` → ``Balances: accounts payable:
    overdue``."""
    parts = [re.sub(r"(?<=[a-z])(?=[A-Z])", " ", p).capitalize() for p in name.split(".")]
    return ": ".join([parts[0], *[p.lower() for p in parts[1:]]])


class Deriver:
    def __init__(self, spec: dict[str, Any]) -> None:
        self.schemas = spec["components"]["schemas"]

    def resolve(self, prop: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
        ref = prop.get("$ref")
        if not ref:
            return None, prop
        name = ref.rsplit("/", 1)[1]
        return name, {**self.schemas[name], **{k: v for k, v in prop.items() if k != "$ref"}}

    def fields(self, entity: str, schema: str) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        self._walk(schema, "", self.schemas[schema], out, depth=0)
        labels, required = LABELS.get(entity, {}), REQUIRED.get(entity, set())
        for f in out:
            f["label"] = labels.get(f["name"], f["label"])
            f["required"] = f["name"] in required
            if f["name"] in TYPE_OVERRIDES:
                f["type"], f["choices"] = TYPE_OVERRIDES[f["name"]]
            if any(f["name"] == r or f["name"].startswith(r + ".") for r in READ_ONLY):
                f["read_only"] = True
        return out

    def _walk(self, owner: str, prefix: str, schema: dict[str, Any], out: list[dict[str, Any]], depth: int) -> None:
        for key, raw in (schema.get("properties") or {}).items():
            if key in SKIP:
                continue
            name = f"{prefix}{key}"
            ref, prop = self.resolve(raw)
            read_only = bool(prop.get("readOnly"))
            if key == "Phones":
                for kind in self.schemas["Phone"]["properties"]["PhoneType"]["enum"]:
                    out.append(_field(f"Phones.{kind}", f"Phone ({kind.lower()})", "phone", max_length=50))
                continue
            if key == "Addresses":
                for kind in self.schemas["Address"]["properties"]["AddressType"]["enum"]:
                    where = "Street" if kind == "STREET" else "Postal"
                    for part in ADDRESS_PARTS:
                        length = self.schemas["Address"]["properties"][part].get("maxLength")
                        out.append(_field(f"Addresses.{kind}.{part}", f"{where} address: {part}", "text",
                                          max_length=length))
                continue
            if ref in RECORD_REFS and ref != owner:
                out.append(_field(f"{name}.{RECORD_REFS[ref]}", human(key), "id", read_only=read_only))
                continue
            if prop.get("type") == "array":
                out.append(_field(name, human(name), "list", read_only=read_only))
                continue
            if prop.get("properties"):
                if depth < 2:
                    self._walk(owner, f"{name}.", prop, out, depth + 1)
                continue
            out.append(_field(name, human(name), *_scalar(prop), read_only=read_only,
                              max_length=prop.get("maxLength")))


def _scalar(prop: dict[str, Any]) -> tuple[str, list[str]]:
    if prop.get("enum"):
        return "picklist", [str(v) for v in prop["enum"]]
    kind = prop.get("type")
    if kind == "boolean":
        return "bool", []
    if kind in ("number", "integer"):
        return ("money" if prop.get("x-is-money") else "number"), []
    if prop.get("x-is-msdate"):
        return "date", []
    if prop.get("x-is-msdate-time"):
        return "datetime", []
    if prop.get("format") == "uuid":
        return "id", []
    return "text", []


def _field(name: str, label: str, kind: str, choices: list[str] | None = None, *, read_only: bool = False,
           max_length: int | None = None) -> dict[str, Any]:
    return {"name": name, "label": label, "type": kind, "required": False, "read_only": read_only,
            "max_length": max_length, "choices": choices or []}


def derive(spec_path: Path) -> dict[str, Any]:
    spec = yaml.safe_load(spec_path.read_text(encoding="utf-8"))
    deriver = Deriver(spec)
    return {"source": f"{spec_path.name} (Xero Accounting API {spec['info']['version']})",
            "entities": {entity: deriver.fields(entity, schema) for entity, schema in ENTITIES.items()}}


def main(argv: list[str]) -> int:
    spec = Path(argv[0]) if argv else Path(__file__).resolve().parents[2] / "shared/reference/xero_accounting.yaml"
    OUT.write_text(json.dumps(derive(spec), indent=1) + "\n", encoding="utf-8")
    print(json.dumps({"written": str(OUT), "fields": {k: len(v) for k, v in derive(spec)["entities"].items()}}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
