"""Connections: a card per side to connect, check and disconnect Xero and Zoho CRM.

Reads come from the read API (``Views.connections()``: no network, no secret store). Signing in runs on its own
thread (:class:`LoginTask`: the loopback listener waits there while the browser is open); disconnecting revokes the
sign-in over the network, so it goes to the controller's worker. After either, the worker is told to build its
clients anew, so the next sync uses the new connection.

A side connected to another organisation than the links were made with stops syncing until the user decides, on
that side's card: keep the links (same business) or start fresh (the old links and history set aside, after a
backup). The decision runs on the worker (``org_change.decide`` takes the run lock).

"Reset connection…" on a connected card starts over with that side: it first says exactly what it clears, then
(on the worker, under the run lock) backs up, sets the links and history aside and disconnects the side
(``org_change.reset_connection``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import QCoreApplication, QUrl, Signal, Slot
from PySide6.QtGui import QDesktopServices, QFont, QPalette
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

from app.clock import Clock, SystemClock
from app.gui.pages._connection_card import ProviderCard, bold
from app.gui.pages._login_task import LoginTask
from app.gui.widgets.banner import attention_colour, mix
from app.services import org_change
from app.services.connections import ConnectionService
from app.services.views import Views
from app.store.settings import get_setting


class ConnectionsPage(QWidget):
    """``make_connections`` builds a ConnectionService (one per sign-in, used on the sign-in thread; the page reads
    the redirect URIs from one). ``open_browser`` opens a URL (the system browser unless a test plays it)."""

    open_page = Signal(str)
    connections_changed = Signal()  # a side was connected or disconnected (the header and dashboard refresh)

    def __init__(self, make_connections: Callable[[], ConnectionService], views: Views, controller: Any, *,
                 open_browser: Callable[[str], object] | None = None, clock: Clock | None = None,
                 sign_in_timeout: float | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._make_connections = make_connections
        self._views = views
        self._controller = controller
        self._open_browser = open_browser or (lambda url: QDesktopServices.openUrl(QUrl(url)))
        self._clock = clock or SystemClock()
        self._timeout = sign_in_timeout
        self._logins: dict[str, LoginTask] = {}
        self._ended: dict[str, LoginTask] = {}
        self._last_url: dict[str, str] = {}
        service = make_connections()
        profile = service.ctx.profile
        self._profile = profile
        secrets = service.ctx.secrets

        heading = bold(QLabel("Connections"))
        heading.setFont(QFont(heading.font().family(), round(heading.font().pointSizeF() * 1.5), QFont.Weight.Bold))
        self.notice = QLabel()
        self.notice.setObjectName("secretsNotice")
        self.notice.setWordWrap(True)
        self.notice.setVisible(not secrets.is_secure)
        self.notice.setText(
            "⚠ This computer has no system keyring Ledgerbridge can use, so your sign-ins to Xero and Zoho CRM "
            "are kept in a file on this computer that only your user account can open, not encrypted. Anyone who "
            "can sign in as you, or copy your files, could use them. Set up the system keyring (Windows Credential "
            "Manager, macOS Keychain or GNOME Keyring), restart Ledgerbridge and connect again to keep them there.")
        self.notice.setAutoFillBackground(True)
        self.notice.setMargin(10)
        self.cards: dict[str, ProviderCard] = {}
        for provider in ("xero", "zoho"):
            endpoint_id = getattr(service.ctx.endpoints, provider).client_id
            card = ProviderCard(provider, service.redirect_uri(provider),
                                get_setting(profile, f"{provider}.client_id") or endpoint_id,
                                str(get_setting(profile, "zoho.dc")))
            card.connect_clicked.connect(self._connect)
            card.cancel_clicked.connect(self._cancel)
            card.organisation_chosen.connect(self._choose)
            card.disconnect_clicked.connect(self._disconnect)
            card.reopen_clicked.connect(self._reopen)
            card.keep_links_clicked.connect(lambda p: self._decide(p, "keep"))
            card.fresh_asked.connect(self._ask_fresh)
            card.fresh_confirmed.connect(lambda p: self._decide(p, "fresh"))
            card.reset_asked.connect(self._ask_reset)
            card.reset_confirmed.connect(self._reset)
            self.cards[provider] = card
        self._deciding = ""  # the side whose card asked for the organisation decision under way
        controller.task_finished.connect(self._on_task_finished)
        controller.run_failed.connect(self._run_failed)
        app = QCoreApplication.instance()
        if app is not None:  # a sign-in still waiting when the app quits: close its listener, end its thread
            app.aboutToQuit.connect(self.cancel_sign_ins)

        body = QWidget()
        column = QVBoxLayout(body)
        column.setContentsMargins(24, 16, 24, 16)
        column.addWidget(heading)
        column.addWidget(self.notice)
        column.addWidget(self.cards["xero"])
        column.addWidget(self.cards["zoho"])
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(body)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        for widget in (self.notice, *(card.org_box for card in self.cards.values())):
            self._tint(widget)
        self.refresh()

    @staticmethod
    def _tint(widget: QWidget) -> None:
        palette = widget.palette()
        base = palette.color(QPalette.ColorRole.Window)
        palette.setColor(QPalette.ColorRole.Window, mix(base, attention_colour(palette), 0.25))
        widget.setPalette(palette)

    # ----- reading -----------------------------------------------------------------------------------------
    @Slot()
    def refresh(self) -> None:
        now = datetime.fromtimestamp(self._clock.time()).astimezone()
        plan = str(get_setting(self._profile, "xero.plan") or "standard")
        changes = {c.provider: c.message for c in org_change.pending_changes(self._profile)}
        for provider, card in self.cards.items():
            card.show_org_change(changes.get(provider, ""))
        for health in self._views.connections():
            card = self.cards[health.provider]
            if health.provider in self._logins or card.busy_text.text():
                continue  # a sign-in or a disconnect is under way: its own result will update the card
            if health.organisation:  # connected, or once connected and now asking to sign in again
                card.show_connected(health, now, plan)
            else:
                card.show_setup()

    # ----- signing in --------------------------------------------------------------------------------------
    @Slot(str, dict)
    def _connect(self, provider: str, options: dict[str, Any]) -> None:
        if provider in self._logins:
            return
        kwargs = {"timeout": self._timeout} if self._timeout else {}
        task = LoginTask(provider, self._make_connections, options, **kwargs)
        task.open_url.connect(lambda url, p=provider: self._open(p, url))
        task.choose_organisation.connect(self.cards[provider].show_choice)
        task.succeeded.connect(lambda status, p=provider: self._signed_in(p))
        task.failed.connect(lambda error, p=provider: self._sign_in_failed(p, error))
        task.cancelled.connect(lambda p=provider: self.cards[p].show_setup())
        task.ended.connect(lambda p=provider: self._login_ended(p))
        self._logins[provider] = task
        self.cards[provider].show_waiting()
        task.start()

    def _open(self, provider: str, url: str) -> None:
        self._last_url[provider] = url
        if self._open_browser(url) is False:
            self.cards[provider].waiting_text.setText(
                "Ledgerbridge could not open your browser. Click “Open the browser again”, or open a browser "
                "yourself and try once more.")

    @Slot(str)
    def _reopen(self, provider: str) -> None:
        if provider in self._last_url:
            self._open(provider, self._last_url[provider])

    @Slot(str)
    def _cancel(self, provider: str) -> None:
        task = self._logins.get(provider)
        if task is not None:
            task.cancel()

    @Slot(str, str)
    def _choose(self, provider: str, org_id: str) -> None:
        task = self._logins.get(provider)
        if task is not None:
            task.choose(org_id)

    def _signed_in(self, provider: str) -> None:
        self._fresh_clients()
        self.connections_changed.emit()

    def _sign_in_failed(self, provider: str, error: dict[str, Any]) -> None:
        card = self.cards[provider]
        card.show_setup()
        card.show_error(error)

    def _login_ended(self, provider: str) -> None:
        # Kept until the next sign-in of this side replaces it: deleting a task while its own signal is being
        # delivered is not safe.
        self._ended[provider] = self._logins.pop(provider)
        self.refresh()

    def cancel_sign_ins(self) -> None:
        """Stop any sign-in that is waiting (the window is closing) and wait for its thread to end."""
        for task in list(self._logins.values()):
            task.cancel()
            task.wait()

    # ----- disconnecting -----------------------------------------------------------------------------------
    @Slot(str)
    def _disconnect(self, provider: str) -> None:
        def disconnect(service: Any, p: str = provider) -> None:
            service.connections.disconnect(p)
            service.reset_clients()

        self._controller.submit(f"disconnect-{provider}", disconnect)

    def _fresh_clients(self) -> None:
        self._controller.submit("fresh-clients", lambda service: service.reset_clients())

    # ----- another organisation connected -----------------------------------------------------------------
    @Slot(str)
    def _ask_fresh(self, provider: str) -> None:
        """Say exactly what starting fresh sets aside before it is done (a read: counts only)."""
        change = next((c for c in org_change.pending_changes(self._profile) if c.provider == provider), None)
        if change is None:
            self.refresh()
            return
        words = org_change.in_words(org_change.what_start_fresh_clears(self._profile))
        what = (", ".join(words[:-1]) + " and " + words[-1]) if len(words) > 1 else (words[0] if words else "nothing")
        self.cards[provider].confirm_fresh(
            f"Start fresh with {change.connected_name}? Ledgerbridge first makes a copy of the database, then sets "
            f"aside {what} under “{change.linked_name}”, where you can still read them but they never sync again. "
            "The field mapping and settings stay. The next sync starts with no links, so check its preview "
            "first.")

    def _decide(self, provider: str, choice: str) -> None:
        if self._deciding:
            return
        self._deciding = provider
        self.cards[provider].set_deciding("Keeping the links…" if choice == "keep" else
                                          "Copying the database, then setting the old links aside…")
        self._controller.submit(f"organisation-{choice}", lambda service: org_change.decide(service.ctx, choice))

    def _decided(self, result: Any) -> None:
        card = self.cards.get(self._deciding)
        self._deciding = ""
        if card is None:
            return
        if isinstance(result, dict) and result.get("error"):
            card.decided("")
            card.show_error(result["error"])
        else:
            card.decided(str(result or ""))
        self.refresh()
        self.connections_changed.emit()  # the header and the Dashboard's banner follow

    # ----- resetting a connection --------------------------------------------------------------------------
    @Slot(str)
    def _ask_reset(self, provider: str) -> None:
        """Say exactly what resetting clears before it is done (a read: counts only)."""
        label = self.cards[provider].label
        words = org_change.in_words(org_change.what_start_fresh_clears(self._profile))
        if words:
            what = (", ".join(words[:-1]) + " and " + words[-1]) if len(words) > 1 else words[0]
            aside = (f"then sets aside {what} in an archive profile named after the organisation, where you can "
                     "still read them but they never sync again, ")
        else:
            aside = "(there are no links or history to set aside yet) "
        self.cards[provider].confirm_reset(
            f"Reset the {label} connection? Ledgerbridge first makes a copy of the database, {aside}and "
            f"disconnects {label}, so syncing stops until you connect again. The field mapping and settings stay. "
            "The next sync starts with no links, so check its preview first.")

    @Slot(str)
    def _reset(self, provider: str) -> None:
        def reset(service: Any, p: str = provider) -> str:
            try:
                return org_change.reset_connection(service.ctx, p, service.connections)
            finally:
                service.reset_clients()

        self._controller.submit(f"reset-{provider}", reset)

    def _reset_done(self, provider: str, result: Any) -> None:
        card = self.cards.get(provider)
        if card is None:
            return
        if isinstance(result, dict) and result.get("error"):
            card.reset_finished("")
            card.show_error(result["error"])
        else:
            card.reset_finished(str(result or ""))
        self.refresh()
        self.connections_changed.emit()  # the header and the Dashboard follow

    @Slot(dict)
    def _run_failed(self, error: dict[str, Any]) -> None:
        self.refresh()  # a sync stopped by another organisation: the card of that side asks what to do

    @Slot(str, object)
    def _on_task_finished(self, name: str, result: Any) -> None:
        if name.startswith("organisation-"):
            self._decided(result)
            return
        if name.startswith("reset-"):
            self._reset_done(name.removeprefix("reset-"), result)
            return
        if not name.startswith("disconnect-"):
            return
        provider = name.removeprefix("disconnect-")
        card = self.cards.get(provider)
        if card is None:
            return
        card.busy_text.setText("")
        if isinstance(result, dict) and result.get("error"):
            card.show_error(result["error"])
            card.disconnect_button.setEnabled(True)
        self.refresh()
        self.connections_changed.emit()
