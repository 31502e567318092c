"""The History table as a lazy model: the ids of one indexed query, rows fetched a page at a time as the view asks.

Filtering and ordering happen in SQL (``Views.history_ids``); the model holds the ids (a list of ints, a few MB at
a million rows) and a small cache of pages already turned into words. ``flags`` and ``rowCount`` never read the
database, so scrolling through 100,000 rows reads only the pages that come into view.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from app.services.history_words import Names, field_label
from app.services.views import HistoryFilter, HistoryRow, Views
from app.services.words import DIRECTION_ARROWS, action_label, direction_label, local_time, pair_label

PAGE_SIZE = 50
CACHED_PAGES = 120
COLUMNS = ("Time", "Pair", "Record", "Action", "", "Changed fields")
COL_TIME, COL_PAIR, COL_RECORD, COL_ACTION, COL_DIRECTION, COL_CHANGES = range(len(COLUMNS))
ROW_ROLE = Qt.ItemDataRole.UserRole + 1  # the row's HistoryRow (plain frozen data)
ID_ROLE = Qt.ItemDataRole.UserRole + 2
ATTENTION_ACTIONS = ("fail", "conflict")
MAX_FIELDS_SHOWN = 4


@dataclass(frozen=True)
class ShownRow:
    """A history row with its cells already in words (made once per page, not per paint)."""

    row: HistoryRow
    cells: tuple[str, ...]


def changed_labels(row: HistoryRow) -> str:
    """The changed fields for a cell ("Account Name, Phone and 3 more"), or a skip's or failure's reason. Labels
    only: the values (names looked up for ids) are worked out when a tooltip or the detail pane asks."""
    labels = list(dict.fromkeys(field_label(*key.split(".", 1)) if key.startswith(("xero.", "zoho.")) else key
                                for key, value in (row.changes or {}).items()
                                if isinstance(value, list | tuple) and len(value) == 2))
    if not labels:
        error = row.error or {}
        return str(error.get("hint") or error.get("reason") or error.get("message") or "")
    shown = ", ".join(labels[:MAX_FIELDS_SHOWN])
    return shown + (f" and {len(labels) - MAX_FIELDS_SHOWN} more" if len(labels) > MAX_FIELDS_SHOWN else "")


class HistoryModel(QAbstractTableModel):
    def __init__(self, views: Views, names: Names | None = None, parent: Any = None) -> None:
        super().__init__(parent)
        self.views = views
        self.names = names or Names(views.profile)
        self.filter = HistoryFilter()
        self._ids: list[int] = []
        self._pages: OrderedDict[int, list[ShownRow]] = OrderedDict()
        self._last: tuple[int, ShownRow | None] = (-1, None)  # the row the view asked about last
        self._now: datetime = views.now()
        self._bold = QFont()
        self._bold.setBold(True)

    # ----- loading -----------------------------------------------------------------------------------------------
    def set_filter(self, f: HistoryFilter) -> None:
        """Run the one query for ``f`` and show its rows (newest first)."""
        self.beginResetModel()
        self.filter = f
        self._ids = self.views.history_ids(f)
        self._pages.clear()
        self._last = (-1, None)
        self._now = self.views.now()
        self.endResetModel()

    def reload(self) -> None:
        self.set_filter(self.filter)

    @property
    def ids(self) -> list[int]:
        return self._ids

    def row_of(self, row: int) -> HistoryRow | None:
        shown = self._shown(row)
        return shown.row if shown else None

    def _shown(self, row: int) -> ShownRow | None:
        if not 0 <= row < len(self._ids):
            return None
        page = row // PAGE_SIZE
        rows = self._pages.get(page)
        if rows is None:
            rows = self._load(page)
        else:
            self._pages.move_to_end(page)
        offset = row - page * PAGE_SIZE
        return rows[offset] if offset < len(rows) else None

    def _load(self, page: int) -> list[ShownRow]:
        ids = self._ids[page * PAGE_SIZE:(page + 1) * PAGE_SIZE]
        found = {r.id: r for r in self.views.history_rows(ids)}
        rows = [self._words(found[i]) if i in found else self._gone(i) for i in ids]
        self._pages[page] = rows
        while len(self._pages) > CACHED_PAGES:
            self._pages.popitem(last=False)
        return rows

    def _words(self, r: HistoryRow) -> ShownRow:
        return ShownRow(r, (local_time(r.at, self._now), pair_label(r.pair), r.record_name, action_label(r.action),
                            DIRECTION_ARROWS.get(r.direction, ""), changed_labels(r)))

    def _tooltip(self, shown: ShownRow, column: int) -> str | None:
        r = shown.row
        if column == COL_TIME:
            return r.at.astimezone().strftime("%A %d %B %Y, %H:%M:%S")
        if column == COL_DIRECTION:
            return direction_label(r.direction) or None
        if column == COL_RECORD:
            return r.record_name or None
        if column == COL_CHANGES:
            lines = self.names.changes(r.pair, r.changes, mapping_version=r.mapping_version, xero_id=r.xero_id,
                                       zoho_id=r.zoho_id)
            return "\n".join(line.text() for line in lines) or shown.cells[COL_CHANGES] or None
        return None

    def _gone(self, history_id: int) -> ShownRow:
        """A row pruned from history since the query ran: shown empty rather than shifting the rows below it."""
        blank = HistoryRow(history_id, 0, self._now, "", "", "", "(no longer in history)", None, None, {}, None, 0)
        return ShownRow(blank, ("", "", blank.record_name, "", "", ""))

    # ----- the model -----------------------------------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            if role == Qt.ItemDataRole.DisplayRole:
                return COLUMNS[section]
            if role == Qt.ItemDataRole.ToolTipRole and section == COL_DIRECTION:
                return "Direction: → Xero to Zoho CRM, ← Zoho CRM to Xero"
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # Called several times per cell on every paint: the common roles are answered first and cheaply.
        if role not in _ROLES or not index.isValid():
            return None
        row, column = index.row(), index.column()
        if role == ID_ROLE:
            return self._ids[row] if row < len(self._ids) else None
        if role == _ALIGN:
            return _CENTRE if column == COL_DIRECTION else None
        shown = self._last[1] if self._last[0] == row else self._shown(row)
        if shown is None:
            return None
        self._last = (row, shown)
        if role == _DISPLAY:
            return shown.cells[column] if column < len(shown.cells) else None
        if role == ROW_ROLE:
            return shown.row
        if role == _FONT:
            return self._bold if column == COL_ACTION and shown.row.action in ATTENTION_ACTIONS else None
        if role == _TOOLTIP:
            return self._tooltip(shown, column)
        if role == _ACCESSIBLE:
            return direction_label(shown.row.direction) if column == COL_DIRECTION else shown.cells[column]
        return None


_DISPLAY = Qt.ItemDataRole.DisplayRole
_FONT = Qt.ItemDataRole.FontRole
_ALIGN = Qt.ItemDataRole.TextAlignmentRole
_TOOLTIP = Qt.ItemDataRole.ToolTipRole
_ACCESSIBLE = Qt.ItemDataRole.AccessibleTextRole
_CENTRE = int(Qt.AlignmentFlag.AlignCenter)
_ROLES = frozenset((_DISPLAY, _FONT, _ALIGN, _TOOLTIP, _ACCESSIBLE, ROW_ROLE, ID_ROLE))
