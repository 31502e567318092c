"""A simulated office day on a one-minute schedule: what the idle cycles cost, and how soon each change arrives.

    uv run python -m bench.day [--cycles 1440] [--changes 36]

Both emulators in-process on the demo seed (limits off: calls are counted, not waited for) on a virtual clock.
After a first "Sync now", ``--cycles`` scheduled syncs run one virtual minute apart; every ``cycles/changes``
cycles a person makes one change, in turn: a Xero contact's website, a Zoho account's phone, a Xero payment, a Zoho
account's email. After each cycle the bench checks whether each pending change has reached the other side.
Prints one JSON document: Xero and Zoho calls per cycle (all cycles, and the idle ones: no change pending), the
cycles each change took to arrive, and the goal (average idle Xero calls ≤ 2.4, every change within two cycles).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
GOAL_XERO_CALLS = 2.4
GOAL_CYCLES = 2


def _api_calls(counts: dict[str, int], marker: str) -> int:
    return sum(n for k, n in counts.items() if marker in k)


def _changes(w: Any) -> list[tuple[str, Callable[[int], None], Callable[[int], bool]]]:
    """(what, make(i), arrived(i)) for the kinds of change a small business makes."""
    org = w.xero_org()
    linked = [c for c in org.contacts.values() if c.ContactStatus == "ACTIVE"
              and w.zoho_records("Accounts", Xero_Contact_ID=c.ContactID)]
    invoice = next(i for i in org.invoices.values() if i.Status == "AUTHORISED" and i.AmountDue
                   and w.zoho_records("Invoices", Xero_Invoice_ID=i.InvoiceID))

    def account(i: int) -> dict[str, Any]:
        return w.zoho_one("Accounts", Xero_Contact_ID=linked[i % len(linked)].ContactID)

    def paid_in_zoho() -> Decimal:
        return Decimal(str(w.zoho_one("Invoices", Xero_Invoice_ID=invoice.InvoiceID).get("Amount_Paid") or 0))

    paid: dict[int, Decimal] = {}

    def pay(i: int) -> None:
        paid[i] = paid_in_zoho() + Decimal("1.00")
        w.xero.ui_add_payment(invoice.InvoiceID, Decimal("1.00"))

    return [
        ("Xero contact's website edited",
         lambda i: w.xero.ui_edit_contact(linked[i % len(linked)].ContactID, {"Website": f"https://x{i}.example"}),
         lambda i: account(i).get("Website") == f"https://x{i}.example"),
        ("Zoho account's phone edited",
         lambda i: w.zoho.ui_edit("Accounts", account(i)["id"], {"Phone": f"+61 2 9555 {1000 + i}"}),
         lambda i: str(1000 + i) in repr(org.contacts[linked[i % len(linked)].ContactID].Phones)),
        ("Xero payment", pay, lambda i: paid_in_zoho() >= paid[i]),
        ("Zoho account's email edited",
         lambda i: w.zoho.ui_edit("Accounts", account(i)["id"], {"Email": f"accounts{i}@example.com"}),
         lambda i: (org.contacts[linked[i % len(linked)].ContactID].EmailAddress or "") == f"accounts{i}@example.com"),
    ]


def measure_day(cycles: int, changes: int) -> dict[str, Any]:
    from tests.world import make_world

    with tempfile.TemporaryDirectory() as tmp:
        w = make_world(Path(tmp), seed="demo", limits="off")
        try:
            w.connect_both()
            w.sync_service().sync(trigger="manual")
            kinds = _changes(w)
            every = max(1, cycles // max(changes, 1))
            pending: dict[int, tuple[int, str, Callable[[int], bool]]] = {}
            arrivals: list[dict[str, Any]] = []
            xero_all, zoho_all, xero_idle, zoho_idle = [], [], [], []
            started = time.perf_counter()
            for n in range(1, cycles + 1):
                change_now = n % every == 0 and len(arrivals) + len(pending) < changes
                if change_now:
                    i = len(arrivals) + len(pending)
                    what, make, arrived = kinds[i % len(kinds)]
                    make(i)
                    pending[i] = (n, what, arrived)
                w.clock.advance(60)
                w.reset_counts()
                w.sync_service().sync(trigger="schedule")
                calls = w.requests()
                xero, zoho = _api_calls(calls["xero"], "/api.xro/2.0/"), _api_calls(calls["zoho"], "/crm/v8/")
                xero_all.append(xero)
                zoho_all.append(zoho)
                if not pending:
                    xero_idle.append(xero)
                    zoho_idle.append(zoho)
                for i, (made, what, arrived) in list(pending.items()):
                    if arrived(i):
                        arrivals.append({"change": what, "made_before_cycle": made, "cycles": n - made + 1})
                        del pending[i]
            wall = time.perf_counter() - started
        finally:
            w.close()
    idle_xero = sum(xero_idle) / len(xero_idle) if xero_idle else None
    worst = max((a["cycles"] for a in arrivals), default=None)
    return {
        "cycles": cycles, "interval_minutes": 1, "changes_made": len(arrivals) + len(pending),
        "changes_arrived": len(arrivals), "never_arrived": [what for _, what, _ in pending.values()],
        "xero_calls_per_cycle": {"all": round(sum(xero_all) / cycles, 3), "idle": round(idle_xero or 0, 3),
                                 "max": max(xero_all)},
        "zoho_calls_per_cycle": {"all": round(sum(zoho_all) / cycles, 3),
                                 "idle": round(sum(zoho_idle) / len(zoho_idle), 3) if zoho_idle else None,
                                 "max": max(zoho_all)},
        "xero_calls_per_day": sum(xero_all),
        "cycles_to_arrive": {"max": worst, "mean": round(sum(a["cycles"] for a in arrivals) / len(arrivals), 2)
                             if arrivals else None},
        "goal": {"idle_xero_calls_at_most": GOAL_XERO_CALLS, "within_cycles": GOAL_CYCLES,
                 "met": bool(idle_xero is not None and idle_xero <= GOAL_XERO_CALLS and not pending
                             and worst is not None and worst <= GOAL_CYCLES)},
        "wall_seconds": round(wall, 1),
        "note": "A change counts as arrived in cycle k when it was made before scheduled sync k and is on the other "
                "side after it; 1 = the very next sync.",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.day", description=__doc__.split("\n\n")[0])
    parser.add_argument("--cycles", type=int, default=1440)
    parser.add_argument("--changes", type=int, default=36)
    args = parser.parse_args(argv)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    print(json.dumps({"benchmark": "ledgerbridge simulated day", **measure_day(args.cycles, args.changes)},
                     indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
