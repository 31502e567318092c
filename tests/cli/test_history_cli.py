"""`history` reads like the window: a table that fits the terminal, local time, names instead of ids, arrows;
`--run` and `--record` show each change old → new; `--failed` names the command to run."""

from __future__ import annotations

import csv
import io
import json
import re

from app.store.models import FailedRecord, HistoryEntry, Run
from app.store.settings import get_profile

RAW = re.compile(r"Account_Name|Invoiced_Items|xero->zoho|zoho->xero|'Product_Name'|T\d\d:\d\d:\d\d")


def test_history_is_a_table_that_fits_the_terminal(synced_cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "90")
    out = synced_cli("--demo", "history", "--limit", "30").out
    lines = out.splitlines()
    assert lines[0].split() == ["When", "Run", "Pair", "Record", "Action", "What", "changed"]
    assert max(len(line) for line in lines if not line.startswith("Showing")) <= 90
    assert "Today " in out and "  →  " in out and "Invoices" in out and "Created" in out
    assert not RAW.search(out), RAW.search(out)
    assert "Showing the newest 30 of " in out


def test_a_run_and_a_record_in_detail_with_names(synced_cli):
    run_id = json.loads(synced_cli("--demo", "history", "--json").out)[0]["run"]
    out = synced_cli("--demo", "history", "--run", str(run_id)).out
    first = out.splitlines()[0]
    assert first.startswith(f"Run {run_id}: Command line · Today ") and "API calls: Xero " in first
    assert "possible matches to confirm" in first
    assert "Account Name in Zoho CRM: (empty) → Koala Kids Childcare Pty Ltd" in out
    assert "Invoiced Items in Zoho CRM: (empty) → 1 line: 1 × " in out
    assert not RAW.search(out)
    waiting = next(e for e in json.loads(synced_cli("--demo", "history", "--json").out)
                   if e["action"] == "skip" and "Emu Plains Hardware" in e["record"])
    number = waiting["record"].split(" ")[0]  # the invoice whose customer is under review
    record = synced_cli("--demo", "history", "--record", number).out
    assert record.startswith("Today ") and f"Skipped  {number} — Emu Plains Hardware" in record
    assert "Why: Not synced: its customer is waiting for you to confirm its match (run `matches`)." in record
    assert synced_cli("--demo", "history", "--record", "No Such Customer").out.strip() == "No history matches."
    unknown = synced_cli("--demo", "history", "--run", "999", expect=2)
    assert unknown.err.startswith("There is no sync run 999.") and "Settings need attention" not in unknown.err


def test_csv_and_json_exports_are_plain(synced_cli):
    text = synced_cli("--demo", "history", "--format", "csv").out
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["Time", "Run", "Pair", "Record", "Action", "Direction", "Changed in", "Field", "Before",
                       "After", "Reason or error"]
    accounts = [r for r in rows if r[7] == "Account Name" and r[3].startswith("INV-")]
    assert accounts and all(r[8] == "(empty)" and r[3].endswith(f" — {r[9]}") for r in accounts)  # by name
    assert {r[5] for r in accounts} == {"Xero → Zoho CRM"}
    assert "{" not in text and "\\u" not in text
    entries = json.loads(synced_cli("--demo", "history", "--json").out)
    assert entries[0]["action_label"] and "\\u" not in json.dumps(entries, ensure_ascii=False)


def test_failed_records_name_the_command_to_run(synced_cli):
    profile = get_profile("demo")
    run = Run.select().where(Run.profile == profile).order_by(Run.id.desc()).first()
    hint = ("Xero needs a unique contact name: 'Bondi Surf Club' already exists. Rename one of them in Xero or "
            "Zoho, then click Retry.")
    row = FailedRecord.create(profile=profile, pair="contacts", direction="zoho->xero", source_id="z-1",
                              record_name="Bondi Surf Club", hint=hint, error={"message": "Validation", "hint": hint},
                              attempts=2, run=run)
    HistoryEntry.create(run=run, profile=profile, pair="contacts", action="fail", direction="zoho->xero",
                        record_name="Bondi Surf Club", error={"message": "Validation", "hint": hint})
    out = synced_cli("--demo", "history", "--failed", expect=1).out
    assert f"#{row.id}  Bondi Surf Club  (Contacts ⇄ Accounts, Zoho CRM → Xero)" in out
    assert f"then run `retry {row.id}`." in out and "click" not in out
    assert "2 tries" in out and f"`ignore {row.id}`" in out
    assert "Waiting for another record (2)" in out
    assert out.rstrip().endswith("Also waiting for you: 2 possible matches to confirm (run `matches`).")
    failed_json = json.loads(synced_cli("--demo", "history", "--failed", "--json", expect=1).out)
    assert failed_json["matches"] == 2 and failed_json["failed"][0]["hint"].endswith(f"run `retry {row.id}`.")
