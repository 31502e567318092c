"""Batch writes: ≤ 50 per Xero request and ≤ 100 per Zoho upsert, per-record results when some records fail, and
a retried batch that never duplicates."""

from __future__ import annotations

import json

import httpx

from app.integrations.xero.models import Contact
from tests.integrations.support import XERO_API, ZOHO_API


def test_xero_create_contacts_partial_failure_in_batches_of_50(connected):
    world, traffic = connected
    client = world.connections.xero_client()
    existing = next(c for p in client.contacts() for c in p.items if c.status == "ACTIVE")
    contacts = [Contact(name=f"Batch Customer {i:03d}", email=f"b{i}@example.com") for i in range(120)]
    contacts[70] = Contact(name=existing.name, email="dup@example.com")

    mark = traffic.mark()
    result = client.create_contacts(contacts)

    writes = [e for e in traffic.since(mark) if XERO_API(e.request)]
    sizes = [len(json.loads(e.request.content)["Contacts"]) for e in writes]
    assert sizes == [50, 50, 20]
    assert all(e.request.method == "PUT" and e.request.url.params["summarizeErrors"] == "false" for e in writes)
    keys = [e.request.headers["Idempotency-Key"] for e in writes]
    assert len(set(keys)) == 3
    assert len(result.outcomes) == 120 and [o.index for o in result.outcomes] == list(range(120))
    assert [o.index for o in result.failed] == [70]
    failure = result.failed[0].failure
    assert failure is not None and "already assigned" in failure.message
    assert failure.hint.startswith("Xero needs a unique contact name") and existing.name in failure.hint
    ok = result.succeeded
    assert len(ok) == 119 and all(o.id and o.version for o in ok)
    assert ok[0].record.name == "Batch Customer 000"
    names = {c.name for p in client.contacts() for c in p.items}
    assert {f"Batch Customer {i:03d}" for i in range(120) if i != 70} <= names


def test_xero_lost_response_is_retried_with_the_same_key_and_creates_nothing_twice(connected):
    world, traffic = connected
    client = world.connections.xero_client()

    def commit_then_lose(request: httpx.Request) -> httpx.Response:
        traffic._inner(request)  # Xero saved the contacts...
        raise httpx.ReadTimeout("...but the answer never arrived", request=request)

    traffic.script(lambda r: XERO_API(r) and r.method == "PUT", commit_then_lose, times=1)
    mark = traffic.mark()
    result = client.create_contacts([Contact(name="Lost Reply Pty Ltd"), Contact(name="Lost Reply Two")])
    puts = [e for e in traffic.since(mark) if XERO_API(e.request)]
    assert len(puts) == 2 and puts[0].request.headers["Idempotency-Key"] == puts[1].request.headers[
        "Idempotency-Key"]
    assert [o.ok for o in result.outcomes] == [True, True]
    named = [c for p in client.contacts(where='Name.StartsWith("Lost Reply")') for c in p.items]
    assert len(named) == 2


def _account(i: int, **extra) -> dict:
    return {"Account_Name": f"Upsert Co {i:03d}", "Xero_Contact_ID": f"xero-{i:03d}", **extra}


def test_zoho_upsert_partial_failure_207_in_batches_of_100(connected):
    world, traffic = connected
    client = world.connections.zoho_client()
    records = [_account(i) for i in range(250)]
    del records[130]["Account_Name"]

    mark = traffic.mark()
    result = client.upsert("Accounts", records, ["Xero_Contact_ID"])
    writes = [e for e in traffic.since(mark) if ZOHO_API(e.request)]
    bodies = [json.loads(e.request.content) for e in writes]
    assert [len(b["data"]) for b in bodies] == [100, 100, 50]
    assert all(b["trigger"] == [] and b["duplicate_check_fields"] == ["Xero_Contact_ID"] for b in bodies)
    assert [e.status for e in writes] == [200, 207, 200]

    assert [o.index for o in result.outcomes] == list(range(250))
    assert [o.index for o in result.failed] == [130]
    failure = result.failed[0].failure
    assert failure is not None
    assert (failure.code, failure.field) == ("MANDATORY_NOT_FOUND", "Account_Name")
    assert failure.message and "Account Name" in failure.hint and not failure.transient
    assert all(o.id and o.action == "insert" and o.version for o in result.succeeded)
    first_ids = {o.index: o.id for o in result.succeeded}

    # the same records again update the same ids: a retried batch never duplicates
    again = client.upsert("Accounts", [records[0], records[249]], ["Xero_Contact_ID"])
    assert [(o.id, o.action) for o in again.outcomes] == [(first_ids[0], "update"), (first_ids[249], "update")]
    assert len(world.zoho.find_records("Accounts", Xero_Contact_ID="xero-000")) == 1


def test_zoho_all_records_failing_is_a_400_with_per_record_results(connected):
    world, traffic = connected
    client = world.connections.zoho_client()
    mark = traffic.mark()
    result = client.upsert("Accounts", [{"Xero_Contact_ID": "x-1"}, {"Xero_Contact_ID": "x-2", "Phone": "1"}],
                           ["Xero_Contact_ID"])
    assert [e.status for e in traffic.since(mark) if ZOHO_API(e.request)] == [400]
    assert len(result.failed) == 2 and not result.succeeded
    assert {o.failure.code for o in result.failed if o.failure} == {"MANDATORY_NOT_FOUND"}


def test_zoho_workflows_only_when_allowed(connected):
    world, traffic = connected
    client = world.connections.zoho_client()
    mark = traffic.mark()
    client.upsert("Accounts", [_account(900)], ["Xero_Contact_ID"], allow_workflows=True)
    (write,) = [e for e in traffic.since(mark) if ZOHO_API(e.request)]
    assert "trigger" not in json.loads(write.request.content)


def test_zoho_request_level_400_fails_every_record_of_the_batch(connected):
    world, traffic = connected
    client = world.connections.zoho_client()
    result = client.upsert("Accounts", [_account(901), _account(902)], ["Phone"])  # not a unique field
    assert len(result.failed) == 2 and not result.succeeded
    assert {(o.failure.code, bool(o.failure.message)) for o in result.failed if o.failure} == {("INVALID_DATA", True)}
    assert world.zoho.find_records("Accounts", Xero_Contact_ID="xero-901") == []
