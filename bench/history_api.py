"""The history read API on a large history: how long a page, a count and a filter take at 100,000 rows.

    uv run python -m bench.history_api [--rows 100000]

Builds a fresh database with ``--rows`` history rows over 500 runs (five pairs, eight actions, record names from a
pool of 5,000) and times what the History page and the CLI ask of ``app.services.views.Views``: the first page,
a page deep in the history (keyset: ``before_id``), the total count, the ids of a filter (what the lazy table
model holds), a filtered page, a text search and one run's rows. Each figure is the median of 5 tries, in
milliseconds. Prints one JSON document.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PAIRS = ("contacts", "items", "invoices", "deals", "payments")
ACTIONS = ("update", "update", "update", "create", "link", "skip", "fail", "archive")


def _timed(fn: Callable[[], Any], tries: int = 5) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(tries):
        t0 = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - t0) * 1000)
    return round(statistics.median(times), 2), result


def _fill(db: Any, profile_id: int, rows: int) -> None:
    start = datetime(2026, 6, 1, tzinfo=UTC)
    runs = 500
    db.execute_sql("BEGIN")
    for r in range(runs):
        at = (start + timedelta(hours=6 * r)).isoformat(timespec="microseconds")
        db.execute_sql("INSERT INTO run (profile_id, trigger, dry_run, started_at, ended_at, outcome, message, "
                       "counts, xero_calls, zoho_calls) VALUES (?, 'schedule', 0, ?, ?, 'ok', '', '{}', 4, 3)",
                       (profile_id, at, at))
    per_run = rows // runs
    cursor = db.cursor()
    for r in range(runs):
        base = start + timedelta(hours=6 * r)
        cursor.executemany(
            "INSERT INTO history_entry (run_id, profile_id, pair, action, direction, xero_id, zoho_id, record_name, "
            "changes, mapping_version, error, created_at) VALUES (?, ?, ?, ?, 'xero->zoho', ?, ?, ?, ?, 1, NULL, ?)",
            [(r + 1, profile_id, PAIRS[i % 5], ACTIONS[i % 8], f"x{i}", f"z{i}", f"Customer {i % 5000:04d} Pty Ltd",
              '{"zoho.Phone": ["02 9555 0100", "02 9555 0101"]}',
              (base + timedelta(seconds=i)).isoformat(timespec="microseconds"))
             for i in range(r * per_run, (r + 1) * per_run)])
    db.execute_sql("COMMIT")


def measure(rows: int) -> dict[str, Any]:
    from app.paths import AppPaths
    from app.services.views import HistoryFilter, Views
    from app.store.db import close_db, open_db
    from app.store.settings import get_profile

    with tempfile.TemporaryDirectory() as tmp:
        paths = AppPaths(Path(tmp), Path(tmp) / "logs").ensure()
        db = open_db(paths.database)
        profile = get_profile("default")
        t0 = time.perf_counter()
        _fill(db, profile.id, rows)
        fill_s = time.perf_counter() - t0
        views = Views(profile)
        everything = HistoryFilter()
        failed = HistoryFilter(actions=("fail",))
        out: dict[str, Any] = {"rows": rows, "fill_seconds": round(fill_s, 1)}
        out["first_page_100_ms"], first = _timed(lambda: views.history_page(everything, limit=100))
        deep_id = views.history_ids(everything)[int(rows * 0.9)]
        out["page_100_at_90_percent_ms"], deep = _timed(lambda: views.history_page(everything, before_id=deep_id,
                                                                                   limit=100))
        out["count_all_ms"], total = _timed(lambda: views.history_count(everything))
        out["ids_all_ms"], ids = _timed(lambda: views.history_ids(everything))
        out["rows_by_ids_200_ms"], _ = _timed(lambda: views.history_rows(ids[50_000:50_200]))
        out["count_failed_ms"], failed_total = _timed(lambda: views.history_count(failed))
        out["first_page_failed_ms"], _ = _timed(lambda: views.history_page(failed, limit=100))
        out["ids_contacts_failed_ms"], _ = _timed(lambda: views.history_ids(
            HistoryFilter(pairs=("contacts",), actions=("fail",))))
        out["text_search_page_ms"], _ = _timed(lambda: views.history_page(HistoryFilter(text="Customer 1234"),
                                                                          limit=100))
        out["one_run_page_ms"], _ = _timed(lambda: views.history_page(HistoryFilter(run_id=250), limit=100))
        out["checks"] = {"total": total, "failed": failed_total, "first_page_newest_first": first[0].id > first[-1].id,
                         "deep_page_continues": bool(deep) and deep[0].id < deep_id, "ids": len(ids)}
        close_db()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.history_api", description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args(argv)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    print(json.dumps({"benchmark": "ledgerbridge history read API", **measure(args.rows)}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
