"""Clients that are not ours: authlib's OAuth2Client does the PKCE code flow; a plain generic client pages,
filters, upserts and reads back; and a browser-like flow runs over real HTTP against the served emulator."""

from __future__ import annotations

import json
import secrets
import threading
import warnings
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx
import pytest

from app.emulators.clock import VirtualClock
from app.emulators.server import ServedEmulator
from app.emulators.xero import XeroEmulator

from .conftest import CLIENT_ID, REDIRECT, SCOPES, FormParser, login

with warnings.catch_warnings():
    import authlib.deprecate  # noqa: F401 - installs an "always" filter for its warnings; ours must come after

    warnings.simplefilter("ignore")  # authlib warns that its httpx integration will move to httpx2
    from authlib.integrations.httpx_client import OAuth2Client

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _press_allow(browser: httpx.Client, authorize_url: str) -> str:
    """What a person does in the browser: open the consent page, keep the chosen org, click Allow access."""
    page = browser.get(authorize_url)
    assert page.status_code == 200
    form = FormParser()
    form.feed(page.text)
    data = {**form.hidden, "action": "allow", "tenant": form.tenants[0][0]}
    answer = browser.post(urljoin(str(page.url), form.action), data=data)
    assert answer.status_code == 302
    return answer.headers["Location"]


def test_authlib_pkce_code_flow_refresh_and_api_call():
    emu = XeroEmulator(clock=VirtualClock())
    urls = emu.urls("https://login.xero.com")
    client = OAuth2Client(client_id=CLIENT_ID, token_endpoint_auth_method="none", scope=SCOPES,
                          redirect_uri=REDIRECT, code_challenge_method="S256", transport=emu.as_transport())
    verifier = secrets.token_urlsafe(64)
    url, state = client.create_authorization_url(urls["authorize_url"], code_verifier=verifier)
    callback = _press_allow(httpx.Client(transport=emu.as_transport()), url)
    assert parse_qs(urlsplit(callback).query)["state"] == [state]
    token = client.fetch_token(urls["token_url"], authorization_response=callback, code_verifier=verifier)
    assert token["token_type"] == "Bearer" and token["expires_in"] == 1800 and token["refresh_token"]
    conns = client.get(urls["connections_url"]).json()
    tenant = conns[0]["tenantId"]
    r = client.get(urls["api_base"] + "/Contacts", params={"page": 1},
                   headers={"xero-tenant-id": tenant, "Accept": "application/json"})
    assert r.status_code == 200 and r.json()["pagination"]["itemCount"] == 38
    old_refresh = token["refresh_token"]
    new = client.refresh_token(urls["token_url"], refresh_token=old_refresh)
    assert new["refresh_token"] != old_refresh
    r = client.get(urls["api_base"] + "/Organisation", headers={"xero-tenant-id": tenant,
                                                                "Accept": "application/json"})
    assert r.json()["Organisations"][0]["Name"] == "Bluegum Supply Co Pty Ltd"
    client.revoke_token(urls["revocation_url"], token=new["refresh_token"], token_type_hint="refresh_token")
    assert client.get(urls["connections_url"]).json() == []


def test_authlib_sees_pkce_mismatch():
    emu = XeroEmulator(clock=VirtualClock())
    urls = emu.urls("https://login.xero.com")
    client = OAuth2Client(client_id=CLIENT_ID, token_endpoint_auth_method="none", scope=SCOPES,
                          redirect_uri=REDIRECT, code_challenge_method="S256", transport=emu.as_transport())
    url, _state = client.create_authorization_url(urls["authorize_url"], code_verifier=secrets.token_urlsafe(64))
    callback = _press_allow(httpx.Client(transport=emu.as_transport()), url)
    from authlib.integrations.base_client import OAuthError

    with pytest.raises(OAuthError, match="invalid_grant"):
        client.fetch_token(urls["token_url"], authorization_response=callback,
                           code_verifier=secrets.token_urlsafe(64))


def test_generic_client_pages_filters_upserts_and_reads_back():
    """A plain httpx client in the style of a sync job: page everything, filter, upsert, read back."""
    emu = XeroEmulator(clock=VirtualClock(), seed="large:450")
    s = login(emu)
    ids, page = [], 1
    while True:
        batch = s.get("/Contacts", params={"page": page, "pageSize": 100, "includeArchived": "true",
                                           "order": "UpdatedDateUTC ASC"}).json()["Contacts"]
        ids += [c["ContactID"] for c in batch]
        if len(batch) < 100:
            break
        page += 1
    assert len(ids) == len(set(ids)) == 450
    hits = s.get("/Contacts", params={"where": 'Name.Contains("Bakery") AND ContactStatus=="ACTIVE"'}).json()
    assert hits["Contacts"] and all("Bakery" in c["Name"] for c in hits["Contacts"])
    target = hits["Contacts"][0]
    upsert = {"Contacts": [
        {"ContactID": target["ContactID"], "ContactNumber": "ZCRM-1001", "EmailAddress": "new@bakery.com.au"},
        {"Name": "Zoho Only Prospect Pty Ltd", "ContactNumber": "ZCRM-1002"},
    ]}
    r = s.post("/Contacts", upsert, params={"summarizeErrors": "false"},
               headers={"Idempotency-Key": "sync-run-1"})
    assert [c["StatusAttributeString"] for c in r.json()["Contacts"]] == ["OK", "OK"]
    back = s.get("/Contacts", params={"IDs": ",".join(c["ContactID"] for c in r.json()["Contacts"])}).json()
    by_number = {c["ContactNumber"]: c for c in back["Contacts"]}
    assert by_number["ZCRM-1001"]["EmailAddress"] == "new@bakery.com.au"
    assert by_number["ZCRM-1002"]["Name"] == "Zoho Only Prospect Pty Ltd"
    assert s.get("/Contacts/ZCRM-1002").json()["Contacts"][0]["ContactNumber"] == "ZCRM-1002"


def test_served_emulator_browser_flow_over_real_http():
    emu = XeroEmulator(redirect_uris=(REDIRECT,))
    with ServedEmulator(emu.handle) as served:
        urls = emu.urls(served.url)
        verifier = secrets.token_urlsafe(64)
        import base64
        import hashlib

        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        with httpx.Client(timeout=10) as browser:
            query = {"response_type": "code", "client_id": urls["client_id"], "redirect_uri": urls["redirect_uri"],
                     "scope": SCOPES, "state": "xyz", "code_challenge": challenge, "code_challenge_method": "S256"}
            authorize = httpx.URL(urls["authorize_url"], params=query)
            callback = _press_allow(browser, str(authorize))
            params = {k: v[0] for k, v in parse_qs(urlsplit(callback).query).items()}
            assert callback.startswith(REDIRECT) and params["state"] == "xyz"
            token = browser.post(urls["token_url"], data={
                "grant_type": "authorization_code", "client_id": urls["client_id"], "code": params["code"],
                "redirect_uri": urls["redirect_uri"], "code_verifier": verifier}).json()
            auth = {"Authorization": f"Bearer {token['access_token']}"}
            tenant = browser.get(urls["connections_url"], headers=auth).json()[0]["tenantId"]
            headers = {**auth, "xero-tenant-id": tenant, "Accept": "application/json"}
            r = browser.get(urls["api_base"] + "/Invoices", params={"page": 1, "pageSize": 5}, headers=headers)
            assert r.status_code == 200 and len(r.json()["Invoices"]) == 5
            assert '"Total":' in r.text and r.headers["X-MinLimit-Remaining"]
            # concurrent calls from threads share the tenant's limits without tripping over the state lock
            results: list[int] = []

            def worker():
                with httpx.Client(timeout=10) as c:
                    results.append(c.get(urls["api_base"] + "/Contacts", headers=headers).status_code)

            threads = [threading.Thread(target=worker) for _ in range(4)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            assert all(code in (200, 429) for code in results) and 200 in results
            summary = browser.get(served.url + "/_sandbox/xero/summary").json()
            assert summary["connections"] == 1
            assert json.loads(browser.get(served.url + "/_sandbox/requests").text)["total"] >= 5


def test_official_xero_python_sdk_against_served_emulator():
    """Xero's own SDK: strict about /Date(ms+0000)/ dates, enum case, envelope keys and the token's keys."""
    sdk = pytest.importorskip("xero_python")
    import datetime

    from xero_python.accounting import AccountingApi, Contact, Contacts, Invoice, Invoices, LineItem
    from xero_python.api_client import ApiClient, Configuration
    from xero_python.api_client.oauth2 import OAuth2Token
    from xero_python.exceptions import AccountingBadRequestException

    emu = XeroEmulator()  # real clock: the SDK checks token expiry against time.time()
    s = login(emu)
    with ServedEmulator(emu.handle) as served:
        store: dict = {}
        client = ApiClient(Configuration(oauth2_token=OAuth2Token(client_id=CLIENT_ID, client_secret="")),
                           pool_threads=1, oauth2_token_getter=lambda: store,
                           oauth2_token_saver=lambda t: store.update(t))
        client.set_oauth2_token(s.tokens)  # accepts only the six keys the token endpoint sends
        api = AccountingApi(client, base_url=served.url + "/api.xro/2.0")
        contacts = api.get_contacts(s.tenant_id, page=1, page_size=5, include_archived=True)
        assert contacts.pagination.item_count == 41 and len(contacts.contacts) == 5
        assert contacts.contacts[0].updated_date_utc.tzinfo is not None
        assert str(contacts.contacts[0].balances.accounts_receivable.outstanding) == "237.60"
        invoices = api.get_invoices(s.tenant_id, page=1, page_size=3, statuses=["PAID"])
        assert invoices.invoices[0].status == "PAID" and invoices.invoices[0].line_items
        assert isinstance(invoices.invoices[0].date, datetime.date)
        created = api.create_contacts(s.tenant_id, Contacts(contacts=[Contact(name="SDK Co"),
                                                                      Contact(name="Acme Catering Pty Ltd")]),
                                      summarize_errors=False)
        assert [c.status_attribute_string for c in created.contacts] == ["OK", "ERROR"]
        invoice = Invoice(type="ACCREC", contact=Contact(contact_id=created.contacts[0].contact_id),
                          date=datetime.date(2026, 10, 1), due_date=datetime.date(2026, 10, 31), status="AUTHORISED",
                          line_items=[LineItem(description="x", quantity=3, unit_amount=0.15, tax_type="OUTPUT",
                                               account_code="200")])
        made = api.create_invoices(s.tenant_id, Invoices(invoices=[invoice])).invoices[0]  # dates go as /Date(ms)/
        assert str(made.total) == "0.50" and made.date == datetime.date(2026, 10, 1)
        with pytest.raises(AccountingBadRequestException, match="must be unique across all active contacts"):
            api.create_contacts(s.tenant_id, Contacts(contacts=[Contact(name="Acme Catering Pty Ltd")]))
        assert api.get_organisations(s.tenant_id).organisations[0].name == "Bluegum Supply Co Pty Ltd"
        assert sdk
