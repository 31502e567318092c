"""One sign-in, run off the GUI thread: the loopback listener waits for the browser's redirect on a worker thread
while the window stays responsive; Cancel closes the listener.

The browser is opened on the GUI thread (``QDesktopServices.openUrl`` belongs there): the worker hands the URL over
with ``open_url``. When Xero shares several organisations the worker asks with ``choose_organisation`` and waits
for :meth:`LoginTask.choose` (or Cancel). Results are plain dicts.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

from app.auth.errors import AuthCancelled
from app.errors import AppError
from app.gui.worker import error_dict
from app.integrations.xero.models import Connection as XeroConnection
from app.services.connections import ConnectionService
from app.store.db import DB

log = logging.getLogger(__name__)

SIGN_IN_TIMEOUT_S = 300.0  # Xero's authorisation code lives five minutes


class _Runner(QObject):
    """Lives on the task's thread; ``run`` does the blocking sign-in."""

    open_url = Signal(str)
    choose_organisation = Signal(object)
    succeeded = Signal(dict)
    failed = Signal(dict)
    cancelled = Signal()

    def __init__(self, provider: str, make_connections: Callable[[], ConnectionService], options: dict[str, Any],
                 timeout: float, cancel: threading.Event) -> None:
        super().__init__()
        self.provider, self.options, self.timeout = provider, options, timeout
        self._make_connections = make_connections
        self.cancel = cancel
        self._chosen: str | None = None
        self._answered = threading.Event()

    def answer(self, org_id: str) -> None:
        self._chosen = org_id
        self._answered.set()

    def _open(self, url: str) -> bool:
        self.open_url.emit(url)
        return True

    def _choose(self, organisations: list[XeroConnection]) -> XeroConnection:
        self.choose_organisation.emit([{"id": o.tenant_id, "name": o.tenant_name} for o in organisations])
        while not self._answered.wait(0.05):
            if self.cancel.is_set():
                raise AuthCancelled()
        return next(o for o in organisations if o.tenant_id == self._chosen)

    @Slot()
    def run(self) -> None:
        try:
            connections = self._make_connections()
            if self.provider == "xero":
                status = connections.connect_xero(self._open, timeout=self.timeout, cancel=self.cancel,
                                                  choose_org=self._choose, **self.options)
            else:
                status = connections.connect_zoho(self._open, timeout=self.timeout, cancel=self.cancel,
                                                  **self.options)
            self.succeeded.emit(status.as_dict())
        except AuthCancelled:
            self.cancelled.emit()
        except AppError as exc:
            log.info("sign-in to %s did not finish: %s", self.provider, exc.technical or exc.message)
            self.failed.emit(error_dict(exc))
        except Exception as exc:  # a bug: say so calmly
            log.exception("sign-in to %s stopped on an unexpected error", self.provider)
            self.failed.emit(error_dict(exc))
        finally:
            if DB.obj is not None and not DB.obj.is_closed():
                DB.obj.close()  # this thread's connection only
            QThread.currentThread().quit()


class LoginTask(QObject):
    """Signals: ``open_url(str)`` (GUI thread: open the browser), ``choose_organisation(list)`` ([{"id", "name"}]),
    ``succeeded(dict)`` (the side's status), ``failed(dict)`` ({"title", "message", "technical"}), ``cancelled()``,
    and ``ended()`` once the thread has stopped, whatever the outcome."""

    open_url = Signal(str)
    choose_organisation = Signal(object)
    succeeded = Signal(dict)
    failed = Signal(dict)
    cancelled = Signal()
    ended = Signal()

    def __init__(self, provider: str, make_connections: Callable[[], ConnectionService],
                 options: dict[str, Any] | None = None, timeout: float = SIGN_IN_TIMEOUT_S,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.provider = provider
        self._cancel = threading.Event()
        self._thread = QThread()
        self._thread.setObjectName(f"sign-in-{provider}")
        self._runner = _Runner(provider, make_connections, dict(options or {}), timeout, self._cancel)
        self._runner.moveToThread(self._thread)
        self._thread.started.connect(self._runner.run)
        for name in ("open_url", "choose_organisation", "succeeded", "failed", "cancelled"):
            getattr(self._runner, name).connect(getattr(self, name))
        self._thread.finished.connect(self._on_finished)

    @property
    def running(self) -> bool:
        return self._thread.isRunning()

    def start(self) -> None:
        self._thread.start()

    def cancel(self) -> None:
        """Stop waiting: the listener closes within a moment and ``cancelled`` follows."""
        self._cancel.set()

    def choose(self, org_id: str) -> None:
        self._runner.answer(org_id)

    def wait(self) -> None:
        """Block until the thread has ended (after ``cancel``; used when the page goes away)."""
        self._thread.wait()

    @Slot()
    def _on_finished(self) -> None:
        self._thread.wait()  # ``finished`` comes just before the thread ends: let it end before anyone deletes us
        self.ended.emit()
