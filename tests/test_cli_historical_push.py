"""`history-sync` and `push` as a user runs them against the built-in sandbox, each command in its own process."""

import json

from tests.test_cli_sync import cli  # noqa: F401 - the fixture


def test_history_sync_queue_from_the_command_line(cli):  # noqa: F811
    assert "No historical syncs queued" in cli("history-sync", "list").stdout
    cli("sync", expect=1)  # look-alikes wait for a person
    added = cli("history-sync", "add", "--last", "30")
    assert "Queued historical sync 1 — Last 30 days · Both ways" in added.stdout
    assert "records; under a minute" in added.stdout and "Start it with `history-sync start 1`" in added.stdout
    cli("history-sync", "add", "--since", "2026-01-01", "--direction", "zoho", "--pair", "contacts", "--no-count")
    listed = json.loads(cli("history-sync", "list", "--json").stdout)
    assert [(j["status"], j["direction"], j["record_count"] is None) for j in listed] == [
        ("queued", "both", False), ("queued", "zoho_to_xero", True)]
    started = cli("history-sync", "start")
    assert started.stdout.count(": Finished — ") == 2
    assert "Finished" in cli("history-sync", "list").stdout
    assert cli("history-sync", "clear").stdout.strip() == "Removed 2 completed jobs."
    assert cli("history-sync", "remove", "9", expect=1).stderr.strip().endswith(
        "No historical sync 9 in the queue (see `history-sync list`).")
    bad = cli("history-sync", "add", "--since", "yesterday", expect=2)
    assert "--since wants a date like 2026-09-01" in bad.stderr


def test_push_sends_one_record_by_name(cli):  # noqa: F811
    cli("sync", expect=1)
    result = cli("push", "zoho", "magpie print house")
    assert result.stdout.strip() == "'Magpie Print House' is already up to date in Zoho CRM."
    missing = cli("push", "xero", "Nobody Anywhere", expect=1)
    assert "No record called 'Nobody Anywhere' was found" in missing.stderr
    sent = json.loads(cli("push", "zoho", "Magpie Print House", "--json").stdout)
    assert sent["ok"] and sent["pair"] == "contacts" and sent["run_ids"]


def test_history_sync_of_a_period_with_an_end(cli):  # noqa: F811
    added = cli("history-sync", "add", "--since", "2026-01-01", "--until", "2026-06-30", "--pair", "contacts")
    assert "Queued historical sync 1 — 1 Jan – 30 Jun 2026 · Both ways · Contacts" in added.stdout
    assert "Records changed after the period's last day are left for the regular sync." in added.stdout
    [job] = json.loads(cli("history-sync", "list", "--json").stdout)
    assert job["range_label"] == "1 Jan – 30 Jun 2026" and job["until"].startswith(("2026-06-30", "2026-07-01"))
    assert "1 Jan – 30 Jun 2026" in cli("history-sync", "list").stdout
    alone = cli("history-sync", "add", "--last", "30", "--until", "2026-06-30", expect=2)
    assert "--until ends a period that starts with --since" in alone.stderr
    backwards = json.loads(cli("history-sync", "add", "--since", "2026-06-30", "--until", "2026-01-01", "--json",
                               expect=2).stdout)
    assert "--until is before --since" in backwards["error"]["message"]
