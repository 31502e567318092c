"""Validation you can trust: what `mapping validate` finds on the live sandbox, and `mapping import` (the mapping
editor's import, which the command runs) refusing a broken mapping without saving any of it."""

import json

import pytest

from app.errors import ConfigError
from app.services import mappings as mapping_store
from app.services.mapping_editor import MappingEditor
from app.store.models import MappingVersion


def leads_export(service, *, link_field: str = "Xero_Contact_ID") -> str:
    data = json.loads(mapping_store.export_json(service.profile))
    contacts = next(p for p in data["pairs"] if p["pair"] == "contacts")
    contacts["zoho_module"] = "Leads"
    contacts["options"]["zoho_xref_field"] = link_field
    contacts["fields"] = [f for f in contacts["fields"] if f["zoho"] in ("Email", "Phone", "Website")]
    contacts["fields"].append({"xero": "Name", "zoho": "Last_Name", "direction": "both", "transform": {"kind": "trim"}})
    items = next(p for p in data["pairs"] if p["pair"] == "items")
    items["fields"][0]["transform"] = {"kind": "copy"}  # a harmless change in another pair
    return json.dumps(data)


def test_validate_on_the_live_sandbox_finds_a_missing_link_field_and_company_on_leads(world):
    service = world.sync_service()
    mapping = mapping_store.current_mappings(service.profile)["contacts"]
    mapping.zoho_module = "Leads"
    problems = [str(p) for p in service.validate({"contacts": mapping})]
    assert any("Xero_Contact_ID" in p and "Leads has no field" in p for p in problems), problems
    assert "contacts: Company: Zoho CRM requires 'Company' but nothing is mapped to it" in problems
    assert "contacts: Last_Name: Zoho CRM requires 'Last Name' but nothing is mapped to it" in problems


def test_import_refuses_a_mapping_with_blocking_problems_and_saves_nothing(world):
    service = world.sync_service()
    before = list(MappingVersion.select())
    with pytest.raises(ConfigError) as refused:
        MappingEditor(service).import_file(leads_export(service))
    message = refused.value.message
    assert "not imported" in message and "Xero_Contact_ID" in message and "'Company'" in message
    assert list(MappingVersion.select()) == before  # not even the other pairs of the file
    assert mapping_store.current_mappings(service.profile)["contacts"].zoho_module == "Accounts"


def test_import_saves_a_mapping_that_works(world):
    service = world.sync_service()
    world.zoho.define_field("Leads", {"api_name": "Xero_Contact_ID", "label": "Xero Contact ID", "data_type": "text",
                                      "unique": True, "custom": True})
    data = json.loads(leads_export(service))
    contacts = next(p for p in data["pairs"] if p["pair"] == "contacts")
    contacts["fields"].append({"xero": "Name", "zoho": "Company", "direction": "xero_to_zoho",
                               "transform": {"kind": "trim"}})
    saved = MappingEditor(service).import_file(json.dumps(data))
    assert [v.pair for v in saved] == ["items", "contacts", "invoices", "payments", "deals"]
    current = mapping_store.current_mappings(service.profile)
    assert current["contacts"].zoho_module == "Leads" and current["items"].fields[0].transform == {"kind": "copy"}
