"""Metadata endpoints and scope enforcement."""

from __future__ import annotations

from .conftest import Api

SCOPE_MISMATCH = {"code": "OAUTH_SCOPE_MISMATCH", "details": {}, "message": "Unauthorized", "status": "error"}


def fields_of(api: Api, module: str) -> dict[str, dict]:
    r = api.get("/settings/fields", params={"module": module})
    assert r.status_code == 200, r.text
    return {f["api_name"]: f for f in r.json()["fields"]}


def test_accounts_fields_metadata(api):
    f = fields_of(api, "Accounts")
    assert f["Account_Name"]["system_mandatory"] is True and f["Account_Name"]["length"] == 200
    assert f["Account_Name"]["json_type"] == "string" and f["Account_Name"]["custom_field"] is False
    xid = f["Xero_Contact_ID"]
    assert xid["custom_field"] is True and xid["unique"] == {"casesensitive": "false"} and xid["data_type"] == "text"
    assert xid["created_time"] and xid["column_name"].startswith("ACCOUNTS") and "CF" in xid["column_name"]
    for name in ("Outstanding_Balance", "Overdue_Balance"):
        assert f[name]["data_type"] == "currency" and f[name]["json_type"] == "double"
        assert f[name]["currency"] == {"rounding_option": "normal", "precision": 2}
    assert f["ABN"]["custom_field"] is True and f["Xero_Status"]["data_type"] == "picklist"
    assert f["Owner"]["data_type"] == "ownerlookup" and f["Owner"]["json_type"] == "jsonobject"
    types = [p["actual_value"] for p in f["Account_Type"]["pick_list_values"]]
    assert "Customer" in types and "Prospect" in types
    assert f["Parent_Account"]["lookup"]["module"]["api_name"] == "Accounts"
    assert f["Modified_Time"]["read_only"] is True


def test_other_modules_fields(api):
    contacts = fields_of(api, "Contacts")
    assert contacts["Xero_Contact_ID"]["unique"] and contacts["Last_Name"]["system_mandatory"]
    assert contacts["Account_Name"]["lookup"]["module"]["api_name"] == "Accounts"
    invoices = fields_of(api, "Invoices")
    assert invoices["Xero_Invoice_ID"]["unique"] and invoices["Amount_Paid"]["data_type"] == "currency"
    assert invoices["Balance"]["custom_field"] is True
    items = invoices["Invoiced_Items"]
    assert items["data_type"] == "subform" and items["json_type"] == "jsonarray"
    assert items["associated_module"]["api_name"] == "Invoiced_Items"
    rows = fields_of(api, "Invoiced_Items")
    assert set(rows) >= {"Product_Name", "Quantity", "List_Price", "Discount", "Description", "Line_Tax", "Total",
                         "Net_Total"}
    products = fields_of(api, "Products")
    assert products["Xero_Item_ID"]["unique"] and "Product_Code" in products
    stages = [p["actual_value"] for p in fields_of(api, "Deals")["Stage"]["pick_list_values"]]
    assert "Closed Won" in stages and "Negotiation/Review" in stages
    r = api.get("/settings/fields")
    assert r.status_code == 400 and r.json()["code"] == "REQUIRED_PARAM_MISSING"
    assert api.get("/settings/fields", params={"module": "Nope"}).json()["code"] == "INVALID_MODULE"


def test_modules_org_currencies_users(api):
    modules = {m["api_name"]: m for m in api.get("/settings/modules").json()["modules"]}
    assert set(modules) == {"Leads", "Accounts", "Contacts", "Deals", "Products", "Invoices"}
    assert modules["Accounts"]["api_supported"] and modules["Accounts"]["plural_label"] == "Accounts"
    org = api.get("/org").json()["org"][0]
    assert org["company_name"] == "Bluegum Supply Co Pty Ltd" and org["mc_status"] is True
    assert org["currency"] == "AUD" and org["iso_code"] == "AUD" and org["time_zone"] == "Australia/Sydney"
    assert org["license_details"]["paid_type"] == "enterprise"
    currencies = {c["iso_code"]: c for c in api.get("/org/currencies").json()["currencies"]}
    assert currencies["AUD"]["is_base"] and currencies["AUD"]["exchange_rate"] == "1.000000000"
    assert currencies["NZD"]["is_base"] is False and currencies["NZD"]["exchange_rate"] == "1.090000000"
    users = api.get("/users", params={"type": "CurrentUser"}).json()
    assert [u["email"] for u in users["users"]] == ["tom@bluegumsupply.com.au"]
    assert users["info"] == {"per_page": 200, "count": 1, "page": 1, "more_records": False}
    assert len(api.get("/users").json()["users"]) == 2


def test_scopes_enforced_per_module_and_operation(http, emu):
    reader = Api(http, emu, ["ZohoCRM.modules.contacts.READ"])
    assert reader.get("/Contacts", params={"fields": "Last_Name"}).status_code == 200
    r = reader.get("/Accounts", params={"fields": "Account_Name"})
    assert r.status_code == 401 and r.json() == SCOPE_MISMATCH
    assert reader.post("/Contacts", json={"data": [{"Last_Name": "X"}]}).json() == SCOPE_MISMATCH
    assert reader.get("/settings/fields", params={"module": "Contacts"}).json() == SCOPE_MISMATCH
    assert reader.get("/org").json() == SCOPE_MISMATCH
    writer = Api(http, emu, ["ZohoCRM.modules.accounts.CREATE", "ZohoCRM.settings.fields.READ"])
    assert writer.post("/Accounts", json={"data": [{"Account_Name": "W"}]}).status_code == 201
    assert writer.post("/Accounts/upsert", json={"data": [{"Account_Name": "W"}]}).json() == SCOPE_MISMATCH
    assert writer.delete("/Accounts", params={"ids": "1"}).json() == SCOPE_MISMATCH
    assert writer.get("/settings/fields", params={"module": "Accounts"}).status_code == 200
    upserter = Api(http, emu, ["ZohoCRM.modules.accounts.WRITE"])
    assert upserter.post("/Accounts/upsert", json={"data": [{"Account_Name": "W"}]}).status_code == 200
