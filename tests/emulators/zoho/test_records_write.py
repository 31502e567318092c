"""Writing records: insert/update/upsert results and statuses, validation errors, invoices, delete + /deleted."""

from __future__ import annotations

import json

import httpx
import pytest

from app.emulators.zoho import ZohoEmulator

from .conftest import Api

XERO_ID = "0b9d4c1e-6a47-4f43-9b7e-5c1b2a3d4e5f"


def first(api, module: str, **equals):
    return api.emu.find_records(module, **equals)[0]


def test_insert_success_shape(api, clock):
    r = api.post("/Contacts", json={"data": [{"First_Name": "Anna", "Last_Name": "Kingsley",
                                              "Email": "anna@bentley.com"}], "trigger": []})
    assert r.status_code == 201
    item = r.json()["data"][0]
    assert item["code"] == "SUCCESS" and item["message"] == "record added" and item["status"] == "success"
    d = item["details"]
    assert set(d) == {"Modified_Time", "Modified_By", "Created_Time", "id", "Created_By", "$approval_state"}
    assert d["Created_By"] == {"name": "Tom Whitfield", "id": "3652397000000411001"}
    assert d["Created_Time"] == "2026-11-02T20:00:00+11:00"  # 09:00 UTC in the org's zone
    rec = api.get(f"/Contacts/{d['id']}").json()["data"][0]
    assert rec["Full_Name"] == "Anna Kingsley" and rec["Owner"]["name"] == "Tom Whitfield"
    assert rec["Modified_Time"] == d["Modified_Time"]
    assert int(d["id"]) > int(first(api, "Contacts")["id"])  # monotonic ids


def test_body_without_content_type_and_numeric_ids(api):
    account = first(api, "Accounts")
    raw = json.dumps({"data": [{"Last_Name": "Numbers", "Account_Name": {"id": int(account["id"])}}]}).encode()
    r = api.post("/Contacts", content=raw)  # the official SDK sends no Content-Type
    assert r.status_code == 201, r.text
    rec = api.get(f"/Contacts/{r.json()['data'][0]['details']['id']}").json()["data"][0]
    assert rec["Account_Name"] == {"name": account["Account_Name"], "id": account["id"]}


def test_validation_errors_have_json_path(api):
    account = first(api, "Accounts")
    data = [
        {"First_Name": "No", "Email": "no-last@example.com"},
        {"Last_Name": "X" * 81},
        {"Last_Name": "Ok", "Email": "not-an-email"},
        {"Last_Name": "Ok", "Email_Opt_Out": "false"},
        {"Last_Name": "Ok", "Lead_Source": "Carrier Pigeon"},
        {"Last_Name": "Ok", "Account_Name": {"id": "3652397000099999999"}},
        {"Last_Name": "Ok", "Shoe_Size": 9},
        {"Last_Name": "Fine", "Account_Name": {"id": account["id"]}},
    ]
    r = api.post("/Contacts", json={"data": data})
    assert r.status_code == 207
    out = r.json()["data"]
    assert out[0] == {"code": "MANDATORY_NOT_FOUND", "details": {"api_name": "Last_Name",
                      "json_path": "$.data[0].Last_Name"}, "message": "required field not found", "status": "error"}
    assert out[1]["code"] == "INVALID_DATA" and out[1]["details"] == {
        "maximum_length": 80, "api_name": "Last_Name", "json_path": "$.data[1].Last_Name"}
    assert out[2]["details"]["expected_data_type"] == "email" and out[2]["message"] == "invalid data"
    assert out[3]["details"] == {"expected_data_type": "boolean", "api_name": "Email_Opt_Out",
                                 "json_path": "$.data[3].Email_Opt_Out"}
    assert out[4]["details"]["api_name"] == "Lead_Source"
    assert out[5]["code"] == "INVALID_DATA" and out[5]["details"]["json_path"] == "$.data[5].Account_Name"
    assert out[6]["message"] == "the field api name given seems to be invalid"
    assert out[7]["status"] == "success"


def test_all_failed_is_400_and_too_many_records(api):
    r = api.post("/Accounts", json={"data": [{"Phone": "1"}, {"Website": "x"}]})
    assert r.status_code == 400 and all(d["code"] == "MANDATORY_NOT_FOUND" for d in r.json()["data"])
    r = api.post("/Accounts", json={"data": [{"Account_Name": f"A{i}"} for i in range(101)]})
    assert r.status_code == 400 and r.json()["code"] == "LIMIT_EXCEEDED" and r.json()["details"]["limit"] == 100
    r = api.post("/Accounts", json={"nodata": []})
    assert r.status_code == 400 and r.json()["code"] == "MANDATORY_NOT_FOUND"


def test_duplicate_data_on_unique_custom_field(api):
    r = api.post("/Accounts", json={"data": [{"Account_Name": "One", "Xero_Contact_ID": XERO_ID}]})
    one = r.json()["data"][0]["details"]["id"]
    r = api.post("/Accounts", json={"data": [{"Account_Name": "Two", "Xero_Contact_ID": XERO_ID.upper()}]})
    assert r.status_code == 400
    err = r.json()["data"][0]
    assert err["code"] == "DUPLICATE_DATA" and err["message"] == "duplicate data"
    assert err["details"]["api_name"] == "Xero_Contact_ID" and err["details"]["json_path"] == "$.data[0].Xero_Contact_ID"
    assert err["details"]["id"] == one and err["details"]["duplicate_record"]["id"] == one
    assert err["details"]["duplicate_record"]["module"]["api_name"] == "Accounts"
    assert err["details"]["duplicate_record"]["Owner"]["name"] == "Tom Whitfield"


def test_upsert_insert_update_and_207(api, clock):
    harbour = first(api, "Accounts", Account_Name="Harbour View Cafe")
    clock.advance(60)
    payload = {"data": [
        {"Account_Name": "Harbour View Cafe", "Phone": "02 9555 0144", "Xero_Contact_ID": XERO_ID},
        {"Account_Name": "Brand New Pty Ltd", "Xero_Contact_ID": "11111111-2222-3333-4444-555555555555"},
        {"Phone": "02 1234 5678"},
    ], "duplicate_check_fields": ["Xero_Contact_ID", "Account_Name"], "trigger": ["workflow"]}
    r = api.post("/Accounts/upsert", json=payload)
    assert r.status_code == 207
    upd, ins, bad = r.json()["data"]
    assert upd["action"] == "update" and upd["duplicate_field"] == "Account_Name" and upd["message"] == "record updated"
    assert upd["details"]["id"] == harbour["id"]
    assert upd["details"]["Modified_Time"] != harbour["Modified_Time"]
    assert ins["action"] == "insert" and ins["duplicate_field"] is None and ins["message"] == "record added"
    assert bad["code"] == "MANDATORY_NOT_FOUND" and bad["details"]["json_path"] == "$.data[2].Account_Name"
    # now matched by the unique custom field, even with a changed name
    r = api.post("/Accounts/upsert", json={"data": [{"Account_Name": "Harbour View Café", "Xero_Contact_ID": XERO_ID}],
                                           "duplicate_check_fields": ["Xero_Contact_ID"]})
    assert r.status_code == 200
    assert r.json()["data"][0]["duplicate_field"] == "Xero_Contact_ID"
    assert r.json()["data"][0]["details"]["id"] == harbour["id"]
    r = api.post("/Accounts/upsert", json={"data": [{"Account_Name": "X"}], "duplicate_check_fields": ["Phone"]})
    assert r.status_code == 400 and r.json()["code"] == "INVALID_DATA"


def test_update_bulk_and_single_bumps_modified_time(api, clock):
    contact = first(api, "Contacts", Last_Name="Nguyen")
    clock.advance(1800)
    r = api.put("/Contacts", json={"data": [{"id": contact["id"], "Phone": "02 9000 0000"},
                                            {"id": "3652397000099999999", "Phone": "1"},
                                            {"Phone": "2"}]})
    assert r.status_code == 207
    ok, unknown, no_id = r.json()["data"]
    assert ok["message"] == "record updated" and ok["details"]["Modified_Time"] > contact["Modified_Time"]
    assert unknown["code"] == "INVALID_DATA" and unknown["details"]["api_name"] == "id"
    assert no_id["code"] == "MANDATORY_NOT_FOUND" and no_id["details"]["api_name"] == "id"
    r = api.put(f"/Contacts/{contact['id']}", json={"data": [{"Last_Name": ""}]})
    assert r.status_code == 400 and r.json()["data"][0]["code"] == "MANDATORY_NOT_FOUND"
    r = api.put(f"/Contacts/{contact['id']}", json={"data": [{"Title": "Owner"}]},
                headers={"If-Unmodified-Since": contact["Modified_Time"]})
    assert r.status_code == 412 and r.json()["data"][0]["code"] == "ALREADY_MODIFIED"


def test_invoice_line_items_and_totals(api):
    account = first(api, "Accounts", Account_Name="Kiwi Roasters Ltd")
    cups = first(api, "Products", Product_Code="CUP-12OZ")
    beans = first(api, "Products", Product_Code="BEAN-1KG")
    r = api.post("/Invoices", json={"data": [{
        "Subject": "INV-0042", "Account_Name": {"id": account["id"]}, "Invoice_Date": "2026-11-01",
        "Due_Date": "2026-12-01", "Status": "Created", "Currency": "NZD", "Xero_Invoice_ID": XERO_ID,
        "Invoiced_Items": [
            {"Product_Name": {"id": cups["id"]}, "Quantity": 2, "List_Price": 100.0, "Discount": "10%",
             "Description": "Cups", "Line_Tax": [{"name": "GST", "percentage": 15}]},
            {"Product_Name": {"id": beans["id"]}, "Quantity": 1, "Discount": 2},
        ],
        "Sub_Total": 1, "Grand_Total": 1,
    }]})
    assert r.status_code == 201, r.text
    inv_id = r.json()["data"][0]["details"]["id"]
    inv = api.get(f"/Invoices/{inv_id}").json()["data"][0]
    row1, row2 = inv["Invoiced_Items"]
    assert row1["Total"] == 200.0 and row1["Discount"] == 20.0 and row1["Total_After_Discount"] == 180.0
    assert row1["Tax"] == 27.0 and row1["Net_Total"] == 207.0 and row1["Sequence_Number"] == 1
    assert row2["List_Price"] == 32.0 and row2["Net_Total"] == 30.0  # list price from the product
    assert inv["Sub_Total"] == 237.0 and inv["Tax"] == 0.0 and inv["Grand_Total"] == 237.0
    assert inv["Currency"] == "NZD" and inv["Exchange_Rate"] == 1.09 and inv["$currency_symbol"] == "NZ$"
    assert inv["Invoice_Number"].startswith("INV-")
    # append a row, change one, delete one
    r = api.put(f"/Invoices/{inv_id}", json={"data": [{"Invoiced_Items": [
        {"id": row1["id"], "Quantity": 1},
        {"id": row2["id"], "_delete": None},
        {"Product_Name": {"id": beans["id"]}, "Quantity": 3, "List_Price": 10},
    ]}]})
    assert r.status_code == 200, r.text
    inv = api.get(f"/Invoices/{inv_id}").json()["data"][0]
    assert [row["Quantity"] for row in inv["Invoiced_Items"]] == [1.0, 3.0]
    # a "10%" discount is stored as its amount (20.0) when written, so it stays 20 when the quantity changes
    assert inv["Invoiced_Items"][0]["Net_Total"] == 92.0 and inv["Grand_Total"] == 122.0
    r = api.put(f"/Invoices/{inv_id}", json={"data": [{"Invoiced_Items": []}]})  # [] clears the rows
    assert r.status_code == 200
    inv = api.get(f"/Invoices/{inv_id}").json()["data"][0]
    assert inv["Invoiced_Items"] == [] and inv["Sub_Total"] == 0.0
    r = api.post("/Invoices", json={"data": [{"Subject": "No rows", "Account_Name": {"id": account["id"]}}]})
    assert r.json()["data"][0]["details"]["api_name"] == "Invoiced_Items"


def test_invoice_ex_tax_switch(clock):
    emu = ZohoEmulator(clock=clock, switches={"invoice_subtotal": "ex_tax"})
    api = Api(httpx.Client(transport=emu.as_transport()), emu)
    account, product = first(api, "Accounts"), first(api, "Products")
    r = api.post("/Invoices", json={"data": [{"Subject": "S", "Account_Name": {"id": account["id"]},
                                              "Invoiced_Items": [{"Product_Name": {"id": product["id"]}, "Quantity": 1,
                                                                  "List_Price": 100,
                                                                  "Line_Tax": [{"name": "GST", "percentage": 10}]}]}]})
    inv = api.get(f"/Invoices/{r.json()['data'][0]['details']['id']}").json()["data"][0]
    assert (inv["Sub_Total"], inv["Tax"], inv["Grand_Total"]) == (100.0, 10.0, 110.0)


def test_delete_and_deleted_records(api, clock):
    a, b = api.emu.find_records("Leads")[:2]
    r = api.delete("/Leads", params={"ids": f"{a['id']},3652397000099999999"})
    assert r.status_code == 207
    assert r.json()["data"][0] == {"code": "SUCCESS", "details": {"id": a["id"]}, "message": "record deleted",
                                   "status": "success"}
    assert r.json()["data"][1]["code"] == "INVALID_DATA"
    clock.advance(10)
    assert api.delete(f"/Leads/{b['id']}").status_code == 200
    assert api.get(f"/Leads/{b['id']}").status_code == 204
    body = api.get("/Leads/deleted", params={"type": "recycle"}).json()
    assert [d["id"] for d in body["data"]] == [b["id"], a["id"]]
    entry = body["data"][0]
    assert entry["type"] == "recycle" and entry["display_name"] == b["Full_Name"]
    assert entry["deleted_by"]["name"] == "Tom Whitfield" and entry["deleted_time"].endswith("+11:00")
    assert body["info"] == {"per_page": 200, "count": 2, "page": 1, "more_records": False}
    since = api.get("/Leads/deleted", headers={"If-Modified-Since": entry["deleted_time"]}).json()
    assert [d["id"] for d in since["data"]] == [b["id"]]
    assert api.get("/Leads/deleted", params={"type": "permanent"}).status_code == 204
    clock.advance(61 * 86400)
    perm = api.get("/Leads/deleted", params={"type": "permanent"}, headers=fresh_auth(api)).json()["data"][0]
    assert perm["deleted_by"] is None and perm["display_name"] is None and perm["type"] == "permanent"
    assert api.get("/Leads/deleted", params={"type": "bogus"}, headers=fresh_auth(api)).json()["code"] == \
        "PATTERN_NOT_MATCHED"
    assert api.get("/Accounts/deleted", headers=fresh_auth(api)).status_code == 204


def fresh_auth(api) -> dict[str, str]:
    """Headers with a new token (the fixture's token expires when the clock jumps by days)."""
    return {"Authorization": "Zoho-oauthtoken " + api.emu.issue_tokens()["access_token"]}


@pytest.mark.parametrize("module,values", [
    ("Deals", {"Deal_Name": "New deal", "Stage": "Qualification", "Closing_Date": "2027-01-01"}),
    ("Products", {"Product_Name": "Thing", "Product_Code": "TH-1", "Unit_Price": "12.50"}),
    ("Leads", {"Last_Name": "Lead", "Company": "Co"}),
])
def test_other_modules_insert(api, module, values):
    r = api.post(f"/{module}", json={"data": [values]})
    assert r.status_code == 201, r.text
    rec = api.get(f"/{module}/{r.json()['data'][0]['details']['id']}").json()["data"][0]
    if module == "Deals":
        assert rec["Probability"] == 10 and rec["Pipeline"] == "Standard (Standard)"
    if module == "Products":
        assert rec["Unit_Price"] == 12.5
