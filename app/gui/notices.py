"""Which desktop notifications to show: only when the user must act, and each one once until it clears.

Plain logic (no Qt): the tray asks it after every run and shows what it returns.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.errors import provider_label
from app.services.words import plural

STALE_HOURS = 24  # "no successful sync for N hours"


@dataclass(frozen=True)
class Notice:
    key: str
    title: str
    message: str


class NoticePolicy:
    def __init__(self, stale_hours: float = STALE_HOURS) -> None:
        self.stale_hours = stale_hours
        self._shown: set[str] = set()
        self._failed_told = 0  # open failed records the user has been told about

    def sign_in_needed(self, provider: str) -> Notice | None:
        label = provider_label(provider)
        return self._once(Notice(f"reconnect:{provider}", f"Reconnect {label}",
                                 f"{label} needs you to sign in again before syncing can carry on. "
                                 "Open Ledgerbridge and go to Connections."))

    def after_run(self, outcome: str, failed_open: int, last_success_at: float | None, now: float) -> list[Notice]:
        """After a run (or a run that could not start): new failed records, and a long time without a good sync."""
        out: list[Notice] = []
        if outcome in ("ok", "partial"):
            self._shown = {k for k in self._shown if not k.startswith(("reconnect:", "stale"))}
        if failed_open > self._failed_told:
            out.append(Notice("failed", f"{plural(failed_open, 'record')} could not be synced",
                              "Open Ledgerbridge and look at Failed records: each says what to fix."))
        self._failed_told = failed_open
        if last_success_at is not None and now - last_success_at > self.stale_hours * 3600:
            hours = int((now - last_success_at) // 3600)
            stale = self._once(Notice("stale", "Syncing has not worked for a while",
                                      f"No sync has finished for {plural(hours, 'hour')}. Open Ledgerbridge to see "
                                      "what is in the way."))
            if stale:
                out.append(stale)
        return out

    def _once(self, notice: Notice) -> Notice | None:
        if notice.key in self._shown:
            return None
        self._shown.add(notice.key)
        return notice
