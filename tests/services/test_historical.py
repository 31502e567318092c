"""Historical sync: counted and estimated before it starts, queued in the database, run through the engine from its
start date, resumable after the app stops, and never braked by records archived long ago."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.errors import ConfigError, NotFound
from app.services import historical
from app.store.models import HistoricalJob, Run


def now(w) -> datetime:
    return datetime.fromtimestamp(w.clock.time(), UTC)


def account_for(w, contact):
    return w.zoho_one("Accounts", Xero_Contact_ID=contact.ContactID)


def test_estimate_counts_each_record_once_and_grows_with_the_range(synced):
    w = synced
    service = w.sync_service()
    week = historical.estimate(service, [], "both", historical.since_days(7, now(w)))
    decade = historical.estimate(service, [], "both", historical.since_days(3650, now(w)))
    assert 0 < week.records <= decade.records
    # a contact linked on both sides is one record, not two
    assert decade.by_pair["contacts"] < 2 * len(w.xero_org().contacts)
    assert week.seconds > 0 and week.words.endswith("under a minute")
    assert week.words.startswith(f"{week.records:,} records")


def test_estimate_of_a_large_job_follows_the_rate_limits():
    # 20,000 Xero invoices to Zoho CRM: 20 Xero pages at 60 calls a minute, 200 Zoho writes of 100
    assert historical.job_calls("invoices", 20_000, 0) == (20, 200)
    seconds = historical.job_seconds(20, 200)
    assert seconds == 20 + 100
    big = historical.Estimate({"invoices": 20_000}, 20, 200, seconds)
    assert big.words == "20,000 records; about 2 min"
    # the other way Xero takes 50 records a write: 400 calls, over six minutes at 60 a minute
    assert historical.job_calls("contacts", 0, 20_000) == (400, 100)
    assert historical.time_words(historical.job_seconds(400, 100)) == "about 8 min"


def test_a_queued_job_runs_from_its_date_and_is_listed_as_finished(synced):
    w = synced
    service = w.sync_service()
    c = w.xero_contact("Magpie Print House")
    w.xero.ui_edit_contact(c.ContactID, {"EmailAddress": "accounts@magpieprint.com.au"})
    since = historical.since_days(30, now(w))
    counted = historical.estimate(service, ["contacts"], "both", since)
    job = historical.add(service, direction="both", since=since, pairs=["contacts"], days=30, counted=counted)
    assert job.status_label == "Waiting" and job.range_label == "Last 30 days"
    assert job.size_label.startswith(f"{counted.records:,} records")
    assert account_for(w, c)["Email"] != "accounts@magpieprint.com.au"  # nothing ran yet

    [done] = historical.start(service)
    assert done.status == "done" and done.status_label == "Finished"
    assert account_for(w, c)["Email"] == "accounts@magpieprint.com.au"
    run = Run.get_by_id(done.run_id)
    assert run.trigger == "historical" and run.outcome == "ok"
    assert [j.status for j in historical.jobs(service.profile)] == ["done"]
    with pytest.raises(ConfigError):
        historical.start(service, done.id)  # a finished job is added again to run again


def test_a_job_stopped_by_quitting_carries_on_when_started_again(synced):
    w = synced
    service = w.sync_service()
    job = historical.add(service, direction="both", since=historical.since_days(90, now(w)), days=90)

    def quit_midway(event):
        if event.pair == "contacts":
            raise KeyboardInterrupt  # the app is closed while the job runs

    with pytest.raises(KeyboardInterrupt):
        historical.start(service, job.id, progress=quit_midway)
    [item] = historical.jobs(service.profile)
    assert item.status == "interrupted" and item.can_start
    assert "Stopped before it finished" == item.status_label

    [done] = historical.start(service)
    assert done.id == job.id and done.status == "done"


def test_a_cancelled_job_stops_and_carries_on_when_started_again(synced):
    w = synced
    service = w.sync_service()
    first = historical.add(service, direction="both", since=historical.since_days(30, now(w)), days=30)
    second = historical.add(service, direction="both", since=historical.since_days(7, now(w)), days=7)

    def cancel_at_once(event):
        historical.cancel()  # the user clicks Cancel while it reads

    [stopped] = historical.start(service, progress=cancel_at_once)  # the rest of the queue waits
    assert stopped.id == first.id and stopped.status == "cancelled" and stopped.can_start
    assert historical.job(service.profile, second.id).status == "queued"
    done = historical.start(service)
    assert [(j.id, j.status) for j in done] == [(first.id, "done"), (second.id, "done")]


def test_records_archived_long_ago_do_not_trip_the_bulk_archive_brake(synced):
    w = synced
    service = w.sync_service()
    names = ["Bondi Surf Club", "Citrus Law Pty Ltd", "Blue Mountains Retreat", "Manly Ferry Kiosk",
             "Quokka Coffee Co", "Tidal Yoga Studio", "Banksia Bookkeeping"]
    for name in names:
        w.xero.ui_archive_contact(w.xero_contact(name).ContactID)
    assert service.sync(allow_bulk_archive=True).counts.get("archived") == len(names)  # confirmed at the time
    w.clock.advance(10 * 86400)
    job = historical.add(service, direction="both", since=historical.since_days(30, now(w)), days=30)
    [done] = historical.start(service, job.id)
    assert done.status == "done", done.message
    assert not done.counts.get("archived")


def test_one_way_job_keeps_an_edit_made_on_the_other_side(synced):
    w = synced
    service = w.sync_service()
    c = w.xero_contact("Zenith IT Services Pty Ltd")
    w.xero.ui_edit_contact(c.ContactID, {"EmailAddress": "older@zenithit.com.au"})
    w.clock.advance(60)
    w.zoho.ui_edit("Accounts", account_for(w, c)["id"], {"Email": "newer@zenithit.com.au"})
    job = historical.add(service, direction="xero", since=historical.since_days(7, now(w)), pairs=["contacts"],
                         days=7)
    assert job.direction_label == "Xero → Zoho CRM"
    [done] = historical.start(service)
    assert done.status == "done"
    assert account_for(w, c)["Email"] == "newer@zenithit.com.au"
    assert w.xero_contact("Zenith IT Services Pty Ltd").EmailAddress == "newer@zenithit.com.au"


def test_the_queue_is_kept_in_the_database_and_can_be_tidied(synced):
    w = synced
    service = w.sync_service()
    first = historical.add(service, direction="both", since=historical.since_days(7, now(w)), days=7)
    second = historical.add(service, direction="zoho", since=historical.since_days(90, now(w)), days=90,
                            pairs=["contacts"])
    historical.start(service, first.id)
    # the second job ran too: the queue carries on after the chosen one
    assert [j.status for j in historical.jobs(service.profile)] == ["done", "done"]
    third = historical.add(service, direction="both", since=historical.since_date((now(w) - timedelta(days=3)).date()))
    assert third.range_label.startswith("Since ")
    assert HistoricalJob.select().count() == 3
    assert historical.clear_completed(service.profile) == 2
    assert [j.id for j in historical.jobs(service.profile)] == [third.id]
    historical.remove(service.profile, third.id)
    assert historical.jobs(service.profile) == []
    with pytest.raises(NotFound):
        historical.remove(service.profile, second.id)


def test_bad_requests_are_refused_with_reasons(synced):
    w = synced
    service = w.sync_service()
    with pytest.raises(ConfigError, match="Closed Won deals → Invoices cannot sync Xero → Zoho CRM"):
        historical.add(service, direction="xero", since=historical.since_days(7, now(w)), pairs=["deals"])
    with pytest.raises(ConfigError, match="future"):
        historical.add(service, direction="both", since=now(w) + timedelta(days=1))
    with pytest.raises(ConfigError, match="Direction"):
        historical.add(service, direction="sideways", since=historical.since_days(7, now(w)))
    assert historical.jobs(service.profile) == []


def test_a_period_with_an_end_sends_only_what_changed_within_it(synced):
    w = synced
    service = w.sync_service()
    inside, later = w.xero_contact("Magpie Print House"), w.xero_contact("Zenith IT Services Pty Ltd")
    w.xero.ui_edit_contact(inside.ContactID, {"EmailAddress": "accounts@magpieprint.com.au"})
    last_day = now(w).astimezone().date()
    w.clock.advance(3 * 86400)  # three days later, after the period's last day
    w.xero.ui_edit_contact(later.ContactID, {"EmailAddress": "later@zenithit.com.au"})
    since, until = historical.since_date(last_day - timedelta(days=10)), historical.until_date(last_day)

    ended = historical.estimate(service, ["contacts"], "xero", since, until)
    assert ended.records == historical.estimate(service, ["contacts"], "xero", since).records - 1  # not the later edit
    job = historical.add(service, direction="both", since=since, until=until, pairs=["contacts"], counted=ended)
    first = since.astimezone()
    assert job.range_label == f"{first.day} {first:%b}{'' if first.year == last_day.year else f' {first.year}'} – " \
                              f"{last_day.day} {last_day:%b %Y}"
    assert historical.jobs(service.profile)[0].until == until

    [done] = historical.start(service)
    assert done.status == "done"
    assert account_for(w, inside)["Email"] == "accounts@magpieprint.com.au"
    assert account_for(w, later)["Email"] != "later@zenithit.com.au"  # changed after the end: not sent
    # ... and left to the normal sync, which sends it
    assert service.sync().outcome == "ok"
    assert account_for(w, later)["Email"] == "later@zenithit.com.au"


def test_a_period_cannot_end_before_it_starts(synced):
    w = synced
    day = now(w).astimezone().date() - timedelta(days=5)
    with pytest.raises(ConfigError, match="end date is before the start"):
        historical.add(w.sync_service(), direction="both", since=historical.since_date(day),
                       until=historical.since_date(day))


def test_a_period_is_named_by_its_first_and_last_day():
    from datetime import date

    march = historical.range_label(None, historical.since_date(date(2026, 3, 1)), historical.until_date(date(2026, 3, 31)))
    assert march == "1 Mar – 31 Mar 2026"
    winter = historical.range_label(None, historical.since_date(date(2025, 12, 1)),
                                    historical.until_date(date(2026, 1, 31)))
    assert winter == "1 Dec 2025 – 31 Jan 2026"
    assert historical.range_label(None, historical.since_date(date(2026, 3, 1))) == "Since 1 Mar 2026"
    assert historical.range_label(30, historical.since_date(date(2026, 3, 1))) == "Last 30 days"
