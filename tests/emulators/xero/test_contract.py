"""Contract tests: the emulator's answers for Contacts, Invoices, Items and Payments (lists, by id, creates and the
400 error body) validate against Xero's own OpenAPI spec (v16.1.0, ../shared/reference/xero_accounting.yaml).

openapi-core has no httpx adapter, so two tiny ones below implement its Request/Response protocols. The spec is
parsed once per module (PyYAML's C loader, ~0.5 s) and its own meta-validation is skipped (``spec_validator_cls=None``)
because the big spec takes long to meta-validate and is not what is under test. Xero's quirks needed no further
adaptation: ``/Date(…)/`` values are plain strings in the spec (``x-is-msdate``), and the fixed-scale decimals decode
as JSON numbers.
"""

from __future__ import annotations

import warnings

import httpx
import openapi_core
import pytest
import yaml
from werkzeug.datastructures import Headers

from ..reference import SpecRequest, reference_file
from .conftest import login


class _Response:
    def __init__(self, response: httpx.Response) -> None:
        self._r = response

    status_code = property(lambda self: self._r.status_code)
    content_type = property(lambda self: self._r.headers.get("Content-Type", ""))
    headers = property(lambda self: Headers(list(self._r.headers.items())))
    data = property(lambda self: self._r.content)


@pytest.fixture(scope="module")
def spec():
    with reference_file("xero_accounting.yaml").open("rb") as fh:
        data = yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    return openapi_core.OpenAPI.from_dict(data, config=openapi_core.Config(spec_validator_cls=None))


@pytest.fixture(scope="module")
def api():
    from app.emulators.clock import VirtualClock
    from app.emulators.xero import XeroEmulator

    return login(XeroEmulator(clock=VirtualClock()))


def check(spec, response: httpx.Response, status: int = 200) -> dict:
    assert response.status_code == status, response.text
    spec.validate_response(SpecRequest(response.request), _Response(response))
    return response.json()


def test_contacts(spec, api):
    body = check(spec, api.get("/Contacts"))
    check(spec, api.get("/Contacts", params={"page": 1, "pageSize": 5, "includeArchived": "true"}))
    check(spec, api.get("/Contacts", params={"summaryOnly": "true"}))
    cid = body["Contacts"][0]["ContactID"]
    check(spec, api.get(f"/Contacts/{cid}"))
    created = check(spec, api.put("/Contacts", {"Contacts": [{
        "Name": "Contract Pty Ltd", "ContactNumber": "C-1", "EmailAddress": "c@contract.com.au",
        "Addresses": [{"AddressType": "STREET", "City": "Sydney"}], "Phones": [{"PhoneType": "DEFAULT",
                                                                              "PhoneNumber": "1"}],
        "ContactPersons": [{"FirstName": "A", "LastName": "B", "EmailAddress": "a@b.com", "IncludeInEmails": True}],
    }]}))
    check(spec, api.post(f"/Contacts/{created['Contacts'][0]['ContactID']}", {"Contacts": [{"AccountNumber": "9"}]}))
    check(spec, api.post("/Contacts", {"Contacts": [{"Name": "Contract Two"}, {"Name": "Contract Pty Ltd"}]},
                         params={"summarizeErrors": "false"}))
    error = check(spec, api.put("/Contacts", {"Contacts": [{"Name": "Contract Pty Ltd"}]}), 400)
    assert error["Type"] == "ValidationException"


def test_invoices(spec, api):
    body = check(spec, api.get("/Invoices"))
    paged = check(spec, api.get("/Invoices", params={"page": 1, "pageSize": 100}))
    assert any(i["LineItems"] for i in paged["Invoices"])
    check(spec, api.get(f"/Invoices/{body['Invoices'][0]['InvoiceID']}"))
    contact = body["Invoices"][0]["Contact"]["ContactID"]
    created = check(spec, api.put("/Invoices", {"Invoices": [{
        "Type": "ACCREC", "Contact": {"ContactID": contact}, "Status": "AUTHORISED", "Date": "2026-10-01",
        "DueDate": "2026-10-31", "LineAmountTypes": "Inclusive",
        "LineItems": [{"ItemCode": "BEAN-1KG", "Quantity": 2, "DiscountRate": 5},
                      {"Description": "Delivery", "Quantity": 1, "UnitAmount": 27.50, "AccountCode": "200",
                       "Tracking": [{"Name": "Region", "Option": "NSW"}]}]}]}))
    inv_id = created["Invoices"][0]["InvoiceID"]
    check(spec, api.post(f"/Invoices/{inv_id}", {"Invoices": [{"Reference": "PO-1"}]}))
    check(spec, api.put("/Invoices", {"Invoices": [{"Type": "ACCREC", "Contact": {"ContactID": contact},
                                                    "LineItems": [{"Quantity": 1}]}]},
                        params={"summarizeErrors": "false"}))
    check(spec, api.put("/Invoices", {"Invoices": [{"Type": "ACCREC", "LineItems": []}]}), 400)


def test_items(spec, api):
    body = check(spec, api.get("/Items"))
    check(spec, api.get(f"/Items/{body['Items'][0]['ItemID']}"))
    check(spec, api.put("/Items", {"Items": [{"Code": "CONTRACT-1", "Name": "Contract item",
                                              "SalesDetails": {"UnitPrice": 5.5, "AccountCode": "200"},
                                              "PurchaseDetails": {"UnitPrice": 2, "AccountCode": "300"}}]}))
    check(spec, api.post("/Items", {"Items": [{"Code": "CONTRACT-1", "IsPurchased": False}]}))


def test_payments(spec, api):
    body = check(spec, api.get("/Payments"))
    check(spec, api.get("/Payments", params={"page": 1, "pageSize": 10}))
    check(spec, api.get(f"/Payments/{body['Payments'][0]['PaymentID']}"))
    invoices = api.get("/Invoices", params={"Statuses": "AUTHORISED"}).json()["Invoices"]
    target = next(i for i in invoices if i["AmountDue"] > 1)
    created = check(spec, api.put("/Payments", {"Payments": [{"Invoice": {"InvoiceID": target["InvoiceID"]},
                                                               "Account": {"Code": "090"}, "Amount": 1.00,
                                                               "Date": "2026-11-01", "Reference": "contract"}]}))
    check(spec, api.post(f"/Payments/{created['Payments'][0]['PaymentID']}", {"Status": "DELETED"}))


def test_settings(spec, api):
    for path in ("/TaxRates", "/Currencies", "/Organisation", "/TrackingCategories", "/Accounts"):
        check(spec, api.get(path))


def test_validator_catches_violations(spec, api):
    """Guard against a silently permissive setup: a tampered body must fail validation."""
    r = api.get("/Contacts", params={"page": 1, "pageSize": 1})
    body = r.json()
    body["Contacts"][0]["IsSupplier"] = "yes"
    tampered = httpx.Response(200, json=body, request=r.request)
    with pytest.raises(Exception, match="not of type 'boolean'"):
        spec.validate_response(SpecRequest(tampered.request), _Response(tampered))


def _sent(spec, response: httpx.Response) -> httpx.Response:
    """The request itself is one Xero's spec accepts (beside the answer checked by ``check``)."""
    with warnings.catch_warnings():  # openapi-core cannot check OAuth 2 security: the tokens are not at issue
        warnings.filterwarnings("ignore", "Unsupported scheme type", UserWarning)
        spec.validate_request(SpecRequest(response.request))
    return response


def test_credit_notes(spec, api):
    invoices = api.get("/Invoices", params={"Statuses": "AUTHORISED"}).json()["Invoices"]
    target = next(i for i in invoices if i["AmountDue"] > 20 and i["CurrencyCode"] == "AUD")
    contact = target["Contact"]["ContactID"]
    created = check(spec, _sent(spec, api.put("/CreditNotes", {"CreditNotes": [{
        "Type": "ACCRECCREDIT", "Contact": {"ContactID": contact}, "Status": "AUTHORISED", "Date": "2026-10-01",
        "LineAmountTypes": "Inclusive", "Reference": "Damaged bag",
        "LineItems": [{"Description": "Damaged bag", "Quantity": 1, "UnitAmount": 38.50, "AccountCode": "200",
                       "TaxType": "OUTPUT"}]}]})))
    note_id = created["CreditNotes"][0]["CreditNoteID"]
    allocated = check(spec, _sent(spec, api.put(f"/CreditNotes/{note_id}/Allocations", {"Allocations": [{
        "Invoice": {"InvoiceID": target["InvoiceID"]}, "Amount": 10.00, "Date": "2026-10-02"}]})))
    assert allocated["Allocations"][0]["Amount"] == 10
    check(spec, _sent(spec, api.post(f"/CreditNotes/{note_id}", {"CreditNotes": [{"Reference": "Bag 2"}]})))
    check(spec, _sent(spec, api.get("/CreditNotes")))
    paged = check(spec, _sent(spec, api.get("/CreditNotes", params={"page": 1, "pageSize": 10,
                                                                    "where": 'Type=="ACCRECCREDIT"'})))
    assert paged["CreditNotes"][0]["Allocations"]
    check(spec, _sent(spec, api.get(f"/CreditNotes/{note_id}")))
    credited = check(spec, api.get(f"/Invoices/{target['InvoiceID']}"))["Invoices"][0]
    assert credited["CreditNotes"][0]["AppliedAmount"] == 10
    check(spec, _sent(spec, api.put(f"/CreditNotes/{note_id}/Allocations", {"Allocations": [{
        "Invoice": {"InvoiceID": target["InvoiceID"]}, "Amount": 1000.00, "Date": "2026-10-02"}]})), 400)
    check(spec, api.put("/CreditNotes", {"CreditNotes": [{"Type": "ACCRECCREDIT", "LineItems": []}]}), 400)
    taken_back = check(spec, _sent(spec, api.http.delete(
        f"https://api.xero.com/api.xro/2.0/CreditNotes/{note_id}/Allocations/"
        f"{allocated['Allocations'][0]['AllocationID']}", headers=api.headers())))
    assert taken_back["IsDeleted"] is True


def test_contact_groups(spec, api):
    listed = check(spec, _sent(spec, api.get("/ContactGroups")))
    check(spec, _sent(spec, api.get(f"/ContactGroups/{listed['ContactGroups'][0]['ContactGroupID']}")))
    created = check(spec, _sent(spec, api.put("/ContactGroups", {"ContactGroups": [{"Name": "Owner: Contract"}]})))
    gid = created["ContactGroups"][0]["ContactGroupID"]
    contact = api.get("/Contacts").json()["Contacts"][0]["ContactID"]
    check(spec, _sent(spec, api.put(f"/ContactGroups/{gid}/Contacts", {"Contacts": [{"ContactID": contact}]})))
    assert check(spec, _sent(spec, api.get(f"/ContactGroups/{gid}")))["ContactGroups"][0]["Contacts"]
    check(spec, _sent(spec, api.put("/ContactGroups", {"ContactGroups": [{"Name": "Owner: Contract"}]})), 400)
    for path in (f"/ContactGroups/{gid}/Contacts/{contact}", f"/ContactGroups/{gid}/Contacts"):
        removed = _sent(spec, api.http.delete(f"https://api.xero.com/api.xro/2.0{path}", headers=api.headers()))
        assert removed.status_code == 204 and removed.content == b""
        spec.validate_response(SpecRequest(removed.request), _Response(removed))
