"""What a person does after a sync: retry or ignore failed records, settle conflicts, confirm or reject likely
matches, look at history, undo a run. Every action that writes goes through the engine, so it is recorded in
history like any sync."""

from __future__ import annotations

import csv
import functools
import io
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from app.core.engine import RunReport
from app.core.pairsync import X2Z, Z2X
from app.core.records import WriteOp
from app.core.runlog import RecordedRun
from app.core.state import record_history
from app.core.values import canon
from app.errors import ConfigError, NotFound
from app.services.sync import SyncService
from app.store.models import Conflict, FailedRecord, HistoryEntry, Link, MatchCandidate, Run

F = TypeVar("F", bound=Callable[..., Any])


def _locked(what: str) -> Callable[[F], F]:
    """Run a decision under the data folder's run lock, like a sync: never beside another run."""
    def wrap(fn: F) -> F:
        @functools.wraps(fn)
        def inner(service: SyncService, *args: Any, **kwargs: Any) -> Any:
            with service.locked(what):
                return fn(service, *args, **kwargs)
        return inner  # type: ignore[return-value]
    return wrap


def _now(service: SyncService) -> datetime:
    return datetime.fromtimestamp(service.ctx.clock.time(), UTC)


# ----- failed records ----------------------------------------------------------------------------------------
def failed_records(service: SyncService, include_closed: bool = False) -> list[FailedRecord]:
    query = FailedRecord.select().where(FailedRecord.profile == service.profile)
    if not include_closed:
        query = query.where(FailedRecord.status == "open")
    return list(query.order_by(FailedRecord.last_failed_at.desc()))


@_locked("retry")
def retry(service: SyncService, ids: list[int] | None = None) -> list[RunReport]:
    """Try failed records again now (all open ones, or those ids)."""
    rows = [r for r in failed_records(service) if ids is None or r.id in ids]
    if ids is not None and len(rows) != len(set(ids)):
        missing = sorted(set(ids) - {r.id for r in rows})
        raise NotFound(f"No open failed record with id {', '.join(map(str, missing))}.")
    reports = []
    by_pair: dict[str, tuple[list[str], list[str]]] = {}
    for row in rows:
        xs, zs = by_pair.setdefault(row.pair, ([], []))
        (xs if row.direction == X2Z else zs).append(row.source_id)
    engine = service.engine()
    for pair, (xs, zs) in by_pair.items():
        if pair in ("payments",):
            continue
        reports.append(engine.sync_records(pair, xs, zs, trigger="retry"))
    return reports


@_locked("ignore")
def ignore(service: SyncService, ids: list[int]) -> int:
    return FailedRecord.update(status="ignored").where(
        FailedRecord.profile == service.profile, FailedRecord.id.in_(ids)).execute()


@_locked("un-ignore")
def unignore(service: SyncService, ids: list[int]) -> int:
    """Put ignored failed records back among the open ones (retried on the next sync); returns how many were
    ignored — records that were not ignored are left as they are."""
    return FailedRecord.update(status="open").where(
        FailedRecord.profile == service.profile, FailedRecord.id.in_(ids), FailedRecord.status == "ignored").execute()


# ----- conflicts ---------------------------------------------------------------------------------------------
def conflicts(service: SyncService) -> list[Conflict]:
    return list(Conflict.select().where(Conflict.profile == service.profile, Conflict.status == "open")
                .order_by(Conflict.created_at))


@_locked("conflict decision")
def resolve_conflict(service: SyncService, conflict_id: int, choices: list[str]) -> RunReport:
    """``choices``: ``["xero"]`` / ``["zoho"]`` for every field, or ``["Phone=zoho", "Email=xero"]``."""
    row = Conflict.get_or_none(Conflict.id == conflict_id, Conflict.profile == service.profile)
    if row is None or row.status != "open":
        raise NotFound(f"No open conflict with id {conflict_id}.")
    resolution: dict[str, str] = {}
    for choice in choices:
        if choice in ("xero", "zoho"):
            resolution.update({f: choice for f in row.fields})
        elif "=" in choice:
            field, side = choice.split("=", 1)
            if side not in ("xero", "zoho") or field not in row.fields:
                raise ConfigError(f"'{choice}': use FIELD=xero or FIELD=zoho with one of {', '.join(row.fields)}.")
            resolution[field] = side
        else:
            raise ConfigError(f"'{choice}': say xero, zoho, or FIELD=side.")
    missing = [f for f in row.fields if f not in resolution]
    if missing:
        raise ConfigError(f"Choose a side for: {', '.join(missing)}.")
    link = row.link
    row.resolution = resolution
    row.save()
    report = service.engine().sync_records(row.pair, [link.xero_id], [link.zoho_id], trigger="conflict",
                                           resolutions={str(link.id): resolution})
    row = Conflict.get_by_id(row.id)
    # The sync wrote the chosen values; if it could not, the decision stays stored and the next sync applies it.
    if row.status == "open" and report.outcome == "ok":
        row.status, row.resolved_at = "resolved", _now(service)
        row.save()
    return report


# ----- likely matches ----------------------------------------------------------------------------------------
def matches(service: SyncService, status: str = "pending") -> list[MatchCandidate]:
    return list(MatchCandidate.select().where(MatchCandidate.profile == service.profile,
                                              MatchCandidate.status == status).order_by(MatchCandidate.id))


@_locked("match decision")
def confirm_matches(service: SyncService, ids: list[int]) -> list[RunReport]:
    rows = _candidates(service, ids)
    reports = []
    for row in rows:
        row.status = "confirmed"
        row.save()
        # Other candidates for either record are now moot.
        MatchCandidate.update(status="rejected").where(
            MatchCandidate.profile == service.profile, MatchCandidate.pair == row.pair,
            MatchCandidate.status == "pending",
            (MatchCandidate.xero_id == row.xero_id) | (MatchCandidate.zoho_id == row.zoho_id)).execute()
        reports.append(service.engine().sync_records(row.pair, [], [], trigger="match",
                                                     confirmed=[(row.xero_id, row.zoho_id)]))
    if rows:
        reports += _release_waiting(service)
    return reports


def _release_waiting(service: SyncService) -> list[RunReport]:
    """Records that waited for a match (an invoice for a customer under review) sync now."""
    waiting = list(FailedRecord.select().where(FailedRecord.profile == service.profile,
                                               FailedRecord.status == "waiting"))
    by_pair: dict[str, tuple[list[str], list[str]]] = {}
    for row in waiting:
        xs, zs = by_pair.setdefault(row.pair, ([], []))
        (xs if row.direction == X2Z else zs).append(row.source_id)
    return [service.engine().sync_records(pair, xs, zs, trigger="match") for pair, (xs, zs) in by_pair.items()]


@_locked("match decision")
def reject_matches(service: SyncService, ids: list[int]) -> list[RunReport]:
    rows = _candidates(service, ids)
    reports = []
    for row in rows:
        row.status = "rejected"
        row.save()
    for row in rows:  # each record is now on its own: sync creates its counterpart if the direction allows
        still_pending = {(m.xero_id, m.zoho_id) for m in matches(service)}
        xs = [row.xero_id] if not any(x == row.xero_id for x, _ in still_pending) else []
        zs = [row.zoho_id] if not any(z == row.zoho_id for _, z in still_pending) else []
        xs = [x for x in xs if not _linked(service, row.pair, xero_id=x)]
        zs = [z for z in zs if not _linked(service, row.pair, zoho_id=z)]
        if xs or zs:
            reports.append(service.engine().sync_records(row.pair, xs, zs, trigger="match"))
    return reports


def _linked(service: SyncService, pair: str, xero_id: str | None = None, zoho_id: str | None = None) -> bool:
    query = Link.select().where(Link.profile == service.profile, Link.pair == pair,
                                Link.xero_id.is_null(False), Link.zoho_id.is_null(False))
    query = query.where(Link.xero_id == xero_id) if xero_id else query.where(Link.zoho_id == zoho_id)
    return query.exists()


def _candidates(service: SyncService, ids: list[int]) -> list[MatchCandidate]:
    rows = list(MatchCandidate.select().where(MatchCandidate.profile == service.profile,
                                              MatchCandidate.id.in_(ids), MatchCandidate.status == "pending"))
    if len(rows) != len(set(ids)):
        missing = sorted(set(ids) - {r.id for r in rows})
        raise NotFound(f"No pending match with id {', '.join(map(str, missing))}.")
    return rows


def to_csv(rows: list[dict[str, Any]], columns: list[str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([json.dumps(row.get(c), default=str) if isinstance(row.get(c), dict | list) else
                         row.get(c, "") for c in columns])
    return out.getvalue()


# ----- undo --------------------------------------------------------------------------------------------------
@_locked("undo")
def undo(service: SyncService, run_id: int) -> RunReport:
    """Put back the values a run's updates replaced, on whichever side each update wrote."""
    run = Run.get_or_none(Run.id == run_id, Run.profile == service.profile)
    if run is None:
        raise NotFound(f"No sync run {run_id}.")
    entries = list(HistoryEntry.select().where(HistoryEntry.run == run, HistoryEntry.action.in_(["update", "link"]))
                   .order_by(HistoryEntry.id.desc()))
    connectors = service.connectors()
    mappings = service.mappings()
    counts = {"reverted": 0, "failed": 0}
    rec = RecordedRun(service.profile, service.ctx.clock, connectors.calls, trigger="undo")
    undo_run = rec.row
    for pair in {e.pair for e in entries}:
        spec = connectors.spec(mappings[pair])
        for side, port, id_attr in (("zoho", spec.zoho, "zoho_id"), ("xero", spec.xero, "xero_id")):
            ops, links = [], []
            for e in entries:
                if e.pair != pair:
                    continue
                before = {k.split(".", 1)[1]: v[0] for k, v in (e.changes or {}).items()
                          if k.startswith(f"{side}.") and isinstance(v, list)}
                target = getattr(e, id_attr)
                link = Link.get_or_none(Link.profile == service.profile, Link.pair == pair,
                                        getattr(Link, id_attr) == target)
                if not before or link is None:
                    continue
                current = link.zoho_values if side == "zoho" else link.xero_values
                before = {k: v for k, v in before.items() if canon(current.get(k)) != canon(v)}  # not back yet
                if not before:
                    continue
                ops.append(WriteOp(str(e.id), before, target_id=target, name=e.record_name, current=current))
                links.append((e, link, before))
            if not ops:
                continue
            results = {r.key: r for r in port.write(ops)}
            for e, link, before in links:
                result = results.get(str(e.id))
                ok = result is not None and result.ok
                counts["reverted" if ok else "failed"] += 1
                if ok:
                    values = dict(link.zoho_values if side == "zoho" else link.xero_values)
                    values.update(before)
                    if side == "zoho":
                        link.zoho_values, link.zoho_version = values, result.version or link.zoho_version
                    else:
                        link.xero_values, link.xero_version = values, result.version or link.xero_version
                    link.save()
                record_history(undo_run, pair, "undo" if ok else "fail",
                               direction=X2Z if side == "zoho" else Z2X, xero_id=link.xero_id,
                               zoho_id=link.zoho_id, name=e.record_name,
                               changes={f"{side}.{k}": [e.changes[f'{side}.{k}'][1], v] for k, v in before.items()},
                               error=None if ok else (result.error if result else {"message": "no answer"}),
                               at=_now(service))
    outcome = "ok" if not counts["failed"] else "partial"
    message = f"Reverted {counts['reverted']} change(s) of run {run_id}" + (
        f"; {counts['failed']} could not be reverted (see history)." if counts["failed"] else ".")
    if not counts["reverted"] and not counts["failed"]:
        message = f"Nothing is left to undo in run {run_id}."
    rec.close(outcome, message, counts)
    return RunReport(rec.id, outcome, message, False, rec.started, rec.ended, counts, {}, rec.xero_calls,
                     rec.zoho_calls)
