"""`sync` and the review commands in the same words as the window: counts that agree and have the plural right,
dry-run diffs with names and skip reasons, exit codes that say whether something waits, usage mistakes as such,
`--demo` after the command, and a JSON document for every outcome with `--json`."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from app.cli.sync_cmd import exit_code, headline
from app.core.engine import RunReport
from app.services.views import Attention

ROOT = Path(__file__).resolve().parents[2]


def test_dry_run_diffs_with_names_and_skip_reasons(cli):
    out = cli("--demo", "sync", "--dry-run").out
    assert out.startswith("Dry run (nothing written): Would do — ")
    assert "2 possible matches to confirm" in out.splitlines()[0]
    assert "Account Name in Zoho CRM: Acme Catering Pty. Ltd. → Acme Catering Pty Ltd" in out
    # an invoice's customer is linked in the same first sync: named by what it is, not by its id
    assert "Account Name in Zoho CRM: (empty) → its customer (not linked yet)" in out
    assert "Xero Item ID in Zoho CRM: (empty) → linked to this record in Xero" in out
    assert re.search(r"^  Skip       INV-\d+ — Emu Plains Hardware", out, re.M)
    assert "Not synced: its customer is waiting for you to confirm its match (run `matches`)." in out
    assert "Account_Name" not in out and "{'Product_Name'" not in out and "None →" not in out
    assert "→ 36523970000" not in out


def test_counts_agree_and_the_exit_code_says_what_waits(cli):
    first = cli("--demo", "sync", expect=1)
    assert first.out.startswith("Sync run ") and ": Finished with problems — " in first.out  # the demo's failure
    assert "  Contacts ⇄ Accounts" in first.out and "2 possible matches to confirm, 1 failed" in first.out
    assert first.out.rstrip().endswith("Waiting for you: 1 failed record (run `history --failed`); "
                                       "2 possible matches to confirm (run `matches`).")
    again = cli("--demo", "sync", expect=1)  # the demo's story: its new ABN typed differently on both sides
    assert "1 conflict" in again.out and "up to date" not in again.out
    assert "1 conflict to settle (run `conflicts`)" in again.out
    matches = cli("--demo", "matches", expect=1).out
    assert matches.count("\n#") + matches.startswith("#") == 2
    assert "2 possible matches to confirm: run `matches confirm " in matches
    listed = json.loads(cli("--demo", "matches", "--json", expect=1).out)
    assert len(listed) == 2
    loose = next(m for m in listed if m["xero"] != m["zoho"])
    kept = cli("--demo", "matches", "reject", str(loose["id"]))
    assert "1 possible match still to confirm (run `matches`)." in kept.out  # singular
    data = json.loads(cli("--demo", "sync", "--json", expect=1).out)
    assert data["waiting_for_you"]["matches"] == 1


def fix_the_demo_email_in_zoho(data_dir: Path) -> None:
    """What the demo's failed record asks for: Müller's Bakehaus's email corrected in Zoho CRM (the demo's saved
    sandbox, edited as a user would in Zoho)."""
    from app.emulators.demo_story import ZOHO_ONLY_ACCOUNTS
    from app.emulators.sandbox import Sandbox
    from app.paths import AppPaths

    muller = next(a for a in ZOHO_ONLY_ACCOUNTS if a["key"] == "muller")
    box = Sandbox(seed="demo", state_file=AppPaths(data_dir / "demo", data_dir / "logs").sandbox_state)
    account = box.zoho.find_records("Accounts", Account_Name=muller["name"])[0]
    box.zoho.ui_edit("Accounts", account["id"], {"Email": muller["fixed_email"]})
    box.save()


def test_everything_settled_exits_zero(cli, data_dir):
    cli("--demo", "sync", expect=1)
    exact = next(m for m in json.loads(cli("--demo", "matches", "--json", expect=1).out) if m["xero"] == m["zoho"])
    cli("--demo", "matches", "confirm", str(exact["id"]))
    fix_the_demo_email_in_zoho(data_dir)
    assert cli("--demo", "retry", "1").out.startswith("Tried 1 record again: 1 synced")
    asked = cli("--demo", "sync", expect=1)  # the demo's ABN conflict (see demo_story.AFTER_FIRST_SYNC)
    assert "1 conflict to settle" in asked.out
    cli("--demo", "conflicts", "resolve", "1", "xero")
    done = cli("--demo", "sync")
    assert "Waiting for you" not in done.out
    assert cli("--demo", "conflicts").out.strip() == "No conflicts."


def test_ignore_and_retry_count_only_what_they_did(cli):
    cli("--demo", "sync", expect=1)
    none = cli("--demo", "ignore", "999")
    assert none.out.startswith("Nothing ignored.") and "#999" in none.out
    assert cli("--demo", "unignore", "999").out.startswith("Nothing to un-ignore.")
    # the demo's one failure (an email Xero refuses) fails again until it is corrected in Zoho
    assert cli("--demo", "retry", "--all", expect=1).out.strip() == (
        "Tried 1 record again: 0 synced, 1 still failing (`history --failed` says why).")
    cli("--demo", "ignore", "1")
    assert cli("--demo", "retry", "--all").out.strip() == "Nothing to retry: no record is failing."


def test_usage_mistakes_are_not_settings_problems(cli):
    retry = cli("--demo", "retry", expect=2)
    assert retry.err.startswith("Say which failed records to retry: `retry 3 5`")
    assert "Settings need attention" not in retry.err and "`main.py retry --help`" in retry.err
    resolve = cli("--demo", "conflicts", "resolve", "1", expect=2)
    assert resolve.err.startswith("Use: `conflicts resolve ID xero`")
    since = cli("--demo", "sync", "--since", "last tuesday", expect=2)
    assert since.err.startswith("--since wants a date like 2026-01-31")


def test_json_errors_are_json(cli):
    data = json.loads(cli("--demo", "retry", "--json", expect=2).out)
    assert data == {"error": {"title": "Usage", "message": data["error"]["message"]}}
    assert data["error"]["message"].startswith("Say which failed records to retry")
    missing = json.loads(cli("--demo", "retry", "42", "--json", expect=2).out)
    assert "#42" in missing["error"]["message"]


def test_every_command_answers_json(cli):
    assert json.loads(cli("--demo", "disconnect", "zoho", "--json").out) == {"disconnected": "zoho"}
    assert json.loads(cli("--demo", "conflicts", "--json").out) == []
    error = json.loads(cli("--demo", "undo", "999", "--json", expect=1).out)
    assert error == {"error": {"title": "Record not found", "message": "No sync run 999."}}


def test_paused_run_exits_3_with_the_time_in_words():
    now = datetime.now(UTC)
    resume = now + timedelta(hours=2)
    report = RunReport(7, "paused", "Xero's daily API allowance is used up. Syncing pauses and resumes by itself "
                       "when it resets.", False, now, now, {"created": 1}, paused_until=resume.timestamp())
    text = headline(report, Attention(), now)
    assert text.startswith(f"Sync run 7: Paused until Today {resume.astimezone():%H:%M} — Xero's daily")
    assert "Done so far: 1 created." in text
    assert exit_code(report, Attention()) == 3
    assert exit_code(RunReport(8, "ok", "", False, now, now), Attention(matches=1)) == 1
    assert exit_code(RunReport(9, "ok", "", False, now, now), Attention(waiting=2)) == 0


def test_demo_and_json_after_the_command_in_a_real_process(tmp_path):
    """As the README says it: `main.py sync --demo`; and an argparse mistake with --json is still JSON."""
    env = dict(os.environ, PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    base = [sys.executable, "main.py", "--data-dir", str(tmp_path / "data")]
    done = subprocess.run([*base, "sync", "--demo", "--dry-run"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Dry run (nothing written)")
    bad = subprocess.run([*base, "history", "--limit", "many", "--json"], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=120)
    assert bad.returncode == 2
    assert "invalid int value" in json.loads(bad.stdout)["error"]["message"]
