"""Both emulators together: built from one seed, served on 127.0.0.1, saved to and loaded from a state file.

Used by ``main.py sandbox`` (serves until interrupted), by ``--demo`` (in-process, state in the data dir) and by tests.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import threading
from pathlib import Path
from typing import Any

from . import demo_beats
from .clock import SystemClock, VirtualClock
from .server import ServedEmulator
from .xero import XeroEmulator
from .zoho import ZohoEmulator

DEFAULT_XERO_REDIRECT = "http://localhost:8765/callback"
DEFAULT_ZOHO_REDIRECT = "http://127.0.0.1:8766/callback"

# The keys of the JSON line ``main.py sandbox`` prints (and ``--endpoints FILE`` reads), exactly as issue 2 fixes them.
ENDPOINT_KEYS: dict[str, tuple[str, ...]] = {
    "xero": ("authorize_url", "token_url", "revocation_url", "connections_url", "api_base", "client_id",
             "redirect_uri"),
    "zoho": ("accounts_url", "authorize_url", "token_url", "api_domain", "client_id", "client_secret",
             "redirect_uri"),
}


def check_seed(seed: str) -> str:
    """``seed`` if it is ``demo``, ``empty`` or ``large:N``; otherwise ``ValueError`` with words for the user."""
    if not re.fullmatch(r"demo|empty|large:\d+", seed):
        raise ValueError(f"unknown seed {seed!r}: use demo, empty or large:N (N a whole number, e.g. large:500)")
    return seed


class SandboxStateError(ValueError):
    """The state file exists but is not a sandbox state this version can load."""


class Sandbox:
    """A Xero and a Zoho emulator seeded from the same story, optionally served over HTTP."""

    def __init__(
        self,
        seed: str = "demo",
        limits: str = "real",
        clock: SystemClock | VirtualClock | None = None,
        redirect_uris: list[str] | tuple[str, ...] = (),
        state_file: str | os.PathLike[str] | None = None,
        story: bool = True,
    ) -> None:
        """``story``: on the demo seed, play the demo's edits after the first sync (:mod:`.demo_beats`)."""
        check_seed(seed)
        self.clock = clock or SystemClock()
        self.state_file = Path(state_file) if state_file else None
        extra = tuple(redirect_uris)
        self.xero = XeroEmulator(
            clock=self.clock, seed=seed, limits=limits, redirect_uris=(DEFAULT_XERO_REDIRECT, *extra)
        )
        self.zoho = ZohoEmulator(
            clock=self.clock, seed=seed, limits="off" if limits == "off" else "real",
            redirect_uris=(DEFAULT_ZOHO_REDIRECT, *extra),
        )
        if seed == "demo" and story:
            demo_beats.install(self.xero, self.zoho)
        self._served: list[ServedEmulator] = []
        if self.state_file and self.state_file.exists():
            self.load()

    # ----- persistence -------------------------------------------------------------------------------------
    def load(self) -> None:
        assert self.state_file is not None
        try:
            data = json.loads(self.state_file.read_text(encoding="utf-8"))
            self.xero.import_state(data["xero"])
            self.zoho.import_state(data["zoho"])
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise SandboxStateError(f"{self.state_file} is not a saved sandbox state ({exc})") from exc

    def save(self) -> None:
        if not self.state_file:
            return
        data = {"xero": self.xero.export_state(), "zoho": self.zoho.export_state()}
        self.state_file.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.state_file.parent, prefix=".sandbox-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh)
        os.replace(tmp, self.state_file)

    # ----- serving -----------------------------------------------------------------------------------------
    def serve(self, host: str = "127.0.0.1", xero_port: int = 0, zoho_port: int = 0) -> dict[str, Any]:
        """Start both servers; returns :meth:`endpoints`. ``OSError`` (e.g. a port in use) leaves nothing running."""
        xero = ServedEmulator(self.xero.handle, host, xero_port)
        try:
            zoho = ServedEmulator(self.zoho.handle, host, zoho_port)
        except OSError:
            xero.close()
            raise
        self._served = [xero, zoho]
        return self.endpoints()

    def endpoints(self) -> dict[str, Any]:
        """The JSON the app's ``--endpoints FILE`` reads: where each API and the control API live (the keys of
        :data:`ENDPOINT_KEYS`; the emulators' ``urls()`` also give e.g. Zoho's ``revoke_url`` and ``dc``)."""
        if not self._served:
            raise RuntimeError("the sandbox is not being served")
        xero_url, zoho_url = (s.url for s in self._served)
        xero, zoho = self.xero.urls(xero_url), self.zoho.urls(zoho_url)
        return {
            "xero": {key: xero[key] for key in ENDPOINT_KEYS["xero"]},
            "zoho": {key: zoho[key] for key in ENDPOINT_KEYS["zoho"]},
            "admin": {"xero": f"{xero_url}/_sandbox/", "zoho": f"{zoho_url}/_sandbox/"},
        }

    def close(self) -> None:
        served, self._served = self._served, []
        # Each shutdown waits for its server's next poll (up to 0.5 s), so stop both at once.
        closers = [threading.Thread(target=s.close) for s in served]
        for thread in closers:
            thread.start()
        for thread in closers:
            thread.join()
        self.save()

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
