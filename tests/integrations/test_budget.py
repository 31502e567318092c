"""The API budget the UI shows: Xero's minute/day remaining from response headers, Zoho's credits from
X-API-CREDITS-REMAINING (sent once half the allowance is used); running out of Zoho credits pauses like a day limit."""

from __future__ import annotations

import pytest

from app.errors import DailyLimitReached
from tests.integrations.support import ZOHO_API


def test_budget_is_exposed_after_calls(connected):
    world, _ = connected
    xero = world.connections.xero_client()
    for _ in range(3):
        xero.organisation()
    budget = world.connections.session("xero").budget
    # connecting read the organisation once (its ShortCode, for links into Xero), then three calls
    assert (budget.minute_remaining, budget.day_remaining) == (56, 4996)
    assert budget.app_minute_remaining is not None and budget.paused_until is None
    status = world.connections.status_of("xero", live=False)
    assert status.budget and status.budget["day_remaining"] == 4996 and status.budget["minute_remaining"] == 56

    zoho = world.connections.zoho_client()
    zoho.org()
    assert world.connections.session("zoho").budget.credits_remaining is None  # under half used: no header
    allowance = world.zoho.limits.allowance
    world.control("zoho", "POST", "zoho/credits", {"used": allowance * 0.6})
    zoho.org()
    left = world.zoho.limits.remaining()
    assert world.connections.session("zoho").budget.credits_remaining == left < allowance * 0.4
    assert world.connections.status_of("zoho", live=False).budget["credits_remaining"] == left
    assert set(world.connections.budgets()) == {"xero", "zoho"}


def test_zoho_out_of_credits_pauses_instead_of_hammering(connected):
    world, traffic = connected
    client = world.connections.zoho_client()
    session = world.connections.session("zoho")
    spent = world.zoho.limits.used()
    world.control("zoho", "POST", "zoho/credits", {"used": world.zoho.limits.allowance - spent - 1})
    client.org()  # the last credit; the answer says 0 left
    assert session.budget.credits_remaining == 0

    mark = traffic.mark()
    with pytest.raises(DailyLimitReached) as caught:
        client.org()
    assert caught.value.scope == "credits" and caught.value.retry_after
    assert [e.status for e in traffic.since(mark) if ZOHO_API(e.request)] == [429]  # no retry storm
    assert session.budget.paused_until == pytest.approx(world.clock.time() + caught.value.retry_after)
    with pytest.raises(DailyLimitReached):
        client.org()
    assert len([e for e in traffic.since(mark) if ZOHO_API(e.request)]) == 1

    world.clock.advance(86_400)  # credits free up 24 h after they were spent
    assert client.org().name
    assert session.budget.credits_remaining is None and session.budget.calls


def test_zoho_concurrency_429_is_still_retried_when_credits_are_plenty(connected):
    world, traffic = connected
    client = world.connections.zoho_client()
    world.control("zoho", "POST", "zoho/credits", {"used": world.zoho.limits.allowance * 0.6})
    client.org()
    world.control("zoho", "POST", "faults", {"force_429": 1})
    mark = traffic.mark()
    assert client.org().name
    assert [e.status for e in traffic.since(mark) if ZOHO_API(e.request)] == [429, 200]
