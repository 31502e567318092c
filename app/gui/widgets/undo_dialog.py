"""Undo a run, shown first: a dialog listing what will be put back (record, field, where, now → back to), and the
two one-off tasks the History and Failed pages hand to the worker ("undo.run", "push.send").

    plan = undo.undo_plan(views.profile, run_id)          # a read: fine on the GUI thread
    dialog = UndoDialog(plan, parent)
    dialog.accepted.connect(lambda: submit_undo(controller, run_id))
    dialog.open()

``task_finished("undo.run", {"ok", "message", "run_id", ...})`` and ``task_finished("push.send", {"ok", "message",
...})`` carry the result in words.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.services import push, undo
from app.services.undo import UndoPlan

COLUMNS = ("Record", "Field", "In", "Now", "Back to")


class UndoDialog(QDialog):
    def __init__(self, plan: UndoPlan, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plan = plan
        self.setWindowTitle(f"Undo run {plan.run_id}")
        self.setMinimumWidth(720)
        self.summary = QLabel(plan.summary if plan.empty else
                              f"{plan.summary} The values below go back to what they were before this run.")
        self.summary.setWordWrap(True)
        self.table = QTableWidget(len(plan.changes), len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setAccessibleName("What undo puts back")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        for row, change in enumerate(plan.changes):
            for column, text in enumerate((change.record, change.field, change.where, change.now, change.back_to)):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(row, column, item)
        self.table.setVisible(not plan.empty)
        self.buttons = QDialogButtonBox()
        if plan.empty:
            self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        else:
            self.put_back = self.buttons.addButton("Put these back", QDialogButtonBox.ButtonRole.AcceptRole)
            self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.buttons)


def submit_undo(controller: Any, run_id: int) -> None:
    """Undo run ``run_id`` on the worker; the result arrives as ``task_finished("undo.run", {...})``."""
    controller.submit("undo.run", lambda service: undo.undo_run(service, run_id))


def submit_send(controller: Any, pair: str, target: str, source_id: str) -> None:
    """"Send to Zoho now" / "Send to Xero now" for a history row or a failed record: ``source_id`` is the record's
    id on the sending side (a history row's ``xero_id`` to send to Zoho, its ``zoho_id`` to send to Xero; a failed
    record's ``source_id``). The result arrives as ``task_finished("push.send", {"ok", "message", ...})``."""
    controller.submit("push.send", lambda service: push.push_record(service, pair, target, source_id))
