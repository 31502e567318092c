"""Scheduled reconciliation as the worker runs it: compare both systems, count what agrees, keep the last result.

The result is kept as the ``reconcile.last`` setting (plain JSON), so the Dashboard can show it after a restart.
"""

from __future__ import annotations

from typing import Any

from app.services.reconcile import PAIRS, reconcile
from app.services.sync import SyncService
from app.store.models import Link
from app.store.settings import get_setting, set_setting

LAST_KEY = "reconcile.last"
DIFFERENCES = ("mismatch", "total_mismatch", "missing")


def reconcile_summary(service: SyncService) -> dict[str, Any]:
    """``{"at": epoch, "findings": [...], "agree": {pair: linked records with no difference}}``, also saved."""
    findings = [f.as_dict() for f in reconcile(service)]
    agree: dict[str, int] = {}
    for pair in PAIRS:
        linked = {link.xero_id for link in Link.select(Link.xero_id).where(
            Link.profile == service.profile, Link.pair == pair, Link.xero_id.is_null(False),
            Link.zoho_id.is_null(False), Link.state != "deleted")}
        differing = {f["xero_id"] for f in findings if f["pair"] == pair and f["kind"] in DIFFERENCES}
        agree[pair] = len(linked - differing)
    result = {"at": service.ctx.clock.time(), "findings": findings, "agree": agree}
    set_setting(service.profile, LAST_KEY, result)
    return result


def last_result(profile: Any) -> dict[str, Any] | None:
    """The last saved result (a read: fine on the GUI thread)."""
    return get_setting(profile, LAST_KEY)
