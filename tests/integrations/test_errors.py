"""Every error class at the boundary (app.errors), retries and waits measured on the virtual clock."""

from __future__ import annotations

import uuid

import httpx
import pytest

from app.errors import (
    AuthRequired,
    ConnectionLost,
    DailyLimitReached,
    NotFound,
    RateLimited,
    RecordRejected,
    ServiceUnavailable,
)
from app.integrations.http import RetryPolicy
from tests.integrations.support import XERO_API, ZOHO_API, fail_with, respond

MAX_ATTEMPTS = RetryPolicy().max_attempts
TOKEN_EXPIRED = ('{"Type":null,"Title":"Unauthorized","Status":401,'
                 '"Detail":"TokenExpired: token expired at 11/02/2026 09:30:00"}')


def api_calls(traffic, mark, matcher):
    return [e for e in traffic.since(mark) if matcher(e.request)]


def token_calls(traffic, mark):
    return [e for e in traffic.since(mark, "/token") if e.request.method == "POST"]


# ----- tokens ----------------------------------------------------------------------------------------------------
def test_xero_token_expired_mid_run_refreshes_once_then_succeeds(connected):
    world, traffic = connected
    client = world.connections.xero_client()
    client.organisation()
    old_refresh = world.ctx.secrets.get("xero:default:refresh_token")
    world.control("xero", "POST", "expire-tokens")

    mark = traffic.mark()
    assert client.organisation().name == "Bluegum Supply Co Pty Ltd"
    assert [e.status for e in api_calls(traffic, mark, XERO_API)] == [401, 200]
    assert len(token_calls(traffic, mark)) == 1
    assert world.connections.tokens("xero").refreshes == 1
    new_refresh = world.ctx.secrets.get("xero:default:refresh_token")
    assert new_refresh and new_refresh != old_refresh  # the rotated token was kept


def test_zoho_token_expired_mid_run_refreshes_once_then_succeeds(connected):
    world, traffic = connected
    client = world.connections.zoho_client()
    world.control("zoho", "POST", "expire-tokens")
    mark = traffic.mark()
    assert client.org().name
    assert [e.status for e in api_calls(traffic, mark, ZOHO_API)] == [401, 200]
    (refresh,) = token_calls(traffic, mark)
    assert refresh.request.url.host == "accounts.zoho.com"
    assert world.connections.tokens("zoho").refreshes == 1


def test_401_twice_is_auth_required_after_one_refresh(connected):
    world, traffic = connected
    client = world.connections.xero_client()
    traffic.script(XERO_API, respond(401, TOKEN_EXPIRED))
    mark = traffic.mark()
    with pytest.raises(AuthRequired) as caught:
        client.organisation()
    assert caught.value.provider == "xero"
    assert len(api_calls(traffic, mark, XERO_API)) == 2
    assert len(token_calls(traffic, mark)) == 1


def test_revoked_connections_need_a_new_sign_in(connected):
    world, traffic = connected
    xero_token = world.ctx.secrets.get("xero:default:refresh_token")
    zoho_token = world.ctx.secrets.get("zoho:default:refresh_token")
    with world.emulator_client() as http:  # the user removes the app in each service's settings
        assert http.post("https://identity.xero.com/connect/revocation",
                         data={"token": xero_token, "client_id": world.xero.client_id}).status_code == 200
        assert http.post("https://accounts.zoho.com/oauth/v2/token/revoke",
                         params={"token": zoho_token}).status_code == 200
    world.control("xero", "POST", "expire-tokens")
    world.control("zoho", "POST", "expire-tokens")
    mark = traffic.mark()
    with pytest.raises(AuthRequired):
        world.connections.xero_client().organisation()
    with pytest.raises(AuthRequired):
        world.connections.zoho_client().org()
    assert len(token_calls(traffic, mark)) == 2  # one refresh attempt each, no loop
    assert not world.connections.status_of("xero").connected


def test_xero_tenant_disconnected_in_xero_is_auth_required_without_refreshing(connected):
    world, traffic = connected
    world.control("xero", "POST", "xero/disconnect-tenant")
    mark = traffic.mark()
    with pytest.raises(AuthRequired) as caught:
        world.connections.xero_client().organisation()
    assert "reconnect" in caught.value.message.lower()
    assert [e.status for e in api_calls(traffic, mark, XERO_API)] == [403]
    assert token_calls(traffic, mark) == []


def test_disconnected_locally_is_auth_required(connected):
    world, _ = connected
    world.connections.disconnect("zoho")
    with pytest.raises(AuthRequired):
        world.connections.zoho_client()
    assert not world.connections.status_of("zoho").connected


# ----- rate limits -----------------------------------------------------------------------------------------------
def test_xero_429_waits_for_retry_after_then_succeeds(connected):
    world, traffic = connected
    client = world.connections.xero_client()
    for _ in range(10):
        client.organisation()
    world.clock.advance(25)
    world.control("xero", "POST", "faults", {"force_429": 1})
    mark = traffic.mark()
    assert client.organisation().name
    limited, retried = api_calls(traffic, mark, XERO_API)
    assert limited.status == 429 and retried.status == 200
    retry_after = float(limited.response.headers["Retry-After"])
    assert retry_after >= 30  # the emulator's minute window still holds the first ten calls
    assert retried.at - limited.at >= retry_after


def test_xero_429_that_does_not_clear_is_rate_limited_after_max_attempts(connected):
    world, traffic = connected
    world.control("xero", "POST", "faults", {"force_429": 50})
    mark = traffic.mark()
    with pytest.raises(RateLimited) as caught:
        world.connections.xero_client().organisation()
    assert not isinstance(caught.value, DailyLimitReached) and caught.value.scope == "minute"
    assert len(api_calls(traffic, mark, XERO_API)) == MAX_ATTEMPTS


def test_zoho_429_without_retry_after_backs_off_then_succeeds(connected):
    world, traffic = connected
    world.control("zoho", "POST", "faults", {"force_429": 2})
    mark = traffic.mark()
    started = world.clock.time()
    assert world.connections.zoho_client().org().name
    calls = api_calls(traffic, mark, ZOHO_API)
    assert [e.status for e in calls] == [429, 429, 200]
    assert "Retry-After" not in calls[0].response.headers
    # jittered exponential backoff: 1 s then 2 s, each scaled by 0.5–1.0
    assert 1.5 <= world.clock.time() - started <= 3.0
    assert calls[2].at - calls[1].at >= 1.0


def test_xero_day_limit_pauses_the_session_until_it_resets(build):
    world, traffic = build(limits="starter")  # 1,000 calls a day
    world.connect_xero()
    client = world.connections.xero_client()
    session = world.connections.session("xero")
    started = world.clock.time()
    client.organisation()
    for _ in range(session.budget.day_remaining):  # connecting used one of the 1,000 already
        client.organisation()
    assert session.budget.day_remaining == 0

    mark = traffic.mark()
    with pytest.raises(DailyLimitReached) as caught:
        client.organisation()
    (refused,) = api_calls(traffic, mark, XERO_API)
    assert refused.status == 429 and refused.response.headers["X-Rate-Limit-Problem"] == "day"
    wait = caught.value.retry_after
    assert wait == float(refused.response.headers["Retry-After"])
    assert 86_400 - (world.clock.time() - started) - 1 <= wait <= 86_400
    assert caught.value.scope == "day" and "resumes by itself" in caught.value.message
    assert session.budget.paused_until == pytest.approx(world.clock.time() + wait)

    # paused: no call leaves the app until the reset
    mark = traffic.mark()
    with pytest.raises(DailyLimitReached):
        client.organisation()
    assert api_calls(traffic, mark, XERO_API) == []

    world.clock.advance(wait + 1)
    assert client.organisation().name
    assert session.budget.day_remaining and session.budget.day_remaining > 0


def test_xero_client_limiter_stays_under_60_per_rolling_minute(connected):
    world, traffic = connected
    client = world.connections.xero_client()
    started = world.clock.time()
    mark = traffic.mark()
    for _ in range(130):
        client.organisation()
    calls = api_calls(traffic, mark, XERO_API)
    assert len(calls) == 130 and all(e.status == 200 for e in calls)
    assert world.clock.time() - started >= 120  # two full minutes of waiting, no 429 needed
    times = [e.at for e in calls]
    assert max(sum(1 for t in times if start <= t < start + 60) for start in times) <= 60


# ----- transient trouble -----------------------------------------------------------------------------------------
TRANSIENT_REPLIES = {
    "5xx json": respond(500, '{"ErrorNumber":500,"Type":"InternalServerError","Message":"oops"}'),
    "html": respond(502, "<html><body><h1>502 Bad Gateway</h1></body></html>", "text/html"),
    "empty 200": respond(200, b""),
    "truncated 200": respond(200, '{"Organisations":[{"Name":"Bluegum'),
    "503 text": respond(503, "The Xero API is currently offline for maintenance", "text/plain"),
}


@pytest.mark.parametrize("kind", list(TRANSIENT_REPLIES))
def test_transient_replies_are_retried_then_succeed(connected, kind):
    world, traffic = connected
    traffic.script(XERO_API, TRANSIENT_REPLIES[kind], times=2)
    started = world.clock.time()
    mark = traffic.mark()
    assert world.connections.xero_client().organisation().name == "Bluegum Supply Co Pty Ltd"
    assert len(api_calls(traffic, mark, XERO_API)) == 3
    assert 1.5 <= world.clock.time() - started <= 3.0  # backoff 1 s, 2 s with jitter


@pytest.mark.parametrize("kind", list(TRANSIENT_REPLIES))
def test_transient_replies_become_service_unavailable_after_max_attempts(connected, kind):
    world, traffic = connected
    traffic.script(XERO_API, TRANSIENT_REPLIES[kind])
    mark = traffic.mark()
    with pytest.raises(ServiceUnavailable):
        world.connections.xero_client().organisation()
    assert len(api_calls(traffic, mark, XERO_API)) == MAX_ATTEMPTS


def test_emulator_html_errors_and_maintenance_are_service_unavailable(connected):
    world, traffic = connected
    world.control("zoho", "POST", "faults", {"error_rate": 1.0, "html_errors": True})
    mark = traffic.mark()
    with pytest.raises(ServiceUnavailable):
        world.connections.zoho_client().org()
    calls = api_calls(traffic, mark, ZOHO_API)
    assert len(calls) == MAX_ATTEMPTS and all("text/html" in e.response.headers["Content-Type"] for e in calls)
    world.control("zoho", "POST", "faults", {"clear": True})
    assert world.connections.zoho_client().org().name

    world.control("xero", "POST", "xero/maintenance", {"on": True})
    with pytest.raises(ServiceUnavailable):
        world.connections.xero_client().organisation()
    world.control("xero", "POST", "xero/maintenance", {"on": False})
    assert world.connections.xero_client().organisation().name


@pytest.mark.parametrize("failure", [httpx.ConnectError, httpx.ReadTimeout])
@pytest.mark.parametrize("side", ["xero", "zoho"])
def test_network_errors_are_retried_then_connection_lost(connected, failure, side):
    world, traffic = connected
    matcher = XERO_API if side == "xero" else ZOHO_API
    traffic.script(matcher, fail_with(failure), times=1)
    call = (lambda: world.connections.xero_client().organisation()) if side == "xero" else (
        lambda: world.connections.zoho_client().org())
    assert call().name  # one failure, then the retry gets through

    traffic.script(matcher, fail_with(failure))
    mark = traffic.mark()
    with pytest.raises(ConnectionLost) as caught:
        call()
    assert type(caught.value) is ConnectionLost  # not an httpx exception, not a "service" problem
    assert len(api_calls(traffic, mark, matcher)) == MAX_ATTEMPTS


# ----- refusals that are not retried -----------------------------------------------------------------------------
def test_xero_plain_text_404_is_not_found(connected):
    world, traffic = connected
    mark = traffic.mark()
    with pytest.raises(NotFound):
        world.connections.xero_client().contact(str(uuid.uuid4()))
    (call,) = api_calls(traffic, mark, XERO_API)
    assert call.status == 404 and call.response.headers["Content-Type"].startswith("text/plain")


def test_zoho_missing_record_is_none(connected):
    world, _ = connected
    assert world.connections.zoho_client().record("Accounts", "1234567890123456789") is None


def test_bad_requests_are_record_rejected_without_retry(connected):
    world, traffic = connected
    mark = traffic.mark()
    with pytest.raises(RecordRejected):
        list(world.connections.xero_client().contacts(where="Name =="))
    assert [e.status for e in api_calls(traffic, mark, XERO_API)] == [400]

    mark = traffic.mark()
    with pytest.raises(RecordRejected) as caught:
        list(world.connections.zoho_client().records("Accounts", ["No_Such_Field"]))
    assert caught.value.code == "INVALID_DATA"
    assert [e.status for e in api_calls(traffic, mark, ZOHO_API)] == [400]
