"""Fixtures for the Zoho emulator tests: a virtual clock, the demo org in-process, and small HTTP helpers."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from typing import Any

import httpx
import pytest

from app.emulators.clock import VirtualClock
from app.emulators.zoho import ZohoEmulator

REDIRECT = "http://127.0.0.1:8766/callback"


class Api:
    """A plain CRM client: one access token, ``Zoho-oauthtoken`` header, paths relative to ``/crm/v8``."""

    def __init__(self, http: httpx.Client, emu: ZohoEmulator, scopes: list[str] | None = None) -> None:
        self.http = http
        self.emu = emu
        self.tokens = emu.issue_tokens(scopes)
        self.base = self.tokens["api_domain"] + "/crm/v8"

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Zoho-oauthtoken {self.tokens['access_token']}"}

    def request(self, method: str, path: str, headers: dict[str, str] | None = None, **kw: Any) -> httpx.Response:
        return self.http.request(method, self.base + path, headers={**self.auth, **(headers or {})}, **kw)

    def get(self, path: str, **kw: Any) -> httpx.Response:
        return self.request("GET", path, **kw)

    def post(self, path: str, **kw: Any) -> httpx.Response:
        return self.request("POST", path, **kw)

    def put(self, path: str, **kw: Any) -> httpx.Response:
        return self.request("PUT", path, **kw)

    def delete(self, path: str, **kw: Any) -> httpx.Response:
        return self.request("DELETE", path, **kw)


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock()


@pytest.fixture
def emu(clock: VirtualClock) -> ZohoEmulator:
    return ZohoEmulator(clock=clock)


@pytest.fixture
def http(emu: ZohoEmulator):
    with httpx.Client(transport=emu.as_transport()) as client:
        yield client


@pytest.fixture
def api(http: httpx.Client, emu: ZohoEmulator) -> Api:
    return Api(http, emu)


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    return verifier, challenge


def submit_consent(http: httpx.Client, page: httpx.Response, decision: str = "accept") -> httpx.URL:
    """Press Accept/Reject on the consent page like a browser; returns the redirect target."""
    assert page.status_code == 200, page.text
    action = re.search(r"<form[^>]*action='([^']+)'", page.text).group(1)
    hidden = dict(re.findall(r"<input type='hidden' name='([^']+)' value='([^']*)'>", page.text))
    response = http.post(page.url.join(action), data={**hidden, "decision": decision})
    assert response.status_code == 302, response.text
    return httpx.URL(response.headers["Location"])


def authorize(http: httpx.Client, authorize_url: str, *, scope: str = "ZohoCRM.modules.ALL,ZohoCRM.settings.ALL,ZohoCRM.org.READ",
              decision: str = "accept", **extra: str) -> httpx.URL:
    params = {"response_type": "code", "client_id": "1000.LEDGERBRIDGESANDBOX", "scope": scope,
              "redirect_uri": REDIRECT, "access_type": "offline", "state": "xyz", **extra}
    page = http.get(authorize_url, params=params)
    return submit_consent(http, page, decision)
