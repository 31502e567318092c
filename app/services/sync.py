"""Running syncs and everything around them, for the CLI and the GUI alike: the engine wired to the live
clients, validation before a run, retries, ignoring, conflicts, match review, reconciliation, undo."""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from app.core.engine import RunReport, SyncEngine
from app.core.mapping import PairMapping, Problem
from app.core.runctx import ProgressEvent
from app.errors import AuthRequired, Cancelled, ConfigError, RateLimited
from app.integrations.http import cancel_scope
from app.services.connections import ConnectionService
from app.services.connectors import LiveConnectors
from app.services.context import AppContext
from app.services.gc_policy import sync_gc
from app.services.mappings import current_mappings, validate_all
from app.services.org_change import check_organisations
from app.services.read_window import EndedConnectors
from app.services.runlock import run_lock
from app.store.db import DB, busy_in_words
from app.store.models import Run
from app.store.settings import set_setting

log = logging.getLogger(__name__)


class SyncService:
    def __init__(self, ctx: AppContext, connections: ConnectionService | None = None) -> None:
        self.ctx = ctx
        self.connections = connections or ConnectionService(ctx)
        self._connectors: LiveConnectors | None = None
        self._built_for: tuple[Any, ...] | None = None

    @property
    def profile(self):  # noqa: ANN201 - peewee model
        return self.ctx.profile

    def connectors(self) -> LiveConnectors:
        """The clients for the connections as they are now: built anew whenever a side was connected again or
        moved to another organisation (here or by another process), so a long-running app never syncs with an
        old session."""
        fingerprint = self.connections.fingerprint()
        if self._connectors is not None and fingerprint != self._built_for:
            self.reset_clients()
        if self._connectors is None:
            self._connectors = LiveConnectors(self.connections.xero_client(), self.connections.zoho_client(),
                                              self.profile, self.ctx.clock)
            self._built_for = fingerprint
        return self._connectors

    def reset_clients(self) -> None:
        self._connectors = None
        self.connections.reset()

    @contextlib.contextmanager
    def locked(self, what: str, wait: float = 0.0) -> Iterator[None]:
        """The data folder's run lock for a writing operation (``what`` names it for a second run's message);
        a database held by another program past the busy timeout is reported in words."""
        with busy_in_words(), run_lock(self.ctx.paths.data_dir, what, by=self.ctx.actor, wait=wait):
            yield

    def mappings(self) -> dict[str, PairMapping]:
        return current_mappings(self.profile)

    def engine(self, mappings: dict[str, PairMapping] | None = None, *, until: datetime | None = None) -> SyncEngine:
        """The engine on the live connectors (with ``until``: reads that leave out what changed after it)."""
        connectors: Any = self.connectors() if until is None else EndedConnectors(self.connectors(), until)
        return SyncEngine(self.profile, connectors, mappings or self.mappings(), self.ctx.clock, DB.obj)

    # ----- validation ----------------------------------------------------------------------------------------
    def schemas(self, mappings: dict[str, PairMapping]) -> dict[str, tuple[list, list]]:
        connectors = self.connectors()
        out = {}
        for pair, mapping in mappings.items():
            if pair == "payments" or not mapping.enabled:
                continue
            spec = connectors.spec(mapping)
            out[pair] = (spec.xero.schema(), spec.zoho.schema())
        return out

    def validate(self, mappings: dict[str, PairMapping] | None = None) -> list[Problem]:
        mappings = mappings or self.mappings()
        return validate_all(mappings, self.schemas(mappings))

    # ----- running -------------------------------------------------------------------------------------------
    def sync(self, *, dry_run: bool = False, pairs: list[str] | None = None, since: datetime | None = None,
             trigger: str = "manual", cancel: threading.Event | None = None,
             progress: Callable[[ProgressEvent], None] | None = None, allow_bulk_archive: bool = False,
             force_retry: bool = False, mappings: dict[str, PairMapping] | None = None,
             until: datetime | None = None) -> RunReport:
        """One sync run under the run lock. ``mappings`` replaces the saved mapping for this run only (a
        historical sync restricted to one direction); ``until`` ends a read from ``since`` (a historical sync
        of a custom period: records changed after it are left to the normal sync, see ``read_window``)."""
        with self.locked("sync"), cancel_scope(cancel):
            notes = self._close_interrupted_runs()
            report = self._sync(dry_run=dry_run, pairs=pairs, since=since, trigger=trigger, cancel=cancel,
                                progress=progress, allow_bulk_archive=allow_bulk_archive, force_retry=force_retry,
                                mappings=mappings, until=until)
            report.notes[:0] = notes
            self._remember(report)
            return report

    def _sync(self, *, dry_run: bool, pairs: list[str] | None, since: datetime | None, trigger: str,
              cancel: threading.Event | None, progress: Callable[[ProgressEvent], None] | None,
              allow_bulk_archive: bool, force_retry: bool,
              mappings: dict[str, PairMapping] | None, until: datetime | None = None) -> RunReport:
        check_organisations(self.profile)  # another organisation connected: the user decides first
        mappings = mappings or self.mappings()
        if pairs:
            unknown = [p for p in pairs if p not in mappings]
            if unknown:
                raise ConfigError(f"Unknown pair(s): {', '.join(unknown)}. Pairs: {', '.join(mappings)}.")
        try:
            problems = [p for p in self.validate({k: v for k, v in mappings.items() if not pairs or k in pairs})
                        if p.blocking]
        except RateLimited as exc:  # the layouts could not be read yet: a pause like any other, not a failure
            wait = exc.retry_after or 60
            return self.engine(mappings).record_stopped(trigger, dry_run, "paused", exc.message,
                                                        paused_until=self.ctx.clock.time() + wait)
        except AuthRequired as exc:
            return self.engine(mappings).record_stopped(trigger, dry_run, "failed", exc.message,
                                                        needs_sign_in=exc.provider)
        except Cancelled as exc:
            return self.engine(mappings).record_stopped(trigger, dry_run, "cancelled", exc.message)
        if problems:
            # The cached Zoho layout made the mapping fail: read it live next time, so a field put back in Zoho
            # lets the next sync through at once instead of after the cache's hour.
            self.connectors().schema_cache.invalidate()
            raise ConfigError("The field mapping cannot work with the live systems:\n" +
                              "\n".join(f"  • {p}" for p in problems) + "\nFix it in Field mapping, then sync again.")
        engine = self.engine(mappings, until=until if since else None)
        with sync_gc():
            return engine.run_cycle(trigger=trigger, dry_run=dry_run, pairs=pairs, since=since, cancel=cancel,
                                    progress=progress, allow_bulk_archive=allow_bulk_archive, force_retry=force_retry)

    def _close_interrupted_runs(self) -> list[str]:
        """Runs still "running" while we hold the run lock were left by a process that died: close them, once."""
        n = Run.update(outcome="interrupted", ended_at=datetime.fromtimestamp(self.ctx.clock.time(), UTC),
                       message="Stopped before it finished (the app was closed or the computer shut down).").where(
            Run.profile == self.profile, Run.outcome == "running").execute()
        if not n:
            return []
        log.warning("closed %d run(s) left running by a process that stopped", n)
        return ["The previous sync stopped before it finished (the app was closed or the computer shut down). "
                "Nothing is lost: this sync carried on from where it stopped."]

    def _remember(self, report: RunReport) -> None:
        """Keep what the window shows without asking the services: the API budget left and whether a side needs
        signing in again (cleared by the next run that gets through)."""
        for provider, budget in self.budgets().items():
            set_setting(self.profile, f"{provider}.last_budget", budget)
        if report.needs_sign_in:
            set_setting(self.profile, f"{report.needs_sign_in}.needs_sign_in", True)
        elif report.outcome in ("ok", "partial"):
            for provider in ("xero", "zoho"):
                set_setting(self.profile, f"{provider}.needs_sign_in", False)

    def budgets(self) -> dict[str, Any]:
        return {k: v.as_dict() for k, v in self.connections.budgets().items()}
