"""Reading records: fields/per_page rules, info, the 2,000 cap and page_token, sorting, 204/304, GET by id."""

from __future__ import annotations

import httpx
import pytest

from app.emulators.clock import VirtualClock
from app.emulators.zoho import ZohoEmulator

from .conftest import Api

INFO_KEYS = {"call", "per_page", "next_page_token", "count", "sort_by", "page", "previous_page_token",
             "page_token_expiry", "sort_order", "email", "more_records"}


@pytest.fixture(scope="module")
def big() -> tuple[ZohoEmulator, httpx.Client, Api]:
    emu = ZohoEmulator(clock=VirtualClock(), seed="large:2450")
    http = httpx.Client(transport=emu.as_transport())
    return emu, http, Api(http, emu)


def test_fields_is_mandatory_and_capped_at_50(api):
    r = api.get("/Accounts")
    assert r.status_code == 400
    assert r.json() == {"code": "REQUIRED_PARAM_MISSING", "details": {"param_name": "fields"},
                        "message": "One of the expected parameter is missing", "status": "error"}
    names = [fd["api_name"] for fd in api.emu.state.fields["Accounts"]] * 2  # 39 fields; repeats count too
    r = api.get("/Accounts", params={"fields": ",".join(names[:51])})
    assert r.status_code == 400
    assert r.json()["code"] == "LIMIT_EXCEEDED" and r.json()["details"] == {"limit": 50, "param_name": "fields"}
    assert api.get("/Accounts", params={"fields": ",".join(names[:50])}).status_code == 200
    r = api.get("/Accounts", params={"fields": "Account_Name,Not_A_Field"})
    assert r.status_code == 400 and r.json()["details"]["api_name"] == "Not_A_Field"


def test_list_shape_info_and_id_always_present(api):
    r = api.get("/Accounts", params={"fields": "Account_Name,Phone"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert set(body["info"]) == INFO_KEYS
    info = body["info"]
    assert info["per_page"] == 200 and info["page"] == 1 and info["sort_by"] == "id" and info["sort_order"] == "desc"
    assert info["more_records"] is False and info["next_page_token"] is None and info["count"] == len(body["data"])
    row = body["data"][0]
    assert set(row) == {"id", "Account_Name", "Phone"}
    assert isinstance(row["id"], str) and len(row["id"]) == 19 and row["id"].isdigit()
    ids = [d["id"] for d in body["data"]]
    assert ids == sorted(ids, reverse=True)


def test_per_page_limits(api):
    r = api.get("/Accounts", params={"fields": "Account_Name", "per_page": 201})
    assert r.status_code == 400 and r.json()["code"] == "INVALID_DATA"
    r = api.get("/Accounts", params={"fields": "Account_Name", "per_page": 5})
    body = r.json()
    assert body["info"]["count"] == 5 and body["info"]["more_records"] is True
    assert body["info"]["next_page_token"]  # present from page 1
    page2 = api.get("/Accounts", params={"fields": "Account_Name", "per_page": 5, "page": 2}).json()
    assert page2["info"]["page"] == 2
    assert not {d["id"] for d in page2["data"]} & {d["id"] for d in body["data"]}


def test_sorting(api):
    for sort_by, key in (("Modified_Time", "Modified_Time"), ("Created_Time", "Created_Time")):
        for order in ("asc", "desc"):
            body = api.get("/Accounts", params={"fields": key, "sort_by": sort_by, "sort_order": order}).json()
            stamps = [d[key] for d in body["data"]]
            assert stamps == sorted(stamps, reverse=order == "desc")
            assert body["info"]["sort_by"] == sort_by and body["info"]["sort_order"] == order
    r = api.get("/Accounts", params={"fields": "Account_Name", "sort_by": "Account_Name"})
    assert r.status_code == 400 and r.json()["details"]["supported_values"] == ["id", "Created_Time", "Modified_Time"]


def test_discrete_cap_and_page_token_walk_to_the_end(big):
    emu, _http, api = big
    params = {"fields": "Account_Name", "per_page": 200, "sort_by": "Modified_Time", "sort_order": "asc"}
    assert api.get("/Accounts", params={**params, "page": 10}).status_code == 200
    r = api.get("/Accounts", params={**params, "page": 11})
    assert r.status_code == 400
    assert r.json() == {"code": "DISCRETE_PAGINATION_LIMIT_EXCEEDED", "details": {"limit": 2000},
                        "message": "You can only get the first 2000 records without using page_token param",
                        "status": "error"}
    seen: list[str] = []
    body = api.get("/Accounts", params=params).json()
    pages = 1
    while True:
        seen += [d["id"] for d in body["data"]]
        if not body["info"]["more_records"]:
            break
        assert body["info"]["page_token_expiry"]
        body = api.get("/Accounts", params={**params, "page_token": body["info"]["next_page_token"]}).json()
        pages += 1
        assert body["info"]["page"] == pages
    assert len(seen) == len(set(seen)) == 2450 and pages == 13
    assert body["info"]["next_page_token"] is None and body["info"]["previous_page_token"]


def test_page_token_bound_to_params_and_expires(big):
    emu, _http, api = big
    params = {"fields": "Account_Name", "per_page": 200}
    token = api.get("/Accounts", params=params).json()["info"]["next_page_token"]
    r = api.get("/Accounts", params={**params, "per_page": 100, "page_token": token})
    assert r.status_code == 400 and r.json()["code"] == "TOKEN_BOUND_DATA_MISMATCH"
    r = api.get("/Accounts", params={**params, "page": 2, "page_token": token})
    assert r.status_code == 400 and r.json()["code"] == "AMBIGUITY_DURING_PROCESSING"
    other = Api(api.http, emu)  # tokens are user-bound; the same user may reuse them
    assert other.get("/Accounts", params={**params, "page_token": token}).status_code == 200
    again = api.get("/Accounts", params=params).json()["info"]["next_page_token"]
    assert again == token  # the same page hands out the same live token
    emu.state.page_tokens[token]["offset"] = 100_000  # as if 100k records had been walked
    r = api.get("/Accounts", params={**params, "page_token": token})
    assert r.status_code == 400 and r.json()["code"] == "PAGINATION_LIMIT_EXCEEDED"
    emu.state.page_tokens[token]["offset"] = 200
    emu.clock.advance(86401)
    other = Api(api.http, emu)
    r = other.get("/Accounts", params={**params, "page_token": token})
    assert r.status_code == 400 and r.json()["code"] == "EXPIRED_VALUE"
    assert r.json()["details"] == {"api_name": "page_token", "json_path": "$.query.page_token"}


def test_if_modified_since_304_and_204(api, emu, clock):
    now = clock.now().isoformat(timespec="seconds")
    r = api.get("/Accounts", params={"fields": "Account_Name"}, headers={"If-Modified-Since": now})
    assert r.status_code == 304 and r.content == b""
    clock.advance(5)
    rec = emu.find_records("Accounts", Account_Name="Harbour View Cafe")[0]
    emu.ui_edit("Accounts", rec["id"], {"Phone": "02 9555 0100"})
    r = api.get("/Accounts", params={"fields": "Account_Name,Phone,Modified_Time"},
                headers={"If-Modified-Since": now})
    assert r.status_code == 200 and [d["id"] for d in r.json()["data"]] == [rec["id"]]
    stamp = r.json()["data"][0]["Modified_Time"]
    # inclusive at second precision (clients add a second), with the org's offset
    assert stamp.endswith("+11:00")
    r = api.get("/Accounts", params={"fields": "Account_Name"}, headers={"If-Modified-Since": stamp})
    assert r.status_code == 200
    assert api.get(f"/Accounts/{rec['id']}", headers={"If-Modified-Since": stamp}).status_code == 200
    clock.advance(1)
    later = clock.now().isoformat(timespec="seconds")
    assert api.get(f"/Accounts/{rec['id']}", headers={"If-Modified-Since": later}).status_code == 304
    empty = Api(api.http, ZohoEmulator(clock=clock, seed="empty"))
    empty.http = httpx.Client(transport=empty.emu.as_transport())
    r = empty.get("/Accounts", params={"fields": "Account_Name"})
    assert r.status_code == 204 and r.content == b""
    r = empty.get("/Accounts", params={"fields": "Account_Name"}, headers={"If-Modified-Since": now})
    assert r.status_code == 204


def test_ids_filter_and_converted_leads(api, emu):
    ids = [r["id"] for r in emu.find_records("Accounts")][:3]
    body = api.get("/Accounts", params={"fields": "Account_Name", "ids": ",".join(ids)}).json()
    assert sorted(d["id"] for d in body["data"]) == sorted(ids)
    lead = emu.find_records("Leads")[0]
    emu.ui_edit("Leads", lead["id"], {"Converted__s": True})
    def names(converted: str | None) -> set[str]:
        params = {"fields": "Last_Name"} | ({"converted": converted} if converted else {})
        return {d["id"] for d in api.get("/Leads", params=params).json()["data"]}
    assert lead["id"] not in names(None) and lead["id"] not in names("false")
    assert names("true") == {lead["id"]} and lead["id"] in names("both") and len(names("both")) == 5


def test_subforms_only_on_get_by_id(api):
    product = api.get("/Products", params={"fields": "Product_Name,Unit_Price"}).json()["data"][0]
    account = api.get("/Accounts", params={"fields": "Account_Name"}).json()["data"][0]
    created = api.post("/Invoices", json={"data": [{
        "Subject": "INV-T1", "Account_Name": {"id": account["id"]},
        "Invoiced_Items": [{"Product_Name": {"id": product["id"]}, "Quantity": 2, "List_Price": 10.0}],
    }]})
    assert created.status_code == 201, created.text
    inv_id = created.json()["data"][0]["details"]["id"]
    listed = api.get("/Invoices", params={"fields": "Subject,Invoiced_Items,Grand_Total"}).json()["data"][0]
    assert "Invoiced_Items" not in listed and listed["Grand_Total"] == 20.0
    full = api.get(f"/Invoices/{inv_id}").json()["data"][0]
    assert full["Invoiced_Items"][0]["Product_Name"] == {"name": product["Product_Name"], "id": product["id"]}
    assert full["$has_more"] == {"Invoiced_Items": False}
    assert full["Owner"]["email"] and full["Created_By"]["id"] and full["Tag"] == []
    assert full["$currency_symbol"] == "A$" and full["Currency"] == "AUD" and full["Exchange_Rate"] == 1.0
    assert full["Record_Status__s"] == "Available" and full["Locked__s"] is False
    assert full["$approval_state"] == "approved"
    narrow = api.get(f"/Invoices/{inv_id}", params={"fields": "Subject"}).json()["data"][0]
    assert narrow == {"id": inv_id, "Subject": "INV-T1"}


def test_get_by_id_unknown_and_module_names(api, emu, clock):
    assert api.get("/Accounts/3652397000099999999").status_code == 204
    strict = ZohoEmulator(clock=clock, seed="empty", switches={"missing_record_get": "invalid_data"})
    c = Api(httpx.Client(transport=strict.as_transport()), strict)
    assert c.get("/Accounts/3652397000099999999").json()["code"] == "INVALID_DATA"
    assert api.get("/accounts", params={"fields": "Account_Name"}).status_code == 200  # case-insensitive
    r = api.get("/Widgets", params={"fields": "Name"})
    assert r.status_code == 400 and r.json() == {"code": "INVALID_MODULE", "details": {"resource_path_index": 0},
                                                "message": "the module name given seems to be invalid",
                                                "status": "error"}
    r = api.post("/Widgets", json={"data": [{}]})
    assert r.json()["data"][0]["code"] == "INVALID_MODULE"
    r = api.http.get("https://www.zohoapis.com/crm/v7/Accounts", headers=api.auth)
    assert r.status_code == 404 and r.json()["code"] == "INVALID_URL_PATTERN"


def test_search(api, emu):
    def ids(**params: str) -> list[str]:
        r = api.get("/Accounts/search", params=params)
        return [] if r.status_code == 204 else [d["Account_Name"] for d in r.json()["data"]]
    assert ids(criteria="(Account_Name:starts_with:Emu Plains)") == ["Emu Plains Hardware",
                                                                     "Emu Plains Hardware & Garden"]
    assert ids(criteria="((Account_Name:equals:Catering)or(Billing_City:equals:Katoomba))") == [
        "Acme Catering Pty. Ltd.", "Blue Mountains Retreat"]
    assert ids(criteria=r"(Account_Name:equals:Wattle and Co Interiors)") == ["Wattle and Co Interiors"]
    assert ids(email="ADMIN@koalakids.com.au") == ["Koala Kids Childcare Pty Ltd"]
    assert ids(phone="9555 0199") == ["Harbour View Cafe"]
    assert ids(word="zzzz") == []
    r = api.get("/Accounts/search")
    assert r.status_code == 400 and r.json()["code"] == "EXPECTED_PARAM_MISSING"
    r = api.get("/Accounts/search", params={"criteria": "(Nope:equals:1)"})
    assert r.json()["code"] == "INVALID_QUERY"
