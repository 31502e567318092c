"""Mapping changes reach linked records: a field added to the mapping is carried to records linked before, which a
sync alone never revisits (they did not change); the dry-run count comes first; `mapping import --apply` does the
same from the command line."""

import argparse
import json

from app.cli import mapping_cmd
from app.core.mapping import FieldLink
from app.services import mapping_apply
from app.services import mappings as mapping_store
from app.store.models import Link

NUMBERS = {"Acme Catering Pty Ltd": "ACME-01", "Harbour View Cafe": "HVC-7"}


def set_account_numbers(w):
    """Account numbers the bookkeeper keeps in Xero, there before the field was mapped (no new Xero change)."""
    for name, number in NUMBERS.items():
        w.xero_contact(name).AccountNumber = number


def add_account_number(mapping):
    mapping.fields.append(FieldLink("AccountNumber", "Account_Number", "xero_to_zoho", {"kind": "copy"}))
    return mapping


def zoho_numbers(w):
    return {name: w.zoho_one("Accounts", Xero_Contact_ID=w.xero_contact(name).ContactID).get("Account_Number")
            for name in NUMBERS}


def test_a_field_added_to_the_mapping_reaches_the_linked_records_after_a_dry_run_count(synced):
    w = synced
    service = w.sync_service()
    set_account_numbers(w)
    mapping_store.save_mapping(service.profile, add_account_number(mapping_store.current_mappings(
        service.profile)["contacts"]))
    assert service.sync().counts.get("updated") is None  # a sync alone leaves linked records as they were
    assert zoho_numbers(w) == dict.fromkeys(NUMBERS)

    change = mapping_apply.pending(service.profile, "contacts")
    assert change.fields == ["AccountNumber → Account_Number"] and change.linked > len(NUMBERS)
    preview = mapping_apply.preview(service, "contacts")
    assert preview.would_change == 2 and "would update 2 linked records" in preview.message
    assert zoho_numbers(w) == dict.fromkeys(NUMBERS)  # the count wrote nothing
    report = mapping_apply.apply(service, "contacts")
    assert report.outcome == "ok" and report.counts["updated"] == 2
    assert zoho_numbers(w) == NUMBERS
    assert mapping_apply.pending(service.profile, "contacts") is None
    assert {link.mapping_version for link in Link.select().where(Link.pair == "contacts", Link.state == "active")
            } == {change.version}


def test_a_changed_transform_is_carried_from_the_side_the_field_flows_from(synced):
    w = synced
    service = w.sync_service()
    mapping = mapping_store.current_mappings(service.profile)["contacts"]
    name = next(link for link in mapping.fields if link.zoho == "Account_Name")
    name.transform = {"kind": "case", "case": "upper"}  # both ways: Xero's name, in capitals, wins
    mapping_store.save_mapping(service.profile, mapping)
    linked = Link.select().where(Link.pair == "contacts", Link.state == "active").count()
    assert mapping_apply.preview(service, "contacts").would_change == linked
    assert mapping_apply.apply(service, "contacts").outcome == "ok"
    acme = w.xero_contact("Acme Catering Pty Ltd")
    assert w.zoho_one("Accounts", Xero_Contact_ID=acme.ContactID)["Account_Name"] == "ACME CATERING PTY LTD"
    assert acme.Name == "Acme Catering Pty Ltd"  # Xero keeps its own


def test_mapping_import_apply_counts_then_carries_the_mapping(synced, tmp_path, capsys):
    w = synced
    service = w.sync_service()
    set_account_numbers(w)
    data = json.loads(mapping_store.export_json(service.profile))
    contacts = next(p for p in data["pairs"] if p["pair"] == "contacts")
    contacts["fields"].append({"xero": "AccountNumber", "zoho": "Account_Number", "direction": "xero_to_zoho",
                               "transform": {"kind": "copy"}})
    path = tmp_path / "mapping.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    args = argparse.Namespace(action="import", values=[str(path)], pair=None, record=None, json=False, apply=True)
    assert mapping_cmd.run(service, args) == 0
    said = capsys.readouterr().out
    assert "would update 2 linked records" in said and "2 updated" in said
    assert zoho_numbers(w) == NUMBERS
