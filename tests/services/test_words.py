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
