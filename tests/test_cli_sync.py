"""The headless commands as a user runs them, against the built-in sandbox (`--demo`), each in its own process."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def cli(tmp_path):
    env = dict(os.environ)
    # No keyring across processes: the app falls back to its private file and says so.
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    env.pop("LEDGERBRIDGE_DATA_DIR", None)
    data = tmp_path / "data"

    def run(*args: str, expect: int | None = 0) -> subprocess.CompletedProcess:
        result = subprocess.run([sys.executable, "main.py", "--data-dir", str(data), "--demo", *args],
                                cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
        if expect is not None:
            assert result.returncode == expect, (result.stdout[-1500:], result.stderr[-1500:])
        assert "Traceback" not in result.stderr, result.stderr
        return result

    run.data = data  # type: ignore[attr-defined]
    return run


def test_sync_review_and_report_from_the_command_line(cli):
    plan = json.loads(cli("sync", "--dry-run", "--json").stdout)
    assert plan["dry_run"] and plan["counts"]["create"] > 0 and plan["estimated_calls"]["zoho"] > 0
    first = cli("sync", expect=1)  # look-alikes and the demo's failed record wait for a person
    assert ("Waiting for you: 1 failed record (run `history --failed`); 2 possible matches to confirm "
            "(run `matches`).") in first.stdout
    assert "Ignored 1 record" in cli("ignore", "1").stdout  # Müller's Bakehaus, whose email Xero refuses
    matches = json.loads(cli("matches", "--json", expect=1).stdout)
    exact = next(m for m in matches if m["xero"] == m["zoho"])
    cli("matches", "confirm", str(exact["id"]))
    assert json.loads(cli("matches", "--json").stdout) == []
    again = json.loads(cli("sync", "--json", expect=1).stdout)  # the demo's ABN typed differently on both sides
    assert again["outcome"] == "ok" and again["counts"].get("conflicts") == 1 and again["counts"].get("created") is None
    assert again["waiting_for_you"]["conflicts"] == 1
    assert again["xero_calls"] <= 5 and again["zoho_calls"] <= 4
    cli("conflicts", "resolve", "1", "xero")
    csv = cli("history", "--format", "csv").stdout
    assert csv.splitlines()[0].startswith("Time,Run,Pair,Record,Action") and "Acme Catering" in csv
    waiting = cli("history", "--failed").stdout  # an invoice whose customer stays in Xero only waits quietly
    assert "Waiting for: its customer is not in Zoho CRM" in waiting and "could not be synced" not in waiting
    status = json.loads(cli("status", "--json").stdout)
    assert status["xero"]["connected"] and status["zoho"]["connected"]
    assert status["xero"]["secure_storage"] is False  # the user is told where the sign-in is kept
    assert cli("conflicts").stdout.strip() == "No conflicts."


def test_mapping_export_import_and_validate(cli, tmp_path):
    out = tmp_path / "mapping.json"
    cli("mapping", "export", str(out))
    data = json.loads(out.read_text())
    assert {p["pair"] for p in data["pairs"]} == {"contacts", "items", "invoices", "payments", "deals"}
    assert "works with both systems" in cli("mapping", "validate").stdout
    contacts = next(p for p in data["pairs"] if p["pair"] == "contacts")
    contacts["fields"].append({"xero": "Name", "zoho": "No_Such_Field", "direction": "both",
                               "transform": {"kind": "copy"}})
    out.write_text(json.dumps(data))
    refused = cli("mapping", "import", str(out), expect=2)  # a broken mapping is refused and nothing is saved
    assert "No_Such_Field" in refused.stderr and "not imported" in refused.stderr
    assert "works with both systems" in cli("mapping", "validate").stdout
    contacts["fields"].pop()
    contacts["fields"][0]["transform"] = {"kind": "copy"}
    out.write_text(json.dumps(data))
    assert "Imported mapping for items, contacts," in cli("mapping", "import", str(out)).stdout
    exported = json.loads(cli("mapping", "export").stdout)
    saved = next(p for p in exported["pairs"] if p["pair"] == "contacts")
    assert saved["fields"][0]["transform"] == {"kind": "copy"} and saved["version"] == 1


def test_an_optional_link_to_a_field_zoho_lacks_is_only_a_note(cli, tmp_path):
    out = tmp_path / "mapping.json"
    cli("mapping", "export", str(out))
    data = json.loads(out.read_text())
    contacts = next(p for p in data["pairs"] if p["pair"] == "contacts")
    contacts["fields"].append({"xero": "Name", "zoho": "No_Such_Field", "direction": "xero_to_zoho",
                               "transform": {"kind": "copy"}, "optional": True})
    out.write_text(json.dumps(data))
    cli("mapping", "import", str(out))  # imported: nothing in it makes a sync fail
    noted = cli("mapping", "validate").stdout  # exit 0
    assert noted.startswith("The mapping works with both systems. To note:")
    assert "so this optional link is left out. Add a No_Such_Field field in Zoho CRM to sync it." in " ".join(
        noted.split())
