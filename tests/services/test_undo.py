"""Undo a run: the plan in words first (record, field, now → back to), then the values put back; a second undo
finds nothing left to undo."""

from __future__ import annotations

import pytest

from app.errors import NotFound
from app.services import undo


def test_undo_shows_the_plan_then_puts_back_and_says_when_nothing_is_left(synced):
    w = synced
    service = w.sync_service()
    c = w.xero_contact("Ironbark Builders Pty Ltd")
    account = w.zoho_one("Accounts", Xero_Contact_ID=c.ContactID)
    w.xero.ui_edit_contact(c.ContactID, {"Name": "Ironbark Constructions Pty Ltd",
                                         "EmailAddress": "office@ironbark.com.au"})
    report = service.sync()
    assert report.counts.get("updated") == 1

    plan = undo.undo_plan(service.profile, report.run_id)
    words = {ch.words for ch in plan.changes}
    assert "Ironbark Constructions Pty Ltd — Account Name in Zoho CRM: Ironbark Constructions Pty Ltd → " \
           f"{account['Account_Name']}" in words
    assert any(ch.field == "Email" and ch.now == "office@ironbark.com.au" for ch in plan.changes)
    assert plan.summary == "2 changes to put back in 1 record."

    result = undo.undo_run(service, report.run_id)
    assert result.ok and result.message == "Put back 2 changes in 1 record." and result.run_id
    assert w.zoho_one("Accounts", id=account["id"])["Account_Name"] == account["Account_Name"]

    assert undo.undo_plan(service.profile, report.run_id).summary == "Nothing is left to undo in this run."
    again = undo.undo_run(service, report.run_id)
    assert again.ok and again.run_id is None and again.message == f"Nothing is left to undo in run {report.run_id}."
    with pytest.raises(NotFound):
        undo.undo_plan(service.profile, 999)


def test_undoing_the_same_run_twice_through_review_writes_nothing_the_second_time(synced):
    from app.services import review

    w = synced
    c = w.xero_contact("Ironbark Builders Pty Ltd")
    w.xero.ui_edit_contact(c.ContactID, {"Name": "Ironbark Constructions Pty Ltd"})
    run_id = w.sync_service().sync().run_id
    assert review.undo(w.sync_service(), run_id).counts["reverted"] == 1
    w.reset_counts()
    again = review.undo(w.sync_service(), run_id)
    assert again.counts == {"reverted": 0, "failed": 0}
    assert again.message == f"Nothing is left to undo in run {run_id}."
    writes = [e for e in w.requests()["zoho"] if e.split(" ", 1)[0] in ("POST", "PUT", "PATCH")]
    assert writes == []  # nothing written again
