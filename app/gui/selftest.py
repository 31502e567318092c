"""``main.py --self-test``: build the window, visit every page, run one demo sync through the real worker thread,
check that the Dashboard and History show it, quit cleanly. Exit 0, or 1 with a one-line reason."""

from __future__ import annotations

import sys
from typing import Any

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QAbstractItemView, QApplication, QLabel, QWidget

from app.gui.pages.dashboard import run_summary
from app.services.views import HistoryFilter

SYNC_TIMEOUT_MS = 300_000


class SelfTestFailed(Exception):
    pass


def _texts(widget: QWidget) -> str:
    return "\n".join(label.text() for label in widget.findChildren(QLabel))


def _wait_for_run(controller: Any) -> dict[str, Any]:
    loop = QEventLoop()
    result: dict[str, Any] = {}

    def finished(report: dict) -> None:
        result["report"] = report
        loop.quit()

    def failed(error: dict) -> None:
        result["error"] = error
        loop.quit()

    controller.run_finished.connect(finished)
    controller.run_failed.connect(failed)
    timer = QTimer()
    timer.setSingleShot(True)
    timer.timeout.connect(loop.quit)
    timer.start(SYNC_TIMEOUT_MS)
    if not controller.sync_now():
        raise SelfTestFailed("Sync now did not start a sync")
    loop.exec()
    if "error" in result:
        raise SelfTestFailed(f"the sync failed: {result['error'].get('message')}")
    if "report" not in result:
        raise SelfTestFailed(f"no sync finished within {SYNC_TIMEOUT_MS // 1000} s")
    return result["report"]


def _check(app: QApplication, window: Any, controller: Any, crash: Any) -> None:
    app.processEvents()
    if not window.keys or window.keys[0] != "dashboard":
        raise SelfTestFailed(f"the Dashboard is not the first page (pages: {', '.join(window.keys) or 'none'})")
    for key in window.keys:
        window.show_page(key)
        app.processEvents()
        if crash.caught:
            raise SelfTestFailed(f"opening the {key} page raised {crash.caught[0]}")
        if key not in window.pages or window.stack.currentWidget() is not window.slots[key]:
            raise SelfTestFailed(f"the {key} page did not open")
    window.show_page("dashboard")
    report = _wait_for_run(controller)
    if report.get("outcome") not in ("ok", "partial"):
        raise SelfTestFailed(f"the demo sync ended {report.get('outcome')}: {report.get('message')}")
    app.processEvents()
    views = window.views
    latest = views.runs(1)
    if not latest or latest[0].id != report["run_id"]:
        raise SelfTestFailed("the run is not the latest in the run list")
    if views.history_count(HistoryFilter(run_id=report["run_id"])) == 0:
        raise SelfTestFailed("History has no rows for the demo sync")
    dashboard = window.pages["dashboard"]
    if run_summary(latest[0]) not in _texts(dashboard):  # the run's summary in the last runs, in the page's words
        raise SelfTestFailed("the Dashboard does not show the run that just finished")
    if "history" in window.pages:
        window.show_page("history")
        app.processEvents()
        views_with_rows = [v for v in window.pages["history"].findChildren(QAbstractItemView)
                           if v.model() is not None and v.model().rowCount() > 0]
        if not views_with_rows:
            raise SelfTestFailed("the History page shows no rows after the sync")


def run_self_test(app: QApplication, window: Any, controller: Any, crash: Any) -> int:
    """``crash``: the CrashHandler (collecting, not showing): an unexpected error anywhere fails the test."""
    try:
        _check(app, window, controller, crash)
        if crash.caught:
            raise SelfTestFailed(f"unexpected error: {crash.caught[0]}")
    except SelfTestFailed as exc:
        print(f"self-test failed: {exc}", file=sys.stderr)
        return 1
    print(f"self-test passed: {len(window.keys)} pages visited, a demo sync ran on the worker thread and shows on "
          "the Dashboard and in History")
    return 0
