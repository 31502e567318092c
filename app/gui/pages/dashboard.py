"""The Dashboard: is everything in sync, what needs me, and a button to sync now.

Figures come from the read API (``Views``, safe on the GUI thread); the live run is shown from the controller's
signals. The page never writes: Sync now, Cancel and "Check now" ask the controller, which works on its thread.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.clock import Clock, SystemClock
from app.gui.pages.mismatch_report import MismatchReportDialog, record_noun
from app.gui.widgets.banner import Banner
from app.gui.widgets.connection_card import ConnectionCard
from app.gui.widgets.day_chart import DayChart, failed_colour
from app.gui.widgets.labels import clear_layout, heading, link_button, muted
from app.services.words import counts_sentence, local_time, outcome_label, plural, trigger_label

CHART_PERIODS = (7, 30, 90)
BANNER_BUTTONS = {"failed": "Show failed records", "conflicts": "Review", "connections": "Reconnect…"}


# ----- words ---------------------------------------------------------------------------------------------------
def run_summary(run: Any) -> str:
    """A run in a few words: what changed when it finished, otherwise what stopped it."""
    changed = counts_sentence(run.counts or {})
    if run.outcome == "running":
        return "In progress"
    if run.outcome == "ok":
        return changed or "Everything was up to date"
    if run.outcome == "partial" and changed and run.counts.get("failed"):
        return changed
    return run.message or outcome_label(run.outcome)


def clock_time(moment: datetime, now: datetime) -> str:
    """'10:57' today, 'tomorrow 09:00', otherwise as ``local_time`` says it ('3 Dec 10:42')."""
    local, today = moment.astimezone(), now.astimezone().date()
    if local.date() == today:
        return f"{local:%H:%M}"
    if local.date() == today + timedelta(days=1):
        return f"tomorrow {local:%H:%M}"
    return local_time(moment, now)


def interval_text(minutes: int) -> str:
    return "every hour" if minutes == 60 else f"every {minutes} min"


def schedule_text(schedule: dict[str, Any], now: datetime) -> str:
    paused_until = schedule.get("paused_until")
    if paused_until and paused_until > now.timestamp():
        return f"Syncing paused until {clock_time(datetime.fromtimestamp(paused_until, UTC), now)}"
    interval = schedule.get("interval_minutes")
    next_run = schedule.get("next_run_at")
    if interval and schedule.get("waiting_for_first_sync"):
        return f"Automatic sync starts after your first sync ({interval_text(interval)})"
    if interval == 0 or not next_run:
        return "Automatic sync is off"
    text = f"Next sync {clock_time(datetime.fromtimestamp(next_run, UTC), now)}"
    return text + (f" ({interval_text(interval)})" if interval else "")


def progress_text(event: dict[str, Any]) -> str:
    """'Reading Xero invoices… 3,200 of 20,000' (only the words when the total is unknown)."""
    message = event.get("message") or "Syncing…"
    done, total = int(event.get("done") or 0), int(event.get("total") or 0)
    if total:
        return f"{message} {done:,} of {total:,}"
    return f"{message} {done:,} so far" if done else message


def agreement_text(agree: dict[str, int]) -> str:
    """'All 412 customers and 1,204 invoices agree'."""
    counted = [(pair, n) for pair, n in agree.items() if n]
    if not counted:
        return "Both systems agree"
    if len(counted) == 1 and counted[0][1] == 1:
        return f"The one {record_noun(counted[0][0])} agrees"
    parts = [plural(n, record_noun(pair)) for pair, n in counted]
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return f"All {listed} agree"


# ----- the page ------------------------------------------------------------------------------------------------
class DashboardPage(QWidget):
    open_page = Signal(str)
    show_run = Signal(int)  # the run the History page should show when it opens next

    def __init__(self, views: Any, controller: Any, clock: Clock | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.views = views
        self.controller = controller
        self.clock = clock or SystemClock()
        self.days = 30
        self.schedule: dict[str, Any] = dict(controller.schedule())
        self.phase = ""  # of the job in progress: "comparing" cannot be cancelled
        self.reconcile_report: dict[str, Any] | None = controller.last_reconcile
        self.report_dialog: MismatchReportDialog | None = None
        self.run_error = ""
        self.comparing = False
        self.banner_page = "dashboard"
        self.signed_out: set[str] = set()  # told by the worker this session, before the store knows
        self._build()
        controller.state_changed.connect(self._state_changed)
        controller.run_started.connect(self._run_started)
        controller.progress.connect(self._progress)
        controller.run_finished.connect(self._run_finished)
        controller.run_failed.connect(self._run_failed)
        controller.needs_sign_in.connect(self._needs_sign_in)
        controller.schedule_changed.connect(self._schedule_changed)
        controller.reconcile_finished.connect(self._reconcile_finished)
        controller.task_finished.connect(self._task_finished)
        self._state_changed(controller.state)
        self.refresh()

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.clock.time(), UTC)

    # ----- layout --------------------------------------------------------------------------------------------
    def _build(self) -> None:
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        body = QWidget()
        scroll.setWidget(body)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        page = QVBoxLayout(body)
        page.setContentsMargins(24, 18, 24, 18)
        page.setSpacing(12)

        self.banner = Banner(body)
        self.banner.action.connect(self._banner_clicked)
        page.addWidget(self.banner)
        page.addLayout(self._build_sync_area())
        page.addSpacing(6)
        page.addWidget(heading("Connections"))
        cards = QHBoxLayout()
        cards.setSpacing(12)
        self.cards: dict[str, ConnectionCard] = {}
        for provider in ("xero", "zoho"):
            card = ConnectionCard(body)
            card.open_page.connect(self.open_page)
            cards.addWidget(card, 1)
            self.cards[provider] = card
        page.addLayout(cards)
        page.addSpacing(6)
        page.addWidget(heading("Linked records"))
        self.pairs_grid = QGridLayout()
        self.pairs_grid.setHorizontalSpacing(18)
        self.pairs_grid.setVerticalSpacing(4)
        page.addLayout(self.pairs_grid)
        page.addSpacing(6)
        page.addLayout(self._build_chart_header())
        self.chart = DayChart(body)
        page.addWidget(self.chart)
        page.addSpacing(6)
        page.addWidget(heading("Recent syncs"))
        self.runs_grid = QGridLayout()
        self.runs_grid.setHorizontalSpacing(14)
        self.runs_grid.setVerticalSpacing(2)
        self.runs_grid.setColumnStretch(2, 1)
        page.addLayout(self.runs_grid)
        page.addSpacing(6)
        page.addWidget(heading("Full comparison"))
        page.addLayout(self._build_reconcile_area())
        page.addStretch(1)

    def _build_sync_area(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setSpacing(20)
        self.sync_button = QPushButton("Sync now")
        font = QFont(self.sync_button.font())
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.sync_button.setFont(font)
        self.sync_button.setMinimumSize(200, 52)
        self.sync_button.setDefault(True)
        self.sync_button.setToolTip("Sync Xero and Zoho CRM now")
        self.sync_button.clicked.connect(self.controller.sync_now)
        row.addWidget(self.sync_button, 0, Qt.AlignmentFlag.AlignTop)
        # during a run the button gives its place to the progress area
        self.progress_area = QWidget()
        busy_layout = QVBoxLayout(self.progress_area)
        busy_layout.setContentsMargins(0, 0, 0, 0)
        self.progress_label = QLabel("Getting ready…")
        self.progress_label.setWordWrap(True)
        self.progress_bar = QProgressBar()
        self.progress_bar.setTextVisible(False)
        self.progress_bar.setRange(0, 0)
        self.progress_bar.setAccessibleName("Sync progress")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.controller.cancel)
        bar_row = QHBoxLayout()
        bar_row.addWidget(self.progress_bar, 1)
        bar_row.addWidget(self.cancel_button)
        busy_layout.addWidget(self.progress_label)
        busy_layout.addLayout(bar_row)
        self.progress_area.setMinimumWidth(300)
        self.progress_area.setMinimumHeight(self.sync_button.minimumHeight())  # the page does not jump
        self.progress_area.hide()
        row.addWidget(self.progress_area, 3, Qt.AlignmentFlag.AlignTop)

        status = QVBoxLayout()
        status.setSpacing(3)
        self.last_sync_label = QLabel()
        self.last_sync_label.setWordWrap(True)
        self.last_success_label = muted()
        self.schedule_label = muted()
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        for label in (self.last_sync_label, self.last_success_label, self.schedule_label, self.error_label):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            status.addWidget(label)
        status.addStretch(1)
        row.addLayout(status, 2)
        return row

    @property
    def running(self) -> bool:
        return not self.progress_area.isHidden()

    def _set_running(self, running: bool) -> None:
        focus = self.sync_button.hasFocus() or self.cancel_button.hasFocus()
        self.progress_area.setVisible(running)
        self.sync_button.setVisible(not running)
        if focus:  # keyboard users keep their place: Sync now ⇄ Cancel
            (self.cancel_button if running else self.sync_button).setFocus()

    def _build_chart_header(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addWidget(heading("Records synced per day"))
        row.addStretch(1)
        self.period_group = QButtonGroup(self)
        self.period_group.setExclusive(True)
        self.period_buttons: dict[int, QPushButton] = {}
        for days in CHART_PERIODS:
            button = QPushButton(f"{days} days")
            button.setCheckable(True)
            button.setChecked(days == self.days)
            button.setAccessibleName(f"Show the last {days} days")
            self.period_group.addButton(button, days)
            self.period_buttons[days] = button
            row.addWidget(button)
        self.period_group.idClicked.connect(self.set_days)
        return row

    def _build_reconcile_area(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.reconcile_label = QLabel()
        self.reconcile_label.setWordWrap(True)
        row.addWidget(self.reconcile_label, 1)
        self.differences_button = QPushButton("Show differences…")
        self.differences_button.clicked.connect(self.show_differences)
        self.check_button = QPushButton("Check now")
        self.check_button.setToolTip("Compare every linked record in Xero and Zoho CRM now")
        self.check_button.clicked.connect(self._check_now)
        row.addWidget(self.differences_button)
        row.addWidget(self.check_button)
        return row

    # ----- figures from the read API -------------------------------------------------------------------------
    @Slot()
    def refresh(self) -> None:
        now = self.now()
        attention = self.views.attention()
        if self.signed_out - set(attention.reconnect):
            attention = replace(attention, reconnect=tuple(sorted(self.signed_out | set(attention.reconnect))))
        self._show_banner(attention)
        self._show_runs(now)
        for conn in self.views.connections():
            if conn.provider in self.signed_out:
                conn = replace(conn, connected=False, needs_sign_in=True)
            if conn.provider in self.cards:
                self.cards[conn.provider].show_health(conn, now)
        self._show_pairs()
        self.chart.set_days(self.views.daily_totals(self.days))
        self._show_schedule()
        self._show_reconcile()

    def _show_banner(self, attention: Any) -> None:
        if not attention.total:
            self.banner.clear()
            return
        tone = "failed" if attention.failed else "attention"
        button = BANNER_BUTTONS.get(attention.page, "Review")
        if attention.page == "connections" and not attention.reconnect:  # another organisation: a choice to make
            button = "Open Connections"
        self.banner.show_message(attention.headline, button, tone)
        self.banner_page = attention.page

    def _banner_clicked(self) -> None:
        self.open_page.emit(self.banner_page)

    def _show_runs(self, now: datetime) -> None:
        runs = self.views.runs(5)
        last = runs[0] if runs else None
        if last is None:
            self.last_sync_label.setText("No sync yet. Click Sync now to bring Xero and Zoho CRM together.")
        else:
            self.last_sync_label.setText(f"Last sync {local_time(last.started_at, now)} — {run_summary(last)}")
        success = self.views.last_successful()
        if success is None:
            self.last_success_label.setText("No successful sync yet")
        else:
            self.last_success_label.setText(f"Last successful sync {local_time(success.ended_at or success.started_at, now)}")
        self.last_success_label.setVisible(last is not None and (success is None or success.id != last.id))
        clear_layout(self.runs_grid)
        if not runs:
            self.runs_grid.addWidget(muted("Syncs appear here once they have run."), 0, 0, 1, 4)
        for row, run in enumerate(runs):
            when = QLabel(local_time(run.started_at, now))
            how = muted(trigger_label(run.trigger))
            how.setWordWrap(False)
            what = QLabel(f"{outcome_label(run.outcome)}: {run_summary(run)}"
                          if run.outcome not in ("ok",) else run_summary(run))
            what.setWordWrap(True)
            if run.outcome == "failed" or (run.counts or {}).get("failed"):
                what.setStyleSheet(f"color: {failed_colour(self.palette()).name()}")
            link = link_button("Show in History")
            link.setAccessibleName(f"Show the sync of {when.text()} in History")
            link.clicked.connect(lambda _=False, run_id=run.id: self._open_run(run_id))
            self.runs_grid.addWidget(when, row, 0)
            self.runs_grid.addWidget(how, row, 1)
            self.runs_grid.addWidget(what, row, 2)
            self.runs_grid.addWidget(link, row, 3)

    def _open_run(self, run_id: int) -> None:
        self.show_run.emit(run_id)
        self.open_page.emit("history")

    def _show_pairs(self) -> None:
        clear_layout(self.pairs_grid)
        pairs = self.views.pair_counts()
        if not pairs:
            self.pairs_grid.addWidget(muted("Nothing is set to sync yet. Choose what to sync in Field mapping."),
                                      0, 0)
            return
        per_column = (len(pairs) + 1) // 2
        for i, pair in enumerate(pairs):
            row, col = i % per_column, (i // per_column) * 3
            self.pairs_grid.addWidget(QLabel(pair.label), row, col)
            count = QLabel(f"{pair.linked:,} linked")
            count.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.pairs_grid.addWidget(count, row, col + 1)
            failed = QLabel(f"{pair.failed:,} failed" if pair.failed else "")
            if pair.failed:
                failed.setStyleSheet(f"color: {failed_colour(self.palette()).name()}")
            self.pairs_grid.addWidget(failed, row, col + 2)
        self.pairs_grid.setColumnStretch(2, 1)
        self.pairs_grid.setColumnStretch(5, 1)

    def set_days(self, days: int) -> None:
        self.days = days
        self.period_buttons[days].setChecked(True)
        self.chart.set_days(self.views.daily_totals(days))

    # ----- the live run, from the controller -------------------------------------------------------------------
    @Slot(str)
    def _state_changed(self, state: str) -> None:
        busy = state in ("syncing", "cancelling", "finishing")
        if busy and not self.running:
            self._show_busy("Getting ready…")
        self._set_running(busy)
        self.cancel_button.setEnabled(state == "syncing" and self.phase != "comparing")
        if state == "cancelling":
            self.progress_label.setText("Cancelling…")
            self.progress_bar.setRange(0, 0)
        elif state == "finishing":
            self.progress_label.setText("Finishing the current sync…")
            self.progress_bar.setRange(0, 0)

    def _show_busy(self, text: str) -> None:
        self.phase = ""
        self.progress_label.setText(text)
        self.progress_bar.setRange(0, 0)
        self._set_running(True)

    @Slot(dict)
    def _run_started(self, info: dict) -> None:
        self.run_error = ""
        self.error_label.hide()
        self._show_busy("Getting ready…")
        self.cancel_button.setEnabled(True)

    @Slot(dict)
    def _progress(self, event: dict) -> None:
        if self.controller.state in ("cancelling", "finishing"):
            return  # the words say what is happening now, not the last page read
        self._set_running(True)
        self.phase = str(event.get("phase") or "")
        self.cancel_button.setEnabled(self.phase != "comparing")
        self.progress_label.setText(progress_text(event))
        total = int(event.get("total") or 0)
        if total:
            self.progress_bar.setRange(0, total)
            self.progress_bar.setValue(min(int(event.get("done") or 0), total))
        else:
            self.progress_bar.setRange(0, 0)

    @Slot(dict)
    def _run_finished(self, report: dict) -> None:
        self._set_running(False)
        if report.get("outcome") in ("ok", "partial"):
            self.signed_out.clear()  # a run got through: both sides accept us again
        self.refresh()

    @Slot(dict)
    def _run_failed(self, error: dict) -> None:
        self._set_running(False)
        self.run_error = " ".join(p for p in (error.get("title"), error.get("message")) if p)
        self.error_label.setText(self.run_error)
        self.error_label.setStyleSheet(f"color: {failed_colour(self.palette()).name()}")
        self.error_label.setVisible(bool(self.run_error))
        if self.comparing:
            self._reconcile_idle()
        self.refresh()

    @Slot(str, object)
    def _task_finished(self, name: str, result: object) -> None:
        self.refresh()  # a retry, a decision or a record synced from the report changes the figures

    @Slot(str)
    def _needs_sign_in(self, provider: str) -> None:
        self.signed_out.add(provider)
        self.refresh()

    @Slot(dict)
    def _schedule_changed(self, schedule: dict) -> None:
        self.schedule = dict(schedule)
        self._show_schedule()

    def _show_schedule(self) -> None:
        self.schedule_label.setText(schedule_text(self.schedule, self.now()))

    # ----- scheduled reconciliation ---------------------------------------------------------------------------
    @Slot(dict)
    def _reconcile_finished(self, report: dict) -> None:
        self.reconcile_report = dict(report)
        self._reconcile_idle()
        self._show_reconcile()
        if self.report_dialog is not None and self.report_dialog.isVisible():
            self.show_differences()

    def _show_reconcile(self) -> None:
        report = self.reconcile_report
        if self.comparing:
            return
        if not report:
            self.reconcile_label.setText("Not compared yet. A full comparison checks every linked record in Xero "
                                         "and Zoho CRM to make sure nothing has drifted apart.")
            self.differences_button.hide()
            return
        findings = report.get("findings") or []
        when = local_time(datetime.fromtimestamp(report["at"], UTC), self.now()) if report.get("at") else "now"
        if report.get("error"):
            error = report["error"]
            sentence = f"The comparison {when} could not finish. {error.get('message') or error.get('title') or ''}"
        elif findings:
            sentence = f"Compared {when}: {plural(len(findings), 'difference')} found."
        else:
            sentence = f"Compared {when}: {agreement_text(report.get('agree') or {})}."
        self.reconcile_label.setText(sentence.strip())
        self.differences_button.setVisible(bool(findings) and not report.get("error"))

    def _check_now(self) -> None:
        self.comparing = True
        self.check_button.setEnabled(False)
        self.check_button.setText("Comparing…")
        self.reconcile_label.setText("Comparing every linked record in Xero and Zoho CRM. This can take a few "
                                     "minutes; you can keep working.")
        self.differences_button.hide()
        if self.controller.reconcile_now() is False:  # busy or closing: the controller says why in a notice
            self._reconcile_idle()
            self._show_reconcile()

    def _reconcile_idle(self) -> None:
        self.comparing = False
        self.check_button.setEnabled(True)
        self.check_button.setText("Check now")

    def show_differences(self) -> MismatchReportDialog | None:
        if not self.reconcile_report:
            return None
        if self.report_dialog is not None:
            self.report_dialog.close()
            self.report_dialog.deleteLater()
        self.report_dialog = MismatchReportDialog(self.reconcile_report, self.controller, self)
        self.report_dialog.open_page.connect(self.open_page)
        self.report_dialog.show()
        return self.report_dialog
