"""Accounts server: consent page, code exchange, refresh, caps, throttle, revoke, data centres, API auth."""

from __future__ import annotations

import httpx
import pytest

from app.emulators.zoho import ZohoEmulator

from .conftest import REDIRECT, authorize, pkce_pair

US = "https://accounts.zoho.com"
EU = "https://accounts.zoho.eu"
CLIENT = {"client_id": "1000.LEDGERBRIDGESANDBOX", "client_secret": "ledgerbridge-sandbox-zoho-secret"}
INVALID_TOKEN = {"code": "INVALID_TOKEN", "details": {}, "message": "invalid oauth token", "status": "error"}


def exchange(http: httpx.Client, code: str, accounts: str = US, **extra: str) -> dict:
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT, **CLIENT, **extra}
    response = http.post(f"{accounts}/oauth/v2/token", data=data)
    assert response.status_code == 200
    return response.json()


def refresh(http: httpx.Client, token: str, accounts: str = US) -> httpx.Response:
    return http.post(f"{accounts}/oauth/v2/token",
                     data={"grant_type": "refresh_token", "refresh_token": token, **CLIENT})


def crm(http: httpx.Client, access: str, domain: str = "https://www.zohoapis.com") -> httpx.Response:
    return http.get(f"{domain}/crm/v8/org", headers={"Authorization": f"Zoho-oauthtoken {access}"})


def test_consent_page_and_redirect(http):
    params = {"response_type": "code", "client_id": CLIENT["client_id"], "scope": "ZohoCRM.modules.ALL",
              "redirect_uri": REDIRECT, "access_type": "offline", "state": "s1"}
    page = http.get(f"{US}/oauth/v2/auth", params=params)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    for text in ("Bluegum Supply Co Pty Ltd", "ZohoCRM.modules.ALL", ">Accept<", ">Reject<"):
        assert text in page.text
    location = authorize(http, f"{US}/oauth/v2/auth", state="s1")
    assert str(location).startswith(REDIRECT + "?")
    q = location.params
    assert q["state"] == "s1" and q["location"] == "us" and q["accounts-server"] == US
    assert q["code"].startswith("1000.")


def test_reject_redirects_access_denied(http):
    location = authorize(http, f"{US}/oauth/v2/auth", decision="reject")
    assert location.params["error"] == "access_denied" and location.params["state"] == "xyz"
    assert "code" not in location.params


def test_redirect_uri_must_match_exactly(http):
    for uri in ("http://127.0.0.1:8767/callback", "http://127.0.0.1:8766/callback/", "http://localhost:8766/callback"):
        page = http.get(f"{US}/oauth/v2/auth", params={"response_type": "code", "client_id": CLIENT["client_id"],
                                                       "scope": "ZohoCRM.modules.ALL", "redirect_uri": uri})
        assert page.status_code == 400 and "invalid_redirect_uri" in page.text
    page = http.get(f"{US}/oauth/v2/auth", params={"response_type": "code", "client_id": "1000.OTHER",
                                                   "scope": "ZohoCRM.modules.ALL", "redirect_uri": REDIRECT})
    assert "invalid_client" in page.text


def test_code_exchange_and_single_use(http):
    code = authorize(http, f"{US}/oauth/v2/auth").params["code"]
    body = exchange(http, code)
    assert set(body) == {"access_token", "refresh_token", "scope", "api_domain", "token_type", "expires_in"}
    assert body["api_domain"] == "https://www.zohoapis.com" and body["expires_in"] == 3600
    assert body["scope"] == "ZohoCRM.modules.ALL ZohoCRM.settings.ALL ZohoCRM.org.READ"
    parts = body["access_token"].split(".")
    assert parts[0] == "1000" and len(parts) == 3 and all(int(p, 16) >= 0 for p in parts[1:])
    assert exchange(http, code) == {"error": "invalid_code"}
    assert crm(http, body["access_token"]).status_code == 200


def test_code_expires_after_two_minutes(http, clock):
    code = authorize(http, f"{US}/oauth/v2/auth").params["code"]
    clock.advance(121)
    assert exchange(http, code) == {"error": "invalid_code"}


def test_token_endpoint_errors_are_http_200(http):
    code = authorize(http, f"{US}/oauth/v2/auth").params["code"]
    assert exchange(http, code, client_id="1000.WRONG") == {"error": "invalid_client"}
    assert exchange(http, code, client_secret="nope") == {"error": "invalid_client_secret"}
    assert exchange(http, code, redirect_uri="http://127.0.0.1:9999/cb") == {"error": "invalid_redirect_uri"}
    assert exchange(http, "1000.abc.def") == {"error": "invalid_code"}
    # query parameters instead of a form body are accepted too
    response = http.post(f"{US}/oauth/v2/token", params={"grant_type": "authorization_code", "code": code,
                                                         "redirect_uri": REDIRECT, **CLIENT})
    assert "access_token" in response.json()


def test_pkce_verifier_checked_and_secret_optional(http):
    verifier, challenge = pkce_pair()
    extra = {"code_challenge": challenge, "code_challenge_method": "S256"}
    code = authorize(http, f"{US}/oauth/v2/auth", **extra).params["code"]
    assert exchange(http, code, code_verifier="wrong")["error"] == "invalid_code"
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT,
            "client_id": CLIENT["client_id"], "code_verifier": verifier}
    body = http.post(f"{US}/oauth/v2/token", data=data).json()
    assert "refresh_token" in body
    # the public client refreshes without a secret, too
    ok = http.post(f"{US}/oauth/v2/token", data={"grant_type": "refresh_token", "client_id": CLIENT["client_id"],
                                                 "refresh_token": body["refresh_token"]}).json()
    assert "access_token" in ok


def test_pkce_without_secret_refused_when_switched_off(clock):
    emu = ZohoEmulator(clock=clock, seed="empty", switches={"pkce_secret_optional": False})
    http = httpx.Client(transport=emu.as_transport())
    verifier, challenge = pkce_pair()
    code = authorize(http, f"{US}/oauth/v2/auth", code_challenge=challenge,
                     code_challenge_method="S256").params["code"]
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT,
            "client_id": CLIENT["client_id"], "code_verifier": verifier}
    assert http.post(f"{US}/oauth/v2/token", data=data).json() == {"error": "invalid_client_secret"}


def test_refresh_has_no_refresh_token_and_online_has_none(http):
    body = exchange(http, authorize(http, f"{US}/oauth/v2/auth").params["code"])
    again = refresh(http, body["refresh_token"]).json()
    assert "refresh_token" not in again and again["expires_in"] == 3600 and again["access_token"]
    online = exchange(http, authorize(http, f"{US}/oauth/v2/auth", access_type="online").params["code"])
    assert "refresh_token" not in online


def test_second_offline_grant_needs_prompt_consent(http):
    exchange(http, authorize(http, f"{US}/oauth/v2/auth").params["code"])
    second = exchange(http, authorize(http, f"{US}/oauth/v2/auth").params["code"])
    assert "refresh_token" not in second
    third = exchange(http, authorize(http, f"{US}/oauth/v2/auth", prompt="consent").params["code"])
    assert "refresh_token" in third


def test_twenty_refresh_tokens_then_oldest_evicted(http):
    tokens = [exchange(http, authorize(http, f"{US}/oauth/v2/auth", prompt="consent").params["code"])
              for _ in range(21)]
    assert refresh(http, tokens[0]["refresh_token"]).json() == {"error": "invalid_code"}
    assert crm(http, tokens[0]["access_token"]).json() == INVALID_TOKEN
    for t in tokens[1:]:
        assert "access_token" in refresh(http, t["refresh_token"]).json()


def test_mint_throttle_ten_per_ten_minutes(http, clock):
    body = exchange(http, authorize(http, f"{US}/oauth/v2/auth").params["code"])  # mint 1
    for _ in range(9):
        assert "access_token" in refresh(http, body["refresh_token"]).json()
    blocked = refresh(http, body["refresh_token"])
    assert blocked.json() == {"error_description": "You have made too many requests continuously. Please try again "
                              "after some time.", "error": "Access Denied", "status": "failure"}
    clock.advance(601)
    assert "access_token" in refresh(http, body["refresh_token"]).json()


def test_active_access_tokens_capped_per_refresh_token(http, clock):
    body = exchange(http, authorize(http, f"{US}/oauth/v2/auth").params["code"])
    first = body["access_token"]
    for _ in range(9):
        refresh(http, body["refresh_token"])
    assert crm(http, first).status_code == 200
    clock.advance(601)
    refresh(http, body["refresh_token"])  # the 11th active token pushes the first out
    assert crm(http, first).json() == INVALID_TOKEN


def test_revoke(http):
    body = exchange(http, authorize(http, f"{US}/oauth/v2/auth").params["code"])
    response = http.post(f"{US}/oauth/v2/token/revoke", params={"token": body["refresh_token"]})
    assert response.status_code == 200 and response.json() == {"status": "success"}
    assert refresh(http, body["refresh_token"]).json() == {"error": "invalid_code"}
    assert crm(http, body["access_token"]).status_code == 401
    assert crm(http, body["access_token"]).json() == INVALID_TOKEN
    assert http.post(f"{US}/oauth/v2/token/revoke", params={"token": "1000.x.y"}).status_code == 400


def test_access_token_expires_after_an_hour(http, clock):
    body = exchange(http, authorize(http, f"{US}/oauth/v2/auth").params["code"])
    clock.advance(3599)
    assert crm(http, body["access_token"]).status_code == 200
    clock.advance(1)
    assert crm(http, body["access_token"]).json() == INVALID_TOKEN


def test_expire_tokens_control(http, emu):
    tokens = emu.issue_tokens()
    assert crm(http, tokens["access_token"]).status_code == 200
    assert http.post("https://www.zohoapis.com/_sandbox/expire-tokens").json() == {"expired": True}
    assert crm(http, tokens["access_token"]).status_code == 401
    assert "access_token" in refresh(http, tokens["refresh_token"]).json()


def test_authorization_header_forms(http, emu, clock):
    access = emu.issue_tokens()["access_token"]
    domain = "https://www.zohoapis.com/crm/v8/org"
    assert http.get(domain, headers={"Authorization": f"Bearer {access}"}).json() == INVALID_TOKEN
    missing = http.get(domain)
    assert missing.status_code == 401 and missing.json()["code"] == "AUTHENTICATION_FAILURE"
    assert http.get(domain, params={"access_token": access}).status_code == 401  # never as a query parameter
    lenient = ZohoEmulator(clock=clock, seed="empty", switches={"accept_bearer": True})
    c = httpx.Client(transport=lenient.as_transport())
    token = lenient.issue_tokens()["access_token"]
    assert c.get(domain, headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_org_in_eu(clock):
    emu = ZohoEmulator(clock=clock, seed="empty", dc="eu")
    http = httpx.Client(transport=emu.as_transport())
    # the app starts at its home DC (accounts.zoho.com); the redirect says where the org lives
    location = authorize(http, f"{US}/oauth/v2/auth")
    assert location.params["location"] == "eu" and location.params["accounts-server"] == EU
    code = location.params["code"]
    assert exchange(http, code, accounts=US) == {"error": "invalid_client"}
    body = exchange(http, code, accounts=EU)
    assert body["api_domain"] == "https://www.zohoapis.eu"
    assert crm(http, body["access_token"]).json() == INVALID_TOKEN  # www.zohoapis.com
    assert crm(http, body["access_token"], "https://www.zohoapis.eu").status_code == 200
    assert refresh(http, body["refresh_token"], US).json() == {"error": "invalid_client"}
    assert "access_token" in refresh(http, body["refresh_token"], EU).json()


@pytest.mark.parametrize(("dc", "accounts", "api"), [
    ("ca", "https://accounts.zohocloud.ca", "https://www.zohoapis.ca"),
    ("au", "https://accounts.zoho.com.au", "https://www.zohoapis.com.au"),
    ("in", "https://accounts.zoho.in", "https://www.zohoapis.in"),
    ("jp", "https://accounts.zoho.jp", "https://www.zohoapis.jp"),
    ("cn", "https://accounts.zoho.com.cn", "https://www.zohoapis.com.cn"),
    ("sa", "https://accounts.zoho.sa", "https://www.zohoapis.sa"),
    ("uk", "https://accounts.zoho.uk", "https://www.zohoapis.uk"),
])
def test_every_dc_at_its_real_hostnames(clock, dc, accounts, api):
    emu = ZohoEmulator(clock=clock, seed="empty", dc=dc)
    http = httpx.Client(transport=emu.as_transport())
    location = authorize(http, f"{US}/oauth/v2/auth")
    assert location.params["accounts-server"] == accounts
    body = exchange(http, location.params["code"], accounts=accounts)
    assert body["api_domain"] == api
    assert crm(http, body["access_token"], api).status_code == 200
    assert emu.urls()["token_url"] == f"{accounts}/oauth/v2/token"


def test_serverinfo(http):
    info = http.get(f"{US}/oauth/serverinfo").json()
    assert info["locations"]["eu"] == EU and info["locations"]["ca"] == "https://accounts.zohocloud.ca"


def test_served_url_scheme(emu):
    urls = emu.urls("http://127.0.0.1:5000")
    assert urls["authorize_url"] == "http://127.0.0.1:5000/us/accounts/oauth/v2/auth"
    assert urls["token_url"] == "http://127.0.0.1:5000/us/accounts/oauth/v2/token"
    assert urls["api_domain"] == "http://127.0.0.1:5000/us/api"
    assert urls["redirect_uri"] == REDIRECT and urls["client_id"] == CLIENT["client_id"]
    assert emu.dc_urls("http://127.0.0.1:5000", "eu")["accounts_url"] == "http://127.0.0.1:5000/eu/accounts"
    http = httpx.Client(transport=emu.as_transport())
    location = authorize(http, urls["authorize_url"])
    assert location.params["accounts-server"] == "http://127.0.0.1:5000/us/accounts"
    body = exchange(http, location.params["code"], accounts=location.params["accounts-server"])
    assert body["api_domain"] == "http://127.0.0.1:5000/us/api"
    assert crm(http, body["access_token"], body["api_domain"]).status_code == 200
    assert crm(http, body["access_token"], "http://127.0.0.1:5000/eu/api").json() == INVALID_TOKEN
