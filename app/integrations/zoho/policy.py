"""What Zoho CRM's responses mean. Zoho sends no Retry-After; credits come in ``X-API-CREDITS-REMAINING``."""

from __future__ import annotations

import json

import httpx

from app.errors import AuthRequired, NotFound, RateLimited, RecordRejected, ServiceUnavailable
from app.integrations.http import Budget, Kind, Verdict, short_body


def _body(response: httpx.Response) -> dict:
    try:
        body = json.loads(response.content)
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


# The most credits one of our calls costs (an upsert of 100 records): with this few left, a 429 means credits.
CREDITS_LOW = 10


class ZohoPolicy:
    provider = "zoho"

    def __init__(self) -> None:
        self._credits_left: int | None = None  # as last reported: a 429 itself carries no credits header

    def observe(self, response: httpx.Response, budget: Budget) -> None:
        value = response.headers.get("X-API-CREDITS-REMAINING")
        if value and value.strip().isdigit():
            budget.credits_remaining = self._credits_left = int(value)
        elif response.status_code < 300:  # Zoho only sends the header once half the allowance is used
            budget.credits_remaining = self._credits_left = None

    def classify(self, response: httpx.Response) -> Verdict:
        status = response.status_code
        technical = short_body(response)
        if status < 300 or status == 304:
            return Verdict(Kind.OK)
        code = str(_body(response).get("code") or "")
        if status == 401:
            if code == "OAUTH_SCOPE_MISMATCH":
                return Verdict(Kind.AUTH_REQUIRED, AuthRequired(
                    "zoho", "Zoho CRM needs an extra permission for this. Open Connections and reconnect Zoho CRM "
                    "to grant it.", technical=technical))
            return Verdict(Kind.TOKEN_EXPIRED, AuthRequired("zoho", technical=technical))
        if status == 403:
            return Verdict(Kind.AUTH_REQUIRED, AuthRequired(
                "zoho", "Zoho CRM says this user lacks permission for that module. Ask your Zoho administrator, "
                "or reconnect with another user.", technical=technical))
        if status == 429:
            # One message covers both causes; the credits header (sent once half is used) tells them apart.
            credits = (response.headers.get("X-API-CREDITS-REMAINING") or "").strip()
            text = response.text.lower()
            out_of_credits = (credits == "0" or ("24 hour" in text and "concurren" not in text)
                              or (self._credits_left is not None and self._credits_left <= CREDITS_LOW))
            scope = "credits" if out_of_credits else "concurrent"
            return Verdict(Kind.RATE_LIMITED, RateLimited("zoho", None, scope=scope, technical=technical))
        if status == 404:
            return Verdict(Kind.NOT_FOUND, NotFound("Zoho CRM could not find that.", technical=technical))
        if status >= 500:
            return Verdict(Kind.TRANSIENT, ServiceUnavailable(
                "Zoho CRM is having trouble right now; syncing will try again shortly.", technical=technical))
        body = _body(response)
        message = str(body.get("message") or f"Zoho CRM refused the request (HTTP {status}).")
        details = body.get("details") if isinstance(body.get("details"), dict) else {}
        field = str(details.get("api_name") or details.get("param_name") or "")
        return Verdict(Kind.REJECTED, RecordRejected(message, code=code, field=field, technical=technical))
