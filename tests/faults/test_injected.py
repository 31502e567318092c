"""Injected trouble during a first sync, in-process (shared virtual clock, so backoffs and limit windows cost no
wall time): 10% server errors, bursts of 429, every access token expired mid-run, and the Xero day limit. Each run
either converges or pauses with the right words, and a later run completes without a person doing anything: both
sandboxes end as after a clean run, with no duplicates."""

from __future__ import annotations

from collections import Counter

import httpx
import pytest

from app.services.exports import export_history
from app.services.views import HistoryFilter, Views
from app.store.models import Run
from tests.faults.support import (
    assert_converges,
    counts,
    duplicates,
    is_oauth,
    recorder,
    snapshot,
    snapshot_diff,
)

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(("seed", "html"), [(1, False), (2, False), (3, False), (4, True), (5, True)],
                         ids=["json-1", "json-2", "json-3", "html-4", "html-5"])
def test_ten_percent_server_errors_then_converges(fault_world, clean_world_state, seed, html):
    w = fault_world
    seen: Counter = Counter()
    for side in ("xero", "zoho"):
        w.hooks[side].insert(0, recorder(seen))
    w.xero.faults.update({"error_rate": 0.1, "seed": seed, "html_errors": html})
    w.zoho.faults.update({"error_rate": 0.1, "seed": seed + 10, "html_errors": html})
    report = w.sync_service().sync()
    errors = sum(n for (_, status), n in seen.items() if status >= 500)
    assert errors >= 1, seen
    assert report.outcome in ("ok", "partial"), report.message
    if report.outcome == "partial":
        assert "Nothing is lost" in report.message or "your attention" in report.message, report.message
    assert_converges(w, clean_world_state)
    # exports land in the data dir too; the fixture's teardown scans them with everything else for credentials
    exports = w.ctx.paths.data_dir / "exports"
    exports.mkdir()
    views = Views.of(w.ctx)
    export_history(views, HistoryFilter(), exports / "history.csv", "csv")
    export_history(views, HistoryFilter(), exports / "history.json", "json")


def test_bursts_of_429_are_absorbed(fault_world, clean_world_state):
    w = fault_world
    seen: Counter = Counter()
    calls = Counter()

    def bursts(side, request: httpx.Request, call_next):
        calls[side] += 1
        if not is_oauth(request) and calls[side] % 6 == 0:  # every sixth call starts a burst of three 429s
            (w.xero if side == "xero" else w.zoho).faults.update({"force_429": 3})
        return call_next()

    for side in ("xero", "zoho"):
        w.hooks[side][:0] = [recorder(seen), bursts]
    started = w.clock.time()
    report = w.sync_service().sync()
    assert report.outcome == "ok", report.message
    assert seen[("xero", 429)] >= 3 and seen[("zoho", 429)] >= 3, seen
    assert w.clock.time() > started  # the client waited (Retry-After / backoff), on the virtual clock
    assert duplicates(w.xero, w.zoho) == {}
    got = snapshot(w.xero, w.zoho)
    assert got == clean_world_state, snapshot_diff(got, clean_world_state)


def test_all_access_tokens_expired_mid_run_are_refreshed(fault_world, clean_world_state):
    w = fault_world
    seen: Counter = Counter()
    log: list = []
    for side in ("xero", "zoho"):
        w.hooks[side].insert(0, recorder(seen, log))
    expired_at: list[int] = []

    def progress(event) -> None:
        if event.pair == "contacts" and not expired_at:  # items are done: every token dies now
            w.xero.expire_access_tokens()
            w.zoho.expire_access_tokens()
            expired_at.append(len(log))

    report = w.sync_service().sync(progress=progress)
    assert expired_at and report.outcome == "ok", report.message
    after = log[expired_at[0]:]
    assert [e for e in after if e[0] == "xero" and e[3] == 401], "Xero never saw the expired token"
    assert [e for e in after if e[0] == "zoho" and e[3] == 401], "Zoho never saw the expired token"
    assert [e for e in after if e[0] == "xero" and e[2] == "/connect/token" and e[3] == 200]
    assert [e for e in after if e[0] == "zoho" and e[2].endswith("/oauth/v2/token") and e[3] == 200]
    got = snapshot(w.xero, w.zoho)
    assert got == clean_world_state, snapshot_diff(got, clean_world_state)


def test_xero_day_limit_pauses_then_resumes_by_itself(data_dir, clean_world_state):
    from tests.world import make_world

    w = make_world(data_dir, limits="starter")  # Xero's 2026 Starter tier: 1,000 calls a day
    try:
        w.connect_both()
        tenant = w.xero_org().TenantID
        limiter = w.xero.limiter
        used = 0
        while used < limiter.day_limit - 3:  # other apps of this organisation used the day, leaving three calls
            decision = limiter.acquire(tenant)
            if decision.allowed:
                limiter.release(tenant)
                used += 1
            else:
                assert decision.problem == "minute", decision
                w.clock.advance(decision.retry_after)
        report = w.sync_service().sync()
        assert report.outcome == "paused", report.message
        assert "daily API allowance" in report.message and "resumes by itself" in report.message, report.message
        assert report.paused_until and report.paused_until > w.clock.time()
        assert Run.get_by_id(report.run_id).outcome == "paused"
        # nothing to do for a person: the next cycle after the reset simply carries on
        w.clock.advance(report.paused_until - w.clock.time() + 1)
        report = w.sync_service().sync()
        assert report.outcome == "ok", report.message
        assert duplicates(w.xero, w.zoho) == {}
        # a day later the overdue balances moved on; the records are the same ones
        assert counts(snapshot(w.xero, w.zoho)) == counts(clean_world_state)
        again = w.sync_service().sync()
        assert again.outcome == "ok" and again.counts.get("created") is None, again.message
    finally:
        w.close()
