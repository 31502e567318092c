"""The Historical sync page on the sandbox with the real controller and worker: counted and estimated before it
starts, queued, run to the end, and the queue tidied; a job stopped by quitting shown as such and carried on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.gui.pages.historical import HistoricalPage
from app.services import historical
from app.services.views import Views
from app.store.models import HistoricalJob
from tests.gui.conftest import WAIT_MS

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")]


def now(w) -> datetime:
    return datetime.fromtimestamp(w.clock.time(), UTC)


def open_page(qtbot, w, controller):
    page = HistoricalPage(Views.of(w.ctx), controller)
    qtbot.addWidget(page)
    page.resize(1100, 760)
    page.show()
    return page


def statuses(page):
    return [page.table.item(r, 4).text() for r in range(page.table.rowCount())]


def test_a_historical_sync_is_counted_queued_and_completed(qtbot, synced, make_controller):
    w = synced
    c = w.xero_contact("Magpie Print House")
    w.xero.ui_edit_contact(c.ContactID, {"EmailAddress": "accounts@magpieprint.com.au"})
    controller = make_controller(w)
    page = open_page(qtbot, w, controller)
    assert page.empty.isVisible() and not page.table.isVisible()
    assert not page.add_button.isEnabled()  # counted first
    page.set_period(30)
    for pair, box in page.pair_boxes.items():
        box.setChecked(pair == "contacts")
    with qtbot.waitSignal(controller.task_finished, timeout=WAIT_MS):
        page.count_button.click()
    assert page.counted is not None and page.counted.by_pair.keys() == {"contacts"}
    assert page.estimate.text().startswith(f"{page.counted.records:,} records; under a minute (")
    assert page.add_button.isEnabled()
    page.set_period(7)  # a change of period needs a new count
    assert not page.add_button.isEnabled()
    page.set_period(30)
    assert page.add_button.isEnabled()

    with qtbot.waitSignal(controller.task_finished, timeout=WAIT_MS):
        page.add_button.click()
    assert statuses(page) == ["Waiting"]
    assert page.table.item(0, 0).text() == "Last 30 days" and page.table.item(0, 2).text() == "Contacts"
    assert page.table.item(0, 3).text().startswith(f"{page.counted.records:,} records")
    assert page.queue_title.text() == "Queue (1 job waiting)"
    assert w.zoho_one("Accounts", Xero_Contact_ID=c.ContactID)["Email"] != "accounts@magpieprint.com.au"

    assert page.selected_job() is not None and page.start_button.isEnabled()
    with qtbot.waitSignal(controller.task_finished, timeout=WAIT_MS):
        page.start_button.click()
    assert statuses(page) == ["Finished"] and page.table.item(0, 5).text()
    assert page.note.text().startswith("Last 30 days: Finished — ")
    assert w.zoho_one("Accounts", Xero_Contact_ID=c.ContactID)["Email"] == "accounts@magpieprint.com.au"
    assert not page.start_button.isEnabled()  # a finished job is not run twice

    with qtbot.waitSignal(controller.task_finished, timeout=WAIT_MS):
        page.clear_button.click()
    assert page.note.text() == "Removed 1 completed job." and page.empty.isVisible()


def test_a_job_stopped_by_quitting_is_shown_and_carried_on(qtbot, synced, make_controller):
    w = synced
    service = w.sync_service()
    job = historical.add(service, direction="both", since=historical.since_days(7, now(w)), days=7)
    HistoricalJob.update(status="running").execute()  # the app was closed while it ran
    controller = make_controller(w)
    page = open_page(qtbot, w, controller)
    assert statuses(page) == ["Stopped before it finished — Start now carries on"]
    page.select_job(job.id)
    with qtbot.waitSignal(controller.task_finished, timeout=WAIT_MS):
        page.start_button.click()
    assert statuses(page) == ["Finished"]


def test_remove_takes_a_waiting_job_off_the_queue(qtbot, synced, make_controller):
    w = synced
    service = w.sync_service()
    historical.add(service, direction="zoho", since=historical.since_days(90, now(w)), days=90, pairs=["contacts"])
    controller = make_controller(w)
    page = open_page(qtbot, w, controller)
    page.direction.setCurrentIndex(2)  # Zoho CRM → Xero: only pairs that can go that way are offered
    assert "Payments → Invoices" not in {b.text() for b in page.pair_boxes.values()}
    page.table.selectRow(0)
    assert page.table.item(0, 1).text() == "Zoho CRM → Xero"
    with qtbot.waitSignal(controller.task_finished, timeout=WAIT_MS):
        page.remove_button.click()
    assert page.note.text() == "Removed Last 90 days from the queue." and page.table.rowCount() == 0


def test_cancel_stops_the_running_job_and_start_carries_on(qtbot, synced, gate_xero_contacts, make_controller):
    w = synced
    historical.add(w.sync_service(), direction="both", since=historical.since_days(30, now(w)), days=30,
                   pairs=["contacts"])
    controller = make_controller(w)
    page = open_page(qtbot, w, controller)
    page.start_button.click()
    qtbot.waitUntil(gate_xero_contacts.entered.is_set, timeout=WAIT_MS)  # caught in the middle of a read
    assert page.running_box.isVisible() and page.cancel_button.isEnabled()
    with qtbot.waitSignal(controller.task_finished, timeout=WAIT_MS):
        page.cancel_button.click()
        assert page.running.text() == "Stopping…"
        gate_xero_contacts.release.set()
    assert statuses(page) == ["Cancelled — Start now carries on"] and not page.running_box.isVisible()
    assert page.start_button.isEnabled()
    with qtbot.waitSignal(controller.task_finished, timeout=WAIT_MS):
        page.start_button.click()
    assert statuses(page) == ["Finished"]


def test_a_custom_period_with_an_end_sends_only_what_changed_in_it(qtbot, synced, make_controller):
    w = synced
    inside, later = w.xero_contact("Magpie Print House"), w.xero_contact("Zenith IT Services Pty Ltd")
    w.xero.ui_edit_contact(inside.ContactID, {"EmailAddress": "accounts@magpieprint.com.au"})
    last = now(w).astimezone().date()
    w.clock.advance(3 * 86400)
    w.xero.ui_edit_contact(later.ContactID, {"EmailAddress": "later@zenithit.com.au"})
    controller = make_controller(w)
    page = open_page(qtbot, w, controller)
    first = last - timedelta(days=10)
    page.set_custom(first)
    assert not page.until.isEnabled() and not page.until_note.isVisible()  # up to today unless "to" is ticked
    page.set_custom(first, last)
    assert page.until.isEnabled() and page.until_note.isVisible()
    assert page.until_note.text() == (f"Only records changed from {first.day} {first:%b %Y} to {last.day} "
                                      f"{last:%b %Y} are sent. Records changed after that are left for the "
                                      "regular sync, which sends them as usual.")
    for pair, box in page.pair_boxes.items():
        box.setChecked(pair == "contacts")
    with qtbot.waitSignal(controller.task_finished, timeout=WAIT_MS):
        page.count_button.click()
    assert page.add_start_button.isEnabled()
    with qtbot.waitSignal(controller.task_finished, timeout=WAIT_MS):
        page.add_start_button.click()
    period = f"{first.day} {first:%b}{'' if first.year == last.year else f' {first.year}'} – {last.day} {last:%b %Y}"
    assert page.table.item(0, 0).text() == period and statuses(page) == ["Finished"]
    assert w.zoho_one("Accounts", Xero_Contact_ID=inside.ContactID)["Email"] == "accounts@magpieprint.com.au"
    assert w.zoho_one("Accounts", Xero_Contact_ID=later.ContactID)["Email"] != "later@zenithit.com.au"
