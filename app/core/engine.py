"""The sync engine: one cycle over every enabled pair, in dependency order, with a report at the end.

Pure Python: it talks to the two systems only through the ports a :class:`Connectors` hands it, and reports
progress through a callback, so the GUI, the CLI and the tests drive the same code.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

import peewee as pw

from app.clock import Clock
from app.core.beats import DEFAULT_SLOW_BEAT_MINUTES, SLOW_PAIRS
from app.core.mapping import PairMapping
from app.core.pairsync import X2Z, Z2X, PairSpec, PairSync
from app.core.records import SidePort
from app.core.runctx import Brake, BrakeTripped, ProgressEvent, RunContext
from app.core.runlog import RecordedRun
from app.core.state import cursor, due_failures, parse_watermark, prune_history, utc
from app.errors import AppError, AuthRequired, Cancelled, ConnectionLost, DailyLimitReached, RateLimited
from app.store.db import BUSY_MESSAGE, is_busy
from app.store.models import Profile
from app.store.settings import get_setting, set_setting

log = logging.getLogger(__name__)

PAIR_ORDER = ("items", "contacts", "deals", "invoices", "payments")


class Connectors(Protocol):
    """What the engine needs from the outside world (implemented in ``app.services``)."""

    def spec(self, mapping: PairMapping) -> PairSpec: ...

    def payment_source(self) -> SidePort: ...

    def calls(self) -> tuple[int, int]: ...

    def fallback_product(self, name: str) -> str | None: ...


@dataclass
class RunReport:
    """Plain data for the CLI, the GUI and the history table."""

    run_id: int
    outcome: str  # ok | partial | failed | paused | cancelled | braked
    message: str
    dry_run: bool
    started_at: datetime
    ended_at: datetime
    counts: dict[str, int] = field(default_factory=dict)
    by_pair: dict[str, dict[str, int]] = field(default_factory=dict)
    xero_calls: int = 0
    zoho_calls: int = 0
    plan: list[dict[str, Any]] = field(default_factory=list)
    estimated_calls: dict[str, int] = field(default_factory=dict)
    paused_until: float | None = None
    needs_attention: bool = False
    needs_sign_in: str = ""  # the provider whose connection must be made again ("xero" | "zoho")
    notes: list[str] = field(default_factory=list)  # said once, e.g. that an earlier run was interrupted

    @property
    def failed(self) -> int:
        return self.counts.get("failed", 0)

    def as_dict(self) -> dict[str, Any]:
        data = dict(self.__dict__)
        data["started_at"] = self.started_at.isoformat()
        data["ended_at"] = self.ended_at.isoformat()
        return data


class SyncEngine:
    def __init__(self, profile: Profile, connectors: Connectors, mappings: dict[str, PairMapping], clock: Clock,
                 db: pw.Database) -> None:
        self.profile = profile
        self.connectors = connectors
        self.mappings = mappings
        self.clock = clock
        self.db = db

    # ----- a cycle -------------------------------------------------------------------------------------------
    def run_cycle(self, *, trigger: str = "manual", dry_run: bool = False, pairs: list[str] | None = None,
                  since: datetime | None = None, cancel: threading.Event | None = None,
                  progress: Callable[[ProgressEvent], None] | None = None, allow_bulk_archive: bool = False,
                  force_retry: bool = False) -> RunReport:
        rec = RecordedRun(self.profile, self.clock, self.connectors.calls, trigger=trigger, dry_run=dry_run)
        brake = Brake(int(get_setting(self.profile, "brake.min_records")),
                      float(get_setting(self.profile, "brake.fraction")), released=allow_bulk_archive)
        ctx = RunContext(self.profile, rec.row, self.clock, self.db, dry_run=dry_run, since=since,
                         cancel=cancel or threading.Event(), on_progress=progress, brake=brake,
                         force_retry=force_retry, make_fallback_product=self.connectors.fallback_product)
        polls = self._deletion_polls_due(pairs) if dry_run else 0
        outcome, message, paused_until, sign_in = "ok", "", None, ""
        try:
            self._run_pairs(ctx, pairs)
        except BrakeTripped as exc:
            outcome = "braked"
            doing = "archiving or deleting" if exc.what == "archive" else "emptying fields of"
            message = (f"Stopped before {doing} {exc.count} of {exc.linked} linked {exc.pair}: more than the "
                       f"safety limit of {exc.limit}. Check what changed (a field removed or emptied in bulk?), "
                       "then run the sync again and confirm the bulk change if it is intended.")
        except RateLimited as exc:  # the day's allowance, or a sign-in renewal the service asked to hold back
            wait = exc.retry_after or (3600 if isinstance(exc, DailyLimitReached) else 60)
            outcome, paused_until, message = "paused", self.clock.time() + wait, exc.message
        except Cancelled as exc:
            outcome, message = "cancelled", exc.message
        except AuthRequired as exc:
            outcome, message, sign_in = "failed", exc.message, exc.provider
        except ConnectionLost as exc:
            outcome, message = "failed", f"{exc.message} Nothing is lost: the next sync carries on."
        except AppError as exc:
            outcome, message = "failed", exc.message
            log.exception("sync failed")
        except Exception as exc:  # a fault of ours or an answer nobody foresaw: the run still ends, in words
            log.exception("sync failed unexpectedly")
            outcome, message = "failed", BUSY_MESSAGE if is_busy(exc) else (
                f"The sync stopped on an unexpected problem ({type(exc).__name__}). Nothing is lost: the next sync "
                "carries on. The log has the details.")
        except BaseException:  # Ctrl-C or shutdown: close the run as cancelled, then let it go on
            rec.close("cancelled", "Stopped before it finished.", ctx.counts)
            raise
        if outcome == "ok" and ctx.interrupted:
            outcome = "partial"
            message = " ".join(ctx.interrupted) + " Nothing is lost: the next sync carries on."
        if outcome == "ok" and ctx.counts.get("failed"):
            outcome = "partial"
            n = ctx.counts["failed"]
            message = (f"{_summary(ctx.counts, dry_run)} {n:,} {'record needs' if n == 1 else 'records need'} your "
                       "attention: see Failed records.")
        if outcome == "ok":
            message = _summary(ctx.counts, dry_run)
        rec.close(outcome, message, ctx.counts)
        if not dry_run:
            prune_history(self.profile, int(get_setting(self.profile, "history.retention_days")), rec.ended)
        report = RunReport(rec.id, outcome, message, dry_run, rec.started, rec.ended, dict(ctx.counts),
                           {k: dict(v) for k, v in ctx.by_pair.items()}, rec.xero_calls, rec.zoho_calls, ctx.plan,
                           paused_until=paused_until, needs_sign_in=sign_in,
                           needs_attention=outcome in ("partial", "failed", "braked") or bool(ctx.counts.get(
                               "conflicts")) or bool(ctx.counts.get("queued_for_review")))
        if dry_run:  # the deletion polls just made are not due again for the run that follows
            report.estimated_calls = _estimate(ctx.plan, rec.xero_calls, rec.zoho_calls - polls,
                                               self._estimate_facts(ctx.plan, pairs))
        log.info("sync run %s %s: %s", rec.id, outcome, message)
        return report

    # ----- what a dry run's estimate needs to know ----------------------------------------------------------
    def _deletion_polls_due(self, pairs: list[str] | None) -> int:
        """Zoho modules whose deletions a run reads now (each at most hourly)."""
        due = 0
        for pair, mapping in self.mappings.items():
            if pair != "payments" and mapping.enabled and not (pairs and pair not in pairs):
                spec = self.connectors.spec(mapping)
                due += bool(spec.reads_zoho() and getattr(spec.zoho, "poll_deletions", False))
        return due

    def _estimate_facts(self, plan: list[dict[str, Any]], pairs: list[str] | None) -> _EstimateFacts:
        names = [str(link.transform["fallback_product_name"]) for m in self.mappings.values() if m.enabled
                 for link in m.fields if link.transform.get("fallback_product_name")]
        return _EstimateFacts(
            written_back={p for p, m in self.mappings.items() if m.options.get("zoho_xref_field")},
            persons_layout_known=_layout_known(getattr(self.connectors, "schema_cache", None), "Contacts"),
            # the product's id as the connectors keep it once made (see LiveConnectors.fallback_product)
            fallback_known=all(get_setting(self.profile, f"zoho.fallback_product.{n}") for n in names),
            retry_fetches=self._released_retry_fetches(plan, pairs))

    def _released_retry_fetches(self, plan: list[dict[str, Any]], pairs: list[str] | None) -> tuple[int, int]:
        """(Xero, Zoho) calls fetching records that wait for a related record: a run that has created or linked
        records before their pair tries them again (a dry run creates nothing, so it left them waiting)."""
        xero = zoho = 0
        now = utc(self.clock.time())
        made = False
        for pair in PAIR_ORDER:
            mapping = self.mappings.get(pair)
            if pair == "payments" or mapping is None or not mapping.enabled or (pairs and pair not in pairs):
                continue
            if made:
                due = {r.id for r in due_failures(self.profile, pair, now)}
                waiting = [r for r in due_failures(self.profile, pair, now, release_waiting=True) if r.id not in due]
                xero += _calls(sum(1 for r in waiting if r.direction == X2Z), XERO_BATCH)
                zoho += _calls(sum(1 for r in waiting if r.direction == Z2X), ZOHO_BATCH)
            made = made or any(e["pair"] == pair and e["action"] in ("create", "link") for e in plan)
        return xero, zoho

    def record_stopped(self, trigger: str, dry_run: bool, outcome: str, message: str, *,
                       paused_until: float | None = None, needs_sign_in: str = "") -> RunReport:
        """A run that stopped before its first pair (the layouts could not be read): recorded like any run."""
        rec = RecordedRun(self.profile, self.clock, self.connectors.calls, trigger=trigger, dry_run=dry_run)
        rec.close(outcome, message, {})
        return RunReport(rec.id, outcome, message, dry_run, rec.started, rec.ended, xero_calls=rec.xero_calls,
                         zoho_calls=rec.zoho_calls, paused_until=paused_until, needs_sign_in=needs_sign_in,
                         needs_attention=outcome == "failed")

    def _run_pairs(self, ctx: RunContext, pairs: list[str] | None) -> None:
        ran: list[PairMapping] = []
        for pair in PAIR_ORDER:
            mapping = self.mappings.get(pair)
            if mapping is None or not mapping.enabled or (pairs and pair not in pairs) or not self._due(ctx, pair):
                continue
            ctx.current_pair = pair
            ctx.check_cancel()
            try:
                if pair == "payments":
                    self._run_payments(ctx)
                else:
                    PairSync(ctx, self.connectors.spec(mapping)).run()
                    ran.append(mapping)
                if pair == "invoices":
                    self._refresh_customers(ctx)
                if pair in SLOW_PAIRS and not ctx.dry_run:
                    set_setting(self.profile, f"sync.last_read.{pair}", self.clock.time())
            except ConnectionLost as exc:  # this pair waits for the next cycle; the others still run
                log.warning("%s: %s", pair, exc.technical or exc.message)
                ctx.count("pairs_interrupted")
                ctx.interrupted.append(f"{pair}: {exc.message}")
            ctx.lookups.refresh()
        done = getattr(self.connectors, "pairs_done", None)  # what follows from the records linked this run
        if done is not None:
            done(ran, ctx.dry_run)

    def _refresh_customers(self, ctx: RunContext) -> None:
        """Customers whose invoices changed in this run (a void, a credit note, a new invoice) but who were not
        read themselves: Xero moves their balances without marking them changed, so read them now."""
        mapping = self.mappings.get("contacts")
        take = getattr(self.connectors, "customers_to_refresh", None)
        ids = [i for i in (take() if take else []) if (link := ctx.lookups.link_for_xero("contacts", i)) is not None
               and link.zoho_id]
        if ids and mapping is not None and mapping.enabled:
            ctx.current_pair = "contacts"
            PairSync(ctx, self.connectors.spec(mapping)).run_targeted(ids, [], fetch_counterparts=False)
            ctx.current_pair = "invoices"

    def _due(self, ctx: RunContext, pair: str) -> bool:
        """Whether a scheduled run reads this pair now (see app.core.beats); other runs read every pair."""
        if pair not in SLOW_PAIRS or ctx.run.trigger != "schedule" or ctx.since or ctx.dry_run:
            return True
        last = get_setting(self.profile, f"sync.last_read.{pair}")
        beat = float(get_setting(self.profile, "sync.slow_beat_minutes") or DEFAULT_SLOW_BEAT_MINUTES) * 60
        return not last or self.clock.time() - float(last) >= beat


    # ----- payments: refresh the invoices and customers they touch -------------------------------------------
    def _run_payments(self, ctx: RunContext) -> None:
        source = self.connectors.payment_source()
        row = cursor(self.profile, "xero:payments")
        since = ctx.since or parse_watermark(row.watermark)
        high = row.watermark
        invoice_ids: list[str] = []
        contact_ids: list[str] = []
        ctx.progress("payments", "Reading Xero payments…", phase="payments")
        for page in source.read(since, 1, ""):
            if page.number == 1 and page.as_of:
                high = max(high, page.as_of)  # a full read saw every payment made before Xero answered
            for payment in page.records:
                if row.watermark and payment.version <= row.watermark and not ctx.since:
                    continue  # seen last time (If-Modified-Since repeats the boundary second)
                high = max(high, payment.version)
                invoice_id = payment.fields.get("Invoice.InvoiceID")
                contact_id = payment.fields.get("Invoice.Contact.ContactID")
                # A record synced after the payment was made already shows it (e.g. on the first sync).
                for pair, rid, out in (("invoices", invoice_id, invoice_ids), ("contacts", contact_id, contact_ids)):
                    link = ctx.lookups.link_for_xero(pair, rid) if rid else None
                    if link is not None and link.zoho_id and (
                            payment.modified is None or link.synced_at is None or link.synced_at <= payment.modified):
                        out.append(rid)
                ctx.count("payments_seen")
        for pair, ids in (("invoices", invoice_ids), ("contacts", contact_ids)):
            mapping = self.mappings.get(pair)
            if ids and mapping is not None and mapping.enabled:
                ctx.current_pair = pair
                PairSync(ctx, self.connectors.spec(mapping)).run_targeted(list(dict.fromkeys(ids)), [],
                                                                         fetch_counterparts=False)
        ctx.current_pair = "payments"
        if not ctx.dry_run and not ctx.since:
            row.watermark = high
            row.updated_at = ctx.now()
            row.save()

    # ----- targeted syncs (confirm a match, resolve a conflict, retry) ---------------------------------------
    def sync_records(self, pair: str, xero_ids: list[str], zoho_ids: list[str], *, trigger: str,
                     resolutions: dict[str, dict[str, str]] | None = None,
                     confirmed: list[tuple[str, str]] | None = None, dry_run: bool = False,
                     remap: dict[str, tuple[str, str]] | None = None) -> RunReport:
        """``remap``: fields whose mapping changed, compared afresh on these linked records (see
        app.services.mapping_apply); ``dry_run`` plans without writing."""
        rec = RecordedRun(self.profile, self.clock, self.connectors.calls, trigger=trigger, dry_run=dry_run)
        ctx = RunContext(self.profile, rec.row, self.clock, self.db, force_retry=True, current_pair=pair,
                         make_fallback_product=self.connectors.fallback_product, dry_run=dry_run)
        outcome, message = "ok", ""
        try:
            sync = PairSync(ctx, self.connectors.spec(self.mappings[pair]))
            sync.remap = remap or {}
            if confirmed:
                sync.run_confirmed(confirmed)
            if xero_ids or zoho_ids:
                sync.run_targeted(xero_ids, zoho_ids, resolutions)
        except AppError as exc:
            outcome, message = "failed", exc.message
        except BaseException:
            rec.close("failed", "Stopped on an unexpected problem; the log has the details.", ctx.counts)
            raise
        if outcome == "ok":
            outcome = "partial" if ctx.counts.get("failed") else "ok"
            message = _summary(ctx.counts, dry_run)
        rec.close(outcome, message, ctx.counts)
        return RunReport(rec.id, outcome, message, dry_run, rec.started, rec.ended, dict(ctx.counts),
                         {k: dict(v) for k, v in ctx.by_pair.items()}, rec.xero_calls, rec.zoho_calls, ctx.plan)


def _summary(counts: dict[str, int], dry_run: bool) -> str:
    labels = [("created", "created"), ("updated", "updated"), ("linked", "linked"), ("archived", "archived"),
              ("deleted", "deleted"), ("conflicts", "conflicts"), ("queued_for_review", "waiting for review"),
              ("failed", "failed")]
    if dry_run:
        labels = [("create", "to create"), ("update", "to update"), ("link", "to link"), ("archive", "to archive"),
                  ("conflict", "conflicts"), ("queued_for_review", "to review"), ("failed", "would fail")]
    parts = [f"{counts[k]:,} {label[:-1] if counts[k] == 1 and label.endswith('conflicts') else label}"
             for k, label in labels if counts.get(k)]
    if not parts:
        return "Everything is up to date." if not dry_run else "Nothing to change."
    return ("Would do: " if dry_run else "") + ", ".join(parts) + "."


XERO_BATCH, ZOHO_BATCH = 50, 100  # records per write call


@dataclass
class _EstimateFacts:
    written_back: set[str]  # pairs whose records created in Xero get their Xero id written back to Zoho
    persons_layout_known: bool  # Zoho's Contacts layout is cached (people are written without reading it first)
    fallback_known: bool  # the product for invoice lines without an item exists already
    retry_fetches: tuple[int, int]  # (Xero, Zoho) calls fetching records released from waiting


class _NotCached(Exception):
    pass


def _not_cached() -> list[Any]:
    raise _NotCached


def _layout_known(cache: Any, module: str) -> bool:
    """Whether a schema cache holds ``module``'s layout: asked through its own look-up, with a fetch that refuses."""
    if cache is None:
        return True
    try:
        cache.get(module, _not_cached)
    except _NotCached:
        return False
    return True


def _calls(n: int, size: int) -> int:
    return -(-n // size)


def _estimate(plan: list[dict[str, Any]], xero_reads: int, zoho_reads: int, facts: _EstimateFacts) -> dict[str, int]:
    """Calls the run that follows a dry run makes: the reads the dry run made, and the writes of each batch the
    real run sends together (a page of Xero records, or the Zoho-only records after them): Xero creates and
    updates; Zoho creates (upserts) and updates, an invoice whose rows change being two (clear, then send); the
    Xero ids of records created in Xero written back to Zoho; contact persons (and Zoho's Contacts layout if it is
    not cached); the product for invoice lines without an item."""
    batches: dict[tuple[str, Any], dict[str, int]] = {}
    fallback = False
    for entry in plan:
        b = batches.setdefault((entry["pair"], entry.get("batch")), dict.fromkeys(
            ("xc", "xu", "zc", "zu", "rows", "people"), 0))
        b["people"] += int(entry.get("people") or 0)
        rows = (entry.get("changes") or {}).get("zoho.Invoiced_Items")
        if entry.get("zoho_write") and rows:
            fallback = fallback or '"(new)"' in json.dumps(rows[-1], default=str)
        if entry.get("xero_write"):
            b["xc" if entry.get("create") else "xu"] += 1
            if entry.get("create") and entry["pair"] in facts.written_back:
                b["zu"] += 1
        if entry.get("zoho_write"):
            b["zc" if entry.get("create") else "rows" if rows else "zu"] += 1
    xero = xero_reads + facts.retry_fetches[0] + sum(
        _calls(b["xc"], XERO_BATCH) + _calls(b["xu"], XERO_BATCH) for b in batches.values())
    zoho = zoho_reads + facts.retry_fetches[1] + sum(
        _calls(b["zc"], ZOHO_BATCH) + _calls(b["zu"], ZOHO_BATCH) + 2 * _calls(b["rows"], ZOHO_BATCH)
        + _calls(b["people"], ZOHO_BATCH) for b in batches.values())
    people = sum(b["people"] for b in batches.values())
    zoho += (people > 0 and not facts.persons_layout_known) + (fallback and not facts.fallback_known)
    return {"xero": xero, "zoho": zoho}
