"""``history``: what happened to which record, as a table that fits the terminal (local time, names, arrows);
``--run ID`` and ``--record NAME`` show each change old → new; ``--failed`` lists what needs a person."""

from __future__ import annotations

import argparse
import sys

from app.cli.common import UsageError, cli_hint, print_json, table, terminal_width, wrapped
from app.services.exports import history_entry, reason_words, write_history_csv
from app.services.history_words import Names, mapping_version_words
from app.services.views import Attention, FailedItem, HistoryFilter, HistoryRow, Views
from app.services.words import (
    DIRECTION_ARROWS,
    action_label,
    direction_label,
    local_time,
    pair_label,
    plural,
    run_line,
)

PAIRS = ["contacts", "items", "invoices", "payments", "deals"]
TABLE_PAIRS = {"contacts": "Contacts", "items": "Items", "invoices": "Invoices", "payments": "Payments",
               "deals": "Deals"}  # the pair's own name is in the detail views; the table keeps it short
ACTIONS = ["create", "update", "link", "skip", "conflict", "archive", "delete", "fail", "undo"]


def add_parser(commands: argparse._SubParsersAction) -> None:
    hist = commands.add_parser("history", help="what was synced, newest first")
    hist.add_argument("--failed", action="store_true", help="the records that need a person, with what to do")
    hist.add_argument("--run", type=int, metavar="ID", help="one run: its summary and every change")
    hist.add_argument("--record", metavar="NAME", help="records whose name contains NAME, with every change")
    hist.add_argument("--pair", action="append", choices=PAIRS, help="only this pair (repeatable)")
    hist.add_argument("--action", action="append", choices=ACTIONS, help="only this action (repeatable)")
    hist.add_argument("--limit", type=int, default=50, help="how many records to show (50); exports take all")
    hist.add_argument("--format", choices=["table", "json", "csv"], default="table")
    hist.add_argument("--json", action="store_true", help="same as --format json")


def run_history(views: Views, args: argparse.Namespace) -> int:
    fmt = "json" if args.json else args.format
    if args.failed:
        return _failed(views, fmt)
    if args.limit < 1:
        raise UsageError("--limit wants a number of records, 1 or more.")
    if args.run is not None and views.run(args.run) is None:
        raise UsageError(f"There is no sync run {args.run}. `history` lists the runs of recent records.")
    f = HistoryFilter(pairs=tuple(args.pair or ()), actions=tuple(args.action or ()), text=args.record or "",
                      run_id=args.run)
    names = Names(views.profile)
    if fmt in ("json", "csv"):
        ids = views.history_ids(f)
        rows = (row for start in range(0, len(ids), 500) for row in views.history_rows(ids[start:start + 500]))
        if fmt == "csv":
            write_history_csv(sys.stdout, rows, names)
        else:
            print_json([history_entry(r, names) for r in rows])
        return 0
    total = views.history_count(f)
    rows = views.history_page(f, limit=args.limit)
    now = views.now()
    if args.run is not None:
        run = views.run(args.run)
        print(f"Run {run.id}: {run_line(run, now)}")  # type: ignore[union-attr]
        if run and run.message and run.outcome not in ("ok", "running"):
            print(f"  {run.message}")
        print()
    if not rows:
        print("No history matches." if (args.record or args.pair or args.action or args.run) else "No history yet.")
        return 0
    if args.run is not None or args.record:
        for row in rows:
            _details(row, names, now)
    else:
        _table(rows, names, now)
    if total > len(rows):
        print(f"\nShowing the newest {len(rows):,} of {plural(total, 'record')}. More with --limit N; one run "
              "with --run ID; one record with --record NAME; everything with --format csv.")
    return 0


def _table(rows: list[HistoryRow], names: Names, now) -> None:  # noqa: ANN001 - datetime
    cells = []
    for r in rows:
        lines = names.changes(r.pair, r.changes, mapping_version=r.mapping_version, xero_id=r.xero_id,
                              zoho_id=r.zoho_id)
        if r.action == "create" and lines:
            what = ", ".join(dict.fromkeys(c.label for c in lines))
        elif lines:
            what = "; ".join(c.text(30) for c in lines)
        else:
            what = cli_hint(reason_words(r))
        cells.append([local_time(r.at, now), str(r.run_id), TABLE_PAIRS.get(r.pair, r.pair), r.record_name,
                      action_label(r.action), DIRECTION_ARROWS.get(r.direction, ""), what])
    for line in table(["When", "Run", "Pair", "Record", "Action", "", "What changed"], cells, flexible=(6, 3),
                      right=(1,)):
        print(line)
    print("\n→ Xero to Zoho CRM   ← Zoho CRM to Xero")


def _details(row: HistoryRow, names: Names, now) -> None:  # noqa: ANN001 - datetime
    where = ", ".join(p for p in (pair_label(row.pair), direction_label(row.direction), f"run {row.run_id}") if p)
    print(f"{local_time(row.at, now)}  {action_label(row.action)}  {row.record_name}  ({where})")
    lines = names.changes(row.pair, row.changes, mapping_version=row.mapping_version, xero_id=row.xero_id,
                          zoho_id=row.zoho_id)
    width = terminal_width()
    for line in lines:
        side = f" in {line.where}" if line.where else ""
        for text in wrapped(f"{line.label}{side}: {line.before} → {line.after}", width=width):
            print(text)
    reason = reason_words(row)
    if reason:
        for text in wrapped(("Why: " if row.action != "fail" else "What to do: ") + cli_hint(reason), width=width):
            print(text)
    error = row.error or {}
    if row.action == "fail" and error.get("message") and error.get("message") != reason:
        for text in wrapped(f"Xero or Zoho CRM said: {error['message']}", width=width):
            print(text)
    if lines:
        print(f"    (written with {mapping_version_words(row.mapping_version)})")
    print()


# ----- what needs a person ---------------------------------------------------------------------------------------
def attention_words(attention: Attention) -> str:
    """What waits for the user, naming the command for each ("" when nothing does)."""
    parts = []
    for provider in attention.reconnect:
        parts.append(f"sign in to {'Xero' if provider == 'xero' else 'Zoho CRM'} again (run `connect {provider}`)")
    if attention.failed:
        parts.append(f"{plural(attention.failed, 'failed record')} (run `history --failed`)")
    if attention.conflicts:
        parts.append(f"{plural(attention.conflicts, 'conflict')} to settle (run `conflicts`)")
    if attention.matches:
        parts.append(f"{plural(attention.matches, 'possible match', 'possible matches')} to confirm "
                     "(run `matches`)")
    return "; ".join(parts)


def _failed(views: Views, fmt: str) -> int:
    items = views.failed()
    attention = views.attention()
    if fmt == "json":
        from app.services.exports import failed_entry

        print_json({"failed": [dict(failed_entry(i), hint=cli_hint(i.reason, failed_id=i.id)) for i in items],
                    "conflicts": attention.conflicts, "matches": attention.matches})
    elif fmt == "csv":
        raise UsageError("`history --failed` prints a list or JSON (--json); CSV is for the history itself.")
    else:
        now = views.now()
        failed = [i for i in items if not i.waiting]
        waiting = [i for i in items if i.waiting]
        for item in failed:
            _failed_item(item, now)
        if waiting:
            print(f"Waiting for another record ({len(waiting):,}); these sync by themselves once it is settled:")
            for item in waiting:
                _failed_item(item, now)
        elsewhere = attention_words(Attention(0, 0, attention.conflicts, attention.matches, attention.reconnect))
        if not items and not elsewhere:
            print("Nothing needs your attention.")
        elif not failed and elsewhere:
            print(f"No failed records. Waiting for you: {elsewhere}.")
        elif elsewhere:
            print(f"Also waiting for you: {elsewhere}.")
        elif not failed:
            print("No failed records; nothing needs you until the records above can sync.")
    return 1 if attention.total else 0  # records that only wait for another record need no one


def _failed_item(item: FailedItem, now) -> None:  # noqa: ANN001 - datetime
    tries = plural(item.attempts, "try", "tries")
    when = f"last failed {local_time(item.last_failed_at, now)}"
    nxt = item.next_attempt_at
    retry = "next try at the next sync" if nxt is None or nxt <= now else f"next try {local_time(nxt, now)}"
    print(f"#{item.id}  {item.record_name or item.source_id}  ({pair_label(item.pair)}, "
          f"{direction_label(item.direction)})")
    reason = item.reason or str((item.error or {}).get("message") or "")
    if item.waiting:
        reason = str((item.error or {}).get("message") or reason).removeprefix("Waiting: ")
        print("\n".join(wrapped(f"Waiting for: {cli_hint(reason)}")))
        return
    print("\n".join(wrapped(cli_hint(reason, failed_id=item.id))))
    print(f"    {tries}, {when}, {retry}. Run `retry {item.id}` to try now, `ignore {item.id}` to stop.")
    print()
