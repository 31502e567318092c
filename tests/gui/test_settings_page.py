"""The Settings page: a setting changed on the page changes what the next sync does; checked as you type; never lost
while a sync is running."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from app.services.views import Views
from app.store.models import Link
from app.store.settings import DEFAULTS, get_setting
from tests.gui.conftest import WAIT_MS

# Showing a top-level widget offscreen warns that the platform plugin cannot pass size hints on.
pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")]

ARCHIVED = ["Bondi Surf Club", "Citrus Law Pty Ltd", "Blue Mountains Retreat", "Manly Ferry Kiosk",
            "Quokka Coffee Co", "Tidal Yoga Studio", "Banksia Bookkeeping"]


def make_page(qtbot, world, controller):
    from app.gui.pages.settings import SettingsPage

    page = SettingsPage(Views.of(world.ctx), controller)
    qtbot.addWidget(page)
    page.resize(900, 1000)
    page.show()
    return page


def save(qtbot, page, controller) -> None:
    assert page.save_button.isEnabled(), page.status.text()
    with qtbot.waitSignal(controller.task_finished, timeout=WAIT_MS,
                          check_params_cb=lambda name, result: name == "save-settings") as done:
        qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert not (isinstance(done.args[1], dict) and done.args[1].get("error")), done.args[1]
    assert page.status.text() == "Saved. Changes apply from the next sync."


def sync(qtbot, controller) -> dict:
    with qtbot.waitSignal(controller.run_finished, timeout=WAIT_MS) as finished:
        assert controller.sync_now()
    return finished.args[0]


def test_the_schedule_reaches_the_controller_with_its_cost(qtbot, synced, make_controller):
    controller = make_controller(synced, tick_ms=60_000)
    page = make_page(qtbot, synced, controller)
    interval = page.editors["sync.interval_minutes"]
    assert interval.value == DEFAULTS["sync.interval_minutes"] and controller.interval_minutes == 15
    assert page.cost.text().startswith("Every 15 minutes uses about 380 of Xero's 5,000 calls a day")
    assert not page.save_button.isEnabled()

    page.editors["xero.plan"].editor.setCurrentIndex(1)  # Starter: 1,000 a day
    interval.editor.setValue(1)  # as typed: refused at once, with the reason, and nothing can be saved
    assert "would use about 3,100 of Xero's 1,000 calls a day" in interval.reason.text()
    assert interval.reason.isVisible() and not page.cost.isVisible() and not page.save_button.isEnabled()
    interval.editor.setValue(4)
    assert "Choose every 5 minutes or more." in interval.reason.text()

    page.editors["xero.plan"].editor.setCurrentIndex(0)
    interval.editor.setValue(30)
    assert not interval.reason.isVisible() and page.cost.text().startswith("Every 30 minutes uses about 190")
    with qtbot.waitSignal(controller.schedule_changed, timeout=WAIT_MS) as changed:
        save(qtbot, page, controller)
    assert changed.args[0]["interval_minutes"] == 30 and controller.interval_minutes == 30
    assert get_setting(synced.ctx.profile, "sync.interval_minutes") == 30

    interval.editor.setValue(0)
    assert interval.editor.text() == "Off" and page.cost.text().startswith("Off")


def test_the_brake_minimum_changes_what_a_sync_does(qtbot, synced, make_controller):
    controller = make_controller(synced, tick_ms=60_000)
    page = make_page(qtbot, synced, controller)
    ids = {c.Name: c.ContactID for c in synced.xero_org().contacts.values()}
    archived = Link.select().where(Link.pair == "contacts", Link.state == "archived")
    before = archived.count()  # Old Mill Restaurant, archived in Xero before the first sync
    for name in ARCHIVED:  # seven customers archived in Xero: more than the brake's five
        synced.xero.ui_archive_contact(ids[name])

    braked = sync(qtbot, controller)
    assert braked["outcome"] == "braked" and "safety limit of 5" in braked["message"]

    page.editors["brake.min_records"].editor.setValue(10)
    save(qtbot, page, controller)
    released = sync(qtbot, controller)
    assert released["outcome"] == "ok", released["message"]
    assert archived.count() == before + len(ARCHIVED)


def test_a_pair_turned_off_is_not_synced(qtbot, synced, make_controller):
    controller = make_controller(synced, tick_ms=60_000)
    page = make_page(qtbot, synced, controller)
    items = page.editors["pairs.items.enabled"]
    assert items.value is True and page.editors["pairs.items.direction"].isEnabled()
    items.editor.setChecked(False)
    assert not page.editors["pairs.items.direction"].isEnabled()  # its other settings wait while it is off
    save(qtbot, page, controller)

    org = synced.xero_org()
    item = next(iter(org.items.values()))
    contact = synced.xero_contact("Bondi Surf Club")
    synced.xero.ui_edit_item(item.ItemID, {"Name": "Renamed while items are off"})
    synced.xero.ui_edit_contact(contact.ContactID, {"EmailAddress": "hello@bondisurf.example"})
    synced.clock.advance(60)
    report = sync(qtbot, controller)
    assert report["outcome"] == "ok", report["message"]
    assert "items" not in report["by_pair"]
    assert synced.zoho_one("Accounts", Account_Name="Bondi Surf Club")["Email"] == "hello@bondisurf.example"
    assert not synced.zoho_records("Products", Product_Name="Renamed while items are off")


def test_a_change_saved_while_a_sync_runs_is_kept(qtbot, synced, gate_xero_contacts, make_controller):
    gate = gate_xero_contacts
    controller = make_controller(synced, tick_ms=60_000)
    page = make_page(qtbot, synced, controller)
    with qtbot.waitSignal(controller.run_started, timeout=WAIT_MS):
        controller.sync_now()
    qtbot.waitUntil(gate.entered.is_set, timeout=WAIT_MS)  # the sync is reading Xero contacts

    page.editors["history.retention_days"].editor.setValue(30)
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert page.status.text() == "Saving… (after the sync that is running)"
    with qtbot.waitSignal(controller.task_finished, timeout=WAIT_MS,
                          check_params_cb=lambda name, result: name == "save-settings"):
        gate.release.set()
    assert get_setting(synced.ctx.profile, "history.retention_days") == 30
    assert page.status.text() == "Saved. Changes apply from the next sync."


def test_revert_puts_back_the_saved_settings(qtbot, world, make_controller):
    controller = make_controller(world, tick_ms=60_000)
    page = make_page(qtbot, world, controller)
    page.editors["deletes.archive_xero_on_zoho_delete"].editor.setChecked(True)
    page.editors["brake.fraction"].editor.setValue(25)
    assert page.changes() == {"deletes.archive_xero_on_zoho_delete": True, "brake.fraction": 0.25}
    assert page.status.text() == "You have unsaved changes."
    qtbot.mouseClick(page.revert_button, Qt.MouseButton.LeftButton)
    assert page.changes() == {} and not page.save_button.isEnabled()
    assert page.editors["brake.fraction"].editor.value() == 10
