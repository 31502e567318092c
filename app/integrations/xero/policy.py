"""What Xero's responses mean: token expiry, tenant/scope refusals, limits, outages, validation errors."""

from __future__ import annotations

import httpx

from app.errors import AuthRequired, NotFound, RateLimited, RecordRejected, ServiceUnavailable
from app.integrations.http import Budget, Kind, Verdict, parse_retry_after, short_body
from app.integrations.xero.wire import loads


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


class XeroPolicy:
    provider = "xero"
    parse = staticmethod(loads)  # the session checks and parses bodies with it: money stays Decimal

    def observe(self, response: httpx.Response, budget: Budget) -> None:
        headers = response.headers
        for attr, header in (("day_remaining", "X-DayLimit-Remaining"), ("minute_remaining", "X-MinLimit-Remaining"),
                             ("app_minute_remaining", "X-AppMinLimit-Remaining")):
            value = _int(headers.get(header))
            if value is not None:
                setattr(budget, attr, value)

    def classify(self, response: httpx.Response) -> Verdict:
        status = response.status_code
        technical = short_body(response)
        if status < 300 or status == 304:
            return Verdict(Kind.OK)
        if status == 401:
            return Verdict(Kind.TOKEN_EXPIRED, AuthRequired("xero", technical=technical))
        if status == 403:
            return Verdict(Kind.AUTH_REQUIRED, AuthRequired(
                "xero", "Xero refused access to this organisation: it may have been disconnected, or the "
                "connection lacks a permission. Open Connections and reconnect Xero.", technical=technical))
        if status == 429:
            problem = (response.headers.get("X-Rate-Limit-Problem") or "minute").lower()
            scope = "day" if problem == "day" else ("concurrent" if "concurren" in problem else "minute")
            return Verdict(Kind.RATE_LIMITED, RateLimited(
                "xero", parse_retry_after(response.headers.get("Retry-After")), scope=scope, technical=technical))
        if status == 404:
            return Verdict(Kind.NOT_FOUND, NotFound("Xero could not find that record.", technical=technical))
        if status >= 500 or status in (408, 412):
            return Verdict(Kind.TRANSIENT, ServiceUnavailable(
                "Xero is having trouble right now; syncing will try again shortly.", technical=technical))
        return Verdict(Kind.REJECTED, RecordRejected(validation_message(response), technical=technical))


def validation_message(response: httpx.Response) -> str:
    """The first human message in a Xero 400 body, whatever its shape."""
    try:
        body = loads(response.content)
    except ValueError:
        return response.text[:300] or f"Xero refused the request (HTTP {response.status_code})."
    if isinstance(body, dict):
        for element in body.get("Elements") or []:
            for error in element.get("ValidationErrors") or []:
                if error.get("Message"):
                    return str(error["Message"])
        for key in ("Message", "Detail", "error_description", "error"):
            if body.get(key):
                return str(body[key])
    return f"Xero refused the request (HTTP {response.status_code})."
