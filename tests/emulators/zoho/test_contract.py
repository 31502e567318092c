"""Contract tests: emulator answers validate against Zoho's own CRM v8 OpenAPI files (see :mod:`.oas`)."""

from __future__ import annotations

import pytest

from .oas import Contract, prepare

XERO_ID = "9a0e1b2c-3d4e-4f50-8a6b-7c8d9e0f1a2b"


@pytest.fixture(scope="module")
def specs(tmp_path_factory) -> dict[str, Contract]:
    paths = prepare(tmp_path_factory.mktemp("zoho-oas"))
    return {name: Contract(paths[name]) for name in ("record", "fields", "org", "currencies")}


def test_lists_validate(api, specs):
    field_sets = {
        "Accounts": "Account_Name,Phone,Email,Owner,Created_By,Modified_Time,Created_Time,Tag,Currency,Xero_Contact_ID",
        "Contacts": "First_Name,Last_Name,Email,Account_Name,Modified_Time",
        "Deals": "Deal_Name,Stage,Amount,Closing_Date,Account_Name",
        "Products": "Product_Name,Product_Code,Unit_Price",
        "Leads": "Last_Name,Company,Lead_Status",
    }
    for module, fields in field_sets.items():
        r = api.get(f"/{module}", params={"fields": fields, "per_page": 5})
        assert r.status_code == 200
        specs["record"].check(r)
    last = api.get("/Accounts", params={"fields": "Account_Name", "per_page": 200})
    assert last.json()["info"]["next_page_token"] is None
    specs["record"].check(last)


def test_get_by_id_validates(api, specs):
    account = api.emu.find_records("Accounts")[0]
    product = api.emu.find_records("Products")[0]
    r = api.post("/Invoices", json={"data": [{
        "Subject": "Contract", "Account_Name": {"id": account["id"]},
        "Invoiced_Items": [{"Product_Name": {"id": product["id"]}, "Quantity": 1,
                            "Line_Tax": [{"name": "GST", "percentage": 10}]}]}]})
    specs["record"].check(r)
    inv_id = r.json()["data"][0]["details"]["id"]
    for path in (f"/Invoices/{inv_id}", f"/Accounts/{account['id']}",
                 f"/Deals/{api.emu.find_records('Deals')[0]['id']}"):
        r = api.get(path)
        assert r.status_code == 200
        specs["record"].check(r)


def test_write_results_validate(api, specs):
    r = api.post("/Accounts", json={"data": [{"Account_Name": "Contract Co", "Xero_Contact_ID": XERO_ID}]})
    assert r.status_code == 201
    specs["record"].check(r)
    new_id = r.json()["data"][0]["details"]["id"]
    r = api.put("/Accounts", json={"data": [{"id": new_id, "Phone": "02 9000 1111"}]})
    assert r.status_code == 200
    specs["record"].check(r)
    r = api.post("/Accounts/upsert", json={"data": [
        {"Account_Name": "Contract Co", "Xero_Contact_ID": XERO_ID},
        {"Account_Name": "Another Contract Co"},
        {"Phone": "1"},
    ], "duplicate_check_fields": ["Xero_Contact_ID"]})
    assert r.status_code == 207
    specs["record"].check(r)
    r = api.post("/Accounts", json={"data": [{"Account_Name": "Dup", "Xero_Contact_ID": XERO_ID}, {"Phone": "2"}]})
    assert r.status_code == 400 and r.json()["data"][0]["code"] == "DUPLICATE_DATA"
    specs["record"].check(r)
    r = api.delete("/Accounts", params={"ids": new_id})
    assert r.status_code == 200
    specs["record"].check(r)
    api.emu.ui_delete("Leads", api.emu.find_records("Leads")[0]["id"], permanent=True)
    api.delete(f"/Leads/{api.emu.find_records('Leads')[0]['id']}")
    r = api.get("/Leads/deleted")
    assert {d["type"] for d in r.json()["data"]} == {"recycle", "permanent"}
    specs["record"].check(r)


# these three between them use every data type the emulator renders (validation costs ~1 s per module)
@pytest.mark.parametrize("module", ["Accounts", "Invoices", "Invoiced_Items"])
def test_fields_validate(api, specs, module):
    r = api.get("/settings/fields", params={"module": module})
    assert r.status_code == 200
    specs["fields"].check(r)


def test_org_and_currencies_validate(api, specs):
    # users.json is not checked: its schema was generated from one example (email pattern
    # "[a-z0-9]{9}[@][a-z0-9]{5}[.]com", date_format enum ["MMM d, yyyy"], time_zone typed as object).
    specs["org"].check(api.get("/org"))
    specs["currencies"].check(api.get("/org/currencies"))
