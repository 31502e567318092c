"""`mapping` without the window: preview one record, coverage of live values, versions, diff and restore, each
also as JSON, against the demo sandbox."""

from __future__ import annotations

import json


def test_preview_a_record_by_name(synced_cli):
    out = synced_cli("--demo", "mapping", "preview", "--pair", "contacts", "--record", "Acme Catering Pty Ltd").out
    lines = out.splitlines()
    assert lines[0] == "Acme Catering Pty Ltd (Xero, Contacts ⇄ Accounts)"
    assert lines[1] == "Already in step: nothing to change."
    assert lines[3].split()[:2] == ["Xero", "value"]
    assert any(line.startswith("Contact name") and "Account Name" in line for line in lines)
    data = json.loads(synced_cli("--demo", "mapping", "preview", "--pair", "invoices", "--record", "INV-0001",
                                 "--json").out)
    assert data["action"] in ("nothing", "update") and data["record"].startswith("INV-0001")
    customer = next(f for f in data["fields"] if f["xero_field"] == "Contact.ContactID")
    assert customer["xero_before"] == customer["zoho_before"]  # the customer's name on both sides


def test_preview_needs_a_pair_and_says_when_a_name_is_ambiguous(synced_cli):
    assert "Say which pair" in synced_cli("--demo", "mapping", "preview", "--record", "Acme", expect=2).err
    err = synced_cli("--demo", "mapping", "preview", "--pair", "contacts", "--record", "a", expect=2).err
    assert "More than one record matches 'a'" in err


def test_coverage_versions_diff_and_restore(cli, tmp_path):
    assert cli("--demo", "mapping", "coverage").out.strip() == "Every value in the live records has a mapping."
    assert cli("--demo", "mapping", "versions").out.startswith("No saved versions")
    path = tmp_path / "mapping.json"
    cli("--demo", "mapping", "export", str(path))
    data = json.loads(path.read_text())
    invoices = next(p for p in data["pairs"] if p["pair"] == "invoices")
    status = next(f for f in invoices["fields"] if f["zoho"] == "Xero_Status")
    del status["transform"]["map"]["AUTHORISED"]
    path.write_text(json.dumps(data))
    cli("--demo", "mapping", "import", str(path))
    gaps = json.loads(cli("--demo", "mapping", "coverage", "--pair", "invoices", "--json", expect=1).out)
    assert [g["value"] for g in gaps] == ["AUTHORISED"] and "but nothing maps AUTHORISED" in gaps[0]["message"]
    text = cli("--demo", "mapping", "coverage", expect=1).out
    assert "Invoices ⇄ Invoices: " in text and "Xero invoices are AUTHORISED (Sales status) but nothing maps" in text
    listed = json.loads(cli("--demo", "mapping", "versions", "--pair", "invoices", "--json").out)
    assert [v["version"] for v in listed] == [1] and listed[0]["note"] == "Imported from a file"
    diff = cli("--demo", "mapping", "diff", "0", "1", "--pair", "invoices").out
    assert "SalesStatus ⇄ Xero_Status: value map: AUTHORISED removed" in diff
    restored = json.loads(cli("--demo", "mapping", "restore", "0", "--pair", "invoices", "--json").out)
    assert restored["version"] == 2 and restored["note"] == "Reset to the shipped defaults"
    assert cli("--demo", "mapping", "coverage", "--pair", "invoices").out.startswith("Every value")
    table = cli("--demo", "mapping", "versions", "--pair", "invoices").out.splitlines()
    assert table[0].split() == ["Pair", "Version", "Saved", "By", "Links", "Note"]
    assert "Reset to the shipped defaults" in table[1] and "Today" in table[1]
    assert "Use: mapping diff A B" in cli("--demo", "mapping", "diff", "1", "--pair", "invoices", expect=2).err
