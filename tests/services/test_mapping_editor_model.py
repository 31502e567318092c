"""The mapping editor's model without windows or network: links made and refused with reasons, per-link direction
and winner, value maps, auto-map suggestions, checks with fixes, and version differences."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from app.core.mapping import BOTH, X2Z, Z2X, FieldLink, PairMapping
from app.core.merge import merge
from app.core.records import FieldInfo
from app.paths import resource_path
from app.services.mapping_editor_model import LinkRefused, PairDraft, PairSchema, diff
from app.services.mappings import default_mappings
from app.services.xero_ports import CONTACT_SCHEMA, INVOICE_SCHEMA
from bench.make_xero_schema import derive
from tests.core.helpers import FakeLookups
from tests.emulators.reference import reference_file

ZOHO_ACCOUNTS = [
    FieldInfo("Account_Name", "Account Name", "text", required=True),
    FieldInfo("Email", "Email", "email", custom=True),
    FieldInfo("Phone", "Phone", "phone"),
    FieldInfo("Fax", "Fax", "phone"),
    FieldInfo("Website", "Website", "url"),
    FieldInfo("Annual_Revenue", "Annual Revenue", "money"),
    FieldInfo("Account_Number", "Account Number", "text"),
    FieldInfo("ABN", "ABN", "text", custom=True),
    FieldInfo("Xero_Status", "Xero Status", "picklist", choices=["Active", "Archived"], custom=True),
    FieldInfo("Created_Time", "Created Time", "datetime", read_only=True),
    FieldInfo("Xero_Contact_ID", "Xero Contact ID", "text", custom=True),
]


def schema(zoho: list[FieldInfo] | None = None) -> PairSchema:
    return PairSchema("contacts", "Accounts", CONTACT_SCHEMA, zoho if zoho is not None else ZOHO_ACCOUNTS)


def draft(fields: list[FieldLink] | None = None, direction: str = BOTH) -> PairDraft:
    mapping = PairMapping("contacts", "Accounts", direction, "newest",
                          fields=fields if fields is not None else [FieldLink("Name", "Account_Name")],
                          options={"zoho_xref_field": "Xero_Contact_ID"})
    return PairDraft(mapping, schema())


def test_the_connectors_xero_fields_are_the_schema_datas():
    names = [f.name for f in CONTACT_SCHEMA]
    assert "CompanyNumber" in names and "EmailAddress" in names  # every field of Xero's API, none left out
    status = next(f for f in INVOICE_SCHEMA if f.name == "Status")
    assert "AUTHORISED" in status.choices


def test_the_xero_schema_data_is_derived_from_xeros_spec():
    data = json.loads(resource_path("xero_schema.json").read_text(encoding="utf-8"))
    assert data == derive(reference_file("xero_accounting.yaml"))  # regenerated, nothing changes


def test_a_link_is_made_with_a_transform_that_fits_and_removed():
    d = draft()
    link = d.add_link("EmailAddress", "Email")
    assert (link.xero, link.zoho, link.direction, link.transform) == ("EmailAddress", "Email", BOTH, {"kind": "copy"})
    assert d.dirty
    status = d.add_link("ContactStatus", "Xero_Status")
    assert status.transform["kind"] == "value_map"
    d.remove_link(d.index_of("EmailAddress", "Email"))
    assert d.index_of("EmailAddress", "Email") is None


def test_incompatible_types_are_refused_with_the_reason():
    d = draft()
    assert d.why_not("EmailAddress", "Annual_Revenue") == (
        "an email field (Email) cannot fill a money field (Annual Revenue); link it one way only, or pick another "
        "field")
    with pytest.raises(LinkRefused, match="cannot fill"):
        d.add_link("EmailAddress", "Annual_Revenue")
    assert "already linked" in d.why_not("Name", "Account_Name")
    assert d.why_not("CompanyNumber", "Account_Number") is None  # any field of Xero's API can be linked


def test_a_read_only_side_makes_the_link_one_way():
    d = draft()
    assert d.add_link("Website", "Website").direction == X2Z  # Xero's website is read-only
    assert "both read-only" in d.why_not("Balances.AccountsReceivable.Outstanding", "Created_Time")
    with pytest.raises(LinkRefused, match="read-only in Xero"):
        d.set_link_direction(d.index_of("Website", "Website"), BOTH)


def test_per_link_direction_and_winner_are_kept_and_used_by_the_merge():
    d = draft([FieldLink("Name", "Account_Name"), FieldLink("EmailAddress", "Email")])
    d.set_link_direction(1, Z2X)
    d.set_link_winner(0, "zoho_wins")
    assert d.links[1].direction == Z2X and d.links[0].winner == "zoho_wins"
    now = datetime(2026, 11, 2, tzinfo=UTC)
    base_x, base_z = {"Name": "Old", "EmailAddress": "a@x.com"}, {"Account_Name": "Old", "Email": "a@x.com"}
    result = merge(d.mapping, base_x, base_z, {"Name": "Xero name", "EmailAddress": "x@x.com"},
                   {"Account_Name": "Zoho name", "Email": "a@x.com"}, FakeLookups(),
                   xero_modified=now + timedelta(hours=1), zoho_modified=now)
    assert result.to_xero == {"Name": "Zoho name"}  # the field's own winner beats the newer Xero edit
    assert "Email" not in result.to_zoho  # that link only flows Zoho → Xero


def test_value_map_rows_become_the_map():
    d = draft()
    d.add_link("ContactStatus", "Xero_Status")
    i = d.index_of("ContactStatus", "Xero_Status")
    d.set_value_map(i, [("ACTIVE", "Active"), ("ARCHIVED", "Archived"), ("", "Active")])
    assert d.links[i].transform["map"] == {"ACTIVE": "Active", "ARCHIVED": "Archived"}


def test_checks_say_the_fix_and_block_what_a_sync_would_fail_on():
    d = draft([FieldLink("EmailAddress", "Email")])
    checks = d.checks()
    missing = next(c for c in checks if c.field == "Account_Name")
    assert missing.blocking and missing.message == "Zoho CRM requires 'Account Name' but nothing is mapped to it."
    assert "Drag a field" in missing.fix
    d.add_link("Name", "Account_Name")
    assert not d.blocking()
    d.add_link("ContactStatus", "Xero_Status")
    d.set_value_map(d.index_of("ContactStatus", "Xero_Status"), [("ACTIVE", "Current")])
    bad = next(c for c in d.checks() if c.field == "Xero_Status")
    assert "no picklist value for Current" in bad.message and "value map" in bad.fix


def test_a_missing_cross_reference_field_and_a_renamed_field_are_flagged():
    zoho = [f for f in ZOHO_ACCOUNTS if f.name not in ("Xero_Contact_ID", "ABN")]
    mapping = PairMapping("contacts", "Accounts", fields=[FieldLink("Name", "Account_Name"),
                                                          FieldLink("TaxNumber", "ABN")],
                          options={"zoho_xref_field": "Xero_Contact_ID"})
    checks = PairDraft(mapping, schema(zoho)).checks()
    xref = next(c for c in checks if c.field == "Xero_Contact_ID")
    assert xref.blocking and "to keep the link to Xero in" in xref.message
    assert xref.fix.startswith("Add a single-line text field") and "Setup → Modules and Fields" in xref.fix
    renamed = next(c for c in checks if c.field == "ABN")
    assert "renamed or deleted" in renamed.message and "new name" in renamed.fix


def test_auto_map_explains_itself_and_applies_only_what_is_accepted():
    d = draft()
    suggestions = d.suggestions()
    by_pair = {(s.xero, s.zoho): s for s in suggestions}
    email = by_pair[("EmailAddress", "Email")]
    assert email.unambiguous and email.confidence >= 0.8 and "both are email fields" in email.reason
    number = by_pair[("AccountNumber", "Account_Number")]
    assert number.reason.startswith("same name")
    assert not any(s.zoho == "Annual_Revenue" and s.xero == "EmailAddress" for s in suggestions)
    before = len(d.links)
    assert len(d.links) == before  # nothing applied until accepted
    assert d.accept([email]) == []
    assert d.index_of("EmailAddress", "Email") is not None and len(d.links) == before + 1


def test_the_difference_between_two_versions_in_words():
    old = default_mappings()["invoices"]
    new = PairMapping.from_json(old.to_json())
    status = next(f for f in new.fields if f.zoho == "Xero_Status")
    status.transform["map"].pop("AUTHORISED")
    new.fields = [f for f in new.fields if f.zoho != "Purchase_Order"]
    new.fields.append(FieldLink("Reference", "Description", X2Z))
    new.conflict_policy = "newest"
    lines = diff(old, new)
    assert "When both changed: Xero wins → Newest change wins" in lines
    assert "SalesStatus ⇄ Xero_Status: value map: AUTHORISED removed" in lines
    assert "Removed Reference ⇄ Purchase_Order" in lines
    assert "Added Reference ⇄ Description (Xero → Zoho CRM, copy as is)" in lines
    assert diff(old, old) == []


def test_a_phone_link_can_format_the_number_on_its_way():
    d = draft([FieldLink("Name", "Account_Name"), FieldLink("Phones.DEFAULT", "Phone")])
    d.set_transform(1, {"kind": "phone", "style": "spaces"})
    result = merge(d.mapping, None, None, {"Name": "Acme", "Phones.DEFAULT": "(02) 9555-0101"}, {"Account_Name": "Acme"},
                   FakeLookups())
    assert result.to_zoho == {"Phone": "02 9555 0101"}
    d.set_transform(1, {"kind": "phone", "style": "digits"})
    result = merge(d.mapping, None, None, {"Name": "Acme", "Phones.DEFAULT": "+61 2 9555 0101 ext 12"},
                   {"Account_Name": "Acme"}, FakeLookups())
    assert result.to_zoho == {"Phone": "+61295550101 x12"}


def test_first_and_last_name_joined_one_way_and_split_the_other():
    d = draft([FieldLink("Name", "Account_Name")])
    d.add_link("FirstName", "Account_Number")
    index = d.index_of("FirstName", "Account_Number")
    d.join_with(index, "LastName")
    link = d.links[index]
    assert (link.xero, link.transform) == ("FirstName+LastName", {"kind": "join"})
    result = merge(d.mapping, None, None, {"Name": "A", "FirstName": "Jo", "LastName": "Bloggs"},
                   {"Account_Name": "A"}, FakeLookups())
    assert result.to_zoho == {"Account_Number": "Jo Bloggs"}
    back = merge(d.mapping, {"Name": "A", "FirstName+LastName": ["Jo", "Bloggs"]},
                 {"Account_Name": "A", "Account_Number": "Jo Bloggs"}, {"Name": "A", "FirstName": "Jo",
                                                                        "LastName": "Bloggs"},
                 {"Account_Name": "A", "Account_Number": "Mary Jo Smith"}, FakeLookups())
    assert back.to_xero == {"FirstName": "Mary Jo", "LastName": "Smith"}
