"""A run that dies right after Xero or Zoho CRM applied a batch of creates, before the app saved the links: the
resume finds every created record again by its cross-reference (the write intent kept before the call), in
whichever batch or page it was, and no person has anything to do — even when the resumed read of Xero never
sees the new contact again (it fell on a page the interrupted read had already passed)."""

from __future__ import annotations

from collections import Counter

import pytest

from app.services.connections import ConnectionService
from app.services.sync import SyncService
from app.store.models import Cursor, FailedRecord, Run
from tests.faults.support import duplicates, install
from tests.world import make_world


class Died(BaseException):
    """The process stops here (raised past every handler, as a kill would end it)."""


# Every write batch of the first sync of large:400 (Xero contacts and invoices, Zoho CRM empty of them), as
# (side, method, path, how many): test_the_write_batches_are_those_of_a_clean_first_sync keeps it true.
WRITE_BATCHES = [("xero", "PUT", "/api.xro/2.0/Contacts", 8), ("zoho", "POST", "/crm/v8/Products/upsert", 1),
                 ("zoho", "POST", "/crm/v8/Accounts/upsert", 4), ("zoho", "PUT", "/crm/v8/Accounts", 4),
                 ("zoho", "POST", "/crm/v8/Invoices/upsert", 7)]
EVERY_BATCH = [(side, method, path, n) for side, method, path, count in WRITE_BATCHES for n in range(1, count + 1)]


def _writes(request) -> bool:
    path = request.url.path
    return request.method in ("POST", "PUT", "PATCH", "DELETE") and path.startswith(("/api.xro/", "/crm/"))


def _first_sync_dies_after(data_dir, side: str, method: str, path: str, batch: int):
    world = make_world(data_dir, seed="large:400", limits="off")
    hooks = install(world.xero if side == "xero" else world.zoho, side)
    world.connect_both()
    writes = Counter()

    def die_after_write(side_, request, call_next):
        response = call_next()  # the service applied the write…
        if request.method == method and request.url.path == path:
            writes["n"] += 1
            if writes["n"] == batch:
                hooks.clear()
                raise Died()  # …and the app never learns the answer
        return response

    hooks.append(die_after_write)
    with pytest.raises(Died):
        world.sync_service().sync()
    return world


def _resume(world):
    world.ctx.close()
    report = SyncService(world.ctx, ConnectionService(world.ctx)).sync()
    assert report.outcome == "ok", report.message
    assert FailedRecord.select().where(FailedRecord.status == "open").count() == 0
    assert Run.select().where(Run.outcome == "running").count() == 0
    assert duplicates(world.xero, world.zoho) == {}
    assert SyncService(world.ctx, ConnectionService(world.ctx)).sync().counts.get("created", 0) == 0
    return report


@pytest.mark.slow
@pytest.mark.parametrize("batch", [1, 2])
def test_zoho_accounts_created_in_xero_are_found_again_when_the_read_has_moved_past_them(data_dir, batch):
    world = _first_sync_dies_after(data_dir, "xero", "PUT", "/api.xro/2.0/Contacts", batch)
    try:
        # The interrupted read of Xero contacts is taken as finished: the resume will not list the new contacts.
        Cursor.update(watermark="9999-01-01T00:00:00Z", page=0).where(Cursor.stream == "xero:contacts").execute()
        report = _resume(world)
        # the batch the dead run created is found again and linked, not sent to Xero a second time
        assert report.by_pair["contacts"].get("linked", 0) >= 50 * batch
    finally:
        world.close()


@pytest.mark.slow
@pytest.mark.parametrize(("side", "method", "path", "batch"), EVERY_BATCH,
                         ids=[f"{m} {p.rsplit('/', 2)[-2] if p.endswith('upsert') else p.rsplit('/', 1)[-1]} "
                              f"{'upsert ' if p.endswith('upsert') else ''}#{n}" for _, m, p, n in EVERY_BATCH])
def test_a_death_inside_any_write_batch_converges_in_one_resume(data_dir, side, method, path, batch):
    world = _first_sync_dies_after(data_dir, side, method, path, batch)
    try:
        _resume(world)
    finally:
        world.close()


def test_the_write_batches_are_those_of_a_clean_first_sync(data_dir):
    world = make_world(data_dir, seed="large:400", limits="off")
    seen: Counter = Counter()
    for side, emulator in (("xero", world.xero), ("zoho", world.zoho)):
        hooks = install(emulator, side)

        def count(side_, request, call_next):
            if _writes(request):
                seen[(side_, request.method, request.url.path)] += 1
            return call_next()

        hooks.append(count)
    try:
        world.connect_both()
        assert world.sync_service().sync().outcome == "ok"
        assert dict(seen) == {(side, m, p): n for side, m, p, n in WRITE_BATCHES}
    finally:
        world.close()
