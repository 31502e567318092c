"""/Contacts: reads (paging, If-Modified-Since, where/order, filters) and writes (PUT/POST, uniqueness, batches)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.emulators.xero import XeroEmulator

from .conftest import login

NAME_TAKEN = ("The contact name Acme Catering Pty Ltd is already assigned to another contact. The contact name must "
              "be unique across all active contacts.")


def _ms(net_date: str) -> int:
    return int(net_date[len("/Date("):].split("+")[0].rstrip(")/"))


def test_unpaged_list_has_all_active_and_no_pagination(session):
    body = session.get("/Contacts").json()
    assert "pagination" not in body
    assert len(body["Contacts"]) == 38  # 41 demo contacts less the 3 archived
    c = body["Contacts"][0]
    assert [a["AddressType"] for a in c["Addresses"]] == ["POBOX", "STREET"]
    assert [p["PhoneType"] for p in c["Phones"]] == ["DEFAULT", "DDI", "FAX", "MOBILE"]
    assert c["ContactGroups"] == [] and "SalesDefaultLineAmountType" not in c
    assert set(c["Balances"]) == {"AccountsReceivable", "AccountsPayable"}


def test_paging_with_page_size_and_pagination_object(session):
    seen = []
    page = 1
    while True:  # the tap-xero way: stop at the first short page
        body = session.get("/Contacts", params={"page": page, "pageSize": 10, "includeArchived": "true"}).json()
        assert body["pagination"] == {"page": page, "pageSize": 10, "pageCount": 5, "itemCount": 41}
        seen += [c["ContactID"] for c in body["Contacts"]]
        if page == 1:
            first = body["Contacts"][0]
        if len(body["Contacts"]) < 10:
            break
        page += 1
    assert page == 5
    assert len(seen) == len(set(seen)) == 41
    past = session.get("/Contacts", params={"page": 9, "pageSize": 10})
    assert past.status_code == 200 and past.json()["Contacts"] == []
    assert "SalesDefaultLineAmountType" in first  # only with paging or by id


def test_default_page_size_100_and_max_1000(clock):
    s = login(XeroEmulator(clock=clock, seed="large:1200"))
    body = s.get("/Contacts", params={"page": 1}).json()
    assert body["pagination"]["pageSize"] == 100 and len(body["Contacts"]) == 100
    body = s.get("/Contacts", params={"page": 1, "pageSize": 5000}).json()
    assert body["pagination"]["pageSize"] == 1000 and len(body["Contacts"]) == 1000
    assert body["pagination"]["itemCount"] == 1176  # every 50th large contact is archived


def test_if_modified_since_second_granularity_inclusive(session, emu):
    created = session.put("/Contacts", {"Contacts": [{"Name": "Delta Pty Ltd"}]}).json()["Contacts"][0]
    stamp = datetime.fromtimestamp(_ms(created["UpdatedDateUTC"]) / 1000, UTC)
    for header in (stamp.strftime("%Y-%m-%dT%H:%M:%S"), stamp.strftime("%Y-%m-%dT%H:%M:%S.999Z"),
                   stamp.isoformat(), stamp.strftime("%a, %d %b %Y %H:%M:%S GMT"),
                   stamp.astimezone(datetime.now().astimezone().tzinfo).isoformat()):
        names = [c["Name"] for c in session.get("/Contacts", headers={"If-Modified-Since": header}).json()["Contacts"]]
        assert names == ["Delta Pty Ltd"], header
    later = (stamp + timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%S")
    assert session.get("/Contacts", headers={"If-Modified-Since": later}).json()["Contacts"] == []


def test_if_modified_since_excludes_archived_unless_included(session, emu):
    since = emu.clock.now().strftime("%Y-%m-%dT%H:%M:%S")
    acme = session.get("/Contacts", params={"where": 'Name=="Acme Catering Pty Ltd"'}).json()["Contacts"][0]
    session.post(f"/Contacts/{acme['ContactID']}", {"Contacts": [{"ContactStatus": "ARCHIVED"}]})
    assert session.get("/Contacts", headers={"If-Modified-Since": since}).json()["Contacts"] == []
    got = session.get("/Contacts", params={"includeArchived": "true"}, headers={"If-Modified-Since": since}).json()
    assert [c["ContactStatus"] for c in got["Contacts"]] == ["ARCHIVED"]


def test_where_and_order(session):
    body = session.get("/Contacts", params={"where": 'Name.Contains("Pty") AND IsCustomer==true',
                                            "order": "Name DESC"}).json()
    names = [c["Name"] for c in body["Contacts"]]
    assert names == sorted(names, key=str.lower, reverse=True) and all("Pty" in n for n in names)
    by_date = session.get("/Contacts", params={"order": "UpdatedDateUTC ASC"}).json()["Contacts"]
    stamps = [_ms(c["UpdatedDateUTC"]) for c in by_date]
    assert stamps == sorted(stamps)
    one = session.get("/Contacts", params={"where": f'ContactID==Guid("{by_date[3]["ContactID"].upper()}")'})
    assert [c["ContactID"] for c in one.json()["Contacts"]] == [by_date[3]["ContactID"]]
    emails = session.get("/Contacts", params={"where": "EmailAddress==null"}).json()["Contacts"]
    assert {c["Name"] for c in emails} == {"Emu Plains Hardware", "Australian Taxation Office", "Sydney Water"}
    recent = session.get("/Contacts", params={"where": "UpdatedDateUTC >= DateTime(2026,01,01)"}).json()["Contacts"]
    assert recent and all(_ms(c["UpdatedDateUTC"]) >= 1767225600000 for c in recent)


def test_ids_search_summary(session):
    all_contacts = session.get("/Contacts").json()["Contacts"]
    ids = [all_contacts[0]["ContactID"], all_contacts[5]["ContactID"]]
    got = session.get("/Contacts", params={"IDs": ",".join(ids)}).json()["Contacts"]
    assert sorted(c["ContactID"] for c in got) == sorted(ids)
    found = session.get("/Contacts", params={"searchTerm": "KOALAKIDS"}).json()["Contacts"]
    assert [c["Name"] for c in found] == ["Koala Kids Childcare Pty Ltd"]
    summary = session.get("/Contacts", params={"summaryOnly": "true"}).json()
    assert "pagination" in summary and "Balances" not in summary["Contacts"][0]
    assert "Addresses" not in summary["Contacts"][0] and summary["Contacts"][0]["ContactGroups"] == []


def test_get_by_id_and_contact_number(session):
    created = session.put("/Contacts", {"Contacts": [{"Name": "Numbered Ltd", "ContactNumber": "ZCRM-42"}]}).json()
    cid = created["Contacts"][0]["ContactID"]
    assert session.get(f"/Contacts/{cid}").json()["Contacts"][0]["ContactNumber"] == "ZCRM-42"
    assert session.get("/Contacts/ZCRM-42").json()["Contacts"][0]["ContactID"] == cid


def test_put_creates_and_echoes_every_slot(session):
    body = {"Contacts": [{"Name": "Echo Pty Ltd", "FirstName": "Eve", "EmailAddress": "eve@echo.com.au",
                          "Addresses": [{"AddressType": "STREET", "AddressLine1": "1 Echo St", "City": "Sydney"}],
                          "Phones": [{"PhoneType": "MOBILE", "PhoneNumber": "0400 000 000"}],
                          "ContactPersons": [{"FirstName": "Al", "LastName": "B", "EmailAddress": "al@echo.com.au",
                                              "IncludeInEmails": True}]}]}
    r = session.put("/Contacts", body)
    assert r.status_code == 200
    c = r.json()["Contacts"][0]
    assert c["ContactStatus"] == "ACTIVE" and c["IsCustomer"] is False and c["IsSupplier"] is False
    assert c["Addresses"][1] == {"AddressType": "STREET", "AddressLine1": "1 Echo St", "City": "Sydney",
                                 "Region": "", "PostalCode": "", "Country": ""}
    assert c["Phones"][3]["PhoneNumber"] == "0400 000 000" and c["Phones"][0]["PhoneNumber"] == ""
    assert c["ContactPersons"][0]["EmailAddress"] == "al@echo.com.au"
    assert c["Balances"]["AccountsReceivable"] == {"Outstanding": 0, "Overdue": 0}


def test_name_uniqueness_among_active_contacts(session):
    r = session.put("/Contacts", {"Contacts": [{"Name": "Acme Catering Pty Ltd"}]})
    assert r.status_code == 400
    body = r.json()
    assert body["ErrorNumber"] == 10 and body["Type"] == "ValidationException"
    assert body["Message"] == "A validation exception occurred"
    assert body["Elements"][0]["ValidationErrors"] == [{"Message": NAME_TAKEN}]
    assert body["Elements"][0]["HasValidationErrors"] is True
    # an archived contact's name may be reused
    assert session.put("/Contacts", {"Contacts": [{"Name": "Old Mill Restaurant"}]}).status_code == 200
    old = session.get("/Contacts", params={"includeArchived": "true",
                                           "where": 'Name=="Old Mill Restaurant" AND ContactStatus=="ARCHIVED"'})
    archived_id = old.json()["Contacts"][0]["ContactID"]
    # ... but it cannot be restored while the name is taken
    r = session.post(f"/Contacts/{archived_id}", {"Contacts": [{"ContactStatus": "ACTIVE"}]})
    assert r.status_code == 400 and "Old Mill Restaurant is already assigned" in r.text


def test_post_matches_id_then_number_then_name(session, clock):
    r = session.put("/Contacts", {"Contacts": [{"Name": "Match Co", "ContactNumber": "M-1"}]}).json()["Contacts"][0]
    cid = r["ContactID"]
    clock.advance(5)
    by_number = session.post("/Contacts", {"Contacts": [{"ContactNumber": "M-1", "Name": "Match Co Renamed"}]})
    assert by_number.json()["Contacts"][0]["ContactID"] == cid
    by_name = session.post("/Contacts", {"Contacts": [{"Name": "match co renamed", "EmailAddress": "m@co.com"}]})
    assert by_name.json()["Contacts"][0]["ContactID"] == cid
    by_id = session.post("/Contacts", {"Contacts": [{"ContactID": cid, "Name": "Match Three"}]})
    c = by_id.json()["Contacts"][0]
    assert c["Name"] == "Match Three" and c["EmailAddress"] == "m@co.com" and c["ContactNumber"] == "M-1"
    fresh = session.post("/Contacts", {"Contacts": [{"Name": "Brand New Co"}]}).json()["Contacts"][0]
    assert fresh["ContactID"] != cid
    missing = session.post("/Contacts", {"Contacts": [{"ContactID": "00000000-0000-0000-0000-000000000001",
                                                       "Name": "Ghost"}]})
    assert missing.status_code == 400


def test_update_moves_updated_date_only_when_something_changes(session, clock):
    c = session.put("/Contacts", {"Contacts": [{"Name": "Stamp Co"}]}).json()["Contacts"][0]
    clock.advance(10)
    same = session.post(f"/Contacts/{c['ContactID']}", {"Contacts": [{"Name": "Stamp Co"}]}).json()["Contacts"][0]
    assert same["UpdatedDateUTC"] == c["UpdatedDateUTC"]
    changed = session.post(f"/Contacts/{c['ContactID']}", {"Contacts": [{"TaxNumber": "12 345"}]}).json()
    assert _ms(changed["Contacts"][0]["UpdatedDateUTC"]) == _ms(c["UpdatedDateUTC"]) + 10_000


def test_contact_persons_replaced_wholesale(session):
    acme = session.get("/Contacts", params={"where": 'Name=="Acme Catering Pty Ltd"'}).json()["Contacts"][0]
    assert len(acme["ContactPersons"]) == 1
    r = session.post(f"/Contacts/{acme['ContactID']}", {"Contacts": [{"ContactPersons": [
        {"FirstName": "New", "LastName": "Person", "EmailAddress": "new@acme.com.au"}]}]})
    persons = r.json()["Contacts"][0]["ContactPersons"]
    assert [p["FirstName"] for p in persons] == ["New"]
    kept = session.post(f"/Contacts/{acme['ContactID']}", {"Contacts": [{"TaxNumber": "1"}]})
    assert [p["FirstName"] for p in kept.json()["Contacts"][0]["ContactPersons"]] == ["New"]


def test_contact_number_length_and_email(session):
    r = session.put("/Contacts", {"Contacts": [{"Name": "Long", "ContactNumber": "x" * 51}]})
    assert r.status_code == 400
    r = session.put("/Contacts", {"Contacts": [{"Name": "Mail", "EmailAddress": "not-an-email"}]})
    assert r.json()["Elements"][0]["ValidationErrors"] == [{"Message": "Email address must be valid."}]
    r = session.put("/Contacts", {"Contacts": [{"EmailAddress": "x@y.com"}]})
    assert r.json()["Elements"][0]["ValidationErrors"] == [{"Message": "Contact Name cannot be empty."}]


def test_batch_summarized_commits_valid_elements(session):
    body = {"Contacts": [{"Name": "Batch One"}, {"Name": "Acme Catering Pty Ltd"}, {"Name": "Batch Three"}]}
    r = session.put("/Contacts", body)
    assert r.status_code == 400
    elements = r.json()["Elements"]
    assert [e["Name"] for e in elements] == ["Acme Catering Pty Ltd"]
    names = {c["Name"] for c in session.get("/Contacts").json()["Contacts"]}
    assert {"Batch One", "Batch Three"} <= names


@pytest.mark.parametrize("flag", ["false", "False"])
def test_batch_unsummarized_reports_each_element(session, flag):
    body = {"Contacts": [{"Name": f"Each One {flag}"}, {"Name": "Acme Catering Pty Ltd"},
                         {"Name": f"Each One {flag}"}]}
    r = session.put("/Contacts", body, params={"summarizeErrors": flag})
    assert r.status_code == 200
    out = r.json()["Contacts"]
    assert [c["StatusAttributeString"] for c in out] == ["OK", "ERROR", "ERROR"]
    assert out[0]["ContactID"] and out[0]["HasValidationErrors"] is False
    assert out[1]["HasValidationErrors"] is True
    assert out[1]["ValidationErrors"] == [{"Message": NAME_TAKEN}]
    assert "is already assigned" in out[2]["ValidationErrors"][0]["Message"]


def test_archive_and_restore_via_post(session):
    c = session.put("/Contacts", {"Contacts": [{"Name": "Short Lived"}]}).json()["Contacts"][0]
    r = session.post("/Contacts", {"Contacts": [{"ContactID": c["ContactID"], "ContactStatus": "ARCHIVED"}]})
    assert r.json()["Contacts"][0]["ContactStatus"] == "ARCHIVED"
    assert "Short Lived" not in {x["Name"] for x in session.get("/Contacts").json()["Contacts"]}
    assert session.get(f"/Contacts/{c['ContactID']}").status_code == 200
    r = session.post("/Contacts", {"Contacts": [{"ContactID": c["ContactID"], "ContactStatus": "ACTIVE"}]})
    assert r.json()["Contacts"][0]["ContactStatus"] == "ACTIVE"


def test_put_with_existing_name_switch(clock):
    s = login(XeroEmulator(clock=clock, switches={"put_updates_existing": True}))
    r = s.put("/Contacts", {"Contacts": [{"Name": "Acme Catering Pty Ltd", "AccountNumber": "A-1"}]})
    assert r.status_code == 200 and r.json()["Contacts"][0]["AccountNumber"] == "A-1"


def test_balances_follow_invoices(session):
    c = session.put("/Contacts", {"Contacts": [{"Name": "Owes Money Ltd"}]}).json()["Contacts"][0]
    inv = session.put("/Invoices", {"Invoices": [{
        "Type": "ACCREC", "Contact": {"ContactID": c["ContactID"]}, "Status": "AUTHORISED", "Date": "2026-09-01",
        "DueDate": "2026-10-01", "LineItems": [{"Description": "Thing", "Quantity": 1, "UnitAmount": 100,
                                                 "AccountCode": "200"}]}]}).json()["Invoices"][0]
    got = session.get(f"/Contacts/{c['ContactID']}").json()["Contacts"][0]
    assert got["Balances"]["AccountsReceivable"] == {"Outstanding": 110.0, "Overdue": 110.0}
    assert got["IsCustomer"] is True and got["UpdatedDateUTC"] == c["UpdatedDateUTC"]
    session.put("/Payments", {"Payments": [{"Invoice": {"InvoiceID": inv["InvoiceID"]}, "Account": {"Code": "090"},
                                            "Amount": 40}]})
    got = session.get(f"/Contacts/{c['ContactID']}").json()["Contacts"][0]
    assert got["Balances"]["AccountsReceivable"]["Outstanding"] == 70.0
