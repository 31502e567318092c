"""Failed and waiting records as a table: a few dozen rows at most, held whole and replaced on refresh."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication

from app.services.views import FailedItem
from app.services.words import direction_label, local_time, pair_label, plural

FAILED_COLUMNS = ("Record", "Pair and direction", "Reason and what to do", "First failed", "Last failed", "Tries",
                  "Next retry")
WAITING_COLUMNS = ("Record", "Pair and direction", "Waiting for", "Since", "Checked again")
ITEM_ROLE = Qt.ItemDataRole.UserRole + 1


def reason_text(item: FailedItem) -> str:
    """The plain-language reason and fix (the engine's hint), or the error's message when there is no hint."""
    return item.reason or str((item.error or {}).get("message") or "No reason was given.")


def waiting_for(item: FailedItem) -> str:
    """What a waiting record waits for: "Its customer is waiting for you to confirm its match (see Matches)"."""
    message = str((item.error or {}).get("message") or item.reason or "")
    text = message.removeprefix("Waiting: ").rstrip(".")
    return text[:1].upper() + text[1:] if text else "Another record to sync first"


def next_retry(item: FailedItem, now: datetime) -> str:
    if item.status == "ignored":
        return "Ignored"
    if item.next_attempt_at is None or item.next_attempt_at <= now:
        return "At the next sync"
    return local_time(item.next_attempt_at, now)


class FailedModel(QAbstractTableModel):
    """``waiting=True`` shows records that wait for another record (what they wait for, when checked again)."""

    def __init__(self, waiting: bool = False, parent: Any = None) -> None:
        super().__init__(parent)
        self.waiting = waiting
        self.columns = WAITING_COLUMNS if waiting else FAILED_COLUMNS
        self.items: list[FailedItem] = []
        self._cells: list[tuple[str, ...]] = []

    def set_items(self, items: list[FailedItem], now: datetime) -> None:
        self.beginResetModel()
        self.items = list(items)
        self._cells = [self._words(i, now) for i in self.items]
        self.endResetModel()

    def _words(self, item: FailedItem, now: datetime) -> tuple[str, ...]:
        common = (item.record_name or item.source_id, f"{pair_label(item.pair)}\n{direction_label(item.direction)}")
        if self.waiting:
            return common + (waiting_for(item), local_time(item.first_failed_at, now), next_retry(item, now))
        return common + (reason_text(item), local_time(item.first_failed_at, now),
                         local_time(item.last_failed_at, now), plural(item.attempts, "try", "tries"),
                         next_retry(item, now))

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.items)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(self.columns):
            return self.columns[section]
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.items) or index.column() >= len(self.columns):
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self._cells[index.row()][index.column()]
        if role == ITEM_ROLE:
            return self.items[index.row()]
        if role == Qt.ItemDataRole.ForegroundRole and self.items[index.row()].status == "ignored":
            return QApplication.palette().brush(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
        return None
