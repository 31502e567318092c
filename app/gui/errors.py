"""Errors as the user meets them: a panel with a title, what happened, what to do, and the raw detail behind
"Show technical details"; and a last-resort hook that turns an unexpected exception into a calm dialog.
"""

from __future__ import annotations

import logging
import sys
import traceback
from pathlib import Path
from types import TracebackType
from typing import Any

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

log = logging.getLogger(__name__)


def open_folder(path: Path | str) -> None:
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


class ErrorPanel(QFrame):
    """Title, what happened, what to do, and a "Show technical details" expander. ``action`` adds one button
    (e.g. "Open Connections"); its click is ``action_clicked``. ``dismissed`` when the user closes the panel."""

    action_clicked = Signal()
    dismissed = Signal()

    def __init__(self, parent: QWidget | None = None, *, closable: bool = True) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.setBackgroundRole(QPalette.ColorRole.AlternateBase)
        self.title = QLabel()
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.message = QLabel()
        self.advice = QLabel()
        for label in (self.title, self.message, self.advice):
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.toggle = QToolButton()
        self.toggle.setText("Show technical details")
        self.toggle.setCheckable(True)
        self.toggle.setAutoRaise(True)
        self.toggle.toggled.connect(self._show_details)
        self.details = QPlainTextEdit()
        self.details.setReadOnly(True)
        self.details.setMaximumHeight(120)
        self.details.hide()
        self.action = QPushButton()
        self.action.clicked.connect(self.action_clicked)
        self.action.hide()
        self.close_button = QPushButton("Dismiss")
        self.close_button.clicked.connect(self._dismiss)
        self.close_button.setVisible(closable)

        buttons = QHBoxLayout()
        buttons.addWidget(self.toggle)
        buttons.addStretch(1)
        buttons.addWidget(self.action)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.message)
        layout.addWidget(self.advice)
        layout.addLayout(buttons)
        layout.addWidget(self.details)

    def show_error(self, title: str, message: str, *, advice: str = "", technical: str = "",
                   action: str = "") -> None:
        self.title.setText(title)
        self.message.setText(message)
        self.advice.setText(advice)
        self.advice.setVisible(bool(advice))
        self.details.setPlainText(technical)
        self.toggle.setVisible(bool(technical))
        self.toggle.setChecked(False)
        self.action.setText(action)
        self.action.setVisible(bool(action))
        self.show()

    def show_dict(self, error: dict[str, Any], *, action: str = "") -> None:
        """A worker's ``{"title", "message", "technical"}``."""
        self.show_error(error.get("title") or "Something went wrong", error.get("message") or "",
                        advice=error.get("advice", ""), technical=error.get("technical") or "", action=action)

    def _show_details(self, shown: bool) -> None:
        self.details.setVisible(shown)
        self.toggle.setText("Hide technical details" if shown else "Show technical details")

    def _dismiss(self) -> None:
        self.hide()
        self.dismissed.emit()


class ErrorDialog(QDialog):
    """An ErrorPanel in a dialog, with Open log folder when a log folder is given."""

    def __init__(self, title: str, message: str, *, advice: str = "", technical: str = "",
                 log_dir: Path | str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.panel = ErrorPanel(self, closable=False)
        self.panel.setFrameShape(QFrame.Shape.NoFrame)
        self.panel.show_error(title, message, advice=advice, technical=technical)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        buttons.accepted.connect(self.accept)
        if log_dir:
            folder = buttons.addButton("Open log folder", QDialogButtonBox.ButtonRole.ActionRole)
            folder.clicked.connect(lambda: open_folder(log_dir))
        layout = QVBoxLayout(self)
        layout.addWidget(self.panel)
        layout.addWidget(buttons)
        self.setMinimumWidth(460)


class CrashHandler:
    """``sys.excepthook`` for the desktop app: log the traceback, show one calm dialog, keep running.

    Qt calls it for exceptions raised in slots and event handlers, which would otherwise only print. One dialog at a
    time: an error that repeats while its dialog is open is only logged.
    """

    def __init__(self, log_dir: Path | str, *, show_dialog: bool = True) -> None:
        self.log_dir = Path(log_dir)
        self.show_dialog = show_dialog  # the self-test has no one to click OK: it only collects
        self.caught: list[str] = []  # one line per unexpected error
        self.showing = False
        self.dialogs_shown = 0
        self._previous = sys.excepthook

    def install(self) -> None:
        sys.excepthook = self

    def uninstall(self) -> None:
        sys.excepthook = self._previous

    def __call__(self, kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            QApplication.quit()
            return
        log.critical("unexpected error", exc_info=(kind, exc, tb))
        self.caught.append(f"{kind.__name__}: {exc}")
        if not self.show_dialog or self.showing or QApplication.instance() is None:
            return
        self.showing = True
        self.dialogs_shown += 1
        try:
            dialog = ErrorDialog(
                "Something unexpected happened",
                "Ledgerbridge ran into a problem it did not expect. Your data is safe and the app keeps running.",
                advice=f"If it happens again, send the latest file from the log folder to support: {self.log_dir}",
                technical="".join(traceback.format_exception(kind, exc, tb))[-4000:],
                log_dir=self.log_dir, parent=QApplication.activeWindow())
            dialog.exec()
        finally:
            self.showing = False
