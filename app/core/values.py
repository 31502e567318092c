"""Comparing field values across systems: ``canon`` makes "100.00" equal 100.0, None equal "", and trims text.

Values that differ only in how a person formatted them are equal too: an email address in another case, and a phone
number written with or without its country code, spaces, brackets or dashes (``+61 2 9555 0100`` is
``(02) 9555 0100``); an extension or a different number is a change."""

from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation
from typing import Any

_DECIMAL = re.compile(r"-?\d+\.\d+")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_PHONE = re.compile(r"(?P<main>(?:\+|00)?[\d\s().\-/]*\d)\s*(?:(?:ext\.?|extn\.?|extension|x|#)\s*(?P<ext>\d{1,6}))?",
                    re.IGNORECASE)
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class PhoneNumber:
    """A phone number compared by its digits. An international number (``+61 2 9555 0100``) equals a national one
    (``(02) 9555 0100``) when it is the national digits after the trunk 0 behind its country code (the org's own
    country is the usual reading, and which country is home is not known here). ``country`` is the code when the
    text sets it apart (``+61 2…``); written solid (``+61295550100``) any 1–3 digit code is allowed."""

    __slots__ = ("country", "digits", "extension", "international")

    def __init__(self, digits: str, international: bool, extension: str, country: str = "") -> None:
        self.digits, self.international, self.extension, self.country = digits, international, extension, country

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PhoneNumber):
            return NotImplemented
        if self.extension != other.extension:
            return False
        if self.international == other.international:
            return self.digits == other.digits
        full, national = (self, other) if self.international else (other, self)
        if full.country:
            return full.digits == full.country + national.digits
        return full.digits.endswith(national.digits) and 1 <= len(full.digits) - len(national.digits) <= 3

    __hash__ = None  # type: ignore[assignment]  # equality is not transitive enough to hash

    def __str__(self) -> str:
        return ("+" if self.international else "") + self.digits + (f" x{self.extension}" if self.extension else "")

    __repr__ = __str__


def phone_number(text: str) -> PhoneNumber | None:
    """``text`` read as a phone number, or None when it does not look like one: 6–15 digits written with a ``+`` or
    separators (a bare run of digits is an account number or a code, not a phone)."""
    match = _PHONE.fullmatch(text)
    if match is None or _ISO_DATE.fullmatch(text):
        return None
    main = match.group("main")
    digits = re.sub(r"\D", "", main)
    international = main.startswith(("+", "00"))
    if main.startswith("00"):
        digits = digits[2:]
    if not 6 <= len(digits) <= 15 or (not international and main.isdigit()):
        return None
    country = re.match(r"(?:\+|00)\s*(\d{1,3})[\s().\-/]", main) if international else None
    return PhoneNumber(digits if international else digits.lstrip("0"), international, match.group("ext") or "",
                       country.group(1) if country else "")


def canon(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, bool | PhoneNumber):
        return value
    if isinstance(value, int | float | Decimal):
        return _number(value)
    if isinstance(value, str):
        text = value.strip()
        if _DECIMAL.fullmatch(text):  # "240.0" (Zoho) and "240.00" (Xero) are the same amount
            return _number(text)
        if "@" in text and _EMAIL.fullmatch(text):
            return text.lower()
        if text[:1] in "+(0123456789":
            phone = phone_number(text)
            if phone is not None:
                return phone
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
