"""Secret stores: keyring, 0600 file fallback, memory, and choosing between them."""

from __future__ import annotations

import json
import logging
import os
import stat
import threading
from pathlib import Path

import keyring
import keyring.backends.fail
import keyring.backends.null
import pytest
from keyring.backend import KeyringBackend
from keyring.errors import KeyringLocked

from app.auth.errors import SecretStoreError
from app.auth.secrets import (
    FALLBACK_FILENAME,
    FileFallbackStore,
    KeyringStore,
    MemoryStore,
    SecretStore,
    choose_store,
)
from tests.memory_keyring import MemoryKeyring

KEY = "xero:default:refresh_token"
SECRET = "refresh-3f1a9b7c-very-secret"
posix_only = pytest.mark.skipif(os.name == "nt", reason="POSIX permission bits")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# -- FileFallbackStore ---------------------------------------------------------------------------------------


def test_file_store_round_trip_and_persistence(data_dir: Path) -> None:
    path = data_dir / "nested" / FALLBACK_FILENAME
    store = FileFallbackStore(path)
    assert store.get(KEY) is None
    store.set(KEY, SECRET)
    store.set("zoho:default:refresh_token", "other")
    assert FileFallbackStore(path).get(KEY) == SECRET  # a fresh instance reads the file
    store.delete(KEY)
    store.delete(KEY)  # absent: no error
    assert store.get(KEY) is None
    assert store.get("zoho:default:refresh_token") == "other"
    assert store.is_secure is False
    assert store.description == "Stored in a file on this PC (no system keyring)"


@posix_only
def test_file_store_creates_file_0600_and_dir_0700(data_dir: Path) -> None:
    path = data_dir / "fresh" / FALLBACK_FILENAME
    FileFallbackStore(path).set(KEY, SECRET)
    assert _mode(path) == 0o600
    assert _mode(path.parent) == 0o700


@posix_only
def test_file_store_tightens_a_loose_existing_file(data_dir: Path) -> None:
    path = data_dir / FALLBACK_FILENAME
    path.write_text(json.dumps({"version": 1, "secrets": {"a": "b"}}))
    path.chmod(0o644)
    store = FileFallbackStore(path)
    store.set(KEY, SECRET)
    assert _mode(path) == 0o600
    assert store.get("a") == "b"


def test_file_store_writes_atomically_via_temp_file(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = data_dir / FALLBACK_FILENAME
    store = FileFallbackStore(path)
    store.set(KEY, "old")
    calls: list[tuple[str, str]] = []
    fsynced: list[int] = []
    real_replace, real_fsync = os.replace, os.fsync

    def spy_replace(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        calls.append((str(src), str(dst)))
        assert fsynced, "temp file must be fsynced before it replaces the old one"
        if not os.name == "nt":
            assert _mode(Path(src)) == 0o600
        real_replace(src, dst)

    def spy_fsync(fd: int) -> None:
        fsynced.append(fd)
        real_fsync(fd)

    monkeypatch.setattr(os, "replace", spy_replace)
    monkeypatch.setattr(os, "fsync", spy_fsync)
    store.set(KEY, "new")
    assert len(calls) == 1
    src, dst = calls[0]
    assert Path(src).parent == path.parent and Path(src) != path and dst == str(path)
    assert store.get(KEY) == "new"


def test_failed_write_keeps_old_file_and_leaves_no_temp(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = data_dir / FALLBACK_FILENAME
    store = FileFallbackStore(path)
    store.set(KEY, "old")
    before = path.read_bytes()

    def broken_replace(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(SecretStoreError) as info:
        store.set(KEY, "new")
    assert "new" not in info.value.message
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert sorted(p.name for p in data_dir.iterdir()) == [FALLBACK_FILENAME]
    assert store.get(KEY) == "old"


def test_damaged_file_reads_as_empty_and_is_replaced_on_write(
    data_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = data_dir / FALLBACK_FILENAME
    path.write_text("{not json")
    store = FileFallbackStore(path)
    assert store.get(KEY) is None
    assert "damaged" in caplog.text
    store.set(KEY, SECRET)
    assert json.loads(path.read_text()) == {"version": 1, "secrets": {KEY: SECRET}}


def test_file_store_is_safe_across_threads(data_dir: Path) -> None:
    store = FileFallbackStore(data_dir / FALLBACK_FILENAME)
    barrier = threading.Barrier(8)

    def writer(n: int) -> None:
        barrier.wait()
        for i in range(10):
            store.set(f"k{n}-{i}", f"v{n}-{i}")

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    fresh = FileFallbackStore(data_dir / FALLBACK_FILENAME)
    assert all(fresh.get(f"k{n}-{i}") == f"v{n}-{i}" for n in range(8) for i in range(10))


# -- KeyringStore / MemoryStore ------------------------------------------------------------------------------


def test_keyring_store_uses_service_and_key() -> None:
    store = KeyringStore()
    store.set(KEY, SECRET)
    assert MemoryKeyring._store[("Ledgerbridge", KEY)] == SECRET
    assert store.get(KEY) == SECRET
    store.delete(KEY)
    store.delete(KEY)  # absent: no error
    assert store.get(KEY) is None
    assert store.is_secure is True
    assert store.description.startswith("System keyring")


def test_keyring_store_is_lazy(monkeypatch: pytest.MonkeyPatch) -> None:
    touched: list[bool] = []

    def tracking_get_keyring() -> KeyringBackend:
        touched.append(True)
        return MemoryKeyring()

    monkeypatch.setattr(keyring, "get_keyring", tracking_get_keyring)
    store = KeyringStore()
    assert touched == []
    store.get(KEY)
    store.get(KEY)
    assert touched == [True]


def test_keyring_errors_become_secret_store_errors() -> None:
    class LockedKeyring(MemoryKeyring):
        def get_password(self, service: str, username: str) -> str | None:
            raise KeyringLocked("locked")

    store = KeyringStore(backend=LockedKeyring())
    with pytest.raises(SecretStoreError) as info:
        store.get(KEY)
    assert "unlock" in info.value.message


def test_memory_store() -> None:
    store = MemoryStore()
    store.set(KEY, SECRET)
    assert store.get(KEY) == SECRET
    store.delete(KEY)
    store.delete(KEY)
    assert store.get(KEY) is None
    assert MemoryStore(is_secure=False).is_secure is False


@pytest.mark.parametrize("factory", [MemoryStore, KeyringStore, lambda: FileFallbackStore(Path("x.json"))])
def test_all_stores_satisfy_the_protocol(factory: object) -> None:
    assert callable(factory)
    assert isinstance(factory(), SecretStore)


# -- choose_store --------------------------------------------------------------------------------------------


def test_choose_store_prefers_a_working_keyring(data_dir: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    store = choose_store(data_dir)
    assert isinstance(store, KeyringStore)
    assert store.is_secure
    assert MemoryKeyring._store == {}  # the probe cleaned up after itself
    assert not (data_dir / FALLBACK_FILENAME).exists()
    assert "tests.memory_keyring.MemoryKeyring" in caplog.text


@pytest.mark.parametrize("backend", [keyring.backends.fail.Keyring, keyring.backends.null.Keyring])
def test_choose_store_falls_back_without_a_keyring(
    backend: type[KeyringBackend], data_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    keyring.set_keyring(backend())
    store = choose_store(data_dir)
    assert isinstance(store, FileFallbackStore)
    assert store.path == data_dir / FALLBACK_FILENAME
    assert store.is_secure is False
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "no system keyring" in warnings[0].getMessage()


def test_choose_store_falls_back_when_keyring_writes_fail(
    data_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    class BrokenKeyring(MemoryKeyring):
        def set_password(self, service: str, username: str, password: str) -> None:
            raise KeyringLocked("Cannot create an item in a locked collection")

    keyring.set_keyring(BrokenKeyring())
    assert isinstance(choose_store(data_dir), FileFallbackStore)
    assert "KeyringLocked" in caplog.text


def test_choose_store_falls_back_when_keyring_forgets(data_dir: Path) -> None:
    class ForgetfulKeyring(MemoryKeyring):
        def set_password(self, service: str, username: str, password: str) -> None:
            pass

    keyring.set_keyring(ForgetfulKeyring())
    assert isinstance(choose_store(data_dir), FileFallbackStore)


def test_probe_value_and_secrets_never_logged(data_dir: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    seen: list[str] = []

    class RecordingKeyring(MemoryKeyring):
        def set_password(self, service: str, username: str, password: str) -> None:
            seen.append(password)
            super().set_password(service, username, password)

    keyring.set_keyring(RecordingKeyring())
    store = choose_store(data_dir)
    store.set(KEY, SECRET)
    file_store = FileFallbackStore(data_dir / FALLBACK_FILENAME)
    file_store.set(KEY, SECRET)
    (data_dir / FALLBACK_FILENAME).write_text("{broken " + SECRET)
    file_store.get(KEY)
    assert seen and SECRET in seen
    for value in seen:
        assert value not in caplog.text
