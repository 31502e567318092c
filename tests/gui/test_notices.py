"""Desktop notifications only when the user must act, and never the same one every cycle."""

from app.gui.notices import NoticePolicy

HOUR = 3600.0


def test_a_reconnect_is_told_once_until_a_sync_gets_through():
    policy = NoticePolicy()
    first = policy.sign_in_needed("xero")
    assert first and first.title == "Reconnect Xero"
    assert policy.sign_in_needed("xero") is None  # the next failing cycle says nothing new
    assert policy.sign_in_needed("zoho").title == "Reconnect Zoho CRM"
    policy.after_run("ok", 0, 0.0, 1.0)
    assert policy.sign_in_needed("xero") is not None  # it broke again after working


def test_failed_records_are_told_when_new_ones_appear():
    policy = NoticePolicy()
    assert policy.after_run("ok", 0, 0.0, 0.0) == []  # a routine success is never announced
    told = policy.after_run("partial", 2, 0.0, 0.0)
    assert [n.title for n in told] == ["2 records could not be synced"]
    assert policy.after_run("partial", 2, 0.0, 0.0) == []  # the same two: quiet
    assert policy.after_run("partial", 1, 0.0, 0.0) == []  # fewer: quiet
    assert [n.title for n in policy.after_run("partial", 3, 0.0, 0.0)] == ["3 records could not be synced"]


def test_a_long_time_without_a_good_sync_is_told_once():
    policy = NoticePolicy(stale_hours=24)
    assert policy.after_run("failed", 0, 0.0, 23 * HOUR) == []
    stale = policy.after_run("failed", 0, 0.0, 25 * HOUR)
    assert [n.key for n in stale] == ["stale"] and "25 hours" in stale[0].message
    assert policy.after_run("failed", 0, 0.0, 26 * HOUR) == []
