"""The main window: a header with the profile picker and each side's connection, the navigation list, the pages,
menus and the tray.

The window owns no work: syncs and tasks go through the SyncControllers (one per profile, each with its own
schedule, alive whichever profile is shown); pages get their services from here through their constructors (see
``page_registry``), each profile its own set of pages. Native style and the system font; colours only from the palette.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QSettings, QSize, Qt, QTimer, Signal, SignalInstance, Slot
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app import __version__
from app.clock import Clock
from app.errors import provider_label
from app.gui import page_registry
from app.gui.errors import ErrorPanel, open_folder
from app.gui.notices import Notice
from app.gui.profile_switcher import ProfilePicker, ProfileSession, ShownController
from app.gui.single_instance import bring_to_front
from app.gui.tray import Tray, icon
from app.services.org_change import OrganisationChanged

log = logging.getLogger(__name__)

MIN_SIZE = QSize(1024, 680)
STATE_WORDS = {"syncing": "Syncing…", "cancelling": "Cancelling…", "paused": "Syncing paused",
               "finishing": "Finishing the current sync…"}
LICENCES = (
    ("Qt for Python (PySide6)", "LGPL-3.0, dynamically linked; you may replace it with your own build"),
    ("httpx", "BSD-3-Clause"),
    ("keyring", "MIT"),
    ("peewee", "MIT"),
    ("platformdirs", "MIT"),
    ("orjson", "Apache-2.0 or MIT"),
)


class ConnectionBadge(QWidget):
    """ "● Xero  Bluegum Supply Co Pty Ltd" in the header. """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.dot = QLabel(self)
        self.text = QLabel(self)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.dot)
        layout.addWidget(self.text)

    def show_health(self, health: Any) -> None:
        if health.needs_sign_in:
            state, words = "problem", "reconnect needed"
        elif health.connected:
            state, words = "ok", health.organisation or "connected"
            if health.provider == "zoho" and health.dc:
                words = f"{words} ({health.dc.upper()})"
        else:
            state, words = "off", "not connected"
        self.dot.setPixmap(icon(f"status-{state}").pixmap(12, 12))
        self.text.setText(f"<b>{health.label}</b>  {words}")
        self.setAccessibleName(f"{health.label}: {words}")


class MainWindow(QMainWindow):
    """Signals: quit_finished() once a requested quit has stopped every worker cleanly (the app then ends).

    ``views``/``controller``/``make_connections`` are the profile shown first; ``others`` the data folder's other
    profiles (their controllers run their own schedules from the start); ``open_profile(name)`` makes the session of
    a profile just added (None: no "Add profile…", as in the demo)."""

    quit_finished = Signal()

    def __init__(self, *, views: Any, controller: Any, settings_file: Path | str, log_dir: Path | str,
                 clock: Clock | None = None, make_connections: Callable[[], Any] | None = None,
                 use_tray: bool = True, others: list[ProfileSession] | tuple[ProfileSession, ...] = (),
                 open_profile: Callable[[str], ProfileSession] | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.clock = clock or views.clock
        self.log_dir = Path(log_dir)
        self.settings = QSettings(str(settings_file), QSettings.Format.IniFormat)
        self.quitting = False
        self.open_profile = open_profile
        self.setWindowTitle("Ledgerbridge")
        self.setWindowIcon(icon("app"))
        self.setMinimumSize(MIN_SIZE)

        first = ProfileSession(str(getattr(controller, "profile_name", "default")), views, controller,
                               make_connections)
        self.sessions: dict[str, ProfileSession] = {}
        self.keys: list[str] = []
        self._build()
        self._build_menus()
        for session in (first, *others):
            self._adopt(session)
        self._use(first)
        self.shown_controller = ShownController(controller, self)
        self.tray = Tray(self.shown_controller, self) if use_tray else None
        if self.tray is not None:
            self.tray.open_requested.connect(self.bring_to_front)
            self.tray.quit_requested.connect(self.request_quit)
        self._refresh_picker()
        self.refresh_header()
        self._restore()

    # ----- profiles ------------------------------------------------------------------------------------------
    def _adopt(self, session: ProfileSession) -> None:
        """Take a profile's session in: its controller's signals reach the window whichever profile is shown."""
        self.sessions[session.name] = session
        for key in self.keys:  # each page is built the first time it is shown (a quicker start)
            slot = QWidget(self.stack)
            slot.setObjectName(f"page-{key}")
            QVBoxLayout(slot).setContentsMargins(0, 0, 0, 0)
            session.slots[key] = slot
            self.stack.addWidget(slot)
        controller = session.controller
        controller.state_changed.connect(partial(self._state_changed, session))
        controller.run_finished.connect(partial(self._run_finished, session))
        controller.run_failed.connect(partial(self._run_failed, session))
        controller.needs_sign_in.connect(partial(self._needs_sign_in, session))
        controller.notice.connect(partial(self._notice, session))
        controller.task_finished.connect(partial(self._task_finished, session))
        controller.stopped.connect(self._stopped)

    def _use(self, session: ProfileSession) -> None:
        self.session = session
        self.views = session.views
        self.controller = session.controller
        self.pages = session.pages
        self.slots = session.slots
        self.services: dict[str, Any] = {"views": session.views, "controller": session.controller,
                                         "clock": self.clock, "make_connections": session.make_connections}

    @property
    def profile(self) -> str:
        """The shown profile's name."""
        return self.session.name

    @Slot(str)
    def show_profile(self, name: str) -> None:
        """Show ``name``'s pages (on the page that was open) and header; the tray then acts on it."""
        session = self.sessions.get(name)
        if session is None or session is self.session:
            return
        key = self.current_key
        self._use(session)
        self.shown_controller.show(session.controller)
        self.picker.set_profiles(list(self.sessions.values()), name, can_add=self.open_profile is not None)
        self.settings.setValue("window/profile", name)
        self._state_changed(session, session.controller.state)
        if session.error:
            self._show_error(session.error)
        else:
            self.error_panel.hide()
        self.refresh_header()
        if key:
            self._page_chosen(self.keys.index(key))

    def _refresh_picker(self) -> None:
        """The picker shows once there is more than one profile (File › Add profile… makes the second)."""
        self.picker.set_profiles(list(self.sessions.values()), self.session.name,
                                 can_add=self.open_profile is not None)
        self.picker.setVisible(len(self.sessions) > 1)
        self.add_profile_action.setVisible(self.open_profile is not None)

    @Slot()
    def ask_for_profile(self) -> None:
        """"Add profile…": ask for a name, then add it (on the worker: it writes the database)."""
        dialog = QInputDialog(self)
        dialog.setWindowTitle("Add profile")
        dialog.setLabelText("A profile keeps another Xero organisation (and its Zoho CRM) in sync, with its own "
                            "settings and history.\n\nName for the new profile, for example the business's name:")
        dialog.setInputMode(QInputDialog.InputMode.TextInput)
        dialog.setOkButtonText("Add profile")
        if dialog.exec() == QInputDialog.DialogCode.Accepted and dialog.textValue().strip():
            self.add_profile(dialog.textValue())

    def add_profile(self, name: str) -> None:
        from app.services import profiles

        self.statusBar().showMessage(f"Adding the profile {name.strip()}…")
        self.controller.submit("add-profile", lambda _service: profiles.add(name))

    def _profile_added(self, result: Any) -> None:
        if isinstance(result, dict) and "error" in result:
            self.statusBar().clearMessage()
            box = QMessageBox(QMessageBox.Icon.Warning, "Add profile", str(result["error"].get("message", "")),
                              QMessageBox.StandardButton.Ok, self)
            box.open()
            return
        if self.open_profile is None or not isinstance(result, str):
            return
        session = self.open_profile(result)
        self._adopt(session)
        self._refresh_picker()
        self.show_profile(session.name)
        self.show_page("connections")  # a new profile starts by connecting its organisations
        self.statusBar().showMessage(f"Profile {session.name} added: connect its Xero organisation and Zoho CRM "
                                     "here.", 10_000)

    @property
    def controllers(self) -> list[Any]:
        return [session.controller for session in self.sessions.values()]

    # ----- layout --------------------------------------------------------------------------------------------
    def _build(self) -> None:
        body = QWidget(self)
        outer = QVBoxLayout(body)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)

        header = QWidget(body)
        header.setObjectName("header")
        row = QHBoxLayout(header)
        row.setContentsMargins(12, 8, 12, 8)
        title = QLabel("Ledgerbridge", header)
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        title.setFont(font)
        row.addWidget(title)
        row.addSpacing(24)
        self.picker = ProfilePicker(header)
        self.picker.chosen.connect(self.show_profile)
        self.picker.add_requested.connect(self.ask_for_profile)
        row.addWidget(self.picker)
        row.addStretch(1)
        self.badges = {"xero": ConnectionBadge(header), "zoho": ConnectionBadge(header)}
        for badge in self.badges.values():
            row.addSpacing(16)
            row.addWidget(badge)
        outer.addWidget(header)

        self.error_panel = ErrorPanel(body)
        self.error_panel.hide()
        self.error_panel.action_clicked.connect(lambda: open_folder(self.log_dir))
        outer.addWidget(self.error_panel)

        middle = QHBoxLayout()
        middle.setContentsMargins(0, 0, 0, 0)
        middle.setSpacing(0)
        self.nav = QListWidget(body)
        self.nav.setAccessibleName("Pages")
        self.nav.setFrameShape(QListWidget.Shape.NoFrame)
        self.nav.setFixedWidth(200)
        self.nav.setSpacing(2)
        self.stack = QStackedWidget(body)
        middle.addWidget(self.nav)
        middle.addWidget(self.stack, 1)
        outer.addLayout(middle, 1)
        self.setCentralWidget(body)

        self.specs = {spec.key: spec for spec in page_registry.available()}
        for key, spec in self.specs.items():
            self.keys.append(key)
            self.nav.addItem(spec.title)
        for index in range(self.nav.count()):
            item = self.nav.item(index)
            item.setSizeHint(QSize(0, self.nav.fontMetrics().height() * 2))
        self.nav.currentRowChanged.connect(self._page_chosen)
        for index in range(min(len(self.keys), 9)):
            shortcut = QShortcut(QKeySequence(f"Ctrl+{index + 1}"), self)
            shortcut.activated.connect(lambda i=index: self.nav.setCurrentRow(i))
        self.statusBar().setSizeGripEnabled(True)

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.sync_action = QAction("&Sync now", self)
        self.sync_action.setShortcut(QKeySequence("Ctrl+R"))
        self.sync_action.triggered.connect(lambda: self.controller.sync_now())
        file_menu.addAction(self.sync_action)
        self.add_profile_action = QAction("&Add profile…", self)
        self.add_profile_action.triggered.connect(self.ask_for_profile)
        file_menu.addAction(self.add_profile_action)
        file_menu.addSeparator()
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Quit))
        quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        quit_action.triggered.connect(self.request_quit)
        file_menu.addAction(quit_action)
        help_menu = self.menuBar().addMenu("&Help")
        logs = QAction("Open &log folder", self)
        logs.triggered.connect(lambda: open_folder(self.log_dir))
        help_menu.addAction(logs)
        about = QAction("&About Ledgerbridge", self)
        about.setMenuRole(QAction.MenuRole.AboutRole)
        about.triggered.connect(self.show_about)
        help_menu.addAction(about)

    # ----- pages ---------------------------------------------------------------------------------------------
    @property
    def current_key(self) -> str:
        row = self.nav.currentRow()
        return self.keys[row] if 0 <= row < len(self.keys) else ""

    def page(self, key: str) -> QWidget:
        """The page for ``key``, built (with the services its constructor names) the first time it is needed."""
        if key not in self.pages:
            page = page_registry.build(self.specs[key], self.services)
            self.pages[key] = page
            self.slots[key].layout().addWidget(page)
            if hasattr(page, "open_page"):
                page.open_page.connect(self.show_page)
            if hasattr(page, "connections_changed"):
                page.connections_changed.connect(self.refresh_header)
            if isinstance(getattr(page, "show_run", None), SignalInstance):  # the Dashboard's "Show in History"
                page.show_run.connect(self._show_run)
        return self.pages[key]

    @Slot(int)
    def _show_run(self, run_id: int) -> None:
        """The Dashboard's "Show in History": the History page opens on that run."""
        if "history" in self.specs:
            history = self.page("history")
            if hasattr(history, "show_run"):
                history.show_run(run_id)

    @Slot(str)
    def show_page(self, key: str) -> None:
        if key in self.keys:
            self.nav.setCurrentRow(self.keys.index(key))

    @Slot(int)
    def _page_chosen(self, row: int) -> None:
        if not 0 <= row < len(self.keys):
            return
        key = self.keys[row]
        fresh = key not in self.pages
        page = self.page(key)
        self.stack.setCurrentWidget(self.slots[key])
        self.settings.setValue("window/page", key)
        if not fresh:  # a page just built has read its figures already
            self._refresh_page(page)

    @staticmethod
    def _refresh_page(page: QWidget) -> None:
        refresh = getattr(page, "refresh", None)
        if callable(refresh):
            refresh()

    # ----- header and state ----------------------------------------------------------------------------------
    @Slot()
    def refresh_header(self) -> None:
        healths = {h.provider: h for h in self.views.connections()}
        for provider, badge in self.badges.items():
            if provider in healths:
                badge.show_health(healths[provider])
        if self.picker.isVisible():  # organisation names change when a profile connects
            self.picker.set_profiles(list(self.sessions.values()), self.session.name,
                                     can_add=self.open_profile is not None)
        attention = self.views.attention()
        if self.tray is not None:
            self.tray.set_attention(attention.total > 0)

    def _state_changed(self, session: ProfileSession, state: str) -> None:
        if session is not self.session:
            return
        words = STATE_WORDS.get(state, "")
        self.setWindowTitle(f"Ledgerbridge — {words}" if words else "Ledgerbridge")
        self.sync_action.setEnabled(state in ("idle", "paused"))
        if words:
            self.statusBar().showMessage(words)
        else:
            self.statusBar().clearMessage()

    def _run_finished(self, session: ProfileSession, report: dict) -> None:
        if report.get("outcome") in ("ok", "partial"):
            session.error = None  # errors are states: they clear when fixed
            if session is self.session:
                self.error_panel.hide()
        if session is self.session:
            self.refresh_header()
            current = self.pages.get(self.current_key)
            if current is not None:
                self._refresh_page(current)
        self._notify_after_run(session, str(report.get("outcome", "")))

    def _run_failed(self, session: ProfileSession, error: dict) -> None:
        if (error.get("provider") and error.get("title") == "Sign-in needed") or \
                error.get("title") == OrganisationChanged.title:
            return  # the Dashboard's banner asks to reconnect or to choose: one banner, not two
        session.error = error
        if session is self.session:
            self._show_error(error)
            self.refresh_header()
        self._notify_after_run(session, "failed")

    def _show_error(self, error: dict) -> None:
        self.error_panel.show_dict(error, action="Open log folder" if "log folder" in error.get("message", "")
                                   else "")

    def _needs_sign_in(self, session: ProfileSession, provider: str) -> None:
        if session is self.session:
            self.refresh_header()
            badge = self.badges.get(provider)
            if badge is not None:  # before the store knows (the run could not start), say it here
                badge.dot.setPixmap(icon("status-problem").pixmap(12, 12))
                badge.text.setText(f"<b>{provider_label(provider)}</b>  reconnect needed")
        if self.tray is not None:
            if session is self.session:
                self.tray.set_attention(True)
            notice = session.notices.sign_in_needed(provider)
            if notice:
                self.tray.notify(self._named(session, notice))

    def _notify_after_run(self, session: ProfileSession, outcome: str) -> None:
        if self.tray is None:
            return
        views = session.views
        last = views.last_successful()
        last_at = last.ended_at.timestamp() if last is not None and last.ended_at else None
        for notice in session.notices.after_run(outcome, views.attention().failed, last_at, self.clock.time()):
            self.tray.notify(self._named(session, notice))

    def _named(self, session: ProfileSession, notice: Notice) -> Notice:
        """With several profiles a notification says whose it is."""
        if len(self.sessions) < 2:
            return notice
        return dataclasses.replace(notice, title=f"{notice.title} ({session.name})")

    def _notice(self, session: ProfileSession, text: str) -> None:
        if session is self.session:
            self.statusBar().showMessage(text, 8000)

    def _task_finished(self, session: ProfileSession, name: str, result: Any) -> None:
        if name == "add-profile":
            self._profile_added(result)

    # ----- closing and quitting ------------------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        self._save_geometry()
        keep_in_tray = (not self.quitting and self.tray is not None and self.tray.available
                        and any(controller.interval_minutes > 0 for controller in self.controllers))
        if keep_in_tray:
            event.ignore()
            self.hide()
            if not self.settings.value("tray/told", False, type=bool):
                self.settings.setValue("tray/told", True)
                self.tray.tell("Ledgerbridge keeps syncing",
                               "The window is closed, but syncing carries on from here in the tray. Choose Quit "
                               "in the tray menu to stop it.")
            return
        if not self.quitting:
            event.ignore()
            self.request_quit()
            return
        event.accept()

    @Slot()
    def request_quit(self) -> None:
        """Quit: running syncs (any profile's) stop cleanly first ("Finishing the current sync…")."""
        if self.quitting:
            return
        self.quitting = True
        self._save_geometry()
        for controller in self.controllers:
            controller.stop()

    @Slot()
    def _stopped(self) -> None:
        if not self.quitting or not all(controller.has_stopped for controller in self.controllers):
            return
        if self.tray is not None:
            self.tray.hide()
        self.close()
        self.quit_finished.emit()

    @Slot()
    def bring_to_front(self) -> None:
        bring_to_front(self)

    # ----- remembering -----------------------------------------------------------------------------------------
    def _restore(self) -> None:
        geometry = self.settings.value("window/geometry")
        if isinstance(geometry, QByteArray | bytes):
            self.restoreGeometry(QByteArray(geometry))
        else:
            self.resize(1180, 760)
        self.show_profile(str(self.settings.value("window/profile", self.session.name)))  # the one shown last
        key = str(self.settings.value("window/page", "dashboard"))
        row = self.keys.index(key) if key in self.keys else 0
        if self.keys:
            self.nav.setCurrentRow(row)

    def _save_geometry(self) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.sync()

    # ----- about -----------------------------------------------------------------------------------------------
    def show_about(self) -> None:
        rows = "".join(f"<tr><td>{name}</td><td>&nbsp;&nbsp;{licence}</td></tr>" for name, licence in LICENCES)
        box = QMessageBox(self)
        box.setWindowTitle("About Ledgerbridge")
        box.setIconPixmap(icon("app").pixmap(64, 64))
        box.setTextFormat(Qt.TextFormat.RichText)
        box.setText(f"<h3>Ledgerbridge {__version__}</h3>"
                    "<p>Keeps Xero and Zoho CRM in sync for small businesses.</p>")
        box.setInformativeText(f"<p>Made with these open-source components:</p><table>{rows}</table>"
                               f"<p>Logs: {self.log_dir}</p>")
        box.setStandardButtons(QMessageBox.StandardButton.Ok)
        QTimer.singleShot(0, box.raise_)
        box.exec()
