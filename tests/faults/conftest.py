"""Fixtures of the fault suite.

``served``: one sandbox (demo seed, limits off) served on 127.0.0.1 for the whole session, with a tripwire and a
secret tap on both emulators, and a *pristine* data dir signed in to both sides. ``served.fresh(name)`` puts both
emulators back to the moment after sign-in and copies the pristine data dir, so every scenario starts from the
same first sync without signing in again.

``fault_world``: the in-process world (``tests.world``) with the tap installed before sign-in; at teardown its data
dir is scanned for every credential the emulators issued.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import keyring
import keyring.backends.fail
import pytest

from app.auth.secrets import FileFallbackStore, choose_store
from app.auth.tokens import access_token_keys
from app.emulators.sandbox import Sandbox
from app.integrations.endpoints import endpoints_from_json
from app.paths import AppPaths
from app.services.connections import ConnectionService
from app.services.context import AppContext
from app.services.demo import auto_approver
from app.store.db import close_db
from tests.faults.support import (
    CliResult,
    Hook,
    SecretTap,
    Tripwire,
    emulator_secrets,
    install,
    run_cli,
    scan_for_secrets,
    snapshot,
)
from tests.world import CLEAN_DEMO_SWITCHES, World, free_port, make_world


@dataclass
class Served:
    box: Sandbox
    endpoints: Path
    admin: dict[str, str]
    root: Path
    tripwire: Tripwire
    tap: SecretTap
    pristine: Path
    state: tuple[dict[str, Any], dict[str, Any]]
    issued: set[str] = field(default_factory=set)
    hooks: dict[str, list[Hook]] = field(default_factory=dict)

    @property
    def xero(self):  # noqa: ANN201
        return self.box.xero

    @property
    def zoho(self):  # noqa: ANN201
        return self.box.zoho

    def fresh(self, name: str) -> Path:
        """Both emulators as just after sign-in, and a copy of the signed-in data dir."""
        self.issued |= emulator_secrets(self.xero, self.zoho)
        self.xero.import_state(self.state[0])
        self.zoho.import_state(self.state[1])
        # limits="off" does not enforce, but still reports what is left of Xero's rolling minute, and the client
        # paces itself by that header: a new scenario starts with a fresh window (a minute of wall time would).
        self.xero.limiter.reset()
        target = self.root / "data" / name
        shutil.copytree(self.pristine, target)
        return target

    def cli(self, data_dir: Path, *args: str, kill_at: int | None = None) -> CliResult:
        return run_cli(data_dir, self.endpoints, *args, out_dir=self.root / "out" / data_dir.name,
                       tripwire=self.tripwire, kill_at=kill_at)

    def control(self, system: str, method: str, path: str, body: Any = None) -> Any:
        """The sandbox control API over HTTP, as a tester would drive it."""
        with httpx.Client(timeout=10) as http:
            response = http.request(method, self.admin[system] + path, json=body)
        assert response.status_code < 400, response.text
        return response.json()

    def secrets(self) -> set[str]:
        return self.issued | emulator_secrets(self.xero, self.zoho) | self.tap.values


@pytest.fixture(scope="session")
def served(tmp_path_factory) -> Iterator[Served]:
    root = tmp_path_factory.mktemp("served")
    xero_redirect = f"http://localhost:{free_port()}/callback"
    zoho_redirect = f"http://127.0.0.1:{free_port()}/callback"
    # as in make_world: the first sync is clean, and no story edits between syncs
    box = Sandbox(seed="demo", limits="off", redirect_uris=[xero_redirect, zoho_redirect], story=False)
    box.xero.switches.update(CLEAN_DEMO_SWITCHES)
    tap, tripwire = SecretTap(), Tripwire()
    hooks = {"xero": install(box.xero, "xero", tap=tap, tripwire=tripwire),
             "zoho": install(box.zoho, "zoho", tap=tap, tripwire=tripwire)}
    endpoints = box.serve(host="127.0.0.1")
    endpoints["xero"]["redirect_uri"] = xero_redirect
    endpoints["zoho"]["redirect_uri"] = zoho_redirect
    endpoints_file = root / "endpoints.json"
    endpoints_file.write_text(json.dumps(endpoints) + "\n", encoding="utf-8")

    # Sign in once, in this process, with the store the subprocesses will pick: without a keyring,
    # choose_store falls back to the 0600 file in the data dir.
    pristine = root / "pristine"
    paths = AppPaths(pristine, pristine / "logs").ensure()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(keyring, "get_keyring", lambda: keyring.backends.fail.Keyring())
        store = choose_store(pristine)
    assert isinstance(store, FileFallbackStore) and store.path == paths.secrets_fallback
    ctx = AppContext.open(paths, endpoints_from_json(endpoints), secrets=store)
    try:
        connections = ConnectionService(ctx)
        for provider in ("xero", "zoho"):
            done, errors, open_url = auto_approver()
            connect = connections.connect_xero if provider == "xero" else connections.connect_zoho
            status = connect(open_url, timeout=30)
            assert done.wait(30) and not errors, errors
            assert status.connected and not status.secure_storage, status
    finally:
        ctx.close()
        close_db()
    # The first sync of every scenario runs as the next morning would: the saved access tokens have expired, so it
    # starts with a token refresh on both sides (and Xero rotates its refresh token there: a kill point).
    for provider in ("xero", "zoho"):
        for key in access_token_keys(provider, "default"):
            store.delete(key)
    box.xero.expire_access_tokens()
    box.zoho.expire_access_tokens()
    kept = json.loads(paths.secrets_fallback.read_text())["secrets"]
    assert {"xero:default:refresh_token", "zoho:default:refresh_token"} <= set(kept)
    state = (box.xero.export_state(), box.zoho.export_state())
    served = Served(box, endpoints_file, endpoints["admin"], root, tripwire, tap, pristine, state, hooks=hooks)
    yield served
    box.close()


@pytest.fixture
def fault_world(data_dir) -> Iterator[World]:
    """``make_world`` with a secret tap on both emulators from the first request, signed in to both sides. At
    teardown every file of the data dir is checked for the credentials the emulators issued."""
    w = make_world(data_dir)
    tap = SecretTap()
    w.hooks = {"xero": install(w.xero, "xero", tap=tap), "zoho": install(w.zoho, "zoho", tap=tap)}  # type: ignore[attr-defined]
    w.connect_both()
    for b in w.browsers:
        assert b.done.wait(10) and not b.errors, b.errors
    yield w
    w.close()
    secrets = tap.values | emulator_secrets(w.xero, w.zoho)
    assert len(secrets) > 4
    leaks = scan_for_secrets([data_dir], secrets, allow_fallback=False)
    assert leaks == [], leaks


@pytest.fixture(scope="session")
def clean_world_state(tmp_path_factory) -> dict[str, Any]:
    """Both in-process sandboxes after one clean first sync on the demo seed (the reference for convergence)."""
    data = tmp_path_factory.mktemp("clean-world")
    w = make_world(data)
    try:
        w.connect_both()
        report = w.sync_service().sync()
        assert report.outcome == "ok", report.message
        return snapshot(w.xero, w.zoho)
    finally:
        w.close()
        close_db()
