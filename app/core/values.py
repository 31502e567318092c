"""Comparing field values across systems: ``canon`` makes "100.00" equal 100.0, None equal "", and trims text."""

from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation
from typing import Any

_DECIMAL = re.compile(r"-?\d+\.\d+")


def canon(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float | Decimal):
        return _number(value)
    if isinstance(value, str):
        text = value.strip()
        if _DECIMAL.fullmatch(text):  # "240.0" (Zoho) and "240.00" (Xero) are the same amount
            return _number(text)
        return text or None
    if isinstance(value, dict):
        items = {k: canon(v) for k, v in value.items()}
        items = {k: v for k, v in items.items() if v is not None}
        return json.dumps(items, sort_keys=True, default=str) if items else None
    if isinstance(value, list | tuple):
        parts = [canon(v) for v in value]
        return None if all(p is None for p in parts) else json.dumps(parts, default=str)
    return str(value)


def blank(value: Any) -> bool:
    """``canon(value) is None`` without building the canonical text (the hot path of a large first sync)."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, dict):
        return all(blank(v) for v in value.values())
    if isinstance(value, list | tuple):
        return all(blank(v) for v in value)
    return False


def _number(value: Any) -> str:
    try:
        number = Decimal(str(value)).normalize()
    except InvalidOperation:
        return str(value)
    if number == 0:
        return "0"  # -0.0 and 0 are the same amount
    return format(number, "f") if number == number.to_integral() else str(number)


def same(a: Any, b: Any) -> bool:
    return canon(a) == canon(b)


def numeric_text(value: Any) -> Any:
    """Numbers in mapped values are kept as decimal text so JSON storage never rounds them."""
    if isinstance(value, float | Decimal) and not isinstance(value, bool):
        return str(Decimal(str(value)))
    return value
