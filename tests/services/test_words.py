from datetime import UTC, datetime

from app.services.words import counts_sentence, duration, local_time, pair_label, plural


def test_plural_and_thousands():
    assert plural(1, "record") == "1 record"
    assert plural(0, "record") == "0 records"
    assert plural(1204, "invoice") == "1,204 invoices"
    assert plural(2, "match") == "2 matches"
    assert plural(3, "possible match", "possible matches") == "3 possible matches"
    assert plural(2, "entry") == "2 entries"


def test_pair_labels_in_their_words():
    assert pair_label("contacts") == "Contacts ⇄ Accounts"
    assert pair_label("contacts", "Leads") == "Contacts ⇄ Leads"
    assert pair_label("deals") == "Closed Won deals → Invoices"


def test_local_time_and_durations():
    now = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
    assert local_time(now, now).startswith("Today ")
    assert local_time(datetime(2025, 3, 1, 12, tzinfo=UTC), now).endswith("2025 " + local_time(
        datetime(2025, 3, 1, 12, tzinfo=UTC), now).split()[-1])
    assert local_time(None) == "never"
    assert duration(0.2) == "under a second" and duration(1) == "1 second" and duration(125) == "2 min 5 s"


def test_counts_sentence():
    assert counts_sentence({"created": 12, "conflicts": 1, "failed": 0}) == "12 created, 1 conflict"
    assert counts_sentence({}) == ""


def test_counts_words_for_runs_and_pairs():
    from app.services.words import counts_words

    assert counts_words({"created": 16, "conflicts": 1, "queued_for_review": 2, "people_synced": 15,
                         "failed": 0}) == "16 created, 1 conflict, 2 possible matches to confirm, 15 people synced"
    assert counts_words({"queued_for_review": 1, "people_synced": 1}) == \
        "1 possible match to confirm, 1 person synced"
    assert counts_words({"create": 69, "review": 2, "skipped": 2}, dry_run=True) == \
        "69 to create, 2 possible matches to confirm, 2 to skip"
    assert counts_words({"created": 1204}) == "1,204 created" and counts_words({}) == ""


def test_run_line():
    from app.services.views import RunSummary
    from app.services.words import run_line

    now = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
    run = RunSummary(3, "manual", now, now.replace(second=12), "partial", "", {"created": 12, "conflicts": 1},
                     4, 3, False)
    line = run_line(run, now)
    assert line.startswith("Sync now · Today ")
    assert line.endswith(" · took 12 seconds · 12 created, 1 conflict · API calls: Xero 4, Zoho CRM 3 · "
                         "Finished with problems")
