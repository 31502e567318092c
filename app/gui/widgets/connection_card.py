"""One side's connection on the Dashboard: organisation, data centre, whether it renews by itself or needs the
user by a date, and the API allowance left as last reported."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QLabel, QPushButton, QVBoxLayout, QWidget

from app.gui.widgets.labels import heading, muted

RECONNECT_WARNING_DAYS = 14
DATA_CENTRES = {"us": "United States", "eu": "Europe", "in": "India", "au": "Australia", "jp": "Japan",
                "ca": "Canada", "cn": "China", "sa": "Saudi Arabia", "uk": "United Kingdom"}
NO_BUDGET_YET = "API use shows here after the first sync"


def budget_text(provider: str, budget: dict[str, Any]) -> str:
    """The allowance left as the service last reported it (a missing figure is simply not said)."""
    if provider == "xero":
        day, minute, limit = budget.get("day_remaining"), budget.get("minute_remaining"), budget.get("day_limit")
        parts = []
        if day is not None:
            parts.append(f"{day:,}" + (f" of {limit:,}" if limit else "") + " left today")
        if minute is not None:
            parts.append(f"{minute:,} this minute")
        return "API calls: " + " · ".join(parts) if parts else NO_BUDGET_YET
    credits, limit = budget.get("credits_remaining"), budget.get("credits_limit")
    if credits is not None:
        return f"API credits: {credits:,}" + (f" of {limit:,}" if limit else "") + " left today"
    if budget.get("calls"):  # Zoho reports credits only once half the day's allowance is used
        return "API credits: more than half left today"
    return NO_BUDGET_YET


def health_text(conn: Any, now: datetime) -> str:
    if conn.needs_sign_in or not conn.connected:
        return f"Sign in to {conn.label} again to keep syncing" if conn.organisation else "Not connected"
    if conn.reconnect_by is not None and conn.reconnect_by - now <= timedelta(days=RECONNECT_WARNING_DAYS):
        by = conn.reconnect_by.astimezone()
        return f"Reconnect {conn.label} by {by.day} {by:%b}"
    return "Connection renews automatically"


class ConnectionCard(QFrame):
    open_page = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 12)
        layout.setSpacing(3)
        self.title = heading("")
        self.organisation = QLabel()
        self.organisation.setWordWrap(True)
        self.details = muted()
        self.health = QLabel()
        self.health.setWordWrap(True)
        self.budget = muted()
        self.connect_button = QPushButton("Connect…")
        self.connect_button.clicked.connect(lambda: self.open_page.emit("connections"))
        for widget in (self.title, self.organisation, self.details, self.health, self.budget):
            layout.addWidget(widget)
        layout.addWidget(self.connect_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addStretch(1)

    def show_health(self, conn: Any, now: datetime) -> None:
        self.title.setText(conn.label)
        self.organisation.setText(conn.organisation or "No organisation connected")
        details = []
        if conn.dc:
            details.append(f"Data centre: {DATA_CENTRES.get(conn.dc, conn.dc.upper())}")
        if conn.user:
            details.append(f"Signed in as {conn.user}")
        self.details.setText(" · ".join(details))
        self.details.setVisible(bool(details))
        self.health.setText(health_text(conn, now))
        ok = conn.connected and not conn.needs_sign_in
        self.budget.setText(budget_text(conn.provider, conn.budget or {}))
        self.budget.setVisible(ok)
        self.connect_button.setText("Reconnect…" if conn.organisation else "Connect…")
        self.connect_button.setVisible(not ok)
        self.setAccessibleName(f"{conn.label}: {self.organisation.text()}. {self.health.text()}")


# ----- the page ------------------------------------------------------------------------------------------------
