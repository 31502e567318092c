"""Field transforms: each turns a Xero value into a Zoho value (``forward``) and back (``reverse``).

A transform is data (``{"kind": "value_map", "map": {...}}``) so mappings export as JSON. Transforms that need to
know about other records (links between contacts, products) get a :class:`Lookups` object.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Protocol


class Lookups(Protocol):
    def zoho_id_for(self, pair: str, xero_id: str) -> str | None: ...

    def xero_id_for(self, pair: str, zoho_id: str) -> str | None: ...


class NoLookups:
    def zoho_id_for(self, pair: str, xero_id: str) -> str | None:
        return None

    def xero_id_for(self, pair: str, zoho_id: str) -> str | None:
        return None


class TransformError(ValueError):
    """A value the transform cannot convert; the record fails with this message."""


class SkipRecord(Exception):
    """The record should not be synced at all (e.g. its customer is archived and was never sent to Zoho)."""


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def to_decimal(value: Any) -> Decimal | None:
    if _empty(value):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation as exc:
        raise TransformError(f"{value!r} is not a number") from exc
    if not number.is_finite():  # "NaN", "Infinity": no system stores these as amounts
        raise TransformError(f"{value!r} is not a number")
    return number


def money_text(value: Any, places: int = 2) -> str | None:
    number = to_decimal(value)
    if number is None:
        return None
    try:
        return str(number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))
    except InvalidOperation as exc:  # more digits than Decimal keeps (e.g. 1e400)
        raise TransformError(f"{value!r} is too large an amount") from exc


@dataclass
class Spec:
    kind: str
    params: dict[str, Any]


Fn = Callable[[Any, dict[str, Any], Lookups], Any]


def _copy(value: Any, p: dict[str, Any], lk: Lookups) -> Any:
    return value


def _trim(value: Any, p: dict[str, Any], lk: Lookups) -> Any:
    return re.sub(r"\s+", " ", value).strip() if isinstance(value, str) else value


def _case(value: Any, p: dict[str, Any], lk: Lookups) -> Any:
    if not isinstance(value, str):
        return value
    return {"upper": value.upper, "lower": value.lower, "title": value.title}.get(p.get("case", ""), lambda: value)()


def _map_forward(value: Any, p: dict[str, Any], lk: Lookups) -> Any:
    table = p.get("map") or {}
    if _empty(value):
        return p.get("default_forward", value)
    if str(value) in table:
        return table[str(value)]
    if "default_forward" in p:
        return p["default_forward"]
    raise TransformError(f"no value is mapped for {value!r}")


def _map_reverse(value: Any, p: dict[str, Any], lk: Lookups) -> Any:
    table = {str(v): k for k, v in reversed(list((p.get("map") or {}).items()))}
    if _empty(value):
        return p.get("default_reverse", value)
    if str(value) in table:
        return table[str(value)]
    if "default_reverse" in p:
        return p["default_reverse"]
    raise TransformError(f"no value is mapped back for {value!r}")


def _default(value: Any, p: dict[str, Any], lk: Lookups) -> Any:
    return p.get("value") if _empty(value) else value


def _round(value: Any, p: dict[str, Any], lk: Lookups) -> Any:
    return money_text(value, int(p.get("places", 2)))


def _date(value: Any, p: dict[str, Any], lk: Lookups) -> Any:
    """Dates travel as ``YYYY-MM-DD``; datetimes are cut to their date."""
    if _empty(value):
        return None
    if isinstance(value, datetime | date):
        return value.isoformat()[:10]
    text = str(value)
    if not re.match(r"\d{4}-\d{2}-\d{2}", text):
        raise TransformError(f"{value!r} is not a date")
    try:
        return date.fromisoformat(text[:10]).isoformat()
    except ValueError as exc:
        raise TransformError(f"{value!r} is not a date") from exc


_EXTENSION = re.compile(r"\s*(?:ext\.?|extn\.?|extension|x|#)\s*(\d{1,6})\s*$", re.IGNORECASE)


def _phone(value: Any, p: dict[str, Any], lk: Lookups) -> Any:
    """A phone number written one way: ``spaces`` turns brackets, dots and dashes into single spaces ("(02)
    9555-0101" → "02 9555 0101"); ``digits`` keeps only the digits, a leading + and an extension ("+61 2 9555
    0101 ext 12" → "+61295550101 x12"). Anything else is left as typed."""
    if not isinstance(value, str) or not value.strip():
        return value
    text = value.strip()
    ext = _EXTENSION.search(text)
    main = text[: ext.start()] if ext else text
    tail = f" x{ext.group(1)}" if ext else ""
    if p.get("style") == "digits":
        return ("+" if main.startswith("+") else "") + re.sub(r"\D", "", main) + tail
    return re.sub(r"\s+", " ", re.sub(r"[().\-/]", " ", main)).strip() + tail


def _join(value: Any, p: dict[str, Any], lk: Lookups) -> Any:
    parts = value if isinstance(value, list) else [value]
    return " ".join(str(x).strip() for x in parts if not _empty(x)) or None


def _split(value: Any, p: dict[str, Any], lk: Lookups) -> Any:
    if _empty(value):
        return [None, None]
    text = str(value).strip()
    first, _, last = text.rpartition(" ")
    return [first, last] if first else [None, last]


def _link_forward(value: Any, p: dict[str, Any], lk: Lookups) -> Any:
    if _empty(value):
        return None
    zoho_id = lk.zoho_id_for(p["pair"], str(value))
    reason = getattr(lk, "missing_reason", lambda *_: None)(p["pair"], str(value)) if zoho_id is None else None
    if reason:
        raise SkipRecord(f"its {p.get('label', 'related record')} {reason}")
    if zoho_id is None:
        raise TransformError(f"the related {p.get('label', 'record')} is not synced yet")
    return zoho_id


def _link_reverse(value: Any, p: dict[str, Any], lk: Lookups) -> Any:
    if _empty(value):
        return None
    xero_id = lk.xero_id_for(p["pair"], str(value))
    if xero_id is None:
        raise TransformError(f"the related {p.get('label', 'record')} is not synced yet")
    return xero_id


# kind -> (forward, reverse)
TRANSFORMS: dict[str, tuple[Fn, Fn]] = {
    "copy": (_copy, _copy),
    "trim": (_trim, _trim),
    "case": (_case, _copy),
    "value_map": (_map_forward, _map_reverse),
    "default": (_default, _copy),
    "round": (_round, _round),
    "date": (_date, _date),
    "phone": (_phone, _phone),
    "join": (_join, _split),
    "split": (_split, _join),
    "link": (_link_forward, _link_reverse),
}


def apply(spec: dict[str, Any] | None, value: Any, forward: bool, lookups: Lookups | None = None) -> Any:
    """Run the transform ``spec`` (``{"kind": …, **params}``) on ``value`` in one direction."""
    spec = spec or {"kind": "copy"}
    kind = spec.get("kind", "copy")
    if kind not in TRANSFORMS:
        raise TransformError(f"unknown transform {kind!r}")
    fn = TRANSFORMS[kind][0 if forward else 1]
    return fn(value, spec, lookups or NoLookups())


# ----- invoice lines -----------------------------------------------------------------------------------------
class ProductLookups(Protocol):
    def zoho_product_for_code(self, code: str) -> str | None: ...

    def code_for_zoho_product(self, zoho_id: str) -> str | None: ...


_CENT = Decimal("0.01")


def _cents(value: Decimal) -> Decimal:
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)


def _rate(tax_type: str | None, p: dict[str, Any]) -> tuple[str, Decimal] | None:
    """(Zoho tax name, percentage) for a Xero tax type, from the mapping's tax map; None means no tax."""
    entry = (p.get("tax_map") or {}).get(tax_type or "")
    if entry is None:
        if tax_type and tax_type not in (p.get("tax_map") or {}):
            raise TransformError(f"tax type {tax_type} has no Zoho tax in the tax map")
        return None
    return str(entry["name"]), Decimal(str(entry["percentage"]))


def lines_forward(value: Any, p: dict[str, Any], lk: Any) -> Any:
    """Xero ``LineItems`` → Zoho ``Invoiced_Items`` rows, priced ex tax so Zoho's per-row net and tax equal Xero's.

    Zoho computes a row as round(Quantity × List_Price) − Discount, plus that amount's tax rounded to cents. The row's
    net must be Xero's (LineAmount, less TaxAmount when amounts are tax inclusive): a List_Price in cents cannot
    always hit it (4-dp unit amounts, tax taken out of an inclusive amount, discounts), so the price is rounded up
    and the few cents over go in Discount."""
    if _empty(value):
        return []
    rows = []
    for n, line in enumerate(value, 1):
        amount_types = line.get("LineAmountTypes")  # the Xero adapter copies the invoice's onto lines
        inclusive = amount_types == "Inclusive"
        code = line.get("ItemCode")
        product = lk.zoho_product_for_code(code) if code else None
        if product is None and not code and p.get("fallback_product_name"):
            product = lk.fallback_product(str(p["fallback_product_name"]))
        if product is None:
            what = f"product {code}" if code else "a product"
            raise TransformError(f"line {n} needs {what} in Zoho CRM, and it is not synced yet")
        qty = to_decimal(line.get("Quantity")) or Decimal("1")
        unit = to_decimal(line.get("UnitAmount")) or Decimal("0")
        discount = to_decimal(line.get("DiscountRate")) or Decimal("0")
        line_amount = to_decimal(line.get("LineAmount"))
        if line_amount is None:
            line_amount = _cents(qty * unit * (100 - discount) / 100)
        net = line_amount - (to_decimal(line.get("TaxAmount")) or Decimal("0")) if inclusive else line_amount
        each = net / qty if inclusive else unit
        price = _cents(each)
        if _cents(qty * price) < net:
            price = each.quantize(_CENT, rounding=ROUND_CEILING)
        row: dict[str, Any] = {"Product_Name": {"id": product}, "Quantity": money_text(qty, 4),
                               "List_Price": str(price), "Description": line.get("Description") or None}
        over = _cents(qty * price) - net
        if over:
            row["Discount"] = str(over)
        tax = None if amount_types == "NoTax" else _rate(line.get("TaxType"), p)
        row["Line_Tax"] = [{"name": tax[0], "percentage": float(tax[1])}] if tax else []
        rows.append(row)
    return rows


def _lines_reverse(value: Any, p: dict[str, Any], lk: Any) -> Any:
    from app.core.invoice_lines import lines_reverse  # it builds on lines_forward above

    return lines_reverse(value, p, lk)


TRANSFORMS["line_items"] = (lines_forward, _lines_reverse)
