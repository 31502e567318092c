"""Until the full desktop app lands, `main.py` with no command opens a window that says what is running."""

import pytest
from PySide6.QtWidgets import QLabel

from app.gui.placeholder import PlaceholderWindow

pytestmark = pytest.mark.gui


def _text(window) -> str:
    return "\n".join(label.text() for label in window.findChildren(QLabel))


def test_window_shows_the_demo_sandbox(qtbot):
    endpoints = {"xero": {"api_base": "http://127.0.0.1:5001/api.xro/2.0"},
                 "zoho": {"api_domain": "http://127.0.0.1:5002/us/api"}}
    window = PlaceholderWindow(demo_endpoints=endpoints)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert "Demo mode" in _text(window) and "127.0.0.1:5001" in _text(window)
    assert window.windowTitle() == "Ledgerbridge"


def test_window_without_demo_asks_to_connect(qtbot):
    window = PlaceholderWindow()
    qtbot.addWidget(window)
    assert "Connect Xero and Zoho CRM" in _text(window)
