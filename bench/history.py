"""History page benchmark: open the page on N history rows and scroll to the end.

    uv run python -m bench.history [--rows 100000]

Prints ONE JSON document on stdout (progress on stderr):
- ``history_open_ms``: from building the History page (the one indexed query for the ids, the first page of rows
  in words) to the first screen painted. Goal < 300 ms.
- ``history_scroll_max_ms``: the slowest frame while scrolling from the top to the end a screen at a time (each frame:
  move the scroll bar, paint the rows now in view; a page of rows not read yet is read from the database in the
  frame). Between frames the event loop runs, untimed, as it does between a person's scroll steps: the page reads
  the next page ahead there when it is idle. Goal < 16 ms.
Beside them, to tell the page's own work from the machine's: ``scroll_cpu_max_ms`` (the slowest frame in this
thread's CPU time, which leaves out time the process waited for a core another program held) and the garbage
collector's passes while scrolling (``gc_passes``, ``gc_max_ms``).
The rows are realistic: invoices with a customer id and line items to name, contacts, items, failures with the API's
JSON; the links hold 2,000 customers and 200 products. Qt runs offscreen unless a display is set. Nothing here is
asserted by the tests.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.run import log, machine

GOALS = {"history_open_ms": 300, "history_scroll_max_ms": 16}
CUSTOMERS = 2_000
PRODUCTS = 200


def fill(profile: Any, rows: int) -> None:
    """``rows`` history entries over 50 runs, newest last, with the links their ids point to."""
    from app.store.db import DB
    from app.store.models import HistoryEntry, Link, Run

    now = datetime.now(UTC)
    with DB.atomic():
        Link.insert_many([{"profile": profile, "pair": "contacts", "xero_id": f"xc-{i}", "zoho_id": f"zc-{i}",
                           "name": f"Customer {i:04d} Pty Ltd"} for i in range(CUSTOMERS)]).execute()
        Link.insert_many([{"profile": profile, "pair": "items", "xero_id": f"xi-{i}", "zoho_id": f"zi-{i}",
                           "name": f"Product {i:03d}", "xero_values": {"Code": f"P{i:03d}"}}
                          for i in range(PRODUCTS)]).execute()
    runs = [Run.create(profile=profile, trigger="schedule", started_at=now - timedelta(hours=50 - r),
                       ended_at=now - timedelta(hours=50 - r, seconds=-40), outcome="ok",
                       counts={"created": rows // 50}) for r in range(50)]
    batch: list[dict[str, Any]] = []
    for i in range(rows):
        run = runs[i * 50 // rows]
        kind = i % 10
        row: dict[str, Any] = {"run": run, "profile": profile, "created_at": run.started_at + timedelta(
            seconds=i % 3600), "mapping_version": 0}
        customer = i % CUSTOMERS
        if kind < 6:
            lines = [{"Product_Name": {"id": f"zi-{(i + n) % PRODUCTS}"}, "Quantity": "2.0000", "List_Price": "18.50",
                      "Description": "Beans"} for n in range(1 + i % 4)]
            row.update(pair="invoices", action="create", direction="xero->zoho", xero_id=f"xv-{i}", zoho_id=f"zv-{i}",
                       record_name=f"INV-{i:06d} — Customer {customer:04d} Pty Ltd",
                       changes={"zoho.Subject": [None, f"INV-{i:06d}"], "zoho.Account_Name": [None, f"zc-{customer}"],
                                "zoho.Invoiced_Items": [None, lines], "zoho.Grand_Total": [None, "81.40"],
                                "zoho.Xero_Invoice_ID": [None, f"xv-{i}"]})
        elif kind < 9:
            row.update(pair="contacts", action="update", direction="xero->zoho", xero_id=f"xc-{customer}",
                       zoho_id=f"zc-{customer}", record_name=f"Customer {customer:04d} Pty Ltd",
                       changes={"zoho.Phone": ["02 9555 0100", f"02 9555 {i % 10000:04d}"],
                                "zoho.Email": [None, f"accounts{customer}@example.com.au"]})
        else:
            row.update(pair="contacts", action="fail", direction="zoho->xero", zoho_id=f"zc-{customer}",
                       record_name=f"Customer {customer:04d} Pty Ltd", changes={},
                       error={"message": "A validation exception occurred", "hint": "Xero needs a unique contact "
                              "name. Rename one of them, then click Retry.",
                              "raw": {"Elements": [{"ValidationErrors": [{"Message": "Name already used"}]}]}})
        batch.append(row)
        if len(batch) == 1000:
            with DB.atomic():
                HistoryEntry.insert_many(batch).execute()
            batch = []
    if batch:
        with DB.atomic():
            HistoryEntry.insert_many(batch).execute()


def measure(rows: int) -> dict[str, Any]:
    if not os.environ.get("QT_QPA_PLATFORM") and not os.environ.get("DISPLAY"):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtCore import QObject, Signal
    from PySide6.QtWidgets import QApplication

    from app.paths import AppPaths
    from app.services.views import Views
    from app.store.db import open_db
    from app.store.settings import get_profile

    class Controller(QObject):  # the page only listens for task_finished here
        task_finished = Signal(str, object)

        def submit(self, name: str, fn: Any) -> None:
            raise AssertionError("the benchmark submits nothing")

    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory(prefix="bench-history-") as folder:
        paths = AppPaths(Path(folder), Path(folder) / "logs").ensure()
        open_db(paths.database)
        profile = get_profile("default")
        log(f"writing {rows:,} history rows")
        started = time.perf_counter()
        fill(profile, rows)
        fill_s = time.perf_counter() - started

        from app.gui.pages.history import HistoryPage

        log("opening the History page")
        begun = time.perf_counter()
        page = HistoryPage(Views(profile), Controller())
        page.resize(1200, 760)
        page.show()
        app.processEvents()
        page.table.viewport().repaint()  # the first screen, painted now
        open_ms = (time.perf_counter() - begun) * 1000
        shown = page.model.rowCount()

        log("scrolling to the end a screen at a time")
        bar = page.table.verticalScrollBar()
        frames: list[float] = []
        cpu: list[float] = []
        passes: list[float] = []
        began: list[float] = []

        def timed_pass(phase: str, _info: dict[str, Any]) -> None:
            if phase == "start":
                began[:] = [time.perf_counter()]
            elif began:
                passes.append((time.perf_counter() - began[0]) * 1000)

        gc.callbacks.append(timed_pass)
        while bar.value() < bar.maximum():
            tick, tick_cpu = time.perf_counter(), time.thread_time()
            bar.setValue(bar.value() + bar.pageStep())
            page.table.viewport().repaint()
            frames.append((time.perf_counter() - tick) * 1000)
            cpu.append((time.thread_time() - tick_cpu) * 1000)
            app.processEvents()  # between a person's scroll steps the event loop runs (the page reads ahead there)
        gc.callbacks.remove(timed_pass)
        app.processEvents()
        page.close()
    ordered = sorted(frames)
    return {
        "history_open_ms": round(open_ms, 1), "history_scroll_max_ms": round(max(frames), 1) if frames else None,
        "scroll_frames": len(frames), "scroll_median_ms": round(statistics.median(frames), 2) if frames else None,
        "scroll_p99_ms": round(ordered[int(len(ordered) * 0.99)], 1) if frames else None,
        "scroll_cpu_max_ms": round(max(cpu), 1) if cpu else None, "gc_passes": len(passes),
        "gc_max_ms": round(max(passes), 1) if passes else 0, "rows": shown, "fill_s": round(fill_s, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.history", description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000, help="history rows (default 100000)")
    args = parser.parse_args(argv)
    figures = measure(args.rows)
    document = {
        **figures,
        "goals": {k: {"goal": f"< {v}", "met": figures[k] is not None and figures[k] < v} for k, v in GOALS.items()},
        "qt_platform": os.environ.get("QT_QPA_PLATFORM") or "native",
        "machine": machine(),
    }
    print(json.dumps(document, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
