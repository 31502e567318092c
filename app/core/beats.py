"""How often each pair is read by a scheduled sync. Contacts and invoices are read every cycle; items rarely change
and a payment already shows on its invoice (Xero moves the invoice's UpdatedDateUTC), so items and the payments
list are read on a slower beat, the payments list staying the safety net for customer balances. "Sync now", a
wake from sleep and the command line still read everything."""

from __future__ import annotations

SLOW_PAIRS = ("items", "payments")
DEFAULT_SLOW_BEAT_MINUTES = 15
DELETION_POLL_MINUTES = 60  # each Zoho module's deleted-records list (see services.connectors)
ZOHO_MODULES_POLLED = 3


def idle_calls(interval_minutes: float, slow_beat_minutes: float = DEFAULT_SLOW_BEAT_MINUTES) -> dict[str, float]:
    """Average calls per side of a scheduled sync that finds nothing to do, every ``interval_minutes``."""
    if interval_minutes <= 0:
        return {"xero": 0.0, "zoho": 0.0}
    slow = min(1.0, interval_minutes / max(slow_beat_minutes, interval_minutes))
    polls = ZOHO_MODULES_POLLED * min(1.0, interval_minutes / DELETION_POLL_MINUTES)
    return {"xero": 2 + 2 * slow, "zoho": 2 + slow + polls}
