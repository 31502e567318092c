"""Xero's fields are data: every field of the schema file (derived from Xero's OpenAPI) is read and written by the
connector with no code of its own, so a bookkeeper can map any of them in the editor and the sync carries it."""

from __future__ import annotations

from decimal import Decimal

from app.core.records import WriteOp
from app.integrations.xero.models import Contact, Invoice, Item
from app.services import xero_fields
from app.services.mapping_editor import MappingEditor
from app.services.xero_fields import FieldCodec
from app.services.xero_ports import (
    CONTACT_SCHEMA,
    build_contact,
    build_invoice,
    build_item,
    flatten_contact,
    flatten_invoice,
    flatten_item,
)


def test_every_plain_field_of_the_schema_file_is_read_from_xeros_json():
    wire = {"ContactID": "c-1", "Name": "Harbour Bikes", "CompanyNumber": "ACN 123 456 789",
            "SalesDefaultAccountCode": "210", "Discount": 2.5, "IsCustomer": True,
            "Balances": {"AccountsPayable": {"Outstanding": Decimal("12.50")}},
            "Addresses": [{"AddressType": "STREET", "AddressLine3": "Level 2", "AttentionTo": "Accounts"}],
            "Phones": [{"PhoneType": "OFFICE", "PhoneNumber": "9555 0100", "PhoneAreaCode": "02"}],
            "UpdatedDateUTC": "/Date(1795237951447+0000)/"}
    f = flatten_contact(Contact.from_wire(wire)).fields
    assert (f["CompanyNumber"], f["SalesDefaultAccountCode"], f["Discount"], f["IsCustomer"]) == (
        "ACN 123 456 789", "210", "2.5", True)
    assert f["Balances.AccountsPayable.Outstanding"] == "12.50"
    assert (f["Addresses.STREET.AddressLine3"], f["Addresses.STREET.AttentionTo"]) == ("Level 2", "Accounts")
    assert f["Phones.OFFICE"] == "02 9555 0100"
    assert f["UpdatedDateUTC"].startswith("2026-11-21T")
    schema_names = {x.name for x in CONTACT_SCHEMA if x.type != "list"}
    assert schema_names <= set(f)  # nothing of the schema file is left out

    item = flatten_item(Item.from_wire({"ItemID": "i-1", "Code": "BEAN-1", "PurchaseDescription": "Green beans",
                                        "IsTrackedAsInventory": False, "QuantityOnHand": 12})).fields
    assert (item["PurchaseDescription"], item["IsTrackedAsInventory"], item["QuantityOnHand"]) == (
        "Green beans", False, "12")
    invoice = flatten_invoice(Invoice.from_wire({"InvoiceID": "v-1", "Type": "ACCREC", "Status": "AUTHORISED",
                                                 "ExpectedPaymentDate": "/Date(1795237951447+0000)/",
                                                 "Contact": {"ContactID": "c-1"}, "AmountCredited": 5})).fields
    assert (invoice["ExpectedPaymentDate"], invoice["Contact.ContactID"], invoice["AmountCredited"]) == (
        "2026-11-21", "c-1", "5")


def test_writable_fields_are_sent_in_xeros_shape_and_read_only_ones_never():
    contact = build_contact(WriteOp("k", {"CompanyNumber": "ACN 1", "SalesDefaultAccountCode": None,
                                          "Balances.AccountsReceivable.Outstanding": "99", "Website": "x.com"},
                                    target_id="c-1")).to_wire()
    assert contact == {"ContactID": "c-1", "CompanyNumber": "ACN 1", "SalesDefaultAccountCode": ""}  # "" clears
    item = build_item(WriteOp("k", {"PurchaseDetails.AccountCode": "300", "SalesDetails.UnitPrice": "41.25"},
                              target_id="i-1", current={"Code": "BEAN-1", "SalesDetails.TaxType": "OUTPUT"})).to_wire()
    assert item == {"ItemID": "i-1", "Code": "BEAN-1",
                    "PurchaseDetails": {"AccountCode": "300"},
                    "SalesDetails": {"UnitPrice": Decimal("41.25"), "TaxType": "OUTPUT", "AccountCode": "200"}}
    invoice = build_invoice(WriteOp("k", {"ExpectedPaymentDate": "2026-12-20", "Contact.ContactID": "c-1",
                                          "SentToContact": True}, target_id="v-1"), {}).to_wire()
    assert invoice == {"InvoiceID": "v-1", "ExpectedPaymentDate": "2026-12-20", "Contact": {"ContactID": "c-1"},
                       "SentToContact": True}


def test_a_field_added_to_the_schema_file_is_carried_with_no_code(monkeypatch):
    data = {k: list(v) for k, v in xero_fields.xero_schema_data().items()}
    data["contacts"].append({"name": "Loyalty.Tier", "label": "Loyalty tier", "type": "text", "required": False,
                             "read_only": False, "max_length": 20, "choices": []})
    monkeypatch.setattr(xero_fields, "xero_schema_data", lambda: data)
    codec = FieldCodec("contacts")
    assert codec.read({"Name": "A", "Loyalty": {"Tier": "Gold"}})["Loyalty.Tier"] == "Gold"
    assert codec.write({"Loyalty.Tier": "Silver"}) == {"Loyalty": {"Tier": "Silver"}}


def sync(w):
    report = w.sync_service().sync()
    assert report.outcome in ("ok", "partial"), report.message
    return report


def test_a_bookkeeper_maps_a_xero_field_the_app_never_carried_and_it_syncs_both_ways(synced):
    w = synced
    w.control("zoho", "POST", "zoho/fields/Accounts", {"api_name": "Company_Number", "field_label": "Company Number",
                                                       "data_type": "text"})
    contact = w.xero_contact("Kiwi Roasters Ltd")
    w.xero.ui_edit_contact(contact.ContactID, {"CompanyNumber": "NZBN 9429041234567"})
    w.clock.advance(60)
    editor = MappingEditor(w.sync_service())
    draft = editor.draft("contacts", fresh=True)  # as the page opens a pair: Zoho's new field is offered at once
    draft.add_link("CompanyNumber", "Company_Number")
    editor.save(draft.mapping)
    sync(w)
    account = w.zoho_one("Accounts", Xero_Contact_ID=contact.ContactID)
    assert account["Company_Number"] == "NZBN 9429041234567"

    w.zoho.ui_edit("Accounts", account["id"], {"Company_Number": "NZBN 9429049999999"})
    w.clock.advance(60)
    sync(w)
    assert w.xero_contact("Kiwi Roasters Ltd").CompanyNumber == "NZBN 9429049999999"
