"""``sync`` and the commands around it. ``sync`` prints what happened per pair in words (a dry run: every planned
change with names, and why a record is skipped), then what waits for the user with the command for it.

Exit codes: 0 all good; 1 something failed or waits for a person (failed records, conflicts, matches); 2 a usage
or settings mistake; 3 paused by an API limit (it resumes by itself).
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from app.cli import history_cmd, mapping_cmd, review_cmd
from app.cli.common import UsageError, cli_hint, print_json, wrapped
from app.core.engine import RunReport
from app.errors import ConfigError
from app.services import reconcile as reconcile_service
from app.services import review
from app.services.history_words import Names
from app.services.runtime import open_context
from app.services.sync import SyncService
from app.services.views import Attention, Views
from app.services.words import (
    action_label,
    counts_words,
    direction_label,
    local_time,
    outcome_label,
    pair_label,
)

PAIR_CHOICES = ["contacts", "items", "invoices", "payments", "deals"]
PLAN_SHOWN = 200
PLAN_ACTIONS = {"create": "Create", "update": "Update", "link": "Link", "skip": "Skip", "review": "To confirm",
                "archive": "Archive", "delete": "Delete", "conflict": "Conflict", "fail": "Would fail"}


def add_parsers(commands: argparse._SubParsersAction) -> None:
    sync = commands.add_parser("sync", help="sync now (or show the plan with --dry-run)")
    sync.add_argument("--dry-run", action="store_true", help="show what would change; write nothing")
    sync.add_argument("--pair", action="append", choices=PAIR_CHOICES, help="only this pair (repeatable)")
    sync.add_argument("--since", metavar="DATE", help="historical sync: everything changed since DATE (YYYY-MM-DD)")
    sync.add_argument("--allow-bulk-archive", action="store_true",
                      help="go ahead although more records would be archived/deleted than the safety limit")
    sync.add_argument("--json", action="store_true")

    history_cmd.add_parser(commands)
    review_cmd.add_parsers(commands)

    rec = commands.add_parser("reconcile", help="compare both systems in full and list differences")
    rec.add_argument("--format", choices=["table", "csv", "json"], default="table")
    rec.add_argument("--json", action="store_true", help="same as --format json")
    rec.add_argument("--pair", action="append", choices=["contacts", "items", "invoices"])

    mapping_cmd.add_parser(commands)


COMMANDS = ("sync", "history", "retry", "ignore", "unignore", "conflicts", "matches", "reconcile", "undo",
            "mapping")


def run(args: argparse.Namespace) -> int:
    with open_context(args) as ctx:
        service = SyncService(ctx)
        views = Views.of(ctx)
        command = args.command
        if command == "sync":
            return _sync(service, views, args)
        if command == "history":
            return history_cmd.run_history(views, args)
        if command == "retry":
            return review_cmd.run_retry(service, views, args)
        if command in ("ignore", "unignore"):
            return review_cmd.run_ignore(service, views, args, undo=command == "unignore")
        if command == "conflicts":
            return review_cmd.run_conflicts(service, views, args)
        if command == "matches":
            return review_cmd.run_matches(service, views, args)
        if command == "undo":
            return review_cmd.run_undo(service, args)
        if command == "reconcile":
            return _reconcile(service, args)
        return mapping_cmd.run(service, args)


# ----- sync --------------------------------------------------------------------------------------------------------
@contextlib.contextmanager
def ctrl_c_cancels() -> Iterator[threading.Event]:
    """Ctrl-C (SIGINT) cancels the sync like the window's Cancel: it stops within a second and is recorded as
    cancelled, and the next sync carries on. A second Ctrl-C stops at once."""
    cancel = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield cancel
        return

    def on_sigint(signum: int, frame: Any) -> None:
        if cancel.is_set():
            raise KeyboardInterrupt
        cancel.set()
        print("  Stopping… (press Ctrl-C again to stop at once)", file=sys.stderr, flush=True)

    previous = signal.signal(signal.SIGINT, on_sigint)
    try:
        yield cancel
    finally:
        signal.signal(signal.SIGINT, previous)


def _sync(service: SyncService, views: Views, args: argparse.Namespace) -> int:
    since = None
    if args.since:
        try:
            since = datetime.fromisoformat(args.since).replace(tzinfo=UTC)
        except ValueError as exc:
            raise UsageError(f"--since wants a date like 2026-01-31, not {args.since!r}.") from exc

    def progress(event: Any) -> None:
        if not args.json:
            print(f"  {event.message}", file=sys.stderr, flush=True)

    try:
        with ctrl_c_cancels() as cancel:
            report = service.sync(dry_run=args.dry_run, pairs=args.pair, since=since, trigger="cli",
                                  progress=progress, allow_bulk_archive=args.allow_bulk_archive, cancel=cancel)
    except ConfigError as exc:
        if exc.message.startswith("Unknown pair"):
            raise UsageError(exc.message) from exc
        raise
    attention = views.attention()
    if args.json:
        data = report.as_dict()
        data["waiting_for_you"] = {"failed": attention.failed, "waiting": attention.waiting,
                                   "conflicts": attention.conflicts, "matches": attention.matches,
                                   "reconnect": list(attention.reconnect)}
        print_json(data)
    else:
        _print_report(report, attention, Names(views.profile), views.now())
    return exit_code(report, attention)


def exit_code(report: RunReport, attention: Attention) -> int:
    if report.outcome == "paused":
        return 3
    if report.dry_run:
        return 1 if report.outcome == "failed" else 0
    if report.outcome in ("failed", "braked", "partial", "cancelled"):
        return 1
    return 1 if attention.total else 0  # records that only wait for another record need no one


def headline(report: RunReport, attention: Attention, now: datetime) -> str:
    title = "Dry run (nothing written)" if report.dry_run else f"Sync run {report.run_id}"
    changed = counts_words({k: v for k, v in report.counts.items() if k not in ("payments_seen", "unchanged")},
                           dry_run=report.dry_run)
    if report.outcome == "paused":
        until = datetime.fromtimestamp(report.paused_until, UTC) if report.paused_until else None
        when = f" until {local_time(until, now)}" if until else ""
        return (f"{title}: Paused{when} — {cli_hint(report.message)} It carries on by itself then (or run `sync` "
                "again after that time)." + (f" Done so far: {changed}." if changed else ""))
    if report.outcome in ("ok", "partial"):
        if changed:
            text = changed
        elif attention.total or attention.waiting:
            text = "nothing new to sync"
        else:
            text = "everything is up to date"
        what = "Would do" if report.dry_run else outcome_label(report.outcome)
        return f"{title}: {what} — {text[:1].upper() + text[1:]}."
    return f"{title}: {outcome_label(report.outcome)} — {cli_hint(report.message)}"


def _print_report(report: RunReport, attention: Attention, names: Names, now: datetime) -> None:
    print(headline(report, attention, now))
    for pair, counts in report.by_pair.items():
        shown = counts_words(counts, dry_run=report.dry_run)
        if shown:
            print(f"  {pair_label(pair):<28} {shown}")
    print(f"  API calls: Xero {report.xero_calls:,}, Zoho CRM {report.zoho_calls:,}.")
    for note in getattr(report, "notes", None) or []:
        print("\n".join(wrapped(cli_hint(str(note)), indent="  ")))
    if report.dry_run:
        _print_plan(report, names)
    if report.outcome == "braked":
        print("  If the change is intended, run `sync --allow-bulk-archive` to go ahead.")
    waiting = history_cmd.attention_words(attention)
    if waiting and not report.dry_run:
        print(f"Waiting for you: {waiting}.")


def _print_plan(report: RunReport, names: Names) -> None:
    est = report.estimated_calls
    print(f"  A real run would make about {est.get('xero', 0):,} Xero and {est.get('zoho', 0):,} Zoho CRM calls.")
    print()
    for entry in report.plan[:PLAN_SHOWN]:
        action = PLAN_ACTIONS.get(entry["action"], action_label(entry["action"]))
        where = direction_label(entry.get("direction", ""))
        print(f"  {action:<10} {entry['name']}  ({pair_label(entry['pair'])}" + (f", {where})" if where else ")"))
        changes = entry.get("changes") or {}
        for line in names.changes(entry["pair"], changes):
            side = f" in {line.where}" if line.where else ""
            print("\n".join(wrapped(f"{line.label}{side}: {line.before} → {line.after}", indent="      ")))
        if changes.get("reason"):
            print("\n".join(wrapped(f"Not synced: {cli_hint(str(changes['reason']))}.", indent="      ")))
        if changes.get("evidence"):
            print("\n".join(wrapped("Looks alike: " + ", ".join(changes["evidence"]) +
                                    ". Nothing is written until you confirm (run `matches` after the sync).",
                                    indent="      ")))
    if len(report.plan) > PLAN_SHOWN:
        print(f"  … and {len(report.plan) - PLAN_SHOWN:,} more (--json lists them all).")


# ----- reconcile ---------------------------------------------------------------------------------------------------
def _reconcile(service: SyncService, args: argparse.Namespace) -> int:
    pairs = tuple(args.pair) if args.pair else reconcile_service.PAIRS
    findings = [f.as_dict() for f in reconcile_service.reconcile(service, pairs)]
    fmt = "json" if args.json else args.format
    if fmt == "json":
        print_json(findings)
    elif fmt == "csv":
        columns = ["pair", "kind", "record", "xero_id", "zoho_id", "field", "xero_value", "zoho_value", "detail"]
        print(review.to_csv(findings, columns), end="")
    else:
        if not findings:
            print("Both systems agree on every linked record.")
        for f in findings:
            extra = f" {f['field']}: Xero {f['xero_value']!r} vs Zoho CRM {f['zoho_value']!r}" if f["field"] else ""
            print(f"{pair_label(f['pair'])}  {f['kind'].replace('_', ' ')}  {f['record']}{extra} {f['detail']}"
                  .rstrip())
    serious = [f for f in findings if f["kind"] in ("mismatch", "total_mismatch", "missing")]
    return 1 if serious else 0


