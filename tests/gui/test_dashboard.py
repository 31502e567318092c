"""The Dashboard against a known history: runs, history rows, links and failures written with the real store
models, read through the real read API (Views), and a small stand-in controller with the real one's signals so
each test decides exactly what the worker "says"."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QLabel, QPushButton, QScrollArea

from app.gui.pages.dashboard import DashboardPage, agreement_text, progress_text, schedule_text
from app.gui.pages.mismatch_report import MismatchModel, MismatchReportDialog, sync_record_task
from app.gui.widgets.connection_card import budget_text
from app.services.views import Views
from app.store.models import Conflict, Connection, FailedRecord, HistoryEntry, Link, MatchCandidate, Run
from app.store.settings import set_setting
from tests.world import make_world

pytestmark = pytest.mark.gui

NOW = datetime(2026, 12, 2, 10, 42, tzinfo=UTC)
# The offscreen platform says it cannot pass size hints on when a window is shown; the window shows all the same.
offscreen_show = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture(autouse=True)
def utc_zone(monkeypatch):
    """Local time is UTC in these tests unless a test says otherwise."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


class FakeController(QObject):
    """The controller's signals and documented methods; it records what the page asked for."""

    state_changed = Signal(str)
    run_started = Signal(dict)
    progress = Signal(dict)
    run_finished = Signal(dict)
    run_failed = Signal(dict)
    needs_sign_in = Signal(str)
    paused = Signal(float)
    schedule_changed = Signal(dict)
    reconcile_finished = Signal(dict)
    task_finished = Signal(str, object)

    def __init__(self, last_reconcile=None) -> None:
        super().__init__()
        self.state = "idle"
        self.next_run_at = None
        self.last_reconcile = last_reconcile
        self.calls: list[str] = []
        self.submitted: list[tuple[str, object]] = []

    def schedule(self):
        return {"interval_minutes": 0, "next_run_at": None, "paused_until": None}

    def sync_now(self):
        self.calls.append("sync_now")

    def cancel(self):
        self.calls.append("cancel")

    def reconcile_now(self):
        self.calls.append("reconcile_now")

    def submit(self, name, fn):
        self.submitted.append((name, fn))

    def set_state(self, state: str) -> None:
        self.state = state
        self.state_changed.emit(state)


@pytest.fixture
def world(data_dir):
    from app.emulators.clock import VirtualClock

    w = make_world(data_dir, clock=VirtualClock(NOW))
    yield w
    w.close()


@pytest.fixture
def profile(world):
    return world.ctx.profile


@pytest.fixture
def controller():
    return FakeController()


@pytest.fixture
def make_page(qtbot, world, controller):
    def build(ctl=None) -> DashboardPage:
        page = DashboardPage(Views.of(world.ctx), ctl or controller, clock=world.clock)
        qtbot.addWidget(page)
        page.resize(824, 620)  # the page's share of a 1024×680 window
        return page

    return build


def add_run(profile, started: datetime, outcome="ok", counts=None, trigger="manual", message="", minutes=2,
            history=(), dry_run=False) -> Run:
    run = Run.create(profile=profile, trigger=trigger, started_at=started, ended_at=started + timedelta(minutes=minutes),
                     outcome=outcome, counts=counts or {}, message=message, dry_run=dry_run)
    for i, (action, name) in enumerate(history):
        HistoryEntry.create(run=run, profile=profile, pair="contacts", action=action, record_name=name,
                            direction="xero->zoho", created_at=started + timedelta(seconds=i))
    return run


def link(profile, pair, n):
    for i in range(n):
        Link.create(profile=profile, pair=pair, xero_id=f"x-{pair}-{i}", zoho_id=f"z-{pair}-{i}", name=f"R{i}")


def texts(widget) -> str:
    return "\n".join(label.text() for label in widget.findChildren(QLabel) if label.isVisibleTo(widget))


def button(widget, text: str) -> QPushButton:
    found = [b for b in widget.findChildren(QPushButton) if b.text() == text and b.isVisibleTo(widget)]
    assert found, f"no visible button {text!r}"
    return found[0]


def connect_rows(profile, reconnect_days_left: int = 55):
    issued = NOW - timedelta(days=60 - reconnect_days_left)
    Connection.create(profile=profile, provider="xero", org_name="Bluegum Supply Co", user_name="Dana",
                      refresh_token_issued_at=issued)
    Connection.create(profile=profile, provider="zoho", org_name="Bluegum Supply Co", dc="au", user_name="Dana")


# ----- the figures ---------------------------------------------------------------------------------------------
def test_a_new_install_says_what_to_do(make_page):
    page = make_page()
    shown = texts(page)
    assert "No sync yet. Click Sync now" in shown
    assert "No successful sync yet" not in shown  # said once is enough
    assert "Automatic sync is off" in shown
    assert "Not compared yet" in shown
    assert not page.banner.isVisibleTo(page)
    assert page.chart.totals() == (0, 0) and len(page.chart.days()) == 30


def test_figures_against_a_known_history(make_page, profile):
    connect_rows(profile)
    link(profile, "contacts", 412)
    link(profile, "items", 1)
    add_run(profile, NOW - timedelta(days=3), counts={"created": 5}, history=[("create", f"C{i}") for i in range(5)])
    add_run(profile, NOW - timedelta(days=1, hours=2), counts={"updated": 2, "failed": 1}, outcome="partial",
            trigger="schedule", history=[("update", "Acme"), ("update", "Bolt"), ("fail", "Crane")])
    add_run(profile, NOW - timedelta(days=40), counts={"created": 7}, history=[("create", "Old")] * 7)
    add_run(profile, NOW - timedelta(hours=1), dry_run=True, counts={"create": 9})  # a preview is no sync
    add_run(profile, NOW - timedelta(minutes=30), counts={"updated": 128, "created": 1},
            history=[("update", f"U{i}") for i in range(128)] + [("create", "New one")])
    page = make_page()
    shown = texts(page)
    assert "Last sync Today 10:12 — 1 created, 128 updated" in shown
    assert "Last successful sync" not in shown  # the last sync was the successful one
    # the pairs, in engine order, with their links
    assert "Items ⇄ Products" in shown and "1 linked" in shown
    assert "Contacts ⇄ Accounts" in shown and "412 linked" in shown
    # the chart: 30 local days, today's and the earlier runs inside, the 40-day-old run not
    assert page.chart.totals() == (129 + 2 + 5, 1)
    assert page.chart.days()[-1].day == NOW.date() and page.chart.days()[-1].synced == 129
    button(page, "7 days").click()
    assert len(page.chart.days()) == 7 and page.chart.totals() == (136, 1)
    button(page, "90 days").click()
    assert len(page.chart.days()) == 90 and page.chart.totals() == (143, 1)
    # the recent runs: newest first, no dry run, their words
    assert "Yesterday 08:42" in shown and "Scheduled" in shown
    assert "Finished with problems: 2 updated, 1 failed" in shown
    assert len([b for b in page.findChildren(QPushButton) if b.text() == "Show in History"]) == 4


def test_last_successful_sync_shows_when_the_last_one_failed(make_page, profile):
    add_run(profile, NOW - timedelta(hours=3), counts={"updated": 1})
    add_run(profile, NOW - timedelta(minutes=5), outcome="failed",
            message="Xero asked us to sign in again. Reconnect Xero on the Connections page.")
    shown = texts(make_page())
    assert "Last sync Today 10:37 — Xero asked us to sign in again." in shown
    assert "Last successful sync Today 07:44" in shown  # when it ended, in local time


def test_no_successful_sync_yet_is_said_after_a_failed_first_sync(make_page, profile):
    add_run(profile, NOW - timedelta(minutes=5), outcome="failed", message="Zoho CRM is not answering.")
    assert "No successful sync yet" in texts(make_page())


def test_times_are_local(monkeypatch, make_page, profile):
    monkeypatch.setenv("TZ", "Australia/Sydney")
    time.tzset()
    add_run(profile, NOW - timedelta(minutes=30), counts={"linked": 1})
    assert "Last sync Today 21:12 — 1 linked" in texts(make_page())  # 10:12 UTC is 21:12 in Sydney (AEDT)


def test_show_in_history_remembers_the_run(make_page, profile, qtbot):
    add_run(profile, NOW - timedelta(days=2))
    wanted = add_run(profile, NOW - timedelta(minutes=30))
    page = make_page()
    opened: list[tuple[str, object]] = []
    page.show_run.connect(lambda run_id: opened.append(("run", run_id)))
    page.open_page.connect(lambda key: opened.append(("page", key)))
    links = [b for b in page.findChildren(QPushButton) if b.text() == "Show in History"]
    qtbot.mouseClick(links[0], Qt.MouseButton.LeftButton)
    assert opened == [("run", wanted.id), ("page", "history")]


def test_connection_cards_in_words(make_page, profile):
    connect_rows(profile)
    set_setting(profile, "xero.last_budget", {"minute_remaining": 58, "day_remaining": 4788, "day_limit": 5000})
    set_setting(profile, "zoho.last_budget", {"credits_remaining": 49060, "credits_limit": 50000})
    shown = texts(make_page())
    assert "Bluegum Supply Co" in shown and "Data centre: Australia · Signed in as Dana" in shown
    assert shown.count("Connection renews automatically") == 2
    assert "API calls: 4,788 of 5,000 left today · 58 this minute" in shown
    assert "API credits: 49,060 of 50,000 left today" in shown


@pytest.mark.parametrize("provider, budget, text", [
    ("xero", {"minute_remaining": 59, "day_remaining": 4999, "credits_remaining": None, "calls": 1},
     "API calls: 4,999 left today · 59 this minute"),
    ("xero", {"minute_remaining": None, "day_remaining": None, "calls": 0}, "API use shows here after the first sync"),
    ("zoho", {"credits_remaining": None, "calls": 40}, "API credits: more than half left today"),
    ("zoho", {"credits_remaining": 1, "calls": 40}, "API credits: 1 left today"),
    ("zoho", {}, "API use shows here after the first sync"),
])
def test_budget_words_with_what_the_services_report(provider, budget, text):
    assert budget_text(provider, budget) == text


def test_xero_reconnect_date_shows_as_it_nears(make_page, profile):
    connect_rows(profile, reconnect_days_left=10)
    shown = texts(make_page())
    assert "Reconnect Xero by 12 Dec" in shown
    assert "API use shows here after the first sync" in shown


# ----- the one banner ------------------------------------------------------------------------------------------
def _failed(profile, n, status="open"):
    for i in range(n):
        FailedRecord.create(profile=profile, pair="contacts", direction="xero->zoho", source_id=f"f{i}{status}",
                            record_name=f"Failing {i}", status=status)


def _banner_target(page, qtbot) -> str:
    with qtbot.waitSignal(page.open_page, timeout=5000) as signal:
        qtbot.mouseClick(page.banner.button, Qt.MouseButton.LeftButton)
    return signal.args[0]


def test_no_banner_when_nothing_needs_the_user(make_page, profile):
    _failed(profile, 2, status="ignored")  # ignored ones need nobody
    _failed(profile, 1, status="resolved")
    page = make_page()
    assert not page.banner.isVisibleTo(page)


def test_failed_records_banner_opens_failed_records(make_page, profile, qtbot):
    _failed(profile, 1)
    page = make_page()
    assert page.banner.isVisibleTo(page)
    assert page.banner.text.text() == "1 record could not be synced."
    assert page.banner.tone == "failed"
    assert _banner_target(page, qtbot) == "failed"


def test_conflicts_and_matches_banner_opens_their_page(make_page, profile, qtbot):
    Link.create(profile=profile, pair="contacts", xero_id="x1", zoho_id="z1", name="Acme")
    Conflict.create(profile=profile, pair="contacts", link=Link.get(), record_name="Acme", fields={})
    MatchCandidate.create(profile=profile, pair="contacts", xero_id="x2", zoho_id="z2")
    MatchCandidate.create(profile=profile, pair="contacts", xero_id="x3", zoho_id="z3")
    page = make_page()
    assert page.banner.text.text() == "1 conflict to settle; 2 possible matches to confirm."
    assert page.banner.tone == "attention"  # amber, not red: nothing failed
    assert _banner_target(page, qtbot) == "conflicts"


def test_reconnect_banner_comes_first_and_opens_connections(make_page, profile, qtbot):
    connect_rows(profile)
    _failed(profile, 3)
    set_setting(profile, "xero.needs_sign_in", True)
    page = make_page()
    assert page.banner.text.text() == "Reconnect Xero to keep syncing."
    assert page.banner.button.text() == "Reconnect…"
    assert "Sign in to Xero again to keep syncing" in texts(page)
    assert _banner_target(page, qtbot) == "connections"


def test_sign_in_needed_during_a_run_shows_at_once_and_clears_after_a_good_run(make_page, profile, controller):
    connect_rows(profile)
    page = make_page()
    controller.needs_sign_in.emit("zoho")
    assert page.banner.text.text() == "Reconnect Zoho CRM to keep syncing."
    assert "Sign in to Zoho CRM again to keep syncing" in texts(page)
    controller.run_finished.emit({"outcome": "ok"})
    assert not page.banner.isVisibleTo(page)
    assert texts(page).count("Connection renews automatically") == 2


@offscreen_show
def test_banner_on_a_visible_page_follows_a_palette_change(make_page, profile, controller, qtbot):
    from PySide6.QtGui import QColor, QPalette

    def tint() -> QColor:
        image = page.banner.grab().toImage()
        return QColor(image.pixel(image.width() // 2, 3))

    page = make_page()
    page.show()
    qtbot.waitExposed(page)
    _failed(profile, 1)
    controller.run_finished.emit({"outcome": "partial"})  # the banner appears while the page is on screen
    assert page.banner.isVisible()
    light = tint()
    dark = QPalette(page.palette())
    dark.setColor(QPalette.ColorRole.Window, QColor("#202020"))
    dark.setColor(QPalette.ColorRole.Base, QColor("#1b1b1b"))
    page.setPalette(dark)
    assert light.lightness() > 200 and tint().lightness() < 80
    assert tint().red() > tint().green()  # still a red tint: records failed


def test_banner_clears_when_fixed(make_page, profile, controller):
    _failed(profile, 1)
    page = make_page()
    assert page.banner.isVisibleTo(page)
    FailedRecord.update(status="resolved").execute()
    controller.run_finished.emit({"outcome": "ok"})
    assert not page.banner.isVisibleTo(page)


# ----- a run in progress, from the controller's signals ----------------------------------------------------------
def test_progress_area_follows_the_run(make_page, profile, controller, qtbot):
    page = make_page()
    qtbot.mouseClick(page.sync_button, Qt.MouseButton.LeftButton)
    assert controller.calls == ["sync_now"]
    controller.set_state("syncing")
    controller.run_started.emit({"trigger": "manual"})
    assert page.running and not page.sync_button.isVisibleTo(page) and page.progress_label.text() == "Getting ready…"
    assert page.progress_bar.maximum() == 0  # indeterminate until a total is known
    controller.progress.emit({"pair": "invoices", "phase": "reading", "message": "Reading Xero invoices…",
                              "done": 3200, "total": 20000})
    assert page.progress_label.text() == "Reading Xero invoices… 3,200 of 20,000"
    assert (page.progress_bar.maximum(), page.progress_bar.value()) == (20000, 3200)
    controller.progress.emit({"pair": "contacts", "phase": "reading", "message": "Reading Zoho CRM Accounts…",
                              "done": 0, "total": 0})
    assert page.progress_label.text() == "Reading Zoho CRM Accounts…" and page.progress_bar.maximum() == 0
    qtbot.mouseClick(page.cancel_button, Qt.MouseButton.LeftButton)
    assert controller.calls[-1] == "cancel"
    controller.set_state("cancelling")
    assert page.progress_label.text() == "Cancelling…" and not page.cancel_button.isEnabled()
    add_run(profile, NOW - timedelta(minutes=1), outcome="cancelled",
            message="Sync cancelled. Nothing is lost: the next sync carries on where this one stopped.")
    controller.run_finished.emit({"outcome": "cancelled"})
    controller.set_state("idle")
    assert not page.running and page.sync_button.isVisibleTo(page)
    assert "Last sync Today 10:41 — Sync cancelled. Nothing is lost" in texts(page)


def test_one_off_work_on_the_worker_updates_the_figures(make_page, profile, controller):
    _failed(profile, 1)
    page = make_page()
    assert page.banner.isVisibleTo(page)
    FailedRecord.update(status="resolved").execute()
    add_run(profile, NOW - timedelta(minutes=1), trigger="retry", counts={"updated": 1})
    controller.task_finished.emit("retry", [{"outcome": "ok"}])
    assert not page.banner.isVisibleTo(page)
    assert "Last sync Today 10:41 — 1 updated" in texts(page) and "Retry" in texts(page)


def test_failed_run_says_why_and_clears_on_the_next(make_page, controller):
    page = make_page()
    controller.set_state("syncing")
    controller.run_failed.emit({"title": "Xero is not answering.", "message": "Check the internet connection.",
                                "technical": "ConnectError", "provider": "xero"})
    controller.set_state("idle")
    assert page.error_label.isVisibleTo(page)
    assert page.error_label.text() == "Xero is not answering. Check the internet connection."
    assert "ConnectError" not in texts(page)
    controller.run_started.emit({"trigger": "manual"})
    assert not page.error_label.isVisibleTo(page)


def test_comparison_in_progress_cannot_be_cancelled(make_page, controller):
    page = make_page()
    controller.set_state("syncing")
    controller.progress.emit({"pair": "", "phase": "comparing", "message": "Comparing Xero and Zoho CRM…",
                              "done": 0, "total": 0})
    assert page.progress_label.text() == "Comparing Xero and Zoho CRM…"
    assert not page.cancel_button.isEnabled()


# ----- the schedule ----------------------------------------------------------------------------------------------
def test_next_scheduled_sync(make_page, controller):
    page = make_page()
    next_at = (NOW + timedelta(minutes=15)).timestamp()
    controller.schedule_changed.emit({"interval_minutes": 15, "next_run_at": next_at, "paused_until": None})
    assert page.schedule_label.text() == "Next sync 10:57 (every 15 min)"
    controller.schedule_changed.emit({"interval_minutes": 0, "next_run_at": None, "paused_until": None})
    assert page.schedule_label.text() == "Automatic sync is off"
    controller.schedule_changed.emit({"interval_minutes": 15, "next_run_at": next_at,
                                      "paused_until": (NOW + timedelta(hours=1)).timestamp()})
    assert page.schedule_label.text() == "Syncing paused until 11:42"


@pytest.mark.parametrize("schedule, text", [
    ({"interval_minutes": 60, "next_run_at": (NOW + timedelta(hours=14)).timestamp()}, "Next sync tomorrow 00:42 (every hour)"),
    ({"interval_minutes": 1, "next_run_at": (NOW + timedelta(minutes=1)).timestamp()}, "Next sync 10:43 (every 1 min)"),
    ({"interval_minutes": 15, "next_run_at": None}, "Automatic sync is off"),
    ({"interval_minutes": 15, "next_run_at": None, "waiting_for_first_sync": True},
     "Automatic sync starts after your first sync (every 15 min)"),
])
def test_schedule_words(schedule, text):
    assert schedule_text(schedule, NOW) == text


@pytest.mark.parametrize("event, text", [
    ({"message": "Reading Xero contacts…", "done": 1, "total": 1}, "Reading Xero contacts… 1 of 1"),
    ({"message": "Writing 50 to Zoho CRM…", "done": 100, "total": 0}, "Writing 50 to Zoho CRM… 100 so far"),
    ({"message": "", "done": 0, "total": 0}, "Syncing…"),
])
def test_progress_words(event, text):
    assert progress_text(event) == text


# ----- the scheduled comparison and its report ------------------------------------------------------------------
FINDINGS = [
    {"pair": "contacts", "kind": "mismatch", "record": "Acme Pty Ltd", "xero_id": "x1", "zoho_id": "z1",
     "field": "EmailAddress ⇄ Email", "xero_value": "a@acme.test", "zoho_value": "accounts@acme.test", "detail": ""},
    {"pair": "contacts", "kind": "mismatch", "record": "Acme Pty Ltd", "xero_id": "x1", "zoho_id": "z1",
     "field": "Website ⇄ Website", "xero_value": None, "zoho_value": "acme.test", "detail": ""},
    {"pair": "invoices", "kind": "only_in_xero", "record": "INV-0042", "xero_id": "x9", "zoho_id": "",
     "field": "", "xero_value": None, "zoho_value": None, "detail": ""},
    {"pair": "contacts", "kind": "possible_match", "record": "Bolt & Co", "xero_id": "x5", "zoho_id": "z5",
     "field": "", "xero_value": None, "zoho_value": None, "detail": "same email"},
]


def test_agreement_words():
    assert agreement_text({"contacts": 412, "items": 0, "invoices": 1204}) == \
        "All 412 customers and 1,204 invoices agree"
    assert agreement_text({"contacts": 1}) == "The one customer agrees"
    assert agreement_text({"contacts": 2, "items": 58, "invoices": 1}) == "All 2 customers, 58 items and 1 invoice agree"


def test_comparison_that_agrees(make_page, controller, qtbot):
    page = make_page()
    qtbot.mouseClick(page.check_button, Qt.MouseButton.LeftButton)
    assert controller.calls == ["reconcile_now"] and not page.check_button.isEnabled()
    controller.reconcile_finished.emit({"at": (NOW - timedelta(hours=7)).timestamp(), "findings": [],
                                        "agree": {"contacts": 412, "items": 0, "invoices": 1204}})
    assert page.reconcile_label.text() == "Compared Today 03:42: All 412 customers and 1,204 invoices agree."
    assert page.check_button.isEnabled() and not page.differences_button.isVisibleTo(page)


def test_comparison_that_could_not_finish(make_page, controller):
    page = make_page()
    controller.reconcile_finished.emit({"at": NOW.timestamp(), "error": {"title": "Zoho CRM is not answering",
                                                                         "message": "Try again later."}})
    assert page.reconcile_label.text() == "The comparison Today 10:42 could not finish. Try again later."
    assert not page.differences_button.isVisibleTo(page)


def test_check_now_while_busy_goes_back_to_the_last_result(make_page, controller, qtbot):
    controller.reconcile_now = lambda: False  # the real controller says no (with a notice) while a job runs
    page = make_page()
    qtbot.mouseClick(page.check_button, Qt.MouseButton.LeftButton)
    assert page.check_button.isEnabled() and page.check_button.text() == "Check now"
    assert page.reconcile_label.text().startswith("Not compared yet.")


@offscreen_show
def test_differences_open_the_report(make_page, qtbot, tmp_path):
    controller = FakeController(last_reconcile={"at": NOW.timestamp(), "findings": FINDINGS, "agree": {}})
    page = make_page(controller)
    assert page.reconcile_label.text() == "Compared Today 10:42: 4 differences found."
    qtbot.mouseClick(page.differences_button, Qt.MouseButton.LeftButton)
    dialog = page.report_dialog
    assert isinstance(dialog, MismatchReportDialog) and dialog.isVisible()
    model = dialog.model
    assert model.rowCount() == 4
    assert [model.cell_text(0, c) for c in range(5)] == [
        "Acme Pty Ltd", "Contacts ⇄ Accounts", "Email differs", "a@acme.test", "accounts@acme.test"]
    assert model.cell_text(1, 2) == "Website differs"
    assert model.cell_text(2, 2) == "This invoice is in Xero but not in Zoho CRM"
    assert model.cell_text(3, 2) == "Looks like the same customer (same email)"
    # a row's button syncs that record on the worker; both rows of that record follow
    qtbot.mouseClick(dialog.buttons[0], Qt.MouseButton.LeftButton)
    (name, fn), = controller.submitted
    assert model.status(0) == model.status(1) == "Syncing…" and not dialog.buttons[1].isEnabled()
    controller.task_finished.emit(name, {"outcome": "ok", "message": "1 updated.", "counts": {"updated": 1}})
    assert model.status(0) == "Synced" and dialog.buttons[0].text() == "Synced"
    # a failed one can be tried again
    qtbot.mouseClick(dialog.buttons[2], Qt.MouseButton.LeftButton)
    name, _ = controller.submitted[-1]
    controller.task_finished.emit(name, {"error": {"title": "Xero rejected it", "message": "The contact is archived."}})
    assert model.status(2) == "Not synced: The contact is archived." and dialog.buttons[2].isEnabled()
    # a look-alike is for a person to confirm, not to sync
    with qtbot.waitSignal(page.open_page, timeout=5000) as opened:
        qtbot.mouseClick(dialog.buttons[3], Qt.MouseButton.LeftButton)
    assert opened.args == ["conflicts"]
    # export
    out = tmp_path / "differences.csv"
    dialog.export_csv(out)
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "Record,Records,What differs,In Xero,In Zoho CRM,Result"
    assert lines[1] == "Acme Pty Ltd,Contacts ⇄ Accounts,Email differs,a@acme.test,accounts@acme.test,Synced"
    assert lines[3] == "INV-0042,Invoices ⇄ Invoices,This invoice is in Xero but not in Zoho CRM,,," \
                       "Not synced: The contact is archived."
    assert len(lines) == 5


def test_sync_this_record_runs_a_targeted_sync():
    calls = []

    class Report:
        def as_dict(self):
            return {"outcome": "ok"}

    class Engine:
        def sync_records(self, pair, xero_ids, zoho_ids, *, trigger):
            calls.append((pair, xero_ids, zoho_ids, trigger))
            return Report()

    class Service:
        def engine(self):
            return Engine()

    assert sync_record_task(FINDINGS[0])(Service()) == {"outcome": "ok"}
    sync_record_task(FINDINGS[2])(Service())
    assert calls == [("contacts", ["x1"], ["z1"], "reconcile"), ("invoices", ["x9"], [], "reconcile")]


@pytest.mark.parametrize("result, words", [
    ({"outcome": "ok", "counts": {"created": 1}}, "Synced"),
    ({"outcome": "ok", "counts": {"unchanged": 1}}, "Nothing changed: edit the record in Xero or Zoho CRM, then sync again"),
    ({"outcome": "partial", "counts": {"failed": 1}}, "Not synced: see Failed records"),
    ({"outcome": "failed", "message": "Zoho CRM is not answering.", "counts": {}}, "Not synced: Zoho CRM is not answering."),
    ({"error": {"title": "Closing", "message": "Ledgerbridge is closing."}}, "Not synced: Ledgerbridge is closing."),
])
def test_a_record_sync_says_what_it_did(result, words):
    from app.gui.pages.mismatch_report import task_outcome

    assert task_outcome(result) == words


def test_mismatch_model_passes_the_model_tester(qtmodeltester):
    model = MismatchModel(FINDINGS)
    qtmodeltester.check(model, force_py=True)
    empty = MismatchModel([])
    qtmodeltester.check(empty, force_py=True)


# ----- fit and finish -----------------------------------------------------------------------------------------
@offscreen_show
def test_fits_a_small_window_without_sideways_scrolling(make_page, profile, qtbot):
    connect_rows(profile)
    link(profile, "contacts", 3)
    for i in range(5):
        add_run(profile, NOW - timedelta(hours=i + 1), outcome="partial", counts={"updated": 1204, "failed": 2},
                message="2 records need attention: see Failed records.")
    _failed(profile, 2)
    page = make_page()
    page.show()
    qtbot.waitExposed(page)
    scroll = page.findChild(QScrollArea)
    assert scroll.widget().minimumSizeHint().width() <= scroll.viewport().width()
    assert page.sync_button.isVisible() and page.sync_button.width() >= 200


# ----- with the real controller, worker thread and engine -------------------------------------------------------
def test_sync_now_through_the_real_worker_fills_the_dashboard(world, qtbot):
    from app.gui.controller import SyncController
    from app.services.views import SYNCED_ACTIONS
    from app.services.words import counts_sentence

    world.connect_both()
    controller = SyncController(world.ctx, make_service=world.sync_service, tick_ms=3_600_000)
    try:
        page = DashboardPage(Views.of(world.ctx), controller, clock=world.clock)
        qtbot.addWidget(page)
        assert "No sync yet" in texts(page)
        with qtbot.waitSignal(controller.run_finished, timeout=60_000) as finished:
            qtbot.mouseClick(page.sync_button, Qt.MouseButton.LeftButton)
            assert page.running  # the button gives way to the progress area at once
        qtbot.waitUntil(lambda: not page.running, timeout=60_000)
        report = finished.args[0]
        assert report["outcome"] == "ok"
        shown = texts(page)
        assert f"— {counts_sentence(report['counts'])}" in shown
        for pair in Views.of(world.ctx).pair_counts():
            linked = Link.select().where(Link.pair == pair.pair, Link.xero_id.is_null(False),
                                         Link.zoho_id.is_null(False), Link.state == "active").count()
            assert pair.linked == linked and f"{linked:,} linked" in shown
        synced = HistoryEntry.select().where(HistoryEntry.action.in_(SYNCED_ACTIONS)).count()
        assert synced > 0 and page.chart.totals() == (synced, 0)
        assert len([b for b in page.findChildren(QPushButton) if b.text() == "Show in History"]) == 1
    finally:
        with qtbot.waitSignal(controller.stopped, timeout=60_000):
            controller.stop()


@offscreen_show
def test_a_difference_found_by_the_real_comparison_is_synced_from_its_row(world, qtbot):
    from app.gui.controller import SyncController

    world.connect_both()
    assert world.sync_service().sync().outcome == "ok"
    world.clock.advance(60)
    contact = world.xero_contact("Redgum Dental Group")
    account = world.zoho_one("Accounts", Xero_Contact_ID=contact.ContactID)
    world.zoho.ui_edit("Accounts", account["id"], {"Phone": "02 9555 7777"})  # not yet synced
    controller = SyncController(world.ctx, make_service=world.sync_service, tick_ms=3_600_000)
    try:
        page = DashboardPage(Views.of(world.ctx), controller, clock=world.clock)
        qtbot.addWidget(page)
        with qtbot.waitSignal(controller.reconcile_finished, timeout=60_000):
            qtbot.mouseClick(page.check_button, Qt.MouseButton.LeftButton)
        assert page.check_button.isEnabled() and " found." in page.reconcile_label.text()
        dialog = page.show_differences()
        model = dialog.model
        rows = [r for r in range(model.rowCount()) if model.finding(r)["record"] == "Redgum Dental Group"]
        assert [model.cell_text(r, 2) for r in rows] == ["Phone differs"]
        with qtbot.waitSignal(controller.task_finished, timeout=60_000):
            qtbot.mouseClick(dialog.buttons[rows[0]], Qt.MouseButton.LeftButton)
        assert model.status(rows[0]) == "Synced"
        assert world.xero_contact("Redgum Dental Group").Phones["DEFAULT"]["PhoneNumber"] == "9555 7777"
    finally:
        with qtbot.waitSignal(controller.stopped, timeout=60_000):
            controller.stop()
