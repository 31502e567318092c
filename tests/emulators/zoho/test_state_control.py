"""Seeds, state save/load/reset, and the sandbox control API ("edits in the Zoho web UI")."""

from __future__ import annotations

import json

import httpx

from app.emulators import demo_story
from app.emulators.clock import VirtualClock
from app.emulators.zoho import SWITCHES, ZohoEmulator

CONTROL = "https://www.zohoapis.com/_sandbox"


def names(emu: ZohoEmulator, module: str, key: str) -> list:
    return [r[key] for r in emu.find_records(module)]


def test_demo_seed_tells_the_story(emu, clock):
    accounts = names(emu, "Accounts", "Account_Name")
    in_zoho = [c for c in demo_story.CUSTOMERS if c["zoho"] is not None]
    assert len(accounts) == len(in_zoho) + 1 + len(demo_story.ZOHO_ONLY_ACCOUNTS)
    assert "Acme Catering Pty. Ltd." in accounts and "Acme Catering Pty Ltd" not in accounts
    assert "Emu Plains Hardware" in accounts and "Emu Plains Hardware & Garden" in accounts
    assert "Greenleaf Organic Grocers" in accounts and "Magpie Print House" not in accounts
    harbour = emu.find_records("Accounts", Account_Name="Harbour View Cafe")[0]
    assert harbour["Phone"] == "02 9555 0199" and harbour["Xero_Contact_ID"] is None
    assert emu.find_records("Accounts", Account_Name="Koala Kids Childcare Pty Ltd")[0]["Email"] == \
        "admin@koalakids.com.au"
    kiwi = emu.find_records("Accounts", Account_Name="Kiwi Roasters Ltd")[0]
    assert kiwi["Currency"] == "NZD" and kiwi["Billing_Country"] == "New Zealand"
    contacts = emu.find_records("Contacts")
    assert {c["Email"] for c in contacts} >= {"sarah@acmecatering.com.au", "aroha@kiwiroasters.co.nz"}
    assert "mark@acmecatering.com.au" not in {c["Email"] for c in contacts}  # first person only
    assert sum(1 for c in contacts if c["Account_Name"] is None) == 3
    assert len(emu.find_records("Leads")) == len(demo_story.ZOHO_LEADS)
    codes = set(names(emu, "Products", "Product_Code"))
    assert codes == {i[0] for i in demo_story.ITEMS if i[-1]} and "LID-8OZ" not in codes
    deals = emu.find_records("Deals")
    assert {d["Stage"] for d in deals} == {d[2] for d in demo_story.DEALS}
    won = [d for d in deals if d["Stage"] == "Closed Won"]
    assert len(won) == 4 and all(d["Account_Name"]["id"] for d in won)
    now = clock.time()
    for rec in emu.find_records("Accounts") + deals:
        assert rec["Modified_Time"] >= rec["Created_Time"]
    stamps = [r["_mtime"] for r in emu.state.records["Accounts"].values()]
    assert max(stamps) < now and min(stamps) < now - 90 * 86400  # spread over the past months
    twin = ZohoEmulator(clock=VirtualClock())
    assert twin.export_state()["records"] == emu.export_state()["records"]  # deterministic


def test_state_round_trip(emu, api, clock):
    api.post("/Accounts", json={"data": [{"Account_Name": "Saved Pty Ltd"}]})
    emu.ui_delete("Leads", emu.find_records("Leads")[0]["id"])
    state = emu.export_state()
    text = json.dumps(state)  # JSON-serialisable
    other = ZohoEmulator(clock=clock, seed="empty")
    other.import_state(json.loads(text))
    assert other.export_state() == state
    assert other.find_records("Accounts", Account_Name="Saved Pty Ltd")
    # the token survived too, so the same client keeps working against the loaded copy
    api2 = type(api)(httpx.Client(transport=other.as_transport()), other)
    api2.tokens = api.tokens
    assert api2.get("/Accounts", params={"fields": "Account_Name"}).status_code == 200
    assert api2.get("/Leads/deleted").json()["info"]["count"] == 1
    # ids keep growing after a load
    r = api2.post("/Accounts", json={"data": [{"Account_Name": "After load"}]})
    assert int(r.json()["data"][0]["details"]["id"]) > max(int(i) for i in other.state.records["Accounts"]
                                                          if i != r.json()["data"][0]["details"]["id"])
    # over HTTP as well, and reset goes back to the seed
    http = api.http
    assert http.put(f"{CONTROL}/state", json=http.get(f"{CONTROL}/state").json()).json() == {"loaded": True}
    assert http.post(f"{CONTROL}/reset").json() == {"reset": True}
    assert not emu.find_records("Accounts", Account_Name="Saved Pty Ltd")


def test_control_edits_over_http(api, emu, clock):
    http = api.http
    since = clock.now().isoformat(timespec="seconds")
    clock.advance(30)
    r = http.post(f"{CONTROL}/zoho/accounts", json={"Account_Name": "Walk-in Customer", "Phone": "02 9555 7777"})
    assert r.status_code == 201
    new = r.json()["data"]
    assert new["Created_By"]["name"] == "Priya Raman"
    acme = emu.find_records("Accounts", Account_Name="Acme Catering Pty. Ltd.")[0]
    r = http.patch(f"{CONTROL}/zoho/Accounts/{acme['id']}", json={"Phone": "02 9555 0102", "_user": "admin"})
    assert r.status_code == 200 and r.json()["data"]["Modified_By"]["name"] == "Tom Whitfield"
    deal = emu.find_records("Deals", Stage="Negotiation/Review")[0]
    r = http.post(f"{CONTROL}/zoho/deals/{deal['id']}/stage", json={"Stage": "Closed Won"})
    assert r.json()["data"]["Stage"] == "Closed Won" and r.json()["data"]["Probability"] == 100
    lead = emu.find_records("Leads")[0]
    assert http.delete(f"{CONTROL}/zoho/Leads/{lead['id']}").status_code == 200
    changed = api.get("/Accounts", params={"fields": "Account_Name"}, headers={"If-Modified-Since": since}).json()
    assert {d["id"] for d in changed["data"]} == {new["id"], acme["id"]}
    assert [d["id"] for d in api.get("/Deals", params={"fields": "Stage"},
                                     headers={"If-Modified-Since": since}).json()["data"]] == [deal["id"]]
    assert api.get("/Leads/deleted").json()["data"][0]["id"] == lead["id"]
    summary = http.get(f"{CONTROL}/zoho/summary").json()
    assert summary["modules"]["Accounts"] == 33 and summary["deleted"]["Leads"] == 1
    r = http.patch(f"{CONTROL}/zoho/Accounts/{acme['id']}", json={"Account_Type": "Nonsense"})
    assert r.status_code == 400 and r.json()["code"] == "INVALID_DATA"
    assert http.patch(f"{CONTROL}/zoho/Accounts/1", json={}).status_code == 404
    assert http.post(f"{CONTROL}/zoho/deals/{deal['id']}/stage", json={"Stage": "Won"}).status_code == 400


def test_schema_changes_under_the_mapping(api, emu):
    http = api.http
    r = http.post(f"{CONTROL}/zoho/fields/Accounts", json={"api_name": "Customer_Tier", "data_type": "picklist",
                                                          "pick_list_values": ["Gold", "Silver"]})
    assert r.status_code == 200 and r.json()["field"]["custom"] is True
    fields = {f["api_name"]: f for f in api.get("/settings/fields", params={"module": "Accounts"}).json()["fields"]}
    assert [p["actual_value"] for p in fields["Customer_Tier"]["pick_list_values"]] == ["Gold", "Silver"]
    bad = api.post("/Accounts", json={"data": [{"Account_Name": "T", "Customer_Tier": "Bronze"}]})
    assert bad.json()["data"][0]["details"]["api_name"] == "Customer_Tier"
    # rename the field the sync maps to, and make another mandatory
    emu.define_field("Accounts", {"api_name": "Xero_Contact_ID", "new_api_name": "Xero_Contact_Id"})
    emu.define_field("Accounts", {"api_name": "ABN", "mandatory": True})
    fields = {f["api_name"] for f in api.get("/settings/fields", params={"module": "Accounts"}).json()["fields"]}
    assert "Xero_Contact_ID" not in fields and "Xero_Contact_Id" in fields
    r = api.post("/Accounts", json={"data": [{"Account_Name": "T", "Xero_Contact_ID": "x"}]})
    assert r.json()["data"][0]["message"] == "the field api name given seems to be invalid"
    r = api.post("/Accounts", json={"data": [{"Account_Name": "T"}]})
    assert r.json()["data"][0]["details"]["api_name"] == "ABN"
    emu.define_field("Accounts", {"api_name": "Customer_Tier", "remove": True})
    assert "Customer_Tier" not in {f["api_name"] for f in
                                   api.get("/settings/fields", params={"module": "Accounts"}).json()["fields"]}


def test_switches_are_documented_and_checked():
    assert all(isinstance(doc, str) and doc for _default, doc in SWITCHES.values())
    try:
        ZohoEmulator(seed="empty", switches={"no_such_switch": 1})
    except KeyError as exc:
        assert "no_such_switch" in str(exc)
    else:
        raise AssertionError("an unknown switch must be refused")
