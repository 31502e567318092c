"""``main.py sandbox`` as a user runs it: a subprocess that prints one JSON line, serves both emulators on loopback,
stops on SIGINT with exit 0 and keeps its state in ``--state FILE`` across runs."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from app.integrations.endpoints import endpoints_from_json

ROOT = Path(__file__).resolve().parents[1]
READY_TIMEOUT = 30.0
EXPECTED_KEYS = {
    "xero": {"authorize_url", "token_url", "revocation_url", "connections_url", "api_base", "client_id",
             "redirect_uri"},
    "zoho": {"accounts_url", "authorize_url", "token_url", "api_domain", "client_id", "client_secret",
             "redirect_uri"},
    "admin": {"xero", "zoho"},
}
XERO_SCOPES = "openid offline_access accounting.contacts accounting.settings.read"

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="sends POSIX SIGINT to the sandbox process")


def _start(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "main.py", "sandbox", *args], cwd=ROOT, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _read_line(proc: subprocess.Popen[str], timeout: float = READY_TIMEOUT) -> str:
    """The first stdout line, waiting on the pipe in a thread (a dead process gives EOF, i.e. "")."""
    box: list[str] = []
    reader = threading.Thread(target=lambda: box.append(proc.stdout.readline()), daemon=True)  # type: ignore[union-attr]
    reader.start()
    reader.join(timeout)
    if reader.is_alive():
        proc.kill()
        pytest.fail(f"the sandbox printed nothing within {timeout} s")
    return box[0]


def _stop(proc: subprocess.Popen[str]) -> tuple[int, str, str]:
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=15)
    return proc.returncode, out, err


@contextlib.contextmanager
def sandbox(*args: str) -> Iterator[tuple[dict, subprocess.Popen[str]]]:
    """A running sandbox and its JSON line; killed if the test body fails before stopping it."""
    proc = _start("--xero-port", "0", "--zoho-port", "0", *args)
    try:
        line = _read_line(proc)
        if not line:
            pytest.fail(f"the sandbox exited with {proc.wait()}: {proc.stderr.read()}")  # type: ignore[union-attr]
        yield json.loads(line), proc
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


def _pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def _xero_consent(http: httpx.Client, xero: dict, redirect_uri: str) -> tuple[httpx.Response, str]:
    """Open the Xero authorize URL; returns the consent page and the PKCE verifier."""
    verifier, challenge = _pkce()
    page = http.get(xero["authorize_url"], params={
        "response_type": "code", "client_id": xero["client_id"], "redirect_uri": redirect_uri,
        "scope": XERO_SCOPES, "state": "st-1", "code_challenge": challenge, "code_challenge_method": "S256"})
    return page, verifier


def _xero_login(http: httpx.Client, xero: dict, redirect_uri: str | None = None) -> dict[str, str]:
    """The whole code flow over HTTP, clicking "Allow access" for the first organisation; API headers."""
    redirect_uri = redirect_uri or xero["redirect_uri"]
    page, verifier = _xero_consent(http, xero, redirect_uri)
    assert page.status_code == 200 and "Allow access" in page.text
    consent_id = re.search(r'name="consent_id" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    tenant = re.search(r'name="tenant" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(xero["authorize_url"]))
    back = http.post(f"{origin}/identity/connect/consent",
                     data={"consent_id": consent_id, "tenant": tenant, "action": "allow"})
    assert back.status_code == 302
    location = back.headers["location"]
    assert location.startswith(redirect_uri + "?")
    query = parse_qs(urlsplit(location).query)
    assert query["state"] == ["st-1"]
    token = http.post(xero["token_url"], data={
        "grant_type": "authorization_code", "client_id": xero["client_id"], "code": query["code"][0],
        "redirect_uri": redirect_uri, "code_verifier": verifier})
    assert token.status_code == 200, token.text
    auth = {"Authorization": f"Bearer {token.json()['access_token']}"}
    connections = http.get(xero["connections_url"], headers=auth).json()
    assert [c["tenantId"] for c in connections] == [tenant]
    return {**auth, "xero-tenant-id": tenant, "Accept": "application/json"}


def test_json_line_api_control_and_state_across_restarts(tmp_path):
    state = tmp_path / "sandbox.json"
    with sandbox("--seed", "demo", "--state", str(state)) as (ends, proc):
        assert {k: set(v) for k, v in ends.items()} == EXPECTED_KEYS
        assert endpoints_from_json(ends).is_sandbox  # the line is what --endpoints FILE reads
        served = [v for service in ("xero", "zoho") for k, v in ends[service].items() if k.endswith(("_url", "_base"))]
        for url in [*served, ends["zoho"]["api_domain"], *ends["admin"].values()]:
            assert urlsplit(url).hostname == "127.0.0.1"
        with httpx.Client(timeout=10) as http:
            summary = http.get(ends["admin"]["xero"] + "xero/summary").json()
            assert summary["tenants"][0]["name"] == "Bluegum Supply Co Pty Ltd"
            assert summary["tenants"][0]["contacts"]["total"] >= 30
            zoho_summary = http.get(ends["admin"]["zoho"] + "zoho/summary").json()
            assert zoho_summary["modules"]["Accounts"] >= 20

            page, _ = _xero_consent(http, ends["xero"], ends["xero"]["redirect_uri"])
            assert page.status_code == 200 and "Allow access" in page.text
            assert "text/html" in page.headers["content-type"]

            headers = _xero_login(http, ends["xero"])
            made = http.post(ends["admin"]["xero"] + "xero/contacts", json={"Name": "Restart Test Pty Ltd"})
            assert made.status_code == 200, made.text
            contact_id = made.json()["ContactID"]
            read = http.get(f"{ends['xero']['api_base']}/Contacts/{contact_id}", headers=headers)
            assert read.status_code == 200 and read.json()["Contacts"][0]["Name"] == "Restart Test Pty Ltd"
            requests = http.get(ends["admin"]["xero"] + "requests").json()
            assert requests["by_endpoint"]["GET /api.xro/2.0/Contacts/{id}"] == 1
        assert not state.exists()  # saved on exit, not before
        code, out, err = _stop(proc)
    assert code == 0, err
    assert out == "" and "Traceback" not in err
    assert state.exists()

    with sandbox("--seed", "demo", "--state", str(state)) as (ends, proc):
        with httpx.Client(timeout=10) as http:
            # The token issued in the first run was saved too, so the same tenant reads the edit back.
            read = http.get(f"{ends['xero']['api_base']}/Contacts/{contact_id}", headers=headers)
            assert read.status_code == 200, read.text
            assert read.json()["Contacts"][0]["Name"] == "Restart Test Pty Ltd"
        code, _, err = _stop(proc)
    assert code == 0, err


def test_large_seed_and_limits_off():
    with sandbox("--seed", "large:50", "--limits", "off") as (ends, proc):
        with httpx.Client(timeout=10) as http:
            tenant = http.get(ends["admin"]["xero"] + "xero/summary").json()["tenants"][0]
            assert tenant["contacts"]["total"] == 50 and tenant["invoices"]["total"] == 100
            headers = _xero_login(http, ends["xero"])
            statuses = {http.get(f"{ends['xero']['api_base']}/Items", headers=headers).status_code
                        for _ in range(65)}  # more than the 60 per minute the real limits allow
            assert statuses == {200}
        code, _, err = _stop(proc)
    assert code == 0, err


def test_custom_redirect_uri_and_starter_limits():
    custom = "http://localhost:5123/my/callback"
    with sandbox("--seed", "empty", "--limits", "starter", "--redirect-uri", custom) as (ends, proc):
        assert ends["xero"]["redirect_uri"] != custom  # the default stays the app's; the custom one is extra
        with httpx.Client(timeout=10) as http:
            headers = _xero_login(http, ends["xero"], redirect_uri=custom)
            items = http.get(f"{ends['xero']['api_base']}/Items", headers=headers)
            assert items.status_code == 200
            assert items.headers["X-DayLimit-Remaining"] == "999"  # Starter tier: 1,000 a day

            # A switch changed at run time through the control API (the README documents this).
            xml_default = {k: v for k, v in headers.items() if k != "Accept"}
            assert http.get(f"{ends['xero']['api_base']}/Items", headers=xml_default).status_code == 406
            switched = http.post(ends["admin"]["xero"] + "xero/switches", json={"require_accept_json": False})
            assert switched.json()["require_accept_json"] is False
            assert http.get(f"{ends['xero']['api_base']}/Items", headers=xml_default).status_code == 200

            unregistered, _ = _xero_consent(http, ends["xero"], "http://localhost:5124/other")
            assert unregistered.status_code == 400 and "redirect_uri" in unregistered.text

            zoho = ends["zoho"]
            _, challenge = _pkce()
            page = http.get(zoho["authorize_url"], params={
                "response_type": "code", "client_id": zoho["client_id"], "redirect_uri": custom,
                "scope": "ZohoCRM.modules.ALL", "access_type": "offline", "state": "z-1",
                "code_challenge": challenge, "code_challenge_method": "S256"})
            assert page.status_code == 200 and "Accept" in page.text
        code, _, err = _stop(proc)
    assert code == 0, err


def test_unknown_seed_exits_2_with_a_message():
    proc = _start("--seed", "huge")
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 2
    assert out == ""
    assert "unknown seed 'huge'" in err and "large:N" in err and "Traceback" not in err


def test_busy_port_exits_1_with_a_message():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        proc = _start("--seed", "empty", "--xero-port", "0", "--zoho-port", str(port))
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 1
    assert out == ""
    assert f"Zoho port {port}" in err and "--zoho-port" in err and "Traceback" not in err


def test_unreadable_state_exits_1_with_a_message(tmp_path):
    state = tmp_path / "state.json"
    state.write_text("{not json", encoding="utf-8")
    proc = _start("--seed", "empty", "--state", str(state))
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 1 and out == ""
    assert "is not a saved sandbox state" in err and "Traceback" not in err
