"""Rate limits per tenant (concurrent, minute, day) and per app, with their headers."""

from __future__ import annotations

from app.emulators.xero import XeroEmulator

from .conftest import login


def test_headers_on_every_accounting_response(session):
    r = session.get("/Contacts")
    assert r.headers["X-MinLimit-Remaining"] == "59"
    assert r.headers["X-DayLimit-Remaining"] == "4999"
    assert r.headers["X-AppMinLimit-Remaining"] == "9999"
    assert r.headers["Xero-Correlation-Id"]
    r2 = session.get("/Contacts")
    assert r2.headers["X-MinLimit-Remaining"] == "58"
    assert r2.headers["Xero-Correlation-Id"] != r.headers["Xero-Correlation-Id"]
    not_found = session.get("/Nope")
    assert "Xero-Correlation-Id" in not_found.headers and "X-AppMinLimit-Remaining" in not_found.headers


def test_minute_limit_429_with_retry_after(session, clock):
    for i in range(60):
        assert session.get("/Organisation").status_code == 200, i
        clock.advance(0.5)  # 60 calls over 30 s
    r = session.get("/Organisation")
    assert r.status_code == 429
    assert r.headers["X-Rate-Limit-Problem"] == "minute"
    assert r.headers["X-MinLimit-Remaining"] == "0"
    assert r.headers["Retry-After"] == "30"  # the first call leaves the rolling minute in 30 s
    clock.advance(int(r.headers["Retry-After"]))
    assert session.get("/Organisation").status_code == 200


def test_day_limit_429(clock):
    emu = XeroEmulator(clock=clock, limits="starter")
    s = login(emu)
    for _ in range(1000):
        assert s.get("/Organisation").status_code == 200
        clock.advance(1.5)  # stays under 60 per minute
    r = s.get("/Organisation")
    assert r.status_code == 429 and r.headers["X-Rate-Limit-Problem"] == "day"
    assert r.headers["X-DayLimit-Remaining"] == "0"
    retry = int(r.headers["Retry-After"])
    assert 86400 - 1500 - 1 <= retry <= 86400 - 1500 + 1
    clock.advance(retry)
    assert s.refresh().status_code == 200  # the access token has long expired; refreshing is not an API call
    assert s.get("/Organisation").status_code == 200


def test_day_limit_real_is_5000(session):
    assert session.get("/Organisation").headers["X-DayLimit-Remaining"] == "4999"


def test_concurrent_limit(session, emu):
    for _ in range(5):  # five calls in flight for this tenant (another thread would hold these)
        assert emu.limiter.acquire(session.tenant_id).allowed
    r = session.get("/Organisation")
    assert r.status_code == 429 and r.headers["X-Rate-Limit-Problem"] == "concurrent"
    assert r.headers["Retry-After"] == "1"
    emu.limiter.release(session.tenant_id)
    assert session.get("/Organisation").status_code == 200


def test_limits_are_per_tenant(emu, clock):
    au = login(emu, tenant_index=0)
    nz = login(emu, tenant_index=1)
    for _ in range(60):
        au.get("/Organisation")
    assert au.get("/Organisation").status_code == 429
    assert nz.get("/Organisation").status_code == 200


def test_limits_off_still_sends_headers(clock):
    s = login(XeroEmulator(clock=clock, limits="off"))
    for _ in range(70):
        r = s.get("/Organisation")
        assert r.status_code == 200
    # nothing is enforced, so nothing reads as used up (a client that obeys the headers never stalls)
    assert r.headers["X-MinLimit-Remaining"] == "60" and r.headers["X-DayLimit-Remaining"] == "5000"


def test_app_minute_limit(emu, clock):
    s = login(emu)
    limiter = emu.limiter
    now = clock.time()
    limiter._app.extend([now] * 10_000)  # other tenants of this app used the app-wide minute budget
    r = s.get("/Organisation")
    assert r.status_code == 429 and r.headers["X-Rate-Limit-Problem"] == "appminute"
    assert r.headers["X-AppMinLimit-Remaining"] == "0"
