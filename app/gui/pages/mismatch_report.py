"""The mismatch report: what the last full comparison of Xero and Zoho CRM found, one row per difference, each
with a button that syncs that record (on the worker, through the controller) and an export to CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.services.history_words import field_label
from app.services.words import pair_label, plural

SYNCABLE = ("mismatch", "total_mismatch", "missing", "only_in_xero", "only_in_zoho")
RECORD_NOUNS = {"contacts": "customer", "items": "item", "invoices": "invoice", "deals": "deal",
                "payments": "payment"}
TASK_PREFIX = "reconcile-sync:"


def record_noun(pair: str) -> str:
    return RECORD_NOUNS.get(pair, "record")


def what_differs(finding: dict[str, Any]) -> str:
    """One sentence per finding, in the user's words."""
    kind, noun = finding.get("kind", ""), record_noun(finding.get("pair", ""))
    detail = str(finding.get("detail") or "")
    if kind == "mismatch":
        field = str(finding.get("field") or "")
        return f"{field_label('xero', field.split(' ⇄ ')[0].strip())} differs" if field else "A field differs"
    if kind == "total_mismatch":
        return "The invoice totals differ"
    if kind == "only_in_xero":
        return f"This {noun} is in Xero but not in Zoho CRM"
    if kind == "only_in_zoho":
        return f"This {noun} is in Zoho CRM but not in Xero"
    if kind == "possible_match":
        return f"Looks like the same {noun}" + (f" ({detail})" if detail else "")
    if kind == "missing":
        return (detail[:1].upper() + detail[1:]) if detail else "The linked record is no longer found"
    return detail or "Differs"


def shown_value(value: Any) -> str:
    return "" if value is None else str(value)


def record_key(finding: dict[str, Any]) -> str:
    """Rows of one record share a key (a record can differ in several fields)."""
    return f"{TASK_PREFIX}{finding.get('pair', '')}:{finding.get('xero_id') or ''}:{finding.get('zoho_id') or ''}"


def sync_record_task(finding: dict[str, Any]) -> Callable[[Any], dict[str, Any]]:
    """The work the worker runs for "Sync this record": a targeted sync of this record on both sides."""
    pair = finding["pair"]
    xero_ids = [finding["xero_id"]] if finding.get("xero_id") else []
    zoho_ids = [finding["zoho_id"]] if finding.get("zoho_id") else []

    def run(service: Any) -> dict[str, Any]:
        return service.engine().sync_records(pair, xero_ids, zoho_ids, trigger="reconcile").as_dict()

    return run


SYNCED = "Synced"
NOTHING_CHANGED = "Nothing changed: edit the record in Xero or Zoho CRM, then sync again"


def task_outcome(result: Any) -> str:
    """What the row says once its sync is done (a targeted sync that wrote nothing says so)."""
    result = result if isinstance(result, dict) else {}
    if result.get("error"):
        error = result["error"]
        return "Not synced: " + (error.get("message") or error.get("title") or "something went wrong")
    counts = result.get("counts") or {}
    if result.get("outcome") not in (None, "ok") or counts.get("failed"):
        return "Not synced: see Failed records" if counts.get("failed") else \
            "Not synced: " + (result.get("message") or "see History")
    if any(counts.get(key) for key in ("created", "updated", "linked", "archived", "deleted")):
        return SYNCED
    return NOTHING_CHANGED


class MismatchModel(QAbstractTableModel):
    COLUMNS = ("Record", "Records", "What differs", "In Xero", "In Zoho CRM", "Result", "")
    RESULT, ACTION = 5, 6

    def __init__(self, findings: list[dict[str, Any]] | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[dict[str, Any]] = list(findings or [])
        self._status: dict[str, str] = {}

    # ----- Qt model ----------------------------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal \
                and 0 <= section < len(self.COLUMNS):
            return self.COLUMNS[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        finding = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self.cell_text(index.row(), index.column())
        if role == Qt.ItemDataRole.UserRole:
            return finding
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    # ----- content -----------------------------------------------------------------------------------------
    def cell_text(self, row: int, column: int) -> str:
        f = self._rows[row]
        if column == 0:
            return f.get("record") or "(no name)"
        if column == 1:
            return pair_label(f.get("pair", ""))
        if column == 2:
            return what_differs(f)
        if column == 3:
            return shown_value(f.get("xero_value")) if f.get("kind") in ("mismatch", "total_mismatch") else ""
        if column == 4:
            return shown_value(f.get("zoho_value")) if f.get("kind") in ("mismatch", "total_mismatch") else ""
        if column == self.RESULT:
            return self._status.get(record_key(f), "")
        return ""

    def finding(self, row: int) -> dict[str, Any]:
        return self._rows[row]

    def status(self, row: int) -> str:
        return self._status.get(record_key(self._rows[row]), "")

    def set_status(self, key: str, text: str) -> list[int]:
        """Every row of this record shows ``text``; returns those rows."""
        self._status[key] = text
        rows = [i for i, f in enumerate(self._rows) if record_key(f) == key]
        for row in rows:
            cell = self.index(row, self.RESULT)
            self.dataChanged.emit(cell, cell, [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole])
        return rows

    def csv_text(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["Record", "Records", "What differs", "In Xero", "In Zoho CRM", "Result"])
        for row in range(len(self._rows)):
            writer.writerow([self.cell_text(row, column) for column in range(self.ACTION)])
        return out.getvalue()


def difference_count(findings: list[dict[str, Any]]) -> str:
    return plural(len(findings), "difference")


class MismatchReportDialog(QDialog):
    """Opened from the Dashboard. Not modal: the user can keep it open beside the window."""

    open_page = Signal(str)

    def __init__(self, report: dict[str, Any], controller: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.setWindowTitle("Differences between Xero and Zoho CRM")
        self.resize(1000, 480)
        findings = list(report.get("findings") or [])
        self.model = MismatchModel(findings, self)
        layout = QVBoxLayout(self)
        when = report.get("at")
        checked = ""
        if when:
            local = datetime.fromtimestamp(when, UTC).astimezone()
            checked = f"{local.day} {local:%b %Y} at {local:%H:%M}"
        intro = QLabel(f"{difference_count(findings)} found when both systems were compared in full"
                       + (f" on {checked}." if checked else ".") +
                       " Sync a record to bring both sides together, or export the list to check it.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        for column, width in ((0, 180), (1, 150), (3, 130), (4, 130), (5, 110)):
            self.table.setColumnWidth(column, width)
        layout.addWidget(self.table, 1)
        self.buttons: list[QPushButton | None] = []
        for row, finding in enumerate(findings):
            self.buttons.append(self._row_button(row, finding))
        header.setSectionResizeMode(MismatchModel.ACTION, QHeaderView.ResizeMode.ResizeToContents)
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.export_button = box.addButton("Export CSV…", QDialogButtonBox.ButtonRole.ActionRole)
        self.export_button.clicked.connect(self._choose_export)
        self.export_button.setEnabled(bool(findings))
        box.rejected.connect(self.reject)
        layout.addWidget(box)
        controller.task_finished.connect(self._task_finished)

    def _row_button(self, row: int, finding: dict[str, Any]) -> QPushButton | None:
        if finding.get("kind") in SYNCABLE:
            button = QPushButton("Sync this record", self.table)
            button.setToolTip(f"Sync '{finding.get('record') or 'this record'}' between Xero and Zoho CRM now")
            button.clicked.connect(lambda _=False, r=row: self.sync_row(r))
        elif finding.get("kind") == "possible_match":
            button = QPushButton("Review match", self.table)
            button.setToolTip("Confirm or reject this likely match in Conflicts & matches")
            button.clicked.connect(lambda _=False: self.open_page.emit("conflicts"))
        else:
            return None
        self.table.setIndexWidget(self.model.index(row, MismatchModel.ACTION), button)
        return button

    def sync_row(self, row: int) -> None:
        finding = self.model.finding(row)
        key = record_key(finding)
        self._set_row_state(key, "Syncing…", enabled=False)
        self.controller.submit(key, sync_record_task(finding))

    def _set_row_state(self, key: str, text: str, enabled: bool) -> None:
        for row in self.model.set_status(key, text):
            button = self.buttons[row]
            if button is not None:
                button.setText("Sync this record" if enabled else text)
                button.setEnabled(enabled)

    def _task_finished(self, name: str, result: object) -> None:
        if not name.startswith(TASK_PREFIX):
            return
        outcome = task_outcome(result)
        self._set_row_state(name, outcome, enabled=outcome != SYNCED)

    def export_csv(self, path: Path) -> None:
        # utf-8-sig: Excel then reads names with accents correctly
        path.write_text(self.model.csv_text(), encoding="utf-8-sig", newline="")

    def _choose_export(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, "Export differences", str(Path.home() / "differences.csv"),
                                              "CSV files (*.csv)")
        if not name:
            return
        try:
            self.export_csv(Path(name))
        except OSError as exc:
            QMessageBox.warning(self, "Could not export", f"The file could not be saved: {exc.strerror or exc}. "
                                "Choose another folder and try again.")
