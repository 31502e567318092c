"""Zoho data centres: the app starts at the default (US) accounts server, follows what the callback and token
response say, keeps both, and a token used against another DC's API host ends in AuthRequired."""

from __future__ import annotations

import pytest

from app.errors import AuthRequired
from app.integrations.zoho.client import ZohoClient
from app.services.connections import ConnectionService
from tests.integrations.support import ZOHO_API


@pytest.mark.parametrize("dc, accounts, api", [
    ("eu", "accounts.zoho.eu", "www.zohoapis.eu"),
    ("au", "accounts.zoho.com.au", "www.zohoapis.com.au"),
    ("ca", "accounts.zohocloud.ca", "www.zohoapis.ca"),
])
def test_connect_to_an_org_in_another_data_centre(build, dc, accounts, api):
    world, traffic = build(zoho_dc=dc)
    status = world.connect_zoho()
    assert not world.browsers[0].errors
    assert status.connected and status.dc == dc and status.organisation

    conn = world.connections.connection("zoho")
    assert conn.accounts_server == f"https://{accounts}" and conn.api_domain == f"https://{api}"
    (exchange,) = [e for e in traffic.since(0, "/oauth/v2/token") if e.request.method == "POST"]
    assert exchange.request.url.host == accounts  # the code is redeemed where the user's account lives
    calls = [e.request.url.host for e in traffic.log if ZOHO_API(e.request)]
    assert calls and set(calls) == {api}

    # after a restart, refreshes and calls still go to that DC
    world.control("zoho", "POST", "expire-tokens")
    restarted = ConnectionService(world.ctx)
    mark = traffic.mark()
    assert restarted.zoho_client().org().name
    refreshes = [e for e in traffic.since(mark, "/oauth/v2/token") if e.request.method == "POST"]
    assert [e.request.url.host for e in refreshes] == [accounts]
    assert {e.request.url.host for e in traffic.since(mark) if ZOHO_API(e.request)} == {api}


def test_token_used_at_another_dc_is_auth_required(build):
    world, traffic = build(zoho_dc="eu")
    world.connect_zoho()
    wrong = ZohoClient(world.connections.session("zoho"), "https://www.zohoapis.com")
    mark = traffic.mark()
    with pytest.raises(AuthRequired):
        wrong.org()
    calls = [e for e in traffic.since(mark) if ZOHO_API(e.request)]
    assert [(e.request.url.host, e.status) for e in calls] == [("www.zohoapis.com", 401)] * 2
    assert len(traffic.since(mark, "/oauth/v2/token")) == 1  # refreshed once, then gave up
