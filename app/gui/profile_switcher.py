"""Profiles in the window: each profile's services (its Views and its own SyncController, alive while the app runs),
the header's profile picker, and the controller the tray acts on (the shown profile's).

A profile is one Xero organisation with its Zoho CRM organisation; the database and the data folder are shared,
while links, history, mapping, schedule and sign-ins belong to the profile (see app/services/profiles.py).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QWidget

from app.gui.notices import NoticePolicy
from app.services.context import AppContext

ADD_PROFILE = "Add profile…"
_ADD_ROLE = "add"


def profile_context(ctx: AppContext, name: str) -> AppContext:
    """An AppContext for another profile of the same data folder: the same database, secret store (its keys name
    the profile), endpoints and clock; its own profile row, HTTP client and API clients."""
    return dataclasses.replace(ctx, profile_name=name, _profile=None, _http=None, clients={})


@dataclass(eq=False)
class ProfileSession:
    """One profile as the window holds it: its read API, its controller and (once shown) its pages."""

    name: str
    views: Any
    controller: Any
    make_connections: Callable[[], Any] | None = None
    ctx: AppContext | None = None  # closed by whoever made it (bootstrap)
    notices: NoticePolicy = field(default_factory=NoticePolicy)
    pages: dict[str, QWidget] = field(default_factory=dict)
    slots: dict[str, QWidget] = field(default_factory=dict)
    error: dict | None = None  # the error panel's words while this profile's last run failed

    def organisations(self) -> tuple[str, str]:
        """The Xero and Zoho CRM organisation names (last known; "" when not connected)."""
        orgs = {h.provider: h.organisation for h in self.views.connections() if h.connected}
        return orgs.get("xero", ""), orgs.get("zoho", "")

    def label(self) -> str:
        """"Kiwi branch — Bluegum NZ Ltd", or "Kiwi branch — not connected yet"."""
        xero, _zoho = self.organisations()
        return f"{self.name} — {xero or 'not connected yet'}"


class ProfilePicker(QWidget):
    """The header's compact profile picker: "Profile [Kiwi branch — Bluegum NZ Ltd ▾]" with "Add profile…" last.
    Alt+P focuses it; the arrow keys choose.

    Signals: chosen(str) a profile was picked; add_requested() "Add profile…" was picked.
    """

    chosen = Signal(str)
    add_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.combo = QComboBox(self)
        self.combo.setAccessibleName("Profile")
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.combo.setMaximumWidth(420)
        label = QLabel("&Profile", self)
        label.setBuddy(self.combo)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(label)
        layout.addWidget(self.combo)
        self._current = ""
        self.combo.activated.connect(self._activated)

    def set_profiles(self, sessions: list[ProfileSession], current: str, *, can_add: bool) -> None:
        self.combo.blockSignals(True)
        self.combo.clear()
        for session in sessions:
            xero, zoho = session.organisations()
            self.combo.addItem(session.label(), session.name)
            tip = f"Xero: {xero or 'not connected'}\nZoho CRM: {zoho or 'not connected'}"
            self.combo.setItemData(self.combo.count() - 1, tip, Qt.ItemDataRole.ToolTipRole)
        if can_add:
            self.combo.insertSeparator(self.combo.count())
            self.combo.addItem(ADD_PROFILE, _ADD_ROLE)
        self._current = current
        self.combo.setCurrentIndex(max(0, self.combo.findData(current)))
        self.combo.blockSignals(False)

    @property
    def names(self) -> list[str]:
        return [self.combo.itemData(i) for i in range(self.combo.count())
                if self.combo.itemData(i) not in (None, _ADD_ROLE)]

    @Slot(int)
    def _activated(self, index: int) -> None:
        data = self.combo.itemData(index)
        if data == _ADD_ROLE:
            self.combo.setCurrentIndex(max(0, self.combo.findData(self._current)))  # stays until one is added
            self.add_requested.emit()
        elif data and data != self._current:
            self._current = data
            self.chosen.emit(data)


class ShownController(QObject):
    """What the tray acts on: the shown profile's controller (Sync now, Pause), its state forwarded.

    Signals: state_changed(str) the shown profile's state (also when another profile is shown)."""

    state_changed = Signal(str)

    def __init__(self, controller: Any, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._controller = controller
        controller.state_changed.connect(self._forward)

    def show(self, controller: Any) -> None:
        if controller is self._controller:
            return
        self._controller.state_changed.disconnect(self._forward)
        self._controller = controller
        controller.state_changed.connect(self._forward)
        self.state_changed.emit(controller.state)

    @Slot(str)
    def _forward(self, state: str) -> None:
        self.state_changed.emit(state)

    @property
    def state(self) -> str:
        return self._controller.state

    def sync_now(self) -> bool:
        return self._controller.sync_now()

    def pause_for(self, seconds: float) -> None:
        self._controller.pause_for(seconds)
