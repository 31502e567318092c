"""Two profiles in one data folder, as the window shows them: the sandbox's two Xero organisations side by side,
each profile with its own timer and worker; the header's picker switches between their pages, two timers firing
together take turns at the data folder's run lock without a failure, and a profile is added from the window."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QInputDialog, QLabel

from app.gui.controller import SyncController
from app.gui.profile_switcher import ADD_PROFILE, ProfileSession, profile_context
from app.gui.window import MainWindow
from app.services import profiles
from app.services.connections import ConnectionService
from app.services.sync import SyncService
from app.services.views import Views
from app.store.models import Profile, Run
from app.store.settings import set_setting
from tests.gui.conftest import WAIT_MS, Gate
from tests.services.test_profiles import PickOrganisation

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support (propagateSizeHints|raise)")]

KIWI = "Kiwi branch"


@pytest.fixture
def controllers(qtbot):
    """Controllers made by a test, each stopped (its worker thread ended) at the end."""
    made: list[SyncController] = []
    yield made
    for controller in made:
        with qtbot.waitSignal(controller.stopped, timeout=WAIT_MS):
            controller.stop()


@pytest.fixture
def kiwi(synced):
    """A second profile connected to the sandbox's other Xero organisation, synced once (its schedule is on)."""
    profiles.add(KIWI)
    ctx = profile_context(synced.ctx, KIWI)
    connections = ConnectionService(ctx)
    other = next(o for o in synced.xero.orgs.values() if o.Name != synced.xero_org().Name)
    connections.connect_xero(PickOrganisation(synced.emulator_client(), other.Name), timeout=30)
    connections.connect_zoho(synced.browser(), timeout=30)
    report = SyncService(ctx, connections).sync()
    assert report.outcome in ("ok", "partial"), report.message
    yield ctx, connections, other.Name
    ctx.close()


def session_of(ctx, connections, controllers, tick_ms: int = 10) -> ProfileSession:
    controller = SyncController(ctx, make_service=lambda: SyncService(ctx, connections), tick_ms=tick_ms)
    controllers.append(controller)
    return ProfileSession(ctx.profile_name, Views.of(ctx), controller, lambda: ConnectionService(ctx), ctx)


def main_session(world, controllers) -> ProfileSession:
    return session_of(world.ctx, world.connections, controllers)


def profile_of(report: dict) -> str:
    return Run.get_by_id(report["run_id"]).profile.name


def texts(widget) -> str:
    return "\n".join(label.text() for label in widget.findChildren(QLabel) if label.isVisibleTo(widget))


@pytest.fixture
def open_window(qtbot, tmp_path):
    def build(first: ProfileSession, *others: ProfileSession, open_profile=None) -> MainWindow:
        window = MainWindow(views=first.views, controller=first.controller, make_connections=first.make_connections,
                            others=others, open_profile=open_profile, settings_file=tmp_path / "window.ini",
                            log_dir=tmp_path / "logs", clock=first.views.clock)
        qtbot.addWidget(window)
        with qtbot.waitExposed(window):
            window.show()
        return window

    return build


def test_each_profiles_timer_runs_its_own_sync(qtbot, synced, kiwi, controllers):
    ctx, connections, _ = kiwi
    set_setting(ctx.profile, "sync.interval_minutes", 5)
    main = main_session(synced, controllers).controller
    other = session_of(ctx, connections, controllers).controller
    assert (main.interval_minutes, other.interval_minutes) == (15, 5)

    with qtbot.waitSignal(other.run_finished, timeout=WAIT_MS) as finished, \
            qtbot.assertNotEmitted(main.run_started, wait=0):
        synced.clock.advance(5 * 60 + 1)
    run = Run.get_by_id(finished.args[0]["run_id"])
    assert (run.profile.name, run.trigger) == (KIWI, "schedule")
    qtbot.waitUntil(lambda: other.state == "idle", timeout=WAIT_MS)

    with qtbot.waitSignal(main.run_finished, timeout=WAIT_MS) as finished:
        synced.clock.advance(10 * 60)
    run = Run.get_by_id(finished.args[0]["run_id"])
    assert (run.profile.name, run.trigger) == ("default", "schedule")


def test_two_timers_at_once_take_turns_and_nothing_fails(qtbot, synced, kiwi, controllers):
    ctx, connections, _ = kiwi
    main = main_session(synced, controllers).controller
    other = session_of(ctx, connections, controllers).controller
    gate = Gate(synced.xero, "GET", "/Contacts")  # the first run to read Xero holds the run lock here
    failed, waiting, reports = [], [], []
    for controller in (main, other):
        controller.run_failed.connect(failed.append)
        controller.run_finished.connect(reports.append)
        controller.progress.connect(lambda event: waiting.append(event) if event["phase"] == "waiting" else None)
    try:
        with qtbot.waitSignals([main.run_finished, other.run_finished], timeout=WAIT_MS):
            synced.clock.advance(15 * 60 + 1)  # both schedules fall due on the same tick
            qtbot.waitUntil(lambda: gate.entered.is_set() and bool(waiting), timeout=WAIT_MS)
            gate.release.set()
    finally:
        gate.release.set()
    assert waiting[0]["message"] == "Waiting for another profile's sync to finish…"
    assert not failed
    assert sorted(profile_of(r) for r in reports) == ["Kiwi branch", "default"]
    assert all(r["outcome"] in ("ok", "partial") for r in reports)
    ends = sorted((Run.get_by_id(r["run_id"]) for r in reports), key=lambda run: run.started_at)
    assert ends[0].ended_at <= ends[1].started_at  # one after the other


def test_cancel_while_waiting_for_the_other_profile_stops_quietly(qtbot, synced, kiwi, controllers):
    ctx, connections, _ = kiwi
    main = main_session(synced, controllers).controller
    other = session_of(ctx, connections, controllers).controller
    gate = Gate(synced.xero, "GET", "/Contacts")
    try:
        with qtbot.waitSignal(main.run_started, timeout=WAIT_MS):
            main.sync_now()
        qtbot.waitUntil(gate.entered.is_set, timeout=WAIT_MS)
        with qtbot.waitSignal(other.progress, timeout=WAIT_MS,
                              check_params_cb=lambda event: event["phase"] == "waiting"):
            other.sync_now()
        with qtbot.waitSignal(other.notice, timeout=WAIT_MS) as notice, \
                qtbot.assertNotEmitted(other.run_failed, wait=0):
            other.cancel()
        assert notice.args[0].startswith("Sync cancelled before it started")
        qtbot.waitUntil(lambda: other.state == "idle", timeout=WAIT_MS)
        with qtbot.waitSignal(main.run_finished, timeout=WAIT_MS) as finished:
            gate.release.set()
        assert finished.args[0]["outcome"] in ("ok", "partial")
    finally:
        gate.release.set()


def test_the_picker_switches_to_the_other_profiles_pages(qtbot, open_window, synced, kiwi, controllers):
    ctx, connections, kiwi_org = kiwi
    main, other = main_session(synced, controllers), session_of(ctx, connections, controllers)
    window = open_window(main, other, open_profile=lambda name: None)
    picker = window.picker
    assert picker.isVisible() and window.profile == "default"
    items = [picker.combo.itemText(i) for i in range(picker.combo.count())]
    assert items[:2] == [f"default — {synced.xero_org().Name}", f"{KIWI} — {kiwi_org}"]
    assert items[-1] == ADD_PROFILE
    main_dashboard = window.pages["dashboard"]

    picker.combo.setFocus()
    picker.combo.setCurrentIndex(1)
    picker.combo.activated.emit(1)  # what choosing with the keyboard or the mouse does
    assert window.profile == KIWI and window.current_key == "dashboard"
    dashboard = window.pages["dashboard"]
    assert dashboard is not main_dashboard and window.stack.currentWidget() is window.slots["dashboard"]
    assert dashboard.views.profile.name == KIWI and dashboard.controller is other.controller
    shown = texts(dashboard)
    for pair in Views.of(ctx).pair_counts():
        assert f"{pair.linked:,} linked" in shown
    kiwi_linked = {p.pair: p.linked for p in Views.of(ctx).pair_counts()}
    main_linked = {p.pair: p.linked for p in Views.of(synced.ctx).pair_counts()}
    assert kiwi_linked != main_linked  # another organisation's figures
    assert kiwi_org in window.badges["xero"].text.text()

    # the tray and File › Sync now act on the shown profile
    with qtbot.waitSignal(other.controller.run_finished, timeout=WAIT_MS) as finished:
        window.tray.sync_action.trigger()
    assert profile_of(finished.args[0]) == KIWI
    qtbot.waitUntil(lambda: other.controller.state == "idle", timeout=WAIT_MS)
    window.tray.pause_action.trigger()
    assert other.controller.state == "paused" and main.controller.state == "idle"

    picker.combo.activated.emit(0)
    assert window.profile == "default" and window.pages["dashboard"] is main_dashboard
    with qtbot.waitSignal(window.quit_finished, timeout=WAIT_MS):
        window.request_quit()
    assert main.controller.has_stopped and other.controller.has_stopped


def test_one_profile_shows_no_picker_but_can_add_one(open_window, synced, controllers):
    window = open_window(main_session(synced, controllers), open_profile=lambda name: None)
    assert not window.picker.isVisible() and window.add_profile_action.isVisible()
    demo_like = open_window(main_session(synced, controllers))  # no way to add (the demo): nothing shown
    assert not demo_like.picker.isVisible() and not demo_like.add_profile_action.isVisible()


def _answer_the_name_dialog(name: str) -> None:
    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, QInputDialog)
        dialog.setTextValue(name)
        dialog.accept()

    QTimer.singleShot(0, answer)


def test_add_a_profile_from_the_window(qtbot, open_window, synced, controllers):
    def open_profile(name: str) -> ProfileSession:
        ctx = profile_context(synced.ctx, name)
        return session_of(ctx, ConnectionService(ctx), controllers)

    main = main_session(synced, controllers)
    window = open_window(main, open_profile=open_profile)
    _answer_the_name_dialog("Bad/name")
    with qtbot.waitSignal(main.controller.task_finished, timeout=WAIT_MS):
        window.add_profile_action.trigger()
    assert window.profile == "default" and not Profile.select().where(Profile.name == "Bad/name").exists()
    refusal = [w for w in QApplication.topLevelWidgets() if w.windowTitle() == "Add profile" and w.isVisible()]
    assert refusal and "cannot be a profile name" in refusal[0].text()
    refusal[0].close()

    _answer_the_name_dialog("Kiwi branch")
    with qtbot.waitSignal(main.controller.task_finished, timeout=WAIT_MS):
        window.add_profile_action.trigger()
    assert window.profile == KIWI and window.current_key == "connections"
    assert window.picker.isVisible() and f"{KIWI} — not connected yet" in window.picker.combo.currentText()
    assert window.pages["connections"] is not None and window.controller is window.sessions[KIWI].controller
    assert Profile.select().where(Profile.name == KIWI).exists()
    assert window.sessions[KIWI].controller.interval_minutes >= 0 and len(window.controllers) == 2
