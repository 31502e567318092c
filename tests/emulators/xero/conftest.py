"""Helpers for the Xero emulator tests: an in-process emulator on a VirtualClock, the browser-like PKCE login, and
an API client carrying the token and tenant headers."""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx
import pytest

from app.emulators.clock import VirtualClock
from app.emulators.xero import XeroEmulator

REDIRECT = "http://localhost:8765/callback"
CLIENT_ID = "LEDGERBRIDGE-SANDBOX-XERO"
SCOPES = ("openid profile email offline_access accounting.contacts accounting.invoices accounting.payments "
          "accounting.settings.read")
IDENTITY = "https://login.xero.com"
TOKEN_URL = "https://identity.xero.com/connect/token"
API = "https://api.xero.com/api.xro/2.0"


class FormParser(HTMLParser):
    """Collects the consent page's form: action, hidden fields, organisation choices and buttons."""

    def __init__(self) -> None:
        super().__init__()
        self.action = ""
        self.hidden: dict[str, str] = {}
        self.tenants: list[tuple[str, str, bool]] = []  # (value, input type, checked)
        self.buttons: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.action = a.get("action", "")
        elif tag == "input" and a.get("type") == "hidden":
            self.hidden[a["name"]] = a.get("value", "")
        elif tag == "input" and a.get("name") == "tenant":
            self.tenants.append((a["value"], a.get("type", ""), "checked" in a))
        elif tag == "button" and a.get("name") == "action":
            self.buttons.append(a.get("value", ""))


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(64)[:64]
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def authorize_params(challenge: str, scope: str = SCOPES, state: str = "st-123", redirect_uri: str = REDIRECT,
                     client_id: str = CLIENT_ID) -> dict[str, str]:
    return {"response_type": "code", "client_id": client_id, "redirect_uri": redirect_uri, "scope": scope,
            "state": state, "code_challenge": challenge, "code_challenge_method": "S256"}


def consent(client: httpx.Client, page_url: str, params: dict, action: str = "allow",
            tenant_index: int = 0) -> httpx.Response:
    """Open the consent page and press a button; returns the 302 (or whatever came back)."""
    page = client.get(page_url, params=params)
    assert page.status_code == 200, page.text
    form = FormParser()
    form.feed(page.text)
    data = dict(form.hidden)
    data["action"] = action
    if form.tenants:
        data["tenant"] = form.tenants[tenant_index][0]
    return client.post(urljoin(str(page.url), form.action), data=data)


def callback_params(response: httpx.Response) -> dict[str, str]:
    assert response.status_code == 302, response.text
    location = response.headers["Location"]
    assert location.startswith(REDIRECT)
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


@dataclass
class Session:
    emu: XeroEmulator
    http: httpx.Client
    tokens: dict
    tenant_id: str
    verifier: str

    def headers(self, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens['access_token']}", "xero-tenant-id": self.tenant_id,
                "Accept": "application/json", **extra}

    def get(self, path: str, **kw) -> httpx.Response:
        headers = {**self.headers(), **kw.pop("headers", {})}
        return self.http.get(API + path, headers=headers, **kw)

    def put(self, path: str, body, **kw) -> httpx.Response:
        headers = {**self.headers(), **kw.pop("headers", {})}
        return self.http.put(API + path, json=body, headers=headers, **kw)

    def post(self, path: str, body, **kw) -> httpx.Response:
        headers = {**self.headers(), **kw.pop("headers", {})}
        return self.http.post(API + path, json=body, headers=headers, **kw)

    def refresh(self) -> httpx.Response:
        r = self.http.post(TOKEN_URL, data={"grant_type": "refresh_token", "client_id": CLIENT_ID,
                                            "refresh_token": self.tokens["refresh_token"]})
        if r.status_code == 200:
            self.tokens = r.json()
        return r


def login(emu: XeroEmulator, scope: str = SCOPES, tenant_index: int = 0) -> Session:
    http = httpx.Client(transport=emu.as_transport())
    verifier, challenge = pkce_pair()
    params = callback_params(consent(http, f"{IDENTITY}/identity/connect/authorize", authorize_params(challenge, scope),
                                     tenant_index=tenant_index))
    r = http.post(TOKEN_URL, data={"grant_type": "authorization_code", "client_id": CLIENT_ID, "code": params["code"],
                                   "redirect_uri": REDIRECT, "code_verifier": verifier})
    assert r.status_code == 200, r.text
    tokens = r.json()
    conns = http.get("https://api.xero.com/connections", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    tenant = next(c["tenantId"] for c in conns.json() if c["tenantName"] == list(emu.orgs.values())[tenant_index].Name)
    return Session(emu, http, tokens, tenant, verifier)


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock()


@pytest.fixture
def emu(clock) -> XeroEmulator:
    return XeroEmulator(clock=clock)


@pytest.fixture
def session(emu) -> Session:
    return login(emu)
