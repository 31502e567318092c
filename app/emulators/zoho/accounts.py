"""The Zoho Accounts (OAuth 2.0) server of every data centre: consent page, token endpoint, revoke, serverinfo.

Behaviour (notes §1): token-endpoint errors are HTTP 200 with an ``error`` key; codes are single use and live
2 minutes; access tokens ``1000.<hex>.<hex>`` live 3600 s; refresh tokens never expire but only 20 are kept per user
(the oldest silently deleted) and each may mint 10 access tokens per 10 minutes; refresh answers carry no
``refresh_token``; a refresh token is only issued on an offline grant when the user has none for the client yet or
``prompt=consent`` was sent. Tokens and codes belong to the org's DC: any other DC's accounts server answers
``invalid_client`` and any other DC's API host ``INVALID_TOKEN``.
"""

from __future__ import annotations

import base64
import hashlib
import html
import secrets
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode

import httpx

from ..base import json_response
from . import datacentres
from .datacentres import Target
from .metadata import USERS

if TYPE_CHECKING:
    from . import ZohoEmulator

ACCESS_TOKEN_SECONDS = 3600
CONSENT_SECONDS = 600
MINT_WINDOW_SECONDS = 600
MINTS_PER_WINDOW = 10
THROTTLE_BODY = {
    "error_description": "You have made too many requests continuously. Please try again after some time.",
    "error": "Access Denied",
    "status": "failure",
}
CONSENTING_USER = "admin"  # who is signed in to Zoho in the emulated browser


def new_token() -> str:
    return f"1000.{secrets.token_hex(16)}.{secrets.token_hex(16)}"


def split_scopes(raw: str) -> list[str]:
    return [s for s in raw.replace(",", " ").split() if s]


def form_params(request: httpx.Request) -> dict[str, str]:
    """Query parameters overlaid with a form body (the docs show both)."""
    params = dict(request.url.params.items())
    if request.content:
        try:
            params.update(parse_qsl(request.content.decode("utf-8"), keep_blank_values=True))
        except UnicodeDecodeError:
            pass
    return params


def _html(status: int, title: str, body: str, headers: dict[str, str] | None = None) -> httpx.Response:
    page = (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>" + html.escape(title) + "</title>"
        "<style>body{font-family:sans-serif;max-width:34em;margin:3em auto;color:#222}"
        "button{font-size:1em;padding:.5em 1.5em;margin-right:1em}.scopes li{margin:.2em 0}</style></head>"
        "<body>" + body + "</body></html>"
    )
    merged = {"Content-Type": "text/html; charset=utf-8"}
    merged.update(headers or {})
    return httpx.Response(status, content=page.encode(), headers=merged)


def _error_page(message: str) -> httpx.Response:
    return _html(400, "Zoho Accounts", f"<h1>Zoho Accounts</h1><p class='error'>{html.escape(message)}</p>")


class AccountsServer:
    def __init__(self, emu: ZohoEmulator) -> None:
        self.emu = emu

    # ----- dispatch ----------------------------------------------------------------------------------------
    def handle(self, request: httpx.Request, target: Target) -> httpx.Response:
        path = target.path.rstrip("/") or "/"
        method = request.method
        with self.emu.lock:
            if path == "/oauth/v2/auth" and method == "GET":
                return self._authorize(request, target)
            if path == "/oauth/v2/auth" and method == "POST":
                return self._consent(request, target)
            if path == "/oauth/v2/token" and method == "POST":
                return self._token(request, target)
            if path in ("/oauth/v2/token/revoke", "/oauth/v2/revoke/token") and method == "POST":
                return self._revoke(request, target)
            if path == "/oauth/serverinfo" and method == "GET":
                return self._serverinfo(target)
        return _html(404, "Zoho Accounts", "<h1>404</h1><p>The page you are looking for does not exist.</p>")

    # ----- authorization -----------------------------------------------------------------------------------
    def _authorize(self, request: httpx.Request, target: Target) -> httpx.Response:
        emu = self.emu
        p = dict(request.url.params.items())
        if p.get("client_id") != emu.client_id:
            return _error_page("Invalid Client. The client_id is not registered (invalid_client).")
        if p.get("redirect_uri") not in emu.redirect_uris:
            return _error_page("Invalid Redirect Uri. The redirect_uri does not match the registered one "
                               "(invalid_redirect_uri).")
        if p.get("response_type") != "code":
            return _redirect(p["redirect_uri"], {"error": "unsupported_response_type", "state": p.get("state")})
        scopes = split_scopes(p.get("scope", ""))
        if not scopes:
            return _redirect(p["redirect_uri"], {"error": "invalid_scope", "state": p.get("state")})
        method = p.get("code_challenge_method", "plain" if p.get("code_challenge") else "")
        if p.get("code_challenge") and method not in ("S256", "plain"):
            return _redirect(p["redirect_uri"], {"error": "invalid_request", "state": p.get("state")})
        consent_id = secrets.token_urlsafe(18)
        now = emu.clock.time()
        emu.state.consents = {k: v for k, v in emu.state.consents.items() if v["expires"] > now}
        emu.state.consents[consent_id] = {
            "client_id": p["client_id"], "redirect_uri": p["redirect_uri"], "scopes": scopes,
            "state": p.get("state"), "access_type": p.get("access_type", "online"),
            "prompt": p.get("prompt", ""), "challenge": p.get("code_challenge"), "method": method or None,
            "expires": now + CONSENT_SECONDS,
        }
        user = USERS[CONSENTING_USER]
        items = "".join(f"<li><code>{html.escape(s)}</code></li>" for s in scopes)
        body = (
            "<h1>Zoho Accounts</h1>"
            f"<p>Signed in as <b>{html.escape(user['name'])}</b> ({html.escape(user['email'])})</p>"
            f"<p><b>Ledgerbridge</b> would like to access <b>{html.escape(emu.org_name)}</b> "
            f"in Zoho CRM ({target.dc.upper()} data centre) with these permissions:</p>"
            f"<ul class='scopes'>{items}</ul>"
            "<form method='post' action='auth'>"
            f"<input type='hidden' name='consent_id' value='{html.escape(consent_id)}'>"
            "<button type='submit' name='decision' value='accept' id='accept'>Accept</button>"
            "<button type='submit' name='decision' value='reject' id='reject'>Reject</button>"
            "</form>"
        )
        return _html(200, "Zoho Accounts - Authorize", body)

    def _consent(self, request: httpx.Request, target: Target) -> httpx.Response:
        emu = self.emu
        form = form_params(request)
        pending = emu.state.consents.pop(form.get("consent_id", ""), None)
        if pending is None or pending["expires"] <= emu.clock.time():
            return _error_page("This authorization request has expired. Start again from the application.")
        if form.get("decision") != "accept":
            return _redirect(pending["redirect_uri"], {"error": "access_denied", "state": pending["state"]})
        code = new_token()
        emu.state.codes[code] = {
            "client_id": pending["client_id"], "redirect_uri": pending["redirect_uri"],
            "scopes": pending["scopes"], "access_type": pending["access_type"], "prompt": pending["prompt"],
            "challenge": pending["challenge"], "method": pending["method"], "user": CONSENTING_USER,
            "dc": emu.dc, "expires": emu.clock.time() + float(emu.switches["code_lifetime_seconds"]),
        }
        return _redirect(pending["redirect_uri"], {
            "state": pending["state"], "code": code, "location": emu.dc,
            "accounts-server": datacentres.accounts_server(emu.dc, target.origin),
        })

    # ----- token endpoint ----------------------------------------------------------------------------------
    def _client_credentials(self, request: httpx.Request, p: dict[str, str]) -> tuple[str | None, str | None]:
        client_id, secret = p.get("client_id"), p.get("client_secret")
        auth = request.headers.get("Authorization", "")
        if self.emu.switches["token_basic_auth"] and auth.lower().startswith("basic "):
            try:
                cid, _, csec = base64.b64decode(auth[6:]).decode().partition(":")
                client_id, secret = client_id or cid, secret or csec
            except (ValueError, UnicodeDecodeError):
                pass
        return client_id, secret

    def _token(self, request: httpx.Request, target: Target) -> httpx.Response:
        emu = self.emu
        p = form_params(request)
        client_id, secret = self._client_credentials(request, p)
        if client_id != emu.client_id or target.dc != emu.dc:
            return _oauth_error("invalid_client")
        grant = p.get("grant_type")
        if grant == "authorization_code":
            return self._exchange_code(p, secret, target)
        if grant == "refresh_token":
            return self._refresh(p, secret, target)
        return _oauth_error("unsupported_grant_type")

    def _exchange_code(self, p: dict[str, str], secret: str | None, target: Target) -> httpx.Response:
        emu = self.emu
        now = emu.clock.time()
        code = emu.state.codes.get(p.get("code", ""))
        public = bool(code and code["challenge"]) and not secret and emu.switches["pkce_secret_optional"]
        if not public and secret != emu.client_secret:
            return _oauth_error("invalid_client_secret")
        if code is None or code["expires"] <= now or code.get("used"):
            return _oauth_error("invalid_code")
        if p.get("redirect_uri") != code["redirect_uri"]:
            return _oauth_error("invalid_redirect_uri")
        if code["challenge"]:
            verifier = p.get("code_verifier", "")
            if code["method"] == "S256":
                digest = hashlib.sha256(verifier.encode()).digest()
                computed = base64.urlsafe_b64encode(digest).decode().rstrip("=")
            else:
                computed = verifier
            if not verifier or computed != code["challenge"]:
                return _oauth_error(str(emu.switches["pkce_error"]))
        code["used"] = True
        del emu.state.codes[p["code"]]
        refresh = None
        if code["access_type"] == "offline":
            has_one = any(
                rt["user"] == code["user"] and rt["client_id"] == code["client_id"]
                for rt in emu.state.refresh_tokens.values()
            )
            if not has_one or code["prompt"] == "consent":
                refresh = self._new_refresh_token(code["user"], code["client_id"], code["scopes"], public)
        access = self._mint_access(refresh, code["user"], code["client_id"], code["scopes"])
        body: dict[str, Any] = {"access_token": access}
        if refresh:
            body["refresh_token"] = refresh
        body.update({
            "scope": " ".join(code["scopes"]),
            "api_domain": datacentres.api_domain(emu.dc, target.origin, emu.switches["uk_api_domain"]),
            "token_type": "Bearer",
            "expires_in": ACCESS_TOKEN_SECONDS,
        })
        return json_response(200, body)

    def _refresh(self, p: dict[str, str], secret: str | None, target: Target) -> httpx.Response:
        emu = self.emu
        token = p.get("refresh_token", "")
        rt = emu.state.refresh_tokens.get(token)
        if rt is None or rt["client_id"] != emu.client_id:  # revoked or evicted: the same for public clients
            return _oauth_error("invalid_code")
        if not (rt["public"] and not secret) and secret != emu.client_secret:
            return _oauth_error("invalid_client_secret")
        now = emu.clock.time()
        rt["mints"] = [t for t in rt["mints"] if t > now - MINT_WINDOW_SECONDS]
        if len(rt["mints"]) >= MINTS_PER_WINDOW:
            return json_response(int(emu.switches["throttle_http_status"]), THROTTLE_BODY)
        access = self._mint_access(token, rt["user"], rt["client_id"], rt["scopes"])
        return json_response(200, {
            "access_token": access,
            "scope": " ".join(rt["scopes"]),
            "api_domain": datacentres.api_domain(emu.dc, target.origin, emu.switches["uk_api_domain"]),
            "token_type": "Bearer",
            "expires_in": ACCESS_TOKEN_SECONDS,
        })

    def _revoke(self, request: httpx.Request, target: Target) -> httpx.Response:
        emu = self.emu
        token = form_params(request).get("token", "")
        if target.dc != emu.dc:
            return json_response(400, {"error": "invalid_client"})
        if token in emu.state.refresh_tokens:
            self._drop_refresh(token)
            return json_response(200, {"status": "success"})
        if token in emu.state.access_tokens:
            del emu.state.access_tokens[token]
            return json_response(200, {"status": "success"})
        return json_response(400, {"status": "failure", "error": "invalid_token"})

    def _serverinfo(self, target: Target) -> httpx.Response:
        locations = {dc: datacentres.accounts_server(dc, target.origin) for dc in datacentres.DATA_CENTRES}
        return json_response(200, {"result": "success", "locations": locations})

    # ----- token bookkeeping (callers hold the lock) ----------------------------------------------------------
    def _new_refresh_token(self, user: str, client_id: str, scopes: list[str], public: bool) -> str:
        emu = self.emu
        per_client = emu.switches["refresh_cap_per"] == "client"
        mine = [
            t for t, rt in emu.state.refresh_tokens.items()
            if rt["user"] == user and (rt["client_id"] == client_id or not per_client)
        ]
        cap = int(emu.switches["refresh_token_cap"])
        while len(mine) >= cap:  # the oldest goes, silently
            self._drop_refresh(mine.pop(0))
        token = new_token()
        emu.state.refresh_tokens[token] = {
            "user": user, "client_id": client_id, "scopes": scopes, "dc": emu.dc, "public": public,
            "issued": emu.clock.time(), "mints": [],
        }
        return token

    def _drop_refresh(self, token: str) -> None:
        state = self.emu.state
        state.refresh_tokens.pop(token, None)
        for access in [a for a, info in state.access_tokens.items() if info["refresh"] == token]:
            del state.access_tokens[access]

    def _mint_access(self, refresh: str | None, user: str, client_id: str, scopes: list[str]) -> str:
        emu = self.emu
        now = emu.clock.time()
        state = emu.state
        # forget tokens that expired more than a day ago, so the state stays small
        stale = [a for a, info in state.access_tokens.items() if info["expires"] < now - 86400]
        for access in stale:
            del state.access_tokens[access]
        if refresh:
            state.refresh_tokens[refresh]["mints"].append(now)
            active = [a for a, info in state.access_tokens.items()
                      if info["refresh"] == refresh and info["expires"] > now]
            cap = int(emu.switches["active_access_tokens"])
            while len(active) >= cap:
                del state.access_tokens[active.pop(0)]
        token = new_token()
        state.access_tokens[token] = {
            "refresh": refresh, "user": user, "client_id": client_id, "scopes": scopes, "dc": emu.dc,
            "issued": now, "expires": now + ACCESS_TOKEN_SECONDS,
        }
        return token

    def issue(self, scopes: list[str], offline: bool = True, user: str = CONSENTING_USER,
              origin: str | None = None) -> dict[str, Any]:
        """Tokens as if the consent flow had just completed (for tests that are not about the login)."""
        emu = self.emu
        refresh = self._new_refresh_token(user, emu.client_id, scopes, public=False) if offline else None
        access = self._mint_access(refresh, user, emu.client_id, scopes)
        body: dict[str, Any] = {"access_token": access}
        if refresh:
            body["refresh_token"] = refresh
        body.update({
            "scope": " ".join(scopes),
            "api_domain": datacentres.api_domain(emu.dc, origin, emu.switches["uk_api_domain"]),
            "token_type": "Bearer",
            "expires_in": ACCESS_TOKEN_SECONDS,
        })
        return body


def _oauth_error(code: str) -> httpx.Response:
    """Zoho's token endpoint reports errors with HTTP 200 and an ``error`` key."""
    return json_response(200, {"error": code})


def _redirect(uri: str, params: dict[str, Any]) -> httpx.Response:
    query = urlencode({k: v for k, v in params.items() if v is not None})
    sep = "&" if "?" in uri else "?"
    return httpx.Response(302, headers={"Location": f"{uri}{sep}{query}"})
