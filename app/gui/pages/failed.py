"""Failed records: what did not sync, why and what to do, and the buttons to act on it.

Records that only wait for another record (an invoice whose customer is under review) are listed apart, with what
they wait for. Retry, Ignore and Un-ignore run on the worker through ``controller.submit``; the page reads again
when the controller says the task finished. "Nothing needs your attention" appears only when nothing does.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from PySide6.QtCore import QItemSelectionModel, Qt, QTimer, QUrl, Signal, Slot
from PySide6.QtGui import QDesktopServices, QFont, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.gui.errors import ErrorPanel
from app.gui.models.failed_model import FailedModel, reason_text
from app.services import review
from app.services.exports import failed_json
from app.services.record_links import RecordLinks
from app.services.views import Attention, FailedItem, Views
from app.services.words import plural

TASKS = ("failed.retry", "failed.ignore", "failed.unignore")
REASON_COLUMN = 2  # "Reason and what to do" / "Waiting for": takes the room left
EMPTY_AFTER_SYNC = "Every record synced. When one cannot, it appears here with the reason and what to do."
EMPTY_BEFORE_SYNC = ("No sync has run yet. When a record cannot sync, it appears here with the reason and what to "
                     "do.")


def heading_font(widget: QWidget, scale: float) -> QFont:
    font = QFont(widget.font())
    font.setPointSizeF(font.pointSizeF() * scale)
    font.setBold(True)
    return font


def other_work(attention: Attention) -> str:
    """Conflicts and matches waiting elsewhere, in one sentence ("" when none)."""
    parts = []
    if attention.conflicts:
        parts.append(plural(attention.conflicts, "conflict") + " to settle")
    if attention.matches:
        parts.append(plural(attention.matches, "possible match", "possible matches") + " to confirm")
    return " and ".join(parts)


class FailedPage(QWidget):
    """Signals:
        open_page(str)   a page the user asked for (the window navigates)
    """

    open_page = Signal(str)

    def __init__(self, views: Views, controller: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.views = views
        self.controller = controller
        self.links = RecordLinks(views.profile)
        self._busy = False
        self._asked: list[int] = []

        heading = QLabel("Failed records")
        heading.setFont(heading_font(heading, 1.4))
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.elsewhere = QLabel()
        self.elsewhere.setWordWrap(True)
        self.open_conflicts = QPushButton("Open Conflicts && matches")
        self.open_conflicts.clicked.connect(lambda: self.open_page.emit("conflicts"))
        elsewhere = QHBoxLayout()
        elsewhere.addWidget(self.elsewhere, 1)
        elsewhere.addWidget(self.open_conflicts)

        # ----- failed
        self.model = FailedModel(parent=self)
        self.table = self._table(self.model, "Failed records")
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.table.doubleClicked.connect(lambda _index: self.retry_selected())
        self.retry = QPushButton("Retry")
        self.retry.setToolTip("Try the selected records again now")
        self.retry_all = QPushButton("Retry all")
        self.ignore = QPushButton("Ignore")
        self.ignore.setToolTip("Stop retrying the selected records (you can bring them back)")
        self.unignore = QPushButton("Un-ignore")
        self.open_xero = QPushButton("Open in Xero")
        self.open_zoho = QPushButton("Open in Zoho CRM")
        self.export = QPushButton("Export JSON…")
        self.show_ignored = QCheckBox("Show ignored")
        self.retry.clicked.connect(self.retry_selected)
        self.retry_all.clicked.connect(self.retry_everything)
        self.ignore.clicked.connect(self.ignore_selected)
        self.unignore.clicked.connect(self.unignore_selected)
        self.open_xero.clicked.connect(lambda: self._open("xero"))
        self.open_zoho.clicked.connect(lambda: self._open("zoho"))
        self.export.clicked.connect(self._ask_export)
        self.show_ignored.toggled.connect(self.refresh)
        buttons = QHBoxLayout()
        for button in (self.retry, self.retry_all, self.ignore, self.unignore, self.open_xero, self.open_zoho):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.show_ignored)
        buttons.addWidget(self.export)
        self.detail = ErrorPanel(self, closable=False)
        self.detail.hide()
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.hide()
        self.problem = ErrorPanel(self)
        self.problem.hide()

        # ----- waiting
        self.waiting_title = QLabel()
        self.waiting_title.setFont(heading_font(self.waiting_title, 1.1))
        self.waiting_hint = QLabel("These sync by themselves once the record they wait for is settled.")
        self.waiting_model = FailedModel(waiting=True, parent=self)
        self.waiting_table = self._table(self.waiting_model, "Records waiting for another record")

        lists = QWidget()
        body = QVBoxLayout(lists)
        body.setContentsMargins(0, 0, 0, 0)
        body.addWidget(self.table, 3)
        body.addLayout(buttons)
        body.addWidget(self.detail)
        body.addWidget(self.waiting_title)
        body.addWidget(self.waiting_hint)
        body.addWidget(self.waiting_table, 2)

        # ----- nothing to do
        empty = QWidget()
        empty_layout = QVBoxLayout(empty)
        self.empty_title = QLabel("Nothing needs your attention")
        self.empty_title.setFont(heading_font(self.empty_title, 1.3))
        self.empty_title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_text = QLabel(EMPTY_AFTER_SYNC)
        self.empty_text.setWordWrap(True)
        self.empty_text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        empty_layout.addStretch(1)
        empty_layout.addWidget(self.empty_title)
        empty_layout.addWidget(self.empty_text)
        empty_layout.addStretch(2)

        self.stack = QStackedWidget()
        self.stack.addWidget(lists)
        self.stack.addWidget(empty)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.summary)
        layout.addLayout(elsewhere)
        layout.addWidget(self.problem)
        layout.addWidget(self.note)
        layout.addWidget(self.stack, 1)

        controller.task_finished.connect(self._task_finished)
        self.refresh()

    def _table(self, model: FailedModel, name: str) -> QTableView:
        table = QTableView()
        table.setModel(model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        table.setAlternatingRowColors(True)
        table.setWordWrap(True)
        table.verticalHeader().hide()
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(REASON_COLUMN, QHeaderView.ResizeMode.Stretch)
        table.setAccessibleName(name)
        width = self.fontMetrics().horizontalAdvance
        table.setColumnWidth(0, width("INV-0000 — Koala Kids Childcare"))
        table.setColumnWidth(1, width("Contacts ⇄ Accounts___"))
        for column in range(REASON_COLUMN + 1, model.columnCount()):  # times and tries: as wide as they are
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        return table

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        QTimer.singleShot(0, self._fit_rows)  # once the stretched reason column has its new width

    def _fit_rows(self) -> None:
        """Wrapped reasons get the height they need (a few rows: cheap)."""
        self.table.resizeRowsToContents()
        self.waiting_table.resizeRowsToContents()

    # ----- reading ----------------------------------------------------------------------------------------------
    @Slot()
    def refresh(self) -> None:
        """Read again (the window calls this when the page is shown and after every run)."""
        now = self.views.now()
        items = self.views.failed(include_ignored=self.show_ignored.isChecked())
        keep = {i.id for i in self.selected()}
        failed = [i for i in items if i.status != "waiting"]
        waiting = [i for i in items if i.status == "waiting"]
        self.model.set_items(failed, now)
        self.waiting_model.set_items(waiting, now)
        flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
        for row, item in enumerate(failed):
            if item.id in keep:
                self.table.selectionModel().select(self.model.index(row, 0), flags)
        if failed and not self.table.selectionModel().hasSelection():
            self.table.selectRow(0)  # the first record's reason shows at once
        self._fit_rows()

        attention = self.views.attention()
        open_count = sum(1 for i in failed if i.status == "open")
        ignored = len(failed) - open_count
        words = []
        if open_count:
            words.append(f"{plural(open_count, 'record')} could not be synced.")
        if waiting:
            words.append(f"{plural(len(waiting), 'record')} {'is' if len(waiting) == 1 else 'are'} waiting for "
                         "another record.")
        if ignored:
            words.append(f"{plural(ignored, 'ignored record')} shown.")
        self.summary.setText(" ".join(words) or "No failed records.")
        elsewhere = other_work(attention)
        self.elsewhere.setText(f"Also waiting for you: {elsewhere}." if elsewhere else "")
        self.elsewhere.setVisible(bool(elsewhere))
        self.open_conflicts.setVisible(bool(elsewhere))
        nothing = not failed and not waiting and attention.total == 0 and attention.waiting == 0
        if nothing:
            self.empty_text.setText(EMPTY_AFTER_SYNC if self.views.runs(1) else EMPTY_BEFORE_SYNC)
        self.stack.setCurrentIndex(1 if nothing else 0)
        self.summary.setVisible(not nothing)
        has_waiting = bool(waiting)
        for widget in (self.waiting_title, self.waiting_hint, self.waiting_table):
            widget.setVisible(has_waiting)
        self.waiting_title.setText(f"Waiting for another record ({len(waiting):,})")
        self.table.setVisible(bool(failed) or not has_waiting)
        for button in (self.retry, self.retry_all, self.ignore, self.open_xero, self.open_zoho):
            button.setVisible(bool(failed))
        self._selection_changed()

    def selected(self) -> list[FailedItem]:
        if self.table.selectionModel() is None:
            return []
        return [self.model.items[i.row()] for i in self.table.selectionModel().selectedRows()
                if i.row() < len(self.model.items)]

    def _selection_changed(self, *_args: Any) -> None:
        chosen = self.selected()
        open_ones = [i for i in chosen if i.status == "open"]
        ignored = [i for i in chosen if i.status == "ignored"]
        idle = not self._busy
        self.retry.setEnabled(idle and bool(open_ones) and not ignored)
        self.ignore.setEnabled(idle and bool(open_ones) and not ignored)
        self.unignore.setEnabled(idle and bool(ignored) and not open_ones)
        self.unignore.setVisible(self.show_ignored.isChecked())
        self.retry_all.setEnabled(idle and any(i.status == "open" for i in self.model.items))
        self.export.setEnabled(bool(self.model.items or self.waiting_model.items))
        urls = self._urls()
        self.open_xero.setEnabled(len(chosen) == 1 and "xero" in urls)
        self.open_xero.setToolTip(self.links.xero_tip_for_source(chosen[0].pair, chosen[0].direction,
                                                                 chosen[0].source_id, chosen[0].record_name)
                                  if len(chosen) == 1 else "Open the selected record in Xero")
        self.open_zoho.setEnabled(len(chosen) == 1 and "zoho" in urls)
        if len(chosen) == 1:
            item = chosen[0]
            error = item.error or {}
            raw = error.get("raw") or {k: v for k, v in error.items() if k != "hint"}
            technical = raw if isinstance(raw, str) else json.dumps(raw, indent=2, ensure_ascii=False, default=str)
            message = str(error.get("message") or "")
            reason = reason_text(item)
            said = f"{message}\n\n" if message and message != reason else ""  # the API's words: technical
            self.detail.show_error(item.record_name or item.source_id, reason,
                                   technical=said + technical if error else "")
        else:
            self.detail.hide()

    def _urls(self) -> dict[str, str]:
        chosen = self.selected()
        if len(chosen) != 1:
            return {}
        return self.links.for_source(chosen[0].pair, chosen[0].direction, chosen[0].source_id)

    def _open(self, side: str) -> None:
        url = self._urls().get(side)
        if url:
            QDesktopServices.openUrl(QUrl(url))

    # ----- acting (on the worker) -------------------------------------------------------------------------------
    @Slot()
    def retry_selected(self) -> None:
        ids = [i.id for i in self.selected() if i.status == "open"]
        if ids:
            self._submit("failed.retry", ids, lambda service: review.retry(service, ids))

    @Slot()
    def retry_everything(self) -> None:
        ids = [i.id for i in self.model.items if i.status == "open"]
        if ids:
            self._submit("failed.retry", ids, lambda service: review.retry(service, None))

    @Slot()
    def ignore_selected(self) -> None:
        ids = [i.id for i in self.selected() if i.status == "open"]
        if ids:
            self._submit("failed.ignore", ids, lambda service: review.ignore(service, ids))

    @Slot()
    def unignore_selected(self) -> None:
        ids = [i.id for i in self.selected() if i.status == "ignored"]
        if ids:
            self._submit("failed.unignore", ids, lambda service: review.unignore(service, ids))

    def _submit(self, name: str, ids: list[int], fn: Any) -> None:
        self._busy = True
        self._asked = ids
        self.problem.hide()
        verb = {"failed.retry": "Trying", "failed.ignore": "Ignoring", "failed.unignore": "Bringing back"}[name]
        self.note.setText(f"{verb} {plural(len(ids), 'record')}…")
        self.note.show()
        self._selection_changed()
        self.controller.submit(name, fn)

    @Slot(str, object)
    def _task_finished(self, name: str, result: Any) -> None:
        if name not in TASKS:
            return
        self._busy = False
        asked, self._asked = self._asked, []
        self.refresh()
        if isinstance(result, dict) and "error" in result:
            self.note.hide()
            self.problem.show_dict(result["error"])
            return
        still = {i.id for i in self.views.failed() if i.status == "open"}
        n = len(asked)
        if name == "failed.retry":
            failing = sum(1 for i in asked if i in still)
            done = n - failing
            text = f"Tried {plural(n, 'record')} again: {done:,} synced" + (
                f", {failing:,} still failing." if failing else ".")
        elif name == "failed.ignore":
            text = f"Ignored {plural(result, 'record')}. Tick Show ignored to bring {'it' if result == 1 else 'them'} " \
                   "back." if result else "Nothing was ignored: those records had already synced or been ignored."
        else:
            text = f"{plural(result, 'record')} back in the list; retried at the next sync." if result else \
                "Nothing to bring back: those records were not ignored."
        self.note.setText(text)
        self.note.show()

    # ----- export -----------------------------------------------------------------------------------------------
    def _ask_export(self) -> None:
        default = str(Path.home() / "ledgerbridge-failed-records.json")
        path, _ = QFileDialog.getSaveFileName(self, "Export failed records", default, "JSON files (*.json)")
        if path:
            self.export_to(Path(path))

    def export_to(self, path: Path) -> None:
        items = self.model.items + self.waiting_model.items
        try:
            path.write_text(failed_json(items), encoding="utf-8")
        except OSError as exc:
            self.problem.show_error("Could not export", f"{path} could not be written: {exc.strerror or exc}.")
            return
        self.note.setText(f"Exported {plural(len(items), 'record')} to {path}.")
        self.note.show()
