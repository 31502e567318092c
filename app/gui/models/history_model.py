"""The History table as a lazy model: the ids of one indexed query, rows fetched a page at a time as the view asks.

Filtering and ordering happen in SQL (``Views.history_ids``); the model holds the ids (a list of ints, a few MB at
a million rows) and a small cache of pages already turned into words. ``flags`` and ``rowCount`` never read the
database, so scrolling through 100,000 rows reads only the pages that come into view.
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QModelRoleDataSpan,
    QPersistentModelIndex,
    Qt,
    QTimer,
)
from PySide6.QtGui import QFont

from app.services.history_words import Names, field_label
from app.services.views import HistoryFilter, HistoryRow, Views
from app.services.words import DIRECTION_ARROWS, action_label, direction_label, local_time, pair_label

PAGE_SIZE = 50
CACHED_PAGES = 120
COLUMNS = ("Time", "Pair", "Record", "Action", "", "Changed fields")
COL_TIME, COL_PAIR, COL_RECORD, COL_ACTION, COL_DIRECTION, COL_CHANGES = range(len(COLUMNS))
CELL_ACTION, CELL_DIRECTION = len(COLUMNS), len(COLUMNS) + 1  # after the cells: the row's action and direction keys
ROW_ROLE = Qt.ItemDataRole.UserRole + 1  # the row's HistoryRow (plain frozen data, read when asked)
ID_ROLE = Qt.ItemDataRole.UserRole + 2
ATTENTION_ACTIONS = ("fail", "conflict")
MAX_FIELDS_SHOWN = 4
TIMES_KEPT = 10_000
_labels: dict[str, str] = {}  # "zoho.Account_Name" → "Account Name", worked out once per key


def _label(key: str) -> str:
    label = _labels.get(key)
    if label is None:
        label = _labels[key] = field_label(*key.split(".", 1)) if key.startswith(("xero.", "zoho.")) else key
    return label


def labels_words(keys: list[str], reason: str) -> str:
    """The changed fields for a cell ("Account Name, Phone and 3 more"), or a skip's or failure's reason. Labels
    only: the values (names looked up for ids) are worked out when a tooltip or the detail pane asks."""
    labels = list(dict.fromkeys(_label(key) for key in keys))
    if not labels:
        return reason
    shown = ", ".join(labels[:MAX_FIELDS_SHOWN])
    return shown + (f" and {len(labels) - MAX_FIELDS_SHOWN} more" if len(labels) > MAX_FIELDS_SHOWN else "")


class HistoryModel(QAbstractTableModel):
    """Each cached row is a tuple of strings (the cells, then the action and direction keys): the collector never
    tracks such tuples, so a full cache adds nothing to its passes, and a page read while scrolling makes a few
    hundred short strings rather than every invoice's line items as objects."""

    def __init__(self, views: Views, names: Names | None = None, parent: Any = None) -> None:
        super().__init__(parent)
        self.views = views
        self.names = names or Names(views.profile)
        self.filter = HistoryFilter()
        self._ids: list[int] = []
        self._pages: OrderedDict[int, tuple[tuple[str, ...], ...]] = OrderedDict()
        self._last: tuple[int, tuple[str, ...] | None] = (-1, None)  # the row the view asked about last
        self._full: tuple[int, HistoryRow | None] = (-1, None)  # the last row read whole (detail, tooltips)
        self._now: datetime = views.now()
        self._times: dict[Any, str] = {}  # the stored time's minute → "Today 10:42"
        self._bold = QFont()
        self._bold.setBold(True)
        self._prefetch = QTimer(self)  # the next page the way the user scrolls, read when the view is idle
        self._prefetch.setSingleShot(True)
        self._prefetch.setInterval(0)
        self._prefetch.timeout.connect(self._read_ahead)
        self._ahead: list[int] = []  # pages to read when idle
        self._asked = -1  # the last page the view asked for

    # ----- loading -----------------------------------------------------------------------------------------------
    def set_filter(self, f: HistoryFilter) -> None:
        """Run the one query for ``f`` and show its rows (newest first)."""
        self.beginResetModel()
        self.filter = f
        self._ids = self.views.history_ids(f)
        self._pages.clear()
        self._ahead, self._asked = [], -1
        self._last = (-1, None)
        self._full = (-1, None)
        self._now = self.views.now()
        self._times.clear()
        self.endResetModel()

    def reload(self) -> None:
        self.set_filter(self.filter)

    @property
    def ids(self) -> list[int]:
        return self._ids

    def row_of(self, row: int) -> HistoryRow | None:
        """The whole row (changes and error included), read from the database when asked."""
        if not 0 <= row < len(self._ids):
            return None
        history_id = self._ids[row]
        if self._full[0] != history_id:
            found = self.views.history_rows([history_id])
            self._full = (history_id, found[0] if found else None)
        return self._full[1]

    def _cells(self, row: int) -> tuple[str, ...] | None:
        if not 0 <= row < len(self._ids):
            return None
        page = row // PAGE_SIZE
        if page != self._asked:  # the view moved to another page: the next one that way is read when idle
            ahead = page + 1 if page > self._asked else page - 1
            self._asked = page
            if 0 <= ahead * PAGE_SIZE < len(self._ids) and ahead not in self._pages and ahead not in self._ahead:
                self._ahead = [*self._ahead[-1:], ahead]
                self._prefetch.start()
        rows = self._pages.get(page)
        if rows is None:
            rows = self._load(page)
        else:
            self._pages.move_to_end(page)
        offset = row - page * PAGE_SIZE
        return rows[offset] if offset < len(rows) else None

    def _read_ahead(self) -> None:
        wanted, self._ahead = self._ahead, []
        for page in wanted:
            if page not in self._pages:
                self._load(page)

    def _load(self, page: int) -> tuple[tuple[str, ...], ...]:
        ids = self._ids[page * PAGE_SIZE:(page + 1) * PAGE_SIZE]
        found = {t[0]: t for t in self.views.history_cells(ids)}
        rows = tuple(self._words(found[i]) if i in found else _GONE for i in ids)
        self._pages[page] = rows
        while len(self._pages) > CACHED_PAGES:
            self._pages.popitem(last=False)
        return rows

    def _words(self, t: tuple[Any, ...]) -> tuple[str, ...]:
        _id, at, pair, action, direction, name, keys, reason = t
        return (self._time_words(at), pair_label(pair), name or "", action_label(action),
                DIRECTION_ARROWS.get(direction, ""), labels_words(keys.split("\n") if keys else [], str(reason)),
                action, direction)

    def _time_words(self, at: Any) -> str:
        """"Today 10:42" for a stored time, worked out once per minute (a run writes hundreds of rows a minute)."""
        minute = at[:16] if isinstance(at, str) else at
        words = self._times.get(minute)
        if words is None:
            if len(self._times) > TIMES_KEPT:
                self._times.clear()
            words = self._times[minute] = local_time(_utc(at), self._now)
        return words

    def _tooltip(self, row: int, cells: tuple[str, ...], column: int) -> str | None:
        if column == COL_DIRECTION:
            return direction_label(cells[CELL_DIRECTION]) or None
        if column == COL_RECORD:
            return cells[COL_RECORD] or None
        r = self.row_of(row) if column in (COL_TIME, COL_CHANGES) else None
        if r is None:
            return None
        if column == COL_TIME:
            return r.at.astimezone().strftime("%A %d %B %Y, %H:%M:%S")
        lines = self.names.changes(r.pair, r.changes, mapping_version=r.mapping_version, xero_id=r.xero_id,
                                   zoho_id=r.zoho_id)
        return "\n".join(line.text() for line in lines) or cells[COL_CHANGES] or None

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
        return _FLAGS if index.isValid() else _NO_FLAGS

    def multiData(self, index: QModelIndex | QPersistentModelIndex, span: QModelRoleDataSpan) -> None:  # noqa: N802
        """The roles a cell is painted with, in one call (Qt's delegate asks for seven at once; answering them one
        ``data`` call each cost more than the painting). Every role is answered: the delegate hands the same span
        to each cell, so a role left alone would keep the cell before's value (its bold, its text)."""
        cells = None
        if index.isValid():
            row, column = index.row(), index.column()
            cells = self._last[1] if self._last[0] == row else self._cells(row)
        if cells is None:
            for wanted in span:
                wanted.clearData()
            return
        self._last = (row, cells)
        for wanted in span:
            role = wanted.role()
            if role == _DISPLAY:
                wanted.setData(cells[column])
            elif role == _FONT and column == COL_ACTION and cells[CELL_ACTION] in ATTENTION_ACTIONS:
                wanted.setData(self._bold)
            elif role == _ALIGN and column == COL_DIRECTION:
                wanted.setData(_CENTRE)
            elif role in _ROLES and role not in (_FONT, _ALIGN):
                wanted.setData(self.data(index, role))
            else:
                wanted.clearData()

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # Called several times per cell on every paint: the common roles are answered first and cheaply.
        if role not in _ROLES or not index.isValid():
            return None
        row, column = index.row(), index.column()
        if role == ID_ROLE:
            return self._ids[row] if row < len(self._ids) else None
        if role == _ALIGN:
            return _CENTRE if column == COL_DIRECTION else None
        cells = self._last[1] if self._last[0] == row else self._cells(row)
        if cells is None:
            return None
        self._last = (row, cells)
        if role == _DISPLAY:
            return cells[column] if column < len(COLUMNS) else None
        if role == _FONT:
            return self._bold if column == COL_ACTION and cells[CELL_ACTION] in ATTENTION_ACTIONS else None
        if role == ROW_ROLE:
            return self.row_of(row)
        if role == _TOOLTIP:
            return self._tooltip(row, cells, column)
        if role == _ACCESSIBLE:
            return direction_label(cells[CELL_DIRECTION]) if column == COL_DIRECTION else cells[column]
        return None


def _utc(at: Any) -> datetime:
    """``created_at`` as stored (ISO text with its offset) → an aware datetime."""
    parsed = at if isinstance(at, datetime) else datetime.fromisoformat(at)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


_GONE = ("", "", "(no longer in history)", "", "", "", "", "")  # a row pruned since the query ran: blank in place
_DISPLAY = Qt.ItemDataRole.DisplayRole
_FONT = Qt.ItemDataRole.FontRole
_ALIGN = Qt.ItemDataRole.TextAlignmentRole
_TOOLTIP = Qt.ItemDataRole.ToolTipRole
_ACCESSIBLE = Qt.ItemDataRole.AccessibleTextRole
_CENTRE = int(Qt.AlignmentFlag.AlignCenter)
_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
_NO_FLAGS = Qt.ItemFlag.NoItemFlags
_ROLES = frozenset((_DISPLAY, _FONT, _ALIGN, _TOOLTIP, _ACCESSIBLE, ROW_ROLE, ID_ROLE))
