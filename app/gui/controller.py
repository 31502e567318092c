"""The sync controller: lives on the GUI thread, owns one profile's schedule and the worker thread that runs its
engine. The window keeps one controller per profile, so each profile's timer runs on its own; runs of different
profiles take turns at the data folder's run lock (the worker waits for it), and one controller never starts two
runs of its profile at once.

The schedule is checked by a short QTimer tick against the app's clock rather than by one long timer, because a
long QTimer does not count the time a laptop sleeps: each tick compares the clock with the next run's time, and a
tick that finds the clock jumped far ahead (a wake from sleep) starts one catch-up run. Scheduled runs begin after
the first successful sync (the first one is the user's, after seeing what it will do).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThread, QTimer, Signal, Slot

from app.gui.reconcile_job import last_result
from app.gui.worker import SyncWorker
from app.services.context import AppContext
from app.services.sync import SyncService
from app.store.models import Run
from app.store.settings import get_setting, set_setting

log = logging.getLogger(__name__)

TICK_MS = 15_000  # how often the schedule is checked
WAKE_GAP_S = 600  # a clock jump this much larger than expected means the computer slept
MAX_INTERVAL_MIN = 60
BUSY_NOTICE = "A sync is already running. It will show here when it finishes."


def _has_synced(ctx: AppContext) -> bool:
    return Run.select().where(Run.profile == ctx.profile, Run.dry_run == False,  # noqa: E712 - peewee
                              Run.outcome.in_(("ok", "partial"))).exists()


class SyncController(QObject):
    """Signals (plain data only):
        state_changed(str)        "idle" | "syncing" | "cancelling" | "paused" | "finishing"
        run_started(dict)         {"trigger": "manual" | "schedule" | "wake" | "resume" | …}
        progress(dict)            {"pair", "phase", "message", "done", "total"}
        run_finished(dict)        RunReport.as_dict()
        run_failed(dict)          {"title", "message", "technical", "provider"}
        needs_sign_in(str)        "xero" | "zoho"
        paused(float)             syncing resumes at (epoch seconds)
        schedule_changed(dict)    {"interval_minutes", "next_run_at", "paused_until", "waiting_for_first_sync"}
        reconcile_finished(dict)  {"at", "findings", "agree"}
        task_finished(str, object)
        notice(str)               a short sentence for the status bar ("A sync is already running…")
        stopped()                 the worker thread has ended (after stop())
    """

    state_changed = Signal(str)
    run_started = Signal(dict)
    progress = Signal(dict)
    run_finished = Signal(dict)
    run_failed = Signal(dict)
    needs_sign_in = Signal(str)
    paused = Signal(float)
    schedule_changed = Signal(dict)
    reconcile_finished = Signal(dict)
    task_finished = Signal(str, object)
    notice = Signal(str)
    stopped = Signal()

    _sync_requested = Signal(str, object)
    _task_requested = Signal(str, object)
    _reconcile_requested = Signal()
    _close_requested = Signal()

    def __init__(self, ctx: AppContext, *, make_service: Callable[[], SyncService] | None = None,
                 tick_ms: int = TICK_MS, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._clock = ctx.clock
        self._interval = max(0, min(MAX_INTERVAL_MIN, int(get_setting(ctx.profile, "sync.interval_minutes") or 0)))
        self._reconcile_hours = float(get_setting(ctx.profile, "reconcile.interval_hours") or 0)
        self._last_reconcile: dict[str, Any] | None = last_result(ctx.profile)
        self._has_synced = _has_synced(ctx)
        self._state = "idle"
        self._busy = ""  # "sync" | "reconcile" while one runs
        self._in_flight = 0  # jobs handed to the worker and not yet done
        self._cancel: threading.Event | None = None
        self._paused_until: float | None = None
        self._resume_after_pause = False  # paused by an API limit: run again by itself when it lifts
        self._stopping = False
        self._stopped = False
        self._last_tick = self._clock.time()
        self._started_at = self._last_tick  # a first reconciliation comes one interval after the app started
        self._next_run_at = self._plan_next()

        self._thread = QThread()
        self._thread.setObjectName("sync-worker")
        self._worker = SyncWorker(make_service or (lambda: SyncService(ctx)), str(ctx.paths.log_dir))
        self._worker.moveToThread(self._thread)
        self._sync_requested.connect(self._worker.run_sync)
        self._task_requested.connect(self._worker.run_task)
        self._reconcile_requested.connect(self._worker.run_reconcile)
        self._close_requested.connect(self._worker.close)
        self._worker.run_started.connect(self.run_started)
        self._worker.progress.connect(self.progress)
        self._worker.run_finished.connect(self._on_run_finished)
        self._worker.run_failed.connect(self.run_failed)
        self._worker.needs_sign_in.connect(self.needs_sign_in)
        self._worker.reconcile_finished.connect(self._on_reconcile_finished)
        self._worker.task_finished.connect(self.task_finished)
        self._worker.job_done.connect(self._on_job_done)
        self._worker.notice.connect(self.notice)
        self._thread.start()

        self._timer = QTimer(self)
        self._timer.setInterval(tick_ms)
        self._timer.timeout.connect(self._tick)
        self._timer.start()

    # ----- what the window reads ---------------------------------------------------------------------------
    @property
    def profile_name(self) -> str:
        """The profile this controller syncs (one controller per profile, each with its own schedule)."""
        return self._ctx.profile_name

    @property
    def state(self) -> str:
        return self._state

    @property
    def busy(self) -> bool:
        return bool(self._busy)

    @property
    def next_run_at(self) -> float | None:
        return self._next_run_at

    @property
    def paused_until(self) -> float | None:
        return self._paused_until

    @property
    def interval_minutes(self) -> int:
        return self._interval

    @property
    def has_stopped(self) -> bool:
        return self._stopped

    @property
    def last_reconcile(self) -> dict[str, Any] | None:
        return self._last_reconcile

    def schedule(self) -> dict[str, Any]:
        return {"interval_minutes": self._interval, "next_run_at": self._next_run_at,
                "paused_until": self._paused_until,
                "waiting_for_first_sync": bool(self._interval) and not self._has_synced}

    # ----- what the user asks for --------------------------------------------------------------------------
    def sync_now(self) -> bool:
        """Start a sync now; False (and a notice) when one is already running or the app is closing."""
        if self._stopping:
            return False
        if self._busy:
            self.notice.emit(BUSY_NOTICE)
            return False
        self._end_pause()
        self._start_sync("manual")
        return True

    def cancel(self) -> None:
        """Stop the running sync (the engine stops at its next check, within a second), or stop waiting for a
        limit to lift (or a pause to end): syncing then carries on at the next scheduled time."""
        if self._busy == "sync" and self._cancel is not None and not self._cancel.is_set():
            self._cancel.set()
            self._set_state("cancelling")
        elif not self._busy and self._paused_until is not None:
            self._end_pause()
            self._next_run_at = self._plan_next()
            self._set_state("idle")
            self.schedule_changed.emit(self.schedule())

    def reconcile_now(self) -> bool:
        if self._stopping:
            return False
        if self._busy:
            self.notice.emit(BUSY_NOTICE)
            return False
        self._start_reconcile()
        return True

    def submit(self, name: str, fn: Callable[[SyncService], Any]) -> None:
        """One-off work (retry, ignore, a match decision…) queued on the worker; ``task_finished`` says how it went."""
        if self._stopping:
            self.task_finished.emit(name, {"error": {"title": "Closing", "message": "Ledgerbridge is closing.",
                                                     "technical": "", "provider": ""}})
            return
        self._in_flight += 1
        self._task_requested.emit(name, fn)

    def pause_for(self, seconds: float) -> None:
        """Pause the schedule (not a running sync) for ``seconds``; 0 or less resumes it."""
        if seconds <= 0:
            self._end_pause()
            self._next_run_at = self._plan_next()
            if not self._busy:
                self._set_state("idle")
        else:
            self._paused_until = self._clock.time() + seconds
            self._resume_after_pause = False
            if not self._busy:
                self._set_state("paused")
            self.paused.emit(self._paused_until)
        self.schedule_changed.emit(self.schedule())

    def set_interval(self, minutes: int) -> None:
        """Sync every ``minutes`` (1–60), or 0 for no schedule. Saved through the worker."""
        minutes = max(0, min(MAX_INTERVAL_MIN, int(minutes)))
        self._interval = minutes
        self._next_run_at = self._plan_next()
        self.submit("save-interval", lambda service: set_setting(service.profile, "sync.interval_minutes", minutes))
        self.schedule_changed.emit(self.schedule())

    def stop(self) -> None:
        """Quit cleanly: cancel a running sync ("finishing" until it has stopped), skip queued work, end the thread.
        ``stopped`` is emitted when done."""
        if self._stopped:
            self.stopped.emit()
            return
        self._stopping = True
        self._timer.stop()
        self._worker.closing.set()
        if self._cancel is not None:
            self._cancel.set()
        if self._in_flight:
            self._set_state("finishing")
            return
        self._finish_stop()

    # ----- the schedule ------------------------------------------------------------------------------------
    @Slot()
    def _tick(self) -> None:
        now = self._clock.time()
        gap, self._last_tick = now - self._last_tick, now
        woke = gap > max(WAKE_GAP_S, 2 * self._interval * 60)
        if self._stopping or self._busy:
            return  # one run at a time: the timer skips while busy
        if self._paused_until is not None:
            if now < self._paused_until:
                return
            resume = self._resume_after_pause
            self._end_pause()
            if resume:
                self._start_sync("resume")
                return
            self._next_run_at = self._plan_next()
            self._set_state("idle")
            self.schedule_changed.emit(self.schedule())
        if self._interval and self._has_synced:
            if woke:
                log.info("the clock jumped %.0f s (the computer slept): one catch-up sync", gap)
                self._start_sync("wake")
                return
            if self._next_run_at is not None and now >= self._next_run_at:
                self._start_sync("schedule")
                return
        if self._reconcile_due(now):
            self._start_reconcile()

    def _plan_next(self) -> float | None:
        if not self._interval or not self._has_synced:
            return None
        return self._clock.time() + self._interval * 60

    def _reconcile_due(self, now: float) -> bool:
        if self._reconcile_hours <= 0 or not self._has_synced:
            return False
        since = float(self._last_reconcile.get("at") or 0) if self._last_reconcile else self._started_at
        return now - since >= self._reconcile_hours * 3600

    def _end_pause(self) -> None:
        self._paused_until = None
        self._resume_after_pause = False

    # ----- jobs --------------------------------------------------------------------------------------------
    def _start_sync(self, trigger: str) -> None:
        self._busy = "sync"
        self._in_flight += 1
        self._cancel = threading.Event()
        self._next_run_at = None
        self._set_state("syncing")
        self._sync_requested.emit(trigger, self._cancel)

    def _start_reconcile(self) -> None:
        self._busy = "reconcile"
        self._in_flight += 1
        self._set_state("syncing")
        self._reconcile_requested.emit()

    @Slot(dict)
    def _on_run_finished(self, report: dict[str, Any]) -> None:
        if report.get("outcome") in ("ok", "partial"):
            self._has_synced = True
        if report.get("outcome") == "paused" and report.get("paused_until"):
            self._paused_until = float(report["paused_until"])
            self._resume_after_pause = True
            self.paused.emit(self._paused_until)
        self.run_finished.emit(report)

    @Slot(dict)
    def _on_reconcile_finished(self, result: dict[str, Any]) -> None:
        self._last_reconcile = result
        self.reconcile_finished.emit(result)

    @Slot(str)
    def _on_job_done(self, name: str) -> None:
        self._in_flight = max(0, self._in_flight - 1)
        if name in ("sync", "reconcile") and self._busy == name:
            self._busy = ""
            self._cancel = None
            if not self._stopping:
                self._next_run_at = self._plan_next()
                self._set_state("paused" if self._paused_until is not None else "idle")
                self.schedule_changed.emit(self.schedule())
        elif not self._stopping:  # a task may have saved settings (Settings page): read the comparison's beat again
            self._reconcile_hours = float(get_setting(self._ctx.profile, "reconcile.interval_hours") or 0)
        if self._stopping and not self._in_flight:
            self._finish_stop()

    def _finish_stop(self) -> None:
        if self._stopped:
            return
        self._close_requested.emit()
        self._thread.wait()
        self._stopped = True
        self._set_state("idle")
        self.stopped.emit()

    def _set_state(self, state: str) -> None:
        if state != self._state:
            self._state = state
            self.state_changed.emit(state)
