"""Xero Identity: consent page, code flow with PKCE, tokens, rotation, revocation and connections."""

from __future__ import annotations

import base64
import json
import re

import httpx
import pytest

from app.emulators.xero import XeroEmulator

from .conftest import (
    CLIENT_ID,
    IDENTITY,
    REDIRECT,
    SCOPES,
    TOKEN_URL,
    FormParser,
    authorize_params,
    callback_params,
    consent,
    login,
    pkce_pair,
)

AUTHORIZE = f"{IDENTITY}/identity/connect/authorize"


def _client(emu: XeroEmulator) -> httpx.Client:
    return httpx.Client(transport=emu.as_transport())


def _code(emu, http, scope=SCOPES, challenge=None):
    verifier, default_challenge = pkce_pair()
    params = callback_params(consent(http, AUTHORIZE, authorize_params(challenge or default_challenge, scope)))
    return verifier, params


def _exchange(http, code, verifier, redirect_uri=REDIRECT, **extra):
    return http.post(TOKEN_URL, data={"grant_type": "authorization_code", "client_id": CLIENT_ID, "code": code,
                                      "redirect_uri": redirect_uri, "code_verifier": verifier, **extra})


def _claims(jwt: str) -> dict:
    payload = jwt.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def test_consent_page_lists_both_orgs_app_and_scopes(emu):
    http = _client(emu)
    _, challenge = pkce_pair()
    page = http.get(AUTHORIZE, params=authorize_params(challenge))
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    form = FormParser()
    form.feed(page.text)
    assert form.action == "/identity/connect/consent"
    assert [t[1] for t in form.tenants] == ["radio", "radio"]
    assert "Bluegum Supply Co Pty Ltd" in page.text and "Bluegum Supply Co (NZ)" in page.text
    assert "Ledgerbridge" in page.text and "accounting.contacts" in page.text
    assert form.buttons == ["allow", "cancel"] and "Allow access" in page.text


def test_multi_org_switch_offers_checkboxes(clock):
    emu = XeroEmulator(clock=clock, switches={"multi_org_consent": True})
    _, challenge = pkce_pair()
    form = FormParser()
    form.feed(_client(emu).get(AUTHORIZE, params=authorize_params(challenge)).text)
    assert {t[1] for t in form.tenants} == {"checkbox"}


def test_allow_redirects_with_code_state_scope_session_state(emu):
    http = _client(emu)
    _, params = _code(emu, http)
    assert set(params) == {"code", "state", "scope", "session_state"}
    assert params["state"] == "st-123"
    assert params["scope"] == SCOPES


def test_cancel_redirects_access_denied(emu):
    http = _client(emu)
    _, challenge = pkce_pair()
    params = callback_params(consent(http, AUTHORIZE, authorize_params(challenge), action="cancel"))
    assert params == {"error": "access_denied", "state": "st-123"}


def test_unregistered_redirect_uri_gets_error_page_not_redirect(emu):
    http = _client(emu)
    _, challenge = pkce_pair()
    for uri in ("http://localhost:8765/callback/", "http://localhost:9999/callback", "http://evil.example/cb"):
        r = http.get(AUTHORIZE, params=authorize_params(challenge, redirect_uri=uri))
        assert r.status_code == 400 and "Location" not in r.headers
        assert "redirect_uri" in r.text


def test_unknown_client_gets_error_page(emu):
    _, challenge = pkce_pair()
    r = _client(emu).get(AUTHORIZE, params=authorize_params(challenge, client_id="NOPE"))
    assert r.status_code == 400 and "unauthorized_client" in r.text


def test_pkce_app_must_send_s256_challenge(emu):
    http = _client(emu)
    params = authorize_params("x")
    del params["code_challenge"], params["code_challenge_method"]
    r = http.get(AUTHORIZE, params=params)
    assert r.status_code == 302 and "error=invalid_request" in r.headers["Location"]
    r = http.get(AUTHORIZE, params={**authorize_params("abc"), "code_challenge_method": "plain"})
    assert "error=invalid_request" in r.headers["Location"]


def test_token_response_keys_and_jwt_claims(emu, clock):
    http = _client(emu)
    verifier, params = _code(emu, http)
    r = _exchange(http, params["code"], verifier)
    assert r.status_code == 200
    body = r.json()
    assert list(body) == ["id_token", "access_token", "expires_in", "token_type", "refresh_token", "scope"]
    assert body["expires_in"] == 1800 and body["token_type"] == "Bearer" and body["scope"] == SCOPES
    header = json.loads(base64.urlsafe_b64decode(body["access_token"].split(".")[0] + "=="))
    assert header["alg"] == "RS256" and header["typ"] == "JWT"
    claims = _claims(body["access_token"])
    assert claims["exp"] - claims["nbf"] == 1800 and claims["nbf"] == int(clock.time())
    assert claims["iss"] == "https://identity.xero.com" and claims["aud"] == "https://identity.xero.com/resources"
    assert claims["client_id"] == CLIENT_ID and isinstance(claims["scope"], list) and "openid" in claims["scope"]
    for key in ("sub", "xero_userid", "authentication_event_id", "jti", "auth_time", "global_session_id"):
        assert claims[key]
    assert len(base64.urlsafe_b64decode(body["access_token"].split(".")[2] + "==")) == 256
    id_claims = _claims(body["id_token"])
    assert id_claims["aud"] == CLIENT_ID and id_claims["email"] == "tom@bluegumsupply.com.au"


def test_no_refresh_token_without_offline_access(emu):
    http = _client(emu)
    verifier, params = _code(emu, http, scope="openid accounting.contacts.read")
    body = _exchange(http, params["code"], verifier).json()
    assert list(body) == ["id_token", "access_token", "expires_in", "token_type", "scope"]


def test_code_is_single_use(emu):
    http = _client(emu)
    verifier, params = _code(emu, http)
    assert _exchange(http, params["code"], verifier).status_code == 200
    again = _exchange(http, params["code"], verifier)
    assert again.status_code == 400 and again.json() == {"error": "invalid_grant"}


def test_code_expires_after_five_minutes(emu, clock):
    http = _client(emu)
    verifier, params = _code(emu, http)
    clock.advance(301)
    assert _exchange(http, params["code"], verifier).json() == {"error": "invalid_grant"}


def test_pkce_verifier_mismatch_is_invalid_grant(emu):
    http = _client(emu)
    _, params = _code(emu, http)
    other_verifier, _ = pkce_pair()
    r = _exchange(http, params["code"], other_verifier)
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant"


def test_redirect_uri_must_match_at_exchange(emu):
    http = _client(emu)
    verifier, params = _code(emu, http)
    assert _exchange(http, params["code"], verifier, redirect_uri="http://localhost:8765/other").json() == {
        "error": "invalid_grant"}


def test_unknown_client_and_grant_type(emu):
    http = _client(emu)
    r = http.post(TOKEN_URL, data={"grant_type": "authorization_code", "client_id": "X", "code": "c"})
    assert r.status_code == 400 and r.json()["error"] == "invalid_client"
    r = http.post(TOKEN_URL, data={"grant_type": "password", "client_id": CLIENT_ID})
    assert r.json()["error"] == "unsupported_grant_type"


def test_confidential_app_accepts_basic_auth(clock):
    emu = XeroEmulator(clock=clock, client_secret="s3cret")
    http = _client(emu)
    verifier, params = _code(emu, http)
    basic = base64.b64encode(f"{CLIENT_ID}:s3cret".encode()).decode()
    r = http.post(TOKEN_URL, headers={"Authorization": f"Basic {basic}"},
                  data={"grant_type": "authorization_code", "code": params["code"], "redirect_uri": REDIRECT,
                        "code_verifier": verifier})
    assert r.status_code == 200
    wrong = base64.b64encode(f"{CLIENT_ID}:nope".encode()).decode()
    r = http.post(TOKEN_URL, headers={"Authorization": f"Basic {wrong}"},
                  data={"grant_type": "refresh_token", "refresh_token": r.json()["refresh_token"]})
    assert r.json() == {"error": "invalid_client"}


def test_refresh_rotation_grace_then_invalid_grant(emu, clock):
    s = login(emu)
    old = s.tokens["refresh_token"]
    assert s.refresh().status_code == 200
    new = s.tokens["refresh_token"]
    assert new != old
    # the response was "lost": the old token still works for 30 minutes, answering with the same successor
    clock.advance(29 * 60)
    r = s.http.post(TOKEN_URL, data={"grant_type": "refresh_token", "client_id": CLIENT_ID, "refresh_token": old})
    assert r.status_code == 200 and r.json()["refresh_token"] == new
    clock.advance(2 * 60)
    r = s.http.post(TOKEN_URL, data={"grant_type": "refresh_token", "client_id": CLIENT_ID, "refresh_token": old})
    assert r.status_code == 400 and r.json() == {"error": "invalid_grant"}
    assert s.refresh().status_code == 200  # the successor is still good


def test_refresh_token_idle_expiry_60_days(emu, clock):
    s = login(emu)
    clock.advance(59 * 86400)
    assert s.refresh().status_code == 200  # used within 60 days: rotates, the clock restarts
    clock.advance(60 * 86400 + 1)
    r = s.refresh()
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant"


def test_access_token_expires_after_30_minutes(emu, clock):
    s = login(emu)
    assert s.get("/Organisation").status_code == 200
    clock.advance(1800)
    r = s.get("/Organisation")
    assert r.status_code == 401
    body = r.json()
    assert body["Title"] == "Unauthorized" and body["Status"] == 401
    assert re.fullmatch(r"TokenExpired: token expired at \d\d/\d\d/\d{4} \d\d:\d\d:\d\d", body["Detail"])
    assert r.headers["WWW-Authenticate"].startswith('Bearer error="invalid_token"')
    assert s.refresh().status_code == 200
    assert s.get("/Organisation").status_code == 200


def test_expire_tokens_control(emu):
    s = login(emu)
    s.http.post("http://sandbox/_sandbox/expire-tokens")
    assert s.get("/Organisation").status_code == 401


def test_garbage_and_missing_tokens_are_401(emu):
    s = login(emu)
    r = s.get("/Contacts", headers={"Authorization": "Bearer abc.def.ghi"})
    assert r.status_code == 401 and r.json()["Detail"] == "AuthenticationUnsuccessful"
    tampered = s.tokens["access_token"][:-4] + "AAAA"
    assert s.get("/Contacts", headers={"Authorization": f"Bearer {tampered}"}).status_code == 401


def test_connections_shape_and_auth_event_filter(emu):
    s = login(emu)
    auth = {"Authorization": f"Bearer {s.tokens['access_token']}"}
    conns = s.http.get("https://api.xero.com/connections", headers=auth).json()
    assert len(conns) == 1
    c = conns[0]
    assert set(c) == {"id", "authEventId", "tenantId", "tenantType", "tenantName", "createdDateUtc", "updatedDateUtc"}
    assert c["tenantType"] == "ORGANISATION" and c["tenantName"] == "Bluegum Supply Co Pty Ltd"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}", c["createdDateUtc"])
    event = _claims(s.tokens["access_token"])["authentication_event_id"]
    assert c["authEventId"] == event
    # second consent for the NZ org: a new auth event; both orgs connected, filter picks the new one
    s2 = login(emu, tenant_index=1)
    auth2 = {"Authorization": f"Bearer {s2.tokens['access_token']}"}
    assert len(s2.http.get("https://api.xero.com/Connections", headers=auth2).json()) == 2
    event2 = _claims(s2.tokens["access_token"])["authentication_event_id"]
    only = s2.http.get("https://api.xero.com/connections", params={"authEventId": event2}, headers=auth2).json()
    assert [x["tenantName"] for x in only] == ["Bluegum Supply Co (NZ)"]


def test_reconnect_keeps_id_and_moves_updated_date(emu, clock):
    s = login(emu)
    auth = {"Authorization": f"Bearer {s.tokens['access_token']}"}
    first = s.http.get("https://api.xero.com/connections", headers=auth).json()[0]
    clock.advance(3600)
    s2 = login(emu)
    again = s2.http.get("https://api.xero.com/connections",
                        headers={"Authorization": f"Bearer {s2.tokens['access_token']}"}).json()[0]
    assert again["id"] == first["id"] and again["createdDateUtc"] == first["createdDateUtc"]
    assert again["updatedDateUtc"] != first["updatedDateUtc"]


def test_delete_connection_then_403(emu):
    s = login(emu)
    auth = {"Authorization": f"Bearer {s.tokens['access_token']}"}
    conn = s.http.get("https://api.xero.com/connections", headers=auth).json()[0]
    assert s.http.delete(f"https://api.xero.com/connections/{conn['id']}", headers=auth).status_code == 204
    r = s.get("/Contacts")
    assert r.status_code == 403 and r.json()["Detail"] == "AuthenticationUnsuccessful"


def test_revocation_drops_all_connections_and_refresh(emu):
    s = login(emu)
    r = s.http.post("https://identity.xero.com/connect/revocation",
                    data={"token": s.tokens["refresh_token"], "client_id": CLIENT_ID})
    assert r.status_code == 200 and r.content == b""
    auth = {"Authorization": f"Bearer {s.tokens['access_token']}"}
    assert s.http.get("https://api.xero.com/connections", headers=auth).json() == []
    assert s.get("/Contacts").status_code == 403
    assert s.refresh().json() == {"error": "invalid_grant"}


def test_tenant_header_missing_or_wrong_is_403(emu):
    s = login(emu)
    for tenant in ("", "00000000-0000-0000-0000-000000000000", emu.orgs and list(emu.orgs)[1]):
        r = s.get("/Contacts", headers={"xero-tenant-id": tenant})
        assert r.status_code == 403
        body = r.json()
        assert body == {**body, "Title": "Forbidden", "Status": 403, "Detail": "AuthenticationUnsuccessful"}
        assert "Xero-Correlation-Id" in r.headers


def test_disconnect_tenant_control(emu):
    s = login(emu)
    r = s.http.post("http://sandbox/_sandbox/xero/disconnect-tenant", json={})
    assert r.json() == {"disconnected": 1}
    assert s.get("/Contacts").status_code == 403


def test_broad_scope_refused_on_authorize_for_new_apps(emu):
    _, challenge = pkce_pair()
    r = _client(emu).get(AUTHORIZE, params=authorize_params(challenge, scope="openid accounting.transactions"))
    assert r.status_code == 400 and "Location" not in r.headers
    assert "unauthorized_client : Invalid scope for client" in r.text


def test_broad_scope_allowed_for_old_apps(clock):
    emu = XeroEmulator(clock=clock, switches={"app_created_after_2026_03_02": False})
    s = login(emu, scope="openid offline_access accounting.transactions accounting.contacts")
    assert s.get("/Invoices").status_code == 200


def test_invalid_scope_at_token_switch(clock):
    emu = XeroEmulator(clock=clock, switches={"invalid_scope_at_token": True})
    http = _client(emu)
    verifier, params = _code(emu, http, scope="openid offline_access accounting.transactions")
    r = _exchange(http, params["code"], verifier)
    assert r.status_code == 400 and r.json() == {"error": "invalid_scope"}


def test_loopback_ip_redirect_switch(clock):
    uri = "http://127.0.0.1:8765/callback"
    emu = XeroEmulator(clock=clock, redirect_uris=(uri,))
    _, challenge = pkce_pair()
    assert _client(emu).get(AUTHORIZE, params=authorize_params(challenge, redirect_uri=uri)).status_code == 200
    strict = XeroEmulator(clock=clock, redirect_uris=(uri,), switches={"reject_loopback_ip_redirect": True})
    r = _client(strict).get(AUTHORIZE, params=authorize_params(challenge, redirect_uri=uri))
    assert r.status_code == 400 and "Location" not in r.headers


def test_missing_scope_is_403(emu):
    s = login(emu, scope="openid offline_access accounting.contacts.read")
    assert s.get("/Contacts").status_code == 200
    assert s.put("/Contacts", {"Contacts": [{"Name": "Scope Test"}]}).status_code == 403
    assert s.get("/Invoices").status_code == 403


@pytest.mark.parametrize("path", ["/connect/token", "/connect/revocation"])
def test_identity_endpoints_answer_on_any_host(emu, path):
    r = _client(emu).post(f"http://127.0.0.1:1{path}", data={"client_id": "nope"})
    assert r.status_code == 400 and r.json()["error"] == "invalid_client"
