"""A small window shown until the full desktop app lands: it says what is running and what comes next."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QLabel, QMainWindow, QVBoxLayout, QWidget


class PlaceholderWindow(QMainWindow):
    def __init__(self, demo_endpoints: dict[str, Any] | None = None) -> None:
        super().__init__()
        self.setWindowTitle("Ledgerbridge")
        self.setMinimumSize(640, 360)
        body = QWidget(self)
        layout = QVBoxLayout(body)
        heading = QLabel("<h2>Ledgerbridge</h2>")
        layout.addWidget(heading)
        if demo_endpoints:
            text = (
                "<p><b>Demo mode.</b> A local copy of Xero and Zoho CRM (the sandbox) is running on this PC with "
                "the Bluegum Supply Co demo data.</p>"
                f"<p>Xero sandbox: {demo_endpoints['xero']['api_base']}<br>"
                f"Zoho CRM sandbox: {demo_endpoints['zoho']['api_domain']}</p>"
            )
        else:
            text = "<p>Connect Xero and Zoho CRM to start syncing.</p>"
        text += (
            "<p>The desktop pages (Dashboard, Connections, Field mapping, History, Failed records) are on their "
            "way. Signing in and syncing already work from the command line, for example "
            "<code>uv run main.py --demo sync --dry-run</code>, <code>--demo sync</code>, <code>--demo matches</code> "
            "and <code>--demo history</code>; see <code>uv run main.py --help</code>.</p>"
        )
        info = QLabel(text)
        info.setWordWrap(True)
        layout.addWidget(info)
        layout.addStretch(1)
        self.setCentralWidget(body)
