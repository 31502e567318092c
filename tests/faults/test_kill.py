"""SIGKILL ``main.py sync`` at a request of the first sync, then resume: no duplicate on either side, no lost update,
cursors settled, no credential on disk, and both sandboxes end exactly as after a clean run.

How: the served sandbox counts API requests (OAuth token calls included, ``/_sandbox/`` excluded). At request
number K the emulator processes the request — the write happens — and then the sync process is SIGKILLed before the
response leaves: the most dangerous instant, the client never learns what it did. K runs over the requests of the
first sync (the clean run tells how many: every write, then reads up to ``POINTS``), in a seeded random order: the
token refreshes (Xero rotates its refresh token: the killed process never saved the successor), every read page,
and every write batch (creates in Zoho and Xero, cross-reference write-backs, deal invoices, contact persons).

Each kill point is its own test case (``test_kill_then_resume[kill-07]``), a few seconds long, independent of the
others: the plan comes from the clean run of the module fixture ``reference``, and each case starts again from the
signed-in sandbox (both emulators restored, the signed-in data dir copied), because the first sync is where
duplicates are born (creates, first links, cross-references not yet written back). A continuing chain of kills is
covered too: in every fourth case the resuming run is itself killed at a second point before the final resume.

Edits interleave: between the kill and the resume, a Xero-only customer is renamed in Xero and a Zoho-only
prospect gets a new phone in Zoho, through the control API. The clean reference makes the same edits after its
first sync and syncs again; every resumed run must reach that same state (the edits arrive, nothing reverts).
"""

from __future__ import annotations

import random
import signal
import stat
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.faults.support import (
    counts,
    cursors,
    duplicates,
    scan_for_secrets,
    snapshot,
    snapshot_diff,
    sync_finished,
    writes,
)

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals (SIGKILL)")]

XERO_ONLY = "Tasman Design Studio Ltd"
RENAMED = "Tasman Design Studio (renamed in Xero)"
ZOHO_ONLY = "Summit Physio Pty Ltd"
NEW_PHONE = "02 9555 7171"
POINTS = 30  # kill points, one test case each
CHAIN_EVERY = 4  # every fourth case kills the resuming run too


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


@dataclass(frozen=True)
class Reference:
    """The clean run every case compares with, and the kill plan drawn from its requests."""

    clean: Path  # the data dir of the clean run
    log: list[tuple[int, str, str, str, int]]  # the first sync's requests: (n, side, method, path, status)
    want: dict[str, Counter[str]]  # both sandboxes after sync, edits, sync
    points: list[int]  # request number to kill at, per case
    chained: dict[int, int]  # case -> request number at which its resuming run is killed too


def kill_plan(log: list[tuple[int, str, str, str, int]]) -> tuple[list[int], dict[int, int]]:
    """``POINTS`` request numbers in a seeded random order: every write (token refreshes included), filled up
    with reads; a short first sync has some points twice. Every ``CHAIN_EVERY``-th case gets a second point."""
    n = len(log)
    rng = random.Random(5_2026)
    order = list(range(1, n + 1))
    rng.shuffle(order)
    write_points = {e[0] for e in log if e[2] != "GET"}
    chosen = [p for p in order if p in write_points][:POINTS]
    points = chosen + [p for p in order if p not in write_points][:POINTS - len(chosen)]
    while len(points) < POINTS:
        points.append(rng.randint(1, n))
    chained = {i: rng.randint(2, max(2, n // 2)) for i in range(CHAIN_EVERY - 1, POINTS, CHAIN_EVERY)}
    return points, chained


@pytest.fixture(scope="module")
def reference(served) -> Reference:
    """First sync, the edits, a second sync and an idle third, with no kill: the state every case must reach."""
    clean = served.fresh("clean")
    first = served.cli(clean, "sync")
    assert sync_finished(first) and "Sync run 1:" in first.out, first
    log = list(served.tripwire.log)
    assert "Storing credentials in a file" in (clean / "logs" / "ledgerbridge.log").read_text(), \
        "the subprocess did not use the file fallback store"
    assert duplicates(served.xero, served.zoho) == {}
    make_edits(served)
    again = served.cli(clean, "sync")
    assert sync_finished(again), again
    assert edits_arrived(served) == []
    want = snapshot(served.xero, served.zoho)
    idle = served.cli(clean, "sync")
    assert "Nothing new to sync." in idle.out and writes(served.tripwire.log) == [], idle
    points, chained = kill_plan(log)
    return Reference(clean, log, want, points, chained)


def test_kill_plan_covers_every_write_and_a_token_rotation(reference):
    log, points = reference.log, reference.points
    assert len(writes(log)) >= 8, log
    planned = {log[k - 1][3] for k in points}
    # a kill right after Xero rotated the refresh token, before the app could save the successor: the resume
    # gets in with the old token (Xero's grace window)
    assert "/connect/token" in planned, sorted(planned)
    write_points = {e[0] for e in log if e[2] != "GET"}
    if len(write_points) <= POINTS:
        assert write_points <= set(points), sorted(write_points - set(points))
    assert reference.chained and all(k2 >= 2 for k2 in reference.chained.values())


def kill_then_resume(served, reference: Reference, case: int, name: str) -> tuple[Path, str, list[str]]:
    """Kill the first sync of a fresh copy at the case's request (and the resume too, in a chained case), make
    the edits, resume. Returns the data dir, a label for messages and the problems found."""
    k = reference.points[case]
    expected = reference.log[k - 1]
    label = f"K={k} ({expected[1]} {expected[2]} {expected[3]})"
    data = served.fresh(name)
    killed = served.cli(data, "sync", kill_at=k)
    assert killed.killed and killed.rc == -9, f"{label}: not killed there\n{killed}"
    hit = served.tripwire.hit()
    # the first sync of a fresh copy repeats the clean run's requests, so the kill lands where planned
    assert hit is not None and hit[1:4] == expected[1:4], f"{label}: killed at {hit} instead"
    make_edits(served)
    if case in reference.chained:
        k2 = reference.chained[case]
        second = served.cli(data, "sync", kill_at=k2)
        label += f" + K2={k2}" + ("" if second.killed else " (finished first)")
    resumed = served.cli(data, "sync")
    if not sync_finished(resumed):
        return data, label, [f"resume did not complete cleanly\n{resumed}"]
    problems = []
    dups = duplicates(served.xero, served.zoho)
    if dups:
        problems.append(f"duplicates {dups}")
    got = snapshot(served.xero, served.zoho)
    if got != reference.want:
        problems.append(f"final state differs from the clean run {counts(got)}\n{snapshot_diff(got, reference.want)}")
    return data, label, problems + edits_arrived(served) + settled(data)


@pytest.mark.parametrize("case", range(POINTS), ids=lambda i: f"kill-{i:02d}")
def test_kill_then_resume(served, reference, case):
    data, label, problems = kill_then_resume(served, reference, case, f"kill-{case:02d}")
    problems += [f"credential on disk: {leak}" for leak in scan_for_secrets([data], served.secrets())]
    assert not problems, f"{label}:\n" + "\n\n".join(problems)


def test_after_a_resume_the_sync_is_idle_and_nothing_written_holds_a_secret(served, reference):
    data, label, problems = kill_then_resume(served, reference, 0, "kill-exports")
    assert not problems, f"{label}:\n" + "\n\n".join(problems)
    idle = served.cli(data, "sync")
    assert "Nothing new to sync." in idle.out and writes(served.tripwire.log) == [], \
        f"{label}: the sync after the resume is not idle: {writes(served.tripwire.log)}\n{idle}"

    # exports written into the data dirs, then every file of both data dirs and the pristine one scanned
    exports = {reference.clean: [("history.csv", ("history", "--format", "csv"))],  # local only: its sandbox moved on
               data: [("history.csv", ("history", "--format", "csv")),
                      ("failed.json", ("history", "--failed", "--format", "json")),
                      ("reconcile.csv", ("reconcile", "--format", "csv"))]}
    for d, wanted in exports.items():
        (d / "exports").mkdir(exist_ok=True)
        for name, args in wanted:
            result = served.cli(d, *args)
            assert result.rc in (0, 1) and result.out, result
            (d / "exports" / name).write_text(result.out)
    fallback = reference.clean / "secrets-fallback.json"
    assert stat.S_IMODE(fallback.stat().st_mode) == 0o600
    secrets = served.secrets()
    assert len(secrets) > 20
    files = [p.name for d in exports for p in d.rglob("*") if p.is_file()]
    assert {"ledgerbridge.db", "ledgerbridge.log", "history.csv", "reconcile.csv"} <= set(files)
    probe = served.root / "probe"  # the scanner finds what it looks for
    probe.mkdir(exist_ok=True)
    (probe / "x.log").write_text(f"token={sorted(secrets)[0]}")
    assert scan_for_secrets([probe], secrets)
    leaks = scan_for_secrets([*exports, served.pristine], secrets)
    assert leaks == [], leaks
