"""Wire details: decimals, dates, envelope, errors, faults, Accept, idempotency, the where language."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from app.emulators.xero import XeroEmulator
from app.emulators.xero.where import WhereError, compile_where, parse_order, sort_records
from app.emulators.xero.wire import dumps, parse_body_date, parse_if_modified_since

from .conftest import API, login


def test_dumps_keeps_decimal_scale_and_escapes_date_slashes():
    text = dumps({"Total": Decimal("40.00"), "Qty": Decimal("1.0000"), "Neg": Decimal("-0.00"),
                  "Rate": Decimal("1.000000"), "D": "/Date(1795215850123+0000)/", "S": "a\u0000b"})
    assert text == ('{"Total":40.00,"Qty":1.0000,"Neg":0.00,"Rate":1.000000,'
                    '"D":"\\/Date(1795215850123+0000)\\/","S":"a\\u0000b"}')
    assert json.loads(text)["D"] == "/Date(1795215850123+0000)/"


@pytest.mark.parametrize("value,expected", [
    ("2026-11-02T00:00:00", 1793577600), ("2026-11-02T00:00:00Z", 1793577600),
    ("2026-11-02T00:00:00.999", 1793577600), ("2026-11-02T11:00:00+11:00", 1793577600),
    ("2026-11-21T07:12:52.702000+00:00", 1795245172), ("Mon, 02 Nov 2026 00:00:00 GMT", 1793577600),
    ("2026-11-02T00:00:00.1234567", 1793577600),
])
def test_if_modified_since_formats(value, expected):
    assert parse_if_modified_since(value) == expected * 1000


def test_if_modified_since_garbage_is_ignored():
    assert parse_if_modified_since("yesterday") is None


@pytest.mark.parametrize("value", ["2026-11-02", "2026-11-02T00:00:00", "/Date(1793577600000)/",
                                   "/Date(1793577600000+0000)/", "2026-11-02T13:45:00"])
def test_body_dates(value):
    assert parse_body_date(value) == 1793577600000


def test_envelope_and_entity_dates(session):
    r = session.get("/Invoices", params={"page": 1, "pageSize": 1})
    assert r.headers["content-type"] == "application/json; charset=utf-8"
    assert '"DateTimeUTC":"\\/Date(' in r.text
    body = r.json()
    assert list(body)[:5] == ["Id", "Status", "ProviderName", "DateTimeUTC", "pagination"]
    assert body["Status"] == "OK" and body["ProviderName"] == "Ledgerbridge"
    assert body["DateTimeUTC"] == f"/Date({int(session.emu.clock.time() * 1000)})/"
    inv = body["Invoices"][0]
    assert inv["Date"].endswith("+0000)/") and inv["DateString"].endswith("T00:00:00")
    assert inv["UpdatedDateUTCString"].endswith("Z")
    assert '"Total":' in r.text and not any(c in r.text for c in ('"Total":"', "e+"))


def test_money_has_two_decimals_in_text(session):
    r = session.get("/Invoices", params={"page": 1})
    import re

    for field in ("SubTotal", "TotalTax", "Total", "AmountDue", "AmountPaid", "LineAmount", "TaxAmount"):
        for value in re.findall(rf'"{field}":(-?[0-9.]+)', r.text):
            assert re.fullmatch(r"-?\d+\.\d\d", value), (field, value)
    for value in re.findall(r'"Quantity":([0-9.]+)', r.text):
        assert re.fullmatch(r"\d+\.\d{4}", value)
    for value in re.findall(r'"CurrencyRate":([0-9.]+)', r.text):
        assert re.fullmatch(r"\d+\.\d{6}", value)


def test_unitdp4(session):
    r = session.put("/Invoices", {"Invoices": [{"Type": "ACCREC", "Contact": {"Name": "Unit DP Pty Ltd"},
                                                "LineItems": [{"Description": "x", "Quantity": 3,
                                                               "UnitAmount": 1.23456}]}]},
                    params={"unitdp": 4})
    line = r.json()["Invoices"][0]["LineItems"][0]
    assert '"UnitAmount":1.2346' in r.text and line["LineAmount"] == 3.70
    inv_id = r.json()["Invoices"][0]["InvoiceID"]
    assert '"UnitAmount":1.23,' in session.get(f"/Invoices/{inv_id}").text
    assert '"UnitAmount":1.2346' in session.get(f"/Invoices/{inv_id}", params={"unitdp": "4"}).text


def test_plain_text_404(session):
    for path in ("/NoSuchThing", f"/Contacts/{'0' * 8}-0000-0000-0000-000000000000", "/Invoices/INV-9999"):
        r = session.get(path)
        assert r.status_code == 404
        assert r.headers["content-type"].startswith("text/plain")
        assert r.text == "The resource you're looking for cannot be found"


def test_no_data_processed(session):
    for body in ({}, {"Contacts": []}, {"Contact": {"Name": "x"}}):
        r = session.put("/Contacts", body)
        assert r.status_code == 400
        assert r.json() == {"ErrorNumber": 17, "Type": "NoDataProcessedException",
                            "Message": "No data has been processed for this endpoint. This endpoint is expecting "
                                       "Contact data to be specifed in the request body."}
    r = session.http.put(API + "/Contacts", content=b"{not json", headers=session.headers())
    assert r.status_code == 400 and r.json()["Type"] == "PostDataInvalidException"


def test_injected_500_json_and_html(session):
    session.http.post("http://x/_sandbox/faults", json={"error_rate": 1.0})
    r = session.get("/Contacts")
    assert r.status_code == 500 and r.json()["Title"] == "An error occurred"
    session.http.post("http://x/_sandbox/faults", json={"html_errors": True})
    r = session.get("/Contacts")
    assert r.status_code == 500 and "<title>Xero | Error 500</title>" in r.text
    session.http.post("http://x/_sandbox/faults", json={"clear": True})
    assert session.get("/Contacts").status_code == 200


def test_maintenance_503(session):
    session.http.post("http://x/_sandbox/xero/maintenance", json={"on": True})
    r = session.get("/Contacts")
    assert r.status_code == 503 and r.text == "The Xero API is currently offline for maintenance"
    session.http.post("http://x/_sandbox/faults", json={"html_errors": True})
    assert "<HTML>" in session.get("/Contacts").text
    session.http.post("http://x/_sandbox/xero/maintenance", json={"on": False})
    assert session.get("/Contacts").status_code == 200


def test_forced_429_from_faults(session):
    session.http.post("http://x/_sandbox/faults", json={"force_429": 1})
    r = session.get("/Contacts")
    assert r.status_code == 429 and r.headers["X-Rate-Limit-Problem"] == "minute"
    assert int(r.headers["Retry-After"]) >= 1
    assert session.get("/Contacts").status_code == 200


def test_accept_header(session, clock):
    r = session.get("/Contacts", headers={"Accept": "*/*"})
    assert r.status_code == 406
    lenient = XeroEmulator(clock=clock, switches={"require_accept_json": False})
    s = login(lenient)
    assert s.get("/Contacts", headers={"Accept": ""}).status_code == 200


def test_real_client_quirks_accepted(session):
    # Content-Type on GET, '+' for spaces in where, Python-cased booleans
    r = session.http.get(API + "/Contacts?where=Name.StartsWith(%22Acme%22)+AND+ContactStatus%3D%3D%22ACTIVE%22"
                         "&includeArchived=True&order=UpdatedDateUTC+ASC",
                         headers={**session.headers(), "Content-Type": "application/json"})
    assert r.status_code == 200 and [c["Name"] for c in r.json()["Contacts"]] == ["Acme Catering Pty Ltd"]
    body = {"Contacts": [{"Name": "Quirky Pty Ltd", "HasValidationErrors": False, "HasAttachments": False,
                          "IsCustomer": True, "UpdatedDateUTC": "/Date(1795219200000)/"}]}
    r = session.post("/Contacts", body, params={"summarizeErrors": "False"})
    assert r.status_code == 200 and r.json()["Contacts"][0]["StatusAttributeString"] == "OK"
    assert r.json()["Contacts"][0]["IsCustomer"] is False


def test_idempotency_key_replay_and_conflict(session, clock):
    body = {"Contacts": [{"Name": "Idem Pty Ltd"}]}
    first = session.put("/Contacts", body, headers={"Idempotency-Key": "k-1"})
    again = session.put("/Contacts", body, headers={"Idempotency-Key": "k-1"})
    assert first.status_code == again.status_code == 200
    assert first.content == again.content
    assert session.get("/Contacts", params={"where": 'Name=="Idem Pty Ltd"'}).json()["Contacts"].__len__() == 1
    other = session.put("/Contacts", {"Contacts": [{"Name": "Other Pty Ltd"}]}, headers={"Idempotency-Key": "k-1"})
    assert other.status_code == 400 and "different request" in other.json()["Detail"]
    assert session.put("/Contacts", body, headers={"Idempotency-Key": "x" * 129}).status_code == 400
    clock.advance(361)  # the window has passed: the key is fresh again
    late = session.put("/Contacts", body, headers={"Idempotency-Key": "k-1"})
    assert late.status_code == 400  # a new request: the name is taken now


def test_idempotency_replays_errors_too(session):
    body = {"Contacts": [{"Name": "Acme Catering Pty Ltd"}]}
    a = session.put("/Contacts", body, headers={"Idempotency-Key": "dup"})
    b = session.put("/Contacts", body, headers={"Idempotency-Key": "dup"})
    assert a.status_code == b.status_code == 400 and a.content == b.content


# ----- where -----------------------------------------------------------------------------------------------------
ROWS = [
    {"Name": "Acme", "Email": "a@x.com", "N": Decimal("10.50"), "Active": True, "Id": "AB-1",
     "When": datetime(2026, 1, 5, tzinfo=UTC), "Note": None},
    {"Name": "beta", "Email": "", "N": Decimal("3"), "Active": False, "Id": "cd-2",
     "When": datetime(2025, 6, 1, tzinfo=UTC), "Note": "x"},
    {"Name": "Gamma Ltd", "Email": "g@y.com", "N": Decimal("-1"), "Active": True, "Id": "ef-3",
     "When": datetime(2026, 3, 1, tzinfo=UTC), "Note": None},
]


def _resolve(row, path):
    key = ".".join(path)
    if key not in row:
        raise KeyError(key)
    return row[key]


def _names(expr, **kw):
    pred = compile_where(expr, _resolve, "Row", **kw)
    return [r["Name"] for r in ROWS if pred(r)]


@pytest.mark.parametrize("expr,expected", [
    ('Name=="acme"', ["Acme"]),
    ('Name == "Acme" OR Name == "beta"', ["Acme", "beta"]),
    ('Name != "Acme" && N > 0', ["beta"]),
    ("N >= 3 and N <= 10.5", ["Acme", "beta"]),
    ("N < 0 || (Active == false)", ["beta", "Gamma Ltd"]),
    ('Name.Contains("AMM")', ["Gamma Ltd"]),
    ('Name.StartsWith("b") OR Name.EndsWith("Ltd")', ["beta", "Gamma Ltd"]),
    ("Email != null", ["Acme", "Gamma Ltd"]),
    ("Email == null", ["beta"]),
    ("Note == null", ["Acme", "Gamma Ltd"]),
    ('Id == Guid("ab-1")', ["Acme"]),
    ("When >= DateTime(2026,01,01)", ["Acme", "Gamma Ltd"]),
    ("When < DateTime(2026, 1, 5, 0, 0, 1) AND When > DateTime(2025,12,31)", ["Acme"]),
    ("!(Active == true)", ["beta"]),
    ("Active", ["Acme", "Gamma Ltd"]),
    ('Name.ToLower() == "gamma ltd"', ["Gamma Ltd"]),
    ("", ["Acme", "beta", "Gamma Ltd"]),
])
def test_where_language(expr, expected):
    assert _names(expr) == expected


def test_where_case_sensitive_option():
    assert _names('Name=="acme"', case_sensitive=True) == []


@pytest.mark.parametrize("expr", ['Name=="x', "Name==", "(Name==\"a\"", 'Nope=="x"', "N > > 3", 'Name.Foo("x")'])
def test_where_errors(expr):
    with pytest.raises(WhereError):
        pred = compile_where(expr, _resolve, "Row")
        [pred(r) for r in ROWS]


def test_order_multi_key():
    rows = sort_records(ROWS, parse_order("Active DESC, Name ASC"), _resolve, "Row")
    assert [r["Name"] for r in rows] == ["Acme", "Gamma Ltd", "beta"]
    rows = sort_records(ROWS, parse_order("Note ASC, N DESC"), _resolve, "Row")
    assert [r["Name"] for r in rows] == ["Acme", "Gamma Ltd", "beta"]


def test_bad_where_over_http_is_400(session):
    r = session.get("/Contacts", params={"where": 'Nope=="x"'})
    assert r.status_code == 400 and r.json()["Type"] == "QueryParseException"
    assert "No property or field 'Nope' exists in type 'Contact'" in r.json()["Message"]
