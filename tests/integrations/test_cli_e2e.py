"""End to end against the served sandbox: ``main.py connect xero|zoho`` in a subprocess, the test acting as the
person at the browser over real loopback HTTP, then ``status --json``.

The sandbox registers ``http://localhost:8765/callback`` (Xero) and ``http://127.0.0.1:8766/callback`` (Zoho) by
default and its endpoints JSON names those; ``ConnectionService`` binds the listener to the port of
``endpoints.<side>.redirect_uri``. So the test registers redirect URIs on free ports with the sandbox and writes
them into the endpoints file it hands to the app.

Secrets: the tests' memory keyring lives in one process only, so the subprocesses run with keyring's ``fail``
backend; ``choose_store`` then falls back to the 0600 file in the data dir, which a later ``status`` process reads
back, and every command reports ``secure_storage: false``.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import stat
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest

from app.emulators.sandbox import Sandbox
from tests.browser import Browser
from tests.world import free_port

ROOT = Path(__file__).resolve().parents[2]
PYTHON = ["uv", "run", "--no-sync", "python"] if shutil.which("uv") else [sys.executable]


class App:
    """``main.py`` as a subprocess whose stdout lines arrive on a queue (so a test never blocks forever)."""

    def __init__(self, data_dir: Path, endpoints: Path, *args: str) -> None:
        env = dict(os.environ, PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring", PYTHONUNBUFFERED="1")
        self.proc = subprocess.Popen(
            [*PYTHON, "main.py", "--data-dir", str(data_dir), "--endpoints", str(endpoints), *args],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.stdout: list[str] = []
        self.stderr: list[str] = []
        self._pumps = [threading.Thread(target=self._pump, args=(self.proc.stdout, self.stdout, True), daemon=True),
                       threading.Thread(target=self._pump, args=(self.proc.stderr, self.stderr, False), daemon=True)]
        for pump in self._pumps:
            pump.start()

    def _pump(self, stream, into: list[str], signal: bool) -> None:
        for line in stream:
            into.append(line)
            if signal:
                self.lines.put(line)
        if signal:
            self.lines.put(None)

    def next_line(self, timeout: float = 30) -> str:
        line = self.lines.get(timeout=timeout)
        assert line is not None, f"exited early: {self.finish()}"
        return line.strip()

    def finish(self, timeout: float = 40) -> tuple[int, str, str]:
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for pump in self._pumps:
            pump.join(timeout=10)
        return self.proc.returncode, "".join(self.stdout), "".join(self.stderr)


@pytest.fixture
def sandbox(tmp_path):
    xero_redirect = f"http://localhost:{free_port()}/callback"
    zoho_redirect = f"http://127.0.0.1:{free_port()}/callback"
    box = Sandbox(seed="demo", redirect_uris=[xero_redirect, zoho_redirect])
    endpoints = box.serve(host="127.0.0.1")
    endpoints["xero"]["redirect_uri"] = xero_redirect
    endpoints["zoho"]["redirect_uri"] = zoho_redirect
    path = tmp_path / "endpoints.json"
    path.write_text(json.dumps(endpoints) + "\n", encoding="utf-8")
    yield box, path
    box.close()


def sign_in(data_dir: Path, endpoints: Path, provider: str, codes: list[str]) -> str:
    app = App(data_dir, endpoints, "connect", provider, "--no-browser", "--timeout", "30")
    url = app.next_line()
    assert url.startswith("http://127.0.0.1:") and "code_challenge_method=S256" in url, url
    with httpx.Client(timeout=10) as http:  # the person at the browser
        browser = Browser(http)
        browser(url)
        assert browser.done.wait(30)
    assert not browser.errors, browser.errors
    assert browser.landing is not None and browser.landing.status_code == 200  # the friendly success page
    codes.append(browser.landing.request.url.params["code"])
    code, out, err = app.finish()
    assert code == 0, (out, err)
    return out


def test_connect_both_through_the_served_sandbox_then_status(sandbox, data_dir):
    box, endpoints = sandbox
    codes: list[str] = []
    out = sign_in(data_dir, endpoints, "xero", codes)
    assert "Xero: connected to Bluegum Supply Co Pty Ltd" in out
    tenant = next(iter(box.xero.orgs))
    assert f"organisation id {tenant}" in out and "no system keyring" in out
    assert "tenant" not in out  # Xero's API word, not theirs

    out = sign_in(data_dir, endpoints, "zoho", codes)
    assert "Zoho CRM: connected to" in out and "data centre US" in out

    fallback = data_dir / "secrets-fallback.json"
    assert fallback.exists() and stat.S_IMODE(fallback.stat().st_mode) == 0o600

    status = App(data_dir, endpoints, "status", "--json")
    code, out, err = status.finish()
    assert code == 0, (out, err)
    report = json.loads(out)
    for side in ("xero", "zoho"):
        assert report[side]["connected"] is True, report[side]
        assert report[side]["secure_storage"] is False
        assert report[side]["budget"] is not None  # the live check made a call
    assert report["xero"]["organisation"] == "Bluegum Supply Co Pty Ltd" and report["zoho"]["dc"] == "us"

    # outside the declared fallback store, no credential was written (the sandbox knows every token it issued)
    secrets = set(codes) | set(box.xero.identity.state.refresh) | set(box.zoho.state.refresh_tokens) | set(
        box.zoho.state.access_tokens) | {box.zoho.client_secret}
    kept = json.loads(fallback.read_text())["secrets"]
    assert kept["xero:default:refresh_token"] in secrets and kept["zoho:default:refresh_token"] in secrets
    files = [p for p in data_dir.rglob("*") if p.is_file() and p != fallback]
    assert any(p.suffix == ".log" for p in files) and any(p.name == "ledgerbridge.db" for p in files)
    leaks = [p.name for p in files for value in secrets if value.encode() in p.read_bytes()]
    assert leaks == []
