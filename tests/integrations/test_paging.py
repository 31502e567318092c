"""Reads at the minimum number of calls: Xero pages of 1,000 stopping on the pagination object, Zoho pages of 200
switching to page_token past 2,000 records."""

from __future__ import annotations

import math

import pytest

from tests.integrations.support import ZOHO_API


@pytest.mark.parametrize("n", [2000, 2500])
def test_xero_contacts_and_invoices_page_at_minimum_calls(build, n):
    world, traffic = build(seed=f"large:{n}")
    world.connect_xero()
    client = world.connections.xero_client()

    world.xero.counts.clear()
    pages = list(client.contacts())
    assert world.xero.counts["GET /api.xro/2.0/Contacts"] == math.ceil(n / 1000)  # no extra empty page
    assert sum(len(p.items) for p in pages) == n  # archived ones included
    assert any(c.status == "ARCHIVED" for p in pages for c in p.items)
    assert [p.last for p in pages] == [False] * (len(pages) - 1) + [True]
    assert all(len(p.items) == 1000 for p in pages[:-1])
    for exchange in traffic.since(0, "/Contacts"):
        params = exchange.request.url.params
        assert params["pageSize"] == "1000" and params["includeArchived"] == "true"

    world.xero.counts.clear()
    invoices = sum(len(p.items) for p in client.invoices())
    assert invoices == 2 * n  # the large seed has two invoices per contact
    assert world.xero.counts["GET /api.xro/2.0/Invoices"] == math.ceil(2 * n / 1000)
    assert sum(world.xero.counts.values()) == math.ceil(2 * n / 1000)


@pytest.mark.parametrize("n", [2000, 2500])
def test_zoho_pages_of_200_switch_to_page_token_after_2000(build, n):
    world, traffic = build(seed=f"large:{n}")
    world.connect_zoho()
    client = world.connections.zoho_client()

    mark = traffic.mark()
    pages = list(client.records("Accounts", ["Account_Name", "Email"]))
    calls = [e.request for e in traffic.since(mark) if ZOHO_API(e.request)]
    assert len(calls) == math.ceil(n / 200)  # no extra call after more_records=false
    assert sum(len(p.items) for p in pages) == n
    assert len({r.id for p in pages for r in p.items}) == n
    for number, request in enumerate(calls, 1):
        params = request.url.params
        assert params["per_page"] == "200"
        if number <= 10:
            assert params["page"] == str(number) and "page_token" not in params
        else:  # past 2,000 records only page_token works
            assert "page" not in params and params["page_token"]
    assert all(e.status == 200 for e in traffic.since(mark) if ZOHO_API(e.request))
    # resuming a read is possible from what a page reports
    assert all(p.next_token for p in pages[9:-1])


def test_xero_items_are_one_call(build):
    world, traffic = build()
    world.connect_xero()
    world.xero.counts.clear()
    items = [i for p in world.connections.xero_client().items() for i in p.items]
    assert items and sum(world.xero.counts.values()) == 1
