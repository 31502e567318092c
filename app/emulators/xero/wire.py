"""Xero's wire formats: fixed-scale decimals, .NET ``/Date()/`` dates, the response envelope and the error bodies.

Everything that decides how bytes look on the wire lives here, so the resource modules only build plain dicts
whose money values are :class:`~decimal.Decimal` already quantized to the scale Xero prints (``40.00``, ``1.0000``,
``1.000000``). :func:`dumps` keeps that scale in the JSON text, which ``json`` alone cannot do.
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
import orjson

Q2 = Decimal("0.01")
Q4 = Decimal("0.0001")
Q6 = Decimal("0.000001")
ZERO = Decimal("0.00")

JSON_TYPE = "application/json; charset=utf-8"
# Headers the real API sends on every response (xero-ruby ApiError fixture).
NO_CACHE = {"Cache-Control": "max-age=0, no-cache, no-store", "Pragma": "no-cache", "Server": "nginx"}

NOT_FOUND_TEXT = "The resource you're looking for cannot be found"
MAINTENANCE_TEXT = "The Xero API is currently offline for maintenance"


# ----- decimals ------------------------------------------------------------------------------------------------
def round2(value: Decimal) -> Decimal:
    """Round half away from zero to cents (Xero rounds each line this way)."""
    return value.quantize(Q2, rounding=ROUND_HALF_UP)


def round4(value: Decimal) -> Decimal:
    return value.quantize(Q4, rounding=ROUND_HALF_UP)


def to_decimal(value: Any) -> Decimal | None:
    """A body number (already a Decimal from :func:`parse_body`) or numeric string as Decimal; None if absent.

    Raises ValueError for something that is not a number (the caller turns it into a validation error)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError("not a number")
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):  # only if someone hands us a float in-process; go via repr, never binary
        return Decimal(repr(value))
    try:
        result = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise ValueError(f"{value!r} is not a number") from exc
    if not result.is_finite():
        raise ValueError(f"{value!r} is not a number")
    return result


# ----- JSON ----------------------------------------------------------------------------------------------------
_MARK = "\u0000\u0001D"
_MARK_RE = re.compile(r'"\\u0000\\u0001D(-?[0-9]+(?:\.[0-9]+)?)"')


def _mark_decimal(obj: Any) -> Any:
    """The encoder's ``default`` hook: a Decimal becomes a marked string the regex below unquotes (the C encoder
    calls it only for values JSON has no type for, so nothing else is walked twice)."""
    if isinstance(obj, Decimal):
        text = format(obj, "f")
        return _MARK + (text.lstrip("-") if obj == 0 else text)  # never "-0.00"
    raise TypeError(f"Object of type {type(obj).__name__} is not JSON serializable")


def dumps(obj: Any) -> str:
    """JSON text with each Decimal written as a bare number that keeps its scale (``40.00``, not ``40.0``) and
    .NET-style escaped date slashes (``"\\/Date(…)\\/"``), the way Xero's serializer writes them."""
    text = orjson.dumps(obj, default=_mark_decimal).decode()
    text = _MARK_RE.sub(r"\1", text)
    return text.replace('"/Date(', '"\\/Date(').replace(')/"', ')\\/"')


def parse_body(raw: bytes) -> Any:
    """A request body with numbers as Decimal (never float). Raises ValueError when it is not JSON."""
    return json.loads(raw.decode("utf-8-sig"), parse_float=Decimal)


def xero_response(status: int, body: Any, headers: dict[str, str] | None = None) -> httpx.Response:
    merged = {"Content-Type": JSON_TYPE, **NO_CACHE}
    merged.update(headers or {})
    return httpx.Response(status, content=dumps(body).encode(), headers=merged)


def text_response(status: int, text: str, headers: dict[str, str] | None = None,
                  content_type: str = "text/plain; charset=utf-8") -> httpx.Response:
    merged = {"Content-Type": content_type, **NO_CACHE}
    merged.update(headers or {})
    return httpx.Response(status, content=text.encode(), headers=merged)


# ----- dates ---------------------------------------------------------------------------------------------------
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
DAY_MS = 86_400_000


def ms_of(dt: datetime) -> int:
    return int((dt - EPOCH) / timedelta(milliseconds=1))


def dt_of(ms: int) -> datetime:
    seconds, millis = divmod(ms, 1000)
    return datetime.fromtimestamp(seconds, UTC).replace(microsecond=millis * 1000)


def net_date(ms: int) -> str:
    """Entity date: ``/Date(1795215850123+0000)/``."""
    return f"/Date({ms}+0000)/"


def envelope_date(ms: int) -> str:
    """Envelope ``DateTimeUTC``: ``/Date(1795215850123)/`` (no offset)."""
    return f"/Date({ms})/"


def date_string(ms: int) -> str:
    """``DateString``/``DueDateString``: ``2026-11-02T00:00:00`` (no zone)."""
    return dt_of(ms).strftime("%Y-%m-%dT%H:%M:%S")


def utc_string(ms: int) -> str:
    """``UpdatedDateUTCString``: ``2026-11-21T05:12:31Z``."""
    return dt_of(ms).strftime("%Y-%m-%dT%H:%M:%SZ")


def connection_time(ms: int, micro_extra: int = 0) -> str:
    """Connections' ISO format: 7 fractional digits and no ``Z`` (``2026-11-20T23:04:10.1233130``)."""
    dt = dt_of(ms)
    ticks = (ms % 1000) * 10_000 + micro_extra % 10_000
    return dt.strftime("%Y-%m-%dT%H:%M:%S") + f".{ticks:07d}"


def day_floor(ms: int) -> int:
    return ms - ms % DAY_MS


_NET_DATE = re.compile(r"^/Date\((-?\d+)([+-]\d{4})?\)/$")


def parse_body_date(value: Any) -> int | None:
    """A date sent in a body as ``2026-11-02``, ``2026-11-02T00:00:00`` or ``/Date(1795219200000)/`` (what
    xero-python sends) → ms at midnight UTC of that day. None when absent; ValueError when unreadable."""
    if value is None or value == "":
        return None
    text = str(value).strip()
    m = _NET_DATE.match(text)
    if m:
        return day_floor(int(m.group(1)))
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = datetime.combine(date.fromisoformat(text[:10]), datetime.min.time())
        except ValueError as exc:
            raise ValueError(f"unreadable date {value!r}") from exc
    return ms_of(datetime(parsed.year, parsed.month, parsed.day, tzinfo=UTC))


def parse_if_modified_since(value: str) -> int | None:
    """``If-Modified-Since`` → whole UTC seconds (as ms), or None if unreadable (then the header is ignored, as the
    real API silently does with formats it cannot read). Accepts ISO 8601 with or without fractions, offset or
    ``Z`` (naive = UTC) and RFC 7231 HTTP-dates."""
    text = value.strip()
    if not text:
        return None
    parsed: datetime | None = None
    try:
        iso = text.replace("Z", "+00:00").replace("z", "+00:00")
        # Python < 3.11 quirks aside, fromisoformat handles 1–6 fraction digits; trim longer .NET fractions.
        iso = re.sub(r"(\.\d{6})\d+", r"\1", iso)
        parsed = datetime.fromisoformat(iso)
    except ValueError:
        try:
            parsed = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    seconds = int(parsed.timestamp())  # second granularity: milliseconds are not honoured
    return seconds * 1000


# ----- envelope and errors -------------------------------------------------------------------------------------
def envelope(provider: str, now_ms: int, key: str, records: list[dict], pagination: dict | None = None,
             extra: dict | None = None) -> dict:
    body: dict[str, Any] = {"Id": str(uuid.uuid4()), "Status": "OK", "ProviderName": provider,
                            "DateTimeUTC": envelope_date(now_ms)}
    if pagination is not None:
        body["pagination"] = pagination
    if extra:
        body.update(extra)
    body[key] = records
    return body


def validation_exception(elements: list[dict]) -> dict:
    return {"ErrorNumber": 10, "Type": "ValidationException", "Message": "A validation exception occurred",
            "Elements": elements}


def no_data_processed(singular: str) -> dict:
    # The typo "specifed" is verbatim from the real API.
    return {"ErrorNumber": 17, "Type": "NoDataProcessedException",
            "Message": "No data has been processed for this endpoint. This endpoint is expecting "
                       f"{singular} data to be specifed in the request body."}


def post_data_invalid(detail: str) -> dict:
    """Unreadable JSON body. ErrorNumber 14 / PostDataInvalidException per Xero's error list (**unverified** text)."""
    return {"ErrorNumber": 14, "Type": "PostDataInvalidException", "Message": detail}


def query_parse_exception(detail: str) -> dict:
    """A ``where``/``order`` the parser cannot read (ErrorNumber 16 **unverified**)."""
    return {"ErrorNumber": 16, "Type": "QueryParseException", "Message": detail}


def problem(status: int, title: str, detail: str) -> dict:
    """ASP.NET ProblemDetails as the API gateway sends it for 401/403/429."""
    return {"Type": None, "Title": title, "Status": status, "Detail": detail, "Instance": str(uuid.uuid4()),
            "Extensions": {}}


def server_error_body() -> dict:
    return {"Title": "An error occurred",
            "Detail": "An error occurred in Xero. Check the API Status page http://status.developer.xero.com for "
                      "current service status.",
            "Status": 500, "Instance": str(uuid.uuid4())}


SERVER_ERROR_HTML = ("<!DOCTYPE html><html><head><title>Xero | Error 500</title></head><body><h1>Something went "
                     "wrong</h1><p>We're sorry, an unexpected error occurred. Please try again.</p></body></html>")
UNAVAILABLE_HTML = ("<HTML><HEAD><TITLE>Service Unavailable</TITLE></HEAD><BODY><H1>Service Unavailable - Zero size "
                    "object</H1>The server is temporarily unable to service your request. Please try again later."
                    "</BODY></HTML>")


def parse_bool(value: str | None, default: bool) -> bool:
    """Query booleans as real clients send them: ``true``/``false`` in any case (xero-python sends ``False``)."""
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in ("true", "1", "yes"):
        return True
    if lowered in ("false", "0", "no"):
        return False
    return default
