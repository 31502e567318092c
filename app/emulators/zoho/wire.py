"""Zoho's wire shapes shared by every handler: error bodies, empty responses, and datetimes in the org's zone."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import httpx

from ..base import json_response

# Exact texts from the notes (§3.5, §4) and the OAS API_Exception enum.
MESSAGES = {
    "INVALID_TOKEN": "invalid oauth token",
    "AUTHENTICATION_FAILURE": "Authentication failed",
    "OAUTH_SCOPE_MISMATCH": "Unauthorized",
    "NO_PERMISSION": "permission denied",
    "INVALID_URL_PATTERN": "Please check if the URL trying to access is a correct one",
    "INVALID_MODULE": "the module name given seems to be invalid",
    "INVALID_REQUEST_METHOD": "The http request method type is not a valid one",
    "TOO_MANY_REQUESTS": "Number of API requests for the 24 hour period is exceeded or the concurrency limit of "
    "the user for the app is exceeded.",
    "INTERNAL_ERROR": "Internal Server Error",
    "REQUIRED_PARAM_MISSING": "One of the expected parameter is missing",
    "DISCRETE_PAGINATION_LIMIT_EXCEEDED": "You can only get the first 2000 records without using page_token param",
    "MANDATORY_NOT_FOUND": "required field not found",
    "DUPLICATE_DATA": "duplicate data",
    "INVALID_DATA": "invalid data",
}

_ISO = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})$",
)


def error_body(code: str, message: str | None = None, details: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"code": code, "details": details or {}, "message": message or MESSAGES.get(code, code), "status": "error"}


def api_error(
    status: int,
    code: str,
    message: str | None = None,
    details: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    """A top-level CRM error (no ``data`` wrapper)."""
    return json_response(status, error_body(code, message, details), headers)


def empty(status: int, headers: dict[str, str] | None = None) -> httpx.Response:
    """204 / 304: no body, no content type."""
    return httpx.Response(status, headers=headers or {})


def parse_offset(offset: str) -> timezone:
    sign = -1 if offset.startswith("-") else 1
    hours, minutes = offset.lstrip("+-").split(":")
    return timezone(sign * timedelta(hours=int(hours), minutes=int(minutes)))


def fmt_time(epoch: float, tz: timezone) -> str:
    """``2026-11-02T20:00:00+11:00``: seconds precision, the org user's offset."""
    return datetime.fromtimestamp(int(epoch), tz).isoformat()


def parse_time(text: str) -> float:
    """An ISO 8601 datetime with an offset (``Z`` accepted) as epoch seconds; ``ValueError`` otherwise."""
    text = text.strip()
    match = _ISO.match(text)
    if not match:
        raise ValueError(f"not an ISO datetime with offset: {text!r}")
    zone = match.group(7)
    if zone == "Z":
        tz = UTC
    else:
        zone = zone if ":" in zone else f"{zone[:3]}:{zone[3:]}"
        tz = parse_offset(zone)
    y, mo, d, h, mi, s = (int(match.group(i)) for i in range(1, 7))
    return datetime(y, mo, d, h, mi, s, tzinfo=tz).timestamp()


def parse_http_date(text: str) -> float:
    """If-Modified-Since as Zoho documents it (ISO with offset), or the RFC 7231 form some HTTP stacks send."""
    try:
        return parse_time(text)
    except ValueError:
        from email.utils import parsedate_to_datetime

        try:
            return parsedate_to_datetime(text).timestamp()
        except (TypeError, ValueError, IndexError) as exc:
            raise ValueError(text) from exc
