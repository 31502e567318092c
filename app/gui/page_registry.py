"""The window's pages, in navigation order. A page joins the window by having its module: one line here names it.

Each page is ``app/gui/pages/<module>.py`` with a QWidget class that takes, by name, what it needs from the
window's services (``views``, ``controller``, ``clock``, ``make_connections``), has ``open_page = Signal(str)`` and
a ``refresh()`` slot. A page whose module is not there yet is simply not listed (no empty stand-ins).
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
from dataclasses import dataclass
from typing import Any

from PySide6.QtWidgets import QWidget


@dataclass(frozen=True)
class PageSpec:
    key: str  # what open_page(str) names
    title: str  # the navigation entry
    module: str  # under app.gui.pages
    cls: str


PAGES: tuple[PageSpec, ...] = (
    PageSpec("dashboard", "Dashboard", "dashboard", "DashboardPage"),
    PageSpec("connections", "Connections", "connections", "ConnectionsPage"),
    PageSpec("mapping", "Field mapping", "mapping", "MappingPage"),
    PageSpec("history", "History", "history", "HistoryPage"),
    PageSpec("failed", "Failed records", "failed", "FailedPage"),
    PageSpec("conflicts", "Conflicts & matches", "conflicts", "ConflictsPage"),
    PageSpec("historical", "Historical sync", "historical", "HistoricalPage"),
    PageSpec("settings", "Settings", "settings", "SettingsPage"),
)


def available() -> list[PageSpec]:
    return [spec for spec in PAGES if importlib.util.find_spec(f"app.gui.pages.{spec.module}") is not None]


def build(spec: PageSpec, services: dict[str, Any]) -> QWidget:
    """The page, given the services its constructor names (a missing required one is a programming error)."""
    page_class = getattr(importlib.import_module(f"app.gui.pages.{spec.module}"), spec.cls)
    wanted = inspect.signature(page_class).parameters
    return page_class(**{name: value for name, value in services.items() if name in wanted})
