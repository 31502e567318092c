"""Access and refresh tokens in the secret store, one refresh at a time.

:class:`TokenManager` is the ``TokenSource`` the API sessions use. It refreshes shortly before expiry or after the
server rejected the token, under a lock so concurrent callers never race (Zoho throttles token minting; Xero rotates
refresh tokens and a lost rotation breaks the connection). A rotated refresh token is written to the secret store
*before* the new access token is used: if the app dies right after the refresh, the old token still works for
Xero's 30-minute grace window, and the next start recovers with it.

The access token is kept too (under its own key, with its expiry under another: Windows Credential Manager holds at
most 2,560 bytes an entry), so the next command or app start reuses it instead of minting a new one — Zoho allows
only about ten new access tokens per ten minutes.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from app.auth.secrets import SecretStore
from app.clock import Clock
from app.errors import AuthRequired

log = logging.getLogger(__name__)

# Refresh this long before the access token's expiry.
EARLY_REFRESH_SECONDS = 120


@dataclass
class TokenGrant:
    """What a token endpoint answered. ``extra`` carries provider details such as Zoho's ``api_domain``."""

    access_token: str
    expires_in: float
    refresh_token: str | None = None
    scope: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:  # never print a token
        return f"TokenGrant(expires_in={self.expires_in}, scope={self.scope!r}, refresh={'yes' if self.refresh_token else 'no'})"


Refresher = Callable[[str], TokenGrant]


def refresh_token_key(provider: str, profile: str) -> str:
    return f"{provider}:{profile}:refresh_token"


def access_token_keys(provider: str, profile: str) -> tuple[str, str]:
    """The secret-store keys of the access token and of its expiry (epoch seconds)."""
    return f"{provider}:{profile}:access_token", f"{provider}:{profile}:access_expires_at"


class TokenManager:
    """Hands out ``Authorization`` header values for one provider and profile."""

    def __init__(
        self,
        provider: str,
        profile: str,
        store: SecretStore,
        refresher: Refresher,
        clock: Clock,
        header_prefix: str = "Bearer",
        on_rotated: Callable[[float], None] | None = None,
    ) -> None:
        self.provider = provider
        self.key = refresh_token_key(provider, profile)
        self.access_key, self.expiry_key = access_token_keys(provider, profile)
        self.store = store
        self.refresher = refresher
        self.clock = clock
        self.header_prefix = header_prefix
        self.on_rotated = on_rotated
        self._lock = threading.Lock()
        self._access: str | None = None
        self._expires_at = 0.0
        self._loaded = False
        self.refreshes = 0

    # ----- TokenSource ---------------------------------------------------------------------------------------
    def authorization_header(self) -> str:
        with self._lock:
            if not self._loaded:
                self._load_saved_locked()
            if self._access is None or self.clock.time() >= self._expires_at - EARLY_REFRESH_SECONDS:
                self._refresh_locked()
            return f"{self.header_prefix} {self._access}"

    def token_rejected(self, header: str) -> None:
        """The server said no to ``header``; unless another caller already refreshed, drop the token."""
        with self._lock:
            if header == f"{self.header_prefix} {self._access}":
                self._access = None
                self._delete_saved_access()

    def _load_saved_locked(self) -> None:
        """The access token an earlier command or app start saved, if it still has time left."""
        self._loaded = True
        token, expiry = self.store.get(self.access_key), self.store.get(self.expiry_key)
        try:
            expires_at = float(expiry) if expiry else 0.0
        except ValueError:
            expires_at = 0.0
        if token and self.clock.time() < expires_at - EARLY_REFRESH_SECONDS:
            self._access, self._expires_at = token, expires_at

    def _delete_saved_access(self) -> None:
        for key in (self.access_key, self.expiry_key):
            if self.store.get(key) is not None:
                self.store.delete(key)

    # ----- lifecycle -----------------------------------------------------------------------------------------
    def install(self, grant: TokenGrant) -> None:
        """After a login: keep the refresh token (secret store) and the access token (memory)."""
        with self._lock:
            if grant.refresh_token:
                self.store.set(self.key, grant.refresh_token)
            self._use(grant)

    def has_refresh_token(self) -> bool:
        return self.store.get(self.key) is not None

    def expires_at(self) -> float | None:
        return self._expires_at if self._access else None

    def forget(self) -> str | None:
        """Drop both tokens; returns the refresh token so the caller can revoke it."""
        with self._lock:
            token = self.store.get(self.key)
            if token is not None:
                self.store.delete(self.key)
            self._delete_saved_access()
            self._access = None
            return token

    def _refresh_locked(self) -> None:
        refresh_token = self.store.get(self.key)
        if not refresh_token:
            raise AuthRequired(self.provider)
        grant = self.refresher(refresh_token)
        self.refreshes += 1
        if grant.refresh_token and grant.refresh_token != refresh_token:
            self.store.set(self.key, grant.refresh_token)  # saved before the access token is used
            if self.on_rotated:
                self.on_rotated(self.clock.time())
        self._use(grant)
        log.info("%s access token refreshed (valid %ds)", self.provider, int(grant.expires_in))

    def _use(self, grant: TokenGrant) -> None:
        self._access = grant.access_token
        self._expires_at = self.clock.time() + float(grant.expires_in)
        self._loaded = True
        self.store.set(self.access_key, grant.access_token)
        self.store.set(self.expiry_key, repr(self._expires_at))
