"""/CreditNotes and their allocations: totals like invoices, numbering, the status machine, and what an allocation
does to the invoice (AmountCredited, AmountDue, PAID, UpdatedDateUTC) and to the customer's balances."""

from __future__ import annotations

import pytest

from app.emulators.xero import SandboxEditError

SANDBOX = "http://sandbox/_sandbox/xero"


def _contact_id(session, name="Acme Catering Pty Ltd"):
    return session.get("/Contacts", params={"where": f'Name=="{name}"'}).json()["Contacts"][0]["ContactID"]


def _invoice(session, contact_id, status="AUTHORISED", unit=100.00):
    r = session.put("/Invoices", {"Invoices": [{
        "Type": "ACCREC", "Contact": {"ContactID": contact_id}, "Status": status, "Date": "2026-10-20",
        "DueDate": "2026-11-20", "LineItems": [{"Description": "Widget", "Quantity": 2, "UnitAmount": unit,
                                                "AccountCode": "200", "TaxType": "OUTPUT"}]}]})
    assert r.status_code == 200, r.text
    return r.json()["Invoices"][0]


def _credit_note(session, contact_id, status="AUTHORISED", lines=None, **fields):
    r = session.put("/CreditNotes", {"CreditNotes": [{
        "Type": "ACCRECCREDIT", "Contact": {"ContactID": contact_id}, "Status": status, "Date": "2026-10-25",
        "LineItems": lines or [{"Description": "Damaged bag", "Quantity": 1, "UnitAmount": 50.00,
                                "AccountCode": "200", "TaxType": "OUTPUT"}], **fields}]})
    assert r.status_code == 200, r.text
    return r.json()["CreditNotes"][0]


def _allocate(session, note_id, invoice_id, amount, date="2026-10-26"):
    body = {"Invoice": {"InvoiceID": invoice_id}, "Amount": amount}
    if date:
        body["Date"] = date
    return session.put(f"/CreditNotes/{note_id}/Allocations", {"Allocations": [body]})


def _balances(session, contact_id):
    return session.get(f"/Contacts/{contact_id}").json()["Contacts"][0]["Balances"]["AccountsReceivable"]


def test_credit_note_totals_number_and_shape(session):
    cid = _contact_id(session)
    note = _credit_note(session, cid, lines=[
        {"Description": "Returned beans", "Quantity": 3, "UnitAmount": 33.33, "AccountCode": "200",
         "TaxType": "OUTPUT"},
        {"Description": "Freight refund", "Quantity": 1, "UnitAmount": 10.05, "AccountCode": "200",
         "TaxType": "OUTPUT"}], Reference="RMA-7")
    # per-line tax rounding, as invoices: 99.99 → 10.00, 10.05 → 1.01 (half away from zero)
    assert (note["SubTotal"], note["TotalTax"], note["Total"]) == (110.04, 11.01,
                                                                   121.05)
    assert note["Type"] == "ACCRECCREDIT" and note["Status"] == "AUTHORISED" and note["Reference"] == "RMA-7"
    assert note["CreditNoteNumber"].startswith("CN-") and note["ID"] == note["CreditNoteID"]
    assert note["RemainingCredit"] == note["Total"] and note["Allocations"] == []
    assert note["Contact"]["ContactID"] == cid and note["UpdatedDateUTCString"].endswith("Z")
    second = _credit_note(session, cid)
    assert int(second["CreditNoteNumber"][3:]) == int(note["CreditNoteNumber"][3:]) + 1
    clash = session.put("/CreditNotes", {"CreditNotes": [{"Type": "ACCRECCREDIT", "Contact": {"ContactID": cid},
                                                          "CreditNoteNumber": note["CreditNoteNumber"],
                                                          "LineItems": [{"Description": "x"}]}]})
    assert clash.status_code == 400 and "must be unique" in clash.text
    draft = _credit_note(session, cid, status=None)
    assert draft["Status"] == "DRAFT"
    by_number = session.get(f"/CreditNotes/{note['CreditNoteNumber']}").json()["CreditNotes"][0]
    assert by_number["CreditNoteID"] == note["CreditNoteID"] and len(by_number["LineItems"]) == 2


def test_allocation_moves_invoice_credit_note_and_balance(session, clock):
    cid = _contact_id(session)
    before = _balances(session, cid)
    inv = _invoice(session, cid)  # 200 + 20 GST
    assert _balances(session, cid)["Outstanding"] == before["Outstanding"] + 220.00
    note = _credit_note(session, cid)  # 50 + 5 GST
    assert _balances(session, cid)["Outstanding"] == before["Outstanding"] + 220.00  # not yet applied
    clock.advance(60)
    r = _allocate(session, note["CreditNoteID"], inv["InvoiceID"], 55.00)
    assert r.status_code == 200, r.text
    allocation = r.json()["Allocations"][0]
    assert allocation["Amount"] == 55.00 and allocation["Invoice"]["InvoiceID"] == inv["InvoiceID"]
    assert allocation["CreditNote"]["CreditNoteID"] == note["CreditNoteID"]
    got = session.get(f"/Invoices/{inv['InvoiceID']}").json()["Invoices"][0]
    assert (got["AmountCredited"], got["AmountDue"], got["Status"]) == (55.00, 165.00,
                                                                       "AUTHORISED")
    assert got["UpdatedDateUTC"] != inv["UpdatedDateUTC"]
    assert [(c["CreditNoteID"], c["AppliedAmount"]) for c in got["CreditNotes"]] == [(note["CreditNoteID"],
                                                                                      55.00)]
    spent = session.get(f"/CreditNotes/{note['CreditNoteID']}").json()["CreditNotes"][0]
    assert spent["RemainingCredit"] == 0 and spent["Status"] == "PAID" and "FullyPaidOnDate" in spent
    assert spent["UpdatedDateUTC"] != note["UpdatedDateUTC"]
    assert _balances(session, cid)["Outstanding"] == before["Outstanding"] + 165.00
    # a bigger credit note pays off the rest: the invoice is PAID, the note keeps what is left
    big = _credit_note(session, cid, lines=[{"Description": "Goodwill", "Quantity": 1, "UnitAmount": 200.00,
                                             "AccountCode": "200", "TaxType": "OUTPUT"}])
    assert _allocate(session, big["CreditNoteID"], inv["InvoiceID"], 165.00).status_code == 200
    paid = session.get(f"/Invoices/{inv['InvoiceID']}").json()["Invoices"][0]
    assert paid["Status"] == "PAID" and paid["AmountDue"] == 0 and paid["AmountCredited"] == 220.00
    left = session.get(f"/CreditNotes/{big['CreditNoteID']}").json()["CreditNotes"][0]
    assert left["Status"] == "AUTHORISED" and left["RemainingCredit"] == 55.00
    assert _balances(session, cid)["Outstanding"] == before["Outstanding"]


def test_overdue_balance_falls_with_credit(session):
    cid = _contact_id(session)
    before = _balances(session, cid)["Overdue"]
    r = session.put("/Invoices", {"Invoices": [{
        "Type": "ACCREC", "Contact": {"ContactID": cid}, "Status": "AUTHORISED", "Date": "2026-01-05",
        "DueDate": "2026-02-05", "LineItems": [{"Description": "Old order", "Quantity": 1, "UnitAmount": 100.00,
                                                "AccountCode": "200", "TaxType": "OUTPUT"}]}]})
    inv = r.json()["Invoices"][0]
    assert _balances(session, cid)["Overdue"] == before + 110.00
    note = _credit_note(session, cid)
    assert _allocate(session, note["CreditNoteID"], inv["InvoiceID"], 55.00).status_code == 200
    assert _balances(session, cid)["Overdue"] == before + 55.00


@pytest.mark.parametrize("case, message", [
    ("draft note", "must be AUTHORISED"),
    ("draft invoice", "Authorised invoices"),
    ("other contact", "same contact"),
    ("more than the credit", "exceeds the remaining credit"),
    ("more than due", "exceeds the amount outstanding"),
    ("no date", "Date must be specified"),
    ("zero", "greater than zero"),
])
def test_allocation_refusals(session, case, message):
    cid = _contact_id(session)
    other = _contact_id(session, "Harbour View Cafe")
    inv = _invoice(session, other if case == "other contact" else cid,
                   status="DRAFT" if case == "draft invoice" else "AUTHORISED",
                   unit=10.00 if case == "more than due" else 100.00)  # 22.00 due
    note = _credit_note(session, cid, status="DRAFT" if case == "draft note" else "AUTHORISED")  # 55.00 credit
    amount = {"more than the credit": 60.00, "more than due": 30.00, "zero": 0}.get(case, 10.00)
    r = _allocate(session, note["CreditNoteID"], inv["InvoiceID"], amount, date=None if case == "no date" else
                  "2026-10-26")
    assert r.status_code == 400 and message in r.text
    after = session.get(f"/Invoices/{inv['InvoiceID']}").json()["Invoices"][0]
    assert after["AmountCredited"] == 0 and after["UpdatedDateUTC"] == inv["UpdatedDateUTC"]


def test_credited_invoice_cannot_be_voided_or_relined_and_allocation_can_be_taken_back(session, clock):
    cid = _contact_id(session)
    inv = _invoice(session, cid)
    note = _credit_note(session, cid)
    allocation = _allocate(session, note["CreditNoteID"], inv["InvoiceID"], 20.00).json()["Allocations"][0]
    void = session.post(f"/Invoices/{inv['InvoiceID']}", {"Invoices": [{"Status": "VOIDED"}]})
    assert void.status_code == 400 and "credit note allocated" in void.text
    relined = session.post(f"/Invoices/{inv['InvoiceID']}", {"Invoices": [{"LineItems": [
        {"Description": "Other", "Quantity": 1, "UnitAmount": 5, "AccountCode": "200"}]}]})
    assert relined.status_code == 400
    void_note = session.post(f"/CreditNotes/{note['CreditNoteID']}", {"CreditNotes": [{"Status": "VOIDED"}]})
    assert void_note.status_code == 400
    clock.advance(60)
    r = session.http.delete(
        f"https://api.xero.com/api.xro/2.0/CreditNotes/{note['CreditNoteID']}/Allocations/"
        f"{allocation['AllocationID']}", headers=session.headers())
    assert r.status_code == 200 and r.json()["IsDeleted"] is True
    back = session.get(f"/Invoices/{inv['InvoiceID']}").json()["Invoices"][0]
    assert back["AmountCredited"] == 0 and back["AmountDue"] == 220.00 and back["CreditNotes"] == []
    assert session.get(f"/CreditNotes/{note['CreditNoteID']}").json()["CreditNotes"][0]["RemainingCredit"] == 55
    assert session.post(f"/CreditNotes/{note['CreditNoteID']}",
                        {"CreditNotes": [{"Status": "VOIDED"}]}).json()["CreditNotes"][0]["RemainingCredit"] == 0


def test_list_paging_and_if_modified_since(session, clock):
    cid = _contact_id(session)
    first = _credit_note(session, cid)
    clock.advance(120)
    since = clock.now().strftime("%Y-%m-%dT%H:%M:%S")
    second = _credit_note(session, cid)
    polled = session.get("/CreditNotes", headers={"If-Modified-Since": since}).json()["CreditNotes"]
    assert [n["CreditNoteID"] for n in polled] == [second["CreditNoteID"]]
    clock.advance(120)
    since = clock.now().strftime("%Y-%m-%dT%H:%M:%S")
    _allocate(session, first["CreditNoteID"], _invoice(session, cid)["InvoiceID"], 5.00)
    polled = session.get("/CreditNotes", headers={"If-Modified-Since": since}).json()["CreditNotes"]
    assert [n["CreditNoteID"] for n in polled] == [first["CreditNoteID"]]
    unpaged = session.get("/CreditNotes").json()
    assert "pagination" not in unpaged and all(n["LineItems"] == [] for n in unpaged["CreditNotes"])
    paged = session.get("/CreditNotes", params={"page": 1, "pageSize": 1, "where": 'Status=="AUTHORISED"',
                                                "order": "CreditNoteNumber DESC"}).json()
    assert paged["pagination"]["itemCount"] == 2 and paged["pagination"]["pageCount"] == 2
    assert paged["CreditNotes"][0]["CreditNoteID"] == second["CreditNoteID"] and paged["CreditNotes"][0]["LineItems"]


def test_sandbox_credit_on_an_invoice(session, emu):
    """The control API's "Add credit note" on an invoice: a credit note for its contact, allocated at once."""
    cid = _contact_id(session)
    inv = _invoice(session, cid)
    r = session.http.post(f"{SANDBOX}/invoices/{inv['InvoiceID']}/credit", json={"Amount": "220.00"})
    assert r.status_code == 200, r.text
    note = r.json()
    assert note["Status"] == "PAID" and note["Total"] == 220.00 and note["RemainingCredit"] == 0
    got = session.get(f"/Invoices/{inv['InvoiceID']}").json()["Invoices"][0]
    assert got["Status"] == "PAID" and got["AmountCredited"] == 220.00
    refused = session.http.post(f"{SANDBOX}/invoices/{inv['InvoiceID']}/credit", json={"Amount": "1.00"})
    assert refused.status_code == 400 and emu.summary()["tenants"][0]["creditNotes"]["total"] == 1
    with pytest.raises(SandboxEditError):
        emu.ui_allocate_credit_note(note["CreditNoteID"], inv["InvoiceID"], "1.00")
    state = emu.export_state()
    emu.import_state(state)
    again = session.get(f"/CreditNotes/{note['CreditNoteID']}").json()["CreditNotes"][0]
    assert again["Allocations"][0]["Invoice"]["InvoiceID"] == inv["InvoiceID"]


def test_sandbox_credit_keeps_the_invoices_currency_and_tax(emu):
    """A US dollar export invoice is credited in US dollars without GST, as Xero's "Add credit note" copies them."""
    org = next(iter(emu.orgs.values()))
    inv = next(i for i in org.invoices.values() if i.CurrencyCode == "USD" and i.Status == "AUTHORISED")
    due = inv.AmountDue
    note = emu.ui_credit_invoice(inv.InvoiceID, "10.00")
    assert note["CurrencyCode"] == "USD" and note["CurrencyRate"] == inv.CurrencyRate
    assert note["TotalTax"] == 0 and note["LineItems"][0]["TaxType"] == inv.LineItems[0].TaxType
    assert inv.AmountDue == due - 10
