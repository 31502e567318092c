"""The main window as a user meets it: pages by keyboard, the last page remembered, the reconnect banner after a
sign-in failure, the tray menu, quitting during a run, the About box and the crash dialog."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from app.gui.errors import CrashHandler
from app.gui.window import MIN_SIZE, MainWindow
from app.services.connections import ConnectionService
from app.services.views import Views
from tests.gui.conftest import WAIT_MS

# The offscreen platform cannot resize native windows and says so; a real desktop can (as the other page tests).
pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support (propagateSizeHints|raise)")]


@pytest.fixture
def open_window(qtbot, make_controller, tmp_path):
    """A main window over a world; the same settings file for every window of the test."""

    def build(world, controller=None) -> MainWindow:
        window = MainWindow(views=Views.of(world.ctx), controller=controller or make_controller(world),
                            settings_file=tmp_path / "window.ini", log_dir=tmp_path / "logs", clock=world.clock,
                            make_connections=lambda: ConnectionService(world.ctx))
        qtbot.addWidget(window)
        with qtbot.waitExposed(window):
            window.show()
        return window

    return build


def test_the_window_opens_on_the_dashboard_with_both_sides_named(open_window, synced):
    window = open_window(synced)
    assert window.keys[0] == "dashboard" and window.current_key == "dashboard"
    assert window.minimumSize() == MIN_SIZE
    assert "Bluegum Supply Co Pty Ltd" in window.badges["xero"].text.text()
    assert window.badges["zoho"].text.text().endswith("(US)")
    assert [window.nav.item(i).text() for i in range(window.nav.count())][:2] == ["Dashboard", "Connections"]


def test_ctrl_number_switches_pages(qtbot, open_window, synced):
    window = open_window(synced)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=WAIT_MS)
    window.nav.setFocus()
    qtbot.keyClick(window.nav, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.current_key == window.keys[1]
    assert window.stack.currentWidget() is window.slots[window.keys[1]] and window.keys[1] in window.pages
    qtbot.keyClick(window.nav, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.current_key == "dashboard"


def test_the_window_remembers_its_last_page_and_size(qtbot, open_window, make_controller, synced):
    window = open_window(synced)
    last = window.keys[-1]
    window.show_page(last)
    window.resize(1024, 760)
    with qtbot.waitSignal(window.quit_finished, timeout=WAIT_MS):
        window.request_quit()
    again = open_window(synced, make_controller(synced))
    assert again.current_key == last
    assert again.height() == 760


def test_a_sign_in_failure_shows_the_reconnect_banner(qtbot, open_window, synced):
    synced.connections.tokens("xero").forget()  # the saved sign-in is gone
    window = open_window(synced)
    with qtbot.waitSignal(window.controller.needs_sign_in, timeout=WAIT_MS), \
            qtbot.waitSignal(window.controller.run_finished, timeout=WAIT_MS):
        window.sync_action.trigger()
    banner = window.pages["dashboard"].banner
    assert banner.isVisible() and "Reconnect Xero" in banner.text.text()
    assert "reconnect needed" in window.badges["xero"].text.text()
    assert not window.error_panel.isVisible()  # one banner, not two


def test_an_error_without_a_run_shows_words_and_details_then_clears(qtbot, open_window, synced):
    window = open_window(synced)
    window.controller.run_failed.emit({"title": "Settings need attention", "message": "The field mapping cannot "
                                       "work with the live systems.", "technical": "Accounts.Email missing",
                                       "provider": ""})
    assert window.error_panel.isVisible() and window.error_panel.title.text() == "Settings need attention"
    assert not window.error_panel.details.isVisible()
    window.error_panel.toggle.click()
    assert window.error_panel.details.isVisible()
    assert window.error_panel.details.toPlainText() == "Accounts.Email missing"
    with qtbot.waitSignal(window.controller.run_finished, timeout=WAIT_MS):
        window.controller.sync_now()
    assert not window.error_panel.isVisible()  # errors are states: fixed, gone


def test_quitting_during_a_run_finishes_it_first(qtbot, open_window, gate_xero_contacts, synced):
    window = open_window(synced)
    with qtbot.waitSignal(window.controller.run_started, timeout=WAIT_MS):
        window.sync_action.trigger()
    qtbot.waitUntil(gate_xero_contacts.entered.is_set, timeout=WAIT_MS)
    window.request_quit()
    assert window.windowTitle() == "Ledgerbridge — Finishing the current sync…"
    with qtbot.waitSignal(window.quit_finished, timeout=WAIT_MS):
        gate_xero_contacts.release.set()
    assert window.controller.has_stopped and not window.isVisible()


def test_closing_the_window_without_a_tray_quits(qtbot, open_window, synced):
    window = open_window(synced)
    assert window.tray is not None and not window.tray.available  # offscreen: no system tray
    with qtbot.waitSignal(window.quit_finished, timeout=WAIT_MS):
        window.close()
    assert window.controller.has_stopped


def test_the_tray_menu_does_what_it_says(qtbot, open_window, synced):
    window = open_window(synced)
    tray = window.tray
    assert [a.text() for a in tray.menu.actions() if a.text()] == [
        "Sync now", "Open Ledgerbridge", "Pause syncing for 1 hour", "Quit"]
    with qtbot.waitSignal(window.controller.run_finished, timeout=WAIT_MS):
        tray.sync_action.trigger()
    qtbot.waitUntil(lambda: window.controller.state == "idle", timeout=WAIT_MS)
    assert tray.state in ("idle", "attention")

    tray.pause_action.trigger()
    assert window.controller.state == "paused"
    assert window.controller.paused_until == pytest.approx(synced.clock.time() + 3600)
    assert tray.pause_action.text() == "Resume syncing"
    tray.pause_action.trigger()
    assert window.controller.state == "idle" and tray.pause_action.text() == "Pause syncing for 1 hour"

    window.hide()
    with qtbot.waitSignal(tray.open_requested, timeout=WAIT_MS):
        tray.open_action.trigger()
    assert window.isVisible()
    with qtbot.waitSignal(window.quit_finished, timeout=WAIT_MS):
        tray.quit_action.trigger()


def test_the_tray_shows_when_something_needs_attention(open_window, synced):
    window = open_window(synced)
    window.refresh_header()
    # the demo's first sync leaves look-alikes to confirm: a person must act
    assert window.views.attention().total > 0 and window.tray.state == "attention"


def _close_dialog_soon(seen: list) -> None:
    def close() -> None:
        dialog = QApplication.activeModalWidget()
        seen.append(dialog)
        if isinstance(dialog, QDialog):
            dialog.accept()

    QTimer.singleShot(0, close)


def test_about_names_the_version_and_licences(open_window, synced):
    window = open_window(synced)
    seen: list = []
    _close_dialog_soon(seen)
    window.show_about()
    box = seen[0]
    assert isinstance(box, QMessageBox) and "Ledgerbridge 0.1.0" in box.text()
    for name in ("PySide6", "LGPL", "httpx", "keyring", "peewee", "platformdirs", "orjson"):
        assert name in box.informativeText()


def test_an_unexpected_error_shows_a_calm_dialog_and_the_app_carries_on(qtbot, tmp_path):
    handler = CrashHandler(tmp_path / "logs")
    seen: list = []
    _close_dialog_soon(seen)
    try:
        raise RuntimeError("a bug")
    except RuntimeError as exc:
        handler(type(exc), exc, exc.__traceback__)
    dialog = seen[0]
    assert dialog.panel.title.text() == "Something unexpected happened"
    assert str(tmp_path / "logs") in dialog.panel.advice.text()
    assert "RuntimeError: a bug" in dialog.panel.details.toPlainText()
    assert handler.dialogs_shown == 1 and not handler.showing


def test_closing_the_window_keeps_syncing_in_the_tray_while_a_schedule_is_on(qtbot, open_window, synced):
    window = open_window(synced)
    told = []
    window.tray.available = True  # as on a desktop with a system tray
    window.tray.tell = lambda title, message: told.append(title)
    window.close()
    assert not window.isVisible() and not window.quitting and not window.controller.has_stopped
    assert told == ["Ledgerbridge keeps syncing"]
    window.tray.open_action.trigger()
    assert window.isVisible()
    window.close()
    assert told == ["Ledgerbridge keeps syncing"]  # said once, the first time
    window.controller.set_interval(0)
    window.show()
    with qtbot.waitSignal(window.quit_finished, timeout=WAIT_MS):
        window.close()  # no schedule: closing quits
