"""The decisions a person makes, from the command line: retry, ignore and un-ignore failed records, settle
conflicts, confirm or reject likely matches, undo a run. Each says what it did, counted honestly."""

from __future__ import annotations

import argparse

from app.cli.common import UsageError, cli_hint, print_json
from app.errors import ConfigError
from app.services import review
from app.services.history_words import field_label
from app.services.sync import SyncService
from app.services.views import Views
from app.services.words import local_time, pair_label, plural


def add_parsers(commands: argparse._SubParsersAction) -> None:
    retry = commands.add_parser("retry", help="try failed records again now")
    retry.add_argument("ids", nargs="*", type=int, metavar="ID")
    retry.add_argument("--all", action="store_true")
    retry.add_argument("--json", action="store_true")

    ignore = commands.add_parser("ignore", help="stop retrying these failed records")
    ignore.add_argument("ids", nargs="+", type=int, metavar="ID")
    ignore.add_argument("--json", action="store_true")

    unignore = commands.add_parser("unignore", help="retry ignored records again (at the next sync)")
    unignore.add_argument("ids", nargs="+", type=int, metavar="ID")
    unignore.add_argument("--json", action="store_true")

    conflicts = commands.add_parser("conflicts", help="list conflicts, or resolve one")
    conflicts.add_argument("action", nargs="?", choices=["resolve"])
    conflicts.add_argument("id", nargs="?", type=int)
    conflicts.add_argument("choices", nargs="*", metavar="xero|zoho|FIELD=side")
    conflicts.add_argument("--json", action="store_true")

    matches = commands.add_parser("matches", help="likely matches waiting for a person; confirm or reject them")
    matches.add_argument("action", nargs="?", choices=["confirm", "reject"])
    matches.add_argument("ids", nargs="*", type=int, metavar="ID")
    matches.add_argument("--json", action="store_true")

    undo = commands.add_parser("undo", help="put back the values a run's updates replaced")
    undo.add_argument("run", type=int, metavar="RUN")
    undo.add_argument("--json", action="store_true")


# ----- failed records ----------------------------------------------------------------------------------------------
def run_retry(service: SyncService, views: Views, args: argparse.Namespace) -> int:
    if not args.all and not args.ids:
        raise UsageError("Say which failed records to retry: `retry 3 5` (the numbers from `history --failed`), "
                         "or `retry --all`.")
    before = {i.id for i in views.failed() if i.status == "open"}
    asked = sorted(before) if args.all else args.ids
    unknown = [i for i in asked if i not in before]
    if unknown:
        raise UsageError(f"No failed record waits to be retried as {', '.join(f'#{i}' for i in unknown)}. "
                         "`history --failed` lists them.")
    reports = review.retry(service, None if args.all else args.ids) if asked else []
    still = {i.id for i in views.failed() if i.status == "open"}
    failing = [i for i in asked if i in still]
    if args.json:
        print_json({"runs": [r.as_dict() for r in reports], "tried": len(asked), "synced": len(asked) - len(failing),
                    "still_failing": len(failing)})
    elif not asked:
        print("Nothing to retry: no record is failing.")
    else:
        text = f"Tried {plural(len(asked), 'record')} again: {len(asked) - len(failing):,} synced"
        print(text + (f", {len(failing):,} still failing (`history --failed` says why)." if failing else "."))
    return 1 if failing else 0


def run_ignore(service: SyncService, views: Views, args: argparse.Namespace, *, undo: bool = False) -> int:
    items = {i.id: i for i in views.failed(include_ignored=True)}
    wanted = "ignored" if undo else "open"
    ids = [i for i in dict.fromkeys(args.ids) if i in items and items[i].status == wanted]
    n = (review.unignore(service, ids) if undo else review.ignore(service, ids)) if ids else 0
    skipped = [i for i in args.ids if i not in ids]
    if args.json:
        print_json({"unignored" if undo else "ignored": n, "not_changed": skipped})
        return 0
    if undo:
        print(f"{plural(n, 'record')} back among the failed records; retried at the next sync (or `retry`)."
              if n else "Nothing to un-ignore.")
    else:
        print(f"Ignored {plural(n, 'record')}: not retried any more (`unignore {' '.join(map(str, ids))}` brings "
              f"{'it' if n == 1 else 'them'} back)." if n else "Nothing ignored.")
    if skipped:
        state = "not ignored" if undo else "not failing (already ignored, synced, or unknown)"
        print(f"{plural(len(skipped), 'record')} {'was' if len(skipped) == 1 else 'were'} {state}: "
              + ", ".join(f"#{i}" for i in skipped) + ".")
    return 0


# ----- conflicts ---------------------------------------------------------------------------------------------------
def run_conflicts(service: SyncService, views: Views, args: argparse.Namespace) -> int:
    if args.action == "resolve":
        if args.id is None or not args.choices:
            raise UsageError("Use: `conflicts resolve ID xero` (or zoho) to keep one side for every field, or "
                             "`conflicts resolve ID Phone=zoho Email=xero` per field.")
        try:
            report = review.resolve_conflict(service, args.id, args.choices)
        except ConfigError as exc:  # a choice typed wrongly is a usage mistake, not a settings problem
            raise UsageError(exc.message) from exc
        if args.json:
            print_json(report.as_dict())
        else:
            print(f"Conflict #{args.id} settled: {report.message}")
        return 0 if report.outcome == "ok" else 1
    rows = views.conflicts()
    if args.json:
        print_json([{"id": c.id, "pair": c.pair, "record": c.record_name, "fields": c.fields,
                     "created_at": c.created_at.isoformat()} for c in rows])
        return 1 if rows else 0
    if not rows:
        print("No conflicts.")
        return 0
    now = views.now()
    for c in rows:
        print(f"#{c.id}  {c.record_name}  ({pair_label(c.pair)}, found {local_time(c.created_at, now)})")
        for name, v in c.fields.items():
            label = field_label("zoho", name.split(".", 1)[-1])
            print(f"    {label}: Xero {_value(v.get('xero'))} | last synced {_value(v.get('base'))} | "
                  f"Zoho CRM {_value(v.get('zoho'))}")
    first = rows[0].id
    print(f"\n{plural(len(rows), 'conflict')} to settle: run `conflicts resolve {first} xero` (or zoho) to keep one "
          f"side, or `conflicts resolve {first} FIELD=zoho` per field.")
    return 1


def _value(value: object) -> str:
    return "(empty)" if value in (None, "", [], {}) else repr(value) if not isinstance(value, str) else f"'{value}'"


# ----- matches -----------------------------------------------------------------------------------------------------
def run_matches(service: SyncService, views: Views, args: argparse.Namespace) -> int:
    if args.action:
        if not args.ids:
            raise UsageError(f"Use: `matches {args.action} ID …` with the numbers `matches` lists.")
        fn = review.confirm_matches if args.action == "confirm" else review.reject_matches
        reports = fn(service, args.ids)
        if args.json:
            print_json([r.as_dict() for r in reports])
        else:
            verb = "Linked" if args.action == "confirm" else "Kept separate"
            print(f"{verb}: {', '.join(f'#{i}' for i in args.ids)}.")
            for r in reports:
                print(f"  Run {r.run_id}: {r.message}")
            left = views.attention().matches
            if left:
                print(f"{plural(left, 'possible match', 'possible matches')} still to confirm (run `matches`).")
        return 0 if all(r.outcome == "ok" for r in reports) else 1
    rows = views.matches()
    if args.json:
        print_json([{"id": m.id, "pair": m.pair, "xero": m.xero_name, "zoho": m.zoho_name, "score": m.score,
                     "evidence": list(m.evidence), "xero_id": m.xero_id, "zoho_id": m.zoho_id} for m in rows])
        return 1 if rows else 0
    if not rows:
        print("No matches waiting.")
        return 0
    for m in rows:
        evidence = ", ".join(m.evidence) or "similar"
        print(f"#{m.id}  {pair_label(m.pair)}: Xero “{m.xero_name}” ↔ Zoho CRM “{m.zoho_name}” ({evidence})")
    first = rows[0].id
    print(f"\n{plural(len(rows), 'possible match', 'possible matches')} to confirm: run `matches confirm {first}` "
          f"to link a pair, or `matches reject {first}` to keep them separate.")
    return 1


# ----- undo --------------------------------------------------------------------------------------------------------
def run_undo(service: SyncService, args: argparse.Namespace) -> int:
    report = review.undo(service, args.run)
    print_json(report.as_dict()) if args.json else print(cli_hint(report.message))
    return 0 if report.outcome == "ok" else 1
