"""Where refresh tokens live: the system keyring, or (when there is none) a 0600 JSON file in the data dir.

Keys look like ``xero:default:refresh_token``. No method ever logs a value. Touching the keyring can block while
the OS asks the user to unlock it, so use these stores (and :func:`choose_store`) from a worker thread.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import secrets
import threading
from importlib import metadata
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import keyring
import keyring.backends.fail
import keyring.backends.null
from keyring.backend import KeyringBackend
from keyring.backends.chainer import ChainerBackend
from keyring.errors import KeyringError, PasswordDeleteError

from app.auth.errors import SecretStoreError

log = logging.getLogger(__name__)

DEFAULT_SERVICE = "Ledgerbridge"
FALLBACK_FILENAME = "secrets-fallback.json"  # same name as app.paths.AppPaths.secrets_fallback
_FILE_VERSION = 1

# Friendly names for the UI, by backend class (module.qualname).
_BACKEND_NAMES = {
    "keyring.backends.Windows.WinVaultKeyring": "Windows Credential Manager",
    "keyring.backends.macOS.Keyring": "macOS Keychain",
    "keyring.backends.SecretService.Keyring": "Secret Service (GNOME Keyring / KWallet)",
    "keyring.backends.libsecret.Keyring": "Secret Service (libsecret)",
    "keyring.backends.kwallet.DBusKeyring": "KDE Wallet",
    "keyring.backends.kwallet.DBusKeyringKWallet4": "KDE Wallet",
}


@runtime_checkable
class SecretStore(Protocol):
    """A small key/value store for secrets. Implementations are thread-safe."""

    @property
    def is_secure(self) -> bool:
        """False when secrets sit in a plain file; the UI then shows a permanent warning."""
        ...

    @property
    def description(self) -> str:
        """Where secrets are kept, for the UI (e.g. "Windows Credential Manager")."""
        ...

    def get(self, key: str) -> str | None: ...

    def set(self, key: str, value: str) -> None: ...

    def delete(self, key: str) -> None:
        """Remove ``key``; no error if it is absent."""
        ...


class KeyringStore:
    """Secrets in the OS keyring via ``keyring``. Lazy: the backend is resolved on first use, not at construction."""

    def __init__(self, service: str = DEFAULT_SERVICE, backend: KeyringBackend | None = None) -> None:
        self._service = service
        self._backend = backend
        self._lock = threading.RLock()

    @property
    def backend(self) -> KeyringBackend:
        with self._lock:
            if self._backend is None:
                self._backend = keyring.get_keyring()
            return self._backend

    @property
    def is_secure(self) -> bool:
        # keyrings.alt's PlaintextKeyring is a keyring backend, but not a safe place.
        return type(self.backend).__name__ != "PlaintextKeyring"

    @property
    def description(self) -> str:
        return backend_description(self.backend)

    def get(self, key: str) -> str | None:
        with self._lock:
            try:
                return self.backend.get_password(self._service, key)
            except KeyringError as exc:
                raise self._error("read", exc) from exc

    def set(self, key: str, value: str) -> None:
        _check_value(value)
        with self._lock:
            try:
                self.backend.set_password(self._service, key, value)
            except KeyringError as exc:
                raise self._error("save", exc) from exc

    def delete(self, key: str) -> None:
        with self._lock:
            try:
                self.backend.delete_password(self._service, key)
            except PasswordDeleteError:
                pass  # already absent
            except KeyringError as exc:
                raise self._error("remove", exc) from exc

    def _error(self, verb: str, exc: KeyringError) -> SecretStoreError:
        return SecretStoreError(
            f"Ledgerbridge couldn't {verb} the saved sign-in in {self.description}. "
            "If your keyring is locked, unlock it and try again.",
            technical=f"{type(exc).__name__} from keyring backend {type(self.backend).__qualname__}",
        )


class FileFallbackStore:
    """Secrets in a JSON file readable only by this user (mode 0600). Not encrypted: ``is_secure`` is False.

    Writes are atomic (temp file in the same directory, fsync, ``os.replace``), so a crash never leaves a
    half-written file. On Windows the mode bits mean little; the file is protected by the profile's ACL.
    """

    is_secure = False
    description = "Stored in a file on this PC (no system keyring)"

    def __init__(self, path: Path) -> None:
        self._path = Path(path)
        self._lock = threading.RLock()
        self.reason: str | None = None  # why no keyring is used, when :func:`choose_store` fell back

    @property
    def path(self) -> Path:
        return self._path

    def get(self, key: str) -> str | None:
        with self._lock:
            return self._read().get(key)

    def set(self, key: str, value: str) -> None:
        _check_value(value)
        with self._lock:
            data = self._read()
            data[key] = value
            self._write(data)

    def delete(self, key: str) -> None:
        with self._lock:
            data = self._read()
            if data.pop(key, None) is not None:
                self._write(data)

    def _read(self) -> dict[str, str]:
        try:
            raw = self._path.read_bytes()
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise SecretStoreError(
                f"Ledgerbridge couldn't read its saved sign-in file {self._path}.",
                technical=f"{type(exc).__name__} errno={exc.errno} {exc.strerror or ''}",
            ) from exc
        try:
            doc = json.loads(raw)
            entries = doc["secrets"]
            if not isinstance(entries, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in entries.items()
            ):
                raise ValueError("bad secrets mapping")
        except (ValueError, KeyError, TypeError):
            # Unreadable anyway; treating it as empty means "sign in again" rather than a dead end.
            log.warning("The saved-credentials file %s is damaged; ignoring it", self._path)
            return {}
        return dict(entries)

    def _write(self, data: dict[str, str]) -> None:
        directory = self._path.parent
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        payload = json.dumps({"version": _FILE_VERSION, "secrets": data}, indent=2, sort_keys=True).encode()
        tmp = directory / f".{self._path.name}.{secrets.token_hex(8)}.tmp"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
            try:
                view = memoryview(payload)
                while view:
                    view = view[os.write(fd, view) :]
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(tmp, self._path)
        except OSError as exc:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise SecretStoreError(
                f"Ledgerbridge couldn't save the sign-in to {self._path}. Check there is free disk space.",
                title="Couldn't save sign-in",
                technical=f"{type(exc).__name__} errno={exc.errno} {exc.strerror or ''}",
            ) from exc
        _fsync_dir(directory)


class MemoryStore:
    """In-process store for tests and demo mode."""

    def __init__(self, *, is_secure: bool = True, description: str = "In memory (not saved)") -> None:
        self._data: dict[str, str] = {}
        self._lock = threading.Lock()
        self.is_secure = is_secure
        self.description = description

    def get(self, key: str) -> str | None:
        with self._lock:
            return self._data.get(key)

    def set(self, key: str, value: str) -> None:
        _check_value(value)
        with self._lock:
            self._data[key] = value

    def delete(self, key: str) -> None:
        with self._lock:
            self._data.pop(key, None)


def backend_description(backend: KeyringBackend) -> str:
    cls = type(backend)
    name = _BACKEND_NAMES.get(f"{cls.__module__}.{cls.__qualname__}")
    return name or f"System keyring ({backend.name})"


def is_unusable_backend(backend: KeyringBackend) -> bool:
    """True for keyring's "no keyring available" stand-ins (fail/null, or a chainer with nothing to chain)."""
    if isinstance(backend, keyring.backends.fail.Keyring | keyring.backends.null.Keyring):
        return True
    return isinstance(backend, ChainerBackend) and not backend.backends


def choose_store(data_dir: Path, service: str = DEFAULT_SERVICE) -> SecretStore:
    """The keyring if it works, else a :class:`FileFallbackStore` at ``data_dir/secrets-fallback.json`` (logged as WARNING).

    A set/get/delete probe catches backends that load but fail (locked, no D-Bus session, ...). Call from a
    worker thread: the probe can block while the OS prompts to unlock the keyring.
    """
    fallback = FileFallbackStore(Path(data_dir) / FALLBACK_FILENAME)
    try:
        backend = keyring.get_keyring()
    except Exception as exc:  # keyring's own detection failing must not stop the app
        return _fall_back(fallback, f"keyring could not load a backend ({type(exc).__name__})")
    name = f"{type(backend).__module__}.{type(backend).__qualname__}"
    if is_unusable_backend(backend):
        return _fall_back(fallback, f"no system keyring is available (backend {name})")
    store = KeyringStore(service, backend)
    probe_key = f"ledgerbridge:probe:{secrets.token_hex(4)}"
    probe_value = secrets.token_urlsafe(16)
    try:
        backend.set_password(service, probe_key, probe_value)
        read_back = backend.get_password(service, probe_key)
        backend.delete_password(service, probe_key)
    except Exception as exc:  # any backend failure means "don't trust it"
        return _fall_back(fallback, f"the system keyring {name} failed a test write ({type(exc).__name__})")
    if read_back != probe_value:
        return _fall_back(fallback, f"the system keyring {name} did not keep a test value")
    log.info("Credentials are stored in %s (keyring backend %s)", store.description, name)
    return store


def _fall_back(store: FileFallbackStore, reason: str) -> FileFallbackStore:
    log.warning("Storing credentials in a file (%s) because %s", store.path, reason)
    store.reason = reason
    return store


def keyring_plugins() -> list[str]:
    """The keyring backends keyring can find (through its package's entry points), usable here or not. A frozen
    app that lost keyring's package metadata finds none, and then always falls back to the file."""
    return sorted(ep.name for ep in metadata.entry_points(group="keyring.backends"))


def store_report(store: SecretStore) -> dict[str, Any]:
    """Where sign-ins are kept, for ``status``: the keyring backend in use, or the fallback file and why."""
    report: dict[str, Any] = {"where": store.description, "secure": store.is_secure}
    if isinstance(store, KeyringStore):
        cls = type(store.backend)
        report["backend"] = f"{cls.__module__}.{cls.__qualname__}"
    elif isinstance(store, FileFallbackStore):
        report |= {"file": str(store.path), "fallback_reason": store.reason}
    report["keyring_plugins"] = keyring_plugins()
    return report


def _check_value(value: str) -> None:
    if not isinstance(value, str):
        raise TypeError("secret values must be str")


def _fsync_dir(directory: Path) -> None:
    """Make the rename durable (POSIX); Windows can't open directories, and NTFS journals the rename anyway."""
    if os.name == "nt":
        return
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
