"""A stand-in for the SyncController in page tests: the documented ``submit``/``task_finished`` and the other
signals, running each task at once on the calling thread with the service it was given (a real SyncService in
the tests that need one, or None when the task ignores it) and recording what was asked."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal

from app.gui.worker import error_dict, plain


class FakeController(QObject):
    state_changed = Signal(str)
    run_started = Signal(dict)
    run_finished = Signal(dict)
    run_failed = Signal(dict)
    task_finished = Signal(str, object)

    def __init__(self, service: Any = None) -> None:
        super().__init__()
        self.service = service
        self.submitted: list[str] = []

    def submit(self, name: str, fn) -> None:
        self.submitted.append(name)
        try:
            result = plain(fn(self.service))
        except Exception as exc:  # the worker reports errors the same way
            result = {"error": error_dict(exc)}
        self.task_finished.emit(name, result)
