"""Test-wide settings: offscreen Qt, an in-memory keyring, and a temporary data dir. No test touches the real home."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["PYTHON_KEYRING_BACKEND"] = "tests.memory_keyring.MemoryKeyring"

import pytest  # noqa: E402

pytest_plugins = ["tests.timeout_guard"]  # a test that times out fails alone instead of ending the run


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path, monkeypatch):
    """Every test gets its own data dir and HOME, so nothing lands in the user's profile."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / ".local" / "state"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setenv("LEDGERBRIDGE_DATA_DIR", str(tmp_path / "data"))
    from tests.memory_keyring import MemoryKeyring

    MemoryKeyring._store.clear()  # the in-memory keyring starts empty for every test
    yield


@pytest.fixture
def data_dir(tmp_path):
    path = tmp_path / "data"
    path.mkdir(exist_ok=True)
    return path


@pytest.fixture
def world(data_dir):
    """Both emulators in-process on a virtual clock (the demo seed), signed in on both sides."""
    from tests.world import make_world

    w = make_world(data_dir)
    w.connect_both()
    yield w
    w.close()


@pytest.fixture
def synced(world):
    """The demo seed after one full sync."""
    report = world.sync_service().sync()
    assert report.outcome == "ok", report.message
    world.clock.advance(60)  # people edit records a while after a sync, not in the same second
    return world
