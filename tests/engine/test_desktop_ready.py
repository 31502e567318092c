"""The engine in a long-running process: one run at a time across threads and processes, cancel within a second
(a rate-limit pause included), runs that always end, fresh clients after a reconnect, decisions never lost."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
import threading

import httpx
import pytest

from app.emulators.clock import VirtualClock
from app.errors import Busy
from app.services import review
from app.services.runlock import run_lock
from app.store.models import Link, MatchCandidate, Run
from tests.faults.support import duplicates, install
from tests.integrations.support import Traffic
from tests.world import make_world


def test_a_second_sync_in_another_thread_is_refused_with_a_sentence(world):
    service = world.sync_service()
    inside, release = threading.Event(), threading.Event()
    second: dict[str, object] = {}

    def progress(event) -> None:
        if not inside.is_set():
            inside.set()
            release.wait(30)

    def first() -> None:
        second["report"] = service.sync(progress=progress)

    runner = threading.Thread(target=first)
    runner.start()
    assert inside.wait(30)
    runs_before = Run.select().count()
    with pytest.raises(Busy) as refused:
        world.sync_service().sync()
    release.set()
    runner.join(60)
    assert "A sync is already running" in refused.value.message and "Try again when it finishes" in \
        refused.value.message
    assert Run.select().count() == runs_before  # the refused run wrote nothing
    assert second["report"].outcome == "ok"
    assert duplicates(world.xero, world.zoho) == {}


HOLD_LOCK = textwrap.dedent("""
    import sys
    from pathlib import Path
    from app.services.runlock import run_lock
    with run_lock(Path(sys.argv[1]), "sync", by="app"):
        print("held", flush=True)
        sys.stdin.readline()
""")


def test_a_sync_beside_another_process_is_refused_and_a_killed_holder_frees_the_lock(world):
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(world.ctx.paths.data_dir)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(Busy) as refused:
            world.sync_service().sync()
        assert "by the desktop app" in refused.value.message
        assert Run.select().count() == 0
        holder.kill()  # killed while holding it: the OS lets go
        holder.wait(30)
        assert world.sync_service().sync().outcome == "ok"
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait(30)


def test_the_lock_can_be_taken_again_by_the_thread_holding_it(data_dir):
    with run_lock(data_dir, "sync"), run_lock(data_dir, "retry"):
        pass
    with run_lock(data_dir, "sync"):  # and it was let go
        pass


def test_cancel_while_reading_ends_the_run_and_the_next_one_resumes(world):
    cancel = threading.Event()

    def progress(event) -> None:
        if "Reading Xero contacts" in event.message:
            cancel.set()

    report = world.sync_service().sync(cancel=cancel, progress=progress)
    assert report.outcome == "cancelled" and "Nothing is lost" in report.message
    assert Run.get_by_id(report.run_id).outcome == "cancelled"
    again = world.sync_service().sync()
    assert again.outcome == "ok", again.message
    assert duplicates(world.xero, world.zoho) == {}


class CancelOnLongSleep(VirtualClock):
    """A virtual clock on which the user presses Cancel as soon as the app starts a long wait."""

    def __init__(self) -> None:
        super().__init__()
        self.cancel = threading.Event()
        self.waited_from: float | None = None

    def sleep(self, seconds: float) -> None:
        if self.waited_from is None and self.armed:
            self.waited_from = self.time()
            self.cancel.set()
        super().sleep(seconds)

    armed = False


def test_cancel_during_a_rate_limit_pause_returns_within_a_second(data_dir):
    clock = CancelOnLongSleep()
    world = make_world(data_dir, clock=clock)
    try:
        world.connect_both()
        world.xero.faults.update({"force_429": 1})  # Xero answers the first call "slow down, retry in a minute"
        clock.armed = True
        report = world.sync_service().sync(cancel=clock.cancel)
        assert report.outcome == "cancelled"
        assert clock.time() - clock.waited_from <= 1.0  # virtual seconds: not the minute Xero asked for
        clock.armed = False
        assert world.sync_service().sync().outcome == "ok"
        assert duplicates(world.xero, world.zoho) == {}
    finally:
        world.close()


def test_a_run_left_running_by_a_dead_process_is_closed_once_at_the_next_start(world):
    dead = Run.create(profile=world.ctx.profile, trigger="schedule", outcome="running")
    report = world.sync_service().sync()
    assert Run.get_by_id(dead.id).outcome == "interrupted"
    assert any("stopped before it finished" in note for note in report.notes)
    assert world.sync_service().sync().notes == []  # said once


def test_an_unexpected_error_still_ends_the_run_in_words(world, monkeypatch):
    from app.core import pairsync

    def broken(self) -> None:
        raise KeyError("surprise")

    monkeypatch.setattr(pairsync.PairSync, "run", broken)
    report = world.sync_service().sync()
    assert report.outcome == "failed" and "unexpected problem" in report.message
    assert Run.get_by_id(report.run_id).outcome == "failed"


def _browser_choosing(world, tenant_id: str):
    """A person at the browser who ticks another organisation on Xero's consent page."""
    def open_url(url: str) -> bool:
        def run() -> None:
            client = world.emulator_client()
            page = client.get(url)
            consent_id = re.search(r'name="consent_id" value="([^"]+)"', page.text).group(1)
            answer = client.post(str(page.url.join("/identity/connect/consent")),
                                 data={"consent_id": consent_id, "tenant": tenant_id, "action": "allow"})
            with httpx.Client(timeout=10) as real:
                real.get(answer.headers["location"])

        threading.Thread(target=run, daemon=True).start()
        return True
    return open_url


def test_a_reconnect_to_another_organisation_is_used_by_the_very_next_run(world):
    service = world.sync_service()  # one long-lived service, as the desktop app keeps
    assert service.sync().outcome == "ok"
    traffic = Traffic(world)
    nz = next(o for o in world.xero.orgs.values() if "(NZ)" in o.Name)
    world.connections.connect_xero(_browser_choosing(world, nz.TenantID), timeout=10)
    from app.services import org_change

    org_change.decide(world.ctx, "keep")  # another organisation is a decision first (see test_correctness_org_change)
    mark = traffic.mark()
    service.sync(dry_run=True)
    tenants = {e.request.headers.get("xero-tenant-id") for e in traffic.since(mark, "/api.xro/")}
    assert tenants == {nz.TenantID}


def test_a_match_confirmed_while_zoho_throttles_is_kept_and_lands_on_the_next_run(synced):
    world = synced
    pending = review.matches(world.sync_service())
    assert pending, "the demo has a look-alike to confirm"
    candidate = pending[0]
    world.zoho.faults.update({"force_429": 1000})  # Zoho keeps saying "slow down"
    reports = review.confirm_matches(world.sync_service(), [candidate.id])
    assert reports and reports[0].outcome == "failed"
    assert MatchCandidate.get_by_id(candidate.id).status == "confirmed"  # the decision is stored
    world.zoho.faults.update({"clear": True})
    world.clock.advance(600)
    assert world.sync_service().sync().outcome in ("ok", "partial")
    link = Link.get_or_none(Link.pair == candidate.pair, Link.xero_id == candidate.xero_id)
    assert link is not None and link.zoho_id == candidate.zoho_id


def test_progress_says_what_is_being_done_and_how_far(world):
    events = []
    report = world.sync_service().sync(progress=events.append)
    reads = [e for e in events if e.phase == "reading_xero" and e.pair == "contacts" and e.total]
    assert reads and reads[-1].done == reads[-1].total > 0
    assert reads[-1].text.startswith("Reading Xero contacts… ") and " of " in reads[-1].text
    writes = [e for e in events if e.phase == "writing_zoho" and e.total]
    assert writes and writes[-1].done == writes[-1].total
    assert {e.run_id for e in events} == {report.run_id}


@pytest.mark.parametrize("side", ["xero", "zoho"])
def test_a_throttled_sign_in_renewal_pauses_the_run_and_never_asks_to_reconnect(world, side):
    import httpx as _httpx

    hooks = install(world.xero if side == "xero" else world.zoho, side)

    def throttle_tokens(side_, request, call_next):
        if side_ == "xero" and request.url.path.endswith("/connect/token"):
            return _httpx.Response(429, headers={"Retry-After": "45"}, json={"error": "rate limited"})
        if side_ == "zoho" and request.url.path.endswith("/oauth/v2/token"):
            return _httpx.Response(200, json={"error": "Access Denied", "error_description": "You have made too "
                                              "many requests continuously. Please try again after some time.",
                                              "status": "failure"})
        return call_next()

    hooks.append(throttle_tokens)
    world.clock.advance(3600)  # every access token has expired: the run must renew them
    report = world.sync_service().sync()
    assert report.outcome == "paused" and report.paused_until > world.clock.time()
    assert "reconnect" not in report.message.lower() and not report.needs_sign_in
    hooks.clear()
    world.clock.advance(report.paused_until - world.clock.time())
    assert world.sync_service().sync().outcome == "ok"


def test_a_database_held_by_another_program_is_said_in_words(world):
    import sqlite3

    from app.errors import DatabaseError
    from app.store.db import DB

    DB.obj.execute_sql("PRAGMA busy_timeout = 50")  # the app's own wait, shortened for the test
    other = sqlite3.connect(world.ctx.paths.database, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # a database viewer holding a write transaction
    try:
        with pytest.raises(DatabaseError) as said:
            world.sync_service().sync()
        assert "Another program kept Ledgerbridge's database busy" in said.value.message
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert world.sync_service().sync().outcome == "ok"


def test_ctrl_c_on_a_command_line_sync_cancels_it_cleanly(world):
    import os
    import signal

    from app.cli.sync_cmd import ctrl_c_cancels

    def progress(event) -> None:
        if event.phase == "reading_xero":
            os.kill(os.getpid(), signal.SIGINT)  # the person presses Ctrl-C

    with ctrl_c_cancels() as cancel:
        report = world.sync_service().sync(cancel=cancel, progress=progress)
    assert report.outcome == "cancelled"
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    assert world.sync_service().sync().outcome == "ok"
