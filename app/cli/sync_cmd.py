"""Headless sync commands: sync, history, retry, ignore, conflicts, matches, reconcile, undo, mapping.

Exit codes: 0 all good; 1 something failed or needs a person (failed records, conflicts, a braked or failed run);
2 bad usage; 3 paused by an API limit (resumes by itself).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from app.core.engine import RunReport
from app.errors import ConfigError
from app.services import mappings as mapping_store
from app.services import reconcile as reconcile_service
from app.services import review
from app.services.sync import SyncService

from app.services.runtime import open_context

PAIR_CHOICES = ["contacts", "items", "invoices", "payments", "deals"]


def add_parsers(commands: argparse._SubParsersAction) -> None:
    sync = commands.add_parser("sync", help="sync now (or show the plan with --dry-run)")
    sync.add_argument("--dry-run", action="store_true", help="show what would change; write nothing")
    sync.add_argument("--pair", action="append", choices=PAIR_CHOICES, help="only this pair (repeatable)")
    sync.add_argument("--since", metavar="DATE", help="historical sync: everything changed since DATE (YYYY-MM-DD)")
    sync.add_argument("--allow-bulk-archive", action="store_true",
                      help="go ahead although more records would be archived/deleted than the safety limit")
    sync.add_argument("--json", action="store_true")

    hist = commands.add_parser("history", help="what was synced, newest first")
    hist.add_argument("--failed", action="store_true", help="only failures")
    hist.add_argument("--run", type=int, metavar="ID")
    hist.add_argument("--limit", type=int, default=200)
    hist.add_argument("--format", choices=["table", "json", "csv"], default="table")
    hist.add_argument("--json", action="store_true", help="same as --format json")

    retry = commands.add_parser("retry", help="try failed records again now")
    retry.add_argument("ids", nargs="*", type=int, metavar="ID")
    retry.add_argument("--all", action="store_true")
    retry.add_argument("--json", action="store_true")

    ignore = commands.add_parser("ignore", help="stop retrying these failed records")
    ignore.add_argument("ids", nargs="+", type=int, metavar="ID")
    ignore.add_argument("--json", action="store_true")

    conflicts = commands.add_parser("conflicts", help="list conflicts, or resolve one")
    conflicts.add_argument("action", nargs="?", choices=["resolve"])
    conflicts.add_argument("id", nargs="?", type=int)
    conflicts.add_argument("choices", nargs="*", metavar="xero|zoho|FIELD=side")
    conflicts.add_argument("--json", action="store_true")

    matches = commands.add_parser("matches", help="likely matches waiting for a person; confirm or reject them")
    matches.add_argument("action", nargs="?", choices=["confirm", "reject"])
    matches.add_argument("ids", nargs="*", type=int, metavar="ID")
    matches.add_argument("--json", action="store_true")

    rec = commands.add_parser("reconcile", help="compare both systems in full and list differences")
    rec.add_argument("--format", choices=["table", "csv", "json"], default="table")
    rec.add_argument("--json", action="store_true", help="same as --format json")
    rec.add_argument("--pair", action="append", choices=["contacts", "items", "invoices"])

    undo = commands.add_parser("undo", help="put back the values a run's updates replaced")
    undo.add_argument("run", type=int, metavar="RUN")
    undo.add_argument("--json", action="store_true")

    mapping = commands.add_parser("mapping", help="export, import or validate the field mapping")
    mapping.add_argument("action", choices=["export", "import", "validate"])
    mapping.add_argument("file", nargs="?", help="file to write (export) or read (import); default stdout/stdin")
    mapping.add_argument("--json", action="store_true")


COMMANDS = ("sync", "history", "retry", "ignore", "conflicts", "matches", "reconcile", "undo", "mapping")


def run(args: argparse.Namespace) -> int:
    with open_context(args) as ctx:
        service = SyncService(ctx)
        return _HANDLERS[args.command](service, args)


# ----- sync --------------------------------------------------------------------------------------------------
def _sync(service: SyncService, args: argparse.Namespace) -> int:
    since = None
    if args.since:
        try:
            since = datetime.fromisoformat(args.since).replace(tzinfo=UTC)
        except ValueError as exc:
            raise ConfigError(f"--since wants a date like 2026-01-31, not {args.since!r}.") from exc

    def progress(event: Any) -> None:
        if not args.json:
            print(f"  {event.message}", file=sys.stderr, flush=True)

    report = service.sync(dry_run=args.dry_run, pairs=args.pair, since=since, trigger="cli", progress=progress,
                          allow_bulk_archive=args.allow_bulk_archive)
    if args.json:
        print(json.dumps(report.as_dict(), default=str))
    else:
        _print_report(report)
    return _exit_code(report)


def _exit_code(report: RunReport) -> int:
    if report.outcome == "paused":
        return 3
    if report.dry_run:
        return 1 if report.outcome == "failed" else 0
    return 1 if report.outcome in ("failed", "braked", "partial", "cancelled") or report.needs_attention else 0


def _print_report(report: RunReport) -> None:
    title = "Dry run (nothing written)" if report.dry_run else f"Sync run {report.run_id}"
    print(f"{title}: {report.outcome.upper()} — {report.message}")
    for pair, counts in report.by_pair.items():
        shown = ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in sorted(counts.items()) if v)
        if shown:
            print(f"  {pair:<9} {shown}")
    print(f"  API calls: Xero {report.xero_calls}, Zoho CRM {report.zoho_calls}")
    if report.dry_run:
        est = report.estimated_calls
        print(f"  A real run would make about {est.get('xero', 0)} Xero and {est.get('zoho', 0)} Zoho CRM calls.")
        for entry in report.plan[:200]:
            arrow = {"xero->zoho": "→ Zoho", "zoho->xero": "→ Xero"}.get(entry["direction"], "")
            changes = "; ".join(f"{k}: {v[0]!r} → {v[1]!r}" for k, v in entry["changes"].items()
                                if isinstance(v, list) and len(v) == 2)
            print(f"    {entry['action']:<7} {entry['pair']:<9} {arrow:<7} {entry['name']}"
                  + (f"  [{changes}]" if changes else ""))
        if len(report.plan) > 200:
            print(f"    … and {len(report.plan) - 200} more (use --json for all)")
    if report.outcome == "braked":
        print("  If the change is intended, run `sync --allow-bulk-archive` to go ahead.")
    elif report.needs_attention and not report.dry_run:
        print("  Needs attention: see `history --failed`, `conflicts` and `matches`.")


# ----- history -----------------------------------------------------------------------------------------------
def _history(service: SyncService, args: argparse.Namespace) -> int:
    rows = review.history(service, failed_only=args.failed, run_id=args.run, limit=args.limit)
    fmt = "json" if args.json else args.format
    if args.failed:
        open_rows = {(f.pair, f.source_id): f for f in review.failed_records(service)}
        for row in rows:
            source = row["xero_id"] if row["direction"] == "xero->zoho" else row["zoho_id"]
            failed = open_rows.get((row["pair"], source))
            row["failed_id"] = failed.id if failed else None
            row["hint"] = failed.hint if failed else (row["error"] or {}).get("hint", "")
    if fmt == "json":
        print(json.dumps(rows, default=str))
    elif fmt == "csv":
        print(review.to_csv(rows, review.HISTORY_COLUMNS + (["failed_id", "hint"] if args.failed else [])), end="")
    else:
        if not rows:
            print("Nothing needs your attention." if args.failed else "No history yet.")
        for row in rows:
            line = f"{row['time']}  run {row['run']:<4} {row['pair']:<9} {row['action']:<8} {row['direction']:<11} " \
                   f"{row['record']}"
            if args.failed:
                ident = f"[failed #{row['failed_id']}] " if row.get("failed_id") else ""
                line += f"\n      {ident}{row.get('hint') or ''}"
            elif row["changes"]:
                line += "  " + "; ".join(f"{k}: {v[0]!r} → {v[1]!r}" for k, v in row["changes"].items()
                                         if isinstance(v, list) and len(v) == 2)
            print(line)
    return 1 if args.failed and any(r.get("failed_id") for r in rows) else 0


# ----- retry / ignore ----------------------------------------------------------------------------------------
def _retry(service: SyncService, args: argparse.Namespace) -> int:
    if not args.all and not args.ids:
        raise ConfigError("Say which failed records to retry (ids from `history --failed`), or --all.")
    reports = review.retry(service, None if args.all else args.ids)
    still = review.failed_records(service)
    if args.json:
        print(json.dumps({"runs": [r.as_dict() for r in reports], "still_failing": len(still)}, default=str))
    else:
        for r in reports:
            print(f"Retry run {r.run_id}: {r.outcome} — {r.message}")
        print("Nothing needs your attention." if not still else f"{len(still)} record(s) still failing.")
    return 1 if still else 0


def _ignore(service: SyncService, args: argparse.Namespace) -> int:
    n = review.ignore(service, args.ids)
    print(json.dumps({"ignored": n}) if args.json else f"Ignored {n} failed record(s).")
    return 0


# ----- conflicts ---------------------------------------------------------------------------------------------
def _conflicts(service: SyncService, args: argparse.Namespace) -> int:
    if args.action == "resolve":
        if args.id is None or not args.choices:
            raise ConfigError("Use: conflicts resolve ID xero|zoho|FIELD=side …")
        report = review.resolve_conflict(service, args.id, args.choices)
        print(json.dumps(report.as_dict(), default=str) if args.json else
              f"Conflict {args.id} resolved: {report.message}")
        return 0 if report.outcome == "ok" else 1
    rows = review.conflicts(service)
    if args.json:
        print(json.dumps([{"id": c.id, "pair": c.pair, "record": c.record_name, "fields": c.fields,
                           "created_at": c.created_at.isoformat()} for c in rows], default=str))
    else:
        if not rows:
            print("No conflicts.")
        for c in rows:
            print(f"#{c.id} {c.pair}: {c.record_name}")
            for field, v in c.fields.items():
                print(f"    {field}: Xero {v.get('xero')!r} | last synced {v.get('base')!r} | Zoho {v.get('zoho')!r}")
    return 1 if rows else 0


# ----- matches -----------------------------------------------------------------------------------------------
def _matches(service: SyncService, args: argparse.Namespace) -> int:
    if args.action:
        if not args.ids:
            raise ConfigError(f"Use: matches {args.action} ID …")
        fn = review.confirm_matches if args.action == "confirm" else review.reject_matches
        reports = fn(service, args.ids)
        if args.json:
            print(json.dumps([r.as_dict() for r in reports], default=str))
        else:
            verb = "Linked" if args.action == "confirm" else "Kept separate"
            print(f"{verb}: {', '.join(f'#{i}' for i in args.ids)}.")
            for r in reports:
                print(f"  run {r.run_id}: {r.message}")
        return 0 if all(r.outcome == "ok" for r in reports) else 1
    rows = review.matches(service)
    if args.json:
        print(json.dumps([{"id": m.id, "pair": m.pair, "xero": m.xero_name, "zoho": m.zoho_name, "score": m.score,
                           "evidence": m.evidence, "xero_id": m.xero_id, "zoho_id": m.zoho_id} for m in rows]))
    else:
        if not rows:
            print("No matches waiting.")
        for m in rows:
            print(f"#{m.id} {m.pair}: Xero '{m.xero_name}'  ↔  Zoho '{m.zoho_name}'  ({', '.join(m.evidence)})")
    return 1 if rows else 0


# ----- reconcile ---------------------------------------------------------------------------------------------
def _reconcile(service: SyncService, args: argparse.Namespace) -> int:
    pairs = tuple(args.pair) if args.pair else reconcile_service.PAIRS
    findings = [f.as_dict() for f in reconcile_service.reconcile(service, pairs)]
    fmt = "json" if args.json else args.format
    if fmt == "json":
        print(json.dumps(findings, default=str))
    elif fmt == "csv":
        columns = ["pair", "kind", "record", "xero_id", "zoho_id", "field", "xero_value", "zoho_value", "detail"]
        print(review.to_csv(findings, columns), end="")
    else:
        if not findings:
            print("Both systems agree on every linked record.")
        for f in findings:
            extra = f" {f['field']}: Xero {f['xero_value']!r} vs Zoho {f['zoho_value']!r}" if f["field"] else ""
            print(f"{f['pair']:<9} {f['kind']:<15} {f['record']}{extra} {f['detail']}".rstrip())
    serious = [f for f in findings if f["kind"] in ("mismatch", "total_mismatch", "missing")]
    return 1 if serious else 0


# ----- undo --------------------------------------------------------------------------------------------------
def _undo(service: SyncService, args: argparse.Namespace) -> int:
    report = review.undo(service, args.run)
    print(json.dumps(report.as_dict(), default=str) if args.json else report.message)
    return 0 if report.outcome == "ok" else 1


# ----- mapping -----------------------------------------------------------------------------------------------
def _mapping(service: SyncService, args: argparse.Namespace) -> int:
    if args.action == "export":
        text = mapping_store.export_json(service.profile)
        if args.file:
            Path(args.file).write_text(text, encoding="utf-8")
            print(f"Mapping written to {args.file}.")
        else:
            print(text)
        return 0
    if args.action == "import":
        text = Path(args.file).read_text(encoding="utf-8") if args.file else sys.stdin.read()
        pairs = mapping_store.import_json(service.profile, text, check=service.validate)
        print(f"Imported mapping for {', '.join(pairs)}.")
        return 0
    problems = service.validate()
    if args.json:
        print(json.dumps([{"pair": p.pair, "field": p.field, "message": p.message} for p in problems]))
    else:
        print("The mapping works with both systems." if not problems else "The mapping has problems:")
        for p in problems:
            print(f"  • {p}")
    return 1 if problems else 0


_HANDLERS = {"sync": _sync, "history": _history, "retry": _retry, "ignore": _ignore, "conflicts": _conflicts,
             "matches": _matches, "reconcile": _reconcile, "undo": _undo, "mapping": _mapping}
