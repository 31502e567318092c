"""The sync loop as the user meets it: timed runs, Sync now, Cancel, pauses, quitting, waking from sleep, sign-in
trouble. Each runs the real engine on the worker thread against the in-process emulators on a virtual clock."""

from __future__ import annotations

import pytest

from app.gui.controller import BUSY_NOTICE
from tests.gui.conftest import WAIT_MS

pytestmark = pytest.mark.gui


def test_a_timed_run_starts_when_its_time_comes(qtbot, make_controller, synced):
    controller = make_controller(synced)
    assert controller.interval_minutes == 15 and controller.next_run_at == synced.clock.time() + 15 * 60
    with qtbot.waitSignal(controller.run_finished, timeout=WAIT_MS) as finished, \
            qtbot.waitSignal(controller.run_started, timeout=WAIT_MS) as started:
        synced.clock.advance(15 * 60 + 1)
    assert started.args[0] == {"trigger": "schedule"}
    assert finished.args[0]["outcome"] == "ok"
    qtbot.waitUntil(lambda: controller.state == "idle", timeout=WAIT_MS)
    assert controller.next_run_at == pytest.approx(synced.clock.time() + 15 * 60)


def test_no_timed_run_before_the_first_sync(qtbot, make_controller, world):
    controller = make_controller(world)
    assert controller.next_run_at is None  # the first sync is the user's
    with qtbot.assertNotEmitted(controller.run_started, wait=200):
        world.clock.advance(3600)


def test_schedule_off_never_runs(qtbot, make_controller, synced):
    controller = make_controller(synced)
    with qtbot.waitSignal(controller.schedule_changed, timeout=WAIT_MS) as changed:
        controller.set_interval(0)
    assert changed.args[0]["interval_minutes"] == 0 and changed.args[0]["next_run_at"] is None
    with qtbot.assertNotEmitted(controller.run_started, wait=200):
        synced.clock.advance(2 * 3600)


def test_sync_now_while_a_timed_run_is_busy_says_so_and_runs_once(qtbot, make_controller, gate_xero_contacts,
                                                                   synced):
    controller = make_controller(synced)
    with qtbot.waitSignal(controller.run_started, timeout=WAIT_MS):
        synced.clock.advance(15 * 60 + 1)
    qtbot.waitUntil(gate_xero_contacts.entered.is_set, timeout=WAIT_MS)
    with qtbot.waitSignal(controller.notice, timeout=WAIT_MS) as notice:
        assert controller.sync_now() is False
    assert notice.args[0] == BUSY_NOTICE
    with qtbot.waitSignal(controller.run_finished, timeout=WAIT_MS) as finished:
        gate_xero_contacts.release.set()
    assert finished.args[0]["outcome"] == "ok"
    with qtbot.assertNotEmitted(controller.run_started, wait=200):
        pass  # the refused Sync now was not queued behind the timed run


def test_progress_reaches_the_window_as_plain_words(qtbot, make_controller, world):
    controller = make_controller(world)
    seen = []
    controller.progress.connect(seen.append)
    with qtbot.waitSignal(controller.run_finished, timeout=WAIT_MS) as finished:
        assert controller.sync_now()
    assert finished.args[0]["outcome"] == "ok" and finished.args[0]["run_id"] > 0
    assert seen and {"pair", "phase", "message", "done", "total"} <= set(seen[0])
    assert seen[0]["message"].startswith(("Reading", "Writing"))


def test_cancel_during_a_read_stops_the_run(qtbot, make_controller, gate_xero_contacts, synced):
    controller = make_controller(synced)
    states = []
    controller.state_changed.connect(states.append)
    with qtbot.waitSignal(controller.run_started, timeout=WAIT_MS):
        controller.sync_now()
    qtbot.waitUntil(gate_xero_contacts.entered.is_set, timeout=WAIT_MS)
    controller.cancel()
    assert controller.state == "cancelling"
    with qtbot.waitSignal(controller.run_finished, timeout=WAIT_MS) as finished:
        gate_xero_contacts.release.set()
    assert finished.args[0]["outcome"] == "cancelled"
    assert "Nothing is lost" in finished.args[0]["message"]
    qtbot.waitUntil(lambda: controller.state == "idle", timeout=WAIT_MS)
    assert states == ["syncing", "cancelling", "idle"]
    with qtbot.waitSignal(controller.run_finished, timeout=WAIT_MS) as again:
        controller.sync_now()  # the next run carries on
    assert again.args[0]["outcome"] == "ok"


def _spend_zoho_credits(world) -> None:
    """Leave one credit of Zoho's daily allowance: the next sync spends it and then has to wait a day."""
    spent = world.zoho.limits.used()
    world.control("zoho", "POST", "zoho/credits", {"used": world.zoho.limits.allowance - spent - 1})


def test_a_limit_pause_resumes_by_itself(qtbot, make_controller, synced):
    controller = make_controller(synced)
    _spend_zoho_credits(synced)
    with qtbot.waitSignal(controller.paused, timeout=WAIT_MS) as paused, \
            qtbot.waitSignal(controller.run_finished, timeout=WAIT_MS) as finished:
        controller.sync_now()
    assert finished.args[0]["outcome"] == "paused"
    resume_at = paused.args[0]
    assert resume_at > synced.clock.time()
    qtbot.waitUntil(lambda: controller.state == "paused", timeout=WAIT_MS)
    with qtbot.waitSignal(controller.run_started, timeout=WAIT_MS) as started, \
            qtbot.waitSignal(controller.run_finished, timeout=WAIT_MS) as resumed:
        synced.clock.advance(max(86_400, resume_at - synced.clock.time() + 1))  # Zoho's credits are back
    assert started.args[0] == {"trigger": "resume"}
    assert resumed.args[0]["outcome"] == "ok"


def test_cancel_during_a_limit_pause_stops_waiting(qtbot, make_controller, synced):
    controller = make_controller(synced)
    controller.set_interval(0)  # no schedule: the only run that could start by itself is the resume
    _spend_zoho_credits(synced)
    with qtbot.waitSignal(controller.paused, timeout=WAIT_MS) as paused:
        controller.sync_now()
    qtbot.waitUntil(lambda: controller.state == "paused", timeout=WAIT_MS)
    with qtbot.waitSignal(controller.schedule_changed, timeout=WAIT_MS) as changed:
        controller.cancel()
    assert controller.state == "idle" and changed.args[0]["paused_until"] is None
    with qtbot.assertNotEmitted(controller.run_started, wait=200):
        synced.clock.advance(paused.args[0] - synced.clock.time() + 1)  # no resume run when the limit lifts


def test_pause_for_an_hour_holds_the_schedule(qtbot, make_controller, synced):
    controller = make_controller(synced)
    with qtbot.waitSignal(controller.paused, timeout=WAIT_MS):
        controller.pause_for(3600)
    assert controller.state == "paused"
    with qtbot.assertNotEmitted(controller.run_started, wait=200):
        synced.clock.advance(30 * 60)
    with qtbot.waitSignal(controller.run_started, timeout=WAIT_MS) as started:
        synced.clock.advance(31 * 60)
    assert started.args[0]["trigger"] in ("schedule", "wake")


def test_quit_during_a_run_finishes_cleanly(qtbot, make_controller, gate_xero_contacts, synced):
    controller = make_controller(synced)
    reports = []
    controller.run_finished.connect(reports.append)
    with qtbot.waitSignal(controller.run_started, timeout=WAIT_MS):
        controller.sync_now()
    qtbot.waitUntil(gate_xero_contacts.entered.is_set, timeout=WAIT_MS)
    controller.stop()
    assert controller.state == "finishing"
    assert controller.sync_now() is False  # nothing new starts while closing
    with qtbot.waitSignal(controller.stopped, timeout=WAIT_MS):
        gate_xero_contacts.release.set()
    assert [r["outcome"] for r in reports] == ["cancelled"]
    assert not controller._thread.isRunning()


def test_a_wake_from_sleep_runs_one_catch_up_sync(qtbot, make_controller, synced):
    controller = make_controller(synced)
    started = []
    controller.run_started.connect(started.append)
    with qtbot.waitSignal(controller.run_finished, timeout=WAIT_MS):
        synced.clock.advance(5 * 3600)  # the laptop slept for five hours
    assert started == [{"trigger": "wake"}]
    qtbot.waitUntil(lambda: controller.state == "idle", timeout=WAIT_MS)
    with qtbot.assertNotEmitted(controller.run_started, wait=200):
        pass  # one catch-up run, not one per missed interval


def test_an_auth_failure_asks_to_sign_in_again(qtbot, make_controller, synced):
    synced.connections.tokens("xero").forget()  # the saved sign-in is gone
    controller = make_controller(synced)
    with qtbot.waitSignal(controller.needs_sign_in, timeout=WAIT_MS) as needs, \
            qtbot.waitSignal(controller.run_finished, timeout=WAIT_MS) as finished:
        controller.sync_now()
    assert needs.args[0] == "xero"
    assert finished.args[0]["outcome"] == "failed" and "Xero" in finished.args[0]["message"]


def test_a_task_runs_on_the_worker_and_returns_plain_data(qtbot, make_controller, synced):
    import threading

    controller = make_controller(synced)
    main = threading.get_ident()
    with qtbot.waitSignal(controller.task_finished, timeout=WAIT_MS) as done:
        controller.submit("where", lambda service: {"same_thread": threading.get_ident() == main,
                                                     "profile": service.profile.name})
    assert done.args == ["where", {"same_thread": False, "profile": "default"}]


def test_an_unexpected_error_in_a_task_is_reported_calmly(qtbot, make_controller, synced):
    controller = make_controller(synced)

    def broken(service):
        raise KeyError("boom")

    with qtbot.waitSignal(controller.task_finished, timeout=WAIT_MS) as done:
        controller.submit("broken", broken)
    error = done.args[1]["error"]
    assert error["title"] == "Something went wrong" and "log folder" in error["message"]
    assert "KeyError" in error["technical"]
    with qtbot.waitSignal(controller.run_finished, timeout=WAIT_MS):
        controller.sync_now()  # the worker is still alive


def test_reconcile_now_reports_what_agrees(qtbot, make_controller, synced):
    controller = make_controller(synced)
    with qtbot.waitSignal(controller.reconcile_finished, timeout=WAIT_MS) as done:
        assert controller.reconcile_now()
    result = done.args[0]
    assert result["agree"]["contacts"] > 0 and isinstance(result["findings"], list)
    assert controller.last_reconcile == result


def test_the_daily_comparison_runs_by_itself_on_the_beat_settings_give(qtbot, make_controller, synced):
    from app.store.settings import set_setting

    controller = make_controller(synced)
    controller.set_interval(0)  # only the comparison may start by itself here
    with qtbot.waitSignal(controller.task_finished, timeout=WAIT_MS,
                          check_params_cb=lambda name, result: name == "save-settings"):
        controller.submit("save-settings", lambda service: set_setting(service.profile, "reconcile.interval_hours", 2))
    with qtbot.assertNotEmitted(controller.reconcile_finished, wait=200):
        synced.clock.advance(3600)
    with qtbot.waitSignal(controller.reconcile_finished, timeout=WAIT_MS) as done:
        synced.clock.advance(3601)
    assert done.args[0]["findings"] is not None and controller.last_reconcile["at"] == done.args[0]["at"]
