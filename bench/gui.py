"""Desktop app benchmark: how long the window's event loop stalls during a large sync, and how fast it opens.

    uv run python -m bench.gui [--records 10000] [--starts 3]

Prints ONE JSON document on stdout (progress on stderr):
- ``max_stall_ms``: the longest gap between two ticks of a 5 ms timer on the GUI thread while the real window (every
  page, progress shown on the Dashboard) watches the worker thread sync Xero ``large:N`` into an empty Zoho — both
  emulators in the app's process (their work competes for the same interpreter), the virtual clock of bench.run.
  Goal < 50 ms.
- ``cold_start_ms``: from starting ``main.py --demo`` as a new process to the window's first paint (median of
  ``--starts`` starts on a demo folder that already exists, Python's bytecode cached as in an installed app);
  ``first_start_ms``: the same for a new demo folder, which also signs in to the sandbox first, with no bytecode
  cached yet. Goal < 1,500 ms.
Qt runs offscreen unless a display is set. Nothing here is asserted by the tests.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.history import measure as measure_history
from bench.run import log, machine, make_bench_world, ticking_clock

ROOT = Path(__file__).resolve().parents[1]
GOALS = {"max_stall_ms": 50, "cold_start_ms": 1500, "history_open_ms": 300, "history_scroll_max_ms": 16}
TICK_MS = 5


def _qt_platform() -> None:
    if not os.environ.get("QT_QPA_PLATFORM") and not os.environ.get("DISPLAY"):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"


# ----- the stall during a sync ------------------------------------------------------------------------------------
def measure_stall(n: int) -> dict[str, Any]:
    _qt_platform()
    from PySide6.QtCore import QElapsedTimer, QEventLoop, Qt, QTimer
    from PySide6.QtWidgets import QApplication

    from app.gui.controller import SyncController
    from app.gui.window import MainWindow
    from app.services.connections import ConnectionService
    from app.services.views import Views

    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory(prefix="bench-gui-") as folder:
        log(f"building Xero large:{n} and signing in")
        world = make_bench_world(Path(folder) / "data", n, "real", clock=ticking_clock())
        world.connect_both()
        controller = SyncController(world.ctx, make_service=world.sync_service)
        window = MainWindow(views=Views.of(world.ctx), controller=controller, settings_file=Path(folder) / "w.ini",
                            log_dir=Path(folder) / "logs", clock=world.clock,
                            make_connections=lambda: ConnectionService(world.ctx), use_tray=False)
        window.show()
        app.processEvents()

        gaps: list[float] = []
        clock = QElapsedTimer()
        ticker = QTimer()
        ticker.setTimerType(Qt.TimerType.PreciseTimer)
        ticker.setInterval(TICK_MS)

        marks: list[float] = []

        def tick() -> None:
            gaps.append(clock.nsecsElapsed() / 1e6)
            marks.append(time.perf_counter())
            clock.restart()

        ticker.timeout.connect(tick)
        progress_signals = []
        controller.progress.connect(lambda event: progress_signals.append(time.perf_counter()))
        done = QEventLoop()
        result: dict[str, Any] = {}
        controller.run_finished.connect(lambda report: (result.update(report=report, at=time.perf_counter()),
                                                        done.quit()))
        controller.run_failed.connect(lambda error: (result.update(error=error), done.quit()))
        import gc

        gc_started: dict[str, float] = {}
        gc_pauses: list[tuple[int, float, float]] = []  # generation, at, ms

        def gc_watch(phase: str, info: dict[str, int]) -> None:
            if phase == "start":
                gc_started["t"] = time.perf_counter()
            elif "t" in gc_started:
                now = time.perf_counter()
                gc_pauses.append((info["generation"], now, (now - gc_started.pop("t")) * 1000))

        gc.callbacks.append(gc_watch)
        log("syncing on the worker thread while the window runs")
        started = time.perf_counter()
        clock.start()
        ticker.start()
        controller.sync_now()
        done.exec()
        ticker.stop()
        gc.callbacks.remove(gc_watch)
        wall = time.perf_counter() - started
        refresh_ms = {}
        for name, refresh in (("dashboard", window.page("dashboard").refresh), ("header", window.refresh_header)):
            begun = time.perf_counter()
            refresh()
            refresh_ms[name] = round((time.perf_counter() - begun) * 1000, 1)
        stop = QEventLoop()
        controller.stopped.connect(stop.quit)
        controller.stop()
        if not controller.has_stopped:
            stop.exec()
        window.close()
        world.close()
    if "error" in result:
        raise SystemExit(f"the sync failed: {result['error']}")
    report = result["report"]
    counts = report.get("counts", {})
    records = sum(v for k, v in counts.items() if k in ("created", "updated", "linked"))
    over = sorted(gaps)
    rate = len(progress_signals) / wall if wall else 0.0
    return {
        "records": n, "outcome": report.get("outcome"), "records_written": records, "sync_s": round(wall, 1),
        "max_stall_ms": round(max(gaps), 1) if gaps else None,
        "p99_gap_ms": round(over[int(len(over) * 0.99)], 1) if over else None,
        "gaps_over_50_ms": sum(1 for g in gaps if g > 50), "ticks": len(gaps),
        "progress_signals_per_s": round(rate, 1),
        "longest_gaps": [{"at_s": round(marks[i] - started, 2), "ms": round(gaps[i], 1)}
                         for i in sorted(range(len(gaps)), key=gaps.__getitem__)[-8:]],
        "finished_at_s": round(result["at"] - started, 2),
        "gc_pauses_over_20_ms": [{"generation": g, "at_s": round(at - started, 2), "ms": round(ms, 1)}
                                 for g, at, ms in gc_pauses if ms > 20],
        "refresh_after_run_ms": refresh_ms,
    }


# ----- start-up -------------------------------------------------------------------------------------------------
CHILD = """
import sys, time
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow

class FirstPaint(QObject):
    seen = False
    def eventFilter(self, obj, event):
        if not self.seen and event.type() == QEvent.Type.Paint and isinstance(obj, QMainWindow):
            self.seen = True
            print("first-paint", time.time(), flush=True)
            QTimer.singleShot(0, obj.request_quit)
        return False

app = QApplication(sys.argv[:1])
watcher = FirstPaint()
app.installEventFilter(watcher)
import main
sys.exit(main.main(["--demo", "--data-dir", sys.argv[1]]))
"""


def one_start(data_dir: str, pycache: str) -> float:
    """One start of the demo as a new process; bytecode cached under ``pycache`` as an installed app has it (this
    repository's environment may set PYTHONDONTWRITEBYTECODE, which would compile every module on every start)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(PYTHONPATH=str(ROOT), PYTHONPYCACHEPREFIX=pycache)
    begun = time.time()
    out = subprocess.run([sys.executable, "-c", CHILD, data_dir], cwd=ROOT, capture_output=True, text=True,
                         timeout=120, env=env)
    for line in out.stdout.splitlines():
        if line.startswith("first-paint "):
            return round((float(line.split()[1]) - begun) * 1000, 0)
    raise SystemExit(f"the window did not paint: {out.stderr[-2000:]}")


def measure_start(starts: int) -> dict[str, Any]:
    _qt_platform()
    with tempfile.TemporaryDirectory(prefix="bench-start-") as folder:
        data, pycache = str(Path(folder) / "data"), str(Path(folder) / "pycache")
        log("first start (new demo folder: the sandbox sign-in runs first; no bytecode cached yet)")
        first = one_start(data, pycache)
        times = []
        for i in range(starts):
            log(f"start {i + 1} of {starts}")
            times.append(one_start(data, pycache))
    return {"cold_start_ms": statistics.median(times), "cold_starts_ms": times, "first_start_ms": first}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.gui", description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=10_000, help="N for Xero large:N (default 10000)")
    parser.add_argument("--starts", type=int, default=3, help="starts to time (median reported)")
    parser.add_argument("--history-rows", type=int, default=100_000, help="history rows for the History page")
    args = parser.parse_args(argv)
    started = time.time()
    start = measure_start(args.starts)
    stall = measure_stall(args.records)
    history = measure_history(args.history_rows)
    figures = {"max_stall_ms": stall["max_stall_ms"], "cold_start_ms": start["cold_start_ms"],
               "history_open_ms": history["history_open_ms"],
               "history_scroll_max_ms": history["history_scroll_max_ms"]}
    document = {
        **figures,
        "goals": {k: {"goal": f"< {v}", "met": figures[k] is not None and figures[k] < v} for k, v in GOALS.items()},
        "stall": stall, "start": start, "history": history,
        "qt_platform": os.environ.get("QT_QPA_PLATFORM") or "native",
        "machine": machine(),
        "notes": [
            "max_stall_ms: longest gap between ticks of a 5 ms PreciseTimer on the GUI thread during the whole "
            "initial sync (the window shown, progress on the Dashboard, both emulators in process).",
            "cold_start_ms: new process to the main window's first paint, demo folder already set up, bytecode "
            "cached as in an installed app (median); first_start_ms: a new demo folder (signing in to the "
            "sandbox) and no bytecode yet.",
            "history_open_ms / history_scroll_max_ms: the History page on --history-rows rows, to its first "
            "screen and the slowest frame scrolling to the end a screen at a time (see bench.history).",
        ],
        "wall_s": round(time.time() - started, 1),
    }
    print(json.dumps(document, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
