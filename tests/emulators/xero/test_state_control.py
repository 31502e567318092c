"""Seeds, save/load of the whole sandbox, the control API's "web UI" edits, items and settings endpoints."""

from __future__ import annotations

import json
import time

import pytest

from app.emulators.clock import VirtualClock
from app.emulators.xero import SWITCHES, SandboxEditError, XeroEmulator

from .conftest import login

SANDBOX = "http://sandbox/_sandbox/xero"


def _ms(net_date: str) -> int:
    return int(net_date[len("/Date("):].split("+")[0].rstrip(")/"))


# ----- seeds -----------------------------------------------------------------------------------------------------
def test_seeds_are_deterministic_and_in_the_past(clock):
    a, b = XeroEmulator(clock=clock), XeroEmulator(clock=VirtualClock())
    assert a.export_state()["orgs"] == b.export_state()["orgs"]
    now_ms = clock.time() * 1000
    org = next(iter(a.orgs.values()))
    stamps = [c.UpdatedDateUTC for c in org.contacts.values()] + [i.UpdatedDateUTC for i in org.invoices.values()]
    stamps += [p.UpdatedDateUTC for p in org.payments.values()] + [i.UpdatedDateUTC for i in org.items.values()]
    assert max(stamps) < now_ms and min(stamps) < now_ms - 150 * 86_400_000


def test_demo_seed_shape(emu):
    main, nz = emu.orgs.values()
    assert main.Name == "Bluegum Supply Co Pty Ltd" and nz.Name == "Bluegum Supply Co (NZ)"
    assert len(main.contacts) == 41 and len(main.items) == 15 and 55 <= len(main.invoices) <= 70
    assert sum(c.ContactStatus == "ARCHIVED" for c in main.contacts.values()) == 3
    assert any(c.ContactPersons for c in main.contacts.values())
    assert any(c.TaxNumber == "85 661 250 090" for c in main.contacts.values())
    assert main.currencies == ["AUD", "NZD", "USD"]
    assert 3 <= len(nz.contacts) <= 8


def test_empty_seed(clock):
    emu = XeroEmulator(clock=clock, seed="empty")
    assert len(emu.orgs) == 1
    s = login(emu)
    assert s.get("/Contacts").json()["Contacts"] == [] and s.get("/Invoices").json()["Invoices"] == []


def test_large_seed_is_fast_deterministic_and_consistent(clock):
    start = time.perf_counter()
    emu = XeroEmulator(clock=clock, seed="large:5000")
    assert time.perf_counter() - start < 3
    org = next(iter(emu.orgs.values()))
    assert len(org.contacts) == 5000 and len(org.invoices) == 10_000
    again = XeroEmulator(clock=VirtualClock(), seed="large:5000")
    assert list(org.invoices)[:50] == list(next(iter(again.orgs.values())).invoices)[:50]
    s = login(emu)
    page = s.get("/Invoices", params={"page": 3, "pageSize": 50}).json()["Invoices"]
    for inv in page:  # lazily generated lines add up to the stored totals
        assert 1 <= len(inv["LineItems"]) <= 5
        assert round(sum(li["LineAmount"] for li in inv["LineItems"]), 2) == round(
            inv["Total"] if inv["LineAmountTypes"] == "Inclusive" else inv["SubTotal"], 2)
        assert round(sum(li["TaxAmount"] for li in inv["LineItems"]), 2) == inv["TotalTax"]
    first = page[0]
    assert s.get(f"/Invoices/{first['InvoiceID']}").json()["Invoices"][0]["LineItems"] == first["LineItems"]


def test_bad_seed_and_switch_names():
    with pytest.raises(ValueError):
        XeroEmulator(seed="huge")
    with pytest.raises(ValueError):
        XeroEmulator(switches={"no_such_switch": True})
    assert all(isinstance(doc, str) and doc for _default, doc in SWITCHES.values())


# ----- save / load -----------------------------------------------------------------------------------------------
def test_export_import_round_trip(session, emu, clock):
    created = session.put("/Contacts", {"Contacts": [{"Name": "Saved Pty Ltd"}]}).json()["Contacts"][0]
    state = json.loads(json.dumps(emu.export_state()))  # must be plain JSON
    fresh = XeroEmulator(clock=clock, seed="empty")
    fresh.import_state(state)
    restored = fresh.export_state()
    assert restored.pop("seed") == "empty"  # reset still goes back to the seed the emulator was built with
    assert restored == {k: v for k, v in state.items() if k != "seed"}
    # the saved tokens and connections still work against the restored sandbox
    session.http = type(session.http)(transport=fresh.as_transport())
    got = session.get(f"/Contacts/{created['ContactID']}")
    assert got.status_code == 200 and got.json()["Contacts"][0]["Name"] == "Saved Pty Ltd"
    assert session.get("/Invoices", params={"page": 1}).json()["pagination"]["itemCount"] == 63
    assert session.refresh().status_code == 200


def test_import_keeps_large_seed_lazy_lines(clock):
    emu = XeroEmulator(clock=clock, seed="large:300")
    state = json.loads(json.dumps(emu.export_state()))
    assert all(i["LineItems"] is None for i in state["orgs"][0]["invoices"][:20])
    other = XeroEmulator(clock=clock, seed="empty")
    other.import_state(state)
    s = login(other)
    assert s.get("/Invoices", params={"page": 1, "pageSize": 5}).json()["Invoices"][0]["LineItems"]


def test_state_over_http_and_reset(session):
    state = session.http.get("http://sandbox/_sandbox/state").json()
    assert state["emulator"] == "xero"
    session.put("/Contacts", {"Contacts": [{"Name": "Temp Pty Ltd"}]})
    assert session.http.put("http://sandbox/_sandbox/state", json=state).status_code == 200
    assert "Temp Pty Ltd" not in {c["Name"] for c in session.get("/Contacts").json()["Contacts"]}
    session.http.post("http://sandbox/_sandbox/reset")
    assert session.get("/Contacts").status_code == 401  # a reset forgets every token


def test_import_rejects_other_state(emu):
    with pytest.raises(ValueError):
        emu.import_state({"emulator": "zoho"})


# ----- control API: edits "in the Xero web UI" -------------------------------------------------------------------
def test_ui_contact_edits_move_updated_date(session, clock):
    since = clock.now().strftime("%Y-%m-%dT%H:%M:%S")
    clock.advance(5)
    created = session.http.post(f"{SANDBOX}/contacts", json={"Name": "Walk-in Customer", "EmailAddress": "w@x.com"})
    assert created.status_code == 200
    cid = created.json()["ContactID"]
    clock.advance(5)
    edited = session.http.patch(f"{SANDBOX}/contacts/{cid}", json={"Website": "https://walkin.example"}).json()
    assert _ms(edited["UpdatedDateUTC"]) == _ms(created.json()["UpdatedDateUTC"]) + 5000
    polled = session.get("/Contacts", headers={"If-Modified-Since": since}).json()["Contacts"]
    assert [c["Website"] for c in polled] == ["https://walkin.example"]
    clock.advance(5)
    archived = session.http.post(f"{SANDBOX}/contacts/{cid}/archive").json()
    assert archived["ContactStatus"] == "ARCHIVED"
    polled = session.get("/Contacts", params={"includeArchived": "true"},
                         headers={"If-Modified-Since": since}).json()["Contacts"]
    assert [c["ContactStatus"] for c in polled] == ["ARCHIVED"]
    refused = session.http.post(f"{SANDBOX}/contacts", json={"Name": "Acme Catering Pty Ltd"})
    assert refused.status_code == 400 and "already assigned" in refused.json()["errors"][0]


def test_ui_merge(session, emu):
    acme = session.get("/Contacts", params={"where": 'Name=="Acme Catering Pty Ltd"'}).json()["Contacts"][0]
    dup = emu.ui_create_contact({"Name": "Acme Catering (dup)"})
    inv = emu.ui_create_invoice({"Type": "ACCREC", "Contact": {"ContactID": dup["ContactID"]},
                                 "LineItems": [{"Description": "x", "UnitAmount": "5"}]})
    merged = session.http.post(f"{SANDBOX}/contacts/{dup['ContactID']}/merge", json={"into": acme["ContactID"]})
    assert merged.json()["MergedToContactID"] == acme["ContactID"]
    assert session.get(f"/Invoices/{inv['InvoiceID']}").json()["Invoices"][0]["Contact"]["ContactID"] == acme[
        "ContactID"]


def test_ui_invoice_lifecycle(session, clock):
    acme = session.get("/Contacts", params={"where": 'Name=="Acme Catering Pty Ltd"'}).json()["Contacts"][0]
    inv = session.http.post(f"{SANDBOX}/invoices", json={
        "Type": "ACCREC", "Contact": {"ContactID": acme["ContactID"]}, "Status": "AUTHORISED",
        "LineItems": [{"ItemCode": "BEAN-1KG", "Quantity": 2}]}).json()
    assert inv["Total"] == 70.4 and inv["InvoiceNumber"].startswith("INV-")
    clock.advance(30)
    paid = session.http.post(f"{SANDBOX}/invoices/{inv['InvoiceID']}/payments", json={"Amount": "70.40"}).json()
    assert paid["Amount"] == 70.4
    got = session.get(f"/Invoices/{inv['InvoiceID']}").json()["Invoices"][0]
    assert got["Status"] == "PAID" and _ms(got["UpdatedDateUTC"]) > _ms(inv["UpdatedDateUTC"])
    refused = session.http.post(f"{SANDBOX}/invoices/{inv['InvoiceID']}/void")
    assert refused.status_code == 400 and refused.json()["errors"] == ["Invoice not of valid status for modification"]
    assert session.http.post(f"{SANDBOX}/payments/{paid['PaymentID']}/delete").status_code == 200
    voided = session.http.post(f"{SANDBOX}/invoices/{inv['InvoiceID']}/void").json()
    assert voided["Status"] == "VOIDED"
    draft = session.http.post(f"{SANDBOX}/invoices", json={"Type": "ACCREC", "Contact": {"Name": "Walk-in"},
                                                          "LineItems": [{"Description": "x"}]}).json()
    edited = session.http.patch(f"{SANDBOX}/invoices/{draft['InvoiceID']}", json={"Reference": "R-1"}).json()
    assert edited["Reference"] == "R-1"
    assert session.http.post(f"{SANDBOX}/invoices/{draft['InvoiceID']}/delete").json()["Status"] == "DELETED"


def test_ui_items_and_summary(session, emu):
    item = session.http.post(f"{SANDBOX}/items", json={"Code": "NEW-1", "Name": "New thing",
                                                      "SalesDetails": {"UnitPrice": "9.99"}}).json()
    assert item["SalesDetails"]["UnitPrice"] == 9.99
    renamed = session.http.patch(f"{SANDBOX}/items/{item['ItemID']}", json={"Name": "Renamed"}).json()
    assert renamed["Name"] == "Renamed" and renamed["UpdatedDateUTC"] == item["UpdatedDateUTC"]  # same clock tick
    summary = session.http.get(f"{SANDBOX}/summary").json()
    main = summary["tenants"][0]
    assert main["items"]["total"] == 16 and main["contacts"]["ARCHIVED"] == 3
    assert main["invoices"]["DELETED"] == 3 and summary["connections"] == 1
    assert emu.summary() == summary


def test_ui_methods_raise(emu):
    with pytest.raises(SandboxEditError):
        emu.ui_create_contact({"Name": ""})
    with pytest.raises(SandboxEditError):
        emu.ui_edit_contact("00000000-0000-0000-0000-000000000000", {"Name": "x"})


def test_switches_over_http(session):
    assert session.http.get(f"{SANDBOX}/switches").json()["require_accept_json"] is True
    session.http.post(f"{SANDBOX}/switches", json={"require_accept_json": False})
    assert session.get("/Contacts", headers={"Accept": "*/*"}).status_code == 200
    assert session.http.post(f"{SANDBOX}/switches", json={"bogus": 1}).status_code == 400


def test_control_tenant_by_name(session, emu):
    c = session.http.post(f"{SANDBOX}/contacts", json={"Name": "Kiwi Walk-in", "tenant": "Bluegum Supply Co (NZ)"})
    assert c.status_code == 200
    nz = list(emu.orgs.values())[1]
    assert c.json()["ContactID"] in nz.contacts


# ----- items and settings over the API ---------------------------------------------------------------------------
def test_items_api(session):
    items = session.get("/Items").json()["Items"]
    assert len(items) == 15 and "pagination" not in session.get("/Items").json()
    bean = session.get("/Items/BEAN-1KG").json()["Items"][0]
    assert bean["SalesDetails"] == {"UnitPrice": 32.0, "AccountCode": "200", "TaxType": "OUTPUT"}
    assert '"UnitPrice":32.0000' in session.get("/Items/BEAN-1KG").text
    dup = session.put("/Items", {"Items": [{"Code": "BEAN-1KG", "Name": "again"}]})
    assert dup.status_code == 400 and dup.json()["Elements"][0]["ValidationErrors"] == [
        {"Message": "Price List Item with Code ''BEAN-1KG'' already exists"}]
    r = session.post("/Items", {"Items": [{"Code": "BEAN-1KG", "IsSold": False}]})
    updated = r.json()["Items"][0]
    assert updated["ItemID"] == bean["ItemID"] and updated["SalesDetails"] == {} and "Description" not in updated
    new = session.put("/Items", {"Items": [{"Code": "GIFT", "Name": "Gift card",
                                            "SalesDetails": {"UnitPrice": 12.3456, "TaxType": "EXEMPTOUTPUT"}}]},
                      params={"unitdp": 4})
    assert '"UnitPrice":12.3456' in new.text
    assert session.get("/Items", params={"where": 'Code.StartsWith("CUP")'}).json()["Items"].__len__() == 2
    assert session.http.delete(session.get("/Items/GIFT").url, headers=session.headers()).status_code == 204


def test_settings_endpoints(session):
    rates = session.get("/TaxRates").json()["TaxRates"]
    types = {r["TaxType"] for r in rates}
    assert {"OUTPUT", "INPUT", "EXEMPTOUTPUT", "EXEMPTEXPENSES", "BASEXCLUDED", "GSTONIMPORTS"} <= types
    output = next(r for r in rates if r["TaxType"] == "OUTPUT")
    assert output["TaxComponents"] == [{"Name": "GST", "Rate": 10.0, "IsCompound": False, "IsNonRecoverable": False}]
    assert '"DisplayTaxRate":10.0000' in session.get("/TaxRates", params={"where": 'TaxType=="OUTPUT"'}).text
    assert [c["Code"] for c in session.get("/Currencies").json()["Currencies"]] == ["AUD", "NZD", "USD"]
    org = session.get("/Organisation").json()["Organisations"][0]
    assert org["Name"] == "Bluegum Supply Co Pty Ltd" and org["BaseCurrency"] == "AUD"
    assert org["OrganisationID"] == session.tenant_id
    cats = session.get("/TrackingCategories").json()["TrackingCategories"]
    assert [c["Name"] for c in cats] == ["Region", "Department"]
    banks = session.get("/Accounts", params={"where": 'Type=="BANK"'}).json()["Accounts"]
    assert [a["Code"] for a in banks] == ["090", "091"]


def test_numbers_sent_as_text_and_an_item_update_without_its_code_are_refused_as_the_spec_says(session):
    bean = session.get("/Items/BEAN-1KG").json()["Items"][0]
    r = session.post("/Items", {"Items": [{"ItemID": bean["ItemID"], "Name": "Beans"}]})
    assert r.status_code == 400
    assert r.json()["Elements"][0]["ValidationErrors"] == [{"Message": "Item Code must be specified."}]
    r = session.post("/Items", {"Items": [{"ItemID": bean["ItemID"], "Code": "BEAN-1KG",
                                            "SalesDetails": {"UnitPrice": "41.25"}}]})
    assert r.status_code == 400
    assert r.json()["Elements"][0]["ValidationErrors"] == [
        {"Message": "SalesDetails.UnitPrice must be a number, not the text '41.25'."}]
    assert session.get("/Items/BEAN-1KG").json()["Items"][0]["SalesDetails"]["UnitPrice"] == 32
    r = session.post("/Items", {"Items": [{"ItemID": bean["ItemID"], "Code": "BEAN-1KG",
                                            "SalesDetails": {"UnitPrice": 41.25}}]})
    assert r.status_code == 200 and r.json()["Items"][0]["SalesDetails"]["UnitPrice"] == 41.25


def test_the_switches_accept_what_the_real_api_may_accept():
    from app.emulators.clock import VirtualClock
    from app.emulators.xero import XeroEmulator

    from .conftest import login

    api = login(XeroEmulator(clock=VirtualClock(), switches={"refuse_quoted_numbers": False,
                                                             "item_update_needs_code": False}))
    bean = api.get("/Items/BEAN-1KG").json()["Items"][0]
    r = api.post("/Items", {"Items": [{"ItemID": bean["ItemID"], "SalesDetails": {"UnitPrice": "41.25"}}]})
    assert r.status_code == 200 and r.json()["Items"][0]["SalesDetails"]["UnitPrice"] == 41.25
