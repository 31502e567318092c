"""Xero Identity: the consent page, the token and revocation endpoints, JWT access tokens and connections.

- ``GET /identity/connect/authorize`` validates client, exact redirect URI, scopes and PKCE (S256 only) and shows an
  HTML consent page (app name, user, requested scopes, the organisations to connect, "Allow access" / "Cancel").
  A bad client, redirect URI or scope gets an error page and no redirect (as Xero shows
  ``unauthorized_client : Invalid scope for client``); other request errors are redirected as ``error=…``.
- ``POST /identity/connect/consent`` (the page's form) creates/refreshes the connections and 302-redirects to the
  redirect URI with ``code, scope, state, session_state``; Cancel redirects with ``error=access_denied&state=…``.
- ``POST /connect/token``: ``authorization_code`` (single use, 5 min, PKCE verified; client_id in the body for
  PKCE apps, Basic auth or client_secret for confidential ones) and ``refresh_token`` (rotation; the previous
  token keeps working for a 30-minute grace and returns the same successor, then ``invalid_grant``; 60 days unused
  → ``invalid_grant``). The response keys are exactly ``id_token, access_token, expires_in, token_type,
  refresh_token, scope`` (no refresh token without ``offline_access``, no id_token without ``openid``).
- ``POST /connect/revocation`` (``token=<refresh token>``): 200 with an empty body; revokes the app's refresh
  tokens for that user and removes all its connections.
- ``GET /connections[?authEventId=]`` and ``DELETE /connections/{id}`` (path case-insensitive): dates with 7
  fractional digits and no ``Z``.

Access tokens look like Xero's RS256 JWTs (header.payload.signature, base64url; claims nbf, exp, iss, aud,
client_id, sub, auth_time, xero_userid, global_session_id, jti, authentication_event_id, scope[]) but are signed
with an HMAC only the emulator knows; they live 30 minutes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import json
import re
import secrets
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx

from .reference import stable_id
from .wire import connection_time, dt_of, problem, xero_response

ISSUER = "https://identity.xero.com"
ACCESS_LIFETIME_S = 1800
ID_TOKEN_LIFETIME_S = 300
REFRESH_GRACE_S = 1800
REFRESH_IDLE_S = 60 * 86_400
OIDC_SCOPES = {"openid", "profile", "email", "offline_access"}
GRANULAR_SCOPES = {
    f"accounting.{name}{suffix}" for name in (
        "contacts", "settings", "attachments", "invoices", "payments", "banktransactions", "manualjournals")
    for suffix in ("", ".read")
} | {f"accounting.reports.{r}.read" for r in ("aged", "balancesheet", "bankreconciliation", "banksummary",
                                              "budgetsummary", "executivesummary", "profitandloss",
                                              "trialbalance", "taxreports", "tenninetynine")} | {
    "accounting.budgets.read", "accounting.journals.read", "files", "files.read", "assets", "assets.read",
    "projects", "projects.read", "payroll.employees", "payroll.employees.read", "payroll.settings",
    "payroll.settings.read", "payroll.timesheets", "payroll.timesheets.read", "payroll.payruns",
    "payroll.payruns.read", "payroll.payslip", "payroll.payslip.read",
}
BROAD_SCOPES = {"accounting.transactions", "accounting.transactions.read", "accounting.reports.read",
                "paymentservices"}
VERIFIER_RE = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")
USER = {"given_name": "Tom", "family_name": "Whitfield", "email": "tom@bluegumsupply.com.au"}


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class App:
    client_id: str
    name: str
    redirect_uris: tuple[str, ...]
    secret: str | None = None


@dataclass
class Connection:
    id: str
    tenant_id: str
    client_id: str
    user_id: str
    auth_event_id: str
    created_ms: int
    updated_ms: int
    active: bool = True


@dataclass
class RefreshToken:
    token: str
    client_id: str
    user_id: str
    scopes: list[str]
    auth_event_id: str
    issued_ms: int
    superseded_ms: int | None = None
    successor: str | None = None
    revoked: bool = False


@dataclass
class AccessGrant:
    jti: str
    client_id: str
    user_id: str
    scopes: list[str]
    auth_event_id: str
    exp: int  # seconds


@dataclass
class IdentityState:
    secret: str = field(default_factory=lambda: secrets.token_hex(32))
    codes: dict[str, dict] = field(default_factory=dict)
    consents: dict[str, dict] = field(default_factory=dict)
    refresh: dict[str, RefreshToken] = field(default_factory=dict)
    access: dict[str, AccessGrant] = field(default_factory=dict)
    connections: dict[str, Connection] = field(default_factory=dict)

    def to_json(self) -> dict:
        return {"secret": self.secret, "codes": self.codes, "refresh": [asdict(r) for r in self.refresh.values()],
                "access": [asdict(a) for a in self.access.values()],
                "connections": [asdict(c) for c in self.connections.values()]}

    @classmethod
    def from_json(cls, data: dict) -> IdentityState:
        st = cls(secret=data.get("secret") or secrets.token_hex(32), codes=dict(data.get("codes", {})))
        for r in data.get("refresh", []):
            st.refresh[r["token"]] = RefreshToken(**r)
        for a in data.get("access", []):
            st.access[a["jti"]] = AccessGrant(**a)
        for c in data.get("connections", []):
            st.connections[c["id"]] = Connection(**c)
        return st


class Identity:
    """Identity endpoints over an :class:`IdentityState`; ``emu`` supplies clock, switches, orgs and the lock."""

    def __init__(self, emu: Any, apps: list[App]) -> None:
        self.emu = emu
        self.apps = {a.client_id: a for a in apps}
        self.state = IdentityState()
        self.user_id = stable_id("user", USER["email"])
        self.xero_userid = stable_id("xero-user", USER["email"])

    # ----- helpers -----------------------------------------------------------------------------------------------
    def now_ms(self) -> int:
        return int(self.emu.clock.time() * 1000)

    def _sign(self, signing_input: bytes) -> str:
        key = self.state.secret.encode()
        sig = b"".join(hmac.new(key, bytes([i]) + signing_input, hashlib.sha512).digest() for i in range(4))
        return b64url(sig)  # 256 bytes, the length of an RS256 signature

    def _jwt(self, claims: dict) -> str:
        header = {"alg": "RS256", "kid": "1CAF8E66772D6DC028D6726FD0261581570EFC19", "typ": "JWT",
                  "x5t": "HK-OZncrbcAo1nJv0CYVgVcO_Bk"}
        signing_input = (b64url(json.dumps(header, separators=(",", ":")).encode()) + "." +
                         b64url(json.dumps(claims, separators=(",", ":")).encode()))
        return signing_input + "." + self._sign(signing_input.encode())

    def decode(self, token: str) -> dict | None:
        parts = token.split(".")
        if len(parts) != 3:
            return None
        expected = self._sign(f"{parts[0]}.{parts[1]}".encode())
        if not hmac.compare_digest(expected, parts[2]):
            return None
        try:
            return json.loads(b64url_decode(parts[1]))
        except (ValueError, json.JSONDecodeError):
            return None

    def _switch(self, name: str) -> Any:
        return self.emu.switches.get(name)

    def _scope_problem(self, scopes: list[str]) -> bool:
        for s in scopes:
            if s in OIDC_SCOPES or s in GRANULAR_SCOPES:
                continue
            if s in BROAD_SCOPES and not self._switch("app_created_after_2026_03_02"):
                continue
            return True
        return not scopes

    # ----- pages ---------------------------------------------------------------------------------------------
    def _page(self, status: int, title: str, body: str) -> httpx.Response:
        doc = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)} | Xero</title>
<style>
body{{font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;background:#f4f6f8;margin:0;color:#1e3145}}
.card{{max-width:480px;margin:48px auto;background:#fff;border-radius:8px;box-shadow:0 2px 8px rgba(0,0,0,.12);padding:32px}}
.logo{{color:#13b5ea;font-weight:700;font-size:28px}} h1{{font-size:20px}} ul{{padding-left:20px}}
label{{display:block;padding:8px;border:1px solid #d5dbe1;border-radius:4px;margin:6px 0}}
.allow{{background:#13b5ea;color:#fff;border:0;padding:10px 20px;border-radius:4px;font-size:15px}}
.cancel{{background:#fff;color:#1e3145;border:1px solid #aab4bd;padding:10px 20px;border-radius:4px;font-size:15px}}
.error{{color:#c0392b}} small{{color:#6b7c8c}}
</style></head><body><div class="card"><div class="logo">xero</div>{body}
<p><small>Local Xero sandbox (emulator) — no real Xero account is involved.</small></p></div></body></html>"""
        return httpx.Response(status, content=doc.encode(), headers={"Content-Type": "text/html; charset=utf-8"})

    def _error_page(self, message: str) -> httpx.Response:
        return self._page(400, "Error", f'<h1>Sorry, something went wrong</h1><p class="error">{html.escape(message)}</p>')

    @staticmethod
    def _redirect(uri: str, params: dict[str, str]) -> httpx.Response:
        sep = "&" if urlsplit(uri).query else "?"
        return httpx.Response(302, headers={"Location": uri + sep + urlencode(params)})

    # ----- authorize ---------------------------------------------------------------------------------------------
    def authorize(self, request: httpx.Request) -> httpx.Response:
        q = {k: v for k, v in request.url.params.items()}
        app = self.apps.get(q.get("client_id", ""))
        if app is None:
            return self._error_page("unauthorized_client : Unknown client or client not enabled")
        redirect_uri = q.get("redirect_uri", "")
        if redirect_uri not in app.redirect_uris:
            return self._error_page("Invalid redirect_uri: it must exactly match one registered for this app.")
        if self._switch("reject_loopback_ip_redirect") and urlsplit(redirect_uri).hostname == "127.0.0.1":
            return self._error_page("Invalid redirect_uri: use http://localhost, not an IP address.")
        state = q.get("state")

        def fail(error: str, description: str) -> httpx.Response:
            params = {"error": error, "error_description": description}
            if state is not None:
                params["state"] = state
            return self._redirect(redirect_uri, params)

        if q.get("response_type") != "code":
            return fail("unsupported_response_type", "Response type not supported")
        scopes = q.get("scope", "").split()
        if self._scope_problem(scopes) and not (self._switch("invalid_scope_at_token") and scopes):
            return self._error_page("unauthorized_client : Invalid scope for client")
        challenge = q.get("code_challenge", "")
        method = q.get("code_challenge_method", "plain" if challenge else "")
        if app.secret is None and not challenge:
            return fail("invalid_request", "code challenge required")
        if challenge and method != "S256":
            return fail("invalid_request", "Transform algorithm not supported")
        with self.emu.lock:
            consent_id = secrets.token_urlsafe(24)
            self.state.consents[consent_id] = {"client_id": app.client_id, "redirect_uri": redirect_uri,
                                               "scopes": scopes, "state": state, "challenge": challenge,
                                               "nonce": q.get("nonce"), "created_ms": self.now_ms()}
            return self._consent_page(app, consent_id, scopes)

    def _consent_page(self, app: App, consent_id: str, scopes: list[str], note: str = "") -> httpx.Response:
        multi = bool(self._switch("multi_org_consent"))
        needs_org = any(s.startswith("accounting.") or s in BROAD_SCOPES for s in scopes)
        orgs = ""
        if needs_org:
            rows = []
            for n, org in enumerate(self.emu.orgs.values()):
                kind = "checkbox" if multi else "radio"
                checked = " checked" if n == 0 else ""
                rows.append(f'<label><input type="{kind}" name="tenant" value="{org.TenantID}"{checked}> '
                            f'{html.escape(org.Name)}</label>')
            orgs = "<h2>Select the organisation" + ("s" if multi else "") + " to connect</h2>" + "".join(rows)
        scope_list = "".join(f"<li>{html.escape(s)}</li>" for s in scopes)
        body = f"""<h1>{html.escape(app.name)} would like to access your Xero data</h1>
<p>Signed in as {html.escape(USER['given_name'])} {html.escape(USER['family_name'])} ({html.escape(USER['email'])})</p>
{f'<p class="error">{html.escape(note)}</p>' if note else ''}
<form method="post" action="/identity/connect/consent">
<input type="hidden" name="consent_id" value="{consent_id}">
<p>{html.escape(app.name)} will be able to:</p><ul>{scope_list}</ul>
{orgs}
<p><button class="allow" type="submit" name="action" value="allow">Allow access</button>
<button class="cancel" type="submit" name="action" value="cancel">Cancel</button></p>
</form>"""
        return self._page(200, "Connect to Xero", body)

    def consent(self, request: httpx.Request) -> httpx.Response:
        form = parse_qs(request.content.decode("utf-8", "replace"), keep_blank_values=True)
        consent_id = (form.get("consent_id") or [""])[0]
        action = (form.get("action") or ["allow"])[0]
        with self.emu.lock:
            pending = self.state.consents.pop(consent_id, None)
            if pending is None or self.now_ms() - pending["created_ms"] > 3_600_000:
                return self._error_page("This sign-in request has expired. Start again from the app.")
            redirect_uri, state = pending["redirect_uri"], pending["state"]
            if action != "allow":
                params = {"error": "access_denied"}
                params["state"] = state or ""
                return self._redirect(redirect_uri, params)
            app = self.apps[pending["client_id"]]
            needs_org = any(s.startswith("accounting.") or s in BROAD_SCOPES for s in pending["scopes"])
            tenants = [t for t in form.get("tenant", []) if t in self.emu.orgs]
            if not self._switch("multi_org_consent"):
                tenants = tenants[:1]
            if needs_org and not tenants:
                self.state.consents[consent_id] = pending
                return self._consent_page(app, consent_id, pending["scopes"], "Select an organisation to continue.")
            now = self.now_ms()
            auth_event_id = str(uuid.uuid4())
            for tenant_id in tenants:
                self._connect(app.client_id, tenant_id, auth_event_id, now)
            code = secrets.token_urlsafe(32)
            self.state.codes[code] = {**pending, "auth_event_id": auth_event_id, "issued_ms": now,
                                      "user_id": self.user_id}
            params = {"code": code, "scope": " ".join(pending["scopes"])}
            if state is not None:
                params["state"] = state
            params["session_state"] = secrets.token_urlsafe(32) + "." + secrets.token_hex(16)
            return self._redirect(redirect_uri, params)

    def _connect(self, client_id: str, tenant_id: str, auth_event_id: str, now: int) -> Connection:
        for c in self.state.connections.values():
            if c.client_id == client_id and c.user_id == self.user_id and c.tenant_id == tenant_id:
                c.auth_event_id, c.updated_ms, c.active = auth_event_id, now, True
                return c
        c = Connection(id=str(uuid.uuid4()), tenant_id=tenant_id, client_id=client_id, user_id=self.user_id,
                       auth_event_id=auth_event_id, created_ms=now, updated_ms=now)
        self.state.connections[c.id] = c
        return c

    # ----- token -------------------------------------------------------------------------------------------------
    @staticmethod
    def _oauth_error(error: str, description: str | None = None, status: int = 400) -> httpx.Response:
        body = {"error": error}
        if description:
            body["error_description"] = description
        return httpx.Response(status, content=json.dumps(body).encode(),
                              headers={"Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store"})

    def _client(self, request: httpx.Request, form: dict[str, str]) -> tuple[App | None, httpx.Response | None]:
        client_id, secret = form.get("client_id", ""), form.get("client_secret")
        auth = request.headers.get("Authorization", "")
        if auth.lower().startswith("basic "):
            try:
                raw = base64.b64decode(auth[6:].strip()).decode()
                basic_id, _, basic_secret = raw.partition(":")
            except (ValueError, UnicodeDecodeError):
                return None, self._oauth_error("invalid_client")
            client_id, secret = basic_id, basic_secret
        app = self.apps.get(client_id)
        if app is None:
            return None, self._oauth_error("invalid_client")
        if app.secret is not None and not hmac.compare_digest(app.secret, secret or ""):
            return None, self._oauth_error("invalid_client")
        return app, None

    def token(self, request: httpx.Request) -> httpx.Response:
        form = {k: v[0] for k, v in parse_qs(request.content.decode("utf-8", "replace")).items()}
        with self.emu.lock:
            app, error = self._client(request, form)
            if error is not None:
                return error
            assert app is not None
            grant = form.get("grant_type", "")
            if grant == "authorization_code":
                return self._code_grant(app, form)
            if grant == "refresh_token":
                return self._refresh_grant(app, form)
            return self._oauth_error("unsupported_grant_type")

    def _code_grant(self, app: App, form: dict[str, str]) -> httpx.Response:
        code = self.state.codes.pop(form.get("code", ""), None)  # single use: gone on first presentation
        now = self.now_ms()
        lifetime = int(self._switch("auth_code_lifetime_s") or 300)
        if code is None or now - code["issued_ms"] > lifetime * 1000 or code["client_id"] != app.client_id:
            return self._oauth_error("invalid_grant")
        if form.get("redirect_uri", "") != code["redirect_uri"]:
            return self._oauth_error("invalid_grant")
        if code["challenge"]:
            verifier = form.get("code_verifier", "")
            computed = b64url(hashlib.sha256(verifier.encode()).digest())
            if not VERIFIER_RE.match(verifier) or not hmac.compare_digest(computed, code["challenge"]):
                return self._oauth_error("invalid_grant")
        if self._scope_problem(code["scopes"]):
            return self._oauth_error("invalid_scope")
        return self._issue(app, code["scopes"], code["auth_event_id"], code.get("nonce"), rotate_from=None)

    def _refresh_grant(self, app: App, form: dict[str, str]) -> httpx.Response:
        now = self.now_ms()
        rt = self.state.refresh.get(form.get("refresh_token", ""))
        if rt is None or rt.revoked or rt.client_id != app.client_id:
            return self._oauth_error("invalid_grant")
        if rt.superseded_ms is not None:
            successor = self.state.refresh.get(rt.successor or "")
            if now - rt.superseded_ms > REFRESH_GRACE_S * 1000 or successor is None or successor.revoked:
                return self._oauth_error("invalid_grant")
            # within the grace period the old token answers again with the same successor
            return self._issue(app, rt.scopes, rt.auth_event_id, None, rotate_from=None, reuse=successor)
        if now - rt.issued_ms > REFRESH_IDLE_S * 1000:
            return self._oauth_error("invalid_grant")
        return self._issue(app, rt.scopes, rt.auth_event_id, None, rotate_from=rt)

    def _issue(self, app: App, scopes: list[str], auth_event_id: str, nonce: str | None,
               rotate_from: RefreshToken | None, reuse: RefreshToken | None = None) -> httpx.Response:
        now_ms = self.now_ms()
        now = now_ms // 1000
        jti = secrets.token_hex(16)
        session = stable_id("session", auth_event_id)
        claims = {"nbf": now, "exp": now + ACCESS_LIFETIME_S, "iss": ISSUER, "aud": f"{ISSUER}/resources",
                  "client_id": app.client_id, "sub": self.user_id.replace("-", ""), "auth_time": now,
                  "xero_userid": self.xero_userid, "global_session_id": session.replace("-", ""), "sid": session,
                  "jti": jti, "authentication_event_id": auth_event_id, "scope": list(scopes)}
        self.state.access[jti] = AccessGrant(jti, app.client_id, self.user_id, list(scopes), auth_event_id,
                                             now + ACCESS_LIFETIME_S)
        body: dict[str, Any] = {}
        if "openid" in scopes:
            id_claims = {"nbf": now, "exp": now + ID_TOKEN_LIFETIME_S, "iss": ISSUER, "aud": app.client_id, "iat": now,
                         "sub": self.user_id.replace("-", ""), "auth_time": now, "xero_userid": self.xero_userid,
                         "global_session_id": session.replace("-", ""), "sid": session}
            if nonce:
                id_claims["nonce"] = nonce
            if "email" in scopes:
                id_claims.update({"email": USER["email"], "preferred_username": USER["email"]})
            if "profile" in scopes:
                id_claims.update({"given_name": USER["given_name"], "family_name": USER["family_name"]})
            body["id_token"] = self._jwt(id_claims)
        body["access_token"] = self._jwt(claims)
        body["expires_in"] = ACCESS_LIFETIME_S
        body["token_type"] = "Bearer"
        if "offline_access" in scopes:
            if reuse is not None:
                body["refresh_token"] = reuse.token
            else:
                new = RefreshToken(token=secrets.token_hex(32), client_id=app.client_id, user_id=self.user_id,
                                   scopes=list(scopes), auth_event_id=auth_event_id, issued_ms=now_ms)
                self.state.refresh[new.token] = new
                if rotate_from is not None:
                    rotate_from.superseded_ms, rotate_from.successor = now_ms, new.token
                body["refresh_token"] = new.token
        body["scope"] = " ".join(scopes)
        return httpx.Response(200, content=json.dumps(body).encode(),
                              headers={"Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store",
                                       "Pragma": "no-cache"})

    def revoke(self, request: httpx.Request) -> httpx.Response:
        form = {k: v[0] for k, v in parse_qs(request.content.decode("utf-8", "replace")).items()}
        with self.emu.lock:
            app, error = self._client(request, form)
            if error is not None:
                return error
            assert app is not None
            rt = self.state.refresh.get(form.get("token", ""))
            if rt is not None and rt.client_id == app.client_id:
                for other in self.state.refresh.values():
                    if other.client_id == app.client_id and other.user_id == rt.user_id:
                        other.revoked = True
                for c in self.state.connections.values():
                    if c.client_id == app.client_id and c.user_id == rt.user_id:
                        c.active = False
            return httpx.Response(200, content=b"")

    # ----- bearer tokens -----------------------------------------------------------------------------------------
    def bearer(self, request: httpx.Request) -> tuple[AccessGrant | None, httpx.Response | None]:
        """The grant behind the request's access token, or a ready 401."""
        auth = request.headers.get("Authorization", "")
        if not auth.lower().startswith("bearer "):
            return None, self._unauthorized("AuthenticationUnsuccessful", 'Bearer')
        claims = self.decode(auth[7:].strip())
        grant = self.state.access.get(claims.get("jti", "")) if claims else None
        if grant is None:
            return None, self._unauthorized("AuthenticationUnsuccessful", 'Bearer error="invalid_token"')
        if self.emu.clock.time() >= grant.exp:
            stamp = dt_of(grant.exp * 1000).strftime("%m/%d/%Y %H:%M:%S")
            return None, self._unauthorized(
                f"TokenExpired: token expired at {stamp}",
                f'Bearer error="invalid_token", error_description="The token expired at \'{stamp}\'"')
        return grant, None

    @staticmethod
    def _unauthorized(detail: str, challenge: str) -> httpx.Response:
        return xero_response(401, problem(401, "Unauthorized", detail), {"WWW-Authenticate": challenge})

    def expire_access_tokens(self) -> None:
        now = int(self.emu.clock.time())
        for grant in self.state.access.values():
            grant.exp = min(grant.exp, now)

    def connected(self, grant: AccessGrant, tenant_id: str) -> bool:
        return any(c.active and c.tenant_id == tenant_id and c.client_id == grant.client_id
                   and c.user_id == grant.user_id for c in self.state.connections.values())

    def disconnect_tenant(self, tenant_id: str) -> int:
        n = 0
        for c in self.state.connections.values():
            if c.tenant_id == tenant_id and c.active:
                c.active = False
                n += 1
        return n

    # ----- connections -------------------------------------------------------------------------------------------
    def connections(self, request: httpx.Request, rest: str) -> httpx.Response:
        with self.emu.lock:
            grant, error = self.bearer(request)
            if error is not None:
                return error
            assert grant is not None
            mine = [c for c in self.state.connections.values()
                    if c.active and c.client_id == grant.client_id and c.user_id == grant.user_id]
            if request.method == "GET" and not rest:
                event = request.url.params.get("authEventId") or next(
                    (v for k, v in request.url.params.items() if k.lower() == "autheventid"), None)
                if event:
                    mine = [c for c in mine if c.auth_event_id == event.lower()]
                body = [self._connection_view(c) for c in mine]
                return httpx.Response(200, content=json.dumps(body).encode(),
                                      headers={"Content-Type": "application/json; charset=utf-8"})
            if request.method == "DELETE" and rest:
                target = next((c for c in mine if c.id == rest.lower()), None)
                if target is None:
                    return xero_response(404, problem(404, "Not Found", "Connection not found"))
                target.active = False
                return httpx.Response(204)
            return xero_response(405, problem(405, "Method Not Allowed", "Method not allowed"))

    def _connection_view(self, c: Connection) -> dict:
        org = self.emu.orgs.get(c.tenant_id)
        return {"id": c.id, "authEventId": c.auth_event_id, "tenantId": c.tenant_id, "tenantType": "ORGANISATION",
                "tenantName": org.Name if org else "", "createdDateUtc": connection_time(c.created_ms, 1230),
                "updatedDateUtc": connection_time(c.updated_ms, 4560)}

    def discovery(self, base: str) -> httpx.Response:
        doc = {"issuer": ISSUER, "authorization_endpoint": f"{base}/identity/connect/authorize",
               "token_endpoint": f"{base}/connect/token", "revocation_endpoint": f"{base}/connect/revocation",
               "userinfo_endpoint": f"{base}/connect/userinfo", "jwks_uri": f"{base}/.well-known/openid-configuration/jwks",
               "response_types_supported": ["code"], "grant_types_supported": ["authorization_code", "refresh_token"],
               "code_challenge_methods_supported": ["S256"], "scopes_supported": sorted(OIDC_SCOPES | GRANULAR_SCOPES),
               "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"]}
        return httpx.Response(200, content=json.dumps(doc).encode(),
                              headers={"Content-Type": "application/json; charset=utf-8"})
