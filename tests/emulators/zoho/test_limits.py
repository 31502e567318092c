"""Credits, concurrency, editions and fault injection."""

from __future__ import annotations

import httpx

from app.emulators.zoho import ZohoEmulator

from .conftest import Api

TOO_MANY = {"code": "TOO_MANY_REQUESTS", "details": {},
            "message": "Number of API requests for the 24 hour period is exceeded or the concurrency limit of the "
                       "user for the app is exceeded.", "status": "error"}


def fresh(clock, **kw) -> Api:
    emu = ZohoEmulator(clock=clock, **kw)
    return Api(httpx.Client(transport=emu.as_transport()), emu)


def test_credit_header_appears_at_half_and_429_when_spent(clock):
    api = fresh(clock, seed="empty", edition="free")  # 5,000 credits a day
    r = api.get("/org")
    assert r.status_code == 200 and "X-API-CREDITS-REMAINING" not in r.headers
    api.emu.use_credits(2497)
    assert "X-API-CREDITS-REMAINING" not in api.get("/org").headers  # 2,499 used after this call
    r = api.get("/org")  # 2,500 = half the allowance
    assert r.headers["X-API-CREDITS-REMAINING"] == "2500"
    api.emu.use_credits(2499)
    assert api.get("/org").headers["X-API-CREDITS-REMAINING"] == "0"
    r = api.get("/org")
    assert r.status_code == 429 and r.json() == TOO_MANY
    assert "Retry-After" not in r.headers and not any(h.lower().startswith("x-ratelimit") for h in r.headers)
    clock.advance(86400)  # rolling 24 h: the credits spent a day ago are free again
    api = Api(api.http, api.emu)
    assert api.get("/org").status_code == 200


def test_writes_cost_one_credit_per_ten_records(clock):
    api = fresh(clock, seed="empty")
    used = api.emu.summary()["credits_used"]
    api.post("/Accounts", json={"data": [{"Account_Name": f"A{i}"} for i in range(25)]})
    assert api.emu.summary()["credits_used"] - used == 3
    api.post("/Accounts/upsert", json={"data": [{"Account_Name": "A1"}]})
    assert api.emu.summary()["credits_used"] - used == 4


def test_credits_control_endpoint(clock):
    api = fresh(clock, seed="empty")
    r = api.http.post("https://www.zohoapis.com/_sandbox/zoho/credits", json={"used": 40000})
    assert r.json()["credits_used"] == 40000 and r.json()["credits_allowance"] == 55000
    assert api.get("/org").headers["X-API-CREDITS-REMAINING"] == "14999"


def test_concurrency_and_sub_concurrency(clock):
    api = fresh(clock, seed="empty")  # enterprise: 20 in flight, 10 for heavy calls
    big = {"data": [{"Account_Name": f"A{i}"} for i in range(11)]}
    small = {"data": [{"Account_Name": "S"}]}
    with api.emu.occupy_slots(10, heavy=True):
        assert api.post("/Accounts", json=big).status_code == 429
        assert api.post("/Accounts", json=small).status_code == 201
        r = api.get("/Accounts", params={"fields": "Account_Name", "sort_by": "Modified_Time"})
        assert r.status_code == 429 and r.json() == TOO_MANY
    assert api.post("/Accounts", json=big).status_code == 201
    with api.emu.occupy_slots(20):
        assert api.get("/org").status_code == 429
    assert api.get("/org").status_code == 200


def test_limits_off(clock):
    api = fresh(clock, seed="empty", edition="free", limits="off")
    api.emu.use_credits(10_000)
    with api.emu.occupy_slots(50, heavy=True):
        r = api.get("/org")
    assert r.status_code == 200 and "X-API-CREDITS-REMAINING" not in r.headers


def test_fault_injection(api):
    control = "https://www.zohoapis.com/_sandbox/faults"
    api.http.post(control, json={"force_429": 1})
    r = api.get("/org")
    assert r.status_code == 429 and r.json() == TOO_MANY
    r = api.http.post("https://accounts.zoho.com/_sandbox/faults", json={"force_429": 1})
    r = api.http.post("https://accounts.zoho.com/oauth/v2/token", data={"grant_type": "refresh_token"})
    assert r.json()["error"] == "Access Denied"
    api.http.post(control, json={"error_rate": 1.0})
    r = api.get("/org")
    assert r.status_code == 500 and r.json() == {"code": "INTERNAL_ERROR", "details": {},
                                                 "message": "Internal Server Error", "status": "error"}
    api.http.post(control, json={"html_errors": True})
    r = api.get("/org")
    assert r.status_code == 500 and r.headers["content-type"].startswith("text/html")
    api.http.post(control, json={"clear": True})
    assert api.get("/org").status_code == 200
    counts = api.http.get("https://www.zohoapis.com/_sandbox/requests").json()
    assert counts["by_endpoint"]["GET /crm/v8/org"] == 4


def test_edition_without_invoices(clock):
    api = fresh(clock, seed="empty", edition="standard")
    r = api.get("/Invoices", params={"fields": "Subject"})
    assert r.status_code == 400 and r.json()["code"] == "INVALID_MODULE"
    modules = {m["api_name"]: m for m in api.get("/settings/modules").json()["modules"]}
    assert modules["Invoices"]["api_supported"] is False
    org = api.get("/org").json()["org"][0]
    assert org["license_details"]["paid_type"] == "standard"
    api = fresh(clock, seed="empty", edition="free", switches={"inventory_absent_error": "NO_PERMISSION"})
    assert api.get("/Invoices", params={"fields": "Subject"}).status_code == 403
