"""The sync worker: one QObject living on its own QThread, running SyncService calls one at a time.

Threading model (see ../shared/design/model-codebases.md): the controller on the GUI thread owns the schedule and
talks to this object only through queued signals; this object talks back only through signals carrying plain data
(dicts, strings, floats), never peewee rows. Every database write and every network or keyring call of the desktop
app happens here.

Database: peewee keeps one SQLite connection per thread (``SqliteDatabase`` is thread-safe by default, WAL lets the
GUI read while this thread writes), so sharing the AppContext is safe as long as nothing hands ORM objects across.
The SyncService (with its token managers and rate limiters) is built once, on this thread, on first use and kept:
access tokens stay valid between runs instead of being fetched again every cycle.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import threading
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

from app.core.runctx import ProgressEvent
from app.errors import AppError, AuthRequired, Busy
from app.services.runlock import holder
from app.services.sync import SyncService
from app.store.db import DB

log = logging.getLogger(__name__)

PROGRESS_INTERVAL_S = 0.1  # at most ten progress signals a second reach the GUI
LOCK_POLL_S = 0.5  # while another run holds the data folder, look again this often (and for a Cancel)
CANCELLED_WAITING = "Sync cancelled before it started: another sync was still running."
UNEXPECTED = ("Something unexpected stopped the sync. Nothing is lost: the next sync carries on where this one "
              "stopped. The details are in the log folder")


def error_dict(exc: BaseException, log_dir: str = "") -> dict[str, Any]:
    """An exception as words for the window: a typed AppError says its own; anything else gets a calm message."""
    if isinstance(exc, AppError):
        return {"title": exc.title, "message": exc.message, "technical": exc.technical or repr(exc),
                "provider": getattr(exc, "provider", "")}
    where = f" ({log_dir})." if log_dir else "."
    return {"title": "Something went wrong", "message": UNEXPECTED + where,
            "technical": f"{type(exc).__name__}: {exc}", "provider": ""}


def plain(value: Any) -> Any:
    """Task results as plain data: reports and dataclasses become dicts; lists and dicts are converted inside."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if hasattr(value, "as_dict"):
        return value.as_dict()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [plain(v) for v in value]
    raise TypeError(f"a task returned {type(value).__name__}, which cannot cross to the window")


def waiting_words(info: dict[str, Any]) -> str:
    """What a run that waits for the data folder's run lock says while it waits."""
    if info.get("pid") == os.getpid() and info.get("what") == "sync":
        return "Waiting for another profile's sync to finish…"  # this app runs one worker per profile
    if info.get("by") == "cli":
        return "Waiting for a sync started from a command to finish…"
    return "Waiting for another sync or change in this data folder to finish…"


class SyncWorker(QObject):
    """Runs syncs, reconciliations and one-off tasks on the worker thread.

    Signals:
        run_started(dict)         a sync began: {"trigger"}
        progress(dict)            {"pair", "phase", "message", "done", "total"}, at most ten a second
        run_finished(dict)        the run's report (RunReport.as_dict())
        run_failed(dict)          no report: {"title", "message", "technical", "provider"}
        needs_sign_in(str)        "xero" | "zoho"
        reconcile_finished(dict)  {"at", "findings", "agree"} (or {"at", "error"})
        task_finished(str, object)  a one-off task's name and plain result, or {"error": {...}}
        job_done(str)             any job ended ("sync", "reconcile" or the task's name)
        notice(str)               a short sentence for the status bar

    One writing run at a time per data folder (the run lock): a sync that finds another one running (another
    profile's, or a command's) waits for it, saying so in its progress, instead of failing; Cancel or quitting
    stops the wait.
    """

    run_started = Signal(dict)
    progress = Signal(dict)
    run_finished = Signal(dict)
    run_failed = Signal(dict)
    needs_sign_in = Signal(str)
    reconcile_finished = Signal(dict)
    task_finished = Signal(str, object)
    job_done = Signal(str)
    notice = Signal(str)

    def __init__(self, make_service: Callable[[], SyncService], log_dir: str = "") -> None:
        super().__init__()
        self._make_service = make_service
        self._service: SyncService | None = None
        self._log_dir = log_dir
        self._last_progress = 0.0
        self.closing = threading.Event()  # set by the controller: skip whatever is still queued

    def service(self) -> SyncService:
        if self._service is None:
            self._service = self._make_service()
        return self._service

    # ----- syncs -------------------------------------------------------------------------------------------
    @Slot(str, object)
    def run_sync(self, trigger: str, cancel: threading.Event) -> None:
        if self.closing.is_set():
            self.job_done.emit("sync")
            return
        self._last_progress = 0.0
        self.run_started.emit({"trigger": trigger})
        try:
            service = self.service()
            held = self._wait_for_run_lock(service, cancel)
            if held is None:
                self.notice.emit(CANCELLED_WAITING)
                return
            with held:
                report = service.sync(trigger=trigger, cancel=cancel, progress=self._on_progress)
            data = report.as_dict()
            data.pop("plan", None)  # a dry run's plan never comes this way; keep the signal small
            if report.needs_sign_in:
                self.needs_sign_in.emit(report.needs_sign_in)
            self.run_finished.emit(data)
        except AuthRequired as exc:
            self.needs_sign_in.emit(exc.provider)
            self.run_failed.emit(error_dict(exc))
        except AppError as exc:
            self.run_failed.emit(error_dict(exc))
        except Exception as exc:  # a bug: say so calmly, keep the app alive
            log.exception("the sync stopped on an unexpected error")
            self.run_failed.emit(error_dict(exc, self._log_dir))
        finally:
            self.job_done.emit("sync")

    def _wait_for_run_lock(self, service: SyncService,
                           cancel: threading.Event) -> contextlib.ExitStack | None:
        """The data folder's run lock, held (the sync inside takes it again on this thread), once it is free; None
        when Cancel or quitting came first."""
        told = False
        while True:
            held = contextlib.ExitStack()
            try:
                held.enter_context(service.locked("sync", wait=LOCK_POLL_S if told else 0.0))
                return held
            except Busy:
                if cancel.is_set() or self.closing.is_set():
                    return None
                if not told:
                    told = True
                    self.progress.emit({"pair": "", "phase": "waiting", "done": 0, "total": 0,
                                        "message": waiting_words(holder(service.ctx.paths.data_dir))})

    def _on_progress(self, event: ProgressEvent) -> None:
        now = time.monotonic()
        if now - self._last_progress < PROGRESS_INTERVAL_S:
            return
        self._last_progress = now
        self.progress.emit({"pair": event.pair, "phase": event.phase, "message": event.message,
                            "done": int(event.done or 0), "total": int(event.total or 0)})

    # ----- reconciliation ----------------------------------------------------------------------------------
    @Slot()
    def run_reconcile(self) -> None:
        from app.gui.reconcile_job import reconcile_summary

        if self.closing.is_set():
            self.job_done.emit("reconcile")
            return
        try:
            service = self.service()
            self.progress.emit({"pair": "", "phase": "comparing", "done": 0, "total": 0,
                                "message": "Comparing Xero and Zoho CRM…"})
            self.reconcile_finished.emit(reconcile_summary(service))
        except AuthRequired as exc:
            self.needs_sign_in.emit(exc.provider)
            self.reconcile_finished.emit({"at": time.time(), "error": error_dict(exc)})
        except Exception as exc:
            if not isinstance(exc, AppError):
                log.exception("reconciliation stopped on an unexpected error")
            self.reconcile_finished.emit({"at": time.time(), "error": error_dict(exc, self._log_dir)})
        finally:
            self.job_done.emit("reconcile")

    # ----- one-off tasks -----------------------------------------------------------------------------------
    @Slot(str, object)
    def run_task(self, name: str, fn: Callable[[SyncService], Any]) -> None:
        if self.closing.is_set():
            self.job_done.emit(name)
            return
        try:
            result = plain(fn(self.service()))
        except AuthRequired as exc:
            self.needs_sign_in.emit(exc.provider)
            result = {"error": error_dict(exc)}
        except Exception as exc:
            if not isinstance(exc, AppError):
                log.exception("task %s stopped on an unexpected error", name)
            result = {"error": error_dict(exc, self._log_dir)}
        self.task_finished.emit(name, result)
        self.job_done.emit(name)

    # ----- shutdown ----------------------------------------------------------------------------------------
    @Slot()
    def close(self) -> None:
        """Last job on the worker thread: let go of the HTTP clients' state and this thread's database connection,
        then stop the thread's event loop."""
        try:
            database = DB.obj
            if database is not None and not database.is_closed():
                database.close()  # this thread's connection only (peewee keeps one per thread)
        finally:
            QThread.currentThread().quit()
