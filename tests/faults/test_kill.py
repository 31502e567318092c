"""SIGKILL ``main.py sync`` at every API request of the first sync, then resume: no duplicate on either side, no
lost update, cursors settled, and both sandboxes end exactly as after a clean run.

How: the served sandbox counts API requests (OAuth token calls included, ``/_sandbox/`` excluded). At request
number K the emulator processes the request — the write happens — and then the sync process is SIGKILLed before the
response leaves: the most dangerous instant, the client never learns what it did. K runs over *every* request of
the first sync (the clean run tells how many), in a seeded random order, so each kill point is hit once: the
token refreshes (Xero rotates its refresh token: the killed process never saved the successor), every read page,
and every write batch (creates in Zoho and Xero, cross-reference write-backs, deal invoices, contact persons).

Why fresh each time: the first sync is where duplicates are born (creates, first links, cross-references not yet
written back), so every iteration starts again from the signed-in sandbox (both emulators restored, the
signed-in data dir copied) and interrupts the first sync at a new point. A continuing chain of kills is covered
too: every fourth iteration the resuming run is itself killed at a second random point before the final resume.

Edits interleave: between the kill and the resume, a Xero-only customer is renamed in Xero and a Zoho-only
prospect gets a new phone in Zoho, through the control API. The clean reference makes the same edits after its
first sync and syncs again; every resumed run must reach that same state (the edits arrive, nothing reverts).
"""

from __future__ import annotations

import random
import signal
import stat

import pytest

from tests.faults.support import (
    counts,
    cursors,
    duplicates,
    scan_for_secrets,
    snapshot,
    snapshot_diff,
    writes,
)

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals (SIGKILL)")]

XERO_ONLY = "Tasman Design Studio Ltd"
RENAMED = "Tasman Design Studio (renamed in Xero)"
ZOHO_ONLY = "Summit Physio Pty Ltd"
NEW_PHONE = "02 9555 7171"
MAX_POINTS = 30
MIN_RUNS = 20


def make_edits(served) -> None:
    """A rename in Xero and a phone change in Zoho, as a user would make them while the sync is down."""
    with served.xero.lock:
        contact_id = next(c.ContactID for o in served.xero.orgs.values() for c in o.contacts.values()
                          if c.Name == XERO_ONLY)
    account_id = served.zoho.find_records("Accounts", Account_Name=ZOHO_ONLY)[0]["id"]
    served.control("xero", "PATCH", f"xero/contacts/{contact_id}", {"Name": RENAMED})
    served.control("zoho", "PATCH", f"zoho/Accounts/{account_id}", {"Phone": NEW_PHONE})


def edits_arrived(served) -> list[str]:
    problems = []
    renamed = served.zoho.find_records("Accounts", Account_Name=RENAMED)
    if len(renamed) != 1 or served.zoho.find_records("Accounts", Account_Name=XERO_ONLY):
        problems.append(f"Xero rename did not arrive in Zoho: {len(renamed)} account(s) named {RENAMED!r}")
    with served.xero.lock:
        summit = [c for o in served.xero.orgs.values() for c in o.contacts.values() if c.Name == ZOHO_ONLY]
    phone = (summit[0].Phones or {}).get("DEFAULT", {}) if len(summit) == 1 else {}
    got = f"{phone.get('PhoneAreaCode', '')} {phone.get('PhoneNumber', '')}".strip()
    if got != NEW_PHONE:
        problems.append(f"Zoho phone change lost: Xero has {got!r} for {ZOHO_ONLY}, expected {NEW_PHONE!r}")
    zoho_phone = served.zoho.find_records("Accounts", Account_Name=ZOHO_ONLY)[0].get("Phone")
    if zoho_phone != NEW_PHONE:
        problems.append(f"Zoho phone change reverted in Zoho: {zoho_phone!r}")
    return problems


def settled(data_dir) -> list[str]:
    """After a completed run no cursor is left mid-read."""
    return [f"cursor {s} left at page {p} (pending {pw!r})" for s, _, pw, p in cursors(data_dir) if p or pw]


def test_sigkill_at_every_request_of_the_first_sync_then_resume(served):
    # ----- the clean reference --------------------------------------------------------------------------------
    clean = served.fresh("clean")
    first = served.cli(clean, "sync")
    assert first.rc in (0, 1) and "Sync run 1: OK" in first.out, first
    log = list(served.tripwire.log)
    assert "Storing credentials in a file" in (clean / "logs" / "ledgerbridge.log").read_text(), \
        "the subprocess did not use the file fallback store"
    assert duplicates(served.xero, served.zoho) == {}
    make_edits(served)
    again = served.cli(clean, "sync")
    assert again.rc in (0, 1) and ": OK" in again.out, again
    assert edits_arrived(served) == []
    want = snapshot(served.xero, served.zoho)
    idle = served.cli(clean, "sync")
    assert "Everything is up to date." in idle.out and writes(served.tripwire.log) == [], idle

    # ----- kill points: every request of the first sync, in a seeded random order ------------------------------
    n = len(log)
    rng = random.Random(5_2026)
    points = list(range(1, n + 1))
    rng.shuffle(points)
    if len(points) > MAX_POINTS:  # keep every write, fill up with reads
        write_points = {e[0] for e in log if e[2] != "GET"}
        chosen = [p for p in points if p in write_points][:MAX_POINTS]
        points = chosen + [p for p in points if p not in write_points][:MAX_POINTS - len(chosen)]
    while len(points) < MIN_RUNS:  # a short first sync: some points twice
        points.append(rng.randint(1, n))
    assert len(writes(log)) >= 8, log

    problems: list[str] = []
    hits: list[str] = []
    chained = 0
    for i, k in enumerate(points):
        data = served.fresh(f"kill-{i:02d}")
        killed = served.cli(data, "sync", kill_at=k)
        assert killed.killed and killed.rc == -9, f"iteration {i}: not killed at request {k}\n{killed}"
        hit = served.tripwire.hit()
        label = f"#{i} K={k} {hit[1]} {hit[2]} {hit[3]}" if hit else f"#{i} K={k}"
        hits.append(label)
        make_edits(served)
        if i % 4 == 3:  # the resume is interrupted too, somewhere else
            k2 = rng.randint(2, max(2, n // 2))
            second = served.cli(data, "sync", kill_at=k2)
            chained += second.killed
            label += f" + K2={k2}" + ("" if second.killed else " (finished first)")
        resumed = served.cli(data, "sync")
        if resumed.rc not in (0, 1) or "OK" not in resumed.out:
            problems.append(f"{label}: resume did not complete cleanly\n{resumed}")
            continue
        dups = duplicates(served.xero, served.zoho)
        if dups:
            problems.append(f"{label}: duplicates {dups}")
        got = snapshot(served.xero, served.zoho)
        if got != want:
            problems.append(f"{label}: final state differs from the clean run "
                            f"{counts(got)}\n{snapshot_diff(got, want)}")
        problems += [f"{label}: {p}" for p in edits_arrived(served) + settled(data)]
    assert chained >= 1
    # one kill fell right after Xero rotated the refresh token, before the app could save the successor: the
    # resume got in with the old token (Xero's grace window)
    assert any("/connect/token" in h for h in hits), hits

    # ----- the last resumed data dir is idle now: only the list calls -------------------------------------------
    idle = served.cli(data, "sync")
    if "Everything is up to date." not in idle.out or writes(served.tripwire.log):
        problems.append(f"{hits[-1]}: the sync after the resume is not idle: {writes(served.tripwire.log)}\n{idle}")

    # ----- secrets: exports written into the data dirs, then every file of every data dir scanned ---------------
    exports = {clean: [("history.csv", ("history", "--format", "csv"))],  # local only: its sandbox moved on
               data: [("history.csv", ("history", "--format", "csv")),
                      ("failed.json", ("history", "--failed", "--format", "json")),
                      ("reconcile.csv", ("reconcile", "--format", "csv"))]}
    for d, wanted in exports.items():
        (d / "exports").mkdir()
        for name, args in wanted:
            result = served.cli(d, *args)
            assert result.rc in (0, 1) and result.out, result
            (d / "exports" / name).write_text(result.out)
    fallback = clean / "secrets-fallback.json"
    assert stat.S_IMODE(fallback.stat().st_mode) == 0o600
    secrets = served.secrets()
    assert len(secrets) > 20
    files = [p.name for p in (served.root / "data").rglob("*") if p.is_file()]
    assert {"ledgerbridge.db", "ledgerbridge.log", "history.csv", "reconcile.csv"} <= set(files)
    probe = served.root / "probe"  # the scanner finds what it looks for
    probe.mkdir(exist_ok=True)
    (probe / "x.log").write_text(f"token={sorted(secrets)[0]}")
    assert scan_for_secrets([probe], secrets)
    leaks = scan_for_secrets([served.root / "data", served.pristine], secrets)
    assert leaks == [], leaks

    assert not problems, f"{len(problems)} problem(s) over {len(points)} kills:\n" + "\n\n".join(problems)
