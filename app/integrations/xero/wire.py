"""Xero's wire formats: ``/Date(ms+0000)/`` dates, decimal money, JSON with Decimals."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import orjson

_DOTNET = re.compile(r"/Date\((-?\d+)([+-]\d{4})?\)/")


def parse_date(value: Any) -> datetime | None:
    """``/Date(1795237951447+0000)/``, ``/Date(0+0000)/``, negative epochs, or ISO text → aware UTC datetime."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    text = str(value)
    match = _DOTNET.search(text)
    if match:
        return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=int(match.group(1)))
    text = text.replace("Z", "+00:00")
    parsed = datetime.fromisoformat(text)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def parse_day(value: Any) -> date | None:
    moment = parse_date(value)
    return moment.date() if moment else None


def format_day(value: date | datetime | str | None) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value[:10]
    return value.strftime("%Y-%m-%d")


def loads(content: bytes) -> Any:
    """Parse a Xero JSON body keeping money exact."""
    return json.loads(content, parse_float=Decimal)


def exact_numbers(body: Any) -> Any:
    """``body`` with each Decimal as a JSON number written with its scale (``2880.00``, ``1``), as the spec declares
    amounts and quantities: never a string, never rounded through a float."""
    if isinstance(body, Decimal):
        text = format(body, "f")
        return orjson.Fragment(text.lstrip("-") if body == 0 else text)  # never "-0.00"
    if isinstance(body, dict):
        return {k: exact_numbers(v) for k, v in body.items()}
    if isinstance(body, list):
        return [exact_numbers(v) for v in body]
    return body
