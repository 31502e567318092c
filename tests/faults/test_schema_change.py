"""A mapping made invalid by a schema change in Zoho: a mapped field renamed or removed through the control API.

The next sync stops with a clear per-run message naming the field (the cached layout is dropped on the rejected
read, see ``app/services/schema_cache.py``), the one after refuses before any call that writes, and nothing is
written in either system meanwhile. Putting the field back makes the next sync succeed at once — and what Zoho lost
with the removed field is not copied over Xero's data."""

from __future__ import annotations

from collections import Counter

import pytest

from app.errors import ConfigError
from app.store.models import Run
from tests.faults.support import api_writes, recorder, snapshot, snapshot_diff

pytestmark = pytest.mark.slow

CHANGES = {
    # field, change, restore
    "renamed": ("Phone", {"api_name": "Phone", "new_api_name": "Phone_Number"},
                {"api_name": "Phone_Number", "new_api_name": "Phone"}),
    "removed": ("ABN", {"api_name": "ABN", "remove": True},
                {"api_name": "ABN", "data_type": "text", "length": 20, "field_label": "ABN"}),
}


@pytest.mark.parametrize("kind", list(CHANGES))
def test_mapped_zoho_field_changed_then_restored(fault_world, kind):
    w = fault_world
    field, change, restore = CHANGES[kind]
    first = w.sync_service().sync()
    assert first.outcome == "ok", first.message
    tax_numbers = {c.ContactID: c.TaxNumber for c in w.xero_org().contacts.values() if c.TaxNumber}
    log: list = []
    for side in ("xero", "zoho"):
        w.hooks[side].insert(0, recorder(Counter(), log))

    # a change made in Xero meanwhile, to arrive once the mapping works again
    bondi = w.xero_contact("Bondi Surf Club")
    w.xero.ui_edit_contact(bondi.ContactID, {"Phones": [{"PhoneType": "DEFAULT", "PhoneNumber": "02 9555 1234"}],
                                             "TaxNumber": "11 111 111 111"})
    w.zoho.define_field("Accounts", change)
    before = snapshot(w.xero, w.zoho)

    failed = w.sync_service().sync()
    assert failed.outcome == "failed", failed.message
    assert "Accounts" in failed.message and "renamed or removed" in failed.message, failed.message
    assert Run.get_by_id(failed.run_id).outcome == "failed"
    with pytest.raises(ConfigError) as refused:  # the cache was dropped: now the live layout refuses the mapping
        w.sync_service().sync()
    assert f"{field}:" in refused.value.message and "renamed or deleted" in refused.value.message, refused.value
    assert api_writes(log) == [], api_writes(log)
    after = snapshot(w.xero, w.zoho)
    assert after == before, snapshot_diff(after, before)

    w.zoho.define_field("Accounts", restore)
    log.clear()
    report = w.sync_service().sync()
    assert report.outcome == "ok", report.message
    account = w.zoho_one("Accounts", Xero_Contact_ID=bondi.ContactID)
    assert account["Phone"] == "02 9555 1234" and account["ABN"] == "11 111 111 111"
    # nothing wrong was written back: Xero keeps every tax number (Zoho's re-created field is empty)
    tax_numbers[bondi.ContactID] = "11 111 111 111"
    now = {c.ContactID: c.TaxNumber for c in w.xero_org().contacts.values() if c.TaxNumber}
    lost = sorted(w.xero_org().contacts[cid].Name for cid in tax_numbers if now.get(cid) != tax_numbers[cid])
    assert lost == [], f"{len(lost)} Xero tax numbers overwritten after the field came back: {lost[:5]}"
    # the message of the failed run says which field
    assert field in failed.message, f"the failed run's message does not name {field!r}: {failed.message}"
