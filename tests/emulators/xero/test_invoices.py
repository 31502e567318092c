"""/Invoices and /Payments: totals with per-line rounding, status machine, numbering, filters, payments."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.emulators.xero import XeroEmulator

from .conftest import login

BAD_STATUS = "Invoice not of valid status for modification"


def _contact_id(session, name="Acme Catering Pty Ltd"):
    return session.get("/Contacts", params={"where": f'Name=="{name}"'}).json()["Contacts"][0]["ContactID"]


def _create(session, status="DRAFT", lines=None, amount_types="Exclusive", **fields):
    body = {"Type": "ACCREC", "Contact": {"ContactID": _contact_id(session)}, "Status": status,
            "LineAmountTypes": amount_types, "Date": "2026-10-20", "DueDate": "2026-11-20",
            "LineItems": lines or [{"Description": "Widget", "Quantity": 2, "UnitAmount": 50.00,
                                    "AccountCode": "200", "TaxType": "OUTPUT"}], **fields}
    r = session.put("/Invoices", {"Invoices": [body]})
    assert r.status_code == 200, r.text
    return r.json()["Invoices"][0]


def _status(session, invoice_id, status):
    return session.post(f"/Invoices/{invoice_id}", {"Invoices": [{"Status": status}]})


def _pay(session, invoice_id, amount, **extra):
    return session.put("/Payments", {"Payments": [{"Invoice": {"InvoiceID": invoice_id}, "Account": {"Code": "090"},
                                                   "Date": "2026-10-30", "Amount": amount, **extra}]})


# ----- arithmetic ------------------------------------------------------------------------------------------------
def test_per_line_rounding_exclusive(session):
    # 3 × 0.15 at 10 %: each line's GST 0.015 rounds to 0.02 → 0.06; rounding the total would give 0.05
    lines = [{"Description": f"Tiny {i}", "Quantity": 1, "UnitAmount": 0.15, "TaxType": "OUTPUT"} for i in range(3)]
    inv = _create(session, lines=lines)
    assert [li["TaxAmount"] for li in inv["LineItems"]] == [0.02, 0.02, 0.02]
    assert (inv["SubTotal"], inv["TotalTax"], inv["Total"]) == (0.45, 0.06, 0.51)
    assert '"TotalTax":0.06' in session.get(f"/Invoices/{inv['InvoiceID']}").text


def test_per_line_rounding_inclusive(session):
    # 3 × 1.05 incl. GST: each line's GST 0.0954… rounds to 0.10 → 0.30; on the total 3.15/11 = 0.286 → 0.29
    lines = [{"Description": f"Incl {i}", "Quantity": 1, "UnitAmount": 1.05, "TaxType": "OUTPUT"} for i in range(3)]
    inv = _create(session, lines=lines, amount_types="Inclusive")
    assert (inv["SubTotal"], inv["TotalTax"], inv["Total"]) == (2.85, 0.30, 3.15)
    assert inv["LineAmountTypes"] == "Inclusive"


def test_round_half_away_from_zero_and_notax(session):
    inv = _create(session, lines=[{"Description": "Half", "Quantity": 1, "UnitAmount": 0.25, "TaxType": "OUTPUT"}])
    assert inv["LineItems"][0]["TaxAmount"] == 0.03  # 0.025 → 0.03, not banker's 0.02
    inv = _create(session, amount_types="NoTax")
    assert (inv["SubTotal"], inv["TotalTax"], inv["Total"]) == (100.0, 0.0, 100.0)


def test_quantity_times_unit_and_discount_and_exempt(session):
    inv = _create(session, lines=[
        {"Description": "Disc", "Quantity": 3, "UnitAmount": 33.33, "DiscountRate": 10, "TaxType": "OUTPUT"},
        {"ItemCode": "MILK-OAT", "Quantity": 2},
    ])
    disc, milk = inv["LineItems"]
    assert disc["LineAmount"] == 89.99 and disc["TaxAmount"] == 9.0 and disc["DiscountRate"] == 10
    assert milk["Description"] == "Barista oat milk, carton of 12" and milk["UnitAmount"] == 48.0
    assert milk["TaxType"] == "EXEMPTOUTPUT" and milk["TaxAmount"] == 0 and milk["Item"]["Code"] == "MILK-OAT"
    assert inv["Total"] == 89.99 + 9.0 + 96.0 and inv["IsDiscounted"] is True


def test_client_total_is_ignored_and_tax_override_honoured(session):
    inv = _create(session, Total=1, SubTotal=1, lines=[
        {"Description": "Override", "Quantity": 1, "UnitAmount": 10, "TaxType": "OUTPUT", "TaxAmount": 0.99}])
    assert inv["Total"] == 10.99


def test_line_validation(session):
    r = session.put("/Invoices", {"Invoices": [{"Type": "ACCREC", "Contact": {"ContactID": _contact_id(session)},
                                                "LineItems": [{"Quantity": 1, "UnitAmount": 5}]}]})
    assert r.status_code == 400
    element = r.json()["Elements"][0]
    assert element["HasErrors"] is True
    assert element["ValidationErrors"] == [{"Message": "The description field is mandatory for each line item."}]
    r = session.put("/Invoices", {"Invoices": [{"Type": "ACCREC", "Contact": {"ContactID": _contact_id(session)},
                                                "LineItems": [{"Description": "x", "TaxType": "NONE"}]}]})
    assert "The TaxType code NONE does not exist" in r.text
    r = session.put("/Invoices", {"Invoices": [{"Type": "ACCREC", "LineItems": [{"Description": "x"}]}]})
    assert "A Contact must be specified" in r.text


def test_unknown_account_code_is_removed_with_warning(session):
    r = session.put("/Invoices", {"Invoices": [{"Type": "ACCREC", "Contact": {"ContactID": _contact_id(session)},
                                                "LineItems": [{"Description": "x", "UnitAmount": 1,
                                                               "AccountCode": "600"}]}]},
                    params={"summarizeErrors": "false"})
    inv = r.json()["Invoices"][0]
    assert inv["StatusAttributeString"] == "WARNING" and "AccountCode" not in inv["LineItems"][0]
    assert inv["Warnings"] == [{"Message": "Account code '600' has been removed as it does not match a recognised "
                                           "account."}]


# ----- numbering, currency, contact ------------------------------------------------------------------------------
def test_auto_numbering_and_uniqueness(session):
    a = _create(session)
    b = _create(session)
    assert a["InvoiceNumber"] == "INV-0056" and b["InvoiceNumber"] == "INV-0057"  # demo: INV-0001..0055
    r = session.put("/Invoices", {"Invoices": [{"Type": "ACCREC", "InvoiceNumber": "INV-0056",
                                                "Contact": {"ContactID": _contact_id(session)},
                                                "LineItems": [{"Description": "x"}]}]})
    assert r.status_code == 400 and r.json()["Elements"][0]["ValidationErrors"] == [
        {"Message": "Invoice # must be unique."}]
    # bills may share numbers and get none automatically
    bill = {"Type": "ACCPAY", "Contact": {"ContactID": _contact_id(session, "PaperCo Wholesale Pty Ltd")},
            "LineItems": [{"Description": "Paper", "UnitAmount": 10, "TaxType": "INPUT"}]}
    r = session.put("/Invoices", {"Invoices": [dict(bill), dict(bill, InvoiceNumber="X-1"), dict(bill, InvoiceNumber="X-1")]})
    assert [i["InvoiceNumber"] for i in r.json()["Invoices"]] == ["", "X-1", "X-1"]


def test_contact_by_name_is_created_and_flags_set(session):
    inv = session.put("/Invoices", {"Invoices": [{"Type": "ACCPAY", "Contact": {"Name": "New Supplier Pty Ltd"},
                                                  "LineItems": [{"Description": "Stuff", "UnitAmount": 5,
                                                                 "TaxType": "INPUT"}]}]}).json()["Invoices"][0]
    c = session.get(f"/Contacts/{inv['Contact']['ContactID']}").json()["Contacts"][0]
    assert c["Name"] == "New Supplier Pty Ltd" and c["IsSupplier"] is True and c["IsCustomer"] is False


def test_currency(session):
    inv = _create(session, CurrencyCode="NZD")
    assert inv["CurrencyCode"] == "NZD" and inv["CurrencyRate"] == 1.09
    assert '"CurrencyRate":1.090000' in session.get(f"/Invoices/{inv['InvoiceID']}").text
    r = session.put("/Invoices", {"Invoices": [{"Type": "ACCREC", "CurrencyCode": "GBP",
                                                "Contact": {"ContactID": _contact_id(session)},
                                                "LineItems": [{"Description": "x"}]}]})
    assert "Organisation is not subscribed to currency GBP" in r.text


# ----- status machine --------------------------------------------------------------------------------------------
def test_status_machine_forward_path(session):
    inv = _create(session)
    assert _status(session, inv["InvoiceID"], "SUBMITTED").json()["Invoices"][0]["Status"] == "SUBMITTED"
    assert _status(session, inv["InvoiceID"], "AUTHORISED").json()["Invoices"][0]["Status"] == "AUTHORISED"
    paid = _pay(session, inv["InvoiceID"], 110.00)
    assert paid.status_code == 200
    got = session.get(f"/Invoices/{inv['InvoiceID']}").json()["Invoices"][0]
    assert got["Status"] == "PAID" and got["AmountDue"] == 0 and got["AmountPaid"] == 110
    assert got["FullyPaidOnDate"] and got["Payments"][0]["Amount"] == 110


@pytest.mark.parametrize("start,target,ok", [
    ("DRAFT", "DELETED", True), ("SUBMITTED", "DELETED", True), ("SUBMITTED", "DRAFT", True),
    ("AUTHORISED", "VOIDED", True), ("AUTHORISED", "DELETED", False), ("AUTHORISED", "DRAFT", False),
    ("DRAFT", "VOIDED", False), ("DRAFT", "PAID", False),
])
def test_status_transitions(session, start, target, ok):
    inv = _create(session, status=start)
    r = _status(session, inv["InvoiceID"], target)
    if ok:
        assert r.status_code == 200 and r.json()["Invoices"][0]["Status"] == target
    else:
        assert r.status_code == 400
        assert r.json()["Elements"][0]["ValidationErrors"] == [{"Message": BAD_STATUS}]


def test_no_void_with_payments_no_edit_after_paid(session):
    inv = _create(session, status="AUTHORISED")
    _pay(session, inv["InvoiceID"], 10.00)
    r = _status(session, inv["InvoiceID"], "VOIDED")
    assert r.status_code == 400 and BAD_STATUS in r.text
    r = session.post(f"/Invoices/{inv['InvoiceID']}", {"Invoices": [{"LineItems": [{"Description": "new"}]}]})
    assert "cannot be edited as it has a payment" in r.text
    _pay(session, inv["InvoiceID"], 100.00)
    r = session.post(f"/Invoices/{inv['InvoiceID']}", {"Invoices": [{"Reference": "late"}]})
    assert r.status_code == 400 and BAD_STATUS in r.text


def test_create_with_bad_status(session):
    r = session.put("/Invoices", {"Invoices": [{"Type": "ACCREC", "Status": "PAID",
                                                "Contact": {"ContactID": _contact_id(session)},
                                                "LineItems": [{"Description": "x"}]}]})
    assert "Invoice not of valid status for creation" in r.text


def test_voided_and_deleted_amount_due_zero_and_number_reusable(session):
    inv = _create(session, status="AUTHORISED")
    voided = _status(session, inv["InvoiceID"], "VOIDED").json()["Invoices"][0]
    assert voided["AmountDue"] == 0
    draft = _create(session)
    _status(session, draft["InvoiceID"], "DELETED")
    again = _create(session, InvoiceNumber=draft["InvoiceNumber"])
    assert again["InvoiceNumber"] == draft["InvoiceNumber"]


def test_line_item_replacement_rules(session, clock):
    inv = _create(session, lines=[{"Description": "A", "UnitAmount": 1}, {"Description": "B", "UnitAmount": 2}])
    a, b = inv["LineItems"]
    clock.advance(3)
    r = session.post(f"/Invoices/{inv['InvoiceID']}", {"Invoices": [{"LineItems": [
        {"LineItemID": b["LineItemID"], "Quantity": 3}, {"Description": "C", "UnitAmount": 5}]}]})
    lines = r.json()["Invoices"][0]["LineItems"]
    assert [li["Description"] for li in lines] == ["C", "B"]  # new lines go before kept ones; A was dropped
    assert lines[1]["LineItemID"] == b["LineItemID"] and lines[1]["LineAmount"] == 6
    assert r.json()["Invoices"][0]["UpdatedDateUTC"] != inv["UpdatedDateUTC"]


# ----- lists -----------------------------------------------------------------------------------------------------
def test_unpaged_list_omits_lines_paged_includes(session):
    unpaged = session.get("/Invoices").json()
    assert "pagination" not in unpaged and len(unpaged["Invoices"]) == 63
    assert all(i["LineItems"] == [] for i in unpaged["Invoices"])
    paged = session.get("/Invoices", params={"page": 1}).json()
    assert all(i["LineItems"] for i in paged["Invoices"] if i["Type"] == "ACCREC")
    one = session.get(f"/Invoices/{unpaged['Invoices'][0]['InvoiceID']}").json()["Invoices"][0]
    assert one["LineItems"]
    by_number = session.get(f"/Invoices/{one['InvoiceNumber']}").json()["Invoices"][0]
    assert by_number["InvoiceID"] == one["InvoiceID"]


def test_demo_seed_covers_every_status(session):
    statuses = {i["Status"] for i in session.get("/Invoices").json()["Invoices"]}
    assert statuses == {"DRAFT", "SUBMITTED", "AUTHORISED", "PAID", "VOIDED", "DELETED"}
    invoices = session.get("/Invoices", params={"page": 1}).json()["Invoices"]
    assert {i["CurrencyCode"] for i in invoices} == {"AUD", "NZD", "USD"}
    assert {i["LineAmountTypes"] for i in invoices} >= {"Exclusive", "Inclusive"}
    assert {i["Type"] for i in invoices} == {"ACCREC", "ACCPAY"}
    part = [i for i in invoices if i["Status"] == "AUTHORISED" and 0 < i["AmountPaid"] < i["Total"]]
    assert part


def test_list_filters(session):
    acme = _contact_id(session)
    by_contact = session.get("/Invoices", params={"ContactIDs": acme}).json()["Invoices"]
    assert by_contact and all(i["Contact"]["ContactID"] == acme for i in by_contact)
    drafts = session.get("/Invoices", params={"Statuses": "DRAFT,SUBMITTED"}).json()["Invoices"]
    assert {i["Status"] for i in drafts} == {"DRAFT", "SUBMITTED"}
    numbers = session.get("/Invoices", params={"InvoiceNumbers": "INV-0001,INV-0002"}).json()["Invoices"]
    assert sorted(i["InvoiceNumber"] for i in numbers) == ["INV-0001", "INV-0002"]
    where = session.get("/Invoices", params={"where": 'Type=="ACCPAY" AND Status=="PAID"'}).json()["Invoices"]
    assert where and all(i["Type"] == "ACCPAY" and i["Status"] == "PAID" for i in where)
    due = session.get("/Invoices", params={"where": "AmountDue > 0", "order": "AmountDue DESC"}).json()["Invoices"]
    amounts = [Decimal(str(i["AmountDue"])) for i in due]
    assert amounts == sorted(amounts, reverse=True) and all(a > 0 for a in amounts)
    named = session.get("/Invoices", params={"where": 'Contact.Name.StartsWith("Acme")'}).json()["Invoices"]
    assert named and all(i["Contact"]["Name"].startswith("Acme") for i in named)
    dated = session.get("/Invoices", params={"where": "Date >= DateTime(2026,10,01)", "order": "Date ASC"}).json()
    assert all(i["DateString"] >= "2026-10-01" for i in dated["Invoices"])


def test_deleted_in_lists_switch(clock):
    s = login(XeroEmulator(clock=clock, switches={"deleted_invoices_in_lists": False}))
    statuses = {i["Status"] for i in s.get("/Invoices").json()["Invoices"]}
    assert "DELETED" not in statuses
    assert s.get("/Invoices", params={"Statuses": "DELETED"}).json()["Invoices"]


def test_invoice_if_modified_since(session, emu):
    since = emu.clock.now().strftime("%Y-%m-%dT%H:%M:%S")
    assert session.get("/Invoices", headers={"If-Modified-Since": since}).json()["Invoices"] == []
    inv = _create(session)
    got = session.get("/Invoices", headers={"If-Modified-Since": since}).json()["Invoices"]
    assert [i["InvoiceID"] for i in got] == [inv["InvoiceID"]]


# ----- payments --------------------------------------------------------------------------------------------------
def test_payment_rules(session):
    draft = _create(session)
    r = _pay(session, draft["InvoiceID"], 1.00)
    assert r.status_code == 400 and "Payments can only be made against Authorised documents" in r.text
    inv = _create(session, status="AUTHORISED")
    r = _pay(session, inv["InvoiceID"], 500.00)
    assert "Payment amount exceeds the amount outstanding on this document" in r.text
    r = session.put("/Payments", {"Payments": [{"Invoice": {"InvoiceID": inv["InvoiceID"]},
                                                "Account": {"Code": "200"}, "Amount": 1}]})
    assert "Account could not be found" in r.text


def test_payment_updates_invoice_and_delete_reverses(session, clock):
    inv = _create(session, status="AUTHORISED")
    clock.advance(60)
    p = _pay(session, inv["InvoiceID"], 110.00, Reference="EFT").json()["Payments"][0]
    assert p["PaymentType"] == "ACCRECPAYMENT" and p["Status"] == "AUTHORISED" and p["Amount"] == 110
    assert p["Invoice"]["InvoiceID"] == inv["InvoiceID"] and p["UpdatedDateUTCString"].endswith("Z")
    got = session.get(f"/Invoices/{inv['InvoiceID']}").json()["Invoices"][0]
    assert got["Status"] == "PAID" and got["UpdatedDateUTC"] != inv["UpdatedDateUTC"]
    clock.advance(60)
    d = session.post(f"/Payments/{p['PaymentID']}", {"Status": "DELETED"})
    assert d.status_code == 200 and d.json()["Payments"][0]["Status"] == "DELETED"
    got = session.get(f"/Invoices/{inv['InvoiceID']}").json()["Invoices"][0]
    assert got["Status"] == "AUTHORISED" and got["AmountDue"] == 110 and "FullyPaidOnDate" not in got
    again = session.post(f"/Payments/{p['PaymentID']}", {"Payments": [{"Status": "DELETED"}]})
    assert again.status_code == 400
    # the deletion shows up in an If-Modified-Since poll of /Payments
    since = clock.now().strftime("%Y-%m-%dT%H:%M:%S")
    polled = session.get("/Payments", headers={"If-Modified-Since": since}).json()["Payments"]
    assert [(x["PaymentID"], x["Status"]) for x in polled] == [(p["PaymentID"], "DELETED")]


def test_payment_list_paging_and_by_number(session):
    body = session.get("/Payments", params={"page": 1, "pageSize": 5}).json()
    assert body["pagination"]["itemCount"] == 34 and len(body["Payments"]) == 5
    inv = _create(session, status="AUTHORISED")
    r = session.put("/Payments", {"Payments": [{"Invoice": {"InvoiceNumber": inv["InvoiceNumber"]},
                                                "Account": {"Code": "090"}, "Amount": 10.00}]})
    assert r.status_code == 200
    one = session.get(f"/Payments/{r.json()['Payments'][0]['PaymentID']}").json()["Payments"]
    assert one[0]["Amount"] == 10


def test_summarize_errors_false_on_invoices(session):
    ok = {"Type": "ACCREC", "Contact": {"ContactID": _contact_id(session)}, "LineItems": [{"Description": "ok"}]}
    bad = {"Type": "ACCREC", "Contact": {"ContactID": _contact_id(session)}, "LineItems": [{"Quantity": 1}]}
    r = session.put("/Invoices", {"Invoices": [ok, bad]}, params={"summarizeErrors": "false"})
    assert r.status_code == 200
    out = r.json()["Invoices"]
    assert [i["StatusAttributeString"] for i in out] == ["OK", "ERROR"]
    assert out[1]["HasErrors"] is True and out[1]["ValidationErrors"]
