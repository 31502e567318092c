"""Every request the connectors send during a demo sync and the edits after it is one the provider's own OpenAPI
file accepts: numbers as JSON numbers with their exact scale, an item update with its Code, Zoho bodies as Zoho's
CRM v8 files describe them."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.integrations.spec_requests import RequestSpecs, problems


@pytest.fixture(scope="module")
def specs(tmp_path_factory) -> RequestSpecs:
    return RequestSpecs(tmp_path_factory.mktemp("oas"))


def sync(world):
    report = world.sync_service().sync()
    assert report.outcome in ("ok", "partial"), report.message
    return report


def bodies(traffic, method: str, path: str) -> list[dict]:
    return [json.loads(e.request.content) for e in traffic.since(0, path, method) if e.request.content]


def test_a_demo_sync_and_the_edits_after_it_send_only_requests_the_specs_accept(connected, specs):
    world, traffic = connected
    sync(world)
    world.clock.advance(60)
    product = world.zoho_one("Products", Product_Code="BEAN-1KG")
    world.zoho.ui_edit("Products", product["id"], {"Unit_Price": 41.25})
    account = world.zoho_one("Accounts", Xero_Contact_ID=world.xero_contact("Redgum Dental Group").ContactID)
    world.zoho.ui_edit("Accounts", account["id"], {"Phone": "+61 2 9555 7777"})
    world.zoho.set_deal_stage(world.zoho_one("Deals", Deal_Name="Pinnacle — office fit-out")["id"], "Closed Won")
    c = world.xero_contact("Quokka Coffee Co")
    world.xero.ui_edit_contact(c.ContactID, {"Name": "Quokka Coffee Company"})
    world.xero.ui_create_invoice({
        "Type": "ACCREC", "Contact": {"ContactID": c.ContactID}, "Status": "AUTHORISED", "Date": "2026-11-01",
        "DueDate": "2026-11-15", "LineAmountTypes": "Inclusive",
        "LineItems": [{"ItemCode": "BEAN-1KG", "Description": "Beans", "Quantity": 3, "UnitAmount": "35.20",
                       "DiscountRate": "5", "TaxType": "OUTPUT", "AccountCode": "200"}]})
    sync(world)

    checked = [e.request for e in traffic.log if specs.covers(e.request)]
    methods = {(r.url.host, r.method) for r in checked}
    assert {("api.xero.com", "PUT"), ("api.xero.com", "POST"), ("www.zohoapis.com", "POST"),
            ("www.zohoapis.com", "PUT")} <= methods  # writes both ways were checked, not only reads
    assert problems(specs, checked) == []

    # the deal invoices and the item update, as the issue reported them sent as strings
    lines = [li for body in bodies(traffic, "PUT", "/api.xro/2.0/Invoices") for inv in body["Invoices"]
             for li in inv["LineItems"]]
    acme = next(e.request.content for e in traffic.since(0, "/api.xro/2.0/Invoices", "PUT")
                if b"Acme" in e.request.content)
    assert b'"Quantity":1,' in acme and b'"UnitAmount":2880.00,' in acme
    assert all(isinstance(li["Quantity"], int | float) and isinstance(li["UnitAmount"], int | float) for li in lines)
    item_updates = [i for body in bodies(traffic, "POST", "/api.xro/2.0/Items") for i in body["Items"]]
    assert item_updates and all(i.get("Code") for i in item_updates)
    sent = next(e.request.content for e in traffic.since(0, "/api.xro/2.0/Items", "POST"))
    assert b'"UnitPrice":41.25' in sent
    assert world.xero_org().items[product["Xero_Item_ID"]].SalesDetails["UnitPrice"] == 41.25


def test_the_check_refuses_what_the_issue_saw_sent(specs):
    """Not a vacuous check: the bodies the app used to send fail it."""
    headers = {"xero-tenant-id": "00000000-0000-0000-0000-000000000001", "Content-Type": "application/json",
               "Accept": "application/json", "Authorization": "Bearer x"}
    quoted = httpx.Request("PUT", "https://api.xero.com/api.xro/2.0/Invoices", headers=headers, json={"Invoices": [{
        "Type": "ACCREC", "Contact": {"ContactID": "00000000-0000-0000-0000-000000000002"},
        "LineItems": [{"Description": "Deal", "Quantity": "1", "UnitAmount": "2880.00"}]}]})
    no_code = httpx.Request("POST", "https://api.xero.com/api.xro/2.0/Items", headers=headers, json={"Items": [{
        "ItemID": "00000000-0000-0000-0000-000000000003", "SalesDetails": {"UnitPrice": 41.25}}]})
    fine = httpx.Request("POST", "https://api.xero.com/api.xro/2.0/Items", headers=headers, json={"Items": [{
        "ItemID": "00000000-0000-0000-0000-000000000003", "Code": "BEAN-1KG", "SalesDetails": {"UnitPrice": 41.25}}]})
    assert len(problems(specs, [quoted])) == 1 and len(problems(specs, [no_code])) == 1
    assert problems(specs, [fine]) == []
