"""History: what happened to which record, newest first, with filters, runs, a detail pane and exports.

The table is a lazy model over one indexed query (see ``models.history_model``), so it opens and scrolls at once on
100,000 rows. Reads go through ``Views`` on the GUI thread; exports are written on the worker (a file of 100,000
rows takes a moment) through ``controller.submit``.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QItemSelection, Qt, QTimer, QUrl, Signal, Slot
from PySide6.QtGui import QDesktopServices, QFont, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.gui.errors import ErrorPanel
from app.gui.models.history_model import (
    COL_ACTION,
    COL_DIRECTION,
    COL_PAIR,
    COL_RECORD,
    COL_TIME,
    HistoryModel,
)
from app.services.exports import export_history, reason_words
from app.services.gc_policy import settle as settle_gc
from app.services.history_words import Names, mapping_version_words
from app.services.record_links import RecordLinks
from app.services.views import HistoryFilter, HistoryRow, RunSummary, Views
from app.services.words import (
    ACTION_LABELS,
    DIRECTION_LABELS,
    action_label,
    counts_words,
    direction_label,
    local_time,
    pair_label,
    plural,
    run_line,
    trigger_label,
)

PAIRS = ("contacts", "items", "invoices", "payments", "deals")
FILTER_ACTIONS = ("create", "update", "link", "skip", "conflict", "archive", "fail", "undo")
STATUSES = {"Synced": ("create", "update", "link", "archive", "delete", "undo"),
            "Needs attention": ("fail", "conflict"), "Skipped": ("skip",)}
PERIODS = {"Any time": None, "Today": 0, "Last 7 days": 7, "Last 30 days": 30, "Last 90 days": 90,
           "Custom dates": -1}
RUNS_LISTED = 50
SEARCH_DELAY_MS = 300
EXPORT_TASK = "history.export"
NOTHING = ("-",)  # an action no row has: the status and action filters exclude each other
NOTHING_YET = ("Nothing synced yet. Every record a sync creates, updates, links, skips or cannot sync appears here, "
               "newest first.")


def run_choice(run: RunSummary, now: datetime) -> str:
    """A run in the run list: "Today 10:42 — Sync now (12 created, 3 updated)"."""
    changed = counts_words(run.counts) or "nothing changed"
    return f"{local_time(run.started_at, now)} — {trigger_label(run.trigger)} ({changed})"


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min).astimezone().astimezone(UTC)


class DetailPane(QFrame):
    """One history row: each changed field "old → new" with names, the rule and mapping version that set it, and for
    a failure the error in words with the API's own answer behind "Show technical details"."""

    def __init__(self, links: RecordLinks, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.links = links
        self._urls: dict[str, str] = {}
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.title = QLabel("Select a row to see what changed.")
        font = QFont(self.title.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.title.setFont(font)
        self.title.setWordWrap(True)
        self.meta = QLabel()
        self.meta.setWordWrap(True)
        self.meta.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.reason = ErrorPanel(self, closable=False)
        self.reason.hide()
        self.changes = QTableWidget(0, 2)
        self.changes.setHorizontalHeaderLabels(["Field", "Before → after"])
        self.changes.verticalHeader().hide()
        self.changes.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.changes.setWordWrap(True)
        self.changes.setAlternatingRowColors(True)
        self.changes.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        header = self.changes.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        # wrapped changes get the height they need once the stretched column has its width
        header.sectionResized.connect(lambda *_: QTimer.singleShot(0, self.changes.resizeRowsToContents))
        self.changes.hide()
        self.open_xero = QPushButton("Open in Xero")
        self.open_zoho = QPushButton("Open in Zoho CRM")
        self.open_xero.clicked.connect(lambda: self._open("xero"))
        self.open_zoho.clicked.connect(lambda: self._open("zoho"))
        self.actions = QHBoxLayout()  # room for actions on one record (e.g. "Send to Zoho CRM now")
        self.actions.addWidget(self.open_xero)
        self.actions.addWidget(self.open_zoho)
        self.actions.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.meta)
        layout.addWidget(self.reason)
        layout.addWidget(self.changes, 1)
        layout.addLayout(self.actions)
        layout.addStretch(0)
        self.show_row(None, None, datetime.now(UTC))

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        QTimer.singleShot(0, self.changes.resizeRowsToContents)  # wrapped changes fit the new width

    def show_row(self, row: HistoryRow | None, names: Names | None, now: datetime,
                 empty: str = "Select a row to see what changed.") -> None:
        self.row = row
        if row is None or names is None:
            self.title.setText(empty)
            self.meta.clear()
            self.reason.hide()
            self.changes.hide()
            self._urls = {}
            self._buttons()
            return
        self.title.setText(f"{action_label(row.action)}: {row.record_name}")
        where = direction_label(row.direction)
        meta = [local_time(row.at, now), pair_label(row.pair)] + ([where] if where else [])
        meta.append(f"run {row.run_id}")
        meta.append(f"written with {mapping_version_words(row.mapping_version)}")
        self.meta.setText(" · ".join(meta))
        self._show_reason(row)
        lines = names.changes(row.pair, row.changes, mapping_version=row.mapping_version, xero_id=row.xero_id,
                              zoho_id=row.zoho_id)
        self.changes.setRowCount(len(lines))
        for i, line in enumerate(lines):
            field = f"{line.label}\nin {line.where}" if line.where else line.label
            change = f"{line.before} → {line.after}" + (f"\nSet by: {line.rule}" if line.rule else "")
            for col, text in enumerate((field, change)):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.changes.setItem(i, col, item)
        self.changes.resizeRowsToContents()
        self.changes.setVisible(bool(lines))
        self._urls = self.links.urls(row.pair, row.xero_id, row.zoho_id)
        self.open_xero.setToolTip(self.links.xero_tip(row.pair, row.xero_id, row.record_name))
        self._buttons()

    def _show_reason(self, row: HistoryRow) -> None:
        error = row.error or {}
        if row.action == "link" and error.get("evidence"):
            self.meta.setText(self.meta.text() + "\nLinked because: " + ", ".join(error["evidence"]) + ".")
        words = reason_words(row)
        if not words:
            self.reason.hide()
            return
        titles = {"fail": "Why it failed", "skip": "Why it was skipped", "conflict": "Changed on both sides"}
        message = str(error.get("message") or "")
        technical = error.get("raw") or {k: v for k, v in error.items() if k not in ("hint",)}
        technical_text = technical if isinstance(technical, str) else json.dumps(technical, indent=2,
                                                                                 ensure_ascii=False, default=str)
        if row.action == "fail":  # the words first; what the API said stays behind "Show technical details"
            said = f"{message}\n\n" if message and message != words else ""
            self.reason.show_error(titles["fail"], words, technical=said + technical_text)
        else:
            self.reason.show_error(titles.get(row.action, "Note"), words)

    def _buttons(self) -> None:
        self.open_xero.setVisible("xero" in self._urls)
        self.open_zoho.setVisible("zoho" in self._urls)

    def url(self, side: str) -> str | None:
        return self._urls.get(side)

    def _open(self, side: str) -> None:
        if side in self._urls:
            QDesktopServices.openUrl(QUrl(self._urls[side]))


class HistoryPage(QWidget):
    """Signals:
        open_page(str)   a page the user asked for (the window navigates)
    """

    open_page = Signal(str)

    def __init__(self, views: Views, controller: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.views = views
        self.controller = controller
        self.names = Names(views.profile)
        self.model = HistoryModel(views, self.names, self)
        self._run_id: int | None = None

        # ----- filters
        self.pair = QComboBox()
        self.pair.addItem("All pairs", "")
        for pair in PAIRS:
            self.pair.addItem(pair_label(pair), pair)
        self.action = QComboBox()
        self.action.addItem("All actions", "")
        for action in FILTER_ACTIONS:
            self.action.addItem(ACTION_LABELS[action], action)
        self.status = QComboBox()
        self.status.addItem("Any status", "")
        for label in STATUSES:
            self.status.addItem(label, label)
        self.direction = QComboBox()
        self.direction.addItem("Both directions", "")
        for key, label in DIRECTION_LABELS.items():
            self.direction.addItem(label, key)
        self.period = QComboBox()
        self.period.addItems(list(PERIODS))
        today = QDate.currentDate()
        self.date_from = QDateEdit(today.addDays(-7))
        self.date_to = QDateEdit(today)
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("d MMM yyyy")
            edit.hide()
            edit.dateChanged.connect(self.apply_filters)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search record names…")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Search record names")
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.apply_filters)
        self.search.textChanged.connect(lambda _text: self._search_timer.start())
        self.search.returnPressed.connect(self.apply_filters)
        for combo in (self.pair, self.action, self.status, self.direction, self.period):
            combo.currentIndexChanged.connect(self.apply_filters)
        self.period.currentIndexChanged.connect(self._period_changed)

        filters = QHBoxLayout()
        for widget in (self.pair, self.action, self.status, self.direction, self.period, self.date_from,
                       self.date_to):
            filters.addWidget(widget)
        filters.addWidget(self.search, 1)

        # ----- runs
        self.run = QComboBox()
        self.run.setMinimumContentsLength(45)
        self.run.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.run.currentIndexChanged.connect(self._run_chosen)
        self.run_summary = QLabel()
        self.run_summary.setWordWrap(True)
        self.run_summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.count = QLabel()
        self.export_csv = QPushButton("Export CSV…")
        self.export_json = QPushButton("Export JSON…")
        self.export_csv.clicked.connect(lambda: self._ask_export("csv"))
        self.export_json.clicked.connect(lambda: self._ask_export("json"))
        self.export_note = QLabel()
        self.export_note.setWordWrap(True)
        self.export_note.hide()
        runs = QHBoxLayout()
        runs.addWidget(QLabel("Run:"))
        runs.addWidget(self.run)
        self.run_actions = QHBoxLayout()  # room for actions on the chosen run (e.g. "Undo this run")
        runs.addLayout(self.run_actions)
        runs.addStretch(1)
        runs.addWidget(self.count)
        runs.addWidget(self.export_csv)
        runs.addWidget(self.export_json)

        # ----- table and detail
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        # a fixed row height lets the view lay out 100,000 rows without asking each one its size
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        width = self.fontMetrics().horizontalAdvance
        for column, sample in ((COL_TIME, "Yesterday 00:00_"), (COL_PAIR, "Contacts ⇄ Accounts"),
                               (COL_RECORD, "INV-0000 — Koala Kids Childcare"), (COL_ACTION, "Conflict__"),
                               (COL_DIRECTION, "→__")):
            self.table.setColumnWidth(column, width(sample))
        self.table.setAccessibleName("History")
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.detail = DetailPane(RecordLinks(views.profile))
        self.detail.setMinimumWidth(320)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.table)
        split.addWidget(self.detail)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setChildrenCollapsible(False)
        split.setSizes([700, 340])  # the table keeps most of the room; the pane is dragged wider when needed

        heading = QLabel("History")
        font = QFont(heading.font())
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        heading.setFont(font)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addLayout(filters)
        layout.addLayout(runs)
        layout.addWidget(self.run_summary)
        layout.addWidget(self.export_note)
        layout.addWidget(split, 1)

        controller.task_finished.connect(self._task_finished)
        self._fill_runs()
        self.apply_filters()

    # ----- filters --------------------------------------------------------------------------------------------------
    def current_filter(self) -> HistoryFilter:
        pair = self.pair.currentData()
        action = self.action.currentData()
        status = self.status.currentData()
        actions: tuple[str, ...] = (action,) if action else ()
        if status:
            allowed = STATUSES[status]
            actions = tuple(a for a in actions if a in allowed) or (NOTHING if actions else allowed)
        since = until = None
        days = PERIODS[self.period.currentText()]
        today = self.views.now().astimezone().date()
        if days == -1:
            since = _local_midnight(self.date_from.date().toPython())
            until = _local_midnight(self.date_to.date().toPython() + timedelta(days=1))
        elif days is not None:
            since = _local_midnight(today - timedelta(days=max(days - 1, 0)))
        return HistoryFilter(pairs=(pair,) if pair else (), actions=actions, direction=self.direction.currentData(),
                             text=self.search.text().strip(), since=since, until=until, run_id=self._run_id)

    @Slot()
    def apply_filters(self) -> None:
        self._search_timer.stop()
        keep = self._selected_id()
        self.model.set_filter(self.current_filter())
        settle_gc()
        n = self.model.rowCount()
        self.count.setText(plural(n, "record"))
        self._show_run_summary()
        if keep is not None and keep in self.model.ids:
            self.table.selectRow(self.model.ids.index(keep))
        elif n:
            self.detail.show_row(None, None, self.views.now())
        elif self.model.filter == HistoryFilter():
            self.detail.show_row(None, None, self.views.now(), NOTHING_YET)
        else:
            self.detail.show_row(None, None, self.views.now(), "No records match these filters.")

    def _period_changed(self) -> None:
        custom = PERIODS[self.period.currentText()] == -1
        self.date_from.setVisible(custom)
        self.date_to.setVisible(custom)

    # ----- runs -----------------------------------------------------------------------------------------------------
    def _fill_runs(self, extra: RunSummary | None = None) -> None:
        now = self.views.now()
        runs = self.views.runs(RUNS_LISTED)
        if extra is not None and all(r.id != extra.id for r in runs):
            runs.append(extra)
        self.run.blockSignals(True)
        self.run.clear()
        self.run.addItem("All runs", None)
        for r in runs:
            self.run.addItem(run_choice(r, now), r.id)
        index = self.run.findData(self._run_id) if self._run_id is not None else 0
        if index < 0:  # the chosen run is gone (history kept for a limited time)
            self._run_id, index = None, 0
        self.run.setCurrentIndex(index)
        self.run.blockSignals(False)

    def _run_chosen(self) -> None:
        self._run_id = self.run.currentData()
        self.apply_filters()

    def _show_run_summary(self) -> None:
        run = self.views.run(self._run_id) if self._run_id is not None else None
        self.run_summary.setText(f"Run {run.id}: {run_line(run, self.views.now())}" if run else "")
        self.run_summary.setVisible(run is not None)
        if run is not None and run.message and run.outcome not in ("ok", "running"):
            self.run_summary.setText(self.run_summary.text() + f"\n{run.message}")

    @Slot(int)
    def show_run(self, run_id: int) -> None:
        """Show one run's records (the Dashboard links here), with its summary line; other filters are cleared."""
        run = self.views.run(run_id)
        self._run_id = run.id if run else None
        for combo in (self.pair, self.action, self.status, self.direction, self.period):
            combo.blockSignals(True)
            combo.setCurrentIndex(0)
            combo.blockSignals(False)
        self._period_changed()
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        self._fill_runs(run)
        self.apply_filters()

    @Slot()
    def refresh(self) -> None:
        """Read again (the window calls this when the page is shown and after every run)."""
        self.names = self.model.names = Names(self.views.profile)  # names linked since are looked up afresh
        self._fill_runs()
        self.apply_filters()

    # ----- detail ---------------------------------------------------------------------------------------------------
    def _selected_id(self) -> int | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        return self.model.ids[rows[0].row()] if rows and rows[0].row() < len(self.model.ids) else None

    def _selection_changed(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        rows = self.table.selectionModel().selectedRows()
        row = self.model.row_of(rows[0].row()) if rows else None
        self.detail.show_row(row, self.names, self.views.now())

    def select_row(self, row: int) -> None:
        self.table.selectRow(row)
        self.table.scrollTo(self.model.index(row, 0), QAbstractItemView.ScrollHint.EnsureVisible)

    # ----- export ---------------------------------------------------------------------------------------------------
    def _ask_export(self, fmt: str) -> None:
        suffix = "CSV files (*.csv)" if fmt == "csv" else "JSON files (*.json)"
        default = str(Path.home() / f"ledgerbridge-history.{fmt}")
        path, _ = QFileDialog.getSaveFileName(self, "Export history", default, suffix)
        if path:
            self.export_to(Path(path), fmt)

    def export_to(self, path: Path, fmt: str) -> None:
        """Write what the filters show to ``path`` on the worker; the note under the runs says when it is done."""
        f = self.current_filter()
        profile, clock = self.views.profile, self.views.clock
        self.export_csv.setEnabled(False)
        self.export_json.setEnabled(False)
        self.export_note.setText(f"Exporting {plural(self.model.rowCount(), 'record')} to {path.name}…")
        self.export_note.show()
        self.controller.submit(EXPORT_TASK, lambda _service: {
            "path": str(path), "count": export_history(Views(profile, clock), f, path, fmt)})

    @Slot(str, object)
    def _task_finished(self, name: str, result: Any) -> None:
        if name != EXPORT_TASK:
            if name.startswith(("retry", "failed.", "undo", "push", "conflict", "match")):
                self.refresh()
            return
        self.export_csv.setEnabled(True)
        self.export_json.setEnabled(True)
        if isinstance(result, dict) and "error" in result:
            error = result["error"]
            self.export_note.setText(f"{error.get('title', 'Export failed')}: {error.get('message', '')}")
        else:
            self.export_note.setText(f"Exported {plural(result['count'], 'record')} to {result['path']}.")
        self.export_note.show()

