"""``status`` names where the sign-ins are kept: the keyring backend in use, or the private file, why, and which
keyring backends were found (a frozen build that lost keyring's entry points finds none, and says so)."""

from __future__ import annotations

import json

import keyring
import keyring.backends.fail

from app.auth import secrets
from main import main


def status(capsys, data_dir, *extra: str) -> str:
    assert main(["--data-dir", str(data_dir), "--demo", "status", "--offline", *extra]) == 0
    return capsys.readouterr().out


def test_status_names_the_keyring_backend_in_use(capsys, data_dir):
    out = status(capsys, data_dir)
    assert "Sign-ins kept in: " in out and "(keyring backend tests.memory_keyring.MemoryKeyring)" in out, out
    report = json.loads(status(capsys, data_dir, "--json"))["secret_store"]
    assert report["secure"] is True and report["backend"] == "tests.memory_keyring.MemoryKeyring"
    assert {"SecretService", "Windows", "macOS"} <= set(report["keyring_plugins"])


def test_status_says_so_when_it_falls_back_to_the_file(capsys, data_dir, monkeypatch):
    monkeypatch.setattr(keyring, "get_keyring", lambda: keyring.backends.fail.Keyring())
    out = status(capsys, data_dir)
    line = next(ln for ln in out.splitlines() if ln.startswith("Sign-ins kept in:"))
    assert "a private file on this PC" in line and "secrets-fallback.json" in line, line
    assert "because no system keyring is available (backend keyring.backends.fail.Keyring)" in line, line
    assert "Keyring backends found: KWallet, SecretService, Windows" in line, line
    report = json.loads(status(capsys, data_dir, "--json"))
    assert report["secret_store"]["secure"] is False and report["secret_store"]["fallback_reason"]
    assert report["xero"]["secure_storage"] is False


def test_a_build_without_keyring_s_backend_list_shows_it(capsys, data_dir, monkeypatch):
    monkeypatch.setattr(keyring, "get_keyring", lambda: keyring.backends.fail.Keyring())
    monkeypatch.setattr(secrets.metadata, "entry_points", lambda group: [])
    out = status(capsys, data_dir)
    assert "Keyring backends found: none (this build is missing keyring's list of backends)" in out, out
