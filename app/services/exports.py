"""History and failed records exported as files a person opens: CSV for a spreadsheet (one row per changed field,
plain words in every cell, names instead of ids, local time) and JSON (readable text, no escapes, ids kept beside
the words). Used by the window's Export buttons and by the command line alike."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from app.services.history_words import Names
from app.services.views import FailedItem, HistoryFilter, HistoryRow, Views
from app.services.words import action_label, direction_label, local, pair_label

CHUNK = 500
HISTORY_CSV_COLUMNS = ["Time", "Run", "Pair", "Record", "Action", "Direction", "Changed in", "Field", "Before",
                       "After", "Reason or error"]


def spreadsheet_time(dt: datetime | None) -> str:
    """Local time as a spreadsheet reads it: "2026-12-02 16:42"."""
    return local(dt).strftime("%Y-%m-%d %H:%M") if dt else ""


def iter_history(views: Views, f: HistoryFilter) -> Iterator[HistoryRow]:
    """Every row the filter matches, newest first, read a chunk at a time (100,000 rows never sit in memory)."""
    ids = views.history_ids(f)
    for start in range(0, len(ids), CHUNK):
        yield from views.history_rows(ids[start:start + CHUNK])


def reason_words(row: HistoryRow) -> str:
    """Why a record was skipped or failed, in words ("" for others)."""
    error = row.error or {}
    if row.action in ("skip", "fail", "conflict"):
        return str(error.get("hint") or error.get("reason") or error.get("message") or "")
    return ""


def history_csv_cells(row: HistoryRow, names: Names) -> Iterator[list[str]]:
    """One CSV row per changed field of a history row (one row when nothing changed, e.g. a skip)."""
    common = [spreadsheet_time(row.at), str(row.run_id), pair_label(row.pair), row.record_name,
              action_label(row.action), direction_label(row.direction)]
    reason = reason_words(row)
    lines = names.changes(row.pair, row.changes, mapping_version=row.mapping_version, xero_id=row.xero_id,
                          zoho_id=row.zoho_id)
    if not lines:
        yield common + ["", "", "", "", reason]
    for line in lines:
        yield common + [line.where, line.label, line.before, line.after, reason]


def write_history_csv(out: IO[str], rows: Iterable[HistoryRow], names: Names) -> int:
    """Writes the CSV; returns the number of history rows written."""
    writer = csv.writer(out)
    writer.writerow(HISTORY_CSV_COLUMNS)
    n = 0
    for row in rows:
        writer.writerows(history_csv_cells(row, names))
        n += 1
    return n


def history_entry(row: HistoryRow, names: Names) -> dict[str, Any]:
    """One history row for a JSON export: the words a person reads, and the ids a program needs."""
    return {
        "id": row.id, "time": local(row.at).isoformat(timespec="seconds"), "run": row.run_id,
        "pair": row.pair, "pair_label": pair_label(row.pair), "action": row.action,
        "action_label": action_label(row.action), "direction": row.direction,
        "direction_label": direction_label(row.direction), "record": row.record_name,
        "xero_id": row.xero_id, "zoho_id": row.zoho_id, "mapping_version": row.mapping_version,
        "changes": [{"changed_in": c.where, "field": c.field, "label": c.label, "before": c.before,
                     "after": c.after, "rule": c.rule}
                    for c in names.changes(row.pair, row.changes, mapping_version=row.mapping_version,
                                           xero_id=row.xero_id, zoho_id=row.zoho_id)],
        "reason": reason_words(row),
        "error": row.error,
    }


def write_history_json(out: IO[str], rows: Iterable[HistoryRow], names: Names) -> int:
    """A JSON array written entry by entry (UTF-8 text, no \\u escapes); returns the number of entries."""
    n = 0
    out.write("[")
    for row in rows:
        out.write(",\n " if n else "\n ")
        out.write(json.dumps(history_entry(row, names), ensure_ascii=False, default=str))
        n += 1
    out.write("\n]\n" if n else "]\n")
    return n


def failed_entry(item: FailedItem, names: Names | None = None) -> dict[str, Any]:
    return {
        "id": item.id, "pair": item.pair, "pair_label": pair_label(item.pair), "direction": item.direction,
        "direction_label": direction_label(item.direction), "record": item.record_name,
        "source_id": item.source_id, "status": item.status, "reason": item.reason,
        "tries": item.attempts, "first_failed": local(item.first_failed_at).isoformat(timespec="seconds"),
        "last_failed": local(item.last_failed_at).isoformat(timespec="seconds"),
        "next_retry": local(item.next_attempt_at).isoformat(timespec="seconds") if item.next_attempt_at else None,
        "error": item.error,
    }


def failed_json(items: Iterable[FailedItem]) -> str:
    return json.dumps([failed_entry(i) for i in items], ensure_ascii=False, indent=1, default=str) + "\n"


def export_history(views: Views, f: HistoryFilter, path: Path, fmt: str) -> int:
    """Writes what the filter matches to ``path`` (CSV with a byte-order mark so spreadsheets read UTF-8, or JSON);
    written to a temporary file first, so a failure leaves no half file. Returns the number of history rows."""
    names = Names(views.profile)
    tmp = path.with_name(path.name + ".part")
    encoding = "utf-8-sig" if fmt == "csv" else "utf-8"
    with tmp.open("w", encoding=encoding, newline="") as out:
        writer = write_history_csv if fmt == "csv" else write_history_json
        n = writer(out, iter_history(views, f), names)
    tmp.replace(path)
    return n


def history_csv_text(rows: Iterable[HistoryRow], names: Names) -> str:
    out = io.StringIO()
    write_history_csv(out, rows, names)
    return out.getvalue()
