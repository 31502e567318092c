"""``history-sync``: queue, list, start, remove and clear historical syncs (what changed over a past period).

    history-sync add --last 30 [--pair contacts …] [--direction both|xero|zoho] [--start]
    history-sync add --since 2026-09-01 [--until 2026-09-30]
    history-sync list | start [ID] | remove ID | clear

Exit codes: 0 all good; 1 a job failed or was stopped for confirmation; 2 bad usage; 3 paused by an API limit.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from datetime import UTC, date, datetime
from typing import Any

from app.cli.common import UsageError
from app.services import historical
from app.services.runtime import open_context
from app.services.sync import SyncService
from app.services.words import local_time, pair_label, plural

COMMAND = "history-sync"
PAIR_CHOICES = ["contacts", "items", "invoices", "payments", "deals"]


def add_parsers(commands: argparse._SubParsersAction) -> None:
    hs = commands.add_parser(COMMAND, help="sync what changed over a past period (a queue kept between runs)",
                             description="Historical sync: send what changed over a past period, from a queue.")
    actions = hs.add_subparsers(dest="hs_action", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="count what a period holds, estimate the time, and queue it")
    when = add.add_mutually_exclusive_group(required=True)
    when.add_argument("--last", type=int, choices=historical.PRESET_DAYS, metavar="DAYS",
                      help="the last 7, 30 or 90 days")
    when.add_argument("--since", metavar="DATE", help="everything changed since DATE (YYYY-MM-DD)")
    add.add_argument("--until", metavar="DATE",
                     help="with --since: the period's last day (YYYY-MM-DD); what changed after it is left for "
                          "the regular sync")
    add.add_argument("--pair", action="append", choices=PAIR_CHOICES, help="only this pair (repeatable)")
    add.add_argument("--direction", choices=["both", "xero", "zoho"], default="both",
                     help="both ways (default), xero: Xero → Zoho CRM, zoho: Zoho CRM → Xero")
    add.add_argument("--no-count", action="store_true", help="queue without counting the records first")
    add.add_argument("--start", action="store_true", help="start the queue at once")
    add.add_argument("--json", action="store_true")
    lst = actions.add_parser("list", help="the queue, oldest first")
    lst.add_argument("--json", action="store_true")
    start = actions.add_parser("start", help="run the queue now (job ID first, when given)")
    start.add_argument("id", nargs="?", type=int, metavar="ID")
    start.add_argument("--json", action="store_true")
    remove = actions.add_parser("remove", help="take a job off the queue")
    remove.add_argument("id", type=int, metavar="ID")
    remove.add_argument("--json", action="store_true")
    clear = actions.add_parser("clear", help="remove finished, failed and cancelled jobs")
    clear.add_argument("--json", action="store_true")


def run(args: argparse.Namespace) -> int:
    with open_context(args) as ctx:
        service = SyncService(ctx)
        return _HANDLERS[args.hs_action](service, args)


def _period(args: argparse.Namespace, now: datetime) -> tuple[datetime, datetime | None, int | None]:
    """(since, until, days) from --last, or --since and --until (None: up to now)."""
    if args.until and not args.since:
        raise UsageError("--until ends a period that starts with --since: add --since DATE.")
    if args.last:
        return historical.since_days(args.last, now), None, args.last
    until = historical.until_date(_day(args.until, "--until")) if args.until else None
    return historical.since_date(_day(args.since, "--since")), until, None


def _day(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise UsageError(f"{option} wants a date like 2026-09-01, not {text!r}.") from exc


def _add(service: SyncService, args: argparse.Namespace) -> int:
    now = datetime.fromtimestamp(service.ctx.clock.time(), UTC)
    since, until, days = _period(args, now)
    if until is not None and until <= since:
        raise UsageError("--until is before --since: the period's last day is on or after its first.")
    counted = None
    if not args.no_count:
        if not args.json:
            print("Counting the records in that period…", file=sys.stderr, flush=True)
        counted = historical.estimate(service, args.pair or [], args.direction, since, until)
    job = historical.add(service, direction=args.direction, since=since, until=until, pairs=args.pair, days=days,
                         counted=counted)
    if not args.json:
        print(f"Queued historical sync {job.id} — {job.range_label} · {job.direction_label} · {job.pairs_label}")
        if counted is not None:
            print(f"  {counted.words} ({plural(counted.xero_calls, 'Xero call')}, "
                  f"{plural(counted.zoho_calls, 'Zoho CRM call')}).")
            for pair, n in counted.by_pair.items():
                print(f"    {pair_label(pair):<28} {plural(n, 'record')}")
        if until is not None:
            print("  Records changed after the period's last day are left for the regular sync.")
    if args.start:
        return _run_queue(service, job.id, args)
    if args.json:
        print(json.dumps(_job_dict(job), default=str))
    else:
        print(f"  Start it with `history-sync start {job.id}`.")
    return 0


def _list(service: SyncService, args: argparse.Namespace) -> int:
    now = datetime.fromtimestamp(service.ctx.clock.time(), UTC)
    jobs = historical.jobs(service.profile)
    if args.json:
        print(json.dumps([_job_dict(j) for j in jobs], default=str))
        return 0
    if not jobs:
        print("No historical syncs queued. Add one with `history-sync add --last 30`.")
        return 0
    rows = [("ID", "Period", "Direction", "Pairs", "Size", "Status")]
    for j in jobs:
        status = j.status_label
        if j.finished_at:
            status += f" {local_time(j.finished_at, now)}"
        rows.append((str(j.id), j.range_label, j.direction_label, j.pairs_label, j.size_label, status))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=False)) + "  " + r[-1])
    for j in jobs:
        if j.message and j.status != "queued":
            print(f"  {j.id}: {j.message}")
    return 0


def _start(service: SyncService, args: argparse.Namespace) -> int:
    return _run_queue(service, args.id, args)


def _run_queue(service: SyncService, job_id: int | None, args: argparse.Namespace) -> int:
    def progress(event: Any) -> None:
        if not args.json:
            print(f"  {event.message}", file=sys.stderr, flush=True)

    if not any(j.can_start for j in historical.jobs(service.profile)) and job_id is None:
        print("Nothing is waiting in the queue." if not args.json else "[]")
        return 0
    done = historical.start(service, job_id, progress=progress)
    if args.json:
        print(json.dumps([_job_dict(j) for j in done], default=str))
    else:
        for j in done:
            print(f"Historical sync {j.id} ({j.range_label}): {j.status_label} — {j.message}")
        left = [j for j in historical.jobs(service.profile) if j.can_start]
        if left:
            print(f"  {plural(len(left), 'job')} still waiting: `history-sync start` carries on.")
    if any(j.status == "paused" for j in done):
        return 3
    return 1 if any(j.status in ("failed", "braked", "cancelled") for j in done) else 0


def _remove(service: SyncService, args: argparse.Namespace) -> int:
    job = historical.remove(service.profile, args.id)
    print(json.dumps({"removed": job.id}) if args.json else
          f"Removed historical sync {job.id} ({job.range_label}).")
    return 0


def _clear(service: SyncService, args: argparse.Namespace) -> int:
    n = historical.clear_completed(service.profile)
    print(json.dumps({"removed": n}) if args.json else
          (f"Removed {plural(n, 'completed job')}." if n else "No completed jobs to clear."))
    return 0


def _job_dict(job: historical.JobItem) -> dict[str, Any]:
    data = asdict(job)
    data.update(status_label=job.status_label, direction_label=job.direction_label, size=job.size_label)
    return data


_HANDLERS = {"add": _add, "list": _list, "start": _start, "remove": _remove, "clear": _clear}
