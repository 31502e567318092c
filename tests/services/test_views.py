"""The read API the pages and the CLI share: plain data, keyset paging, filters and counts, days in local time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.emulators.clock import VirtualClock
from app.paths import AppPaths
from app.services.views import Attention, HistoryFilter, Views
from app.store.db import open_db
from app.store.models import (
    Conflict,
    Connection,
    FailedRecord,
    HistoryEntry,
    Link,
    MatchCandidate,
    Run,
)
from app.store.settings import get_profile, set_setting

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


@pytest.fixture
def views(data_dir):
    paths = AppPaths(data_dir, data_dir / "logs").ensure()
    open_db(paths.database)
    clock = VirtualClock(NOW)
    return Views(get_profile("default"), clock)


def _run(profile, outcome="ok", minutes_ago=0, dry_run=False, counts=None):
    start = NOW - timedelta(minutes=minutes_ago)
    return Run.create(profile=profile, outcome=outcome, started_at=start, ended_at=start + timedelta(seconds=42),
                      dry_run=dry_run, counts=counts or {}, message="done", xero_calls=4, zoho_calls=3)


def test_runs_are_newest_first_and_leave_out_dry_runs(views):
    first = _run(views.profile, minutes_ago=30)
    _run(views.profile, minutes_ago=20, dry_run=True)
    last = _run(views.profile, outcome="failed", minutes_ago=10)
    runs = views.runs()
    assert [r.id for r in runs] == [last.id, first.id]
    assert runs[0].duration_s == 42
    assert views.last_successful().id == first.id  # a failed run is not a successful sync


def test_history_pages_are_stable_filtered_and_counted(views):
    run = _run(views.profile)
    actions = ["create", "update", "fail", "link"]
    for i in range(250):
        HistoryEntry.create(run=run, profile=views.profile, pair="contacts" if i % 2 else "invoices",
                            action=actions[i % 4], direction="xero->zoho", record_name=f"Customer {i:03d}",
                            created_at=NOW - timedelta(minutes=250 - i))
    everything = HistoryFilter()
    assert views.history_count(everything) == 250
    page1 = views.history_page(everything, limit=100)
    page2 = views.history_page(everything, before_id=page1[-1].id, limit=100)
    page3 = views.history_page(everything, before_id=page2[-1].id, limit=100)
    seen = [r.id for r in page1 + page2 + page3]
    assert seen == sorted(seen, reverse=True) and len(set(seen)) == 250
    assert page1[0].record_name == "Customer 249"

    failed_contacts = HistoryFilter(pairs=("contacts",), actions=("fail",))
    assert views.history_count(failed_contacts) == 0  # odd rows are contacts; failures are every 4th (even) row
    failed = HistoryFilter(actions=("fail",))
    assert views.history_count(failed) == len(views.history_ids(failed)) == 62
    assert views.history_count(HistoryFilter(text="customer 12")) == 10  # 120–129, any case
    recent = HistoryFilter(since=NOW - timedelta(minutes=10))
    assert views.history_count(recent) == 10
    ids = views.history_ids(HistoryFilter(run_id=run.id))[:3]
    assert [r.id for r in views.history_rows(list(reversed(ids)))] == list(reversed(ids))


def test_daily_totals_cover_every_day_with_zeros(views):
    run = _run(views.profile)
    for days_ago, action in [(0, "create"), (0, "fail"), (2, "update"), (2, "update"), (40, "create")]:
        HistoryEntry.create(run=run, profile=views.profile, pair="contacts", action=action,
                            created_at=NOW - timedelta(days=days_ago))
    totals = views.daily_totals(7)
    assert len(totals) == 7 and totals[-1].day == NOW.astimezone().date()
    assert (totals[-1].synced, totals[-1].failed) == (1, 1)
    assert sum(t.synced for t in totals) == 3  # the record 40 days ago is outside the week
    assert sum(t.synced for t in views.daily_totals(90)) == 4


def test_attention_counts_what_needs_a_person(views):
    profile = views.profile
    assert views.attention() == Attention()
    assert views.attention().headline == ""
    FailedRecord.create(profile=profile, pair="contacts", direction="xero->zoho", source_id="a", status="open")
    FailedRecord.create(profile=profile, pair="invoices", direction="xero->zoho", source_id="b", status="waiting")
    FailedRecord.create(profile=profile, pair="invoices", direction="xero->zoho", source_id="c", status="ignored")
    link = Link.create(profile=profile, pair="contacts", xero_id="x1", zoho_id="z1", name="Acme")
    Conflict.create(profile=profile, pair="contacts", link=link, record_name="Acme",
                    fields={"Phone": {"base": "1", "xero": "2", "zoho": "3"}})
    MatchCandidate.create(profile=profile, pair="contacts", xero_id="x2", zoho_id="z2")
    MatchCandidate.create(profile=profile, pair="contacts", xero_id="x3", zoho_id="z3")
    attention = views.attention()
    assert (attention.failed, attention.waiting, attention.conflicts, attention.matches) == (1, 1, 1, 2)
    assert attention.headline == ("1 record could not be synced; 1 conflict to settle; "
                                  "2 possible matches to confirm.")
    assert attention.page == "failed"
    assert sorted(f.status for f in views.failed()) == ["open", "waiting"]
    assert len(views.failed(include_ignored=True)) == 3
    conflict = views.conflicts()[0]
    assert (conflict.record_name, conflict.xero_id, conflict.zoho_id) == ("Acme", "x1", "z1")
    assert [m.xero_id for m in views.matches()] == ["x2", "x3"]


def test_connections_need_no_network_and_say_when_to_reconnect(views):
    profile = views.profile
    assert [h.connected for h in views.connections()] == [False, False]
    Connection.create(profile=profile, provider="xero", org_name="Bluegum Supply Co",
                      refresh_token_issued_at=NOW - timedelta(days=10))
    Connection.create(profile=profile, provider="zoho", org_name="Bluegum CRM", dc="au")
    set_setting(profile, "zoho.needs_sign_in", True)
    set_setting(profile, "xero.last_budget", {"day_remaining": 4800})
    xero, zoho = views.connections()
    assert xero.connected and xero.organisation == "Bluegum Supply Co"
    assert xero.reconnect_by == NOW + timedelta(days=50)
    assert xero.budget == {"day_remaining": 4800}
    assert not zoho.connected and zoho.needs_sign_in
    attention = views.attention()
    assert attention.reconnect == ("zoho",) and attention.page == "connections"
    assert attention.headline == "Reconnect Zoho CRM to keep syncing."


def test_pair_counts_use_the_pairs_own_words(views):
    for i in range(3):
        Link.create(profile=views.profile, pair="contacts", xero_id=f"x{i}", zoho_id=f"z{i}")
    Link.create(profile=views.profile, pair="contacts", xero_id="only-xero", zoho_id=None)
    counts = {c.pair: c for c in views.pair_counts()}
    assert counts["contacts"].label == "Contacts ⇄ Accounts" and counts["contacts"].linked == 3
    assert counts["items"].label == "Items ⇄ Products"
    assert "payments" not in counts


def test_another_organisation_connected_points_the_banner_to_connections(views):
    profile = views.profile
    Connection.create(profile=profile, provider="xero", org_id="org-1", org_name="Bluegum Supply Co")
    Connection.create(profile=profile, provider="zoho", org_id="zoho-1", org_name="Bluegum CRM")
    Link.create(profile=profile, pair="contacts", xero_id="x1", zoho_id="z1", name="Acme")
    set_setting(profile, "links.organisations", {"xero": {"id": "org-1", "name": "Bluegum Supply Co"},
                                                 "zoho": {"id": "zoho-1", "name": "Bluegum CRM"}})
    assert views.attention() == Attention()  # the links were made with the organisations connected now

    Connection.update(org_id="org-2", org_name="Kiwi Roasters").where(Connection.provider == "xero").execute()
    attention = views.attention()
    assert attention.organisation_changed == ("xero",) and attention.total == 1
    assert attention.headline == "Xero is connected to another organisation: choose whether to keep the links."
    assert attention.page == "connections"

    set_setting(profile, "xero.needs_sign_in", True)  # signing in again comes first: nothing syncs until then
    assert views.attention().headline == "Reconnect Xero to keep syncing."
