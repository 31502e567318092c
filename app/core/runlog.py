"""The run row from start to end, for every kind of run (a sync, a targeted sync, an undo): created when the work
starts, closed with its outcome, message, counts and the API calls it made."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

from app.clock import Clock
from app.core.state import utc
from app.store.models import Profile, Run


class RecordedRun:
    def __init__(self, profile: Profile, clock: Clock, calls: Callable[[], tuple[int, int]], *, trigger: str,
                 dry_run: bool = False) -> None:
        self.clock = clock
        self._calls = calls
        self.started: datetime = utc(clock.time())
        self.row = Run.create(profile=profile, trigger=trigger, dry_run=dry_run, started_at=self.started)
        self._before = calls()
        self.ended: datetime = self.started
        self.xero_calls = self.zoho_calls = 0

    @property
    def id(self) -> int:
        return self.row.id

    def close(self, outcome: str, message: str, counts: Mapping[str, int]) -> None:
        self.xero_calls, self.zoho_calls = (a - b for a, b in zip(self._calls(), self._before, strict=True))
        self.ended = utc(self.clock.time())
        row = self.row
        row.ended_at, row.outcome, row.message, row.counts = self.ended, outcome, message, dict(counts)
        row.xero_calls, row.zoho_calls = self.xero_calls, self.zoho_calls
        row.save()
