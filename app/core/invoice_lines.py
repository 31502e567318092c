"""Invoice lines both ways: Zoho CRM's ``Invoiced_Items`` rows back into Xero ``LineItems``, and the shapes the
three-way merge compares.

Zoho has no place for much of a Xero line (tax-inclusive amounts, a discount as a rate, tracking, the account code,
the line's id), so a row carried back starts from the Xero line it was made from and changes only what a person
changed in Zoho: a new description leaves quantity, price, discount, tax and account as they are, and Xero's total
stays the same to the cent. A row read back from Zoho carries fields Zoho computes (totals, sequence, row id); the
shapes keep only what a person edits, so a row equals the row we wrote."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from app.core.transforms import TransformError, lines_forward, money_text, to_decimal
from app.core.values import canon

XERO_KEYS = ("ItemCode", "Description", "Quantity", "UnitAmount", "DiscountRate", "TaxType", "AccountCode",
             "Tracking")
KEPT_KEYS = ("LineItemID", *XERO_KEYS)  # what a line carried back keeps from the Xero line it was made from
_CENT = Decimal("0.01")


def _product(row: dict[str, Any]) -> Any:
    product = row.get("Product_Name")
    return product.get("id") if isinstance(product, dict) else product


def _no_zero(value: Any) -> Any:
    text = canon(value)
    return None if text == "0" else text


def _tax_names(row: dict[str, Any]) -> list[str]:
    return sorted(str(t.get("name")) for t in row.get("Line_Tax") or [] if isinstance(t, dict))


def zoho_row_shape(row: dict[str, Any]) -> dict[str, Any]:
    return {"product": canon(_product(row)), "quantity": canon(row.get("Quantity")),
            "price": canon(row.get("List_Price")), "discount": _no_zero(row.get("Discount")),
            "description": canon(row.get("Description")), "tax": _tax_names(row)}


def xero_line_shape(line: dict[str, Any]) -> dict[str, Any]:
    shape = {k: canon(line.get(k)) for k in XERO_KEYS}
    shape["DiscountRate"] = _no_zero(line.get("DiscountRate"))
    return shape


def comparable(spec: dict[str, Any] | None, value: Any, side: str) -> Any:
    """``value`` as the merge compares it: invoice lines by what a person edits, anything else by ``canon``."""
    if (spec or {}).get("kind") != "line_items" or not isinstance(value, list):
        return canon(value)
    shape = zoho_row_shape if side == "zoho" else xero_line_shape
    return canon([shape(row) for row in value if isinstance(row, dict)]) if value else None


def lines_reverse(value: Any, p: dict[str, Any], lk: Any) -> Any:
    """Zoho rows → Xero lines. ``p["current"]`` holds the invoice's Xero lines now (the merge passes them): row n
    updates line n field by field, so what Zoho cannot hold survives; rows past them are new lines."""
    if value in (None, "", []):
        return []
    by_name = {str(v["name"]): k for k, v in (p.get("tax_map") or {}).items() if v}
    current = [line for line in p.get("current") or [] if isinstance(line, dict)]
    lines = []
    for n, row in enumerate(value, 1):
        base = current[n - 1] if n <= len(current) else None
        was = _row_of(base, p, lk)
        product = _product(row)
        shape, before = zoho_row_shape(row), zoho_row_shape(was) if was else None
        line: dict[str, Any] = {k: base.get(k) for k in KEPT_KEYS if base.get(k) is not None} if before else {}
        if before is None or shape["product"] != before["product"]:
            code = lk.code_for_zoho_product(str(product)) if product else None
            if product and code is None:
                raise TransformError(f"line {n}'s product is not synced to Xero yet")
            line.pop("ItemCode", None)
            if code:
                line["ItemCode"] = code
        if before is None or shape["description"] != before["description"]:
            line["Description"] = row.get("Description") or ""
        if before is None or shape["quantity"] != before["quantity"]:
            line["Quantity"] = money_text(row.get("Quantity"), 4)
        tax_type, rate = _tax(row, p, by_name, n)
        if before is None or shape["tax"] != before["tax"]:
            line["TaxType"] = tax_type
        inclusive = (base or {}).get("LineAmountTypes") == "Inclusive"
        if before is None or shape["price"] != before["price"]:
            price = to_decimal(row.get("List_Price")) or Decimal("0")
            line["UnitAmount"] = money_text(price * (1 + rate / 100) if inclusive else price, 2)
        if before is None or shape["discount"] != before["discount"]:
            rate_off = _discount_rate(row)
            if rate_off or line.get("DiscountRate"):
                line["DiscountRate"] = rate_off or "0"
        if base is not None and base.get("LineAmountTypes"):
            line["LineAmountTypes"] = base["LineAmountTypes"]
        lines.append(line)
    return lines


def _row_of(base: dict[str, Any] | None, p: dict[str, Any], lk: Any) -> dict[str, Any] | None:
    """The Zoho row the sync made from this Xero line (None when it cannot tell: the line is then rebuilt)."""
    if base is None:
        return None
    try:
        return lines_forward([base], p, lk)[0]
    except (TransformError, AttributeError):
        return None


def _tax(row: dict[str, Any], p: dict[str, Any], by_name: dict[str, str], n: int) -> tuple[str, Decimal]:
    taxes = [t for t in row.get("Line_Tax") or [] if isinstance(t, dict)]
    if not taxes:
        return str(p.get("no_tax_type", "EXEMPTOUTPUT")), Decimal("0")
    tax_type = by_name.get(str(taxes[0].get("name")))
    if tax_type is None:
        raise TransformError(f"line {n}'s Zoho tax {taxes[0].get('name')} has no Xero tax type in the tax map")
    return tax_type, to_decimal(taxes[0].get("percentage")) or Decimal("0")


def _discount_rate(row: dict[str, Any]) -> str | None:
    """Zoho's discount is an amount off the row; Xero's a rate of the line."""
    discount = to_decimal(row.get("Discount")) or Decimal("0")
    gross = (to_decimal(row.get("Quantity")) or Decimal("0")) * (to_decimal(row.get("List_Price")) or Decimal("0"))
    if not discount or not gross:
        return None
    return str((discount * 100 / gross).quantize(_CENT, rounding=ROUND_HALF_UP))
