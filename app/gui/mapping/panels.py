"""The Field mapping page's side panels: link by picking from searchable lists, auto-map suggestions to tick,
live values nothing maps (coverage), preview on a real record and a dry run, and saved versions with a diff. Each
panel shows data the page gives it and says what the user asked for through signals; none calls a service."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.records import FieldInfo
from app.services.mapping_editor_model import Suggestion, type_words
from app.services.words import local_time, plural

ROLE = Qt.ItemDataRole.UserRole
CHANGE_WORDS = {"to_zoho": "→ Zoho CRM", "to_xero": "→ Xero", "same": "no change", "conflict": "conflict",
                "error": "would fail", "not_sent": "not sent"}


def _wrap(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def _field_text(f: FieldInfo) -> str:
    marks = [type_words(f.type)] + (["required"] if f.required else []) + (["read-only"] if f.read_only else []) \
        + (["custom"] if f.custom else [])
    return f"{f.label}  ({', '.join(marks)})"


class FieldList(QWidget):
    """A search box over a list of one side's fields."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.search = QLineEdit()
        self.search.setPlaceholderText(f"Search {title} fields")
        self.search.setClearButtonEnabled(True)
        self.list = QListWidget()
        self.list.setAccessibleName(f"{title} fields")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel(title))
        layout.addWidget(self.search)
        layout.addWidget(self.list, 1)
        self.search.textChanged.connect(self._filter)

    def set_fields(self, fields: list[FieldInfo]) -> None:
        self.list.clear()
        for f in fields:
            item = QListWidgetItem(_field_text(f))
            item.setData(ROLE, f.name)
            self.list.addItem(item)
        self._filter(self.search.text())

    def _filter(self, text: str) -> None:
        needle = text.strip().lower()
        for i in range(self.list.count()):
            item = self.list.item(i)
            item.setHidden(bool(needle) and needle not in item.text().lower() and
                           needle not in str(item.data(ROLE)).lower())

    def current(self) -> str | None:
        item = self.list.currentItem()
        return None if item is None or item.isHidden() else str(item.data(ROLE))

    def select(self, name: str) -> None:
        for i in range(self.list.count()):
            if self.list.item(i).data(ROLE) == name:
                self.list.item(i).setHidden(False)
                self.list.setCurrentRow(i)
                return


class AddLinkPanel(QWidget):
    link_requested = Signal(str, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.xero = FieldList("Xero")
        self.zoho = FieldList("Zoho CRM")
        self.link = QPushButton("Link these two fields")
        self.link.setEnabled(False)
        lists = QHBoxLayout()
        lists.addWidget(self.xero)
        lists.addWidget(self.zoho)
        layout = QVBoxLayout(self)
        layout.addWidget(_wrap("Pick a field on each side, then link them. Or drag from a field to a field in the "
                               "lists on the left."))
        layout.addLayout(lists, 1)
        layout.addWidget(self.link)
        for side in (self.xero, self.zoho):
            side.list.currentItemChanged.connect(self._enable)
        self.link.clicked.connect(self._request)

    def set_fields(self, xero: list[FieldInfo], zoho: list[FieldInfo]) -> None:
        self.xero.set_fields(xero)
        self.zoho.set_fields(zoho)
        self._enable()

    def _enable(self) -> None:
        self.link.setEnabled(self.xero.current() is not None and self.zoho.current() is not None)

    def _request(self) -> None:
        x, z = self.xero.current(), self.zoho.current()
        if x and z:
            self.link_requested.emit(x, z)


class AutoMapPanel(QWidget):
    accepted = Signal(list)  # the ticked Suggestions

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.intro = _wrap("Links the fields' names, labels and types suggest. The clear ones are ticked; nothing "
                           "changes until you link them.")
        self.list = QListWidget()
        self.list.setWordWrap(True)
        self.list.setAccessibleName("Suggested links")
        self.accept = QPushButton("Link the ticked fields")
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.accept)
        self.accept.clicked.connect(self._accept)
        self._suggestions: list[Suggestion] = []

    def set_suggestions(self, suggestions: list[Suggestion]) -> None:
        self._suggestions = suggestions
        self.list.clear()
        for n, s in enumerate(suggestions):
            item = QListWidgetItem(f"{s.xero_label} → {s.zoho_label}\n    {s.reason} — {round(s.confidence * 100)}% "
                                   "sure")
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if s.unambiguous else Qt.CheckState.Unchecked)
            item.setData(ROLE, n)
            self.list.addItem(item)
        if not suggestions:
            self.list.addItem(QListWidgetItem("No more links to suggest: every field with a likely partner is "
                                              "linked."))
        self.accept.setEnabled(bool(suggestions))

    def _accept(self) -> None:
        ticked = [self._suggestions[int(self.list.item(i).data(ROLE))] for i in range(self.list.count())
                  if self.list.item(i).data(ROLE) is not None and
                  self.list.item(i).checkState() == Qt.CheckState.Checked]
        if ticked:
            self.accepted.emit(ticked)


class CoveragePanel(QWidget):
    reload = Signal()
    open_link = Signal(str, str)  # xero field, zoho field of the value map to fix

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.status = _wrap("Reading the values in your records…")
        self.list = QListWidget()
        self.list.setWordWrap(True)
        self.list.setAccessibleName("Values nothing maps")
        self.again = QPushButton("Read the records again")
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.again)
        self.again.clicked.connect(self.reload.emit)
        self.list.itemActivated.connect(self._open)
        self.list.itemClicked.connect(self._open)

    def set_loading(self) -> None:
        self.status.setText("Reading the values in your records…")
        self.list.clear()

    def set_gaps(self, gaps: list[dict[str, Any]]) -> None:
        self.list.clear()
        if not gaps:
            self.status.setText("Every status, tax rate and list value in your records has a mapping.")
            return
        self.status.setText(f"{plural(len(gaps), 'value')} in your records with no mapping. Records with them would "
                            "fail; click one to open its value map.")
        for g in gaps:
            item = QListWidgetItem(f"{g['message']}.\n{g['fix']}")
            item.setData(ROLE, (g["xero_field"], g["zoho_field"]))
            self.list.addItem(item)

    def messages(self) -> list[str]:
        return [self.list.item(i).text().split("\n")[0] for i in range(self.list.count())]

    def _open(self, item: QListWidgetItem) -> None:
        data = item.data(ROLE)
        if data:
            self.open_link.emit(*data)


class PreviewPanel(QWidget):
    preview_requested = Signal(str, str)  # side, record id
    dry_run_requested = Signal()
    records_wanted = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search records by name")
        self.search.setClearButtonEnabled(True)
        self.records = QListWidget()
        self.records.setAccessibleName("Records to preview")
        self.records.setMaximumHeight(110)
        self.show_it = QPushButton("Preview this record")
        self.summary = _wrap("Pick a record from Xero or Zoho CRM to see what a sync would do to it, field by field. "
                             "Nothing is written.")
        font = self.summary.font()
        font.setBold(True)
        self.summary.setFont(font)
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(["Field", "In Xero", "In Zoho CRM"])
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setWordWrap(True)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.dry = QPushButton("Dry run of the whole pair")
        self.dry_result = _wrap("")
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.records)
        layout.addWidget(self.show_it)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        row = QHBoxLayout()
        row.addWidget(self.dry)
        row.addWidget(self.dry_result, 1)
        layout.addLayout(row)
        self.search.textChanged.connect(self._filter)
        self.show_it.clicked.connect(self._request)
        self.records.itemActivated.connect(lambda _item: self._request())
        self.dry.clicked.connect(self.dry_run_requested.emit)
        self.loaded = False

    def set_records(self, records: list[dict[str, Any]]) -> None:
        self.loaded = True
        self.records.clear()
        for r in records:
            item = QListWidgetItem(f"{'Xero' if r['side'] == 'xero' else 'Zoho CRM'} · {r['name']}")
            item.setData(ROLE, (r["side"], r["id"]))
            self.records.addItem(item)
        self._filter(self.search.text())

    def reset(self) -> None:
        self.loaded = False
        self.records.clear()
        self.table.setRowCount(0)
        self.dry_result.setText("")

    def _filter(self, text: str) -> None:
        needle = text.strip().lower()
        first = None
        for i in range(self.records.count()):
            item = self.records.item(i)
            hidden = bool(needle) and needle not in item.text().lower()
            item.setHidden(hidden)
            if not hidden and first is None:
                first = i
        if needle and first is not None:
            self.records.setCurrentRow(first)

    def _request(self) -> None:
        item = self.records.currentItem()
        if item is not None and not item.isHidden():
            self.summary.setText(f"Working out what a sync would do to {item.text().split(' · ', 1)[1]}…")
            self.preview_requested.emit(*item.data(ROLE))

    def set_preview(self, preview: dict[str, Any]) -> None:
        self.summary.setText(f"{preview['record']}: {preview['summary']}")
        self.table.setRowCount(0)
        for f in preview["fields"]:
            row = self.table.rowCount()
            self.table.insertRow(row)
            change, note = f["change"], f["note"]
            xero = _shown(f["xero_before"]) + (f" → {_shown(f['xero_after'])}" if change == "to_xero" else "")
            zoho = _shown(f["zoho_before"]) + (f" → {_shown(f['zoho_after'])}" if change == "to_zoho" else "")
            if change in ("error", "conflict", "not_sent"):
                target = 1 if f["xero_before"] is None and f["zoho_before"] is not None else 2
                words = f"{CHANGE_WORDS[change]}: {note}" if note else CHANGE_WORDS[change]
                xero, zoho = (f"{xero} — {words}", zoho) if target == 1 else (xero, f"{zoho} — {words}")
            what = CHANGE_WORDS.get(change, change) + (f": {note}" if note else "")
            cells = (f"{f['xero_label']} ⇄ {f['zoho_label']}", xero, zoho)
            for col, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                cell.setToolTip(f"{cells[0]}\nXero: {xero}\nZoho CRM: {zoho}\n{what}")
                if change != "same" and col > 0 and (change not in ("to_zoho", "to_xero") or
                                                     col == (2 if change == "to_zoho" else 1)):
                    font = QFont(cell.font())
                    font.setBold(True)
                    cell.setFont(font)
                self.table.setItem(row, col, cell)
        self.table.resizeRowsToContents()

    def set_failed(self, message: str) -> None:
        self.summary.setText(message)


def _shown(value: Any) -> str:
    return "(empty)" if value is None else str(value)


class VersionsPanel(QWidget):
    compare_requested = Signal(int, int)
    restore_requested = Signal(int)
    reset_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.list = QListWidget()
        self.list.setAccessibleName("Saved versions")
        self.restore = QPushButton("Restore the selected version")
        self.reset = QPushButton("Reset to the shipped defaults")
        self.older = QComboBox()
        self.newer = QComboBox()
        self.compare = QPushButton("Compare")
        self.diff = QPlainTextEdit()
        self.diff.setReadOnly(True)
        self.diff.setPlaceholderText("The changes from one version to the other appear here.")
        grid = QGridLayout()
        grid.addWidget(QLabel("Compare"), 0, 0)
        grid.addWidget(self.older, 0, 1)
        grid.addWidget(QLabel("with"), 0, 2)
        grid.addWidget(self.newer, 0, 3)
        grid.addWidget(self.compare, 0, 4)
        buttons = QHBoxLayout()
        buttons.addWidget(self.restore)
        buttons.addWidget(self.reset)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(_wrap("Every save is kept. Restoring a version saves it again as the newest."))
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)
        layout.addLayout(grid)
        layout.addWidget(self.diff, 1)
        self.restore.clicked.connect(self._restore)
        self.reset.clicked.connect(self.reset_requested.emit)
        self.compare.clicked.connect(lambda: self.compare_requested.emit(self.older.currentData(),
                                                                         self.newer.currentData()))
        self.list.currentItemChanged.connect(lambda *_: self.restore.setEnabled(self._selected() is not None))
        self.restore.setEnabled(False)

    def set_versions(self, versions: list[dict[str, Any]], now: datetime | None = None) -> None:
        now = now or datetime.now(UTC)
        self.list.clear()
        self.older.clear()
        self.newer.clear()
        for v in versions:
            when = local_time(datetime.fromisoformat(v["saved_at"]), now) if v["saved_at"] else ""
            note = f" · {v['note']}" if v["note"] else ""
            item = QListWidgetItem(f"Version {v['version']} · {when} · {v['saved_by'] or 'someone'} · "
                                   f"{plural(v['links'], 'link')}{note}")
            item.setData(ROLE, v["version"])
            self.list.addItem(item)
        numbers = [v["version"] for v in versions] + [0]
        for n in numbers:
            label = "the shipped defaults" if n == 0 else f"version {n}"
            self.older.addItem(label, n)
            self.newer.addItem(label, n)
        if versions:
            self.newer.setCurrentIndex(0)
            self.older.setCurrentIndex(1 if len(numbers) > 1 else 0)
        else:
            self.list.addItem(QListWidgetItem("Not saved yet: the shipped mapping is in use."))
        self.compare.setEnabled(len(numbers) > 1)
        self.restore.setEnabled(False)

    def _selected(self) -> int | None:
        item = self.list.currentItem()
        data = item.data(ROLE) if item is not None else None
        return int(data) if data is not None else None

    def _restore(self) -> None:
        n = self._selected()
        if n is not None:
            self.restore_requested.emit(n)

    def set_diff(self, older: int, newer: int, lines: list[str]) -> None:
        name = {0: "the shipped defaults"}
        head = f"From {name.get(older, f'version {older}')} to {name.get(newer, f'version {newer}')}:"
        self.diff.setPlainText("\n".join([head, *[f"  • {line}" for line in lines]] if lines else
                                         [head, "  No difference."]))
