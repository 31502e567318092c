"""Bodies a client must survive: malformed JSON, HTML error pages (as a 502 and as a 200 from a proxy), an empty
200 and a truncated body — some transient (after the emulator processed the request: a write happened that the
client could not read), some persistent on one endpoint — and a Zoho 207 where some records of a batch fail.
Errors are clear (per run or per record), nothing is lost, and a later clean run converges."""

from __future__ import annotations

from collections import Counter
from itertools import cycle

import httpx
import pytest

from app.services import review
from app.services.views import HistoryFilter, Views
from app.store.models import FailedRecord, Run
from tests.faults.support import (
    BACKOFF,
    assert_converges,
    counts,
    duplicates,
    is_oauth,
    recorder,
    snapshot,
)

pytestmark = pytest.mark.slow

HTML_PAGE = (b"<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1>"
             b"<p>The upstream server did not answer.</p></body></html>")


def malformed(r: httpx.Response) -> httpx.Response:
    return httpx.Response(200, content=b'{"data": [{"code": "SUCCESS", "details": {"id": ',
                          headers={"Content-Type": "application/json"})


def html_502(r: httpx.Response) -> httpx.Response:
    return httpx.Response(502, content=HTML_PAGE, headers={"Content-Type": "text/html; charset=utf-8"})


def html_200(r: httpx.Response) -> httpx.Response:  # a proxy's page answered with 200
    return httpx.Response(200, content=HTML_PAGE, headers={"Content-Type": "text/html; charset=utf-8"})


def empty_200(r: httpx.Response) -> httpx.Response:
    return httpx.Response(200, content=b"", headers={"Content-Type": "application/json"})


def truncated(r: httpx.Response) -> httpx.Response:
    body = r.content
    return httpx.Response(r.status_code, content=body[: max(1, len(body) // 2)],
                          headers={"Content-Type": r.headers.get("Content-Type", "application/json")})


KINDS = [malformed, html_502, html_200, empty_200, truncated]


@pytest.mark.parametrize("every", [3, 4, 5])
def test_unreadable_bodies_after_the_request_was_processed(fault_world, clean_world_state, every):
    """Every n-th API call is processed by the emulator, then its answer is replaced by one of the bad kinds."""
    w = fault_world
    seen: Counter = Counter()
    kinds = cycle(KINDS)
    n = Counter()
    spoiled: list[str] = []

    def spoil(side, request: httpx.Request, call_next):
        response = call_next()
        if is_oauth(request):
            return response
        n["all"] += 1
        if n["all"] % every:
            return response
        kind = next(kinds)
        spoiled.append(f"{kind.__name__}: {side} {request.method} {request.url.path}")
        return kind(response)

    for side in ("xero", "zoho"):
        w.hooks[side][:0] = [recorder(seen), spoil]
    report = w.sync_service().sync()
    assert len(spoiled) >= 5 and any(" GET " not in s for s in spoiled), spoiled
    assert report.outcome in ("ok", "partial"), report.message
    if report.outcome == "partial":
        assert "Nothing is lost" in report.message or "your attention" in report.message, report.message
    for side in ("xero", "zoho"):
        w.hooks[side][:] = [h for h in w.hooks[side] if h is not spoil]
    assert_converges(w, clean_world_state)


def test_an_endpoint_that_keeps_sending_garbage_fails_its_pair_only(fault_world, clean_world_state):
    w = fault_world

    def garbage(side, request: httpx.Request, call_next):
        response = call_next()
        if side == "xero" and request.method == "GET" and request.url.path.endswith("/Invoices"):
            return truncated(response)
        return response

    w.hooks["xero"].insert(0, garbage)
    report = w.sync_service().sync()
    assert report.outcome == "partial", report.message
    assert "invoices" in report.message and "could not read" in report.message, report.message
    assert "Nothing is lost" in report.message, report.message
    run = Run.get_by_id(report.run_id)
    assert run.outcome == "partial" and run.message == report.message
    # the other pairs went through
    assert report.by_pair["contacts"].get("linked", 0) > 20 and report.by_pair["items"].get("linked", 0) > 5
    assert w.zoho_records("Invoices") == []
    w.hooks["xero"].remove(garbage)
    assert_converges(w, clean_world_state)


def test_zoho_207_fails_the_bad_records_only_with_hints(fault_world, clean_world_state):
    """Two Xero-only customers carry a phone Zoho refuses ("1300 FLOWERS"): the batch creating accounts answers 207,
    the two land in failed records with a hint naming the field, every other record syncs."""
    w = fault_world
    seen: list = []
    w.hooks["zoho"].insert(0, recorder(Counter(), seen))
    bad = {"Tasman Design Studio Ltd": "1300 FLOWERS", "Waratah Florist": "0400 CALL NOW"}
    for name, phone in bad.items():
        w.xero.ui_edit_contact(w.xero_contact(name).ContactID, {"Phones": [{"PhoneType": "DEFAULT",
                                                                             "PhoneNumber": phone}]})
    report = w.sync_service().sync()
    assert report.outcome == "partial" and report.by_pair["contacts"]["failed"] == 2, report.message
    assert "your attention" in report.message, report.message
    assert any(e[2].endswith("/Accounts/upsert") and e[3] == 207 for e in seen), seen
    failed = review.failed_records(w.sync_service())
    accounts = {f.record_name: f for f in failed if f.pair == "contacts"}
    assert set(accounts) == set(bad), failed
    for f in accounts.values():
        assert "Phone" in f.hint and f.error["field"] == "Phone" and not f.transient, f.hint
    # their invoices wait for them, saying why; every other record went through
    waiting = [f for f in failed if f.pair == "invoices"]
    assert waiting and all(f.record_name.split(" — ")[1] in bad and "not synced yet" in f.hint for f in waiting)
    history = Views.of(w.ctx).history_page(HistoryFilter(actions=("fail",)), limit=500)
    assert {h.record_name for h in history if h.pair == "contacts"} == set(bad)
    for name in bad:
        assert w.zoho_records("Accounts", Account_Name=name) == []
    got = counts(snapshot(w.xero, w.zoho))
    want = counts(clean_world_state)
    assert got["zoho:Accounts"] == want["zoho:Accounts"] - 2
    assert got["zoho:Invoices"] == want["zoho:Invoices"] - len(waiting)
    # fixed in Xero; the next cycle after the backoff retries them
    for name in bad:
        w.xero.ui_edit_contact(w.xero_contact(name).ContactID, {"Phones": [{"PhoneType": "DEFAULT",
                                                                             "PhoneNumber": "02 9555 0000"}]})
    w.clock.advance(BACKOFF)
    report = w.sync_service().sync()
    assert report.outcome == "ok", report.message
    assert FailedRecord.select().where(FailedRecord.status == "open").count() == 0
    for name in bad:
        assert w.zoho_one("Accounts", Account_Name=name)["Phone"] == "02 9555 0000"
    assert duplicates(w.xero, w.zoho) == {}
    assert counts(snapshot(w.xero, w.zoho)) == want
