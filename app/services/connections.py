"""Connecting, checking and disconnecting the two accounts, and building API clients for a connected profile.

Only ids and names are stored in the database (``Connection``); refresh tokens go to the secret store, access
tokens stay in memory inside each provider's :class:`TokenManager`.
"""

from __future__ import annotations

import base64
import json
import logging
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from app.auth.errors import AuthorizationDenied
from app.auth.flow import run_loopback_login
from app.auth.loopback import LoopbackListener
from app.auth.tokens import TokenGrant, TokenManager
from app.errors import AppError, AuthRequired, ConfigError
from app.integrations.endpoints import ZOHO_DATA_CENTRES
from app.integrations.http import ApiSession, Budget, RateLimiter
from app.integrations.xero.client import XeroClient
from app.integrations.xero.models import Connection as XeroConnection
from app.integrations.xero.oauth import (
    GRANULAR_SCOPES,
    LEGACY_SCOPES,
    XERO_REFRESH_IDLE_DAYS,
    ScopeRejected,
    XeroOAuth,
)
from app.integrations.xero.policy import XeroPolicy
from app.integrations.zoho.client import ZohoClient
from app.integrations.zoho.oauth import ZohoOAuth
from app.integrations.zoho.policy import ZohoPolicy
from app.services.context import AppContext
from app.services.record_links import remember_short_code
from app.store.models import Connection
from app.store.settings import get_setting, set_setting

log = logging.getLogger(__name__)

OrgChooser = Callable[[list[XeroConnection]], XeroConnection]


@dataclass
class ProviderStatus:
    provider: str
    connected: bool
    organisation: str = ""
    org_id: str = ""
    dc: str = ""
    user: str = ""
    access_token_expires_at: str = ""
    refresh_token_age_days: float | None = None
    reconnect_by: str = ""
    secure_storage: bool = True
    secret_store: str = ""
    budget: dict[str, Any] | None = None
    problem: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _jwt_claims(token: str) -> dict[str, Any]:
    """The payload of a JWT access token, unverified: only used to read Xero's authentication_event_id."""
    try:
        payload = token.split(".")[1]
        return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        return {}


def _listener_for(redirect_uri: str, default_port: int, default_host: str) -> LoopbackListener:
    if redirect_uri:
        parts = urlsplit(redirect_uri)
        host = parts.hostname or default_host
        return LoopbackListener(parts.port or 80, parts.path or "/callback",
                                redirect_host="localhost" if host == "localhost" else "127.0.0.1")
    host = "localhost" if default_host == "localhost" else "127.0.0.1"
    return LoopbackListener(default_port, "/callback", redirect_host=host)


class ConnectionService:
    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self._tokens: dict[str, TokenManager] = {}
        self._sessions: dict[str, ApiSession] = {}
        self._lock = threading.RLock()

    # ----- settings ------------------------------------------------------------------------------------------
    def _client_id(self, provider: str, given: str | None) -> str:
        if given:
            set_setting(self.ctx.profile, f"{provider}.client_id", given)
            return given
        stored = get_setting(self.ctx.profile, f"{provider}.client_id")
        endpoint_id = getattr(self.ctx.endpoints, provider).client_id
        client_id = stored or endpoint_id
        if not client_id:
            name = "Xero" if provider == "xero" else "Zoho CRM"
            raise ConfigError(f"Enter the client id of your {name} app first (Connections → How do I get one?).")
        return client_id

    def redirect_uri(self, provider: str) -> str:
        endpoints = getattr(self.ctx.endpoints, provider)
        if endpoints.redirect_uri:
            return endpoints.redirect_uri
        host = get_setting(self.ctx.profile, f"{provider}.redirect_host")
        return f"http://{host}:{get_setting(self.ctx.profile, f'{provider}.redirect_port')}/callback"

    def _listener(self, provider: str) -> LoopbackListener:
        return _listener_for(self.redirect_uri(provider), get_setting(self.ctx.profile, f"{provider}.redirect_port"),
                             get_setting(self.ctx.profile, f"{provider}.redirect_host"))

    # ----- Xero ----------------------------------------------------------------------------------------------
    def connect_xero(self, open_browser: Callable[[str], object], *, timeout: float = 300.0,
                     cancel: threading.Event | None = None, client_id: str | None = None,
                     choose_org: OrgChooser | None = None) -> ProviderStatus:
        oauth = XeroOAuth(self.ctx.endpoints.xero, self.ctx.http, self._client_id("xero", client_id))
        grant = None
        for scopes in (GRANULAR_SCOPES, LEGACY_SCOPES):
            try:
                with self._listener("xero") as listener:
                    login = run_loopback_login(
                        lambda challenge, state, s=scopes, uri=listener.redirect_uri:
                            oauth.authorize_url(uri, challenge, state, s),
                        listener, open_browser, timeout, cancel)
                grant = oauth.exchange_code(login.code, login.code_verifier, login.redirect_uri)
                break
            except (ScopeRejected, AuthorizationDenied) as exc:
                if isinstance(exc, AuthorizationDenied) and exc.error not in ("invalid_scope", "unauthorized_client"):
                    raise
                if scopes == LEGACY_SCOPES:
                    raise AuthRequired("xero", "Xero refused the permissions Ledgerbridge asks for. Check the app "
                                       "registration in the Xero developer portal.") from exc
                log.info("Xero refused the granular scopes; trying the legacy scope set")
        assert grant is not None
        auth_event = _jwt_claims(grant.access_token).get("authentication_event_id")
        connections = oauth.connections(grant.access_token, auth_event) or oauth.connections(grant.access_token)
        if not connections:
            raise AuthRequired("xero", "Xero signed you in but no organisation was shared with Ledgerbridge. "
                               "Connect again and tick an organisation.")
        chosen = connections[0] if len(connections) == 1 or choose_org is None else choose_org(connections)
        now = datetime.fromtimestamp(self.ctx.clock.time(), UTC)
        Connection.delete().where(Connection.profile == self.ctx.profile, Connection.provider == "xero").execute()
        person = _jwt_claims(grant.extra.get("id_token", ""))  # who signed in (OpenID Connect), for "Signed in as"
        Connection.create(profile=self.ctx.profile, provider="xero", org_id=chosen.tenant_id,
                          org_name=chosen.tenant_name, connection_id=chosen.id, scopes=grant.scope,
                          user_name=str(person.get("email") or person.get("name") or ""),
                          connected_at=now, refresh_token_issued_at=now)
        self._forget_runtime("xero")
        self.tokens("xero").install(grant)
        set_setting(self.ctx.profile, "xero.needs_sign_in", False)
        self._remember_xero_short_code(chosen.tenant_id)
        log.info("connected to Xero organisation %s", chosen.tenant_name)
        return self.status_of("xero", live=False)

    def _remember_xero_short_code(self, org_id: str) -> None:
        """The organisation's ShortCode, for "Open in Xero" links that open this organisation (one call; without
        it the links open whichever organisation the browser had last, as before)."""
        try:
            remember_short_code(self.ctx.profile, org_id, self.xero_client().organisation().short_code)
        except AppError as exc:
            log.info("Xero organisation's short code not read: %s", exc.technical or exc.message)

    # ----- Zoho ----------------------------------------------------------------------------------------------
    def connect_zoho(self, open_browser: Callable[[str], object], *, timeout: float = 300.0,
                     cancel: threading.Event | None = None, client_id: str | None = None,
                     client_secret: str | None = None, dc: str | None = None) -> ProviderStatus:
        if dc:
            if dc not in ZOHO_DATA_CENTRES:
                raise ConfigError(f"Unknown Zoho data centre {dc!r}. Use one of: {', '.join(ZOHO_DATA_CENTRES)}.")
            set_setting(self.ctx.profile, "zoho.dc", dc)
        endpoints = self.ctx.endpoints.zoho.for_dc(get_setting(self.ctx.profile, "zoho.dc"))
        if client_secret:
            self.ctx.secrets.set(self._secret_key("zoho", "client_secret"), client_secret)
        oauth = ZohoOAuth(endpoints, self.ctx.http, self._client_id("zoho", client_id), self._zoho_secret())
        with self._listener("zoho") as listener:
            login = run_loopback_login(
                lambda challenge, state: oauth.authorize_url(listener.redirect_uri, challenge, state),
                listener, open_browser, timeout, cancel)
        accounts_server = login.callback.get("accounts-server") or endpoints.accounts_url
        grant = oauth.exchange_code(login.code, login.code_verifier, login.redirect_uri, accounts_server)
        api_domain = grant.extra.get("api_domain") or endpoints.api_domain
        location = login.callback.get("location") or get_setting(self.ctx.profile, "zoho.dc")
        Connection.delete().where(Connection.profile == self.ctx.profile, Connection.provider == "zoho").execute()
        row = Connection.create(profile=self.ctx.profile, provider="zoho", dc=location, api_domain=api_domain,
                                accounts_server=accounts_server, scopes=grant.scope,
                                connected_at=datetime.fromtimestamp(self.ctx.clock.time(), UTC))
        self._forget_runtime("zoho")
        self.tokens("zoho").install(grant)
        client = self.zoho_client()
        org = client.org()
        user = client.current_user()
        row.org_id, row.org_name, row.user_name = org.id, org.name, user.email or user.name
        row.save()
        set_setting(self.ctx.profile, "zoho.needs_sign_in", False)
        log.info("connected to Zoho CRM organisation %s (%s)", org.name, location)
        return self.status_of("zoho", live=False)

    # ----- runtime: tokens, sessions, clients ----------------------------------------------------------------
    def _secret_key(self, provider: str, name: str) -> str:
        return f"{provider}:{self.ctx.profile_name}:{name}"

    def _zoho_secret(self) -> str | None:
        return self.ctx.secrets.get(self._secret_key("zoho", "client_secret")) or \
            self.ctx.endpoints.zoho.client_secret or None

    def connection(self, provider: str) -> Connection | None:
        return Connection.get_or_none(Connection.profile == self.ctx.profile, Connection.provider == provider)

    def tokens(self, provider: str) -> TokenManager:
        with self._lock:
            if provider not in self._tokens:
                self._tokens[provider] = self._make_tokens(provider)
            return self._tokens[provider]

    def _make_tokens(self, provider: str) -> TokenManager:
        if provider == "xero":
            oauth = XeroOAuth(self.ctx.endpoints.xero, self.ctx.http, self._client_id("xero", None))

            def rotated(at: float) -> None:
                Connection.update(refresh_token_issued_at=datetime.fromtimestamp(at, UTC)).where(
                    Connection.profile == self.ctx.profile, Connection.provider == "xero").execute()

            return TokenManager("xero", self.ctx.profile_name, self.ctx.secrets, oauth.refresh, self.ctx.clock,
                                "Bearer", rotated)
        conn = self.connection("zoho")
        endpoints = self.ctx.endpoints.zoho.for_dc(get_setting(self.ctx.profile, "zoho.dc"))
        oauth = ZohoOAuth(endpoints, self.ctx.http, self._client_id("zoho", None), self._zoho_secret())
        refresher = oauth.refresher(conn.accounts_server if conn else None)
        return TokenManager("zoho", self.ctx.profile_name, self.ctx.secrets, refresher, self.ctx.clock,
                            "Zoho-oauthtoken")

    def session(self, provider: str) -> ApiSession:
        with self._lock:
            if provider not in self._sessions:
                if provider == "xero":
                    limiter = RateLimiter(self.ctx.clock, per_minute=60, max_in_flight=5)
                    policy: Any = XeroPolicy()
                else:
                    limiter = RateLimiter(self.ctx.clock, per_minute=None, max_in_flight=5)
                    policy = ZohoPolicy()
                self._sessions[provider] = ApiSession(provider, self.ctx.http, self.tokens(provider), policy,
                                                      limiter, self.ctx.clock)
            return self._sessions[provider]

    def xero_client(self) -> XeroClient:
        conn = self.connection("xero")
        if conn is None:
            raise AuthRequired("xero", "Xero is not connected yet. Open Connections and click Connect.")
        return XeroClient(self.session("xero"), self.ctx.endpoints.xero, conn.org_id)

    def zoho_client(self) -> ZohoClient:
        conn = self.connection("zoho")
        if conn is None:
            raise AuthRequired("zoho", "Zoho CRM is not connected yet. Open Connections and click Connect.")
        return ZohoClient(self.session("zoho"), conn.api_domain)

    def budgets(self) -> dict[str, Budget]:
        return {p: s.budget for p, s in self._sessions.items()}

    def _forget_runtime(self, provider: str) -> None:
        with self._lock:
            self._tokens.pop(provider, None)
            self._sessions.pop(provider, None)

    def reset(self) -> None:
        """Build tokens, sessions and clients anew on next use (after a reconnect or an organisation change)."""
        for provider in ("xero", "zoho"):
            self._forget_runtime(provider)

    def fingerprint(self) -> tuple[Any, ...]:
        """What the clients are built from: changes when either side is connected, disconnected or moved to
        another organisation or data centre, by this process or another (a CLI ``connect`` beside the app)."""
        rows = Connection.select().where(Connection.profile == self.ctx.profile).order_by(Connection.provider)
        return tuple((c.provider, c.org_id, c.connected_at, c.api_domain, c.dc) for c in rows)

    # ----- status and disconnect -----------------------------------------------------------------------------
    def status_of(self, provider: str, live: bool = True) -> ProviderStatus:
        conn = self.connection(provider)
        status = ProviderStatus(provider, connected=False, secure_storage=self.ctx.secrets.is_secure,
                                secret_store=self.ctx.secrets.description)
        if conn is None:
            return status
        status.organisation, status.org_id, status.dc, status.user = conn.org_name, conn.org_id, conn.dc, conn.user_name
        tokens = self.tokens(provider)
        status.connected = tokens.has_refresh_token()
        if not status.connected:
            status.problem = "The saved sign-in is missing; connect again."
            return status
        if provider == "xero" and conn.refresh_token_issued_at:
            age = (self.ctx.clock.time() - conn.refresh_token_issued_at.timestamp()) / 86400
            status.refresh_token_age_days = round(age, 2)
            by = datetime.fromtimestamp(conn.refresh_token_issued_at.timestamp() + XERO_REFRESH_IDLE_DAYS * 86400, UTC)
            status.reconnect_by = by.date().isoformat()
        if live:
            try:
                if provider == "xero":
                    org = self.xero_client().organisation()
                    remember_short_code(self.ctx.profile, conn.org_id, org.short_code)
                else:
                    self.zoho_client().org()
            except AppError as exc:
                status.problem = exc.message
                status.connected = not isinstance(exc, AuthRequired)
        expires = tokens.expires_at()
        if expires:
            status.access_token_expires_at = datetime.fromtimestamp(expires, UTC).isoformat(timespec="seconds")
        if provider in self._sessions:
            status.budget = self._sessions[provider].budget.as_dict()
        return status

    def disconnect(self, provider: str) -> None:
        conn = self.connection(provider)
        refresh_token = self.tokens(provider).forget()
        if refresh_token:
            if provider == "xero":
                XeroOAuth(self.ctx.endpoints.xero, self.ctx.http, self._client_id("xero", None)).revoke(refresh_token)
            else:
                endpoints = self.ctx.endpoints.zoho.for_dc(get_setting(self.ctx.profile, "zoho.dc"))
                ZohoOAuth(endpoints, self.ctx.http, self._client_id("zoho", None), self._zoho_secret()).revoke(
                    refresh_token, conn.accounts_server if conn else None)
        if conn is not None:
            conn.delete_instance()
        self._forget_runtime(provider)
        log.info("disconnected %s", provider)


__all__ = ["ConnectionService", "ProviderStatus", "TokenGrant"]
