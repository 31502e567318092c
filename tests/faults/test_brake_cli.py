"""A bulk archive above the safety brake, through the command line against the served sandbox: ``sync`` stops,
exits non-zero with the safety message and archives nothing; ``sync --allow-bulk-archive`` then goes ahead."""

from __future__ import annotations

import pytest

from tests.faults.support import scan_for_secrets, writes

pytestmark = pytest.mark.slow

ARCHIVED = ["Bondi Surf Club", "Citrus Law Pty Ltd", "Blue Mountains Retreat", "Manly Ferry Kiosk",
            "Quokka Coffee Co", "Tidal Yoga Studio", "Banksia Bookkeeping"]


def xero_status(served, names):
    accounts = {a["Account_Name"]: a for a in served.zoho.find_records("Accounts")}
    return {n: accounts[n].get("Xero_Status") for n in names}


def test_bulk_archive_above_the_brake_stops_the_cli_sync(served):
    data = served.fresh("brake")
    first = served.cli(data, "sync")
    assert ": Finished" in first.out, first
    with served.xero.lock:
        ids = {c.Name: c.ContactID for o in served.xero.orgs.values() for c in o.contacts.values()}
    for name in ARCHIVED:  # the bookkeeper archives seven customers in Xero (limit: max(5, 10% of 41 linked))
        served.control("xero", "POST", f"xero/contacts/{ids[name]}/archive")

    braked = served.cli(data, "sync")
    assert braked.rc == 1, braked
    assert "Stopped for your confirmation" in braked.out and "Stopped before archiving or deleting 7 of 43" in braked.out, braked
    assert "safety limit of 5" in braked.out and "sync --allow-bulk-archive" in braked.out, braked
    assert writes(served.tripwire.log) == [], writes(served.tripwire.log)
    assert set(xero_status(served, ARCHIVED).values()) == {"Active"}

    released = served.cli(data, "sync", "--allow-bulk-archive")
    assert released.rc in (0, 1) and ": Finished" in released.out, released
    assert set(xero_status(served, ARCHIVED).values()) == {"Archived"}

    leaks = scan_for_secrets([data], served.secrets())
    assert leaks == [], leaks
