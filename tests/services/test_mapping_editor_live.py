"""The mapping editor against the sandbox: live fields (Zoho custom fields included), coverage from the demo's
records, a preview of one record that writes nothing, saving with checks, versions with who and a diff, restore,
reset and a checked import."""

from __future__ import annotations

import pytest

from app.errors import ConfigError
from app.services import mapping_editor_versions as versions
from app.services.mapping_editor import MappingEditor
from app.services.mappings import current_mappings, export_json
from app.store.models import HistoryEntry


def editor(world) -> MappingEditor:
    return MappingEditor(world.sync_service())


def test_both_sides_fields_come_from_the_live_systems(world):
    draft = editor(world).draft("contacts")
    zoho = {f.name: f for f in draft.schema.zoho}
    assert zoho["Account_Name"].required and zoho["ABN"].custom and zoho["Created_Time"].read_only
    assert zoho["Xero_Status"].choices == ["Active", "Archived"]
    xero = {f.name: f for f in draft.schema.xero}
    assert xero["Name"].required and xero["Website"].read_only
    assert draft.checks() == []


def test_a_field_added_in_zoho_after_a_sync_is_offered_when_the_pair_is_opened(synced):
    synced.control("zoho", "POST", "zoho/fields/Accounts", {"api_name": "Loyalty_Tier", "field_label": "Loyalty Tier",
                                                        "data_type": "picklist",
                                                        "pick_list_values": ["Gold", "Silver"]})
    opened = editor(synced).open_pair("contacts")
    tier = next(f for f in opened["schema"]["zoho"] if f["name"] == "Loyalty_Tier")
    assert tier["custom"] and tier["choices"] == ["Gold", "Silver"]


def test_coverage_lists_live_values_nothing_maps(world):
    ed = editor(world)
    mapping = current_mappings(world.ctx.profile)["invoices"]
    assert ed.coverage(mapping) == []
    status = next(f for f in mapping.fields if f.zoho == "Xero_Status")
    status.transform["map"].pop("PAID")
    gaps = ed.coverage(mapping)
    assert len(gaps) == 1
    paid = sum(1 for inv in world.xero_org().invoices.values() if inv.Status == "PAID" and inv.Type == "ACCREC")
    assert gaps[0].message == f"{paid} Xero invoices are PAID (Sales status) but nothing maps PAID"
    assert gaps[0].value == "PAID" and "Add PAID to the value map" in gaps[0].fix


def test_preview_of_a_new_record_says_what_would_be_created_and_writes_nothing(world):
    ed = editor(world)
    mapping = current_mappings(world.ctx.profile)["contacts"]
    side, record = ed.find(mapping, "Acme Catering")
    world.reset_counts()
    preview = ed.preview(mapping, side, record.id)
    assert side == "xero" and preview.action == "create"
    assert preview.summary.startswith("Would create it in Zoho CRM with Account Name, Email, Phone")
    name = next(f for f in preview.fields if f.zoho_field == "Account_Name")
    assert (name.xero_before, name.zoho_before, name.zoho_after, name.change) == (
        "Acme Catering Pty Ltd", None, "Acme Catering Pty Ltd", "to_zoho")
    writes = {k: v for k, v in world.requests()["zoho"].items() if not k.startswith("GET")}
    assert writes == {} and HistoryEntry.select().count() == 0


def test_preview_of_a_linked_record_shows_before_and_after(synced):
    ed = editor(synced)
    mapping = current_mappings(synced.ctx.profile)["contacts"]
    account = synced.zoho_one("Accounts", Account_Name="Acme Catering Pty Ltd")
    synced.control("zoho", "PATCH", f"zoho/Accounts/{account['id']}", {"Billing_City": "Parramatta"})
    side, record = ed.find(mapping, "Acme Catering Pty Ltd")
    preview = ed.preview(mapping, side, record.id)
    assert (preview.action, preview.summary) == ("update", "Would update Street address: City in Xero.")
    city = next(f for f in preview.fields if f.zoho_field == "Billing_City")
    assert (city.xero_before, city.zoho_before, city.xero_after, city.change) == (
        "Sydney", "Parramatta", "Parramatta", "to_xero")
    invoices = current_mappings(synced.ctx.profile)["invoices"]
    side, inv = ed.find(invoices, "INV-0001")
    customer = next(f for f in ed.preview(invoices, side, inv.id).fields if f.xero_field == "Contact.ContactID")
    assert customer.xero_before == customer.zoho_before == "Old Mill Restaurant"  # names, not ids


def test_a_whole_pair_dry_run_in_words(world):
    result = editor(world).dry_run(current_mappings(world.ctx.profile)["items"])
    assert result["summary"].endswith(".") and "to create" in result["summary"]


def test_save_refuses_blocking_problems_and_keeps_who_and_why(world):
    ed = editor(world)
    mapping = current_mappings(world.ctx.profile)["contacts"]
    broken = type(mapping).from_json(mapping.to_json())
    broken.fields = [f for f in broken.fields if f.zoho != "Account_Name"]
    with pytest.raises(ConfigError, match="Zoho CRM requires 'Account Name'"):
        ed.save(broken)
    assert versions.versions(world.ctx.profile, "contacts") == []
    mapping.conflict_policy = "zoho_wins"
    info = ed.save(mapping)
    assert info.version == 1 and info.saved_by.endswith("(command line)") and info.saved_at
    assert current_mappings(world.ctx.profile)["contacts"].conflict_policy == "zoho_wins"


def test_versions_diff_restore_and_reset(world):
    ed, profile = editor(world), world.ctx.profile
    mapping = current_mappings(profile)["invoices"]
    mapping.conflict_policy = "newest"
    ed.save(mapping)
    mapping.fields = [f for f in mapping.fields if f.zoho != "Purchase_Order"]
    ed.save(mapping)
    assert [v.version for v in versions.versions(profile, "invoices")] == [2, 1]
    assert versions.version_diff(profile, "invoices", 1, 2) == ["Removed Reference ⇄ Purchase_Order"]
    assert "When both changed: Xero wins → Newest change wins" in versions.version_diff(profile, "invoices", 0, 1)
    restored = versions.restore(profile, "invoices", 1, "app")
    assert restored.version == 3 and restored.note == "Restored version 1" and "(desktop app)" in restored.saved_by
    assert any(f.zoho == "Purchase_Order" for f in current_mappings(profile)["invoices"].fields)
    reset = versions.reset(profile, "invoices", "cli")
    assert reset.note == "Reset to the shipped defaults"
    assert current_mappings(profile)["invoices"].conflict_policy == "xero_wins"
    with pytest.raises(ConfigError, match="no version 9"):
        versions.restore(profile, "invoices", 9, "cli")


def test_import_is_checked_against_the_live_fields_first(world):
    ed, profile = editor(world), world.ctx.profile
    text = export_json(profile)
    with pytest.raises(ConfigError, match="not a Ledgerbridge mapping export"):
        ed.import_file("{not json")
    with pytest.raises(ConfigError, match="unknown transform 'shout'"):
        ed.import_file(text.replace('"kind": "trim"', '"kind": "shout"', 1))
    with pytest.raises(ConfigError, match="has no field with this API name"):
        ed.import_file(text.replace('"zoho": "Billing_City"', '"zoho": "Billing_Town"'))
    assert versions.versions(profile) == []  # nothing saved by a refused import
    saved = ed.import_file(text)
    assert {v.pair for v in saved} == {"contacts", "items", "invoices", "payments", "deals"}
    assert all(v.note == "Imported from a file" for v in saved)


def test_values_are_counted_in_the_first_records_only_and_the_words_say_so(world, monkeypatch):
    from app.services import mapping_editor, mapping_editor_coverage

    monkeypatch.setattr(mapping_editor, "SAMPLE_RECORDS", 5)
    monkeypatch.setattr(mapping_editor_coverage, "SAMPLE_RECORDS", 5)
    ed = editor(world)
    mapping = current_mappings(world.ctx.profile)["invoices"]
    next(f for f in mapping.fields if f.zoho == "Xero_Status").transform["map"].pop("PAID")
    gap = next(g for g in ed.coverage(mapping) if g.value == "PAID")
    assert gap.message.startswith("At least ") and gap.message.endswith("counted in the first 5 records")
