"""Incremental reads: If-Modified-Since brings back only what changed (archived Xero contacts included), Zoho's
deleted records come from /{module}/deleted, and 304/204 answers are empty pages, not errors."""

from __future__ import annotations

import re
from datetime import UTC, timedelta

from tests.integrations.support import XERO_API, ZOHO_API, respond


def test_xero_contacts_modified_since_include_archived(connected):
    world, traffic = connected
    client = world.connections.xero_client()
    everyone = [c for p in client.contacts() for c in p.items]
    active = [c for c in everyone if c.status == "ACTIVE"]
    archived, edited = active[0], active[1]

    since = world.clock.now()
    world.clock.advance(120)
    world.control("xero", "POST", f"xero/contacts/{archived.contact_id}/archive")
    world.control("xero", "PATCH", f"xero/contacts/{edited.contact_id}", {"EmailAddress": "new@example.com"})

    mark = traffic.mark()
    changed = [c for p in client.contacts(modified_since=since) for c in p.items]
    assert {c.contact_id: c.status for c in changed} == {archived.contact_id: "ARCHIVED",
                                                        edited.contact_id: "ACTIVE"}
    assert next(c for c in changed if c.contact_id == edited.contact_id).email == "new@example.com"
    (call,) = [e.request for e in traffic.since(mark) if XERO_API(e.request)]
    header = call.headers["If-Modified-Since"]
    # UTC, second granularity, Z (a date-time as the spec declares it), one second of overlap
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", header)
    assert header == (since - timedelta(seconds=1)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert call.url.params["includeArchived"] == "true"

    # without includeArchived the archived contact would be missed: the default must not do that
    without = [c for p in client.contacts(modified_since=since, include_archived=False) for c in p.items]
    assert [c.contact_id for c in without] == [edited.contact_id]

    # nothing changed since now: one call, one empty last page
    later = world.clock.now() + timedelta(seconds=5)
    world.clock.advance(10)
    mark = traffic.mark()
    pages = list(client.contacts(modified_since=later))
    assert len(pages) == 1 and pages[0].items == [] and pages[0].last
    assert len([e for e in traffic.since(mark) if XERO_API(e.request)]) == 1


def test_xero_304_and_empty_answers_are_empty_pages(connected):
    world, traffic = connected
    client = world.connections.xero_client()
    traffic.script(XERO_API, respond(304), times=1)
    pages = list(client.invoices(modified_since=world.clock.now()))
    assert [(p.items, p.last) for p in pages] == [([], True)]


def test_zoho_modified_since_and_deleted(connected):
    world, traffic = connected
    client = world.connections.zoho_client()
    accounts = [r for p in client.records("Accounts", ["Account_Name"]) for r in p.items]
    assert len(accounts) >= 3
    edited, deleted = accounts[0], accounts[1]

    since = world.clock.now()
    world.clock.advance(120)
    world.zoho.ui_edit("Accounts", edited.id, {"Phone": "02 9999 0000"})
    world.zoho.ui_delete("Accounts", deleted.id)

    mark = traffic.mark()
    changed = [r for p in client.records("Accounts", ["Account_Name", "Phone"], modified_since=since)
               for r in p.items]
    assert [(r.id, r.get("Phone")) for r in changed] == [(edited.id, "02 9999 0000")]
    (call,) = [e.request for e in traffic.since(mark) if ZOHO_API(e.request)]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", call.headers["If-Modified-Since"])

    gone = [d for p in client.deleted("Accounts", modified_since=since) for d in p.items]
    assert [d.id for d in gone] == [deleted.id]
    assert gone[0].deleted_at is not None and gone[0].type == "recycle"

    # nothing changed since: Zoho answers 304 (records) and 204 (deleted); both are one empty last page
    world.clock.advance(60)
    quiet = world.clock.now()
    world.clock.advance(60)
    mark = traffic.mark()
    pages = list(client.records("Accounts", ["Account_Name"], modified_since=quiet))
    assert [(p.items, p.last) for p in pages] == [([], True)]
    deleted_pages = list(client.deleted("Accounts", modified_since=quiet))
    assert [(p.items, p.last) for p in deleted_pages] == [([], True)]
    statuses = [e.status for e in traffic.since(mark) if ZOHO_API(e.request)]
    assert statuses == [304, 204]


def test_zoho_empty_module_is_204_and_empty(build):
    world, traffic = build(seed="empty")
    world.connect_zoho()
    client = world.connections.zoho_client()
    mark = traffic.mark()
    pages = list(client.records("Accounts", ["Account_Name"]))
    assert [(p.items, p.last) for p in pages] == [([], True)]
    assert [e.status for e in traffic.since(mark) if ZOHO_API(e.request)] == [204]
