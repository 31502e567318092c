"""Xero sign-in: authorize URL, code exchange, refresh with rotation, revocation, and /connections.

Desktop apps are PKCE public clients: no client secret exists, every token call sends only ``client_id``.
"""

from __future__ import annotations

from urllib.parse import urlencode

import httpx

from app.auth.tokens import TokenGrant
from app.errors import AuthRequired, ConnectionLost, RateLimited, ServiceUnavailable
from app.integrations.endpoints import XeroEndpoints
from app.integrations.http import parse_retry_after
from app.integrations.xero.models import Connection
from app.integrations.xero.wire import loads

XERO_REFRESH_IDLE_DAYS = 60  # a refresh token unused this long stops working: the user must connect again

# Apps created after 2 March 2026 may only ask for granular scopes; older apps fall back to the broad ones.
GRANULAR_SCOPES = ("openid profile email offline_access accounting.contacts accounting.settings "
                   "accounting.invoices accounting.payments")
LEGACY_SCOPES = "openid profile email offline_access accounting.contacts accounting.settings accounting.transactions"


class ScopeRejected(Exception):
    """The token endpoint answered ``invalid_scope``: try the other scope set."""


class XeroOAuth:
    def __init__(self, endpoints: XeroEndpoints, http: httpx.Client, client_id: str | None = None) -> None:
        self.endpoints = endpoints
        self.http = http
        self.client_id = client_id or endpoints.client_id

    def authorize_url(self, redirect_uri: str, challenge: str, state: str, scopes: str = GRANULAR_SCOPES) -> str:
        query = {"response_type": "code", "client_id": self.client_id, "redirect_uri": redirect_uri,
                 "scope": scopes, "state": state, "code_challenge": challenge, "code_challenge_method": "S256"}
        return f"{self.endpoints.authorize_url}?{urlencode(query)}"

    def exchange_code(self, code: str, verifier: str, redirect_uri: str) -> TokenGrant:
        return self._token({"grant_type": "authorization_code", "client_id": self.client_id, "code": code,
                            "redirect_uri": redirect_uri, "code_verifier": verifier})

    def refresh(self, refresh_token: str) -> TokenGrant:
        return self._token({"grant_type": "refresh_token", "client_id": self.client_id,
                            "refresh_token": refresh_token})

    def revoke(self, refresh_token: str) -> None:
        try:
            self.http.post(self.endpoints.revocation_url, data={"token": refresh_token, "client_id": self.client_id})
        except httpx.HTTPError:
            pass  # disconnecting locally still succeeds; the token idles out within 60 days

    def connections(self, access_token: str, auth_event_id: str | None = None) -> list[Connection]:
        params = {"authEventId": auth_event_id} if auth_event_id else None
        response = self._call("GET", self.endpoints.connections_url, access_token, params=params)
        return [Connection.from_wire(c) for c in loads(response.content) or []]

    def delete_connection(self, access_token: str, connection_id: str) -> None:
        self._call("DELETE", f"{self.endpoints.connections_url}/{connection_id}", access_token)

    # ----- internals -----------------------------------------------------------------------------------------
    def _call(self, method: str, url: str, access_token: str, params: dict | None = None) -> httpx.Response:
        try:
            response = self.http.request(method, url, params=params, headers={
                "Authorization": f"Bearer {access_token}", "Accept": "application/json"})
        except httpx.HTTPError as exc:
            raise ConnectionLost("Could not reach Xero. Check the internet connection and try again.",
                                 technical=type(exc).__name__) from exc
        if response.status_code in (401, 403):
            raise AuthRequired("xero", technical=f"HTTP {response.status_code}")
        if response.status_code >= 400:
            raise ServiceUnavailable("Xero could not list the organisations; try again shortly.",
                                     technical=f"HTTP {response.status_code}: {response.text[:200]}")
        return response

    def _token(self, form: dict[str, str]) -> TokenGrant:
        try:
            response = self.http.post(self.endpoints.token_url, data=form, headers={"Accept": "application/json"})
        except httpx.HTTPError as exc:
            raise ConnectionLost("Could not reach Xero's sign-in service. Check the internet connection.",
                                 technical=type(exc).__name__) from exc
        try:
            body = response.json()
        except ValueError:
            body = {}
        if response.status_code >= 500 or not isinstance(body, dict):
            raise ServiceUnavailable("Xero's sign-in service is having trouble; try again shortly.",
                                     technical=f"HTTP {response.status_code}")
        if response.status_code == 429:
            raise RateLimited("xero", parse_retry_after(response.headers.get("Retry-After")) or 60.0,
                              scope="sign-in", technical="HTTP 429 from the token endpoint")
        error = body.get("error")
        if error == "invalid_scope":
            raise ScopeRejected(body.get("error_description") or error)
        if error or response.status_code >= 400 or "access_token" not in body:
            raise AuthRequired("xero", "Xero no longer accepts this connection (it was revoked, unused for 60 "
                               "days, or replaced). Open Connections and reconnect Xero.",
                               technical=f"HTTP {response.status_code} error={error}")
        return TokenGrant(access_token=body["access_token"], expires_in=float(body.get("expires_in", 1800)),
                          refresh_token=body.get("refresh_token"), scope=body.get("scope", ""),
                          extra={k: v for k, v in body.items() if k == "id_token"})
