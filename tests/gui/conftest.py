"""Worlds for the desktop app's tests: both emulators in-process on a virtual clock, signed in on both sides, and
a SyncController whose worker thread is always stopped at the end of the test."""

from __future__ import annotations

import threading

import httpx
import pytest

WAIT_MS = 60_000  # generous: the suite must pass on a machine a third as fast


@pytest.fixture
def make_controller(qtbot):
    """Build controllers over a world; each is stopped (its thread ended) after the test."""
    from app.gui.controller import SyncController

    made = []

    def build(world, tick_ms: int = 10, **kwargs) -> SyncController:
        controller = SyncController(world.ctx, make_service=world.sync_service, tick_ms=tick_ms, **kwargs)
        made.append(controller)
        return controller

    yield build
    for controller in made:
        with qtbot.waitSignal(controller.stopped, timeout=WAIT_MS):
            controller.stop()


class Gate:
    """Holds the first matching request to an emulator until released: a run caught in the middle of a read."""

    def __init__(self, emulator, method: str, path_part: str) -> None:
        self.entered = threading.Event()
        self.release = threading.Event()
        self._handle = emulator.handle
        self._method, self._part = method, path_part
        emulator.handle = self

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if not self.entered.is_set() and request.method == self._method and self._part in request.url.path:
            self.entered.set()
            self.release.wait(WAIT_MS / 1000)
        return self._handle(request)


@pytest.fixture
def gate_xero_contacts(synced):
    """Hold the next read of Xero contacts until ``gate.release`` is set (always released at the end)."""
    gate = Gate(synced.xero, "GET", "/Contacts")
    yield gate
    gate.release.set()
