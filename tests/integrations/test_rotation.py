"""Xero refresh-token rotation with a crash between the refresh and the save: the next start recovers with the old
token inside Xero's 30-minute grace window, and only needs a new sign-in after it."""

from __future__ import annotations

import threading

import pytest

from app.errors import AuthRequired
from app.services.connections import ConnectionService
from tests.integrations.support import XERO_API, CrashOnceStore

KEY = "xero:default:refresh_token"


def crash_during_refresh(world, traffic, store: CrashOnceStore) -> str:
    """Connect, then die while saving the rotated refresh token. Returns the (old) token still in the store."""
    world.connect_xero()
    client = world.connections.xero_client()
    client.organisation()
    old = store.get(KEY)
    world.control("xero", "POST", "expire-tokens")
    store.armed = True
    mark = traffic.mark()
    with pytest.raises(CrashOnceStore.Crash):
        client.organisation()
    assert store.crashed_on == KEY and store.get(KEY) == old
    # the refresh happened at Xero (old token superseded)...
    assert [e.status for e in traffic.since(mark, "/connect/token")] == [200]
    # ...but the new access token was never used: the only API call is the one that got the 401
    assert [e.status for e in traffic.since(mark) if XERO_API(e.request)] == [401]
    return old


def test_restart_inside_the_grace_window_recovers_with_the_old_token(build):
    store = CrashOnceStore()
    world, traffic = build(secrets=store)
    old = crash_during_refresh(world, traffic, store)

    world.clock.advance(20 * 60)  # the app is restarted 20 minutes later
    restarted = ConnectionService(world.ctx)
    assert restarted.xero_client().organisation().name == "Bluegum Supply Co Pty Ltd"
    rotated = store.get(KEY)
    assert rotated and rotated != old  # Xero answered with the successor, and it was saved

    # the successor is a working refresh token from now on
    world.clock.advance(40 * 60)
    world.control("xero", "POST", "expire-tokens")
    assert restarted.xero_client().organisation().name
    assert restarted.tokens("xero").refreshes == 2
    assert store.get(KEY) not in (old, rotated)


def test_restart_after_the_grace_window_needs_a_new_sign_in(build):
    store = CrashOnceStore()
    world, traffic = build(secrets=store)
    old = crash_during_refresh(world, traffic, store)

    world.clock.advance(31 * 60)
    restarted = ConnectionService(world.ctx)
    with pytest.raises(AuthRequired) as caught:
        restarted.xero_client().organisation()
    assert caught.value.provider == "xero" and "reconnect" in caught.value.message.lower()
    assert store.get(KEY) == old  # nothing half-written; the user signs in again


def test_concurrent_callers_share_one_refresh(connected):
    """Single-flight refresh: threads hitting an expired token refresh once, and no one loses the rotation."""
    world, traffic = connected
    client = world.connections.xero_client()
    client.organisation()
    world.clock.advance(29 * 60)  # inside the early-refresh margin: every caller wants a new token
    mark = traffic.mark()
    errors: list[BaseException] = []

    def call() -> None:
        try:
            client.organisation()
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=call) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)
    assert not errors
    assert len(traffic.since(mark, "/connect/token")) == 1
    assert world.connections.tokens("xero").refreshes == 1
