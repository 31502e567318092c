"""The tray icon: idle / syncing / needs attention, a short menu, and the few notifications worth a person's time.

Where the desktop has no tray (``available`` is False) nothing is shown and the window stays the way in.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtGui import QAction, QIcon
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from app.gui.notices import Notice
from app.paths import resource_path

PAUSE_SECONDS = 3600


def icon(name: str) -> QIcon:
    return QIcon(str(resource_path("icons", f"{name}.svg")))


class Tray(QObject):
    """Signals: open_requested() (left click or Open Ledgerbridge), quit_requested()."""

    open_requested = Signal()
    quit_requested = Signal()

    def __init__(self, controller, parent: QObject | None = None) -> None:  # noqa: ANN001 - SyncController
        super().__init__(parent)
        self.controller = controller
        self.available = QSystemTrayIcon.isSystemTrayAvailable()
        self.attention = False
        self._icons = {name: icon(f"tray-{name}") for name in ("idle", "syncing", "attention")}
        self.icon = QSystemTrayIcon(self._icons["idle"], self)
        self.menu = QMenu()
        self.sync_action = QAction("Sync now", self.menu)
        self.open_action = QAction("Open Ledgerbridge", self.menu)
        self.pause_action = QAction("Pause syncing for 1 hour", self.menu)
        self.quit_action = QAction("Quit", self.menu)
        for action in (self.sync_action, self.open_action, self.pause_action):
            self.menu.addAction(action)
        self.menu.addSeparator()
        self.menu.addAction(self.quit_action)
        self.sync_action.triggered.connect(controller.sync_now)
        self.open_action.triggered.connect(self.open_requested)
        self.pause_action.triggered.connect(self._toggle_pause)
        self.quit_action.triggered.connect(self.quit_requested)
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._activated)
        controller.state_changed.connect(self._state_changed)
        self._state_changed(controller.state)
        if self.available:
            self.icon.show()

    @property
    def state(self) -> str:
        """"syncing", "attention" or "idle": what the icon shows."""
        if self.controller.state in ("syncing", "cancelling", "finishing"):
            return "syncing"
        return "attention" if self.attention else "idle"

    def set_attention(self, needed: bool) -> None:
        self.attention = needed
        self._state_changed(self.controller.state)

    def notify(self, notice: Notice) -> None:
        if self.available and self.icon.supportsMessages():
            self.icon.showMessage(notice.title, notice.message, self._icons["attention"], 15_000)

    def tell(self, title: str, message: str) -> None:
        """A one-off information message (e.g. "still running in the tray")."""
        if self.available and self.icon.supportsMessages():
            self.icon.showMessage(title, message, QSystemTrayIcon.MessageIcon.Information, 10_000)

    def hide(self) -> None:
        self.icon.hide()

    @Slot(str)
    def _state_changed(self, controller_state: str) -> None:
        state = self.state
        self.icon.setIcon(self._icons[state])
        tooltip = {"syncing": "Ledgerbridge — syncing…", "attention": "Ledgerbridge — needs your attention",
                   "idle": "Ledgerbridge"}[state]
        if controller_state == "paused":
            tooltip = "Ledgerbridge — syncing paused"
        self.icon.setToolTip(tooltip)
        paused = controller_state == "paused"
        self.pause_action.setText("Resume syncing" if paused else "Pause syncing for 1 hour")
        self.sync_action.setEnabled(controller_state not in ("syncing", "cancelling", "finishing"))

    def _toggle_pause(self) -> None:
        self.controller.pause_for(0 if self.controller.state == "paused" else PAUSE_SECONDS)

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason == QSystemTrayIcon.ActivationReason.Trigger:
            self.open_requested.emit()
