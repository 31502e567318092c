"""Server-side invoice arithmetic, all in Decimal: line amounts, per-line tax and the totals.

Xero computes tax on each line and rounds it (half away from zero, 2 dp) before summing, so an invoice's TotalTax
can differ by cents from "rate × SubTotal":

- Exclusive: ``TaxAmount = round(LineAmount × rate)``; ``Total = Σ LineAmount + Σ TaxAmount``.
- Inclusive: ``TaxAmount = round(LineAmount × rate / (1 + rate))``; ``Total = Σ LineAmount``; ``SubTotal = Total − TotalTax``.
- NoTax: no tax at all.
"""

from __future__ import annotations

from decimal import Decimal

from .state import Invoice, LineItem
from .wire import ZERO, round2, round4

HUNDRED = Decimal(100)


def line_amounts(quantity: Decimal | None, unit: Decimal | None, line_amount: Decimal | None,
                 discount_rate: Decimal | None, discount_amount: Decimal | None
                 ) -> tuple[Decimal | None, Decimal | None, Decimal, Decimal]:
    """Fill in whichever of Quantity / UnitAmount / LineAmount is missing (as the spec describes) and apply a
    discount. Returns (quantity, unit, line_amount, discount_total)."""
    if quantity is None and unit is None:
        if line_amount is None:
            return None, None, ZERO, ZERO  # a description-only line
        return Decimal("1.0000"), line_amount, round2(line_amount), ZERO
    if quantity is None:
        quantity = round4(line_amount / unit) if (line_amount is not None and unit) else Decimal("1.0000")
    if unit is None:
        unit = round4(line_amount / quantity) if (line_amount is not None and quantity) else ZERO
    gross = quantity * unit
    if discount_rate is not None and discount_rate != 0:
        amount = round2(gross * (HUNDRED - discount_rate) / HUNDRED)
    elif discount_amount is not None and discount_amount != 0:
        amount = round2(gross - discount_amount)
    else:
        amount = round2(gross)
    return quantity, unit, amount, round2(gross) - amount


def line_tax(line_amount: Decimal, percent: Decimal, amount_types: str) -> Decimal:
    if amount_types == "NoTax" or not percent:
        return ZERO
    if amount_types == "Inclusive":
        return round2(line_amount * percent / (HUNDRED + percent))
    return round2(line_amount * percent / HUNDRED)


def totals(lines: list[LineItem], amount_types: str) -> tuple[Decimal, Decimal, Decimal]:
    """(SubTotal, TotalTax, Total) from already-rounded lines."""
    line_sum = sum((li.LineAmount for li in lines), ZERO)
    tax_sum = sum((li.TaxAmount for li in lines), ZERO)
    if amount_types == "Inclusive":
        return line_sum - tax_sum, tax_sum, line_sum
    return line_sum, tax_sum, line_sum + tax_sum


def apply_totals(inv: Invoice, lines: list[LineItem], discount_total: Decimal = ZERO) -> None:
    _sub, inv.TotalTax, inv.Total = totals(lines, inv.LineAmountTypes)
    inv.TotalDiscount = discount_total
