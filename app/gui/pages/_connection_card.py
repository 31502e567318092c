"""One side's card on the Connections page: set up and connect, wait for the browser, pick an organisation, or show
the connection. Plain widgets and words; the page does the work."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.gui.errors import ErrorPanel
from app.integrations.endpoints import ZOHO_DATA_CENTRES
from app.services.settings_schema import XERO_DAY_LIMITS
from app.services.views import ConnectionHealth
from app.services.words import PROVIDER_LABELS, local

RECONNECT_WARNING_DAYS = 14
DATA_CENTRE_NAMES = {"us": "United States (zoho.com)", "eu": "Europe (zoho.eu)", "in": "India (zoho.in)",
                     "au": "Australia (zoho.com.au)", "jp": "Japan (zoho.jp)", "ca": "Canada (zohocloud.ca)",
                     "sa": "Saudi Arabia (zoho.sa)", "uk": "United Kingdom (zoho.uk)", "cn": "China (zoho.com.cn)"}
PURPOSE = {
    "xero": "Ledgerbridge reads and updates your Xero contacts, items and invoices, and reads payments, so they "
            "match Zoho CRM.",
    "zoho": "Ledgerbridge reads and updates your Zoho CRM accounts, products and invoices, and turns Closed Won "
            "deals into Xero invoices.",
}
HOW_TO = {
    "xero": ("Sign in at developer.xero.com, open My Apps and click New app.",
             "Choose “Mobile or desktop app” (Auth Code with PKCE), name it Ledgerbridge, and paste this "
             "redirect URI:",
             "Click Create app, then copy the Client id it shows into the box above."),
    "zoho": ("Open api-console.zoho.com (the site of your data centre) and click Add Client.",
             "Choose “Server-based Applications”, name it Ledgerbridge, and paste this Authorized Redirect URI:",
             "Click Create, then copy the Client ID (and the Client Secret) into the boxes above."),
}


def bold(label: QLabel) -> QLabel:
    font = QFont(label.font())
    font.setBold(True)
    label.setFont(font)
    return label


def _wrapped(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def _confirm_panel(parent: QWidget, confirm_label: str, on_cancel: Callable[[], None],
                   on_confirm: Callable[[], None]) -> tuple[QFrame, QLabel, QPushButton, QPushButton]:
    """A hidden "say what will happen, then Cancel / do it" panel: its frame, text, Cancel and confirm buttons."""
    frame = QFrame(parent)
    text = _wrapped()
    cancel = QPushButton("Cancel")
    cancel.clicked.connect(on_cancel)
    confirm = QPushButton(confirm_label)
    confirm.clicked.connect(on_confirm)
    buttons = QHBoxLayout()
    buttons.addStretch(1)
    buttons.addWidget(cancel)
    buttons.addWidget(confirm)
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(text)
    layout.addLayout(buttons)
    frame.hide()
    return frame, text, cancel, confirm


def renewal_words(health: ConnectionHealth, now: datetime) -> str:
    """"Connection renews automatically", or when Xero's 60-day sign-in must be renewed by a person."""
    if health.needs_sign_in:
        return f"{health.label} no longer accepts the saved sign-in: reconnect to carry on syncing."
    by = health.reconnect_by
    if by is not None and local(by) - now.astimezone() <= timedelta(days=RECONNECT_WARNING_DAYS):
        when = local(by)
        return f"Reconnect needed by {when.day} {when:%b}"
    return "Connection renews automatically"


def budget_words(health: ConnectionHealth, xero_plan: str) -> str:
    budget = health.budget or {}
    if health.provider == "xero" and budget.get("day_remaining") is not None:
        limit = XERO_DAY_LIMITS.get(xero_plan, XERO_DAY_LIMITS["standard"])
        return f"{int(budget['day_remaining']):,} of {limit:,} API calls left today"
    if health.provider == "zoho" and budget.get("credits_remaining") is not None:
        return f"{int(budget['credits_remaining']):,} API credits left today"
    return "Shown after the next sync"


class ProviderCard(QFrame):
    """One side: set up and connect, wait for the browser, pick an organisation, or show the connection."""

    connect_clicked = Signal(str, dict)  # provider, options for connect_xero/connect_zoho
    cancel_clicked = Signal(str)
    organisation_chosen = Signal(str, str)  # provider, organisation id
    disconnect_clicked = Signal(str)
    reopen_clicked = Signal(str)
    keep_links_clicked = Signal(str)  # another organisation is connected: same business, keep the links
    fresh_asked = Signal(str)  # "Start fresh…": the page says what it sets aside (confirm_fresh)
    fresh_confirmed = Signal(str)
    reset_asked = Signal(str)  # "Reset connection…": the page says what it clears (confirm_reset)
    reset_confirmed = Signal(str)

    def __init__(self, provider: str, redirect_uri: str, client_id: str, dc: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.provider = provider
        self.label = PROVIDER_LABELS[provider]
        self.setObjectName(f"{provider}Card")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        title = bold(QLabel(self.label))
        title.setFont(QFont(title.font().family(), round(title.font().pointSizeF() * 1.3), QFont.Weight.Bold))
        self.setup_page = self._build_setup(redirect_uri, client_id, dc)
        self.waiting_page = self._build_waiting()
        self.choose_page = self._build_choose()
        self.connected_page = self._build_connected()
        # One state shows at a time; the others are hidden, so the card is as tall as the state it shows.
        self.pages = {"setup": self.setup_page, "waiting": self.waiting_page, "choosing": self.choose_page,
                      "connected": self.connected_page}
        self._show_page("setup")
        self.error = ErrorPanel(self)
        self.error.hide()
        self.org_box = self._build_org_change()
        self.org_box.hide()
        self.org_done = _wrapped()  # what the decision did, in a sentence
        self.org_done.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.org_box)
        layout.addWidget(self.org_done)
        for page in self.pages.values():
            layout.addWidget(page)
        layout.addWidget(self.error)

    # ----- the four states ---------------------------------------------------------------------------------
    def _build_setup(self, redirect_uri: str, client_id: str, dc: str) -> QWidget:
        page = QWidget(self)
        self.purpose = _wrapped(PURPOSE[self.provider])
        self.client_id = QLineEdit(client_id)
        self.client_id.setPlaceholderText("Paste the client id of your app")
        self.client_id.setAccessibleName(f"{self.label} client id")
        self.client_id.textChanged.connect(self._update_connect)
        form = QFormLayout()
        form.addRow("Client id", self.client_id)
        self.secret = self.dc = None
        if self.provider == "zoho":
            self.secret = QLineEdit()
            self.secret.setEchoMode(QLineEdit.EchoMode.Password)
            self.secret.setPlaceholderText("Optional: only if Zoho gave you one")
            self.secret.setAccessibleName("Zoho CRM client secret")
            form.addRow("Client secret", self.secret)
            self.dc = QComboBox()
            self.dc.setAccessibleName("Zoho CRM data centre")
            for code in ZOHO_DATA_CENTRES:
                self.dc.addItem(DATA_CENTRE_NAMES.get(code, code), code)
            self.dc.setCurrentIndex(max(0, self.dc.findData(dc)))
            form.addRow("Data centre", self.dc)
        self.how_to_toggle = QToolButton()
        self.how_to_toggle.setText("How do I get one?")
        self.how_to_toggle.setCheckable(True)
        self.how_to_toggle.setAutoRaise(True)
        self.how_to = self._build_how_to(redirect_uri)
        self.how_to.hide()
        self.how_to_toggle.toggled.connect(self.how_to.setVisible)
        self.connect_button = QPushButton(f"Connect {self.label}")
        self.connect_button.setDefault(True)
        self.connect_button.clicked.connect(self._on_connect)
        self.setup_reason = QLabel()
        self.setup_reason.setEnabled(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.how_to_toggle)
        buttons.addStretch(1)
        buttons.addWidget(self.setup_reason)
        buttons.addWidget(self.connect_button)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.purpose)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.how_to)
        self._update_connect()
        return page

    def _build_how_to(self, redirect_uri: str) -> QWidget:
        box = QFrame(self)
        box.setFrameShape(QFrame.Shape.StyledPanel)
        first, second, third = HOW_TO[self.provider]
        self.redirect_uri = QLineEdit(redirect_uri)
        self.redirect_uri.setReadOnly(True)
        self.redirect_uri.setAccessibleName("Redirect URI to register")
        self.copy_button = QPushButton("Copy")
        self.copy_button.setAccessibleName("Copy the redirect URI")
        self.copy_button.clicked.connect(self._copy_redirect)
        uri_row = QHBoxLayout()
        uri_row.addWidget(self.redirect_uri, 1)
        uri_row.addWidget(self.copy_button)
        layout = QVBoxLayout(box)
        layout.addWidget(_wrapped(f"1. {first}"))
        layout.addWidget(_wrapped(f"2. {second}"))
        layout.addLayout(uri_row)
        layout.addWidget(_wrapped(f"3. {third}"))
        return box

    def _build_waiting(self) -> QWidget:
        page = QWidget(self)
        self.waiting_text = _wrapped("Finish signing in in your browser…")
        busy = QProgressBar()
        busy.setRange(0, 0)
        busy.setTextVisible(False)
        busy.setMaximumHeight(8)
        busy.setAccessibleName("Waiting for the browser")
        self.reopen_button = QPushButton("Open the browser again")
        self.reopen_button.clicked.connect(lambda: self.reopen_clicked.emit(self.provider))
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(lambda: self.cancel_clicked.emit(self.provider))
        buttons = QHBoxLayout()
        buttons.addWidget(self.reopen_button)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.waiting_text)
        layout.addWidget(busy)
        layout.addLayout(buttons)
        layout.addStretch(1)
        return page

    def _build_choose(self) -> QWidget:
        page = QWidget(self)
        self.choose_text = _wrapped("Xero shared several organisations. Which one should Ledgerbridge keep in step "
                                    "with Zoho CRM?")
        self.org_buttons = QButtonGroup(page)
        self.org_list = QVBoxLayout()
        self.use_org_button = QPushButton("Use this organisation")
        self.use_org_button.setDefault(True)
        self.use_org_button.clicked.connect(self._on_choose)
        cancel = QPushButton("Cancel")
        cancel.clicked.connect(lambda: self.cancel_clicked.emit(self.provider))
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.use_org_button)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.choose_text)
        layout.addLayout(self.org_list)
        layout.addLayout(buttons)
        layout.addStretch(1)
        return page

    def _build_connected(self) -> QWidget:
        page = QWidget(self)
        self.organisation = bold(_wrapped())
        self.details = QFormLayout()
        self.data_centre = _wrapped()
        self.signed_in_as = _wrapped()
        self.renewal = _wrapped()
        self.budget = _wrapped()
        self.details.addRow("Organisation", self.organisation)
        if self.provider == "zoho":
            self.details.addRow("Data centre", self.data_centre)
        self.details.addRow("Signed in as", self.signed_in_as)
        self.details.addRow("Sign-in", self.renewal)
        self.details.addRow("API use", self.budget)
        self.reconnect_button = QPushButton("Reconnect…")
        self.reconnect_button.clicked.connect(self.show_setup)
        self.disconnect_button = QPushButton("Disconnect")
        self.disconnect_button.clicked.connect(self._ask_disconnect)
        self.confirm = QFrame(page)
        self.confirm_text = _wrapped(f"Disconnect {self.label}? Syncing stops until you connect again; links and "
                                     "history are kept.")
        self.confirm_button = QPushButton(f"Disconnect {self.label}")
        self.confirm_button.clicked.connect(self._on_disconnect)
        keep = QPushButton("Keep connected")
        keep.clicked.connect(self._end_confirm)
        confirm_layout = QHBoxLayout(self.confirm)
        confirm_layout.setContentsMargins(0, 0, 0, 0)
        confirm_layout.addWidget(self.confirm_text, 1)
        confirm_layout.addWidget(keep)
        confirm_layout.addWidget(self.confirm_button)
        self.confirm.hide()
        # Less prominent than Disconnect: a flat button on the left, and it asks first (confirm_reset).
        self.reset_button = QToolButton()
        self.reset_button.setText("Reset connection…")
        self.reset_button.setAutoRaise(True)
        self.reset_button.setAccessibleName(f"Reset the {self.label} connection")
        self.reset_button.clicked.connect(lambda: self.reset_asked.emit(self.provider))
        self.reset_confirm, self.reset_text, self.reset_cancel, self.reset_confirm_button = _confirm_panel(
            page, f"Reset {self.label}", self._end_reset_confirm, self._on_reset)
        self.busy_text = QLabel()
        self.busy_text.setEnabled(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.reset_button)
        buttons.addWidget(self.busy_text)
        buttons.addStretch(1)
        buttons.addWidget(self.reconnect_button)
        buttons.addWidget(self.disconnect_button)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self.details)
        layout.addLayout(buttons)
        layout.addWidget(self.confirm)
        layout.addWidget(self.reset_confirm)
        layout.addStretch(1)
        return page

    def _build_org_change(self) -> QFrame:
        """Another organisation is connected than the links were made with: say so and offer the two choices."""
        box = QFrame(self)
        box.setObjectName(f"{self.provider}OrganisationChanged")
        box.setFrameShape(QFrame.Shape.StyledPanel)
        box.setAutoFillBackground(True)
        self.org_text = bold(_wrapped())
        self.keep_button = QPushButton("Keep the links (same business, new connection)")
        self.keep_button.clicked.connect(lambda: self.keep_links_clicked.emit(self.provider))
        self.fresh_button = QPushButton("Start fresh…")
        self.fresh_button.clicked.connect(lambda: self.fresh_asked.emit(self.provider))
        choices = QHBoxLayout()
        choices.addWidget(self.keep_button)
        choices.addWidget(self.fresh_button)
        choices.addStretch(1)
        self.fresh_confirm, self.fresh_text, self.fresh_cancel, self.fresh_confirm_button = _confirm_panel(
            box, "Start fresh", self._end_fresh_confirm, lambda: self.fresh_confirmed.emit(self.provider))
        self.org_busy = QLabel()
        self.org_busy.setEnabled(False)
        self.org_busy.hide()
        layout = QVBoxLayout(box)
        layout.addWidget(self.org_text)
        layout.addLayout(choices)
        layout.addWidget(self.fresh_confirm)
        layout.addWidget(self.org_busy)
        return box

    # ----- showing a state ---------------------------------------------------------------------------------
    def _show_page(self, state: str) -> None:
        self._state = state
        for name, page in self.pages.items():
            page.setVisible(name == state)

    @property
    def state(self) -> str:
        return self._state

    @Slot()
    def show_setup(self) -> None:
        self._show_page("setup")
        self._update_connect()

    def show_waiting(self) -> None:
        self.error.hide()
        self.org_done.hide()  # what the last reset or decision did is old news once signing in again
        self.waiting_text.setText("Finish signing in in your browser…")
        self._show_page("waiting")
        self.cancel_button.setFocus()

    def show_choice(self, organisations: list[dict[str, str]]) -> None:
        for button in self.org_buttons.buttons():
            self.org_buttons.removeButton(button)
            self.org_list.removeWidget(button)
            button.deleteLater()
        for n, org in enumerate(organisations):
            button = QRadioButton(org["name"])
            button.setProperty("org_id", org["id"])
            button.setChecked(n == 0)
            self.org_buttons.addButton(button)
            self.org_list.addWidget(button)
        self._show_page("choosing")
        self.use_org_button.setFocus()

    def show_connected(self, health: ConnectionHealth, now: datetime, xero_plan: str) -> None:
        self.organisation.setText(health.organisation or "—")
        self.data_centre.setText(DATA_CENTRE_NAMES.get(health.dc, health.dc.upper()) if health.dc else "—")
        self.signed_in_as.setText(health.user)
        self.details.setRowVisible(self.signed_in_as, bool(health.user))
        self.renewal.setText(renewal_words(health, now))
        self.budget.setText(budget_words(health, xero_plan))
        self.reconnect_button.setVisible(health.needs_sign_in or self.renewal.text().startswith("Reconnect"))
        self._end_confirm()
        self._show_page("connected")

    def show_error(self, error: dict[str, Any]) -> None:
        self.error.show_dict(error)

    # ----- another organisation connected ------------------------------------------------------------------
    def show_org_change(self, message: str) -> None:
        """``message`` says what changed and what each choice means; empty when there is nothing to decide."""
        if self.deciding:
            return  # the decision under way says how it went
        if not message:
            self.org_box.hide()
            return
        if message != self.org_text.text():
            self._end_fresh_confirm()
        self.org_text.setText(message)
        self.org_done.hide()
        self.org_box.show()

    @property
    def deciding(self) -> bool:
        return not self.org_busy.isHidden()

    def confirm_fresh(self, text: str) -> None:
        self.fresh_text.setText(text)
        self.fresh_confirm.show()
        self.fresh_button.setEnabled(False)
        self.fresh_cancel.setFocus()

    def _end_fresh_confirm(self) -> None:
        self.fresh_confirm.hide()
        self.fresh_button.setEnabled(True)

    def set_deciding(self, text: str) -> None:
        self.error.hide()
        self.fresh_confirm.hide()
        for button in (self.keep_button, self.fresh_button):
            button.setEnabled(False)
        self.org_busy.setText(text)
        self.org_busy.show()

    def decided(self, sentence: str) -> None:
        """The decision is made (``sentence``: what it did) or failed (empty: the error panel says why)."""
        self.org_busy.hide()
        for button in (self.keep_button, self.fresh_button):
            button.setEnabled(True)
        self.org_done.setText(sentence)
        self.org_done.setVisible(bool(sentence))

    def confirm_reset(self, text: str) -> None:
        """``text`` says exactly what resetting clears; nothing is done until the user confirms."""
        self.confirm.hide()
        self.reset_text.setText(text)
        self.reset_confirm.show()
        self.reset_button.setEnabled(False)
        self.reset_cancel.setFocus()

    def _end_reset_confirm(self) -> None:
        self.reset_confirm.hide()
        self.reset_button.setEnabled(True)

    def set_resetting(self) -> None:
        self.error.hide()
        self.reset_confirm.hide()
        for button in (self.reset_button, self.disconnect_button, self.reconnect_button):
            button.setEnabled(False)
        self.busy_text.setText("Copying the database, then setting the links aside…")

    def reset_finished(self, sentence: str) -> None:
        """The reset is done (``sentence``: what it did, shown above the card's state) or failed (empty: the
        error panel says why and the side stays connected)."""
        self.busy_text.setText("")
        for button in (self.reset_button, self.disconnect_button, self.reconnect_button):
            button.setEnabled(True)
        self.org_done.setText(sentence)
        self.org_done.setVisible(bool(sentence))

    def set_disconnecting(self) -> None:
        self.confirm.hide()
        self.reset_confirm.hide()
        self.disconnect_button.setEnabled(False)
        self.busy_text.setText("Disconnecting…")

    # ----- user actions ------------------------------------------------------------------------------------
    def _update_connect(self) -> None:
        ready = bool(self.client_id.text().strip())
        self.connect_button.setEnabled(ready)
        self.setup_reason.setText("" if ready else "Enter the client id first")

    def _on_connect(self) -> None:
        options: dict[str, Any] = {"client_id": self.client_id.text().strip()}
        if self.provider == "zoho":
            assert self.secret is not None and self.dc is not None
            if self.secret.text().strip():
                options["client_secret"] = self.secret.text().strip()
            options["dc"] = self.dc.currentData()
        self.error.hide()
        self.connect_clicked.emit(self.provider, options)

    def _copy_redirect(self) -> None:
        QGuiApplication.clipboard().setText(self.redirect_uri.text())
        self.copy_button.setText("Copied")

    def _on_choose(self) -> None:
        checked = self.org_buttons.checkedButton()
        if checked is not None:
            self.waiting_text.setText("Connecting…")
            self._show_page("waiting")
            self.organisation_chosen.emit(self.provider, str(checked.property("org_id")))

    def _ask_disconnect(self) -> None:
        self._end_reset_confirm()
        self.confirm.show()
        self.confirm_button.setFocus()

    def _end_confirm(self) -> None:
        self.confirm.hide()
        self._end_reset_confirm()
        self.disconnect_button.setEnabled(True)
        self.busy_text.setText("")

    def _on_disconnect(self) -> None:
        self.set_disconnecting()
        self.disconnect_clicked.emit(self.provider)

    def _on_reset(self) -> None:
        self.set_resetting()
        self.reset_confirmed.emit(self.provider)
