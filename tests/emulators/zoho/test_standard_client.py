"""Clients that are not ours: authlib's OAuth2Client does the PKCE login, then plain httpx uses the CRM API.

One test also serves the emulator on 127.0.0.1 and logs in over real HTTP.
"""

from __future__ import annotations

import re
import warnings

import authlib.deprecate
import httpx

from app.emulators.server import ServedEmulator
from app.emulators.zoho import ZohoEmulator

with warnings.catch_warnings():  # authlib 1.9 nags about httpx vs httpx2 on import
    warnings.simplefilter("ignore", authlib.deprecate.AuthlibDeprecationWarning)
    from authlib.common.security import generate_token
    from authlib.integrations.httpx_client import OAuth2Client

REDIRECT = "http://127.0.0.1:8766/callback"
SCOPE = "ZohoCRM.modules.ALL,ZohoCRM.settings.fields.READ,ZohoCRM.users.READ"


def browser_consent(browser: httpx.Client, authorize_url: str) -> str:
    """What the user's browser does: open the consent page, press Accept, land on the redirect URI."""
    page = browser.get(authorize_url)
    assert page.status_code == 200 and "Accept" in page.text
    action = re.search(r"<form[^>]*action='([^']+)'", page.text).group(1)
    hidden = dict(re.findall(r"<input type='hidden' name='([^']+)' value='([^']*)'>", page.text))
    answer = browser.post(page.url.join(action), data={**hidden, "decision": "accept"})
    assert answer.status_code == 302
    return answer.headers["Location"]


def login_with_authlib(urls: dict[str, str], **client_kwargs) -> dict:
    oauth = OAuth2Client(
        client_id=urls["client_id"], redirect_uri=urls["redirect_uri"], scope=SCOPE,
        code_challenge_method="S256", token_endpoint_auth_method="none", **client_kwargs,
    )
    verifier = generate_token(64)
    url, state = oauth.create_authorization_url(urls["authorize_url"], code_verifier=verifier,
                                                access_type="offline", prompt="consent")
    assert "code_challenge=" in url and "code_challenge_method=S256" in url
    with httpx.Client(**client_kwargs) as browser:
        location = browser_consent(browser, url)
    params = httpx.URL(location).params
    assert params["state"] == state
    token_url = params["accounts-server"] + "/oauth/v2/token"
    token = oauth.fetch_token(token_url, authorization_response=location, code_verifier=verifier)
    oauth.close()
    return dict(token)


def test_authlib_pkce_then_generic_client(emu):
    transport = emu.as_transport()
    token = login_with_authlib(emu.urls(), transport=transport)
    assert token["api_domain"] == "https://www.zohoapis.com" and token["refresh_token"].startswith("1000.")
    crm = httpx.Client(transport=transport, base_url=token["api_domain"] + "/crm/v8",
                       headers={"Authorization": f"Zoho-oauthtoken {token['access_token']}"})

    # page through every account, 10 at a time, oldest change first
    seen, page = [], 1
    while True:
        r = crm.get("/Accounts", params={"fields": "Account_Name,Modified_Time", "per_page": 10, "page": page,
                                         "sort_by": "Modified_Time", "sort_order": "asc"})
        assert r.status_code == 200
        body = r.json()
        seen += body["data"]
        if not body["info"]["more_records"]:
            break
        page += 1
    assert len(seen) == 32 and page == 4
    assert [a["Modified_Time"] for a in seen] == sorted(a["Modified_Time"] for a in seen)

    # filter, upsert by the sync's key, read back
    r = crm.get("/Contacts/search", params={"criteria": "(Email:equals:sarah@acmecatering.com.au)"})
    sarah = r.json()["data"][0]
    upsert = crm.post("/Contacts/upsert", json={
        "data": [{"Email": "sarah@acmecatering.com.au", "Last_Name": "Nguyen", "Xero_Contact_ID": "abc-123"},
                 {"Email": "new.person@example.com", "Last_Name": "Person", "First_Name": "New"}],
        "duplicate_check_fields": ["Email"]})
    assert upsert.status_code == 200
    results = upsert.json()["data"]
    assert [x["action"] for x in results] == ["update", "insert"]
    assert results[0]["details"]["id"] == sarah["id"]
    back = crm.get(f"/Contacts/{results[1]['details']['id']}").json()["data"][0]
    assert back["Full_Name"] == "New Person" and back["Email"] == "new.person@example.com"
    changed = crm.get("/Contacts", params={"fields": "Email,Xero_Contact_ID"},
                      headers={"If-Modified-Since": results[0]["details"]["Modified_Time"]}).json()["data"]
    assert {c["Email"] for c in changed} == {"sarah@acmecatering.com.au", "new.person@example.com"}


def test_served_login_over_real_http(clock):
    emu = ZohoEmulator(clock=clock, dc="au")
    with ServedEmulator(emu.handle) as served:
        home = emu.dc_urls(served.url, "us")  # the app starts at its home DC...
        token = login_with_authlib(home)
        assert token["api_domain"] == f"{served.url}/au/api"  # ...and is sent to the org's DC
        crm = httpx.Client(base_url=token["api_domain"] + "/crm/v8",
                           headers={"Authorization": f"Zoho-oauthtoken {token['access_token']}"})
        me = crm.get("/users", params={"type": "CurrentUser"})
        assert me.status_code == 200 and me.json()["users"][0]["email"] == "tom@bluegumsupply.com.au"
        r = crm.get("/Accounts", params={"fields": "Account_Name", "per_page": 2})
        assert r.status_code == 200 and len(r.json()["data"]) == 2
        assert crm.get("/Accounts").json()["code"] == "REQUIRED_PARAM_MISSING"
        r = httpx.get(f"{served.url}/us/api/crm/v8/Accounts", params={"fields": "Account_Name"},
                      headers={"Authorization": f"Zoho-oauthtoken {token['access_token']}"})
        assert r.status_code == 401 and r.json()["code"] == "INVALID_TOKEN"
        summary = httpx.get(f"{served.url}/_sandbox/zoho/summary").json()
        assert summary["dc"] == "au"
        crm.close()
