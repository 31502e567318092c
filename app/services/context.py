"""Everything a command or the GUI needs, built once: folders, database, endpoints, secret store, clock, HTTP.

Tests build one with an in-process transport (the emulators behind ``httpx.MockTransport``) and a virtual clock.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import httpx

from app.auth.secrets import SecretStore, choose_store
from app.clock import Clock, SystemClock
from app.integrations.endpoints import Endpoints
from app.paths import AppPaths
from app.services.folder_secrets import adopt_shared_entries, keyring_service
from app.store.db import open_db
from app.store.models import Profile
from app.store.settings import get_profile

log = logging.getLogger(__name__)

HTTP_TIMEOUT = httpx.Timeout(connect=10.0, read=60.0, write=60.0, pool=10.0)


@dataclass
class AppContext:
    paths: AppPaths
    endpoints: Endpoints
    secrets: SecretStore
    clock: Clock = field(default_factory=SystemClock)
    transport: httpx.BaseTransport | None = None
    profile_name: str = "default"
    actor: str = "cli"  # who runs syncs through this context: "cli" or "app" (named when another run must wait)
    _profile: Profile | None = None
    _http: httpx.Client | None = None
    clients: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def open(cls, paths: AppPaths, endpoints: Endpoints, *, secrets: SecretStore | None = None,
             clock: Clock | None = None, transport: httpx.BaseTransport | None = None) -> AppContext:
        paths.ensure()
        existed = paths.database.exists()
        open_db(paths.database)
        store = secrets or _folder_store(paths, adopt=existed)
        log.info("secrets kept in: %s (secure: %s)", store.description, store.is_secure)
        return cls(paths=paths, endpoints=endpoints, secrets=store, clock=clock or SystemClock(),
                   transport=transport)

    @property
    def profile(self) -> Profile:
        if self._profile is None:
            self._profile = get_profile(self.profile_name)
        return self._profile

    @property
    def http(self) -> httpx.Client:
        """One pooled client for every call; follows no redirects (OAuth redirects are for browsers)."""
        if self._http is None:
            self._http = httpx.Client(transport=self.transport, timeout=HTTP_TIMEOUT,
                                      headers={"User-Agent": "Ledgerbridge/0.1"})
        return self._http

    def close(self) -> None:
        if self._http is not None:
            self._http.close()
            self._http = None


def _folder_store(paths: AppPaths, *, adopt: bool) -> SecretStore:
    """The secret store under this data folder's own keyring service; an older folder brings its entries along."""
    service, new_folder = keyring_service(paths.data_dir)
    store = choose_store(paths.data_dir, service)
    if new_folder and adopt:
        adopt_shared_entries(store, [p.name for p in Profile.select(Profile.name)])
    return store
