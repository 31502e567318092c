"""Zoho sign-in for every data centre. The token endpoint reports errors as HTTP 200 with an ``error`` key; the
callback names the user's accounts server; the token response names the API domain. Both are kept."""

from __future__ import annotations

from urllib.parse import urlencode

import httpx

from app.auth.tokens import TokenGrant
from app.errors import AuthRequired, ConfigError, ConnectionLost, RateLimited, ServiceUnavailable
from app.integrations.endpoints import ZohoEndpoints

SCOPES = ",".join([
    "ZohoCRM.modules.ALL", "ZohoCRM.settings.fields.READ", "ZohoCRM.settings.modules.READ",
    "ZohoCRM.settings.currencies.READ", "ZohoCRM.org.READ", "ZohoCRM.users.READ",
])

_ERROR_MESSAGES = {
    "invalid_client": "Zoho does not know this client id in this data centre. Check the client id and the data "
                      "centre in Connections.",
    "invalid_client_secret": "Zoho rejected the client secret. Check it in Connections (or leave it empty for a "
                             "PKCE client).",
    "invalid_redirect_uri": "The redirect URI does not match the one registered in the Zoho API console. Copy the "
                            "exact URI from Connections into the console.",
}


class ZohoOAuth:
    def __init__(self, endpoints: ZohoEndpoints, http: httpx.Client, client_id: str | None = None,
                 client_secret: str | None = None) -> None:
        self.endpoints = endpoints
        self.http = http
        self.client_id = client_id or endpoints.client_id
        self.client_secret = client_secret if client_secret is not None else endpoints.client_secret

    def authorize_url(self, redirect_uri: str, challenge: str, state: str, scopes: str = SCOPES) -> str:
        query = {"response_type": "code", "client_id": self.client_id, "redirect_uri": redirect_uri,
                 "scope": scopes, "access_type": "offline", "prompt": "consent", "state": state,
                 "code_challenge": challenge, "code_challenge_method": "S256"}
        return f"{self.endpoints.authorize_url}?{urlencode(query)}"

    def exchange_code(self, code: str, verifier: str, redirect_uri: str, accounts_server: str | None) -> TokenGrant:
        form = {"grant_type": "authorization_code", "client_id": self.client_id, "code": code,
                "redirect_uri": redirect_uri, "code_verifier": verifier}
        return self._token(self._token_url(accounts_server), form)

    def refresher(self, accounts_server: str | None):
        """A function refreshing against the user's own accounts server (never the app's home one)."""
        url = self._token_url(accounts_server)

        def refresh(refresh_token: str) -> TokenGrant:
            return self._token(url, {"grant_type": "refresh_token", "client_id": self.client_id,
                                     "refresh_token": refresh_token})
        return refresh

    def revoke(self, refresh_token: str, accounts_server: str | None) -> None:
        try:
            self.http.post(f"{self._token_url(accounts_server)}/revoke", params={"token": refresh_token})
        except httpx.HTTPError:
            pass

    def _token_url(self, accounts_server: str | None) -> str:
        if accounts_server and self.endpoints.token_url.startswith(self.endpoints.accounts_url):
            return accounts_server.rstrip("/") + self.endpoints.token_url[len(self.endpoints.accounts_url):]
        return self.endpoints.token_url

    def _token(self, url: str, form: dict[str, str]) -> TokenGrant:
        if self.client_secret:
            form = {**form, "client_secret": self.client_secret}
        try:
            response = self.http.post(url, data=form, headers={"Accept": "application/json"})
        except httpx.HTTPError as exc:
            raise ConnectionLost("Could not reach Zoho's sign-in service. Check the internet connection.",
                                 technical=type(exc).__name__) from exc
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.status_code >= 500 or not isinstance(body, dict):
            raise ServiceUnavailable("Zoho's sign-in service is having trouble; try again shortly.",
                                     technical=f"HTTP {response.status_code}")
        error = body.get("error")  # Zoho answers errors with HTTP 200
        if error:
            technical = f"HTTP {response.status_code} error={error}"
            if error in _ERROR_MESSAGES:
                raise ConfigError(_ERROR_MESSAGES[error], technical=technical)
            if error == "Access Denied" or body.get("status") == "failure":
                raise RateLimited("zoho", 600.0, scope="sign-in", technical=technical)
            raise AuthRequired("zoho", "Zoho no longer accepts this connection (it was revoked or replaced by a "
                               "newer sign-in). Open Connections and reconnect Zoho CRM.", technical=technical)
        if "access_token" not in body:
            raise ServiceUnavailable("Zoho's sign-in service sent an incomplete answer; try again.",
                                     technical=f"HTTP {response.status_code}, keys={sorted(body)}")
        expires = body.get("expires_in", 3600)
        if "expires_in_sec" in body:  # legacy responses gave expires_in in milliseconds
            expires = body["expires_in_sec"]
        extra = {"api_domain": body.get("api_domain", "")}
        return TokenGrant(access_token=body["access_token"], expires_in=float(expires),
                          refresh_token=body.get("refresh_token"), scope=str(body.get("scope", "")), extra=extra)
